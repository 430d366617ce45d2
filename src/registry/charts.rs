//! Helm charts stored as OCI artifacts, as Helm's `pkg/registry` pushes them:
//! an image manifest whose config is `application/vnd.cncf.helm.config.v1+json`
//! (the chart's metadata as JSON) and whose one content layer is the chart
//! archive, `application/vnd.cncf.helm.chart.content.v1.tar+gzip`. Tags are
//! versions with `+` written as `_`.
//!
//! Built on [`RegistryClient`], so mirrors, credentials and retries are the
//! same as for image checks.

use super::client::{RegistryClient, HELM_CHART_MEDIA_TYPE, HELM_CONFIG_MEDIA_TYPE};
use super::error::{ErrorKind, RegistryError};
use super::oci::{OciImageManifest, DOCKER_MANIFEST_MEDIA_TYPE, OCI_IMAGE_MANIFEST_MEDIA_TYPE};

/// Archives pushed by Helm before 3.7 used this layer type.
pub const LEGACY_CHART_MEDIA_TYPE: &str = "application/tar+gzip";

/// Largest chart archive or config accepted (Helm refuses charts over 100 MiB).
const MAX_CHART_BYTES: usize = 100 << 20;
const MAX_CONFIG_BYTES: usize = 1 << 20;

/// A chart pulled from a registry.
#[derive(Debug)]
pub struct PulledChart {
    /// The `.tgz`, checked against its layer digest.
    pub archive: Vec<u8>,
    /// `sha256:…` of the archive.
    pub archive_digest: String,
    /// `sha256:…` of the manifest (what `@sha256:` pins).
    pub manifest_digest: String,
    /// `name` and `version` from the chart's config blob.
    pub name: String,
    pub version: String,
    /// Where the manifest came from (a mirror, perhaps).
    pub url: String,
}

/// Every version a chart repository holds: its tags, with `_` read as `+`.
pub async fn chart_versions(
    client: &RegistryClient,
    registry: &str,
    repository: &str,
) -> Result<Vec<String>, RegistryError> {
    let tags = client.tags(registry, repository).await?;
    Ok(tags.into_iter().map(|t| t.replace('_', "+")).collect())
}

/// Pulls the chart at `reference` (a tag or a manifest digest).
pub async fn pull_chart(
    client: &RegistryClient,
    registry: &str,
    repository: &str,
    reference: &str,
) -> Result<PulledChart, RegistryError> {
    let manifest = client
        .manifest(
            registry,
            repository,
            reference,
            &[OCI_IMAGE_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE],
        )
        .await?;
    let invalid = |m: String| RegistryError::new(ErrorKind::Invalid, &manifest.url, m);
    let parsed: OciImageManifest = serde_json::from_slice(&manifest.body)
        .map_err(|e| invalid(format!("not an OCI image manifest ({e}); is this a chart?")))?;
    if parsed.config.media_type != HELM_CONFIG_MEDIA_TYPE {
        return Err(invalid(format!(
            "this is not a Helm chart: its config media type is {:?}, expected {HELM_CONFIG_MEDIA_TYPE}",
            parsed.config.media_type
        )));
    }
    let layer = parsed
        .layers
        .iter()
        .find(|l| l.media_type == HELM_CHART_MEDIA_TYPE)
        .or_else(|| {
            parsed
                .layers
                .iter()
                .find(|l| l.media_type == LEGACY_CHART_MEDIA_TYPE)
        })
        .ok_or_else(|| {
            invalid(format!(
                "the chart manifest has no {HELM_CHART_MEDIA_TYPE} layer"
            ))
        })?;
    if layer.size < 0 || layer.size as u64 > MAX_CHART_BYTES as u64 {
        return Err(invalid(format!(
            "the chart layer claims {} bytes; charts over {} MiB are refused",
            layer.size,
            MAX_CHART_BYTES >> 20
        )));
    }
    #[derive(serde::Deserialize)]
    struct Meta {
        #[serde(default)]
        name: String,
        #[serde(default)]
        version: String,
    }
    let config = client
        .blob(
            registry,
            repository,
            &parsed.config.digest,
            MAX_CONFIG_BYTES,
        )
        .await?;
    let meta: Meta = serde_json::from_slice(&config.body)
        .map_err(|e| invalid(format!("the chart's config blob is not JSON metadata: {e}")))?;
    // The blob call checks the digest, so a cut-short download is an error here.
    let blob = client
        .blob(registry, repository, &layer.digest, MAX_CHART_BYTES)
        .await?;
    if blob.body.len() as i64 != layer.size {
        return Err(RegistryError::new(
            ErrorKind::Invalid,
            &blob.url,
            format!(
                "the chart layer is {} bytes, the manifest says {}",
                blob.body.len(),
                layer.size
            ),
        ));
    }
    Ok(PulledChart {
        archive_digest: blob.digest,
        archive: blob.body,
        manifest_digest: manifest.digest,
        name: meta.name,
        version: meta.version,
        url: manifest.url,
    })
}
