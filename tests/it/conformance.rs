//! The conformance ratchet: runs `../shared/tools/conformance` against the
//! built binary when the shared corpus is present (CI has it) and checks that
//! every case listed in `tests/conformance-passing.txt` still passes. Where
//! the corpus is absent the test says so and passes.

use crate::support::{self, skip};
use std::process::Command;

#[test]
fn passing_corpus_cases_still_pass() {
    let (Some(corpus), Some(tool)) = (
        support::shared_path("corpus"),
        support::shared_path("tools/conformance"),
    ) else {
        return;
    };
    if !support::python3_imports("yaml") {
        return skip(
            "the conformance tool needs python3 with PyYAML (apt-get install python3-yaml)",
        );
    }
    let ratchet = std::fs::read_to_string(support::project().join("tests/conformance-passing.txt"))
        .expect("tests/conformance-passing.txt");
    // Each line: a case name, and `exact` when it must stay byte-identical.
    let must_pass: Vec<(&str, bool)> = ratchet
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next().unwrap_or("");
            (name, words.next() == Some("exact"))
        })
        .collect();
    let out = Command::new("python3")
        .arg(&tool)
        .arg("--chartfix")
        .arg(support::BIN)
        .arg("--corpus")
        .arg(&corpus)
        .output()
        .expect("run the conformance tool");
    let report = String::from_utf8_lossy(&out.stdout);
    eprintln!("{report}");
    // `PASS  name (exact)` or `PASS  name (semantic)`.
    let passed: Vec<(&str, bool)> = report
        .lines()
        .filter_map(|l| l.strip_prefix("PASS  "))
        .map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next().unwrap_or("");
            (name, words.next() == Some("(exact)"))
        })
        .collect();
    let regressed: Vec<String> = must_pass
        .iter()
        .filter(|(name, exact)| !passed.iter().any(|(p, e)| p == name && (*e || !exact)))
        .map(|(name, exact)| format!("{name}{}", if *exact { " (exact)" } else { "" }))
        .collect();
    assert!(
        regressed.is_empty(),
        "cases that passed before now fail: {regressed:?}\n{report}"
    );
}
