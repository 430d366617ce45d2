//! Benchmark, not a timed test (ignored by default; `.ci/bench-images` runs
//! it): 200 distinct images in a local registry behind a proxy adding 50 ms
//! to every request, checked by `chartfix images` against `skopeo inspect
//! --raw` run once per image, one after another, as a user would.
//!
//! Figures go to stdout. `CHARTFIX_BIN` names the binary to measure (the
//! release build); `BENCH_IMAGES`, `BENCH_LATENCY_MS` and `BENCH_RUNS` change
//! the set-up.

use crate::support::{skip, which, LatencyProxy, Registry};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore = "benchmark: run with .ci/bench-images"]
fn bench_images_against_skopeo() {
    let Some(reg) = Registry::start() else {
        return skip("docker-registry is not installed");
    };
    let count = env_num("BENCH_IMAGES", 200) as usize;
    let latency = Duration::from_millis(env_num("BENCH_LATENCY_MS", 50));
    let runs = env_num("BENCH_RUNS", 5).max(1) as usize;
    let binary = std::env::var("CHARTFIX_BIN").unwrap_or_else(|_| crate::support::BIN.to_string());

    // Half multi-platform indexes, half single-platform images (which also
    // need their config blob read to learn the platform).
    let seed_start = Instant::now();
    let mut images = Vec::new();
    for i in 0..count {
        let repo = format!("bench/img-{i:03}");
        if i % 2 == 0 {
            reg.push_index(&repo, "1.0", &["linux/amd64", "linux/arm64/v8"]);
        } else {
            reg.push_image(&repo, "1.0", "linux/arm64");
        }
        images.push(format!("{repo}:1.0"));
    }
    eprintln!(
        "seeded {count} images in {:.1}s",
        seed_start.elapsed().as_secs_f64()
    );

    let proxy = LatencyProxy::start(&reg.host(), latency);
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("images.yaml");
    let mut text = String::new();
    for (i, img) in images.iter().enumerate() {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec: {{containers: [{{name: c, image: \"{}/{img}\"}}]}}\n",
            proxy.host()
        ));
    }
    std::fs::write(&manifest, text).unwrap();

    // chartfix: a fresh cache each run, so every image is asked.
    let mut chartfix_times = Vec::new();
    let mut requests = 0;
    for run in 0..runs {
        let before = proxy.requests();
        let cache = dir.path().join(format!("cache-{run}"));
        let start = Instant::now();
        let out = Command::new(&binary)
            .args([
                "images",
                &manifest.display().to_string(),
                "--platform",
                "linux/arm64",
                "--plain-http",
                "--output",
                "json",
            ])
            .arg("--cache-dir")
            .arg(&cache)
            .env("DOCKER_CONFIG", "/nonexistent")
            .output()
            .expect("run chartfix");
        chartfix_times.push(start.elapsed());
        requests = proxy.requests() - before;
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(
            json["summary"]["ok"],
            count,
            "every image ok: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let chartfix_median = median(chartfix_times.clone());

    // skopeo, once per image, one after another.
    let Some(skopeo) = which("skopeo") else {
        println!("chartfix images: {count} images, median {:.2}s of {runs} runs ({requests} requests); skopeo not installed", chartfix_median.as_secs_f64());
        return;
    };
    let mut per_image = Vec::new();
    let before = proxy.requests();
    let start = Instant::now();
    for img in &images {
        let t = Instant::now();
        let status = Command::new(&skopeo)
            .args(["inspect", "--raw", "--tls-verify=false"])
            .arg(format!("docker://{}/{img}", proxy.host()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run skopeo");
        assert!(status.success(), "skopeo inspect {img} failed");
        per_image.push(t.elapsed());
    }
    let skopeo_total = start.elapsed();
    let skopeo_requests = proxy.requests() - before;
    let ratio = skopeo_total.as_secs_f64() / chartfix_median.as_secs_f64();
    println!(
        "images: {count}, added latency: {} ms per request",
        latency.as_millis()
    );
    println!(
        "chartfix images: median {:.2}s over {runs} runs (runs: {}), {requests} requests",
        chartfix_median.as_secs_f64(),
        chartfix_times
            .iter()
            .map(|d| format!("{:.2}", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "skopeo inspect --raw, once per image: {:.2}s in all, median {:.0} ms an image, {skopeo_requests} requests",
        skopeo_total.as_secs_f64(),
        median(per_image).as_secs_f64() * 1000.0
    );
    println!("ratio: chartfix is {ratio:.1}x faster (goal: 10x)");
}
