//! The lazy parse against the whole one: once every list is parsed, the trees
//! must be the same, on every template of the corpus and on the cases that
//! make the skim stop.

use super::ast::{Arg, List, Node, Pipe, Tree};
use super::lexer::skim;
use super::parser;
use super::tests::corpus_templates;
use std::fmt::Write;

/// Every node of `trees`, lazy lists parsed, with their positions: two
/// parses made the same trees when their dumps are equal.
fn dump(trees: &[Tree]) -> Result<String, super::Error> {
    let mut out = String::new();
    for tree in trees {
        writeln!(out, "tree {}", tree.name).unwrap();
        dump_list(&mut out, tree, &tree.root, 1)?;
    }
    Ok(out)
}

fn dump_list(out: &mut String, tree: &Tree, list: &List, depth: usize) -> Result<(), super::Error> {
    for node in list.nodes(&tree.file)? {
        let pad = "  ".repeat(depth);
        match node {
            Node::Text { start, end } => writeln!(out, "{pad}text {start}..{end}").unwrap(),
            Node::Action(pipe) => writeln!(out, "{pad}action {}", pipe_text(pipe)).unwrap(),
            Node::If(b) | Node::With(b) | Node::Range(b) => {
                let kind = match node {
                    Node::If(_) => "if",
                    Node::With(_) => "with",
                    _ => "range",
                };
                writeln!(out, "{pad}{kind} {} {}", b.pos, pipe_text(&b.pipe)).unwrap();
                dump_list(out, tree, &b.list, depth + 1)?;
                if let Some(e) = &b.else_list {
                    writeln!(out, "{pad}else").unwrap();
                    dump_list(out, tree, e, depth + 1)?;
                }
            }
            Node::Template { pos, name, pipe } => {
                let pipe = pipe.as_ref().map(pipe_text).unwrap_or_default();
                writeln!(out, "{pad}template {pos} {name} {pipe}").unwrap();
            }
            Node::Break(pos) => writeln!(out, "{pad}break {pos}").unwrap(),
            Node::Continue(pos) => writeln!(out, "{pad}continue {pos}").unwrap(),
        }
    }
    Ok(())
}

/// A pipeline as Go prints it, with the position of it and of every operand.
fn pipe_text(pipe: &Pipe) -> String {
    let mut text = format!("@{} {pipe} [", pipe.pos);
    for cmd in &pipe.cmds {
        write!(text, " {}:", cmd.pos).unwrap();
        for arg in &cmd.args {
            write!(text, " {}", arg.pos()).unwrap();
            if let Arg::Pipe(inner) = arg {
                text.push_str(&pipe_text(inner));
            }
        }
    }
    text + " ]"
}

/// The lists of `list` left lazy, not parsing any.
fn lazy_lists(list: &List) -> usize {
    let List::Nodes(nodes) = list else {
        return 1;
    };
    let mut count = 0;
    for node in nodes {
        if let Node::If(b) | Node::With(b) | Node::Range(b) = node {
            count += lazy_lists(&b.list) + b.else_list.as_ref().map_or(0, lazy_lists);
        }
    }
    count
}

/// The lazy parse of `text`, every list parsed, against the whole parse;
/// returns how many lists the lazy parse left for later.
fn assert_same(name: &str, text: &str) -> usize {
    let whole = parser::parse(name, text).and_then(|t| dump(&t));
    let lazy = parser::parse_lazy(super::ast::File::new(name, text));
    let skimmed = lazy
        .as_ref()
        .map_or(0, |trees| trees.iter().map(|t| lazy_lists(&t.root)).sum());
    let lazy = lazy.and_then(|t| dump(&t));
    match (whole, lazy) {
        (Ok(whole), Ok(lazy)) => assert_eq!(whole, lazy, "{name}"),
        // Only the whole parse's error counts: the lazy one may fail
        // elsewhere, or not at all, when the file does not parse.
        (Err(_), _) => {}
        (Ok(_), Err(e)) => panic!("{name}: parses whole, but lazily fails: {e}"),
    }
    skimmed
}

#[test]
fn lazy_parse_makes_the_whole_parse_trees_on_the_corpus() {
    let Some(files) = corpus_templates() else {
        return;
    };
    let count = files.len();
    let skimmed: usize = files
        .iter()
        .map(|(path, text)| assert_same(path, text))
        .sum();
    assert!(count > 100, "only {count} templates found");
    // Nearly every template has a list to skim (a Bitnami chart's files sit
    // in an `if` each, its helpers in `define`s).
    assert!(
        skimmed > count,
        "{skimmed} lists skimmed in {count} templates"
    );
}

#[test]
fn lazy_parse_makes_the_whole_parse_trees_on_edge_cases() {
    for text in [
        "a {{ if .a }} b {{ else }} c {{ end }} d",
        "{{- if .a -}}\n  b  \n{{- else if .b -}}\n c \n{{- else -}}\n d \n{{- end -}}",
        "{{ with $x := .a }}{{ $x }}{{ else with .b }}{{ . }}{{ end }}",
        "{{ range $i, $v := .l }}{{ if $i }}{{ break }}{{ end }}{{ continue }}{{ else }}none{{ end }}",
        "{{ define \"a\" }}{{ if .x }}{{ include \"b\" . }}{{ end }}{{ end }}{{ define \"b\" }}  {{ end }}",
        "{{ define \"c\" -}}\n  {{- /* only a comment */ -}}\n{{- end }}",
        "{{ if .a }}{{ \"}}\" }}{{ `{{ end }}` }}{{ '}' }}{{ end }}",
        "{{ if .a }}{{/* {{ end }} */}}x{{- /* c */ -}}{{ end }}",
        "{{ if .a }}{{ $v := 1 }}{{ else }}{{ $v }}{{ end }}",
        "{{ if .a }}{{ block \"blk\" . }}in{{ end }}{{ end }}{{ template \"blk\" . }}",
        "{{ if .a }}{{ if .b }}{{ with .c }}{{ range . }}{{ . }}{{ end }}{{ end }}{{ end }}{{ end }}",
        "{{ if .a }}{{ end}}{{if(.b)}}x{{end}}{{ if .c}}{{ else}}y{{ end }}",
        "{{ if .a }}{{ iffy }}{{ endless }}{{ end }}",
        "{{ if .a }}é{{ end }}{{ if .b }}{{ \"é\" }}{{ end }}",
        "{{ range .a }}{{- range .b }}{{ . }}{{- end }}{{ end }}",
    ] {
        assert_same("t", text);
    }
    assert_eq!(
        assert_same("t", "{{ if .a }}{{ .b }}{{ else }}{{ .c }}{{ end }}"),
        2
    );
}

