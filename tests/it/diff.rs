//! `chartfix diff` end to end: the three formats as snapshots (top-level
//! `snapshots/`), exit statuses, Secret masking, the markdown size limit, and
//! `--base GIT_REF` in a temporary git repository.

use crate::support;
use chartfix::diff::{self, GITHUB_COMMENT_LIMIT};
use std::path::Path;
use std::process::{Command, Output};

const OLD: &str = "tests/fixtures/diff/old.yaml";
const NEW: &str = "tests/fixtures/diff/new.yaml";

fn chartfix(args: &[&str], dir: Option<&Path>, stdin: Option<&str>) -> Output {
    let mut cmd = support::chartfix();
    cmd.args(args).env_remove("NO_COLOR");
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    support::output_with_input(&mut cmd, stdin.map(str::as_bytes))
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn text_report() {
    let o = chartfix(&["diff", OLD, NEW], None, None);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    // Not a terminal: no escape codes.
    assert!(!out.contains('\x1b'));
    support::snapshot("diff_text", &out);
}

#[test]
fn markdown_report() {
    let o = chartfix(&["diff", OLD, NEW, "--format", "markdown"], None, None);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    support::snapshot("diff_markdown", &stdout(&o));
}

#[test]
fn json_report() {
    let o = chartfix(&["diff", OLD, NEW, "--format", "json"], None, None);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["changed"], 3);
    support::snapshot("diff_json", &out);
}

#[test]
fn exit_statuses() {
    let code = |args: &[&str]| chartfix(args, None, None).status.code();
    assert_eq!(code(&["diff", OLD, NEW, "--exit-code"]), Some(1));
    assert_eq!(code(&["diff", OLD, OLD, "--exit-code"]), Some(0));
    assert_eq!(
        code(&["diff", OLD, "tests/fixtures/diff/missing.yaml"]),
        Some(1)
    );
    assert_eq!(code(&["diff", OLD]), Some(2));
    assert_eq!(code(&["diff", "-", "-"]), Some(2));
    assert_eq!(code(&["diff", OLD, NEW, "--base", "HEAD"]), Some(2));
    assert_eq!(code(&["diff", OLD, NEW, "--format", "html"]), Some(2));
    assert_eq!(code(&["diff", OLD, NEW, "--offline"]), Some(2));
    assert_eq!(code(&["diff", OLD, NEW, "--timeout", "5"]), Some(2));
    assert_eq!(code(&["diff", OLD, NEW, "-q"]), Some(0));
}

/// A reader closing stdout early (`| head`) is no error: nothing is said, and
/// the status is what the comparison found (`--exit-code`: 1 for differences).
#[test]
fn a_closed_stdout_keeps_the_status_and_says_nothing() {
    for (args, want) in [
        (vec!["diff", OLD, NEW, "--exit-code"], 1),
        (vec!["diff", OLD, NEW], 0),
    ] {
        let o = support::output_closed_stdout(support::chartfix().args(&args));
        assert_eq!(o.status.code(), Some(want), "{args:?}: {o:?}");
        assert!(o.stderr.is_empty(), "{args:?}: {o:?}");
    }
}

#[test]
fn same_input_says_so_and_stdin_works() {
    let text = std::fs::read_to_string(NEW).unwrap();
    let o = chartfix(&["diff", NEW, "-", "--exit-code"], None, Some(&text));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "no differences (5 resources)\n");
}

#[test]
fn bad_yaml_is_an_error_naming_the_side() {
    let o = chartfix(&["diff", OLD, "-"], None, Some("kind: A\n---\na: [\n"));
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("-: document 2, line "), "{err}");
}

