//! Resolving charts of HTTP repositories (`--repo URL NAME`, `REPO/NAME`) and
//! plain archive URLs: read `index.yaml`, pick the version, download the
//! archive, check it against the index's digest, and file it in the cache.
//!
//! Bitnami's repository dropped old versions from its index; they are still
//! published as OCI artifacts, so a version missing there is looked up at
//! `oci://registry-1.docker.io/bitnamicharts/NAME`, with a warning.

use super::cache::{Lookup, RefRecord, URL_SLOT};
use super::http::BasicAuth;
use super::index::{resolve_url, IndexFile};
use super::oci::{is_exact, no_version, suggestions};
use super::reference::OciRef;
use super::version::select;
use super::{chart_meta, ResolvedChart, Resolver, SourceError, SourceErrorKind};

/// The repository whose old versions live on as OCI artifacts.
pub const BITNAMI_REPO: &str = "https://charts.bitnami.com/bitnami";
/// Where they live.
pub const BITNAMI_OCI: &str = "registry-1.docker.io/bitnamicharts";

impl Resolver {
    pub(super) async fn resolve_repo(
        &self,
        repo_url: &str,
        name: &str,
        version: Option<&str>,
    ) -> Result<ResolvedChart, SourceError> {
        let identity = format!("{repo_url}/{name}");
        let mut warnings = Vec::new();
        let exact = version.filter(|v| is_exact(v));

        // A pinned version the cache holds needs no network.
        if let Some(v) = exact {
            match self.cache.lookup(&identity, v) {
                Lookup::Hit(r, path) => return Ok(hit(r, path, name, warnings)),
                Lookup::Corrupt(why) if self.options.offline => {
                    return Err(SourceError::new(
                        SourceErrorKind::OfflineMiss,
                        format!("--offline: {why}; fetch it again while online"),
                    ))
                }
                Lookup::Corrupt(why) => warnings.push(format!("{why}; fetching it again")),
                Lookup::Miss => {}
            }
        }
        if self.options.offline {
            let held = self.held_versions(&identity);
            if exact.is_none() {
                if let Some(v) = select(&held, version).map_err(SourceError::usage)? {
                    if let Lookup::Hit(r, path) = self.cache.lookup(&identity, &v) {
                        return Ok(hit(r, path, name, warnings));
                    }
                }
            }
            return Err(self.offline_miss(&identity, version, &held));
        }

        let auth = self.repo_auth(repo_url);
        let index_url = format!("{repo_url}/index.yaml");
        let http = self.http()?;
        let downloaded = match http.get(&index_url, auth.as_ref()).await {
            Ok(d) => d,
            Err(e) => {
                let mut err = SourceError::from_repo(e);
                if err.kind == SourceErrorKind::NotFound {
                    err.message = format!("{} (is {repo_url} a chart repository?)", err.message);
                }
                let (r, path, warning) = self.unreachable_fallback(&identity, version, err)?;
                warnings.push(warning);
                return Ok(hit(r, path, name, warnings));
            }
        };
        let index = IndexFile::parse(&downloaded.bytes, &downloaded.url)
            .map_err(|m| SourceError::new(SourceErrorKind::Integrity, m))?;
        let entries = index.versions(name).unwrap_or(&[]);
        let published: Vec<String> = entries.iter().map(|e| e.version.clone()).collect();
        let chosen = select(&published, version).map_err(SourceError::usage)?;
        let Some(chosen) = chosen else {
            if repo_url == BITNAMI_REPO {
                return self
                    .bitnami_fallback(&identity, name, version, &published)
                    .await;
            }
            if entries.is_empty() {
                return Err(no_chart(repo_url, name, &index));
            }
            return Err(no_version(&identity, version, &published));
        };
        let entry = entries
            .iter()
            .find(|e| e.version == chosen)
            .ok_or_else(|| SourceError::other("internal: chosen version vanished"))?;
        let expected = (!entry.digest.is_empty()).then(|| format!("sha256:{}", entry.digest));

        // The index may name a version the cache already holds, with the same digest.
        if let Lookup::Hit(r, path) = self.cache.lookup(&identity, &chosen) {
            if expected
                .as_deref()
                .is_none_or(|d| d.eq_ignore_ascii_case(&r.digest))
            {
                return Ok(hit(r, path, name, warnings));
            }
        }
        let first = entry.urls.first().ok_or_else(|| {
            SourceError::new(
                SourceErrorKind::Integrity,
                format!("{index_url} lists {name} {chosen} without a download URL"),
            )
        })?;
        // The URL is the index's, so a bad one is the repository's fault.
        let archive_url = resolve_url(repo_url, first)
            .map_err(|m| SourceError::new(SourceErrorKind::Integrity, m))?;
        let archive = http
            .get(&archive_url, auth.as_ref())
            .await
            .map_err(SourceError::from_repo)?;
        let (digest, path) = self
            .cache
            .put_blob(&archive.bytes, expected.as_deref())
            .map_err(|m| {
                SourceError::new(
                    SourceErrorKind::Integrity,
                    format!(
                        "{}: {m} (the repository's index.yaml and archive disagree)",
                        archive.url
                    ),
                )
            })?;
        self.cache
            .put_record(&RefRecord {
                reference: identity.clone(),
                version: chosen.clone(),
                digest: digest.clone(),
                manifest_digest: None,
                fetched_from: archive.url,
                origin: None,
            })
            .map_err(SourceError::other)?;
        Ok(ResolvedChart {
            reference: identity,
            origin: None,
            name: name.to_string(),
            version: chosen,
            digest: Some(digest),
            path,
            from_cache: false,
            warnings,
        })
    }

