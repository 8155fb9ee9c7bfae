//! The command line. Each flag is defined once; its doc comment is its help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Gate ML releases and data pipelines in CI: declarative checks over
/// Parquet, CSV, JSON and Arrow tables, evaluated in one scan per table.
#[derive(Debug, Parser)]
#[command(name = "verdict", version, about, after_long_help = EXIT_CODES)]
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

Exit codes: 0 pass, 1 a gate failed, 2 invalid suite, 3 unreadable source or unevaluable check.")]
    Run {
        /// Suite files (YAML).
        #[arg(required = true)]
        suites: Vec<PathBuf>,
        /// Also write the JSON report to FILE.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// What to print on stdout.
        #[arg(long, value_enum, default_value_t = OutputFormat::Console)]
        format: OutputFormat,
        /// Treat failed warn-severity checks as failures of the gate (exit 1).
        #[arg(long)]
        strict: bool,
        /// The instant `now` stands for in time bounds (RFC 3339 or a date);
        /// default: the current time. Makes freshness checks reproducible.
        #[arg(long, value_name = "INSTANT")]
        now: Option<String>,
    },
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table per source, failures first.
    Console,
    /// The JSON report (schema_version 1).
    Json,
}
