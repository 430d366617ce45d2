//! Parsing templates while the chart is still being read.
//!
//! Inflating an archive and reading its values take about as long as parsing
//! its templates, and templates come out of the archive first (its values
//! last). So a worker on a spare core parses each template file as soon as
//! the archive yields it, under the name it will most likely have
//! (`redis/templates/svc.yaml`), and the render takes a tree made early only
//! when the file's final name and text are the same: a wrong guess (a chart
//! renamed by an alias, say) costs a second parse, never a different result.
//!
//! A big chart's files are parsed whole, for the render's threads to share
//! out ([`super::execute`]); any other chart's lazily, by the helper that then
//! goes on with the lazy parse's check ([`super::lazy`]).

use super::lazy::Helper;
use crate::engine::ast::Tree;
use crate::engine::{parser, Error};
use crate::parallel;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Files waiting for the worker, and whether more will come.
#[derive(Default)]
pub(super) struct Queue {
    files: Mutex<Vec<(String, Arc<str>)>>,
    closed: AtomicBool,
}

impl Queue {
    /// A file to parse, if one waits.
    fn pop(&self) -> Option<(String, Arc<str>)> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }
}

/// Parses, with `parse`, each file offered on `queue` until it is closed and
/// empty.
///
/// The worker polls its queue rather than sleeping on it: waking a sleeping
/// thread on another core costs tens of microseconds on virtual machines, once
/// per file, which is more than parsing many of them.
pub(super) fn parse_offered<R>(queue: &Queue, parse: impl Fn(&str, &Arc<str>) -> R) -> Offered<R> {
    let mut done = HashMap::new();
    let mut idle = parallel::Backoff::napping();
    loop {
        let closed = queue.closed.load(Ordering::Acquire);
        // One file at a time: a whole parse's render thread takes the rest
        // once its own work is done (`finish`); a lazy one waits for them.
        let Some((name, text)) = queue.pop() else {
            if closed {
                return Offered(done);
            }
            idle.wait();
            continue;
        };
        idle = parallel::Backoff::napping();
        let trees = parse(&name, &text);
        done.insert(name, (text, trees));
    }
}

/// A worker parsing the template files offered to it.
pub struct EarlyParse {
    queue: Option<Arc<Queue>>,
    worker: Option<Worker>,
}

enum Worker {
    /// A big chart's files, parsed whole.
    Whole(JoinHandle<Early>),
    /// The lazy parse's helper, begun before the chart is read.
    Lazy(Helper),
}

impl EarlyParse {
    /// A worker, when a chart archive of `archive_size` bytes is worth one
    /// (see [`parallel::threads_for`]) or there is a core to spare; a lazy
    /// one only when the render may parse lazily (`lazy`: not when renders
    /// share their parses).
    pub fn start(archive_size: u64, lazy: bool) -> EarlyParse {
        // Archives inflate to about ten times their size.
        let work = usize::try_from(archive_size.saturating_mul(10)).unwrap_or(usize::MAX);
        let whole = parallel::threads_for(work) >= 2;
        let lazy = lazy && parallel::spare_core();
        if !whole && !lazy {
            return EarlyParse::none();
        }
        let queue = Arc::new(Queue::default());
        let q = queue.clone();
        let worker = if whole {
            std::thread::Builder::new()
                .name("early-parse".into())
                .spawn(parallel::elsewhere(move || {
                    parse_offered(&q, |name, text| parser::parse(name, text))
                }))
                .ok()
                .map(Worker::Whole)
        } else {
            Helper::start(Some(q)).ok().map(Worker::Lazy)
        };
        EarlyParse {
            queue: worker.is_some().then_some(queue),
            worker,
        }
    }

    /// No worker: every template is parsed by the render itself.
    pub fn none() -> EarlyParse {
        EarlyParse {
            queue: None,
            worker: None,
        }
    }

    /// Whether a worker parses the files whole, for [`finish`](Self::finish).
    pub fn is_active(&self) -> bool {
        matches!(self.worker, Some(Worker::Whole(_)))
    }

    /// The lazy parse's helper, when one was begun.
    pub fn into_helper(mut self) -> Option<Helper> {
        match self.worker.take() {
            Some(Worker::Lazy(helper)) => Some(helper),
            other => {
                self.worker = other;
                None
            }
        }
    }

    /// Offers an archive entry (named as in the archive, chart folder first);
    /// files under a `templates/` folder of the chart or of its unpacked
    /// subcharts are parsed.
    pub fn offer(&self, archive_name: &str, data: &Arc<[u8]>) {
        let Some(queue) = &self.queue else {
            return;
        };
        if !is_template_path(archive_name) {
            return;
        }
        if let Some(text) = crate::chart::shared_utf8(data) {
            queue
                .files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((archive_name.to_string(), text));
        }
    }

