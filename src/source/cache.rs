//! The chart cache: archives stored by their sha256 and verified on every
//! read, plus small records that map a chart's public name and version to an
//! archive digest.
//!
//! ```text
//! CACHE/charts/blobs/sha256/<hex>.tgz      the archive; its name is its digest
//! CACHE/charts/refs/<slug>/<version>.json  {reference, version, digest, …}
//! CACHE/charts/tmp/                        partial writes, same filesystem
//! ```
//!
//! Every write goes to a unique temporary file that is synced and then renamed
//! into place, so a reader sees a whole file or none, and two processes
//! fetching the same chart at once both succeed: each renames identical bytes
//! over the same name. No lock is needed because nothing is ever updated in
//! place. Records are keyed by the reference the user wrote (mirrors are not
//! part of the key), so a chart fetched through a mirror is found again by its
//! public name.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What the cache knows about one version of one chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefRecord {
    /// The public name the chart was asked for: `oci://docker.io/bitnamicharts/redis`,
    /// `https://charts.bitnami.com/bitnami/redis`, or an archive URL.
    pub reference: String,
    pub version: String,
    /// `sha256:…` of the archive.
    pub digest: String,
    /// For OCI charts, the manifest digest (what `@sha256:…` pins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Where the bytes actually came from (a mirror, perhaps).
    #[serde(default)]
    pub fetched_from: String,
    /// The public reference the bytes were published under, when it is not
    /// `reference` itself: Bitnami's OCI fallback files a chart pulled from
    /// `oci://docker.io/bitnamicharts/NAME` under the repository's name too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl RefRecord {
    /// [`RefRecord::origin`], also for records written before it existed:
    /// those of the Bitnami fallback kept the OCI name in `fetched_from`.
    pub fn origin(&self) -> Option<String> {
        if let Some(o) = &self.origin {
            return (o != &self.reference).then(|| o.clone());
        }
        (self.fetched_from.starts_with("oci://")
            && !self.reference.starts_with("oci://")
            && self.fetched_from != self.reference)
            .then(|| self.fetched_from.clone())
    }
}

/// The version slot of a plain archive URL, whose version is known only from
/// the archive itself.
pub const URL_SLOT: &str = "url";

/// One chart the cache records (`chartfix cache list`).
#[derive(Clone, Debug)]
pub struct CacheEntry {
    pub record: RefRecord,
    /// Bytes of the archive; `None` when it is missing.
    pub size: Option<u64>,
    /// When it was last fetched, imported or read.
    pub last_used: Option<std::time::SystemTime>,
    /// The record's file.
    pub path: PathBuf,
}

/// What [`Cache::prune`] removed.
#[derive(Clone, Debug, Default)]
pub struct Pruned {
    pub records: Vec<RefRecord>,
    pub archives: usize,
    pub bytes: u64,
}

/// A cache rooted in one folder.
#[derive(Clone, Debug)]
pub struct Cache {
    root: PathBuf,
}

/// What a read found.
#[derive(Debug)]
pub enum Lookup {
    /// A verified archive.
    Hit(RefRecord, PathBuf),
    /// Nothing recorded.
    Miss,
    /// Recorded, but the archive was missing or did not match its digest;
    /// the bad file has been removed. The text says what was wrong.
    Corrupt(String),
}

