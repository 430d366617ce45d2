//! chartfix's integration tests, as one test binary.
//!
//! Every file of this folder is a module of one crate, so reqwest, rustls,
//! ring, rsa and tokio are linked once instead of once a test file, and
//! `cargo test --release` builds the release binary and the tests in one go
//! (`.ci/test`). What the files share is in `support/`: the binary under test
//! ([`support::chartfix`]), the snapshot settings ([`support::snapshot`]), the
//! shared corpus ([`support::shared`]), a real registry, an HTTP chart
//! repository and a fault-injecting proxy on 127.0.0.1.
//!
//! Run one file's tests by its module name: `cargo test --test it source_repo::`.

mod support;

mod bundle;
mod cache_concurrency;
mod cache_integrity;
mod check;
mod cli_consistency;
mod conformance;
mod diff;
mod engine_hardening;
mod example_mirrors;
mod expressions;
mod fault_injection;
mod hostile_archives;
mod hostile_inputs;
mod images;
mod images_bench;
mod layers;
mod lock_offline;
mod overlay_robustness;
mod overlay_snapshots;
mod plugin;
mod post_render;
mod registry_client;
mod secrets;
mod source_oci;
mod source_repo;
mod stack_beta9;
mod stack_example;
mod template_dependencies;
mod template_flags;
mod template_golden;
mod template_limits;
mod unused_values;
mod yaml_limits;
