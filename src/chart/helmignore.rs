//! `.helmignore`: which files of a chart folder are left out, with Helm's rules
//! (one pattern a line, `#` comments, `!` negation, a trailing `/` for folders,
//! a leading `/` anchoring at the chart root, no `**`).
//!
//! Helm's negation is unlike `.gitignore`: a `!pattern` line ignores every path it
//! does *not* match. It is kept that way here, because charts are packaged with it.

use super::ChartError;

/// The name of the ignore file at a chart's root.
pub const HELMIGNORE: &str = ".helmignore";

#[derive(Debug, Clone)]
struct Rule {
    pattern: String,
    negate: bool,
    must_dir: bool,
    /// Pattern holds a `/`: matched against the whole relative path.
    structural: bool,
}

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// Parses the text of a `.helmignore`. An invalid pattern is an error that
    /// names its line.
    pub fn parse(text: &str) -> Result<Rules, ChartError> {
        let mut rules = Rules::default();
        for (i, line) in text.lines().enumerate() {
            rules
                .add(line)
                .map_err(|m| ChartError::new(format!("{HELMIGNORE}:{}: {m}", i + 1)))?;
        }
        Ok(rules)
    }

    /// Helm's default rule: dotfiles inside `templates/` are never templates.
    pub fn add_defaults(&mut self) {
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let mut rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        if go_match(rule, "abc").is_err() {
            return Err(format!("syntax error in pattern {rule:?}"));
        }
        let negate = rule.starts_with('!');
        if negate {
            rule = &rule[1..];
        }
        let must_dir = rule.ends_with('/');
        if must_dir {
            rule = &rule[..rule.len() - 1];
        }
        let (pattern, structural) = if let Some(anchored) = rule.strip_prefix('/') {
            (anchored.to_string(), true)
        } else {
            (rule.to_string(), rule.contains('/'))
        };
        self.rules.push(Rule {
            pattern,
            negate,
            must_dir,
            structural,
        });
        Ok(())
    }

    /// Whether `path` (relative to the chart root, `/`-separated) is ignored.
    pub fn ignored(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for r in &self.rules {
            let subject = if r.structural {
                path
            } else {
                path.rsplit('/').next().unwrap_or(path)
            };
            let hit = go_match(&r.pattern, subject).unwrap_or(false);
            if r.negate {
                if r.must_dir && !is_dir {
                    return true;
                }
                if !hit {
                    return true;
                }
                continue;
            }
            if r.must_dir && !is_dir {
                continue;
            }
            if hit {
                return true;
            }
        }
        false
    }
}

/// A pattern Go's `filepath.Match` refuses (`ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `path/filepath.Match` on `/`-separated names: `*` and `?` never match
/// `/`, `[...]` classes with ranges and `^` negation, `\` escapes. `Err` for a
/// malformed pattern.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> Result<bool, BadPattern> {
    // Iterative with one backtrack point for the last `*`, as Go does per segment.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' if ni < n.len() && n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' if ni < n.len() => {
                    let (ok, next) = class(p, pi, n[ni])?;
                    if ok && n[ni] != '/' {
                        pi = next;
                        ni += 1;
                        continue;
                    }
                }
                '\\' => {
                    if pi + 1 >= p.len() {
                        return Err(BadPattern);
                    }
                    if ni < n.len() && n[ni] == p[pi + 1] {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c if c != '?' && c != '[' && ni < n.len() && n[ni] == c => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        } else if ni == n.len() {
            return Ok(true);
        }
        // Mismatch: let the last star swallow one more character (never a `/`).
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp + 1;
                ni = sn + 1;
            }
            _ => {
                // Go reports a bad pattern even when the name already failed.
                validate(&p[pi.min(p.len())..])?;
                return Ok(false);
            }
        }
    }
}

/// Matches `c` against the class starting at `p[start] == '['`; returns whether
/// it matched and the index after the closing `]`.
fn class(p: &[char], start: usize, c: char) -> Result<(bool, usize), BadPattern> {
    let mut i = start + 1;
    let negated = i < p.len() && p[i] == '^';
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        if i >= p.len() {
            return Err(BadPattern);
        }
        if p[i] == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let (lo, next) = class_char(p, i)?;
        i = next;
        let mut hi = lo;
        if i < p.len() && p[i] == '-' {
            let (h, next) = class_char(p, i + 1)?;
            hi = h;
            i = next;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Ok((matched != negated, i))
}

fn class_char(p: &[char], i: usize) -> Result<(char, usize), BadPattern> {
    match p.get(i) {
        None | Some('-') | Some(']') => Err(BadPattern),
        Some('\\') => p.get(i + 1).map(|c| (*c, i + 2)).ok_or(BadPattern),
        Some(c) => Ok((*c, i + 1)),
    }
}

fn validate(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            '[' => {
                let (_, next) = class(p, i, '\0')?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_basics() {
        assert_eq!(go_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(go_match("*.txt", "d/a.txt"), Ok(false));
        assert_eq!(go_match("a?c", "abc"), Ok(true));
        assert_eq!(go_match("[a-c]x", "bx"), Ok(true));
        assert_eq!(go_match("[^a-c]x", "bx"), Ok(false));
        assert_eq!(go_match("templates/*.yaml", "templates/x.yaml"), Ok(true));
        assert!(go_match("[", "a").is_err());
    }

    #[test]
    fn rules_as_helm() {
        let mut r = Rules::parse("# c\n*.md\n/docs/\nsecret/*.pem\n.git/\n").unwrap();
        r.add_defaults();
        assert!(r.ignored("README.md", false));
        assert!(r.ignored("sub/x.md", false));
        assert!(r.ignored("docs", true));
        assert!(!r.ignored("docs", false));
        assert!(r.ignored("secret/a.pem", false));
        assert!(r.ignored("templates/.hidden", false));
        assert!(!r.ignored("templates/a.yaml", false));
        assert!(r.ignored(".git", true));
    }

    #[test]
    fn negation_ignores_what_it_does_not_match() {
        let r = Rules::parse("!keep.txt\n").unwrap();
        assert!(r.ignored("other.txt", false));
        assert!(!r.ignored("keep.txt", false));
    }

    #[test]
    fn double_star_is_refused() {
        let err = Rules::parse("a\n**/b\n").unwrap_err();
        assert!(err.to_string().contains(".helmignore:2"), "{err}");
    }
}
