//! A read-only client for the OCI distribution API: manifests, blobs and tag
//! lists, through mirrors, with credentials, a per-request timeout and retries.
//!
//! Why not `oci_client::Client` for the requests: in 0.15 it drops response
//! headers (so `Retry-After` cannot be honoured), pings `/v2/` before every
//! request to a registry that needs no auth (doubling round trips, which
//! dominate when checking hundreds of images), does not follow tag-list
//! pagination, and cannot take per-host TLS settings or rewritten mirror
//! repositories. The documents it reads (manifests, index entries, error
//! envelopes, media types) are typed in [`super::oci`].

use super::config::{Endpoint, RegistryConfig};
use super::credentials::{Credential, CredentialStore};
use super::error::{ErrorKind, RegistryError};
use super::oci;
use super::retry::{parse_retry_after, RetryPolicy};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Largest manifest accepted (containerd's limit).
pub const MAX_MANIFEST_BYTES: usize = 4 << 20;

/// Media types of every manifest kind, for `Accept`.
pub const MANIFEST_MEDIA_TYPES: &[&str] = &[
    oci::OCI_IMAGE_INDEX_MEDIA_TYPE,
    oci::DOCKER_MANIFEST_LIST_MEDIA_TYPE,
    oci::OCI_IMAGE_MANIFEST_MEDIA_TYPE,
    oci::DOCKER_MANIFEST_MEDIA_TYPE,
];

/// Helm chart artifacts, for chart pulls.
pub const HELM_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
pub const HELM_CHART_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// Deadline for one request to a registry or chart repository, connection and
/// whole body included: long enough for a large chart archive on a slow link.
/// The one default of every command's `--timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Deadline for one request, connection and body included (a connection
    /// alone gets [`super::wait::CONNECT_TIMEOUT`] at most).
    pub timeout: Duration,
    /// Retries, and the command's overall deadline (`retry.deadline`).
    pub retry: RetryPolicy,
    /// Show a slow request's URL and bytes on stderr (a terminal, no `-q`).
    pub progress: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            progress: false,
        }
    }
}

/// A document fetched from a registry.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub body: Vec<u8>,
    /// `Content-Type` as the server sent it (parameters removed).
    pub media_type: String,
    /// `sha256:…` of the body, checked against the reference and the
    /// `Docker-Content-Digest` header.
    pub digest: String,
    /// Where it came from (a mirror or the registry).
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
    },
}

/// Shared by every task of a run: connection pools, auth challenges and
/// tokens are per endpoint and reused.
pub struct RegistryClient {
    config: RegistryConfig,
    credentials: CredentialStore,
    options: ClientOptions,
    default_http: reqwest::Client,
    tls_http: Mutex<HashMap<String, reqwest::Client>>,
    challenges: Mutex<HashMap<String, Challenge>>,
    tokens: Mutex<HashMap<(String, String), String>>,
    credential_cache: Mutex<HashMap<String, Option<Credential>>>,
}

struct Response {
    headers: HeaderMap,
    body: Vec<u8>,
    url: String,
}

