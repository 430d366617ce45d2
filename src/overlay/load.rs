//! Finding and reading overlays: built-ins by name, files by path, with their
//! parameters and the overrides given for them.

use super::de::Ordered;
use super::params::with_params;
use super::rule::{OverlayFile, OverlayHead, ParamDecl, Rule};
use crate::yaml::LocatedError;
use indexmap::IndexMap;
use std::path::Path;

/// The overlays built into the binary, by name.
pub const BUILTINS: [(&str, &str); 3] = [
    ("arm64", include_str!("../../overlays/arm64.yaml")),
    ("no-traefik", include_str!("../../overlays/no-traefik.yaml")),
    (
        "bitnami-legacy",
        include_str!("../../overlays/bitnami-legacy.yaml"),
    ),
];

/// A loaded overlay, its parameters resolved.
#[derive(Debug)]
pub struct Overlay {
    pub name: String,
    pub description: String,
    /// Where it came from: `builtin:NAME` or the file's path.
    pub origin: String,
    /// Each parameter with the value in force and its description.
    pub parameters: Vec<(String, String, String)>,
    pub rules: Vec<Rule>,
}

impl Overlay {
    /// The name a rule goes by in messages: its own, or its position.
    pub fn rule_name(&self, index: usize) -> String {
        self.rules[index]
            .0
            .name
            .clone()
            .unwrap_or_else(|| format!("rule {}", index + 1))
    }
}

/// A parameter override, `OVERLAY.PARAM=VALUE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub overlay: String,
    pub param: String,
    pub value: String,
}

impl Override {
    pub fn parse(s: &str) -> Result<Override, String> {
        let (key, value) = s.split_once('=').ok_or_else(|| {
            format!(
                "invalid overlay parameter {s:?}: write OVERLAY.PARAM=VALUE, e.g. arm64.cpu=200m"
            )
        })?;
        let (overlay, param) = key
            .rsplit_once('.')
            .filter(|(o, p)| !o.is_empty() && !p.is_empty())
            .ok_or_else(|| format!("invalid overlay parameter {s:?}: write OVERLAY.PARAM=VALUE, e.g. arm64.cpu=200m"))?;
        Ok(Override {
            overlay: overlay.to_string(),
            param: param.to_string(),
            value: value.to_string(),
        })
    }
}

