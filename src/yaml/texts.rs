//! How each plain scalar of a manifest was written, so that a document an
//! overlay rewrites keeps the text of every value the overlay left alone.
//!
//! The manifest reader turns `mode: 0755` into the number 493 and `on` into
//! `true` (YAML 1.1, as Kubernetes reads it). Written back from the data
//! alone, those would print `493` and `true`: the same meaning, other text,
//! and a needless diff for whoever reads the output. So the document's text
//! is read a second time (only when it changed) into a [`Texts`] tree of the
//! same shape, which holds every untagged plain scalar's text beside what it
//! means. [`emit_json_kept`] writes a scalar with its source text when the
//! value at that place still means exactly what the text meant, and as
//! go-yaml would otherwise. Quoted and tagged scalars hold no text: their
//! value alone decides how they are written, as before.

use super::emitter::{self, Node, Shape};
use super::resolve::Resolved;
use super::trees::{JsonTree, Tree};
use serde_json::Value as J;
use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

/// The source text of a document's plain scalars, in the document's shape.
#[derive(Clone, Debug)]
pub enum Texts {
    /// An untagged plain scalar: what it means and how it was written.
    Plain(Rc<(J, String)>),
    /// Anything whose text is not kept (quoted or tagged scalars).
    Other,
    List(Vec<Texts>),
    Map(HashMap<String, Texts>),
}

/// Builds [`Texts`] with the reader's own rules (anchors, merges, keys,
/// limits), so each place holds what the manifest reader put there.
struct TextTree;

impl Tree for TextTree {
    type Node = Texts;
    type MapBuf = HashMap<String, Texts>;

    fn null() -> Texts {
        Texts::Other
    }

    fn string(_: String) -> Texts {
        Texts::Other
    }

    fn scalar(&self, _: Resolved, _: String) -> Texts {
        Texts::Other
    }

    fn plain(&self, r: Resolved, text: String) -> Texts {
        let value = JsonTree::default().scalar(r, text.clone());
        Texts::Plain(Rc::new((value, text)))
    }

    fn list(items: Vec<Texts>) -> Texts {
        Texts::List(items)
    }

    fn map(buf: HashMap<String, Texts>) -> Texts {
        Texts::Map(buf)
    }

    fn insert(buf: &mut HashMap<String, Texts>, key: String, value: Texts) {
        buf.insert(key, value);
    }

    fn entries(node: &Texts) -> Option<Vec<(String, Texts)>> {
        match node {
            Texts::Map(m) => Some(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            _ => None,
        }
    }

    fn items(node: &Texts) -> Option<Vec<Texts>> {
        match node {
            Texts::List(items) => Some(items.clone()),
            _ => None,
        }
    }

    fn describe(_: &Texts) -> String {
        String::new()
    }

    fn non_finite(&self, _: &Texts, first: f64) -> Option<f64> {
        Some(first)
    }
}

/// The plain-scalar texts of the first document of `src`, read with the
/// limits the manifest reader applies; `None` when it cannot be read (the
/// caller then writes every value from its data alone).
pub fn plain_texts(src: &str, max_depth: usize) -> Option<Texts> {
    let mut docs = super::reader::read_limited(src, &TextTree, true, max_depth).ok()?;
    docs.pop()
}

/// [`super::emit_json`], writing each scalar whose value is unchanged with
/// the text `texts` holds for its place.
pub fn emit_json_kept(v: &J, texts: Option<&Texts>) -> String {
    emitter::emit(&Kept { value: v, texts }, emitter::V2).unwrap_or_default()
}

/// A JSON value with the texts of the same place in the source.
#[derive(Clone)]
struct Kept<'a> {
    value: &'a J,
    texts: Option<&'a Texts>,
}

