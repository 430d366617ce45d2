//! What Go's `regexp/syntax` refuses that Rust's `regex` accepts: stacked
//! repetition operators (`a**`, `a{2}*`, `a*??`) and Perl flags other than
//! `imsU` (`(?x)`, `(?#…)`, `(?P=name)`). Checked before the pattern is
//! translated, with Go's words, so `regexMatch` is false and `mustRegexMatch`
//! fails where Helm's do.

/// Go's error for the first such construct of `pattern`, if any.
pub fn check(pattern: &str) -> Result<(), String> {
    let chars: Vec<char> = pattern.chars().collect();
    let text = |from: usize, to: usize| chars[from..to.min(chars.len())].iter().collect::<String>();
    // Where the repetition just read began, and whether a `?` made it lazy.
    let mut repeat: Option<(usize, bool)> = None;
    // Whether there is something before a repetition to repeat (otherwise
    // the regex crate reports the missing argument, as Go does).
    let mut atom = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let len = match c {
            '*' | '+' | '?' => 1,
            '{' => repetition_len(&chars[i..]).unwrap_or(0),
            _ => 0,
        };
        if len > 0 && atom {
            match repeat {
                Some((start, false)) if c == '?' => repeat = Some((start, true)),
                Some((start, _)) => {
                    return Err(format!(
                        "error parsing regexp: invalid nested repetition operator: `{}`",
                        text(start, i + len)
                    ))
                }
                None => repeat = Some((i, false)),
            }
            i += len;
            continue;
        }
        repeat = None;
        match c {
            '\\' => {
                i += skip_escape(&chars, i);
                atom = true;
            }
            '[' => {
                i += class_len(&chars[i..])?;
                atom = true;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                i += group_head(&chars, i).map_err(|end| {
                    format!(
                        "error parsing regexp: invalid or unsupported Perl syntax: `{}`",
                        text(i, end)
                    )
                })?;
                atom = false;
            }
            '(' | '|' => {
                i += 1;
                atom = false;
            }
            '^' | '$' => {
                i += 1;
                atom = false;
            }
            _ => {
                i += 1;
                atom = true;
            }
        }
    }
    Ok(())
}

/// The length of `(?…` up to and including its `:` or `)`: a named group
/// `(?P<` / `(?<`, or flags `imsU` with at most one `-`. `Err(end)` gives
/// where the text Go quotes in its error ends.
fn group_head(chars: &[char], at: usize) -> Result<usize, usize> {
    let rest = &chars[at + 2..];
    match rest {
        ['P', '<', ..] => return Ok(4),
        ['<', next, ..] if *next != '=' && *next != '!' => return Ok(3),
        _ => {}
    }
    let mut negated = false;
    let mut flag_after_minus = false;
    for (k, &c) in rest.iter().enumerate() {
        match c {
            'i' | 'm' | 's' | 'U' => flag_after_minus |= negated,
            '-' if !negated => negated = true,
            ':' | ')' if !negated || flag_after_minus => return Ok(k + 3),
            _ => return Err(at + 2 + k + 1),
        }
    }
    Err(chars.len())
}

/// How many characters an escape takes: `\x`, or `\p{…}`, `\x{…}`, `\Q…\E`.
fn skip_escape(chars: &[char], at: usize) -> usize {
    let Some(&d) = chars.get(at + 1) else {
        return 1;
    };
    let rest = &chars[at + 2..];
    match d {
        'p' | 'P' | 'x' if rest.first() == Some(&'{') => {
            2 + rest
                .iter()
                .position(|&c| c == '}')
                .map_or(rest.len(), |p| p + 1)
        }
        'Q' => {
            let end = rest
                .windows(2)
                .position(|w| w == ['\\', 'E'])
                .map_or(rest.len(), |p| p + 2);
            2 + end
        }
        _ => 2,
    }
}

/// How many characters a class `[…]` takes, escapes and `[:name:]` included;
/// a `]` first (after an optional `^`) is a literal. A range whose end is a
/// class escape (`[a-\\w]`) is Go's "invalid escape sequence"; a `-` after a
/// class escape is a literal (`[\\w-.]`), as in Go.
fn class_len(chars: &[char]) -> Result<usize, String> {
    let class_escape = |at: usize| {
        chars.get(at) == Some(&'\\')
            && chars
                .get(at + 1)
                .is_some_and(|d| matches!(d, 'd' | 'D' | 's' | 'S' | 'w' | 'W' | 'p' | 'P'))
    };
    let mut i = 1;
    if chars.get(i) == Some(&'^') {
        i += 1;
    }
    // Whether the item just read is one character, which a `-` may extend
    // into a range.
    let mut single = false;
    if chars.get(i) == Some(&']') {
        i += 1;
        single = true;
    }
    while i < chars.len() {
        match chars[i] {
            ']' => return Ok(i + 1),
            '-' if single && chars.get(i + 1).is_some_and(|&c| c != ']') => {
                if class_escape(i + 1) {
                    return Err(format!(
                        "error parsing regexp: invalid escape sequence: `\\{}`",
                        chars[i + 2]
                    ));
                }
                i += 1;
                i += if chars[i] == '\\' {
                    skip_escape(chars, i)
                } else {
                    1
                };
                single = false;
            }
            '\\' => {
                single = !class_escape(i);
                i += skip_escape(chars, i);
            }
            '[' if chars.get(i + 1) == Some(&':') => {
                let close = (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == ':' && chars[j + 1] == ']');
                single = close.is_none();
                i = close.map_or(i + 1, |j| j + 2);
            }
            _ => {
                single = true;
                i += 1;
            }
        }
    }
    Ok(chars.len())
}

/// The length of a valid `{n}`, `{n,}` or `{n,m}` at the start, if any.
pub(super) fn repetition_len(chars: &[char]) -> Option<usize> {
    let close = chars.iter().position(|&c| c == '}')?;
    let inner: String = chars[1..close].iter().collect();
    let (min, max) = match inner.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (inner.as_str(), None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(min) && max.is_none_or(|m| m.is_empty() || digits(m));
    ok.then_some(close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_go_refuses_in_its_words() {
        // Expectations recorded with helm-oracle (mustRegexMatch).
        let nested = [
            ("a**", "**"),
            ("a*??", "*??"),
            ("a{2}*", "{2}*"),
            ("a+*", "+*"),
            ("a{2}{3}", "{2}{3}"),
            ("a?+", "?+"),
            ("x{2}??", "{2}??"),
        ];
        for (p, quoted) in nested {
            assert_eq!(
                check(p).unwrap_err(),
                format!("error parsing regexp: invalid nested repetition operator: `{quoted}`"),
                "{p}"
            );
        }
        let perl = [
            ("(?x)a", "(?x"),
            ("(?i-x)a", "(?i-x"),
            ("(?ix:a)", "(?ix"),
            ("(?", "(?"),
            ("(?P=n)", "(?P"),
            ("(?#c)", "(?#"),
        ];
        for (p, quoted) in perl {
            assert_eq!(
                check(p).unwrap_err(),
                format!("error parsing regexp: invalid or unsupported Perl syntax: `{quoted}`"),
                "{p}"
            );
        }
        for ok in [
            "a*?",
            "(a*)*",
            "(?i)a",
            "(?-i)a",
            "(?i:a)b",
            "(?U)a*?",
            "x{2}?",
            "(?P<n>a)",
            "(?<n>a)",
            "[*+]+",
            r"\**",
            r"\Q**\E+",
            "a{,3}*",
            "[]a]*",
            "[[:alpha:]]+",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }
}
