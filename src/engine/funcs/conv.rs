//! Template functions: type conversions (`int`, `int64`, `float64`, `toString`,
//! `toStrings`, `atoi`, `toDecimal`) and the argument helpers every family
//! shares, with the casting rules of Go's `spf13/cast` that Sprig uses.
//!
//! Error messages are Go's text after `executing "NAME" at <EXPR>: `. A failing
//! call reads `error calling NAME: MESSAGE` (the executor adds the prefix when
//! a function leaves it out). An argument Go could not convert to the
//! parameter's type reads `wrong type for value; expected int; got float64`;
//! Go reports those at the argument, before calling; the executor's
//! `typecheck` finds that argument from the message.

use super::FuncTable;
use crate::gofmt;
use crate::value::{Map, Value};

pub fn register(table: &mut FuncTable) {
    table.add("int", |a| one("int", a).map(|v| Value::Int(to_i64(v))));
    table.add("int64", |a| {
        one("int64", a).map(|v| Value::Int64(to_i64(v)))
    });
    table.add("float64", |a| {
        one("float64", a).map(|v| Value::Float(to_f64(v)))
    });
    table.add("toString", |a| {
        one("toString", a).map(|v| match v {
            Value::String(_) | Value::RawString(_) => v.clone(),
            other => Value::go_string(to_string_bytes(other).into_owned()),
        })
    });
    table.add("toStrings", |a| {
        one("toStrings", a).map(|v| str_list(to_strings(v)))
    });
    table.add("atoi", atoi);
    table.add("toDecimal", to_decimal);
}

/// The single argument of a one-parameter function.
fn one<'a>(name: &str, args: &'a [Value]) -> Result<&'a Value, String> {
    arity(name, args, 1)?;
    Ok(&args[0])
}

/// `atoi`: `strconv.Atoi`, decimal only, 0 on any error.
fn atoi(args: &[Value]) -> Result<Value, String> {
    arity("atoi", args, 1)?;
    let s = arg_str(&args[0])?;
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    // Out of range, Go's Atoi returns the nearest bound with its error, and
    // Sprig keeps the number.
    let bound = if s.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    };
    Ok(Value::Int(if ok { s.parse().unwrap_or(bound) } else { 0 }))
}

/// `toDecimal`: reads the value printed with `%v` as an octal number.
fn to_decimal(args: &[Value]) -> Result<Value, String> {
    arity("toDecimal", args, 1)?;
    let text = gofmt::format_v(&args[0]);
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    let n = i64::from_str_radix(digits, 8)
        .ok()
        .filter(|_| !digits.starts_with(['+', '-']))
        .map_or(0, |n| if neg { -n } else { n });
    Ok(Value::Int64(n))
}

/// The most bytes one function call may produce (or elements it may make):
/// `repeat`, `indent`, `until` and friends with huge counts fail instead of
/// exhausting memory.
pub const MAX_OUTPUT_BYTES: u128 = 100 * 1024 * 1024;

/// Fails when a result of `size` bytes would exceed [`MAX_OUTPUT_BYTES`].
pub fn check_size(name: &str, size: u128) -> Result<(), String> {
    if size > MAX_OUTPUT_BYTES {
        Err(format!(
            "error calling {name}: result of {size} bytes exceeds the {MAX_OUTPUT_BYTES}-byte limit"
        ))
    } else {
        Ok(())
    }
}

/// Fails unless exactly `n` arguments were given, with Go's message.
pub fn arity(name: &str, args: &[Value], n: usize) -> Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        ))
    }
}

/// Fails unless at least `n` arguments were given (variadic functions).
pub fn arity_at_least(name: &str, args: &[Value], n: usize) -> Result<(), String> {
    if args.len() >= n {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {name}: want at least {n} got {}",
            args.len()
        ))
    }
}

/// Go's message for an argument that cannot become the parameter's type.
pub fn wrong_type(expected: &str, got: &Value) -> String {
    if got.is_nil() {
        format!("invalid value; expected {expected}")
    } else {
        format!(
            "wrong type for value; expected {expected}; got {}",
            got.type_name()
        )
    }
}

/// A parameter typed `string`.
pub fn arg_str(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| wrong_type("string", v))
}

/// A parameter typed `string`, as the bytes Go's string holds (which need not
/// be UTF-8: see [`Value::RawString`]).
pub fn arg_bytes(v: &Value) -> Result<&[u8], String> {
    v.string_bytes().ok_or_else(|| wrong_type("string", v))
}

/// A parameter typed `int`. Only integers pass: Go does not convert a float64
/// (a number read from values) to an `int` parameter.
pub fn arg_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(wrong_type("int", other)),
    }
}

