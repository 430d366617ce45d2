//! Finding a stack from the command line's STACK: a file, a folder of raw
//! manifests, a name in `./stacks/`, or a stack built into the binary.
//!
//! A stack's relative paths (manifests, values files, overlays) are read
//! through [`Files`], so a built-in stack reads its manifests from the binary
//! exactly as a stack on disk reads them from beside its file.

use super::lock::LockTarget;
use std::path::{Path, PathBuf};

/// Files by path relative to a stack file, with their text.
pub type EmbeddedFiles = &'static [(&'static str, &'static str)];

/// Stacks built into the binary: (name, stack file, manifests by path
/// relative to the stack file).
pub const BUILTIN: &[(&str, &str, EmbeddedFiles)] = &[(
    "beta9",
    include_str!("../../stacks/beta9.yaml"),
    &[
        (
            "beta9/namespace.yaml",
            include_str!("../../stacks/beta9/namespace.yaml"),
        ),
        (
            "beta9/gateway.yaml",
            include_str!("../../stacks/beta9/gateway.yaml"),
        ),
        (
            "beta9/proxy.yaml",
            include_str!("../../stacks/beta9/proxy.yaml"),
        ),
    ],
)];

/// Where a stack's files are read from.
#[derive(Debug, Clone)]
pub enum Files {
    /// Relative paths are under this folder.
    Disk(PathBuf),
    /// Built in: relative paths are keys of this table.
    Embedded(EmbeddedFiles),
}

/// One file of a stack, its text and the path it goes by in `# Source:`.
#[derive(Debug, Clone)]
pub struct StackText {
    pub rel: String,
    pub text: String,
}

impl Files {
    /// The files a manifests entry names: the file itself, or a folder's
    /// `*.yaml`/`*.yml` files in name order (as `kubectl apply -f DIR` reads them).
    pub fn manifests(&self, entry: &str) -> Result<Vec<StackText>, String> {
        match self {
            Files::Embedded(table) => {
                let prefix = entry.trim_end_matches('/');
                let mut out: Vec<StackText> = table
                    .iter()
                    .filter(|(p, _)| *p == prefix || p.starts_with(&format!("{prefix}/")))
                    .map(|(p, t)| StackText {
                        rel: (*p).to_string(),
                        text: (*t).to_string(),
                    })
                    .collect();
                out.sort_by(|a, b| a.rel.cmp(&b.rel));
                if out.is_empty() {
                    return Err(format!("the built-in stack has no manifests at {entry}"));
                }
                Ok(out)
            }
            Files::Disk(base) => {
                let path = base.join(entry);
                if path.is_dir() {
                    let mut names: Vec<PathBuf> = std::fs::read_dir(&path)
                        .map_err(|e| format!("cannot list {}: {e}", path.display()))?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| {
                            p.is_file()
                                && matches!(
                                    p.extension().and_then(|x| x.to_str()),
                                    Some("yaml" | "yml")
                                )
                        })
                        .collect();
                    names.sort();
                    if names.is_empty() {
                        return Err(format!(
                            "{} holds no .yaml or .yml files; name manifest files or a folder that has some",
                            path.display()
                        ));
                    }
                    names
                        .iter()
                        .map(|p| read_disk(p, &rel_name(entry, p)))
                        .collect()
                } else {
                    let rel = entry.trim_start_matches("./").to_string();
                    Ok(vec![read_disk(&path, &rel)?])
                }
            }
        }
    }

    /// A file next to the stack (values files, overlays), as a path on disk.
    pub fn path(&self, rel: &str) -> Result<PathBuf, String> {
        match self {
            Files::Disk(base) => Ok(base.join(rel)),
            Files::Embedded(_) => Err(format!(
                "{rel}: a built-in stack can only name built-in overlays and its own manifests; copy the stack to a file to use other files"
            )),
        }
    }

    /// Reads a file next to the stack.
    pub fn read(&self, rel: &str) -> Result<String, String> {
        let p = self.path(rel)?;
        crate::input::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    }
}

/// `entry/file.yaml` for a file found in folder `entry`, without `./`.
fn rel_name(entry: &str, file: &Path) -> String {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = entry.trim_start_matches("./").trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        name
    } else {
        format!("{dir}/{name}")
    }
}

fn read_disk(path: &Path, rel: &str) -> Result<StackText, String> {
    let text = crate::input::read_to_string(path)
        .map_err(|e| format!("cannot read manifest {}: {e}", path.display()))?;
    Ok(StackText {
        rel: rel.to_string(),
        text,
    })
}

