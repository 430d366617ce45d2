//! Where chartfix keeps what it fetched (charts) and learned (image checks).
//!
//! `--cache-dir`, then `$CHARTFIX_CACHE`, then `./charts-cache` when the
//! current folder has one (a project that vendors its cache), then
//! `$XDG_CACHE_HOME/chartfix`, then `~/.cache/chartfix`.

use std::path::{Path, PathBuf};

/// Resolves the cache folder; `flag` is `--cache-dir`.
pub fn resolve(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("CHARTFIX_CACHE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let local = Path::new("charts-cache");
    if local.is_dir() {
        return local.to_path_buf();
    }
    if let Some(p) = std::env::var_os("XDG_CACHE_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(p).join("chartfix");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".cache/chartfix"),
        None => std::env::temp_dir().join("chartfix-cache"),
    }
}

/// Which setting [`resolve`] took the folder from, for messages that send
/// the reader to it.
pub fn setting(flag: Option<&Path>) -> &'static str {
    if flag.is_some() {
        "--cache-dir"
    } else if std::env::var_os("CHARTFIX_CACHE").is_some_and(|p| !p.is_empty()) {
        "$CHARTFIX_CACHE"
    } else if Path::new("charts-cache").is_dir() {
        "./charts-cache, found in the current folder"
    } else if std::env::var_os("XDG_CACHE_HOME").is_some_and(|p| !p.is_empty()) {
        "$XDG_CACHE_HOME; --cache-dir sets another"
    } else {
        "the user cache; --cache-dir sets another"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_wins() {
        assert_eq!(resolve(Some(Path::new("/x"))), PathBuf::from("/x"));
    }
}
