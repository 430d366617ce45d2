//! The manifest reader: every rendered manifest is read here, once, into a
//! [`Document`]: its bytes as they came (for byte-exact pass-through) and
//! what they say as Kubernetes reads them. Overlays, checks, diffs and stacks
//! all read manifests this way.
//!
//! ```text
//! bytes ─▶ Splitter ─▶ RawDoc (number, first line, bytes)
//!                        └─▶ parse ─▶ yaml::from_str_json ─▶ Document { raw, value }
//! ```
//!
//! The data is YAML 1.1 as go-yaml v2 reads it under sigs.k8s.io/yaml (the
//! reader Kubernetes and Helm use): plain `yes`, `on`, `0755` or `1_000` are
//! booleans and numbers, quoted they are strings; merge keys are resolved; map
//! keys are strings. It is `serde_json::Value` with the author's key order,
//! the form overlays edit (JSON pointers, jsonpath-rust) and write back with
//! `yaml::emit_json`, so there is no conversion on the way.

use super::identity::ResourceId;
use super::split::{is_marker, RawDoc, Splitter};
use serde_json::Value;
use std::fmt;
use std::io::{self, BufRead};

/// How deep a manifest's collections may nest. The reader refuses deeper
/// ones as it meets them, so no text costs more than its size to refuse.
/// 128, as for the typed files read with yaml_serde; Helm's step over
/// rendered templates allows 1000, which no Kubernetes object comes near.
pub const MAX_DEPTH: usize = 128;

/// Why a document's text could not be read: the problem with its 1-based
/// line and column inside the document (0 when unknown), libyaml's context
/// for a syntax error, and whether a limit was reached.
pub type ParseError = crate::yaml::ReadError;

/// One document of a manifest stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document's bytes, number and place in the stream, written back
    /// untouched when nothing changes it.
    pub raw: RawDoc,
    /// What it says, keys in the author's order; `Null` for a document of
    /// comments only.
    pub value: Value,
    /// Whether a plain scalar is written in a form its value would not be
    /// written in (`0755`, `on`): a rewrite then reads the texts to keep them
    /// ([`scalar_texts`]); otherwise writing the data alone gives the same.
    pub odd_plain: bool,
}

impl Document {
    /// Reads one document of a stream.
    pub fn read(raw: RawDoc) -> Result<Document, DocumentError> {
        let (value, odd_plain) = read_value(&raw)?;
        Ok(Document {
            raw,
            value,
            odd_plain,
        })
    }

    /// Who the document is, when it is a resource (it has a string `kind`).
    pub fn id(&self) -> Option<ResourceId> {
        ResourceId::of(&self.value)
    }

    /// The Kubernetes objects the document declares: itself when it is a
    /// mapping, or the mappings among its `items` when its kind is a `List`
    /// (`List`, `ConfigMapList`…), which `kubectl apply` opens the same way.
    pub fn objects(&self) -> impl Iterator<Item = &Value> {
        let items = list_items(&self.value);
        let own = match items {
            None if self.value.is_object() => Some(&self.value),
            _ => None,
        };
        own.into_iter()
            .chain(items.unwrap_or_default().iter().filter(|v| v.is_object()))
    }
}

impl Document {
    /// [`Document::objects`], owned.
    pub fn into_objects(self) -> impl Iterator<Item = Value> {
        let mut value = self.value;
        let objects = if list_items(&value).is_some() {
            match value.get_mut("items").map(Value::take) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            }
        } else if value.is_object() {
            vec![value]
        } else {
            Vec::new()
        };
        objects.into_iter().filter(Value::is_object)
    }
}

/// What a document's bytes say, and [`Document::odd_plain`]: [`Document::read`]
/// for a caller that keeps the [`RawDoc`] itself (and may read it on
/// another thread).
pub fn read_value(raw: &RawDoc) -> Result<(Value, bool), DocumentError> {
    if raw.is_blank() {
        return Ok((Value::Null, false));
    }
    match raw.text() {
        Ok(text) => parse_noting_texts(text),
        Err(e) => Err(not_utf8(&raw.bytes, e)),
    }
    .map_err(|error| DocumentError {
        number: raw.number,
        first_line: raw.first_line,
        source: raw.source().map(str::to_string),
        error,
    })
}

