//! Failing registries and repositories: a fault-injecting proxy
//! (support/faults.rs) in front of the real test registry and the HTTP chart
//! repository, and the commands users run through it (`fetch`, `template`,
//! `images`). For each fault: how many times each URL was asked (3 tries for
//! what is transient, one for what is not), exit status 1 with an error that
//! names the URL and what to do, nothing on stdout, and a cache that is
//! unchanged after a failure and right after a successful retry.

use crate::support::chart_repo::{chart_tgz, index_yaml, ChartRepo, Reply};
use crate::support::{
    chartfix, digest_of, free_port, sha256_hex, skip, Fault, LatencyProxy, Registry,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

const CHART: &str = "charts/app";
const IMAGE: &str = "library/webapp";

/// A registry holding chart `app` 1.0.0 and image `webapp:1.0`, a chart
/// repository serving the same chart, a faulty proxy in front of each, and
/// an empty cache.
struct Fixture {
    _reg: Registry,
    _repo: ChartRepo,
    oci: LatencyProxy,
    http: LatencyProxy,
    /// Holds the cache (`cache/`) and the manifests given to `images`.
    dir: tempfile::TempDir,
    archive: Vec<u8>,
    layer: String,
}

impl Fixture {
    fn new() -> Option<Fixture> {
        let Some(reg) = Registry::start() else {
            skip("docker-registry is not installed (apt-get install docker-registry)");
            return None;
        };
        let archive = chart_tgz("app", "1.0.0");
        let meta = serde_json::json!({"apiVersion": "v2", "name": "app", "version": "1.0.0"});
        reg.push_chart(CHART, "1.0.0", &meta, &archive);
        reg.push_image(IMAGE, "1.0", "linux/amd64");
        let repo = ChartRepo::start();
        let digest = sha256_hex(&archive);
        repo.put(
            "/index.yaml",
            Reply::ok(index_yaml("app", &[("1.0.0", "app-1.0.0.tgz", &digest)])),
        );
        repo.put("/app-1.0.0.tgz", Reply::ok(archive.clone()));
        let oci = LatencyProxy::faulty(&reg.host());
        let http = LatencyProxy::faulty(&repo.url().replace("http://", ""));
        Some(Fixture {
            layer: digest_of(&archive),
            _reg: reg,
            _repo: repo,
            oci,
            http,
            dir: tempfile::tempdir().unwrap(),
            archive,
        })
    }

    fn cache(&self) -> std::path::PathBuf {
        self.dir.path().join("cache")
    }

    /// A pod manifest using `image`, written beside the cache.
    fn pod(&self, image: &str) -> String {
        let p = self.dir.path().join("pod.yaml");
        std::fs::write(
            &p,
            format!("kind: Pod\nmetadata: {{name: p}}\nspec: {{containers: [{{name: c, image: \"{image}\"}}]}}\n"),
        )
        .unwrap();
        p.display().to_string()
    }

    fn oci_ref(&self) -> String {
        format!("oci://{}/{CHART}", self.oci.host())
    }

    fn run(&self, args: &[&str]) -> Output {
        chartfix()
            .args(args)
            .env("CHARTFIX_CACHE", self.cache())
            .env(
                "HELM_REPOSITORY_CONFIG",
                self.dir.path().join("no-repositories.yaml"),
            )
            .output()
            .expect("run chartfix")
    }

    /// `chartfix fetch` (or `template`) of the OCI chart, `--timeout` given.
    fn oci(&self, command: &str, timeout: &str) -> Output {
        let r = self.oci_ref();
        let mut args = vec![command];
        if command == "template" {
            args.push("rel");
        }
        args.extend([&r, "--version", "1.0.0", "--plain-http", "-q"]);
        args.extend(["--timeout", timeout]);
        self.run(&args)
    }

    /// `chartfix fetch` (or `template`) of the chart in the HTTP repository.
    fn repo(&self, command: &str, timeout: &str) -> Output {
        let url = self.http.url();
        let mut args = vec![command];
        if command == "template" {
            args.push("rel");
        }
        args.extend(["app", "--repo", &url, "--version", "1.0.0", "-q"]);
        args.extend(["--timeout", timeout]);
        self.run(&args)
    }

    /// `chartfix images -o json` on a pod using `webapp:1.0` through the proxy.
    fn images(&self, timeout: &str) -> (Output, serde_json::Value) {
        let m = self.pod(&format!("{}/{IMAGE}:1.0", self.oci.host()));
        let o = self.run(&[
            "images",
            &m,
            "--plain-http",
            "-o",
            "json",
            "--platform",
            "linux/amd64",
            "--timeout",
            timeout,
        ]);
        let json: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&o)));
        (o, json["images"][0].clone())
    }

    /// Every file in the cache and its digest.
    fn snapshot(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let root = self.cache();
        walk(&root, &root, &mut out);
        out
    }

    /// After a successful fetch: the archive in the blob store, byte for
    /// byte, one record naming it, no temporary files.
    fn assert_cached(&self, record_for: &str) {
        let snap = self.snapshot();
        let blob = format!(
            "charts/blobs/sha256/{}.tgz",
            self.layer.trim_start_matches("sha256:")
        );
        assert_eq!(
            snap.get(&blob),
            Some(&sha256_hex(&self.archive)),
            "archive not cached whole: {snap:#?}"
        );
        let records: Vec<&String> = snap
            .keys()
            .filter(|k| k.starts_with("charts/refs/"))
            .collect();
        assert_eq!(records.len(), 1, "{snap:#?}");
        let text = std::fs::read_to_string(self.cache().join(records[0])).unwrap();
        assert!(text.contains(&self.layer), "{text}");
        assert!(text.contains(record_for), "{text}");
        assert!(
            !snap.keys().any(|k| k.starts_with("charts/tmp/")),
            "temporary files left: {snap:#?}"
        );
    }
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            out.insert(rel, sha256_hex(&std::fs::read(&p).unwrap_or_default()));
        }
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Exit status 1, nothing on stdout, one `Error:` on stderr containing every
/// one of `wanted` (case-insensitively), and no panic.
fn assert_fails(o: &Output, wanted: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{}", text(o));
    assert!(o.stdout.is_empty(), "stdout after an error: {}", text(o));
    assert!(err.starts_with("Error: "), "{}", text(o));
    assert!(!err.contains("panicked"), "{}", text(o));
    let lower = err.to_lowercase();
    for w in wanted {
        assert!(lower.contains(&w.to_lowercase()), "no {w:?} in {err}");
    }
}

