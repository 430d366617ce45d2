//! `chartfix template [NAME] CHART [flags]`: `helm template` with Helm 4's
//! flags and defaults. Nothing reaches stdout unless rendering succeeded.

use super::{report, EXIT_OK, EXIT_USAGE};
use chartfix::render::capabilities::KubeVersion;
use chartfix::render::output::{stream, write_dir, OutputOptions};
use chartfix::render::{render_warning, RenderOptions};
use chartfix::values::user::{user_values, ValueOptions};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Release name (default `release-name`) and chart (a folder or a .tgz).
    #[arg(value_name = "[NAME] CHART", num_args = 1..=2, required = true)]
    args: Vec<String>,
    /// Values files, later ones win; `-` reads stdin.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    values: Vec<String>,
    /// Set values (`a.b=v,c[0]=w`).
    #[arg(long = "set", value_name = "KEY=VAL")]
    set: Vec<String>,
    /// Set string values.
    #[arg(long = "set-string", value_name = "KEY=VAL")]
    set_string: Vec<String>,
    /// Set JSON values.
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    set_json: Vec<String>,
    /// Set values from files (`key=path`).
    #[arg(long = "set-file", value_name = "KEY=PATH")]
    set_file: Vec<String>,
    /// Set literal string values (no escaping, commas allowed).
    #[arg(long = "set-literal", value_name = "KEY=VAL")]
    set_literal: Vec<String>,
    /// Namespace of the release.
    #[arg(
        short = 'n',
        long = "namespace",
        env = "HELM_NAMESPACE",
        default_value = "default"
    )]
    namespace: String,
    /// Kubernetes version for `.Capabilities.KubeVersion`.
    #[arg(long = "kube-version")]
    kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (repeatable, comma-separated).
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    api_versions: Vec<String>,
    /// Print the CRDs of `crds/` folders first.
    #[arg(long = "include-crds")]
    include_crds: bool,
    /// Leave out test hooks.
    #[arg(long = "skip-tests")]
    skip_tests: bool,
    /// Leave out all hooks.
    #[arg(long = "no-hooks")]
    no_hooks: bool,
    /// Only print documents of templates matching these paths (repeatable, comma-separated).
    #[arg(short = 's', long = "show-only", value_delimiter = ',')]
    show_only: Vec<String>,
    /// Write each template to a file under this folder instead of stdout.
    #[arg(long = "output-dir")]
    output_dir: Option<PathBuf>,
    /// With --output-dir, write under a folder named after the release.
    #[arg(long = "release-name")]
    release_name: bool,
    /// Render as an upgrade (`.Release.IsUpgrade`).
    #[arg(long = "is-upgrade")]
    is_upgrade: bool,
    /// Do not check values against values.schema.json.
    #[arg(long = "skip-schema-validation")]
    skip_schema_validation: bool,
    /// Accepted for compatibility with helm; CRDs are only printed with --include-crds.
    #[arg(long = "skip-crds", hide = true)]
    skip_crds: bool,
    /// Rewrite the rendered manifests with an overlay: a built-in name or a file (repeatable).
    #[arg(long = "overlay", value_name = "NAME|PATH")]
    overlays: Vec<String>,
    /// Override an overlay parameter: OVERLAY.PARAM=VALUE (repeatable).
    #[arg(long = "set-overlay", value_name = "OVERLAY.PARAM=VALUE")]
    set_overlay: Vec<String>,
    /// Print every change the overlays made as a table on stderr.
    #[arg(long)]
    explain: bool,
    /// No progress output for downloads.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Most the templates may write together, intermediate `include` output
    /// counted: bytes or 200MiB, 2GiB.
    #[arg(long = "max-output", value_name = "SIZE", default_value = "100MiB", value_parser = super::parse_size)]
    max_output: usize,
    /// Where the chart comes from: --version, --repo, registries, the cache.
    #[command(flatten)]
    source: super::fetch::SourceArgs,
}

/// Where Helm stops with "missing in charts/ directory", fetches the
/// dependencies Chart.yaml declares (pinned by Chart.lock when present) through
/// the same sources and cache, and adds them as subcharts.
fn fetch_missing_dependencies(
    chart: &mut chartfix::chart::Chart,
    chart_file: &std::path::Path,
    args: &Args,
) -> Result<(), String> {
    let missing = chart
        .metadata
        .dependencies
        .iter()
        .any(|d| !chart.dependencies.iter().any(|c| c.name() == d.name));
    if !missing {
        return Ok(());
    }
    let resolver = chartfix::source::Resolver::new(&args.source.options(args.quiet))
        .map_err(|e| e.to_string())?;
    let fetched = resolver
        .resolve_dependencies(chart_file)
        .map_err(|e| e.to_string())?;
    for dep in fetched {
        for w in &dep.chart.warnings {
            eprintln!("Warning: {w}");
        }
        let sub = chartfix::chart::load(&dep.chart.path)
            .map_err(|e| format!("dependency {}: {e}", dep.name))?;
        chart.dependencies.push(sub);
    }
    Ok(())
}

