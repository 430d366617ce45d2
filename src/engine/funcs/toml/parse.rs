//! The TOML parser behind `fromToml`, keeping BurntSushi/toml's (v1.6.0) model
//! so that it accepts and refuses what Helm's does, in the same words:
//!
//! - one tree of tables for the whole document, which inline tables are
//!   also written into as they are read (so later dotted keys and headers
//!   can extend them, as BurntSushi lets them);
//! - the paths created implicitly (by `a.b = 1` and `[a.b]`) in a set: a
//!   key may be defined again once when its path is implicit, and doing so
//!   clears the mark (which is per path, not per table of an array);
//! - the paths whose last value was an array, which such a redefinition
//!   replaces;
//! - the context (the table a header opened, plus the parts of a dotted
//!   key being set) and the last key part, which errors name.

use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

use super::go::{key_string, quote_str};
use super::lex::{Item, Kind, Lexer};
use super::scalar::{self, DateTime};
use crate::value::meter;

/// Arrays and inline tables nested deeper than this are refused (Helm's
/// parser recurses without a limit; chartfix's stack would not).
pub(super) const MAX_NESTING: usize = 1000;

pub(super) type Table = BTreeMap<String, Node>;

/// What copying and hashing one part of a key path costs on the template's
/// meter (an allocation and a hash, some tens of nanoseconds).
const STEPS_A_PART: u64 = 8;

/// A parsed value, with Go's distinction between an array of tables
/// (`[]map[string]any`, from `[[x]]` and inline tables in arrays) and an
/// array of values (`[]any`).
#[derive(Clone, Debug)]
pub(super) enum Node {
    Table(Table),
    Tables(Vec<Table>),
    Array(Rc<Vec<Node>>),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    DateTime(DateTime),
}

/// BurntSushi's `ParseError`, printed as its `Error()` prints it.
#[derive(Debug)]
pub(super) struct ParseError {
    pub line: usize,
    pub last_key: String,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.last_key.is_empty() {
            write!(f, "toml: line {}: {}", self.line, self.message)
        } else {
            let key = quote_str(&self.last_key);
            write!(
                f,
                "toml: line {} (last key {key}): {}",
                self.line, self.message
            )
        }
    }
}

type Res<T> = Result<T, ParseError>;

/// The TOML type of a value, as far as the parser's rules need it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    Array,
    Other,
}

struct Parser<'a> {
    lx: Lexer<'a>,
    context: Vec<String>,
    /// The last part of the key being set; empty between key/values.
    current_key: String,
    /// The line of the statement's first key or table name.
    pos_line: usize,
    mapping: Table,
    implicits: HashSet<Vec<String>>,
    arrays: HashSet<Vec<String>>,
    depth: usize,
}

/// Parses a document (a Go string's bytes) into its top-level table.
pub(super) fn parse(input: &[u8]) -> Res<Table> {
    // Byte-order marks are skipped (UTF-16's too: NULs after them tell).
    let data = if input.starts_with(b"\xff\xfe") || input.starts_with(b"\xfe\xff") {
        &input[2..]
    } else {
        input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input)
    };
    if data.iter().take(6).any(|&b| b == 0) {
        return Err(ParseError {
            line: 1,
            last_key: String::new(),
            message:
                "files cannot contain NULL bytes; probably using UTF-16; TOML files must be UTF-8"
                    .into(),
        });
    }
    // The lexer stops at the first byte that is not UTF-8, as Go's does:
    // it reads the valid part and is told which byte comes after.
    let (data, bad) = match std::str::from_utf8(data) {
        Ok(s) => (s, None),
        Err(e) => {
            let valid = &data[..e.valid_up_to()];
            let text = std::str::from_utf8(valid).unwrap_or_default();
            (text, data.get(e.valid_up_to()).copied())
        }
    };
    let mut p = Parser {
        lx: Lexer::new(data, bad),
        context: Vec::new(),
        current_key: String::new(),
        pos_line: 1,
        mapping: Table::new(),
        implicits: HashSet::new(),
        arrays: HashSet::new(),
        depth: 0,
    };
    loop {
        let item = p.next()?;
        if item.kind == Kind::Eof {
            return Ok(p.mapping);
        }
        p.top_level(item)?;
    }
}

