//! End-to-end tests of the engine: template text in, output or Helm's error out.
//! Expectations were recorded with helm-oracle (Helm 4.2.3) on probe charts.

use super::*;

fn data(yaml_like: &[(&str, Value)]) -> Value {
    let m = Map::new();
    for (k, v) in yaml_like {
        m.insert(*k, v.clone());
    }
    Value::map(m)
}

fn render(src: &str, dot: &Value) -> Result<String, String> {
    let mut e = Engine::new();
    e.add("p/t.yaml", src).map_err(|e| e.to_string())?;
    e.render("p/t.yaml", dot).map_err(|e| e.to_string())
}

fn ok(src: &str) -> String {
    render(src, &values()).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn err(src: &str) -> String {
    render(src, &values()).expect_err(src)
}

fn values() -> Value {
    let list = Value::list(vec![Value::from("a"), Value::from("b")]);
    let inner = data(&[("k", Value::from("v")), ("n", Value::Float(3.0))]);
    let vals = data(&[
        ("list", list),
        ("m", inner),
        ("s", Value::from("str")),
        ("f", Value::Float(1000000.0)),
        ("t", Value::Bool(true)),
        ("empty", Value::from("")),
    ]);
    data(&[("Values", vals)])
}

#[test]
fn text_fields_and_trim() {
    assert_eq!(ok("a {{- .Values.s -}} b"), "astrb");
    assert_eq!(
        ok("{{ .Values.f }}|{{ .Values.m.n }}|{{ .Values.m }}"),
        "1e+06|3|map[k:v n:3]"
    );
    assert_eq!(ok("x{{ .Values.nope }}y"), "xy");
    assert_eq!(ok("{{/* c */}}a{{- /* c */ -}}  b"), "ab");
    assert_eq!(
        ok("{{ \"q\\t\" }}{{ `r\\n` }}{{ 'a' }}{{ 0x10 }}{{ 1_000 }}{{ 1.5 }}{{ 1e3 }}"),
        "q\tr\\n97161000\u{31}.51000"
    );
}

#[test]
fn variables_and_scopes() {
    assert_eq!(
        ok("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}"),
        "2"
    );
    assert_eq!(ok("{{ $x := .Values.nope }}[{{ $x.y }}]"), "[]");
    assert_eq!(ok("[{{ (.Values.nope).y }}]"), "[]");
    assert_eq!(
        ok("{{ with .Values.m }}{{ .k }}{{ $.Values.s }}{{ end }}"),
        "vstr"
    );
}

#[test]
fn control_flow() {
    assert_eq!(
        ok("{{ if .Values.empty }}a{{ else if .Values.t }}b{{ else }}c{{ end }}"),
        "b"
    );
    assert_eq!(
        ok("{{ with .Values.nope }}a{{ else with .Values.s }}{{ . }}{{ end }}"),
        "str"
    );
    assert_eq!(
        ok("{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}"),
        "0=a;1=b;"
    );
    assert_eq!(
        ok("{{ range $k, $v := .Values.m }}{{ $k }}:{{ $v }} {{ end }}"),
        "k:v n:3 "
    );
    assert_eq!(ok("{{ range 3 }}{{ . }}{{ end }}"), "012");
    assert_eq!(
        ok("{{ range .Values.nope }}x{{ else }}none{{ end }}"),
        "none"
    );
    assert_eq!(
        ok("{{ range .Values.list }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}"),
        "a"
    );
    assert_eq!(
        ok("{{ range .Values.list }}{{ if eq . \"a\" }}{{ continue }}{{ end }}{{ . }}{{ end }}"),
        "b"
    );
    assert_eq!(
        ok("{{ and 1 0 2 }}{{ or 0 \"\" 3 }}{{ and 1 2 }}{{ not 0 }}"),
        "03".to_string() + "2true"
    );
}

#[test]
fn define_template_include_block() {
    assert_eq!(
        ok("{{ define \"x\" }}<{{ . }}>{{ end }}{{ template \"x\" .Values.s }}"),
        "<str>"
    );
    assert_eq!(
        ok("{{ define \"x\" }}<{{ . }}>{{ end }}{{ include \"x\" 1 | printf \"%s!\" }}"),
        "<1>!"
    );
    assert_eq!(ok("{{ block \"b\" .Values.s }}[{{ . }}]{{ end }}"), "[str]");
    assert_eq!(
        ok("{{ define \"x\" }}{{ .y }}{{ end }}[{{ include \"x\" nil }}]"),
        "[]"
    );
    assert_eq!(ok("{{ tpl \"{{ .Values.s }}\" . }}"), "str");
}

#[test]
fn builtins() {
    assert_eq!(
        ok("{{ len .Values.list }}{{ index .Values.list 1 }}{{ index .Values.m \"k\" }}"),
        "2bv"
    );
    assert_eq!(ok("{{ print 1 2 \"a\" 3 }}|{{ println 1 }}"), "1 2a3|1\n");
    assert_eq!(
        ok("{{ lt 1 2 }}{{ ge \"b\" \"a\" }}{{ ne 1 2 }}"),
        "truetruetrue"
    );
    assert_eq!(ok("{{ .Values.s | printf \"%s\" }}"), "str");
}

#[test]
fn exec_errors_read_as_helm_prints_them() {
    assert_eq!(
        err("a: {{ .Values.x.y }}"),
        "p/t.yaml:1:13\n  executing \"p/t.yaml\" at <.Values.x.y>:\n    nil pointer evaluating interface {}.y"
    );
    assert_eq!(
        err("{{ required \"need x\" .Values.x }}"),
        "execution error at (p/t.yaml:1:3): need x"
    );
    assert_eq!(
        err("{{ fail \"boom\" }}"),
        "execution error at (p/t.yaml:1:3): boom"
    );
    assert_eq!(
        err("{{define \"t\"}}{{ fail \"deep\" }}{{end}}{{ include \"t\" . }}"),
        "execution error at (p/t.yaml:1:41): deep"
    );
    // A message of several lines, as Bitnami's validateValues fails (recorded
    // with helm-oracle).
    assert_eq!(
        err("{{define \"t\"}}{{ fail \"a\\nb\" }}{{end}}{{ include \"t\" . }}"),
        "execution error at (p/t.yaml:1:41): a\nb"
    );
    assert_eq!(
        err("{{ index 1 2 }}"),
        "template: p/t.yaml:1:3: executing \"p/t.yaml\" at <index 1 2>: error calling index: can't index item of type int"
    );
    assert_eq!(
        err("{{define \"t\"}}{{ .x.y }}{{end}}a: {{ include \"t\" .Values }}"),
        "p/t.yaml:1:37\n  executing \"p/t.yaml\" at <include \"t\" .Values>:\n    error calling include:\np/t.yaml:1:19\n  executing \"t\" at <.x.y>:\n    nil pointer evaluating interface {}.y"
    );
    assert_eq!(
        err("{{ include \"nope\" . }}"),
        "p/t.yaml:1:3\n  executing \"p/t.yaml\" at <include \"nope\" .>:\n    error calling include:\ntemplate: no template \"nope\" associated with template \"gotpl\""
    );
    assert_eq!(
        err("{{ template \"nope\" }}"),
        "p/t.yaml:1:12\n  executing \"p/t.yaml\" at <{{template \"nope\"}}>:\n    template \"nope\" not defined"
    );
    assert_eq!(
        err("{{ printf 1 }}"),
        "p/t.yaml:1:10\n  executing \"p/t.yaml\" at <1>:\n    expected string; found 1"
    );
    assert_eq!(
        err("{{ \"a\" | .Values.x }}"),
        "p/t.yaml:1:16\n  executing \"p/t.yaml\" at <.Values.x>:\n    x is not a method but has arguments"
    );
    assert_eq!(
        err("{{ 1 2 }}"),
        "p/t.yaml:1:3\n  executing \"p/t.yaml\" at <1>:\n    can't give argument to non-function 1"
    );
    assert_eq!(
        err("{{ $x := 1 }}{{ $x.y }}"),
        "p/t.yaml:1:18\n  executing \"p/t.yaml\" at <$x.y>:\n    can't evaluate field y in type int"
    );
    assert_eq!(
        err("{{ not }}"),
        "p/t.yaml:1:3\n  executing \"p/t.yaml\" at <not>:\n    wrong number of args for not: want 1 got 0"
    );
    assert_eq!(
        err("{{ range 1.5 }}x{{ end }}"),
        "p/t.yaml:1:9\n  executing \"p/t.yaml\" at <1.5>:\n    range can't iterate over 1.5"
    );
    assert_eq!(
        err("{{ tpl \"{{ .Values.nope.x }}\" . }}"),
        "template: p/t.yaml:1:3: executing \"p/t.yaml\" at <tpl \"{{ .Values.nope.x }}\" .>: error calling tpl: error during tpl function execution for \"{{ .Values.nope.x }}\": template: gotpl:1:10: executing \"gotpl\" at <.Values.nope.x>: nil pointer evaluating interface {}.x"
    );
    assert_eq!(
        err("{{ tpl \"{{ foo }}\" . }}"),
        "template: p/t.yaml:1:3: executing \"p/t.yaml\" at <tpl \"{{ foo }}\" .>: error calling tpl: cannot parse template \"{{ foo }}\": template: gotpl:1: function \"foo\" not defined"
    );
}

#[test]
fn recursion_is_bounded() {
    // Byte for byte what helm-oracle printed: 1001 nested frames, then Helm's error.
    let e = err("{{define \"t\"}}{{ include \"t\" . }}{{end}}{{ include \"t\" . }}");
    let mut want = "template: p/t.yaml:1:43: executing \"p/t.yaml\" at <include \"t\" .>: error calling include: ".to_string();
    for _ in 0..1001 {
        want.push_str("template: p/t.yaml:1:17: executing \"t\" at <include \"t\" .>: error calling include: ");
    }
    want.push_str("rendering template has a nested reference name: t: unable to execute template");
    assert!(e == want, "{}", &e[e.len().saturating_sub(300)..]);
    let e = err("{{define \"t\"}}{{ template \"t\" . }}{{end}}{{ template \"t\" . }}");
    assert!(e.contains("exceeded maximum template depth"), "{e}");
}

#[test]
fn engine_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Engine>();
}

