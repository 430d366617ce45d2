//! Go's `time.Time` and `time.Duration` as templates see them: layout-based
//! formatting and parsing ("2006-01-02T15:04:05Z07:00"), `String()` forms, and
//! `ParseDuration`. Written from Go's rules; chrono only converts instants to
//! calendar fields.

use super::tz::Zone;
use crate::value::{Object, Value};
use chrono::{DateTime, Datelike, NaiveDate, Timelike};
use std::any::Any;

/// An instant with the zone it is shown in, like Go's `time.Time`.
#[derive(Clone, Debug)]
pub struct GoTime {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    pub nanos: u32,
    /// Seconds east of UTC.
    pub offset: i32,
    /// The zone abbreviation; empty for a bare numeric offset.
    pub zone: String,
    /// Go's monotonic clock reading (nanoseconds since process start), which
    /// `time.Now()` carries and `String()` prints as ` m=+…`.
    pub mono: Option<i64>,
}

/// Seconds from 0001-01-01 to the Unix epoch (Go's zero time).
const ZERO_UNIX: i64 = -62135596800;

impl GoTime {
    pub fn zero() -> GoTime {
        GoTime {
            unix: ZERO_UNIX,
            nanos: 0,
            offset: 0,
            zone: "UTC".into(),
            mono: None,
        }
    }

    pub fn from_unix(unix: i64, nanos: u32, zone: &Zone) -> GoTime {
        let (offset, name) = zone.lookup(unix);
        GoTime {
            unix,
            nanos,
            offset,
            zone: name,
            mono: None,
        }
    }

    /// The same instant shown in another zone (`t.In`), without a monotonic reading.
    pub fn in_zone(&self, zone: &Zone) -> GoTime {
        GoTime::from_unix(self.unix, self.nanos, zone)
    }

    pub fn unix_nanos(&self) -> i128 {
        self.unix as i128 * 1_000_000_000 + self.nanos as i128
    }

    /// `t.Add(d)`, keeping the zone's fixed offset and the monotonic reading.
    pub fn add(&self, d: i64) -> GoTime {
        let total = self.unix_nanos() + d as i128;
        let unix = total.div_euclid(1_000_000_000) as i64;
        GoTime {
            unix,
            nanos: total.rem_euclid(1_000_000_000) as u32,
            offset: self.offset,
            zone: self.zone.clone(),
            mono: self.mono.map(|m| m.saturating_add(d)),
        }
    }

