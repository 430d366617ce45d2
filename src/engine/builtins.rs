//! Go's builtin template functions (`len`, `index`, `eq`, `printf`, …) and Helm's
//! `required`, `fail`, `lookup`, with Go's argument rules and error texts.
//!
//! `and`, `or`, `include` and `tpl` need the executor and live in [`exec`](super::exec);
//! their argument counts are checked here with the rest.

use super::ast::Builtin;
use super::error::{WARN_END, WARN_START};
use crate::gofmt;
use crate::value::complex::Complex;
use crate::value::{Map, Value};

/// Go's argument-count check, before any argument is evaluated. `explicit` is the
/// number of written arguments, `total` includes a piped value.
pub fn arity(b: Builtin, name: &str, explicit: usize, total: usize) -> Option<String> {
    use Builtin::*;
    // (fixed parameters, variadic)
    let (fixed, variadic) = match b {
        Not | Len | Fail => (1, false),
        Ne | Lt | Le | Gt | Ge | Include | Tpl | Required => (2, false),
        Lookup => (4, false),
        And | Or | Index | Slice | Printf | Eq | Call => (1, true),
        Print | Println | Html | Js | Urlquery => (0, true),
    };
    if variadic {
        (total < fixed).then(|| {
            format!("wrong number of args for {name}: want at least {fixed} got {explicit}")
        })
    } else {
        (total != fixed)
            .then(|| format!("wrong number of args for {name}: want {fixed} got {total}"))
    }
}

/// Whether parameter `i` of a builtin is typed `string` in Go.
pub fn string_param(b: Builtin, i: usize) -> bool {
    use Builtin::*;
    match b {
        Include | Tpl | Required | Fail | Printf => i == 0,
        Lookup => i < 4,
        _ => false,
    }
}

/// Calls a builtin that needs no executor state. Errors are the functions' own
/// messages; the caller adds `error calling NAME: `.
pub fn call(b: Builtin, args: &[Value]) -> Result<Value, String> {
    use Builtin::*;
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    match b {
        Not => Ok(Value::Bool(!arg(0).truthy())),
        Len => len(&plain(arg(0))).map(Value::Int),
        Index => index(&plain(arg(0)), args.get(1..).unwrap_or(&[])),
        Slice => slice(&plain(arg(0)), args.get(1..).unwrap_or(&[])),
        Print => Ok(Value::from(gofmt::sprint(args))),
        Println => Ok(Value::from(gofmt::sprintln(args))),
        Printf => {
            let format = arg(0);
            let format = format.as_str().unwrap_or("");
            Ok(Value::from(gofmt::sprintf(
                format,
                args.get(1..).unwrap_or(&[]),
            )))
        }
        Eq => eq(&arg(0), args.get(1..).unwrap_or(&[])).map(Value::Bool),
        Ne => eq(&arg(0), args.get(1..2).unwrap_or(&[])).map(|t| Value::Bool(!t)),
        Lt => lt(&arg(0), &arg(1)).map(Value::Bool),
        Le => le(&arg(0), &arg(1)).map(Value::Bool),
        Gt => le(&arg(0), &arg(1)).map(|t| Value::Bool(!t)),
        Ge => lt(&arg(0), &arg(1)).map(|t| Value::Bool(!t)),
        Html => Ok(Value::from(html_escape(&eval_args(args)))),
        Js => Ok(Value::from(js_escape(&eval_args(args)))),
        Urlquery => Ok(Value::from(query_escape(&eval_args(args)))),
        Call => match arg(0) {
            Value::Nil => Err("call of nil".to_string()),
            f => Err(format!("non-function {} of type {}", f, f.type_name())),
        },
        Required => {
            let v = arg(1);
            let missing = match &v {
                Value::Nil => true,
                Value::String(s) => s.is_empty(),
                _ => false,
            };
            if missing {
                // Helm builds the message with a format call: `%` verbs in it expand.
                let warn = gofmt::sprintf(arg(0).as_str().unwrap_or(""), &[]);
                return Err(format!("{WARN_START}{warn}{WARN_END}"));
            }
            Ok(v)
        }
        Fail => Err(format!(
            "{WARN_START}{}{WARN_END}",
            arg(0).as_str().unwrap_or("")
        )),
        // `helm template` has no cluster: lookups find nothing.
        Lookup => Ok(Value::map(Map::new())),
        And | Or | Include | Tpl => Err(format!("{b:?} needs the executor")),
    }
}

