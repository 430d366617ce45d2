//! go-yaml v2's emitter, for the block style `yaml.Marshal` writes: sorted or
//! given map order, `- ` items not indented under their key, strings quoted
//! only when they would read back as something else, literal blocks for
//! multi-line strings, plain and quoted scalars folded past column 80.
//!
//! The emitter works on any tree through [`Node`], so template values and
//! JSON data (manifests rewritten by overlays) share one implementation.

use super::resolve::plain_reads_back_as_string;
use std::borrow::Cow;

/// Which go-yaml writes: v2 (Helm's `toYaml`, through sigs.k8s.io/yaml) or
/// v3 with a two-space indent (Helm's `toYamlPretty`).
#[derive(Clone, Copy)]
pub(crate) struct Flavor {
    /// v2 writes a sequence that is a map value at the key's own indentation.
    indentless_sequences: bool,
    /// Scalars fold at the first space past this column (go-yaml's `best_width`).
    width: usize,
    /// v3 lets a string with tabs be a literal block; v2 counts tabs as
    /// unprintable and double-quotes.
    tabs_in_blocks: bool,
}

pub(crate) const V2: Flavor = Flavor {
    indentless_sequences: true,
    width: 80,
    tabs_in_blocks: false,
};

pub(crate) const V3_PRETTY: Flavor = Flavor {
    indentless_sequences: false,
    width: usize::MAX,
    tabs_in_blocks: true,
};
/// go-yaml's `best_indent`.
const BEST_INDENT: i32 = 2;
/// Nesting deeper than this is refused rather than risking the stack.
pub(crate) const MAX_EMIT_DEPTH: usize = 500;

