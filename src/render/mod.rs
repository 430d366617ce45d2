//! One chart and its values → Helm's ordered stream of documents
//! (`# Source:` comments, hooks last, NOTES left out).
//!
//! [`render`] runs Helm's install pipeline without a cluster: dependencies,
//! capabilities, values and schema, then every template of the chart and its
//! enabled subcharts through the engine ([`execute`]); [`sort`] puts the
//! documents in Helm's order and [`output`] prints or writes them.

pub mod capabilities;
pub mod early;
pub mod execute;
pub mod files;
pub mod head;
pub mod lazy;
pub mod leftovers;
pub mod output;
pub mod shared;
pub mod sort;
pub mod templates;

use crate::chart::{dependencies, schema, Chart};
use crate::engine::Limits;
use crate::value::{Map, Value};
use crate::values::coalesce::{coalesce_values, Warnings};
use crate::values::unused::Reads;
use capabilities::{Capabilities, KubeVersion};
use std::sync::Arc;

/// `.Release` and the cluster as `helm template` pretends it to be.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub release_name: String,
    pub namespace: String,
    pub is_upgrade: bool,
    pub kube_version: Option<KubeVersion>,
    pub api_versions: Vec<String>,
    pub skip_schema_validation: bool,
    /// Bytes all of the chart's templates may write together (`--max-output`).
    pub max_output_bytes: usize,
    /// Record which values templates read ([`Rendered::reads`]).
    pub track_reads: bool,
    /// Template parses to share with other renders of the same run.
    pub shared_parses: Option<Arc<shared::SharedParses>>,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            kube_version: None,
            api_versions: Vec::new(),
            skip_schema_validation: false,
            max_output_bytes: crate::engine::Limits::default().max_output_bytes,
            track_reads: false,
            shared_parses: None,
        }
    }
}

/// What rendering produced, before ordering.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Rendered templates by path (`chart/templates/x.yaml`), NOTES left out.
    pub files: Vec<(String, String)>,
    /// CRD files (`chart/crds/x.yaml`) with their raw text, chart before subcharts.
    pub crds: Vec<(String, String)>,
    /// Warnings from coalescing values (Helm logs them on stderr).
    pub warnings: Vec<String>,
    /// What the templates read of the values, when asked for
    /// ([`RenderOptions::track_reads`]).
    pub reads: Option<Reads>,
    /// The engine and chart, freed when this is dropped.
    pub leftovers: leftovers::Leftovers,
}

