//! Executes parsed trees over [`Value`]s with Go's `text/template` semantics.
//!
//! Go distinguishes an *invalid* value (nothing at all: the result of a pipeline that
//! yielded nil, or a template called with nil data) from a *nil interface* (a map's
//! nil or missing entry, seen directly in a field chain). Field access on the first
//! quietly yields nothing; on the second it fails with `nil pointer evaluating
//! interface {}.x`. A [`Slot`] carries that distinction next to the value.
//!
//! Errors name the node Go would blame: the field chain, the argument, or the
//! whole command for errors returned by functions.

use super::ast::{Arg, Branch, Builtin, Callee, Command, List, Node, Pipe, Pos, Tree};
use super::builtins;
use super::error::{Cause, Error, ErrorKind};
use super::funcs::signatures::{Param, Params};
use super::funcs::TableFunc;
use super::params;
use super::typecheck::ArgTypeError;
use super::{Engine, Limits};
use crate::value::{meter, MapMethod, Value};
use foldhash::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Arc;

/// A value as the executor holds it, with whether it came straight out of an
/// `interface{}` container (a map entry or list element) without being unwrapped.
#[derive(Clone)]
pub struct Slot {
    pub value: Value,
    pub boxed: bool,
}

impl Slot {
    pub fn plain(value: Value) -> Slot {
        Slot {
            value,
            boxed: false,
        }
    }

    fn boxed(value: Value) -> Slot {
        Slot { value, boxed: true }
    }

    /// Go's type name of the value as the executor sees it.
    fn type_name(&self) -> String {
        if self.boxed {
            "interface {}".to_string()
        } else {
            self.value.type_name().to_string()
        }
    }
}

/// What walking a list ended with.
#[derive(PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

/// Templates visible to `tpl`: the engine's, overlaid by the tpl text's own.
pub type TreeMap = HashMap<Arc<str>, Arc<Tree>>;

/// The state of one `render` call.
pub struct Exec<'e> {
    pub engine: &'e Engine,
    /// Sets of templates parsed by enclosing `tpl` calls (innermost last).
    pub overlays: Vec<Arc<TreeMap>>,
    vars: Vec<(Arc<str>, Slot)>,
    /// Helm's `includedNames`: how deep each name is currently included.
    pub(super) include_counts: HashMap<Arc<str>, usize>,
    /// Nesting of `{{template}}` calls in the current execution (Go's `depth`).
    depth: usize,
    /// Nesting of `tpl` calls, and where the outermost one is (`file:line:col`).
    pub(super) tpl_depth: usize,
    tpl_origin: String,
    steps: u64,
    /// Bytes this execution wrote, intermediate `include` output counted.
    written: usize,
    /// A budget shared with other executions (on any thread), and how much of
    /// `written` it has been told of and how much the others had written then.
    budget: Option<&'e AtomicUsize>,
    told: usize,
    others: usize,
    /// The name `$`, shared by every scope.
    dollar: Arc<str>,
}

type R<T> = Result<T, Error>;

