//! Go's `strconv` pieces that `fmt` builds on: `Quote`, `QuoteRune`,
//! `CanBackquote`, `IsPrint` and `FormatFloat` for the verbs `e`, `f`, `g`,
//! `b` and `x`, with correctly rounded digits.

/// Go rejects widths and precisions beyond a million (`%!(BADWIDTH)`), which
/// also bounds what one directive can allocate.
pub const MAX_NUM: usize = 1_000_000;

/// `strconv.CanBackquote`: no control characters other than tab, no backquote.
pub fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c == '\t' || (c != '`' && c != '\u{7f}' && c >= ' ' && c != '\u{FEFF}'))
}

/// `strconv.Quote` (or `QuoteRune` with `'`), and `QuoteToASCII` when `ascii`.
pub fn quote_with(s: &str, q: char, ascii: bool) -> String {
    quote_bytes_with(s.as_bytes(), q, ascii)
}

/// [`quote_with`] of a Go string's bytes: a byte that is not part of valid
/// UTF-8 is written `\xNN`, as Go writes it.
pub fn quote_bytes_with(bytes: &[u8], q: char, ascii: bool) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push(q);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_quoted(&mut out, c, q, ascii);
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push(q);
    out
}

fn push_quoted(out: &mut String, c: char, q: char, ascii: bool) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == q => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x80 && is_print(c) => out.push(c),
        c if !ascii && is_print(c) => out.push(c),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// `strconv.Quote`.
pub fn quote(s: &str) -> String {
    quote_with(s, '"', false)
}

/// `strconv.Quote` of a Go string's bytes.
pub fn quote_bytes(b: &[u8]) -> String {
    quote_bytes_with(b, '"', false)
}

/// An approximation of Go's `strconv.IsPrint`: letters, marks, numbers,
/// punctuation, symbols and the ASCII space; not controls, other spaces, or
/// format characters.
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xD800..=0xDFFF | 0xE000..=0xF8FF | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF)
}

/// `strconv.FormatFloat(x, verb, prec, 64)`; `prec` `None` is Go's -1, the
/// shortest representation that reads back as the same float.
pub fn format_float(x: f64, verb: char, prec: Option<usize>) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let neg = x.is_sign_negative();
    let sign = if neg { "-" } else { "" };
    let a = x.abs();
    match verb {
        'b' => {
            let bits = x.to_bits();
            let mut exp = ((bits >> 52) & 0x7ff) as i64;
            let mut mant = bits & ((1u64 << 52) - 1);
            if exp == 0 {
                exp = 1;
            } else {
                mant |= 1 << 52;
            }
            exp -= 1075;
            let esign = if exp < 0 { '-' } else { '+' };
            format!("{sign}{mant}p{esign}{}", exp.abs())
        }
        'x' | 'X' => format!("{sign}{}", hex_float(a, prec, verb == 'X')),
        'f' | 'F' => match prec {
            Some(p) => format!("{sign}{a:.p$}"),
            None => {
                let (d, dp) = shortest_digits(a);
                let p = (d.len() as i64 - dp).max(0) as usize;
                format!("{sign}{}", fmt_f(&d, dp, p))
            }
        },
        'e' | 'E' => {
            let (d, dp, p) = match prec {
                Some(p) => {
                    let (d, dp) = rounded_digits(a, p + 1);
                    (d, dp, p)
                }
                None => {
                    let (d, dp) = shortest_digits(a);
                    let p = d.len().saturating_sub(1);
                    (d, dp, p)
                }
            };
            format!("{sign}{}", fmt_e(&d, dp, p, verb == 'E'))
        }
        _ => {
            // 'g' and 'G'.
            let upper = verb == 'G';
            let (d, dp, mut p, eprec) = match prec {
                None => {
                    let (d, dp) = shortest_digits(a);
                    let n = d.len();
                    (d, dp, n, 6)
                }
                Some(p) => {
                    let p = p.max(1);
                    let (d, dp) = rounded_digits(a, p);
                    let nd = d.len() as i64;
                    let eprec = if p as i64 > nd && nd >= dp {
                        nd
                    } else {
                        p as i64
                    };
                    (d, dp, p, eprec)
                }
            };
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                p = p.min(d.len());
                format!("{sign}{}", fmt_e(&d, dp, p.saturating_sub(1), upper))
            } else {
                if p as i64 > dp {
                    p = d.len();
                }
                let fp = (p as i64 - dp).max(0) as usize;
                format!("{sign}{}", fmt_f(&d, dp, fp))
            }
        }
    }
}

/// The shortest round-trip decimal digits of a non-negative float (no
/// trailing zeros) and the decimal point position: `d[0].d[1..] × 10^(dp-1)`.
pub fn shortest_digits(a: f64) -> (String, i64) {
    if a == 0.0 {
        return (String::new(), 0);
    }
    split_exp(&format!("{a:e}"))
}

/// `n` significant digits, correctly rounded, trailing zeros removed.
fn rounded_digits(a: f64, n: usize) -> (String, i64) {
    if a == 0.0 {
        return (String::new(), 0);
    }
    let p = n.saturating_sub(1).min(MAX_NUM);
    split_exp(&format!("{a:.p$e}"))
}

