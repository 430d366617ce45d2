//! Template functions: time and dates (`now`, `date`, `dateInZone`, `toDate`,
//! `ago`, `duration`, …) with Sprig's argument rules. Go's time model is in
//! [`gotime`], zones in [`tz`].

#[path = "gotime.rs"]
pub mod gotime;
#[path = "tz.rs"]
pub mod tz;

use super::conv::{arity, expect_str};
use super::FuncTable;
use crate::value::Value;
use gotime::{duration_string, parse, parse_duration, GoTime};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tz::Zone;

pub fn register(table: &mut FuncTable) {
    table.add("now", now);
    table.add("date", date);
    table.add("dateInZone", date_in_zone);
    table.add("date_in_zone", date_in_zone);
    table.add("htmlDate", html_date);
    table.add("htmlDateInZone", html_date_in_zone);
    table.add("dateModify", |a| date_modify("dateModify", a, false));
    table.add("date_modify", |a| date_modify("date_modify", a, false));
    table.add("mustDateModify", |a| date_modify("mustDateModify", a, true));
    table.add("must_date_modify", |a| {
        date_modify("must_date_modify", a, true)
    });
    table.add("toDate", |a| to_date("toDate", a, false));
    table.add("mustToDate", |a| to_date("mustToDate", a, true));
    table.add("unixEpoch", unix_epoch);
    table.add("ago", ago);
    table.add("duration", duration);
    table.add("durationRound", duration_round);
}

/// Go's `time.Now()` in the local zone, with a monotonic reading counted from
/// the first call (Go counts from process start).
pub fn current_time() -> GoTime {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut t = GoTime::from_unix(since.as_secs() as i64, since.subsec_nanos(), &Zone::local());
    t.mono = Some(i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX));
    t
}

fn now(args: &[Value]) -> Result<Value, String> {
    arity("now", args, 0)?;
    Ok(Value::object(current_time()))
}

/// A time argument as Sprig's date functions take it: a time, or Unix seconds
/// as an integer; anything else (floats from values files included) means now.
fn time_arg(v: &Value) -> GoTime {
    match v {
        Value::Object(o) => match o.as_any().downcast_ref::<GoTime>() {
            Some(t) => t.clone(),
            None => current_time(),
        },
        Value::Int(i) | Value::Int64(i) => GoTime::from_unix(*i, 0, &Zone::local()),
        _ => current_time(),
    }
}

/// A parameter typed `time.Time`: anything else is Go's type error.
fn expect_time(v: &Value) -> Result<GoTime, String> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<GoTime>().cloned(),
        _ => None,
    }
    .ok_or_else(|| {
        format!(
            "wrong type for value; expected time.Time; got {}",
            v.type_name()
        )
    })
}

/// `time.LoadLocation`, falling back to UTC as Sprig does.
fn zone(name: &str) -> Zone {
    Zone::load(name).unwrap_or_else(Zone::utc)
}

fn format_in_zone(layout: &str, date: &Value, zone_name: &str) -> Value {
    Value::str(time_arg(date).in_zone(&zone(zone_name)).format(layout))
}

/// `date LAYOUT TIME`: the time formatted in the local zone.
fn date(args: &[Value]) -> Result<Value, String> {
    arity("date", args, 2)?;
    Ok(format_in_zone(
        expect_str("date", &args[0])?,
        &args[1],
        "Local",
    ))
}

fn date_in_zone(args: &[Value]) -> Result<Value, String> {
    arity("dateInZone", args, 3)?;
    let layout = expect_str("dateInZone", &args[0])?;
    let zone = expect_str("dateInZone", &args[2])?;
    Ok(format_in_zone(layout, &args[1], zone))
}

fn html_date(args: &[Value]) -> Result<Value, String> {
    arity("htmlDate", args, 1)?;
    Ok(format_in_zone("2006-01-02", &args[0], "Local"))
}

fn html_date_in_zone(args: &[Value]) -> Result<Value, String> {
    arity("htmlDateInZone", args, 2)?;
    let zone = expect_str("htmlDateInZone", &args[1])?;
    Ok(format_in_zone("2006-01-02", &args[0], zone))
}

/// `dateModify DURATION TIME`: the time moved by a Go duration; a bad duration
/// leaves it unchanged (`mustDateModify` fails instead).
fn date_modify(name: &str, args: &[Value], must: bool) -> Result<Value, String> {
    arity(name, args, 2)?;
    let spec = expect_str(name, &args[0])?;
    let t = expect_time(&args[1])?;
    match parse_duration(spec) {
        Ok(d) => Ok(Value::object(t.add(d))),
        Err(e) if must => Err(format!("error calling {name}: {e}")),
        Err(_) => Ok(Value::object(t)),
    }
}

