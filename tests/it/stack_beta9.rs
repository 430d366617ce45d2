//! `chartfix render` on the Beta9 stack end to end, nothing leaving the
//! machine: Redis and PostgreSQL from a real registry on 127.0.0.1 standing
//! in for Docker Hub (k3s `registries.yaml`), LocalStack from a local HTTP
//! chart repository (`--repo-mirror`), and a synthetic image for every image
//! the stack uses. Then the same render `--offline` must give the same bytes.
//! Without ../shared (the chart archives), it skips with a message; the
//! offline example stack has its own test (stack_example.rs).
//!
//! The stack rendered is the copy kept with the tests,
//! `tests/fixtures/stacks/beta9.yaml` and its `beta9/` folder, never the
//! project's `stacks/beta9.yaml`, which the README invites users to edit: an
//! edit there must not break the snapshot. Refresh the copy (and the
//! snapshot) on purpose when the shipped stack changes.

use crate::support::chart_repo::{index_yaml, ChartRepo, Reply};
use crate::support::{self, chartfix, sha256_hex, skip, text, Registry};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A chart archive of the shared corpus, when it is there.
fn shared_chart(file: &str) -> Option<PathBuf> {
    support::shared()
        .map(|s| s.join("corpus/charts").join(file))
        .filter(|p| p.is_file())
}

/// The tests' own copy of the Beta9 stack.
fn fixture() -> PathBuf {
    support::project().join("tests/fixtures/stacks")
}

/// The tests' copy of the stack copied into `dir`, so that the lock file
/// lands there.
pub(crate) fn copy_stack(dir: &Path) -> PathBuf {
    let root = fixture();
    std::fs::create_dir_all(dir.join("beta9")).unwrap();
    std::fs::copy(root.join("beta9.yaml"), dir.join("beta9.yaml")).unwrap();
    for e in std::fs::read_dir(root.join("beta9")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join("beta9").join(p.file_name().unwrap())).unwrap();
    }
    dir.join("beta9.yaml")
}

pub(crate) fn render(stack: &Path, cache: &Path, extra: &[&str]) -> Output {
    // Run beside the copy, where no ./stacks/ folder can be consulted (a
    // relative cache, $BENCH_CACHE's, is taken from here first).
    let beside = stack.parent().expect("the copy is in a folder");
    let cache = std::path::absolute(cache).expect("the cache folder's path");
    chartfix()
        .current_dir(beside)
        .arg("render")
        .arg(stack)
        .arg("--cache-dir")
        .arg(&cache)
        .args(extra)
        .env("HELM_REPOSITORY_CONFIG", cache.join("no-repositories.yaml"))
        .output()
        .expect("run chartfix")
}

/// Fails with a unified diff (the streams are too long to print whole).
pub(crate) fn same(want: &str, got: &str, what: &str) {
    if want != got {
        let diff = similar::TextDiff::from_lines(want, got)
            .unified_diff()
            .context_radius(2)
            .to_string();
        panic!("{what}:\n{diff}");
    }
}

