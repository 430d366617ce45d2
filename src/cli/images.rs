//! `chartfix images`: list the images manifests use and check them.

use super::flags::NetworkArgs;
use super::{write_report, CliError, CmdResult, Outcome};
use chartfix::check::images::{
    ImageCheckOptions, ImagesResult, DEFAULT_CACHE_TTL, DEFAULT_CONCURRENCY,
};
use chartfix::check::output::{images_table, Style};
use chartfix::check::platform::Platform;
use chartfix::check::workloads::{parse_stream, Document};
use std::io::IsTerminal;
use std::time::Duration;

#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Table,
    Json,
}

// The report format of `images` and `check`: `--format`, with `-o` and
// `--output` as the other spellings (as `diff --format` has).
#[derive(clap::Args)]
pub struct ReportFormat {
    /// Report format.
    #[arg(
        long = "format",
        short = 'o',
        visible_alias = "output",
        value_enum,
        default_value = "table"
    )]
    pub format: Output,
}

// Flags shared by `images` and `check`.
#[derive(clap::Args)]
pub struct ImageFlags {
    /// Platform the images must run on (repeatable), e.g. linux/arm64.
    #[arg(long = "platform", value_name = "OS/ARCH[/VARIANT]")]
    pub platforms: Vec<String>,
    /// Registry requests in flight at once.
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Seconds a cached image result stays fresh.
    #[arg(long, default_value_t = DEFAULT_CACHE_TTL.as_secs())]
    pub cache_ttl: u64,
    #[command(flatten)]
    pub net: NetworkArgs,
}

impl ImageFlags {
    /// The library's options for these flags; a bad `--platform` is misuse,
    /// named.
    pub fn options(&self) -> Result<ImageCheckOptions, CliError> {
        let platforms = self
            .platforms
            .iter()
            .map(|p| Platform::parse(p))
            .collect::<Result<_, _>>()
            .map_err(CliError::usage)?;
        Ok(ImageCheckOptions {
            concurrency: usize::from(self.concurrency),
            cache_ttl: Duration::from_secs(self.cache_ttl),
            ..self.net.image_options(platforms)
        })
    }
}

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chartfix images ./redis-18.6.1.tgz --platform linux/arm64")]
pub struct Args {
    /// What to check: a manifest file, `-` for stdin, a chart (a folder
    /// with Chart.yaml or a .tgz), or a stack (a stack file, a folder of
    /// manifests, a name in ./stacks/, or a built-in stack: beta9).
    #[arg(default_value = "-")]
    input: String,
    #[command(flatten)]
    report: ReportFormat,
    // Last: the flags under their own help heading come last.
    #[command(flatten)]
    flags: ImageFlags,
}

pub fn run(args: Args) -> CmdResult {
    let mut options = args.flags.options()?;
    let input = read_input(&args.input, &args.flags)?;
    input.use_registry_config(&mut options);
    let result = check_documents(&input.docs, &options)?;
    let text = match args.report.format {
        Output::Json => serde_json::to_string_pretty(&result).map_err(CliError::failure)? + "\n",
        Output::Table => images_table(&result, style()),
    };
    write_report(&text)?;
    Ok(Outcome::findings_if(result.summary.problems > 0))
}

