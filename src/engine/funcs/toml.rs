//! `toToml` as Helm writes it (BurntSushi/toml's encoder) and `fromToml`.
//!
//! The encoder's layout: plain keys of a table first, then its sub-tables
//! and arrays of tables, each group sorted; nested headers indented two
//! spaces a level; a blank line before each top-level table; floats with
//! Go's `%g` and a `.0` added when that has neither point nor exponent; nil
//! values left out; `time.Time` written bare, as a TOML date-time.
//!
//! `fromToml` gives BurntSushi's values: date-times are `time.Time`s, the
//! local ones (no offset) in the zones it names `datetime-local`,
//! `date-local` and `time-local`. Its parser is chartfix's own (`toml/`),
//! after BurntSushi's, so that it accepts what Helm accepts and words its
//! errors as Helm does.

use crate::engine::funcs::dates::gotime::GoTime;
use crate::engine::funcs::dates::tz::Zone;
use crate::strconv::format_float_g;
use crate::value::{meter, Map, Object, Value};

mod go;
mod lex;
mod parse;
mod scalar;

/// BurntSushi's zones for the TOML date-times that have no offset: fixed at
/// UTC, told apart by name.
const LOCAL_DATETIME: &str = "datetime-local";
const LOCAL_DATE: &str = "date-local";
const LOCAL_TIME: &str = "time-local";

const MAX_TOML_DEPTH: usize = 250;

struct Encoder {
    out: String,
}

/// BurntSushi's `Encoder.Encode`; the error text is what Helm prints instead.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let mut e = Encoder { out: String::new() };
    e.encode(&[], &plain(v), 0)?;
    Ok(e.out)
}

/// Objects encode as their plain form, but for times (a TOML date-time) and
/// what the encoder refuses (`complex128`), which stay as they are.
fn plain(v: &Value) -> Value {
    match v {
        Value::Object(o) if o.unencodable() || time_of(o.as_ref()).is_some() => v.clone(),
        Value::Object(o) => o.to_plain().unwrap_or_else(|| Value::from(o.format())),
        other => other.clone(),
    }
}

fn time_of(o: &dyn Object) -> Option<&GoTime> {
    o.as_any().downcast_ref::<GoTime>()
}

/// BurntSushi's `tomlTypeOfGo` refusing a type it has no TOML for.
fn refuse(v: &Value) -> Result<(), String> {
    match v {
        Value::Object(o) if o.unencodable() => Err(format!("unsupported type: {}", o.type_name())),
        _ => Ok(()),
    }
}

/// A charge on the template's meter for each value written, as `toYaml`
/// and `toJson` do: a map shared at every level is a huge tree.
fn charge() -> Result<(), String> {
    if meter::charge(1) {
        Ok(())
    } else {
        Err("toml: stopped at the template's step limit".to_string())
    }
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_, _))
}

/// An array all of whose elements are tables is written as `[[key]]` blocks.
fn is_table_array(v: &Value) -> Result<bool, String> {
    let Value::List(items) = v else {
        return Ok(false);
    };
    if items.is_empty() {
        return Ok(false);
    }
    let mut all = true;
    for item in items.iter() {
        let item = plain(item);
        refuse(&item)?;
        match item {
            Value::Nil => return Err("toml: cannot encode array with nil element".into()),
            Value::Map(_, _) => {}
            _ => all = false,
        }
    }
    Ok(all)
}

impl Encoder {
    /// Go's `enc.newline()`: a newline, unless nothing was written yet.
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(&mut self, key: &[&str]) {
        for _ in 1..key.len() {
            self.out.push_str("  ");
        }
    }

    fn encode(&mut self, key: &[&str], v: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_TOML_DEPTH {
            return Err(format!("toml: exceeded max depth of {MAX_TOML_DEPTH}"));
        }
        charge()?;
        match v {
            Value::Nil => Ok(()),
            Value::Object(o) if o.unencodable() => Err(format!(
                "unsupported type for key '{}': {}",
                key.join("."),
                o.type_name()
            )),
            Value::Map(m, _) => self.table(key, m, depth),
            Value::List(_) if is_table_array(v)? => self.array_of_tables(key, v, depth),
            _ => self.key_value(key, v, false, depth),
        }
    }

