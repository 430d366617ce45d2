//! The command line: clap definitions, dispatch, and the one place that turns
//! how a command ended into a message and an exit status ([`exit`]).
//!
//! ```text
//! args ─▶ clap ─▶ command::run ─▶ Result<Outcome, CliError> ─▶ exit ─▶ status
//!                  (library calls;     Ok(Done)       0
//!                   stdout through     Ok(Findings)   1, the command printed them
//!                   write_stdout)      Err(Failure)   1, `Error: …` on stderr
//!                                      Err(Usage)     2, `Error: …` on stderr
//! ```
//!
//! A command writes to stdout once, when it has succeeded, so an error never
//! leaves partial output. A reader that closes stdout early (`| head`) is not
//! an error ([`write_stdout`]): nothing is said about it and the status is the
//! command's own, 0 when it found nothing (as ripgrep exits 0). Nothing here
//! panics on a closed stream: stderr is written through `stderr!` and
//! `stderrln!`, which ignore a closed one.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::fmt::Display;
use std::io::Write;

/// `eprint!` that ignores a closed stderr (`2>&1 | head`) instead of
/// panicking, and prints no URL credentials or secret sent
/// (`chartfix::scrub`).
macro_rules! stderr {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = chartfix::scrub::scrub(&format!($($arg)*));
        let _ = std::io::stderr().write_all(text.as_bytes());
    }};
}

/// `eprintln!` as [`stderr!`].
macro_rules! stderrln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = chartfix::scrub::scrub(&format!($($arg)*));
        let _ = writeln!(std::io::stderr(), "{text}");
    }};
}

mod bundle;
mod cache;
mod check;
mod diff;
mod fetch;
mod flags;
mod huge_pages;
mod images;
mod post_render;
mod render;
mod snapshot;
mod template;

/// Exit status of a successful run.
pub const EXIT_OK: u8 = 0;
/// Exit status when a check found a problem or an operation failed.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status for bad usage: a flag that does not exist or whose value
/// cannot be used, a missing or extra argument. Anything about the existence
/// or content of an input (a file or chart that is not there, invalid YAML,
/// a bad field) is a failure, [`EXIT_FAILURE`].
pub const EXIT_USAGE: u8 = 2;

/// How a command that ran to its end ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report: status 0.
    Done,
    /// A check found problems, or `diff --exit-code` differences; the command
    /// has printed them: status 1, no `Error:` line.
    Findings,
}

impl Outcome {
    /// `Findings` when `found`, else `Done`.
    pub fn findings_if(found: bool) -> Outcome {
        if found {
            Outcome::Findings
        } else {
            Outcome::Done
        }
    }
}

/// Why a command stopped early.
#[derive(Debug, PartialEq, Eq)]
pub enum CliError {
    /// A flag or argument that cannot be used as given: `Error: …`, status 2.
    Usage(String),
    /// The operation failed: `Error: …`, status 1.
    Failure(String),
}

impl CliError {
    pub fn usage(message: impl Display) -> CliError {
        CliError::Usage(message.to_string())
    }

    pub fn failure(message: impl Display) -> CliError {
        CliError::Failure(message.to_string())
    }
}

/// What every command returns.
pub type CmdResult = Result<Outcome, CliError>;

impl From<chartfix::source::SourceError> for CliError {
    fn from(e: chartfix::source::SourceError) -> CliError {
        match e.kind {
            chartfix::source::SourceErrorKind::Usage => CliError::usage(e),
            _ => CliError::failure(e),
        }
    }
}

impl From<chartfix::release::ReleaseError> for CliError {
    fn from(e: chartfix::release::ReleaseError) -> CliError {
        if e.is_usage() {
            CliError::usage(e)
        } else {
            CliError::failure(e)
        }
    }
}

impl From<chartfix::stack::StackError> for CliError {
    fn from(e: chartfix::stack::StackError) -> CliError {
        CliError::failure(e)
    }
}

impl From<chartfix::check::images::CheckError> for CliError {
    fn from(e: chartfix::check::images::CheckError) -> CliError {
        let chartfix::check::images::CheckError::Failed(m) = e;
        CliError::Failure(m)
    }
}

