//! From a path to a [`Chart`]: folders (with `.helmignore`), archives, and the
//! sorting of a chart's files into metadata, values, schema, templates, files
//! and subcharts, as Helm's loader does.

use super::archive::{read_archive_in, Budget, MAX_DEPTH};
use super::helmignore::{Rules, HELMIGNORE};
use super::metadata::{parse_dependencies, Metadata};
use super::{Chart, ChartError, File};
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Loads a chart from a folder or a `.tgz` archive.
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    load_observed(path, &mut |_, _| {})
}

/// [`load`], showing every archive entry to `observe` as it is read (see
/// [`super::archive::read_archive_observed`]); a folder shows nothing.
pub fn load_observed(
    path: &Path,
    observe: &mut dyn FnMut(&str, &Arc<[u8]>),
) -> Result<Chart, ChartError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        ChartError::new(format!(
            "path {:?} not found: {e}",
            path.display().to_string()
        ))
    })?;
    if meta.is_dir() {
        load_dir(path)
    } else {
        let bytes = crate::input::read(path)
            .map_err(|e| ChartError::new(format!("cannot read {}: {e}", path.display())))?;
        let mut budget = Budget::default();
        let files = read_archive_in(&bytes, &path.display().to_string(), &mut budget, observe)?;
        from_files_in(files, &mut budget, 0)
    }
}

/// Loads a chart from the bytes of a `.tgz` archive; `origin` names it in errors.
pub fn load_archive(bytes: &[u8], origin: &str) -> Result<Chart, ChartError> {
    let mut budget = Budget::default();
    let files = read_archive_in(bytes, origin, &mut budget, &mut |_, _| {})?;
    from_files_in(files, &mut budget, 0)
}

/// Loads a chart folder, leaving out what its `.helmignore` names.
pub fn load_dir(dir: &Path) -> Result<Chart, ChartError> {
    let ignore = dir.join(HELMIGNORE);
    let mut rules = match crate::input::read_if_present(&ignore) {
        Ok(Some(bytes)) => Rules::parse(&String::from_utf8_lossy(&bytes))?,
        Ok(None) => Rules::default(),
        Err(e) => {
            return Err(ChartError::new(format!(
                "cannot read {}: {e}",
                ignore.display()
            )))
        }
    };
    rules.add_defaults();
    let mut files = Vec::new();
    walk(dir, "", &rules, &mut files)?;
    from_files(files)
}

/// Go's `filepath.Walk` order (names sorted at each level), following links as
/// Helm's loader does.
fn walk(dir: &Path, rel: &str, rules: &Rules, out: &mut Vec<File>) -> Result<(), ChartError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| ChartError::new(format!("cannot read folder {}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let rel_name = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let meta = std::fs::metadata(&path)
            .map_err(|e| ChartError::new(format!("cannot read {}: {e}", path.display())))?;
        if meta.is_dir() {
            if !rules.ignored(&rel_name, true) {
                walk(&path, &rel_name, rules, out)?;
            }
            continue;
        }
        if rules.ignored(&rel_name, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(ChartError::new(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                path.display()
            )));
        }
        if meta.len() > super::archive::MAX_FILE_SIZE {
            return Err(ChartError::new(format!(
                "chart file {name:?} is larger than the maximum file size {}",
                super::archive::MAX_FILE_SIZE
            )));
        }
        let data = crate::input::read(&path)
            .map_err(|e| ChartError::new(format!("cannot read {}: {e}", path.display())))?;
        out.push(File {
            name: rel_name,
            data: super::file_bytes(&data),
        });
    }
    Ok(())
}

/// Sorts a chart's files into their roles and loads its subcharts.
pub fn from_files(files: Vec<File>) -> Result<Chart, ChartError> {
    from_files_in(files, &mut Budget::default(), 0)
}

