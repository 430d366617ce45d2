//! `chartfix diff`: compare two manifest files, or a stack as committed at a
//! git ref with the same stack in the working tree.

use super::{report, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use crate::diff::{self, git, Report, Style};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a terminal: coloured when stdout is one.
    Text,
    /// For a pull-request comment, kept under GitHub's size limit.
    Markdown,
    /// For scripts.
    Json,
}

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  chartfix diff old.yaml new.yaml\n  helm template … | chartfix diff old.yaml -\n  chartfix diff stacks/beta9.yaml --base origin/main --format markdown"
)]
pub struct Args {
    /// OLD NEW (manifest files, `-` for stdin), or STACK with --base.
    #[arg(value_name = "OLD NEW | STACK", num_args = 1..=2, required = true)]
    pub paths: Vec<String>,
    /// Compare STACK as committed at this git ref with the working tree.
    #[arg(long, value_name = "GIT_REF")]
    pub base: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with status 1 when there are differences.
    #[arg(long)]
    pub exit_code: bool,
}

pub fn run(args: Args) -> u8 {
    let outcome = match (&args.base, args.paths.as_slice()) {
        (None, [old, new]) => diff_files(old, new),
        (Some(base), [stack]) => diff_against_base(Path::new(stack), base),
        (None, [_]) => return usage("give OLD and NEW, or STACK with --base GIT_REF"),
        (Some(_), _) => return usage("--base takes one STACK, not two files"),
        _ => return usage("give OLD and NEW, or STACK with --base GIT_REF"),
    };
    let found = match outcome {
        Ok(r) => r,
        Err(Failure::Usage(m)) => return usage(&m),
        Err(Failure::Error(m)) => return report(m),
    };
    let text = match args.format {
        Format::Text => diff::render_text(&found, text_style()),
        Format::Markdown => diff::render_markdown(&found, diff::GITHUB_COMMENT_LIMIT),
        Format::Json => diff::render_json(&found),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return report(e);
        }
    }
    if args.exit_code && !found.is_empty() {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

enum Failure {
    Usage(String),
    Error(String),
}

fn usage(message: &str) -> u8 {
    eprintln!(
        "Error: {message}\n\nUsage: chartfix diff OLD NEW | chartfix diff STACK --base GIT_REF"
    );
    EXIT_USAGE
}

/// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
fn text_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if std::io::stdout().is_terminal() && !no_color {
        Style::Color
    } else {
        Style::Plain
    }
}

fn diff_files(old: &str, new: &str) -> Result<Report, Failure> {
    if old == "-" && new == "-" {
        return Err(Failure::Usage(
            "only one side can be read from stdin".into(),
        ));
    }
    let old_text = read_input(old)?;
    let new_text = read_input(new)?;
    diff::diff_streams(&old_text, old, &new_text, new).map_err(|e| Failure::Error(e.to_string()))
}

fn read_input(path: &str) -> Result<String, Failure> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::Error(format!("stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| Failure::Error(format!("{path}: {e}")))
}

/// Renders STACK as committed at `base` and as in the working tree, then
/// compares the two renders.
fn diff_against_base(stack: &Path, base: &str) -> Result<Report, Failure> {
    let tree = git::export(stack, base).map_err(|e| Failure::Error(e.to_string()))?;
    let old = render(tree.path()).map_err(|e| Failure::Error(format!("at {base}: {e}")))?;
    let new = render(stack).map_err(|e| Failure::Error(format!("working tree: {e}")))?;
    let old_label = format!("{} at {base}", stack.display());
    let new_label = stack.display().to_string();
    diff::diff_streams(&old, &old_label, &new, &new_label)
        .map_err(|e| Failure::Error(e.to_string()))
}

/// The manifests a stack path stands for: a manifest file as it is, or every
/// `.yaml`/`.yml` file of a folder (recursively, in path order) joined into
/// one stream.
fn render(path: &Path) -> Result<String, String> {
    if path.is_dir() {
        let mut files = Vec::new();
        collect_yaml(path, &mut files)?;
        files.sort();
        let mut out = String::new();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            out.push_str("---\n");
            out.push_str(&text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
        }
        Ok(out)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}