fn assert_ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", text(o));
    assert!(!o.stdout.is_empty(), "{}", text(o));
}

fn manifest_path() -> String {
    format!("/v2/{CHART}/manifests/1.0.0")
}

#[test]
fn connection_refused_is_tried_three_times_then_reported() {
    let Some(f) = Fixture::new() else { return };
    let dead = format!("127.0.0.1:{}", free_port());
    let before = f.snapshot();
    // Nothing listens: only the time spent in backoff (0.3 s, then 0.6 s,
    // each plus jitter) and the message show the retries.
    let start = Instant::now();
    let o = f.run(&[
        "fetch",
        &format!("oci://{dead}/{CHART}"),
        "--version",
        "1.0.0",
        "--plain-http",
        "-q",
        "--timeout",
        "5",
    ]);
    assert!(start.elapsed() >= Duration::from_millis(850), "no backoff");
    assert_fails(
        &o,
        &[
            &format!("http://{dead}/v2/{CHART}/manifests/1.0.0"),
            "refused",
            "after 3 tries",
            "check the network",
        ],
    );
    let o = f.run(&[
        "template",
        "rel",
        "app",
        "--repo",
        &format!("http://{dead}"),
        "--version",
        "1.0.0",
        "--timeout",
        "5",
    ]);
    assert_fails(
        &o,
        &[
            &format!("http://{dead}/index.yaml"),
            "refused",
            "after 3 tries",
            "--repo-mirror",
        ],
    );
    assert_eq!(f.snapshot(), before, "cache changed");

    let pod = f.pod(&format!("{dead}/{IMAGE}:1.0"));
    let o = f.run(&["images", &pod, "--plain-http", "-o", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let report = &json["images"][0];
    assert_eq!(report["status"], "error", "{report:#}");
    let msg = report["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains(&dead) && msg.contains("after 3 tries"),
        "{msg}"
    );
    assert!(!f.cache().join("images").exists(), "an outage was cached");
}

#[test]
fn dropped_connections_are_retried_and_a_later_success_is_cached() {
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    f.oci
        .inject(Fault::drop_connection().on(&manifest_path()).always());
    let o = f.oci("fetch", "5");
    assert_fails(&o, &[&manifest_path(), "after 3 tries"]);
    assert_eq!(f.oci.count(&manifest_path()), 3, "{:#?}", f.oci.log());
    assert_eq!(f.snapshot(), before, "cache changed");

    f.oci.reset();
    f.oci
        .inject(Fault::drop_connection().on("/blobs/").times(2));
    let o = f.oci("fetch", "5");
    assert_ok(&o);
    f.assert_cached("oci://");
}

#[test]
fn server_errors_are_retried_three_times() {
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    for status in [500, 502, 503] {
        f.oci.reset();
        f.oci.inject(
            Fault::status(status)
                .body("upstream trouble")
                .on(&manifest_path())
                .always(),
        );
        let o = f.oci("fetch", "5");
        assert_fails(
            &o,
            &[
                &manifest_path(),
                &format!("HTTP {status}"),
                "upstream trouble",
                "after 3 tries",
                "try again later",
            ],
        );
        assert_eq!(f.oci.count(&manifest_path()), 3, "{status}");

        f.http.reset();
        f.http
            .inject(Fault::status(status).on("/index.yaml").always());
        let o = f.repo("template", "5");
        assert_fails(
            &o,
            &[
                &format!("{}/index.yaml", f.http.url()),
                &format!("HTTP {status}"),
                "after 3 tries",
            ],
        );
        assert_eq!(f.http.count("/index.yaml"), 3, "{status}");
    }
    assert_eq!(f.snapshot(), before, "cache changed");

    // Twice 503, then the real answer: fetched and cached.
    f.http.reset();
    f.http.inject(Fault::status(503).on(".tgz").times(2));
    let o = f.repo("fetch", "5");
    assert_ok(&o);
    assert_eq!(f.http.count(".tgz"), 3);
    f.assert_cached(&f.http.url());

    // `images`: the error is reported per image, and not remembered.
    f.oci.reset();
    f.oci.inject(Fault::status(503).on("/manifests/").always());
    let (o, report) = f.images("5");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(report["status"], "error", "{report:#}");
    let msg = report["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("HTTP 503") && msg.contains("after 3 tries"),
        "{msg}"
    );
    assert_eq!(f.oci.count(&format!("/v2/{IMAGE}/manifests/1.0")), 3);
    f.oci.reset();
    let (o, report) = f.images("5");
    assert_eq!(o.status.code(), Some(0), "{report:#}");
    assert_eq!(report["status"], "ok", "{report:#}");
}

#[test]
fn rate_limits_honour_retry_after() {
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    // Told to wait a second each time, three times: it waits twice, then
    // reports the limit.
    f.oci.inject(
        Fault::status(429)
            .header("retry-after", "1")
            .on(&manifest_path())
            .always(),
    );
    let start = Instant::now();
    let o = f.oci("fetch", "5");
    assert!(
        start.elapsed() >= Duration::from_secs(2),
        "Retry-After ignored"
    );
    assert_fails(
        &o,
        &[
            &manifest_path(),
            "rate limited",
            "after 3 tries",
            "wait and run again",
        ],
    );
    assert_eq!(f.oci.count(&manifest_path()), 3);

    // A wait longer than chartfix is willing to (20 s) is reported at once.
    f.oci.reset();
    f.oci.inject(
        Fault::status(429)
            .header("retry-after", "3600")
            .on(&manifest_path())
            .always(),
    );
    let o = f.oci("fetch", "5");
    assert_fails(&o, &[&manifest_path(), "rate limited", "3600"]);
    assert_eq!(f.oci.count(&manifest_path()), 1);

    f.http.inject(
        Fault::status(429)
            .header("retry-after", "3600")
            .on("/index.yaml"),
    );
    let o = f.repo("fetch", "5");
    assert_fails(&o, &["/index.yaml", "rate limited", "3600"]);
    assert_eq!(f.http.count("/index.yaml"), 1);
    assert_eq!(f.snapshot(), before, "cache changed");

    // Once refused, with Retry-After: 1: waited for, then fetched.
    f.http.reset();
    f.http.inject(
        Fault::status(429)
            .header("retry-after", "1")
            .on("/index.yaml"),
    );
    let start = Instant::now();
    let o = f.repo("template", "5");
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After ignored"
    );
    assert_ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("kind: ConfigMap"));
    assert_eq!(f.http.count("/index.yaml"), 2);
    f.assert_cached(&f.http.url());

    // `images`: rate-limited, with the advice.
    f.oci.reset();
    f.oci.inject(
        Fault::status(429)
            .header("retry-after", "0")
            .on("/manifests/")
            .always(),
    );
    let (o, report) = f.images("5");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(report["status"], "rate-limited", "{report:#}");
    assert_eq!(f.oci.count("/manifests/"), 3);
}

