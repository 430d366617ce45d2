//! The shared registry client through its library API, as chart fetching
//! uses it: the bearer-token flow, tag pagination, digest checks, mirrors
//! with rewrites, and Helm chart artifacts on a real registry.

use crate::support::{digest_of, skip, FakeResponse, FakeServer, Registry};
use chartfix::registry::client::{HELM_CHART_MEDIA_TYPE, MANIFEST_MEDIA_TYPES};
use chartfix::registry::{
    ClientOptions, CredentialStore, ErrorKind, RegistryClient, RegistryConfig, RetryPolicy,
};
use std::sync::Arc;
use std::time::Duration;

fn client(config_yaml: &str, plain_http: bool) -> Arc<RegistryClient> {
    let mut config = RegistryConfig::parse("registries.yaml", config_yaml).unwrap();
    config.plain_http = plain_http;
    RegistryClient::new(
        config,
        CredentialStore::default(),
        ClientOptions {
            timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                attempts: 2,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_secs(2),
                deadline: None,
            },
            progress: false,
        },
    )
    .unwrap()
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2},"layers":[]}"#;

#[test]
fn bearer_token_flow_and_pagination() {
    let port_cell = Arc::new(std::sync::OnceLock::<u16>::new());
    let pc = port_cell.clone();
    let server = FakeServer::start(move |req| {
        let port = *pc.get().unwrap();
        if req.target.starts_with("/token?") {
            assert!(
                req.target.contains("scope=repository%3Alib%2Fapp%3Apull"),
                "{}",
                req.target
            );
            assert!(req.target.contains("service=fake"), "{}", req.target);
            return FakeResponse::new(200, r#"{"token":"tok123","expires_in":300}"#);
        }
        if req.header("authorization") != Some("Bearer tok123") {
            return FakeResponse::new(401, r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#)
                .header("www-authenticate", &format!(r#"Bearer realm="http://127.0.0.1:{port}/token",service="fake",scope="repository:lib/app:pull""#));
        }
        match req.target.as_str() {
            "/v2/lib/app/manifests/1.0" => FakeResponse::new(200, MANIFEST)
                .header("content-type", "application/vnd.oci.image.manifest.v1+json")
                .header("docker-content-digest", &digest_of(MANIFEST.as_bytes())),
            "/v2/lib/app/manifests/bad" => FakeResponse::new(200, MANIFEST)
                .header("docker-content-digest", &digest_of(b"something else")),
            "/v2/lib/app/tags/list?n=1000" => {
                FakeResponse::new(200, r#"{"name":"lib/app","tags":["1.0","1.1"]}"#).header(
                    "link",
                    r#"</v2/lib/app/tags/list?last=1.1&n=1000>; rel="next""#,
                )
            }
            "/v2/lib/app/tags/list?last=1.1&n=1000" => {
                FakeResponse::new(200, r#"{"name":"lib/app","tags":["2.0"]}"#)
            }
            _ => FakeResponse::new(
                404,
                r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
            ),
        }
    });
    port_cell.set(server.port).unwrap();
    let c = client("", true);
    let host = server.host();
    block(async {
        let m = c
            .manifest(&host, "lib/app", "1.0", MANIFEST_MEDIA_TYPES)
            .await
            .unwrap();
        assert_eq!(m.digest, digest_of(MANIFEST.as_bytes()));
        assert_eq!(m.media_type, "application/vnd.oci.image.manifest.v1+json");
        // The token is reused: no second token request.
        let tags = c.tags(&host, "lib/app").await.unwrap();
        assert_eq!(tags, ["1.0", "1.1", "2.0"]);
        let e = c
            .manifest(&host, "lib/app", "bad", MANIFEST_MEDIA_TYPES)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("expected"), "{e}");
        let e = c
            .manifest(&host, "lib/app", "2.0", MANIFEST_MEDIA_TYPES)
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("MANIFEST_UNKNOWN"));
        assert!(e.to_string().contains("manifest unknown"), "{e}");
    });
    let reqs = server.requests();
    let tokens = reqs
        .iter()
        .filter(|r| r.target.starts_with("/token"))
        .count();
    assert_eq!(tokens, 1, "{reqs:#?}");
    // Only the very first request went without a token.
    assert_eq!(
        reqs.iter()
            .filter(|r| r.header("authorization").is_none() && !r.target.starts_with("/token"))
            .count(),
        1
    );
}

#[test]
fn refused_token_is_unauthorized() {
    let port_cell = Arc::new(std::sync::OnceLock::<u16>::new());
    let pc = port_cell.clone();
    let server = FakeServer::start(move |req| {
        if req.target.starts_with("/token") {
            return FakeResponse::new(403, r#"{"details":"access to x/y denied"}"#);
        }
        let realm = format!(
            r#"Bearer realm="http://127.0.0.1:{}/token""#,
            pc.get().unwrap()
        );
        FakeResponse::new(401, "").header("www-authenticate", &realm)
    });
    port_cell.set(server.port).unwrap();
    let c = client("", true);
    let e = block(c.manifest(&server.host(), "x/y", "1", MANIFEST_MEDIA_TYPES)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized, "{e:?}");
    assert!(e.to_string().contains("token request refused"), "{e}");
    assert!(e.to_string().contains("access to x/y denied"), "{e}");
}

#[test]
fn mirror_rewrite_and_helm_chart_artifact() {
    let Some(reg) = Registry::start() else {
        return skip("docker-registry is not installed");
    };
    let archive = b"pretend this is a chart archive".to_vec();
    let chart = serde_json::json!({"apiVersion": "v2", "name": "redis", "version": "18.6.1"});
    let digest = reg.push_chart("mirror/bitnamicharts/redis", "18.6.1", &chart, &archive);
    // docker.io/bitnamicharts/* is served by the test registry under mirror/.
    let c = client(
        &format!(
            "mirrors:\n  docker.io:\n    endpoint: [\"{}\"]\n    rewrite:\n      \"^bitnamicharts/(.*)\": \"mirror/bitnamicharts/$1\"\n",
            reg.url()
        ),
        false,
    );
    block(async {
        let m = c
            .manifest(
                "registry-1.docker.io",
                "bitnamicharts/redis",
                "18.6.1",
                MANIFEST_MEDIA_TYPES,
            )
            .await
            .unwrap();
        assert_eq!(m.digest, digest);
        assert!(
            m.url
                .contains("/v2/mirror/bitnamicharts/redis/manifests/18.6.1?ns=docker.io"),
            "{}",
            m.url
        );
        let manifest: chartfix::registry::oci::OciImageManifest =
            serde_json::from_slice(&m.body).unwrap();
        assert_eq!(manifest.layers[0].media_type, HELM_CHART_MEDIA_TYPE);
        let blob = c
            .blob(
                "docker.io",
                "bitnamicharts/redis",
                &manifest.layers[0].digest,
                1 << 20,
            )
            .await
            .unwrap();
        assert_eq!(blob.body, archive);
        // Too big for the limit: refused, not truncated.
        let e = c
            .blob(
                "docker.io",
                "bitnamicharts/redis",
                &manifest.layers[0].digest,
                4,
            )
            .await
            .unwrap_err();
        assert!(e.message.contains("larger than 4 bytes"), "{e}");
        assert_eq!(
            c.tags("docker.io", "bitnamicharts/redis").await.unwrap(),
            ["18.6.1"]
        );
        let e = c
            .tags("docker.io", "bitnamicharts/nothing")
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("NAME_UNKNOWN"));
    });
}

#[test]
fn slow_server_times_out_and_5xx_moves_to_the_next_endpoint() {
    let slow = FakeServer::start(|_| {
        std::thread::sleep(Duration::from_millis(1500));
        FakeResponse::new(200, "{}")
    });
    let mut config = RegistryConfig::parse("registries.yaml", "").unwrap();
    config.plain_http = true;
    let c = RegistryClient::new(
        config,
        CredentialStore::default(),
        ClientOptions {
            timeout: Duration::from_millis(200),
            retry: RetryPolicy {
                attempts: 2,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_secs(1),
                deadline: None,
            },
            progress: false,
        },
    )
    .unwrap();
    let start = std::time::Instant::now();
    let e = block(c.manifest(&slow.host(), "a/b", "1", MANIFEST_MEDIA_TYPES)).unwrap_err();
    // No answer within the timeout: reported at once, not asked again (a
    // silent server costs one timeout, not one a try).
    assert_eq!(e.kind, ErrorKind::Stalled, "{e}");
    assert!(
        start.elapsed() < Duration::from_millis(1400),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(slow.requests().len(), 1, "one try");

    // A mirror that fails with 503 passes the question to the next endpoint.
    let broken = FakeServer::start(|_| FakeResponse::new(503, "down for maintenance"));
    let good = FakeServer::start(|req| {
        assert!(
            req.target.starts_with("/v2/a/b/manifests/1"),
            "{}",
            req.target
        );
        FakeResponse::new(200, MANIFEST)
            .header("content-type", "application/vnd.oci.image.manifest.v1+json")
    });
    let c = client(
        &format!(
            "mirrors:\n  \"*\":\n    endpoint: [\"{}\", \"{}\"]\n",
            broken.url(),
            good.url()
        ),
        true,
    );
    let m = block(c.manifest("example.invalid", "a/b", "1", MANIFEST_MEDIA_TYPES)).unwrap();
    assert!(m.url.starts_with(&good.url()), "{}", m.url);
    assert_eq!(
        broken.requests().len(),
        2,
        "503 is retried before moving on"
    );
}
