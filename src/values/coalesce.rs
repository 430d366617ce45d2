//! Helm's coalescing: a chart's defaults under the user's values, subcharts'
//! defaults under their parent's section for them, and `global` handed down.
//!
//! The user's value wins; a user `null` deletes the default (when coalescing,
//! not when merging); a map never replaces a scalar nor a scalar a map (both
//! give a warning and the user's side is kept). Warnings are collected, not
//! printed, so the caller decides where they go.
//!
//! Maps are written in place (template maps are shared and mutable); the
//! entry points copy their inputs first, so neither the chart's defaults nor
//! the caller's values change.

use super::{deep_copy, GLOBAL_KEY};
use crate::chart::{Chart, ChartError};
use crate::value::{Map, Value};

/// What coalescing noticed but did not fail on, as Helm words it.
#[derive(Debug, Default)]
pub struct Warnings(pub Vec<String>);

/// Helm's `CoalesceValues`: user values over the chart's defaults, recursively
/// for every subchart. User nulls delete defaults.
pub fn coalesce_values(
    chart: &Chart,
    user: &Value,
    warn: &mut Warnings,
) -> Result<Value, ChartError> {
    let dest = as_map_value(deep_copy(user));
    coalesce(chart, &dest, "", false, warn)?;
    Ok(dest)
}

/// Helm's `MergeValues`: as [`coalesce_values`], but nulls are kept.
pub fn merge_values(chart: &Chart, user: &Value, warn: &mut Warnings) -> Result<Value, ChartError> {
    let dest = as_map_value(deep_copy(user));
    coalesce(chart, &dest, "", true, warn)?;
    Ok(dest)
}

fn as_map_value(v: Value) -> Value {
    match v {
        Value::Map(_, _) => v,
        _ => Value::map(Map::new()),
    }
}

fn coalesce(
    chart: &Chart,
    dest: &Value,
    prefix: &str,
    merge: bool,
    warn: &mut Warnings,
) -> Result<(), ChartError> {
    let Some(d) = dest.as_map() else {
        return Ok(());
    };
    defaults_into(chart, d, prefix, merge, warn);
    let sub_prefix = concat(prefix, chart.name());
    for sub in &chart.dependencies {
        let name = sub.name();
        let section = match d.get(name) {
            None => {
                let s = Value::map(Map::new());
                d.insert(name, s.clone());
                s
            }
            Some(v @ Value::Map(_, _)) => v,
            Some(other) => {
                return Err(ChartError::new(format!(
                    "type mismatch on {name}: %!t({}={other})",
                    other.type_name()
                )))
            }
        };
        globals_into(section.as_map().expect("a map"), d, &sub_prefix, warn);
        coalesce(sub, &section, &sub_prefix, merge, warn)?;
    }
    Ok(())
}

