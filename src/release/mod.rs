//! The one pipeline for a release: every command that renders a chart
//! (`template`, stacks, `snapshot`/`verify`, `diff --base`) goes through
//! [`render`], so a chart renders the same way whichever door it came in by.
//!
//! ```text
//! name check ─▶ resolve (a path on disk, a reference, a repository, bytes)
//!            ─▶ load (templates parsed on a spare core as the archive yields them)
//!            ─▶ fetch dependencies Chart.yaml declares but charts/ lacks
//!            ─▶ render (values, schema, templates: Helm's order and messages)
//! ```
//!
//! Printing and overlays are the caller's: warnings are handed to a sink as
//! they arise, so a caller that prints them at once keeps Helm's order
//! (warnings before the error that follows them).

mod name;

use crate::chart::{Chart, ChartError};
use crate::render::early::EarlyParse;
use crate::render::{render_warning, RenderError, RenderOptions, Rendered};
use crate::source::{ChartRef, ResolvedChart, Resolver, SourceError, SourceErrorKind};
use crate::value::{Map, Value};
use std::path::PathBuf;
use std::sync::Arc;

pub use name::valid_release_name;

/// Where the chart of a release is.
#[derive(Debug, Clone)]
pub enum ChartSource {
    /// A folder or archive on disk, loaded where it is: its errors are the
    /// chart loader's, in Helm's words (`chartfix template ./redis`).
    Path(PathBuf),
    /// A reference the resolver understands (`oci://…`, `repo/name`, a path).
    Reference(String),
    /// A chart name in an HTTP repository (a HelmChart's `spec.repo` + `spec.chart`).
    Repo { url: String, name: String },
    /// An archive carried inline (a HelmChart's `spec.chartContent`).
    Archive { bytes: Vec<u8>, origin: String },
}

/// Everything that decides what a release renders to.
#[derive(Debug, Clone)]
pub struct Request {
    pub source: ChartSource,
    /// A version or constraint for references that are not pinned.
    pub version: Option<String>,
    /// User values, already merged in the order Helm would merge them.
    pub values: Map,
    /// `.Release`, `.Capabilities` and limits.
    pub options: RenderOptions,
}

impl Request {
    pub fn new(source: ChartSource, release: &str, namespace: &str) -> Request {
        Request {
            source,
            version: None,
            values: Map::new(),
            options: RenderOptions {
                release_name: release.to_string(),
                namespace: namespace.to_string(),
                ..RenderOptions::default()
            },
        }
    }
}

/// A rendered release and what resolution found (for the lock file).
#[derive(Debug)]
pub struct Release {
    pub rendered: Rendered,
    /// The public name the chart was asked by, or the local path.
    pub reference: String,
    /// The public reference the bytes came from when it is not `reference`
    /// (see [`crate::source::ResolvedChart::origin`]).
    pub origin: Option<String>,
    /// The chart's version.
    pub version: String,
    /// `sha256:…` of the archive; `None` for a folder.
    pub digest: Option<String>,
    /// User values no template read, when the request tracked reads
    /// ([`RenderOptions::track_reads`]).
    pub unused: Vec<crate::values::unused::Unused>,
}

/// Something the user should know; the caller decides how to print it.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// From finding or fetching a chart (a fallback taken, a damaged cache
    /// entry replaced); printed by `template` as `Warning: …`.
    Source(String),
    /// From rendering, already in Helm's words (coalescing, `walk.go`).
    Render(String),
}

impl Warning {
    pub fn text(&self) -> &str {
        match self {
            Warning::Source(t) | Warning::Render(t) => t,
        }
    }
}

