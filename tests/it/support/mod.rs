//! What the integration tests share: the binary under test ([`chartfix`]),
//! the snapshot settings ([`snapshot`]), the shared corpus ([`shared`],
//! [`shared_path`]), and for registry-facing tests a real distribution
//! registry (Debian's `docker-registry`) on 127.0.0.1, with or without
//! htpasswd auth; helpers that push blobs, manifests, indexes and tags through
//! the distribution API; in `faults.rs` a loopback TCP proxy that adds
//! latency, counts requests per URL and injects failures; in `chart_repo.rs`
//! an HTTP chart repository served from memory; in `run.rs` one run as a
//! limits test sees it.
//!
//! Tests that need the registry call [`Registry::start`] and skip (with a
//! message) when it returns `None` because `docker-registry` is not installed.

#![allow(dead_code)]

pub mod chart_repo;
pub mod faults;
pub mod fetch;
pub mod run;
// Not every test file uses the proxy.
#[allow(unused_imports)]
pub use faults::{Fault, LatencyProxy};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";
pub const HELM_CHART: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// A free loopback port (bound then released; the race is small and harmless
/// for tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// A running `docker-registry serve`, stopped when dropped.
pub struct Registry {
    child: Child,
    dir: tempfile::TempDir,
    pub port: u16,
    /// `user`/`password` when started with htpasswd auth.
    pub auth: Option<(String, String)>,
    http: reqwest::Client,
    /// Drives `http` one request at a time (reqwest's `blocking` feature, a
    /// thread and a runtime per client, is not compiled in: the library has
    /// no use for it).
    rt: tokio::runtime::Runtime,
}