/// The items of a `List` kind, when `v` is one with a list of items.
fn list_items(v: &Value) -> Option<&[Value]> {
    let kind = v.get("kind")?.as_str()?;
    if !kind.ends_with("List") {
        return None;
    }
    v.get("items")?.as_array().map(Vec::as_slice)
}

/// Reads one document's text (it may open with its `---` marker line) into
/// data; positions in the error are inside this text, and what its message
/// quotes of a Secret is hidden ([`super::mask::mask_message`]).
pub fn parse(text: &str) -> Result<Value, ParseError> {
    parse_noting_texts(text).map(|(value, _)| value)
}

/// [`parse`], and whether a plain scalar's text differs from how its value
/// would be written ([`Document::odd_plain`]).
fn parse_noting_texts(text: &str) -> Result<(Value, bool), ParseError> {
    let (body, skipped) = body(text);
    let (mut docs, odd_plain) =
        crate::yaml::from_str_json_noting_texts(body, MAX_DEPTH).map_err(|mut e| {
            // The reader may quote a scalar, which in a Secret is a value.
            e.message = crate::yaml::with_hint(&super::mask::mask_message(text, &e.message));
            if e.line > 0 {
                e.line += skipped;
            }
            if let Some(context) = &mut e.context {
                context.line += skipped;
            }
            e
        })?;
    if docs.len() > 1 {
        return Err(ParseError {
            line: 0,
            column: 0,
            message: "deserializing from YAML containing more than one document is not supported"
                .into(),
            context: None,
            limit: false,
        });
    }
    Ok((docs.pop().unwrap_or(Value::Null), odd_plain))
}

/// The text to read, and how many lines were left out before it: the fast
/// scanner (yaml/fast.rs) leaves text with `---` lines to libyaml, so a
/// marker line that holds nothing else is left out, and counted back into the
/// positions of an error.
fn body(text: &str) -> (&str, usize) {
    match text.split_once('\n') {
        Some((first, rest)) if is_marker(first.as_bytes()) => {
            let after = first[3..].trim();
            if after.is_empty() || after.starts_with('#') {
                (rest, 1)
            } else {
                (text, 0)
            }
        }
        _ => (text, 0),
    }
}

/// How each plain scalar of a document's bytes was written, for writing a
/// rewritten document with the text of every value left alone
/// ([`crate::yaml::emit_json_kept`]); `None` when the bytes cannot be read.
pub fn scalar_texts(bytes: &[u8]) -> Option<crate::yaml::Texts> {
    let text = std::str::from_utf8(bytes).ok()?;
    crate::yaml::plain_texts(body(text).0, MAX_DEPTH)
}

fn not_utf8(bytes: &[u8], e: std::str::Utf8Error) -> ParseError {
    let line = bytes[..e.valid_up_to()]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    ParseError {
        line,
        column: 0,
        message: format!("not UTF-8: {e}"),
        context: None,
        limit: false,
    }
}

/// A document of a stream that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentError {
    /// The document's number, from 1 ([`RawDoc::number`]).
    pub number: usize,
    /// 1-based line of the stream where the document begins.
    pub first_line: usize,
    /// Its `# Source:` path, when Helm wrote one.
    pub source: Option<String>,
    /// What is wrong, placed inside the document.
    pub error: ParseError,
}

impl DocumentError {
    /// The 1-based line of the stream a document-relative line is on.
    pub fn stream_line(&self, line: usize) -> usize {
        self.first_line + line.saturating_sub(1)
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {}", self.number)?;
        if let Some(s) = &self.source {
            write!(f, " (# Source: {s})")?;
        }
        write!(
            f,
            ", line {} column {}: {}",
            self.stream_line(self.error.line),
            self.error.column,
            self.error.message
        )
    }
}

impl std::error::Error for DocumentError {}

