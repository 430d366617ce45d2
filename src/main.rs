//! The `chartfix` command: a thin layer of flag parsing and dispatch over the
//! library (see `cli`).

mod cli;

// Rendering a chart allocates many small, short-lived values (template output
// pieces, shared maps, YAML nodes); mimalloc serves those much faster than the
// system allocator, and the whole process is short-lived.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let status = cli::main();
    leave(status)
}

/// Ends the process with `status` once what it printed is flushed, without
/// the teardown `exit` runs: the allocator's (mimalloc hands its free pages
/// back to the system one `madvise` at a time) and the C library's
/// handlers. Nothing of chartfix's waits on them; every file it wrote is
/// closed and every temporary folder removed by the time a command returns.
fn leave(status: u8) -> ! {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` takes a status and does not return; the buffers Rust
    // holds were flushed above, and the kernel closes the descriptors.
    unsafe { libc::_exit(i32::from(status)) }
}
