//! YAML the way Helm reads it (YAML 1.1 scalars, every number a float64) and
//! the way go-yaml writes it (`toYaml`), plus the other encodings templates use.
//!
//! - Reading: [`from_str`] (values files, `fromYaml`), [`from_str_all`],
//!   [`from_str_typed`] (integers kept), [`string_field`] (Chart.yaml string
//!   fields), [`from_str_json`] (ordered JSON data: the manifest reader,
//!   `crate::manifest`, is built on it). `events.rs` wraps libyaml's event
//!   parser (the only `unsafe`), `resolve.rs` holds go-yaml v2's scalar
//!   rules, `reader.rs` builds values with anchors, merges, and limits on
//!   depth and alias expansion.
//! - Writing: [`to_string`] (`toYaml`, go-yaml v2 through sigs.k8s.io/yaml),
//!   [`to_string_pretty`] (`toYamlPretty`, go-yaml v3), [`emit_json`] (JSON data
//!   in the same style, order kept). One emitter (`emitter.rs`) over the trees
//!   in `nodes.rs`.
//! - [`json`]: Go's `encoding/json` (`toJson`, `fromJson`); `base.rs`: Go's
//!   base64/base32 decoders. (TOML, whose dates are the engine's Go times,
//!   is the engine's: `engine/funcs/toml.rs`.)
//! - [`LocatedError`]: an error at `file:line:column` of an input read with
//!   yaml_serde (overlays, stack files).

pub(crate) mod base;
mod emitter;
mod events;
mod fast;
mod guard;
pub mod json;
mod located;
mod nodes;
pub mod places;
mod reader;
mod resolve;
mod texts;
mod trees;

use crate::value::Value;
pub(crate) use located::with_hint;
pub use located::{serde_place, LocatedError};
use std::fmt;
pub use texts::{emit_json_kept, plain_texts, Texts};

/// A YAML error with its position (1-based line and column, 0 when unknown).
/// `Display` gives go-yaml's text, which for syntax errors names go-yaml's
/// line (`yaml: line 3: …`) and for the other kinds none, though `line` and
/// `column` still say where the problem is.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub kind: ErrorKind,
}

/// Which stage of Helm's reading failed; it decides how the message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The YAML text itself (go-yaml's parser): `yaml: line 3: …`.
    Syntax,
    /// go-yaml's decoder (merges, map keys, anchors): `yaml: …`.
    Decode,
    /// sigs.k8s.io/yaml's conversion to JSON: the bare message.
    Convert,
}

impl YamlError {
    fn syntax(mark: events::Mark, message: &str) -> YamlError {
        YamlError {
            line: mark.line,
            column: mark.column + 1,
            message: message.to_string(),
            kind: ErrorKind::Syntax,
        }
    }

    fn decode(message: String) -> YamlError {
        YamlError {
            line: 0,
            column: 0,
            message,
            kind: ErrorKind::Decode,
        }
    }

    /// Records where the problem is, for tools; go-yaml's text for decoding
    /// and conversion errors names no line, so `Display` leaves it out.
    fn at(mut self, mark: events::Mark) -> YamlError {
        self.line = mark.line + 1;
        self.column = mark.column + 1;
        self
    }

    fn convert(message: String) -> YamlError {
        YamlError {
            line: 0,
            column: 0,
            message,
            kind: ErrorKind::Convert,
        }
    }

