//! Issue 14: a fast failure on a registry that never answers.

use crate::support::{chartfix, text};
use std::path::{Path, PathBuf};
use std::process::Output;

fn render(stack: &Path, cache: &Path, args: &[String]) -> Output {
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
