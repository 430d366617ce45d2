//! A safe event stream over libyaml's parser (libyaml-rs, the YAML
//! organization's Rust port, which yaml_serde also uses). go-yaml is itself a port of libyaml, so the
//! same scanner and parser give the same acceptance, scalar styles and error
//! messages ("mapping values are not allowed in this context").
//!
//! This is the only file with `unsafe`: every pointer read is of memory the
//! parser owns until the event is deleted, and everything is copied out first.

use libyaml_rs as unsafe_yaml;
use std::mem::MaybeUninit;

/// A position in the input: 0-based line and column, as libyaml counts them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Mark {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, PartialEq)]
pub(crate) enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias {
        anchor: String,
    },
    Scalar {
        anchor: Option<String>,
        tag: Option<String>,
        value: String,
        /// Written without quotes or block indicator.
        plain: bool,
        /// libyaml's `plain_implicit`: plain and untagged.
        implicit: bool,
    },
    SequenceStart {
        anchor: Option<String>,
    },
    SequenceEnd,
    MappingStart {
        anchor: Option<String>,
    },
    MappingEnd,
}

/// A parse error as libyaml reports it.
#[derive(Debug, Clone)]
pub(crate) struct ParseError {
    pub problem: String,
    pub problem_mark: Mark,
    /// What libyaml was reading when it failed ("while parsing a flow
    /// sequence"), starting at `context_mark`.
    pub context: Option<String>,
    pub context_mark: Mark,
    pub scanner: bool,
}

pub(crate) struct Parser<'a> {
    sys: Box<unsafe_yaml::yaml_parser_t>,
    // The parser reads from this buffer through a raw pointer.
    _input: &'a [u8],
    failed: bool,
    /// An error found by this wrapper rather than by libyaml (see `next`).
    refused: Option<ParseError>,
}

/// Every event libyaml gives for `src`, up to the end of the stream.
pub(crate) fn all(src: &str) -> Result<Vec<Event>, ParseError> {
    let mut parser = Parser::new(src);
    let mut out = Vec::new();
    loop {
        let (e, _) = parser.next()?;
        let end = e == Event::StreamEnd;
        out.push(e);
        if end {
            return Ok(out);
        }
    }
}

/// Where the reader takes its events from: libyaml, or a replay of events
/// made beforehand (see `fast.rs`).
pub(crate) trait Events {
    fn next(&mut self) -> Result<(Event, Mark), ParseError>;
}

impl Events for Parser<'_> {
    fn next(&mut self) -> Result<(Event, Mark), ParseError> {
        Parser::next(self)
    }
}

/// Events made beforehand, played back in order.
pub(crate) struct Replay(pub std::vec::IntoIter<(Event, Mark)>);

impl Events for Replay {
    fn next(&mut self) -> Result<(Event, Mark), ParseError> {
        Ok(self.0.next().unwrap_or((Event::StreamEnd, Mark::default())))
    }
}

