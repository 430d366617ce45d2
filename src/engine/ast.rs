//! The parsed form of a template: Go's `parse.Tree`, with function names already
//! resolved to what they call and literals already converted to values.
//!
//! Every node keeps the byte offset where it starts in its file (`pos`), so errors
//! can say `file:line:col` the way Go does. `Display` prints a node the way Go's
//! `Node.String()` does: that text is the `<…>` context of execution errors.

use super::funcs::TableFunc;
use crate::strconv::go_quote;
use crate::value::Value;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A byte offset into the file a node was parsed from.
pub type Pos = u32;

/// One named template: a file's top level, or a `define`/`block` body.
pub struct Tree {
    /// The template's name (the file name, or the name in `define`).
    pub name: Arc<str>,
    /// The file it was parsed from, with its source text (for positions).
    pub file: Arc<File>,
    pub root: List,
}

/// A parsed file: its name as given to `Engine::add` and its source text.
pub struct File {
    pub name: Arc<str>,
    pub source: Arc<str>,
}

impl File {
    pub fn new(name: &str, source: &str) -> Arc<File> {
        File::shared(name, Arc::from(source))
    }

    /// A file whose text is shared with its owner (a chart's file).
    pub fn shared(name: &str, source: Arc<str>) -> Arc<File> {
        Arc::new(File {
            name: Arc::from(name),
            source,
        })
    }

    /// Go's `ErrorContext` location: `name:line:col`, where col counts bytes from the
    /// start of the line (0-based), except on the first line, where it is the offset.
    pub fn location(&self, pos: Pos) -> (u32, u32) {
        let pos = (pos as usize).min(self.source.len());
        let before = self.source.get(..pos).unwrap_or("");
        let line = 1 + before.bytes().filter(|&b| b == b'\n').count() as u32;
        let col = match before.rfind('\n') {
            Some(nl) => pos - (nl + 1),
            None => pos,
        };
        (line, col as u32)
    }
}

pub enum Node {
    /// Literal text: `start..end` in the file's source.
    Text {
        start: u32,
        end: u32,
    },
    /// `{{ pipeline }}`: printed unless it declares variables.
    Action(Pipe),
    If(Box<Branch>),
    With(Box<Branch>),
    Range(Box<Branch>),
    /// `{{template "name" pipeline}}` (and the call that a `block` leaves behind).
    Template {
        pos: Pos,
        name: Arc<str>,
        pipe: Option<Pipe>,
    },
    Break(Pos),
    Continue(Pos),
}

/// The shared shape of `if`, `with` and `range`.
pub struct Branch {
    pub pos: Pos,
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

/// The nodes of a template, a branch or a loop: parsed, or, from the lazy
/// parser, the text to parse when a render first walks it
/// ([`List::nodes`](super::parser)).
pub enum List {
    Nodes(Vec<Node>),
    Lazy(Box<LazyList>),
}

/// A list not parsed yet: where its text is, and what the parser knew there.
pub struct LazyList {
    /// Its text, `start..end` of the file: from the end of the action that
    /// opens it to the start of the one that closes it.
    pub start: u32,
    pub end: u32,
    /// Whether the opening action ended in a trim marker.
    pub trim: bool,
    /// The variables in scope, `{{break}}`'s enclosing loops, and nesting.
    pub vars: Vec<Arc<str>>,
    pub range_depth: u32,
    pub depth: u32,
    /// The nodes, once parsed (or the error parsing them gave).
    pub parsed: OnceLock<Result<Vec<Node>, super::Error>>,
}

/// A pipeline, with the variables it declares (`:=`) or assigns (`=`).
pub struct Pipe {
    pub pos: Pos,
    pub is_assign: bool,
    pub decl: Vec<Arc<str>>,
    pub cmds: Vec<Command>,
}

/// One stage of a pipeline: a function, method or value and its arguments.
pub struct Command {
    pub pos: Pos,
    pub args: Vec<Arg>,
}

/// An operand.
pub enum Arg {
    /// `.a.b`: fields of dot.
    Field {
        pos: Pos,
        names: Vec<Arc<str>>,
    },
    /// `$x.a.b` (`$` alone is a variable too).
    Variable {
        pos: Pos,
        name: Arc<str>,
        fields: Vec<Arc<str>>,
    },
    /// `(pipeline).a.b`.
    Chain {
        pos: Pos,
        node: Box<Arg>,
        fields: Vec<Arc<str>>,
    },
    /// A function name, resolved at parse time.
    Function {
        pos: Pos,
        name: Arc<str>,
        func: Callee,
    },
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    /// A number or character constant: its text, and its value (Go's ideal constant
    /// typing: `1` is an int, `1.0` a float64) or the error using it gives.
    Number {
        pos: Pos,
        text: Box<str>,
        value: Result<Value, String>,
    },
    /// A string constant: its quoted text and its value.
    String {
        pos: Pos,
        quoted: Box<str>,
        value: Value,
    },
    Pipe(Box<Pipe>),
}

/// What a function name calls.
#[derive(Clone, Copy)]
pub enum Callee {
    Builtin(Builtin),
    /// A Sprig/Helm function from the shared table.
    Table(TableFunc),
    /// Not defined; parsed without Go's function check, fails when called.
    Missing,
}

/// Functions that need the executor: Go's builtins and Helm's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Html,
    Js,
    Urlquery,
    Call,
    Include,
    Tpl,
    Required,
    Fail,
    Lookup,
}

impl Builtin {
    /// Helm's own functions first (they replace the table's placeholders), then Go's.
    pub fn lookup(name: &str) -> Option<Builtin> {
        use Builtin::*;
        Some(match name {
            "include" => Include,
            "tpl" => Tpl,
            "required" => Required,
            "fail" => Fail,
            "lookup" => Lookup,
            "and" => And,
            "or" => Or,
            "not" => Not,
            "len" => Len,
            "index" => Index,
            "slice" => Slice,
            "print" => Print,
            "printf" => Printf,
            "println" => Println,
            "eq" => Eq,
            "ne" => Ne,
            "lt" => Lt,
            "le" => Le,
            "gt" => Gt,
            "ge" => Ge,
            "html" => Html,
            "js" => Js,
            "urlquery" => Urlquery,
            "call" => Call,
            _ => return None,
        })
    }
}

impl Arg {
    pub fn pos(&self) -> Pos {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Function { pos, .. }
            | Arg::Dot(pos)
            | Arg::Nil(pos)
            | Arg::Bool(pos, _)
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

fn write_fields(f: &mut fmt::Formatter<'_>, fields: &[Arc<str>]) -> fmt::Result {
    for name in fields {
        write!(f, ".{name}")?;
    }
    Ok(())
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { names, .. } => write_fields(f, names),
            Arg::Variable { name, fields, .. } => {
                f.write_str(name)?;
                write_fields(f, fields)
            }
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                write_fields(f, fields)
            }
            Arg::Function { name, .. } => f.write_str(name),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number { text, .. } => f.write_str(text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(v)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

/// Go's `TemplateNode.String()`.
pub fn template_node_string(name: &str, pipe: Option<&Pipe>) -> String {
    match pipe {
        Some(p) => format!("{{{{template {} {p}}}}}", go_quote(name)),
        None => format!("{{{{template {}}}}}", go_quote(name)),
    }
}
