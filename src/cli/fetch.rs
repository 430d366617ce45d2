//! `chartfix fetch CHART`: resolve a chart into the cache and print what was
//! resolved.

use super::flags::{NetworkArgs, SourceArgs};
use super::{write_stdout, CmdResult, Outcome};
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
    #[command(flatten)]
    pub net: NetworkArgs,
}

pub fn run(args: Args) -> CmdResult {
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
    let mut out = format!(
        "chart: {}\nreference: {}\nversion: {}\ndigest: {}\npath: {}\ncached: {}\n",
        r.name,
        r.reference,
        r.version,
        r.digest.as_deref().unwrap_or("(folder)"),
        r.path.display(),
        if r.from_cache { "yes" } else { "fetched" }
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
