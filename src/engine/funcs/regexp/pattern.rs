//! A compiled pattern, on one of two engines.
//!
//! Charts match a few short patterns against short strings (an image tag,
//! a version, a password), so compiling dominates: the `regex` crate builds
//! UTF-8 automata for every class in Unicode mode (Go's `\W`, `[^}]`), about
//! 60-280 µs a pattern, a twentieth of the render of Redis 18.6.1 for its
//! four patterns. `regex-lite` compiles the same patterns in 1.5-16 µs, and
//! its meanings are Go's where they differ from `regex`'s: it matches code
//! point by code point, and its Perl classes and `\b` are ASCII. It has no
//! Unicode classes (`\pL`) and folds case in ASCII only, where Go folds by
//! Unicode (`(?i)k` matches the Kelvin sign): those patterns, and any
//! `regex-lite` refuses (nested classes), go to `regex`, whose errors are
//! the ones worded like Go's. Both engines search leftmost-first, as Go does.

/// A pattern compiled by whichever engine runs it with Go's meaning.
#[derive(Clone)]
pub enum Pattern {
    Lite(regex_lite::Regex),
    Full(regex::Regex),
}

/// The groups of one match: `get(i)` is group `i`'s span, when it took part.
pub enum Groups {
    Lite(regex_lite::CaptureLocations),
    Full(regex::CaptureLocations),
}

impl Pattern {
    /// Compiles a pattern already in the `regex` crates' syntax.
    pub fn new(translated: &str) -> Result<Pattern, regex::Error> {
        if !needs_unicode(translated) {
            if let Ok(re) = regex_lite::Regex::new(translated) {
                return Ok(Pattern::Lite(re));
            }
        }
        regex::Regex::new(translated).map(Pattern::Full)
    }

    pub fn is_match(&self, s: &str) -> bool {
        match self {
            Pattern::Lite(re) => re.is_match(s),
            Pattern::Full(re) => re.is_match(s),
        }
    }

    /// The leftmost match starting at or after `at`, as a byte range.
    pub fn find_at(&self, s: &str, at: usize) -> Option<(usize, usize)> {
        match self {
            Pattern::Lite(re) => re.find_at(s, at).map(|m| (m.start(), m.end())),
            Pattern::Full(re) => re.find_at(s, at).map(|m| (m.start(), m.end())),
        }
    }

    /// Room for the groups of a match, for [`Pattern::groups_at`].
    pub fn groups(&self) -> Groups {
        match self {
            Pattern::Lite(re) => Groups::Lite(re.capture_locations()),
            Pattern::Full(re) => Groups::Full(re.capture_locations()),
        }
    }

    /// Fills `groups` with the leftmost match at or after `at`; its span
    /// (group 0), or `None` when there is no match.
    pub fn groups_at(&self, groups: &mut Groups, s: &str, at: usize) -> Option<(usize, usize)> {
        match (self, groups) {
            (Pattern::Lite(re), Groups::Lite(g)) => {
                re.captures_read_at(g, s, at).map(|m| (m.start(), m.end()))
            }
            (Pattern::Full(re), Groups::Full(g)) => {
                re.captures_read_at(g, s, at).map(|m| (m.start(), m.end()))
            }
            // `groups` comes from this pattern's `groups()`.
            _ => None,
        }
    }

    /// The number of the group called `name`.
    pub fn group_named(&self, name: &str) -> Option<usize> {
        match self {
            Pattern::Lite(re) => re.capture_names().position(|n| n == Some(name)),
            Pattern::Full(re) => re.capture_names().position(|n| n == Some(name)),
        }
    }
}

impl Groups {
    pub fn get(&self, i: usize) -> Option<(usize, usize)> {
        match self {
            Groups::Lite(g) => g.get(i),
            Groups::Full(g) => g.get(i),
        }
    }
}

/// Whether a translated pattern may use what only `regex` does as Go does:
/// a Unicode class (`\pL`, `\P{Greek}`) or a case-insensitive flag. Either
/// test may answer yes for a pattern that needs neither (an escaped `\\p`,
/// a literal `(?i` in a class): that pattern compiles with `regex`, slower
/// to build but with the same meaning.
fn needs_unicode(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'\\' && matches!(w[1], b'p' | b'P'))
        || pattern.match_indices("(?").any(|(at, _)| {
            // The flags run up to the group's `:` or `)`.
            pattern[at + 2..]
                .bytes()
                .take_while(|&c| c != b':' && c != b')')
                .any(|c| c == b'i')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(p: &str) -> &'static str {
        match Pattern::new(p).unwrap() {
            Pattern::Lite(_) => "lite",
            Pattern::Full(_) => "full",
        }
    }

    #[test]
    fn unicode_patterns_go_to_regex() {
        assert_eq!(engine(r"^[0-9]+(\.[0-9]+)?$"), "lite");
        assert_eq!(engine(r"[^0-9A-Za-z_]"), "lite");
        assert_eq!(engine(r"(?-u:\b)x"), "lite");
        assert_eq!(engine(r"(?P<n>[0-9]+)"), "lite");
        assert_eq!(engine(r"(?m)^a$"), "lite");
        assert_eq!(engine(r"\pL"), "full");
        assert_eq!(engine(r"\P{Greek}"), "full");
        assert_eq!(engine(r"(?i)k"), "full");
        assert_eq!(engine(r"(?mi:a)"), "full");
        // regex-lite has no nested classes.
        assert_eq!(engine(r"[[\t\n\f\r ]x]"), "full");
    }

    #[test]
    fn both_engines_answer_alike() {
        let lite = Pattern::Lite(regex_lite::Regex::new(r"(a)(b)?|(?P<c>c)").unwrap());
        let full = Pattern::Full(regex::Regex::new(r"(a)(b)?|(?P<c>c)").unwrap());
        for p in [&lite, &full] {
            assert!(p.is_match("xcx"));
            assert_eq!(p.find_at("xaxab", 2), Some((3, 5)));
            let mut g = p.groups();
            assert_eq!(p.groups_at(&mut g, "za c", 0), Some((1, 2)));
            assert_eq!((g.get(1), g.get(2)), (Some((1, 2)), None));
            assert_eq!(p.group_named("c"), Some(3));
            assert_eq!(p.groups_at(&mut g, "za c", 2), Some((3, 4)));
            assert_eq!(g.get(3), Some((3, 4)));
        }
    }

    #[test]
    fn kelvin_folds_as_in_go() {
        // Go: regexp.MustCompile(`(?i)k`).MatchString("\u212a") is true.
        assert!(Pattern::new("(?i)k").unwrap().is_match("\u{212a}"));
    }
}