    /// A Bitnami version gone from the index is pulled from Docker Hub and
    /// also filed under the repository's name, so `bitnami/NAME` finds it
    /// again offline.
    async fn bitnami_fallback(
        &self,
        identity: &str,
        name: &str,
        version: Option<&str>,
        published: &[String],
    ) -> Result<ResolvedChart, SourceError> {
        let oci = OciRef {
            registry: "registry-1.docker.io".into(),
            repository: format!("bitnamicharts/{name}"),
            tag: None,
            digest: None,
        };
        let warning = format!(
            "{name} {} is not in {BITNAMI_REPO}/index.yaml (Bitnami removed old versions from it); using oci://{BITNAMI_OCI}/{name} instead",
            version.unwrap_or("(any release)")
        );
        let mut resolved = match self.resolve_oci(&oci, version).await {
            Ok(r) => r,
            Err(mut e) => {
                e.message = format!(
                    "{warning}, which failed too: {}{}",
                    e.message,
                    if published.is_empty() {
                        String::new()
                    } else {
                        suggestions(version.unwrap_or(""), published).replacen(
                            "nearest versions",
                            "the index has",
                            1,
                        )
                    }
                );
                return Err(e);
            }
        };
        if let Some(digest) = &resolved.digest {
            self.cache
                .put_record(&RefRecord {
                    reference: identity.to_string(),
                    version: resolved.version.clone(),
                    digest: digest.clone(),
                    manifest_digest: None,
                    fetched_from: oci.canonical_name(),
                    origin: Some(oci.canonical_name()),
                })
                .map_err(SourceError::other)?;
        }
        // Named as the stack asked, with where the bytes came from beside
        // it: what a warm cache answers for the same request.
        resolved.origin = Some(oci.canonical_name());
        resolved.reference = identity.to_string();
        resolved.warnings.insert(0, warning);
        Ok(resolved)
    }

    /// A plain `https://…/chart.tgz`.
    pub(super) async fn resolve_url(&self, url: &str) -> Result<ResolvedChart, SourceError> {
        let mut warnings = Vec::new();
        match self.cache.lookup(url, URL_SLOT) {
            Lookup::Hit(r, path) => {
                let meta = chart_meta::read(&path).unwrap_or_default();
                return Ok(ResolvedChart {
                    origin: r.origin(),
                    reference: r.reference,
                    name: meta.chart.name,
                    version: meta.chart.version,
                    digest: Some(r.digest),
                    path,
                    from_cache: true,
                    warnings,
                });
            }
            Lookup::Corrupt(why) if !self.options.offline => {
                warnings.push(format!("{why}; fetching it again"))
            }
            Lookup::Corrupt(why) => {
                return Err(SourceError::new(
                    SourceErrorKind::OfflineMiss,
                    format!("--offline: {why}"),
                ))
            }
            Lookup::Miss if self.options.offline => {
                return Err(self.offline_miss(url, None, &[]));
            }
            Lookup::Miss => {}
        }
        let downloaded = self
            .http()?
            .get(url, None)
            .await
            .map_err(SourceError::from_repo)?;
        let meta = chart_meta::read_archive(&downloaded.bytes).map_err(|m| {
            SourceError::new(
                SourceErrorKind::Integrity,
                format!("{} is not a chart archive: {m}", downloaded.url),
            )
        })?;
        let (digest, path) = self
            .cache
            .put_blob(&downloaded.bytes, None)
            .map_err(SourceError::other)?;
        self.cache
            .put_record(&RefRecord {
                reference: url.to_string(),
                version: URL_SLOT.into(),
                digest: digest.clone(),
                manifest_digest: None,
                fetched_from: downloaded.url,
                origin: None,
            })
            .map_err(SourceError::other)?;
        Ok(ResolvedChart {
            reference: url.to_string(),
            origin: None,
            name: meta.chart.name,
            version: meta.chart.version,
            digest: Some(digest),
            path,
            from_cache: false,
            warnings,
        })
    }

    /// Credentials stored with the repository in `repositories.yaml`.
    fn repo_auth(&self, repo_url: &str) -> Option<BasicAuth> {
        let r = self.repositories.by_url(repo_url)?;
        if r.username.is_empty() && r.password.is_empty() {
            return None;
        }
        let origin = reqwest::Url::parse(repo_url)
            .ok()?
            .origin()
            .ascii_serialization();
        Some(BasicAuth {
            username: r.username.clone(),
            password: r.password.clone(),
            origin,
        })
    }
}

fn hit(r: RefRecord, path: std::path::PathBuf, name: &str, warnings: Vec<String>) -> ResolvedChart {
    ResolvedChart {
        origin: r.origin(),
        reference: r.reference,
        name: name.to_string(),
        version: r.version,
        digest: Some(r.digest),
        path,
        from_cache: true,
        warnings,
    }
}

/// The repository has no chart of that name; name the closest ones it has.
fn no_chart(repo_url: &str, name: &str, index: &IndexFile) -> SourceError {
    let mut close: Vec<&String> = index
        .entries
        .keys()
        .filter(|k| k.contains(name) || name.contains(k.as_str()))
        .take(5)
        .collect();
    if close.is_empty() {
        close = index.entries.keys().take(5).collect();
    }
    let listed = if close.is_empty() {
        "it lists no charts".to_string()
    } else {
        format!(
            "it has {}",
            close
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    SourceError::new(
        SourceErrorKind::NotFound,
        format!("no chart {name:?} in {repo_url}/index.yaml ({listed})"),
    )
}
