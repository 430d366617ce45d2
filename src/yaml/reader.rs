//! Reads YAML into template values the way Helm does: go-yaml v2 decodes into
//! `interface{}` (YAML 1.1 scalars, anchors, `<<` merges), then sigs.k8s.io/yaml
//! turns map keys into strings and goes through JSON, so every number becomes a
//! float64. `Numbers::Typed` skips only that last step (ints stay `Int`).
//!
//! Errors come in go-yaml's order: the parse of the whole document first, then
//! decoding (merges, map keys, aliasing), then the JSON conversion.

use super::events::{Event, Mark, ParseError, Parser};
use super::resolve::{float_key, is_timestamp, resolve_plain, Resolved};
use super::{ErrorKind, YamlError};
use crate::engine::value::{format_float_g, Map, Value};
use std::collections::BTreeMap;
use std::collections::HashMap;

/// Nesting deeper than this is refused (values files are nowhere near).
pub(crate) const MAX_DEPTH: usize = 1000;
/// However aliases multiply a document, no more nodes than this are accepted.
const MAX_EXPANDED_NODES: u64 = 10_000_000;

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Numbers {
    /// Through JSON: every number a float64 (values files, `fromYaml`).
    Json,
    /// Integers stay `Int`, floats `Float`.
    Typed,
}

/// Reads the documents of `src`; only the first when `first_only` (go-yaml's
/// `Unmarshal` ignores the rest). An empty stream reads as one `Nil`.
pub(crate) fn read(src: &str, numbers: Numbers, first_only: bool) -> Result<Vec<Value>, YamlError> {
    let mut parser = Parser::new(src);
    let mut docs = Vec::new();
    loop {
        let (event, mark) = parser.next().map_err(syntax_error)?;
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart => {
                let mut b = Builder::new(numbers);
                let value = b.document(&mut parser)?;
                docs.push(value);
                if first_only {
                    break;
                }
            }
            _ => {
                return Err(YamlError::syntax(
                    mark,
                    "did not find expected <document start>",
                ));
            }
        }
    }
    if docs.is_empty() {
        docs.push(Value::Nil);
    }
    Ok(docs)
}

/// go-yaml's `parser.fail`: a scanner error's line is counted from 1, a
/// parser error's is libyaml's 0-based line (a quirk Helm users see).
fn syntax_error(e: ParseError) -> YamlError {
    let (line, column) = if e.problem_mark.line != 0 {
        let line = if e.scanner {
            e.problem_mark.line + 1
        } else {
            e.problem_mark.line
        };
        (line, e.problem_mark.column + 1)
    } else if e.context_mark.line != 0 {
        (e.context_mark.line, e.context_mark.column + 1)
    } else {
        (0, 0)
    };
    YamlError {
        line,
        column,
        message: e.problem,
        kind: ErrorKind::Syntax,
    }
}

/// A finished node: its value, what it means as a map key, and how many nodes
/// and aliases it stands for once aliases are expanded.
#[derive(Clone)]
struct Done {
    value: Value,
    key: KeyForm,
    nodes: u64,
    aliases: u64,
}

#[derive(Clone)]
enum KeyForm {
    Str(String),
    /// sigs.k8s.io/yaml cannot make a JSON key of it: (Go type, `%#v` of it).
    Unsupported(&'static str, String),
    /// A list or map, which go-yaml refuses as a key.
    Collection,
    Merge,
    /// Not computed: the scalar was read in value position and has no anchor.
    Unused,
}

/// Which forms of a scalar the builder needs.
#[derive(Clone, Copy)]
struct Want {
    key: bool,
    value: bool,
}

enum Pending {
    Key(String),
    Merge,
    Unsupported(&'static str, String),
    /// Skip the value (an error was already recorded).
    Skip,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: Option<String>,
        nodes: u64,
        aliases: u64,
    },
    Map {
        map: BTreeMap<String, Value>,
        pending: Option<Pending>,
        anchor: Option<String>,
        nodes: u64,
        aliases: u64,
    },
}

struct Builder {
    numbers: Numbers,
    stack: Vec<Frame>,
    anchors: HashMap<String, Done>,
    expanded_nodes: u64,
    expanded_aliases: u64,
    /// The first decoding error (go-yaml's decoder runs after the parse).
    decode_error: Option<YamlError>,
    /// The first JSON-conversion error (sigs.k8s.io/yaml runs after decoding).
    convert_error: Option<YamlError>,
    /// A non-finite float was read; checked once the tree is complete.
    saw_non_finite: bool,
    /// Where the event being handled starts, for error positions.
    here: Mark,
}

impl Builder {
    fn new(numbers: Numbers) -> Builder {
        Builder {
            numbers,
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded_nodes: 0,
            expanded_aliases: 0,
            decode_error: None,
            convert_error: None,
            saw_non_finite: false,
            here: Mark::default(),
        }
    }

