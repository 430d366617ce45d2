//! Stacks: several releases and raw manifests rendered, rewritten and checked
//! as one.
//!
//! ```text
//! locate (file, folder, ./stacks/NAME, built-in) ─▶ file (parse, validate)
//!   ─▶ for each release: chart_release (resolve, values, render)
//!                      | helmchart (raw documents, HelmCharts expanded)
//!   ─▶ release overlays ─▶ stack overlays ─▶ Rendered { text, changes, lock }
//! ```
//!
//! [`render_stack`] is the library entry point (`chartfix render`, `snapshot`,
//! `verify` and `diff` call it); [`lock::settle`] is the lock policy after a
//! render, [`output::write_dir`] writes one file per release. Checks
//! (`check::stream`) and printing are the caller's.

pub mod bundle;
pub mod chart_release;
pub mod file;
pub mod helmchart;
pub mod locate;
pub mod lock;
pub mod offline;
pub mod output;
pub mod summary;

use crate::overlay::{self, Change, Overlay};
use crate::render::leftovers::Leftovers;
use crate::render::shared::SharedParses;
use crate::values::places::ValueInput;
use crate::values::unused::Finding;
use chart_release::{merge_yaml_values, render_chart, ChartJob, ChartSource};
use file::{OverlayRef, StackFile};
use helmchart::Piece;
use locate::{Files, Located};
use lock::{LockEntry, LockFile};
use std::path::PathBuf;
use std::sync::Arc;

/// How to fetch charts for a stack; the command line's flags.
#[derive(Debug, Clone, Default)]
pub struct StackOptions {
    /// Use the chart cache alone.
    pub offline: bool,
    /// k3s `registries.yaml`; wins over the stack's `mirrors.registryConfig`.
    pub registry_config: Option<PathBuf>,
    /// `FROM=TO` repository mirrors, tried before the stack's own.
    pub repo_mirrors: Vec<String>,
    pub plain_http: bool,
    pub cache_dir: Option<PathBuf>,
    /// No progress bars.
    pub quiet: bool,
    /// Deadline for each registry or repository request; `None` for
    /// [`crate::registry::DEFAULT_TIMEOUT`].
    pub timeout: Option<std::time::Duration>,
    /// The command's overall deadline for network work.
    pub deadline: Option<crate::registry::Deadline>,
    /// Bytes one chart's templates may write together; 0 means the engine's
    /// default (100 MiB).
    pub max_output_bytes: usize,
    /// Leave out the stack file's own `mirrors:` (a bundle, rendered from
    /// the charts it carries, has no use for them and holds no registries.yaml).
    pub ignore_stack_mirrors: bool,
}

/// Why a stack could not be rendered; the message says what, where and what
/// to do, and a release's failure keeps the pipeline's error as its cause.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// The stack itself: not found, malformed, an overlay or a file it names.
    #[error("{0}")]
    Stack(String),
    /// A release failed in the release pipeline.
    #[error("release {release}: {source}")]
    Release {
        release: String,
        #[source]
        source: crate::release::ReleaseError,
    },
}

impl From<String> for StackError {
    fn from(s: String) -> StackError {
        StackError::Stack(s)
    }
}

impl StackError {
    /// The release pipeline's error, when a release failed.
    pub fn release(&self) -> Option<&crate::release::ReleaseError> {
        match self {
            StackError::Release { source, .. } => Some(source),
            StackError::Stack(_) => None,
        }
    }
}

/// What one release contributed.
#[derive(Debug, Clone)]
pub struct ReleaseSummary {
    pub name: String,
    /// `chart redis 18.6.1` or `manifests`.
    pub what: String,
    pub documents: usize,
}

