//! Hiding Secret values before anything is compared for display or printed:
//! the one masking path of chartfix. Everything that shows manifest content
//! beside other content goes through here:
//!
//! - [`mask_pair`]: two sides of one resource (`chartfix diff` in every format);
//! - [`mask_at`]: one field of a resource (overlays' `--explain` tables);
//! - [`mask_streams`]: two whole streams for a text diff (`verify`,
//!   `render --diff`), Secrets inside `kind: List` documents too;
//! - [`mask_message`]: an error about a document's text (the YAML reader's
//!   messages may quote a scalar), applied by [`crate::manifest::parse`].
//!
//! A reviewer needs to know *that* a Secret's key changed, never its value
//! (base64 is not encryption). Each value of `data` and `stringData` is
//! replaced by a marker that still says whether it changed, so field changes
//! and the unified diff show `<hidden>` → `<hidden, changed>` and nothing else.

use crate::manifest::{Document, ResourceId, Splitter};
use serde_json::Value;
use std::collections::HashMap;

pub const HIDDEN: &str = "<hidden>";
pub const HIDDEN_CHANGED: &str = "<hidden, changed>";

/// Fields of a Secret that hold its values.
const SECRET_FIELDS: [&str; 2] = ["data", "stringData"];

/// `kubectl apply` copies the whole object, values included, into this
/// annotation; it must be hidden too.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Masked copies of the two sides of a resource. Resources other than
/// Secrets come back unchanged.
pub fn mask_pair(
    id: &ResourceId,
    old: Option<&Value>,
    new: Option<&Value>,
) -> (Option<Value>, Option<Value>) {
    let mut old = old.cloned();
    let mut new = new.cloned();
    if id.kind != "Secret" {
        return (old, new);
    }
    for field in SECRET_FIELDS {
        let before = old.as_ref().and_then(|v| v.get(field)).cloned();
        if let Some(v) = old.as_mut() {
            mask_field(v, field, None);
        }
        if let Some(v) = new.as_mut() {
            mask_field(v, field, before.as_ref());
        }
    }
    let before = old.as_ref().and_then(last_applied).cloned();
    if let Some(v) = old.as_mut() {
        mask_last_applied(v, None);
    }
    if let Some(v) = new.as_mut() {
        mask_last_applied(v, before.as_ref());
    }
    (old, new)
}

/// [`mask_pair`] for one field of a resource, given by its JSON Pointer
/// (`/data/password`, `/stringData`, or empty for the whole resource): the
/// values an overlay's change record holds before and after.
pub fn mask_at(
    id: &ResourceId,
    path: &str,
    before: Option<&Value>,
    after: Option<&Value>,
) -> (Option<Value>, Option<Value>) {
    if id.kind != "Secret" {
        return (before.cloned(), after.cloned());
    }
    // Put each value where it sits in the resource, mask that, take it out.
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let nest = |v: &Value| {
        segments.iter().rev().fold(v.clone(), |inner, seg| {
            let key = seg.replace("~1", "/").replace("~0", "~");
            Value::Object([(key, inner)].into_iter().collect())
        })
    };
    let (b, a) = mask_pair(id, before.map(nest).as_ref(), after.map(nest).as_ref());
    let take = |v: Value| v.pointer(path).cloned();
    (b.and_then(take), a.and_then(take))
}

/// The marker for a value: `<hidden>` on the old side or when unchanged,
/// `<hidden, changed>` on the new side when the old side held a different
/// value under the same key.
fn marker(value: &Value, before: Option<&Value>) -> Value {
    match before {
        Some(b) if b != value => Value::String(HIDDEN_CHANGED.to_string()),
        _ => Value::String(HIDDEN.to_string()),
    }
}

/// Masks `doc[field]`. `before` is the old side's `doc[field]` when masking
/// the new side, `None` when masking the old side.
fn mask_field(doc: &mut Value, field: &str, before: Option<&Value>) {
    let Some(slot) = doc.get_mut(field) else {
        return;
    };
    match slot {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let prior = before.and_then(|b| b.get(k));
                *v = marker(v, prior);
            }
        }
        // Not a map (invalid for the API, but possible in a manifest): hide it whole.
        other => *other = marker(other, before),
    }
}