/// `toDate LAYOUT TEXT`: parsed in the local zone; a failure gives the zero
/// time (`mustToDate` fails instead).
fn to_date(name: &str, args: &[Value], must: bool) -> Result<Value, String> {
    arity(name, args, 2)?;
    let layout = expect_str(name, &args[0])?;
    let text = expect_str(name, &args[1])?;
    match parse(layout, text, &Zone::local()) {
        Ok(t) => Ok(Value::object(t)),
        Err(e) if must => Err(format!("error calling {name}: {e}")),
        Err(_) => Ok(Value::object(GoTime::zero())),
    }
}

fn unix_epoch(args: &[Value]) -> Result<Value, String> {
    arity("unixEpoch", args, 1)?;
    Ok(Value::str(expect_time(&args[0])?.unix.to_string()))
}

/// `ago TIME`: time since then, rounded to the second.
fn ago(args: &[Value]) -> Result<Value, String> {
    arity("ago", args, 1)?;
    let then = time_arg(&args[0]);
    let since = current_time().unix_nanos() - then.unix_nanos();
    let since = since.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
    Ok(Value::str(duration_string(round_to_second(since))))
}

/// Go's `Duration.Round(time.Second)`: halves away from zero.
fn round_to_second(d: i64) -> i64 {
    const S: i64 = 1_000_000_000;
    let r = d % S;
    if d < 0 {
        let r = -r;
        if r + r < S {
            d + r
        } else {
            d.saturating_sub(S - r)
        }
    } else if r + r < S {
        d - r
    } else {
        d.saturating_add(S - r)
    }
}

/// `duration SECONDS`: seconds as a Go duration string. Sprig reads strings
/// and int64s; anything else is 0, an `int` literal too (`duration 60` is
/// `0s`, `duration (add 60 0)` is `1m0s`).
fn duration(args: &[Value]) -> Result<Value, String> {
    arity("duration", args, 1)?;
    let secs = match &args[0] {
        Value::String(s) => s.parse::<i64>().unwrap_or(0),
        Value::Int64(i) => *i,
        _ => 0,
    };
    Ok(Value::str(duration_string(
        secs.saturating_mul(1_000_000_000),
    )))
}

