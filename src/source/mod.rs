//! Chart references, HTTP repositories, OCI pulls and the verified cache.
//!
//! ```text
//! reference ─▶ resolver ─┬─ local path ───────────────────────────▶ as it is
//!                        ├─ oci://… ──▶ tags, manifest, blob ──┐
//!                        ├─ repo/name ─▶ index.yaml, archive ──┼─▶ cache ─▶ ResolvedChart
//!                        └─ https://….tgz ─────────────────────┘
//! ```
//!
//! [`resolve`] is the one entry point for everything that takes a chart
//! (`template`, stacks, `fetch`, dependencies): it returns a file on disk, its
//! version and digest. With `offline` set it reads the cache alone.

pub mod cache;
pub mod chart_meta;
pub mod deps;
pub mod error;
pub mod http;
pub mod index;
pub mod mirrors;
mod oci;
pub mod progress;
pub mod reference;
mod repo;
pub mod repositories;
pub mod version;

pub use crate::scrub::redact_userinfo;
pub use error::{SourceError, SourceErrorKind};
pub use reference::ChartRef;

use crate::registry::{
    ClientOptions, ConfigError, CredentialStore, RegistryClient, RegistryConfig, RetryPolicy,
};
use cache::Cache;
use http::HttpFetcher;
use mirrors::RepoMirrors;
use repositories::RepositoriesFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How to find and fetch charts; the flags every chart-taking command shares.
#[derive(Clone, Debug)]
pub struct Options {
    /// `--version`: an exact version or a constraint (`~18.6`, `^13`, `18.x`).
    pub version: Option<String>,
    /// `--repo URL`: the reference is a chart name in that repository.
    pub repo: Option<String>,
    /// `--cache-dir`; `None` applies the usual order (`CHARTFIX_CACHE`,
    /// `./charts-cache`, XDG, `~/.cache`).
    pub cache_dir: Option<PathBuf>,
    /// `--offline`: use the cache alone.
    pub offline: bool,
    /// `--registry-config`: k3s `registries.yaml` (mirrors, rewrites, auth, TLS).
    pub registry_config: Option<PathBuf>,
    /// `--repo-mirror FROM=TO` pairs for HTTP repositories.
    pub repo_mirrors: Vec<String>,
    /// `--plain-http`: talk HTTP to registries given without a scheme.
    pub plain_http: bool,
    /// `-q`: no progress bars.
    pub quiet: bool,
    /// Helm's `repositories.yaml`; `None` for Helm's default place.
    pub repositories_file: Option<PathBuf>,
    /// Deadline for each request.
    pub timeout: Duration,
    /// The command's overall deadline for network work (`--deadline`).
    pub deadline: Option<crate::registry::Deadline>,
    /// Tries per request (the first included).
    pub attempts: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            version: None,
            repo: None,
            cache_dir: None,
            offline: false,
            registry_config: None,
            repo_mirrors: Vec::new(),
            plain_http: false,
            quiet: false,
            repositories_file: None,
            timeout: crate::registry::DEFAULT_TIMEOUT,
            deadline: None,
            attempts: 3,
        }
    }
}

/// A chart found on disk, ready for the chart loader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedChart {
    /// The public name it was asked by (`oci://docker.io/bitnamicharts/redis`,
    /// `https://charts.bitnami.com/bitnami/redis`), or the local path: the
    /// same whether the cache answered or the network did.
    pub reference: String,
    /// The public reference the bytes came from, when it is not
    /// [`ResolvedChart::reference`] (Bitnami's OCI fallback:
    /// `oci://docker.io/bitnamicharts/redis`). Never a mirror.
    pub origin: Option<String>,
    /// The chart's name.
    pub name: String,
    /// The resolved version (`Chart.yaml`'s for local charts).
    pub version: String,
    /// `sha256:…` of the archive; `None` for a local folder.
    pub digest: Option<String>,
    /// The archive in the cache, or the local folder or archive.
    pub path: PathBuf,
    /// True when no download was needed.
    pub from_cache: bool,
    /// Things the user should know (a fallback taken, a damaged cache entry
    /// replaced); the caller prints them.
    pub warnings: Vec<String>,
}

