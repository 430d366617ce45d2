//! A Go `text/template` engine with Helm's and Sprig's functions.
//!
//! Shaped like minijinja: [`lexer`] → [`parser`] (an [`ast`] with source spans) →
//! [`exec`] over [`value::Value`]s, with the function table in [`funcs`] kept apart
//! from evaluation, and Go's `fmt` in [`gofmt`]. The engine knows nothing of charts,
//! files on disk or the network: Helm's objects (`.Files`, `.Capabilities`) come in
//! as [`value::Object`]s made by the caller.
//!
//! Errors display as Helm 4 prints them after `Error: ` (see [`error`]). Functions
//! in [`funcs`] return `Err(message)`; the executor turns it into Go's
//! `error calling NAME: message` (a message already starting with that prefix is
//! kept as it is), except two kinds that Go raises before calling, which are
//! reported as Go reports them: `wrong number of args for NAME: …` (at the
//! function name) and `wrong type for value; expected T; got G` (at the argument
//! of type G, as `expected string; found 1` when it is a literal).
//!
//! ```
//! use chartfix::engine::{Engine, Value};
//! let mut engine = Engine::new();
//! engine.add("t", r#"{{ define "x" }}[{{ . }}]{{ end }}{{ include "x" .name }}"#).unwrap();
//! let mut data = chartfix::engine::Map::new();
//! data.insert("name", Value::from("redis"));
//! assert_eq!(engine.render("t", &Value::map(data)).unwrap(), "[redis]");
//! ```

pub(crate) mod ast;
mod builtins;
pub mod error;
mod exec;
pub(crate) mod funcs;
mod helm;
mod lexer;
mod literal;
mod params;
pub(crate) mod parser;
mod typecheck;

pub use error::{Error, ErrorKind};
// The engine computes with the crate's data model; re-exported so that an
// embedder of the engine alone needs one import.
pub use crate::value::{Map, Object, SharedWrites, Value};

use ast::Tree;
use foldhash::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::Arc;

/// One named set of parsed templates (a chart and its subcharts).
///
/// Parsing happens once, in [`Engine::add`]; rendering only reads the set, so an
/// engine can be shared between threads.
pub struct Engine {
    templates: HashMap<Arc<str>, Arc<Tree>>,
    limits: Limits,
    /// Units of [`funcs::work`] spent by all renders of this engine (a
    /// chart's templates, on any thread): the work budget is the chart's,
    /// or a loop in each of many templates would multiply it.
    work: AtomicU64,
}

/// Bounds on what one `render` may do: a fuel gauge against hostile charts.
#[derive(Clone, Debug)]
pub struct Limits {
    /// How deep one template name may be nested through `include` (Helm's 1000).
    pub max_include_depth: usize,
    /// Nesting of `{{template}}` calls within one execution: Go's 100000, with
    /// its message. The stack grows on demand (about 1 KB a level, 112 MB peak
    /// at the full depth) and the steps limit bounds the time.
    pub max_template_depth: usize,
    /// How deep `tpl` calls may nest: Helm has no bound and dies of a Go stack
    /// overflow when a template feeds its own output to `tpl`.
    pub max_tpl_depth: usize,
    /// Bytes written by one render, all intermediate `include` output counted
    /// (with [`Engine::render_counted`], by a whole chart's renders together).
    pub max_output_bytes: usize,
    /// Nodes walked plus loop iterations in one render.
    pub max_steps: u64,
    /// Key generation and password hashing in all renders of one engine, in
    /// the units of [`funcs::work`] (about 85 ms of one core each). Steps
    /// cannot bound these: an RSA-4096 key is one step but about a second of
    /// CPU, so a short loop over `genPrivateKey` would otherwise run for
    /// hours.
    pub max_work: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_include_depth: 1000,
            max_template_depth: 100_000,
            max_tpl_depth: 1000,
            max_output_bytes: 100 * 1024 * 1024,
            max_steps: 100_000_000,
            // About 30 s of one core of a loaded 2-core machine (half that
            // on a quiet one): 32 RSA-4096 keys, 360 certificates or 360
            // bcrypt hashes, more than charts make.
            max_work: 360,
        }
    }
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    pub fn new() -> Engine {
        Engine {
            templates: HashMap::default(),
            limits: Limits::default(),
            work: AtomicU64::new(0),
        }
    }

    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Parses one file under `name` (e.g. "redis/templates/svc.yaml"); its
    /// `{{define}}`s join the set. A later definition of a name replaces an earlier
    /// one, unless it is empty (only whitespace), as Go's `AddParseTree` does.
    pub fn add(&mut self, name: &str, source: &str) -> Result<(), Error> {
        self.add_trees(parser::parse(name, source)?);
        Ok(())
    }

    /// Adds the trees [`parser::parse`] made of one file, as [`Engine::add`]
    /// does; parsing apart lets callers parse many files on several threads.
    pub fn add_trees(&mut self, trees: Vec<Tree>) {
        self.add_shared(trees.into_iter().map(Arc::new));
    }

    /// [`Engine::add_trees`] for trees other engines may hold too (a chart
    /// rendered for several releases, its files parsed once).
    pub fn add_shared(&mut self, trees: impl IntoIterator<Item = Arc<Tree>>) {
        for tree in trees {
            let replace = match self.templates.get(&tree.name) {
                Some(_) => !parser::is_empty_tree(&tree),
                None => true,
            };
            if replace {
                self.templates.insert(tree.name.clone(), tree);
            }
        }
    }

    /// Whether a template of that name (a file or a `define`) is in the set.
    pub fn contains(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// Starts the work budget ([`Limits::max_work`]) afresh: the renders that
    /// follow are a new render of the chart (run again in order).
    pub fn reset_work(&self) {
        self.work.store(0, std::sync::atomic::Ordering::Relaxed);
    }

    /// Executes the template `name` with `data` as dot, then removes every
    /// `<no value>` from the output, as Helm does.
    pub fn render(&self, name: &str, data: &Value) -> Result<String, Error> {
        self.render_counted(name, data, &AtomicUsize::new(0))
    }

    /// [`Engine::render`] with the output limit shared between calls, also
    /// calls on other threads: `written` holds the bytes the renders wrote and
    /// grows by this one's, so a chart of many templates cannot together
    /// exceed `max_output_bytes` either.
    pub fn render_counted(
        &self,
        name: &str,
        data: &Value,
        written: &AtomicUsize,
    ) -> Result<String, Error> {
        let Some(tree) = self.templates.get(name).cloned() else {
            return Err(Error::other(
                ErrorKind::NotFound,
                name,
                format!(
                    "template: no template {} associated with template \"gotpl\"",
                    crate::strconv::go_quote(name)
                ),
            ));
        };
        let mut ex = exec::Exec::new(self);
        ex.share_output_budget(written);
        let mut out = String::new();
        let result = ex.execute(&tree, data.clone(), &mut out);
        ex.sync_output_budget();
        result?;
        if out.contains("<no value>") {
            out = out.replace("<no value>", "");
        }
        Ok(out)
    }
}

#[cfg(test)]
mod lazy_tests;
#[cfg(test)]
mod tests;
