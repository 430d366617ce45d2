//! The value model templates compute with.
//!
//! It mirrors what Helm hands to Go's `text/template`: `map[string]interface{}`,
//! `[]interface{}`, `float64` for every number read from YAML or JSON, `int`/`int64`
//! for numbers made by functions (`len`, `int`, `add`), strings, booleans and nil.
//! Lists, maps and strings are reference counted, so passing `.Values` around or
//! returning a sub-tree from `index` never copies the tree.
//!
//! Maps are sorted by key: Go's `range`, `fmt` and `encoding/json`, and go-yaml all
//! visit map keys in sorted order, so keeping them sorted costs nothing extra.
//!
//! Maps are shared and mutable, as Go maps are: Sprig's `set`, `unset`, `merge`
//! and `mergeOverwrite` change the map in place, and charts rely on it
//! (`$_ := set $ctx "k" v` and then reading `$ctx`, or `set .Values …` seen by a
//! later template). So a [`Map`] has interior mutability, and cloning a
//! `Value::Map` shares the same map; `Map::clone` copies one level.

pub mod complex;
pub mod meter;
pub mod reads;

use crate::strconv::format_float_g;
use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Bumped by every [`SharedWrites::watch`]; maps remember the epoch they were
/// made in, so a write to a map made before a watch began can be told apart.
static EPOCH: AtomicU32 = AtomicU32::new(0);
/// Writes to maps made in an earlier epoch than the current one.
static OLD_MAP_WRITES: AtomicU64 = AtomicU64::new(0);

/// Tells whether any map that existed when the watch began has been written
/// since. Go templates may change shared maps (`set .Values …`), which makes
/// the order templates run in matter; a caller that ran templates at once
/// learns from this whether it must run them again, in order.
///
/// The counters are process-wide, so a watch may also see writes made by an
/// unrelated render on another thread: it can answer "written" wrongly, never
/// "untouched" wrongly.
pub struct SharedWrites {
    before: u64,
}

impl SharedWrites {
    pub fn watch() -> SharedWrites {
        EPOCH.fetch_add(1, Ordering::SeqCst);
        SharedWrites {
            before: OLD_MAP_WRITES.load(Ordering::SeqCst),
        }
    }

    pub fn seen(&self) -> bool {
        OLD_MAP_WRITES.load(Ordering::SeqCst) != self.before
    }
}

/// A Go `map[string]interface{}`: sorted keys (Go's iteration order), shared
/// and mutable through any reference to it.
///
/// No lock is ever held while calling out: reads return owned values or
/// snapshots, so a template that changes a map while ranging over it cannot
/// deadlock (Go's `range` also visits the keys it saw when the loop started).
pub struct Map {
    entries: RwLock<BTreeMap<String, Value>>,
    /// The [`SharedWrites`] epoch the map was made in.
    born: u32,
    /// Which keys templates read, on maps of a values tree armed for it
    /// ([`reads`]); `None` (every other map) costs one branch a read.
    marks: Option<Box<reads::ReadMarks>>,
}

