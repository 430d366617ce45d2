//! Registry configuration in k3s's `registries.yaml` format: mirrors (endpoint
//! lists and repository rewrites) and per-host `configs` (auth, TLS).
//!
//! Resolution follows containerd as k3s configures it: a registry's mirror
//! endpoints are tried in order, then the registry itself; `"*"` is the mirror
//! for every registry without its own entry; `docker.io` also stands for
//! `registry-1.docker.io` and `index.docker.io`.

use super::reference::{canonical_registry, DOCKER_HUB, DOCKER_HUB_API_HOST};
use crate::yaml::LocatedError;
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The file as k3s reads it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistriesFile {
    #[serde(default)]
    pub mirrors: BTreeMap<String, MirrorConfig>,
    #[serde(default)]
    pub configs: BTreeMap<String, HostConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MirrorConfig {
    #[serde(default)]
    pub endpoint: Vec<String>,
    /// Regular expression on the repository → replacement (`$1` groups).
    #[serde(default)]
    pub rewrite: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    pub auth: Option<AuthConfig>,
    pub tls: Option<TlsConfig>,
}

/// Credentials as k3s takes them. `Debug` hides the secrets.
#[derive(Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub username: Option<String>,
    pub password: Option<String>,
    /// base64 of `username:password`.
    pub auth: Option<String>,
    pub identity_token: Option<String>,
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default, Deserialize, Clone, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    #[serde(default)]
    pub insecure_skip_verify: bool,
}

/// A registry configuration ready to resolve endpoints.
#[derive(Debug, Default)]
pub struct RegistryConfig {
    mirrors: BTreeMap<String, Mirror>,
    configs: BTreeMap<String, HostConfig>,
    /// `--plain-http`: talk HTTP to every registry given without a scheme.
    pub plain_http: bool,
}

#[derive(Debug)]
struct Mirror {
    endpoints: Vec<String>,
    rewrites: Vec<(Regex, String)>,
}

/// One place to ask for a registry's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://host[:port]`, no trailing slash.
    pub base_url: String,
    /// `host[:port]`, the key for credentials and TLS settings.
    pub host: String,
    /// The repository to ask this endpoint for (after rewrites).
    pub repository: String,
    /// False for the registry itself, true for a mirror.
    pub mirror: bool,
}

/// A configuration error, naming the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read: a wrong path, usually.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not YAML, or not the shape of a `registries.yaml` (`file:line:column`).
    #[error(transparent)]
    Syntax(LocatedError),
    #[error("{origin}: mirrors.{key}.rewrite: {pattern:?} is not a regular expression: {source}")]
    Rewrite {
        origin: String,
        key: String,
        pattern: String,
        #[source]
        source: Box<regex::Error>,
    },
    #[error("{origin}: mirrors.{key}.endpoint: {message}")]
    Endpoint {
        origin: String,
        key: String,
        message: String,
    },
}

