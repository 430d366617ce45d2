//! `chartfix fetch CHART`: resolve a chart into the cache and print what was
//! resolved.

use super::flags::{NetworkArgs, SourceArgs};
use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use chartfix::source::{self, SourceErrorKind};

#[derive(clap::Args)]
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

pub fn run(args: Args) -> u8 {
    let options = args.net.source_options(&args.source);
    let resolver = match source::Resolver::new(&options) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let resolved = resolver.resolve(&args.chart, options.version.as_deref());
    let resolved = resolved.and_then(|r| {
        let deps = if args.dependencies {
            resolver.resolve_dependencies(&r.path)?
        } else {
            Vec::new()
        };
        Ok((r, deps))
    });
    match resolved {
        Ok((r, deps)) => {
            for w in r
                .warnings
                .iter()
                .chain(deps.iter().flat_map(|d| &d.chart.warnings))
            {
                eprintln!("Warning: {w}");
            }
            println!("chart: {}", r.name);
            println!("reference: {}", r.reference);
            println!("version: {}", r.version);
            println!("digest: {}", r.digest.as_deref().unwrap_or("(folder)"));
            println!("path: {}", r.path.display());
            println!("cached: {}", if r.from_cache { "yes" } else { "fetched" });
            for d in &deps {
                println!(
                    "dependency: {} {} {} {}",
                    d.alias.as_deref().unwrap_or(&d.name),
                    d.chart.version,
                    d.chart.digest.as_deref().unwrap_or("(folder)"),
                    d.chart.path.display()
                );
            }
            EXIT_OK
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &source::SourceError) -> u8 {
    eprintln!("Error: {e}");
    if e.kind == SourceErrorKind::Usage {
        EXIT_USAGE
    } else {
        EXIT_FAILURE
    }
}
