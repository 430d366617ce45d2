//! The expression cases of `tests/expressions/` (every Sprig function with
//! edge cases, Go's `fmt` verbs, regexp syntax, `toYaml`, control flow and its
//! errors), offline: `.ci/conformance-expressions --offline` renders each case
//! with the binary under test and compares it with Helm's answer recorded
//! beside it (`FILE.helm`), so no oracle is needed. Python's standard library
//! is all the script needs; without python3 the test says so and passes.

use crate::support::{self, skip};
use std::process::Command;

#[test]
fn expression_cases_match_helms_recorded_answers() {
    if !support::python3_imports("json") {
        return skip("python3 is not installed: .ci/conformance-expressions needs it");
    }
    let out = Command::new("python3")
        .arg(support::project().join(".ci/conformance-expressions"))
        .arg("--offline")
        .arg("--chartfix")
        .arg(support::BIN)
        .current_dir(support::project())
        .output()
        .expect("run .ci/conformance-expressions");
    let report = support::stdout(&out);
    let errors = support::stderr(&out);
    // The closing line: `N passed, M failed`.
    let counts = report.lines().rev().find_map(|l| {
        let (passed, failed) = l.split_once(" passed, ")?;
        let failed = failed.strip_suffix(" failed")?;
        Some((passed.parse::<usize>().ok()?, failed.parse::<usize>().ok()?))
    });
    let failures: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("FAIL") || l.starts_with("      "))
        .collect();
    assert!(
        out.status.success(),
        "conformance-expressions --offline failed ({:?}):\n{}\n{errors}\nlast line: {:?}",
        out.status.code(),
        failures.join("\n"),
        report.lines().last()
    );
    let Some((passed, failed)) = counts else {
        panic!("no `N passed, M failed` line:\n{report}\n{errors}");
    };
    assert_eq!(failed, 0, "{report}");
    assert!(passed > 0, "no expression case ran:\n{report}");
}
