//! Applying overlays to a manifest stream: each document parsed once,
//! untouched documents copied byte for byte.
//!
//! Documents are read in batches of up to [`BATCH_BYTES`]; the documents of
//! a batch are rewritten on every core (a document's rules depend on it
//! alone), while this thread takes the batch before into the output and
//! reads the next one. What each document came to is taken in stream order,
//! so output, report and the first error are those of a sequential run.
//!
//! The output is built in memory and handed over only when the whole stream
//! has gone through, so that an error leaves no partial output. Only the
//! output and two batches are held; no tree of the whole stream.

use super::load::Overlay;
use super::ops::ingressroute::{self, NodePorts, Target};
use super::ops::json::{apply_merge, apply_patch, apply_remove, apply_set, nodes_over, too_big};
use super::ops::{images, placement, resources};
use super::provenance::{Change, Edits, Recorder};
use crate::manifest::{
    read_value, scalar_texts, DocumentError, RawDoc, ReadError, ResourceId, Splitter,
};
use crate::yaml::emit_json_kept;
use serde_json::Value;
use std::fmt;
use std::io::BufRead;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep every change record (for `--explain` and diffs); otherwise only
    /// count them.
    pub record: bool,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub documents: usize,
    pub changed_documents: usize,
    pub dropped_documents: usize,
    /// Number of changes (records kept only with [`Options::record`]).
    pub change_count: usize,
    pub changes: Vec<Change>,
    pub warnings: Vec<String>,
}

#[derive(Debug)]
pub enum ApplyError {
    Io(std::io::Error),
    /// A document is not valid YAML.
    Yaml {
        /// The document's number, from 1 ([`crate::manifest::RawDoc::number`]).
        number: usize,
        source: Option<String>,
        /// Position in the whole stream (1-based).
        line: usize,
        column: usize,
        /// Line inside the document.
        doc_line: usize,
        message: String,
    },
    /// An operation could not be applied to a resource.
    Operation(Box<OperationError>),
    /// The rewritten stream grew past [`MAX_OUTPUT`] by this document.
    TooLarge {
        number: usize,
        source: Option<String>,
    },
}

/// The most the rewritten stream may hold: twice the most it can be given
/// (`crate::input`'s 128 MiB), since rules may add to every resource.
pub const MAX_OUTPUT: usize = 256 << 20;

/// Which operation failed on which resource, and why.
#[derive(Debug)]
pub struct OperationError {
    /// The document's number, from 1 ([`crate::manifest::RawDoc::number`]).
    pub number: usize,
    pub source: Option<String>,
    pub overlay: String,
    pub rule: String,
    pub resource: String,
    pub message: String,
}

fn name_doc(number: usize, source: &Option<String>) -> String {
    match source {
        Some(s) => format!("document {number} (# Source: {s})"),
        None => format!("document {number}"),
    }
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Io(e) => write!(f, "reading the manifests: {e}"),
            ApplyError::Yaml { number, source, line, column, doc_line, message } => write!(
                f,
                "invalid YAML in {}, line {line} column {column} of the input (line {doc_line} of the document): {message}",
                name_doc(*number, source)
            ),
            ApplyError::TooLarge { number, source } => write!(
                f,
                "the rewritten manifests pass {} MiB, chartfix's limit, at {}: check what the overlays add to each resource",
                MAX_OUTPUT >> 20,
                name_doc(*number, source)
            ),
            ApplyError::Operation(e) => write!(
                f,
                "overlay {}, rule {:?}, on {} in {}: {}",
                e.overlay,
                e.rule,
                e.resource,
                name_doc(e.number, &e.source),
                e.message
            ),
        }
    }
}

impl std::error::Error for ApplyError {}

impl From<ReadError> for ApplyError {
    fn from(e: ReadError) -> ApplyError {
        match e {
            ReadError::Io(e) => ApplyError::Io(e),
            ReadError::Document(e) => ApplyError::from(e),
        }
    }
}

impl From<DocumentError> for ApplyError {
    fn from(e: DocumentError) -> ApplyError {
        ApplyError::Yaml {
            number: e.number,
            line: e.stream_line(e.error.line),
            source: e.source,
            column: e.error.column,
            doc_line: e.error.line,
            message: e.error.message,
        }
    }
}

