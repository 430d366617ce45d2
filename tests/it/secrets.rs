//! Credentials and Secret values stay out of everything chartfix prints.
//!
//! Distinctive credentials (`u-SECRET-USER` / `p-SECRET-PASS`) are handed
//! over every way chartfix takes them: Helm's repositories.yaml for an HTTP
//! repository with basic auth, Docker's config.json (`auth`, base64) and k3s's
//! registries.yaml for an OCI registry with htpasswd, and written into URLs.
//! Then failures are provoked (401, 404, 5xx, refused connections, bad
//! references) and successes run, through `fetch`, `template`, `render`
//! (with `--explain` and `--diff`), `images`, `check` and `diff` in their
//! output modes; neither the user, the password nor base64 of `user:pass`
//! may appear on stdout or stderr. Secret values in a stack changed by an
//! overlay, or compared by `chartfix diff`, must not appear either.

use crate::support::chart_repo::{chart_tgz, index_yaml, ChartRepo, Reply};
use crate::support::{chartfix, sha256_hex, Registry};
use base64::Engine;
use std::path::Path;
use std::process::{Command, Output};

const USER: &str = "u-SECRET-USER";
const PASS: &str = "p-SECRET-PASS";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// What must never be printed: the user, the password, and the base64 forms
/// an Authorization header or config.json holds (also of the wrong pair).
fn forbidden() -> Vec<String> {
    vec![
        USER.into(),
        PASS.into(),
        b64(&format!("{USER}:{PASS}")),
        b64(&format!("{USER}:{PASS}-wrong")),
        b64(PASS),
    ]
}

fn clean(case: &str, o: &Output) {
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    for s in forbidden() {
        assert!(!out.contains(&s), "{case}: {s:?} on stdout:\n{out}");
        assert!(!err.contains(&s), "{case}: {s:?} on stderr:\n{err}");
    }
}

fn cmd(work: &Path, args: &[&str]) -> Command {
    let mut c = chartfix();
    c.current_dir(work)
        .env("CHARTFIX_CACHE", work.join("cache"))
        .env("HELM_REPOSITORY_CONFIG", work.join("repositories.yaml"))
        .args(args);
    c
}

