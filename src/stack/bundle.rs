//! Bundles: a stack, its lock and every chart archive the lock names, in one
//! gzip'd tar, to carry to a machine without a network
//! (`chartfix bundle STACK -o FILE`; `chartfix render FILE`).
//!
//! ```text
//! chartfix-bundle.yaml   what this is: format, stack name, where it came from
//! stack.yaml             the stack file's text
//! stack.lock             the lock the bundle was made with
//! files/REL              every file the stack reads, by its path beside the stack
//! charts/HEX.tgz         every locked chart archive, named by its sha256
//! ```
//!
//! A bundle is rendered as its stack would be, offline: its charts are
//! filed in a temporary cache through [`super::offline::import`], which takes
//! an archive only under the lock entry recording its digest, and the
//! render's resolution must equal the bundled lock. The archive is written
//! deterministically (sorted entries, no times, no owners), so the same stack
//! and charts give the same bundle bytes.

use super::file::{OverlayRef, StackFile};
use super::locate::{Files, Located};
use super::lock::LockFile;
use super::offline::LockSource;
use crate::source::cache::{sha256, Cache};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// The first entry of every bundle.
pub const MANIFEST: &str = "chartfix-bundle.yaml";
const STACK: &str = "stack.yaml";
const LOCK: &str = "stack.lock";
const FORMAT: u32 = 1;

/// Most bytes one bundled stack file may hold: the YAML reader's cap.
const MAX_FILE_BYTES: u64 = 128 << 20;
/// Most bytes one bundled chart archive may hold: a download's cap.
const MAX_CHART_BYTES: u64 = crate::source::http::MAX_DOWNLOAD_BYTES;
/// Most bytes a whole bundle may unpack to.
const MAX_TOTAL_BYTES: u64 = 2 << 30;
/// Most entries a bundle may hold.
const MAX_ENTRIES: usize = 100_000;

/// `chartfix-bundle.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: u32,
    /// The stack's name.
    stack: String,
    /// The stack as it was named when bundled (`stacks/beta9.yaml`, `builtin:beta9`).
    origin: String,
    /// `sha256:…` of every chart archive held, in lock order.
    charts: Vec<String>,
}

/// What [`write`] put in a bundle.
#[derive(Debug, Clone)]
pub struct Written {
    pub stack: String,
    pub charts: usize,
    pub files: usize,
    pub bytes: u64,
}

/// Whether `path` is a bundle: a gzip'd tar whose first entry is
/// [`MANIFEST`]. Anything unreadable is not one (the caller then reads it
/// as a stack file and reports what is wrong with that).
pub fn is_bundle(path: &Path) -> bool {
    let Ok(file) = open_file(path) else {
        return false;
    };
    let mut archive = tar::Archive::new(flate2::read::MultiGzDecoder::new(file));
    let Ok(mut entries) = archive.entries() else {
        return false;
    };
    match entries.next() {
        Some(Ok(e)) => e.path().is_ok_and(|p| p == Path::new(MANIFEST)),
        _ => false,
    }
}

/// Writes the bundle of a rendered stack to `out`: the stack as `located`
/// found it, `lock` (what the render resolved) and each locked archive, read
/// from `cache` and checked against its digest. The file appears whole or
/// not at all.
pub fn write(
    located: &Located,
    lock: &LockFile,
    cache: &Cache,
    out: &Path,
) -> Result<Written, String> {
    let stack = super::file::parse(&located.origin, &located.text).map_err(|e| e.to_string())?;
    let files = stack_files(&stack, &located.files)?;
    let mut charts: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in &lock.charts {
        let Some(digest) = &entry.digest else {
            continue;
        };
        if charts.iter().any(|(d, _)| d == digest) {
            continue;
        }
        let bytes = cached_archive(cache, digest, &entry.release)?;
        vendored_dependencies(&bytes, &entry.release, &entry.chart)?;
        charts.push((digest.clone(), bytes));
    }
    let manifest = Manifest {
        format: FORMAT,
        stack: stack.name.clone(),
        origin: located.origin.clone(),
        charts: charts.iter().map(|(d, _)| d.clone()).collect(),
    };
    let manifest_text = format!(
        "# A chartfix bundle: `chartfix render THIS_FILE` renders it offline.\n{}",
        yaml_serde::to_string(&manifest).map_err(|e| format!("cannot encode {MANIFEST}: {e}"))?
    );
    let mut entries: Vec<(String, &[u8])> = vec![
        (MANIFEST.to_string(), manifest_text.as_bytes()),
        (STACK.to_string(), located.text.as_bytes()),
    ];
    let lock_text = lock.to_yaml();
    entries.push((LOCK.to_string(), lock_text.as_bytes()));
    for (rel, bytes) in &files {
        entries.push((format!("files/{rel}"), bytes));
    }
    for (digest, bytes) in &charts {
        entries.push((chart_entry(digest), bytes));
    }
    let bytes = write_archive(out, &entries)?;
    Ok(Written {
        stack: stack.name,
        charts: charts.len(),
        files: files.len(),
        bytes,
    })
}

