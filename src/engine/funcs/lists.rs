//! Template functions: lists (`list`, `first`, `rest`, `last`, `initial`,
//! `append`, `prepend`, `concat`, `reverse`, `uniq`, `without`, `has`,
//! `compact`, `slice`, `chunk`) and integer sequences (`until`, `untilStep`,
//! `seq`).
//!
//! Lists are immutable values: every function returns a new list, as Sprig's
//! do (its `append` copies before appending). Sprig has a `must…` variant of
//! most list functions; in a template both fail the same way, so they share
//! one implementation. Elements compare with Go's `reflect.DeepEqual`
//! ([`Value`]'s `==`): `1` and `1.0` differ.

use super::conv::{arg_int, arity, arity_at_least, check_size, to_i64};
use super::defaults::is_empty;
use super::FuncTable;
use crate::value::Value;

pub fn register(table: &mut FuncTable) {
    table.add("list", |a| Ok(Value::list(a.to_vec())));
    table.add("tuple", |a| Ok(Value::list(a.to_vec())));
    table.add("first", |a| one_list("first", a, first));
    table.add("mustFirst", |a| one_list("mustFirst", a, first));
    table.add("last", |a| one_list("last", a, last));
    table.add("mustLast", |a| one_list("mustLast", a, last));
    table.add("rest", |a| one_list("rest", a, rest));
    table.add("mustRest", |a| one_list("mustRest", a, rest));
    table.add("initial", |a| one_list("initial", a, initial));
    table.add("mustInitial", |a| one_list("mustInitial", a, initial));
    table.add("reverse", |a| one_list("reverse", a, reverse));
    table.add("mustReverse", |a| one_list("mustReverse", a, reverse));
    table.add("uniq", |a| one_list("uniq", a, uniq));
    table.add("mustUniq", |a| one_list("mustUniq", a, uniq));
    table.add("compact", |a| one_list("compact", a, compact));
    table.add("mustCompact", |a| one_list("mustCompact", a, compact));
    table.add("append", |a| push("append", a));
    table.add("push", |a| push("push", a));
    table.add("mustAppend", |a| push("mustAppend", a));
    table.add("mustPush", |a| push("mustPush", a));
    table.add("prepend", |a| prepend("prepend", a));
    table.add("mustPrepend", |a| prepend("mustPrepend", a));
    table.add("without", |a| without("without", a));
    table.add("mustWithout", |a| without("mustWithout", a));
    table.add("has", |a| has("has", a));
    table.add("mustHas", |a| has("mustHas", a));
    table.add("slice", |a| slice("slice", a));
    table.add("mustSlice", |a| slice("mustSlice", a));
    table.add("chunk", |a| chunk("chunk", a));
    table.add("mustChunk", |a| chunk("mustChunk", a));
    table.add("concat", concat);
    table.add("until", until);
    table.add("untilStep", until_step);
    table.add("seq", seq);
}

/// The elements of a Go slice, or `None` for anything else. Bytes are a
/// slice of numbers; a slice-kind object (`.Capabilities.APIVersions`) is its
/// plain list.
fn elements(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.to_vec()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Int(*x as i64)).collect()),
        Value::Object(o) if o.kind_name() == "slice" => match o.to_plain()? {
            Value::List(l) => Some(l.to_vec()),
            _ => None,
        },
        _ => None,
    }
}

/// Go's reflect kind of a non-slice, as Sprig's errors name it. Sprig asks
/// nil for its kind and panics; that panic is what Helm prints.
fn not_a_list(name: &str, what: &str, v: &Value) -> String {
    if v.is_nil() {
        format!("error calling {name}: runtime error: invalid memory address or nil pointer dereference")
    } else {
        format!("error calling {name}: {what} {}", v.kind_name())
    }
}

