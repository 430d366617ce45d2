//! The command line: clap definitions, dispatch and exit codes, nothing else.
//!
//! Exit status: 0 success, 1 a finding or a failure, 2 bad usage. A command writes
//! to stdout only once it has succeeded, so an error never leaves partial output.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

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
/// Exit status for bad usage: a flag or argument that cannot be used as
/// given. Input that is read but is wrong (invalid YAML, a bad field) is a
/// failure, [`EXIT_FAILURE`].
pub const EXIT_USAGE: u8 = 2;

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

#[derive(Subcommand)]
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
}

pub use huge_pages::no_huge_pages;

/// Runs the command line and returns the process exit status.
pub fn main() -> ExitCode {
    // Parsed in two steps so a command can tell a flag given from a default.
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let code = match cli.command {
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
    };
    ExitCode::from(code)
}

/// Prints an error the way every command does (`Error: …` on stderr) and
/// returns the failure status.
pub fn report(err: impl std::fmt::Display) -> u8 {
    // Credentials belong in config files, but a message may quote a URL that
    // someone wrote with `user:password@` in it.
    eprintln!(
        "Error: {}",
        chartfix::source::redact_userinfo(&err.to_string())
    );
    EXIT_FAILURE
}

/// Prints an error that is the caller's misuse (a bad flag value, an
/// argument naming nothing) and returns the usage status.
pub fn usage(err: impl std::fmt::Display) -> u8 {
    eprintln!("Error: {err}");
    EXIT_USAGE
}

/// Why a command stopped: misuse (status 2) or a failure (status 1), so a
/// helper shared by commands can say which without printing.
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    Error(String),
}

impl Failure {
    /// Prints the error and returns its exit status.
    pub fn exit(self) -> u8 {
        match self {
            Failure::Usage(m) => usage(m),
            Failure::Error(m) => report(m),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Usage(m) | Failure::Error(m) => f.write_str(m),
        }
    }
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
    use super::{parse_size, Cli};
    use clap::CommandFactory;

    /// Every command that talks to registries has the shared flags, with one
    /// default timeout and one help text each.
    #[test]
    fn network_flags_are_the_same_everywhere() {
        let cli = Cli::command();
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
                let reference = Cli::command()
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
            ["template", "fetch", "images", "check", "render", "snapshot", "verify", "diff"]
        );
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
