//! Runs the templates through the engine: every template parsed into one set
//! (in Helm's order, so parents' definitions win), then each non-partial
//! template rendered with its chart's data and its own `.Template` (the engine
//! removes `<no value>` from the output, as Helm does).
//!
//! Parsing is most of a render's work and each file parses on its own, so
//! [`Parsing`] shares it out among threads, the caller's included; the set is
//! then assembled in Helm's order, so the result is the sequential one.

use super::templates::{Source, Template};
use super::RenderError;
use crate::engine::ast::Tree;
use crate::engine::{parser, Engine, Error, Map, SharedWrites, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Template files being parsed by whichever thread takes each next.
pub struct Parsing<'s> {
    sources: &'s [Source<'s>],
    next: AtomicUsize,
    done: Vec<OnceLock<Result<Vec<Tree>, Error>>>,
}

impl<'s> Parsing<'s> {
    pub fn new(sources: &'s [Source<'s>]) -> Parsing<'s> {
        Parsing {
            sources,
            next: AtomicUsize::new(0),
            done: sources.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Parses files until none is left untaken.
    pub fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(src) = self.sources.get(i) else {
                return;
            };
            let _ = self.done[i].set(parser::parse(&src.name, &src.text));
        }
    }

    /// The engine with every file's definitions, added in Helm's order; the
    /// first file (in that order) that failed to parse gives the error.
    pub fn into_engine(self) -> Result<Engine, RenderError> {
        self.work();
        let mut engine = Engine::new();
        for slot in self.done {
            let trees = slot
                .into_inner()
                .expect("every file is parsed once work() returns")
                .map_err(|e| RenderError(e.to_string()))?;
            engine.add_trees(trees);
        }
        Ok(engine)
    }
}

/// Parses `sources` on up to `threads` threads (the caller's included) while
/// `meanwhile` runs on the caller's, which then helps parsing what is left.
pub fn parse_while<T>(
    sources: &[Source<'_>],
    threads: usize,
    meanwhile: impl FnOnce() -> T,
) -> (T, Result<Engine, RenderError>) {
    let parsing = Parsing::new(sources);
    let out = std::thread::scope(|s| {
        for _ in 1..threads.min(sources.len()) {
            s.spawn(|| parsing.work());
        }
        let out = meanwhile();
        parsing.work();
        out
    });
    (out, parsing.into_engine())
}

/// Renders every non-partial template in order; returns (path, text) pairs.
pub fn run(engine: &Engine, table: &[Template]) -> Result<Vec<(String, String)>, RenderError> {
    let mut out = Vec::with_capacity(table.len());
    for t in table.iter().filter(|t| !t.is_partial()) {
        out.push((t.name.clone(), render_one(engine, t)?));
    }
    Ok(out)
}

/// Renders every non-partial template on up to `threads` threads, or `None`
/// when a template wrote to a map it shares with others (`set .Values …`):
/// then the order they run in matters, and the caller must run them again in
/// order, with fresh data, through [`run`]. Otherwise the result is [`run`]'s:
/// the first failing template in order gives the error.
pub fn run_at_once(
    engine: &Engine,
    table: &[Template],
    threads: usize,
) -> Option<Result<Vec<(String, String)>, RenderError>> {
    let todo: Vec<&Template> = table.iter().filter(|t| !t.is_partial()).collect();
    let slots: Vec<OnceLock<Result<String, RenderError>>> =
        todo.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(t) = todo.get(i) else {
            return;
        };
        let _ = slots[i].set(render_one(engine, t));
    };
    let watch = SharedWrites::watch();
    std::thread::scope(|s| {
        for _ in 1..threads.min(todo.len()) {
            s.spawn(work);
        }
        work();
    });
    if watch.seen() {
        return None;
    }
    let mut out = Vec::with_capacity(todo.len());
    for (t, slot) in todo.iter().zip(slots) {
        let text = slot.into_inner().expect("every template ran");
        match text {
            Ok(text) => out.push((t.name.clone(), text)),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(out))
}

fn render_one(engine: &Engine, t: &Template) -> Result<String, RenderError> {
    // A copy of the chart's top level (one level: `.Values` stays shared,
    // so a template's `set` on it is seen by later templates, as in Helm).
    let data = t.data.as_map().cloned().unwrap_or_default();
    let tmpl = Map::new();
    tmpl.insert("BasePath", Value::str(t.base_path.as_str()));
    tmpl.insert("Name", Value::str(t.name.as_str()));
    data.insert("Template", Value::map(tmpl));
    engine
        .render(&t.name, &Value::map(data))
        .map_err(|e| RenderError(e.to_string()))
}
