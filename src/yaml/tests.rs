//! Expectations recorded from Helm 4.2.3 (`helm-oracle`): a values file read
//! by Helm and written back with `toYaml` (files under `testdata/`).

use super::*;
use crate::value::{Map, Value};

fn round_trip(src: &str) -> String {
    to_string(&from_str(src).expect("reads"))
}

#[test]
fn strings_quote_fold_and_escape_as_helm() {
    let src = include_str!("testdata/strings.yaml");
    let want = include_str!("testdata/strings.out");
    let got = round_trip(src);
    for (g, w) in got.lines().zip(want.lines()) {
        assert_eq!(g, w);
    }
    assert_eq!(got, format!("{want}\n"));
}

#[test]
fn keys_nesting_and_long_lines_as_helm() {
    let got = round_trip(include_str!("testdata/keys.yaml"));
    assert_eq!(got, format!("{}\n", include_str!("testdata/keys.out")));
}

#[test]
fn numbers_go_through_json() {
    let src = "x: [1, 1.5, 1e20, 1e19, 1e21, 0.000001, 12345678901234567890, -0.0, 0x1F, 0o17, 017, 0b101, 1_000]\ny: yes\non: 1\n";
    let want = "\"true\": 1\nx:\n- 1\n- 1.5\n- 1e+20\n- 10000000000000000000\n- 1e+21\n- 1e-06\n- 12345678901234567000\n- 0\n- 31\n- 15\n- 15\n- 5\n- 1000\n";
    assert_eq!(round_trip(src), want);
}

#[test]
fn scalars_and_empty_collections_at_the_root() {
    assert_eq!(to_string(&Value::str("foo")), "foo\n");
    assert_eq!(
        to_string(&Value::str("line1\nline2\n")),
        "|\n  line1\n  line2\n"
    );
    assert_eq!(to_string(&Value::str("keep\n\n")), "|+\n  keep\n\n");
    assert_eq!(to_string(&Value::Nil), "null\n");
    assert_eq!(to_string(&Value::map(Map::new())), "{}\n");
    assert_eq!(to_string(&Value::list(vec![])), "[]\n");
    assert_eq!(to_string(&Value::Float(3.5)), "3.5\n");
    assert_eq!(to_string(&Value::Bool(true)), "true\n");
    let nested = Value::list(vec![Value::list(vec![Value::list(vec![Value::Int(1)])])]);
    assert_eq!(to_string(&nested), "- - - 1\n");
    let m = Map::new();
    m.insert("k", Value::str("v"));
    m.insert("k2", Value::list(vec![]));
    let list = Value::list(vec![
        Value::Int(1),
        Value::str("x"),
        Value::list(vec![Value::Int(2), Value::Int(3)]),
        Value::map(m),
        Value::map(Map::new()),
    ]);
    assert_eq!(
        to_string(&list),
        "- 1\n- x\n- - 2\n  - 3\n- k: v\n  k2: []\n- {}\n"
    );
}

#[test]
fn non_finite_floats_fail_like_json_marshal() {
    assert_eq!(to_string(&Value::Float(f64::INFINITY)), "");
    let e = from_str("a: .inf\n").unwrap_err();
    assert_eq!(e.to_string(), "json: unsupported value: +Inf");
    // Overwritten before the JSON step: no error.
    assert!(from_str("a: .inf\na: 1\n").is_ok());
}

#[test]
fn reader_follows_yaml_11_and_sigs_keys() {
    let v = from_str("on: 1\ny: n\n1.1: a\n1e3: b\n0x10: c\nz: ~\nq: 'yes'\n").unwrap();
    let m = v.as_map().unwrap();
    assert_eq!(m.get("true"), Some(Value::Bool(false)));
    assert_eq!(m.get("1.1"), Some(Value::str("a")));
    assert_eq!(m.get("1000"), Some(Value::str("b")));
    assert_eq!(m.get("16"), Some(Value::str("c")));
    assert_eq!(m.get("z"), Some(Value::Nil));
    assert_eq!(m.get("q"), Some(Value::str("yes")));
    let typed = from_str_typed("a: 8080\nb: 1.5\n").unwrap();
    assert_eq!(typed.get("a"), Value::Int(8080));
    assert_eq!(typed.get("b"), Value::Float(1.5));
    assert_eq!(from_str("a: 8080").unwrap().get("a"), Value::Float(8080.0));
}

