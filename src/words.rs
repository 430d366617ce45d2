//! Wording shared by every report: counts with the right number.

/// `1 release`, `2 releases`, `0 releases`: `word` is the singular, and
/// takes an `s` for any count but one.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn one_is_singular() {
        assert_eq!(plural(1, "release"), "1 release");
        assert_eq!(plural(0, "resource"), "0 resources");
        assert_eq!(plural(12, "image"), "12 images");
    }
}