/// The conformance corpus, where it is present (CI has it next to the project).
fn corpus_charts() -> Option<Vec<std::path::PathBuf>> {
    for base in ["../shared/corpus/charts", "../../shared/corpus/charts"] {
        if let Ok(dir) = std::fs::read_dir(base) {
            let mut charts: Vec<_> = dir.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            charts.sort();
            return Some(charts);
        }
    }
    eprintln!("corpus not found next to the project: skipping");
    None
}

/// Every template file (path, text) of the corpus charts, where the corpus
/// is present.
pub(super) fn corpus_templates() -> Option<Vec<(String, String)>> {
    let mut files = Vec::new();
    for chart in corpus_charts()? {
        if let Ok(bytes) = std::fs::read(&chart) {
            archive_templates(&bytes, &mut files);
        }
    }
    Some(files)
}

/// Every template file in a chart archive, nested archives included.
fn archive_templates(bytes: &[u8], out: &mut Vec<(String, String)>) {
    use std::io::Read;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let Ok(entries) = archive.entries() else {
        return;
    };
    for entry in entries.flatten() {
        let mut entry = entry;
        let path = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut data = Vec::new();
        if entry.read_to_end(&mut data).is_err() {
            continue;
        }
        if path.ends_with(".tgz") {
            archive_templates(&data, out);
        } else if path.contains("/templates/") {
            if let Ok(text) = String::from_utf8(data) {
                out.push((path, text));
            }
        }
    }
}

