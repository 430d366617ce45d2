//! Reads YAML the way Helm does: go-yaml v2 decodes into `interface{}` (YAML
//! 1.1 scalars, anchors, `<<` merges), then sigs.k8s.io/yaml turns map keys
//! into strings and goes through JSON, so every number becomes a float64.
//! What is built is up to a [`Tree`]: template values (with or without that
//! last float64 step) or ordered JSON data.
//!
//! Errors come in go-yaml's order: the parse of the whole document first, then
//! decoding (merges, map keys, aliasing), then the JSON conversion.

use super::events::{Event, Events, Mark, ParseError, Parser, Replay};
use super::resolve::{float_key, is_timestamp, resolve_plain, Resolved};
use super::trees::Tree;
use super::{ErrorKind, YamlError};
use crate::strconv::format_float_g;
use std::collections::HashMap;

/// Nesting deeper than this is refused (values files are nowhere near).
pub(crate) const MAX_DEPTH: usize = 1000;
/// However aliases multiply a document, no more nodes than this are accepted.
const MAX_EXPANDED_NODES: u64 = 10_000_000;
/// The most nodes (scalars, lists and maps, counted again at each use of an
/// alias) one read builds, over all its documents. Every reader's tree costs
/// 150 to 220 bytes a node (values, manifests, yaml_serde's events), so this
/// keeps a parse near 400 MB; a 15 MB `index.yaml` like Bitnami's holds about
/// 750 000.
pub const MAX_NODES: u64 = 2_000_000;

/// The error for a text of more than [`MAX_NODES`] nodes, at `mark`.
pub(super) fn too_many_nodes(mark: Mark) -> YamlError {
    YamlError::decode(format!(
        "document too large: more than {MAX_NODES} nodes (scalars, lists and maps, aliases counted where used), chartfix's limit"
    ))
    .at(mark)
}

const TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Reads the documents of `src`; only the first when `first_only` (go-yaml's
/// `Unmarshal` ignores the rest). An empty stream reads as one `Nil`. Errors
/// are worded and placed as go-yaml words and places them.
pub(crate) fn read<T: Tree>(
    src: &str,
    tree: &T,
    first_only: bool,
) -> Result<Vec<T::Node>, YamlError> {
    read_limited(src, tree, first_only, MAX_DEPTH).map_err(Failure::into_go)
}

/// Why reading failed, before a caller words it.
#[derive(Debug)]
pub(crate) enum Failure {
    /// libyaml refused the text.
    Parse(ParseError),
    /// A limit was reached: nesting, or aliases expanding too far.
    Limit(YamlError),
    /// go-yaml's decoder or sigs.k8s.io/yaml's conversion refused the data.
    Decode(YamlError),
}

impl Failure {
    /// As go-yaml words it (see [`syntax_error`]).
    fn into_go(self) -> YamlError {
        match self {
            Failure::Parse(e) => syntax_error(e),
            Failure::Limit(e) | Failure::Decode(e) => e,
        }
    }
}

/// [`read`] with collections nested at most `max_depth` deep, and the
/// failure as it is.
pub(crate) fn read_limited<T: Tree>(
    src: &str,
    tree: &T,
    first_only: bool,
    max_depth: usize,
) -> Result<Vec<T::Node>, Failure> {
    // The fast scanner's events give the same result as libyaml's; any
    // failure is reported from libyaml's, which know the exact positions.
    if let Some(events) = super::fast::scan(src) {
        let mut replay = Replay(events.into_iter());
        if let Ok(docs) = read_events(&mut replay, tree, first_only, max_depth) {
            return Ok(docs);
        }
    }
    read_events(&mut Parser::new(src), tree, first_only, max_depth)
}

fn read_events<T: Tree>(
    parser: &mut impl Events,
    tree: &T,
    first_only: bool,
    max_depth: usize,
) -> Result<Vec<T::Node>, Failure> {
    let mut docs = Vec::new();
    // Nodes of the documents before, which count against one bound.
    let mut before = 0;
    loop {
        let (event, mark) = parser.next().map_err(Failure::Parse)?;
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart => {
                let mut b = Builder::new(tree, max_depth);
                b.before = before;
                let value = b.document(parser)?;
                before = before.saturating_add(b.expanded_nodes);
                docs.push(value);
                if first_only {
                    break;
                }
            }
            _ => {
                return Err(Failure::Decode(YamlError::syntax(
                    mark,
                    "did not find expected <document start>",
                )));
            }
        }
    }
    if docs.is_empty() {
        docs.push(T::null());
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
struct Done<N> {
    value: N,
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

enum Frame<N, B> {
    Seq {
        items: Vec<N>,
        anchor: Option<String>,
        nodes: u64,
        aliases: u64,
    },
    Map {
        map: B,
        pending: Option<Pending>,
        anchor: Option<String>,
        nodes: u64,
        aliases: u64,
    },
}

struct Builder<'t, T: Tree> {
    tree: &'t T,
    max_depth: usize,
    stack: Vec<Frame<T::Node, T::MapBuf>>,
    anchors: HashMap<String, Done<T::Node>>,
    expanded_nodes: u64,
    expanded_aliases: u64,
    /// Nodes of the documents read before this one (see [`MAX_NODES`]).
    before: u64,
    /// The first decoding error (go-yaml's decoder runs after the parse).
    decode_error: Option<YamlError>,
    /// The first JSON-conversion error (sigs.k8s.io/yaml runs after decoding).
    convert_error: Option<YamlError>,
    /// The first NaN or infinity read; checked once the tree is complete.
    non_finite: Option<f64>,
    /// Where the event being handled starts, for error positions.
    here: Mark,
}

impl<'t, T: Tree> Builder<'t, T> {
    fn new(tree: &'t T, max_depth: usize) -> Self {
        Builder {
            tree,
            max_depth,
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded_nodes: 0,
            expanded_aliases: 0,
            before: 0,
            decode_error: None,
            convert_error: None,
            non_finite: None,
            here: Mark::default(),
        }
    }

    /// Reads one document's events up to its end.
    fn document(&mut self, parser: &mut impl Events) -> Result<T::Node, Failure> {
        let mut root: Option<T::Node> = None;
        loop {
            let (event, mark) = parser.next().map_err(Failure::Parse)?;
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
                            map: T::MapBuf::default(),
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
            self.check_size()?;
            if self.stack.is_empty() {
                root = Some(done.value);
            } else {
                self.add(done);
            }
        }
        if let Some(e) = self.decode_error.take() {
            return Err(Failure::Decode(e));
        }
        if let Some(e) = self.convert_error.take() {
            return Err(Failure::Decode(e));
        }
        let root = root.unwrap_or_else(T::null);
        if let Some(first) = self.non_finite {
            if let Some(bad) = self.tree.non_finite(&root, first) {
                return Err(Failure::Decode(YamlError::convert(format!(
                    "json: unsupported value: {}",
                    format_float_g(bad)
                ))));
            }
        }
        Ok(root)
    }

    /// Refuses a read past [`MAX_NODES`] as it gets there, before the tree
    /// grows any further.
    fn check_size(&self) -> Result<(), Failure> {
        if self.before.saturating_add(self.expanded_nodes) > MAX_NODES {
            return Err(Failure::Limit(too_many_nodes(self.here)));
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame<T::Node, T::MapBuf>, mark: Mark) -> Result<(), Failure> {
        if self.stack.len() >= self.max_depth {
            return Err(Failure::Limit(YamlError::syntax(
                Mark {
                    line: mark.line + 1,
                    column: mark.column,
                },
                &format!("exceeded max depth of {}", self.max_depth),
            )));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn decode_fail(&mut self, message: String) {
        if self.decode_error.is_none() {
            self.decode_error = Some(YamlError::decode(message).at(self.here));
        }
    }

    fn alias(&mut self, name: &str) -> Result<Done<T::Node>, Failure> {
        let open = self.stack.iter().any(|f| match f {
            Frame::Seq { anchor, .. } | Frame::Map { anchor, .. } => {
                anchor.as_deref() == Some(name)
            }
        });
        if open {
            self.decode_fail(format!("anchor '{name}' value contains itself"));
            return Ok(nil_done(T::null()));
        }
        let Some((nodes, aliases)) = self.anchors.get(name).map(|t| (t.nodes, t.aliases)) else {
            // go-yaml fails while parsing, before anything else is looked at.
            let e = YamlError::decode(format!("unknown anchor '{name}' referenced"));
            return Err(Failure::Decode(e.at(self.here)));
        };
        self.expanded_nodes = self.expanded_nodes.saturating_add(nodes);
        self.expanded_aliases = self
            .expanded_aliases
            .saturating_add(aliases.saturating_add(1));
        // Past the node bound through aliases is an alias bomb too; refused
        // before the copy is made, which for JSON data is a deep one.
        if self.excessive_aliasing() || self.check_size().is_err() {
            let e = YamlError::decode("document contains excessive aliasing".into());
            return Err(Failure::Limit(e.at(self.here)));
        }
        let target = self.anchors[name].clone();
        Ok(Done {
            aliases: target.aliases + 1,
            ..target
        })
    }

    fn excessive_aliasing(&self) -> bool {
        excessive_aliasing(self.expanded_nodes, self.expanded_aliases)
    }

    fn scalar(
        &mut self,
        mut text: String,
        tag: Option<&str>,
        plain: bool,
        implicit: bool,
        want: Want,
    ) -> Done<T::Node> {
        self.expanded_nodes += 1;
        let done = |value: T::Node, key: KeyForm| Done {
            value,
            key,
            nodes: 1,
            aliases: 0,
        };
        // The merge key: a plain `<<`, or one tagged !!merge.
        if text == "<<" && (implicit || tag == Some("tag:yaml.org,2002:merge")) {
            return done(T::string("<<".into()), KeyForm::Merge);
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
                            done(T::string(s.clone()), KeyForm::Str(s))
                        }
                        Err(_) => {
                            self.decode_fail("!!binary value contains invalid base64 data".into());
                            nil_done(T::null())
                        }
                    };
                }
                Some(short @ ("bool" | "int" | "float" | "null" | "timestamp")) => {
                    match self.tagged(&text, short) {
                        Some(r) => r,
                        None => return nil_done(T::null()),
                    }
                }
                // Unknown tags leave the text as it is.
                _ => Resolved::Str,
            },
        };
        if let Resolved::Float(f) = resolved {
            if !f.is_finite() && self.non_finite.is_none() {
                self.non_finite = Some(f);
            }
        }
        let key = if want.key {
            Some(match resolved {
                // A key alone (no anchor) takes the text without a copy.
                Resolved::Str if !want.value => KeyForm::Str(std::mem::take(&mut text)),
                Resolved::Str => KeyForm::Str(text.clone()),
                other => key_form(&other, &text),
            })
        } else {
            None
        };
        let value = if !want.value {
            T::null()
        } else if tag.is_none() && plain {
            self.tree.plain(resolved, text)
        } else {
            self.tree.scalar(resolved, text)
        };
        done(value, key.unwrap_or(KeyForm::Unused))
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

    fn finish(&mut self, frame: Frame<T::Node, T::MapBuf>) -> Done<T::Node> {
        let (value, anchor, nodes, aliases, key) = match frame {
            Frame::Seq {
                items,
                anchor,
                nodes,
                aliases,
            } => (T::list(items), anchor, nodes, aliases, KeyForm::Collection),
            Frame::Map {
                map,
                anchor,
                nodes,
                aliases,
                ..
            } => (T::map(map), anchor, nodes, aliases, KeyForm::Collection),
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
    fn add(&mut self, done: Done<T::Node>) {
        let mut error: Option<String> = None;
        let mut convert: Option<String> = None;
        let mut merge: Option<T::Node> = None;
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
                                    Some(format!("invalid map key: {}", T::describe(&done.value)));
                                Pending::Skip
                            }
                        })
                    }
                    Some(Pending::Key(k)) => T::insert(map, k, done.value),
                    Some(Pending::Merge) => merge = Some(done.value),
                    Some(Pending::Unsupported(t, k)) => {
                        convert = Some(format!(
                            "unsupported map key of type: {t}, key: {k}, value: {}",
                            T::describe(&done.value)
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
    /// maps of a list taking precedence over later ones ([`Tree::merge`]).
    fn merge(&mut self, source: T::Node) {
        let maps: Vec<Vec<(String, T::Node)>> = if let Some(entries) = T::entries(&source) {
            vec![entries]
        } else if let Some(items) = T::items(&source) {
            let maps: Option<Vec<_>> = items.iter().map(T::entries).collect();
            match maps {
                Some(maps) => maps,
                None => {
                    self.decode_fail(
                        "map merge requires map or sequence of maps as the value".into(),
                    );
                    return;
                }
            }
        } else {
            self.decode_fail("map merge requires map or sequence of maps as the value".into());
            return;
        };
        if let Some(Frame::Map { map, .. }) = self.stack.last_mut() {
            T::merge(map, maps);
        }
    }
}

fn nil_done<N>(value: N) -> Done<N> {
    Done {
        value,
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

/// go-yaml v2's guard against alias bombs: too many alias expansions for the
/// nodes decoded (`decoded` counts every node once per expansion), with a
/// hard cap on the total.
pub(super) fn excessive_aliasing(decoded: u64, aliases: u64) -> bool {
    if decoded > MAX_EXPANDED_NODES {
        return true;
    }
    if aliases <= 100 || decoded <= 1000 {
        return false;
    }
    let allowed = if decoded <= 400_000 {
        0.99
    } else if decoded >= 4_000_000 {
        0.10
    } else {
        0.99 - 0.89 * ((decoded - 400_000) as f64 / 3_600_000.0)
    };
    aliases as f64 / decoded as f64 > allowed
}
