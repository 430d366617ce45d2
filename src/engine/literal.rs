//! Go literals: `strconv.Unquote` for strings and characters, and the number
//! constants of `text/template` with their typing (`1` is an int, `1.0`, `1e3`
//! are float64s, `'a'` is the int 97).

use crate::value::complex::Complex;
use crate::value::Value;

/// `strconv.Unquote` of a `"…"`, `` `…` `` or `'…'` literal; `None` is Go's
/// "invalid syntax".
pub fn unquote(text: &str) -> Option<String> {
    unquote_bytes(text).map(|b| match String::from_utf8(b) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// The text of a quoted literal that needs no decoding (no escape in a
/// quoted string, no carriage return in a raw one), borrowed: most literals
/// in charts are such, and [`unquote_bytes`] would copy them twice.
pub fn plain(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    if b.len() < 2 {
        return None;
    }
    let body = text.get(1..text.len() - 1)?;
    let clean = |special: &[u8]| !body.bytes().any(|c| special.contains(&c));
    match (b[0], b[b.len() - 1]) {
        (b'"', b'"') if clean(b"\\\"\n") => Some(body),
        (b'`', b'`') if clean(b"`\r") => Some(body),
        _ => None,
    }
}

/// The Go string a quoted literal stands for, as bytes: `\xff` and octal
/// escapes are single bytes, which need not make UTF-8 (`"\xe2\x82\xac"` is
/// `€`, `"\xff"` is one byte that is not text).
pub fn unquote_bytes(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() < 2 {
        return None;
    }
    let quote = bytes[0];
    if bytes[bytes.len() - 1] != quote {
        return None;
    }
    let body = &text[1..text.len() - 1];
    match quote {
        b'`' => {
            if body.contains('`') {
                return None;
            }
            // Go drops carriage returns from raw strings.
            Some(body.replace('\r', "").into_bytes())
        }
        b'"' | b'\'' => {
            // Most literals hold no escapes: take them as they are.
            if quote == b'"' && !body.contains(['\\', '"', '\n']) {
                return Some(body.as_bytes().to_vec());
            }
            let mut out = Vec::with_capacity(body.len());
            let mut rest = body;
            let mut pieces = 0;
            while !rest.is_empty() {
                let (piece, tail) = unquote_char(rest, quote as char)?;
                match piece {
                    Piece::Char(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                    Piece::Byte(b) => out.push(b),
                }
                pieces += 1;
                rest = tail;
            }
            if quote == b'\'' && pieces != 1 {
                return None;
            }
            Some(out)
        }
        _ => None,
    }
}

/// One decoded element of a quoted literal: a character, or a byte from a
/// `\x` or octal escape.
enum Piece {
    Char(char),
    Byte(u8),
}

/// Decodes one (possibly escaped) character; returns it and the rest.
fn unquote_char(s: &str, quote: char) -> Option<(Piece, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote && quote != '`' {
        return None;
    }
    if c == '\n' && quote == '"' {
        return None;
    }
    if c != '\\' {
        return Some((Piece::Char(c), chars.as_str()));
    }
    let e = chars.next()?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '\'' | '"' if e == quote => Some(e),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((Piece::Char(c), rest));
    }
    let hex = |n: usize| -> Option<(u32, &str)> {
        let digits = rest.get(..n)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some((u32::from_str_radix(digits, 16).ok()?, rest.get(n..)?))
    };
    match e {
        'x' => {
            let (v, tail) = hex(2)?;
            Some((Piece::Byte(v as u8), tail))
        }
        'u' => {
            let (v, tail) = hex(4)?;
            Some((Piece::Char(char::from_u32(v)?), tail))
        }
        'U' => {
            let (v, tail) = hex(8)?;
            Some((Piece::Char(char::from_u32(v)?), tail))
        }
        '0'..='7' => {
            let digits = s.get(1..4)?;
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return None;
            }
            let v = u32::from_str_radix(digits, 8).ok()?;
            if v > 255 {
                return None;
            }
            Some((Piece::Byte(v as u8), s.get(4..)?))
        }
        _ => None,
    }
}

/// The lexer's kinds of number constant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// `1`, `1.5`, `0x1F`, `2i`.
    Number,
    /// `'a'`.
    Char,
    /// `1+2i`: a real part, a sign, an imaginary part.
    Complex,
}

