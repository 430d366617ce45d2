//! Turning a lexed scalar into its value, with BurntSushi's checks and
//! messages: strings (escapes, line-ending backslashes), integers, floats
//! (Go's `strconv` ranges) and date-times (the layouts BurntSushi tries with
//! Go's `time.Parse`, in its order). Each returns the message of what it
//! refuses; the parser adds the line and the last key.

use super::go::quote_str;

/// `strconv.ParseInt(s, 0, 64)` after BurntSushi's own checks.
pub(super) fn integer(s: &str) -> Result<i64, String> {
    if !underscores_ok(s) {
        return Err(format!(
            "Invalid integer {}: underscores must be surrounded by digits",
            quote_str(s)
        ));
    }
    if leading_zero(s) {
        return Err(format!(
            "Invalid integer {}: cannot have leading zeroes",
            quote_str(s)
        ));
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let (radix, digits) = match body.get(..2) {
        Some("0x") => (16, &body[2..]),
        Some("0o") => (8, &body[2..]),
        Some("0b") => (2, &body[2..]),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(format!("Invalid integer {}", quote_str(s)));
    }
    let range = || format!("{s} is out of range for int64");
    let mag = u64::from_str_radix(digits, radix).map_err(|_| range())?;
    if neg {
        if mag > i64::MAX as u64 + 1 {
            return Err(range());
        }
        Ok((mag as i64).wrapping_neg())
    } else {
        i64::try_from(mag).map_err(|_| range())
    }
}

/// `strconv.ParseFloat(s, 64)` after BurntSushi's own checks.
pub(super) fn float(s: &str) -> Result<f64, String> {
    let parts: Vec<&str> = s.split(['.', 'e', 'E']).filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| !underscores_ok(p)) {
        return Err(format!(
            "Invalid float {}: underscores must be surrounded by digits",
            quote_str(s)
        ));
    }
    if parts.first().is_some_and(|p| leading_zero(p)) {
        return Err(format!(
            "Invalid float {}: cannot have leading zeroes",
            quote_str(s)
        ));
    }
    if !periods_ok(s) {
        return Err(format!(
            "Invalid float {}: '.' must be followed by one or more digits",
            quote_str(s)
        ));
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    match clean.as_str() {
        "nan" | "+nan" => return Ok(f64::NAN),
        "-nan" => return Ok(-f64::NAN),
        "inf" | "+inf" => return Ok(f64::INFINITY),
        "-inf" => return Ok(f64::NEG_INFINITY),
        _ => {}
    }
    let invalid = || format!("Invalid float value: {}", quote_str(s));
    if !go_float_syntax(&clean) {
        return Err(invalid());
    }
    let f: f64 = clean.parse().map_err(|_| invalid())?;
    if f.is_infinite() {
        // Go reports an overflow; an underflow is a quiet zero in both.
        return Err(format!("{s} is out of range for float64"));
    }
    Ok(f)
}

/// The decimal floats Go's `ParseFloat` reads: a sign, digits with at most
/// one point (a digit somewhere), and an exponent with digits.
fn go_float_syntax(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut digits = 0;
    let mut point = false;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => digits += 1,
            b'.' if !point => point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// Every underscore follows a digit (a hex one, for `0x`) and the text ends
/// in one: BurntSushi's `numUnderscoresOK`.
fn underscores_ok(s: &str) -> bool {
    if matches!(s, "nan" | "+nan" | "-nan" | "inf" | "-inf" | "+inf") {
        return true;
    }
    let mut accept = false;
    for c in s.chars() {
        if c == '_' && !accept {
            return false;
        }
        accept = c.is_ascii_hexdigit();
    }
    accept
}

/// A zero before other digits (`01`, `-01`), but not a base prefix.
fn leading_zero(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() > 1 && b[0] == b'0' && !matches!(b[1], b'b' | b'o' | b'x'))
        || (b.len() > 2 && matches!(b[0], b'-' | b'+') && b[1] == b'0')
}

/// Every `.` is followed by a digit.
fn periods_ok(s: &str) -> bool {
    let mut period = false;
    for c in s.chars() {
        if period && !c.is_ascii_digit() {
            return false;
        }
        period = c == '.';
    }
    !period
}

/// A multi-line string's first newline is not part of it.
pub(super) fn strip_first_newline(s: &str) -> &str {
    s.strip_prefix('\n')
        .or_else(|| s.strip_prefix("\r\n"))
        .unwrap_or(s)
}

/// Drops each line-ending backslash with the whitespace (newlines included)
/// after it. A backslash followed by blanks but no newline stays, for the
/// escapes to refuse.
pub(super) fn strip_escaped_newlines(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = s[i..].find('\\') {
        i += off;
        if b.get(i + 1) == Some(&b'\\') {
            i += 2;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r' | b'\n') {
            j += 1;
        }
        if j == i + 1 || !s[i..j].contains('\n') {
            i += 1;
            continue;
        }
        out.push_str(&s[copied..i]);
        copied = j;
        i = j;
    }
    out.push_str(&s[copied..]);
    out
}

/// The character a one-letter escape (`\n`, `\"`) stands for.
fn simple_escape(e: char) -> Option<char> {
    Some(match e {
        'b' => '\u{8}',
        't' => '\t',
        'n' => '\n',
        'f' => '\u{c}',
        'r' => '\r',
        'e' => '\u{1b}',
        '"' | '\\' => e,
        _ => return None,
    })
}

/// A basic string's escapes, as the lexer let them through.
pub(super) fn unescape(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            return Err("invalid escape at the end of a string".into());
        };
        if let Some(c) = simple_escape(e) {
            out.push(c);
            continue;
        }
        let hex_len = match e {
            ' ' | '\t' => return Err(format!("invalid escape: '\\{e}'")),
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => return Err(format!("invalid escape in string '\\{e}'")),
        };
        let digits = s.get(i + 2..i + 2 + hex_len).unwrap_or("");
        for _ in 0..hex_len {
            chars.next();
        }
        let code = u32::from_str_radix(digits, 16).ok();
        match code.and_then(char::from_u32) {
            Some(ch) if digits.len() == hex_len => out.push(ch),
            _ => {
                return Err(format!(
                    "Escaped character '\\u{digits}' is not valid UTF-8."
                ))
            }
        }
    }
    Ok(out)
}