/// [`from_files`] for a chart `depth` subcharts down, its subchart archives
/// drawing on `budget` (one for the whole tree).
fn from_files_in(files: Vec<File>, budget: &mut Budget, depth: usize) -> Result<Chart, ChartError> {
    let mut metadata: Option<Metadata> = None;
    let mut requirements = None;
    let mut values = Value::map(Default::default());
    let mut schema = None;
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {
                let text = super::text(&f.data);
                metadata = Some(Metadata::parse(&text)?);
            }
            "values.yaml" => values = parse_values(&f.data, "values.yaml")?,
            "values.schema.json" => schema = Some(f.data),
            "requirements.yaml" => requirements = Some(f.data),
            "Chart.lock" | "requirements.lock" => {}
            name if name.starts_with("templates/") => templates.push(f),
            name if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    other.push(f);
                    continue;
                }
                let rest = &name["charts/".len()..];
                let (sub, inner) = match rest.split_once('/') {
                    Some((s, i)) => (s.to_string(), i.to_string()),
                    None => (rest.to_string(), String::new()),
                };
                subcharts.entry(sub).or_default().push(File {
                    name: inner,
                    data: f.data,
                });
            }
            _ => other.push(f),
        }
    }
    let mut metadata = metadata.ok_or_else(|| ChartError::new("Chart.yaml file is missing"))?;
    if metadata.api_version == "v1" {
        if let Some(req) = requirements {
            let doc = crate::yaml::from_str(&String::from_utf8_lossy(&req))
                .map_err(|e| ChartError::new(format!("cannot load requirements.yaml: {e}")))?;
            metadata.dependencies =
                parse_dependencies(doc.as_map().and_then(|m| m.get("dependencies")).as_ref())?;
        }
    }
    metadata.validate()?;
    let mut dependencies = Vec::new();
    for (name, files) in subcharts {
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        if depth >= MAX_DEPTH {
            return Err(ChartError::new(format!(
                "subchart {name} in {} is nested more than {MAX_DEPTH} charts deep, the most chartfix loads; flatten the chart's dependencies",
                metadata.name
            )));
        }
        let sub = if name.ends_with(".tgz") {
            // An archive under charts/ is one file whose name is the folder key.
            let file = files.into_iter().find(|f| f.name.is_empty());
            match file {
                Some(f) => {
                    read_archive_in(&f.data, &format!("charts/{name}"), budget, &mut |_, _| {})
                        .and_then(|files| from_files_in(files, budget, depth + 1))
                }
                None => Err(ChartError::new(format!("expected {name} to be an archive"))),
            }
        } else {
            let files: Vec<File> = files.into_iter().filter(|f| !f.name.is_empty()).collect();
            if files.is_empty() {
                continue;
            }
            from_files_in(files, budget, depth + 1)
        };
        let sub = sub.map_err(|e| {
            ChartError::new(format!(
                "error unpacking subchart {name} in {}: {e}",
                metadata.name
            ))
        })?;
        dependencies.push(sub);
    }
    Ok(Chart {
        metadata,
        values,
        schema,
        templates,
        files: other,
        dependencies,
    })
}

/// Reads a values file: YAML with Helm's typing, a map or nothing.
pub fn parse_values(data: &[u8], name: &str) -> Result<Value, ChartError> {
    let text = super::text(data);
    let v = crate::yaml::from_str(&text)
        .map_err(|e| ChartError::new(format!("cannot load {name}: {e}")))?;
    match v {
        Value::Map(_, _) => Ok(v),
        Value::Nil => Ok(Value::map(Default::default())),
        _ => Err(ChartError::new(format!(
            "cannot load {name}: error unmarshaling JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            if v.as_list().is_some() { "array" } else { "string" }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, data: &str) -> File {
        File {
            name: name.into(),
            data: data.as_bytes().into(),
        }
    }

    #[test]
    fn sorts_files_into_roles() {
        let c = from_files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            file("values.yaml", "a: 1\n"),
            file("templates/x.yaml", "x"),
            file("crds/c.yaml", "c"),
            file("README.md", "r"),
            file(
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            file("charts/sub/templates/y.yaml", "y"),
        ])
        .unwrap();
        assert_eq!(c.templates.len(), 1);
        assert_eq!(c.files.len(), 2);
        assert_eq!(c.crd_files().count(), 1);
        assert_eq!(c.dependencies.len(), 1);
        assert_eq!(c.dependencies[0].templates[0].name, "templates/y.yaml");
        assert_eq!(c.values.get("a"), Value::Float(1.0));
    }

    #[test]
    fn missing_chart_yaml_names_the_subchart() {
        let err = from_files(vec![
            file("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            file("charts/sub/values.yaml", "a: 1\n"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "error unpacking subchart sub in top: Chart.yaml file is missing"
        );
    }
}