impl RegistryClient {
    pub fn new(
        config: RegistryConfig,
        credentials: CredentialStore,
        options: ClientOptions,
    ) -> Result<Arc<RegistryClient>, RegistryError> {
        let default_http = base_builder(&options)
            .build()
            .map_err(|e| RegistryError::new(ErrorKind::Config, "", format!("HTTP client: {e}")))?;
        Ok(Arc::new(RegistryClient {
            config,
            credentials,
            options,
            default_http,
            tls_http: Mutex::default(),
            challenges: Mutex::default(),
            tokens: Mutex::default(),
            credential_cache: Mutex::default(),
        }))
    }

    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Fetches a manifest (by tag or digest), trying mirrors first.
    pub async fn manifest(
        &self,
        registry: &str,
        repository: &str,
        reference: &str,
        accept: &[&str],
    ) -> Result<Fetched, RegistryError> {
        self.each_endpoint(registry, repository, |ep| async move {
            let path = format!("/v2/{}/manifests/{reference}", ep.repository);
            let resp = self
                .get(&ep, registry, &path, accept, MAX_MANIFEST_BYTES)
                .await?;
            let media_type = content_type(&resp.headers);
            if looks_like_html(&resp.body) {
                return Err(html_answer(&resp.url, &media_type, "a manifest"));
            }
            let digest = sha256(&resp.body);
            let expected = reference.starts_with("sha256:").then_some(reference);
            let header = resp
                .headers
                .get("docker-content-digest")
                .and_then(|v| v.to_str().ok())
                .filter(|d| d.starts_with("sha256:"));
            for want in [expected, header].into_iter().flatten() {
                if want != digest {
                    return Err(RegistryError::new(
                        ErrorKind::Invalid,
                        resp.url,
                        format!("manifest digest is {digest}, expected {want} (corrupted on the way, or the registry is inconsistent)"),
                    ));
                }
            }
            Ok(Fetched {
                body: resp.body,
                media_type,
                digest,
                url: resp.url,
            })
        })
        .await
    }

    /// Fetches a blob and checks its digest; refuses blobs over `max_bytes`.
    pub async fn blob(
        &self,
        registry: &str,
        repository: &str,
        digest: &str,
        max_bytes: usize,
    ) -> Result<Fetched, RegistryError> {
        self.each_endpoint(registry, repository, |ep| async move {
            let path = format!("/v2/{}/blobs/{digest}", ep.repository);
            let resp = self.get(&ep, registry, &path, &[], max_bytes).await?;
            let actual = sha256(&resp.body);
            if digest.starts_with("sha256:") && actual != digest {
                return Err(RegistryError::new(
                    ErrorKind::Invalid,
                    resp.url,
                    format!("blob digest is {actual}, expected {digest} (truncated or corrupt download)"),
                ));
            }
            Ok(Fetched {
                media_type: content_type(&resp.headers),
                body: resp.body,
                digest: actual,
                url: resp.url,
            })
        })
        .await
    }

    /// Every tag of a repository, following `Link` pagination.
    pub async fn tags(
        &self,
        registry: &str,
        repository: &str,
    ) -> Result<Vec<String>, RegistryError> {
        #[derive(serde::Deserialize)]
        struct TagList {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        self.each_endpoint(registry, repository, |ep| async move {
            let mut out = Vec::new();
            let mut path = format!("/v2/{}/tags/list?n=1000", ep.repository);
            // A bound on pages keeps a misbehaving server from looping us.
            for _ in 0..200 {
                let resp = self.get(&ep, registry, &path, &[], 16 << 20).await?;
                let list: TagList = serde_json::from_slice(&resp.body).map_err(|e| {
                    RegistryError::new(ErrorKind::Invalid, &resp.url, format!("tag list: {e}"))
                })?;
                out.extend(list.tags.unwrap_or_default());
                match next_link(&resp.headers) {
                    Some(next) if next.starts_with("/v2/") => path = next,
                    _ => return Ok(out),
                }
            }
            Ok(out)
        })
        .await
    }

    /// Runs `op` on each endpoint in turn until one answers; an endpoint that
    /// does not answer (network, timeout, 5xx) passes the question on.
    async fn each_endpoint<'a, T, F, Fut>(
        &'a self,
        registry: &str,
        repository: &str,
        op: F,
    ) -> Result<T, RegistryError>
    where
        F: Fn(Endpoint) -> Fut,
        Fut: std::future::Future<Output = Result<T, RegistryError>> + 'a,
    {
        let endpoints = self.config.endpoints(registry, repository);
        let mut first_err: Option<RegistryError> = None;
        let count = endpoints.len();
        for (i, ep) in endpoints.into_iter().enumerate() {
            match op(ep).await {
                Ok(v) => return Ok(v),
                Err(e) if e.endpoint_unusable() && i + 1 < count => {
                    first_err.get_or_insert(e);
                }
                Err(mut e) => {
                    if let Some(first) = first_err {
                        e.message = format!("{} (after {first})", e.message);
                    }
                    return Err(e);
                }
            }
        }
        Err(first_err.unwrap_or_else(|| {
            RegistryError::new(ErrorKind::Config, registry, "no endpoint to ask")
        }))
    }

