//! A quick look at YAML before yaml_serde reads it (overlays, stack files,
//! repository indexes, registries.yaml), for the two shapes it cannot survive
//! (manifests are read by [`super::reader`], which refuses both as it meets
//! them):
//!
//! - Deep flow nesting. libyaml's scanner revisits every open flow
//!   collection at every token, so 100 000 `[` cost minutes; yaml_serde reads
//!   a whole document that way before its own recursion limit applies.
//! - Alias bombs padded with plain nodes: yaml_serde allows 100 alias jumps
//!   per event, so a 2 MB document of a million scalars plus nine levels of
//!   nine aliases expands for many minutes. The rule here is go-yaml v2's,
//!   the one [`super::reader`] applies to values.
//!
//! - Too many nodes: yaml_serde holds every event of a document at once
//!   (about 110 bytes a node, 200 into its `Value`), so 20 MB of `[1,1,…]`
//!   cost 2 GB. [`MAX_NODES`], the bound of [`super::reader`], applies here
//!   too, counting each use of an alias as the reader does.
//!
//! Text with no more than `max` `[` and `{` cannot nest deeper in flow style
//! (block nesting costs libyaml nothing extra), text with no `&` where an
//! anchor could start has no aliases that resolve, and text whose indicators
//! bound its nodes under [`MAX_NODES`] ([`node_bound`]) cannot hold more, so
//! most text (a 15 MB `index.yaml` too) passes without a parse. Syntax errors are left for
//! the real reader to report.

use super::events::{Event, Mark, Parser};
use super::reader::{excessive_aliasing, too_many_nodes, MAX_NODES};
use super::YamlError;
use std::collections::HashMap;

/// One open collection: nodes and aliases below it, expanded, and its anchor.
struct Open {
    nodes: u64,
    aliases: u64,
    anchor: Option<String>,
}

pub(super) fn check(text: &str, max: usize) -> Result<(), YamlError> {
    let openers = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if openers <= max && !may_have_anchor(text) && node_bound(text) <= MAX_NODES {
        return Ok(());
    }
    let mut parser = Parser::new(text);
    let mut stack: Vec<Open> = Vec::new();
    // Per document, as anchors are.
    let mut anchors: HashMap<String, (u64, u64)> = HashMap::new();
    let (mut decoded, mut expanded) = (0u64, 0u64);
    // Over all documents, as the reader counts them.
    let mut total = 0u64;
    loop {
        let (event, mark) = match parser.next() {
            Ok(e) => e,
            Err(_) => return Ok(()),
        };
        // (nodes, aliases) of a finished node, to add to its parent.
        let done = match event {
            Event::StreamEnd => return Ok(()),
            Event::DocumentStart => {
                anchors.clear();
                (decoded, expanded) = (0, 0);
                continue;
            }
            Event::SequenceStart { anchor } | Event::MappingStart { anchor } => {
                if stack.len() >= max {
                    return Err(YamlError::syntax(
                        Mark {
                            line: mark.line + 1,
                            column: mark.column,
                        },
                        &format!("exceeded max depth of {max}"),
                    ));
                }
                stack.push(Open {
                    nodes: 1,
                    aliases: 0,
                    anchor,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = stack.pop() else { continue };
                decoded += 1;
                total += 1;
                if let Some(name) = open.anchor {
                    anchors.insert(name, (open.nodes, open.aliases));
                }
                (open.nodes, open.aliases)
            }
            Event::Scalar { anchor, .. } => {
                decoded += 1;
                total += 1;
                if let Some(name) = anchor {
                    anchors.insert(name, (1, 0));
                }
                (1, 0)
            }
            Event::Alias { anchor } => {
                // An unknown anchor is the reader's error to report.
                let (nodes, aliases) = anchors.get(&anchor).copied().unwrap_or((1, 0));
                decoded = decoded.saturating_add(nodes);
                expanded = expanded.saturating_add(aliases.saturating_add(1));
                // Past the node bound through aliases is an alias bomb too.
                if excessive_aliasing(decoded, expanded) || total.saturating_add(nodes) > MAX_NODES
                {
                    let e = YamlError::decode("document contains excessive aliasing".into());
                    return Err(e.at(mark));
                }
                total = total.saturating_add(nodes);
                (nodes, aliases.saturating_add(1))
            }
            Event::StreamStart | Event::DocumentEnd => continue,
        };
        if total > MAX_NODES {
            return Err(too_many_nodes(mark));
        }
        if let Some(parent) = stack.last_mut() {
            parent.nodes = parent.nodes.saturating_add(done.0);
            parent.aliases = parent.aliases.saturating_add(done.1);
        }
    }
}

/// An upper bound on the nodes of a text without aliases, from one pass over
/// its bytes. Every node but a document's root is a key, a value or an item
/// of the collection it is in, and hangs on an indicator: a block item on a
/// `- `, a flow item on the `[` or `,` before it (one node each); a key and
/// its value, possibly null, on the `: ` or `?` of a block entry, on the `{`
/// or `,` before a flow entry, or on a `:` right after a quoted key (two
/// each). A root is one more a document, which starts at most once a line.
/// Indicators inside quotes, comments and block scalars count too, which only
/// loosens it.
fn node_bound(text: &str) -> u64 {
    let b = text.as_bytes();
    let (mut ones, mut twos, mut lines) = (0u64, 0u64, 2u64);
    for (i, &c) in b.iter().enumerate() {
        let blank_after = matches!(b.get(i + 1), None | Some(b' ' | b'\t' | b'\r' | b'\n'));
        match c {
            b'\n' => lines += 1,
            b'[' => ones += 1,
            b'-' if blank_after => ones += 1,
            b'{' | b',' | b'?' => twos += 1,
            b':' if blank_after
                || matches!(b.get(i + 1), Some(b',' | b'[' | b']' | b'{' | b'}'))
                || (i > 0 && matches!(b[i - 1], b'"' | b'\'' | b']' | b'}')) =>
            {
                twos += 1
            }
            _ => {}
        }
    }
    ones.saturating_add(twos.saturating_mul(2))
        .saturating_add(lines)
}

/// Refuses JSON text of more than [`MAX_NODES`] values and keys (serde_json's
/// `Value` costs about 80 bytes each) before a parse: every one is the first
/// thing in the text or follows a `[`, `{`, `,` or `:` outside a string, so
/// counting those bounds them. Text no longer than the bound passes unread.
pub(super) fn check_json(text: &str) -> Result<(), String> {
    if text.len() as u64 <= MAX_NODES {
        return Ok(());
    }
    let (mut count, mut in_string, mut escaped) = (1u64, false, false);
    for &b in text.as_bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' | b',' | b':' => count += 1,
            _ => {}
        }
    }
    if count > MAX_NODES {
        return Err(format!(
            "JSON too large: more than {MAX_NODES} values and keys, chartfix's limit"
        ));
    }
    Ok(())
}

