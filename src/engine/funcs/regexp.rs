//! Template functions: regular expressions (`regexMatch`, `regexFind`,
//! `regexFindAll`, `regexReplaceAll`, `regexReplaceAllLiteral`,
//! `regexSplit`, `regexQuoteMeta` and their `must…` variants) with Go's RE2
//! semantics on top of the `regex-lite` and `regex` crates (see `pattern`
//! for which runs what).
//!
//! Where the two differ, Go wins:
//! - `\d`, `\s`, `\w` and `\b` are ASCII-only in Go, Unicode in `regex`:
//!   the pattern is rewritten to ASCII classes.
//! - A `{` that does not start a repetition is a literal in Go.
//! - Go's iteration skips an empty match right after a previous match
//!   (`a*` over `baaab` finds `""`, `"aaa"`, `""`), and its replacement
//!   templates read `$1x` as the group named `1x`.
//!
//! Sprig's plain functions compile with `MustCompile`, so a bad pattern fails
//! with Go's panic text (`regexp: Compile(…): …`), except `regexMatch`, which
//! answers false; the `must…` variants return the bare error.

use super::conv::{arg_int, arg_str, arity, str_list};
use super::FuncTable;
use crate::value::{meter, Value};
use pattern::Pattern;
use std::cell::RefCell;
use std::collections::HashMap;

mod pattern;

pub fn register(table: &mut FuncTable) {
    table.add("regexMatch", |a| {
        arity("regexMatch", a, 2)?;
        let (re, s) = (arg_str(&a[0])?, subject(&a[1])?);
        Ok(Value::Bool(
            compile(re).is_ok_and(|r| r.for_subject(s).is_match(s)),
        ))
    });
    table.add("mustRegexMatch", |a| {
        arity("mustRegexMatch", a, 2)?;
        let re = must("mustRegexMatch", &a[0])?;
        let s = subject(&a[1])?;
        Ok(Value::Bool(re.for_subject(s).is_match(s)))
    });
    table.add("regexFind", |a| find("regexFind", a, panic_compile));
    table.add("mustRegexFind", |a| find("mustRegexFind", a, must));
    table.add("regexFindAll", |a| {
        find_all("regexFindAll", a, panic_compile)
    });
    table.add("mustRegexFindAll", |a| {
        find_all("mustRegexFindAll", a, must)
    });
    table.add("regexReplaceAll", |a| {
        replace("regexReplaceAll", a, panic_compile, true)
    });
    table.add("mustRegexReplaceAll", |a| {
        replace("mustRegexReplaceAll", a, must, true)
    });
    table.add("regexReplaceAllLiteral", |a| {
        replace("regexReplaceAllLiteral", a, panic_compile, false)
    });
    table.add("mustRegexReplaceAllLiteral", |a| {
        replace("mustRegexReplaceAllLiteral", a, must, false)
    });
    table.add("regexSplit", |a| split("regexSplit", a, panic_compile));
    table.add("mustRegexSplit", |a| split("mustRegexSplit", a, must));
    table.add("regexQuoteMeta", |a| {
        arity("regexQuoteMeta", a, 1)?;
        Ok(Value::str(quote_meta(arg_str(&a[0])?)))
    });
}

type Compiler = fn(&str, &Value) -> Result<Pattern, String>;

/// The text a regex runs over, charged a step a byte: matching with
/// captures costs tens of nanoseconds a byte, far more than the executor's
/// charge for reading an argument.
fn subject(v: &Value) -> Result<&str, String> {
    let s = arg_str(v)?;
    meter::charge(s.len() as u64);
    Ok(s)
}

/// `regexp.MustCompile`'s panic, as the template reports it.
fn panic_compile(name: &str, v: &Value) -> Result<Pattern, String> {
    let re = arg_str(v)?;
    compile(re).map_err(|e| format!("error calling {name}: regexp: Compile(`{re}`): {e}"))
}

/// `regexp.Compile`'s error, as the `must…` functions return it.
fn must(name: &str, v: &Value) -> Result<Pattern, String> {
    compile(arg_str(v)?).map_err(|e| format!("error calling {name}: {e}"))
}

/// Patterns kept compiled, per thread; longer ones are compiled each time.
const MAX_CACHED: usize = 64;
const MAX_CACHED_PATTERN: usize = 4096;

