//! Parsing templates while the chart is still being read.
//!
//! Inflating an archive and reading its values take about as long as parsing
//! its templates, and templates come out of the archive first. So a worker
//! parses each template file as soon as the archive yields it, under the name
//! it will most likely have (`redis/templates/svc.yaml`), and the render takes
//! a tree made early only when the file's final name and text are the same:
//! a wrong guess (a chart renamed by an alias, say) costs a second parse,
//! never a different result.

use crate::engine::ast::Tree;
use crate::engine::{parser, Error};
use crate::parallel;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

type Parsed = HashMap<String, (String, Result<Vec<Tree>, Error>)>;

/// Files waiting for the worker, and whether more will come.
#[derive(Default)]
struct Queue {
    files: Mutex<Vec<(String, String)>>,
    closed: AtomicBool,
}

impl Queue {
    /// A file to parse, if one waits.
    fn pop(&self) -> Option<(String, String)> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }
}

/// A worker parsing the template files offered to it.
///
/// The worker polls its queue rather than sleeping on it: waking a sleeping
/// thread on another core costs tens of microseconds on virtual machines, once
/// per file, which is more than parsing many of them.
pub struct EarlyParse {
    queue: Option<Arc<Queue>>,
    worker: Option<JoinHandle<Parsed>>,
}

impl EarlyParse {
    /// A worker, when a chart archive of `archive_size` bytes is worth one
    /// (see [`parallel::threads_for`]).
    pub fn start(archive_size: u64) -> EarlyParse {
        // Archives inflate to about ten times their size.
        let work = usize::try_from(archive_size.saturating_mul(10)).unwrap_or(usize::MAX);
        if parallel::threads_for(work) < 2 {
            return EarlyParse::none();
        }
        let queue = Arc::new(Queue::default());
        let q = queue.clone();
        let worker = std::thread::Builder::new()
            .name("early-parse".into())
            .spawn(parallel::elsewhere(move || {
                let mut done = Parsed::new();
                let mut idle = 0u32;
                loop {
                    let closed = q.closed.load(Ordering::Acquire);
                    // One file at a time: the render's thread takes the rest
                    // once its own work is done.
                    let Some((name, text)) = q.pop() else {
                        if closed {
                            return done;
                        }
                        idle += 1;
                        if idle < 64 {
                            std::hint::spin_loop();
                        } else if idle < 4096 {
                            std::thread::yield_now();
                        } else {
                            std::thread::sleep(std::time::Duration::from_micros(50));
                        }
                        continue;
                    };
                    idle = 0;
                    let trees = parser::parse(&name, &text);
                    done.insert(name, (text, trees));
                }
            }))
            .ok();
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

    pub fn is_active(&self) -> bool {
        self.worker.is_some()
    }

    /// Offers an archive entry (named as in the archive, chart folder first);
    /// files under a `templates/` folder of the chart or of its unpacked
    /// subcharts are parsed.
    pub fn offer(&self, archive_name: &str, data: &[u8]) {
        let Some(queue) = &self.queue else {
            return;
        };
        if !is_template_path(archive_name) {
            return;
        }
        if let Ok(text) = std::str::from_utf8(data) {
            queue
                .files
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((archive_name.to_string(), text.to_string()));
        }
    }

    /// No more files will come: the worker finishes what it has and stops.
    pub fn close(&self) {
        if let Some(queue) = &self.queue {
            queue.closed.store(true, Ordering::Release);
        }
    }

    /// Parses, beside the worker, what it has not yet taken, then waits
    /// for it.
    pub fn finish(mut self) -> Early {
        self.close();
        let mut mine = Parsed::new();
        if let Some(queue) = &self.queue {
            while let Some((name, text)) = queue.pop() {
                let trees = parser::parse(&name, &text);
                mine.insert(name, (text, trees));
            }
        }
        let mut parsed = self
            .worker
            .take()
            .and_then(|w| w.join().ok())
            .unwrap_or_default();
        parsed.extend(mine);
        Early(parsed)
    }
}

impl Drop for EarlyParse {
    /// A render that stops early must not leave the worker polling.
    fn drop(&mut self) {
        self.close();
    }
}

/// What the worker parsed.
pub struct Early(Parsed);

impl Early {
    /// The trees of `name`, when the worker parsed a file of that name with
    /// exactly this text.
    pub fn take(&mut self, name: &str, text: &str) -> Option<Result<Vec<Tree>, Error>> {
        match self.0.remove(name) {
            Some((parsed_text, trees)) if parsed_text == text => Some(trees),
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
        let early = EarlyParse::start(u64::MAX);
        let active = early.is_active();
        let names: Vec<String> = (0..200).map(|i| format!("c/templates/t{i}.yaml")).collect();
        for (i, name) in names.iter().enumerate() {
            early.offer(name, format!("n: {{{{ {i} }}}}").as_bytes());
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
        let early = EarlyParse::start(u64::MAX);
        early.offer("c/templates/a.yaml", b"a: {{ 1 }}");
        early.offer("c/templates/b.yaml", b"b");
        early.offer("c/values.yaml", b"x: 1");
        let active = early.is_active();
        let mut done = early.finish();
        assert!(done.take("c/templates/a.yaml", "a: {{ 2 }}").is_none());
        assert!(done.take("c/values.yaml", "x: 1").is_none());
        assert_eq!(done.take("c/templates/b.yaml", "b").is_some(), active);
    }
}
