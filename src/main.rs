//! The `chartfix` command: a thin layer of flag parsing and dispatch over the
//! library (see `cli`).

mod cli;

// Rendering a chart allocates many small, short-lived values (template output
// pieces, shared maps, YAML nodes); mimalloc serves those much faster than the
// system allocator, and the whole process is short-lived.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
