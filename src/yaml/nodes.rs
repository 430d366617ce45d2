//! The two trees the emitter writes: template values (`toYaml`) and JSON data
//! (manifests re-emitted by overlays).
//!
//! Helm's `toYaml` is sigs.k8s.io/yaml's `Marshal`: Go's `json.Marshal`, then
//! go-yaml v2 reads that JSON back and writes it. The round trip shows in the
//! output, and this module reproduces it without doing it:
//! - numbers are JSON text read back by YAML rules, so 1e20 prints `1e+20` but
//!   1e19 prints `10000000000000000000`, and -0 prints `0`;
//! - map keys are sorted by go-yaml v2's "natural" order (`a2` before `a10`);
//! - a raw NEL (U+0085) in a string is folded by the YAML reader like a line
//!   break, and characters YAML may not contain at all make the whole call fail.

use super::emitter::{Node, Shape};
use super::json::go_json_float;
use super::resolve::{resolve_plain, Resolved};
use crate::value::Value;
use std::borrow::Cow;
use std::cmp::Ordering;

impl Node for Value {
    fn shape(&self) -> Result<Shape<'_, Value>, String> {
        Ok(match self {
            Value::Nil => Shape::Null,
            Value::Bool(b) => Shape::Bool(*b),
            Value::Int(i) | Value::Int64(i) => Shape::Number(i.to_string()),
            Value::Float(f) => Shape::Number(float_via_json(*f)?),
            Value::String(s) => Shape::Str(through_json(s)?),
            Value::RawString(r) => Shape::Str(through_json(r.text())?),
            Value::Bytes(b) => {
                use base64::Engine;
                Shape::Str(Cow::Owned(
                    base64::engine::general_purpose::STANDARD.encode(b),
                ))
            }
            Value::List(items) => Shape::Seq(items.iter().map(Cow::Borrowed).collect()),
            Value::Map(m, _) => {
                // Maps are shared and mutable: write from a snapshot.
                let mut entries = Vec::with_capacity(m.len());
                for (k, v) in m.iter() {
                    let key = match through_json(&k)? {
                        Cow::Borrowed(_) => k,
                        Cow::Owned(folded) => folded,
                    };
                    entries.push((Cow::Owned(key), Cow::Owned(v)));
                }
                entries.sort_by(|a, b| v2_key_order(&a.0, &b.0));
                Shape::Map(entries)
            }
            // sigs.k8s.io/yaml's json.Marshal refuses it first.
            Value::Object(o) if o.unencodable() => {
                return Err(format!(
                    "error marshaling into JSON: json: unsupported type: {}",
                    o.type_name()
                ))
            }
            Value::Object(o) => match o.to_plain() {
                Some(v) => owned_shape(v)?,
                None => Shape::Str(Cow::Owned(o.format())),
            },
        })
    }
}

/// The shape of a value made on the fly (an object's plain form).
fn owned_shape(v: Value) -> Result<Shape<'static, Value>, String> {
    Ok(match v {
        Value::List(items) => Shape::Seq(items.iter().cloned().map(Cow::Owned).collect()),
        Value::Map(m, _) => {
            let mut entries = Vec::with_capacity(m.len());
            for (k, v) in m.iter() {
                entries.push((Cow::Owned(through_json(&k)?.into_owned()), Cow::Owned(v)));
            }
            entries.sort_by(|a, b| v2_key_order(&a.0, &b.0));
            Shape::Map(entries)
        }
        other => match other.shape()? {
            Shape::Null => Shape::Null,
            Shape::Bool(b) => Shape::Bool(b),
            Shape::Number(n) => Shape::Number(n),
            Shape::Str(s) => Shape::Str(Cow::Owned(s.into_owned())),
            // Lists and maps were handled above.
            Shape::Seq(_) | Shape::Map(_) => Shape::Null,
        },
    })
}

