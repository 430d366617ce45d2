//! Reading a manifest stream into the resources it declares, with the
//! manifest reader.

use crate::manifest::{ReadError as StreamError, Reader, ResourceId};
use serde_json::Value;
use std::fmt;

/// One resource of a stream.
#[derive(Debug, Clone)]
pub struct Resource {
    pub id: ResourceId,
    /// The document as data, keys in the author's order.
    pub value: Value,
}

/// A stream that cannot be read: which side, where, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    pub label: String,
    /// 1-based line of the stream where the failing document starts.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.label, self.message)
    }
}

impl std::error::Error for ReadError {}

/// Reads every resource of a stream. Blank documents and documents that are
/// not resources (no `kind`, e.g. a stray `null`) are skipped, since nothing
/// would be applied for them. `kind: *List` documents are opened into their
/// items, as `kubectl apply` does, so items match one by one.
pub fn read_stream(text: &str, label: &str) -> Result<Vec<Resource>, ReadError> {
    let mut out = Vec::new();
    for doc in Reader::new(text.as_bytes()) {
        let doc = doc.map_err(|e| match e {
            // Reading from a byte slice cannot fail, but a message beats a panic.
            StreamError::Io(e) => error(label, 0, e.to_string()),
            // Said as everywhere else: the document's number, then the
            // line and column in the whole stream.
            StreamError::Document(e) => error(label, e.first_line, e.to_string()),
        })?;
        for value in doc.into_objects() {
            if let Some(id) = ResourceId::of(&value) {
                out.push(Resource { id, value });
            }
        }
    }
    Ok(out)
}

fn error(label: &str, line: usize, message: String) -> ReadError {
    ReadError {
        label: label.to_string(),
        line,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_resources_and_skips_the_rest() {
        let text = "# Source: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\nnull\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s, namespace: ns}\n";
        let got = read_stream(text, "old").unwrap();
        let names: Vec<String> = got.iter().map(|r| r.id.to_string()).collect();
        assert_eq!(names, ["ConfigMap a", "Secret ns/s"]);
    }

    #[test]
    fn bad_yaml_names_side_and_line() {
        let text = "apiVersion: v1\nkind: A\n---\na: [\n";
        let err = read_stream(text, "new.yaml").unwrap_err();
        assert_eq!(err.label, "new.yaml");
        assert_eq!(err.line, 3);
        assert!(
            err.to_string()
                .starts_with("new.yaml: document 2, line 5 column 1: "),
            "{err}"
        );
    }
}
