//! The OCI and Docker distribution documents this crate reads: media types,
//! image manifests, the entries of an image index (or Docker manifest list)
//! with their platforms, and the registry's error envelope.
//!
//! Only what is read is here, and only for reading (`Deserialize`). The
//! specifications followed:
//!
//! - OCI image spec v1.1: `manifest.md` (image manifest), `image-index.md`
//!   (index and its `manifests` entries, `platform`), `descriptor.md`;
//! - OCI distribution spec v1.1, "Error Codes" (the `errors` envelope);
//! - Docker's "Image Manifest V2, Schema 2" (manifest and manifest list),
//!   whose JSON has the same shape as OCI's under its own media types, so one
//!   type reads both.
//!
//! Tolerance is deliberate and tested below: unknown fields are ignored,
//! optional fields may be missing or `null`, required ones are required. The
//! type names (`OciImageManifest`, `OciDescriptor`, `ImageIndexEntry`,
//! `Platform`) appear in serde's messages ("expected struct OciDescriptor"),
//! which reach users in errors; they and the field types are kept as
//! `oci-client` 0.15 had them, which these types replace, so those messages
//! and what is accepted stay the same.
//!
//! ```text
//! index / manifest list ── manifests[] ─▶ ImageIndexEntry { platform }
//! image manifest ── config ─▶ OciDescriptor (image config or Helm chart metadata)
//!                └─ layers[] ─▶ OciDescriptor (filesystem layers, chart archive)
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;

/// OCI image index (`image-index.md`): manifests for several platforms.
pub const OCI_IMAGE_INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";
/// Docker's manifest list (schema 2), the index's Docker counterpart.
pub const DOCKER_MANIFEST_LIST_MEDIA_TYPE: &str =
    "application/vnd.docker.distribution.manifest.list.v2+json";
/// OCI image manifest (`manifest.md`): one config and its layers.
pub const OCI_IMAGE_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker's image manifest, v2 schema 2.
pub const DOCKER_MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// OCI image configuration (`config.md`): a container image's config blob.
pub const OCI_IMAGE_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
/// Docker's container image configuration blob.
pub const DOCKER_IMAGE_CONFIG_MEDIA_TYPE: &str = "application/vnd.docker.container.image.v1+json";

/// An image manifest, OCI (`manifest.md`) or Docker v2 schema 2.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OciImageManifest {
    /// `schemaVersion`, REQUIRED; `2` is the only value either spec allows.
    pub schema_version: u8,
    /// `mediaType`: SHOULD be present (OCI), MUST be (Docker).
    pub media_type: Option<String>,
    /// `config`, REQUIRED: the image configuration (or an artifact's, such
    /// as a Helm chart's metadata).
    pub config: OciDescriptor,
    /// `layers`: REQUIRED here even though OCI lets an artifact use `[]`.
    pub layers: Vec<OciDescriptor>,
    /// `subject`, OPTIONAL (OCI 1.1): the manifest this one refers to.
    pub subject: Option<OciDescriptor>,
    /// `artifactType`, OPTIONAL (OCI 1.1).
    pub artifact_type: Option<String>,
    /// `annotations`, OPTIONAL: string to string.
    pub annotations: Option<BTreeMap<String, String>>,
}

/// A content descriptor (`descriptor.md`): what a blob is, its digest and size.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OciDescriptor {
    /// `mediaType`, REQUIRED.
    pub media_type: String,
    /// `digest`, REQUIRED: `algorithm:hex`, not validated here (the client
    /// checks what it downloads against it).
    pub digest: String,
    /// `size`, REQUIRED: bytes. Signed, so that a negative claim is read and
    /// refused by the caller with its own message rather than by the parser.
    pub size: i64,
    /// `urls`, OPTIONAL: other places to download it from (never followed).
    pub urls: Option<Vec<String>>,
    /// `annotations`, OPTIONAL: string to string.
    pub annotations: Option<BTreeMap<String, String>>,
}

/// One entry of an index's `manifests` (`image-index.md`): a descriptor with
/// the platform its manifest is for.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndexEntry {
    /// `mediaType`, REQUIRED.
    pub media_type: String,
    /// `digest`, REQUIRED.
    pub digest: String,
    /// `size`, REQUIRED.
    pub size: i64,
    /// `platform`, OPTIONAL: absent for entries that are not images
    /// (attestations, signatures) as well as for unknown platforms.
    pub platform: Option<Platform>,
    /// `annotations`, OPTIONAL: string to string.
    pub annotations: Option<BTreeMap<String, String>>,
}

