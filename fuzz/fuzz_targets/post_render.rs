//! What `chartfix post-render` does with its stdin: split the stream into
//! documents, parse each, apply the built-in overlays (recording every change,
//! as `--explain` does) and write the stream back.
#![no_main]

use chartfix::overlay::{self, Options, Overlay};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn overlays() -> &'static [Overlay] {
    static OVERLAYS: OnceLock<Vec<Overlay>> = OnceLock::new();
    OVERLAYS.get_or_init(|| {
        let specs: Vec<String> = overlay::BUILTINS
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        overlay::load_all(&specs, &[]).expect("built-in overlays load")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok((out, report)) = overlay::apply_stream(data, overlays(), &Options { record: true })
    else {
        return;
    };
    let _ = overlay::explain_table(&report.changes);
    // Documents nobody changed pass through byte for byte, so a stream with
    // no change at all comes out exactly as it went in.
    if report.change_count == 0 {
        assert!(out == data, "unchanged stream was rewritten");
    }
});
