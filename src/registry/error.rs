//! What went wrong talking to a registry, classified for callers (a missing
//! tag and a refused login call for different advice) and worded for people:
//! every error names the URL and what the server said.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 404; `code` is the distribution error code when the server sent one
    /// (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `BLOB_UNKNOWN`, …).
    NotFound { code: Option<String> },
    /// 401/403, or a token request that was refused.
    Unauthorized,
    /// 429, or `TOOMANYREQUESTS`, after the retries ran out.
    RateLimited,
    /// Another HTTP status.
    Http(u16),
    /// No connection could be made or it broke.
    Network,
    /// The request took longer than the per-request timeout.
    Timeout,
    /// No answer (not even headers) within the timeout, or a body below the
    /// low-speed limit: asking again would wait as long, so it is not retried.
    Stalled,
    /// The server answered with something that is not what the API promises.
    Invalid,
    /// The configuration or credentials could not be used.
    Config,
}

impl ErrorKind {
    /// Worth another try of the same request: the answer may differ.
    pub fn transient(&self) -> bool {
        match self {
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::RateLimited => true,
            ErrorKind::Http(s) => super::retry::RetryPolicy::retryable_status(*s),
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryError {
    pub kind: ErrorKind,
    /// The URL asked (never with credentials in it).
    pub url: String,
    /// What the server or the transport said.
    pub message: String,
}

impl RegistryError {
    pub fn new(kind: ErrorKind, url: impl Into<String>, message: impl Into<String>) -> Self {
        RegistryError {
            kind,
            url: url.into(),
            message: message.into(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self.kind, ErrorKind::NotFound { .. })
    }

    /// The distribution error code of a 404, if any.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::NotFound { code } => code.as_deref(),
            _ => None,
        }
    }

    /// Errors after which another endpoint (the next mirror, or the
    /// registry itself) is worth asking: the endpoint did not answer.
    pub fn endpoint_unusable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::Stalled
                | ErrorKind::Http(500..=599)
        )
    }

    /// A hint for the person reading an error from an HTTP chart
    /// repository, whose remedies differ from a registry's.
    pub fn repo_advice(&self) -> &'static str {
        match self.kind {
            ErrorKind::Unauthorized => {
                "add the repository with credentials (helm repo add NAME URL --username U --password P); chartfix reads Helm's repositories.yaml"
            }
            ErrorKind::RateLimited => "wait and run again",
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Stalled => {
                "check the network, or fetch from a copy with --repo-mirror FROM=TO, or use --offline"
            }
            ErrorKind::Http(500..=599) => {
                "the server is failing: try again later, or fetch from a copy with --repo-mirror FROM=TO"
            }
            _ => "",
        }
    }

    /// A hint for the person reading the error.
    pub fn advice(&self) -> &'static str {
        match self.kind {
            ErrorKind::Unauthorized => {
                "log in (docker login / helm registry login) or set configs.HOST.auth in --registry-config"
            }
            ErrorKind::RateLimited => "wait and run again, or log in to raise the limit",
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Stalled => {
                "check the network, or use --registry-config with a mirror, or --offline"
            }
            ErrorKind::Http(500..=599) => {
                "the registry is failing: try again later, or use a mirror with --registry-config"
            }
            _ => "",
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            ErrorKind::NotFound { code: Some(c) } => format!("not found ({c})"),
            ErrorKind::NotFound { code: None } => "not found".to_string(),
            ErrorKind::Unauthorized => "unauthorized".to_string(),
            ErrorKind::RateLimited => "rate limited".to_string(),
            ErrorKind::Http(s) => format!("HTTP {s}"),
            ErrorKind::Network => "network error".to_string(),
            ErrorKind::Timeout | ErrorKind::Stalled => "timed out".to_string(),
            ErrorKind::Invalid => "invalid response".to_string(),
            ErrorKind::Config => "configuration error".to_string(),
        };
        write!(f, "{}: {what}", self.url)?;
        // An empty error page leaves only the status, already said.
        if !self.message.is_empty() && self.message != what {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for RegistryError {}
