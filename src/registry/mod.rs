//! Access to OCI registries shared by chart fetching and image checks:
//! references, mirrors and per-host settings (k3s `registries.yaml`),
//! credentials, a read-only distribution client with retries, and the OCI
//! and Docker documents it fetches (`oci`: manifests, index entries, media
//! types, error envelopes).
//!
//! Besides pulling a Helm chart (`charts`), it knows nothing of what a
//! manifest means: callers parse what they fetch with the `oci` types.
//!
//! ```text
//! reference ─▶ config (mirrors, rewrite) ─▶ client ─▶ endpoint … registry
//!                       credentials ───────────┘
//! ```

pub mod cache_dir;
pub mod charts;
pub mod client;
pub mod config;
pub mod credentials;
pub mod error;
mod helper;
pub mod oci;
pub mod reference;
pub mod retry;
pub mod wait;

pub use client::{ClientOptions, Fetched, RegistryClient, DEFAULT_TIMEOUT};
pub use config::{ConfigError, RegistryConfig};
pub use credentials::{Credential, CredentialStore};
pub use error::{ErrorKind, RegistryError};
pub use reference::ImageRef;
pub use retry::RetryPolicy;
pub use wait::{Deadline, CONNECT_TIMEOUT, DEFAULT_DEADLINE};
