//! Template functions: dicts (`dict`, `get`, `set`, `unset`, `hasKey`,
//! `pluck`, `dig`, `keys`, `values`, `pick`, `omit`, `merge`,
//! `mergeOverwrite`, `deepCopy`).
//!
//! Go maps are references, and charts depend on it: `set`, `unset`, `merge`
//! and `mergeOverwrite` change the map they are given, visible through every
//! other reference to it ([`Map`] is shared and mutable for this). `merge`
//! follows mergo: nested maps merge in place, a missing key takes the source's
//! value itself (not a copy), and only empty destination values are replaced
//! unless overwriting.
//!
//! `keys` and `values` come out in sorted key order; Go's order is random, so
//! any order matches Helm's contract and sorted is reproducible.

use super::conv::{arg_map, arg_str, arg_strs, arity, arity_at_least, to_string};
use super::defaults::is_empty;
use super::FuncTable;
use crate::value::{Map, Value};

pub fn register(table: &mut FuncTable) {
    table.add("dict", dict);
    table.add("get", get);
    table.add("set", set);
    table.add("unset", unset);
    table.add("hasKey", has_key);
    table.add("pluck", pluck);
    table.add("dig", dig);
    table.add("keys", keys);
    table.add("values", values);
    table.add("pick", pick);
    table.add("omit", omit);
    table.add("merge", |a| merge("merge", a, false));
    table.add("mustMerge", |a| merge("mustMerge", a, false));
    table.add("mergeOverwrite", |a| merge("mergeOverwrite", a, true));
    table.add("mustMergeOverwrite", |a| {
        merge("mustMergeOverwrite", a, true)
    });
    table.add("deepCopy", |a| {
        arity("deepCopy", a, 1)?;
        Ok(deep_copy(&a[0]))
    });
    table.add("mustDeepCopy", |a| {
        arity("mustDeepCopy", a, 1)?;
        Ok(deep_copy(&a[0]))
    });
}

/// `dict K1 V1 K2 V2 …`: keys printed as strings; a key without a value maps
/// to the empty string.
fn dict(args: &[Value]) -> Result<Value, String> {
    let map = Map::new();
    for pair in args.chunks(2) {
        let value = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
        map.insert(to_string(&pair[0]), value);
    }
    Ok(Value::map(map))
}

/// `get DICT KEY`: the value, or the empty string when missing.
fn get(args: &[Value]) -> Result<Value, String> {
    arity("get", args, 2)?;
    let map = arg_map(&args[0])?;
    let key = arg_str(&args[1])?;
    Ok(map
        .and_then(|m| m.get(key))
        .unwrap_or_else(|| Value::str("")))
}

/// `set DICT KEY VALUE`: changes DICT in place and returns it (as the plain
/// map: Go converted a `.Values` to the parameter's type).
fn set(args: &[Value]) -> Result<Value, String> {
    arity("set", args, 3)?;
    let key = arg_str(&args[1])?;
    match arg_map(&args[0])? {
        Some(map) => {
            map.insert(key, args[2].clone());
            Ok(args[0].unnamed())
        }
        None => Err("error calling set: assignment to entry in nil map".into()),
    }
}

/// `unset DICT KEY`: removes KEY in place and returns DICT (as the plain map).
fn unset(args: &[Value]) -> Result<Value, String> {
    arity("unset", args, 2)?;
    let key = arg_str(&args[1])?;
    if let Some(map) = arg_map(&args[0])? {
        map.remove(key);
    }
    Ok(args[0].unnamed())
}

fn has_key(args: &[Value]) -> Result<Value, String> {
    arity("hasKey", args, 2)?;
    let map = arg_map(&args[0])?;
    let key = arg_str(&args[1])?;
    Ok(Value::Bool(map.is_some_and(|m| m.contains_key(key))))
}

