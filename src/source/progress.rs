//! Download progress on stderr: a bar when stderr is a terminal and `-q` was
//! not given, nothing otherwise (so logs and pipes stay clean).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Whether progress should be drawn at all.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// One download's progress; a no-op when progress is off.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Starts a bar for `what` (a URL, never with credentials in it).
    pub fn start(enabled: bool, what: &str, total: Option<u64>) -> Progress {
        if !enabled {
            return Progress(None);
        }
        let bar = match total {
            Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        };
        let template = if total.is_some() {
            "{msg} [{bar:30}] {bytes}/{total_bytes}"
        } else {
            "{spinner} {msg} {bytes}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        if total.is_none() {
            // Registry pulls report no sizes as they go: keep the spinner moving.
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        Progress(Some(bar))
    }

    pub fn advance(&self, bytes: u64) {
        if let Some(b) = &self.0 {
            b.inc(bytes);
        }
    }

    /// Removes the bar; the caller reports the outcome itself.
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
