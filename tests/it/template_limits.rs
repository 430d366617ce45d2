//! Template limits, through `chartfix template` (and `render` of a stack) on
//! small charts written here: runaway `include`, `tpl`, `{{template}}`
//! recursion, a `range` over a huge number, backtracking-prone regexes and
//! output past the cap each stop with a clear error, exit status 1 and nothing
//! on stdout, quickly and without eating the machine's memory.
//!
//! Time bounds are generous (a debug build on a loaded 2-core machine): they
//! tell a stop from a hang, nothing finer.

use crate::support::run::Run;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CHART: &str = "apiVersion: v2\nname: c\nversion: 0.1.0\n";

/// A chart `c` in a fresh folder: Chart.yaml, values.yaml and templates.
fn chart(values: &str, templates: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c");
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(c.join("Chart.yaml"), CHART).unwrap();
    std::fs::write(c.join("values.yaml"), values).unwrap();
    for (name, text) in templates {
        std::fs::write(c.join("templates").join(name), text).unwrap();
    }
    (dir, c)
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let start = Instant::now();
    let out = crate::support::chartfix()
        .current_dir(dir)
        .env("CHARTFIX_CACHE", dir.join("cache"))
        .args(args)
        .output()
        .unwrap();
    Run::new(out, start)
}

/// `chartfix template r c ARGS` in the chart's folder.
fn template(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["template", "r", "c"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// Exit 1, empty stdout, every `expect` on stderr, within `bound`.
fn stopped(case: &str, r: &Run, expect: &[&str], bound: Duration) {
    r.assert_refused(case, 1, expect, bound);
}

const QUICK: Duration = Duration::from_secs(20);

#[test]
fn include_recursion_stops_with_helms_error() {
    let (dir, _) = chart(
        "",
        &[(
            "a.yaml",
            "{{- define \"loop\" }}{{ include \"loop\" . }}{{ end }}\nx: {{ include \"loop\" . }}\n",
        )],
    );
    let r = template(dir.path(), &[]);
    stopped("include", &r, &[], QUICK);
    // Helm 4.2.3 (helm-oracle) prints exactly this: the outer call, then one
    // frame per nested include until the 1001st finds the name too deep.
    let expected = format!(
        "Error: template: c/templates/a.yaml:2:6: executing \"c/templates/a.yaml\" at <include \"loop\" .>: error calling include: {}rendering template has a nested reference name: loop: unable to execute template\n",
        "template: c/templates/a.yaml:1:23: executing \"loop\" at <include \"loop\" .>: error calling include: ".repeat(1001)
    );
    assert!(r.stderr == expected, "include: stderr differs from Helm's");
}

#[test]
fn mutual_include_recursion_stops() {
    let (dir, _) = chart(
        "",
        &[(
            "a.yaml",
            "{{- define \"a\" }}{{ include \"b\" . }}{{ end }}{{- define \"b\" }}{{ include \"a\" . }}{{ end }}\nx: {{ include \"a\" . }}\n",
        )],
    );
    let r = template(dir.path(), &[]);
    stopped(
        "include a/b",
        &r,
        &["c/templates/a.yaml:", "nested reference name: "],
        QUICK,
    );
}

#[test]
fn include_at_the_depth_renders_and_one_more_stops() {
    // 1001 nested includes of one name (a countdown from 1000) render, one
    // more does not: Helm's boundary, checked with helm-oracle.
    let (dir, _) = chart(
        "n: 1000\n",
        &[(
            "a.yaml",
            "{{- define \"down\" }}{{ if gt (int .) 0 }}{{ include \"down\" (sub (int .) 1) }}{{ else }}done{{ end }}{{ end }}\nx: {{ include \"down\" .Values.n }}\n",
        )],
    );
    let r = template(dir.path(), &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(String::from_utf8_lossy(&r.stdout).contains("x: done"));
    let r = template(dir.path(), &["--set", "n=1001"]);
    stopped("include 1002", &r, &["nested reference name: down"], QUICK);
}

#[test]
fn tpl_fed_its_own_output_stops() {
    // Helm has no bound here: it dies of a Go stack overflow after ~20 s.
    let (dir, _) = chart(
        "t: \"{{ tpl .Values.t . }}\"\n",
        &[("a.yaml", "x: {{ tpl .Values.t . }}\n")],
    );
    let r = template(dir.path(), &[]);
    stopped(
        "tpl",
        &r,
        &[
            "c/templates/a.yaml:1:6: ",
            "tpl calls nested more than 1000 deep (limit)",
        ],
        QUICK,
    );
    assert!(
        r.stderr.len() < 1000,
        "tpl: the error is {} bytes",
        r.stderr.len()
    );
}

#[test]
fn tpl_through_include_stops() {
    // A template that renders a value which includes the template again.
    let (dir, _) = chart(
        "t: '{{ include \"x\" . }}'\n",
        &[(
            "a.yaml",
            "{{- define \"x\" }}{{ tpl .Values.t . }}{{ end }}\nx: {{ include \"x\" . }}\n",
        )],
    );
    let r = template(dir.path(), &[]);
    stopped("tpl+include", &r, &["c/templates/a.yaml:"], QUICK);
}

#[test]
fn nested_tpl_within_the_limit_renders() {
    let (dir, _) = chart(
        "a: '{{ tpl .Values.b . }}'\nb: '{{ tpl .Values.c . }}'\nc: deep\n",
        &[("a.yaml", "x: {{ tpl .Values.a . }}\n")],
    );
    let r = template(dir.path(), &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(String::from_utf8_lossy(&r.stdout).contains("x: deep"));
}

#[test]
fn template_recursion_stops() {
    let (dir, _) = chart(
        "",
        &[(
            "a.yaml",
            "{{- define \"t\" }}{{ template \"t\" . }}{{ end }}\nx: {{ template \"t\" . }}\n",
        )],
    );
    let r = template(dir.path(), &[]);
    stopped(
        "template",
        &r,
        &[
            "c/templates/a.yaml:1:29",
            "exceeded maximum template depth (100000)",
        ],
        QUICK,
    );
}

#[test]
fn range_over_a_huge_integer_stops() {
    // 100 million steps take ~6 s in a debug build on an idle core.
    let (dir, _) = chart("", &[("a.yaml", "x: {{ range 100000000000 }}{{ end }}\n")]);
    let r = template(dir.path(), &[]);
    stopped(
        "range N",
        &r,
        &[
            "c/templates/a.yaml:1:12: ",
            "stopped after 100000000 steps (limit)",
        ],
        Duration::from_secs(90),
    );
}

#[test]
fn until_a_huge_integer_stops_before_allocating() {
    for f in ["until 100000000000", "untilStep 0 100000000000 1"] {
        let (dir, _) = chart(
            "",
            &[("a.yaml", &format!("x: {{{{ range {f} }}}}{{{{ end }}}}\n"))],
        );
        let r = template(dir.path(), &[]);
        stopped(
            f,
            &r,
            &[
                "c/templates/a.yaml:1:12: ",
                "exceeds the 104857600-byte limit",
            ],
            QUICK,
        );
    }
}

#[test]
fn backtracking_regexes_run_in_linear_time() {
    let a = "\"(a+)+$\" (printf \"%sb\" (repeat 50000 \"a\"))";
    let x = "\"(x+x+)+y\" (repeat 50000 \"x\")";
    let src = format!(
        "m: {{{{ regexMatch {a} }}}}\nf: {{{{ regexFindAll {x} -1 | len }}}}\nr: {{{{ regexReplaceAll \"(a|aa)+$\" (printf \"%sb\" (repeat 50000 \"a\")) \"z\" | len }}}}\n"
    );
    let (dir, _) = chart("", &[("a.yaml", &src)]);
    let r = template(dir.path(), &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(out.contains("m: false\nf: 0\nr: 50001\n"), "{out}");
    assert!(r.took < QUICK, "regexes took {:?}", r.took);
}

/// One template writing `mib` MiB.
/// Template text writing `mib` MiB of `a`.
fn repeats(mib: usize) -> String {
    format!("{{{{ range until {mib} }}}}{{{{ repeat 1048576 \"a\" }}}}{{{{ end }}}}\n")
}

/// A template writing `mib` MiB, as one map entry (a document must be a map).
fn writes(mib: usize) -> String {
    format!("big: {}", repeats(mib))
}

#[test]
fn output_past_the_default_cap_stops() {
    let (dir, _) = chart("", &[("a.yaml", &writes(101))]);
    let r = template(dir.path(), &[]);
    stopped(
        "101 MiB",
        &r,
        &[
            "c/templates/a.yaml",
            "rendered output exceeds 104857600 bytes (limit",
            "--max-output",
        ],
        QUICK,
    );
}

#[test]
fn output_cap_counts_the_whole_chart_and_the_flag_raises_it() {
    // Three templates of 2 MiB: each under a 5 MiB cap, together over it.
    let t = writes(2);
    let (dir, _) = chart("", &[("a.yaml", &t), ("b.yaml", &t), ("c.yaml", &t)]);
    let r = template(dir.path(), &["--max-output", "5MiB"]);
    stopped(
        "5MiB",
        &r,
        &["c/templates/", "exceeds 5242880 bytes"],
        QUICK,
    );
    let r = template(dir.path(), &["--max-output", "7MiB"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.len() > 6 << 20);
    // Intermediate `include` output counts too: it is memory all the same.
    let (dir, _) = chart(
        "",
        &[(
            "a.yaml",
            "{{- define \"big\" }}{{ repeat 1048576 \"a\" }}{{ end }}{{ range until 10 }}{{ $x := include \"big\" . }}{{ end }}x: 1\n",
        )],
    );
    let r = template(dir.path(), &["--max-output", "5MiB"]);
    stopped("include output", &r, &["exceeds 5242880 bytes"], QUICK);
    let r = template(dir.path(), &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn max_output_flag_is_checked() {
    let (dir, _) = chart("", &[("a.yaml", "x: 1\n")]);
    for bad in ["200MB", "0", "lots"] {
        let r = template(dir.path(), &["--max-output", bad]);
        assert_eq!(r.code, Some(2), "{bad}: {}", r.stderr);
        assert!(r.stderr.contains("--max-output"), "{bad}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn render_of_a_stack_has_the_same_cap_and_flag() {
    // A stack's releases must be Kubernetes objects: a 2 MiB ConfigMap.
    let cm = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: {}",
        repeats(2)
    );
    let (dir, _) = chart("", &[("a.yaml", &cm)]);
    std::fs::write(
        dir.path().join("s.yaml"),
        "name: s\nnamespace: default\nreleases:\n  - name: r\n    chart: ./c\n",
    )
    .unwrap();
    let r = run(
        dir.path(),
        &[
            "render",
            "s.yaml",
            "--offline",
            "--skip-image-check",
            "--max-output",
            "1MiB",
        ],
    );
    stopped(
        "stack 1MiB",
        &r,
        &[
            "c/templates/a.yaml",
            "exceeds 1048576 bytes",
            "--max-output",
        ],
        QUICK,
    );
    let r = run(
        dir.path(),
        &["render", "s.yaml", "--offline", "--skip-image-check"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.len() > 2 << 20);
}
