//! How go-yaml v2 (the YAML library under sigs.k8s.io/yaml, and so under Helm)
//! decides what a plain scalar means: YAML 1.1 booleans (`yes`, `on`, `y`…),
//! nulls, integers in Go's base-prefixed forms, floats. The same rules decide on
//! the way out whether a string must be quoted, so reader and emitter share them.

/// What a plain scalar resolves to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    /// Fits Go's `int` (int64).
    Int(i64),
    /// Only fits Go's `uint64`.
    Uint(u64),
    Float(f64),
    Str,
}

/// Resolves an untagged plain scalar the way go-yaml v2's `resolve("", s)` does.
pub(crate) fn resolve_plain(s: &str) -> Resolved {
    let first = match s.as_bytes().first() {
        None => return Resolved::Null,
        Some(b) => *b,
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            from_table(s).unwrap_or(Resolved::Str)
        }
        b'.' => {
            if let Some(r) = from_table(s) {
                return r;
            }
            // Go's ParseFloat on ".5", ".5e3" (the table caught ".inf"/".nan").
            if is_dot_float(s) {
                if let Ok(f) = s.parse::<f64>() {
                    return Resolved::Float(f);
                }
            }
            Resolved::Str
        }
        b'+' | b'-' | b'0'..=b'9' => {
            if let Some(r) = from_table(s) {
                return r;
            }
            resolve_number(s)
        }
        _ => Resolved::Str,
    }
}

fn from_table(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// `\.[0-9]+([eE][-+]?[0-9]+)?`: what Go's ParseFloat accepts after a leading dot.
fn is_dot_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 1;
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == start {
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

/// Integers (underscores dropped, Go's base prefixes), then uint64, then
/// YAML-style floats, as go-yaml tries them in turn.
fn resolve_number(s: &str) -> Resolved {
    let plain: String = if s.contains('_') {
        s.replace('_', "")
    } else {
        s.to_string()
    };
    match parse_go_integer(&plain) {
        Some(IntParse::Int(i)) => return Resolved::Int(i),
        Some(IntParse::Uint(u)) => return Resolved::Uint(u),
        None => {}
    }
    // Go's ParseFloat refuses what overflows (1e400 stays a string); an
    // integer too big for 64 bits only becomes a float by this pattern.
    if is_yaml_float(&plain) {
        if let Ok(x) = plain.parse::<f64>() {
            if x.is_finite() {
                return Resolved::Float(x);
            }
        }
    }
    Resolved::Str
}

enum IntParse {
    Int(i64),
    Uint(u64),
}

/// `strconv.ParseInt(s, 0, 64)` then `ParseUint`: optional sign, then `0x`,
/// `0o`, `0b` (either case) or a leading `0` (octal), or decimal.
fn parse_go_integer(s: &str) -> Option<IntParse> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let rb = rest.as_bytes();
    let (radix, digits) = if rb.len() > 2 && rb[0] == b'0' && matches!(rb[1], b'x' | b'X') {
        (16, &rest[2..])
    } else if rb.len() > 2 && rb[0] == b'0' && matches!(rb[1], b'o' | b'O') {
        (8, &rest[2..])
    } else if rb.len() > 2 && rb[0] == b'0' && matches!(rb[1], b'b' | b'B') {
        (2, &rest[2..])
    } else if rb.len() > 1 && rb[0] == b'0' {
        (8, &rest[1..])
    } else {
        (10, rest)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mut acc: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)? as u64;
        acc = acc.checked_mul(radix as u64)?.checked_add(d)?;
    }
    if neg {
        // ParseUint refuses a sign, so a negative number must fit int64.
        if acc <= i64::MAX as u64 + 1 {
            Some(IntParse::Int((acc as i64).wrapping_neg()))
        } else {
            None
        }
    } else if acc <= i64::MAX as u64 {
        Some(IntParse::Int(acc as i64))
    } else {
        Some(IntParse::Uint(acc))
    }
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i > int_start {
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    } else {
        if i >= b.len() || b[i] != b'.' {
            return false;
        }
        i += 1;
        let frac = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == frac {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return false;
        }
    }
    i == b.len()
}

