//! A cache chartfix did not make: links below the cache folder (to another
//! folder, to a device) and a cache folder that is a file are refused before
//! anything is read, written or removed, naming the path and the setting.

use crate::support::{self, run::Run};
use std::time::{Duration, Instant};

fn run(args: &[&str], cache: &std::path::Path) -> Run {
    let started = Instant::now();
    let out = support::chartfix_capped()
        .args(args)
        .arg("--cache-dir")
        .arg(cache)
        .output()
        .unwrap();
    Run::new(out, started)
}

#[test]
fn links_in_the_cache_are_refused_and_nothing_outside_is_touched() {
    let work = tempfile::tempdir().unwrap();
    let outside = work.path().join("outside");
    std::fs::create_dir_all(outside.join("x")).unwrap();
    std::fs::write(outside.join("x/keep.json"), "{}").unwrap();
    let cache = work.path().join("cache");
    std::fs::create_dir_all(cache.join("charts")).unwrap();
    std::os::unix::fs::symlink(&outside, cache.join("charts/refs")).unwrap();
    let chart = work.path().join("app-1.0.0.tgz");
    std::fs::write(&chart, support::chart_repo::chart_tgz("app", "1.0.0")).unwrap();
    let chart = chart.display().to_string();
    for args in [
        &["cache", "prune"][..],
        &["cache", "list"],
        &["fetch", &chart, "--as", "oci://example.com/app"],
    ] {
        run(args, &cache).assert_refused(
            &args.join(" "),
            1,
            &["charts/refs", "symbolic link", "remove it", "--cache-dir"],
            Duration::from_secs(5),
        );
    }
    assert!(outside.join("x/keep.json").exists());
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);

    // A record that is a link to a device.
    std::fs::remove_file(cache.join("charts/refs")).unwrap();
    std::fs::create_dir_all(cache.join("charts/refs/app")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", cache.join("charts/refs/app/1.0.0.json")).unwrap();
    run(&["cache", "list"], &cache).assert_refused(
        "device record",
        1,
        &["1.0.0.json", "symbolic link"],
        Duration::from_secs(5),
    );
}

#[test]
fn a_cache_folder_that_is_a_file_is_named_as_local() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    std::fs::write(&cache, "not a folder").unwrap();
    let chart = work.path().join("app-1.0.0.tgz");
    std::fs::write(&chart, support::chart_repo::chart_tgz("app", "1.0.0")).unwrap();
    let r = run(
        &[
            "fetch",
            "app",
            "--repo",
            "http://127.0.0.1:9",
            "--version",
            "1.0.0",
        ],
        &cache,
    );
    r.assert_refused(
        "cache is a file",
        1,
        &["cache folder", "is not a folder", "--cache-dir"],
        Duration::from_secs(5),
    );
    assert!(!r.stderr.contains("index.yaml"), "{}", r.stderr);
}
