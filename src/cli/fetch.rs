//! `chartfix fetch CHART`: resolve a chart into the cache and print what was
//! resolved.

use super::flags::{NetworkArgs, SourceArgs};
use super::{write_stdout, CliError, CmdResult, Outcome};
use chartfix::source;

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  chartfix fetch oci://registry-1.docker.io/bitnamicharts/redis --version 18.6.1 --dependencies"
)]
pub struct Args {
    /// A chart: oci://HOST/PATH/NAME, REPO/NAME, a NAME with --repo, an
    /// archive URL, or a local folder or .tgz.
    pub chart: String,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Also fetch the dependencies Chart.yaml lists and charts/ lacks.
    #[arg(long)]
    pub dependencies: bool,
    /// For a local archive: file it in the cache under this public reference
    /// (oci://HOST/PATH/NAME or REPO_URL/NAME), as `cache import --as` does.
    #[arg(long = "as", value_name = "REF")]
    pub as_ref: Option<String>,
    #[command(flatten)]
    pub net: NetworkArgs,
}

pub fn run(args: Args) -> CmdResult {
    let local = args.source.repo.is_none() && std::path::Path::new(&args.chart).exists();
    if let Some(as_ref) = &args.as_ref {
        if !local || std::path::Path::new(&args.chart).is_dir() {
            return Err(CliError::usage(format!(
                "--as files a local chart archive in the cache; {} is not one",
                args.chart
            )));
        }
        let flag = args.net.cache_dir.as_deref();
        let cache = source::cache::Cache::open(
            &chartfix::registry::cache_dir::resolve(flag),
            chartfix::registry::cache_dir::setting(flag),
        )
        .map_err(CliError::failure)?;
        let done = chartfix::stack::offline::import(
            &[std::path::PathBuf::from(&args.chart)],
            &[],
            Some(as_ref),
            &cache,
        )
        .map_err(CliError::failure)?;
        let mut out = String::new();
        for i in &done {
            out.push_str(&format!(
                "reference: {}
version: {}
digest: {}
cached: imported from {}
",
                i.reference,
                i.version,
                i.digest,
                i.file.display()
            ));
        }
        write_stdout(out)?;
        return Ok(Outcome::Done);
    }
    let options = args.net.source_options(&args.source);
    let resolver = source::Resolver::new(&options)?;
    let r = resolver.resolve(&args.chart, options.version.as_deref())?;
    let deps = if args.dependencies {
        resolver.resolve_dependencies(&r.path)?
    } else {
        Vec::new()
    };
    for w in r
        .warnings
        .iter()
        .chain(deps.iter().flat_map(|d| &d.chart.warnings))
    {
        stderrln!("Warning: {w}");
    }
    if local && !args.dependencies {
        stderrln!(
            "note: {} is a local chart: it needs no fetching, and every command uses it where it is; to file an archive in the cache under its public name, give --as REF (or use `chartfix cache import`)",
            args.chart
        );
    }
    let mut out = format!(
        "chart: {}\nreference: {}\nversion: {}\ndigest: {}\npath: {}\ncached: {}\n",
        r.name,
        r.reference,
        r.version,
        r.digest.as_deref().unwrap_or("(folder)"),
        r.path.display(),
        if local {
            "no (a local chart needs no fetching)"
        } else if r.from_cache {
            "yes"
        } else {
            "fetched"
        }
    );
    for d in &deps {
        out.push_str(&format!(
            "dependency: {} {} {} {}\n",
            d.alias.as_deref().unwrap_or(&d.name),
            d.chart.version,
            d.chart.digest.as_deref().unwrap_or("(folder)"),
            d.chart.path.display()
        ));
    }
    write_stdout(out)?;
    Ok(Outcome::Done)
}
