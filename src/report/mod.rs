//! The report: a serde model of everything a run found (per suite, per
//! source: checks, scans, timings) and the one place that turns it into a
//! verdict and an exit code. Renderers are pure functions of `&Report`
//! into any writer, so every format can be snapshot-tested.

pub mod annotations;
pub mod console;
pub mod delivery;
pub mod format;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod part;

pub use crate::check::source::SourceReport;
pub use part::{rank, Part, Problem, Section};

use serde::Serialize;

use crate::check::Status;
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
    pub notifications: Vec<delivery::Outcome>,
    /// What `--history DIR` recorded; left out without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<delivery::Recorded>,
    /// What `--select`, `--exclude` and `--check` kept; left out when the
    /// run evaluated everything its suites declare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<crate::spec::select::Selection>,
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
    /// Where its plans ran: `embedded`, or a cluster's `df://host:port`.
    pub engine: String,
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

impl Summary {
    /// `4 passed`, `2 failed`, `1 warning`, … as every format says it:
    /// passes always and first, then each kind of problem there is.
    pub fn parts(&self) -> Vec<String> {
        let mut parts = vec![format!("{} passed", self.passed)];
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        if self.warnings > 0 {
            parts.push(format::count(self.warnings, "warning"));
        }
        if self.errors > 0 {
            parts.push(format!("{} could not be evaluated", self.errors));
        }
        if self.source_errors > 0 {
            parts.push(format!(
                "{} unreadable",
                format::count(self.source_errors, "source")
            ));
        }
        parts
    }

    /// `7 checks: 4 passed, 2 failed, 1 warning`: the headline count.
    pub fn sentence(&self) -> String {
        format!(
            "{}: {}",
            format::count(self.checks, "check"),
            self.parts().join(", ")
        )
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
        let mut report = Report {
            schema_version: SCHEMA_VERSION,
            verdict: Verdict::Error,
            exit_code: exit::BROKEN,
            strict,
            now,
            summary: s,
            suites,
            notifications: Vec::new(),
            history: None,
            selection: None,
            seconds,
        };
        report.decide();
        report
    }

    /// Records what `--history` wrote. A history that could not be written
    /// breaks a run that would have passed (exit 3): a monitor that
    /// silently stops recording is worse than one that fails.
    pub fn record_history(&mut self, recorded: delivery::Recorded) {
        self.history = Some(recorded);
        self.decide();
    }

    /// The verdict and exit code, from the counts and what happened after
    /// the run: the one place they are decided.
    fn decide(&mut self) {
        let s = &self.summary;
        let history_lost = self.history.as_ref().is_some_and(|h| h.error.is_some());
        (self.verdict, self.exit_code) = if s.failed > 0 || (self.strict && s.warnings > 0) {
            (Verdict::Fail, exit::GATE)
        } else if s.errors > 0 || s.source_errors > 0 || s.checks == 0 || history_lost {
            (Verdict::Error, exit::BROKEN)
        } else if s.warnings > 0 {
            (Verdict::Warn, exit::PASS)
        } else {
            (Verdict::Pass, exit::PASS)
        };
    }
}
