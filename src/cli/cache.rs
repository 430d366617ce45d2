//! `chartfix cache import|list|prune`: the chart cache by hand, for machines
//! without a network. The work is `chartfix::stack::offline`'s and
//! `chartfix::source::cache`'s; this is flags and printing.

use super::{write_stdout, CliError, CmdResult, Outcome};
use chartfix::registry::cache_dir;
use chartfix::source::cache::Cache;
use chartfix::stack::offline;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: CacheCommand,
}

#[derive(clap::Subcommand)]
enum CacheCommand {
    /// File chart archives (or folders of them) in the cache under the names
    /// the locks give their digests, or under --as REF.
    Import(ImportArgs),
    /// List the cached charts: reference, version, digest, size, last use.
    List(CacheDir),
    /// Remove the cached charts that no lock of the given stacks names.
    Prune(PruneArgs),
}

#[derive(clap::Args)]
struct CacheDir {
    /// Cache folder (default: ./charts-cache if present, else
    /// $XDG_CACHE_HOME/chartfix).
    #[arg(long, env = "CHARTFIX_CACHE", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

impl CacheDir {
    fn cache(&self) -> Result<Cache, CliError> {
        let flag = self.cache_dir.as_deref();
        Cache::open(&cache_dir::resolve(flag), cache_dir::setting(flag)).map_err(CliError::failure)
    }
}

#[derive(clap::Args)]
struct ImportArgs {
    /// Chart archives (.tgz), or folders holding them.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// A stack whose lock names the archives (repeatable).
    #[arg(long = "stack", value_name = "STACK")]
    stacks: Vec<String>,
    /// A lock file that names the archives (repeatable).
    #[arg(long = "lock", value_name = "FILE")]
    locks: Vec<PathBuf>,
    /// File every archive under this public reference
    /// (oci://HOST/PATH/NAME or REPO_URL/NAME), at its Chart.yaml version.
    #[arg(long = "as", value_name = "REF")]
    as_ref: Option<String>,
    #[command(flatten)]
    cache: CacheDir,
}

#[derive(clap::Args)]
struct PruneArgs {
    /// Stacks whose locks name what to keep.
    #[arg(value_name = "STACK")]
    stacks: Vec<String>,
    /// Lock files that name what to keep (repeatable).
    #[arg(long = "lock", value_name = "FILE")]
    locks: Vec<PathBuf>,
    #[command(flatten)]
    cache: CacheDir,
}

pub fn run(args: Args) -> CmdResult {
    match args.command {
        CacheCommand::Import(a) => import(a),
        CacheCommand::List(a) => list(a),
        CacheCommand::Prune(a) => prune(a),
    }
}

fn import(a: ImportArgs) -> CmdResult {
    let locks = offline::read_locks(&a.stacks, &a.locks).map_err(CliError::usage)?;
    let cache = a.cache.cache()?;
    let done = offline::import(&a.paths, &locks, a.as_ref.as_deref(), &cache)
        .map_err(CliError::failure)?;
    let mut out = String::new();
    for i in &done {
        out.push_str(&format!(
            "imported {} as {} {} ({})\n",
            i.file.display(),
            i.reference,
            i.version,
            i.digest
        ));
    }
    write_stdout(out)?;
    stderrln!("cache: {}", cache.root().display());
    Ok(Outcome::Done)
}

fn list(a: CacheDir) -> CmdResult {
    let cache = a.cache()?;
    let entries = cache.entries();
    let mut rows = vec![[
        "REFERENCE".to_string(),
        "VERSION".into(),
        "DIGEST".into(),
        "SIZE".into(),
        "LAST USE".into(),
    ]];
    for e in &entries {
        rows.push([
            e.record.reference.clone(),
            e.record.version.clone(),
            e.record.digest.clone(),
            e.size
                .map_or_else(|| "missing".to_string(), |n| format!("{n}")),
            e.last_used.map_or_else(
                || "-".to_string(),
                |t| {
                    chrono::DateTime::<chrono::Utc>::from(t)
                        .format("%Y-%m-%d %H:%M UTC")
                        .to_string()
                },
            ),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    write_stdout(out)?;
    stderrln!("{} charts in {}", entries.len(), cache.root().display());
    Ok(Outcome::Done)
}

fn prune(a: PruneArgs) -> CmdResult {
    let locks = offline::read_locks(&a.stacks, &a.locks).map_err(CliError::usage)?;
    let cache = a.cache.cache()?;
    let pruned = offline::prune(&cache, &locks).map_err(CliError::usage)?;
    let mut out = String::new();
    for r in &pruned.records {
        out.push_str(&format!(
            "removed {} {} ({})\n",
            r.reference, r.version, r.digest
        ));
    }
    write_stdout(out)?;
    stderrln!(
        "pruned {}: {} records, {} archives ({} bytes); kept what {} name",
        cache.root().display(),
        pruned.records.len(),
        pruned.archives,
        pruned.bytes,
        locks
            .iter()
            .map(|l| l.path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Outcome::Done)
}
