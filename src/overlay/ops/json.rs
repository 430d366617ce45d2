//! The general-purpose operations: `set`, `merge` (RFC 7386), `patch`
//! (RFC 6902) and `remove`.

use crate::overlay::de::Ordered;
use crate::overlay::params::ParamValue;
use crate::overlay::pointer::{self, Pointer};
use crate::overlay::provenance::Edits;
use serde::Deserialize;
use serde_json::Value;

/// `set: {/spec/replicas: 1, …}` writes each value, creating mappings on the way.
pub type SetOp = Ordered<Pointer, ParamValue>;

pub fn apply_set(op: &SetOp, doc: &mut Value, edits: &mut Edits) -> Result<(), String> {
    for (path, value) in &op.0 {
        let old = pointer::set(doc, path.tokens(), value.0.clone())?;
        edits.note(path.as_str(), old, Some(value.0.clone()));
    }
    Ok(())
}

/// `remove: [/spec/x, …]`; a path that is not there is left alone.
pub fn apply_remove(op: &[Pointer], doc: &mut Value, edits: &mut Edits) {
    for path in op {
        if let Some(old) = pointer::remove(doc, path.tokens()) {
            edits.note(path.as_str(), Some(old), None);
        }
    }
}

/// RFC 7386 JSON merge patch: mappings merge key by key, `null` deletes,
/// anything else replaces.
pub fn apply_merge(patch: &Value, doc: &mut Value, edits: &mut Edits) {
    merge_at("", patch, doc, edits)
}

fn merge_at(path: &str, patch: &Value, target: &mut Value, edits: &mut Edits) {
    match (patch, target) {
        (Value::Object(patch), Value::Object(map)) => {
            for (k, v) in patch {
                let at = pointer::join(path, k);
                if v.is_null() {
                    if let Some(old) = map.shift_remove(k) {
                        edits.note(at, Some(old), None);
                    }
                } else if let Some(existing) = map.get_mut(k) {
                    merge_at(&at, v, existing, edits);
                } else {
                    let new = strip_nulls(v.clone());
                    edits.note(at, None, Some(new.clone()));
                    map.insert(k.clone(), new);
                }
            }
        }
        (patch, target) => {
            let new = strip_nulls(patch.clone());
            let old = std::mem::replace(target, new.clone());
            edits.note(path, Some(old), Some(new));
        }
    }
}

/// A merge patch adding a new mapping keeps no nulls in it (RFC 7386: they
/// delete, and there is nothing to delete).
fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The most nodes (scalars, lists and maps) a resource may hold after a
/// rule: the manifest reader's bound ([`crate::yaml::MAX_NODES`]), so that
/// what overlays make stays within what could have been read.
pub const MAX_NODES: u64 = crate::yaml::MAX_NODES;

/// The error for a resource that `what` would grow past [`MAX_NODES`].
pub fn too_big(what: &str) -> String {
    format!(
        "{what} makes the resource larger than {MAX_NODES} nodes (scalars, lists and maps), chartfix's limit"
    )
}

