//! `chartfix render` on the Beta9 stack end to end, nothing leaving the
//! machine: Redis and PostgreSQL from a real registry on 127.0.0.1 standing
//! in for Docker Hub (k3s `registries.yaml`), LocalStack from a local HTTP
//! chart repository (`--repo-mirror`), and a synthetic image for every image
//! the stack uses. Then the same render `--offline` must give the same bytes.
//! Without ../shared (the chart archives), it skips with a message; the
//! offline example stack has its own test (tests/stack_example.rs).

#[path = "support/chart_repo.rs"]
mod chart_repo;
mod support;

use chart_repo::{index_yaml, ChartRepo, Reply};
use std::path::{Path, PathBuf};
use std::process::Output;
use support::{chartfix, sha256_hex, skip, Registry};

fn shared_chart(file: &str) -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    [manifest.join("../shared"), manifest.join("../../shared")]
        .into_iter()
        .map(|s| s.join("corpus/charts").join(file))
        .find(|p| p.is_file())
}

/// The project's stack copied into `dir`, so that the lock file lands there.
fn copy_stack(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("stacks");
    std::fs::create_dir_all(dir.join("beta9")).unwrap();
    std::fs::copy(root.join("beta9.yaml"), dir.join("beta9.yaml")).unwrap();
    for e in std::fs::read_dir(root.join("beta9")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join("beta9").join(p.file_name().unwrap())).unwrap();
    }
    dir.join("beta9.yaml")
}

fn render(stack: &Path, cache: &Path, extra: &[&str]) -> Output {
    chartfix()
        .arg("render")
        .arg(stack)
        .arg("--cache-dir")
        .arg(cache)
        .args(extra)
        .env("HELM_REPOSITORY_CONFIG", cache.join("no-repositories.yaml"))
        .output()
        .expect("run chartfix")
}

