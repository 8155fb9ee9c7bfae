//! The command line. Each flag is defined once; its doc comment is its help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Gate ML releases and data pipelines in CI: declarative checks over
/// Parquet, CSV, JSON and Arrow tables, evaluated in one scan per table.
#[derive(Debug, Parser)]
#[command(name = "verdict", version = crate::features::long_version(), about, after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES: &str = "Exit codes:
  0  every error-severity check passed
  1  at least one error-severity check failed (with --strict, a warning too)
  2  the suite or the command line is invalid; nothing was evaluated
  3  a source could not be read or a check could not be evaluated";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate every check of one or more suites and print the verdict.
    #[command(after_long_help = "Examples:
  verdict run expectations/features.yml
  verdict run suite.yml --json out/verdict.json
  verdict run suite.yml --format json > verdict.json
  verdict run expectations/*.yml --select tag:critical --exclude source:legacy
  verdict run suite.yml --check price.null_rate --annotations github

Exit codes: 0 pass, 1 a gate failed, 2 invalid suite, 3 unreadable source or unevaluable check.")]
    Run(Box<RunArgs>),
    /// Print the recorded values of checks over past runs (`--history`).
    #[command(after_long_help = "Examples:
  verdict history history/
  verdict history history/ --check price.mean --last 30")]
    History(HistoryArgs),
    /// Compare a new model's predictions with the previous model's, keyed
    /// by row: what changed, by how much, label flips, quality against
    /// ground truth; gates make it fail.
    #[command(after_long_help = "Examples:
  verdict diff --baseline preds_v1.parquet --candidate preds_v2.parquet --key id --tol score=1e-6
  verdict diff --baseline a.parquet --candidate b.parquet --key user_id,day --max-changed-rate 0.01
  verdict diff --baseline v1.parquet --candidate v2.parquet --key id \\
      --truth labels.parquet --truth-column y --prediction label --probability score

Exit codes: 0 pass, 1 a gate failed, 2 invalid command line, 3 unreadable input or diff not computable.")]
    Diff(Box<DiffArgs>),
    /// Compare copies of one table in several environments (files or
    /// databases): row count, null counts and per-column aggregates side by
    /// side, held to the first environment within a tolerance.
    #[command(after_long_help = "Examples:
  verdict compare prod='postgres://app@prod-db/shop?table=public.orders' \\
      preprod='postgres://app@pre-db/shop?table=public.orders' dev=fixtures/orders.parquet
  verdict compare prod=a.parquet dev=b.parquet --columns revenue,qty --max-rel 0.001
  verdict compare prod=a.parquet dev=b.parquet --key order_id --max-abs revenue=0.01

A database URL names its table with ?table=schema.table (or ?query=SELECT …);
its password may come from the environment: postgres://app:${PGPASSWORD}@host/db
is expanded by the shell, and never shown in any output.

Exit codes: 0 every aggregate within tolerance, 1 some are not, 2 invalid command line, 3 an environment could not be read.")]
    Compare(Box<CompareArgs>),
    /// Write a starter suite for a table: its schema contract, observed
    /// ranges widened by a margin, null-rate ceilings, allowed sets for
    /// low-cardinality strings, candidate keys.
    #[command(after_long_help = "Examples:
  verdict profile data.parquet > expectations/data.yml
  verdict profile 'data/*.parquet' --margin 0.2 --name features
  verdict profile reference.parquet --save-reference refs/features.json")]
    Profile(ProfileArgs),
    /// Write a suite from another tool's description of the data: `verdict
    /// import odcs contract.yaml > suite.yml` (an Open Data Contract).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Start the scheduler or an executor of a DataFusion Ballista cluster
    /// that runs verdict's plans (`--engine df://HOST:PORT`).
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Check suites without reading any data (for pre-commit hooks).
    Validate {
        #[arg(required = true)]
        suites: Vec<PathBuf>,
    },
    /// Print the schema of a file, directory or glob as verdict reads it.
    Schema {
        /// A file, a directory or a glob.
        path: String,
        /// The data format, when the file name does not tell it.
        #[arg(long, value_name = "FORMAT")]
        format: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// An Open Data Contract Standard (Bitol) v3 contract as a suite: its
    /// schema (types, required, unique, primary keys, logicalTypeOptions),
    /// quality rules (rowCount, nullValues, missingValues, invalidValues,
    /// duplicateValues, sql), foreign keys, and freshness and retention
    /// service levels. The suite goes to stdout; rules it cannot check
    /// (text, custom) are comments in it, and stderr counts them.
    #[command(after_long_help = "Examples:
  verdict import odcs orders.odcs.yaml > expectations/orders.yml
  verdict import odcs orders.odcs.yaml --server production > expectations/orders.yml
  verdict import odcs orders.odcs.yaml --path 'data/{object}/*.parquet' > expectations/orders.yml

The data is read from the first of the contract's servers verdict can read
(PostgreSQL, MySQL/MariaDB, local, S3, GCS, Azure), with credentials from
DATACONTRACT_POSTGRES_USERNAME/PASSWORD (DATACONTRACT_MYSQL_… for MySQL);
--server picks another, --path names files instead.

Exit codes: 0 the suite was written, 2 the contract cannot be read or imported.")]
    Odcs(OdcsArgs),
}

#[derive(Debug, Clone, clap::Args)]
pub struct OdcsArgs {
    /// The contract (YAML, `apiVersion: v3.0.0` to `v3.1.0`).
    pub contract: PathBuf,
    /// Read the data of the contract's server with this `server:` name.
    #[arg(long, value_name = "NAME", conflicts_with = "path")]
    pub server: Option<String>,
    /// Read each table from files instead: `{object}` stands for the
    /// table's physicalName (else its name), e.g. 'data/{object}.parquet'.
    #[arg(long, value_name = "TEMPLATE")]
    pub path: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Suite files (YAML).
    #[arg(required = true)]
    pub suites: Vec<PathBuf>,
    #[command(flatten)]
    pub reports: ReportArgs,
    /// Treat failed warn-severity checks as failures of the gate (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// The instant `now` stands for in time bounds (RFC 3339 or a date);
    /// default: the current time. Makes freshness checks reproducible.
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<String>,
    /// Append this run's metrics to the history in DIR (one Parquet
    /// file per run) and read past runs for `change_vs: history`.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Run only what these select: `tag:NAME` (a check's or its source's
    /// `tags:`), `source:NAME`, `check:NAME`, or `diff`, `drift`, `bench`,
    /// `compare`. Repeat or separate with commas; a selector that matches
    /// nothing is an error (exit 2).
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    pub select: Vec<String>,
    /// Leave out what these select (same selectors as --select).
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    pub exclude: Vec<String>,
    /// Run only the check with this name (`price.null_rate`, or
    /// `SOURCE.NAME`): the same as `--select check:NAME`. Repeatable.
    #[arg(long, value_name = "NAME")]
    pub check: Vec<String>,
    /// Write the rows that break each failed check of single rows (sets,
    /// patterns, lengths, ranges, not_null, unique, references,
    /// expressions) to DIR/SUITE/SOURCE/CHECK.parquet, with the source's
    /// `key:` and `sample_columns:`, without its `exclude_columns:`.
    #[arg(long, value_name = "DIR")]
    pub failed_rows: Option<PathBuf>,
    /// At most this many rows per failed check (--failed-rows).
    #[arg(
        long,
        default_value_t = 100,
        value_name = "N",
        requires = "failed_rows"
    )]
    pub failed_rows_limit: usize,
    /// Also print each failed check as an annotation on the suite line
    /// that declares it: `github` prints GitHub Actions' `::error
    /// file=…,line=…::` commands (warnings as `::warning`) on stderr.
    #[arg(long, value_enum, value_name = "KIND")]
    pub annotations: Option<Annotations>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Where `--annotations` are meant to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Annotations {
    /// GitHub Actions workflow commands.
    Github,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ProfileArgs {
    /// A file, a directory or a glob.
    pub path: String,
    /// The data format, when the file name does not tell it.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// The source's name in the suite (default: from the file name).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Widen observed ranges by this fraction of their span on each side,
    /// and rates by this fraction of themselves (0.1 = 10%).
    #[arg(
        long,
        default_value_t = 0.1,
        value_name = "FRACTION",
        allow_negative_numbers = true
    )]
    pub margin: f64,
    /// Strings with at most this many distinct values (some repeated) get
    /// an `in_set` check; 0 writes none.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_set: usize,
    /// Instead of a suite, save what drift needs of this table (quantile
    /// bins, category counts) to FILE, for `reference_file:` in `drift:`.
    #[arg(long, value_name = "FILE")]
    pub save_reference: Option<PathBuf>,
    /// Numeric bins of the saved reference (`bins:` of the drift section).
    #[arg(long, default_value_t = crate::spec::DEFAULT_BINS, value_name = "N", requires = "save_reference")]
    pub bins: usize,
    #[command(flatten)]
    pub cluster: ClusterArg,
}

#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    /// The directory given to `verdict run --history`.
    pub dir: PathBuf,
    /// Only checks with this name (`price.mean`, `rows`, `category.drift`).
    #[arg(long, value_name = "NAME")]
    pub check: Option<String>,
    /// Only this metric (`mean`, `row_count`, `psi`, …).
    #[arg(long, value_name = "METRIC")]
    pub metric: Option<String>,
    /// Only this source.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Only this suite file.
    #[arg(long, value_name = "FILE")]
    pub suite: Option<String>,
    /// How many of the latest runs to show per series.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub last: usize,
}

/// Where reports go, shared by `run` and `diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Console)]
    pub format: OutputFormat,
    /// Also write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write a JUnit XML report to FILE (one test case per check).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write a Markdown summary to FILE (e.g. "$GITHUB_STEP_SUMMARY").
    /// FILE is overwritten, except GitHub's step summary (the file
    /// $GITHUB_STEP_SUMMARY names), which is appended to as GitHub expects.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Append the Markdown summary to FILE instead of overwriting it.
    #[arg(long, requires = "markdown")]
    pub markdown_append: bool,
    /// Also write a self-contained HTML report with charts to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Post a summary (verdict, failed checks, where the report is) to a
    /// Slack-compatible incoming webhook when the run does not pass (see
    /// --notify-on). Repeatable. Never changes the exit code.
    #[arg(long, value_name = "URL")]
    pub notify: Vec<String>,
    /// When to post to the --notify webhooks.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = crate::spec::NotifyOn::Fail)]
    pub notify_on: crate::spec::NotifyOn,
    /// A link to the report (e.g. the CI job's page) for notifications.
    #[arg(long, value_name = "URL")]
    pub notify_report_url: Option<String>,
    /// No progress display on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Engine settings shared by the commands that read data.
#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    /// Bound DataFusion's memory pool (e.g. 2G, 512M); joins and sorts
    /// spill to disk instead of growing past it.
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<String>,
    #[command(flatten)]
    pub cluster: ClusterArg,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ClusterArg {
    /// Run the plans over files and object stores on a DataFusion Ballista
    /// cluster: the scheduler's address, df://HOST:PORT (`verdict cluster`
    /// starts one). `embedded` (the default) runs them in this process.
    /// Database sources are always pushed down to their database.
    #[arg(long, value_name = "URL", env = "VERDICT_ENGINE")]
    pub engine: Option<String>,
}

impl ClusterArg {
    /// The engine `--engine` chose; None when not given.
    pub fn choice(&self) -> Result<Option<crate::spec::engine::Engine>, String> {
        match self.engine.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => crate::spec::engine::Engine::parse(text)
                .map(Some)
                .map_err(|e| match crate::features::is_missing(&e) {
                    true => format!("--engine: {e}"),
                    false => format!("--engine: {e}, or `embedded`"),
                }),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Start a scheduler: it plans each query into stages and hands them
    /// to its executors.
    #[command(after_long_help = "Examples:
  verdict cluster scheduler --bind 0.0.0.0:50050 --external-host scheduler.internal")]
    Scheduler {
        /// The address to listen on.
        #[arg(long, default_value = "0.0.0.0:50050", value_name = "HOST:PORT")]
        bind: std::net::SocketAddr,
        /// The host name clients and executors reach this scheduler by.
        #[arg(long, default_value = "localhost", value_name = "HOST")]
        external_host: String,
    },
    /// Start an executor: it runs the stages its scheduler hands it,
    /// reading files and object stores itself (credentials from its own
    /// environment, as the command line finds them, and the suite's
    /// `storage:` options, which the client sends).
    #[command(after_long_help = "Examples:
  verdict cluster executor --scheduler df://scheduler.internal:50050 --bind 0.0.0.0:50051")]
    Executor {
        /// The scheduler to join.
        #[arg(long, value_name = "URL")]
        scheduler: String,
        /// The address of the executor's data (Arrow Flight) service.
        #[arg(long, default_value = "0.0.0.0:50051", value_name = "HOST:PORT")]
        bind: std::net::SocketAddr,
        /// The port of the executor's task service.
        #[arg(long, default_value_t = 50052, value_name = "PORT")]
        grpc_port: u16,
        /// The host name the scheduler and clients reach this executor by
        /// (default: the address it binds, or this machine's name).
        #[arg(long, value_name = "HOST")]
        external_host: Option<String>,
        /// Tasks to run at once (default: the machine's cores).
        #[arg(long, value_name = "N")]
        cores: Option<usize>,
        /// Where shuffle files go (default: a temporary directory).
        #[arg(long, value_name = "DIR")]
        work_dir: Option<String>,
        /// Bound the executor's memory pool (e.g. 8G); its sorts and joins
        /// spill beyond it.
        #[arg(long, value_name = "SIZE")]
        memory_limit: Option<String>,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// The previous model's predictions (file, directory or glob).
    #[arg(long, value_name = "PATH")]
    pub baseline: String,
    /// The new model's predictions.
    #[arg(long, value_name = "PATH")]
    pub candidate: String,
    /// Key column(s) identifying a row; repeat or separate with commas.
    #[arg(long, required = true, value_delimiter = ',', value_name = "COLUMN")]
    pub key: Vec<String>,
    /// Compare only these columns (default: every common non-key column).
    #[arg(long, value_delimiter = ',', value_name = "COLUMN")]
    pub columns: Vec<String>,
    /// Leave these columns out of the default set.
    #[arg(long, value_delimiter = ',', value_name = "COLUMN")]
    pub ignore: Vec<String>,
    /// Absolute tolerance: `COLUMN=TOL` for one column, or a bare `TOL` for
    /// every numeric column. Repeatable.
    #[arg(long = "tol", value_name = "[COLUMN=]TOL")]
    pub abs_tol: Vec<String>,
    /// Relative tolerance (of the baseline value), like `--tol`.
    #[arg(long = "rel-tol", value_name = "[COLUMN=]TOL")]
    pub rel_tol: Vec<String>,
    /// Accept duplicated keys (they pair like a SQL join) instead of failing.
    #[arg(long)]
    pub allow_duplicates: bool,
    /// How many most-changed rows and sample keys to show.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    /// Fail when a column's share of changed rows exceeds RATE (0–1).
    #[arg(long, value_name = "RATE")]
    pub max_changed_rate: Option<f64>,
    /// Fail when a label column's share of flipped rows exceeds RATE (0–1).
    #[arg(long, value_name = "RATE")]
    pub max_flip_rate: Option<f64>,
    /// Fail when a numeric column's mean of (candidate − baseline) exceeds X in size.
    #[arg(long, value_name = "X")]
    pub max_mean_shift: Option<f64>,
    /// Fail when more than N baseline keys are missing from the candidate.
    #[arg(long, value_name = "N")]
    pub max_missing: Option<u64>,
    /// Fail when the candidate has more than N keys the baseline lacks.
    #[arg(long, value_name = "N")]
    pub max_added: Option<u64>,
    /// Ground truth (file, directory or glob), keyed like the predictions.
    #[arg(long, value_name = "PATH", requires_all = ["truth_column", "prediction"])]
    pub truth: Option<String>,
    /// The truth's label or target column.
    #[arg(long, value_name = "COLUMN", requires = "truth")]
    pub truth_column: Option<String>,
    /// The predictions' label or value column, scored against the truth.
    #[arg(long, value_name = "COLUMN", requires = "truth")]
    pub prediction: Option<String>,
    /// The predictions' probability of the positive class (log loss, ROC AUC).
    #[arg(long, value_name = "COLUMN", requires = "truth")]
    pub probability: Option<String>,
    /// Repeat the changed rate and the quality per value of COLUMN (of the
    /// truth, else the baseline, else the candidate); repeat or separate
    /// with commas.
    #[arg(long = "slice", value_delimiter = ',', value_name = "COLUMN")]
    pub slices: Vec<String>,
    /// Fail when a slice with at least --min-slice-rows rows changed in
    /// more than RATE (0–1) of its rows.
    #[arg(long, value_name = "RATE", requires = "slices")]
    pub max_slice_changed_rate: Option<f64>,
    /// Slices with fewer rows are listed, never gated.
    #[arg(long, default_value_t = 30, value_name = "N", requires = "slices")]
    pub min_slice_rows: u64,
    #[command(flatten)]
    pub reports: ReportArgs,
    /// Treat failed warn-severity gates as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Environments as NAME=SOURCE, the reference first; SOURCE is a file,
    /// directory, glob or database URL with `?table=`.
    #[arg(required = true, num_args = 2.., value_name = "NAME=SOURCE")]
    pub environments: Vec<String>,
    /// Compare only these columns (default: every column all environments have).
    #[arg(long, value_delimiter = ',', value_name = "COLUMN")]
    pub columns: Vec<String>,
    /// Allowed absolute difference from the reference: `COLUMN=X` for one
    /// column, or a bare `X` for all. Repeatable.
    #[arg(long = "max-abs", value_name = "[COLUMN=]X")]
    pub max_abs: Vec<String>,
    /// Allowed difference relative to the reference's value, like `--max-abs`.
    #[arg(long = "max-rel", value_name = "[COLUMN=]X")]
    pub max_rel: Vec<String>,
    /// Key column(s): diff rows of environments whose aggregates disagree.
    #[arg(long, value_delimiter = ',', value_name = "COLUMN")]
    pub key: Vec<String>,
    /// How many most-changed rows each row diff shows.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,
    #[command(flatten)]
    pub reports: ReportArgs,
    /// Treat warnings (schema differences) as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table per source, failures first.
    Console,
    /// The JSON report (schema_version 1).
    Json,
}
