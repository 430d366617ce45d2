//! Builds [`ast`](super::ast) trees from tokens, following Go's `text/template/parse`:
//! the same grammar, the same variable scoping checks, the same error messages.
//!
//! One file yields its top-level tree plus one tree per `define`/`block`. Function
//! names are resolved here (an unknown name is a parse error, as in Go), so the
//! executor never looks a function up by name.

use super::ast::{
    Arg, Branch, Builtin, Callee, Command, File, LazyList, List, Node, Pipe, Pos, Tree,
};
use super::error::Error;
use super::funcs;
use super::lexer::{lex, lex_lazy, lex_span, line_of, Keyword, Kind, Lexed, Token};
use super::literal;
use crate::strconv::go_quote;
use crate::value::Value;
use std::sync::Arc;

/// Deepest nesting of parentheses and control blocks accepted: the parser and the
/// executor recurse on it, and fuzzed input must not exhaust the stack.
const MAX_DEPTH: u32 = 200;

/// Parses one file named `name` into its trees, in definition order; the
/// top-level tree (named `name`) comes last, as Go adds it last.
pub fn parse(name: &str, source: &str) -> Result<Vec<Tree>, Error> {
    parse_with(name, source, true)
}

/// [`parse`], optionally without Go's check that every function exists (Go's
/// `SkipFuncCheck` mode): an unknown function then fails only when called.
pub fn parse_with(name: &str, source: &str, check_funcs: bool) -> Result<Vec<Tree>, Error> {
    let file = File::new(name, source);
    let lexed = lex(source);
    parse_lexed(file, lexed, check_funcs)
}

/// [`parse`] of a file, with its lists lazy where [`lex_lazy`] could skim
/// them: each is parsed when a render first walks it ([`List::nodes`]). The
/// trees are those [`parse`] makes once every list is parsed, when the file
/// parses at all; a file that does not may still give trees here, or another
/// error, so the caller must also run [`parse`] on it (on another core) and
/// take its error, which is Go's.
pub fn parse_lazy(file: Arc<File>) -> Result<Vec<Tree>, Error> {
    let lexed = lex_lazy(&file.source);
    parse_lexed(file, lexed, true)
}

/// [`parse`] of a file already made into an [`ast::File`](File).
pub fn parse_file(file: Arc<File>) -> Result<Vec<Tree>, Error> {
    let lexed = lex(&file.source);
    parse_lexed(file, lexed, true)
}

fn parse_lexed(file: Arc<File>, lexed: Lexed, check_funcs: bool) -> Result<Vec<Tree>, Error> {
    let mut p = Parser::new(&file, lexed, check_funcs);
    let root = p.parse_top()?;
    let tree = Tree {
        name: file.name.clone(),
        file: file.clone(),
        root,
    };
    p.add(tree)?;
    Ok(p.trees)
}

impl List {
    /// The nodes to walk; a lazy list is parsed on its first walk (on any
    /// thread: the first parse is kept). Its error, if it has one, is the
    /// lazy parse's: the whole file's parse gives Go's.
    pub fn nodes(&self, file: &Arc<File>) -> Result<&[Node], Error> {
        self.nodes_parsed(file, true)
    }

    /// [`List::nodes`]; a list parsed here has its own lists lazy if `lazy`.
    fn nodes_parsed(&self, file: &Arc<File>, lazy: bool) -> Result<&[Node], Error> {
        match self {
            List::Nodes(nodes) => Ok(nodes),
            List::Lazy(list) => {
                match list
                    .parsed
                    .get_or_init(|| grow(|| parse_list(file, list, lazy)))
                {
                    Ok(nodes) => Ok(nodes),
                    Err(e) => Err(e.clone()),
                }
            }
        }
    }
}

/// Parses every lazy list of `tree` that is not parsed yet (nested ones
/// too): once it returns `Ok`, the tree is the one [`parse`] would make.
pub fn complete(tree: &Tree) -> Result<(), Error> {
    complete_list(&tree.root, &tree.file)
}

fn complete_list(list: &List, file: &Arc<File>) -> Result<(), Error> {
    // A list no render has reached is parsed whole, in one go; one a render
    // parsed (lazily) may hold lazy lists of its own.
    for node in list.nodes_parsed(file, false)? {
        if let Node::If(b) | Node::With(b) | Node::Range(b) = node {
            complete_list(&b.list, file)?;
            if let Some(e) = &b.else_list {
                complete_list(e, file)?;
            }
        }
    }
    Ok(())
}

