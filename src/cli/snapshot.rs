//! `chartfix snapshot STACK` writes the stack's rendered manifests to
//! `snapshots/NAME.yaml`; `chartfix verify STACK` renders again and fails with
//! a diff when the output no longer matches.

use super::render::StackFlags;
use super::{write_stdout, CliError, CmdResult, Outcome};
use chartfix::stack;
use chartfix::words::plural;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  chartfix snapshot beta9 --offline && chartfix verify beta9 --offline"
)]
pub struct Args {
    /// Folder of the snapshots.
    #[arg(long, default_value = "snapshots", value_name = "DIR")]
    dir: PathBuf,
    // Last: the flags under their own help heading come last.
    #[command(flatten)]
    stack: StackFlags,
}

fn snapshot_path(dir: &std::path::Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.yaml"))
}

pub fn snapshot(args: Args) -> CmdResult {
    let r = stack::render_stack(&args.stack.stack, &args.stack.options())?;
    let path = snapshot_path(&args.dir, &r.name);
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", args.dir.display())))?;
    std::fs::write(&path, &r.text)
        .map_err(|e| CliError::failure(format!("cannot write {}: {e}", path.display())))?;
    stderrln!(
        "wrote {} ({}); `chartfix verify {}` compares against it",
        path.display(),
        plural(r.resources, "resource"),
        args.stack.stack
    );
    Ok(Outcome::Done)
}

pub fn verify(args: Args) -> CmdResult {
    let r = stack::render_stack(&args.stack.stack, &args.stack.options())?;
    let path = snapshot_path(&args.dir, &r.name);
    let old = chartfix::input::read_to_string(&path).map_err(|e| {
        CliError::failure(format!(
            "cannot read the snapshot {}: {e}; write it with `chartfix snapshot {}`",
            path.display(),
            args.stack.stack
        ))
    })?;
    if old == r.text {
        stderrln!(
            "{}: matches ({})",
            path.display(),
            plural(r.resources, "resource")
        );
        return Ok(Outcome::Done);
    }
    // Secret values hidden, as in every diff chartfix prints.
    let diff =
        chartfix::diff::snapshot_diff(&old, &path.display().to_string(), &r.text, "rendered now");
    if diff.is_empty() {
        stderrln!("the differences are inside Secrets only, in what is hidden of them (their values' style or order)");
    }
    write_stdout(diff)?;
    Err(CliError::failure(format!(
        "the stack renders differently from {}; if the change is intended, run `chartfix snapshot {}`",
        path.display(),
        args.stack.stack
    )))
}
