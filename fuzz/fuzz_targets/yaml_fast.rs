//! The fast scanner for plain block YAML against libyaml: whatever text it
//! takes, it must give exactly libyaml's events (it may give up on anything).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = chartfix::yaml::check_fast_scanner(src) {
        panic!("{src:?}: {e}");
    }
});
