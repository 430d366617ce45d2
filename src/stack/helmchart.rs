//! Raw manifest files, document by document, with k3s `HelmChart` resources
//! (`helm.cattle.io/v1`) turned into the chart releases k3s's helm-controller
//! would install for them in the cluster.

use super::chart_release::{merge_yaml_values, set_value, ChartJob, ChartSource};
use super::locate::StackText;
use crate::manifest::{self, is_marker};
use crate::value::Map;
use crate::values::places::ValueInput;
use crate::yaml::places::key_places;
use crate::yaml::LocatedError;
use base64::Engine as _;
use serde_json::Value as Json;

/// One piece of a raw manifest file, in file order.
#[derive(Debug, Clone)]
pub enum Piece {
    /// A document passed through as written, with its `# Source:` path.
    Doc { source: String, text: String },
    /// A HelmChart, to be rendered in its place.
    Chart { source: String, job: Box<ChartJob> },
}

/// Splits a manifest file into documents and expands its HelmCharts;
/// `release` names the stack release, `namespace` is the stack's default.
pub fn pieces(release: &str, file: &StackText, namespace: &str) -> Result<Vec<Piece>, String> {
    let source = format!("{release}/{}", file.rel);
    let mut out = Vec::new();
    for (number, (first_line, text)) in (1..).zip(documents(&file.text)) {
        let value = manifest::parse(&text).map_err(|e| {
            let line = first_line + e.line.saturating_sub(1);
            let message = format!("invalid YAML in document {number}: {e}");
            LocatedError::at(&file.rel, line, e.column, message).to_string()
        })?;
        if value.is_null() {
            continue; // comments only
        }
        if is_helmchart(&value) {
            let mut job = helmchart_job(&value, namespace)
                .map_err(|e| format!("{}:{first_line}: HelmChart: {e}", file.rel))?;
            job.inputs = value_inputs(&file.rel, first_line, &text, &job.release, &value);
            out.push(Piece::Chart {
                source: source.clone(),
                job: Box::new(job),
            });
        } else {
            out.push(Piece::Doc {
                source: source.clone(),
                text: text.trim_end().to_string(),
            });
        }
    }
    Ok(out)
}

/// The documents of a file with the line each starts on (1-based), markers
/// and leading blank lines left out.
fn documents(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if is_marker(line.as_bytes()) {
            if !cur.trim().is_empty() {
                out.push((start, std::mem::take(&mut cur)));
            }
            cur.clear();
            start = i + 2;
            continue;
        }
        if cur.is_empty() && line.trim().is_empty() {
            start = i + 2;
            continue;
        }
        cur.push_str(line);
    }
    if !cur.trim().is_empty() {
        out.push((start, cur));
    }
    out
}

/// Where a HelmChart's values were written: its `valuesContent` at its place
/// in the file, then each `spec.set` key.
fn value_inputs(rel: &str, first_line: usize, doc: &str, name: &str, v: &Json) -> Vec<ValueInput> {
    let mut inputs = Vec::new();
    let spec = v.get("spec");
    if let Some(content) = spec
        .and_then(|s| s.get("valuesContent"))
        .and_then(Json::as_str)
    {
        let key = ["spec", "valuesContent"];
        let key_line = key_places(doc)
            .into_iter()
            .find(|p| p.path.iter().eq(key.iter()))
            .map_or(0, |p| p.line);
        let lines: Vec<&str> = doc.lines().collect();
        // A block scalar (`valuesContent: |`) starts on the next line,
        // indented; any other style is placed on the key's line.
        let block = lines
            .get(key_line.saturating_sub(1))
            .and_then(|l| l.split_once(':'))
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['|', '>']));
        let (line, indent) = match lines.get(key_line) {
            Some(next) if block => (key_line + 1, next.len() - next.trim_start().len()),
            _ => (key_line, 0),
        };
        let file_line = first_line + line.saturating_sub(1);
        inputs.push(ValueInput::yaml(rel, content).shifted(file_line, indent));
    }
    if let Some(Json::Object(set)) = spec.and_then(|s| s.get("set")) {
        let flag = format!("HelmChart {name} spec.set");
        // Each key is read as `key=value` is when the values are set.
        inputs.extend(
            set.keys()
                .map(|k| ValueInput::flag(&flag, &format!("{k}="))),
        );
    }
    inputs
}

fn is_helmchart(v: &Json) -> bool {
    v.get("apiVersion").and_then(Json::as_str) == Some("helm.cattle.io/v1")
        && v.get("kind").and_then(Json::as_str) == Some("HelmChart")
}