#[test]
fn stalls_past_the_timeout_are_reported_after_one_try() {
    // No answer at all within --timeout: asking again would wait as long,
    // so the default case costs one timeout, not three.
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    f.oci.inject(Fault::stall().on(&manifest_path()).always());
    let o = f.oci("fetch", "1");
    assert_fails(
        &o,
        &[
            &manifest_path(),
            "timed out",
            "within 1s",
            "not asked again",
            "check the network",
        ],
    );
    assert_eq!(f.oci.count(&manifest_path()), 1);

    // The index answers; the archive download hangs.
    f.http.inject(Fault::stall().on(".tgz").always());
    let o = f.repo("template", "1");
    assert_fails(&o, &["app-1.0.0.tgz", "timed out", "not asked again"]);
    assert_eq!(f.http.count(".tgz"), 1);
    assert_eq!(f.http.count("/index.yaml"), 1);
    assert_eq!(f.snapshot(), before, "cache changed");

    // `images` under a stalled registry: an error naming the timeout.
    f.oci.reset();
    f.oci.inject(Fault::stall().on("/manifests/").always());
    let (o, report) = f.images("1");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(report["status"], "error", "{report:#}");
    let msg = report["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("timed out") && msg.contains("not asked again"),
        "{msg}"
    );
}

#[test]
fn truncated_bodies_are_retried_and_never_cached() {
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    f.oci.inject(Fault::truncate().on(&f.layer).always());
    let o = f.oci("fetch", "5");
    assert_fails(&o, &[&f.layer, "after 3 tries"]);
    assert_eq!(f.oci.count(&f.layer), 3);

    f.http.inject(Fault::truncate().on(".tgz").always());
    let o = f.repo("fetch", "5");
    assert_fails(&o, &["app-1.0.0.tgz", "after 3 tries"]);
    assert_eq!(f.http.count(".tgz"), 3);
    assert_eq!(f.snapshot(), before, "cache changed");

    // A cut-short index.yaml, once: retried.
    f.http.reset();
    f.http.inject(Fault::truncate().on("/index.yaml"));
    let o = f.repo("fetch", "5");
    assert_ok(&o);
    assert_eq!(f.http.count("/index.yaml"), 2);
    f.assert_cached(&f.http.url());
}

