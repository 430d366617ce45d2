//! Semantic versions and Masterminds constraints (`~18.6`, `^13`, `18.x`,
//! `>=1.2 <2`, `1.2 - 1.4 || 2.x`), shared by `semverCompare` in templates and by
//! chart version resolution.
//!
//! This follows Masterminds/semver v3 as Helm 4 links it: versions parse leniently
//! like `NewVersion` (`v1.2`, `1`, leading zeros in the numbers), versions compare
//! by the spec (prereleases sort before their release), and constraints use the
//! npm/Cargo-like rules in which a prerelease only satisfies an AND group that
//! names a prerelease itself (`>=1.19-0`). Error texts are Masterminds' own, since
//! templates print them.

use regex::Regex;
use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

/// Longest version string Masterminds accepts.
const MAX_VERSION_LEN: usize = 256;

/// A parse error, displayed exactly as Masterminds words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn err(msg: impl Into<String>) -> Error {
    Error(msg.into())
}

/// Go's `\s` is ASCII whitespace only; Rust's is Unicode, so spell it out.
const WS: &str = r"[\t\n\f\r ]";

/// The version part of a constraint (Masterminds' `cvRegex`): wildcards allowed
/// in the numbers, 9 capture groups.
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

/// The operators, in Masterminds' order: the regex engine takes the first
/// alternative that lets the whole pattern match, as Go's does.
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

/// One lazily compiled pattern: compiling costs more than most renders spend
/// on versions, so each is built only when first needed, which is when a
/// constraint is more than one term (see [`split`] for the rest).
struct Pattern {
    cell: OnceLock<Regex>,
    source: fn() -> String,
}

impl Pattern {
    const fn new(source: fn() -> String) -> Pattern {
        Pattern {
            cell: OnceLock::new(),
            source,
        }
    }

    fn get(&self) -> &Regex {
        self.cell
            .get_or_init(|| Regex::new(&(self.source)()).expect("semver pattern compiles"))
    }
}

static CONSTRAINT: Pattern = Pattern::new(|| format!("^{WS}*({OPS}){WS}*({CV}){WS}*$"));
static RANGE: Pattern = Pattern::new(|| format!("{WS}*({CV}){WS}+-{WS}+({CV}){WS}*"));
static FIND: Pattern = Pattern::new(|| format!("({OPS}){WS}*({CV})"));
static VALID: Pattern = Pattern::new(|| {
    format!("^({WS}*({OPS}){WS}*({CV}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({CV}){WS}*)*$")
});

/// A version taken apart as Masterminds' patterns take it, borrowed from the text.
struct Parts<'a> {
    major: &'a str,
    /// Without their dots.
    minor: Option<&'a str>,
    patch: Option<&'a str>,
    /// Without the `-` and the `+`; empty when absent.
    pre: &'a str,
    metadata: &'a str,
}

/// Splits all of `s` as `v?N(.N)?(.N)?(-ID(.ID)*)?(+ID(.ID)*)?`, where a
/// number N is a run of bytes that `number` accepts and ID a run of letters,
/// digits and `-`. With digits for N this is Masterminds' version pattern;
/// with wildcards too (`x`, `X`, `*`) its constraint version (`CV`). Such a
/// text matches the pattern in one way only, so taking it apart by hand gives
/// the pattern's groups without compiling it (which costs more than a render
/// spends on versions).
fn split(s: &str, number: fn(u8) -> bool) -> Option<Parts<'_>> {
    let b = s.as_bytes();
    let run = |from: usize, ok: &dyn Fn(u8) -> bool| {
        from + b
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(|&&c| ok(c))
            .count()
    };
    let id = |c: u8| c.is_ascii_alphanumeric() || c == b'-';
    // `ID(.ID)*` from `from`: where it ends, if it has an ID at all.
    let ids = |from: usize| -> Option<usize> {
        let mut end = run(from, &id);
        if end == from {
            return None;
        }
        while b.get(end) == Some(&b'.') && run(end + 1, &id) > end + 1 {
            end = run(end + 1, &id);
        }
        Some(end)
    };
    let start = usize::from(b.first() == Some(&b'v'));
    let mut i = run(start, &number);
    if i == start {
        return None;
    }
    let major = &s[start..i];
    let mut dotted = [None, None];
    for slot in &mut dotted {
        let end = run(i + 1, &number);
        if b.get(i) != Some(&b'.') || end == i + 1 {
            break;
        }
        *slot = Some(&s[i + 1..end]);
        i = end;
    }
    let mut tail = |mark: u8| {
        if b.get(i) != Some(&mark) {
            return Some("");
        }
        let end = ids(i + 1)?;
        let text = &s[i + 1..end];
        i = end;
        Some(text)
    };
    let pre = tail(b'-')?;
    let metadata = tail(b'+')?;
    (i == b.len()).then_some(Parts {
        major,
        minor: dotted[0],
        patch: dotted[1],
        pre,
        metadata,
    })
}

