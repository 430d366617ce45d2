//! Reading a chart archive (`.tgz`) in memory, with Helm's safety limits.
//!
//! Every entry is checked before its bytes are kept: no absolute paths, nothing
//! that escapes the chart folder, no links or devices, at most
//! [`MAX_FILE_SIZE`] bytes a file and [`MAX_TOTAL_SIZE`] in all. The first path
//! segment (the chart's own folder name) is dropped, as Helm does.
//!
//! "In all" means the whole chart tree: an archive under `charts/` (and one
//! under its `charts/`, and so on) draws on the same [`Budget`] as the archive
//! that holds it, and archives nest at most [`MAX_DEPTH`] deep, so a few
//! kilobytes of archives within archives cannot inflate to gigabytes.

use super::{ChartError, File};
use std::io::Read;
use std::sync::Arc;

/// Helm's `MaxDecompressedChartSize`: 100 MiB for all files of one archive.
pub const MAX_TOTAL_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's `MaxDecompressedFileSize`: 5 MiB for any one file.
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// How deep subcharts nest (folders or archives): real charts use two or three
/// levels; Helm has no bound and a deep enough tree exhausts its stack.
pub const MAX_DEPTH: usize = 32;

/// The whole tar stream: the files' limit plus room for headers and padding
/// (a kilobyte each for 8,192 entries).
const MAX_STREAM_SIZE: u64 = MAX_TOTAL_SIZE + 8 * 1024 * 1024;

/// What the archives of one chart tree may still inflate: file bytes (Helm's
/// limit) and tar stream bytes (headers, padding and skipped entries too, so
/// that inflating costs no more than the limit however the stream is made).
#[derive(Debug, Clone)]
pub struct Budget {
    files: u64,
    stream: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            files: MAX_TOTAL_SIZE,
            stream: MAX_STREAM_SIZE,
        }
    }
}

/// Helm's words, then where (`at`) and that the limit is the whole tree's.
fn too_large(at: &str) -> ChartError {
    ChartError::new(format!(
        "decompressed chart is larger than the maximum size {MAX_TOTAL_SIZE} ({at}; the files of every archive in the chart and its subcharts count together)"
    ))
}

/// Reads the files of a gzipped tar archive, names relative to the chart folder.
pub fn read_archive(bytes: &[u8], origin: &str) -> Result<Vec<File>, ChartError> {
    read_archive_in(bytes, origin, &mut Budget::default(), &mut |_, _| {})
}

/// [`read_archive`], showing each file to `observe` as soon as it is read,
/// with its name in the archive (chart folder included), so that work on
/// early files can start while later ones are still being inflated.
pub fn read_archive_observed(
    bytes: &[u8],
    origin: &str,
    observe: &mut dyn FnMut(&str, &Arc<[u8]>),
) -> Result<Vec<File>, ChartError> {
    read_archive_in(bytes, origin, &mut Budget::default(), observe)
}

