//! What to use instead of an image that is missing or lacks a platform: the
//! same image in `docker.io/bitnamilegacy` (where Bitnami moved its old tags
//! in 2025), or the nearest tag of the same version line, newest first. Each
//! suggestion carries the overlay rule that would apply it.

use super::extract::UsedBy;
use super::inspect::{inspect, Inspection, Status};
use super::platform::Platform;
use crate::registry::{ImageRef, RegistryClient};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub image: String,
    pub reason: String,
    /// The overlay rule that makes the change, in the overlay file format.
    pub overlay: String,
}

/// How many nearest tags are verified before giving up on one.
const CANDIDATES_TRIED: usize = 3;

/// Finds a replacement for a problem image, verifying it on the registry.
pub async fn suggest(
    client: &RegistryClient,
    image: &ImageRef,
    found: &Inspection,
    wanted: &[Platform],
    used_by: &[UsedBy],
) -> (Option<Suggestion>, Vec<String>) {
    let mut nearest_names = Vec::new();
    if !matches!(
        found.status,
        Status::MissingTag | Status::MissingRepository | Status::MissingPlatform
    ) {
        return (None, nearest_names);
    }
    if let Some(legacy) = bitnami_legacy(image) {
        let got = inspect(client, &legacy, wanted).await;
        if got.status == Status::Ok {
            let reason = format!(
                "Bitnami moved its images to docker.io/bitnamilegacy; {} exists there{} (the built-in overlay bitnami-legacy moves every one)",
                legacy.reference(),
                platforms_note(wanted)
            );
            return (Some(make(image, &legacy, reason, used_by)), nearest_names);
        }
    }
    if image.digest.is_some() {
        return (None, nearest_names);
    }
    let Some(tag) = image.tag.as_deref() else {
        return (None, nearest_names);
    };
    let tags = match &found.tags {
        Some(t) => t.clone(),
        None => match client.tags(&image.registry, &image.repository).await {
            Ok(t) => t,
            Err(_) => return (None, nearest_names),
        },
    };
    let mut near = nearest_tags(tag, &tags);
    if found.status == Status::MissingPlatform {
        // Only newer builds may have gained the platform.
        let base = TagVersion::parse(tag);
        near.retain(|t| match (&base, TagVersion::parse(t)) {
            (Some(b), Some(v)) => v.cmp(b) == Ordering::Greater,
            _ => false,
        });
    }
    nearest_names = near.iter().take(5).cloned().collect();
    for candidate in near.iter().take(CANDIDATES_TRIED) {
        let alt = image.with_tag(candidate);
        if inspect(client, &alt, wanted).await.status == Status::Ok {
            let reason = format!(
                "nearest existing tag of the same version line{}",
                platforms_note(wanted)
            );
            return (Some(make(image, &alt, reason, used_by)), nearest_names);
        }
    }
    (None, nearest_names)
}

fn platforms_note(wanted: &[Platform]) -> String {
    if wanted.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = wanted.iter().map(ToString::to_string).collect();
        format!(", for {}", names.join(", "))
    }
}

/// `docker.io/bitnami/X` → `docker.io/bitnamilegacy/X`, same tag.
pub fn bitnami_legacy(image: &ImageRef) -> Option<ImageRef> {
    if image.registry != crate::registry::reference::DOCKER_HUB {
        return None;
    }
    let rest = image.repository.strip_prefix("bitnami/")?;
    Some(image.with_repository(&format!("bitnamilegacy/{rest}")))
}

fn make(from: &ImageRef, to: &ImageRef, reason: String, used_by: &[UsedBy]) -> Suggestion {
    Suggestion {
        image: to.to_string(),
        reason,
        overlay: overlay_rule(from, to, used_by),
    }
}

