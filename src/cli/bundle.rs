//! `chartfix bundle STACK -o FILE`: the stack, its lock and every chart
//! archive the lock names in one file, for a machine without a network,
//! where `chartfix render FILE` renders it. The work is
//! `chartfix::stack::bundle`'s; this is flags and printing.

use super::render::{LockFlags, StackFlags};
use super::{CliError, CmdResult, Outcome};
use chartfix::check::layout;
use chartfix::check::platform::Platform;
use chartfix::check::workloads::parse_stream;
use chartfix::registry::cache_dir;
use chartfix::source::cache::Cache;
use chartfix::stack::{self, bundle};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chartfix bundle beta9 -o beta9.bundle\n  \
    chartfix render beta9.bundle > beta9.yaml    # where there is no network")]
pub struct Args {
    /// Write the bundle to FILE.
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    output: PathBuf,
    /// Also write the images the stack runs, for its platform, as an OCI
    /// image layout archive at FILE (k3s imports it from
    /// /var/lib/rancher/k3s/agent/images/).
    #[arg(long, value_name = "FILE")]
    images: Option<PathBuf>,
    #[command(flatten)]
    lock: LockFlags,
    // Last: the flags under their own help heading come last.
    #[command(flatten)]
    stack: StackFlags,
}

pub fn run(args: Args) -> CmdResult {
    let spec = &args.stack.stack;
    if bundle::is_bundle(Path::new(spec)) {
        return Err(CliError::usage(format!(
            "{spec} is a bundle already; render it with `chartfix render {spec}`"
        )));
    }
    let options = args.stack.options();
    let located = stack::locate::locate(spec).map_err(CliError::failure)?;
    let rendered = stack::render_located(&located, &options)?;
    args.lock.settle(&rendered)?;
    let cache = Cache::new(&cache_dir::resolve(options.cache_dir.as_deref()));
    let written =
        bundle::write(&located, &rendered.lock, &cache, &args.output).map_err(CliError::failure)?;
    stderrln!(
        "wrote {}: stack {}, {} chart archive{}, {} file{} ({})",
        args.output.display(),
        written.stack,
        written.charts,
        if written.charts == 1 { "" } else { "s" },
        written.files,
        if written.files == 1 { "" } else { "s" },
        human_bytes(written.bytes)
    );
    if let Some(images) = &args.images {
        write_images(&rendered, &args.stack, images)?;
    }
    Ok(Outcome::Done)
}

/// `--images FILE`: every image the stack runs, for its `platform:`.
fn write_images(rendered: &stack::Rendered, flags: &StackFlags, out: &Path) -> CmdResult {
    let platform = rendered.platform.as_deref().ok_or_else(|| {
        CliError::failure(format!(
            "--images: stack {} names no platform to pull images for; add `platform: linux/arm64` (or the servers' OS/ARCH) to it",
            rendered.name
        ))
    })?;
    let platform = Platform::parse(platform).map_err(CliError::failure)?;
    if flags.net.offline {
        return Err(CliError::usage(
            "--images pulls images from their registries, which --offline forbids",
        ));
    }
    let docs = parse_stream(&rendered.text).map_err(CliError::failure)?;
    let options = chartfix::check::images::ImageCheckOptions {
        registry_config: rendered.registry_config.clone(),
        ..flags.net.image_options(vec![platform.clone()])
    };
    let written = layout::write(&docs, &platform, &options, out).map_err(CliError::failure)?;
    for w in &written.warnings {
        stderrln!("warning: {w}");
    }
    stderrln!(
        "wrote {}: {} image{} for {platform} ({})",
        out.display(),
        written.images.len(),
        if written.images.len() == 1 { "" } else { "s" },
        human_bytes(written.bytes)
    );
    Ok(Outcome::Done)
}

/// `1.2 MiB`, `800 KiB`, `12 B`.
pub fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    }
}
