//! A fast scanner for the plain block YAML that values files are written in.
//!
//! libyaml decodes its input one character at a time and is most of the cost
//! of reading a chart's `values.yaml`. Nearly every such file uses a small part
//! of YAML: block mappings and sequences, comments, one-line plain or quoted
//! scalars, and `{}`/`[]`. This scanner reads exactly that part and gives the
//! events libyaml would give; at anything else (anchors, tags, block or
//! multi-line scalars, escapes, flow collections with content, tabs, document
//! markers, odd indentation) it gives up, and the caller reads the text with
//! libyaml instead. Giving up is always safe, so every rule here errs that way.
//!
//! Marks are only roughly right: they matter for errors alone, and a reader
//! that fails on these events reads the text again with libyaml, which then
//! reports the error with its own positions.

use super::events::{Event, Mark};

/// More events than this and the scanner gives up: a text that big may pass
/// the reader's node bound (`reader::MAX_NODES`, at most two events a node),
/// which libyaml's streamed events then meet before memory runs out.
const MAX_EVENTS: usize = 2 * super::reader::MAX_NODES as usize + 8;
/// Longer texts go to libyaml, which streams: the scanner holds every line
/// and event at once.
const MAX_BYTES: usize = 32 << 20;

/// Where a ` #` comment starts in `text`, or its length: by memchr, for
/// `str::find` builds a substring searcher for every scalar it is asked about.
fn comment_start(text: &str) -> usize {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'#', bytes)
        .find(|&i| i > 0 && bytes[i - 1] == b' ')
        .map_or(text.len(), |i| i - 1)
}

/// libyaml's events for `src`, or `None` when `src` is not in the subset.
pub(crate) fn scan(src: &str) -> Option<Vec<(Event, Mark)>> {
    if src.len() > MAX_BYTES || !plain_characters(src.as_bytes()) {
        return None;
    }
    // `split('\n')`, by memchr: str's character searcher costs more per
    // line than the short lines of a values file or manifest take to scan.
    let mut lines: Vec<&str> = Vec::with_capacity(src.len() / 24 + 1);
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', src.as_bytes()) {
        lines.push(&src[start..i]);
        start = i + 1;
    }
    lines.push(&src[start..]);
    // What follows the last line break is a line only if it has text.
    let ends_with_break = src.ends_with('\n');
    if ends_with_break {
        lines.pop();
    }
    let mut s = Scanner {
        out: Vec::with_capacity((src.len() / 16).min(MAX_EVENTS)),
        open: Vec::new(),
        pending: None,
        lines,
        next: 0,
        ends_with_break,
    };
    s.out.push((Event::StreamStart, Mark::default()));
    let mut started = false;
    while let Some(&raw) = s.lines.get(s.next) {
        let n = s.next;
        s.next += 1;
        let indent = raw.bytes().take_while(|&b| b == b' ').count();
        let body = &raw[indent..];
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body.starts_with('\t') || body.starts_with("---") || body.starts_with("...") {
            return None;
        }
        let mark = Mark {
            line: n,
            column: indent,
        };
        if !started {
            s.out.push((Event::DocumentStart, mark));
            started = true;
        }
        s.line(indent, body, mark)?;
        if s.out.len() > MAX_EVENTS {
            return None;
        }
    }
    if started {
        s.close_pending(Mark::default());
        while !s.open.is_empty() {
            s.close_top();
        }
        s.out.push((Event::DocumentEnd, Mark::default()));
    }
    s.out.push((Event::StreamEnd, Mark::default()));
    Some(s.out)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Map,
    Seq,
}

/// A key or `-` whose value has not been seen yet, and its collection's indent.
#[derive(Clone, Copy)]
struct Pending {
    indent: usize,
}

struct Scanner<'s> {
    out: Vec<(Event, Mark)>,
    /// Open block collections, outermost first, with their indents.
    open: Vec<(Kind, usize)>,
    pending: Option<Pending>,
    lines: Vec<&'s str>,
    /// The next line to read.
    next: usize,
    ends_with_break: bool,
}