/// The rule in the overlay file format (see the overlays section of the
/// README): select the workloads that use the image, rewrite what differs.
/// Values are quoted so that a tag like `7.0` stays a string.
pub fn overlay_rule(from: &ImageRef, to: &ImageRef, used_by: &[UsedBy]) -> String {
    let list = |mut v: Vec<&str>| {
        v.sort();
        v.dedup();
        v.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kinds = list(used_by.iter().map(|u| u.kind.as_str()).collect());
    let names = list(used_by.iter().map(|u| u.name.as_str()).collect());
    let mut ops = vec![format!("match: \"{}\"", from.name())];
    if from.registry != to.registry {
        ops.push(format!("registry: \"{}\"", to.registry));
    }
    if from.repository != to.repository {
        ops.push(format!("repository: \"{}\"", to.repository));
    }
    if from.tag != to.tag {
        if let Some(t) = &to.tag {
            ops.push(format!("tag: \"{t}\""));
        }
    }
    format!(
        "{{select: {{kind: [{kinds}], name: [{names}]}}, images: [{{{}}}]}}",
        ops.join(", ")
    )
}

/// A tag read as a version: numeric release parts and what follows, e.g.
/// `7.0.11-debian-11-r0` → [7, 0, 11], flavour `-debian-#-r#`, build [11, 0].
#[derive(Debug, Clone, PartialEq, Eq)]
struct TagVersion {
    prefix: String,
    release: Vec<u64>,
    flavour: String,
    build: Vec<u64>,
}

impl TagVersion {
    fn parse(tag: &str) -> Option<TagVersion> {
        let (prefix, rest) = match tag.strip_prefix('v') {
            Some(r) => ("v", r),
            None => ("", tag),
        };
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let release_text = rest[..end].trim_end_matches('.');
        if release_text.is_empty() {
            return None;
        }
        let release: Vec<u64> = release_text
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let tail = &rest[release_text.len()..];
        let mut flavour = String::new();
        let mut build = Vec::new();
        let mut digits = String::new();
        for c in tail.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else {
                if !digits.is_empty() {
                    build.push(digits.parse().unwrap_or(u64::MAX));
                    flavour.push('#');
                    digits.clear();
                }
                flavour.push(c);
            }
        }
        if !digits.is_empty() {
            build.push(digits.parse().unwrap_or(u64::MAX));
            flavour.push('#');
        }
        Some(TagVersion {
            prefix: prefix.to_string(),
            release,
            flavour,
            build,
        })
    }

    fn cmp(&self, other: &TagVersion) -> Ordering {
        self.release
            .cmp(&other.release)
            .then_with(|| self.build.cmp(&other.build))
    }
}

/// Tags of the same version line as `tag` (same major.minor first, then the
/// same major), same flavour, newest first; `tag` itself excluded.
pub fn nearest_tags(tag: &str, tags: &[String]) -> Vec<String> {
    let Some(base) = TagVersion::parse(tag) else {
        return Vec::new();
    };
    let mut ranked: Vec<(u8, TagVersion, &String)> = tags
        .iter()
        .filter(|t| t.as_str() != tag)
        .filter_map(|t| TagVersion::parse(t).map(|v| (v, t)))
        .filter(|(v, _)| v.prefix == base.prefix && v.flavour == base.flavour)
        .filter_map(|(v, t)| {
            let same = |n: usize| base.release.get(..n) == v.release.get(..n);
            let line = if base.release.len() >= 2 && same(2) {
                0
            } else if same(1) {
                1
            } else {
                return None;
            };
            Some((line, v, t))
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
    ranked.into_iter().map(|(_, _, t)| t.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn nearest_same_line_newest_first() {
        let tags = strings(&[
            "7.0.10-debian-11-r5",
            "7.0.12-debian-11-r0",
            "7.0.12-debian-11-r3",
            "7.2.0-debian-12-r1",
            "7.0.15-alpine",
            "8.0.0-debian-12-r0",
            "latest",
            "6.2.0-debian-11-r1",
        ]);
        assert_eq!(
            nearest_tags("7.0.11-debian-11-r0", &tags),
            strings(&[
                "7.0.12-debian-11-r3",
                "7.0.12-debian-11-r0",
                "7.0.10-debian-11-r5",
                "7.2.0-debian-12-r1",
            ])
        );
        assert!(nearest_tags("latest", &tags).is_empty());
        assert_eq!(
            nearest_tags("v1.2.3", &strings(&["v1.2.4", "1.2.5", "v1.3.0", "v2.0.0"])),
            strings(&["v1.2.4", "v1.3.0"])
        );
        // numeric, not lexical: 1.10 is newer than 1.9
        assert_eq!(
            nearest_tags("1.8", &strings(&["1.9", "1.10"])),
            strings(&["1.10", "1.9"])
        );
    }

    #[test]
    fn bitnami_mapping_and_rule() {
        let r = ImageRef::parse("bitnami/redis:7.0.11-debian-11-r0").unwrap();
        let l = bitnami_legacy(&r).unwrap();
        assert_eq!(
            l.to_string(),
            "docker.io/bitnamilegacy/redis:7.0.11-debian-11-r0"
        );
        assert!(bitnami_legacy(&ImageRef::parse("quay.io/bitnami/redis").unwrap()).is_none());
        let used = vec![UsedBy {
            kind: "StatefulSet".into(),
            namespace: None,
            name: "redis".into(),
            container: "redis".into(),
        }];
        assert_eq!(
            overlay_rule(&r, &l, &used),
            r#"{select: {kind: ["StatefulSet"], name: ["redis"]}, images: [{match: "docker.io/bitnami/redis", repository: "bitnamilegacy/redis"}]}"#
        );
        assert_eq!(
            overlay_rule(&r, &r.with_tag("7.0"), &used),
            r#"{select: {kind: ["StatefulSet"], name: ["redis"]}, images: [{match: "docker.io/bitnami/redis", tag: "7.0"}]}"#
        );
    }
}
