//! `chartfix check`: images, fit on a node, and kinds the cluster lacks.

use super::images::{check_documents, read_input, style, ImageFlags, Output};
use super::{usage, EXIT_FAILURE, EXIT_OK};
use chartfix::check::fit::{check_fit, Node};
use chartfix::check::kinds::{check_kinds, parse_kube_version, Target, DEFAULT_KUBE_MINOR};
use chartfix::check::output::{fit_text, images_table, kinds_text};

#[derive(clap::Args)]
pub struct Args {
    /// A manifest file, or `-` for stdin.
    input: String,
    /// The node's allocatable resources: cpu=4,memory=24Gi[,pods=110].
    #[arg(long, value_name = "cpu=N,memory=Q[,pods=N]")]
    node: Option<String>,
    /// An API the cluster serves beyond the built-in ones (repeatable):
    /// GROUP/VERSION, or GROUP/VERSION/KIND.
    #[arg(long = "api-versions", value_name = "GROUP/VERSION")]
    api_versions: Vec<String>,
    /// The cluster's Kubernetes version (default 1.33).
    #[arg(long, value_name = "VERSION")]
    kube_version: Option<String>,
    /// Do not count k3s's own APIs (helm.cattle.io, k3s.cattle.io) as served.
    #[arg(long)]
    no_k3s: bool,
    /// Skip asking registries about images.
    #[arg(long)]
    skip_image_check: bool,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    output: Output,
    // Last: the flags under their own help heading come last.
    #[command(flatten)]
    flags: ImageFlags,
}

pub fn run(args: Args) -> u8 {
    let node = match args.node.as_deref().map(Node::parse).transpose() {
        Ok(n) => n,
        Err(e) => return usage(e),
    };
    let kube_minor = match args
        .kube_version
        .as_deref()
        .map(parse_kube_version)
        .transpose()
    {
        Ok(m) => m.unwrap_or(DEFAULT_KUBE_MINOR),
        Err(e) => return usage(e),
    };
    if let Err(e) = args.flags.platforms() {
        return usage(e);
    }
    let docs = match read_input(&args.input, &args.flags) {
        Ok(d) => d,
        Err(e) => return e.exit(),
    };
    let images = if args.skip_image_check {
        None
    } else {
        match check_documents(&docs, &args.flags) {
            Ok(r) => Some(r),
            Err(e) => return e.exit(),
        }
    };
    let fit = node.map(|n| check_fit(&docs, n));
    let target = Target {
        kube_minor,
        api_versions: args.api_versions,
        k3s: !args.no_k3s,
    };
    let missing = check_kinds(&docs, &target);
    let failed = images.as_ref().is_some_and(|i| i.summary.problems > 0)
        || fit.as_ref().is_some_and(|f| !f.fits)
        || !missing.is_empty();

    match args.output {
        Output::Json => {
            let value = serde_json::json!({
                "images": images,
                "fit": fit,
                "kinds": { "kubeVersion": format!("1.{kube_minor}"), "missing": missing },
                "ok": !failed,
            });
            match serde_json::to_string_pretty(&value) {
                Ok(s) => println!("{s}"),
                Err(e) => return super::report(e),
            }
        }
        Output::Table => {
            let st = style();
            match &images {
                Some(r) => print!("{}", images_table(r, st)),
                None => println!("Images: not checked (--skip-image-check)"),
            }
            match &fit {
                Some(f) => print!("{}", fit_text(f, st)),
                None => println!("Fit: not checked (give --node cpu=N,memory=Q)"),
            }
            let label = format!(
                "Kubernetes 1.{kube_minor}{}",
                if target.k3s { " (k3s)" } else { "" }
            );
            print!("{}", kinds_text(&missing, &label, st));
        }
    }
    if failed {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}
