//! Issue 3, item 6: a chart whose Chart.yaml lists a dependency that `charts/`
//! lacks is rendered with that dependency fetched (Helm itself stops with
//! "missing in charts/ directory"). The expected text is what Helm 4.2.3 prints
//! for the same parent with the child copied under `charts/` (recorded with
//! helm-oracle).

use crate::support::chart_repo::{chart_tgz, index_yaml, ChartRepo, Reply};
use crate::support::{self, sha256_hex};
use std::path::Path;

const EXPECTED: &str = r#"---
# Source: parent/charts/child/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: r-child
data:
  greeting: "hi"

---
# Source: parent/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: r-parent
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `parent/` declaring `child` (`file://../child`) with no `charts/`, and `child/`.
fn parent_and_child(root: &Path) {
    write(
        &root.join("child/Chart.yaml"),
        "apiVersion: v2\nname: child\nversion: 1.0.0\n",
    );
    write(&root.join("child/values.yaml"), "greeting: hello\n");
    write(
        &root.join("child/templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-child\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
    );
    write(
        &root.join("parent/Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - name: child\n    version: 1.0.0\n    repository: file://../child\n",
    );
    write(&root.join("parent/values.yaml"), "child:\n  greeting: hi\n");
    write(
        &root.join("parent/templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-parent\n",
    );
}

#[test]
fn a_dependency_missing_from_charts_is_fetched_and_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    parent_and_child(root);
    let out = support::chartfix()
        .args(["template", "r"])
        .arg(root.join("parent"))
        .arg("--cache-dir")
        .arg(root.join("cache"))
        .output()
        .expect("run chartfix");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), EXPECTED);
    // The parent folder is left as it was: the dependency lives in the cache.
    assert!(!root.join("parent/charts").exists());
}

/// A `.tgz` of `dir` with its files under `name/`, as `helm package` lays it out.
fn package(dir: &Path, name: &str, to: &Path) {
    let file = std::fs::File::create(to).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(name, dir).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
}

/// Issue 13: a stack release goes through the same pipeline as `template`, so
/// a chart archive whose `charts/` lacks a dependency renders in a stack as
/// `chartfix template` renders it (it used to stop with Helm's "missing in
/// charts/ directory"), and a release name Helm refuses is refused there too.
/// The dependency comes from an HTTP repository the test serves on loopback.
#[test]
fn a_stack_release_fetches_missing_dependencies_as_template_does() {
    let repo = ChartRepo::start();
    let child = chart_tgz("child", "1.0.0");
    let url = format!("{}/child-1.0.0.tgz", repo.url());
    let digest = sha256_hex(&child);
    repo.put("/child-1.0.0.tgz", Reply::ok(child));
    repo.put(
        "/index.yaml",
        Reply::ok(index_yaml("child", &[("1.0.0", &url, &digest)])),
    );

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("src/parent/Chart.yaml"),
        &format!(
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - name: child\n    version: 1.0.0\n    repository: {}\n",
            repo.url()
        ),
    );
    write(
        &root.join("src/parent/templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-parent\n",
    );
    package(
        &root.join("src/parent"),
        "parent",
        &root.join("parent-1.0.0.tgz"),
    );
    let chartfix = |args: &[&str]| {
        support::chartfix()
            .args(args)
            .arg("--cache-dir")
            .arg(root.join("cache"))
            .current_dir(root)
            .output()
            .expect("run chartfix")
    };
    let template = chartfix(&["template", "r", "parent-1.0.0.tgz"]);
    let template_out = String::from_utf8_lossy(&template.stdout).into_owned();
    assert!(
        template.status.success(),
        "{}",
        String::from_utf8_lossy(&template.stderr)
    );
    assert!(
        template_out.contains("# Source: parent/charts/child/templates/cm.yaml")
            && template_out.contains("# Source: parent/templates/cm.yaml"),
        "{template_out}"
    );

    write(
        &root.join("stack.yaml"),
        "name: deps\nnamespace: default\nreleases:\n  - name: r\n    chart: ./parent-1.0.0.tgz\n",
    );
    let stack = chartfix(&["render", "stack.yaml", "--skip-image-check"]);
    assert!(
        stack.status.success(),
        "{}",
        String::from_utf8_lossy(&stack.stderr)
    );
    let want = template_out.replace("# Source: ", "# Source: r/");
    assert_eq!(String::from_utf8_lossy(&stack.stdout), want);

    write(
        &root.join("bad.yaml"),
        "name: deps\nnamespace: default\nreleases:\n  - name: Not_A_Name\n    chart: ./parent-1.0.0.tgz\n",
    );
    let bad = chartfix(&["render", "bad.yaml", "--skip-image-check"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("invalid release name"), "{err}");
}
