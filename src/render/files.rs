//! `.Files`: a chart's non-template files as templates see them (Helm's
//! `engine.files`), with `Get`, `GetBytes`, `Glob`, `Lines`, `AsConfig` and
//! `AsSecrets`.

use crate::value::{Map, Object, Value};
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The files of one chart, by name (sorted, as Go's map printing sorts them).
#[derive(Clone, Default)]
pub struct Files {
    files: Arc<BTreeMap<String, Arc<[u8]>>>,
}

impl Files {
    pub fn new(files: impl IntoIterator<Item = (String, Arc<[u8]>)>) -> Files {
        Files {
            files: Arc::new(files.into_iter().collect()),
        }
    }

    fn bytes(&self, name: &str) -> Arc<[u8]> {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| Arc::from(Vec::new()))
    }

    fn glob(&self, pattern: &str) -> Files {
        let pat: Vec<char> = pattern.chars().collect();
        let valid = glob_valid(&pat);
        Files {
            files: Arc::new(
                self.files
                    .iter()
                    .filter(|(name, _)| {
                        !valid || glob_match(&pat, &name.chars().collect::<Vec<_>>())
                    })
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
        }
    }

    fn lines(&self, name: &str) -> Value {
        let data = match self.files.get(name) {
            Some(d) if !d.is_empty() => d,
            _ => return Value::list(Vec::new()),
        };
        let mut s = crate::chart::text(data).into_owned();
        if s.ends_with('\n') {
            s.pop();
        }
        Value::list(s.split('\n').map(Value::str).collect())
    }

    /// `AsConfig`/`AsSecrets`: base names to contents, as YAML without the
    /// final newline.
    fn as_yaml(&self, encode: fn(&[u8]) -> String) -> Value {
        let m = Map::new();
        for (k, v) in self.files.iter() {
            let base = k.rsplit('/').next().unwrap_or(k);
            m.insert(base.to_string(), Value::str(encode(v)));
        }
        if m.is_empty() {
            return Value::str("{}");
        }
        let text = crate::yaml::to_string(&Value::map(m));
        Value::str(text.strip_suffix('\n').unwrap_or(&text))
    }
}

fn one_string<'a>(name: &str, args: &'a [Value]) -> Result<&'a str, String> {
    match args {
        [Value::String(s)] => Ok(s),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
        _ => Err(format!(
            "wrong number of args for {name}: want 1 got {}",
            args.len()
        )),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn kind_name(&self) -> &str {
        "map"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "AsConfig" => Some(self.as_yaml(|b| String::from_utf8_lossy(b).into_owned())),
            "AsSecrets" => Some(self.as_yaml(|b| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode(b)
            })),
            // A map's key, as Go's template looks up `.Files.name`.
            other => self.files.get(other).map(|b| Value::Bytes(b.clone())),
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let r = match name {
            "Get" => one_string(name, args).map(|n| Value::go_string(self.bytes(n).to_vec())),
            "GetBytes" => one_string(name, args).map(|n| Value::Bytes(self.bytes(n))),
            "Glob" => one_string(name, args).map(|p| Value::object(self.glob(p))),
            "Lines" => one_string(name, args).map(|n| self.lines(n)),
            "AsConfig" | "AsSecrets" if args.is_empty() => Ok(self.field(name)?),
            _ => return None,
        };
        Some(r)
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "Lines" | "AsConfig" | "AsSecrets"
        )
    }

    fn format(&self) -> String {
        self.to_plain().map(|v| v.to_string()).unwrap_or_default()
    }

    fn truthy(&self) -> bool {
        !self.files.is_empty()
    }

    fn to_plain(&self) -> Option<Value> {
        Some(Value::map(
            self.files
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
                .collect(),
        ))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// gobwas/glob with `/` as separator, as Helm's `Files.Glob` compiles it:
/// `*` stays within a path segment, `**` crosses them, `?`, `[a-z]`, `[!a]`,
/// `{a,b}` alternatives, `\` escapes. Braces are expanded first (at most
/// [`MAX_ALTERNATIVES`]); each alternative is matched in O(pattern × name).
fn glob_match(p: &[char], n: &[char]) -> bool {
    let mut alternatives = Vec::new();
    if !expand_braces(p, &mut alternatives) {
        return false;
    }
    alternatives.iter().any(|alt| match_no_braces(alt, n))
}

/// More alternatives than this and the pattern matches nothing (a guard
/// against `{a,b}{a,b}{a,b}…` blowing up).
const MAX_ALTERNATIVES: usize = 1024;

/// Expands the first `{…}` group recursively; false when there are too many.
fn expand_braces(p: &[char], out: &mut Vec<Vec<char>>) -> bool {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => i += 2,
            '[' => match p[i + 1..].iter().position(|&c| c == ']') {
                Some(j) => i += j + 2,
                None => i = p.len(),
            },
            '{' => {
                let Some(close) = matching_brace(&p[i..]).map(|c| c + i) else {
                    break;
                };
                for alt in split_alternatives(&p[i + 1..close]) {
                    let mut joined = p[..i].to_vec();
                    joined.extend_from_slice(alt);
                    joined.extend_from_slice(&p[close + 1..]);
                    if !expand_braces(&joined, out) {
                        return false;
                    }
                }
                return true;
            }
            _ => i += 1,
        }
    }
    out.push(p.to_vec());
    out.len() <= MAX_ALTERNATIVES
}

/// One pattern element of a brace-free glob.
enum Token {
    /// `*`: any run of characters but `/`.
    Star,
    /// `**`: any run of characters.
    SuperStar,
    /// `?`: one character but `/`.
    Any,
    /// `[…]`: one character in (or, negated, not in) the ranges.
    Class(bool, Vec<(char, char)>),
    Char(char),
}