/// A rendered stack: the final stream and the account of how it came to be.
#[derive(Debug)]
pub struct Rendered {
    pub name: String,
    /// The final manifests, each document `---\n# Source: RELEASE/PATH\n…`.
    pub text: String,
    /// The same stream before any overlay (for `--diff`).
    pub before_overlays: String,
    /// Every change the overlays made, in order.
    pub changes: Vec<Change>,
    /// Overlays in the order applied (release ones first), with change counts.
    pub overlay_counts: Vec<(String, usize)>,
    pub releases: Vec<ReleaseSummary>,
    /// Documents in [`Rendered::text`].
    pub resources: usize,
    /// The stack's `platform:`, for image checks.
    pub platform: Option<String>,
    /// What resolution found, for the lock file.
    pub lock: LockFile,
    /// Where the stack keeps its lock ([`lock::settle`] writes it).
    pub lock_target: lock::LockTarget,
    /// Rendered from a bundle: from its charts alone, with no network.
    pub from_bundle: bool,
    /// The k3s `registries.yaml` charts were fetched through (the command
    /// line's, else the stack's `mirrors.registryConfig`): image checks and
    /// pulls go through the same one.
    pub registry_config: Option<PathBuf>,
    pub warnings: Vec<String>,
    /// User values of chart releases that no template read.
    pub unused: Vec<Finding>,
    /// The chart releases' engines and charts, freed when this is dropped
    /// (a command about to exit abandons them: [`Leftovers::abandon`]).
    pub leftovers: Vec<Leftovers>,
}

/// What rendering a release and applying overlays record besides the text:
/// kept apart for each release, so that releases can render side by side,
/// and taken into the [`Rendered`] in release order.
#[derive(Default)]
struct Account {
    changes: Vec<Change>,
    overlay_counts: Vec<(String, usize)>,
    lock: Vec<LockEntry>,
    warnings: Vec<String>,
    unused: Vec<Finding>,
    leftovers: Vec<Leftovers>,
}

impl Rendered {
    fn take(&mut self, account: Account) {
        self.changes.extend(account.changes);
        self.overlay_counts.extend(account.overlay_counts);
        self.lock.charts.extend(account.lock);
        self.warnings.extend(account.warnings);
        self.unused.extend(account.unused);
        self.leftovers.extend(account.leftovers);
    }
}

/// Renders a stack named as on the command line (a path, a folder of raw
/// manifests, a name in `./stacks/`, or a built-in name) to its final stream.
pub fn render_stack(spec: &str, options: &StackOptions) -> Result<Rendered, StackError> {
    if bundle::is_bundle(std::path::Path::new(spec)) {
        return render_bundle(std::path::Path::new(spec), options);
    }
    let located = locate::locate(spec)?;
    render_located(&located, options)
}

/// Renders a bundle ([`bundle`]) offline from the charts it carries; its
/// resolution must be the lock it carries, or nothing is rendered.
pub fn render_bundle(
    path: &std::path::Path,
    options: &StackOptions,
) -> Result<Rendered, StackError> {
    let opened = bundle::open(path)?;
    let options = StackOptions {
        offline: true,
        cache_dir: Some(opened.cache_dir.clone()),
        registry_config: None,
        repo_mirrors: Vec::new(),
        ignore_stack_mirrors: true,
        ..options.clone()
    };
    let mut rendered = render_located(&opened.located, &options)?;
    rendered.from_bundle = true;
    let differences = rendered.lock.differences(&opened.lock);
    if !differences.is_empty() {
        return Err(StackError::Stack(format!(
            "{}: the stack does not resolve to the lock it carries:\n  {}\nbundle the stack again",
            path.display(),
            differences.join("\n  ")
        )));
    }
    Ok(rendered)
}

