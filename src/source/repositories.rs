//! Helm's `repositories.yaml`: the names `helm repo add` gave to chart
//! repositories, so that `REPO/NAME` means the same thing to chartfix, and
//! the basic credentials stored with them.

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
pub struct RepositoriesFile {
    #[serde(default)]
    pub repositories: Vec<Repository>,
}

/// One named repository. `Debug` hides the password.
#[derive(Clone, Default, Deserialize)]
pub struct Repository {
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

impl fmt::Debug for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repository")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl RepositoriesFile {
    /// Where Helm keeps it: `$HELM_REPOSITORY_CONFIG`, else
    /// `$XDG_CONFIG_HOME/helm/repositories.yaml`, else `~/.config/helm/…`.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("HELM_REPOSITORY_CONFIG").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(p));
        }
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(config.join("helm/repositories.yaml"))
    }

    /// Reads the file; a missing file is an empty list, as for Helm.
    pub fn load(path: &Path) -> Result<RepositoriesFile, String> {
        match crate::input::read(path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Ok(Self::default()),
            Ok(bytes) => crate::yaml::check_limits_bytes(&bytes, crate::yaml::SERDE_MAX_DEPTH)
                .map_err(|e| e.to_string())
                .and_then(|_| yaml_serde::from_slice(&bytes).map_err(|e| e.to_string()))
                .map_err(|e| format!("{} is not Helm's repositories.yaml: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    pub fn by_name(&self, name: &str) -> Option<&Repository> {
        self.repositories.iter().find(|r| r.name == name)
    }

    /// The entry whose URL is `url` (trailing slashes ignored), for its credentials.
    pub fn by_url(&self, url: &str) -> Option<&Repository> {
        let want = url.trim_end_matches('/');
        self.repositories
            .iter()
            .find(|r| r.url.trim_end_matches('/') == want)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_helm_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("repositories.yaml");
        std::fs::write(
            &p,
            "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n\
             - name: bitnami\n  url: https://charts.bitnami.com/bitnami\n\
             - name: priv\n  url: http://127.0.0.1:1/x/\n  username: u\n  password: hunter2\n  insecure_skip_tls_verify: false\n",
        )
        .unwrap();
        let f = RepositoriesFile::load(&p).unwrap();
        assert_eq!(
            f.by_name("bitnami").unwrap().url,
            "https://charts.bitnami.com/bitnami"
        );
        assert_eq!(f.by_url("http://127.0.0.1:1/x").unwrap().username, "u");
        assert!(!format!("{f:?}").contains("hunter2"));
        assert!(RepositoriesFile::load(&dir.path().join("none"))
            .unwrap()
            .repositories
            .is_empty());
        std::fs::write(&p, "repositories: 3").unwrap();
        assert!(RepositoriesFile::load(&p).is_err());
    }
}
