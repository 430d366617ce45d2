//! One rule for every command: usage errors (a bad flag, a missing argument)
//! exit 2; anything about the existence or content of an input exits 1, and
//! its message names the path and the kind of input expected. And every
//! command's `--help` names each kind of input it takes, with an example.

use crate::support::{self, chartfix};
use std::path::Path;

/// Runs chartfix in `dir`: (status, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let o = chartfix()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run chartfix");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Every command given an input file that is not there: status 1, nothing
/// on stdout, an `Error:` that names the path and what kind of input it
/// should have been.
#[test]
fn a_missing_input_exits_1_and_names_path_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let chart = support::project().join("tests/charts/caps");
    let chart = chart.to_str().unwrap();
    let cache = dir.path().join("cache");
    let cache = cache.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            vec!["template", "/nonexistent/chart"],
            "/nonexistent/chart",
            "chart",
        ),
        (
            vec!["template", "x", chart, "-f", "/nonexistent/values.yaml"],
            "/nonexistent/values.yaml",
            "a values file",
        ),
        (
            vec!["fetch", "/nonexistent/c.tgz"],
            "/nonexistent/c.tgz",
            "chart",
        ),
        (
            vec!["images", "/nonexistent/m.yaml"],
            "/nonexistent/m.yaml",
            "manifest file",
        ),
        (
            vec!["check", "/nonexistent/m.yaml"],
            "/nonexistent/m.yaml",
            "manifest file",
        ),
        (
            vec!["render", "/nonexistent/s.yaml"],
            "/nonexistent/s.yaml",
            "stack",
        ),
        (
            vec!["snapshot", "/nonexistent/s.yaml"],
            "/nonexistent/s.yaml",
            "stack",
        ),
        (
            vec!["verify", "/nonexistent/s.yaml"],
            "/nonexistent/s.yaml",
            "stack",
        ),
        (
            vec!["diff", "/nonexistent/a.yaml", "/nonexistent/b.yaml"],
            "/nonexistent/a.yaml",
            "manifest file",
        ),
        (
            vec!["diff", "/nonexistent/s.yaml", "--base", "HEAD"],
            "/nonexistent/s.yaml",
            "stack",
        ),
        (
            vec!["post-render", "--overlay", "/nonexistent/o.yaml"],
            "/nonexistent/o.yaml",
            "overlay",
        ),
        (
            vec!["images", chart, "--registry-config", "/nonexistent/r.yaml"],
            "/nonexistent/r.yaml",
            "--registry-config",
        ),
    ];
    for (args, path, kind) in cases {
        let mut args = args;
        if args[0] != "post-render" && args[0] != "diff" {
            args.extend(["--offline", "--cache-dir", cache]);
        }
        let (code, out, err) = run(dir.path(), &args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.starts_with("Error: "), "{args:?}: {err}");
        assert!(err.contains(path), "{args:?} does not name {path}: {err}");
        assert!(err.contains(kind), "{args:?} does not say {kind:?}: {err}");
    }
}

/// Every command given a flag it does not have, or lacking its argument:
/// status 2, clap's message, nothing on stdout.
#[test]
fn a_bad_flag_or_missing_argument_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let commands = [
        "template",
        "post-render",
        "fetch",
        "images",
        "check",
        "render",
        "snapshot",
        "verify",
        "diff",
    ];
    for command in commands {
        let (code, out, err) = run(dir.path(), &[command, "--no-such-flag"]);
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(out.is_empty(), "{command}: {out}");
        assert!(err.contains("--no-such-flag"), "{command}: {err}");
    }
    // Those whose input is an argument, without it (`images` reads stdin by
    // default, `post-render` always).
    for command in [
        "template", "fetch", "check", "render", "snapshot", "verify", "diff",
    ] {
        let (code, out, err) = run(dir.path(), &[command]);
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(out.is_empty(), "{command}: {out}");
    }
}

