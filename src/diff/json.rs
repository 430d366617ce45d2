//! The machine-readable report. Its shape is a contract for scripts: keys are
//! written in a fixed order and only ever added to.

use super::{Report, Status};
use serde_json::{json, Value};

pub fn render(report: &Report) -> String {
    let resources: Vec<Value> = report
        .resources
        .iter()
        .map(|r| {
            let changes: Vec<Value> = r
                .changes
                .iter()
                .map(|c| {
                    // An absent side is left out rather than written as
                    // null, since a field can also be null on purpose.
                    let mut m = serde_json::Map::new();
                    m.insert("path".into(), Value::String(c.path.clone()));
                    if let Some(old) = &c.old {
                        m.insert("old".into(), old.clone());
                    }
                    if let Some(new) = &c.new {
                        m.insert("new".into(), new.clone());
                    }
                    Value::Object(m)
                })
                .collect();
            json!({
                "status": r.status.word(),
                "apiVersion": r.id.api_version,
                "kind": r.id.kind,
                "namespace": r.id.namespace,
                "name": r.id.name,
                "changes": changes,
                "diff": r.unified,
            })
        })
        .collect();
    let doc = json!({
        "summary": {
            "added": report.count(Status::Added),
            "removed": report.count(Status::Removed),
            "changed": report.count(Status::Changed),
            "unchanged": report.unchanged,
        },
        "resources": resources,
    });
    // Serialising a Value built here cannot fail; fall back to compact text
    // rather than panic if it ever did.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| doc.to_string());
    text.push('\n');
    text
}