/// Objects whose Go type is a map or slice (`.Files`, `.Files.Glob`) behave as
/// their plain value for `len`, `index` and `slice`.
fn plain(v: Value) -> Value {
    match v {
        Value::Object(o) if matches!(o.kind_name(), "map" | "slice") => {
            o.to_plain().unwrap_or(Value::Object(o))
        }
        v => v,
    }
}

fn len(v: &Value) -> Result<i64, String> {
    match v {
        Value::Nil => Err("len of nil pointer".to_string()),
        Value::String(s) => Ok(s.len() as i64),
        Value::RawString(r) => Ok(r.bytes().len() as i64),
        Value::Bytes(b) => Ok(b.len() as i64),
        Value::List(l) => Ok(l.len() as i64),
        Value::Map(m, _) => Ok(m.len() as i64),
        other => Err(format!("len of type {}", other.type_name())),
    }
}

/// An index into a list or string: an integer in `0..=cap`.
fn index_arg(i: &Value, cap: usize) -> Result<usize, String> {
    let x = match i {
        Value::Int(x) | Value::Int64(x) => *x,
        Value::Nil => return Err("cannot index slice/array with nil".to_string()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ))
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("index of untyped nil".to_string());
    }
    let mut cur = item.clone();
    for i in indexes {
        cur = match &cur {
            Value::Nil => return Err("index of nil pointer".to_string()),
            Value::List(l) => {
                let x = index_arg(i, l.len())?;
                l.get(x)
                    .cloned()
                    .ok_or_else(|| "reflect: slice index out of range".to_string())?
            }
            Value::Bytes(b) => {
                let x = index_arg(i, b.len())?;
                Value::Int(
                    *b.get(x)
                        .ok_or_else(|| "reflect: slice index out of range".to_string())?
                        as i64,
                )
            }
            Value::String(_) | Value::RawString(_) => {
                let s = cur.string_bytes().unwrap_or_default();
                let x = index_arg(i, s.len())?;
                Value::Int(
                    *s.get(x)
                        .ok_or_else(|| "reflect: string index out of range".to_string())?
                        as i64,
                )
            }
            Value::Map(m, _) => match i {
                Value::String(k) => m.get(k).unwrap_or(Value::Nil),
                Value::Nil => return Err("value is nil; should be of type string".to_string()),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ))
                }
            },
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(cur)
}

fn slice(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    if item.is_nil() {
        return Err("slice of untyped nil".to_string());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::String(_) | Value::RawString(_) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".to_string());
            }
            item.string_bytes().unwrap_or_default().len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    let mut idx = [0, len, len];
    for (n, i) in indexes.iter().enumerate() {
        idx[n] = index_arg(i, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (a, b) = (idx[0], idx[1]);
    Ok(match item {
        Value::String(s) => match s.get(a..b) {
            Some(sub) => Value::from(sub),
            // Go slices bytes; a cut inside a character keeps the raw bytes.
            None => Value::go_string(s.as_bytes()[a..b].to_vec()),
        },
        Value::RawString(r) => Value::go_string(r.bytes()[a..b].to_vec()),
        Value::List(l) => Value::list(l.get(a..b).unwrap_or(&[]).to_vec()),
        Value::Bytes(bytes) => Value::Bytes(bytes.get(a..b).unwrap_or(&[]).into()),
        _ => Value::Nil,
    })
}

/// Go's `basicKind` classes for comparison.
#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
    Complex,
    String,
    Other,
    Invalid,
}

fn kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) | Value::RawString(_) => Kind::String,
        Value::Nil => Kind::Invalid,
        _ if Complex::of(v).is_some() => Kind::Complex,
        _ => Kind::Other,
    }
}

