//! Image references, normalised the way Docker does (`distribution/reference`):
//! `redis` is `docker.io/library/redis:latest`, `index.docker.io` is `docker.io`,
//! a first path component is a registry host only when it has a `.` or a `:`, is
//! `localhost`, or has an upper-case letter.

use std::fmt;

/// The registry every reference without a host belongs to.
pub const DOCKER_HUB: &str = "docker.io";
/// The host Docker Hub's distribution API answers on.
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";

/// A fully normalised image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    /// Registry host with its port, e.g. `docker.io`, `127.0.0.1:5000`.
    pub registry: String,
    /// Repository path, e.g. `library/redis`.
    pub repository: String,
    /// The tag; `latest` when the reference had neither tag nor digest.
    pub tag: Option<String>,
    /// `algorithm:hex` digest, when pinned.
    pub digest: Option<String>,
}

/// Why a string is not an image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidReference {
    pub input: String,
    pub reason: String,
}

impl fmt::Display for InvalidReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid image reference {:?}: {}",
            self.input, self.reason
        )
    }
}

impl std::error::Error for InvalidReference {}

/// Maps Docker Hub's aliases onto the one name references use.
pub fn canonical_registry(host: &str) -> String {
    let lower = host.to_ascii_lowercase();
    match lower.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            DOCKER_HUB.to_string()
        }
        _ => host.to_string(),
    }
}

impl ImageRef {
    /// Parses and normalises a reference as Docker does.
    pub fn parse(input: &str) -> Result<ImageRef, InvalidReference> {
        let bad = |reason: &str| InvalidReference {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        if input.is_empty() {
            return Err(bad("empty reference"));
        }
        if input.trim() != input || input.chars().any(|c| c.is_whitespace()) {
            return Err(bad("contains whitespace"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((rest, digest)) => {
                validate_digest(digest).map_err(|r| bad(&r))?;
                (rest, Some(digest.to_string()))
            }
            None => (input, None),
        };
        // A tag follows the last `:` only when no `/` comes after it; otherwise
        // the `:` is a registry port.
        let (name, tag) = match rest.rfind(':') {
            Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(rest[i + 1..].to_string())),
            _ => (rest, None),
        };
        if let Some(t) = &tag {
            validate_tag(t).map_err(|r| bad(&r))?;
        }
        if name.is_empty() {
            return Err(bad("no repository name"));
        }
        let (registry, path) = match name.split_once('/') {
            Some((first, remainder))
                if first.contains('.')
                    || first.contains(':')
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                validate_host(first).map_err(|r| bad(&r))?;
                (canonical_registry(first), remainder.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        validate_path(&repository).map_err(|r| bad(&r))?;
        if registry.len() + 1 + repository.len() > 255 {
            return Err(bad("repository name longer than 255 characters"));
        }
        let tag = match (tag, &digest) {
            (None, None) => Some("latest".to_string()),
            (tag, _) => tag,
        };
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// `registry/repository`, without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// What to ask the registry for: the digest when pinned (it wins over the
    /// tag, as in containerd), else the tag.
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// The same image under another tag, digest dropped.
    pub fn with_tag(&self, tag: &str) -> ImageRef {
        ImageRef {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        }
    }

    /// The same tag and digest in another repository of the same registry.
    pub fn with_repository(&self, repository: &str) -> ImageRef {
        ImageRef {
            repository: repository.to_string(),
            ..self.clone()
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

fn validate_tag(tag: &str) -> Result<(), String> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "tag {tag:?} must be 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
        ))
    }
}

fn validate_digest(digest: &str) -> Result<(), String> {
    let Some((alg, hex)) = digest.split_once(':') else {
        return Err(format!("digest {digest:?} has no algorithm (sha256:…)"));
    };
    let alg_ok = !alg.is_empty()
        && alg
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c));
    let hex_ok = hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit());
    if !alg_ok || !hex_ok {
        return Err(format!("digest {digest:?} is malformed"));
    }
    if alg == "sha256" && hex.len() != 64 {
        return Err(format!("sha256 digest {digest:?} must have 64 hex digits"));
    }
    if hex.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!("digest {digest:?} must be lower-case hex"));
    }
    Ok(())
}

