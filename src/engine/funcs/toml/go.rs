//! The few Go behaviours BurntSushi's messages show: `%q` of a rune and of a
//! string, `unicode.IsLetter`, and how a key path is printed.

use std::sync::OnceLock;

/// Go's `%q` of a rune (`'\n'`, `'\x00'` for the end of input, `'é'`).
pub(super) fn quote_rune(r: char) -> String {
    crate::strconv::quote_with(&r.to_string(), '\'', false)
}

/// Go's `%q` of a string.
pub(super) fn quote_str(s: &str) -> String {
    crate::strconv::quote(s)
}

/// `unicode.IsLetter`: the general category L, which `char::is_alphabetic`
/// is not (it also takes letter numbers and some marks).
pub(super) fn is_letter(r: char) -> bool {
    if r.is_ascii() {
        return r.is_ascii_alphabetic();
    }
    static LETTER: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let re = LETTER.get_or_init(|| regex::Regex::new(r"^\p{L}$").ok());
    let mut buf = [0u8; 4];
    re.as_ref()
        .is_some_and(|re| re.is_match(r.encode_utf8(&mut buf)))
}

fn is_bare_key(part: &str) -> bool {
    !part.is_empty()
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One part of a key as `Key.String()` prints it: bare when it can be,
/// else in double quotes with TOML's escapes.
fn push_part(out: &mut String, part: &str) {
    if is_bare_key(part) {
        out.push_str(part);
        return;
    }
    out.push('"');
    for c in part.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `Key.String()`: the parts, each bare or quoted, joined by dots.
pub(super) fn key_string(parts: &[String]) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_part(&mut out, p);
    }
    out
}
