//! `chartfix render STACK`: a whole stack's final manifests on stdout, a short
//! summary on stderr. Manifests are printed only once everything rendered;
//! check problems then make the exit status 1.

use super::flags::{NetworkArgs, UnusedValues};
use super::{write_stdout, CliError, CmdResult, Outcome};
use chartfix::check::kinds::{Target, DEFAULT_KUBE_MINOR};
use chartfix::check::platform::Platform;
use chartfix::check::stream::{check_stream, Findings, Images, StreamChecks};
use chartfix::stack::lock::LockTarget;
use chartfix::stack::{self, Rendered, StackOptions};
use std::path::PathBuf;

// The lock flags of the commands that resolve a stack (render, bundle).
#[derive(clap::Args)]
pub struct LockFlags {
    /// Fail when resolution differs from the lock (or there is none).
    #[arg(long, conflicts_with = "no_lock")]
    locked: bool,
    /// Read and write the lock at FILE (default: STACK.lock beside a stack
    /// file; a folder or built-in stack writes none unless given this).
    #[arg(long, value_name = "FILE", conflicts_with = "no_lock")]
    lock: Option<PathBuf>,
    /// Write no lock.
    #[arg(long)]
    no_lock: bool,
}

impl LockFlags {
    /// The lock policy after a render ([`stack::lock::settle`]); says on
    /// stderr what it wrote.
    pub fn settle(&self, rendered: &Rendered) -> Result<(), CliError> {
        let target = LockTarget::choose(&rendered.lock_target, self.lock.as_deref(), self.no_lock);
        if let Some(note) =
            stack::lock::settle(&rendered.lock, &target, self.locked).map_err(CliError::failure)?
        {
            stderrln!("{note}");
        }
        Ok(())
    }
}

// Flags every stack command shares (render, snapshot, verify).
#[derive(clap::Args, Clone)]
pub struct StackFlags {
    /// A stack file, a folder of manifests (a stack of one release), a name
    /// in ./stacks/, or a built-in stack (beta9).
    pub stack: String,
    /// Most one chart's templates may write together, intermediate `include`
    /// output counted: bytes or 200MiB, 2GiB.
    #[arg(long = "max-output", value_name = "SIZE", default_value = "100MiB", value_parser = super::parse_size)]
    pub max_output: usize,
    #[command(flatten)]
    pub net: NetworkArgs,
}

impl StackFlags {
    pub fn options(&self) -> StackOptions {
        self.net.stack_options(self.max_output)
    }
}

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chartfix render beta9 --offline > beta9.yaml")]
pub struct Args {
    /// Do not ask registries about images.
    #[arg(long)]
    skip_image_check: bool,
    /// Print every overlay change as a table on stderr.
    #[arg(long)]
    explain: bool,
    /// Print a unified diff of the manifests before and after overlays on stderr.
    #[arg(long)]
    diff: bool,
    /// User values no template reads (typos, keys at the wrong depth):
    /// named on stderr (`warn`), or also exit 1 (`error`, for CI).
    #[arg(
        long = "unused-values",
        value_name = "WHEN",
        value_enum,
        default_value = "warn"
    )]
    unused_values: UnusedValues,
    #[command(flatten)]
    lock: LockFlags,
    /// Write each release's manifests to DIR/RELEASE.yaml instead of stdout.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    // Last: the flags under their own help heading come last.
    #[command(flatten)]
    stack: StackFlags,
}

pub fn run(args: Args) -> CmdResult {
    let mut rendered = stack::render_stack(&args.stack.stack, &args.stack.options())?;
    args.lock.settle(&rendered)?;
    let checks = run_checks(&rendered, &args)?;
    for w in &checks.warnings {
        stderrln!("warning: {w}");
    }
    match &args.output_dir {
        Some(dir) => stack::output::write_dir(&rendered.text, dir).map_err(CliError::failure)?,
        None => write_stdout(&rendered.text)?,
    }
    if args.explain {
        if rendered.changes.is_empty() {
            stderrln!("No changes.");
        } else {
            stderr!("{}", chartfix::overlay::explain_table(&rendered.changes));
        }
        stderr!("{}", unused_section(&rendered));
    }
    if args.diff {
        stderr!(
            "{}",
            chartfix::diff::overlay_diff(&rendered.before_overlays, &rendered.text)
        );
    }
    stderr!("{}", stack::summary::summary(&rendered));
    let unused_fails = args.unused_values.report(&rendered.unused);
    stderr!("{}", checks.text);
    // The process exits next: the system takes the releases' trees back
    // faster than freeing them one by one would.
    for leftovers in std::mem::take(&mut rendered.leftovers) {
        leftovers.abandon();
    }
    Ok(Outcome::findings_if(checks.problems || unused_fails))
}

/// `--explain`'s account of the user values: each one nothing read, or
/// that every one was read.
fn unused_section(r: &Rendered) -> String {
    if r.unused.is_empty() {
        return "Values: every value the stack gives is read by its chart\n".into();
    }
    let mut text = format!(
        "Values never read ({}):\n",
        chartfix::words::plural(r.unused.len(), "value")
    );
    for f in &r.unused {
        text.push_str(&format!("  {:<16} {}\n", f.release, f.text()));
    }
    text
}

/// Kinds always (no network needed); images unless offline or skipped.
fn run_checks(r: &Rendered, args: &Args) -> Result<Findings, CliError> {
    let net = &args.stack.net;
    let images = if net.offline {
        Images::Skip("--offline".into())
    } else if r.from_bundle {
        Images::Skip("a bundle renders with no network; `chartfix images BUNDLE` checks them where registries are reachable".into())
    } else if args.skip_image_check {
        Images::Skip("--skip-image-check".into())
    } else {
        let platforms = r
            .platform
            .iter()
            .map(|p| Platform::parse(p))
            .collect::<Result<_, _>>()
            .map_err(CliError::failure)?;
        // Through the registries.yaml the charts came through (the stack's
        // own `mirrors.registryConfig` when the command line names none).
        Images::Check(chartfix::check::images::ImageCheckOptions {
            registry_config: r.registry_config.clone(),
            ..net.image_options(platforms)
        })
    };
    let options = StreamChecks {
        target: Target {
            kube_minor: DEFAULT_KUBE_MINOR,
            api_versions: Vec::new(),
            k3s: true,
        },
        images,
    };
    Ok(check_stream("the rendered stack", &r.text, &options)?)
}
