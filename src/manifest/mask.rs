//! Hiding Secret values before anything is compared for display or printed.
//!
//! A reviewer needs to know *that* a Secret's key changed, never its value
//! (base64 is not encryption). Each value of `data` and `stringData` is
//! replaced by a marker that still says whether it changed, so field changes
//! and the unified diff show `<hidden>` → `<hidden, changed>` and nothing else.

use crate::manifest::ResourceId;
use serde_json::Value;

pub const HIDDEN: &str = "<hidden>";
pub const HIDDEN_CHANGED: &str = "<hidden, changed>";

/// Fields of a Secret that hold its values.
const SECRET_FIELDS: [&str; 2] = ["data", "stringData"];

/// `kubectl apply` copies the whole object, values included, into this
/// annotation; it must be hidden too.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Masked copies of the two sides of a resource. Resources other than
/// Secrets come back unchanged.
pub fn mask_pair(
    id: &ResourceId,
    old: Option<&Value>,
    new: Option<&Value>,
) -> (Option<Value>, Option<Value>) {
    let mut old = old.cloned();
    let mut new = new.cloned();
    if id.kind != "Secret" {
        return (old, new);
    }
    for field in SECRET_FIELDS {
        let before = old.as_ref().and_then(|v| v.get(field)).cloned();
        if let Some(v) = old.as_mut() {
            mask_field(v, field, None);
        }
        if let Some(v) = new.as_mut() {
            mask_field(v, field, before.as_ref());
        }
    }
    let before = old.as_ref().and_then(last_applied).cloned();
    if let Some(v) = old.as_mut() {
        mask_last_applied(v, None);
    }
    if let Some(v) = new.as_mut() {
        mask_last_applied(v, before.as_ref());
    }
    (old, new)
}

/// [`mask_pair`] for one field of a resource, given by its JSON Pointer
/// (`/data/password`, `/stringData`, or empty for the whole resource): the
/// values an overlay's change record holds before and after.
pub fn mask_at(
    id: &ResourceId,
    path: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> (Option<Value>, Option<Value>) {
    if id.kind != "Secret" {
        return (before.cloned(), after.cloned());
    }
    // Put each value where it sits in the resource, mask that, take it out.
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let nest = |v: &Value| {
        segments.iter().rev().fold(v.clone(), |inner, seg| {
            let key = seg.replace("~1", "/").replace("~0", "~");
            Value::Object([(key, inner)].into_iter().collect())
        })
    };
    let (b, a) = mask_pair(id, before.map(nest).as_ref(), after.map(nest).as_ref());
    let take = |v: Value| v.pointer(path).cloned();
    (b.and_then(take), a.and_then(take))
}

/// The marker for a value: `<hidden>` on the old side or when unchanged,
/// `<hidden, changed>` on the new side when the old side held a different
/// value under the same key.
fn marker(value: &Value, before: Option<&Value>) -> Value {
    match before {
        Some(b) if b != value => Value::String(HIDDEN_CHANGED.to_string()),
        _ => Value::String(HIDDEN.to_string()),
    }
}

/// Masks `doc[field]`. `before` is the old side's `doc[field]` when masking
/// the new side, `None` when masking the old side.
fn mask_field(doc: &mut Value, field: &str, before: Option<&Value>) {
    let Some(slot) = doc.get_mut(field) else {
        return;
    };
    match slot {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let prior = before.and_then(|b| b.get(k));
                *v = marker(v, prior);
            }
        }
        // Not a map (invalid for the API, but possible in a manifest): hide it whole.
        other => *other = marker(other, before),
    }
}

fn last_applied(doc: &Value) -> Option<&Value> {
    doc.get("metadata")?.get("annotations")?.get(LAST_APPLIED)
}

fn mask_last_applied(doc: &mut Value, before: Option<&Value>) {
    let slot = doc
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(|a| a.get_mut(LAST_APPLIED));
    if let Some(v) = slot {
        *v = marker(v, before);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(kind: &str) -> ResourceId {
        ResourceId::of(&json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "s"}}))
            .unwrap()
    }

    #[test]
    fn secret_values_become_markers() {
        let a = json!({"kind": "Secret", "data": {"same": "c2FtZQ==", "diff": "b2xk", "gone": "eA=="}, "stringData": "raw"});
        let b = json!({"kind": "Secret", "data": {"same": "c2FtZQ==", "diff": "bmV3", "added": "eQ=="}, "stringData": "other"});
        let (ma, mb) = mask_pair(&id("Secret"), Some(&a), Some(&b));
        assert_eq!(
            ma.unwrap(),
            json!({"kind": "Secret", "data": {"same": HIDDEN, "diff": HIDDEN, "gone": HIDDEN}, "stringData": HIDDEN})
        );
        assert_eq!(
            mb.unwrap(),
            json!({"kind": "Secret", "data": {"same": HIDDEN, "diff": HIDDEN_CHANGED, "added": HIDDEN}, "stringData": HIDDEN_CHANGED})
        );
    }

    #[test]
    fn one_field_at_a_time() {
        let s = id("Secret");
        let (b, a) = mask_at(&s, "/data/pw", Some(&json!("b2xk")), Some(&json!("bmV3")));
        assert_eq!(
            (b.unwrap(), a.unwrap()),
            (json!(HIDDEN), json!(HIDDEN_CHANGED))
        );
        let (b, a) = mask_at(&s, "/stringData", None, Some(&json!({"k": "v"})));
        assert_eq!((b, a.unwrap()), (None, json!({"k": HIDDEN})));
        let la = "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration";
        let (b, _) = mask_at(&s, la, Some(&json!("{\"data\":{}}")), None);
        assert_eq!(b.unwrap(), json!(HIDDEN));
        let whole = json!({"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}});
        let (b, a) = mask_at(&s, "", Some(&whole), None);
        assert_eq!((b.unwrap()["data"]["k"].clone(), a), (json!(HIDDEN), None));
        // A label of a Secret is not a value.
        let (b, _) = mask_at(&s, "/metadata/labels/x", Some(&json!("y")), None);
        assert_eq!(b.unwrap(), json!("y"));
        let (b, _) = mask_at(&id("ConfigMap"), "/data/k", Some(&json!("v")), None);
        assert_eq!(b.unwrap(), json!("v"));
    }

    #[test]
    fn other_kinds_untouched() {
        let a = json!({"kind": "ConfigMap", "data": {"k": "v"}});
        let (ma, _) = mask_pair(&id("ConfigMap"), Some(&a), None);
        assert_eq!(ma.unwrap(), a);
    }
}