/// A value as go-yaml v3 writes it directly (Helm's `toYamlPretty`): no JSON
/// round trip, so numbers keep their Go type and strings pass untouched.
#[derive(Clone)]
pub(crate) struct V3(pub Value);

impl Node for V3 {
    fn shape(&self) -> Result<Shape<'_, V3>, String> {
        let own = |v: &Value| Cow::Owned(V3(v.clone()));
        Ok(match &self.0 {
            Value::Nil => Shape::Null,
            Value::Bool(b) => Shape::Bool(*b),
            Value::Int(i) | Value::Int64(i) => Shape::Number(i.to_string()),
            Value::Float(f) => Shape::Number(yaml_float(*f)),
            Value::String(s) => Shape::Str(Cow::Borrowed(s)),
            Value::RawString(r) => Shape::Str(Cow::Borrowed(r.text())),
            Value::Bytes(b) => {
                use base64::Engine;
                Shape::Str(Cow::Owned(
                    base64::engine::general_purpose::STANDARD.encode(b),
                ))
            }
            Value::List(items) => Shape::Seq(items.iter().map(own).collect()),
            Value::Map(m, _) => {
                let mut entries: Vec<_> = m
                    .iter()
                    .map(|(k, v)| (Cow::Owned(k), Cow::Owned(V3(v))))
                    .collect();
                entries.sort_by(|a, b| v2_key_order(&a.0, &b.0));
                Shape::Map(entries)
            }
            // go-yaml v3 cannot marshal it either.
            Value::Object(o) if o.unencodable() => {
                return Err(format!("cannot marshal type: {}", o.type_name()))
            }
            Value::Object(o) => match o.to_plain() {
                Some(v) => match V3(v).shape()? {
                    Shape::Seq(items) => Shape::Seq(
                        items
                            .into_iter()
                            .map(|c| Cow::Owned(c.into_owned()))
                            .collect(),
                    ),
                    Shape::Map(entries) => Shape::Map(
                        entries
                            .into_iter()
                            .map(|(k, c)| (Cow::Owned(k.into_owned()), Cow::Owned(c.into_owned())))
                            .collect(),
                    ),
                    Shape::Str(s) => Shape::Str(Cow::Owned(s.into_owned())),
                    Shape::Null => Shape::Null,
                    Shape::Bool(b) => Shape::Bool(b),
                    Shape::Number(n) => Shape::Number(n),
                },
                None => Shape::Str(Cow::Owned(o.format())),
            },
        })
    }
}

impl Node for serde_json::Value {
    fn shape(&self) -> Result<Shape<'_, serde_json::Value>, String> {
        use serde_json::Value as J;
        Ok(match self {
            J::Null => Shape::Null,
            J::Bool(b) => Shape::Bool(*b),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Shape::Number(i.to_string())
                } else if let Some(u) = n.as_u64() {
                    Shape::Number(u.to_string())
                } else {
                    Shape::Number(float_via_json(n.as_f64().unwrap_or(0.0))?)
                }
            }
            J::String(s) => Shape::Str(through_json(s)?),
            J::Array(a) => Shape::Seq(a.iter().map(Cow::Borrowed).collect()),
            J::Object(o) => {
                let mut entries = Vec::with_capacity(o.len());
                for (k, v) in o {
                    entries.push((through_json(k)?, Cow::Borrowed(v)));
                }
                Shape::Map(entries)
            }
        })
    }
}

/// A float64 as `json.Marshal` prints it, read back by go-yaml and printed
/// again: integral values within 64 bits print as integers, the rest with
/// Go's `%g`.
pub(crate) fn float_via_json(f: f64) -> Result<String, String> {
    let text = go_json_float(f)?;
    Ok(match resolve_plain(&text) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(x) => yaml_float(x),
        _ => text,
    })
}

