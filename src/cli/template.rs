//! `chartfix template [NAME] CHART [flags]`: `helm template` with Helm 4's
//! flags and defaults. Nothing reaches stdout unless rendering succeeded.

use super::flags::UnusedValues;
use super::{write_stdout, CliError, CmdResult, Outcome};
use chartfix::release::{
    self, valid_release_name, ChartSource, ReleaseError, Request, Sources, Warning,
};
use chartfix::render::capabilities::KubeVersion;
use chartfix::render::output::{stream, write_dir, OutputOptions};
use chartfix::render::RenderOptions;
use chartfix::values::unused::Finding;
use chartfix::values::user::{user_values_traced, ValueOptions};
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "CHART is a chart folder, a .tgz archive, oci://HOST/PATH/NAME, \
REPO/NAME (a repository in Helm's repositories.yaml), a NAME with --repo URL, \
or an https:// URL of an archive.\n\n\
Example:\n  chartfix template my-redis oci://registry-1.docker.io/bitnamicharts/redis --version 18.6.1"
)]
pub struct Args {
    /// Release name (default `release-name`) and chart: a folder, a .tgz,
    /// oci://HOST/PATH/NAME, REPO/NAME, NAME with --repo, or an archive URL.
    #[arg(value_name = "[NAME] CHART", num_args = 1..=2, required = true)]
    args: Vec<String>,
    /// Accepted as Helm accepts it: `helm template` names the release
    /// `release-name` anyway, and refuses the flag with a NAME.
    #[arg(short = 'g', long = "generate-name")]
    generate_name: bool,
    /// Name the release with this Go template (Sprig functions, no data),
    /// e.g. '{{ randAlpha 6 | lower }}'; refused with a NAME, as in Helm.
    #[arg(long = "name-template", value_name = "TEMPLATE")]
    name_template: Option<String>,
    /// Fetch the dependencies Chart.yaml declares and charts/ lacks; chartfix
    /// always does, so this changes nothing (accepted for Helm's users).
    #[arg(long = "dependency-update")]
    dependency_update: bool,
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
    /// The cluster: --kube-version, --api-versions.
    #[command(flatten)]
    cluster: super::flags::ClusterArgs,
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
    /// With --output-dir, write under a folder named after the release (to
    /// name the release, give NAME or --name-template).
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
    /// Most the templates may write together, intermediate `include` output
    /// counted: bytes or 200MiB, 2GiB.
    #[arg(long = "max-output", value_name = "SIZE", default_value = "100MiB", value_parser = super::parse_size)]
    max_output: usize,
    /// Report user values no template reads (typos, keys at the wrong
    /// depth) on stderr; `error` also exits 1.
    #[arg(
        long = "unused-values",
        value_name = "WHEN",
        value_enum,
        default_value = "off"
    )]
    unused_values: super::flags::UnusedValues,
    /// Where the chart comes from: --version, --repo, --devel.
    #[command(flatten)]
    source: super::flags::SourceArgs,
    /// Registries, repositories, the cache.
    #[command(flatten)]
    net: super::flags::NetworkArgs,
}

pub fn run(args: Args) -> CmdResult {
    let (name, chart_path) = name_and_chart(&args)?;
    // Helm checks the name first; the pipeline checks it again for callers
    // that come to it directly.
    if !valid_release_name(&name) {
        return Err(ReleaseError::InvalidName(name).into());
    }
    let kube_version = match args.cluster.kube_version.as_deref().map(KubeVersion::parse) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => return Err(CliError::failure(e)),
    };
    let value_opts = ValueOptions {
        files: args.values.clone(),
        json: args.set_json.clone(),
        set: args.set.clone(),
        strings: args.set_string.clone(),
        file_values: args.set_file.clone(),
        literals: args.set_literal.clone(),
    };
    let (user, inputs) = match user_values_traced(&value_opts) {
        Ok(v) => v,
        Err(e) => return Err(CliError::failure(e)),
    };
    if !args.overlays.is_empty() && args.output_dir.is_some() {
        return Err(CliError::usage(
            "--overlay rewrites the manifest stream; it cannot be combined with --output-dir",
        ));
    }
    // A folder or archive on disk is loaded where it is, so its errors are the
    // chart loader's (Helm's wording); anything else goes through the sources.
    let local = std::path::Path::new(&chart_path);
    let source = if local.exists() && args.source.repo.is_none() {
        ChartSource::Path(local.to_path_buf())
    } else {
        ChartSource::Reference(chart_path.clone())
    };
    let source_options = args.net.source_options(&args.source);
    let request = Request {
        source,
        version: source_options.version.clone(),
        values: user,
        options: RenderOptions {
            release_name: name.clone(),
            namespace: args.namespace.clone(),
            is_upgrade: args.is_upgrade,
            kube_version,
            api_versions: args.cluster.api_versions.clone(),
            skip_schema_validation: args.skip_schema_validation,
            max_output_bytes: args.max_output,
            track_reads: args.unused_values != UnusedValues::Off,
            shared_parses: None,
        },
    };
    // Warnings are printed as they come, so those given before a failure
    // precede its error, as in Helm.
    let mut print_warning = |w: Warning| match w {
        Warning::Source(t) => stderrln!("Warning: {t}"),
        Warning::Render(t) => stderrln!("{t}"),
    };
    let release = release::render(request, &Sources::lazy(&source_options), &mut print_warning)?;
    let unused: Vec<Finding> = release
        .unused
        .iter()
        .map(|u| Finding::new(&name, u, &inputs))
        .collect();
    let mut rendered = release.rendered;
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
        Err(e) => return Err(CliError::failure(e)),
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
                    stderrln!("Warning: {w}");
                }
                if args.explain {
                    stderr!("{}", chartfix::overlay::explain_table(&summary.changes));
                }
                text = rewritten;
            }
            Err(e) => return Err(CliError::failure(e)),
        }
    }
    write_stdout(text)?;
    // The process exits next: the system takes the trees back faster than
    // freeing them one by one would.
    std::mem::take(&mut rendered.leftovers).abandon();
    Ok(Outcome::findings_if(args.unused_values.report(&unused)))
}

/// The release name and the chart, as Helm's `template` decides them
/// (`Install.NameAndChart` with the name preset to `release-name`): a NAME
/// given refuses --generate-name and --name-template; else --name-template
/// names it; else `release-name`, with or without --generate-name.
fn name_and_chart(args: &Args) -> Result<(String, String), CliError> {
    match args.args.as_slice() {
        [name, chart] => {
            if args.generate_name {
                return Err(CliError::usage(
                    "cannot set --generate-name and also specify a name",
                ));
            }
            if args.name_template.is_some() {
                return Err(CliError::usage(
                    "cannot set --name-template and also specify a name",
                ));
            }
            Ok((name.clone(), chart.clone()))
        }
        [chart] => match &args.name_template {
            Some(t) => Ok((template_name(t)?, chart.clone())),
            None => Ok(("release-name".to_string(), chart.clone())),
        },
        _ => Err(CliError::usage("\"chartfix template\" requires at most 2 arguments\n\nUsage:  chartfix template [NAME] CHART [flags]")),
    }
}

/// Helm's `TemplateName`: the template run with no data. Its own errors are
/// the user's flag value, so misuse.
fn template_name(template: &str) -> Result<String, CliError> {
    let mut engine = chartfix::engine::Engine::new();
    engine
        .add("name-template", template)
        .and_then(|()| engine.render("name-template", &chartfix::value::Value::Nil))
        .map_err(|e| CliError::usage(format!("--name-template: {e}")))
}