/// [`read_archive_observed`] drawing on `budget`, shared with the archives
/// around and within this one.
pub fn read_archive_in(
    bytes: &[u8],
    origin: &str,
    budget: &mut Budget,
    observe: &mut dyn FnMut(&str, &Arc<[u8]>),
) -> Result<Vec<File>, ChartError> {
    let tar_bytes = inflate(bytes, origin, budget)?;
    // Seekable, so the tar reader skips padding by seeking instead of reading
    // it into a fresh zeroed buffer each time.
    let mut archive = tar::Archive::new(std::io::Cursor::new(tar_bytes.as_slice()));
    let entries = archive
        .entries_with_seek()
        .map_err(|e| ChartError::new(format!("{origin}: not a gzipped tar archive: {e}")))?;
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| ChartError::new(format!("{origin}: damaged archive: {e}")))?;
        let header = entry.header();
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = header.entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if kind.is_gnu_longname() || kind.is_gnu_longlink() {
            continue;
        }
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(ChartError::new(format!(
                "{origin}: entry {raw_name:?} is a link; charts may not contain links"
            )));
        }
        if !kind.is_file() && kind != tar::EntryType::Continuous {
            return Err(ChartError::new(format!(
                "{origin}: entry {raw_name:?} is not a regular file"
            )));
        }
        if std::str::from_utf8(&entry.path_bytes()).is_err() {
            return Err(ChartError::new(format!(
                "{origin}: entry {raw_name:?} has a name that is not valid UTF-8"
            )));
        }
        let name = entry_name(&raw_name, origin)?;
        if !seen.insert(name.clone()) {
            return Err(ChartError::new(format!(
                "{origin}: entry {raw_name:?} appears more than once in the archive"
            )));
        }
        let size = header.size().unwrap_or(0);
        if size > MAX_FILE_SIZE {
            return Err(ChartError::new(format!(
                "decompressed chart file {raw_name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            )));
        }
        if size > budget.files {
            return Err(too_large(&format!("at entry {raw_name:?}")));
        }
        // Never trust the header's size: take at most what is still allowed,
        // and what the stream holds. The stream is in memory, so the bytes are
        // copied straight out of it: reading them through the entry, as
        // `read_to_end` does, zeroes a buffer for them first and then copies.
        let data_at = usize::try_from(entry.raw_file_position()).unwrap_or(usize::MAX);
        let want = entry.size().min(budget.files.min(MAX_FILE_SIZE) + 1);
        let from = data_at.min(tar_bytes.len());
        let to = from
            .saturating_add(usize::try_from(want).unwrap_or(usize::MAX))
            .min(tar_bytes.len());
        let data = &tar_bytes[from..to];
        let read = data.len() as u64;
        if read > MAX_FILE_SIZE {
            return Err(ChartError::new(format!(
                "decompressed chart file {raw_name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            )));
        }
        if read < size {
            return Err(ChartError::new(format!(
                "{origin}: archive is truncated: entry {raw_name:?} declares {size} bytes but only {read} follow; download it again or rebuild it"
            )));
        }
        if read > budget.files {
            return Err(too_large(&format!("at entry {raw_name:?}")));
        }
        budget.files -= read;
        let data = super::file_bytes(data);
        observe(&raw_name, &data);
        files.push(File { name, data });
    }
    if files.is_empty() {
        return Err(ChartError::new(format!(
            "{origin}: no files in chart archive"
        )));
    }
    Ok(files)
}

/// The tar stream of a gzip file, every member of it (as Go's `gzip.Reader`
/// reads concatenated members), charged to `budget`.
fn inflate(bytes: &[u8], origin: &str, budget: &mut Budget) -> Result<Vec<u8>, ChartError> {
    // Inflating the whole stream at once and reading the tar from memory is
    // several times faster than inflating in the tar reader's small reads.
    // gzip's trailer gives the inflated size (modulo 4 GiB) of the last
    // member: an archive of one member, as Helm writes them, is inflated
    // into a buffer of that size in one go (chart/gzip.rs); any other gets
    // room for it at once, within the limit, which saves growing and copying
    // the buffer.
    let trailer_size = bytes
        .len()
        .checked_sub(4)
        .and_then(|at| bytes[at..].try_into().ok())
        .map_or(0, |b: [u8; 4]| u32::from_le_bytes(b) as u64);
    if trailer_size <= budget.stream {
        if let Some(tar_bytes) = super::gzip::inflate_member(bytes, trailer_size as usize) {
            budget.stream -= trailer_size;
            return Ok(tar_bytes);
        }
    }
    let room = trailer_size.clamp(bytes.len() as u64, budget.stream + 1);
    let mut tar_bytes = Vec::with_capacity(room as usize);
    let mut rest = bytes;
    let mut first = true;
    loop {
        let mut member = flate2::bufread::GzDecoder::new(rest);
        let room = (budget.stream + 1).saturating_sub(tar_bytes.len() as u64);
        match (&mut member).take(room).read_to_end(&mut tar_bytes) {
            Err(e) if first => {
                return Err(ChartError::new(format!(
                    "{origin}: not a gzipped tar archive: {e}"
                )))
            }
            // Bytes after a member that are not a whole member: Helm's tar
            // reader stops at the archive's end and never reads them; when
            // the tar stream needed them, it is reported truncated below.
            Err(_) => break,
            Ok(_) => {}
        }
        rest = member.into_inner();
        first = false;
        if tar_bytes.len() as u64 > budget.stream || !rest.starts_with(&[0x1f, 0x8b]) {
            break;
        }
    }
    if tar_bytes.len() as u64 > budget.stream {
        return Err(too_large(&format!(
            "inflating {origin}, whose tar stream passes what is left of {MAX_STREAM_SIZE} bytes"
        )));
    }
    budget.stream -= tar_bytes.len() as u64;
    Ok(tar_bytes)
}

/// The entry's name inside the chart: first segment dropped, `\` turned into
/// `/`, cleaned, and refused when absolute or outside the chart folder.
fn entry_name(raw: &str, origin: &str) -> Result<String, ChartError> {
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let parts: Vec<&str> = raw.split(delimiter).collect();
    if parts[0] == "Chart.yaml" {
        return Err(ChartError::new(format!(
            "{origin}: chart yaml not in base directory (entry {raw:?})"
        )));
    }
    let rest = parts[1..].join("/");
    // Helm drops the first segment whatever it is, so `/tmp/x` would become
    // the chart's `tmp/x`; an absolute name is refused outright instead
    // (COMPATIBILITY.md).
    if parts[0].is_empty() || rest.starts_with('/') {
        return Err(ChartError::new(format!(
            "{origin}: chart illegally contains absolute paths (entry {raw:?})"
        )));
    }
    let clean = clean_path(&rest);
    if clean == "." {
        return Err(ChartError::new(format!(
            "{origin}: chart illegally contains content outside the base directory: {raw:?}"
        )));
    }
    if clean.starts_with("..") {
        return Err(ChartError::new(format!(
            "{origin}: chart illegally references parent directory (entry {raw:?})"
        )));
    }
    let b = clean.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err(ChartError::new(format!(
            "{origin}: chart contains illegally named files (entry {raw:?})"
        )));
    }
    Ok(clean)
}

/// Go's `path.Clean` for relative paths: drops `.` and empty segments and
/// resolves `..` lexically (leading `..` are kept, so escapes stay visible).
pub(crate) fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if matches!(out.last(), Some(last) if *last != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    if out.is_empty() {
        ".".to_string()
    } else {
        out.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // set_path refuses `..`; write the raw name bytes instead.
            let raw = name.as_bytes();
            h.as_old_mut().name[..raw.len()].copy_from_slice(raw);
            h.set_cksum();
            builder.append(&h, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn reads_entries_without_the_chart_folder() {
        let files = read_archive(
            &tgz(&[("c/Chart.yaml", b"name: c"), ("c/templates/a.yaml", b"x")]),
            "t",
        )
        .unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "templates/a.yaml"]);
    }

    #[test]
    fn refuses_escapes_and_absolute_paths() {
        let err = read_archive(&tgz(&[("c/../../etc/passwd", b"x")]), "t").unwrap_err();
        assert!(err.to_string().contains("parent directory"), "{err}");
        let err = read_archive(&tgz(&[("c//etc/passwd", b"x")]), "t").unwrap_err();
        assert!(err.to_string().contains("absolute"), "{err}");
        let err = read_archive(&tgz(&[("/tmp/x/escaped.txt", b"x")]), "t").unwrap_err();
        assert!(
            err.to_string()
                .contains("absolute paths (entry \"/tmp/x/escaped.txt\")"),
            "{err}"
        );
    }

    #[test]
    fn refuses_links() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        builder
            .append_link(&mut h, "c/values.yaml", "/etc/passwd")
            .unwrap();
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        let err = read_archive(&gz.finish().unwrap(), "t").unwrap_err();
        assert!(
            err.to_string().contains("\"c/values.yaml\" is a link"),
            "{err}"
        );
    }

    #[test]
    fn refuses_big_files() {
        let big = vec![b'a'; (MAX_FILE_SIZE + 1) as usize];
        let err = read_archive(&tgz(&[("c/big.txt", &big)]), "t").unwrap_err();
        assert!(err.to_string().contains("\"c/big.txt\" is larger"), "{err}");
    }

    #[test]
    fn reads_every_gzip_member() {
        // One tar stream cut after its first entry, each part gzipped apart:
        // Go's gzip reader (and so Helm) reads on into the second member.
        let one = tgz(&[("c/Chart.yaml", b"name: c"), ("c/templates/b.yaml", b"y")]);
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(one.as_slice())
            .read_to_end(&mut tar)
            .unwrap();
        let gz = |part: &[u8]| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, part).unwrap();
            e.finish().unwrap()
        };
        let mut both = gz(&tar[..1024]);
        both.extend(gz(&tar[1024..]));
        let files = read_archive(&both, "t").unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Chart.yaml", "templates/b.yaml"]);
    }

    #[test]
    fn bytes_after_the_last_member_are_left_as_helm_leaves_them() {
        let mut one = tgz(&[("c/Chart.yaml", b"name: c")]);
        one.extend_from_slice(&[0; 4]);
        assert_eq!(read_archive(&one, "t").unwrap().len(), 1);
        assert!(read_archive(b"\x1f\x8b junk", "t").is_err());
    }

    #[test]
    fn a_short_entry_is_truncated_not_too_large() {
        let one = tgz(&[("c/Chart.yaml", b"name: c")]);
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(one.as_slice())
            .read_to_end(&mut tar)
            .unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(4000);
        h.set_mode(0o644);
        h.as_old_mut().name[..8].copy_from_slice(b"c/t.yaml");
        h.set_cksum();
        tar.truncate(1024);
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(b"short");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, &tar).unwrap();
        let err = read_archive(&e.finish().unwrap(), "t").unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(err.to_string().contains("c/t.yaml"), "{err}");
    }

    #[test]
    fn one_budget_for_nested_archives() {
        let mut budget = Budget::default();
        let four = vec![b'a'; 4 << 20];
        let leaf = tgz(&[("c/Chart.yaml", b"name: c"), ("c/a", &four), ("c/b", &four)]);
        for _ in 0..12 {
            read_archive_in(&leaf, "t", &mut budget, &mut |_, _| {}).unwrap();
        }
        let err = read_archive_in(&leaf, "t", &mut budget, &mut |_, _| {}).unwrap_err();
        assert!(err.to_string().contains("maximum size"), "{err}");
    }

    #[test]
    fn cleans_paths_as_go() {
        assert_eq!(clean_path("a/./b//c/../d"), "a/b/d");
        assert_eq!(clean_path("../x"), "../x");
        assert_eq!(clean_path(""), ".");
    }
}
