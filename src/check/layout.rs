//! The images a stream runs, pulled for one platform into an OCI image
//! layout archive (`chartfix bundle --images FILE`), which containerd
//! imports, and k3s from `/var/lib/rancher/k3s/agent/images/`.
//!
//! ```text
//! oci-layout                 {"imageLayoutVersion": "1.0.0"}
//! index.json                 one entry an image: its platform's manifest,
//!                            named by `io.containerd.image.name`
//! blobs/sha256/HEX           manifests, configs and layers, each once
//! ```
//!
//! Images are pulled through the same registry client as the checks (mirrors,
//! rewrites, credentials, timeouts), every blob checked against its digest
//! before it is written, and named by the reference the manifests use (the
//! public one, whichever mirror served it). One blob is held in memory at a
//! time; the archive appears whole or not at all.

use super::images::{registry_client, ImageCheckOptions};
use super::platform::{lacking, Platform};
use super::workloads::Document;
use crate::registry::client::{RegistryClient, MANIFEST_MEDIA_TYPES};
use crate::registry::oci::{ImageConfigPlatform, ManifestHead, OciImageManifest};
use crate::registry::reference::ImageRef;
use serde_json::json;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest blob pulled (a layer): far above any real layer.
const MAX_BLOB_BYTES: i64 = 8 << 30;

/// One image written.
#[derive(Debug, Clone)]
pub struct LayoutImage {
    /// `docker.io/bitnami/redis:7.2.4`, as the manifests name it.
    pub name: String,
    /// The platform manifest's digest.
    pub digest: String,
    /// Bytes of its blobs (manifest, config, layers).
    pub bytes: u64,
}

/// What [`write`] put in the archive.
#[derive(Debug, Clone)]
pub struct Written {
    pub images: Vec<LayoutImage>,
    /// Size of the archive.
    pub bytes: u64,
    /// Credential helpers that could not be read, and the like.
    pub warnings: Vec<String>,
}

/// Pulls every image `docs` run, for `platform`, into an OCI image layout
/// archive at `out`.
pub fn write(
    docs: &[Document],
    platform: &Platform,
    options: &ImageCheckOptions,
    out: &Path,
) -> Result<Written, String> {
    let mut refs: Vec<(String, ImageRef)> = Vec::new();
    for u in super::extract::images(docs) {
        match u.reference {
            Ok(r) => refs.push((u.written, r)),
            Err(e) => return Err(format!("image {:?} cannot be pulled: {e}", u.written)),
        }
    }
    let (client, _, warnings) = registry_client(options).map_err(|e| e.to_string())?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("async runtime: {e}"))?;
    let images = {
        let mut tar = tar::Builder::new(std::io::BufWriter::new(tmp.as_file_mut()));
        let mut layout = Layout {
            tar: &mut tar,
            written: HashSet::new(),
            out,
        };
        let mut images = Vec::new();
        let mut entries = Vec::new();
        for (written, image) in &refs {
            let (image_out, entry) = runtime
                .block_on(pull(&client, image, platform, &mut layout))
                .map_err(|e| format!("image {written}: {e}"))?;
            images.push(image_out);
            entries.push(entry);
        }
        let index = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": entries,
        });
        let index = serde_json::to_vec(&index).map_err(|e| format!("index.json: {e}"))?;
        layout.file("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        layout.file("index.json", &index)?;
        tar.into_inner()
            .and_then(|mut w| w.flush())
            .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        images
    };
    let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    tmp.persist(out)
        .map_err(|e| format!("cannot write {}: {}", out.display(), e.error))?;
    Ok(Written {
        images,
        bytes,
        warnings,
    })
}

/// The archive being written: each blob once.
struct Layout<'a, W: Write> {
    tar: &'a mut tar::Builder<W>,
    written: HashSet<String>,
    out: &'a Path,
}

impl<W: Write> Layout<'_, W> {
    fn file(&mut self, name: &str, bytes: &[u8]) -> Result<(), String> {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        self.tar
            .append_data(&mut header, name, bytes)
            .map_err(|e| format!("cannot write {}: {e}", self.out.display()))
    }

    fn blob(&mut self, digest: &str, bytes: &[u8]) -> Result<(), String> {
        if !self.written.insert(digest.to_string()) {
            return Ok(());
        }
        let hex = digest
            .strip_prefix("sha256:")
            .ok_or_else(|| format!("{digest}: only sha256 digests can be stored"))?;
        self.file(&format!("blobs/sha256/{hex}"), bytes)
    }
}

