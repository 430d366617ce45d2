//! When to try a request again, and how long to wait first.
//!
//! Transient failures (connection errors, timeouts, 429, 500/502/503/504) are
//! retried with exponential backoff and jitter; a server's `Retry-After`
//! (seconds or an HTTP date) is honoured, up to `max_delay`: a server asking
//! for longer than that is reported rather than waited for.

use super::wait::{wait_fits, Deadline};
use std::time::{Duration, SystemTime};

#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// Wait before the second try; doubles each time.
    pub base_delay: Duration,
    /// Longest wait, whether from backoff or `Retry-After`.
    pub max_delay: Duration,
    /// The command's overall deadline: no retry is waited for past it.
    pub deadline: Option<Deadline>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(20),
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// HTTP statuses worth another try.
    pub fn retryable_status(status: u16) -> bool {
        matches!(status, 429 | 500 | 502 | 503 | 504)
    }

    /// How long to wait after failed try number `attempt` (1-based), or `None`
    /// when no try is left or the server wants more than `max_delay`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.attempts {
            return None;
        }
        if let Some(wait) = retry_after {
            return (wait <= self.max_delay && wait_fits(wait, self.deadline.as_ref()))
                .then_some(wait);
        }
        let exp = self
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(16));
        // Up to 25 % jitter so that many clients do not retry in lockstep.
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let jitter = exp.mul_f64(f64::from(nanos % 1000) / 4000.0);
        let wait = (exp + jitter).min(self.max_delay);
        wait_fits(wait, self.deadline.as_ref()).then_some(wait)
    }

    /// Whether the deadline left no time for another try.
    fn out_of_time(&self) -> bool {
        self.deadline
            .is_some_and(|d| d.remaining() < Duration::from_millis(200))
    }

    /// Words the error of the last try: how many tries were made, or that
    /// the server asked for a longer wait than chartfix allows, so the reader
    /// knows retrying was tried and when trying again may help. `attempt` is
    /// the 1-based try that failed with `message`.
    pub fn give_up(&self, message: &str, attempt: u32, retry_after: Option<Duration>) -> String {
        if attempt < self.attempts && self.out_of_time() && !message.contains("--deadline") {
            if let Some(d) = &self.deadline {
                return format!("{message} (after {attempt} tries: {})", d.note());
            }
        }
        match retry_after {
            Some(wait) if wait > self.max_delay && attempt < self.attempts => format!(
                "{message} (the server asks to wait {}s, longer than chartfix waits ({}s): try again then)",
                wait.as_secs(),
                self.max_delay.as_secs()
            ),
            _ if attempt > 1 && message.is_empty() => format!("after {attempt} tries"),
            _ if attempt > 1 => format!("{message} (after {attempt} tries)"),
            _ => message.to_string(),
        }
    }
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(when.timestamp()).ok()?);
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_and_limits() {
        let p = RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            deadline: None,
        };
        let d1 = p.delay(1, None).unwrap();
        let d2 = p.delay(2, None).unwrap();
        assert!(d1 >= Duration::from_millis(100) && d1 <= Duration::from_millis(125));
        assert!(d2 >= Duration::from_millis(200) && d2 <= Duration::from_millis(250));
        assert_eq!(p.delay(3, None), None);
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.delay(1, Some(Duration::from_secs(60))), None);
        assert!(RetryPolicy::retryable_status(429));
        assert!(!RetryPolicy::retryable_status(404));
    }

    #[test]
    fn give_up_says_why() {
        let p = RetryPolicy::default();
        assert_eq!(p.give_up("HTTP 503", 1, None), "HTTP 503");
        assert_eq!(p.give_up("HTTP 503", 3, None), "HTTP 503 (after 3 tries)");
        let long = p.give_up("HTTP 429", 1, Some(Duration::from_secs(3600)));
        assert!(
            long.contains("wait 3600s") && long.contains("20s"),
            "{long}"
        );
        // The last try: the count matters more than the wait.
        let last = p.give_up("HTTP 429", 3, Some(Duration::from_secs(3600)));
        assert_eq!(last, "HTTP 429 (after 3 tries)");
    }

    #[test]
    fn no_retry_past_the_deadline() {
        let p = RetryPolicy {
            deadline: Some(Deadline {
                at: std::time::Instant::now(),
                total: Duration::from_secs(5),
            }),
            ..RetryPolicy::default()
        };
        assert_eq!(p.delay(1, None), None);
        assert_eq!(p.delay(1, Some(Duration::from_secs(1))), None);
        let m = p.give_up("no answer", 1, None);
        assert!(m.contains("deadline of 5s ran out"), "{m}");
    }
}
