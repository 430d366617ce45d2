//! `chartfix check`: images, fit and kinds together, on the Beta9 manifests
//! of the shared corpus (when present) and on small manifests of our own.

use serde_json::Value;
use std::path::PathBuf;

use crate::support::{self, chartfix, skip, Registry};

fn beta9() -> Option<PathBuf> {
    support::shared_path("corpus/beta9-k3d/beta9.yaml")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = chartfix().args(args).output().expect("run chartfix");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn beta9_names_the_missing_ingressroutetcp() {
    let Some(file) = beta9() else { return };
    let file = file.display().to_string();
    let (code, out, err) = run(&[
        "check",
        &file,
        "--node",
        "cpu=4,memory=24Gi",
        "--skip-image-check",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "traefik.containo.us/v1alpha1 IngressRouteTCP: no CRD for it on the target cluster"
        ),
        "{out}"
    );
    assert!(out.contains("(beta9/gateway)"), "{out}");
    // The two 1000m Deployments fit on 4 cores; HelmChart is k3s's own.
    assert!(out.contains("2 pods ask 2 CPU, 2Gi memory — fits"), "{out}");
    assert!(!out.contains("HelmChart"), "{out}");

    // With Traefik's CRDs declared, only the fit remains, and it fails on one core.
    let (code, out, _) = run(&[
        "check",
        &file,
        "--node",
        "cpu=1,memory=24Gi",
        "--skip-image-check",
        "--api-versions",
        "traefik.containo.us/v1alpha1",
        "-o",
        "json",
    ]);
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["kinds"]["missing"], serde_json::json!([]));
    assert_eq!(json["fit"]["fits"], false);
    let proxy = &json["fit"]["workloads"][1];
    assert_eq!(
        (proxy["name"].as_str(), proxy["unplaced"].as_u64()),
        (Some("proxy"), Some(1))
    );

    // Everything holds: exit 0.
    let (code, out, _) = run(&[
        "check",
        &file,
        "--node",
        "cpu=4,memory=24Gi",
        "--skip-image-check",
        "--api-versions",
        "traefik.containo.us/v1alpha1/IngressRouteTCP",
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn beta9_images_through_a_wildcard_mirror() {
    let Some(file) = beta9() else { return };
    let Some(reg) = Registry::start() else {
        return skip("docker-registry is not installed");
    };
    reg.push_index("beta9-gateway", "latest", &["linux/amd64", "linux/arm64"]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("r.yaml");
    std::fs::write(
        &config,
        format!("mirrors:\n  \"*\":\n    endpoint: [\"{}\"]\n", reg.url()),
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let (code, out, err) = run(&[
        "check",
        &file.display().to_string(),
        "--platform",
        "linux/arm64",
        "--registry-config",
        &config.display().to_string(),
        "--cache-dir",
        &cache.display().to_string(),
        "-o",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let images = json["images"]["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(
        images[0]["image"],
        "registry.localhost:5000/beta9-gateway:latest"
    );
    assert_eq!(images[0]["status"], "ok");
    assert_eq!(images[1]["status"], "missing-repository");
    assert!(json["fit"].is_null());
}

#[test]
fn kube_version_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.yaml");
    std::fs::write(
        &m,
        "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: x, image: y, resources: {requests: {cpu: 100m, memory: 10Mi}}}]}}}}}\n",
    )
    .unwrap();
    let m = m.display().to_string();
    let (code, out, _) = run(&["check", &m, "--skip-image-check", "--kube-version", "1.24"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(&[
        "check",
        &m,
        "--skip-image-check",
        "--kube-version",
        "v1.30.2",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "batch/v1beta1 CronJob: removed in Kubernetes 1.25, target is 1.30; use batch/v1"
        ),
        "{out}"
    );
    for bad in [
        vec!["check", &m, "--node", "cpu=4"],
        vec!["check", &m, "--kube-version", "two"],
        vec!["check", &m, "--platform", "arm64"],
    ] {
        let (code, out, err) = run(&bad);
        assert_eq!(code, 2, "{bad:?}: {out}{err}");
        assert!(out.is_empty());
        assert!(err.starts_with("Error: "), "{err}");
    }
    // A missing input is about the input, not misuse: 1.
    let (code, out, err) = run(&["check", "/nonexistent.yaml"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.is_empty());
    assert!(
        err.starts_with("Error: \"/nonexistent.yaml\" not found"),
        "{err}"
    );
    // A flag value clap refuses: its own message, the same status.
    let (code, out, err) = run(&["check", &m, "--timeout", "0"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty());
    assert!(
        err.starts_with("error: invalid value '0' for '--timeout"),
        "{err}"
    );
}

/// A table or JSON report to a stdout already closed (`| head`) ends without
/// a panic or a message, with the status of what was found.
#[test]
fn a_closed_stdout_keeps_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.yaml");
    std::fs::write(
        &m,
        "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\n",
    )
    .unwrap();
    let m = m.display().to_string();
    for format in ["table", "json"] {
        let o = support::output_closed_stdout(chartfix().args([
            "check",
            &m,
            "--skip-image-check",
            "-o",
            format,
        ]));
        assert_eq!(o.status.code(), Some(1), "{format}: {o:?}");
        assert!(o.stderr.is_empty(), "{format}: {o:?}");
    }
}

/// INPUT may be a stack or a chart as well as manifests: the example stack
/// (charts of our own, offline) is rendered first, then checked.
#[test]
fn a_stack_or_a_chart_is_rendered_then_checked() {
    let root = support::project();
    let stack = root.join("examples/tiny/stack.yaml").display().to_string();
    let (code, out, err) = run(&[
        "check",
        &stack,
        "--skip-image-check",
        "--node",
        "cpu=4,memory=8Gi",
        "--offline",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 pods ask 100m CPU"), "{out}");

    // With no cache and --offline, the image is reported, not fetched.
    let cache = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&[
        "images",
        &stack,
        "--offline",
        "--cache-dir",
        cache.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("docker.io/library/nginx:1.27"), "{out}");

    // A chart folder is rendered with its defaults.
    let chart = root.join("examples/tiny/charts");
    let first_chart = std::fs::read_dir(&chart)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("Chart.yaml").is_file())
        .expect("a chart in examples/tiny/charts");
    let (code, out, err) = run(&["check", first_chart.to_str().unwrap(), "--skip-image-check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Kinds:"), "{out}");
}
