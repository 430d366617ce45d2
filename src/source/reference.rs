//! What a user may write where a chart is taken, parsed into one of the kinds
//! Helm accepts: a local folder or archive, `oci://HOST/PATH/NAME[:TAG][@DIGEST]`,
//! a chart NAME in a repository given by `--repo URL`, `REPO/NAME` for a
//! repository named in Helm's `repositories.yaml`, or a plain archive URL.
//!
//! Parsing needs to know whether a path exists and which repositories are
//! named, so both are passed in; nothing here touches the network.

use crate::registry::reference::canonical_registry;
use std::fmt;
use std::path::{Path, PathBuf};

/// A chart reference, before any version is resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChartRef {
    /// A folder or `.tgz` on disk: used as it is, never cached.
    Local(PathBuf),
    /// A chart in an OCI registry.
    Oci(OciRef),
    /// A chart NAME in the HTTP repository at `url` (`--repo URL NAME`, or
    /// `REPO/NAME` with `REPO` looked up in `repositories.yaml`).
    Repo { url: String, name: String },
    /// A plain `http(s)://…/chart.tgz`.
    Url(String),
}

/// `oci://HOST/PATH/NAME[:TAG][@DIGEST]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciRef {
    /// `host[:port]` as written (the cache key uses [`OciRef::canonical_name`]).
    pub registry: String,
    /// `PATH/NAME`, e.g. `bitnamicharts/redis`.
    pub repository: String,
    /// A tag given with `:TAG` (Helm's `_` form allowed).
    pub tag: Option<String>,
    /// A manifest digest given with `@sha256:…`.
    pub digest: Option<String>,
}

impl OciRef {
    /// The chart's name: the last path component.
    pub fn chart_name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }

    /// `oci://registry/repository` with Docker Hub's hosts folded into one
    /// (`registry-1.docker.io` and `docker.io` are the same place), so a chart
    /// is found again whichever spelling was used.
    pub fn canonical_name(&self) -> String {
        format!(
            "oci://{}/{}",
            canonical_registry(&self.registry).to_ascii_lowercase(),
            self.repository
        )
    }
}

impl fmt::Display for OciRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ChartRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartRef::Local(p) => write!(f, "{}", p.display()),
            ChartRef::Oci(o) => write!(f, "{o}"),
            ChartRef::Repo { url, name } => write!(f, "{name} (repository {url})"),
            ChartRef::Url(u) => f.write_str(u),
        }
    }
}

/// Why a reference cannot be used; each message says what would work.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    #[error("empty chart reference")]
    Empty,
    #[error("with --repo the chart is a name in that repository, not {0:?}")]
    UrlWithRepo(String),
    #[error(
        "{input:?} is neither a path on disk nor a chart of a known repository: \
         no repository {repo:?} in Helm's repositories.yaml \
         (use --repo URL {name}, or oci://…)"
    )]
    UnknownRepository {
        input: String,
        repo: String,
        name: String,
    },
    #[error(
        "chart {0:?} not found: no such folder or archive \
         (give a path, oci://HOST/PATH/NAME, REPO/NAME or --repo URL NAME)"
    )]
    NotFound(String),
    /// What follows `oci://` is not HOST/PATH/NAME[:TAG][@sha256:DIGEST].
    #[error("invalid OCI chart reference oci://{reference}: {why}")]
    InvalidOci {
        reference: String,
        why: std::borrow::Cow<'static, str>,
    },
    #[error("repository URL {0:?} must start with https:// or http://")]
    RepositoryScheme(String),
    #[error(
        "a URL with user:password@ in it would show the password in messages; \
         put the credentials in Helm's repositories.yaml instead"
    )]
    UserInfo,
}

impl RefError {
    /// Well formed but naming nothing that exists (no such path, no such
    /// repository name): missing input rather than misuse.
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            RefError::NotFound(_) | RefError::UnknownRepository { .. }
        )
    }
}

