//! `images`: rewrite the images of every container (`containers`,
//! `initContainers`, `ephemeralContainers`) of every workload — move them to
//! another registry or repository, change the tag, pin a digest.

use super::workload::{containers_mut, pod_spec_mut, CONTAINER_LISTS};
use crate::overlay::de::{checked_map, Check, OneOrMany};
use crate::overlay::glob::Glob;
use crate::overlay::params::ParamString;
use crate::overlay::provenance::Edits;
use serde::Deserialize;
use serde_json::Value;

/// An image reference split the way Docker reads it, remembering what was
/// left implicit so that a rewrite can keep the author's short form.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRef {
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    implicit_registry: bool,
    implicit_library: bool,
}

impl ImageRef {
    pub fn parse(s: &str) -> Option<ImageRef> {
        let s = s.trim();
        if s.is_empty() || s.contains(char::is_whitespace) {
            return None;
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (s, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest, None),
        };
        if name.is_empty() {
            return None;
        }
        let (registry, repo, implicit_registry) = match name.split_once('/') {
            Some((first, repo)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_string(), repo.to_string(), false)
            }
            _ => ("docker.io".to_string(), name.to_string(), true),
        };
        let implicit_library = registry == "docker.io" && !repo.contains('/');
        let repository = if implicit_library {
            format!("library/{repo}")
        } else {
            repo
        };
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
            implicit_registry,
            implicit_library,
        })
    }

    /// `registry/repository`, always explicit: what patterns match against.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    fn set_name(&mut self, name: &str) {
        match name.split_once('/') {
            Some((reg, repo)) => {
                self.registry = reg.to_string();
                self.repository = repo.to_string();
            }
            None => self.repository = name.to_string(),
        }
    }
}

impl std::fmt::Display for ImageRef {
    /// Back to text, as short as the original was where that still means the
    /// same image.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let docker = self.registry == "docker.io";
        if !(docker && self.implicit_registry) {
            write!(f, "{}/", self.registry)?;
        }
        let repo = match self.repository.strip_prefix("library/") {
            Some(short) if docker && self.implicit_registry && self.implicit_library => short,
            _ => &self.repository,
        };
        f.write_str(repo)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FromTo {
    pub from: ParamString,
    pub to: ParamString,
}

#[derive(Debug, Clone)]
pub struct RegexFromTo {
    pub from: regex::Regex,
    pub to: String,
}

impl<'de> Deserialize<'de> for RegexFromTo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ft = FromTo::deserialize(d)?;
        // Anchored: a pattern describes a whole image name.
        let from = regex::Regex::new(&format!("^(?:{})$", ft.from.0))
            .map_err(|e| serde::de::Error::custom(format!("invalid regex {:?}: {e}", ft.from.0)))?;
        Ok(RegexFromTo { from, to: ft.to.0 })
    }
}

/// One rewrite. Conditions first (`match`, and `prefix`/`regex`, which only
/// apply to names they fit), then the changes, in the order of the fields.
#[derive(Debug, Clone)]
pub struct ImageRewrite(pub RewriteFields);

