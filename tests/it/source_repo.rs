//! `chartfix fetch` against HTTP chart repositories served by the test on
//! 127.0.0.1: index resolution, digests, broken downloads, retries, Helm's
//! repositories.yaml with credentials, the cache and `--offline`.

use crate::support::chart_repo::{chart_tgz, index_yaml, ChartRepo, Reply};
use crate::support::fetch::{fetch, field, no_blobs};
use crate::support::{chartfix, sha256_hex, stderr, stdout};

/// A repository with app 1.0.0, 1.2.0, 1.2.7 and 2.0.0 (relative and absolute URLs).
fn repo_with_versions() -> (ChartRepo, Vec<(String, Vec<u8>)>) {
    let repo = ChartRepo::start();
    let mut charts = Vec::new();
    let mut entries = Vec::new();
    for v in ["1.0.0", "1.2.0", "1.2.7", "2.0.0"] {
        let bytes = chart_tgz("app", v);
        repo.put(&format!("/charts/app-{v}.tgz"), Reply::ok(bytes.clone()));
        charts.push((v.to_string(), bytes));
    }
    for (v, bytes) in &charts {
        let url = if v == "2.0.0" {
            format!("{}/charts/app-{v}.tgz", repo.url())
        } else {
            format!("charts/app-{v}.tgz")
        };
        entries.push((v.clone(), url, sha256_hex(bytes)));
    }
    let refs: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    repo.put("/index.yaml", Reply::ok(index_yaml("app", &refs)));
    (repo, charts)
}

#[test]
fn constraints_resolve_against_the_index_and_the_cache_answers_offline() {
    let (repo, charts) = repo_with_versions();
    let cache = tempfile::tempdir().unwrap();
    for (constraint, want) in [
        ("~1.2", "1.2.7"),
        ("^1", "1.2.7"),
        ("1.x", "1.2.7"),
        (">=1.0 <1.2", "1.0.0"),
        ("2.0.0", "2.0.0"),
    ] {
        let o = fetch(
            cache.path(),
            &["app", "--repo", &repo.url(), "--version", constraint],
        );
        assert!(o.status.success(), "{constraint}: {}", stderr(&o));
        assert_eq!(field(&o, "version"), want, "{constraint}");
        let bytes = &charts.iter().find(|(v, _)| v == want).unwrap().1;
        let path = field(&o, "path");
        assert_eq!(&std::fs::read(&path).unwrap(), bytes);
        assert_eq!(field(&o, "digest"), format!("sha256:{}", sha256_hex(bytes)));
    }
    // No version: the newest release.
    let o = fetch(cache.path(), &["app", "--repo", &repo.url()]);
    assert_eq!(field(&o, "version"), "2.0.0");

    // Offline: the cache alone answers, constraints included.
    drop(repo);
    let o = fetch(
        cache.path(),
        &[
            "app",
            "--repo",
            "http://127.0.0.1:9",
            "--offline",
            "--version",
            "~1.2",
        ],
    );
    // The identity includes the repository URL, so another URL is a miss…
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not in the cache"), "{}", stderr(&o));
}

