//! Template functions: strings (`trim`, `upper`, `replace`, `quote`, `indent`,
//! `nindent`, `split`, `join`, `trunc`, `substr`, `repeat`, …), as Sprig
//! defines them over Go's `strings` package. Case conversions, wrapping and
//! abbreviation live in [`words`], slash paths (`base`, `dir`, …) in [`paths`],
//! `urlParse`/`urlJoin` in [`urls`].
//!
//! Go strings are bytes: `trunc` and `substr` count bytes, as Go does. A cut
//! inside a multi-byte character cannot be represented in a Rust string and
//! becomes U+FFFD.

mod paths;
mod urls;
mod words;

use super::conv::{
    arg_bytes, arg_int, arg_str, arity, check_size, str_list, to_string, to_string_bytes,
    to_strings,
};
use super::FuncTable;
use crate::gofmt;
use crate::value::{Map, Value};

pub fn register(table: &mut FuncTable) {
    words::register(table);
    paths::register(table);
    urls::register(table);
    table.add("hello", |_| Ok(Value::str("Hello!")));
    table.add("trim", |a| {
        arity("trim", a, 1)?;
        Ok(from_bytes(trim_runes(arg_bytes(&a[0])?, is_go_space)))
    });
    table.add("upper", |a| {
        str1("upper", a, |s| s.chars().map(go_upper).collect())
    });
    table.add("lower", |a| {
        str1("lower", a, |s| s.chars().map(go_lower).collect())
    });
    table.add("nospace", nospace);
    table.add("trimAll", trim_all);
    table.add("trimall", trim_all);
    table.add("trimPrefix", |a| {
        arity("trimPrefix", a, 2)?;
        let (p, s) = (arg_bytes(&a[0])?, arg_bytes(&a[1])?);
        Ok(from_bytes(s.strip_prefix(p).unwrap_or(s)))
    });
    table.add("trimSuffix", |a| {
        arity("trimSuffix", a, 2)?;
        let (p, s) = (arg_bytes(&a[0])?, arg_bytes(&a[1])?);
        Ok(from_bytes(s.strip_suffix(p).unwrap_or(s)))
    });
    table.add("contains", |a| {
        pred2("contains", a, |sub, s| s.contains(sub))
    });
    table.add("hasPrefix", |a| {
        pred2("hasPrefix", a, |p, s| s.starts_with(p))
    });
    table.add("hasSuffix", |a| {
        pred2("hasSuffix", a, |p, s| s.ends_with(p))
    });
    table.add("trunc", trunc);
    table.add("substr", substr);
    table.add("repeat", repeat);
    table.add("indent", |a| indent("indent", a, false));
    table.add("nindent", |a| indent("nindent", a, true));
    table.add("replace", replace);
    table.add("plural", plural);
    table.add("quote", quote);
    table.add("squote", squote);
    table.add("cat", cat);
    table.add("split", split);
    table.add("splitn", splitn);
    table.add("splitList", split_list);
    table.add("join", join);
    table.add("sortAlpha", sort_alpha);
    table.add("getHostByName", get_host_by_name);
}

/// Go's `unicode.IsSpace`.
pub(crate) fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

/// Go's `unicode.ToUpper` maps one character to one character; where Rust's
/// mapping would give several (`ß` → `SS`), Go keeps the character.
pub(crate) fn go_upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