fn last_applied(doc: &Value) -> Option<&Value> {
    doc.get("metadata")?.get("annotations")?.get(LAST_APPLIED)
}

fn mask_last_applied(doc: &mut Value, before: Option<&Value>) {
    let slot = doc
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(|a| a.get_mut(LAST_APPLIED));
    if let Some(v) = slot {
        *v = marker(v, before);
    }
}

/// How [`mask_streams`] writes the documents it does not need to mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Byte for byte, as written (`verify`: a change of style is a change).
    AsWritten,
    /// Re-emitted in go-yaml's style, as overlays write what they change
    /// (`render --diff`: a diff of styles would hide the changes).
    Reemitted,
}

/// What stands for a document that does not parse but may be a Secret.
pub const UNPARSED_HIDDEN: &str = "# (a document that does not parse and may be a Secret: hidden)";

/// Two streams ready to be shown side by side (a unified diff): each Secret
/// (also an item of a `kind: *List`) is re-emitted with its values replaced
/// by markers, `<hidden, changed>` on the new side where the old side's
/// Secret of the same identity held another value. A document that does not
/// parse is kept as written unless the word `Secret` is in it: then it is
/// replaced by [`UNPARSED_HIDDEN`]. Every document keeps its head (marker
/// line and `# Source:` comments).
pub fn mask_streams(old: &str, new: &str, keep: Keep) -> (String, String) {
    let old_docs = documents(old);
    let new_docs = documents(new);
    let mut olds: Olds = HashMap::new();
    for d in &old_docs {
        if let Some(v) = &d.value {
            for (id, item) in secrets(v) {
                olds.entry(id).or_insert(item);
            }
        }
    }
    let old_text = emit_stream(&old_docs, keep, None);
    let new_text = emit_stream(&new_docs, keep, Some(&olds));
    (old_text, new_text)
}

/// One document of a stream: its head and text as written, and its data
/// when it parses (`None` when it does not; `Null` when it is blank).
struct Piece {
    head: String,
    text: String,
    value: Option<Value>,
}

fn documents(stream: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut splitter = Splitter::new(stream.as_bytes());
    // Reading from a byte slice cannot fail.
    while let Ok(Some(raw)) = splitter.next_doc() {
        let head = String::from_utf8_lossy(&raw.head()).into_owned();
        let text = String::from_utf8_lossy(&raw.bytes).into_owned();
        let value = Document::read(raw).ok().map(|d| d.value);
        out.push(Piece { head, text, value });
    }
    out
}

/// The Secrets a document declares: itself, or the items of a `*List`.
fn secrets(v: &Value) -> Vec<(ResourceId, &Value)> {
    let is_list = v
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"));
    let items: Vec<&Value> = match v.get("items").and_then(Value::as_array) {
        Some(items) if is_list => items.iter().collect(),
        _ => vec![v],
    };
    items
        .into_iter()
        .filter_map(|i| ResourceId::of(i).map(|id| (id, i)))
        .filter(|(id, _)| id.kind == "Secret")
        .collect()
}

/// The old side's Secrets by identity, given when masking the new side.
type Olds<'a> = HashMap<ResourceId, &'a Value>;

/// A masked copy of one object when it is a Secret.
fn mask_object(v: &Value, olds: Option<&Olds>) -> Option<Value> {
    let id = ResourceId::of(v).filter(|id| id.kind == "Secret")?;
    match olds {
        None => mask_pair(&id, Some(v), None).0,
        Some(olds) => mask_pair(&id, olds.get(&id).copied(), Some(v)).1,
    }
}