fn text_of<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The release a HelmChart stands for, as helm-controller reads it.
fn helmchart_job(v: &Json, default_ns: &str) -> Result<ChartJob, String> {
    let meta = v.get("metadata").cloned().unwrap_or(Json::Null);
    let name = text_of(&meta, "name").ok_or("metadata.name is missing")?;
    let spec = v.get("spec").cloned().unwrap_or(Json::Null);
    // helm-controller installs into targetNamespace, else the HelmChart's own.
    let namespace = text_of(&spec, "targetNamespace")
        .or_else(|| text_of(&meta, "namespace"))
        .unwrap_or(default_ns)
        .to_string();
    let source = if let Some(content) = text_of(&spec, "chartContent") {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content.replace(['\n', '\r', ' '], ""))
            .map_err(|e| format!("spec.chartContent is not base64: {e}"))?;
        ChartSource::Archive {
            bytes,
            origin: format!("HelmChart {name} spec.chartContent"),
        }
    } else {
        let chart = text_of(&spec, "chart").ok_or(
            "give spec.chart (a chart name with spec.repo, or an oci:// or https:// reference) or spec.chartContent",
        )?;
        match text_of(&spec, "repo") {
            Some(repo) if repo.starts_with("oci://") => {
                ChartSource::Reference(format!("{}/{chart}", repo.trim_end_matches('/')))
            }
            Some(repo) => ChartSource::Repo {
                url: repo.to_string(),
                name: chart.to_string(),
            },
            None => ChartSource::Reference(chart.to_string()),
        }
    };
    let display = match &source {
        ChartSource::Archive { origin, .. } => origin.clone(),
        ChartSource::Reference(r) => r.clone(),
        ChartSource::Path(p) => p.display().to_string(),
        ChartSource::Repo { url, name } => format!("{}/{name}", url.trim_end_matches('/')),
    };
    let values = Map::new();
    if let Some(content) = spec.get("valuesContent").and_then(Json::as_str) {
        merge_yaml_values(&values, content, "spec.valuesContent")?;
    }
    if let Some(Json::Object(set)) = spec.get("set") {
        for (k, val) in set {
            // helm-controller passes strings with --set-string, others with --set.
            match val {
                Json::String(s) => set_value(&values, k, s, false)?,
                other => set_value(&values, k, &other.to_string(), true)?,
            }
        }
    }
    Ok(ChartJob {
        release: name.to_string(),
        namespace,
        source,
        version: text_of(&spec, "version").map(str::to_string),
        display,
        values,
        inputs: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> StackText {
        StackText {
            rel: "m.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn values_content_is_placed_in_the_file() {
        let text = "# head\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: cache}\nspec:\n  chart: oci://r/c\n  valuesContent: |-\n    x: 1\n    deep:\n      y: 2\n  set:\n    w.v: \"s\"\n";
        let pieces = pieces("r", &file(text), "default").unwrap();
        let Piece::Chart { job, .. } = &pieces[1] else {
            panic!("{pieces:?}")
        };
        let at = |p: &[&str]| {
            let path: Vec<String> = p.iter().map(|s| s.to_string()).collect();
            crate::values::places::locate(&path, &job.inputs)
        };
        assert_eq!(at(&["x"]).as_deref(), Some("m.yaml:12:5"));
        assert_eq!(at(&["deep", "y"]).as_deref(), Some("m.yaml:14:7"));
        assert_eq!(
            at(&["w", "v"]).as_deref(),
            Some("HelmChart cache spec.set w.v")
        );
    }

    #[test]
    fn helmchart_becomes_a_release() {
        let p = pieces(
            "raw",
            &file("# head\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: cache, namespace: a}\nspec:\n  repo: https://example.com/charts/\n  chart: redis\n  version: 1.2.3\n  targetNamespace: b\n  valuesContent: |-\n    x: 1\n  set:\n    w: \"s\"\n    z: 2\n"),
            "default",
        )
        .unwrap();
        assert_eq!(p.len(), 2);
        let Piece::Doc { source, text } = &p[0] else {
            panic!("a document first")
        };
        assert_eq!(source, "raw/m.yaml");
        assert!(text.starts_with("# head\napiVersion"));
        let Piece::Chart { job, .. } = &p[1] else {
            panic!("then the chart")
        };
        assert_eq!(
            (job.release.as_str(), job.namespace.as_str()),
            ("cache", "b")
        );
        assert_eq!(job.version.as_deref(), Some("1.2.3"));
        assert!(
            matches!(&job.source, ChartSource::Repo { url, name } if url == "https://example.com/charts/" && name == "redis")
        );
        let v = crate::value::Value::map(job.values.clone()).to_json();
        assert_eq!(v, serde_json::json!({"x": 1, "w": "s", "z": 2}));
    }

    #[test]
    fn bad_yaml_names_the_line() {
        let e = pieces("r", &file("a: 1\n---\nb: [\n"), "d").unwrap_err();
        assert!(
            e.starts_with("m.yaml:4:1: invalid YAML in document 2: "),
            "{e}"
        );
    }

    #[test]
    fn helmchart_without_chart_says_what_to_give() {
        let e = pieces(
            "r",
            &file(
                "apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: x}\nspec: {}\n",
            ),
            "d",
        )
        .unwrap_err();
        assert!(e.contains("give spec.chart"), "{e}");
    }
}