/// Why a release could not be rendered. Each step keeps its own error, so a
/// caller can tell bad usage from a missing chart from a template's `fail`.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    /// The release name breaks Helm's rule.
    #[error("release name check failed: release name {0:?}: invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53")]
    InvalidName(String),
    /// Finding or fetching the chart or one of its dependencies failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The chart (or a fetched dependency) could not be loaded.
    #[error(transparent)]
    Load(#[from] ChartError),
    /// A fetched dependency could not be loaded.
    #[error("dependency {name}: {source}")]
    Dependency {
        name: String,
        #[source]
        source: ChartError,
    },
    /// Values, schema or templates: Helm's own message.
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl ReleaseError {
    /// True when the user asked for something that cannot be used as given
    /// (a malformed reference or option), as opposed to a failure.
    pub fn is_usage(&self) -> bool {
        matches!(self, ReleaseError::Source(e) if e.kind == SourceErrorKind::Usage)
    }
}

/// The resolver a pipeline fetches with: one already made (a stack shares
/// one across its releases), or options to make one when first needed (a
/// local chart with all its dependencies never needs one).
pub struct Sources<'a> {
    given: Option<&'a Resolver>,
    options: Option<&'a crate::source::Options>,
    made: std::cell::OnceCell<Resolver>,
}