/// An IngressRouteTCP's request to expose a Service, waiting for the end of
/// the stream (the Service may come later).
struct Exposure {
    overlay: String,
    rule: String,
    node_ports: NodePorts,
    target: Target,
    from: ResourceId,
}

/// A v1 Service as the output holds it, kept in case a route names it.
struct Service {
    /// What the output holds: as read, or as rewritten.
    value: Value,
    namespace: Option<String>,
    name: String,
    /// The length of its head (marker line and `# Source:` comments) in the output.
    head_len: usize,
    /// [`crate::manifest::Document::odd_plain`] of the Service as read: what the output holds
    /// was read or written with the same plain texts.
    odd_plain: bool,
    /// The document ended with `...`, which a rewrite keeps.
    end_marker: bool,
}

/// Where a Service landed in the output.
struct ServiceSlot {
    start: usize,
    end: usize,
    /// Already counted as changed (a rule rewrote it as it passed).
    changed: bool,
    service: Service,
}

/// What the rules made of one document. Documents are rewritten on whichever
/// thread is free ([`rewrite`]), and what each came to is taken into the run
/// in stream order ([`Run::take`]), so the result is the sequential one.
pub(super) struct Rewritten {
    /// (overlay, rule) of every rule that selected the resource.
    matched: Vec<(usize, usize)>,
    changes: Recorder,
    exposures: Vec<Exposure>,
    /// `None`: no change (or no resource), the document's bytes as they
    /// came; else its head and the document written again.
    text: Option<Vec<u8>>,
    dropped: bool,
    service: Option<Service>,
}

impl Rewritten {
    /// What the document puts in the output: nothing when dropped, its
    /// bytes as they came when unchanged, else its rewrite.
    fn output<'a>(&'a self, raw: &'a RawDoc) -> &'a [u8] {
        match &self.text {
            _ if self.dropped => &[],
            Some(text) => text,
            None => &raw.bytes,
        }
    }
}

/// A document's result in a batch: `None` when it was not rewritten because
/// the documents before it already pass [`MAX_OUTPUT`] (the run stops before
/// it).
type Outcome = Result<Option<Rewritten>, ApplyError>;

pub(super) struct Run<'a> {
    overlays: &'a [Overlay],
    matched: Vec<Vec<usize>>,
    recorder: Recorder,
    exposures: Vec<Exposure>,
    services: Vec<ServiceSlot>,
    report: Report,
    out: Vec<u8>,
}

/// Documents go to the threads in batches: the first of about
/// [`FIRST_BATCH`] bytes, for the threads start once it is read, then each
/// twice the one before up to [`BATCH_BYTES`], for every batch costs a
/// start and a wait for its last document (on the 2-core virtual machine
/// measured, about 1 ms). A batch's documents and their rewrites stay small
/// beside the output.
const FIRST_BATCH: usize = 128 << 10;
const BATCH_BYTES: usize = 2 << 20;

/// Applies `overlays` in order to every document of `input`; returns the
/// rewritten stream.
pub fn apply_stream<R: BufRead>(
    input: R,
    overlays: &[Overlay],
    opts: &Options,
) -> Result<(Vec<u8>, Report), ApplyError> {
    let mut run = Run::new(overlays, opts);
    let record = opts.record;
    let mut splitter = Splitter::new(input);
    let mut size = FIRST_BATCH;
    let mut batch = Batch::read(&mut splitter, size);
    // The batch rewritten before, taken into the run while this one is.
    let mut previous: Option<(Batch, Vec<Outcome>)> = None;
    // What the batches rewritten so far write.
    let mut written = 0;
    loop {
        let last = batch.at_end || batch.failure.is_some();
        let (next, results, wrote) = rewrite_batch(overlays, record, &batch, written, || {
            // This thread takes in the batch before and reads the next one,
            // then joins the other threads on this one.
            if let Some((done, results)) = previous.take() {
                run.take_all(&done.docs, results)?;
            }
            size = (size * 2).min(BATCH_BYTES);
            Ok::<_, ApplyError>((!last).then(|| Batch::read(&mut splitter, size)))
        });
        written += wrote;
        let next = next?;
        previous = Some((batch, results));
        match next {
            Some(next) => batch = next,
            None => break,
        }
    }
    if let Some((done, results)) = previous {
        run.take_all(&done.docs, results)?;
        // The documents before a read error are taken first, as a
        // document-at-a-time loop would: their errors come first.
        if let Some(e) = done.failure {
            return Err(ApplyError::Io(e));
        }
    }
    run.finish()
}

