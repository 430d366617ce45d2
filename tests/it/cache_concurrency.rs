//! Two `chartfix fetch` and two `chartfix render` processes on one cache at
//! once, round after round, from the HTTP chart repository and the OCI test
//! registry (when `docker-registry` is installed): both succeed with the same
//! output, and the cache is consistent afterwards: every archive's name is its
//! digest, every record parses and points at an archive that is there, every
//! image-check entry parses, and no temporary file is left.

use crate::support::chart_repo::{chart_tgz, index_yaml, ChartRepo, Reply};
use crate::support::{chartfix, sha256_hex, Registry};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const ROUNDS: usize = 4;

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Checks the whole cache; returns how many archives and records it holds.
fn check_cache(cache: &Path) -> (usize, usize) {
    let (mut blobs, mut records) = (0, 0);
    for p in files(cache) {
        let rel = p
            .strip_prefix(cache)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&p).unwrap();
        if let Some(name) = rel.strip_prefix("charts/blobs/sha256/") {
            let hex = name
                .strip_suffix(".tgz")
                .unwrap_or_else(|| panic!("odd blob {rel}"));
            assert_eq!(sha256_hex(&bytes), hex, "{rel} does not match its name");
            blobs += 1;
        } else if rel.starts_with("charts/refs/") && rel.ends_with(".json") {
            let v: serde_json::Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
            let digest = v["digest"]
                .as_str()
                .unwrap_or_else(|| panic!("{rel}: no digest"));
            let hex = digest.strip_prefix("sha256:").unwrap();
            let blob = cache.join(format!("charts/blobs/sha256/{hex}.tgz"));
            assert!(blob.is_file(), "{rel} points at a missing archive");
            assert!(
                v["reference"].is_string() && v["version"].is_string(),
                "{rel}: {v}"
            );
            records += 1;
        } else if rel.starts_with("images/") && rel.ends_with(".json") {
            let name = p.file_name().unwrap().to_string_lossy();
            assert!(!name.starts_with('.'), "temporary file left: {rel}");
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
        } else {
            panic!("unexpected file in the cache: {rel}");
        }
    }
    (blobs, records)
}

/// Starts two identical commands at once and waits for both.
fn pair(make: impl Fn() -> Command) -> [Output; 2] {
    let spawn = || -> Child {
        make()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run chartfix")
    };
    let (a, b) = (spawn(), spawn());
    [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()]
}

