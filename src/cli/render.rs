//! `chartfix render STACK`: a whole stack's final manifests on stdout, a short
//! summary on stderr. Manifests are printed only once everything rendered;
//! check problems then make the exit status 1.

use super::images::{check_documents, ImageFlags};
use super::{report, EXIT_FAILURE, EXIT_OK};
use chartfix::check::kinds::{check_kinds, Target, DEFAULT_KUBE_MINOR};
use chartfix::check::workloads::parse_stream;
use chartfix::manifest::mask::mask_pair;
use chartfix::manifest::ResourceId;
use chartfix::stack::{self, lock::LockFile, Rendered, StackOptions};
use std::io::Write;
use std::path::PathBuf;

/// Flags every stack command shares (render, snapshot, verify).
#[derive(clap::Args, Clone)]
pub struct StackFlags {
    /// A stack file, a folder of raw manifests, a name in ./stacks/, or a
    /// built-in stack (beta9).
    pub stack: String,
    /// Use the chart cache alone (and skip image checks).
    #[arg(long)]
    pub offline: bool,
    /// Registry mirrors, auth and TLS in k3s's registries.yaml format.
    #[arg(long, value_name = "FILE")]
    pub registry_config: Option<PathBuf>,
    /// HTTP chart repository mirror, FROM=TO (repeatable).
    #[arg(long = "repo-mirror", value_name = "FROM=TO")]
    pub repo_mirrors: Vec<String>,
    /// Talk plain HTTP to registries given without a scheme.
    #[arg(long)]
    pub plain_http: bool,
    /// Cache folder for charts and image results.
    #[arg(long, env = "CHARTFIX_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Most one chart's templates may write together, intermediate `include`
    /// output counted: bytes or 200MiB, 2GiB.
    #[arg(long = "max-output", value_name = "SIZE", default_value = "100MiB", value_parser = super::parse_size)]
    pub max_output: usize,
}