/// `charts/HEX.tgz` for `sha256:HEX`.
fn chart_entry(digest: &str) -> String {
    format!(
        "charts/{}.tgz",
        digest.strip_prefix("sha256:").unwrap_or(digest)
    )
}

/// The archive with `digest` from the cache, its bytes checked.
fn cached_archive(cache: &Cache, digest: &str, release: &str) -> Result<Vec<u8>, String> {
    let missing = || {
        format!(
            "release {release}: its chart {digest} is not in the cache {}; render the stack once with the same --cache-dir, then bundle",
            cache.root().display()
        )
    };
    let path = cache.blob_path(digest).ok_or_else(missing)?;
    let bytes = match crate::input::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if sha256(&bytes) != digest {
        return Err(format!(
            "{}: the cached archive is not {digest} (corrupt); remove it and render the stack again",
            path.display()
        ));
    }
    Ok(bytes)
}

/// Refuses a chart whose dependencies are not inside its archive: a render
/// fetches those at render time, which a bundle on a machine without a
/// network cannot.
fn vendored_dependencies(bytes: &[u8], release: &str, chart: &str) -> Result<(), String> {
    let loaded = crate::chart::load_archive(bytes, chart)
        .map_err(|e| format!("release {release}: {chart}: {e}"))?;
    let missing: Vec<&str> = loaded
        .metadata
        .dependencies
        .iter()
        .filter(|d| !loaded.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "release {release}: {chart} does not carry its dependencies {} in charts/, and a bundle holds only the locked archives; use a chart archive built with `helm dependency build`",
        missing.join(", ")
    ))
}

