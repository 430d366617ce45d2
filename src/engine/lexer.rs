//! Splits template source into tokens, the way Go's `text/template/parse` lexer does.
//!
//! The whole file is lexed up front into a `Vec<Token>`; tokens carry byte offsets
//! into the source, from which [`line_of`] finds the line Go reports parse errors
//! at (only errors need it, so no line is counted while lexing). Trim markers
//! (`{{- ` and ` -}}`) are applied here by narrowing the neighbouring text tokens,
//! and comments are dropped, as Go does when comments are not requested.
//!
//! The lexer reads bytes: everything that ends or separates a token is ASCII,
//! and UTF-8 continuation bytes never look like ASCII, so only identifiers and
//! error messages ever decode a character.
//!
//! Lexed lazily ([`lex_lazy`]), the list after an action that opens one
//! (`if`, `with`, `range`, `else`, `define`) is not lexed: [`skim`] finds the
//! action that closes it and the lexer emits one [`Kind::Lazy`] token for the
//! text between. The parser makes it a list to parse when a render first
//! walks it ([`lex_span`] then lexes just that text); most of a chart's
//! lists are never walked (disabled features, helpers no template calls).

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    LeftDelim,
    RightDelim,
    Space,
    Identifier,
    /// `block`, `break`, … : the keyword's text is the token text.
    Keyword(Keyword),
    Dot,
    Field,
    Variable,
    CharConstant,
    String,
    RawString,
    Number,
    /// A complex constant with a real part, `1+2i` (Go's `itemComplex`).
    Complex,
    Bool,
    Nil,
    Pipe,
    LeftParen,
    RightParen,
    Assign,
    Declare,
    /// Any other printable ASCII character inside an action (`,` in `range $i, $v`).
    Char,
    Eof,
    /// A lexing error; the message is in [`Lexed::error`].
    Error,
    /// A whole list, skimmed but not lexed (lazy lexing only); `true` when the
    /// action before it ended in a trim marker (` -}}`).
    Lazy(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keyword {
    Block,
    Break,
    Continue,
    Define,
    Else,
    End,
    If,
    Range,
    Template,
    With,
}

/// One token: `start..end` is its text in the source. Plain data, copied
/// freely by the parser's look-ahead.
#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Kind,
    pub start: u32,
    pub end: u32,
}

/// A lexed template: its tokens, ending with `Eof` or `Error`, and the
/// message of the `Error` token when lexing stopped at one.
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub error: Option<Box<str>>,
}

impl Token {
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// The 1-based line of byte offset `pos`: the line Go gives a token starting there.
pub fn line_of(src: &str, pos: u32) -> u32 {
    let before = src.as_bytes().get(..pos as usize).unwrap_or(src.as_bytes());
    1 + memchr::memchr_iter(b'\n', before).count() as u32
}

/// Where the next `{{` starts. `memmem::find` would build a searcher for
/// every text between actions (thousands a chart); a `{` in template text
/// is rare enough that looking for it alone is faster.
fn find_left_delim(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'{', bytes.get(from..)?) {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// ASCII bytes that may be part of a word (letters, digits, `_`): one table
/// look-up per byte of the identifiers and field names that make up most of
/// an action.
static WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

struct Lexer<'s> {
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
    start: usize,
    paren_depth: u32,
    tokens: Vec<Token>,
    /// The message of the final `Error` token, if lexing stopped at one.
    error_message: Option<Box<str>>,
    /// Set by a right trim marker: the next text loses its leading spaces.
    trim_next_text: bool,
    /// Where lexing stops: the end of the source, or of a lazy list's text.
    limit: usize,
    /// Whether lists are skimmed into [`Kind::Lazy`] tokens.
    lazy: bool,
    /// The index of the current action's first token.
    action_first: usize,
}

/// Lexes a whole template. The result always ends with an `Eof` or `Error` token.
pub fn lex(src: &str) -> Lexed {
    Lexer::new(src, 0, src.len(), false, false).run()
}

/// [`lex`], with the lists after `if`, `with`, `range`, `else` and `define`
/// skimmed into [`Kind::Lazy`] tokens where [`skim`] can tell where they end.
pub fn lex_lazy(src: &str) -> Lexed {
    Lexer::new(src, 0, src.len(), false, true).run()
}

/// Lexes the text of a [`Kind::Lazy`] token, `start..end` of `src`, as the
/// whole lexer would have (its own lists skimmed again if `lazy`): `trim` is
/// the token's flag, and the action at `end` (which closes the list) trims
/// the text before it as it asks. Ends with `Eof` at `end`, or an `Error`.
pub fn lex_span(src: &str, start: usize, end: usize, trim: bool, lazy: bool) -> Lexed {
    Lexer::new(src, start, end.min(src.len()), trim, lazy).run()
}

impl<'s> Lexer<'s> {
    fn new(src: &'s str, start: usize, limit: usize, trim: bool, lazy: bool) -> Lexer<'s> {
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos: start,
            start,
            paren_depth: 0,
            // About one token per eight bytes of a typical chart template.
            tokens: Vec::with_capacity((limit - start.min(limit)) / 8 + 4),
            error_message: None,
            trim_next_text: trim,
            limit,
            lazy,
            action_first: 0,
        }
    }