#[test]
fn corpus_templates_parse() {
    let Some(files) = corpus_templates() else {
        return;
    };
    for (path, text) in &files {
        if let Err(e) = parser::parse_with(path, text, false) {
            panic!("{path}: {e}");
        }
    }
    assert!(files.len() > 100, "only {} templates found", files.len());
}

/// A development aid, not a check: renders every `*.tpl` in `$CHARTFIX_PROBE_DIR`
/// with `.Values` from its `values.json`, writing `NAME.mine` next to it for
/// comparison with what helm-oracle prints for the same probe.
#[test]
#[ignore]
fn oracle_probe() {
    let Ok(dir) = std::env::var("CHARTFIX_PROBE_DIR") else {
        return;
    };
    let values = std::fs::read_to_string(format!("{dir}/values.json")).unwrap_or("{}".into());
    let values = Value::from_json(&serde_json::from_str(&values).unwrap_or_default());
    let tmpl = data(&[
        ("Name", Value::from("probe/templates/x.yaml")),
        ("BasePath", Value::from("probe/templates")),
    ]);
    let dot = data(&[("Values", values), ("Template", tmpl)]);
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("tpl") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let mut e = Engine::new();
        let out = e
            .add("probe/templates/x.yaml", &src)
            .and_then(|_| e.render("probe/templates/x.yaml", &dot))
            .map(|s| if s.ends_with('\n') { s } else { s + "\n" })
            .unwrap_or_else(|e| format!("Error: {e}\n"));
        std::fs::write(path.with_extension("mine"), out).unwrap();
    }
}

