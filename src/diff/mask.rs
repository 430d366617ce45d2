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
    fn other_kinds_untouched() {
        let a = json!({"kind": "ConfigMap", "data": {"k": "v"}});
        let (ma, _) = mask_pair(&id("ConfigMap"), Some(&a), None);
        assert_eq!(ma.unwrap(), a);
    }
}