    /// No more files will come: the worker finishes what it has and stops.
    pub fn close(&self) {
        if let Some(queue) = &self.queue {
            queue.closed.store(true, Ordering::Release);
        }
    }

    /// The files parsed whole: this thread parses, beside the worker, what it
    /// has not yet taken, then waits for it. (A lazy helper's trees are the
    /// lazy parse's only: it is let go, and nothing is taken from it.)
    pub fn finish(mut self) -> Early {
        self.close();
        let worker = match self.worker.take() {
            Some(Worker::Whole(worker)) => worker,
            Some(Worker::Lazy(helper)) => {
                helper.abandon();
                return Offered::default();
            }
            None => return Offered::default(),
        };
        // The queue is closed: this takes what is left and returns.
        let mine = match &self.queue {
            Some(queue) => parse_offered(queue, |name, text| parser::parse(name, text)),
            None => Offered::default(),
        };
        let mut parsed = worker.join().unwrap_or_default();
        parsed.0.extend(mine.0);
        parsed
    }
}

impl Drop for EarlyParse {
    /// A render that stops early must not leave the worker polling.
    fn drop(&mut self) {
        self.close();
        if let Some(Worker::Lazy(helper)) = &self.worker {
            helper.abandon();
        }
    }
}

/// What a worker parsed, by the name it was offered under.
pub struct Offered<R>(HashMap<String, (Arc<str>, R)>);

impl<R> Default for Offered<R> {
    fn default() -> Offered<R> {
        Offered(HashMap::new())
    }
}

/// What the worker parsed whole.
pub type Early = Offered<Result<Vec<Tree>, Error>>;

impl<R> Offered<R> {
    /// The trees of `name`, when the worker parsed a file of that name with
    /// exactly this text.
    pub fn take(&mut self, name: &str, text: &str) -> Option<R> {
        match self.0.remove(name) {
            // The same file's text is one allocation, shared: comparing the
            // pointers spares reading it.
            Some((parsed, trees)) if std::ptr::eq(&*parsed, text) || *parsed == *text => {
                Some(trees)
            }
            _ => None,
        }
    }
}

/// `chart/templates/…` or `chart/charts/sub/…/templates/…`.
fn is_template_path(name: &str) -> bool {
    let mut parts = name.split('/').skip(1);
    loop {
        match parts.next() {
            Some("templates") => return parts.next().is_some(),
            Some("charts") => {
                if parts.next().is_none() {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_paths() {
        assert!(is_template_path("redis/templates/svc.yaml"));
        assert!(is_template_path("redis/templates/a/b.yaml"));
        assert!(is_template_path("redis/charts/common/templates/_names.tpl"));
        assert!(!is_template_path("redis/values.yaml"));
        assert!(!is_template_path("redis/templates"));
        assert!(!is_template_path("redis/charts/common/values.yaml"));
        assert!(!is_template_path("redis/files/templates/x"));
    }

    #[test]
    fn every_file_offered_is_parsed_by_the_worker_or_the_finishing_thread() {
        let early = EarlyParse::start(u64::MAX, false);
        let active = early.is_active();
        let names: Vec<String> = (0..200).map(|i| format!("c/templates/t{i}.yaml")).collect();
        for (i, name) in names.iter().enumerate() {
            early.offer(name, &format!("n: {{{{ {i} }}}}").as_bytes().into());
        }
        let mut done = early.finish();
        for (i, name) in names.iter().enumerate() {
            let trees = done.take(name, &format!("n: {{{{ {i} }}}}"));
            assert_eq!(trees.is_some(), active, "{name}");
            assert!(trees.is_none_or(|t| t.is_ok()));
        }
    }

    #[test]
    fn a_tree_is_taken_only_for_the_same_name_and_text() {
        let early = EarlyParse::start(u64::MAX, false);
        early.offer("c/templates/a.yaml", &b"a: {{ 1 }}".as_slice().into());
        early.offer("c/templates/b.yaml", &b"b".as_slice().into());
        early.offer("c/values.yaml", &b"x: 1".as_slice().into());
        let active = early.is_active();
        let mut done = early.finish();
        assert!(done.take("c/templates/a.yaml", "a: {{ 2 }}").is_none());
        assert!(done.take("c/values.yaml", "x: 1").is_none());
        assert_eq!(done.take("c/templates/b.yaml", "b").is_some(), active);
    }
}