/// `pluck KEY D1 D2 …`: KEY's value in each dict that has it.
fn pluck(args: &[Value]) -> Result<Value, String> {
    arity_at_least("pluck", args, 1)?;
    let key = arg_str(&args[0])?;
    let mut out = Vec::new();
    for d in &args[1..] {
        if let Some(v) = arg_map(d)?.and_then(|m| m.get(key)) {
            out.push(v);
        }
    }
    Ok(Value::list(out))
}

/// `dig K1 K2 … DEFAULT DICT`: the value at the key path, or DEFAULT where a
/// key is missing; a non-dict on the way fails as Go's type assertion does.
fn dig(args: &[Value]) -> Result<Value, String> {
    if args.len() < 3 {
        return Err("error calling dig: dig needs at least three arguments".into());
    }
    let (keys, rest) = args.split_at(args.len() - 2);
    let default = &rest[0];
    let assert_map = |v: &Value| {
        match v {
        // Go's type assertion to the plain map: a named map (`.Values`) fails.
        Value::Map(m, None) => Ok(m.clone()),
        other => Err(format!(
            "error calling dig: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
            if other.is_nil() { "nil" } else { other.type_name() }
        )),
    }
    };
    let mut current = assert_map(&rest[1])?;
    for (i, k) in keys.iter().enumerate() {
        let key = match k {
            Value::String(s) => s,
            other => {
                return Err(format!(
                    "error calling dig: interface conversion: interface {{}} is {}, not string",
                    if other.is_nil() {
                        "nil"
                    } else {
                        other.type_name()
                    }
                ))
            }
        };
        let Some(step) = current.get(key) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = assert_map(&step)?;
    }
    Ok(default.clone())
}

/// `keys D1 D2 …`: all keys of all dicts.
fn keys(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for d in args {
        if let Some(m) = arg_map(d)? {
            out.extend(m.keys().into_iter().map(Value::from));
        }
    }
    Ok(Value::list(out))
}

fn values(args: &[Value]) -> Result<Value, String> {
    arity("values", args, 1)?;
    Ok(Value::list(
        arg_map(&args[0])?.map(|m| m.values()).unwrap_or_default(),
    ))
}

/// `pick DICT K1 K2 …`: a new dict with only those keys.
fn pick(args: &[Value]) -> Result<Value, String> {
    arity_at_least("pick", args, 1)?;
    let map = arg_map(&args[0])?;
    let out = Map::new();
    for k in arg_strs(&args[1..])? {
        if let Some(v) = map.and_then(|m| m.get(k)) {
            out.insert(k, v);
        }
    }
    Ok(Value::map(out))
}

/// `omit DICT K1 K2 …`: a new dict without those keys.
fn omit(args: &[Value]) -> Result<Value, String> {
    arity_at_least("omit", args, 1)?;
    let map = arg_map(&args[0])?;
    let drop = arg_strs(&args[1..])?;
    // Only the keys kept are read: a value `omit` drops does nothing, and
    // the tracking of unused values (`value::reads`) should say so.
    let out: Map = match map {
        Some(m) => m
            .keys_unmarked()
            .into_iter()
            .filter(|k| !drop.contains(&k.as_str()))
            .filter_map(|k| m.get(&k).map(|v| (k, v)))
            .collect(),
        None => Map::new(),
    };
    Ok(Value::map(out))
}

/// `merge DST SRC…` / `mergeOverwrite DST SRC…`: merges into DST in place
/// and returns it as the plain map (a nil DST becomes a new dict).
fn merge(name: &str, args: &[Value], overwrite: bool) -> Result<Value, String> {
    arity_at_least(name, args, 1)?;
    let dst = match arg_map(&args[0])? {
        Some(_) => args[0].unnamed(),
        None => Value::map(Map::new()),
    };
    let Some(dst_map) = dst.as_map() else {
        return Ok(dst);
    };
    let mut budget = WALK_BUDGET;
    for src in &args[1..] {
        if let Some(src_map) = arg_map(src)? {
            merge_into(dst_map, src_map, overwrite, &mut budget);
        }
    }
    Ok(dst)
}

