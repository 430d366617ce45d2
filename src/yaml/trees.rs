//! What the reader builds: template values (sorted maps, Helm's number
//! model) or ordered JSON data (for manifests that must keep their key order).
//! The reader's logic (anchors, merges, keys, limits) is shared; only how
//! nodes are made differs.

use super::resolve::Resolved;
use crate::strconv::format_float_g;
use crate::value::{Map, Value};
use std::collections::BTreeMap;

/// A kind of tree the reader can build.
pub(crate) trait Tree {
    type Node: Clone;
    /// A map under construction; inserting an existing key replaces its value.
    type MapBuf: Default;

    fn null() -> Self::Node;
    fn string(s: String) -> Self::Node;
    /// A resolved plain (or tagged) scalar; `text` is its source text.
    fn scalar(&self, r: Resolved, text: String) -> Self::Node;
    /// An untagged plain scalar; only trees that keep how a value was
    /// written (`texts.rs`) tell it from [`Tree::scalar`].
    fn plain(&self, r: Resolved, text: String) -> Self::Node {
        self.scalar(r, text)
    }
    fn list(items: Vec<Self::Node>) -> Self::Node;
    fn map(buf: Self::MapBuf) -> Self::Node;
    fn insert(buf: &mut Self::MapBuf, key: String, value: Self::Node);
    /// A `<<` merge of `maps` (earlier ones take precedence) into the map
    /// being built: go-yaml v2 writes the merged keys over what the map
    /// holds so far; keys after the merge are inserted over them in turn.
    fn merge(buf: &mut Self::MapBuf, maps: Vec<Vec<(String, Self::Node)>>) {
        for entries in maps.into_iter().rev() {
            for (k, v) in entries {
                Self::insert(buf, k, v);
            }
        }
    }
    /// The entries of a map node (for `<<` merges); `None` for anything else.
    fn entries(node: &Self::Node) -> Option<Vec<(String, Self::Node)>>;
    /// The items of a list node; `None` for anything else.
    fn items(node: &Self::Node) -> Option<Vec<Self::Node>>;
    /// Roughly Go's `%#v`, for error messages.
    fn describe(node: &Self::Node) -> String;
    /// The NaN or infinity that makes sigs.k8s.io/yaml's JSON step fail, once
    /// the document is read (`first` is the first one read; it may have been
    /// overwritten since).
    fn non_finite(&self, root: &Self::Node, first: f64) -> Option<f64>;
}

/// How numbers become template values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Numbers {
    /// Through JSON: every number a float64 (values files, `fromYaml`).
    Json,
    /// Integers stay `Int`, floats `Float`.
    Typed,
}

/// Template values.
pub(crate) struct ValueTree(pub Numbers);

impl Tree for ValueTree {
    type Node = Value;
    type MapBuf = BTreeMap<String, Value>;

    fn null() -> Value {
        Value::Nil
    }

    fn string(s: String) -> Value {
        Value::from(s)
    }

    fn scalar(&self, r: Resolved, text: String) -> Value {
        match r {
            Resolved::Null => Value::Nil,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => match self.0 {
                Numbers::Json => Value::Float(i as f64),
                Numbers::Typed => Value::Int(i),
            },
            Resolved::Uint(u) => Value::Float(u as f64),
            Resolved::Float(f) => Value::Float(f),
            Resolved::Str => Value::from(text),
        }
    }

    fn list(items: Vec<Value>) -> Value {
        Value::list(items)
    }

    fn map(buf: BTreeMap<String, Value>) -> Value {
        Value::map(Map::from(buf))
    }

    fn insert(buf: &mut BTreeMap<String, Value>, key: String, value: Value) {
        buf.insert(key, value);
    }

    fn entries(node: &Value) -> Option<Vec<(String, Value)>> {
        node.as_map().map(Map::entries)
    }

    fn items(node: &Value) -> Option<Vec<Value>> {
        node.as_list().map(<[Value]>::to_vec)
    }

    fn describe(node: &Value) -> String {
        match node {
            Value::Nil => "<nil>".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) | Value::Int64(i) => i.to_string(),
            Value::Float(f) => format_float_g(*f),
            Value::String(s) => format!("{:?}", s.as_ref()),
            Value::List(items) => {
                let inner: Vec<String> = items.iter().map(Self::describe).collect();
                format!("[]interface {{}}{{{}}}", inner.join(", "))
            }
            Value::Map(m, _) => {
                let inner: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{:?}:{}", k, Self::describe(&v)))
                    .collect();
                format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
            }
            other => other.to_string(),
        }
    }

    fn non_finite(&self, root: &Value, _first: f64) -> Option<f64> {
        if self.0 == Numbers::Typed {
            return None;
        }
        let mut stack = vec![root.clone()];
        while let Some(v) = stack.pop() {
            match v {
                Value::Float(f) if !f.is_finite() => return Some(f),
                Value::List(items) => stack.extend(items.iter().cloned()),
                Value::Map(m, _) => stack.extend(m.values()),
                _ => {}
            }
        }
        None
    }
}

