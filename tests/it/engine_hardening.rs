//! The template engine bounded in memory and time for every template, run
//! the way a hostile chart would be: `chartfix template` under a 4 GiB
//! address-space cap ([`crate::support::chartfix_capped`]). Each case either
//! fails cleanly within seconds (exit 1, nothing on stdout, the limit named)
//! or prints what Helm 4.2.3 prints (recorded with helm-oracle).
//!
//! The large inputs are made by the templates themselves at run time.

use crate::support::run::Run;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CHART: &str = "apiVersion: v2\nname: c\nversion: 0.1.0\n";

/// Generous for a loaded 2-core machine; the cases stop in 0.1 to 5 s here.
const QUICK: Duration = Duration::from_secs(30);

/// A chart `c` with `template` as its one template, and `files` beside
/// Chart.yaml.
fn chart(template: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c");
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(c.join("Chart.yaml"), CHART).unwrap();
    std::fs::write(c.join("values.yaml"), "").unwrap();
    std::fs::write(c.join("templates/a.yaml"), template).unwrap();
    for (name, text) in files {
        std::fs::write(c.join(name), text).unwrap();
    }
    (dir, c)
}

/// `chartfix template r c` under the memory cap.
fn template(dir: &Path) -> Run {
    let start = Instant::now();
    let out = crate::support::chartfix_capped()
        .current_dir(dir)
        .env("CHARTFIX_CACHE", dir.join("cache"))
        .args(["template", "r", "c"])
        .output()
        .unwrap();
    Run::new(out, start)
}

/// `template` fails cleanly within [`QUICK`], every `expect` on stderr.
fn refused(case: &str, template_text: &str, expect: &[&str]) -> Run {
    let (dir, _) = chart(template_text, &[]);
    let r = template(dir.path());
    r.assert_refused(case, 1, expect, QUICK);
    r
}

/// `template` succeeds; its stdout.
fn renders(case: &str, template_text: &str) -> String {
    let (dir, _) = chart(template_text, &[]);
    let r = template(dir.path());
    assert_eq!(r.code, Some(0), "{case}: {}", r.stderr);
    assert!(r.took < QUICK, "{case}: took {:?}", r.took);
    String::from_utf8_lossy(&r.stdout).into_owned()
}

const STEPS: &str = "stopped after 100000000 steps (limit)";
const DEEP: &str =
    "a list or map nested too deep to walk (1100 levels, 500 in toYaml and toJson) (limit)";

#[test]
fn a_schema_that_refers_to_itself_is_helms_reference_cycle() {
    // 37 bytes that took 3.9 GB and aborted; Helm 4.2.3 (helm-oracle)
    // prints exactly this at once.
    let (dir, _) = chart(
        "x: 1\n",
        &[(
            "values.schema.json",
            r##"{"allOf":[{"$ref":"#"},{"$ref":"#"}]}"##,
        )],
    );
    let r = template(dir.path());
    r.assert_refused("schema cycle", 1, &[], QUICK);
    assert_eq!(
        r.stderr,
        "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nc:\n- at '': 'allOf' failed\n  - at '': both /allOf/0/$ref and  resolve to \"file:///values.schema.json#\" causing reference cycle\n  - at '': both /allOf/1/$ref and  resolve to \"file:///values.schema.json#\" causing reference cycle\n\n"
    );
}

#[test]
fn a_schema_whose_refs_multiply_stops_at_the_check_limit() {
    // No cycle, but 2^40 paths: Helm runs on past 20 s.
    let mut defs = String::new();
    for i in 0..40 {
        let next = format!("{{\"$ref\":\"#/definitions/d{}\"}}", i + 1);
        defs.push_str(&format!("\"d{i}\":{{\"allOf\":[{next},{next}]}},"));
    }
    let schema =
        format!("{{\"definitions\":{{{defs}\"d40\":{{}}}},\"$ref\":\"#/definitions/d0\"}}");
    let (dir, _) = chart("x: 1\n", &[("values.schema.json", &schema)]);
    let r = template(dir.path());
    r.assert_refused(
        "schema refs",
        1,
        &["c: values.schema.json: validation stopped after 1000000 checks (limit)"],
        QUICK,
    );
}

