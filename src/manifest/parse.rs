//! Reading one document of a manifest stream into JSON data, once.

use serde_json::Value;
use std::fmt;

/// Why a document is not valid YAML, with its position inside the document
/// (1-based; the stream position is the caller's to add).
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parses one document (its text may open with its `---` marker) into JSON
/// data in its key order. Merge keys (`<<`) are resolved as Kubernetes' YAML
/// reader resolves them, so that a re-emitted document means the same thing.
pub fn parse_document(text: &str) -> Result<Value, ParseError> {
    // The merge-key path builds a second tree; only documents that may use
    // merge keys pay for it.
    if text.contains("<<") {
        let mut v: serde_yaml::Value = serde_yaml::from_str(text).map_err(yaml_error)?;
        v.apply_merge().map_err(yaml_error)?;
        return serde_json::to_value(&v).map_err(|e| ParseError {
            line: 0,
            column: 0,
            message: format!("not representable as JSON: {e}"),
        });
    }
    serde_yaml::from_str(text).map_err(yaml_error)
}

fn yaml_error(e: serde_yaml::Error) -> ParseError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    // serde_yaml appends " at line L column C"; the caller reports positions
    // relative to the whole stream, so drop the document-relative one.
    let mut message = e.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    ParseError {
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_in_order() {
        let v = parse_document("---\nb: 1\na: [x, 2]\n").unwrap();
        assert_eq!(v, json!({"b": 1, "a": ["x", 2]}));
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
    }

    #[test]
    fn resolves_merge_keys() {
        let v = parse_document("p: &p {a: 1, b: 2}\nq:\n  <<: *p\n  b: 3\n").unwrap();
        assert_eq!(v["q"], json!({"a": 1, "b": 3}));
    }

    #[test]
    fn reports_positions() {
        let e = parse_document("a: 1\nb: [\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = parse_document("a: 1\n  b: 2\n").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
        assert!(!e.message.contains(" at line "));
    }
}
