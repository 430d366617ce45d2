//! What went wrong finding or fetching a chart, classified so that callers can
//! tell a missing chart from a refused login, and worded for the person who
//! reads it: the URL, what the server said, and what to do.

use crate::registry::{ErrorKind, RegistryError};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceErrorKind {
    /// The reference or an option cannot be used as given.
    Usage,
    /// No such chart or version (the message lists the nearest ones).
    NotFound,
    /// `--offline` and the cache does not have it.
    OfflineMiss,
    /// The server wants credentials, or refused the ones given.
    Unauthorized,
    /// The bytes do not match their digest, or are not a chart.
    Integrity,
    /// The server could not be reached or did not answer in time.
    Network,
    /// Another failure: an HTTP status, a configuration file, the cache folder.
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub kind: SourceErrorKind,
    pub message: String,
}

impl SourceError {
    pub fn new(kind: SourceErrorKind, message: impl Into<String>) -> SourceError {
        SourceError {
            kind,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> SourceError {
        Self::new(SourceErrorKind::Usage, message)
    }

    pub fn other(message: impl Into<String>) -> SourceError {
        Self::new(SourceErrorKind::Other, message)
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SourceError {}

impl SourceError {
    /// An error from an HTTP chart repository, with advice that fits one.
    pub fn from_repo(e: RegistryError) -> SourceError {
        let advice = e.repo_advice();
        let mut err = SourceError::new(kind_of(&e), e.to_string());
        if !advice.is_empty() {
            err.message = format!("{} ({advice})", err.message);
        }
        err
    }
}

fn kind_of(e: &RegistryError) -> SourceErrorKind {
    match e.kind {
        ErrorKind::NotFound { .. } => SourceErrorKind::NotFound,
        ErrorKind::Unauthorized => SourceErrorKind::Unauthorized,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Stalled | ErrorKind::RateLimited => {
            SourceErrorKind::Network
        }
        ErrorKind::Invalid => SourceErrorKind::Integrity,
        ErrorKind::Http(_) | ErrorKind::Config => SourceErrorKind::Other,
    }
}

impl From<RegistryError> for SourceError {
    fn from(e: RegistryError) -> SourceError {
        let kind = kind_of(&e);
        let advice = e.advice();
        let message = if advice.is_empty() {
            e.to_string()
        } else {
            format!("{e} ({advice})")
        };
        SourceError { kind, message }
    }
}