impl Scanner<'_> {
    /// One line with content, `body` starting at column `indent`.
    fn line(&mut self, indent: usize, body: &str, mark: Mark) -> Option<()> {
        let item = body == "-" || body.starts_with("- ");
        if let Some(p) = self.pending.take() {
            if indent > p.indent || (item && indent == p.indent && self.top_is(Kind::Map, p.indent))
            {
                // The value is the collection this line opens.
                return self.open_at(indent, item, body, mark);
            }
            self.empty_scalar(mark);
        }
        // Close what this line is outside of.
        while let Some(&(kind, at)) = self.open.last() {
            // A sequence at this indent ends at a line that is no `-` entry.
            let inside = at < indent || (at == indent && (kind != Kind::Seq || item));
            if inside {
                break;
            }
            self.close_top();
        }
        match self.open.last() {
            Some(&(kind, at)) if at == indent => {
                if (kind == Kind::Seq) != item {
                    return None;
                }
                self.entry(indent, body, mark)
            }
            // A line deeper than its collection without a key or `-` that
            // asked for it (a continuation line, say).
            Some(_) => None,
            None if self.out.len() == 2 => self.open_at(indent, item, body, mark),
            // A second root node: libyaml reports an error.
            None => None,
        }
    }

    fn top_is(&self, kind: Kind, indent: usize) -> bool {
        self.open.last() == Some(&(kind, indent))
    }

    /// Opens the collection whose first entry is this line.
    fn open_at(&mut self, indent: usize, item: bool, body: &str, mark: Mark) -> Option<()> {
        if self.open.len() >= 512 {
            return None;
        }
        let (kind, start) = if item {
            (Kind::Seq, Event::SequenceStart { anchor: None })
        } else {
            (Kind::Map, Event::MappingStart { anchor: None })
        };
        self.out.push((start, mark));
        self.open.push((kind, indent));
        self.entry(indent, body, mark)
    }

    /// An entry of the collection on top: `- value` or `key: value`.
    fn entry(&mut self, indent: usize, body: &str, mark: Mark) -> Option<()> {
        if body == "-" || body.starts_with("- ") {
            let rest = &body[1..];
            let gap = rest.len() - rest.trim_start_matches(' ').len();
            let value = &rest[gap..];
            if value.is_empty() || value.starts_with('#') {
                self.pending = Some(Pending { indent });
                return Some(());
            }
            if value == "-" || value.starts_with("- ") {
                return None;
            }
            let column = indent + 1 + gap;
            if key_end(value).is_some() {
                // `- key: value`: a mapping starting inside the entry.
                let at = Mark {
                    line: mark.line,
                    column,
                };
                return self.open_at(column, false, value, at);
            }
            return self.value(value, indent, mark);
        }
        let end = key_end(body)?;
        let key = body[..end].trim_end_matches(' ');
        if !plain_ok(key) {
            return None;
        }
        self.scalar(key, true, mark);
        let value = body[end + 1..].trim_start_matches(' ');
        if value.is_empty() || value.starts_with('#') {
            self.pending = Some(Pending { indent });
            return Some(());
        }
        if key_end(value).is_some() && !value.starts_with(['"', '\'']) {
            // `a: b: c` is an error in YAML.
            return None;
        }
        self.value(value, indent, mark)
    }

    /// A value written on its key's or `-`'s line, in a collection at `parent`.
    fn value(&mut self, text: &str, parent: usize, mark: Mark) -> Option<()> {
        match text.as_bytes()[0] {
            b'|' => return self.literal(&text[1..], parent, mark),
            // `[]` and `[ ]` are the empty sequence of the arm below.
            b'[' if !text[1..].trim_start_matches(' ').starts_with(']') => {
                return self.flow_sequence(&text[1..], mark)
            }
            b'"' => {
                let close = text[1..].find('"')? + 1;
                let inner = &text[1..close];
                if inner.contains('\\') || !rest_is_comment(&text[close + 1..]) {
                    return None;
                }
                self.scalar(inner, false, mark);
            }
            b'\'' => {
                let (inner, after) = single_quoted(&text[1..])?;
                if !rest_is_comment(after) {
                    return None;
                }
                self.scalar(&inner, false, mark);
            }
            b'{' | b'[' => {
                // `{}`, `[]`, with spaces inside or not.
                let after = text[1..].trim_start_matches(' ');
                let (start, end, after) = if text.starts_with('{') {
                    let after = after.strip_prefix('}')?;
                    (
                        Event::MappingStart { anchor: None },
                        Event::MappingEnd,
                        after,
                    )
                } else {
                    let after = after.strip_prefix(']')?;
                    (
                        Event::SequenceStart { anchor: None },
                        Event::SequenceEnd,
                        after,
                    )
                };
                if !rest_is_comment(after) {
                    return None;
                }
                self.out.push((start, mark));
                self.out.push((end, mark));
            }
            _ => {
                let cut = comment_start(text);
                let value = text[..cut].trim_end_matches(' ');
                if !plain_ok(value) {
                    return None;
                }
                // A comment ends a plain scalar: no line continues it then.
                let folded = if cut == text.len() {
                    self.plain_continuation(value, parent)?
                } else {
                    None
                };
                self.scalar(folded.as_deref().unwrap_or(value), true, mark);
            }
        }
        Some(())
    }

    /// The lines that continue a plain scalar begun on a key's or `-`'s line
    /// (`first`), as libyaml folds them: every line indented past the
    /// collection (at `parent`) until one that is not, or a comment; a line
    /// break between two of them reads as a space, and each blank line
    /// between as a line break. Go's YAML encoder writes long strings so
    /// (a `description` in `Chart.yaml`). `Some(None)`: no line continues
    /// it; `None`: a continuation line this scanner leaves to libyaml.
    fn plain_continuation(&mut self, first: &str, parent: usize) -> Option<Option<String>> {
        let mut folded: Option<String> = None;
        let mut blanks = 0;
        let mut i = self.next;
        while let Some(&l) = self.lines.get(i) {
            let indent = l.len() - l.trim_start_matches(' ').len();
            let body = &l[indent..];
            if body.is_empty() {
                blanks += 1;
                i += 1;
                continue;
            }
            if indent <= parent || body.starts_with('#') {
                break;
            }
            // What reads as a plain line alone reads the same continuing one
            // (no tab, `: `, ` #` or indicator to weigh).
            let text = body.trim_end_matches(' ');
            if !plain_ok(text) {
                return None;
            }
            let out = folded.get_or_insert_with(|| first.to_string());
            if blanks == 0 {
                out.push(' ');
            }
            for _ in 0..blanks {
                out.push('\n');
            }
            out.push_str(text);
            blanks = 0;
            i += 1;
            self.next = i;
        }
        Some(folded)
    }

    /// A literal block scalar (`|`, `|-`, `|+`) whose lines follow; `header`
    /// is what follows the `|`.
    fn literal(&mut self, header: &str, parent: usize, mark: Mark) -> Option<()> {
        let (keep, strip, rest) = match header.as_bytes().first() {
            Some(b'+') => (true, false, &header[1..]),
            Some(b'-') => (false, true, &header[1..]),
            _ => (false, false, header),
        };
        if !rest_is_comment(rest) {
            return None;
        }
        let mut lines: Vec<&str> = Vec::new();
        let mut indent = None;
        let mut widest_blank = 0;
        let mut i = self.next;
        while let Some(&l) = self.lines.get(i) {
            let sp = l.len() - l.trim_start_matches(' ').len();
            let blank = sp == l.len();
            if l[sp..].starts_with('\t') && indent.is_none_or(|ind| sp < ind) {
                return None;
            }
            match indent {
                None if blank => {
                    widest_blank = widest_blank.max(sp);
                    lines.push("");
                }
                // Nothing in the scalar, or blank lines wider than its text:
                // libyaml's rules for both are subtle, so leave them to it.
                None if sp <= parent || widest_blank > sp => return None,
                None => {
                    indent = Some(sp);
                    lines.push(&l[sp..]);
                }
                Some(ind) if blank && sp > ind => return None,
                Some(_) if blank => lines.push(""),
                Some(ind) if sp < ind => break,
                Some(ind) => lines.push(&l[ind..]),
            }
            i += 1;
        }
        if indent.is_none() || (i == self.lines.len() && !self.ends_with_break) {
            return None;
        }
        self.next = i;
        let trailing = lines.iter().rev().take_while(|l| l.is_empty()).count();
        let mut value = lines[..lines.len() - trailing].join("\n");
        if !strip {
            value.push('\n');
        }
        if keep {
            value.push_str(&"\n".repeat(trailing));
        }
        self.scalar(&value, false, mark);
        Some(())
    }

    /// A one-line flow sequence of scalars, after its `[`.
    fn flow_sequence(&mut self, text: &str, mark: Mark) -> Option<()> {
        let mut items = Vec::new();
        let mut rest = text.trim_start_matches(' ');
        loop {
            let (item, plain, after) = match rest.as_bytes().first()? {
                b'"' => {
                    let close = rest[1..].find('"')? + 1;
                    let inner = &rest[1..close];
                    if inner.contains('\\') {
                        return None;
                    }
                    (inner.to_string(), false, &rest[close + 1..])
                }
                b'\'' => {
                    let (inner, after) = single_quoted(&rest[1..])?;
                    (inner, false, after)
                }
                _ => {
                    let end = rest.find([',', ']'])?;
                    let item = rest[..end].trim_end_matches(' ');
                    // In flow context `?` always starts a key (`[?a]` is
                    // `[{a: null}]`), whatever follows it.
                    if !plain_ok(item)
                        || item.starts_with('?')
                        || item.contains([':', '[', '{', '}', '#'])
                    {
                        return None;
                    }
                    (item.to_string(), true, &rest[end..])
                }
            };
            items.push((item, plain));
            if items.len() > MAX_EVENTS {
                return None;
            }
            rest = after.trim_start_matches(' ');
            if let Some(r) = rest.strip_prefix(',') {
                rest = r.trim_start_matches(' ');
                if rest.starts_with(']') {
                    return None;
                }
            } else {
                rest = rest.strip_prefix(']')?;
                break;
            }
        }
        if !rest_is_comment(rest) {
            return None;
        }
        self.out.push((Event::SequenceStart { anchor: None }, mark));
        for (item, plain) in items {
            self.scalar(&item, plain, mark);
        }
        self.out.push((Event::SequenceEnd, mark));
        Some(())
    }

    fn scalar(&mut self, value: &str, plain: bool, mark: Mark) {
        self.out.push((
            Event::Scalar {
                anchor: None,
                tag: None,
                value: value.to_string(),
                plain,
                implicit: plain,
            },
            mark,
        ));
    }

    /// libyaml's value for a key or `-` followed by nothing.
    fn empty_scalar(&mut self, mark: Mark) {
        self.scalar("", true, mark);
    }

    fn close_pending(&mut self, mark: Mark) {
        if self.pending.take().is_some() {
            self.empty_scalar(mark);
        }
    }

    fn close_top(&mut self) {
        if let Some((kind, _)) = self.open.pop() {
            let end = match kind {
                Kind::Map => Event::MappingEnd,
                Kind::Seq => Event::SequenceEnd,
            };
            self.out.push((end, Mark::default()));
        }
    }
}

