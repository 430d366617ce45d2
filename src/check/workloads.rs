//! Reading a manifest stream and finding the pods it creates: the pod
//! template of every workload kind, how many pods of it run at once, and its
//! containers. Images and fit are both computed from this one walk.

pub use crate::manifest::Document;
use serde_json::Value;

/// A Kubernetes object of the stream: a document, or an item of a `List`
/// ([`Document::objects`]).
#[derive(Debug, Clone, Copy)]
pub struct Object<'a>(pub &'a Value);

impl<'a> Object<'a> {
    pub fn str_at(&self, path: &[&str]) -> Option<&'a str> {
        get(self.0, path).and_then(Value::as_str)
    }
    pub fn api_version(&self) -> &'a str {
        self.str_at(&["apiVersion"]).unwrap_or("")
    }
    pub fn kind(&self) -> &'a str {
        self.str_at(&["kind"]).unwrap_or("")
    }
    pub fn name(&self) -> &'a str {
        self.str_at(&["metadata", "name"]).unwrap_or("")
    }
    pub fn namespace(&self) -> Option<&'a str> {
        self.str_at(&["metadata", "namespace"])
    }
}

/// Every object of the documents, in order.
pub fn objects(docs: &[Document]) -> impl Iterator<Item = Object<'_>> {
    docs.iter().flat_map(Document::objects).map(Object)
}

/// Reads a multi-document YAML stream with the manifest reader. Every
/// document must be a mapping (a Kubernetes object) or empty.
pub fn parse_stream(text: &str) -> Result<Vec<Document>, String> {
    let docs = crate::manifest::read_stream(text).map_err(|e| match e {
        crate::manifest::ReadError::Io(e) => e.to_string(),
        crate::manifest::ReadError::Document(e) => describe(&e),
    })?;
    if let Some(d) = docs
        .iter()
        .find(|d| !d.value.is_null() && !d.value.is_object())
    {
        return Err(format!(
            "document {}: not a mapping (a Kubernetes object)",
            d.raw.number
        ));
    }
    Ok(docs)
}

/// An unreadable document, said as `chartfix check` has always said it: a
/// limit by its place in the stream, anything else by document, with
/// libyaml's own account (`PROBLEM at line L column C, CONTEXT at line L
/// column C`).
fn describe(e: &crate::manifest::DocumentError) -> String {
    let p = &e.error;
    if p.limit {
        return format!(
            "invalid YAML at line {} column {}: {}",
            e.stream_line(p.line),
            p.column,
            p.message
        );
    }
    let mut out = format!("document {}: invalid YAML: {}", e.number, p.message);
    let at = |line: usize, column: usize| (e.stream_line(line), column);
    let problem = at(p.line, p.column);
    // A place at the very start of the stream is libyaml's "no place".
    if p.line > 0 && problem != (1, 1) {
        out.push_str(&format!(" at line {} column {}", problem.0, problem.1));
    }
    if let Some(c) = &p.context {
        out.push_str(&format!(", {}", c.what));
        let context = at(c.line, c.column);
        if context != (1, 1) && context != problem {
            out.push_str(&format!(" at line {} column {}", context.0, context.1));
        }
    }
    out
}

pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for key in path {
        cur = cur.as_object()?.get(*key)?;
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
            let Some(Value::Array(list)) = get(self.spec, &[field]) else {
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

/// The pod template of an object, if its kind creates pods.
pub fn pod_template(obj: Object<'_>) -> Option<PodTemplate<'_>> {
    let v = obj.0;
    let kind = obj.kind();
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
        name: obj.name(),
        namespace: obj.namespace(),
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
metadata: {name: web, namespace: ns}
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
        let objects: Vec<_> = objects(&docs).collect();
        assert_eq!(objects.len(), 3);
        let t = pod_template(objects[0]).unwrap();
        assert_eq!(
            (t.kind, t.name, t.namespace, t.replicas),
            ("Deployment", "web", Some("ns"), 3)
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
        let c = pod_template(objects[1]).unwrap();
        assert_eq!(c.replicas, 2);
        let p = pod_template(objects[2]).unwrap();
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
        let pod = objects(&docs).next().unwrap();
        assert_eq!(pod_template(pod).unwrap().containers().len(), 1);
    }
}
