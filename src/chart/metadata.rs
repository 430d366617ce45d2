//! `Chart.yaml`: the chart's metadata, read with Helm's typing rules, checked as
//! Helm checks it, and shown to templates as `.Chart` with Go's field names.

use super::ChartError;
use crate::value::{Map, Value};
use std::collections::BTreeMap;

/// One entry of `dependencies:` (or of a v1 chart's `requirements.yaml`).
#[derive(Debug, Clone, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// `import-values` entries as written: strings or `{child, parent}` maps.
    pub import_values: Vec<Value>,
    pub alias: String,
}

#[derive(Debug, Clone, Default)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// The fields of `Chart.yaml` that Helm knows.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    /// `application`, `library`, or empty (which means application).
    pub chart_type: String,
}

impl Metadata {
    /// Parses `Chart.yaml` as Helm 4 does, through sigs.k8s.io/yaml: a number
    /// or boolean where Go wants a string becomes one (`appVersion: 1.10` is
    /// `1.1`), other wrong types fail as Go's JSON decoding does, unknown
    /// fields are ignored.
    pub fn parse(text: &str) -> Result<Metadata, ChartError> {
        let doc = crate::yaml::from_str_typed(text).map_err(|e| {
            ChartError::new(format!(
                "cannot load Chart.yaml: error converting YAML to JSON: {e}"
            ))
        })?;
        let map = match &doc {
            Value::Map(m, _) => (**m).clone(),
            Value::Nil => Default::default(),
            other => {
                return Err(ChartError::new(format!(
                    "cannot load Chart.yaml: {DECODING}json: cannot unmarshal {} into Go value of type v2.Metadata",
                    json_kind(other)
                )))
            }
        };
        let f = Fields {
            map: &map,
            ty: "Metadata",
        };
        let mut md = Metadata {
            name: f.string("name")?,
            home: f.string("home")?,
            sources: f.strings("sources")?,
            version: f.string("version")?,
            description: f.string("description")?,
            keywords: f.strings("keywords")?,
            maintainers: Vec::new(),
            icon: f.string("icon")?,
            api_version: f.string("apiVersion")?,
            condition: f.string("condition")?,
            tags: f.string("tags")?,
            app_version: f.string("appVersion")?,
            deprecated: f.boolean("deprecated")?,
            annotations: BTreeMap::new(),
            kube_version: f.string("kubeVersion")?,
            dependencies: parse_dependencies(map.get("dependencies").as_ref())?,
            chart_type: f.string("type")?,
        };
        match map.get("maintainers").as_ref() {
            None | Some(Value::Nil) => {}
            Some(Value::List(items)) => {
                for item in items.iter() {
                    let m = match item {
                        Value::Map(m, _) => (**m).clone(),
                        Value::Nil => Map::new(),
                        other => {
                            return Err(type_error(other, "Metadata.maintainers", "v2.Maintainer"))
                        }
                    };
                    let f = Fields {
                        map: &m,
                        ty: "Maintainer",
                    };
                    md.maintainers.push(Maintainer {
                        name: f.string("name")?,
                        email: f.string("email")?,
                        url: f.string("url")?,
                    });
                }
            }
            Some(other) => {
                return Err(type_error(
                    other,
                    "Metadata.maintainers",
                    "[]*v2.Maintainer",
                ))
            }
        }
        match map.get("annotations").as_ref() {
            None | Some(Value::Nil) => {}
            Some(Value::Map(a, _)) => {
                for (k, v) in a.iter() {
                    let text = string_or_null(&v)
                        .ok_or_else(|| type_error(&v, "Metadata.annotations", "string"))?;
                    md.annotations.insert(k, text);
                }
            }
            Some(other) => {
                return Err(type_error(
                    other,
                    "Metadata.annotations",
                    "map[string]string",
                ))
            }
        }
        // Helm 2 charts may omit apiVersion; Helm reads them as v1.
        if md.api_version.is_empty() {
            md.api_version = "v1".into();
        }
        Ok(md)
    }

