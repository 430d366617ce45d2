//! The head of a rendered document as Helm reads it to sort it: sigs.k8s.io/yaml
//! into Go's `SimpleHead` (`apiVersion`, `kind`, `metadata.name`,
//! `metadata.annotations`). Reading into a struct is stricter than reading a
//! value: a document that is a bare string, number or list, or whose `kind`
//! or annotations are not scalars, fails the whole render in Helm, with
//! encoding/json's wording. And it is looser: encoding/json matches field
//! names without regard to case, so `Kind:` sorts the document and
//! `Metadata: {Annotations: …}` makes a hook.

use crate::value::Value;
use crate::yaml;

/// What sorting needs of a document.
#[derive(Debug, Default, PartialEq)]
pub struct Head {
    /// `kind`, scalars made strings as sigs.k8s.io/yaml makes them.
    pub kind: String,
    /// The `helm.sh/hook` annotation, when there is one (`null` reads as "").
    pub hook: Option<String>,
}

const HOOK_ANNOTATION: &str = "helm.sh/hook";

/// Go's name for the anonymous struct of `SimpleHead.Metadata`.
const METADATA_TYPE: &str = r#"struct { Name string "json:\"name\""; Annotations map[string]string "json:\"annotations\"" }"#;

/// Reads a document's head; the error is what Helm prints after
/// `YAML parse error on PATH: `.
pub fn read(doc: &str) -> Result<Head, String> {
    // Integers stay integers: a `kind: 10` becomes "10", not a float's text.
    let root = yaml::from_str_typed(doc).map_err(|e| e.helm_message())?;
    if let Some(f) = untargeted_non_finite(&root) {
        return Err(format!(
            "error converting YAML to JSON: json: unsupported value: {}",
            go_float(f)
        ));
    }
    decode(&root).map_err(|e| format!("error unmarshaling JSON: while decoding JSON: json: {e}"))
}

