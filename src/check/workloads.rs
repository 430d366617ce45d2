//! Reading a manifest stream and finding the pods it creates: the pod
//! template of every workload kind, how many pods of it run at once, and its
//! containers. Images and fit are both computed from this one walk.

use yaml_serde::Value;

/// One document of the stream, with where it came from for messages.
#[derive(Debug, Clone)]
pub struct Document {
    /// 1-based position in the stream.
    pub index: usize,
    pub value: Value,
}

impl Document {
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        get(&self.value, path).and_then(Value::as_str)
    }
    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"]).unwrap_or("")
    }
    pub fn kind(&self) -> &str {
        self.str_at(&["kind"]).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"]).unwrap_or("")
    }
    pub fn namespace(&self) -> Option<&str> {
        self.str_at(&["metadata", "namespace"])
    }
}

/// Splits and parses a multi-document YAML stream. `List` kinds are opened
/// into their items; empty documents are skipped. YAML merge keys (`<<`) are
/// applied, as Kubernetes clients do.
pub fn parse_stream(text: &str) -> Result<Vec<Document>, String> {
    use serde::Deserialize;
    crate::yaml::check_limits(text, crate::yaml::SERDE_MAX_DEPTH).map_err(|e| {
        format!(
            "invalid YAML at line {} column {}: {}",
            e.line, e.column, e.message
        )
    })?;
    let mut out = Vec::new();
    for (i, de) in yaml_serde::Deserializer::from_str(text).enumerate() {
        let mut value =
            Value::deserialize(de).map_err(|e| format!("document {}: invalid YAML: {e}", i + 1))?;
        value
            .apply_merge()
            .map_err(|e| format!("document {}: {e}", i + 1))?;
        match &value {
            Value::Null => continue,
            Value::Mapping(_) => {}
            _ => {
                return Err(format!(
                    "document {}: not a mapping (a Kubernetes object)",
                    i + 1
                ))
            }
        }
        let is_list = get(&value, &["kind"])
            .and_then(Value::as_str)
            .is_some_and(|k| k == "List" || k.ends_with("List"))
            && get(&value, &["items"]).is_some_and(Value::is_sequence);
        if is_list {
            if let Some(Value::Sequence(items)) = get(&value, &["items"]) {
                for item in items.iter().filter(|v| v.is_mapping()) {
                    out.push(Document {
                        index: i + 1,
                        value: item.clone(),
                    });
                }
            }
        } else {
            out.push(Document {
                index: i + 1,
                value,
            });
        }
    }
    Ok(out)
}

pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        cur = cur.as_mapping()?.get(*key)?;
    }
    Some(cur)
}

/// What kind of container a spec entry is; the scheduler counts them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerRole {
    Main,
    Init,
    /// An init container with `restartPolicy: Always` (a native sidecar).
    Sidecar,
    Ephemeral,
}

#[derive(Debug, Clone)]
pub struct Container<'a> {
    pub name: &'a str,
    pub image: Option<&'a str>,
    pub role: ContainerRole,
    pub spec: &'a Value,
}

/// A pod template and the workload that owns it.
#[derive(Debug, Clone)]
pub struct PodTemplate<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    /// Pods of this template that run at once (replicas, Job parallelism).
    pub replicas: u64,
    /// DaemonSets run one pod on every node.
    pub per_node: bool,
    pub spec: &'a Value,
}

impl<'a> PodTemplate<'a> {
    /// Containers in the order the pod spec lists them: init, main, ephemeral.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let mut out = Vec::new();
        for (field, role) in [
            ("initContainers", ContainerRole::Init),
            ("containers", ContainerRole::Main),
            ("ephemeralContainers", ContainerRole::Ephemeral),
        ] {
            let Some(Value::Sequence(list)) = get(self.spec, &[field]) else {
                continue;
            };
            for c in list {
                let role = if role == ContainerRole::Init
                    && get(c, &["restartPolicy"]).and_then(Value::as_str) == Some("Always")
                {
                    ContainerRole::Sidecar
                } else {
                    role
                };
                out.push(Container {
                    name: get(c, &["name"]).and_then(Value::as_str).unwrap_or(""),
                    image: get(c, &["image"]).and_then(Value::as_str),
                    role,
                    spec: c,
                });
            }
        }
        out
    }
}