/// A parameter typed `bool`.
pub fn arg_bool(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong_type("bool", other)),
    }
}

/// A parameter typed `map[string]interface{}`: nil passes as Go's nil map
/// (`None`), which reads as empty and fails on writes.
pub fn arg_map(v: &Value) -> Result<Option<&Map>, String> {
    match v {
        Value::Map(m, _) => Ok(Some(m)),
        Value::Nil => Ok(None),
        other => Err(wrong_type("map[string]interface {}", other)),
    }
}

/// A variadic `...string` parameter.
pub fn arg_strs(args: &[Value]) -> Result<Vec<&str>, String> {
    args.iter().map(arg_str).collect()
}

/// Kept for callers written before [`arg_str`]: the same check and message.
pub fn expect_str<'a>(name: &str, v: &'a Value) -> Result<&'a str, String> {
    let _ = name;
    arg_str(v)
}

/// A list of strings, as Go's `[]string` results reach templates.
pub fn str_list(items: Vec<String>) -> Value {
    Value::list(items.into_iter().map(Value::from).collect())
}

/// Sprig's `strval`: strings as they are, bytes as text, anything else as `%v`.
pub fn to_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::RawString(r) => r.text().to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => gofmt::format_v(other),
    }
}

/// [`to_string`] as the bytes of the Go string, for the functions that keep
/// bytes which are not UTF-8 (`quote`, `cat`, `toString`).
pub fn to_string_bytes(v: &Value) -> std::borrow::Cow<'_, [u8]> {
    match v {
        Value::String(_) | Value::RawString(_) => v.string_bytes().unwrap_or_default().into(),
        Value::Bytes(b) => (&b[..]).into(),
        other => gofmt::format_v(other).into_bytes().into(),
    }
}

/// Sprig's `strslice`: a list's non-nil elements as strings, nil as an empty
/// list, bytes as their numbers, anything else as a one-element list.
pub fn to_strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items
            .iter()
            .filter(|x| !x.is_nil())
            .map(to_string)
            .collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Nil => Vec::new(),
        Value::Object(o) if o.kind_name() == "slice" => match o.to_plain() {
            Some(plain @ Value::List(_)) => to_strings(&plain),
            _ => vec![to_string(v)],
        },
        other => vec![to_string(other)],
    }
}

