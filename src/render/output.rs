//! Printing what was rendered as `helm template` prints it: `---\n# Source:
//! PATH\n` before each document, CRDs first when asked, hooks after the rest,
//! `--show-only` filtering, or one file per template under `--output-dir`.

use super::sort::{sort_manifests, split_documents, Manifest};
use super::Rendered;
use crate::chart::helmignore::go_match;
use std::path::{Path, PathBuf};

/// The output flags of `helm template`.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    pub include_crds: bool,
    pub no_hooks: bool,
    pub skip_tests: bool,
    pub show_only: Vec<String>,
    pub output_dir: Option<PathBuf>,
    /// `--release-name`: write under `OUTPUT_DIR/RELEASE`.
    pub release_dir: Option<String>,
}

/// The stream `helm template` prints (without `--output-dir`).
pub fn stream(rendered: &Rendered, opts: &OutputOptions) -> Result<String, String> {
    let (generic, hooks) = sort_manifests(&rendered.files).map_err(with_debug_hint)?;
    let crds: &[(String, String)] = if opts.include_crds {
        &rendered.crds
    } else {
        &[]
    };
    let docs = || {
        let crds = crds
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()));
        let generic = generic
            .iter()
            .map(|m| (m.path.as_str(), m.content.as_str()));
        crds.chain(generic)
    };
    // Sized once: the stream is written into one allocation, not grown by
    // doubling and then copied out of a second.
    let size: usize = docs()
        .chain(printed_hooks(&hooks, opts).map(|m| (m.path.as_str(), m.content.as_str())))
        .map(|(path, text)| DOC_FRAME + path.len() + text.len())
        .sum();
    let mut out = String::with_capacity(size + 1);
    for (path, text) in docs() {
        push_doc(&mut out, path, text);
    }
    // Helm trims the CRDs and the other documents as one text (a leading
    // `---` means nothing leads in practice).
    out.truncate(out.trim_end().len());
    let lead = out.len() - out.trim_start().len();
    out.drain(..lead);
    out.push('\n');
    for m in printed_hooks(&hooks, opts) {
        push_doc(&mut out, &m.path, &m.content);
    }
    if opts.show_only.is_empty() {
        return Ok(out);
    }
    show_only(&out, &opts.show_only)
}

fn printed_hooks<'a>(
    hooks: &'a [Manifest],
    opts: &'a OutputOptions,
) -> impl Iterator<Item = &'a Manifest> {
    hooks
        .iter()
        .filter(move |m| !opts.no_hooks && (!opts.skip_tests || !m.is_test()))
}

/// What [`push_doc`] writes around a document's path and text.
const DOC_FRAME: usize = "---\n# Source: \n\n".len();

