//! Slash-separated paths: `base`, `dir`, `clean`, `ext`, `isAbs` (Go's `path`
//! package) and their `os…` twins (Go's `path/filepath`, identical on Linux).

use crate::engine::funcs::conv::{arg_str, arity};
use crate::engine::funcs::FuncTable;
use crate::value::Value;

pub fn register(table: &mut FuncTable) {
    table.add("base", |a| str1("base", a, base));
    table.add("osBase", |a| str1("osBase", a, base));
    table.add("dir", |a| str1("dir", a, dir));
    table.add("osDir", |a| str1("osDir", a, dir));
    table.add("clean", |a| str1("clean", a, clean));
    table.add("osClean", |a| str1("osClean", a, clean));
    table.add("ext", |a| str1("ext", a, ext));
    table.add("osExt", |a| str1("osExt", a, ext));
    table.add("isAbs", |a| {
        arity("isAbs", a, 1)?;
        Ok(Value::Bool(arg_str(&a[0])?.starts_with('/')))
    });
    table.add("osIsAbs", |a| {
        arity("osIsAbs", a, 1)?;
        Ok(Value::Bool(arg_str(&a[0])?.starts_with('/')))
    });
}

fn str1(name: &str, args: &[Value], f: fn(&str) -> String) -> Result<Value, String> {
    arity(name, args, 1)?;
    Ok(Value::str(f(arg_str(&args[0])?)))
}

/// `path.Base`: the last element, without trailing slashes; `.` for empty.
fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// `path.Dir`: everything before the last element, cleaned.
fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// `path.Ext`: the suffix from the last dot of the last element.
fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => break,
            '.' => return p[i..].to_string(),
            _ => {}
        }
    }
    String::new()
}

/// `path.Clean`: one slash between elements, no `.`, `..` resolved where it
/// can be, no trailing slash; `.` for an empty result.
fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_go() {
        assert_eq!(base("a/b/c.txt"), "c.txt");
        assert_eq!(base("a/b/"), "b");
        assert_eq!(base("///"), "/");
        assert_eq!(base(""), ".");
        assert_eq!(dir("a/b/c"), "a/b");
        assert_eq!(dir("c"), ".");
        assert_eq!(dir("/c"), "/");
        assert_eq!(ext("a/b.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
        assert_eq!(clean("a//b/./../c/"), "a/c");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean("../../a"), "../../a");
        assert_eq!(clean("a/.."), ".");
    }
}
