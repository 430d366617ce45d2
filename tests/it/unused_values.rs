//! User values no template reads (issue 16): every route a template takes to
//! a value counts as a read, the unread ones are named with where they were
//! written, and no value is named that changes the output when removed.

use crate::support::{chartfix, shared_path};
use chartfix::release::{self, ChartSource, Request, Sources};
use chartfix::render::output::{stream, OutputOptions};
use chartfix::value::Value;
use std::path::Path;

/// Renders `chart` in-process with `user` values; the output and the paths
/// reported as never read.
fn render(chart: &Path, user: &Value) -> Result<(String, Vec<Vec<String>>), String> {
    let mut request = Request::new(ChartSource::Path(chart.to_path_buf()), "rel", "default");
    request.values = user.as_map().map(|m| (*m).clone()).unwrap_or_default();
    request.options.track_reads = true;
    let options = chartfix::source::Options::default();
    let r = release::render(request, &Sources::lazy(&options), &mut |_| {})
        .map_err(|e| e.to_string())?;
    let text = stream(&r.rendered, &OutputOptions::default())?;
    let unused = r.unused.iter().map(|u| u.path.clone()).collect();
    Ok((text, unused))
}

fn yaml(text: &str) -> Value {
    chartfix::yaml::from_str(text).expect("test YAML")
}

fn dotted(paths: &[Vec<String>]) -> Vec<String> {
    paths
        .iter()
        .map(|p| chartfix::values::unused::dotted(p))
        .collect()
}

/// A copy of `values` without the leaf at `path` (keys).
fn without_keys(values: &Value, keys: &[String]) -> Value {
    let copy = chartfix::values::deep_copy(values);
    let mut cur = copy.clone();
    for k in &keys[..keys.len() - 1] {
        cur = cur.get(k);
    }
    let removed = cur.as_map().and_then(|m| m.remove(&keys[keys.len() - 1]));
    assert!(removed.is_some(), "{keys:?} is not in the values");
    copy
}

/// [`without_keys`] for a dotted path of plain keys.
fn without(values: &Value, path: &str) -> Value {
    let keys: Vec<String> = path.split('.').map(String::from).collect();
    without_keys(values, &keys)
}

/// Whether two renders are the same, lines that differ between two renders
/// of the same input (generated passwords, certificates) left out.
fn same_output(a: &str, again: &str, b: &str) -> bool {
    let (a, again, b): (Vec<&str>, Vec<&str>, Vec<&str>) = (
        a.lines().collect(),
        again.lines().collect(),
        b.lines().collect(),
    );
    if a.len() != b.len() {
        return false;
    }
    let random = |i: usize| again.get(i) != a.get(i);
    (0..a.len()).all(|i| a[i] == b[i] || random(i))
}

fn write_chart(dir: &Path, name: &str, defaults: &str, templates: &[(&str, &str)]) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), defaults).unwrap();
    for (file, text) in templates {
        std::fs::write(dir.join("templates").join(file), text).unwrap();
    }
}

