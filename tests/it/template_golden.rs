//! Golden tests of `chartfix template`: each case of `golden-cases.txt` runs
//! the built binary on a small chart under `charts/` and compares what it
//! prints with what Helm 4.2.3 printed (`expected/`, recorded by
//! `record-golden` with helm-oracle). One chart, one feature.

use crate::support;
use std::path::PathBuf;

fn tests_dir() -> PathBuf {
    support::project().join("tests")
}

fn cases() -> Vec<(String, Vec<String>)> {
    let text =
        std::fs::read_to_string(tests_dir().join("golden-cases.txt")).expect("golden-cases.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace().map(String::from);
            let name = words.next().expect("a case name");
            (name, words.collect())
        })
        .collect()
}

/// Runs one case; `None` when it matches its expectation, else why not.
fn run_case(name: &str, args: &[String]) -> Option<String> {
    let dir = tests_dir();
    let out = support::chartfix()
        .arg("template")
        .args(args)
        .current_dir(&dir)
        .output()
        .expect("run chartfix");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected_out = dir.join("expected").join(format!("{name}.yaml"));
    let expected_err = dir.join("expected").join(format!("{name}.err"));
    if let Ok(want) = std::fs::read_to_string(&expected_out) {
        if !out.status.success() {
            return Some(format!("{name}: exit {:?}: {stderr}", out.status.code()));
        }
        if stdout != want {
            return Some(format!(
                "{name}: output differs\n{}",
                first_difference(&want, &stdout)
            ));
        }
        return None;
    }
    let want = std::fs::read_to_string(&expected_err)
        .unwrap_or_else(|_| panic!("no expectation for {name}"));
    if out.status.code() != Some(1) {
        return Some(format!(
            "{name}: expected exit 1, got {:?}",
            out.status.code()
        ));
    }
    if !stdout.is_empty() {
        return Some(format!("{name}: printed to stdout on failure"));
    }
    if stderr != want {
        return Some(format!(
            "{name}: error differs\n{}",
            first_difference(&want, &stderr)
        ));
    }
    None
}

fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}:\n  want: {w:?}\n  got:  {g:?}", i + 1);
        }
    }
    format!(
        "lengths differ: want {} lines ({} bytes), got {} lines ({} bytes)",
        want.lines().count(),
        want.len(),
        got.lines().count(),
        got.len()
    )
}

#[test]
fn golden_cases_match_helm() {
    let cases = cases();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases.iter().filter_map(|(n, a)| run_case(n, a)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} golden cases differ from Helm:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn usage_errors_exit_2_and_print_nothing() {
    let out = support::chartfix()
        .args(["template", "a", "b", "c"])
        .output()
        .expect("run chartfix");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn load_errors_exit_1_with_helm_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("values.yaml"), "a: 1\n").unwrap();
    let out = support::chartfix()
        .arg("template")
        .arg(dir.path())
        .output()
        .expect("run chartfix");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: Chart.yaml file is missing\n"
    );
}

#[test]
fn bad_release_names_are_refused() {
    let out = support::chartfix()
        .args(["template", "Bad_Name", "charts/meta"])
        .current_dir(tests_dir())
        .output()
        .expect("run chartfix");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid release name"));
}
