//! Snapshots (in the top-level `snapshots/` folder) of the built-in overlays
//! over the Beta9 manifests, a small rendered chart of our own, and charts
//! Helm rendered for the corpus: the rewritten stream and the `--explain` table.

use crate::support;
use chartfix::overlay::{apply_str, explain_table, load_all, Options, Override};

fn run(input: &str, overlays: &[&str], overrides: &[&str]) -> String {
    let specs: Vec<String> = overlays.iter().map(|s| s.to_string()).collect();
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|o| Override::parse(o).unwrap())
        .collect();
    let overlays = load_all(&specs, &overrides).unwrap();
    let (out, report) = apply_str(input, &overlays, &Options { record: true }).unwrap();
    assert_eq!(report.change_count, report.changes.len());
    format!(
        "{out}\n# ---- explain ----\n{}# ---- warnings ----\n{}\n",
        explain_table(&report.changes),
        report.warnings.join("\n")
    )
}

fn snapshot(name: &str, value: String) {
    support::snapshot(name, &value);
}

/// A file of the shared corpus, or `None` (the test skips, saying so).
fn shared(rel: &str) -> Option<String> {
    let p = support::shared_path(&format!("corpus/{rel}"))?;
    Some(std::fs::read_to_string(p).unwrap())
}

#[test]
fn beta9_arm64() {
    let Some(input) = shared("beta9-k3d/beta9.yaml") else {
        return;
    };
    snapshot("beta9_arm64", run(&input, &["arm64"], &[]));
}

#[test]
fn beta9_no_traefik() {
    let Some(input) = shared("beta9-k3d/beta9.yaml") else {
        return;
    };
    snapshot("beta9_no_traefik", run(&input, &["no-traefik"], &[]));
}

#[test]
fn rendered_chart_arm64_no_traefik() {
    let input =
        std::fs::read_to_string(support::project().join("tests/fixtures/overlay/rendered.yaml"))
            .unwrap();
    snapshot(
        "rendered_arm64_no_traefik",
        run(
            &input,
            &["arm64", "no-traefik"],
            &["no-traefik.nodePorts=6379:30379"],
        ),
    );
}

#[test]
fn corpus_redis_arm64_bitnami_legacy() {
    let Some(input) = shared("expected/redis-18.6.1-seed.yaml") else {
        return;
    };
    snapshot(
        "redis-18.6.1-seed_arm64_bitnami-legacy",
        run(&input, &["arm64", "bitnami-legacy"], &[]),
    );
}

#[test]
fn corpus_postgresql_arm64_no_traefik() {
    let Some(input) = shared("expected/postgresql-13.2.25-seed.yaml") else {
        return;
    };
    snapshot(
        "postgresql-13.2.25-seed_arm64_no-traefik",
        run(&input, &["arm64", "no-traefik"], &[]),
    );
}
