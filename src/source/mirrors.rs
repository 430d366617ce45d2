//! `--repo-mirror FROM_URL=TO_URL`: HTTP chart repositories served from
//! somewhere else (an air-gapped copy, or a test server). Only where the bytes
//! come from changes; the cache still files charts under the public URL.

/// Prefix rewrites, the longest matching prefix winning.
#[derive(Clone, Debug, Default)]
pub struct RepoMirrors {
    rules: Vec<(String, String)>,
}

impl RepoMirrors {
    /// Parses `FROM=TO` pairs.
    pub fn parse(pairs: &[String]) -> Result<RepoMirrors, String> {
        let mut rules = Vec::new();
        for p in pairs {
            let (from, to) = p
                .split_once('=')
                .ok_or_else(|| format!("--repo-mirror {p:?} must be FROM_URL=TO_URL"))?;
            // Quoted back without any user:password@ it holds.
            let shown = crate::scrub::redact_userinfo(p);
            for u in [from, to] {
                if !(u.starts_with("http://") || u.starts_with("https://")) {
                    return Err(format!(
                        "--repo-mirror {shown:?}: {:?} must start with http:// or https://",
                        crate::scrub::redact_userinfo(u)
                    ));
                }
                // Both URLs are named in messages, and the public one in the
                // cache's records.
                super::reference::refuse_userinfo(u)
                    .map_err(|e| format!("--repo-mirror {shown:?}: {e}"))?;
            }
            rules.push((
                from.trim_end_matches('/').to_string(),
                to.trim_end_matches('/').to_string(),
            ));
        }
        rules.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
        Ok(RepoMirrors { rules })
    }

    /// Where to fetch `url` from. A prefix matches only at a path boundary, so
    /// `https://h/bitnami` does not capture `https://h/bitnami-old`.
    pub fn rewrite(&self, url: &str) -> String {
        for (from, to) in &self.rules {
            if let Some(rest) = url.strip_prefix(from.as_str()) {
                if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') {
                    return format!("{to}{rest}");
                }
            }
        }
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_at_boundaries() {
        let m = RepoMirrors::parse(&[
            "https://charts.bitnami.com/bitnami=http://127.0.0.1:9/b/".into(),
            "https://charts.bitnami.com=http://127.0.0.1:9/all".into(),
        ])
        .unwrap();
        assert_eq!(
            m.rewrite("https://charts.bitnami.com/bitnami/index.yaml"),
            "http://127.0.0.1:9/b/index.yaml"
        );
        assert_eq!(
            m.rewrite("https://charts.bitnami.com/bitnami-old/x.tgz"),
            "http://127.0.0.1:9/all/bitnami-old/x.tgz"
        );
        assert_eq!(m.rewrite("https://other/x"), "https://other/x");
        assert!(RepoMirrors::parse(&["nope".into()]).is_err());
        assert!(RepoMirrors::parse(&["a=http://b".into()]).is_err());
        for p in [
            "https://h/r=http://u:pw-secret@127.0.0.1:9/r",
            "https://u:pw-secret@h/r=http://127.0.0.1:9/r",
        ] {
            let e = RepoMirrors::parse(&[p.into()]).unwrap_err();
            assert!(
                !e.contains("pw-secret") && e.contains("user:password@"),
                "{e}"
            );
        }
    }
}
