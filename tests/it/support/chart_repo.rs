//! A tiny HTTP chart repository for tests: serves files from memory on
//! 127.0.0.1 (a free port), counts requests, can require basic auth, can
//! answer the first requests with a canned failure (e.g. 503 + Retry-After),
//! and can cut a body short to imitate a broken download. Stops on drop.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How a path is answered.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send only this many bytes of the body, while declaring all of it.
    pub truncate_to: Option<usize>,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
            truncate_to: None,
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: format!("status {status}").into_bytes(),
            truncate_to: None,
        }
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.into(), v.into()));
        self
    }
}

#[derive(Default)]
struct State {
    files: HashMap<String, Reply>,
    /// Answers given instead of the file for the next requests, in order.
    faults: Vec<Reply>,
    basic_auth: Option<String>,
    log: Vec<String>,
}

pub struct ChartRepo {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl ChartRepo {
    pub fn start() -> ChartRepo {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let (st, sp, rq) = (state.clone(), stop.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            // Bounded: the test ends the loop on drop; a stray loop ends after 10 minutes.
            let deadline = std::time::Instant::now() + Duration::from_secs(600);
            while !sp.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let (st, rq) = (st.clone(), rq.clone());
                        std::thread::spawn(move || serve(conn, &st, &rq));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        ChartRepo {
            port,
            state,
            stop,
            requests,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn put(&self, path: &str, reply: Reply) {
        self.state.lock().unwrap().files.insert(path.into(), reply);
    }

    /// The next requests get these answers, one each, whatever they ask.
    pub fn fail_next(&self, replies: Vec<Reply>) {
        self.state.lock().unwrap().faults = replies;
    }

    pub fn require_basic_auth(&self, user: &str, password: &str) {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.state.lock().unwrap().basic_auth = Some(format!("Basic {token}"));
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Request lines seen, e.g. `GET /index.yaml`.
    pub fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

impl Drop for ChartRepo {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>, requests: &AtomicUsize) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match conn.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut conn = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut auth = None;
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                match k.to_ascii_lowercase().as_str() {
                    "authorization" => auth = Some(v.trim().to_string()),
                    "content-length" => length = v.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        requests.fetch_add(1, Ordering::SeqCst);
        let path = line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .split('?')
            .next()
            .unwrap_or("/")
            .to_string();
        let reply = {
            let mut s = state.lock().unwrap();
            s.log.push(format!("GET {path}"));
            if !s.faults.is_empty() {
                s.faults.remove(0)
            } else if s.basic_auth.is_some() && s.basic_auth != auth {
                Reply::status(401).header("WWW-Authenticate", "Basic realm=\"charts\"")
            } else {
                s.files
                    .get(&path)
                    .cloned()
                    .unwrap_or_else(|| Reply::status(404))
            }
        };
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
            reply.status,
            reply.body.len()
        );
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let sent = reply.truncate_to.unwrap_or(reply.body.len());
        if conn.write_all(head.as_bytes()).is_err() || conn.write_all(&reply.body[..sent]).is_err()
        {
            return;
        }
        let _ = conn.flush();
        if reply.truncate_to.is_some() {
            // Close mid-body, as a dropped connection does.
            let _ = conn.shutdown(std::net::Shutdown::Both);
            return;
        }
    }
}

/// A small chart archive: `NAME/Chart.yaml`, a values file and one template.
pub fn chart_tgz(name: &str, version: &str) -> Vec<u8> {
    let files = [
        (
            format!("{name}/Chart.yaml"),
            format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\n"),
        ),
        (format!("{name}/values.yaml"), "replicas: 1\n".to_string()),
        (
            format!("{name}/templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  v: {{ .Chart.Version | quote }}\n".to_string(),
        ),
    ];
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (p, c) in &files {
        let mut h = tar::Header::new_gnu();
        h.set_size(c.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        b.append_data(&mut h, p, c.as_bytes()).expect("tar");
    }
    b.into_inner().expect("tar").finish().expect("gzip")
}

/// An `index.yaml` listing `(version, url, digest hex)` for one chart.
pub fn index_yaml(name: &str, versions: &[(&str, &str, &str)]) -> String {
    let mut s = format!("apiVersion: v1\nentries:\n  {name}:\n");
    for (v, url, digest) in versions {
        s.push_str(&format!(
            "  - apiVersion: v2\n    name: {name}\n    version: {v}\n    urls:\n    - {url}\n    digest: {digest}\n"
        ));
    }
    s.push_str("generated: \"2024-01-01T00:00:00Z\"\n");
    s
}
