//! The short account on stderr after a render: releases, resources, changes
//! per overlay, warnings. Check results are added by the caller.

use super::Rendered;
use std::fmt::Write as _;

/// The summary lines, ending with a newline.
pub fn summary(r: &Rendered) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "stack {}: {} releases, {} resources",
        r.name,
        r.releases.len(),
        r.resources
    );
    for rel in &r.releases {
        let _ = writeln!(
            s,
            "  {:<16} {:>3} resources  {}",
            rel.name, rel.documents, rel.what
        );
    }
    if r.overlay_counts.is_empty() {
        let _ = writeln!(s, "overlays: none");
    } else {
        let parts: Vec<String> = r
            .overlay_counts
            .iter()
            .map(|(n, c)| format!("{n} {c} change{}", if *c == 1 { "" } else { "s" }))
            .collect();
        let _ = writeln!(s, "overlays: {}", parts.join(", "));
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}
