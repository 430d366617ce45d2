//! Pre-deploy checks on manifests: images (tags exist, platforms), fit of pods on
//! a node, and kinds the cluster lacks.
//!
//! ```text
//! workloads (parse, pod templates) ─┬▶ extract ─▶ images (inspect, suggest, cache)
//!                                   └▶ fit
//! documents ──────────────────────────▶ kinds
//! ```
//!
//! [`stream::check_stream`] runs kinds and images on a whole rendered stream,
//! as `chartfix render` does after rendering a stack.

pub mod cache;
pub mod extract;
pub mod fit;
pub mod images;
pub mod inspect;
pub mod kinds;
pub mod layout;
pub mod output;
pub mod platform;
pub mod stream;
pub mod suggest;
pub mod workloads;
