//! Devices and links to them given where chartfix reads a file: each is
//! refused before it is read, naming the path, under the red team's 4 GiB
//! address-space cap; a user's link to a regular file and `-` (stdin) still
//! work.

use crate::support::{self, run::Run};
use std::path::Path;
use std::time::{Duration, Instant};

/// A chart folder `c` in `dir`, and `zero.yaml`, a link to `/dev/zero`.
fn workspace(dir: &Path) {
    std::fs::create_dir_all(dir.join("c/templates")).unwrap();
    std::fs::write(
        dir.join("c/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("c/templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name | default \"x\" }}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yaml")).unwrap();
}

fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let started = Instant::now();
    let mut cmd = support::chartfix_capped();
    cmd.current_dir(dir).args(args);
    // `diff` without `--base` takes no cache flag.
    if args[0] != "diff" {
        cmd.arg("--cache-dir").arg(dir.join("cache"));
    }
    Run::new(support::output_with_input(&mut cmd, stdin), started)
}

#[test]
fn devices_are_refused_wherever_a_file_is_read() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    workspace(dir);
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "values file",
            &["template", "r", "c", "-f", "zero.yaml"],
            "zero.yaml",
        ),
        (
            "--set-file",
            &["template", "r", "c", "--set-file", "a=zero.yaml"],
            "zero.yaml",
        ),
        (
            "chart archive",
            &["template", "r", "zero.yaml"],
            "zero.yaml",
        ),
        (
            "overlay",
            &["template", "r", "c", "--overlay", "zero.yaml"],
            "zero.yaml",
        ),
        ("diff", &["diff", "zero.yaml", "zero.yaml"], "zero.yaml"),
        (
            "registries.yaml",
            &[
                "fetch",
                "oci://127.0.0.1:9/x",
                "--version",
                "1.0.0",
                "--registry-config",
                "zero.yaml",
            ],
            "zero.yaml",
        ),
    ];
    for (case, args, path) in cases {
        run(dir, args, None).assert_refused(
            case,
            1,
            &[path, "is a device, not a regular file"],
            Duration::from_secs(5),
        );
    }
}

#[test]
fn devices_inside_a_chart_folder_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    workspace(dir);
    std::os::unix::fs::symlink("/dev/zero", dir.join("c/.helmignore")).unwrap();
    run(dir, &["template", "r", "c"], None).assert_refused(
        ".helmignore",
        1,
        &[".helmignore", "is a device"],
        Duration::from_secs(5),
    );
    std::fs::remove_file(dir.join("c/.helmignore")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("c/templates/z.yaml")).unwrap();
    run(dir, &["template", "r", "c"], None).assert_refused(
        "template",
        1,
        &["templates/z.yaml", "irregular file"],
        Duration::from_secs(5),
    );
}

#[test]
fn links_to_files_and_stdin_are_read() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    workspace(dir);
    std::fs::write(dir.join("real.yaml"), "name: from-link\n").unwrap();
    std::os::unix::fs::symlink(dir.join("real.yaml"), dir.join("mine.yaml")).unwrap();
    let r = run(dir, &["template", "r", "c", "-f", "mine.yaml"], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(String::from_utf8_lossy(&r.stdout).contains("name: from-link"));
    let r = run(
        dir,
        &["template", "r", "c", "-f", "-"],
        Some(b"name: from-stdin\n"),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(String::from_utf8_lossy(&r.stdout).contains("name: from-stdin"));
}

/// A stack whose name holds `../` or is absolute: `snapshot --dir` and
/// `verify` refuse it, naming the name and the folder, and write nothing
/// outside (nor inside) the folder.
#[test]
fn snapshot_names_that_leave_the_folder_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(
        dir.join("m/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    )
    .unwrap();
    let escape = dir.join("escape");
    for name in ["../escape", "sub/../../escape", escape.to_str().unwrap()] {
        std::fs::write(
            dir.join("s.yaml"),
            format!("name: {name:?}\nreleases:\n  - name: m\n    manifests: [m/]\n"),
        )
        .unwrap();
        for cmd in ["snapshot", "verify"] {
            let r = run(dir, &[cmd, "s.yaml", "--offline", "--dir", "snaps"], None);
            r.assert_refused(
                &format!("{cmd} {name}"),
                1,
                &[&format!("{name:?}"), "snaps", "outside that folder"],
                Duration::from_secs(30),
            );
        }
        assert!(!escape.with_extension("yaml").exists());
        assert!(!dir.join("snaps").exists());
    }
    // A plain name still works.
    std::fs::write(
        dir.join("s.yaml"),
        "name: fine\nreleases:\n  - name: m\n    manifests: [m/]\n",
    )
    .unwrap();
    let r = run(
        dir,
        &["snapshot", "s.yaml", "--offline", "--dir", "snaps"],
        None,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(dir.join("snaps/fine.yaml").is_file());
}

/// An `oci://` reference whose host cannot be connected to (a port that is
/// not a number from 1 to 65535, a broken IPv6 literal) is misuse, said at
/// once with status 2, not a network error retried.
#[test]
fn oci_hosts_that_cannot_be_connected_to_are_usage_errors() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    for (reference, why) in [
        (
            "oci://127.0.0.1:badport/charts/c",
            "invalid port \"badport\"",
        ),
        ("oci://127.0.0.1:70000/charts/c", "invalid port \"70000\""),
        ("oci://[::1/charts/c", "unclosed '['"),
        ("oci://[::zz]:5000/charts/c", "is not an IPv6 address"),
        ("oci://::1:5000/charts/c", "in brackets"),
    ] {
        for cmd in ["template", "fetch"] {
            let r = run(dir, &[cmd, reference, "--version", "1.0.0"], None);
            r.assert_refused(
                &format!("{cmd} {reference}"),
                2,
                &[&format!("invalid OCI chart reference {reference}"), why],
                Duration::from_secs(5),
            );
            assert!(!r.stderr.contains("retry"), "{}", r.stderr);
        }
    }
}

/// A stack file that is not one: the error names the file, line and column
/// and quotes none of its text (a value met where another kind was wanted
/// may be a secret; a file of prose is one long scalar).
#[test]
fn stack_file_errors_do_not_echo_the_file() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    for (text, place) in [
        (
            "root:x:0:0:root:/root:/bin/bash\nS3CRET-PASSWORD:x:1:1\n",
            "s.yaml:1:1: invalid type: string, expected struct StackFile",
        ),
        (
            "name: x\nreleases: S3CRET-PASSWORD\n",
            "s.yaml:2:11: releases: invalid type: string, expected a sequence",
        ),
        (
            "name: x\nreleases:\n  - name: 12345678\n    version: S3CRET-PASSWORD\n    chart: [S3CRET-PASSWORD]\n",
            "s.yaml:5:12: releases[0].chart: invalid type: sequence, expected a string",
        ),
    ] {
        std::fs::write(dir.join("s.yaml"), text).unwrap();
        let r = run(dir, &["render", "s.yaml", "--offline"], None);
        r.assert_refused(text, 1, &[place], Duration::from_secs(10));
        assert!(!r.stderr.contains("S3CRET"), "{}", r.stderr);
        assert!(!r.stderr.contains("root:x"), "{}", r.stderr);
    }
}