/// Helm's release name rule: at most 53 characters of DNS-1123 labels joined
/// by dots (Helm's `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`),
/// checked by hand because compiling that regex costs more than the render of a
/// small chart.
fn valid_release_name(name: &str) -> bool {
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        b.first().is_some_and(alnum)
            && b.last().is_some_and(alnum)
            && b.iter().all(|c| alnum(c) || *c == b'-')
    };
    name.len() <= 53 && name.split('.').all(label_ok)
}

pub fn run(args: Args) -> u8 {
    let (name, chart_path) = match args.args.as_slice() {
        [chart] => ("release-name".to_string(), chart.clone()),
        [name, chart] => (name.clone(), chart.clone()),
        _ => {
            eprintln!("Error: \"chartfix template\" requires at most 2 arguments\n\nUsage:  chartfix template [NAME] CHART [flags]");
            return EXIT_USAGE;
        }
    };
    if !valid_release_name(&name) {
        return report(format!(
            "release name {name:?}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"
        ));
    }
    let kube_version = match args.kube_version.as_deref().map(KubeVersion::parse) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => return report(e),
    };
    let value_opts = ValueOptions {
        files: args.values.clone(),
        json: args.set_json.clone(),
        set: args.set.clone(),
        strings: args.set_string.clone(),
        file_values: args.set_file.clone(),
        literals: args.set_literal.clone(),
    };
    let user = match user_values(&value_opts) {
        Ok(v) => v,
        Err(e) => return report(e),
    };
    if !args.overlays.is_empty() && args.output_dir.is_some() {
        eprintln!("Error: --overlay rewrites the manifest stream; it cannot be combined with --output-dir");
        return EXIT_USAGE;
    }
    // A folder or archive on disk is loaded where it is, so its errors are the
    // chart loader's (Helm's wording); anything else goes through the sources.
    let local = std::path::Path::new(&chart_path);
    let chart_file = if local.exists() && args.source.repo.is_none() {
        local.to_path_buf()
    } else {
        match chartfix::source::resolve(&chart_path, &args.source.options(args.quiet)) {
            Ok(resolved) => {
                for w in &resolved.warnings {
                    eprintln!("Warning: {w}");
                }
                resolved.path
            }
            Err(e) => {
                let usage = matches!(e.kind, chartfix::source::SourceErrorKind::Usage);
                let code = report(e);
                return if usage { EXIT_USAGE } else { code };
            }
        }
    };
    // A big chart's templates start parsing on a spare core as the archive
    // yields them.
    let size = std::fs::metadata(&chart_file).map_or(0, |m| m.len());
    let early = chartfix::render::early::EarlyParse::start(size);
    let loaded = chartfix::chart::loader::load_observed(&chart_file, &mut |name, data| {
        early.offer(name, data)
    });
    early.close();
    let mut chart = match loaded {
        Ok(c) => c,
        Err(e) => return report(e),
    };
    if let Err(e) = fetch_missing_dependencies(&mut chart, &chart_file, &args) {
        return report(e);
    }
    let opts = RenderOptions {
        release_name: name.clone(),
        namespace: args.namespace.clone(),
        is_upgrade: args.is_upgrade,
        kube_version,
        api_versions: args.api_versions.clone(),
        skip_schema_validation: args.skip_schema_validation,
        max_output_bytes: args.max_output,
    };
    let mut warnings = Vec::new();
    let user = chartfix::value::Value::map(user);
    let rendered = match render_warning(chart, user, &opts, early, &mut warnings) {
        Ok(r) => r,
        Err(e) => {
            for w in &warnings {
                eprintln!("{w}");
            }
            return report(e);
        }
    };
    for w in &rendered.warnings {
        eprintln!("{w}");
    }
    let out_opts = OutputOptions {
        include_crds: args.include_crds,
        no_hooks: args.no_hooks,
        skip_tests: args.skip_tests,
        show_only: args.show_only.clone(),
        output_dir: args.output_dir.clone(),
        release_dir: args.release_name.then(|| name.clone()),
    };
    let text = match &args.output_dir {
        Some(dir) => write_dir(&rendered, &out_opts, dir),
        None => stream(&rendered, &out_opts),
    };
    let mut text = match text {
        Ok(t) => t,
        Err(e) => return report(e),
    };
    if !args.overlays.is_empty() {
        match chartfix::overlay::apply_overlays(
            &text,
            &args.overlays,
            &args.set_overlay,
            args.explain,
        ) {
            Ok((rewritten, summary)) => {
                for w in &summary.warnings {
                    eprintln!("Warning: {w}");
                }
                if args.explain {
                    eprint!("{}", chartfix::overlay::explain_table(&summary.changes));
                }
                text = rewritten;
            }
            Err(e) => return report(e),
        }
    }
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    if lock
        .write_all(text.as_bytes())
        .and_then(|_| lock.flush())
        .is_err()
    {
        return super::EXIT_FAILURE;
    }
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::valid_release_name;

    #[test]
    fn release_names_follow_helms_rule() {
        for ok in ["a", "my-release", "r1.b2", "0", "a-b.c-d", &"a".repeat(53)] {
            assert!(valid_release_name(ok), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a..b",
            ".a",
            "a.",
            "a_b",
            "a.-b",
            "é",
            &"a".repeat(54),
        ] {
            assert!(!valid_release_name(bad), "{bad}");
        }
    }
}
