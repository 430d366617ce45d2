//! Which subcharts are on, under which name, and what they export to their
//! parent: Helm's `condition`, `tags`, `alias` and `import-values`, applied to a
//! loaded chart tree before its values are coalesced for rendering (Helm's
//! `chartutil.ProcessDependencies`, which lives with values for the same reason).

use super::coalesce::{coalesce_values, merge_values, tables_into, Warnings};
use super::{deep_copy, path_to_map, path_value, table};
use crate::chart::{Chart, ChartError};
use crate::value::{Map, Value};

/// Helm's `ProcessDependenciesWithMerge`: applies aliases, drops disabled
/// subcharts (tags, then conditions), then imports values from children.
///
/// Returns the dotted paths of the values it consulted (each condition and
/// tag): Helm reads them, though no template may.
pub fn process(
    chart: &mut Chart,
    user: &Value,
    warn: &mut Warnings,
) -> Result<Vec<String>, ChartError> {
    let mut switches = Vec::new();
    enable(chart, user, "", warn, &mut switches)?;
    import_all(chart, warn)?;
    Ok(switches)
}

fn enable(
    chart: &mut Chart,
    values: &Value,
    path: &str,
    warn: &mut Warnings,
    switches: &mut Vec<String>,
) -> Result<(), ChartError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    // Subcharts that no declared dependency claims stay as they are; each
    // declared dependency takes a copy of its chart, renamed to its alias.
    let loaded = std::mem::take(&mut chart.dependencies);
    let mut kept: Vec<Chart> = loaded
        .iter()
        .filter(|c| {
            !chart
                .metadata
                .dependencies
                .iter()
                .any(|d| d.name == c.name() && compatible(&d.version, &c.metadata.version))
        })
        .cloned()
        .collect();
    for dep in chart.metadata.dependencies.iter_mut() {
        if let Some(c) = loaded
            .iter()
            .find(|c| c.name() == dep.name && compatible(&dep.version, &c.metadata.version))
        {
            let mut copy = c.clone();
            if !dep.alias.is_empty() {
                copy.metadata.name = dep.alias.clone();
            }
            kept.push(copy);
        }
        if !dep.alias.is_empty() {
            dep.name = dep.alias.clone();
        }
        dep.enabled = true;
    }
    chart.dependencies = kept;

    let cvals = coalesce_values(chart, values, warn)?;
    for dep in &chart.metadata.dependencies {
        switches.extend(dep.tags.iter().map(|t| format!("tags.{t}")));
        let conditions = dep.condition.trim().split(',').filter(|c| !c.is_empty());
        switches.extend(conditions.map(|c| format!("{path}{c}")));
    }
    apply_tags(chart, &cvals, warn);
    apply_conditions(chart, &cvals, path, warn);
    let off: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !d.enabled)
        .map(|d| d.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|c| !off.iter().any(|n| n == c.name()));
    chart
        .metadata
        .dependencies
        .retain(|d| !off.contains(&d.name));
    for sub in chart.dependencies.iter_mut() {
        let sub_path = format!("{path}{}.", sub.name());
        enable(sub, &cvals, &sub_path, warn, switches)?;
    }
    Ok(())
}

/// `tags:` — a dependency is off when one of its tags is false and none true.
fn apply_tags(chart: &mut Chart, cvals: &Value, warn: &mut Warnings) {
    let tags = match table(cvals, "tags") {
        Some(t) => t,
        None => return,
    };
    for dep in chart.metadata.dependencies.iter_mut() {
        let (mut any_true, mut any_false) = (false, false);
        for tag in &dep.tags {
            match tags.as_map().and_then(|t| t.get(tag)) {
                Some(Value::Bool(true)) => any_true = true,
                Some(Value::Bool(false)) => any_false = true,
                Some(_) => warn.0.push(format!(
                    "tag {tag:?} for chart {} returned non-bool value",
                    dep.name
                )),
                None => {}
            }
        }
        dep.enabled = any_true || !any_false;
    }
}

/// `condition:` — the first of its comma-separated paths that holds a bool decides.
fn apply_conditions(chart: &mut Chart, cvals: &Value, path: &str, warn: &mut Warnings) {
    for dep in chart.metadata.dependencies.iter_mut() {
        for cond in dep.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{path}{cond}")) {
                Some(Value::Bool(b)) => {
                    dep.enabled = b;
                    break;
                }
                Some(_) => warn.0.push(format!(
                    "condition path {cond:?} for chart {} returned non-bool value",
                    dep.name
                )),
                None => {}
            }
        }
    }
}

/// Children first: a chart's values become its coalesced values with what its
/// dependencies export merged under them (the parent's own values win).
fn import_all(chart: &mut Chart, warn: &mut Warnings) -> Result<(), ChartError> {
    for sub in chart.dependencies.iter_mut() {
        import_all(sub, warn)?;
    }
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = merge_values(chart, &Value::map(Map::new()), warn)?;
    let imported = Map::new();
    for dep in chart.metadata.dependencies.iter_mut() {
        let mut normalised = Vec::new();
        for iv in &dep.import_values {
            let (child, parent) = match iv {
                Value::Map(m, _) => (
                    go_string(m.get("child").as_ref()),
                    go_string(m.get("parent").as_ref()),
                ),
                Value::String(s) => (format!("exports.{s}"), ".".to_string()),
                _ => continue,
            };
            let entry = Map::new();
            entry.insert("child", Value::str(child.as_str()));
            entry.insert("parent", Value::str(parent.as_str()));
            normalised.push(Value::map(entry));
            match table(&cvals, &format!("{}.{child}", dep.name)) {
                // What was imported first wins over later imports.
                Some(t) => {
                    let add = path_to_map(&parent, deep_copy(&t));
                    tables_into(&imported, add.as_map().expect("a map"), "", true, warn);
                }
                None => warn.0.push(format!(
                    "ImportValues missing table from chart {}: {child}",
                    dep.name
                )),
            }
        }
        dep.import_values = normalised;
    }
    // The parent's own values win over what it imports.
    tables_into(cvals.as_map().expect("a map"), &imported, "", true, warn);
    chart.values = cvals;
    Ok(())
}

/// Go's `fmt.Sprintf("%v", x)` of an import-values field (`<nil>` when absent).
fn go_string(v: Option<&Value>) -> String {
    match v {
        None => "<nil>".into(),
        Some(v) => v.to_string(),
    }
}

/// Helm's `IsCompatibleRange`: the version satisfies the constraint; an
/// unparsable constraint or version is not compatible.
fn compatible(constraint: &str, version: &str) -> bool {
    use crate::semver::{Constraint, Version};
    match (Constraint::parse(constraint), Version::parse(version)) {
        (Ok(c), Ok(v)) => c.matches(&v),
        _ => false,
    }
}
