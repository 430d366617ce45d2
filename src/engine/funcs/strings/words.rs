//! Word-level string functions: case conversions (`title`, `untitle`,
//! `swapcase`, `snakecase`, `camelcase`, `kebabcase`), `initials`, `wrap`,
//! `wrapWith`, `abbrev`, `abbrevboth` and `shuffle`.
//!
//! Sprig takes these from Go's `strings.Title`, Masterminds/goutils and
//! huandu/xstrings; each has its own idea of a word, reproduced here.

use super::{go_lower, go_upper, is_go_space};
use crate::engine::funcs::conv::{arg_int, arg_str, arity, check_size};
use crate::engine::funcs::FuncTable;
use crate::value::Value;
use rand::seq::SliceRandom;

pub fn register(table: &mut FuncTable) {
    table.add("title", |a| str1("title", a, title));
    table.add("untitle", |a| str1("untitle", a, untitle));
    table.add("swapcase", |a| str1("swapcase", a, swapcase));
    table.add("initials", |a| str1("initials", a, initials));
    table.add("snakecase", |a| {
        str1("snakecase", a, |s| to_delimited(s, '_'))
    });
    table.add("kebabcase", |a| {
        str1("kebabcase", a, |s| to_delimited(s, '-'))
    });
    table.add("camelcase", |a| str1("camelcase", a, pascal_case));
    table.add("shuffle", |a| str1("shuffle", a, shuffle));
    table.add("abbrev", abbrev);
    table.add("abbrevboth", abbrevboth);
    table.add("wrap", wrap);
    table.add("wrapWith", wrap_with);
}

fn str1(name: &str, args: &[Value], f: impl Fn(&str) -> String) -> Result<Value, String> {
    arity(name, args, 1)?;
    Ok(Value::str(f(arg_str(&args[0])?)))
}