/// mergo's `Merge` of two `map[string]interface{}`.
///
/// Maps can contain themselves (through `set`), where mergo would recurse
/// without end; here the walk stops after [`WALK_BUDGET`] entries.
fn merge_into(dst: &Map, src: &Map, overwrite: bool, budget: &mut usize) {
    if std::ptr::eq(dst, src) {
        return;
    }
    // Nested past the meter's depth, the executor fails the call.
    let Some(_level) = crate::value::meter::descend() else {
        return;
    };
    for (key, sv) in src.iter() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let dv = dst.get(&key);
        let replace = |dv: &Option<Value>| overwrite || dv.as_ref().is_none_or(is_empty);
        match &sv {
            Value::Nil => {
                if overwrite {
                    dst.insert(key, Value::Nil);
                }
            }
            Value::Map(sm, _) => match &dv {
                Some(Value::Map(dm, _)) => {
                    merge_into(dm, sm, overwrite, budget);
                    if dm.is_empty() {
                        dst.insert(key, sv.clone());
                    }
                }
                _ => {
                    if replace(&dv) {
                        dst.insert(key, sv.clone());
                    }
                }
            },
            _ => {
                if replace(&dv) {
                    dst.insert(key, sv.clone());
                }
            }
        }
    }
}

/// How many map entries one `merge` or `deepCopy` visits at most: enough
/// for any values file, and an end to maps that contain themselves.
const WALK_BUDGET: usize = 1_000_000;

/// `deepCopy`: a copy sharing nothing mutable with the original. A map that
/// contains itself keeps that inner reference (Go's copystructure would
/// recurse forever), and past [`WALK_BUDGET`] values the rest is shared.
pub fn deep_copy(v: &Value) -> Value {
    let mut budget = WALK_BUDGET;
    deep_copy_in(v, &mut Vec::new(), &mut budget)
}

