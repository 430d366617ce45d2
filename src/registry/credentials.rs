//! Registry credentials: from `registries.yaml` `configs.HOST.auth`, then
//! Docker's `config.json` (`$DOCKER_CONFIG`, `credHelpers`, `auths`,
//! `credsStore` through `docker-credential-*`), then Helm's registry config.
//!
//! Secrets never reach `Debug`, `Display` or error messages.

use super::config::{AuthConfig, RegistryConfig};
use super::reference::{canonical_registry, DOCKER_HUB};
use base64::Engine;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// What to authenticate with.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken` in Docker's config).
    IdentityToken(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credential::IdentityToken(_) => f.write_str("IdentityToken(***)"),
        }
    }
}

/// Docker's (and Helm's) `config.json`, the parts that hold credentials.
#[derive(Debug, Default, Deserialize)]
pub struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, DockerAuth>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(Default, Deserialize)]
struct DockerAuth {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
}

impl fmt::Debug for DockerAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DockerAuth(***)")
    }
}

/// Every credential source, loaded once.
#[derive(Debug, Default)]
pub struct CredentialStore {
    files: Vec<(PathBuf, DockerConfig)>,
    /// Problems met while loading (unreadable files), to show as warnings.
    pub warnings: Vec<String>,
}

impl CredentialStore {
    /// Loads Docker's config and Helm's registry config from their usual places.
    pub fn from_environment() -> CredentialStore {
        let mut paths = Vec::new();
        let home = std::env::var_os("HOME").map(PathBuf::from);
        match std::env::var_os("DOCKER_CONFIG") {
            Some(dir) => paths.push(PathBuf::from(dir).join("config.json")),
            None => {
                if let Some(h) = &home {
                    paths.push(h.join(".docker/config.json"));
                }
            }
        }
        match std::env::var_os("HELM_REGISTRY_CONFIG") {
            Some(p) => paths.push(PathBuf::from(p)),
            None => {
                let config_home = std::env::var_os("XDG_CONFIG_HOME")
                    .map(PathBuf::from)
                    .or_else(|| home.as_ref().map(|h| h.join(".config")));
                if let Some(c) = config_home {
                    paths.push(c.join("helm/registry/config.json"));
                }
            }
        }
        Self::from_files(&paths)
    }

    /// Loads the given `config.json` files; missing files are skipped.
    pub fn from_files(paths: &[PathBuf]) -> CredentialStore {
        let mut store = CredentialStore::default();
        for p in paths {
            match crate::input::read(p) {
                Ok(bytes) => match serde_json::from_slice::<DockerConfig>(&bytes) {
                    Ok(cfg) => store.files.push((p.clone(), cfg)),
                    Err(e) => store.warnings.push(format!(
                        "ignoring {}: not a Docker config.json: {e}",
                        p.display()
                    )),
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => store
                    .warnings
                    .push(format!("ignoring {}: {e}", p.display())),
            }
        }
        store
    }

    /// The credential for `host`, or `None` for anonymous access.
    pub fn lookup(
        &self,
        config: &RegistryConfig,
        host: &str,
    ) -> Result<Option<Credential>, String> {
        if let Some(auth) = config.host_config(host).and_then(|c| c.auth.as_ref()) {
            if let Some(c) =
                from_k3s(auth).map_err(|e| format!("registries.yaml configs.{host}.auth: {e}"))?
            {
                return Ok(Some(c));
            }
        }
        for (path, file) in &self.files {
            if let Some(c) = file
                .lookup(host)
                .map_err(|e| format!("{}: {e}", path.display()))?
            {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }
}

fn from_k3s(a: &AuthConfig) -> Result<Option<Credential>, String> {
    if let Some(t) = a.identity_token.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Some(Credential::IdentityToken(t.clone())));
    }
    if let (Some(u), Some(p)) = (&a.username, &a.password) {
        return Ok(Some(Credential::Basic {
            username: u.clone(),
            password: p.clone(),
        }));
    }
    match &a.auth {
        Some(b) => decode_auth(b).map(Some),
        None => Ok(None),
    }
}

/// `base64(user:password)` as Docker stores it.
fn decode_auth(b64: &str) -> Result<Credential, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| "the auth value is not base64".to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "the auth value is not UTF-8".to_string())?;
    let (u, p) = text
        .split_once(':')
        .ok_or_else(|| "the auth value is not user:password".to_string())?;
    Ok(Credential::Basic {
        username: u.to_string(),
        password: p.to_string(),
    })
}

/// The names a host may be filed under in `config.json`.
fn key_matches(key: &str, host: &str) -> bool {
    let k = key
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let k = k.split('/').next().unwrap_or(k);
    canonical_registry(k).eq_ignore_ascii_case(&canonical_registry(host))
}

/// What a credential helper is asked for: Docker Hub is filed under its v1 URL.
fn helper_server(host: &str) -> String {
    if canonical_registry(host) == DOCKER_HUB {
        "https://index.docker.io/v1/".to_string()
    } else {
        host.to_string()
    }
}

