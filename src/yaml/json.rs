//! Go's `encoding/json` as templates see it: `toJson` (sorted keys, `<`, `>`,
//! `&`, U+2028 and U+2029 escaped), `toPrettyJson` (two-space indent),
//! `toRawJson` (no HTML escaping), and `fromJson` (every number a float64).

use crate::value::Value;

/// How `json.Marshal` writes a float64: `%f`-style between 1e-6 and 1e21,
/// exponent form outside (`1e-07`, `1e+21`); NaN and infinities are errors.
pub(crate) fn go_json_float(f: f64) -> Result<String, String> {
    if f.is_nan() || f.is_infinite() {
        let name = if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        return Err(format!("json: unsupported value: {name}"));
    }
    if f == 0.0 {
        return Ok(if f.is_sign_negative() { "-0" } else { "0" }.into());
    }
    let abs = f.abs();
    if !(1e-6..1e21).contains(&abs) {
        // Shortest digits in exponent form; Go trims "e-07" to "e-7".
        let e = format!("{:e}", f);
        let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        let a = exp.unsigned_abs();
        // Go's 'e' keeps two exponent digits; encoding/json then trims
        // "e-07" to "e-7" (only for negative exponents).
        let exp_digits = if a < 10 && sign == '+' {
            format!("0{a}")
        } else {
            a.to_string()
        };
        return Ok(format!("{mantissa}e{sign}{exp_digits}"));
    }
    // Rust's Display for f64 is the shortest round-trip digits without an
    // exponent, which is what Go's 'f' with precision -1 prints.
    Ok(format!("{}", f))
}

/// `json.Marshal(v)`, or with `indent` `json.MarshalIndent(v, "", indent)`;
/// `escape_html` false is an encoder with `SetEscapeHTML(false)`.
pub fn to_json(v: &Value, escape_html: bool, indent: Option<&str>) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v, escape_html, indent, 0, 0)?;
    Ok(out)
}

/// Nesting `toJson` writes (as the YAML emitter, 500 levels); deeper fails.
pub const MAX_JSON_DEPTH: usize = 500;

fn newline(out: &mut String, indent: Option<&str>, level: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write_value(
    out: &mut String,
    v: &Value,
    html: bool,
    indent: Option<&str>,
    level: usize,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_JSON_DEPTH {
        crate::value::meter::too_deep();
        return Err(format!("json: exceeded max depth of {MAX_JSON_DEPTH}"));
    }
    // A step a value on the template's meter (see the YAML emitter).
    if !crate::value::meter::charge(1) {
        return Err("json: stopped at the template's step limit".to_string());
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&go_json_float(*f)?),
        Value::String(s) => write_string(out, s, html),
        Value::RawString(r) => write_raw_string(out, r.bytes(), html),
        Value::Bytes(b) => {
            use base64::Engine;
            write_string(
                out,
                &base64::engine::general_purpose::STANDARD.encode(b),
                html,
            )
        }
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_value(out, item, html, indent, level + 1, depth + 1)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        Value::Map(m, _) => write_entries(out, m.iter(), html, indent, level, depth)?,
        Value::Object(o) if o.unencodable() => {
            return Err(format!("json: unsupported type: {}", o.type_name()))
        }
        Value::Object(o) if o.struct_fields().is_some() => {
            let fields = o.struct_fields().unwrap_or_default();
            let entries = fields.into_iter().map(|(k, v)| (k.to_string(), v));
            write_entries(out, entries, html, indent, level, depth)?
        }
        Value::Object(o) => match o.to_plain() {
            Some(p) => write_value(out, &p, html, indent, level, depth + 1)?,
            None => write_string(out, &o.format(), html),
        },
    }
    Ok(())
}

/// An object's entries in the order given: a map's sorted by key bytes, as Go
/// sorts map keys; a struct's in the order Go declares its fields.
fn write_entries(
    out: &mut String,
    entries: impl ExactSizeIterator<Item = (String, Value)>,
    html: bool,
    indent: Option<&str>,
    level: usize,
    depth: usize,
) -> Result<(), String> {
    if entries.len() == 0 {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    for (i, (k, val)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, indent, level + 1);
        write_string(out, &k, html);
        out.push(':');
        if indent.is_some() {
            out.push(' ');
        }
        write_value(out, &val, html, indent, level + 1, depth + 1)?;
    }
    newline(out, indent, level);
    out.push('}');
    Ok(())
}

