//! The user's values, assembled as Helm assembles them: `-f` files in order
//! (later wins, `-` is stdin), then `--set-json`, `--set`, `--set-string`,
//! `--set-file` and `--set-literal`.

use super::places::ValueInput;
use super::strvals::{parse_into, Mode};
use crate::value::{Map, Value};

/// The values flags of `helm template`, in the order they were given.
#[derive(Debug, Default, Clone)]
pub struct ValueOptions {
    pub files: Vec<String>,
    pub json: Vec<String>,
    pub set: Vec<String>,
    pub strings: Vec<String>,
    pub file_values: Vec<String>,
    pub literals: Vec<String>,
}

/// Merges every source into one map of user values. Errors read as Helm's.
pub fn user_values(opts: &ValueOptions) -> Result<Map, String> {
    user_values_traced(opts).map(|(values, _)| values)
}

/// [`user_values`], and each input in merge order, to say later where a
/// value was written ([`super::places`]).
pub fn user_values_traced(opts: &ValueOptions) -> Result<(Map, Vec<ValueInput>), String> {
    let base = Map::new();
    let mut inputs = Vec::new();
    for path in &opts.files {
        // Helm's words first, then which kind of input it was.
        let raw = read_source(path).map_err(|e| format!("{e} (a values file, -f/--values)"))?;
        let text = String::from_utf8_lossy(&raw);
        inputs.push(ValueInput::yaml(path.as_str(), text.as_ref()));
        let v = crate::yaml::from_str(&text).map_err(|e| format!("failed to parse {path}: {e}"))?;
        let m = match v {
            Value::Map(m, _) => (*m).clone(),
            Value::Nil => Map::new(),
            _ => {
                return Err(format!(
                    "failed to parse {path}: error unmarshaling JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    if v.as_list().is_some() { "array" } else { "string" }
                ))
            }
        };
        merge_maps(&base, &m);
    }
    let flags = [
        ("--set-json", &opts.json),
        ("--set", &opts.set),
        ("--set-string", &opts.strings),
        ("--set-file", &opts.file_values),
        ("--set-literal", &opts.literals),
    ];
    for (flag, args) in flags {
        inputs.extend(args.iter().map(|a| ValueInput::flag(flag, a)));
    }
    for s in &opts.json {
        let trimmed = s.trim();
        // Helm's words, then the reason (which Helm leaves out), with a long
        // value cut short: a 100 000-deep `[[[…` need not fill the terminal.
        let shown = shorten(s);
        if trimmed.starts_with('{') {
            let j: serde_json::Value = crate::yaml::check_json_size(trimmed)
                .and_then(|_| serde_json::from_str(trimmed).map_err(|e| e.to_string()))
                .map_err(|e| format!("failed parsing --set-json data JSON: {shown}: {e}"))?;
            match Value::from_json(&j) {
                Value::Map(m, _) => merge_maps(&base, &m),
                _ => return Err(format!("failed parsing --set-json data JSON: {shown}")),
            }
        } else {
            parse_into(s, &base, Mode::Json)
                .map_err(|e| format!("failed parsing --set-json data {shown}: {e}"))?;
        }
    }
    for s in &opts.set {
        parse_into(s, &base, Mode::Typed).map_err(|e| format!("failed parsing --set data: {e}"))?;
    }
    for s in &opts.strings {
        parse_into(s, &base, Mode::Strings)
            .map_err(|e| format!("failed parsing --set-string data: {e}"))?;
    }
    let read_file = |p: &str| -> Result<Value, String> {
        let raw = read_source(p)?;
        Ok(Value::str(String::from_utf8_lossy(&raw).as_ref()))
    };
    for s in &opts.file_values {
        parse_into(s, &base, Mode::File(&read_file))
            .map_err(|e| format!("failed parsing --set-file data: {e}"))?;
    }
    for s in &opts.literals {
        set_literal(s, &base).map_err(|e| format!("failed parsing --set-literal data: {e}"))?;
    }
    Ok((base, inputs))
}

/// A flag's value for an error message: as given, or its first 100
/// characters and its length when it is long.
fn shorten(s: &str) -> String {
    if s.chars().count() <= 200 {
        return s.to_string();
    }
    let head: String = s.chars().take(100).collect();
    format!("{head}… ({} bytes)", s.len())
}

/// `--set-literal a.b=anything, even commas`: the value is taken as is.
fn set_literal(s: &str, base: &Map) -> Result<(), String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("key {s:?} has no value"))?;
    let path: Vec<&str> = key.split('.').collect();
    set_path(base, &path, Value::str(value));
    Ok(())
}

/// Sets a value at a path of keys, making (or copying) the maps on the way.
fn set_path(m: &Map, path: &[&str], value: Value) {
    match path {
        [] => {}
        [last] => {
            m.insert(*last, value);
        }
        [first, rest @ ..] => {
            let next = match m.get(first) {
                Some(Value::Map(inner, _)) => (*inner).clone(),
                _ => Map::new(),
            };
            set_path(&next, rest, value);
            m.insert(*first, Value::map(next));
        }
    }
}

/// Helm's `MergeMaps`: maps merge key by key, anything else replaces. Nested
/// maps of `base` are copied before they are written, never changed in place.
pub fn merge_maps(base: &Map, over: &Map) {
    for (k, v) in over.iter() {
        match (base.get(&k), &v) {
            (Some(Value::Map(b, _)), Value::Map(o, _)) => {
                let merged = (*b).clone();
                merge_maps(&merged, o);
                base.insert(k, Value::map(merged));
            }
            _ => {
                base.insert(k, v);
            }
        }
    }
}

/// Reads a values source: a path, or `-` for stdin.
fn read_source(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        return crate::input::read_all(std::io::stdin().lock())
            .map_err(|e| format!("reading values from stdin: {e}"));
    }
    crate::input::read(path).map_err(|e| format!("open {path}: {}", io_reason(&e)))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_sources_win_in_helm_order() {
        let dir = tempfile::tempdir().unwrap();
        let f1 = dir.path().join("a.yaml");
        let f2 = dir.path().join("b.yaml");
        std::fs::write(&f1, "a: {p: 1, q: 1}\nb: 1\n").unwrap();
        std::fs::write(&f2, "a: {q: 2}\n").unwrap();
        let opts = ValueOptions {
            files: vec![f1.display().to_string(), f2.display().to_string()],
            set: vec!["b=2".into()],
            strings: vec!["b=3".into()],
            literals: vec!["c.d=x,y".into()],
            ..Default::default()
        };
        let v = Value::map(user_values(&opts).unwrap());
        assert_eq!(v.to_string(), "map[a:map[p:1 q:2] b:3 c:map[d:x,y]]");
    }

    #[test]
    fn errors_name_the_source() {
        let opts = ValueOptions {
            files: vec!["/nonexistent/v.yaml".into()],
            ..Default::default()
        };
        assert_eq!(
            user_values(&opts).unwrap_err(),
            "open /nonexistent/v.yaml: no such file or directory (a values file, -f/--values)"
        );
        let opts = ValueOptions {
            set: vec!["a".into()],
            ..Default::default()
        };
        assert_eq!(
            user_values(&opts).unwrap_err(),
            "failed parsing --set data: key \"a\" has no value"
        );
    }
}
