//! Kubernetes resource quantities (`100m`, `0.5`, `1Gi`, `256Mi`, `1e3`, `-1`):
//! one parser for the overlays, which compare quantities and write back the
//! text as written, and for `check`, which sums whole millicores and bytes.
//!
//! A quantity is kept as a whole number of nano-units in an `i128`: every
//! suffix Kubernetes accepts is a whole multiple of 10⁻⁹. Digits below a
//! nano-unit round up, and a magnitude past 2⁶³−1 units is capped there, as
//! Kubernetes documents for its own quantities ("numbers larger or more
//! precise will be capped or rounded up").

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

const NANO: i128 = 1_000_000_000;
/// Kubernetes' cap: 2⁶³−1 units, in nano-units.
const MAX_NANOS: i128 = i64::MAX as i128 * NANO;
/// Longest digit string and largest exponent read; longer ones are typos,
/// not quantities, and are refused rather than capped.
const MAX_DIGITS: usize = 30;
const MAX_EXPONENT: i32 = 30;

#[derive(Clone, Debug)]
pub struct Quantity {
    /// The text as written, which is what gets written back.
    text: String,
    nanos: i128,
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.nanos.cmp(&other.nanos))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuantityError {
    /// The text as given.
    pub text: String,
    /// A quantity, but below zero where an amount is wanted.
    pub negative: bool,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            return write!(
                f,
                "invalid quantity {:?}: an amount of CPU or memory cannot be negative",
                self.text
            );
        }
        write!(
            f,
            "invalid quantity {:?}: write a number with an optional suffix \
             (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent like e3), e.g. 100m or 256Mi",
            self.text
        )
    }
}

impl std::error::Error for QuantityError {}

/// The power of ten and of two a suffix multiplies by; `None` for an
/// unknown suffix. `E` alone is exa; `e`/`E` with digits is an exponent.
fn scale(suffix: &str) -> Option<(i32, u32)> {
    Some(match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => {
            let exp: i32 = suffix.strip_prefix(['e', 'E'])?.parse().ok()?;
            ((-MAX_EXPONENT..=MAX_EXPONENT).contains(&exp)).then_some((exp, 0))?
        }
    })
}

/// The amount `s` (trimmed) stands for, in nano-units; `None` when it is
/// no quantity. Apart from [`Quantity::parse`], for an overlay compares the
/// amounts of every container's requests and limits and keeps no text.
fn nanos_of(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let num_end = body
        .bytes()
        .position(|c| !(c.is_ascii_digit() || c == b'.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(num_end);
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if number.is_empty() || number == "." || frac_part.contains('.') {
        return None;
    }
    let (exp10, exp2) = scale(suffix)?;
    // The digits (integer and fraction) as one integer, then the point
    // placed; leading zeros do not count towards the limit, so the
    // mantissa stays below 10^MAX_DIGITS, far inside an i128.
    let mut mantissa: i128 = 0;
    let mut significant = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        if significant == 0 && b == b'0' {
            continue;
        }
        significant += 1;
        if significant > MAX_DIGITS {
            return None;
        }
        mantissa = mantissa * 10 + i128::from(b - b'0');
    }
    // Nano-units add 9 to the power of ten.
    let shift = 9 + exp10 - frac_part.len() as i32;
    // Past i128 is past the cap: capped like any other large value.
    let nanos = if mantissa == 0 {
        0
    } else if shift >= 0 {
        10i128
            .checked_pow(shift as u32)
            .and_then(|p| mantissa.checked_mul(p))
            .and_then(|n| n.checked_mul(1i128 << exp2))
            .unwrap_or(i128::MAX)
    } else {
        let p = 10i128.checked_pow(shift.unsigned_abs());
        let n = match p {
            // Round up what is left below a nano-unit.
            Some(p) => (mantissa + p - 1) / p,
            None => i128::from(mantissa > 0),
        };
        n.checked_mul(1i128 << exp2).unwrap_or(i128::MAX)
    };
    let nanos = nanos.min(MAX_NANOS);
    Some(if neg { -nanos } else { nanos })
}

/// The text of a manifest value that may be a quantity: a string, or a
/// YAML number (`cpu: 1`).
fn json_text(v: &serde_json::Value) -> Option<Cow<'_, str>> {
    match v {
        serde_json::Value::String(s) => Some(Cow::Borrowed(s)),
        serde_json::Value::Number(n) => Some(Cow::Owned(n.to_string())),
        _ => None,
    }
}

impl Quantity {
    /// A quantity as an overlay or a manifest writes it.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let s = text.trim();
        match nanos_of(s) {
            Some(nanos) => Ok(Quantity {
                text: s.to_string(),
                nanos,
            }),
            None => Err(QuantityError {
                text: text.to_string(),
                negative: false,
            }),
        }
    }

    /// A quantity from a manifest value ([`json_text`]).
    pub fn from_json(v: &serde_json::Value) -> Option<Quantity> {
        Quantity::parse(&json_text(v)?).ok()
    }

    /// How a manifest value compares with this quantity, when it is one:
    /// [`Quantity::from_json`] without keeping the value's text.
    pub fn cmp_json(&self, v: &serde_json::Value) -> Option<Ordering> {
        Some(nanos_of(json_text(v)?.trim())?.cmp(&self.nanos))
    }

    /// The text as written (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value to write into a manifest: always the text as written.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.text.clone())
    }

    /// Whole thousandths of a unit (millicores for CPU), rounded up as
    /// Kubernetes rounds; an error when negative.
    pub fn millis(&self) -> Result<u64, QuantityError> {
        self.whole(NANO / 1000)
    }

    /// Whole units (bytes for memory), rounded up; an error when negative.
    pub fn units(&self) -> Result<u64, QuantityError> {
        self.whole(NANO)
    }

    fn whole(&self, per: i128) -> Result<u64, QuantityError> {
        if self.nanos < 0 {
            return Err(QuantityError {
                text: self.text.clone(),
                negative: true,
            });
        }
        let n = (self.nanos + per - 1) / per;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }
}