/// Runs, checks the outcome and that nothing secret was printed.
fn run(case: &str, mut c: Command, ok: bool) -> Output {
    let o = c.output().expect("run chartfix");
    println!(
        "{case}: {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .next()
            .unwrap_or("")
    );
    assert_eq!(
        o.status.success(),
        ok,
        "{case}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    clean(case, &o);
    o
}

/// A repository with app 1.0.0 behind basic auth.
fn private_repo() -> ChartRepo {
    let repo = ChartRepo::start();
    let bytes = chart_tgz("app", "1.0.0");
    repo.put("/charts/app-1.0.0.tgz", Reply::ok(bytes.clone()));
    repo.put(
        "/index.yaml",
        Reply::ok(index_yaml(
            "app",
            &[("1.0.0", "charts/app-1.0.0.tgz", &sha256_hex(&bytes))],
        )),
    );
    repo.require_basic_auth(USER, PASS);
    repo
}

fn write_repositories(work: &Path, url: &str, password: &str) {
    std::fs::write(
        work.join("repositories.yaml"),
        format!("apiVersion: \"\"\nrepositories:\n- name: priv\n  url: {url}/\n  username: {USER}\n  password: {password}\n"),
    )
    .unwrap();
}

#[test]
fn http_repository_credentials() {
    let repo = private_repo();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    // Wrong password: 401 on the index.
    write_repositories(w, &repo.url(), &format!("{PASS}-wrong"));
    for q in [&[][..], &["-q"][..]] {
        let mut args = vec!["fetch", "priv/app"];
        args.extend_from_slice(q);
        run("401 fetch", cmd(w, &args), false);
        let mut args = vec!["template", "r", "priv/app"];
        args.extend_from_slice(q);
        run("401 template", cmd(w, &args), false);
    }
    // Right password: a missing chart, a missing version, a missing archive.
    write_repositories(w, &repo.url(), PASS);
    run("no chart", cmd(w, &["fetch", "priv/nothing"]), false);
    run(
        "no version",
        cmd(w, &["fetch", "priv/app", "--version", "9.9.9"]),
        false,
    );
    repo.put("/charts/app-1.0.0.tgz", Reply::status(404));
    run("404 archive", cmd(w, &["template", "r", "priv/app"]), false);
    // Server errors, retried, then reported.
    repo.fail_next(vec![
        Reply::status(503),
        Reply::status(502),
        Reply::status(500),
    ]);
    run("5xx", cmd(w, &["fetch", "priv/app"]), false);
    // And it works, with the progress output on.
    repo.put(
        "/charts/app-1.0.0.tgz",
        Reply::ok(chart_tgz("app", "1.0.0")),
    );
    run("fetch ok", cmd(w, &["fetch", "priv/app"]), true);
    run(
        "template ok",
        cmd(
            w,
            &[
                "template",
                "r",
                "priv/app",
                "--overlay",
                "arm64",
                "--explain",
            ],
        ),
        true,
    );
    // A stack naming the repository by URL finds the credentials by URL.
    std::fs::write(
        w.join("s.yaml"),
        format!(
            "name: s\nnamespace: default\nreleases:\n  - name: r\n    chart: app\n    repo: {}\n",
            repo.url()
        ),
    )
    .unwrap();
    let o = run(
        "render",
        cmd(
            w,
            &[
                "render",
                "s.yaml",
                "--skip-image-check",
                "--explain",
                "--diff",
            ],
        ),
        true,
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("kind: ConfigMap"));
}

#[test]
fn credentials_in_urls_are_refused_without_echo() {
    let repo = private_repo();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let host = repo.url().trim_start_matches("http://").to_string();
    let closed = format!("127.0.0.1:{}", crate::support::free_port());
    for h in [host.as_str(), closed.as_str()] {
        let url = format!("http://{USER}:{PASS}@{h}");
        run("--repo", cmd(w, &["fetch", "app", "--repo", &url]), false);
        run(
            "template --repo",
            cmd(w, &["template", "r", "app", "--repo", &url]),
            false,
        );
        run(
            "archive URL",
            cmd(w, &["fetch", &format!("{url}/charts/app-1.0.0.tgz")]),
            false,
        );
        let oci = format!("oci://{USER}:{PASS}@{h}/charts/app");
        run("oci", cmd(w, &["fetch", &oci, "--plain-http"]), false);
        run(
            "oci digest",
            cmd(w, &["fetch", &format!("{oci}@sha256:bad"), "--plain-http"]),
            false,
        );
        // A stack, a HelmChart and a chart dependency that write them in.
        std::fs::write(
            w.join("s.yaml"),
            format!("name: s\nnamespace: default\nreleases:\n  - name: r\n    chart: app\n    repo: {url}\n"),
        )
        .unwrap();
        run(
            "stack repo",
            cmd(w, &["render", "s.yaml", "--skip-image-check"]),
            false,
        );
        std::fs::create_dir_all(w.join("hc")).unwrap();
        std::fs::write(
            w.join("hc/hc.yaml"),
            format!("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: r\n  namespace: default\nspec:\n  chart: app\n  repo: {url}\n"),
        )
        .unwrap();
        std::fs::write(
            w.join("hc.yaml"),
            "name: hc\nnamespace: default\nreleases:\n  - name: m\n    manifests: [hc/]\n",
        )
        .unwrap();
        run(
            "HelmChart repo",
            cmd(w, &["render", "hc.yaml", "--skip-image-check"]),
            false,
        );
        let chart = w.join("dep");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::write(
            chart.join("Chart.yaml"),
            format!("apiVersion: v2\nname: dep\nversion: 0.1.0\ndependencies:\n  - name: app\n    version: 1.0.0\n    repository: {url}\n"),
        )
        .unwrap();
        run("dependency repo", cmd(w, &["template", "r", "dep"]), false);
        let chart_oci = chart.join("Chart.yaml");
        std::fs::write(
            &chart_oci,
            format!("apiVersion: v2\nname: dep\nversion: 0.1.0\ndependencies:\n  - name: app\n    version: 1.0.0\n    repository: oci://{USER}:{PASS}@{h}/charts\n"),
        )
        .unwrap();
        run("dependency oci", cmd(w, &["template", "r", "dep"]), false);
    }
}

fn registry_with_auth() -> Option<Registry> {
    let r = Registry::start_with_auth(USER, PASS);
    if r.is_none() {
        crate::support::skip("docker-registry is not installed (apt-get install docker-registry)");
    }
    r
}

fn docker_config(dir: &Path, host: &str, password: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let auth = b64(&format!("{USER}:{password}"));
    std::fs::write(
        dir.join("config.json"),
        format!(r#"{{"auths":{{"{host}":{{"auth":"{auth}"}}}}}}"#),
    )
    .unwrap();
}

fn registries_yaml(path: &Path, host: &str, password: &str) {
    std::fs::write(
        path,
        format!("configs:\n  \"{host}\":\n    auth:\n      username: {USER}\n      password: {password}\n"),
    )
    .unwrap();
}

#[test]
fn registry_credentials() {
    let Some(reg) = registry_with_auth() else {
        return;
    };
    let meta = serde_json::json!({"apiVersion": "v2", "name": "app", "version": "1.0.0"});
    reg.push_chart("charts/app", "1.0.0", &meta, &chart_tgz("app", "1.0.0"));
    let image = reg.push_image("team/web", "1.0", "linux/amd64");
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let host = reg.host();
    let chart = format!("oci://{host}/charts/app");
    // A manifest using an image that exists and one that does not.
    std::fs::write(
        w.join("m.yaml"),
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: {host}/team/web:1.0\n  - name: b\n    image: {host}/team/missing:1.0\n"),
    )
    .unwrap();
    assert!(image.starts_with("sha256:"));
    for password in [format!("{PASS}-wrong"), PASS.to_string()] {
        let ok = password == PASS;
        // Docker's config.json.
        let docker = w.join(format!("docker-{ok}"));
        docker_config(&docker, &host, &password);
        let with_docker = |args: &[&str]| {
            let mut c = cmd(w, args);
            c.env("DOCKER_CONFIG", &docker);
            c
        };
        run(
            "docker fetch",
            with_docker(&["fetch", &chart, "--version", "1.0.0", "--plain-http"]),
            ok,
        );
        run(
            "docker 404",
            with_docker(&[
                "fetch",
                &format!("oci://{host}/charts/none"),
                "--plain-http",
            ]),
            false,
        );
        run(
            "docker template",
            with_docker(&[
                "template",
                "r",
                &chart,
                "--version",
                "1.0.0",
                "--plain-http",
            ]),
            ok,
        );
        // Image checks report per image; a failure to authenticate or a
        // missing image makes the status 1 either way.
        for f in [&[][..], &["--output", "json"][..]] {
            let mut args = vec!["images", "m.yaml", "--plain-http"];
            args.extend_from_slice(f);
            run("docker images", with_docker(&args), false);
        }
        // k3s's registries.yaml.
        let config = w.join(format!("registries-{ok}.yaml"));
        registries_yaml(&config, &host, &password);
        let cfg = config.to_str().unwrap();
        let rc = |args: &[&str]| {
            let mut a = args.to_vec();
            a.extend_from_slice(&["--registry-config", cfg]);
            cmd(w, &a)
        };
        run(
            "k3s fetch",
            rc(&[
                "fetch",
                &chart,
                "--version",
                "1.0.0",
                "--plain-http",
                "--cache-dir",
                &format!("{}/c-{ok}", w.display()),
            ]),
            ok,
        );
        run(
            "k3s images",
            rc(&["images", "m.yaml", "--plain-http"]),
            false,
        );
        run("k3s check", rc(&["check", "m.yaml", "--plain-http"]), false);
        // A stack from the registry with overlays explained and diffed.
        std::fs::write(
            w.join("oci.yaml"),
            format!("name: o\nnamespace: default\nreleases:\n  - name: r\n    chart: {chart}\n    version: 1.0.0\n"),
        )
        .unwrap();
        run(
            "k3s render",
            rc(&[
                "render",
                "oci.yaml",
                "--plain-http",
                "--explain",
                "--diff",
                "--cache-dir",
                &format!("{}/s-{ok}", w.display()),
            ]),
            ok,
        );
    }
}

/// A Secret and an overlay that rewrites one of its values.
const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  labels: {a: b}\ntype: Opaque\ndata:\n  password: cC1TRUNSRVQtVkFMVUU=\n  user: YWRtaW4=\nstringData:\n  token: p-SECRET-TOKEN\n";
const OVERLAY: &str = "name: rotate\nrules:\n  - select: {kind: Secret}\n    set:\n      /data/password: bmV3LVNFQ1JFVC1WQUxVRQ==\n      /stringData/token: n-SECRET-TOKEN\n      /metadata/labels/a: c\n";

fn secret_values() -> [&'static str; 6] {
    [
        "cC1TRUNSRVQtVkFMVUU=",
        "p-SECRET-VALUE",
        "bmV3LVNFQ1JFVC1WQUxVRQ==",
        "new-SECRET-VALUE",
        "p-SECRET-TOKEN",
        "n-SECRET-TOKEN",
    ]
}

fn no_values(case: &str, text: &str) {
    for v in secret_values() {
        assert!(!text.contains(v), "{case}: {v:?} shown:\n{text}");
    }
}

#[test]
fn secret_values_stay_out_of_explain_and_diffs() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::create_dir_all(w.join("raw")).unwrap();
    std::fs::write(w.join("raw/secret.yaml"), SECRET).unwrap();
    std::fs::write(w.join("rotate.yaml"), OVERLAY).unwrap();
    std::fs::write(
        w.join("s.yaml"),
        "name: s\nnamespace: default\noverlays: [rotate.yaml]\nreleases:\n  - name: m\n    manifests: [raw/]\n",
    )
    .unwrap();
    let o = run(
        "render --explain --diff",
        cmd(
            w,
            &[
                "render",
                "s.yaml",
                "--skip-image-check",
                "--explain",
                "--diff",
            ],
        ),
        true,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    no_values("render stderr", &err);
    assert!(err.contains("<hidden, changed>"), "{err}");
    assert!(err.contains("/metadata/labels/a"), "{err}");
    // The manifests themselves carry the values: that is the output.
    assert!(String::from_utf8_lossy(&o.stdout).contains("n-SECRET-TOKEN"));
    // post-render --explain.
    let mut c = cmd(w, &["post-render", "--overlay", "rotate.yaml", "--explain"]);
    let o = c
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut ch| {
            use std::io::Write;
            ch.stdin.take().unwrap().write_all(SECRET.as_bytes())?;
            ch.wait_with_output()
        })
        .unwrap();
    assert!(o.status.success());
    no_values("post-render --explain", &String::from_utf8_lossy(&o.stderr));
    // chartfix diff in every format.
    let after = SECRET
        .replace("cC1TRUNSRVQtVkFMVUU=", "bmV3LVNFQ1JFVC1WQUxVRQ==")
        .replace("p-SECRET-TOKEN", "n-SECRET-TOKEN");
    std::fs::write(w.join("old.yaml"), SECRET).unwrap();
    std::fs::write(w.join("new.yaml"), &after).unwrap();
    for format in ["text", "json", "markdown"] {
        let o = run(
            format,
            cmd(w, &["diff", "old.yaml", "new.yaml", "--format", format]),
            true,
        );
        let out = String::from_utf8_lossy(&o.stdout);
        no_values(format, &out);
        no_values(format, &String::from_utf8_lossy(&o.stderr));
        assert!(
            out.contains("password") && out.contains("token"),
            "{format}: {out}"
        );
    }
}

/// The values of [`every_masked_path_hides_secret_values`]'s Secret, before
/// and after: a `data` value (base64 in the manifest) and a `stringData` one.
const OLD_PW: &str = "old-PW-k9Qz";
const NEW_PW: &str = "new-PW-k9Qz";
const OLD_TOKEN: &str = "old-TOKEN-x7Wv";
const NEW_TOKEN: &str = "new-TOKEN-x7Wv";

fn db_secret(pw: &str, token: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: {}\nstringData:\n  token: {token}\n",
        b64(pw)
    )
}