/// Every value the fixtures' Secrets hold, as written and decoded, plus a
/// Secret that only one side has.
#[test]
fn secret_values_are_never_printed() {
    let secrets = [
        "YWRtaW4=",
        "admin",
        "czNjcmV0LW9sZA==",
        "s3cret-old",
        "czNjcmV0LW5ldw==",
        "s3cret-new",
        "YWtpLW5ldy1rZXk=",
        "aki-new-key",
        "plain-old-token",
        "plain-new-token",
        "only-here-value",
        "last-applied-value",
    ];
    let extra = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: extra\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":\"last-applied-value\"}'\nstringData:\n  k: only-here-value\n";
    let new = std::fs::read_to_string(NEW).unwrap() + extra;
    for format in ["text", "markdown", "json"] {
        for args in [
            vec!["diff", OLD, "-", "--format", format],
            vec!["diff", "-", OLD, "--format", format],
        ] {
            let o = chartfix(&args, None, Some(&new));
            assert_eq!(o.status.code(), Some(0));
            let out = stdout(&o);
            assert!(out.contains("<hidden"), "{format}: {out}");
            for s in secrets {
                assert!(!out.contains(s), "{format} {args:?} printed {s}:\n{out}");
            }
        }
    }
}

/// Many large changes: the comment stays under GitHub's limit, every
/// `<details>` block that is there is whole, and a note says what was cut.
#[test]
fn markdown_stays_under_github_limit() {
    let mut old = String::new();
    let mut new = String::new();
    for i in 0..400 {
        let body = "x".repeat(400);
        old.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  a: old-{body}\n  b: \"1\"\n"
        ));
        new.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  a: new-{body}\n  b: \"2\"\n"
        ));
    }
    let report = diff::diff_streams(&old, "old", &new, "new").unwrap();
    assert_eq!(report.resources.len(), 400);
    let md = diff::render_markdown(&report, GITHUB_COMMENT_LIMIT);
    assert!(md.chars().count() <= GITHUB_COMMENT_LIMIT, "{}", md.len());
    assert!(md.len() > GITHUB_COMMENT_LIMIT / 2, "room was wasted");
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    assert!(md.contains("comment limit"), "no note of the cut");
    assert!(md.trim_end().ends_with("for the full report."));
    // The table names the first resources; later ones are counted.
    assert!(md.contains("| ✏️ changed | ConfigMap |  | cm-0 | 2 |"));

    // A smaller limit is honoured the same way.
    let small = diff::render_markdown(&report, 8_000);
    assert!(small.len() <= 8_000, "{}", small.len());
    assert!(small.contains("more |"));

    // One resource with more changed fields than fit: its block stays, with
    // the first fields and a count of the rest.
    let wide_old: String = (0..3000).map(|i| format!("  k{i}: a\n")).collect();
    let wide_new: String = (0..3000).map(|i| format!("  k{i}: b\n")).collect();
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\ndata:\n";
    let wide = diff::diff_streams(
        &format!("{head}{wide_old}"),
        "o",
        &format!("{head}{wide_new}"),
        "n",
    )
    .unwrap();
    let md = diff::render_markdown(&wide, GITHUB_COMMENT_LIMIT);
    assert!(md.len() <= GITHUB_COMMENT_LIMIT);
    assert!(md.contains("<code>data.k0</code>"));
    assert!(md.contains("more fields left out for space"));
    assert!(md.contains("the unified diffs of 1 resource"));

    // Small reports are never cut.
    let first = |s: &str| s.split("---\n").nth(1).unwrap_or_default().to_string();
    let one = diff::diff_streams(&first(&old), "o", &first(&new), "n").unwrap();
    assert_eq!(one.resources.len(), 1);
    let md = diff::render_markdown(&one, GITHUB_COMMENT_LIMIT);
    assert!(!md.contains("comment limit"));
    assert!(md.contains("```diff"));
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {o:?}");
}

