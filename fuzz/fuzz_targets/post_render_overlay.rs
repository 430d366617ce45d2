//! `chartfix post-render --overlay FILE`: a user's overlay (loaded with its
//! parameters) applied to a manifest stream, both from the input, with every
//! change recorded as `--explain` does. Documents no rule changed pass
//! through byte for byte, so a stream with no change comes out as it went in,
//! and the output of a run reads back as a stream.
//!
//! Input: overlay YAML, a NUL byte, then the manifest stream.
#![no_main]

use chartfix::overlay::{self, load, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(at) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (overlay_bytes, stream) = (&data[..at], &data[at + 1..]);
    let Ok(overlay_text) = std::str::from_utf8(overlay_bytes) else {
        return;
    };
    let Ok(o) = load::parse("fuzz-overlay.yaml", overlay_text, &[]) else {
        return;
    };
    let overlays = [o];
    let Ok((out, report)) = overlay::apply_stream(stream, &overlays, &Options { record: true })
    else {
        return;
    };
    let _ = overlay::explain_table(&report.changes);
    if report.change_count == 0 && report.dropped_documents == 0 {
        assert!(out == stream, "unchanged stream was rewritten");
    }
});