#[test]
fn digest_mismatches_are_refused_without_retrying() {
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    f.oci.inject(Fault::corrupt().on(&f.layer).always());
    let o = f.oci("fetch", "5");
    assert_fails(
        &o,
        &[&f.layer, "blob digest is", &format!("expected {}", f.layer)],
    );
    assert_eq!(f.oci.count(&f.layer), 1, "a digest mismatch was retried");

    // The manifest does not match the registry's Docker-Content-Digest.
    f.oci.reset();
    f.oci.inject(Fault::corrupt().on(&manifest_path()).always());
    let o = f.oci("template", "5");
    assert_fails(&o, &[&manifest_path(), "manifest digest is"]);
    assert_eq!(f.oci.count(&manifest_path()), 1);

    f.http.inject(Fault::corrupt().on(".tgz").always());
    let o = f.repo("fetch", "5");
    assert_fails(&o, &["app-1.0.0.tgz", "digest", "disagree"]);
    assert_eq!(f.http.count(".tgz"), 1);
    assert_eq!(f.snapshot(), before, "cache changed");

    // `images`: a corrupt image config is an error for that image.
    f.oci.reset();
    f.oci.inject(Fault::corrupt().on("/blobs/").always());
    let (o, report) = f.images("5");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(report["status"], "error", "{report:#}");
    let msg = report["message"].as_str().unwrap_or_default();
    assert!(msg.contains("digest"), "{msg}");
    assert_eq!(f.oci.count("/blobs/"), 1);
}