/// A digit or a wildcard: the numbers of a constraint's version. (Masterminds'
/// class also lets `|` through, which only the patterns handle.)
fn wildcard_digit(c: u8) -> bool {
    c.is_ascii_digit() || matches!(c, b'x' | b'X' | b'*')
}

/// A semantic version: `major.minor.patch[-prerelease][+metadata]`.
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    /// Parses leniently, like Masterminds' `NewVersion`: an optional `v`, minor
    /// and patch may be left out (`1.2` is `1.2.0`), and numbers may carry
    /// leading zeros; prerelease numbers may not.
    pub fn parse(s: &str) -> Result<Version, Error> {
        if s.len() > MAX_VERSION_LEN {
            return Err(err(format!(
                "version string is too long (max {MAX_VERSION_LEN} bytes)"
            )));
        }
        let parts =
            split(s, |c| c.is_ascii_digit()).ok_or_else(|| err("invalid semantic version"))?;
        let number = |part: Option<&str>| part.map_or(Ok(0), parse_segment);
        let version = Version {
            major: parse_segment(parts.major)?,
            minor: number(parts.minor)?,
            patch: number(parts.patch)?,
            pre: parts.pre.to_string(),
            metadata: parts.metadata.to_string(),
            original: s.to_string(),
        };
        validate_prerelease(&version.pre)?;
        Ok(version)
    }

    pub fn major(&self) -> u64 {
        self.major
    }

    pub fn minor(&self) -> u64 {
        self.minor
    }

    pub fn patch(&self) -> u64 {
        self.patch
    }

    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    pub fn metadata(&self) -> &str {
        &self.metadata
    }

    /// The string the version was parsed from (`v1.2`), where `to_string` gives
    /// the normalized form (`1.2.0`).
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Masterminds' `Compare`: by numbers, then prerelease; metadata is ignored.
    pub fn compare(&self, other: &Version) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| compare_prerelease(&self.pre, &other.pre))
    }

    /// The next major version (`IncMajor`): prerelease and metadata dropped.
    pub fn inc_major(&self) -> Version {
        Version::from_parts(self.major.saturating_add(1), 0, 0)
    }

    /// The next minor version (`IncMinor`).
    pub fn inc_minor(&self) -> Version {
        Version::from_parts(self.major, self.minor.saturating_add(1), 0)
    }

    /// The next patch version (`IncPatch`); a prerelease of it is that release.
    pub fn inc_patch(&self) -> Version {
        if self.pre.is_empty() {
            Version::from_parts(self.major, self.minor, self.patch.saturating_add(1))
        } else {
            Version::from_parts(self.major, self.minor, self.patch)
        }
    }

    fn from_parts(major: u64, minor: u64, patch: u64) -> Version {
        Version {
            major,
            minor,
            patch,
            pre: String::new(),
            metadata: String::new(),
            original: format!("{major}.{minor}.{patch}"),
        }
    }
}

/// `strconv.ParseUint` of one number, with Go's error text.
fn parse_segment(s: &str) -> Result<u64, Error> {
    s.parse::<u64>().map_err(|_| {
        err(format!(
            "error parsing version segment: strconv.ParseUint: parsing {s:?}: value out of range"
        ))
    })
}

/// The version pattern already limits the characters; what is left is the rule
/// that numeric identifiers have no leading zero.
fn validate_prerelease(pre: &str) -> Result<(), Error> {
    if pre.is_empty() {
        return Ok(());
    }
    for part in pre.split('.') {
        if part.len() > 1 && part.bytes().all(|b| b.is_ascii_digit()) && part.starts_with('0') {
            return Err(err("version segment starts with 0"));
        }
    }
    Ok(())
}