#[test]
fn offline_finds_by_the_public_url_and_names_what_is_missing() {
    let (repo, _) = repo_with_versions();
    let cache = tempfile::tempdir().unwrap();
    let url = repo.url();
    let o = fetch(cache.path(), &["app", "--repo", &url, "--version", "1.2.0"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let requests = repo.requests();
    drop(repo);
    for v in ["1.2.0", "~1.2"] {
        let o = fetch(
            cache.path(),
            &["app", "--repo", &url, "--version", v, "--offline"],
        );
        assert!(o.status.success(), "{v}: {}", stderr(&o));
        assert_eq!(field(&o, "version"), "1.2.0");
        assert_eq!(field(&o, "cached"), "yes");
    }
    assert!(requests >= 2);
    // Online but unreachable: a constraint the cache satisfies is answered
    // from it, with a warning naming the failure.
    let o = fetch(cache.path(), &["app", "--repo", &url, "--version", "~1.2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "version"), "1.2.0");
    let w = stderr(&o);
    assert!(
        w.contains("Warning:") && w.contains("/index.yaml") && w.contains("from the cache"),
        "{w}"
    );
    // …but not one it cannot.
    let o = fetch(
        cache.path(),
        &["app", "--repo", &url, "--version", "^2", "-q"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("network error"), "{}", stderr(&o));
    let o = fetch(
        cache.path(),
        &["app", "--repo", &url, "--version", "9.9.9", "--offline"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("--offline") && e.contains("9.9.9") && e.contains("holds 1.2.0"),
        "{e}"
    );
}

#[test]
fn missing_version_lists_the_nearest() {
    let (repo, _) = repo_with_versions();
    let cache = tempfile::tempdir().unwrap();
    let o = fetch(
        cache.path(),
        &["app", "--repo", &repo.url(), "--version", "1.2.5"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("nearest versions: 2.0.0, 1.2.7, 1.2.0, 1.0.0"),
        "{e}"
    );
    let o = fetch(cache.path(), &["nope", "--repo", &repo.url()]);
    assert!(stderr(&o).contains("no chart \"nope\""), "{}", stderr(&o));
    assert!(no_blobs(cache.path()));
}

#[test]
fn digest_mismatch_is_refused_and_nothing_cached() {
    let repo = ChartRepo::start();
    let bytes = chart_tgz("app", "1.0.0");
    repo.put("/app-1.0.0.tgz", Reply::ok(bytes));
    let wrong = sha256_hex(b"something else");
    repo.put(
        "/index.yaml",
        Reply::ok(index_yaml("app", &[("1.0.0", "app-1.0.0.tgz", &wrong)])),
    );
    let cache = tempfile::tempdir().unwrap();
    let o = fetch(
        cache.path(),
        &["app", "--repo", &repo.url(), "--version", "1.0.0"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("digest mismatch") && e.contains(&wrong), "{e}");
    assert!(e.contains("/app-1.0.0.tgz"), "names the URL: {e}");
    assert!(no_blobs(cache.path()));
    assert!(!cache.path().join("charts/refs").exists());
}

#[test]
fn truncated_download_is_retried_then_reported() {
    let repo = ChartRepo::start();
    let bytes = chart_tgz("app", "1.0.0");
    let mut cut = Reply::ok(bytes.clone());
    cut.truncate_to = Some(bytes.len() / 2);
    repo.put("/app-1.0.0.tgz", cut);
    repo.put(
        "/index.yaml",
        Reply::ok(index_yaml(
            "app",
            &[("1.0.0", "app-1.0.0.tgz", &sha256_hex(&bytes))],
        )),
    );
    let cache = tempfile::tempdir().unwrap();
    let o = fetch(cache.path(), &["app", "--repo", &repo.url()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("app-1.0.0.tgz"), "{e}");
    assert!(e.contains("after 3 tries"), "{e}");
    let gets = repo.log().iter().filter(|l| l.ends_with(".tgz")).count();
    assert_eq!(gets, 3, "{:?}", repo.log());
    assert!(no_blobs(cache.path()));

    // Once the server sends it whole, the fetch works.
    repo.put("/app-1.0.0.tgz", Reply::ok(bytes));
    let o = fetch(cache.path(), &["app", "--repo", &repo.url()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn retry_after_is_honoured() {
    let (repo, _) = repo_with_versions();
    repo.fail_next(vec![Reply::status(503).header("Retry-After", "1")]);
    let cache = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    let o = fetch(
        cache.path(),
        &["app", "--repo", &repo.url(), "--version", "1.0.0"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(start.elapsed() >= std::time::Duration::from_secs(1));
    // 404 is not retried.
    repo.fail_next(vec![Reply::status(404)]);
    let before = repo.requests();
    let o = fetch(
        cache.path(),
        &["app", "--repo", &repo.url(), "--version", "1.2.0"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("404"), "{}", stderr(&o));
    assert_eq!(repo.requests() - before, 1);
}

#[test]
fn named_repository_with_credentials_from_helm() {
    let (repo, _) = repo_with_versions();
    repo.require_basic_auth("ci", "s3cret-pass");
    let cache = tempfile::tempdir().unwrap();
    let repos = cache.path().join("repositories.yaml");
    let write = |password: &str| {
        std::fs::write(
            &repos,
            format!(
                "apiVersion: \"\"\nrepositories:\n- name: mine\n  url: {}/\n  username: ci\n  password: {password}\n",
                repo.url()
            ),
        )
        .unwrap()
    };
    let run = || {
        chartfix()
            .args(["fetch", "mine/app", "--version", "~1.2", "--cache-dir"])
            .arg(cache.path().join("c"))
            .env("HELM_REPOSITORY_CONFIG", &repos)
            .output()
            .unwrap()
    };
    write("wrong-pass");
    let o = run();
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("unauthorized") && e.contains("/index.yaml"),
        "{e}"
    );
    assert!(!e.contains("wrong-pass"), "credentials printed: {e}");
    write("s3cret-pass");
    let o = run();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "version"), "1.2.7");
    assert!(!stdout(&o).contains("s3cret") && !stderr(&o).contains("s3cret"));
    // An unknown repository name says so.
    let o = chartfix()
        .args(["fetch", "other/app", "--cache-dir"])
        .arg(cache.path())
        .env("HELM_REPOSITORY_CONFIG", &repos)
        .output()
        .unwrap();
    // A name that names nothing is missing input, not misuse.
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no repository \"other\""));
    // A broken repositories.yaml stops only REPO/NAME references, and is named.
    std::fs::write(&repos, "repositories: [oops").unwrap();
    let with_broken = |chart: &str| {
        chartfix()
            .args(["fetch", chart, "--cache-dir"])
            .arg(cache.path().join("c"))
            .env("HELM_REPOSITORY_CONFIG", &repos)
            .output()
            .unwrap()
    };
    let o = with_broken("mine/app");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("repositories.yaml"), "{}", stderr(&o));
    let o = with_broken(&format!("{}/charts/app-1.0.0.tgz", repo.url()));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("unauthorized"), "{}", stderr(&o));
}

#[test]
fn repo_mirror_serves_a_public_url_and_the_cache_keeps_the_public_name() {
    let (repo, _) = repo_with_versions();
    let cache = tempfile::tempdir().unwrap();
    let public = "https://charts.example.invalid/stable";
    let mirror = format!("{public}={}", repo.url());
    let o = fetch(
        cache.path(),
        &[
            "app",
            "--repo",
            public,
            "--version",
            "1.2.7",
            "--repo-mirror",
            &mirror,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "reference"), format!("{public}/app"));
    drop(repo);
    let o = fetch(
        cache.path(),
        &["app", "--repo", public, "--version", "1.2.7", "--offline"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn plain_archive_urls_and_local_charts() {
    let repo = ChartRepo::start();
    let bytes = chart_tgz("web", "0.3.0");
    repo.put("/web-0.3.0.tgz", Reply::ok(bytes.clone()));
    let cache = tempfile::tempdir().unwrap();
    let url = format!("{}/web-0.3.0.tgz", repo.url());
    let o = fetch(cache.path(), &[&url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "chart"), "web");
    assert_eq!(field(&o, "version"), "0.3.0");
    drop(repo);
    let o = fetch(cache.path(), &[&url, "--offline"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let local = cache.path().join("web-0.3.0.tgz");
    std::fs::write(&local, &bytes).unwrap();
    let o = fetch(cache.path(), &[local.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "path"), local.to_str().unwrap());
    assert_eq!(
        field(&o, "digest"),
        format!("sha256:{}", sha256_hex(&bytes))
    );
}

/// Input files are never misuse: a `--registry-config` that names no file,
/// like a file that is there but wrong (a registry config or a local
/// chart's Chart.yaml that does not parse), is a failure, 1.
#[test]
fn bad_or_missing_input_files_fail_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("c");
    std::fs::create_dir_all(&chart).unwrap();
    std::fs::write(chart.join("Chart.yaml"), "name: c\nversion: 0.1.0\n").unwrap();
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("Chart.yaml"), "name: [c\n").unwrap();
    let config = dir.path().join("registries.yaml");
    std::fs::write(&config, "mirrors: [oops\n").unwrap();
    let (chart, broken, config) = (
        chart.to_str().unwrap(),
        broken.to_str().unwrap(),
        config.to_str().unwrap(),
    );
    let missing = dir.path().join("none.yaml");
    let missing = missing.to_str().unwrap();
    for (args, code, expect) in [
        (
            vec![chart, "--registry-config", config],
            1,
            // The place of the mistake in the file, as file:line:column.
            "registries.yaml:1:10: ",
        ),
        (vec![broken], 1, "Chart.yaml: "),
        (
            vec![chart, "--registry-config", missing],
            1,
            "cannot read the --registry-config file ",
        ),
    ] {
        let o = fetch(dir.path(), &args);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_corrupt_cache_entry_is_detected_and_fetched_again() {
    let (repo, _) = repo_with_versions();
    let cache = tempfile::tempdir().unwrap();
    let o = fetch(
        cache.path(),
        &["app", "--repo", &repo.url(), "--version", "1.0.0"],
    );
    let path = field(&o, "path");
    std::fs::write(&path, b"damaged").unwrap();
    let o = fetch(
        cache.path(),
        &[
            "app",
            "--repo",
            &repo.url(),
            "--version",
            "1.0.0",
            "--offline",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("does not match its digest"),
        "{}",
        stderr(&o)
    );
    let o = fetch(
        cache.path(),
        &["app", "--repo", &repo.url(), "--version", "1.0.0"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "cached"), "fetched");
    assert_eq!(std::fs::read(&path).unwrap(), chart_tgz("app", "1.0.0"));
}

#[test]
fn the_library_resolves_from_inside_an_async_runtime() {
    // Stack and template code may be async; resolve must not panic there.
    let (repo, charts) = repo_with_versions();
    let cache = tempfile::tempdir().unwrap();
    let options = chartfix::source::Options {
        repo: Some(repo.url()),
        version: Some("~1.2".into()),
        cache_dir: Some(cache.path().to_path_buf()),
        repositories_file: Some(cache.path().join("none.yaml")),
        quiet: true,
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let r = rt
        .block_on(async { chartfix::source::resolve("app", &options) })
        .unwrap();
    assert_eq!(r.version, "1.2.7");
    assert_eq!(r.name, "app");
    assert!(!r.from_cache);
    assert_eq!(std::fs::read(&r.path).unwrap(), charts[2].1);
    let again = chartfix::source::resolve("app", &options).unwrap();
    assert_eq!(again.digest, r.digest);

    // One resolver, a repository per chart (as a stack's HelmCharts need).
    let resolver = chartfix::source::Resolver::new(&chartfix::source::Options {
        repo: None,
        version: None,
        ..options.clone()
    })
    .unwrap();
    let old = resolver
        .resolve_with("app", Some(&repo.url()), Some("1.0.0"))
        .unwrap();
    assert_eq!(old.version, "1.0.0");
    assert_eq!(std::fs::read(&old.path).unwrap(), charts[0].1);
    // A bare name with no repository and no such path names nothing: a
    // missing input, not misuse.
    let e = resolver.resolve_with("app", None, None).unwrap_err();
    assert_eq!(e.kind, chartfix::source::SourceErrorKind::NotFound);
}