/// Every `image:` value in a stream.
pub(crate) fn images(stream: &str) -> Vec<String> {
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
pub(crate) fn mirror_repo(image: &str) -> (String, String) {
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
    for doc in yaml_serde::Deserializer::from_str(stream) {
        let v: yaml_serde::Value = serde::Deserialize::deserialize(doc).unwrap();
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

/// The public places of the stack's charts, served on 127.0.0.1.
pub(crate) struct Mirrors {
    pub(crate) reg: Registry,
    _repo: ChartRepo,
    registries: PathBuf,
    repo_mirror: String,
}

impl Mirrors {
    pub(crate) fn args(&self) -> Vec<&str> {
        vec![
            "--registry-config",
            self.registries.to_str().unwrap(),
            "--repo-mirror",
            self.repo_mirror.as_str(),
        ]
    }
}

/// Seeds a registry (Docker Hub's stand-in) with Redis and PostgreSQL and a
/// chart repository with LocalStack; `None` (after saying why) when the
/// archives or `docker-registry` are missing.
pub(crate) fn mirrors(dir: &Path) -> Option<Mirrors> {
    let (Some(redis), Some(postgres), Some(localstack)) = (
        shared_chart("redis-18.6.1.tgz"),
        shared_chart("postgresql-13.2.25.tgz"),
        shared_chart("localstack-0.6.5.tgz"),
    ) else {
        skip("../shared/corpus/charts is not present: the Beta9 stack needs its archives; stack_example.rs covers the offline example");
        return None;
    };
    let Some(reg) = Registry::start() else {
        skip("docker-registry is not installed (apt-get install docker-registry)");
        return None;
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
    let registries = reg.mirror_config(
        dir,
        &format!(
            "  \"registry.localhost:5000\":\n    endpoint:\n      - \"{}\"\n",
            reg.url()
        ),
    );
    let repo_mirror = format!("https://localstack.github.io/helm-charts={}", repo.url());
    Some(Mirrors {
        reg,
        _repo: repo,
        registries,
        repo_mirror,
    })
}

/// Not a test: fills the chart cache at $BENCH_CACHE for `.ci/bench-render`.
#[test]
#[ignore]
fn warm_cache_for_bench() {
    let Some(cache) = std::env::var_os("BENCH_CACHE") else {
        skip("set BENCH_CACHE to the cache folder to fill");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let Some(m) = mirrors(dir.path()) else { return };
    let stack = copy_stack(dir.path());
    let mut args = m.args();
    args.push("--skip-image-check");
    let o = render(&stack, Path::new(&cache), &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn beta9_through_mirrors_then_offline_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let Some(m) = mirrors(dir.path()) else { return };
    let reg = &m.reg;
    let stack = copy_stack(dir.path());
    let cache = dir.path().join("cache");
    let online = m.args();

    // First the charts alone, to learn which images to seed.
    let mut args = online.to_vec();
    args.push("--skip-image-check");
    let first = render(&stack, &cache, &args);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    let used = images(&out);
    assert!(used.len() >= 5, "{used:?}");
    eprintln!("images: {used:?}");

    // Before the images exist: the manifests are still printed, the problems
    // reported, and the exit status is 1. (A cache of its own, since image
    // results are cached.)
    let unseeded = render(&stack, &dir.path().join("cache-unseeded"), &online);
    assert_eq!(
        unseeded.status.code(),
        Some(1),
        "{}",
        text(&unseeded.stderr)
    );
    same(
        &out,
        &text(&unseeded.stdout),
        "manifests printed before the exit status",
    );
    assert!(text(&unseeded.stderr).contains("missing-repository"));
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
        err.contains(&format!(
            "Images: {} images checked, no problems",
            used.len()
        )),
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
    assert!(!err.contains("never read"), "{err}");

    // The stack as it was before issue 16: PostgreSQL's persistence.size at
    // the top level, where the chart reads nothing. Named, with the key the
    // chart reads; an error for CI.
    let fixed = std::fs::read_to_string(&stack).unwrap();
    let comment = "        # The chart reads primary.persistence.size; a top-level\n        \
                   # persistence.size is read by nothing (chartfix names such values).\n";
    let before = fixed.replace(comment, "").replace(
        "        persistence:\n          size: 1Gi\n  - name: localstack",
        "      persistence:\n        size: 1Gi\n  - name: localstack",
    );
    assert_ne!(before, fixed, "the fixture changed: update the test");
    let old = dir.path().join("old.yaml");
    std::fs::write(&old, before).unwrap();
    let unfixed = render(
        &old,
        &cache,
        &["--offline", "--no-lock", "--unused-values", "error"],
    );
    let err = text(&unfixed.stderr);
    assert_eq!(unfixed.status.code(), Some(1), "{err}");
    let want = format!(
        "error: release postgresql: persistence.size ({}:64:9) is never read; the chart reads primary.persistence.size",
        old.display()
    );
    assert!(err.contains(&want), "{err}");
    assert_eq!(err.matches("never read").count(), 1, "{err}");

    support::snapshot("beta9_render", &out);
}

/// The Beta9 authors' own k3s manifests: a folder of raw manifests is a
/// stack, and each of its HelmCharts becomes the chart it names, rendered.
#[test]
fn beta9_k3d_folder_expands_its_helmcharts() {
    let Some(folder) = support::shared_path("corpus/beta9-k3d") else {
        return;
    };
    let charts: Vec<(&str, &str, PathBuf)> = [
        ("redis", "18.6.1", "redis-18.6.1.tgz"),
        ("postgresql", "13.2.25", "postgresql-13.2.25.tgz"),
        ("localstack", "0.6.5", "localstack-0.6.5.tgz"),
    ]
    .into_iter()
    .filter_map(|(n, v, f)| shared_chart(f).map(|p| (n, v, p)))
    .collect();
    if charts.len() < 3 {
        skip("../shared/corpus/charts lacks the archives the HelmCharts name");
        return;
    }
    // One local repository stands in for both public ones.
    let repo = ChartRepo::start();
    let mut index = String::from("apiVersion: v1\nentries:\n");
    for (name, version, path) in &charts {
        let bytes = std::fs::read(path).unwrap();
        let file = format!("{name}-{version}.tgz");
        index.push_str(&format!(
            "  {name}:\n  - apiVersion: v2\n    name: {name}\n    version: {version}\n    urls:\n    - {}/{file}\n    digest: {}\n",
            repo.url(),
            sha256_hex(&bytes)
        ));
        repo.put(&format!("/{file}"), Reply::ok(bytes));
    }
    repo.put("/index.yaml", Reply::ok(index));
    let dir = tempfile::tempdir().unwrap();
    // Copied, so the lock file lands in the temporary folder.
    let stack = dir.path().join("beta9-k3d");
    std::fs::create_dir_all(&stack).unwrap();
    for e in std::fs::read_dir(&folder).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, stack.join(p.file_name().unwrap())).unwrap();
    }
    let bitnami = format!("https://charts.bitnami.com/bitnami={}", repo.url());
    let localstack = format!("https://localstack.github.io/helm-charts={}", repo.url());
    let o = render(
        &stack,
        &dir.path().join("cache"),
        &[
            "--repo-mirror",
            &bitnami,
            "--repo-mirror",
            &localstack,
            "--skip-image-check",
        ],
    );
    let out = text(&o.stdout);
    let err = text(&o.stderr);
    assert!(!out.is_empty(), "{err}");
    assert!(!out.contains("kind: HelmChart"), "every HelmChart expanded");
    for want in [
        "# Source: beta9-k3d/beta9.yaml",
        "# Source: redis/redis/templates/master/application.yaml",
        "# Source: postgres/postgresql/templates/primary/statefulset.yaml",
        "# Source: juicefs-redis/redis/templates/master/application.yaml",
        "# Source: localstack/localstack/templates/deployment.yaml",
    ] {
        assert!(out.contains(want), "{want} missing; stderr: {err}");
    }
    assert!(
        err.contains("HelmCharts expanded: redis 18.6.1, postgres 13.2.25, juicefs-redis 18.6.1, localstack 0.6.5"),
        "{err}"
    );
    // The Beta9 authors' own HelmChart makes the mistake issue 16 is about:
    // its PostgreSQL valuesContent sets persistence at the top level, where
    // the chart reads nothing. Named at its line in their manifest.
    for want in [
        "warning: release postgres: persistence.enabled (beta9.yaml:228:7) is never read; the chart reads primary.persistence.enabled",
        "warning: release postgres: persistence.size (beta9.yaml:229:7) is never read; the chart reads primary.persistence.size",
    ] {
        assert!(err.contains(want), "{want} missing; stderr: {err}");
    }
    assert_eq!(err.matches("never read").count(), 2, "{err}");
    // A folder stack writes no lock beside itself unless asked.
    assert!(!dir.path().join("beta9-k3d.lock").exists());
}

/// The copy the snapshot test renders stands alone, without `../shared`: it
/// is a valid stack of the five releases the snapshot holds, and every
/// manifest it names is in the copy, so nothing in the project's `stacks/`
/// is read.
#[test]
fn beta9_snapshot_uses_its_own_copy_of_the_stack() {
    let file = fixture().join("beta9.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let stack = chartfix::stack::file::parse("beta9.yaml", &text).unwrap();
    let names: Vec<&str> = stack.releases.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "beta9",
            "redis",
            "juicefs-redis",
            "postgresql",
            "localstack"
        ]
    );
    for entry in stack.releases.iter().flat_map(|r| &r.manifests) {
        let path = fixture().join(entry);
        assert!(path.exists(), "{} is not in the copy", path.display());
    }
    // copy_stack takes the copy, folder included, and nothing else.
    let dir = tempfile::tempdir().unwrap();
    let copied = copy_stack(dir.path());
    assert_eq!(std::fs::read_to_string(&copied).unwrap(), text);
    for f in ["namespace.yaml", "gateway.yaml", "proxy.yaml"] {
        assert_eq!(
            std::fs::read(dir.path().join("beta9").join(f)).unwrap(),
            std::fs::read(fixture().join("beta9").join(f)).unwrap(),
            "{f}"
        );
    }
}
