//! Splitting a multi-document YAML stream into documents while keeping every
//! byte, so that a document nobody changes can be written back exactly as it came.
//!
//! A document starts at a `---` marker line (or at the start of the stream) and
//! runs up to the next marker line. The marker line belongs to the document it
//! opens, so concatenating the documents' bytes gives back the stream.
//! YAML forbids `---` followed by a space, a tab or a line end at the start of
//! a line anywhere except as a document marker, so a line scan is exact; no
//! scalar can hide one.

use std::io::{self, BufRead};

/// One document of a stream, with its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDoc {
    /// The document's number in messages, counted from 1 as users and
    /// libyaml count. A part before the first
    /// marker that holds only comments or blank lines is not a document to
    /// YAML, so it is number 0 and the document after it is 1.
    pub number: usize,
    /// 1-based line of the stream where the document's bytes begin.
    pub first_line: usize,
    /// The document's bytes, marker line included.
    pub bytes: Vec<u8>,
}

impl RawDoc {
    /// The document as text; YAML streams are UTF-8 (an invalid byte makes the
    /// parse fail with a message, never a panic).
    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.bytes)
    }

    /// Whether the document opens with its own `---` marker line.
    pub fn has_marker(&self) -> bool {
        is_marker(first_line(&self.bytes))
    }

    /// The path of the first `# Source: PATH` comment before any content, as
    /// Helm writes it, for naming the document in messages.
    pub fn source(&self) -> Option<&str> {
        for line in self.bytes.split(|&b| b == b'\n') {
            let line = trim_ascii(line);
            if line.is_empty() || is_marker(line) || line.starts_with(b"%") {
                continue;
            }
            if let Some(rest) = line.strip_prefix(b"# Source:") {
                return std::str::from_utf8(trim_ascii(rest)).ok();
            }
            if !line.starts_with(b"#") {
                return None;
            }
        }
        None
    }

    /// The head of the document a rewrite keeps: the marker line and the
    /// comment and blank lines that precede the content (Helm's `# Source:`).
    /// A marker carrying content on its own line (`--- {a: 1}`) keeps only
    /// `---` since the content is re-emitted.
    pub fn head(&self) -> Vec<u8> {
        let mut head = Vec::new();
        let mut rest = &self.bytes[..];
        // Until the marker: directives (`%YAML 1.1`) and comments may come
        // before it.
        let mut opening = true;
        while !rest.is_empty() {
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |i| i + 1);
            let line = &rest[..end];
            let trimmed = trim_ascii(line);
            if opening && line.starts_with(b"%") {
                head.extend_from_slice(line);
                rest = &rest[end..];
                continue;
            }
            if opening && is_marker(line) {
                let after = trim_ascii(&line[3..]);
                if after.is_empty() || after.starts_with(b"#") {
                    head.extend_from_slice(line);
                } else {
                    head.extend_from_slice(b"---\n");
                    break;
                }
                opening = false;
            } else if trimmed.is_empty() || trimmed.starts_with(b"#") {
                head.extend_from_slice(line);
            } else {
                break;
            }
            rest = &rest[end..];
        }
        if !head.is_empty() && !head.ends_with(b"\n") {
            head.push(b'\n');
        }
        head
    }

    /// Whether the document's last line (blank ones aside) is a `...` end
    /// marker, which a rewrite keeps: directives may follow it.
    pub fn has_end_marker(&self) -> bool {
        self.bytes
            .split(|&b| b == b'\n')
            .map(trim_ascii)
            .rfind(|l| !l.is_empty())
            .is_some_and(|l| l == b"...")
    }

    /// Whether the document holds nothing but markers, comments and blank lines.
    pub fn is_blank(&self) -> bool {
        self.bytes.split(|&b| b == b'\n').all(|line| {
            let t = trim_ascii(line);
            let marker_alone = is_marker(line) && {
                let after = trim_ascii(&line[3..]);
                after.is_empty() || after.starts_with(b"#")
            };
            t.is_empty() || t.starts_with(b"#") || marker_alone || t == b"..."
        })
    }
}

