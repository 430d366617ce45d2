//! A chart's templates parsed lazily on a core of their own, and the whole
//! parse that Helm's errors need.
//!
//! With a core to spare, a chart's templates are parsed lazily
//! ([`parser::parse_lazy`]): a list is parsed when the render first walks
//! it, and most lists never are (features the values leave off, helpers no
//! template calls). A helper thread does that parse while the render's
//! thread coalesces the values, hands the trees over, and then parses every
//! list the render has not reached, from the last template back while the
//! render goes through them from the first (a list is parsed once, by
//! whichever comes first). Helm parses every file whole and fails on the
//! first that does not parse, whatever the values: a file whose lists all
//! parse is one Go parses; where one does not, the files are parsed whole,
//! in Helm's order, for Go's error.

use super::shared::{shareable, Parsed};
use crate::engine::ast::File;
use crate::engine::{parser, Error};
use std::sync::mpsc::{channel, Receiver, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The lazy parse of a chart's files and its check, running or done.
pub struct LazyParse(State);

enum State {
    /// Nothing to check: the files were parsed whole.
    Whole,
    /// The helper thread parses; its trees come through the channel.
    Running(Receiver<Vec<Parsed>>, JoinHandle<Option<Error>>),
    /// No thread could be had: the files are parsed lazily here, and whole
    /// on finishing.
    Here(Vec<Arc<File>>),
}

impl LazyParse {
    /// For files parsed whole: nothing to wait for.
    pub fn whole() -> LazyParse {
        LazyParse(State::Whole)
    }

    /// Starts parsing `files` (in Helm's order) lazily on a helper thread;
    /// [`trees`](LazyParse::trees) takes the result.
    pub fn start(files: Vec<Arc<File>>) -> LazyParse {
        let kept = files.clone();
        let (send, receive) = channel();
        let work = move || {
            let parsed: Vec<Parsed> = files
                .iter()
                .map(|file| shareable(parser::parse_lazy(file.clone())))
                .collect();
            let trees: Option<Vec<_>> = parsed.iter().map(|p| p.as_ref().ok().cloned()).collect();
            // The render stops if its thread is gone: so does the check.
            send.send(parsed).ok()?;

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
                first_error(&files)
            }
        };
        match crate::parallel::spawn_apart("parse", work) {
            Ok(handle) => LazyParse(State::Running(receive, handle)),
            Err(_) => LazyParse(State::Here(kept)),
        }
    }

    /// The lazy parse of the files, one result a file in their order
    /// (parsed here if no helper could be had).
    pub fn trees(&mut self) -> Vec<Parsed> {
        match &self.0 {
            State::Running(receive, _) => match wait_for(receive) {
                Some(parsed) => parsed,
                None => match self.finish_early() {
                    Err(e) => vec![Err(e)],
                    Ok(()) => Vec::new(),
                },
            },
            State::Here(files) => files
                .iter()
                .map(|file| shareable(parser::parse_lazy(file.clone())))
                .collect(),
            State::Whole => Vec::new(),
        }
    }

    /// The helper's outcome when it ended without handing trees over.
    fn finish_early(&mut self) -> Result<(), Error> {
        std::mem::replace(&mut self.0, State::Whole).finish()
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

/// What the helper sends, in the millisecond or so the values take to
/// coalesce. Blocked in the meantime, the render's thread would be woken
/// late, behind whatever took its CPU (measured on the 2-core machine of
/// docs/benchmarks.md); so it spins, for a while, on the CPU it has.
fn wait_for<T>(receive: &Receiver<T>) -> Option<T> {
    const SPIN: Duration = Duration::from_millis(20);
    let start = Instant::now();
    loop {
        for _ in 0..64 {
            match receive.try_recv() {
                Ok(sent) => return Some(sent),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => std::hint::spin_loop(),
            }
        }
        if start.elapsed() > SPIN {
            return receive.recv().ok();
        }
    }
}

fn first_error(files: &[Arc<File>]) -> Option<Error> {
    files
        .iter()
        .find_map(|file| parser::parse_file(file.clone()).err())
}
