//! The unified text diff of two resources' YAML (already masked).

use similar::TextDiff;

/// A unified diff with three lines of context, headed `old`/`new`; empty when
/// the texts are equal.
pub fn diff(old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
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
}
