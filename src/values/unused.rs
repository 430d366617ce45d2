//! User values no template read: a key at the wrong depth, a typo, a key a
//! newer chart renamed. Helm accepts them silently; the render records what
//! its templates read ([`crate::value::reads`]) and this module lists each
//! value the user gave that nothing read, with the chart's key it most
//! likely meant and where the user wrote it.
//!
//! Only the user's values count (files, flags, a stack's `values:`), never
//! the chart's defaults. A leaf is a scalar, a list (read or not as a whole)
//! or an empty map.

use super::places::ValueInput;
use crate::value::{Map, Value};

/// What a render recorded: its values tree, armed to record reads, and the
/// paths Helm itself consulted (conditions and tags of dependencies).
#[derive(Debug, Clone)]
pub struct Reads {
    pub values: Value,
    pub helm_paths: Vec<String>,
}

/// One user value nothing read.
#[derive(Debug, Clone, PartialEq)]
pub struct Unused {
    pub path: Vec<String>,
    /// The chart's key it most likely meant.
    pub suggestion: Option<Suggestion>,
}

/// A key of the chart close to an unread one.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub path: Vec<String>,
    /// Whether templates read it in this render.
    pub read: bool,
}

/// One unread value as commands report it: which release, the path, where
/// the user wrote it and the key the chart has instead.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Always `unused-value`, so a list of mixed findings tells it apart.
    pub kind: &'static str,
    pub release: String,
    /// The value's path as `--set` writes it.
    pub path: String,
    /// `file:line:column`, or the flag that set it.
    pub written_at: Option<String>,
    /// The chart's key it most likely meant.
    pub suggestion: Option<String>,
    /// Whether the chart's templates read the suggested key.
    pub suggestion_read: bool,
}

impl Finding {
    pub fn new(release: &str, unused: &Unused, inputs: &[ValueInput]) -> Finding {
        Finding {
            kind: "unused-value",
            release: release.to_string(),
            path: dotted(&unused.path),
            written_at: super::places::locate(&unused.path, inputs),
            suggestion: unused.suggestion.as_ref().map(|s| dotted(&s.path)),
            suggestion_read: unused.suggestion.as_ref().is_some_and(|s| s.read),
        }
    }

    /// `persistence.size (stack.yaml:62:7) is never read; the chart reads
    /// primary.persistence.size`, without the release.
    pub fn text(&self) -> String {
        let mut text = self.path.clone();
        if let Some(place) = &self.written_at {
            text.push_str(&format!(" ({place})"));
        }
        text.push_str(" is never read");
        if let Some(s) = &self.suggestion {
            let verb = if self.suggestion_read { "reads" } else { "has" };
            text.push_str(&format!("; the chart {verb} {s}"));
        }
        text
    }
}

/// A path as `--set` writes it: keys joined by `.`, a `.` inside a key escaped.
pub fn dotted(path: &[String]) -> String {
    path.iter()
        .map(|k| k.replace('.', "\\."))
        .collect::<Vec<_>>()
        .join(".")
}

/// Trees are bounded by the readers; this keeps the walks bounded on any
/// tree a caller builds.
const MAX_DEPTH: usize = 64;

/// Every leaf of `user` that the render did not read, in key order.
pub fn find(user: &Value, reads: &Reads) -> Vec<Unused> {
    let mut leaves = Vec::new();
    if let Some(m) = user.as_map() {
        user_leaves(m, &mut Vec::new(), &mut leaves);
    }
    let root = match reads.values.as_map() {
        Some(m) => m,
        None => return Vec::new(),
    };
    let helm: Vec<Vec<&str>> = reads
        .helm_paths
        .iter()
        .map(|p| p.split('.').collect())
        .collect();
    let globals = global_maps(&reads.values);
    let unread: Vec<Vec<String>> = leaves
        .into_iter()
        .filter(|path| {
            let by_helm = helm.iter().any(|h| {
                let n = h.len().min(path.len());
                h[..n].iter().zip(&path[..n]).all(|(a, b)| a == b)
            });
            let read = by_helm
                || is_read(root, path)
                || (path.len() > 1
                    && path[0] == crate::values::GLOBAL_KEY
                    && globals
                        .iter()
                        .filter_map(Value::as_map)
                        .any(|g| is_read(g, &path[1..])));
            !read
        })
        .collect();
    if unread.is_empty() {
        return Vec::new();
    }
    let candidates = candidates(root, user, &unread);
    unread
        .into_iter()
        .map(|path| Unused {
            suggestion: suggest(&path, &candidates),
            path,
        })
        .collect()
}

