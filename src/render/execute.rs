//! Runs the template table through the engine: every template parsed into one
//! set (in Helm's order, so parents' definitions win), then each non-partial
//! template rendered with its chart's data and its own `.Template` (the engine
//! removes `<no value>` from the output, as Helm does).

use super::templates::Template;
use super::RenderError;
use crate::engine::{Engine, Limits, Map, Value};

/// Renders every non-partial template; returns (path, text) pairs. All of them
/// together may write at most `max_output_bytes`.
pub fn run(
    table: &[Template],
    max_output_bytes: usize,
) -> Result<Vec<(String, String)>, RenderError> {
    let mut engine = Engine::new();
    engine.set_limits(Limits {
        max_output_bytes,
        ..Limits::default()
    });
    for t in table {
        engine
            .add(&t.name, &t.source)
            .map_err(|e| RenderError(e.to_string()))?;
    }
    let mut out = Vec::with_capacity(table.len());
    let mut written = 0;
    for t in table.iter().filter(|t| !t.is_partial()) {
        // A copy of the chart's top level (one level: `.Values` stays shared,
        // so a template's `set` on it is seen by later templates, as in Helm).
        let data = t.data.as_map().cloned().unwrap_or_default();
        let tmpl = Map::new();
        tmpl.insert("BasePath", Value::str(t.base_path.as_str()));
        tmpl.insert("Name", Value::str(t.name.as_str()));
        data.insert("Template", Value::map(tmpl));
        let text = engine
            .render_counted(&t.name, &Value::map(data), &mut written)
            .map_err(|e| RenderError(e.to_string()))?;
        out.push((t.name.clone(), text));
    }
    Ok(out)
}
