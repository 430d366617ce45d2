//! What a template function spends inside itself, and how deep its walks
//! over values go.
//!
//! The executor charges every call by the size of its arguments and result,
//! but some work cannot be seen from outside: walking a tree (`eq` of two
//! maps, printing, `toYaml`, `merge`), parsing (`fromYaml`, `tpl`),
//! compiling a regex. Such code charges here as it goes, on the thread's own
//! meter, and the executor reads the meter after each call: one budget (the
//! render's steps) for all of it.
//!
//! Every recursive walk over [`Value`](super::Value)s goes one level down
//! through [`descend`]: past [`MAX_DEPTH`] (a map that contains itself
//! through `set`, a `dict` nested in a loop) the walk stops, the meter
//! remembers it, and the executor turns that into an error instead of a
//! stack overflow.

use std::cell::Cell;

/// How deep a walk over nested lists and maps may go: above the 1000 levels
/// YAML may nest where Helm reads it, so any value read from a file can be
/// walked whole.
pub const MAX_DEPTH: usize = 1100;

/// What one container of a walk costs: copying a map's entries out and
/// writing or comparing them, a few hundred nanoseconds.
const STEPS_A_LEVEL: u64 = 8;

thread_local! {
    static SPENT: Cell<u64> = const { Cell::new(0) };
    static LEFT: Cell<u64> = const { Cell::new(u64::MAX) };
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    static TOO_DEEP: Cell<bool> = const { Cell::new(false) };
    /// Between [`open`] and [`close`]: someone will read [`TOO_DEEP`].
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
}

/// Charges `steps`; `false` once the call has spent what it may (the caller
/// should stop; the executor reports the limit, whatever the caller returns).
pub fn charge(steps: u64) -> bool {
    let spent = SPENT.with(|s| {
        let t = s.get().saturating_add(steps);
        s.set(t);
        t
    });
    spent <= LEFT.with(Cell::get)
}

/// One level of a walk, held while the walk is below it.
pub struct Level(());

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Goes one level down a walk, charging a step: `None` past [`MAX_DEPTH`]
/// (remembered, see [`Reading::too_deep`]) or past the budget, where the
/// walk should stop.
pub fn descend() -> Option<Level> {
    // Once a walk stopped, the rest of the call's walks stop at once: the
    // executor fails the call, and a map that holds itself twice would
    // otherwise be walked down every path.
    if TOO_DEEP.with(Cell::get) || !charge(STEPS_A_LEVEL) {
        return None;
    }
    let depth = DEPTH.with(|d| {
        let n = d.get() + 1;
        d.set(n);
        n
    });
    let level = Level(());
    if depth > MAX_DEPTH {
        too_deep();
        return None;
    }
    Some(level)
}

/// Marks the current call as having met a value nested past [`MAX_DEPTH`]
/// (or containing itself).
pub fn too_deep() {
    if ACTIVE.with(Cell::get) {
        TOO_DEEP.with(|t| t.set(true));
    }
}

/// What one call spent.
pub struct Reading {
    pub spent: u64,
    /// It spent more than it was given.
    pub over: bool,
    /// A walk met a value nested too deep.
    pub too_deep: bool,
}

/// Starts metering a call that may spend `left` steps.
pub fn open(left: u64) {
    SPENT.with(|s| s.set(0));
    LEFT.with(|l| l.set(left));
    TOO_DEEP.with(|t| t.set(false));
    ACTIVE.with(|a| a.set(true));
}

/// Ends metering a call: what it spent. Outside a metered call, walks still
/// stop at [`MAX_DEPTH`] but never for the budget.
pub fn close() -> Reading {
    let spent = SPENT.with(|s| s.replace(0));
    let left = LEFT.with(|l| l.replace(u64::MAX));
    ACTIVE.with(|a| a.set(false));
    Reading {
        spent,
        over: spent > left,
        too_deep: TOO_DEEP.with(|t| t.replace(false)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descend_stops_past_the_depth_and_says_so() {
        open(u64::MAX);
        fn down(n: usize) -> usize {
            match descend() {
                Some(_level) => down(n + 1),
                None => n,
            }
        }
        assert_eq!(down(0), MAX_DEPTH);
        let r = close();
        assert!(r.too_deep && !r.over);
        assert_eq!(r.spent, (MAX_DEPTH as u64 + 1) * STEPS_A_LEVEL);
        // The levels were given back: a new walk goes as deep again.
        open(10 * STEPS_A_LEVEL);
        assert_eq!(down(0), 10);
        let r = close();
        assert!(r.over && !r.too_deep);
    }
}
