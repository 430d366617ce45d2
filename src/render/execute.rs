//! Runs the templates through the engine: every template parsed into one set
//! (in Helm's order, so parents' definitions win), then each non-partial
//! template rendered with its chart's data and its own `.Template` (the engine
//! removes `<no value>` from the output, as Helm does).
//!
//! Parsing and running templates is most of a render's work, and each file
//! parses and (mostly) runs on its own, so on big charts both are shared out
//! among threads ([`super::parallel`]); results are taken in Helm's order, so
//! they are the sequential ones.

use super::early::EarlyParse;
use super::parallel;
use super::templates::{Source, Template};
use super::RenderError;
use crate::engine::{parser, Engine};
use crate::value::{Map, SharedWrites, Value};
use std::sync::atomic::AtomicUsize;

/// Parses `sources` on `threads` threads while `meanwhile` runs on the caller's
/// thread; the engine holds every file's definitions, added in Helm's order,
/// and the first file (in that order) that failed to parse gives the error.
/// Files `early` already parsed are taken from it.
pub fn parse_while<T>(
    sources: &[Source<'_>],
    early: EarlyParse,
    threads: usize,
    meanwhile: impl FnOnce() -> T,
) -> (T, Result<Engine, RenderError>) {
    let (out, parsed) = if early.is_active() {
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
        (out, parsed.into_iter().flatten().collect())
    } else {
        parallel::map_while(sources, threads, meanwhile, |s| {
            parser::parse(&s.name, &s.text)
        })
    };
    let mut engine = Engine::new();
    for trees in parsed {
        match trees {
            Ok(trees) => engine.add_trees(trees),
            Err(e) => return (out, Err(e.into())),
        }
    }
    (out, Ok(engine))
}

/// Renders every non-partial template in order; returns (path, text) pairs.
/// All of them together may write at most the engine's `max_output_bytes`.
pub fn run(engine: &Engine, table: &[Template]) -> Result<Vec<(String, String)>, RenderError> {
    let written = AtomicUsize::new(0);
    let mut out = Vec::with_capacity(table.len());
    for t in table.iter().filter(|t| !t.is_partial()) {
        out.push((t.name.clone(), render_one(engine, t, &written)?));
    }
    Ok(out)
}

/// Renders every non-partial template on `threads` threads, or `None` when a
/// template wrote to a map it shares with others (`set .Values …`): then the
/// order they run in matters, and the caller must run them again in order,
/// with fresh data, through [`run`]. Otherwise the result is [`run`]'s: the
/// first failing template in order gives the error.
pub fn run_at_once(
    engine: &Engine,
    table: &[Template],
    threads: usize,
) -> Option<Result<Vec<(String, String)>, RenderError>> {
    let todo: Vec<&Template> = table.iter().filter(|t| !t.is_partial()).collect();
    let written = AtomicUsize::new(0);
    let watch = SharedWrites::watch();
    let texts = parallel::map(&todo, threads, |t| {
        // Once a shared map is written the results will be thrown away:
        // running the templates left would only waste the time.
        if watch.seen() {
            return Err(RenderError::Unrenderable(String::new()));
        }
        render_one(engine, t, &written)
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

fn render_one(engine: &Engine, t: &Template, written: &AtomicUsize) -> Result<String, RenderError> {
    // A copy of the chart's top level (one level: `.Values` stays shared,
    // so a template's `set` on it is seen by later templates, as in Helm).
    let data = t.data.as_map().cloned().unwrap_or_default();
    let tmpl = Map::new();
    tmpl.insert("BasePath", Value::str(t.base_path.as_str()));
    tmpl.insert("Name", Value::str(t.name.as_str()));
    data.insert("Template", Value::map(tmpl));
    engine
        .render_counted(&t.name, &Value::map(data), written)
        .map_err(RenderError::from)
}