impl<'a> Node for Kept<'a> {
    fn shape(&self) -> Result<Shape<'_, Kept<'a>>, String> {
        let here = |value: &'a J, texts: Option<&'a Texts>| Cow::Owned(Kept { value, texts });
        Ok(match (self.value, self.texts) {
            (J::Array(items), texts) => {
                let kept = match texts {
                    Some(Texts::List(t)) => t.as_slice(),
                    _ => &[],
                };
                Shape::Seq(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| here(v, kept.get(i)))
                        .collect(),
                )
            }
            (J::Object(o), texts) => {
                let kept = match texts {
                    Some(Texts::Map(m)) => Some(m),
                    _ => None,
                };
                let mut entries = Vec::with_capacity(o.len());
                for (k, v) in o {
                    let key = super::nodes::through_json(k)?;
                    entries.push((key, here(v, kept.and_then(|m| m.get(k)))));
                }
                Shape::Map(entries)
            }
            // Same meaning, same JSON type: the source's text says it as well
            // as go-yaml's would, and is what the author wrote.
            (value, Some(Texts::Plain(p))) if *value == p.0 && emitter::plain_allowed(&p.1) => {
                Shape::Number(p.1.clone())
            }
            (value, _) => match value.shape()? {
                Shape::Null => Shape::Null,
                Shape::Bool(b) => Shape::Bool(b),
                Shape::Number(n) => Shape::Number(n),
                Shape::Str(s) => Shape::Str(s),
                // Lists and maps were handled above.
                Shape::Seq(_) | Shape::Map(_) => Shape::Null,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{emit_json_kept, plain_texts};

    fn rewrite(src: &str, edit: impl Fn(&mut serde_json::Value)) -> String {
        let mut v = crate::yaml::from_str_json(src, 128).unwrap().remove(0);
        edit(&mut v);
        let texts = plain_texts(src, 128);
        emit_json_kept(&v, texts.as_ref())
    }

    #[test]
    fn untouched_plain_scalars_keep_their_text() {
        let src = "a: 1\nmode: 0755\nhex: 0x1F\nunder: 1_000\nhalf: .5\nplus: +1\nnil: ~\nyy: yes\no: on\nbig: 123456789012345678901234567890\nexp: 1e3\noct: 08\nz: 0009\nq: '0755'\nl: [0755, on, x]\n";
        let out = rewrite(src, |v| v["a"] = 2.into());
        assert_eq!(
            out,
            "a: 2\nmode: 0755\nhex: 0x1F\nunder: 1_000\nhalf: .5\nplus: +1\nnil: ~\nyy: yes\no: on\nbig: 123456789012345678901234567890\nexp: 1e3\noct: 08\nz: 0009\nq: \"0755\"\nl:\n- 0755\n- on\n- x\n"
        );
    }

    #[test]
    fn changed_values_are_written_from_their_data() {
        let src = "mode: 0755\nl: [on, 0x10]\n";
        let out = rewrite(src, |v| {
            v["mode"] = 420.into();
            v["l"][0] = false.into();
        });
        assert_eq!(out, "mode: 420\nl:\n- false\n- 0x10\n");
        // A value put where another was keeps nothing of the old one's text.
        let out = rewrite("a: on\n", |v| v["a"] = "on".into());
        assert_eq!(out, "a: \"on\"\n");
    }

    #[test]
    fn anchors_and_merges_keep_texts_where_they_land() {
        let src = "base: &b {m: 0644, k: 1}\nuse:\n  <<: *b\n  k: 0x2\nx: 1\n";
        let out = rewrite(src, |v| v["x"] = 2.into());
        assert!(out.contains("use:\n  k: 0x2\n  m: 0644\n"), "{out}");
        assert!(out.contains("base:\n  m: 0644\n  k: 1\n"), "{out}");
    }

    #[test]
    fn texts_that_cannot_stand_alone_are_written_from_their_data() {
        // A plain scalar folded over an empty line holds a line break, and
        // an empty one is nothing to see: both written as go-yaml would.
        let src = "a: one\n\n  two\nb:\nc: 1\n";
        let out = rewrite(src, |v| v["c"] = 2.into());
        assert_eq!(out, "a: |-\n  one\n  two\nb: null\nc: 2\n");
        // Unreadable text keeps nothing, and the data is still written.
        assert!(plain_texts("a: [", 128).is_none());
    }
}