/// Renders a stack already found (a caller holding the stack's text from
/// elsewhere, such as a git revision, builds a [`Located`] itself).
pub fn render_located(located: &Located, options: &StackOptions) -> Result<Rendered, StackError> {
    let stack = file::parse(&located.origin, &located.text)
        .map_err(|e| StackError::Stack(e.to_string()))?;
    let resolver = resolver_for(&stack, &located.files, options)?;
    let stack_overlays = load_overlays(&stack.overlays, &located.files)
        .map_err(|e| format!("{}: {e}", located.origin))?;

    let mut before = String::new();
    let mut after = String::new();
    let mut out = Rendered {
        name: stack.name.clone(),
        text: String::new(),
        before_overlays: String::new(),
        changes: Vec::new(),
        overlay_counts: Vec::new(),
        releases: Vec::new(),
        resources: 0,
        platform: stack.platform.clone(),
        lock: LockFile {
            stack: stack.name.clone(),
            charts: Vec::new(),
        },
        lock_target: located.lock.clone(),
        from_bundle: false,
        registry_config: registry_config(&stack, &located.files, options)?,
        warnings: Vec::new(),
        unused: Vec::new(),
        leftovers: Vec::new(),
    };
    // Releases depend on nothing but the stack, so they render side by side;
    // what each records is taken in release order, and the first failure in
    // that order is the one reported.
    // Charts take longest, so the threads start with them and end with the
    // releases of plain manifests.
    let mut order: Vec<usize> = (0..stack.releases.len()).collect();
    order.sort_by_key(|&i| stack.releases[i].chart.is_none());
    // Not while fetches may draw progress bars: two threads' bars would
    // overwrite each other's line.
    let bars = !options.offline && crate::source::progress::wanted(options.quiet);
    let threads = if bars {
        1
    } else {
        crate::parallel::threads_for_jobs(order.len())
    };
    // Releases of one chart parse its templates once between them.
    let parses = Arc::new(SharedParses::default());
    let done = crate::parallel::map(&order, threads, |&index| {
        let release = &stack.releases[index];
        let mut account = Account::default();
        let (text, what) = render_release(
            &stack,
            index,
            located,
            &resolver,
            &parses,
            options,
            &mut account,
        )?;
        let overlays = load_overlays(&release.overlays, &located.files)
            .map_err(|e| format!("release {}: {e}", release.name))?;
        let rewritten = apply(&text, &overlays, &mut account)?;
        // The stack's overlays rewrite this release's documents here and
        // now, on this thread; the end only takes them in order.
        let piece = (!stack_overlays.is_empty())
            .then(|| overlay::pieces::rewrite_piece(&rewritten, &stack_overlays, &RECORD));
        Ok::<_, StackError>((text, rewritten, piece, what, account))
    });
    // Freeing the parsed templates is no part of the output: another
    // thread does it.
    crate::parallel::drop_elsewhere(parses);
    // Back in the stack's order.
    let mut parts: Vec<_> = order.into_iter().zip(done).collect();
    parts.sort_by_key(|&(index, _)| index);
    let mut pieces = Vec::with_capacity(parts.len());
    for (release, (_, part)) in stack.releases.iter().zip(parts) {
        let (text, rewritten, piece, what, account) = part?;
        pieces.extend(piece);
        before.push_str(&text);
        out.take(account);
        out.releases.push(ReleaseSummary {
            name: release.name.clone(),
            what,
            documents: count_documents(&rewritten),
        });
        after.push_str(&rewritten);
    }
    let mut account = Account::default();
    let text = if stack_overlays.is_empty() {
        after
    } else {
        let applied = overlay::pieces::apply_pieces(pieces, &after, &stack_overlays, &RECORD);
        account_for(applied, &stack_overlays, &mut account)?
    };
    out.take(account);
    out.resources = count_documents(&text);
    out.text = text;
    out.before_overlays = before;
    Ok(out)
}

/// The chart resolver for this stack: the command line's mirrors first, then
/// the stack's.
fn resolver_for(
    stack: &StackFile,
    files: &Files,
    options: &StackOptions,
) -> Result<crate::source::Resolver, StackError> {
    let mut repo_mirrors = options.repo_mirrors.clone();
    if !options.ignore_stack_mirrors {
        repo_mirrors.extend(stack.mirrors.repos.iter().map(|(k, v)| format!("{k}={v}")));
    }
    let registry_config = registry_config(stack, files, options)?;
    let defaults = crate::source::Options::default();
    let source_options = crate::source::Options {
        offline: options.offline,
        cache_dir: options.cache_dir.clone(),
        registry_config,
        repo_mirrors,
        plain_http: options.plain_http,
        quiet: options.quiet,
        timeout: options.timeout.unwrap_or(defaults.timeout),
        deadline: options.deadline,
        ..defaults
    };
    crate::source::Resolver::new(&source_options).map_err(|e| StackError::Stack(e.to_string()))
}

