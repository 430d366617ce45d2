//! YAML limits on every input chartfix reads: values files (`-f`, also from
//! stdin), `--set-json`, overlay files, post-render's stdin, stack files,
//! files given to `check`, and rendered templates that Helm's step or the
//! overlays parse. Deep nesting, alias bombs ("billion laughs", also padded
//! so that a ratio rule alone would not see them) and inputs past the size
//! cap each end in a clear error naming the input, nothing on stdout, quickly.
//!
//! Figures: nesting 1000 where Helm's reader applies (values, rendered
//! templates), 128 where yaml_serde reads (manifests, overlays, stack files),
//! go-yaml v2's alias rule everywhere, 128 MiB per input, 2 000 000 nodes per
//! parse (YAML and JSON). Every run is under a 4 GiB address-space cap.

use crate::support::run::Run;
use crate::support::Feed;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const QUICK: Duration = Duration::from_secs(20);
const MAX_INPUT: u64 = 128 << 20;
const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n";

/// `n` nested flow sequences.
fn deep(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

/// "Billion laughs": nine levels of nine aliases, each key indented by `indent`.
fn laughs(indent: &str) -> String {
    let mut out = format!("{indent}a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9u8 {
        let (me, prev) = ((b'a' + i) as char, (b'a' + i - 1) as char);
        let refs = vec![format!("*{prev}"); 9].join(", ");
        out.push_str(&format!("{indent}{me}: &{me} [{refs}]\n"));
    }
    out
}

/// The bomb after a million plain scalars, which raise what a per-size rule
/// would allow (yaml_serde's own allows 100 alias jumps per event).
fn padded_laughs(indent: &str) -> String {
    format!(
        "{indent}pad: [{}]\n{}",
        vec!["x"; 1_000_000].join(","),
        laughs(indent)
    )
}

/// Runs chartfix in `dir` under a 4 GiB address-space cap; `stdin` is
/// written from a thread, so a huge input streams instead of sitting in
/// memory twice.
fn run(dir: &Path, args: &[&str], stdin: Option<Feed>) -> Run {
    let start = Instant::now();
    let mut cmd = crate::support::chartfix_capped();
    cmd.current_dir(dir)
        .env("CHARTFIX_CACHE", dir.join("cache"))
        .args(args);
    Run::new(crate::support::output_with_feed(&mut cmd, stdin), start)
}

fn feed(text: String) -> Option<Feed> {
    Some(Box::new(move |w: &mut dyn Write| {
        let _ = w.write_all(text.as_bytes());
    }))
}

/// Past the input cap, in 1 MiB pieces of a valid manifest's comment lines.
fn huge_stream() -> Option<Feed> {
    Some(Box::new(|w: &mut dyn Write| {
        let line = format!("#{}\n", "x".repeat(1022));
        let chunk = line.repeat(1024);
        if w.write_all(CM.as_bytes()).is_err() {
            return;
        }
        for _ in 0..=(MAX_INPUT >> 20) {
            if w.write_all(chunk.as_bytes()).is_err() {
                return;
            }
        }
    }))
}

fn refused(case: &str, r: &Run, code: i32, expect: &[&str]) {
    r.assert_refused(case, code, expect, QUICK);
    assert!(
        r.stderr.len() < 2000,
        "{case}: a {}-byte error",
        r.stderr.len()
    );
}

/// A folder with chart `c` (one ConfigMap, or the given template).
fn workdir(template: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c");
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(
        c.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    let cm = format!("{CM}  a: b\n");
    std::fs::write(c.join("templates/cm.yaml"), template.unwrap_or(&cm)).unwrap();
    dir
}

#[test]
fn values_files() {
    let dir = workdir(None);
    let cases = [
        (
            "deep.yaml",
            format!("a: {}\n", deep(100_000)),
            "yaml: line 1: exceeded max depth of 1000",
        ),
        ("laughs.yaml", laughs(""), "excessive aliasing"),
        ("padded.yaml", padded_laughs(""), "excessive aliasing"),
    ];
    for (name, text, expect) in &cases {
        std::fs::write(dir.path().join(name), text).unwrap();
        let r = run(dir.path(), &["template", "r", "c", "-f", name], None);
        refused(name, &r, 1, &[&format!("failed to parse {name}: "), expect]);
    }
    // The same through stdin.
    let r = run(
        dir.path(),
        &["template", "r", "c", "-f", "-"],
        feed(laughs("")),
    );
    refused(
        "values on stdin",
        &r,
        1,
        &["failed to parse -: ", "excessive aliasing"],
    );
}

#[test]
fn values_files_past_the_size_cap() {
    let dir = workdir(None);
    // A sparse file one byte past the cap: refused by its size, unread.
    let big = dir.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(MAX_INPUT + 1)
        .unwrap();
    let r = run(dir.path(), &["template", "r", "c", "-f", "big.yaml"], None);
    refused("big values", &r, 1, &["open big.yaml: larger than 128 MiB"]);
    let r = run(
        dir.path(),
        &["template", "r", "c", "-f", "-"],
        huge_stream(),
    );
    refused(
        "big values on stdin",
        &r,
        1,
        &["reading values from stdin: larger than 128 MiB"],
    );
    // Just under it is read (a comment, so nothing is built from it).
    let f = std::fs::File::create(&big).unwrap();
    let mut w = std::io::BufWriter::new(f);
    let line = format!("#{}\n", "x".repeat(1022));
    for _ in 0..(MAX_INPUT >> 10) - 1 {
        w.write_all(line.as_bytes()).unwrap();
    }
    w.write_all(b"a: 1\n").unwrap();
    drop(w);
    let r = run(dir.path(), &["template", "r", "c", "-f", "big.yaml"], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn set_json() {
    let dir = workdir(None);
    // 50 000 deep: an argument may hold 128 KiB.
    for arg in [
        format!("a={}", deep(50_000)),
        format!("{{\"a\":{}}}", deep(50_000)),
    ] {
        let r = run(
            dir.path(),
            &["template", "r", "c", "--set-json", &arg],
            None,
        );
        refused(
            "--set-json",
            &r,
            1,
            &[
                "failed parsing --set-json data ",
                "(100",
                "recursion limit exceeded at line 1 column 1",
            ],
        );
    }
}

#[test]
fn overlay_files() {
    let dir = workdir(None);
    let head = "name: o\nrules:\n  - select: {kind: ConfigMap}\n    set: {/data/b: c}\n";
    let cases = [
        (
            "deep.yaml",
            format!("{head}x: {}\n", deep(100_000)),
            "deep.yaml:5:",
        ),
        (
            "laughs.yaml",
            format!("{head}{}", laughs("")),
            "laughs.yaml:",
        ),
        (
            "padded.yaml",
            format!("{head}{}", padded_laughs("")),
            "padded.yaml:",
        ),
    ];
    for (name, text, place) in &cases {
        std::fs::write(dir.path().join(name), text).unwrap();
        let expect = if name.contains("deep") {
            "exceeded max depth of 128"
        } else {
            "excessive aliasing"
        };
        let r = run(dir.path(), &["template", "r", "c", "--overlay", name], None);
        refused(name, &r, 1, &[place, expect]);
        let r = run(
            dir.path(),
            &["post-render", "--overlay", name],
            feed(format!("{CM}  a: b\n")),
        );
        refused(name, &r, 1, &[place, expect]);
    }
    let big = dir.path().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(MAX_INPUT + 1)
        .unwrap();
    let r = run(
        dir.path(),
        &["template", "r", "c", "--overlay", "big.yaml"],
        None,
    );
    refused("big overlay", &r, 1, &["big.yaml", "larger than 128 MiB"]);
}

#[test]
fn post_render_stdin() {
    let dir = workdir(None);
    let cases = [
        (
            "deep",
            format!("{CM}  a: {}\n", deep(100_000)),
            "line 6 column 132",
            "exceeded max depth of 128",
        ),
        (
            "block deep",
            {
                let mut s = CM.to_string();
                for i in 0..300 {
                    s.push_str(&format!("{}k{i}:\n", "  ".repeat(i + 1)));
                }
                s
            },
            "line 133",
            "exceeded max depth of 128",
        ),
        (
            "laughs",
            format!("{CM}{}", laughs("  ")),
            "line 12",
            "excessive aliasing",
        ),
        (
            "padded",
            // The node bound (2 million, aliases counted where used) stops
            // it a level before go-yaml's own rule would.
            format!("{CM}{}", padded_laughs("  ")),
            "line 13",
            "excessive aliasing",
        ),
    ];
    for (case, text, place, expect) in cases {
        for overlay in [&[][..], &["--overlay", "arm64"][..]] {
            let mut args = vec!["post-render"];
            args.extend_from_slice(overlay);
            let r = run(dir.path(), &args, feed(text.clone()));
            refused(case, &r, 1, &["invalid YAML in document 1", place, expect]);
        }
    }
    let r = run(dir.path(), &["post-render"], huge_stream());
    refused(
        "huge stdin",
        &r,
        1,
        &["reading the manifests: larger than 128 MiB"],
    );
}

#[test]
fn rendered_templates() {
    // Helm's own parse of each rendered file stops these (nesting 1000).
    let dir = workdir(Some(&format!("{CM}  a: {{{{ repeat 100000 \"[\" }}}}\n")));
    let r = run(dir.path(), &["template", "r", "c"], None);
    refused(
        "deep template",
        &r,
        1,
        &[
            "YAML parse error on c/templates/cm.yaml",
            "line 6: exceeded max depth of 1000",
        ],
    );
    let dir = workdir(Some(&format!("{CM}{}", padded_laughs("  "))));
    let r = run(dir.path(), &["template", "r", "c"], None);
    refused(
        "bomb template",
        &r,
        1,
        &[
            "YAML parse error on c/templates/cm.yaml",
            "excessive aliasing",
        ],
    );
    // 500 deep passes Helm's step, as in Helm, but not the overlays' reader.
    let dir = workdir(Some(&format!("{CM}  a: {}\n", deep(500))));
    let r = run(dir.path(), &["template", "r", "c"], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = run(
        dir.path(),
        &["template", "r", "c", "--overlay", "arm64"],
        None,
    );
    refused(
        "500 deep + overlay",
        &r,
        1,
        &[
            "(# Source: c/templates/cm.yaml)",
            "exceeded max depth of 128",
        ],
    );
}

#[test]
fn stack_files_and_check_inputs() {
    let dir = workdir(None);
    std::fs::write(
        dir.path().join("s.yaml"),
        format!("name: s\nreleases: {}\n", deep(100_000)),
    )
    .unwrap();
    let r = run(
        dir.path(),
        &["render", "s.yaml", "--offline", "--skip-image-check"],
        None,
    );
    refused(
        "deep stack",
        &r,
        1,
        &["s.yaml:2:", "exceeded max depth of 128"],
    );
    // A manifest file that `check` or `images` reads is input, not usage:
    // what is wrong in it is a failure, 1, as everywhere else.
    let cases = [
        (
            "bomb.yaml",
            format!("{CM}{}", padded_laughs("  ")),
            "bomb.yaml: invalid YAML at line 13 column 10",
            "excessive aliasing",
        ),
        (
            "deep.yaml",
            format!("{CM}  a: {}\n", deep(100_000)),
            "deep.yaml: invalid YAML at line 6 column 132",
            "exceeded max depth of 128",
        ),
        (
            "broken.yaml",
            format!("{CM}  a: [b\n"),
            "broken.yaml: document 1: invalid YAML: did not find expected ',' or ']' at line 7 column 1",
            "while parsing a flow sequence at line 6 column 6",
        ),
    ];
    for (name, text, place, expect) in &cases {
        std::fs::write(dir.path().join(name), text).unwrap();
        for cmd in [
            &["check", name, "--skip-image-check"][..],
            &["check", name][..],
            &["images", name][..],
            &["images", name, "--offline", "-o", "json"][..],
        ] {
            let r = run(dir.path(), cmd, None);
            refused(&format!("{cmd:?}"), &r, 1, &[place, expect]);
        }
    }
    // Through stdin the same.
    let r = run(dir.path(), &["images", "-"], feed(format!("{CM}  a: [b\n")));
    refused("images stdin", &r, 1, &["-: document 1: invalid YAML"]);
}

/// `n` scalars in one flow sequence: 2 bytes a node, the densest common form.
fn many(n: usize) -> String {
    format!("[{}]", vec!["1"; n].join(","))
}

const PAST_NODES: usize = 2_100_000;
const NODES: &str = "more than 2000000 nodes";

#[test]
fn node_bound_on_values_charts_and_templates() {
    let dir = workdir(None);
    // A flat map of 1.1 million keys (2.2 million nodes), and a flow list.
    let flat: String = (0..PAST_NODES / 2)
        .map(|i| format!("k{i}: {i}\n"))
        .collect();
    std::fs::write(dir.path().join("flat.yaml"), flat).unwrap();
    std::fs::write(
        dir.path().join("flow.yaml"),
        format!("a: {}\n", many(PAST_NODES)),
    )
    .unwrap();
    for file in ["flat.yaml", "flow.yaml"] {
        let r = run(dir.path(), &["template", "r", "c", "-f", file], None);
        refused(file, &r, 1, &[&format!("failed to parse {file}"), NODES]);
    }
    // Chart.yaml within the 5 MiB a chart file may have.
    let chart = dir.path().join("big");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: big\nversion: 0.1.0\nkeywords: {}\n",
            many(PAST_NODES)
        ),
    )
    .unwrap();
    let r = run(dir.path(), &["template", "r", "big"], None);
    refused("Chart.yaml", &r, 1, &["Chart.yaml", NODES]);
    // A rendered template, and fromYaml / fromJson inside one.
    let big =
        format!("{CM}  a: '{{{{ print \"x\" }}}}'\nb: [{{{{ repeat {PAST_NODES} \"1,\" }}}}1]\n");
    let r = run(workdir(Some(&big)).path(), &["template", "r", "c"], None);
    refused("template", &r, 1, &["c/templates/cm.yaml", NODES]);
    let from = format!(
        "{CM}  y: {{{{ (fromYaml (printf \"a: [%s1]\" (repeat {PAST_NODES} \"1,\"))).Error | quote }}}}\n  j: {{{{ (fromJson (printf \"[%s1]\" (repeat {PAST_NODES} \"1,\"))).Error | quote }}}}\n"
    );
    let r = run(workdir(Some(&from)).path(), &["template", "r", "c"], None);
    let out = String::from_utf8_lossy(&r.stdout);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(out.contains(NODES), "{out}");
    assert!(
        out.contains("JSON too large: more than 2000000 values"),
        "{out}"
    );
}

#[test]
fn node_bound_on_post_render_overlays_stacks_and_locks() {
    let dir = workdir(None);
    // post-render: one document of 2.1 million items; an alias bomb whose
    // ratio go-yaml's rule allows but whose expansion is 3 million nodes.
    let flow = format!("{CM}  a: {}\n", many(PAST_NODES));
    let r = run(dir.path(), &["post-render"], feed(flow));
    refused("post-render flow", &r, 1, &["document 1", NODES]);
    let mut bomb = format!("{CM}  a: &a {}\n", many(1000));
    for i in 0..3000 {
        bomb.push_str(&format!("  b{i}: *a\n"));
    }
    let r = run(dir.path(), &["post-render"], feed(bomb));
    refused(
        "post-render aliases",
        &r,
        1,
        &["document 1", "excessive aliasing"],
    );
    // Files read with yaml_serde: an overlay, a stack file, its lock.
    let big = many(PAST_NODES);
    std::fs::write(
        dir.path().join("o.yaml"),
        format!("name: o\nrules: []\nx: {big}\n"),
    )
    .unwrap();
    let r = run(
        dir.path(),
        &["post-render", "--overlay", "./o.yaml"],
        feed(CM.into()),
    );
    refused("overlay file", &r, 1, &["o.yaml", NODES]);
    std::fs::write(
        dir.path().join("s.yaml"),
        format!("name: s\nreleases:\n- {{name: c, chart: ./c}}\nx: {big}\n"),
    )
    .unwrap();
    let r = run(
        dir.path(),
        &["render", "s.yaml", "--offline", "--skip-image-check"],
        None,
    );
    refused("stack file", &r, 1, &["s.yaml", NODES]);
    std::fs::write(
        dir.path().join("s.yaml"),
        "name: s\nreleases:\n- {name: c, chart: ./c}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("s.lock"),
        format!("stack: s\ncharts: {big}\n"),
    )
    .unwrap();
    let r = run(
        dir.path(),
        &[
            "render",
            "s.yaml",
            "--offline",
            "--skip-image-check",
            "--locked",
        ],
        None,
    );
    refused("lock file", &r, 1, &["s.lock", NODES]);
}

#[test]
fn overlays_cannot_grow_resources_or_the_stream_past_their_bounds() {
    let dir = workdir(None);
    // Each copy doubles the list: 22 of them would make 16 million items.
    let copies = "  - {op: copy, from: /data, path: /data/-}\n".repeat(22);
    std::fs::write(
        dir.path().join("dbl.yaml"),
        format!("name: dbl\nrules:\n- patch:\n{copies}"),
    )
    .unwrap();
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: [1, 2, 3, 4]\n";
    let r = run(
        dir.path(),
        &["post-render", "--overlay", "./dbl.yaml"],
        feed(doc.into()),
    );
    refused(
        "copies",
        &r,
        1,
        &[
            "overlay dbl",
            "copy of /data to /data/-",
            "larger than 2000000 nodes",
        ],
    );
    // Two overlays, each within the bound, adding 1.05 million nodes each to
    // the same resource.
    let value = many(1_050_000);
    for name in ["add1", "add2"] {
        let text = format!("name: {name}\nrules:\n- set: {{/metadata/{name}: {value}}}\n");
        std::fs::write(dir.path().join(format!("{name}.yaml")), text).unwrap();
    }
    let args = [
        "post-render",
        "--overlay",
        "./add1.yaml",
        "--overlay",
        "./add2.yaml",
    ];
    let r = run(dir.path(), &args, feed(doc.into()));
    refused(
        "repeated set",
        &r,
        1,
        &["overlay add2", "larger than 2000000 nodes"],
    );
    // 1 MiB added to each of 300 resources: the stream passes 256 MiB.
    let value = format!("\"{}\"", "x".repeat(1 << 20));
    std::fs::write(
        dir.path().join("pad.yaml"),
        format!("name: pad\nrules:\n- set: {{/metadata/pad: {value}}}\n"),
    )
    .unwrap();
    let stream = format!("---\n{doc}").repeat(300);
    let r = run(
        dir.path(),
        &["post-render", "--overlay", "./pad.yaml"],
        feed(stream),
    );
    refused(
        "stream",
        &r,
        1,
        &["the rewritten manifests pass 256 MiB, chartfix's limit, at document"],
    );
}
