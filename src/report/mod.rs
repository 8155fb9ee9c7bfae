//! The report: a serde model of everything a run found (per suite, per
//! source: checks, scans, timings) and the one place that turns it into a
//! verdict and an exit code. Renderers are pure functions of `&Report`
//! into any writer, so every format can be snapshot-tested.

pub mod console;
mod console_compare;
mod console_drift;
mod console_release;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
mod svg;

use serde::Serialize;

use crate::check::{CheckResult, Status};
use crate::metric::exec::Scan;
use crate::spec::Severity;

/// Bumped when a field changes meaning or disappears; additions keep it.
pub const SCHEMA_VERSION: u32 = 1;

/// Exit codes (README, "Exit codes").
pub mod exit {
    /// Every error-severity check passed.
    pub const PASS: i32 = 0;
    /// At least one error-severity check failed (with `--strict`, or a warning).
    pub const GATE: i32 = 1;
    /// The suite or the command line is invalid; nothing was evaluated.
    pub const INVALID: i32 = 2;
    /// A source could not be read or a check could not be evaluated.
    pub const BROKEN: i32 = 3;
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub verdict: Verdict,
    pub exit_code: i32,
    pub strict: bool,
    /// The instant `now` stood for in time bounds (RFC 3339).
    pub now: String,
    pub summary: Summary,
    pub suites: Vec<SuiteReport>,
    /// Webhooks posted to, when the verdict called for it (`--notify`,
    /// `notify:`); left out of the JSON when there were none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<crate::notify::Outcome>,
    /// What `--history DIR` recorded; left out without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::history::Recorded>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
    Error,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Warn => "PASS with warnings",
            Verdict::Fail => "FAIL",
            Verdict::Error => "ERROR",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub checks: usize,
    pub passed: usize,
    /// Error-severity checks that failed.
    pub failed: usize,
    /// Warn-severity checks that failed.
    pub warnings: usize,
    /// Checks that could not be evaluated.
    pub errors: usize,
    /// Sources that could not be read.
    pub source_errors: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct SuiteReport {
    pub file: String,
    pub sources: Vec<SourceReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bench: Option<crate::bench::BenchReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<crate::diff::DiffReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<crate::drift::DriftReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<crate::compare::CompareReport>,
}

impl SuiteReport {
    /// Every check of the suite: per source, then the diff's and the
    /// bench's gates, then the drift of each column, then the comparison.
    pub fn all_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.sources
            .iter()
            .flat_map(|s| &s.checks)
            .chain(self.diff.iter().flat_map(|d| &d.gates))
            .chain(self.bench.iter().flat_map(|b| &b.gates))
            .chain(self.drift.iter().flat_map(|d| &d.checks))
            .chain(self.compare.iter().flat_map(|c| &c.checks))
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub path: String,
    pub format: Option<&'static str>,
    pub files: Option<usize>,
    /// Row count, when a check needed it.
    pub rows: Option<u64>,
    /// Why the source could not be read, if it could not.
    pub error: Option<String>,
    /// Seconds spent listing files and inferring the schema.
    pub load_seconds: f64,
    pub scans: Vec<Scan>,
    pub checks: Vec<CheckResult>,
}

impl Summary {
    /// `4 passed`, `2 failed`, `1 warning`, … as every format says it:
    /// passes always, the rest when there are some.
    pub fn parts(&self) -> Vec<String> {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut parts = vec![format!("{} passed", self.passed)];
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        if self.warnings > 0 {
            parts.push(format!(
                "{} warning{}",
                self.warnings,
                plural(self.warnings)
            ));
        }
        if self.errors > 0 {
            parts.push(format!("{} could not be evaluated", self.errors));
        }
        if self.source_errors > 0 {
            let n = self.source_errors;
            parts.push(format!("{n} source{} unreadable", plural(n)));
        }
        parts
    }
}

impl Report {
    /// Builds the report and decides the verdict. `--strict` makes warnings
    /// fail the gate; a run that evaluated no check never passes.
    pub fn new(suites: Vec<SuiteReport>, strict: bool, now: String, seconds: f64) -> Report {
        let mut s = Summary::default();
        for src in suites.iter().flat_map(|x| &x.sources) {
            s.source_errors += usize::from(src.error.is_some());
        }
        for c in suites.iter().flat_map(|x| x.all_checks()) {
            s.checks += 1;
            match (c.status, c.severity) {
                (Status::Pass, _) => s.passed += 1,
                (Status::Fail, Severity::Error) => s.failed += 1,
                (Status::Fail, Severity::Warn) => s.warnings += 1,
                (Status::Error, _) => s.errors += 1,
            }
        }
        let (verdict, exit_code) = if s.failed > 0 || (strict && s.warnings > 0) {
            (Verdict::Fail, exit::GATE)
        } else if s.errors > 0 || s.source_errors > 0 || s.checks == 0 {
            (Verdict::Error, exit::BROKEN)
        } else if s.warnings > 0 {
            (Verdict::Warn, exit::PASS)
        } else {
            (Verdict::Pass, exit::PASS)
        };
        Report {
            schema_version: SCHEMA_VERSION,
            verdict,
            exit_code,
            strict,
            now,
            summary: s,
            suites,
            notifications: Vec::new(),
            history: None,
            seconds,
        }
    }
}