    /// The error as sigs.k8s.io/yaml's `Unmarshal` words it, which is what Helm
    /// prints after its own prefix (e.g. `failed to parse values.yaml: `):
    /// `error converting YAML to JSON: yaml: line 2: mapping values are not
    /// allowed in this context`.
    pub fn helm_message(&self) -> String {
        format!("error converting YAML to JSON: {self}")
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Syntax if self.line > 0 => {
                write!(f, "yaml: line {}: {}", self.line, self.message)
            }
            ErrorKind::Syntax | ErrorKind::Decode => write!(f, "yaml: {}", self.message),
            ErrorKind::Convert => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for YamlError {}

/// Reads one YAML document as Helm reads values files and `fromYaml` input
/// (sigs.k8s.io/yaml: YAML 1.1 scalars, converted through JSON, so every
/// number is a float64 and every map key a string). Only the first document
/// of a stream counts, as with go-yaml's `Unmarshal`; an empty one is `Nil`.
pub fn from_str(src: &str) -> Result<Value, YamlError> {
    let mut docs = reader::read(src, &trees::ValueTree(trees::Numbers::Json), true)?;
    Ok(docs.pop().unwrap_or(Value::Nil))
}

/// Whether the fast scanner for plain block YAML (`fast.rs`) reads `src` as
/// libyaml does: `Ok` when it gives up or gives libyaml's events, `Err` with
/// both otherwise. For tests and fuzzing.
#[doc(hidden)]
pub fn check_fast_scanner(src: &str) -> Result<(), String> {
    let Some(fast) = fast::scan(src) else {
        return Ok(());
    };
    let slow = events::all(src).map_err(|e| format!("took text libyaml refuses: {}", e.problem))?;
    let fast: Vec<_> = fast.into_iter().map(|(e, _)| e).collect();
    if fast == slow {
        Ok(())
    } else {
        Err(format!("fast {fast:?}\nlibyaml {slow:?}"))
    }
}

/// Reads every document of a stream, each as [`from_str`] reads one (empty
/// documents are `Nil`).
pub fn from_str_all(src: &str) -> Result<Vec<Value>, YamlError> {
    reader::read(src, &trees::ValueTree(trees::Numbers::Json), false)
}

/// Reads the first document like [`from_str`] but keeps integers as `Int`
/// (go-yaml's own typing, before the JSON round trip makes them float64).
pub fn from_str_typed(src: &str) -> Result<Value, YamlError> {
    let mut docs = reader::read(src, &trees::ValueTree(trees::Numbers::Typed), true)?;
    Ok(docs.pop().unwrap_or(Value::Nil))
}

/// How sigs.k8s.io/yaml fills a Go `string` field from a YAML scalar, as Helm
/// reads `Chart.yaml` (`version`, `appVersion`, `keywords`…): integers print
/// in decimal, floats with float32 precision (`appVersion: 1.10` reads as
/// `1.1`), booleans as `true`/`false`. Give it values read by
/// [`from_str_typed`] (so integers are still integers); `None` for nil, lists
/// and maps.
pub fn string_field(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string()),
        Value::Int(i) | Value::Int64(i) => Some(i.to_string()),
        Value::Float(f) => Some(resolve::format_g32(*f)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads every document of `src` as JSON data with the documents' own key
/// order (the manifest reader, `crate::manifest`, is built on it): YAML 1.1
/// scalars as Helm and Kubernetes read them (`on` is true, `0755` is 493),
/// integers kept as JSON integers, anchors and merges resolved, map keys made
/// strings as sigs.k8s.io/yaml makes them, collections nested at most
/// `max_depth` deep. A NaN or infinity is an error, as in Helm's JSON step.
/// Errors keep libyaml's own words and exact places ([`ReadError`]).
pub fn from_str_json(src: &str, max_depth: usize) -> Result<Vec<serde_json::Value>, ReadError> {
    from_str_json_noting_texts(src, max_depth).map(|(docs, _)| docs)
}

/// [`from_str_json`], and whether some plain scalar was written in a form
/// the emitter would not give its value (`0755`, `on`): only then does
/// writing the data back need [`plain_texts`] to keep what the author wrote.
pub fn from_str_json_noting_texts(
    src: &str,
    max_depth: usize,
) -> Result<(Vec<serde_json::Value>, bool), ReadError> {
    let tree = trees::JsonTree::default();
    let docs = reader::read_limited(src, &tree, false, max_depth).map_err(ReadError::from)?;
    Ok((docs, tree.odd_plain.get()))
}

/// Why [`from_str_json`] could not read a text: libyaml's words and exact
/// place, where [`YamlError`] words and places them as go-yaml does.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadError {
    /// 1-based line and column in the text read; 0 when unknown.
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// For a syntax error, what libyaml was reading when it failed.
    pub context: Option<Box<Context>>,
    /// A limit was reached (nesting, aliases), rather than a mistake made.
    pub limit: bool,
}

/// What libyaml was reading when it failed (`while parsing a flow
/// sequence`), and where that began (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub what: String,
    pub line: usize,
    pub column: usize,
}

impl From<reader::Failure> for ReadError {
    fn from(f: reader::Failure) -> ReadError {
        let (e, limit) = match f {
            reader::Failure::Parse(p) => {
                let place = |m: events::Mark| (m.line + 1, m.column + 1);
                let (line, column) = place(p.problem_mark);
                let context = p.context.map(|what| {
                    let (line, column) = place(p.context_mark);
                    Box::new(Context { what, line, column })
                });
                return ReadError {
                    line,
                    column,
                    message: p.problem,
                    context,
                    limit: false,
                };
            }
            reader::Failure::Limit(e) => (e, true),
            reader::Failure::Decode(e) => (e, false),
        };
        ReadError {
            line: e.line,
            column: e.column,
            message: e.message,
            context: None,
            limit,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

pub use reader::MAX_NODES;

/// How deep the readers built on yaml_serde nest (its recursion limit), which
/// [`check_limits`] enforces before they see the text (typed files: stacks,
/// overlays, `registries.yaml`, `index.yaml`).
pub const SERDE_MAX_DEPTH: usize = 128;

/// Refuses text nested deeper than `max` collections, whose aliases expand
/// past go-yaml's bounds (an alias bomb), or of more than [`MAX_NODES`]
/// nodes, before a reader that would take too long or too much memory over
/// it sees it: see [`guard`].
pub fn check_limits(text: &str, max: usize) -> Result<(), YamlError> {
    guard::check(text, max)
}

/// Refuses JSON text holding more than [`MAX_NODES`] values and keys before
/// serde_json reads it (`fromJson`, `--set-json`): see [`guard`].
pub fn check_json_size(text: &str) -> Result<(), String> {
    guard::check_json(text)
}

/// [`check_limits`] of bytes that should be UTF-8 (invalid bytes are the
/// reader's to report, after a look at the rest).
pub fn check_limits_bytes(bytes: &[u8], max: usize) -> Result<(), YamlError> {
    check_limits(&String::from_utf8_lossy(bytes), max)
}

/// Writes a value as Helm's `toYaml` does (go-yaml v2 through sigs.k8s.io/yaml),
/// with the final newline that go-yaml adds (`toYaml` itself trims it). Where
/// Helm's marshalling fails (NaN or infinite floats, characters YAML cannot
/// hold) this is the empty string, which is what `toYaml` then prints.
pub fn to_string(v: &Value) -> String {
    try_to_string(v).unwrap_or_default()
}

/// [`to_string`] with the reason marshalling failed (for `mustToYaml`).
pub fn try_to_string(v: &Value) -> Result<String, String> {
    emitter::emit(v, emitter::V2)
}

/// Writes a value as Helm's `toYamlPretty` does: go-yaml v3 with a two-space
/// indent, straight from the values (sequences indented under their key,
/// floats as Go prints them: 1000000 is `1e+06`, no folding of long lines).
pub fn to_string_pretty(v: &Value) -> String {
    emitter::emit(&nodes::V3(v.clone()), emitter::V3_PRETTY).unwrap_or_default()
}

/// Writes JSON data in go-yaml's style, keeping the map order it has (for
/// manifests rewritten by overlays, where the author's order must survive).
/// JSON integers stay integers.
pub fn emit_json(v: &serde_json::Value) -> String {
    emitter::emit(v, emitter::V2).unwrap_or_default()
}

#[cfg(test)]
mod tests;
