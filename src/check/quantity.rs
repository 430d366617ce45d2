//! Kubernetes resource quantities (`100m`, `1.5`, `512Mi`, `1G`, `1e3`), read
//! into whole millicores and bytes, and written back for people.

/// Parses a quantity into its value in base units (cores, bytes).
pub fn parse(q: &str) -> Result<f64, String> {
    let s = q.trim();
    let bad = || format!("{q:?} is not a Kubernetes quantity (e.g. 500m, 2, 512Mi, 1Gi)");
    if s.is_empty() {
        return Err(bad());
    }
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    // `E` alone is exa; `e`/`E` followed by digits is a decimal exponent.
    if let Some(exp) = suffix
        .strip_prefix(['e', 'E'])
        .filter(|e| !e.is_empty() && *e != "i")
    {
        if !exp
            .trim_start_matches(['+', '-'])
            .chars()
            .all(|c| c.is_ascii_digit())
            || exp.trim_start_matches(['+', '-']).is_empty()
        {
            return Err(bad());
        }
        let e: i32 = exp.parse().map_err(|_| bad())?;
        let n: f64 = num.parse().map_err(|_| bad())?;
        let v = n * 10f64.powi(e);
        return if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(bad())
        };
    }
    let n: f64 = num.parse().map_err(|_| bad())?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return Err(bad()),
    };
    let v = n * factor;
    if !v.is_finite() || v < 0.0 {
        return Err(bad());
    }
    Ok(v)
}

/// CPU in millicores, rounded up as Kubernetes does.
pub fn millicores(q: &str) -> Result<u64, String> {
    Ok(to_u64((parse(q)? * 1000.0 - 1e-9).ceil()))
}

/// Memory in bytes, rounded up.
pub fn bytes(q: &str) -> Result<u64, String> {
    Ok(to_u64((parse(q)? - 1e-9).ceil()))
}

fn to_u64(v: f64) -> u64 {
    if v <= 0.0 {
        0
    } else if v >= u64::MAX as f64 {
        u64::MAX
    } else {
        v as u64
    }
}

pub fn format_cpu(m: u64) -> String {
    if m % 1000 == 0 {
        format!("{}", m / 1000)
    } else {
        format!("{m}m")
    }
}

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

    #[test]
    fn cpu() {
        assert_eq!(millicores("100m").unwrap(), 100);
        assert_eq!(millicores("1").unwrap(), 1000);
        assert_eq!(millicores("0.5").unwrap(), 500);
        assert_eq!(millicores("1.5").unwrap(), 1500);
        assert_eq!(millicores("250000u").unwrap(), 250);
        assert_eq!(millicores("0.0001").unwrap(), 1);
        assert_eq!(format_cpu(4000), "4");
        assert_eq!(format_cpu(1500), "1500m");
    }

    #[test]
    fn memory() {
        assert_eq!(bytes("1Gi").unwrap(), 1 << 30);
        assert_eq!(bytes("512Mi").unwrap(), 512 << 20);
        assert_eq!(bytes("1G").unwrap(), 1_000_000_000);
        assert_eq!(bytes("1e3").unwrap(), 1000);
        assert_eq!(bytes("2E").unwrap(), 2_000_000_000_000_000_000);
        assert_eq!(bytes("1Ei").unwrap(), 1 << 60);
        assert_eq!(bytes("99999999999Ei").unwrap(), u64::MAX);
        assert_eq!(bytes("128974848").unwrap(), 128974848);
        assert_eq!(format_memory(24 << 30), "24Gi");
        assert_eq!(format_memory(1536 << 20), "1.5Gi");
        for bad in ["", "1x", "Gi", "1..2", "-1", "1e", "abc", "1e400", "1e-x"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
