//! Overlays applied to a stream that is made in pieces on several threads (a
//! stack's releases): each piece's documents are rewritten by the thread that
//! made it, as soon as it is made, and only taking them into the output in
//! order, and what needs the whole stream (exposing the Services that
//! IngressRouteTCPs named, the rules that matched nothing), waits for the
//! last piece.
//!
//! The result is [`apply_str`]'s over the pieces' texts one after the other,
//! byte for byte. Where a piece may not split as it would inside the whole
//! stream, or anything fails, the whole stream is applied again in one run,
//! which gives the error with its place in the whole stream.

use super::apply::ApplyError;
use super::apply::{apply_str, into_text, rewrite, Options, Report, Rewritten, Run};
use super::load::Overlay;
use crate::manifest::{RawDoc, Splitter};

/// One piece of the stream, its documents read and rewritten.
pub struct Piece {
    docs: Vec<RawDoc>,
    /// Each document's rewrite; `None` when the piece must go through the
    /// whole stream's run instead.
    rewritten: Option<Vec<Rewritten>>,
}

/// Reads and rewrites the documents of `text`, a piece of a stream.
pub fn rewrite_piece(text: &str, overlays: &[Overlay], opts: &Options) -> Piece {
    let mut docs = Vec::new();
    let mut splitter = Splitter::new(text.as_bytes());
    let mut read_all = true;
    loop {
        match splitter.next_doc() {
            Ok(Some(raw)) => docs.push(raw),
            Ok(None) => break,
            Err(_) => {
                read_all = false;
                break;
            }
        }
    }
    // A piece splits inside the stream as it does alone when it ends with a
    // line break and its first document opens with a `---` line: nothing of
    // it runs on into its neighbours' documents.
    let apart =
        text.is_empty() || (text.ends_with('\n') && docs.first().is_some_and(RawDoc::has_marker));
    let rewritten = (read_all && apart)
        .then(|| {
            docs.iter()
                .map(|raw| rewrite(overlays, opts.record, raw))
                .collect::<Result<Vec<_>, _>>()
                .ok()
        })
        .flatten();
    Piece { docs, rewritten }
}

/// [`apply_str`] over `whole`, the texts of `pieces` one after the other,
/// each rewritten by [`rewrite_piece`] with the same overlays and options.
pub fn apply_pieces(
    pieces: Vec<Piece>,
    whole: &str,
    overlays: &[Overlay],
    opts: &Options,
) -> Result<(String, Report), ApplyError> {
    let mut run = Run::new(overlays, opts);
    for piece in pieces {
        let Some(rewritten) = piece.rewritten else {
            return apply_str(whole, overlays, opts);
        };
        for (raw, r) in piece.docs.iter().zip(rewritten) {
            // The one error taking can give: the output grew too large,
            // reported at the document's place in the whole stream.
            if run.take(raw, Some(r)).is_err() {
                return apply_str(whole, overlays, opts);
            }
        }
    }
    let (out, report) = run.finish()?;
    Ok((into_text(out), report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::load::parse;

    const CONVERT: &str = "name: t\nrules:\n- select: {kind: IngressRouteTCP}\n  convert-ingressroutetcp: {nodePorts: {80: 30080}}\n- select: {kind: Deployment}\n  set: {/spec/replicas: 2}\n";
    const IRT: &str = "---\n# Source: a/irt.yaml\napiVersion: traefik.containo.us/v1alpha1\nkind: IngressRouteTCP\nmetadata: {name: r}\nspec:\n  routes:\n  - services: [{name: svc, port: 80}, {name: gone, port: 1}]\n";
    const SVC: &str = "---\n# Source: b/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec:\n  ports: [{port: 80}]\n";
    const DEPLOY: &str = "---\n# Source: b/d.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n";
    const CM: &str =
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: \"1\"}\n";

    /// Checks that the pieces give what the whole stream gives; tells whether
    /// every piece was rewritten ahead (else the whole stream ran again).
    fn both(pieces: &[&str], overlays: &[Overlay]) -> bool {
        let opts = Options { record: true };
        let whole = pieces.concat();
        let made: Vec<Piece> = pieces
            .iter()
            .map(|p| rewrite_piece(p, overlays, &opts))
            .collect();
        let ahead = made.iter().all(|p| p.rewritten.is_some());
        let apart = apply_pieces(made, &whole, overlays, &opts);
        let at_once = apply_str(&whole, overlays, &opts);
        match (apart, at_once) {
            (Ok((a, ra)), Ok((b, rb))) => {
                assert_eq!(a, b, "pieces {pieces:?}");
                assert_eq!(ra.warnings, rb.warnings);
                assert_eq!(ra.changes, rb.changes);
                assert_eq!(
                    (ra.documents, ra.changed_documents, ra.dropped_documents),
                    (rb.documents, rb.changed_documents, rb.dropped_documents)
                );
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!(
                "pieces {pieces:?}: {:?} against {:?}",
                a.map(|x| x.0),
                b.map(|x| x.0)
            ),
        }
        ahead
    }

    #[test]
    fn pieces_give_what_the_whole_stream_gives() {
        let overlays = vec![parse("t.yaml", CONVERT, &[]).unwrap()];
        // A route in one piece exposes a Service in another, before or after it.
        assert!(both(&[IRT, CM, &format!("{DEPLOY}{SVC}")], &overlays));
        assert!(both(&[SVC, "", &format!("{CM}{IRT}")], &overlays));
        // Pieces that would not split apart: no marker first, no final line break.
        assert!(!both(
            &[DEPLOY, "kind: ConfigMap\nmetadata: {name: x}\n", SVC],
            &overlays
        ));
        assert!(!both(&[DEPLOY.trim_end(), IRT], &overlays));
        assert!(!both(&["# a comment\n", DEPLOY, IRT], &overlays));
        // A document that is not YAML: the error names its place in the
        // whole stream.
        assert!(!both(&[DEPLOY, "---\nkind: [\n", SVC], &overlays));
        // A rule no piece matched warns once.
        let none = vec![parse(
            "n.yaml",
            "name: n\nrules:\n- select: {kind: Nothing}\n  set: {/a: 1}\n",
            &[],
        )
        .unwrap()];
        assert!(both(&[DEPLOY, SVC], &none));
    }
}
