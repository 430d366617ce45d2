//! The stack file: what a stack is made of, read with errors at file:line:col.
//!
//! ```yaml
//! name: beta9
//! namespace: beta9
//! platform: linux/arm64
//! overlays: [arm64, {name: no-traefik, params: {nodePorts: "1993:31993"}}]
//! mirrors: {registryConfig: registries.yaml, repos: {"https://a": "http://b"}}
//! releases:
//!   - {name: redis, chart: oci://registry-1.docker.io/bitnamicharts/redis, version: 18.6.1, values: {...}}
//!   - {name: beta9, manifests: [beta9/]}
//! ```

use crate::yaml::LocatedError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A parsed stack file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackFile {
    pub name: String,
    /// Namespace of releases that name none.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// `OS/ARCH` images must run on (image checks).
    #[serde(default)]
    pub platform: Option<String>,
    /// Overlays applied to the whole stack's stream, in order.
    #[serde(default)]
    pub overlays: Vec<OverlayRef>,
    #[serde(default)]
    pub mirrors: Mirrors,
    pub releases: Vec<Release>,
}

fn default_namespace() -> String {
    "default".into()
}

/// An overlay by built-in name or path, with parameter values.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OverlayRef {
    Name(String),
    WithParams {
        name: String,
        #[serde(default)]
        params: BTreeMap<String, yaml_serde::Value>,
    },
}

impl OverlayRef {
    pub fn name(&self) -> &str {
        match self {
            OverlayRef::Name(n) | OverlayRef::WithParams { name: n, .. } => n,
        }
    }

    /// `(param, value)` pairs, scalars written as text.
    pub fn params(&self) -> Vec<(String, String)> {
        match self {
            OverlayRef::Name(_) => Vec::new(),
            OverlayRef::WithParams { params, .. } => params
                .iter()
                .map(|(k, v)| (k.clone(), scalar_text(v)))
                .collect(),
        }
    }
}

/// A YAML scalar as the text a user wrote (`100m`, `3`, `true`).
pub fn scalar_text(v: &yaml_serde::Value) -> String {
    match v {
        yaml_serde::Value::String(s) => s.clone(),
        yaml_serde::Value::Null => String::new(),
        other => yaml_serde::to_string(other)
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default(),
    }
}

/// Where charts and images come from instead of their public places.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mirrors {
    /// k3s `registries.yaml`, relative to the stack file.
    #[serde(default, rename = "registryConfig")]
    pub registry_config: Option<String>,
    /// HTTP chart repository URL prefixes: public → mirror.
    #[serde(default)]
    pub repos: BTreeMap<String, String>,
}

/// A chart release or a set of raw manifests.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub name: String,
    /// A chart reference: `oci://…`, `REPO/NAME`, a path, or a bare name with `repo`.
    #[serde(default)]
    pub chart: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    /// An HTTP repository URL (or `oci://` prefix) the chart name is in.
    #[serde(default)]
    pub repo: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    /// Inline values, applied after `valuesFiles`.
    #[serde(default)]
    pub values: Option<yaml_serde::Value>,
    #[serde(default, rename = "valuesFiles")]
    pub values_files: Vec<String>,
    /// Overlays for this release alone, applied before the stack's.
    #[serde(default)]
    pub overlays: Vec<OverlayRef>,
    /// Raw manifest files or folders (their `*.yaml`/`*.yml`, sorted).
    #[serde(default)]
    pub manifests: Vec<String>,
}

impl Release {
    pub fn is_chart(&self) -> bool {
        self.chart.is_some()
    }
}

/// Reads a stack file's text; `origin` names it in errors.
pub fn parse(origin: &str, text: &str) -> Result<StackFile, LocatedError> {
    crate::yaml::check_limits(text, crate::yaml::SERDE_MAX_DEPTH)
        .map_err(|e| LocatedError::limit(origin, e))?;
    let stack: StackFile =
        yaml_serde::from_str(text).map_err(|e| LocatedError::serde(origin, &e))?;
    validate(origin, text, &stack)?;
    Ok(stack)
}

/// Rules serde cannot say: names unique, each release one kind.
fn validate(origin: &str, text: &str, stack: &StackFile) -> Result<(), LocatedError> {
    let err = |needle: &str, message: String| {
        let (line, column) = locate(text, needle);
        LocatedError::at(origin, line, column, message)
    };
    if stack.releases.is_empty() {
        return Err(err(
            "releases:",
            "the stack has no releases: list charts or manifests under releases:".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for r in &stack.releases {
        let here = format!("name: {}", r.name);
        if !seen.insert(r.name.as_str()) {
            return Err(err(
                &here,
                format!("release {:?} is listed twice; names must be unique", r.name),
            ));
        }
        match (r.chart.is_some(), !r.manifests.is_empty()) {
            (true, true) => {
                return Err(err(
                    &here,
                    format!(
                        "release {:?} has both chart and manifests; split it into two releases",
                        r.name
                    ),
                ))
            }
            (false, false) => {
                return Err(err(
                    &here,
                    format!(
                        "release {:?} has neither chart nor manifests; give one of them",
                        r.name
                    ),
                ))
            }
            _ => {}
        }
        if !r.is_chart()
            && (r.values.is_some() || !r.values_files.is_empty() || r.version.is_some())
        {
            return Err(err(
                &here,
                format!(
                    "release {:?} is raw manifests: values, valuesFiles and version apply to charts only",
                    r.name
                ),
            ));
        }
    }
    Ok(())
}

/// The 1-based line and column where `needle` first occurs, or (0, 0).
fn locate(text: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = line.find(needle) {
            return (i + 1, c + 1);
        }
    }
    (0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_release_kinds() {
        let s = parse(
            "s.yaml",
            "name: x\nnamespace: ns\noverlays: [arm64, {name: no-traefik, params: {nodePorts: '1:2'}}]\nreleases:\n  - name: r\n    chart: ./c\n    values: {a: 1}\n  - name: m\n    manifests: [m/]\n",
        )
        .unwrap();
        assert_eq!(s.releases.len(), 2);
        assert!(s.releases[0].is_chart());
        assert_eq!(
            s.overlays[1].params(),
            [("nodePorts".to_string(), "1:2".to_string())]
        );
    }

    #[test]
    fn unknown_field_has_a_place() {
        let e = parse("s.yaml", "name: x\nreleases:\n  - name: r\n    chrt: c\n").unwrap_err();
        assert_eq!((e.location.line, e.location.file.as_str()), (4, "s.yaml"));
        assert!(e.message.contains("chrt"), "{e}");
    }

    #[test]
    fn release_needs_one_kind() {
        let e = parse("s.yaml", "name: x\nreleases:\n  - name: r\n").unwrap_err();
        assert_eq!(e.location.line, 3);
        assert!(
            e.to_string()
                .starts_with("s.yaml:3:5: release \"r\" has neither"),
            "{e}"
        );
    }
}
