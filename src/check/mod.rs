//! Pre-deploy checks on manifests: images (tags exist, platforms), fit of pods on
//! a node, and kinds the cluster lacks.
//!
//! ```text
//! workloads (parse, pod templates) ─┬▶ extract ─▶ images (inspect, suggest, cache)
//!                                   └▶ fit
//! documents ──────────────────────────▶ kinds
//! ```

pub mod cache;
pub mod extract;
pub mod fit;
pub mod images;
pub mod inspect;
pub mod kinds;
pub mod output;
pub mod platform;
pub mod suggest;
pub mod workloads;