    fn http_for(&self, ep: &Endpoint) -> Result<reqwest::Client, RegistryError> {
        let Some(tls) = self
            .config
            .host_config(&ep.host)
            .and_then(|c| c.tls.clone())
        else {
            return Ok(self.default_http.clone());
        };
        let mut cache = self.tls_http.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(&ep.host) {
            return Ok(c.clone());
        }
        let cfg_err = |m: String| RegistryError::new(ErrorKind::Config, &ep.base_url, m);
        let mut b =
            base_builder(&self.options).danger_accept_invalid_certs(tls.insecure_skip_verify);
        if let Some(ca) = &tls.ca_file {
            let pem = crate::input::read(ca)
                .map_err(|e| cfg_err(format!("tls.ca_file {}: {e}", ca.display())))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| cfg_err(format!("tls.ca_file {}: {e}", ca.display())))?;
            b = b.add_root_certificate(cert);
        }
        if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
            let mut pem = crate::input::read(cert)
                .map_err(|e| cfg_err(format!("tls.cert_file {}: {e}", cert.display())))?;
            pem.extend(
                crate::input::read(key)
                    .map_err(|e| cfg_err(format!("tls.key_file {}: {e}", key.display())))?,
            );
            let id = reqwest::Identity::from_pem(&pem)
                .map_err(|e| cfg_err(format!("tls client certificate: {e}")))?;
            b = b.identity(id);
        }
        let client = b.build().map_err(|e| cfg_err(format!("TLS setup: {e}")))?;
        cache.insert(ep.host.clone(), client.clone());
        Ok(client)
    }

    fn credential(&self, host: &str) -> Result<Option<Credential>, RegistryError> {
        let mut cache = self
            .credential_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cache.get(host) {
            return Ok(c.clone());
        }
        let c = self
            .credentials
            .lookup(&self.config, host)
            .map_err(|m| RegistryError::new(ErrorKind::Config, host, m))?;
        cache.insert(host.to_string(), c.clone());
        Ok(c)
    }

    /// The `Authorization` value to send to `ep` for its repository, if the
    /// endpoint is known to want one.
    async fn authorization(
        &self,
        ep: &Endpoint,
        fresh: bool,
    ) -> Result<Option<String>, RegistryError> {
        let challenge = self
            .challenges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&ep.base_url)
            .cloned();
        match challenge {
            None => Ok(None),
            Some(Challenge::Basic) => match self.credential(&ep.host)? {
                Some(Credential::Basic { username, password }) => {
                    Ok(Some(basic_header(&username, &password)))
                }
                Some(Credential::IdentityToken(_)) | None => Ok(None),
            },
            Some(Challenge::Bearer { realm, service }) => {
                let key = (ep.base_url.clone(), ep.repository.clone());
                if !fresh {
                    if let Some(t) = self
                        .tokens
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get(&key)
                    {
                        return Ok(Some(format!("Bearer {t}")));
                    }
                }
                let token = self.fetch_token(ep, &realm, service.as_deref()).await?;
                crate::scrub::remember(&token);
                self.tokens
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, token.clone());
                Ok(Some(format!("Bearer {token}")))
            }
        }
    }

    /// The token flow of the distribution spec: anonymous, basic, or an
    /// OAuth2 refresh token.
    async fn fetch_token(
        &self,
        ep: &Endpoint,
        realm: &str,
        service: Option<&str>,
    ) -> Result<String, RegistryError> {
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            token: Option<String>,
            access_token: Option<String>,
        }
        let scope = format!("repository:{}:pull", ep.repository);
        let http = self.http_for(ep)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let req = match self.credential(&ep.host)? {
                Some(Credential::IdentityToken(refresh)) => {
                    crate::scrub::remember(&refresh);
                    let mut form = vec![
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh.as_str()),
                        ("client_id", "chartfix"),
                        ("scope", scope.as_str()),
                    ];
                    if let Some(s) = service {
                        form.push(("service", s));
                    }
                    http.post(realm).form(&form)
                }
                cred => {
                    let mut q = vec![("scope", scope.as_str())];
                    if let Some(s) = service {
                        q.push(("service", s));
                    }
                    let r = http.get(realm).query(&q);
                    match cred {
                        Some(Credential::Basic { username, password }) => {
                            r.header(AUTHORIZATION, basic_header(&username, &password))
                        }
                        _ => r,
                    }
                }
            };
            let result = self.send(req, realm, 1 << 20).await;
            let policy = &self.options.retry;
            let (status, resp) = match result {
                Ok(v) => v,
                Err((mut e, retry_after)) => match policy.delay(attempt, retry_after) {
                    Some(d) if e.kind.transient() => {
                        tokio::time::sleep(d).await;
                        continue;
                    }
                    _ => {
                        e.message = policy.give_up(&e.message, attempt, retry_after);
                        return Err(e);
                    }
                },
            };
            if !(200..300).contains(&status) {
                let e = classify(status, &resp);
                let retry_after = retry_after(&resp.headers);
                let retryable = RetryPolicy::retryable_status(status);
                if retryable {
                    if let Some(d) = policy.delay(attempt, retry_after) {
                        tokio::time::sleep(d).await;
                        continue;
                    }
                }
                let message = if retryable {
                    policy.give_up(&e.message, attempt, retry_after)
                } else {
                    e.message
                };
                return Err(RegistryError {
                    message: format!("token request refused: {message}"),
                    kind: if matches!(status, 401 | 403) {
                        ErrorKind::Unauthorized
                    } else {
                        e.kind
                    },
                    url: e.url,
                });
            }
            let t: TokenResponse = serde_json::from_slice(&resp.body).map_err(|e| {
                RegistryError::new(
                    ErrorKind::Invalid,
                    realm,
                    format!("token response is not JSON ({e}); the registry's token service is misbehaving"),
                )
            })?;
            return t
                .token
                .or(t.access_token)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    RegistryError::new(
                        ErrorKind::Invalid,
                        realm,
                        "token response has no token; the registry's token service is misbehaving",
                    )
                });
        }
    }

    /// GET `path` from an endpoint: authenticates on a challenge, retries
    /// what is transient, and turns every non-2xx answer into an error.
    async fn get(
        &self,
        ep: &Endpoint,
        registry: &str,
        path: &str,
        accept: &[&str],
        max_bytes: usize,
    ) -> Result<Response, RegistryError> {
        let mut url = format!("{}{path}", ep.base_url);
        if ep.mirror {
            // containerd tells mirrors which registry is meant.
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("ns=");
            url.push_str(&super::reference::canonical_registry(registry));
        }
        let http = self.http_for(ep)?;
        let mut attempt = 0;
        let mut authed_fresh = false;
        loop {
            attempt += 1;
            let mut req = http.get(&url);
            if !accept.is_empty() {
                req = req.header(ACCEPT, accept.join(", "));
            }
            if let Some(auth) = self.authorization(ep, authed_fresh).await? {
                req = req.header(AUTHORIZATION, auth);
            }
            let policy = &self.options.retry;
            let (status, resp) = match self.send(req, &url, max_bytes).await {
                Ok(v) => v,
                Err((mut e, retry_after)) => match policy.delay(attempt, retry_after) {
                    Some(d) if e.kind.transient() => {
                        tokio::time::sleep(d).await;
                        continue;
                    }
                    _ => {
                        if e.kind.transient() {
                            e.message = policy.give_up(&e.message, attempt, retry_after);
                        }
                        return Err(e);
                    }
                },
            };
            if (200..300).contains(&status) {
                return Ok(resp);
            }
            if status == 401 && !authed_fresh {
                if let Some(ch) = resp
                    .headers
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_challenge)
                {
                    let had_credential = self.credential(&ep.host)?.is_some();
                    let is_basic = ch == Challenge::Basic;
                    self.challenges
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(ep.base_url.clone(), ch);
                    if is_basic && !had_credential {
                        return Err(RegistryError::new(
                            ErrorKind::Unauthorized,
                            url,
                            "the registry wants a user name and password and none is configured",
                        ));
                    }
                    authed_fresh = true;
                    attempt -= 1;
                    continue;
                }
            }
            let mut err = classify(status, &resp);
            if RetryPolicy::retryable_status(status) {
                let wait = retry_after(&resp.headers);
                if let Some(d) = policy.delay(attempt, wait) {
                    tokio::time::sleep(d).await;
                    continue;
                }
                err.message = policy.give_up(&err.message, attempt, wait);
            } else if status == 401 && authed_fresh {
                err.message = format!(
                    "{} (the registry refused the credentials or token chartfix sent)",
                    err.message
                );
            }
            return Err(err);
        }
    }

    /// Sends one request under the deadline and reads the body up to a limit.
    /// A failure comes with the server's `Retry-After`, when it gave one.
    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        url: &str,
        max_bytes: usize,
    ) -> Result<(u16, Response), (RegistryError, Option<Duration>)> {
        let deadline = self.options.retry.deadline;
        let (timeout, by_deadline) =
            super::wait::request_budget(self.options.timeout, deadline.as_ref());
        if timeout.is_zero() {
            return Err((
                RegistryError::new(
                    ErrorKind::Timeout,
                    url,
                    super::wait::timed_out(timeout, true, deadline.as_ref()),
                ),
                None,
            ));
        }
        // Whether headers came: a request that got none is not asked again.
        let answered = std::sync::atomic::AtomicBool::new(false);
        let stalled = |m: String| (RegistryError::new(ErrorKind::Stalled, url, m), None);
        let fut = async {
            let mut waiting = super::wait::Waiting::new(self.options.progress, url, None);
            let mut resp = waiting
                .during(req.send())
                .await
                .map_err(|e| (transport_error(url, &e), None))?;
            answered.store(true, std::sync::atomic::Ordering::Relaxed);
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let declared = resp.content_length();
            if let Some(n) = declared {
                waiting.set_total(n);
            }
            let mut body = Vec::new();
            let mut speed = super::wait::LowSpeed::default();
            loop {
                match speed
                    .next(waiting.during(resp.chunk()))
                    .await
                    .map_err(stalled)?
                {
                    Ok(Some(chunk)) => {
                        speed.advance(chunk.len() as u64).map_err(stalled)?;
                        waiting.advance(chunk.len() as u64);
                        if body.len() + chunk.len() > max_bytes {
                            return Err((
                                RegistryError::new(
                                    ErrorKind::Invalid,
                                    url,
                                    format!("response larger than {max_bytes} bytes"),
                                ),
                                None,
                            ));
                        }
                        body.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Err((
                            RegistryError::new(
                                ErrorKind::Network,
                                url,
                                format!("reading the response: {}", error_chain(&e)),
                            ),
                            None,
                        ))
                    }
                }
            }
            // The transport refuses a short body already; a short body is
            // never an answer, so it is said here too, whatever the transport.
            if declared.is_some_and(|n| n != body.len() as u64) {
                return Err((
                    RegistryError::new(
                        ErrorKind::Network,
                        url,
                        format!(
                            "truncated response: got {} of {} bytes",
                            body.len(),
                            declared.unwrap_or(0)
                        ),
                    ),
                    None,
                ));
            }
            Ok((
                status,
                Response {
                    headers,
                    body,
                    url: url.to_string(),
                },
            ))
        };
        match tokio::time::timeout(timeout, fut).await {
            Ok(r) => r,
            Err(_) if !answered.load(std::sync::atomic::Ordering::Relaxed) => Err(stalled(
                super::wait::unanswered(timeout, by_deadline, deadline.as_ref()),
            )),
            Err(_) => Err((
                RegistryError::new(
                    ErrorKind::Timeout,
                    url,
                    super::wait::timed_out(timeout, by_deadline, deadline.as_ref()),
                ),
                None,
            )),
        }
    }
}