/// Parses a chart reference the way Helm's `LocateChart` decides: `--repo`
/// first, then `oci://`, then an existing path, then a URL, then `REPO/NAME`.
/// `repo_url` is `--repo`; `named` maps repository names to URLs.
pub fn parse(
    input: &str,
    repo_url: Option<&str>,
    named: &dyn Fn(&str) -> Option<String>,
) -> Result<ChartRef, RefError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(RefError::Empty);
    }
    if let Some(url) = repo_url {
        if input.contains("://") {
            return Err(RefError::UrlWithRepo(input.to_string()));
        }
        return Ok(ChartRef::Repo {
            url: normalise_repo_url(url)?,
            name: input.to_string(),
        });
    }
    if let Some(rest) = input.strip_prefix("oci://") {
        return parse_oci(rest).map(ChartRef::Oci);
    }
    let path = Path::new(input);
    if path.exists() {
        return Ok(ChartRef::Local(path.to_path_buf()));
    }
    if input.starts_with("https://") || input.starts_with("http://") {
        refuse_userinfo(input)?;
        return Ok(ChartRef::Url(input.to_string()));
    }
    if let Some((repo, name)) = input.split_once('/') {
        if !name.is_empty() && !name.contains('/') {
            if let Some(url) = named(repo) {
                return Ok(ChartRef::Repo {
                    url: normalise_repo_url(&url)?,
                    name: name.to_string(),
                });
            }
            return Err(RefError::UnknownRepository {
                input: input.to_string(),
                repo: repo.to_string(),
                name: name.to_string(),
            });
        }
    }
    Err(RefError::NotFound(input.to_string()))
}

/// Parses what follows `oci://`.
pub fn parse_oci(rest: &str) -> Result<OciRef, RefError> {
    // Before anything quotes the reference back.
    refuse_userinfo(&format!("oci://{rest}"))?;
    let bad = |why: &'static str| RefError::InvalidOci {
        reference: rest.to_string(),
        why: why.into(),
    };
    let (rest, digest) = match rest.split_once('@') {
        Some((r, d)) => {
            let hex = d
                .strip_prefix("sha256:")
                .ok_or_else(|| bad("the digest must be sha256:…"))?;
            if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad("the digest must be sha256: and 64 hex digits"));
            }
            (r, Some(d.to_ascii_lowercase()))
        }
        None => (rest, None),
    };
    let (host, path) = rest
        .split_once('/')
        .ok_or_else(|| bad("expected oci://HOST/PATH/NAME"))?;
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(bad("no registry host"));
    }
    crate::registry::reference::validate_host(host).map_err(|why| RefError::InvalidOci {
        reference: rest.to_string(),
        why: why.into(),
    })?;
    // A tag follows a `:` in the last path component only (a `:` in the host
    // is a port).
    let (path, tag) = match path.rsplit_once('/') {
        Some((dir, last)) => match last.split_once(':') {
            Some((n, t)) => (format!("{dir}/{n}"), Some(t.to_string())),
            None => (path.to_string(), None),
        },
        None => match path.split_once(':') {
            Some((n, t)) => (n.to_string(), Some(t.to_string())),
            None => (path.to_string(), None),
        },
    };
    if path.split('/').any(|c| {
        c.is_empty()
            || !c
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._-".contains(ch))
    }) {
        return Err(bad(
            "the repository path must be lower-case letters, digits, '.', '_' or '-'",
        ));
    }
    if let Some(t) = &tag {
        if t.is_empty()
            || t.len() > 128
            || !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c))
        {
            return Err(bad("invalid tag"));
        }
    }
    Ok(OciRef {
        registry: host.to_string(),
        repository: path,
        tag,
        digest,
    })
}

/// A repository URL without a trailing slash, and only http(s).
pub fn normalise_repo_url(url: &str) -> Result<String, RefError> {
    let u = url.trim();
    if !(u.starts_with("https://") || u.starts_with("http://")) {
        return Err(RefError::RepositoryScheme(url.to_string()));
    }
    refuse_userinfo(u)?;
    Ok(u.trim_end_matches('/').to_string())
}

