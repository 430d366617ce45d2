//! Issue 3, item 6: a chart whose Chart.yaml lists a dependency that `charts/`
//! lacks is rendered with that dependency fetched (Helm itself stops with
//! "missing in charts/ directory"). The expected text is what Helm 4.2.3 prints
//! for the same parent with the child copied under `charts/` (recorded with
//! helm-oracle).

use crate::support;
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

#[test]
fn a_dependency_missing_from_charts_is_fetched_and_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
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