/// Documents read from the stream, to be rewritten together.
struct Batch {
    docs: Vec<RawDoc>,
    bytes: usize,
    /// The stream ended after these documents.
    at_end: bool,
    /// Reading failed after these documents.
    failure: Option<std::io::Error>,
}

impl Batch {
    /// Documents up to `size` bytes, the end of the stream, or a read error.
    fn read<R: BufRead>(splitter: &mut Splitter<R>, size: usize) -> Batch {
        let mut batch = Batch {
            docs: Vec::new(),
            bytes: 0,
            at_end: false,
            failure: None,
        };
        while batch.bytes < size {
            match splitter.next_doc() {
                Ok(Some(raw)) => {
                    batch.bytes += raw.bytes.len();
                    batch.docs.push(raw);
                }
                Ok(None) => {
                    batch.at_end = true;
                    break;
                }
                Err(e) => {
                    batch.failure = Some(e);
                    break;
                }
            }
        }
        batch
    }
}

/// [`apply_stream`] over text, for callers holding the rendered manifests
/// (`chartfix template --overlay`).
pub fn apply_str(
    input: &str,
    overlays: &[Overlay],
    opts: &Options,
) -> Result<(String, Report), ApplyError> {
    let (out, report) = apply_stream(input.as_bytes(), overlays, opts)?;
    Ok((into_text(out), report))
}

/// The output as text: the input was UTF-8 and everything added is too, so
/// this does not copy.
pub(super) fn into_text(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Reads one document and applies every rule that selects it: all that
/// depends on the document alone, so any thread may do it.
pub(super) fn rewrite(
    overlays: &[Overlay],
    record: bool,
    raw: &RawDoc,
) -> Result<Rewritten, ApplyError> {
    let (mut doc, odd_plain) = read_value(raw)?;
    let mut matched = Vec::new();
    let mut changes = Recorder::new(record);
    let mut exposures = Vec::new();
    let Some(mut id) = ResourceId::of(&doc) else {
        return Ok(Rewritten {
            matched,
            changes,
            exposures,
            text: None,
            dropped: false,
            service: None,
        });
    };
    let mut changed = false;
    let mut dropped = false;
    'overlays: for (oi, overlay) in overlays.iter().enumerate() {
        for (ri, rule) in overlay.rules.iter().enumerate() {
            let rule = &rule.0;
            if !rule.select.matches(&id, &doc) {
                continue;
            }
            matched.push((oi, ri));
            let rule_name = overlay.rule_name(ri);
            let op_err = |message: String| {
                ApplyError::Operation(Box::new(OperationError {
                    number: raw.number,
                    source: raw.source().map(str::to_string),
                    overlay: overlay.name.clone(),
                    rule: rule_name.clone(),
                    resource: id.to_string(),
                    message,
                }))
            };
            let mut edits = Edits::default();
            if let Some(set) = &rule.set {
                apply_set(set, &mut doc, &mut edits).map_err(op_err)?;
            }
            if let Some(merge) = &rule.merge {
                apply_merge(&merge.0, &mut doc, &mut edits);
            }
            if let Some(patch) = &rule.patch {
                apply_patch(patch, &mut doc, &mut edits).map_err(op_err)?;
            }
            if let Some(paths) = &rule.remove {
                apply_remove(paths, &mut doc, &mut edits);
            }
            if let Some(op) = &rule.resources {
                resources::apply(op, &mut doc, &mut edits);
            }
            if let Some(op) = &rule.placement {
                placement::apply(op, &mut doc, &mut edits);
            }
            if let Some(op) = &rule.images {
                images::apply(op, &mut doc, &mut edits);
            }
            let mut drop_it = rule.drop;
            if let Some(op) = &rule.convert_ingressroutetcp {
                if ingressroute::is_ingressroutetcp(&doc) {
                    for target in ingressroute::route_targets(&doc) {
                        exposures.push(Exposure {
                            overlay: overlay.name.clone(),
                            rule: rule_name.clone(),
                            node_ports: op.node_ports.clone(),
                            target,
                            from: id.clone(),
                        });
                    }
                    drop_it = true;
                }
            }
            if drop_it {
                edits.note("", Some(Value::String(id.to_string())), None);
            }
            // Rules add what the overlay holds, and may add it again and
            // again: the resource stays within what could have been read.
            if rule.may_grow() && !edits.is_empty() && nodes_over(&doc, super::ops::json::MAX_NODES)
            {
                return Err(op_err(too_big("this rule")));
            }
            let changed_here = !edits.is_empty();
            changed |= changed_here;
            for (path, before, after) in edits.items {
                changes.push(|| Change {
                    overlay: overlay.name.clone(),
                    rule: rule_name.clone(),
                    resource: id.clone(),
                    path,
                    before,
                    after,
                });
            }
            if drop_it {
                dropped = true;
                break 'overlays;
            }
            // A rule may rename or move the resource; later rules see it as it now is.
            if changed_here && rule.may_rename() {
                if let Some(new_id) = ResourceId::of(&doc) {
                    id = new_id;
                }
            }
        }
    }
    let mut text = None;
    let mut head_len = 0;
    if changed && !dropped {
        let mut out = raw.head();
        head_len = out.len();
        // Values no rule changed keep the text they were written with.
        let texts = odd_plain.then(|| scalar_texts(&raw.bytes)).flatten();
        out.extend_from_slice(emit_json_kept(&doc, texts.as_ref()).as_bytes());
        if raw.has_end_marker() {
            // Directives of the next document may follow it.
            out.extend_from_slice(b"...\n");
        }
        text = Some(out);
    } else if id.kind == "Service" {
        // Where the head ends matters only if this Service is rewritten later.
        head_len = raw.head().len();
    }
    let service = (!dropped && id.kind == "Service" && id.api_version == "v1").then(|| Service {
        value: doc,
        namespace: id.namespace.clone(),
        name: id.name.clone(),
        head_len,
        odd_plain,
        end_marker: raw.has_end_marker(),
    });
    Ok(Rewritten {
        matched,
        changes,
        exposures,
        text,
        dropped,
        service,
    })
}

