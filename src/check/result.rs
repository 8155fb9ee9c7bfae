//! A check's result: its status, the observed value beside the
//! expectation, the reason, the offending values.

use serde::Serialize;

use crate::metric::{LitSet, Metric, Value};
use crate::report::format::count;
use crate::spec::{Check, CheckKind, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Could not be evaluated (the reason is in `why`).
    Error,
    Fail,
    Pass,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub name: String,
    pub check: &'static str,
    pub column: Option<String>,
    pub severity: Severity,
    pub status: Status,
    /// The value compared with the expectation (null when there is none).
    pub observed: Option<Value>,
    /// The observation as shown to a person.
    pub observed_text: String,
    pub expected: String,
    pub why: Option<String>,
    /// Expected vs actual schema as a unified diff, for failed contracts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// The most frequent offending values of a failed `in_set` or `regex`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sample: Vec<crate::metric::exec::Sample>,
    /// Where the suite declares the check (line and column); left out
    /// for the checks a section implies (diff, drift, compare, bench gates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<crate::spec::diag::Pos>,
    /// With `--failed-rows`: the file of rows that break the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_rows: Option<FailedRows>,
}

impl CheckResult {
    /// The result of a check written in the suite, passing until judged.
    pub fn new(check: &Check, expected: String) -> CheckResult {
        let mut r = CheckResult::named(
            check.name.clone(),
            check.kind.keyword(),
            check.kind.column(),
            check.severity,
            expected,
        );
        r.at = (check.pos.line > 0).then_some(check.pos);
        r
    }

    /// The result of a check the suite implies rather than writes (a diff
    /// or bench gate, a drifted column, a compared aggregate), passing
    /// until judged.
    pub fn named(
        name: impl Into<String>,
        check: &'static str,
        column: Option<String>,
        severity: Severity,
        expected: impl Into<String>,
    ) -> CheckResult {
        CheckResult {
            name: name.into(),
            check,
            column,
            severity,
            status: Status::Pass,
            observed: None,
            observed_text: String::new(),
            expected: expected.into(),
            why: None,
            diff: None,
            sample: Vec::new(),
            at: None,
            failed_rows: None,
        }
    }

    /// The observed value and how a person reads it.
    pub fn observed(mut self, value: Option<Value>, text: impl Into<String>) -> CheckResult {
        self.observed = value;
        self.observed_text = text.into();
        self
    }

    /// The outcome, with the reason when there is one.
    pub fn judged(mut self, status: Status, why: Option<String>) -> CheckResult {
        self.status = status;
        self.why = why;
        self
    }

    /// The offending values as shown after a failure: `"FRANCE" (1 row),
    /// "x" (3 rows)`; None when there are none.
    pub fn sample_text(&self) -> Option<String> {
        if self.sample.is_empty() {
            return None;
        }
        let shown: Vec<String> = self
            .sample
            .iter()
            .map(|s| format!("{} ({})", s.value, count(s.rows, "row")))
            .collect();
        Some(shown.join(", "))
    }

    pub fn error(mut self, why: impl Into<String>) -> CheckResult {
        self.status = Status::Error;
        self.why = Some(why.into());
        self
    }

    /// The metric whose offending values explain a failure of this check.
    pub fn offending_metric(check: &Check) -> Option<Metric> {
        match &check.kind {
            CheckKind::InSet { column, values } => {
                Some(Metric::NotInSet(column.clone(), LitSet(values.clone())))
            }
            CheckKind::Regex { column, pattern } => {
                Some(Metric::NotMatching(column.clone(), pattern.clone()))
            }
            CheckKind::NotInSet { column, values } => {
                Some(Metric::InSet(column.clone(), LitSet(values.clone())))
            }
            CheckKind::NotRegex { column, pattern } => {
                Some(Metric::Matching(column.clone(), pattern.clone()))
            }
            CheckKind::Length { column, bounds } => Some(Metric::length_outside(column, bounds)),
            CheckKind::Range { column, bounds } => Some(Metric::outside_range(column, bounds)),
            CheckKind::DistinctValues {
                column,
                values,
                relation,
            } if *relation != crate::spec::SetRelation::Contains => {
                Some(Metric::NotInSet(column.clone(), LitSet(values.clone())))
            }
            _ => None,
        }
    }

    /// The label a report shows: a failed `warn` check is a warning.
    pub fn label(&self) -> &'static str {
        match (self.status, self.severity) {
            (Status::Pass, _) => "PASS",
            (Status::Fail, Severity::Error) => "FAIL",
            (Status::Fail, Severity::Warn) => "WARN",
            (Status::Error, _) => "ERROR",
        }
    }
}

/// What was written for one failed check.
#[derive(Debug, Clone, Serialize)]
pub struct FailedRows {
    /// The Parquet file, as the run named it (`DIR/suite/source/check.parquet`).
    pub path: String,
    /// Rows written: at most the limit.
    pub rows: usize,
    pub columns: Vec<String>,
    /// The first rows, as the reports show them (null: a null value).
    pub first: Vec<Vec<Option<Value>>>,
    /// Why the file could not be written, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl FailedRows {
    /// What every report says of the file: `3 rows in out/s/f/x.parquet`,
    /// or why it could not be written.
    pub fn text(&self) -> String {
        match &self.error {
            Some(e) => format!(
                "the failing rows could not be written to {}: {e}",
                self.path
            ),
            None => format!("{} in {}", count(self.rows, "failing row"), self.path),
        }
    }

    /// A value of the first rows as a report cell (`null` for a null).
    pub fn cell(v: &Option<Value>) -> String {
        match v {
            Some(Value::Str(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => "null".into(),
        }
    }
}
