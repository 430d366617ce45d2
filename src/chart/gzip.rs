//! One gzip member inflated whole, in one call to libdeflate.
//!
//! libdeflate inflates into a buffer of the final size, with no window to
//! copy through, which makes it faster than a streaming inflater; it needs
//! that size, which gzip's trailer gives (modulo 4 GiB). Anything it cannot
//! inflate as one member of that size is left to the caller.

use libdeflate_sys as sys;

/// The bytes of `gz`, when it is exactly one gzip member (no bytes after
/// it) that inflates, with its checksum right, to `size` bytes; `None`
/// otherwise (damage, several members, a trailer that lies, no memory).
pub fn inflate_member(gz: &[u8], size: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    out.try_reserve_exact(size).ok()?;
    populate(out.spare_capacity_mut());
    let (mut read, mut written) = (0usize, 0usize);
    // SAFETY: the decompressor is checked for null and freed once; libdeflate
    // reads at most `gz.len()` bytes of `gz` and writes at most `size` bytes
    // into `out`'s spare capacity (at least `size`), and reports how many it
    // wrote, which are then the only ones taken as initialized.
    unsafe {
        let d = sys::libdeflate_alloc_decompressor();
        if d.is_null() {
            return None;
        }
        let result = sys::libdeflate_gzip_decompress_ex(
            d,
            gz.as_ptr().cast(),
            gz.len(),
            out.spare_capacity_mut().as_mut_ptr().cast(),
            size,
            &mut read,
            &mut written,
        );
        sys::libdeflate_free_decompressor(d);
        if result != sys::libdeflate_result_LIBDEFLATE_SUCCESS || written > size {
            return None;
        }
        out.set_len(written);
    }
    (read == gz.len() && written == size).then_some(out)
}

/// Asks the system for the pages under `buf` at once, before they are
/// written. Touched one at a time, each fresh page costs a fault: 2.8 µs on
/// the virtual machines measured, where one call populating them all costs
/// half that a page (docs/benchmarks.md, issue 18's eighth pass). A kernel
/// before 5.14 does not know the advice and refuses it; the pages then
/// fault in as before.
fn populate(buf: &mut [std::mem::MaybeUninit<u8>]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let start = (buf.as_mut_ptr() as usize).next_multiple_of(PAGE);
        let end = (buf.as_mut_ptr() as usize + buf.len()) & !(PAGE - 1);
        if end > start {
            // SAFETY: the range lies inside `buf`, memory this process owns
            // and may write; the advice only faults its pages in.
            unsafe {
                libc::madvise(
                    start as *mut libc::c_void,
                    end - start,
                    libc::MADV_POPULATE_WRITE,
                );
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn one_member_of_the_size_told() {
        let data: Vec<u8> = (0..100_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let gz = gzip(&data);
        assert_eq!(inflate_member(&gz, data.len()).as_deref(), Some(&data[..]));
        assert_eq!(inflate_member(&gzip(b""), 0).as_deref(), Some(&b""[..]));
    }

    #[test]
    fn anything_else_is_left_to_the_caller() {
        let data = b"hello, chart".repeat(100);
        let gz = gzip(&data);
        // A size too small, or too big (the trailer lies).
        assert_eq!(inflate_member(&gz, data.len() - 1), None);
        assert_eq!(inflate_member(&gz, data.len() + 1), None);
        // Two members, or bytes after the member.
        let two = [gz.clone(), gzip(b"more")].concat();
        assert_eq!(inflate_member(&two, data.len()), None);
        assert_eq!(inflate_member(&[&gz[..], b"x"].concat(), data.len()), None);
        // A flipped bit in the data or the checksum; a cut stream; not gzip.
        for at in [gz.len() / 2, gz.len() - 6] {
            let mut bad = gz.clone();
            bad[at] ^= 1;
            assert_eq!(inflate_member(&bad, data.len()), None, "bit at {at}");
        }
        assert_eq!(inflate_member(&gz[..gz.len() - 3], data.len()), None);
        assert_eq!(inflate_member(b"plain text", 10), None);
        assert_eq!(inflate_member(b"", 0), None);
    }
}