#[test]
fn only_the_first_document_counts() {
    let v = from_str("a: 1\n---\nb: 2\n").unwrap();
    assert_eq!(v.get("a"), Value::Float(1.0));
    assert_eq!(v.get("b"), Value::Nil);
    let all = from_str_all("a: 1\n---\nb: 2\n").unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(from_str("").unwrap(), Value::Nil);
    assert_eq!(from_str("# only a comment\n").unwrap(), Value::Nil);
}

#[test]
fn errors_read_like_helm() {
    let e = from_str("a: 1\nb: c: d\n").unwrap_err();
    assert_eq!(
        e.helm_message(),
        "error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context"
    );
    assert_eq!(e.line, 2);
    let e = from_str("? [a]\n: 1\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "yaml: invalid map key: []interface {}{\"a\"}"
    );
    let e = from_str("~: 1\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"
    );
    let e = from_str("18446744073709551615: 1\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unsupported map key of type: uint64, key: 0xffffffffffffffff, value: 1"
    );
    let e = from_str("a: 1\nb: *nope\n").unwrap_err();
    assert_eq!(e.to_string(), "yaml: unknown anchor 'nope' referenced");
    assert_eq!((e.line, e.column), (2, 4));
}

#[test]
fn anchors_aliases_and_merges() {
    let v = from_str(
        "base: &b {k: 1, j: 2}\nx:\n  <<: *b\n  j: 3\nw:\n  k: 5\n  <<: *b\nl: [*b, *b]\nm:\n  <<: [{a: 1}, {a: 2, b: 2}]\n  c: 3\n",
    )
    .unwrap();
    assert_eq!(v.get("x").get("k"), Value::Float(1.0));
    assert_eq!(v.get("x").get("j"), Value::Float(3.0));
    // go-yaml v2: a merge written after a key overrides it.
    assert_eq!(v.get("w").get("k"), Value::Float(1.0));
    assert_eq!(v.get("m").get("a"), Value::Float(1.0));
    assert_eq!(v.get("m").get("b"), Value::Float(2.0));
    assert_eq!(v.get("l").as_list().unwrap().len(), 2);
    let e = from_str("a: &a [*a]\n").unwrap_err();
    assert!(e.to_string().contains("contains itself"), "{e}");
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused() {
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        src.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let e = from_str(&src).unwrap_err();
    assert_eq!(e.to_string(), "yaml: document contains excessive aliasing");
    let deep = "[".repeat(5000);
    assert!(from_str(&deep).is_err());
    let deep_ok = format!("{}{}", "[".repeat(500), "]".repeat(500));
    assert!(from_str(&deep_ok).is_ok());
}

#[test]
fn emit_json_keeps_order_and_integers() {
    let j: serde_json::Value =
        serde_json::from_str(r#"{"b": 1, "a": [1.5, "yes", {}], "c": null, "n": 100000000000}"#)
            .unwrap();
    assert_eq!(
        emit_json(&j),
        "b: 1\na:\n- 1.5\n- \"yes\"\n- {}\nc: null\n\"n\": 100000000000\n"
    );
}

#[test]
fn natural_key_order_of_go_yaml_v2() {
    let v = from_str("a10: 1\na2: 2\nB: 3\n_x: 4\nb: 5\n").unwrap();
    assert_eq!(to_string(&v), "_x: 4\nB: 3\na2: 2\na10: 1\nb: 5\n");
}

#[test]
fn tags_are_honoured() {
    let v = from_str(
        "a: !!int \"12\"\nb: !!float 3\nc: !!str 12\nd: !!binary aGVsbG8=\ne: !custom 5\n",
    )
    .unwrap();
    assert_eq!(v.get("a"), Value::Float(12.0));
    assert_eq!(v.get("b"), Value::Float(3.0));
    assert_eq!(v.get("c"), Value::str("12"));
    assert_eq!(v.get("d"), Value::str("hello"));
    assert_eq!(v.get("e"), Value::str("5"));
    let e = from_str("f: !!int abc\n").unwrap_err();
    assert_eq!(e.to_string(), "yaml: cannot decode !!str `abc` as a !!int");
}

#[test]
fn pretty_is_go_yaml_v3_with_indented_sequences() {
    let v = from_str(include_str!("testdata/pretty.yaml")).unwrap();
    assert_eq!(
        to_string_pretty(&v),
        format!("{}\n", include_str!("testdata/pretty.out"))
    );
    let v = from_str(include_str!("testdata/pretty2.yaml")).unwrap();
    assert_eq!(
        to_string_pretty(&v),
        format!("{}\n", include_str!("testdata/pretty2.out"))
    );
}

#[test]
fn a_map_that_holds_itself_fails_instead_of_overflowing() {
    let m = std::sync::Arc::new(Map::new());
    m.insert("self", Value::Map(m.clone(), None));
    let v = Value::Map(m.clone(), None);
    assert_eq!(to_string(&v), "");
    assert_eq!(to_string_pretty(&v), "");
    assert!(json::to_json(&v, true, None).is_err());
    // Break the cycle so the test does not leak.
    m.remove("self");
}

#[test]
fn deep_values_fail_cleanly_on_a_small_stack() {
    // 1000 levels (the reader's limit), written on a 2 MiB thread in a debug
    // build: every writer refuses past its own limit instead of overflowing.
    let v = crate::value::nested_maps(1000);
    let h = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            (
                try_to_string(&v).is_err(),
                to_string_pretty(&v).is_empty(),
                json::to_json(&v, true, None).is_err(),
            )
        })
        .unwrap();
    assert_eq!(h.join().unwrap(), (true, true, true));
}

#[test]
fn chart_yaml_string_fields_as_sigs_fills_them() {
    let v =
        from_str_typed("appVersion: 1.10\ndescription: 16777217\nkeywords: [1.5, true, 0x10]\n")
            .unwrap();
    assert_eq!(string_field(&v.get("appVersion")).as_deref(), Some("1.1"));
    assert_eq!(
        string_field(&v.get("description")).as_deref(),
        Some("16777217")
    );
    let k: Vec<_> = v
        .get("keywords")
        .as_list()
        .unwrap()
        .iter()
        .map(|x| string_field(x).unwrap())
        .collect();
    assert_eq!(k, ["1.5", "true", "16"]);
}

#[test]
fn out_of_range_numbers_stay_strings_and_a_bom_is_skipped() {
    let v = from_str("f: 0x1FFFFFFFFFFFFFFFF\ng: 1e400\nh: 99999999999999999999\n").unwrap();
    assert_eq!(v.get("f"), Value::str("0x1FFFFFFFFFFFFFFFF"));
    assert_eq!(v.get("g"), Value::str("1e400"));
    assert_eq!(v.get("h"), Value::Float(1e20));
    let out = to_string(
        &from_str("a: \"0x1FFFFFFFFFFFFFFFF\"\nb: \"1e400\"\nc: \"99999999999999999999\"\n")
            .unwrap(),
    );
    assert_eq!(
        out,
        "a: 0x1FFFFFFFFFFFFFFFF\nb: 1e400\nc: \"99999999999999999999\"\n"
    );
    let v = from_str("\u{feff}a: 1\r\nb: 2\r\n").unwrap();
    assert_eq!(v.get("b"), Value::Float(2.0));
}

#[test]
fn arbitrary_input_never_panics() {
    // A fixed pseudo-random walk over YAML's punctuation and a few words.
    const PIECES: &[&str] = &[
        "a",
        "b",
        ":",
        ": ",
        "- ",
        "-",
        "\n",
        "\n  ",
        "  ",
        "\t",
        "[",
        "]",
        "{",
        "}",
        ",",
        "?",
        "&x",
        "*x",
        "!!int",
        "!!str ",
        "!x",
        "|",
        ">",
        "|-",
        "\"",
        "'",
        "#",
        "<<",
        "~",
        "1",
        "0x",
        "1e9",
        ".inf",
        "yes",
        "---",
        "...",
        "%YAML 1.1",
        "\\",
        "\\u",
        "é",
        "\u{2028}",
        "\u{85}",
        "\r",
    ];
    let mut rng = crate::testing::Xorshift(0x9E37_79B9_7F4A_7C15);
    let mut next = || rng.step();
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let src: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        for v in [from_str(&src), from_str_typed(&src)].into_iter().flatten() {
            let _ = to_string(&v);
            let _ = to_string_pretty(&v);
            let _ = json::to_json(&v, true, Some("  "));
        }
        let _ = from_str_all(&src);
        let _ = json::from_json(&src);
        let _ = base::b64_decode(&src);
        let _ = base::b32_decode(&src);
    }
}

