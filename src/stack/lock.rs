//! `STACK.lock`: the chart each release resolved to (reference, version,
//! digest), written beside the stack so a later render can insist on the same.

use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEntry {
    /// The release (a HelmChart's `metadata.name` for expanded ones).
    pub release: String,
    pub chart: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
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
        yaml_serde::from_str(text).map_err(|e| {
            format!("{origin}: not a chartfix lock file ({e}); delete it to write a new one")
        })
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
        match std::fs::read_to_string(path) {
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
                    "{}: locked {} {} ({}), now {} {} ({})",
                    new.release,
                    o.chart,
                    o.version,
                    o.digest.as_deref().unwrap_or("no digest"),
                    new.chart,
                    new.version,
                    new.digest.as_deref().unwrap_or("no digest")
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

/// The lock policy after a render: writes the lock on the first render,
/// rewrites it when resolution moved, and refuses either when `locked`
/// (`--locked`) asks that resolution match an existing lock. `lock` is what
/// this render resolved, `path` where the stack keeps its lock. Returns a
/// note for stderr, if there is anything to say.
pub fn settle(lock: &LockFile, path: &Path, locked: bool) -> Result<Option<String>, String> {
    let old = LockFile::read(path)?;
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
    if old.is_some() && differences.is_empty() {
        return Ok(None);
    }
    if locked {
        return Err(format!(
            "--locked: resolution differs from {}:\n  {}\nrender without --locked to update it",
            path.display(),
            differences.join("\n  ")
        ));
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

    #[test]
    fn settle_writes_then_keeps_then_refuses_a_move_when_locked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.lock");
        let a = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.0")],
        };
        let err = settle(&a, &path, true).unwrap_err();
        assert!(err.starts_with("--locked: there is no lock file"), "{err}");
        assert!(!path.exists());
        assert_eq!(
            settle(&a, &path, false).unwrap(),
            Some(format!("wrote {}", path.display()))
        );
        assert_eq!(settle(&a, &path, true).unwrap(), None);
        let b = LockFile {
            stack: "s".into(),
            charts: vec![entry("1.0.1")],
        };
        let err = settle(&b, &path, true).unwrap_err();
        assert!(err.contains("resolution differs"), "{err}");
        assert_eq!(LockFile::read(&path).unwrap(), Some(a));
        let note = settle(&b, &path, false).unwrap().unwrap();
        assert!(note.starts_with("updated "), "{note}");
        assert_eq!(LockFile::read(&path).unwrap(), Some(b));
    }
}
