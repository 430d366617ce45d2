//! The terminal report: one line per resource, changed fields, unified diff.

use super::{Report, Status};
use std::fmt::Write;

/// Whether to colour the report (the caller decides: only on a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

pub fn render(report: &Report, style: Style) -> String {
    let paint = |color: &str, text: &str| match style {
        Style::Color => format!("{color}{text}{RESET}"),
        Style::Plain => text.to_string(),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", summary(report));
    for r in &report.resources {
        let (sign, color) = match r.status {
            Status::Added => ("+", GREEN),
            Status::Removed => ("-", RED),
            Status::Changed => ("~", YELLOW),
        };
        let head = format!("{sign} {} {} ({})", r.status.word(), r.id, r.id.api_version);
        let _ = writeln!(out, "\n{}", paint(&format!("{BOLD}{color}"), &head));
        for c in &r.changes {
            let _ = writeln!(out, "    {}: {} → {}", c.path, c.old_text(), c.new_text());
        }
        if r.status == Status::Changed && !r.unified.is_empty() {
            out.push('\n');
            for line in r.unified.lines() {
                let color = if line.starts_with("@@") {
                    CYAN
                } else if line.starts_with('+') {
                    GREEN
                } else if line.starts_with('-') {
                    RED
                } else {
                    ""
                };
                let line = format!("    {line}");
                let _ = if color.is_empty() {
                    writeln!(out, "{line}")
                } else {
                    writeln!(out, "{}", paint(color, &line))
                };
            }
        }
    }
    out
}

/// `2 changed, 1 added, 0 removed, 5 unchanged`, or `no differences (N
/// resources)`.
pub fn summary(report: &Report) -> String {
    if report.is_empty() {
        return format!(
            "no differences ({})",
            crate::words::plural(report.unchanged, "resource")
        );
    }
    format!(
        "{} changed, {} added, {} removed, {} unchanged",
        report.count(Status::Changed),
        report.count(Status::Added),
        report.count(Status::Removed),
        report.unchanged
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_asked() {
        let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: one}\n";
        let new = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: two}\n";
        let report = crate::diff::diff_streams(old, "o", new, "n").unwrap();
        let plain = render(&report, Style::Plain);
        assert!(!plain.contains('\x1b'));
        assert!(plain.contains("    data.k: \"one\" → \"two\"\n"));
        let color = render(&report, Style::Color);
        assert!(
            color.contains(&format!("{RED}    -  k: one{RESET}")),
            "{color:?}"
        );
        assert!(color.contains(&format!("{GREEN}    +  k: two{RESET}")));
    }
}