/// The spec's prerelease order: no prerelease sorts after any prerelease;
/// identifiers compare numerically when both are numbers, numbers sort before
/// words, and a longer list wins when one is a prefix of the other.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_empty() {
        return Ordering::Greater;
    }
    if b.is_empty() {
        return Ordering::Less;
    }
    let aparts: Vec<&str> = a.split('.').collect();
    let bparts: Vec<&str> = b.split('.').collect();
    for i in 0..aparts.len().max(bparts.len()) {
        let x = aparts.get(i).copied().unwrap_or("");
        let y = bparts.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    if x.is_empty() {
        return Ordering::Less;
    }
    if y.is_empty() {
        return Ordering::Greater;
    }
    match (x.parse::<u64>(), y.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => x.cmp(y),
    }
}

/// Masterminds' `String()`: the normalized form.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.compare(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Version) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Version) -> Ordering {
        self.compare(other)
    }
}

/// The comparison of one constraint term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `=` or no operator: equality, or tilde when the version has wildcards.
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn parse(s: &str) -> Op {
        match s {
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => Op::TildeOrEqual,
        }
    }
}

/// One term such as `>=1.2` or `~1.x`.
#[derive(Debug, Clone)]
struct Term {
    op: Op,
    /// The version with wildcards replaced by 0.
    con: Version,
    /// The major or minor was a wildcard or missing (`1`, `1.x`, `*`).
    minor_dirty: bool,
    /// The patch was a wildcard or missing (`1.2`, `1.2.x`).
    patch_dirty: bool,
    /// Any part was a wildcard or missing.
    dirty: bool,
}

/// A parsed constraint: OR groups of AND terms.
#[derive(Debug, Clone)]
pub struct Constraint {
    groups: Vec<Group>,
    original: String,
}

