//! `chartfix fetch` as the chart-source tests (`source_repo`, `source_oci`)
//! run it: into a cache folder of the test's own, without the developer's
//! Helm repositories, and what its report says.

use super::{chartfix, stderr, stdout};
use std::path::Path;
use std::process::Output;

/// `chartfix fetch ARGS --cache-dir CACHE`, with no Helm repositories file.
pub fn fetch(cache: &Path, args: &[&str]) -> Output {
    chartfix()
        .arg("fetch")
        .args(args)
        .arg("--cache-dir")
        .arg(cache)
        .env("HELM_REPOSITORY_CONFIG", cache.join("no-repositories.yaml"))
        .output()
        .expect("run chartfix")
}

/// The value of the report line `KEY: value`.
pub fn field(o: &Output, key: &str) -> String {
    stdout(o)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")).map(str::to_string))
        .unwrap_or_else(|| panic!("no {key} in {:?} / {:?}", stdout(o), stderr(o)))
}

/// No archive landed in the cache.
pub fn no_blobs(cache: &Path) -> bool {
    let dir = cache.join("charts/blobs/sha256");
    !dir.exists() || std::fs::read_dir(dir).unwrap().count() == 0
}
