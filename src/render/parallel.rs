//! Order-keeping parallel maps for the independent parts of a render (parsing
//! files, running templates, reading rendered documents): each item goes to
//! whichever thread is free next, and the results come back in input order,
//! so callers see what a sequential loop would give.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Threads worth using: the cores this process may run on.
pub fn threads() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` over every item on up to [`threads`] threads, the caller's included;
/// `meanwhile` runs first on the caller's thread, which then joins in.
pub fn map_while<I, R, M>(
    items: &[I],
    meanwhile: impl FnOnce() -> M,
    f: impl Fn(&I) -> R + Sync,
) -> (M, Vec<R>)
where
    I: Sync,
    R: Send + Sync,
{
    let slots: Vec<OnceLock<R>> = items.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else {
            return;
        };
        let _ = slots[i].set(f(item));
    };
    let out = std::thread::scope(|s| {
        for _ in 1..threads().min(items.len()) {
            s.spawn(work);
        }
        let out = meanwhile();
        work();
        out
    });
    let results = slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("every item is mapped once the scope ends")
        })
        .collect();
    (out, results)
}

/// `f` over every item on up to [`threads`] threads, results in input order.
pub fn map<I: Sync, R: Send + Sync>(items: &[I], f: impl Fn(&I) -> R + Sync) -> Vec<R> {
    map_while(items, || (), f).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        let (m, out) = map_while(&items, || "first", |x| x * 2);
        assert_eq!(m, "first");
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(map(&[] as &[u8], |_| 1).is_empty());
    }
}
