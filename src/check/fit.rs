//! Whether the pods a manifest stream creates fit on a node: requests summed
//! as the scheduler counts them (replicas; init containers as the largest of
//! the init phase and the running phase, native sidecars counted in both;
//! pod overhead; DaemonSets once per node) against the node's allocatable
//! CPU, memory and pod count.

use super::workloads::{get, objects, pod_template, ContainerRole, Document, PodTemplate};
use crate::manifest::quantity::{bytes, format_cpu, format_memory, millicores, QuantityError};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// Millicores.
    pub cpu: u64,
    /// Bytes.
    pub memory: u64,
}

impl Resources {
    fn add(self, o: Resources) -> Resources {
        Resources {
            cpu: self.cpu.saturating_add(o.cpu),
            memory: self.memory.saturating_add(o.memory),
        }
    }
    fn max(self, o: Resources) -> Resources {
        Resources {
            cpu: self.cpu.max(o.cpu),
            memory: self.memory.max(o.memory),
        }
    }
    fn times(self, n: u64) -> Resources {
        Resources {
            cpu: self.cpu.saturating_mul(n),
            memory: self.memory.saturating_mul(n),
        }
    }
    fn fits_in(self, o: Resources) -> bool {
        self.cpu <= o.cpu && self.memory <= o.memory
    }
    pub fn describe(self) -> String {
        format!(
            "{} CPU, {} memory",
            format_cpu(self.cpu),
            format_memory(self.memory)
        )
    }
}

/// A node's allocatable resources, from `--node cpu=4,memory=24Gi[,pods=110]`.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    #[serde(flatten)]
    pub resources: Resources,
    pub pods: u64,
}

impl Node {
    pub fn parse(s: &str) -> Result<Node, String> {
        let mut cpu = None;
        let mut memory = None;
        let mut pods = 110;
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("--node {s:?}: {part:?} is not KEY=VALUE"))?;
            match k.trim() {
                "cpu" => cpu = Some(millicores(v).map_err(|e| format!("--node cpu: {e}"))?),
                "memory" => memory = Some(bytes(v).map_err(|e| format!("--node memory: {e}"))?),
                "pods" => {
                    pods = v
                        .trim()
                        .parse()
                        .map_err(|_| format!("--node pods: {v:?} is not a whole number"))?
                }
                other => {
                    return Err(format!(
                        "--node: unknown resource {other:?} (cpu, memory and pods are known)"
                    ))
                }
            }
        }
        match (cpu, memory) {
            (Some(cpu), Some(memory)) => Ok(Node {
                resources: Resources { cpu, memory },
                pods,
            }),
            _ => Err(format!(
                "--node {s:?} needs both cpu= and memory= (e.g. cpu=4,memory=24Gi)"
            )),
        }
    }
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadFit {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    pub pods: u64,
    /// What one pod asks for.
    pub per_pod: Resources,
    /// Pods that find no room once the pods before them are placed.
    pub unplaced: u64,
    /// What was left on the node when the first pod that did not fit came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_then: Option<Resources>,
}

impl WorkloadFit {
    pub fn label(&self) -> String {
        let name = if self.name.is_empty() {
            "(unnamed)"
        } else {
            &self.name
        };
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{name}", self.kind),
            None => format!("{} {name}", self.kind),
        }
    }

    /// Why it does not fit and by how much.
    pub fn explain(&self, node: &Node) -> Option<String> {
        if self.unplaced == 0 {
            return None;
        }
        let p = self.per_pod;
        if !p.fits_in(node.resources) {
            return Some(format!(
                "{}: a pod asks {}, more than the whole node ({}): it can never be scheduled",
                self.label(),
                p.describe(),
                node.resources.describe()
            ));
        }
        let free = self.free_then.unwrap_or_default();
        let mut short = Vec::new();
        if p.cpu > free.cpu {
            short.push(format!("{} CPU", format_cpu(p.cpu - free.cpu)));
        }
        if p.memory > free.memory {
            short.push(format!("{} memory", format_memory(p.memory - free.memory)));
        }
        if short.is_empty() {
            short.push("pod slots".to_string());
        }
        Some(format!(
            "{}: {} of {} pods do not fit (each asks {}; {} free after the pods before it: short by {})",
            self.label(),
            self.unplaced,
            self.pods,
            p.describe(),
            free.describe(),
            short.join(" and ")
        ))
    }
}