impl<'de> Deserialize<'de> for ImageRewrite {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        checked_map(d).map(ImageRewrite)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewriteFields {
    /// Globs on `registry/repository` (Docker Hub names in full:
    /// `docker.io/library/redis`).
    #[serde(default, rename = "match")]
    pub matches: Option<OneOrMany<Glob>>,
    #[serde(default)]
    pub prefix: Option<FromTo>,
    #[serde(default)]
    pub regex: Option<RegexFromTo>,
    #[serde(default)]
    pub registry: Option<ParamString>,
    #[serde(default)]
    pub repository: Option<ParamString>,
    /// A new tag; drops a digest, which would pin the old image.
    #[serde(default)]
    pub tag: Option<ParamString>,
    /// `sha256:…`; keeps the tag for readers.
    #[serde(default)]
    pub digest: Option<ParamString>,
}

impl Check for RewriteFields {
    fn check(self) -> Result<Self, String> {
        let f = self;
        if f.prefix.is_none()
            && f.regex.is_none()
            && f.registry.is_none()
            && f.repository.is_none()
            && f.tag.is_none()
            && f.digest.is_none()
        {
            return Err("an image rewrite needs at least one of prefix, regex, registry, repository, tag, digest".into());
        }
        if let Some(p) = &f.prefix {
            if p.from.0.is_empty() || p.from.0.contains(char::is_whitespace) {
                return Err(format!(
                    "invalid prefix from {:?}: the start of image names to rewrite, non-empty, without spaces (e.g. docker.io/bitnami/)",
                    p.from.0
                ));
            }
            if p.to.0.contains(char::is_whitespace) {
                return Err(format!(
                    "invalid prefix to {:?}: no spaces in an image name",
                    p.to.0
                ));
            }
        }
        if let Some(d) = &f.digest {
            let ok = d.0.split_once(':').is_some_and(|(algo, hex)| {
                !algo.is_empty() && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
            });
            if !ok {
                return Err(format!(
                    "invalid digest {:?}: write it as sha256:<64 hex digits>",
                    d.0
                ));
            }
        }
        if let Some(t) = &f.tag {
            let ok = !t.0.is_empty()
                && t.0.len() <= 128
                && t.0
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
                && !t.0.starts_with(['.', '-']);
            if !ok {
                return Err(format!(
                    "invalid tag {:?}: letters, digits, _ . - (not first), at most 128",
                    t.0
                ));
            }
        }
        for (what, v) in [("registry", &f.registry), ("repository", &f.repository)] {
            if v.as_ref()
                .is_some_and(|v| v.0.is_empty() || v.0.contains(char::is_whitespace))
            {
                return Err(format!(
                    "invalid {what}: it must be non-empty, without spaces"
                ));
            }
        }
        Ok(f)
    }
}

impl ImageRewrite {
    /// The rewritten reference, or `None` when this rewrite does not apply.
    pub fn rewrite(&self, image: &ImageRef) -> Option<ImageRef> {
        let f = &self.0;
        let name = image.name();
        if let Some(m) = &f.matches {
            if !m.0.iter().any(|g| g.matches(&name)) {
                return None;
            }
        }
        let mut out = image.clone();
        if let Some(p) = &f.prefix {
            let rest = name.strip_prefix(&p.from.0)?;
            out.set_name(&format!("{}{rest}", p.to.0));
        }
        if let Some(r) = &f.regex {
            let current = out.name();
            if !r.from.is_match(&current) {
                return None;
            }
            out.set_name(&r.from.replace(&current, r.to.as_str()));
        }
        if let Some(reg) = &f.registry {
            out.registry = reg.0.clone();
        }
        if let Some(repo) = &f.repository {
            out.repository = repo.0.clone();
        }
        if let Some(t) = &f.tag {
            out.tag = Some(t.0.clone());
            out.digest = None;
        }
        if let Some(d) = &f.digest {
            out.digest = Some(d.0.clone());
        }
        Some(out)
    }
}

pub fn apply(rewrites: &[ImageRewrite], doc: &mut Value, edits: &mut Edits) {
    let Some((base, spec)) = pod_spec_mut(doc) else {
        return;
    };
    for (cpath, c) in containers_mut(base, spec, &CONTAINER_LISTS) {
        let Some(Value::String(text)) = c.get("image") else {
            continue;
        };
        let Some(mut image) = ImageRef::parse(text) else {
            continue;
        };
        let mut changed = false;
        for r in rewrites {
            if let Some(new) = r.rewrite(&image) {
                changed |= new != image;
                image = new;
            }
        }
        let new = image.to_string();
        if changed && new != *text {
            let old = c.insert("image".into(), Value::String(new.clone()));
            edits.note(format!("{cpath}/image"), old, Some(Value::String(new)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rw(yaml: &str) -> Vec<ImageRewrite> {
        yaml_serde::from_str(yaml).unwrap()
    }

    fn one(rules: &str, image: &str) -> String {
        let mut d = json!({"kind": "Pod", "spec": {"containers": [{"name": "a", "image": image}]}});
        apply(&rw(rules), &mut d, &mut Edits::default());
        d["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn prefixes_are_checked() {
        for (bad, want) in [
            ("- {prefix: {from: '', to: x/}}", "invalid prefix from \"\""),
            (
                "- {prefix: {from: 'a b/', to: x/}}",
                "invalid prefix from \"a b/\"",
            ),
            (
                "- {prefix: {from: a/, to: 'x /'}}",
                "invalid prefix to \"x /\"",
            ),
        ] {
            let e = yaml_serde::from_str::<Vec<ImageRewrite>>(bad).unwrap_err();
            assert!(e.to_string().contains(want), "{bad}: {e}");
        }
    }

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("redis").unwrap();
        assert_eq!(r.name(), "docker.io/library/redis");
        assert_eq!(r.to_string(), "redis");
        let r = ImageRef::parse("localhost:5000/a/b:1@sha256:abc").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("localhost:5000", "a/b")
        );
        assert_eq!(r.tag.as_deref(), Some("1"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        assert_eq!(r.to_string(), "localhost:5000/a/b:1@sha256:abc");
        assert_eq!(
            ImageRef::parse("bitnami/redis:7").unwrap().name(),
            "docker.io/bitnami/redis"
        );
        assert!(ImageRef::parse("").is_none());
        assert!(ImageRef::parse(":x").is_none());
    }

    #[test]
    fn prefix_regex_registry_tag_digest() {
        let legacy = "- prefix: {from: docker.io/bitnami/, to: docker.io/bitnamilegacy/}";
        assert_eq!(
            one(legacy, "docker.io/bitnami/redis:7.2.4-debian-11-r0"),
            "docker.io/bitnamilegacy/redis:7.2.4-debian-11-r0"
        );
        assert_eq!(one(legacy, "bitnami/redis:7"), "bitnamilegacy/redis:7");
        assert_eq!(
            one(legacy, "docker.io/bitnamilegacy/redis:7"),
            "docker.io/bitnamilegacy/redis:7"
        );
        assert_eq!(
            one(legacy, "quay.io/bitnami/redis:7"),
            "quay.io/bitnami/redis:7"
        );
        assert_eq!(
            one(
                "- {regex: {from: 'docker.io/library/(.*)', to: 'mirror.local/hub/$1'}}",
                "redis:7"
            ),
            "mirror.local/hub/redis:7"
        );
        assert_eq!(
            one("- {match: 'docker.io/*', registry: ghcr.io}", "nginx"),
            "ghcr.io/library/nginx"
        );
        assert_eq!(one("- {tag: '2'}", "a/b:1@sha256:00"), "a/b:2");
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            one(&format!("- {{digest: '{digest}'}}"), "a/b:1"),
            format!("a/b:1@{digest}")
        );
    }

    #[test]
    fn reaches_every_container_list() {
        let mut d = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"image": "bitnami/a"}], "initContainers": [{"image": "bitnami/b"}], "ephemeralContainers": [{"image": "bitnami/c"}]}}}}}});
        let mut e = Edits::default();
        apply(
            &rw("- {prefix: {from: docker.io/bitnami/, to: ghcr.io/x/}}"),
            &mut d,
            &mut e,
        );
        assert_eq!(e.items.len(), 3);
        assert_eq!(
            d.pointer("/spec/jobTemplate/spec/template/spec/ephemeralContainers/0/image"),
            Some(&json!("ghcr.io/x/c"))
        );
    }

    #[test]
    fn bad_rewrites_are_errors() {
        for bad in [
            "- {}",
            "- {regex: {from: '(', to: x}}",
            "- {tag: 'a b'}",
            "- {digest: md5}",
            "- {prefix: {from: a}}",
            "- {registy: x}",
        ] {
            let e = yaml_serde::from_str::<Vec<ImageRewrite>>(bad).unwrap_err();
            assert!(e.location().is_some(), "{bad}: {e}");
        }
    }
}