/// Resolves one chart reference with `options` (see [`Resolver`] to resolve
/// many with shared connections).
pub fn resolve(reference: &str, options: &Options) -> Result<ResolvedChart, SourceError> {
    Resolver::new(options)?.resolve(reference, options.version.as_deref())
}

/// Everything a run needs to fetch charts: the cache, the clients, the
/// repositories Helm knows. Reused across charts (a stack, dependencies).
pub struct Resolver {
    pub(crate) options: Options,
    pub(crate) cache: Cache,
    pub(crate) repositories: RepositoriesFile,
    /// Why Helm's `repositories.yaml` could not be read, if it could not.
    pub(crate) repositories_problem: Option<String>,
    /// Built on first use: offline runs and local charts never need them.
    registry: std::sync::OnceLock<Arc<RegistryClient>>,
    http: std::sync::OnceLock<HttpFetcher>,
    mirrors: RepoMirrors,
    registry_config_path: Option<PathBuf>,
}

impl Resolver {
    pub fn new(options: &Options) -> Result<Resolver, SourceError> {
        let cache_dir = crate::registry::cache_dir::resolve(options.cache_dir.as_deref());
        let repositories = match options
            .repositories_file
            .clone()
            .or_else(RepositoriesFile::default_path)
        {
            // A broken Helm file matters only to REPO/NAME references: keep
            // the problem to explain a failed lookup, and go on without it.
            Some(p) => match RepositoriesFile::load(&p) {
                Ok(f) => (f, None),
                Err(e) => (RepositoriesFile::default(), Some(e)),
            },
            None => (RepositoriesFile::default(), None),
        };
        let (repositories, repositories_problem) = repositories;
        let mirrors = RepoMirrors::parse(&options.repo_mirrors).map_err(SourceError::usage)?;
        if let Some(p) = &options.registry_config {
            // Read now so a bad file is reported even when the cache answers.
            load_registry_config(p)?;
        }
        let setting = crate::registry::cache_dir::setting(options.cache_dir.as_deref());
        let cache = Cache::open(&cache_dir, setting).map_err(SourceError::other)?;
        // An hour is far longer than any download is allowed to take.
        cache.sweep_partial(Duration::from_secs(3600));
        Ok(Resolver {
            options: options.clone(),
            cache,
            repositories,
            repositories_problem,
            registry: std::sync::OnceLock::new(),
            http: std::sync::OnceLock::new(),
            mirrors,
            registry_config_path: options.registry_config.clone(),
        })
    }

    /// The cache folder in use.
    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Resolves `reference` at `version` (exact or a constraint), with the
    /// `--repo` of the options.
    pub fn resolve(
        &self,
        reference: &str,
        version: Option<&str>,
    ) -> Result<ResolvedChart, SourceError> {
        self.resolve_with(reference, self.options.repo.as_deref(), version)
    }

    /// Resolves `reference` in repository `repo` (when given) at `version`:
    /// for callers that take many charts from different repositories with
    /// one resolver, such as a stack's k3s `HelmChart`s (`spec.chart`,
    /// `spec.repo`, `spec.version`).
    pub fn resolve_with(
        &self,
        reference: &str,
        repo: Option<&str>,
        version: Option<&str>,
    ) -> Result<ResolvedChart, SourceError> {
        let named = |name: &str| self.repositories.by_name(name).map(|r| r.url.clone());
        let parsed = reference::parse(reference, repo, &named).map_err(|e| {
            // A reference that names nothing is input that does not exist
            // (status 1); a malformed one is misuse (status 2).
            let kind = if e.is_missing() {
                SourceErrorKind::NotFound
            } else {
                SourceErrorKind::Usage
            };
            let message = match &self.repositories_problem {
                Some(p) => format!("{e} (note: {p})"),
                None => e.to_string(),
            };
            SourceError::new(kind, message)
        })?;
        self.resolve_ref(&parsed, version)
    }

