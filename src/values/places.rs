//! Where the user wrote a value: the inputs of the user's values in merge
//! order, and the place of a path in the last one that sets it (later inputs
//! win, so that is the one that counts): `values.yaml:12:5` for YAML text,
//! the flag and its key for `--set` and its kin. A flag's value is never
//! shown: it may be a password.

use super::strvals::{assigned_keys, Mode};
use crate::location::Location;
use crate::yaml::places::{key_places, KeyPlace};
use std::cell::OnceCell;

/// One input of the user's values.
#[derive(Debug, Clone)]
pub enum ValueInput {
    /// YAML text: a values file, a stack's inline `values:` (at `prefix`
    /// inside the stack file), a HelmChart's `valuesContent`.
    Yaml {
        name: String,
        text: String,
        /// Keys that lead to the values inside `text`.
        prefix: Vec<String>,
        /// Added to every line: where `text` starts in `name` (0: at its top).
        line_offset: usize,
        /// Added to every column: the indentation of a block scalar.
        column_offset: usize,
        places: OnceCell<Vec<KeyPlace>>,
    },
    /// A flag (`--set`, `--set-string`, …) and the key paths its argument
    /// assigns; the value is not kept.
    Flag {
        flag: String,
        keys: Vec<Vec<String>>,
    },
}

impl ValueInput {
    pub fn yaml(name: impl Into<String>, text: impl Into<String>) -> ValueInput {
        ValueInput::yaml_at(name, text, &[])
    }

    /// YAML text whose values are at `prefix` (a stack's `releases.N.values`).
    pub fn yaml_at(
        name: impl Into<String>,
        text: impl Into<String>,
        prefix: &[&str],
    ) -> ValueInput {
        ValueInput::Yaml {
            name: name.into(),
            text: text.into(),
            prefix: prefix.iter().map(|s| s.to_string()).collect(),
            line_offset: 0,
            column_offset: 0,
            places: OnceCell::new(),
        }
    }

    /// YAML text found inside a file at `line` (1-based) of it, each line
    /// indented by `indent` (a block scalar's content).
    pub fn shifted(mut self, line: usize, indent: usize) -> ValueInput {
        if let ValueInput::Yaml {
            line_offset,
            column_offset,
            ..
        } = &mut self
        {
            *line_offset = line.saturating_sub(1);
            *column_offset = indent;
        }
        self
    }

    /// A flag's `key=value` argument, read with that flag's grammar (a
    /// name other than Helm's value flags reads as `--set`).
    pub fn flag(flag: &str, arg: &str) -> ValueInput {
        ValueInput::Flag {
            flag: flag.to_string(),
            keys: flag_keys(flag, arg),
        }
    }

    /// Where this input sets `path`, if it does.
    fn place_of(&self, path: &[String]) -> Option<String> {
        match self {
            ValueInput::Yaml {
                name,
                text,
                prefix,
                line_offset,
                column_offset,
                places,
            } => {
                let places = places.get_or_init(|| key_places(text));
                let full: Vec<&String> = prefix.iter().chain(path).collect();
                places
                    .iter()
                    .rev()
                    .find(|p| p.path.iter().eq(full.iter().copied()))
                    .map(|p| {
                        let (line, column) = (p.line + line_offset, p.column + column_offset);
                        Location::new(name, line, column).to_string()
                    })
            }
            ValueInput::Flag { flag, keys } => keys
                .iter()
                .rev()
                .find(|key| {
                    let n = key.len().min(path.len());
                    n > 0 && key[..n] == path[..n]
                })
                .map(|key| format!("{flag} {}", key.join("."))),
        }
    }
}

/// Where `path` was set: the last input that sets it.
pub fn locate(path: &[String], inputs: &[ValueInput]) -> Option<String> {
    inputs.iter().rev().find_map(|i| i.place_of(path))
}

/// The key paths a value flag's argument assigns. `--set-literal` takes
/// everything after the first `=` as the value and splits its key on dots;
/// a `--set-json` object sets its top-level keys; the others follow
/// `--set`'s grammar (see [`assigned_keys`]).
fn flag_keys(flag: &str, arg: &str) -> Vec<Vec<String>> {
    let split = |key: &str| key.split('.').map(str::to_string).collect::<Vec<_>>();
    match flag {
        "--set-literal" => arg
            .split_once('=')
            .map(|(k, _)| split(k))
            .into_iter()
            .collect(),
        "--set-json" if arg.trim_start().starts_with('{') => {
            match serde_json::from_str::<serde_json::Value>(arg.trim()) {
                Ok(serde_json::Value::Object(m)) => m.keys().map(|k| vec![k.clone()]).collect(),
                _ => Vec::new(),
            }
        }
        "--set-json" => assigned_keys(arg, Mode::Json),
        "--set-string" => assigned_keys(arg, Mode::Strings),
        "--set-file" => assigned_keys(arg, Mode::File(&|_| Ok(crate::value::Value::Nil))),
        _ => assigned_keys(arg, Mode::Typed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(String::from).collect()
    }

    #[test]
    fn the_last_input_that_sets_a_path_is_named() {
        let inputs = vec![
            ValueInput::yaml("a.yaml", "x:\n  y: 1\n"),
            ValueInput::yaml("b.yaml", "z: 1\nx:\n  y: 2\n"),
            ValueInput::flag("--set", "w.v=secret,q=1"),
        ];
        assert_eq!(locate(&path("x.y"), &inputs).as_deref(), Some("b.yaml:3:3"));
        assert_eq!(locate(&path("w.v"), &inputs).as_deref(), Some("--set w.v"));
        assert_eq!(locate(&path("nope"), &inputs), None);
    }

    #[test]
    fn values_inside_a_larger_file() {
        let stack = "name: s\nreleases:\n  - name: r\n    values:\n      a:\n        b: 1\n";
        let inputs = vec![ValueInput::yaml_at(
            "stack.yaml",
            stack,
            &["releases", "0", "values"],
        )];
        assert_eq!(
            locate(&path("a.b"), &inputs).as_deref(),
            Some("stack.yaml:6:9")
        );
        let content = ValueInput::yaml("m.yaml", "a: 1\n").shifted(10, 4);
        assert_eq!(
            locate(&path("a"), &[content]).as_deref(),
            Some("m.yaml:10:5")
        );
    }

    #[test]
    fn flag_keys_follow_each_flags_grammar() {
        assert_eq!(
            flag_keys("--set", r"a.b=1,c[0].d=2,e\.f=3,l={x,y.z}"),
            vec![path("a.b"), path("c.d"), vec!["e.f".to_string()], path("l")]
        );
        assert_eq!(flag_keys("--set-literal", "a.b=x,y=z"), vec![path("a.b")]);
        assert_eq!(
            flag_keys("--set-json", r#"{"a":{"b":1},"c,d":2}"#),
            vec![path("a"), vec!["c,d".to_string()]]
        );
        assert_eq!(
            flag_keys("--set-json", r#"a.b={"x,y":1}"#),
            vec![path("a.b")]
        );
    }
}
