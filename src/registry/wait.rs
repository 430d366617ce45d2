//! The command's overall deadline, and what a slow request shows while it
//! waits.
//!
//! Three limits bound network work: [`CONNECT_TIMEOUT`] for a connection,
//! the per-request timeout (`--timeout`) for one request with its whole
//! body, and one [`Deadline`] for everything a command asks (`--deadline`):
//! past it no request starts, none runs on and no retry is waited for.
//!
//! [`Waiting`] draws on stderr (a terminal only) the URL a request waits on
//! once it has taken more than [`SHOW_AFTER`], with the bytes received so
//! far as they come.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::future::Future;
use std::time::{Duration, Instant};

/// Longest wait for a TCP (and TLS) connection: a host that does not accept
/// within it is down or filtered, whatever `--timeout` allows a request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The one default of every command's `--deadline`: all network work of one
/// command, retries and waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);

/// curl's low-speed limit (`--speed-limit`/`--speed-time`): a body that comes
/// slower than [`LOW_SPEED_BYTES`] a second over [`LOW_SPEED_TIME`] is
/// abandoned, whatever `--timeout` would still allow it.
pub const LOW_SPEED_BYTES: u64 = 1024;
/// See [`LOW_SPEED_BYTES`].
pub const LOW_SPEED_TIME: Duration = Duration::from_secs(10);

/// A request still unanswered after this long is shown by URL.
pub const SHOW_AFTER: Duration = Duration::from_secs(1);

/// The connect timeout for a client whose requests may take `request`.
pub fn connect_timeout(request: Duration) -> Duration {
    request.min(CONNECT_TIMEOUT)
}

/// When a command's network work must be over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub at: Instant,
    /// What was allowed in all, for messages.
    pub total: Duration,
}

impl Deadline {
    /// A deadline `total` from now.
    pub fn after(total: Duration) -> Deadline {
        Deadline {
            at: Instant::now() + total,
            total,
        }
    }

    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// `… (the command's deadline of Ns ran out; --deadline sets it)`.
    pub fn note(&self) -> String {
        format!(
            "the command's deadline of {}s ran out; --deadline SECONDS allows more",
            self.total.as_secs()
        )
    }
}

/// How long one request may take: its own timeout, cut to what is left of
/// the deadline; `true` when the deadline is what limits it.
pub fn request_budget(per_request: Duration, deadline: Option<&Deadline>) -> (Duration, bool) {
    match deadline {
        Some(d) if d.remaining() < per_request => (d.remaining(), true),
        _ => (per_request, false),
    }
}

/// Whether waiting `wait` before another try still ends before the deadline
/// (with a moment left for the try itself).
pub fn wait_fits(wait: Duration, deadline: Option<&Deadline>) -> bool {
    deadline.is_none_or(|d| wait + Duration::from_millis(100) < d.remaining())
}

/// The message of a request that got no answer at all (not even headers)
/// within `budget`: it is not asked again.
pub fn unanswered(budget: Duration, by_deadline: bool, deadline: Option<&Deadline>) -> String {
    format!(
        "{}; not asked again: a server that takes connections and does not answer is down or overloaded",
        timed_out(budget, by_deadline, deadline)
    )
}

/// Watches a body as it comes for [`LOW_SPEED_BYTES`] over [`LOW_SPEED_TIME`],
/// counted in windows of that length from the first byte asked.
pub struct LowSpeed {
    window: Instant,
    bytes: u64,
}

impl Default for LowSpeed {
    fn default() -> LowSpeed {
        LowSpeed {
            window: Instant::now(),
            bytes: 0,
        }
    }
}

impl LowSpeed {
    /// Awaits `fut`, the body's next piece; `Err` with the message when the
    /// window closes on too few bytes before it comes.
    pub async fn next<F: Future>(&mut self, fut: F) -> Result<F::Output, String> {
        let mut fut = std::pin::pin!(fut);
        loop {
            let end = tokio::time::Instant::from_std(self.window + LOW_SPEED_TIME);
            match tokio::time::timeout_at(end, &mut fut).await {
                Ok(out) => return Ok(out),
                Err(_) => self.roll()?,
            }
        }
    }

    /// Counts `n` bytes received.
    pub fn advance(&mut self, n: u64) -> Result<(), String> {
        self.bytes += n;
        if self.window.elapsed() >= LOW_SPEED_TIME {
            self.roll()?;
        }
        Ok(())
    }