/// `cast.ToInt64`: numbers truncate, strings parse as Go integer literals
/// (after dropping a `.000` tail), booleans are 0 or 1, anything else is 0.
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => go_float_to_int(*f),
        Value::Bool(b) => *b as i64,
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// Go's `int64(f)` on amd64 (where Helm runs): truncation, and for NaN or a
/// value out of range the "integer indefinite" -2^63 (Rust would saturate).
pub fn go_float_to_int(f: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// `cast.ToFloat64`: numbers as they are, strings parse as Go floats, booleans
/// are 0 or 1, anything else is 0.
pub fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => *b as i64 as f64,
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// `strconv.ParseFloat(s, 64)` for the forms templates meet: decimal with an
/// optional exponent, `inf`/`infinity`/`nan` in any case, `_` between digits.
pub fn parse_go_float(s: &str) -> Option<f64> {
    if s.is_empty() || s.contains(char::is_whitespace) {
        return None;
    }
    let cleaned = if s.contains('_') {
        s.replace('_', "")
    } else {
        s.to_string()
    };
    let f = cleaned.parse::<f64>().ok()?;
    // Past the largest float64 Go reports a range error (cast then gives 0);
    // only the names of infinity read as one.
    let named = cleaned.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if f.is_infinite() && named != "inf" && named != "infinity" {
        return None;
    }
    Some(f)
}

/// cast's `trimZeroDecimal`: `"5.00"` becomes `"5"`, so it parses as an int.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, b) in s.bytes().enumerate().rev() {
        match b {
            b'.' if found_zero => return &s[..i],
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `strconv.ParseInt(s, 0, 64)`: an optional sign, then decimal, `0x` hex,
/// `0o`/leading-`0` octal or `0b` binary, with `_` separators between digits.
pub fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = rest.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.starts_with('_') && radix == 10 || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let digits = digits.replace('_', "");
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = i128::from_str_radix(&digits, radix).ok()?;
    let value = if neg { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Value]) -> Result<Value, String> {
        (super::super::table().get(name).expect(name).func)(args)
    }

    #[test]
    fn go_integers_parse() {
        assert_eq!(parse_go_int("42"), Some(42));
        assert_eq!(parse_go_int("-0x1f"), Some(-31));
        assert_eq!(parse_go_int("0755"), Some(493));
        assert_eq!(parse_go_int("0b101"), Some(5));
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(parse_go_int("1.5"), None);
        assert_eq!(parse_go_int(""), None);
    }

    // Expected values printed by Helm 4.2.3:
    // int "5.00"|" 5"|"0x1F"|"1_000"|3.9|nil|true → 5|0|31|1000|3|0|1;
    // float64 "1e3"|"inf"|" 2" → 1000|+Inf|0; atoi "+5"|"0x5" → 5|0;
    // toDecimal "0777"|777 → 511|511; int "5." → 0; toString nil → <nil>.
    #[test]
    fn casts_follow_spf13_cast() {
        // Out of float64's range is a parse error, so 0; infinity by name is not.
        assert_eq!(to_f64(&Value::str("1e400")), 0.0);
        assert_eq!(to_f64(&Value::str("-Inf")), f64::NEG_INFINITY);
        let ints = [
            (Value::str("5.00"), 5),
            (Value::str(" 5"), 0),
            (Value::str("0x1F"), 31),
            (Value::str("1_000"), 1000),
            (Value::Float(3.9), 3),
            (Value::Nil, 0),
            (Value::Bool(true), 1),
            (Value::str("5."), 0),
            (Value::str("-9"), -9),
            (Value::Float(1.2345678901234567e19), i64::MIN),
            (Value::Float(f64::NAN), i64::MIN),
        ];
        for (v, want) in ints {
            assert_eq!(
                call("int", std::slice::from_ref(&v)),
                Ok(Value::Int(want)),
                "{v:?}"
            );
        }
        assert_eq!(
            call("float64", &[Value::str("1e3")]),
            Ok(Value::Float(1000.0))
        );
        assert_eq!(
            call("float64", &[Value::str("inf")]),
            Ok(Value::Float(f64::INFINITY))
        );
        assert_eq!(call("float64", &[Value::str(" 2")]), Ok(Value::Float(0.0)));
        assert_eq!(call("atoi", &[Value::str("+5")]), Ok(Value::Int(5)));
        assert_eq!(call("atoi", &[Value::str("0x5")]), Ok(Value::Int(0)));
        assert_eq!(
            call("atoi", &[Value::str("99999999999999999999")]),
            Ok(Value::Int(i64::MAX))
        );
        assert_eq!(
            call("toDecimal", &[Value::str("0777")]),
            Ok(Value::Int64(511))
        );
        assert_eq!(call("toDecimal", &[Value::Int(777)]), Ok(Value::Int64(511)));
        assert_eq!(call("toString", &[Value::Nil]), Ok(Value::str("<nil>")));
        let mixed = Value::list(vec![
            Value::Int(1),
            Value::Nil,
            Value::str("a"),
            Value::Float(2.5),
        ]);
        assert_eq!(
            call("toStrings", &[mixed]).map(|v| v.to_string()),
            Ok("[1 a 2.5]".to_string())
        );
        assert!(call("atoi", &[Value::Int(5)]).is_err());
    }
}

/// Every function of these families, called with every combination of up to
/// three awkward arguments, returns a value or an error and never panics.
#[cfg(test)]
mod robustness {
    use crate::engine::funcs::{defaults, dicts, lists, math, reflect, regexp, strings, FuncTable};
    use crate::value::{Map, Value};

    #[test]
    fn no_function_panics_on_odd_arguments() {
        let mut table = FuncTable {
            funcs: Default::default(),
        };
        super::register(&mut table);
        defaults::register(&mut table);
        dicts::register(&mut table);
        lists::register(&mut table);
        math::register(&mut table);
        reflect::register(&mut table);
        regexp::register(&mut table);
        strings::register(&mut table);
        let map = Map::new();
        map.insert("a", Value::map(Map::new()));
        let pool = [
            Value::Nil,
            Value::Bool(true),
            Value::Int(0),
            Value::Int(-7),
            Value::Int(i64::MAX),
            Value::Int(i64::MIN),
            Value::Float(f64::NAN),
            Value::Float(-2.5),
            Value::str(""),
            Value::str("a(é,[}$1"),
            Value::Bytes(vec![0xff, b'a'].into()),
            Value::list(vec![Value::Nil, Value::Int(1)]),
            Value::map(map),
        ];
        let mut names: Vec<_> = table.funcs.keys().copied().collect();
        names.sort();
        for name in names {
            if name == "shuffle" {
                continue; // random, and covered elsewhere
            }
            let f = table.funcs[name].func;
            let _ = f(&[]);
            for a in &pool {
                let _ = f(std::slice::from_ref(a));
                for b in &pool {
                    let _ = f(&[a.clone(), b.clone()]);
                    for c in &pool {
                        let _ = f(&[a.clone(), b.clone(), c.clone()]);
                    }
                }
            }
        }
    }
}
