//! YAML the way Helm reads it (YAML 1.1 booleans, every number a float64) and the
//! way go-yaml writes it (`toYaml`).
//!
//! The public functions here are the contract the rest of the crate uses. Their
//! first bodies lean on serde_yaml and are replaced by a reader and an emitter
//! with Helm's exact semantics.

use crate::engine::value::Value;
use std::fmt;

/// A YAML error with its position (1-based line and column, 0 when unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "yaml: line {}: {}", self.line, self.message)
        } else {
            write!(f, "yaml: {}", self.message)
        }
    }
}

impl std::error::Error for YamlError {}

/// Reads one YAML document as Helm reads values files and `fromYaml` input
/// (sigs.k8s.io/yaml: YAML 1.1 scalars, converted through JSON, so every
/// number is a float64 and every map key a string). An empty document is `Nil`.
pub fn from_str(src: &str) -> Result<Value, YamlError> {
    let v: serde_json::Value = serde_yaml::from_str(src).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        YamlError {
            line,
            column,
            message: e.to_string(),
        }
    })?;
    Ok(Value::from_json(&v))
}

/// Writes a value as Helm's `toYaml` does (go-yaml v2 through sigs.k8s.io/yaml),
/// with the final newline that go-yaml adds (`toYaml` itself trims it).
pub fn to_string(v: &Value) -> String {
    serde_yaml::to_string(&v.to_json()).unwrap_or_default()
}

/// Writes JSON data in go-yaml's style, keeping the map order it has (for
/// manifests rewritten by overlays, where the author's order must survive).
pub fn emit_json(v: &serde_json::Value) -> String {
    serde_yaml::to_string(v).unwrap_or_default()
}
