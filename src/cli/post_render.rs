//! `chartfix post-render`: a Helm post-renderer. Manifests on stdin, the same
//! manifests rewritten by overlays on stdout.

use super::{report, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use chartfix::overlay::{self, Override};
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// Overlay to apply: a built-in (arm64, no-traefik, bitnami-legacy) or a
    /// file path. Repeat to apply several, in order. Overlays named in
    /// CHARTFIX_OVERLAYS (comma-separated) come first.
    #[arg(long = "overlay", value_name = "NAME|PATH")]
    pub overlays: Vec<String>,
    /// Override an overlay parameter, e.g. --set-overlay arm64.cpu=200m.
    #[arg(long = "set-overlay", value_name = "OVERLAY.PARAM=VALUE")]
    pub set_overlay: Vec<String>,
    /// Print every change (overlay, rule, resource, path, before, after) as a
    /// table on stderr.
    #[arg(long)]
    pub explain: bool,
}

/// The overlay references from `CHARTFIX_OVERLAYS` then the command line.
pub fn overlay_specs(from_env: Option<String>, from_args: &[String]) -> Vec<String> {
    let mut specs: Vec<String> = from_env
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    specs.extend(from_args.iter().cloned());
    specs
}

pub fn run(args: Args) -> u8 {
    let mut overrides = Vec::new();
    for s in &args.set_overlay {
        match Override::parse(s) {
            Ok(o) => overrides.push(o),
            Err(e) => {
                eprintln!("Error: {e}");
                return EXIT_USAGE;
            }
        }
    }
    let specs = overlay_specs(std::env::var("CHARTFIX_OVERLAYS").ok(), &args.overlays);
    let overlays = match overlay::load_all(&specs, &overrides) {
        Ok(o) => o,
        Err(e) => return report(e),
    };
    let stdin = chartfix::input::Capped::new(std::io::stdin().lock());
    let opts = overlay::Options {
        record: args.explain,
    };
    let (out, result) = match overlay::apply_stream(stdin, &overlays, &opts) {
        Ok(r) => r,
        Err(e) => return report(e),
    };
    for w in &result.warnings {
        eprintln!("Warning: {w}");
    }
    if args.explain {
        if result.changes.is_empty() {
            eprintln!("No changes.");
        } else {
            eprint!("{}", overlay::explain_table(&result.changes));
        }
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(&out).and_then(|_| stdout.flush()) {
        // A closed pipe is the reader's choice, not our failure to report loudly.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return report(format!("writing the manifests: {e}"));
        }
        return EXIT_FAILURE;
    }
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::overlay_specs;

    #[test]
    fn environment_overlays_come_first() {
        assert_eq!(
            overlay_specs(Some(" arm64, ./x.yaml ,".into()), &["no-traefik".into()]),
            ["arm64", "./x.yaml", "no-traefik"]
        );
        assert!(overlay_specs(None, &[]).is_empty());
    }
}
