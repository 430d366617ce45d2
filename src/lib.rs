//! chartfix: render Helm charts exactly as Helm 4 does, check what they deploy,
//! and rewrite the manifests with overlays.
//!
//! The flow is one way, and so are the imports: each module uses only those
//! listed above it here (`tests/it/layers.rs` fails on a back edge).
//!
//! ```text
//!  strconv, semver, input, location, parallel, words ─▶ value ─▶ gofmt ─▶ yaml  (ground floor)
//!  engine                                                      (templates)
//!  chart ─▶ values ─▶ render                                   (one chart → documents)
//!  manifest ─▶ overlay                                         (documents → rewritten)
//!  registry ─▶ check, source                                   (images; fetching charts)
//!  diff                                                        (comparing manifest sets)
//!  release ─▶ stack                                            (the pipelines)
//! ```
//!
//! The `chartfix` binary (`src/main.rs`, `src/cli/`) is flag parsing and
//! dispatch over this library; nothing here knows of it.

// Ground floor: Go's semantics that every layer shares.
/// Go's `fmt` verbs (`Sprint`, `Sprintf`) over [`value::Value`]s.
pub mod gofmt;
/// Reading files and stdin with size limits.
pub mod input;
/// A place in an input (`file:line:column`), the one shape errors say where in.
pub mod location;
/// Order-keeping parallel maps over independent items (files, templates,
/// documents, releases).
pub mod parallel;
/// The one scrubber of printed text: URL credentials and every secret sent.
pub mod scrub;
/// Semantic versions and constraints, as Helm's Masterminds/semver reads them.
pub mod semver;
/// Go's `strconv`: quoting and float formatting (`%g`, shortest digits).
pub mod strconv;
/// What the unit tests share.
#[cfg(test)]
pub(crate) mod testing;
/// The data model: Go's `interface{}` values as Helm hands them to templates.
pub mod value;
/// Wording shared by every report (`1 release`, `2 releases`).
pub mod words;
/// YAML read as Helm reads it (YAML 1.1 scalars, float64 numbers) and written
/// as go-yaml writes it; JSON and TOML beside it.
pub mod yaml;

/// Go's `text/template` with Sprig's and Helm's functions; knows nothing of charts.
pub mod engine;

/// Loading charts from folders and archives: files, Chart.yaml, `.helmignore`, schema.
pub mod chart;
/// One chart rendered to Helm's ordered document stream (`# Source:`, hooks, NOTES).
pub mod render;
/// Helm's values: user input (`-f`, `--set`), coalescing, dependency conditions and imports.
pub mod values;

/// Rendered documents: the one manifest reader ([`manifest::Document`]), splitting,
/// identity, masking of Secrets.
pub mod manifest;
/// Overlays: rules that rewrite manifests, with a record of every change.
pub mod overlay;

/// Checks before deploying: images exist for the platform, pods fit, kinds are served.
pub mod check;
/// The OCI distribution client: credentials, mirrors, retries, the on-disk cache folder.
pub mod registry;
/// Chart references, repositories, the chart cache.
pub mod source;

/// Comparing two manifest sets: matching resources, field changes, text/markdown/JSON.
pub mod diff;

/// The one pipeline for a release: resolve → load → dependencies → values → render.
pub mod release;
/// Stacks: many releases and raw manifests rendered, rewritten and checked as one.
pub mod stack;