    /// Reads one document's events up to its end.
    fn document(&mut self, parser: &mut Parser) -> Result<Value, YamlError> {
        let mut root: Option<Value> = None;
        loop {
            let (event, mark) = parser.next().map_err(syntax_error)?;
            self.here = mark;
            let done = match event {
                Event::DocumentEnd | Event::StreamEnd => break,
                Event::StreamStart | Event::DocumentStart => continue,
                Event::Alias { anchor } => self.alias(&anchor)?,
                Event::Scalar {
                    anchor,
                    tag,
                    value,
                    plain,
                    implicit,
                } => {
                    // A key needs only its string form and a value only its
                    // value, unless an anchor may use it either way later.
                    let as_key =
                        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }));
                    let want = Want {
                        key: as_key || anchor.is_some(),
                        value: !as_key || anchor.is_some(),
                    };
                    let done = self.scalar(value, tag.as_deref(), plain, implicit, want);
                    if let Some(name) = anchor {
                        self.anchors.insert(name, done.clone());
                    }
                    done
                }
                Event::SequenceStart { anchor } => {
                    self.push(
                        Frame::Seq {
                            items: Vec::new(),
                            anchor,
                            nodes: 1,
                            aliases: 0,
                        },
                        mark,
                    )?;
                    continue;
                }
                Event::MappingStart { anchor } => {
                    self.push(
                        Frame::Map {
                            map: BTreeMap::new(),
                            pending: None,
                            anchor,
                            nodes: 1,
                            aliases: 0,
                        },
                        mark,
                    )?;
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                    Some(frame) => self.finish(frame),
                    None => continue,
                },
            };
            if self.stack.is_empty() {
                root = Some(done.value);
            } else {
                self.add(done);
            }
        }
        if let Some(e) = self.decode_error.take() {
            return Err(e);
        }
        if let Some(e) = self.convert_error.take() {
            return Err(e);
        }
        let root = root.unwrap_or(Value::Nil);
        if self.saw_non_finite && self.numbers == Numbers::Json {
            if let Some(bad) = find_non_finite(&root) {
                return Err(YamlError::convert(format!(
                    "json: unsupported value: {}",
                    format_float_g(bad)
                )));
            }
        }
        Ok(root)
    }

    fn push(&mut self, frame: Frame, mark: Mark) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::syntax(
                Mark {
                    line: mark.line + 1,
                    column: mark.column,
                },
                &format!("exceeded max depth of {MAX_DEPTH}"),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn decode_fail(&mut self, message: String) {
        if self.decode_error.is_none() {
            self.decode_error = Some(YamlError::decode(message).at(self.here));
        }
    }

    fn alias(&mut self, name: &str) -> Result<Done, YamlError> {
        let open = self.stack.iter().any(|f| match f {
            Frame::Seq { anchor, .. } | Frame::Map { anchor, .. } => {
                anchor.as_deref() == Some(name)
            }
        });
        if open {
            self.decode_fail(format!("anchor '{name}' value contains itself"));
            return Ok(nil_done());
        }
        let Some(target) = self.anchors.get(name).cloned() else {
            // go-yaml fails while parsing, before anything else is looked at.
            let e = YamlError::decode(format!("unknown anchor '{name}' referenced"));
            return Err(e.at(self.here));
        };
        self.expanded_nodes = self.expanded_nodes.saturating_add(target.nodes);
        self.expanded_aliases = self
            .expanded_aliases
            .saturating_add(target.aliases.saturating_add(1));
        if self.excessive_aliasing() {
            let e = YamlError::decode("document contains excessive aliasing".into());
            return Err(e.at(self.here));
        }
        Ok(Done {
            aliases: target.aliases + 1,
            ..target
        })
    }

    /// go-yaml v2's guard against alias bombs: too many alias expansions for
    /// the nodes decoded, with a hard cap on the total.
    fn excessive_aliasing(&self) -> bool {
        let decoded = self.expanded_nodes;
        if decoded > MAX_EXPANDED_NODES {
            return true;
        }
        if self.expanded_aliases <= 100 || decoded <= 1000 {
            return false;
        }
        let allowed = if decoded <= 400_000 {
            0.99
        } else if decoded >= 4_000_000 {
            0.10
        } else {
            0.99 - 0.89 * ((decoded - 400_000) as f64 / 3_600_000.0)
        };
        self.expanded_aliases as f64 / decoded as f64 > allowed
    }

    fn scalar(
        &mut self,
        text: String,
        tag: Option<&str>,
        plain: bool,
        implicit: bool,
        want: Want,
    ) -> Done {
        self.expanded_nodes += 1;
        let done = |value: Value, key: KeyForm| Done {
            value,
            key,
            nodes: 1,
            aliases: 0,
        };
        // The merge key: a plain `<<`, or one tagged !!merge.
        if text == "<<" && (implicit || tag == Some("tag:yaml.org,2002:merge")) {
            return done(Value::str("<<"), KeyForm::Merge);
        }
        let resolved = match tag {
            None if !plain => Resolved::Str,
            None => resolve_plain(&text),
            Some(t) => match t.strip_prefix(TAG_PREFIX) {
                Some("str") => Resolved::Str,
                Some("binary") => {
                    use base64::Engine;
                    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                    return match base64::engine::general_purpose::STANDARD.decode(compact) {
                        Ok(bytes) => {
                            let s = String::from_utf8_lossy(&bytes).into_owned();
                            done(Value::str(s.as_str()), KeyForm::Str(s))
                        }
                        Err(_) => {
                            self.decode_fail("!!binary value contains invalid base64 data".into());
                            nil_done()
                        }
                    };
                }
                Some(short @ ("bool" | "int" | "float" | "null" | "timestamp")) => {
                    match self.tagged(&text, short) {
                        Some(r) => r,
                        None => return nil_done(),
                    }
                }
                // Unknown tags leave the text as it is.
                _ => Resolved::Str,
            },
        };
        let value = if !want.value {
            Value::Nil
        } else {
            match resolved {
                Resolved::Null => Value::Nil,
                Resolved::Bool(b) => Value::Bool(b),
                Resolved::Int(i) => match self.numbers {
                    Numbers::Json => Value::Float(i as f64),
                    Numbers::Typed => Value::Int(i),
                },
                Resolved::Uint(u) => Value::Float(u as f64),
                Resolved::Float(f) => {
                    if !f.is_finite() {
                        self.saw_non_finite = true;
                    }
                    Value::Float(f)
                }
                Resolved::Str => Value::str(text.as_str()),
            }
        };
        let key = if want.key {
            match resolved {
                Resolved::Str => KeyForm::Str(text),
                other => key_form(&other, &text),
            }
        } else {
            KeyForm::Unused
        };
        done(value, key)
    }

    /// An explicitly tagged scalar: go-yaml resolves the text and fails when
    /// it is not of the tag's type (an int is accepted as a float).
    fn tagged(&mut self, text: &str, short: &str) -> Option<Resolved> {
        let r = resolve_plain(text);
        let ok = match (short, &r) {
            ("bool", Resolved::Bool(_)) => true,
            ("null", Resolved::Null) => true,
            ("int", Resolved::Int(_) | Resolved::Uint(_)) => true,
            ("float", Resolved::Float(_)) => true,
            ("float", Resolved::Int(i)) => return Some(Resolved::Float(*i as f64)),
            // go-yaml keeps timestamps as their text when decoding into interface{}.
            ("timestamp", _) if is_timestamp(text) => return Some(Resolved::Str),
            _ => false,
        };
        if ok {
            return Some(r);
        }
        let rtag = match r {
            Resolved::Null => "!!null",
            Resolved::Bool(_) => "!!bool",
            Resolved::Int(_) | Resolved::Uint(_) => "!!int",
            Resolved::Float(_) => "!!float",
            Resolved::Str => "!!str",
        };
        self.decode_fail(format!("cannot decode {rtag} `{text}` as a !!{short}"));
        None
    }

    fn finish(&mut self, frame: Frame) -> Done {
        let (value, anchor, nodes, aliases, key) = match frame {
            Frame::Seq {
                items,
                anchor,
                nodes,
                aliases,
            } => (
                Value::list(items),
                anchor,
                nodes,
                aliases,
                KeyForm::Collection,
            ),
            Frame::Map {
                map,
                anchor,
                nodes,
                aliases,
                ..
            } => (
                Value::map(Map::from(map)),
                anchor,
                nodes,
                aliases,
                KeyForm::Collection,
            ),
        };
        self.expanded_nodes += 1;
        let done = Done {
            value,
            key,
            nodes,
            aliases,
        };
        if let Some(name) = anchor {
            self.anchors.insert(name, done.clone());
        }
        done
    }

    /// Adds a finished node to the collection being built.
    fn add(&mut self, done: Done) {
        let mut error: Option<String> = None;
        let mut convert: Option<String> = None;
        let mut merge: Option<Value> = None;
        match self.stack.last_mut() {
            None => {}
            Some(Frame::Seq {
                items,
                nodes,
                aliases,
                ..
            }) => {
                *nodes += done.nodes;
                *aliases += done.aliases;
                items.push(done.value);
            }
            Some(Frame::Map {
                map,
                pending,
                nodes,
                aliases,
                ..
            }) => {
                *nodes += done.nodes;
                *aliases += done.aliases;
                match pending.take() {
                    None => {
                        *pending = Some(match done.key {
                            KeyForm::Str(s) => Pending::Key(s),
                            KeyForm::Merge => Pending::Merge,
                            KeyForm::Unsupported(t, k) => Pending::Unsupported(t, k),
                            KeyForm::Unused => Pending::Skip,
                            KeyForm::Collection => {
                                error =
                                    Some(format!("invalid map key: {}", go_sharp_v(&done.value)));
                                Pending::Skip
                            }
                        })
                    }
                    Some(Pending::Key(k)) => {
                        map.insert(k, done.value);
                    }
                    Some(Pending::Merge) => merge = Some(done.value),
                    Some(Pending::Unsupported(t, k)) => {
                        convert = Some(format!(
                            "unsupported map key of type: {t}, key: {k}, value: {}",
                            go_sharp_v(&done.value)
                        ));
                    }
                    Some(Pending::Skip) => {}
                }
            }
        }
        if let Some(e) = error {
            self.decode_fail(e);
        }
        if let Some(c) = convert {
            if self.convert_error.is_none() {
                self.convert_error = Some(YamlError::convert(c).at(self.here));
            }
        }
        if let Some(source) = merge {
            self.merge(source);
        }
    }

    /// `<<: *a` or `<<: [*a, *b]`: go-yaml v2 writes the merged keys over
    /// what the map holds so far (keys after the merge still win), earlier
    /// maps of a list taking precedence over later ones.
    fn merge(&mut self, source: Value) {
        let maps: Vec<Value> = match &source {
            Value::Map(_) => vec![source.clone()],
            Value::List(items) if items.iter().all(|v| matches!(v, Value::Map(_))) => {
                items.iter().rev().cloned().collect()
            }
            _ => {
                self.decode_fail("map merge requires map or sequence of maps as the value".into());
                return;
            }
        };
        if let Some(Frame::Map { map, .. }) = self.stack.last_mut() {
            for m in maps {
                if let Value::Map(m) = m {
                    for (k, v) in m.iter() {
                        map.insert(k, v);
                    }
                }
            }
        }
    }
}