    fn rest(&self) -> &'s [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The character at the position, for the few places that need a whole one.
    fn peek_char(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn emit(&mut self, kind: Kind) {
        self.tokens.push(Token {
            kind,
            start: self.start as u32,
            end: self.pos as u32,
        });
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) {
        self.tokens.push(Token {
            kind: Kind::Error,
            start: self.start as u32,
            end: self.pos as u32,
        });
        self.error_message = Some(msg.into());
    }

    fn accept(&mut self, set: &str) -> bool {
        match self.peek_char() {
            Some(c) if set.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, set: &str) {
        while self.accept(set) {}
    }

    /// Runs the state machine: text, then actions, until EOF or an error.
    fn run(mut self) -> Lexed {
        while self.lex_text() && self.lex_action() {
            if self.pos > self.limit {
                // An action ran past the end of a lazy list: the skim and
                // the lexer disagree, which only a template that does not
                // parse can make them do (its error comes from the whole lexer).
                self.error("action crosses the end of its list".to_string());
                break;
            }
        }
        Lexed {
            tokens: self.tokens,
            error: self.error_message,
        }
    }

    /// Emits the text up to the next `{{` (trimmed as markers ask). Returns
    /// false at EOF, or at the end of a lazy list's text.
    fn lex_text(&mut self) -> bool {
        let window = self.bytes.get(self.pos..self.limit).unwrap_or(&[]);
        let found = find_left_delim(window).map(|i| self.pos + i);
        let delim_at = match found {
            Some(at) => at,
            // A lazy list ends where the action that closes it begins.
            None if self.limit < self.bytes.len() => self.limit,
            None => {
                self.pos = self.bytes.len();
                self.emit_text(self.start, self.pos);
                self.start = self.pos;
                self.emit(Kind::Eof);
                return false;
            }
        };
        let mut text_end = delim_at;
        if has_left_trim(self.bytes.get(delim_at + 2..).unwrap_or(&[])) {
            while text_end > self.start
                && self.bytes.get(text_end - 1).is_some_and(|&b| is_space(b))
            {
                text_end -= 1;
            }
        }
        self.pos = delim_at;
        self.emit_text(self.start, text_end);
        self.start = self.pos;
        if delim_at == self.limit {
            self.emit(Kind::Eof);
            return false;
        }
        true
    }

    fn emit_text(&mut self, from: usize, to: usize) {
        let mut from = from;
        if self.trim_next_text {
            while from < to && self.bytes.get(from).is_some_and(|&b| is_space(b)) {
                from += 1;
            }
            self.trim_next_text = false;
        }
        if from < to {
            self.tokens.push(Token {
                kind: Kind::Text,
                start: from as u32,
                end: to as u32,
            });
        }
    }

    /// Lexes from `{{` to `}}`: a comment, or an action's tokens. False on error.
    fn lex_action(&mut self) -> bool {
        self.pos += 2; // `{{`, found by lex_text
        let after_marker = if has_left_trim(self.rest()) { 2 } else { 0 };
        if self
            .bytes
            .get(self.pos + after_marker..)
            .is_some_and(|s| s.starts_with(b"/*"))
        {
            self.start = self.pos;
            self.pos += after_marker;
            return self.lex_comment();
        }
        self.emit(Kind::LeftDelim);
        self.pos += after_marker;
        self.start = self.pos;
        self.paren_depth = 0;
        self.action_first = self.tokens.len();
        self.lex_inside_action()
    }

    fn lex_comment(&mut self) -> bool {
        let Some(i) = memchr::memmem::find(self.rest(), b"*/") else {
            self.error("unclosed comment".to_string());
            return false;
        };
        self.pos += i + 2;
        match self.at_right_delim() {
            Some(trim) => {
                self.pos += if trim { 4 } else { 2 };
                self.trim_next_text = trim;
                self.start = self.pos;
                true
            }
            None => {
                self.error("comment ends before closing delimiter".to_string());
                false
            }
        }
    }

    /// `Some(trim)` when the input is at `}}` or ` -}}`.
    fn at_right_delim(&self) -> Option<bool> {
        right_delim(self.rest())
    }

    fn lex_right_delim(&mut self, trim: bool) {
        if trim {
            self.pos += 2;
            self.start = self.pos;
        }
        self.pos += 2;
        self.emit(Kind::RightDelim);
        self.trim_next_text = trim;
        if self.lazy && self.opens_list() {
            if let Some(end) = skim(self.bytes, self.pos, self.limit) {
                self.tokens.push(Token {
                    kind: Kind::Lazy(trim),
                    start: self.pos as u32,
                    end: end as u32,
                });
                self.trim_next_text = false;
                self.pos = end;
                self.start = end;
            }
        }
    }

    /// Whether the action just lexed opens a list: its first token is `if`,
    /// `with`, `range`, `else` or `define` (a `block`'s list defines a
    /// template, so it is always lexed).
    fn opens_list(&self) -> bool {
        let first = self.tokens[self.action_first..]
            .iter()
            .find(|t| t.kind != Kind::Space);
        matches!(
            first.map(|t| t.kind),
            Some(Kind::Keyword(
                Keyword::If | Keyword::With | Keyword::Range | Keyword::Else | Keyword::Define
            ))
        )
    }

    fn lex_inside_action(&mut self) -> bool {
        loop {
            if let Some(trim) = self.at_right_delim() {
                if self.paren_depth == 0 {
                    self.lex_right_delim(trim);
                    return true;
                }
                self.error("unclosed left paren".to_string());
                return false;
            }
            let Some(b) = self.peek() else {
                self.error("unclosed action".to_string());
                return false;
            };
            if b >= 0x80 {
                if !self.lex_non_ascii() {
                    return false;
                }
                continue;
            }
            self.pos += 1;
            let ok = match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.lex_space(),
                b'=' => {
                    self.emit(Kind::Assign);
                    true
                }
                b':' => {
                    if self.next_char() != Some('=') {
                        self.error("expected :=".to_string());
                        false
                    } else {
                        self.emit(Kind::Declare);
                        true
                    }
                }
                b'|' => {
                    self.emit(Kind::Pipe);
                    true
                }
                b'"' => self.lex_quote(b'"', Kind::String, "unterminated quoted string"),
                b'\'' => {
                    self.lex_quote(b'\'', Kind::CharConstant, "unterminated character constant")
                }
                b'`' => self.lex_raw_quote(),
                b'$' => self.lex_field_or_variable(Kind::Variable),
                b'.' if self.peek().is_some_and(|d| !d.is_ascii_digit()) => {
                    self.lex_field_or_variable(Kind::Field)
                }
                b'.' | b'+' | b'-' | b'0'..=b'9' => {
                    self.pos -= 1;
                    self.lex_number()
                }
                b'(' => {
                    self.paren_depth += 1;
                    self.emit(Kind::LeftParen);
                    true
                }
                b')' => {
                    if self.paren_depth == 0 {
                        self.error("unexpected right paren".to_string());
                        false
                    } else {
                        self.paren_depth -= 1;
                        self.emit(Kind::RightParen);
                        true
                    }
                }
                b if WORD_BYTE[b as usize] => self.lex_identifier(),
                b if !b.is_ascii_control() => {
                    self.emit(Kind::Char);
                    true
                }
                b => {
                    self.error(format!(
                        "unrecognized character in action: {}",
                        go_unicode(b as char)
                    ));
                    false
                }
            };
            if !ok {
                return false;
            }
        }
    }

    /// A non-ASCII character inside an action: a letter starts an identifier.
    fn lex_non_ascii(&mut self) -> bool {
        let c = self.next_char().unwrap_or(char::REPLACEMENT_CHARACTER);
        if is_alnum(c) {
            return self.lex_identifier();
        }
        self.error(format!(
            "unrecognized character in action: {}",
            go_unicode(c)
        ));
        false
    }

    /// A run of spaces; a space that begins ` -}}` is left for the delimiter.
    fn lex_space(&mut self) -> bool {
        let mut count = 1;
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
            count += 1;
        }
        let before = self.bytes.get(self.pos - 1..).unwrap_or(&[]);
        if has_right_trim(before) && before.get(2..).is_some_and(|r| r.starts_with(b"}}")) {
            self.pos -= 1;
            if count == 1 {
                return true; // the delimiter comes next; no space token
            }
        }
        self.emit(Kind::Space);
        true
    }