fn deep_copy_in(v: &Value, ancestors: &mut Vec<*const Map>, budget: &mut usize) -> Value {
    if *budget == 0 {
        return v.clone();
    }
    *budget -= 1;
    let Some(_level) = crate::value::meter::descend() else {
        return v.clone();
    };
    match v {
        Value::Map(m, _) => {
            let ptr: *const Map = &**m;
            if ancestors.contains(&ptr) {
                return v.clone();
            }
            ancestors.push(ptr);
            let copy: Map = m
                .iter()
                .map(|(k, x)| (k, deep_copy_in(&x, ancestors, budget)))
                .collect();
            ancestors.pop();
            // copystructure keeps the type: `deepCopy .Values` is a `common.Values`.
            match v.map_type() {
                Some(ty) => Value::map(copy).named(ty),
                None => Value::map(copy),
            }
        }
        Value::List(l) => Value::list(
            l.iter()
                .map(|x| deep_copy_in(x, ancestors, budget))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::table;
    use crate::value::Value;

    fn call(name: &str, args: &[Value]) -> Value {
        (table().get(name).expect(name).func)(args).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    fn dict(args: &[Value]) -> Value {
        call("dict", args)
    }

    fn json(v: &Value) -> String {
        v.to_json().to_string()
    }

    // Expected values printed by Helm 4.2.3.
    #[test]
    fn merge_follows_mergo() {
        let d = dict(&[
            s("a"),
            i(1),
            s("b"),
            s("x"),
            s("c"),
            dict(&[s("x"), i(1)]),
            s("l"),
            Value::list(vec![i(1)]),
            s("e"),
            s(""),
            s("z"),
            i(0),
            s("n"),
            Value::Nil,
            s("t"),
            Value::Bool(true),
        ]);
        let src = || {
            dict(&[
                s("a"),
                i(0),
                s("b"),
                s(""),
                s("c"),
                dict(&[s("y"), i(2)]),
                s("l"),
                Value::list(vec![]),
                s("e"),
                s("filled"),
                s("z"),
                i(5),
                s("n"),
                s("nn"),
                s("t"),
                Value::Bool(false),
                s("new"),
                dict(&[s("q"), i(1)]),
                s("nl"),
                Value::Nil,
            ])
        };
        let d2 = call("deepCopy", std::slice::from_ref(&d));
        let s1 = src();
        let merged = call("merge", &[d.clone(), s1.clone()]);
        assert_eq!(
            json(&merged),
            r#"{"a":1,"b":"x","c":{"x":1,"y":2},"e":"filled","l":[1],"n":"nn","new":{"q":1},"t":true,"z":5}"#
        );
        assert_eq!(
            json(&call("mergeOverwrite", &[d2.clone(), src()])),
            r#"{"a":0,"b":"","c":{"x":1,"y":2},"e":"filled","l":[],"n":"nn","new":{"q":1},"nl":null,"t":false,"z":5}"#
        );
        // merge changed `d` in place, and `new` is the source's own dict.
        assert_eq!(json(&d), json(&merged));
        call("set", &[s1.get("new"), s("q"), i(99)]);
        assert_eq!(d.get("new").get("q"), i(99));
        assert_eq!(d2.get("new").get("q"), i(1));

        let mo = call(
            "mergeOverwrite",
            &[
                dict(&[s("a"), dict(&[s("x"), i(1)]), s("b"), i(2)]),
                dict(&[s("a"), i(5), s("b"), dict(&[s("y"), i(1)])]),
            ],
        );
        assert_eq!(json(&mo), r#"{"a":5,"b":{"y":1}}"#);
        let kept = call(
            "merge",
            &[
                dict(&[s("a"), s("x")]),
                dict(&[s("a"), Value::list(vec![i(1)])]),
            ],
        );
        assert_eq!(json(&kept), r#"{"a":"x"}"#);
    }

    #[test]
    fn dict_access() {
        let m = dict(&[s("k"), s("v")]);
        call("set", &[m.clone(), s("k2"), s("v2")]);
        call("unset", &[m.clone(), s("k")]);
        assert_eq!(m.to_string(), "map[k2:v2]");
        assert_eq!(call("hasKey", &[m.clone(), s("k2")]), Value::Bool(true));
        assert_eq!(call("get", &[m.clone(), s("zz")]), s(""));
        let plucked = call(
            "pluck",
            &[
                s("a"),
                dict(&[s("a"), i(1)]),
                dict(&[s("b"), i(2)]),
                dict(&[s("a"), i(3)]),
            ],
        );
        assert_eq!(plucked.to_string(), "[1 3]");
        let abc = dict(&[s("a"), i(1), s("b"), i(2), s("c"), i(3)]);
        assert_eq!(
            call("pick", &[abc.clone(), s("a"), s("c"), s("z")]).to_string(),
            "map[a:1 c:3]"
        );
        assert_eq!(call("omit", &[abc, s("a")]).to_string(), "map[b:2 c:3]");
        assert_eq!(dict(&[s("a")]).to_string(), "map[a:]");
        assert_eq!(
            dict(&[i(1), i(2), Value::Nil, i(3)]).to_string(),
            "map[1:2 <nil>:3]"
        );
        let nested = dict(&[s("a"), dict(&[s("b"), i(5)])]);
        assert_eq!(
            call("dig", &[s("a"), s("b"), s("def"), nested.clone()]),
            i(5)
        );
        assert_eq!(call("dig", &[s("a"), s("x"), s("def"), nested]), s("def"));
        assert!((table().get("set").unwrap().func)(&[Value::Nil, s("a"), i(1)]).is_err());
    }

    #[test]
    fn maps_containing_themselves_terminate() {
        let m = dict(&[s("a"), i(1)]);
        call("set", &[m.clone(), s("x"), m.clone()]);
        call("set", &[m.clone(), s("y"), m.clone()]);
        let copy = call("deepCopy", std::slice::from_ref(&m));
        assert_eq!(copy.get("a"), i(1));
        let other = dict(&[s("x"), dict(&[])]);
        call("merge", &[other.clone(), m.clone()]);
        call("mergeOverwrite", &[m.clone(), m.clone()]);
        assert_eq!(other.get("a"), i(1));
    }
}
