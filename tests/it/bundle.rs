//! `chartfix bundle` and rendering a bundle: the Beta9 stack through mirrors
//! on 127.0.0.1, bundled with its images, then every server stopped and the
//! cache cleared before the bundle renders the same bytes; and what a bundle
//! refuses (files outside the stack, a changed chart or lock, a chart whose
//! dependencies are not inside it), on the offline example stack.

use crate::stack_beta9::{copy_stack, images, mirror_repo, mirrors, render, same};
use crate::support::{chartfix, project, text};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;

fn bundle(stack: &Path, out: &Path, extra: &[&str]) -> Output {
    chartfix()
        .current_dir(stack.parent().unwrap())
        .arg("bundle")
        .arg(stack)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .expect("run chartfix")
}

/// The entries of a gzip'd tar (or a plain tar), name → bytes, in order.
fn entries(path: &Path) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).unwrap();
    let reader: Box<dyn Read> = if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(&bytes[..]))
    } else {
        Box::new(&bytes[..])
    };
    let mut archive = tar::Archive::new(reader);
    let mut out = Vec::new();
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.push((name, data));
    }
    out
}

/// Writes `entries` as a gzip'd tar: a bundle changed by hand.
fn write_tgz(path: &Path, entries: &[(String, Vec<u8>)]) {
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        // The name's bytes as given: `set_path` refuses `..`, which a
        // hostile bundle may hold.
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        tar.append(&h, &data[..]).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

#[test]
fn beta9_bundle_renders_the_online_bytes_with_every_server_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let Some(m) = mirrors(dir.path()) else { return };
    let stack = copy_stack(dir.path());
    let cache = dir.path().join("cache");
    let mut args = m.args();
    args.push("--skip-image-check");
    let online = render(&stack, &cache, &args);
    assert!(online.status.success(), "{}", text(&online.stderr));
    let want = text(&online.stdout);
    let used = images(&want);
    for image in &used {
        let (path, tag) = mirror_repo(image);
        m.reg
            .push_index(&path, &tag, &["linux/amd64", "linux/arm64"]);
    }

    let file = dir.path().join("beta9.bundle");
    let layout = dir.path().join("beta9-images.tar");
    let mut bargs = vec!["--cache-dir", cache.to_str().unwrap()];
    bargs.extend(m.args());
    bargs.extend(["--images", layout.to_str().unwrap()]);
    let made = bundle(&stack, &file, &bargs);
    let err = text(&made.stderr);
    assert!(made.status.success(), "{err}");
    assert!(made.stdout.is_empty());
    assert!(
        err.contains("stack beta9, 3 chart archives"),
        "two Redis releases share one archive: {err}"
    );
    assert!(
        err.contains(&format!("{} images for linux/arm64", used.len())),
        "{err}"
    );

    // The same stack and charts give the same bundle bytes.
    let again = dir.path().join("again.bundle");
    let o = bundle(&stack, &again, &bargs[..4]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        std::fs::read(&again).unwrap()
    );

    // Every server stopped, the cache gone: the bundle alone.
    drop(m);
    std::fs::remove_dir_all(&cache).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let o = chartfix()
        .current_dir(elsewhere.path())
        .args(["render", file.to_str().unwrap(), "--locked"])
        .env("CHARTFIX_CACHE", elsewhere.path().join("empty-cache"))
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    same(&want, &text(&o.stdout), "the bundle renders other bytes");
    assert!(err.contains("Images: not checked (a bundle"), "{err}");
    assert!(
        !elsewhere.path().join("empty-cache").exists(),
        "rendering a bundle leaves no cache behind"
    );
    // snapshot and verify take a bundle as they take a stack.
    let snaps = elsewhere.path().join("snaps");
    for cmd in ["snapshot", "verify"] {
        let o = chartfix()
            .current_dir(elsewhere.path())
            .args([
                cmd,
                file.to_str().unwrap(),
                "--dir",
                snaps.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{cmd}: {}", text(&o.stderr));
    }

    // The image layout: what containerd imports.
    let layout = entries(&layout);
    let get = |name: &str| {
        layout
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("no {name} in the layout"))
    };
    let marker: serde_json::Value = serde_json::from_slice(&get("oci-layout")).unwrap();
    assert_eq!(marker["imageLayoutVersion"], "1.0.0");
    let index: serde_json::Value = serde_json::from_slice(&get("index.json")).unwrap();
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), used.len());
    for (n, data) in &layout {
        if let Some(hex) = n.strip_prefix("blobs/sha256/") {
            assert_eq!(crate::support::sha256_hex(data), hex, "{n}");
        }
    }
    for entry in manifests {
        assert_eq!(entry["platform"]["architecture"], "arm64", "{entry}");
        let name = entry["annotations"]["io.containerd.image.name"]
            .as_str()
            .unwrap();
        assert!(
            used.iter()
                .any(|u| name.ends_with(u.trim_start_matches("docker.io/"))),
            "{name} is not a public name the manifests use ({used:?})"
        );
        let digest = entry["digest"].as_str().unwrap();
        let manifest: serde_json::Value =
            serde_json::from_slice(&get(&format!("blobs/sha256/{}", &digest[7..]))).unwrap();
        for d in std::iter::once(&manifest["config"]).chain(manifest["layers"].as_array().unwrap())
        {
            let hex = &d["digest"].as_str().unwrap()[7..];
            get(&format!("blobs/sha256/{hex}"));
        }
    }
}