    /// A quoted string or character constant, its opening quote consumed.
    /// Quotes, backslashes and newlines are ASCII, so bytes are enough.
    fn lex_quote(&mut self, quote: u8, kind: Kind, unterminated: &str) -> bool {
        loop {
            let mut next = self.peek();
            if next == Some(b'\\') {
                // The escaped byte is skipped, unless it ends the line or the text.
                self.pos += 1;
                next = self.peek();
                if !matches!(next, Some(b'\n') | None) {
                    self.pos += 1;
                    continue;
                }
            }
            match next {
                Some(b'\n') | None => {
                    // The line break is taken before the error, as Go's lexer does.
                    self.pos += usize::from(next.is_some());
                    self.error(unterminated.to_string());
                    return false;
                }
                Some(b) => {
                    self.pos += 1;
                    if b == quote {
                        break;
                    }
                }
            }
        }
        self.emit(kind);
        true
    }

    fn lex_raw_quote(&mut self) -> bool {
        match memchr::memchr(b'`', self.rest()) {
            Some(i) => {
                self.pos += i + 1;
                self.emit(Kind::RawString);
                true
            }
            None => {
                self.error("unterminated raw quoted string".to_string());
                false
            }
        }
    }

    /// `$name`, `$`, `.name` or `.` (the leading character is already consumed).
    fn lex_field_or_variable(&mut self, kind: Kind) -> bool {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable {
                Kind::Variable
            } else {
                Kind::Dot
            });
            return true;
        }
        self.scan_word();
        if !self.at_terminator() {
            let c = self.next_char().unwrap_or(' ');
            self.error(format!("bad character {}", go_unicode(c)));
            return false;
        }
        self.emit(kind);
        true
    }

    /// Skips letters, digits and `_`: bytewise for ASCII (the common case), by
    /// character otherwise.
    fn scan_word(&mut self) {
        let mut i = self.pos;
        loop {
            match self.bytes.get(i) {
                Some(&b) if WORD_BYTE[b as usize] => i += 1,
                Some(&b) if b >= 0x80 => match self.src.get(i..).and_then(|s| s.chars().next()) {
                    Some(c) if is_alnum(c) => i += c.len_utf8(),
                    _ => break,
                },
                _ => break,
            }
        }
        self.pos = i;
    }

    fn lex_identifier(&mut self) -> bool {
        self.scan_word();
        if !self.at_terminator() {
            let c = self.next_char().unwrap_or(' ');
            self.error(format!("bad character {}", go_unicode(c)));
            return false;
        }
        let word = self.src.get(self.start..self.pos).unwrap_or("");
        let kind = match word {
            "block" => Kind::Keyword(Keyword::Block),
            "break" => Kind::Keyword(Keyword::Break),
            "continue" => Kind::Keyword(Keyword::Continue),
            "define" => Kind::Keyword(Keyword::Define),
            "else" => Kind::Keyword(Keyword::Else),
            "end" => Kind::Keyword(Keyword::End),
            "if" => Kind::Keyword(Keyword::If),
            "range" => Kind::Keyword(Keyword::Range),
            "template" => Kind::Keyword(Keyword::Template),
            "with" => Kind::Keyword(Keyword::With),
            "nil" => Kind::Nil,
            "true" | "false" => Kind::Bool,
            _ => Kind::Identifier,
        };
        self.emit(kind);
        true
    }

    /// Whether the next character may end a word (Go's `atTerminator`); no
    /// non-ASCII character does.
    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(b) => matches!(
                b,
                b' ' | b'\t' | b'\r' | b'\n' | b'.' | b',' | b'|' | b':' | b')' | b'(' | b'}'
            ),
        }
    }

    /// Scans a number loosely, as Go does; the parser validates it. A sign
    /// right after a number makes it complex (`1+2i`, no spaces), which
    /// must end in `i`: `1+2` and `+-2` are bad numbers, named whole.
    fn lex_number(&mut self) -> bool {
        if !self.scan_number() {
            return self.bad_number();
        }
        if matches!(self.peek(), Some(b'+' | b'-')) {
            if !self.scan_number() || !self.src[..self.pos].ends_with('i') {
                return self.bad_number();
            }
            self.emit(Kind::Complex);
            return true;
        }
        self.emit(Kind::Number);
        true
    }

    /// Go's "bad number syntax", quoting what was scanned, and the letter
    /// that made it bad when there is one (`3x`).
    fn bad_number(&mut self) -> bool {
        if self.peek_char().is_some_and(is_alnum) {
            self.next_char();
        }
        let text = self.src.get(self.start..self.pos).unwrap_or("");
        self.error(format!(
            "bad number syntax: {}",
            crate::strconv::go_quote(text)
        ));
        false
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        !self.peek_char().is_some_and(is_alnum)
    }
}

