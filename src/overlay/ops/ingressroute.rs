//! `convert-ingressroutetcp`: k3s without Traefik cannot apply Traefik's
//! `IngressRouteTCP`; expose the Services its routes name as NodePort
//! Services instead, with fixed node ports, and drop the IngressRouteTCP.
//!
//! The Services may come before or after the IngressRouteTCP in the stream, so
//! this works in two steps: [`route_targets`] reads the routes when the
//! IngressRouteTCP passes, and [`expose`] rewrites each named Service once the
//! whole stream has been seen.

use crate::overlay::params::ParamString;
use crate::overlay::provenance::Edits;
use serde::Deserialize;
use serde_json::Value;

/// The API versions Traefik has published IngressRouteTCP under.
pub const API_VERSIONS: [&str; 2] = ["traefik.containo.us/v1alpha1", "traefik.io/v1alpha1"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConvertOp {
    /// Service port → node port, as a mapping (`{1993: 31993}`) or as text
    /// (`"1993:31993,1994:31994"`, handy as a parameter).
    pub node_ports: NodePorts,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodePorts(pub Vec<(u16, u16)>);

impl NodePorts {
    pub fn get(&self, port: u16) -> Option<u16> {
        self.0.iter().find(|(p, _)| *p == port).map(|(_, n)| *n)
    }

    fn parse_text(s: &str) -> Result<NodePorts, String> {
        let mut out = NodePorts::default();
        for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (p, n) = pair.split_once(['=', ':']).ok_or_else(|| {
                format!("invalid port pair {pair:?}: write PORT:NODEPORT, e.g. 1993:31993")
            })?;
            out.push(p.trim(), n.trim())?;
        }
        Ok(out)
    }

    /// Adds a pair, checked: a service port from 1 to 65535 mapped once, a
    /// node port in Kubernetes's NodePort range ([`NODE_PORT_RANGE`]) that no
    /// other service port takes (the API server refuses both otherwise).
    fn push(&mut self, service: &str, node: &str) -> Result<(), String> {
        let p = port(service)?;
        let n = port(node)?;
        if !NODE_PORT_RANGE.contains(&n) {
            return Err(format!(
                "node port {n} (for port {p}) is outside {}–{}, the NodePort range of Kubernetes and k3s: \
                 pick one inside it, e.g. {p}:{}",
                NODE_PORT_RANGE.start(),
                NODE_PORT_RANGE.end(),
                suggest(p)
            ));
        }
        if self.get(p).is_some() {
            return Err(format!(
                "port {p} is mapped twice: give each service port one node port"
            ));
        }
        if let Some((other, _)) = self.0.iter().find(|(_, m)| *m == n) {
            return Err(format!(
                "node port {n} is given to ports {other} and {p}: a node port serves one service port"
            ));
        }
        self.0.push((p, n));
        Ok(())
    }
}

/// The node ports a Service may use, as the API server allows by default
/// (`--service-node-port-range`, the same in k3s).
pub const NODE_PORT_RANGE: std::ops::RangeInclusive<u16> = 30000..=32767;

/// A node port for a message: 30000 plus the port when that fits the range.
fn suggest(port: u16) -> u16 {
    let n = 30000u32 + u32::from(port);
    u16::try_from(n)
        .ok()
        .filter(|n| NODE_PORT_RANGE.contains(n))
        .unwrap_or(*NODE_PORT_RANGE.start())
}

fn port(s: &str) -> Result<u16, String> {
    s.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("invalid port {s:?}: a number from 1 to 65535"))
}

impl<'de> Deserialize<'de> for NodePorts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = NodePorts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping of service port to node port, or text like \"1993:31993,1994:31994\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<NodePorts, E> {
                let s = crate::overlay::params::expand(v).map_err(E::custom)?;
                NodePorts::parse_text(&s).map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<NodePorts, A::Error> {
                let mut out = NodePorts::default();
                while let Some((k, v)) = map.next_entry::<ParamString, ParamString>()? {
                    out.push(&k.0, &v.0).map_err(serde::de::Error::custom)?;
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

/// A Service a route sends traffic to.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub namespace: Option<String>,
    pub name: String,
    /// The route's port: a number, or the name of a Service port.
    pub port: Option<Value>,
}

pub fn is_ingressroutetcp(doc: &Value) -> bool {
    doc.get("kind").and_then(Value::as_str) == Some("IngressRouteTCP")
        && doc
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| API_VERSIONS.contains(&v))
}

