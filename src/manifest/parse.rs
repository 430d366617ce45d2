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
    crate::yaml::check_limits(text, crate::yaml::SERDE_MAX_DEPTH).map_err(|e| ParseError {
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    // The merge-key path builds a second tree; only documents that may use
    // merge keys pay for it.
    if text.contains("<<") {
        let mut v: yaml_serde::Value = yaml_serde::from_str(text).map_err(yaml_error)?;
        v.apply_merge().map_err(yaml_error)?;
        return serde_json::to_value(&v).map_err(|e| ParseError {
            line: 0,
            column: 0,
            message: format!("not representable as JSON: {e}"),
        });
    }
    yaml_serde::from_str(text).map_err(yaml_error)
}

fn yaml_error(e: yaml_serde::Error) -> ParseError {
    // The caller reports positions relative to the whole stream, so the
    // document-relative one yaml_serde writes into its message goes.
    let (line, column, mut message) = crate::yaml::serde_place(&e);
    // yaml_serde's words for the limits the guard did not see coming (block
    // nesting), said as the rest of chartfix says them.
    if message == "recursion limit exceeded" {
        message = format!("exceeded max depth of {}", crate::yaml::SERDE_MAX_DEPTH);
    } else if message == "repetition limit exceeded" {
        message = "document contains excessive aliasing".into();
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

    #[test]
    fn refuses_deep_nesting_quickly() {
        // 100 000 `[` took yaml_serde over a minute before its own limit applied.
        let text = format!("a:\n  b: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let start = std::time::Instant::now();
        let e = parse_document(&text).unwrap_err();
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        assert_eq!((e.line, e.column), (2, 132), "{e:?}");
        assert_eq!(e.message, "exceeded max depth of 128");
        // Brackets in quoted text are not nesting.
        let quoted = format!("a: '{}'\n", "[".repeat(1000));
        assert!(parse_document(&quoted).is_ok());
    }
}