/// Fails with a unified diff (the streams are too long to print whole).
fn same(want: &str, got: &str, what: &str) {
    if want != got {
        let diff = similar::TextDiff::from_lines(want, got)
            .unified_diff()
            .context_radius(2)
            .to_string();
        panic!("{what}:\n{diff}");
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every `image:` value in a stream.
fn images(stream: &str) -> Vec<String> {
    let mut out: Vec<String> = stream
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("- ").strip_prefix("image: "))
        .map(|s| s.trim().trim_matches('"').trim_matches('\'').to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// (repository in the mirror, tag) of a Docker Hub or registry.localhost name.
fn mirror_repo(image: &str) -> (String, String) {
    let (name, tag) = image
        .rsplit_once(':')
        .filter(|(_, t)| !t.contains('/'))
        .unwrap_or((image, "latest"));
    if let Some(path) = name.strip_prefix("registry.localhost:5000/") {
        return (path.to_string(), tag.to_string());
    }
    let path = name.strip_prefix("docker.io/").unwrap_or(name);
    // Docker Hub's official images live under library/.
    let path = if path.contains('/') {
        path.to_string()
    } else {
        format!("library/{path}")
    };
    (path, tag.to_string())
}

/// CPU requests in millicores, every container of every document.
fn cpu_requests(stream: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(stream) {
        let v: serde_yaml::Value = serde::Deserialize::deserialize(doc).unwrap();
        let name = v["metadata"]["name"].as_str().unwrap_or("").to_string();
        let spec = &v["spec"]["template"]["spec"];
        for key in ["containers", "initContainers"] {
            for c in spec[key].as_sequence().into_iter().flatten() {
                let Some(cpu) = c["resources"]["requests"]["cpu"]
                    .as_str()
                    .map(str::to_string)
                else {
                    continue;
                };
                let milli = match cpu.strip_suffix('m') {
                    Some(m) => m.parse().unwrap(),
                    None => (cpu.parse::<f64>().unwrap() * 1000.0) as u64,
                };
                out.push((name.clone(), milli));
            }
        }
    }
    out
}

#[test]
fn beta9_through_mirrors_then_offline_gives_the_same_bytes() {
    let (Some(redis), Some(postgres), Some(localstack)) = (
        shared_chart("redis-18.6.1.tgz"),
        shared_chart("postgresql-13.2.25.tgz"),
        shared_chart("localstack-0.6.5.tgz"),
    ) else {
        skip("../shared/corpus/charts is not present: the Beta9 stack needs its archives; tests/stack_example.rs covers the offline example");
        return;
    };
    let Some(reg) = Registry::start() else {
        skip("docker-registry is not installed (apt-get install docker-registry)");
        return;
    };
    for (repo, name, version, path) in [
        ("bitnamicharts/redis", "redis", "18.6.1", &redis),
        (
            "bitnamicharts/postgresql",
            "postgresql",
            "13.2.25",
            &postgres,
        ),
    ] {
        let meta = serde_json::json!({"apiVersion": "v2", "name": name, "version": version});
        reg.push_chart(repo, version, &meta, &std::fs::read(path).unwrap());
    }
    let repo = ChartRepo::start();
    let ls = std::fs::read(&localstack).unwrap();
    repo.put(
        "/index.yaml",
        Reply::ok(index_yaml(
            "localstack",
            &[(
                "0.6.5",
                &format!("{}/localstack-0.6.5.tgz", repo.url()),
                &sha256_hex(&ls),
            )],
        )),
    );
    repo.put("/localstack-0.6.5.tgz", Reply::ok(ls));

    let dir = tempfile::tempdir().unwrap();
    let stack = copy_stack(dir.path());
    let cache = dir.path().join("cache");
    let registries = reg.mirror_config(
        dir.path(),
        &format!(
            "  \"registry.localhost:5000\":\n    endpoint:\n      - \"{}\"\n",
            reg.url()
        ),
    );
    let mirror = format!("https://localstack.github.io/helm-charts={}", repo.url());
    let online = [
        "--registry-config",
        registries.to_str().unwrap(),
        "--repo-mirror",
        mirror.as_str(),
    ];

    // First the charts alone, to learn which images to seed.
    let mut args = online.to_vec();
    args.push("--skip-image-check");
    let first = render(&stack, &cache, &args);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    let used = images(&out);
    assert!(used.len() >= 5, "{used:?}");
    eprintln!("images: {used:?}");
    for image in &used {
        let (path, tag) = mirror_repo(image);
        reg.push_index(&path, &tag, &["linux/amd64", "linux/arm64"]);
    }

    // The full run: images checked for linux/arm64 through the mirror.
    let full = render(&stack, &cache, &online);
    let err = text(&full.stderr);
    assert!(full.status.success(), "{err}");
    same(&out, &text(&full.stdout), "image checks change nothing");
    assert!(err.contains("stack beta9: 5 releases"), "{err}");
    assert!(
        err.contains(&format!("images: {} checked, no problems", used.len())),
        "{err}"
    );
    assert!(
        dir.path().join("beta9.lock").is_file(),
        "lock written beside the stack"
    );

    assert!(!out.contains("kind: IngressRouteTCP"), "the route is gone");
    assert!(out.contains("nodePort: 31993") && out.contains("nodePort: 31994"));
    let cpu = cpu_requests(&out);
    assert!(!cpu.is_empty());
    assert!(cpu.iter().all(|(_, m)| *m <= 100), "{cpu:?}");
    for want in [
        "# Source: redis/redis/",
        "# Source: juicefs-redis/redis/",
        "# Source: postgresql/postgresql/",
        "# Source: localstack/localstack/",
        "# Source: beta9/beta9/gateway.yaml",
    ] {
        assert!(out.contains(want), "{want}");
    }

    // Offline, locked, the same bytes.
    let offline = render(&stack, &cache, &["--offline", "--locked"]);
    assert!(offline.status.success(), "{}", text(&offline.stderr));
    same(&out, &text(&offline.stdout), "offline render differs");

    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("beta9_render", out);
    });
}