    fn key_value(
        &mut self,
        key: &[&str],
        v: &Value,
        inline: bool,
        depth: usize,
    ) -> Result<(), String> {
        if let Some(last) = key.last() {
            self.indent(key);
            self.out.push_str(&quote_key(last));
            self.out.push_str(" = ");
        }
        self.element(v, depth)?;
        if !key.is_empty() && !inline {
            self.newline();
        }
        Ok(())
    }

    fn table(&mut self, key: &[&str], m: &Map, depth: usize) -> Result<(), String> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            self.indent(key);
            self.out.push('[');
            self.out.push_str(&header(key));
            self.out.push(']');
            self.newline();
        }
        self.entries(key, m, false, depth)
    }

    /// Plain keys first, then sub-tables and arrays of tables, each sorted
    /// (the map is already sorted by key bytes, as Go's sort of strings is).
    fn entries(&mut self, key: &[&str], m: &Map, inline: bool, depth: usize) -> Result<(), String> {
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, v) in m.iter() {
            let v = plain(&v);
            refuse(&v)?;
            if is_table(&v) || is_table_array(&v)? {
                sub.push((k, v));
            } else {
                direct.push((k, v));
            }
        }
        let has_sub = !sub.is_empty();
        for (group, trailing_comma) in [(direct, has_sub), (sub, false)] {
            // Nil values are skipped where they stand: the comma logic still
            // counts them, so an inline table can end in ", }" as Helm's does.
            let n = group.len();
            for (i, (k, v)) in group.into_iter().enumerate() {
                if v.is_nil() {
                    continue;
                }
                let mut child: Vec<&str> = key.to_vec();
                child.push(&k);
                if inline {
                    self.key_value(&child, &v, true, depth + 1)?;
                    if trailing_comma || i + 1 != n {
                        self.out.push_str(", ");
                    }
                } else {
                    self.encode(&child, &v, depth + 1)?;
                }
            }
        }
        Ok(())
    }

    fn array_of_tables(&mut self, key: &[&str], v: &Value, depth: usize) -> Result<(), String> {
        let Value::List(items) = v else {
            return Ok(());
        };
        for item in items.iter() {
            let Value::Map(m, _) = plain(item) else {
                continue;
            };
            self.newline();
            self.indent(key);
            self.out.push_str("[[");
            self.out.push_str(&header(key));
            self.out.push_str("]]");
            self.newline();
            self.entries(key, &m, false, depth + 1)?;
        }
        Ok(())
    }

    fn element(&mut self, v: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_TOML_DEPTH {
            return Err(format!("toml: exceeded max depth of {MAX_TOML_DEPTH}"));
        }
        charge()?;
        let v = plain(v);
        refuse(&v)?;
        match v {
            Value::String(s) => quote_into(&mut self.out, &s),
            Value::RawString(r) => quote_into(&mut self.out, r.text()),
            Value::Bytes(b) => {
                // A []byte is a slice of integers to the encoder.
                let parts: Vec<String> = b.iter().map(|x| x.to_string()).collect();
                self.out.push('[');
                self.out.push_str(&parts.join(", "));
                self.out.push(']');
            }
            Value::Bool(b) => self.out.push_str(if b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => self.out.push_str(&i.to_string()),
            Value::Float(f) => self.out.push_str(&toml_float(f)),
            Value::List(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.element(item, depth + 1)?;
                }
                self.out.push(']');
            }
            Value::Map(m, _) => {
                self.out.push('{');
                self.entries(&[], &m, true, depth + 1)?;
                self.out.push('}');
            }
            Value::Nil => return Err("toml: cannot encode a nil value".into()),
            Value::Object(o) => match time_of(o.as_ref()) {
                Some(t) => self.out.push_str(&toml_datetime(t)),
                None => quote_into(&mut self.out, &o.format()),
            },
        }
        Ok(())
    }
}

/// BurntSushi's date-time: RFC 3339 with nanoseconds, or for the local
/// kinds only the parts they have.
fn toml_datetime(t: &GoTime) -> String {
    let local = t.offset == 0;
    t.format(match t.zone.as_str() {
        LOCAL_DATETIME if local => "2006-01-02T15:04:05.999999999",
        LOCAL_DATE if local => "2006-01-02",
        LOCAL_TIME if local => "15:04:05.999999999",
        _ => "2006-01-02T15:04:05.999999999Z07:00",
    })
}