/// Reads an overlay from its text. `overrides` are `(param, value)` pairs for
/// this overlay; each must name a declared parameter.
pub fn parse(
    origin: &str,
    text: &str,
    overrides: &[(String, String)],
) -> Result<Overlay, LocatedError> {
    let err = |message: String| LocatedError::whole(origin, message);
    crate::yaml::check_limits(text, crate::yaml::SERDE_MAX_DEPTH)
        .map_err(|e| LocatedError::limit(origin, e))?;
    let head: OverlayHead = yaml_serde::from_str(text).map_err(|e| {
        let e = LocatedError::serde(origin, &e);
        // A file that is no mapping at all (`/etc/passwd` reads as one long
        // string) is not an overlay: say where, not what it holds.
        if e.message.ends_with("expected struct OverlayHead") {
            let (line, column) = (e.location.line, e.location.column);
            return LocatedError::at(
                origin,
                line,
                column,
                "not an overlay: an overlay is a YAML mapping with name: and rules:",
            );
        }
        e
    })?;
    let Ordered(decls): Ordered<String, ParamDecl> = head.parameters;
    let mut values: IndexMap<String, String> = decls
        .iter()
        .map(|(k, d)| (k.clone(), d.default.clone()))
        .collect();
    for (param, value) in overrides {
        match values.get_mut(param) {
            Some(v) => *v = value.clone(),
            None => {
                let name = head.name.as_deref().unwrap_or("overlay");
                let known: Vec<&str> = decls.iter().map(|(k, _)| k.as_str()).collect();
                return Err(err(format!(
                    "{name} has no parameter {param:?} (its parameters: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
    }
    let read = |values: &IndexMap<String, String>| {
        with_params(values, || yaml_serde::from_str::<OverlayFile>(text))
            .map_err(|e| LocatedError::serde(origin, &e))
    };
    let file = match read(&values) {
        Ok(file) => file,
        Err(mut e) => {
            if let Some(note) = blame_override(&decls, overrides, &e, read) {
                e.message.push_str(&note);
            }
            return Err(e);
        }
    };
    if file.name.trim().is_empty() || file.name.contains(char::is_whitespace) {
        return Err(err(
            "the overlay's name must be one word, e.g. name: my-cluster".into(),
        ));
    }
    let parameters = decls
        .into_iter()
        .map(|(k, d)| {
            let v = values.get(&k).cloned().unwrap_or_default();
            (k, v, d.description)
        })
        .collect();
    Ok(Overlay {
        name: file.name,
        description: file.description,
        origin: origin.to_string(),
        parameters,
        rules: file.rules,
    })
}

/// When the overlay reads with its defaults and an override alone makes it
/// fail where it failed (the place is in the overlay file, where the
/// parameter is used, not where the value was given), a note naming the
/// override and the default.
fn blame_override(
    decls: &[(String, ParamDecl)],
    overrides: &[(String, String)],
    failed: &LocatedError,
    read: impl Fn(&IndexMap<String, String>) -> Result<OverlayFile, LocatedError>,
) -> Option<String> {
    let defaults: IndexMap<String, String> = decls
        .iter()
        .map(|(k, d)| (k.clone(), d.default.clone()))
        .collect();
    if overrides.is_empty() || read(&defaults).is_err() {
        return None;
    }
    overrides.iter().find_map(|(param, value)| {
        let mut one = defaults.clone();
        one.insert(param.clone(), value.clone());
        let e = read(&one).err()?;
        (e.location == failed.location).then(|| {
            format!(
                " (in ${{{param}}}, given as {value:?}; the overlay's default is {:?})",
                defaults.get(param).map_or("", String::as_str)
            )
        })
    })
}

/// The text of a built-in, or `None`.
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Whether an overlay reference is written as a file path (a `/` or a
/// .yaml ending) rather than a built-in name.
pub fn looks_like_path(spec: &str) -> bool {
    spec.contains(['/', '\\']) || spec.ends_with(".yaml") || spec.ends_with(".yml")
}

/// Whether an overlay reference names a file rather than a built-in.
fn is_path(spec: &str) -> bool {
    looks_like_path(spec) || Path::new(spec).is_file()
}

/// The one message for an overlay name that is neither a built-in nor a
/// file, on the command line and in a stack alike.
pub fn unknown_overlay(spec: &str) -> String {
    format!(
        "no built-in overlay {spec:?} (built-ins: {}); a file path needs a `/` or a .yaml ending",
        BUILTINS
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Loads overlays in order from references (built-in names or paths), with
/// overrides `OVERLAY.PARAM=VALUE` applied to the overlay of that name.
pub fn load_all(specs: &[String], overrides: &[Override]) -> Result<Vec<Overlay>, LocatedError> {
    let mut out: Vec<Overlay> = Vec::new();
    for spec in specs {
        let (origin, text) = if is_path(spec) {
            let text = crate::input::read_to_string(spec)
                .map_err(|e| LocatedError::whole(spec, format!("cannot read overlay: {e}")))?;
            (spec.clone(), text)
        } else {
            let text =
                builtin(spec).ok_or_else(|| LocatedError::whole(spec, unknown_overlay(spec)))?;
            (format!("builtin:{spec}"), text.to_string())
        };
        // The overrides are keyed by the name inside the file; a built-in's
        // name is the one it is called by.
        // Too deep for yaml_serde to read in time: `parse` says so below.
        let head_name = crate::yaml::check_limits(&text, crate::yaml::SERDE_MAX_DEPTH)
            .ok()
            .and_then(|_| yaml_serde::from_str::<OverlayHead>(&text).ok())
            .and_then(|h| h.name);
        let mine: Vec<(String, String)> = overrides
            .iter()
            .filter(|o| Some(&o.overlay) == head_name.as_ref())
            .map(|o| (o.param.clone(), o.value.clone()))
            .collect();
        let overlay = parse(&origin, &text, &mine)?;
        if out.iter().any(|o| o.name == overlay.name) {
            return Err(LocatedError::whole(
                &origin,
                format!("overlay {:?} is given twice", overlay.name),
            ));
        }
        out.push(overlay);
    }
    for o in overrides {
        if !out.iter().any(|ov| ov.name == o.overlay) {
            return Err(LocatedError::whole(
                "--set-overlay",
                format!(
                    "{}.{}={}: no overlay named {:?} is applied (add --overlay {})",
                    o.overlay, o.param, o.value, o.overlay, o.overlay
                ),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_err(text: &str) -> LocatedError {
        parse("test.yaml", text, &[]).unwrap_err()
    }

    #[test]
    fn a_file_that_is_no_mapping_is_not_echoed() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
        let e = parse("/etc/passwd", passwd, &[]).unwrap_err().to_string();
        assert_eq!(
            e,
            "/etc/passwd:1:1: not an overlay: an overlay is a YAML mapping with name: and rules:"
        );
        for text in ["- a\n- b\n", "just words\n"] {
            let e = parse("x.yaml", text, &[]).unwrap_err().to_string();
            assert!(e.contains("not an overlay") && !e.contains("words"), "{e}");
        }
    }

    #[test]
    fn builtins_load() {
        for (name, _) in BUILTINS {
            let o = load_all(&[name.to_string()], &[]).unwrap();
            assert_eq!(o[0].name, name);
            assert_eq!(o[0].origin, format!("builtin:{name}"));
            assert!(!o[0].rules.is_empty());
        }
    }

    #[test]
    fn overrides_apply_and_are_checked() {
        let ov = Override::parse("arm64.cpu=200m").unwrap();
        let o = load_all(&["arm64".into()], &[ov]).unwrap();
        assert!(o[0]
            .parameters
            .iter()
            .any(|(k, v, _)| k == "cpu" && v == "200m"));
        let bad = load_all(
            &["arm64".into()],
            &[Override::parse("arm64.cpux=1").unwrap()],
        )
        .unwrap_err();
        assert!(
            bad.message.contains("no parameter \"cpux\"")
                && bad.message.contains("cpu, memory, arch"),
            "{bad}"
        );
        let bad = load_all(
            &["arm64".into()],
            &[Override::parse("arm64.cpu=lots").unwrap()],
        )
        .unwrap_err();
        assert!(
            bad.message.contains("invalid quantity") && bad.location.line > 0,
            "{bad}"
        );
        assert!(
            bad.message
                .contains("(in ${cpu}, given as \"lots\"; the overlay's default is \"100m\")"),
            "{bad}"
        );
        // no-traefik's node ports: in range, each once.
        for (value, want) in [
            (
                "1993:80,1994:80",
                "node port 80 (for port 1993) is outside 30000–32767",
            ),
            ("1993:31993,1993:31994", "port 1993 is mapped twice"),
            (
                "1993:31993,1994:31993",
                "node port 31993 is given to ports 1993 and 1994",
            ),
            ("1993:port", "invalid port \"port\""),
        ] {
            let set = Override::parse(&format!("no-traefik.nodePorts={value}")).unwrap();
            let bad = load_all(&["no-traefik".into()], &[set]).unwrap_err();
            assert_eq!(bad.location.file, "builtin:no-traefik", "{bad}");
            assert!(bad.location.line > 0 && bad.location.column > 0, "{bad}");
            assert!(bad.message.contains(want), "{value}: {bad}");
            assert!(
                bad.message.contains(&format!("given as {value:?}")),
                "{bad}"
            );
        }
        let bad = load_all(
            &["arm64".into()],
            &[Override::parse("other.cpu=1").unwrap()],
        )
        .unwrap_err();
        assert!(bad.message.contains("no overlay named"), "{bad}");
        assert!(Override::parse("cpu=1").is_err());
        assert!(Override::parse("arm64.cpu").is_err());
        assert!(load_all(&["nope".into()], &[])
            .unwrap_err()
            .message
            .contains("built-ins: arm64"));
    }

    #[test]
    fn errors_carry_positions() {
        let e = load_err("name: x\nrules:\n  - select: {kind: A}\n    resources:\n      requests:\n        cpu: {max: 10q}\n");
        assert_eq!(
            (e.location.line, e.location.file.as_str()),
            (6, "test.yaml"),
            "{e}"
        );
        assert!(e.to_string().starts_with("test.yaml:6:"), "{e}");
        assert!(e.message.contains("invalid quantity"), "{e}");
        let e = load_err("name: x\nrules:\n  - select: {kind: A}\n    drops: true\n");
        assert_eq!(e.location.line, 4, "{e}");
        assert!(e.message.contains("unknown field `drops`"), "{e}");
        let e = load_err("name: x\nrules:\n  - select: {kind: A}\n");
        assert!(
            e.location.line >= 3 && e.message.contains("needs an operation"),
            "{e}"
        );
        let e = load_err("name: x\nrules:\n- drop: true\n  set: {/a: '${nope}'}\n");
        assert_eq!(e.location.line, 4, "{e}");
        assert!(e.message.contains("unknown parameter"), "{e}");
        let e = load_err("name: x\nrules: []\nextra: 1\n");
        assert!(e.message.contains("unknown field `extra`"), "{e}");
        let e = load_err("name: x\nrules:\n- placement: {arch: a, weight: 300}\n");
        assert!(e.location.line >= 3, "{e}");
        let e = load_err(": : :\n");
        assert!(e.location.line > 0, "{e}");
    }
}