fn eq(a: &Value, others: &[Value]) -> Result<bool, String> {
    if others.is_empty() {
        return Err("missing argument for comparison".to_string());
    }
    let k1 = kind(a);
    for b in others {
        let k2 = kind(b);
        let truth = if k1 != k2 {
            if k1 != Kind::Invalid && k2 != Kind::Invalid {
                return Err(format!(
                    "incompatible types for comparison: {} and {}",
                    a.type_name(),
                    b.type_name()
                ));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                _ if k1 == Kind::Int => a.as_int() == b.as_int(),
                (Value::Float(x), Value::Float(y)) => x == y,
                _ if k1 == Kind::Complex => Complex::of(a) == Complex::of(b),
                (Value::String(x), Value::String(y)) => x == y,
                _ if k1 == Kind::String => a.string_bytes() == b.string_bytes(),
                (Value::Nil, Value::Nil) => true,
                _ => {
                    // Maps, slices and the like are not comparable in Go.
                    if !comparable(b) {
                        return Err(format!(
                            "non-comparable type {}: {}",
                            gofmt::sprintf("%s", std::slice::from_ref(b)),
                            b.type_name()
                        ));
                    }
                    match (a, b) {
                        (Value::Object(x), Value::Object(y)) => std::sync::Arc::ptr_eq(x, y),
                        _ => false,
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn comparable(v: &Value) -> bool {
    !matches!(v, Value::List(_) | Value::Map(_, _) | Value::Bytes(_))
}

fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let (k1, k2) = (kind(a), kind(b));
    let bad_type = "invalid type for comparison".to_string();
    if matches!(k1, Kind::Other | Kind::Invalid) || matches!(k2, Kind::Other | Kind::Invalid) {
        return Err(bad_type);
    }
    if k1 != k2 {
        return Err(format!(
            "incompatible types for comparison: {} and {}",
            a.type_name(),
            b.type_name()
        ));
    }
    match (a, b) {
        _ if k1 == Kind::Int => Ok(a.as_int() < b.as_int()),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::String(x), Value::String(y)) => Ok(x < y),
        _ if k1 == Kind::String => Ok(a.string_bytes() < b.string_bytes()),
        _ => Err(bad_type),
    }
}

fn le(a: &Value, b: &Value) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// Go's `evalArgs` for the escapers: one string as it is, else `fmt.Sprint`
/// after Go's `printableValue`, which makes a nil `<no value>` (a string, so
/// no spaces around it: `html .z .z` is `&lt;no value&gt;&lt;no value&gt;`).
fn eval_args(args: &[Value]) -> String {
    match args {
        [Value::String(s)] => s.to_string(),
        _ if args.iter().any(|a| matches!(a, Value::Nil)) => {
            let printable: Vec<Value> = args
                .iter()
                .map(|a| match a {
                    Value::Nil => Value::str("<no value>"),
                    other => other.clone(),
                })
                .collect();
            gofmt::sprint(&printable)
        }
        _ => gofmt::sprint(args),
    }
}

/// `template.HTMLEscapeString`.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// `template.JSEscapeString`.
pub fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_ascii() || !c.is_control() => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// `url.QueryEscape`.
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::from(x)
    }

    #[test]
    fn comparisons_follow_go() {
        // Recorded with helm-oracle.
        assert_eq!(
            eq(&Value::Int(1), &[Value::Float(1.0)]).unwrap_err(),
            "incompatible types for comparison: int and float64"
        );
        assert!(eq(&Value::Nil, &[Value::Nil]).unwrap());
        assert!(!eq(&Value::Int(1), &[Value::Nil]).unwrap());
        assert!(eq(&s("a"), &[s("b"), s("a")]).unwrap());
        assert_eq!(
            eq(&Value::Int(1), &[]).unwrap_err(),
            "missing argument for comparison"
        );
        assert_eq!(
            lt(&Value::Nil, &Value::Int(1)).unwrap_err(),
            "invalid type for comparison"
        );
        assert!(lt(&s("a"), &s("b")).unwrap());
    }

    #[test]
    fn index_errors_follow_go() {
        assert_eq!(
            index(&Value::Int(1), &[Value::Int(2)]).unwrap_err(),
            "can't index item of type int"
        );
        assert_eq!(
            index(&Value::Nil, &[s("a")]).unwrap_err(),
            "index of untyped nil"
        );
        let m = Map::new();
        m.insert("a", Value::Int(1));
        assert_eq!(
            index(&Value::map(m), &[Value::Int(1)]).unwrap_err(),
            "value has type int; should be string"
        );
        let l = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(
            index(&l, &[Value::Int(5)]).unwrap_err(),
            "index out of range: 5"
        );
        assert_eq!(index(&l, &[Value::Int(1)]).unwrap(), Value::Int(2));
    }

    #[test]
    fn escapers() {
        assert_eq!(html_escape("<a&\"'>"), "&lt;a&amp;&#34;&#39;&gt;");
        assert_eq!(js_escape("<a&\"'=\\"), "\\u003Ca\\u0026\\\"\\'\\u003D\\\\");
        assert_eq!(query_escape("a b&c/d"), "a+b%26c%2Fd");
    }
}