pub(crate) fn go_lower(c: char) -> char {
    let mut low = c.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// goutils `DeleteWhiteSpace`: it walks bytes, so once any whitespace is
/// removed each non-ASCII byte comes out as the Latin-1 character of that
/// byte (and bytes 0x85 and 0xA0 count as spaces), exactly as in Helm; with
/// nothing removed it returns the string itself, bytes and all.
fn nospace(args: &[Value]) -> Result<Value, String> {
    arity("nospace", args, 1)?;
    let bytes = arg_bytes(&args[0])?;
    let space = |b: u8| is_go_space(char::from(b));
    if !bytes.iter().any(|&b| space(b)) {
        return Ok(args[0].clone());
    }
    Ok(Value::str(
        bytes
            .iter()
            .filter(|&&b| !space(b))
            .map(|&b| char::from(b))
            .collect::<String>(),
    ))
}

/// A `func(string) string`.
fn str1(name: &str, args: &[Value], f: impl Fn(&str) -> String) -> Result<Value, String> {
    arity(name, args, 1)?;
    Ok(Value::str(f(arg_str(&args[0])?)))
}

/// A `func(a, b string) bool`.
fn pred2(name: &str, args: &[Value], f: impl Fn(&str, &str) -> bool) -> Result<Value, String> {
    arity(name, args, 2)?;
    Ok(Value::Bool(f(arg_str(&args[0])?, arg_str(&args[1])?)))
}

/// `trimAll CUTSET S`: `strings.Trim`, removing any of the cutset's characters.
fn trim_all(args: &[Value]) -> Result<Value, String> {
    arity("trimAll", args, 2)?;
    let cutset = arg_str(&args[0])?;
    Ok(from_bytes(trim_runes(arg_bytes(&args[1])?, |c| {
        cutset.contains(c)
    })))
}

/// Go's `strings.TrimFunc` over the bytes a Go string holds: characters are
/// decoded as Go decodes them (a byte that starts no valid character is one
/// U+FFFD), and what is left is a slice of the input, so bytes that are not
/// UTF-8 survive (`trimAll " " (substr 0 1 "é")` is still the byte 0xC3).
fn trim_runes(s: &[u8], trim: impl Fn(char) -> bool) -> &[u8] {
    let mut s = s;
    while let Some((c, width)) = first_rune(s) {
        if !trim(c) {
            break;
        }
        s = &s[width..];
    }
    while let Some((c, width)) = last_rune(s) {
        if !trim(c) {
            break;
        }
        s = &s[..s.len() - width];
    }
    s
}

/// The first character of `s` and its width, as Go's `utf8.DecodeRune`.
fn first_rune(s: &[u8]) -> Option<(char, usize)> {
    let chunk = s.utf8_chunks().next()?;
    Some(match chunk.valid().chars().next() {
        Some(c) => (c, c.len_utf8()),
        None => (char::REPLACEMENT_CHARACTER, 1),
    })
}

/// The last character of `s` and its width, as Go's `utf8.DecodeLastRune`.
fn last_rune(s: &[u8]) -> Option<(char, usize)> {
    if s.is_empty() {
        return None;
    }
    for width in 1..=s.len().min(4) {
        let tail = &s[s.len() - width..];
        if let Ok(t) = std::str::from_utf8(tail) {
            if let Some(c) = t.chars().next() {
                return Some((c, width));
            }
        }
        // A byte that is not a continuation byte starts the last character:
        // looking further back cannot make it valid.
        if tail[0] & 0xC0 != 0x80 {
            break;
        }
    }
    Some((char::REPLACEMENT_CHARACTER, 1))
}

/// Bytes back to a string; a cut inside a character becomes U+FFFD.
/// Go's string of the bytes cut out: a cut through a character keeps the
/// bytes (`substr 0 1 "é"` is the byte 0xC3), as a [`Value::RawString`].
fn from_bytes(b: &[u8]) -> Value {
    Value::go_string(b.to_vec())
}

/// `trunc N S`: the first N bytes, or with a negative N the last |N|.
fn trunc(args: &[Value]) -> Result<Value, String> {
    arity("trunc", args, 2)?;
    let c = arg_int(&args[0])?;
    let s = arg_bytes(&args[1])?;
    let len = s.len() as i64;
    Ok(if c < 0 && len + c > 0 {
        from_bytes(&s[(len + c) as usize..])
    } else if c >= 0 && len > c {
        from_bytes(&s[..c as usize])
    } else {
        args[1].clone()
    })
}

/// `substr START END S`, with Go's slice panics as errors: a negative start
/// means from the beginning, a negative or too large end means to the end.
fn substr(args: &[Value]) -> Result<Value, String> {
    arity("substr", args, 3)?;
    let start = arg_int(&args[0])?;
    let end = arg_int(&args[1])?;
    let s = arg_bytes(&args[2])?;
    let len = s.len() as i64;
    let oob = |msg: String| {
        format!("error calling substr: runtime error: slice bounds out of range {msg}")
    };
    if start < 0 {
        // s[:end]
        if end < 0 {
            return Err(oob(format!("[:{end}]")));
        }
        if end > len {
            return Err(oob(format!("[:{end}] with length {len}")));
        }
        return Ok(from_bytes(&s[..end as usize]));
    }
    if end < 0 || end > len {
        // s[start:]
        if start > len {
            return Err(oob(format!("[{start}:{len}]")));
        }
        return Ok(from_bytes(&s[start as usize..]));
    }
    if start > end {
        return Err(oob(format!("[{start}:{end}]")));
    }
    Ok(from_bytes(&s[start as usize..end as usize]))
}

/// `repeat N S`.
fn repeat(args: &[Value]) -> Result<Value, String> {
    arity("repeat", args, 2)?;
    let n = arg_int(&args[0])?;
    let s = arg_bytes(&args[1])?;
    if n < 0 {
        return Err("error calling repeat: strings: negative Repeat count".into());
    }
    check_size("repeat", (s.len() as u128) * (n as u128))?;
    Ok(Value::go_string(s.repeat(n as usize)))
}

/// `indent N S` / `nindent N S`: N spaces before every line (and a newline
/// first for `nindent`).
fn indent(name: &str, args: &[Value], newline: bool) -> Result<Value, String> {
    arity(name, args, 2)?;
    let n = arg_int(&args[0])?;
    let s = arg_str(&args[1])?;
    if n < 0 {
        return Err(format!(
            "error calling {name}: strings: negative Repeat count"
        ));
    }
    let lines = s.bytes().filter(|b| *b == b'\n').count() as u128 + 1;
    check_size(name, s.len() as u128 + lines * n as u128)?;
    let pad = " ".repeat(n as usize);
    let mut out = String::with_capacity(s.len() + (lines as usize) * pad.len() + 1);
    if newline {
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str(&s.replace('\n', &format!("\n{pad}")));
    Ok(Value::str(out))
}

/// `replace OLD NEW S`: every occurrence; an empty OLD inserts NEW between
/// characters, as Go does.
fn replace(args: &[Value]) -> Result<Value, String> {
    arity("replace", args, 3)?;
    let old = arg_str(&args[0])?;
    let new = arg_str(&args[1])?;
    let s = arg_str(&args[2])?;
    let count = if old.is_empty() {
        s.chars().count() as u128 + 1
    } else {
        s.matches(old).count() as u128
    };
    check_size("replace", s.len() as u128 + count * new.len() as u128)?;
    let raw = args.iter().any(|a| matches!(a, Value::RawString(_)));
    if raw && !old.is_empty() {
        // Go replaces bytes: a string that is not UTF-8 keeps its other bytes.
        let (old, new, s) = (
            arg_bytes(&args[0])?,
            arg_bytes(&args[1])?,
            arg_bytes(&args[2])?,
        );
        let mut out = Vec::with_capacity(s.len());
        let mut rest = s;
        while let Some(at) = memchr::memmem::find(rest, old) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(new);
            rest = &rest[at + old.len()..];
        }
        out.extend_from_slice(rest);
        return Ok(Value::go_string(out));
    }
    Ok(Value::str(s.replace(old, new)))
}

/// `plural ONE MANY COUNT`.
fn plural(args: &[Value]) -> Result<Value, String> {
    arity("plural", args, 3)?;
    let one = arg_str(&args[0])?;
    let many = arg_str(&args[1])?;
    let n = arg_int(&args[2])?;
    Ok(Value::str(if n == 1 { one } else { many }))
}

/// `quote A B …`: each non-nil argument as a Go double-quoted string.
fn quote(args: &[Value]) -> Result<Value, String> {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| crate::strconv::quote_bytes(&to_string_bytes(v)))
        .collect();
    Ok(Value::str(parts.join(" ")))
}

