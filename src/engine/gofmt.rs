//! Go's `fmt`: `Sprint`, `Sprintln` and `Sprintf` with its verbs, flags, widths
//! and precisions, over template [`Value`]s.

use super::value::Value;

/// `fmt.Sprint`: operands printed with `%v`, a space between two operands when
/// neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !matches!(args[i - 1], Value::String(_)) {
            out.push(' ');
        }
        out.push_str(&arg.to_string());
    }
    out
}

/// `fmt.Sprintln`: operands printed with `%v`, always separated by spaces, and a
/// newline at the end.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&arg.to_string());
    }
    out.push('\n');
    out
}

/// `fmt.Sprintf`. Only `%v`, `%s`, `%d` and `%%` so far; the full verb set
/// (flags, widths, precision, `%q`, `%x`, `%f`, `%e`, `%g`, `%t`, `%T`, `%!`
/// errors) is the next step of this module.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = args.iter();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(_) => match next.next() {
                Some(v) => out.push_str(&v.to_string()),
                None => out.push_str("%!v(MISSING)"),
            },
            None => out.push_str("%!(NOVERB)"),
        }
    }
    out
}
