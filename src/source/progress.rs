//! Whether to draw progress on stderr: only when it is a terminal and `-q`
//! was not given (so logs and pipes stay clean). The drawing itself is the
//! registry client's ([`crate::registry::wait::Waiting`]): a request slower
//! than a second shows its URL, then its bytes as they come.

use std::io::IsTerminal;

/// Whether progress should be drawn at all.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}
