//! Overlays: declarative rules that rewrite rendered manifests, each change
//! recorded with its provenance.

pub mod apply;
pub mod de;
pub mod glob;
pub mod load;
pub mod ops;
pub mod params;
pub mod pieces;
pub mod pointer;
pub mod provenance;
pub mod rule;
pub mod select;

pub use apply::{apply_str, apply_stream, ApplyError, Options, Report};
pub use load::{load_all, Overlay, Override, BUILTINS};
pub use provenance::{explain_table, Change};

/// Everything `chartfix template --overlay` needs in one call: loads the
/// overlays (built-in names or paths, in order) with `OVERLAY.PARAM=VALUE`
/// overrides, and applies them to the rendered stream. Errors are ready to
/// print (they name the overlay file and position, or the document).
pub fn apply_overlays(
    rendered: &str,
    specs: &[String],
    overrides: &[String],
    record: bool,
) -> Result<(String, Report), String> {
    let overrides = overrides
        .iter()
        .map(|o| Override::parse(o))
        .collect::<Result<Vec<_>, _>>()?;
    let overlays = load_all(specs, &overrides).map_err(|e| e.to_string())?;
    apply_str(rendered, &overlays, &Options { record }).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn apply_overlays_in_one_call() {
        let input = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: bitnami/x:1}\n";
        let (out, report) = super::apply_overlays(
            input,
            &["bitnami-legacy".into()],
            &["bitnami-legacy.to=docker.io/mirror/".into()],
            true,
        )
        .unwrap();
        assert!(out.contains("image: mirror/x:1"), "{out}");
        assert_eq!(report.changes.len(), 1);
        assert!(super::apply_overlays(input, &["arm64".into()], &["bad".into()], false).is_err());
    }
}