/// Go's string escaping: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
/// controls as `\u00XX`, U+2028/2029 always, `<`, `>`, `&` when escaping HTML.
pub(crate) fn write_string(out: &mut String, s: &str, html: bool) {
    out.push('"');
    push_escaped(out, s, html);
    out.push('"');
}

/// [`write_string`] of a Go string that is not UTF-8: Go's encoder writes
/// each invalid byte as the escape `\ufffd`.
fn write_raw_string(out: &mut String, bytes: &[u8], html: bool) {
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        push_escaped(out, chunk.valid(), html);
        for _ in chunk.invalid() {
            out.push_str("\\ufffd");
        }
    }
    out.push('"');
}

fn push_escaped(out: &mut String, s: &str, html: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xF] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(HEX[(c as usize) >> 4] as char);
                out.push(HEX[(c as usize) & 0xF] as char);
            }
            c => out.push(c),
        }
    }
}

/// `json.Unmarshal` into `interface{}`: objects become maps, every number a
/// float64. Syntax errors read as Go's scanner words them.
pub fn from_json(src: &str) -> Result<Value, String> {
    super::check_json_size(src)?;
    let huge = go_json_check(src.as_bytes())?;
    if let Some(number) = huge {
        return Err(format!(
            "json: cannot unmarshal number {number} into Go value of type float64"
        ));
    }
    let v: serde_json::Value = serde_json::from_str(src)
        .map_err(|e| format!("json: {}", strip_position(&e.to_string())))?;
    Ok(Value::from_json(&v))
}

/// [`from_json`] that goes on past a number too large for a float64, as Go's
/// decoder does: such numbers read as null, and the error comes with the value
/// (Sprig's `fromJson` keeps both).
pub fn from_json_keeping(src: &str) -> Result<(Value, Option<String>), String> {
    super::check_json_size(src)?;
    let Some(number) = go_json_check(src.as_bytes())? else {
        return from_json(src).map(|v| (v, None));
    };
    let v: serde_json::Value = serde_json::from_str(&null_huge_numbers(src))
        .map_err(|e| format!("json: {}", strip_position(&e.to_string())))?;
    let error = format!("json: cannot unmarshal number {number} into Go value of type float64");
    Ok((Value::from_json(&v), Some(error)))
}

