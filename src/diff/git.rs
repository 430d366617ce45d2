//! The base side of `chartfix diff STACK --base GIT_REF`: the repository's
//! tree as committed at a ref, exported into a temporary folder so the caller
//! can render it exactly as it renders the working tree.
//!
//! `git archive` is used rather than a second worktree: it needs no change to
//! the repository's worktree list, leaves nothing behind if interrupted, and
//! exports only committed files.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why the base tree could not be exported.
#[derive(Debug)]
pub struct GitError(pub String);

impl fmt::Display for GitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GitError {}

/// A repository tree exported at a ref; the folder is removed when dropped.
#[derive(Debug)]
pub struct ExportedTree {
    root: PathBuf,
    /// Where the path asked for lies inside the export.
    target: PathBuf,
}

impl ExportedTree {
    /// The exported copy of the path given to [`export`].
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// The top of the exported repository tree.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for ExportedTree {
    fn drop(&mut self) {
        // Best effort: a leftover temporary folder is not worth a failure.
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Exports the repository holding `path` as committed at `git_ref`, and
/// returns where `path` lies in the export. Fails when `path` is not in a
/// git repository, the ref does not name a commit, or `path` did not exist
/// at that commit.
pub fn export(path: &Path, git_ref: &str) -> Result<ExportedTree, GitError> {
    let abs =
        std::fs::canonicalize(path).map_err(|e| GitError(format!("{}: {e}", path.display())))?;
    let dir = if abs.is_dir() {
        abs.clone()
    } else {
        abs.parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| abs.clone())
    };
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        GitError(format!(
            "{} is not in a git repository: {e}",
            path.display()
        ))
    })?;
    let top = std::fs::canonicalize(String::from_utf8_lossy(&top).trim())
        .map_err(|e| GitError(format!("git repository root: {e}")))?;
    let rel = abs.strip_prefix(&top).map_err(|_| {
        GitError(format!(
            "{} is outside its git repository {}",
            path.display(),
            top.display()
        ))
    })?;
    // `--end-of-options` keeps a ref like `--output=x` from being read as an option.
    let spec = format!("{git_ref}^{{commit}}");
    let commit = git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .map_err(|_| GitError(format!("{git_ref:?} does not name a commit")))?;
    let commit = String::from_utf8_lossy(&commit).trim().to_string();
    let archive = git(&top, &["archive", "--format=tar", &commit])?;

    let root = temp_dir()?;
    // The export goes under the repository's own folder name, so a stack
    // named after its folder (a folder of raw manifests, even the repository
    // root itself) gets the same release name on both sides.
    let top_name = top
        .file_name()
        .map_or_else(|| "repo".into(), |n| n.to_os_string());
    let tree = ExportedTree {
        target: root.join(&top_name).join(rel),
        root,
    };
    tar::Archive::new(archive.as_slice())
        .unpack(tree.root.join(&top_name))
        .map_err(|e| GitError(format!("unpacking {git_ref}: {e}")))?;
    if !tree.target.exists() {
        return Err(GitError(format!(
            "{} did not exist at {git_ref}",
            rel.display()
        )));
    }
    Ok(tree)
}

/// Runs git in `dir` and returns its stdout, or its stderr as the error.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| GitError(format!("running git: {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(GitError(format!("git {}: {msg}", args.join(" "))));
    }
    Ok(out.stdout)
}

/// A fresh private folder under the system temporary directory.
fn temp_dir() -> Result<PathBuf, GitError> {
    let base = std::env::temp_dir();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    for attempt in 0..100u32 {
        let dir = base.join(format!(
            "chartfix-base-{}-{stamp}-{attempt}",
            std::process::id()
        ));
        // create_dir (not create_dir_all) fails if it exists, so two runs
        // never share a folder.
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(GitError(format!("{}: {e}", dir.display()))),
        }
    }
    Err(GitError("no free temporary folder name".to_string()))
}
