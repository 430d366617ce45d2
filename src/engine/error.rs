//! Template errors, printed the way Helm 4 prints them.
//!
//! An error keeps Go's own text (`template: NAME:LINE:COL: executing "NAME" at
//! <EXPR>: MESSAGE`, nested for `include`) and its structure, because Helm
//! rewrites that text before showing it:
//! - parse errors become `parse error at (NAME:LINE): MESSAGE`;
//! - a `required` or `fail` message becomes `execution error at (NAME:LINE:COL): MESSAGE`;
//! - an error Go raised itself (not one a function returned), possibly under a chain
//!   of `include`s, is laid out one frame per stanza:
//!   `LOC\n  executing "NAME" at <EXPR>:\n    MESSAGE`;
//! - anything else is Go's text as it is.

use std::fmt;

use crate::location::Location;

/// What went wrong, broadly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text does not parse.
    Parse,
    /// Executing failed (a Go error or one returned by a function).
    Exec,
    /// `required` or `fail` stopped the render with the chart's own message.
    Fail,
    /// A configured limit (include depth, output size, steps) was exceeded.
    Limit,
    /// `render` was asked for a template that does not exist.
    NotFound,
}

/// A template error. Its `Display` is what Helm prints after `Error: `.
#[derive(Clone, Debug)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    kind: ErrorKind,
    /// The file the (outermost) error points into.
    file: String,
    line: u32,
    /// 0 for parse errors, which Go reports by line only.
    col: u32,
    /// Go's error text.
    go: String,
    /// The frames of Helm's multi-line layout, when it applies.
    frames: Option<Vec<Frame>>,
}

#[derive(Clone, Debug)]
struct Frame {
    location: String,
    template: String,
    context: String,
    message: String,
}

/// Why an execution error happened: decides how Helm lays it out.
pub enum Cause {
    /// Go's own check failed (`nil pointer evaluating …`, `wrong number of args …`).
    Go(String),
    /// A function returned an error: `error calling NAME: MESSAGE`.
    Call(String),
    /// `include` failed with a nested template error, or with another error.
    Include(Box<Error>),
    IncludeOther(String),
    /// An error that must pass through unchanged (a limit stopped the render).
    Fatal(Box<Error>),
}

impl Error {
    /// A parse error: Go's `template: FILE:LINE: MESSAGE`.
    pub fn parse(file: &str, line: u32, message: &str) -> Error {
        Error::new(
            ErrorKind::Parse,
            file,
            line,
            0,
            format!("template: {file}:{line}: {message}"),
            None,
        )
    }

    /// An execution error at `file:line:col` while executing `template`, at the
    /// expression printed as `context`.
    pub fn exec(
        file: &str,
        line: u32,
        col: u32,
        template: &str,
        context: &str,
        cause: Cause,
    ) -> Error {
        let location = format!("{file}:{line}:{col}");
        let head = format!(
            "template: {location}: executing {} at <{context}>: ",
            go_q(template)
        );
        let frame = |message: String| Frame {
            location: location.clone(),
            template: template.to_string(),
            context: context.to_string(),
            message,
        };
        let (go, frames) = match cause {
            Cause::Fatal(e) => return *e,
            Cause::Go(msg) => {
                let frames = vec![frame(msg.clone())];
                (head + &msg, Some(frames))
            }
            Cause::Call(msg) => (head + &msg, None),
            Cause::Include(inner) => {
                let go = format!("{head}error calling include: {}", inner.inner.go);
                let frames = inner.inner.frames.as_ref().map(|rest| {
                    let mut frames = vec![frame("error calling include:".to_string())];
                    frames.extend(rest.iter().cloned());
                    frames
                });
                (go, frames)
            }
            Cause::IncludeOther(msg) => {
                let go = format!("{head}error calling include: {msg}");
                // Helm lays out a plain Go template error under include (an unknown
                // name), but not Helm's own recursion error.
                let frames = msg.starts_with("template: ").then(|| {
                    vec![
                        frame("error calling include:".to_string()),
                        Frame {
                            location: String::new(),
                            template: String::new(),
                            context: String::new(),
                            message: msg.clone(),
                        },
                    ]
                });
                (go, frames)
            }
        };
        let kind = if helm_warning(&go).is_some() {
            ErrorKind::Fail
        } else {
            ErrorKind::Exec
        };
        Error::new(kind, file, line, col, go, frames)
    }

    /// An error outside Go's template machinery (limits, unknown template).
    pub fn other(kind: ErrorKind, file: &str, message: String) -> Error {
        Error::new(kind, file, 0, 0, message, None)
    }

