//! Running a Docker credential helper (`docker-credential-NAME get`) with a
//! time limit. A helper may wait for a desktop keyring to unlock, or hang for
//! good; chartfix would wait with it. After [`helper_timeout`] the helper is
//! killed and the lookup fails with what to do.

use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a helper may take unless `CHARTFIX_CREDENTIAL_HELPER_TIMEOUT`
/// (seconds) says otherwise: long enough for a keyring prompt.
pub const DEFAULT_HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// The time limit in force: the environment's, or the default.
pub fn helper_timeout() -> Duration {
    std::env::var("CHARTFIX_CREDENTIAL_HELPER_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)))
        .unwrap_or(DEFAULT_HELPER_TIMEOUT)
}

/// What a helper gave back.
pub struct Answer {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Why running the helper gave no answer.
pub enum Failed {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It ran past the limit and was killed.
    TimedOut(Duration),
    Wait(std::io::Error),
}

/// Runs `program get` with `input` on stdin, within `limit`. Its output is
/// read on threads, so a helper that fills a pipe or never closes it cannot
/// hold chartfix past the limit either.
pub fn run(program: &str, input: &str, limit: Duration) -> Result<Answer, Failed> {
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Failed::Spawn)?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that does not read its input is its own business.
        let _ = stdin.write_all(input.as_bytes());
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait(&mut child, limit)?;
    Ok(Answer {
        status,
        // The pipes close when the helper exits (unless it left children
        // holding them): then the threads end and give what they read.
        stdout: stdout
            .recv_timeout(Duration::from_secs(1))
            .unwrap_or_default(),
        stderr: stderr
            .recv_timeout(Duration::from_secs(1))
            .unwrap_or_default(),
    })
}

/// Reads a pipe to its end on a thread; at most 1 MiB is kept.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = std::sync::mpsc::channel();
    if let Some(pipe) = pipe {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.take(1 << 20).read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
    }
    rx
}

/// Waits for `child` at most `limit`, then kills it.
fn wait(child: &mut Child, limit: Duration) -> Result<ExitStatus, Failed> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(status) = child.try_wait().map_err(Failed::Wait)? {
            return Ok(status);
        }
        if started.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Failed::TimedOut(limit));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::{run, Failed};
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    fn script(dir: &std::path::Path, body: &str) -> String {
        let path = dir.join("docker-credential-t");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.to_str().unwrap().to_string()
    }

    #[test]
    fn a_helper_that_hangs_is_killed_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let hang = script(dir.path(), "exec sleep 60");
        let started = Instant::now();
        let r = run(&hang, "h", Duration::from_millis(300));
        assert!(matches!(r, Err(Failed::TimedOut(_))));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_helper_that_answers_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let ok = script(
            dir.path(),
            "read s; echo \"{\\\"Username\\\":\\\"u\\\",\\\"Secret\\\":\\\"$s\\\"}\"",
        );
        let a = run(&ok, "host.example", Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no answer"));
        assert!(a.status.success());
        assert_eq!(
            String::from_utf8(a.stdout).unwrap().trim(),
            r#"{"Username":"u","Secret":"host.example"}"#
        );
    }
}
