//! `placement`: where pods may run — an architecture (as a node selector or a
//! node affinity), more node-selector labels, and tolerations.

use super::workload::pod_spec_mut;
use crate::overlay::de::{checked_map, Check, Ordered};
use crate::overlay::params::{ParamString, ParamValue};
use crate::overlay::pointer;
use crate::overlay::provenance::Edits;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The node label Kubernetes sets to the node's CPU architecture.
pub const ARCH_LABEL: &str = "kubernetes.io/arch";

/// A validated [`PlacementFields`] (checked while the file is read, so that
/// errors carry its position).
#[derive(Debug)]
pub struct PlacementOp(pub PlacementFields);

impl<'de> Deserialize<'de> for PlacementOp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_map(d).map(PlacementOp)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlacementFields {
    /// Architecture pods must (or should) run on, e.g. `arm64`.
    #[serde(default)]
    pub arch: Option<ParamString>,
    /// How the architecture is expressed.
    #[serde(default)]
    pub arch_via: ArchVia,
    /// Weight of the preferred affinity term (1–100).
    #[serde(default = "full_weight")]
    pub weight: u8,
    /// More node-selector labels.
    #[serde(default)]
    pub node_selector: Ordered<String, ParamString>,
    /// Tolerations added unless an equal one is there.
    #[serde(default)]
    pub tolerations: Vec<ParamValue>,
}

fn full_weight() -> u8 {
    100
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Deserialize)]
pub enum ArchVia {
    /// `nodeSelector: {kubernetes.io/arch: ARCH}` (the default; simplest to read).
    #[default]
    #[serde(rename = "nodeSelector")]
    NodeSelector,
    /// A required node affinity term, added to every existing term (terms are ORed).
    #[serde(rename = "required")]
    Required,
    /// A preferred node affinity term: other architectures stay possible.
    #[serde(rename = "preferred")]
    Preferred,
}

impl Check for PlacementFields {
    fn check(self) -> Result<Self, String> {
        if !(1..=100).contains(&self.weight) {
            return Err(format!("weight {} is outside 1–100", self.weight));
        }
        if let Some(arch) = &self.arch {
            if arch.0.is_empty() || !is_label_value(&arch.0) {
                return Err(format!(
                    "invalid arch {:?}: a node label value such as arm64 or amd64 (letters, digits, - _ . inside, at most 63)",
                    arch.0
                ));
            }
        }
        for (k, v) in &self.node_selector.0 {
            if !is_label_value(&v.0) {
                return Err(format!(
                    "invalid nodeSelector value {:?} for {k}: a label value (letters, digits, - _ . inside, at most 63)",
                    v.0
                ));
            }
        }
        for t in &self.tolerations {
            if !t.0.is_object() {
                return Err(format!(
                    "a toleration is a mapping (key, operator, value, effect), not {}",
                    t.0
                ));
            }
        }
        Ok(self)
    }
}

/// Whether Kubernetes takes `v` as a label value: at most 63 characters,
/// empty or alphanumeric at both ends with `-`, `_`, `.` allowed inside.
fn is_label_value(v: &str) -> bool {
    let b = v.as_bytes();
    v.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
        && b.first().is_none_or(u8::is_ascii_alphanumeric)
        && b.last().is_none_or(u8::is_ascii_alphanumeric)
}

pub fn apply(op: &PlacementOp, doc: &mut Value, edits: &mut Edits) {
    let op = &op.0;
    let Some((base, spec)) = pod_spec_mut(doc) else {
        return;
    };
    let mut selector: Vec<(String, String)> = op
        .node_selector
        .0
        .iter()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect();
    if let (Some(arch), ArchVia::NodeSelector) = (&op.arch, op.arch_via) {
        selector.insert(0, (ARCH_LABEL.to_string(), arch.0.clone()));
    }
    for (k, v) in selector {
        let ns = object_at(spec, "nodeSelector");
        let new = Value::String(v);
        if ns.get(&k) != Some(&new) {
            let old = ns.insert(k.clone(), new.clone());
            edits.note(
                format!("{base}/nodeSelector/{}", pointer::escape(&k)),
                old,
                Some(new),
            );
        }
    }
    if let Some(arch) = &op.arch {
        if op.arch_via != ArchVia::NodeSelector {
            let before = spec.get("affinity").cloned();
            let affinity = object_at(spec, "affinity");
            let node = object_at(affinity, "nodeAffinity");
            match op.arch_via {
                ArchVia::Required => require_arch(node, &arch.0),
                _ => prefer_arch(node, &arch.0, op.weight),
            }
            let after = spec.get("affinity").cloned();
            edits.note(format!("{base}/affinity"), before, after);
        }
    }
    for t in &op.tolerations {
        let list = spec
            .entry("tolerations")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !list.is_array() {
            *list = Value::Array(Vec::new());
        }
        let Value::Array(list) = list else { continue };
        if !list.contains(&t.0) {
            list.push(t.0.clone());
            edits.note(
                format!("{base}/tolerations/{}", list.len() - 1),
                None,
                Some(t.0.clone()),
            );
        }
    }
}

/// The mapping under `key`, made one if it is absent or not a mapping.
fn object_at<'a>(m: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let v = m.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    match v {
        Value::Object(o) => o,
        _ => unreachable!("made a mapping just above"),
    }
}

