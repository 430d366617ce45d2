//! Issue 14: a lock that does not depend on what the cache held, a fast
//! failure on a registry that never answers, and the offline path through
//! `chartfix cache import`. Public places are served on 127.0.0.1: a chart
//! repository standing in for Bitnami's (its index lacks the old Redis, as
//! Bitnami's does) and a real registry standing in for Docker Hub.

use crate::support::chart_repo::{chart_tgz, index_yaml, ChartRepo, Reply};
use crate::support::{chartfix, sha256_hex, skip, text, Registry};
use std::path::{Path, PathBuf};
use std::process::Output;

const STACK: &str = "name: bn
namespace: bn
releases:
  - name: cache
    chart: redis
    repo: https://charts.bitnami.com/bitnami
    version: 18.6.1
  - name: app
    chart: app
    repo: https://charts.example.com/stable
    version: 1.0.0
  - name: db
    chart: oci://registry-1.docker.io/bitnamicharts/postgresql
    version: 13.2.25
";

/// The stack's public places on loopback, and the flags that point there.
pub(crate) struct Places {
    pub _reg: Registry,
    pub repo: ChartRepo,
    pub registries: PathBuf,
    /// (name, version, archive bytes) of every chart the stack uses.
    pub charts: Vec<(&'static str, &'static str, Vec<u8>)>,
}

impl Places {
    pub(crate) fn start(dir: &Path) -> Option<Places> {
        let Some(reg) = Registry::start() else {
            skip("docker-registry is not installed (apt-get install docker-registry)");
            return None;
        };
        let redis = chart_tgz("redis", "18.6.1");
        let postgres = chart_tgz("postgresql", "13.2.25");
        let app = chart_tgz("app", "1.0.0");
        for (repo, name, version, bytes) in [
            ("bitnamicharts/redis", "redis", "18.6.1", &redis),
            (
                "bitnamicharts/postgresql",
                "postgresql",
                "13.2.25",
                &postgres,
            ),
        ] {
            let meta = serde_json::json!({"apiVersion": "v2", "name": name, "version": version});
            reg.push_chart(repo, version, &meta, bytes);
        }
        let repo = ChartRepo::start();
        // One repository stands in for both public ones: it lists `app` and a
        // newer Redis, not 18.6.1, as Bitnami's index no longer does.
        let mut index = index_yaml(
            "app",
            &[(
                "1.0.0",
                &format!("{}/app-1.0.0.tgz", repo.url()),
                &sha256_hex(&app),
            )],
        );
        index = index.replace(
            "generated:",
            &format!(
                "  redis:\n  - apiVersion: v2\n    name: redis\n    version: 99.0.0\n    urls:\n    - {}/redis-99.0.0.tgz\n    digest: {}\ngenerated:",
                repo.url(),
                sha256_hex(b"not served")
            ),
        );
        repo.put("/index.yaml", Reply::ok(index));
        repo.put("/app-1.0.0.tgz", Reply::ok(app.clone()));
        let registries = reg.mirror_config(dir, "");
        Some(Places {
            _reg: reg,
            repo,
            registries,
            charts: vec![
                ("redis", "18.6.1", redis),
                ("postgresql", "13.2.25", postgres),
                ("app", "1.0.0", app),
            ],
        })
    }

    pub(crate) fn args(&self) -> Vec<String> {
        vec![
            "--registry-config".into(),
            self.registries.display().to_string(),
            "--repo-mirror".into(),
            format!("https://charts.bitnami.com/bitnami={}", self.repo.url()),
            "--repo-mirror".into(),
            format!("https://charts.example.com/stable={}", self.repo.url()),
        ]
    }
}

pub(crate) fn write_stack(dir: &Path) -> PathBuf {
    let path = dir.join("bn.yaml");
    std::fs::write(&path, STACK).unwrap();
    path
}

pub(crate) fn render(stack: &Path, cache: &Path, args: &[String]) -> Output {
    chartfix()
        .arg("render")
        .arg(stack)
        .arg("--cache-dir")
        .arg(cache)
        .arg("--skip-image-check")
        .args(args)
        .env("HELM_REPOSITORY_CONFIG", cache.join("no-repositories.yaml"))
        .output()
        .expect("run chartfix")
}

