//! `examples/mirrors/`: the sample `registries.yaml` (a mirror with a
//! rewrite and credentials) and the sample repository mirror, used as shipped
//! but for the hosts: a real registry on 127.0.0.1 that asks for the sample's
//! user and password and keeps Docker Hub's repositories under `hub/`, and a
//! chart repository served by the test.

use crate::support::chart_repo::{chart_tgz, index_yaml, ChartRepo, Reply};
use crate::support::{chartfix, project, sha256_hex, skip, text, Registry};
use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str]) -> Output {
    chartfix()
        .current_dir(dir)
        .args(args)
        .env("HELM_REPOSITORY_CONFIG", dir.join("no-repositories.yaml"))
        .env("CHARTFIX_CACHE", dir.join("cache"))
        .output()
        .expect("run chartfix")
}

#[test]
fn the_sample_registries_yaml_and_repo_mirror_render_the_sample_stack() {
    let Some(reg) = Registry::start_with_auth("chartfix", "change-me") else {
        skip("docker-registry is not installed (apt-get install docker-registry)");
        return;
    };
    let redis = chart_tgz("redis", "18.6.1");
    let meta = serde_json::json!({"apiVersion": "v2", "name": "redis", "version": "18.6.1"});
    reg.push_chart("hub/bitnamicharts/redis", "18.6.1", &meta, &redis);
    reg.push_index("hub/library/nginx", "1.27", &["linux/amd64", "linux/arm64"]);
    let repo = ChartRepo::start();
    let localstack = chart_tgz("localstack", "0.6.5");
    repo.put(
        "/localstack/index.yaml",
        Reply::ok(index_yaml(
            "localstack",
            &[(
                "0.6.5",
                &format!("{}/localstack/localstack-0.6.5.tgz", repo.url()),
                &sha256_hex(&localstack),
            )],
        )),
    );
    repo.put("/localstack/localstack-0.6.5.tgz", Reply::ok(localstack));

    // The samples as shipped, but for the hosts.
    let dir = tempfile::tempdir().unwrap();
    let example = project().join("examples/mirrors");
    let registries = std::fs::read_to_string(example.join("registries.yaml"))
        .unwrap()
        .replace("https://registry.internal:5000", &reg.url())
        .replace("registry.internal:5000", &reg.host());
    std::fs::write(dir.path().join("registries.yaml"), registries).unwrap();
    let stack = std::fs::read_to_string(example.join("stack.yaml"))
        .unwrap()
        .replace(
            "https://charts.internal/localstack",
            &format!("{}/localstack", repo.url()),
        );
    std::fs::write(dir.path().join("stack.yaml"), stack).unwrap();
    std::fs::create_dir(dir.path().join("manifests")).unwrap();
    std::fs::copy(
        example.join("manifests/web.yaml"),
        dir.path().join("manifests/web.yaml"),
    )
    .unwrap();

    let online = run(dir.path(), &["render", "stack.yaml"]);
    let err = text(&online.stderr);
    assert!(online.status.success(), "{err}");
    let out = text(&online.stdout);
    for want in [
        "# Source: cache/redis/templates/cm.yaml",
        "# Source: s3/localstack/templates/cm.yaml",
        "# Source: web/manifests/web.yaml",
    ] {
        assert!(out.contains(want), "{want} in\n{out}");
    }
    assert!(
        err.contains("Images: 1 image checked, no problems"),
        "{err}"
    );
    assert!(
        !err.contains("change-me"),
        "the password is never shown: {err}"
    );

    // The server stopped: offline from the cache, and from a bundle.
    let b = run(dir.path(), &["bundle", "stack.yaml", "-o", "m.bundle"]);
    assert!(b.status.success(), "{}", text(&b.stderr));
    drop(reg);
    drop(repo);
    let offline = run(
        dir.path(),
        &["render", "stack.yaml", "--offline", "--locked"],
    );
    assert!(offline.status.success(), "{}", text(&offline.stderr));
    assert_eq!(text(&offline.stdout), out);
    std::fs::remove_dir_all(dir.path().join("cache")).unwrap();
    let bundled = run(dir.path(), &["render", "m.bundle"]);
    assert!(bundled.status.success(), "{}", text(&bundled.stderr));
    assert_eq!(text(&bundled.stdout), out);
    // The bundle does not carry registries.yaml and its password.
    let raw = std::fs::read(dir.path().join("m.bundle")).unwrap();
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&raw[..]), &mut unpacked).unwrap();
    assert!(!String::from_utf8_lossy(&unpacked).contains("change-me"));
}