fn user_leaves(m: &Map, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (k, v) in m.entries_unmarked() {
        path.push(k);
        match &v {
            // A null asks Helm to delete a default: an instruction, not a value.
            Value::Nil => {}
            Value::Map(inner, _) if inner.size() > 0 && path.len() < MAX_DEPTH => {
                user_leaves(inner, path, out)
            }
            _ => out.push(path.clone()),
        }
        path.pop();
    }
}

/// Whether every key along `path` was read. Where the tree holds nothing
/// known (a map a template made or replaced, a key it added, a scalar where
/// the user had a map), the value counts as read: the report may miss a
/// value, never name a read one.
fn is_read(root: &Map, path: &[String]) -> bool {
    let mut map = root;
    let mut holder;
    for (i, key) in path.iter().enumerate() {
        match map.was_read(key) {
            Some(false) => return false,
            None => return true,
            Some(true) => {}
        }
        if i + 1 == path.len() {
            return true;
        }
        holder = match map.get_unmarked(key) {
            Some(v @ Value::Map(_, _)) => v,
            _ => return true,
        };
        map = holder.as_map().expect("matched a map");
    }
    true
}

/// Every `global` map in the tree: the root's and each subchart's copy, any
/// of which a template may read a global value through.
fn global_maps(values: &Value) -> Vec<Value> {
    fn walk(m: &Map, depth: usize, out: &mut Vec<Value>) {
        for (k, v) in m.entries_unmarked() {
            if let Value::Map(inner, _) = &v {
                if depth < MAX_DEPTH {
                    walk(inner, depth + 1, out);
                }
                if k == crate::values::GLOBAL_KEY {
                    out.push(v);
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Some(m) = values.as_map() {
        walk(m, 0, &mut out);
    }
    out
}

/// A key of the chart that a suggestion may name.
struct Candidate {
    path: Vec<String>,
    text: String,
    read: bool,
}

/// Every key path of the rendered values except those that exist only
/// because the user wrote them and nothing read them.
fn candidates(root: &Map, user: &Value, unread: &[Vec<String>]) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    collect(root, true, &mut path, &mut out);
    out.retain(|c| {
        let users_only = !c.read && has_path(user, &c.path);
        let below_unread = unread.iter().any(|u| u.starts_with(&c.path));
        !users_only && !below_unread
    });
    out
}

const MAX_CANDIDATES: usize = 50_000;

fn collect(m: &Map, read: bool, path: &mut Vec<String>, out: &mut Vec<Candidate>) {
    for (k, v) in m.entries_unmarked() {
        if out.len() >= MAX_CANDIDATES {
            return;
        }
        // A subchart's copy of the globals is not a place to write values.
        if k == crate::values::GLOBAL_KEY && !path.is_empty() {
            continue;
        }
        let here = read && m.was_read(&k) != Some(false);
        path.push(k);
        out.push(Candidate {
            path: path.clone(),
            text: dotted(path),
            read: here,
        });
        if let Value::Map(inner, _) = &v {
            if path.len() < MAX_DEPTH {
                collect(inner, here, path, out);
            }
        }
        path.pop();
    }
}

fn has_path(v: &Value, path: &[String]) -> bool {
    let mut cur = v.clone();
    for k in path {
        cur = match cur.as_map().and_then(|m| m.get_unmarked(k)) {
            Some(next) => next,
            None => return false,
        };
    }
    true
}

/// How close a candidate is, smaller first: the kind of match (0 a typo,
/// 1 shared trailing keys), its distance, not read, its length.
type Rank = (u8, usize, bool, usize);

/// The chart's key the user most likely meant: first a short edit away (a
/// typo, a changed case), then one that ends with the same keys (a key at
/// the wrong depth: `persistence.size` for `primary.persistence.size`), more
/// shared trailing keys first; among equals, one the templates read, then
/// the shortest.
fn suggest(path: &[String], candidates: &[Candidate]) -> Option<Suggestion> {
    let text = dotted(path);
    let typo_limit = (text.chars().count() / 4).clamp(1, 3);
    let mut best: Option<(Rank, &Candidate)> = None;
    for c in candidates {
        let rank = if let Some(d) = edit_distance(&text, &c.text, typo_limit) {
            (0, d, !c.read, c.text.len())
        } else {
            let shared = path
                .iter()
                .rev()
                .zip(c.path.iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            let leading = path.iter().zip(&c.path).take_while(|(a, b)| a == b).count();
            // One shared last key (`enabled`, `create`) says little alone:
            // it counts when it is all the user wrote, or the paths also
            // start alike (`metrics.enabled` and `metrics.jmx.enabled`).
            if shared == 0 || (shared == 1 && path.len() > 1 && leading == 0) {
                continue;
            }
            (1, usize::MAX - shared, !c.read, c.text.len())
        };
        if best
            .as_ref()
            .is_none_or(|(r, b)| rank < *r || (rank == *r && c.text < b.text))
        {
            best = Some((rank, c));
        }
    }
    best.map(|(_, c)| Suggestion {
        path: c.path.clone(),
        read: c.read,
    })
}

/// Levenshtein distance of two strings, or `None` when it is above `limit`
/// (checked cheaply first on their lengths).
fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::reads::armed;

    fn yaml(s: &str) -> Value {
        crate::yaml::from_str(s).unwrap()
    }

    /// Arms `values`, reads `paths` from it as templates would, and reports
    /// what of `user` went unread.
    fn report(values: &str, user: &str, paths: &[&str]) -> Vec<String> {
        let tree = armed(&yaml(values));
        for p in paths {
            let mut cur = tree.clone();
            for k in p.split('.') {
                cur = cur.get(k);
            }
        }
        let reads = Reads {
            values: tree,
            helm_paths: vec!["sub.enabled".into()],
        };
        find(&yaml(user), &reads)
            .iter()
            .map(|u| Finding::new("r", u, &[]).text())
            .collect()
    }

    #[test]
    fn a_key_at_the_wrong_depth_is_named_with_the_key_meant() {
        let values = "primary:\n  persistence:\n    size: 1Gi\nreadReplicas:\n  persistence:\n    size: 8Gi\npersistence:\n  size: 1Gi\n";
        let got = report(
            values,
            "persistence:\n  size: 1Gi\n",
            &["primary.persistence.size"],
        );
        assert_eq!(
            got,
            vec!["persistence.size is never read; the chart reads primary.persistence.size"]
        );
    }

    #[test]
    fn typos_suggest_the_near_key_and_read_values_are_quiet() {
        let values = "image:\n  tag: a\n  tagg: b\n  pullPolicy: x\nsub:\n  enabled: true\n";
        let got = report(
            values,
            "image:\n  tagg: b\n  pullPolicy: x\nsub:\n  enabled: true\n",
            &["image.tag", "image.pullPolicy"],
        );
        assert_eq!(
            got,
            vec!["image.tagg is never read; the chart reads image.tag"]
        );
    }

    #[test]
    fn globals_count_when_any_chart_reads_them() {
        let values = "global:\n  a: 1\n  b: 2\nsub:\n  global:\n    a: 1\n    b: 2\n";
        let got = report(values, "global:\n  a: 1\n  b: 2\n", &["sub.global.a"]);
        assert_eq!(got, vec!["global.b is never read"]);
    }

    #[test]
    fn distance_is_bounded() {
        assert_eq!(edit_distance("size", "sizes", 1), Some(1));
        assert_eq!(edit_distance("size", "other", 1), None);
        assert_eq!(edit_distance("", "", 1), Some(0));
    }
}