fn arch_expression(arch: &str) -> Value {
    json!({"key": ARCH_LABEL, "operator": "In", "values": [arch]})
}

fn require_arch(node: &mut Map<String, Value>, arch: &str) {
    let req = object_at(node, "requiredDuringSchedulingIgnoredDuringExecution");
    let terms = req
        .entry("nodeSelectorTerms")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !matches!(terms, Value::Array(t) if !t.is_empty()) {
        *terms = json!([{"matchExpressions": [arch_expression(arch)]}]);
        return;
    }
    let Value::Array(terms) = terms else { return };
    for term in terms.iter_mut() {
        let Value::Object(term) = term else { continue };
        let exprs = term
            .entry("matchExpressions")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !exprs.is_array() {
            *exprs = Value::Array(Vec::new());
        }
        let Value::Array(exprs) = exprs else { continue };
        match exprs
            .iter_mut()
            .find(|e| e.get("key").and_then(Value::as_str) == Some(ARCH_LABEL))
        {
            Some(e) => *e = arch_expression(arch),
            None => exprs.push(arch_expression(arch)),
        }
    }
}

fn prefer_arch(node: &mut Map<String, Value>, arch: &str, weight: u8) {
    let list = node
        .entry("preferredDuringSchedulingIgnoredDuringExecution")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    let Value::Array(list) = list else { return };
    let want = arch_expression(arch);
    let present = list.iter().any(|p| {
        p.pointer("/preference/matchExpressions")
            .and_then(Value::as_array)
            .is_some_and(|e| e.contains(&want))
    });
    if !present {
        list.push(json!({"weight": weight, "preference": {"matchExpressions": [want]}}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_and_selector_values_are_label_values() {
        for ok in [
            "{arch: arm64}",
            "{arch: x86_64}",
            "{nodeSelector: {disk: ''}}",
        ] {
            assert!(yaml_serde::from_str::<PlacementOp>(ok).is_ok(), "{ok}");
        }
        for (bad, want) in [
            ("{arch: 'arm 64'}", "invalid arch \"arm 64\""),
            ("{arch: ''}", "invalid arch \"\""),
            ("{arch: -arm}", "invalid arch"),
            (
                "{nodeSelector: {disk: 'a/b'}}",
                "invalid nodeSelector value \"a/b\" for disk",
            ),
        ] {
            let e = yaml_serde::from_str::<PlacementOp>(bad).unwrap_err();
            assert!(
                e.to_string().contains(want) && e.location().is_some(),
                "{bad}: {e}"
            );
        }
        assert!(!is_label_value(&"a".repeat(64)));
    }

    fn run(yaml: &str, d: &mut Value) -> Edits {
        let op: PlacementOp = yaml_serde::from_str(yaml).unwrap();
        let mut e = Edits::default();
        apply(&op, d, &mut e);
        e
    }

    fn sts() -> Value {
        json!({"kind": "StatefulSet", "spec": {"template": {"spec": {"containers": []}}}})
    }

    #[test]
    fn node_selector_and_tolerations() {
        let mut d = sts();
        let e = run(
            "arch: arm64\nnodeSelector: {disk: ssd}\ntolerations: [{key: arm, operator: Exists}]",
            &mut d,
        );
        let s = &d["spec"]["template"]["spec"];
        assert_eq!(
            s["nodeSelector"],
            json!({"kubernetes.io/arch": "arm64", "disk": "ssd"})
        );
        assert_eq!(
            s["tolerations"],
            json!([{"key": "arm", "operator": "Exists"}])
        );
        assert_eq!(
            e.items[0].0,
            "/spec/template/spec/nodeSelector/kubernetes.io~1arch"
        );
        // idempotent
        let e = run(
            "arch: arm64\nnodeSelector: {disk: ssd}\ntolerations: [{key: arm, operator: Exists}]",
            &mut d,
        );
        assert!(e.is_empty());
    }

    #[test]
    fn required_affinity_joins_every_term() {
        let mut d = sts();
        d["spec"]["template"]["spec"]["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
            {"matchExpressions": [{"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]}]}]}}});
        run("arch: arm64\narchVia: required", &mut d);
        let terms = &d["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
        assert_eq!(terms[0]["matchExpressions"][1], arch_expression("arm64"));
        assert_eq!(
            terms[1]["matchExpressions"],
            json!([arch_expression("arm64")])
        );
        assert!(d["spec"]["template"]["spec"].get("nodeSelector").is_none());
    }

    #[test]
    fn preferred_affinity_once() {
        let mut d = sts();
        run("arch: arm64\narchVia: preferred\nweight: 50", &mut d);
        let e = run("arch: arm64\narchVia: preferred\nweight: 50", &mut d);
        assert!(e.is_empty());
        let p = &d["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
            ["preferredDuringSchedulingIgnoredDuringExecution"];
        assert_eq!(p.as_array().unwrap().len(), 1);
        assert_eq!(p[0]["weight"], json!(50));
    }

    #[test]
    fn bad_values_are_errors() {
        assert!(yaml_serde::from_str::<PlacementOp>("archVia: sometimes").is_err());
        assert!(yaml_serde::from_str::<PlacementOp>("arch: arm64\nselector: {}").is_err());
        let e = yaml_serde::from_str::<PlacementOp>("arch: arm64\nweight: 0").unwrap_err();
        assert!(e.to_string().contains("outside"), "{e}");
        assert!(e.location().is_some(), "{e}");
    }
}