/// The nodes of `v`, counted up to just past `max`.
fn nodes_up_to(v: &Value, max: u64) -> u64 {
    let mut count = 0u64;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        count += 1;
        if count > max {
            break;
        }
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// Whether `v` holds more than `max` nodes; stops counting there.
pub fn nodes_over(v: &Value, max: u64) -> bool {
    nodes_up_to(v, max) > max
}

/// One RFC 6902 operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
pub enum PatchOp {
    Add { path: Pointer, value: ParamValue },
    Remove { path: Pointer },
    Replace { path: Pointer, value: ParamValue },
    Move { from: Pointer, path: Pointer },
    Copy { from: Pointer, path: Pointer },
    Test { path: Pointer, value: ParamValue },
}

/// What became of a patch on one resource.
#[derive(Debug, PartialEq)]
pub enum PatchOutcome {
    Applied,
    /// A `test` did not hold: the resource is left as it was. A rule meant for
    /// many resources uses `test` to pick the ones it fits.
    TestFailed,
}

/// Applies the operations in order, all or nothing (RFC 6902 §5).
pub fn apply_patch(
    ops: &[PatchOp],
    doc: &mut Value,
    edits: &mut Edits,
) -> Result<PatchOutcome, String> {
    let mut work = doc.clone();
    let mut local = Edits::default();
    for (i, op) in ops.iter().enumerate() {
        let fail = |m: String| format!("patch operation {}: {m}", i + 1);
        match op {
            PatchOp::Add { path, value } => {
                let old = pointer::add(&mut work, path.tokens(), value.0.clone()).map_err(fail)?;
                local.note(path.as_str(), old, Some(value.0.clone()));
            }
            PatchOp::Remove { path } => {
                let old = pointer::remove(&mut work, path.tokens())
                    .ok_or_else(|| fail(format!("remove: {path} does not exist")))?;
                local.note(path.as_str(), Some(old), None);
            }
            PatchOp::Replace { path, value } => {
                let slot = pointer::get_mut(&mut work, path.tokens())
                    .ok_or_else(|| fail(format!("replace: {path} does not exist")))?;
                let old = std::mem::replace(slot, value.0.clone());
                local.note(path.as_str(), Some(old), Some(value.0.clone()));
            }
            PatchOp::Move { from, path } => {
                if path.as_str().starts_with(&format!("{}/", from.as_str())) {
                    return Err(fail(format!("move: {path} is inside {from}")));
                }
                let v = pointer::remove(&mut work, from.tokens())
                    .ok_or_else(|| fail(format!("move: {from} does not exist")))?;
                local.note(from.as_str(), Some(v.clone()), None);
                let old = pointer::add(&mut work, path.tokens(), v.clone()).map_err(fail)?;
                local.note(path.as_str(), old, Some(v));
            }
            PatchOp::Copy { from, path } => {
                let v = pointer::get(&work, from.tokens())
                    .ok_or_else(|| fail(format!("copy: {from} does not exist")))?;
                // Copies double what they copy: a few into a list grow it
                // past any memory.
                if nodes_over(&work, MAX_NODES - nodes_up_to(v, MAX_NODES).min(MAX_NODES)) {
                    return Err(fail(too_big(&format!("copy of {from} to {path}"))));
                }
                let v = v.clone();
                let old = pointer::add(&mut work, path.tokens(), v.clone()).map_err(fail)?;
                local.note(path.as_str(), old, Some(v));
            }
            PatchOp::Test { path, value } => {
                if pointer::get(&work, path.tokens()) != Some(&value.0) {
                    return Ok(PatchOutcome::TestFailed);
                }
            }
        }
    }
    *doc = work;
    edits.items.extend(local.items);
    Ok(PatchOutcome::Applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(yaml: &str) -> Vec<PatchOp> {
        yaml_serde::from_str(yaml).unwrap()
    }

    #[test]
    fn set_and_remove_record_changes() {
        let mut d = json!({"spec": {"replicas": 3}});
        let op: SetOp = yaml_serde::from_str("{/spec/replicas: 1, /metadata/labels/a: b}").unwrap();
        let mut e = Edits::default();
        apply_set(&op, &mut d, &mut e).unwrap();
        assert_eq!(
            d,
            json!({"spec": {"replicas": 1}, "metadata": {"labels": {"a": "b"}}})
        );
        assert_eq!(
            e.items[0],
            ("/spec/replicas".into(), Some(json!(3)), Some(json!(1)))
        );
        assert_eq!(
            e.items[1],
            ("/metadata/labels/a".into(), None, Some(json!("b")))
        );
        let rm: Vec<Pointer> = yaml_serde::from_str("[/spec/replicas, /nothing]").unwrap();
        apply_remove(&rm, &mut d, &mut e);
        assert_eq!(e.items.len(), 3);
        assert!(d["spec"].get("replicas").is_none());
    }

    #[test]
    fn merge_follows_rfc7386() {
        // RFC 7386 appendix A examples
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"e": null}),
                json!({"a": 1}),
                json!({"e": null, "a": 1}),
            ),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
            (json!({"a": "foo"}), json!("bar"), json!("bar")),
        ];
        for (mut doc, patch, want) in cases {
            let mut e = Edits::default();
            apply_merge(&patch, &mut doc, &mut e);
            assert_eq!(doc, want, "patch {patch}");
        }
        let mut d = json!({"a": {"x": 1}});
        let mut e = Edits::default();
        apply_merge(&json!({"a": {"x": 2, "y": 3}}), &mut d, &mut e);
        assert_eq!(
            e.items,
            vec![
                ("/a/x".into(), Some(json!(1)), Some(json!(2))),
                ("/a/y".into(), None, Some(json!(3)))
            ]
        );
    }

    #[test]
    fn patch_follows_rfc6902() {
        let mut d = json!({"a": {"b": [1, 2]}, "c": 1});
        let p = ops("- {op: add, path: /a/b/1, value: 9}\n- {op: replace, path: /c, value: 2}\n- {op: move, from: /c, path: /d}\n- {op: copy, from: /d, path: /e}\n- {op: remove, path: /a/b/0}\n- {op: test, path: /e, value: 2}\n");
        let mut e = Edits::default();
        assert_eq!(
            apply_patch(&p, &mut d, &mut e).unwrap(),
            PatchOutcome::Applied
        );
        assert_eq!(d, json!({"a": {"b": [9, 2]}, "d": 2, "e": 2}));
        // a failing test leaves the document untouched
        let before = d.clone();
        let p = ops("- {op: replace, path: /d, value: 5}\n- {op: test, path: /e, value: 3}\n");
        assert_eq!(
            apply_patch(&p, &mut d, &mut Edits::default()).unwrap(),
            PatchOutcome::TestFailed
        );
        assert_eq!(d, before);
        // errors name the operation, and leave no trace
        let p = ops("- {op: add, path: /x, value: 1}\n- {op: remove, path: /nope}\n");
        let err = apply_patch(&p, &mut d, &mut Edits::default()).unwrap_err();
        assert!(
            err.contains("patch operation 2") && err.contains("/nope"),
            "{err}"
        );
        assert_eq!(d, before);
        let p = ops("- {op: move, from: /a, path: /a/b/x}\n");
        assert!(apply_patch(&p, &mut d, &mut Edits::default()).is_err());
    }

    #[test]
    fn unknown_patch_ops_are_errors() {
        assert!(yaml_serde::from_str::<Vec<PatchOp>>("- {op: frob, path: /a}").is_err());
        assert!(yaml_serde::from_str::<Vec<PatchOp>>("- {op: add, path: /a}").is_err());
    }
}
