//! The one scrubber for text chartfix prints: every `user:password@` in a URL
//! becomes `***@`, and every secret chartfix has sent (a password, the Basic
//! header made of it, a token) becomes `***`.
//!
//! Why a list of secrets: a registry's error body may echo the
//! `Authorization` header it was given, and a mirror may quote the request.
//! chartfix cannot know every place a server puts it, but it knows what it
//! sent, so each is remembered as it is sent and cut from every message
//! (`cli`'s `stderrln!`, the error line, `images`/`check` output).

use std::sync::Mutex;

/// `text` with the `user:password@` of every URL in it replaced by `***@`:
/// the last line of defence for messages that quote what the user or a
/// repository wrote (a Chart.yaml dependency, an index entry, a stack file).
pub fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '`' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str("***");
                rest = &tail[at..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// The secrets sent so far in this process.
static SENT: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Shorter secrets are not looked for: three letters would be cut out of
/// ordinary words. (They are not safe secrets either.)
const SHORTEST: usize = 4;

/// Remembers a secret about to be sent.
pub fn remember(secret: &str) {
    if secret.len() < SHORTEST {
        return;
    }
    let mut sent = SENT.lock().unwrap_or_else(|p| p.into_inner());
    if !sent.iter().any(|s| s == secret) {
        sent.push(secret.to_string());
        // Longest first, so a secret inside another is not cut first.
        sent.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Remembers Basic credentials: the password, and the header value that
/// carries it (`base64(user:password)`).
pub fn remember_basic(user: &str, password: &str) {
    use base64::Engine;
    remember(password);
    remember(&base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
}

/// `text` without URL credentials or any secret sent.
pub fn scrub(text: &str) -> String {
    let mut out = redact_userinfo(text);
    let sent = SENT.lock().unwrap_or_else(|p| p.into_inner());
    for s in sent.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{redact_userinfo, remember, remember_basic, scrub};

    #[test]
    fn userinfo_is_redacted() {
        assert_eq!(
            redact_userinfo(
                "GET http://u:p@h:1/x failed; see oci://a:b@r/c@sha256:ab and \"https://t@h\""
            ),
            "GET http://***@h:1/x failed; see oci://***@r/c@sha256:ab and \"https://***@h\""
        );
        assert_eq!(
            redact_userinfo("no URL, a@b and ://"),
            "no URL, a@b and ://"
        );
        assert_eq!(redact_userinfo("http://h/p@x"), "http://h/p@x");
    }

    #[test]
    fn sent_secrets_and_url_credentials_are_cut() {
        remember_basic("bob", "hunter2-scrub-test");
        remember("tok-scrub-test-123");
        remember("abc");
        let said = "401 from https://u:pw@h/v2/: header Basic Ym9iOmh1bnRlcjItc2NydWItdGVzdA== \
                    password hunter2-scrub-test, token tok-scrub-test-123, abc";
        assert_eq!(
            scrub(said),
            "401 from https://***@h/v2/: header Basic *** password ***, token ***, abc"
        );
    }
}