/// `squote A B …`: each non-nil argument in single quotes, unescaped.
fn squote(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for v in args.iter().filter(|v| !v.is_nil()) {
        if !out.is_empty() {
            out.push(b' ');
        }
        out.push(b'\'');
        out.extend_from_slice(&to_string_bytes(v));
        out.push(b'\'');
    }
    Ok(Value::go_string(out))
}

/// `cat A B …`: the non-nil arguments printed with `%v`, space separated.
fn cat(args: &[Value]) -> Result<Value, String> {
    let mut out = Vec::new();
    for v in args.iter().filter(|v| !v.is_nil()) {
        if !out.is_empty() {
            out.push(b' ');
        }
        match v.string_bytes() {
            Some(b) => out.extend_from_slice(b),
            None => out.extend_from_slice(gofmt::format_v(v).as_bytes()),
        }
    }
    Ok(Value::go_string(out))
}

/// Go's `strings.SplitN`: `n < 0` means all parts, `n == 0` none, and an
/// empty separator splits between characters.
fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let chars: Vec<char> = s.chars().collect();
        let mut out: Vec<String> = Vec::new();
        for (i, c) in chars.iter().enumerate() {
            if out.len() + 1 == limit {
                out.push(chars[i..].iter().collect());
                return out;
            }
            out.push(c.to_string());
        }
        return out;
    }
    s.splitn(limit, sep).map(str::to_string).collect()
}

