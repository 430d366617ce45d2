//! What overlays changed in a stream: the unified diff of the stream before
//! and after them (`chartfix render --diff`), Secret values hidden.

use crate::manifest::mask::mask_pair;
use crate::manifest::ResourceId;
use std::collections::HashMap;

/// The unified diff of the stream before and after overlays. Both sides are
/// re-emitted document by document first: an overlay re-emits what it changes
/// in its own style, and a diff of styles would hide the changes. A Secret's
/// values are hidden on both sides (`<hidden, changed>` where the overlays
/// changed one), as in `chartfix diff`.
pub fn overlay_diff(before_overlays: &str, after_overlays: &str) -> String {
    let before = documents(before_overlays);
    let after = documents(after_overlays);
    let olds: HashMap<&ResourceId, &serde_json::Value> = before
        .iter()
        .filter_map(|d| d.parsed.as_ref().map(|(id, v)| (id, v)))
        .collect();
    let before_text = emit(&before, |id, v| mask_pair(id, Some(v), None).0);
    let after_text = emit(&after, |id, v| {
        mask_pair(id, olds.get(id).copied(), Some(v)).1
    });
    similar::TextDiff::from_lines(&before_text, &after_text)
        .unified_diff()
        .context_radius(3)
        .header("before overlays", "after overlays")
        .to_string()
}

/// One `# Source:` document of a stream, parsed when it is a resource.
struct SourceDoc {
    source: String,
    body: String,
    parsed: Option<(ResourceId, serde_json::Value)>,
}

fn documents(stream: &str) -> Vec<SourceDoc> {
    let padded = format!("\n{stream}");
    padded
        .split("\n---\n# Source: ")
        .skip(1)
        .map(|piece| {
            let (source, body) = piece.split_once('\n').unwrap_or((piece, ""));
            let parsed = crate::manifest::parse(body)
                .ok()
                .filter(|v| !v.is_null())
                .and_then(|v| ResourceId::of(&v).map(|id| (id, v)));
            SourceDoc {
                source: source.to_string(),
                body: body.to_string(),
                parsed,
            }
        })
        .collect()
}

/// The documents in one style, each resource passed through `mask` first.
fn emit(
    docs: &[SourceDoc],
    mask: impl Fn(&ResourceId, &serde_json::Value) -> Option<serde_json::Value>,
) -> String {
    let mut out = String::new();
    for d in docs {
        let body = match &d.parsed {
            Some((id, v)) => mask(id, v)
                .and_then(|m| yaml_serde::to_string(&m).ok())
                .unwrap_or_else(|| d.body.clone()),
            // Text that does not parse is kept as written, unless it may be
            // a Secret, whose values must not be shown however it is broken.
            None if d.body.contains("Secret") => {
                "# (a document that does not parse, hidden)".into()
            }
            None => d.body.clone(),
        };
        out.push_str("---\n# Source: ");
        out.push_str(&d.source);
        out.push('\n');
        out.push_str(body.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::overlay_diff;

    #[test]
    fn shows_changes_and_hides_secret_values() {
        let before = "---\n# Source: r/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: one}\n---\n# Source: r/s.yaml\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2}\n";
        let after = before.replace("one", "two").replace("hunter2", "hunter3");
        let d = overlay_diff(before, &after);
        assert!(
            d.starts_with("--- before overlays\n+++ after overlays\n"),
            "{d}"
        );
        assert!(d.contains("-  k: one\n+  k: two\n"), "{d}");
        assert!(!d.contains("hunter"), "{d}");
        assert!(d.contains("<hidden, changed>"), "{d}");
        assert_eq!(overlay_diff(before, before), "");
    }
}