impl StackFlags {
    pub fn options(&self) -> StackOptions {
        StackOptions {
            offline: self.offline,
            registry_config: self.registry_config.clone(),
            repo_mirrors: self.repo_mirrors.clone(),
            plain_http: self.plain_http,
            cache_dir: self.cache_dir.clone(),
            quiet: false,
            max_output_bytes: self.max_output,
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    stack: StackFlags,
    /// Do not ask registries about images.
    #[arg(long)]
    skip_image_check: bool,
    /// Print every overlay change as a table on stderr.
    #[arg(long)]
    explain: bool,
    /// Print a unified diff of the manifests before and after overlays on stderr.
    #[arg(long)]
    diff: bool,
    /// Fail when resolution differs from STACK.lock (or there is none).
    #[arg(long)]
    locked: bool,
    /// Write each release's manifests to DIR/RELEASE.yaml instead of stdout.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let rendered = match stack::render_stack(&args.stack.stack, &args.stack.options()) {
        Ok(r) => r,
        Err(e) => return report(e),
    };
    match settle_lock(&rendered, args.locked) {
        Ok(Some(note)) => eprintln!("{note}"),
        Ok(None) => {}
        Err(e) => return report(e),
    }
    let checks = match run_checks(&rendered, &args) {
        Ok(c) => c,
        Err(e) => return report(e),
    };
    if let Some(dir) = &args.output_dir {
        if let Err(e) = write_dir(&rendered.text, dir) {
            return report(e);
        }
    } else {
        let mut out = std::io::stdout().lock();
        if out
            .write_all(rendered.text.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return EXIT_FAILURE;
        }
    }
    if args.explain {
        if rendered.changes.is_empty() {
            eprintln!("No changes.");
        } else {
            eprint!("{}", chartfix::overlay::explain_table(&rendered.changes));
        }
    }
    if args.diff {
        eprint!("{}", overlay_diff(&rendered));
    }
    eprint!("{}", stack::summary::summary(&rendered));
    eprint!("{}", checks.text);
    if checks.problems {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// Writes the lock on first render, rewrites it when resolution moved, and
/// refuses either under `--locked`. Returns a note for stderr.
pub fn settle_lock(r: &Rendered, locked: bool) -> Result<Option<String>, String> {
    let path = &r.lock_path;
    let old = LockFile::read(path)?;
    let differences = match &old {
        Some(old) => r.lock.differences(old),
        None if locked => {
            return Err(format!(
                "--locked: there is no lock file {}; render once without --locked to write it",
                path.display()
            ))
        }
        None => Vec::new(),
    };
    if old.is_some() && differences.is_empty() {
        return Ok(None);
    }
    if locked {
        return Err(format!(
            "--locked: resolution differs from {}:\n  {}\nrender without --locked to update it",
            path.display(),
            differences.join("\n  ")
        ));
    }
    // A stack in a read-only place (a shared corpus) still renders; the lock
    // is a record, not a precondition, unless --locked asked for it.
    if let Err(e) = r.lock.write(path) {
        return Ok(Some(format!(
            "warning: cannot write the lock file {}: {e}; rendering without it",
            path.display()
        )));
    }
    Ok(Some(if old.is_none() {
        format!("wrote {}", path.display())
    } else {
        format!(
            "updated {}:\n  {}",
            path.display(),
            differences.join("\n  ")
        )
    }))
}

struct Checks {
    text: String,
    problems: bool,
}

/// Kinds always (no network needed); images unless offline or skipped.
fn run_checks(r: &Rendered, args: &Args) -> Result<Checks, String> {
    let docs = parse_stream(&r.text).map_err(|e| format!("the rendered stack: {e}"))?;
    let target = Target {
        kube_minor: DEFAULT_KUBE_MINOR,
        api_versions: Vec::new(),
        k3s: true,
    };
    let missing = check_kinds(&docs, &target);
    let mut text = String::new();
    if missing.is_empty() {
        text.push_str(&format!(
            "kinds: all served by Kubernetes 1.{DEFAULT_KUBE_MINOR} (k3s)\n"
        ));
    } else {
        text.push_str(&chartfix::check::output::kinds_text(
            &missing,
            &format!("Kubernetes 1.{DEFAULT_KUBE_MINOR} (k3s)"),
            chartfix::check::output::Style { color: false },
        ));
    }
    let mut problems = !missing.is_empty();
    if args.skip_image_check || args.stack.offline {
        text.push_str(if args.stack.offline {
            "images: not checked (--offline)\n"
        } else {
            "images: not checked (--skip-image-check)\n"
        });
    } else {
        let flags = ImageFlags {
            platforms: r.platform.iter().cloned().collect(),
            registry_config: args.stack.registry_config.clone(),
            plain_http: args.stack.plain_http,
            concurrency: 16,
            timeout: 20,
            offline: false,
            cache_dir: args.stack.cache_dir.clone(),
            cache_ttl: 3600,
        };
        let result = check_documents(&docs, &flags).map_err(|e| e.to_string())?;
        if result.summary.problems > 0 {
            problems = true;
            text.push_str(&chartfix::check::output::images_table(
                &result,
                chartfix::check::output::Style { color: false },
            ));
        } else {
            text.push_str(&format!(
                "images: {} checked, no problems\n",
                result.images.len()
            ));
        }
    }
    Ok(Checks { text, problems })
}

/// The unified diff of the stream before and after overlays. Both sides are
/// re-emitted document by document first: an overlay re-emits what it changes
/// in its own style, and a diff of styles would hide the changes. A Secret's
/// values are hidden on both sides (`<hidden, changed>` where the overlays
/// changed one), as in `chartfix diff`.
pub fn overlay_diff(r: &Rendered) -> String {
    let before = documents(&r.before_overlays);
    let after = documents(&r.text);
    let olds: std::collections::HashMap<&ResourceId, &serde_json::Value> = before
        .iter()
        .filter_map(|d| d.parsed.as_ref().map(|(id, v)| (id, v)))
        .collect();
    let before_text = emit(&before, |id, v| mask_pair(id, Some(v), None).0);
    let after_text = emit(&after, |id, v| {
        mask_pair(id, olds.get(id).copied(), Some(v)).1
    });
    similar::TextDiff::from_lines(&before_text, &after_text)
        .unified_diff()
        .context_radius(3)
        .header("before overlays", "after overlays")
        .to_string()
}

/// One `# Source:` document of a stream, parsed when it is a resource.
struct SourceDoc {
    source: String,
    body: String,
    parsed: Option<(ResourceId, serde_json::Value)>,
}

fn documents(stream: &str) -> Vec<SourceDoc> {
    let padded = format!("\n{stream}");
    padded
        .split("\n---\n# Source: ")
        .skip(1)
        .map(|piece| {
            let (source, body) = piece.split_once('\n').unwrap_or((piece, ""));
            let parsed = chartfix::manifest::parse_document(body)
                .ok()
                .filter(|v| !v.is_null())
                .and_then(|v| ResourceId::of(&v).map(|id| (id, v)));
            SourceDoc {
                source: source.to_string(),
                body: body.to_string(),
                parsed,
            }
        })
        .collect()
}

/// The documents in one style, each resource passed through `mask` first.
fn emit(
    docs: &[SourceDoc],
    mask: impl Fn(&ResourceId, &serde_json::Value) -> Option<serde_json::Value>,
) -> String {
    let mut out = String::new();
    for d in docs {
        let body = match &d.parsed {
            Some((id, v)) => mask(id, v)
                .and_then(|m| yaml_serde::to_string(&m).ok())
                .unwrap_or_else(|| d.body.clone()),
            // Text that does not parse is kept as written, unless it may be
            // a Secret, whose values must not be shown however it is broken.
            None if d.body.contains("Secret") => {
                "# (a document that does not parse, hidden)".into()
            }
            None => d.body.clone(),
        };
        out.push_str("---\n# Source: ");
        out.push_str(&d.source);
        out.push('\n');
        out.push_str(body.trim_end());
        out.push('\n');
    }
    out
}

/// `--output-dir`: one file per release, named after it.
fn write_dir(text: &str, dir: &std::path::Path) -> Result<(), String> {
    let mut files: indexmap::IndexMap<String, String> = indexmap::IndexMap::new();
    let mut current = String::new();
    let mut doc = String::new();
    let flush = |files: &mut indexmap::IndexMap<String, String>, name: &str, doc: &mut String| {
        if !doc.is_empty() {
            files.entry(name.to_string()).or_default().push_str(doc);
            doc.clear();
        }
    };
    let mut prev_marker = false;
    for line in text.split_inclusive('\n') {
        if prev_marker {
            if let Some(src) = line.strip_prefix("# Source: ") {
                let release = src.split('/').next().unwrap_or("stack").trim().to_string();
                // The `---` just pushed belongs to this document.
                let marker_len = doc.rfind("---").map_or(doc.len(), |i| i);
                let tail = doc.split_off(marker_len);
                flush(&mut files, &current, &mut doc);
                current = release;
                doc = tail;
            }
        }
        prev_marker = line.trim_end() == "---";
        doc.push_str(line);
    }
    flush(&mut files, &current, &mut doc);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, body) in files {
        if body.trim().is_empty() {
            continue;
        }
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
