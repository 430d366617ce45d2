//! Kubernetes resource quantities (`100m`, `0.5`, `1Gi`, `256Mi`, `1e3`),
//! parsed exactly enough to compare them.
//!
//! A quantity is kept as a whole number of nano-units in an `i128`: every
//! suffix Kubernetes accepts is a whole multiple of 10⁻⁹, and 2⁶⁰ (`Ei`)
//! times 10⁹ still fits with room to spare. Digits below a nano-unit round up,
//! as Kubernetes rounds them.

use std::cmp::Ordering;
use std::fmt;

const NANO: i128 = 1_000_000_000;

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
pub struct QuantityError(pub String);

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid quantity {:?}: write a number with an optional suffix \
             (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent like e3), e.g. 100m or 256Mi",
            self.0
        )
    }
}

impl Quantity {
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let err = || QuantityError(text.to_string());
        let s = text.trim();
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let num_end = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let (number, suffix) = body.split_at(num_end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(err());
        }
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        // Scale: multiply by 10^exp10 and 2^exp2 (nano-units add 9 to exp10).
        let (exp10, exp2): (i32, u32) = match suffix {
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
                let exp = suffix
                    .strip_prefix(['e', 'E'])
                    .and_then(|e| e.parse::<i32>().ok())
                    .filter(|e| (-30..=30).contains(e))
                    .ok_or_else(err)?;
                (exp, 0)
            }
        };
        // digits (integer and fraction) as one integer, then place the point.
        let digits: String = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 30 {
            return Err(err());
        }
        let mantissa: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| err())?
        };
        let shift = 9 + exp10 - frac_part.len() as i32;
        let mut nanos = if shift >= 0 {
            10i128
                .checked_pow(shift as u32)
                .and_then(|p| mantissa.checked_mul(p))
                .ok_or_else(err)?
        } else {
            let p = 10i128.checked_pow((-shift) as u32);
            match p {
                // Round up what is left below a nano-unit.
                Some(p) => (mantissa + p - 1) / p,
                None => i128::from(mantissa > 0),
            }
        };
        nanos = nanos.checked_mul(1i128 << exp2).ok_or_else(err)?;
        if nanos > i64::MAX as i128 * NANO {
            return Err(err());
        }
        Ok(Quantity {
            text: s.to_string(),
            nanos: if neg { -nanos } else { nanos },
        })
    }

    /// A quantity from a manifest value: a string, or a YAML number (`cpu: 1`).
    pub fn from_json(v: &serde_json::Value) -> Option<Quantity> {
        match v {
            serde_json::Value::String(s) => Quantity::parse(s).ok(),
            serde_json::Value::Number(n) => Quantity::parse(&n.to_string()).ok(),
            _ => None,
        }
    }

    /// The value to write into a manifest: always the text as written.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.text.clone())
    }
}

impl<'de> serde::Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = super::params::ParamString::deserialize(d)?;
        Quantity::parse(&s.0).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn parses_and_compares() {
        assert_eq!(q("100m"), q("0.1"));
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("256Mi"), q("268435456"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert!(q("1000m") > q("100m"));
        assert!(q("1Gi") > q("256Mi"));
        assert!(q("1G") < q("1Gi"));
        assert!(q("500m") < q("1"));
        assert_eq!(q("1n"), q("0.000000001"));
        // below a nano-unit rounds up
        assert_eq!(q("0.0000000001"), q("1n"));
        assert_eq!(q(".5"), q("500m"));
        assert_eq!(q("1Ei").to_string(), "1Ei");
        assert_eq!(q("-1"), q("-1000m"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "m",
            "1x",
            "1.2.3",
            "Gi",
            "1e",
            "1e99",
            "1 Gi",
            "--1",
            "1Mi2",
            "99999999999999999999999999999999E",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad}");
        }
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