/// Rewrites a batch of documents, on several threads when it is big enough
/// to pay for them; `meanwhile` runs on this thread first, then it joins the
/// others. Returns what `meanwhile` gave, each document's result in stream
/// order, and the bytes they write. `before`: what the output holds before
/// the batch; once it and the batch's writing pass [`MAX_OUTPUT`], the
/// documents not yet started are skipped (`None`), for the run
/// stops at an earlier one.
fn rewrite_batch<M>(
    overlays: &[Overlay],
    record: bool,
    batch: &Batch,
    before: usize,
    meanwhile: impl FnOnce() -> M,
) -> (M, Vec<Outcome>, usize) {
    let threads = crate::parallel::threads_for_documents(batch.bytes);
    let written = AtomicUsize::new(0);
    let (m, results) = crate::parallel::map_while(&batch.docs, threads, meanwhile, |raw| {
        if before + written.load(Ordering::Relaxed) > MAX_OUTPUT {
            return Ok(None);
        }
        let r = rewrite(overlays, record, raw)?;
        written.fetch_add(r.output(raw).len(), Ordering::Relaxed);
        Ok(Some(r))
    });
    (m, results, written.into_inner())
}

impl<'a> Run<'a> {
    pub(super) fn new(overlays: &'a [Overlay], opts: &Options) -> Run<'a> {
        Run {
            overlays,
            matched: overlays.iter().map(|o| vec![0; o.rules.len()]).collect(),
            recorder: Recorder::new(opts.record),
            exposures: Vec::new(),
            services: Vec::new(),
            report: Report::default(),
            out: Vec::new(),
        }
    }

    /// Once every document is taken: the Services routes named exposed, and
    /// a warning for each rule that matched nothing in the whole stream.
    pub(super) fn finish(mut self) -> Result<(Vec<u8>, Report), ApplyError> {
        self.expose_services()?;
        for (o, counts) in self.overlays.iter().zip(&self.matched) {
            for (i, n) in counts.iter().enumerate() {
                if *n == 0 {
                    self.report.warnings.push(format!(
                        "overlay {}: rule {:?} matched no resource",
                        o.name,
                        o.rule_name(i)
                    ));
                }
            }
        }
        let mut report = self.report;
        report.change_count = self.recorder.count();
        report.changes = self.recorder.into_changes();
        Ok((self.out, report))
    }

    /// Takes a batch's results in stream order; stops at the first error.
    fn take_all(&mut self, raws: &[RawDoc], results: Vec<Outcome>) -> Result<(), ApplyError> {
        for (raw, result) in raws.iter().zip(results) {
            self.take(raw, result?)?;
        }
        Ok(())
    }

    /// Takes what one document came to into the output and the report.
    pub(super) fn take(
        &mut self,
        raw: &RawDoc,
        rewritten: Option<Rewritten>,
    ) -> Result<(), ApplyError> {
        let too_large = || ApplyError::TooLarge {
            number: raw.number,
            source: raw.source().map(str::to_string),
        };
        // Unreachable: the documents before a skipped one passed the limit.
        let Some(r) = rewritten else {
            return Err(too_large());
        };
        self.report.documents += 1;
        for &(oi, ri) in &r.matched {
            self.matched[oi][ri] += 1;
        }
        let start = self.out.len();
        self.out.extend_from_slice(r.output(raw));
        if self.out.len() > MAX_OUTPUT {
            return Err(too_large());
        }
        self.recorder.absorb(r.changes);
        self.exposures.extend(r.exposures);
        if r.dropped {
            self.report.dropped_documents += 1;
            return Ok(());
        }
        let changed = r.text.is_some();
        if changed {
            self.report.changed_documents += 1;
        }
        if let Some(service) = r.service {
            self.services.push(ServiceSlot {
                start,
                end: self.out.len(),
                changed,
                service,
            });
        }
        Ok(())
    }

    /// Rewrites the Services the dropped IngressRouteTCPs named, in place in
    /// the output.
    fn expose_services(&mut self) -> Result<(), ApplyError> {
        if self.exposures.is_empty() {
            return Ok(());
        }
        let mut splices: Vec<(usize, usize, Vec<u8>)> = Vec::new();
        let mut used = vec![false; self.exposures.len()];
        for slot in &mut self.services {
            let service = &mut slot.service;
            let mine: Vec<usize> = (0..self.exposures.len())
                .filter(|&i| {
                    let t = &self.exposures[i].target;
                    t.name == service.name
                        && match (&t.namespace, &service.namespace) {
                            (Some(a), Some(b)) => a == b,
                            _ => true,
                        }
                })
                .collect();
            if mine.is_empty() {
                continue;
            }
            // The Service as the output holds it: as read, or as rewritten.
            let doc = &mut service.value;
            let mut any = false;
            let Some(id) = ResourceId::of(doc) else {
                continue;
            };
            for i in mine {
                used[i] = true;
                let e = &self.exposures[i];
                let route_ports: Vec<Value> = e.target.port.iter().cloned().collect();
                let mut edits = Edits::default();
                for w in ingressroute::expose(doc, &e.node_ports, &route_ports, &mut edits) {
                    self.report.warnings.push(format!(
                        "overlay {}: {} routes to {id}, but {w}",
                        e.overlay, e.from
                    ));
                }
                any |= !edits.is_empty();
                for (path, before, after) in edits.items {
                    self.recorder.push(|| Change {
                        overlay: e.overlay.clone(),
                        rule: e.rule.clone(),
                        resource: id.clone(),
                        path,
                        before,
                        after,
                    });
                }
            }
            if any {
                let mut new = self.out[slot.start..slot.start + service.head_len].to_vec();
                if new.is_empty() && slot.start > 0 {
                    // Keep documents apart when the Service had no head.
                    new.extend_from_slice(b"---\n");
                }
                // The output holds the Service as read or as rewritten, with
                // the texts of its values either way.
                let texts = service
                    .odd_plain
                    .then(|| scalar_texts(&self.out[slot.start..slot.end]))
                    .flatten();
                new.extend_from_slice(emit_json_kept(doc, texts.as_ref()).as_bytes());
                if service.end_marker {
                    new.extend_from_slice(b"...\n");
                }
                if !slot.changed {
                    self.report.changed_documents += 1;
                }
                splices.push((slot.start, slot.end, new));
            }
        }
        for (i, e) in self.exposures.iter().enumerate() {
            if !used[i] {
                let ns = e
                    .target
                    .namespace
                    .as_deref()
                    .map(|n| format!("{n}/"))
                    .unwrap_or_default();
                self.report.warnings.push(format!(
                    "overlay {}: {} routes to Service {ns}{}, which is not in the stream; nothing exposes it now",
                    e.overlay, e.from, e.target.name
                ));
            }
        }
        // Later splices first, so earlier offsets stay valid.
        splices.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (start, end, new) in splices {
            self.out.splice(start..end, new);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::load::parse;

    fn overlay(text: &str) -> Vec<Overlay> {
        vec![parse("t.yaml", text, &[]).unwrap()]
    }

    const IRT: &str = "---\n# Source: c/irt.yaml\napiVersion: traefik.containo.us/v1alpha1\nkind: IngressRouteTCP\nmetadata: {name: r}\nspec:\n  routes:\n  - services: [{name: svc, port: 80}, {name: gone, port: 1}]\n";
    const SVC: &str = "---\n# Source: c/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec:\n  ports: [{port: 80}]\n";
    const CM: &str = "---\n# Source: c/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: \"1\"}\n";
    const CONVERT: &str = "name: t\nrules:\n- select: {kind: IngressRouteTCP}\n  convert-ingressroutetcp: {nodePorts: {80: 30080}}\n";

    #[test]
    fn services_before_or_after_the_route_are_exposed() {
        for input in [format!("{SVC}{CM}{IRT}"), format!("{IRT}{CM}{SVC}")] {
            let (out, report) =
                apply_str(&input, &overlay(CONVERT), &Options { record: true }).unwrap();
            assert!(!out.contains("IngressRouteTCP"), "{out}");
            assert!(
                out.contains(CM),
                "untouched document kept byte for byte:\n{out}"
            );
            assert!(
                out.contains("# Source: c/svc.yaml\napiVersion: v1\n"),
                "{out}"
            );
            assert!(
                out.contains("nodePort: 30080") && out.contains("type: NodePort"),
                "{out}"
            );
            assert_eq!(report.dropped_documents, 1);
            assert_eq!(report.changed_documents, 1);
            assert!(
                report
                    .warnings
                    .iter()
                    .any(|w| w.contains("Service gone, which is not in the stream")),
                "{:?}",
                report.warnings
            );
            assert_eq!(report.changes.len(), 3, "{:?}", report.changes);
        }
    }

    #[test]
    fn no_overlays_no_change_and_unmatched_rules_warn() {
        let input = format!("{CM}{SVC}");
        let (out, report) = apply_str(&input, &[], &Options::default()).unwrap();
        assert_eq!(out, input);
        let (out, report2) = apply_str(&input, &overlay(CONVERT), &Options::default()).unwrap();
        assert_eq!(out, input);
        assert_eq!(report.warnings.len(), 0);
        assert_eq!(
            report2.warnings,
            ["overlay t: rule \"rule 1\" matched no resource"]
        );
    }

    #[test]
    fn operation_errors_name_overlay_rule_resource_and_document() {
        let o = overlay("name: t\nrules:\n- name: p\n  patch: [{op: remove, path: /nope}]\n");
        let err = apply_str(CM, &o, &Options::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "overlay t, rule \"p\", on ConfigMap cm in document 1 (# Source: c/cm.yaml)"
            ),
            "{err}"
        );
    }

    #[test]
    fn later_rules_see_earlier_changes() {
        let o = overlay("name: t\nrules:\n- set: {/metadata/name: renamed}\n- select: {name: renamed}\n  drop: true\n");
        let (out, report) = apply_str(CM, &o, &Options { record: true }).unwrap();
        assert_eq!(out, "");
        assert_eq!(report.changes.len(), 2);
    }
}