/// JSON data with the document's key order; integers stay integers.
///
/// A map with a `<<` merge means what go-yaml v2 makes of it (the merged
/// values over the keys before `<<`, the keys after it over the merged
/// values), in the order chartfix has always written such maps back (that of
/// yaml_serde's `apply_merge`, which read manifests before this reader): the
/// map's own keys, its last one moved to where `<<` stood, then the merged
/// keys it lacks.
#[derive(Default)]
pub(crate) struct JsonTree {
    /// Set when an untagged plain scalar was written in a form the emitter
    /// would not write its value in (`0755`, `on`, `~`, `1.0`, a date): only
    /// then does a rewrite need the document's texts (`texts.rs`).
    pub(crate) odd_plain: std::cell::Cell<bool>,
}

type JsonMap = serde_json::Map<String, serde_json::Value>;

/// A JSON map being read.
#[derive(Default)]
pub(crate) struct JsonMapBuf {
    /// The keys the map itself writes, in order (duplicates too: the last
    /// value wins, in the first place), until a `<<` needs them looked up;
    /// the map is then built once, at its size, not grown key by key.
    written: Vec<(String, serde_json::Value)>,
    /// The same as a map, once a `<<` needed it.
    own: Option<JsonMap>,
    /// Where the first `<<` stood among them, and the merged keys they lack.
    merged: Option<(usize, JsonMap)>,
}

impl Tree for JsonTree {
    type Node = serde_json::Value;
    type MapBuf = JsonMapBuf;

    fn null() -> serde_json::Value {
        serde_json::Value::Null
    }

    fn string(s: String) -> serde_json::Value {
        serde_json::Value::String(s)
    }

    fn scalar(&self, r: Resolved, text: String) -> serde_json::Value {
        use serde_json::Value as J;
        match r {
            Resolved::Null => J::Null,
            Resolved::Bool(b) => J::Bool(b),
            Resolved::Int(i) => J::from(i),
            Resolved::Uint(u) => J::from(u),
            // A NaN or infinity cannot be JSON; the reader reports it.
            Resolved::Float(f) => serde_json::Number::from_f64(f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Resolved::Str => J::String(text),
        }
    }

    fn plain(&self, r: Resolved, text: String) -> serde_json::Value {
        if !self.odd_plain.get() && !super::resolve::written_back_as_read(&r, &text) {
            self.odd_plain.set(true);
        }
        self.scalar(r, text)
    }

    fn list(items: Vec<serde_json::Value>) -> serde_json::Value {
        serde_json::Value::Array(items)
    }

    fn map(buf: JsonMapBuf) -> serde_json::Value {
        let own = match buf.own {
            Some(own) => own,
            None => buf.written.into_iter().collect(),
        };
        let Some((at, merged)) = buf.merged else {
            return serde_json::Value::Object(own);
        };
        let mut entries: Vec<(String, serde_json::Value)> = own.into_iter().collect();
        // yaml_serde removed `<<` with a swap: the last key takes its place.
        if at < entries.len() {
            let last = entries.pop().expect("not empty");
            entries.insert(at, last);
        }
        let mut out: JsonMap = entries.into_iter().collect();
        for (k, v) in merged {
            if !out.contains_key(&k) {
                out.insert(k, v);
            }
        }
        serde_json::Value::Object(out)
    }

    fn insert(buf: &mut JsonMapBuf, key: String, value: serde_json::Value) {
        match &mut buf.own {
            Some(own) => {
                own.insert(key, value);
            }
            None => buf.written.push((key, value)),
        }
    }

    fn merge(buf: &mut JsonMapBuf, maps: Vec<Vec<(String, serde_json::Value)>>) {
        let written = std::mem::take(&mut buf.written);
        let own = buf.own.get_or_insert_with(|| written.into_iter().collect());
        let at = own.len();
        let (_, merged) = buf.merged.get_or_insert_with(|| (at, JsonMap::new()));
        for entries in maps {
            for (k, v) in entries {
                // The first map that has a key decides it.
                if merged.contains_key(&k) {
                    continue;
                }
                if let Some(own) = own.get_mut(&k) {
                    // A key before `<<` takes the merged value, in its place.
                    *own = v.clone();
                }
                merged.insert(k, v);
            }
        }
    }

    fn entries(node: &serde_json::Value) -> Option<Vec<(String, serde_json::Value)>> {
        node.as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    fn items(node: &serde_json::Value) -> Option<Vec<serde_json::Value>> {
        node.as_array().cloned()
    }

    fn describe(node: &serde_json::Value) -> String {
        ValueTree::describe(&Value::from_json(node))
    }

    fn non_finite(&self, _: &serde_json::Value, first: f64) -> Option<f64> {
        // Never stored (JSON numbers cannot be), so any one read is an error.
        Some(first)
    }
}
