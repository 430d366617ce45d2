//! `chartfix post-render` through the binary: stdin to stdout, as Helm runs it.

use crate::support;
use std::path::PathBuf;
use std::process::Command;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn post_render(args: &[&str], env: &[(&str, &str)], input: &[u8]) -> Out {
    let mut cmd = support::chartfix();
    cmd.arg("post-render")
        .args(args)
        .env_remove("CHARTFIX_OVERLAYS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = support::output_with_input(&mut cmd, Some(input));
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn fixture(name: &str) -> PathBuf {
    support::project().join("tests/fixtures/overlay").join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// The documents of a stream, split on marker lines.
fn docs(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for line in s.split_inclusive('\n') {
        if line.starts_with("---") && out.last().is_some_and(|d| !d.is_empty()) {
            out.push(String::new());
        }
        out.last_mut().unwrap().push_str(line);
    }
    out
}

fn beta9() -> Option<String> {
    let p = support::shared_path("corpus/beta9-k3d/beta9.yaml")?;
    Some(std::fs::read_to_string(p).unwrap())
}

#[test]
fn without_overlays_the_stream_passes_through_byte_for_byte() {
    let input = read("rendered.yaml");
    let out = post_render(&[], &[], input.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, input);
    // odd but valid streams too; an empty or blank one, which Helm 4 would
    // refuse back, becomes a comment (tests/it/plugin.rs)
    for s in ["", "\n", " \n\n"] {
        let out = post_render(&[], &[], s.as_bytes());
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, "# chartfix: no resources\n")
        );
    }
    for s in [
        "a: 1",
        "# only a comment\n",
        "--- # c\nx: 1\n...\n",
        "---\n---\n---\n",
    ] {
        let out = post_render(&[], &[], s.as_bytes());
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, s),
            "{s:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn beta9_done_when() {
    let Some(input) = beta9() else { return };
    let out = post_render(
        &["--overlay", "arm64", "--overlay", "no-traefik"],
        &[],
        input.as_bytes(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("IngressRouteTCP"));
    let all: Vec<serde_json::Value> = docs(&out.stdout)
        .iter()
        .map(|d| yaml_serde::from_str(d).unwrap())
        .collect();
    let gateway = all
        .iter()
        .find(|d| d["kind"] == "Service" && d["metadata"]["name"] == "gateway")
        .expect("gateway Service");
    assert_eq!(gateway["spec"]["type"], "NodePort");
    let grpc = gateway["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["port"] == 1993)
        .unwrap();
    assert_eq!(grpc["nodePort"], 31993);
    for d in &all {
        let containers = d
            .pointer("/spec/template/spec/containers")
            .and_then(|c| c.as_array());
        for c in containers.into_iter().flatten() {
            if let Some(cpu) = c.pointer("/resources/requests/cpu") {
                assert_eq!(cpu, "100m", "{c}");
            }
        }
    }
    // Untouched documents, byte for byte: every input document not rewritten
    // is in the output as it was.
    let out_docs = docs(&out.stdout);
    for d in docs(&input) {
        let kind_changed = [
            "kind: Deployment",
            "kind: Service\n",
            "kind: IngressRouteTCP",
        ]
        .iter()
        .any(|k| d.contains(k));
        if !kind_changed {
            assert!(out_docs.contains(&d), "not passed through:\n{d}");
        }
    }
    assert_eq!(out_docs.len(), docs(&input).len() - 1);
}

#[test]
fn changed_documents_keep_their_source_comment_and_order() {
    let input = read("rendered.yaml");
    let out = post_render(&["--overlay", "arm64"], &[], input.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (a, b) = (docs(&input), docs(&out.stdout));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.lines().nth(1), y.lines().nth(1), "the # Source: line");
        if !x.contains("kind: StatefulSet") && !x.contains("kind: CronJob") {
            assert_eq!(x, y);
        }
    }
    let sts: serde_json::Value = yaml_serde::from_str(&b[3]).unwrap();
    assert_eq!(
        sts.pointer("/spec/template/spec/containers/0/resources/requests/cpu")
            .unwrap(),
        "100m"
    );
    assert_eq!(
        sts.pointer("/spec/template/spec/containers/0/resources/limits/cpu")
            .unwrap(),
        "1500m"
    );
    assert_eq!(
        sts.pointer("/spec/template/spec/containers/1/resources/requests/cpu")
            .unwrap(),
        "50m"
    );
    assert_eq!(
        sts.pointer("/spec/template/spec/initContainers/0/resources/requests/cpu")
            .unwrap(),
        "100m"
    );
    assert_eq!(
        sts.pointer("/spec/template/spec/nodeSelector/kubernetes.io~1arch")
            .unwrap(),
        "arm64"
    );
    // YAML 1.1 meaning kept: octal mode stays a number (and keeps its text),
    // "yes" stays a string
    assert!(b[3].contains("defaultMode: 0755\n"), "{}", b[3]);
    let sts_11 = chartfix::manifest::parse(&b[3]).unwrap();
    assert_eq!(
        sts_11
            .pointer("/spec/template/spec/volumes/0/configMap/defaultMode")
            .unwrap(),
        493
    );
    assert_eq!(
        sts.pointer("/spec/template/spec/containers/0/env/0/value")
            .unwrap(),
        "yes"
    );
    let cron: serde_json::Value = yaml_serde::from_str(&b[4]).unwrap();
    assert_eq!(
        cron.pointer("/spec/jobTemplate/spec/template/spec/containers/0/resources/requests/cpu")
            .unwrap(),
        "100m"
    );
}

#[test]
fn parameters_from_the_command_line_and_overlays_from_the_environment() {
    let input = read("rendered.yaml");
    let out = post_render(
        &[
            "--set-overlay",
            "arm64.cpu=200m",
            "--set-overlay",
            "arm64.memory=1Gi",
        ],
        &[("CHARTFIX_OVERLAYS", "arm64")],
        input.as_bytes(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sts: serde_json::Value = yaml_serde::from_str(&docs(&out.stdout)[3]).unwrap();
    assert_eq!(
        sts.pointer("/spec/template/spec/containers/0/resources/requests/cpu")
            .unwrap(),
        "200m"
    );
    assert_eq!(
        sts.pointer("/spec/template/spec/containers/0/resources/requests/memory")
            .unwrap(),
        "1Gi"
    );
    let out = post_render(
        &["--overlay", "arm64", "--set-overlay", "arm64.gpu=1"],
        &[],
        input.as_bytes(),
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no parameter \"gpu\""),
        "{}",
        out.stderr
    );
    let out = post_render(
        &["--overlay", "arm64", "--set-overlay", "cpu=1"],
        &[],
        input.as_bytes(),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn explain_lists_every_change_and_unmatched_rules_warn() {
    let input = read("rendered.yaml");
    let args = [
        "--overlay",
        "arm64",
        "--overlay",
        "no-traefik",
        "--overlay",
        "bitnami-legacy",
        "--set-overlay",
        "no-traefik.nodePorts=6379:30379",
        "--explain",
    ];
    let out = post_render(&args, &[], input.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.starts_with("Warning"))
        .collect();
    assert!(rows[0].starts_with("OVERLAY"), "{}", out.stderr);
    for want in [
        "/spec/template/spec/containers/0/resources/requests/cpu",
        "/spec/template/spec/initContainers/0/image",
        "/spec/jobTemplate/spec/template/spec/containers/0/image",
        "Service demo",
        "/spec/ports/0/nodePort",
        "IngressRouteTCP demo",
    ] {
        assert!(
            rows.iter().any(|r| r.contains(want)),
            "no row with {want}:\n{}",
            out.stderr
        );
    }
    assert!(out
        .stdout
        .contains("docker.io/bitnamilegacy/redis:7.2.4-debian-12-r9"));
    assert!(out
        .stdout
        .contains("image: bitnamilegacy/redis-exporter:1.58.0"));
    assert!(out.stdout.contains("nodePort: 30379"));
    assert!(!out.stdout.contains("IngressRouteTCP"));

    let custom = fixture("custom-overlay.yaml");
    let out = post_render(
        &["--overlay", custom.to_str().unwrap(), "--explain"],
        &[],
        input.as_bytes(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Warning: overlay custom: rule \"nothing-here\" matched no resource"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("kind: ConfigMap"));
    let sts: serde_json::Value = yaml_serde::from_str(
        docs(&out.stdout)
            .iter()
            .find(|d| d.contains("StatefulSet"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sts["spec"]["replicas"], 2);
    assert_eq!(sts["metadata"]["annotations"]["owner"], "me");
    assert_eq!(sts["metadata"]["labels"]["tier"], "cache");
    assert!(sts["spec"]["template"]["spec"].get("affinity").is_none());
}

#[test]
fn invalid_yaml_names_the_document_and_line_and_prints_nothing() {
    let out = post_render(&["--overlay", "arm64"], &[], read("bad.yaml").as_bytes());
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .contains("document 2 (# Source: demo/templates/broken.yaml)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("line 13"), "{}", out.stderr);
    // not UTF-8
    let out = post_render(&[], &[], b"a: 1\n---\nb: \xff\n");
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert!(out.stderr.contains("in document 2,"), "{}", out.stderr);
}

/// `post-render` and `check` number documents alike, from 1 as users count:
/// an empty `---` is a document, a leading comment is none.
#[test]
fn document_numbers_agree_with_check() {
    let body =
        "---\n---\n# Source: c/ok.yaml\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: [oops\n";
    let dir = tempfile::tempdir().unwrap();
    for stream in [body.to_string(), format!("# a comment\n\n{body}")] {
        let out = post_render(&[], &[], stream.as_bytes());
        assert_eq!((out.code, out.stdout.as_str()), (1, ""));
        assert!(
            out.stderr.contains("invalid YAML in document 3,"),
            "{stream:?}: {}",
            out.stderr
        );
        let file = dir.path().join("m.yaml");
        std::fs::write(&file, &stream).unwrap();
        let check = support::chartfix()
            .args(["check", "--skip-image-check"])
            .arg(&file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&check.stderr);
        assert_eq!(check.status.code(), Some(1), "{err}");
        assert!(check.stdout.is_empty());
        assert!(
            err.contains("m.yaml: document 3: invalid YAML"),
            "{stream:?}: {err}"
        );
    }
}

#[test]
fn bad_overlays_are_errors_with_file_line_column() {
    let bad = fixture("bad-overlay.yaml");
    let out = post_render(&["--overlay", bad.to_str().unwrap()], &[], b"a: 1\n");
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    let want = format!("{}:6:", bad.display());
    assert!(
        out.stderr.contains(&want) && out.stderr.contains("invalid quantity"),
        "{}",
        out.stderr
    );
    let out = post_render(&["--overlay", "arm65"], &[], b"a: 1\n");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("built-ins: arm64, no-traefik, bitnami-legacy"),
        "{}",
        out.stderr
    );
    let out = post_render(&["--overlay", "/nonexistent/x.yaml"], &[], b"a: 1\n");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cannot read overlay"), "{}", out.stderr);
}

#[test]
fn helm_plugin_wrappers_run_post_render() {
    let root = support::project();
    let input = read("rendered.yaml");
    for script in [
        "plugin/bin/chartfix-post-render",
        "plugin/chartfix-helm3/bin/chartfix-post-render",
    ] {
        for args in [
            &["--overlay=arm64"][..],
            &["post-render", "--overlay", "arm64"][..],
        ] {
            let out = support::output_with_input(
                Command::new("sh")
                    .arg(root.join(script))
                    .args(args)
                    .env("CHARTFIX_BIN", support::BIN)
                    .env_remove("CHARTFIX_OVERLAYS"),
                Some(input.as_bytes()),
            );
            assert!(
                out.status.success(),
                "{script}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("kubernetes.io/arch: arm64"));
        }
    }
    // The Helm 4 manifest declares a subprocess post-renderer running the wrapper.
    let meta: serde_json::Value =
        yaml_serde::from_str(&std::fs::read_to_string(root.join("plugin/plugin.yaml")).unwrap())
            .unwrap();
    assert_eq!(meta["apiVersion"], "v1");
    assert_eq!(meta["type"], "postrenderer/v1");
    assert_eq!(meta["runtime"], "subprocess");
    assert_eq!(
        meta["runtimeConfig"]["platformCommand"][0]["command"],
        "${HELM_PLUGIN_DIR}/bin/chartfix-post-render"
    );
}

/// Issue 15: no-traefik took `nodePorts=1993:80,1994:80` (outside the
/// NodePort range, one node port twice) and `check` passed it. Bad overlay
/// parameters are errors at the overlay's file:line:col, exit 1, from the
/// command line and from a stack alike.
#[test]
fn bad_overlay_parameters_are_refused_with_their_place() {
    let input = read("rendered.yaml");
    for (value, want) in [
        (
            "1993:80,1994:80",
            "node port 80 (for port 1993) is outside 30000–32767",
        ),
        ("1993:31993,1993:31994", "port 1993 is mapped twice"),
        (
            "1993:31993,1994:31993",
            "node port 31993 is given to ports 1993 and 1994",
        ),
        ("1993:http", "invalid port \"http\""),
    ] {
        let set = format!("no-traefik.nodePorts={value}");
        let out = post_render(
            &["--overlay", "no-traefik", "--set-overlay", &set],
            &[],
            input.as_bytes(),
        );
        assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{value}");
        for w in [
            "builtin:no-traefik:16:",
            want,
            &format!("given as {value:?}"),
        ] {
            assert!(
                out.stderr.contains(w),
                "{value}: {w:?} not in {}",
                out.stderr
            );
        }
    }
    // Other parameters' types: a node label value, an image name prefix.
    for (overlay, set, want) in [
        ("arm64", "arm64.arch=arm 64", "invalid arch \"arm 64\""),
        (
            "bitnami-legacy",
            "bitnami-legacy.from=",
            "invalid prefix from \"\"",
        ),
    ] {
        let out = post_render(
            &["--overlay", overlay, "--set-overlay", set],
            &[],
            input.as_bytes(),
        );
        assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{set}");
        let place = format!("builtin:{overlay}:");
        assert!(
            out.stderr.contains(&place) && out.stderr.contains(want),
            "{set}: {}",
            out.stderr
        );
    }
    // In a stack, through `check` and `render`.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("raw")).unwrap();
    std::fs::write(
        dir.path().join("raw/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "name: s\nnamespace: default\noverlays:\n  - {name: no-traefik, params: {nodePorts: '1993:80,1994:80'}}\nreleases:\n  - name: m\n    manifests: [raw/]\n",
    )
    .unwrap();
    for args in [
        &["check", "--skip-image-check", "s.yaml"][..],
        &["render", "--offline", "s.yaml"][..],
    ] {
        let o = support::chartfix()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        let err = support::stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
        assert!(
            err.contains("builtin:no-traefik:16:") && err.contains("node port 80"),
            "{args:?}: {err}"
        );
    }
}

/// A rewritten document keeps the text of every plain scalar no rule changed
/// (`0755` is not written `493`, `on` not `true`), and the values the rules
/// set are written as go-yaml writes them.
#[test]
fn rewritten_documents_keep_the_text_of_untouched_scalars() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("o.yaml");
    std::fs::write(
        &overlay,
        "name: t\nrules:\n- select: {kind: ConfigMap}\n  set: {/data/a: \"2\", /spec/mode: 420}\n",
    )
    .unwrap();
    let untouched = [
        "  hex: 0x1F",
        "  under: 1_000",
        "  half: .5",
        "  plus: +1",
        "  tilde: ~",
        "  yesno: yes",
        "  onoff: on",
        "  big: 123456789012345678901234567890",
        "  exp: 1e3",
        "  oct: 08",
        "  z: 0009",
        "  date: 2001-12-14",
        "  quoted: '0755'",
        "  list:",
        "  - 0755",
        "  - off",
        "",
    ]
    .join("\n");
    let input = format!(
        "---\n# Source: c/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"1\"\nspec:\n  mode: 0755\n{untouched}"
    );
    let out = post_render(
        &["--overlay", overlay.to_str().unwrap()],
        &[],
        input.as_bytes(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Quoted strings are written with go-yaml's quotes, as before.
    let expected = format!(
        "---\n# Source: c/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"2\"\nspec:\n  mode: 420\n{}",
        untouched.replace("'0755'", "\"0755\"")
    );
    assert_eq!(out.stdout, expected);
}

/// `%YAML 1.1` before a document's marker is that document's, as YAML has it
/// (it was cut off and read as a document of its own). Directives YAML does
/// not allow are refused with the document, line and column, and what to do.
#[test]
fn directives_go_with_their_document_and_bad_ones_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("o.yaml");
    std::fs::write(
        &overlay,
        "name: t\nrules:\n- select: {kind: ConfigMap}\n  set: {/data/a: \"2\"}\n",
    )
    .unwrap();
    let o = overlay.to_str().unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"1\"\n";
    let input = format!("%YAML 1.1\n---\n{cm}...\n%YAML 1.1\n# c\n---\n{cm}");
    let out = post_render(&[], &[], input.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, input);
    let out = post_render(&["--overlay", o], &[], input.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let changed = cm.replace("\"1\"", "\"2\"");
    assert_eq!(
        out.stdout,
        format!("%YAML 1.1\n---\n{changed}...\n%YAML 1.1\n# c\n---\n{changed}")
    );
    for (bad, expect) in [
        (
            "%YAML 2.0\n---\n",
            "document 1, line 1 column 1 of the input (line 1 of the document): found incompatible YAML document (the %YAML directive names a version other than 1.1, the only one Helm reads",
        ),
        // go-yaml, which Helm reads manifests and values with, knows 1.1 only.
        (
            "%YAML 1.2\n---\n",
            "found incompatible YAML document (the %YAML directive names a version other than 1.1",
        ),
        (
            "%YAML 1.1\n%YAML 1.1\n---\n",
            "found duplicate %YAML directive (give %YAML once per document)",
        ),
        ("%FOO bar\n---\n", "line 1 column 5 of the input"),
    ] {
        let out = post_render(&["--overlay", o], &[], format!("{bad}{cm}").as_bytes());
        assert_eq!(out.code, 1, "{bad}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{bad}");
        assert!(out.stderr.contains(expect), "{bad}: {}", out.stderr);
    }
}

/// A Service rewritten for a dropped IngressRouteTCP keeps the `...` that
/// ended it, as every other rewritten document does (directives of the
/// next document may need it).
#[test]
fn a_service_exposed_for_a_route_keeps_its_end_marker() {
    let route = "apiVersion: traefik.io/v1alpha1\nkind: IngressRouteTCP\nmetadata:\n  name: r\nspec:\n  routes:\n  - match: HostSNI(`*`)\n    services:\n    - name: redis\n      port: 6379\n...\n";
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: redis\nspec:\n  ports:\n  - port: 6379\n";
    for marker_after in ["...\n", ""] {
        let input = format!("{route}---\n{service}{marker_after}");
        let out = post_render(&["--overlay", "no-traefik"], &[], input.as_bytes());
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("type: NodePort\n"), "{}", out.stdout);
        assert_eq!(
            out.stdout.ends_with("type: NodePort\n...\n"),
            !marker_after.is_empty(),
            "{}",
            out.stdout
        );
    }
}

/// A stream big enough for several batches on several threads: the output,
/// the `--explain` table, the warnings and the first error are those of one
/// thread taking one document at a time.
#[test]
fn threads_give_what_one_thread_gives() {
    let doc = |i: usize| {
        let kind = ["Deployment", "ConfigMap", "StatefulSet"][i % 3];
        format!(
            "---\n# Source: c/templates/d{i}.yaml\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: d{i}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: bitnami/x:{i}\n        resources:\n          requests: {{cpu: 1500m, memory: 2Gi}}\n"
        )
    };
    // About 1.6 MiB: batches of 128 KiB, 256 KiB, … on every core.
    let stream: String = (0..6_000).map(doc).collect();
    let args = [
        "--overlay",
        "arm64",
        "--overlay",
        "bitnami-legacy",
        "--explain",
    ];
    let one = post_render(&args, &[("CHARTFIX_THREADS", "1")], stream.as_bytes());
    assert_eq!(one.code, 0, "{}", one.stderr);
    for threads in ["2", "3"] {
        let many = post_render(&args, &[("CHARTFIX_THREADS", threads)], stream.as_bytes());
        assert_eq!(many.code, 0, "{}", many.stderr);
        assert!(
            many.stdout == one.stdout,
            "{threads} threads: another stream"
        );
        assert!(
            many.stderr == one.stderr,
            "{threads} threads: another account"
        );
    }
    assert!(one.stderr.contains("d5999"), "every change is listed");

    // Two bad documents far apart: the first is the one named, nothing is printed.
    let mut bad: Vec<String> = (0..6_000).map(doc).collect();
    bad[4_321] = "---\n# Source: c/templates/bad.yaml\na: [\n".into();
    bad[5_500] = "---\nb: {\n".into();
    let bad: String = bad.concat();
    for threads in ["1", "2"] {
        let out = post_render(&args, &[("CHARTFIX_THREADS", threads)], bad.as_bytes());
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(
            out.stdout.is_empty(),
            "{threads} threads: output after an error"
        );
        assert!(
            out.stderr
                .contains("document 4322 (# Source: c/templates/bad.yaml)"),
            "{threads} threads: {}",
            out.stderr
        );
    }
}