/// Writes a command's output to stdout in one go.
///
/// A reader that closes stdout before the end (`chartfix render beta9 | head
/// -1`) took what it wanted: that is not an error, so nothing is said and the
/// command ends with its own status, 0 when it found nothing, as ripgrep
/// exits 0 on a broken pipe. What the command found before printing (a
/// check's problems, `diff --exit-code`'s differences, `verify`'s mismatch)
/// still gives 1, so `| head` under `set -o pipefail` cannot turn a failed
/// check into a pass. Any other write error (a full disk) is a failure.
/// [`write_stdout`] for reports that quote what servers said (`images`,
/// `check`): URL credentials and secrets sent are cut (`chartfix::scrub`).
/// Rendered manifests are never scrubbed: they are the user's own data.
pub fn write_report(text: &str) -> Result<(), CliError> {
    write_stdout(chartfix::scrub::scrub(text))
}

pub fn write_stdout(text: impl AsRef<[u8]>) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_ref()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::failure(format!("cannot write to stdout: {e}"))),
    }
}

/// The one place a command's result becomes a message and an exit status.
pub fn exit(result: CmdResult) -> u8 {
    let (message, status) = match result {
        Ok(Outcome::Done) => return EXIT_OK,
        Ok(Outcome::Findings) => return EXIT_FAILURE,
        Err(CliError::Usage(m)) => (m, EXIT_USAGE),
        Err(CliError::Failure(m)) => (m, EXIT_FAILURE),
    };
    // Credentials belong in config files, but a message may quote a URL that
    // someone wrote with `user:password@` in it, or a server's answer that
    // echoes what it was sent: `stderrln!` scrubs both.
    stderrln!("Error: {message}");
    status
}

#[derive(Parser)]
#[command(
    name = "chartfix",
    version,
    about = "Render Helm charts exactly as Helm does, check them, and rewrite them for your cluster"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Deferred: only the subcommand run builds its flags (clap's `defer`), not
// all eleven's, about 0.3 ms and 90 page faults of every start; the names and
// one-line descriptions the top-level help lists are still built at once.
// The flag groups commands flatten (`flags::NetworkArgs`, …) are described
// in plain comments: built later, a doc comment of theirs would replace the
// command's description in its `--help`.
#[derive(Subcommand)]
#[command(defer = true)]
enum Command {
    /// Render a chart locally, as `helm template` does.
    Template(Box<template::Args>),
    /// Rewrite a manifest stream on stdin with overlays (a Helm post-renderer).
    PostRender(post_render::Args),
    /// Fetch a chart into the cache and print its version, digest and path.
    Fetch(fetch::Args),
    /// List the images manifests use and check them against their registries.
    Images(images::Args),
    /// Check manifests before deploying: images, fit on the node, kinds the cluster lacks.
    Check(check::Args),
    /// Render a whole stack (charts, raw manifests, HelmCharts) with its overlays.
    Render(render::Args),
    /// Write a stack's rendered manifests to snapshots/NAME.yaml.
    Snapshot(snapshot::Args),
    /// Render a stack and fail with a diff when it differs from its snapshot.
    Verify(snapshot::Args),
    /// Compare two manifest sets, or a stack with itself at a git ref.
    Diff(diff::Args),
    /// The chart cache: import archives for offline use, list, prune.
    Cache(cache::Args),
    /// Write a stack, its lock and its chart archives to one file that
    /// `chartfix render FILE` renders without a network.
    Bundle(bundle::Args),
}

/// Runs the command line and returns the process exit status.
pub fn main() -> u8 {
    // Parsed in two steps so a command can tell a flag given from a default.
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            // clap's own message (an unknown flag, or --help and --version,
            // which go to stdout and may find it closed).
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let result = match cli.command {
        Command::Template(args) => template::run(*args),
        Command::PostRender(args) => post_render::run(args),
        Command::Fetch(args) => fetch::run(args),
        Command::Images(args) => images::run(args),
        Command::Check(args) => check::run(args),
        Command::Render(args) => render::run(args),
        Command::Snapshot(args) => snapshot::snapshot(args),
        Command::Verify(args) => snapshot::verify(args),
        Command::Diff(args) => diff::run(
            args,
            &flags::fetch_flags_given(matches.subcommand_matches("diff")),
        ),
        Command::Cache(args) => cache::run(args),
        Command::Bundle(args) => bundle::run(args),
    };
    exit(result)
}

/// A size on the command line: bytes (`1000000`) or a binary unit (`200MiB`,
/// `512KiB`, `2GiB`). Decimal units (`MB`) are refused rather than guessed.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let scale: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => {
            return Err(format!(
                "{text:?}: expected a size such as 200MiB, 512KiB, 2GiB or a number of bytes"
            ))
        }
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?}: expected a size such as 200MiB or a number of bytes"))?;
    n.checked_mul(scale)
        .and_then(|b| usize::try_from(b).ok())
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("{text:?}: the size must be above 0 and fit this machine"))
}

