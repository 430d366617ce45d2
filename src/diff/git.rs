//! The base side of `chartfix diff STACK --base GIT_REF`: the repository's
//! tree as committed at a ref, exported into a temporary folder so the caller
//! can render it exactly as it renders the working tree.
//!
//! `git archive` is used rather than a second worktree: it needs no change to
//! the repository's worktree list, leaves nothing behind if interrupted, and
//! exports only committed files.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why the base tree could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// A file or folder could not be read or made.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{} is not in a git repository: {source}", path.display())]
    NotInRepository {
        path: PathBuf,
        #[source]
        source: Box<GitError>,
    },
    #[error("{} is outside its git repository {}", path.display(), top.display())]
    OutsideRepository { path: PathBuf, top: PathBuf },
    #[error("{git_ref:?} does not name a commit")]
    NotACommit { git_ref: String },
    #[error("{} did not exist at {git_ref}", path.display())]
    NotAtRef { path: PathBuf, git_ref: String },
    #[error("unpacking {git_ref}: {source}")]
    Unpack {
        git_ref: String,
        #[source]
        source: io::Error,
    },
    /// git could not be started (not installed?).
    #[error("running git: {0}")]
    Spawn(#[source] io::Error),
    /// git ran and failed; its own words.
    #[error("git {args}: {stderr}")]
    Failed { args: String, stderr: String },
    #[error("no free temporary folder name under {}", .0.display())]
    NoTempName(PathBuf),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> GitError + '_ {
    move |source| GitError::Io {
        path: path.to_path_buf(),
        source,
    }
}

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
    let abs = std::fs::canonicalize(path).map_err(io_at(path))?;
    let dir = if abs.is_dir() {
        abs.clone()
    } else {
        abs.parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| abs.clone())
    };
    let top =
        git(&dir, &["rev-parse", "--show-toplevel"]).map_err(|e| GitError::NotInRepository {
            path: path.to_path_buf(),
            source: Box::new(e),
        })?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let top = std::fs::canonicalize(&top).map_err(io_at(&top))?;
    let rel = abs
        .strip_prefix(&top)
        .map_err(|_| GitError::OutsideRepository {
            path: path.to_path_buf(),
            top: top.clone(),
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
    .map_err(|_| GitError::NotACommit {
        git_ref: git_ref.to_string(),
    })?;
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
        .map_err(|source| GitError::Unpack {
            git_ref: git_ref.to_string(),
            source,
        })?;
    if !tree.target.exists() {
        return Err(GitError::NotAtRef {
            path: rel.to_path_buf(),
            git_ref: git_ref.to_string(),
        });
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
        .map_err(GitError::Spawn)?;
    if !out.status.success() {
        return Err(GitError::Failed {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
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
            Err(e) => return Err(io_at(&dir)(e)),
        }
    }
    Err(GitError::NoTempName(base))
}
