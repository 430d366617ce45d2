//! `chartfix fetch` against a real distribution registry (Debian's
//! `docker-registry`) on 127.0.0.1: Helm's media types and tag mapping,
//! version constraints over the tag list, Docker Hub names through a k3s
//! `registries.yaml` mirror, credentials, broken blobs, concurrent fetches and
//! `--offline`. Nothing leaves the machine: public names are mirrored here.

use crate::support::chart_repo::{chart_tgz, index_yaml, ChartRepo, Reply};
use crate::support::fetch::{fetch, field, no_blobs};
use crate::support::{self, chartfix, sha256_hex, skip, stderr, stdout, Registry};
use std::path::PathBuf;
use std::process::Output;

fn registry() -> Option<Registry> {
    let r = Registry::start();
    if r.is_none() {
        skip("docker-registry is not installed (apt-get install docker-registry)");
    }
    r
}

/// Pushes a chart the way `helm push` does; returns the manifest digest.
fn push(reg: &Registry, repo: &str, name: &str, version: &str, archive: &[u8]) -> String {
    let meta = serde_json::json!({"apiVersion": "v2", "name": name, "version": version});
    reg.push_chart(repo, &version.replace('+', "_"), &meta, archive)
}

/// The conformance corpus, when it is beside the project.
fn corpus_chart(file: &str) -> Option<PathBuf> {
    support::shared_path(&format!("corpus/charts/{file}"))
}

#[test]
fn pulls_the_redis_archive_byte_for_byte_and_works_with_the_registry_stopped() {
    let Some(archive_path) = corpus_chart("redis-18.6.1.tgz") else {
        return;
    };
    let Some(mut reg) = registry() else { return };
    let archive = std::fs::read(&archive_path).unwrap();
    push(&reg, "bitnamicharts/redis", "redis", "18.6.1", &archive);
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("oci://{}/bitnamicharts/redis", reg.host());
    let o = fetch(
        cache.path(),
        &[&reference, "--version", "18.6.1", "--plain-http", "-q"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "version"), "18.6.1");
    assert_eq!(field(&o, "chart"), "redis");
    assert_eq!(field(&o, "cached"), "fetched");
    assert_eq!(
        field(&o, "digest"),
        format!("sha256:{}", sha256_hex(&archive))
    );
    let path = field(&o, "path");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        archive,
        "same bytes as on disk"
    );

    // The registry is gone: the pinned version comes from the cache, with and
    // without --offline.
    reg.stop();
    for extra in [&[][..], &["--offline"][..]] {
        let mut args = vec![reference.as_str(), "--version", "18.6.1", "--plain-http"];
        args.extend_from_slice(extra);
        let o = fetch(cache.path(), &args);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        assert_eq!(field(&o, "cached"), "yes");
        assert_eq!(field(&o, "path"), path);
    }
    // A constraint needs the tag list; with the registry down the cache
    // answers, with a warning.
    let o = fetch(
        cache.path(),
        &[&reference, "--version", "~18.6", "--plain-http", "-q"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "version"), "18.6.1");
    assert!(stderr(&o).contains("from the cache"), "{}", stderr(&o));
}

