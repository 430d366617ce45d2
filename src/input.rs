//! Reading what the user hands over (values files, overlays, manifests,
//! stack files, lock files, chart files, configuration, stdin) with one size
//! limit, so a huge or endless input ends in an error that says so instead of
//! exhausting memory. Every file chartfix reads goes through [`read`]: a
//! device (`/dev/zero`, or a link to it) or a socket is refused before it is
//! opened. A pipe (`-f <(sops -d secrets.yaml)`, a FIFO) is read, up to the
//! limit like stdin.
//!
//! The limit sits above the default cap on a chart's rendered output (100
//! MiB), so what `chartfix template` prints can be read back. Reading stops
//! one byte past the limit: a 10 GB file or `/dev/zero` costs no more than a
//! file just over it.

use std::io::{self, BufRead, Read};
use std::path::Path;

/// The most bytes read from one input.
pub const MAX_INPUT_BYTES: u64 = 128 << 20;

fn too_big() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "larger than {} MiB, the most chartfix reads from one input; split it",
            MAX_INPUT_BYTES >> 20
        ),
    )
}

/// All of `reader`, or an error once it passes [`MAX_INPUT_BYTES`].
pub fn read_all(reader: impl Read) -> io::Result<Vec<u8>> {
    read_all_expecting(reader, 0)
}

/// [`read_all`] into a buffer made for `expected` bytes (a file's size): one
/// allocation and a few reads, where a buffer grown from nothing starts with
/// 32-byte reads and is copied at each doubling.
fn read_all_expecting(reader: impl Read, expected: u64) -> io::Result<Vec<u8>> {
    // One byte more, so the read that finds the end needs no growth either.
    let mut out = Vec::with_capacity(expected.min(MAX_INPUT_BYTES) as usize + 1);
    reader.take(MAX_INPUT_BYTES + 1).read_to_end(&mut out)?;
    if out.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_big());
    }
    Ok(out)
}

/// [`read_all`] as UTF-8 text.
pub fn read_all_string(reader: impl Read) -> io::Result<String> {
    String::from_utf8(read_all(reader)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Refuses a device or a socket: only files, folders (whose reading fails
/// with the system's own words) and pipes pass. `meta` follows links, so a
/// user's link to a regular file is fine.
fn readable_kind(meta: &std::fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    let what = if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        return Ok(());
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("is {what}, not a regular file; chartfix reads only files, pipes and `-` (stdin)"),
    ))
}

/// A file's bytes; a device is refused before it is opened, and one larger
/// than the limit before it is read.
pub fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref();
    readable_kind(&std::fs::metadata(path)?)?;
    let file = std::fs::File::open(path)?;
    // Again on what was opened: the path may have been swapped in between.
    let meta = file.metadata()?;
    readable_kind(&meta)?;
    if meta.is_file() && meta.len() > MAX_INPUT_BYTES {
        return Err(too_big());
    }
    read_all_expecting(file, if meta.is_file() { meta.len() } else { 0 })
}

/// [`read`], with a missing file as `None`.
pub fn read_if_present(path: impl AsRef<Path>) -> io::Result<Option<Vec<u8>>> {
    match read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// [`read`] as UTF-8 text.
pub fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// A reader that fails once more than [`MAX_INPUT_BYTES`] came through it,
/// for inputs read as a stream (post-render's stdin).
pub struct Capped<R> {
    inner: R,
    seen: u64,
}

impl<R> Capped<R> {
    pub fn new(inner: R) -> Capped<R> {
        Capped { inner, seen: 0 }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen += n as u64;
        if self.seen > MAX_INPUT_BYTES {
            return Err(too_big());
        }
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Capped<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.seen > MAX_INPUT_BYTES {
            return Err(too_big());
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.seen += amt as u64;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stops_one_byte_past_the_limit() {
        let at = io::repeat(b'a').take(MAX_INPUT_BYTES);
        assert_eq!(read_all(at).unwrap().len() as u64, MAX_INPUT_BYTES);
        let e = read_all(io::repeat(b'a')).unwrap_err();
        assert!(e.to_string().contains("larger than 128 MiB"), "{e}");
    }

    #[test]
    fn devices_are_refused_links_to_files_are_not() {
        let e = read("/dev/zero").unwrap_err();
        assert!(e.to_string().contains("is a device"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("values.yaml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read(&link).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let file = dir.path().join("real.yaml");
        std::fs::write(&file, "a: 1\n").unwrap();
        let link = dir.path().join("mine.yaml");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(read_to_string(&link).unwrap(), "a: 1\n");
        assert!(read_if_present(dir.path().join("none")).unwrap().is_none());
    }

    #[test]
    fn capped_stream_fails_past_the_limit() {
        let mut r = Capped::new(io::BufReader::new(io::repeat(b'a')));
        let mut line = Vec::new();
        let e = r.read_until(b'\n', &mut line).unwrap_err();
        assert!(e.to_string().contains("128 MiB"), "{e}");
        assert!(line.len() as u64 <= MAX_INPUT_BYTES + (64 << 10));
    }
}