/// Pulls one image for `platform` into `layout`; returns what was written
/// and its `index.json` entry.
async fn pull<W: Write>(
    client: &RegistryClient,
    image: &ImageRef,
    platform: &Platform,
    layout: &mut Layout<'_, W>,
) -> Result<(LayoutImage, serde_json::Value), String> {
    let top = client
        .manifest(
            &image.registry,
            &image.repository,
            image.reference(),
            MANIFEST_MEDIA_TYPES,
        )
        .await
        .map_err(|e| e.to_string())?;
    let v: ManifestHead = serde_json::from_slice(&top.body)
        .map_err(|e| format!("{}: the manifest is not JSON: {e}", top.url))?;
    let manifest = match v.manifests {
        Some(entries) => {
            let chosen = entries
                .iter()
                .find(|e| Platform::of_index_entry(e).is_some_and(|p| p.satisfies(platform)))
                .ok_or_else(|| {
                    let have: Vec<Platform> = entries
                        .iter()
                        .filter_map(Platform::of_index_entry)
                        .collect();
                    lacking(&platform.to_string(), &have)
                })?;
            client
                .manifest(
                    &image.registry,
                    &image.repository,
                    &chosen.digest,
                    MANIFEST_MEDIA_TYPES,
                )
                .await
                .map_err(|e| e.to_string())?
        }
        None => top.clone(),
    };
    let parsed: OciImageManifest = serde_json::from_slice(&manifest.body)
        .map_err(|e| format!("{}: the image manifest cannot be read: {e}", manifest.url))?;
    let media_type = parsed
        .media_type
        .clone()
        .or_else(|| {
            serde_json::from_slice::<ManifestHead>(&manifest.body)
                .ok()
                .and_then(|v| v.media_type)
        })
        .unwrap_or_else(|| manifest.media_type.clone());
    let mut bytes = manifest.body.len() as u64;
    let mut image_platform = None;
    for (n, d) in std::iter::once(&parsed.config)
        .chain(&parsed.layers)
        .enumerate()
    {
        if !(0..=MAX_BLOB_BYTES).contains(&d.size) {
            return Err(format!(
                "blob {} claims {} bytes, outside 0 to {MAX_BLOB_BYTES}",
                d.digest, d.size
            ));
        }
        if layout.written.contains(&d.digest) {
            bytes += d.size as u64;
            continue;
        }
        let blob = client
            .blob(
                &image.registry,
                &image.repository,
                &d.digest,
                d.size as usize,
            )
            .await
            .map_err(|e| e.to_string())?;
        if n == 0 {
            image_platform = config_platform(&blob.body);
            if let Some(p) = &image_platform {
                if !p.satisfies(platform) {
                    return Err(format!("no {platform} image; it is built for {p}"));
                }
            }
        }
        bytes += blob.body.len() as u64;
        layout.blob(&d.digest, &blob.body)?;
    }
    layout.blob(&manifest.digest, &manifest.body)?;
    let name = image.to_string();
    let mut annotations = serde_json::Map::new();
    annotations.insert("io.containerd.image.name".into(), json!(name));
    if let Some(tag) = &image.tag {
        annotations.insert("org.opencontainers.image.ref.name".into(), json!(tag));
    }
    let shown = image_platform.unwrap_or_else(|| platform.clone());
    let mut platform_json = json!({"architecture": shown.architecture, "os": shown.os});
    if !shown.variant.is_empty() {
        platform_json["variant"] = json!(shown.variant);
    }
    let entry = json!({
        "mediaType": media_type,
        "digest": manifest.digest,
        "size": manifest.body.len(),
        "platform": platform_json,
        "annotations": annotations,
    });
    Ok((
        LayoutImage {
            name,
            digest: manifest.digest,
            bytes,
        },
        entry,
    ))
}

/// The platform an image config names, when it is JSON and names one.
fn config_platform(config: &[u8]) -> Option<Platform> {
    let c: ImageConfigPlatform = serde_json::from_slice(config).ok()?;
    let p = Platform::of_config(&c);
    (!p.is_unknown()).then_some(p)
}
