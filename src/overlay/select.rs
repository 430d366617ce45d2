//! Which resources a rule applies to.

use super::de::{OneOrMany, Ordered};
use super::glob::Glob;
use super::params::ParamString;
use crate::manifest::ResourceId;
use serde::Deserialize;
use serde_json::Value;

/// All the conditions given must hold; an empty selector selects every
/// resource. Lists mean "any of".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Selector {
    #[serde(default)]
    pub api_version: Option<OneOrMany<Glob>>,
    #[serde(default)]
    pub kind: Option<OneOrMany<Glob>>,
    #[serde(default)]
    pub name: Option<OneOrMany<Glob>>,
    /// A resource without a namespace matches only `*`.
    #[serde(default)]
    pub namespace: Option<OneOrMany<Glob>>,
    /// Each label must be present with a value matching the pattern.
    #[serde(default)]
    pub labels: Option<Ordered<String, Glob>>,
    /// Matches when the query finds at least one node in the resource.
    #[serde(default)]
    pub jsonpath: Option<JsonPathFilter>,
}

impl Selector {
    pub fn matches(&self, id: &ResourceId, doc: &Value) -> bool {
        let any = |globs: &Option<OneOrMany<Glob>>, text: &str| {
            globs
                .as_ref()
                .is_none_or(|g| g.0.iter().any(|g| g.matches(text)))
        };
        if !any(&self.api_version, &id.api_version)
            || !any(&self.kind, &id.kind)
            || !any(&self.name, &id.name)
        {
            return false;
        }
        if let Some(ns) = &self.namespace {
            let ok = match &id.namespace {
                Some(n) => ns.0.iter().any(|g| g.matches(n)),
                None => ns.0.iter().any(|g| g.as_str() == "*"),
            };
            if !ok {
                return false;
            }
        }
        if let Some(labels) = &self.labels {
            let have = doc.pointer("/metadata/labels");
            for (k, pattern) in &labels.0 {
                match have.and_then(|l| l.get(k)).and_then(Value::as_str) {
                    Some(v) if pattern.matches(v) => {}
                    _ => return false,
                }
            }
        }
        self.jsonpath.as_ref().is_none_or(|q| q.finds_any(doc))
    }
}

/// A JSONPath query (RFC 9535, through jsonpath-rust), parsed once.
#[derive(Debug, Clone)]
pub struct JsonPathFilter {
    text: String,
    query: jsonpath_rust::parser::model::JpQuery,
}

impl JsonPathFilter {
    pub fn parse(text: &str) -> Result<JsonPathFilter, String> {
        let query = jsonpath_rust::parser::parse_json_path(text).map_err(|e| {
            format!(
                "invalid JSONPath {text:?}: {e}; write e.g. $.spec.template.spec.containers[?@.name == 'app']"
            )
        })?;
        Ok(JsonPathFilter {
            text: text.to_string(),
            query,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn finds_any(&self, doc: &Value) -> bool {
        jsonpath_rust::query::js_path_process(&self.query, doc).is_ok_and(|found| !found.is_empty())
    }
}

impl<'de> Deserialize<'de> for JsonPathFilter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = ParamString::deserialize(d)?;
        JsonPathFilter::parse(&s.0).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sel(yaml: &str) -> Selector {
        yaml_serde::from_str(yaml).unwrap()
    }

    fn doc() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "gateway", "namespace": "beta9", "labels": {"app": "gw", "tier": "web"}},
               "spec": {"template": {"spec": {"containers": [{"name": "gateway", "image": "x"}]}}}})
    }

    fn check(yaml: &str) -> bool {
        let d = doc();
        sel(yaml).matches(&ResourceId::of(&d).unwrap(), &d)
    }

    #[test]
    fn selects_by_identity() {
        assert!(check("{}"));
        assert!(check("kind: Deployment"));
        assert!(check("kind: [StatefulSet, Deployment]"));
        assert!(check("kind: 'Deploy*'"));
        assert!(!check("kind: StatefulSet"));
        assert!(check("apiVersion: apps/*"));
        assert!(!check("apiVersion: v1"));
        assert!(check("{name: 'gate*', namespace: beta9}"));
        assert!(!check("name: proxy"));
        assert!(!check("namespace: other"));
    }

    #[test]
    fn selects_by_labels_and_jsonpath() {
        assert!(check("labels: {app: gw}"));
        assert!(check("labels: {tier: '*'}"));
        assert!(!check("labels: {app: other}"));
        assert!(!check("labels: {missing: '*'}"));
        assert!(check(
            "jsonpath: \"$.spec.template.spec.containers[?@.name == 'gateway']\""
        ));
        assert!(!check(
            "jsonpath: \"$.spec.template.spec.containers[?@.name == 'nope']\""
        ));
    }

    #[test]
    fn namespaceless_resources_match_only_star() {
        let d = json!({"kind": "ClusterRole", "metadata": {"name": "r"}});
        let id = ResourceId::of(&d).unwrap();
        assert!(sel("namespace: '*'").matches(&id, &d));
        assert!(!sel("namespace: 'a*'").matches(&id, &d));
    }

    #[test]
    fn bad_selectors_are_errors_with_positions() {
        let e = yaml_serde::from_str::<Selector>("kind: A\nkinds: B\n").unwrap_err();
        assert!(e.to_string().contains("unknown field `kinds`"), "{e}");
        assert_eq!(e.location().unwrap().line(), 2);
        let e = yaml_serde::from_str::<Selector>("jsonpath: '$.[['\n").unwrap_err();
        assert!(e.to_string().contains("invalid JSONPath"), "{e}");
        assert_eq!(e.location().unwrap().line(), 1);
    }
}