/// Neither form (plain, base64) of any old or new value anywhere in `o`.
fn no_value_forms(case: &str, o: &Output) {
    for v in [OLD_PW, NEW_PW, OLD_TOKEN, NEW_TOKEN] {
        for form in [v.to_string(), b64(v)] {
            for (stream, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
                let text = String::from_utf8_lossy(text);
                assert!(
                    !text.contains(&form),
                    "{case}: {form:?} on {stream}:\n{text}"
                );
            }
        }
    }
}

fn with_stdin(mut c: Command, input: &str) -> Output {
    crate::support::output_with_input(&mut c, Some(input.as_bytes()))
}

/// Issue 15: every output that shows manifest content in a diff, a table or
/// an error goes through the one masking path (`manifest::mask`). For each,
/// a Secret value changes; the change is reported, the values are not.
#[test]
fn every_masked_path_hides_secret_values() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let old = db_secret(OLD_PW, OLD_TOKEN);
    let new = db_secret(NEW_PW, NEW_TOKEN);
    std::fs::create_dir_all(w.join("raw")).unwrap();
    std::fs::write(w.join("raw/secret.yaml"), &old).unwrap();
    std::fs::write(
        w.join("s.yaml"),
        "name: s\nnamespace: default\nreleases:\n  - name: m\n    manifests: [raw/]\n",
    )
    .unwrap();

    // verify: the snapshot holds the old values, the stack renders the new.
    let o = run(
        "snapshot",
        cmd(w, &["snapshot", "s.yaml", "--offline"]),
        true,
    );
    no_value_forms("snapshot", &o);
    std::fs::write(w.join("raw/secret.yaml"), &new).unwrap();
    let o = run("verify", cmd(w, &["verify", "s.yaml", "--offline"]), false);
    no_value_forms("verify", &o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("+  password: <hidden, changed>")
            && out.contains("+  token: <hidden, changed>"),
        "verify: {out}"
    );
    assert!(out.contains("-  password: <hidden>"), "verify: {out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("renders differently"));

    // render --diff and --explain: an overlay rotates both values.
    std::fs::write(w.join("raw/secret.yaml"), &old).unwrap();
    std::fs::write(
        w.join("rotate.yaml"),
        format!(
            "name: rotate\nrules:\n  - select: {{kind: Secret}}\n    set:\n      /data/password: {}\n      /stringData/token: {NEW_TOKEN}\n",
            b64(NEW_PW)
        ),
    )
    .unwrap();
    std::fs::write(
        w.join("r.yaml"),
        "name: r\nnamespace: default\noverlays: [rotate.yaml]\nreleases:\n  - name: m\n    manifests: [raw/]\n",
    )
    .unwrap();
    let o = run(
        "render --diff --explain",
        cmd(w, &["render", "r.yaml", "--offline", "--diff", "--explain"]),
        true,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let masked = Output {
        status: o.status,
        stdout: Vec::new(), // the manifests themselves: the values are the output
        stderr: o.stderr.clone(),
    };
    no_value_forms("render --diff --explain", &masked);
    assert!(
        err.contains("+  password: <hidden, changed>"),
        "render --diff: {err}"
    );
    assert!(
        err.contains("/data/password") && err.contains("/stringData/token"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains(NEW_TOKEN));

    // post-render --explain.
    let o = with_stdin(
        cmd(w, &["post-render", "--overlay", "rotate.yaml", "--explain"]),
        &old,
    );
    assert!(o.status.success());
    let explain = Output {
        stdout: Vec::new(),
        ..o
    };
    no_value_forms("post-render --explain", &explain);
    let err = String::from_utf8_lossy(&explain.stderr);
    assert!(
        err.contains("<hidden, changed>") && err.contains("/data/password"),
        "{err}"
    );

    // diff in every format.
    std::fs::write(w.join("old.yaml"), &old).unwrap();
    std::fs::write(w.join("new.yaml"), &new).unwrap();
    for format in ["text", "markdown", "json"] {
        let o = run(
            format,
            cmd(w, &["diff", "old.yaml", "new.yaml", "--format", format]),
            true,
        );
        no_value_forms(format, &o);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains("password") && out.contains("token") && out.contains("hidden, changed"),
            "{format}: {out}"
        );
    }

    // Error excerpts: the YAML reader quotes the scalar it cannot decode.
    let broken = new.replace("token: ", "token: !!int ");
    std::fs::write(w.join("broken.yaml"), &broken).unwrap();
    std::fs::write(w.join("raw/secret.yaml"), &broken).unwrap();
    for (case, c, input) in [
        ("post-render error", cmd(w, &["post-render"]), Some(&broken)),
        (
            "diff error",
            cmd(w, &["diff", "old.yaml", "broken.yaml"]),
            None,
        ),
        (
            "check error",
            cmd(w, &["check", "--skip-image-check", "broken.yaml"]),
            None,
        ),
        (
            "verify error",
            cmd(w, &["verify", "s.yaml", "--offline"]),
            None,
        ),
    ] {
        let o = match input {
            Some(i) => with_stdin(c, i),
            None => run(case, c, false),
        };
        assert_eq!(o.status.code(), Some(1), "{case}");
        no_value_forms(case, &o);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("cannot decode !!str `<hidden>` as a !!int"),
            "{case}: {err}"
        );
    }
}
