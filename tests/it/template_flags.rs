//! `chartfix template` flags that helm-oracle cannot record (`--kube-version`,
//! `--api-versions`, `--show-only`, `--output-dir`, `--set-json`, `--set-file`,
//! values on stdin): each checked against the golden output of the same chart
//! and the change Helm documents for the flag.

use crate::support;
use std::path::PathBuf;

fn tests_dir() -> PathBuf {
    support::project().join("tests")
}

fn chartfix(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = support::chartfix();
    cmd.arg("template").args(args).current_dir(tests_dir());
    let out = support::output_with_input(&mut cmd, stdin.map(str::as_bytes));
    (
        out.status.code().unwrap_or(-1),
        support::text(&out.stdout),
        support::text(&out.stderr),
    )
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(tests_dir().join("expected").join(format!("{name}.yaml"))).unwrap()
}

#[test]
fn kube_version_and_api_versions_change_capabilities() {
    let (code, out, err) = chartfix(
        &[
            "charts/caps",
            "--kube-version",
            "1.29.3",
            "-a",
            "monitoring.coreos.com/v1",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let want = golden("caps")
        .replace("{v1.36.0 v1.36.0 1 36}", "{v1.29.3 v1.29.3 1 29}")
        .replace("v1.36.0", "v1.29.3")
        .replace("minor: \"36\"", "minor: \"29\"")
        .replace(r#"\"Minor\":\"36\""#, r#"\"Minor\":\"29\""#)
        .replace(r#"Minor: \"36\""#, r#"Minor: \"29\""#)
        .replace("hasMonitoring: \"false\"", "hasMonitoring: \"true\"")
        .replace("  modern: \"true\"\n", "");
    assert_eq!(out, want);
}

#[test]
fn kube_version_outside_the_chart_range_fails() {
    let (code, out, err) = chartfix(&["charts/caps", "--kube-version", "v1.19.0"], None);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "Error: chart requires kubeVersion: >=1.20.0-0 which is incompatible with Kubernetes v1.19.0\n"
    );
    let (code, _, err) = chartfix(&["charts/caps", "--kube-version", "one"], None);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("Error: invalid kube version \"one\""),
        "{err}"
    );
}

#[test]
fn show_only_prints_the_named_templates() {
    let (code, out, err) = chartfix(
        &["ord", "charts/ordering", "-s", "templates/b-config.yaml"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "---\n# Source: ordering/templates/b-config.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n  key: value\n"
    );
    let (code, out, _) = chartfix(
        &[
            "ord",
            "charts/ordering",
            "--show-only",
            "templates/hooks.yaml",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(
        out.matches("# Source: ordering/templates/hooks.yaml")
            .count(),
        2
    );
    let (code, out, err) = chartfix(
        &["ord", "charts/ordering", "-s", "templates/none.yaml"],
        None,
    );
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "Error: could not find template templates/none.yaml in chart\n"
    );
}

#[test]
fn output_dir_writes_one_file_per_template() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = chartfix(
        &["crd", "charts/crds", "--include-crds", "--output-dir", d],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("wrote {d}/crds/templates/widget.yaml")),
        "{out}"
    );
    let crd = std::fs::read_to_string(dir.path().join("crds/crds/widget.yaml")).unwrap();
    assert!(crd.starts_with(
        "---\n# Source: crds/crds/widget.yaml\napiVersion: apiextensions.k8s.io/v1\n"
    ));
    let widget = std::fs::read_to_string(dir.path().join("crds/templates/widget.yaml")).unwrap();
    assert_eq!(
        widget,
        "---\n# Source: crds/templates/widget.yaml\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: crd\n  namespace: default\n\n"
    );
}

#[test]
fn set_json_set_file_and_stdin_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tag.txt");
    std::fs::write(&file, "from-file").unwrap();
    let set_file = format!("fromfile={}", file.display());
    let (code, out, err) = chartfix(
        &[
            "charts/setflags",
            "-f",
            "-",
            "--set-json",
            r#"obj={"a":[1,2]}"#,
            "--set-json",
            r#"{"top":true}"#,
            "--set-file",
            &set_file,
        ],
        Some("fromstdin: yes\nimage:\n  tag: \"3.0\"\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(r#"values: "{\"fromfile\":\"from-file\",\"fromstdin\":true,\"image\":{\"tag\":\"3.0\"},\"list\":[\"a\",\"b\"],\"obj\":{\"a\":[1,2]},\"top\":true}""#),
        "{out}"
    );
}

#[test]
fn bad_values_name_their_source() {
    let (code, out, err) = chartfix(&["charts/setflags", "-f", "missing.yaml"], None);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "Error: open missing.yaml: no such file or directory (a values file, -f/--values)\n"
    );
    let (code, _, err) = chartfix(&["charts/setflags", "--set", "a[x]=1"], None);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("Error: failed parsing --set data: error parsing index"),
        "{err}"
    );
    let (code, _, err) = chartfix(&["charts/setflags", "-f", "-"], Some("a: [b\n"));
    assert_eq!(code, 1);
    assert!(err.starts_with("Error: failed to parse -: "), "{err}");
}

#[test]
fn warnings_come_before_the_error_that_stops_the_render() {
    // A user value that is not a table where the chart has one: Helm warns
    // while coalescing, then the template fails on the scalar, and its stderr
    // holds the warning first (recorded with helm-oracle, whose log adds a time).
    let values = "tls:\n  autoGenerated: true\n";
    let (code, out, err) = chartfix(&["charts/warn-then-fail", "-f", "-"], Some(values));
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "{out}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("warning: cannot overwrite table with non table for warn-then-fail.tls.autoGenerated (map[enabled:true])"),
        "{err}"
    );
    assert_eq!(
        lines.get(1..),
        Some(
            &[
                "Error: warn-then-fail/templates/secret.yaml:1:14",
                "  executing \"warn-then-fail/templates/secret.yaml\" at <.Values.tls.autoGenerated.enabled>:",
                "    can't evaluate field enabled in type interface {}",
            ][..]
        ),
        "{err}"
    );
}

/// `chartfix template … | head -1`: the reader closed stdout, which is not a
/// failure; chartfix says nothing and exits 0, as ripgrep does.
#[test]
fn a_closed_stdout_ends_quietly() {
    let out = support::output_closed_stdout(
        support::chartfix()
            .args(["template", "charts/caps"])
            .current_dir(tests_dir()),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

/// Misuse exits 2, with Helm's words where Helm has them.
#[test]
fn usage_errors_give_two() {
    let (code, out, err) = chartfix(
        &[
            "a",
            "charts/caps",
            "--output-dir",
            "x",
            "--overlay",
            "arm64",
        ],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(
        err,
        "Error: --overlay rewrites the manifest stream; it cannot be combined with --output-dir\n"
    );
    let (code, _, err) = chartfix(&["charts/caps", "--timeout", "0"], None);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = chartfix(&["charts/caps", "--repo-mirror"], None);
    assert_eq!(code, 2, "{err}");
}