fn both_succeed_alike(what: &str, outs: &[Output; 2]) -> String {
    for o in outs {
        assert!(
            o.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // `fetch` says whether it downloaded (`cached: fetched`) or found the
    // chart already there (`cached: yes`): either may win the race.
    let text = |o: &Output| -> String {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.starts_with("cached: "))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    let (a, b) = (text(&outs[0]), text(&outs[1]));
    assert_eq!(a, b, "{what}: outputs differ");
    a
}

/// A repository serving app 1.0.0 and 1.1.0.
fn repo() -> ChartRepo {
    let repo = ChartRepo::start();
    let mut entries = Vec::new();
    for v in ["1.0.0", "1.1.0"] {
        let bytes = chart_tgz("app", v);
        repo.put(&format!("/charts/app-{v}.tgz"), Reply::ok(bytes.clone()));
        entries.push((v, format!("charts/app-{v}.tgz"), sha256_hex(&bytes)));
    }
    let refs: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|(v, u, d)| (*v, u.as_str(), d.as_str()))
        .collect();
    repo.put("/index.yaml", Reply::ok(index_yaml("app", &refs)));
    repo
}

fn command(cache: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut c = chartfix();
    c.current_dir(dir)
        .env("CHARTFIX_CACHE", cache)
        .env("HELM_REPOSITORY_CONFIG", dir.join("no-repositories.yaml"))
        .args(args);
    c
}

#[test]
fn concurrent_fetches_from_an_http_repository() {
    let repo = repo();
    let work = tempfile::tempdir().unwrap();
    for round in 0..ROUNDS {
        // A fresh cache each round but the last, which races on a warm one.
        let cache = work.path().join(format!("cache-{}", round.min(ROUNDS - 2)));
        for version in ["1.0.0", "~1.1"] {
            let outs = pair(|| {
                command(
                    &cache,
                    work.path(),
                    &[
                        "fetch",
                        "app",
                        "--repo",
                        &repo.url(),
                        "--version",
                        version,
                        "-q",
                    ],
                )
            });
            let out = both_succeed_alike("fetch", &outs);
            assert!(out.contains("digest: sha256:"), "{out}");
        }
        assert_eq!(check_cache(&cache), (2, 2), "round {round}");
    }
}

#[test]
fn concurrent_fetches_from_an_oci_registry() {
    let Some(reg) = Registry::start() else {
        crate::support::skip("docker-registry is not installed (apt-get install docker-registry)");
        return;
    };
    let archive = chart_tgz("app", "2.0.0");
    let meta = serde_json::json!({"apiVersion": "v2", "name": "app", "version": "2.0.0"});
    reg.push_chart("charts/app", "2.0.0", &meta, &archive);
    let reference = format!("oci://{}/charts/app", reg.host());
    let work = tempfile::tempdir().unwrap();
    for round in 0..ROUNDS {
        let cache = work.path().join(format!("cache-{}", round.min(ROUNDS - 2)));
        let outs = pair(|| {
            command(
                &cache,
                work.path(),
                &[
                    "fetch",
                    &reference,
                    "--version",
                    "2.0.0",
                    "--plain-http",
                    "-q",
                ],
            )
        });
        let out = both_succeed_alike("oci fetch", &outs);
        assert!(out.contains(&sha256_hex(&archive)), "{out}");
        assert_eq!(check_cache(&cache), (1, 1), "round {round}");
    }
}

#[test]
fn concurrent_renders_of_a_stack() {
    let repo = repo();
    let work = tempfile::tempdir().unwrap();
    // Two releases of the repository's chart, one with a constraint.
    let stack = format!(
        "name: s\nnamespace: default\nreleases:\n  - name: one\n    chart: app\n    repo: {url}\n    version: 1.0.0\n  - name: two\n    chart: app\n    repo: {url}\n    version: ~1.1\n",
        url = repo.url()
    );
    std::fs::write(work.path().join("s.yaml"), stack).unwrap();
    let mut first: Option<String> = None;
    for round in 0..ROUNDS {
        let cache = work.path().join(format!("cache-{}", round.min(ROUNDS - 2)));
        // Each round starts without a lock, so both processes write one.
        let _ = std::fs::remove_file(work.path().join("s.lock"));
        let outs = pair(|| {
            command(
                &cache,
                work.path(),
                &["render", "s.yaml", "--skip-image-check"],
            )
        });
        let out = both_succeed_alike("render", &outs);
        assert!(
            out.contains("name: one") && out.contains("name: two"),
            "{out}"
        );
        match &first {
            None => first = Some(out),
            Some(f) => assert_eq!(f, &out, "round {round} rendered differently"),
        }
        assert_eq!(check_cache(&cache), (2, 2), "round {round}");
        // The lock is whole, and nothing else is left beside the stack.
        let lock = std::fs::read_to_string(work.path().join("s.lock")).unwrap();
        assert!(
            lock.contains("version: 1.0.0") && lock.contains("version: 1.1.0"),
            "{lock}"
        );
        let beside: Vec<_> = std::fs::read_dir(work.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with("cache-"))
            .collect();
        assert_eq!(beside.len(), 2, "{beside:?}");
        // Rendering again against the lock, from the warm cache, agrees.
        let outs = pair(|| {
            command(
                &cache,
                work.path(),
                &[
                    "render",
                    "s.yaml",
                    "--skip-image-check",
                    "--locked",
                    "--offline",
                ],
            )
        });
        assert_eq!(
            both_succeed_alike("locked render", &outs),
            *first.as_ref().unwrap()
        );
    }
}