    /// Calendar fields in the time's own zone.
    fn civil(&self) -> chrono::NaiveDateTime {
        self.unix
            .checked_add(self.offset as i64)
            .and_then(|secs| DateTime::from_timestamp(secs, self.nanos))
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    /// Go's `Format` with a reference-time layout.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, chunk, after) = next_chunk(rest);
            out.push_str(prefix);
            let Some(chunk) = chunk else { break };
            self.format_chunk(&mut out, chunk, &c);
            rest = after;
        }
        out
    }

    fn format_chunk(&self, out: &mut String, chunk: Chunk, c: &chrono::NaiveDateTime) {
        let hour12 = match c.hour() % 12 {
            0 => 12,
            h => h,
        };
        match chunk {
            Chunk::LongYear => out.push_str(&pad(c.year() as i64, 4)),
            Chunk::Year => out.push_str(&pad((c.year() % 100).abs() as i64, 2)),
            Chunk::LongMonth => out.push_str(MONTHS[c.month0() as usize]),
            Chunk::Month => out.push_str(&MONTHS[c.month0() as usize][..3]),
            Chunk::NumMonth => out.push_str(&c.month().to_string()),
            Chunk::ZeroMonth => out.push_str(&pad(c.month() as i64, 2)),
            Chunk::LongWeekDay => out.push_str(DAYS[c.weekday().num_days_from_sunday() as usize]),
            Chunk::WeekDay => out.push_str(&DAYS[c.weekday().num_days_from_sunday() as usize][..3]),
            Chunk::Day => out.push_str(&c.day().to_string()),
            Chunk::UnderDay => out.push_str(&format!("{:>2}", c.day())),
            Chunk::ZeroDay => out.push_str(&pad(c.day() as i64, 2)),
            Chunk::UnderYearDay => out.push_str(&format!("{:>3}", c.ordinal())),
            Chunk::ZeroYearDay => out.push_str(&pad(c.ordinal() as i64, 3)),
            Chunk::Hour => out.push_str(&pad(c.hour() as i64, 2)),
            Chunk::Hour12 => out.push_str(&hour12.to_string()),
            Chunk::ZeroHour12 => out.push_str(&pad(hour12 as i64, 2)),
            Chunk::Minute => out.push_str(&c.minute().to_string()),
            Chunk::ZeroMinute => out.push_str(&pad(c.minute() as i64, 2)),
            Chunk::Second => out.push_str(&c.second().to_string()),
            Chunk::ZeroSecond => out.push_str(&pad(c.second() as i64, 2)),
            Chunk::PM => out.push_str(if c.hour() >= 12 { "PM" } else { "AM" }),
            Chunk::Pm => out.push_str(if c.hour() >= 12 { "pm" } else { "am" }),
            Chunk::Tz => {
                if self.zone.is_empty() {
                    out.push_str(&offset_text(self.offset, false, false, true));
                } else {
                    out.push_str(&self.zone);
                }
            }
            Chunk::Offset {
                z,
                colon,
                seconds,
                minutes,
            } => {
                if z && self.offset == 0 {
                    out.push('Z');
                } else {
                    out.push_str(&offset_text(self.offset, colon, seconds, minutes));
                }
            }
            Chunk::Frac { sep, digits, trim } => {
                let all = format!("{:09}", self.nanos);
                let mut d = all[..digits.min(9)].to_string();
                if trim {
                    d = d.trim_end_matches('0').to_string();
                    if d.is_empty() {
                        return;
                    }
                }
                out.push(sep);
                out.push_str(&d);
            }
        }
    }

    /// Go's `String()`: `2006-01-02 15:04:05.999999999 -0700 MST`, plus the
    /// monotonic reading when there is one.
    pub fn go_string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let a = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                a / 1_000_000_000,
                a % 1_000_000_000
            ));
        }
        s
    }
}

fn pad(n: i64, width: usize) -> String {
    if n < 0 {
        format!("-{:0width$}", -n)
    } else {
        format!("{n:0width$}")
    }
}