/// Colours only for a terminal, and never with `NO_COLOR`.
pub fn style() -> Style {
    Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Reads the manifests to check: a manifest file or `-` (stdin); a chart (a
/// folder with Chart.yaml or a `.tgz`), rendered with its defaults as
/// `chartfix template` would; or a stack (a stack file, a folder of raw
/// manifests, a name in `./stacks/`, a built-in name), rendered as
/// `chartfix render` would.
///
/// An INPUT that names nothing, like anything wrong in what it names
/// (invalid YAML, a chart that does not render), is a failure (status 1).
pub fn read_input(input: &str, flags: &ImageFlags) -> Result<Input, CliError> {
    let mut registry_config = None;
    let mut unused = Vec::new();
    let text = if input == "-" {
        chartfix::input::read_all_string(std::io::stdin().lock())
            .map_err(|e| CliError::Failure(format!("reading stdin: {e}")))?
    } else {
        let path = std::path::Path::new(input);
        if chartfix::stack::bundle::is_bundle(path) {
            let r = render_stack(input, flags)?;
            registry_config = r.registry_config;
            unused = r.unused;
            r.text
        } else if path.join("Chart.yaml").is_file() || (path.is_file() && input.ends_with(".tgz")) {
            render_chart(path, flags).map_err(CliError::Failure)?
        } else if path.is_file() {
            let text = chartfix::input::read_to_string(path)
                .map_err(|e| CliError::Failure(format!("cannot read {input}: {e}")))?;
            if is_stack_file(&text) {
                let r = render_stack(input, flags)?;
                registry_config = r.registry_config;
                unused = r.unused;
                r.text
            } else {
                text
            }
        } else {
            // A folder of raw manifests, or a stack by name.
            let r = render_stack(input, flags)?;
            registry_config = r.registry_config;
            unused = r.unused;
            r.text
        }
    };
    let docs = parse_stream(&text).map_err(|e| CliError::Failure(format!("{input}: {e}")))?;
    Ok(Input {
        docs,
        registry_config,
        unused,
    })
}

/// The manifests to check, and the registries.yaml a stack's charts came
/// through (its `mirrors.registryConfig`), which the images are checked
/// through too.
pub struct Input {
    pub docs: Vec<Document>,
    pub registry_config: Option<std::path::PathBuf>,
    /// User values of a stack's charts that no template read.
    pub unused: Vec<chartfix::values::unused::Finding>,
}

impl Input {
    /// Checks through the stack's registries.yaml when the command line
    /// names none.
    pub fn use_registry_config(&self, options: &mut ImageCheckOptions) {
        if options.registry_config.is_none() {
            options.registry_config = self.registry_config.clone();
        }
    }
}

/// A stack file is a map with `releases`; a manifest never has that key at
/// its top level.
fn is_stack_file(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("releases:"))
        && !text.lines().any(|l| l.starts_with("kind:"))
}

/// A chart given to `images`: rendered through the release pipeline with its
/// defaults, as `chartfix template CHART` renders it (test hooks left out).
fn render_chart(path: &std::path::Path, flags: &ImageFlags) -> Result<String, String> {
    use chartfix::release::{self, ChartSource, Request, Sources, Warning};
    let request = Request::new(
        ChartSource::Path(path.to_path_buf()),
        "release-name",
        "default",
    );
    // Missing dependencies are fetched as the shared flags say, quietly: the
    // report is the output.
    let options = chartfix::source::Options {
        quiet: true,
        ..flags
            .net
            .source_options(&super::flags::SourceArgs::default())
    };
    // Fetching a missing dependency may warn; values warnings stay quiet, as
    // this command reports images, not the chart's values.
    let mut warn = |w: Warning| {
        if let Warning::Source(t) = w {
            stderrln!("Warning: {t}")
        }
    };
    let rendered = release::render(request, &Sources::lazy(&options), &mut warn)
        .map_err(|e| e.to_string())?
        .rendered;
    let out = chartfix::render::output::OutputOptions {
        skip_tests: true,
        ..Default::default()
    };
    chartfix::render::output::stream(&rendered, &out)
}

fn render_stack(spec: &str, flags: &ImageFlags) -> Result<chartfix::stack::Rendered, CliError> {
    let options = chartfix::stack::StackOptions {
        // The report is the output; progress bars would only interleave.
        quiet: true,
        ..flags.net.stack_options(0)
    };
    if chartfix::stack::bundle::is_bundle(std::path::Path::new(spec)) {
        return chartfix::stack::render_bundle(std::path::Path::new(spec), &options)
            .map_err(CliError::from);
    }
    let located = chartfix::stack::locate::locate(spec).map_err(|e| {
        if std::path::Path::new(spec).exists() {
            CliError::Failure(e)
        } else {
            not_found(spec)
        }
    })?;
    chartfix::stack::render_located(&located, &options).map_err(CliError::from)
}

/// An INPUT that is no file, folder or stack name: says every kind of input
/// `images` and `check` take.
fn not_found(spec: &str) -> CliError {
    let builtins: Vec<&str> = chartfix::stack::locate::BUILTIN
        .iter()
        .map(|(n, _, _)| *n)
        .collect();
    CliError::Failure(format!(
        "{spec:?} not found: expected a manifest file, `-` for stdin, a chart (a folder with \
         Chart.yaml or a .tgz), or a stack (a stack file, a folder of manifests, a name in \
         ./stacks/, or a built-in: {})",
        builtins.join(", ")
    ))
}

/// Checks every image in `docs`; prints the warnings met on the way.
pub fn check_documents(
    docs: &[Document],
    options: &ImageCheckOptions,
) -> Result<ImagesResult, CliError> {
    let checked = chartfix::check::images::check_documents(docs, options)?;
    for w in &checked.warnings {
        stderrln!("warning: {w}");
    }
    Ok(checked.result)
}