#[derive(Debug, Clone)]
struct Group {
    terms: Vec<Term>,
    /// Some term names a prerelease, so prereleases may match this group.
    has_pre: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraint {
    /// Parses like Masterminds' `NewConstraint`: hyphen ranges are rewritten to
    /// `>= a, <= b` first, then `||` splits OR groups whose terms are separated
    /// by spaces or commas.
    pub fn parse(s: &str) -> Result<Constraint, Error> {
        let rewritten = rewrite_ranges(s);
        let mut groups = Vec::new();
        for segment in rewritten.split("||") {
            if let Some(term) = simple_term(segment) {
                let term = term?;
                let has_pre = !term.con.pre.is_empty();
                groups.push(Group {
                    terms: vec![term],
                    has_pre,
                });
                continue;
            }
            if !VALID.get().is_match(segment) {
                let shown = if segment.trim().is_empty() {
                    ""
                } else {
                    segment
                };
                return Err(err(format!("improper constraint: {shown:?}")));
            }
            let mut terms = Vec::new();
            for m in FIND.get().find_iter(segment) {
                terms.push(parse_term(m.as_str())?);
            }
            let has_pre = terms.iter().any(|t| !t.con.pre.is_empty());
            groups.push(Group { terms, has_pre });
        }
        Ok(Constraint {
            groups,
            original: s.to_string(),
        })
    }

    /// Masterminds' `Check`: some OR group whose every term holds.
    pub fn matches(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .any(|g| g.terms.iter().all(|t| term_matches(t, v, g.has_pre)))
    }

    /// The text the constraint was parsed from.
    pub fn as_str(&self) -> &str {
        &self.original
    }
}

/// Rewrites every `a - b` into `>= a, <= b `, as Masterminds' `rewriteRange`.
fn rewrite_ranges(s: &str) -> String {
    let mut out = s.to_string();
    // A range needs whitespace on both sides of its `-`; most constraints
    // have none, and then the pattern need not be compiled at all.
    let ws = |c: u8| matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let b = s.as_bytes();
    if !(1..b.len().saturating_sub(1)).any(|i| b[i] == b'-' && ws(b[i - 1]) && ws(b[i + 1])) {
        return out;
    }
    for caps in RANGE.get().captures_iter(s) {
        let (Some(all), Some(from), Some(to)) = (caps.get(0), caps.get(1), caps.get(11)) else {
            continue;
        };
        let replacement = format!(">= {}, <= {} ", from.as_str(), to.as_str());
        out = out.replacen(all.as_str(), &replacement, 1);
    }
    out
}

/// A segment (between `||`) that is a single term without spaces, as nearly
/// every constraint is (`2.x.x`, `>=1.19-0`, `^3`): an operator, then all the
/// rest a constraint version. The patterns would find that one term and take
/// it apart the same way; `None` leaves any other segment to them.
fn simple_term(segment: &str) -> Option<Result<Term, Error>> {
    let op_len = segment
        .bytes()
        .take_while(|c| b"=!<>~^".contains(c))
        .count();
    let op = &segment[..op_len];
    if !matches!(
        op,
        "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
    ) {
        return None;
    }
    let cv = &segment[op_len..];
    let parts = split(cv, wildcard_digit)?;
    let pre = if parts.pre.is_empty() {
        String::new()
    } else {
        format!("-{}", parts.pre)
    };
    Some(make_term(op, cv, &parts, &pre))
}

fn parse_term(s: &str) -> Result<Term, Error> {
    let caps = CONSTRAINT
        .get()
        .captures(s)
        .ok_or_else(|| err(format!("improper constraint: {s:?}")))?;
    let group = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    let dotted = |i: usize| caps.get(i).map(|m| m.as_str().trim_start_matches('.'));
    let parts = Parts {
        major: group(3),
        minor: dotted(4),
        patch: dotted(5),
        pre: "",
        metadata: "",
    };
    make_term(group(1), group(2), &parts, group(6))
}

/// A term from its operator, its version text `cv`, that version's parts and
/// its prerelease with the `-` (`parts.pre` is not read).
fn make_term(op: &str, cv: &str, parts: &Parts<'_>, pre: &str) -> Result<Term, Error> {
    let op = Op::parse(op);
    let major = parts.major;
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let text = if is_x(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if parts.minor.is_none_or(is_x) {
        minor_dirty = true;
        dirty = true;
        format!("{major}.0.0{pre}")
    } else if parts.patch.is_none_or(is_x) {
        patch_dirty = true;
        dirty = true;
        format!("{major}.{}.0{pre}", parts.minor.unwrap_or_default())
    } else {
        cv.to_string()
    };
    // The pattern lets through things like `1|2` that are no version; Masterminds
    // reports every such failure with one message.
    let con = Version::parse(&text).map_err(|_| err("constraint parser error"))?;
    Ok(Term {
        op,
        con,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

/// One term against a version; `include_pre` says whether the term's group
/// admits prereleases at all.
fn term_matches(t: &Term, v: &Version, include_pre: bool) -> bool {
    if !v.pre.is_empty() && !include_pre {
        return false;
    }
    let c = &t.con;
    match t.op {
        Op::TildeOrEqual => {
            if t.dirty {
                tilde(t, v)
            } else {
                v == c
            }
        }
        Op::NotEqual => not_equal(t, v),
        Op::Greater => {
            if !t.dirty {
                return v > c;
            }
            if v.major != c.major {
                return v.major > c.major;
            }
            if t.minor_dirty {
                // `>11` needs 12 or more: 11.1.0 is not greater.
                return false;
            }
            if t.patch_dirty {
                return v.minor > c.minor;
            }
            v > c
        }
        Op::Less => v < c,
        Op::GreaterEqual => v >= c,
        Op::LessEqual => {
            if !t.dirty {
                return v <= c;
            }
            if v.major > c.major {
                return false;
            }
            !(v.major == c.major && v.minor > c.minor && !t.minor_dirty)
        }
        Op::Tilde => tilde(t, v),
        Op::Caret => caret(t, v),
    }
}

/// `~1.2.3` is `>=1.2.3 <1.3.0`; `~1` is `>=1.0.0 <2.0.0`; `~0.0.0` is anything.
fn tilde(t: &Term, v: &Version) -> bool {
    let c = &t.con;
    if v < c {
        return false;
    }
    if c.major == 0 && c.minor == 0 && c.patch == 0 && !t.minor_dirty && !t.patch_dirty {
        return true;
    }
    if v.major != c.major {
        return false;
    }
    v.minor == c.minor || t.minor_dirty
}

/// `^1.2.3` is `>=1.2.3 <2.0.0`; `^0.2.3` is `>=0.2.3 <0.3.0`; `^0.0.3` is
/// `=0.0.3`; `^0` is `<1.0.0`; `^0.0` is `<0.1.0`.
fn caret(t: &Term, v: &Version) -> bool {
    let c = &t.con;
    if v < c {
        return false;
    }
    if c.major > 0 || t.minor_dirty {
        return v.major == c.major;
    }
    if v.major > 0 {
        return false;
    }
    if c.minor > 0 || t.patch_dirty {
        return v.minor == c.minor;
    }
    if v.minor > 0 {
        return false;
    }
    v.patch == c.patch
}

/// `!=1.2.x` excludes the whole 1.2 line; `!=1.2.3` only that version.
fn not_equal(t: &Term, v: &Version) -> bool {
    let c = &t.con;
    if t.dirty {
        if c.major != v.major {
            return true;
        }
        if c.minor != v.minor && !t.minor_dirty {
            return true;
        }
        if t.minor_dirty {
            return false;
        }
        if c.patch != v.patch && !t.patch_dirty {
            return true;
        }
        if t.patch_dirty {
            if !v.pre.is_empty() || !c.pre.is_empty() {
                return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
            }
            return false;
        }
    }
    v != c
}

/// The newest version that satisfies the constraint, as chart repositories
/// resolve `--version ~18.6`.
pub fn best_match<'a>(
    versions: impl IntoIterator<Item = &'a Version>,
    constraint: &Constraint,
) -> Option<&'a Version> {
    versions
        .into_iter()
        .filter(|v| constraint.matches(v))
        .max_by(|a, b| a.compare(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect(s)
    }

    fn check(c: &str, version: &str) -> bool {
        Constraint::parse(c).expect(c).matches(&v(version))
    }

    /// Texts near the edges of the version grammar.
    const EDGES: &[&str] = &[
        "",
        "v",
        "1",
        "v1",
        "1.",
        "1.2",
        "1.2.",
        "1.2.3",
        "1.2.3.4",
        "01.02.03",
        "1..2",
        "1.2.3-",
        "1.2.3-a",
        "1.2.3-a.",
        "1.2.3-a..b",
        "1.2.3-a.b-c.0",
        "1.2.3+",
        "1.2.3+m.",
        "1.2.3-r+m",
        "1.2.3+m-r",
        "1-a",
        "1.2-a+b.c",
        "x",
        "1.x",
        "1.2.X",
        "*",
        "1.*.3",
        "x.1",
        "1x",
        "vv1",
        "1|2",
        "1.2|3",
        " 1",
        "1 ",
        "1.2.3\n",
        "1.2.3-\u{e9}",
        "-1",
        "+1",
    ];

    #[test]
    fn versions_split_as_the_pattern_matches() {
        // The pattern Version::parse used before taking versions apart by hand.
        let pattern = Regex::new(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
        )
        .unwrap();
        for text in EDGES {
            let by_hand = split(text, |c| c.is_ascii_digit())
                .map(|p| (p.major, p.minor, p.patch, p.pre, p.metadata));
            let by_pattern = pattern.captures(text).map(|c| {
                let group = |i: usize| c.get(i).map_or("", |m| m.as_str());
                let dotted = |i: usize| c.get(i).map(|m| &m.as_str()[1..]);
                (group(1), dotted(2), dotted(3), group(5), group(8))
            });
            assert_eq!(by_hand, by_pattern, "{text:?}");
        }
    }

    #[test]
    fn simple_terms_parse_as_the_patterns_parse_them() {
        for op in [
            "", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^", "=>=", "!",
        ] {
            for cv in EDGES {
                let segment = format!("{op}{cv}");
                let Some(by_hand) = simple_term(&segment) else {
                    continue;
                };
                assert!(VALID.get().is_match(&segment), "{segment:?}");
                let found: Vec<&str> = FIND.get().find_iter(&segment).map(|m| m.as_str()).collect();
                assert_eq!(found, vec![segment.as_str()], "{segment:?}");
                let by_pattern = parse_term(&segment);
                assert_eq!(
                    format!("{by_hand:?}"),
                    format!("{by_pattern:?}"),
                    "{segment:?}"
                );
            }
        }
    }

    #[test]
    fn versions_parse_leniently() {
        assert_eq!(v("v1.2").to_string(), "1.2.0");
        assert_eq!(v("v1.2").original(), "v1.2");
        assert_eq!(v("1").to_string(), "1.0.0");
        assert_eq!(v("01.2.3").to_string(), "1.2.3");
        let full = v("1.2.3-rc.1+build.5");
        assert_eq!((full.prerelease(), full.metadata()), ("rc.1", "build.5"));
    }

    #[test]
    fn bad_versions_fail_with_masterminds_messages() {
        let msg = |s: &str| Version::parse(s).unwrap_err().to_string();
        assert_eq!(msg(""), "invalid semantic version");
        assert_eq!(msg("1.2.x"), "invalid semantic version");
        assert_eq!(msg("1.2.3-a..b"), "invalid semantic version");
        assert_eq!(msg("1.2.3-01"), "version segment starts with 0");
        assert_eq!(
            msg("99999999999999999999.1"),
            "error parsing version segment: strconv.ParseUint: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(
            msg(&"1".repeat(300)),
            "version string is too long (max 256 bytes)"
        );
    }

    #[test]
    fn ordering_follows_the_spec() {
        let mut list: Vec<Version> = [
            "1.0.0",
            "1.0.0-rc.1",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-beta.11",
            "1.0.0-beta.2",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "0.9.9",
        ]
        .iter()
        .map(|s| v(s))
        .collect();
        list.sort();
        let got: Vec<String> = list.iter().map(|x| x.to_string()).collect();
        assert_eq!(
            got,
            [
                "0.9.9",
                "1.0.0-alpha",
                "1.0.0-alpha.1",
                "1.0.0-alpha.beta",
                "1.0.0-beta",
                "1.0.0-beta.2",
                "1.0.0-beta.11",
                "1.0.0-rc.1",
                "1.0.0"
            ]
        );
        assert_eq!(v("1.2.3+a"), v("1.2.3+b"));
    }

    #[test]
    fn constraints_match_as_helm_does() {
        // Each expectation was observed with Helm 4.2.3's semverCompare.
        assert!(check(">=1.19-0", "v1.36.0"));
        assert!(!check("1.2 - 1.4, !=1.3.1 || 2.x", "1.3.1"));
        assert!(check("1.2 - 1.4, !=1.3.1 || 2.x", "1.3.2"));
        assert!(check("1.2 - 1.4", "1.4.9"));
        assert!(check("^0.2", "0.2.9"));
        assert!(check(">=1.19-0 <2", "1.20.0-rc.1"));
        assert!(!check(">=1.19 <2", "1.20.0-rc.1"));
        assert!(check("~18.6", "18.6.1"));
        assert!(!check(">=1.2.3-0", "1.0"));
        assert!(!check("!=1.2.x", "1.2.5"));
        assert!(check("1.2.3+meta", "1.2.3"));
        assert!(!check(">=1.2.3 <2, >1", "1.5.0"));
    }

    #[test]
    fn operators_and_wildcards() {
        assert!(check("~18.6", "18.6.9"));
        assert!(!check("~18.6", "18.7.0"));
        assert!(check("~1", "1.9.0"));
        assert!(check("~>2.0", "2.0.5"));
        assert!(check("^13", "13.9.9"));
        assert!(!check("^13", "14.0.0"));
        assert!(!check("^0.0.3", "0.0.4"));
        assert!(check("18.x", "18.2.0"));
        assert!(check("*", "0.0.1"));
        assert!(!check("*", "1.0.0-rc.1"));
        assert!(check(">11.1", "11.2.0"));
        assert!(!check(">11.1", "11.1.9"));
        assert!(check("<=1.2", "1.2.9"));
        assert!(!check("<=1.2", "1.3.0"));
        assert!(check("=1.2.3", "1.2.3"));
        assert!(check("!=1.2.3", "1.2.4"));
        assert!(check(">= 1.2, < 2.0", "1.5.0"));
    }

    #[test]
    fn bad_constraints_fail_with_masterminds_messages() {
        let msg = |s: &str| Constraint::parse(s).unwrap_err().to_string();
        assert_eq!(msg("foo"), "improper constraint: \"foo\"");
        assert_eq!(msg(" foo "), "improper constraint: \" foo \"");
        assert_eq!(msg(""), "improper constraint: \"\"");
        assert_eq!(msg(">1 ||"), "improper constraint: \"\"");
        assert_eq!(msg(">=1.2 <"), "improper constraint: \">=1.2 <\"");
        assert_eq!(msg(">=1.2.3-01"), "constraint parser error");
    }

    #[test]
    fn arbitrary_text_never_panics() {
        use rand::{Rng, SeedableRng};
        let alphabet: Vec<char> = "0123456789.-+xX*^~=<>!|, vabé".chars().collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..3000 {
            let len = rng.gen_range(0..24);
            let s: String = (0..len)
                .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                .collect();
            if let (Ok(c), Ok(v)) = (Constraint::parse(&s), Version::parse("1.2.3-rc.1")) {
                let _ = c.matches(&v);
            }
            let _ = Version::parse(&s);
        }
    }

    #[test]
    fn best_match_takes_the_newest_satisfying_version() {
        let all: Vec<Version> = ["18.5.0", "18.6.1", "18.6.3", "18.7.0", "18.6.4-rc.1"]
            .iter()
            .map(|s| v(s))
            .collect();
        let c = Constraint::parse("~18.6").unwrap();
        assert_eq!(
            best_match(&all, &c).map(|x| x.to_string()),
            Some("18.6.3".into())
        );
        let none = Constraint::parse(">=19").unwrap();
        assert!(best_match(&all, &none).is_none());
    }
}
