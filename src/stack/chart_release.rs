//! One chart release of a stack, rendered as `helm template` would render it:
//! resolve the chart, assemble values, render, and name every document
//! `RELEASE/PATH` so a stack's stream says which release it came from.

use super::StackError;
pub use crate::release::ChartSource;
use crate::release::{self, Request, Sources};
use crate::render::leftovers::Leftovers;
use crate::render::output::{stream, OutputOptions};
use crate::render::shared::SharedParses;
use crate::render::RenderOptions;
use crate::source::Resolver;
use crate::value::{Map, Value};
use crate::values::places::ValueInput;
use crate::values::strvals::{parse_into, Mode};
use crate::values::unused::Finding;
use crate::values::user::merge_maps;
use std::sync::Arc;

/// Everything needed to render one release.
#[derive(Debug, Clone)]
pub struct ChartJob {
    pub release: String,
    pub namespace: String,
    pub source: ChartSource,
    pub version: Option<String>,
    /// The chart as the stack wrote it, for messages and the lock file when
    /// the chart is a local path (which differs with the current folder).
    pub display: String,
    /// User values, already merged in the order Helm would merge them.
    pub values: Map,
    /// Where those values were written, in merge order.
    pub inputs: Vec<ValueInput>,
}

/// What was rendered, and what was resolved (for the lock file).
#[derive(Debug)]
pub struct ChartOutput {
    /// Documents, each `---\n# Source: RELEASE/PATH\n…`.
    pub text: String,
    pub reference: String,
    /// Where the bytes came from, when not `reference` (the lock's `from:`).
    pub origin: Option<String>,
    pub version: String,
    pub digest: Option<String>,
    pub warnings: Vec<String>,
    /// User values no template read.
    pub unused: Vec<Finding>,
    /// The render's engine and chart, freed when dropped.
    pub leftovers: Leftovers,
}

/// Renders one chart release through the release pipeline (the one
/// `chartfix template` uses: missing dependencies fetched, the release name
/// checked); its templates may write `max_output` bytes in all.
pub fn render_chart(
    resolver: &Resolver,
    job: &ChartJob,
    max_output: usize,
    parses: &Arc<SharedParses>,
) -> Result<ChartOutput, StackError> {
    let what =
        |e: &dyn std::fmt::Display| StackError::Stack(format!("release {}: {e}", job.release));
    let request = Request {
        source: job.source.clone(),
        version: job.version.clone(),
        values: job.values.clone(),
        options: RenderOptions {
            release_name: job.release.clone(),
            namespace: job.namespace.clone(),
            max_output_bytes: max_output,
            track_reads: true,
            shared_parses: Some(parses.clone()),
            ..RenderOptions::default()
        },
    };
    let mut warnings = Vec::new();
    let release = release::render(request, &Sources::ready(resolver), &mut |w| {
        warnings.push(w.text().to_string())
    })
    .map_err(|source| StackError::Release {
        release: job.release.clone(),
        source,
    })?;
    // A release is what `helm install` applies: test hooks only run under
    // `helm test`, which neither k3s nor a stack does.
    let out_opts = OutputOptions {
        skip_tests: true,
        ..OutputOptions::default()
    };
    let text = stream(&release.rendered, &out_opts).map_err(|e| what(&e))?;
    Ok(ChartOutput {
        text: prefix_sources(&text, &job.release),
        reference: release.reference,
        origin: release.origin,
        version: release.version,
        digest: release.digest,
        warnings,
        unused: release
            .unused
            .iter()
            .map(|u| Finding::new(&job.release, u, &job.inputs))
            .collect(),
        leftovers: release.rendered.leftovers,
    })
}

/// Prefixes each `# Source: PATH` that opens a document with `RELEASE/`.
pub fn prefix_sources(text: &str, release: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut after_marker = true;
    for line in text.split_inclusive('\n') {
        if after_marker {
            if let Some(rest) = line.strip_prefix("# Source: ") {
                out.push_str("# Source: ");
                out.push_str(release);
                out.push('/');
                out.push_str(rest);
                after_marker = false;
                continue;
            }
        }
        after_marker = line.trim_end() == "---";
        out.push_str(line);
    }
    out
}

/// Merges a YAML values document (a values file, inline values, a HelmChart's
/// `valuesContent`) into `base`, later documents winning.
pub fn merge_yaml_values(base: &Map, text: &str, origin: &str) -> Result<(), String> {
    match crate::yaml::from_str(text).map_err(|e| format!("{origin}: invalid values: {e}"))? {
        Value::Map(m, _) => {
            merge_maps(base, &m);
            Ok(())
        }
        Value::Nil => Ok(()),
        _ => Err(format!(
            "{origin}: values must be a mapping (key: value), not a list or a scalar"
        )),
    }
}

/// Applies `KEY=VALUE` as `--set` would (`typed`) or as `--set-string`.
pub fn set_value(base: &Map, key: &str, value: &str, typed: bool) -> Result<(), String> {
    let mode = if typed { Mode::Typed } else { Mode::Strings };
    parse_into(&format!("{key}={value}"), base, mode)
        .map_err(|e| format!("cannot set {key}={value}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_get_the_release_in_front() {
        let s = "---\n# Source: redis/templates/a.yaml\nkind: A\n# Source: not-a-head\n---\n# Source: redis/templates/b.yaml\nkind: B\n";
        assert_eq!(
            prefix_sources(s, "cache"),
            "---\n# Source: cache/redis/templates/a.yaml\nkind: A\n# Source: not-a-head\n---\n# Source: cache/redis/templates/b.yaml\nkind: B\n"
        );
    }

    #[test]
    fn values_merge_and_set() {
        let m = Map::new();
        merge_yaml_values(&m, "a: {b: 1, c: 2}", "x").unwrap();
        merge_yaml_values(&m, "a: {b: 3}", "y").unwrap();
        set_value(&m, "a.d", "true", true).unwrap();
        let v = Value::map(m);
        let json = v.to_json();
        assert_eq!(json, serde_json::json!({"a": {"b": 3, "c": 2, "d": true}}));
        assert!(merge_yaml_values(&Map::new(), "- 1", "z").is_err());
    }
}
