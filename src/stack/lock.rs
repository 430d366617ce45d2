//! `STACK.lock`: the chart each release resolved to (reference, version,
//! digest), written beside the stack so a later render can insist on the same.
//!
//! An entry names the chart as the stack asked for it (`chart:`) and, in
//! `from:`, the public reference its bytes came from when that is another
//! (Bitnami's OCI fallback). Neither depends on what the cache held nor on
//! mirrors, so the same stack and digests always give the same bytes.
//!
//! Where the lock goes is [`LockTarget`]: beside a stack file by default;
//! a folder of manifests or a built-in stack has no file to sit beside, so
//! its lock is written only where `--lock FILE` says.

use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEntry {
    /// The release (a HelmChart's `metadata.name` for expanded ones).
    pub release: String,
    /// The chart as the stack asked for it: `oci://docker.io/bitnamicharts/redis`,
    /// `https://charts.bitnami.com/bitnami/redis`, or the stack's own path.
    pub chart: String,
    /// The public reference the archive came from, when it is not `chart`
    /// (a version Bitnami's index dropped, pulled from its OCI registry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Where a render keeps its lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockTarget {
    /// Read and written at this path: `STACK.lock` beside a stack file, or
    /// the file `--lock` names.
    File(std::path::PathBuf),
    /// No lock: `--no-lock`, or a stack that has no file of its own (a
    /// folder of manifests, a built-in) and no `--lock`. `why` says which.
    None { why: String },
    /// Checked already, nothing to write: a bundle's own lock, which every
    /// render of the bundle must match.
    Checked { why: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockFile {
    pub stack: String,
    pub charts: Vec<LockEntry>,
}

impl LockFile {
    pub fn to_yaml(&self) -> String {
        let body = yaml_serde::to_string(self).unwrap_or_default();
        format!("# Written by chartfix render; `chartfix render --locked` insists on it.\n{body}")
    }

    pub fn parse(origin: &str, text: &str) -> Result<LockFile, String> {
        crate::yaml::check_limits(text, crate::yaml::SERDE_MAX_DEPTH).map_err(|e| {
            format!("{origin}: not a chartfix lock file ({e}); delete it to write a new one")
        })?;
        let lock: LockFile = yaml_serde::from_str(text).map_err(|e| {
            // The place, and the message without the values it met.
            let e = crate::yaml::LocatedError::serde(origin, &e);
            format!(
                "{}: not a chartfix lock file ({}); delete it to write a new one",
                e.location, e.message
            )
        })?;
        // chartfix writes one entry a release; two would make the lock say
        // two things about one release (and `--locked` compare the first).
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = lock
            .charts
            .iter()
            .find(|c| !seen.insert(c.release.as_str()))
        {
            return Err(format!(
                "{origin}: not a chartfix lock file (release {:?} is locked twice); delete it to write a new one",
                twice.release
            ));
        }
        Ok(lock)
    }

    /// Writes the lock at `path` through a temporary file renamed over it: two
    /// renders of one stack at once each write whole files, and neither reads
    /// the other's half-written one (which `fs::write` allowed: truncate, then
    /// write).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("stack.lock");
        let tmp = path.with_file_name(format!(
            ".{name}.{}-{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let result = std::fs::write(&tmp, self.to_yaml()).and_then(|_| std::fs::rename(&tmp, path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Reads the lock at `path`; `None` when there is none.
    pub fn read(path: &Path) -> Result<Option<LockFile>, String> {
        match crate::input::read_to_string(path) {
            Ok(t) => LockFile::parse(&path.display().to_string(), &t).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// How `self` (the run's resolution) differs from `old`, one line each;
    /// empty when the same.
    pub fn differences(&self, old: &LockFile) -> Vec<String> {
        let mut out = Vec::new();
        for new in &self.charts {
            match old.charts.iter().find(|o| o.release == new.release) {
                None => out.push(format!("{}: not in the lock", new.release)),
                Some(o) if o != new => out.push(format!(
                    "{}: locked {} {} ({}{}), now {} {} ({}{})",
                    new.release,
                    o.chart,
                    o.version,
                    o.digest.as_deref().unwrap_or("no digest"),
                    from_note(o),
                    new.chart,
                    new.version,
                    new.digest.as_deref().unwrap_or("no digest"),
                    from_note(new)
                )),
                Some(_) => {}
            }
        }
        for o in &old.charts {
            if !self.charts.iter().any(|n| n.release == o.release) {
                out.push(format!("{}: locked but no longer in the stack", o.release));
            }
        }
        out
    }
}

fn from_note(e: &LockEntry) -> String {
    e.from
        .as_deref()
        .map(|f| format!(", from {f}"))
        .unwrap_or_default()
}

impl LockTarget {
    /// The target a render uses: `--no-lock` (none), else `--lock FILE`,
    /// else the stack's own (`stack`).
    pub fn choose(stack: &LockTarget, file: Option<&Path>, no_lock: bool) -> LockTarget {
        match (no_lock, file) {
            (true, _) => LockTarget::None {
                why: "--no-lock".into(),
            },
            (false, Some(f)) => LockTarget::File(f.to_path_buf()),
            (false, None) => stack.clone(),
        }
    }
}

/// The lock policy after a render: writes the lock on the first render,
/// rewrites it when resolution moved, and refuses either when `locked`
/// (`--locked`) asks that resolution match an existing lock. `lock` is what
/// this render resolved, `target` where the stack keeps its lock. Returns a
/// note for stderr, if there is anything to say: every write is named.
pub fn settle(
    lock: &LockFile,
    target: &LockTarget,
    locked: bool,
) -> Result<Option<String>, String> {
    let path = match target {
        LockTarget::File(p) => p,
        LockTarget::None { why } if locked => {
            return Err(format!(
                "--locked: there is no lock to check against ({why}); give --lock FILE"
            ))
        }
        LockTarget::None { .. } | LockTarget::Checked { .. } => return Ok(None),
    };
    let old_text = match crate::input::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let old = match &old_text {
        Some(t) => Some(LockFile::parse(&path.display().to_string(), t)?),
        None => None,
    };
    let differences = match &old {
        Some(old) => lock.differences(old),
        None if locked => {
            return Err(format!(
                "--locked: there is no lock file {}; render once without --locked to write it",
                path.display()
            ))
        }
        None => Vec::new(),
    };
    if locked && !differences.is_empty() {
        return Err(format!(
            "--locked: resolution differs from {}:\n  {}\nrender without --locked to update it",
            path.display(),
            differences.join("\n  ")
        ));
    }
    // Same resolution: the file is left alone when it already reads as this
    // version writes it (under --locked always: it checks, never writes).
    let current = old_text.as_deref() == Some(lock.to_yaml().as_str());
    if old.is_some() && differences.is_empty() && (current || locked) {
        return Ok(None);
    }
    // A stack in a read-only place (a shared corpus) still renders; the lock
    // is a record, not a precondition, unless --locked asked for it.
    if let Err(e) = lock.write(path) {
        return Ok(Some(format!(
            "warning: cannot write the lock file {}: {e}; rendering without it",
            path.display()
        )));
    }
    Ok(Some(if old.is_none() {
        format!("wrote {}", path.display())
    } else if differences.is_empty() {
        format!(
            "rewrote {} (same charts, in this version's lock format)",
            path.display()
        )
    } else {
        format!(
            "updated {}:\n  {}",
            path.display(),
            differences.join("\n  ")
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(v: &str) -> LockEntry {
        LockEntry {
            release: "r".into(),
            chart: "oci://x/r".into(),
            from: None,
            version: v.into(),
            digest: Some("sha256:1".into()),
        }
    }

    #[test]
    fn round_trips_and_compares() {
        let a = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.0")],
        };
        let back = LockFile::parse("l", &a.to_yaml()).unwrap();
        assert_eq!(back, a);
        assert!(a.differences(&back).is_empty());
        let b = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.1")],
        };
        let d = b.differences(&a);
        assert_eq!(d.len(), 1);
        assert!(d[0].contains("locked oci://x/r 1.0.0"), "{}", d[0]);
    }

    /// Found by the `stack_file` fuzz target: a lock naming one release
    /// twice compared unequal to itself.
    #[test]
    fn a_release_locked_twice_is_refused() {
        let a = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.0"), entry("1.0.1")],
        };
        let e = LockFile::parse("stack.lock", &a.to_yaml()).unwrap_err();
        assert!(e.starts_with("stack.lock: "), "{e}");
        assert!(e.contains("release \"r\" is locked twice"), "{e}");
        assert!(e.contains("delete it to write a new one"), "{e}");
    }

    #[test]
    fn settle_writes_then_keeps_then_refuses_a_move_when_locked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.lock");
        let path = LockTarget::File(file.clone());
        let a = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.0")],
        };
        let err = settle(&a, &path, true).unwrap_err();
        assert!(err.starts_with("--locked: there is no lock file"), "{err}");
        assert!(!file.exists());
        assert_eq!(
            settle(&a, &path, false).unwrap(),
            Some(format!("wrote {}", file.display()))
        );
        assert_eq!(settle(&a, &path, true).unwrap(), None);
        let b = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.1")],
        };
        let err = settle(&b, &path, true).unwrap_err();
        assert!(err.contains("resolution differs"), "{err}");
        assert_eq!(LockFile::read(&file).unwrap(), Some(a));
        let note = settle(&b, &path, false).unwrap().unwrap();
        assert!(note.starts_with("updated "), "{note}");
        assert_eq!(LockFile::read(&file).unwrap(), Some(b));
    }

    #[test]
    fn no_target_writes_nothing_and_locked_then_asks_for_one() {
        let a = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.0")],
        };
        let none = LockTarget::None {
            why: "a folder stack".into(),
        };
        assert_eq!(settle(&a, &none, false).unwrap(), None);
        let err = settle(&a, &none, true).unwrap_err();
        assert!(
            err.contains("a folder stack") && err.contains("--lock FILE"),
            "{err}"
        );
    }

    #[test]
    fn an_old_format_lock_is_rewritten_but_not_under_locked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.lock");
        let target = LockTarget::File(file.clone());
        let mut a = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.0")],
        };
        a.charts[0].from = Some("oci://docker.io/x/r".into());
        // The same entry with its fields in another order (an older writer).
        let old = "stack: s\ncharts:\n- release: r\n  version: 1.0.0\n  chart: oci://x/r\n  from: oci://docker.io/x/r\n  digest: sha256:1\n";
        std::fs::write(&file, old).unwrap();
        assert_eq!(settle(&a, &target, true).unwrap(), None);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), old);
        let note = settle(&a, &target, false).unwrap().unwrap();
        assert!(note.starts_with("rewrote "), "{note}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), a.to_yaml());
        // A lock without `from:` where the render has one is a difference.
        let mut b = a.clone();
        b.charts[0].from = None;
        let d = a.differences(&b);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("from oci://docker.io/x/r"), "{}", d[0]);
    }
}