#[test]
fn manifests_read_as_ordered_json_and_write_back() {
    let src = "kind: Deployment\napiVersion: apps/v1\nmetadata:\n  name: x\n  labels: &l\n    b: \"2\"\n    a: on\nspec:\n  replicas: 3\n  ratio: 1.5\n  sel:\n    <<: *l\n    c: 1\n---\nkind: Service\n";
    let docs = from_str_json(src, 128).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(
        serde_json::to_string(&docs[0]).unwrap(),
        r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"x","labels":{"b":"2","a":true}},"spec":{"replicas":3,"ratio":1.5,"sel":{"c":1,"b":"2","a":true}}}"#
    );
    assert_eq!(
        emit_json(&docs[0]),
        "kind: Deployment\napiVersion: apps/v1\nmetadata:\n  name: x\n  labels:\n    b: \"2\"\n    a: true\nspec:\n  replicas: 3\n  ratio: 1.5\n  sel:\n    c: 1\n    b: \"2\"\n    a: true\n"
    );
    let e = from_str_json("a: .nan\n", 128).unwrap_err();
    assert_eq!(e.to_string(), "json: unsupported value: NaN");
}

#[test]
fn pretty_roots_as_helm() {
    let pretty = |v: Value| to_string_pretty(&v);
    assert_eq!(pretty(Value::str("keep\n\n")), "|+\n  keep\n\n");
    assert_eq!(pretty(Value::str("foo")), "foo\n");
    assert_eq!(pretty(Value::Nil), "null\n");
    assert_eq!(pretty(Value::map(Map::new())), "{}\n");
    assert_eq!(pretty(Value::list(vec![])), "[]\n");
    assert_eq!(pretty(Value::str("line\nx")), "|-\n  line\n  x\n");
    assert_eq!(pretty(Value::Float(1.0)), "1\n");
    let m = Map::new();
    m.insert("k", Value::list(vec![Value::Int(3)]));
    let v = Value::list(vec![
        Value::Int(1),
        Value::list(vec![Value::Int(2)]),
        Value::map(m),
    ]);
    assert_eq!(pretty(v), "- 1\n- - 2\n- k:\n    - 3\n");
}

