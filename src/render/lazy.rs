//! A chart's templates parsed lazily on a core of their own, and the whole
//! parse that Helm's errors need.
//!
//! With a core to spare, a chart's templates are parsed lazily
//! ([`parser::parse_lazy`]): a list is parsed when the render first walks
//! it, and most lists never are (features the values leave off, helpers no
//! template calls). A helper thread does that parse: of each template file as
//! the archive yields it ([`super::early`]), then, once the chart is loaded,
//! of the files it has not parsed yet, while the render's thread coalesces
//! the values (and then joins in). It then parses every list the render has
//! not reached, from the last template back while the render goes through
//! them from the first (a list is parsed once, by whichever comes first).
//! Helm parses every file whole and fails on the first that does not parse,
//! whatever the values: a file whose lists all parse is one Go parses; where
//! one does not, the files are parsed whole, in Helm's order, for Go's error.

use super::early::{parse_offered, Offered, Queue};
use super::shared::{shareable, Parsed};
use crate::engine::ast::File;
use crate::engine::{parser, Error};
use crate::parallel::{wait_for, Backoff, InTurn};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;

/// The lazy parse of a chart's files and its check, running or done.
pub struct LazyParse(State);

enum State {
    /// Nothing to check: the files were parsed whole.
    Whole,
    /// The helper thread parses.
    Running(Arc<Handoff>, JoinHandle<Option<Error>>),
    /// No thread could be had: the files are parsed lazily here, and whole
    /// on finishing.
    Here(Vec<Arc<File>>),
}

/// What the render's thread and the helper hand each other.
#[derive(Default)]
struct Handoff {
    /// The chart's files in Helm's order, once it is loaded.
    files: OnceLock<Vec<Arc<File>>>,
    /// The parse of those files, once the helper has put in what it parsed
    /// before they were known.
    work: OnceLock<Arc<Work>>,
    /// Set when the render's thread will hand no files (the render stopped
    /// before it parsed), or unwinds: the helper stops waiting for it.
    abandoned: AtomicBool,
}

impl Handoff {
    fn abandoned(&self) -> bool {
        self.abandoned.load(Ordering::Relaxed)
    }
}

/// The files to parse lazily, each taken by whichever thread comes first.
struct Work {
    files: Vec<Arc<File>>,
    parsed: InTurn<Parsed>,
}

impl Work {
    /// Parses the files no thread has taken yet, one at a time.
    fn take_and_parse(&self) {
        self.parsed
            .work(|i| shareable(parser::parse_lazy(self.files[i].clone())));
    }

    /// Every file's parse, once the thread that took the last one is done
    /// with it (`None` if `gone` says that thread will never be).
    fn all(&self, gone: impl Fn() -> bool) -> Option<Vec<Parsed>> {
        (0..self.parsed.len())
            .map(|i| wait_for(|| self.parsed.get(i).cloned(), &gone, Backoff::spinning()))
            .collect()
    }

    /// The helper's part: the files not yet taken, then every list, from the
    /// last file back; the first error in Helm's order if one does not parse.
    fn check(&self, handoff: &Handoff) -> Option<Error> {
        self.take_and_parse();
        let parsed = self.all(|| handoff.abandoned())?;
        let trees: Option<Vec<_>> = parsed.into_iter().map(Result::ok).collect();
        let lists_parse = trees.is_some_and(|trees| {
            trees
                .iter()
                .rev()
                .flatten()
                .all(|tree| parser::complete(tree).is_ok())
        });
        if lists_parse {
            None
        } else {
            first_error(&self.files)
        }
    }
}

/// Tells the helper, if the render's thread unwinds, not to wait for it.
struct Unwinding<'w>(&'w AtomicBool);

impl Drop for Unwinding<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// The lazy parse's helper thread, started before the chart is loaded.
pub struct Helper {
    handoff: Arc<Handoff>,
    handle: JoinHandle<Option<Error>>,
}

