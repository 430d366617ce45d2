//! Go's `encoding/json` as templates see it: `toJson` (sorted keys, `<`, `>`,
//! `&`, U+2028 and U+2029 escaped), `toPrettyJson` (two-space indent),
//! `toRawJson` (no HTML escaping), and `fromJson` (every number a float64).

use crate::engine::value::{Map, Value};

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

const MAX_JSON_DEPTH: usize = 500;

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
        return Err(format!("json: exceeded max depth of {MAX_JSON_DEPTH}"));
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&go_json_float(*f)?),
        Value::String(s) => write_string(out, s, html),
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
        Value::Map(m) => write_map(out, m, html, indent, level, depth)?,
        Value::Object(o) => match o.to_plain() {
            Some(p) => write_value(out, &p, html, indent, level, depth + 1)?,
            None => write_string(out, &o.format(), html),
        },
    }
    Ok(())
}

fn write_map(
    out: &mut String,
    m: &Map,
    html: bool,
    indent: Option<&str>,
    level: usize,
    depth: usize,
) -> Result<(), String> {
    if m.is_empty() {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    // The map is sorted by key bytes, as Go sorts map keys.
    for (i, (k, val)) in m.iter().enumerate() {
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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
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
    out.push('"');
}

/// `json.Unmarshal` into `interface{}`: objects become maps, every number a
/// float64. Errors read like Go's where it matters most.
pub fn from_json(src: &str) -> Result<Value, String> {
    let v: serde_json::Value = serde_json::from_str(src).map_err(|e| go_json_error(src, &e))?;
    check_depth(&v, 0)?;
    Ok(Value::from_json(&v))
}

fn check_depth(v: &serde_json::Value, depth: usize) -> Result<(), String> {
    if depth > MAX_JSON_DEPTH {
        return Err(format!("json: exceeded max depth of {MAX_JSON_DEPTH}"));
    }
    match v {
        serde_json::Value::Array(a) => a.iter().try_for_each(|x| check_depth(x, depth + 1)),
        serde_json::Value::Object(o) => o.values().try_for_each(|x| check_depth(x, depth + 1)),
        _ => Ok(()),
    }
}

/// Go's wording for the common syntax errors (`unexpected end of JSON input`,
/// `invalid character 'x' looking for beginning of value`).
fn go_json_error(src: &str, e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    // serde_json reports 1-based line and column of the offending character.
    let line = src.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
    let c = line.chars().nth(e.column().saturating_sub(1));
    let msg = e.to_string();
    match c {
        Some(c) if msg.starts_with("trailing characters") => {
            format!(
                "invalid character {} after top-level value",
                go_quote_char(c)
            )
        }
        Some(c) if msg.starts_with("expected value") => {
            format!(
                "invalid character {} looking for beginning of value",
                go_quote_char(c)
            )
        }
        Some(c) if msg.starts_with("key must be a string") => format!(
            "invalid character {} looking for beginning of object key string",
            go_quote_char(c)
        ),
        Some(c) => format!(
            "invalid character {} {}",
            go_quote_char(c),
            strip_position(&msg)
        ),
        None => strip_position(&msg),
    }
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Go's `quoteChar`: `'x'`, with `'\''` and `'"'` spelled as Go does.
fn go_quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c if c.is_control() => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
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
}
