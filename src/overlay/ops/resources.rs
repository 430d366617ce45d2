//! `resources`: set, or clamp between a floor and a ceiling, the requests and
//! limits of containers, keeping every request at or below its limit.

use super::workload::{containers_mut, pod_spec_mut};
use crate::manifest::quantity::Quantity;
use crate::overlay::de::{OneOrMany, Ordered};
use crate::overlay::glob::Glob;
use crate::overlay::pointer;
use crate::overlay::provenance::Edits;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::cmp::Ordering;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourcesOp {
    /// Container names (globs) to act on; all containers when absent.
    #[serde(default)]
    pub containers: Option<OneOrMany<Glob>>,
    /// Whether init containers are included (they are by default: a pod's
    /// request is at least its largest init container's).
    #[serde(default = "yes")]
    pub init_containers: bool,
    #[serde(default)]
    pub requests: Ordered<String, BoundSpec>,
    #[serde(default)]
    pub limits: Ordered<String, BoundSpec>,
}

fn yes() -> bool {
    true
}

/// What to do with one quantity. A bare quantity means `set`.
/// `min`/`max` clamp a value that is there; `default` fills one that is not;
/// `set` writes it either way.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    #[serde(default)]
    pub set: Option<Quantity>,
    #[serde(default)]
    pub default: Option<Quantity>,
    #[serde(default)]
    pub min: Option<Quantity>,
    #[serde(default)]
    pub max: Option<Quantity>,
}

impl Bound {
    fn check(self) -> Result<Bound, String> {
        if let (Some(min), Some(max)) = (&self.min, &self.max) {
            if min > max {
                return Err(format!("min {min} is above max {max}"));
            }
        }
        if self.set.is_some()
            && (self.min.is_some() || self.max.is_some() || self.default.is_some())
        {
            return Err(
                "`set` replaces the value whatever it is: give it alone, or use min/max/default"
                    .into(),
            );
        }
        if self.set.is_none() && self.min.is_none() && self.max.is_none() && self.default.is_none()
        {
            return Err("give at least one of set, default, min, max".into());
        }
        Ok(self)
    }

    /// The new value, or `None` to leave the field as it is.
    fn apply(&self, current: Option<&Value>) -> Option<Quantity> {
        if let Some(s) = &self.set {
            return Some(s.clone());
        }
        let Some(current) = current else {
            return self.default.clone();
        };
        // A value that is not a quantity is not ours to judge.
        if let Some(max) = &self.max {
            if max.cmp_json(current)? == Ordering::Greater {
                return Some(max.clone());
            }
        }
        if let Some(min) = &self.min {
            if min.cmp_json(current)? == Ordering::Less {
                return Some(min.clone());
            }
        }
        None
    }
}

impl<'de> Deserialize<'de> for BoundSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Bound;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a quantity (e.g. 100m, 256Mi) or a mapping of set/default/min/max")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Bound, E> {
                let s = crate::overlay::params::expand(v).map_err(E::custom)?;
                let q = Quantity::parse(&s).map_err(E::custom)?;
                Ok(Bound {
                    set: Some(q),
                    ..Default::default()
                })
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Bound, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Bound, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Bound, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Bound, A::Error> {
                let b = Bound::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                b.check().map_err(serde::de::Error::custom)
            }
        }
        d.deserialize_any(V).map(BoundSpec)
    }
}

/// The overlay-file form of a [`Bound`] (a quantity or a mapping).
#[derive(Debug, Clone)]
pub struct BoundSpec(pub Bound);

pub fn apply(op: &ResourcesOp, doc: &mut Value, edits: &mut Edits) {
    let Some((base, spec)) = pod_spec_mut(doc) else {
        return;
    };
    let lists: &[&str] = if op.init_containers {
        &["containers", "initContainers"]
    } else {
        &["containers"]
    };
    for (cpath, c) in containers_mut(base, spec, lists) {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("");
        if let Some(globs) = &op.containers {
            if !globs.0.iter().any(|g| g.matches(name)) {
                continue;
            }
        }
        apply_container(op, &cpath, c, edits);
    }
}

fn apply_container(op: &ResourcesOp, cpath: &str, c: &mut Map<String, Value>, edits: &mut Edits) {
    let mut changed: Vec<(&str, String)> = Vec::new();
    for (section, bounds) in [("requests", &op.requests), ("limits", &op.limits)] {
        for (rname, bound) in &bounds.0 {
            let current = c
                .get("resources")
                .and_then(|r| r.get(section))
                .and_then(|s| s.get(rname));
            let Some(new) = bound.0.apply(current) else {
                continue;
            };
            // Already written so (the same amount written otherwise, `1`
            // for `1000m`, is rewritten as the overlay says).
            if current.and_then(Value::as_str) == Some(new.text()) {
                continue;
            }
            let old = write(c, section, rname, new.to_json());
            edits.note(
                format!("{cpath}/resources/{section}/{}", pointer::escape(rname)),
                old,
                Some(new.to_json()),
            );
            changed.push((section, rname.clone()));
        }
    }
    keep_requests_within_limits(cpath, c, &changed, edits);
}

fn write(c: &mut Map<String, Value>, section: &str, rname: &str, v: Value) -> Option<Value> {
    let res = c
        .entry("resources")
        .or_insert_with(|| Value::Object(Map::new()));
    if !res.is_object() {
        *res = Value::Object(Map::new());
    }
    let sec = res
        .as_object_mut()?
        .entry(section)
        .or_insert_with(|| Value::Object(Map::new()));
    if !sec.is_object() {
        *sec = Value::Object(Map::new());
    }
    sec.as_object_mut()?.insert(rname.to_string(), v)
}