impl Helper {
    /// Starts the helper on a core apart from this thread's; it parses what
    /// is offered on `queue` (the archive's templates) while the chart
    /// loads, then waits for the files.
    pub(super) fn start(queue: Option<Arc<Queue>>) -> std::io::Result<Helper> {
        let handoff = Arc::new(Handoff::default());
        let shared = handoff.clone();
        let helper = move || {
            let mut early = match queue {
                Some(queue) => parse_offered(&queue, |name, text| {
                    shareable(parser::parse_lazy(File::shared(name, text.clone())))
                }),
                None => Offered::default(),
            };
            // The chart loads meanwhile: milliseconds.
            let files = wait_for(
                || shared.files.get().cloned(),
                || shared.abandoned(),
                Backoff::napping(),
            )?;
            let done = files
                .iter()
                .map(|f| early.take(&f.name, &f.source))
                .collect();
            let work = Arc::new(Work {
                parsed: InTurn::with_results(done),
                files,
            });
            let _ = shared.work.set(work.clone());
            work.check(&shared)
        };
        let handle = crate::parallel::spawn_apart("parse", helper)?;
        Ok(Helper { handoff, handle })
    }

    /// No files will come: the helper ends once it has parsed what was offered.
    pub(super) fn abandon(&self) {
        self.handoff.abandoned.store(true, Ordering::Relaxed);
    }
}

impl LazyParse {
    /// For files parsed whole: nothing to wait for.
    pub fn whole() -> LazyParse {
        LazyParse(State::Whole)
    }

    /// Starts parsing `files` (in Helm's order) lazily on a helper thread;
    /// [`trees`](LazyParse::trees) joins in and takes the result.
    pub fn start(files: Vec<Arc<File>>) -> LazyParse {
        match Helper::start(None) {
            Ok(helper) => LazyParse::handed(files, helper),
            Err(_) => LazyParse(State::Here(files)),
        }
    }

    /// Hands `files` (in Helm's order) to a helper started earlier, which
    /// takes what it parsed of them already and parses the rest.
    pub fn handed(files: Vec<Arc<File>>, helper: Helper) -> LazyParse {
        let _ = helper.handoff.files.set(files);
        LazyParse(State::Running(helper.handoff, helper.handle))
    }

    /// The lazy parse of the files, one result a file in their order: this
    /// thread parses the files the helper has not taken yet.
    pub fn trees(&mut self) -> Vec<Parsed> {
        let parsed = match &self.0 {
            State::Running(handoff, handle) => {
                let _unwinding = Unwinding(&handoff.abandoned);
                let gone = || handle.is_finished();
                // At most a file's parse away.
                let work = wait_for(|| handoff.work.get().cloned(), gone, Backoff::spinning());
                work.and_then(|work| {
                    work.take_and_parse();
                    work.all(gone)
                })
            }
            State::Here(files) => {
                let parsed = files
                    .iter()
                    .map(|f| shareable(parser::parse_lazy(f.clone())));
                return parsed.collect();
            }
            State::Whole => return Vec::new(),
        };
        // `None`: the helper ended before its file was parsed. It panicked,
        // and joining it says so.
        parsed.unwrap_or_else(
            || match std::mem::replace(&mut self.0, State::Whole).finish() {
                Err(e) => vec![Err(e)],
                Ok(()) => Vec::new(),
            },
        )
    }

    /// Waits for the check: the error of the first file (in order) that does
    /// not parse, as Helm gives it.
    pub fn finish(self) -> Result<(), Error> {
        self.0.finish()
    }
}

impl State {
    fn finish(self) -> Result<(), Error> {
        let error = match self {
            State::Whole => None,
            State::Running(_, handle) => match handle.join() {
                Ok(error) => error,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            State::Here(files) => first_error(&files),
        };
        error.map_or(Ok(()), Err)
    }
}

fn first_error(files: &[Arc<File>]) -> Option<Error> {
    files
        .iter()
        .find_map(|file| parser::parse_file(file.clone()).err())
}
