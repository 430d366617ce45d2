//! Resolving `oci://` chart references: pick the version from the tag list
//! (or take the tag or digest given), answer from the cache when it can, pull
//! through the shared registry client otherwise, and file the archive under
//! the reference's public name.

use super::cache::{Lookup, RefRecord};
use super::reference::OciRef;
use super::version::{nearest, select, tag_to_version, version_to_tag};
use super::{ResolvedChart, Resolver, SourceError, SourceErrorKind};
use crate::registry::charts::{chart_versions, pull_chart};

/// What the user pinned.
enum Wanted {
    /// `@sha256:…`: a manifest digest.
    Digest(String),
    /// `:TAG`, or a `--version` that is a full version: one version, so the
    /// cache can answer without asking the registry.
    Exact(String),
    /// A constraint, or nothing (the newest release).
    Range(Option<String>),
}

/// `1.2.3`, `1.2.3-rc.1`, `1.2.3+meta`: a version that names one release.
pub(crate) fn is_exact(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        && crate::semver::Version::parse(v).is_ok()
}

impl Resolver {
    pub(super) async fn resolve_oci(
        &self,
        o: &OciRef,
        version: Option<&str>,
    ) -> Result<ResolvedChart, SourceError> {
        let identity = o.canonical_name();
        let wanted = if let Some(d) = &o.digest {
            Wanted::Digest(d.clone())
        } else if let Some(t) = &o.tag {
            let from_tag = tag_to_version(t);
            if let Some(v) = version {
                if v != from_tag && v != t {
                    return Err(SourceError::usage(format!(
                        "{o} names version {from_tag} but --version is {v}; give one of them"
                    )));
                }
            }
            Wanted::Exact(from_tag)
        } else {
            match version {
                Some(v) if is_exact(v) => Wanted::Exact(v.to_string()),
                v => Wanted::Range(v.map(str::to_string)),
            }
        };
        let mut warnings = Vec::new();

        // The cache first: for a pinned version or digest it is the answer.
        let cached = match &wanted {
            Wanted::Digest(d) => self
                .cache
                .records(&identity)
                .into_iter()
                .find(|r| r.manifest_digest.as_deref() == Some(d.as_str()))
                .map(|r| self.cache.verify(r))
                .unwrap_or(Lookup::Miss),
            Wanted::Exact(v) => self.cache.lookup(&identity, v),
            Wanted::Range(range) if self.options.offline => {
                let held = self.held_versions(&identity);
                match select(&held, range.as_deref()).map_err(SourceError::usage)? {
                    Some(v) => self.cache.lookup(&identity, &v),
                    None => Lookup::Miss,
                }
            }
            Wanted::Range(_) => Lookup::Miss,
        };
        match cached {
            Lookup::Hit(record, path) => return Ok(hit(record, path, o, warnings)),
            Lookup::Corrupt(why) if self.options.offline => {
                return Err(SourceError::new(
                    SourceErrorKind::OfflineMiss,
                    format!("--offline: {why}; fetch it again while online"),
                ))
            }
            Lookup::Corrupt(why) => warnings.push(format!("{why}; fetching it again")),
            Lookup::Miss => {}
        }
        if self.options.offline {
            let shown = match &wanted {
                Wanted::Digest(d) => Some(d.as_str()),
                Wanted::Exact(v) => Some(v.as_str()),
                Wanted::Range(r) => r.as_deref(),
            };
            return Err(self.offline_miss(&identity, shown, &self.held_versions(&identity)));
        }

        let client = self.registry_client()?;
        let (reference, chosen) = match &wanted {
            Wanted::Digest(d) => (d.clone(), None),
            Wanted::Exact(v) => (version_to_tag(v), Some(v.clone())),
            Wanted::Range(range) => {
                let versions = match chart_versions(client, &o.registry, &o.repository).await {
                    Ok(v) => v,
                    Err(e) => {
                        let e = not_found_chart(&identity, e);
                        let (record, path, warning) =
                            self.unreachable_fallback(&identity, range.as_deref(), e)?;
                        warnings.push(warning);
                        return Ok(hit(record, path, o, warnings));
                    }
                };
                let Some(v) = select(&versions, range.as_deref()).map_err(SourceError::usage)?
                else {
                    return Err(no_version(&identity, range.as_deref(), &versions));
                };
                // Another run may have fetched it already.
                match self.cache.lookup(&identity, &v) {
                    Lookup::Hit(record, path) => return Ok(hit(record, path, o, warnings)),
                    Lookup::Corrupt(why) => warnings.push(format!("{why}; fetching it again")),
                    Lookup::Miss => {}
                }
                (version_to_tag(&v), Some(v))
            }
        };
        // The client shows a slow request's URL and its bytes as they come.
        let pulled = pull_chart(client, &o.registry, &o.repository, &reference).await;
        let pulled = match pulled {
            Ok(p) => p,
            Err(e) if e.is_not_found() => {
                // Say which versions do exist, when the registry will tell.
                let versions = chart_versions(client, &o.registry, &o.repository)
                    .await
                    .unwrap_or_default();
                let mut err = SourceError::from(e);
                let asked = chosen.as_deref().unwrap_or(&reference);
                err.message = format!(
                    "chart {identity} version {asked} not found: {}{}",
                    err.message,
                    suggestions(asked, &versions)
                );
                return Err(err);
            }
            Err(e) => return Err(e.into()),
        };
        let version = match chosen {
            Some(v) => {
                if !pulled.version.is_empty() && pulled.version != v {
                    warnings.push(format!(
                        "{identity}:{reference} holds chart version {}, not {v}",
                        pulled.version
                    ));
                }
                v
            }
            None => pulled.version.clone(),
        };
        if !pulled.name.is_empty() && pulled.name != o.chart_name() {
            warnings.push(format!(
                "{identity} holds a chart named {:?}, not {:?}",
                pulled.name,
                o.chart_name()
            ));
        }
        let (digest, path) = self
            .cache
            .put_blob(&pulled.archive, Some(&pulled.archive_digest))
            .map_err(|m| SourceError::new(SourceErrorKind::Integrity, m))?;
        let record = RefRecord {
            reference: identity.clone(),
            version: version.clone(),
            digest: digest.clone(),
            manifest_digest: Some(pulled.manifest_digest),
            fetched_from: pulled.url,
            origin: None,
        };
        self.cache.put_record(&record).map_err(SourceError::other)?;
        Ok(ResolvedChart {
            reference: identity,
            origin: None,
            name: if pulled.name.is_empty() {
                o.chart_name().to_string()
            } else {
                pulled.name
            },
            version,
            digest: Some(digest),
            path,
            from_cache: false,
            warnings,
        })
    }

