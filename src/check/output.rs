//! Check results for people: tables with problems first, colours only when
//! asked for (the CLI asks when stdout is a terminal and `NO_COLOR` is unset).

use super::fit::FitReport;
use super::images::{ImageReport, ImagesResult};
use super::inspect::Status;
use super::kinds::MissingKind;
use crate::manifest::quantity::{format_cpu, format_memory};
use crate::values::unused::Finding;
use std::fmt::Write;

#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

/// One line an image, problems first; suggestions and users of problem
/// images on indented lines below.
pub fn images_table(result: &ImagesResult, style: Style) -> String {
    let mut rows: Vec<&ImageReport> = result.images.iter().collect();
    // Problems first (by status), then ok; the input order within each.
    rows.sort_by_key(|r| (r.status == Status::Ok, r.status));
    let status_w = rows
        .iter()
        .map(|r| r.status.as_str().len())
        .max()
        .unwrap_or(6)
        .max(6);
    let image_w = rows
        .iter()
        .map(|r| r.image.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}  DETAILS",
        pad("STATUS", status_w),
        pad("IMAGE", image_w)
    );
    for r in rows {
        let status = pad(r.status.as_str(), status_w);
        let status = if r.status == Status::Ok {
            style.green(&status)
        } else {
            style.red(&status)
        };
        let details = match (&r.message, r.status) {
            (Some(m), s) if s != Status::Ok => m.clone(),
            _ => r.platforms.join(", "),
        };
        let _ = writeln!(out, "{status}  {}  {details}", pad(&r.image, image_w));
        if r.status == Status::Ok {
            continue;
        }
        let indent = " ".repeat(status_w + 2);
        let users: Vec<String> = r
            .used_by
            .iter()
            .map(|u| match &u.namespace {
                Some(ns) => format!("{} {ns}/{} ({})", u.kind, u.name, u.container),
                None => format!("{} {} ({})", u.kind, u.name, u.container),
            })
            .collect();
        if !users.is_empty() {
            let _ = writeln!(
                out,
                "{indent}{}",
                style.dim(&format!("used by {}", users.join(", ")))
            );
        }
        if let Some(s) = &r.suggestion {
            let _ = writeln!(
                out,
                "{indent}{} {} ({})",
                style.yellow("→ use"),
                s.image,
                s.reason
            );
            let _ = writeln!(out, "{indent}  overlay rule: {}", s.overlay);
        }
    }
    let s = &result.summary;
    let _ = writeln!(
        out,
        "{} image{} checked: {} ok, {} with problems",
        s.checked,
        if s.checked == 1 { "" } else { "s" },
        s.ok,
        s.problems
    );
    out
}

pub fn fit_text(fit: &FitReport, style: Style) -> String {
    let mut out = String::new();
    let n = fit.node;
    let _ = writeln!(
        out,
        "Fit on a node with {} CPU, {} memory, {} pods: {} pods ask {} CPU, {} memory — {}",
        format_cpu(n.resources.cpu),
        format_memory(n.resources.memory),
        n.pods,
        fit.pods,
        format_cpu(fit.requested.cpu),
        format_memory(fit.requested.memory),
        if fit.fits {
            style.green("fits")
        } else {
            style.red("does not fit")
        }
    );
    for line in fit.overcommit() {
        let _ = writeln!(out, "  {line}");
    }
    for w in &fit.workloads {
        if let Some(why) = w.explain(&n) {
            let _ = writeln!(out, "  {why}");
        }
    }
    for warn in &fit.warnings {
        let _ = writeln!(out, "  {} {warn}", style.yellow("warning:"));
    }
    out
}

pub fn kinds_text(missing: &[MissingKind], target_label: &str, style: Style) -> String {
    let mut out = String::new();
    if missing.is_empty() {
        let _ = writeln!(
            out,
            "Kinds: every kind is served by {target_label} — {}",
            style.green("ok")
        );
        return out;
    }
    let _ = writeln!(
        out,
        "Kinds: {} not served by {target_label} — {}",
        missing.len(),
        style.red("missing")
    );
    for m in missing {
        let _ = writeln!(out, "  {} ({})", m.message, m.resources.join(", "));
    }
    out
}

/// User values no template read (`unused-value` findings of a stack).
pub fn unused_values_text(unused: &[Finding], style: Style) -> String {
    let mut out = String::new();
    if unused.is_empty() {
        let _ = writeln!(
            out,
            "Values: no value given is left unread — {}",
            style.green("ok")
        );
        return out;
    }
    let _ = writeln!(
        out,
        "Values: {} never read — {}",
        crate::words::plural(unused.len(), "value"),
        style.red("unused")
    );
    for f in unused {
        let _ = writeln!(out, "  release {}: {}", f.release, f.text());
    }
    out
}
