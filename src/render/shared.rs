//! Template parses shared between the renders of one run.
//!
//! A stack may render one chart for several releases (beta9 renders Bitnami
//! Redis twice), and a chart's templates parse the same whatever the values.
//! Each template file, by name and text, is parsed once: by whichever render
//! claims it first. Renders running side by side share the work: a render
//! that finds a file claimed by another goes on with its next file, and
//! takes the other's trees once it has parsed its own.

use crate::engine::ast::Tree;
use crate::engine::Error;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// What parsing one file gave: its trees (the file's own and its
/// `define`s), or the error.
pub type Parsed = Result<Vec<Arc<Tree>>, Error>;

/// One file's trees as engines hold them, to be shared.
pub fn shareable(parsed: Result<Vec<Tree>, Error>) -> Parsed {
    parsed.map(|trees| trees.into_iter().map(Arc::new).collect())
}

/// Parses of template files by name and text, for renders to share.
#[derive(Default)]
pub struct SharedParses {
    /// By file name, then text (nearly always one): the names are hashed,
    /// the texts only compared.
    slots: Mutex<HashMap<String, Texts>>,
}

/// The texts met under one file name, each with its parse.
type Texts = Vec<(String, Arc<Slot>)>;

impl fmt::Debug for SharedParses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files: usize = lock(&self.slots).values().map(Vec::len).sum();
        write!(f, "SharedParses({files} files)")
    }
}

/// One file: claimed by the render that parses it, done once parsed.
#[derive(Default)]
struct Slot {
    claimed: AtomicBool,
    done: Mutex<Option<Parsed>>,
    ready: Condvar,
}

impl Slot {
    /// Waits for the render that claimed this file to parse it.
    fn wait(&self) -> Parsed {
        let mut done = lock(&self.done);
        loop {
            if let Some(parsed) = &*done {
                return parsed.clone();
            }
            done = self.ready.wait(done).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn set(&self, parsed: Parsed) {
        *lock(&self.done) = Some(parsed);
        self.ready.notify_all();
    }
}

/// A lock even if a thread panicked holding it: every value behind these
/// locks is whole between statements.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SharedParses {
    /// The parses of `files` (name, text), in their order: those no render
    /// has claimed are parsed here (by `parse`, which may take a tree made
    /// early), the others are awaited after.
    pub fn parse_all(
        &self,
        files: &[(&str, &str)],
        mut parse: impl FnMut(&str, &str) -> Result<Vec<Tree>, Error>,
    ) -> Vec<Parsed> {
        let slots: Vec<Arc<Slot>> = {
            let mut map = lock(&self.slots);
            files
                .iter()
                .map(|&(name, text)| {
                    if !map.contains_key(name) {
                        map.insert(name.to_string(), Vec::new());
                    }
                    let texts = map.get_mut(name).expect("inserted above");
                    match texts.iter().find(|(t, _)| t == text) {
                        Some((_, slot)) => slot.clone(),
                        None => {
                            let slot = Arc::<Slot>::default();
                            texts.push((text.to_string(), slot.clone()));
                            slot
                        }
                    }
                })
                .collect()
        };
        let mut out: Vec<Option<Parsed>> = files
            .iter()
            .zip(&slots)
            .map(|(&(name, text), slot)| {
                if slot.claimed.swap(true, Ordering::AcqRel) {
                    return None;
                }
                let parsed = shareable(parse(name, text));
                slot.set(parsed.clone());
                Some(parsed)
            })
            .collect();
        for (parsed, slot) in out.iter_mut().zip(&slots) {
            if parsed.is_none() {
                *parsed = Some(slot.wait());
            }
        }
        out.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::parser;

    #[test]
    fn each_file_is_parsed_once_and_every_render_gets_its_trees() {
        let shared = SharedParses::default();
        let files = [
            ("c/templates/a.yaml", "a: {{ .Values.a }}"),
            ("c/templates/_h.tpl", "{{ define \"h\" }}h{{ end }}"),
            ("c/templates/bad.yaml", "{{ if }}"),
        ];
        let parses = std::sync::atomic::AtomicUsize::new(0);
        let count = |name: &str, text: &str| {
            parses.fetch_add(1, Ordering::Relaxed);
            parser::parse(name, text)
        };
        let results: Vec<Vec<Parsed>> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..3)
                .map(|_| s.spawn(|| shared.parse_all(&files, count)))
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        assert_eq!(parses.load(Ordering::Relaxed), files.len());
        for parsed in &results {
            assert_eq!(parsed.len(), 3);
            let names: Vec<&str> = parsed[1]
                .as_ref()
                .unwrap()
                .iter()
                .map(|t| &*t.name)
                .collect();
            assert!(names.contains(&"h"), "{names:?}");
            let Err(alone) = parser::parse(files[2].0, files[2].1) else {
                panic!("{} parses", files[2].0);
            };
            let Err(err) = &parsed[2] else {
                panic!("{} parses when shared", files[2].0);
            };
            assert_eq!(err.to_string(), alone.to_string());
        }
        // Another text under the same name is another file.
        let other = shared.parse_all(&[("c/templates/a.yaml", "a: 2")], parser::parse);
        assert!(other[0].is_ok());
        assert_eq!(format!("{shared:?}"), "SharedParses(4 files)");
    }
}