#[test]
fn wrong_content_types() {
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    // A login or error page where the manifest should be.
    let page = "<!DOCTYPE html><html><body>Please sign in</body></html>";
    f.oci.inject(
        Fault::status(200)
            .header("content-type", "text/html; charset=utf-8")
            .body(page)
            .on(&manifest_path())
            .always(),
    );
    let o = f.oci("fetch", "5");
    assert_fails(&o, &[&manifest_path(), "text/html", "not a manifest"]);
    assert_eq!(f.oci.count(&manifest_path()), 1);

    f.http.inject(
        Fault::status(200)
            .header("content-type", "text/html")
            .body(page)
            .on("/index.yaml")
            .always(),
    );
    let o = f.repo("template", "5");
    assert_fails(&o, &["/index.yaml", "not a chart repository index", "html"]);
    assert_eq!(f.http.count("/index.yaml"), 1);
    assert_eq!(f.snapshot(), before, "cache changed");

    // The real bytes under a wrong label: the digest vouches for them.
    f.oci.reset();
    f.oci
        .inject(Fault::content_type("text/html").on(&manifest_path()));
    f.oci.inject(Fault::content_type("text/plain").on(&f.layer));
    let o = f.oci("fetch", "5");
    assert_ok(&o);
    f.assert_cached("oci://");
    f.oci.reset();
    f.oci
        .inject(Fault::content_type("text/html").on("/manifests/1.0"));
    let (o, report) = f.images("5");
    assert_eq!(o.status.code(), Some(0), "{report:#}");
    assert_eq!(report["platforms"], serde_json::json!(["linux/amd64"]));
}

#[test]
fn redirect_loops_stop_without_retrying() {
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    let path = manifest_path();
    f.oci.inject(Fault::redirect(&path).on(&path).always());
    let o = f.oci("fetch", "5");
    assert_fails(&o, &[&path, "redirect"]);
    // The first request and 10 redirects (reqwest's limit), once.
    assert_eq!(f.oci.count(&path), 11, "{:#?}", f.oci.log());

    f.http
        .inject(Fault::redirect("/index.yaml").on("/index.yaml").always());
    let o = f.repo("fetch", "5");
    assert_fails(&o, &["/index.yaml", "redirect"]);
    assert_eq!(f.http.count("/index.yaml"), 11);
    assert_eq!(f.snapshot(), before, "cache changed");

    f.oci.reset();
    f.oci.inject(
        Fault::redirect("/v2/x/manifests/1.0")
            .on("/manifests/")
            .always(),
    );
    let (o, report) = f.images("5");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(report["status"], "error", "{report:#}");
    assert!(
        report["message"]
            .as_str()
            .unwrap_or_default()
            .contains("redirect"),
        "{report:#}"
    );
    assert_eq!(f.oci.count("/manifests/"), 11);
}

