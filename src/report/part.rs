//! The one walk over a report. A suite report is a list of parts — the
//! bench, each source, the diff, each drift, the comparison — in the order
//! the run produced them; each part has its checks, its timing, its error
//! and its anchor. Every consumer (console, JUnit, Markdown, HTML, webhook
//! messages, history, the summary counts) walks these parts and ranks
//! checks with [`rank`], so they cannot disagree on what a run holds.
//!
//! A consumer that needs a kind's own facts matches on [`Section`]
//! without a fallback arm: adding a kind of section is then a compile
//! error in every consumer until it says how to show it.

use crate::bench::BenchReport;
use crate::check::{CheckResult, Status};
use crate::compare::CompareReport;
use crate::diff::DiffReport;
use crate::drift::DriftReport;
use crate::spec::Severity;

use super::{Report, SourceReport, SuiteReport};

/// What a part is, with its own report.
#[derive(Debug, Clone, Copy)]
pub enum Section<'a> {
    Bench(&'a BenchReport),
    Source(&'a SourceReport),
    Diff(&'a DiffReport),
    Drift(&'a DriftReport),
    Compare(&'a CompareReport),
}

/// One part of one suite.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub suite: &'a SuiteReport,
    /// The suite's position in the report.
    pub suite_index: usize,
    /// The position among the suite's parts of the same kind (sources and
    /// drifts can be many).
    pub index: usize,
    pub section: Section<'a>,
}

impl<'a> Part<'a> {
    /// The part's checks, in suite order.
    pub fn checks(&self) -> &'a [CheckResult] {
        match self.section {
            Section::Bench(b) => b.gates(),
            Section::Source(s) => &s.checks,
            Section::Diff(d) => &d.gates,
            Section::Drift(d) => &d.checks,
            Section::Compare(c) => &c.checks,
        }
    }

    /// Why the part could not be computed, if it could not.
    pub fn error(&self) -> Option<&'a str> {
        match self.section {
            Section::Bench(b) => b.error(),
            Section::Source(s) => s.error.as_deref(),
            Section::Diff(d) => d.error.as_deref(),
            Section::Drift(d) => d.error.as_deref(),
            // A comparison's errors belong to its environments and are
            // checks of their own.
            Section::Compare(_) => None,
        }
    }

    /// Seconds the part took: for a source, loading plus every query.
    pub fn seconds(&self) -> f64 {
        match self.section {
            Section::Bench(b) => b.seconds(),
            Section::Source(s) => s.load_seconds + s.scans.iter().map(|x| x.seconds).sum::<f64>(),
            Section::Diff(d) => d.timings.seconds,
            Section::Drift(d) => d.seconds,
            Section::Compare(c) => c.seconds,
        }
    }

    /// The kind as one word: `bench`, `source`, `diff`, `drift`, `compare`.
    pub fn kind(&self) -> &'static str {
        match self.section {
            Section::Bench(_) => "bench",
            Section::Source(_) => "source",
            Section::Diff(_) => "diff",
            Section::Drift(_) => "drift",
            Section::Compare(_) => "compare",
        }
    }

    /// A stable identifier, unique in the report: `s0-src1`, `s1-diff`.
    pub fn anchor(&self) -> String {
        let (s, j) = (self.suite_index, self.index);
        match self.section {
            Section::Bench(_) => format!("s{s}-bench"),
            Section::Source(_) => format!("s{s}-src{j}"),
            Section::Diff(_) if j == 0 => format!("s{s}-diff"),
            Section::Diff(_) => format!("s{s}-diff{j}"),
            Section::Drift(_) => format!("s{s}-drift{j}"),
            Section::Compare(_) => format!("s{s}-compare"),
        }
    }
}

impl SuiteReport {
    /// The suite's parts in run order: the bench (its models' outputs may
    /// be the diff's sources), the sources, the diff, the drifts, the
    /// comparison and, with `key:`, its row diffs.
    pub fn parts(&self, suite_index: usize) -> Vec<Part<'_>> {
        let mut out = Vec::new();
        let mut push = |index, section| {
            out.push(Part {
                suite: self,
                suite_index,
                index,
                section,
            })
        };
        if let Some(b) = &self.bench {
            push(0, Section::Bench(b));
        }
        for (j, s) in self.sources.iter().enumerate() {
            push(j, Section::Source(s));
        }
        if let Some(d) = &self.diff {
            push(0, Section::Diff(d));
        }
        for (j, d) in self.drift.iter().enumerate() {
            push(j, Section::Drift(d));
        }
        if let Some(c) = &self.compare {
            push(0, Section::Compare(c));
            // The row diffs of a keyed comparison are diffs of the run:
            // their checks count and every format shows them.
            let first = usize::from(self.diff.is_some());
            for (j, d) in c.diffs.iter().enumerate() {
                push(first + j, Section::Diff(d));
            }
        }
        out
    }

    /// Every check of the suite, part by part.
    pub fn all_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.parts(0).into_iter().flat_map(|p| p.checks())
    }
}

/// A check that did not pass, with the part it belongs to and its position
/// among that part's checks.
#[derive(Debug, Clone, Copy)]
pub struct Problem<'a> {
    pub part: Part<'a>,
    pub position: usize,
    pub check: &'a CheckResult,
}

impl Problem<'_> {
    /// Where the check's row is: `s0-src1-c3`.
    pub fn anchor(&self) -> String {
        format!("{}-c{}", self.part.anchor(), self.position)
    }
}

impl Report {
    /// Every part of every suite, suite by suite.
    pub fn parts(&self) -> Vec<Part<'_>> {
        self.suites
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.parts(i))
            .collect()
    }

    /// The checks that did not pass, worst first ([`rank`]), in report
    /// order within a rank.
    pub fn problems(&self) -> Vec<Problem<'_>> {
        let mut out: Vec<Problem> = self
            .parts()
            .into_iter()
            .flat_map(|part| {
                part.checks()
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.status != Status::Pass)
                    .map(move |(position, check)| Problem {
                        part,
                        position,
                        check,
                    })
            })
            .collect();
        out.sort_by_key(|p| rank(p.check));
        out
    }
}

/// How bad a check's outcome is, worst first: a failed gate, a check that
/// could not be evaluated, a failed warning, a pass. The one order every
/// format lists checks in.
pub fn rank(c: &CheckResult) -> u8 {
    rank_of(c.status, c.severity)
}

/// [`rank`] of an outcome that is not a check (an unreadable source is
/// ranked as a check that could not be evaluated).
pub fn rank_of(status: Status, severity: Severity) -> u8 {
    match (status, severity) {
        (Status::Fail, Severity::Error) => 0,
        (Status::Error, _) => 1,
        (Status::Fail, Severity::Warn) => 2,
        (Status::Pass, _) => 3,
    }
}

/// `checks` worst first, suite order within a rank, each with its position.
pub fn ranked(checks: &[CheckResult]) -> Vec<(usize, &CheckResult)> {
    let mut order: Vec<(usize, &CheckResult)> = checks.iter().enumerate().collect();
    order.sort_by_key(|(_, c)| rank(c));
    order
}