fn tokens(p: &[char]) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '*' if p.get(i + 1) == Some(&'*') => {
                out.push(Token::SuperStar);
                i += 2;
            }
            '*' => {
                out.push(Token::Star);
                i += 1;
            }
            '?' => {
                out.push(Token::Any);
                i += 1;
            }
            '[' => {
                let close = p[i + 1..].iter().position(|&c| c == ']')? + i + 1;
                let body = &p[i + 1..close];
                let (neg, body) = match body.first() {
                    Some('!') => (true, &body[1..]),
                    _ => (false, body),
                };
                let mut ranges = Vec::new();
                let mut k = 0;
                while k < body.len() {
                    if k + 2 < body.len() && body[k + 1] == '-' {
                        ranges.push((body[k], body[k + 2]));
                        k += 3;
                    } else {
                        ranges.push((body[k], body[k]));
                        k += 1;
                    }
                }
                out.push(Token::Class(neg, ranges));
                i = close + 1;
            }
            '\\' if i + 1 < p.len() => {
                out.push(Token::Char(p[i + 1]));
                i += 2;
            }
            c => {
                out.push(Token::Char(c));
                i += 1;
            }
        }
    }
    Some(out)
}

/// Matches a brace-free glob by dynamic programming over (token, position).
fn match_no_braces(p: &[char], n: &[char]) -> bool {
    let Some(toks) = tokens(p) else { return false };
    // reach[j]: the tokens matched so far can end just before n[j].
    let mut reach = vec![false; n.len() + 1];
    reach[0] = true;
    for t in &toks {
        let mut next = vec![false; n.len() + 1];
        match t {
            Token::Star | Token::SuperStar => {
                let crosses = matches!(t, Token::SuperStar);
                let mut open = false;
                for j in 0..=n.len() {
                    open = reach[j] || (open && j > 0 && (crosses || n[j - 1] != '/'));
                    next[j] = open;
                }
            }
            _ => {
                for j in 0..n.len() {
                    if reach[j] && single(t, n[j]) {
                        next[j + 1] = true;
                    }
                }
            }
        }
        reach = next;
    }
    reach[n.len()]
}

fn single(t: &Token, c: char) -> bool {
    match t {
        Token::Any => c != '/',
        Token::Class(neg, ranges) => ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *neg,
        Token::Char(x) => *x == c,
        Token::Star | Token::SuperStar => false,
    }
}

fn matching_brace(p: &[char]) -> Option<usize> {
    let mut depth = 0;
    for (i, &c) in p.iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn split_alternatives(body: &[char]) -> Vec<&[char]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, &c) in body.iter().enumerate() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&body[start..]);
    out
}

/// A pattern gobwas refuses (unclosed `[` or `{`); Helm then matches everything.
fn glob_valid(p: &[char]) -> bool {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => i += 1,
            '[' => match p[i + 1..].iter().position(|&c| c == ']') {
                Some(j) => i += j + 1,
                None => return false,
            },
            '{' if matching_brace(&p[i..]).is_none() => return false,
            _ => {}
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        Files::new([
            ("a.txt".to_string(), b"one\ntwo\n".as_slice().into()),
            ("conf/x.conf".to_string(), b"x=1".as_slice().into()),
            ("conf/deep/y.conf".to_string(), b"y=2".as_slice().into()),
        ])
    }

    fn names(f: &Files) -> Vec<String> {
        f.files.keys().cloned().collect()
    }

    #[test]
    fn get_and_lines() {
        let f = files();
        assert_eq!(
            f.call("Get", &[Value::str("a.txt")])
                .unwrap()
                .unwrap()
                .to_string(),
            "one\ntwo\n"
        );
        assert_eq!(
            f.call("Get", &[Value::str("nope")])
                .unwrap()
                .unwrap()
                .to_string(),
            ""
        );
        assert_eq!(
            f.call("Lines", &[Value::str("a.txt")])
                .unwrap()
                .unwrap()
                .to_string(),
            "[one two]"
        );
        assert_eq!(
            f.call("GetBytes", &[Value::str("conf/x.conf")])
                .unwrap()
                .unwrap()
                .to_string(),
            "[120 61 49]"
        );
    }

    #[test]
    fn glob_as_gobwas() {
        let f = files();
        assert_eq!(names(&f.glob("conf/*")), ["conf/x.conf"]);
        assert_eq!(
            names(&f.glob("conf/**")),
            ["conf/deep/y.conf", "conf/x.conf"]
        );
        assert_eq!(
            names(&f.glob("**.conf")),
            ["conf/deep/y.conf", "conf/x.conf"]
        );
        assert_eq!(
            names(&f.glob("{a.txt,conf/x.conf}")),
            ["a.txt", "conf/x.conf"]
        );
        assert_eq!(names(&f.glob("[")).len(), 3);
        assert_eq!(names(&f.glob("conf/[a-x]*.conf")), ["conf/x.conf"]);
        assert_eq!(names(&f.glob("conf/[!x]*")), Vec::<String>::new());
        assert_eq!(names(&f.glob("?.txt")), ["a.txt"]);
    }

    #[test]
    fn hostile_globs_stay_fast() {
        let name: Vec<char> = "a".repeat(200).chars().collect();
        let pat: Vec<char> = "**a**a**a**a**a**a**a**a**b".chars().collect();
        assert!(!glob_match(&pat, &name));
        let many: Vec<char> = "{a,b}".repeat(20).chars().collect();
        assert!(!glob_match(&many, &name));
    }

    #[test]
    fn as_config_uses_base_names() {
        let cfg = files().glob("conf/**").field("AsConfig").unwrap();
        assert!(cfg.to_string().contains("x.conf: x=1"), "{cfg}");
        assert!(!cfg.to_string().ends_with('\n'));
    }
}