    /// Closes the window: too slow, or a fresh one.
    fn roll(&mut self) -> Result<(), String> {
        let secs = self.window.elapsed().as_secs_f32();
        if (self.bytes as f32) < LOW_SPEED_BYTES as f32 * secs {
            return Err(format!(
                "the body came at {} bytes in {secs:.0}s, below chartfix's low-speed limit of {LOW_SPEED_BYTES} bytes a second over {}s; not asked again: use a mirror (--repo-mirror, --registry-config) or try later",
                self.bytes,
                LOW_SPEED_TIME.as_secs()
            ));
        }
        self.window = Instant::now();
        self.bytes = 0;
        Ok(())
    }
}

/// The message of a request cut off after `budget`.
pub fn timed_out(budget: Duration, by_deadline: bool, deadline: Option<&Deadline>) -> String {
    match deadline {
        Some(d) if by_deadline => format!(
            "no complete answer within {}s: {}",
            budget.as_secs_f32(),
            d.note()
        ),
        _ => format!(
            "no complete answer within {}s (--timeout)",
            budget.as_secs_f32()
        ),
    }
}

/// What one request shows while it is slow; nothing at all when disabled
/// or quick.
pub struct Waiting {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: bool,
}

impl Waiting {
    /// For a request to `url` (never with credentials in it); `enabled` when
    /// stderr is a terminal and `-q` was not given.
    pub fn new(enabled: bool, url: &str, total: Option<u64>) -> Waiting {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
            let template = if total.is_some() {
                "{msg} [{bar:30}] {bytes}/{total_bytes} ({elapsed})"
            } else {
                "{spinner} {msg} {bytes} ({elapsed})"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(format!("waiting for {url}"));
            bar
        });
        Waiting {
            bar,
            started: Instant::now(),
            shown: false,
        }
    }

    /// Shows the bar once the request has been slow.
    pub fn tick(&mut self) {
        let Some(bar) = &self.bar else { return };
        if !self.shown && self.started.elapsed() >= SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
            self.shown = true;
        }
    }

    /// Bytes received: counted as they come.
    pub fn advance(&mut self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
        self.tick();
    }

    /// The server announced the size: a bar instead of a spinner.
    pub fn set_total(&mut self, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            if let Ok(style) =
                ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({elapsed})")
            {
                bar.set_style(style.progress_chars("=> "));
            }
        }
    }

    /// Awaits `fut`, showing the bar if it takes longer than [`SHOW_AFTER`].
    pub async fn during<F: Future>(&mut self, fut: F) -> F::Output {
        if self.bar.is_none() || self.shown {
            return fut.await;
        }
        let mut fut = std::pin::pin!(fut);
        let until = SHOW_AFTER.saturating_sub(self.started.elapsed());
        match tokio::time::timeout(until, &mut fut).await {
            Ok(r) => r,
            Err(_) => {
                self.tick();
                fut.await
            }
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_speed_windows() {
        let mut s = LowSpeed::default();
        assert!(s.advance(1).is_ok());
        s.window -= LOW_SPEED_TIME;
        let e = s.advance(1).unwrap_err();
        assert!(
            e.contains("2 bytes in 10s") && e.contains("low-speed limit"),
            "{e}"
        );
        let mut s = LowSpeed::default();
        s.window -= LOW_SPEED_TIME;
        assert!(s.advance(LOW_SPEED_BYTES * 11).is_ok());
        assert_eq!(s.bytes, 0, "a fresh window");
    }

    #[test]
    fn the_deadline_cuts_requests_and_retries() {
        let d = Deadline::after(Duration::from_secs(2));
        let (budget, by_deadline) = request_budget(Duration::from_secs(60), Some(&d));
        assert!(by_deadline && budget <= Duration::from_secs(2));
        assert_eq!(
            request_budget(Duration::from_secs(1), Some(&d)),
            (Duration::from_secs(1), false)
        );
        assert_eq!(
            request_budget(Duration::from_secs(60), None),
            (Duration::from_secs(60), false)
        );
        assert!(wait_fits(Duration::from_millis(300), Some(&d)));
        assert!(!wait_fits(Duration::from_secs(5), Some(&d)));
        assert!(wait_fits(Duration::from_secs(5), None));
        let past = Deadline {
            at: Instant::now(),
            total: Duration::from_secs(7),
        };
        assert_eq!(past.remaining(), Duration::ZERO);
        let m = timed_out(Duration::ZERO, true, Some(&past));
        assert!(
            m.contains("deadline of 7s") && m.contains("--deadline"),
            "{m}"
        );
        assert!(timed_out(Duration::from_secs(5), false, None).contains("--timeout"));
        assert_eq!(connect_timeout(Duration::from_secs(60)), CONNECT_TIMEOUT);
        assert_eq!(
            connect_timeout(Duration::from_secs(2)),
            Duration::from_secs(2)
        );
    }
}
