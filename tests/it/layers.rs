//! The library's modules form one-way layers: each may use only those below
//! it. This test reads `src/` and fails on an import that points up (or
//! sideways, between two modules of the same floor), naming file and line, so
//! the direction of the flow holds by itself.
//!
//! Test modules (`#[cfg(test)]` to the end of a file) may use anything: a
//! unit test of the YAML reader may read a chart archive as its fixture.

use std::path::Path;

/// Bottom first. A module may import only modules listed before it.
#[rustfmt::skip]
const LAYERS: &[&str] = &[
    // The ground floor: Go's strconv, semantic versions, input reading.
    "strconv", "semver", "input", "location", "parallel", "words", "scrub",
    // What the unit tests share.
    "testing",
    // The data model every layer shares, and Go's fmt over it.
    "value", "gofmt",
    // Reading and writing YAML the way Helm does.
    "yaml",
    // The template engine: knows nothing of charts, files or networks.
    "engine",
    // Charts, their values, and rendering one chart.
    "chart", "values", "render",
    // Rendered documents, their rewriting.
    "manifest", "overlay",
    // Registries, then what uses them: image checks and chart sources.
    "registry", "check", "source",
    // Comparing manifest sets.
    "diff",
    // The one pipeline for a release, and stacks of releases.
    "release", "stack",
];

/// The `crate::NAME` module names a piece of Rust source refers to, with the
/// line of each (`use crate::{a::X, b}` gives `a` and `b`).
fn crate_refs(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                // Top-level names of the group, on this line (rustfmt keeps
                // short groups on one line; long ones are caught per line below).
                let mut depth = 0;
                let mut name = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => name.clear(),
                        c if depth == 0 && (c.is_alphanumeric() || c == '_') => name.push(c),
                        ':' if depth == 0 && !name.is_empty() => {
                            out.push((i + 1, std::mem::take(&mut name)));
                            depth = 0;
                        }
                        _ => {}
                    }
                }
                if !name.is_empty() {
                    out.push((i + 1, name));
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push((i + 1, name));
            }
            rest = &rest[at + "crate::".len()..];
        }
    }
    // Multi-line groups: `use crate::{\n    a::X,\n    b,\n};`
    let mut in_group = false;
    for (i, line) in source.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("use crate::{") && !t.contains('}') {
            in_group = true;
            continue;
        }
        if in_group {
            if t.starts_with('}') {
                in_group = false;
                continue;
            }
            let name: String = t
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((i + 1, name));
            }
        }
    }
    out
}

/// The top-level module a file under `src/` belongs to.
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut problems = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let Some(module) = module_of(rel) else {
            continue;
        };
        // The binary (main.rs and cli/) sits above the whole library.
        if module == "lib" || module == "main" || module == "cli" {
            continue;
        }
        let Some(own) = rank(&module) else {
            problems.push(format!(
                "src/{}: module `{module}` has no place in LAYERS (tests/it/layers.rs)",
                rel.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (line, name) in crate_refs(code) {
            if name == module {
                continue;
            }
            match rank(&name) {
                Some(r) if r < own => {}
                Some(_) => problems.push(format!(
                    "src/{}:{line}: `{module}` imports `{name}`, which is not below it",
                    rel.display()
                )),
                None => {}
            }
        }
    }
    assert!(problems.is_empty(), "back edges:\n{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_imports() {
    let refs = crate_refs(
        "use crate::value::Value;\nuse crate::{chart::Chart, yaml};\nlet x = crate::render::go(); // crate::stack\nuse crate::{\n    source::Resolver,\n    diff,\n};\n",
    );
    let names: Vec<&str> = refs.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        names,
        ["value", "chart", "yaml", "render", "source", "diff"]
    );
}
