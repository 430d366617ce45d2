//! Differences between two manifest sets: resource matching, changed fields,
//! text, markdown and JSON reports.
//!
//! The flow: [`resources`] reads each stream into resources, [`matching`]
//! pairs them by identity, [`mask`] (in `manifest`, as overlays'
//! `--explain` uses it too) hides Secret values before anything is
//! compared or printed, [`fields`] lists changed paths, [`unified`] makes the
//! text diff, and the report modules ([`text`], [`markdown`], [`json`]) only
//! format a finished [`Report`]. Rendering what is compared is not this
//! module's job; [`git`] only exports a tree for the caller to render.
//! [`overlay_diff`] is the plain text diff of one stream before and after
//! overlays (`chartfix render --diff`), [`snapshot_diff`] of a snapshot and a
//! new render (`chartfix verify`); both mask through
//! [`crate::manifest::mask::mask_streams`].

mod fields;
pub mod git;
mod json;
mod markdown;
use crate::manifest::mask;
mod matching;
mod overlays;
mod resources;
mod text;
mod unified;

pub use fields::{format_path, FieldChange};
pub use json::render as render_json;
pub use markdown::{render as render_markdown, GITHUB_COMMENT_LIMIT};
pub use overlays::{overlay_diff, snapshot_diff};
pub use resources::{read_stream, ReadError, Resource};
pub use text::{render as render_text, Style};

use crate::manifest::ResourceId;
use matching::Pair;

/// What happened to one resource between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Added,
    Removed,
    Changed,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }
}

/// One resource that differs. Every value here is already masked: no
/// Secret data value reaches a report.
#[derive(Debug, Clone)]
pub struct ResourceDiff {
    pub id: ResourceId,
    pub status: Status,
    /// Changed fields by path (empty for added and removed resources).
    pub changes: Vec<FieldChange>,
    /// Unified diff of the resource's YAML (old and new sides; one side is
    /// empty for added and removed resources).
    pub unified: String,
}

/// The whole comparison, in a stable order (kind, namespace, name, apiVersion).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub resources: Vec<ResourceDiff>,
    pub unchanged: usize,
}

impl Report {
    pub fn count(&self, status: Status) -> usize {
        self.resources.iter().filter(|r| r.status == status).count()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }
}

/// Compares two manifest streams. `old_label`/`new_label` name the sides in
/// error messages and diff headers.
pub fn diff_streams(
    old: &str,
    old_label: &str,
    new: &str,
    new_label: &str,
) -> Result<Report, ReadError> {
    let old = read_stream(old, old_label)?;
    let new = read_stream(new, new_label)?;
    Ok(diff_resources(&old, &new))
}

/// Compares two sets of resources already read.
pub fn diff_resources(old: &[Resource], new: &[Resource]) -> Report {
    let mut report = Report::default();
    for pair in matching::pair(old, new) {
        match pair {
            Pair::Added(r) => {
                let (_, masked) = mask::mask_pair(&r.id, None, Some(&r.value));
                let after = masked
                    .map(|v| crate::yaml::emit_json(&v))
                    .unwrap_or_default();
                report.resources.push(ResourceDiff {
                    id: r.id.clone(),
                    status: Status::Added,
                    changes: Vec::new(),
                    unified: unified::diff("", &after),
                });
            }
            Pair::Removed(r) => {
                let (masked, _) = mask::mask_pair(&r.id, Some(&r.value), None);
                let before = masked
                    .map(|v| crate::yaml::emit_json(&v))
                    .unwrap_or_default();
                report.resources.push(ResourceDiff {
                    id: r.id.clone(),
                    status: Status::Removed,
                    changes: Vec::new(),
                    unified: unified::diff(&before, ""),
                });
            }
            Pair::Both(a, b) => {
                if a.value == b.value {
                    report.unchanged += 1;
                    continue;
                }
                let (ma, mb) = mask::mask_pair(&a.id, Some(&a.value), Some(&b.value));
                let (ma, mb) = (ma.unwrap_or_default(), mb.unwrap_or_default());
                let changes = fields::changes(&ma, &mb);
                let unified =
                    unified::diff(&crate::yaml::emit_json(&ma), &crate::yaml::emit_json(&mb));
                report.resources.push(ResourceDiff {
                    id: a.id.clone(),
                    status: Status::Changed,
                    changes,
                    unified,
                });
            }
        }
    }
    report
}
