//! Whether the target cluster serves every `apiVersion`/`kind` the manifests
//! use: the built-in APIs of a Kubernetes minor version (a table below, GA
//! and beta APIs that are on by default), the APIs k3s adds, CRDs defined in
//! the same manifests, and whatever `--api-versions` names.

use super::workloads::{get, objects, Document};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// The minor version of Kubernetes checked against when none is given.
pub const DEFAULT_KUBE_MINOR: u32 = 33;

/// (group/version, kind, first minor version served, first minor version
/// no longer served or 0). Only APIs served by default are listed: alpha
/// APIs, and betas off by default since 1.24, are not.
const BUILTIN: &[(&str, &str, u32, u32)] = &[
    ("v1", "Binding", 0, 0),
    ("v1", "ComponentStatus", 0, 0),
    ("v1", "ConfigMap", 0, 0),
    ("v1", "Endpoints", 0, 0),
    ("v1", "Event", 0, 0),
    ("v1", "LimitRange", 0, 0),
    ("v1", "Namespace", 0, 0),
    ("v1", "Node", 0, 0),
    ("v1", "PersistentVolume", 0, 0),
    ("v1", "PersistentVolumeClaim", 0, 0),
    ("v1", "Pod", 0, 0),
    ("v1", "PodTemplate", 0, 0),
    ("v1", "ReplicationController", 0, 0),
    ("v1", "ResourceQuota", 0, 0),
    ("v1", "Secret", 0, 0),
    ("v1", "Service", 0, 0),
    ("v1", "ServiceAccount", 0, 0),
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        16,
        0,
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        16,
        0,
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicy",
        30,
        0,
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingAdmissionPolicyBinding",
        30,
        0,
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        9,
        22,
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        9,
        22,
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition", 16, 0),
    (
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        7,
        22,
    ),
    ("apiregistration.k8s.io/v1", "APIService", 10, 0),
    ("apiregistration.k8s.io/v1beta1", "APIService", 7, 22),
    ("apps/v1", "ControllerRevision", 9, 0),
    ("apps/v1", "DaemonSet", 9, 0),
    ("apps/v1", "Deployment", 9, 0),
    ("apps/v1", "ReplicaSet", 9, 0),
    ("apps/v1", "StatefulSet", 9, 0),
    ("apps/v1beta1", "Deployment", 6, 16),
    ("apps/v1beta1", "StatefulSet", 5, 16),
    ("apps/v1beta1", "ControllerRevision", 7, 16),
    ("apps/v1beta2", "DaemonSet", 8, 16),
    ("apps/v1beta2", "Deployment", 8, 16),
    ("apps/v1beta2", "ReplicaSet", 8, 16),
    ("apps/v1beta2", "StatefulSet", 8, 16),
    ("apps/v1beta2", "ControllerRevision", 8, 16),
    ("authentication.k8s.io/v1", "TokenReview", 6, 0),
    ("authentication.k8s.io/v1", "SelfSubjectReview", 28, 0),
    ("authorization.k8s.io/v1", "LocalSubjectAccessReview", 6, 0),
    ("authorization.k8s.io/v1", "SelfSubjectAccessReview", 6, 0),
    ("authorization.k8s.io/v1", "SelfSubjectRulesReview", 6, 0),
    ("authorization.k8s.io/v1", "SubjectAccessReview", 6, 0),
    ("autoscaling/v1", "HorizontalPodAutoscaler", 2, 0),
    ("autoscaling/v2", "HorizontalPodAutoscaler", 23, 0),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", 8, 25),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", 12, 26),
    ("batch/v1", "Job", 2, 0),
    ("batch/v1", "CronJob", 21, 0),
    ("batch/v1beta1", "CronJob", 8, 25),
    ("certificates.k8s.io/v1", "CertificateSigningRequest", 19, 0),
    (
        "certificates.k8s.io/v1beta1",
        "CertificateSigningRequest",
        12,
        22,
    ),
    ("coordination.k8s.io/v1", "Lease", 14, 0),
    ("coordination.k8s.io/v1beta1", "Lease", 12, 22),
    ("discovery.k8s.io/v1", "EndpointSlice", 21, 0),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", 17, 25),
    ("events.k8s.io/v1", "Event", 19, 0),
    ("events.k8s.io/v1beta1", "Event", 8, 25),
    ("extensions/v1beta1", "DaemonSet", 2, 16),
    ("extensions/v1beta1", "Deployment", 2, 16),
    ("extensions/v1beta1", "ReplicaSet", 2, 16),
    ("extensions/v1beta1", "NetworkPolicy", 3, 16),
    ("extensions/v1beta1", "PodSecurityPolicy", 2, 16),
    ("extensions/v1beta1", "Ingress", 1, 22),
    ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", 29, 0),
    (
        "flowcontrol.apiserver.k8s.io/v1",
        "PriorityLevelConfiguration",
        29,
        0,
    ),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", 20, 26),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        20,
        26,
    ),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", 23, 29),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        23,
        29,
    ),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", 26, 32),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "PriorityLevelConfiguration",
        26,
        32,
    ),
    ("networking.k8s.io/v1", "NetworkPolicy", 7, 0),
    ("networking.k8s.io/v1", "Ingress", 19, 0),
    ("networking.k8s.io/v1", "IngressClass", 19, 0),
    ("networking.k8s.io/v1", "IPAddress", 33, 0),
    ("networking.k8s.io/v1", "ServiceCIDR", 33, 0),
    ("networking.k8s.io/v1beta1", "Ingress", 14, 22),
    ("networking.k8s.io/v1beta1", "IngressClass", 18, 22),
    ("node.k8s.io/v1", "RuntimeClass", 20, 0),
    ("node.k8s.io/v1beta1", "RuntimeClass", 14, 25),
    ("policy/v1", "PodDisruptionBudget", 21, 0),
    ("policy/v1", "Eviction", 22, 0),
    ("policy/v1beta1", "PodDisruptionBudget", 5, 25),
    ("policy/v1beta1", "PodSecurityPolicy", 10, 25),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", 8, 0),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", 8, 0),
    ("rbac.authorization.k8s.io/v1", "Role", 8, 0),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", 8, 0),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", 6, 22),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        6,
        22,
    ),
    ("rbac.authorization.k8s.io/v1beta1", "Role", 6, 22),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", 6, 22),
    ("resource.k8s.io/v1", "DeviceClass", 34, 0),
    ("resource.k8s.io/v1", "ResourceClaim", 34, 0),
    ("resource.k8s.io/v1", "ResourceClaimTemplate", 34, 0),
    ("resource.k8s.io/v1", "ResourceSlice", 34, 0),
    ("scheduling.k8s.io/v1", "PriorityClass", 14, 0),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", 11, 22),
    ("storage.k8s.io/v1", "CSIDriver", 18, 0),
    ("storage.k8s.io/v1", "CSINode", 17, 0),
    ("storage.k8s.io/v1", "CSIStorageCapacity", 24, 0),
    ("storage.k8s.io/v1", "StorageClass", 6, 0),
    ("storage.k8s.io/v1", "VolumeAttachment", 13, 0),
    ("storage.k8s.io/v1", "VolumeAttributesClass", 34, 0),
    ("storage.k8s.io/v1beta1", "CSIDriver", 14, 22),
    ("storage.k8s.io/v1beta1", "CSINode", 14, 22),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", 21, 27),
    ("storage.k8s.io/v1beta1", "StorageClass", 6, 22),
    ("storage.k8s.io/v1beta1", "VolumeAttachment", 10, 22),
];