    /// Resolves an already parsed reference.
    pub fn resolve_ref(
        &self,
        parsed: &ChartRef,
        version: Option<&str>,
    ) -> Result<ResolvedChart, SourceError> {
        let version = version.map(str::trim).filter(|v| !v.is_empty());
        match parsed {
            ChartRef::Local(p) => resolve_local(p),
            ChartRef::Oci(o) => block_on(self.resolve_oci(o, version)),
            ChartRef::Repo { url, name } => block_on(self.resolve_repo(url, name, version)),
            ChartRef::Url(u) => block_on(self.resolve_url(u)),
        }
    }

    pub(crate) fn registry_client(&self) -> Result<&RegistryClient, SourceError> {
        if let Some(c) = self.registry.get() {
            return Ok(c);
        }
        let mut config = match &self.registry_config_path {
            Some(p) => load_registry_config(p)?,
            None => RegistryConfig::default(),
        };
        config.plain_http = self.options.plain_http;
        let client = RegistryClient::new(
            config,
            CredentialStore::from_environment(),
            ClientOptions {
                timeout: self.options.timeout,
                retry: self.retry_policy(),
                progress: progress::wanted(self.options.quiet),
            },
        )?;
        Ok(self.registry.get_or_init(|| client))
    }

    pub(crate) fn http(&self) -> Result<&HttpFetcher, SourceError> {
        if let Some(h) = self.http.get() {
            return Ok(h);
        }
        let h = HttpFetcher::new(
            self.options.timeout,
            self.retry_policy(),
            self.mirrors.clone(),
            progress::wanted(self.options.quiet),
        )?;
        Ok(self.http.get_or_init(|| h))
    }

    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            attempts: self.options.attempts.max(1),
            deadline: self.options.deadline,
            ..RetryPolicy::default()
        }
    }

    /// The error for a cache miss under `--offline`, naming what is missing
    /// and what the cache does hold.
    pub(crate) fn offline_miss(
        &self,
        reference: &str,
        version: Option<&str>,
        held: &[String],
    ) -> SourceError {
        let what = match version {
            Some(v) => format!("{reference} version {v}"),
            None => reference.to_string(),
        };
        let held = if held.is_empty() {
            "it holds no version of this chart".to_string()
        } else {
            format!("it holds {}", held.join(", "))
        };
        SourceError::new(
            SourceErrorKind::OfflineMiss,
            format!(
                "--offline: {what} is not in the cache {} ({held}); run `chartfix fetch` for it while online",
                self.cache.root().display()
            ),
        )
    }
}

/// `--registry-config`: an input file, so one that is missing or does not
/// parse is a failure (status 1), as any other input.
fn load_registry_config(path: &Path) -> Result<RegistryConfig, SourceError> {
    RegistryConfig::load(path).map_err(|e| match e {
        ConfigError::Read { path, source } => SourceError::other(format!(
            "cannot read the --registry-config file {}: {source}",
            path.display()
        )),
        e => SourceError::other(e.to_string()),
    })
}

/// A local folder or archive, used where it is. It exists (that is how the
/// reference was taken for a local one), so what is wrong with it is its
/// content: a failure, not misuse.
fn resolve_local(path: &Path) -> Result<ResolvedChart, SourceError> {
    let meta = chart_meta::read(path).map_err(SourceError::other)?;
    let digest = if path.is_file() {
        let bytes = crate::input::read(path)
            .map_err(|e| SourceError::other(format!("cannot read {}: {e}", path.display())))?;
        Some(cache::sha256(&bytes))
    } else {
        None
    };
    Ok(ResolvedChart {
        reference: path.display().to_string(),
        origin: None,
        name: meta.chart.name,
        version: meta.chart.version,
        digest,
        path: path.to_path_buf(),
        from_cache: false,
        warnings: Vec::new(),
    })
}

/// Runs a future to completion on a small runtime of its own. Called from
/// inside another runtime (a caller that is itself async), it runs on a
/// separate thread, since a runtime cannot block inside another.
pub(crate) fn block_on<T: Send>(
    fut: impl std::future::Future<Output = Result<T, SourceError>> + Send,
) -> Result<T, SourceError> {
    let run = move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SourceError::other(format!("cannot start the async runtime: {e}")))?
            .block_on(fut)
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(run)
                .join()
                .unwrap_or_else(|_| Err(SourceError::other("the fetch thread failed")))
        })
    } else {
        run()
    }
}