/// A number constant as `text/template` types it: `Ok(value)`, or `Err` with the
/// message using it raises (Go fails only when the constant is used, e.g.
/// `18446744073709551615 overflows int`). The outer `Err` is a parse error.
pub fn number(text: &str, form: Form) -> Result<Result<Value, String>, String> {
    if form == Form::Complex {
        return complex_pair(text).map(|(re, im)| Ok(Complex::value(re, im)));
    }
    // An imaginary constant (`2i`, `1.5i`) is complex when its digits make
    // a float; otherwise (`0x1i`) it goes on to fail as any bad number.
    if let Some(Ok(im)) = text.strip_suffix('i').map(go_parse_float) {
        return Ok(Ok(Complex::value(0.0, im)));
    }
    if form == Form::Char {
        // Go decodes one character and requires the closing quote right after it.
        let body = text.get(1..).unwrap_or("");
        let (piece, tail) = unquote_char(body, '\'').ok_or_else(|| "invalid syntax".to_string())?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        // In a character constant a byte escape is the code point itself.
        let code = match piece {
            Piece::Char(c) => c as i64,
            Piece::Byte(b) => b as i64,
        };
        return Ok(Ok(Value::Int(code)));
    }
    let as_int = parse_int(text);
    let looks_float = !is_hex_int(text) && text.contains(['.', 'e', 'E', 'p', 'P']);
    if looks_float {
        return match parse_float(text) {
            Some(f) => Ok(Ok(Value::Float(f))),
            None => Err(format!(
                "illegal number syntax: {}",
                crate::strconv::go_quote(text)
            )),
        };
    }
    match as_int {
        Some(IntLit::Int(i)) => Ok(Ok(Value::Int(i))),
        Some(IntLit::Uint) => Ok(Err(format!("{text} overflows int"))),
        None => {
            if parse_float(text).is_some() {
                Err(format!(
                    "integer overflow: {}",
                    crate::strconv::go_quote(text)
                ))
            } else {
                Err(format!(
                    "illegal number syntax: {}",
                    crate::strconv::go_quote(text)
                ))
            }
        }
    }
}

enum IntLit {
    Int(i64),
    /// Fits uint64 but not int64.
    Uint,
}

/// `strconv.ParseInt(text, 0, 64)` / `ParseUint`: sign, base prefix, `_` between digits.
fn parse_int(text: &str) -> Option<IntLit> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if !underscores_ok(digits, prefixed) {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let mag = u128::from_str_radix(&clean, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u128 + 1 {
            return Some(IntLit::Int((mag as i128).wrapping_neg() as i64));
        }
        return None;
    }
    if mag <= i64::MAX as u128 {
        Some(IntLit::Int(mag as i64))
    } else if mag <= u64::MAX as u128 {
        Some(IntLit::Uint)
    } else {
        None
    }
}

/// Go allows `_` only between digits (or right after a base prefix).
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    if !digits.contains('_') {
        return true;
    }
    let b = digits.as_bytes();
    if b.last() == Some(&b'_') || (!prefixed && b.first() == Some(&b'_')) {
        return false;
    }
    !digits.contains("__")
}

fn is_hex_int(text: &str) -> bool {
    let t = text.trim_start_matches(['+', '-']);
    (t.starts_with("0x") || t.starts_with("0X")) && !t.contains(['p', 'P'])
}

/// `fmt.Sscan` of a `complex128` from the lexer's `1+2i`: a float, a sign,
/// a float, `i`; Go's errors (after Helm keeps the last part of the message).
fn complex_pair(text: &str) -> Result<(f64, f64), String> {
    const SYNTAX: &str = "syntax error scanning complex number";
    let (re, rest) = float_token(text);
    let Some(sign) = rest.chars().next().filter(|c| matches!(c, '+' | '-')) else {
        return Err(SYNTAX.into());
    };
    let (im, rest) = float_token(&rest[1..]);
    if rest != "i" {
        return Err(SYNTAX.into());
    }
    // Go's `convertFloat` reads each part with `strconv.ParseFloat` (the
    // lexer lets a `p` exponent through only in hexadecimal, which
    // ParseFloat reads whole).
    let re = go_parse_float(re)?;
    let im = go_parse_float(&format!("{sign}{im}"))?;
    Ok((re, im))
}

/// fmt's `floatToken`: the longest float-looking prefix of `s` (sign,
/// digits or `0x` and hex digits, point, exponent), and what follows.
fn float_token(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    let mut i = 0;
    let accept = |i: &mut usize, set: &str| -> bool {
        if *i < b.len() && set.as_bytes().contains(&b[*i]) {
            *i += 1;
            true
        } else {
            false
        }
    };
    // NaN and Inf, as Go reads them: the letters are taken as far as they
    // match, so `1+i` leaves nothing for the `i` and is a syntax error.
    if accept(&mut i, "nN") && accept(&mut i, "aA") && accept(&mut i, "nN") {
        return s.split_at(i);
    }
    accept(&mut i, "+-");
    if accept(&mut i, "iI") && accept(&mut i, "nN") && accept(&mut i, "fF") {
        return s.split_at(i);
    }
    let (mut digits, mut exp) = ("0123456789_", "eEpP");
    if accept(&mut i, "0") && accept(&mut i, "xX") {
        digits = "0123456789aAbBcCdDeEfF_";
        exp = "pP";
    }
    while accept(&mut i, digits) {}
    if accept(&mut i, ".") {
        while accept(&mut i, digits) {}
    }
    if accept(&mut i, exp) {
        accept(&mut i, "+-");
        while accept(&mut i, "0123456789_") {}
    }
    s.split_at(i)
}