#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct FitReport {
    pub node: Node,
    pub requested: Resources,
    pub pods: u64,
    pub fits: bool,
    pub workloads: Vec<WorkloadFit>,
    /// Resources whose requests the manifests give in a form not understood.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl FitReport {
    /// One line per over-committed resource, with the excess.
    pub fn overcommit(&self) -> Vec<String> {
        let mut out = Vec::new();
        let (r, n) = (self.requested, self.node.resources);
        if r.cpu > n.cpu {
            out.push(format!(
                "CPU requests {} exceed the node's {} CPU by {}",
                format_cpu(r.cpu),
                format_cpu(n.cpu),
                format_cpu(r.cpu - n.cpu)
            ));
        }
        if r.memory > n.memory {
            out.push(format!(
                "memory requests {} exceed the node's {} by {}",
                format_memory(r.memory),
                format_memory(n.memory),
                format_memory(r.memory - n.memory)
            ));
        }
        if self.pods > self.node.pods {
            out.push(format!(
                "{} pods exceed the node's {} by {}",
                self.pods,
                self.node.pods,
                self.pods - self.node.pods
            ));
        }
        out
    }
}

/// Places every pod, in the order the manifests list them, on the node.
pub fn check_fit(docs: &[Document], node: Node) -> FitReport {
    let mut free = node.resources;
    let mut free_pods = node.pods;
    let mut requested = Resources::default();
    let mut pods_total = 0u64;
    let mut workloads = Vec::new();
    let mut warnings = Vec::new();
    for obj in objects(docs) {
        let Some(t) = pod_template(obj) else { continue };
        // A single node: a DaemonSet runs one pod on it.
        let pods = if t.per_node { 1 } else { t.replicas };
        if pods == 0 {
            continue;
        }
        let per_pod = pod_requests(&t, &mut warnings);
        requested = requested.add(per_pod.times(pods));
        pods_total = pods_total.saturating_add(pods);
        let mut unplaced = 0;
        let mut free_then = None;
        for _ in 0..pods.min(100_000) {
            if per_pod.fits_in(free) && free_pods > 0 {
                free.cpu -= per_pod.cpu;
                free.memory -= per_pod.memory;
                free_pods -= 1;
            } else {
                if unplaced == 0 {
                    free_then = Some(free);
                }
                unplaced += 1;
            }
        }
        unplaced += pods.saturating_sub(100_000);
        workloads.push(WorkloadFit {
            kind: t.kind.to_string(),
            namespace: t.namespace.map(str::to_string),
            name: t.name.to_string(),
            pods,
            per_pod,
            unplaced,
            free_then,
        });
    }
    FitReport {
        node,
        requested,
        pods: pods_total,
        fits: workloads.iter().all(|w| w.unplaced == 0),
        workloads,
        warnings,
    }
}

/// The requests of one pod as the scheduler computes them.
pub fn pod_requests(t: &PodTemplate<'_>, warnings: &mut Vec<String>) -> Resources {
    let mut init_peak = Resources::default();
    let mut sidecars = Resources::default();
    let mut main = Resources::default();
    for c in t.containers() {
        let r = container_requests(c.spec, t, c.name, warnings);
        match c.role {
            ContainerRole::Init => init_peak = init_peak.max(r.add(sidecars)),
            ContainerRole::Sidecar => {
                sidecars = sidecars.add(r);
                init_peak = init_peak.max(sidecars);
            }
            ContainerRole::Main => main = main.add(r),
            // Ephemeral containers have no resources.
            ContainerRole::Ephemeral => {}
        }
    }
    let mut total = init_peak.max(main.add(sidecars));
    if let Some(Value::Object(_)) = get(t.spec, &["overhead"]) {
        let o = read_resources(get(t.spec, &["overhead"]), t, "overhead", warnings);
        total = total.add(o);
    }
    total
}

/// A container's requests; a limit stands for a missing request, as the API
/// server defaults it.
fn container_requests(
    c: &Value,
    t: &PodTemplate<'_>,
    name: &str,
    warnings: &mut Vec<String>,
) -> Resources {
    let requests = read_resources(get(c, &["resources", "requests"]), t, name, warnings);
    let limits = read_resources(get(c, &["resources", "limits"]), t, name, warnings);
    let has = |section: &str, key: &str| get(c, &["resources", section, key]).is_some();
    Resources {
        cpu: if has("requests", "cpu") {
            requests.cpu
        } else {
            limits.cpu
        },
        memory: if has("requests", "memory") {
            requests.memory
        } else {
            limits.memory
        },
    }
}