#[test]
fn reader_agrees_with_helm_on_recorded_inputs() {
    // Random and hand-picked values files, each given to Helm 4.2.3
    // (`helm-oracle values`): the merged values as JSON, or Helm's error.
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("testdata/reader_cases.json")).unwrap();
    assert!(cases.len() > 90);
    for case in cases {
        let src = case["src"].as_str().unwrap();
        match (from_str(src), case.get("err")) {
            (Err(e), Some(want)) => assert_eq!(e.helm_message(), want.as_str().unwrap(), "{src:?}"),
            (Ok(v), None) => {
                let want: serde_json::Value =
                    serde_json::from_str(case["json"].as_str().unwrap()).unwrap();
                assert_eq!(v, Value::from_json(&want), "{src:?}");
            }
            (got, want) => panic!("{src:?}: got {got:?}, Helm says {want:?}"),
        }
    }
}

/// go-yaml reads YAML 1.1 only: `%YAML 1.2` (which libyaml itself accepts)
/// is refused as Helm refuses it, and the error stays on later calls.
#[test]
fn yaml_directives_other_than_1_1_are_refused() {
    assert!(from_str("%YAML 1.1\n---\na: 1\n").is_ok());
    for src in [
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n...\n%YAML 1.2\n---\nb: 2\n",
    ] {
        let e = from_str_all(src).unwrap_err().to_string();
        assert!(
            e.contains("found incompatible YAML document"),
            "{src:?}: {e}"
        );
    }
    // As go-yaml's Unmarshal, a values file is its first document only.
    assert!(from_str("a: 1\n...\n%YAML 1.2\n---\nb: 2\n").is_ok());
}

#[test]
fn ascii_within_agrees_with_a_byte_loop() {
    use super::emitter::ascii_within;
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (lo, hi) in [(0x20, 0x7E), (0x21, 0x7E), (0x30, 0x39), (1, 1)] {
        for len in 0..40 {
            for _ in 0..200 {
                // Mostly bytes inside the bounds, with the odd one at or past them.
                let bytes: Vec<u8> = (0..len)
                    .map(|_| match next() % 16 {
                        0 => (next() % 256) as u8,
                        1 => lo - 1,
                        2 => hi + 1,
                        3 => lo,
                        4 => hi,
                        _ => lo + (next() % u64::from(hi - lo + 1)) as u8,
                    })
                    .collect();
                let naive = bytes.iter().all(|&b| lo <= b && b <= hi);
                assert_eq!(
                    ascii_within(&bytes, lo, hi),
                    naive,
                    "{lo:#x}..={hi:#x} {bytes:?}"
                );
            }
        }
    }
}