/// Each command's `--help`, and the words that must be in it: each kind of
/// input the command takes, and an example.
#[test]
fn help_names_every_kind_of_input() {
    let chart = &["folder", ".tgz", "oci://", "REPO/NAME", "--repo", "URL"];
    let anything = &[
        "manifest file",
        "`-`",
        "stdin",
        "chart",
        "Chart.yaml",
        ".tgz",
        "stack file",
        "folder of manifests",
        "./stacks/",
        "built-in",
    ];
    let stack = &["stack file", "folder of manifests", "./stacks/", "built-in"];
    let cases: [(&str, &[&str]); 9] = [
        ("template", chart),
        ("fetch", chart),
        ("images", anything),
        ("check", anything),
        ("render", stack),
        ("snapshot", stack),
        ("verify", stack),
        (
            "diff",
            &[
                "manifest files",
                "stdin",
                "--base",
                "stack file",
                "./stacks/",
            ],
        ),
        ("post-render", &["stdin", "built-in", "file path"]),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (command, words) in cases {
        let (code, help, err) = run(dir.path(), &[command, "--help"]);
        assert_eq!(code, Some(0), "{command}: {err}");
        let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for w in words.iter().chain(&["Example"]) {
            assert!(flat.contains(w), "`{command} --help` lacks {w:?}:\n{help}");
        }
    }
}

/// One name for the report format: `--format`, with `-o` and `--output`.
#[test]
fn one_report_format_flag() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.yaml");
    std::fs::write(
        &m,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    )
    .unwrap();
    let m = m.to_str().unwrap();
    for flag in ["--format", "-o", "--output"] {
        for args in [
            vec!["check", m, "--skip-image-check", flag, "json"],
            vec!["diff", m, m, flag, "json"],
        ] {
            let (code, out, err) = run(dir.path(), &args);
            assert_eq!(code, Some(0), "{args:?}: {err}");
            let v: serde_json::Value =
                serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"));
            assert!(v.is_object(), "{args:?}: {out}");
        }
    }
    // The shared cluster flags have the same short form in both commands.
    let (code, out, err) = run(
        dir.path(),
        &[
            "check",
            m,
            "--skip-image-check",
            "-a",
            "example.com/v1/Widget",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
}

/// Helm's naming flags for `template`, with Helm's meaning
/// (`Install.NameAndChart`, the name preset to `release-name`).
#[test]
fn helm_naming_flags_for_template() {
    let dir = tempfile::tempdir().unwrap();
    let chart = support::project().join("tests/charts/globals");
    let chart = chart.to_str().unwrap();
    let name_of = |args: &[&str]| {
        let mut all = vec!["template"];
        all.extend(args);
        let (code, out, err) = run(dir.path(), &all);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        out.lines()
            .find_map(|l| l.trim().strip_prefix("name: "))
            .unwrap_or_else(|| panic!("{args:?}: no name in {out}"))
            .to_string()
    };
    assert_eq!(name_of(&[chart]), "release-name-top");
    // `helm template --generate-name CHART` still says release-name.
    assert_eq!(name_of(&["--generate-name", chart]), "release-name-top");
    assert_eq!(name_of(&["-g", chart]), "release-name-top");
    assert_eq!(
        name_of(&["--name-template", "{{ \"web\" | upper | lower }}-1", chart]),
        "web-1-top"
    );
    assert_eq!(name_of(&["--dependency-update", "mine", chart]), "mine-top");
    for (flag, words) in [
        (
            "--generate-name",
            "cannot set --generate-name and also specify a name",
        ),
        (
            "--name-template=x",
            "cannot set --name-template and also specify a name",
        ),
    ] {
        let (code, out, err) = run(dir.path(), &["template", flag, "mine", chart]);
        assert_eq!(code, Some(2), "{flag}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(words), "{flag}: {err}");
    }
    // A name template that renders an invalid release name is refused as
    // Helm refuses it.
    let (code, _, err) = run(
        dir.path(),
        &["template", "--name-template", "{{ \"BAD_Name\" }}", chart],
    );
    assert_ne!(code, Some(0), "{err}");
    assert!(err.contains("BAD_Name"), "{err}");
    let (code, _, err) = run(
        dir.path(),
        &["template", "--name-template", "{{ nosuchfunc }}", chart],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--name-template"), "{err}");
}

/// An overlay name that is neither built in nor a file: the same message in
/// a stack as on the command line, listing the built-ins.
#[test]
fn unknown_overlay_says_the_same_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("raw")).unwrap();
    std::fs::write(
        dir.path().join("raw/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "name: s\noverlays: [nosuch]\nreleases:\n  - name: raw\n    manifests: [raw/]\n",
    )
    .unwrap();
    let want =
        "nosuch: no built-in overlay \"nosuch\" (built-ins: arm64, no-traefik, bitnami-legacy)";
    let (code, _, err) = run(dir.path(), &["render", "s.yaml", "--offline"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(want), "{err}");
    let (code, _, err) = run(dir.path(), &["post-render", "--overlay", "nosuch"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(want), "{err}");
}

/// Invalid YAML in the second document, line 10 of the input: every command
/// that reads manifests names the document by number and the line in the
/// whole input.
#[test]
fn yaml_errors_name_document_and_absolute_line() {
    let dir = tempfile::tempdir().unwrap();
    let good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
    let bad = format!("{good}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n");
    std::fs::create_dir(dir.path().join("raw")).unwrap();
    std::fs::write(dir.path().join("raw/bad.yaml"), &bad).unwrap();
    std::fs::write(dir.path().join("bad.yaml"), &bad).unwrap();
    std::fs::write(dir.path().join("good.yaml"), good).unwrap();
    for args in [
        vec!["diff", "good.yaml", "bad.yaml"],
        vec!["images", "bad.yaml", "--offline"],
        vec!["check", "bad.yaml", "--skip-image-check"],
        vec!["render", "raw", "--offline"],
    ] {
        let (code, out, err) = run(dir.path(), &args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.contains("document 2"), "{args:?}: {err}");
        assert!(
            err.contains("line 10") || err.contains(":10:"),
            "{args:?}: {err}"
        );
    }
    let o = chartfix()
        .args(["post-render", "--overlay", "arm64"])
        .stdin(std::fs::File::open(dir.path().join("bad.yaml")).unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("document 2, line 10"), "{err}");
}
