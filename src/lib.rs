//! chartfix: render Helm charts exactly as Helm 4 does, check what they deploy,
//! and rewrite the manifests with overlays.
//!
//! The flow is one way:
//! source → chart → values → engine → render → manifest → overlay → check → output.
//! Each module owns one step and knows nothing of the steps after it; the CLI in
//! [`cli`] is a thin layer over this library.

pub mod chart;
pub mod check;
pub mod cli;
pub mod diff;
pub mod engine;
pub mod gofmt;
pub mod input;
pub mod manifest;
pub mod overlay;
pub mod registry;
pub mod render;
pub mod semver;
pub mod source;
pub mod stack;
pub mod strconv;
pub mod value;
pub mod values;
pub mod yaml;