#[test]
fn the_lock_is_the_same_on_cold_and_warm_caches_and_locked_passes_on_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let Some(p) = Places::start(dir.path()) else {
        return;
    };
    let stack = write_stack(dir.path());
    let lock = dir.path().join("bn.lock");
    let cache = dir.path().join("cache");

    // Cold: Redis 18.6.1 comes from the OCI fallback.
    let cold = render(&stack, &cache, &p.args());
    assert!(cold.status.success(), "{}", text(&cold.stderr));
    assert!(
        text(&cold.stderr).contains(&format!("wrote {}", lock.display())),
        "{}",
        text(&cold.stderr)
    );
    let cold_lock = std::fs::read_to_string(&lock).unwrap();
    assert!(
        cold_lock.contains(
            "- release: cache\n  chart: https://charts.bitnami.com/bitnami/redis\n  from: oci://docker.io/bitnamicharts/redis\n  version: 18.6.1\n"
        ),
        "{cold_lock}"
    );
    assert!(
        cold_lock.contains("chart: https://charts.example.com/stable/app\n  version: 1.0.0"),
        "{cold_lock}"
    );
    assert!(
        !cold_lock.contains("127.0.0.1"),
        "no mirror in the lock: {cold_lock}"
    );

    // Warm: the cache answers; the lock it makes is the same, byte for byte.
    let warm_lock = dir.path().join("warm.lock");
    let mut args = p.args();
    args.extend(["--lock".into(), warm_lock.display().to_string()]);
    let warm = render(&stack, &cache, &args);
    assert!(warm.status.success(), "{}", text(&warm.stderr));
    assert_eq!(text(&warm.stdout), text(&cold.stdout));
    assert_eq!(std::fs::read_to_string(&warm_lock).unwrap(), cold_lock);
    // Offline on the warm cache, and --locked: the same.
    let mut args = vec!["--offline".to_string(), "--locked".into()];
    let offline = render(&stack, &cache, &args);
    assert!(offline.status.success(), "{}", text(&offline.stderr));
    assert_eq!(text(&offline.stdout), text(&cold.stdout));

    // A fresh cache, --locked: passes, and the lock is left as it was.
    args = p.args();
    args.push("--locked".into());
    let fresh = render(&stack, &dir.path().join("fresh"), &args);
    assert!(fresh.status.success(), "{}", text(&fresh.stderr));
    assert_eq!(text(&fresh.stdout), text(&cold.stdout));
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), cold_lock);

    // Resolution that moves is still caught: a lock naming another digest.
    std::fs::write(
        &lock,
        cold_lock.replacen("digest: sha256:", "digest: sha256:0", 1),
    )
    .unwrap();
    let moved = render(&stack, &cache, &["--offline".into(), "--locked".into()]);
    assert_eq!(moved.status.code(), Some(1), "{}", text(&moved.stderr));
    assert!(text(&moved.stderr).contains("resolution differs"));
    assert!(moved.stdout.is_empty());
}

/// A loopback server that accepts connections and never answers, until
/// dropped (or 120 s have passed).
struct Hanging {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<usize>>,
}

impl Hanging {
    fn start() -> Hanging {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut held = Vec::new();
            while !flag.load(Ordering::Relaxed) && started.elapsed().as_secs() < 120 {
                match listener.accept() {
                    Ok((conn, _)) => held.push(conn),
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
                }
            }
            held.len()
        });
        Hanging {
            port,
            stop,
            thread: Some(thread),
        }
    }

    /// Connections accepted so far (and the server stopped).
    fn stop(&mut self) -> usize {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.take().map_or(0, |t| t.join().unwrap_or(0))
    }
}

impl Drop for Hanging {
    fn drop(&mut self) {
        self.stop();
    }
}

fn hanging_stack(dir: &Path, chart: &str) -> PathBuf {
    let path = dir.join("hang.yaml");
    std::fs::write(
        &path,
        format!(
            "name: hang\nnamespace: hang\nreleases:\n  - name: app\n{chart}    version: 1.0.0\n"
        ),
    )
    .unwrap();
    path
}

fn timed_render(stack: &Path, cache: &Path, args: &[&str]) -> (Output, std::time::Duration) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let start = std::time::Instant::now();
    let o = render(stack, cache, &args);
    (o, start.elapsed())
}