fn read_resources(
    v: Option<&Value>,
    t: &PodTemplate<'_>,
    what: &str,
    warnings: &mut Vec<String>,
) -> Resources {
    let mut r = Resources::default();
    let Some(Value::Object(m)) = v else { return r };
    for (key, parse, slot) in [
        (
            "cpu",
            millicores as fn(&str) -> Result<u64, QuantityError>,
            0,
        ),
        ("memory", bytes as fn(&str) -> Result<u64, QuantityError>, 1),
    ] {
        let Some(q) = m.get(key) else { continue };
        let text = match q {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        match parse(&text) {
            Ok(n) if slot == 0 => r.cpu = n,
            Ok(n) => r.memory = n,
            Err(e) => warnings.push(format!("{} {} container {what}: {key} {e}", t.kind, t.name)),
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::workloads::parse_stream;

    fn fit(yaml: &str, node: &str) -> FitReport {
        check_fit(&parse_stream(yaml).unwrap(), Node::parse(node).unwrap())
    }

    #[test]
    fn init_containers_and_sidecars() {
        let r = fit(
            r#"
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - {name: big-init, resources: {requests: {cpu: "2", memory: 1Gi}}}
  - {name: side, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 64Mi}}}
  - {name: late-init, resources: {requests: {cpu: "1", memory: 2Gi}}}
  containers:
  - {name: a, resources: {requests: {cpu: 500m, memory: 128Mi}}}
  - {name: b, resources: {limits: {cpu: 300m, memory: 256Mi}}}
"#,
            "cpu=4,memory=8Gi",
        );
        // cpu: max(2000, 1000+100, 500+300+100) = 2000
        // memory: max(1Gi, 2Gi+64Mi, 128+256+64 Mi) = 2Gi+64Mi
        assert_eq!(
            r.requested,
            Resources {
                cpu: 2000,
                memory: (2 << 30) + (64 << 20)
            }
        );
        assert!(r.fits);
    }

    #[test]
    fn replicas_daemonsets_and_who_does_not_fit() {
        let r = fit(
            r#"
kind: Deployment
metadata: {name: web, namespace: n}
spec: {replicas: 3, template: {spec: {containers: [{name: c, resources: {requests: {cpu: "1", memory: 1Gi}}}]}}}
---
kind: DaemonSet
metadata: {name: agent}
spec: {template: {spec: {containers: [{name: c, resources: {requests: {cpu: 500m, memory: 100Mi}}}]}}}
---
kind: StatefulSet
metadata: {name: db}
spec: {replicas: 2, template: {spec: {containers: [{name: c, resources: {requests: {cpu: "1", memory: 2Gi}}}]}}}
---
kind: Job
metadata: {name: huge}
spec: {template: {spec: {containers: [{name: c, resources: {requests: {cpu: "8", memory: 1Gi}}}]}}}
"#,
            "cpu=4,memory=24Gi,pods=110",
        );
        assert_eq!(r.requested.cpu, 3000 + 500 + 2000 + 8000);
        assert_eq!(r.pods, 7);
        assert!(!r.fits);
        let db = &r.workloads[2];
        assert_eq!((db.name.as_str(), db.unplaced), ("db", 2));
        let msg = db.explain(&r.node).unwrap();
        assert!(msg.contains("2 of 2 pods do not fit"), "{msg}");
        assert!(msg.contains("short by 500m CPU"), "{msg}");
        let huge = r.workloads[3].explain(&r.node).unwrap();
        assert!(huge.contains("never be scheduled"), "{huge}");
        assert!(r.workloads[0].explain(&r.node).is_none());
        let over = r.overcommit();
        assert_eq!(
            over,
            ["CPU requests 13500m exceed the node's 4 CPU by 9500m"]
        );
    }

    #[test]
    fn node_flag() {
        let n = Node::parse("cpu=4,memory=24Gi").unwrap();
        assert_eq!(n.pods, 110);
        assert_eq!(n.resources.cpu, 4000);
        assert!(Node::parse("cpu=4").is_err());
        assert!(Node::parse("cpu=4,memory=1Gi,gpu=1")
            .unwrap_err()
            .contains("gpu"));
        assert!(Node::parse("cpu=x,memory=1Gi").is_err());
    }

    #[test]
    fn bad_quantities_warn() {
        let r = fit(
            "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, resources: {requests: {cpu: lots}}}]}\n",
            "cpu=1,memory=1Gi",
        );
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("lots"));
    }
}
