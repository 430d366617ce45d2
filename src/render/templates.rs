//! The template table: every template of a chart and its enabled subcharts,
//! named by its full path, with the data it renders with (`.Values` scoped to
//! its chart, `.Chart`, `.Files`, `.Subcharts`, shared `.Release` and
//! `.Capabilities`).

use super::files::Files;
use crate::chart::Chart;
use crate::value::{Map, Value};
use crate::values::common::VALUES;
use std::sync::Arc;

/// One template to render (a partial is only parsed, for its definitions).
#[derive(Debug, Clone)]
pub struct Template {
    /// Full path, e.g. `redis/charts/common/templates/_names.tpl`.
    pub name: String,
    /// The data of its chart, without `.Template`.
    pub data: Value,
    /// `chart/templates` of its chart, for `.Template.BasePath`.
    pub base_path: String,
}

impl Template {
    /// A partial (`_` file) is parsed for its definitions but never rendered.
    pub fn is_partial(&self) -> bool {
        is_partial(&self.name)
    }
}

fn is_partial(name: &str) -> bool {
    name.rsplit('/').next().is_some_and(|b| b.starts_with('_'))
}

/// The text of one template file, named by its full path.
#[derive(Debug)]
pub struct Source {
    pub name: String,
    /// The file's bytes, shared with the chart (see [`crate::chart::shared_text`]).
    pub text: Arc<str>,
}

/// Every template file of `chart` (the root) and its subcharts, in the order
/// Helm parses them. Needs no values, so parsing can start before values are
/// coalesced.
pub fn sources(chart: &Chart) -> Vec<Source> {
    let mut out = Vec::new();
    walk(chart, chart.name(), &mut |c, path| {
        for t in templates_of(c) {
            out.push(Source {
                name: format!("{path}/{}", t.name),
                text: crate::chart::shared_text(&t.data),
            });
        }
    });
    out.sort_by(|a, b| parse_order(&a.name, &b.name));
    out
}

/// The templates of `chart` (the root) and its subcharts with the data each
/// renders with, in the order of [`sources`].
pub fn collect(chart: &Chart, values: Value, release: Value, caps: Value) -> Vec<Template> {
    let mut out = Vec::new();
    let shared = Map::new();
    shared.insert("Release", release);
    shared.insert("Capabilities", caps);
    add_chart(chart, true, chart.name(), values, &shared, &mut out);
    out.sort_by(|a, b| parse_order(&a.name, &b.name));
    out
}

/// Visits a chart and its subcharts, each with its full path.
fn walk<'c>(chart: &'c Chart, path: &str, f: &mut impl FnMut(&'c Chart, &str)) {
    for sub in &chart.dependencies {
        walk(sub, &format!("{path}/charts/{}", sub.name()), f);
    }
    f(chart, path);
}

/// A chart's template files; a library chart only lends definitions, so its
/// other files are not templates.
fn templates_of(chart: &Chart) -> impl Iterator<Item = &crate::chart::File> {
    let library = chart.metadata.is_library();
    chart
        .templates
        .iter()
        .filter(move |t| !library || is_partial(&t.name))
}

/// Adds one chart's templates; returns its data (its parent's `.Subcharts` entry).
fn add_chart(
    chart: &Chart,
    is_root: bool,
    path: &str,
    values: Value,
    shared: &Map,
    out: &mut Vec<Template>,
) -> Value {
    let subcharts = Map::new();
    for sub in &chart.dependencies {
        // A subchart sees its parent's section for it, when that is a map.
        let section = match values.get(sub.name()) {
            v @ Value::Map(_, _) => v,
            _ => Value::map(Map::new()),
        };
        let sub_path = format!("{path}/charts/{}", sub.name());
        let data = add_chart(sub, false, &sub_path, section, shared, out);
        subcharts.insert(sub.name().to_string(), data);
    }
    let data = shared.clone();
    data.insert("Chart", chart.metadata.to_value(is_root));
    data.insert(
        "Files",
        Value::object(Files::new(
            chart.files.iter().map(|f| (f.name.clone(), f.data.clone())),
        )),
    );
    // Helm's own type for `.Values`, the same map (see `values::common`).
    data.insert("Values", values.named(&VALUES));
    data.insert("Subcharts", Value::map(subcharts));
    let data = Value::map(data);
    // Templates see their chart's data as a `common.Values` (`typeOf $`), a
    // parent's `.Subcharts` the same map as a plain one.
    let dot = data.clone().named(&VALUES);
    for t in templates_of(chart) {
        out.push(Template {
            name: format!("{path}/{}", t.name),
            data: dot.clone(),
            base_path: format!("{path}/templates"),
        });
    }
    data
}

/// Helm parses deeper paths first and, at equal depth, in reverse name order,
/// so that a definition in a parent chart (parsed later) replaces a subchart's.
fn parse_order(a: &str, b: &str) -> std::cmp::Ordering {
    let depth = |s: &str| memchr::memchr_iter(b'/', s.as_bytes()).count();
    depth(b).cmp(&depth(a)).then_with(|| b.cmp(a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::loader::from_files;
    use crate::chart::File;

    #[test]
    fn parent_templates_are_parsed_last() {
        let f = |n: &str, d: &str| File {
            name: n.into(),
            data: d.as_bytes().into(),
        };
        let chart = from_files(vec![
            f("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            f("templates/a.yaml", "a"),
            f("templates/_h.tpl", "h"),
            f(
                "charts/lib/Chart.yaml",
                "apiVersion: v2\nname: lib\nversion: 1.0.0\ntype: library\n",
            ),
            f("charts/lib/templates/_l.tpl", "l"),
            f("charts/lib/templates/ignored.yaml", "x"),
        ])
        .unwrap();
        let t = collect(&chart, Value::map(Map::new()), Value::Nil, Value::Nil);
        let names: Vec<_> = t.iter().map(|t| t.name.as_str()).collect();
        let source_names: Vec<_> = sources(&chart).into_iter().map(|s| s.name).collect();
        assert_eq!(source_names, names);
        assert_eq!(
            names,
            [
                "top/charts/lib/templates/_l.tpl",
                "top/templates/a.yaml",
                "top/templates/_h.tpl"
            ]
        );
        assert_eq!(t[1].base_path, "top/templates");
        assert!(t[2].is_partial());
        assert_eq!(
            t[1].data
                .get("Subcharts")
                .get("lib")
                .get("Chart")
                .get("IsRoot"),
            Value::Bool(false)
        );
    }
}