/// The JSON text with every number beyond a float64 replaced by `null`.
fn null_huge_numbers(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let (mut i, mut last) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &src[start..i];
                if token.parse::<f64>().is_ok_and(f64::is_infinite) {
                    out.push_str(&src[last..start]);
                    out.push_str("null");
                    last = i;
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&src[last.min(src.len())..]);
    out
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

#[derive(Clone, Copy)]
enum Open {
    Object,
    Array,
}

/// Go's JSON syntax check (`checkValid`), with its messages: the first
/// offending byte and what the scanner was looking for. At the end of input
/// the scanner is fed a space, so `tru` fails "in literal true" and `[1`
/// with "unexpected end of JSON input". Returns the first number too large
/// for a float64, which Go reports when decoding.
fn go_json_check(b: &[u8]) -> Result<Option<String>, String> {
    const EOF: &str = "unexpected end of JSON input";
    let bad = |c: u8, what: &str| format!("invalid character {} {what}", go_quote_char(c));
    // The byte at `i`, or the space Go feeds at the end of input.
    let at = |i: usize| b.get(i).copied().unwrap_or(b' ');
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut huge: Option<String> = None;
    let mut i = 0;
    'value: loop {
        if stack.len() > MAX_JSON_DEPTH {
            return Err(format!("json: exceeded max depth of {MAX_JSON_DEPTH}"));
        }
        ws(&mut i);
        if i >= b.len() {
            return Err(EOF.into());
        }
        match b[i] {
            b'{' => {
                i += 1;
                ws(&mut i);
                if i >= b.len() {
                    return Err(EOF.into());
                }
                if b[i] == b'}' {
                    i += 1;
                } else {
                    if b[i] != b'"' {
                        return Err(bad(b[i], "looking for beginning of object key string"));
                    }
                    i = go_json_string(b, i)?;
                    ws(&mut i);
                    if i >= b.len() {
                        return Err(EOF.into());
                    }
                    if b[i] != b':' {
                        return Err(bad(b[i], "after object key"));
                    }
                    i += 1;
                    stack.push(Open::Object);
                    continue 'value;
                }
            }
            b'[' => {
                i += 1;
                ws(&mut i);
                if i >= b.len() {
                    return Err(EOF.into());
                }
                if b[i] == b']' {
                    i += 1;
                } else {
                    stack.push(Open::Array);
                    continue 'value;
                }
            }
            b'"' => i = go_json_string(b, i)?,
            b'-' | b'0'..=b'9' => {
                let start = i;
                if b[i] == b'-' {
                    i += 1;
                    if !at(i).is_ascii_digit() {
                        return Err(bad(at(i), "in numeric literal"));
                    }
                }
                if b[i] == b'0' {
                    i += 1;
                } else {
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if i < b.len() && b[i] == b'.' {
                    i += 1;
                    if !at(i).is_ascii_digit() {
                        return Err(bad(at(i), "after decimal point in numeric literal"));
                    }
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                    i += 1;
                    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                        i += 1;
                    }
                    if !at(i).is_ascii_digit() {
                        return Err(bad(at(i), "in exponent of numeric literal"));
                    }
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let text = std::str::from_utf8(&b[start..i]).unwrap_or("");
                if huge.is_none() && text.parse::<f64>().is_ok_and(f64::is_infinite) {
                    huge = Some(text.to_string());
                }
            }
            c @ (b't' | b'f' | b'n') => {
                let word: &[u8] = match c {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                let name = std::str::from_utf8(word).unwrap_or("");
                for (k, &want) in word.iter().enumerate().skip(1) {
                    let got = at(i + k);
                    if got != want {
                        return Err(bad(
                            got,
                            &format!("in literal {name} (expecting {})", go_quote_char(want)),
                        ));
                    }
                }
                i += word.len();
            }
            c => return Err(bad(c, "looking for beginning of value")),
        }
        // A value is complete: close containers or move to the next element.
        loop {
            ws(&mut i);
            match stack.last() {
                None => {
                    return match b.get(i) {
                        Some(&c) => Err(bad(c, "after top-level value")),
                        None => Ok(huge),
                    };
                }
                Some(Open::Object) => match b.get(i) {
                    None => return Err(EOF.into()),
                    Some(b',') => {
                        i += 1;
                        ws(&mut i);
                        match b.get(i) {
                            None => return Err(EOF.into()),
                            Some(b'"') => {}
                            Some(&c) => {
                                return Err(bad(c, "looking for beginning of object key string"))
                            }
                        }
                        i = go_json_string(b, i)?;
                        ws(&mut i);
                        match b.get(i) {
                            None => return Err(EOF.into()),
                            Some(b':') => i += 1,
                            Some(&c) => return Err(bad(c, "after object key")),
                        }
                        continue 'value;
                    }
                    Some(b'}') => {
                        i += 1;
                        stack.pop();
                    }
                    Some(&c) => return Err(bad(c, "after object key:value pair")),
                },
                Some(Open::Array) => match b.get(i) {
                    None => return Err(EOF.into()),
                    Some(b',') => {
                        i += 1;
                        continue 'value;
                    }
                    Some(b']') => {
                        i += 1;
                        stack.pop();
                    }
                    Some(&c) => return Err(bad(c, "after array element")),
                },
            }
        }
    }
}

/// Scans a string starting at its opening quote; the index after its end.
fn go_json_string(b: &[u8], mut i: usize) -> Result<usize, String> {
    const EOF: &str = "unexpected end of JSON input";
    let bad = |c: u8, what: &str| format!("invalid character {} {what}", go_quote_char(c));
    i += 1;
    loop {
        let Some(&c) = b.get(i) else {
            return Err(EOF.into());
        };
        i += 1;
        match c {
            b'"' => return Ok(i),
            b'\\' => {
                let Some(&e) = b.get(i) else {
                    return Err(EOF.into());
                };
                i += 1;
                match e {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        for _ in 0..4 {
                            let Some(&h) = b.get(i) else {
                                return Err(EOF.into());
                            };
                            if !h.is_ascii_hexdigit() {
                                return Err(bad(h, "in \\u hexadecimal character escape"));
                            }
                            i += 1;
                        }
                    }
                    other => return Err(bad(other, "in string escape code")),
                }
            }
            c if c < 0x20 => return Err(bad(c, "in string literal")),
            _ => {}
        }
    }
}

/// Go's `quoteChar` of a byte: `'x'`, with quotes and controls escaped.
fn go_quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        0x07 => "'\\a'".into(),
        0x08 => "'\\b'".into(),
        0x0c => "'\\f'".into(),
        b'\n' => "'\\n'".into(),
        b'\r' => "'\\r'".into(),
        b'\t' => "'\\t'".into(),
        0x0b => "'\\v'".into(),
        c if c < 0x20 || c == 0x7f => format!("'\\x{c:02x}'"),
        c if (0x80..0xa0).contains(&c) => format!("'\\u{:04x}'", c as u32),
        c => format!("'{}'", c as char),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_encoding_json() {
        let cases = [
            (1.0, "1"),
            (1.5, "1.5"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-9, "1.5e-9"),
            (123456789.0, "123456789"),
            (-0.0, "-0"),
            (0.1, "0.1"),
            (1.2345e25, "1.2345e+25"),
        ];
        for (f, want) in cases {
            assert_eq!(go_json_float(f).unwrap(), want, "{f}");
        }
        assert!(go_json_float(f64::NAN).is_err());
    }

    #[test]
    fn strings_escape_as_go_does() {
        let mut out = String::new();
        write_string(&mut out, "a<b>&\"\\\n\u{1}\u{2028}é", true);
        assert_eq!(out, r#""a\u003cb\u003e\u0026\"\\\n\u0001\u2028é""#);
        let mut raw = String::new();
        write_string(&mut raw, "<&>", false);
        assert_eq!(raw, r#""<&>""#);
    }

    #[test]
    fn maps_sort_and_indent() {
        let v = crate::yaml::from_str("b: [1, {c: x}]\na: {}\n").unwrap();
        assert_eq!(
            to_json(&v, true, None).unwrap(),
            r#"{"a":{},"b":[1,{"c":"x"}]}"#
        );
        assert_eq!(
            to_json(&v, true, Some("  ")).unwrap(),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    {\n      \"c\": \"x\"\n    }\n  ]\n}"
        );
    }

    #[test]
    fn syntax_errors_read_as_go_scanner_words_them() {
        // Recorded from Helm's fromJson.
        let cases = [
            (
                "{\"a\": 1,}",
                "invalid character '}' looking for beginning of object key string",
            ),
            (
                "{a: 1}",
                "invalid character 'a' looking for beginning of object key string",
            ),
            ("[1, 2", "unexpected end of JSON input"),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "tru",
                "invalid character ' ' in literal true (expecting 'e')",
            ),
            ("\"abc", "unexpected end of JSON input"),
            ("{\"a\":1}x", "invalid character 'x' after top-level value"),
            (
                "{\"a\":1e400}",
                "json: cannot unmarshal number 1e400 into Go value of type float64",
            ),
            (
                "{\"a\": [1,]}",
                "invalid character ']' looking for beginning of value",
            ),
            (
                "{\"a\": \"\\x\"}",
                "invalid character 'x' in string escape code",
            ),
            (" ", "unexpected end of JSON input"),
            (
                "{\"a\":1} {\"b\":2}",
                "invalid character '{' after top-level value",
            ),
            ("{\"a\":-}", "invalid character '}' in numeric literal"),
            (
                "{\"a\":01}",
                "invalid character '1' after object key:value pair",
            ),
            (
                "{\"a\":1.}",
                "invalid character '}' after decimal point in numeric literal",
            ),
            (
                "{'a':1}",
                "invalid character '\\'' looking for beginning of object key string",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(from_json(src).unwrap_err(), want, "{src}");
        }
    }

    #[test]
    fn numbers_past_float64_read_as_null_beside_the_error() {
        let (v, err) =
            from_json_keeping(r#"{"a": [1, 1e999], "s": "1e999", "d": -2e400}"#).unwrap();
        assert_eq!(
            to_json(&v, false, None).unwrap(),
            r#"{"a":[1,null],"d":null,"s":"1e999"}"#
        );
        assert_eq!(
            err.as_deref(),
            Some("json: cannot unmarshal number 1e999 into Go value of type float64")
        );
        assert_eq!(from_json_keeping("[1]").unwrap().1, None);
    }
}
