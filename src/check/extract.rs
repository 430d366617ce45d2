//! The images a manifest stream uses, normalised and deduplicated, each with
//! the resources and containers that use it.

use super::workloads::{objects, pod_template, Document};
use crate::registry::reference::{ImageRef, InvalidReference};
use serde::Serialize;

#[derive(Serialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UsedBy {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub container: String,
}

#[derive(Clone, Debug)]
pub struct ImageUse {
    /// The reference as the manifest wrote it (first occurrence).
    pub written: String,
    pub reference: Result<ImageRef, InvalidReference>,
    pub used_by: Vec<UsedBy>,
}

impl ImageUse {
    /// The name shown and keyed on: normalised when valid, as written if not.
    pub fn display(&self) -> String {
        match &self.reference {
            Ok(r) => r.to_string(),
            Err(_) => self.written.clone(),
        }
    }
}

/// Every image in the stream, in order of first use.
pub fn images(docs: &[Document]) -> Vec<ImageUse> {
    let mut out: Vec<ImageUse> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for obj in objects(docs) {
        let Some(t) = pod_template(obj) else { continue };
        for c in t.containers() {
            let Some(written) = c.image else { continue };
            let reference = ImageRef::parse(written);
            let key = match &reference {
                Ok(r) => r.to_string(),
                Err(_) => written.to_string(),
            };
            let used = UsedBy {
                kind: t.kind.to_string(),
                namespace: t.namespace.map(str::to_string),
                name: t.name.to_string(),
                container: c.name.to_string(),
            };
            let i = *index.entry(key).or_insert_with(|| {
                out.push(ImageUse {
                    written: written.to_string(),
                    reference,
                    used_by: Vec::new(),
                });
                out.len() - 1
            });
            if !out[i].used_by.contains(&used) {
                out[i].used_by.push(used);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::workloads::parse_stream;

    #[test]
    fn dedup_with_users() {
        let docs = parse_stream(
            r#"
kind: Deployment
metadata: {name: a, namespace: ns}
spec: {template: {spec: {containers: [{name: c1, image: redis}, {name: c2, image: "docker.io/library/redis:latest"}]}}}
---
kind: CronJob
metadata: {name: cj}
spec: {jobTemplate: {spec: {template: {spec: {initContainers: [{name: i, image: "Bad:Ref"}], containers: [{name: m, image: redis}]}}}}}
---
kind: Service
metadata: {name: s}
spec: {ports: []}
"#,
        )
        .unwrap();
        let imgs = images(&docs);
        assert_eq!(imgs.len(), 2);
        assert_eq!(imgs[0].display(), "docker.io/library/redis:latest");
        assert_eq!(imgs[0].used_by.len(), 3);
        assert_eq!(imgs[0].used_by[2].kind, "CronJob");
        assert!(imgs[1].reference.is_err());
        assert_eq!(imgs[1].display(), "Bad:Ref");
    }
}