impl Cache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: &Path) -> Cache {
        Cache {
            root: dir.join("charts"),
        }
    }

    /// [`Cache::new`], once [`Cache::check`] finds it sound; `setting` names
    /// where `dir` came from (`--cache-dir`, …) for the message.
    pub fn open(dir: &Path, setting: &str) -> Result<Cache, String> {
        let cache = Cache::new(dir);
        cache.check().map_err(|e| {
            format!(
                "{e} (the cache folder is {}, from {setting})",
                dir.display()
            )
        })?;
        Ok(cache)
    }

    /// Refuses a cache that chartfix did not make: a cache folder that is
    /// not a folder, and anything below it that is a link (chartfix makes
    /// none, and following one would write or delete outside the cache) or
    /// neither a file nor a folder. The cache folder itself may be a link:
    /// that is the user's own setting.
    pub fn check(&self) -> Result<(), String> {
        let Some(dir) = self.root.parent() else {
            return Ok(());
        };
        match fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(format!(
                    "the cache folder {} is not a folder; give a folder, or remove it",
                    dir.display()
                ))
            }
            Err(_) => return Ok(()),
            Ok(_) => {}
        }
        // The layout is charts/{blobs/sha256,refs/SLUG,tmp}/FILE: four levels.
        check_tree(&self.root, 4)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the archive with this `sha256:…` digest lives.
    pub fn blob_path(&self, digest: &str) -> Option<PathBuf> {
        let hex = digest.strip_prefix("sha256:")?;
        if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        Some(
            self.root
                .join("blobs/sha256")
                .join(format!("{}.tgz", hex.to_ascii_lowercase())),
        )
    }

    /// Stores an archive and returns its digest and path. When `expected` is
    /// given and the bytes do not match it, nothing is written.
    pub fn put_blob(
        &self,
        bytes: &[u8],
        expected: Option<&str>,
    ) -> Result<(String, PathBuf), String> {
        let digest = sha256(bytes);
        if let Some(want) = expected {
            if !want.eq_ignore_ascii_case(&digest) {
                return Err(format!(
                    "digest mismatch: the download is {digest}, expected {want}; nothing was cached"
                ));
            }
        }
        let path = self
            .blob_path(&digest)
            .ok_or_else(|| format!("internal: bad digest {digest}"))?;
        // Already there and whole: leave it (another process may be reading it).
        if verify_file(&path, &digest).unwrap_or(false) {
            return Ok((digest, path));
        }
        self.write_atomic(&path, bytes)?;
        Ok((digest, path))
    }

    /// Records that `record.reference` at `record.version` is `record.digest`.
    pub fn put_record(&self, record: &RefRecord) -> Result<(), String> {
        let path = self.record_path(&record.reference, &record.version);
        let text = serde_json::to_vec_pretty(record)
            .map_err(|e| format!("cannot encode a cache record: {e}"))?;
        self.write_atomic(&path, &text)
    }

    /// The archive recorded for `reference` at `version`, verified. A hit
    /// marks the record used now (its modification time: `cache list`'s
    /// last use, `cache prune` keeps what locks name whatever its age).
    pub fn lookup(&self, reference: &str, version: &str) -> Lookup {
        let path = self.record_path(reference, version);
        match read_record(&path) {
            Some(r) => {
                let found = self.verify(r);
                if matches!(found, Lookup::Hit(..)) {
                    touch(&path);
                }
                found
            }
            None => Lookup::Miss,
        }
    }

    /// Files `bytes` (a chart archive read from `from`, a file or URL)
    /// under `reference` at `version`, refusing it unless its digest is
    /// `expected` when given; `origin` is [`RefRecord::origin`]. Returns the
    /// archive's digest and path.
    pub fn import(
        &self,
        bytes: &[u8],
        reference: &str,
        version: &str,
        expected: Option<&str>,
        from: &str,
        origin: Option<&str>,
    ) -> Result<(String, PathBuf), String> {
        let (digest, path) = self.put_blob(bytes, expected)?;
        self.put_record(&RefRecord {
            reference: reference.to_string(),
            version: version.to_string(),
            digest: digest.clone(),
            manifest_digest: None,
            fetched_from: from.to_string(),
            origin: origin.map(str::to_string),
        })?;
        Ok((digest, path))
    }

    /// Every chart the cache records, by reference then version, with the
    /// size of its archive (`None` when the archive is gone) and when it was
    /// last used (fetched, imported or read).
    pub fn entries(&self) -> Vec<CacheEntry> {
        let mut out = Vec::new();
        let Ok(dirs) = fs::read_dir(self.root.join("refs")) else {
            return out;
        };
        for dir in dirs.flatten() {
            let Ok(files) = fs::read_dir(dir.path()) else {
                continue;
            };
            for f in files.flatten() {
                let path = f.path();
                if path.extension().is_none_or(|x| x != "json") {
                    continue;
                }
                let Some(record) = read_record(&path) else {
                    continue;
                };
                let size = self
                    .blob_path(&record.digest)
                    .and_then(|b| fs::metadata(b).ok())
                    .map(|m| m.len());
                let last_used = fs::metadata(&path).and_then(|m| m.modified()).ok();
                out.push(CacheEntry {
                    record,
                    size,
                    last_used,
                    path,
                });
            }
        }
        out.sort_by(|a, b| {
            (&a.record.reference, &a.record.version).cmp(&(&b.record.reference, &b.record.version))
        });
        out
    }

    /// Removes every record whose archive digest `keep` refuses, then every
    /// archive no remaining record names. What was removed is returned.
    pub fn prune(&self, keep: &dyn Fn(&RefRecord) -> bool) -> Result<Pruned, String> {
        let mut pruned = Pruned::default();
        let mut kept = std::collections::HashSet::new();
        for e in self.entries() {
            if keep(&e.record) {
                kept.insert(e.record.digest.to_ascii_lowercase());
                continue;
            }
            fs::remove_file(&e.path)
                .map_err(|err| format!("cannot remove {}: {err}", e.path.display()))?;
            pruned.records.push(e.record);
        }
        let blobs = self.root.join("blobs/sha256");
        if let Ok(files) = fs::read_dir(&blobs) {
            for f in files.flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                let Some(hex) = name.strip_suffix(".tgz") else {
                    continue;
                };
                if kept.contains(&format!("sha256:{}", hex.to_ascii_lowercase())) {
                    continue;
                }
                let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                fs::remove_file(f.path())
                    .map_err(|err| format!("cannot remove {}: {err}", f.path().display()))?;
                pruned.archives += 1;
                pruned.bytes += size;
            }
        }
        Ok(pruned)
    }

    /// Every version recorded for `reference` (unverified; see [`Cache::verify`]).
    pub fn records(&self, reference: &str) -> Vec<RefRecord> {
        let dir = self.root.join("refs").join(slug(reference));
        let Ok(entries) = fs::read_dir(&dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| read_record(&e.path()))
            .filter(|r| r.reference == reference)
            .collect()
    }

    /// Checks that a record's archive is present and matches its digest; a
    /// damaged archive is removed so the next fetch replaces it.
    pub fn verify(&self, record: RefRecord) -> Lookup {
        let Some(path) = self.blob_path(&record.digest) else {
            return Lookup::Corrupt(format!(
                "the cache record for {} {} has an invalid digest {:?}",
                record.reference, record.version, record.digest
            ));
        };
        match verify_file(&path, &record.digest) {
            Ok(true) => Lookup::Hit(record, path),
            Ok(false) => {
                let _ = fs::remove_file(&path);
                Lookup::Corrupt(format!(
                    "cached archive {} of {} {} does not match its digest {} and was removed",
                    path.display(),
                    record.reference,
                    record.version,
                    record.digest
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Lookup::Corrupt(format!(
                "the cached archive of {} {} ({}) is missing",
                record.reference,
                record.version,
                path.display()
            )),
            Err(e) => Lookup::Corrupt(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Removes partial writes older than `age`, left by runs that were
    /// killed mid-download (a live run's files are younger). Best effort.
    pub fn sweep_partial(&self, age: std::time::Duration) -> usize {
        let Ok(entries) = fs::read_dir(self.root.join("tmp")) else {
            return 0;
        };
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|d| d > age);
            let partial = e.path().extension().is_some_and(|x| x == "part");
            if old && partial && fs::remove_file(e.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    fn record_path(&self, reference: &str, version: &str) -> PathBuf {
        self.root
            .join("refs")
            .join(slug(reference))
            .join(format!("{}.json", file_safe(version)))
    }

    /// Writes a unique temporary file, syncs it, and renames it into place.
    fn write_atomic(&self, dest: &Path, bytes: &[u8]) -> Result<(), String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp_dir = self.root.join("tmp");
        let parent = dest
            .parent()
            .ok_or_else(|| format!("internal: {} has no folder", dest.display()))?;
        for d in [&tmp_dir, &parent.to_path_buf()] {
            fs::create_dir_all(d).map_err(|e| {
                format!(
                    "cannot create the cache folder {}: {e}; see that the cache is a folder you can write, or give another with --cache-dir",
                    d.display()
                )
            })?;
        }
        // Made now, or found: never through a link (checked at the start too;
        // this guards what changed since).
        check_tree(&tmp_dir, 0)?;
        check_tree(parent, 0)?;
        check_tree(dest, 0)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let tmp = tmp_dir.join(format!(
            "{}-{nanos}-{}.part",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, dest)
        })();
        result.map_err(|e| {
            let _ = fs::remove_file(&tmp);
            format!("cannot write {} into the cache: {e}", dest.display())
        })
    }
}

/// Refuses a link, or what is neither file nor folder, at `path` and below
/// it (`levels` deep), naming it and saying to remove it.
fn check_tree(path: &Path, levels: usize) -> Result<(), String> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(format!(
                "cannot read the cache entry {}: {e}",
                path.display()
            ))
        }
    };
    let t = meta.file_type();
    if t.is_symlink() {
        return Err(format!(
            "{} in the cache is a symbolic link; chartfix makes none and follows none out of its cache: remove it",
            path.display()
        ));
    }
    if t.is_file() {
        return Ok(());
    }
    if !t.is_dir() {
        return Err(format!(
            "{} in the cache is neither a file nor a folder: remove it",
            path.display()
        ));
    }
    if levels == 0 {
        return Ok(());
    }
    let entries = fs::read_dir(path)
        .map_err(|e| format!("cannot read the cache folder {}: {e}", path.display()))?;
    for e in entries.flatten() {
        check_tree(&e.path(), levels - 1)?;
    }
    Ok(())
}

/// `sha256:<hex>` of some bytes.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn verify_file(path: &Path, digest: &str) -> std::io::Result<bool> {
    let bytes = crate::input::read(path)?;
    Ok(sha256(&bytes).eq_ignore_ascii_case(digest))
}

