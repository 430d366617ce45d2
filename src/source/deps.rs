//! Dependencies a chart declares in `Chart.yaml` but does not carry under
//! `charts/`: where Helm stops with "found in Chart.yaml, but missing in
//! charts/ directory", chartfix resolves them (pinned by `Chart.lock` when the
//! chart has one) and fetches them through the same cache, so the chart
//! loader can add them as subcharts.

use super::chart_meta::{self, Dependency};
use super::reference::{self, ChartRef};
use super::{ResolvedChart, Resolver, SourceError, SourceErrorKind};
use std::path::Path;

/// A dependency fetched for a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedDependency {
    /// The name in `Chart.yaml`.
    pub name: String,
    /// Its `alias`, the name the parent's values use for it, when set.
    pub alias: Option<String>,
    /// What `Chart.yaml` asked for (`~18.6`), or the `Chart.lock` pin.
    pub requested: String,
    pub chart: ResolvedChart,
}

/// The declared dependencies that `charts/` lacks, each with the version to
/// use: the `Chart.lock` pin when the lock names it, else the constraint.
pub fn missing(chart: &Path) -> Result<Vec<Dependency>, SourceError> {
    // The chart was found already: a broken Chart.yaml is bad input, not misuse.
    let meta = chart_meta::read(chart).map_err(SourceError::other)?;
    let mut out = Vec::new();
    for dep in &meta.chart.dependencies {
        if is_vendored(&meta.vendored, &dep.name) {
            continue;
        }
        let mut dep = dep.clone();
        if let Some(pin) = meta.lock.as_ref().and_then(|l| {
            l.iter()
                .find(|p| p.name == dep.name && same_repo(&p.repository, &dep.repository))
        }) {
            dep.version = pin.version.clone();
        }
        out.push(dep);
    }
    Ok(out)
}

impl Resolver {
    /// Fetches every dependency `chart` (a folder or archive) declares and
    /// does not carry.
    pub fn resolve_dependencies(
        &self,
        chart: &Path,
    ) -> Result<Vec<FetchedDependency>, SourceError> {
        let mut out = Vec::new();
        for dep in missing(chart)? {
            let parsed = self.dependency_ref(chart, &dep)?;
            let version = (!dep.version.is_empty()).then_some(dep.version.as_str());
            let resolved = self.resolve_ref(&parsed, version).map_err(|mut e| {
                e.message = format!(
                    "dependency {} {} of {}: {}",
                    dep.name,
                    dep.version,
                    chart.display(),
                    e.message
                );
                e
            })?;
            out.push(FetchedDependency {
                name: dep.name.clone(),
                alias: (!dep.alias.is_empty()).then(|| dep.alias.clone()),
                requested: dep.version.clone(),
                chart: resolved,
            });
        }
        Ok(out)
    }

    /// Where a dependency's `repository:` points, as a chart reference.
    fn dependency_ref(&self, chart: &Path, dep: &Dependency) -> Result<ChartRef, SourceError> {
        let repo = dep.repository.trim();
        let fail = |why: String| {
            SourceError::new(
                SourceErrorKind::NotFound,
                format!(
                    "dependency {} of {} is missing from charts/ and {why}",
                    dep.name,
                    chart.display()
                ),
            )
        };
        if repo.is_empty() {
            return Err(fail("has no repository to fetch it from".into()));
        }
        if let Some(rest) = repo.strip_prefix("oci://") {
            let full = format!("{}/{}", rest.trim_end_matches('/'), dep.name);
            return reference::parse_oci(&full)
                .map(ChartRef::Oci)
                .map_err(|e| fail(e.message));
        }
        if let Some(rest) = repo.strip_prefix("file://") {
            if !chart.is_dir() {
                return Err(fail(format!(
                    "its repository {repo} is a path, which only a chart folder can have"
                )));
            }
            return Ok(ChartRef::Local(chart.join(rest)));
        }
        if repo.starts_with("https://") || repo.starts_with("http://") {
            return reference::normalise_repo_url(repo)
                .map(|url| ChartRef::Repo {
                    url,
                    name: dep.name.clone(),
                })
                .map_err(|e| fail(e.message));
        }
        // `@name` and `alias:name` refer to repositories.yaml.
        let named = repo
            .strip_prefix('@')
            .or_else(|| repo.strip_prefix("alias:"))
            .unwrap_or(repo);
        match self.repositories.by_name(named) {
            Some(r) => Ok(ChartRef::Repo {
                url: reference::normalise_repo_url(&r.url).map_err(|e| fail(e.message))?,
                name: dep.name.clone(),
            }),
            None => Err(fail(format!(
                "its repository {repo:?} is not named in Helm's repositories.yaml"
            ))),
        }
    }
}

/// A subchart is present as a folder named after it, or as an archive
/// `NAME-VERSION.tgz` (as `helm dependency build` leaves it).
fn is_vendored(vendored: &[String], name: &str) -> bool {
    vendored.iter().any(|v| {
        v == name
            || v.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    })
}

fn same_repo(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendored_names() {
        let v = vec!["common".to_string(), "postgresql-13.2.25".to_string()];
        assert!(is_vendored(&v, "common"));
        assert!(is_vendored(&v, "postgresql"));
        assert!(!is_vendored(&v, "redis"));
        assert!(!is_vendored(&v, "postgres"));
    }

    #[test]
    fn missing_uses_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        std::fs::write(
            c.join("Chart.yaml"),
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n\
             - {name: redis, version: ~18.6, repository: oci://h/charts}\n\
             - {name: common, version: 2.x, repository: https://charts.example/x}\n\
             - {name: pg, version: ^13, repository: 'https://r.example/'}\n",
        )
        .unwrap();
        std::fs::write(
            c.join("Chart.lock"),
            "dependencies:\n- {name: redis, version: 18.6.1, repository: oci://h/charts/}\n",
        )
        .unwrap();
        std::fs::create_dir_all(c.join("charts/common")).unwrap();
        let m = missing(c).unwrap();
        let got: Vec<(&str, &str)> = m
            .iter()
            .map(|d| (d.name.as_str(), d.version.as_str()))
            .collect();
        assert_eq!(got, [("redis", "18.6.1"), ("pg", "^13")]);
    }
}
