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
}

/// Lexes a whole template. The result always ends with an `Eof` or `Error` token.
pub fn lex(src: &str) -> Lexed {
    let mut l = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        start: 0,
        paren_depth: 0,
        // About one token per eight bytes of a typical chart template.
        tokens: Vec::with_capacity(src.len() / 8 + 4),
        error_message: None,
        trim_next_text: false,
    };
    l.run();
    Lexed {
        tokens: l.tokens,
        error: l.error_message,
    }
}

impl<'s> Lexer<'s> {
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
    fn run(&mut self) {
        loop {
            if !self.lex_text() {
                return;
            }
            if !self.lex_action() {
                return;
            }
        }
    }

    /// Emits the text up to the next `{{` (trimmed as markers ask). Returns false at EOF.
    fn lex_text(&mut self) -> bool {
        let Some(i) = find_left_delim(self.rest()) else {
            self.pos = self.bytes.len();
            self.emit_text(self.start, self.pos);
            self.start = self.pos;
            self.emit(Kind::Eof);
            return false;
        };
        let delim_at = self.pos + i;
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
        let rest = self.rest();
        match *rest.first()? {
            b'}' => (rest.get(1) == Some(&b'}')).then_some(false),
            b if is_space(b) => rest.get(1..4).is_some_and(|r| r == b"-}}").then_some(true),
            _ => None,
        }
    }

    fn lex_right_delim(&mut self, trim: bool) {
        if trim {
            self.pos += 2;
            self.start = self.pos;
        }
        self.pos += 2;
        self.emit(Kind::RightDelim);
        self.trim_next_text = trim;
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
