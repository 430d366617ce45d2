//! `.Capabilities`: what `helm template` tells templates about the cluster when
//! it has none — Helm 4.2.3's defaults (Kubernetes v1.36.0 and its API
//! versions), changed by `--kube-version` and `--api-versions`.

use crate::value::{Object, Value};
use std::any::Any;
use std::sync::Arc;

/// Helm 4.2.3's defaults, as read off the reference engine.
const DEFAULT_KUBE_VERSION: &str = "v1.36.0";
const HELM_VERSION: &str = "v4.2";
const GO_VERSION: &str = "go1.26.6";
const KUBE_CLIENT_VERSION: &str = "v1.36";
const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `.Capabilities.KubeVersion`.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeVersion {
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Helm's `ParseKubeVersion`: any semantic version (`1.30`, `v1.30.2`),
    /// shown with a `v` and all three numbers.
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let v = crate::semver::Version::parse(s)
            .map_err(|e| format!("invalid kube version {s:?}: {e}"))?;
        let mut version = format!("v{}.{}.{}", v.major(), v.minor(), v.patch());
        if !v.prerelease().is_empty() {
            version.push('-');
            version.push_str(v.prerelease());
        }
        if !v.metadata().is_empty() {
            version.push('+');
            version.push_str(v.metadata());
        }
        Ok(KubeVersion {
            version,
            major: v.major().to_string(),
            minor: v.minor().to_string(),
        })
    }
}

impl Default for KubeVersion {
    fn default() -> KubeVersion {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "36".into(),
        }
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "common.KubeVersion"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "GitVersion" | "String" => Some(Value::str(self.version.as_str())),
            "Major" => Some(Value::str(self.major.as_str())),
            "Minor" => Some(Value::str(self.minor.as_str())),
            _ => None,
        }
    }

    /// Go's `KubeVersion` has a `String()` method (pointer receiver): printed
    /// directly by a template it shows as `v1.36.0`, while `%v` in functions
    /// (`quote`, `toString`) shows the struct, as [`Object::format`] does.
    fn has_method(&self, name: &str) -> bool {
        name == "String"
    }

    fn addressable_string(&self) -> Option<String> {
        Some(self.version.clone())
    }

    fn format(&self) -> String {
        format!(
            "{{{} {} {} {}}}",
            self.version, self.version, self.major, self.minor
        )
    }

    fn to_plain(&self) -> Option<Value> {
        let m = crate::value::Map::new();
        for (k, v) in self.struct_fields()? {
            m.insert(k, v);
        }
        Some(Value::map(m))
    }

    fn struct_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("Version", Value::str(self.version.as_str())),
            ("Major", Value::str(self.major.as_str())),
            ("Minor", Value::str(self.minor.as_str())),
        ])
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.APIVersions`, with `Has "apps/v1"` and `Has "apps/v1/Deployment"`.
#[derive(Clone, Debug)]
pub struct VersionSet(pub Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "common.VersionSet"
    }

    fn kind_name(&self) -> &str {
        "slice"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::String(s)] => Ok(Value::Bool(self.0.iter().any(|v| v == &**s))),
            [other] => Err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            )),
            _ => Err(format!(
                "wrong number of args for Has: want 1 got {}",
                args.len()
            )),
        })
    }

    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }

    fn format(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }

    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }

    fn to_plain(&self) -> Option<Value> {
        Some(Value::list(
            self.0.iter().map(|s| Value::str(s.as_str())).collect(),
        ))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.HelmVersion` (Go's `version.BuildInfo`).
#[derive(Clone, Debug)]
pub struct HelmVersion;

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }

    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::str(match name {
            "Version" => HELM_VERSION,
            "GitCommit" | "GitTreeState" => "",
            "GoVersion" => GO_VERSION,
            "KubeClientVersion" => KUBE_CLIENT_VERSION,
            _ => return None,
        }))
    }

    fn format(&self) -> String {
        format!("{{{HELM_VERSION}   {GO_VERSION} {KUBE_CLIENT_VERSION}}}")
    }

    fn to_plain(&self) -> Option<Value> {
        let m = crate::value::Map::new();
        for (k, v) in self.struct_fields()? {
            m.insert(k, v);
        }
        Some(Value::map(m))
    }

    /// `version.BuildInfo`'s JSON: the empty git fields are `omitempty`.
    fn struct_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(vec![
            ("version", Value::str(HELM_VERSION)),
            ("go_version", Value::str(GO_VERSION)),
            ("kube_client_version", Value::str(KUBE_CLIENT_VERSION)),
        ])
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities` itself.
#[derive(Clone, Debug)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: Arc<VersionSet>,
}

impl Capabilities {
    /// Helm's defaults, with a Kubernetes version and extra API versions from
    /// the command line.
    pub fn new(kube_version: Option<KubeVersion>, extra_apis: &[String]) -> Capabilities {
        let mut apis: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
        apis.extend(extra_apis.iter().cloned());
        Capabilities {
            kube_version: kube_version.unwrap_or_default(),
            api_versions: Arc::new(VersionSet(apis)),
        }
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*common.Capabilities"
    }

    fn kind_name(&self) -> &str {
        "ptr"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::object(self.kube_version.clone())),
            "APIVersions" => Some(Value::Object(self.api_versions.clone())),
            "HelmVersion" => Some(Value::object(HelmVersion)),
            _ => None,
        }
    }

    fn format(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            self.kube_version.format(),
            self.api_versions.format(),
            HelmVersion.format()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_print_as_helm() {
        let caps = Capabilities::new(None, &[]);
        assert_eq!(caps.kube_version.format(), "{v1.36.0 v1.36.0 1 36}");
        assert_eq!(HelmVersion.format(), "{v4.2   go1.26.6 v1.36}");
        let apis = caps.field("APIVersions").unwrap();
        let Value::Object(o) = apis else { panic!() };
        assert_eq!(
            o.call("Has", &[Value::str("apps/v1")]).unwrap().unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            o.call("Has", &[Value::str("apps/v1/Deployment")])
                .unwrap()
                .unwrap(),
            Value::Bool(false)
        );
    }

    #[test]
    fn extra_api_versions_are_added() {
        let caps = Capabilities::new(None, &["monitoring.coreos.com/v1".into()]);
        assert!(caps
            .api_versions
            .0
            .iter()
            .any(|v| v == "monitoring.coreos.com/v1"));
    }

    #[test]
    fn defaults_match_the_recorded_facts() {
        // The embedded list must equal what Helm 4.2.3 reported (corpus facts).
        let shared = std::env::var("CHARTFIX_SHARED")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared").into());
        let path = format!("{shared}/corpus/facts/capabilities.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {path} not present");
            return;
        };
        let facts: serde_json::Value = serde_json::from_str(&text).unwrap();
        let want: Vec<&str> = facts["apiVersions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(want, DEFAULT_API_VERSIONS);
        assert_eq!(facts["kubeVersion"]["printed"], "{v1.36.0 v1.36.0 1 36}");
    }
}
