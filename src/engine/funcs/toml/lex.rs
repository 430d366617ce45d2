//! The TOML lexer `fromToml` reads with: a state machine that hands out one
//! item at a time, shaped after BurntSushi/toml's (v1.6.0, TOML 1.1 on), because
//! Helm's error texts depend on exactly where that lexer notices a mistake,
//! which line it reports it on and how far the parser had got by then.
//!
//! The states keep a stack (for values inside arrays and inline tables, and
//! for comments) on the heap, so deep nesting costs memory, not recursion.

use std::collections::VecDeque;

use super::go::{quote_rune, quote_str};

/// What the lexer hands the parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Eof,
    /// A bare key part, or a comment's text.
    Text,
    Str,
    RawStr,
    MultiStr,
    RawMultiStr,
    Bool,
    Int,
    Float,
    Datetime,
    ArrayStart,
    ArrayEnd,
    TableStart,
    TableEnd,
    ArrayTableStart,
    ArrayTableEnd,
    KeyStart,
    KeyEnd,
    CommentStart,
    InlineStart,
    InlineEnd,
}

/// One item: its text (a slice of the input, or for a datetime the slice
/// with spaces trimmed) and the line BurntSushi gives it.
#[derive(Clone, Debug)]
pub(super) struct Item {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub line: usize,
}

/// A lexing mistake, in BurntSushi's words, on the line it reports.
#[derive(Clone, Debug)]
pub(super) struct LexError {
    pub line: usize,
    pub message: String,
}

/// The end of input, as BurntSushi's lexer spells it: rune 0.
const EOF: char = '\0';
/// What `next` returns after reporting a bad byte or control character.
const BAD: char = '\u{FFFD}';

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Top,
    TopEnd,
    TableNameStart,
    TableNameEnd,
    TableEnd,
    ArrayTableEnd,
    BareName,
    QuotedName,
    KeyStart,
    KeyNameStart,
    KeyEnd,
    Value,
    ArrayValue,
    ArrayValueEnd,
    InlineValue,
    InlineValueEnd,
    Str,
    MultiStr,
    RawStr,
    RawMultiStr,
    MultiStrEscape,
    StrEscape,
    HexEscape(u8),
    NumberOrDateStart,
    NumberOrDate,
    Datetime,
    HexInt,
    OctInt,
    BinInt,
    Decimal,
    DecimalStart,
    BaseNumberOrDate,
    Float,
    Bool,
    Comment,
}

pub(super) struct Lexer<'a> {
    input: &'a str,
    /// The byte that ends `input` when the document was not all UTF-8.
    bad: Option<u8>,
    start: usize,
    pos: usize,
    /// Newlines consumed so far, plus one: BurntSushi's `lx.line`.
    line: usize,
    /// Widths of the last four runes read, so `backup` can step over them.
    widths: [usize; 4],
    nprev: usize,
    at_eof: bool,
    state: Option<State>,
    stack: Vec<State>,
    items: VecDeque<Result<Item, LexError>>,
}

fn is_ws(r: char) -> bool {
    r == ' ' || r == '\t'
}
fn is_nl(r: char) -> bool {
    r == '\n' || r == '\r'
}
fn is_digit(r: char) -> bool {
    r.is_ascii_digit()
}
fn is_hex(r: char) -> bool {
    r.is_ascii_hexdigit()
}
/// TOML 1.1's bare keys are ASCII again (its drafts allowed more).
fn is_bare(r: char) -> bool {
    r.is_ascii_alphanumeric() || r == '_' || r == '-'
}
/// Control characters other than tab, CR and LF.
fn is_control(r: char) -> bool {
    !matches!(r, '\t' | '\r' | '\n') && ((r as u32) < 0x20 || r as u32 == 0x7f)
}