    /// When the source cannot be reached, the newest cached version that
    /// satisfies `range` stands in, with a warning; other errors stand.
    pub(crate) fn unreachable_fallback(
        &self,
        identity: &str,
        range: Option<&str>,
        err: SourceError,
    ) -> Result<(RefRecord, std::path::PathBuf, String), SourceError> {
        if err.kind != SourceErrorKind::Network {
            return Err(err);
        }
        let held = self.held_versions(identity);
        let Ok(Some(v)) = select(&held, range) else {
            return Err(err);
        };
        match self.cache.lookup(identity, &v) {
            Lookup::Hit(record, path) => {
                let warning = format!(
                    "{err}; using {identity} {v} from the cache (newer versions may exist)"
                );
                Ok((record, path, warning))
            }
            _ => Err(err),
        }
    }

    /// Versions of `identity` the cache holds.
    pub(crate) fn held_versions(&self, identity: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .cache
            .records(identity)
            .into_iter()
            .map(|r| r.version)
            .collect();
        // Newest first, for messages; strings that are not versions last.
        v.sort_by(|a, b| {
            match (
                crate::semver::Version::parse(a),
                crate::semver::Version::parse(b),
            ) {
                (Ok(x), Ok(y)) => y.cmp(&x),
                (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                (Err(_), Err(_)) => a.cmp(b),
            }
        });
        v
    }
}

fn hit(
    record: RefRecord,
    path: std::path::PathBuf,
    o: &OciRef,
    warnings: Vec<String>,
) -> ResolvedChart {
    ResolvedChart {
        origin: record.origin(),
        reference: record.reference,
        name: o.chart_name().to_string(),
        version: record.version,
        digest: Some(record.digest),
        path,
        from_cache: true,
        warnings,
    }
}

fn not_found_chart(identity: &str, e: crate::registry::RegistryError) -> SourceError {
    let missing = e.is_not_found();
    let mut err = SourceError::from(e);
    if missing {
        err.message = format!(
            "no chart {identity} in the registry: {} (check the path; Bitnami charts are at oci://registry-1.docker.io/bitnamicharts/NAME)",
            err.message
        );
    }
    err
}

/// No published version fits what was asked.
pub(crate) fn no_version(identity: &str, wanted: Option<&str>, versions: &[String]) -> SourceError {
    let asked = wanted.unwrap_or("(any release)");
    SourceError::new(
        SourceErrorKind::NotFound,
        format!(
            "no version of {identity} matches {asked}{}",
            suggestions(asked, versions)
        ),
    )
}

/// `; nearest versions: a, b, c` (or that there are none).
pub(crate) fn suggestions(asked: &str, versions: &[String]) -> String {
    let near = nearest(versions, Some(asked), 6);
    if near.is_empty() {
        if versions.is_empty() {
            "; the registry lists no versions".to_string()
        } else {
            String::new()
        }
    } else {
        format!("; nearest versions: {}", near.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions() {
        assert!(is_exact("18.6.1"));
        assert!(is_exact("1.2.3-rc.1+b"));
        assert!(!is_exact("18.6"));
        assert!(!is_exact("~18.6.1"));
        assert!(!is_exact("18.x.1"));
        assert!(!is_exact(">=1.2.3"));
    }
}
