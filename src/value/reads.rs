//! Which keys of a values tree templates read.
//!
//! A values tree is *armed* before it is rendered ([`armed`]): each of its
//! maps gets one flag per key, and every read through [`Map`]'s methods sets
//! the flag of the key it looks at (`get`, `contains_key`), or of every key
//! when it looks at all of them (iteration, `keys`, `len`, copies, equality).
//! So each route a template takes to a value (field chains, `index`, `dig`,
//! `range`, `toYaml`, variables holding a subtree, a subchart's `.Values`,
//! which is its parent's map) marks the maps it passes through, without the
//! engine knowing: the engine only calls the map's methods.
//!
//! A copy made by a template (`deepCopy`, `merge` into a new `dict`) is not
//! armed, but making it read every key it copied, so a value reached through
//! a copy counts as read: the tracking may miss an unread value, never call a
//! read one unread.
//!
//! Maps that are not armed carry no flags and pay one branch per read.

use super::{Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// One flag per key the map had when it was armed, keys sorted.
pub(crate) struct ReadMarks {
    keys: Box<[Box<str>]>,
    read: Box<[AtomicBool]>,
}

impl ReadMarks {
    fn new(keys: impl Iterator<Item = Box<str>>) -> ReadMarks {
        let keys: Box<[Box<str>]> = keys.collect();
        let read = keys.iter().map(|_| AtomicBool::new(false)).collect();
        ReadMarks { keys, read }
    }

    fn index(&self, key: &str) -> Option<usize> {
        self.keys.binary_search_by(|k| (**k).cmp(key)).ok()
    }

    /// Marks `key`, or every key for `None`. Keys added after arming were
    /// not the user's, so they have no flag.
    pub(crate) fn note(&self, key: Option<&str>) {
        match key {
            Some(k) => {
                if let Some(i) = self.index(k) {
                    self.read[i].store(true, Ordering::Relaxed);
                }
            }
            None => {
                for flag in self.read.iter() {
                    flag.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    fn was_read(&self, key: &str) -> Option<bool> {
        self.index(key)
            .map(|i| self.read[i].load(Ordering::Relaxed))
    }
}

impl Map {
    /// Whether templates read `key` since this map was armed; `None` when the
    /// map is not armed or had no such key then (it was made or changed by a
    /// template, so nothing is known of it). Asking marks nothing.
    pub fn was_read(&self, key: &str) -> Option<bool> {
        self.marks.as_ref()?.was_read(key)
    }

    /// The entries without marking them read (for the tracking's own walks).
    pub fn entries_unmarked(&self) -> Vec<(String, Value)> {
        self.read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The keys without marking them read.
    pub fn keys_unmarked(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    /// The value at `key` without marking it read.
    pub fn get_unmarked(&self, key: &str) -> Option<Value> {
        self.read().get(key).cloned()
    }
}

/// A copy of `values` whose maps record the keys templates read. Maps and
/// lists shared by reference inside the tree stay shared in the copy, so a
/// template's `set` is seen wherever it was before.
pub fn armed(values: &Value) -> Value {
    arm(values, &mut HashMap::new())
}

fn arm(v: &Value, seen: &mut HashMap<usize, Value>) -> Value {
    let id = match v {
        Value::Map(m, _) => Arc::as_ptr(m) as usize,
        Value::List(l) => Arc::as_ptr(l) as *const u8 as usize,
        other => return other.clone(),
    };
    if let Some(done) = seen.get(&id) {
        return done.clone();
    }
    // Iteratively deep trees are bounded by the reader and the meter
    // (`meter::MAX_DEPTH`), so recursion here stays shallow.
    let copy = match v {
        Value::Map(m, _) => {
            let entries: std::collections::BTreeMap<String, Value> = m
                .entries_unmarked()
                .into_iter()
                .map(|(k, v)| {
                    let v = arm(&v, seen);
                    (k, v)
                })
                .collect();
            let marks = ReadMarks::new(entries.keys().map(|k| k.as_str().into()));
            let mut map = Map::from(entries);
            map.marks = Some(Box::new(marks));
            Value::map(map)
        }
        Value::List(l) => Value::List(Arc::new(l.iter().map(|x| arm(x, seen)).collect())),
        _ => unreachable!("scalars return above"),
    };
    seen.insert(id, copy.clone());
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(s: &str) -> Value {
        crate::yaml::from_str(s).unwrap()
    }

    #[test]
    fn reads_mark_only_what_they_look_at() {
        let v = armed(&yaml("a:\n  b: 1\n  c: 2\nd: [1]\ne: {}\n"));
        let root = v.as_map().unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(a.as_map().unwrap().get("b"), Some(Value::Float(1.0)));
        assert_eq!(root.was_read("a"), Some(true));
        assert_eq!(a.as_map().unwrap().was_read("b"), Some(true));
        assert_eq!(a.as_map().unwrap().was_read("c"), Some(false));
        assert_eq!(root.was_read("d"), Some(false));
        assert_eq!(root.was_read("zz"), None);
        // Iteration reads every key.
        let _ = a.as_map().unwrap().entries();
        assert_eq!(a.as_map().unwrap().was_read("c"), Some(true));
    }

    #[test]
    fn a_lone_key_decides_emptiness() {
        let v = armed(&yaml("one: {k: 1}\ntwo: {k: 1, l: 2}\n"));
        let root = v.as_map().unwrap();
        let one = root.get_unmarked("one").unwrap();
        let two = root.get_unmarked("two").unwrap();
        assert!(!one.as_map().unwrap().is_empty());
        assert!(!two.as_map().unwrap().is_empty());
        assert_eq!(one.as_map().unwrap().was_read("k"), Some(true));
        assert_eq!(two.as_map().unwrap().was_read("k"), Some(false));
    }

    #[test]
    fn sharing_survives_arming() {
        let shared = yaml("k: 1\n");
        let m = Map::new();
        m.insert("x", shared.clone());
        m.insert("y", shared);
        let v = armed(&Value::map(m));
        let x = v.get("x");
        let y = v.get("y");
        x.as_map().unwrap().insert("new", Value::Bool(true));
        assert!(y.as_map().unwrap().contains_key("new"));
        assert_eq!(y.as_map().unwrap().was_read("new"), None);
    }
}