/// Runs a lazy list's parse with room for its nesting, however deep the
/// render that walks it has recursed (the parser recurses on nesting).
fn grow<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(256 * 1024, 2 * 1024 * 1024, f)
}

/// Parses a lazy list's text, in the scope the parser had where it skimmed it.
fn parse_list(file: &Arc<File>, list: &LazyList, lazy: bool) -> Result<Vec<Node>, Error> {
    let lexed = lex_span(
        &file.source,
        list.start as usize,
        list.end as usize,
        list.trim,
        lazy,
    );
    // The trees of a list's `define`s would be lost: a list that holds one is
    // never skimmed.
    let mut p = Parser::new(file, lexed, true);
    p.vars = list.vars.clone();
    p.range_depth = list.range_depth;
    p.depth = list.depth;
    let base = p.nodes.len();
    loop {
        if p.peek().kind == Kind::Eof {
            return Ok(p.nodes.split_off(base));
        }
        match p.text_or_action()? {
            Item::Node(n) => p.nodes.push(n),
            Item::End | Item::Else => return p.errorf("list ends before its text does"),
        }
    }
}

/// Whether a tree holds only whitespace text: such a definition does not replace
/// an existing one (Go's `IsEmptyTree`).
pub fn is_empty_tree(tree: &Tree) -> bool {
    // A list is skimmed only when it holds an action.
    let List::Nodes(nodes) = &tree.root else {
        return false;
    };
    nodes.iter().all(|n| match n {
        Node::Text { start, end } => tree
            .file
            .source
            .get(*start as usize..*end as usize)
            .is_none_or(|t| t.trim_matches([' ', '\t', '\n', '\r']).is_empty()),
        _ => false,
    })
}

struct Parser<'s> {
    src: &'s str,
    file: Arc<File>,
    tokens: Vec<Token>,
    /// The message of the lexer's `Error` token, when there is one.
    lex_error: Option<Box<str>>,
    idx: usize,
    /// The furthest token read: Go reports parse errors at its line.
    furthest: usize,
    /// Variables in scope (for Go's "undefined variable" check).
    vars: Vec<Arc<str>>,
    range_depth: u32,
    depth: u32,
    trees: Vec<Tree>,
    check_funcs: bool,
    /// Where the action being parsed started (`None` outside actions).
    action_start: Option<u32>,
    /// Names seen so far (`Values`, `$root`, `include`…), shared so a chart's
    /// thousands of identical field names cost one allocation each.
    names: foldhash::HashMap<&'s str, Name>,
    // Stacks the lists being parsed collect their items on: a finished list
    // moves its items off the top (`split_off`) into a vector of exactly their number,
    // instead of growing a vector of its own (thousands of small lists a chart).
    nodes: Vec<Node>,
    cmds: Vec<Command>,
    args: Vec<Arg>,
}

/// A name of the file, and what it calls once looked up as a function (a
/// chart calls the same few functions thousands of times).
struct Name {
    text: Arc<str>,
    callee: Option<Option<Callee>>,
}

/// What `textOrAction` found: a node, or the `{{end}}`/`{{else}}` closing a list.
enum Item {
    Node(Node),
    End,
    Else,
}

type PResult<T> = Result<T, Error>;

