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

/// `DIR/NAME.yaml`, refused when the stack's name is not one plain file name:
/// a name with `/` or `\\` (`../x`, `/etc/x`) would write
/// (or, for `verify`, read) outside the folder the user gave.
fn snapshot_path(dir: &std::path::Path, name: &str, stack: &str) -> Result<PathBuf, CliError> {
    let file = format!("{name}.yaml");
    let mut parts = std::path::Path::new(&file).components();
    let plain =
        matches!(parts.next(), Some(std::path::Component::Normal(_))) && parts.next().is_none();
    if !plain || name.is_empty() || name.contains(['/', '\\', '\0']) {
        return Err(CliError::failure(format!(
            "stack {stack}: its name {name:?} cannot name a snapshot file inside {}: \
             the snapshot would be written outside that folder; give the stack a name \
             without '/' or '\\' (its `name:` field)",
            dir.display()
        )));
    }
    Ok(dir.join(file))
}

pub fn snapshot(args: Args) -> CmdResult {
    let r = stack::render_stack(&args.stack.stack, &args.stack.options())?;
    let path = snapshot_path(&args.dir, &r.name, &args.stack.stack)?;
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
    let path = snapshot_path(&args.dir, &r.name, &args.stack.stack)?;
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

#[cfg(test)]
mod tests {
    use super::snapshot_path;
    use std::path::Path;

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        let dir = Path::new("snaps");
        assert_eq!(
            snapshot_path(dir, "beta9", "s.yaml").unwrap(),
            Path::new("snaps/beta9.yaml")
        );
        assert!(snapshot_path(dir, "v1.2..3", "s.yaml").is_ok());
        for bad in ["../x", "/etc/x", "a/b", "", "a\\b", "x/../../y", "\0"] {
            let Err(super::CliError::Failure(e)) = snapshot_path(dir, bad, "s.yaml") else {
                panic!("{bad:?} accepted");
            };
            assert!(
                e.contains(&format!("{bad:?}")) && e.contains("snaps"),
                "{e}"
            );
        }
    }
}