impl Default for Map {
    fn default() -> Map {
        Map::from(BTreeMap::new())
    }
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, Value>> {
        // A poisoned lock only means a panic elsewhere; the data is still a map.
        self.entries.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, Value>> {
        if self.born < EPOCH.load(Ordering::Relaxed) {
            OLD_MAP_WRITES.fetch_add(1, Ordering::Relaxed);
        }
        self.entries.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that templates read `key` (or every key), when marked.
    #[inline]
    fn note(&self, key: Option<&str>) {
        if let Some(marks) = &self.marks {
            marks.note(key);
        }
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        self.note(Some(key));
        self.read().get(key).cloned()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.note(Some(key));
        self.read().contains_key(key)
    }

    /// The number of keys for the engine's own accounting (costs, limits):
    /// unlike [`Map::len`], not a template reading the map.
    pub fn size(&self) -> usize {
        self.read().len()
    }

    /// The number of keys, which depends on every key.
    pub fn len(&self) -> usize {
        self.note(None);
        self.read().len()
    }

    /// Whether the map is empty: of its keys, only a lone one decides that.
    pub fn is_empty(&self) -> bool {
        let entries = self.read();
        if entries.len() == 1 {
            self.note(None);
        }
        entries.is_empty()
    }

    /// Sets a key, visible through every reference to this map.
    pub fn insert(&self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.write().insert(key.into(), value)
    }

    /// Removes a key, visible through every reference to this map.
    pub fn remove(&self, key: &str) -> Option<Value> {
        self.write().remove(key)
    }

    /// The keys, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.note(None);
        self.read().keys().cloned().collect()
    }

    /// The values, in key order.
    pub fn values(&self) -> Vec<Value> {
        self.note(None);
        self.read().values().cloned().collect()
    }

    /// A snapshot of the entries in key order (values are cheap, shared clones).
    pub fn iter(&self) -> std::vec::IntoIter<(String, Value)> {
        self.entries().into_iter()
    }

    /// A snapshot of the entries in key order.
    pub fn entries(&self) -> Vec<(String, Value)> {
        self.note(None);
        self.read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// A snapshot as a plain sorted map.
    pub fn to_btree(&self) -> BTreeMap<String, Value> {
        self.note(None);
        self.read().clone()
    }

    /// Replaces the whole content, visible through every reference.
    pub fn replace_all(&self, content: BTreeMap<String, Value>) {
        *self.write() = content;
    }

    pub fn into_btree(mut self) -> BTreeMap<String, Value> {
        std::mem::take(self.entries.get_mut().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Drops nested maps and lists one after another instead of one inside
/// another: a template can nest maps as deep as it loops (`dict` in a
/// `range`), and a recursive drop that deep overflows the stack.
impl Drop for Map {
    fn drop(&mut self) {
        let entries = self.entries.get_mut().unwrap_or_else(|e| e.into_inner());
        if !entries.values().any(is_container) {
            return;
        }
        let mut pending: Vec<Value> = std::mem::take(entries).into_values().collect();
        while let Some(v) = pending.pop() {
            // What is still shared elsewhere only loses a reference here; what
            // was ours gives up its content before it drops, so each drop
            // below finds nothing nested.
            match v {
                Value::Map(m, _) => {
                    if let Some(mut m) = Arc::into_inner(m) {
                        let inner = m.entries.get_mut().unwrap_or_else(|e| e.into_inner());
                        pending.extend(std::mem::take(inner).into_values());
                    }
                }
                Value::List(l) => {
                    if let Some(items) = Arc::into_inner(l) {
                        pending.extend(items);
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_container(v: &Value) -> bool {
    matches!(v, Value::Map(_, _) | Value::List(_))
}

/// How deep lists nest in lists, counting this one: a list holds its
/// elements whole (no map between them to drop them one by one), so the
/// depth of such nesting is checked when a list is made.
fn list_depth(items: &[Value]) -> usize {
    1 + items
        .iter()
        .map(|v| match v {
            Value::List(l) => list_depth(l),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// Copies one level: the new map is independent, nested maps stay shared.
impl Clone for Map {
    fn clone(&self) -> Map {
        Map::from(self.to_btree())
    }
}

impl From<BTreeMap<String, Value>> for Map {
    fn from(m: BTreeMap<String, Value>) -> Map {
        Map {
            entries: RwLock::new(m),
            born: EPOCH.load(Ordering::Relaxed),
            marks: None,
        }
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Map {
        Map::from(iter.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl IntoIterator for &Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        // Snapshots, so no lock is held while nested maps are compared.
        std::ptr::eq(self, other) || self.entries() == other.entries()
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries()).finish()
    }
}

/// One value seen by a template.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's `nil` (an untyped nil interface).
    #[default]
    Nil,
    Bool(bool),
    /// Go's `int`: integer literals in templates, `len`, `atoi`, `int`.
    Int(i64),
    /// Go's `int64`, which Sprig's arithmetic (`add`, `mul`, `max`…), `int64`,
    /// `--set` and `fromToml` give. It prints and compares as an `int`, but
    /// `typeOf` names it, `deepEqual` tells the two apart, and a function
    /// parameter typed `int` refuses it, as Go does.
    Int64(i64),
    /// Go's `float64`.
    Float(f64),
    String(Arc<str>),
    /// A Go `string` whose bytes are not valid UTF-8, as `b64dec` or
    /// `.Files.Get` of a binary file return it: see [`RawString`].
    RawString(Arc<RawString>),
    /// Go's `[]byte`, as returned by `.Files.GetBytes`.
    Bytes(Arc<[u8]>),
    List(Arc<Vec<Value>>),
    /// A Go map: `map[string]interface{}`, or a named type over it
    /// ([`MapType`], Helm's `common.Values`). The map is the same either way;
    /// the type belongs to this reference, as in Go an interface holding a
    /// named map and one holding the plain map may share one map.
    Map(Arc<Map>, Option<&'static MapType>),
    /// Anything with fields or methods of its own: `.Files`, `.Capabilities`,
    /// certificates, semver versions, times.
    Object(Arc<dyn Object>),
}

/// The bytes of a Go string that is not valid UTF-8, and their text with
/// each invalid sequence replaced by U+FFFD.
///
/// Go strings are bytes; ours are `str`. The few functions where Go keeps the
/// bytes (`b64enc`, the checksums, `len`, `quote`, `printf`, `cat`, `eq`…)
/// read [`RawString::bytes`], so `.Files.Get "keystore.jks" | b64enc` gives
/// the file back whole. Everything else reads the text, as Go's case mapping
/// and its JSON and YAML encoders do.
pub struct RawString {
    bytes: Box<[u8]>,
    text: Box<str>,
}

impl RawString {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A Go named type whose underlying type is `map[string]interface{}`, as
/// Helm's `common.Values`: `typeOf` prints its name, it is still a map to
/// everything that takes one (Go converts it to a parameter typed
/// `map[string]interface{}`), and a field of its name calls its method before
/// the map's key is looked up, as Go's template does.
///
/// The code that builds a template's data tags a map with it
/// ([`Value::named`]); the engine only reads the tag.
pub struct MapType {
    /// Go's type name, as `%T` prints it.
    pub name: &'static str,
    pub methods: &'static [MapMethod],
}

/// A method of a [`MapType`]: its name, its parameters' Go types, and what
/// it does given the receiver (the named map) and its arguments, which the
/// executor has already converted to those types.
pub struct MapMethod {
    pub name: &'static str,
    /// One letter a parameter, as the engine's function signatures write
    /// them (`s` string, `w` io.Writer, …); its length is the arity.
    pub signature: &'static str,
    pub call: fn(&Value, &[Value]) -> Result<Value, String>,
}

impl MapType {
    pub fn method(&self, name: &str) -> Option<&'static MapMethod> {
        self.methods.iter().find(|m| m.name == name)
    }
}

/// A Go value with fields and methods that is not a plain map, list or scalar.
///
/// Field and method names are Go's (`.Capabilities.KubeVersion.Major`,
/// `.Files.Get "x"`).
pub trait Object: Send + Sync + 'static {
    /// Go's type name as `typeOf` prints it, e.g. `*chart.Files`.
    fn type_name(&self) -> &str;
    /// Go's kind as `kindOf` prints it (`struct`, `map`, `ptr`).
    fn kind_name(&self) -> &str {
        "struct"
    }
    /// A field or a method without arguments, or `None` when it has no such name.
    fn field(&self, name: &str) -> Option<Value>;
    /// Calls a method with arguments. `None` when the object has no such method.
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let _ = (name, args);
        None
    }
    /// Whether `name` is a method (methods are callable with arguments, fields are not).
    fn has_method(&self, name: &str) -> bool {
        let _ = name;
        false
    }
    /// How `fmt`'s `%v` prints it.
    fn format(&self) -> String;
    /// What `{{ x }}` prints when the template reaches the object through a
    /// field, a variable or dot: the value is addressable there, so Go calls a
    /// `String` method with a pointer receiver, which `%v` in a function does
    /// not. `None` prints [`Object::format`].
    fn addressable_string(&self) -> Option<String> {
        None
    }
    /// A Go struct's JSON fields in the order Go declares them, which is the
    /// order `toJson` writes them in (`toYaml` goes through a map and sorts).
    /// `None` writes [`Object::to_plain`].
    fn struct_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        None
    }
    /// Go's truth of the value (a struct is always true).
    fn truthy(&self) -> bool {
        true
    }
    /// The object as a plain value for JSON/YAML encoding, where it has one.
    fn to_plain(&self) -> Option<Value> {
        None
    }
    /// Go's encoders (`encoding/json`, go-yaml, BurntSushi's TOML) refuse the
    /// type: they fail with `unsupported type: ` and [`Object::type_name`].
    fn unencodable(&self) -> bool {
        false
    }
    fn as_any(&self) -> &dyn Any;
}

impl Value {
    pub fn str(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A Go string made of `bytes`: a plain string when they are UTF-8, a
    /// [`Value::RawString`] when they are not.
    pub fn go_string(bytes: Vec<u8>) -> Value {
        match String::from_utf8(bytes) {
            Ok(s) => Value::str(s),
            Err(e) => {
                let bytes = e.into_bytes().into_boxed_slice();
                // One U+FFFD a byte, as Go decodes (Rust's lossy decoding
                // replaces a cut-short sequence with just one).
                let mut text = String::with_capacity(bytes.len() + 8);
                for chunk in bytes.utf8_chunks() {
                    text.push_str(chunk.valid());
                    text.extend(chunk.invalid().iter().map(|_| char::REPLACEMENT_CHARACTER));
                }
                let text = text.into_boxed_str();
                Value::RawString(Arc::new(RawString { bytes, text }))
            }
        }
    }

    /// The bytes of a string (raw or not); `None` for anything else.
    pub fn string_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(s) => Some(s.as_bytes()),
            Value::RawString(r) => Some(r.bytes()),
            _ => None,
        }
    }

    /// A list of `items`; Nil, with the meter told, when that would nest
    /// lists past [`meter::MAX_DEPTH`] (a list nested in a loop), which could
    /// not even be dropped without overflowing the stack.
    pub fn list(items: Vec<Value>) -> Value {
        if items.iter().any(|v| matches!(v, Value::List(_)))
            && list_depth(&items) > meter::MAX_DEPTH
        {
            meter::too_deep();
            return Value::Nil;
        }
        Value::List(Arc::new(items))
    }

    pub fn map(map: Map) -> Value {
        Value::Map(Arc::new(map), None)
    }

    /// The same map seen as the named type `ty` (a plain map stays shared,
    /// not copied); anything else as it is.
    pub fn named(self, ty: &'static MapType) -> Value {
        match self {
            Value::Map(m, _) => Value::Map(m, Some(ty)),
            other => other,
        }
    }

    /// The value as Go passes it to a parameter typed
    /// `map[string]interface{}`: a named map becomes the plain map (the same
    /// map); anything else stays as it is.
    pub fn unnamed(&self) -> Value {
        match self {
            Value::Map(m, Some(_)) => Value::Map(m.clone(), None),
            other => other.clone(),
        }
    }

    /// The named map type of a map, if it has one.
    pub fn map_type(&self) -> Option<&'static MapType> {
        match self {
            Value::Map(_, ty) => *ty,
            _ => None,
        }
    }

    pub fn object(obj: impl Object) -> Value {
        Value::Object(Arc::new(obj))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The number of an `int` or `int64`; `None` for anything else.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            Value::RawString(r) => Some(r.text()),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m, _) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Looks a key up in a map; `Nil` for anything else or a missing key.
    pub fn get(&self, key: &str) -> Value {
        match self {
            Value::Map(m, _) => m.get(key).unwrap_or(Value::Nil),
            Value::Object(o) => o.field(key).unwrap_or(Value::Nil),
            _ => Value::Nil,
        }
    }

    /// Go's truth, as `if`, `with`, `and`, `or` and `not` see it: false, 0,
    /// nil, and empty strings, lists and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::RawString(_) => true,
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m, _) => !m.is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// Go's type name, as Sprig's `typeOf` prints it.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) | Value::RawString(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::List(_) => "[]interface {}",
            Value::Map(_, None) => "map[string]interface {}",
            Value::Map(_, Some(ty)) => ty.name,
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go's reflect kind, as Sprig's `kindOf` prints it.
    pub fn kind_name(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) | Value::RawString(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_, _) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// Converts a JSON value (as read by serde_json) into a template value with
    /// Go's typing: every JSON number is a float64.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON data; integral floats become JSON integers, as Go's
    /// `encoding/json` prints them.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    serde_json::Value::from(*f as i64)
                } else {
                    serde_json::Number::from_f64(*f)
                        .map(serde_json::Value::Number)
                        .unwrap_or(serde_json::Value::Null)
                }
            }
            Value::String(s) => serde_json::Value::String(s.to_string()),
            // Go's encoder writes each invalid byte as U+FFFD.
            Value::RawString(r) => serde_json::Value::String(r.text().to_string()),
            Value::Bytes(b) => {
                use base64::Engine;
                serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(b))
            }
            Value::List(l) => {
                let Some(_level) = meter::descend() else {
                    return serde_json::Value::Null;
                };
                serde_json::Value::Array(l.iter().map(Value::to_json).collect())
            }
            Value::Map(m, _) => {
                let Some(_level) = meter::descend() else {
                    return serde_json::Value::Null;
                };
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Object(o) => match o.to_plain() {
                Some(v) => v.to_json(),
                None => serde_json::Value::String(o.format()),
            },
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::list(v)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::map(m)
    }
}

impl PartialEq for Value {
    /// Structural equality, as Go's `reflect.DeepEqual` sees plain data
    /// (an int and a float are different values).
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Int64(a), Value::Int64(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::RawString(a), Value::RawString(b)) => a.bytes() == b.bytes(),
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            // A walk: one step a level, and no further than the meter allows.
            (Value::List(a), Value::List(b)) => {
                Arc::ptr_eq(a, b)
                    || (a.len() == b.len() && meter::descend().is_some_and(|_l| a == b))
            }
            // reflect.DeepEqual compares types too: a named map is not equal to
            // the plain map with the same entries.
            (Value::Map(a, ta), Value::Map(b, tb)) => {
                if ta.map(|t| t.name) != tb.map(|t| t.name) {
                    return false;
                }
                Arc::ptr_eq(a, b) || meter::descend().is_some_and(|_l| a == b)
            }
            // Two complex constants are equal by value, as reflect.DeepEqual
            // compares them; other objects only to themselves.
            (Value::Object(a), Value::Object(b)) => {
                Arc::ptr_eq(a, b)
                    || complex::Complex::of(self)
                        .is_some_and(|x| Some(x) == complex::Complex::of(other))
            }
            _ => false,
        }
    }
}

/// `%v` formatting, exactly as Go's `fmt` prints these values (this is also what
/// `{{ .x }}` writes).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("<nil>"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) | Value::Int64(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&format_float_g(*x)),
            Value::String(s) => f.write_str(s),
            // Go writes the bytes; text output can only hold their replacement.
            Value::RawString(r) => f.write_str(r.text()),
            Value::Bytes(b) => {
                f.write_str("[")?;
                for (i, byte) in b.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{byte}")?;
                }
                f.write_str("]")
            }
            Value::List(l) => {
                // Past the meter's depth or budget the walk ends here; the
                // executor reports it.
                let Some(_level) = meter::descend() else {
                    return Ok(());
                };
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(m, _) => {
                let Some(_level) = meter::descend() else {
                    return Ok(());
                };
                f.write_str("map[")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{k}:{v}")?;
                }
                f.write_str("]")
            }
            Value::Object(o) => f.write_str(&o.format()),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => write!(f, "{s:?}"),
            Value::RawString(r) => write!(f, "{:?}(raw)", String::from_utf8_lossy(r.bytes())),
            Value::Float(x) => write!(f, "{}(float64)", format_float_g(*x)),
            Value::Object(o) => write!(f, "{}({})", o.type_name(), o.format()),
            other => write!(f, "{other}"),
        }
    }
}