fn nil_done() -> Done {
    Done {
        value: Value::Nil,
        key: KeyForm::Unsupported("%!s(<nil>)", "<nil>".into()),
        nodes: 1,
        aliases: 0,
    }
}

/// What a resolved scalar becomes as a JSON object key (sigs.k8s.io/yaml).
fn key_form(r: &Resolved, text: &str) -> KeyForm {
    match r {
        Resolved::Str => KeyForm::Str(text.to_string()),
        Resolved::Bool(b) => KeyForm::Str(b.to_string()),
        Resolved::Int(i) => KeyForm::Str(i.to_string()),
        Resolved::Float(f) => KeyForm::Str(float_key(*f)),
        Resolved::Null => KeyForm::Unsupported("%!s(<nil>)", "<nil>".into()),
        Resolved::Uint(u) => KeyForm::Unsupported("uint64", format!("0x{u:x}")),
    }
}

fn find_non_finite(v: &Value) -> Option<f64> {
    let mut stack = vec![v.clone()];
    while let Some(v) = stack.pop() {
        match v {
            Value::Float(f) if !f.is_finite() => return Some(f),
            Value::List(items) => stack.extend(items.iter().cloned()),
            Value::Map(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    None
}

/// Roughly Go's `%#v` of decoded YAML, for error messages.
fn go_sharp_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float_g(*f),
        Value::String(s) => format!("{:?}", s.as_ref()),
        Value::List(items) => go_sharp_v_list(items),
        Value::Map(m) => go_sharp_v_map(m),
        other => other.to_string(),
    }
}

fn go_sharp_v_list(items: &[Value]) -> String {
    let inner: Vec<String> = items.iter().map(go_sharp_v).collect();
    format!("[]interface {{}}{{{}}}", inner.join(", "))
}

fn go_sharp_v_map(m: &Map) -> String {
    let inner: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{:?}:{}", k, go_sharp_v(&v)))
        .collect();
    format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
}
