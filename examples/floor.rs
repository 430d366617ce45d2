//! The floor under `chartfix template`'s time: a process that does only the
//! first, unavoidable step of a render and exits.
//!
//! ```text
//! floor exit    CHART   start and exit (what any process pays here)
//! floor inflate CHART   read the archive and inflate it, nothing else
//! floor load    CHART   chartfix's loader: inflate, sort files, read Chart.yaml and values.yaml
//! ```
//!
//! `.ci/bench-template --floor` runs it beside the real render, so the figures
//! say how much of a render's time no template engine can win back.

// The binary's own start-up step, the same file.
#[path = "../src/cli/huge_pages.rs"]
mod huge_pages;

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

// The same allocator as the real binary, so the floor pays the same start-up.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // As the real binary starts.
    huge_pages::no_huge_pages();
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(chart)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: floor exit|inflate|load CHART");
        return ExitCode::from(2);
    };
    let result = match mode.as_str() {
        "exit" => Ok(0),
        "inflate" => inflate(Path::new(chart)),
        "load" => chartfix::chart::load(Path::new(chart))
            .map(|c| c.templates.len())
            .map_err(|e| e.to_string()),
        _ => Err(format!("unknown mode {mode:?}: exit, inflate or load")),
    };
    match result {
        Ok(n) => {
            // Printed so the work cannot be optimised away.
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::FAILURE
        }
    }
}

fn inflate(path: &Path) -> Result<usize, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::with_capacity(bytes.len() * 8);
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(out.len())
}