/// `-0700` and its variants; `minutes` false gives just `-07`.
fn offset_text(offset: i32, colon: bool, seconds: bool, minutes: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    let sep = if colon { ":" } else { "" };
    let mut out = format!("{sign}{h:02}");
    if minutes {
        out.push_str(&format!("{sep}{m:02}"));
    }
    if seconds {
        out.push_str(&format!("{sep}{s:02}"));
    }
    out
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// One element of a layout, as Go's `nextStdChunk` recognizes them.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Chunk {
    LongYear,
    Year,
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    PM,
    Pm,
    Tz,
    Offset {
        z: bool,
        colon: bool,
        seconds: bool,
        minutes: bool,
    },
    Frac {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

/// Splits a layout into literal text, the next element and the rest.
fn next_chunk(layout: &str) -> (&str, Option<Chunk>, &str) {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| layout.get(i..).is_some_and(|r| r.starts_with(s));
    let lower_at = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_lowercase());
    for i in 0..b.len() {
        let found: Option<(Chunk, usize)> = match b[i] {
            b'J' if at(i, "January") => Some((Chunk::LongMonth, 7)),
            b'J' if at(i, "Jan") && !lower_at(i + 3) => Some((Chunk::Month, 3)),
            b'M' if at(i, "Monday") => Some((Chunk::LongWeekDay, 6)),
            b'M' if at(i, "Mon") && !lower_at(i + 3) => Some((Chunk::WeekDay, 3)),
            b'M' if at(i, "MST") => Some((Chunk::Tz, 3)),
            b'0' if matches!(b.get(i + 1), Some(b'1'..=b'6')) => {
                let c = [
                    Chunk::ZeroMonth,
                    Chunk::ZeroDay,
                    Chunk::ZeroHour12,
                    Chunk::ZeroMinute,
                    Chunk::ZeroSecond,
                    Chunk::Year,
                ][(b[i + 1] - b'1') as usize];
                Some((c, 2))
            }
            b'0' if at(i, "002") => Some((Chunk::ZeroYearDay, 3)),
            b'1' if at(i, "15") => Some((Chunk::Hour, 2)),
            b'1' => Some((Chunk::NumMonth, 1)),
            b'2' if at(i, "2006") => Some((Chunk::LongYear, 4)),
            b'2' => Some((Chunk::Day, 1)),
            b'_' if at(i, "_2006") => {
                // A literal underscore followed by the year.
                return (&layout[..i + 1], Some(Chunk::LongYear), &layout[i + 5..]);
            }
            b'_' if at(i, "_2") => Some((Chunk::UnderDay, 2)),
            b'_' if at(i, "__2") => Some((Chunk::UnderYearDay, 3)),
            b'3' => Some((Chunk::Hour12, 1)),
            b'4' => Some((Chunk::Minute, 1)),
            b'5' => Some((Chunk::Second, 1)),
            b'P' if at(i, "PM") => Some((Chunk::PM, 2)),
            b'p' if at(i, "pm") => Some((Chunk::Pm, 2)),
            b'-' | b'Z' => {
                let z = b[i] == b'Z';
                let off = |colon, seconds, minutes| Chunk::Offset {
                    z,
                    colon,
                    seconds,
                    minutes,
                };
                let s = &layout[i + 1..];
                if s.starts_with("070000") {
                    Some((off(false, true, true), 7))
                } else if s.starts_with("07:00:00") {
                    Some((off(true, true, true), 9))
                } else if s.starts_with("0700") {
                    Some((off(false, false, true), 5))
                } else if s.starts_with("07:00") {
                    Some((off(true, false, true), 6))
                } else if s.starts_with("07") {
                    Some((off(false, false, false), 3))
                } else {
                    None
                }
            }
            c @ (b'.' | b',') if matches!(b.get(i + 1), Some(b'0' | b'9')) => {
                let digit = b[i + 1];
                let mut j = i + 1;
                while b.get(j) == Some(&digit) {
                    j += 1;
                }
                if b.get(j).is_some_and(|d| d.is_ascii_digit()) {
                    None
                } else {
                    let chunk = Chunk::Frac {
                        sep: c as char,
                        digits: j - i - 1,
                        trim: digit == b'9',
                    };
                    Some((chunk, j - i))
                }
            }
            _ => None,
        };
        if let Some((chunk, len)) = found {
            return (&layout[..i], Some(chunk), &layout[i + len..]);
        }
    }
    (layout, None, "")
}

/// Go's `time.ParseInLocation(layout, value, loc)`, with Go's error texts.
pub fn parse(layout: &str, value: &str, loc: &Zone) -> Result<GoTime, String> {
    let orig_value = value;
    let perr = |elem: &str, rest: &str| {
        format!(
            "parsing time {:?} as {:?}: cannot parse {:?} as {:?}",
            orig_value, layout, rest, elem
        )
    };
    // A layout without a year means year 0, as in Go.
    let (mut year, mut month, mut day, mut yday) = (0i64, 1u32, 1u32, 0u32);
    let (mut hour, mut min, mut sec, mut nanos) = (0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut offset: Option<i32> = None;
    let mut abbrev: Option<String> = None;
    let mut rest_layout = layout;
    let mut v = value;
    loop {
        let (prefix, chunk, after) = next_chunk(rest_layout);
        let elem = &rest_layout[prefix.len()..rest_layout.len() - after.len()];
        // Literal text must match exactly (Go skips matching leading spaces).
        let pt = prefix.trim_start_matches(' ');
        let vt = if prefix.len() != pt.len() {
            v.trim_start_matches(' ')
        } else {
            v
        };
        let Some(after_prefix) = vt.strip_prefix(pt) else {
            return Err(perr(prefix, v));
        };
        v = after_prefix;
        let Some(chunk) = chunk else {
            if !v.is_empty() {
                return Err(format!(
                    "parsing time {:?}: extra text: {:?}",
                    orig_value, v
                ));
            }
            break;
        };
        rest_layout = after;
        let before = v;
        let bad = || perr(elem, before);
        match chunk {
            Chunk::LongYear => {
                let (n, r) = digits(v, 4, 4).ok_or_else(bad)?;
                year = n;
                v = r;
            }
            Chunk::Year => {
                let (n, r) = digits(v, 2, 2).ok_or_else(bad)?;
                year = if n >= 69 { 1900 + n } else { 2000 + n };
                v = r;
            }
            Chunk::LongMonth | Chunk::Month => {
                let long = chunk == Chunk::LongMonth;
                let (i, r) = lookup_name(v, &MONTHS, long).ok_or_else(bad)?;
                month = i as u32 + 1;
                v = r;
            }
            Chunk::LongWeekDay | Chunk::WeekDay => {
                let (_, r) = lookup_name(v, &DAYS, chunk == Chunk::LongWeekDay).ok_or_else(bad)?;
                v = r;
            }
            Chunk::NumMonth | Chunk::ZeroMonth => {
                let min_len = if chunk == Chunk::ZeroMonth { 2 } else { 1 };
                let (n, r) = digits(v, min_len, 2).ok_or_else(bad)?;
                if !(1..=12).contains(&n) {
                    return Err(format!("parsing time {orig_value:?}: month out of range"));
                }
                month = n as u32;
                v = r;
            }
            Chunk::Day | Chunk::UnderDay | Chunk::ZeroDay => {
                let s = if chunk == Chunk::UnderDay {
                    v.strip_prefix(' ').unwrap_or(v)
                } else {
                    v
                };
                let min_len = if chunk == Chunk::ZeroDay { 2 } else { 1 };
                let (n, r) = digits(s, min_len, 2).ok_or_else(bad)?;
                day = n as u32;
                v = r;
            }
            Chunk::UnderYearDay | Chunk::ZeroYearDay => {
                let s = v.trim_start_matches(' ');
                let (n, r) = digits(s, 3, 3)
                    .or_else(|| digits(s, 1, 3))
                    .ok_or_else(bad)?;
                yday = n as u32;
                v = r;
            }
            Chunk::Hour | Chunk::Hour12 | Chunk::ZeroHour12 => {
                let min_len = if chunk == Chunk::Hour12 { 1 } else { 2 };
                let (n, r) = digits(v, min_len, 2).ok_or_else(bad)?;
                let limit = if chunk == Chunk::Hour { 24 } else { 13 };
                if n >= limit {
                    return Err(format!("parsing time {orig_value:?}: hour out of range"));
                }
                hour = n as u32;
                v = r;
            }
            Chunk::Minute | Chunk::ZeroMinute => {
                let min_len = if chunk == Chunk::Minute { 1 } else { 2 };
                let (n, r) = digits(v, min_len, 2).ok_or_else(bad)?;
                if n >= 60 {
                    return Err(format!("parsing time {orig_value:?}: minute out of range"));
                }
                min = n as u32;
                v = r;
            }
            Chunk::Second | Chunk::ZeroSecond => {
                let min_len = if chunk == Chunk::Second { 1 } else { 2 };
                let (n, r) = digits(v, min_len, 2).ok_or_else(bad)?;
                if n >= 60 {
                    return Err(format!("parsing time {orig_value:?}: second out of range"));
                }
                sec = n as u32;
                v = r;
                // Go takes a fraction after the seconds even when the layout has none.
                if !matches!(next_chunk(rest_layout).1, Some(Chunk::Frac { .. }))
                    && (v.starts_with('.') || v.starts_with(','))
                    && v[1..].starts_with(|c: char| c.is_ascii_digit())
                {
                    let n = v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    nanos = frac_nanos(&v[1..1 + n]);
                    v = &v[1 + n..];
                }
            }
            Chunk::Frac {
                digits: n, trim, ..
            } => {
                let body = v.get(1..).unwrap_or("");
                let sep_ok = v.starts_with('.') || v.starts_with(',');
                if trim {
                    if sep_ok {
                        let k = body.bytes().take_while(u8::is_ascii_digit).count();
                        nanos = frac_nanos(&body[..k]);
                        v = &body[k..];
                    }
                } else {
                    let ok = sep_ok
                        && body
                            .get(..n)
                            .is_some_and(|d| d.bytes().all(|c| c.is_ascii_digit()));
                    if !ok {
                        return Err(bad());
                    }
                    nanos = frac_nanos(&body[..n]);
                    v = &body[n..];
                }
            }
            Chunk::PM | Chunk::Pm => {
                let s = v.get(..2).ok_or_else(bad)?;
                pm = Some(match s.to_ascii_uppercase().as_str() {
                    "PM" => true,
                    "AM" => false,
                    _ => return Err(bad()),
                });
                v = &v[2..];
            }
            Chunk::Offset {
                z,
                colon,
                seconds,
                minutes,
            } => {
                if z && v.starts_with('Z') {
                    offset = Some(0);
                    abbrev = Some("UTC".into());
                    v = &v[1..];
                    continue;
                }
                let (o, r) = parse_offset(v, colon, seconds, minutes).ok_or_else(bad)?;
                offset = Some(o);
                v = r;
            }
            Chunk::Tz => {
                if v.starts_with("UTC") {
                    abbrev = Some("UTC".into());
                    v = &v[3..];
                } else {
                    let n = v.bytes().take_while(u8::is_ascii_uppercase).count();
                    if !(3..=5).contains(&n) {
                        return Err(bad());
                    }
                    abbrev = Some(v[..n].to_string());
                    v = &v[n..];
                }
            }
        }
    }
    if let Some(is_pm) = pm {
        if is_pm && hour < 12 {
            hour += 12;
        } else if !is_pm && hour == 12 {
            hour = 0;
        }
    }
    let date = if yday > 0 {
        NaiveDate::from_yo_opt(year as i32, yday)
            .ok_or_else(|| format!("parsing time {orig_value:?}: day-of-year out of range"))?
    } else {
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .ok_or_else(|| format!("parsing time {orig_value:?}: day out of range"))?
    };
    let local_secs = date
        .and_hms_opt(hour, min, sec)
        .map(|d| d.and_utc().timestamp())
        .ok_or_else(|| format!("parsing time {orig_value:?}: hour out of range"))?;
    // The zone: an explicit offset, an abbreviation the location knows, or the location.
    let t = match (offset, abbrev) {
        (Some(o), name) => {
            let unix = local_secs - o as i64;
            let (lo, lname) = loc.lookup(unix);
            let zone = if lo == o {
                lname
            } else if o == 0 && name.as_deref() == Some("UTC") {
                "UTC".into()
            } else {
                String::new()
            };
            GoTime {
                unix,
                nanos,
                offset: o,
                zone,
                mono: None,
            }
        }
        (None, Some(name)) => {
            let o = if name == "UTC" {
                Some(0)
            } else {
                loc.offset_of_abbrev(&name)
            };
            let o = o.unwrap_or(0);
            GoTime {
                unix: local_secs - o as i64,
                nanos,
                offset: o,
                zone: name,
                mono: None,
            }
        }
        (None, None) => {
            // Go looks up the offset in force at the local wall time.
            let (o, _) = loc.lookup(local_secs);
            let unix = local_secs - o as i64;
            GoTime {
                nanos,
                ..GoTime::from_unix(unix, 0, loc)
            }
        }
    };
    Ok(t)
}

fn frac_nanos(d: &str) -> u32 {
    let mut s: String = d.chars().take(9).collect();
    while s.len() < 9 {
        s.push('0');
    }
    s.parse().unwrap_or(0)
}

/// Between `min` and `max` leading digits as a number, and the rest.
fn digits(s: &str, min: usize, max: usize) -> Option<(i64, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn lookup_name<'a>(s: &'a str, names: &[&str], long: bool) -> Option<(usize, &'a str)> {
    names.iter().enumerate().find_map(|(i, name)| {
        let name = if long { name } else { &name[..3] };
        let head = s.get(..name.len())?;
        head.eq_ignore_ascii_case(name)
            .then(|| (i, &s[name.len()..]))
    })
}

fn parse_offset(s: &str, colon: bool, seconds: bool, minutes: bool) -> Option<(i32, &str)> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut r = &s[1..];
    let two = |r: &str| -> Option<i32> {
        let d = r.get(..2)?;
        d.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| d.parse().ok())?
    };
    let h = two(r)?;
    r = &r[2..];
    let mut total = h * 3600;
    for (want, mult) in [(minutes, 60), (seconds, 1)] {
        if !want {
            continue;
        }
        if colon {
            r = r.strip_prefix(':')?;
        }
        total += two(r)? * mult;
        r = &r[2..];
    }
    Some((sign * total, r))
}

