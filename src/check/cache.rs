//! Image check results kept on disk, so a second run (or `--offline`) need
//! not ask registries again. One JSON file per question under
//! `CACHE/images/`, named by a hash of the image's public reference (as the
//! manifests name it) and the platforms asked, never by a mirror: an answer
//! fetched through `--registry-config` mirrors is found again by
//! `images --offline` without them, as charts are. The registry configuration
//! it was asked through is kept inside: online, only an answer given through
//! the same configuration counts (a mirror can answer differently); offline,
//! any does. Only answers about the image are kept, not transient failures.

use super::inspect::Inspection;
use super::suggest::Suggestion;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Entry {
    pub image: String,
    pub platforms: Vec<String>,
    /// Seconds since the Unix epoch.
    pub checked_at: u64,
    pub inspection: Inspection,
    pub suggestion: Option<Suggestion>,
    #[serde(default)]
    pub nearest: Vec<String>,
    /// Fingerprint of the registry configuration the answer came through
    /// (set by [`ResultCache::put`]).
    #[serde(default)]
    pub config: String,
}

#[derive(Clone, Debug)]
pub struct ResultCache {
    dir: PathBuf,
    ttl: Duration,
    /// Distinguishes answers given through different registry settings.
    config_fingerprint: String,
}

impl ResultCache {
    pub fn new(cache_root: &Path, ttl: Duration, config_fingerprint: &str) -> ResultCache {
        ResultCache {
            dir: cache_root.join("images"),
            ttl,
            config_fingerprint: config_fingerprint.to_string(),
        }
    }

    fn path(&self, image: &str, platforms: &[String]) -> PathBuf {
        let mut h = Sha256::new();
        for part in [image, &platforms.join(","), "public-name"] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        self.dir.join(format!("{}.json", hex::encode(h.finalize())))
    }

    /// A cached answer; stale ones only when `any_age` (offline).
    pub fn get(&self, image: &str, platforms: &[String], any_age: bool) -> Option<Entry> {
        let bytes = crate::input::read(self.path(image, platforms)).ok()?;
        // An unreadable entry is a miss: it is simply asked again and rewritten.
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        if entry.image != image || entry.platforms != platforms {
            return None;
        }
        if !any_age && entry.config != self.config_fingerprint {
            return None;
        }
        let age = now().saturating_sub(entry.checked_at);
        (any_age || age < self.ttl.as_secs()).then_some(entry)
    }

    /// Stores an answer atomically (temporary file, then rename), so that two
    /// runs at once never see half a file. The temporary name is unique per
    /// process and call: images are checked on several threads, and two of
    /// them may store the same image.
    pub fn put(&self, entry: &Entry) -> std::io::Result<()> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(&entry.image, &entry.platforms);
        let tmp = self.dir.join(format!(
            ".{}.{}-{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let entry = Entry {
            config: self.config_fingerprint.clone(),
            ..entry.clone()
        };
        let body = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        let result = std::fs::write(&tmp, body).and_then(|_| std::fs::rename(&tmp, &path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::inspect::Status;

    fn entry(at: u64) -> Entry {
        Entry {
            image: "docker.io/library/redis:7".into(),
            platforms: vec!["linux/arm64".into()],
            checked_at: at,
            inspection: Inspection {
                status: Status::Ok,
                digest: Some("sha256:x".into()),
                platforms: vec!["linux/arm64".into()],
                message: None,
                tags: None,
            },
            suggestion: None,
            nearest: vec![],
            config: String::new(),
        }
    }

    #[test]
    fn ttl_and_keys() {
        let dir = tempfile::tempdir().unwrap();
        let c = ResultCache::new(dir.path(), Duration::from_secs(60), "cfg");
        let p = vec!["linux/arm64".to_string()];
        c.put(&entry(now())).unwrap();
        assert!(c.get("docker.io/library/redis:7", &p, false).is_some());
        assert!(c.get("docker.io/library/redis:7", &[], false).is_none());
        // Asked through other mirrors: online it asks again; offline the
        // answer is found by the image's public name alone.
        let other = ResultCache::new(dir.path(), Duration::from_secs(60), "other-cfg");
        assert!(other.get("docker.io/library/redis:7", &p, false).is_none());
        assert!(other.get("docker.io/library/redis:7", &p, true).is_some());
        c.put(&entry(now() - 3600)).unwrap();
        assert!(c.get("docker.io/library/redis:7", &p, false).is_none());
        assert!(c.get("docker.io/library/redis:7", &p, true).is_some());
        // corrupt entry: a miss, not a failure
        let f = std::fs::read_dir(dir.path().join("images"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        std::fs::write(f.path(), b"{not json").unwrap();
        assert!(c.get("docker.io/library/redis:7", &p, true).is_none());
    }
}
