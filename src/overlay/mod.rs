//! Overlays: declarative rules that rewrite rendered manifests, each change
//! recorded with its provenance.