impl RegistryConfig {
    /// Reads a `registries.yaml`.
    pub fn load(path: &Path) -> Result<RegistryConfig, ConfigError> {
        let text = crate::input::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses the text of a `registries.yaml`; `origin` names it in errors.
    pub fn parse(origin: &str, text: &str) -> Result<RegistryConfig, ConfigError> {
        let file: RegistriesFile = if text.trim().is_empty() {
            RegistriesFile::default()
        } else {
            crate::yaml::check_limits(text, crate::yaml::SERDE_MAX_DEPTH)
                .map_err(|e| ConfigError::Syntax(LocatedError::limit(origin, e)))?;
            yaml_serde::from_str(text)
                .map_err(|e| ConfigError::Syntax(LocatedError::serde(origin, &e)))?
        };
        let mut mirrors = BTreeMap::new();
        for (key, m) in file.mirrors {
            let mut rewrites = Vec::new();
            for (pattern, replacement) in m.rewrite {
                let re = Regex::new(&pattern).map_err(|e| ConfigError::Rewrite {
                    origin: origin.to_string(),
                    key: key.clone(),
                    pattern: pattern.clone(),
                    source: Box::new(e),
                })?;
                rewrites.push((re, replacement));
            }
            for ep in &m.endpoint {
                parse_endpoint(ep, false).map_err(|message| ConfigError::Endpoint {
                    origin: origin.to_string(),
                    key: key.clone(),
                    message,
                })?;
            }
            let key = if key == "*" {
                key
            } else {
                canonical_registry(&key)
            };
            mirrors.insert(
                key,
                Mirror {
                    endpoints: m.endpoint,
                    rewrites,
                },
            );
        }
        let configs = file
            .configs
            .into_iter()
            .map(|(k, v)| (host_key(&k), v))
            .collect();
        Ok(RegistryConfig {
            mirrors,
            configs,
            plain_http: false,
        })
    }

    /// Where to ask for `repository` of `registry`, in the order to try.
    pub fn endpoints(&self, registry: &str, repository: &str) -> Vec<Endpoint> {
        let registry = canonical_registry(registry);
        let mut out = Vec::new();
        let mirror = self
            .mirrors
            .get(&registry)
            .or_else(|| self.mirrors.get("*"));
        if let Some(m) = mirror {
            let repo = rewrite(&m.rewrites, repository);
            for ep in &m.endpoints {
                if let Ok((base_url, host)) = parse_endpoint(ep, self.plain_http) {
                    out.push(Endpoint {
                        base_url,
                        host,
                        repository: repo.clone(),
                        mirror: true,
                    });
                }
            }
        }
        let upstream = if registry == DOCKER_HUB {
            DOCKER_HUB_API_HOST.to_string()
        } else {
            registry.clone()
        };
        let scheme = if self.plain_http { "http" } else { "https" };
        let default = Endpoint {
            base_url: format!("{scheme}://{upstream}"),
            host: upstream,
            repository: repository.to_string(),
            mirror: false,
        };
        if !out.contains(&default) {
            out.push(default);
        }
        out
    }

    /// The `configs` entry for a host, if any (Docker Hub's names are one).
    pub fn host_config(&self, host: &str) -> Option<&HostConfig> {
        self.configs.get(&host_key(host))
    }
}

/// Docker Hub's hosts share one `configs` key.
fn host_key(host: &str) -> String {
    let canonical = canonical_registry(host);
    if canonical == DOCKER_HUB {
        DOCKER_HUB.to_string()
    } else {
        host.to_ascii_lowercase()
    }
}

fn rewrite(rules: &[(Regex, String)], repository: &str) -> String {
    // containerd applies the first rule that matches.
    for (re, replacement) in rules {
        if re.is_match(repository) {
            return re.replace(repository, replacement.as_str()).into_owned();
        }
    }
    repository.to_string()
}

/// `http://host:port`, `https://host`, or a bare `host:port` (HTTPS unless
/// plain HTTP is asked for) → (base URL, host).
fn parse_endpoint(ep: &str, plain_http: bool) -> Result<(String, String), String> {
    // Quoted back without any user:password@ it holds.
    let shown = crate::scrub::redact_userinfo(ep);
    let (scheme, rest) = match ep.split_once("://") {
        Some((s, r)) if s == "http" || s == "https" => (s, r),
        Some((s, _)) => {
            return Err(format!(
                "endpoint {shown:?}: scheme {s:?} is not http or https"
            ))
        }
        None => (if plain_http { "http" } else { "https" }, ep),
    };
    let rest = rest.trim_end_matches('/');
    // containerd accepts `/v2` on an endpoint; other paths are not supported here.
    let host = rest.strip_suffix("/v2").unwrap_or(rest);
    if host.is_empty() || host.contains('/') || host.contains('@') {
        return Err(format!(
            "endpoint {shown:?} must be scheme://host[:port] (paths and user info are not supported; \
             credentials go under configs: HOST: auth:)"
        ));
    }
    Ok((format!("{scheme}://{host}"), host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = r#"
mirrors:
  docker.io:
    endpoint: ["http://127.0.0.1:5000", "mirror.example:443/"]
    rewrite:
      "^bitnami/(.*)": "cache/bitnami/$1"
  "*":
    endpoint: ["https://all.example"]
configs:
  "127.0.0.1:5000":
    auth: {username: u, password: p}
  registry-1.docker.io:
    tls: {insecure_skip_verify: true}
"#;

    #[test]
    fn mirrors_then_upstream() {
        let c = RegistryConfig::parse("r.yaml", YAML).unwrap();
        let eps = c.endpoints("docker.io", "bitnami/redis");
        let urls: Vec<_> = eps.iter().map(|e| e.base_url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:5000",
                "https://mirror.example:443",
                "https://registry-1.docker.io"
            ]
        );
        assert_eq!(eps[0].repository, "cache/bitnami/redis");
        assert_eq!(eps[2].repository, "bitnami/redis");
        assert!(!eps[2].mirror);
        // registry-1.docker.io is docker.io
        assert_eq!(c.endpoints("registry-1.docker.io", "library/x").len(), 3);
        // wildcard
        let eps = c.endpoints("ghcr.io", "a/b");
        assert_eq!(eps[0].base_url, "https://all.example");
        assert_eq!(eps[1].base_url, "https://ghcr.io");
    }

    #[test]
    fn host_configs() {
        let c = RegistryConfig::parse("r.yaml", YAML).unwrap();
        assert!(c.host_config("127.0.0.1:5000").unwrap().auth.is_some());
        assert!(c.host_config("docker.io").unwrap().tls.is_some());
        assert!(c.host_config("index.docker.io").is_some());
        assert!(c.host_config("ghcr.io").is_none());
        assert!(!format!("{:?}", c.host_config("127.0.0.1:5000")).contains("\"p\""));
    }

    #[test]
    fn plain_http_and_errors() {
        let mut c = RegistryConfig::parse("r.yaml", "").unwrap();
        c.plain_http = true;
        assert_eq!(
            c.endpoints("127.0.0.1:9", "a")[0].base_url,
            "http://127.0.0.1:9"
        );
        let e = RegistryConfig::parse("r.yaml", "mirrors:\n  x:\n    endpoints: []\n").unwrap_err();
        // The misspelt key is named, at its line and column.
        assert!(e.to_string().starts_with("r.yaml:3:5: "), "{e}");
        assert!(e.to_string().contains("endpoints"), "{e}");
        let e =
            RegistryConfig::parse("r.yaml", "mirrors:\n  x:\n    rewrite: {'(': a}\n").unwrap_err();
        assert!(matches!(e, ConfigError::Rewrite { .. }), "{e}");
        assert!(e.to_string().contains("regular expression"), "{e}");
        let e = RegistryConfig::parse("r.yaml", "mirrors:\n  x:\n    endpoint: ['ftp://h']\n")
            .unwrap_err();
        assert!(e.to_string().contains("scheme"), "{e}");
        let e = RegistryConfig::load(Path::new("/nonexistent/r.yaml")).unwrap_err();
        assert!(matches!(e, ConfigError::Read { .. }), "{e}");
    }
}