#[test]
fn every_prefix_of_a_template_parses_or_fails_cleanly() {
    // Truncations hit every "unexpected EOF"/unclosed path of the lexer and parser;
    // none may hang or panic.
    let src = "a {{- /* c */ -}} {{ $x := (index .m \"k\").y | printf \"%d\" 1.5 'c' }}\
               {{ range $i, $v := .l }}{{ if eq $i 0 }}{{ break }}{{ else if $v }}{{ continue }}{{ end }}{{ end }}\
               {{ define \"d\" }}{{ with $.x }}{{ template \"d\" . }}{{ else with 2 }}{{ end }}{{ end }}\
               {{ block \"b\" . }}`raw`{{ end }}{{ ( .a ) }} {{ .a ) }} {{ % }} {{ 0x1p4 }} -}}";
    let dot = values();
    for end in 0..=src.len() {
        if let Some(prefix) = src.get(..end) {
            let mut e = Engine::new();
            if e.add("p", prefix).is_ok() {
                let _ = e.render("p", &dot);
            }
        }
    }
}

/// A Go struct with a field and methods, as Helm's `.Files` or a semver version.
struct Obj;

impl Object for Obj {
    fn type_name(&self) -> &str {
        "*probe.Obj"
    }
    fn field(&self, name: &str) -> Option<Value> {
        (name == "Name").then(|| Value::from("obj"))
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match name {
            "Get" => Some(Ok(Value::from(format!(
                "got {}",
                args.first().cloned().unwrap_or_default()
            )))),
            "Major" => Some(Ok(Value::Int(1))),
            "Fail" => Some(Err("it failed".to_string())),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Get" || name == "Fail"
    }
    fn format(&self) -> String {
        "{obj}".to_string()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[test]
fn objects_have_fields_and_methods() {
    let dot = data(&[("o", Value::object(Obj))]);
    let r = |src: &str| render(src, &dot);
    assert_eq!(
        r("{{ .o.Name }} {{ .o.Get \"x\" }} {{ .o.Major }} {{ .o }} {{ \"y\" | .o.Get }}").unwrap(),
        "obj got x 1 {obj} got y"
    );
    assert_eq!(
        r("{{ .o.Nope }}").unwrap_err(),
        "p/t.yaml:1:5\n  executing \"p/t.yaml\" at <.o.Nope>:\n    can't evaluate field Nope in type *probe.Obj"
    );
    assert_eq!(
        r("{{ .o.Name 1 }}").unwrap_err(),
        "p/t.yaml:1:5\n  executing \"p/t.yaml\" at <.o.Name>:\n    Name has arguments but cannot be invoked as function"
    );
    assert_eq!(
        r("{{ .o.Fail }}").unwrap_err(),
        "template: p/t.yaml:1:5: executing \"p/t.yaml\" at <.o.Fail>: error calling Fail: it failed"
    );
}

/// The values of the oracle probes (`values.yaml` of the probe chart).
fn probe_values() -> Value {
    let m = data(&[
        ("k", Value::from("v")),
        ("num", Value::Float(2.0)),
        ("inner", data(&[("x", Value::from("why"))])),
    ]);
    let vals = data(&[
        ("s", Value::from("str")),
        ("num", Value::Float(3.0)),
        (
            "list",
            Value::list(vec![Value::from("a"), Value::from("b"), Value::from("c")]),
        ),
        ("m", m),
    ]);
    let tmpl = data(&[("Name", Value::from("probe/templates/x.yaml"))]);
    data(&[("Values", vals), ("Template", tmpl)])
}

#[test]
fn oracle_recorded_cases() {
    // (template, what `helm template` printed), recorded with helm-oracle.
    let cases: &[(&str, &str)] = &[
        ("# {{ .Values.s\n\n", "Error: parse error at (probe/templates/x.yaml:3): unclosed action started at probe/templates/x.yaml:1\n"),
        ("# {{ .Values.s\n \"abc }}", "Error: parse error at (probe/templates/x.yaml:2): unterminated quoted string in action started at probe/templates/x.yaml:1\n"),
        ("# {{ if .Values.s }}\nx\n", "Error: parse error at (probe/templates/x.yaml:3): unexpected EOF\n"),
        ("# {{ .Values.s | }}", "# str\n"),
        ("# {{ range $a, $b, $c := .Values.list }}{{ end }}", "Error: parse error at (probe/templates/x.yaml:1): too many declarations in range\n"),
        ("# {{ with $x := 1, 2 }}{{ end }}", "Error: parse error at (probe/templates/x.yaml:1): unexpected \",\" in operand\n"),
        ("# {{ template .Values.s }}", "Error: parse error at (probe/templates/x.yaml:1): unexpected \".Values\" in template clause\n"),
        ("# {{ define \"a\" }}{{ else }}{{ end }}", "Error: parse error at (probe/templates/x.yaml:1): unexpected {{else}} in define clause\n"),
        ("# {{ if 1 }}{{ else }}{{ else }}{{ end }}", "Error: parse error at (probe/templates/x.yaml:1): expected end; found {{else}}\n"),
        ("# {{ $x = 1 }}", "Error: probe/templates/x.yaml:1:10\n  executing \"probe/templates/x.yaml\" at <1>:\n    undefined variable: $x\n"),
        ("# {{ .Values.s.1 }}", "Error: parse error at (probe/templates/x.yaml:1): unexpected \".1\" in operand\n"),
        ("# {{ 1.x }}", "Error: parse error at (probe/templates/x.yaml:1): \"1.x\"\n"),
        ("# {{ \"a\".x }}", "Error: parse error at (probe/templates/x.yaml:1): unexpected . after term \"\\\"a\\\"\"\n"),
        ("# {{ nil.x }}", "Error: parse error at (probe/templates/x.yaml:1): unexpected . after term \"nil\"\n"),
        ("# {{ $.Values.list.0 }}", "Error: parse error at (probe/templates/x.yaml:1): unexpected \".0\" in operand\n"),
        ("# {{ (1).x }}", "Error: probe/templates/x.yaml:1:6\n  executing \"probe/templates/x.yaml\" at <1>:\n    can't evaluate field x in type int\n"),
        ("# \n\n{{ .Values.m.k.x }}", "Error: probe/templates/x.yaml:3:10\n  executing \"probe/templates/x.yaml\" at <.Values.m.k.x>:\n    can't evaluate field x in type interface {}\n"),
        ("# {{ range $i, $v := .Values.m }}{{ $i }}{{ end }} {{ range $v := .Values.m }}{{ $v }}{{ end }}", "# innerknum map[x:why]v2\n"),
        ("# {{ range $x := .Values.list }}{{ end }}{{ $x }}", "Error: parse error at (probe/templates/x.yaml:1): undefined variable \"$x\"\n"),
        ("# {{ define \"x\" }}{{ $y := 1 }}{{ end }}{{ $y }}", "Error: parse error at (probe/templates/x.yaml:1): undefined variable \"$y\"\n"),
    ];
    let dot = probe_values();
    for (src, want) in cases {
        let mut e = Engine::new();
        let got = e
            .add("probe/templates/x.yaml", src)
            .and_then(|_| e.render("probe/templates/x.yaml", &dot))
            .unwrap_or_else(|e| format!("Error: {e}"));
        assert_eq!(got.trim_end(), want.trim_end(), "{src}");
    }
}

#[test]
fn random_templates_never_panic_or_hang() {
    use rand::{rngs::StdRng, Rng, SeedableRng};
    // Fragments that combine into near-valid templates, and some that never parse.
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{-",
        "-}}",
        " ",
        "\n",
        ".",
        ".Values",
        ".m",
        ".k",
        "$",
        "$x",
        ":=",
        "=",
        "|",
        "(",
        ")",
        "\"s\"",
        "`r`",
        "'c'",
        "1",
        "-2",
        "0x1f",
        "1.5e3",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "break",
        "continue",
        "\"t\"",
        "include",
        "tpl",
        "and",
        "or",
        "not",
        "eq",
        "lt",
        "len",
        "index",
        "slice",
        "printf",
        "print",
        "nil",
        "true",
        ",",
        "/*",
        "*/",
        "é",
        "\\",
        "\"{{ . }}\"",
        "required",
        "fail",
        "call",
        "html",
        "%",
    ];
    let mut rng = StdRng::seed_from_u64(7);
    let dot = values();
    let limits = Limits {
        max_steps: 10_000,
        max_output_bytes: 1 << 20,
        ..Limits::default()
    };
    for _ in 0..20_000 {
        let n = rng.gen_range(1..40);
        let src: String = (0..n)
            .map(|_| PIECES[rng.gen_range(0..PIECES.len())])
            .collect();
        let mut e = Engine::new();
        e.set_limits(limits.clone());
        if e.add("p", &src).is_ok() {
            let _ = e.render("p", &dot);
        }
    }
}

#[test]
fn limits_stop_runaway_templates() {
    let run = |src: &str, limits: Limits| {
        let mut e = Engine::new();
        e.set_limits(limits);
        e.add("p", src).unwrap();
        e.render("p", &values()).unwrap_err()
    };
    let steps = Limits {
        max_steps: 1000,
        ..Limits::default()
    };
    let e = run("{{ range 100000 }}x{{ end }}", steps);
    assert_eq!(e.kind(), ErrorKind::Limit);
    let bytes = Limits {
        max_output_bytes: 1000,
        ..Limits::default()
    };
    let e = run("{{ range 100000 }}xxxxxxxxxx{{ end }}", bytes);
    assert_eq!(e.kind(), ErrorKind::Limit);
    let depth = Limits {
        max_include_depth: 5,
        ..Limits::default()
    };
    let e = run(
        "{{ define \"t\" }}{{ include \"t\" . }}{{ end }}{{ include \"t\" . }}",
        depth,
    );
    assert!(e
        .to_string()
        .ends_with("nested reference name: t: unable to execute template"));
}

/// Found timing slow inputs through the `template` fuzz target: a loop over
/// key generation or password hashing takes a few steps per call but seconds
/// of CPU each (`genPrivateKey "rsa"` is ~1 s here), so no step limit stopped `{{ range until 1000 }}{{ genPrivateKey "rsa" }}`.
#[test]
fn work_limit_stops_loops_over_key_generation_and_hashing() {
    let run = |src: &str, max_work: u64| {
        let mut e = Engine::new();
        e.set_limits(Limits {
            max_work,
            ..Limits::default()
        });
        e.add("p", src).unwrap();
        e.render("p", &values())
    };
    // Refused before the first key is made: the cost is charged up front.
    let e = run(
        "{{ range until 1000 }}{{ genPrivateKey \"rsa\" }}{{ end }}",
        super::funcs::work("genPrivateKey", &[Value::str("rsa")]) - 1,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert!(
        e.to_string().starts_with(
            "template: p:1:25: genPrivateKey: key generation and password hashing stopped"
        ),
        "{e}"
    );
    // Three hashes fit in three units, the fourth does not; inside an include
    // the limit still ends the whole render.
    let e = run(
        "{{ define \"h\" }}{{ htpasswd \"u\" \"p\" }}{{ end }}{{ range until 1000000 }}{{ include \"h\" . }}{{ end }}",
        3,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit, "{e}");
    // Cheap keys cost nothing, and the default leaves room for what charts do.
    assert!(run(
        "{{ range until 50 }}{{ genPrivateKey \"ed25519\" | len }}{{ end }}",
        0
    )
    .is_ok());
    assert!(Limits::default().max_work >= 10 * super::funcs::work("genCA", &[]));
}

/// The work budget is a chart's, not a template's: a loop in each of many
/// templates cannot multiply it; a new render of the chart starts afresh.
#[test]
fn work_budget_is_shared_by_the_renders_of_an_engine() {
    let mut e = Engine::new();
    e.set_limits(Limits {
        max_work: 3,
        ..Limits::default()
    });
    e.add(
        "a",
        "{{ htpasswd \"u\" \"p\" | len }}{{ bcrypt \"p\" | len }}",
    )
    .unwrap();
    assert!(e.render("a", &values()).is_ok());
    let err = e.render("a", &values()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit, "{err}");
    assert!(err.to_string().contains("a:1:31: bcrypt: "), "{err}");
    e.reset_work();
    assert!(e.render("a", &values()).is_ok());
}

/// Found timing slow inputs through the `template` fuzz target: each call is
/// one step, but `upper` of a 10 MB string is 10 MB of work, so a loop of
/// 100000 such calls ran for an hour well inside the step limit. What a function returns now counts against the steps.
#[test]
fn big_function_results_count_against_the_step_limit() {
    let run = |src: &str| {
        let mut e = Engine::new();
        e.set_limits(Limits {
            max_steps: 1_000_000,
            ..Limits::default()
        });
        e.add("p", src).unwrap();
        e.render("p", &values())
    };
    for src in [
        "{{ $x := repeat 1000000 \"a\" }}{{ range until 100000 }}{{ $y := upper $x }}{{ end }}",
        "{{ $x := until 100000 }}{{ range until 100000 }}{{ $y := $x | toJson }}{{ end }}",
        "{{ $x := repeat 1000000 \"a\" }}{{ range until 100000 }}{{ $y := printf \"%s\" $x }}{{ end }}",
    ] {
        let e = run(src).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit, "{src}: {e}");
        assert!(e.to_string().contains("steps (limit)"), "{src}: {e}");
    }
    // A chart-sized loop over toYaml of its values stays far inside.
    assert!(run("{{ range until 1000 }}{{ $y := toYaml $.Values }}{{ end }}").is_ok());
}
