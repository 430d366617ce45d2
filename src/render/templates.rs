//! The template table: every template of a chart and its enabled subcharts,
//! named by its full path, with the data it renders with (`.Values` scoped to
//! its chart, `.Chart`, `.Files`, `.Subcharts`, shared `.Release` and
//! `.Capabilities`).

use super::files::Files;
use crate::chart::Chart;
use crate::engine::{Map, Value};

/// One template to parse (and, unless a partial, to render).
#[derive(Debug, Clone)]
pub struct Template {
    /// Full path, e.g. `redis/charts/common/templates/_names.tpl`.
    pub name: String,
    pub source: String,
    /// The data of its chart, without `.Template`.
    pub data: Value,
    /// `chart/templates` of its chart, for `.Template.BasePath`.
    pub base_path: String,
}

impl Template {
    /// A partial (`_` file) is parsed for its definitions but never rendered.
    pub fn is_partial(&self) -> bool {
        self.name
            .rsplit('/')
            .next()
            .is_some_and(|b| b.starts_with('_'))
    }
}

/// Collects the templates of `chart` (the root) and its subcharts.
pub fn collect(chart: &Chart, values: Value, release: Value, caps: Value) -> Vec<Template> {
    let mut out = Vec::new();
    let shared = Map::new();
    shared.insert("Release", release);
    shared.insert("Capabilities", caps);
    add_chart(chart, true, chart.name(), values, &shared, &mut out);
    order_for_parsing(&mut out);
    out
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
            v @ Value::Map(_) => v,
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
    data.insert("Values", values);
    data.insert("Subcharts", Value::map(subcharts));
    let data = Value::map(data);
    let library = chart.metadata.is_library();
    for t in &chart.templates {
        // A library chart only lends definitions; its other files are not templates.
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if library && !base.starts_with('_') {
            continue;
        }
        out.push(Template {
            name: format!("{path}/{}", t.name),
            source: String::from_utf8_lossy(&t.data).into_owned(),
            data: data.clone(),
            base_path: format!("{path}/templates"),
        });
    }
    data
}

/// Helm parses deeper paths first and, at equal depth, in reverse name order,
/// so that a definition in a parent chart (parsed later) replaces a subchart's.
fn order_for_parsing(templates: &mut [Template]) {
    templates.sort_by(|a, b| {
        let (da, db) = (a.name.matches('/').count(), b.name.matches('/').count());
        db.cmp(&da).then_with(|| b.name.cmp(&a.name))
    });
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
            data: d.as_bytes().to_vec(),
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