/// One node of a tree to write, as go-yaml's encoder sees it after
/// sigs.k8s.io/yaml's JSON round trip.
pub(crate) enum Shape<'a, N: Clone + 'a> {
    Null,
    Bool(bool),
    /// A number, already in the text go-yaml prints for it, or a scalar's
    /// own source text (`texts.rs`): always plain.
    Number(String),
    Str(Cow<'a, str>),
    Seq(Vec<Cow<'a, N>>),
    /// Entries in the order to write them.
    Map(Vec<(Cow<'a, str>, Cow<'a, N>)>),
}

/// A tree the emitter can walk.
pub(crate) trait Node: Clone {
    /// This node's shape, or why go-yaml (or `json.Marshal` before it) fails.
    fn shape(&self) -> Result<Shape<'_, Self>, String>;
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

#[derive(Clone, Copy, Default)]
struct Ctx {
    mapping: bool,
    simple_key: bool,
}

/// Writes `node` as one YAML document, with the final newline.
pub(crate) fn emit<N: Node>(node: &N, flavor: Flavor) -> Result<String, String> {
    let mut e = Emitter {
        flavor,
        out: String::new(),
        column: 0,
        indent: -1,
        whitespace: true,
        indention: true,
    };
    e.node(node, Ctx::default(), 0)?;
    e.write_indent();
    Ok(e.out)
}

struct Emitter {
    flavor: Flavor,
    out: String,
    /// Characters (not bytes) since the last line break.
    column: usize,
    indent: i32,
    /// The last thing written was whitespace (or nothing).
    whitespace: bool,
    /// Only indentation has been written on this line.
    indention: bool,
}

impl Emitter {
    fn node<N: Node>(&mut self, node: &N, ctx: Ctx, depth: usize) -> Result<(), String> {
        if depth > MAX_EMIT_DEPTH {
            // Where go-yaml would recurse on (a map that contains itself),
            // the template's call fails.
            crate::value::meter::too_deep();
            return Err(format!("exceeded max depth of {MAX_EMIT_DEPTH}"));
        }
        // A map shared at every level is a tree of millions of nodes in a
        // few bytes of template: a step a node on the template's meter.
        if !crate::value::meter::charge(1) {
            return Err("stopped at the template's step limit".to_string());
        }
        match node.shape()? {
            Shape::Null => self.scalar("null", Style::Plain, ctx),
            Shape::Bool(b) => self.scalar(if b { "true" } else { "false" }, Style::Plain, ctx),
            Shape::Number(n) => self.scalar(&n, Style::Plain, ctx),
            Shape::Str(s) => self.string(&s, ctx),
            Shape::Seq(items) => {
                if items.is_empty() {
                    self.indicator("[", true, true, false);
                    self.indicator("]", false, false, false);
                    return Ok(());
                }
                let saved = self.indent;
                let indentless = self.flavor.indentless_sequences && ctx.mapping && !self.indention;
                self.increase_indent(false, indentless);
                for item in &items {
                    self.write_indent();
                    self.indicator("-", true, false, true);
                    self.node(item.as_ref(), Ctx::default(), depth + 1)?;
                }
                self.indent = saved;
                Ok(())
            }
            Shape::Map(entries) => {
                if entries.is_empty() {
                    self.indicator("{", true, true, false);
                    self.indicator("}", false, false, false);
                    return Ok(());
                }
                let saved = self.indent;
                self.increase_indent(false, false);
                let value_ctx = Ctx {
                    mapping: true,
                    simple_key: false,
                };
                for (key, value) in &entries {
                    self.write_indent();
                    let analysis = analyze(key, self.flavor);
                    // go-yaml writes a key inline when it is one line of at most 128 bytes.
                    if !analysis.multiline && key.len() <= 128 {
                        self.string_analyzed(
                            key,
                            &analysis,
                            Ctx {
                                mapping: true,
                                simple_key: true,
                            },
                        );
                        self.indicator(":", false, false, false);
                    } else {
                        self.indicator("?", true, false, true);
                        self.string_analyzed(key, &analysis, value_ctx);
                        self.write_indent();
                        self.indicator(":", true, false, true);
                    }
                    self.node(value.as_ref(), value_ctx, depth + 1)?;
                }
                self.indent = saved;
                Ok(())
            }
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    /// go-yaml v2's `stringv`: plain when it reads back as this string,
    /// literal when it has a newline, double-quoted otherwise — then the
    /// emitter's own checks may move it to single or double quotes.
    fn string(&mut self, s: &str, ctx: Ctx) -> Result<(), String> {
        self.string_analyzed(s, &analyze(s, self.flavor), ctx);
        Ok(())
    }

    /// [`Emitter::string`] with `s`'s analysis at hand (a key's, made to
    /// choose how to write the key).
    fn string_analyzed(&mut self, s: &str, a: &Analysis, ctx: Ctx) {
        // A newline is a line break, which the analysis has looked for.
        let wanted = if a.multiline && s.contains('\n') {
            Style::Literal
        } else if plain_reads_back_as_string(s) {
            Style::Plain
        } else {
            Style::Double
        };
        self.styled(s, wanted, a, ctx)
    }

    fn scalar(&mut self, value: &str, wanted: Style, ctx: Ctx) -> Result<(), String> {
        self.styled(value, wanted, &analyze(value, self.flavor), ctx);
        Ok(())
    }

    /// Writes `value` in the `wanted` style, or the one the emitter's checks
    /// of its analysis `a` move it to.
    fn styled(&mut self, value: &str, wanted: Style, a: &Analysis, ctx: Ctx) {
        let mut style = wanted;
        if ctx.simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (value.is_empty() && ctx.simple_key))
        {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || ctx.simple_key) {
            style = Style::Double;
        }
        let saved = self.indent;
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.plain(value, allow_breaks),
            Style::Single => self.single_quoted(value, allow_breaks),
            Style::Double => self.double_quoted(value, allow_breaks),
            Style::Literal => self.literal(value),
        }
        self.indent = saved;
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Copies a line-break character: `\n` as a newline, others (CR, NEL,
    /// LS, PS) as themselves, which also end the line.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        if self.column < indent {
            const SPACES: &str = "                                ";
            let mut left = indent - self.column;
            while left > 0 {
                let n = left.min(SPACES.len());
                self.out.push_str(&SPACES[..n]);
                left -= n;
            }
            self.column = indent;
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        // Most scalars are one ASCII word: nothing to break or fold, so the
        // character loop below would only copy it.
        let bytes = value.as_bytes();
        if ascii_within(bytes, 0x21, 0x7E)
            || bytes
                .iter()
                .all(|&b| b.is_ascii() && b != b' ' && b != b'\n' && b != b'\r')
        {
            self.out.push_str(value);
            self.column += value.len();
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut chars = value.chars().peekable();
        let mut spaces = false;
        let mut breaks = false;
        while let Some(c) = chars.next() {
            if c == ' ' {
                let next_space = chars.peek() == Some(&' ');
                if allow_breaks && !spaces && self.column > self.flavor.width && !next_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.indicator("'", true, false, false);
        let n = value.chars().count();
        let mut chars = value.chars().peekable();
        let mut i = 0;
        let mut spaces = false;
        let mut breaks = false;
        while let Some(c) = chars.next() {
            let at = i;
            i += 1;
            if c == ' ' {
                let next_space = chars.peek() == Some(&' ');
                let i = at;
                if allow_breaks
                    && !spaces
                    && self.column > self.flavor.width
                    && i > 0
                    && i + 1 < n
                    && !next_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.indicator("\"", true, false, false);
        // go-yaml's `is_bom` looks at the start of the string whatever the
        // position, so a string that starts with a BOM is escaped throughout.
        let bom = value.starts_with('\u{FEFF}');
        let n = value.chars().count();
        let mut chars = value.chars().peekable();
        let mut i = 0;
        let mut spaces = false;
        while let Some(c) = chars.next() {
            let at = i;
            i += 1;
            if !is_printable(c) || bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let v = c as u32;
                        let (letter, width) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for k in (0..width).rev() {
                            let digit = (v >> (k * 4)) & 0xF;
                            self.put(
                                std::char::from_digit(digit, 16)
                                    .unwrap_or('0')
                                    .to_ascii_uppercase(),
                            );
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.flavor.width
                    && at > 0
                    && at + 1 < n
                {
                    self.write_indent();
                    if chars.peek() == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn literal(&mut self, value: &str) {
        self.indicator("|", true, false, false);
        // Block scalar hints: an indentation indicator when the text starts
        // with a space or break, then the chomping indicator.
        let mut chars = value.chars();
        if let Some(first) = value.chars().next() {
            if first == ' ' || is_break(first) {
                self.indicator(&BEST_INDENT.to_string(), false, false, false);
            }
        }
        let last = chars.next_back();
        let chomp = match last {
            None => Some("-"),
            Some(c) if !is_break(c) => Some("-"),
            Some(_) => match chars.next_back() {
                None => Some("+"),
                Some(c) if is_break(c) => Some("+"),
                Some(_) => None,
            },
        };
        if let Some(ch) = chomp {
            self.indicator(ch, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// Whether `text` can be written as it is, plain on one line, and read back
/// as the same scalar (for source texts kept through a rewrite, `texts.rs`).
pub(crate) fn plain_allowed(text: &str) -> bool {
    let a = analyze(text, V2);
    !text.is_empty() && !a.multiline && a.block_plain_allowed
}

/// What go-yaml v2's `yaml_emitter_analyze_scalar` learns about a string, for
/// block context (the only context this emitter writes scalars in).
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(value: &str, flavor: Flavor) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    if is_simple_plain(value.as_bytes()) {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
    }
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let mut line_breaks = false;
    let mut special = false;
    let mut tabs = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;
    let mut preceded_by_ws = true;
    let mut chars = value.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let last = next.is_none();
        let followed_by_ws = matches!(next, None | Some(' ') | Some('\t'));
        if first {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        if c == '\t' && flavor.tabs_in_blocks {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if first {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if first {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = c == ' ' || c == '\t' || is_break(c);
        first = false;
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special || tabs {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_allowed = false;
    }
    if line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// Whether `value` is one word of printable ASCII that [`analyze`] would
/// find nothing in: no indicator first, no `: ` or ` #` (there are no
/// spaces), no `:` last, no document marker. Most keys and values are; this
/// answers for them without decoding characters.
fn is_simple_plain(value: &[u8]) -> bool {
    let (Some(&first), Some(&last)) = (value.first(), value.last()) else {
        return false;
    };
    if b"#,[]{}&*!|>'\"%@`".contains(&first)
        || (value.len() == 1 && b"?:-".contains(&first))
        || last == b':'
        || value.starts_with(b"---")
        || value.starts_with(b"...")
    {
        return false;
    }
    ascii_within(value, 0x21, 0x7E)
}

/// Whether every byte of `bytes` lies in `lo..=hi`, ASCII bounds with
/// `0 < lo <= hi < 0x7F`: eight bytes a step, since every string of a
/// rewritten manifest passes here (and a debug build's per-byte iterators
/// take seconds over a stream of hundreds of megabytes).
pub(super) fn ascii_within(bytes: &[u8], lo: u8, hi: u8) -> bool {
    debug_assert!(0 < lo && lo <= hi && hi < 0x7F);
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let w = u64::from_ne_bytes(chunk.try_into().expect("eight bytes"));
        // A byte with its high bit set, a byte below `lo`, a byte above `hi`
        // (the tests of "Bit Twiddling Hacks", exact for bytes below 0x80).
        let below = w.wrapping_sub(ONES * lo as u64) & !w;
        let above = w.wrapping_add(ONES * (0x7F - hi) as u64) | w;
        if (w | below | above) & HIGH != 0 {
            return false;
        }
    }
    chunks.remainder().iter().all(|&b| lo <= b && b <= hi)
}

/// libyaml's printable set as go-yaml v2 tests it on UTF-8 bytes.
fn is_printable(c: char) -> bool {
    let v = c as u32;
    v == 0x0A
        || (0x20..=0x7E).contains(&v)
        || (0xA0..=0xD7FF).contains(&v)
        || ((0xE000..=0xFFFD).contains(&v) && v != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}