#[test]
fn constraints_resolve_over_tags_with_helm_tag_mapping() {
    let Some(reg) = registry() else { return };
    for v in ["1.0.0", "1.2.0", "1.2.5", "1.3.0+up.2", "2.0.0-rc.1"] {
        push(&reg, "charts/app", "app", v, &chart_tgz("app", v));
    }
    let cache = tempfile::tempdir().unwrap();
    let r = format!("oci://{}/charts/app", reg.host());
    for (constraint, want) in [
        ("~1.2", "1.2.5"),
        ("^1", "1.3.0+up.2"),
        (">=1.1 <1.3", "1.2.5"),
        ("1.2.x", "1.2.5"),
        ("1.3.0+up.2", "1.3.0+up.2"),
        (">=2.0.0-0", "2.0.0-rc.1"),
        ("", "1.3.0+up.2"),
    ] {
        let mut args = vec![r.as_str(), "--plain-http"];
        if !constraint.is_empty() {
            args.extend(["--version", constraint]);
        }
        let o = fetch(cache.path(), &args);
        assert!(o.status.success(), "{constraint}: {}", stderr(&o));
        assert_eq!(field(&o, "version"), want, "{constraint}");
        let bytes = std::fs::read(field(&o, "path")).unwrap();
        assert_eq!(bytes, chart_tgz("app", want), "{constraint}");
    }
    // `:TAG` in the reference, in Helm's `_` form.
    let o = fetch(cache.path(), &[&format!("{r}:1.3.0_up.2"), "--plain-http"]);
    assert_eq!(field(&o, "version"), "1.3.0+up.2");
    let o = fetch(
        cache.path(),
        &[&format!("{r}:1.2.0"), "--version", "1.2.5", "--plain-http"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn missing_versions_and_charts_name_the_nearest_and_cache_nothing() {
    let Some(reg) = registry() else { return };
    for v in ["18.5.0", "18.6.0", "18.6.2", "19.0.0"] {
        push(
            &reg,
            "bitnamicharts/redis",
            "redis",
            v,
            &chart_tgz("redis", v),
        );
    }
    let cache = tempfile::tempdir().unwrap();
    let r = format!("oci://{}/bitnamicharts/redis", reg.host());
    let o = fetch(cache.path(), &[&r, "--version", "18.6.1", "--plain-http"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("18.6.1 not found"), "{e}");
    assert!(e.contains("MANIFEST_UNKNOWN"), "what the server said: {e}");
    assert!(
        e.contains("/v2/bitnamicharts/redis/manifests/18.6.1"),
        "the URL: {e}"
    );
    assert!(
        e.contains("nearest versions: 19.0.0, 18.6.2, 18.6.0, 18.5.0"),
        "{e}"
    );
    let o = fetch(cache.path(), &[&r, "--version", "~20", "--plain-http"]);
    assert!(stderr(&o).contains("no version of"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("nearest versions: 19.0.0"),
        "{}",
        stderr(&o)
    );
    let o = fetch(
        cache.path(),
        &[&format!("oci://{}/nope/redis", reg.host()), "--plain-http"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("NAME_UNKNOWN"), "{}", stderr(&o));
    assert!(no_blobs(cache.path()));
}

#[test]
fn docker_hub_names_through_a_registries_yaml_mirror_are_cached_by_public_name() {
    let Some(reg) = registry() else { return };
    let archive = match corpus_chart("redis-18.6.1.tgz") {
        Some(p) => std::fs::read(p).unwrap(),
        None => chart_tgz("redis", "18.6.1"),
    };
    push(&reg, "bitnamicharts/redis", "redis", "18.6.1", &archive);
    let dir = tempfile::tempdir().unwrap();
    let config = reg.mirror_config(dir.path(), "");
    let cache = dir.path().join("cache");
    let o = fetch(
        &cache,
        &[
            "oci://registry-1.docker.io/bitnamicharts/redis",
            "--version",
            "18.6.1",
            "--registry-config",
            config.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        field(&o, "reference"),
        "oci://docker.io/bitnamicharts/redis"
    );
    assert_eq!(std::fs::read(field(&o, "path")).unwrap(), archive);
    drop(reg);
    // Offline, by either spelling of Docker Hub, and with a constraint.
    for (r, v) in [
        ("oci://registry-1.docker.io/bitnamicharts/redis", "18.6.1"),
        ("oci://docker.io/bitnamicharts/redis", "~18.6"),
    ] {
        let o = fetch(&cache, &[r, "--version", v, "--offline"]);
        assert!(o.status.success(), "{r} {v}: {}", stderr(&o));
        assert_eq!(field(&o, "version"), "18.6.1");
    }
}

#[test]
fn offline_miss_names_what_is_missing() {
    let cache = tempfile::tempdir().unwrap();
    let o = fetch(
        cache.path(),
        &[
            "oci://registry-1.docker.io/bitnamicharts/postgresql",
            "--version",
            "13.2.25",
            "--offline",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("oci://docker.io/bitnamicharts/postgresql version 13.2.25 is not in the cache"),
        "{e}"
    );
    assert!(e.contains("chartfix fetch"), "says what to do: {e}");
}

#[test]
fn auth_required_given_and_refused() {
    let Some(reg) = Registry::start_with_auth("ci", "reg-pass-123") else {
        skip("docker-registry is not installed");
        return;
    };
    push(
        &reg,
        "charts/app",
        "app",
        "1.0.0",
        &chart_tgz("app", "1.0.0"),
    );
    let dir = tempfile::tempdir().unwrap();
    let r = format!("oci://{}/charts/app", reg.host());

    // No credentials: refused, with advice.
    let o = fetch(
        &dir.path().join("c1"),
        &[&r, "--version", "1.0.0", "--plain-http"],
    );
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("unauthorized") && e.contains("log in"), "{e}");

    // Credentials in registries.yaml configs.
    let config = reg.mirror_config(dir.path(), "");
    let o = fetch(
        &dir.path().join("c2"),
        &[
            &r,
            "--version",
            "1.0.0",
            "--plain-http",
            "--registry-config",
            config.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // Credentials in Docker's config.json.
    let docker = dir.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    let write_docker = |password: &str| {
        use base64::Engine;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("ci:{password}"));
        std::fs::write(
            docker.join("config.json"),
            format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.host()),
        )
        .unwrap();
    };
    let with_docker = |cache: &str| {
        chartfix()
            .args([
                "fetch",
                &r,
                "--version",
                "1.0.0",
                "--plain-http",
                "--cache-dir",
            ])
            .arg(dir.path().join(cache))
            .env("DOCKER_CONFIG", &docker)
            .env("HELM_REPOSITORY_CONFIG", dir.path().join("none.yaml"))
            .output()
            .unwrap()
    };
    write_docker("reg-pass-123");
    let o = with_docker("c3");
    assert!(o.status.success(), "{}", stderr(&o));

    // Wrong password: refused, and the password is never printed.
    write_docker("wrong-pass-456");
    let o = with_docker("c4");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("unauthorized"), "{e}");
    assert!(!e.contains("wrong-pass-456") && !stdout(&o).contains("wrong-pass-456"));
    assert!(no_blobs(&dir.path().join("c4")));
}

#[test]
fn a_blob_that_does_not_match_its_digest_is_refused_and_nothing_cached() {
    let Some(reg) = registry() else { return };
    let archive = chart_tgz("app", "1.0.0");
    push(&reg, "charts/app", "app", "1.0.0", &archive);
    // Corrupt the stored layer in place (same length, other bytes).
    let hex = sha256_hex(&archive);
    let data = reg
        .storage()
        .join("docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(&hex)
        .join("data");
    let mut bad = archive.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0xff;
    std::fs::write(&data, &bad).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let r = format!("oci://{}/charts/app", reg.host());
    let o = fetch(cache.path(), &[&r, "--version", "1.0.0", "--plain-http"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains(&format!("expected sha256:{hex}")), "{e}");
    assert!(e.contains("/blobs/sha256:"), "names the URL: {e}");
    assert!(no_blobs(cache.path()));
    assert!(!cache.path().join("charts/refs").exists());
}

#[test]
fn a_truncated_blob_download_is_refused() {
    // A registry that declares the whole layer but sends half and hangs up.
    let archive = chart_tgz("app", "1.0.0");
    let config = br#"{"name":"app","version":"1.0.0"}"#.to_vec();
    let (ld, cd) = (sha256_hex(&archive), sha256_hex(&config));
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "digest": format!("sha256:{cd}"), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "digest": format!("sha256:{ld}"), "size": archive.len()}]
    }))
    .unwrap();
    let server = ChartRepo::start();
    server.put("/v2/", Reply::ok("{}"));
    server.put(
        "/v2/charts/app/manifests/1.0.0",
        Reply::ok(manifest).header("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
    );
    server.put(
        &format!("/v2/charts/app/blobs/sha256:{cd}"),
        Reply::ok(config),
    );
    let mut cut = Reply::ok(archive.clone());
    cut.truncate_to = Some(archive.len() / 3);
    server.put(&format!("/v2/charts/app/blobs/sha256:{ld}"), cut);
    let host = server.url().trim_start_matches("http://").to_string();
    let cache = tempfile::tempdir().unwrap();
    let o = fetch(
        cache.path(),
        &[
            &format!("oci://{host}/charts/app"),
            "--version",
            "1.0.0",
            "--plain-http",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("/v2/charts/app/blobs/sha256:{ld}")),
        "{e}"
    );
    assert!(no_blobs(cache.path()));
}

#[test]
fn two_concurrent_fetches_of_the_same_chart_both_succeed() {
    let Some(reg) = registry() else { return };
    let archive = match corpus_chart("redis-18.9.1.tgz") {
        Some(p) => std::fs::read(p).unwrap(),
        None => chart_tgz("redis", "18.9.1"),
    };
    push(&reg, "bitnamicharts/redis", "redis", "18.9.1", &archive);
    let cache = tempfile::tempdir().unwrap();
    let r = format!("oci://{}/bitnamicharts/redis", reg.host());
    let children: Vec<_> = (0..2)
        .map(|_| {
            chartfix()
                .args([
                    "fetch",
                    &r,
                    "--version",
                    "~18.9",
                    "--plain-http",
                    "--cache-dir",
                ])
                .arg(cache.path())
                .env("HELM_REPOSITORY_CONFIG", cache.path().join("none.yaml"))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for o in &outs {
        assert!(o.status.success(), "{}", stderr(o));
        assert_eq!(std::fs::read(field(o, "path")).unwrap(), archive);
    }
    assert_eq!(field(&outs[0], "path"), field(&outs[1], "path"));
    let blobs = std::fs::read_dir(cache.path().join("charts/blobs/sha256"))
        .unwrap()
        .count();
    assert_eq!(blobs, 1);
    let leftovers = std::fs::read_dir(cache.path().join("charts/tmp"))
        .unwrap()
        .count();
    assert_eq!(leftovers, 0, "no partial files left behind");
}

#[test]
fn pinned_by_digest_then_found_offline_by_digest() {
    let Some(reg) = registry() else { return };
    let digest = push(
        &reg,
        "charts/app",
        "app",
        "3.1.4",
        &chart_tgz("app", "3.1.4"),
    );
    let cache = tempfile::tempdir().unwrap();
    let r = format!("oci://{}/charts/app@{digest}", reg.host());
    let o = fetch(cache.path(), &[&r, "--plain-http"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "version"), "3.1.4");
    drop(reg);
    let o = fetch(cache.path(), &[&r, "--offline"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(field(&o, "version"), "3.1.4");
}

#[test]
fn bitnami_versions_gone_from_the_index_come_from_docker_hub_with_a_warning() {
    let Some(reg) = registry() else { return };
    push(
        &reg,
        "bitnamicharts/redis",
        "redis",
        "18.6.1",
        &chart_tgz("redis", "18.6.1"),
    );
    // The HTTP repository only lists a newer version.
    let repo = ChartRepo::start();
    let newer = chart_tgz("redis", "20.0.0");
    repo.put("/redis-20.0.0.tgz", Reply::ok(newer.clone()));
    repo.put(
        "/index.yaml",
        Reply::ok(index_yaml(
            "redis",
            &[("20.0.0", "redis-20.0.0.tgz", &sha256_hex(&newer))],
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = reg.mirror_config(dir.path(), "");
    let cache = dir.path().join("cache");
    let mirror = format!("https://charts.bitnami.com/bitnami={}", repo.url());
    let o = fetch(
        &cache,
        &[
            "redis",
            "--repo",
            "https://charts.bitnami.com/bitnami",
            "--version",
            "18.6.1",
            "--repo-mirror",
            &mirror,
            "--registry-config",
            config.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("Warning:") && e.contains("oci://registry-1.docker.io/bitnamicharts/redis"),
        "{e}"
    );
    assert_eq!(field(&o, "version"), "18.6.1");
    assert_eq!(
        std::fs::read(field(&o, "path")).unwrap(),
        chart_tgz("redis", "18.6.1")
    );
    drop(reg);
    drop(repo);
    // Found again offline by the repository's name and by the OCI name.
    let o = fetch(
        &cache,
        &[
            "redis",
            "--repo",
            "https://charts.bitnami.com/bitnami",
            "--version",
            "18.6.1",
            "--offline",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = fetch(
        &cache,
        &[
            "oci://registry-1.docker.io/bitnamicharts/redis",
            "--version",
            "18.6.1",
            "--offline",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn dependencies_missing_from_charts_are_fetched_through_the_cache() {
    let Some(reg) = registry() else { return };
    for v in ["18.6.0", "18.6.1", "18.7.0"] {
        push(
            &reg,
            "bitnamicharts/redis",
            "redis",
            v,
            &chart_tgz("redis", v),
        );
    }
    let repo = ChartRepo::start();
    let pg = chart_tgz("postgresql", "13.2.25");
    repo.put("/postgresql-13.2.25.tgz", Reply::ok(pg.clone()));
    repo.put(
        "/index.yaml",
        Reply::ok(index_yaml(
            "postgresql",
            &[("13.2.25", "postgresql-13.2.25.tgz", &sha256_hex(&pg))],
        )),
    );
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("stack");
    std::fs::create_dir_all(chart.join("charts/common")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: stack\nversion: 0.1.0\ndependencies:\n\
             - name: redis\n  version: ~18.6\n  repository: oci://{host}/bitnamicharts\n  alias: cache\n\
             - name: postgresql\n  version: ^13\n  repository: {url}\n\
             - name: common\n  version: 2.x\n  repository: https://unused.invalid\n",
            host = reg.host(),
            url = repo.url()
        ),
    )
    .unwrap();
    // The lock pins redis below the newest match.
    std::fs::write(
        chart.join("Chart.lock"),
        format!(
            "dependencies:\n- name: redis\n  version: 18.6.0\n  repository: oci://{}/bitnamicharts\n",
            reg.host()
        ),
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let run = |extra: &[&str]| {
        let mut args = vec![chart.to_str().unwrap(), "--dependencies", "--plain-http"];
        args.extend_from_slice(extra);
        fetch(&cache, &args)
    };
    let o = run(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let deps: Vec<String> = stdout(&o)
        .lines()
        .filter_map(|l| l.strip_prefix("dependency: ").map(str::to_string))
        .collect();
    assert_eq!(deps.len(), 2, "{deps:?}");
    assert!(deps[0].starts_with("cache 18.6.0 sha256:"), "{deps:?}");
    assert!(
        deps[1].starts_with("postgresql 13.2.25 sha256:"),
        "{deps:?}"
    );
    drop(reg);
    drop(repo);
    let o = run(&["--offline"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A dependency with no way to fetch it is named.
    std::fs::remove_dir_all(chart.join("charts/common")).unwrap();
    let o = run(&["--offline"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("dependency common 2.x"),
        "{}",
        stderr(&o)
    );
}

/// Issue 3's first done-when: `template` of an OCI chart prints the same bytes
/// as rendering the archive from disk, and again once the registry is gone.
#[test]
fn template_of_an_oci_chart_matches_the_archive_on_disk_and_works_offline() {
    let Some(archive_path) = corpus_chart("redis-18.6.1.tgz") else {
        return;
    };
    let Some(mut reg) = registry() else { return };
    let archive = std::fs::read(&archive_path).unwrap();
    push(&reg, "bitnamicharts/redis", "redis", "18.6.1", &archive);
    let cache = tempfile::tempdir().unwrap();
    let values = cache.path().join("values.yaml");
    std::fs::write(
        &values,
        "fullnameOverride: redis\narchitecture: standalone\nauth:\n  enabled: false\n",
    )
    .unwrap();
    let template = |chart: &str, extra: &[&str]| {
        chartfix()
            .args(["template", "redis", chart, "-n", "beta9", "-f"])
            .arg(&values)
            .args(extra)
            .arg("--cache-dir")
            .arg(cache.path())
            .output()
            .expect("run chartfix")
    };
    let from_disk = template(archive_path.to_str().unwrap(), &[]);
    assert!(from_disk.status.success(), "{}", stderr(&from_disk));
    assert!(stdout(&from_disk).contains("kind: StatefulSet"));

    let reference = format!("oci://{}/bitnamicharts/redis", reg.host());
    let pulled = template(&reference, &["--version", "18.6.1", "--plain-http", "-q"]);
    assert!(pulled.status.success(), "{}", stderr(&pulled));
    assert_eq!(stdout(&pulled), stdout(&from_disk));

    reg.stop();
    let offline = template(&reference, &["--version", "18.6.1", "--offline"]);
    assert!(offline.status.success(), "{}", stderr(&offline));
    assert_eq!(stdout(&offline), stdout(&from_disk));
}