/// Why rendering failed; the message is Helm's. Each kind keeps its cause,
/// so a caller can tell a template's `fail` or a limit from a bad value.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RenderError {
    /// A template did not parse or execute (`fail`, `required`, a limit).
    #[error(transparent)]
    Template(#[from] crate::engine::Error),
    /// The chart or its values were refused (dependencies, coalescing, schema).
    #[error(transparent)]
    Chart(#[from] crate::chart::ChartError),
    /// The chart cannot be rendered as it is (a library chart, `kubeVersion`).
    #[error("{0}")]
    Unrenderable(String),
}

impl RenderError {
    /// The template error behind this one, if a template failed.
    pub fn template(&self) -> Option<&crate::engine::Error> {
        match self {
            RenderError::Template(e) => Some(e),
            _ => None,
        }
    }
}

/// Renders a chart with the user's values as `helm template` does.
pub fn render(chart: Chart, user: Value, opts: &RenderOptions) -> Result<Rendered, RenderError> {
    render_with(chart, user, opts, early::EarlyParse::none())
}

/// [`render`], taking the templates `early` parsed while the chart was read.
pub fn render_with(
    chart: Chart,
    user: Value,
    opts: &RenderOptions,
    early: early::EarlyParse,
) -> Result<Rendered, RenderError> {
    render_warning(chart, user, opts, early, &mut Vec::new())
}

/// [`render_with`] that also leaves, when it fails, the warnings given before
/// the failure in `warnings`: Helm prints them as they come, so they precede
/// its error. (A render that succeeds has them in [`Rendered::warnings`].)
pub fn render_warning(
    chart: Chart,
    user: Value,
    opts: &RenderOptions,
    early: early::EarlyParse,
    warnings: &mut Vec<String>,
) -> Result<Rendered, RenderError> {
    let mut warn = Warnings::default();
    let result = render_noting(chart, user, opts, early, &mut warn);
    if result.is_err() {
        warnings.append(&mut warn.0);
    }
    result
}

fn render_noting(
    mut chart: Chart,
    user: Value,
    opts: &RenderOptions,
    early: early::EarlyParse,
    warn: &mut Warnings,
) -> Result<Rendered, RenderError> {
    if chart.metadata.is_library() {
        return Err(RenderError::Unrenderable(
            "library charts are not installable".into(),
        ));
    }
    dependencies::check_present(&chart)?;
    let switches = crate::values::dependencies::process(&mut chart, &user, warn)?;

    let caps = Capabilities::new(opts.kube_version.clone(), &opts.api_versions);
    check_kube_version(&chart, &caps.kube_version)?;

    // Templates parse on the other cores while this thread coalesces and
    // checks the values (on big charts on every core, on others lazily on a
    // helper, render/lazy.rs); errors keep Helm's precedence (values,
    // schema, templates) either way.
    let sources = templates::sources(&chart);
    let work = sources.iter().map(|s| s.text.len()).sum();
    let threads = crate::parallel::threads_for(work);
    let shared = opts.shared_parses.as_deref();
    let (values, engine, lazy) = execute::parse_while(&sources, early, threads, shared, || {
        let values = coalesce_values(&chart, &user, warn)?;
        if !opts.skip_schema_validation {
            schema::validate(&chart, &values)?;
        }
        Ok::<_, RenderError>(values)
    });
    let values = values?;
    // A file that does not parse fails the render before any template runs,
    // as in Helm: the whole parse's error comes before the lazy parse's.
    let mut engine = match engine {
        Ok(engine) => engine,
        Err(e) => return Err(lazy.finish().err().map_or(e, RenderError::from)),
    };
    engine.set_limits(Limits {
        max_output_bytes: opts.max_output_bytes,
        ..Limits::default()
    });
    drop(sources);

    // The tree the templates last rendered with, armed to record reads.
    let mut tracked = None;
    let mut arm = |values: Value| {
        if !opts.track_reads {
            return values;
        }
        let values = crate::value::reads::armed(&values);
        tracked = Some(values.clone());
        values
    };
    let table =
        |values| templates::collect(&chart, values, release(opts), Value::object(caps.clone()));
    let files = if threads > 1 {
        match execute::run_at_once(&engine, &table(arm(values.clone())), threads) {
            Some(files) => files,
            // A template changed values other templates see, so Helm's
            // order matters: again, in order, on values not yet touched.
            None => coalesce_values(&chart, &user, &mut Warnings::default())
                .map_err(RenderError::from)
                .and_then(|values| execute::run(&engine, &table(arm(values)))),
        }
    } else {
        execute::run(&engine, &table(arm(values)))
    };
    lazy.finish()?;
    let mut files = files?;
    let reads = tracked.map(|values| Reads {
        values,
        helm_paths: switches,
    });
    files.retain(|(name, _)| !name.ends_with("NOTES.txt"));
    let crds = crds(&chart, chart.name());
    Ok(Rendered {
        files,
        crds,
        warnings: std::mem::take(&mut warn.0),
        reads,
        // On big charts a thread of its own frees them while the caller goes
        // on with the output.
        leftovers: leftovers::Leftovers::new((engine, chart), threads > 1),
    })
}

/// `.Release` as `helm template` makes it.
fn release(opts: &RenderOptions) -> Value {
    let release = Map::new();
    release.insert("IsInstall", Value::Bool(!opts.is_upgrade));
    release.insert("IsUpgrade", Value::Bool(opts.is_upgrade));
    release.insert("Name", Value::str(opts.release_name.as_str()));
    release.insert("Namespace", Value::str(opts.namespace.as_str()));
    release.insert("Revision", Value::Int(1));
    release.insert("Service", Value::str("Helm"));
    Value::map(release)
}

/// A chart's `kubeVersion:` must accept the Kubernetes version rendered for.
fn check_kube_version(chart: &Chart, kube: &KubeVersion) -> Result<(), RenderError> {
    let want = &chart.metadata.kube_version;
    if want.is_empty() {
        return Ok(());
    }
    let ok = match (
        crate::semver::Constraint::parse(want),
        crate::semver::Version::parse(&kube.version),
    ) {
        (Ok(c), Ok(v)) => c.matches(&v),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    Err(RenderError::Unrenderable(format!(
        "chart requires kubeVersion: {want} which is incompatible with Kubernetes {}",
        kube.version
    )))
}

/// CRD files of a chart and its enabled subcharts, named by full chart path.
fn crds(chart: &Chart, path: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = chart
        .crd_files()
        .map(|f| {
            (
                format!("{path}/{}", f.name),
                String::from_utf8_lossy(&f.data).into_owned(),
            )
        })
        .collect();
    for sub in &chart.dependencies {
        out.extend(crds(sub, &format!("{path}/charts/{}", sub.name())));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::loader::from_files;
    use crate::chart::File;

    fn chart(templates: &[(&str, &str)]) -> Chart {
        let mut files = vec![
            File {
                name: "Chart.yaml".into(),
                data: b"apiVersion: v2\nname: sw\nversion: 1.0.0\n"
                    .as_slice()
                    .into(),
            },
            File {
                name: "values.yaml".into(),
                data: b"x: 1\n".as_slice().into(),
            },
        ];
        for (name, text) in templates {
            files.push(File {
                name: format!("templates/{name}"),
                data: text.as_bytes().into(),
            });
        }
        from_files(files).unwrap()
    }

    /// Helm renders `b.yaml` before `a.yaml`, so `a` sees what `b` set (as
    /// `helm template` of this chart prints); templates run at once must
    /// notice the write and run again in order.
    #[test]
    fn a_write_to_shared_values_is_seen_in_helms_order() {
        let c = chart(&[
            ("a.yaml", "a: \"{{ .Values.seen }}\"\n"),
            (
                "b.yaml",
                "{{- $_ := set .Values \"seen\" \"yes\" }}b: \"{{ .Values.seen }}\"\n",
            ),
            ("c.yaml", "c: {{ .Values.x }}\n"),
        ]);
        let out = render(c, Value::map(Map::new()), &RenderOptions::default()).unwrap();
        let get = |n: &str| &out.files.iter().find(|(f, _)| f.ends_with(n)).unwrap().1;
        assert_eq!(get("a.yaml"), "a: \"yes\"\n");
        assert_eq!(get("b.yaml"), "b: \"yes\"\n");
        assert_eq!(get("c.yaml"), "c: 1\n");
    }

    /// Run at once on two threads, the templates' results are the sequential
    /// ones, unless one wrote to shared values: then the caller must run
    /// them again in order.
    #[test]
    fn templates_run_at_once_notice_shared_writes() {
        let run = |templates: &[(&str, &str)]| {
            let c = chart(templates);
            let sources = templates::sources(&c);
            let ((), engine, _) =
                execute::parse_while(&sources, early::EarlyParse::none(), 2, None, || ());
            let engine = engine.unwrap();
            let values = coalesce_values(&c, &Value::map(Map::new()), &mut Warnings::default());
            let table = templates::collect(&c, values.unwrap(), Value::Nil, Value::Nil);
            (
                execute::run_at_once(&engine, &table, 2).map(|r| r.unwrap()),
                execute::run(&engine, &table).unwrap(),
            )
        };
        // Other tests of this process may write maps at the same time, which
        // the watch cannot tell from this render's (a safe "written"): some
        // of the tries must come out clean.
        let clean = (0..50).find_map(|_| {
            let (at_once, in_order) = run(&[("a.yaml", "a: {{ .Values.x }}"), ("b.yaml", "b")]);
            at_once.map(|r| (r, in_order))
        });
        let (at_once, in_order) = clean.expect("a run without shared writes");
        assert_eq!(at_once, in_order);
        let (at_once, _) = run(&[
            ("a.yaml", "a: {{ .Values.seen }}"),
            ("b.yaml", "{{ $_ := set .Values \"seen\" 1 }}"),
        ]);
        assert_eq!(at_once, None);
    }

    /// With several failing templates, the first in Helm's order is reported,
    /// however the work was shared out.
    #[test]
    fn the_first_failure_in_order_is_reported() {
        let c = chart(&[
            ("a.yaml", "{{ fail \"a\" }}"),
            ("b.yaml", "{{ fail \"b\" }}"),
            ("c.yaml", "{{ fail \"c\" }}"),
        ]);
        let e = render(c, Value::map(Map::new()), &RenderOptions::default()).unwrap_err();
        assert!(e.to_string().contains("sw/templates/c.yaml"), "{e}");
    }

    /// With a core to spare, templates parse lazily (their lists when first
    /// walked) and a helper parses every list the render does not reach (or
    /// the files whole, once one does not parse): a file that does not parse
    /// still fails the render with Helm's error, in a list no value turns on
    /// as elsewhere, and before any template's own failure, as Helm parses
    /// every file before it runs one.
    #[test]
    fn parse_errors_fail_the_render_wherever_they_are() {
        let whole_error = |name: &str, text: &str| {
            let e = crate::engine::parser::parse(&format!("sw/templates/{name}"), text);
            RenderError::from(e.err().expect("a parse error")).to_string()
        };
        let render_error = |templates: &[(&str, &str)]| {
            let c = chart(templates);
            render(c, Value::map(Map::new()), &RenderOptions::default())
                .expect_err("a failed render")
                .to_string()
        };
        for bad in [
            "{{ if false }}{{ nosuchfunc }}{{ end }}",
            "{{ if true }}{{ nosuchfunc }}{{ end }}",
            "{{ define \"h\" }}{{ if .x }}{{ $nope }}{{ end }}{{ end }}",
            "{{ range .Values.none }}{{ else }}{{ break }}{{ end }}",
        ] {
            assert_eq!(render_error(&[("a.yaml", bad)]), whole_error("a.yaml", bad));
            // b.yaml runs first in Helm's order and fails; a.yaml's parse
            // error still comes first.
            assert_eq!(
                render_error(&[("a.yaml", bad), ("b.yaml", "{{ fail \"b\" }}")]),
                whole_error("a.yaml", bad)
            );
        }
        // Parsed lazily or not, a list that parses renders as Helm does.
        let c = chart(&[(
            "a.yaml",
            "{{- if .Values.x }}\nx: {{ .Values.x }}\n{{- else }}none{{ end }}",
        )]);
        let out = render(c, Value::map(Map::new()), &RenderOptions::default()).unwrap();
        assert_eq!(out.files[0].1, "\nx: 1");
    }

    /// Files the helper parsed as the archive yielded them are taken only
    /// under the same name and text: a file offered with other text, or not
    /// offered, is parsed again, and a bad file offered early fails the
    /// render with Go's error, as it does parsed late.
    #[test]
    fn templates_parsed_as_the_archive_yields_them_render_as_parsed_late() {
        let good = [
            (
                "a.yaml",
                "a: {{ .Values.x }}{{ if false }}{{ .y }}{{ end }}",
            ),
            ("b.yaml", "b: {{ include \"h\" . }}"),
            ("_h.tpl", "{{ define \"h\" }}{{ .Values.x }}{{ end }}"),
        ];
        let bad = "{{ if false }}{{ nosuchfunc }}{{ end }}";
        let render_early = |templates: &[(&str, &str)], offered: &[(&str, &str)]| {
            let early = early::EarlyParse::start(1, true);
            for (name, text) in offered {
                early.offer(&format!("sw/templates/{name}"), &text.as_bytes().into());
            }
            early.offer("sw/values.yaml", &b"x: 2\n".as_slice().into());
            early.close();
            let opts = RenderOptions::default();
            render_with(chart(templates), Value::map(Map::new()), &opts, early)
                .map(|r| r.files)
                .map_err(|e| e.to_string())
        };
        let late = render(
            chart(&good),
            Value::map(Map::new()),
            &RenderOptions::default(),
        )
        .unwrap()
        .files;
        assert_eq!(render_early(&good, &good), Ok(late.clone()));
        // b.yaml offered with other text (a guess that missed), _h.tpl not at all.
        let offered = [good[0], ("b.yaml", "b: {{ 2 }}")];
        assert_eq!(render_early(&good, &offered), Ok(late));
        let with_bad = [good[0], good[1], good[2], ("c.yaml", bad)];
        let e = crate::engine::parser::parse("sw/templates/c.yaml", bad)
            .err()
            .unwrap();
        assert_eq!(
            render_early(&with_bad, &with_bad),
            Err(RenderError::from(e).to_string())
        );
        // Dropped before the render, the helper is let go.
        let early = early::EarlyParse::start(1, true);
        early.offer("sw/templates/a.yaml", &b"{{ 1 }}".as_slice().into());
        drop(early);
    }
}