/// `strconv.ParseFloat(text, 64)` with the last words of its error, as Helm
/// prints a parse error: `invalid syntax`, `value out of range`.
fn go_parse_float(text: &str) -> Result<f64, String> {
    match parse_float(text) {
        Some(f) => Ok(f),
        None if parse_float_unbounded(text).is_some() => Err("value out of range".into()),
        None => Err("invalid syntax".into()),
    }
}

/// `strconv.ParseFloat(text, 64)` for the decimal and hexadecimal forms.
fn parse_float(text: &str) -> Option<f64> {
    parse_float_unbounded(text).filter(|v| v.is_finite())
}

/// [`parse_float`], with a text past float64's range giving an infinity.
fn parse_float_unbounded(text: &str) -> Option<f64> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let v = if body.starts_with("0x") || body.starts_with("0X") {
        parse_hex_float(&body[2..])?
    } else {
        if body.contains("__") || body.starts_with('_') || body.ends_with('_') {
            return None;
        }
        let clean: String = body.chars().filter(|&c| c != '_').collect();
        if !clean.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return None;
        }
        clean.parse::<f64>().ok()?
    };
    // Go's ParseFloat refuses a finite text out of float64's range
    // (ErrRange, see parse_float), which makes `1e400` a parse error in Go's
    // templates.
    Some(if neg { -v } else { v })
}

/// `1.8p3` style: hex mantissa, binary exponent (required by Go).
fn parse_hex_float(s: &str) -> Option<f64> {
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (mant, exp) = clean.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_unquote() {
        assert_eq!(
            unquote(r#""a\tb\"c\x41\u00e9""#).as_deref(),
            Some("a\tb\"cAé")
        );
        assert_eq!(unquote("`a\\n`").as_deref(), Some("a\\n"));
        // Byte escapes are bytes: together they may make UTF-8, or not.
        assert_eq!(
            unquote_bytes(r#""\xe2\x82\xac""#),
            Some("€".as_bytes().to_vec())
        );
        assert_eq!(unquote_bytes(r#""\xff\377""#), Some(vec![0xff, 0xff]));
        assert_eq!(number(r"'\xff'", Form::Char), Ok(Ok(Value::Int(255))));
        assert_eq!(unquote(r#""\q""#), None);
        assert_eq!(unquote("'ab'"), None);
    }

    #[test]
    fn numbers_are_typed_as_go() {
        let n = |t| number(t, Form::Number).unwrap().unwrap();
        assert_eq!(n("1"), Value::Int(1));
        assert_eq!(n("1_000"), Value::Int(1000));
        assert_eq!(n("0x1F"), Value::Int(31));
        assert_eq!(n("0o17"), Value::Int(15));
        assert_eq!(n("017"), Value::Int(15));
        assert_eq!(n("0b101"), Value::Int(5));
        assert_eq!(n("-3"), Value::Int(-3));
        assert_eq!(n("1.5"), Value::Float(1.5));
        assert_eq!(n("1e3"), Value::Float(1000.0));
        assert_eq!(n("0x1p4"), Value::Float(16.0));
        // Out of float64's range: Go's parse error, not +Inf.
        assert_eq!(
            number("1e400", Form::Number).unwrap_err(),
            "illegal number syntax: \"1e400\""
        );
        assert_eq!(number("'a'", Form::Char).unwrap().unwrap(), Value::Int(97));
        assert_eq!(
            number("'\\n'", Form::Char).unwrap().unwrap(),
            Value::Int(10)
        );
        assert_eq!(
            number("'ab'", Form::Char).unwrap_err(),
            "malformed character constant: 'ab'"
        );
        assert!(number("18446744073709551615", Form::Number)
            .unwrap()
            .is_err());
        assert!(number("1__0", Form::Number).is_err());
        assert!(number("-", Form::Number).is_err());
        // Complex constants, and fmt.Sscan's complaints about the pair.
        assert_eq!(
            number("-1.5e3-2.5i", Form::Complex),
            Ok(Ok(Complex::value(-1500.0, -2.5)))
        );
        assert_eq!(number("2i", Form::Number), Ok(Ok(Complex::value(0.0, 2.0))));
        let scanning = "syntax error scanning complex number";
        assert_eq!(number("1+i", Form::Complex).unwrap_err(), scanning);
        assert_eq!(number("1i+2i", Form::Complex).unwrap_err(), scanning);
        assert_eq!(
            number("1+1e400i", Form::Complex).unwrap_err(),
            "value out of range"
        );
        assert_eq!(
            number("0x10+0x1p1i", Form::Complex).unwrap_err(),
            "invalid syntax"
        );
        assert!(number("0x1i", Form::Number).is_err());
    }
}
