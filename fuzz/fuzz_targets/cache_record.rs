//! Cache records as `fetch`, `render --offline` and `cache list` read them
//! from disk: a real cache in a temporary folder holds one imported chart,
//! and its record file is replaced by the input before every lookup.
//!
//! Whatever the record says, a hit must be a file inside the cache whose
//! bytes have the digest the record names, and nothing outside the cache
//! may be read or removed: the folder beside the cache holds a file named
//! as a record could point at it, and it must survive every input.
//!
//! Input: the bytes of a record file (JSON: reference, version, digest, …).
#![no_main]

use chartfix::source::cache::{sha256, Cache, Lookup};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const REFERENCE: &str = "oci://registry.test/charts/tiny";
const VERSION: &str = "1.0.0";

struct Fixture {
    _dir: tempfile::TempDir,
    cache: Cache,
    root: PathBuf,
    record: PathBuf,
    outside: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path().join("cache");
        let cache = Cache::new(&root);
        cache
            .import(b"not really a chart", REFERENCE, VERSION, None, "fuzz", None)
            .expect("import into a fresh cache");
        let record = cache
            .entries()
            .into_iter()
            .next()
            .expect("the imported record")
            .path;
        let outside = dir.path().join("outside.tgz");
        std::fs::write(&outside, b"keep me").expect("write beside the cache");
        let root = cache.root().to_path_buf();
        Fixture { _dir: dir, cache, root, record, outside }
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    if std::fs::write(&f.record, data).is_err() {
        return;
    }
    match f.cache.lookup(REFERENCE, VERSION) {
        Lookup::Hit(record, path) => {
            assert!(path.starts_with(&f.root), "hit outside the cache: {}", path.display());
            let bytes = std::fs::read(&path).expect("a hit is readable");
            assert_eq!(sha256(&bytes), record.digest, "a hit whose bytes do not match");
        }
        Lookup::Miss | Lookup::Corrupt(_) => {}
    }
    for entry in f.cache.entries() {
        assert!(entry.path.starts_with(&f.root));
    }
    let _ = f.cache.records(REFERENCE);
    assert_eq!(
        std::fs::read(&f.outside).ok().as_deref(),
        Some(&b"keep me"[..]),
        "a file beside the cache was changed"
    );
    // A lookup may have removed a bad archive: put the chart back.
    let _ = f.cache.import(b"not really a chart", REFERENCE, VERSION, None, "fuzz", None);
});
