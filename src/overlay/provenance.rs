//! What overlays changed, as data: one record per changed field. Whoever needs
//! them prints them (`--explain`) or compares them (stack diffs).

use crate::manifest::ResourceId;
use serde_json::Value;
use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub overlay: String,
    pub rule: String,
    pub resource: ResourceId,
    /// JSON Pointer of the field inside the resource; empty for the whole
    /// resource (a `drop`).
    pub path: String,
    /// `None` when the field did not exist (or the resource is gone, for `after`).
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Collects changes: all of them when asked to, otherwise only their count,
/// so that a 100,000-document stream does not hold a record per field.
#[derive(Debug, Default)]
pub struct Recorder {
    keep: bool,
    changes: Vec<Change>,
    count: usize,
}

impl Recorder {
    pub fn new(keep: bool) -> Recorder {
        Recorder {
            keep,
            ..Default::default()
        }
    }

    pub fn push(&mut self, change: impl FnOnce() -> Change) {
        self.count += 1;
        if self.keep {
            self.changes.push(change());
        }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Whether records are kept, not only counted.
    pub fn keeps(&self) -> bool {
        self.keep
    }

    /// Takes in what `other` recorded after what this one holds (a
    /// document's changes, recorded on the thread that rewrote it).
    pub fn absorb(&mut self, other: Recorder) {
        self.count += other.count;
        self.changes.extend(other.changes);
    }

    pub fn into_changes(self) -> Vec<Change> {
        self.changes
    }
}

/// The changes one rule makes to one resource, before they are accepted into
/// the [`Recorder`] (an operation that fails part-way leaves no records).
#[derive(Debug, Default)]
pub struct Edits {
    pub items: Vec<(String, Option<Value>, Option<Value>)>,
}

impl Edits {
    /// Notes that `path` went from `before` to `after`, if that is a change.
    pub fn note(&mut self, path: impl Into<String>, before: Option<Value>, after: Option<Value>) {
        if before != after {
            self.items.push((path.into(), before, after));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn cell(v: &Option<Value>) -> String {
    let s = match v {
        None => "-".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    // Keep the table readable: one line, bounded width.
    let s = s.replace('\n', "\\n");
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// The `--explain` table: one row per change, columns aligned.
pub fn explain_table(changes: &[Change]) -> String {
    let header = ["OVERLAY", "RULE", "RESOURCE", "PATH", "BEFORE", "AFTER"].map(String::from);
    let rows: Vec<[String; 6]> = changes
        .iter()
        .map(|c| {
            // A Secret's values stay out of the table: only that they changed.
            let (before, after) = crate::manifest::mask::mask_at(
                &c.resource,
                &c.path,
                c.before.as_ref(),
                c.after.as_ref(),
            );
            [
                c.overlay.clone(),
                c.rule.clone(),
                c.resource.to_string(),
                if c.path.is_empty() {
                    "(resource)".to_string()
                } else {
                    c.path.clone()
                },
                cell(&before),
                cell(&after),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (c, w)) in r.iter().zip(widths).enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                let _ = write!(line, "{c:<w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recorder_counts_without_keeping() {
        let mut r = Recorder::new(false);
        r.push(|| unreachable!("not built when not kept"));
        assert_eq!(r.count(), 1);
        assert!(r.into_changes().is_empty());
    }

    #[test]
    fn table_aligns_columns() {
        let c = Change {
            overlay: "arm64".into(),
            rule: "requests".into(),
            resource: ResourceId {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: Some("ns".into()),
                name: "gw".into(),
            },
            path: "/spec/x".into(),
            before: Some(json!("1000m")),
            after: None,
        };
        let t = explain_table(&[c]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            lines[0],
            "OVERLAY  RULE      RESOURCE          PATH     BEFORE  AFTER"
        );
        assert_eq!(
            lines[1],
            "arm64    requests  Deployment ns/gw  /spec/x  1000m   -"
        );
    }
}
