//! One process-wide setting made before anything else runs; also included by
//! `examples/floor.rs` (through `#[path]`), so the floor starts as the binary does.

/// Keeps transparent huge pages out of this process. mimalloc asks for them
/// (`madvise(MADV_HUGEPAGE)` on the 1 GiB arena it reserves at its first
/// allocation), and the kernel backs each 2 MiB it touches with a whole zeroed
/// huge page: a run of a few milliseconds then holds memory it never uses
/// (Redis 18.6.1 peaked at 26 MB, 16.7 MB with 4 KiB pages, in the same time).
///
/// It runs as a constructor, before `main` and before mimalloc's own
/// constructor (numbered `.init_array` entries run before plain ones):
/// Rust's runtime allocates before `main`, and a call from `main` came after
/// the arena's first huge page was already faulted in (2.7 MB of every run's
/// peak).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00101"]
static NO_HUGE_PAGES: extern "C" fn() = no_huge_pages;

extern "C" fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes a flag and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
