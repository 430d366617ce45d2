//! `chartfix post-render`: a Helm post-renderer. Manifests on stdin, the same
//! manifests rewritten by overlays on stdout; [`NO_RESOURCES`] when that is
//! nothing, since Helm 4 refuses an empty answer.

use super::{write_stdout, CliError, CmdResult, Outcome};
use chartfix::overlay::{self, Override};

#[derive(clap::Args)]
#[command(
    after_help = "Reads a manifest stream on stdin (as Helm's --post-renderer hands it) and \
writes it rewritten to stdout.\n\n\
Example:\n  chartfix template ./redis | chartfix post-render --overlay arm64 --explain"
)]
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

pub fn run(args: Args) -> CmdResult {
    let overrides = args
        .set_overlay
        .iter()
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::usage)?;
    let specs = overlay_specs(std::env::var("CHARTFIX_OVERLAYS").ok(), &args.overlays);
    let overlays = overlay::load_all(&specs, &overrides).map_err(CliError::failure)?;
    let stdin = chartfix::input::Capped::new(std::io::stdin().lock());
    let opts = overlay::Options {
        record: args.explain,
    };
    let (out, result) =
        overlay::apply_stream(stdin, &overlays, &opts).map_err(CliError::failure)?;
    for w in &result.warnings {
        stderrln!("Warning: {w}");
    }
    if args.explain {
        if result.changes.is_empty() {
            stderrln!("No changes.");
        } else {
            stderr!("{}", overlay::explain_table(&result.changes));
        }
    }
    write_stdout(non_empty(out))?;
    Ok(Outcome::Done)
}

/// What post-render prints when the result holds nothing: Helm 4 refuses a
/// post-renderer's empty output (`post-renderer "chartfix" produced empty
/// output`) but takes a stream of one comment, which declares no resources.
pub const NO_RESOURCES: &str = "# chartfix: no resources\n";

/// The output as it is, or [`NO_RESOURCES`] when it is empty or blank (a
/// chart that renders nothing).
fn non_empty(out: Vec<u8>) -> Vec<u8> {
    if out.iter().all(u8::is_ascii_whitespace) {
        NO_RESOURCES.as_bytes().to_vec()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{non_empty, overlay_specs, NO_RESOURCES};

    #[test]
    fn empty_results_become_a_comment() {
        for blank in ["", "\n", " \n\t\n"] {
            assert_eq!(non_empty(blank.into()), NO_RESOURCES.as_bytes());
        }
        assert_eq!(non_empty(b"# c\n".to_vec()), b"# c\n");
        assert_eq!(non_empty(b"a: 1\n".to_vec()), b"a: 1\n");
    }

    #[test]
    fn environment_overlays_come_first() {
        assert_eq!(
            overlay_specs(Some(" arm64, ./x.yaml ,".into()), &["no-traefik".into()]),
            ["arm64", "./x.yaml", "no-traefik"]
        );
        assert!(overlay_specs(None, &[]).is_empty());
    }
}
