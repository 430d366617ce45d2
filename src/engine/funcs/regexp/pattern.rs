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
//!
//! `regex-lite` searches with an NFA, a few times slower a byte than
//! `regex`'s lazy DFA: a subject longer than [`LONG_SUBJECT`] is searched
//! with `regex`, compiled for it the first time one comes. For the patterns
//! `regex-lite` takes the two engines mean the same (the translation leaves
//! only code-point classes, literals and ASCII assertions).

use std::sync::{Arc, OnceLock};

/// From this length on a subject is searched with `regex`: its compile
/// (60-280 µs) costs about what `regex-lite` spends on 4 KiB.
const LONG_SUBJECT: usize = 4096;

/// `regex-lite` compiles in time that grows with the square of the groups:
/// `(a|b)` 10 times 48 µs (0.9 µs a byte of pattern), 100 times 1.2 ms,
/// 3,000 times 0.74 s (`regex`: 8 ms). The template meter charges a
/// compile by the pattern's bytes, so patterns with more groups than this,
/// or longer than [`LITE_PATTERN`] bytes, go to `regex`, whose compile
/// grows with the pattern. Charts' patterns are short with a few groups
/// (the semver pattern of Bitnami's common chart: 9).
const LITE_GROUPS: usize = 32;
const LITE_PATTERN: usize = 1024;

/// A pattern, compiled for the engine that runs it with Go's meaning (a
/// clone shares the compiled programs).
#[derive(Clone)]
pub struct Pattern(Arc<Compiled>);

enum Compiled {
    /// Only `regex` runs it as Go does.
    Full(regex::Regex),
    Lite {
        lite: regex_lite::Regex,
        /// The pattern in the `regex` crates' syntax, for `full`.
        translated: String,
        /// `regex`'s program, made for the first long subject (`None` if
        /// `regex` refuses what `regex-lite` took, say a program over its
        /// size limit: `lite` then runs every subject).
        full: OnceLock<Option<regex::Regex>>,
    },
}

/// The engine one search runs on.
pub enum Engine<'p> {
    Lite(&'p regex_lite::Regex),
    Full(&'p regex::Regex),
}

/// The groups of one match: `get(i)` is group `i`'s span, when it took part.
pub enum Groups {
    Lite(regex_lite::CaptureLocations),
    Full(regex::CaptureLocations),
}

impl Pattern {
    /// Compiles a pattern already in the `regex` crates' syntax.
    pub fn new(translated: &str) -> Result<Pattern, regex::Error> {
        let groups = translated.bytes().filter(|&b| b == b'(').count();
        let lite_fits = translated.len() <= LITE_PATTERN && groups <= LITE_GROUPS;
        let lite = match lite_fits && !needs_unicode(translated) {
            true => regex_lite::Regex::new(translated).ok(),
            false => None,
        };
        let compiled = match lite {
            Some(lite) => Compiled::Lite {
                lite,
                translated: translated.to_string(),
                full: OnceLock::new(),
            },
            None => Compiled::Full(regex::Regex::new(translated)?),
        };
        Ok(Pattern(Arc::new(compiled)))
    }

    /// The engine to search `subject` with.
    pub fn for_subject(&self, subject: &str) -> Engine<'_> {
        match &*self.0 {
            Compiled::Full(full) => Engine::Full(full),
            Compiled::Lite { lite, .. } if subject.len() < LONG_SUBJECT => Engine::Lite(lite),
            Compiled::Lite {
                lite,
                translated,
                full,
            } => match full.get_or_init(|| regex::Regex::new(translated).ok()) {
                Some(full) => Engine::Full(full),
                None => Engine::Lite(lite),
            },
        }
    }
}

