//! Time zones as Go's `time.LoadLocation` finds them: `UTC` (and `""`), `Local`
//! (from `TZ` or `/etc/localtime`), and IANA names read from the system's
//! `zoneinfo` files (TZif).

use std::sync::{Arc, OnceLock};

/// One zone: its name and its offset rules.
#[derive(Clone)]
pub struct Zone {
    /// Transition instants (Unix seconds) and the type index in force from each.
    transitions: Arc<Vec<(i64, usize)>>,
    /// Offset in seconds east of UTC and abbreviation, per type.
    types: Arc<Vec<(i32, String)>>,
}

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            transitions: Arc::new(Vec::new()),
            types: Arc::new(vec![(0, "UTC".to_string())]),
        }
    }

    /// Go's `time.LoadLocation`; `None` where Go reports an error.
    pub fn load(name: &str) -> Option<Zone> {
        match name {
            "" | "UTC" => Some(Zone::utc()),
            "Local" => Some(Zone::local()),
            _ => {
                // Go refuses names that could escape the zoneinfo folder.
                if name.starts_with('/') || name.split('/').any(|p| p == ".." || p.is_empty()) {
                    return None;
                }
                let data = std::fs::read(format!("/usr/share/zoneinfo/{name}")).ok()?;
                parse_tzif(&data)
            }
        }
    }

    /// The machine's zone, as Go's `time.Local`: read once per process.
    pub fn local() -> Zone {
        static LOCAL: OnceLock<Zone> = OnceLock::new();
        LOCAL.get_or_init(Zone::read_local).clone()
    }

    fn read_local() -> Zone {
        match std::env::var("TZ") {
            Ok(tz) if tz.is_empty() || tz == "UTC" => Zone::utc(),
            Ok(tz) => {
                let path = tz.trim_start_matches(':');
                let data = if path.starts_with('/') {
                    std::fs::read(path).ok()
                } else {
                    std::fs::read(format!("/usr/share/zoneinfo/{path}")).ok()
                };
                data.and_then(|d| parse_tzif(&d)).unwrap_or_else(Zone::utc)
            }
            Err(_) => std::fs::read("/etc/localtime")
                .ok()
                .and_then(|d| parse_tzif(&d))
                .unwrap_or_else(Zone::utc),
        }
    }

    /// The offset and abbreviation in force at a Unix instant.
    pub fn lookup(&self, unix: i64) -> (i32, String) {
        let idx = match self.transitions.partition_point(|(t, _)| *t <= unix) {
            0 => 0,
            n => self.transitions[n - 1].1,
        };
        self.types
            .get(idx)
            .cloned()
            .unwrap_or((0, "UTC".to_string()))
    }

    /// The offset a zone abbreviation has in this zone, if it uses it.
    pub fn offset_of_abbrev(&self, abbrev: &str) -> Option<i32> {
        self.types
            .iter()
            .find(|(_, a)| a == abbrev)
            .map(|(o, _)| *o)
    }
}

/// Reads a TZif file, preferring its 64-bit (version 2+) section.
fn parse_tzif(data: &[u8]) -> Option<Zone> {
    let header = |d: &[u8]| -> Option<[usize; 6]> {
        if d.get(..4)? != b"TZif" {
            return None;
        }
        let mut counts = [0usize; 6];
        for (i, c) in counts.iter_mut().enumerate() {
            let b = d.get(20 + 4 * i..24 + 4 * i)?;
            *c = u32::from_be_bytes(b.try_into().ok()?) as usize;
        }
        Some(counts)
    };
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = header(data)?;
    let v1_len = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    let (body, time_size, counts) = if data.get(4).is_some_and(|v| *v >= b'2') {
        let second = data.get(v1_len..)?;
        (second.get(44..)?, 8, header(second)?)
    } else {
        (
            data.get(44..)?,
            4,
            [isut, isstd, leap, timecnt, typecnt, charcnt],
        )
    };
    let [_, _, _, timecnt, typecnt, charcnt] = counts;
    let mut pos = 0;
    let mut take = |n: usize| -> Option<&[u8]> {
        let s = body.get(pos..pos + n)?;
        pos += n;
        Some(s)
    };
    let times = take(timecnt * time_size)?;
    let indices = take(timecnt)?;
    let ttinfo = take(typecnt * 6)?;
    let chars = take(charcnt)?;
    let mut transitions = Vec::with_capacity(timecnt);
    for i in 0..timecnt {
        let raw = &times[i * time_size..(i + 1) * time_size];
        let t = if time_size == 8 {
            i64::from_be_bytes(raw.try_into().ok()?)
        } else {
            i32::from_be_bytes(raw.try_into().ok()?) as i64
        };
        transitions.push((t, indices[i] as usize));
    }
    let mut types = Vec::with_capacity(typecnt);
    for t in ttinfo.chunks(6) {
        let offset = i32::from_be_bytes(t[..4].try_into().ok()?);
        let start = t[5] as usize;
        let end = chars
            .get(start..)?
            .iter()
            .position(|c| *c == 0)
            .map_or(chars.len(), |p| start + p);
        types.push((
            offset,
            String::from_utf8_lossy(&chars[start..end]).into_owned(),
        ));
    }
    if types.is_empty() {
        return None;
    }
    Some(Zone {
        transitions: Arc::new(transitions),
        types: Arc::new(types),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_york_has_daylight_saving() {
        let Some(ny) = Zone::load("America/New_York") else {
            return; // no zoneinfo on this machine
        };
        assert_eq!(ny.lookup(1706918400), (-5 * 3600, "EST".to_string()));
        assert_eq!(ny.lookup(1720000000), (-4 * 3600, "EDT".to_string()));
        assert!(Zone::load("Nowhere/Bad").is_none());
        assert!(Zone::load("../etc/passwd").is_none());
    }
}