/// The registries.yaml of a render: the command line's, else the stack's.
fn registry_config(
    stack: &StackFile,
    files: &Files,
    options: &StackOptions,
) -> Result<Option<PathBuf>, StackError> {
    if let Some(p) = &options.registry_config {
        return Ok(Some(p.clone()));
    }
    match &stack.mirrors.registry_config {
        Some(rel) if !options.ignore_stack_mirrors => Ok(Some(files.path(rel)?)),
        _ => Ok(None),
    }
}

/// Renders one release to a stream, before overlays, with a word on what it
/// is; records what it resolved.
fn render_release(
    stack: &StackFile,
    index: usize,
    located: &Located,
    resolver: &crate::source::Resolver,
    parses: &Arc<SharedParses>,
    options: &StackOptions,
    out: &mut Account,
) -> Result<(String, String), StackError> {
    let release = &stack.releases[index];
    let files = &located.files;
    let max_output = match options.max_output_bytes {
        0 => crate::engine::Limits::default().max_output_bytes,
        n => n,
    };
    let namespace = release
        .namespace
        .clone()
        .unwrap_or_else(|| stack.namespace.clone());
    if let Some(chart) = &release.chart {
        let values = crate::value::Map::new();
        let mut inputs = Vec::new();
        for rel in &release.values_files {
            let text = files.read(rel)?;
            merge_yaml_values(&values, &text, rel)?;
            let name = files
                .path(rel)
                .map_or(rel.clone(), |p| p.display().to_string());
            inputs.push(ValueInput::yaml(name, text));
        }
        if let Some(inline) = &release.values {
            let text = yaml_serde::to_string(inline)
                .map_err(|e| format!("release {}: values: {e}", release.name))?;
            merge_yaml_values(&values, &text, &format!("release {} values", release.name))?;
            let index = index.to_string();
            let prefix = ["releases", index.as_str(), "values"];
            let (origin, text) = (located.origin.as_str(), located.text.as_str());
            inputs.push(ValueInput::yaml_at(origin, text, &prefix));
        }
        let job = ChartJob {
            release: release.name.clone(),
            namespace,
            source: chart_source(chart, release.repo.as_deref(), files),
            version: release.version.clone(),
            display: match release.repo.as_deref() {
                Some(repo) => format!("{}/{chart}", repo.trim_end_matches('/')),
                None => chart.clone(),
            },
            values,
            inputs,
        };
        let (text, version) = run_chart(resolver, &job, max_output, parses, out)?;
        return Ok((text, format!("chart {} {version}", job.display)));
    }
    let mut text = String::new();
    let mut expanded = Vec::new();
    for entry in &release.manifests {
        for f in files.manifests(entry)? {
            for piece in helmchart::pieces(&release.name, &f, &namespace)? {
                match piece {
                    Piece::Doc { source, text: doc } => push_doc(&mut text, &source, &doc),
                    Piece::Chart { job, .. } => {
                        let (t, version) = run_chart(resolver, &job, max_output, parses, out)?;
                        expanded.push(format!("{} {version}", job.release));
                        text.push_str(&t);
                    }
                }
            }
        }
    }
    let what = if expanded.is_empty() {
        "manifests".into()
    } else {
        format!("manifests, HelmCharts expanded: {}", expanded.join(", "))
    };
    Ok((text, what))
}

