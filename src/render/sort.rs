//! Rendered files → Helm's ordered documents: split on `---`, hooks apart
//! from the rest, each group sorted by file path and then, stably, by Helm's
//! install order of kinds (unknown kinds last, alphabetically).

use super::head::{self, Head};

/// Helm's install order of kinds.
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Hook events Helm knows; a document naming any other is dropped.
const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// One document of a rendered file.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The template's path, e.g. `redis/templates/svc.yaml`.
    pub path: String,
    /// The document's text, without the `---` before it.
    pub content: String,
    pub kind: String,
    /// Hook events, lower-cased; empty for an ordinary document.
    pub events: Vec<String>,
}

impl Manifest {
    /// A test hook (`test`, or Helm 2's `test-success`).
    pub fn is_test(&self) -> bool {
        self.events
            .iter()
            .any(|e| e == "test" || e == "test-success")
    }
}

/// Splits a stream on `---` lines as Helm does: leading blanks go, a
/// document keeps what follows it up to the next separator.
///
/// Helm splits on the pattern `(?:^|\s*\n)---\s*`; this finds the same
/// separators by hand, because compiling the pattern cost more than
/// splitting a whole chart's output ([`separators`]).
pub fn split_documents(text: &str) -> Vec<&str> {
    let text = text.trim_start();
    let mut start = 0;
    // An empty separator at the end yields what follows the last one.
    separators(text)
        .chain(std::iter::once((text.len(), text.len())))
        .map(|(from, to)| &text[std::mem::replace(&mut start, to)..from])
        .map(str::trim_start)
        .filter(|d| !d.trim().is_empty())
        .collect()
}

/// Where `(?:^|\s*\n)---\s*` matches in `text`, leftmost first, as a
/// regex engine finds them: `---` at the very start, or `\n---` with the
/// whitespace before it (from where the run of whitespace begins, but not
/// before the last match's end); each match goes on over the whitespace
/// after the dashes. Whitespace is Unicode's, as `\s` is.
fn separators(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let skip_space = |at: usize| {
        text[at..]
            .char_indices()
            .find(|(_, c)| !c.is_whitespace())
            .map_or(text.len(), |(i, _)| at + i)
    };
    let mut searched = 0;
    let mut first = true;
    std::iter::from_fn(move || {
        if std::mem::take(&mut first) && text.starts_with("---") {
            searched = skip_space(3);
            return Some((0, searched));
        }
        let newline = searched + memchr::memmem::find(&text.as_bytes()[searched..], b"\n---")?;
        let from = text[searched..newline]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_whitespace())
            .last()
            .map_or(newline, |(i, _)| searched + i);
        searched = skip_space(newline + 4);
        Some((from, searched))
    })
}

/// Sorts rendered files (path → text) into ordinary documents and hooks, both
/// in Helm's order. A document that is not YAML fails with Helm's message.
pub fn sort_manifests(
    files: &[(String, String)],
) -> Result<(Vec<Manifest>, Vec<Manifest>), String> {
    let mut order: Vec<&(String, String)> = files
        .iter()
        .filter(|(path, text)| {
            let base = path.rsplit('/').next().unwrap_or(path);
            !base.starts_with('_') && !text.trim().is_empty()
        })
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0));
    // Reading each document's head is most of the work, and files are
    // independent: read them on the threads the work is worth, then sort.
    let work = order.iter().map(|(_, text)| text.len()).sum();
    let threads = crate::parallel::threads_for(work);
    let read = crate::parallel::map(&order, threads, |(path, text)| read_file(path, text));
    let mut generic = Vec::new();
    let mut hooks = Vec::new();
    for docs in read {
        for (m, hook) in docs? {
            let Some(hook) = hook else {
                generic.push(m);
                continue;
            };
            let events: Vec<String> = hook.split(',').map(|e| e.trim().to_lowercase()).collect();
            if events.iter().any(|e| !HOOK_EVENTS.contains(&e.as_str())) {
                // Helm skips documents with unknown hook events.
                continue;
            }
            hooks.push(Manifest { events, ..m });
        }
    }
    generic.sort_by_key(kind_rank);
    hooks.sort_by_key(kind_rank);
    Ok((generic, hooks))
}