/// Whether some `&` stands where an anchor may: at the start of a line or
/// after a blank or flow indicator (not inside `a=b&c=d`).
fn may_have_anchor(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        c == b'&'
            && (i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b','))
    })
}

#[cfg(test)]
mod tests {
    use super::{check, may_have_anchor, node_bound};

    #[test]
    fn anchors_are_spotted_without_a_parse() {
        assert!(may_have_anchor("a: &x 1\nb: *x\n"));
        assert!(may_have_anchor("&x [1]"));
        assert!(!may_have_anchor("url: http://h/?a=b&c=d\nrules: ['*']\n"));
    }

    fn laughs(levels: usize) -> String {
        let mut out = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..levels {
            let (me, prev) = ((b'a' + i as u8) as char, (b'a' + i as u8 - 1) as char);
            let refs = vec![format!("*{prev}"); 9].join(", ");
            out.push_str(&format!("{me}: &{me} [{refs}]\n"));
        }
        out
    }

    #[test]
    fn refuses_alias_bombs_even_when_padded() {
        let e = check(&laughs(9), 128).unwrap_err();
        assert_eq!(e.to_string(), "yaml: document contains excessive aliasing");
        assert!(e.line > 1, "{e:?}");
        let pad = format!("pad: [{}]\n", vec!["x"; 1_000_000].join(","));
        assert!(check(&format!("{pad}{}", laughs(9)), 128).is_err());
        // A few aliases are fine, as they are for go-yaml.
        assert!(check(&laughs(3), 128).is_ok());
    }