impl<'a> Sources<'a> {
    /// Fetches with `resolver`.
    pub fn ready(resolver: &'a Resolver) -> Sources<'a> {
        Sources {
            given: Some(resolver),
            options: None,
            made: std::cell::OnceCell::new(),
        }
    }

    /// Makes a resolver with `options` when something must be fetched.
    pub fn lazy(options: &'a crate::source::Options) -> Sources<'a> {
        Sources {
            given: None,
            options: Some(options),
            made: std::cell::OnceCell::new(),
        }
    }

    fn resolver(&self) -> Result<&Resolver, SourceError> {
        if let Some(r) = self.given.or(self.made.get()) {
            return Ok(r);
        }
        let made = Resolver::new(self.options.expect("Sources made by ready or lazy"))?;
        Ok(self.made.get_or_init(|| made))
    }
}

/// Renders one release: the steps in the module's diagram, warnings handed
/// to `warn` as they arise.
pub fn render(
    request: Request,
    sources: &Sources,
    warn: &mut dyn FnMut(Warning),
) -> Result<Release, ReleaseError> {
    let release = &request.options.release_name;
    if !valid_release_name(release) {
        return Err(ReleaseError::InvalidName(release.clone()));
    }
    let found = locate(&request, sources, warn)?;
    let mut chart = found.load()?;
    let version = match found.version.is_empty() {
        true => chart.metadata.version.clone(),
        false => found.version.clone(),
    };
    fetch_missing_dependencies(&mut chart, &found, sources, warn)?;
    let mut render_warnings = Vec::new();
    let user = Value::map(request.values);
    let rendered = render_warning(
        chart,
        user.clone(),
        &request.options,
        found.early,
        &mut render_warnings,
    );
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => {
            for w in render_warnings {
                warn(Warning::Render(w));
            }
            return Err(e.into());
        }
    };
    for w in &rendered.warnings {
        warn(Warning::Render(w.clone()));
    }
    let unused = match &rendered.reads {
        Some(reads) => crate::values::unused::find(&user, reads),
        None => Vec::new(),
    };
    Ok(Release {
        rendered,
        unused,
        reference: found.reference,
        origin: found.origin,
        version,
        digest: found.digest,
    })
}

/// A chart found, not yet loaded.
struct Found {
    what: Located,
    reference: String,
    origin: Option<String>,
    version: String,
    digest: Option<String>,
    early: EarlyParse,
}

enum Located {
    /// A folder or archive on disk (a local chart or one in the cache).
    File(PathBuf),
    /// Bytes in memory.
    Bytes { bytes: Vec<u8>, origin: String },
}

impl Found {
    fn load(&self) -> Result<Chart, ReleaseError> {
        Ok(match &self.what {
            Located::File(path) => {
                let offer = &mut |name: &str, data: &Arc<[u8]>| self.early.offer(name, data);
                let loaded = crate::chart::loader::load_observed(path, offer);
                self.early.close();
                loaded?
            }
            Located::Bytes { bytes, origin } => crate::chart::loader::load_archive(bytes, origin)?,
        })
    }
}

fn locate(
    request: &Request,
    sources: &Sources,
    warn: &mut dyn FnMut(Warning),
) -> Result<Found, ReleaseError> {
    let version = request.version.as_deref();
    // Renders that share their parses (a stack's) parse whole.
    let lazy = request.options.shared_parses.is_none();
    let resolved = match &request.source {
        ChartSource::Path(path) => {
            // The templates start parsing on a spare core as the archive
            // yields them (render/early.rs).
            let size = std::fs::metadata(path).map_or(0, |m| m.len());
            return Ok(Found {
                what: Located::File(path.clone()),
                reference: path.display().to_string(),
                origin: None,
                version: String::new(),
                digest: None,
                early: EarlyParse::start(size, lazy),
            });
        }
        ChartSource::Archive { bytes, origin } => {
            return Ok(Found {
                what: Located::Bytes {
                    bytes: bytes.clone(),
                    origin: origin.clone(),
                },
                reference: origin.clone(),
                origin: None,
                version: String::new(),
                digest: Some(crate::source::cache::sha256(bytes)),
                early: EarlyParse::none(),
            });
        }
        ChartSource::Repo { url, name } => {
            // The checks `--repo` gets: http(s) only, no `user:password@`
            // (which would land in the lock file and every message).
            let url = crate::source::reference::normalise_repo_url(url).map_err(|e| {
                SourceError::usage(format!(
                    "repository {:?}: {e}",
                    crate::source::redact_userinfo(url)
                ))
            })?;
            let parsed = ChartRef::Repo {
                url,
                name: name.clone(),
            };
            sources.resolver()?.resolve_ref(&parsed, version)?
        }
        ChartSource::Reference(r) => sources.resolver()?.resolve(r, version)?,
    };
    let ResolvedChart {
        reference,
        origin,
        version,
        digest,
        path,
        warnings,
        ..
    } = resolved;
    for w in warnings {
        warn(Warning::Source(w));
    }
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    Ok(Found {
        what: Located::File(path),
        reference,
        origin,
        version,
        digest,
        early: EarlyParse::start(size, lazy),
    })
}

/// Where Helm stops with "missing in charts/ directory", fetches the
/// dependencies Chart.yaml declares (pinned by Chart.lock when present)
/// through the same sources and cache, and adds them as subcharts.
fn fetch_missing_dependencies(
    chart: &mut Chart,
    found: &Found,
    sources: &Sources,
    warn: &mut dyn FnMut(Warning),
) -> Result<(), ReleaseError> {
    let missing = chart
        .metadata
        .dependencies
        .iter()
        .any(|d| !chart.dependencies.iter().any(|c| c.name() == d.name));
    if !missing {
        return Ok(());
    }
    let resolver = sources.resolver()?;
    let fetched = match &found.what {
        Located::File(path) => resolver.resolve_dependencies(path)?,
        // The resolver reads Chart.yaml and Chart.lock from an archive on
        // disk: an inline archive is written out for it, then removed.
        Located::Bytes { bytes, .. } => {
            let spill = Spill::write(bytes).map_err(|e| {
                SourceError::other(format!("cannot write a temporary chart archive: {e}"))
            })?;
            resolver.resolve_dependencies(&spill.0)?
        }
    };
    for dep in fetched {
        for w in &dep.chart.warnings {
            warn(Warning::Source(w.clone()));
        }
        let sub =
            crate::chart::load(&dep.chart.path).map_err(|source| ReleaseError::Dependency {
                name: dep.name.clone(),
                source,
            })?;
        chart.dependencies.push(sub);
    }
    Ok(())
}

/// A temporary archive file, removed when dropped.
struct Spill(PathBuf);

impl Spill {
    fn write(bytes: &[u8]) -> std::io::Result<Spill> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "chartfix-inline-{}-{}.tgz",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        std::io::Write::write_all(&mut f, bytes)?;
        Ok(Spill(path))
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
