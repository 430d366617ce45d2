//! Flags shared by several commands, declared once, with one help text and one
//! default each: [`NetworkArgs`] (how to reach registries and chart
//! repositories, and the cache) is flattened into every command that may talk
//! to them; [`SourceArgs`] (which chart) into those that take a chart. Their
//! mapping onto the library's options ([`chartfix::source::Options`],
//! [`chartfix::stack::StackOptions`],
//! [`chartfix::check::images::ImageCheckOptions`]) is here and nowhere else.

use chartfix::check::images::ImageCheckOptions;
use chartfix::check::platform::Platform;
use chartfix::registry::{Deadline, DEFAULT_DEADLINE, DEFAULT_TIMEOUT};
use chartfix::source;
use chartfix::stack::StackOptions;
use std::path::PathBuf;
use std::time::Duration;

// How to reach registries and chart repositories, and where the cache is:
// `fetch`, `template`, `render`, `snapshot`, `verify`, `images`, `check` and
// `diff --base`.
#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Registries, repositories and the cache")]
pub struct NetworkArgs {
    /// k3s registries.yaml: mirrors (with rewrite), auth and TLS per registry,
    /// for charts and images.
    #[arg(long, value_name = "FILE")]
    pub registry_config: Option<PathBuf>,
    /// Fetch an HTTP chart repository from elsewhere: FROM_URL=TO_URL (repeatable).
    #[arg(long = "repo-mirror", value_name = "FROM=TO")]
    pub repo_mirrors: Vec<String>,
    /// Talk plain HTTP to registries and endpoints given without a scheme.
    #[arg(long)]
    pub plain_http: bool,
    /// Use the cache alone and name what it lacks; `render` then skips the
    /// image check.
    #[arg(long)]
    pub offline: bool,
    /// Cache folder for charts and image answers (default: ./charts-cache if
    /// present, else $XDG_CACHE_HOME/chartfix).
    #[arg(long, env = "CHARTFIX_CACHE", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Seconds each request may take, whole body included (a connection
    /// gets 5 at most).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = DEFAULT_TIMEOUT.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub timeout: u64,
    /// Seconds all of the command's network work may take, retries included.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = DEFAULT_DEADLINE.as_secs(),
        value_parser = clap::value_parser!(u64).range(1..=86400)
    )]
    pub deadline: u64,
    /// No progress bars on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The ids (field names) and spellings of [`NetworkArgs`]' flags that say how
/// to fetch, for a command that takes them only in some forms (`diff`).
pub const FETCH_FLAGS: &[(&str, &str)] = &[
    ("offline", "--offline"),
    ("registry_config", "--registry-config"),
    ("repo_mirrors", "--repo-mirror"),
    ("plain_http", "--plain-http"),
    ("cache_dir", "--cache-dir"),
    ("timeout", "--timeout"),
    ("deadline", "--deadline"),
];

/// The fetch flags given on the command line of a subcommand (not from the
/// environment, not defaults).
pub fn fetch_flags_given(matches: Option<&clap::ArgMatches>) -> Vec<&'static str> {
    let Some(m) = matches else {
        return Vec::new();
    };
    FETCH_FLAGS
        .iter()
        .filter(|(id, _)| m.value_source(id) == Some(clap::parser::ValueSource::CommandLine))
        .map(|(_, flag)| *flag)
        .collect()
}

impl NetworkArgs {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout)
    }

    /// The command's one overall deadline, counted from its first use (the
    /// command's start), whichever options ask for it.
    pub fn deadline(&self) -> Deadline {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        let total = Duration::from_secs(self.deadline);
        Deadline {
            at: *START.get_or_init(std::time::Instant::now) + total,
            total,
        }
    }

    /// For resolving one chart (`fetch`, `template`).
    pub fn source_options(&self, chart: &SourceArgs) -> source::Options {
        source::Options {
            version: chart.version(),
            repo: chart.repo.clone(),
            cache_dir: self.cache_dir.clone(),
            offline: self.offline,
            registry_config: self.registry_config.clone(),
            repo_mirrors: self.repo_mirrors.clone(),
            plain_http: self.plain_http,
            quiet: self.quiet,
            timeout: self.timeout(),
            deadline: Some(self.deadline()),
            ..source::Options::default()
        }
    }

    /// For rendering stacks; `max_output_bytes` 0 is the engine's default.
    pub fn stack_options(&self, max_output_bytes: usize) -> StackOptions {
        StackOptions {
            offline: self.offline,
            registry_config: self.registry_config.clone(),
            repo_mirrors: self.repo_mirrors.clone(),
            plain_http: self.plain_http,
            cache_dir: self.cache_dir.clone(),
            quiet: self.quiet,
            timeout: Some(self.timeout()),
            deadline: Some(self.deadline()),
            max_output_bytes,
            ignore_stack_mirrors: false,
        }
    }

    /// For checking images on `platforms`, with the check's own defaults
    /// (concurrency, cache TTL) unless the caller sets them.
    pub fn image_options(&self, platforms: Vec<Platform>) -> ImageCheckOptions {
        ImageCheckOptions {
            platforms,
            registry_config: self.registry_config.clone(),
            plain_http: self.plain_http,
            timeout: self.timeout(),
            deadline: Some(self.deadline()),
            offline: self.offline,
            cache_dir: self.cache_dir.clone(),
            ..ImageCheckOptions::default()
        }
    }
}