/// Copies the parent's `global` into a subchart's section; the parent's
/// globals win over the subchart's own.
fn globals_into(dest: &Map, parent: &Map, prefix: &str, warn: &mut Warnings) {
    let dg = match dest.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m, _)) => (*m).clone(),
        Some(_) => {
            warn.0.push(format!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let sg = match parent.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m, _)) => (*m).clone(),
        Some(_) => {
            warn.0.push(format!(
                "warning: skipping globals because source {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    for (key, val) in sg.iter() {
        match (&val, dg.get(&key)) {
            (Value::Map(_, _), None) => {
                dg.insert(key, deep_copy(&val));
            }
            (Value::Map(_, _), Some(Value::Map(existing, _))) => {
                let vv = deep_copy(&val);
                tables_into(
                    vv.as_map().expect("a map"),
                    &existing,
                    &concat(prefix, &key),
                    true,
                    warn,
                );
                dg.insert(key, vv);
            }
            (Value::Map(_, _), Some(_)) => {
                warn.0.push(format!(
                    "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                ));
            }
            (_, Some(Value::Map(_, _))) => warn.0.push(format!("key {key} is table. Skipping")),
            _ => {
                dg.insert(key, val);
            }
        }
    }
    dest.insert(GLOBAL_KEY, Value::map(dg));
}

/// Puts a chart's defaults under the values in `v`. When coalescing (not
/// merging), a chart's own `null` defaults are dropped (Helm 4.2 cleans them
/// so they neither shadow globals nor print as `null`).
fn defaults_into(chart: &Chart, v: &Map, prefix: &str, merge: bool, warn: &mut Warnings) {
    let sub_prefix = concat(prefix, chart.name());
    let Some(defaults) = chart.values.as_map() else {
        return;
    };
    for (key, default) in defaults.iter() {
        match v.get(&key) {
            None => {
                if !merge && default.is_nil() {
                    continue;
                }
                v.insert(key, copy_keeping_nils(&default, merge));
            }
            Some(Value::Nil) if !merge => {
                v.remove(&key);
            }
            Some(Value::Map(user, _)) => match &default {
                Value::Map(_, _) => {
                    // A subchart's section is merged, so its nulls reach the
                    // subchart, which deletes its own defaults with them.
                    let is_sub = chart.dependencies.iter().any(|d| d.name() == key);
                    let merge = merge || is_sub;
                    // The defaults are read, not copied first: what is taken
                    // from them is copied (once), their nulls left out.
                    let src = default.as_map().expect("a map");
                    let full = concat(&sub_prefix, &key);
                    tables_into_in(&user, src, &full, merge, merge, warn);
                }
                Value::Nil => {}
                _ => warn.0.push(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                )),
            },
            Some(_) => {}
        }
    }
}

/// A [`deep_copy`] of a default; unless `keep_nils`, without the `null`
/// entries of its maps and the maps inside them (lists keep theirs).
fn copy_keeping_nils(v: &Value, keep_nils: bool) -> Value {
    match v {
        Value::Map(m, _) if !keep_nils => Value::map(
            m.iter()
                .filter(|(_, x)| !x.is_nil())
                .map(|(k, x)| (k, copy_keeping_nils(&x, false)))
                .collect(),
        ),
        other => deep_copy(other),
    }
}

/// Helm's `coalesceTablesFullKey`: `src` under `dst`; `dst` wins. `src` is
/// only read; what is taken from it is copied. A `null` in `dst` deletes the
/// key when coalescing and `src` has a value for it; otherwise it stays.
pub fn tables_into(dst: &Map, src: &Map, prefix: &str, merge: bool, warn: &mut Warnings) {
    tables_into_in(dst, src, prefix, merge, true, warn);
}

/// [`tables_into`]; unless `src_nils`, as if the `null` entries of `src`'s
/// maps were not there (a chart's own `null` defaults, which Helm 4.2 drops
/// before coalescing).
fn tables_into_in(
    dst: &Map,
    src: &Map,
    prefix: &str,
    merge: bool,
    src_nils: bool,
    warn: &mut Warnings,
) {
    for (key, val) in src.iter() {
        if !src_nils && val.is_nil() {
            continue;
        }
        let full = concat(prefix, &key);
        match dst.get(&key) {
            None => {
                dst.insert(key, copy_keeping_nils(&val, src_nils));
            }
            Some(Value::Nil) => {
                if !merge && !val.is_nil() {
                    dst.remove(&key);
                }
            }
            Some(dv) => match (&val, &dv) {
                (Value::Map(s, _), Value::Map(d, _)) => {
                    tables_into_in(d, s, &full, merge, src_nils, warn)
                }
                (Value::Map(_, _), _) => {
                    // Printed as the defaults read without their nulls.
                    let shown = copy_keeping_nils(&val, src_nils);
                    warn.0.push(format!(
                        "warning: cannot overwrite table with non table for {full} ({shown})"
                    ))
                }
                (v, Value::Map(_, _)) if !v.is_nil() => warn.0.push(format!(
                    "warning: destination for {full} is a table. Ignoring non-table value ({val})"
                )),
                _ => {}
            },
        }
    }
}

fn concat(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::loader::from_files;
    use crate::chart::File;

    fn chart() -> Chart {
        let f = |n: &str, d: &str| File {
            name: n.into(),
            data: d.as_bytes().into(),
        };
        from_files(vec![
            f("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            f(
                "values.yaml",
                "keep: 1\ndrop: 2\nnested: {a: 1, b: 2}\nglobal: {g: top}\nsub: {x: fromparent}\n",
            ),
            f(
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            f(
                "charts/sub/values.yaml",
                "x: own\nz: own\nglobal: {g: sub, h: sub}\n",
            ),
        ])
        .unwrap()
    }

    fn yaml(s: &str) -> Value {
        crate::yaml::from_str(s).unwrap()
    }

    #[test]
    fn user_wins_and_null_deletes() {
        let mut w = Warnings::default();
        let c = chart();
        let v = coalesce_values(
            &c,
            &yaml("drop: null\nnested: {b: null, c: 3, d: null}\nextra: null\n"),
            &mut w,
        )
        .unwrap();
        assert_eq!(v.get("keep"), Value::Float(1.0));
        assert!(!v.as_map().unwrap().contains_key("drop"));
        // A null for a key the chart does not have stays (as Helm 4.2 leaves it).
        assert_eq!(v.get("nested").to_string(), "map[a:1 c:3 d:<nil>]");
        assert!(v.as_map().unwrap().contains_key("extra"));
        // The chart's defaults are untouched.
        assert_eq!(c.values.get("nested").to_string(), "map[a:1 b:2]");
    }

    #[test]
    fn chart_null_defaults_are_dropped() {
        let f = |n: &str, d: &str| File {
            name: n.into(),
            data: d.as_bytes().into(),
        };
        let c = from_files(vec![
            f("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            f("values.yaml", "a: {x: null, k: 1}\nb: null\nl: [null]\n"),
        ])
        .unwrap();
        let mut w = Warnings::default();
        let v = coalesce_values(&c, &yaml("a: {z: null}\n"), &mut w).unwrap();
        assert_eq!(v.to_string(), "map[a:map[k:1 z:<nil>] l:[<nil>]]");
        let v = merge_values(&c, &Value::map(Map::new()), &mut w).unwrap();
        assert_eq!(v.to_string(), "map[a:map[k:1 x:<nil>] b:<nil> l:[<nil>]]");
    }

    /// Under a map the user gave, the chart's nulls are left out at every
    /// depth, lists keep theirs, and a warning shows the defaults without
    /// them; the chart's values are not changed.
    #[test]
    fn chart_null_defaults_under_user_maps() {
        let f = |n: &str, d: &str| File {
            name: n.into(),
            data: d.as_bytes().into(),
        };
        let defaults =
            "a: {x: null, k: 1, m: {s: null, o: 2, q: [null, {r: null}]}, t: {u: null, v: 1}}\n";
        let c = from_files(vec![
            f("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            f("values.yaml", defaults),
        ])
        .unwrap();
        let before = c.values.to_string();
        let mut w = Warnings::default();
        let v = coalesce_values(&c, &yaml("a: {z: null, m: {p: 3}, t: 5}\n"), &mut w).unwrap();
        assert_eq!(
            v.to_string(),
            "map[a:map[k:1 m:map[o:2 p:3 q:[<nil> map[r:<nil>]]] t:5 z:<nil>]]"
        );
        assert_eq!(
            w.0,
            ["warning: cannot overwrite table with non table for top.a.t (map[v:1])"]
        );
        let mut w = Warnings::default();
        let v = merge_values(&c, &yaml("a: {m: {p: 3}}\n"), &mut w).unwrap();
        assert_eq!(
            v.to_string(),
            "map[a:map[k:1 m:map[o:2 p:3 q:[<nil> map[r:<nil>]] s:<nil>] t:map[u:<nil> v:1] x:<nil>]]"
        );
        assert_eq!(c.values.to_string(), before);
    }

    #[test]
    fn subcharts_get_parent_section_and_globals() {
        let mut w = Warnings::default();
        let v = coalesce_values(&chart(), &Value::map(Map::new()), &mut w).unwrap();
        assert_eq!(
            v.get("sub").to_string(),
            "map[global:map[g:top h:sub] x:fromparent z:own]"
        );
    }

    #[test]
    fn tables_and_scalars_warn() {
        let mut w = Warnings::default();
        let v = coalesce_values(&chart(), &yaml("nested: 5\n"), &mut w).unwrap();
        assert_eq!(v.get("nested"), Value::Float(5.0));
        let mut w = Warnings::default();
        let dst = yaml("a: 1\n");
        tables_into(
            dst.as_map().unwrap(),
            yaml("a: {b: 1}\n").as_map().unwrap(),
            "",
            false,
            &mut w,
        );
        assert_eq!(w.0.len(), 1, "{:?}", w.0);
    }
}