/// CPU text (`500m`, `2`) in millicores.
pub fn millicores(text: &str) -> Result<u64, QuantityError> {
    Quantity::parse(text)?.millis()
}

/// Memory text (`512Mi`, `1G`) in bytes.
pub fn bytes(text: &str) -> Result<u64, QuantityError> {
    Quantity::parse(text)?.units()
}

/// Millicores for people: whole cores when whole.
pub fn format_cpu(m: u64) -> String {
    if m % 1000 == 0 {
        format!("{}", m / 1000)
    } else {
        format!("{m}m")
    }
}

/// Bytes for people, in the largest binary unit, a tenth rounded up.
pub fn format_memory(b: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("Ti", 1 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ];
    for (name, size) in UNITS {
        if b >= size {
            if b % size == 0 {
                return format!("{}{name}", b / size);
            }
            let v = b as f64 / size as f64;
            return format!("{:.1}{name}", (v * 10.0).ceil() / 10.0);
        }
    }
    format!("{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn every_suffix() {
        for (text, units) in [
            ("1", 1u64),
            ("1k", 1_000),
            ("1M", 1_000_000),
            ("1G", 1_000_000_000),
            ("1T", 1_000_000_000_000),
            ("1P", 1_000_000_000_000_000),
            ("2E", 2_000_000_000_000_000_000),
            ("1Ki", 1 << 10),
            ("1Mi", 1 << 20),
            ("1Gi", 1 << 30),
            ("1Ti", 1 << 40),
            ("1Pi", 1 << 50),
            ("1Ei", 1 << 60),
            ("1e3", 1_000),
            ("1E3", 1_000),
            ("1e+3", 1_000),
            ("+5", 5),
            ("128974848", 128_974_848),
            ("1.5Gi", 1536 << 20),
        ] {
            assert_eq!(bytes(text), Ok(units), "{text}");
        }
        assert_eq!(q("1e-3"), q("1m"));
        assert_eq!(q("1u"), q("1000n"));
    }

    #[test]
    fn cpu_in_millicores_rounds_up() {
        assert_eq!(millicores("100m"), Ok(100));
        assert_eq!(millicores("1"), Ok(1000));
        assert_eq!(millicores("0.5"), Ok(500));
        assert_eq!(millicores(".5"), Ok(500));
        assert_eq!(millicores("1.5"), Ok(1500));
        assert_eq!(millicores("250000u"), Ok(250));
        assert_eq!(millicores("0.0001"), Ok(1));
        assert_eq!(millicores("1n"), Ok(1));
        assert_eq!(millicores("0"), Ok(0));
        assert_eq!(format_cpu(4000), "4");
        assert_eq!(format_cpu(1500), "1500m");
    }

    #[test]
    fn memory_in_bytes_and_for_people() {
        assert_eq!(bytes("0.5"), Ok(1));
        assert_eq!(format_memory(24 << 30), "24Gi");
        assert_eq!(format_memory(1536 << 20), "1.5Gi");
        assert_eq!(format_memory(1000), "1000");
    }

    #[test]
    fn compares_exactly_and_keeps_the_text() {
        assert_eq!(q("100m"), q("0.1"));
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("256Mi"), q("268435456"));
        assert!(q("1000m") > q("100m"));
        assert!(q("1G") < q("1Gi"));
        assert!(q("500m") < q("1"));
        assert_eq!(q("1n"), q("0.000000001"));
        // below a nano-unit rounds up
        assert_eq!(q("0.0000000001"), q("1n"));
        assert_eq!(q(" 1Ei ").to_string(), "1Ei");
        assert_eq!(q("-1"), q("-1000m"));
        assert!(q("-1") < q("0"));
        assert_eq!(q("0e30"), q("0"));
    }

    #[test]
    fn huge_values_are_capped_as_kubernetes_caps_them() {
        let cap = q("9223372036854775807");
        assert_eq!(q("99999999999Ei"), cap);
        assert_eq!(q("1e30"), cap);
        assert_eq!(q("-99999999999Ei"), q("-9223372036854775807"));
        assert_eq!(bytes("99999999999Ei"), Ok(i64::MAX as u64));
        assert_eq!(millicores("99999999999Ei"), Ok(u64::MAX));
    }

    #[test]
    fn bad_input_is_refused_with_a_clear_error() {
        for bad in [
            "",
            "m",
            "1x",
            "1..2",
            "1.2.3",
            "Gi",
            "1e",
            "1e+",
            "1e-x",
            "1e99",
            "1e400",
            "1 Gi",
            "--1",
            "1Mi2",
            "abc",
            "99999999999999999999999999999999E",
        ] {
            let e = Quantity::parse(bad).unwrap_err();
            assert!(!e.negative, "{bad}");
            assert!(
                e.to_string()
                    .starts_with(&format!("invalid quantity {bad:?}: write a number")),
                "{e}"
            );
        }
        let e = bytes("-1").unwrap_err();
        assert!(e.negative);
        assert_eq!(
            e.to_string(),
            "invalid quantity \"-1\": an amount of CPU or memory cannot be negative"
        );
        assert!(millicores("-100m").is_err());
    }

    #[test]
    fn reads_manifest_numbers() {
        assert_eq!(Quantity::from_json(&serde_json::json!(2)), Some(q("2")));
        assert_eq!(
            Quantity::from_json(&serde_json::json!(0.5)),
            Some(q("500m"))
        );
        assert_eq!(Quantity::from_json(&serde_json::json!(true)), None);
    }
}