/// The Services the routes of an IngressRouteTCP name (TraefikService
/// references are not Kubernetes Services and are left out).
pub fn route_targets(doc: &Value) -> Vec<Target> {
    let own_ns = doc.pointer("/metadata/namespace").and_then(Value::as_str);
    let mut out = Vec::new();
    let routes = doc.pointer("/spec/routes").and_then(Value::as_array);
    for route in routes.into_iter().flatten() {
        let services = route.get("services").and_then(Value::as_array);
        for svc in services.into_iter().flatten() {
            if svc
                .get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k != "Service")
            {
                continue;
            }
            let Some(name) = svc.get("name").and_then(Value::as_str) else {
                continue;
            };
            let t = Target {
                namespace: svc
                    .get("namespace")
                    .and_then(Value::as_str)
                    .or(own_ns)
                    .map(str::to_string),
                name: name.to_string(),
                port: svc.get("port").cloned(),
            };
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// Whether a Service document is the one a target names. A missing namespace
/// on either side (left to the release namespace) matches.
pub fn names_service(t: &Target, doc: &Value) -> bool {
    let kind = doc.get("kind").and_then(Value::as_str);
    let api = doc.get("apiVersion").and_then(Value::as_str);
    if kind != Some("Service") || api != Some("v1") {
        return false;
    }
    let name = doc.pointer("/metadata/name").and_then(Value::as_str);
    let ns = doc.pointer("/metadata/namespace").and_then(Value::as_str);
    name == Some(t.name.as_str())
        && match (ns, &t.namespace) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

/// Makes a Service a NodePort Service with the mapped node ports; returns
/// warnings for what could not be done.
pub fn expose(
    doc: &mut Value,
    node_ports: &NodePorts,
    route_ports: &[Value],
    edits: &mut Edits,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let Some(spec) = doc.get_mut("spec").and_then(Value::as_object_mut) else {
        warnings.push("it has no spec".to_string());
        return warnings;
    };
    let ty = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_string();
    if ty == "ExternalName" {
        warnings.push("it is an ExternalName Service, which cannot have node ports".into());
        return warnings;
    }
    if spec.get("clusterIP").and_then(Value::as_str) == Some("None") {
        warnings.push("it is headless (clusterIP: None), which cannot have node ports".into());
        return warnings;
    }
    // A LoadBalancer Service already has node ports; only fix their numbers.
    if ty != "NodePort" && ty != "LoadBalancer" {
        let old = spec.insert("type".into(), Value::String("NodePort".into()));
        edits.note("/spec/type", old, Some(Value::String("NodePort".into())));
    }
    let ports = spec.get_mut("ports").and_then(Value::as_array_mut);
    let mut seen = Vec::new();
    for (i, p) in ports.into_iter().flatten().enumerate() {
        let Some(p) = p.as_object_mut() else { continue };
        let Some(number) = p
            .get("port")
            .and_then(Value::as_u64)
            .and_then(|n| u16::try_from(n).ok())
        else {
            continue;
        };
        let name = p.get("name").and_then(Value::as_str).map(str::to_string);
        seen.push((number, name));
        if let Some(node) = node_ports.get(number) {
            let new = Value::from(node);
            if p.get("nodePort") != Some(&new) {
                let old = p.insert("nodePort".into(), new.clone());
                edits.note(format!("/spec/ports/{i}/nodePort"), old, Some(new));
            }
        }
    }
    for rp in route_ports {
        let found = seen.iter().find(|(n, name)| match rp {
            Value::Number(x) => x.as_u64() == Some(u64::from(*n)),
            Value::String(s) => {
                name.as_deref() == Some(s.as_str()) || s.parse::<u16>().ok() == Some(*n)
            }
            _ => false,
        });
        match found {
            None => warnings.push(format!("the route's port {rp} is not one of its ports")),
            Some((n, _)) if node_ports.get(*n).is_none() => warnings.push(format!(
                "port {n} has no node port in the overlay's map, so Kubernetes will pick one"
            )),
            Some(_) => {}
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn irt(api: &str) -> Value {
        json!({"apiVersion": api, "kind": "IngressRouteTCP", "metadata": {"name": "gateway", "namespace": "beta9"},
               "spec": {"routes": [{"match": "HostSNI(`*`)", "services": [{"name": "gateway", "port": 1993}, {"name": "x", "kind": "TraefikService"}]}]}})
    }

    fn svc() -> Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "gateway", "namespace": "beta9"},
               "spec": {"ports": [{"name": "http", "port": 1994}, {"name": "grpc", "port": 1993}, {"name": "m", "port": 9090}]}})
    }

    #[test]
    fn reads_routes_of_both_api_groups() {
        for api in API_VERSIONS {
            let d = irt(api);
            assert!(is_ingressroutetcp(&d));
            let t = route_targets(&d);
            assert_eq!(
                t,
                vec![Target {
                    namespace: Some("beta9".into()),
                    name: "gateway".into(),
                    port: Some(json!(1993))
                }]
            );
            assert!(names_service(&t[0], &svc()));
        }
        assert!(!is_ingressroutetcp(&irt("example.com/v1")));
    }

    #[test]
    fn exposes_services_on_node_ports() {
        let ports: NodePorts = yaml_serde::from_str("{1993: 31993, 1994: 31994}").unwrap();
        let mut d = svc();
        let mut e = Edits::default();
        let w = expose(&mut d, &ports, &[json!(1993)], &mut e);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(d["spec"]["type"], json!("NodePort"));
        assert_eq!(
            d["spec"]["ports"][1],
            json!({"name": "grpc", "port": 1993, "nodePort": 31993})
        );
        assert_eq!(d["spec"]["ports"][0]["nodePort"], json!(31994));
        assert!(d["spec"]["ports"][2].get("nodePort").is_none());
        assert_eq!(e.items.len(), 3);
        let w = expose(
            &mut d,
            &ports,
            &[json!("m"), json!(7)],
            &mut Edits::default(),
        );
        assert_eq!(w.len(), 2, "{w:?}");
    }

    #[test]
    fn node_ports_as_text_or_mapping() {
        let a: NodePorts = yaml_serde::from_str("'1993:31993, 1994:31994'").unwrap();
        let b: NodePorts = yaml_serde::from_str("{1993: 31993, 1994: 31994}").unwrap();
        assert_eq!(a, b);
        for bad in ["'1993'", "{1993: 70000}", "{0: 1}", "{1: 2, 1: 3}", "[1]"] {
            let e = yaml_serde::from_str::<NodePorts>(bad).unwrap_err();
            assert!(e.location().is_some(), "{bad}: {e}");
        }
        for (bad, want) in [
            (
                "'1993:80,1994:80'",
                "node port 80 (for port 1993) is outside 30000–32767",
            ),
            (
                "{1993: 29999}",
                "node port 29999 (for port 1993) is outside",
            ),
            ("'1993:32768'", "e.g. 1993:31993"),
            ("'1993:31993,1993:31994'", "port 1993 is mapped twice"),
            ("{1993: 31993, 1993: 31994}", "port 1993 is mapped twice"),
            (
                "'1993:31993,1994:31993'",
                "node port 31993 is given to ports 1993 and 1994",
            ),
            ("'1993:x'", "invalid port \"x\""),
        ] {
            let e = yaml_serde::from_str::<NodePorts>(bad).unwrap_err();
            assert!(e.to_string().contains(want), "{bad}: {e}");
        }
        let edge: NodePorts = yaml_serde::from_str("'1:30000,65535:32767'").unwrap();
        assert_eq!(edge.0, [(1, 30000), (65535, 32767)]);
    }

    #[test]
    fn headless_services_are_left_alone() {
        let mut d = svc();
        d["spec"]["clusterIP"] = json!("None");
        let w = expose(&mut d, &NodePorts::default(), &[], &mut Edits::default());
        assert_eq!(w.len(), 1);
        assert!(d["spec"].get("type").is_none());
    }
}