/// A request above its limit is invalid. When this operation caused it, the
/// side it did not touch yields: a raised request raises the limit, a lowered
/// limit lowers the request (and when it touched both, the limit wins: limits
/// are the hard ceiling).
fn keep_requests_within_limits(
    cpath: &str,
    c: &mut Map<String, Value>,
    changed: &[(&str, String)],
    edits: &mut Edits,
) {
    let names: Vec<String> = changed.iter().map(|(_, n)| n.clone()).collect();
    for rname in names {
        let get = |c: &Map<String, Value>, s: &str| {
            c.get("resources")
                .and_then(|r| r.get(s))
                .and_then(|s| s.get(&rname))
                .cloned()
        };
        let (Some(req_v), Some(lim_v)) = (get(c, "requests"), get(c, "limits")) else {
            continue;
        };
        let Some(lim) = Quantity::from_json(&lim_v) else {
            continue;
        };
        if lim.cmp_json(&req_v) != Some(Ordering::Greater) {
            continue;
        }
        let limit_changed = changed.iter().any(|(s, n)| *s == "limits" && *n == rname);
        let (section, value) = if limit_changed {
            ("requests", lim_v)
        } else {
            ("limits", req_v)
        };
        let old = write(c, section, &rname, value.clone());
        edits.note(
            format!("{cpath}/resources/{section}/{}", pointer::escape(&rname)),
            old,
            Some(value),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(yaml: &str) -> ResourcesOp {
        yaml_serde::from_str(yaml).unwrap()
    }

    fn deployment(containers: Value) -> Value {
        json!({"kind": "Deployment", "spec": {"template": {"spec": {"containers": containers}}}})
    }

    fn run(o: &str, d: &mut Value) -> Edits {
        let mut e = Edits::default();
        apply(&op(o), d, &mut e);
        e
    }

    #[test]
    fn caps_requests() {
        let mut d = deployment(json!([
            {"name": "a", "resources": {"requests": {"cpu": "1000m", "memory": "1Gi"}, "limits": {"cpu": 1}}},
            {"name": "b", "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}},
            {"name": "c"}
        ]));
        let e = run("requests: {cpu: {max: 100m}, memory: {max: 256Mi}}", &mut d);
        let c = &d["spec"]["template"]["spec"]["containers"];
        assert_eq!(
            c[0]["resources"]["requests"],
            json!({"cpu": "100m", "memory": "256Mi"})
        );
        assert_eq!(c[0]["resources"]["limits"], json!({"cpu": 1}));
        assert_eq!(
            c[1]["resources"]["requests"],
            json!({"cpu": "50m", "memory": "64Mi"})
        );
        assert!(c[2].get("resources").is_none());
        assert_eq!(e.items.len(), 2);
        assert_eq!(
            e.items[0].0,
            "/spec/template/spec/containers/0/resources/requests/cpu"
        );
        assert_eq!(e.items[0].1, Some(json!("1000m")));
    }

    #[test]
    fn floors_defaults_and_sets() {
        let mut d = deployment(json!([{"name": "a", "resources": {"requests": {"cpu": "10m"}}}]));
        run(
            "requests: {cpu: {min: 50m}, memory: {default: 64Mi}}\nlimits: {memory: 128Mi}",
            &mut d,
        );
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["resources"],
            json!({"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}})
        );
    }

    #[test]
    fn keeps_requests_within_limits() {
        // a raised request raises the limit
        let mut d = deployment(
            json!([{"name": "a", "resources": {"requests": {"cpu": "10m"}, "limits": {"cpu": "20m"}}}]),
        );
        run("requests: {cpu: {min: 100m}}", &mut d);
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"],
            json!("100m")
        );
        // a lowered limit lowers the request
        let mut d = deployment(
            json!([{"name": "a", "resources": {"requests": {"memory": "1Gi"}, "limits": {"memory": "2Gi"}}}]),
        );
        let e = run("limits: {memory: {max: 512Mi}}", &mut d);
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"],
            json!("512Mi")
        );
        assert_eq!(e.items.len(), 2);
    }

    #[test]
    fn filters_containers_by_name() {
        let mut d = deployment(json!([{"name": "app"}, {"name": "sidecar"}]));
        d["spec"]["template"]["spec"]["initContainers"] = json!([{"name": "init"}]);
        run("containers: 'app*'\nrequests: {cpu: 1}", &mut d);
        let s = &d["spec"]["template"]["spec"];
        assert_eq!(
            s["containers"][0]["resources"]["requests"]["cpu"],
            json!("1")
        );
        assert!(s["containers"][1].get("resources").is_none());
        run("initContainers: false\nrequests: {cpu: 2}", &mut d);
        assert!(d["spec"]["template"]["spec"]["initContainers"][0]
            .get("resources")
            .is_none());
    }

    #[test]
    fn bad_bounds_are_errors() {
        for bad in [
            "requests: {cpu: 10x}",
            "requests: {cpu: {max: 1, min: 2}}",
            "requests: {cpu: {set: 1, max: 2}}",
            "requests: {cpu: {ceil: 1}}",
            "limit: {}",
            "requests: {cpu: {}}",
        ] {
            let e = yaml_serde::from_str::<ResourcesOp>(bad).unwrap_err();
            assert!(e.location().is_some(), "{bad}: {e}");
        }
    }
}
