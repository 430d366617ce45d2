//! Loading charts from folders and archives: `Chart.yaml`, templates, files,
//! subcharts, `.helmignore`, dependencies and schema. Knows nothing of where an
//! archive came from.
//!
//! [`load`] reads a chart folder or `.tgz` into a [`Chart`] tree; [`dependencies`]
//! decides, from the values, which subcharts are on and what they export to
//! their parent; [`schema`] checks values against `values.schema.json`.

pub mod archive;
pub mod dependencies;
mod gzip;
pub mod helmignore;
pub mod loader;
pub mod metadata;
pub mod schema;

pub use loader::{load, load_archive, load_dir};
pub use metadata::{Dependency, Metadata};

use crate::value::Value;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Text of a chart file, invalid UTF-8 replaced. Validating first is much faster
/// than `from_utf8_lossy`'s byte-by-byte walk, and chart files are almost always
/// valid UTF-8.
pub fn text(data: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(data) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(data),
    }
}

/// A chart file's bytes as Helm keeps them: a leading UTF-8 byte order mark
/// dropped (archives and folders alike).
pub fn file_bytes(data: &[u8]) -> Arc<[u8]> {
    const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
    data.strip_prefix(UTF8_BOM).unwrap_or(data).into()
}

/// A chart file's bytes as text, when they are valid UTF-8: the same
/// allocation, not a copy.
pub fn shared_utf8(data: &Arc<[u8]>) -> Option<Arc<str>> {
    std::str::from_utf8(data).ok()?;
    // SAFETY: the bytes are valid UTF-8, and `str` has the layout of `[u8]`,
    // so the allocation is a valid `Arc<str>` (what `Arc::<str>::from`
    // makes of a `String`, without the copy).
    Some(unsafe { Arc::from_raw(Arc::into_raw(data.clone()) as *const str) })
}

/// [`text`] of a chart file, shared with it where it is valid UTF-8
/// ([`shared_utf8`]).
pub fn shared_text(data: &Arc<[u8]>) -> Arc<str> {
    shared_utf8(data).unwrap_or_else(|| Arc::from(String::from_utf8_lossy(data)))
}

/// A file of a chart, named relative to the chart's root with `/` separators.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    /// Shared: the render's `.Files` hold the same bytes.
    pub data: Arc<[u8]>,
}

/// A loaded chart and its subcharts.
#[derive(Debug, Clone)]
pub struct Chart {
    pub metadata: Metadata,
    /// The chart's `values.yaml` (a map; empty when the file is absent).
    pub values: Value,
    /// The raw `values.schema.json`, when the chart has one.
    pub schema: Option<Arc<[u8]>>,
    /// Files under `templates/`.
    pub templates: Vec<File>,
    /// Every other file the chart's templates see through `.Files` (crds/ included).
    pub files: Vec<File>,
    /// Subcharts found under `charts/` (folders or archives), in name order.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    /// The name templates see: the alias when a dependency gave one.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Files of `crds/` that Helm installs as CRDs (`.yaml`, `.yml`, `.json`).
    pub fn crd_files(&self) -> impl Iterator<Item = &File> {
        self.files.iter().filter(|f| {
            f.name.starts_with("crds/")
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|ext| f.name.ends_with(ext))
        })
    }
}

/// Why a chart could not be loaded or its values not accepted. The message is
/// complete: it names the file and says what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartError {
    pub message: String,
}

impl ChartError {
    pub fn new(message: impl Into<String>) -> ChartError {
        ChartError {
            message: message.into(),
        }
    }
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ChartError {}
