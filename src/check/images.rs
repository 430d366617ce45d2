//! The image check: every image of a manifest stream, asked of its registry
//! with bounded concurrency, answered from the cache where it can be, with a
//! suggestion for each problem.

use super::cache::{now, Entry, ResultCache};
use super::extract::{ImageUse, UsedBy};
use super::inspect::{inspect, Inspection, Status};
use super::platform::Platform;
use super::suggest::{suggest, Suggestion};
use super::workloads::Document;
use crate::registry::{cache_dir, ClientOptions, CredentialStore, RegistryClient, RegistryConfig};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// One line of the report, in the JSON shape scripts rely on.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ImageReport {
    pub image: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    pub used_by: Vec<UsedBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub checked: usize,
    pub ok: usize,
    pub problems: usize,
}

#[derive(Serialize, Clone, Debug)]
pub struct ImagesResult {
    pub images: Vec<ImageReport>,
    pub summary: Summary,
}

impl ImagesResult {
    pub fn new(images: Vec<ImageReport>) -> ImagesResult {
        let ok = images.iter().filter(|i| i.status == Status::Ok).count();
        ImagesResult {
            summary: Summary {
                checked: images.len(),
                ok,
                problems: images.len() - ok,
            },
            images,
        }
    }
}

#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub platforms: Vec<Platform>,
    pub concurrency: usize,
    /// Answer from the cache only.
    pub offline: bool,
    pub cache: Option<ResultCache>,
}

/// Checks every image; the result keeps the input's order.
pub async fn check_images(
    client: Arc<RegistryClient>,
    uses: Vec<ImageUse>,
    options: CheckOptions,
) -> ImagesResult {
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let options = Arc::new(options);
    let mut set = tokio::task::JoinSet::new();
    let count = uses.len();
    for (i, u) in uses.into_iter().enumerate() {
        let client = client.clone();
        let permits = permits.clone();
        let options = options.clone();
        set.spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = permits.acquire_owned().await.ok();
            (i, check_one(&client, u, &options).await)
        });
    }
    let mut out: Vec<Option<ImageReport>> = vec![None; count];
    while let Some(joined) = set.join_next().await {
        if let Ok((i, report)) = joined {
            out[i] = Some(report);
        }
    }
    ImagesResult::new(out.into_iter().flatten().collect())
}

async fn check_one(client: &RegistryClient, u: ImageUse, options: &CheckOptions) -> ImageReport {
    let display = u.display();
    let image = match &u.reference {
        Ok(r) => r.clone(),
        Err(e) => {
            return ImageReport {
                image: display,
                status: Status::InvalidReference,
                digest: None,
                platforms: Vec::new(),
                used_by: u.used_by,
                message: Some(e.to_string()),
                suggestion: None,
            }
        }
    };
    let wanted: Vec<String> = options.platforms.iter().map(ToString::to_string).collect();
    if let Some(cache) = &options.cache {
        if let Some(entry) = cache.get(&display, &wanted, options.offline) {
            return report(
                display,
                u.used_by,
                entry.inspection,
                entry.suggestion,
                &entry.nearest,
            );
        }
    }
    if options.offline {
        return ImageReport {
            image: display,
            status: Status::Error,
            digest: None,
            platforms: Vec::new(),
            used_by: u.used_by,
            message: Some("not in the cache, and --offline forbids asking the registry".into()),
            suggestion: None,
        };
    }
    let found = inspect(client, &image, &options.platforms).await;
    let (suggestion, nearest) =
        suggest(client, &image, &found, &options.platforms, &u.used_by).await;
    if let Some(cache) = &options.cache {
        if found.status.cacheable() {
            let entry = Entry {
                image: display.clone(),
                platforms: wanted,
                checked_at: now(),
                inspection: Inspection {
                    tags: None,
                    ..found.clone()
                },
                suggestion: suggestion.clone(),
                nearest: nearest.clone(),
                config: String::new(),
            };
            // A cache that cannot be written only costs speed next time.
            let _ = cache.put(&entry);
        }
    }
    report(display, u.used_by, found, suggestion, &nearest)
}

fn report(
    image: String,
    used_by: Vec<UsedBy>,
    found: Inspection,
    suggestion: Option<Suggestion>,
    nearest: &[String],
) -> ImageReport {
    let mut message = found.message;
    if !nearest.is_empty() && found.status != Status::Ok {
        let text = format!("nearest tags: {}", nearest.join(", "));
        message = Some(match message {
            Some(m) => format!("{m}; {text}"),
            None => text,
        });
    }
    ImageReport {
        image,
        status: found.status,
        digest: found.digest,
        platforms: found.platforms,
        used_by,
        message,
        suggestion,
    }
}

