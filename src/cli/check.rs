//! `chartfix check`: images, fit on a node, and kinds the cluster lacks.

use super::images::{check_documents, read_input, style, ImageFlags, Output, ReportFormat};
use super::{write_report, CliError, CmdResult, Outcome};
use chartfix::check::fit::{check_fit, Node};
use chartfix::check::kinds::{check_kinds, parse_kube_version, Target, DEFAULT_KUBE_MINOR};
use chartfix::check::output::{fit_text, images_table, kinds_text, unused_values_text};

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  chartfix template my-redis ./redis | chartfix check - --node cpu=4,memory=24Gi --platform linux/arm64"
)]
pub struct Args {
    /// What to check: a manifest file, `-` for stdin, a chart (a folder
    /// with Chart.yaml or a .tgz), or a stack (a stack file, a folder of
    /// manifests, a name in ./stacks/, or a built-in stack: beta9).
    input: String,
    /// The node's allocatable resources: cpu=4,memory=24Gi[,pods=110].
    #[arg(long, value_name = "cpu=N,memory=Q[,pods=N]")]
    node: Option<String>,
    /// The cluster: --kube-version, --api-versions.
    #[command(flatten)]
    cluster: super::flags::ClusterArgs,
    /// Do not count k3s's own APIs (helm.cattle.io, k3s.cattle.io) as served.
    #[arg(long)]
    no_k3s: bool,
    /// Skip asking registries about images.
    #[arg(long)]
    skip_image_check: bool,
    #[command(flatten)]
    report: ReportFormat,
    // Last: the flags under their own help heading come last.
    #[command(flatten)]
    flags: ImageFlags,
}

pub fn run(args: Args) -> CmdResult {
    let node = args
        .node
        .as_deref()
        .map(Node::parse)
        .transpose()
        .map_err(CliError::usage)?;
    let kube_minor = args
        .cluster
        .kube_version
        .as_deref()
        .map(parse_kube_version)
        .transpose()
        .map_err(CliError::usage)?
        .unwrap_or(DEFAULT_KUBE_MINOR);
    let mut options = args.flags.options()?;
    let input = read_input(&args.input, &args.flags)?;
    input.use_registry_config(&mut options);
    let docs = input.docs;
    let unused = input.unused;
    let images = if args.skip_image_check {
        None
    } else {
        Some(check_documents(&docs, &options)?)
    };
    let fit = node.map(|n| check_fit(&docs, n));
    let target = Target {
        kube_minor,
        api_versions: args.cluster.api_versions,
        k3s: !args.no_k3s,
    };
    let missing = check_kinds(&docs, &target);
    let failed = images.as_ref().is_some_and(|i| i.summary.problems > 0)
        || fit.as_ref().is_some_and(|f| !f.fits)
        || !missing.is_empty()
        || !unused.is_empty();

    let text = match args.report.format {
        Output::Json => {
            let value = serde_json::json!({
                "images": images,
                "fit": fit,
                "kinds": { "kubeVersion": format!("1.{kube_minor}"), "missing": missing },
                "values": { "unused": unused },
                "ok": !failed,
            });
            serde_json::to_string_pretty(&value).map_err(CliError::failure)? + "\n"
        }
        Output::Table => {
            let st = style();
            let mut text = match &images {
                Some(r) => images_table(r, st),
                None => "Images: not checked (--skip-image-check)\n".to_string(),
            };
            match &fit {
                Some(f) => text.push_str(&fit_text(f, st)),
                None => text.push_str("Fit: not checked (give --node cpu=N,memory=Q)\n"),
            }
            let label = format!(
                "Kubernetes 1.{kube_minor}{}",
                if target.k3s { " (k3s)" } else { "" }
            );
            text.push_str(&kinds_text(&missing, &label, st));
            text.push_str(&unused_values_text(&unused, st));
            text
        }
    };
    write_report(&text)?;
    Ok(Outcome::findings_if(failed))
}
