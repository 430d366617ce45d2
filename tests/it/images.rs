//! `chartfix images` against a real registry on 127.0.0.1, mirrored as
//! `docker.io` through `--registry-config`: every status, the bitnamilegacy
//! suggestion, the cache, `--offline`, and auth.

use crate::support::{chartfix, skip, LatencyProxy, Registry};
use serde_json::Value;
use std::path::Path;

const MANIFEST: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template:
    spec:
      initContainers:
      - {name: wait, image: "multi:1.0"}
      containers:
      - {name: web, image: "docker.io/library/multi:1.0"}
      - {name: legacy, image: amd64only:1.0}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis-master, namespace: shop}
spec:
  template:
    spec:
      containers:
      - {name: redis, image: "bitnami/redis:7.0.11-debian-11-r0"}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - {name: r, image: "example/app:2.1.0"}
          - {name: gone, image: "nothere/app:1"}
          - {name: bad, image: "Not/Valid:x"}
"#;

fn seed(reg: &Registry) {
    reg.push_index("library/multi", "1.0", &["linux/amd64", "linux/arm64/v8"]);
    reg.push_docker_image("library/amd64only", "1.0", "linux/amd64");
    reg.push_docker_list(
        "bitnami/redis",
        "7.2.4-debian-12-r0",
        &["linux/amd64", "linux/arm64"],
    );
    reg.push_index(
        "bitnamilegacy/redis",
        "7.0.11-debian-11-r0",
        &["linux/amd64", "linux/arm64"],
    );
    reg.push_image("example/app", "2.1.1", "linux/arm64");
    reg.push_image("example/app", "2.1.3", "linux/amd64");
    reg.push_image("example/app", "2.2.0", "linux/arm64");
}