fn push_doc(out: &mut String, path: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(path);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

fn with_debug_hint(e: String) -> String {
    format!("{e}\n\nUse --debug flag to render out invalid YAML")
}

/// `--show-only`: the documents whose template path (after the chart name)
/// matches one of the patterns, pattern by pattern.
fn show_only(stream: &str, patterns: &[String]) -> Result<String, String> {
    let docs = split_documents(stream);
    let mut out = String::new();
    for pattern in patterns {
        let pattern = pattern.replace('\\', "/");
        let mut found = false;
        for doc in &docs {
            let Some(path) = source_of(doc) else { continue };
            if go_match(&pattern, path).unwrap_or(false) {
                out.push_str("---\n");
                out.push_str(doc);
                out.push('\n');
                found = true;
            }
        }
        if !found {
            return Err(format!("could not find template {pattern} in chart"));
        }
    }
    Ok(out)
}

/// The path after the chart name in a document's `# Source:` line.
fn source_of(doc: &str) -> Option<&str> {
    let i = doc.find("# Source: ")?;
    let rest = &doc[i + "# Source: ".len()..];
    let line = rest.split('\n').next()?;
    let slash = line.find('/')?;
    if slash == 0 {
        return None;
    }
    Some(&line[slash + 1..])
}

/// `--output-dir`: each template's documents appended to `DIR/PATH`, as Helm
/// writes them; returns the lines Helm prints (`wrote FILE`) and the final stream.
pub fn write_dir(rendered: &Rendered, opts: &OutputOptions, dir: &Path) -> Result<String, String> {
    let (generic, hooks) = sort_manifests(&rendered.files).map_err(with_debug_hint)?;
    let base = match &opts.release_dir {
        Some(r) => dir.join(r),
        None => dir.to_path_buf(),
    };
    let mut written = std::collections::HashSet::new();
    let mut log = String::new();
    if opts.include_crds {
        for (path, text) in &rendered.crds {
            write_one(dir, path, text, !written.insert(path.clone()), &mut log)?;
        }
    }
    for m in &generic {
        write_one(
            &base,
            &m.path,
            &m.content,
            !written.insert(m.path.clone()),
            &mut log,
        )?;
    }
    let mut hooks_written = std::collections::HashSet::new();
    for m in printed_hooks(&hooks, opts) {
        // Helm appends a hook to a file that already exists, whoever wrote it.
        let exists = base.join(&m.path).exists();
        let append = exists || !hooks_written.insert(m.path.clone());
        write_one(&base, &m.path, &m.content, append, &mut log)?;
    }
    log.push('\n');
    Ok(log)
}

fn write_one(
    dir: &Path,
    name: &str,
    data: &str,
    append: bool,
    log: &mut String,
) -> Result<(), String> {
    use std::io::Write;
    let file = dir.join(name);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(&file)
        .map_err(|e| format!("opening {}: {e}", file.display()))?;
    write!(f, "---\n# Source: {name}\n{data}\n")
        .map_err(|e| format!("writing {}: {e}", file.display()))?;
    log.push_str(&format!("wrote {}\n", file.display()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> Rendered {
        Rendered {
            files: vec![
                (
                    "c/templates/svc.yaml".into(),
                    "kind: Service\nmetadata:\n  name: s\n".into(),
                ),
                ("c/templates/cm.yaml".into(), "kind: ConfigMap\n".into()),
                (
                    "c/templates/test.yaml".into(),
                    "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n".into(),
                ),
            ],
            crds: vec![(
                "c/crds/x.yaml".into(),
                "kind: CustomResourceDefinition\n".into(),
            )],
            warnings: vec![],
            reads: None,
            leftovers: Default::default(),
        }
    }

    #[test]
    fn stream_as_helm() {
        let out = stream(&rendered(), &OutputOptions::default()).unwrap();
        assert_eq!(
            out,
            "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\n\n---\n# Source: c/templates/svc.yaml\nkind: Service\nmetadata:\n  name: s\n---\n# Source: c/templates/test.yaml\nkind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n\n"
        );
        let opts = OutputOptions {
            include_crds: true,
            skip_tests: true,
            ..Default::default()
        };
        let out = stream(&rendered(), &opts).unwrap();
        assert!(
            out.starts_with("---\n# Source: c/crds/x.yaml\nkind: CustomResourceDefinition\n\n---")
        );
        assert!(!out.contains("helm.sh/hook"));
    }

    #[test]
    fn show_only_filters_and_fails_on_no_match() {
        let opts = OutputOptions {
            show_only: vec!["templates/svc.yaml".into()],
            ..Default::default()
        };
        let out = stream(&rendered(), &opts).unwrap();
        assert_eq!(
            out,
            "---\n# Source: c/templates/svc.yaml\nkind: Service\nmetadata:\n  name: s\n"
        );
        let opts = OutputOptions {
            show_only: vec!["templates/nope.yaml".into()],
            ..Default::default()
        };
        assert_eq!(
            stream(&rendered(), &opts).unwrap_err(),
            "could not find template templates/nope.yaml in chart"
        );
    }

    #[test]
    fn output_dir_writes_files() {
        let dir = tempfile::tempdir().unwrap();
        let log = write_dir(&rendered(), &OutputOptions::default(), dir.path()).unwrap();
        assert!(log.contains("wrote "));
        let svc = std::fs::read_to_string(dir.path().join("c/templates/svc.yaml")).unwrap();
        assert_eq!(
            svc,
            "---\n# Source: c/templates/svc.yaml\nkind: Service\nmetadata:\n  name: s\n\n"
        );
    }
}
