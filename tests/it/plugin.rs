//! The Helm plugins as Helm installs and runs them, without Helm: both plugin
//! folders installed into one plugin folder, the wrapper's error log, and the
//! comment post-render prints for an empty result.
//!
//! `helm plugin install ./DIR` (Helm 3.5+ and Helm 4, `LocalInstaller`) links
//! `$HELM_PLUGINS/<base name of DIR>` to DIR, and Helm loads every
//! `$HELM_PLUGINS/*/plugin.yaml`. The tests copy instead of linking, which is
//! stricter: a path that leaves the plugin folder does not resolve in a copy.
//! The real Helm 4 runs the same scenarios in
//! `../shared/tools/real-helm-plugin`.

use crate::support;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The plugin folders of the repository, as `helm plugin install` is given them.
const PLUGIN_DIRS: [&str; 2] = ["plugin", "plugin/chartfix-helm3"];

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// Installs both plugin folders into `plugins/` as Helm names them.
fn install_both(plugins: &Path) -> Vec<PathBuf> {
    PLUGIN_DIRS
        .iter()
        .map(|dir| {
            let src = support::project().join(dir);
            let dest = plugins.join(src.file_name().unwrap());
            copy_dir(&src, &dest);
            dest
        })
        .collect()
}

/// The paths that follow each of `markers` in a text, up to a space, a quote
/// or a closing parenthesis.
fn paths_after(text: &str, markers: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for marker in markers {
        for (i, _) in text.match_indices(marker) {
            let rest = &text[i + marker.len()..];
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ')'))
                .unwrap_or(rest.len());
            out.push(rest[..end].to_string());
        }
    }
    out
}

/// Every path a text names inside the plugin's own folder.
fn plugin_dir_refs(text: &str) -> Vec<String> {
    paths_after(text, &["$HELM_PLUGIN_DIR/", "${HELM_PLUGIN_DIR}/"])
}

/// Every path a text names under the plugin folder (`$HELM_PLUGINS/…` or
/// `$(helm env HELM_PLUGINS)/…`).
fn plugins_refs(text: &str) -> Vec<String> {
    paths_after(text, &["$HELM_PLUGINS/", "$(helm env HELM_PLUGINS)/"])
}

