//! The operations a rule can apply, one family a module.

pub mod images;
pub mod ingressroute;
pub mod json;
pub mod placement;
pub mod resources;
pub mod workload;