/// The `platform` of an index entry (`image-index.md`), in Go's terms.
#[derive(Clone, Debug, Deserialize)]
pub struct Platform {
    /// `architecture`, REQUIRED: a `GOARCH` value (`amd64`, `arm64`).
    pub architecture: String,
    /// `os`, REQUIRED: a `GOOS` value (`linux`, `windows`).
    pub os: String,
    /// `os.version`, OPTIONAL (Windows builds).
    #[serde(rename = "os.version")]
    pub os_version: Option<String>,
    /// `os.features`, OPTIONAL.
    #[serde(rename = "os.features")]
    pub os_features: Option<Vec<String>>,
    /// `variant`, OPTIONAL: the CPU variant (`v7` for `arm/v7`).
    pub variant: Option<String>,
    /// `features`, reserved by the spec.
    pub features: Option<Vec<String>>,
}

/// What any manifest says about itself before its kind is known: an
/// index (or manifest list) has `manifests`; a Docker schema 1 manifest
/// names its `architecture` at the top; an image manifest has neither.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestHead {
    #[serde(default)]
    pub schema_version: u32,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Option<Vec<ImageIndexEntry>>,
    #[serde(default)]
    pub architecture: Option<String>,
}

/// The fields of an image config blob that name its platform.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ImageConfigPlatform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

/// The body of a failed distribution API call (distribution spec, "Error
/// Codes"): `{"errors": [{"code", "message", "detail"}]}`.
#[derive(Debug, Deserialize)]
pub struct OciEnvelope {
    pub errors: Vec<OciError>,
}

/// One error of an [`OciEnvelope`].
#[derive(Debug, Deserialize)]
pub struct OciError {
    /// `code`, REQUIRED: one of the spec's codes. An unknown code makes the
    /// whole envelope unreadable, and the caller falls back on the raw body.
    pub code: OciErrorCode,
    /// `message`, OPTIONAL: for people.
    #[serde(default)]
    pub message: String,
    /// `detail`, OPTIONAL: any JSON.
    #[serde(default)]
    pub detail: serde_json::Value,
}

/// The distribution spec's error codes, plus Docker Hub's `TOOMANYREQUESTS`
/// and two the spec has since dropped (`MANIFEST_UNVERIFIED`, `TAG_INVALID`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OciErrorCode {
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    ManifestUnverified,
    NameInvalid,
    NameUnknown,
    NotFound,
    SizeInvalid,
    TagInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    #[serde(rename = "TOOMANYREQUESTS")]
    TooManyRequests,
}

impl OciErrorCode {
    /// The code as it is written on the wire (`MANIFEST_UNKNOWN`).
    pub fn as_str(self) -> &'static str {
        match self {
            OciErrorCode::BlobUnknown => "BLOB_UNKNOWN",
            OciErrorCode::BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            OciErrorCode::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            OciErrorCode::DigestInvalid => "DIGEST_INVALID",
            OciErrorCode::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            OciErrorCode::ManifestInvalid => "MANIFEST_INVALID",
            OciErrorCode::ManifestUnknown => "MANIFEST_UNKNOWN",
            OciErrorCode::ManifestUnverified => "MANIFEST_UNVERIFIED",
            OciErrorCode::NameInvalid => "NAME_INVALID",
            OciErrorCode::NameUnknown => "NAME_UNKNOWN",
            OciErrorCode::NotFound => "NOT_FOUND",
            OciErrorCode::SizeInvalid => "SIZE_INVALID",
            OciErrorCode::TagInvalid => "TAG_INVALID",
            OciErrorCode::Unauthorized => "UNAUTHORIZED",
            OciErrorCode::Denied => "DENIED",
            OciErrorCode::Unsupported => "UNSUPPORTED",
            OciErrorCode::TooManyRequests => "TOOMANYREQUESTS",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(json: &str) -> Result<OciImageManifest, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn docker_v2_schema_2_manifest() {
        let m = manifest(
            r#"{
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
  "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
             "size": 7023, "digest": "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},
  "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
              "size": 32654, "digest": "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]
}"#,
        )
        .unwrap();
        assert_eq!(m.media_type.as_deref(), Some(DOCKER_MANIFEST_MEDIA_TYPE));
        assert_eq!(m.config.media_type, DOCKER_IMAGE_CONFIG_MEDIA_TYPE);
        assert_eq!(m.layers[0].size, 32654);
    }

    #[test]
    fn oci_manifest_with_1_1_fields_and_unknown_ones() {
        let m = manifest(
            r#"{"schemaVersion":2,"mediaType":null,"artifactType":"application/x",
                "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44","size":2,
                          "data":"e30=","urls":["https://example.invalid/x"]},
                "layers":[],"subject":{"mediaType":"m","digest":"d","size":1},
                "annotations":{"a":"b"},"somethingNew":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(m.media_type, None);
        assert_eq!(m.artifact_type.as_deref(), Some("application/x"));
        assert_eq!(m.subject.unwrap().digest, "d");
        assert_eq!(m.config.urls.unwrap().len(), 1);
        assert!(m.layers.is_empty());
    }