#[test]
fn lazy_parse_of_bad_templates_never_panics_and_whole_errors_stay() {
    // Bad input: the whole parse fails; the lazy one must not panic, and
    // a list it parses on a walk reports an error rather than nodes.
    for text in [
        "{{ if .a }}{{ nosuchfunc }}{{ end }}",
        "{{ if .a }}{{ $undefined }}{{ end }}",
        "{{ if .a }}{{ define \"x\" }}{{ end }}{{ end }}",
        "{{ if .a }}{{ .b ",
        "{{ if .a }}{{ \"unterminated }}{{ end }}",
        "{{ if .a }}{{ end",
        "{{ if .a }}{{ else }}{{ else }}{{ end }}",
        "{{ range .a }}{{ else }}{{ break }}{{ end }}",
        "{{ if .a }}{{ end-}}",
        "{{ define \"x\" }}{{ else }}{{ end }}",
        "{{ if .a }}{{ ( }}{{ end }}",
    ] {
        assert!(parser::parse("t", text).is_err(), "{text}");
        if let Ok(trees) = parser::parse_lazy(super::ast::File::new("t", text)) {
            assert!(
                dump(&trees).is_err(),
                "{text}: every list parsed, yet no error"
            );
        }
    }
}

#[test]
fn skim_finds_the_closing_action_or_leaves_the_list_to_the_lexer() {
    let end = |text: &str| skim(text.as_bytes(), 0, text.len());
    assert_eq!(end("a{{ .x }}b{{ end }}"), Some(10));
    assert_eq!(end("{{ if .y }}{{ end }}{{ .x }}{{- else }}"), Some(28));
    assert_eq!(end("{{ .x \"}}\" }}{{ end }}"), Some(13));
    // Only text and comments: Go tells an empty definition apart.
    assert_eq!(end(" {{/* c */}} {{ end }}"), None);
    // Definitions are made while parsing.
    assert_eq!(end("{{ define \"x\" }}{{ end }}{{ end }}"), None);
    assert_eq!(end("{{ block \"x\" . }}{{ end }}{{ end }}"), None);
    // A variable declared before `else` is seen by the else list.
    assert_eq!(end("{{ $x := 1 }}{{ else }}"), None);
    assert_eq!(end("{{ $x := 1 }}{{ end }}"), Some(13));
    // No end, or an end past the limit.
    assert_eq!(end("{{ .x }}"), None);
    assert_eq!(skim(b"{{ .x }}{{ end }}", 0, 10), None);
    // Words Go's lexer must judge.
    assert_eq!(end("{{ .x }}{{ end-}}"), None);
}

/// The helper's check rests on this: a file whose lazy parse and every list
/// parse is a file the whole parse accepts (and the other way round, with the
/// same trees). Mutated corpus templates (bytes cut, keywords, quotes and
/// variables put in around actions) try to find a file where they differ.
#[test]
fn lazy_and_whole_parse_agree_on_mutated_templates() {
    let Some(files) = corpus_templates() else {
        return;
    };
    const PIECES: [&str; 12] = [
        "{{ end }}",
        "{{ else }}",
        "{{ if .x }}",
        "{{- range $i, $v := .l -}}",
        "{{ $x := 1 }}",
        "{{ $x }}",
        "\"",
        "`",
        "'}'",
        "{{/* c */}}",
        "{{ define \"d\" }}",
        "{{ break }}",
    ];
    let mut rng = crate::testing::Xorshift(0x9e37_79b9_7f4a_7c15);
    let mut next = |bound: usize| rng.below(bound.max(1));
    let mut disagreements = Vec::new();
    for (path, text) in files.iter().step_by(3).take(400) {
        for _ in 0..20 {
            let mut bytes = text.as_bytes().to_vec();
            let at = next(bytes.len());
            if next(2) == 0 {
                let len = next(12).min(bytes.len() - at);
                bytes.drain(at..at + len);
            } else {
                let piece = PIECES[next(PIECES.len())];
                bytes.splice(at..at, piece.bytes());
            }
            let Ok(mutated) = String::from_utf8(bytes) else {
                continue;
            };
            let whole = parser::parse(path, &mutated).and_then(|t| dump(&t));
            let lazy = parser::parse_lazy(super::ast::File::new(path, &mutated))
                .and_then(|trees| dump(&trees));
            match (whole, lazy) {
                (Ok(whole), Ok(lazy)) if whole == lazy => {}
                (Err(_), Err(_)) => {}
                (whole, lazy) => disagreements.push(format!(
                    "{path} at byte {at}: whole {}, lazy {}",
                    if whole.is_ok() { "parses" } else { "fails" },
                    if lazy.is_ok() { "parses" } else { "fails" },
                )),
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