#[test]
fn auth_challenges_that_never_succeed() {
    let Some(f) = Fixture::new() else { return };
    let before = f.snapshot();
    let challenge = format!("Bearer realm=\"{}/token\",service=\"tests\"", f.oci.url());
    let deny = |f: &Fixture| {
        f.oci.inject(
            Fault::status(401)
                .header("www-authenticate", &challenge)
                .body(r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
                .on("/v2/")
                .always(),
        );
    };
    // The token endpoint refuses anonymous access.
    f.oci.inject(Fault::status(401).on("/token").always());
    deny(&f);
    let o = f.oci("fetch", "5");
    assert_fails(
        &o,
        &["/token", "unauthorized", "token request refused", "log in"],
    );
    assert_eq!(f.oci.count(&manifest_path()), 1, "{:#?}", f.oci.log());
    assert_eq!(f.oci.count("/token"), 1);

    // A token is given but the registry does not take it.
    f.oci.reset();
    f.oci.inject(
        Fault::status(200)
            .body(r#"{"token":"useless"}"#)
            .on("/token")
            .always(),
    );
    deny(&f);
    let o = f.oci("template", "5");
    assert_fails(&o, &[&manifest_path(), "unauthorized", "log in"]);
    assert_eq!(f.oci.count(&manifest_path()), 2, "{:#?}", f.oci.log());
    assert_eq!(f.oci.count("/token"), 1);

    // A token endpoint that answers with no token at all.
    f.oci.reset();
    f.oci
        .inject(Fault::status(200).body("{}").on("/token").always());
    deny(&f);
    let o = f.oci("fetch", "5");
    assert_fails(&o, &["/token", "no token"]);
    assert_eq!(f.oci.count("/token"), 1);

    // An HTTP repository that wants a password nobody gave.
    f.http.inject(
        Fault::status(401)
            .header("www-authenticate", "Basic realm=\"charts\"")
            .on("/index.yaml")
            .always(),
    );
    let o = f.repo("fetch", "5");
    assert_fails(&o, &["/index.yaml", "unauthorized", "helm repo add"]);
    assert_eq!(f.http.count("/index.yaml"), 1);
    assert_eq!(f.snapshot(), before, "cache changed");

    f.oci.reset();
    f.oci.inject(Fault::status(401).on("/token").always());
    deny(&f);
    let (o, report) = f.images("5");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(report["status"], "unauthorized", "{report:#}");
    assert_eq!(f.oci.count("/manifests/"), 1, "{:#?}", f.oci.log());
    assert!(!f.cache().join("images").exists(), "a refusal was cached");
}

/// How a [`rogue_server`] answers a request for the archive.
#[derive(Clone, Copy)]
enum Rogue {
    /// Headers at once, then the archive one byte a second.
    Drip,
    /// Takes the connection, reads the request, never answers.
    Silent,
    /// The whole archive under a `Content-Length` 100 bytes longer, then
    /// closes: the body is cut short with no error from the socket.
    LongerContentLength,
}

/// A server on 127.0.0.1 that serves `/index.yaml` (chart `app` 1.0.0,
/// without a digest) and answers `/app-1.0.0.tgz` as `how` says; counts the
/// archive's requests.
fn rogue_server(how: Rogue) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::atomic::Ordering;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = asked.clone();
    let archive = chart_tgz("app", "1.0.0");
    let index = "apiVersion: v1\nentries:\n  app:\n  - apiVersion: v2\n    name: app\n    version: 1.0.0\n    urls:\n    - app-1.0.0.tgz\n";
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let count = count.clone();
            let archive = archive.clone();
            std::thread::spawn(move || {
                let mut req = Vec::new();
                let mut b = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut b) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&b[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&req).into_owned();
                if head.starts_with("GET /index.yaml") {
                    let _ = write!(
                        conn,
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{index}",
                        index.len()
                    );
                    return;
                }
                count.fetch_add(1, Ordering::SeqCst);
                match how {
                    Rogue::Silent => std::thread::sleep(Duration::from_secs(30)),
                    Rogue::Drip => {
                        let _ = write!(
                            conn,
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
                            archive.len()
                        );
                        for byte in &archive {
                            if conn.write_all(&[*byte]).is_err() {
                                return;
                            }
                            std::thread::sleep(Duration::from_secs(1));
                        }
                    }
                    Rogue::LongerContentLength => {
                        let _ = write!(
                            conn,
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                            archive.len() + 100
                        );
                        let _ = conn.write_all(&archive);
                        let _ = conn.shutdown(std::net::Shutdown::Both);
                    }
                }
            });
        }
    });
    (url, asked)
}

/// `chartfix fetch app --repo URL` into a fresh cache, timed; the cache's
/// folder comes back for checks.
fn fetch_from(url: &str, extra: &[&str]) -> (crate::support::run::Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = chartfix()
        .args(["fetch", "app", "--version", "1.0.0", "--repo", url])
        .args(extra)
        .arg("--cache-dir")
        .arg(dir.path().join("cache"))
        .env("HELM_REPOSITORY_CONFIG", dir.path().join("none.yaml"))
        .output()
        .unwrap();
    (crate::support::run::Run::new(out, started), dir)
}

#[test]
fn a_body_below_the_low_speed_limit_is_abandoned() {
    let (url, asked) = rogue_server(Rogue::Drip);
    let (run, dir) = fetch_from(&url, &[]);
    run.assert_refused(
        "drip",
        1,
        &[
            "app-1.0.0.tgz",
            "low-speed limit of 1024 bytes a second over 10s",
            "not asked again",
        ],
        Duration::from_secs(20),
    );
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(crate::support::fetch::no_blobs(&dir.path().join("cache")));
}

#[test]
fn a_server_that_never_answers_is_asked_once() {
    let (url, asked) = rogue_server(Rogue::Silent);
    let (run, _dir) = fetch_from(&url, &["--timeout", "2"]);
    run.assert_refused(
        "silent",
        1,
        &["app-1.0.0.tgz", "timed out", "within 2s", "not asked again"],
        Duration::from_secs(5),
    );
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_body_shorter_than_its_content_length_is_never_a_chart() {
    // The index gives no digest: only the length tells the cut.
    let (url, asked) = rogue_server(Rogue::LongerContentLength);
    let (run, dir) = fetch_from(&url, &[]);
    run.assert_refused(
        "short body",
        1,
        &["app-1.0.0.tgz", "after 3 tries"],
        Duration::from_secs(10),
    );
    assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert!(crate::support::fetch::no_blobs(&dir.path().join("cache")));
}
