//! Who a document is: the identity Kubernetes gives a resource, used by
//! selectors, messages and provenance records.

use serde_json::Value;
use std::fmt;

/// A resource's identity. `namespace` is `None` when the document names none
/// (cluster-scoped, or left to the namespace of the release).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ResourceId {
    /// The identity of a parsed document, or `None` when it is not a resource
    /// (no string `kind`, or not a mapping at all).
    pub fn of(doc: &Value) -> Option<ResourceId> {
        let kind = doc.get("kind")?.as_str()?.to_string();
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        let meta = doc.get("metadata");
        Some(ResourceId {
            api_version: text(doc.get("apiVersion")).unwrap_or_default(),
            kind,
            namespace: text(meta.and_then(|m| m.get("namespace"))),
            name: text(meta.and_then(|m| m.get("name"))).unwrap_or_default(),
        })
    }

    /// The API group: what comes before the `/` of `apiVersion` (empty for core).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }
}

impl fmt::Display for ResourceId {
    /// `Kind namespace/name`, or `Kind name` without a namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identity_of_documents() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a", "namespace": "n"}});
        let id = ResourceId::of(&d).unwrap();
        assert_eq!(id.to_string(), "Deployment n/a");
        assert_eq!(id.group(), "apps");
        let ns = ResourceId::of(
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}),
        )
        .unwrap();
        assert_eq!(ns.to_string(), "Namespace x");
        assert_eq!(ns.group(), "");
        assert!(ResourceId::of(&json!([1])).is_none());
        assert!(ResourceId::of(&json!({"kind": 3})).is_none());
    }
}