/// Where the list that starts at `from` ends: the `{{` of the first `else`
/// or `end` action not inside a nested `if`, `with` or `range`, before
/// `limit`. `None` when that is not plain to see, and the list must be lexed:
/// the list holds a `define` or `block` (definitions are made while parsing),
/// it holds only text and comments (Go tells empty definitions apart), it
/// ends in `else` after declaring a variable (the else list sees it), or an
/// action's end or first word is anything out of the ordinary (Go's lexer
/// then decides, and usually reports an error). Quoted strings are skipped
/// as the lexer reads them, so a `}}` in a string does not end an action.
pub fn skim(bytes: &[u8], from: usize, limit: usize) -> Option<usize> {
    let bytes = bytes.get(..limit)?;
    let mut pos = from;
    let mut depth = 0u32;
    let mut saw_action = false;
    let mut declares = false;
    loop {
        let open = pos + find_left_delim(bytes.get(pos..)?)?;
        let mut at = open + 2;
        if has_left_trim(bytes.get(at..)?) {
            at += 2;
        }
        if bytes.get(at..)?.starts_with(b"/*") {
            // A comment: `*/` then the delimiter, with nothing between.
            let close = at + 2 + memchr::memmem::find(bytes.get(at + 2..)?, b"*/")? + 2;
            pos = close
                + if right_delim(bytes.get(close..)?)? {
                    4
                } else {
                    2
                };
            continue;
        }
        while bytes.get(at).is_some_and(|&b| is_space(b)) {
            at += 1;
        }
        let rest = bytes.get(at..)?;
        let word_len = rest.iter().take_while(|&&b| WORD_BYTE[b as usize]).count();
        let (word, after) = rest.split_at(word_len);
        // Go's lexer ends a word at a terminator; anything else (a non-ASCII
        // letter, a quote) is for it to judge.
        let clean_end = match after.first() {
            None => false,
            Some(&b) => is_space(b) || b".,|:()".contains(&b) || after.starts_with(b"}}"),
        };
        if !word.is_empty() && !clean_end {
            return None;
        }
        match word {
            b"if" | b"with" | b"range" => depth += 1,
            b"define" | b"block" => return None,
            b"end" if depth == 0 => return saw_action.then_some(open),
            b"else" if depth == 0 => return (saw_action && !declares).then_some(open),
            b"end" => depth -= 1,
            _ => {}
        }
        saw_action = true;
        let end = action_end(bytes, at + word_len)?;
        if depth == 0 && !declares {
            let action = bytes.get(at..end)?;
            declares = memchr::memchr_iter(b':', action).any(|c| action.get(c + 1) == Some(&b'='));
        }
        pos = end + 2;
    }
}

