//! Stack files and lock files, as `chartfix render STACK` reads them: the
//! stack parser (limits, serde, its own validation) with every release's
//! name and parameters asked for, and the lock parser, whose output must
//! survive being written and read again unchanged.
//!
//! Input: a stack file, then optionally a NUL byte and a lock file.
#![no_main]

use chartfix::stack::{file, lock::LockFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(data) = std::str::from_utf8(data) else {
        return;
    };
    let (stack_text, lock_text) = data.split_once('\0').unwrap_or((data, data));
    match file::parse("fuzz-stack.yaml", stack_text) {
        Ok(stack) => {
            let overlays = stack
                .overlays
                .iter()
                .chain(stack.releases.iter().flat_map(|r| r.overlays.iter()));
            for o in overlays {
                let _ = (o.name(), o.params());
            }
            for release in &stack.releases {
                let _ = release.is_chart();
            }
        }
        // Errors name the file they are about.
        Err(e) => assert!(e.to_string().starts_with("fuzz-stack.yaml"), "{e}"),
    }
    match LockFile::parse("fuzz.lock", lock_text) {
        Ok(lock) => {
            let again = LockFile::parse("fuzz.lock", &lock.to_yaml())
                .expect("a lock chartfix wrote reads back");
            assert_eq!(again, lock, "a lock changed through writing and reading");
            assert!(lock.differences(&again).is_empty());
        }
        Err(e) => assert!(e.starts_with("fuzz.lock"), "{e}"),
    }
});
