//! `chartfix fetch CHART`: resolve a chart into the cache and print what was
//! resolved. The flags that say where charts come from are [`SourceArgs`],
//! shared by every command that takes a chart.

use super::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};
use chartfix::source::{self, Options, SourceErrorKind};
use std::path::PathBuf;
use std::time::Duration;

/// Where charts come from: versions, repositories, registries, the cache.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SourceArgs {
    /// Chart version: exact (18.6.1) or a constraint (~18.6, ^13, 18.x, ">=1.2 <2").
    #[arg(long)]
    pub version: Option<String>,
    /// Chart repository URL; the chart is then a name in it.
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,
    /// Cache folder (default: ./charts-cache if present, else $XDG_CACHE_HOME/chartfix).
    #[arg(long, env = "CHARTFIX_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Use the cache alone; fail naming what is missing.
    #[arg(long)]
    pub offline: bool,
    /// k3s registries.yaml: mirrors (with rewrite), auth and TLS per registry.
    #[arg(long, value_name = "FILE")]
    pub registry_config: Option<PathBuf>,
    /// Fetch an HTTP repository from elsewhere: FROM_URL=TO_URL (repeatable).
    #[arg(long, value_name = "FROM=TO")]
    pub repo_mirror: Vec<String>,
    /// Talk plain HTTP to OCI registries.
    #[arg(long)]
    pub plain_http: bool,
    /// Seconds allowed for each request.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub timeout: u64,
}

impl SourceArgs {
    /// The library's options for these flags.
    pub fn options(&self, quiet: bool) -> Options {
        Options {
            version: self.version.clone(),
            repo: self.repo.clone(),
            cache_dir: self.cache_dir.clone(),
            offline: self.offline,
            registry_config: self.registry_config.clone(),
            repo_mirrors: self.repo_mirror.clone(),
            plain_http: self.plain_http,
            quiet,
            timeout: Duration::from_secs(self.timeout.max(1)),
            ..Options::default()
        }
    }
}

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
    /// No progress on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: Args) -> u8 {
    let options = args.source.options(args.quiet);
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