#[cfg(test)]
mod tests {
    use super::{exit, parse_size, Cli, CliError, Outcome};
    use clap::CommandFactory;

    #[test]
    fn one_mapping_to_exit_statuses() {
        assert_eq!(exit(Ok(Outcome::Done)), 0);
        assert_eq!(exit(Ok(Outcome::Findings)), 1);
        assert_eq!(exit(Err(CliError::failure("x"))), 1);
        assert_eq!(exit(Err(CliError::usage("x"))), 2);
        assert_eq!(Outcome::findings_if(false), Outcome::Done);
        let usage = chartfix::source::SourceError {
            kind: chartfix::source::SourceErrorKind::Usage,
            message: "bad".into(),
        };
        assert!(matches!(CliError::from(usage), CliError::Usage(_)));
        let missing = chartfix::check::images::CheckError::Failed("gone".into());
        assert_eq!(CliError::from(missing), CliError::Failure("gone".into()));
        let not_found = chartfix::source::SourceError {
            kind: chartfix::source::SourceErrorKind::NotFound,
            message: "no such chart".into(),
        };
        assert!(matches!(CliError::from(not_found), CliError::Failure(_)));
    }

    /// Every command that talks to registries has the shared flags, with one
    /// default timeout and one help text each.
    #[test]
    fn network_flags_are_the_same_everywhere() {
        // Deferred flags exist once the command is built.
        let mut cli = Cli::command();
        cli.build();
        let mut seen = Vec::new();
        for cmd in cli.get_subcommands() {
            let Some(timeout) = cmd.get_arguments().find(|a| a.get_id() == "timeout") else {
                continue;
            };
            seen.push(cmd.get_name().to_string());
            assert_eq!(
                timeout.get_default_values(),
                [chartfix::registry::DEFAULT_TIMEOUT.as_secs().to_string()],
                "{}",
                cmd.get_name()
            );
            for id in [
                "registry_config",
                "repo_mirrors",
                "plain_http",
                "offline",
                "cache_dir",
                "timeout",
                "quiet",
            ] {
                let arg = cmd.get_arguments().find(|a| a.get_id() == id);
                let help = arg.and_then(|a| a.get_help()).map(|h| h.to_string());
                let reference = cli
                    .find_subcommand("fetch")
                    .and_then(|f| f.get_arguments().find(|a| a.get_id() == id))
                    .and_then(|a| a.get_help())
                    .map(|h| h.to_string());
                assert!(help.is_some(), "{} lacks {id}", cmd.get_name());
                assert_eq!(help, reference, "{} {id}", cmd.get_name());
            }
        }
        assert_eq!(
            seen,
            [
                "template", "fetch", "images", "check", "render", "snapshot", "verify", "diff",
                "bundle"
            ]
        );
    }

    /// A deferred command keeps, once built, the description the top-level
    /// help lists for it (a doc comment on a flag group would replace it).
    #[test]
    fn building_a_command_keeps_its_description() {
        let eager = Cli::command();
        let mut built = Cli::command();
        built.build();
        for cmd in eager.get_subcommands() {
            let name = cmd.get_name();
            let after = built.find_subcommand(name).expect(name);
            let text = |a: Option<&clap::builder::StyledStr>| a.map(|s| s.to_string());
            assert_eq!(text(after.get_about()), text(cmd.get_about()), "{name}");
            assert_eq!(text(after.get_long_about()), None, "{name}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("200MiB"), Ok(200 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("512 KiB"), Ok(512 << 10));
        assert!(parse_size("200MB").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("99999999999999999999GiB").is_err());
    }
}