/// Every file the stack reads, by its path beside the stack, with its bytes:
/// values files, overlay files, manifests, local charts. A `registries.yaml`
/// named by `mirrors:` is left out: it may hold credentials, and a bundle is
/// rendered offline, where mirrors have no part.
fn stack_files(stack: &StackFile, files: &Files) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let base = match files {
        Files::Embedded(table) => {
            for (rel, text) in table.iter() {
                out.push((rel.to_string(), text.as_bytes().to_vec()));
            }
            return Ok(out);
        }
        Files::Disk(base) => base,
    };
    let mut out_files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add = |what: &str, rel: &str| -> Result<(), String> {
        let clean = inside(what, rel, base)?;
        let path = base.join(&clean);
        if path.is_dir() {
            for (sub, bytes) in folder_files(&path)? {
                push_unique(&mut out_files, format!("{clean}/{sub}"), bytes);
            }
        } else {
            let bytes =
                crate::input::read(&path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
            push_unique(&mut out_files, clean, bytes);
        }
        Ok(())
    };
    let overlay_files = |refs: &[OverlayRef]| -> Vec<String> {
        refs.iter()
            .map(OverlayRef::name)
            .filter(|n| crate::overlay::load::builtin(n).is_none() || n.contains('/'))
            .map(str::to_string)
            .collect()
    };
    for o in overlay_files(&stack.overlays) {
        add("overlay", &o)?;
    }
    for r in &stack.releases {
        for v in &r.values_files {
            add("values file", v)?;
        }
        for o in overlay_files(&r.overlays) {
            add("overlay", &o)?;
        }
        for m in &r.manifests {
            // Exactly the files a render reads for the entry (a folder's
            // `*.yaml`, not everything in it).
            for f in files.manifests(m)? {
                let rel = inside("manifests", &f.rel, base)?;
                push_unique(&mut out, rel, f.text.into_bytes());
            }
        }
        if let Some(chart) = &r.chart {
            let local = r.repo.is_none() && (chart.starts_with("./") || chart.starts_with("../"));
            if local {
                add("chart", chart)?;
            }
        }
    }
    for (rel, bytes) in out_files {
        push_unique(&mut out, rel, bytes);
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Opens a file to read, refusing what is not a regular file (a device, a
/// pipe) before reading a byte of it.
fn open_file(path: &Path) -> std::io::Result<std::fs::File> {
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(file)
}

fn push_unique(out: &mut Vec<(String, Vec<u8>)>, rel: String, bytes: Vec<u8>) {
    if !out.iter().any(|(r, _)| *r == rel) {
        out.push((rel, bytes));
    }
}

/// `rel` without `./` parts, refused when it leaves the stack's folder: a
/// bundle holds the files beside the stack, by the paths the stack names.
fn inside(what: &str, rel: &str, base: &Path) -> Result<String, String> {
    let mut parts = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => parts.push(
                p.to_str()
                    .ok_or_else(|| format!("{what} {rel}: the path is not UTF-8"))?,
            ),
            Component::CurDir => {}
            _ => {
                return Err(format!(
                    "{what} {rel} is outside the stack's folder {}; a bundle carries the files beside the stack: move it there",
                    base.display()
                ))
            }
        }
    }
    if parts.is_empty() {
        // `.`: the stack's own folder (a folder of manifests).
        return Ok(".".into());
    }
    Ok(parts.join("/"))
}

/// Regular files under `dir`, recursively, by path relative to it, sorted.
fn folder_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        let listing =
            std::fs::read_dir(&path).map_err(|e| format!("cannot list {}: {e}", path.display()))?;
        for entry in listing {
            let entry = entry.map_err(|e| format!("cannot list {}: {e}", path.display()))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(format!(
                    "{}: a file name that is not UTF-8",
                    entry.path().display()
                ));
            };
            let rel = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry
                .file_type()
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            if kind.is_dir() {
                pending.push((entry.path(), rel));
            } else {
                let bytes = crate::input::read(entry.path())
                    .map_err(|e| format!("{}: {e}", entry.path().display()))?;
                out.push((rel, bytes));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Writes `entries` as a gzip'd tar through a temporary file beside `out`,
/// renamed into place; returns its size.
fn write_archive(out: &Path, entries: &[(String, &[u8])]) -> Result<u64, String> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    {
        let gz = flate2::GzBuilder::new().write(tmp.as_file_mut(), flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        for (name, bytes) in entries {
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_uid(0);
            header.set_gid(0);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, name, *bytes)
                .map_err(|e| format!("cannot write {}: {name}: {e}", out.display()))?;
        }
        let gz = tar
            .into_inner()
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        gz.finish()
            .and_then(|f| f.flush())
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    }
    let size = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    tmp.persist(out)
        .map_err(|e| format!("cannot write {}: {}", out.display(), e.error))?;
    Ok(size)
}

/// A bundle unpacked into a temporary folder, ready to render offline.
pub struct Opened {
    /// The stack, its files under the temporary folder.
    pub located: Located,
    /// The lock it was bundled with.
    pub lock: LockFile,
    /// A cache holding exactly the bundled charts, filed as the lock names them.
    pub cache_dir: PathBuf,
    // Removed when the bundle is dropped.
    _dir: tempfile::TempDir,
}

/// Unpacks the bundle at `path`: its stack files into a temporary folder, its
/// charts into a temporary cache under the names its lock gives their
/// digests (an archive no locked digest names is refused).
pub fn open(path: &Path) -> Result<Opened, String> {
    let shown = path.display().to_string();
    let bad = |what: String| {
        format!("{shown}: {what}; it is not a bundle chartfix wrote, or it was damaged on the way: make it again with `chartfix bundle`")
    };
    let dir = tempfile::Builder::new()
        .prefix("chartfix-bundle-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let files_dir = dir.path().join("files");
    let charts_dir = dir.path().join("charts");
    std::fs::create_dir_all(&files_dir)
        .and_then(|_| std::fs::create_dir_all(&charts_dir))
        .map_err(|e| format!("cannot make a temporary folder: {e}"))?;

    let file = open_file(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut archive = tar::Archive::new(flate2::read::MultiGzDecoder::new(file));
    let entries = archive
        .entries()
        .map_err(|e| bad(format!("cannot read it ({e})")))?;
    let mut manifest: Option<Manifest> = None;
    let mut stack_text = None;
    let mut lock_text = None;
    let mut charts = Vec::new();
    let mut total = 0u64;
    for (n, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| bad(format!("cannot read it ({e})")))?;
        if n >= MAX_ENTRIES {
            return Err(bad(format!("more than {MAX_ENTRIES} entries")));
        }
        let name = entry
            .path()
            .ok()
            .and_then(|p| p.to_str().map(str::to_string))
            .ok_or_else(|| bad(format!("entry {n} has a name that is not UTF-8")))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(bad(format!("{name} is not a regular file")));
        }
        if n == 0 && name != MANIFEST {
            return Err(bad(format!("its first entry is {name}, not {MANIFEST}")));
        }
        let limit = if name.starts_with("charts/") {
            MAX_CHART_BYTES
        } else {
            MAX_FILE_BYTES
        };
        let bytes = read_entry(&mut entry, limit).map_err(|e| bad(format!("{name}: {e}")))?;
        total += bytes.len() as u64;
        if total > MAX_TOTAL_BYTES {
            return Err(bad(format!(
                "it unpacks to more than {} MiB",
                MAX_TOTAL_BYTES >> 20
            )));
        }
        let text = |bytes: Vec<u8>| {
            String::from_utf8(bytes).map_err(|_| bad(format!("{name} is not UTF-8 text")))
        };
        match name.as_str() {
            MANIFEST => {
                let t = text(bytes)?;
                crate::yaml::check_limits(&t, crate::yaml::SERDE_MAX_DEPTH)
                    .map_err(|e| bad(format!("{MANIFEST}: {e}")))?;
                let m: Manifest = yaml_serde::from_str(&t)
                    .map_err(|e| bad(crate::yaml::LocatedError::serde(MANIFEST, &e).to_string()))?;
                if m.format != FORMAT {
                    return Err(format!(
                        "{shown}: bundle format {} is not one this chartfix reads ({FORMAT}); render it with the chartfix that made it, or bundle the stack again",
                        m.format
                    ));
                }
                manifest = Some(m);
            }
            STACK => stack_text = Some(text(bytes)?),
            LOCK => lock_text = Some(text(bytes)?),
            _ => {
                if let Some(rel) = name.strip_prefix("files/") {
                    let clean = inside("file", rel, Path::new("files/"))
                        .map_err(|_| bad(format!("{name} leaves the bundle's folder")))?;
                    let target = files_dir.join(&clean);
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent)
                            .map_err(|e| format!("cannot unpack {name}: {e}"))?;
                    }
                    std::fs::write(&target, &bytes)
                        .map_err(|e| format!("cannot unpack {name}: {e}"))?;
                } else if let Some(hex) = name
                    .strip_prefix("charts/")
                    .and_then(|n| n.strip_suffix(".tgz"))
                    .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                {
                    let digest = format!("sha256:{hex}");
                    if sha256(&bytes) != digest {
                        return Err(bad(format!("{name} is not the archive its name says")));
                    }
                    let target = charts_dir.join(format!("{hex}.tgz"));
                    std::fs::write(&target, &bytes)
                        .map_err(|e| format!("cannot unpack {name}: {e}"))?;
                    charts.push(digest);
                } else {
                    return Err(bad(format!("an unexpected entry {name}")));
                }
            }
        }
    }
    let manifest = manifest.ok_or_else(|| bad(format!("no {MANIFEST}")))?;
    let stack_text = stack_text.ok_or_else(|| bad(format!("no {STACK}")))?;
    let lock_text = lock_text.ok_or_else(|| bad(format!("no {LOCK}")))?;
    let lock_origin = format!("{shown} ({LOCK})");
    let lock = LockFile::parse(&lock_origin, &lock_text)?;
    for d in &manifest.charts {
        if !charts.contains(d) {
            return Err(bad(format!("{MANIFEST} lists {d}, which it does not hold")));
        }
    }
    let cache_dir = dir.path().join("cache");
    if !charts.is_empty() {
        let locks = [LockSource {
            path: PathBuf::from(&lock_origin),
            lock: lock.clone(),
        }];
        super::offline::import(&[charts_dir], &locks, None, &Cache::new(&cache_dir))
            .map_err(|e| format!("{shown}: {e}"))?;
    }
    Ok(Opened {
        located: Located {
            origin: format!("{shown} ({} from {})", manifest.stack, manifest.origin),
            text: stack_text,
            files: Files::Disk(files_dir),
            lock: super::lock::LockTarget::Checked {
                why: format!("{shown} carries its own lock, checked on every render"),
            },
        },
        lock,
        cache_dir,
        _dir: dir,
    })
}

