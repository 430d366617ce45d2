//! The short account on stderr after a render: releases, resources, changes
//! per overlay, warnings. Check results are added by the caller.

use super::Rendered;
use crate::words::plural;
use std::fmt::Write as _;

/// The summary lines, ending with a newline.
pub fn summary(r: &Rendered) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "stack {}: {}, {}",
        r.name,
        plural(r.releases.len(), "release"),
        plural(r.resources, "resource")
    );
    for rel in &r.releases {
        let _ = writeln!(
            s,
            "  {:<16} {:>13}  {}",
            rel.name,
            plural(rel.documents, "resource"),
            rel.what
        );
    }
    if r.overlay_counts.is_empty() {
        let _ = writeln!(s, "Overlays: none");
    } else {
        let parts: Vec<String> = r
            .overlay_counts
            .iter()
            .map(|(n, c)| format!("{n} {}", plural(*c, "change")))
            .collect();
        let _ = writeln!(s, "Overlays: {}", parts.join(", "));
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}
