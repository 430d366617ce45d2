//! Where each key of a YAML text is written: the path of every mapping key
//! (keys, with a sequence item's index as its segment) and its 1-based line
//! and column, so a finding about a value can point at the line that set it.

use super::events::{Event, Parser};

/// One key's path and where the key starts (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPlace {
    pub path: Vec<String>,
    pub line: usize,
    pub column: usize,
}

enum Frame {
    /// A mapping: waiting for a key, or for the value of this key.
    Map(Option<String>),
    /// A sequence: the index of the next item.
    Seq(usize),
}

impl Frame {
    /// The path segment of the node starting in this container, and the
    /// container's state moved past it. A node used as a key (`? [k]`) gets
    /// the empty segment, and so does the value that follows it.
    fn segment(&mut self) -> String {
        match self {
            Frame::Map(key @ Some(_)) => key.take().unwrap_or_default(),
            Frame::Map(key) => {
                *key = Some(String::new());
                String::new()
            }
            Frame::Seq(i) => {
                *i += 1;
                (*i - 1).to_string()
            }
        }
    }
}

/// The place of every mapping key in the first document of `src`, in text
/// order. Text libyaml refuses gives what was read before the error: callers
/// have already parsed the text, so this only adds places.
pub fn key_places(src: &str) -> Vec<KeyPlace> {
    let mut parser = Parser::new(src);
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    while let Ok((event, mark)) = parser.next() {
        match event {
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::MappingStart { .. } | Event::SequenceStart { .. } => {
                if let Some(parent) = stack.last_mut() {
                    path.push(parent.segment());
                }
                stack.push(match event {
                    Event::MappingStart { .. } => Frame::Map(None),
                    _ => Frame::Seq(0),
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                if !stack.is_empty() {
                    path.pop();
                }
            }
            Event::Scalar { value, .. } => {
                if let Some(Frame::Map(None)) = stack.last() {
                    let mut full = path.clone();
                    full.push(value.clone());
                    out.push(KeyPlace {
                        path: full,
                        line: mark.line + 1,
                        column: mark.column + 1,
                    });
                    stack.pop();
                    stack.push(Frame::Map(Some(value)));
                } else if let Some(parent) = stack.last_mut() {
                    parent.segment();
                }
            }
            Event::Alias { .. } => {
                if let Some(parent) = stack.last_mut() {
                    parent.segment();
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(src: &str) -> Vec<(String, usize, usize)> {
        key_places(src)
            .into_iter()
            .map(|p| (p.path.join("."), p.line, p.column))
            .collect()
    }

    #[test]
    fn every_key_with_its_path_and_place() {
        let src = "a:\n  b: 1\n  c:\n    - x: 1\n      y: [1, 2]\n    - z: {w: 2}\nd: 3\n";
        assert_eq!(
            places(src),
            vec![
                ("a".into(), 1, 1),
                ("a.b".into(), 2, 3),
                ("a.c".into(), 3, 3),
                ("a.c.0.x".into(), 4, 7),
                ("a.c.0.y".into(), 5, 7),
                ("a.c.1.z".into(), 6, 7),
                ("a.c.1.z.w".into(), 6, 11),
                ("d".into(), 7, 1),
            ]
        );
    }

    #[test]
    fn odd_keys_and_broken_text_do_not_unbalance_the_walk() {
        let src = "? [k]\n: v\nb: &x {c: 1}\n*x : 2\ne: 1\n";
        let got = places(src);
        assert!(got.iter().any(|p| p.0 == "b.c"));
        assert!(got.iter().any(|p| p.0 == "e" && p.1 == 5));
        // A syntax error stops the walk; what came before stays.
        assert_eq!(
            places("a: 1\nb: [\n"),
            vec![("a".into(), 1, 1), ("b".into(), 2, 1)]
        );
    }
}
