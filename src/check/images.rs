//! The image check: every image of a manifest stream, asked of its registry
//! with bounded concurrency, answered from the cache where it can be, with a
//! suggestion for each problem.

use super::cache::{now, Entry, ResultCache};
use super::extract::{ImageUse, UsedBy};
use super::inspect::{inspect, Inspection, Status};
use super::platform::Platform;
use super::suggest::{suggest, Suggestion};
use crate::registry::RegistryClient;
use serde::Serialize;
use std::sync::Arc;
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
