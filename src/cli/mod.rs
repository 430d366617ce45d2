//! The command line: clap definitions, dispatch and exit codes, nothing else.
//!
//! Exit status: 0 success, 1 a finding or a failure, 2 bad usage. A command writes
//! to stdout only once it has succeeded, so an error never leaves partial output.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod check;
mod diff;
mod fetch;
mod images;
mod post_render;
mod render;
mod snapshot;
mod template;

/// Exit status of a successful run.
pub const EXIT_OK: u8 = 0;
/// Exit status when a check found a problem or an operation failed.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status for bad usage or unreadable input.
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

/// Runs the command line and returns the process exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
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
        Command::Diff(args) => diff::run(args),
    };
    ExitCode::from(code)
}

/// Prints an error the way every command does (`Error: …` on stderr) and
/// returns the failure status.
pub fn report(err: impl std::fmt::Display) -> u8 {
    eprintln!("Error: {err}");
    EXIT_FAILURE
}
