//! One process-wide setting made before anything else runs; also included by
//! `examples/floor.rs` (through `#[path]`), so the floor starts as the binary does.

/// Keeps transparent huge pages out of this process, to be called first in
/// `main`. mimalloc asks for them, and the kernel backs each 2 MiB it touches
/// with a whole zeroed huge page: a run of a few milliseconds then holds
/// memory it never uses (Redis 18.6.1 peaked at 26 MB, 16.7 MB with 4 KiB
/// pages, in the same time).
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes a flag and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
