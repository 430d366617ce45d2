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
//! Text with no more than `max` `[` and `{` cannot nest deeper in flow style
//! (block nesting costs libyaml nothing extra), and text with no `&` where
//! an anchor could start has no aliases that resolve, so most text passes
//! without a parse. Syntax errors are left for
//! the real reader to report.

use super::events::{Event, Mark, Parser};
use super::reader::excessive_aliasing;
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
    if openers <= max && !may_have_anchor(text) {
        return Ok(());
    }
    let mut parser = Parser::new(text);
    let mut stack: Vec<Open> = Vec::new();
    // Per document, as anchors are.
    let mut anchors: HashMap<String, (u64, u64)> = HashMap::new();
    let (mut decoded, mut expanded) = (0u64, 0u64);
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
                if let Some(name) = open.anchor {
                    anchors.insert(name, (open.nodes, open.aliases));
                }
                (open.nodes, open.aliases)
            }
            Event::Scalar { anchor, .. } => {
                decoded += 1;
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
                if excessive_aliasing(decoded, expanded) {
                    let e = YamlError::decode("document contains excessive aliasing".into());
                    return Err(e.at(mark));
                }
                (nodes, aliases.saturating_add(1))
            }
            Event::StreamStart | Event::DocumentEnd => continue,
        };
        if let Some(parent) = stack.last_mut() {
            parent.nodes = parent.nodes.saturating_add(done.0);
            parent.aliases = parent.aliases.saturating_add(done.1);
        }
    }
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
    use super::{check, may_have_anchor};

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