/// `durationRound D`: a duration (Go string, nanoseconds, or time since a
/// time) as its largest whole unit: `2h`, `3mo`, `1y`.
fn duration_round(args: &[Value]) -> Result<Value, String> {
    arity("durationRound", args, 1)?;
    let d: i64 = match &args[0] {
        Value::String(s) => parse_duration(s).unwrap_or(0),
        // Sprig reads int64 nanoseconds; an `int` is 0, as there.
        Value::Int64(i) => *i,
        Value::Object(_) => {
            let then = time_arg(&args[0]);
            let since = current_time().unix_nanos() - then.unix_nanos();
            since.clamp(i64::MIN as i128, i64::MAX as i128) as i64
        }
        _ => 0,
    };
    let u = d.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    const MINUTE: u64 = 60 * SECOND;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let units = [
        (365 * DAY, "y"),
        (30 * DAY, "mo"),
        (DAY, "d"),
        (HOUR, "h"),
        (MINUTE, "m"),
        (SECOND, "s"),
    ];
    let out = units
        .iter()
        .find(|(size, _)| u > *size)
        .map(|(size, unit)| format!("{}{unit}", u / size))
        .unwrap_or_else(|| "0s".into());
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: Result<Value, String>) -> String {
        v.expect("function succeeds").to_string()
    }

    fn day() -> Value {
        to_date(
            "toDate",
            &[Value::str("2006-01-02"), Value::str("2024-02-03")],
            false,
        )
        .unwrap()
    }

    #[test]
    fn sprig_date_functions_match_helm() {
        // Helm 4.2.3 printed these on a UTC machine.
        assert_eq!(s(unix_epoch(&[day()])), "1706918400");
        assert_eq!(
            s(date_modify(
                "dateModify",
                &[Value::str("-1.5h"), day()],
                false
            )),
            "2024-02-02 22:30:00 +0000 UTC"
        );
        assert_eq!(s(date(&[Value::str("2006"), Value::Int(0)])), "1970");
        assert_eq!(s(html_date(&[Value::Int(86400)])), "1970-01-02");
        assert_eq!(s(duration(&[Value::str("3600")])), "1h0m0s");
        assert_eq!(s(duration(&[Value::Float(95.0)])), "0s");
        assert_eq!(s(duration_round(&[Value::str("2h10m")])), "2h");
        assert_eq!(s(duration_round(&[Value::str("-50h")])), "2d");
        let bad = [Value::str("2006-01-02"), Value::str("x")];
        assert_eq!(
            s(to_date("toDate", &bad, false)),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert_eq!(
            to_date("mustToDate", &bad, true).unwrap_err(),
            "error calling mustToDate: parsing time \"x\" as \"2006-01-02\": cannot parse \"x\" as \"2006\""
        );
        let zoned = [
            Value::str("2006-01-02 15:04 MST"),
            day(),
            Value::str("Nowhere/Bad"),
        ];
        assert_eq!(s(date_in_zone(&zoned)), "2024-02-03 00:00 UTC");
    }

    #[test]
    fn layouts_zones_and_parsing_match_helm() {
        let t = s(to_date(
            "toDate",
            &[
                Value::str("2006-01-02 15:04:05.000000000"),
                Value::str("2024-07-04 13:05:09.120000000"),
            ],
            false,
        ));
        assert_eq!(t, "2024-07-04 13:05:09.12 +0000 UTC");
        let t = to_date(
            "toDate",
            &[
                Value::str("2006-01-02 15:04:05"),
                Value::str("2024-07-04 13:05:09.120"),
            ],
            false,
        )
        .unwrap();
        let layout = "Monday January 2 2006 03:04:05 pm .000000 ,999 Z07 -07:00:00 Z070000 __2 002 _2 1/2/06";
        assert_eq!(
            s(date(&[Value::str(layout), t.clone()])),
            "Thursday July 4 2024 01:05:09 pm .120000 ,12 Z +00:00:00 Z 186 186  4 7/4/24"
        );
        let zoned = |layout: &str, zone: &str| {
            s(date_in_zone(&[
                Value::str(layout),
                t.clone(),
                Value::str(zone),
            ]))
        };
        if Zone::load("Asia/Kolkata").is_some() {
            assert_eq!(
                zoned("2006-01-02T15:04:05 MST -0700", "Asia/Kolkata"),
                "2024-07-04T18:35:09 IST +0530"
            );
            assert_eq!(
                zoned("Jan _2 15:04:05.999999999 MST", "America/New_York"),
                "Jul  4 09:05:09.12 EDT"
            );
        }
        let parsed = |layout: &str, text: &str| {
            s(to_date(
                "toDate",
                &[Value::str(layout), Value::str(text)],
                false,
            ))
        };
        assert_eq!(
            parsed("2006-01-02T15:04:05Z07:00", "2024-07-04T13:05:09Z"),
            "2024-07-04 13:05:09 +0000 UTC"
        );
        assert_eq!(
            parsed("02 Jan 06 15:04 -0700", "04 Jul 24 13:05 +0530"),
            "2024-07-04 13:05:00 +0530 +0530"
        );
        assert_eq!(
            parsed(
                "Mon, 02 Jan 2006 15:04:05 MST",
                "Thu, 04 Jul 2024 13:05:09 UTC"
            ),
            "2024-07-04 13:05:09 +0000 UTC"
        );
        assert_eq!(
            parsed("2006-01-02", "2024-7-04"),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        let round = |d: &str| s(duration_round(&[Value::str(d)]));
        assert_eq!(
            [round("1000h"), round("10000h"), round("59s"), round("1s")],
            ["1mo", "1y", "59s", "0s"]
        );
        assert_eq!(s(duration(&[Value::str("-90")])), "-1m30s");
        assert_eq!(s(duration(&[Value::str("1e3")])), "0s");
        assert_eq!(s(duration(&[Value::Int64(1500000)])), "416h40m0s");
        // Sprig reads only int64 and strings: an `int` literal is 0.
        assert_eq!(s(duration(&[Value::Int(1500000)])), "0s");
    }

    #[test]
    fn now_prints_with_a_monotonic_reading() {
        let t = s(now(&[]));
        assert!(t.contains(" m=+"), "{t}");
        assert_eq!(round_to_second(1_500_000_000), 2_000_000_000);
        assert_eq!(round_to_second(-1_400_000_000), -1_000_000_000);
    }
}