/// A stack found: its file's text (or one made for a folder), where its files
/// are, and where its lock file goes (beside a stack file; nowhere, unless
/// the caller says, for a folder or a built-in, which have no file of their
/// own and whose lock would land in a folder nobody named).
#[derive(Debug, Clone)]
pub struct Located {
    /// How the stack is named in messages (`stacks/beta9.yaml`, `builtin:beta9`).
    pub origin: String,
    pub text: String,
    pub files: Files,
    pub lock: LockTarget,
}

/// Finds STACK: an existing path first, then `./stacks/NAME.yaml`, then a
/// built-in name.
pub fn locate(spec: &str) -> Result<Located, String> {
    let path = Path::new(spec);
    if path.is_dir() {
        return Ok(folder_stack(path));
    }
    if path.is_file() {
        return file_stack(path);
    }
    for ext in ["yaml", "yml"] {
        let p = Path::new("stacks").join(format!("{spec}.{ext}"));
        if p.is_file() {
            return file_stack(&p);
        }
    }
    if let Some((name, text, table)) = BUILTIN.iter().find(|(n, _, _)| *n == spec) {
        return Ok(Located {
            origin: format!("builtin:{name}"),
            text: (*text).to_string(),
            files: Files::Embedded(table),
            lock: LockTarget::None {
                why: format!("the built-in stack {name} has no stack file to keep a lock beside"),
            },
        });
    }
    let builtins: Vec<&str> = BUILTIN.iter().map(|(n, _, _)| *n).collect();
    Err(format!(
        "no stack {spec:?}: not a file or folder, not in ./stacks/, and not built in (built-in stacks: {})",
        builtins.join(", ")
    ))
}

fn file_stack(path: &Path) -> Result<Located, String> {
    let text = crate::input::read_to_string(path)
        .map_err(|e| format!("cannot read stack {}: {e}", path.display()))?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Located {
        origin: path.display().to_string(),
        text,
        files: Files::Disk(base),
        lock: LockTarget::File(path.with_extension("lock")),
    })
}

/// A folder of raw manifests is a stack of one release named after it.
fn folder_stack(path: &Path) -> Located {
    let name = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "manifests".into());
    let text = format!("name: {name:?}\nreleases:\n  - name: {name:?}\n    manifests: [\".\"]\n");
    let trimmed = path.to_string_lossy();
    let trimmed = trimmed.trim_end_matches('/');
    Located {
        origin: format!("{}/", trimmed),
        text,
        files: Files::Disk(path.to_path_buf()),
        lock: LockTarget::None {
            why: format!(
                "{trimmed}/ is a folder of manifests, with no stack file to keep a lock beside"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_beta9_parses_and_lists_its_manifests() {
        let found = locate("beta9").unwrap();
        let stack = crate::stack::file::parse(&found.origin, &found.text).unwrap();
        assert_eq!(stack.name, "beta9");
        let Some((_, _, table)) = BUILTIN.iter().find(|(n, _, _)| *n == "beta9") else {
            panic!("beta9 is built in")
        };
        let files = Files::Embedded(table);
        let names: Vec<String> = files
            .manifests("beta9/")
            .unwrap()
            .into_iter()
            .map(|f| f.rel)
            .collect();
        assert_eq!(
            names,
            [
                "beta9/gateway.yaml",
                "beta9/namespace.yaml",
                "beta9/proxy.yaml"
            ]
        );
        // Every file under stacks/beta9/ is embedded.
        let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/stacks/beta9"))
            .unwrap()
            .count();
        assert_eq!(
            on_disk,
            names.len(),
            "add new stacks/beta9/ files to BUILTIN"
        );
        assert!(
            files.path("x.yaml").is_err(),
            "a built-in stack reads no other files"
        );
    }

    #[test]
    fn a_folder_is_a_stack_of_one_release() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("k3d");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("b.yaml"), "kind: B\n").unwrap();
        std::fs::write(folder.join("a.yml"), "kind: A\n").unwrap();
        std::fs::write(folder.join("notes.txt"), "not a manifest\n").unwrap();
        let found = locate(folder.to_str().unwrap()).unwrap();
        let stack = crate::stack::file::parse(&found.origin, &found.text).unwrap();
        assert_eq!(stack.releases[0].name, "k3d");
        let rels: Vec<String> = found
            .files
            .manifests(".")
            .unwrap()
            .into_iter()
            .map(|f| f.rel)
            .collect();
        assert_eq!(rels, ["a.yml", "b.yaml"]);
        // Nothing is written beside the folder unless asked (--lock FILE).
        assert!(
            matches!(&found.lock, LockTarget::None { why } if why.contains("folder of manifests")),
            "{:?}",
            found.lock
        );
    }
}