/// The offline example, copied where the test may change it.
fn tiny(dir: &Path) -> PathBuf {
    let from = project().join("examples/tiny");
    let to = dir.join("tiny");
    copy_dir(&from, &to);
    to.join("stack.yaml")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

#[test]
fn a_bundle_refuses_what_it_cannot_carry_or_was_changed() {
    let dir = tempfile::tempdir().unwrap();
    let stack = tiny(dir.path());
    let file = dir.path().join("tiny.bundle");
    let o = bundle(&stack, &file, &["--offline"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let render_bundle = |path: &Path| {
        chartfix()
            .current_dir(dir.path())
            .args(["render", path.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let o = render_bundle(&file);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let want = text(&o.stdout);
    assert!(want.contains("kind: Deployment"), "{want}");

    // A file the stack reads from outside its folder.
    std::fs::write(dir.path().join("shared-values.yaml"), "replicas: 3\n").unwrap();
    let original = std::fs::read_to_string(&stack).unwrap();
    std::fs::write(
        &stack,
        original.replace("      - web-values.yaml", "      - ../shared-values.yaml"),
    )
    .unwrap();
    let o = bundle(&stack, &dir.path().join("x.bundle"), &["--offline"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("values file ../shared-values.yaml is outside the stack's folder"),
        "{err}"
    );
    assert!(!dir.path().join("x.bundle").exists());
    std::fs::write(&stack, &original).unwrap();

    // Changed by hand: a manifest edited → the lock still matches (no
    // digest for local files) but an entry that is not a bundle's is refused.
    let mut parts = entries(&file);
    parts.push(("../escape.yaml".into(), b"x: 1\n".to_vec()));
    let bad = dir.path().join("bad.bundle");
    write_tgz(&bad, &parts);
    let o = render_bundle(&bad);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(o.stdout.is_empty());
    assert!(err.contains("an unexpected entry ../escape.yaml"), "{err}");
    assert!(!dir.path().join("escape.yaml").exists());

    // A lock that names another chart than the one the stack resolves to.
    let mut parts = entries(&file);
    for (name, data) in parts.iter_mut() {
        if name == "stack.lock" {
            *data = String::from_utf8(data.clone())
                .unwrap()
                .replace("version: 0.1.0", "version: 0.2.0")
                .into_bytes();
        }
    }
    write_tgz(&bad, &parts);
    let o = render_bundle(&bad);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(o.stdout.is_empty());
    assert!(
        err.contains("does not resolve to the lock it carries") && err.contains("0.2.0"),
        "{err}"
    );

    // Not a bundle at all: read as a stack file, and said so.
    let o = render_bundle(&dir.path().join("tiny/web-values.yaml"));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));

    // A bundle is not bundled again.
    let o = bundle(&file, &dir.path().join("y.bundle"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("is a bundle already"));
}

#[test]
fn a_chart_archive_that_does_not_match_its_lock_is_refused() {
    // A stack whose chart is an archive beside it: its digest is locked, so
    // an archive swapped inside the bundle is refused by name.
    let dir = tempfile::tempdir().unwrap();
    let archive = crate::support::chart_repo::chart_tgz("app", "1.0.0");
    let repo = crate::support::chart_repo::ChartRepo::start();
    repo.put(
        "/index.yaml",
        crate::support::chart_repo::Reply::ok(crate::support::chart_repo::index_yaml(
            "app",
            &[(
                "1.0.0",
                &format!("{}/app-1.0.0.tgz", repo.url()),
                &crate::support::sha256_hex(&archive),
            )],
        )),
    );
    repo.put(
        "/app-1.0.0.tgz",
        crate::support::chart_repo::Reply::ok(archive.clone()),
    );
    let stack = dir.path().join("s.yaml");
    std::fs::write(
        &stack,
        format!(
            "name: s\nreleases:\n  - name: app\n    chart: app\n    repo: {}\n    version: 1.0.0\n",
            repo.url()
        ),
    )
    .unwrap();
    let cache = dir.path().join("cache");
    let file = dir.path().join("s.bundle");
    let o = bundle(
        &stack,
        &file,
        &["--cache-dir", cache.to_str().unwrap(), "--no-lock"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!dir.path().join("s.lock").exists(), "--no-lock");
    drop(repo);

    let parts = entries(&file);
    let other = crate::support::chart_repo::chart_tgz("app", "1.0.1");
    let other_hex = crate::support::sha256_hex(&other);
    let bad = dir.path().join("bad.bundle");
    let render_bad = || {
        let o = chartfix()
            .args(["render", bad.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        assert!(o.stdout.is_empty());
        text(&o.stderr)
    };
    // The archive swapped: the bundle's own list no longer holds.
    let mut swapped = parts.clone();
    let mut old_hex = String::new();
    for (name, data) in swapped.iter_mut() {
        if let Some(hex) = name.strip_prefix("charts/") {
            old_hex = hex.trim_end_matches(".tgz").to_string();
            *name = format!("charts/{other_hex}.tgz");
            *data = other.clone();
        }
    }
    write_tgz(&bad, &swapped);
    let err = render_bad();
    assert!(err.contains(&format!("lists sha256:{old_hex}")), "{err}");
    // ... and the list changed too: the lock refuses it, naming what it expects.
    for (name, data) in swapped.iter_mut() {
        if name == "chartfix-bundle.yaml" {
            *data = String::from_utf8(data.clone())
                .unwrap()
                .replace(&old_hex, &other_hex)
                .into_bytes();
        }
    }
    write_tgz(&bad, &swapped);
    let err = render_bad();
    assert!(err.contains("no lock names app 1.0.1"), "{err}");
    let o = chartfix()
        .args(["render", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
}