/// Where the action whose text goes on at `from` ends: the first `}}` that
/// is not inside a quoted string, raw string or character constant.
fn action_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        // Most actions hold no quote at all: jump from brace to quote.
        let at = i + memchr::memchr3(b'}', b'"', b'`', bytes.get(i..)?)?;
        if memchr::memchr(b'\'', &bytes[i..at]).is_some() {
            return action_end_bytewise(bytes, i);
        }
        match bytes[at] {
            b'}' if bytes.get(at + 1) == Some(&b'}') => return Some(at),
            b'}' => i = at + 1,
            b'`' => i = at + 1 + memchr::memchr(b'`', bytes.get(at + 1..)?)? + 1,
            _ => i = quote_end(bytes, at + 1, b'"')?,
        }
    }
}

/// [`action_end`] a byte at a time, for actions with character constants.
fn action_end_bytewise(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        match *bytes.get(i)? {
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            b'`' => i += 1 + memchr::memchr(b'`', bytes.get(i + 1..)?)? + 1,
            quote @ (b'"' | b'\'') => i = quote_end(bytes, i + 1, quote)?,
            _ => i += 1,
        }
    }
}

/// Past the closing `quote` of a string or character constant opened before
/// `from`, as the lexer reads it; `None` at a line break or the end.
fn quote_end(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    loop {
        i += memchr::memchr3(quote, b'\\', b'\n', bytes.get(i..)?)?;
        match bytes[i] {
            b'\\' if bytes.get(i + 1) != Some(&b'\n') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => return None,
        }
    }
}