/// Runs `f` with at least `RED_ZONE` bytes of stack left, moving to a fresh
/// segment when the current one runs low: templates may recurse deeply (Helm
/// allows 1000 nested `include`s) and must end in an error, never a stack overflow.
fn grow<T>(f: impl FnOnce() -> T) -> T {
    const RED_ZONE: usize = 128 * 1024;
    const SEGMENT: usize = 2 * 1024 * 1024;
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

impl<'e> Exec<'e> {
    pub fn new(engine: &'e Engine) -> Exec<'e> {
        Exec {
            engine,
            overlays: Vec::new(),
            vars: Vec::new(),
            include_counts: HashMap::default(),
            depth: 0,
            tpl_depth: 0,
            tpl_origin: String::new(),
            steps: 0,
            written: 0,
            budget: None,
            told: 0,
            others: 0,
            dollar: Arc::from("$"),
        }
    }

    pub(super) fn limits(&self) -> &Limits {
        &self.engine.limits
    }

    pub fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        for set in self.overlays.iter().rev() {
            if let Some(t) = set.get(name) {
                return Some(t.clone());
            }
        }
        self.engine.templates.get(name).cloned()
    }

    /// Go's `Template.Execute`: a fresh variable scope with `$` bound to `data`.
    pub fn execute(&mut self, tree: &Tree, data: Value, out: &mut String) -> R<()> {
        let dot = Slot::plain(data);
        let saved_vars =
            std::mem::replace(&mut self.vars, vec![(self.dollar.clone(), dot.clone())]);
        let saved_depth = std::mem::replace(&mut self.depth, 0);
        let result = grow(|| self.walk_list(tree, &dot, &tree.root, out));
        self.vars = saved_vars;
        self.depth = saved_depth;
        result.map(|_| ())
    }

    // ----- errors -----

    fn error(&self, tree: &Tree, pos: Pos, context: &dyn std::fmt::Display, cause: Cause) -> Error {
        let (line, col) = tree.file.location(pos);
        Error::exec(
            &tree.file.name,
            line,
            col,
            &tree.name,
            &context.to_string(),
            cause,
        )
    }

    fn go_err<T>(&self, tree: &Tree, at: &Arg, msg: String) -> R<T> {
        Err(self.error(tree, at.pos(), at, Cause::Go(msg)))
    }

    fn tick(&mut self, tree: &Tree, pos: Pos) -> R<()> {
        self.steps += 1;
        if self.steps > self.limits().max_steps {
            let (line, col) = tree.file.location(pos);
            return Err(Error::other(
                ErrorKind::Limit,
                &tree.file.name,
                format!(
                    "template: {}:{line}:{col}: executing {}: stopped after {} steps (limit): \
                     a range over a huge number, or a loop that never ends?",
                    tree.file.name,
                    crate::strconv::go_quote(&tree.name),
                    self.limits().max_steps
                ),
            ));
        }
        Ok(())
    }

    /// Counts this execution's output against `budget` too.
    pub(super) fn share_output_budget(&mut self, budget: &'e AtomicUsize) {
        self.others = budget.load(AtomicOrdering::Relaxed);
        self.budget = Some(budget);
    }

    /// Tells the shared budget what was written since last time, and learns
    /// what the others wrote meanwhile.
    pub(super) fn sync_output_budget(&mut self) {
        if let Some(budget) = self.budget {
            let new = self.written - self.told;
            let total = budget.fetch_add(new, AtomicOrdering::Relaxed) + new;
            self.told = self.written;
            self.others = total - self.written;
        }
    }

    fn write(&mut self, tree: &Tree, out: &mut String, text: &str) -> R<()> {
        /// How much output may go untold to the shared budget: other threads
        /// may overrun the limit by at most this much each.
        const TELL_EVERY: usize = 1 << 16;
        self.written += text.len();
        if self.written - self.told >= TELL_EVERY {
            self.sync_output_budget();
        }
        if self.others + self.written > self.limits().max_output_bytes {
            return Err(Error::other(
                ErrorKind::Limit,
                &tree.file.name,
                format!(
                    "template: {}: executing {}: rendered output exceeds {} bytes (limit; \
                     raise it with --max-output if the chart really renders that much)",
                    tree.file.name,
                    crate::strconv::go_quote(&tree.name),
                    self.limits().max_output_bytes
                ),
            ));
        }
        out.push_str(text);
        Ok(())
    }

    // ----- variables -----

    fn var(&self, name: &str) -> Option<&Slot> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v)
    }

    fn set_var(&mut self, name: &str, value: Slot) -> bool {
        match self.vars.iter_mut().rev().find(|(n, _)| &**n == name) {
            Some(slot) => {
                slot.1 = value;
                true
            }
            None => false,
        }
    }

    // ----- walking -----

    fn walk_list(&mut self, tree: &Tree, dot: &Slot, list: &List, out: &mut String) -> R<Flow> {
        for node in list.nodes(&tree.file)? {
            let flow = self.walk(tree, dot, node, out)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, tree: &Tree, dot: &Slot, node: &Node, out: &mut String) -> R<Flow> {
        self.tick(tree, node_pos(node))?;
        match node {
            Node::Text { start, end } => {
                let text = tree
                    .file
                    .source
                    .get(*start as usize..*end as usize)
                    .unwrap_or("");
                self.write(tree, out, text)?;
            }
            Node::Action(pipe) => {
                let v = self.eval_pipe_slot(tree, dot, pipe)?;
                if pipe.decl.is_empty() {
                    let text = match &v.value {
                        Value::Object(o) if !v.boxed && addressable(pipe) => o.addressable_string(),
                        _ => None,
                    };
                    match text {
                        Some(text) => self.write(tree, out, &text)?,
                        None => self.print(tree, pipe.pos, out, &v.value)?,
                    }
                }
            }
            Node::If(b) => return grow(|| self.walk_if_with(tree, dot, b, false, out)),
            Node::With(b) => return grow(|| self.walk_if_with(tree, dot, b, true, out)),
            Node::Range(b) => return grow(|| self.walk_range(tree, dot, b, out)),
            Node::Template { pos, name, pipe } => {
                self.walk_template(tree, dot, *pos, name, pipe.as_ref(), out)?
            }
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    /// Go prints a pipeline's value with `fmt.Fprint`; nothing at all is `<no value>`.
    fn print(&mut self, tree: &Tree, pos: Pos, out: &mut String, v: &Value) -> R<()> {
        match v {
            Value::Nil => self.write(tree, out, "<no value>"),
            Value::String(s) => self.write(tree, out, s),
            other => {
                // Printing walks the value: metered like a function.
                let text = self.metered(tree, pos, || other.to_string())?;
                self.write(tree, out, &text)
            }
        }
    }

    fn walk_if_with(
        &mut self,
        tree: &Tree,
        dot: &Slot,
        b: &Branch,
        is_with: bool,
        out: &mut String,
    ) -> R<Flow> {
        let mark = self.vars.len();
        let v = self.eval_pipe(tree, dot, &b.pipe)?;
        let flow = if v.truthy() {
            if is_with {
                self.walk_list(tree, &Slot::plain(v), &b.list, out)
            } else {
                self.walk_list(tree, dot, &b.list, out)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(tree, dot, e, out)
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        flow
    }

    fn walk_range(&mut self, tree: &Tree, dot: &Slot, b: &Branch, out: &mut String) -> R<Flow> {
        let mark = self.vars.len();
        let result = self.range_body(tree, dot, b, out);
        self.vars.truncate(mark);
        // A `break` or `continue` ends here: it belongs to this range.
        result.map(|_| Flow::Normal)
    }

    fn range_body(&mut self, tree: &Tree, dot: &Slot, b: &Branch, out: &mut String) -> R<()> {
        let val = self.eval_pipe(tree, dot, &b.pipe)?;
        // Go ranges over map- and slice-typed objects (`.Files`, `.Files.Glob`)
        // as over their plain value.
        let val = match val {
            Value::Object(o) if matches!(o.kind_name(), "map" | "slice") => {
                o.to_plain().unwrap_or(Value::Object(o))
            }
            v => v,
        };
        let nvars = b.pipe.decl.len();
        let mark = self.vars.len();
        let mut ran = false;
        match &val {
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    ran = true;
                    let flow = self.iteration(
                        tree,
                        b,
                        mark,
                        Slot::plain(Value::Int(i as i64)),
                        Slot::boxed(item.clone()),
                        out,
                    )?;
                    if flow == Flow::Break {
                        break;
                    }
                }
            }
            Value::Bytes(bytes) => {
                for (i, byte) in bytes.iter().enumerate() {
                    ran = true;
                    let flow = self.iteration(
                        tree,
                        b,
                        mark,
                        Slot::plain(Value::Int(i as i64)),
                        Slot::plain(Value::Int(*byte as i64)),
                        out,
                    )?;
                    if flow == Flow::Break {
                        break;
                    }
                }
            }
            Value::Map(m, _) => {
                // A snapshot: the body may change the map (Go visits the keys it
                // sorted before the loop).
                for (k, v) in m.iter() {
                    ran = true;
                    let flow = self.iteration(
                        tree,
                        b,
                        mark,
                        Slot::plain(Value::from(k)),
                        Slot::boxed(v),
                        out,
                    )?;
                    if flow == Flow::Break {
                        break;
                    }
                }
            }
            // Go ranges over any integer type, giving values of that type.
            Value::Int(n) | Value::Int64(n) => {
                let int64 = matches!(val, Value::Int64(_));
                if nvars > 1 {
                    let at = last_evaluated(&b.pipe);
                    return self.go_err(
                        tree,
                        at,
                        format!("can't use {n} to iterate over more than one variable"),
                    );
                }
                for i in 0..(*n).max(0) {
                    ran = true;
                    let v = Slot::plain(if int64 {
                        Value::Int64(i)
                    } else {
                        Value::Int(i)
                    });
                    let flow = self.iteration(tree, b, mark, v.clone(), v, out)?;
                    if flow == Flow::Break {
                        break;
                    }
                }
            }
            Value::Nil => {}
            other => {
                let at = last_evaluated(&b.pipe);
                return self.go_err(tree, at, format!("range can't iterate over {other}"));
            }
        }
        if !ran {
            if let Some(e) = &b.else_list {
                self.walk_list(tree, dot, e, out)?;
            }
        }
        Ok(())
    }

    /// One pass of a range body, with the loop variables set as Go sets them.
    fn iteration(
        &mut self,
        tree: &Tree,
        b: &Branch,
        mark: usize,
        index: Slot,
        elem: Slot,
        out: &mut String,
    ) -> R<Flow> {
        self.tick(tree, b.pos)?;
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                // `range $i, $v = …` assigns existing variables.
                let (first, second) = if decl.len() > 1 {
                    (index.clone(), Some(elem.clone()))
                } else {
                    (elem.clone(), None)
                };
                self.assign(tree, b, &decl[0], first)?;
                if let (Some(v), Some(name)) = (second, decl.get(1)) {
                    self.assign(tree, b, name, v)?;
                }
            } else {
                // The declared variables sit on top of the stack, the element topmost.
                let n = self.vars.len();
                if let Some(top) = self.vars.get_mut(n.wrapping_sub(1)) {
                    top.1 = elem.clone();
                }
                if decl.len() > 1 {
                    if let Some(next) = self.vars.get_mut(n.wrapping_sub(2)) {
                        next.1 = index;
                    }
                }
            }
        }
        let flow = self.walk_list(tree, &elem, &b.list, out);
        self.vars.truncate(mark);
        flow
    }

    fn assign(&mut self, tree: &Tree, b: &Branch, name: &str, v: Slot) -> R<()> {
        if !self.set_var(name, v) {
            let at = last_evaluated(&b.pipe);
            return self.go_err(tree, at, format!("undefined variable: {name}"));
        }
        Ok(())
    }

    fn walk_template(
        &mut self,
        tree: &Tree,
        dot: &Slot,
        pos: Pos,
        name: &str,
        pipe: Option<&Pipe>,
        out: &mut String,
    ) -> R<()> {
        let context = super::ast::template_node_string(name, pipe);
        let Some(target) = self.lookup(name) else {
            return Err(self.error(
                tree,
                pos,
                &context,
                Cause::Go(format!(
                    "template {} not defined",
                    crate::strconv::go_quote(name)
                )),
            ));
        };
        if self.depth >= self.limits().max_template_depth {
            return Err(self.error(
                tree,
                pos,
                &context,
                Cause::Go(format!(
                    "exceeded maximum template depth ({})",
                    self.limits().max_template_depth
                )),
            ));
        }
        let data = match pipe {
            Some(p) => self.eval_pipe(tree, dot, p)?,
            None => Value::Nil,
        };
        let new_dot = Slot::plain(data);
        let saved = std::mem::replace(&mut self.vars, vec![(self.dollar.clone(), new_dot.clone())]);
        self.depth += 1;
        let result = grow(|| self.walk_list(&target, &new_dot, &target.root, out));
        self.depth -= 1;
        self.vars = saved;
        result.map(|_| ())
    }

    // ----- pipelines and commands -----

    /// Evaluates a pipeline and binds its declared variables; the result is unwrapped.
    fn eval_pipe(&mut self, tree: &Tree, dot: &Slot, pipe: &Pipe) -> R<Value> {
        self.eval_pipe_slot(tree, dot, pipe).map(|s| s.value)
    }

    /// [`Exec::eval_pipe`], keeping whether the value came out of an
    /// interface (a map element), which Go cannot take the address of.
    fn eval_pipe_slot(&mut self, tree: &Tree, dot: &Slot, pipe: &Pipe) -> R<Slot> {
        let mut last: Option<Slot> = None;
        for (i, cmd) in pipe.cmds.iter().enumerate() {
            // Go refuses arguments (or a piped value) to a parenthesized
            // pipeline before it evaluates anything of the command, so the
            // error is where Go last stood: the pipeline itself for its first
            // command, else the last node the previous command ran.
            if let Some(first @ Arg::Pipe(_)) = cmd.args.first() {
                if cmd.args.len() > 1 || i > 0 {
                    let msg = format!("can't give argument to non-function {first}");
                    return Err(match i {
                        0 => self.error(tree, pipe.pos, pipe, Cause::Go(msg)),
                        _ => {
                            let at = last_evaluated_in(&pipe.cmds[i - 1]);
                            self.error(tree, at.pos(), at, Cause::Go(msg))
                        }
                    });
                }
            }
            let fin = last.take().map(|s| s.value);
            last = Some(self.eval_command(tree, dot, cmd, fin)?);
        }
        let slot = last.unwrap_or_else(|| Slot::plain(Value::Nil));
        let value = &slot.value;
        for name in &pipe.decl {
            if pipe.is_assign {
                if !self.set_var(name, Slot::plain(value.clone())) {
                    let at = last_evaluated(pipe);
                    return self.go_err(tree, at, format!("undefined variable: {name}"));
                }
            } else {
                self.vars.push((name.clone(), Slot::plain(value.clone())));
            }
        }
        Ok(slot)
    }

    fn eval_command(
        &mut self,
        tree: &Tree,
        dot: &Slot,
        cmd: &Command,
        fin: Option<Value>,
    ) -> R<Slot> {
        let Some(first) = cmd.args.first() else {
            return Ok(Slot::plain(Value::Nil));
        };
        let rest = cmd.args.get(1..).unwrap_or(&[]);
        match first {
            Arg::Field { names, .. } => {
                self.field_chain(tree, dot, dot.clone(), names, first, rest, fin)
            }
            Arg::Chain { node, fields, .. } => {
                let recv = self.eval_arg(tree, dot, node)?;
                let recv = Slot::plain(recv.value);
                self.field_chain(tree, dot, recv, fields, chain_at(node), rest, fin)
            }
            Arg::Variable { name, fields, .. } => {
                let recv = self.variable(tree, first, name)?;
                if fields.is_empty() {
                    self.not_a_function(tree, first, rest, &fin)?;
                    return Ok(recv);
                }
                self.field_chain(tree, dot, recv, fields, first, rest, fin)
            }
            Arg::Function { name, func, .. } => {
                let v = self.call(tree, dot, first, name, *func, rest, fin, Some(cmd))?;
                Ok(Slot::plain(v))
            }
            Arg::Nil(_) => self.go_err(tree, first, "nil is not a command".to_string()),
            _ => {
                self.not_a_function(tree, first, rest, &fin)?;
                self.eval_arg(tree, dot, first)
            }
        }
    }

    fn not_a_function(&self, tree: &Tree, first: &Arg, rest: &[Arg], fin: &Option<Value>) -> R<()> {
        if !rest.is_empty() || fin.is_some() {
            return self.go_err(
                tree,
                first,
                format!("can't give argument to non-function {first}"),
            );
        }
        Ok(())
    }

    fn variable(&self, tree: &Tree, at: &Arg, name: &str) -> R<Slot> {
        match self.var(name) {
            Some(v) => Ok(v.clone()),
            None => self.go_err(tree, at, format!("undefined variable: {name}")),
        }
    }

    /// Evaluates an argument (Go's `evalArg` for an `interface{}` parameter).
    pub fn eval_arg(&mut self, tree: &Tree, dot: &Slot, arg: &Arg) -> R<Slot> {
        match arg {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(Slot::plain(Value::Nil)),
            Arg::Bool(_, b) => Ok(Slot::plain(Value::Bool(*b))),
            Arg::String { value, .. } => Ok(Slot::plain(value.clone())),
            Arg::Number { value, .. } => match value {
                Ok(v) => Ok(Slot::plain(v.clone())),
                Err(msg) => self.go_err(tree, arg, msg.clone()),
            },
            Arg::Field { names, .. } => {
                self.field_chain(tree, dot, dot.clone(), names, arg, &[], None)
            }
            Arg::Variable { name, fields, .. } => {
                let recv = self.variable(tree, arg, name)?;
                if fields.is_empty() {
                    return Ok(recv);
                }
                self.field_chain(tree, dot, recv, fields, arg, &[], None)
            }
            Arg::Chain { node, fields, .. } => {
                let recv = self.eval_arg(tree, dot, node)?;
                let recv = Slot::plain(recv.value);
                self.field_chain(tree, dot, recv, fields, chain_at(node), &[], None)
            }
            Arg::Pipe(p) => {
                // A parenthesised pipeline has its own variable scope for `:=`.
                let mark = self.vars.len();
                let v = grow(|| self.eval_pipe(tree, dot, p));
                self.vars.truncate(mark);
                Ok(Slot::plain(v?))
            }
            Arg::Function { name, func, .. } => {
                let v = self.call(tree, dot, arg, name, *func, &[], None, None)?;
                Ok(Slot::plain(v))
            }
        }
    }

    /// `.a.b.c` on `recv`; the last name gets the command's arguments when it is a method.
    #[allow(clippy::too_many_arguments)]
    fn field_chain(
        &mut self,
        tree: &Tree,
        dot: &Slot,
        recv: Slot,
        names: &[Arc<str>],
        at: &Arg,
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Slot> {
        let mut cur = recv;
        let last = names.len().saturating_sub(1);
        let mut fin = fin;
        for (i, name) in names.iter().enumerate() {
            let is_last = i == last;
            let (a, f) = if is_last {
                (args, fin.take())
            } else {
                (&[][..], None)
            };
            cur = self.field(tree, dot, cur, name, at, a, f)?;
        }
        Ok(cur)
    }

    #[allow(clippy::too_many_arguments)]
    fn field(
        &mut self,
        tree: &Tree,
        dot: &Slot,
        recv: Slot,
        name: &str,
        at: &Arg,
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Slot> {
        let has_args = !args.is_empty() || fin.is_some();
        match &recv.value {
            Value::Nil => {
                if recv.boxed {
                    self.go_err(
                        tree,
                        at,
                        format!("nil pointer evaluating interface {{}}.{name}"),
                    )
                } else {
                    // Nothing at all: Go returns nothing, quietly.
                    Ok(Slot::plain(Value::Nil))
                }
            }
            Value::Map(m, ty) => {
                // Go's template looks a method of the map's named type up
                // before the key.
                if let Some(method) = ty.and_then(|t| t.method(name)) {
                    let recv = recv.value.clone();
                    return self.map_method(tree, dot, &recv, method, at, args, fin);
                }
                if has_args {
                    return self.go_err(
                        tree,
                        at,
                        format!("{name} is not a method but has arguments"),
                    );
                }
                Ok(Slot::boxed(m.get(name).unwrap_or(Value::Nil)))
            }
            Value::Object(o) => {
                // A method without arguments reads like a field (`.Major`); objects
                // may serve those through `field`. With arguments it must be a method.
                let is_method = o.has_method(name);
                if !has_args || !is_method {
                    if let Some(v) = o.field(name) {
                        if has_args {
                            return self.go_err(
                                tree,
                                at,
                                format!("{name} has arguments but cannot be invoked as function"),
                            );
                        }
                        return Ok(Slot::plain(v));
                    }
                }
                let mut vals = Vec::with_capacity(args.len() + 1);
                for a in args {
                    vals.push(self.eval_arg(tree, dot, a)?.value);
                }
                if let Some(f) = fin {
                    vals.push(f);
                }
                match o.call(name, &vals) {
                    Some(Ok(v)) => Ok(Slot::plain(v)),
                    Some(Err(msg)) => Err(self.error(tree, at.pos(), at, call_cause(name, msg))),
                    None => self.go_err(
                        tree,
                        at,
                        format!("can't evaluate field {name} in type {}", o.type_name()),
                    ),
                }
            }
            _ => self.go_err(
                tree,
                at,
                format!("can't evaluate field {name} in type {}", recv.type_name()),
            ),
        }
    }

    /// Calls a method of a named map type ([`MapMethod`]) as Go calls a
    /// method: its arity first, then each argument converted to its
    /// parameter's type, then the call, whose error is `error calling NAME`.
    #[allow(clippy::too_many_arguments)]
    fn map_method(
        &mut self,
        tree: &Tree,
        dot: &Slot,
        recv: &Value,
        method: &MapMethod,
        at: &Arg,
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Slot> {
        let params = Params::new(method.signature);
        let (want, got) = (method.signature.len(), args.len() + fin.is_some() as usize);
        if want != got {
            let name = method.name;
            return self.go_err(
                tree,
                at,
                format!("wrong number of args for {name}: want {want} got {got}"),
            );
        }
        let mut vals = Vec::with_capacity(got);
        for (i, a) in args.iter().enumerate() {
            vals.push(self.typed_arg(tree, dot, a, params.at(i))?);
        }
        if let Some(v) = fin {
            if let Err(msg) = params::check_value(&v, false, params.at(args.len())) {
                return self.go_err(tree, at, msg);
            }
            vals.push(v);
        }
        let result = self.metered(tree, at.pos(), || (method.call)(recv, &vals))?;
        match result {
            Ok(v) => Ok(Slot::plain(v)),
            Err(msg) => Err(self.error(tree, at.pos(), at, call_cause(method.name, msg))),
        }
    }

    // ----- function calls -----

    /// Runs `run` (a function's body, or printing a value) on the thread's
    /// [`meter`], with at least 1 MiB of stack: what it charged inside (walks,
    /// parsing, regex compilation) joins the steps, and a walk that met a
    /// value nested too deep (a map that contains itself) is an error here.
    fn metered<T>(&mut self, tree: &Tree, pos: Pos, run: impl FnOnce() -> T) -> R<T> {
        meter::open(self.limits().max_steps.saturating_sub(self.steps));
        let out = stacker::maybe_grow(1 << 20, 8 << 20, run);
        let reading = meter::close();
        self.steps = self.steps.saturating_add(reading.spent);
        if reading.too_deep {
            let (line, col) = tree.file.location(pos);
            return Err(Error::other(
                ErrorKind::Limit,
                &tree.file.name,
                format!(
                    "template: {}:{line}:{col}: executing {}: a list or map nested too deep to \
                     walk ({} levels, {} in toYaml and toJson) (limit): does a map contain \
                     itself (`set $d \"k\" $d`), or a loop nest `dict`s or `list`s?",
                    tree.file.name,
                    crate::strconv::go_quote(&tree.name),
                    meter::MAX_DEPTH,
                    crate::yaml::json::MAX_JSON_DEPTH
                ),
            ));
        }
        self.tick(tree, pos)?;
        Ok(out)
    }

    /// Charges steps for what a function read and made: a call is one node
    /// but its work grows with its arguments and result (`contains` in 10 MB,
    /// `upper` of 10 MB, `toJson` of a long list), and a short loop over such
    /// a call would otherwise run for hours inside the step limit. One step
    /// per 16 bytes of string and per element of a list or map keeps Helm
    /// charts far below the limit (`toYaml` of 100 KB of values a thousand
    /// times costs 6 million steps). A result larger than the output limit is
    /// an error: memory all the same (a string doubled in a loop).
    fn charge_call(
        &mut self,
        tree: &Tree,
        ident: &Arg,
        name: &str,
        args: &[Value],
        result: &Value,
    ) -> R<()> {
        let read: u64 = args.iter().map(cost).sum();
        self.steps = self.steps.saturating_add(read + cost(result));
        let max = self.limits().max_output_bytes;
        let size = footprint(result);
        if size > max {
            let (line, col) = tree.file.location(ident.pos());
            return Err(Error::other(
                ErrorKind::Limit,
                &tree.file.name,
                format!(
                    "template: {}:{line}:{col}: executing {}: {name} made a value of {size} bytes, \
                     more than the output limit of {max} bytes (limit; raise it with \
                     --max-output if the chart really renders that much)",
                    tree.file.name,
                    crate::strconv::go_quote(&tree.name),
                ),
            ));
        }
        self.tick(tree, ident.pos())
    }

    /// Charges a costly function call (key generation, password hashing)
    /// before it runs, so a loop over it ends in an error instead of hours.
    fn charge_work(&mut self, tree: &Tree, ident: &Arg, name: &str, vals: &[Value]) -> R<()> {
        let cost = super::funcs::work(name, vals);
        if cost == 0 {
            return Ok(());
        }
        let spent = self.engine.work.fetch_add(cost, AtomicOrdering::Relaxed) + cost;
        let max = self.limits().max_work;
        if spent <= max {
            return Ok(());
        }
        let (line, col) = tree.file.location(ident.pos());
        Err(Error::other(
            ErrorKind::Limit,
            &tree.file.name,
            format!(
                "template: {}:{line}:{col}: {name}: key generation and password hashing \
                 stopped: one chart's render may do {max} units of it (an RSA-4096 key is \
                 60, a DSA key 30, a certificate 4, a bcrypt hash 1; about 15 s in all) \
                 (limit)",
                tree.file.name
            ),
        ))
    }

    /// Calls `func` with the argument nodes `args` (plus the piped `fin`). `ident` is
    /// the function's name node; `cmd` the whole command when it heads one.
    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        tree: &Tree,
        dot: &Slot,
        ident: &Arg,
        name: &str,
        func: Callee,
        args: &[Arg],
        fin: Option<Value>,
        cmd: Option<&Command>,
    ) -> R<Value> {
        let blame = |this: &Self, cause: Cause| -> Error {
            match cmd {
                Some(c) => this.error(tree, c.pos, c, cause),
                None => this.error(tree, ident.pos(), ident, cause),
            }
        };
        let nargs = args.len() + fin.is_some() as usize;
        match func {
            Callee::Missing => Err(self.error(
                tree,
                ident.pos(),
                ident,
                Cause::Go(format!(
                    "{} is not a defined function",
                    crate::strconv::go_quote(name)
                )),
            )),
            Callee::Table(TableFunc { func: f, params }) => {
                let mut vals = Vec::with_capacity(nargs);
                // Which arguments came straight out of a container (for Go's
                // "got interface {}" when one of them is nil).
                let mut boxed: u64 = 0;
                for (i, a) in args.iter().enumerate() {
                    let param = params.at(i);
                    if param != Param::Any {
                        vals.push(self.typed_arg(tree, dot, a, param)?);
                        continue;
                    }
                    let slot = self.eval_arg(tree, dot, a)?;
                    if slot.boxed && i < 64 {
                        boxed |= 1 << i;
                    }
                    vals.push(slot.value);
                }
                let piped = fin.is_some();
                if let Some(v) = fin {
                    // Go checks the piped value last, so its complaint is
                    // placed where the last argument (or the name) ran. A
                    // piped nil is Go's invalid value: the result of a command.
                    if let Err(msg) = params::check_value(&v, false, params.at(args.len())) {
                        let at = match args.last() {
                            Some(Arg::Pipe(p)) => last_evaluated(p),
                            Some(a) => a,
                            None => ident,
                        };
                        return self.go_err(tree, at, msg);
                    }
                    vals.push(v);
                }
                self.charge_work(tree, ident, name, &vals)?;
                let result = self.metered(tree, ident.pos(), || f(&vals))?;
                let result = result.map_err(|msg| {
                    if msg.starts_with("wrong number of args for ") {
                        return self.error(tree, ident.pos(), ident, Cause::Go(msg));
                    }
                    let bad = ArgTypeError {
                        name,
                        ident,
                        args,
                        vals: &vals,
                        boxed,
                        piped,
                    };
                    match bad.locate(&msg) {
                        Some((at, text)) => self.error(tree, at.pos(), at, Cause::Go(text)),
                        None => blame(self, call_cause(name, msg)),
                    }
                })?;
                self.charge_call(tree, ident, name, &vals, &result)?;
                Ok(result)
            }
            Callee::Builtin(b) => {
                if let Some(msg) = builtins::arity(b, name, args.len(), nargs) {
                    return Err(self.error(tree, ident.pos(), ident, Cause::Go(msg)));
                }
                if matches!(b, Builtin::And | Builtin::Or) {
                    return self.and_or(tree, dot, b == Builtin::Or, args, fin);
                }
                let mut vals = Vec::with_capacity(nargs);
                // Whether the first argument is a nil taken out of a map or
                // list (Go's nil interface) rather than Go's invalid value.
                let mut first_boxed = false;
                for (i, a) in args.iter().enumerate() {
                    let v = self.eval_arg(tree, dot, a)?;
                    if builtins::string_param(b, i) {
                        self.check_string(tree, a, &v)?;
                    }
                    first_boxed |= i == 0 && v.boxed;
                    vals.push(v.value);
                }
                if let Some(v) = fin {
                    // A piped value is the last argument: where that is a
                    // `string` parameter (`true | printf`), Go checks its
                    // type at the function's name.
                    let typed = builtins::string_param(b, vals.len());
                    if typed && !matches!(v, Value::String(_) | Value::RawString(_) | Value::Nil) {
                        let msg = format!(
                            "wrong type for value; expected string; got {}",
                            v.type_name()
                        );
                        return Err(self.error(tree, ident.pos(), ident, Cause::Go(msg)));
                    }
                    vals.push(v);
                }
                if let Some(msg) = reflect_failure(b, args.first(), &vals, first_boxed) {
                    return Err(blame(self, call_cause(name, msg)));
                }
                match b {
                    Builtin::Include => self.include(&vals).map_err(|c| blame(self, c)),
                    Builtin::Tpl => {
                        if self.tpl_depth == 0 {
                            let (line, col) = tree.file.location(ident.pos());
                            self.tpl_origin = format!("{}:{line}:{col}", tree.file.name);
                        }
                        if self.tpl_depth >= self.limits().max_tpl_depth {
                            return Err(Error::other(
                                ErrorKind::Limit,
                                &tree.file.name,
                                format!(
                                    "template: {}: tpl calls nested more than {} deep (limit): \
                                     does the text given to tpl call tpl on itself?",
                                    self.tpl_origin,
                                    self.limits().max_tpl_depth
                                ),
                            ));
                        }
                        // Parsing costs about 200 ns a byte of template
                        // text (10 steps), far more than the generic charge
                        // of a function's arguments.
                        let text = vals.first().and_then(Value::string_bytes).unwrap_or(&[]);
                        self.steps = self.steps.saturating_add(text.len() as u64 * 10);
                        self.tick(tree, ident.pos())?;
                        self.tpl_depth += 1;
                        let result = self.tpl(&vals);
                        self.tpl_depth -= 1;
                        result.map_err(|c| blame(self, c))
                    }
                    _ => {
                        let result =
                            self.metered(tree, ident.pos(), || builtins::call(b, &vals))?;
                        let result = result.map_err(|msg| blame(self, call_cause(name, msg)))?;
                        self.charge_call(tree, ident, name, &vals, &result)?;
                        Ok(result)
                    }
                }
            }
        }
    }

    /// An argument for a typed parameter, converted or checked as Go's
    /// `evalArg` does ([`params`]).
    fn typed_arg(&mut self, tree: &Tree, dot: &Slot, a: &Arg, param: Param) -> R<Value> {
        if let Some(converted) = params::convert_constant(a, param) {
            return converted.or_else(|msg| self.go_err(tree, a, msg));
        }
        let slot = self.eval_arg(tree, dot, a)?;
        if let Err(msg) = params::check_value(&slot.value, slot.boxed, param) {
            // Go checks a parenthesized argument after running it, so the
            // error is at the last node that ran inside (`<1>` of `(add 1 1)`).
            let at = match a {
                Arg::Pipe(p) => last_evaluated(p),
                _ => a,
            };
            return self.go_err(tree, at, msg);
        }
        Ok(slot.value)
    }

    /// Go checks an argument against a `string` parameter before calling.
    fn check_string(&self, tree: &Tree, at: &Arg, v: &Slot) -> R<()> {
        let msg = match (at, &v.value) {
            (_, Value::String(_) | Value::RawString(_)) => return Ok(()),
            (Arg::Number { text, .. }, _) => format!("expected string; found {text}"),
            (Arg::Bool(_, b), _) => format!("expected string; found {b}"),
            (Arg::Nil(_), _) => "cannot assign nil to string".to_string(),
            (_, Value::Nil) if !v.boxed => "invalid value; expected string".to_string(),
            (_, Value::Nil) => {
                "wrong type for value; expected string; got interface {}".to_string()
            }
            (_, other) => format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            ),
        };
        self.go_err(tree, at, msg)
    }

    /// `and`/`or` evaluate arguments only until one decides, and return that one.
    fn and_or(
        &mut self,
        tree: &Tree,
        dot: &Slot,
        is_or: bool,
        args: &[Arg],
        fin: Option<Value>,
    ) -> R<Value> {
        let mut last = Value::Nil;
        for a in args {
            last = self.eval_arg(tree, dot, a)?.value;
            if last.truthy() == is_or {
                return Ok(last);
            }
        }
        if let Some(v) = fin {
            last = v;
        }
        Ok(last)
    }
}

/// Steps for a value a function read or made: one per 16 bytes of a string,
/// one per element of a list or map.
fn cost(v: &Value) -> u64 {
    (match v {
        Value::String(s) => s.len() / 16,
        Value::RawString(r) => r.bytes().len() / 16,
        Value::Bytes(b) => b.len() / 16,
        Value::List(l) => l.len(),
        Value::Map(m, _) => m.size(),
        _ => 0,
    }) as u64
}

/// About how many bytes a value holds at its top level (an element is at
/// least a `Value`), against the output limit.
fn footprint(v: &Value) -> usize {
    const ELEMENT: usize = std::mem::size_of::<Value>();
    match v {
        Value::String(s) => s.len(),
        Value::RawString(r) => r.bytes().len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.len().saturating_mul(ELEMENT),
        Value::Map(m, _) => m.size().saturating_mul(ELEMENT * 2),
        _ => 0,
    }
}

/// The cause for an error a function returned: Go prefixes `error calling NAME: `.
/// What Go's reflection says where `len` and `call` get something they
/// cannot use, worded by what the argument was: `call` names the argument's
/// text (`non-function .Values.x of type float64`), and `len` of Go's
/// invalid value (a `nil` constant, a piped nil) fails inside reflect, where
/// a nil out of a map is a nil pointer.
fn reflect_failure(b: Builtin, first: Option<&Arg>, vals: &[Value], boxed: bool) -> Option<String> {
    let v = vals.first()?;
    match b {
        Builtin::Call if !v.is_nil() => {
            let name = first.map_or_else(|| v.to_string(), |a| a.to_string());
            Some(format!("non-function {name} of type {}", v.type_name()))
        }
        Builtin::Len if v.is_nil() && !boxed => {
            Some("reflect: call of reflect.Value.Type on zero Value".to_string())
        }
        _ => None,
    }
}

fn call_cause(name: &str, msg: String) -> Cause {
    let prefix = format!("error calling {name}: ");
    if msg.starts_with(&prefix) {
        Cause::Call(msg)
    } else {
        Cause::Call(prefix + &msg)
    }
}

/// Where Go's executor stands when the fields of `(pipe).a.b` fail: at the last
/// node it evaluated for the receiver.
fn chain_at(node: &Arg) -> &Arg {
    match node {
        Arg::Pipe(p) => last_evaluated(p),
        other => other,
    }
}

/// The node Go's executor was last at after evaluating `pipe`: what a `range`
/// over a bad value blames.
/// Whether a pipeline's value is one Go's template could take the address of:
/// it ends in a field, a variable or dot, not in a function's result (and,
/// checked apart, not in a map's element).
fn addressable(pipe: &Pipe) -> bool {
    match pipe.cmds.last().and_then(|c| c.args.first()) {
        Some(Arg::Field { .. } | Arg::Variable { .. } | Arg::Dot(_) | Arg::Chain { .. }) => true,
        Some(Arg::Pipe(p)) => addressable(p),
        _ => false,
    }
}

pub(super) fn last_evaluated(pipe: &Pipe) -> &Arg {
    let Some(cmd) = pipe.cmds.last() else {
        // Pipelines always have a command; this is only a fallback.
        static NIL: Arg = Arg::Nil(0);
        return &NIL;
    };
    last_evaluated_in(cmd)
}

/// [`last_evaluated`] for one command.
fn last_evaluated_in(cmd: &Command) -> &Arg {
    let Some(first) = cmd.args.first() else {
        static NIL: Arg = Arg::Nil(0);
        return &NIL;
    };
    // A call (a function, or a method reached through a field or variable)
    // evaluates its arguments after its name: the last one ran last.
    let last = match first {
        Arg::Function { .. } | Arg::Field { .. } | Arg::Variable { .. } | Arg::Chain { .. } => {
            cmd.args.last().unwrap_or(first)
        }
        _ => first,
    };
    match last {
        Arg::Pipe(p) => last_evaluated(p),
        a => a,
    }
}

/// Where a node starts, for errors raised before it runs.
fn node_pos(node: &Node) -> Pos {
    match node {
        Node::Text { start, .. } => *start,
        Node::Action(pipe) => pipe.pos,
        Node::If(b) | Node::With(b) | Node::Range(b) => b.pos,
        Node::Template { pos, .. } | Node::Break(pos) | Node::Continue(pos) => *pos,
    }
}