/// Reads an entry of at most `limit` bytes, refusing a bigger one before
/// reading past it.
fn read_entry(entry: &mut impl Read, limit: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    entry
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it ({e})"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than {} MiB", limit >> 20));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_beside_the_stack() {
        let base = Path::new("/s");
        assert_eq!(inside("x", "./a/b.yaml", base).unwrap(), "a/b.yaml");
        assert_eq!(inside("x", ".", base).unwrap(), ".");
        assert_eq!(inside("x", "beta9/", base).unwrap(), "beta9");
        for bad in ["../a.yaml", "/etc/passwd", "a/../../b"] {
            let e = inside("values file", bad, base).unwrap_err();
            assert!(e.contains("outside the stack's folder"), "{e}");
        }
    }

    #[test]
    fn a_damaged_bundle_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.bundle");
        let entries: Vec<(String, &[u8])> = vec![("stack.yaml".into(), b"name: x\n")];
        write_archive(&p, &entries).unwrap();
        assert!(!is_bundle(&p));
        let e = open(&p).err().unwrap();
        assert!(e.contains("first entry is stack.yaml"), "{e}");
        let entries: Vec<(String, &[u8])> = vec![(
            MANIFEST.into(),
            b"format: 2\nstack: x\norigin: x\ncharts: []\n",
        )];
        write_archive(&p, &entries).unwrap();
        assert!(is_bundle(&p));
        let e = open(&p).err().unwrap();
        assert!(
            e.contains("bundle format 2 is not one this chartfix reads"),
            "{e}"
        );
    }
}
