//! A loopback TCP proxy in front of a real server (the test registry, the
//! HTTP chart repository) that adds latency, logs and counts requests, and
//! answers chosen requests with a [`Fault`]: a canned status, a stall, a
//! dropped connection, or the real answer damaged on its way (cut short,
//! relabelled, one byte flipped).
//!
//! Requests are read head by head, so a fault can be aimed at one path (the
//! chart layer's blob, `index.yaml`) and the log says how many times each
//! URL was asked: that is how the tests count retries. A faulted answer
//! always ends its connection, as a broken server's does.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What the proxy does with a request a [`Fault`] matches.
#[derive(Clone, Debug)]
pub enum Action {
    /// Answers itself instead of forwarding.
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Reads the request and never answers, until the client hangs up.
    Stall,
    /// Closes the connection without a word.
    Drop,
    /// Forwards, then sends half the body while declaring all of it, and closes.
    Truncate,
    /// Forwards, then labels the answer with this `Content-Type`.
    ContentType(String),
    /// Forwards, then flips one byte of the body: same size, other digest.
    Corrupt,
}

/// An injected failure: what to do, to which requests, how many times.
#[derive(Clone, Debug)]
pub struct Fault {
    pub action: Action,
    /// Only requests whose target (path and query) contains this.
    pub path: Option<String>,
    /// Matching requests it answers; `None`: every one.
    pub times: Option<usize>,
}

impl Fault {
    fn new(action: Action) -> Fault {
        Fault {
            action,
            path: None,
            times: Some(1),
        }
    }

    /// A canned answer with this status and an empty body.
    pub fn status(status: u16) -> Fault {
        Fault::new(Action::Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
        })
    }

    /// `302 Found` to `location`.
    pub fn redirect(location: &str) -> Fault {
        Fault::status(302).header("location", location)
    }

    pub fn stall() -> Fault {
        Fault::new(Action::Stall)
    }

    pub fn drop_connection() -> Fault {
        Fault::new(Action::Drop)
    }

    pub fn truncate() -> Fault {
        Fault::new(Action::Truncate)
    }

    pub fn content_type(media_type: &str) -> Fault {
        Fault::new(Action::ContentType(media_type.to_string()))
    }

    pub fn corrupt() -> Fault {
        Fault::new(Action::Corrupt)
    }

    /// Adds a header to a canned answer.
    pub fn header(mut self, k: &str, v: &str) -> Fault {
        if let Action::Reply { headers, .. } = &mut self.action {
            headers.push((k.to_string(), v.to_string()));
        }
        self
    }

    /// Sets the body of a canned answer.
    pub fn body(mut self, text: &str) -> Fault {
        if let Action::Reply { body, .. } = &mut self.action {
            *body = text.to_string();
        }
        self
    }

    /// Aims the fault at requests whose target contains `fragment`.
    pub fn on(mut self, fragment: &str) -> Fault {
        self.path = Some(fragment.to_string());
        self
    }

    /// Answers the next `n` matching requests.
    pub fn times(mut self, n: usize) -> Fault {
        self.times = Some(n);
        self
    }

    /// Answers every matching request.
    pub fn always(mut self) -> Fault {
        self.times = None;
        self
    }
}

#[derive(Default)]
struct ProxyState {
    requests: AtomicUsize,
    stop: AtomicBool,
    faults: Mutex<Vec<Fault>>,
    /// `GET /v2/…` for every request seen, faulted or not.
    log: Mutex<Vec<String>>,
}

impl ProxyState {
    /// The first fault aimed at `target` with uses left, used once.
    fn take(&self, target: &str) -> Option<Action> {
        let mut faults = self.faults.lock().expect("faults");
        let i = faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| target.contains(p)))?;
        let action = faults[i].action.clone();
        if let Some(n) = &mut faults[i].times {
            *n -= 1;
            if *n == 0 {
                faults.remove(i);
            }
        }
        Some(action)
    }
}

/// A loopback TCP proxy in front of `upstream` that delays each request by
/// `latency`, logs it, and answers it with the first queued [`Fault`] aimed
/// at it (in the order injected). Stops on drop.
pub struct LatencyProxy {
    pub port: u16,
    state: Arc<ProxyState>,
}

impl LatencyProxy {
    pub fn start(upstream: &str, latency: Duration) -> LatencyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(ProxyState::default());
        let upstream = upstream.to_string();
        let st = state.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                let upstream = upstream.clone();
                let st = st.clone();
                thread::spawn(move || serve(client, &upstream, latency, &st));
            }
        });
        LatencyProxy { port, state }
    }

    /// A proxy without added latency, for fault injection.
    pub fn faulty(upstream: &str) -> LatencyProxy {
        Self::start(upstream, Duration::ZERO)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.host())
    }

    /// Requests seen so far (faults included).
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Request lines seen so far, `GET /v2/…`, in order.
    pub fn log(&self) -> Vec<String> {
        self.state.log.lock().expect("log").clone()
    }

    /// Requests seen whose line contains `fragment`.
    pub fn count(&self, fragment: &str) -> usize {
        self.log().iter().filter(|l| l.contains(fragment)).count()
    }

    /// Queues `fault`; by default it answers the next request, once.
    pub fn inject(&self, fault: Fault) {
        self.state.faults.lock().expect("faults").push(fault);
    }

    /// Forgets queued faults and the request log.
    pub fn reset(&self) {
        self.state.faults.lock().expect("faults").clear();
        self.state.log.lock().expect("log").clear();
        self.state.requests.store(0, Ordering::SeqCst);
    }
}

