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
