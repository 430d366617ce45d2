//! Choosing a chart version the way Helm does, from an OCI tag list or a
//! repository index, and saying which versions are nearest when none fits.

use crate::semver::{Constraint, Version};

/// OCI tags cannot hold `+`, so Helm pushes `1.2.3+meta` as tag `1.2.3_meta`.
pub fn version_to_tag(version: &str) -> String {
    version.replace('+', "_")
}

/// The version a tag stands for (Helm's reverse mapping).
pub fn tag_to_version(tag: &str) -> String {
    tag.replace('_', "+")
}

/// Picks a version from `available` (any order) for `wanted`, as Helm does:
/// an exact string match first, then the newest version that satisfies
/// `wanted` taken as a constraint (`*` when nothing is wanted, which leaves
/// prereleases out). Strings that are not versions are ignored.
pub fn select(available: &[String], wanted: Option<&str>) -> Result<Option<String>, String> {
    let wanted = wanted.map(str::trim).filter(|w| !w.is_empty());
    if let Some(w) = wanted {
        if let Some(exact) = available.iter().find(|v| v.as_str() == w) {
            return Ok(Some(exact.clone()));
        }
    }
    let constraint = Constraint::parse(wanted.unwrap_or("*"))
        .map_err(|e| format!("--version {:?}: {e}", wanted.unwrap_or("*")))?;
    Ok(sorted_desc(available)
        .into_iter()
        .find(|(v, _)| constraint.matches(v))
        .map(|(_, s)| s))
}

/// Up to `n` published versions nearest to `wanted`, newest first: around it
/// when it is a version, else the newest ones.
pub fn nearest(available: &[String], wanted: Option<&str>, n: usize) -> Vec<String> {
    let sorted = sorted_desc(available);
    let target = wanted.and_then(|w| Version::parse(w.trim()).ok());
    let Some(target) = target else {
        return sorted.into_iter().take(n).map(|(_, s)| s).collect();
    };
    // The index of the first version older than the target; take a window
    // around it, half on each side where there is room.
    let split = sorted
        .iter()
        .position(|(v, _)| v < &target)
        .unwrap_or(sorted.len());
    let newer = split.min(n / 2 + n % 2);
    let older = (sorted.len() - split).min(n - newer);
    let newer = (split).min(n - older);
    sorted[split - newer..split + older]
        .iter()
        .map(|(_, s)| s.clone())
        .collect()
}

/// Versions that parse, newest first, with the strings they came from.
fn sorted_desc(available: &[String]) -> Vec<(Version, String)> {
    let mut v: Vec<(Version, String)> = available
        .iter()
        .filter_map(|s| Version::parse(s).ok().map(|v| (v, s.clone())))
        .collect();
    v.sort_by(|a, b| b.0.cmp(&a.0));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn helm_selection() {
        let a = list(&[
            "18.6.1",
            "18.9.1",
            "18.6.4",
            "19.0.0-rc.1",
            "17.0.0",
            "latest",
        ]);
        assert_eq!(select(&a, None).unwrap().as_deref(), Some("18.9.1"));
        assert_eq!(
            select(&a, Some("18.6.1")).unwrap().as_deref(),
            Some("18.6.1")
        );
        assert_eq!(
            select(&a, Some("~18.6")).unwrap().as_deref(),
            Some("18.6.4")
        );
        assert_eq!(select(&a, Some("^17")).unwrap().as_deref(), Some("17.0.0"));
        assert_eq!(select(&a, Some("18.x")).unwrap().as_deref(), Some("18.9.1"));
        assert_eq!(
            select(&a, Some(">=1.2 <18")).unwrap().as_deref(),
            Some("17.0.0")
        );
        assert_eq!(
            select(&a, Some(">=19.0.0-0")).unwrap().as_deref(),
            Some("19.0.0-rc.1")
        );
        assert_eq!(select(&a, Some("20")).unwrap(), None);
        assert_eq!(
            select(&a, Some("latest")).unwrap().as_deref(),
            Some("latest")
        );
        assert!(select(&a, Some("~~1")).is_err());
    }

    #[test]
    fn tags() {
        assert_eq!(version_to_tag("1.2.3+up.1"), "1.2.3_up.1");
        assert_eq!(tag_to_version("1.2.3_up.1"), "1.2.3+up.1");
    }

    #[test]
    fn nearest_versions() {
        let a = list(&["18.5.0", "18.6.0", "18.6.2", "18.7.0", "19.0.0", "17.1.0"]);
        assert_eq!(
            nearest(&a, Some("18.6.1"), 4),
            list(&["18.7.0", "18.6.2", "18.6.0", "18.5.0"])
        );
        assert_eq!(nearest(&a, Some("99"), 2), list(&["19.0.0", "18.7.0"]));
        assert_eq!(nearest(&a, Some("1"), 2), list(&["18.5.0", "17.1.0"]));
        assert_eq!(nearest(&a, Some("~18"), 2), list(&["19.0.0", "18.7.0"]));
        assert!(nearest(&[], Some("1"), 3).is_empty());
    }
}