/// go-yaml's float text: `strconv.FormatFloat(f, 'g', -1, 64)`, with its
/// names for infinities and NaN.
pub(crate) fn yaml_float(x: f64) -> String {
    if x.is_nan() {
        return ".nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    crate::strconv::format_float_g(x)
}

/// A string as go-yaml reads it back out of `json.Marshal`'s text: a raw NEL
/// folds like a line break (with the spaces around it), and characters the
/// YAML reader refuses make the whole conversion fail.
pub(crate) fn through_json(s: &str) -> Result<Cow<'_, str>, String> {
    // Every key and string of a manifest comes here: printable ASCII is
    // neither refused nor folded.
    if super::emitter::ascii_within(s.as_bytes(), 0x20, 0x7E) {
        return Ok(Cow::Borrowed(s));
    }
    let mut needs_fold = false;
    for c in s.chars() {
        let v = c as u32;
        // Go escapes controls below 0x20 and U+2028/2029 in JSON; these are
        // left raw and libyaml's reader rejects them.
        if v == 0x7F || (0x80..=0x9F).contains(&v) && v != 0x85 || v == 0xFFFE || v == 0xFFFF {
            return Err(
                "error converting JSON to YAML: yaml: control characters are not allowed".into(),
            );
        }
        if v == 0x85 {
            needs_fold = true;
        }
    }
    if !needs_fold {
        return Ok(Cow::Borrowed(s));
    }
    // Runs of spaces and NELs that hold at least one NEL: one NEL folds to a
    // space, k NELs to k-1 newlines; the spaces around them are dropped.
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' || chars[i] == '\u{85}' {
            let start = i;
            let mut nels = 0;
            while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
                if chars[i] == '\u{85}' {
                    nels += 1;
                }
                i += 1;
            }
            if nels == 0 {
                out.extend(&chars[start..i]);
            } else if nels == 1 {
                out.push(' ');
            } else {
                for _ in 1..nels {
                    out.push('\n');
                }
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    Ok(Cow::Owned(out))
}

/// go-yaml v2's key order (sorter.go): letters compare by code point, a
/// non-letter sorts before a letter, and runs of digits compare as numbers.
pub(crate) fn v2_key_order(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if v2_less(a, b) {
        Ordering::Less
    } else if v2_less(b, a) {
        Ordering::Greater
    } else {
        // Equivalent for the sorter (e.g. "01" and "1"); keep byte order so
        // the result is deterministic.
        a.cmp(b)
    }
}

fn v2_less(a: &str, b: &str) -> bool {
    // Keys are nearly always ASCII: compare bytes then, without allocating.
    if a.is_ascii() && b.is_ascii() {
        return v2_less_units(
            a.as_bytes(),
            b.as_bytes(),
            |c| c.is_ascii_alphabetic(),
            |c| *c as u32,
        );
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    v2_less_units(&ar, &br, |c| c.is_alphabetic(), |c| *c as u32)
}

/// The sorter's comparison over code units (bytes of ASCII strings or chars).
fn v2_less_units<T: PartialEq + Copy>(
    ar: &[T],
    br: &[T],
    is_letter: impl Fn(&T) -> bool,
    code: impl Fn(&T) -> u32,
) -> bool {
    let digit = |c: &T| (b'0' as u32..=b'9' as u32).contains(&code(c));
    let zero = b'0' as u32;
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = is_letter(&ar[i]);
        let bl = is_letter(&br[i]);
        if al && bl {
            return code(&ar[i]) < code(&br[i]);
        }
        if al || bl {
            return bl;
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if code(&ar[i]) == zero || code(&br[i]) == zero {
            let mut j = i;
            while j > 0 {
                j -= 1;
                if !digit(&ar[j]) {
                    break;
                }
                if code(&ar[j]) != zero {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && digit(&ar[ai]) {
            an = an
                .wrapping_mul(10)
                .wrapping_add((code(&ar[ai]) - zero) as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && digit(&br[bi]) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add((code(&br[bi]) - zero) as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return code(&ar[i]) < code(&br[i]);
    }
    ar.len() < br.len()
}
