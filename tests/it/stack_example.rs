//! The offline example stack (examples/tiny: a chart written for it and raw
//! manifests with a Traefik route): render, lock, snapshot/verify, --explain,
//! --diff and stack-file errors, all without a network.

use crate::support::{self, chartfix, text};
use std::path::{Path, PathBuf};
use std::process::Output;

/// examples/tiny copied into a temporary folder (the lock and snapshots are
/// written there, not in the project).
fn example() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy(
        &support::project().join("examples/tiny"),
        &dir.path().join("tiny"),
    );
    let stack = dir.path().join("tiny/stack.yaml");
    let _ = std::fs::remove_file(dir.path().join("tiny/stack.lock"));
    (dir, stack)
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    chartfix()
        .current_dir(dir)
        .args(args)
        .args(["--cache-dir", dir.join("cache").to_str().unwrap()])
        .output()
        .expect("run chartfix")
}

#[test]
fn example_renders_offline_with_overlays_and_a_lock() {
    let (dir, stack) = example();
    let s = stack.to_str().unwrap();
    let o = run(
        dir.path(),
        &["render", s, "--offline", "--explain", "--diff"],
    );
    let out = text(&o.stdout);
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!out.contains("IngressRouteTCP"));
    assert!(out.contains("nodePort: 30080") && out.contains("cpu: 50m"));
    assert!(err.contains("stack tiny: 2 releases, 3 resources"), "{err}");
    assert!(
        err.contains("Overlays: arm64 2 changes, no-traefik 3 changes"),
        "{err}"
    );
    assert!(
        err.contains("cap-requests") && err.contains("500m"),
        "explain table: {err}"
    );
    let diff_line = |sign: char, want: &str| {
        err.lines()
            .any(|l| l.starts_with(sign) && l.trim_start_matches(sign).trim() == want)
    };
    assert!(
        diff_line('-', "cpu: 500m") && diff_line('+', "cpu: 50m"),
        "diff: {err}"
    );
    let lock = std::fs::read_to_string(dir.path().join("tiny/stack.lock")).unwrap();
    assert!(
        lock.contains("chart: ./charts/web") && lock.contains("version: 0.1.0"),
        "{lock}"
    );
    support::snapshot("example_tiny_render", &out);

    // Same stack, --locked: fine. A lock that says otherwise: refused, nothing on stdout.
    let again = run(dir.path(), &["render", s, "--offline", "--locked"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(text(&again.stdout), out, "the same bytes");
    std::fs::write(
        dir.path().join("tiny/stack.lock"),
        lock.replace("version: 0.1.0", "version: 0.0.9"),
    )
    .unwrap();
    let refused = run(dir.path(), &["render", s, "--offline", "--locked"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    let e = text(&refused.stderr);
    assert!(
        e.contains("--locked: resolution differs") && e.contains("locked ./charts/web 0.0.9"),
        "{e}"
    );
}

#[test]
fn snapshot_then_verify_catches_a_change() {
    let (dir, stack) = example();
    let s = stack.to_str().unwrap();
    let o = run(dir.path(), &["snapshot", s, "--offline"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(dir.path().join("snapshots/tiny.yaml").is_file());
    let ok = run(dir.path(), &["verify", s, "--offline"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));

    let values = dir.path().join("tiny/web-values.yaml");
    let v = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, v.replace("nginx:1.27", "nginx:1.28")).unwrap();
    let bad = run(dir.path(), &["verify", s, "--offline"]);
    assert_eq!(bad.status.code(), Some(1));
    let diff = text(&bad.stdout);
    assert!(
        diff.contains("-        image: docker.io/library/nginx:1.27"),
        "{diff}"
    );
    assert!(
        diff.contains("+        image: docker.io/library/nginx:1.28"),
        "{diff}"
    );
    assert!(text(&bad.stderr).contains("chartfix snapshot"));
}

#[test]
fn stack_file_errors_say_where() {
    let (dir, stack) = example();
    let t = std::fs::read_to_string(&stack).unwrap();
    std::fs::write(&stack, t.replace("    valuesFiles:", "    valueFiles:")).unwrap();
    let o = run(
        dir.path(),
        &["render", stack.to_str().unwrap(), "--offline"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let e = text(&o.stderr);
    assert!(
        e.contains("stack.yaml:21:5: releases[1]: unknown field `valueFiles`, expected one of"),
        "{e}"
    );

    let o = run(dir.path(), &["render", "no-such-stack", "--offline"]);
    assert!(
        text(&o.stderr).contains("built-in stacks: beta9"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn builtin_beta9_needs_its_charts_cached_when_offline() {
    // An empty cache, offline: the error names the chart and what to do.
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["render", "beta9", "--offline"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let e = text(&o.stderr);
    assert!(
        e.contains("release redis")
            && e.contains("--offline")
            && e.contains("redis version 18.6.1"),
        "{e}"
    );
}

#[test]
fn output_dir_writes_one_file_per_release() {
    let (dir, stack) = example();
    let out = dir.path().join("out");
    let o = run(
        dir.path(),
        &[
            "render",
            stack.to_str().unwrap(),
            "--offline",
            "--output-dir",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty(), "manifests go to the folder");
    let site = std::fs::read_to_string(out.join("site.yaml")).unwrap();
    let web = std::fs::read_to_string(out.join("web.yaml")).unwrap();
    assert!(
        site.starts_with("---\n# Source: site/manifests/namespace.yaml\n"),
        "{site}"
    );
    assert!(
        web.starts_with("---\n# Source: web/web/templates/service.yaml\n"),
        "{web}"
    );
    assert!(web.contains("kind: Deployment") && !site.contains("kind: Deployment"));
    let whole = run(
        dir.path(),
        &["render", stack.to_str().unwrap(), "--offline"],
    );
    assert_eq!(
        text(&whole.stdout),
        format!("{site}{web}"),
        "the files are the stream, split"
    );
}

/// A HelmChart carrying its chart inline (`spec.chartContent`) renders
/// offline, with `spec.set` over `spec.valuesContent` and `targetNamespace`.
#[test]
fn helmchart_with_chart_content_expands_in_place() {
    use base64::Engine as _;
    let chart = support::project().join("examples/tiny/charts/web");
    let mut tgz = Vec::new();
    {
        let gz = flate2::write::GzEncoder::new(&mut tgz, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        tar.append_dir_all("web", &chart).unwrap();
        tar.into_inner().unwrap().finish().unwrap();
    }
    let content = base64::engine::general_purpose::STANDARD.encode(&tgz);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("k3s");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("apps.yaml"),
        format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: front\n  namespace: kube-system\nspec:\n  targetNamespace: shop\n  chartContent: {content}\n  valuesContent: |-\n    replicas: 3\n    cpu: 10m\n  set:\n    replicas: 4\n"
        ),
    )
    .unwrap();
    let o = run(
        dir.path(),
        &["render", folder.to_str().unwrap(), "--offline"],
    );
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!out.contains("HelmChart"));
    assert!(
        out.starts_with("---\n# Source: k3s/apps.yaml\napiVersion: v1\nkind: Namespace"),
        "{out}"
    );
    assert!(
        out.contains("# Source: front/web/templates/deployment.yaml\n"),
        "{out}"
    );
    assert!(out.contains("  name: front\n  namespace: shop\n"), "{out}");
    assert!(
        out.contains("replicas: 4") && out.contains("cpu: 10m"),
        "{out}"
    );
    // A folder has no stack file: no lock is written beside it unless asked,
    // and --locked says what to give.
    assert!(!dir.path().join("k3s.lock").exists());
    assert!(!text(&o.stderr).contains("wrote "), "{}", text(&o.stderr));
    let locked = run(
        dir.path(),
        &["render", folder.to_str().unwrap(), "--offline", "--locked"],
    );
    assert_eq!(locked.status.code(), Some(1));
    assert!(
        text(&locked.stderr).contains("--lock FILE"),
        "{}",
        text(&locked.stderr)
    );
    let lock_file = dir.path().join("chosen.lock");
    let o = run(
        dir.path(),
        &[
            "render",
            folder.to_str().unwrap(),
            "--offline",
            "--lock",
            lock_file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(&format!("wrote {}", lock_file.display())),
        "{}",
        text(&o.stderr)
    );
    let lock = std::fs::read_to_string(&lock_file).unwrap();
    assert!(
        lock.contains("release: front") && lock.contains("digest: sha256:"),
        "{lock}"
    );
    assert!(!dir.path().join("k3s.lock").exists());
    let locked = run(
        dir.path(),
        &[
            "render",
            folder.to_str().unwrap(),
            "--offline",
            "--locked",
            "--lock",
            lock_file.to_str().unwrap(),
        ],
    );
    assert!(locked.status.success(), "{}", text(&locked.stderr));
}

/// `run` with stdout closed before chartfix writes, as `| head -1` leaves it.
fn run_closed_stdout(dir: &Path, args: &[&str]) -> Output {
    support::output_closed_stdout(
        chartfix()
            .current_dir(dir)
            .args(args)
            .args(["--cache-dir", dir.join("cache").to_str().unwrap()]),
    )
}

/// A reader that closes stdout early (`chartfix render … | head -1`) is not an
/// error: no message, no panic, status 0 as ripgrep's; stderr still gets the
/// summary. `verify`'s mismatch, found before printing, still gives 1.
#[test]
fn a_closed_stdout_ends_quietly_with_the_commands_own_status() {
    let (dir, stack) = example();
    let s = stack.to_str().unwrap();
    let o = run_closed_stdout(dir.path(), &["render", s, "--offline"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("Error") && !err.contains("panicked"), "{err}");
    assert!(err.contains("stack tiny:"), "{err}");

    assert!(run(dir.path(), &["snapshot", s, "--offline"])
        .status
        .success());
    let values = dir.path().join("tiny/web-values.yaml");
    let v = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, v.replace("nginx:1.27", "nginx:1.28")).unwrap();
    let o = run_closed_stdout(dir.path(), &["verify", s, "--offline"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("Error: the stack renders differently"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// Misuse is status 2 with `Error:` or clap's message on stderr and nothing
/// on stdout, for the stack commands as for every other.
#[test]
fn usage_errors_give_two() {
    let (dir, stack) = example();
    let s = stack.to_str().unwrap();
    for args in [
        vec!["render", s, "--timeout", "0"],
        vec!["render", s, "--max-output", "1MB"],
        vec!["render", s, "--no-such-flag"],
        vec!["snapshot", s, "--timeout", "soon"],
        vec!["verify"],
        vec!["fetch", "x", "--timeout", "3601"],
        vec!["template", "a", "b", "c"],
    ] {
        let o = run(dir.path(), &args);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
        assert!(
            err.starts_with("Error: ") || err.starts_with("error: "),
            "{args:?}: {err}"
        );
    }
}

/// Releases render side by side; what comes out is what one thread gives,
/// and of two failing releases the first in the stack is the one named.
#[test]
fn releases_on_threads_give_what_one_thread_gives() {
    let (dir, stack) = example();
    let original = std::fs::read_to_string(&stack).unwrap();
    let more = "  - name: web2\n    chart: ./charts/web\n  - name: web3\n    chart: ./charts/web\n    values:\n      replicas: 3\n";
    std::fs::write(&stack, format!("{original}{more}")).unwrap();
    let s = stack.to_str().unwrap();
    let lock = stack.with_extension("lock");
    let mut seen: Option<(Output, String)> = None;
    for threads in ["1", "2", "3"] {
        let _ = std::fs::remove_file(&lock);
        let mut cmd = chartfix();
        cmd.current_dir(dir.path())
            .env("CHARTFIX_THREADS", threads)
            .args(["render", s, "--offline", "--explain"]);
        let o = cmd.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let written = std::fs::read_to_string(&lock).unwrap();
        if let Some((first, first_lock)) = &seen {
            assert!(
                o.stdout == first.stdout,
                "{threads} threads: another stream"
            );
            assert_eq!(text(&o.stderr), text(&first.stderr), "{threads} threads");
            assert_eq!(&written, first_lock, "{threads} threads: another lock");
        } else {
            assert!(text(&o.stdout).contains("# Source: web3/"));
            seen = Some((o, written));
        }
    }

    let bad = "  - name: gone-a\n    chart: ./charts/gone-a\n  - name: gone-b\n    chart: ./charts/gone-b\n";
    std::fs::write(&stack, format!("{original}{bad}")).unwrap();
    for threads in ["1", "2"] {
        let o = chartfix()
            .current_dir(dir.path())
            .env("CHARTFIX_THREADS", threads)
            .args(["render", s, "--offline"])
            .output()
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            o.stdout.is_empty(),
            "{threads} threads: output after a failure"
        );
        assert!(
            err.contains("gone-a") && !err.contains("gone-b"),
            "{threads} threads: {err}"
        );
    }
}
