//! Shell-style name patterns for selectors: `*` any run of characters, `?` one
//! character, everything else literal. No character classes: Kubernetes names
//! are plain enough, and a `[` in a pattern should not surprise anyone.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
}

impl Glob {
    pub fn new(pattern: &str) -> Glob {
        Glob {
            pattern: pattern.to_string(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole of `text` matches. Iterative with one backtrack
    /// point, so linear-ish and free of recursion on hostile patterns.
    pub fn matches(&self, text: &str) -> bool {
        // Every selector is matched against every resource: a pattern with
        // no wildcard is a comparison, and ASCII needs no character lists.
        if !self.pattern.contains(['*', '?']) {
            return self.pattern == text;
        }
        if self.pattern.is_ascii() && text.is_ascii() {
            return match_units(self.pattern.as_bytes(), text.as_bytes());
        }
        let p: Vec<char> = self.pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        match_units(&p, &t)
    }
}

/// The glob match over characters (or ASCII bytes).
fn match_units<T: Copy + PartialEq + From<u8>>(p: &[T], t: &[T]) -> bool {
    let (star_unit, any_unit) = (T::from(b'*'), T::from(b'?'));
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == any_unit || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star_unit {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == star_unit)
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.pattern)
    }
}

impl<'de> serde::Deserialize<'de> for Glob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = super::params::ParamString::deserialize(d)?;
        Ok(Glob::new(&s.0))
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn globs() {
        let m = |p: &str, t: &str| Glob::new(p).matches(t);
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("gate*", "gateway"));
        assert!(!m("gate*", "agateway"));
        assert!(m("*way", "gateway"));
        assert!(m("g?te*y", "gateway"));
        assert!(m("a*b*c", "aXbYbZc"));
        assert!(!m("a*b*c", "aXbYbZ"));
        assert!(m("exact", "exact"));
        assert!(!m("exact", "exactly"));
        assert!(m("[x]", "[x]"));
        assert!(m("**a", "ba"));
    }
}