fn is_executable(p: &Path) -> bool {
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[test]
fn both_plugins_install_side_by_side() {
    let home = tempfile::tempdir().unwrap();
    let plugins = home.path().join("plugins");
    let installed = install_both(&plugins);

    // What Helm loads: every plugins/*/plugin.yaml, one name each.
    let mut names = Vec::new();
    let mut yamls = Vec::new();
    for entry in std::fs::read_dir(&plugins).unwrap() {
        let dir = entry.unwrap().path();
        let file = dir.join("plugin.yaml");
        let text = std::fs::read_to_string(&file).unwrap();
        let meta: serde_json::Value = yaml_serde::from_str(&text).unwrap();
        let name = meta["name"].as_str().unwrap().to_string();
        names.push(name);
        yamls.push((dir, text, meta));
    }
    names.sort();
    assert_eq!(names, ["chartfix", "chartfix-helm3"], "one name a plugin");

    let mut checked = 0;
    for (dir, text, meta) in &yamls {
        // Every path the plugin runs is in the installed copy, executable.
        let refs = plugin_dir_refs(text);
        assert!(!refs.is_empty(), "{}: runs nothing", dir.display());
        for r in refs {
            assert!(
                is_executable(&dir.join(&r)),
                "{}: $HELM_PLUGIN_DIR/{r} is not an executable in the installed copy",
                dir.display()
            );
            checked += 1;
        }
        // Every path its comments and description give under $HELM_PLUGINS exists.
        for r in plugins_refs(text) {
            assert!(
                plugins.join(&r).exists(),
                "{}: $HELM_PLUGINS/{r} does not exist after installing both",
                dir.display()
            );
            checked += 1;
        }
        // A legacy (Helm 3) plugin is found by path: its folder is its name.
        if meta.get("apiVersion").is_none() {
            assert_eq!(
                dir.file_name().unwrap().to_str(),
                meta["name"].as_str(),
                "Helm 3 names the installed folder after the source folder"
            );
        }
    }
    // The documentation's install paths exist too.
    let doc = std::fs::read_to_string(support::project().join("docs/plugin.md")).unwrap();
    let doc_refs = plugins_refs(&doc);
    assert!(
        !doc_refs.is_empty(),
        "docs/plugin.md names no installed path"
    );
    for r in doc_refs {
        assert!(
            plugins.join(&r).exists(),
            "docs/plugin.md: $(helm env HELM_PLUGINS)/{r} does not exist after installing both"
        );
        checked += 1;
    }
    assert!(checked >= 5, "{checked} paths checked");

    // The wrapper is one script in two places: each plugin is installed alone.
    let scripts: Vec<Vec<u8>> = installed
        .iter()
        .map(|d| std::fs::read(d.join("bin/chartfix-post-render")).unwrap())
        .collect();
    assert_eq!(scripts[0], scripts[1], "the two wrappers differ");
}

/// Runs an installed wrapper on `input` with a clean environment plus `env`.
fn wrapper(script: &Path, args: &[&str], env: &[(&str, &Path)], input: &[u8]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg(script).args(args);
    for var in [
        "CHARTFIX_BIN",
        "CHARTFIX_LOG",
        "CHARTFIX_OVERLAYS",
        "HELM_CACHE_HOME",
        "XDG_CACHE_HOME",
        "HOME",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    support::output_with_input(&mut cmd, Some(input))
}

#[test]
fn failures_are_logged_where_helm_keeps_its_cache() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let installed = install_both(&h.join("plugins"));
    let bin = Path::new(support::BIN);
    for dir in &installed {
        let script = dir.join("bin/chartfix-post-render");
        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        let cache = h.join(format!("cache-{case}"));

        // Helm 4 sets HELM_CACHE_HOME: the log is under it, and stderr names it.
        let env = [("CHARTFIX_BIN", bin), ("HELM_CACHE_HOME", cache.as_path())];
        let o = wrapper(&script, &["--overlay=no-such-overlay"], &env, b"a: 1\n");
        let err = support::stderr(&o);
        let log = cache.join("chartfix/post-render.log");
        assert_eq!(o.status.code(), Some(1), "{case}: {err}");
        assert!(o.stdout.is_empty(), "{case}");
        assert!(
            err.contains("no built-in overlay \"no-such-overlay\""),
            "{case}: {err}"
        );
        assert!(
            err.contains(&format!("this error is also in {}", log.display())),
            "{case}: {err}"
        );
        let logged = std::fs::read_to_string(&log).unwrap();
        assert!(
            logged.contains("exited 1")
                && logged.contains("--overlay=no-such-overlay")
                && logged.contains("no built-in overlay \"no-such-overlay\""),
            "{case}: {logged}"
        );

        // Success: the output, and nothing more in the log.
        let o = wrapper(
            &script,
            &["post-render", "--overlay=arm64"],
            &env,
            b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: x}\n",
        );
        assert!(o.status.success(), "{case}: {}", support::stderr(&o));
        assert!(support::stdout(&o).contains("kubernetes.io/arch: arm64"));
        assert_eq!(std::fs::read_to_string(&log).unwrap(), logged, "{case}");

        // No chartfix anywhere the wrapper looks: 127, logged too.
        let system = "/usr/bin:/bin";
        if system
            .split(':')
            .any(|d| Path::new(d).join("chartfix").exists())
        {
            support::skip("a chartfix binary is installed in /usr/bin or /bin");
            continue;
        }
        let o = Command::new("sh")
            .arg(&script)
            .env_clear()
            .env("PATH", system)
            .env("HELM_CACHE_HOME", &cache)
            .output()
            .unwrap();
        let err = support::stderr(&o);
        assert_eq!(o.status.code(), Some(127), "{case}: {err}");
        assert!(err.contains("no chartfix binary"), "{case}: {err}");
        let logged = std::fs::read_to_string(&log).unwrap();
        assert!(
            logged.contains("exited 127") && logged.contains("no chartfix binary"),
            "{case}: {logged}"
        );

        // Without HELM_CACHE_HOME (Helm 3 runs a post-renderer without it):
        // Helm's default cache folder, from XDG_CACHE_HOME, then HOME.
        let xdg = h.join(format!("xdg-{case}"));
        let env = [("CHARTFIX_BIN", bin), ("XDG_CACHE_HOME", xdg.as_path())];
        let o = wrapper(&script, &["--overlay=nope"], &env, b"");
        assert_eq!(o.status.code(), Some(1), "{case}");
        assert!(
            xdg.join("helm/chartfix/post-render.log").is_file(),
            "{case}"
        );
        let user = h.join(format!("home-{case}"));
        let env = [("CHARTFIX_BIN", bin), ("HOME", user.as_path())];
        let o = wrapper(&script, &["--overlay=nope"], &env, b"");
        assert_eq!(o.status.code(), Some(1), "{case}");
        let want = if cfg!(target_os = "macos") {
            "Library/Caches/helm/chartfix/post-render.log"
        } else {
            ".cache/helm/chartfix/post-render.log"
        };
        assert!(user.join(want).is_file(), "{case}: {}", support::stderr(&o));
        // CHARTFIX_LOG wins.
        let own = h.join(format!("own-{case}.log"));
        let env = [
            ("CHARTFIX_BIN", bin),
            ("HELM_CACHE_HOME", cache.as_path()),
            ("CHARTFIX_LOG", own.as_path()),
        ];
        let o = wrapper(&script, &["--overlay=nope"], &env, b"");
        assert_eq!(o.status.code(), Some(1), "{case}");
        assert!(std::fs::read_to_string(&own).unwrap().contains("nope"));
    }
}

