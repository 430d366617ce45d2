//! Parsing templates while the chart is still being read.
//!
//! Inflating an archive and reading its values take about as long as parsing
//! its templates, and templates come out of the archive first. So a worker
//! parses each template file as soon as the archive yields it, under the name
//! it will most likely have (`redis/templates/svc.yaml`), and the render takes
//! a tree made early only when the file's final name and text are the same:
//! a wrong guess (a chart renamed by an alias, say) costs a second parse,
//! never a different result.

use super::parallel;
use crate::engine::ast::Tree;
use crate::engine::{parser, Error};
use std::collections::HashMap;
use std::sync::mpsc;
use std::thread::JoinHandle;

type Parsed = HashMap<String, (String, Result<Vec<Tree>, Error>)>;

/// A worker parsing the template files offered to it.
pub struct EarlyParse {
    files: Option<mpsc::Sender<(String, String)>>,
    worker: Option<JoinHandle<Parsed>>,
}

impl EarlyParse {
    /// A worker, when there is a core to spare for it.
    pub fn start() -> EarlyParse {
        if parallel::threads() < 2 {
            return EarlyParse::none();
        }
        let (tx, rx) = mpsc::channel::<(String, String)>();
        let worker = std::thread::Builder::new()
            .name("early-parse".into())
            .spawn(move || {
                // Nearly every chart compares versions (dependencies,
                // `semverCompare`): compile those patterns here, off the
                // thread that is reading the archive.
                crate::semver::prepare();
                let mut done = Parsed::new();
                for (name, text) in rx {
                    let trees = parser::parse(&name, &text);
                    done.insert(name, (text, trees));
                }
                done
            })
            .ok();
        EarlyParse {
            files: worker.is_some().then_some(tx),
            worker,
        }
    }

    /// No worker: every template is parsed by the render itself.
    pub fn none() -> EarlyParse {
        EarlyParse {
            files: None,
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
        let Some(files) = &self.files else {
            return;
        };
        if !is_template_path(archive_name) {
            return;
        }
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = files.send((archive_name.to_string(), text.to_string()));
        }
    }

    /// Waits for the worker to parse what it was offered.
    pub fn finish(mut self) -> Early {
        drop(self.files.take());
        let parsed = self
            .worker
            .take()
            .and_then(|w| w.join().ok())
            .unwrap_or_default();
        Early(parsed)
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
    fn a_tree_is_taken_only_for_the_same_name_and_text() {
        let early = EarlyParse::start();
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
