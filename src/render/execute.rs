//! Runs the templates through the engine: every template parsed into one set
//! (in Helm's order, so parents' definitions win), then each non-partial
//! template rendered with its chart's data and its own `.Template` (the engine
//! removes `<no value>` from the output, as Helm does).
//!
//! Parsing and running templates is most of a render's work, and each file
//! parses and (mostly) runs on its own, so on big charts both are shared out
//! among threads ([`crate::parallel`]); results are taken in Helm's order, so
//! they are the sequential ones.

use super::early::EarlyParse;
use super::lazy::LazyParse;
use super::shared::{shareable, Parsed, SharedParses};
use super::templates::{Source, Template};
use super::RenderError;
use crate::engine::ast::File;
use crate::engine::{parser, Engine};
use crate::parallel;
use crate::value::{Map, SharedWrites, Value};
use crate::values::common::VALUES;
use std::sync::atomic::AtomicUsize;

/// Parses `sources` on `threads` threads while `meanwhile` runs on the caller's
/// thread; the engine holds every file's definitions, added in Helm's order,
/// and the first file (in that order) that failed to parse gives the error.
/// Files `early` already parsed are taken from it; with `shared`, files
/// another render has parsed (or is parsing) are taken from there.
///
/// On one thread with a core to spare, a helper on that core parses the
/// files lazily instead ([`LazyParse`]) and goes on parsing what the render
/// does not reach: the caller must [`finish`](LazyParse::finish) it before
/// trusting a render, and take its error before any other of the templates.
pub fn parse_while<T>(
    sources: &[Source],
    early: EarlyParse,
    threads: usize,
    shared: Option<&SharedParses>,
    meanwhile: impl FnOnce() -> T,
) -> (T, Result<Engine, RenderError>, LazyParse) {
    let mut lazy = LazyParse::whole();
    let (out, parsed): (T, Vec<Parsed>) = if let Some(shared) = shared {
        // Renders side by side share the parsing: one thread each.
        let out = meanwhile();
        let mut early = early.finish();
        let files: Vec<(&str, &str)> = sources.iter().map(|s| (&*s.name, &*s.text)).collect();
        let parsed = shared.parse_all(&files, |name, text| {
            early
                .take(name, text)
                .unwrap_or_else(|| parser::parse(name, text))
        });
        (out, parsed)
    } else if early.is_active() {
        // The worker has been parsing all along: let it finish while this
        // thread does its own work, then parse what it could not.
        let out = meanwhile();
        let mut early = early.finish();
        let mut parsed: Vec<_> = sources
            .iter()
            .map(|s| early.take(&s.name, &s.text))
            .collect();
        let missing: Vec<usize> = (0..sources.len())
            .filter(|&i| parsed[i].is_none())
            .collect();
        let late = parallel::map(&missing, threads, |&i| {
            parser::parse(&sources[i].name, &sources[i].text)
        });
        for (i, trees) in missing.into_iter().zip(late) {
            parsed[i] = Some(trees);
        }
        (out, parsed.into_iter().flatten().map(shareable).collect())
    } else if threads == 1 && parallel::spare_core() {
        // The helper parses while this thread coalesces the values; begun
        // early, it has parsed the templates the archive yielded already.
        let files = sources
            .iter()
            .map(|s| File::shared(&s.name, s.text.clone()))
            .collect();
        lazy = match early.into_helper() {
            Some(helper) => LazyParse::handed(files, helper),
            None => LazyParse::start(files),
        };
        let out = meanwhile();
        (out, lazy.trees())
    } else {
        let (out, parsed) = parallel::map_while(sources, threads, meanwhile, |s| {
            parser::parse(&s.name, &s.text)
        });
        (out, parsed.into_iter().map(shareable).collect())
    };
    let mut engine = Engine::new();
    for trees in parsed {
        match trees {
            Ok(trees) => engine.add_shared(trees),
            Err(e) => return (out, Err(e.into()), lazy),
        }
    }
    (out, Ok(engine), lazy)
}

/// Renders every non-partial template in order; returns (path, text) pairs.
/// All of them together may write at most the engine's `max_output_bytes`.
///
/// As in Helm, the templates of one chart share its top-level map: a template
/// that sets a key of `$` (`set $ "Values" …`) changes what the templates
/// rendered after it see; `.Template` is set on that map before each one.
pub fn run(engine: &Engine, table: &[Template]) -> Result<Vec<(String, String)>, RenderError> {
    let written = AtomicUsize::new(0);
    engine.reset_work();
    let mut out = Vec::with_capacity(table.len());
    for t in table.iter().filter(|t| !t.is_partial()) {
        if let Some(shared) = t.data.as_map() {
            shared.insert("Template", template_value(t));
        }
        let text = engine.render_counted(&t.name, &t.data, &written)?;
        out.push((t.name.clone(), text));
    }
    Ok(out)
}

/// Renders every non-partial template on `threads` threads, or `None` when a
/// template wrote to a map it shares with others (`set .Values …`, or a key
/// of `$`, which Helm's later templates would see): then the order they run
/// in matters, and the caller must run them again in order, with fresh data,
/// through [`run`]. Otherwise the result is [`run`]'s: the first failing
/// template in order gives the error.
pub fn run_at_once(
    engine: &Engine,
    table: &[Template],
    threads: usize,
) -> Option<Result<Vec<(String, String)>, RenderError>> {
    let todo: Vec<&Template> = table.iter().filter(|t| !t.is_partial()).collect();
    // Each template gets a copy of its chart's top level, made before the
    // watch begins: a write to it is a write Helm's later templates would
    // see, so it sends the render back to the ordered path.
    let copies: Vec<Value> = todo
        .iter()
        .map(|t| {
            let copy = t.data.as_map().cloned().unwrap_or_default();
            copy.insert("Template", template_value(t));
            Value::map(copy).named(&VALUES)
        })
        .collect();
    let written = AtomicUsize::new(0);
    engine.reset_work();
    let watch = SharedWrites::watch();
    let jobs: Vec<(&Template, &Value)> = todo.iter().copied().zip(&copies).collect();
    let texts = parallel::map(&jobs, threads, |(t, data)| {
        // Once a shared map is written the results will be thrown away:
        // running the templates left would only waste the time.
        if watch.seen() {
            return Err(RenderError::Unrenderable(String::new()));
        }
        engine
            .render_counted(&t.name, data, &written)
            .map_err(RenderError::from)
    });
    if watch.seen() {
        return None;
    }
    Some(
        todo.iter()
            .zip(texts)
            .map(|(t, text)| Ok((t.name.clone(), text?)))
            .collect(),
    )
}

/// `.Template` of a template: its name and its chart's `templates` folder,
/// a `common.Values` as Helm makes it.
fn template_value(t: &Template) -> Value {
    let tmpl = Map::new();
    tmpl.insert("BasePath", Value::str(t.base_path.as_str()));
    tmpl.insert("Name", Value::str(t.name.as_str()));
    Value::map(tmpl).named(&VALUES)
}