/// A table, or an array of tables (whose last table is meant).
fn is_table(node: Option<&Node>) -> bool {
    match node {
        Some(Node::Tables(ts)) => !ts.is_empty(),
        Some(Node::Table(_)) => true,
        _ => false,
    }
}

/// The table at `k`, which [`is_table`] said is one.
fn child<'t>(hash: &'t mut Table, k: &str) -> &'t mut Table {
    match hash.get_mut(k) {
        Some(Node::Tables(ts)) => ts.last_mut().expect("is_table checked"),
        Some(Node::Table(t)) => t,
        _ => unreachable!("is_table checked"),
    }
}

impl Parser<'_> {
    /// The "last key" of an error: the context, and the key being set.
    fn current(&self) -> String {
        if self.current_key.is_empty() {
            return key_string(&self.context);
        }
        if self.context.is_empty() {
            return self.current_key.clone();
        }
        format!("{}.{}", key_string(&self.context), self.current_key)
    }

    fn fail<T>(&self, line: usize, message: String) -> Res<T> {
        Err(ParseError {
            line,
            last_key: self.current(),
            message,
        })
    }

    /// An error about the statement (duplicate keys and the like).
    fn fail_here<T>(&self, message: String) -> Res<T> {
        self.fail(self.pos_line, message)
    }

    /// Charges the template's meter for copying or hashing a key path:
    /// paths are rebuilt for every key (as in BurntSushi), so a long table
    /// name with many keys costs the product, and the meter bounds it.
    fn charge(&self, path: &[String]) -> Res<()> {
        let cost: u64 = path.iter().map(|p| STEPS_A_PART + p.len() as u64 / 4).sum();
        if meter::charge(cost) {
            Ok(())
        } else {
            self.fail_here("stopped at the template's step limit".into())
        }
    }

    fn next(&mut self) -> Res<Item> {
        match self.lx.next_item() {
            Ok(it) => Ok(it),
            Err(e) => self.fail(e.line, e.message),
        }
    }

    fn next_pos(&mut self) -> Res<Item> {
        let it = self.next()?;
        self.pos_line = it.line;
        Ok(it)
    }

    /// The next item of an array or inline table, comments passed over;
    /// `None` at its `end`.
    fn next_within(&mut self, end: Kind) -> Res<Option<Item>> {
        loop {
            let it = self.next()?;
            if it.kind == end {
                return Ok(None);
            }
            if it.kind != Kind::CommentStart {
                return Ok(Some(it));
            }
            self.expect(Kind::Text)?;
        }
    }

    fn expect(&mut self, kind: Kind) -> Res<Item> {
        let it = self.next()?;
        if it.kind != kind {
            return self.fail(it.line, format!("expected {kind:?}, found {:?}", it.kind));
        }
        Ok(it)
    }

    fn top_level(&mut self, item: Item) -> Res<()> {
        match item.kind {
            Kind::CommentStart => {
                self.expect(Kind::Text)?;
            }
            Kind::TableStart | Kind::ArrayTableStart => {
                let array = item.kind == Kind::ArrayTableStart;
                let end = if array {
                    Kind::ArrayTableEnd
                } else {
                    Kind::TableEnd
                };
                let key = self.key_parts(end, true)?;
                self.add_context(key, array)?;
                self.set_type("", Type::Other)?;
            }
            Kind::KeyStart => {
                self.charge(&self.context)?;
                let outer = self.context.clone();
                self.key_value()?;
                self.context = outer;
                self.current_key.clear();
            }
            k => return self.fail(item.line, format!("unexpected {k:?} at top level")),
        }
        Ok(())
    }

    /// The parts of a key or table name, up to `end`; the first sets the
    /// statement's line when `first_pos`.
    fn key_parts(&mut self, end: Kind, first_pos: bool) -> Res<Vec<String>> {
        let mut it = if first_pos {
            self.next_pos()?
        } else {
            self.next()?
        };
        let mut key = Vec::new();
        while it.kind != end && it.kind != Kind::Eof {
            key.push(self.key_string(&it)?);
            it = self.next()?;
        }
        if it.kind != end || key.is_empty() {
            return self.fail(it.line, format!("expected {end:?}, found {:?}", it.kind));
        }
        Ok(key)
    }

    /// `a.b.c = value` (after its KeyStart): `a` and `a.b` become implicit
    /// tables of the context, then `c` is set in `a.b`.
    fn key_value(&mut self) -> Res<(String, Node)> {
        let key = self.key_parts(Kind::KeyEnd, true)?;
        let (last, parents) = key.split_last().expect("key_parts is never empty");
        self.current_key = last.clone();
        for part in parents {
            let mut path = self.context.clone();
            path.push(part.clone());
            self.implicits.insert(path.clone());
            self.add_context(path, false)?;
        }
        let it = self.next()?;
        let (val, typ) = self.value(&it, false)?;
        let key = self.current_key.clone();
        self.set_value(&key, &val)?;
        self.set_type(&key, typ)?;
        Ok((key, val))
    }

    fn key_string(&mut self, it: &Item) -> Res<String> {
        match it.kind {
            Kind::Text => Ok(self.lx.text(it).to_string()),
            Kind::Str | Kind::MultiStr | Kind::RawStr | Kind::RawMultiStr => {
                match self.value(it, false)?.0 {
                    Node::Str(s) => Ok(s),
                    _ => self.fail(it.line, "expected a string key".into()),
                }
            }
            k => self.fail(it.line, format!("unexpected key item {k:?}")),
        }
    }

    fn value(&mut self, it: &Item, parent_is_array: bool) -> Res<(Node, Type)> {
        let text = self.lx.text(it);
        let scalar = |r: Result<Node, String>| r.map(|n| (n, Type::Other));
        let r = match it.kind {
            Kind::Str => scalar(scalar::unescape(text).map(Node::Str)),
            Kind::MultiStr => {
                let s = scalar::strip_escaped_newlines(scalar::strip_first_newline(text));
                scalar(scalar::unescape(&s).map(Node::Str))
            }
            Kind::RawStr => scalar(Ok(Node::Str(text.to_string()))),
            Kind::RawMultiStr => {
                scalar(Ok(Node::Str(scalar::strip_first_newline(text).to_string())))
            }
            Kind::Int => scalar(scalar::integer(text).map(Node::Int)),
            Kind::Float => scalar(scalar::float(text).map(Node::Float)),
            Kind::Bool => scalar(Ok(Node::Bool(text == "true"))),
            Kind::Datetime => scalar(scalar::datetime(text).map(Node::DateTime)),
            Kind::ArrayStart => return self.nested(|p| p.value_array()),
            Kind::InlineStart => return self.nested(|p| p.value_inline_table(parent_is_array)),
            k => Err(format!("unexpected value item {k:?}")),
        };
        r.or_else(|msg| self.fail(it.line, msg))
    }

    /// Counts one level of arrays and inline tables around `f`.
    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Res<(Node, Type)>) -> Res<(Node, Type)> {
        if self.depth >= MAX_NESTING {
            return self.fail_here(format!(
                "arrays and inline tables nested deeper than {MAX_NESTING} levels"
            ));
        }
        self.depth += 1;
        // Each level is a few frames: the stack grows on the heap when the
        // thread's runs short, whatever thread the template runs on.
        let r = stacker::maybe_grow(64 * 1024, 1024 * 1024, || f(self));
        self.depth -= 1;
        r
    }

    fn value_array(&mut self) -> Res<(Node, Type)> {
        let key = self.current_key.clone();
        self.set_type(&key, Type::Array)?;
        let mut array = Vec::new();
        while let Some(it) = self.next_within(Kind::ArrayEnd)? {
            array.push(self.value(&it, true)?.0);
        }
        Ok((Node::Array(Rc::new(array)), Type::Array))
    }

    /// `{...}`: its own table, built as it is read, and (through the
    /// context) the same keys set in the document's tree.
    fn value_inline_table(&mut self, parent_is_array: bool) -> Res<(Node, Type)> {
        self.charge(&self.context)?;
        let outer_context = self.context.clone();
        let outer_key = std::mem::take(&mut self.current_key);
        self.context.push(outer_key.clone());
        let inner = self.context.clone();
        self.implicits.insert(inner.clone());
        self.add_context(inner.clone(), parent_is_array)?;
        let mut top = Table::new();
        while self.next_within(Kind::InlineEnd)?.is_some() {
            let depth_context = self.context.len();
            let (key, val) = self.key_value()?;
            // The parts of a dotted key in this table lead to `key`.
            let parents = self.context[depth_context..].to_vec();
            let mut hash = &mut top;
            for part in &parents {
                let entry = hash
                    .entry(part.clone())
                    .or_insert_with(|| Node::Table(Table::new()));
                match entry {
                    Node::Table(t) => hash = t,
                    _ => {
                        let msg =
                            format!("{} is not a table", quote_str(&key_string(&self.context)));
                        return self.fail_here(msg);
                    }
                }
            }
            hash.insert(key, val);
            self.context = inner.clone();
        }
        self.context = outer_context;
        self.current_key = outer_key;
        Ok((Node::Table(top), Type::Other))
    }

    /// Makes `key` the context: its parents are found or created (as
    /// implicit tables; an array of tables means its last table), then
    /// the last part is set to a new table, or gets a new table appended
    /// when `array`.
    fn add_context(&mut self, key: Vec<String>, array: bool) -> Res<()> {
        let (last, parents) = key.split_last().expect("a table name is never empty");
        let mut hash = &mut self.mapping;
        let mut path: Vec<String> = Vec::with_capacity(key.len());
        let mut created = Vec::new();
        let mut clash = false;
        for k in parents {
            path.push(k.clone());
            if !hash.contains_key(k) {
                let cost: u64 = path.iter().map(|p| STEPS_A_PART + p.len() as u64 / 4).sum();
                if !meter::charge(cost) {
                    return self.fail_here("stopped at the template's step limit".into());
                }
                created.push(path.clone());
                hash.insert(k.clone(), Node::Table(Table::new()));
            }
            if !is_table(hash.get(k)) {
                clash = true;
                break;
            }
            hash = child(hash, k);
        }
        if clash {
            self.implicits.extend(created);
            return self.fail_here(format!(
                "Key '{}' was already created as a hash.",
                key_string(&path)
            ));
        }
        if array {
            let slot = hash
                .entry(last.clone())
                .or_insert_with(|| Node::Tables(Vec::new()));
            let ok = match slot {
                Node::Tables(ts) => {
                    ts.push(Table::new());
                    true
                }
                _ => false,
            };
            self.implicits.extend(created);
            self.context = path;
            if !ok {
                return self.fail_here(format!(
                    "Key '{}' was already created and cannot be used as an array.",
                    key_string(&key)
                ));
            }
        } else {
            self.implicits.extend(created);
            self.context = path;
            self.set_value(last, &Node::Table(Table::new()))?;
        }
        self.context.push(last.clone());
        Ok(())
    }

    /// Sets `key` in the context's table. A key already there may only be
    /// set again if its path is implicit: that clears the mark, and keeps
    /// the table there, unless the path last held an array.
    fn set_value(&mut self, key: &str, value: &Node) -> Res<()> {
        self.charge(&self.context)?;
        let mut hash = &mut self.mapping;
        let mut path: Vec<String> = Vec::with_capacity(self.context.len() + 1);
        let mut clash = false;
        for k in &self.context {
            path.push(k.clone());
            if !is_table(hash.get(k)) {
                clash = true;
                break;
            }
            hash = child(hash, k);
        }
        if clash {
            let msg = format!("Key '{}' has already been defined.", key_string(&path));
            return self.fail_here(msg);
        }
        path.push(key.to_string());
        if hash.contains_key(key) {
            if self.implicits.remove(&path) {
                if self.arrays.contains(&path) {
                    hash.insert(key.to_string(), value.clone());
                }
                return Ok(());
            }
            let msg = format!("Key '{}' has already been defined.", key_string(&path));
            return self.fail_here(msg);
        }
        hash.insert(key.to_string(), value.clone());
        Ok(())
    }

    /// Records the type of `key` in the context (of the context itself when
    /// `key` is empty, and of `""` when both are).
    fn set_type(&mut self, key: &str, typ: Type) -> Res<()> {
        self.charge(&self.context)?;
        let mut path = self.context.clone();
        if !key.is_empty() {
            path.push(key.to_string());
        }
        if path.is_empty() {
            path.push(String::new());
        }
        if typ == Type::Array {
            self.arrays.insert(path);
        } else {
            self.arrays.remove(&path);
        }
        Ok(())
    }
}