/// Compiles a Go pattern; the error reads like Go's. Charts call the same
/// few patterns in loops, so compiled patterns are kept per thread (a
/// clone shares the compiled program).
fn compile(pattern: &str) -> Result<Pattern, String> {
    thread_local! {
        static CACHE: RefCell<HashMap<String, Pattern>> = RefCell::new(HashMap::new());
    }
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    // Compiling costs up to a microsecond a byte of pattern: 16 steps. A
    // loop over fresh patterns ends at the step limit.
    meter::charge(pattern.len() as u64 * 16);
    super::re2::check(pattern)?;
    let re = Pattern::new(&translate(pattern)?).map_err(|e| go_error(pattern, &e))?;
    // A compiled program may take megabytes (the regex crate's 10 MiB size
    // limit, plus its lazy DFA's cache): few and short patterns are kept.
    if pattern.len() <= MAX_CACHED_PATTERN {
        CACHE.with(|c| {
            let mut cache = c.borrow_mut();
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(pattern.to_string(), re.clone());
        });
    }
    Ok(re)
}

/// Go's messages for the common syntax errors.
fn go_error(pattern: &str, e: &regex::Error) -> String {
    let text = e.to_string();
    let (code, expr) = if text.contains("unclosed group") {
        ("missing closing )", pattern.to_string())
    } else if text.contains("unclosed character class") {
        let from = pattern.find('[').unwrap_or(0);
        ("missing closing ]", pattern[from..].to_string())
    } else if text.contains("unopened group") {
        ("unexpected )", pattern.to_string())
    } else if text.contains("repetition operator missing expression") {
        (
            "missing argument to repetition operator",
            pattern.to_string(),
        )
    } else if text.contains("exceeds size limit") {
        ("expression too large", pattern.to_string())
    } else {
        let detail = text.lines().last().unwrap_or("").trim();
        let detail = detail.strip_prefix("error: ").unwrap_or(detail);
        return format!("error parsing regexp: {detail}: `{pattern}`");
    };
    format!("error parsing regexp: {code}: `{expr}`")
}