impl<'a> Parser<'a> {
    pub fn new(input: &'a str) -> Parser<'a> {
        let bytes = input.as_bytes();
        // SAFETY: yaml_parser_t is plain data; yaml_parser_initialize fills it
        // in. The Box keeps its address stable, and `bytes` outlives the parser.
        unsafe {
            let mut sys: Box<MaybeUninit<unsafe_yaml::yaml_parser_t>> =
                Box::new(MaybeUninit::zeroed());
            let p = sys.as_mut_ptr();
            // Initialization only fails when memory allocation does, which
            // aborts in Rust anyway.
            let _ = unsafe_yaml::yaml_parser_initialize(p);
            // No encoding is set: like go-yaml, libyaml then detects it and
            // skips a byte-order mark.
            unsafe_yaml::yaml_parser_set_input_string(p, bytes.as_ptr(), bytes.len() as _);
            let sys: Box<unsafe_yaml::yaml_parser_t> = Box::from_raw(Box::into_raw(sys).cast());
            Parser {
                sys,
                _input: bytes,
                failed: false,
                refused: None,
            }
        }
    }

    /// The next event and where it starts.
    pub fn next(&mut self) -> Result<(Event, Mark), ParseError> {
        if self.failed {
            return Err(self.refused.clone().unwrap_or_else(|| self.error()));
        }
        let mut event = MaybeUninit::<unsafe_yaml::yaml_event_t>::zeroed();
        // SAFETY: the parser was initialized in `new`; the event is read only
        // after a successful parse and deleted before returning.
        unsafe {
            let p: *mut unsafe_yaml::yaml_parser_t = &mut *self.sys;
            let ev = event.as_mut_ptr();
            if unsafe_yaml::yaml_parser_parse(p, ev).fail {
                self.failed = true;
                return Err(self.error());
            }
            let mark = Mark {
                line: (*ev).start_mark.line as usize,
                column: (*ev).start_mark.column as usize,
            };
            let refused = newer_than_go_yaml(&*ev);
            let converted = convert(&*ev);
            unsafe_yaml::yaml_event_delete(ev);
            if refused {
                let error = ParseError {
                    problem: "found incompatible YAML document".to_string(),
                    problem_mark: mark,
                    context: None,
                    context_mark: mark,
                    scanner: false,
                };
                self.failed = true;
                self.refused = Some(error.clone());
                return Err(error);
            }
            Ok((converted, mark))
        }
    }

    fn error(&self) -> ParseError {
        let s: &unsafe_yaml::yaml_parser_t = &self.sys;
        // SAFETY: `problem` is null or a static C string set by libyaml.
        let problem = unsafe { c_string(s.problem as *const u8) }
            .unwrap_or_else(|| "unknown problem parsing YAML content".to_string());
        ParseError {
            problem,
            problem_mark: Mark {
                line: s.problem_mark.line as usize,
                column: s.problem_mark.column as usize,
            },
            // SAFETY: as `problem`.
            context: unsafe { c_string(s.context as *const u8) },
            context_mark: Mark {
                line: s.context_mark.line as usize,
                column: s.context_mark.column as usize,
            },
            scanner: s.error == unsafe_yaml::YAML_SCANNER_ERROR,
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialized in `new`, deleted once.
        unsafe { unsafe_yaml::yaml_parser_delete(&mut *self.sys) }
    }
}

/// Copies a NUL-terminated string; `None` for a null pointer.
unsafe fn c_string(p: *const u8) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let mut len = 0;
    while *p.add(len) != 0 {
        len += 1;
    }
    let bytes = std::slice::from_raw_parts(p, len);
    Some(utf8(bytes))
}

/// libyaml accepts `%YAML 1.2`; go-yaml, Helm's parser, knows only 1.1 and
/// refuses the document with libyaml's words for any other version.
unsafe fn newer_than_go_yaml(ev: &unsafe_yaml::yaml_event_t) -> bool {
    if ev.type_ != unsafe_yaml::YAML_DOCUMENT_START_EVENT {
        return false;
    }
    let version = ev.data.document_start.version_directive;
    !version.is_null() && ((*version).major, (*version).minor) != (1, 1)
}

unsafe fn convert(ev: &unsafe_yaml::yaml_event_t) -> Event {
    match ev.type_ {
        unsafe_yaml::YAML_STREAM_START_EVENT => Event::StreamStart,
        unsafe_yaml::YAML_DOCUMENT_START_EVENT => Event::DocumentStart,
        unsafe_yaml::YAML_DOCUMENT_END_EVENT => Event::DocumentEnd,
        unsafe_yaml::YAML_ALIAS_EVENT => Event::Alias {
            anchor: c_string(ev.data.alias.anchor).unwrap_or_default(),
        },
        unsafe_yaml::YAML_SCALAR_EVENT => {
            let d = &ev.data.scalar;
            let value = if d.value.is_null() {
                String::new()
            } else {
                let bytes = std::slice::from_raw_parts(d.value, d.length as usize);
                // libyaml checks the input is UTF-8; escapes make valid UTF-8 too.
                utf8(bytes)
            };
            Event::Scalar {
                anchor: c_string(d.anchor),
                tag: c_string(d.tag),
                value,
                plain: d.style == unsafe_yaml::YAML_PLAIN_SCALAR_STYLE,
                implicit: d.plain_implicit,
            }
        }
        unsafe_yaml::YAML_SEQUENCE_START_EVENT => Event::SequenceStart {
            anchor: c_string(ev.data.sequence_start.anchor),
        },
        unsafe_yaml::YAML_SEQUENCE_END_EVENT => Event::SequenceEnd,
        unsafe_yaml::YAML_MAPPING_START_EVENT => Event::MappingStart {
            anchor: c_string(ev.data.mapping_start.anchor),
        },
        unsafe_yaml::YAML_MAPPING_END_EVENT => Event::MappingEnd,
        _ => Event::StreamEnd,
    }
}

/// Owned text of libyaml's output bytes, which are UTF-8 (`\x` escapes of
/// invalid sequences are the exception that gets replacement characters).
fn utf8(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}
