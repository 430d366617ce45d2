//! One chartfix run as a test sees it, and the check that bad input gets: a
//! failure status, nothing on stdout, the expected words on stderr, soon.

use std::process::Output;
use std::time::{Duration, Instant};

pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    pub fn new(out: Output, started: Instant) -> Run {
        Run {
            code: out.status.code(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took: started.elapsed(),
        }
    }

    /// Exit `code`, empty stdout, every `expect` on stderr, within `bound`.
    pub fn assert_refused(&self, case: &str, code: i32, expect: &[&str], bound: Duration) {
        let head: String = self.stderr.chars().take(500).collect();
        println!("{case}: {:?}: {head}", self.took);
        assert_eq!(self.code, Some(code), "{case}: {head}");
        assert!(
            self.stdout.is_empty(),
            "{case}: {} bytes on stdout",
            self.stdout.len()
        );
        for e in expect {
            assert!(
                self.stderr.contains(e),
                "{case}: stderr lacks {e:?}: {head}"
            );
        }
        assert!(self.took < bound, "{case}: took {:?}", self.took);
    }
}