// The cluster the output is for: `template` (`.Capabilities`) and `check`
// (the kinds it serves).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ClusterArgs {
    /// The cluster's Kubernetes version: `.Capabilities.KubeVersion` for
    /// `template` (default: Helm's), the kinds served for `check` (default 1.33).
    #[arg(long = "kube-version", value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// An API the cluster serves beyond the built-in ones: GROUP/VERSION or
    /// GROUP/VERSION/KIND (repeatable, comma-separated).
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "GROUP/VERSION[/KIND]",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,
}

// Which chart, beyond its reference: the version and the repository.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct SourceArgs {
    /// Chart version: exact (18.6.1) or a constraint (~18.6, ^13, 18.x, ">=1.2 <2").
    #[arg(long)]
    pub version: Option<String>,
    /// Chart repository URL; the chart is then a name in it.
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,
    /// Take development versions (pre-releases) too: with no --version, the
    /// same as --version '>0.0.0-0', as in Helm.
    #[arg(long)]
    pub devel: bool,
}

impl SourceArgs {
    /// `--version`, or with `--devel` and no `--version` Helm's `>0.0.0-0`.
    pub fn version(&self) -> Option<String> {
        match (&self.version, self.devel) {
            (None, true) => Some(">0.0.0-0".to_string()),
            (v, _) => v.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches, Parser};

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        net: NetworkArgs,
    }

    #[test]
    fn one_default_timeout_and_the_old_spellings() {
        let p = Probe::try_parse_from(["x"]).unwrap();
        assert_eq!(p.net.timeout(), DEFAULT_TIMEOUT);
        assert_eq!(
            p.net.source_options(&SourceArgs::default()).timeout,
            DEFAULT_TIMEOUT
        );
        assert_eq!(p.net.stack_options(0).timeout, Some(DEFAULT_TIMEOUT));
        assert_eq!(p.net.image_options(Vec::new()).timeout, DEFAULT_TIMEOUT);
        // One deadline for the whole command, whichever options carry it.
        let d = p.net.deadline();
        assert_eq!(d.total, DEFAULT_DEADLINE);
        assert_eq!(p.net.stack_options(0).deadline, Some(d));
        assert_eq!(p.net.image_options(Vec::new()).deadline, Some(d));
        let p = Probe::try_parse_from([
            "x",
            "--registry-config",
            "r.yaml",
            "--repo-mirror",
            "a=b",
            "--repo-mirror=c=d",
            "--plain-http",
            "--offline",
            "--cache-dir",
            "/c",
            "--timeout",
            "5",
            "--deadline",
            "30",
            "-q",
        ])
        .unwrap();
        assert_eq!(p.net.deadline().total, Duration::from_secs(30));
        let o = p.net.source_options(&SourceArgs::default());
        assert_eq!(o.repo_mirrors, ["a=b", "c=d"]);
        assert!(o.plain_http && o.offline && o.quiet);
        assert_eq!(o.timeout, Duration::from_secs(5));
        assert_eq!(o.cache_dir, Some(PathBuf::from("/c")));
        assert_eq!(o.registry_config, Some(PathBuf::from("r.yaml")));
        for bad in ["0", "3601", "soon"] {
            assert!(
                Probe::try_parse_from(["x", "--timeout", bad]).is_err(),
                "{bad}"
            );
        }
    }

    /// `--devel` is Helm's `>0.0.0-0` when no version is given, and leaves
    /// a given one alone.
    #[test]
    fn devel_takes_pre_releases() {
        let devel = SourceArgs {
            devel: true,
            ..SourceArgs::default()
        };
        assert_eq!(devel.version().as_deref(), Some(">0.0.0-0"));
        let pinned = SourceArgs {
            version: Some("1.2.3".into()),
            devel: true,
            ..SourceArgs::default()
        };
        assert_eq!(pinned.version().as_deref(), Some("1.2.3"));
        assert_eq!(SourceArgs::default().version(), None);
        let p = Probe::try_parse_from(["x"]).unwrap();
        assert_eq!(
            p.net.source_options(&devel).version.as_deref(),
            Some(">0.0.0-0")
        );
    }

    #[test]
    fn given_flags_are_told_from_defaults() {
        let m = Probe::command()
            .try_get_matches_from(["x", "--timeout", "60", "--offline"])
            .unwrap();
        assert!(Probe::from_arg_matches(&m).is_ok());
        assert_eq!(fetch_flags_given(Some(&m)), ["--offline", "--timeout"]);
        let m = Probe::command().try_get_matches_from(["x", "-q"]).unwrap();
        assert!(fetch_flags_given(Some(&m)).is_empty());
    }
}

/// What to do about user values no template reads (`--unused-values`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnusedValues {
    /// Do not look.
    Off,
    /// Name them on stderr.
    Warn,
    /// Name them on stderr and exit 1 (for CI).
    Error,
}

impl UnusedValues {
    /// Prints each finding on stderr, unless off; true when they make the
    /// command fail.
    pub fn report(self, findings: &[chartfix::values::unused::Finding]) -> bool {
        if self == UnusedValues::Off {
            return false;
        }
        for f in findings {
            let level = if self == UnusedValues::Error {
                "error"
            } else {
                "warning"
            };
            stderrln!("{level}: release {}: {}", f.release, f.text());
        }
        self == UnusedValues::Error && !findings.is_empty()
    }
}