impl<'s> Parser<'s> {
    fn new(file: &'s Arc<File>, lexed: Lexed, check_funcs: bool) -> Parser<'s> {
        // Room for the distinct names of a large file without rehashing (a
        // lazy list's few tokens need less).
        let names = (lexed.tokens.len() / 4).min(256);
        Parser {
            src: &file.source,
            file: file.clone(),
            tokens: lexed.tokens,
            lex_error: lexed.error,
            idx: 0,
            furthest: 0,
            vars: vec![Arc::from("$")],
            range_depth: 0,
            depth: 0,
            trees: Vec::new(),
            check_funcs,
            action_start: None,
            names: foldhash::HashMap::with_capacity_and_hasher(names, Default::default()),
            nodes: Vec::new(),
            cmds: Vec::new(),
            args: Vec::new(),
        }
    }

    // ----- token access (Go's next/peek/backup, over a vector) -----

    fn tok(&self, i: usize) -> &Token {
        // The token list always ends with Eof or Error, and `idx` never passes it.
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[i.min(last)]
    }

    fn next(&mut self) -> Token {
        let t = *self.tok(self.idx);
        // Past the end, `tok` keeps returning the final Eof/Error token; `idx` still
        // advances so that `backup` undoes exactly one `next`.
        self.furthest = self.furthest.max(self.idx);
        self.idx += 1;
        t
    }

    fn peek(&mut self) -> Token {
        self.furthest = self.furthest.max(self.idx);
        *self.tok(self.idx)
    }

    fn backup(&mut self) {
        self.idx = self.idx.saturating_sub(1);
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.kind != Kind::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn text(&self, t: &Token) -> &'s str {
        t.text(self.src)
    }

    fn name(&mut self, name: &'s str) -> &mut Name {
        self.names.entry(name).or_insert_with(|| Name {
            text: Arc::from(name),
            callee: None,
        })
    }

    fn intern(&mut self, name: &'s str) -> Arc<str> {
        self.name(name).text.clone()
    }

    /// A function name, shared, and what it calls ([`resolve`], once a name).
    fn function(&mut self, name: &'s str) -> (Arc<str>, Option<Callee>) {
        let entry = self.name(name);
        let callee = *entry.callee.get_or_insert_with(|| resolve(name));
        (entry.text.clone(), callee)
    }

    // ----- errors -----

    fn errorf<T>(&self, msg: impl Into<String>) -> PResult<T> {
        let line = line_of(self.src, self.tok(self.furthest).start);
        Err(Error::parse(&self.file.name, line, &msg.into()))
    }

    /// Go's `item.String()`.
    fn describe(&self, t: &Token) -> String {
        match t.kind {
            Kind::Eof => "EOF".to_string(),
            Kind::Error => self.lex_error.as_deref().unwrap_or("").to_string(),
            // Go prints its keyword items, `.` and `nil` among them, in angle brackets.
            Kind::Keyword(_) | Kind::Dot | Kind::Nil => format!("<{}>", self.text(t)),
            _ => {
                let text = self.text(t);
                if text.chars().count() > 10 {
                    let cut: String = text.chars().take(10).collect();
                    format!("{}...", go_quote(&cut))
                } else {
                    go_quote(text)
                }
            }
        }
    }

    fn unexpected<T>(&self, t: &Token, context: &str) -> PResult<T> {
        if t.kind == Kind::Error {
            // Go names where a multi-line action began.
            let mut extra = String::new();
            let action_line = self.action_start.map(|at| line_of(self.src, at));
            if let Some(action_line) = action_line.filter(|&l| l != line_of(self.src, t.start)) {
                extra = format!(" in action started at {}:{action_line}", self.file.name);
                if self.describe(t).ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{}{extra}", self.describe(t)));
        }
        self.errorf(format!("unexpected {} in {context}", self.describe(t)))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> PResult<Token> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.errorf("max expression depth exceeded");
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Go's `Tree.add`: a second non-empty definition in one file is an error.
    fn add(&mut self, tree: Tree) -> PResult<()> {
        if let Some(i) = self.trees.iter().position(|t| t.name == tree.name) {
            if is_empty_tree(&self.trees[i]) {
                self.trees.remove(i);
            } else if !is_empty_tree(&tree) {
                return self.errorf(format!(
                    "template: multiple definition of template {}",
                    go_quote(&tree.name)
                ));
            } else {
                return Ok(());
            }
        }
        self.trees.push(tree);
        Ok(())
    }

    // ----- grammar -----

    fn parse_top(&mut self) -> PResult<List> {
        let base = self.nodes.len();
        loop {
            let t = self.peek();
            if t.kind == Kind::Eof {
                return Ok(List::Nodes(self.nodes.split_off(base)));
            }
            if t.kind == Kind::LeftDelim {
                let save = self.idx;
                self.next();
                if self.next_non_space().kind == Kind::Keyword(Keyword::Define) {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => self.nodes.push(n),
                Item::End => return self.errorf("unexpected {{end}}"),
                Item::Else => return self.errorf("unexpected {{else}}"),
            }
        }
    }

    /// `{{define "name"}} … {{end}}`, parsed as a tree of its own with fresh scope.
    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space();
        if !matches!(t.kind, Kind::String | Kind::RawString) {
            return self.unexpected(&t, context);
        }
        let name = self.unquote(&t)?;
        self.expect(Kind::RightDelim, context)?;
        let (root, end) = self.sub_tree()?;
        if !matches!(end, Item::End) {
            return self.errorf(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add(Tree {
            name: Arc::from(name.as_str()),
            file: self.file.clone(),
            root,
        })
    }

    /// Parses a list with the scope a new Go `Tree` starts with.
    fn sub_tree(&mut self) -> PResult<(List, Item)> {
        let vars = std::mem::replace(&mut self.vars, vec![Arc::from("$")]);
        let range_depth = std::mem::replace(&mut self.range_depth, 0);
        let result = self.item_list();
        self.vars = vars;
        self.range_depth = range_depth;
        result
    }

    fn item_list(&mut self) -> PResult<(List, Item)> {
        let t = self.peek();
        if let Kind::Lazy(trim) = t.kind {
            // A skimmed list: the action that closes it comes next.
            self.next();
            let lazy = LazyList {
                start: t.start,
                end: t.end,
                trim,
                vars: self.vars.clone(),
                range_depth: self.range_depth,
                depth: self.depth,
                parsed: std::sync::OnceLock::new(),
            };
            return match self.text_or_action()? {
                Item::Node(_) => self.errorf("a skimmed list goes on after its end"),
                other => Ok((List::Lazy(Box::new(lazy)), other)),
            };
        }
        let base = self.nodes.len();
        loop {
            if self.peek_non_space().kind == Kind::Eof {
                return self.errorf("unexpected EOF");
            }
            match self.text_or_action()? {
                Item::Node(n) => self.nodes.push(n),
                other => return Ok((List::Nodes(self.nodes.split_off(base)), other)),
            }
        }
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Kind::Text => Ok(Item::Node(Node::Text {
                start: t.start,
                end: t.end,
            })),
            Kind::LeftDelim => {
                self.action_start = Some(t.start);
                let item = self.action();
                self.action_start = None;
                item
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        let pos = t.start;
        match t.kind {
            Kind::Keyword(Keyword::Block) => return self.block_control().map(Item::Node),
            Kind::Keyword(Keyword::Break) => return self.loop_control(pos, true).map(Item::Node),
            Kind::Keyword(Keyword::Continue) => {
                return self.loop_control(pos, false).map(Item::Node)
            }
            Kind::Keyword(Keyword::Else) => {
                // `{{else if …}}` / `{{else with …}}` leave the keyword pending.
                let peek = self.peek_non_space();
                if !matches!(
                    peek.kind,
                    Kind::Keyword(Keyword::If) | Kind::Keyword(Keyword::With)
                ) {
                    self.expect(Kind::RightDelim, "else")?;
                }
                return Ok(Item::Else);
            }
            Kind::Keyword(Keyword::End) => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Item::End);
            }
            Kind::Keyword(Keyword::If) => {
                return self.control("if").map(|b| Item::Node(Node::If(b)))
            }
            Kind::Keyword(Keyword::Range) => {
                return self.control("range").map(|b| Item::Node(Node::Range(b)))
            }
            Kind::Keyword(Keyword::With) => {
                return self.control("with").map(|b| Item::Node(Node::With(b)))
            }
            Kind::Keyword(Keyword::Template) => return self.template_control().map(Item::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", Kind::RightDelim)?;
        Ok(Item::Node(Node::Action(pipe)))
    }

    fn loop_control(&mut self, pos: Pos, is_break: bool) -> PResult<Node> {
        let name = if is_break {
            "{{break}}"
        } else {
            "{{continue}}"
        };
        let t = self.next_non_space();
        if t.kind != Kind::RightDelim {
            return self.unexpected(&t, name);
        }
        if self.range_depth == 0 {
            return self.errorf(format!("{name} outside {{{{range}}}}"));
        }
        Ok(if is_break {
            Node::Break(pos)
        } else {
            Node::Continue(pos)
        })
    }

    /// `if`, `range`, `with`: pipeline, list, optional else (chains for if/with).
    fn control(&mut self, context: &str) -> PResult<Box<Branch>> {
        self.enter()?;
        let vars = self.vars.len();
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let else_list = match next {
            Item::Else => {
                let chained = match (context, self.peek().kind) {
                    ("if", Kind::Keyword(Keyword::If)) => Some("if"),
                    ("with", Kind::Keyword(Keyword::With)) => Some("with"),
                    _ => None,
                };
                match chained {
                    Some(kw) => {
                        self.next();
                        let inner = self.control(kw)?;
                        Some(List::Nodes(vec![if kw == "if" {
                            Node::If(inner)
                        } else {
                            Node::With(inner)
                        }]))
                    }
                    None => {
                        let (list, next) = self.item_list()?;
                        if !matches!(next, Item::End) {
                            return self.errorf("expected end; found {{else}}");
                        }
                        Some(list)
                    }
                }
            }
            _ => None,
        };
        self.vars.truncate(vars);
        self.leave();
        Ok(Box::new(Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        }))
    }

    fn template_name(&mut self, context: &str) -> PResult<(Pos, String)> {
        let t = self.next_non_space();
        if !matches!(t.kind, Kind::String | Kind::RawString) {
            return self.unexpected(&t, context);
        }
        Ok((t.start, self.unquote(&t)?))
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let (pos, name) = self.template_name(context)?;
        let pipe = if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            Some(self.pipeline(context, Kind::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template {
            pos,
            name: Arc::from(name.as_str()),
            pipe,
        })
    }

    /// `{{block "name" pipe}} … {{end}}`: a definition plus a call to it.
    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        self.enter()?;
        let (pos, name) = self.template_name(context)?;
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        let (root, end) = self.sub_tree()?;
        if !matches!(end, Item::End) {
            return self.errorf(format!("unexpected {{{{else}}}} in {context}"));
        }
        let name: Arc<str> = Arc::from(name.as_str());
        self.add(Tree {
            name: name.clone(),
            file: self.file.clone(),
            root,
        })?;
        self.leave();
        Ok(Node::Template {
            pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> PResult<Pipe> {
        let pos = self.peek_non_space().start;
        let mut pipe = Pipe {
            pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations: `$x :=`, `$x =`, `$i, $v :=` (range only).
        while self.peek_non_space().kind == Kind::Variable {
            let save = self.idx;
            let v = self.next_non_space();
            let name = self.intern(self.text(&v));
            let next = self.peek_non_space();
            match next.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = next.kind == Kind::Assign;
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    break;
                }
                Kind::Char if self.text(&next) == "," => {
                    self.next_non_space();
                    pipe.decl.push(name.clone());
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                            _ => return self.errorf("range can only initialize variables"),
                        }
                    }
                    return self.errorf(format!("too many declarations in {context}"));
                }
                _ => {
                    self.idx = save;
                    break;
                }
            }
        }
        let base = self.cmds.len();
        loop {
            let t = self.next_non_space();
            if t.kind == end {
                pipe.cmds = self.cmds.split_off(base);
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match t.kind {
                Kind::Bool
                | Kind::CharConstant
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Complex
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    self.cmds.push(cmd);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.errorf(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool(..)
                        | Arg::Dot(_)
                        | Arg::Nil(_)
                        | Arg::Number { .. }
                        | Arg::String { .. }
                )
            ) {
                return self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().start;
        let base = self.args.len();
        loop {
            self.peek_non_space();
            if let Some(arg) = self.operand()? {
                self.args.push(arg);
            }
            let t = self.next();
            match t.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if self.args.len() == base {
            return self.errorf("empty command");
        }
        Ok(Command {
            pos,
            args: self.args.split_off(base),
        })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(mut node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(node));
        }
        let pos = self.peek().start;
        // A field or variable continues its own list (`term` made it big enough).
        let mut fields = match &mut node {
            Arg::Field { names, .. } => std::mem::take(names),
            Arg::Variable { fields, .. } => std::mem::take(fields),
            _ => Vec::with_capacity(self.fields_ahead()),
        };
        while self.peek().kind == Kind::Field {
            let t = self.next();
            let name = self.text(&t).get(1..).unwrap_or("");
            fields.push(self.intern(name));
        }
        Ok(Some(match node {
            Arg::Field { .. } => Arg::Field { pos, names: fields },
            Arg::Variable { name, .. } => Arg::Variable { pos, name, fields },
            Arg::Bool(..) | Arg::String { .. } | Arg::Number { .. } | Arg::Nil(_) | Arg::Dot(_) => {
                return self.errorf(format!(
                    "unexpected . after term {}",
                    go_quote(&node.to_string())
                ));
            }
            other => Arg::Chain {
                pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        let pos = t.start;
        let text = self.text(&t);
        Ok(Some(match t.kind {
            Kind::Identifier => {
                let (name, func) = self.function(text);
                let func = func.or((!self.check_funcs).then_some(Callee::Missing));
                let Some(func) = func else {
                    return self.errorf(format!("function {} not defined", go_quote(text)));
                };
                Arg::Function { pos, name, func }
            }
            Kind::Dot => Arg::Dot(pos),
            Kind::Nil => Arg::Nil(pos),
            Kind::Variable => {
                if !self.vars.iter().any(|v| &**v == text) {
                    return self.errorf(format!("undefined variable {}", go_quote(text)));
                }
                Arg::Variable {
                    pos,
                    name: self.intern(text),
                    fields: Vec::with_capacity(self.fields_ahead()),
                }
            }
            Kind::Field => {
                // Room for the fields that follow (`.Values.image.tag`), which
                // `operand` appends.
                let mut names = Vec::with_capacity(1 + self.fields_ahead());
                names.push(self.intern(text.get(1..).unwrap_or("")));
                Arg::Field { pos, names }
            }
            Kind::Bool => Arg::Bool(pos, text == "true"),
            Kind::Number | Kind::Complex | Kind::CharConstant => {
                let form = match t.kind {
                    Kind::CharConstant => literal::Form::Char,
                    Kind::Complex => literal::Form::Complex,
                    _ => literal::Form::Number,
                };
                let value = match literal::number(text, form) {
                    Ok(v) => v,
                    Err(msg) => return self.errorf(msg),
                };
                Arg::Number {
                    pos,
                    text: text.into(),
                    value,
                }
            }
            Kind::LeftParen => {
                self.enter()?;
                let pipe = self.pipeline("parenthesized pipeline", Kind::RightParen)?;
                self.leave();
                Arg::Pipe(Box::new(pipe))
            }
            Kind::String | Kind::RawString => {
                let value = match literal::plain(text) {
                    Some(body) => Value::str(body),
                    None => match literal::unquote_bytes(text) {
                        Some(bytes) => Value::go_string(bytes),
                        None => return self.errorf("invalid syntax"),
                    },
                };
                Arg::String {
                    pos,
                    quoted: text.into(),
                    value,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    /// How many field tokens follow the next one directly (`.b.c` after `.a`
    /// or `$x`), so their vector is allocated once at its size.
    fn fields_ahead(&self) -> usize {
        let rest = self.tokens.get(self.idx..).unwrap_or(&[]);
        rest.iter().take_while(|t| t.kind == Kind::Field).count()
    }

    fn unquote(&self, t: &Token) -> PResult<String> {
        match literal::unquote(self.text(t)) {
            Some(s) => Ok(s),
            None => self.errorf("invalid syntax"),
        }
    }
}

/// Resolves a function name: Helm's own executor-bound functions, then the shared
/// table (Go lets a FuncMap override builtins, e.g. Sprig's `slice`), then Go's
/// builtins.
pub fn resolve(name: &str) -> Option<Callee> {
    if let Some(b) = Builtin::lookup(name) {
        if matches!(
            b,
            Builtin::Include | Builtin::Tpl | Builtin::Required | Builtin::Fail | Builtin::Lookup
        ) {
            return Some(Callee::Builtin(b));
        }
    }
    if let Some(f) = funcs::table().get(name) {
        return Some(Callee::Table(f));
    }
    Builtin::lookup(name).map(Callee::Builtin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        match parse("t.yaml", src) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parse_errors_read_as_helm_prints_them() {
        // Each expectation was recorded with helm-oracle on a probe chart.
        assert_eq!(
            err("a: {{ .Values.x \n}}\n{{ if }}"),
            "parse error at (t.yaml:3): missing value for if"
        );
        assert_eq!(
            err("a: {{ foo 1 }}"),
            "parse error at (t.yaml:1): function \"foo\" not defined"
        );
        assert_eq!(
            err("{{ $x }}"),
            "parse error at (t.yaml:1): undefined variable \"$x\""
        );
        assert_eq!(
            err("{{ if 1 }}"),
            "parse error at (t.yaml:1): unexpected EOF"
        );
        assert_eq!(
            err("{{ end }}"),
            "parse error at (t.yaml:1): unexpected {{end}}"
        );
        assert_eq!(
            err("{{ break }}"),
            "parse error at (t.yaml:1): {{break}} outside {{range}}"
        );
    }

    #[test]
    fn defines_become_trees() {
        let trees = parse("f", "{{define \"a\"}}x{{end}}{{block \"b\" .}}y{{end}}z").unwrap();
        let names: Vec<&str> = trees.iter().map(|t| &*t.name).collect();
        assert_eq!(names, vec!["a", "b", "f"]);
        assert!(err("{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}")
            .ends_with("multiple definition of template \"a\""));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let src = "{{".to_string() + &"(".repeat(5000) + "1" + &")".repeat(5000) + "}}";
        assert!(err(&src).contains("max expression depth exceeded"));
    }
}