fn run_json(args: &[&str]) -> (i32, Value, String) {
    let out = chartfix().args(args).output().expect("run chartfix");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn by_image<'a>(json: &'a Value, image: &str) -> &'a Value {
    json["images"]
        .as_array()
        .expect("images")
        .iter()
        .find(|i| i["image"] == image)
        .unwrap_or_else(|| panic!("{image} not reported: {json:#}"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn statuses_suggestions_cache_and_offline() {
    let Some(mut reg) = Registry::start() else {
        return skip("docker-registry is not installed");
    };
    seed(&reg);
    let dir = tempfile::tempdir().unwrap();
    let manifest = write(dir.path(), "m.yaml", MANIFEST);
    let config = reg.mirror_config(dir.path(), "").display().to_string();
    let cache = dir.path().join("cache").display().to_string();
    let args = [
        "images",
        &manifest,
        "--platform",
        "linux/arm64",
        "--registry-config",
        &config,
        "--output",
        "json",
        "--cache-dir",
        &cache,
    ];
    let (code, json, stderr) = run_json(&args);
    assert_eq!(code, 1, "{stderr}");

    let multi = by_image(&json, "docker.io/library/multi:1.0");
    assert_eq!(multi["status"], "ok");
    assert_eq!(
        multi["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64"])
    );
    assert!(multi["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(multi["usedBy"].as_array().unwrap().len(), 2, "{multi:#}");
    assert_eq!(
        multi["usedBy"][0],
        serde_json::json!({"kind": "Deployment", "namespace": "shop", "name": "web", "container": "wait"})
    );

    let amd = by_image(&json, "docker.io/library/amd64only:1.0");
    assert_eq!(amd["status"], "missing-platform");
    assert_eq!(amd["platforms"], serde_json::json!(["linux/amd64"]));
    assert!(
        amd["message"]
            .as_str()
            .unwrap()
            .contains("no linux/arm64 image"),
        "{amd:#}"
    );

    let redis = by_image(&json, "docker.io/bitnami/redis:7.0.11-debian-11-r0");
    assert_eq!(redis["status"], "missing-tag");
    assert_eq!(
        redis["suggestion"]["image"],
        "docker.io/bitnamilegacy/redis:7.0.11-debian-11-r0"
    );
    assert!(redis["suggestion"]["reason"]
        .as_str()
        .unwrap()
        .contains("bitnamilegacy"));
    assert_eq!(
        redis["suggestion"]["overlay"],
        r#"{select: {kind: ["StatefulSet"], name: ["redis-master"]}, images: [{match: "docker.io/bitnami/redis", repository: "bitnamilegacy/redis"}]}"#
    );

    // The nearest tag that runs on arm64: 2.1.3 is amd64-only, so 2.1.1.
    let app = by_image(&json, "docker.io/example/app:2.1.0");
    assert_eq!(app["status"], "missing-tag");
    assert_eq!(
        app["suggestion"]["image"], "docker.io/example/app:2.1.1",
        "{app:#}"
    );
    assert!(
        app["message"]
            .as_str()
            .unwrap()
            .contains("nearest tags: 2.1.3, 2.1.1, 2.2.0"),
        "{app:#}"
    );

    assert_eq!(
        by_image(&json, "docker.io/nothere/app:1")["status"],
        "missing-repository"
    );
    let bad = by_image(&json, "Not/Valid:x");
    assert_eq!(bad["status"], "invalid-reference");
    assert!(bad["message"].as_str().unwrap().contains("lowercase"));

    assert_eq!(
        json["summary"],
        serde_json::json!({"checked": 6, "ok": 1, "problems": 5})
    );
    // Nothing but the keys the issue names.
    for img in json["images"].as_array().unwrap() {
        for key in img.as_object().unwrap().keys() {
            assert!(
                [
                    "image",
                    "status",
                    "digest",
                    "platforms",
                    "usedBy",
                    "message",
                    "suggestion"
                ]
                .contains(&key.as_str()),
                "unexpected key {key}"
            );
        }
    }

    // Offline from the cache, with the registry gone: the same answers.
    reg.stop();
    let mut offline = args.to_vec();
    offline.push("--offline");
    let (code2, json2, _) = run_json(&offline);
    assert_eq!(code2, 1);
    assert_eq!(json2["images"], json["images"]);
    // Without the mirror flags too: answers are filed under the images'
    // public names, not under the mirror they came through.
    let bare: Vec<&str> = offline
        .iter()
        .copied()
        .filter(|a| *a != "--registry-config" && *a != config.as_str())
        .collect();
    assert_eq!(bare.len(), offline.len() - 2);
    let (code4, json4, stderr4) = run_json(&bare);
    assert_eq!(code4, 1, "{stderr4}");
    assert_eq!(json4["images"], json["images"]);

    // An image never checked is an error offline, naming the cache.
    let other = write(
        dir.path(),
        "o.yaml",
        "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: never:seen}]}\n",
    );
    let mut offline_other = offline.clone();
    offline_other[1] = &other;
    let (code3, json3, _) = run_json(&offline_other);
    assert_eq!(code3, 1);
    assert_eq!(json3["images"][0]["status"], "error");
    assert!(json3["images"][0]["message"]
        .as_str()
        .unwrap()
        .contains("--offline"));
}

#[test]
fn all_ok_exits_zero_and_table_lists_problems_first() {
    let Some(reg) = Registry::start() else {
        return skip("docker-registry is not installed");
    };
    reg.push_index("library/multi", "1.0", &["linux/amd64", "linux/arm64/v8"]);
    reg.push_image("library/amd64only", "1.0", "linux/amd64");
    let dir = tempfile::tempdir().unwrap();
    let ok = write(
        dir.path(),
        "ok.yaml",
        "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: multi:1.0}]}\n",
    );
    let config = reg.mirror_config(dir.path(), "").display().to_string();
    let cache = dir.path().join("cache").display().to_string();
    let out = chartfix()
        .args([
            "images",
            &ok,
            "--platform",
            "linux/arm64/v8",
            "--registry-config",
            &config,
            "--cache-dir",
            &cache,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // From stdin, as a table: the problem comes first, no colours off a terminal.
    let mut child = chartfix()
        .args([
            "images",
            "-",
            "--platform",
            "linux/arm64",
            "--registry-config",
            &config,
            "--cache-dir",
            &cache,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: multi:1.0}, {name: b, image: amd64only:1.0}]}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("STATUS"), "{text}");
    assert!(
        lines[1].starts_with("missing-platform") && lines[1].contains("amd64only"),
        "{text}"
    );
    assert!(text.contains("used by Pod p (b)"), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
    assert!(
        text.ends_with("2 images checked: 1 ok, 1 with problems\n"),
        "{text}"
    );
}

#[test]
fn auth_required_refused_and_given() {
    let Some(reg) = Registry::start_with_auth("alice", "s3cret-pw") else {
        return skip("docker-registry is not installed");
    };
    reg.push_index("library/multi", "1.0", &["linux/amd64", "linux/arm64"]);
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.yaml",
        "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: multi:1.0}]}\n",
    );
    let cache = dir.path().join("cache").display().to_string();

    // No credentials: unauthorized, and the message says what to do.
    let anon = write(
        dir.path(),
        "anon.yaml",
        &format!(
            "mirrors:\n  docker.io:\n    endpoint: [\"{}\"]\n",
            reg.url()
        ),
    );
    let (code, json, _) = run_json(&[
        "images",
        &m,
        "--registry-config",
        &anon,
        "-o",
        "json",
        "--cache-dir",
        &cache,
    ]);
    assert_eq!(code, 1);
    assert_eq!(json["images"][0]["status"], "unauthorized", "{json:#}");
    assert!(json["images"][0]["message"]
        .as_str()
        .unwrap()
        .contains("--registry-config"));

    // Wrong password: unauthorized; the password never shows.
    let wrong = write(
        dir.path(),
        "wrong.yaml",
        &format!(
            "mirrors:\n  docker.io:\n    endpoint: [\"{}\"]\nconfigs:\n  \"{}\":\n    auth: {{username: alice, password: not-the-pw}}\n",
            reg.url(),
            reg.host()
        ),
    );
    let out = chartfix()
        .args([
            "images",
            &m,
            "--registry-config",
            &wrong,
            "-o",
            "json",
            "--cache-dir",
            &cache,
        ])
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(all.contains("\"unauthorized\""), "{all}");
    assert!(!all.contains("not-the-pw"), "{all}");

    // registries.yaml auth.
    let good = reg.mirror_config(dir.path(), "").display().to_string();
    let (code, json, _) = run_json(&[
        "images",
        &m,
        "--registry-config",
        &good,
        "-o",
        "json",
        "--cache-dir",
        &cache,
    ]);
    assert_eq!(
        (code, &json["images"][0]["status"]),
        (0, &Value::from("ok")),
        "{json:#}"
    );

    // Docker's config.json auths, through $DOCKER_CONFIG.
    let docker_dir = dir.path().join("docker");
    std::fs::create_dir_all(&docker_dir).unwrap();
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret-pw");
    std::fs::write(
        docker_dir.join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.host()),
    )
    .unwrap();
    let out = chartfix()
        .env("DOCKER_CONFIG", &docker_dir)
        .args([
            "images",
            &m,
            "--registry-config",
            &anon,
            "-o",
            "json",
            "--cache-dir",
            &cache,
            "--cache-ttl",
            "0",
        ])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["images"][0]["status"], "ok", "{json:#}");
}

#[test]
fn cache_saves_requests_and_retry_after_is_honoured() {
    let Some(reg) = Registry::start() else {
        return skip("docker-registry is not installed");
    };
    reg.push_index("library/multi", "1.0", &["linux/amd64", "linux/arm64"]);
    let proxy = LatencyProxy::start(&reg.host(), std::time::Duration::from_millis(5));
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.yaml",
        "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: multi:1.0}]}\n",
    );
    let config = write(
        dir.path(),
        "r.yaml",
        &format!(
            "mirrors:\n  docker.io:\n    endpoint: [\"{}\"]\n",
            proxy.url()
        ),
    );
    let cache = dir.path().join("cache").display().to_string();

    // The first request is refused with 429 and Retry-After: 1.
    proxy.inject(crate::support::Fault::status(429).header("retry-after", "1"));
    let start = std::time::Instant::now();
    let (code, json, _) = run_json(&[
        "images",
        &m,
        "--registry-config",
        &config,
        "-o",
        "json",
        "--cache-dir",
        &cache,
    ]);
    assert_eq!(code, 0, "{json:#}");
    assert!(
        start.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After not waited for"
    );
    let asked = proxy.requests();
    assert_eq!(asked, 2, "one refused request, one answered");

    // Cached: the registry is not asked again.
    let (code, _, _) = run_json(&[
        "images",
        &m,
        "--registry-config",
        &config,
        "-o",
        "json",
        "--cache-dir",
        &cache,
    ]);
    assert_eq!(code, 0);
    assert_eq!(proxy.requests(), asked);

    // Rate limited beyond the retries: reported as such.
    for _ in 0..3 {
        proxy.inject(crate::support::Fault::status(429).header("retry-after", "0"));
    }
    let (code, json, _) = run_json(&[
        "images",
        &m,
        "--registry-config",
        &config,
        "-o",
        "json",
        "--cache-dir",
        &cache,
        "--cache-ttl",
        "0",
    ]);
    assert_eq!(code, 1);
    assert_eq!(json["images"][0]["status"], "rate-limited", "{json:#}");
}

#[test]
fn bad_usage_exits_two_bad_input_one() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.yaml",
        "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}\n",
    );
    for args in [
        vec!["images", &m, "--platform", "arm64"],
        vec!["images", &m, "--concurrency", "0"],
    ] {
        let out = chartfix().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    // Whether a file is there and what it holds is input, not usage: a
    // missing file, broken YAML, or a registry config that is missing or
    // does not parse, fails with 1.
    let bad_yaml = write(dir.path(), "b.yaml", "kind: Pod\n---\n: : [\n");
    let bad_config = write(dir.path(), "r.yaml", "mirrors: [oops\n");
    for (args, expect) in [
        (
            vec!["images", "/nonexistent/file.yaml"],
            "\"/nonexistent/file.yaml\" not found: expected a manifest file",
        ),
        (
            vec!["images", &m, "--registry-config", "/nonexistent/r.yaml"],
            "cannot read the --registry-config file /nonexistent/r.yaml",
        ),
        (
            vec!["images", &bad_yaml],
            "b.yaml: document 2: invalid YAML",
        ),
        (
            vec!["images", &m, "--registry-config", &bad_config],
            "--registry-config ",
        ),
    ] {
        let out = chartfix().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}

#[test]
fn credential_helper_helm_config_and_plain_http() {
    let Some(reg) = Registry::start_with_auth("bob", "helper-pw") else {
        return skip("docker-registry is not installed");
    };
    reg.push_image("team/app", "3.0", "linux/arm64");
    let dir = tempfile::tempdir().unwrap();
    // The image names the registry itself: no mirror, plain HTTP.
    let m = write(
        dir.path(),
        "m.yaml",
        &format!("kind: Pod\nmetadata: {{name: p}}\nspec: {{containers: [{{name: c, image: \"{}/team/app:3.0\"}}]}}\n", reg.host()),
    );
    let cache = dir.path().join("cache").display().to_string();
    let args = [
        "images",
        &m,
        "--plain-http",
        "--platform",
        "linux/arm64",
        "-o",
        "json",
        "--cache-dir",
        &cache,
        "--cache-ttl",
        "0",
    ];

    // A credential helper named in credHelpers, found on PATH.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-fake");
    std::fs::write(
        &helper,
        "#!/bin/sh\nread server\n[ \"$1\" = get ] || exit 1\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"bob\",\"Secret\":\"helper-pw\"}' \"$server\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let docker_dir = dir.path().join("docker");
    std::fs::create_dir_all(&docker_dir).unwrap();
    std::fs::write(
        docker_dir.join("config.json"),
        format!(r#"{{"credHelpers":{{"{}":"fake"}}}}"#, reg.host()),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = chartfix()
        .env("PATH", &path)
        .env("DOCKER_CONFIG", &docker_dir)
        .args(args)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["images"][0]["status"], "ok", "{json:#}");
    assert_eq!(
        json["images"][0]["platforms"],
        serde_json::json!(["linux/arm64"])
    );

    // A helper that fails saying the secret: its words are not repeated. One
    // that hangs is stopped at the limit, with what to do.
    for (body, expect) in [
        (
            "#!/bin/sh\necho 'stored secret helper-pw is locked' >&2\nexit 1\n",
            "docker-credential-fake get",
        ),
        (
            "#!/bin/sh\nexec sleep 60\n",
            "gave no answer within 1 s and was stopped",
        ),
    ] {
        std::fs::write(&helper, body).unwrap();
        let started = std::time::Instant::now();
        let out = chartfix()
            .env("PATH", &path)
            .env("DOCKER_CONFIG", &docker_dir)
            .env("CHARTFIX_CREDENTIAL_HELPER_TIMEOUT", "1")
            .args(args)
            .output()
            .unwrap();
        let all = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert!(all.contains(expect), "{all}");
        assert!(!all.contains("helper-pw"), "{all}");
        assert_ne!(out.status.code(), Some(0), "{all}");
    }

    // Helm's registry config.json.
    use base64::Engine;
    let helm = dir.path().join("helm-registry.json");
    let auth = base64::engine::general_purpose::STANDARD.encode("bob:helper-pw");
    std::fs::write(
        &helm,
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.host()),
    )
    .unwrap();
    let out = chartfix()
        .env("HELM_REGISTRY_CONFIG", &helm)
        .args(args)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["images"][0]["status"], "ok", "{json:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn concurrency_is_bounded() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (f, p) = (in_flight.clone(), peak.clone());
    let index = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":1,"platform":{"os":"linux","architecture":"arm64"}}]}"#;
    let server = crate::support::FakeServer::start(move |_| {
        let now = f.fetch_add(1, Ordering::SeqCst) + 1;
        p.fetch_max(now, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(100));
        f.fetch_sub(1, Ordering::SeqCst);
        crate::support::FakeResponse::new(200, index)
            .header("content-type", "application/vnd.oci.image.index.v1+json")
    });
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!(
            "---\nkind: Pod\nmetadata: {{name: p{i}}}\nspec: {{containers: [{{name: c, image: \"{}/img/n{i}:1\"}}]}}\n",
            server.host()
        ));
    }
    let m = write(dir.path(), "m.yaml", &text);
    let cache = dir.path().join("cache").display().to_string();
    let (code, json, err) = run_json(&[
        "images",
        &m,
        "--plain-http",
        "--concurrency",
        "3",
        "--platform",
        "linux/arm64",
        "-o",
        "json",
        "--cache-dir",
        &cache,
    ]);
    assert_eq!(code, 0, "{json:#}{err}");
    assert_eq!(json["summary"]["ok"], 12);
    let peak = peak.load(Ordering::SeqCst);
    assert!((2..=3).contains(&peak), "peak in flight {peak}");
}