#[test]
fn functions_are_charged_by_the_bytes_they_read() {
    // Each ran past 60 s in a loop over a large string: the budget counted
    // calls, not the bytes each call touched.
    let big = "{{- $s := repeat 4000000 \"a\" }}{{ $t := repeat 4000000 \"a\" }}";
    let cases = [
        ("contains", "{{ if contains \"ab\" $s }}{{ end }}"),
        ("eq", "{{ if eq $s $t }}{{ end }}"),
        ("sha256sum", "{{ $x := sha256sum $s }}"),
        ("regexMatch", "{{ $x := regexMatch \"a*b\" $s }}"),
        ("regexFind", "{{ $x := regexFind \"(a)(a)b\" $s }}"),
        ("fromYaml", "{{ $x := fromYaml $s }}"),
        ("fromJson", "{{ $x := fromJson $s }}"),
        (
            "semverCompare",
            "{{ $x := semverCompare \">1\" \"1.0.0\" }}{{ $x := len $s }}",
        ),
        ("tpl", "{{ $x := tpl (substr 0 400000 $s) . }}"),
        ("trim", "{{ $x := trim $s }}"),
    ];
    for (name, body) in cases {
        let text = format!("{big}{{{{ range 10000000 }}}}{body}{{{{ end }}}}\n");
        refused(name, &text, &[STEPS]);
    }
}

#[test]
fn quadratic_and_compiling_work_is_charged() {
    // uniq compares each element with those kept; a fresh pattern each
    // time compiles each time.
    refused(
        "uniq",
        "{{ $l := list }}{{ range until 300000 }}{{ $l = append $l . }}{{ end }}{{ $u := uniq $l }}\n",
        &[STEPS],
    );
    refused(
        "regex compile",
        "{{ $p := repeat 3000 \"(a|b)\" }}{{ range $i := 10000000 }}{{ $x := regexMatch (print $p $i) \"x\" }}{{ end }}\n",
        &[STEPS],
    );
}

#[test]
fn a_value_past_the_output_cap_is_an_error_naming_the_flag() {
    // Doubling a string reached 2 GB and aborted.
    refused(
        "print doubling",
        "{{ $s := \"x\" }}{{ range until 100 }}{{ $s = print $s $s }}{{ end }}\n",
        &[
            "c/templates/a.yaml:1:44: ",
            "print made a value of 134217728 bytes, more than the output limit of 104857600 bytes (limit",
            "--max-output",
        ],
    );
    refused(
        "concat doubling",
        "{{ $l := list 1 }}{{ range until 100 }}{{ $l = concat $l $l }}{{ end }}\n",
        &["concat made a value of ", "--max-output"],
    );
    // include and tpl recursion with an argument that doubles each level.
    refused(
        "include doubling",
        "{{- define \"r\" }}{{ include \"r\" (print . .) }}{{ end }}{{ include \"r\" \"x\" }}\n",
        &["print made a value of ", "--max-output"],
    );
    refused(
        "tpl doubling",
        "{{- define \"g\" }}{{ $s := print . . }}{{ tpl \"{{ include \\\"g\\\" . }}\" $s }}{{ end }}{{ include \"g\" \"x\" }}\n",
        &["print made a value of ", "--max-output"],
    );
}

#[test]
fn deep_and_self_containing_values_fail_cleanly() {
    // Each overflowed the stack (abort). Go's printer and encoders recurse
    // too: Helm dies of a stack overflow on a map that contains itself.
    // Two equal values $d and $e, apart: a map holding itself twice, and
    // maps nested 100 000 deep.
    let selfish = "{{- $d := dict }}{{ $_ := set $d \"a\" $d }}{{ $_ := set $d \"b\" $d }}\
                   {{ $e := dict }}{{ $_ := set $e \"a\" $e }}{{ $_ := set $e \"b\" $e }}";
    let nested = "{{- $d := dict }}{{ range until 100000 }}{{ $d = dict \"a\" $d }}{{ end }}\
                  {{ $e := dict }}{{ range until 100000 }}{{ $e = dict \"a\" $e }}{{ end }}";
    let uses = [
        "{{ $d }}",
        "{{ print $d }}",
        "{{ printf \"%v\" $d }}",
        "{{ toYaml $d }}",
        "{{ toJson $d }}",
        "{{ toPrettyJson $d }}",
        "{{ deepEqual $d $e }}",
        "{{ $x := list $d }}{{ has $e $x }}",
        "{{ $x := list $d }}{{ without $x $e }}",
        "{{ uniq (list $d $e) }}",
        "{{ $x := deepCopy $d }}{{ $x }}",
        "{{ $x := merge (dict) $d }}{{ $x }}",
        "{{ $x := mergeOverwrite (dict) $d }}{{ $x }}",
        "{{ keys $d }}{{ print $d }}",
        "{{ define \"t\" }}{{ . }}{{ end }}{{ include \"t\" $d }}",
    ];
    for (what, make) in [("self", selfish), ("nested", nested)] {
        for u in uses {
            let text = format!("{make}{u}\n");
            let r = refused(&format!("{what} {u}"), &text, &[DEEP]);
            assert!(r.stderr.len() < 1000, "{what} {u}: {}", r.stderr);
        }
    }
    refused(
        "set $ x $",
        "{{ $_ := set $ \"x\" $ }}{{ toYaml $ }}\n",
        &[DEEP],
    );
    // Lists hold their elements whole: nesting them is refused as it is made.
    refused(
        "nested lists",
        "{{ $l := list }}{{ range until 1000000 }}{{ $l = list $l }}{{ end }}\n",
        &["c/templates/a.yaml:1:", DEEP],
    );
    refused(
        "lists of maps",
        "{{ $l := list }}{{ range until 100000 }}{{ $l = list (dict \"a\" $l) }}{{ end }}{{ $l }}\n",
        &[DEEP],
    );
}