/// `Some(trim)` when `rest` starts with `}}`, or with ` -}}` (a trim marker).
fn right_delim(rest: &[u8]) -> Option<bool> {
    match *rest.first()? {
        b'}' => (rest.get(1) == Some(&b'}')).then_some(false),
        b if is_space(b) => rest.get(1..4).is_some_and(|r| r == b"-}}").then_some(true),
        _ => None,
    }
}

fn has_left_trim(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim(b: &[u8]) -> bool {
    b.len() >= 2 && is_space(b[0]) && b[1] == b'-'
}

/// Go's `%#U`: `U+002F '/'`.
pub fn go_unicode(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{}'", c as u32, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        let lexed = lex(src);
        lexed
            .tokens
            .iter()
            .map(|t| {
                let text = match (t.kind, &lexed.error) {
                    (Kind::Error, Some(message)) => message.to_string(),
                    _ => t.text(src).to_string(),
                };
                (t.kind, text)
            })
            .collect()
    }

    #[test]
    fn trims_and_comments() {
        let k = kinds("a  {{- .x -}}  b {{/* c */}} d {{- /* e */ -}}\n f");
        let texts: Vec<_> = k
            .iter()
            .filter(|(k, _)| *k == Kind::Text)
            .map(|(_, t)| t.as_str())
            .collect();
        assert_eq!(texts, vec!["a", "b ", " d", "f"]);
    }

    #[test]
    fn action_tokens() {
        let k = kinds("{{$x := .a.b | printf \"%d\" 1_0}}");
        let got: Vec<Kind> = k.iter().map(|(k, _)| *k).collect();
        use Kind::*;
        assert_eq!(
            got,
            vec![
                LeftDelim, Variable, Space, Declare, Space, Field, Field, Space, Pipe, Space,
                Identifier, Space, String, Space, Number, RightDelim, Eof
            ]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(kinds("{{ .x").last().unwrap().1, "unclosed action");
        assert_eq!(kinds("{{/* x").last().unwrap().1, "unclosed comment");
        assert_eq!(
            kinds("{{ 3x }}").last().unwrap().1,
            "bad number syntax: \"3x\""
        );
        assert_eq!(kinds("{{ ^ }}")[2], (Kind::Char, "^".to_string()));
        // A sign after a number makes it complex, and it must end in `i`.
        assert_eq!(kinds("{{1+2i}}")[1], (Kind::Complex, "1+2i".to_string()));
        for (src, bad) in [
            ("{{ +-2 }}", "+-2"),
            ("{{ 1+2 }}", "1+2"),
            ("{{ 1+2j }}", "1+2j"),
        ] {
            assert_eq!(
                kinds(src).last().unwrap().1,
                format!("bad number syntax: \"{bad}\"")
            );
        }
    }
}