/// Checks a registry host as given (`name`, `name:port`, `[v6]`, `[v6]:port`),
/// for image references and `oci://` chart references alike: a host that
/// cannot be connected to is misuse, said at once, not a network error
/// retried.
pub(crate) fn validate_host(host: &str) -> Result<(), String> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        // IPv6 literal: `[::1]:5000`.
        let Some((addr, after)) = rest.split_once(']') else {
            return Err(format!("registry host {host:?} has an unclosed '['"));
        };
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!(
                "registry host {host:?} is not an IPv6 address (write it as [::1]:5000)"
            ));
        }
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(p) => Some(p),
                None => {
                    return Err(format!(
                        "registry host {host:?} has {after:?} after its IPv6 address, where only :PORT may be"
                    ))
                }
            },
        };
        (None, port)
    } else {
        match host.split_once(':') {
            Some((n, p)) => (Some(n), Some(p)),
            None => (Some(host), None),
        }
    };
    if let Some(name) = name {
        let ok = !name.is_empty()
            && name.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !ok {
            let hint = if name.contains(':') || host.matches(':').count() > 1 {
                " (an IPv6 address goes in brackets: [::1]:5000)"
            } else {
                ""
            };
            return Err(format!(
                "registry host {host:?} is not a valid host name{hint}"
            ));
        }
    }
    if let Some(port) = port {
        // Digits only: `u16::from_str` would also take a leading `+`.
        let number = if port.bytes().all(|c| c.is_ascii_digit()) {
            port.parse::<u16>().ok()
        } else {
            None
        };
        if !matches!(number, Some(1..)) {
            return Err(format!(
                "registry host {host:?} has an invalid port {port:?} (a number from 1 to 65535)"
            ));
        }
    }
    Ok(())
}

fn validate_path(path: &str) -> Result<(), String> {
    for component in path.split('/') {
        if component.is_empty() {
            return Err(format!("repository {path:?} has an empty path component"));
        }
        if component.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(format!("repository name {path:?} must be lowercase"));
        }
        // Lower-case letters and digits, separated by `.`, `_`, `__` or runs of `-`.
        let bytes = component.as_bytes();
        let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
            return Err(format!(
                "repository component {component:?} must start and end with a letter or digit"
            ));
        }
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if alnum(b) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && !alnum(bytes[i]) {
                i += 1;
            }
            let sep = &component[start..i];
            let ok = sep == "." || sep == "_" || sep == "__" || sep.chars().all(|c| c == '-');
            if !ok {
                return Err(format!(
                    "repository component {component:?} has an invalid separator {sep:?}"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        ImageRef::parse(s).unwrap().to_string()
    }

    #[test]
    fn docker_normalisation() {
        assert_eq!(norm("redis"), "docker.io/library/redis:latest");
        assert_eq!(norm("bitnami/redis:7.2"), "docker.io/bitnami/redis:7.2");
        assert_eq!(
            norm("index.docker.io/redis"),
            "docker.io/library/redis:latest"
        );
        assert_eq!(
            norm("registry-1.docker.io/bitnami/redis:1"),
            "docker.io/bitnami/redis:1"
        );
        assert_eq!(norm("localhost/app"), "localhost/app:latest");
        assert_eq!(
            norm("registry.localhost:5000/beta9-gateway:latest"),
            "registry.localhost:5000/beta9-gateway:latest"
        );
        assert_eq!(norm("127.0.0.1:5000/a/b/c:v1"), "127.0.0.1:5000/a/b/c:v1");
        assert_eq!(norm("[::1]:5000/app:1"), "[::1]:5000/app:1");
        assert_eq!(norm("ghcr.io/org/app"), "ghcr.io/org/app:latest");
    }

    #[test]
    fn digests_and_tags() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::parse(&format!("redis@{d}")).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.reference(), d);
        let r = ImageRef::parse(&format!("redis:7@{d}")).unwrap();
        assert_eq!(r.tag.as_deref(), Some("7"));
        assert_eq!(r.reference(), d);
        assert_eq!(r.to_string(), format!("docker.io/library/redis:7@{d}"));
        let r = ImageRef::parse("localhost:5000/app").unwrap();
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.tag.as_deref(), Some("latest"));
    }

    #[test]
    fn invalid_references() {
        for bad in [
            "",
            "Redis",
            "redis:",
            "redis:-x",
            "redis@sha256:abc",
            "a//b",
            "foo/Bar",
            "redis: 7",
            "host:abc/app",
            "a--_b/x",
            "-a/b",
            ":tag",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} accepted");
        }
        let e = ImageRef::parse("foo/Bar").unwrap_err();
        assert!(e.to_string().contains("lowercase"), "{e}");
    }

    #[test]
    fn uppercase_first_component_is_a_host() {
        // Docker treats `Foo/bar` as registry `Foo`: it is not Hub.
        let r = ImageRef::parse("Foo/bar").unwrap();
        assert_eq!(r.registry, "Foo");
        assert_eq!(r.repository, "bar");
    }
}