/// Renders a chart job; returns its stream and resolved version, and notes
/// the resolution in the lock.
fn run_chart(
    resolver: &crate::source::Resolver,
    job: &ChartJob,
    max_output: usize,
    parses: &Arc<SharedParses>,
    out: &mut Account,
) -> Result<(String, String), StackError> {
    let mut r = render_chart(resolver, job, max_output, parses)?;
    out.leftovers.push(std::mem::take(&mut r.leftovers));
    out.unused.extend(r.unused.iter().cloned());
    out.warnings.extend(
        r.warnings
            .iter()
            .map(|w| format!("release {}: {w}", job.release)),
    );
    // A local chart is locked by the path the stack wrote, not the one the
    // current folder made of it.
    let local = std::path::Path::new(&r.reference).exists();
    out.lock.push(LockEntry {
        release: job.release.clone(),
        chart: if local {
            job.display.clone()
        } else {
            r.reference.clone()
        },
        from: r.origin.clone(),
        version: r.version.clone(),
        digest: r.digest.clone(),
    });
    Ok((r.text, r.version))
}

/// A release's chart as the resolver should see it: `repo` + name, a path
/// beside the stack, or the reference as written.
fn chart_source(chart: &str, repo: Option<&str>, files: &Files) -> ChartSource {
    match repo.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) if r.starts_with("oci://") => {
            ChartSource::Reference(format!("{}/{chart}", r.trim_end_matches('/')))
        }
        Some(r) => ChartSource::Repo {
            url: r.to_string(),
            name: chart.to_string(),
        },
        None => {
            let local = chart.starts_with("./") || chart.starts_with("../");
            match (local, files) {
                (true, Files::Disk(base)) => {
                    ChartSource::Reference(base.join(chart).display().to_string())
                }
                _ => ChartSource::Reference(chart.to_string()),
            }
        }
    }
}

/// Loads overlays by built-in name or path beside the stack, each with its
/// own parameters.
fn load_overlays(refs: &[OverlayRef], files: &Files) -> Result<Vec<Overlay>, String> {
    let mut out: Vec<Overlay> = Vec::new();
    for r in refs {
        let name = r.name();
        let (origin, text) = match overlay::load::builtin(name) {
            Some(t) if !name.contains('/') => (format!("builtin:{name}"), t.to_string()),
            _ => match files.read(name) {
                Ok(text) => (files.path(name)?.display().to_string(), text),
                // A bare name that is no file beside the stack: the same
                // message as `--overlay NAME` gives.
                Err(_) if !overlay::load::looks_like_path(name) => {
                    return Err(format!("{name}: {}", overlay::load::unknown_overlay(name)))
                }
                Err(e) => return Err(e),
            },
        };
        let o = overlay::load::parse(&origin, &text, &r.params()).map_err(|e| e.to_string())?;
        if out.iter().any(|x| x.name == o.name) {
            return Err(format!("overlay {:?} is listed twice", o.name));
        }
        out.push(o);
    }
    Ok(out)
}

/// Applies overlays to a stream and records their changes.
/// Overlays are applied recording every change, for `--explain`.
const RECORD: overlay::Options = overlay::Options { record: true };

fn apply(text: &str, overlays: &[Overlay], out: &mut Account) -> Result<String, StackError> {
    if overlays.is_empty() {
        return Ok(text.to_string());
    }
    account_for(overlay::apply_str(text, overlays, &RECORD), overlays, out)
}

/// What applying `overlays` gave, its warnings and changes noted in `out`.
fn account_for(
    applied: Result<(String, overlay::Report), overlay::ApplyError>,
    overlays: &[Overlay],
    out: &mut Account,
) -> Result<String, StackError> {
    let (new, report) = applied.map_err(|e| StackError::Stack(e.to_string()))?;
    out.warnings.extend(report.warnings);
    for o in overlays {
        let n = report
            .changes
            .iter()
            .filter(|c| c.overlay == o.name)
            .count();
        out.overlay_counts.push((o.name.clone(), n));
    }
    out.changes.extend(report.changes);
    Ok(new)
}

fn push_doc(out: &mut String, source: &str, text: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(source);
    out.push('\n');
    out.push_str(text);
    out.push('\n');
}

/// Documents in a stream: each opens with `---` then `# Source:`.
pub fn count_documents(text: &str) -> usize {
    let mut n = 0;
    let mut prev_marker = false;
    for line in text.lines() {
        if prev_marker && line.starts_with("# Source: ") {
            n += 1;
        }
        prev_marker = line.trim_end() == "---";
    }
    n
}
