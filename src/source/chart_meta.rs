//! Just enough of a chart to fetch it and its dependencies: `Chart.yaml`
//! (read by the chart module's reader, with Helm's rules), `Chart.lock`, and
//! which subcharts are already under `charts/`, read from a folder or an
//! archive without unpacking it. Loading a chart for rendering is the chart
//! module's job.

use crate::chart::metadata::parse_dependencies;
pub use crate::chart::{Dependency, Metadata};
use std::path::Path;

/// What was read from a chart.
#[derive(Debug, Default)]
pub struct ChartMeta {
    /// `Chart.yaml` as Helm reads it (not validated: fetching needs only the
    /// name, the version and the dependencies).
    pub chart: Metadata,
    /// `Chart.lock`'s pinned dependencies, when the chart has one.
    pub lock: Option<Vec<Dependency>>,
    /// Names of the entries directly under `charts/`: folders, and archives
    /// without their `.tgz`.
    pub vendored: Vec<String>,
}

/// Reads a chart folder or a `.tgz`.
pub fn read(path: &Path) -> Result<ChartMeta, String> {
    if path.is_dir() {
        read_dir(path)
    } else {
        let bytes =
            crate::input::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        read_archive(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

fn read_dir(dir: &Path) -> Result<ChartMeta, String> {
    let chart_file = dir.join("Chart.yaml");
    let text = crate::input::read(&chart_file)
        .map_err(|e| format!("{} is not a chart: {e}", chart_file.display()))?;
    let mut meta = ChartMeta {
        chart: parse_chart_yaml(&text)?,
        ..ChartMeta::default()
    };
    let lock_file = dir.join("Chart.lock");
    let lock = crate::input::read_if_present(&lock_file)
        .map_err(|e| format!("cannot read {}: {e}", lock_file.display()))?;
    if let Some(lock) = lock {
        meta.lock = Some(parse_lock(&lock)?);
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("charts")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            meta.vendored
                .push(name.trim_end_matches(".tgz").to_string());
        }
    }
    Ok(meta)
}

/// Reads from archive bytes: the top folder's `Chart.yaml` and `Chart.lock`,
/// and the names under its `charts/`. The archive is read by the chart
/// module's reader, so a download meets the same limits (sizes, gzip members,
/// links) as a chart loaded for rendering.
pub fn read_archive(bytes: &[u8]) -> Result<ChartMeta, String> {
    let files = crate::chart::archive::read_archive(bytes, "archive").map_err(|e| {
        let m = e.to_string();
        m.strip_prefix("archive: ").map(str::to_string).unwrap_or(m)
    })?;
    let mut chart = None;
    let mut meta = ChartMeta::default();
    for f in files {
        let parts: Vec<&str> = f.name.split('/').collect();
        match parts.as_slice() {
            ["Chart.yaml"] => chart = Some(parse_chart_yaml(&f.data)?),
            ["Chart.lock"] => meta.lock = Some(parse_lock(&f.data)?),
            ["charts", sub, ..] => {
                let sub = sub.trim_end_matches(".tgz").to_string();
                if !meta.vendored.contains(&sub) {
                    meta.vendored.push(sub);
                }
            }
            _ => {}
        }
    }
    meta.chart = chart.ok_or("the archive has no Chart.yaml in its top folder")?;
    Ok(meta)
}

fn parse_chart_yaml(bytes: &[u8]) -> Result<Metadata, String> {
    // Its errors name Chart.yaml already ("cannot load Chart.yaml: …").
    Metadata::parse(&crate::chart::text(bytes)).map_err(|e| e.to_string())
}

/// `Chart.lock`'s dependencies: Helm reads the lock's entries as the same
/// `Dependency` type as `Chart.yaml`'s, with the versions pinned.
fn parse_lock(bytes: &[u8]) -> Result<Vec<Dependency>, String> {
    let doc = crate::yaml::from_str_typed(&crate::chart::text(bytes))
        .map_err(|e| format!("Chart.lock: {e}"))?;
    parse_dependencies(doc.as_map().and_then(|m| m.get("dependencies")).as_ref()).map_err(|e| {
        let why = e.message.trim_start_matches("cannot load Chart.yaml: ");
        format!("Chart.lock: {why}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for (p, c) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(c.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, p, c.as_bytes()).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn archive_meta() {
        let bytes = tgz(&[
            (
                "app/Chart.yaml",
                "apiVersion: v2\nname: app\nversion: 1.2.3\ndependencies:\n- name: redis\n  version: ~18.6\n  repository: oci://h/charts\n  alias: cache\n",
            ),
            ("app/Chart.lock", "dependencies:\n- name: redis\n  version: 18.6.1\n  repository: oci://h/charts\n"),
            ("app/charts/common/Chart.yaml", "name: common\nversion: 2.0.0\n"),
            ("app/charts/pg-1.0.0.tgz", "x"),
            ("app/templates/Chart.yaml", "not: this"),
        ]);
        let m = read_archive(&bytes).unwrap();
        assert_eq!(m.chart.name, "app");
        assert_eq!(m.chart.version, "1.2.3");
        assert_eq!(m.chart.dependencies[0].alias, "cache");
        assert_eq!(m.lock.unwrap()[0].version, "18.6.1");
        assert_eq!(m.vendored, ["common", "pg-1.0.0"]);
        assert!(read_archive(b"nope").is_err());
        assert!(read_archive(&tgz(&[("a/values.yaml", "")])).is_err());
    }
}