/// A function of one list; `op` is Sprig's verb for the error message.
fn one_list(
    name: &str,
    args: &[Value],
    f: fn(Vec<Value>) -> (&'static str, Value),
) -> Result<Value, String> {
    arity(name, args, 1)?;
    match elements(&args[0]) {
        Some(items) => Ok(f(items).1),
        None => {
            let verb = f(Vec::new()).0;
            Err(not_a_list(name, verb, &args[0]))
        }
    }
}

fn first(items: Vec<Value>) -> (&'static str, Value) {
    (
        "Cannot find first on type",
        items.first().cloned().unwrap_or_default(),
    )
}

fn last(items: Vec<Value>) -> (&'static str, Value) {
    (
        "Cannot find last on type",
        items.last().cloned().unwrap_or_default(),
    )
}

fn rest(items: Vec<Value>) -> (&'static str, Value) {
    let tail = items.get(1..).map(<[Value]>::to_vec).unwrap_or_default();
    ("Cannot find rest on type", Value::list(tail))
}

fn initial(mut items: Vec<Value>) -> (&'static str, Value) {
    items.pop();
    ("Cannot find initial on type", Value::list(items))
}

fn reverse(mut items: Vec<Value>) -> (&'static str, Value) {
    items.reverse();
    ("Cannot find reverse on type", Value::list(items))
}

fn uniq(items: Vec<Value>) -> (&'static str, Value) {
    let mut out: Vec<Value> = Vec::new();
    for v in items {
        // Each element is compared with every one kept: charged, so a long
        // list ends at the step limit instead of after hours.
        if !crate::value::meter::charge(out.len() as u64 / 4 + 1) {
            break;
        }
        if !out.contains(&v) {
            out.push(v);
        }
    }
    ("Cannot find uniq on type", Value::list(out))
}

fn compact(items: Vec<Value>) -> (&'static str, Value) {
    let kept = items.into_iter().filter(|v| !is_empty(v)).collect();
    ("Cannot compact on type", Value::list(kept))
}

/// `append LIST V`: a new list with V at the end.
fn push(name: &str, args: &[Value]) -> Result<Value, String> {
    arity(name, args, 2)?;
    let mut items =
        elements(&args[0]).ok_or_else(|| not_a_list(name, "Cannot push on type", &args[0]))?;
    items.push(args[1].clone());
    Ok(Value::list(items))
}

/// `prepend LIST V`: a new list with V first.
fn prepend(name: &str, args: &[Value]) -> Result<Value, String> {
    arity(name, args, 2)?;
    let mut items =
        elements(&args[0]).ok_or_else(|| not_a_list(name, "Cannot prepend on type", &args[0]))?;
    items.insert(0, args[1].clone());
    Ok(Value::list(items))
}

/// `without LIST V1 V2 …`: the list without those values.
fn without(name: &str, args: &[Value]) -> Result<Value, String> {
    arity_at_least(name, args, 1)?;
    let items = elements(&args[0])
        .ok_or_else(|| not_a_list(name, "Cannot find without on type", &args[0]))?;
    let omit = &args[1..];
    Ok(Value::list(
        items.into_iter().filter(|v| !omit.contains(v)).collect(),
    ))
}

/// `has NEEDLE LIST`: false for a nil list.
fn has(name: &str, args: &[Value]) -> Result<Value, String> {
    arity(name, args, 2)?;
    if args[1].is_nil() {
        return Ok(Value::Bool(false));
    }
    let items = elements(&args[1]).ok_or_else(|| {
        format!(
            "error calling {name}: Cannot find has on type {}",
            args[1].kind_name()
        )
    })?;
    Ok(Value::Bool(items.contains(&args[0])))
}

/// `slice LIST [START [END]]`: Sprig's `slice` (which replaces Go's
/// builtin); an empty list gives nil.
fn slice(name: &str, args: &[Value]) -> Result<Value, String> {
    arity_at_least(name, args, 1)?;
    let items = elements(&args[0]).ok_or_else(|| {
        if args[0].is_nil() {
            not_a_list(name, "", &args[0])
        } else {
            format!(
                "error calling {name}: list should be type of slice or array but {}",
                args[0].kind_name()
            )
        }
    })?;
    if items.is_empty() {
        return Ok(Value::Nil);
    }
    let start = args.get(1).map_or(0, to_i64);
    let end = args.get(2).map_or(items.len() as i64, to_i64);
    if start < 0 || end < start || end > items.len() as i64 {
        return Err(format!(
            "error calling {name}: reflect.Value.Slice: slice index out of bounds"
        ));
    }
    Ok(Value::list(items[start as usize..end as usize].to_vec()))
}

/// `chunk SIZE LIST`: lists of SIZE elements, the last one shorter.
fn chunk(name: &str, args: &[Value]) -> Result<Value, String> {
    arity(name, args, 2)?;
    let size = arg_int(&args[0])?;
    let items =
        elements(&args[1]).ok_or_else(|| not_a_list(name, "Cannot chunk type", &args[1]))?;
    if items.is_empty() && size > 0 {
        return Ok(Value::list(Vec::new()));
    }
    if size <= 0 {
        return Err(format!(
            "error calling {name}: runtime error: makeslice: len out of range"
        ));
    }
    Ok(Value::list(
        items
            .chunks(size as usize)
            .map(|c| Value::list(c.to_vec()))
            .collect(),
    ))
}

/// `concat L1 L2 …`: one list of all elements.
fn concat(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for v in args {
        match elements(v) {
            Some(items) => out.extend(items),
            None if v.is_nil() => return Err(not_a_list("concat", "", v)),
            None => {
                return Err(format!(
                    "error calling concat: Cannot concat type {} as list",
                    v.kind_name()
                ))
            }
        }
    }
    Ok(Value::list(out))
}

/// Sprig's `untilStep`: from START towards STOP (exclusive) by STEP; a step of
/// the wrong sign (or zero) gives nothing.
fn step_range(name: &str, start: i64, stop: i64, step: i64) -> Result<Vec<i64>, String> {
    let ascending = stop >= start;
    if (ascending && step <= 0) || (!ascending && step >= 0) {
        return Ok(Vec::new());
    }
    let count = (stop as i128 - start as i128)
        .unsigned_abs()
        .div_ceil(step.unsigned_abs() as u128);
    // Each element is one template value.
    check_size(name, count * std::mem::size_of::<Value>() as u128)?;
    let mut out = Vec::with_capacity(count as usize);
    let mut i = start;
    while (ascending && i < stop) || (!ascending && i > stop) {
        out.push(i);
        match i.checked_add(step) {
            Some(n) => i = n,
            None => break,
        }
    }
    Ok(out)
}

fn int_list(v: Vec<i64>) -> Value {
    Value::list(v.into_iter().map(Value::Int).collect())
}

/// `until N`: 0 … N-1 (or 0 … N+1 counting down for a negative N).
fn until(args: &[Value]) -> Result<Value, String> {
    arity("until", args, 1)?;
    let n = arg_int(&args[0])?;
    let step = if n < 0 { -1 } else { 1 };
    step_range("until", 0, n, step).map(int_list)
}

fn until_step(args: &[Value]) -> Result<Value, String> {
    arity("untilStep", args, 3)?;
    let (start, stop, step) = (arg_int(&args[0])?, arg_int(&args[1])?, arg_int(&args[2])?);
    step_range("untilStep", start, stop, step).map(int_list)
}

/// `seq [START [STEP]] END`: like GNU seq, the numbers as one
/// space-separated string, END included.
fn seq(args: &[Value]) -> Result<Value, String> {
    let nums = args.iter().map(arg_int).collect::<Result<Vec<i64>, _>>()?;
    let range = match nums.as_slice() {
        [end] => {
            let step = if *end < 1 { -1 } else { 1 };
            step_range("seq", 1, end.saturating_add(step), step)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            step_range("seq", *start, end.saturating_add(step), step)?
        }
        [start, step, end] => {
            let dir = if end < start { -1 } else { 1 };
            if end < start && *step > 0 {
                Vec::new()
            } else {
                step_range("seq", *start, end.saturating_add(dir), *step)?
            }
        }
        _ => Vec::new(),
    };
    let text: Vec<String> = range.iter().map(i64::to_string).collect();
    Ok(Value::str(text.join(" ")))
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::table;
    use crate::value::{Map, Value};

    fn out(name: &str, args: &[Value]) -> String {
        (table().get(name).expect(name).func)(args)
            .map(|v| {
                if v.is_nil() {
                    String::new()
                } else {
                    v.to_string()
                }
            })
            .unwrap_or_else(|e| e)
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    fn l(items: &[Value]) -> Value {
        Value::list(items.to_vec())
    }

    // Expected values printed by Helm 4.2.3.
    #[test]
    fn list_functions() {
        let empty = l(&[]);
        assert_eq!(out("first", std::slice::from_ref(&empty)), "");
        assert_eq!(out("rest", std::slice::from_ref(&empty)), "[]");
        assert_eq!(out("initial", std::slice::from_ref(&empty)), "[]");
        assert_eq!(out("last", &[l(&[i(1), i(2)])]), "2");
        assert_eq!(out("initial", &[l(&[i(1), i(2), i(3)])]), "[1 2]");
        assert_eq!(out("reverse", &[l(&[i(1), i(2), i(3)])]), "[3 2 1]");
        let dup = l(&[i(1), i(1), Value::str("1"), i(2), Value::Float(1.0)]);
        assert_eq!(out("uniq", &[dup]), "[1 1 2 1]");
        let args = [l(&[i(1), i(2), i(3), i(1)]), i(1), i(3)];
        assert_eq!(out("without", &args), "[2]");
        assert_eq!(out("has", &[i(1), l(&[i(1), i(2)])]), "true");
        assert_eq!(out("has", &[i(1), Value::Nil]), "false");
        assert_eq!(out("has", &[Value::Float(1.0), l(&[i(1)])]), "false");
        let mixed = l(&[
            i(0),
            i(1),
            Value::str(""),
            Value::Nil,
            Value::str("a"),
            empty.clone(),
        ]);
        assert_eq!(out("compact", &[mixed]), "[1 a]");
        assert_eq!(
            out("slice", &[l(&[i(1), i(2), i(3), i(4)]), i(1), i(3)]),
            "[2 3]"
        );
        assert_eq!(out("slice", &[l(&[i(1), i(2), i(3)]), i(1)]), "[2 3]");
        assert_eq!(out("slice", std::slice::from_ref(&empty)), "");
        assert_eq!(out("concat", &[l(&[i(1)]), l(&[i(2), i(3)])]), "[1 2 3]");
        let five = l(&[i(1), i(2), i(3), i(4), i(5)]);
        assert_eq!(out("chunk", &[i(2), five]), "[[1 2] [3 4] [5]]");
        assert_eq!(out("chunk", &[i(3), empty]), "[]");
        assert_eq!(out("append", &[l(&[i(1)]), i(2)]), "[1 2]");
        assert_eq!(out("prepend", &[l(&[i(1)]), i(0)]), "[0 1]");
    }

    #[test]
    fn list_errors() {
        let nil_deref = "runtime error: invalid memory address or nil pointer dereference";
        assert_eq!(
            out("first", &[Value::Nil]),
            format!("error calling first: {nil_deref}")
        );
        assert_eq!(
            out("append", &[Value::str("s"), i(1)]),
            "error calling append: Cannot push on type string"
        );
        assert_eq!(
            out("slice", &[Value::str("abc"), i(1)]),
            "error calling slice: list should be type of slice or array but string"
        );
        assert_eq!(
            out("slice", &[l(&[i(1), i(2)]), i(1), i(5)]),
            "error calling slice: reflect.Value.Slice: slice index out of bounds"
        );
        assert_eq!(
            out("concat", &[l(&[i(1)]), i(2)]),
            "error calling concat: Cannot concat type int as list"
        );
        assert_eq!(
            out("mustFirst", &[i(3)]),
            "error calling mustFirst: Cannot find first on type int"
        );
        assert_eq!(
            out("has", &[i(1), Value::str("abc")]),
            "error calling has: Cannot find has on type string"
        );
        assert_eq!(
            out("first", &[Value::map(Map::new())]),
            "error calling first: Cannot find first on type map"
        );
    }

    #[test]
    fn sequences() {
        assert_eq!(out("seq", &[i(5)]), "1 2 3 4 5");
        assert_eq!(out("seq", &[i(5), i(1)]), "5 4 3 2 1");
        assert_eq!(out("seq", &[i(1), i(3), i(10)]), "1 4 7 10");
        assert_eq!(out("seq", &[i(10), i(-3), i(1)]), "10 7 4 1");
        assert_eq!(out("seq", &[i(1), i(2)]), "1 2");
        assert_eq!(out("until", &[i(3)]), "[0 1 2]");
        assert_eq!(out("until", &[i(-3)]), "[0 -1 -2]");
        assert_eq!(out("untilStep", &[i(10), i(0), i(-3)]), "[10 7 4 1]");
        assert!(out("until", &[i(1 << 40)]).starts_with("error calling until"));
    }
}
