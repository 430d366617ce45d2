//! Hostile chart archives, generated here: each is refused by `chartfix
//! template` with exit status 1, nothing on stdout, a clear error, quickly,
//! and nothing left in the cache.

use crate::support;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const CHART: &[u8] = b"apiVersion: v2\nname: c\nversion: 0.1.0\n";
const TEMPLATE: &[u8] = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

fn header(name: &[u8], kind: tar::EntryType, size: u64, link: &[u8]) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(kind);
    // Raw bytes: the tar crate refuses `..`, absolute and some link forms.
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
    h.set_cksum();
    h
}

fn gzip(tar: &[u8], level: u32) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    gz.write_all(tar).unwrap();
    gz.finish().unwrap()
}

/// A gzipped tar: a valid chart's files, then `extra` entries.
fn tgz(extra: &[(tar::Header, Vec<u8>)], with_chart: bool) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    if with_chart {
        let h = header(
            b"c/Chart.yaml",
            tar::EntryType::Regular,
            CHART.len() as u64,
            b"",
        );
        b.append(&h, CHART).unwrap();
        let h = header(
            b"c/templates/cm.yaml",
            tar::EntryType::Regular,
            TEMPLATE.len() as u64,
            b"",
        );
        b.append(&h, TEMPLATE).unwrap();
    }
    for (h, data) in extra {
        b.append(h, data.as_slice()).unwrap();
    }
    gzip(&b.into_inner().unwrap(), 6)
}

fn file(name: &[u8], data: &[u8]) -> (tar::Header, Vec<u8>) {
    (
        header(name, tar::EntryType::Regular, data.len() as u64, b""),
        data.to_vec(),
    )
}

fn link(name: &[u8], kind: tar::EntryType, target: &[u8]) -> (tar::Header, Vec<u8>) {
    (header(name, kind, 0, target), Vec::new())
}

/// Many 4 MiB zero files: a few hundred KB that inflate past 100 MiB.
fn gzip_bomb() -> Vec<u8> {
    let zeros = vec![0u8; 4 * 1024 * 1024];
    let mut extra = Vec::new();
    for i in 0..30 {
        extra.push(file(format!("c/files/z{i}").as_bytes(), &zeros));
    }
    let mut b = tar::Builder::new(Vec::new());
    let h = header(
        b"c/Chart.yaml",
        tar::EntryType::Regular,
        CHART.len() as u64,
        b"",
    );
    b.append(&h, CHART).unwrap();
    for (h, d) in &extra {
        b.append(h, d.as_slice()).unwrap();
    }
    gzip(&b.into_inner().unwrap(), 9)
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p.display().to_string());
                }
            }
        }
    }
    out
}

