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

/// `Key.String()`: the parts, each bare or quoted, joined by dots.
/// It is how the encoder writes a table header, so both are one function.
pub(super) fn key_string(parts: &[String]) -> String {
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    super::header(&parts)
}