    /// Nodes as the reader counts them: scalars, aliases and collections.
    fn nodes(text: &str) -> u64 {
        use super::super::events::{all, Event};
        let events = all(text).unwrap();
        events
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::Scalar { .. }
                        | Event::Alias { .. }
                        | Event::SequenceStart { .. }
                        | Event::MappingStart { .. }
                )
            })
            .count() as u64
    }

    #[test]
    fn the_node_bound_holds_for_the_densest_texts() {
        let cases = [
            "{a,b,c,d}",
            "{?,?,?}",
            "[? :,? :]",
            "- - - - -\n",
            "-\n-\n-\n",
            "? \n? \n? \n",
            "? a\n: b\n",
            "[a: b, c: d, {e: f}]",
            "{\"a\":1,\"b\":[2,3],\"c\":{}}",
            "[[],[],{}]",
            "---\n---\n--- a\n...\n",
            "a:\n  b:\n  c:\n- x\n",
            "plain\n",
            "",
            "k: |\n  text: here, [x]\nl: >-\n  more\n",
            "- a: 1\n  b: [x, y]\n- {c: d}\n",
        ];
        for text in cases {
            let text = text.replace("\n- x\n", "\n"); // one valid document each
            let (bound, real) = (node_bound(&text), nodes(&text));
            assert!(bound >= real, "{text:?}: bound {bound} < {real} nodes");
        }
        let padded = format!("{{{}}}", vec!["a"; 10_000].join(","));
        assert!(node_bound(&padded) >= nodes(&padded));
    }

    #[test]
    fn refuses_too_many_nodes_and_passes_a_big_repository_index() {
        use super::MAX_NODES;
        let n = MAX_NODES as usize;
        let flow = format!("a: [{}]\n", vec!["1"; n].join(","));
        let e = check(&flow, 128).unwrap_err();
        assert!(e.to_string().contains("more than 2000000 nodes"), "{e}");
        assert_eq!(e.line, 1, "{e:?}");
        // A block mapping of a million keys, one over the bound.
        let block: String = (0..=n / 2).map(|i| format!("k{i}: v\n")).collect();
        assert!(check(&block, 128).is_err());
        let fine: String = (0..n / 2 - 10).map(|i| format!("k{i}: v\n")).collect();
        assert!(check(&fine, 128).is_ok());
        // An index.yaml of 15 MB in Helm's layout (about 730 000 nodes) passes,
        // on the byte count alone.
        let entry = "  - annotations:\n      category: Analytics\n      images: |\n        - name: kafka\n          image: docker.io/bitnami/kafka:3.7.0-debian-12-r3\n      licenses: Apache-2.0\n    apiVersion: v2\n    appVersion: 3.7.0\n    created: \"2024-04-18T10:38:31.019937017Z\"\n    dependencies:\n    - condition: zookeeper.enabled\n      name: zookeeper\n      repository: oci://registry-1.docker.io/bitnamicharts\n      version: 13.x.x\n    - name: common\n      repository: oci://registry-1.docker.io/bitnamicharts\n      tags:\n      - bitnami-common\n      version: 2.x.x\n    description: Apache Kafka is a distributed streaming platform, used as a message broker.\n    digest: 6b4b5e3b0d3f5a0c0e7c1a8b8e5e7b6e9c1f0b3a4d2e1c0b9a8f7e6d5c4b3a2f\n    home: https://bitnami.com\n    icon: https://bitnami.com/assets/stacks/kafka/img/kafka-stack-220x234.png\n    keywords:\n    - kafka\n    - streaming\n    maintainers:\n    - name: VMware, Inc.\n      url: https://github.com/bitnami/charts\n    name: kafka\n    sources:\n    - https://github.com/bitnami/charts/tree/main/bitnami/kafka\n    urls:\n    - https://charts.bitnami.com/bitnami/kafka-28.0.4.tgz\n    version: 28.0.4\n";
        let mut index = String::from("apiVersion: v1\nentries:\n");
        let mut i = 0;
        while index.len() < 15_000_000 {
            if i % 50 == 0 {
                index.push_str(&format!("  chart{i}:\n"));
            }
            index.push_str(entry);
            i += 1;
        }
        assert!(node_bound(&index) < MAX_NODES, "{}", node_bound(&index));
        assert!(check(&index, 128).is_ok());
    }

    #[test]
    fn json_past_the_node_bound_is_refused_unread() {
        let n = super::MAX_NODES as usize;
        let big = format!("[{}]", vec!["1"; n + 1].join(","));
        let e = super::check_json(&big).unwrap_err();
        assert!(e.contains("more than 2000000 values"), "{e}");
        // Separators inside strings are text.
        let text = format!("[\"{}\"]", ",".repeat(n + 10));
        assert!(super::check_json(&text).is_ok());
        let escaped = format!("[\"\\\"{}\"]", ",".repeat(n + 10));
        assert!(super::check_json(&escaped).is_ok());
        assert!(super::check_json(&format!("[{}]", vec!["1"; n / 2].join(","))).is_ok());
    }

    #[test]
    fn refuses_deep_flow_nesting_only_past_the_limit() {
        // Where yaml_serde's own recursion limit falls, the guard's does too.
        let flow = |n: usize| format!("{}{}\n", "[".repeat(n), "]".repeat(n));
        for n in 120..136 {
            let serde = yaml_serde::from_str::<yaml_serde::Value>(&flow(n)).is_ok();
            assert_eq!(check(&flow(n), 128).is_ok(), serde, "{n} deep");
        }
        let e = check(&format!("a: {}", flow(100_000)), 128).unwrap_err();
        assert_eq!((e.line, e.column), (1, 131), "{e:?}");
        // Brackets in quoted text or block scalars are not nesting.
        assert!(check(
            &format!("a: '{}'\nb: |\n  {}\n", "[".repeat(500), "{".repeat(500)),
            128
        )
        .is_ok());
    }
}