/// Go's `strings.Title`: upper-case every letter that follows a separator;
/// ASCII letters, digits and `_` (and any Unicode letter or digit) are not
/// separators, so `o'neil` becomes `O'Neil` and `x_y` stays `X_y`.
fn title(s: &str) -> String {
    let is_separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            is_go_space(c)
        }
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { go_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-case the first letter of each
/// whitespace-separated word.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_go_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                go_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`: upper and title case become lower; lower case
/// becomes title case at a word start and upper case elsewhere.
fn swapcase(s: &str) -> String {
    let mut word_start = true;
    s.chars()
        .map(|c| {
            if c.is_uppercase() || is_title_case(c) {
                word_start = false;
                go_lower(c)
            } else if c.is_lowercase() {
                let out = if word_start { go_title(c) } else { go_upper(c) };
                word_start = false;
                out
            } else {
                word_start = is_go_space(c);
                c
            }
        })
        .collect()
}

/// The Latin digraphs with a title case of their own (`ǅ`), the only
/// characters where Go's `ToTitle` and `ToUpper` differ in practice.
const DIGRAPHS: [(char, char, char); 4] = [
    ('\u{1C4}', '\u{1C5}', '\u{1C6}'),
    ('\u{1C7}', '\u{1C8}', '\u{1C9}'),
    ('\u{1CA}', '\u{1CB}', '\u{1CC}'),
    ('\u{1F1}', '\u{1F2}', '\u{1F3}'),
];

fn is_title_case(c: char) -> bool {
    DIGRAPHS.iter().any(|d| d.1 == c)
}

/// Go's `unicode.ToTitle`.
fn go_title(c: char) -> char {
    match DIGRAPHS.iter().find(|d| d.0 == c || d.1 == c || d.2 == c) {
        Some(d) => d.1,
        None => go_upper(c),
    }
}

/// goutils `Initials`: the first byte of each whitespace-separated word.
/// goutils walks bytes, so a non-ASCII initial comes out as the Latin-1
/// character of its first byte, as in Helm.
fn initials(s: &str) -> String {
    let mut gap = true;
    let mut out = String::new();
    for b in s.bytes() {
        let c = b as char;
        if is_go_space(c) {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// `shuffle`: the characters in a random order.
fn shuffle(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars.shuffle(&mut rand::thread_rng());
    chars.into_iter().collect()
}

/// xstrings' idea of a letter: any Unicode letter except CJK ideographs.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic() && !matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0x20000..=0x2FA1F)
}

/// xstrings' word connectors: `-`, `_` and whitespace.
fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_go_space(c)
}

/// Go's `unicode.IsPunct` (category P) for ASCII and the common general
/// punctuation block; ASCII symbols such as `$+<=>^|~` are not punctuation.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_punctuation()
            && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
    } else {
        matches!(c as u32, 0xA1 | 0xA7 | 0xAB | 0xB6 | 0xB7 | 0xBB | 0xBF | 0x2010..=0x2027 | 0x2030..=0x205E | 0x3001..=0x3003)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// The end of the input.
    End,
    Number,
    /// A word starting with upper case: `HTTP`, `Server`.
    Upper,
    /// A lower-case word.
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// Splits into xstrings' words: runs of connectors, punctuation, digits,
/// lower-case letters, or an upper-case run (`HTTPServer` is `HTTP` +
/// `Server`: the last capital before a lower-case letter starts a new word).
fn split_words(s: &str) -> Vec<(Kind, Vec<char>)> {
    let chars: Vec<char> = s.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        i += 1;
        let run = |i: &mut usize, keep: &dyn Fn(char) -> bool| {
            while *i < chars.len() && keep(chars[*i]) {
                *i += 1;
            }
        };
        let kind = if is_connector(c) {
            run(&mut i, &is_connector);
            Kind::Connector
        } else if is_punct(c) {
            run(&mut i, &is_punct);
            Kind::Punct
        } else if c.is_uppercase() {
            match chars.get(i) {
                Some(&n) if n.is_uppercase() => {
                    run(&mut i, &|c: char| c.is_uppercase());
                    if i < chars.len() && is_alphabet(chars[i]) {
                        i -= 1;
                    }
                }
                Some(&n) if is_alphabet(n) => {
                    run(&mut i, &|c: char| is_alphabet(c) && !c.is_uppercase());
                }
                _ => {}
            }
            Kind::Upper
        } else if is_alphabet(c) {
            run(&mut i, &|c: char| is_alphabet(c) && !c.is_uppercase());
            Kind::Alphabet
        } else if c.is_numeric() {
            run(&mut i, &|c: char| c.is_numeric());
            Kind::Number
        } else {
            run(&mut i, &|c: char| {
                !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
            });
            Kind::Other
        };
        words.push((kind, chars[start..i].to_vec()));
    }
    words
}

/// xstrings `ToSnakeCase`/`ToKebabCase`: words lower-cased and joined by
/// `sep`; connectors become `sep` (one per character); a number sticks to a
/// following lower-case word (`2xx`) and to a preceding word only when a
/// non-letter follows it (`bld4_floor`, but `http_2xx`).
fn to_delimited(s: &str, sep: char) -> String {
    let words = split_words(s);
    let end = (Kind::End, Vec::new());
    let at = |i: usize| words.get(i).unwrap_or(&end);
    let mut out = String::new();
    let emit = |out: &mut String, kind: Kind, text: &[char]| {
        for &c in text {
            if kind == Kind::Upper || kind == Kind::Connector {
                if is_connector(c) {
                    out.push(sep);
                } else {
                    out.push(go_lower(c));
                }
            } else {
                out.push(c);
            }
        }
    };
    let joins = |k: Kind| !matches!(k, Kind::End | Kind::Connector | Kind::Punct);
    if words.is_empty() {
        return out;
    }
    let mut i = 0;
    while i + 1 < words.len() {
        let (prev_kind, prev_text) = at(i);
        if *prev_kind != Kind::Connector {
            emit(&mut out, *prev_kind, prev_text);
        }
        i += 1;
        match prev_kind {
            Kind::Number => {
                while matches!(at(i).0, Kind::Alphabet | Kind::Number) {
                    emit(&mut out, at(i).0, &at(i).1);
                    i += 1;
                }
                if joins(at(i).0) {
                    out.push(sep);
                }
            }
            Kind::Connector => emit(&mut out, Kind::Connector, prev_text),
            Kind::Punct => {}
            _ => {
                if at(i).0 != Kind::Number {
                    if joins(at(i).0) {
                        out.push(sep);
                    }
                    continue;
                }
                if i + 1 >= words.len() {
                    continue;
                }
                let number = &at(i).1;
                i += 1;
                if at(i).0 != Kind::Alphabet {
                    emit(&mut out, Kind::Number, number);
                    if joins(at(i).0) {
                        out.push(sep);
                    }
                    continue;
                }
                out.push(sep);
                emit(&mut out, Kind::Number, number);
                while matches!(at(i).0, Kind::Alphabet | Kind::Number) {
                    emit(&mut out, at(i).0, &at(i).1);
                    i += 1;
                }
                if joins(at(i).0) {
                    out.push(sep);
                }
            }
        }
    }
    let (kind, text) = at(i);
    emit(&mut out, *kind, text);
    out
}

/// xstrings `ToPascalCase` (Sprig's `camelcase`): connectors removed and the
/// letter after each upper-cased; the rest of an all-caps word is lowered
/// (`GOLANG_IS` → `GolangIs`); repeated and trailing connectors stay.
fn pascal_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() && is_connector(chars[i]) {
        out.push(chars[i]);
        i += 1;
    }
    let Some(&first) = chars.get(i) else {
        return out;
    };
    let mut word_upper = first.is_uppercase();
    let mut cur = go_upper(first);
    for &next in &chars[i + 1..] {
        let prev = cur;
        cur = next;
        if is_connector(prev) && is_connector(cur) {
            out.push(prev);
            continue;
        }
        if is_connector(prev) {
            word_upper = cur.is_uppercase();
            cur = go_upper(cur);
        } else {
            if word_upper {
                if cur.is_uppercase() {
                    cur = go_lower(cur);
                } else {
                    word_upper = false;
                }
            }
            out.push(prev);
        }
    }
    out.push(cur);
    out
}