fn base_builder(options: &ClientOptions) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(concat!("chartfix/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(super::wait::connect_timeout(options.timeout))
        .pool_idle_timeout(Duration::from_secs(30))
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
        .unwrap_or_default()
}

fn basic_header(user: &str, password: &str) -> String {
    use base64::Engine;
    crate::scrub::remember_basic(user, password);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
}

/// A request that got no answer. A redirect loop is the server's doing and
/// will not mend by asking again; refusals, resets and timeouts may.
pub(crate) fn transport_error(url: &str, e: &reqwest::Error) -> RegistryError {
    if e.is_redirect() {
        let last = e
            .url()
            .map(|u| u.to_string())
            .filter(|u| u != url)
            .map(|u| format!(", the last to {u}"))
            .unwrap_or_default();
        return RegistryError::new(
            ErrorKind::Invalid,
            url,
            format!(
                "redirected more than 10 times{last}: probably a redirect loop; check the URL, or the server's redirects"
            ),
        );
    }
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    RegistryError::new(kind, url, error_chain(e))
}

/// True for an HTML page (a login, captive portal or proxy error page) where
/// JSON or YAML was expected: neither of those starts with `<`.
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    body[start..].starts_with(b"<")
}

/// The error for an HTML page where `wanted` should have been.
pub(crate) fn html_answer(url: &str, media_type: &str, wanted: &str) -> RegistryError {
    let label = if media_type.is_empty() {
        "no content type".to_string()
    } else {
        media_type.to_string()
    };
    RegistryError::new(
        ErrorKind::Invalid,
        url,
        format!(
            "the answer is an HTML page ({label}), not {wanted}: a login page, or a proxy's error page? Check the address, or the proxy between here and the server"
        ),
    )
}