    fn new(
        kind: ErrorKind,
        file: &str,
        line: u32,
        col: u32,
        go: String,
        frames: Option<Vec<Frame>>,
    ) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                file: file.to_string(),
                line,
                col,
                go,
                frames,
            }),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The file (template name given to `Engine::add`) the error points into.
    pub fn template(&self) -> &str {
        &self.inner.file
    }

    pub fn line(&self) -> u32 {
        self.inner.line
    }

    /// Go's column: bytes from the start of the line, 0-based (0 for parse errors).
    pub fn column(&self) -> u32 {
        self.inner.col
    }

    /// Where the (outermost) error is, 1-based as editors count: Go's
    /// 0-based byte column plus one; no column for parse errors, which Go
    /// places by line only.
    pub fn location(&self) -> Location {
        let column = match self.inner.kind {
            ErrorKind::Parse => 0,
            _ => self.inner.col as usize + 1,
        };
        Location::new(self.inner.file.as_str(), self.inner.line as usize, column)
    }

    /// Go's own error text, before Helm rewrites it (what `include` and `tpl` see).
    pub fn go_message(&self) -> &str {
        &self.inner.go
    }
}

/// The text Helm's `required`/`fail` wrap their message in, so that Helm can find
/// it again in Go's error text.
pub const WARN_START: &str = "HELM_ERR_START";
pub const WARN_END: &str = "HELM_ERR_END";

/// Helm's `HELM_ERR_START((?s).*)HELM_ERR_END`: from the first start marker to
/// the last end marker after it, across lines (Bitnami's `validateValues`
/// messages span several).
fn helm_warning(text: &str) -> Option<&str> {
    let start = text.find(WARN_START)? + WARN_START.len();
    let rest = text.get(start..)?;
    let end = rest.rfind(WARN_END)?;
    rest.get(..end)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let go = &self.inner.go;
        match self.inner.kind {
            ErrorKind::Parse => {
                // Helm: split on ": ", location is the second piece, message the last.
                let tokens: Vec<&str> = go.split(": ").collect();
                match (tokens.get(1), tokens.last()) {
                    (Some(loc), Some(msg)) if tokens.len() > 1 => {
                        write!(f, "parse error at ({loc}): {msg}")
                    }
                    _ => write!(f, "parse error in ({}): {go}", self.inner.file),
                }
            }
            ErrorKind::Exec | ErrorKind::Fail => {
                let mut tokens = go.splitn(3, ": ");
                let (_, loc, rest) = (tokens.next(), tokens.next(), tokens.next());
                let (Some(loc), Some(rest)) = (loc, rest) else {
                    return write!(f, "execution error in ({}): {go}", self.inner.file);
                };
                if let Some(warn) = helm_warning(rest) {
                    return write!(f, "execution error at ({loc}): {warn}");
                }
                match &self.inner.frames {
                    Some(frames) => {
                        let mut out = String::new();
                        for fr in frames {
                            if fr.location.is_empty() {
                                out.push_str(&fr.message);
                                out.push('\n');
                                continue;
                            }
                            out.push_str(&format!(
                                "{}\n  executing {} at <{}>:\n    {}\n",
                                fr.location,
                                go_q(&fr.template),
                                fr.context,
                                fr.message
                            ));
                        }
                        f.write_str(out.trim())
                    }
                    None => f.write_str(go),
                }
            }
            ErrorKind::Limit | ErrorKind::NotFound => f.write_str(go),
        }
    }
}

impl std::error::Error for Error {}

fn go_q(s: &str) -> String {
    crate::strconv::go_quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_is_one_based() {
        let e = Error::parse("p/t.yaml", 3, "missing value for if");
        assert_eq!(e.location().to_string(), "p/t.yaml:3");
        let e = Error::exec(
            "p/t.yaml",
            1,
            0,
            "p/t.yaml",
            "fail 1",
            Cause::Go("x".into()),
        );
        assert_eq!(e.location(), Location::new("p/t.yaml", 1, 1));
    }

    #[test]
    fn layouts_match_helm() {
        let e = Error::parse("p/t.yaml", 3, "missing value for if");
        assert_eq!(
            e.to_string(),
            "parse error at (p/t.yaml:3): missing value for if"
        );

        let e = Error::exec(
            "p/t.yaml",
            1,
            13,
            "p/t.yaml",
            ".Values.s.y",
            Cause::Go("nil pointer evaluating interface {}.y".into()),
        );
        assert_eq!(
            e.to_string(),
            "p/t.yaml:1:13\n  executing \"p/t.yaml\" at <.Values.s.y>:\n    nil pointer evaluating interface {}.y"
        );

        let e = Error::exec(
            "p/t.yaml",
            1,
            3,
            "p/t.yaml",
            "index 1 2",
            Cause::Call("error calling index: can't index item of type int".into()),
        );
        assert_eq!(
            e.to_string(),
            "template: p/t.yaml:1:3: executing \"p/t.yaml\" at <index 1 2>: error calling index: can't index item of type int"
        );

        let inner = Error::exec(
            "p/t.yaml",
            1,
            17,
            "t",
            "fail \"deep\"",
            Cause::Call("error calling fail: HELM_ERR_STARTdeepHELM_ERR_END".into()),
        );
        let e = Error::exec(
            "p/t.yaml",
            1,
            41,
            "p/t.yaml",
            "include \"t\" .",
            Cause::Include(Box::new(inner)),
        );
        assert_eq!(e.kind(), ErrorKind::Fail);
        assert_eq!(e.to_string(), "execution error at (p/t.yaml:1:41): deep");
    }
}
