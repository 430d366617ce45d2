//! The floor under `chartfix template`'s time: a process that does only the
//! first, unavoidable step of a render and exits.
//!
//! ```text
//! floor exit    CHART   start and exit (what any process pays here)
//! floor inflate CHART   read the archive and inflate it, nothing else
//! floor load    CHART   chartfix's loader: inflate, sort files, read Chart.yaml and values.yaml
//! floor yaml    STREAM  parse every document of a manifest stream with chartfix's
//!                       YAML reader and write it back with its emitter, nothing else
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
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(chart)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: floor exit|inflate|load CHART, or floor yaml STREAM");
        return ExitCode::from(2);
    };
    let result = match mode.as_str() {
        "exit" => Ok(0),
        "inflate" => inflate(Path::new(chart)),
        "load" => chartfix::chart::load(Path::new(chart))
            .map(|c| c.templates.len())
            .map_err(|e| e.to_string()),
        "yaml" => yaml_round_trip(Path::new(chart)),
        _ => Err(format!(
            "unknown mode {mode:?}: exit, inflate, load or yaml"
        )),
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

/// The floor under `post-render`: the YAML library's own parse and emit of
/// every document, without splitting, overlays, checks or kept texts
/// (`.ci/bench-post-render --floor`).
fn yaml_round_trip(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut count = 0;
    // One document at a time, as post-render reads them: split at `---` lines.
    for part in text.split("\n---\n") {
        for doc in chartfix::yaml::from_str_json(part, 128).map_err(|e| e.message)? {
            out.push_str("---\n");
            out.push_str(&chartfix::yaml::emit_json(&doc));
            count += 1;
        }
    }
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(count)
}