/// A stack (`stacks/demo.yaml`, raw manifests in `stacks/demo/`) committed
/// twice, then edited in the working tree: `--base HEAD~1` sees both
/// commits' changes plus the edit, `--base HEAD` only the edit. Rendering is
/// the stack renderer's (`chartfix render`); the stack is raw manifests so
/// the test needs no chart source.
#[test]
fn base_git_ref_in_a_temporary_repository() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let manifests = dir.join("stacks/demo");
    std::fs::create_dir_all(&manifests).unwrap();
    std::fs::write(
        dir.join("stacks/demo.yaml"),
        "name: demo\nnamespace: demo\nreleases:\n  - name: app\n    manifests:\n      - demo/\n",
    )
    .unwrap();
    let cm = |name: &str, v: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  v: \"{v}\"\n")
    };
    git(dir, &["init", "-q"]);
    std::fs::write(manifests.join("a.yaml"), cm("a", "1")).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "one"]);
    std::fs::write(manifests.join("a.yaml"), cm("a", "2")).unwrap();
    std::fs::write(manifests.join("b.yaml"), cm("b", "1")).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "two"]);
    // Working tree only: an edit the base ref cannot know.
    std::fs::write(manifests.join("b.yaml"), cm("b", "9")).unwrap();

    let o = chartfix(
        &[
            "diff",
            "stacks/demo.yaml",
            "--base",
            "HEAD~1",
            "--format",
            "json",
        ],
        Some(dir),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["changed"], 1);
    assert_eq!(v["summary"]["added"], 1);
    assert_eq!(v["resources"][0]["name"], "a");
    assert_eq!(v["resources"][0]["changes"][0]["old"], "1");
    assert_eq!(v["resources"][0]["changes"][0]["new"], "2");
    assert_eq!(v["resources"][1]["status"], "added");
    assert_eq!(v["resources"][1]["name"], "b");

    // A stack name found in ./stacks/, as `chartfix render` finds it.
    let o = chartfix(
        &["diff", "demo", "--base", "HEAD", "--exit-code"],
        Some(dir),
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        stdout(&o).contains("data.v: \"1\" → \"9\""),
        "{}",
        stdout(&o)
    );

    // A folder of raw manifests is a stack too, given from inside it.
    let o = chartfix(&["diff", ".", "--base", "HEAD~1"], Some(&manifests), None);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        stdout(&o).starts_with("1 changed, 1 added, 0 removed"),
        "{}",
        stdout(&o)
    );

    // Errors: an unknown ref, a path the ref lacks, a folder outside git.
    let o = chartfix(&["diff", "demo", "--base", "nope"], Some(dir), None);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not name a commit"));
    std::fs::write(dir.join("stacks/new.yaml"), "name: new\nreleases: []\n").unwrap();
    let o = chartfix(&["diff", "new", "--base", "HEAD"], Some(dir), None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("did not exist at HEAD"),
        "{o:?}"
    );
    let outside = tempfile::tempdir().unwrap();
    let o = chartfix(&["diff", ".", "--base", "HEAD"], Some(outside.path()), None);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not in a git repository"));
}

/// The whole pipeline at a ref: a stack with a local chart and the `arm64`
/// overlay, values changed in a commit and in the working tree. The
/// chart's Secret value changes and must show only as changed.
#[test]
fn base_git_ref_renders_charts_and_overlays() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let chart = dir.join("stacks/charts/web");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    )
    .unwrap();
    let values = |replicas: u32, password: &str| {
        std::fs::write(
            chart.join("values.yaml"),
            format!("replicas: {replicas}\npassword: {password}\n"),
        )
        .unwrap()
    };
    values(1, "first-password");
    std::fs::write(
        chart.join("templates/app.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          resources:\n            requests:\n              cpu: 1000m\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-auth\ndata:\n  password: {{ .Values.password | b64enc }}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("stacks/web.yaml"),
        "name: web\nnamespace: web\noverlays: [arm64]\nreleases:\n  - name: web\n    chart: ./charts/web\n",
    )
    .unwrap();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "one"]);
    values(2, "first-password");
    git(dir, &["commit", "-qam", "two"]);
    values(2, "second-password");

    let o = chartfix(
        &["diff", "web", "--base", "HEAD~1", "--format", "markdown"],
        Some(dir),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let md = stdout(&o);
    assert!(md.contains("**2 changed, 0 added, 0 removed**"), "{md}");
    assert!(
        md.contains("| <code>spec.replicas</code> | <code>1</code> | <code>2</code> |"),
        "{md}"
    );
    assert!(md.contains("+  password: <hidden, changed>"), "{md}");
    // The overlay ran on both sides: the capped CPU request is no change.
    assert!(!md.contains("cpu"), "{md}");
    for secret in [
        "first-password",
        "second-password",
        "Zmlyc3QtcGFzc3dvcmQ=",
        "c2Vjb25kLXBhc3N3b3Jk",
    ] {
        assert!(!md.contains(secret), "printed {secret}");
    }
    // Nothing is written into the working tree (no lock file, no export).
    assert!(!dir.join("stacks/web.lock").exists());
}
