//! The unified text diff of two resources' YAML (already masked).

use similar::{Algorithm, TextDiff};
use std::time::Duration;

/// How long Myers' search for the smallest diff may run on one resource.
/// It costs the product of the sizes when most lines change (60 000 changed
/// lines took 42 s); past this, similar finishes with coarser hunks in linear
/// time, still a correct diff. Resources of a few thousand lines never come
/// near it, so their diffs stay the smallest.
const SEARCH_TIME: Duration = Duration::from_millis(500);

/// A unified diff with three lines of context, headed `old`/`new`; empty when
/// the texts are equal.
pub fn diff(old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .timeout(SEARCH_TIME)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("old", "new")
        .missing_newline_hint(false)
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unified_shape() {
        let d = super::diff("a: 1\nb: 2\n", "a: 1\nb: 3\n");
        assert_eq!(
            d,
            "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n"
        );
        assert_eq!(super::diff("x\n", "x\n"), "");
    }

    /// Reapplies a unified diff's hunks to `old`.
    fn patch(old: &str, diff: &str) -> String {
        let old: Vec<&str> = old.lines().collect();
        let (mut out, mut at) = (Vec::new(), 0);
        for line in diff.lines().skip(2) {
            if let Some(head) = line.strip_prefix("@@ -") {
                let start: usize = head.split([',', ' ']).next().unwrap().parse().unwrap();
                let start = start.max(1) - 1;
                out.extend_from_slice(&old[at..start]);
                at = start;
            } else if let Some(l) = line.strip_prefix('+') {
                out.push(l);
            } else if line.starts_with('-') {
                at += 1;
            } else {
                out.push(old[at]);
                at += 1;
            }
        }
        out.extend_from_slice(&old[at..]);
        out.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn large_rewrites_diff_in_near_linear_time_and_still_apply() {
        // 60 000 lines, every one changed, with some kept lines between.
        let old: String = (0..60_000)
            .map(|i| {
                if i % 7 == 0 {
                    "  keep: x\n".into()
                } else {
                    format!("  k{i}: old-{i}\n")
                }
            })
            .collect();
        let new: String = (0..60_000)
            .map(|i| {
                if i % 7 == 0 {
                    "  keep: x\n".into()
                } else {
                    format!("  k{i}: new-{}\n", i * 3)
                }
            })
            .collect();
        let start = std::time::Instant::now();
        let d = super::diff(&old, &new);
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
        assert_eq!(patch(&old, &d), new);
        // Small ones are as minimal as before.
        let d = super::diff("a\nb\nc\nd\n", "a\nB\nc\nd\n");
        assert_eq!(d, "--- old\n+++ new\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n d\n");
    }
}