/// A TOML date-time as BurntSushi reads it: which kind, and its fields.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct DateTime {
    pub date: Option<(i32, u32, u32)>,
    pub time: Option<(u32, u32, u32, u32)>,
    pub zone: Zone,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Zone {
    /// No offset: one of the three local kinds.
    Local,
    /// `Z`.
    Utc,
    /// A numeric offset, in seconds east.
    Offset(i32),
}

/// BurntSushi's `valueDatetime`: `t`, `z` and the space become `T` and `Z`,
/// then Go's `time.Parse` is tried with each layout in its order; the
/// message shows the text after that replacement.
pub(super) fn datetime(raw: &str) -> Result<DateTime, String> {
    let s: String = raw
        .chars()
        .map(|c| match c {
            'z' => 'Z',
            't' | ' ' => 'T',
            c => c,
        })
        .collect();
    // (date, time, seconds, zone) of each layout, in BurntSushi's order:
    // RFC 3339 with nanoseconds; a local date-time; a local date; a local
    // time; then TOML 1.1's forms without seconds (with a zone, local, time).
    const LAYOUTS: [(bool, bool, bool, bool); 7] = [
        (true, true, true, true),
        (true, true, true, false),
        (true, false, false, false),
        (false, true, true, false),
        (true, true, false, true),
        (true, true, false, false),
        (false, true, false, false),
    ];
    for (date, time, secs, zone) in LAYOUTS {
        if let Some(dt) = parse_layout(&s, date, time, secs, zone) {
            return Ok(dt);
        }
    }
    Err(format!("invalid datetime: {}", quote_str(&s)))
}

/// A cursor over the text for one layout.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn lit(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// Go's `getnum`: two digits, or one when not `fixed`.
    fn num(&mut self, fixed: bool) -> Option<(u32, usize)> {
        let d = |k: usize| {
            self.b
                .get(k)
                .filter(|c| c.is_ascii_digit())
                .map(|c| (c - b'0') as u32)
        };
        let a = d(self.i)?;
        match d(self.i + 1) {
            Some(b) => {
                self.i += 2;
                Some((a * 10 + b, 2))
            }
            None if !fixed => {
                self.i += 1;
                Some((a, 1))
            }
            None => None,
        }
    }
}