impl Engine<'_> {
    pub fn is_match(&self, s: &str) -> bool {
        match self {
            Engine::Lite(re) => re.is_match(s),
            Engine::Full(re) => re.is_match(s),
        }
    }

    /// The leftmost match starting at or after `at`, as a byte range.
    pub fn find_at(&self, s: &str, at: usize) -> Option<(usize, usize)> {
        match self {
            Engine::Lite(re) => re.find_at(s, at).map(|m| (m.start(), m.end())),
            Engine::Full(re) => re.find_at(s, at).map(|m| (m.start(), m.end())),
        }
    }

    /// Room for the groups of a match, for [`Engine::groups_at`].
    pub fn groups(&self) -> Groups {
        match self {
            Engine::Lite(re) => Groups::Lite(re.capture_locations()),
            Engine::Full(re) => Groups::Full(re.capture_locations()),
        }
    }

    /// Fills `groups` with the leftmost match at or after `at`; its span
    /// (group 0), or `None` when there is no match.
    pub fn groups_at(&self, groups: &mut Groups, s: &str, at: usize) -> Option<(usize, usize)> {
        match (self, groups) {
            (Engine::Lite(re), Groups::Lite(g)) => {
                re.captures_read_at(g, s, at).map(|m| (m.start(), m.end()))
            }
            (Engine::Full(re), Groups::Full(g)) => {
                re.captures_read_at(g, s, at).map(|m| (m.start(), m.end()))
            }
            // `groups` comes from this engine's `groups()`.
            _ => None,
        }
    }

    /// The number of the group called `name`.
    pub fn group_named(&self, name: &str) -> Option<usize> {
        match self {
            Engine::Lite(re) => re.capture_names().position(|n| n == Some(name)),
            Engine::Full(re) => re.capture_names().position(|n| n == Some(name)),
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

    fn engine(p: &str, subject_len: usize) -> &'static str {
        match Pattern::new(p)
            .unwrap()
            .for_subject(&"a".repeat(subject_len))
        {
            Engine::Lite(_) => "lite",
            Engine::Full(_) => "full",
        }
    }

    #[test]
    fn unicode_patterns_and_long_subjects_go_to_regex() {
        assert_eq!(engine(r"^[0-9]+(\.[0-9]+)?$", 10), "lite");
        assert_eq!(engine(r"[^0-9A-Za-z_]", 10), "lite");
        assert_eq!(engine(r"(?-u:\b)x", 10), "lite");
        assert_eq!(engine(r"(?P<n>[0-9]+)", 10), "lite");
        assert_eq!(engine(r"(?m)^a$", 10), "lite");
        assert_eq!(engine(r"\pL", 10), "full");
        assert_eq!(engine(r"\P{Greek}", 10), "full");
        assert_eq!(engine(r"(?i)k", 10), "full");
        assert_eq!(engine(r"(?mi:a)", 10), "full");
        // regex-lite has no nested classes.
        assert_eq!(engine(r"[[\t\n\f\r ]x]", 10), "full");
        // Its compile grows with the square of the groups.
        assert_eq!(engine(&"(a|b)".repeat(LITE_GROUPS), 10), "lite");
        assert_eq!(engine(&"(a|b)".repeat(LITE_GROUPS + 1), 10), "full");
        assert_eq!(engine(&"a".repeat(LITE_PATTERN + 1), 10), "full");
        assert_eq!(engine(r"[^0-9A-Za-z_]", LONG_SUBJECT - 1), "lite");
        assert_eq!(engine(r"[^0-9A-Za-z_]", LONG_SUBJECT), "full");
        // Past regex's size limit (Unicode classes are big), regex-lite's
        // program still runs long subjects.
        assert_eq!(engine(r"(?:(?:[^a]{100}){100}){3}", LONG_SUBJECT), "lite");
    }

    #[test]
    fn both_engines_answer_alike() {
        let p = Pattern::new(r"(a)(b)?|(?P<c>c)").unwrap();
        let lite = p.for_subject("short");
        let long = "x".repeat(LONG_SUBJECT);
        let full = p.for_subject(&long);
        assert!(matches!((&lite, &full), (Engine::Lite(_), Engine::Full(_))));
        for e in [&lite, &full] {
            assert!(e.is_match("xcx"));
            assert_eq!(e.find_at("xaxab", 2), Some((3, 5)));
            let mut g = e.groups();
            assert_eq!(e.groups_at(&mut g, "za c", 0), Some((1, 2)));
            assert_eq!((g.get(1), g.get(2)), (Some((1, 2)), None));
            assert_eq!(e.group_named("c"), Some(3));
            assert_eq!(e.groups_at(&mut g, "za c", 2), Some((3, 4)));
            assert_eq!(g.get(3), Some((3, 4)));
        }
    }

    #[test]
    fn kelvin_folds_as_in_go() {
        // Go: regexp.MustCompile(`(?i)k`).MatchString("\u212a") is true.
        let p = Pattern::new("(?i)k").unwrap();
        assert!(p.for_subject("\u{212a}").is_match("\u{212a}"));
    }
}