/// Why a stream could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    Document(DocumentError),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "reading the manifests: {e}"),
            ReadError::Document(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads a stream document by document, holding only the one being read.
pub struct Reader<R> {
    splitter: Splitter<R>,
}

impl<R: BufRead> Reader<R> {
    pub fn new(input: R) -> Self {
        Reader {
            splitter: Splitter::new(input),
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<Document, ReadError>;
    fn next(&mut self) -> Option<Self::Item> {
        let raw = match self.splitter.next_doc() {
            Ok(Some(raw)) => raw,
            Ok(None) => return None,
            Err(e) => return Some(Err(ReadError::Io(e))),
        };
        Some(Document::read(raw).map_err(ReadError::Document))
    }
}

/// Every document of a stream, blank ones included (their value is `Null`).
pub fn read_stream(text: &str) -> Result<Vec<Document>, ReadError> {
    Reader::new(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_in_order() {
        let v = parse("---\nb: 1\na: [x, 2]\n").unwrap();
        assert_eq!(v, json!({"b": 1, "a": ["x", 2]}));
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(parse("").unwrap(), Value::Null);
        assert_eq!(parse("--- # c\n# only\n").unwrap(), Value::Null);
        assert_eq!(parse("--- {a: 1}\n").unwrap(), json!({"a": 1}));
    }

    // YAML 1.1, as Kubernetes reads manifests (go-yaml v2 through
    // sigs.k8s.io/yaml): what a re-emitted document must keep meaning.
    #[test]
    fn plain_octal_and_booleans_keep_their_yaml_1_1_meaning() {
        let text = "mode: 0755\nq: '0644'\nflag: yes\nlist:\n- off\ncount: 1_000\nname: no # c\nall: [on, On, n, Y]\n";
        assert_eq!(
            parse(text).unwrap(),
            json!({"mode": 493, "q": "0644", "flag": true, "list": [false], "count": 1000, "name": false,
                   "all": [true, true, false, true]})
        );
        let v =
            parse("mode: 0777\nneg: -0755\nbig: 1_000_000\nf: 1.5\ne: 1e3\nhex: 0x1F\n").unwrap();
        assert_eq!(v["mode"], json!(511));
        assert_eq!(v["neg"], json!(-493));
        assert_eq!(v["big"], json!(1_000_000));
        assert_eq!(v["f"], json!(1.5));
        assert_eq!(v["e"], json!(1000.0));
        assert_eq!(v["hex"], json!(31));
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let v = parse("a: \"yes\"\nb: '0755'\nc: \"1_000\"\nd: 'on'\n").unwrap();
        assert_eq!(v, json!({"a": "yes", "b": "0755", "c": "1_000", "d": "on"}));
        // A re-emitted document writes them back quoted, and the others plain.
        let v = parse("a: \"yes\"\nb: '0755'\nmode: 0755\nflag: on\n").unwrap();
        assert_eq!(
            crate::yaml::emit_json(&v),
            "a: \"yes\"\nb: \"0755\"\nmode: 493\nflag: true\n"
        );
    }

    #[test]
    fn keys_are_read_as_kubernetes_reads_them() {
        // sigs.k8s.io/yaml makes every key a string: a YAML 1.1 boolean key
        // is "true", a number its decimal text.
        let v = parse("on: 1\nn: 2\n0755: 3\nname: 4\n'y': 5\n").unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["true", "false", "493", "name", "y"]);
    }

    #[test]
    fn resolves_merge_keys() {
        let v = parse("p: &p {a: 1, b: 2}\nq:\n  <<: *p\n  b: 3\n").unwrap();
        assert_eq!(v["q"], json!({"a": 1, "b": 3}));
        // Values as go-yaml v2 gives them: a key before `<<` is merged over,
        // one after it wins; earlier maps of a list win.
        let v = parse("p: &p {a: 1, b: 2}\nr: &r {a: 5, c: 6}\nq: {a: 0, <<: [*p, *r], b: 3}\n")
            .unwrap();
        assert_eq!(v["q"], json!({"a": 1, "b": 3, "c": 6}));
        // The order chartfix has always written them in: own keys, the last
        // moved to where `<<` stood, then the merged keys they lack.
        let v = parse(
            "probe: &probe\n  httpGet: {path: /h}\n  periodSeconds: 3\n  failureThreshold: 3\nstartup:\n  <<: *probe\n  failureThreshold: 10\n  initialDelaySeconds: 10\n",
        )
        .unwrap();
        let keys: Vec<_> = v["startup"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "initialDelaySeconds",
                "failureThreshold",
                "httpGet",
                "periodSeconds"
            ]
        );
        assert_eq!(v["startup"]["failureThreshold"], json!(10));
        let v = parse("p: &p {x: 1}\nq: {a: 1, b: 2, <<: *p}\n").unwrap();
        let keys: Vec<_> = v["q"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["a", "b", "x"]);
    }

    #[test]
    fn reports_positions() {
        let e = parse("a: 1\nb: [\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = parse("a: 1\n  b: 2\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 4), "{e:?}");
        assert_eq!(e.message, "mapping values are not allowed in this context");
        // The marker line counts.
        let e = parse("---\na: 1\n  b: 2\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 4), "{e:?}");
        let e = parse("---\na: [b\n").unwrap_err();
        assert_eq!(e.message, "did not find expected ',' or ']'");
        assert_eq!((e.line, e.column), (3, 1), "{e:?}");
        let context = e.context.unwrap();
        assert_eq!(
            (context.what.as_str(), context.line, context.column),
            ("while parsing a flow sequence", 2, 4)
        );
        assert!(!e.limit);
    }

    #[test]
    fn refuses_deep_nesting_and_alias_bombs_quickly() {
        let text = format!("a:\n  b: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let start = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        assert_eq!((e.line, e.column), (2, 132), "{e:?}");
        assert_eq!(e.message, "exceeded max depth of 128");
        assert!(e.limit);
        // Block nesting too.
        let mut block = String::new();
        for i in 0..300 {
            block.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
        }
        let e = parse(&block).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (129, "exceeded max depth of 128")
        );
        // Brackets in quoted text are not nesting.
        let quoted = format!("a: '{}'\n", "[".repeat(1000));
        assert!(parse(&quoted).is_ok());
        let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..9u8 {
            let (me, prev) = ((b'a' + i) as char, (b'a' + i - 1) as char);
            let refs = vec![format!("*{prev}"); 9].join(", ");
            bomb.push_str(&format!("{me}: &{me} [{refs}]\n"));
        }
        let e = parse(&bomb).unwrap_err();
        assert_eq!(e.message, "document contains excessive aliasing");
        assert!(e.limit && e.line > 1, "{e:?}");
    }

    #[test]
    fn streams_keep_bytes_numbers_and_places() {
        let text = "# head\n---\n# Source: c/a.yaml\nkind: A\n---\n---\nkind: B\nitems: []\n";
        let docs = read_stream(text).unwrap();
        let joined: Vec<u8> = docs.iter().flat_map(|d| d.raw.bytes.clone()).collect();
        assert_eq!(joined, text.as_bytes());
        let numbers: Vec<_> = docs.iter().map(|d| d.raw.number).collect();
        assert_eq!(numbers, [0, 1, 2, 3]);
        assert_eq!(docs[1].id().unwrap().kind, "A");
        assert!(docs[2].value.is_null());
        let err = read_stream("a: 1\n---\n# Source: x\nb: [\n").unwrap_err();
        let ReadError::Document(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!((e.number, e.first_line), (2, 2));
        assert_eq!(e.stream_line(e.error.line), 5);
        assert_eq!(
            err.to_string(),
            "document 2 (# Source: x), line 5 column 1: did not find expected node content"
        );
        let e = read_stream("a: 1\n---\nb: \u{0}\n");
        assert!(e.is_err());
    }

    #[test]
    fn lists_open_into_their_objects() {
        let docs = read_stream(
            "kind: List\nitems:\n- {kind: A}\n- 3\n- {kind: B}\n---\nkind: C\n---\n- 1\n---\nkind: EmptyList\nitems: []\n",
        )
        .unwrap();
        let kinds: Vec<_> = docs
            .iter()
            .flat_map(Document::objects)
            .map(|v| v["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["A", "B", "C"]);
    }
}
