//! Changed fields between two versions of a resource, by path
//! (`spec.template.spec.containers[0].resources.requests.cpu`).

use serde_json::Value;

/// One changed field. `None` means the field is absent on that side.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

impl FieldChange {
    /// The old value as reports print it.
    pub fn old_text(&self) -> String {
        show(self.old.as_ref())
    }

    /// The new value as reports print it.
    pub fn new_text(&self) -> String {
        show(self.new.as_ref())
    }
}

/// A value on one line: compact JSON (strings quoted, so `"1"` and `1` stay
/// apart), or `(absent)`.
fn show(v: Option<&Value>) -> String {
    match v {
        Some(v) => v.to_string(),
        None => "(absent)".to_string(),
    }
}

/// A step into a value: a map key or a list index.
#[derive(Debug, Clone)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Past this depth a subtree is reported as one change, so hostile input
/// nested thousands deep cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// Every changed leaf, old keys in their order first, then keys only the new
/// side has. Lists are compared by position: Kubernetes lists such as
/// `containers` are ordered, and a position is what a reviewer looks up.
pub fn changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(Some(old), Some(new), &mut path, &mut out);
    out
}

fn walk<'a>(
    old: Option<&'a Value>,
    new: Option<&'a Value>,
    path: &mut Vec<Step<'a>>,
    out: &mut Vec<FieldChange>,
) {
    if old == new {
        return;
    }
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) if path.len() < MAX_DEPTH => {
            for (k, va) in a {
                path.push(Step::Key(k));
                walk(Some(va), b.get(k), path, out);
                path.pop();
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    path.push(Step::Key(k));
                    walk(None, Some(vb), path, out);
                    path.pop();
                }
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if path.len() < MAX_DEPTH => {
            for i in 0..a.len().max(b.len()) {
                path.push(Step::Index(i));
                walk(a.get(i), b.get(i), path, out);
                path.pop();
            }
        }
        _ => out.push(FieldChange {
            path: render(path),
            old: old.cloned(),
            new: new.cloned(),
        }),
    }
}

fn render(path: &[Step]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) => push_key(&mut s, k),
            Step::Index(i) => {
                s.push('[');
                s.push_str(&i.to_string());
                s.push(']');
            }
        }
    }
    s
}

/// Formats a path given as keys (for callers outside this module and tests).
pub fn format_path(keys: &[&str]) -> String {
    let mut s = String::new();
    for k in keys {
        push_key(&mut s, k);
    }
    s
}

/// A plain key joins with a dot; a key with dots or other punctuation
/// (`app.kubernetes.io/name`) is quoted in brackets so the path stays
/// unambiguous.
fn push_key(s: &mut String, k: &str) {
    let plain = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        if !s.is_empty() {
            s.push('.');
        }
        s.push_str(k);
    } else {
        s.push('[');
        s.push_str(&Value::String(k.to_string()).to_string());
        s.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_paths_with_indexes() {
        let a = json!({"spec": {"template": {"spec": {"containers": [{"resources": {"requests": {"cpu": "1"}}}]}}}});
        let b = json!({"spec": {"template": {"spec": {"containers": [{"resources": {"requests": {"cpu": "100m"}}}]}}}});
        let got = changes(&a, &b);
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].path,
            "spec.template.spec.containers[0].resources.requests.cpu"
        );
        assert_eq!(got[0].old, Some(json!("1")));
        assert_eq!(got[0].new, Some(json!("100m")));
    }

    #[test]
    fn added_removed_and_quoted_keys() {
        let a = json!({"metadata": {"labels": {"app.kubernetes.io/name": "x", "gone": 1}}, "l": [1, 2]});
        let b =
            json!({"metadata": {"labels": {"app.kubernetes.io/name": "y"}}, "l": [1], "n": true});
        let got: Vec<(String, Option<Value>, Option<Value>)> = changes(&a, &b)
            .into_iter()
            .map(|c| (c.path, c.old, c.new))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "metadata.labels[\"app.kubernetes.io/name\"]".to_string(),
                    Some(json!("x")),
                    Some(json!("y"))
                ),
                ("metadata.labels.gone".to_string(), Some(json!(1)), None),
                ("l[1]".to_string(), Some(json!(2)), None),
                ("n".to_string(), None, Some(json!(true))),
            ]
        );
    }

    #[test]
    fn type_change_is_one_change_and_depth_is_bounded() {
        let got = changes(&json!({"a": [1]}), &json!({"a": {"b": 1}}));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].path, "a");
        let mut deep_a = json!(1);
        let mut deep_b = json!(2);
        for _ in 0..1000 {
            deep_a = json!([deep_a]);
            deep_b = json!([deep_b]);
        }
        assert_eq!(changes(&deep_a, &deep_b).len(), 1);
    }
}
