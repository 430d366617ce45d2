//! GET over HTTP(S) for chart repositories: `index.yaml` and archives. Each
//! request has a deadline; transient failures (connection, timeout, 429, 5xx)
//! are tried again with backoff, honouring `Retry-After`; a body shorter than
//! its `Content-Length` is a failed try, not a chart. Errors use the registry
//! module's vocabulary so both kinds of source read alike.

use super::mirrors::RepoMirrors;
use crate::registry::client::{error_chain, transport_error};
use crate::registry::retry::{parse_retry_after, RetryPolicy};
use crate::registry::wait::{self, Waiting};
use crate::registry::{ErrorKind, RegistryError};
use reqwest::header::{CONTENT_LENGTH, RETRY_AFTER};
use std::time::{Duration, SystemTime};

/// Largest archive or index accepted; Helm refuses charts over 100 MiB
/// decompressed, so a bigger download is not a chart.
pub const MAX_DOWNLOAD_BYTES: u64 = 100 << 20;

/// Basic credentials for one repository. `Debug` hides the password.
#[derive(Clone)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
    /// Sent only to URLs on this `scheme://host:port` (Helm's default, so
    /// credentials do not leak to a CDN an index points at).
    pub origin: String,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BasicAuth({}, ***, {})", self.username, self.origin)
    }
}

/// What a GET brought back.
#[derive(Debug)]
pub struct Downloaded {
    pub bytes: Vec<u8>,
    /// The URL the bytes came from (after mirror rewriting).
    pub url: String,
}

/// An HTTP client with the run's settings.
pub struct HttpFetcher {
    client: reqwest::Client,
    retry: RetryPolicy,
    timeout: Duration,
    mirrors: RepoMirrors,
    progress: bool,
}

impl HttpFetcher {
    pub fn new(
        timeout: Duration,
        retry: RetryPolicy,
        mirrors: RepoMirrors,
        progress: bool,
    ) -> Result<HttpFetcher, RegistryError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("chartfix/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(wait::connect_timeout(timeout))
            .build()
            .map_err(|e| RegistryError::new(ErrorKind::Config, "", format!("HTTP client: {e}")))?;
        Ok(HttpFetcher {
            client,
            retry,
            timeout,
            mirrors,
            progress,
        })
    }

    /// The URL a public URL is fetched from.
    pub fn effective_url(&self, url: &str) -> String {
        self.mirrors.rewrite(url)
    }

