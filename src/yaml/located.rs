//! An error at a place in a named input (an overlay, a stack file):
//! `origin:line:column: message`, or `origin: message` when no place is known.

use std::fmt;

use crate::location::Location;

#[derive(Debug, Clone, PartialEq)]
pub struct LocatedError {
    /// Where: the input's name (a path, `builtin:NAME`, a flag) and, when
    /// known, the line and column in it.
    pub location: Location,
    pub message: String,
}

impl LocatedError {
    /// An error at `line:column` of `origin`.
    pub fn at(origin: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        LocatedError {
            location: Location::new(origin, line, column),
            message: message.into(),
        }
    }

    /// An error about `origin` as a whole.
    pub fn whole(origin: &str, message: impl Into<String>) -> Self {
        Self::at(origin, 0, 0, message)
    }

    /// A limit [`super::check_limits`] found exceeded in `origin`.
    pub fn limit(origin: &str, e: super::YamlError) -> Self {
        Self::at(origin, e.line, e.column, e.message)
    }

    /// yaml_serde's error, its place taken out of the message and put in front.
    pub fn serde(origin: &str, e: &yaml_serde::Error) -> Self {
        let (line, column, message) = serde_place(e);
        Self::at(origin, line, column, message)
    }
}

/// yaml_serde's error as (line, column, message): 1-based, (0, 0) when it
/// has no place. yaml_serde appends " at line L column C" to its message;
/// a caller says the place once, in its own form, so it is cut off here.
pub fn serde_place(e: &yaml_serde::Error) -> (usize, usize, String) {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    let mut message = e.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    (line, column, message)
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for LocatedError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_the_place_once() {
        let e = yaml_serde::from_str::<std::collections::BTreeMap<String, u8>>("a: 1\nb: x\n")
            .unwrap_err();
        let e = LocatedError::serde("f.yaml", &e);
        assert_eq!((e.location.line, e.location.column), (2, 4));
        assert_eq!(
            e.to_string(),
            "f.yaml:2:4: b: invalid type: string \"x\", expected u8"
        );
        assert_eq!(
            LocatedError::whole("--flag", "no such thing").to_string(),
            "--flag: no such thing"
        );
    }
}