/// goutils `AbbreviateFull` as Sprig calls it: `...` marks what was cut;
/// widths too small to abbreviate return the string unchanged (Sprig drops
/// goutils' error).
fn abbreviate(s: &str, offset: i64, width: i64) -> String {
    let b = s.as_bytes();
    let len = b.len() as i64;
    let lossy = |x: &[u8]| String::from_utf8_lossy(x).into_owned();
    if s.is_empty() || width < 4 {
        return if width < 4 { String::new() } else { s.into() };
    }
    if len <= width {
        return s.into();
    }
    let mut offset = offset.clamp(0, len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    if offset <= 4 {
        return lossy(&b[..(width - 3) as usize]) + "...";
    }
    if width < 7 {
        return String::new();
    }
    if offset + width - 3 < len {
        let rest = lossy(&b[offset as usize..]);
        return format!("...{}", abbreviate(&rest, 0, width - 3));
    }
    format!("...{}", lossy(&b[(len - (width - 3)) as usize..]))
}

/// `abbrev WIDTH S`.
fn abbrev(args: &[Value]) -> Result<Value, String> {
    arity("abbrev", args, 2)?;
    let width = arg_int(&args[0])?;
    let s = arg_str(&args[1])?;
    Ok(Value::str(if width < 4 {
        s.to_string()
    } else {
        abbreviate(s, 0, width)
    }))
}

/// `abbrevboth LEFT RIGHT S`.
fn abbrevboth(args: &[Value]) -> Result<Value, String> {
    arity("abbrevboth", args, 3)?;
    let left = arg_int(&args[0])?;
    let right = arg_int(&args[1])?;
    let s = arg_str(&args[2])?;
    Ok(Value::str(if right < 4 || (left > 0 && right < 7) {
        s.to_string()
    } else {
        abbreviate(s, left, right)
    }))
}

/// goutils `WrapCustom`: breaks lines at the last space within `width` bytes;
/// a word longer than that is cut when `long_words`, else left whole.
fn wrap_custom(s: &str, width: i64, newline: &str, long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut out: Vec<u8> = Vec::with_capacity(len);
    let mut offset = 0;
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let window = &b[offset..offset + width + 1];
        if let Some(space) = window.iter().rposition(|&c| c == b' ') {
            out.extend_from_slice(&b[offset..offset + space]);
            out.extend_from_slice(newline.as_bytes());
            offset += space + 1;
        } else if long_words {
            out.extend_from_slice(&b[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = offset + width;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = len;
                }
                Some(idx) => {
                    out.extend_from_slice(&b[offset..end + idx]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + idx + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// `wrap WIDTH S`.
fn wrap(args: &[Value]) -> Result<Value, String> {
    arity("wrap", args, 2)?;
    let width = arg_int(&args[0])?;
    let s = arg_str(&args[1])?;
    check_size("wrap", s.len() as u128 * 2)?;
    Ok(Value::str(wrap_custom(s, width, "", false)))
}

/// `wrapWith WIDTH SEP S`: long words are cut too.
fn wrap_with(args: &[Value]) -> Result<Value, String> {
    arity("wrapWith", args, 3)?;
    let width = arg_int(&args[0])?;
    let sep = arg_str(&args[1])?;
    let s = arg_str(&args[2])?;
    let lines = s.len() as u128 / width.max(1) as u128 + 1;
    check_size(
        "wrapWith",
        s.len() as u128 + lines * sep.len().max(1) as u128,
    )?;
    Ok(Value::str(wrap_custom(s, width, sep, true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by Helm 4.2.3.
    #[test]
    fn case_conversions() {
        assert_eq!(
            to_delimited("HTTPServer fooBar-baz_Qux 99Bottles aB1c", '_'),
            "http_server_foo_bar_baz_qux_99_bottles_a_b_1c"
        );
        assert_eq!(to_delimited("FOO_BAR", '_'), "foo_bar");
        assert_eq!(to_delimited("foo  bar", '_'), "foo__bar");
        assert_eq!(to_delimited("a-b.c d", '_'), "a_b.c_d");
        assert_eq!(to_delimited("foo.bar", '-'), "foo.bar");
        assert_eq!(
            to_delimited("HTTPServer fooBar-baz_Qux", '-'),
            "http-server-foo-bar-baz-qux"
        );
        assert_eq!(to_delimited("Bld4Floor3rd", '_'), "bld4_floor_3rd");
        assert_eq!(to_delimited("HTTP20xOK", '_'), "http_20x_ok");
        assert_eq!(
            pascal_case("http_server foo-bar baz_Qux"),
            "HttpServerFooBarBazQux"
        );
        assert_eq!(pascal_case("foo_bar"), "FooBar");
        assert_eq!(pascal_case("FooBar"), "FooBar");
        assert_eq!(pascal_case("foo bar"), "FooBar");
        assert_eq!(pascal_case("_complex__case_"), "_Complex_Case_");
        assert_eq!(pascal_case("GOLANG_IS_GREAT"), "GolangIsGreat");
        assert_eq!(
            title("hello wORLD foo-bar o'neil 3d x_y"),
            "Hello WORLD Foo-Bar O'Neil 3d X_y"
        );
        assert_eq!(untitle("Hello World  FOO"), "hello world  fOO");
        assert_eq!(swapcase("Hello World  fOO bar"), "hELLO wORLD  Foo BAR");
        assert_eq!(initials("hello World  foo"), "hWf");
    }

    #[test]
    fn abbreviation_and_wrapping() {
        assert_eq!(abbreviate("hello world", 0, 5), "he...");
        assert_eq!(abbreviate("1234567890abcdefghij", 5, 10), "...6789...");
        assert_eq!(
            wrap_custom("hello world foo bar", 5, "", false),
            "hello\nworld\nfoo\nbar"
        );
        assert_eq!(
            wrap_custom("hello world foo bar", 5, "<br>", true),
            "hello<br>world<br>foo<br>bar"
        );
        assert_eq!(wrap_custom("abcdefgh ij", 3, "", false), "abcdefgh\nij");
        assert_eq!(wrap_custom("abcdefgh", 3, "", true), "abc\ndef\ngh");
        let sorted: String = {
            let mut c: Vec<char> = shuffle("hello").chars().collect();
            c.sort();
            c.into_iter().collect()
        };
        assert_eq!(sorted, "ehllo");
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    // Expected values printed by Helm 4.2.3.
    #[test]
    fn edge_cases() {
        let snake = |s| to_delimited(s, '_');
        assert_eq!(to_delimited("HelloWorld123Foo", '-'), "hello-world123-foo");
        assert_eq!(snake("already_snake"), "already_snake");
        assert_eq!(pascal_case("-foo-bar"), "-FooBar");
        assert_eq!(pascal_case("a"), "A");
        assert_eq!(snake("ABC"), "abc");
        assert_eq!(snake("A"), "a");
        assert_eq!(snake("a1b2"), "a_1b2");
        assert_eq!(snake("ID"), "id");
        assert_eq!(snake("userID"), "user_id");
        assert_eq!(snake("foo.Bar"), "foo.bar");
        assert_eq!(snake("x__y"), "x__y");
        assert_eq!(snake("Duration2m3s"), "duration_2m3s");
        assert_eq!(snake("HTTP2XX"), "http2_xx");
        assert_eq!(snake("abc 123 DEF"), "abc_123_def");
        assert_eq!(snake("a$b"), "a_$_b");
        assert_eq!(pascal_case("foo__bar_"), "Foo_Bar_");
        assert_eq!(pascal_case("FOO bar"), "FooBar");
        assert_eq!(pascal_case(""), "");
        assert_eq!(snake("ÄbcDéf"), "äbc_déf");
        assert_eq!(title("élan vital"), "Élan Vital");
        assert_eq!(initials("élan"), "Ã");
        assert_eq!(swapcase("ǅx"), "ǆX");
        assert_eq!(swapcase("ǆx ǆ"), "ǅX ǅ");
        assert_eq!(title("ǆx"), "ǅx");
        assert_eq!(wrap_custom("ab\ncdefg hi", 4, "", false), "ab\ncdefg\nhi");
        assert_eq!(abbreviate("abcdef", 0, 4), "a...");
        assert_eq!(abbreviate("abcdefgh", 0, 4), "a...");
        assert_eq!(abbreviate("0123456789abcdefghij", 10, 8), "...ab...");
        assert_eq!(abbreviate("0123456789abcdefghij", 3, 8), "01234...");
    }
}