/// Go's `Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, prec) = if u < 1_000 {
            ("ns", 0)
        } else if u < 1_000_000 {
            ("µs", 3)
        } else {
            ("ms", 6)
        };
        out.push_str(&frac(u, prec));
        out.push_str(unit);
    } else {
        let secs = u / 1_000_000_000;
        let sub = u % 1_000_000_000;
        let mut s = (secs % 60).to_string();
        let f = format!("{sub:09}");
        let f = f.trim_end_matches('0');
        if !f.is_empty() {
            s = format!("{s}.{f}");
        }
        let mins = secs / 60;
        if mins > 0 {
            let hours = mins / 60;
            if hours > 0 {
                out.push_str(&format!("{hours}h"));
            }
            out.push_str(&format!("{}m", mins % 60));
        }
        out.push_str(&s);
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// `u` divided by 10^prec, with the fraction's trailing zeros dropped.
fn frac(u: u64, prec: u32) -> String {
    let p = 10u64.pow(prec);
    let (whole, part) = (u / p, u % p);
    if part == 0 {
        return whole.to_string();
    }
    let f = format!("{part:0width$}", width = prec as usize);
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {s:?}");
    let (neg, mut r) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if r == "0" {
        return Ok(0);
    }
    if r.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    while !r.is_empty() {
        let n = r
            .bytes()
            .take_while(|c| c.is_ascii_digit() || *c == b'.')
            .count();
        let num = &r[..n];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(invalid());
        }
        r = &r[n..];
        let u = r
            .bytes()
            .take_while(|c| !c.is_ascii_digit() && *c != b'.')
            .count();
        let unit = &r[..u];
        r = &r[u..];
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            other => return Err(format!("time: unknown unit {other:?} in duration {s:?}")),
        };
        total += num.parse::<f64>().map_err(|_| invalid())? * scale;
    }
    if total > i64::MAX as f64 {
        return Err(invalid());
    }
    Ok(if neg {
        -(total.round() as i64)
    } else {
        total.round() as i64
    })
}

