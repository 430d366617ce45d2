//! Image reference parsing, and the round trips that must hold for every
//! reference that parses: the normalised form parses back to itself, and its
//! parts rebuild it.
#![no_main]

use chartfix::registry::ImageRef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(r) = ImageRef::parse(input) else {
        return;
    };
    let shown = r.to_string();
    let again = ImageRef::parse(&shown)
        .unwrap_or_else(|e| panic!("{input:?} parsed as {shown:?}, which does not parse: {e}"));
    assert_eq!(again, r, "{input:?} → {shown:?} parses differently");
    assert_eq!(
        again.to_string(),
        shown,
        "display is not stable for {input:?}"
    );
    assert!(
        r.tag.is_some() || r.digest.is_some(),
        "{input:?}: neither tag nor digest"
    );
    assert_eq!(r.name(), format!("{}/{}", r.registry, r.repository));
    // Pinned references ask for the digest, others for the tag.
    let want = r.digest.as_deref().or(r.tag.as_deref()).unwrap();
    assert_eq!(r.reference(), want);
    // Retagging keeps a valid reference whenever the tag was valid.
    if let Some(tag) = &r.tag {
        let retagged = r.with_tag(tag);
        let back = ImageRef::parse(&retagged.to_string()).expect("retagged reference parses");
        assert_eq!(back, retagged);
    }
});
