//! What a render leaves behind once its files are written: the engine with
//! every parsed tree, and the chart with its files and values.
//!
//! Freeing them node by node costs about a twentieth of a render (0.45 ms of
//! Redis 18.6.1's 15, `docs/benchmarks.md`, issue 18's fifth pass). Dropping
//! [`Leftovers`] frees them, on a thread of its own where the render had
//! threads to spare; a process about to exit calls [`Leftovers::abandon`]
//! instead and lets the system take the memory back with the rest of the
//! process, as compilers do with their syntax trees.

use std::fmt;

/// The engine and chart of a finished render; see the module.
#[derive(Default)]
pub struct Leftovers {
    /// Sync too, so that results holding it may pass through
    /// [`crate::parallel`]'s maps.
    held: Option<Box<dyn Send + Sync>>,
    /// Free on another thread (a big chart, on a machine with cores to spare).
    elsewhere: bool,
}

impl Leftovers {
    pub(crate) fn new(held: impl Send + Sync + 'static, elsewhere: bool) -> Leftovers {
        Leftovers {
            held: Some(Box::new(held)),
            elsewhere,
        }
    }

    /// Never frees them: for a process that exits next.
    pub fn abandon(mut self) {
        std::mem::forget(self.held.take());
    }
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        if self.elsewhere {
            crate::parallel::drop_elsewhere(held);
        }
    }
}

impl fmt::Debug for Leftovers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.held.is_some() {
            "Leftovers(held)"
        } else {
            "Leftovers(none)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn dropped_leftovers_are_freed_and_abandoned_ones_are_not() {
        let drops = Arc::new(AtomicUsize::new(0));
        drop(Leftovers::new(Counted(drops.clone()), false));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        Leftovers::new(Counted(drops.clone()), false).abandon();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        // Freed on another thread: the count arrives once that thread ran.
        drop(Leftovers::new(Counted(drops.clone()), true));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while drops.load(Ordering::SeqCst) < 2 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert_eq!(drops.load(Ordering::SeqCst), 2);
    }
}