impl Drop for LatencyProxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn serve(mut client: TcpStream, upstream: &str, latency: Duration, st: &ProxyState) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    // True when the next bytes from the client start a new request.
    let idle = Arc::new(AtomicBool::new(true));
    let (Ok(mut server_read), Ok(mut client_write)) = (server.try_clone(), client.try_clone())
    else {
        return;
    };
    let idle_back = idle.clone();
    let back = thread::spawn(move || {
        let mut buf = [0u8; 16384];
        loop {
            match server_read.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    idle_back.store(true, Ordering::SeqCst);
                    if client_write.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = client_write.shutdown(Shutdown::Write);
    });
    let mut server_write = server;
    let mut buf = [0u8; 16384];
    // A request head being gathered before it is forwarded or faulted.
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if pending.is_empty() && !idle.load(Ordering::SeqCst) {
            // The rest of a request already forwarded (a body).
            if server_write.write_all(&buf[..n]).is_err() {
                break;
            }
            continue;
        }
        pending.extend_from_slice(&buf[..n]);
        let Some(end) = find(&pending, b"\r\n\r\n") else {
            continue;
        };
        idle.store(false, Ordering::SeqCst);
        let head = String::from_utf8_lossy(&pending[..end]).to_string();
        let line = head.lines().next().unwrap_or("").to_string();
        let mut words = line.split(' ');
        let method = words.next().unwrap_or("");
        let target = words.next().unwrap_or("").to_string();
        st.requests.fetch_add(1, Ordering::SeqCst);
        st.log
            .lock()
            .expect("log")
            .push(format!("{method} {target}"));
        thread::sleep(latency);
        if let Some(action) = st.take(&target) {
            act(&mut client, upstream, &pending, action, st);
            break;
        }
        if server_write.write_all(&pending).is_err() {
            break;
        }
        pending.clear();
    }
    let _ = server_write.shutdown(Shutdown::Both);
    let _ = client.shutdown(Shutdown::Both);
    let _ = back.join();
}

/// Carries out a fault for the request `request` (its head and any body read).
fn act(client: &mut TcpStream, upstream: &str, request: &[u8], action: Action, st: &ProxyState) {
    match action {
        Action::Reply {
            status,
            headers,
            body,
        } => {
            let mut s = format!(
                "HTTP/1.1 {status} Injected\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in &headers {
                s.push_str(&format!("{k}: {v}\r\n"));
            }
            s.push_str("\r\n");
            s.push_str(&body);
            let _ = client.write_all(s.as_bytes());
        }
        Action::Drop => {}
        Action::Stall => {
            // Until the client gives up (it reads 0) or the test ends.
            let _ = client.set_read_timeout(Some(Duration::from_millis(100)));
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut b = [0u8; 1024];
            while Instant::now() < deadline && !st.stop.load(Ordering::SeqCst) {
                match client.read(&mut b) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => break,
                }
            }
        }
        Action::Truncate | Action::ContentType(_) | Action::Corrupt => {
            let Some((status_line, headers, mut body)) = fetch_upstream(upstream, request) else {
                return;
            };
            let declared = body.len();
            let mut content_type = None;
            match action {
                Action::Truncate => body.truncate(declared / 2),
                Action::Corrupt => {
                    if let Some(b) = body.get_mut(declared / 2) {
                        *b ^= 0x20;
                    }
                }
                Action::ContentType(t) => content_type = Some(t),
                _ => {}
            }
            let mut s = format!("{status_line}\r\n");
            for (k, v) in &headers {
                let lower = k.to_ascii_lowercase();
                let replaced = matches!(
                    lower.as_str(),
                    "content-length" | "transfer-encoding" | "connection"
                ) || (lower == "content-type" && content_type.is_some());
                if !replaced {
                    s.push_str(&format!("{k}: {v}\r\n"));
                }
            }
            if let Some(t) = content_type {
                s.push_str(&format!("content-type: {t}\r\n"));
            }
            s.push_str(&format!(
                "content-length: {declared}\r\nconnection: close\r\n\r\n"
            ));
            let _ = client.write_all(s.as_bytes());
            let _ = client.write_all(&body);
            let _ = client.flush();
        }
    }
}

/// An upstream answer: status line, headers, whole body.
type Answer = (String, Vec<(String, String)>, Vec<u8>);

/// Sends `request` to `upstream` on a connection of its own (asking it to
/// close after) and returns the status line, headers and whole body.
fn fetch_upstream(upstream: &str, request: &[u8]) -> Option<Answer> {
    let end = find(request, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&request[..end]).to_string();
    let mut out = String::new();
    for l in head.lines() {
        if !l.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(l);
            out.push_str("\r\n");
        }
    }
    out.push_str("connection: close\r\n\r\n");
    let mut conn = TcpStream::connect(upstream).ok()?;
    let _ = conn.set_read_timeout(Some(Duration::from_secs(15)));
    conn.write_all(out.as_bytes()).ok()?;
    conn.write_all(&request[end + 4..]).ok()?;
    // Read by the answer's own framing: not every server closes when asked.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        if let Some(end) = find(&raw, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let chunked = head.contains("transfer-encoding: chunked");
            let have = raw.len() - end - 4;
            if length.is_some_and(|n| have >= n) || (chunked && raw.ends_with(b"0\r\n\r\n")) {
                break;
            }
        }
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    let end = find(&raw, b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body)?;
    } else if let Some(n) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.truncate(n);
    }
    Some((status_line, headers, body))
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = find(raw, b"\r\n")?;
        let size_text = String::from_utf8_lossy(&raw[..eol]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}