/// Rewrites Go's ASCII-only Perl classes and literal braces for Rust.
fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let d = chars[i + 1];
            i += 2;
            if d == 'Q' {
                // \Q…\E quotes literally (Rust has no \Q).
                let mut lit = String::new();
                while i < chars.len() && !(chars[i] == '\\' && chars.get(i + 1) == Some(&'E')) {
                    lit.push(chars[i]);
                    i += 1;
                }
                i += 2;
                out.push_str(&regex::escape(&lit));
                continue;
            }
            if matches!(d, 'p' | 'P' | 'x') && chars.get(i) == Some(&'{') {
                // \p{Greek}, \x{10FFFF}: the braces belong to the escape.
                let close = chars[i..]
                    .iter()
                    .position(|&c| c == '}')
                    .map_or(chars.len(), |p| i + p + 1);
                out.push('\\');
                out.push(d);
                out.extend(&chars[i..close]);
                i = close;
                continue;
            }
            out.push_str(&perl_class(d, in_class).unwrap_or_else(|| format!("\\{d}")));
            continue;
        }
        if in_class {
            if c == '[' && chars.get(i + 1) == Some(&':') {
                // A POSIX class such as [:alpha:] is copied whole.
                let close = (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == ':' && chars[j + 1] == ']');
                if let Some(j) = close {
                    out.extend(&chars[i..j + 2]);
                    i = j + 2;
                    continue;
                }
            }
            if c == '[' {
                // A lone '[' inside a class is a literal in Go.
                out.push_str("\\[");
                i += 1;
                continue;
            }
            if c == '&' || c == '~' || (c == '-' && chars.get(i + 1) == Some(&'-')) {
                // Rust's class set operators are literals in Go.
                out.push('\\');
                out.push(c);
                i += 1;
                continue;
            }
            if c == ']' {
                in_class = false;
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                // A ']' right after the opening is a literal.
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '{' => match super::re2::repetition_len(&chars[i..]) {
                Some(n) => {
                    let rep: String = chars[i..i + n].iter().collect();
                    // Go allows at most 1000 repetitions.
                    let too_many = rep[1..n - 1]
                        .split(',')
                        .any(|x| x.len() > 4 || x.parse::<u32>().is_ok_and(|v| v > 1000));
                    if too_many {
                        return Err(format!(
                            "error parsing regexp: invalid repeat count: `{rep}`"
                        ));
                    }
                    out.push_str(&rep);
                    i += n;
                }
                None => {
                    out.push_str("\\{");
                    i += 1;
                }
            },
            '}' => {
                out.push_str("\\}");
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// `\d \D \s \S \w \W \b \B` with Go's ASCII meanings, inside or outside a
/// class.
fn perl_class(d: char, in_class: bool) -> Option<String> {
    let s = match (d, in_class) {
        ('d', false) => "[0-9]",
        ('D', false) => "[^0-9]",
        ('s', false) => "[\\t\\n\\f\\r ]",
        ('S', false) => "[^\\t\\n\\f\\r ]",
        ('w', false) => "[0-9A-Za-z_]",
        ('W', false) => "[^0-9A-Za-z_]",
        ('b', false) => "(?-u:\\b)",
        ('B', false) => "(?-u:\\B)",
        // Inside a class each escape becomes a nested class, never bare
        // characters: `[\w-.]` must not turn into the range `_-.`.
        ('d', true) => "[:digit:]",
        ('D', true) => "[:^digit:]",
        ('s', true) => "[\\t\\n\\f\\r ]",
        ('S', true) => "[^\\t\\n\\f\\r ]",
        ('w', true) => "[:word:]",
        ('W', true) => "[:^word:]",
        _ => return None,
    };
    Some(s.to_string())
}

/// `regexp.QuoteMeta`: escapes exactly `\.+*?()|[]{}^$`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Go's successive matches: an empty match right after the previous match
/// is skipped; `n < 0` means all.
fn matches(re: &Pattern, s: &str, n: i64) -> Vec<(usize, usize)> {
    let re = re.for_subject(s);
    let mut out = Vec::new();
    let mut pos = 0;
    let mut prev_end: Option<usize> = None;
    while (n < 0 || (out.len() as i64) < n) && pos <= s.len() {
        let Some((start, end)) = re.find_at(s, pos) else {
            break;
        };
        let accept = !(end == pos && start == end && prev_end == Some(start));
        if end == pos {
            pos += s[pos..].chars().next().map_or(1, char::len_utf8);
        } else {
            pos = end;
        }
        prev_end = Some(end);
        if accept {
            out.push((start, end));
        }
    }
    out
}

fn find(name: &str, args: &[Value], compile: Compiler) -> Result<Value, String> {
    arity(name, args, 2)?;
    let re = compile(name, &args[0])?;
    let s = subject(&args[1])?;
    let found = re.for_subject(s).find_at(s, 0);
    Ok(Value::str(found.map_or("", |(a, b)| &s[a..b])))
}

fn find_all(name: &str, args: &[Value], compile: Compiler) -> Result<Value, String> {
    arity(name, args, 3)?;
    let re = compile(name, &args[0])?;
    let s = subject(&args[1])?;
    let n = arg_int(&args[2])?;
    Ok(str_list(
        matches(&re, s, n)
            .into_iter()
            .map(|(a, b)| s[a..b].to_string())
            .collect(),
    ))
}

/// `regexReplaceAll RE S REPL`: Go's `ReplaceAllString` (with `$` expansion)
/// or `ReplaceAllLiteralString`.
fn replace(name: &str, args: &[Value], compile: Compiler, expand: bool) -> Result<Value, String> {
    arity(name, args, 3)?;
    let re = compile(name, &args[0])?;
    let s = subject(&args[1])?;
    let repl = arg_str(&args[2])?;
    let mut out = String::with_capacity(s.len());
    let mut last_end = 0;
    let mut search = 0;
    let re = re.for_subject(s);
    let mut groups = re.groups();
    while search <= s.len() {
        let Some((start, end)) = re.groups_at(&mut groups, s, search) else {
            break;
        };
        out.push_str(&s[last_end..start]);
        // No replacement for an empty match right after the previous one.
        if end > last_end || start == 0 {
            if expand {
                expand_template(&re, &groups, s, repl, &mut out);
            } else {
                out.push_str(repl);
            }
        }
        last_end = end;
        let width = s[search..].chars().next().map_or(1, char::len_utf8);
        search = if search + width > end {
            search + width
        } else {
            end
        };
        if out.len() > 100 * 1024 * 1024 {
            return Err(format!(
                "error calling {name}: result exceeds the size limit"
            ));
        }
    }
    out.push_str(&s[last_end.min(s.len())..]);
    Ok(Value::str(out))
}

/// Go's `Regexp.Expand`: `$$` is `$`; `$name`/`${name}` take the longest run
/// of letters, digits and `_` as the group name or number (so `$1x` is the
/// group `1x`); a missing group is empty; a malformed `$` is literal.
fn expand_template(
    re: &pattern::Engine,
    groups: &pattern::Groups,
    s: &str,
    template: &str,
    out: &mut String,
) {
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let braced = rest.starts_with('{');
        let body = if braced { &rest[1..] } else { rest };
        let name_len: usize = body
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .map(char::len_utf8)
            .sum();
        let closed = !braced || body[name_len..].starts_with('}');
        if name_len == 0 || !closed {
            out.push('$');
            continue;
        }
        let name = &body[..name_len];
        rest = &body[name_len + usize::from(braced)..];
        let by_number =
            name.bytes().all(|b| b.is_ascii_digit()) && !(name.len() > 1 && name.starts_with('0'));
        let group = if by_number {
            name.parse::<usize>().ok()
        } else {
            re.group_named(name)
        };
        if let Some((a, b)) = group.and_then(|i| groups.get(i)) {
            out.push_str(&s[a..b]);
        }
    }
    out.push_str(rest);
}

/// `regexSplit RE S N`: Go's `Regexp.Split`.
fn split(name: &str, args: &[Value], compile: Compiler) -> Result<Value, String> {
    arity(name, args, 3)?;
    let pattern = arg_str(&args[0])?;
    let re = compile(name, &args[0])?;
    let s = subject(&args[1])?;
    let n = arg_int(&args[2])?;
    if n == 0 {
        return Ok(Value::list(Vec::new()));
    }
    if !pattern.is_empty() && s.is_empty() {
        return Ok(str_list(vec![String::new()]));
    }
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (a, b) in matches(&re, s, n) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        end = a;
        if b != 0 {
            parts.push(s[beg..end].to_string());
        }
        beg = b;
    }
    if end != s.len() {
        parts.push(s[beg..].to_string());
    }
    Ok(str_list(parts))
}

#[cfg(test)]
mod tests {
    use crate::engine::funcs::table;
    use crate::value::Value;

    fn out(name: &str, args: &[Value]) -> String {
        (table().get(name).expect(name).func)(args)
            .map(|v| v.to_string())
            .unwrap_or_else(|e| e)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn i(x: i64) -> Value {
        Value::Int(x)
    }

    // Expected values printed by Helm 4.2.3.
    #[test]
    fn go_matching_rules() {
        assert_eq!(
            out("regexFindAll", &[s("a*"), s("baaab"), i(-1)]),
            "[ aaa ]"
        );
        assert_eq!(
            out("regexReplaceAll", &[s("a*"), s("baaab"), s("X")]),
            "XbXbX"
        );
        assert_eq!(out("regexSplit", &[s("a*"), s("baaab"), i(-1)]), "[b b]");
        assert_eq!(
            out(
                "regexReplaceAll",
                &[s("(a)(b)?"), s("ab a"), s("[$1x|${1}x|$2|$$|$]")]
            ),
            "[|ax|b|$|$] [|ax||$|$]"
        );
        assert_eq!(
            out("regexReplaceAll", &[s(r"(?P<n>\d+)"), s("a12b"), s("<$n>")]),
            "a<12>b"
        );
        assert_eq!(out("regexFind", &[s(r"\d+"), s("a١٢3")]), "3");
        assert_eq!(out("regexMatch", &[s("("), s("x")]), "false");
        assert_eq!(out("regexQuoteMeta", &[s("a.b*c#d-e")]), r"a\.b\*c#d-e");
        assert_eq!(out("regexSplit", &[s(","), s("a,b,c"), i(2)]), "[a b,c]");
        assert_eq!(out("regexSplit", &[s("x"), s(""), i(-1)]), "[]");
        assert_eq!(
            out("regexFindAll", &[s(r"\w+"), s("héllo wörld"), i(5)]),
            "[h llo w rld]"
        );
        assert_eq!(
            out("regexReplaceAllLiteral", &[s("a"), s("aba"), s("$1")]),
            "$1b$1"
        );
        assert_eq!(out("regexFindAll", &[s("a"), s("aaa"), i(0)]), "[]");
        assert_eq!(out("regexMatch", &[s(r"^\s$"), s("\u{b}")]), "false");
        assert_eq!(out("regexFind", &[s("a{"), s("xa{")]), "a{");
        assert_eq!(
            out("regexReplaceAll", &[s(r"\p{L}"), s("é1ß"), s(".")]),
            ".1."
        );
        assert_eq!(out("regexFind", &[s(r"\x{41}\pL"), s("xAb")]), "Ab");
        assert_eq!(
            out("mustRegexFind", &[s("a{1001}"), s("a")]),
            "error calling mustRegexFind: error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert_eq!(
            out(
                "regexFind",
                &[s("-r\\d+$|sha256:"), s("1.2.3-debian-12-r4")]
            ),
            "-r4"
        );
        assert_eq!(out("regexFind", &[s("[]a]+"), s("x]a]")]), "]a]");
    }

    #[test]
    fn compile_errors_read_like_go() {
        assert_eq!(
            out("regexFind", &[s("("), s("x")]),
            "error calling regexFind: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"
        );
        assert_eq!(
            out("mustRegexFind", &[s("("), s("x")]),
            "error calling mustRegexFind: error parsing regexp: missing closing ): `(`"
        );
    }
}
