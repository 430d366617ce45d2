//! Where a resource keeps its pod template, for the operations that act on
//! containers and scheduling.

use serde_json::{Map, Value};

/// The container lists of a pod spec. Ephemeral containers take no resources
/// and no scheduling, but they do run images.
pub const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// The pod spec of a workload, with its JSON pointer: a Pod's own spec, a
/// CronJob's job template, or the `spec.template.spec` every other workload
/// (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
/// ReplicationController, and custom kinds of the same shape) has.
pub fn pod_spec_mut(doc: &mut Value) -> Option<(&'static str, &mut Map<String, Value>)> {
    let (path, keys): (&str, &[&str]) = match doc.get("kind")?.as_str()? {
        "Pod" => ("/spec", &["spec"]),
        "CronJob" => (
            "/spec/jobTemplate/spec/template/spec",
            &["spec", "jobTemplate", "spec", "template", "spec"],
        ),
        _ => ("/spec/template/spec", &["spec", "template", "spec"]),
    };
    let mut v = doc;
    for k in keys {
        v = v.get_mut(*k)?;
    }
    Some((path, v.as_object_mut()?))
}

/// Every container (of the given lists) of a pod spec, with its pointer.
pub fn containers_mut<'a>(
    base: &str,
    spec: &'a mut Map<String, Value>,
    lists: &[&str],
) -> Vec<(String, &'a mut Map<String, Value>)> {
    let mut out = Vec::new();
    for (key, list) in spec.iter_mut() {
        if !lists.contains(&key.as_str()) {
            continue;
        }
        if let Value::Array(items) = list {
            for (i, c) in items.iter_mut().enumerate() {
                if let Value::Object(c) = c {
                    out.push((format!("{base}/{key}/{i}"), c));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_pod_specs_of_every_workload_kind() {
        let mut d = json!({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "i"}]}}}});
        let (p, spec) = pod_spec_mut(&mut d).unwrap();
        assert_eq!(p, "/spec/template/spec");
        let names: Vec<String> = containers_mut(p, spec, &CONTAINER_LISTS)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            names,
            [
                "/spec/template/spec/containers/0",
                "/spec/template/spec/initContainers/0"
            ]
        );
        let mut c = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}});
        assert_eq!(
            pod_spec_mut(&mut c).unwrap().0,
            "/spec/jobTemplate/spec/template/spec"
        );
        let mut p = json!({"kind": "Pod", "spec": {"containers": []}});
        assert_eq!(pod_spec_mut(&mut p).unwrap().0, "/spec");
        let mut s = json!({"kind": "Service", "spec": {"ports": []}});
        assert!(pod_spec_mut(&mut s).is_none());
    }
}