/// `reqwest` errors hide their cause (refused, DNS, TLS) in the source chain.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    // reqwest's own top line repeats the URL the caller already names.
    let top = e.to_string();
    let mut out = if top.starts_with("error sending request") && e.source().is_some() {
        String::new()
    } else {
        top
    };
    let mut src = e.source();
    while let Some(s) = src {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&s_text);
        }
        src = s.source();
    }
    out
}

/// Turns a non-2xx answer into an error with the server's own words.
fn classify(status: u16, resp: &Response) -> RegistryError {
    let envelope: Option<oci::OciEnvelope> = serde_json::from_slice(&resp.body).ok();
    let first = envelope.as_ref().and_then(|e| e.errors.first());
    let code = first.map(|e| e.code.as_str().to_string());
    let message = match first {
        Some(e) if !e.message.is_empty() => e.message.clone(),
        _ => {
            let text = String::from_utf8_lossy(&resp.body);
            let text = text.trim();
            // `HTTP 503` alone is what the error's kind already says.
            if text.is_empty() && !matches!(status, 401 | 403 | 404 | 429) {
                String::new()
            } else if text.is_empty() {
                format!("HTTP {status}")
            } else {
                text.chars().take(300).collect()
            }
        }
    };
    let kind = match status {
        404 => ErrorKind::NotFound { code: code.clone() },
        401 | 403 => ErrorKind::Unauthorized,
        429 => ErrorKind::RateLimited,
        s if code.as_deref() == Some("TOOMANYREQUESTS") && s >= 400 => ErrorKind::RateLimited,
        s => ErrorKind::Http(s),
    };
    RegistryError::new(kind, &resp.url, message)
}

