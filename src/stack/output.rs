//! Writing a rendered stack to files (`chartfix render --output-dir`).

use indexmap::IndexMap;
use std::path::Path;

/// Writes each release's documents of `text` (a stack's final stream, every
/// document `---\n# Source: RELEASE/PATH`) to `dir/RELEASE.yaml`, in the
/// stream's order; releases with nothing in them get no file.
pub fn write_dir(text: &str, dir: &Path) -> Result<(), String> {
    let mut files: IndexMap<String, String> = IndexMap::new();
    let mut current = String::new();
    let mut doc = String::new();
    let flush = |files: &mut IndexMap<String, String>, name: &str, doc: &mut String| {
        if !doc.is_empty() {
            files.entry(name.to_string()).or_default().push_str(doc);
            doc.clear();
        }
    };
    let mut prev_marker = false;
    for line in text.split_inclusive('\n') {
        if prev_marker {
            if let Some(src) = line.strip_prefix("# Source: ") {
                let release = src.split('/').next().unwrap_or("stack").trim().to_string();
                // The `---` just pushed belongs to this document.
                let marker_len = doc.rfind("---").map_or(doc.len(), |i| i);
                let tail = doc.split_off(marker_len);
                flush(&mut files, &current, &mut doc);
                current = release;
                doc = tail;
            }
        }
        prev_marker = line.trim_end() == "---";
        doc.push_str(line);
    }
    flush(&mut files, &current, &mut doc);
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, body) in files {
        if body.trim().is_empty() {
            continue;
        }
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_file_per_release() {
        let dir = tempfile::tempdir().unwrap();
        let text = "---\n# Source: a/x.yaml\nkind: A\n---\n# Source: b/y.yaml\nkind: B\n---\n# Source: a/z.yaml\nkind: C\n";
        super::write_dir(text, dir.path()).unwrap();
        let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert_eq!(
            read("a.yaml"),
            "---\n# Source: a/x.yaml\nkind: A\n---\n# Source: a/z.yaml\nkind: C\n"
        );
        assert_eq!(read("b.yaml"), "---\n# Source: b/y.yaml\nkind: B\n");
    }
}