/// What k3s serves on every server: its Helm controller and add-on manager.
const K3S: &[(&str, &str)] = &[
    ("helm.cattle.io/v1", "HelmChart"),
    ("helm.cattle.io/v1", "HelmChartConfig"),
    ("k3s.cattle.io/v1", "Addon"),
    ("k3s.cattle.io/v1", "ETCDSnapshotFile"),
];

/// The target cluster's API surface.
#[derive(Clone, Debug)]
pub struct Target {
    pub kube_minor: u32,
    /// `--api-versions`: `group/version` (every kind) or `group/version/Kind`.
    pub api_versions: Vec<String>,
    /// Count k3s's own APIs as served.
    pub k3s: bool,
}

/// Parses `--kube-version` (`1.33`, `v1.33.2`).
pub fn parse_kube_version(v: &str) -> Result<u32, String> {
    let t = v.trim().trim_start_matches('v');
    let mut parts = t.split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts
        .next()
        .map(|p| p.trim_end_matches('+'))
        .and_then(|p| p.parse::<u32>().ok());
    match (major, minor) {
        (Some(1), Some(m)) => Ok(m),
        _ => Err(format!(
            "--kube-version {v:?} is not a Kubernetes 1.x version (e.g. 1.33 or v1.33.2)"
        )),
    }
}

