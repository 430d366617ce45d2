//! Asking a registry about one image: does the tag exist, which platforms
//! does it run on, and is one of them the one wanted.

use super::platform::Platform;
use crate::registry::client::{MANIFEST_MEDIA_TYPES, MAX_MANIFEST_BYTES};
use crate::registry::oci::{self, ImageConfigPlatform, ManifestHead, OciImageManifest};
use crate::registry::{ErrorKind, ImageRef, RegistryClient, RegistryError};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    InvalidReference,
    MissingRepository,
    MissingTag,
    MissingPlatform,
    Unauthorized,
    RateLimited,
    Error,
    Ok,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::MissingTag => "missing-tag",
            Status::MissingRepository => "missing-repository",
            Status::MissingPlatform => "missing-platform",
            Status::Unauthorized => "unauthorized",
            Status::RateLimited => "rate-limited",
            Status::Error => "error",
            Status::InvalidReference => "invalid-reference",
        }
    }

    /// Worth remembering: answers about the image, not about the moment.
    pub fn cacheable(self) -> bool {
        matches!(
            self,
            Status::Ok | Status::MissingTag | Status::MissingRepository | Status::MissingPlatform
        )
    }
}

/// What the registry said about one image.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    pub status: Status,
    pub digest: Option<String>,
    /// Platforms the image exists for, normalised and sorted.
    pub platforms: Vec<String>,
    pub message: Option<String>,
    /// The repository's tags, when they were listed (for suggestions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

impl Inspection {
    fn problem(status: Status, message: String) -> Inspection {
        Inspection {
            status,
            digest: None,
            platforms: Vec::new(),
            message: Some(message),
            tags: None,
        }
    }
}

/// How a registry error reads as an image status.
pub fn from_error(e: &RegistryError) -> Inspection {
    let (status, hint) = match e.kind {
        ErrorKind::Unauthorized => (
            Status::Unauthorized,
            " (the repository may not exist, or it needs credentials)",
        ),
        ErrorKind::RateLimited => (Status::RateLimited, ""),
        _ => (Status::Error, ""),
    };
    let advice = e.advice();
    let advice = if advice.is_empty() {
        String::new()
    } else {
        format!("; {advice}")
    };
    Inspection::problem(status, format!("{e}{hint}{advice}"))
}

/// Inspects `image` for the `wanted` platforms (none: existence only).
pub async fn inspect(client: &RegistryClient, image: &ImageRef, wanted: &[Platform]) -> Inspection {
    let fetched = match client
        .manifest(
            &image.registry,
            &image.repository,
            image.reference(),
            MANIFEST_MEDIA_TYPES,
        )
        .await
    {
        Ok(f) => f,
        Err(e) if e.is_not_found() => return missing(client, image, &e).await,
        Err(e) => return from_error(&e),
    };
    let platforms = match platforms_of(client, image, &fetched.body, &fetched.media_type).await {
        Ok(p) => p,
        Err(msg) => {
            return Inspection {
                digest: Some(fetched.digest),
                ..Inspection::problem(Status::Error, msg)
            }
        }
    };
    let mut names: Vec<String> = platforms.iter().map(ToString::to_string).collect();
    names.sort();
    names.dedup();
    let lacking: Vec<String> = wanted
        .iter()
        .filter(|w| !platforms.iter().any(|p| p.satisfies(w)))
        .map(ToString::to_string)
        .collect();
    let (status, message) = if lacking.is_empty() {
        (Status::Ok, None)
    } else {
        (
            Status::MissingPlatform,
            Some(super::platform::lacking(&lacking.join(", "), &platforms)),
        )
    };
    Inspection {
        status,
        digest: Some(fetched.digest),
        platforms: names,
        message,
        tags: None,
    }
}

/// A 404 on the manifest: the tag is missing, or the whole repository.
async fn missing(
    client: &RegistryClient,
    image: &ImageRef,
    manifest_err: &RegistryError,
) -> Inspection {
    let what = if image.digest.is_some() {
        format!("digest {}", image.reference())
    } else {
        format!("tag {:?}", image.reference())
    };
    match client.tags(&image.registry, &image.repository).await {
        Ok(tags) => Inspection {
            tags: Some(tags),
            ..Inspection::problem(
                Status::MissingTag,
                format!("{what} not found in {}", image.name()),
            )
        },
        Err(e) if e.is_not_found() => Inspection::problem(
            Status::MissingRepository,
            format!(
                "repository {} not found ({})",
                image.name(),
                manifest_err.message
            ),
        ),
        // Some registries refuse tag lists but serve manifests: the tag is
        // what we know is missing.
        Err(e) if e.kind == ErrorKind::Unauthorized => Inspection::problem(
            Status::MissingTag,
            format!(
                "{what} not found in {} (its tag list is not readable: {e})",
                image.name()
            ),
        ),
        Err(e) => from_error(&e),
    }
}

const CONTAINER_CONFIG_TYPES: &[&str] = &[
    oci::OCI_IMAGE_CONFIG_MEDIA_TYPE,
    oci::DOCKER_IMAGE_CONFIG_MEDIA_TYPE,
];

/// Platforms of a manifest: from an index's entries, or from a single
/// manifest's config blob.
async fn platforms_of(
    client: &RegistryClient,
    image: &ImageRef,
    body: &[u8],
    content_type: &str,
) -> Result<Vec<Platform>, String> {
    let v: ManifestHead =
        serde_json::from_slice(body).map_err(|e| format!("manifest is not JSON: {e}"))?;
    let media_type = v
        .media_type
        .clone()
        .unwrap_or_else(|| content_type.to_string());
    if v.schema_version == 1 {
        let arch = v.architecture.unwrap_or_default();
        return Ok(vec![Platform::new("linux", &arch, "")]);
    }
    if let Some(entries) = v.manifests {
        return Ok(entries
            .iter()
            .filter_map(Platform::of_index_entry)
            .collect());
    }
    let manifest: OciImageManifest = serde_json::from_slice(body)
        .map_err(|e| format!("manifest ({media_type}) cannot be read: {e}"))?;
    let config_type = manifest.config.media_type.as_str();
    if !CONTAINER_CONFIG_TYPES.contains(&config_type) {
        return Err(format!(
            "not a container image: its config is {config_type} (an OCI artifact such as a Helm chart?)"
        ));
    }
    let blob = client
        .blob(
            &image.registry,
            &image.repository,
            &manifest.config.digest,
            MAX_MANIFEST_BYTES,
        )
        .await
        .map_err(|e| format!("reading the image config: {e}"))?;
    let cfg: ImageConfigPlatform = serde_json::from_slice(&blob.body)
        .map_err(|e| format!("image config {} is not JSON: {e}", manifest.config.digest))?;
    Ok(vec![Platform::of_config(&cfg)])
}
