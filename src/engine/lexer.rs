//! Splits template source into tokens, the way Go's `text/template/parse` lexer does.
//!
//! The whole file is lexed up front into a `Vec<Token>`; tokens carry byte offsets
//! into the source (for Go's `line:col` error positions) and the line they start on
//! (Go reports parse errors by the line of the token being read). Trim markers
//! (`{{- ` and ` -}}`) are applied here by narrowing the neighbouring text tokens,
//! and comments are dropped, as Go does when comments are not requested.

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
    /// A lexing error; the message is in [`Token::error`].
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
    pub line: u32,
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

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

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

struct Lexer<'s> {
    src: &'s str,
    pos: usize,
    start: usize,
    line: u32,
    start_line: u32,
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
        pos: 0,
        start: 0,
        line: 1,
        start_line: 1,
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
    fn rest(&self) -> &'s str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Moves to `to` (forward), counting newlines.
    fn advance_to(&mut self, to: usize) {
        let to = to.min(self.src.len());
        let skipped = self.src.get(self.pos..to).unwrap_or("");
        self.line += skipped.bytes().filter(|&b| b == b'\n').count() as u32;
        self.pos = to;
    }

    fn emit(&mut self, kind: Kind) {
        self.tokens.push(Token {
            kind,
            start: self.start as u32,
            end: self.pos as u32,
            line: self.start_line,
        });
        self.ignore();
    }

    fn ignore(&mut self) {
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn error(&mut self, msg: String) {
        self.tokens.push(Token {
            kind: Kind::Error,
            start: self.start as u32,
            end: self.pos as u32,
            line: self.start_line,
        });
        self.error_message = Some(msg.into());
    }

    fn accept(&mut self, set: &str) -> bool {
        match self.peek() {
            Some(c) if set.contains(c) => {
                self.next();
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
        let rest = self.rest();
        let Some(i) = find_left_delim(rest.as_bytes()) else {
            self.advance_to(self.src.len());
            self.emit_text(self.start, self.pos);
            self.ignore();
            self.emit(Kind::Eof);
            return false;
        };
        let delim_at = self.pos + i;
        let mut text_end = delim_at;
        if has_left_trim(self.src.get(delim_at + LEFT.len()..).unwrap_or("")) {
            let bytes = self.src.as_bytes();
            while text_end > self.start && bytes.get(text_end - 1).is_some_and(|&b| is_space(b)) {
                text_end -= 1;
            }
        }
        self.advance_to(delim_at);
        self.emit_text(self.start, text_end);
        self.ignore();
        true
    }

    fn emit_text(&mut self, from: usize, to: usize) {
        let mut from = from;
        if self.trim_next_text {
            let bytes = self.src.as_bytes();
            while from < to && bytes.get(from).is_some_and(|&b| is_space(b)) {
                from += 1;
            }
            self.trim_next_text = false;
        }
        if from < to {
            let line_offset = self
                .src
                .get(self.start..from)
                .map_or(0, |s| s.bytes().filter(|&b| b == b'\n').count() as u32);
            self.tokens.push(Token {
                kind: Kind::Text,
                start: from as u32,
                end: to as u32,
                line: self.start_line + line_offset,
            });
        }
    }

    /// Lexes from `{{` to `}}`: a comment, or an action's tokens. False on error.
    fn lex_action(&mut self) -> bool {
        self.advance_to(self.pos + LEFT.len());
        let trim = has_left_trim(self.rest());
        let after_marker = if trim { 2 } else { 0 };
        if self
            .src
            .get(self.pos + after_marker..)
            .is_some_and(|s| s.starts_with("/*"))
        {
            self.ignore();
            self.advance_to(self.pos + after_marker);
            return self.lex_comment();
        }
        self.emit(Kind::LeftDelim);
        self.advance_to(self.pos + after_marker);
        self.ignore();
        self.paren_depth = 0;
        self.lex_inside_action()
    }

    fn lex_comment(&mut self) -> bool {
        let Some(i) = self.rest().find("*/") else {
            self.error("unclosed comment".to_string());
            return false;
        };
        self.advance_to(self.pos + i + 2);
        match self.at_right_delim() {
            Some(trim) => {
                let len = if trim { 2 + RIGHT.len() } else { RIGHT.len() };
                self.advance_to(self.pos + len);
                self.trim_next_text = trim;
                self.ignore();
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
        if has_right_trim(rest) && rest.get(2..).is_some_and(|r| r.starts_with(RIGHT)) {
            return Some(true);
        }
        rest.starts_with(RIGHT).then_some(false)
    }

    fn lex_right_delim(&mut self, trim: bool) {
        if trim {
            self.advance_to(self.pos + 2);
            self.ignore();
        }
        self.advance_to(self.pos + RIGHT.len());
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
            let Some(c) = self.next() else {
                self.error("unclosed action".to_string());
                return false;
            };
            let ok = match c {
                ' ' | '\t' | '\r' | '\n' => self.lex_space(),
                '=' => {
                    self.emit(Kind::Assign);
                    true
                }
                ':' => {
                    if self.next() != Some('=') {
                        self.error("expected :=".to_string());
                        false
                    } else {
                        self.emit(Kind::Declare);
                        true
                    }
                }
                '|' => {
                    self.emit(Kind::Pipe);
                    true
                }
                '"' => self.lex_quote('"', Kind::String, "unterminated quoted string"),
                '\'' => self.lex_quote('\'', Kind::CharConstant, "unterminated character constant"),
                '`' => self.lex_raw_quote(),
                '$' => self.lex_field_or_variable(Kind::Variable),
                '.' if self.peek().is_some_and(|d| !d.is_ascii_digit()) => {
                    self.lex_field_or_variable(Kind::Field)
                }
                '.' | '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    self.lex_number()
                }
                '(' => {
                    self.paren_depth += 1;
                    self.emit(Kind::LeftParen);
                    true
                }
                ')' => {
                    if self.paren_depth == 0 {
                        self.error("unexpected right paren".to_string());
                        false
                    } else {
                        self.paren_depth -= 1;
                        self.emit(Kind::RightParen);
                        true
                    }
                }
                c if is_alnum(c) => self.lex_identifier(),
                c if c.is_ascii() && !c.is_ascii_control() => {
                    self.emit(Kind::Char);
                    true
                }
                c => {
                    self.error(format!(
                        "unrecognized character in action: {}",
                        go_unicode(c)
                    ));
                    false
                }
            };
            if !ok {
                return false;
            }
        }
    }

    /// A run of spaces; a space that begins ` -}}` is left for the delimiter.
    fn lex_space(&mut self) -> bool {
        let mut count = 1;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii() && is_space(c as u8))
        {
            self.next();
            count += 1;
        }
        let before = self.src.get(self.pos - 1..).unwrap_or("");
        if has_right_trim(before) && before.get(2..).is_some_and(|r| r.starts_with(RIGHT)) {
            self.pos -= 1;
            if self.src.as_bytes().get(self.pos) == Some(&b'\n') {
                self.line -= 1;
            }
            if count == 1 {
                return true; // the delimiter comes next; no space token
            }
        }
        self.emit(Kind::Space);
        true
    }

    fn lex_quote(&mut self, quote: char, kind: Kind, unterminated: &str) -> bool {
        // Plain bytes need no decoding: skip to the next quote, backslash or newline.
        let bytes = self.src.as_bytes();
        while bytes
            .get(self.pos)
            .is_some_and(|&b| b != quote as u8 && b != b'\\' && b != b'\n')
        {
            self.pos += 1;
        }
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        self.error(unterminated.to_string());
                        return false;
                    }
                    Some(_) => {}
                },
                Some('\n') | None => {
                    self.error(unterminated.to_string());
                    return false;
                }
                Some(c) if c == quote => break,
                Some(_) => {}
            }
        }
        self.emit(kind);
        true
    }

    fn lex_raw_quote(&mut self) -> bool {
        match self.rest().find('`') {
            Some(i) => {
                self.advance_to(self.pos + i + 1);
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
            let c = self.next().unwrap_or(' ');
            self.error(format!("bad character {}", go_unicode(c)));
            return false;
        }
        self.emit(kind);
        true
    }

    /// Skips letters, digits and `_`: bytewise for ASCII (the common case), by
    /// character otherwise. Words hold no newlines, so the line count is unchanged.
    fn scan_word(&mut self) {
        let bytes = self.src.as_bytes();
        loop {
            match bytes.get(self.pos) {
                Some(b) if b.is_ascii_alphanumeric() || *b == b'_' => self.pos += 1,
                Some(b) if *b >= 0x80 && self.peek().is_some_and(is_alnum) => {
                    self.next();
                }
                _ => return,
            }
        }
    }

    fn lex_identifier(&mut self) -> bool {
        self.scan_word();
        if !self.at_terminator() {
            let c = self.next().unwrap_or(' ');
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

    /// Whether the next character may end a word (Go's `atTerminator`).
    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) => {
                matches!(
                    c,
                    ' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '('
                ) || RIGHT.starts_with(c)
            }
        }
    }

    /// Scans a number loosely, as Go does; the parser validates it. A sign
    /// right after a number makes it complex (`1+2i`, no spaces), which
    /// must end in `i`: `1+2` and `+-2` are bad numbers, named whole.
    fn lex_number(&mut self) -> bool {
        if !self.scan_number() {
            return self.bad_number();
        }
        if matches!(self.peek(), Some('+' | '-')) {
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
        if self.peek().is_some_and(is_alnum) {
            self.next();
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
        !self.peek().is_some_and(is_alnum)
    }
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1])
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
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