/// Go's `%s` of a rune that may be the end of input ("end of file").
fn rune_or_eof(r: char) -> String {
    if r == EOF {
        "end of file".to_string()
    } else {
        format!("'{r}'")
    }
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a str, bad: Option<u8>) -> Self {
        Lexer {
            input,
            bad,
            start: 0,
            pos: 0,
            line: 1,
            widths: [0; 4],
            nprev: 0,
            at_eof: false,
            state: Some(State::Top),
            stack: Vec::new(),
            items: VecDeque::new(),
        }
    }

    pub fn text(&self, it: &Item) -> &'a str {
        &self.input[it.start..it.end]
    }

    /// The next item, running the states until one is ready; the end of
    /// input repeats once reached.
    pub fn next_item(&mut self) -> Result<Item, LexError> {
        loop {
            if let Some(it) = self.items.pop_front() {
                return it;
            }
            match self.state {
                Some(s) => self.state = self.step(s),
                None => {
                    return Ok(Item {
                        kind: Kind::Eof,
                        start: self.pos,
                        end: self.pos,
                        line: self.line,
                    })
                }
            }
        }
    }

    /// The line of the last rune read: an error just after a newline (or at
    /// the end of input after one) is reported on the newline's own line.
    fn prev_line(&self) -> usize {
        if self.pos > 0 && self.input.as_bytes()[self.pos - 1] == b'\n' {
            self.line - 1
        } else {
            self.line
        }
    }

    fn current(&self) -> &'a str {
        self.input.get(self.start..self.pos).unwrap_or("")
    }

    fn emit(&mut self, kind: Kind) {
        self.items.push_back(Ok(Item {
            kind,
            start: self.start,
            end: self.pos,
            line: self.line,
        }));
        self.start = self.pos;
    }

    /// A datetime's text loses the spaces the lexer let into it.
    fn emit_trim(&mut self) {
        let s = self.current();
        let lead = s.len() - s.trim_start().len();
        let trail = s.len() - s.trim_end().len();
        self.items.push_back(Ok(Item {
            kind: Kind::Datetime,
            start: self.start + lead,
            end: (self.pos - trail).max(self.start + lead),
            line: self.line,
        }));
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    /// Reports an error on `lx.line`, or at the end of input on the line
    /// before it (which can be line 0, as in Helm).
    fn error(&mut self, message: String) -> Option<State> {
        if self.at_eof {
            return self.error_prev_line(message);
        }
        let line = self.line;
        self.items.push_back(Err(LexError { line, message }));
        None
    }

    /// Reports an error on the line before `lx.line` (BurntSushi's
    /// `errorPrevLine`, meant for errors found on a newline; after a CR it
    /// is one line too early, as in Helm).
    fn error_prev_line(&mut self, message: String) -> Option<State> {
        let line = self.line - 1;
        self.items.push_back(Err(LexError { line, message }));
        None
    }

    /// Reports an error on `lx.line`; at the end of input, on the line of
    /// the last rune (so not on an empty last line).
    fn errorf(&mut self, message: String) -> Option<State> {
        let line = if self.at_eof {
            self.prev_line()
        } else {
            self.line
        };
        self.items.push_back(Err(LexError { line, message }));
        None
    }

    /// Reports an error on the line of the last rune read: a key or value
    /// cut short by a newline is reported on the newline's own line.
    fn errorf_at_last(&mut self, message: String) -> Option<State> {
        let line = self.prev_line();
        self.items.push_back(Err(LexError { line, message }));
        None
    }

    fn next(&mut self) -> char {
        if self.pos >= self.input.len() && self.bad.is_none() {
            self.at_eof = true;
            return EOF;
        }
        let bytes = self.input.as_bytes();
        if bytes.get(self.pos) == Some(&b'\n') {
            self.line += 1;
        }
        // The widths shift before the rune is known: after a bad one, a
        // `backup` steps over the previous rune's width, as Go's does.
        self.widths = [
            self.widths[0],
            self.widths[0],
            self.widths[1],
            self.widths[2],
        ];
        if self.nprev < 4 {
            self.nprev += 1;
        }
        let r = match self.input[self.pos..].chars().next() {
            Some(r) => r,
            None => return self.bad_byte(self.bad.unwrap_or(0)),
        };
        let lone_cr = r == '\r' && bytes.get(self.pos + 1) != Some(&b'\n');
        if is_control(r) || lone_cr {
            let line = self.line;
            self.items.push_back(Err(LexError {
                line,
                message: format!(
                    "TOML files cannot contain control characters: '0x{:02x}'",
                    r as u32
                ),
            }));
            return BAD;
        }
        self.widths[0] = r.len_utf8();
        self.pos += r.len_utf8();
        r
    }

    fn bad_byte(&mut self, b: u8) -> char {
        let line = self.line;
        self.items.push_back(Err(LexError {
            line,
            message: format!("invalid UTF-8 byte: 0x{b:02x}"),
        }));
        BAD
    }

    fn backup(&mut self) {
        if self.at_eof {
            self.at_eof = false;
            return;
        }
        if self.nprev == 0 {
            return;
        }
        let w = self.widths[0];
        self.widths = [self.widths[1], self.widths[2], self.widths[3], 0];
        self.nprev -= 1;
        self.pos = self.pos.saturating_sub(w);
        if self.input.as_bytes().get(self.pos) == Some(&b'\n') {
            self.line -= 1;
        }
    }

    fn accept(&mut self, r: char) -> bool {
        if self.next() == r {
            return true;
        }
        self.backup();
        false
    }

    fn peek(&mut self) -> char {
        let r = self.next();
        self.backup();
        r
    }

    fn skip_ws(&mut self) {
        loop {
            let r = self.next();
            if is_ws(r) {
                continue;
            }
            self.backup();
            self.ignore();
            return;
        }
    }

    fn push(&mut self, s: State) {
        self.stack.push(s);
    }

    fn pop(&mut self) -> Option<State> {
        match self.stack.pop() {
            Some(s) => Some(s),
            None => self.errorf("BUG in lexer: no states to pop".into()),
        }
    }

    fn step(&mut self, s: State) -> Option<State> {
        use State::*;
        match s {
            Top => self.top(),
            TopEnd => self.top_end(),
            TableNameStart => self.table_name_start(),
            TableNameEnd => self.table_name_end(),
            TableEnd => {
                self.emit(Kind::TableEnd);
                Some(TopEnd)
            }
            ArrayTableEnd => {
                let r = self.next();
                if r != ']' {
                    return self.errorf(format!(
                        "expected end of table array name delimiter ']', but got {} instead",
                        quote_rune(r)
                    ));
                }
                self.emit(Kind::ArrayTableEnd);
                Some(TopEnd)
            }
            BareName => {
                if is_bare(self.next()) {
                    return Some(BareName);
                }
                self.backup();
                self.emit(Kind::Text);
                self.pop()
            }
            QuotedName => self.quoted_name(),
            KeyStart => self.key_start(),
            KeyNameStart => self.key_name_start(),
            KeyEnd => self.key_end(),
            Value => self.value(),
            ArrayValue => self.array_value(),
            ArrayValueEnd => self.array_value_end(),
            InlineValue => self.inline_value(),
            InlineValueEnd => self.inline_value_end(),
            Str => self.string(),
            MultiStr => self.multi_string(),
            RawStr => self.raw_string(),
            RawMultiStr => self.raw_multi_string(),
            MultiStrEscape => {
                if is_nl(self.next()) {
                    return Some(MultiStr);
                }
                self.backup();
                self.push(MultiStr);
                self.string_escape()
            }
            StrEscape => self.string_escape(),
            HexEscape(n) => self.hex_escape(n),
            NumberOrDateStart => {
                let r = self.next();
                if r == '0' {
                    return Some(BaseNumberOrDate);
                }
                if !is_digit(r) {
                    return self.errorf(format!("expected a digit but got {}", quote_rune(r)));
                }
                Some(NumberOrDate)
            }
            NumberOrDate => {
                let r = self.next();
                match r {
                    _ if is_digit(r) => Some(NumberOrDate),
                    '-' | ':' => Some(Datetime),
                    '_' => Some(Decimal),
                    '.' | 'e' | 'E' => Some(Float),
                    _ => self.finish(Kind::Int),
                }
            }
            Datetime => {
                let r = self.next();
                if is_digit(r) || "-:Tt .Zz+".contains(r) && r != EOF {
                    return Some(Datetime);
                }
                self.backup();
                self.emit_trim();
                self.pop()
            }
            HexInt => self.digits(is_hex, HexInt),
            OctInt => self.digits(|r| ('0'..='7').contains(&r), OctInt),
            BinInt => self.digits(|r| r == '0' || r == '1', BinInt),
            Decimal => {
                let r = self.next();
                match r {
                    _ if is_digit(r) || r == '_' => Some(Decimal),
                    '.' | 'e' | 'E' => Some(Float),
                    _ => self.finish(Kind::Int),
                }
            }
            DecimalStart => self.decimal_start(),
            BaseNumberOrDate => self.base_number_or_date(),
            Float => {
                let r = self.next();
                if is_digit(r) || "_.-+eE".contains(r) && r != EOF {
                    return Some(Float);
                }
                self.finish(Kind::Float)
            }
            Bool => self.boolean(),
            Comment => {
                let r = self.next();
                if is_nl(r) || r == EOF {
                    self.backup();
                    self.emit(Kind::Text);
                    return self.pop();
                }
                Some(Comment)
            }
        }
    }

    /// Steps back over the rune that ended a token, emits it, and returns
    /// to whatever the token was part of.
    fn finish(&mut self, kind: Kind) -> Option<State> {
        self.backup();
        self.emit(kind);
        self.pop()
    }

    fn digits(&mut self, ok: fn(char) -> bool, again: State) -> Option<State> {
        let r = self.next();
        if ok(r) || r == '_' {
            return Some(again);
        }
        self.finish(Kind::Int)
    }

    fn comment_start(&mut self, back: State) -> Option<State> {
        self.push(back);
        self.ignore();
        self.emit(Kind::CommentStart);
        Some(State::Comment)
    }

    fn top(&mut self) -> Option<State> {
        let r = self.next();
        if is_ws(r) || is_nl(r) {
            self.ignore();
            return Some(State::Top);
        }
        match r {
            '#' => return self.comment_start(State::Top),
            '[' => {
                // `[[` opens an array of tables, `[` a table.
                if self.peek() == '[' {
                    self.next();
                    self.emit(Kind::ArrayTableStart);
                    self.push(State::ArrayTableEnd);
                } else {
                    self.emit(Kind::TableStart);
                    self.push(State::TableEnd);
                }
                return Some(State::TableNameStart);
            }
            EOF => {
                if self.pos > self.start {
                    return self.errorf("unexpected EOF".into());
                }
                self.emit(Kind::Eof);
                return None;
            }
            _ => {}
        }
        self.backup();
        self.push(State::TopEnd);
        Some(State::KeyStart)
    }

    fn top_end(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            '#' => self.comment_start(State::Top),
            _ if is_ws(r) => Some(State::TopEnd),
            _ if is_nl(r) => {
                self.ignore();
                Some(State::Top)
            }
            EOF => {
                self.emit(Kind::Eof);
                None
            }
            _ => self.errorf(format!(
                "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                quote_rune(r)
            )),
        }
    }

    fn table_name_start(&mut self) -> Option<State> {
        self.skip_ws();
        match self.peek() {
            ']' | EOF => {
                self.errorf("unexpected end of table name (table names cannot be empty)".into())
            }
            '.' => self.errorf("unexpected table separator (table names cannot be empty)".into()),
            '"' | '\'' => {
                self.ignore();
                self.push(State::TableNameEnd);
                Some(State::QuotedName)
            }
            _ => {
                self.push(State::TableNameEnd);
                Some(State::BareName)
            }
        }
    }

    fn table_name_end(&mut self) -> Option<State> {
        self.skip_ws();
        match self.next() {
            '.' => {
                self.ignore();
                Some(State::TableNameStart)
            }
            ']' => self.pop(),
            r => self.errorf(format!(
                "expected '.' or ']' to end table name, but got {} instead",
                quote_rune(r)
            )),
        }
    }

    fn quoted_name(&mut self) -> Option<State> {
        match self.next() {
            r if is_ws(r) => {
                self.ignore();
                Some(State::Value)
            }
            '"' => {
                self.ignore();
                Some(State::Str)
            }
            '\'' => {
                self.ignore();
                Some(State::RawStr)
            }
            EOF => self.errorf("unexpected EOF; expected value".into()),
            r => self.errorf(format!(
                "expected value but found {} instead",
                quote_rune(r)
            )),
        }
    }

    fn key_start(&mut self) -> Option<State> {
        self.skip_ws();
        match self.peek() {
            '=' | EOF => self.errorf("unexpected '=': key name appears blank".into()),
            '.' => self.errorf("unexpected '.': keys cannot start with a '.'".into()),
            r => {
                if r == '"' || r == '\'' {
                    self.ignore();
                }
                self.emit(Kind::KeyStart);
                Some(State::KeyNameStart)
            }
        }
    }

    fn key_name_start(&mut self) -> Option<State> {
        self.skip_ws();
        match self.peek() {
            '=' | EOF => self.errorf("unexpected '='".into()),
            '.' => self.errorf("unexpected '.'".into()),
            '"' | '\'' => {
                self.ignore();
                self.push(State::KeyEnd);
                Some(State::QuotedName)
            }
            _ => {
                self.push(State::KeyEnd);
                Some(State::BareName)
            }
        }
    }

    fn key_end(&mut self) -> Option<State> {
        self.skip_ws();
        match self.next() {
            r if is_ws(r) => {
                self.ignore();
                Some(State::KeyEnd)
            }
            EOF => self.errorf_at_last("unexpected EOF; expected key separator '='".into()),
            '.' => {
                self.ignore();
                Some(State::KeyNameStart)
            }
            '=' => {
                self.emit(Kind::KeyEnd);
                self.ignore();
                Some(State::Value)
            }
            r => self.errorf_at_last(format!(
                "expected '.' or '=', but got {} instead",
                quote_rune(r)
            )),
        }
    }

    fn value(&mut self) -> Option<State> {
        // Spaces may come before a value, newlines not (arrays skip theirs).
        let r = self.next();
        if is_ws(r) {
            self.ignore();
            return Some(State::Value);
        }
        if is_digit(r) {
            self.backup();
            return Some(State::NumberOrDateStart);
        }
        match r {
            '[' => {
                self.ignore();
                self.emit(Kind::ArrayStart);
                return Some(State::ArrayValue);
            }
            '{' => {
                self.ignore();
                self.emit(Kind::InlineStart);
                return Some(State::InlineValue);
            }
            '"' | '\'' => {
                let (single, multi) = if r == '"' {
                    (State::Str, State::MultiStr)
                } else {
                    (State::RawStr, State::RawMultiStr)
                };
                if self.accept(r) {
                    if self.accept(r) {
                        self.ignore();
                        return Some(multi);
                    }
                    self.backup();
                }
                self.ignore();
                return Some(single);
            }
            '.' => return self.errorf("floats must start with a digit, not '.'".into()),
            // `inf` and `nan`; any other word goes on to `lexBool` below.
            'i' | 'n'
                if (self.accept('n') && self.accept('f'))
                    || (self.accept('a') && self.accept('n')) =>
            {
                self.emit(Kind::Float);
                return self.pop();
            }
            '-' | '+' => return Some(State::DecimalStart),
            _ => {}
        }
        if super::go::is_letter(r) {
            // Any word: `lexBool` names it in its error unless it is a bool.
            self.backup();
            return Some(State::Bool);
        }
        if r == EOF {
            return self.errorf_at_last("unexpected EOF; expected value".into());
        }
        self.errorf_at_last(format!(
            "expected value but found {} instead",
            quote_rune(r)
        ))
    }

    fn array_value(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            _ if is_ws(r) || is_nl(r) => {
                self.ignore();
                Some(State::ArrayValue)
            }
            '#' => self.comment_start(State::ArrayValue),
            ',' => self.errorf("unexpected comma".into()),
            ']' => self.array_end(),
            _ => {
                self.backup();
                self.push(State::ArrayValueEnd);
                Some(State::Value)
            }
        }
    }

    fn array_value_end(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            _ if is_ws(r) || is_nl(r) => {
                self.ignore();
                Some(State::ArrayValueEnd)
            }
            '#' => self.comment_start(State::ArrayValueEnd),
            ',' => {
                self.ignore();
                Some(State::ArrayValue)
            }
            ']' => self.array_end(),
            _ => self.errorf(format!(
                "expected a comma (',') or array terminator (']'), but got {}",
                rune_or_eof(r)
            )),
        }
    }

    fn array_end(&mut self) -> Option<State> {
        self.ignore();
        self.emit(Kind::ArrayEnd);
        self.pop()
    }

    fn inline_value(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            // TOML 1.1: newlines are allowed inside inline tables.
            _ if is_ws(r) || is_nl(r) => {
                self.ignore();
                Some(State::InlineValue)
            }
            '#' => self.comment_start(State::InlineValue),
            ',' => self.errorf("unexpected comma".into()),
            '}' => self.inline_end(),
            _ => {
                self.backup();
                self.push(State::InlineValueEnd);
                Some(State::KeyStart)
            }
        }
    }

    fn inline_value_end(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            _ if is_ws(r) || is_nl(r) => {
                self.ignore();
                Some(State::InlineValueEnd)
            }
            '#' => self.comment_start(State::InlineValueEnd),
            ',' => {
                self.ignore();
                self.skip_ws();
                // TOML 1.1: a trailing comma before `}` is fine.
                if self.peek() == '}' {
                    return Some(State::InlineValueEnd);
                }
                Some(State::InlineValue)
            }
            '}' => self.inline_end(),
            _ => self.errorf(format!(
                "expected a comma or an inline table terminator '}}', but got {} instead",
                rune_or_eof(r)
            )),
        }
    }

    fn inline_end(&mut self) -> Option<State> {
        self.ignore();
        self.emit(Kind::InlineEnd);
        self.pop()
    }

    /// Emits a string's contents, without the closing quotes (`n` of them).
    fn close_string(&mut self, kind: Kind, n: usize) -> Option<State> {
        for _ in 0..n {
            self.backup();
        }
        self.emit(kind);
        for _ in 0..n {
            self.next();
        }
        self.ignore();
        self.pop()
    }

    fn string(&mut self) -> Option<State> {
        match self.next() {
            EOF => self.errorf("unexpected EOF; expected '\"'".into()),
            r if is_nl(r) => self.error_prev_line("strings cannot contain newlines".into()),
            '\\' => {
                self.push(State::Str);
                Some(State::StrEscape)
            }
            '"' => self.close_string(Kind::Str, 1),
            _ => Some(State::Str),
        }
    }

    fn raw_string(&mut self) -> Option<State> {
        match self.next() {
            EOF => self.errorf("unexpected EOF; expected \"'\"".into()),
            r if is_nl(r) => self.error_prev_line("strings cannot contain newlines".into()),
            '\'' => self.close_string(Kind::RawStr, 1),
            _ => Some(State::RawStr),
        }
    }

    fn multi_string(&mut self) -> Option<State> {
        match self.next() {
            EOF => self.errorf("unexpected EOF; expected '\"\"\"'".into()),
            '\\' => Some(State::MultiStrEscape),
            '"' => self.multi_quote('"', State::MultiStr, Kind::MultiStr),
            _ => Some(State::MultiStr),
        }
    }

    fn raw_multi_string(&mut self) -> Option<State> {
        match self.next() {
            EOF => self.errorf("unexpected EOF; expected \"'''\"".into()),
            '\'' => self.multi_quote('\'', State::RawMultiStr, Kind::RawMultiStr),
            _ => Some(State::RawMultiStr),
        }
    }

    /// After one quote in a multi-line string: three end it, unless a fourth
    /// follows, as a string may end in one or two quotes of its own (six in a
    /// row are refused).
    fn multi_quote(&mut self, q: char, again: State, kind: Kind) -> Option<State> {
        if self.accept(q) {
            if self.accept(q) {
                if self.peek() == q {
                    let cur = self.current();
                    let five = q.to_string().repeat(5);
                    let escaped = format!("\\{five}");
                    if cur.ends_with(&five) && (q == '\'' || !cur.ends_with(&escaped)) {
                        return self.errorf(if q == '"' {
                            "unexpected '\"\"\"\"\"\"'".into()
                        } else {
                            "unexpected \"''''''\"".into()
                        });
                    }
                    self.backup();
                    self.backup();
                    return Some(again);
                }
                return self.close_string(kind, 3);
            }
            self.backup();
        }
        Some(again)
    }

    fn string_escape(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            'e' | 'b' | 't' | 'n' | 'f' | 'r' | '"' | ' ' | '\t' | '\\' => self.pop(),
            'x' => Some(State::HexEscape(2)),
            'u' => Some(State::HexEscape(4)),
            'U' => Some(State::HexEscape(8)),
            _ => self.error(format!("invalid escape in string '\\{r}'")),
        }
    }

    fn hex_escape(&mut self, n: u8) -> Option<State> {
        for _ in 0..n {
            if !is_hex(self.next()) {
                let (word, letter) = match n {
                    2 => ("two", 'x'),
                    4 => ("four", 'u'),
                    _ => ("eight", 'U'),
                };
                return self.errorf(format!(
                    "expected {word} hexadecimal digits after '\\{letter}', but got {} instead",
                    quote_str(self.current())
                ));
            }
        }
        self.pop()
    }

    fn decimal_start(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            'i' | 'n' => {
                let (a, b) = if r == 'i' { ('n', 'f') } else { ('a', 'n') };
                if !self.accept(a) || !self.accept(b) {
                    return self.errorf(format!("invalid float: '{}'", self.current()));
                }
                self.emit(Kind::Float);
                return self.pop();
            }
            '0' => {
                let p = self.peek();
                if matches!(p, 'b' | 'o' | 'x') {
                    return self.errorf(format!(
                        "cannot use sign with non-decimal numbers: '{}{p}'",
                        self.current()
                    ));
                }
            }
            '.' => return self.errorf("floats must start with a digit, not '.'".into()),
            _ => {}
        }
        if is_digit(r) {
            return Some(State::Decimal);
        }
        self.errorf(format!("expected a digit but got {}", quote_rune(r)))
    }

    fn base_number_or_date(&mut self) -> Option<State> {
        let r = self.next();
        // Dates start with at least two digits: those go on as numbers.
        if is_digit(r) {
            return Some(State::NumberOrDate);
        }
        let (ok, what, next): (fn(char) -> bool, &str, State) = match r {
            '_' => return Some(State::Decimal),
            '.' | 'e' | 'E' => return Some(State::Float),
            'b' => (|c| c == '0' || c == '1', "a binary", State::BinInt),
            'o' => (|c| ('0'..='7').contains(&c), "an octal", State::OctInt),
            'x' => (is_hex, "a hexadecimal", State::HexInt),
            _ => return self.finish(Kind::Int),
        };
        let p = self.peek();
        if !ok(p) {
            // Reported, yet lexing goes on: the error is the next item.
            self.errorf(format!("not {what} number: '{}{p}'", self.current()));
        }
        Some(next)
    }

    fn boolean(&mut self) -> Option<State> {
        let mut word = String::new();
        loop {
            let r = self.next();
            if !super::go::is_letter(r) {
                self.backup();
                break;
            }
            word.push(r);
        }
        if word == "true" || word == "false" {
            self.emit(Kind::Bool);
            return self.pop();
        }
        self.errorf(format!(
            "expected value but found {} instead",
            quote_str(&word)
        ))
    }
}