/// A NaN or infinity that sigs.k8s.io/yaml cannot write as JSON: anywhere
/// but in the struct's string fields, where it is made a string first
/// (`kind: .inf` is the kind "+Inf"). Go's JSON encoder visits map keys in
/// sorted order, so the first one in that order is the one it reports.
fn untargeted_non_finite(root: &Value) -> Option<f64> {
    fn any_non_finite(v: &Value) -> Option<f64> {
        match v {
            Value::Float(f) if !f.is_finite() => Some(*f),
            Value::List(items) => items.iter().find_map(any_non_finite),
            Value::Map(m, _) => m.values().iter().find_map(any_non_finite),
            _ => None,
        }
    }
    // `string_fields`: the keys (folded) whose scalar values are strings;
    // `nested`: the key whose map value is targeted with `inner`.
    fn walk(v: &Value, string_fields: &[&str], nested: Option<(&str, Level)>) -> Option<f64> {
        let Value::Map(m, _) = v else {
            return any_non_finite(v);
        };
        for (k, v) in m.entries() {
            let found = if string_fields.iter().any(|f| fold_eq(&k, f)) {
                match v {
                    Value::Float(_) => None,
                    other => any_non_finite(&other),
                }
            } else {
                match nested {
                    Some((name, level)) if fold_eq(&k, name) => level.walk(&v),
                    _ => any_non_finite(&v),
                }
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    #[derive(Clone, Copy)]
    enum Level {
        Metadata,
        Annotations,
    }
    impl Level {
        fn walk(self, v: &Value) -> Option<f64> {
            match self {
                Level::Metadata => walk(v, &["name"], Some(("annotations", Level::Annotations))),
                // Every value of a map[string]string is a string target.
                Level::Annotations => match v {
                    Value::Map(m, _) => m.values().iter().find_map(|v| match v {
                        Value::Float(_) => None,
                        other => any_non_finite(other),
                    }),
                    other => any_non_finite(other),
                },
            }
        }
    }
    walk(
        root,
        &["apiversion", "kind"],
        Some(("metadata", Level::Metadata)),
    )
}

/// encoding/json's decoding of the converted document into `SimpleHead`:
/// keys in sorted order (sigs.k8s.io/yaml writes the JSON from a Go map), each
/// setting the field it matches case-insensitively, so of `Kind` and `kind`
/// the later, `kind`, wins; `null` leaves a string field as it was.
fn decode(root: &Value) -> Result<Head, String> {
    let fields = match root {
        Value::Nil => return Ok(Head::default()),
        Value::Map(m, _) => m.entries(),
        other => {
            return Err(format!(
                "cannot unmarshal {} into Go value of type util.SimpleHead",
                json_kind(other)
            ))
        }
    };
    let mut kind = String::new();
    // `None`: no metadata (or `metadata: null`, which resets the pointer).
    let mut meta: Option<Option<Vec<(String, String)>>> = None;
    for (k, v) in fields {
        if fold_eq(&k, "apiversion") {
            string_field(&v, "SimpleHead.apiVersion")?;
        } else if fold_eq(&k, "kind") {
            if let Some(s) = string_field(&v, "SimpleHead.kind")? {
                kind = s;
            }
        } else if fold_eq(&k, "metadata") {
            match &v {
                Value::Nil => meta = None,
                Value::Map(m, _) => {
                    let annotations = meta.get_or_insert(None);
                    decode_metadata(&m.entries(), annotations)?;
                }
                other => {
                    return Err(format!(
                        "cannot unmarshal {} into Go struct field SimpleHead.metadata of type {METADATA_TYPE}",
                        json_kind(other)
                    ))
                }
            }
        }
    }
    let hook = meta.flatten().and_then(|annotations| {
        annotations
            .into_iter()
            .rev()
            .find(|(k, _)| k == HOOK_ANNOTATION)
            .map(|(_, v)| v)
    });
    Ok(Head { kind, hook })
}

/// The fields of the metadata struct; `annotations` is `None` until a map
/// is read (an existing map is added to, as Go adds to it).
fn decode_metadata(
    fields: &[(String, Value)],
    annotations: &mut Option<Vec<(String, String)>>,
) -> Result<(), String> {
    for (k, v) in fields {
        if fold_eq(k, "name") {
            string_field(v, ".metadata.name")?;
        } else if fold_eq(k, "annotations") {
            match v {
                Value::Nil => *annotations = None,
                Value::Map(m, _) => {
                    let into = annotations.get_or_insert_with(Vec::new);
                    for (ak, av) in m.entries() {
                        // A null element is stored as the zero string.
                        let s = string_field(&av, ".metadata.annotations")?.unwrap_or_default();
                        into.push((ak, s));
                    }
                }
                other => {
                    return Err(format!(
                        "cannot unmarshal {} into Go struct field .metadata.annotations of type map[string]string",
                        json_kind(other)
                    ))
                }
            }
        }
    }
    Ok(())
}

/// A Go `string` field from a converted value: scalars are strings by now
/// (sigs.k8s.io/yaml formats numbers and booleans for string targets), `null`
/// leaves the field alone (`None`), a list or map is a type error.
fn string_field(v: &Value, field: &str) -> Result<Option<String>, String> {
    match v {
        Value::Nil => Ok(None),
        Value::Float(f) if !f.is_finite() => Ok(Some(go_float(*f).to_string())),
        Value::List(_) | Value::Map(_, _) => Err(format!(
            "cannot unmarshal {} into Go struct field {field} of type string",
            json_kind(v)
        )),
        other => Ok(Some(
            yaml::string_field(other).unwrap_or_else(|| other.to_string()),
        )),
    }
}

/// How `strconv.FormatFloat` writes the floats JSON cannot hold.
fn go_float(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

/// encoding/json's name for a JSON value's type in its errors.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::List(_) => "array",
        Value::Map(_, _) => "object",
        _ => "string",
    }
}

/// Whether `key` matches the lower-case ASCII field name `name` as
/// encoding/json matches (Unicode simple folding: the Kelvin sign is a `k`,
/// the long s an `s`).
fn fold_eq(key: &str, name: &str) -> bool {
    let mut key = key.chars();
    for want in name.chars() {
        let folded = match key.next() {
            Some('\u{212A}') => 'k',
            Some('\u{017F}') => 's',
            Some(c) => c.to_ascii_lowercase(),
            None => return false,
        };
        if folded != want {
            return false;
        }
    }
    key.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(doc: &str) -> Head {
        read(doc).unwrap()
    }

    #[test]
    fn reads_kind_and_hook() {
        let h = head("kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n");
        assert_eq!(h.kind, "Job");
        assert_eq!(h.hook.as_deref(), Some("pre-install"));
        assert_eq!(head("# only a comment\n"), Head::default());
    }

    #[test]
    fn field_names_match_without_case() {
        assert_eq!(head("Kind: Namespace\n").kind, "Namespace");
        // Sorted keys: `KIND` < `Kind` < `kind`, and the last one read wins.
        assert_eq!(head("kind: A\nKIND: B\nKind: C\n").kind, "A");
        assert_eq!(head("\u{212A}ind: Secret\n").kind, "Secret");
        let h = head("kind: A\nMetadata:\n  ANNOTATIONS:\n    helm.sh/hook: test\n");
        assert_eq!(h.hook.as_deref(), Some("test"));
        // Annotation keys are map keys: matched exactly.
        assert_eq!(
            head("metadata:\n  annotations:\n    helm.sh/Hook: test\n").hook,
            None
        );
    }

    #[test]
    fn scalars_become_strings() {
        assert_eq!(head("kind: 1e3\n").kind, "1000");
        assert_eq!(head("kind: 0x10\n").kind, "16");
        assert_eq!(head("kind: true\n").kind, "true");
        assert_eq!(head("kind: .inf\n").kind, "+Inf");
        assert_eq!(head("kind: null\n").kind, "");
        let h = head("metadata:\n  annotations:\n    helm.sh/hook: null\n");
        assert_eq!(h.hook.as_deref(), Some(""));
        assert_eq!(
            head("metadata:\n  annotations:\n    helm.sh/hook: 5\n")
                .hook
                .as_deref(),
            Some("5")
        );
    }

    #[test]
    fn documents_that_are_not_heads_fail_as_in_helm() {
        let err = |doc: &str| read(doc).unwrap_err();
        let prefix = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal";
        assert_eq!(
            err("hello world\n"),
            format!("{prefix} string into Go value of type util.SimpleHead")
        );
        assert_eq!(
            err("- a\n"),
            format!("{prefix} array into Go value of type util.SimpleHead")
        );
        assert_eq!(
            err("5\n"),
            format!("{prefix} number into Go value of type util.SimpleHead")
        );
        assert_eq!(
            err("kind: [1]\n"),
            format!("{prefix} array into Go struct field SimpleHead.kind of type string")
        );
        assert_eq!(
            err("apiVersion: {a: b}\n"),
            format!("{prefix} object into Go struct field SimpleHead.apiVersion of type string")
        );
        assert_eq!(
            err("metadata: x\n"),
            format!(
                "{prefix} string into Go struct field SimpleHead.metadata of type {METADATA_TYPE}"
            )
        );
        assert_eq!(
            err("metadata:\n  name: [x]\n"),
            format!("{prefix} array into Go struct field .metadata.name of type string")
        );
        assert_eq!(
            err("metadata:\n  annotations: [a]\n"),
            format!("{prefix} array into Go struct field .metadata.annotations of type map[string]string")
        );
        assert_eq!(
            err("metadata:\n  annotations:\n    a: {b: c}\n"),
            format!("{prefix} object into Go struct field .metadata.annotations of type string")
        );
        // The first error in sorted key order is the one reported.
        assert_eq!(
            err("kind: [1]\napiVersion: [2]\n"),
            format!("{prefix} array into Go struct field SimpleHead.apiVersion of type string")
        );
    }

    #[test]
    fn non_finite_floats_fail_outside_string_fields() {
        assert_eq!(
            read("kind: A\nx: .inf\n").unwrap_err(),
            "error converting YAML to JSON: json: unsupported value: +Inf"
        );
        assert_eq!(
            read("kind: [.nan]\n").unwrap_err(),
            "error converting YAML to JSON: json: unsupported value: NaN"
        );
        assert!(read("metadata:\n  annotations:\n    a: -.inf\n").is_ok());
    }
}
