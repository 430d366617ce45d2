//! The overlay loader, and the loaded overlay applied to a fixed manifest
//! stream with every change recorded (as `--explain` does).
//!
//! Input: overlay YAML, then optionally a NUL byte and parameter overrides,
//! one `PARAM=VALUE` a line.
#![no_main]

use chartfix::overlay::{self, load, Options};
use libfuzzer_sys::fuzz_target;

const MANIFEST: &str = include_str!("../../tests/fixtures/overlay/rendered.yaml");

fuzz_target!(|data: &[u8]| {
    let Ok(data) = std::str::from_utf8(data) else {
        return;
    };
    let (text, overrides) = data.split_once('\0').unwrap_or((data, ""));
    let overrides: Vec<(String, String)> = overrides
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let Ok(o) = load::parse("fuzz-overlay.yaml", text, &overrides) else {
        return;
    };
    if let Ok((_, report)) = overlay::apply_str(MANIFEST, &[o], &Options { record: true }) {
        let _ = overlay::explain_table(&report.changes);
    }
});