fn days_in(month: u32, year: i32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// One of BurntSushi's layouts (`2006-01-02`, `T15:04`, `:05.999999999`,
/// `Z07:00`, as asked) against the whole text, with Go's ranges. An hour
/// of one digit parses in Go, then BurntSushi refuses it.
fn parse_layout(s: &str, date: bool, time: bool, secs: bool, zone: bool) -> Option<DateTime> {
    let mut c = Cur {
        b: s.as_bytes(),
        i: 0,
    };
    let mut dt = DateTime {
        date: None,
        time: None,
        zone: Zone::Local,
    };
    if date {
        let y = s.get(0..4)?;
        if !y.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        c.i = 4;
        c.lit(b'-')?;
        let (m, _) = c.num(true)?;
        c.lit(b'-')?;
        let (d, _) = c.num(true)?;
        let year: i32 = y.parse().ok()?;
        if !(1..=12).contains(&m) || d < 1 || d > days_in(m, year) {
            return None;
        }
        dt.date = Some((year, m, d));
        if time {
            c.lit(b'T')?;
        }
    }
    if time {
        let (h, width) = c.num(false)?;
        c.lit(b':')?;
        let (mi, _) = c.num(true)?;
        let (mut sec, mut nanos) = (0, 0);
        if secs {
            c.lit(b':')?;
            sec = c.num(true)?.0;
            if c.b.get(c.i) == Some(&b'.') && c.b.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
                c.i += 1;
                let mut n = 0;
                while c.i < c.b.len() && c.b[c.i].is_ascii_digit() {
                    if n < 9 {
                        nanos = nanos * 10 + (c.b[c.i] - b'0') as u32;
                    }
                    n += 1;
                    c.i += 1;
                }
                nanos *= 10u32.pow(9 - n.min(9) as u32);
            }
        }
        if h >= 24 || mi >= 60 || sec >= 60 || width != 2 {
            return None;
        }
        dt.time = Some((h, mi, sec, nanos));
    }
    if zone {
        if c.lit(b'Z').is_some() {
            dt.zone = Zone::Utc;
        } else {
            let sign = match c.b.get(c.i) {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            c.i += 1;
            let (hh, _) = c.num(true)?;
            c.lit(b':')?;
            let (mm, _) = c.num(true)?;
            // Go allows 24 hours and 60 minutes in an offset.
            if hh > 24 || mm > 60 {
                return None;
            }
            dt.zone = Zone::Offset(sign * (hh as i32 * 3600 + mm as i32 * 60));
        }
    }
    (c.i == c.b.len()).then_some(dt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked_as_burntsushi_does() {
        assert_eq!(integer("0xdead_BEEF"), Ok(3735928559));
        assert_eq!(integer("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            integer("0x8000000000000000").unwrap_err(),
            "0x8000000000000000 is out of range for int64"
        );
        assert_eq!(
            integer("0_1").unwrap_err(),
            "Invalid integer \"0_1\": cannot have leading zeroes"
        );
        assert_eq!(float("1e1_0"), Ok(1e10));
        assert_eq!(
            float("1e+").unwrap_err(),
            "Invalid float \"1e+\": underscores must be surrounded by digits"
        );
        assert_eq!(float("1e").unwrap_err(), "Invalid float value: \"1e\"");
        assert_eq!(float("1e-400"), Ok(0.0));
        assert!(float("-nan").unwrap().is_sign_negative());
    }

    #[test]
    fn strings_lose_line_ending_backslashes() {
        assert_eq!(strip_escaped_newlines("x\\\n   y\\   \n  z"), "xyz");
        assert_eq!(strip_escaped_newlines("a\\\\\nb"), "a\\\\\nb");
        assert_eq!(unescape("\\e\\x41\\u00e9").unwrap(), "\u{1b}Aé");
        assert_eq!(
            unescape("\\uD800").unwrap_err(),
            "Escaped character '\\uD800' is not valid UTF-8."
        );
    }

    #[test]
    fn datetimes_follow_go_layouts() {
        let d = datetime("1979-05-27 07:32").unwrap();
        assert_eq!(d.time, Some((7, 32, 0, 0)));
        assert_eq!(d.zone, Zone::Local);
        assert!(datetime("1979-05-27T7:32:00Z").is_err());
        assert!(datetime("1979-02-30").is_err());
        assert_eq!(
            datetime("1979-05-27T07:32:00+24:00").unwrap().zone,
            Zone::Offset(86400)
        );
        assert_eq!(
            datetime("07:32:00.1234567891").unwrap().time,
            Some((7, 32, 0, 123456789))
        );
        assert_eq!(
            datetime("1979-05-27 07:32:00 1").unwrap_err(),
            "invalid datetime: \"1979-05-27T07:32:00T1\""
        );
    }
}