#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MissingKind {
    pub api_version: String,
    pub kind: String,
    /// The resources of that kind.
    pub resources: Vec<String>,
    pub message: String,
}

/// Every apiVersion/kind in `docs` the target does not serve.
pub fn check_kinds(docs: &[Document], target: &Target) -> Vec<MissingKind> {
    let crds = crds_in(docs);
    let mut out: Vec<MissingKind> = Vec::new();
    for doc in objects(docs) {
        let (api_version, kind) = (doc.api_version(), doc.kind());
        if api_version.is_empty() || kind.is_empty() {
            continue;
        }
        if served(api_version, kind, target)
            || crds.contains(&(api_version.to_string(), kind.to_string()))
        {
            continue;
        }
        let resource = match doc.namespace() {
            Some(ns) => format!("{ns}/{}", doc.name()),
            None => doc.name().to_string(),
        };
        if let Some(m) = out
            .iter_mut()
            .find(|m| m.api_version == api_version && m.kind == kind)
        {
            m.resources.push(resource);
            continue;
        }
        out.push(MissingKind {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            resources: vec![resource],
            message: explain(api_version, kind, target),
        });
    }
    out
}

fn served(api_version: &str, kind: &str, target: &Target) -> bool {
    let builtin = BUILTIN.iter().any(|&(gv, k, since, removed)| {
        gv == api_version
            && k == kind
            && since <= target.kube_minor
            && (removed == 0 || target.kube_minor < removed)
    });
    builtin
        || (target.k3s && K3S.iter().any(|&(gv, k)| gv == api_version && k == kind))
        || target.api_versions.iter().any(|a| {
            a == api_version
                || a.strip_suffix(kind).and_then(|gv| gv.strip_suffix('/')) == Some(api_version)
        })
}

fn is_builtin_group(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io")
}

/// Why a kind is not served: removed, not yet there, or a CRD not installed.
fn explain(api_version: &str, kind: &str, target: &Target) -> String {
    let minor = target.kube_minor;
    let rows: Vec<_> = BUILTIN
        .iter()
        .filter(|r| r.0 == api_version && r.1 == kind)
        .collect();
    if let Some(r) = rows.first() {
        let instead: Vec<&str> = BUILTIN
            .iter()
            .filter(|o| {
                o.1 == kind && o.0 != api_version && o.2 <= minor && (o.3 == 0 || minor < o.3)
            })
            .map(|o| o.0)
            .collect();
        let instead = if instead.is_empty() {
            String::new()
        } else {
            format!("; use {}", instead.join(" or "))
        };
        return if r.3 != 0 && minor >= r.3 {
            format!(
                "{api_version} {kind}: removed in Kubernetes 1.{}, target is 1.{minor}{instead}",
                r.3
            )
        } else {
            format!("{api_version} {kind}: first served in Kubernetes 1.{}, target is 1.{minor}{instead}", r.2)
        };
    }
    if is_builtin_group(api_version) {
        let known: Vec<&str> = BUILTIN
            .iter()
            .filter(|r| r.1 == kind)
            .map(|r| r.0)
            .collect();
        if known.is_empty() {
            format!("{api_version} {kind}: not a Kubernetes 1.{minor} API")
        } else {
            format!(
                "{api_version} {kind}: not served; Kubernetes serves {kind} as {}",
                known.join(", ")
            )
        }
    } else {
        format!("{api_version} {kind}: no CRD for it on the target cluster (install it, or pass --api-versions {api_version})")
    }
}

