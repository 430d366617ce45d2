//! Overlays: declarative rules that rewrite rendered manifests, each change
//! recorded with its provenance.

pub mod apply;
pub mod de;
pub mod glob;
pub mod load;
pub mod ops;
pub mod params;
pub mod pointer;
pub mod provenance;
pub mod quantity;
pub mod rule;
pub mod select;

pub use apply::{apply_str, apply_stream, ApplyError, Options, Report};
pub use load::{load_all, LoadError, Overlay, Override, BUILTINS};
pub use provenance::{explain_table, Change};