/// The parts of a split as Sprig's dict: keys `_0`, `_1`, ….
fn parts_dict(parts: Vec<String>) -> Value {
    let map: Map = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::str(p)))
        .collect();
    Value::map(map)
}

/// `split SEP S`: a dict of the parts.
fn split(args: &[Value]) -> Result<Value, String> {
    arity("split", args, 2)?;
    let sep = arg_str(&args[0])?;
    let s = arg_str(&args[1])?;
    Ok(parts_dict(go_split(s, sep, -1)))
}

/// `splitn SEP N S`: a dict of at most N parts.
fn splitn(args: &[Value]) -> Result<Value, String> {
    arity("splitn", args, 3)?;
    let sep = arg_str(&args[0])?;
    let n = arg_int(&args[1])?;
    let s = arg_str(&args[2])?;
    Ok(parts_dict(go_split(s, sep, n)))
}

/// `splitList SEP S`: a list of the parts.
fn split_list(args: &[Value]) -> Result<Value, String> {
    arity("splitList", args, 2)?;
    let sep = arg_str(&args[0])?;
    let s = arg_str(&args[1])?;
    Ok(str_list(go_split(s, sep, -1)))
}

/// `join SEP LIST`: the list's non-nil elements as strings (a non-list is
/// one element).
fn join(args: &[Value]) -> Result<Value, String> {
    arity("join", args, 2)?;
    let sep = arg_str(&args[0])?;
    Ok(Value::str(to_strings(&args[1]).join(sep)))
}

/// `sortAlpha LIST`: the elements as strings, sorted bytewise.
fn sort_alpha(args: &[Value]) -> Result<Value, String> {
    arity("sortAlpha", args, 1)?;
    let mut items = match &args[0] {
        v @ (Value::List(_) | Value::Bytes(_)) => to_strings(v),
        other => vec![to_string(other)],
    };
    items.sort();
    Ok(str_list(items))
}