/// Where a block key ends: the first `:` followed by a space or the line's end.
fn key_end(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    memchr::memchr_iter(b':', b).find(|&i| i + 1 == b.len() || b[i + 1] == b' ')
}

/// Bytes that may end a plain scalar or make it something else: a tab,
/// `#` (a comment after a space), `:` (a key before a space or the end).
const SPECIAL_INSIDE: [bool; 256] = byte_set(b"\t#:");
/// Bytes that, first, make a scalar no plain one (`-`, `?` and `:` only
/// before a space or the end).
const INDICATOR_FIRST: [bool; 256] = byte_set(b"-?:,[]{}#&*!|>'\"%@`");

const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        set[bytes[i] as usize] = true;
        i += 1;
    }
    set
}

/// A one-line plain scalar that reads the same in key and value position:
/// no indicator first, no comment or mapping inside, no tab.
fn plain_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    // `-`, `?` and `:` are indicators only when a space (or nothing) follows.
    let dash_like = matches!(first, b'-' | b'?' | b':') && bytes.get(1).is_some_and(|&b| b != b' ');
    if (INDICATOR_FIRST[first as usize] && !dash_like) || bytes.len() > 1000 {
        return false;
    }
    // One pass for what four substring searches found: a tab, ` #`, `: `,
    // or a `:` at the end (a scalar is read for every line of every values
    // file and manifest, so this loop is hot: a table says which bytes need
    // a second look).
    for (i, &b) in bytes.iter().enumerate() {
        if !SPECIAL_INSIDE[b as usize] {
            continue;
        }
        let special = match b {
            b'#' => i > 0 && bytes[i - 1] == b' ',
            b':' => matches!(bytes.get(i + 1), None | Some(b' ')),
            _ => true,
        };
        if special {
            return false;
        }
    }
    true
}

