//! Pairing the resources of two sides by identity (apiVersion, kind,
//! namespace, name).

use super::Resource;
use crate::manifest::ResourceId;
use std::collections::BTreeMap;

/// A resource on one side, the other, or both.
#[derive(Debug)]
pub enum Pair<'a> {
    Added(&'a Resource),
    Removed(&'a Resource),
    Both(&'a Resource, &'a Resource),
}

/// The order reports use: kind first, since reviewers scan by kind, then
/// namespace and name; apiVersion last so a version bump sorts together.
type Key = (String, Option<String>, String, String, usize);

fn key(id: &ResourceId, occurrence: usize) -> Key {
    (
        id.kind.clone(),
        id.namespace.clone(),
        id.name.clone(),
        id.api_version.clone(),
        occurrence,
    )
}

/// Pairs resources in a stable order. A stream may hold the same identity
/// twice (an error the API server would reject, but a diff should still
/// show it); the n-th occurrence on one side pairs with the n-th on the other.
pub fn pair<'a>(old: &'a [Resource], new: &'a [Resource]) -> Vec<Pair<'a>> {
    let mut slots: BTreeMap<Key, (Option<&'a Resource>, Option<&'a Resource>)> = BTreeMap::new();
    for (side, list) in [(0, old), (1, new)] {
        let mut seen: BTreeMap<&ResourceId, usize> = BTreeMap::new();
        for r in list {
            let n = seen.entry(&r.id).or_insert(0);
            let slot = slots.entry(key(&r.id, *n)).or_default();
            *n += 1;
            if side == 0 {
                slot.0 = Some(r);
            } else {
                slot.1 = Some(r);
            }
        }
    }
    slots
        .into_values()
        .filter_map(|slot| match slot {
            (Some(a), Some(b)) => Some(Pair::Both(a, b)),
            (Some(a), None) => Some(Pair::Removed(a)),
            (None, Some(b)) => Some(Pair::Added(b)),
            (None, None) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(kind: &str, ns: Option<&str>, name: &str) -> Resource {
        let mut v = json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}});
        if let Some(ns) = ns {
            v["metadata"]["namespace"] = json!(ns);
        }
        Resource {
            id: ResourceId::of(&v).unwrap(),
            value: v,
        }
    }

    #[test]
    fn pairs_by_identity_including_namespace() {
        let old = [res("Service", Some("a"), "x"), res("ConfigMap", None, "c")];
        let new = [res("Service", Some("b"), "x"), res("ConfigMap", None, "c")];
        let got: Vec<String> = pair(&old, &new)
            .iter()
            .map(|p| match p {
                Pair::Added(r) => format!("+{}", r.id),
                Pair::Removed(r) => format!("-{}", r.id),
                Pair::Both(r, _) => format!("={}", r.id),
            })
            .collect();
        assert_eq!(got, ["=ConfigMap c", "-Service a/x", "+Service b/x"]);
    }

    #[test]
    fn duplicates_pair_in_order() {
        let old = [res("A", None, "x"), res("A", None, "x")];
        let new = [res("A", None, "x")];
        let got = pair(&old, &new);
        assert!(matches!(got[0], Pair::Both(..)));
        assert!(matches!(got[1], Pair::Removed(..)));
    }
}