fn emit_stream(docs: &[Piece], keep: Keep, olds: Option<&Olds>) -> String {
    let mut out = String::new();
    for d in docs {
        let body = match &d.value {
            None if d.text.contains("Secret") => Some(format!("{UNPARSED_HIDDEN}\n")),
            None | Some(Value::Null) => None,
            Some(v) => {
                let mut masked = v.clone();
                let mut any = false;
                if let Some(m) = mask_object(v, olds) {
                    masked = m;
                    any = true;
                } else if let Some(Value::Array(items)) = masked.get_mut("items") {
                    for item in items.iter_mut() {
                        if let Some(m) = mask_object(item, olds) {
                            *item = m;
                            any = true;
                        }
                    }
                }
                (any || keep == Keep::Reemitted).then(|| crate::yaml::emit_json(&masked))
            }
        };
        match body {
            Some(body) => {
                out.push_str(&d.head);
                out.push_str(&body);
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(&d.text),
        }
    }
    out
}

/// An error message about a document's text, safe to print. When the text
/// may hold a Secret (the word `Secret` is in it), what the message quotes
/// from it is hidden: spans in backticks or quotes (`cannot decode !!str
/// `…` as a !!int`, Go's `"…"`), and what follows `value: ` (a map value
/// described whole). Other messages come back as they are.
pub fn mask_message(doc_text: &str, message: &str) -> String {
    if !doc_text.contains("Secret") {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(['`', '"', '\'']) {
        out.push_str(&rest[..i]);
        let quote = rest[i..].chars().next().unwrap_or('"');
        let after = &rest[i + 1..];
        // The closing quote, skipping backslash escapes inside Go's "…".
        let mut end = None;
        let mut escaped = false;
        for (j, c) in after.char_indices() {
            match c {
                '\\' if quote == '"' && !escaped => escaped = true,
                c if c == quote && !escaped => {
                    end = Some(j);
                    break;
                }
                _ => escaped = false,
            }
        }
        out.push(quote);
        out.push_str(HIDDEN);
        out.push(quote);
        match end {
            Some(j) => rest = &after[j + 1..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    if let Some(i) = out.find("value: ") {
        out.truncate(i + "value: ".len());
        out.push_str(HIDDEN);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OLD: &str = "# Source: c/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: 'one'}\n---\n# Source: c/s.yaml\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {pw: b2xkLXB3, same: c2FtZQ==}\nstringData: {token: old-token}\n---\nkind: List\napiVersion: v1\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: l}, stringData: {k: list-old}}\n";

    #[test]
    fn streams_hide_every_secret_value() {
        let new = OLD
            .replace("b2xkLXB3", "bmV3LXB3")
            .replace("old-token", "new-token")
            .replace("list-old", "list-new")
            .replace("'one'", "'two'");
        for keep in [Keep::AsWritten, Keep::Reemitted] {
            let (a, b) = mask_streams(OLD, &new, keep);
            for v in [
                "b2xkLXB3",
                "bmV3LXB3",
                "c2FtZQ==",
                "old-token",
                "new-token",
                "list-old",
                "list-new",
            ] {
                assert!(!a.contains(v) && !b.contains(v), "{keep:?} {v}:\n{a}\n{b}");
            }
            assert!(b.contains("pw: <hidden, changed>"), "{b}");
            assert!(b.contains("same: <hidden>\n"), "{b}");
            assert!(b.contains("k: <hidden, changed>"), "{b}");
            assert!(a.contains("# Source: c/s.yaml\n") && b.contains("# Source: c/s.yaml\n"));
        }
        // As written: the ConfigMap keeps its style, quotes and all.
        let (a, b) = mask_streams(OLD, &new, Keep::AsWritten);
        assert!(
            a.contains("data: {k: 'one'}") && b.contains("data: {k: 'two'}"),
            "{a}"
        );
        let (a, _) = mask_streams(OLD, OLD, Keep::Reemitted);
        assert!(a.contains("k: one\n"), "{a}");
        // No Secret: nothing changes.
        let cm = "a: 1\n---\nkind: ConfigMap\n";
        assert_eq!(
            mask_streams(cm, cm, Keep::AsWritten),
            (cm.into(), cm.into())
        );
    }

    #[test]
    fn broken_secrets_are_hidden_whole() {
        let broken = "---\nkind: Secret\nstringData: {pw: [hunter2\n";
        let (a, _) = mask_streams(broken, "", Keep::AsWritten);
        assert!(!a.contains("hunter2") && a.contains(UNPARSED_HIDDEN), "{a}");
    }

    #[test]
    fn messages_about_secrets_quote_nothing() {
        let secret = "kind: Secret\nstringData: {pw: !!int hunter2}\n";
        let m = mask_message(secret, "cannot decode !!str `hunter2` as a !!int");
        assert_eq!(m, "cannot decode !!str `<hidden>` as a !!int");
        let m = mask_message(secret, r#"invalid map key: map["pw":"hun\"ter2"] here"#);
        assert_eq!(m, r#"invalid map key: map["<hidden>":"<hidden>"] here"#);
        let m = mask_message(
            secret,
            "unsupported map key of type: uint64, key: 0x1, value: 12345",
        );
        assert_eq!(
            m,
            "unsupported map key of type: uint64, key: 0x1, value: <hidden>"
        );
        assert_eq!(mask_message(secret, "open `quote"), "open `<hidden>`");
        let cm = "kind: ConfigMap\n";
        assert_eq!(mask_message(cm, "cannot decode `x`"), "cannot decode `x`");
    }

    fn id(kind: &str) -> ResourceId {
        ResourceId::of(&json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "s"}}))
            .unwrap()
    }

    #[test]
    fn secret_values_become_markers() {
        let a = json!({"kind": "Secret", "data": {"same": "c2FtZQ==", "diff": "b2xk", "gone": "eA=="}, "stringData": "raw"});
        let b = json!({"kind": "Secret", "data": {"same": "c2FtZQ==", "diff": "bmV3", "added": "eQ=="}, "stringData": "other"});
        let (ma, mb) = mask_pair(&id("Secret"), Some(&a), Some(&b));
        assert_eq!(
            ma.unwrap(),
            json!({"kind": "Secret", "data": {"same": HIDDEN, "diff": HIDDEN, "gone": HIDDEN}, "stringData": HIDDEN})
        );
        assert_eq!(
            mb.unwrap(),
            json!({"kind": "Secret", "data": {"same": HIDDEN, "diff": HIDDEN_CHANGED, "added": HIDDEN}, "stringData": HIDDEN_CHANGED})
        );
    }

    #[test]
    fn one_field_at_a_time() {
        let s = id("Secret");
        let (b, a) = mask_at(&s, "/data/pw", Some(&json!("b2xk")), Some(&json!("bmV3")));
        assert_eq!(
            (b.unwrap(), a.unwrap()),
            (json!(HIDDEN), json!(HIDDEN_CHANGED))
        );
        let (b, a) = mask_at(&s, "/stringData", None, Some(&json!({"k": "v"})));
        assert_eq!((b, a.unwrap()), (None, json!({"k": HIDDEN})));
        let la = "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration";
        let (b, _) = mask_at(&s, la, Some(&json!("{\"data\":{}}")), None);
        assert_eq!(b.unwrap(), json!(HIDDEN));
        let whole = json!({"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}});
        let (b, a) = mask_at(&s, "", Some(&whole), None);
        assert_eq!((b.unwrap()["data"]["k"].clone(), a), (json!(HIDDEN), None));
        // A label of a Secret is not a value.
        let (b, _) = mask_at(&s, "/metadata/labels/x", Some(&json!("y")), None);
        assert_eq!(b.unwrap(), json!("y"));
        let (b, _) = mask_at(&id("ConfigMap"), "/data/k", Some(&json!("v")), None);
        assert_eq!(b.unwrap(), json!("v"));
    }

    #[test]
    fn other_kinds_untouched() {
        let a = json!({"kind": "ConfigMap", "data": {"k": "v"}});
        let (ma, _) = mask_pair(&id("ConfigMap"), Some(&a), None);
        assert_eq!(ma.unwrap(), a);
    }
}