#[test]
fn an_empty_result_is_a_comment_helm_accepts() {
    let want = "# chartfix: no resources\n";
    // An IngressRouteTCP alone: no-traefik drops it, nothing is left.
    let route = "---\n# Source: c/templates/route.yaml\napiVersion: traefik.io/v1alpha1\nkind: IngressRouteTCP\nmetadata: {name: r}\nspec:\n  routes:\n  - services: [{name: svc, port: 1993}]\n";
    for (input, args) in [
        ("", &[][..]),
        ("\n\n", &[][..]),
        ("", &["--overlay", "arm64"][..]),
        (route, &["--overlay", "no-traefik"][..]),
    ] {
        let mut cmd = support::chartfix();
        cmd.arg("post-render")
            .args(args)
            .env_remove("CHARTFIX_OVERLAYS");
        let o = support::output_with_input(&mut cmd, Some(input.as_bytes()));
        assert!(o.status.success(), "{input:?}: {}", support::stderr(&o));
        assert_eq!(support::stdout(&o), want, "{input:?} {args:?}");
    }
    // The wrapper passes it on.
    let home = tempfile::tempdir().unwrap();
    let installed = install_both(&home.path().join("plugins"));
    let o = wrapper(
        &installed[0].join("bin/chartfix-post-render"),
        &["--overlay=arm64"],
        &[("CHARTFIX_BIN", Path::new(support::BIN))],
        b"",
    );
    assert!(o.status.success(), "{}", support::stderr(&o));
    assert_eq!(support::stdout(&o), want);
    // Anything with content is left as it is.
    let mut cmd = support::chartfix();
    cmd.arg("post-render").env_remove("CHARTFIX_OVERLAYS");
    let o = support::output_with_input(&mut cmd, Some(b"# only a comment\n"));
    assert_eq!(support::stdout(&o), "# only a comment\n");
}