/// The documents of one rendered file, each with its hook annotation
/// (`None` for none).
fn read_file(path: &str, text: &str) -> Result<Vec<(Manifest, Option<String>)>, String> {
    let mut out = Vec::new();
    for doc in split_documents(text) {
        let head = if only_comments(doc) {
            Head::default()
        } else {
            head::read(doc).map_err(|e| format!("YAML parse error on {path}: {e}"))?
        };
        let m = Manifest {
            path: path.to_string(),
            content: doc.to_string(),
            kind: head.kind,
            events: Vec::new(),
        };
        out.push((m, head.hook));
    }
    Ok(out)
}

/// A document of comments and blank lines only: an empty YAML document,
/// kept (as Helm keeps it) with no kind. A character YAML cannot hold, even in
/// a comment, makes it one for the reader to refuse, as go-yaml does.
fn only_comments(doc: &str) -> bool {
    doc.lines().all(|l| {
        let t = l.trim_start();
        t.is_empty() || t.starts_with('#')
    }) && doc.chars().all(yaml_printable)
}

/// YAML's printable characters (what go-yaml's reader accepts).
fn yaml_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// Known kinds in install order, then unknown kinds alphabetically.
fn kind_rank(m: &Manifest) -> (usize, String) {
    match INSTALL_ORDER.iter().position(|k| *k == m.kind) {
        Some(i) => (i, String::new()),
        None => (INSTALL_ORDER.len(), m.kind.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_helm() {
        let docs = split_documents("\n---\na: 1\n\n---\n# c\nb: 2\n---   \n\n");
        assert_eq!(docs, ["a: 1", "# c\nb: 2"]);
        let docs = split_documents("a: 1\n---\nb: 2\n\n");
        assert_eq!(docs, ["a: 1", "b: 2\n\n"]);
    }

    /// The separators found by hand are the pattern's, on every text of a
    /// few characters that matter (dashes, newlines, ASCII and Unicode
    /// spaces) and a letter: all of length up to 6, and longer ones drawn.
    #[test]
    fn separators_are_the_patterns() {
        let pattern = regex::Regex::new(r"(?:^|\s*\n)---\s*").unwrap();
        let alphabet = ['-', '\n', ' ', '\t', 'a', '\u{a0}', '\u{2028}', '\r'];
        let check = |text: &str| {
            let want: Vec<(usize, usize)> = pattern
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect();
            let got: Vec<(usize, usize)> = separators(text).collect();
            assert_eq!(got, want, "{text:?}");
        };
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.iter().for_each(|t| check(t));
        }
        let mut rng = crate::testing::Xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let len = rng.below(40);
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            check(&text);
        }
    }

    #[test]
    fn orders_by_path_then_kind_hooks_apart() {
        let files = vec![
            ("c/templates/b.yaml".to_string(), "kind: Deployment\n---\nkind: Service\n".to_string()),
            ("c/templates/a.yaml".to_string(), "kind: Zed\n---\nkind: Alpha\n---\nkind: Deployment\n".to_string()),
            (
                "c/templates/h.yaml".to_string(),
                "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: Pre-Install, test-success\n".to_string(),
            ),
            (
                "c/templates/u.yaml".to_string(),
                "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: bogus\n".to_string(),
            ),
            ("c/templates/_p.yaml".to_string(), "kind: Pod\n".to_string()),
        ];
        let (generic, hooks) = sort_manifests(&files).unwrap();
        let kinds: Vec<_> = generic
            .iter()
            .map(|m| (m.path.as_str(), m.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("c/templates/b.yaml", "Service"),
                ("c/templates/a.yaml", "Deployment"),
                ("c/templates/b.yaml", "Deployment"),
                ("c/templates/a.yaml", "Alpha"),
                ("c/templates/a.yaml", "Zed"),
            ]
        );
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].events, ["pre-install", "test-success"]);
        assert!(hooks[0].is_test());
    }

    #[test]
    fn bad_yaml_names_the_template() {
        let files = vec![("c/templates/x.yaml".to_string(), "a: b: c\n".to_string())];
        let err = sort_manifests(&files).unwrap_err();
        assert!(
            err.starts_with(
                "YAML parse error on c/templates/x.yaml: error converting YAML to JSON: yaml:"
            ),
            "{err}"
        );
        // A control character is refused even inside a comment.
        let files = vec![("c/templates/x.yaml".to_string(), "# a\u{0}b\n".to_string())];
        let err = sort_manifests(&files).unwrap_err();
        assert!(err.ends_with("control characters are not allowed"), "{err}");
    }
}
