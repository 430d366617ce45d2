//! The offline path: chart archives filed into the cache under the names a
//! stack's lock gives them (`chartfix cache import`), and the cache pruned of
//! what no lock names (`chartfix cache prune`).
//!
//! An archive is filed only when its sha256 is a digest some lock records
//! (under that entry's `chart:` and, for a fallback, its `from:` too), or
//! under the reference `--as` gives; anything else is refused with what the
//! locks expected. A stack rendered `--offline` then finds every chart as an
//! online render would have left it.

use super::lock::{LockFile, LockTarget};
use crate::source::cache::{sha256, Cache, Pruned, URL_SLOT};
use crate::source::chart_meta;
use std::path::{Path, PathBuf};

/// Largest archive read: Helm refuses charts over 100 MiB decompressed.
const MAX_ARCHIVE_BYTES: u64 = crate::source::http::MAX_DOWNLOAD_BYTES;

/// A lock and where it was read.
#[derive(Debug, Clone)]
pub struct LockSource {
    pub path: PathBuf,
    pub lock: LockFile,
}

/// The locks of `stacks` (as the command line names stacks; each must have
/// a lock file) and the lock files `files`.
pub fn read_locks(stacks: &[String], files: &[PathBuf]) -> Result<Vec<LockSource>, String> {
    let mut paths: Vec<(String, PathBuf)> = Vec::new();
    for spec in stacks {
        match super::locate::locate(spec)?.lock {
            LockTarget::File(p) => paths.push((format!("stack {spec}"), p)),
            LockTarget::None { why } | LockTarget::Checked { why } => {
                return Err(format!(
                    "stack {spec}: {why}; give the lock it was rendered with as --lock FILE"
                ))
            }
        }
    }
    paths.extend(files.iter().map(|f| ("--lock".to_string(), f.clone())));
    let mut out = Vec::new();
    for (what, path) in paths {
        match LockFile::read(&path)? {
            Some(lock) => out.push(LockSource { path, lock }),
            None => {
                return Err(format!(
                    "{what}: there is no lock file {}; render the stack once online to write it",
                    path.display()
                ))
            }
        }
    }
    Ok(out)
}

/// One archive filed in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub file: PathBuf,
    pub reference: String,
    pub version: String,
    pub digest: String,
}

/// The archives `paths` name: files as given, folders' `*.tgz` in name order.
fn archives(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("cannot list {}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "tgz"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("{} holds no .tgz chart archives", p.display()));
            }
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    Ok(out)
}

/// The cache's version slot for a lock entry's chart at `version`.
fn slot<'a>(chart: &str, version: &'a str) -> &'a str {
    let url =
        (chart.starts_with("https://") || chart.starts_with("http://")) && chart.ends_with(".tgz");
    if url {
        URL_SLOT
    } else {
        version
    }
}

/// A reference as a lock writes it: `oci://` names canonical (Docker Hub's
/// two names are one), URLs without a trailing `/`.
fn lock_reference(reference: &str) -> Result<String, String> {
    let r = reference.trim();
    if let Some(rest) = r.strip_prefix("oci://") {
        let o = crate::source::reference::parse_oci(rest).map_err(|e| e.to_string())?;
        if o.tag.is_some() || o.digest.is_some() {
            return Err(format!(
                "--as {r}: give the chart without a tag or digest (the version comes from the archive)"
            ));
        }
        return Ok(o.canonical_name());
    }
    if r.starts_with("https://") || r.starts_with("http://") {
        crate::source::reference::normalise_repo_url(r).map_err(|e| e.to_string())
    } else {
        Err(format!(
            "--as {r}: give a public reference as a lock names it (oci://HOST/PATH/NAME, or REPO_URL/NAME)"
        ))
    }
}