/// Marks a record used now; best effort (a read-only cache still answers).
fn touch(path: &Path) {
    if let Ok(f) = fs::File::options().write(true).open(path) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

fn read_record(path: &Path) -> Option<RefRecord> {
    let bytes = crate::input::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A readable folder name for a reference that cannot collide: its safe
/// characters, then a short hash of the whole.
fn slug(reference: &str) -> String {
    let readable: String = reference
        .trim_start_matches("oci://")
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let hash = hex::encode(Sha256::digest(reference.as_bytes()));
    format!("{readable}-{}", &hash[..12])
}

/// Versions are mostly safe file names; anything else is hex-encoded.
fn file_safe(version: &str) -> String {
    let ok = !version.is_empty()
        && !version.starts_with('.')
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c));
    if ok {
        version.to_string()
    } else {
        format!("x-{}", hex::encode(version.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cache_digest: &str) -> RefRecord {
        RefRecord {
            reference: "oci://docker.io/bitnamicharts/redis".into(),
            version: "18.6.1".into(),
            digest: cache_digest.into(),
            manifest_digest: None,
            fetched_from: "http://127.0.0.1:1/v2/…".into(),
            origin: None,
        }
    }

    #[test]
    fn store_lookup_verify() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path());
        let (d, p) = c.put_blob(b"chart bytes", None).unwrap();
        assert_eq!(d, sha256(b"chart bytes"));
        assert_eq!(fs::read(&p).unwrap(), b"chart bytes");
        c.put_record(&record(&d)).unwrap();
        match c.lookup("oci://docker.io/bitnamicharts/redis", "18.6.1") {
            Lookup::Hit(r, path) => {
                assert_eq!(r.digest, d);
                assert_eq!(path, p);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            c.lookup("oci://docker.io/bitnamicharts/redis", "1.0.0"),
            Lookup::Miss
        ));
        assert_eq!(c.records("oci://docker.io/bitnamicharts/redis").len(), 1);
        // Corrupt the archive: detected, removed, reported.
        fs::write(&p, b"chart byteZ").unwrap();
        match c.lookup("oci://docker.io/bitnamicharts/redis", "18.6.1") {
            Lookup::Corrupt(why) => assert!(why.contains("does not match"), "{why}"),
            other => panic!("{other:?}"),
        }
        assert!(!p.exists());
        // Nothing left behind in tmp.
        assert_eq!(fs::read_dir(c.root().join("tmp")).unwrap().count(), 0);
    }

    #[test]
    fn stale_partial_writes_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path());
        let tmp = c.root().join("tmp");
        fs::create_dir_all(&tmp).unwrap();
        let stale = tmp.join("1-2-3.part");
        let fresh = tmp.join("4-5-6.part");
        fs::write(&stale, b"x").unwrap();
        fs::write(&fresh, b"y").unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
        assert_eq!(c.sweep_partial(std::time::Duration::from_secs(3600)), 1);
        assert!(!stale.exists() && fresh.exists());
    }

    #[test]
    fn mismatch_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path());
        let e = c.put_blob(b"x", Some(&sha256(b"y"))).unwrap_err();
        assert!(e.contains("digest mismatch"), "{e}");
        assert!(!c.root().join("blobs").exists());
    }

    #[test]
    fn import_list_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::new(dir.path());
        let want = sha256(b"a");
        let e = c
            .import(
                b"b",
                "oci://docker.io/x/a",
                "1.0.0",
                Some(&want),
                "a.tgz",
                None,
            )
            .unwrap_err();
        assert!(e.contains("digest mismatch"), "{e}");
        c.import(
            b"a",
            "oci://docker.io/x/a",
            "1.0.0",
            Some(&want),
            "a.tgz",
            None,
        )
        .unwrap();
        c.import(
            b"b",
            "https://r/b",
            "2.0.0",
            None,
            "b.tgz",
            Some("oci://x/b"),
        )
        .unwrap();
        let list = c.entries();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].record.reference, "https://r/b");
        assert_eq!(list[0].record.origin(), Some("oci://x/b".to_string()));
        assert_eq!(list[1].size, Some(1));
        assert!(list[1].last_used.is_some());
        assert!(matches!(
            c.lookup("oci://docker.io/x/a", "1.0.0"),
            Lookup::Hit(..)
        ));
        let pruned = c.prune(&|r| r.digest == want).unwrap();
        assert_eq!(pruned.records.len(), 1);
        assert_eq!((pruned.archives, pruned.bytes), (1, 1));
        assert_eq!(c.entries().len(), 1);
        assert!(matches!(c.lookup("https://r/b", "2.0.0"), Lookup::Miss));
        assert!(matches!(
            c.lookup("oci://docker.io/x/a", "1.0.0"),
            Lookup::Hit(..)
        ));
    }

    #[test]
    fn names_are_safe() {
        assert_eq!(file_safe("1.2.3+build_1"), "1.2.3+build_1");
        assert!(file_safe("../x").starts_with("x-"));
        assert_ne!(slug("oci://a/b"), slug("oci://a_b"));
        assert!(!slug("https://h/../../etc").contains('/'));
    }
}