/// go-yaml's base-60 float pattern `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`:
/// such strings are quoted on output although they read back as strings.
pub(crate) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        // [0-5]?[0-9]: one or two digits, the first of two at most 5.
        let d0 = i;
        while i < b.len() && b[i].is_ascii_digit() && i - d0 < 2 {
            i += 1;
        }
        match i - d0 {
            1 => {}
            2 if b[d0] <= b'5' => {}
            2 => {
                // "x:67" can still match as "x:6" only if followed by nothing
                // else; it is not, so give up (the regex would backtrack to
                // one digit and then fail on the next digit).
                return false;
            }
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Whether a plain scalar would read back as a timestamp (go-yaml v2 tries
/// Go's `time.Parse` with four layouts); such strings are quoted on output.
pub(crate) fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    let Some(month) = num_1_2(b, &mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    let Some(day) = num_1_2(b, &mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(hour) = num_1_2(b, &mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(min) = num_1_2(b, &mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(sec) = num_1_2(b, &mut i) else {
        return false;
    };
    if hour > 23 || min > 59 || sec > 59 {
        return false;
    }
    // Fractional seconds: a period or comma and digits.
    if i + 1 < b.len() && (b[i] == b'.' || b[i] == b',') && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    if i < b.len() && b[i] == b'Z' {
        return i + 1 == b.len();
    }
    // ±hh:mm
    if b.len() - i != 6 || !(b[i] == b'+' || b[i] == b'-') || b[i + 3] != b':' {
        return false;
    }
    let hh = &b[i + 1..i + 3];
    let mm = &b[i + 4..i + 6];
    if !hh.iter().chain(mm).all(u8::is_ascii_digit) {
        return false;
    }
    let h = (hh[0] - b'0') as u32 * 10 + (hh[1] - b'0') as u32;
    let m = (mm[0] - b'0') as u32 * 10 + (mm[1] - b'0') as u32;
    h <= 24 && m <= 60
}

fn num_1_2(b: &[u8], i: &mut usize) -> Option<u32> {
    let start = *i;
    while *i < b.len() && b[*i].is_ascii_digit() && *i - start < 2 {
        *i += 1;
    }
    if *i == start {
        return None;
    }
    std::str::from_utf8(&b[start..*i]).ok()?.parse().ok()
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether go-yaml v2 may write `s` as a plain scalar: only when it reads back
/// as the same string (not a bool, number, null, timestamp or base-60 float).
pub(crate) fn plain_reads_back_as_string(s: &str) -> bool {
    matches!(resolve_plain(s), Resolved::Str) && !is_timestamp(s) && !is_base60_float(s)
}

/// Whether an untagged plain scalar read as `r` from `text` is written back
/// with that same text by the emitter working from its value alone: `8080`,
/// `true`, `null` and most strings are; `0755`, `+1`, `on`, `~`, floats (not
/// looked at closely: rare in manifests) and strings the emitter quotes
/// (dates, base-60 numbers) are not. A `false` answer is always safe.
pub(crate) fn written_back_as_read(r: &Resolved, text: &str) -> bool {
    match r {
        Resolved::Null => text == "null",
        Resolved::Bool(b) => text == if *b { "true" } else { "false" },
        Resolved::Int(_) | Resolved::Uint(_) => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (!digits.starts_with('0') || text == "0")
        }
        Resolved::Float(_) => false,
        Resolved::Str => !is_timestamp(text) && !is_base60_float(text),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml turns a
/// float map key into a string (with go-yaml's names for infinities and NaN).
pub(crate) fn float_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    format_g32(f)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`.
pub(crate) fn format_g32(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    let x = f as f32;
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let e = format!("{:e}", x);
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    crate::strconv::layout_float_digits(neg, &digits, exp, 'g')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_scalars_resolve_as_go_yaml_v2() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("Off"), Resolved::Bool(false));
        assert_eq!(resolve_plain("y"), Resolved::Bool(true));
        assert_eq!(resolve_plain("yES"), Resolved::Str);
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain(""), Resolved::Null);
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("017"), Resolved::Int(15));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(resolve_plain("-0b101"), Resolved::Int(-5));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(
            resolve_plain("12345678901234567890"),
            Resolved::Uint(12345678901234567890)
        );
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1e"), Resolved::Str);
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("-"), Resolved::Str);
        assert_eq!(resolve_plain("NaN"), Resolved::Str);
        assert!(matches!(resolve_plain(".NaN"), Resolved::Float(f) if f.is_nan()));
        assert_eq!(resolve_plain("123abc"), Resolved::Str);
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(resolve_plain("0x1FFFFFFFFFFFFFFFF"), Resolved::Str);
        assert_eq!(
            resolve_plain("-9223372036854775808"),
            Resolved::Int(i64::MIN)
        );
        assert_eq!(
            resolve_plain("-9223372036854775809"),
            Resolved::Float(-9223372036854775809.0)
        );
    }

    #[test]
    fn quoting_helpers_match_go_yaml() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("12:30:45"));
        assert!(!is_base60_float("1:70"));
        assert!(!is_base60_float("a:b"));
        assert!(is_timestamp("2024-01-15"));
        assert!(is_timestamp("2024-01-15T10:00:00Z"));
        assert!(is_timestamp("2024-1-5 1:2:3.5"));
        assert!(!is_timestamp("2024-02-30"));
        assert!(!is_timestamp("2024-01-15T10:00:00"));
        assert!(plain_reads_back_as_string("a#b"));
        assert!(!plain_reads_back_as_string("true"));
    }

    #[test]
    fn float_keys_print_as_float32() {
        assert_eq!(float_key(1.1), "1.1");
        assert_eq!(float_key(1000.0), "1000");
        assert_eq!(float_key(0.1), "0.1");
        assert_eq!(float_key(16777217.0), "1.6777216e+07");
        assert_eq!(float_key(f64::INFINITY), ".inf");
    }
}