/// Kinds that CustomResourceDefinitions in the stream define, served versions.
fn crds_in(docs: &[Document]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for d in objects(docs).filter(|d| d.kind() == "CustomResourceDefinition") {
        let v = d.0;
        let (Some(group), Some(kind)) = (
            get(v, &["spec", "group"]).and_then(Value::as_str),
            get(v, &["spec", "names", "kind"]).and_then(Value::as_str),
        ) else {
            continue;
        };
        if let Some(Value::Array(versions)) = get(v, &["spec", "versions"]) {
            for ver in versions {
                let served = get(ver, &["served"])
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                if let (true, Some(name)) = (served, get(ver, &["name"]).and_then(Value::as_str)) {
                    out.insert((format!("{group}/{name}"), kind.to_string()));
                }
            }
        }
        if let Some(name) = get(v, &["spec", "version"]).and_then(Value::as_str) {
            out.insert((format!("{group}/{name}"), kind.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::workloads::parse_stream;

    fn target(minor: u32, extra: &[&str]) -> Target {
        Target {
            kube_minor: minor,
            api_versions: extra.iter().map(|s| s.to_string()).collect(),
            k3s: true,
        }
    }

    const DOCS: &str = r#"
apiVersion: traefik.containo.us/v1alpha1
kind: IngressRouteTCP
metadata: {name: gateway, namespace: beta9}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: psp}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
---
apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata: {name: redis}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget}
  versions: [{name: v1, served: true}]
"#;

    #[test]
    fn missing_kinds() {
        let docs = parse_stream(DOCS).unwrap();
        let m = check_kinds(&docs, &target(33, &[]));
        let names: Vec<_> = m
            .iter()
            .map(|m| format!("{} {}", m.api_version, m.kind))
            .collect();
        assert_eq!(
            names,
            [
                "traefik.containo.us/v1alpha1 IngressRouteTCP",
                "policy/v1beta1 PodSecurityPolicy"
            ]
        );
        assert_eq!(
            m[0].message,
            "traefik.containo.us/v1alpha1 IngressRouteTCP: no CRD for it on the target cluster (install it, or pass --api-versions traefik.containo.us/v1alpha1)"
        );
        assert_eq!(m[0].resources, ["beta9/gateway"]);
        assert!(
            m[1].message.contains("removed in Kubernetes 1.25"),
            "{}",
            m[1].message
        );
        // Older cluster: PSP still there.
        let m = check_kinds(&docs, &target(24, &["traefik.containo.us/v1alpha1"]));
        assert!(m.is_empty(), "{m:?}");
        // Without k3s, HelmChart is a missing CRD.
        let m = check_kinds(
            &docs,
            &Target {
                k3s: false,
                ..target(24, &["traefik.containo.us/v1alpha1/IngressRouteTCP"])
            },
        );
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].kind, "HelmChart");
    }

    #[test]
    fn too_new_and_wrong_group() {
        let docs = parse_stream("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n---\napiVersion: apps/v1\nkind: Ingress\nmetadata: {name: i}\n").unwrap();
        let m = check_kinds(&docs, &target(20, &[]));
        assert!(
            m[0].message.contains("first served in Kubernetes 1.21")
                && m[0].message.contains("use batch/v1beta1"),
            "{}",
            m[0].message
        );
        assert!(
            m[1].message.contains("Kubernetes serves Ingress as"),
            "{}",
            m[1].message
        );
    }

    #[test]
    fn kube_versions() {
        assert_eq!(parse_kube_version("v1.33.2").unwrap(), 33);
        assert_eq!(parse_kube_version("1.29").unwrap(), 29);
        assert!(parse_kube_version("2.0").is_err());
        assert!(parse_kube_version("abc").is_err());
    }
}
