//! A chart repository's `index.yaml` (Helm's `pkg/repo` index format): which
//! versions of which charts exist, where their archives are and their digests.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The parts of `index.yaml` chart resolution needs.
#[derive(Debug, Default, Deserialize)]
pub struct IndexFile {
    #[serde(default, rename = "apiVersion")]
    pub api_version: String,
    #[serde(default)]
    pub entries: BTreeMap<String, Vec<IndexEntry>>,
}

/// One published version of a chart.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct IndexEntry {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
    /// Where the archive is: absolute, or relative to the repository URL.
    #[serde(default)]
    pub urls: Vec<String>,
    /// sha256 of the archive, hex, when the repository publishes it.
    #[serde(default)]
    pub digest: String,
}

impl IndexFile {
    /// Parses an `index.yaml`; `url` only names the file in errors.
    pub fn parse(bytes: &[u8], url: &str) -> Result<IndexFile, String> {
        if crate::registry::client::looks_like_html(bytes) {
            return Err(format!(
                "{url} is not a chart repository index: it is an HTML page (a login page, or a proxy's error page?); check the repository URL"
            ));
        }
        crate::yaml::check_limits_bytes(bytes, crate::yaml::SERDE_MAX_DEPTH)
            .map_err(|e| format!("{url} is not a chart repository index: {e}"))?;
        let index: IndexFile = yaml_serde::from_slice(bytes)
            .map_err(|e| format!("{url} is not a chart repository index: {e}"))?;
        if index.api_version.is_empty() {
            return Err(format!(
                "{url} is not a chart repository index: no apiVersion"
            ));
        }
        Ok(index)
    }

    /// The versions published for `name`, as listed.
    pub fn versions(&self, name: &str) -> Option<&[IndexEntry]> {
        self.entries.get(name).map(Vec::as_slice)
    }
}

/// Resolves an archive URL from the index against the repository URL, as
/// Helm's `ResolveReferenceURL` does: absolute URLs stay, relative ones are
/// joined to the repository URL taken as a folder, keeping its query.
pub fn resolve_url(repo_url: &str, chart_url: &str) -> Result<String, String> {
    if let Ok(abs) = reqwest::Url::parse(chart_url) {
        return Ok(abs.to_string());
    }
    let mut base = reqwest::Url::parse(repo_url)
        .map_err(|e| format!("repository URL {repo_url:?} is invalid: {e}"))?;
    let query = base.query().map(str::to_string);
    let path = format!("{}/", base.path().trim_end_matches('/'));
    base.set_path(&path);
    let mut joined = base
        .join(chart_url)
        .map_err(|e| format!("archive URL {chart_url:?} in {repo_url}/index.yaml: {e}"))?;
    joined.set_query(query.as_deref());
    Ok(joined.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_lists() {
        let y = br#"
apiVersion: v1
entries:
  redis:
  - name: redis
    version: 18.9.1
    urls: [redis-18.9.1.tgz]
    digest: abc
  - name: redis
    version: 18.6.1
    urls: ["https://x.example/redis-18.6.1.tgz"]
generated: "2024-01-01T00:00:00Z"
"#;
        let i = IndexFile::parse(y, "u").unwrap();
        let v = i.versions("redis").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].digest, "abc");
        assert!(i.versions("nginx").is_none());
        assert!(IndexFile::parse(b"<html>", "http://h/index.yaml").is_err());
        assert!(IndexFile::parse(b"entries: {}", "u").is_err());
    }

    #[test]
    fn urls_resolve_like_helm() {
        assert_eq!(
            resolve_url("http://h:1/charts", "redis-1.tgz").unwrap(),
            "http://h:1/charts/redis-1.tgz"
        );
        assert_eq!(
            resolve_url("http://h:1/charts/", "sub/redis-1.tgz").unwrap(),
            "http://h:1/charts/sub/redis-1.tgz"
        );
        assert_eq!(
            resolve_url("http://h:1/charts?tok=1", "redis-1.tgz").unwrap(),
            "http://h:1/charts/redis-1.tgz?tok=1"
        );
        assert_eq!(
            resolve_url("http://h:1/charts", "https://o.example/a.tgz").unwrap(),
            "https://o.example/a.tgz"
        );
        assert_eq!(
            resolve_url("http://h:1/", "/abs/a.tgz").unwrap(),
            "http://h:1/abs/a.tgz"
        );
    }
}