#[test]
fn deep_values_that_are_never_walked_render_and_drop() {
    // Helm renders these: nothing walks the value. Dropping a million
    // nested maps must not overflow the stack either.
    let out = renders(
        "nested dicts",
        "{{- $d := dict }}{{ range until 1000000 }}{{ $d = dict \"a\" $d }}{{ end }}x: {{ len $d }}\n",
    );
    assert!(out.contains("x: 1\n"), "{out}");
    let out = renders(
        "self map",
        "{{- $d := dict }}{{ $_ := set $d \"a\" $d }}x: {{ len $d }}\n",
    );
    assert!(out.contains("x: 1\n"), "{out}");
    // Values as deep as YAML allows (1000 levels) still print and compare.
    let deep = "{{- $d := dict }}{{ range until 999 }}{{ $d = dict \"a\" $d }}{{ end }}";
    let out = renders(
        "999 levels",
        &format!(
            "{deep}x: {{{{ deepEqual $d (deepCopy $d) }}}}\ny: {{{{ print $d | len }}}}\nz: {{{{ printf \"%v\" $d | len }}}}\n"
        ),
    );
    assert!(out.contains("x: true\ny: 6998\nz: 6998\n"), "{out}");
    let out = renders(
        "a million nested lists of maps",
        "{{- $l := list }}{{ range until 1000000 }}{{ $l = list (dict \"a\" $l) }}{{ end }}x: {{ len $l }}\n",
    );
    assert!(out.contains("x: 1\n"), "{out}");
}

/// Cutting multi-byte text and Go's `fmt` width and precision limits, as
/// Helm 4.2.3 prints them (helm-oracle, recorded here): `substr` and
/// `trunc` cut bytes, and the cut string keeps its bytes through `b64enc`,
/// `len`, `quote`, `sha256sum`, `eq` and `cat`, while `toJson`, `toYaml` and
/// `upper` see U+FFFD; a width or precision past a million before its last
/// digit ends the directive (`%!(NOVERB)`), one past a million through `*`
/// is `%!(BADWIDTH)`/`%!(BADPREC)`, and precisions beyond the float's exact
/// digits pad with zeros (chartfix panicked past 65 535).
#[test]
fn cut_bytes_and_fmt_limits_as_helm() {
    let out = renders("item 6", TEXT_CASES);
    let want = format!("---\n# Source: c/templates/a.yaml\n{HELM_TEXT_CASES}");
    for (got, want) in out.lines().zip(want.lines()) {
        assert_eq!(got, want);
    }
    assert_eq!(out, want);
}