/// A map nested `levels` deep around `1` (`{k: {k: … 1}}`), for tests of
/// the depth guards of every writer.
#[cfg(test)]
pub(crate) fn nested_maps(levels: usize) -> Value {
    let mut v = Value::Int(1);
    for _ in 0..levels {
        let m = Map::new();
        m.insert("k", v);
        v = Value::map(m);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_does() {
        let cases = [
            (1000000.0, "1e+06"),
            (100000.0, "100000"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1.5, "1.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.0, "-2"),
            (3.0, "3"),
            (8080.0, "8080"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (123456789.0, "1.23456789e+08"),
        ];
        for (x, want) in cases {
            assert_eq!(format_float_g(x), want, "{x}");
        }
    }

    #[test]
    fn strings_that_are_not_utf8_keep_their_bytes() {
        assert!(matches!(
            Value::go_string(b"plain".to_vec()),
            Value::String(_)
        ));
        // A sequence cut short is one U+FFFD a byte, as Go decodes it.
        let raw = Value::go_string(b"a\xe2\x82b\xff".to_vec());
        assert_eq!(raw.string_bytes(), Some(&b"a\xe2\x82b\xff"[..]));
        assert_eq!(raw.as_str(), Some("a\u{fffd}\u{fffd}b\u{fffd}"));
        assert_eq!(raw.type_name(), "string");
        assert!(raw.truthy());
        assert_eq!(raw, Value::go_string(b"a\xe2\x82b\xff".to_vec()));
        assert_ne!(raw, Value::go_string(b"a\xe2\x82b\xfe".to_vec()));
    }

    #[test]
    fn maps_and_lists_print_as_go_does() {
        let m = Map::new();
        m.insert("b", Value::Float(2.0));
        m.insert("a", Value::list(vec![Value::str("x"), Value::Nil]));
        assert_eq!(Value::map(m).to_string(), "map[a:[x <nil>] b:2]");
    }

    #[test]
    fn maps_are_shared_and_mutable_like_go_maps() {
        let v = Value::map(Map::new());
        let alias = v.clone();
        v.as_map().unwrap().insert("k", Value::Int(1));
        assert_eq!(alias.get("k"), Value::Int(1));
        // Map::clone copies: the copy no longer follows the original.
        let copy = alias.as_map().unwrap().clone();
        alias.as_map().unwrap().remove("k");
        assert_eq!(copy.get("k"), Some(Value::Int(1)));
        assert!(alias.as_map().unwrap().is_empty());
    }
}

#[cfg(test)]
mod shared_writes_tests {
    use super::*;

    #[test]
    fn writes_to_maps_older_than_the_watch_are_seen() {
        let old = Map::new();
        let watch = SharedWrites::watch();
        let fresh = Map::new();
        fresh.insert("k", Value::Int(1));
        // Another test's watch may run at the same time and make `fresh`
        // look old: that can only add a "seen", so test the certain half.
        old.insert("k", Value::Int(1));
        assert!(watch.seen());
    }
}