    /// GETs `url` (through its mirror, if any), with retries.
    pub async fn get(
        &self,
        url: &str,
        auth: Option<&BasicAuth>,
    ) -> Result<Downloaded, RegistryError> {
        let real = self.effective_url(url);
        let parsed = reqwest::Url::parse(&real).map_err(|e| {
            RegistryError::new(ErrorKind::Config, &real, format!("invalid URL: {e}"))
        })?;
        let auth = auth.filter(|a| parsed.origin().ascii_serialization() == a.origin);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (mut err, retry_after) = match self.try_once(&real, auth).await {
                Ok(bytes) => return Ok(Downloaded { bytes, url: real }),
                Err(e) => e,
            };
            let transient = err.kind.transient();
            match self.retry.delay(attempt, retry_after) {
                Some(d) if transient => tokio::time::sleep(d).await,
                _ if transient => {
                    err.message = self.retry.give_up(&err.message, attempt, retry_after);
                    return Err(err);
                }
                _ => return Err(err),
            }
        }
    }

    async fn try_once(
        &self,
        url: &str,
        auth: Option<&BasicAuth>,
    ) -> Result<Vec<u8>, (RegistryError, Option<Duration>)> {
        let deadline = self.retry.deadline;
        let (budget, by_deadline) = wait::request_budget(self.timeout, deadline.as_ref());
        if budget.is_zero() {
            return Err((
                RegistryError::new(
                    ErrorKind::Timeout,
                    url,
                    wait::timed_out(budget, true, deadline.as_ref()),
                ),
                None,
            ));
        }
        // Whether headers came: a request that got none is not asked again.
        let answered = std::sync::atomic::AtomicBool::new(false);
        let stalled = |m: String| (RegistryError::new(ErrorKind::Stalled, url, m), None);
        let fut = async {
            let mut req = self.client.get(url);
            if let Some(a) = auth {
                crate::scrub::remember_basic(&a.username, &a.password);
                req = req.basic_auth(&a.username, Some(&a.password));
            }
            let mut waiting = Waiting::new(self.progress, url, None);
            let mut resp = waiting
                .during(req.send())
                .await
                .map_err(|e| (transport_error(url, &e), None))?;
            answered.store(true, std::sync::atomic::Ordering::Relaxed);
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            let declared = resp
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if !(200..300).contains(&status) {
                // Only the start is shown: never read an endless error page.
                let mut said = Vec::new();
                while said.len() < 4096 {
                    match resp.chunk().await {
                        Ok(Some(chunk)) => said.extend_from_slice(&chunk),
                        _ => break,
                    }
                }
                let body = String::from_utf8_lossy(&said);
                return Err((status_error(status, url, &body), retry_after));
            }
            if declared.is_some_and(|n| n > MAX_DOWNLOAD_BYTES) {
                return Err((too_large(url), None));
            }
            if let Some(n) = declared {
                waiting.set_total(n);
            }
            let mut body =
                Vec::with_capacity(declared.unwrap_or(0).min(MAX_DOWNLOAD_BYTES) as usize);
            let mut speed = wait::LowSpeed::default();
            loop {
                match speed
                    .next(waiting.during(resp.chunk()))
                    .await
                    .map_err(stalled)?
                {
                    Ok(Some(chunk)) => {
                        if body.len() as u64 + chunk.len() as u64 > MAX_DOWNLOAD_BYTES {
                            return Err((too_large(url), None));
                        }
                        speed.advance(chunk.len() as u64).map_err(stalled)?;
                        waiting.advance(chunk.len() as u64);
                        body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Err((
                            RegistryError::new(
                                ErrorKind::Network,
                                url,
                                format!(
                                    "download cut short after {} bytes: {}",
                                    body.len(),
                                    error_chain(&e)
                                ),
                            ),
                            None,
                        ))
                    }
                }
            }
            if let Some(n) = declared {
                if body.len() as u64 != n {
                    return Err((
                        RegistryError::new(
                            ErrorKind::Network,
                            url,
                            format!("truncated download: got {} of {n} bytes", body.len()),
                        ),
                        None,
                    ));
                }
            }
            Ok(body)
        };
        match tokio::time::timeout(budget, fut).await {
            Ok(r) => r,
            Err(_) if !answered.load(std::sync::atomic::Ordering::Relaxed) => Err(stalled(
                wait::unanswered(budget, by_deadline, deadline.as_ref()),
            )),
            Err(_) => Err((
                RegistryError::new(
                    ErrorKind::Timeout,
                    url,
                    wait::timed_out(budget, by_deadline, deadline.as_ref()),
                ),
                None,
            )),
        }
    }
}

fn too_large(url: &str) -> RegistryError {
    RegistryError::new(
        ErrorKind::Invalid,
        url,
        format!("larger than {} MiB, not a chart", MAX_DOWNLOAD_BYTES >> 20),
    )
}

/// A non-2xx answer, with the start of what the server said.
fn status_error(status: u16, url: &str, body: &str) -> RegistryError {
    let said: String = body.trim().chars().take(200).collect();
    let kind = match status {
        404 => ErrorKind::NotFound { code: None },
        401 | 403 => ErrorKind::Unauthorized,
        429 => ErrorKind::RateLimited,
        s => ErrorKind::Http(s),
    };
    // `HTTP 503` is in the error's own wording; other kinds name the status here.
    let message = match (&kind, said.is_empty()) {
        (ErrorKind::Http(_), _) => said,
        (_, true) => format!("HTTP {status}"),
        (_, false) => format!("HTTP {status}: {said}"),
    };
    RegistryError::new(kind, url, message)
}
