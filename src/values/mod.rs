//! Helm's values: coalescing chart defaults with user values ([`coalesce`]),
//! the `--set` family's grammar ([`strvals`]), and the user's values assembled
//! from `-f` files and flags ([`user`]).
//!
//! Values are plain [`Value`] trees. Template maps are shared and mutable, so
//! every merge works on a [`deep_copy`] of what it was given.

pub mod coalesce;
pub mod common;
pub mod dependencies;
pub mod places;
pub mod strvals;
pub mod unused;
pub mod user;

use crate::value::{Map, Value};

/// The key under which values are shared with every subchart.
pub const GLOBAL_KEY: &str = "global";

/// A copy of a value tree that shares no map or list with the original, as
/// Helm's `copystructure.Copy`: template maps are mutable and shared, so
/// coalescing must never write into a chart's defaults or the user's input.
pub fn deep_copy(v: &Value) -> Value {
    match v {
        Value::Map(m, _) => Value::map(m.iter().map(|(k, v)| (k, deep_copy(&v))).collect()),
        Value::List(l) => Value::list(l.iter().map(deep_copy).collect()),
        other => other.clone(),
    }
}

/// Helm's `Values.Table`: the map at a dotted path, `None` when any step is
/// missing or not a map.
pub fn table(values: &Value, path: &str) -> Option<Value> {
    table_at(values, path).ok()
}

/// Helm's `Values.Table`: the map at a dotted path, or the first key on the
/// way that is missing or not a map (Helm's `ErrNoTable`).
pub fn table_at<'p>(values: &Value, path: &'p str) -> Result<Value, &'p str> {
    let mut cur = values.clone();
    for seg in path.split('.') {
        match cur.as_map().and_then(|m| m.get(seg)) {
            Some(next @ Value::Map(..)) => cur = next,
            _ => return Err(seg),
        }
    }
    Ok(cur)
}

/// Helm's `Values.PathValue`: the value at a dotted path when it is not a map.
pub fn path_value(values: &Value, path: &str) -> Option<Value> {
    value_at(values, path).ok()
}

/// Helm's `Values.PathValue`: the value at a dotted path, or the path's last
/// key when its table is missing or the value is missing or a plain map
/// (Helm's `ErrNoValue`; its `istable` asks for `map[string]interface{}`).
pub fn value_at<'p>(values: &Value, path: &'p str) -> Result<Value, &'p str> {
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table_at(values, p).map_err(|_| k)?, k),
        None => (values.clone(), path),
    };
    match parent.as_map().and_then(|m| m.get(key)) {
        Some(Value::Map(_, None)) | None => Err(key),
        Some(v) => Ok(v),
    }
}

/// Helm's `pathToMap`: nests `data` under a dotted path (`.` is the root).
pub fn path_to_map(path: &str, data: Value) -> Value {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for seg in path.split('.').rev() {
        let m = Map::new();
        m.insert(seg, cur);
        cur = Value::map(m);
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        crate::yaml::from_str(s).unwrap()
    }

    #[test]
    fn tables_and_paths() {
        let v = yaml("a:\n  b:\n    c: 1\n  d: true\n");
        assert!(table(&v, "a.b").is_some());
        assert!(table(&v, "a.d").is_none());
        assert_eq!(path_value(&v, "a.d"), Some(Value::Bool(true)));
        assert_eq!(path_value(&v, "a.b"), None);
        assert_eq!(path_value(&v, "x.y"), None);
    }

    #[test]
    fn nests_under_a_path() {
        let m = path_to_map("x.y", yaml("k: v\n"));
        assert_eq!(m.to_string(), "map[x:map[y:map[k:v]]]");
    }
}