/// A registry's answer, read whole.
struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Registry {
    /// Starts a registry without auth, or `None` when `docker-registry` is missing.
    pub fn start() -> Option<Registry> {
        Self::start_with(None)
    }

    /// Starts a registry that wants `user`/`password` (htpasswd, bcrypt).
    pub fn start_with_auth(user: &str, password: &str) -> Option<Registry> {
        Self::start_with(Some((user.to_string(), password.to_string())))
    }

    fn start_with(auth: Option<(String, String)>) -> Option<Registry> {
        let binary = which("docker-registry")?;
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: chartfix-tests\n",
            dir.path().join("data").display()
        );
        if let Some((user, password)) = &auth {
            let hash = bcrypt::hash_with_salt(password, 4, *b"chartfix-salt-16")
                .expect("bcrypt")
                .format_for_version(bcrypt::Version::TwoY);
            let htpasswd = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{user}:{hash}\n")).expect("htpasswd");
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: chartfix-tests\n    path: {}\n",
                htpasswd.display()
            ));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("registry config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("log file");
        let child = Command::new(binary)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let registry = Registry {
            child,
            dir,
            port,
            auth,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime"),
        };
        registry.wait_ready();
        Some(registry)
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(r) = self.send(self.http.get(format!("{}/v2/", self.url()))) {
                if r.status == 200 || r.status == 401 {
                    return;
                }
            }
            thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default();
        panic!("docker-registry did not start on port {}: {log}", self.port);
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.host())
    }

    /// Where the registry keeps its data (to corrupt or inspect it).
    pub fn storage(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn authed(&self, r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.auth {
            Some((u, p)) => r.basic_auth(u, Some(p)),
            None => r,
        }
    }

    /// Sends `r` and reads the whole answer.
    fn send(&self, r: reqwest::RequestBuilder) -> reqwest::Result<Reply> {
        self.rt.block_on(async {
            let resp = r.send().await?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp.bytes().await?.to_vec();
            Ok(Reply {
                status,
                headers,
                body,
            })
        })
    }

    /// Uploads a blob (monolithic POST then PUT) and returns its digest.
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let digest = digest_of(bytes);
        let r = self
            .send(
                self.authed(
                    self.http
                        .post(format!("{}/v2/{repo}/blobs/uploads/", self.url())),
                ),
            )
            .expect("start upload");
        assert_eq!(r.status, 202, "start upload: {:?}", r.text());
        let location = r
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("upload location")
            .to_string();
        let location = if location.starts_with('/') {
            format!("{}{location}", self.url())
        } else {
            location
        };
        let sep = if location.contains('?') { '&' } else { '?' };
        let r = self
            .send(
                self.authed(self.http.put(format!("{location}{sep}digest={digest}")))
                    .header("content-type", "application/octet-stream")
                    .body(bytes.to_vec()),
            )
            .expect("finish upload");
        assert_eq!(r.status, 201, "finish upload: {:?}", r.text());
        digest
    }

    /// Puts a manifest under a tag or digest; returns its digest.
    pub fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        body: &[u8],
    ) -> String {
        let r = self
            .send(
                self.authed(
                    self.http
                        .put(format!("{}/v2/{repo}/manifests/{reference}", self.url())),
                )
                .header("content-type", media_type)
                .body(body.to_vec()),
            )
            .expect("put manifest");
        assert_eq!(
            r.status,
            201,
            "put manifest {repo}:{reference}: {:?}",
            r.text()
        );
        digest_of(body)
    }

    /// Pushes a single-platform image (config + one small layer) and tags it.
    /// `platform` is `os/arch[/variant]`. Returns the manifest digest.
    pub fn push_image(&self, repo: &str, tag: &str, platform: &str) -> String {
        let (body, _) = self.image_manifest(repo, platform, OCI_MANIFEST, OCI_CONFIG, OCI_LAYER);
        self.push_manifest(repo, tag, OCI_MANIFEST, &body)
    }

    /// Same as [`push_image`](Self::push_image) with Docker v2 media types.
    pub fn push_docker_image(&self, repo: &str, tag: &str, platform: &str) -> String {
        let (body, _) = self.image_manifest(
            repo,
            platform,
            DOCKER_MANIFEST,
            DOCKER_CONFIG,
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        );
        self.push_manifest(repo, tag, DOCKER_MANIFEST, &body)
    }

    /// Uploads config and layer blobs and returns (manifest bytes, its digest),
    /// without putting the manifest.
    fn image_manifest(
        &self,
        repo: &str,
        platform: &str,
        manifest_type: &str,
        config_type: &str,
        layer_type: &str,
    ) -> (Vec<u8>, String) {
        let (os, arch, variant) = split_platform(platform);
        let layer = format!("layer of {repo} for {platform}").into_bytes();
        let layer_digest = self.push_blob(repo, &layer);
        let mut config = serde_json::json!({
            "architecture": arch, "os": os,
            "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
            "config": {}
        });
        if let Some(v) = variant {
            config["variant"] = v.into();
        }
        let config = serde_json::to_vec(&config).expect("json");
        let config_digest = self.push_blob(repo, &config);
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": manifest_type,
            "config": {"mediaType": config_type, "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": layer_type, "digest": layer_digest, "size": layer.len()}]
        });
        let body = serde_json::to_vec(&manifest).expect("json");
        let digest = digest_of(&body);
        (body, digest)
    }

    /// Pushes a multi-platform OCI index (one image per platform) under `tag`.
    pub fn push_index(&self, repo: &str, tag: &str, platforms: &[&str]) -> String {
        self.push_list(
            repo,
            tag,
            platforms,
            OCI_INDEX,
            OCI_MANIFEST,
            OCI_CONFIG,
            OCI_LAYER,
        )
    }

    /// Same as [`push_index`](Self::push_index) as a Docker manifest list.
    pub fn push_docker_list(&self, repo: &str, tag: &str, platforms: &[&str]) -> String {
        self.push_list(
            repo,
            tag,
            platforms,
            DOCKER_LIST,
            DOCKER_MANIFEST,
            DOCKER_CONFIG,
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn push_list(
        &self,
        repo: &str,
        tag: &str,
        platforms: &[&str],
        list_type: &str,
        manifest_type: &str,
        config_type: &str,
        layer_type: &str,
    ) -> String {
        let mut entries = Vec::new();
        for p in platforms {
            let (body, digest) =
                self.image_manifest(repo, p, manifest_type, config_type, layer_type);
            self.push_manifest(repo, &digest, manifest_type, &body);
            let (os, arch, variant) = split_platform(p);
            let mut platform = serde_json::json!({"architecture": arch, "os": os});
            if let Some(v) = variant {
                platform["variant"] = v.into();
            }
            entries.push(serde_json::json!({
                "mediaType": manifest_type, "digest": digest, "size": body.len(), "platform": platform
            }));
        }
        let index =
            serde_json::json!({"schemaVersion": 2, "mediaType": list_type, "manifests": entries});
        let body = serde_json::to_vec(&index).expect("json");
        self.push_manifest(repo, tag, list_type, &body)
    }

    /// Pushes a Helm chart archive as an OCI artifact (Helm's media types).
    pub fn push_chart(
        &self,
        repo: &str,
        tag: &str,
        chart_yaml_json: &serde_json::Value,
        archive: &[u8],
    ) -> String {
        let config = serde_json::to_vec(chart_yaml_json).expect("json");
        let config_digest = self.push_blob(repo, &config);
        let layer_digest = self.push_blob(repo, archive);
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": HELM_CONFIG, "digest": config_digest, "size": config.len()},
            "layers": [{"mediaType": HELM_CHART, "digest": layer_digest, "size": archive.len()}]
        });
        let body = serde_json::to_vec(&manifest).expect("json");
        self.push_manifest(repo, tag, OCI_MANIFEST, &body)
    }

    /// Points `tag` at the manifest `digest` already in `repo`.
    pub fn tag(&self, repo: &str, digest: &str, tag: &str) {
        let r = self
            .send(
                self.authed(
                    self.http
                        .get(format!("{}/v2/{repo}/manifests/{digest}", self.url())),
                )
                .header(
                    "accept",
                    [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(", "),
                ),
            )
            .expect("get manifest");
        assert_eq!(r.status, 200, "get manifest {repo}@{digest}");
        let media_type = r
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(OCI_MANIFEST)
            .to_string();
        self.push_manifest(repo, tag, &media_type, &r.body);
    }

    /// A k3s `registries.yaml` mirroring `docker.io` (and `registry`, if given)
    /// to this registry, written into `dir`.
    pub fn mirror_config(&self, dir: &Path, extra: &str) -> PathBuf {
        let path = dir.join("registries.yaml");
        let mut text = format!(
            "mirrors:\n  docker.io:\n    endpoint:\n      - \"{}\"\n",
            self.url()
        );
        if let Some((u, p)) = &self.auth {
            text.push_str(&format!(
                "configs:\n  \"{}\":\n    auth:\n      username: {u}\n      password: {p}\n",
                self.host()
            ));
        }
        text.push_str(extra);
        std::fs::write(&path, text).expect("write registries.yaml");
        path
    }

    /// Stops the registry now (it is also stopped on drop).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

fn split_platform(p: &str) -> (&str, &str, Option<&str>) {
    let mut parts = p.split('/');
    let os = parts.next().unwrap_or("linux");
    let arch = parts.next().unwrap_or("amd64");
    (os, arch, parts.next())
}

/// Finds a program on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Whether `python3` is there and can `import MODULES` (`"sys"` asks only
/// for python3 itself).
pub fn python3_imports(modules: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Prints why a test is skipped; returns `None` so tests can `let Some(..) else`.
pub fn skip(why: &str) {
    eprintln!("SKIPPED: {why}");
}

/// The chartfix binary under test, as Cargo built it alongside this test
/// binary: `target/release/chartfix` under `cargo test --release` (`.ci/test`).
pub const BIN: &str = env!("CARGO_BIN_EXE_chartfix");

/// The project's folder (where `Cargo.toml` is; tests also run there).
pub fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary under test, kept away from the developer's credentials and
/// cache, without colours. Callers add arguments, folders, environment.
pub fn chartfix() -> Command {
    safe_env(Command::new(BIN))
}

/// [`chartfix`] under a 4 GiB address-space cap (`prlimit --as`), the bound
/// hostile inputs must be refused within: past it an allocation aborts the
/// process (status 134) instead of a clear error.
pub fn chartfix_capped() -> Command {
    let mut c = Command::new("prlimit");
    c.args(["--as=4294967296", "--", BIN]);
    safe_env(c)
}

fn safe_env(mut c: Command) -> Command {
    // Never pick up the developer's credentials or cache.
    c.env_remove("CHARTFIX_CACHE")
        .env("DOCKER_CONFIG", "/nonexistent-chartfix-test")
        .env(
            "HELM_REGISTRY_CONFIG",
            "/nonexistent-chartfix-test/config.json",
        )
        .env("NO_COLOR", "1");
    c
}

/// Runs `cmd` to its end with stdout and stderr captured, and `input` on its
/// stdin (written from a thread, so a large input cannot block against the
/// output; a broken pipe is fine, chartfix may stop reading early), or an
/// empty stdin when `None`.
pub fn output_with_input(cmd: &mut Command, input: Option<&[u8]>) -> Output {
    let feed = input.map(|input| {
        let input = input.to_vec();
        Box::new(move |w: &mut dyn Write| {
            let _ = w.write_all(&input);
        }) as Feed
    });
    output_with_feed(cmd, feed)
}

/// What a test writes to chartfix's stdin, from its own thread.
pub type Feed = Box<dyn FnOnce(&mut dyn Write) + Send>;

/// [`output_with_input`] with stdin written by `feed` as it goes, so a huge
/// input streams instead of sitting in memory; the feed should ignore write
/// errors (chartfix may stop reading early).
pub fn output_with_feed(cmd: &mut Command, feed: Option<Feed>) -> Output {
    let mut child = cmd
        .stdin(if feed.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chartfix");
    let writer = feed.map(|feed| {
        let mut pipe = child.stdin.take().expect("stdin");
        thread::spawn(move || feed(&mut pipe))
    });
    let out = child.wait_with_output().expect("wait for chartfix");
    if let Some(w) = writer {
        w.join().expect("stdin writer");
    }
    out
}

/// Runs `cmd` to its end with stdout closed before it writes, as `| head -1`
/// leaves it once it has read its line, and stderr captured (`stdout` of the
/// result is empty).
pub fn output_closed_stdout(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chartfix");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for chartfix")
}

/// Bytes a run printed, as text (invalid UTF-8 replaced).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What a run printed on stdout, as text.
pub fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

/// What a run printed on stderr, as text.
pub fn stderr(o: &Output) -> String {
    text(&o.stderr)
}

/// Asserts `value` against the insta snapshot `snapshots/NAME.snap` of the
/// top-level `snapshots/` folder (the product's layout names it), whatever
/// the depth of the test file that asks.
pub fn snapshot(name: &str, value: &str) {
    insta::with_settings!({
        snapshot_path => project().join("snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, value);
    });
}

/// The shared folder (the conformance corpus and its tools): `$CHARTFIX_SHARED`
/// when set, else `../shared` beside the project (CI), else `../../shared` (a
/// worktree one level deeper). `None` when none of them is a folder.
pub fn shared() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CHARTFIX_SHARED") {
        return Some(PathBuf::from(dir)).filter(|d| d.is_dir());
    }
    ["../shared", "../../shared"]
        .iter()
        .map(|rel| project().join(rel))
        .find(|d| d.is_dir())
}

/// `REL` under the shared folder when it is there; otherwise prints why the
/// test skips and gives `None`, so a test can `let Some(..) else { return }`.
pub fn shared_path(rel: &str) -> Option<PathBuf> {
    let found = shared().map(|d| d.join(rel)).filter(|p| p.exists());
    if found.is_none() {
        skip(&format!(
            "../shared/{rel} is not here (set CHARTFIX_SHARED to the shared folder to run it)"
        ));
    }
    found
}

/// A request as the [`FakeServer`] saw it.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl SeenRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer from a [`FakeServer`] handler.
pub struct FakeResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl FakeResponse {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> FakeResponse {
        FakeResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> FakeResponse {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

type Handler = dyn Fn(&SeenRequest) -> FakeResponse + Send + Sync;

/// A tiny HTTP/1.1 server on 127.0.0.1 for protocol corners a real registry
/// will not show (bearer tokens, pagination, odd answers). One request per
/// connection; requests with bodies are not supported. Stops on drop.
pub struct FakeServer {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<SeenRequest>>>,
    stop: Arc<AtomicBool>,
}

impl FakeServer {
    pub fn start(
        handler: impl Fn(&SeenRequest) -> FakeResponse + Send + Sync + 'static,
    ) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (seen2, stop2) = (seen.clone(), stop.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = conn else { continue };
                let handler = handler.clone();
                let seen = seen2.clone();
                thread::spawn(move || {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let mut lines = text.split("\r\n");
                    let mut first = lines.next().unwrap_or("").split(' ');
                    let req = SeenRequest {
                        method: first.next().unwrap_or("").to_string(),
                        target: first.next().unwrap_or("").to_string(),
                        headers: lines
                            .take_while(|l| !l.is_empty())
                            .filter_map(|l| l.split_once(':'))
                            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                            .collect(),
                    };
                    seen.lock().expect("seen").push(req.clone());
                    let resp = handler(&req);
                    let mut head = format!(
                        "HTTP/1.1 {} Fake\r\ncontent-length: {}\r\nconnection: close\r\n",
                        resp.status,
                        resp.body.len()
                    );
                    for (k, v) in &resp.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&resp.body);
                });
            }
        });
        FakeServer { port, seen, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().expect("seen").clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
