//! Unified text diffs of two whole streams, Secret values hidden: what
//! overlays changed (`chartfix render --diff`) and how a stack's render
//! differs from its snapshot (`chartfix verify`).

use crate::manifest::mask::{mask_streams, Keep};

/// The unified diff of the stream before and after overlays. Both sides are
/// re-emitted document by document first: an overlay re-emits what it changes
/// in its own style, and a diff of styles would hide the changes. A Secret's
/// values are hidden on both sides (`<hidden, changed>` where the overlays
/// changed one), as in `chartfix diff`.
pub fn overlay_diff(before_overlays: &str, after_overlays: &str) -> String {
    masked_diff(
        before_overlays,
        after_overlays,
        Keep::Reemitted,
        ("before overlays", "after overlays"),
    )
}

/// The unified diff of a snapshot and the stream rendered now, documents as
/// written (a change of style is a change to `verify`), Secrets re-emitted
/// with their values hidden. Empty when the two differ only inside Secrets
/// in ways the masking hides (their style, the order of their keys).
pub fn snapshot_diff(snapshot: &str, snapshot_label: &str, now: &str, now_label: &str) -> String {
    masked_diff(snapshot, now, Keep::AsWritten, (snapshot_label, now_label))
}

fn masked_diff(old: &str, new: &str, keep: Keep, (old_label, new_label): (&str, &str)) -> String {
    let (old, new) = mask_streams(old, new, keep);
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(old_label, new_label)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{overlay_diff, snapshot_diff};

    const BEFORE: &str = "---\n# Source: r/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: one}\n---\n# Source: r/s.yaml\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2}\n";

    #[test]
    fn shows_changes_and_hides_secret_values() {
        let after = BEFORE.replace("one", "two").replace("hunter2", "hunter3");
        let d = overlay_diff(BEFORE, &after);
        assert!(
            d.starts_with("--- before overlays\n+++ after overlays\n"),
            "{d}"
        );
        assert!(d.contains("-  k: one\n+  k: two\n"), "{d}");
        assert!(!d.contains("hunter"), "{d}");
        assert!(d.contains("<hidden, changed>"), "{d}");
        assert_eq!(overlay_diff(BEFORE, BEFORE), "");
    }

    #[test]
    fn snapshot_diffs_keep_style_and_hide_values() {
        let now = BEFORE
            .replace("{k: one}", "{k: 'one'}")
            .replace("hunter2", "hunter3");
        let d = snapshot_diff(BEFORE, "snapshots/s.yaml", &now, "rendered now");
        assert!(
            d.starts_with("--- snapshots/s.yaml\n+++ rendered now\n"),
            "{d}"
        );
        assert!(d.contains("-data: {k: one}\n+data: {k: 'one'}\n"), "{d}");
        assert!(d.contains("+  password: <hidden, changed>\n"), "{d}");
        assert!(!d.contains("hunter"), "{d}");
        assert_eq!(snapshot_diff(BEFORE, "a", BEFORE, "b"), "");
    }
}