fn split_exp(e: &str) -> (String, i64) {
    let (mant, exp) = e.split_once('e').unwrap_or((e, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0').to_string();
    if digits.is_empty() {
        return (String::new(), 0);
    }
    (digits, exp + 1)
}

/// `%e` of digits: `d.ddde±XX` with exactly `prec` digits after the point.
fn fmt_e(d: &str, dp: i64, prec: usize, upper: bool) -> String {
    let digit = |i: usize| d.as_bytes().get(i).map_or('0', |b| *b as char);
    let mut out = String::new();
    out.push(digit(0));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(digit(i));
        }
    }
    let exp = if d.is_empty() { 0 } else { dp - 1 };
    out.push(if upper { 'E' } else { 'e' });
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

/// `%f` of digits with `prec` digits after the point.
fn fmt_f(d: &str, dp: i64, prec: usize) -> String {
    let digit = |i: i64| {
        if i < 0 {
            '0'
        } else {
            d.as_bytes().get(i as usize).map_or('0', |b| *b as char)
        }
    };
    let mut out = String::new();
    if dp > 0 {
        for i in 0..dp {
            out.push(digit(i));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec as i64 {
            out.push(digit(dp + i));
        }
    }
    out
}

/// `%x` of a float: `0x1.8p+01`; a precision rounds the hex mantissa (to
/// nearest, ties to even).
fn hex_float(a: f64, prec: Option<usize>, upper: bool) -> String {
    let bits = a.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if a == 0.0 {
        exp = 0;
    } else if exp == 0 {
        // Subnormal: normalize so the leading bit is at position 52.
        exp = -1022;
        while mant & (1 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        mant &= (1 << 52) - 1;
    } else {
        exp -= 1023;
    }
    let mut lead = if a == 0.0 { 0u64 } else { 1 };
    // 52 fraction bits are 13 hex digits.
    let mut frac_digits = 13usize;
    if let Some(p) = prec.filter(|p| *p < 13) {
        let shift = 4 * (13 - p) as u32;
        let full = (lead << 52) | mant;
        let rem = full & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        let mut kept = full >> shift;
        if rem > half || (rem == half && kept & 1 == 1) {
            kept += 1;
        }
        let new_full = kept << shift;
        if new_full >> 53 != 0 {
            // Rounded up past 2.0: renormalize.
            exp += 1;
            lead = 1;
            mant = (new_full >> 1) & ((1u64 << 52) - 1);
        } else {
            lead = new_full >> 52;
            mant = new_full & ((1u64 << 52) - 1);
        }
        frac_digits = p;
    }
    let mut frac = format!("{mant:013x}");
    frac.truncate(frac_digits);
    match prec {
        None => {
            while frac.ends_with('0') {
                frac.pop();
            }
        }
        Some(p) => {
            while frac.len() < p {
                frac.push('0');
            }
        }
    }
    let esign = if exp < 0 { '-' } else { '+' };
    let mut s = format!("0x{lead}");
    if !frac.is_empty() {
        s.push('.');
        s.push_str(&frac);
    }
    s.push_str(&format!("p{esign}{:02}", exp.abs()));
    if upper {
        s = s.to_uppercase();
    }
    s
}

/// Go's `strconv.FormatFloat(x, 'g', -1, 64)`, which is also `%v` of a float64
/// and so what `{{ .x }}` prints for a number read from YAML.
pub fn format_float_g(x: f64) -> String {
    format_float_shortest(x, 'g')
}

/// Shortest round-trip formatting of a float64 the way Go's `strconv` does with
/// precision -1, for the verbs `'g'` (`1e+06`, `100000`, `1.5`, `1e-05`), `'e'`
/// and `'f'`; infinities and NaN print as `+Inf`, `-Inf`, `NaN`.
pub fn format_float_shortest(x: f64, verb: char) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.2345e6".
    let e = format!("{:e}", x);
    let (mantissa, exp) = e.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("exponent");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    layout_float_digits(negative, &digits, exp, verb)
}

/// Lays out shortest round-trip `digits` (with the decimal exponent of the
/// first one) as Go's `strconv` does for the verbs `'g'`, `'e'` and `'f'`;
/// shared by `%v` here and by YAML's float32 key formatting.
pub fn layout_float_digits(negative: bool, digits: &str, exp: i32, verb: char) -> String {
    let nd = digits.len() as i32;
    // strconv: shortest %g switches to exponent form below 1e-4 and from 1e6 up
    // (`eprec` is 6 whatever the digit count); 'e' always uses it, 'f' never.
    let dp = exp + 1;
    let use_exp = match verb {
        'e' => true,
        'f' => false,
        _ => !(-4..6).contains(&exp),
    };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if use_exp {
        out.push_str(&digits[..1]);
        if nd > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.abs();
        if a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
    } else if dp <= 0 {
        out.push_str("0.");
        for _ in 0..(-dp) {
            out.push('0');
        }
        out.push_str(digits);
    } else if dp >= nd {
        out.push_str(digits);
        for _ in 0..(dp - nd) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

/// Go's `%q` of a string as template and JSON errors print it: the common
/// escapes and `\xNN` for other control bytes, everything else as is.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strconv_float_forms() {
        assert_eq!(format_float(3.0, 'x', None), "0x1.8p+01");
        assert_eq!(format_float(1.0, 'b', None), "4503599627370496p-52");
        assert_eq!(format_float(100000.0, 'g', Some(3)), "1e+05");
        assert_eq!(format_float(0.0001234, 'g', Some(2)), "0.00012");
        assert_eq!(format_float(123.0, 'g', Some(10)), "123");
        assert_eq!(format_float(1e6, 'f', None), "1000000");
        assert_eq!(format_float(0.0, 'e', Some(2)), "0.00e+00");
        assert_eq!(format_float(0.25, 'f', Some(1)), "0.2");
        assert_eq!(format_float(-0.0, 'g', None), "-0");
        assert_eq!(quote_with("a'\u{7f}é", '\'', true), "'a\\'\\x7f\\u00e9'");
    }
}