/// The text of a single-quoted scalar (after its opening quote) and what
/// follows its closing quote; `''` stands for one quote.
fn single_quoted(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut rest = s;
    loop {
        let i = rest.find('\'')?;
        out.push_str(&rest[..i]);
        if rest[i + 1..].starts_with('\'') {
            out.push('\'');
            rest = &rest[i + 2..];
        } else {
            return Some((out, &rest[i + 1..]));
        }
    }
}

/// Nothing, or spaces and then a comment.
fn rest_is_comment(s: &str) -> bool {
    let t = s.trim_start_matches(' ');
    t.is_empty() || (t.starts_with('#') && t.len() < s.len())
}

/// No character libyaml treats specially in the reader: carriage returns and
/// YAML 1.1's other line breaks (NEL, LS, PS), control characters (which it
/// refuses), byte-order marks and the non-characters U+FFFE/U+FFFF.
///
/// Every manifest document and values file passes here: eight bytes of
/// printable ASCII, line feeds and tabs are passed at a step, and only
/// a step holding something else is looked at a byte at a time.
fn plain_characters(b: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    // The high bit of each byte of `w` (all below 0x80) that equals `c`.
    let equal = |w: u64, c: u8| {
        let x = w ^ (ONES * u64::from(c));
        !(((x & !HIGH) + !HIGH) | x) & HIGH
    };
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let w = u64::from_ne_bytes(chunk.try_into().expect("eight bytes"));
        // The high bit of each byte at or above 0x20 (exact: no borrows
        // cross bytes once every high bit is set).
        let printable = ((w | HIGH) - ONES * 0x20) & HIGH;
        let plain = w & HIGH == 0
            && printable | equal(w, b'\n') | equal(w, b'\t') == HIGH
            && equal(w, 0x7F) == 0;
        if !plain && !plain_bytes(b, at, at + 8) {
            return false;
        }
        at += 8;
    }
    plain_bytes(b, at, b.len())
}

