//! Links the `chartfix` binary as a position-dependent executable on Linux
//! with glibc.
//!
//! A position-independent executable of chartfix's size carries about 18,000
//! relocations, which the dynamic loader applies on every start, writing to
//! 80 pages of the binary that each fault into private memory: about 0.2 ms,
//! a tenth of the start-up, and 3% of a `chartfix template` of Redis 18.6.1
//! (docs/benchmarks.md, issue 18's fifth pass). A process of chartfix lives
//! for milliseconds, so the start is worth it. Go builds Helm and kubectl the
//! same way (position-dependent, their default on Linux); the libraries the
//! binary loads are still placed at random.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