fn refused(case: &str, archive: Vec<u8>, expect: &[&str]) {
    let work = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let chart = work.path().join("chart.tgz");
    std::fs::write(&chart, &archive).unwrap();
    let start = Instant::now();
    let out = support::chartfix_capped()
        .current_dir(outside.path())
        .args(["template", "r"])
        .arg(&chart)
        .arg("--cache-dir")
        .arg(&cache)
        .output()
        .unwrap();
    let took = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!(
        "{case}: {took:?} ({} bytes): {}",
        archive.len(),
        stderr.trim()
    );
    assert_eq!(out.status.code(), Some(1), "{case}: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "{case}: stdout {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    for e in expect {
        assert!(stderr.contains(e), "{case}: stderr lacks {e:?}: {stderr}");
    }
    assert!(took < Duration::from_secs(5), "{case}: took {took:?}");
    assert!(
        files_under(outside.path()).is_empty(),
        "{case}: wrote {:?}",
        files_under(outside.path())
    );
    let cached = files_under(&cache);
    assert!(cached.is_empty(), "{case}: cache holds {cached:?}");
}

#[test]
fn parent_directory_entry() {
    refused(
        "dotdot",
        tgz(&[file(b"c/../../evil.yaml", b"x")], true),
        &["parent directory", "evil.yaml"],
    );
}

#[test]
fn absolute_entry() {
    refused(
        "absolute",
        tgz(&[file(b"c//etc/evil", b"x")], true),
        &["absolute", "etc/evil"],
    );
}

#[test]
fn symlink_entry() {
    refused(
        "symlink",
        tgz(
            &[link(
                b"c/templates/l.yaml",
                tar::EntryType::Symlink,
                b"/etc/passwd",
            )],
            true,
        ),
        &["link", "l.yaml"],
    );
}

#[test]
fn hardlink_entry() {
    refused(
        "hardlink",
        tgz(
            &[link(
                b"c/templates/h.yaml",
                tar::EntryType::Link,
                b"../../etc/passwd",
            )],
            true,
        ),
        &["link", "h.yaml"],
    );
}

#[test]
fn gzip_bomb_archive() {
    let bomb = gzip_bomb();
    assert!(bomb.len() < 1024 * 1024, "bomb is {} bytes", bomb.len());
    refused("gzip bomb", bomb, &["maximum size"]);
}

#[test]
fn huge_entry() {
    let big = vec![b'a'; 5 * 1024 * 1024 + 1];
    refused(
        "huge entry",
        tgz(&[file(b"c/files/big", &big)], true),
        &["maximum file size", "big"],
    );
}

#[test]
fn huge_entry_size_in_header_only() {
    // The header claims 8 GiB but the data is short: refused before reading.
    let (mut h, _) = file(b"c/files/liar", b"");
    h.set_size(8 << 30);
    h.set_cksum();
    let mut t = Vec::new();
    t.extend_from_slice(h.as_bytes());
    t.extend_from_slice(&[0u8; 1024]);
    refused("header size", gzip(&t, 6), &["liar"]);
}

#[test]
fn duplicate_entries() {
    refused(
        "duplicate",
        tgz(
            &[file(
                b"c/Chart.yaml",
                b"apiVersion: v2\nname: c\nversion: 0.2.0\n",
            )],
            true,
        ),
        &["Chart.yaml", "more than once"],
    );
}

#[test]
fn chart_yaml_not_a_map() {
    refused(
        "not a map",
        tgz(
            &[
                file(b"c/Chart.yaml", b"- a\n- b\n"),
                file(b"c/templates/cm.yaml", TEMPLATE),
            ],
            false,
        ),
        &["Chart.yaml"],
    );
}

#[test]
fn dependency_outside_the_chart() {
    let chart = b"apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: d\n  version: 0.1.0\n  repository: file://../../..\n";
    refused(
        "dep outside",
        tgz(
            &[
                file(b"c/Chart.yaml", chart),
                file(b"c/templates/cm.yaml", TEMPLATE),
            ],
            false,
        ),
        &["file://../../.."],
    );
}

#[test]
fn non_utf8_entry_name() {
    refused(
        "non-utf8",
        tgz(&[file(b"c/templates/\xff\xfe.yaml", TEMPLATE)], true),
        &["UTF-8"],
    );
}

/// A chart archive named `name` holding `files` (names under the chart
/// folder) and, under `charts/`, the archives `subcharts`.
fn chart_tgz(name: &str, files: &[(&str, &[u8])], subcharts: &[Vec<u8>]) -> Vec<u8> {
    let chart = format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n");
    let mut entries = vec![file(
        format!("{name}/Chart.yaml").as_bytes(),
        chart.as_bytes(),
    )];
    for (f, data) in files {
        entries.push(file(format!("{name}/{f}").as_bytes(), data));
    }
    for (i, sub) in subcharts.iter().enumerate() {
        entries.push(file(format!("{name}/charts/s{i}.tgz").as_bytes(), sub));
    }
    tgz(&entries, false)
}

#[test]
fn nested_subchart_archives_share_one_budget() {
    // 64 leaves of 16 MiB in 8 archives in 1: each archive is well under
    // 100 MiB, the tree is 1 GiB; a few hundred KB on disk.
    let four = vec![0u8; 4 << 20];
    let zeros: Vec<(&str, &[u8])> = (0..4)
        .map(|i| {
            (
                ["files/a", "files/b", "files/c", "files/d"][i],
                four.as_slice(),
            )
        })
        .collect();
    let leaf = chart_tgz("leaf", &zeros, &[]);
    let middle = chart_tgz("middle", &[], &vec![leaf; 8]);
    let top = chart_tgz("c", &[("templates/cm.yaml", TEMPLATE)], &vec![middle; 8]);
    assert!(top.len() < 2 << 20, "archive is {} bytes", top.len());
    refused(
        "nested bomb",
        top,
        &["maximum size", "subchart", "every archive in the chart"],
    );
}

#[test]
fn deeply_nested_subchart_archives() {
    let mut chart = chart_tgz("d", &[], &[]);
    for _ in 0..40 {
        chart = chart_tgz("d", &[], &[chart]);
    }
    refused("deep nesting", chart, &["nested more than 32 charts deep"]);
}

#[test]
fn an_entry_shorter_than_its_header_is_truncated() {
    let (mut h, _) = file(b"c/templates/short.yaml", b"");
    h.set_size(4096);
    h.set_cksum();
    let mut t = Vec::new();
    t.extend_from_slice(h.as_bytes());
    t.extend_from_slice(b"kind: x\n");
    refused("truncated", gzip(&t, 6), &["truncated", "short.yaml"]);
}

#[test]
fn every_gzip_member_is_read() {
    // One chart's tar stream cut after its first template, each part
    // gzipped apart and the two concatenated: Helm (Go's gzip.Reader) reads
    // both members, so the second template is rendered too.
    let second = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: in-second-member\n";
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [
        (&b"c/Chart.yaml"[..], CHART),
        (b"c/templates/cm.yaml", TEMPLATE),
        (b"c/templates/second.yaml", second),
    ] {
        b.append(
            &header(name, tar::EntryType::Regular, data.len() as u64, b""),
            data,
        )
        .unwrap();
    }
    let tar = b.into_inner().unwrap();
    let cut = 4 * 512; // two headers, two one-block bodies
    let mut archive = gzip(&tar[..cut], 6);
    archive.extend(gzip(&tar[cut..], 6));
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("c.tgz");
    std::fs::write(&path, &archive).unwrap();
    let out = support::chartfix_capped()
        .args(["template", "r"])
        .arg(&path)
        .arg("--cache-dir")
        .arg(work.path().join("cache"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("name: x") && stdout.contains("name: in-second-member"),
        "{stdout}"
    );
}

/// A chart folder on this disk, `name`, whose one template prints `marker`.
fn chart_on_disk(dir: &Path, name: &str, marker: &str) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {marker}\n"),
    )
    .unwrap();
}

#[test]
fn dependency_on_a_real_chart_outside_the_archive() {
    // The target exists and is a chart: an archive (downloaded, perhaps)
    // must still never read the user's disk, by absolute or relative path.
    let disk = tempfile::tempdir().unwrap();
    let target = disk.path().join("private");
    chart_on_disk(&target, "d", "read-from-disk");
    for repo in [
        format!("file://{}", target.display()),
        format!(
            "file://../{}",
            target.display().to_string().trim_start_matches('/')
        ),
    ] {
        let chart = format!(
            "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: d\n  version: 0.1.0\n  repository: {repo}\n"
        );
        refused(
            "dep on disk",
            tgz(
                &[
                    file(b"c/Chart.yaml", chart.as_bytes()),
                    file(b"c/templates/cm.yaml", TEMPLATE),
                ],
                false,
            ),
            &[&repo, "only a chart folder can have"],
        );
    }
}

#[test]
fn chart_folders_keep_helms_file_dependencies() {
    // `helm dependency build` allows `file://../sibling` for a chart folder
    // on the user's own disk; so does chartfix, fetching it as a subchart.
    let work = tempfile::tempdir().unwrap();
    chart_on_disk(&work.path().join("sibling"), "d", "from-sibling");
    let parent = work.path().join("parent");
    chart_on_disk(&parent, "c", "from-parent");
    std::fs::write(
        parent.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n- name: d\n  version: 0.1.0\n  repository: file://../sibling\n",
    )
    .unwrap();
    let out = support::chartfix()
        .args(["template", "r"])
        .arg(&parent)
        .arg("--cache-dir")
        .arg(work.path().join("cache"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("name: from-sibling") && stdout.contains("name: from-parent"),
        "{stdout}"
    );
}