    /// These messages reach users ("not an OCI image manifest (…)"); they are
    /// what they were with oci-client's types.
    #[test]
    fn refusals_and_their_messages() {
        let cases = [
            (r#"{"schemaVersion":2,"layers":[]}"#, "missing field `config` at line 1 column 31"),
            (
                r#"{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":1}}"#,
                "missing field `layers` at line 1 column 68",
            ),
            (
                r#"{"config":{"mediaType":"m","digest":"d","size":1},"layers":[]}"#,
                "missing field `schemaVersion` at line 1 column 62",
            ),
            (
                r#"{"schemaVersion":2,"config":"x","layers":[]}"#,
                "invalid type: string \"x\", expected struct OciDescriptor at line 1 column 31",
            ),
            (
                r#"{"schemaVersion":2,"config":{"mediaType":"m","size":1},"layers":[]}"#,
                "missing field `digest` at line 1 column 54",
            ),
            (
                r#"{"schemaVersion":300,"config":{"mediaType":"m","digest":"d","size":1},"layers":[]}"#,
                "invalid value: integer `300`, expected u8 at line 1 column 20",
            ),
            (
                r#"{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":1},"layers":[],"annotations":{"a":1}}"#,
                "invalid type: integer `1`, expected a string at line 1 column 100",
            ),
            ("[]", "invalid length 0, expected struct OciImageManifest with 7 elements at line 1 column 2"),
        ];
        for (json, want) in cases {
            assert_eq!(manifest(json).unwrap_err(), want, "{json}");
        }
        // A negative size is read; the caller refuses it with its own words.
        let m = manifest(
            r#"{"schemaVersion":2,"config":{"mediaType":"m","digest":"d","size":-1},"layers":[]}"#,
        )
        .unwrap();
        assert_eq!(m.config.size, -1);
    }

    #[test]
    fn index_entries_and_platforms() {
        let entries: Vec<ImageIndexEntry> = serde_json::from_str(
            r#"[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:1","size":1,
                 "platform":{"architecture":"arm","os":"linux","variant":"v7","os.features":["x"]}},
                {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:2","size":1,
                 "annotations":{"vnd.docker.reference.type":"attestation-manifest"}},
                {"mediaType":"m","digest":"sha256:3","size":1,
                 "platform":{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1","future":1}}]"#,
        )
        .unwrap();
        let p = entries[0].platform.as_ref().unwrap();
        assert_eq!((p.os.as_str(), p.architecture.as_str()), ("linux", "arm"));
        assert_eq!(p.variant.as_deref(), Some("v7"));
        assert!(entries[1].platform.is_none());
        let p = entries[2].platform.as_ref().unwrap();
        assert_eq!(p.os_version.as_deref(), Some("10.0.17763.1"));
        let e = serde_json::from_str::<ImageIndexEntry>(
            r#"{"mediaType":"m","digest":"d","size":1,"platform":{"os":"linux"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "missing field `architecture` at line 1 column 64"
        );
    }

    #[test]
    fn error_envelope() {
        let e: OciEnvelope = serde_json::from_str(
            r#"{"errors":[{"code":"UNAUTHORIZED","detail":[{"Type":"repository","Name":"x","Action":"pull"}]}]}"#,
        )
        .unwrap();
        assert_eq!(e.errors[0].code, OciErrorCode::Unauthorized);
        assert_eq!(e.errors[0].message, "");
        let e: OciEnvelope = serde_json::from_str(
            r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"pull request limit exceeded","detail":"x"}]}"#,
        )
        .unwrap();
        assert_eq!(e.errors[0].code.as_str(), "TOOMANYREQUESTS");
        // A code outside the spec: the envelope is not read at all.
        assert!(serde_json::from_str::<OciEnvelope>(
            r#"{"errors":[{"code":"PROJECT_POLICY_VIOLATION","message":"m"}]}"#
        )
        .is_err());
    }

    #[test]
    fn error_codes_read_as_written() {
        use OciErrorCode::*;
        for code in [
            BlobUnknown,
            BlobUploadInvalid,
            BlobUploadUnknown,
            DigestInvalid,
            ManifestBlobUnknown,
            ManifestInvalid,
            ManifestUnknown,
            ManifestUnverified,
            NameInvalid,
            NameUnknown,
            NotFound,
            SizeInvalid,
            TagInvalid,
            Unauthorized,
            Denied,
            Unsupported,
            TooManyRequests,
        ] {
            let read: OciErrorCode =
                serde_json::from_str(&format!("\"{}\"", code.as_str())).unwrap();
            assert_eq!(read, code);
        }
    }
}