impl DockerConfig {
    fn lookup(&self, host: &str) -> Result<Option<Credential>, String> {
        if let Some((_, helper)) = self.cred_helpers.iter().find(|(k, _)| key_matches(k, host)) {
            return run_helper(helper, &helper_server(host));
        }
        if let Some((_, a)) = self.auths.iter().find(|(k, _)| key_matches(k, host)) {
            if let Some(t) = a.identitytoken.as_ref().filter(|t| !t.is_empty()) {
                return Ok(Some(Credential::IdentityToken(t.clone())));
            }
            if let Some(b) = a.auth.as_ref().filter(|b| !b.is_empty()) {
                return decode_auth(b).map(Some);
            }
            if let (Some(u), Some(p)) = (&a.username, &a.password) {
                return Ok(Some(Credential::Basic {
                    username: u.clone(),
                    password: p.clone(),
                }));
            }
        }
        if let Some(store) = self.creds_store.as_ref().filter(|s| !s.is_empty()) {
            return run_helper(store, &helper_server(host));
        }
        Ok(None)
    }
}

#[derive(Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

/// Runs `docker-credential-NAME get` with the server on stdin. A helper that
/// knows nothing of the server is not an error: access is anonymous then.
fn run_helper(name: &str, server: &str) -> Result<Option<Credential>, String> {
    if name.contains('/') || name.contains(std::path::MAIN_SEPARATOR) {
        return Err(format!(
            "credential helper name {name:?} must not be a path"
        ));
    }
    let program = format!("docker-credential-{name}");
    let limit = super::helper::helper_timeout();
    let out = super::helper::run(&program, server, limit).map_err(|e| match e {
        super::helper::Failed::Spawn(e) => format!("cannot run {program} for {server}: {e}"),
        super::helper::Failed::Wait(e) => format!("{program} failed for {server}: {e}"),
        super::helper::Failed::TimedOut(after) => format!(
            "{program} get {server} gave no answer within {} s and was stopped; \
             check that it works (`echo {server} | {program} get`), or allow it longer \
             with CHARTFIX_CREDENTIAL_HELPER_TIMEOUT=SECONDS",
            after.as_secs_f64()
        ),
    })?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        if said.contains("credentials not found") {
            return Ok(None);
        }
        // What it said is not repeated: a failing helper may print the
        // secret it holds, or the request it was given.
        return Err(format!(
            "{program} get {server} failed ({}); run `echo {server} | {program} get` to see why",
            out.status
        ));
    }
    let parsed: HelperOutput = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{program} gave unreadable output for {server}: {e}"))?;
    if parsed.username == "<token>" {
        Ok(Some(Credential::IdentityToken(parsed.secret)))
    } else {
        Ok(Some(Credential::Basic {
            username: parsed.username,
            password: parsed.secret,
        }))
    }
}

/// Reads a `config.json` file (used by tests and by callers with an explicit path).
pub fn load_docker_config(path: &Path) -> Result<DockerConfig, String> {
    let bytes =
        crate::input::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn docker_config_lookups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            format!(
                r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{}"}},
                    "http://127.0.0.1:5000/v2/":{{"username":"u","password":"p"}},
                    "tok.example":{{"identitytoken":"rt"}}}}}}"#,
                b64("hub:secret")
            ),
        )
        .unwrap();
        let store = CredentialStore::from_files(&[path]);
        let cfg = RegistryConfig::default();
        assert_eq!(
            store.lookup(&cfg, "registry-1.docker.io").unwrap(),
            Some(Credential::Basic {
                username: "hub".into(),
                password: "secret".into()
            })
        );
        assert_eq!(
            store.lookup(&cfg, "127.0.0.1:5000").unwrap(),
            Some(Credential::Basic {
                username: "u".into(),
                password: "p".into()
            })
        );
        assert_eq!(
            store.lookup(&cfg, "tok.example").unwrap(),
            Some(Credential::IdentityToken("rt".into()))
        );
        assert_eq!(store.lookup(&cfg, "ghcr.io").unwrap(), None);
        let shown = format!("{store:?}");
        assert!(
            !shown.contains("secret") && !shown.contains("aHVi"),
            "{shown}"
        );
    }

    #[test]
    fn k3s_auth_wins() {
        let cfg = RegistryConfig::parse(
            "r.yaml",
            &format!(
                "configs:\n  h.example:\n    auth: {{auth: {}}}\n",
                b64("a:b")
            ),
        )
        .unwrap();
        let store = CredentialStore::default();
        assert_eq!(
            store.lookup(&cfg, "h.example").unwrap(),
            Some(Credential::Basic {
                username: "a".into(),
                password: "b".into()
            })
        );
        let bad =
            RegistryConfig::parse("r.yaml", "configs:\n  h.example:\n    auth: {auth: '!!'}\n")
                .unwrap();
        let e = store.lookup(&bad, "h.example").unwrap_err();
        assert!(e.contains("base64"), "{e}");
    }

    #[test]
    fn missing_helper_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"{"credHelpers":{"q.example":"nonexistent-xyz"}}"#).unwrap();
        let store = CredentialStore::from_files(&[path]);
        let e = store
            .lookup(&RegistryConfig::default(), "q.example")
            .unwrap_err();
        assert!(e.contains("docker-credential-nonexistent-xyz"), "{e}");
    }
}
