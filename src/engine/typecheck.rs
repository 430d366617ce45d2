//! Go checks arguments against a function's parameter types before calling it.
//! Template functions here take plain values and report a mismatch themselves as
//! `wrong type for value; expected T; got G`; this module finds the argument the
//! complaint is about, so the error reads as Go's own check would put it.

use super::ast::Arg;
use crate::value::Value;

/// A function's complaint about an argument's type, to be reported as Go's own
/// check reports it: at the offending argument, without `error calling`.
pub(super) struct ArgTypeError<'a> {
    pub name: &'a str,
    pub ident: &'a Arg,
    pub args: &'a [Arg],
    pub vals: &'a [Value],
    pub boxed: u64,
    pub piped: bool,
}

impl<'a> ArgTypeError<'a> {
    /// Reads `wrong type for value; expected T; got G` and finds the argument it
    /// is about; `None` when the message is something else.
    pub fn locate(&self, msg: &str) -> Option<(&'a Arg, String)> {
        let prefix = format!("error calling {}: ", self.name);
        let rest = msg.strip_prefix(&prefix).unwrap_or(msg);
        let rest = rest.strip_prefix("wrong type for value; expected ")?;
        let (expected, got) = rest.split_once("; got ")?;
        for (i, a) in self.args.iter().enumerate() {
            let v = self.vals.get(i)?;
            let boxed = i < 64 && self.boxed & (1 << i) != 0;
            let actual = match v {
                Value::Nil if boxed => "interface {}",
                other => other.type_name(),
            };
            let same = actual == got || (v.is_nil() && matches!(got, "<nil>" | "interface {}"));
            if !same {
                continue;
            }
            let class = match expected {
                "int" | "int64" | "int32" | "int8" | "int16" | "uint" | "uint64" | "uint32"
                | "uint8" => "integer",
                "float64" | "float32" => "float",
                other => other,
            };
            // Go checks a parenthesized argument after running it, so the error
            // is at the last node that ran inside (`<1>` of `(add 1 1)`).
            let at = match a {
                Arg::Pipe(p) => super::exec::last_evaluated(p),
                _ => a,
            };
            let text = match a {
                Arg::Number { text, .. } => format!("expected {class}; found {text}"),
                Arg::String { quoted, .. } => format!("expected {class}; found {quoted}"),
                Arg::Bool(_, b) => format!("expected {class}; found {b}"),
                Arg::Nil(_) => format!("cannot assign nil to {expected}"),
                _ if v.is_nil() && !boxed => format!("invalid value; expected {expected}"),
                _ => format!("wrong type for value; expected {expected}; got {actual}"),
            };
            return Some((at, text));
        }
        if self.piped {
            return Some((
                self.ident,
                format!("wrong type for value; expected {expected}; got {got}"),
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ast::Node;

    fn args_of(src: &str) -> Vec<Arg> {
        let mut trees = super::super::parser::parse_with("t", src, false).unwrap();
        let tree = trees.pop().unwrap();
        let crate::engine::ast::List::Nodes(nodes) = tree.root else {
            panic!("an eager parse makes no lazy list");
        };
        match nodes.into_iter().next() {
            Some(Node::Action(mut pipe)) => pipe.cmds.remove(0).args,
            _ => panic!("not an action"),
        }
    }

    #[test]
    fn type_errors_point_at_the_argument_as_go_does() {
        // Expectations recorded with helm-oracle: `upper 1`, `upper .Values.num`,
        // `upper .Values.nul`, `trunc "a" "b"`, `.Values.num | upper`.
        let args = args_of("{{ upper 1 }}");
        let bad = ArgTypeError {
            name: "upper",
            ident: &args[0],
            args: &args[1..],
            vals: &[Value::Int(1)],
            boxed: 0,
            piped: false,
        };
        let (at, msg) = bad
            .locate("error calling upper: wrong type for value; expected string; got int")
            .unwrap();
        assert_eq!(
            (at.to_string(), msg.as_str()),
            ("1".to_string(), "expected string; found 1")
        );

        let args = args_of("{{ upper .Values.nul }}");
        let bad = ArgTypeError {
            name: "upper",
            ident: &args[0],
            args: &args[1..],
            vals: &[Value::Nil],
            boxed: 1,
            piped: false,
        };
        let (_, msg) = bad
            .locate("wrong type for value; expected string; got <nil>")
            .unwrap();
        assert_eq!(
            msg,
            "wrong type for value; expected string; got interface {}"
        );

        let args = args_of("{{ trunc \"a\" \"b\" }}");
        let bad = ArgTypeError {
            name: "trunc",
            ident: &args[0],
            args: &args[1..],
            vals: &[Value::from("a"), Value::from("b")],
            boxed: 0,
            piped: false,
        };
        let (at, msg) = bad
            .locate("wrong type for value; expected int; got string")
            .unwrap();
        assert_eq!(
            (at.to_string(), msg.as_str()),
            ("\"a\"".to_string(), "expected integer; found \"a\"")
        );

        let args = args_of("{{ upper }}");
        let bad = ArgTypeError {
            name: "upper",
            ident: &args[0],
            args: &[],
            vals: &[Value::Float(3.0)],
            boxed: 0,
            piped: true,
        };
        let (at, msg) = bad
            .locate("wrong type for value; expected string; got float64")
            .unwrap();
        assert_eq!(
            (at.to_string(), msg.as_str()),
            (
                "upper".to_string(),
                "wrong type for value; expected string; got float64"
            )
        );
        assert!(bad.locate("something else").is_none());
    }
}
