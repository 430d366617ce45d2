//! The chart archive loader (`.tgz` → files → `Chart`), from bytes in memory.
//!
//! Input that starts with the gzip magic is the archive as it is; anything
//! else is taken as a bare tar stream and gzipped here first, so mutations
//! reach the tar and chart parsing instead of dying on a broken deflate stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let gzipped;
    let bytes = if data.starts_with(&[0x1f, 0x8b]) {
        data
    } else {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data).unwrap();
        gzipped = gz.finish().unwrap();
        &gzipped[..]
    };
    let _ = chartfix::chart::load_archive(bytes, "fuzz.tgz");
});
