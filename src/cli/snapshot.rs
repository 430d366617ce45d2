//! `chartfix snapshot STACK` writes the stack's rendered manifests to
//! `snapshots/NAME.yaml`; `chartfix verify STACK` renders again and fails with
//! a diff when the output no longer matches.

use super::render::StackFlags;
use super::{report, EXIT_FAILURE, EXIT_OK};
use chartfix::stack;
use std::path::PathBuf;

#[derive(clap::Args)]
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

pub fn snapshot(args: Args) -> u8 {
    let r = match stack::render_stack(&args.stack.stack, &args.stack.options()) {
        Ok(r) => r,
        Err(e) => return report(e),
    };
    let path = snapshot_path(&args.dir, &r.name);
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        return report(format!("cannot create {}: {e}", args.dir.display()));
    }
    if let Err(e) = std::fs::write(&path, &r.text) {
        return report(format!("cannot write {}: {e}", path.display()));
    }
    eprintln!(
        "wrote {} ({} resources); `chartfix verify {}` compares against it",
        path.display(),
        r.resources,
        args.stack.stack
    );
    EXIT_OK
}

pub fn verify(args: Args) -> u8 {
    let r = match stack::render_stack(&args.stack.stack, &args.stack.options()) {
        Ok(r) => r,
        Err(e) => return report(e),
    };
    let path = snapshot_path(&args.dir, &r.name);
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            return report(format!(
                "cannot read the snapshot {}: {e}; write it with `chartfix snapshot {}`",
                path.display(),
                args.stack.stack
            ))
        }
    };
    if old == r.text {
        eprintln!("{}: matches ({} resources)", path.display(), r.resources);
        return EXIT_OK;
    }
    let diff = similar::TextDiff::from_lines(&old, &r.text)
        .unified_diff()
        .context_radius(3)
        .header(&path.display().to_string(), "rendered now")
        .to_string();
    print!("{diff}");
    eprintln!(
        "Error: the stack renders differently from {}; if the change is intended, run `chartfix snapshot {}`",
        path.display(),
        args.stack.stack
    );
    EXIT_FAILURE
}