    /// Helm's `Metadata.Validate`: the checks a chart must pass to load.
    pub fn validate(&self) -> Result<(), ChartError> {
        let fail = |m: String| Err(ChartError::new(format!("validation: {m}")));
        if self.api_version.is_empty() {
            return fail("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return fail("chart.metadata.name is required".into());
        }
        if self.name.contains('/') || self.name == "." || self.name == ".." {
            return fail(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return fail("chart.metadata.version is required".into());
        }
        if !is_semver(&self.version) {
            return fail(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return fail("chart.metadata.type must be application or library".into());
        }
        let mut seen = std::collections::HashSet::new();
        for d in &self.dependencies {
            if d.name.is_empty() {
                return fail("dependency name cannot be empty".into());
            }
            if !d.alias.is_empty()
                && !d
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return fail(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = if d.alias.is_empty() {
                &d.name
            } else {
                &d.alias
            };
            if !seen.insert(key.clone()) {
                return fail(format!(
                    "more than one dependency with name or alias {key:?}"
                ));
            }
        }
        Ok(())
    }

    pub fn is_library(&self) -> bool {
        self.chart_type == "library"
    }

    /// `.Chart` as templates see it: Go's field names, empty lists and strings
    /// where Chart.yaml says nothing (as Helm 4 hands them over).
    pub fn to_value(&self, is_root: bool) -> Value {
        let strs = |v: &[String]| Value::list(v.iter().map(|s| Value::str(s.as_str())).collect());
        let m = Map::new();
        m.insert("APIVersion", Value::str(self.api_version.as_str()));
        m.insert(
            "Annotations",
            Value::map(
                self.annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
                    .collect(),
            ),
        );
        m.insert("AppVersion", Value::str(self.app_version.as_str()));
        m.insert("Condition", Value::str(self.condition.as_str()));
        m.insert(
            "Dependencies",
            Value::list(self.dependencies.iter().map(Dependency::to_value).collect()),
        );
        m.insert("Deprecated", Value::Bool(self.deprecated));
        m.insert("Description", Value::str(self.description.as_str()));
        m.insert("Home", Value::str(self.home.as_str()));
        m.insert("Icon", Value::str(self.icon.as_str()));
        m.insert("IsRoot", Value::Bool(is_root));
        m.insert("Keywords", strs(&self.keywords));
        m.insert("KubeVersion", Value::str(self.kube_version.as_str()));
        m.insert(
            "Maintainers",
            Value::list(
                self.maintainers
                    .iter()
                    .map(|x| {
                        let mm = Map::new();
                        mm.insert("Email", Value::str(x.email.as_str()));
                        mm.insert("Name", Value::str(x.name.as_str()));
                        mm.insert("URL", Value::str(x.url.as_str()));
                        Value::map(mm)
                    })
                    .collect(),
            ),
        );
        m.insert("Name", Value::str(self.name.as_str()));
        m.insert("Sources", strs(&self.sources));
        m.insert("Tags", Value::str(self.tags.as_str()));
        m.insert("Type", Value::str(self.chart_type.as_str()));
        m.insert("Version", Value::str(self.version.as_str()));
        Value::map(m)
    }
}

impl Dependency {
    fn to_value(&self) -> Value {
        let m = Map::new();
        m.insert("Alias", Value::str(self.alias.as_str()));
        m.insert("Condition", Value::str(self.condition.as_str()));
        m.insert("Enabled", Value::Bool(self.enabled));
        m.insert("ImportValues", Value::list(self.import_values.clone()));
        m.insert("Name", Value::str(self.name.as_str()));
        m.insert("Repository", Value::str(self.repository.as_str()));
        m.insert(
            "Tags",
            Value::list(self.tags.iter().map(|s| Value::str(s.as_str())).collect()),
        );
        m.insert("Version", Value::str(self.version.as_str()));
        Value::map(m)
    }
}

/// Reads a `dependencies:` list (from Chart.yaml or a v1 requirements.yaml).
pub fn parse_dependencies(v: Option<&Value>) -> Result<Vec<Dependency>, ChartError> {
    let items = match v {
        None | Some(Value::Nil) => return Ok(Vec::new()),
        Some(Value::List(items)) => items,
        Some(other) => {
            return Err(type_error(
                other,
                "Metadata.dependencies",
                "[]*v2.Dependency",
            ))
        }
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let m = match item {
            Value::Map(m, _) => (**m).clone(),
            Value::Nil => continue,
            other => return Err(type_error(other, "Metadata.dependencies", "v2.Dependency")),
        };
        let f = Fields {
            map: &m,
            ty: "Dependency",
        };
        let import_values = match m.get("import-values").as_ref() {
            None | Some(Value::Nil) => Vec::new(),
            Some(Value::List(l)) => l.to_vec(),
            Some(other) => {
                return Err(type_error(
                    other,
                    "Dependency.import-values",
                    "[]interface {}",
                ))
            }
        };
        out.push(Dependency {
            name: f.string("name")?,
            version: f.string("version")?,
            repository: f.string("repository")?,
            condition: f.string("condition")?,
            tags: f.strings("tags")?,
            enabled: f.boolean("enabled")?,
            import_values,
            alias: f.string("alias")?,
        });
    }
    Ok(out)
}

/// Typed access to the fields of one YAML map, failing like Go's JSON decoder.
struct Fields<'a> {
    map: &'a Map,
    ty: &'a str,
}

impl Fields<'_> {
    fn string(&self, key: &str) -> Result<String, ChartError> {
        match self.map.get(key) {
            None => Ok(String::new()),
            Some(v) => string_or_null(&v)
                .ok_or_else(|| type_error(&v, &format!("{}.{key}", self.ty), "string")),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, ChartError> {
        match self.map.get(key).as_ref() {
            None | Some(Value::Nil) => Ok(Vec::new()),
            Some(Value::List(items)) => items
                .iter()
                .map(|v| {
                    string_or_null(v)
                        .ok_or_else(|| type_error(v, &format!("{}.{key}", self.ty), "string"))
                })
                .collect(),
            Some(other) => Err(type_error(other, &format!("{}.{key}", self.ty), "[]string")),
        }
    }

    fn boolean(&self, key: &str) -> Result<bool, ChartError> {
        match self.map.get(key).as_ref() {
            None | Some(Value::Nil) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(type_error(other, &format!("{}.{key}", self.ty), "bool")),
        }
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::String(_) | Value::RawString(_) => "string",
        Value::List(_) | Value::Bytes(_) => "array",
        Value::Map(_, _) | Value::Object(_) => "object",
        Value::Nil => "null",
    }
}

/// What sigs.k8s.io/yaml puts before Go's JSON decoding errors.
const DECODING: &str = "error unmarshaling JSON: while decoding JSON: ";

/// A Go `string` field filled from YAML: scalars as sigs.k8s.io/yaml turns
/// them into strings, `null` as the empty string (JSON's null leaves a string
/// alone); `None` for lists and maps, which Go refuses.
fn string_or_null(v: &Value) -> Option<String> {
    match v {
        Value::Nil => Some(String::new()),
        other => crate::yaml::string_field(other),
    }
}

fn type_error(v: &Value, field: &str, go_type: &str) -> ChartError {
    ChartError::new(format!(
        "cannot load Chart.yaml: {DECODING}json: cannot unmarshal {} into Go struct field {field} of type {go_type}",
        json_kind(v)
    ))
}

/// Whether `v` parses as a Masterminds semantic version (`1`, `1.2`, `v1.2.3-rc.1+b`).
pub fn is_semver(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, rest) = match v.find(['-', '+']) {
        Some(i) => (&v[..i], &v[i..]),
        None => (v, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return false;
    }
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    rest.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_shows_metadata() {
        let md = Metadata::parse(
            "apiVersion: v2\nname: x\nversion: 1.2.3\nmaintainers: [{name: me, email: a@b}]\ndependencies:\n- name: sub\n  version: ~1\n  tags: [a]\n",
        )
        .unwrap();
        md.validate().unwrap();
        let v = md.to_value(true);
        assert_eq!(v.get("Name").as_str(), Some("x"));
        assert_eq!(
            v.get("Maintainers").to_string(),
            "[map[Email:a@b Name:me URL:]]"
        );
        assert_eq!(
            v.get("Dependencies").to_string(),
            "[map[Alias: Condition: Enabled:false ImportValues:[] Name:sub Repository: Tags:[a] Version:~1]]"
        );
    }

    #[test]
    fn scalars_fill_string_fields_and_other_types_fail_as_helm_4() {
        // Expectations recorded with helm-oracle (Helm 4.2.3).
        let md = Metadata::parse(
            "name: x\nversion: 1.0\nappVersion: 123456789.0\ndescription: yes\nhome: 0x10\n\
             keywords: [1.50, on, ~]\nannotations: {y: 1.50, z: y, n: ~}\n",
        )
        .unwrap();
        assert_eq!(md.version, "1");
        assert_eq!(md.app_version, "1.2345679e+08");
        assert_eq!(md.description, "true");
        assert_eq!(md.home, "16");
        assert_eq!(md.keywords, ["1.5", "true", ""]);
        assert_eq!(
            md.to_value(true).get("Annotations").to_string(),
            "map[false: true:1.5 z:true]"
        );
        let err = Metadata::parse("name: x\nhome: {a: 1}\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: \
             json: cannot unmarshal object into Go struct field Metadata.home of type string"
        );
        let err = Metadata::parse("name: x\nmaintainers: [5]\n").unwrap_err();
        assert!(
            err.to_string().ends_with(
                "cannot unmarshal number into Go struct field Metadata.maintainers of type v2.Maintainer"
            ),
            "{err}"
        );
        let err = Metadata::parse("a: [\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot load Chart.yaml: error converting YAML to JSON: yaml: line 1: did not find expected node content"
        );
    }

    #[test]
    fn validation_messages() {
        let md = Metadata::parse("apiVersion: v2\nname: x\n").unwrap();
        assert_eq!(
            md.validate().unwrap_err().to_string(),
            "validation: chart.metadata.version is required"
        );
        let md = Metadata::parse("apiVersion: v2\nname: x\nversion: abc\n").unwrap();
        assert!(md.validate().is_err());
        assert!(is_semver("1.2.3-rc.1+build"));
        assert!(!is_semver("1.2.3.4"));
    }
}