/// Files each archive of `paths` into `cache`: under `as_ref` when given,
/// else under every lock entry recording its digest. Nothing is filed when
/// any archive is refused; the error names each refusal and what the locks
/// expected.
pub fn import(
    paths: &[PathBuf],
    locks: &[LockSource],
    as_ref: Option<&str>,
    cache: &Cache,
) -> Result<Vec<Imported>, String> {
    let as_ref = as_ref.map(lock_reference).transpose()?;
    if as_ref.is_none() && locks.is_empty() {
        return Err(
            "nothing says what the archives are: name the stacks whose locks list them, give --lock FILE, or --as REF".into(),
        );
    }
    // Every archive is checked before anything is written.
    let mut plan: Vec<(PathBuf, Vec<u8>, Vec<Name>)> = Vec::new();
    let mut refused = Vec::new();
    for file in archives(paths)? {
        let size = std::fs::metadata(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?
            .len();
        if size > MAX_ARCHIVE_BYTES {
            refused.push(format!(
                "{}: larger than {} MiB, not a chart archive",
                file.display(),
                MAX_ARCHIVE_BYTES >> 20
            ));
            continue;
        }
        let bytes = crate::input::read(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let meta = match chart_meta::read_archive(&bytes) {
            Ok(m) => m,
            Err(e) => {
                refused.push(format!("{}: not a chart archive: {e}", file.display()));
                continue;
            }
        };
        let (name, version) = (meta.chart.name.clone(), meta.chart.version.clone());
        let digest = sha256(&bytes);
        let names = match &as_ref {
            Some(r) => {
                let last = r.rsplit('/').next().unwrap_or("");
                if !r.ends_with(".tgz") && last != name {
                    refused.push(format!(
                        "{}: the archive holds chart {name:?}, not {last:?} as --as {r} names",
                        file.display()
                    ));
                    continue;
                }
                vec![Name {
                    reference: r.clone(),
                    version: slot(r, &version).to_string(),
                    origin: None,
                }]
            }
            None => match names_for(&digest, locks) {
                names if !names.is_empty() => names,
                _ => {
                    refused.push(refusal(&file, &name, &version, &digest, locks));
                    continue;
                }
            },
        };
        plan.push((file, bytes, names));
    }
    if !refused.is_empty() {
        return Err(format!("nothing was imported:\n  {}", refused.join("\n  ")));
    }
    let mut out = Vec::new();
    for (file, bytes, names) in plan {
        let from = format!("file://{}", absolute(&file).display());
        let expected = sha256(&bytes);
        for n in names {
            let (digest, _) = cache.import(
                &bytes,
                &n.reference,
                &n.version,
                Some(&expected),
                &from,
                n.origin.as_deref(),
            )?;
            out.push(Imported {
                file: file.clone(),
                reference: n.reference,
                version: n.version,
                digest,
            });
        }
    }
    Ok(out)
}

/// A name an archive is filed under.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Name {
    reference: String,
    /// The cache's version slot.
    version: String,
    /// Where the bytes came from, when not `reference` (the lock's `from:`).
    origin: Option<String>,
}

/// The names of every lock entry whose digest is `digest`, each once:
/// `chart:` (with its `from:`) and, when the bytes came from elsewhere,
/// `from:` itself, as an online render files them.
fn names_for(digest: &str, locks: &[LockSource]) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::new();
    let entries = locks.iter().flat_map(|l| &l.lock.charts);
    for e in entries.filter(|e| {
        e.digest
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case(digest))
    }) {
        // Local charts are used where they are; nothing to file.
        if !e.chart.contains("://") {
            continue;
        }
        let mut names = vec![Name {
            reference: e.chart.clone(),
            version: slot(&e.chart, &e.version).to_string(),
            origin: e.from.clone(),
        }];
        if let Some(from) = &e.from {
            names.push(Name {
                reference: from.clone(),
                version: slot(from, &e.version).to_string(),
                origin: None,
            });
        }
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// Why an archive is refused: what the locks expect of a chart of that
/// name and version, or that none names it.
fn refusal(file: &Path, name: &str, version: &str, digest: &str, locks: &[LockSource]) -> String {
    let mut expected = Vec::new();
    for l in locks {
        for e in &l.lock.charts {
            let same_name = e.chart.trim_end_matches('/').rsplit('/').next() == Some(name);
            if same_name && e.version == version {
                expected.push(format!(
                    "{} (release {}) expects {} {version} as {}",
                    l.path.display(),
                    e.release,
                    e.chart,
                    e.digest.as_deref().unwrap_or("a local chart")
                ));
            }
        }
    }
    let what = format!("{}: {name} {version} is {digest}", file.display());
    if expected.is_empty() {
        let read: Vec<String> = locks.iter().map(|l| l.path.display().to_string()).collect();
        format!(
            "{what}, and no lock names {name} {version} ({}); give --as REF to file it under a name of your choosing",
            read.join(", ")
        )
    } else {
        format!(
            "{what}, which matches no locked digest: {}",
            expected.join("; ")
        )
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Removes from `cache` every chart whose digest no lock of `locks` names.
pub fn prune(cache: &Cache, locks: &[LockSource]) -> Result<Pruned, String> {
    if locks.is_empty() {
        return Err(
            "cache prune keeps what the given stacks' locks name: name at least one stack or --lock FILE".into(),
        );
    }
    let keep: std::collections::HashSet<String> = locks
        .iter()
        .flat_map(|l| &l.lock.charts)
        .filter_map(|e| e.digest.as_deref().map(str::to_ascii_lowercase))
        .collect();
    cache.prune(&|r| keep.contains(&r.digest.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::lock::LockEntry;

    fn tgz(name: &str, version: &str) -> Vec<u8> {
        let text = format!("apiVersion: v2\nname: {name}\nversion: {version}\n");
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("{name}/Chart.yaml"), text.as_bytes())
            .unwrap();
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn files_what_a_lock_names_and_refuses_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(&dir.path().join("cache"));
        let redis = tgz("redis", "18.6.1");
        let other = tgz("redis", "18.6.2");
        let archives = dir.path().join("charts");
        std::fs::create_dir(&archives).unwrap();
        std::fs::write(archives.join("redis.tgz"), &redis).unwrap();
        let lock = LockSource {
            path: dir.path().join("s.lock"),
            lock: LockFile {
                stack: "s".into(),
                charts: vec![LockEntry {
                    release: "cache".into(),
                    chart: "https://charts.bitnami.com/bitnami/redis".into(),
                    from: Some("oci://docker.io/bitnamicharts/redis".into()),
                    version: "18.6.1".into(),
                    digest: Some(sha256(&redis)),
                }],
            },
        };
        let done = import(
            std::slice::from_ref(&archives),
            std::slice::from_ref(&lock),
            None,
            &cache,
        )
        .unwrap();
        let names: Vec<&str> = done.iter().map(|i| i.reference.as_str()).collect();
        assert_eq!(
            names,
            [
                "https://charts.bitnami.com/bitnami/redis",
                "oci://docker.io/bitnamicharts/redis"
            ]
        );
        assert!(matches!(
            cache.lookup("oci://docker.io/bitnamicharts/redis", "18.6.1"),
            crate::source::cache::Lookup::Hit(..)
        ));

        // Same name and version, other bytes: refused, naming the lock's digest.
        let bad = dir.path().join("bad.tgz");
        std::fs::write(&bad, &other).unwrap();
        let e = import(
            std::slice::from_ref(&bad),
            std::slice::from_ref(&lock),
            None,
            &cache,
        )
        .unwrap_err();
        assert!(e.contains("no lock names redis 18.6.2"), "{e}");
        let mut tampered = redis.clone();
        tampered.extend_from_slice(&[0; 4]);
        let near = dir.path().join("near.tgz");
        std::fs::write(&near, &tampered).unwrap();
        let e = import(
            &[near, bad.clone()],
            std::slice::from_ref(&lock),
            None,
            &cache,
        )
        .unwrap_err();
        assert!(
            e.contains("matches no locked digest") && e.contains(&sha256(&redis)),
            "{e}"
        );
        // --as files it anyway, under the name given, checked against the archive.
        let done = import(
            std::slice::from_ref(&bad),
            &[],
            Some("oci://registry-1.docker.io/bitnamicharts/redis"),
            &cache,
        )
        .unwrap();
        assert_eq!(done[0].reference, "oci://docker.io/bitnamicharts/redis");
        assert_eq!(done[0].version, "18.6.2");
        let e = import(&[bad], &[], Some("oci://docker.io/x/postgresql"), &cache).unwrap_err();
        assert!(e.contains("holds chart \"redis\""), "{e}");

        // Prune keeps what the lock names.
        let pruned = prune(&cache, std::slice::from_ref(&lock)).unwrap();
        assert_eq!(pruned.records.len(), 1);
        assert_eq!(pruned.records[0].version, "18.6.2");
        assert_eq!(cache.entries().len(), 2);
    }
}
