//! No input makes post-render panic: mutated manifests and overlays either work
//! or give an error. (A poor man's fuzzer: a fixed-seed generator, so a
//! failure reproduces.)

use crate::support;
use chartfix::overlay::{apply_str, load_all, Options};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "---\n",
    "\n",
    ": ",
    "- ",
    "  ",
    "{",
    "}",
    "[",
    "]",
    "&a ",
    "*a",
    "<<: *a\n",
    "'",
    "\"",
    "#",
    "|\n",
    "kind: IngressRouteTCP\n",
    "apiVersion: traefik.io/v1alpha1\n",
    "kind: Service\n",
    "cpu: 1e40\n",
    "cpu: -1\n",
    "image: ''\n",
    "image: :@\n",
    "\u{fffd}",
    "...\n",
    "%YAML 1.1\n",
    "!!binary ",
    "~",
    "0755",
    "yes",
];

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut s: Vec<char> = base.chars().collect();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(s.len() + 1);
        match rng.below(3) {
            0 => {
                let end = (at + rng.below(20)).min(s.len());
                s.drain(at..end);
            }
            _ => {
                let p = PIECES[rng.below(PIECES.len())];
                for (i, c) in p.chars().enumerate() {
                    s.insert(at + i, c);
                }
            }
        }
    }
    s.into_iter().collect()
}

#[test]
fn mutated_streams_never_panic() {
    let base =
        std::fs::read_to_string(support::project().join("tests/fixtures/overlay/rendered.yaml"))
            .unwrap();
    let overlays = load_all(
        &[
            "arm64".into(),
            "no-traefik".into(),
            "bitnami-legacy".into(),
            "tests/fixtures/overlay/custom-overlay.yaml".into(),
        ],
        &[],
    )
    .unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut ok = 0;
    for _ in 0..400 {
        let input = mutate(&mut rng, &base);
        if apply_str(&input, &overlays, &Options { record: true }).is_ok() {
            ok += 1;
        }
    }
    // Some mutations keep the stream valid; the point is that none panicked.
    assert!(ok > 0);
}

#[test]
fn mutated_overlays_never_panic() {
    let base = std::fs::read_to_string(support::project().join("docs/overlays.md")).unwrap();
    // The example overlay of the overlay format section of docs/overlays.md,
    // between its ```yaml fences.
    let example = base
        .split("### The file format")
        .nth(1)
        .unwrap()
        .split("```yaml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap()
        .to_string();
    let overlay = chartfix::overlay::load::parse("example.yaml", &example, &[]);
    assert!(
        overlay.is_ok(),
        "the docs/overlays.md example must load: {:?}",
        overlay.err()
    );
    let mut rng = Rng(42);
    for _ in 0..400 {
        let text = mutate(&mut rng, &example);
        if let Err(e) = chartfix::overlay::load::parse("m.yaml", &text, &[]) {
            assert!(e.to_string().starts_with("m.yaml"), "{e}");
        }
    }
}

/// Whatever a rewritten document's texts are, it reads back as the data the
/// rules made: the kept source texts of plain scalars never change a value.
#[test]
fn rewritten_documents_mean_what_the_rules_made() {
    use chartfix::manifest::read_stream;
    let base =
        std::fs::read_to_string(support::project().join("tests/fixtures/overlay/rendered.yaml"))
            .unwrap();
    let label = "name: t\nrules:\n- set: {/metadata/labels/kept: \"yes\"}\n";
    let overlays = vec![chartfix::overlay::load::parse("t.yaml", label, &[]).unwrap()];
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut compared = 0;
    for _ in 0..400 {
        let input = mutate(&mut rng, &base);
        let Ok((out, report)) = apply_str(&input, &overlays, &Options::default()) else {
            continue;
        };
        let (Ok(before), Ok(after)) = (read_stream(&input), read_stream(&out)) else {
            panic!("the output of a stream that was read cannot be read:\n{out}");
        };
        let mut want: Vec<serde_json::Value> = before
            .into_iter()
            .map(|d| d.value)
            .filter(|v| !v.is_null())
            .collect();
        for v in &mut want {
            if chartfix::manifest::ResourceId::of(v).is_some() {
                let meta = v
                    .as_object_mut()
                    .unwrap()
                    .entry("metadata")
                    .or_insert_with(|| serde_json::json!({}));
                if let Some(meta) = meta.as_object_mut() {
                    let labels = meta
                        .entry("labels")
                        .or_insert_with(|| serde_json::json!({}));
                    if let Some(labels) = labels.as_object_mut() {
                        labels.insert("kept".into(), "yes".into());
                    }
                }
            }
        }
        let got: Vec<serde_json::Value> = after
            .into_iter()
            .map(|d| d.value)
            .filter(|v| !v.is_null())
            .collect();
        if report.changed_documents > 0 && want.len() == got.len() {
            assert_eq!(want, got, "input:\n{input}\noutput:\n{out}");
            compared += 1;
        }
    }
    assert!(compared > 50, "only {compared} streams compared");
}
