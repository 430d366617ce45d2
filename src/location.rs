//! A place in a named input, the one shape every error uses to say where:
//! `file:line:column`, as compilers, Go and Helm print it, so editors and
//! terminals can jump to it.

use std::fmt;

/// A place in an input: a file path, a template name (`chart/templates/x.yaml`),
/// `builtin:NAME` for a built-in overlay, `-` for stdin, or a stream label.
///
/// Lines and columns are 1-based; 0 means unknown, and the part is left out
/// when printed (`file:line`, or `file` for the input as a whole).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// `file:line:column`.
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Location {
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    /// The input as a whole, no place in it.
    pub fn whole(file: impl Into<String>) -> Location {
        Location::new(file, 0, 0)
    }

    /// The same place, its line counted in a larger text whose line
    /// `first_line` is this text's line 1 (a document in a stream).
    pub fn shifted(&self, first_line: usize) -> Location {
        let line = match self.line {
            0 => 0,
            l => l + first_line.saturating_sub(1),
        };
        Location::new(self.file.clone(), line, self.column)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_only_what_is_known() {
        assert_eq!(Location::new("a.yaml", 3, 7).to_string(), "a.yaml:3:7");
        assert_eq!(Location::new("a.yaml", 3, 0).to_string(), "a.yaml:3");
        assert_eq!(Location::whole("a.yaml").to_string(), "a.yaml");
        // A column without a line says nothing useful.
        assert_eq!(Location::new("a.yaml", 0, 4).to_string(), "a.yaml");
    }

    #[test]
    fn shifts_into_a_stream() {
        let in_doc = Location::new("out.yaml", 2, 5);
        assert_eq!(in_doc.shifted(10), Location::new("out.yaml", 11, 5));
        assert_eq!(Location::whole("x").shifted(10), Location::whole("x"));
    }
}