fn count(v: Option<&Value>, default: u64) -> u64 {
    match v {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(default),
        // Helm output sometimes quotes numbers.
        Some(Value::String(s)) => s.trim().parse().unwrap_or(default),
        _ => default,
    }
}

/// The pod template of a document, if its kind creates pods.
pub fn pod_template(doc: &Document) -> Option<PodTemplate<'_>> {
    let v = &doc.value;
    let kind = doc.kind();
    let (spec, replicas, per_node) = match kind {
        "Pod" => (get(v, &["spec"])?, 1, false),
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => (
            get(v, &["spec", "template", "spec"])?,
            count(get(v, &["spec", "replicas"]), 1),
            false,
        ),
        "DaemonSet" => (get(v, &["spec", "template", "spec"])?, 1, true),
        "Job" => (
            get(v, &["spec", "template", "spec"])?,
            job_pods(get(v, &["spec"])?),
            false,
        ),
        "CronJob" => (
            get(v, &["spec", "jobTemplate", "spec", "template", "spec"])?,
            job_pods(get(v, &["spec", "jobTemplate", "spec"])?),
            false,
        ),
        "PodTemplate" => (get(v, &["template", "spec"])?, 0, false),
        _ => return None,
    };
    Some(PodTemplate {
        kind,
        name: doc.name(),
        namespace: doc.namespace(),
        replicas,
        per_node,
        spec,
    })
}

/// Pods of a Job that run at once: `parallelism` (default 1), no more than
/// `completions` when that is set.
fn job_pods(job_spec: &Value) -> u64 {
    let parallelism = count(get(job_spec, &["parallelism"]), 1);
    match get(job_spec, &["completions"]) {
        Some(c) if !c.is_null() => parallelism.min(count(Some(c), parallelism)),
        _ => parallelism,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_counts() {
        let docs = parse_stream(
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: n}
spec:
  replicas: 3
  template:
    spec:
      initContainers: [{name: init, image: busybox}, {name: side, image: envoy, restartPolicy: Always}]
      containers: [{name: app, image: nginx}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  jobTemplate:
    spec:
      parallelism: 4
      completions: 2
      template:
        spec:
          containers: [{name: j, image: alpine}]
---
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: x, image: redis}], ephemeralContainers: [{name: dbg, image: busybox}]}}
"#,
        )
        .unwrap();
        assert_eq!(docs.len(), 3);
        let t = pod_template(&docs[0]).unwrap();
        assert_eq!(
            (t.kind, t.name, t.namespace, t.replicas),
            ("Deployment", "web", Some("n"), 3)
        );
        let roles: Vec<_> = t.containers().iter().map(|c| (c.name, c.role)).collect();
        assert_eq!(
            roles,
            [
                ("init", ContainerRole::Init),
                ("side", ContainerRole::Sidecar),
                ("app", ContainerRole::Main)
            ]
        );
        let c = pod_template(&docs[1]).unwrap();
        assert_eq!(c.replicas, 2);
        let p = pod_template(&docs[2]).unwrap();
        assert_eq!(p.containers()[1].role, ContainerRole::Ephemeral);
    }

    #[test]
    fn bad_yaml_names_the_document() {
        let e = parse_stream("a: 1\n---\nb: [\n").unwrap_err();
        assert!(e.starts_with("document 2"), "{e}");
        let e = parse_stream("- 1\n").unwrap_err();
        assert!(e.contains("not a mapping"), "{e}");
    }

    #[test]
    fn merge_keys_applied() {
        let docs = parse_stream(
            "kind: Pod\nspec:\n  a: &x {containers: [{name: c, image: i}]}\n  <<: *x\n",
        )
        .unwrap();
        assert_eq!(pod_template(&docs[0]).unwrap().containers().len(), 1);
    }
}