/// [`plain_characters`] for the bytes `from..to` of `b`, one at a time (a
/// character may run past `to`).
fn plain_bytes(b: &[u8], from: usize, to: usize) -> bool {
    (from..to).all(|i| {
        let c = b[i];
        if c < 0x80 {
            return (c >= 0x20 || c == b'\n' || c == b'\t') && c != 0x7f;
        }
        let (n1, n2) = (b.get(i + 1).copied(), b.get(i + 2).copied());
        let bad = (c == 0xC2 && n1.is_some_and(|n| n < 0xA0))
            || (c == 0xE2 && n1 == Some(0x80) && matches!(n2, Some(0xA8 | 0xA9)))
            || (c == 0xEF && n1 == Some(0xBB) && n2 == Some(0xBF))
            || (c == 0xEF && n1 == Some(0xBF) && matches!(n2, Some(0xBE | 0xBF)));
        !bad
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn libyaml(src: &str) -> Result<Vec<Event>, String> {
        crate::yaml::events::all(src).map_err(|e| e.problem)
    }

    /// Whenever the scanner answers, it gives libyaml's events; true when it
    /// answered.
    fn agrees(src: &str) -> bool {
        if let Err(e) = crate::yaml::check_fast_scanner(src) {
            panic!("input {src:?}: {e}");
        }
        scan(src).is_some()
    }

    #[test]
    fn plain_characters_steps_agree_with_bytes() {
        // Every byte, and the sequences libyaml treats specially, at every
        // place of a text spanning three eight-byte steps.
        let mut odd: Vec<Vec<u8>> = (0..=255u8).map(|c| vec![c]).collect();
        for seq in [
            &[0xC2, 0x85][..],
            &[0xC2, 0xA0],
            &[0xE2, 0x80, 0xA8],
            &[0xE2, 0x80, 0xA9],
        ] {
            odd.push(seq.to_vec());
        }
        for seq in [
            &[0xEF, 0xBB, 0xBF][..],
            &[0xEF, 0xBF, 0xBE],
            &[0xEF, 0xBF, 0xBD],
            &[0xC3, 0xA9],
        ] {
            odd.push(seq.to_vec());
        }
        for seq in &odd {
            for at in 0..20 {
                let mut text = b"key: value\n- item\tx: yz!".to_vec();
                let end = (at + seq.len()).min(text.len());
                text.splice(at..end, seq.iter().copied());
                assert_eq!(
                    plain_characters(&text),
                    plain_bytes(&text, 0, text.len()),
                    "{text:?}"
                );
            }
        }
        assert!(plain_characters(
            b"apiVersion: v1\nkind: Pod\n\tname: caf\xc3\xa9\n"
        ));
        assert!(!plain_characters(b"apiVersion: v1\r\nkind: Pod\n"));
    }

    #[test]
    fn the_subset_reads_as_libyaml_reads_it() {
        let taken = [
            "",
            "# only a comment\n",
            "a: 1\n",
            "a: 1\nb: two words # comment\nc:\n",
            "a:\n  b:\n    c: x\n  d: []\ne: {}\n",
            "list:\n- a\n- b\nnext: 1\n",
            "list:\n  - a\n  -\n  - c: 1\n    d: 2\n  - e:\n    - f\n",
            "s: 'it''s'\nd: \"q 'x'\" # c\nu: ''\n",
            "k: -1\nm: -Xmx1g\nq: ?x\nc: :x\nurl: http://a:b/c#frag\n",
            "- a\n- b: 1\n  c: [] # x\n-   d: 2\n    e: 3\n",
            "ünïcode: wörd\nkey with spaces  : v\n",
            "a:\n\n  # comment between\n\n  b: 1\n",
            "a: 1 #\nb: 'x' #c\n",
            "a: |\n  text\n  more\n\n   indented\nb: 1\n",
            "a: |-\n  one\n\n\nb:\n  - |+\n    kept\n\n  - x\n",
            "a: |\n\n  after blank\n  # not a comment\n# a comment\nb: [\"ALL\", 'x', plain words ,z]\n",
            "a:\n  - |\n    in a list\n",
            "a: b\n  c\n",
            "description: A long\n  text, folded\n\n\n  at 80 columns.\n  \nhome: x\n",
            "- one\n  two\n-  three\n     four\n",
            "k:\n- a\n b\n- c\n",
            "m:\n  - k: v\n      w\n    l: 1\n",
            "a: x\n  y\n# c\n  \nb: { }\nc: [ ] # e\nd: [  ]\ne: {  }\n",
        ];
        for src in taken {
            assert!(agrees(src), "not taken: {src:?}");
        }
        let refused = [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: b: c\n",
            "a: b\n  c: d\n",
            "a: b\n  - c\n",
            "a: b # x\n  c\n",
            "a: b\n  c\td\n",
            "a: b\n  # x\n  c\n",
            "a: { x }\n",
            "- - a\n",
            "a:\n- b\nc:\n  d\n",
            "a: \"esc\\n\"\n",
            "a: [1, {b: 2}]\n",
            "a: >\n  folded\n",
            "a: |\n  x",
            "a: [x, ]\n",
            "a:\tb\n",
            "---\na: 1\n",
            "a: 1\r\n",
            "plain\n",
            "a: 1\n- b\n",
            "a: 'open\n",
            "\u{feff}a: 1\n",
            "a: x\u{85}y\n",
            "\"q\": 1\n",
            "a: - b\n",
            // Found by the yaml_fast fuzz target: `?` opens a key in flow context.
            "k: [?a, b]\n",
        ];
        for src in refused {
            assert!(scan(src).is_none(), "taken: {src:?}");
        }
    }

    /// The project's own YAML and the recorded reader cases: the scanner may
    /// refuse any of them, but what it takes reads as libyaml reads it.
    #[test]
    fn project_yaml_reads_as_libyaml_reads_it() {
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("testdata/reader_cases.json")).unwrap();
        for case in &cases {
            if let Some(src) = case["src"].as_str() {
                if libyaml(src).is_ok() {
                    agrees(src);
                } else {
                    assert!(scan(src).is_none(), "took invalid YAML: {src:?}");
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![
            root.join("tests"),
            root.join("overlays"),
            root.join("stacks"),
        ];
        let mut taken = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    if let Ok(src) = std::fs::read_to_string(&path) {
                        if libyaml(&src).is_ok() && agrees(&src) {
                            taken += 1;
                        }
                    }
                }
            }
        }
        assert!(taken > 10, "only {taken} files in the subset");
    }

    /// Every YAML file of the shared corpus's charts, where it is present.
    #[test]
    fn corpus_yaml_reads_as_libyaml_reads_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let Some(charts) = ["../shared/corpus/charts", "../../shared/corpus/charts"]
            .iter()
            .map(|p| root.join(p))
            .find(|p| p.is_dir())
        else {
            eprintln!("skipped: the shared corpus is not here");
            return;
        };
        let (mut taken, mut files) = (0, 0);
        for entry in std::fs::read_dir(charts).unwrap().flatten() {
            let bytes = std::fs::read(entry.path()).unwrap();
            let files_in = crate::chart::archive::read_archive(&bytes, "corpus").unwrap();
            for f in files_in.iter().filter(|f| f.name.ends_with(".yaml")) {
                let Ok(src) = std::str::from_utf8(&f.data) else {
                    continue;
                };
                if f.name.contains("templates/") || libyaml(src).is_err() {
                    continue;
                }
                files += 1;
                if agrees(src) {
                    taken += 1;
                }
            }
        }
        eprintln!("fast YAML scanner took {taken} of {files} corpus YAML files");
        assert!(taken * 2 > files, "took only {taken} of {files}");
    }

    /// A pseudo-random walk over lines in and near the subset: whatever the
    /// scanner takes must read as libyaml reads it, and it must take some.
    #[test]
    fn random_block_yaml_reads_as_libyaml_reads_it() {
        const INDENTS: &[&str] = &["", "  ", "    ", "      ", " ", "   "];
        const HEADS: &[&str] = &[
            "a:", "b:", "- ", "-", "- c:", "key x:", "d :", "e", "f g", "-h", "# c", "",
        ];
        const VALUES: &[&str] = &[
            "",
            " 1",
            " x y",
            " 'q''s'",
            " \"d\"",
            " {}",
            " []",
            " [a, 'b', \"c\"]",
            " |",
            " |-",
            " |+",
            " >",
            " # c",
            " -1",
            " a: b",
            " [a, ]",
            " &x v",
            " x #c",
            " 'u",
            " \"e\\n\"",
            " [a, [b]]",
            " ~",
            "\t",
        ];
        let mut rng = crate::testing::Xorshift(0x2545_F491_4F6C_DD1D);
        let mut next = |n: usize| rng.below(n);
        let mut taken = 0;
        for _ in 0..20_000 {
            let mut src = String::new();
            for _ in 0..next(8) + 1 {
                src.push_str(INDENTS[next(INDENTS.len())]);
                src.push_str(HEADS[next(HEADS.len())]);
                src.push_str(VALUES[next(VALUES.len())]);
                src.push('\n');
            }
            if next(4) == 0 {
                src.pop();
            }
            match libyaml(&src) {
                Ok(_) => {
                    if agrees(&src) {
                        taken += 1;
                    }
                }
                Err(_) => assert!(scan(&src).is_none(), "took invalid YAML: {src:?}"),
            }
        }
        assert!(taken > 1000, "took only {taken}");
    }
}