/// One route each: the template reads `v.read` (or what is under it) only
/// that way; `v.unread` is never read. Each route gives the chart's default
/// under `v` and the user's `read`, which differs from it, so reading it shows.
const ROUTES: &[(&str, &str, &str, &str)] = &[
    ("field", "read: a", "read: b", "x: {{ .Values.v.read }}"),
    (
        "index",
        "read: a",
        "read: b",
        "x: {{ index .Values \"v\" \"read\" }}",
    ),
    (
        "get",
        "read: a",
        "read: b",
        "x: {{ get .Values.v \"read\" }}",
    ),
    (
        "hasKey",
        "unread2: a",
        "read: b",
        "x: {{ hasKey .Values.v \"read\" }}",
    ),
    (
        "dig",
        "read: a",
        "read: b",
        "x: {{ dig \"read\" \"none\" .Values.v }}",
    ),
    (
        "pluck",
        "read: a",
        "read: b",
        "x: {{ pluck \"read\" .Values.v (dict) | first }}",
    ),
    (
        "pick",
        "read: a",
        "read: b",
        "x: {{ pick .Values.v \"read\" | toJson }}",
    ),
    (
        "omit",
        "read: a",
        "read: b",
        "x: {{ omit .Values.v \"unread\" | toJson }}",
    ),
    (
        "keys",
        "read: {a: 1}",
        "read: {b: 1}",
        "x: {{ keys .Values.v.read | sortAlpha | join \",\" }}",
    ),
    (
        "values",
        "read: {a: 1}",
        "read: {a: 2}",
        "x: {{ values .Values.v.read | toJson | quote }}",
    ),
    (
        "range-map",
        "read: {a: 1}",
        "read: {a: 2}",
        "x: '{{ range $k, $x := .Values.v.read }}{{ $k }}={{ $x }}{{ end }}'",
    ),
    (
        "range-list",
        "read: [1, 2]",
        "read: [3]",
        "x: '{{ range .Values.v.read }}{{ . }}{{ end }}'",
    ),
    (
        "toYaml",
        "read: {a: {b: 1}}",
        "read: {a: {b: 2}}",
        "x: {{ toYaml .Values.v.read | quote }}",
    ),
    (
        "toJson",
        "read: {a: {b: 1}}",
        "read: {a: {b: 2}}",
        "x: {{ toJson .Values.v.read | quote }}",
    ),
    (
        "tpl",
        "read: '{{ .Release.Name }}'",
        "read: '{{ .Release.Namespace }}'",
        "x: {{ tpl .Values.v.read . }}",
    ),
    (
        "include",
        "read: {a: 1}",
        "read: {a: 2}",
        "{{- define \"t\" }}{{ .a }}{{ end -}}\nx: {{ include \"t\" .Values.v.read }}",
    ),
    (
        "default",
        "read: a",
        "read: b",
        "x: {{ default \"d\" .Values.v.read }}",
    ),
    (
        "coalesce",
        "read: a",
        "read: b",
        "x: {{ coalesce .Values.v.nothing .Values.v.read }}",
    ),
    (
        "ternary",
        "read: a",
        "read: b",
        "x: {{ ternary .Values.v.read \"no\" true }}",
    ),
    (
        "root",
        "read: a",
        "read: b",
        "x: {{ range list 1 }}{{ $.Values.v.read }}{{ end }}",
    ),
    (
        "variable",
        "read: {a: 1}",
        "read: {a: 2}",
        "{{- $v := .Values.v.read }}x: {{ $v.a }}",
    ),
    (
        "set",
        "read: a",
        "read: b",
        "{{- $_ := set .Values.v \"added\" 1 }}x: {{ .Values.v.read }}-{{ .Values.v.added }}",
    ),
    (
        "unset",
        "read: a",
        "read: b",
        "{{- $_ := unset .Values.v \"unread\" }}x: {{ .Values.v.read }}",
    ),
    (
        "merge",
        "read: {a: 1}",
        "read: {a: 2}",
        "{{- $m := merge (dict) .Values.v.read }}x: {{ $m.a }}",
    ),
    (
        "dynamic",
        "read: a",
        "read: b",
        "x: {{ range $k := list \"re\" }}{{ index $.Values.v (printf \"%sad\" $k) }}{{ end }}",
    ),
];

#[test]
fn every_route_reads_and_only_the_unread_value_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    for (route, default, read, template) in ROUTES {
        let dir = tmp.path().join(route);
        let defaults = format!("v:\n  {default}\n  unread: default\n");
        write_chart(&dir, "route", &defaults, &[("x.yaml", template)]);
        let user = yaml(&format!("v:\n  {read}\n  unread: mine\n"));
        let (out, unused) = render(&dir, &user).unwrap_or_else(|e| panic!("{route}: {e}"));
        assert_eq!(dotted(&unused), vec!["v.unread"], "{route}: {out}");
        let (again, _) = render(&dir, &user).unwrap();
        let (no_unread, _) = render(&dir, &without(&user, "v.unread")).unwrap();
        assert!(
            same_output(&out, &again, &no_unread),
            "{route}: removing v.unread changed the output"
        );
        let (no_read, _) = render(&dir, &without(&user, "v.read")).unwrap();
        assert_ne!(out, no_read, "{route}: the route does not read v.read");
    }
}