/// `Link: </v2/x/tags/list?last=a&n=2>; rel="next"` → the path.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("link")?.to_str().ok()?;
    let start = v.find('<')? + 1;
    let end = v[start..].find('>')? + start;
    v[end..].contains("next").then(|| v[start..end].to_string())
}

/// Parses `Basic realm="x"` or `Bearer realm="…",service="…",scope="…"`.
fn parse_challenge(header: &str) -> Option<Challenge> {
    let (scheme, params) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    let mut realm = None;
    let mut service = None;
    let mut rest = params;
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"')?;
            (&q[..end], &q[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match key.as_str() {
            "realm" => realm = Some(value.to_string()),
            "service" => service = Some(value.to_string()),
            _ => {}
        }
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    if scheme.eq_ignore_ascii_case("basic") {
        Some(Challenge::Basic)
    } else if scheme.eq_ignore_ascii_case("bearer") {
        Some(Challenge::Bearer {
            realm: realm?,
            service,
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `Accept` header of a manifest request, as it has always been sent
    /// (index and list first, so that a multi-platform tag answers with its
    /// index rather than one platform's manifest).
    #[test]
    fn manifest_accept_header() {
        assert_eq!(
            MANIFEST_MEDIA_TYPES.join(", "),
            "application/vnd.oci.image.index.v1+json, \
             application/vnd.docker.distribution.manifest.list.v2+json, \
             application/vnd.oci.image.manifest.v1+json, \
             application/vnd.docker.distribution.manifest.v2+json"
        );
    }

    #[test]
    fn challenges() {
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into())
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(parse_challenge("Bearer service=x"), None);
        assert_eq!(parse_challenge("Negotiate"), None);
    }

    #[test]
    fn html_pages_are_told_apart() {
        assert!(looks_like_html(b"\n  <!DOCTYPE html><html>"));
        assert!(!looks_like_html(br#"{"schemaVersion":2}"#));
        assert!(!looks_like_html(b""));
        let e = html_answer("http://h/v2/a/manifests/1", "text/html", "a manifest");
        assert!(e
            .to_string()
            .contains("HTML page (text/html), not a manifest"));
    }

    #[test]
    fn an_empty_error_page_does_not_repeat_the_status() {
        let resp = Response {
            headers: HeaderMap::new(),
            body: vec![],
            url: "http://h/v2/a/manifests/x".into(),
        };
        assert_eq!(
            classify(503, &resp).to_string(),
            "http://h/v2/a/manifests/x: HTTP 503"
        );
        assert_eq!(
            classify(404, &resp).to_string(),
            "http://h/v2/a/manifests/x: not found: HTTP 404"
        );
    }

    #[test]
    fn link_header() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            r#"</v2/a/tags/list?last=b&n=2>; rel="next""#.parse().unwrap(),
        );
        assert_eq!(next_link(&h).as_deref(), Some("/v2/a/tags/list?last=b&n=2"));
    }

    #[test]
    fn classify_envelope() {
        let resp = Response {
            headers: HeaderMap::new(),
            body: br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#
                .to_vec(),
            url: "http://h/v2/a/manifests/x".into(),
        };
        let e = classify(404, &resp);
        assert_eq!(e.code(), Some("MANIFEST_UNKNOWN"));
        assert_eq!(
            e.to_string(),
            "http://h/v2/a/manifests/x: not found (MANIFEST_UNKNOWN): manifest unknown"
        );
        let e = classify(
            429,
            &Response {
                body: vec![],
                ..resp
            },
        );
        assert_eq!(e.kind, ErrorKind::RateLimited);
    }
}
