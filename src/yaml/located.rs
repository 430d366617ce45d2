//! An error at a place in a named input (an overlay, a stack file):
//! `origin:line:column: message`, or `origin: message` when no place is known.

use std::fmt;

use crate::location::Location;

#[derive(Debug, Clone, PartialEq)]
pub struct LocatedError {
    /// Where: the input's name (a path, `builtin:NAME`, a flag) and, when
    /// known, the line and column in it.
    pub location: Location,
    pub message: String,
}

impl LocatedError {
    /// An error at `line:column` of `origin`.
    pub fn at(origin: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        LocatedError {
            location: Location::new(origin, line, column),
            message: message.into(),
        }
    }

    /// An error about `origin` as a whole.
    pub fn whole(origin: &str, message: impl Into<String>) -> Self {
        Self::at(origin, 0, 0, message)
    }

    /// A limit [`super::check_limits`] found exceeded in `origin`.
    pub fn limit(origin: &str, e: super::YamlError) -> Self {
        Self::at(origin, e.line, e.column, e.message)
    }

    /// yaml_serde's error, its place taken out of the message and put in front.
    pub fn serde(origin: &str, e: &yaml_serde::Error) -> Self {
        let (line, column, message) = serde_place(e);
        Self::at(origin, line, column, message)
    }
}

/// yaml_serde's error as (line, column, message): 1-based, (0, 0) when it
/// has no place. yaml_serde appends " at line L column C" to its message;
/// a caller says the place once, in its own form, so it is cut off here.
pub fn serde_place(e: &yaml_serde::Error) -> (usize, usize, String) {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    let mut message = e.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    (line, column, with_hint(&without_values(&message)))
}

/// libyaml's words for a bad directive say what, not what to do.
pub(crate) fn with_hint(message: &str) -> String {
    let hint = match message {
        "found incompatible YAML document" => {
            "the %YAML directive names a version other than 1.1, the only one Helm reads; remove the directive"
        }
        "found duplicate %YAML directive" => "give %YAML once per document",
        "found unknown directive name" => "only %YAML and %TAG are directives; remove the line",
        _ => return message.to_string(),
    };
    format!("{message} ({hint})")
}

/// serde's `invalid type: string "…", expected …` quotes the value it met,
/// which may be a password (an integer where `registries.yaml` wants a
/// string) or, for a file that is one long plain scalar (`--overlay
/// /etc/passwd`, a stack file of prose), the whole file. The place already
/// says where the value is, so only its kind is kept: `invalid type: string,
/// expected …`. Names serde quotes (`unknown field `x``) stay, cut to one
/// short line.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        let at = ["invalid type: ", "invalid value: "]
            .iter()
            .filter_map(|m| rest.find(m).map(|i| i + m.len()))
            .min();
        let Some(at) = at else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // The kind: words of letters and spaces (`string`, `floating point`).
        let kind_end = rest
            .find(|c: char| !(c.is_ascii_alphabetic() || c == ' '))
            .unwrap_or(rest.len());
        let kind = rest[..kind_end].trim_end();
        out.push_str(kind);
        rest = &rest[kind.len()..];
        // Then maybe ` "…"` (Rust's escaped form), ` '…'` or ` `…``.
        let quoted = rest.strip_prefix(' ').and_then(|r| {
            let open = r.chars().next()?;
            let body = &r[open.len_utf8()..];
            let escape = match open {
                '"' | '\'' => Some('\\'),
                '`' => None,
                _ => return None,
            };
            let mut escaped = false;
            for (i, c) in body.char_indices() {
                if escaped {
                    escaped = false;
                } else if Some(c) == escape {
                    escaped = true;
                } else if c == open {
                    return Some(&body[i + c.len_utf8()..]);
                }
            }
            // Unclosed: nothing of it is shown.
            Some("")
        });
        if let Some(after) = quoted {
            rest = after;
        }
    }
    one_short_line(&out)
}

/// At most the first line of `s`, and at most 200 characters of it.
fn one_short_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("");
    match line.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for LocatedError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_the_place_once() {
        let e = yaml_serde::from_str::<std::collections::BTreeMap<String, u8>>("a: 1\nb: x\n")
            .unwrap_err();
        let e = LocatedError::serde("f.yaml", &e);
        assert_eq!((e.location.line, e.location.column), (2, 4));
        assert_eq!(
            e.to_string(),
            "f.yaml:2:4: b: invalid type: string, expected u8"
        );
        // The value met is not quoted back: it may be a secret, or a file.
        let e = yaml_serde::from_str::<std::collections::BTreeMap<String, u8>>(
            "password: hunter2-pw\n",
        )
        .unwrap_err();
        let e = LocatedError::serde("r.yaml", &e).to_string();
        assert!(
            !e.contains("hunter2") && e.contains("invalid type: string, expected u8"),
            "{e}"
        );
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct S {
            name: String,
        }
        let e = yaml_serde::from_str::<S>("root:x:0:0:root:/root:/bin/bash\nsecret \"line\" two\n")
            .unwrap_err();
        let e = LocatedError::serde("s.yaml", &e).to_string();
        assert!(
            e.starts_with("s.yaml:1:1: invalid type: string, expected struct S"),
            "{e}"
        );
        assert!(!e.contains("root") && !e.contains("secret"), "{e}");
        assert_eq!(
            super::without_values("x: invalid value: character 'q', expected a digit"),
            "x: invalid value: character, expected a digit"
        );
        assert_eq!(
            super::without_values(
                "invalid type: string \"a\\\"b\", expected u8; unknown field `k`"
            ),
            "invalid type: string, expected u8; unknown field `k`"
        );
        assert_eq!(
            super::without_values("invalid type: map, expected a string"),
            "invalid type: map, expected a string"
        );
        assert_eq!(
            LocatedError::whole("--flag", "no such thing").to_string(),
            "--flag: no such thing"
        );
    }
}
