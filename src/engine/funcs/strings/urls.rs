//! `urlParse` and `urlJoin`: Go's `net/url` parsing and printing for the
//! parts Sprig exposes (scheme, userinfo, host, hostname, path, query,
//! opaque, fragment).

use crate::engine::funcs::conv::{arg_map, arg_str, arity, to_string};
use crate::engine::funcs::FuncTable;
use crate::value::{Map, Value};

pub fn register(table: &mut FuncTable) {
    table.add("urlParse", url_parse);
    table.add("urlJoin", url_join);
}

/// The parts of a URL the way Go's `url.Parse` splits them.
#[derive(Default, Debug, PartialEq)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<String>,
    host: String,
    path: String,
    query: String,
    force_query: bool,
    fragment: String,
}

/// Percent-decoding; a bad escape is Go's error.
fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
            let Some(h) = hex else {
                let bad: String = s[i..].chars().take(3).collect();
                return Err(format!(
                    "invalid URL escape {}",
                    crate::strconv::quote(&bad)
                ));
            };
            out.push(u8::from_str_radix(h, 16).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn parse(raw: &str) -> Result<Url, String> {
    let mut u = Url::default();
    let (rest, frag) = raw.split_once('#').unwrap_or((raw, ""));
    u.fragment = unescape(frag)?;
    let mut rest = rest;
    // A scheme is a letter, then letters, digits, '+', '-' or '.', then ':'.
    if let Some(colon) = rest.find(':') {
        let cand = &rest[..colon];
        let valid = cand.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if colon == 0 {
            return Err("missing protocol scheme".into());
        }
        if valid {
            u.scheme = cand.to_ascii_lowercase();
            rest = &rest[colon + 1..];
        }
    }
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        u.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        u.query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !u.scheme.is_empty() {
            u.opaque = rest.to_string();
            return Ok(u);
        }
        if rest.split('/').next().is_some_and(|seg| seg.contains(':')) {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!u.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        rest = &after[end..];
        let host = match authority.rfind('@') {
            Some(at) => {
                u.user = Some(authority[..at].to_string());
                &authority[at + 1..]
            }
            None => authority,
        };
        u.host = unescape(host)?;
    }
    u.path = unescape(rest)?;
    Ok(u)
}

/// `url.URL.Hostname`: the host without a port or IPv6 brackets.
fn hostname(host: &str) -> String {
    if let Some(inner) = host.strip_prefix('[') {
        return inner.split(']').next().unwrap_or("").to_string();
    }
    match host.rfind(':') {
        Some(i) if host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => host[..i].to_string(),
        _ => host.to_string(),
    }
}

/// Go's `url.escape`: unreserved characters and `extra` stay, the rest is `%XX`.
fn escape(s: &str, extra: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "-_.~".contains(c) || extra.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Go's `Userinfo.String`: name and password escaped, `:` between them.
fn userinfo(raw: &str) -> Result<String, String> {
    let (name, pass) = match raw.split_once(':') {
        Some((n, p)) => (unescape(n)?, Some(unescape(p)?)),
        None => (unescape(raw)?, None),
    };
    let mut s = escape(&name, "$&+,;=!*'()");
    if let Some(p) = pass {
        s.push(':');
        s.push_str(&escape(&p, "$&+,;=!*'()"));
    }
    Ok(s)
}

/// `url.URL.String`.
fn format(u: &Url) -> Result<String, String> {
    let mut out = String::new();
    if !u.scheme.is_empty() {
        out.push_str(&u.scheme);
        out.push(':');
    }
    if !u.opaque.is_empty() {
        out.push_str(&u.opaque);
    } else {
        if !u.scheme.is_empty() || !u.host.is_empty() || u.user.is_some() {
            if !u.host.is_empty() || !u.path.is_empty() || u.user.is_some() {
                out.push_str("//");
            }
            if let Some(user) = &u.user {
                out.push_str(&userinfo(user)?);
                out.push('@');
            }
            out.push_str(&escape(&u.host, "!$&'()*+,;=:[]<>\""));
        }
        let path = escape(&u.path, "$&+,/:;=@");
        if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
            out.push('/');
        }
        if out.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
            out.push_str("./");
        }
        out.push_str(&path);
    }
    if u.force_query || !u.query.is_empty() {
        out.push('?');
        out.push_str(&u.query);
    }
    if !u.fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(&u.fragment, "$&+,/:;=@!()*?"));
    }
    Ok(out)
}

/// `urlParse URL`: a dict of the URL's parts.
fn url_parse(args: &[Value]) -> Result<Value, String> {
    arity("urlParse", args, 1)?;
    let raw = arg_str(&args[0])?;
    let u = parse(raw).map_err(|e| {
        format!(
            "error calling urlParse: unable to parse url: parse {}: {e}",
            crate::strconv::quote(raw)
        )
    })?;
    let user = match &u.user {
        Some(raw_user) => userinfo(raw_user).map_err(|e| format!("error calling urlParse: {e}"))?,
        None => String::new(),
    };
    let m = Map::new();
    m.insert("scheme", Value::str(u.scheme.as_str()));
    m.insert("host", Value::str(u.host.as_str()));
    m.insert("hostname", Value::str(hostname(&u.host)));
    m.insert("path", Value::str(u.path.as_str()));
    m.insert("query", Value::str(u.query.as_str()));
    m.insert("opaque", Value::str(u.opaque.as_str()));
    m.insert("fragment", Value::str(u.fragment.as_str()));
    m.insert("userinfo", Value::str(user));
    Ok(Value::map(m))
}

/// `urlJoin DICT`: a URL from the parts `urlParse` returns.
fn url_join(args: &[Value]) -> Result<Value, String> {
    arity("urlJoin", args, 1)?;
    let d = arg_map(&args[0])?;
    let part = |k: &str| {
        d.and_then(|m| m.get(k))
            .map(|v| to_string(&v))
            .unwrap_or_default()
    };
    let user = part("userinfo");
    let u = Url {
        scheme: part("scheme"),
        host: part("host"),
        path: part("path"),
        query: part("query"),
        opaque: part("opaque"),
        fragment: part("fragment"),
        user: (!user.is_empty()).then_some(user),
        force_query: false,
    };
    format(&u)
        .map(Value::str)
        .map_err(|e| format!("error calling urlJoin: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by Helm 4.2.3.
    #[test]
    fn parse_and_join_like_go() {
        let v = url_parse(&[Value::str("http://u:p@h:8/p?q=1#f")]).unwrap();
        assert_eq!(
            v.to_string(),
            "map[fragment:f host:h:8 hostname:h opaque: path:/p query:q=1 scheme:http userinfo:u:p]"
        );
        let parts = Map::new();
        parts.insert("scheme", Value::str("https"));
        parts.insert("host", Value::str("x"));
        parts.insert("path", Value::str("/a"));
        assert_eq!(
            url_join(&[Value::map(parts)]).unwrap(),
            Value::str("https://x/a")
        );
        let round = url_join(&[v]).unwrap();
        assert_eq!(round, Value::str("http://u:p@h:8/p?q=1#f"));
        assert!(url_parse(&[Value::str("%zz")]).is_err());
        assert_eq!(parse("mailto:a@b").unwrap().opaque, "a@b");
    }
}