/// Credentials written into a URL would be echoed in every message and cache
/// record that names the URL; they belong in `repositories.yaml` (or, for
/// registries, Docker's config.json or `registries.yaml`).
pub(crate) fn refuse_userinfo(url: &str) -> Result<(), RefError> {
    let authority = url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    if authority.contains('@') {
        return Err(RefError::UserInfo);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn oci_forms() {
        let r = parse_oci("registry-1.docker.io/bitnamicharts/redis").unwrap();
        assert_eq!(r.repository, "bitnamicharts/redis");
        assert_eq!(r.chart_name(), "redis");
        assert_eq!(r.canonical_name(), "oci://docker.io/bitnamicharts/redis");
        let r = parse_oci("127.0.0.1:5000/charts/redis:18.6.1").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.tag.as_deref(), Some("18.6.1"));
        let d = "a".repeat(64);
        let r = parse_oci(&format!("h:1/x@sha256:{d}")).unwrap();
        assert_eq!(r.digest, Some(format!("sha256:{d}")));
        assert_eq!(r.tag, None);
        assert!(parse_oci("host").is_err());
        assert!(parse_oci("h/Upper").is_err());
        assert!(parse_oci("h/x@sha256:abc").is_err());
        assert!(parse_oci("h//x").is_err());
        // Hosts that cannot be connected to are refused as written.
        assert_eq!(parse_oci("[::1]:5000/c/x").unwrap().registry, "[::1]:5000");
        for (bad, why) in [
            ("h:badport/c/x", "invalid port \"badport\""),
            ("h:99999/c/x", "invalid port \"99999\""),
            ("h:0/c/x", "invalid port \"0\""),
            ("h:/c/x", "invalid port \"\""),
            ("[::1/c/x", "unclosed '['"),
            ("[::g]:5000/c/x", "not an IPv6 address"),
            ("[::1]x/c/x", "after its IPv6 address"),
            ("::1:5000/c/x", "in brackets"),
            ("h_st/c/x", "not a valid host name"),
        ] {
            let e = parse_oci(bad).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!(
                    "invalid OCI chart reference oci://{bad}: registry host"
                )) && e.contains(why),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn kinds() {
        let named =
            |r: &str| (r == "bitnami").then(|| "https://charts.bitnami.com/bitnami/".into());
        assert_eq!(
            parse("bitnami/redis", None, &named).unwrap(),
            ChartRef::Repo {
                url: "https://charts.bitnami.com/bitnami".into(),
                name: "redis".into()
            }
        );
        assert_eq!(
            parse("redis", Some("http://127.0.0.1:9/"), &none).unwrap(),
            ChartRef::Repo {
                url: "http://127.0.0.1:9".into(),
                name: "redis".into()
            }
        );
        assert!(matches!(
            parse("https://e.example/c-1.0.0.tgz", None, &none).unwrap(),
            ChartRef::Url(_)
        ));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().to_str().unwrap();
        assert_eq!(
            parse(p, None, &none).unwrap(),
            ChartRef::Local(dir.path().into())
        );
        let e = parse("nope/redis", None, &none).unwrap_err();
        assert!(matches!(e, RefError::UnknownRepository { .. }), "{e}");
        assert!(e.to_string().contains("no repository \"nope\""), "{e}");
        let e = parse("missing-chart", None, &none).unwrap_err();
        assert_eq!(e, RefError::NotFound("missing-chart".into()));
        assert!(e.to_string().contains("not found"), "{e}");
        assert!(parse("oci://h/x", Some("https://r"), &none).is_err());
        let e = parse("x", Some("https://u:pw@r.example/c"), &none).unwrap_err();
        assert_eq!(e, RefError::UserInfo);
        assert!(!e.to_string().contains("pw"), "{e}");
        assert!(parse("https://u:pw@r.example/c.tgz", None, &none).is_err());
        assert!(parse("https://r.example/c.tgz?a=b@c", None, &none).is_ok());
    }
}