#[test]
fn a_server_that_never_answers_fails_render_fast_naming_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Hanging::start();
    let repo = format!("http://127.0.0.1:{}/charts", server.port);
    let cache = dir.path().join("cache");

    // An HTTP chart repository: --timeout 5, three tries, well under 20 s.
    let stack = hanging_stack(dir.path(), &format!("    chart: app\n    repo: {repo}\n"));
    let (o, took) = timed_render(&stack, &cache, &["--timeout", "5"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(o.stdout.is_empty());
    assert!(took.as_secs() < 20, "took {took:?}: {err}");
    assert!(took.as_secs() >= 5, "took {took:?}: it did wait: {err}");
    assert!(err.contains(&format!("{repo}/index.yaml")), "{err}");
    assert!(err.contains("within 5s"), "{err}");

    // The overall deadline cuts a long per-request timeout short.
    let (o, took) = timed_render(&stack, &cache, &["--timeout", "60", "--deadline", "3"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(took.as_secs() < 10, "took {took:?}: {err}");
    assert!(err.contains(&format!("{repo}/index.yaml")), "{err}");
    assert!(err.contains("deadline of 3s ran out"), "{err}");

    // An OCI registry on the same port, no mirror in between.
    let stack = hanging_stack(
        dir.path(),
        &format!("    chart: oci://127.0.0.1:{}/charts/app\n", server.port),
    );
    let (o, took) = timed_render(&stack, &cache, &["--timeout", "5", "--plain-http"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(took.as_secs() < 20, "took {took:?}: {err}");
    assert!(
        err.contains(&format!("http://127.0.0.1:{}/v2/charts/app/", server.port)),
        "{err}"
    );
    assert!(server.stop() >= 3, "the server was asked");
}

fn cache_cmd(cache: &Path, args: &[&str]) -> Output {
    chartfix()
        .arg("cache")
        .args(args)
        .arg("--cache-dir")
        .arg(cache)
        .output()
        .expect("run chartfix")
}

#[test]
fn cache_import_then_offline_render_gives_the_online_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let Some(p) = Places::start(dir.path()) else {
        return;
    };
    let stack = write_stack(dir.path());
    let online = render(&stack, &dir.path().join("online"), &p.args());
    assert!(online.status.success(), "{}", text(&online.stderr));
    assert!(dir.path().join("bn.lock").is_file());
    // The archives, carried over by hand; every server stopped.
    let charts = dir.path().join("charts");
    std::fs::create_dir(&charts).unwrap();
    for (name, version, bytes) in &p.charts {
        std::fs::write(charts.join(format!("{name}-{version}.tgz")), bytes).unwrap();
    }
    drop(p);

    let cache = dir.path().join("air-gapped");
    let stack_arg = stack.to_str().unwrap();
    let imported = cache_cmd(
        &cache,
        &["import", charts.to_str().unwrap(), "--stack", stack_arg],
    );
    let out = text(&imported.stdout);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    for want in [
        "as https://charts.bitnami.com/bitnami/redis 18.6.1 (sha256:",
        "as oci://docker.io/bitnamicharts/redis 18.6.1 (sha256:",
        "as oci://docker.io/bitnamicharts/postgresql 13.2.25 (sha256:",
        "as https://charts.example.com/stable/app 1.0.0 (sha256:",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    let offline = render(&stack, &cache, &["--offline".into(), "--locked".into()]);
    assert!(offline.status.success(), "{}", text(&offline.stderr));
    assert_eq!(text(&offline.stdout), text(&online.stdout));

    // An archive no lock names is refused, naming what the lock expects.
    let stray = dir.path().join("stray");
    std::fs::create_dir(&stray).unwrap();
    std::fs::write(stray.join("app.tgz"), chart_tgz("app", "1.0.1")).unwrap();
    let refused = cache_cmd(
        &cache,
        &["import", stray.to_str().unwrap(), "--stack", stack_arg],
    );
    assert_eq!(refused.status.code(), Some(1));
    let err = text(&refused.stderr);
    assert!(err.contains("no lock names app 1.0.1"), "{err}");
    assert!(err.contains("--as REF"), "{err}");
    let mut other = chart_tgz("app", "1.0.0");
    other.extend_from_slice(b"\0\0\0\0");
    std::fs::write(stray.join("app.tgz"), &other).unwrap();
    let refused = cache_cmd(
        &cache,
        &["import", stray.to_str().unwrap(), "--stack", stack_arg],
    );
    let err = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(
        err.contains("matches no locked digest")
            && err.contains("expects https://charts.example.com/stable/app 1.0.0 as sha256:"),
        "{err}"
    );
    // --as files it anyway; list shows it; prune removes what no lock names.
    let forced = cache_cmd(
        &cache,
        &[
            "import",
            stray.join("app.tgz").to_str().unwrap(),
            "--as",
            "https://charts.example.com/testing/app",
        ],
    );
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    let list = cache_cmd(&cache, &["list"]);
    let listed = text(&list.stdout);
    assert!(list.status.success());
    assert!(listed.starts_with("REFERENCE"), "{listed}");
    assert_eq!(listed.lines().count(), 6, "{listed}");
    assert!(
        listed.contains("https://charts.example.com/testing/app") && listed.contains(" UTC"),
        "{listed}"
    );
    let pruned = cache_cmd(&cache, &["prune", stack_arg]);
    assert!(pruned.status.success(), "{}", text(&pruned.stderr));
    assert_eq!(
        text(&pruned.stdout).lines().collect::<Vec<_>>(),
        [format!(
            "removed https://charts.example.com/testing/app 1.0.0 (sha256:{})",
            sha256_hex(&other)
        )]
    );
    assert_eq!(
        text(&cache_cmd(&cache, &["list"]).stdout).lines().count(),
        5
    );
    let offline = render(&stack, &cache, &["--offline".into(), "--locked".into()]);
    assert_eq!(text(&offline.stdout), text(&online.stdout));

    // `fetch` of a local archive says it needs no fetching, and caches nothing.
    let before = std::fs::read_dir(cache.join("charts/blobs/sha256"))
        .unwrap()
        .count();
    let fetched = chartfix()
        .args([
            "fetch",
            stray.join("app.tgz").to_str().unwrap(),
            "--cache-dir",
        ])
        .arg(&cache)
        .output()
        .unwrap();
    assert!(fetched.status.success(), "{}", text(&fetched.stderr));
    assert!(text(&fetched.stderr).contains("needs no fetching"));
    assert!(!text(&fetched.stdout).contains("cached: fetched"));
    assert_eq!(
        std::fs::read_dir(cache.join("charts/blobs/sha256"))
            .unwrap()
            .count(),
        before
    );
}
