//! Platforms (`os/arch[/variant]`), normalised as containerd does, so that
//! `arm64` and `arm64/v8`, or `aarch64` and `arm64`, are one platform.

use crate::registry::oci::{ImageConfigPlatform, ImageIndexEntry};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    /// Empty when the architecture has no variant (or its default one).
    pub variant: String,
}

impl Platform {
    /// Parses `os/arch[/variant]` as given on the command line.
    pub fn parse(s: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || format!("platform {s:?} is not OS/ARCH or OS/ARCH/VARIANT (e.g. linux/arm64)");
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.trim().is_empty()) {
            return Err(bad());
        }
        if parts.iter().any(|p| {
            !p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        }) {
            return Err(bad());
        }
        Ok(Platform::new(
            parts[0],
            parts[1],
            parts.get(2).copied().unwrap_or(""),
        ))
    }

    /// Builds a normalised platform from a manifest's fields.
    pub fn new(os: &str, architecture: &str, variant: &str) -> Platform {
        let os = os.to_ascii_lowercase();
        let arch = architecture.to_ascii_lowercase();
        let variant = variant.to_ascii_lowercase();
        let (arch, variant) = match (arch.as_str(), variant.as_str()) {
            ("aarch64" | "arm64", "v8" | "8") => ("arm64".to_string(), String::new()),
            ("aarch64", v) => ("arm64".to_string(), v.to_string()),
            ("x86_64" | "x86-64", v) => ("amd64".to_string(), v.to_string()),
            ("i386", v) => ("386".to_string(), v.to_string()),
            ("armhf", _) => ("arm".to_string(), "v7".to_string()),
            ("armel", _) => ("arm".to_string(), "v6".to_string()),
            // 32-bit ARM without a variant means v7; `7` means `v7`.
            ("arm", "") => ("arm".to_string(), "v7".to_string()),
            ("arm", v) if v.parse::<u8>().is_ok() => ("arm".to_string(), format!("v{v}")),
            (a, v) => (a.to_string(), v.to_string()),
        };
        Platform {
            os,
            architecture: arch,
            variant,
        }
    }

    /// Whether an image built for `self` runs where `wanted` is asked.
    pub fn satisfies(&self, wanted: &Platform) -> bool {
        self.os == wanted.os
            && self.architecture == wanted.architecture
            && (self.variant == wanted.variant || wanted.variant.is_empty())
    }

    /// The platform an index entry is for; `None` when it names none or
    /// `unknown/unknown` (attestations).
    pub fn of_index_entry(e: &ImageIndexEntry) -> Option<Platform> {
        let p = e.platform.as_ref()?;
        let p = Platform::new(&p.os, &p.architecture, p.variant.as_deref().unwrap_or(""));
        (!p.is_unknown()).then_some(p)
    }

    /// The platform an image config names (empty fields when it names none).
    pub fn of_config(c: &ImageConfigPlatform) -> Platform {
        Platform::new(&c.os, &c.architecture, c.variant.as_deref().unwrap_or(""))
    }

    /// Attestation and other non-runnable index entries say `unknown/unknown`.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" || self.architecture == "unknown"
    }
}

/// What to say when an image lacks `wanted`: `no linux/arm64 image; it
/// exists for linux/amd64` (the platforms it has sorted, each once).
pub fn lacking(wanted: &str, have: &[Platform]) -> String {
    let mut names: Vec<String> = have.iter().map(ToString::to_string).collect();
    names.sort();
    names.dedup();
    format!(
        "no {wanted} image; it exists for {}",
        if names.is_empty() {
            "no known platform".to_string()
        } else {
            names.join(", ")
        }
    )
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(f, "/{}", self.variant)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        Platform::parse(s).unwrap()
    }

    #[test]
    fn arm64_v8_is_arm64() {
        assert_eq!(p("linux/arm64/v8"), p("linux/arm64"));
        assert_eq!(p("linux/aarch64"), p("linux/arm64"));
        assert_eq!(p("linux/arm64").to_string(), "linux/arm64");
        assert_eq!(p("linux/x86_64").to_string(), "linux/amd64");
        assert_eq!(p("linux/arm").to_string(), "linux/arm/v7");
        assert!(p("linux/arm64/v8").satisfies(&p("linux/arm64")));
        assert!(!p("linux/amd64").satisfies(&p("linux/arm64")));
        assert!(p("linux/arm/v7").satisfies(&p("linux/arm")));
        assert!(!p("linux/arm/v6").satisfies(&p("linux/arm/v7")));
        assert!(!p("windows/amd64").satisfies(&p("linux/amd64")));
    }

    #[test]
    fn bad_platforms() {
        for bad in ["linux", "linux/", "/arm64", "a/b/c/d", "linux/arm 64"] {
            assert!(Platform::parse(bad).is_err(), "{bad}");
        }
    }
}