/// `getHostByName NAME`: chartfix renders without the network, so this is
/// always the empty string, as Helm prints for a name that does not resolve.
fn get_host_by_name(args: &[Value]) -> Result<Value, String> {
    arity("getHostByName", args, 1)?;
    arg_str(&args[0])?;
    Ok(Value::str(""))
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::table;
    use crate::value::Value;

    pub(super) fn call(name: &str, args: &[Value]) -> Result<Value, String> {
        (table()
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .func)(args)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    fn out(name: &str, args: &[Value]) -> String {
        call(name, args)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| e)
    }

    // Expected values printed by Helm 4.2.3.
    #[test]
    fn slicing_follows_go_bytes_and_panics() {
        assert_eq!(out("trunc", &[i(-3), s("abcdef")]), "def");
        assert_eq!(out("trunc", &[i(10), s("ab")]), "ab");
        assert_eq!(out("trunc", &[i(-10), s("ab")]), "ab");
        assert_eq!(out("substr", &[i(-1), i(2), s("abcdef")]), "ab");
        assert_eq!(out("substr", &[i(1), i(-1), s("abcdef")]), "bcdef");
        let oob = "error calling substr: runtime error: slice bounds out of range ";
        assert_eq!(
            out("substr", &[i(5), i(2), s("abc")]),
            format!("{oob}[5:2]")
        );
        assert_eq!(
            out("substr", &[i(-1), i(10), s("abc")]),
            format!("{oob}[:10] with length 3")
        );
        assert_eq!(
            out("substr", &[i(4), i(-1), s("abc")]),
            format!("{oob}[4:3]")
        );
        assert_eq!(
            out("substr", &[i(-1), i(-2), s("abc")]),
            format!("{oob}[:-2]")
        );
        assert!(call("trunc", &[Value::Float(3.0), s("abc")]).is_err());
    }

    #[test]
    fn quoting_joining_and_splitting() {
        let args = [s("a\"b"), i(1), Value::Nil, Value::Float(2.5)];
        assert_eq!(out("quote", &args), r#""a\"b" "1" "2.5""#);
        assert_eq!(out("squote", &[s("a"), Value::Nil, i(1)]), "'a' '1'");
        let l = Value::list(vec![i(1), i(2)]);
        assert_eq!(out("cat", &[s("a"), Value::Nil, i(1), l]), "a 1 [1 2]");
        assert_eq!(out("indent", &[i(2), s("a\nb")]), "  a\n  b");
        assert_eq!(out("nindent", &[i(2), s("a")]), "\n  a");
        assert_eq!(
            out("split", &[s(","), s("a,b,,c")]),
            "map[_0:a _1:b _2: _3:c]"
        );
        assert_eq!(
            out("splitn", &[s(","), i(2), s("a,b,c")]),
            "map[_0:a _1:b,c]"
        );
        assert_eq!(out("splitList", &[s(""), s("abc")]), "[a b c]");
        let mixed = Value::list(vec![i(1), Value::Nil, s("a")]);
        assert_eq!(out("join", &[s("-"), mixed]), "1-a");
        assert_eq!(out("join", &[s(","), s("abc")]), "abc");
        let unsorted = Value::list(vec![s("b"), s("a"), i(3)]);
        assert_eq!(out("sortAlpha", &[unsorted]), "[3 a b]");
        assert_eq!(out("sortAlpha", &[s("x")]), "[x]");
        assert_eq!(out("plural", &[s("one"), s("many"), i(2)]), "many");
        assert_eq!(out("replace", &[s(""), s("-"), s("abc")]), "-a-b-c-");
        assert_eq!(out("upper", &[s("straße")]), "STRAßE");
        assert_eq!(out("trimAll", &[s("xy"), s("xyaxbyx")]), "axb");
        assert_eq!(out("trim", &[s(" \t a \n")]), "a");
        assert_eq!(out("nospace", &[s(" a b\tc\n")]), "abc");
        assert_eq!(out("nospace", &[s("héllo")]), "héllo");
        assert_eq!(out("nospace", &[s("é ß")]), "\u{c3}\u{a9}\u{c3}\u{9f}");
        assert_eq!(out("getHostByName", &[s("localhost")]), "");
    }

    #[test]
    fn huge_outputs_are_errors() {
        assert!(call("repeat", &[i(1 << 40), s("ab")]).is_err());
        assert!(call("indent", &[i(1 << 40), s("a")]).is_err());
        assert_eq!(
            out("repeat", &[i(-1), s("a")]),
            "error calling repeat: strings: negative Repeat count"
        );
        assert_eq!(out("repeat", &[i(3), s("ab")]), "ababab");
    }
}
