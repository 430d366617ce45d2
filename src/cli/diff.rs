//! `chartfix diff`: compare two manifest files, or a stack as committed at a
//! git ref with the same stack in the working tree (both rendered by
//! [`chartfix::stack::render_stack`], as `chartfix render` does).

use super::flags::{NetworkArgs, FETCH_FLAGS};
use super::{write_stdout, CliError, CmdResult, Outcome};
use chartfix::diff::{self, git, Report, Style};
use chartfix::stack::{self, StackOptions};
use std::io::IsTerminal;
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
    after_help = "The flags under \"Registries, repositories and the cache\" apply with --base only.\n\nExamples:\n  chartfix diff old.yaml new.yaml\n  helm template … | chartfix diff old.yaml -\n  chartfix diff stacks/beta9.yaml --base origin/main --format markdown"
)]
pub struct Args {
    /// OLD NEW: two manifest files (`-` for stdin); or, with --base, one
    /// stack: a stack file, a folder of manifests, or a name in ./stacks/.
    #[arg(value_name = "OLD NEW | STACK", num_args = 1..=2, required = true)]
    pub paths: Vec<String>,
    /// Compare STACK as committed at this git ref with the working tree.
    #[arg(long, value_name = "GIT_REF")]
    pub base: Option<String>,
    /// Report format.
    #[arg(long = "format", short = 'o', visible_alias = "output", value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit with status 1 when there are differences.
    #[arg(long)]
    pub exit_code: bool,
    /// With --base: how both renders fetch charts (the same for both, so
    /// only the stack's own changes show).
    #[command(flatten)]
    pub net: NetworkArgs,
}

/// Runs `chartfix diff`; `given` are the fetch flags given on the command
/// line ([`super::flags::fetch_flags_given`]), which only `--base` uses.
pub fn run(args: Args, given: &[&str]) -> CmdResult {
    if args.base.is_none() && !given.is_empty() {
        let (last, rest) = FETCH_FLAGS.split_last().expect("flags");
        let all: Vec<&str> = rest.iter().map(|(_, f)| *f).collect();
        return Err(usage(format!(
            "{} and {} apply to STACK --base GIT_REF only (given: {})",
            all.join(", "),
            last.1,
            given.join(" ")
        )));
    }
    let found = match (&args.base, args.paths.as_slice()) {
        (None, [old, new]) => diff_files(old, new)?,
        (Some(base), [stack]) => diff_against_base(stack, base, &stack_options(&args.net))?,
        (Some(_), _) => return Err(usage("--base takes one STACK, not two files")),
        _ => return Err(usage("give OLD and NEW, or STACK with --base GIT_REF")),
    };
    let text = match args.format {
        Format::Text => diff::render_text(&found, text_style()),
        Format::Markdown => diff::render_markdown(&found, diff::GITHUB_COMMENT_LIMIT),
        Format::Json => diff::render_json(&found),
    };
    write_stdout(text)?;
    Ok(Outcome::findings_if(args.exit_code && !found.is_empty()))
}

/// Misuse of `diff`, with its two forms.
fn usage(message: impl std::fmt::Display) -> CliError {
    CliError::Usage(format!(
        "{message}\n\nUsage: chartfix diff OLD NEW | chartfix diff STACK --base GIT_REF"
    ))
}

/// How both sides of `--base` fetch charts.
fn stack_options(net: &NetworkArgs) -> StackOptions {
    StackOptions {
        // The report is the output; progress bars would only interleave.
        quiet: true,
        ..net.stack_options(0)
    }
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

fn diff_files(old: &str, new: &str) -> Result<Report, CliError> {
    if old == "-" && new == "-" {
        return Err(usage("only one side can be read from stdin"));
    }
    let old_text = read_input(old)?;
    let new_text = read_input(new)?;
    diff::diff_streams(&old_text, old, &new_text, new).map_err(|e| CliError::Failure(e.to_string()))
}

fn read_input(path: &str) -> Result<String, CliError> {
    if path == "-" {
        return chartfix::input::read_all_string(std::io::stdin().lock())
            .map_err(|e| CliError::Failure(format!("stdin: {e}")));
    }
    chartfix::input::read_to_string(path).map_err(|e| {
        CliError::Failure(if Path::new(path).exists() {
            format!("cannot read the manifest file {path}: {e}")
        } else {
            format!(
                "manifest file {path:?} not found: diff compares two manifest files (`-` for \
                 stdin), or a stack with --base GIT_REF"
            )
        })
    })
}

/// Renders STACK as committed at `base` and as in the working tree, then
/// compares the two renders.
fn diff_against_base(spec: &str, base: &str, options: &StackOptions) -> Result<Report, CliError> {
    let stack = stack_path(spec)?;
    let stack = stack.as_path();
    let tree = git::export(stack, base).map_err(|e| CliError::Failure(e.to_string()))?;
    let old = render(tree.path(), options)
        .map_err(|e| CliError::Failure(format!("rendering at {base}: {e}")))?;
    let new = render(stack, options)
        .map_err(|e| CliError::Failure(format!("rendering the working tree: {e}")))?;
    let old_label = format!("{} at {base}", stack.display());
    let new_label = stack.display().to_string();
    diff::diff_streams(&old, &old_label, &new, &new_label)
        .map_err(|e| CliError::Failure(e.to_string()))
}

/// The path `--base` exports: STACK as given when it is a file or folder,
/// else `stacks/STACK.yaml` (as `chartfix render` finds names). A built-in
/// stack has no git history to compare with.
fn stack_path(spec: &str) -> Result<PathBuf, CliError> {
    let path = Path::new(spec);
    if path.exists() {
        return Ok(path.to_path_buf());
    }
    for ext in ["yaml", "yml"] {
        let p = Path::new("stacks").join(format!("{spec}.{ext}"));
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(CliError::Failure(format!(
        "--base needs a stack file or folder inside a git repository; {spec:?} is neither here nor in ./stacks/"
    )))
}

/// The final manifests of the stack at `path`, as `chartfix render` prints them.
fn render(path: &Path, options: &StackOptions) -> Result<String, String> {
    let spec = path
        .to_str()
        .ok_or_else(|| format!("{}: not a UTF-8 path", path.display()))?;
    stack::render_stack(spec, options)
        .map(|r| r.text)
        .map_err(|e| e.to_string())
}