#[test]
fn subcharts_aliases_conditions_and_globals() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("parent");
    write_chart(
        &parent,
        "parent",
        "own: 1\n",
        &[("p.yaml", "own: {{ .Values.own }}\n")],
    );
    std::fs::write(
        parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n    alias: al\n    condition: al.enabled\n  - name: extra\n    version: 0.1.0\n    condition: extra.enabled\n    tags: [extras]\n",
    )
    .unwrap();
    write_chart(
        &parent.join("charts/sub"),
        "sub",
        "enabled: true\nread: a\nunread: a\n",
        &[("s.yaml", "sub: {{ .Values.read }} {{ .Values.global.g }}\n")],
    );
    write_chart(
        &parent.join("charts/extra"),
        "extra",
        "enabled: false\nread: a\n",
        &[("o.yaml", "extra: {{ .Values.read }}\n")],
    );
    let user = yaml(
        "own: 2\nal:\n  enabled: true\n  read: b\n  unread: b\nextra:\n  enabled: false\n  read: b\ntags:\n  extras: false\nglobal:\n  g: x\n  unread: y\n",
    );
    let (out, unused) = render(&parent, &user).unwrap();
    let mut unused = dotted(&unused);
    unused.sort();
    // The condition and tag are Helm's reads; a disabled subchart's values
    // are read by nothing.
    assert_eq!(
        unused,
        vec!["al.unread", "extra.read", "global.unread"],
        "{out}"
    );
    assert!(out.contains("sub: b x"), "{out}");
}

#[test]
fn the_cli_names_the_place_and_the_key_meant_and_error_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("c");
    write_chart(
        &chart,
        "c",
        "primary:\n  persistence:\n    size: 8Gi\n",
        &[("pvc.yaml", "size: {{ .Values.primary.persistence.size }}\n")],
    );
    let values = tmp.path().join("v.yaml");
    std::fs::write(&values, "persistence:\n  size: 1Gi\n").unwrap();
    let run = |mode: &str| {
        chartfix()
            .args([
                "template",
                chart.to_str().unwrap(),
                "-f",
                values.to_str().unwrap(),
            ])
            .args([
                "--set",
                "primary.persistence.sise=2Gi",
                "--unused-values",
                mode,
            ])
            .output()
            .unwrap()
    };
    let off = run("off");
    assert!(off.status.success());
    assert!(
        off.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&off.stderr)
    );
    let warn = run("warn");
    assert!(warn.status.success());
    assert_eq!(warn.stdout, off.stdout);
    let err = String::from_utf8_lossy(&warn.stderr);
    let file = values.display();
    assert!(
        err.contains(&format!(
            "persistence.size ({file}:2:3) is never read; the chart reads primary.persistence.size"
        )),
        "{err}"
    );
    assert!(
        err.contains("primary.persistence.sise (--set primary.persistence.sise) is never read; the chart reads primary.persistence.size"),
        "{err}"
    );
    assert!(!err.contains("2Gi"), "a flag's value is never shown: {err}");
    let error = run("error");
    assert_eq!(error.status.code(), Some(1));
    assert_eq!(error.stdout, off.stdout);
    let bad = run("sometimes");
    assert_eq!(bad.status.code(), Some(2));
}

/// Every value the corpus charts report as never read under the variants'
/// values files renders the same output when removed: no false alarm.
#[test]
fn no_false_alarm_on_the_corpus_under_the_variants() {
    let Some(charts) = shared_path("corpus/charts") else {
        return;
    };
    let variants = crate::support::project().join("tests/variants");
    let mut archives: Vec<_> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect();
    archives.sort();
    let mut files: Vec<_> = std::fs::read_dir(&variants)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut reported, mut cases) = (0, 0);
    for archive in &archives {
        for file in &files {
            let user = yaml(&std::fs::read_to_string(file).unwrap());
            let Ok((out, unused)) = render(archive, &user) else {
                continue; // Helm fails on this one too (the variants record it)
            };
            cases += 1;
            if unused.is_empty() {
                continue;
            }
            let (again, _) = render(archive, &user).unwrap();
            for path in &unused {
                let (removed, _) = render(archive, &without_keys(&user, path)).unwrap();
                assert!(
                    same_output(&out, &again, &removed),
                    "{} with {}: {path:?} is reported unread, but removing it changes the output",
                    archive.display(),
                    file.display()
                );
            }
            reported += unused.len();
        }
    }
    assert!(cases > 50, "only {cases} cases rendered");
    assert!(
        reported > 0,
        "nothing reported: the check would prove nothing"
    );
    eprintln!("{cases} cases, {reported} unread values, each removed with the same output");
}