const TEXT_CASES: &str = r#"a: {{ substr 0 1 "é" | b64enc }}
b: {{ substr 1 2 "é" | b64enc }}
c: {{ substr 0 3 "aéb" | b64enc }}
d: {{ trunc 1 "éa" | b64enc }}
e: {{ trunc -1 "aé" | b64enc }}
f: {{ trunc -2 "aé" | b64enc }}
g: {{ trunc -3 "aé" | b64enc }}
h: {{ substr 0 1 "é" | len }}
i: {{ substr 0 1 "é" | quote }}
j: {{ substr 0 1 "é" | toJson }}
k: {{ substr 0 1 "é" | upper | b64enc }}
l: {{ trunc 2 "日本" | b64enc }}
m: {{ substr -1 1 "é" | b64enc }}
n: {{ substr 1 -1 "aé" | b64enc }}
o: {{ trunc 10 "é" | b64enc }}
p: {{ trunc -10 "é" | b64enc }}
q: {{ substr 0 1 "é" | printf "%q|%x|%s" | b64enc }}
r: {{ dict "k" (substr 0 1 "é") | toYaml | b64enc }}
s: {{ substr 0 1 "é" | cat "a" | b64enc }}
u: {{ substr 0 1 "é" | sha256sum }}
v: {{ eq (substr 0 1 "é") (trunc 1 "é") }}
x: {{ cat (substr 0 1 "é") (substr 1 2 "é") }}
w1: {{ printf "%1000000s" "x" | len }}
w2: {{ printf "%1000001s" "x" | len }}
w3: {{ printf "%99999999999s" "x" | quote }}
w4: {{ printf "%10000000s|" "x" | len }}
w5: {{ printf "%100000000s|" "x" | quote }}
w6: {{ printf "%*s|" 1000001 "x" | quote }}
w7: {{ printf "%*s|" 1000000 "x" | len }}
w8: {{ printf "%*d|" -1000001 5 | quote }}
w9: {{ printf "%-1000001d|" 5 | len }}
w10: {{ printf "%12345678901234567890d|" 5 | quote }}
w11: {{ printf "%1000001v|" (list 1 2) | len }}
p1: {{ printf "%.1000001s|" "x" | quote }}
p2: {{ printf "%.100000000s|" "x" | quote }}
p3: {{ printf "%.*s|" 1000001 "x" | quote }}
p4: {{ printf "%.*d|" 1000000 5 | len }}
p5: {{ printf "%.1000001d|" 5 | len }}
p6: {{ printf "%.1000000f|" 1.5 | len }}
p7: {{ printf "%.70000e|" 1.5 | len }}
p8: {{ printf "%.70000g|" 1.5 | len }}
p9: {{ printf "%.70000x|" 1.5 | len }}
p10: {{ printf "%#.2000g|" 1.5 | len }}
p11: {{ printf "%.2000g|" 0.1 }}
p12: {{ printf "%.1000000f|" 0.1 | trunc 40 }}
p13: {{ printf "%.1000000e|" 1e300 | trunc -8 }}
"#;

const HELM_TEXT_CASES: &str = r#"a: ww==
b: qQ==
c: YcOp
d: ww==
e: qQ==
f: w6k=
g: YcOp
h: 1
i: "\xc3"
j: "\ufffd"
k: 77+9
l: 5pc=
m: ww==
n: w6k=
o: w6k=
p: w6k=
q: Ilx4YzMifCUheChNSVNTSU5HKXwlIXMoTUlTU0lORyk=
r: azog77+9
s: YSDD
u: ae3f4619b0413d70d3004b9131c3752153074e45725be13b9a148978895e359e
v: true
x: � �
w1: 1000000
w2: 1000001
w3: "%!(NOVERB)%!(EXTRA string=x)"
w4: 10000001
w5: "%!(NOVERB)%!(EXTRA string=x)"
w6: "%!(BADWIDTH)x|"
w7: 1000001
w8: "%!(BADWIDTH)5|"
w9: 1000002
w10: "%!(NOVERB)%!(EXTRA int=5)"
w11: 2000006
p1: "x|"
p2: "%!(NOVERB)%!(EXTRA string=x)"
p3: "%!(BADPREC)x|"
p4: 1000001
p5: 1000002
p6: 1000003
p7: 70007
p8: 4
p9: 70009
p10: 2002
p11: 0.1000000000000000055511151231257827021181583404541015625|
p12: 0.10000000000000000555111512312578270211
p13: 00e+300|
"#;

#[test]
fn key_generation_in_a_loop_stops() {
    // RSA and DSA keys draw on the work budget (unit tests in
    // src/engine/tests.rs; one RSA-4096 key takes seconds, so a test that
    // spends the budget would too). EC and Ed25519 keys take a millisecond
    // each: charged as steps, a loop of millions stops within seconds.
    for kind in ["ecdsa", "ed25519"] {
        refused(
            kind,
            &format!(
                "{{{{ range 100000000 }}}}{{{{ $k := genPrivateKey \"{kind}\" }}}}{{{{ end }}}}\n"
            ),
            &[STEPS],
        );
    }
}