fn toml_float(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    let s = format_float_g(f);
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

fn is_bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn quote_key(k: &str) -> String {
    if is_bare(k) {
        k.to_string()
    } else {
        let mut s = String::new();
        quote_into(&mut s, k);
        s
    }
}

/// A key path as BurntSushi prints it, in table headers and in error
/// messages (`Key.String()`): each part bare when it can be, else quoted.
fn header(key: &[&str]) -> String {
    key.iter()
        .map(|k| quote_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// A TOML basic string with BurntSushi's escapes.
fn quote_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7F => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Helm's `fromToml`: a TOML document as a map (integers stay `Int`), or
/// BurntSushi's error text.
pub fn from_toml(src: &[u8]) -> Result<Value, String> {
    let table = parse::parse(src).map_err(|e| e.to_string())?;
    Ok(from_table(table))
}

fn from_table(t: parse::Table) -> Value {
    Value::map(t.into_iter().map(|(k, v)| (k, from_node(v))).collect())
}

fn from_node(v: parse::Node) -> Value {
    use parse::Node;
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || match v {
        Node::Str(s) => Value::from(s.as_str()),
        Node::Int(i) => Value::Int64(i),
        Node::Float(f) => Value::Float(f),
        Node::Bool(b) => Value::Bool(b),
        Node::DateTime(d) => from_toml_datetime(&d),
        Node::Table(t) => from_table(t),
        Node::Tables(ts) => Value::list(ts.into_iter().map(from_table).collect()),
        Node::Array(a) => {
            let items = std::rc::Rc::try_unwrap(a).unwrap_or_else(|shared| (*shared).clone());
            Value::list(items.into_iter().map(from_node).collect())
        }
    })
}

/// A TOML date-time as BurntSushi decodes it, a `time.Time`: with `Z` in
/// UTC; with an offset in the machine's zone when that has the offset then,
/// else in a zone with no name; without one in its local kind's zone (a
/// time alone on 0000-01-01).
fn from_toml_datetime(d: &scalar::DateTime) -> Value {
    let (year, month, day) = d.date.unwrap_or((0, 1, 1));
    let (hour, minute, second, nanos) = d.time.unwrap_or((0, 0, 0, 0));
    // The parser checked every field against Go's calendar.
    let Some(civil) = chrono::NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|x| x.and_hms_opt(hour, minute, second))
    else {
        return Value::Nil;
    };
    let civil = civil.and_utc().timestamp();
    let fixed = |unix: i64, offset: i32, zone: &str| GoTime {
        unix,
        nanos,
        offset,
        zone: zone.to_string(),
        mono: None,
    };
    let t = match d.zone {
        scalar::Zone::Utc => fixed(civil, 0, "UTC"),
        scalar::Zone::Offset(offset) => {
            let unix = civil - offset as i64;
            let (local, name) = Zone::local().lookup(unix);
            fixed(unix, offset, if local == offset { &name } else { "" })
        }
        scalar::Zone::Local => {
            let zone = match (d.date, d.time) {
                (Some(_), Some(_)) => LOCAL_DATETIME,
                (Some(_), None) => LOCAL_DATE,
                _ => LOCAL_TIME,
            };
            fixed(civil, 0, zone)
        }
    };
    Value::object(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_helm_to_toml() {
        let v = crate::yaml::from_str(include_str!("testdata/toml.yaml")).unwrap();
        assert_eq!(to_toml(&v).unwrap(), include_str!("testdata/toml.out"));
        let v = crate::yaml::from_str(include_str!("testdata/toml2.yaml")).unwrap();
        assert_eq!(to_toml(&v).unwrap(), include_str!("testdata/toml2.out"));
        let inline = crate::yaml::from_str("t: [1, {a: 1, b: 2, c: null}]").unwrap();
        assert_eq!(
            to_toml(&inline).unwrap(),
            "t = [1.0, {a = 1.0, b = 2.0, }]\n"
        );
        let l = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(to_toml(&l).unwrap(), "[1, 2]");
    }

    #[test]
    fn dates_are_go_times_and_go_back_bare() {
        let v = from_toml(b"t = 1979-05-27T07:32:00Z\nd = 1979-05-27\nl = 07:32:00.5\n").unwrap();
        assert_eq!(v.get("t").type_name(), "time.Time");
        assert_eq!(v.get("t").to_string(), "1979-05-27 07:32:00 +0000 UTC");
        assert_eq!(
            v.get("d").to_string(),
            "1979-05-27 00:00:00 +0000 date-local"
        );
        assert_eq!(
            v.get("l").to_string(),
            "0000-01-01 07:32:00.5 +0000 time-local"
        );
        assert_eq!(
            to_toml(&v).unwrap(),
            "d = 1979-05-27\nl = 07:32:00.5\nt = 1979-05-27T07:32:00Z\n"
        );
        // What the encoder cannot write, in BurntSushi's words.
        let c = crate::value::complex::Complex::value(0.0, 1.0);
        assert_eq!(
            to_toml(&c).unwrap_err(),
            "unsupported type for key '': complex128"
        );
        let m = Value::map(Map::from_iter([("a".to_string(), c)]));
        assert_eq!(to_toml(&m).unwrap_err(), "unsupported type: complex128");
    }

    #[test]
    fn from_toml_keeps_integers() {
        let v = from_toml(b"a = 1\nb = 1.5\n[t]\nc = \"x\"\n").unwrap();
        assert_eq!(v.get("a"), Value::Int64(1));
        assert_eq!(v.get("b"), Value::Float(1.5));
        assert_eq!(v.get("t").get("c"), Value::from("x"));
        assert!(from_toml(b"a = ").is_err());
    }

    #[test]
    fn from_toml_words_errors_as_helm() {
        let err = |s: &str| from_toml(s.as_bytes()).unwrap_err();
        assert_eq!(
            err("one"),
            "toml: line 1: unexpected EOF; expected key separator '='"
        );
        assert_eq!(
            err("bad ==="),
            "toml: line 1 (last key \"bad\"): expected value but found '=' instead"
        );
        assert_eq!(
            err("[x.\"a b\"]\nc = 1\nc = 2"),
            "toml: line 3 (last key \"x.\\\"a b\\\".c\"): Key 'x.\"a b\".c' has already been defined."
        );
        // At the end of input a bad escape is on the line before: line 0.
        assert_eq!(
            err("a = \"\\"),
            "toml: line 0 (last key \"a\"): invalid escape in string '\\\0'"
        );
        assert_eq!(
            from_toml(b"a = \"\xff\"").unwrap_err(),
            "toml: line 1 (last key \"a\"): invalid UTF-8 byte: 0xff"
        );
        // BurntSushi's leniency: a table a dotted key made can be opened.
        let v = from_toml(b"a.b = 1\n[a]\nc = 2").unwrap();
        assert_eq!(v.get("a").get("c"), Value::Int64(2));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let h = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let n = 100_000;
                let arrays = format!("a = {}{}", "[".repeat(n), "]".repeat(n));
                let tables = format!("a = {}1{}", "{b=".repeat(n), "}".repeat(n));
                let deep = from_toml(arrays.as_bytes()).unwrap_err();
                let deep2 = from_toml(tables.as_bytes()).unwrap_err();
                let n = parse::MAX_NESTING;
                let ok = format!("a = {}{}", "[".repeat(n), "]".repeat(n));
                (deep, deep2, from_toml(ok.as_bytes()).is_ok())
            })
            .unwrap();
        let (deep, deep2, ok) = h.join().unwrap();
        assert!(deep.contains("nested deeper than"), "{deep}");
        assert!(deep2.contains("nested deeper than"), "{deep2}");
        assert!(ok);
    }

    #[test]
    fn cycles_and_deep_values_fail_cleanly() {
        let m = std::sync::Arc::new(Map::new());
        m.insert("self", Value::Map(m.clone(), None));
        assert!(to_toml(&Value::Map(m.clone(), None)).is_err());
        m.remove("self");
        let v = crate::value::nested_maps(1000);
        let h = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || to_toml(&v).is_err())
            .unwrap();
        assert!(h.join().unwrap());
    }
}