/// `time.Time` as a template value.
impl Object for GoTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let c = self.civil();
        Some(match name {
            "Unix" => Value::Int64(self.unix),
            "UnixNano" => {
                Value::Int64(self.unix_nanos().clamp(i64::MIN as i128, i64::MAX as i128) as i64)
            }
            "Year" => Value::Int(c.year() as i64),
            "Month" => Value::str(MONTHS[c.month0() as usize]),
            "Day" => Value::Int(c.day() as i64),
            "Hour" => Value::Int(c.hour() as i64),
            "Minute" => Value::Int(c.minute() as i64),
            "Second" => Value::Int(c.second() as i64),
            "Nanosecond" => Value::Int(self.nanos as i64),
            "YearDay" => Value::Int(c.ordinal() as i64),
            "Weekday" => Value::str(DAYS[c.weekday().num_days_from_sunday() as usize]),
            "IsZero" => Value::Bool(self.unix == ZERO_UNIX && self.nanos == 0),
            "UTC" => Value::object(self.in_zone(&Zone::utc())),
            "Local" => Value::object(self.in_zone(&Zone::local())),
            "String" => Value::str(self.go_string()),
            _ => return None,
        })
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match (name, args) {
            ("Format", [Value::String(layout)]) => Some(Ok(Value::str(self.format(layout)))),
            ("Format", [other]) => Some(Err(format!(
                "wrong type for value; expected string; got {}",
                other.type_name()
            ))),
            ("Format", _) => Some(Err(format!(
                "wrong number of args for Format: want 1 got {}",
                args.len()
            ))),
            // The methods without arguments (`.Unix`, `.Year`).
            (_, []) => self.field(name).map(Ok),
            (_, _) => self.field(name).map(|_| {
                Err(format!(
                    "wrong number of args for {name}: want 0 got {}",
                    args.len()
                ))
            }),
        }
    }

    fn has_method(&self, name: &str) -> bool {
        name == "Format" || self.field(name).is_some()
    }

    fn format(&self) -> String {
        self.go_string()
    }

    /// JSON and YAML see RFC 3339 with nanoseconds, as `MarshalJSON` writes.
    fn to_plain(&self) -> Option<Value> {
        Some(Value::str(
            self.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(unix: i64, nanos: u32) -> GoTime {
        GoTime::from_unix(unix, nanos, &Zone::utc())
    }

    #[test]
    fn formats_like_go() {
        let x = t(1764302756, 59675918); // 2025-11-28 04:05:56.059675918 UTC, a Friday
        assert_eq!(
            x.format("2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000 .999 MST -0700"),
            "2025-11-28T04:05:56Z Fri Nov 28 4AM .059 .059 UTC +0000"
        );
        assert_eq!(x.go_string(), "2025-11-28 04:05:56.059675918 +0000 UTC");
        assert_eq!(x.format("20060102150405"), "20251128040556");
        assert_eq!(
            x.format("January 2, 2006 _2006 002 pm"),
            "November 28, 2025 _2025 332 am"
        );
        assert_eq!(GoTime::zero().go_string(), "0001-01-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn parses_like_go() {
        let utc = Zone::utc();
        let d = parse("2006-01-02", "2024-02-03", &utc).unwrap();
        assert_eq!(d.unix, 1706918400);
        assert_eq!(d.go_string(), "2024-02-03 00:00:00 +0000 UTC");
        let k = parse(
            "2006-01-02T15:04:05Z07:00",
            "2024-02-03T10:11:12.5+02:00",
            &utc,
        )
        .unwrap();
        assert_eq!(k.go_string(), "2024-02-03 10:11:12.5 +0200 +0200");
        let p = parse("Jan 2 2006 3:04pm", "Feb 3 2024 1:05am", &utc).unwrap();
        assert_eq!(p.go_string(), "2024-02-03 01:05:00 +0000 UTC");
        let k = parse("3:04PM", "12:30AM", &utc).unwrap();
        assert_eq!(k.go_string(), "0000-01-01 00:30:00 +0000 UTC");
        let c = parse("2006-01-02 15:04:05 MST", "2024-02-03 10:00:00 CET", &utc).unwrap();
        assert_eq!(c.go_string(), "2024-02-03 10:00:00 +0000 CET");
        assert_eq!(
            parse("2006-01-02", "x", &utc).unwrap_err(),
            "parsing time \"x\" as \"2006-01-02\": cannot parse \"x\" as \"2006\""
        );
        assert_eq!(
            parse("2006-01-02", "2024-02-30", &utc).unwrap_err(),
            "parsing time \"2024-02-30\": day out of range"
        );
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let far = t(i64::MAX, 0);
        let _ = far.format("2006-01-02 Monday");
        let _ = far.add(i64::MAX).go_string();
        let utc = Zone::utc();
        for (layout, value) in [
            ("05.000", "01.é"),
            ("2006-01-02", "2024-01-0é"),
            ("Jan", "Jé"),
            ("-07:00", "+0é:00"),
            ("MST", "ÉÉÉ"),
            ("é2006", "é2024x"),
            ("_2 __2 002", "  1   5 007"),
        ] {
            let _ = parse(layout, value, &utc);
        }
        use rand::{Rng, SeedableRng};
        let pieces = [
            "2006", "06", "01", "1", "Jan", "January", "02", "_2", "2", "__2", "002", "15", "3",
            "03", "04", "4", "05", "5", "PM", "pm", "MST", "Z07:00", "-0700", "-07", ".000",
            ".999", ",9", " ", "-", ":", "é", "Mon", "Monday", "x", "7", "+", "Z",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for _ in 0..3000 {
            let mut pick = || -> String {
                (0..rng.gen_range(0..6))
                    .map(|_| pieces[rng.gen_range(0..pieces.len())])
                    .collect()
            };
            let (layout, value) = (pick(), pick());
            let _ = parse(&layout, &value, &utc);
            let _ = t(rng.gen_range(-1 << 40..1 << 40), 5).format(&layout);
            let _ = parse_duration(&value);
        }
        assert!(parse_duration("1.5.5h").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
    }

    #[test]
    fn durations_like_go() {
        assert_eq!(duration_string(3600 * 1_000_000_000), "1h0m0s");
        assert_eq!(duration_string(95 * 1_000_000_000), "1m35s");
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(duration_string(-500), "-500ns");
        assert_eq!(duration_string(88_920_356 * 1_000_000_000), "24700h5m56s");
        assert_eq!(parse_duration("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(parse_duration("2h10m"), Ok(7_800_000_000_000));
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("5").is_err());
    }
}
