//! The pull-request comment: a summary table, then a collapsible `<details>`
//! block per resource, kept under GitHub's comment size limit.

use super::{FieldChange, Report, ResourceDiff, Status};
use crate::words::plural;
use std::fmt::Write;

/// GitHub rejects issue and pull-request comments longer than this many
/// characters. The report counts bytes, which are never fewer.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Room kept for the closing note about what was cut.
const NOTE_ROOM: usize = 600;

/// A value longer than this is shortened in the field table; the unified
/// diff still has it whole when there is room.
const MAX_VALUE_CHARS: usize = 300;

/// Renders the report in at most `limit` bytes (given `limit` of at least a
/// few kilobytes; [`GITHUB_COMMENT_LIMIT`] for a real comment). What does not
/// fit is cut whole, resource by resource, and a closing note says what.
pub fn render(report: &Report, limit: usize) -> String {
    let mut out = String::from("## chartfix diff\n\n");
    if report.is_empty() {
        let _ = writeln!(
            out,
            "No differences ({} unchanged).",
            plural(report.unchanged, "resource")
        );
        return out;
    }
    let _ = writeln!(
        out,
        "**{} changed, {} added, {} removed**, {} unchanged.\n",
        report.count(Status::Changed),
        report.count(Status::Added),
        report.count(Status::Removed),
        report.unchanged
    );

    // The table gets at most half the room, so some details always fit.
    let table_budget = limit.saturating_sub(NOTE_ROOM) / 2;
    out.push_str("| Change | Kind | Namespace | Name | Fields changed |\n|---|---|---|---|---|\n");
    let mut rows_cut = 0;
    for r in &report.resources {
        let row = table_row(r);
        if rows_cut == 0 && out.len() + row.len() <= table_budget {
            out.push_str(&row);
        } else {
            rows_cut += 1;
        }
    }
    if rows_cut > 0 {
        let _ = writeln!(out, "| … | {rows_cut} more | | | |");
    }
    out.push('\n');

    let budget = limit.saturating_sub(NOTE_ROOM);
    let (mut diffs_cut, mut blocks_cut) = (0, 0);
    for r in &report.resources {
        let full = block(r, true, usize::MAX);
        if out.len() + full.len() <= budget {
            out.push_str(&full);
            continue;
        }
        // Without the unified diff, then with fewer and fewer field rows
        // (halving keeps this to a few tries even for thousands of fields).
        let mut rows = r.changes.len();
        let fitted = loop {
            let short = block(r, false, rows);
            if out.len() + short.len() <= budget {
                break Some(short);
            }
            if rows == 0 {
                break None;
            }
            rows /= 2;
        };
        match fitted {
            Some(short) => {
                out.push_str(&short);
                diffs_cut += 1;
            }
            None => blocks_cut += 1,
        }
    }
    if rows_cut + diffs_cut + blocks_cut > 0 {
        out.push_str(&note(rows_cut, diffs_cut, blocks_cut));
    }
    out
}

fn table_row(r: &ResourceDiff) -> String {
    let sign = match r.status {
        Status::Added => "➕",
        Status::Removed => "➖",
        Status::Changed => "✏️",
    };
    let fields = if r.status == Status::Changed {
        r.changes.len().to_string()
    } else {
        String::new()
    };
    format!(
        "| {sign} {} | {} | {} | {} | {fields} |\n",
        r.status.word(),
        cell(&r.id.kind),
        cell(r.id.namespace.as_deref().unwrap_or("")),
        cell(&r.id.name),
    )
}

/// One resource's `<details>` block; `with_diff` false leaves out the
/// unified diff (the first thing dropped when space runs short), and only the
/// first `max_rows` changed fields are listed.
fn block(r: &ResourceDiff, with_diff: bool, max_rows: usize) -> String {
    let mut s = String::new();
    let count = match r.status {
        Status::Changed => format!(
            " ({} field{})",
            r.changes.len(),
            if r.changes.len() == 1 { "" } else { "s" }
        ),
        _ => String::new(),
    };
    let _ = writeln!(
        s,
        "<details>\n<summary><b>{}</b> {} <code>{}</code>{count}</summary>\n",
        r.status.word(),
        cell(&r.id.kind),
        cell(&ns_name(r)),
    );
    if !r.changes.is_empty() {
        s.push_str("| Field | Old | New |\n|---|---|---|\n");
        for c in r.changes.iter().take(max_rows) {
            s.push_str(&field_row(c));
        }
        if r.changes.len() > max_rows {
            let _ = writeln!(
                s,
                "| … {} more fields left out for space | | |",
                r.changes.len() - max_rows
            );
        }
        s.push('\n');
    }
    if with_diff && !r.unified.is_empty() {
        let fence = fence_for(&r.unified);
        let _ = writeln!(s, "{fence}diff\n{}{fence}\n", ensure_newline(&r.unified));
    } else if !r.unified.is_empty() {
        s.push_str("_Unified diff left out for space._\n\n");
    }
    s.push_str("</details>\n\n");
    s
}

/// `namespace/name`, or `name` for a resource without a namespace.
fn ns_name(r: &ResourceDiff) -> String {
    match &r.id.namespace {
        Some(ns) => format!("{ns}/{}", r.id.name),
        None => r.id.name.clone(),
    }
}

fn field_row(c: &FieldChange) -> String {
    format!(
        "| <code>{}</code> | <code>{}</code> | <code>{}</code> |\n",
        cell(&c.path),
        cell(&shorten(&c.old_text())),
        cell(&shorten(&c.new_text())),
    )
}

fn note(rows: usize, diffs: usize, blocks: usize) -> String {
    let mut parts = Vec::new();
    if rows > 0 {
        parts.push(format!("{} of the summary table", plural(rows, "row")));
    }
    if diffs > 0 {
        parts.push(format!(
            "the unified diffs of {}",
            plural(diffs, "resource")
        ));
    }
    if blocks > 0 {
        parts.push(format!("the details of {}", plural(blocks, "resource")));
    }
    format!(
        "> [!NOTE]\n> Cut to stay under GitHub's {GITHUB_COMMENT_LIMIT}-character comment limit: {}. Run `chartfix diff` locally for the full report.\n",
        parts.join(", ")
    )
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_VALUE_CHARS {
        return s.to_string();
    }
    let mut t: String = s.chars().take(MAX_VALUE_CHARS).collect();
    t.push('…');
    t
}

/// Escapes text for an HTML-in-table cell: markup characters, and `|`, which
/// would end the cell even inside `<code>`.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A code fence longer than any run of backticks in the text, so the text
/// cannot close it.
fn fence_for(text: &str) -> String {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn ensure_newline(s: &str) -> String {
    if s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_and_cells() {
        assert_eq!(fence_for("a ```` b"), "`````");
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(cell("a|b<c>"), "a&#124;b&lt;c&gt;");
    }
}
