//! The checks run on a finished stream of manifests (what `chartfix render`
//! does after rendering a stack): kinds always, since they need no network;
//! images unless the caller skips them. The answer is a few lines for stderr
//! and whether any of them is a problem.
//!
//! ```text
//! text ─▶ workloads::parse_stream ─┬▶ kinds::check_kinds ──────────┬▶ Findings
//!                                  └▶ images::check_documents ─────┘
//! ```

use super::images::{check_documents, CheckError, ImageCheckOptions};
use super::kinds::{check_kinds, Target};
use super::output::{images_table, kinds_text, Style};
use super::workloads::parse_stream;

/// Whether to ask registries about the stream's images.
#[derive(Clone, Debug)]
pub enum Images {
    Check(ImageCheckOptions),
    /// Not checked; the reason is shown (`Images: not checked (REASON)`).
    Skip(String),
}

/// What to check a stream against.
#[derive(Clone, Debug)]
pub struct StreamChecks {
    /// The cluster whose kinds must serve every document.
    pub target: Target,
    pub images: Images,
}

/// The checks' account: plain text, one line per check when all is well, a
/// table of what is wrong otherwise.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    pub text: String,
    /// Whether any check found a problem.
    pub problems: bool,
    /// Warnings met on the way (credential helpers), for the caller to show.
    pub warnings: Vec<String>,
}

/// Checks the manifests in `text`; `name` names the stream in errors (`the
/// rendered stack`).
pub fn check_stream(
    name: &str,
    text: &str,
    options: &StreamChecks,
) -> Result<Findings, CheckError> {
    let docs = parse_stream(text).map_err(|e| CheckError::Failed(format!("{name}: {e}")))?;
    let target = &options.target;
    let label = format!(
        "Kubernetes 1.{}{}",
        target.kube_minor,
        if target.k3s { " (k3s)" } else { "" }
    );
    let missing = check_kinds(&docs, target);
    let mut out = Findings::default();
    if missing.is_empty() {
        out.text
            .push_str(&format!("Kinds: every kind is served by {label}\n"));
    } else {
        out.problems = true;
        out.text
            .push_str(&kinds_text(&missing, &label, Style { color: false }));
    }
    match &options.images {
        Images::Skip(reason) => {
            out.text
                .push_str(&format!("Images: not checked ({reason})\n"));
        }
        Images::Check(image_options) => {
            let checked = check_documents(&docs, image_options)?;
            out.warnings = checked.warnings;
            let result = checked.result;
            if result.summary.problems > 0 {
                out.problems = true;
                out.text
                    .push_str(&images_table(&result, Style { color: false }));
            } else {
                out.text.push_str(&format!(
                    "Images: {} checked, no problems\n",
                    crate::words::plural(result.images.len(), "image")
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::kinds::DEFAULT_KUBE_MINOR;

    fn options(k3s: bool) -> StreamChecks {
        StreamChecks {
            target: Target {
                kube_minor: DEFAULT_KUBE_MINOR,
                api_versions: Vec::new(),
                k3s,
            },
            images: Images::Skip("--offline".into()),
        }
    }

    #[test]
    fn kinds_without_the_network() {
        let ok = "---\n# Source: a/b.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
        let f = check_stream("the rendered stack", ok, &options(true)).unwrap();
        assert!(!f.problems);
        assert_eq!(
            f.text,
            "Kinds: every kind is served by Kubernetes 1.33 (k3s)\nImages: not checked (--offline)\n"
        );
        let chart = "apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: x}\n";
        assert!(!check_stream("s", chart, &options(true)).unwrap().problems);
        let f = check_stream("s", chart, &options(false)).unwrap();
        assert!(f.problems, "{}", f.text);
        let err = check_stream("the rendered stack", "a: [\n", &options(true)).unwrap_err();
        assert!(
            matches!(&err, CheckError::Failed(m) if m.starts_with("the rendered stack: ")),
            "{err:?}"
        );
    }
}