/// Where the directives (`%YAML 1.1`, `%TAG …`) at the end of `bytes` begin,
/// with the comments and blank lines among them, when there are any and they
/// stand where YAML allows directives: at the start of the stream part, or
/// after a `...` line. They open the next document, not this one.
fn directives_from(bytes: &[u8]) -> Option<usize> {
    let mut any = false;
    let mut end = bytes.len();
    // Lines from the last one up: almost every document ends in a line that
    // is none of these, so only that line is looked at.
    while end > 0 {
        let before_newline = if bytes[end - 1] == b'\n' {
            end - 1
        } else {
            end
        };
        let start = memchr::memrchr(b'\n', &bytes[..before_newline]).map_or(0, |i| i + 1);
        let line = &bytes[start..end];
        let t = trim_ascii(line);
        if line.starts_with(b"%") {
            any = true;
        } else if t == b"..." {
            return any.then_some(end);
        } else if !(t.is_empty() || t.starts_with(b"#")) {
            return None;
        }
        end = start;
    }
    any.then_some(0)
}

/// Whether a line is a `---` document marker: three dashes at column 0 followed
/// by whitespace or the end of the line.
pub fn is_marker(line: &[u8]) -> bool {
    line.starts_with(b"---") && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

fn first_line(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    &bytes[..end]
}

fn trim_ascii(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Reads documents one at a time from a byte stream, holding only the
/// document being read.
pub struct Splitter<R> {
    input: R,
    /// The marker line that ended the previous document and opens the next.
    pending: Vec<u8>,
    /// How many lines `pending` holds (the marker, and directives before it).
    pending_lines: usize,
    line: usize,
    /// Documents numbered so far.
    numbered: usize,
    done: bool,
}

impl<R: BufRead> Splitter<R> {
    pub fn new(input: R) -> Self {
        Splitter {
            input,
            pending: Vec::new(),
            pending_lines: 0,
            line: 1,
            numbered: 0,
            done: false,
        }
    }

    /// The next document, or `None` at the end of the stream. An empty stream
    /// has no documents; a stream with content always yields its part before
    /// the first marker as a document, even if empty, so that the bytes
    /// concatenate back to the input.
    pub fn next_doc(&mut self) -> io::Result<Option<RawDoc>> {
        if self.done {
            return Ok(None);
        }
        let first_line = self.line;
        let mut bytes = std::mem::take(&mut self.pending);
        self.line += std::mem::take(&mut self.pending_lines);
        // Runs of lines that cannot be markers are copied straight onto the
        // document; a line that may be one is read apart, so that a marker
        // opening the next document never grows this one's buffer.
        loop {
            let start = bytes.len();
            if start > 0 && self.take_plain_lines(&mut bytes)? {
                continue;
            }
            let mut line = Vec::new();
            if self.input.read_until(b'\n', &mut line)? == 0 {
                self.done = true;
                if bytes.is_empty() {
                    return Ok(None);
                }
                break;
            }
            // A marker ends the document being read, unless nothing has been
            // read yet: then the stream opens with it and it is ours. So it
            // is when what was read holds only directives (`%YAML 1.1`) and
            // comments: they belong to the document the marker opens.
            if start > 0 && is_marker(&line) {
                match directives_from(&bytes) {
                    Some(0) => {}
                    // After a `...` line: the directives go with the marker.
                    Some(at) => {
                        let mut next = bytes.split_off(at);
                        let moved = next.iter().filter(|&&b| b == b'\n').count();
                        next.extend_from_slice(&line);
                        self.line -= moved;
                        self.pending_lines = moved + 1;
                        self.pending = next;
                        break;
                    }
                    None => {
                        self.pending = line;
                        self.pending_lines = 1;
                        break;
                    }
                }
            }
            if line.ends_with(b"\n") {
                self.line += 1;
            }
            bytes.extend_from_slice(&line);
        }
        let mut doc = RawDoc {
            number: 0,
            first_line,
            bytes,
        };
        // Only the first part can lack a marker.
        if doc.has_marker() || !doc.is_blank() {
            self.numbered += 1;
            doc.number = self.numbered;
        }
        Ok(Some(doc))
    }

    /// Takes the whole lines at the head of the reader's buffer up to one
    /// that opens with `-` (which may be a marker) in one copy; whether it
    /// took any. Most lines of a manifest are no marker, and reading them
    /// one `read_until` at a time cost more than what is done with them.
    fn take_plain_lines(&mut self, bytes: &mut Vec<u8>) -> io::Result<bool> {
        let buf = loop {
            match self.input.fill_buf() {
                Ok(buf) => break buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        let mut taken = 0;
        if buf.first() != Some(&b'-') {
            for i in memchr::memchr_iter(b'\n', buf) {
                taken = i + 1;
                self.line += 1;
                if buf.get(taken) == Some(&b'-') {
                    break;
                }
            }
        }
        bytes.extend_from_slice(&buf[..taken]);
        self.input.consume(taken);
        Ok(taken > 0)
    }
}

impl<R: BufRead> Iterator for Splitter<R> {
    type Item = io::Result<RawDoc>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_doc().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<RawDoc> {
        Splitter::new(s.as_bytes()).map(|d| d.unwrap()).collect()
    }

    #[test]
    fn concatenation_gives_back_the_stream() {
        for s in [
            "",
            "a: 1\n",
            "---\na: 1\n---\nb: 2",
            "# head\n---\n# Source: x\na: 1\n---\n---\n",
            "a: |\n  ---\n  text\n--- # c\nb: 2\n\n\n",
            "---x\n--- \r\n---\t\nz",
        ] {
            let docs = split(s);
            let joined: Vec<u8> = docs.iter().flat_map(|d| d.bytes.clone()).collect();
            assert_eq!(String::from_utf8(joined).unwrap(), s, "{s:?}");
        }
    }

    #[test]
    fn small_reads_split_as_one_read_does() {
        let streams = [
            "---\n# Source: c/a.yaml\na: 1\n- b\n---\nb: 2\nc: 3\n---x: 1\n",
            "%YAML 1.1\n# c\n---\na: 1\n...\n%YAML 1.1\n---\nb: 2\n---\nc: 3",
            "a: |\n  ---\n  text\n--- # c\nb: 2\n\n\n-\n--\n---\n",
        ];
        for s in streams {
            let whole = split(s);
            for capacity in 1..12 {
                let reader = io::BufReader::with_capacity(capacity, s.as_bytes());
                let parts: Vec<RawDoc> = Splitter::new(reader).map(|d| d.unwrap()).collect();
                let view = |docs: &[RawDoc]| -> Vec<(usize, usize, Vec<u8>)> {
                    docs.iter()
                        .map(|d| (d.number, d.first_line, d.bytes.clone()))
                        .collect()
                };
                assert_eq!(
                    view(&parts),
                    view(&whole),
                    "{s:?} read {capacity} bytes at a time"
                );
            }
        }
    }

    #[test]
    fn markers_open_documents_and_lines_are_counted() {
        let docs = split("---\n# Source: c/a.yaml\na: 1\n---\nb: 2\nc: 3\n---x: 1\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].first_line, 1);
        assert_eq!(docs[0].source(), Some("c/a.yaml"));
        assert_eq!(docs[1].first_line, 4);
        assert_eq!((docs[0].number, docs[1].number), (1, 2));
        assert!(docs[1].bytes.ends_with(b"---x: 1\n"));
    }

    #[test]
    fn directives_open_the_document_after_them() {
        let s = "%YAML 1.1\n# c\n---\na: 1\n...\n%YAML 1.1\n---\nb: 2\n---\nc: 3\n";
        let docs = split(s);
        let texts: Vec<&str> = docs.iter().map(|d| d.text().unwrap()).collect();
        assert_eq!(
            texts,
            [
                "%YAML 1.1\n# c\n---\na: 1\n...\n",
                "%YAML 1.1\n---\nb: 2\n",
                "---\nc: 3\n"
            ]
        );
        let lines: Vec<usize> = docs.iter().map(|d| d.first_line).collect();
        assert_eq!(lines, [1, 6, 9]);
        let numbers: Vec<usize> = docs.iter().map(|d| d.number).collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert_eq!(docs[1].head(), b"%YAML 1.1\n---\n");
        assert!(docs[0].has_end_marker() && !docs[1].has_end_marker());
        assert_eq!(docs[0].head(), b"%YAML 1.1\n# c\n---\n");
        // A directive inside a document's content is that document's error.
        let docs = split("a: 1\n%YAML 1.1\n---\nb: 2\n");
        assert_eq!(docs[0].text().unwrap(), "a: 1\n%YAML 1.1\n");
    }

    #[test]
    fn a_leading_part_without_marker_is_document_zero() {
        let docs = split("a: 1\n---\nb: 2\n");
        assert_eq!(docs.len(), 2);
        assert!(!docs[0].has_marker());
        assert!(docs[1].has_marker());
        assert_eq!(docs[1].first_line, 2);
    }

    #[test]
    fn head_keeps_marker_and_leading_comments() {
        let d = &split("--- # x\n# Source: a\n\nkind: A\n# tail\n")[0];
        assert_eq!(d.head(), b"--- # x\n# Source: a\n\n");
        let d = &split("--- {a: 1}\n")[0];
        assert_eq!(d.head(), b"---\n");
        assert!(split("---\n# only\n")[0].is_blank());
        assert!(!split("---\na: 1\n")[0].is_blank());
    }
}