/// Registry requests in flight at once, unless asked otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// How long a cached answer about an image stays fresh, unless asked otherwise.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(3600);

/// An image check as the command line asks for it: where registries are and
/// how to reach them, before any client or cache is built from it.
#[derive(Clone, Debug)]
pub struct ImageCheckOptions {
    /// Platforms every image must run on; none checks existence alone.
    pub platforms: Vec<Platform>,
    /// k3s `registries.yaml`: mirrors, auth and TLS per registry.
    pub registry_config: Option<PathBuf>,
    /// HTTP to registries given without a scheme.
    pub plain_http: bool,
    pub concurrency: usize,
    /// Deadline for each request.
    pub timeout: Duration,
    /// The command's overall deadline for network work.
    pub deadline: Option<crate::registry::Deadline>,
    /// Answer from the cache alone.
    pub offline: bool,
    /// The cache folder; `None` for [`crate::registry::cache_dir::resolve`]'s order.
    pub cache_dir: Option<PathBuf>,
    pub cache_ttl: Duration,
}

impl Default for ImageCheckOptions {
    fn default() -> Self {
        ImageCheckOptions {
            platforms: Vec::new(),
            registry_config: None,
            plain_http: false,
            concurrency: DEFAULT_CONCURRENCY,
            timeout: crate::registry::DEFAULT_TIMEOUT,
            deadline: None,
            offline: false,
            cache_dir: None,
            cache_ttl: DEFAULT_CACHE_TTL,
        }
    }
}

/// Why an image check could not run: a registry config that cannot be read
/// or does not parse, input that is not YAML, a client or runtime that
/// cannot be built. All of these are about inputs, never misuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    Failed(String),
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CheckError {}

/// An image check's answer, with the warnings met on the way (credential
/// helpers that could not be read), for the caller to show.
#[derive(Clone, Debug)]
pub struct Checked {
    pub result: ImagesResult,
    pub warnings: Vec<String>,
}

/// Builds the registry client and the result cache `options` describe, and
/// checks every image in `docs`.
pub fn check_documents(
    docs: &[Document],
    options: &ImageCheckOptions,
) -> Result<Checked, CheckError> {
    let (client, config_text, warnings) = registry_client(options)?;
    // Answers depend on where requests went: a change of registry config
    // starts a cache of its own.
    let fingerprint = {
        let mut h = Sha256::new();
        h.update(config_text.as_bytes());
        h.update([u8::from(options.plain_http)]);
        hex::encode(h.finalize())
    };
    let cache_root = cache_dir::resolve(options.cache_dir.as_deref());
    let cache = ResultCache::new(&cache_root, options.cache_ttl, &fingerprint);
    let check = CheckOptions {
        platforms: options.platforms.clone(),
        concurrency: options.concurrency,
        offline: options.offline,
        cache: Some(cache),
    };
    let result = check_images_blocking(client, super::extract::images(docs), check)
        .map_err(|e| CheckError::Failed(format!("async runtime: {e}")))?;
    Ok(Checked { result, warnings })
}

/// The registry client `options` describe (registry config, credentials,
/// timeouts), with the config's text and the credential warnings.
pub fn registry_client(
    options: &ImageCheckOptions,
) -> Result<(Arc<RegistryClient>, String, Vec<String>), CheckError> {
    let (mut config, config_text) = match &options.registry_config {
        Some(p) => {
            let text = crate::input::read_to_string(p).map_err(|e| {
                CheckError::Failed(format!(
                    "cannot read the --registry-config file {}: {e}",
                    p.display()
                ))
            })?;
            let cfg = RegistryConfig::parse(&p.display().to_string(), &text)
                .map_err(|e| CheckError::Failed(format!("--registry-config {e}")))?;
            (cfg, text)
        }
        None => (RegistryConfig::default(), String::new()),
    };
    config.plain_http = options.plain_http;
    let credentials = CredentialStore::from_environment();
    let warnings = credentials.warnings.clone();
    let client = RegistryClient::new(
        config,
        credentials,
        ClientOptions {
            timeout: options.timeout,
            retry: crate::registry::RetryPolicy {
                deadline: options.deadline,
                ..crate::registry::RetryPolicy::default()
            },
            ..ClientOptions::default()
        },
    )
    .map_err(|e| CheckError::Failed(e.to_string()))?;
    Ok((client, config_text, warnings))
}

/// Runs [`check_images`] on a runtime of its own (the CLI is synchronous).
pub fn check_images_blocking(
    client: Arc<RegistryClient>,
    uses: Vec<ImageUse>,
    options: CheckOptions,
) -> std::io::Result<ImagesResult> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(check_images(client, uses, options)))
}
