//! The comparison's part of the report: the environments, the schema
//! differences, one row per aggregate with each environment's value and
//! delta, and the checks.

use datafusion::arrow::datatypes::SchemaRef;
use serde::Serialize;

use crate::check::{CheckResult, Status};
use crate::diff::DiffReport;
use crate::metric::value::shown;
use crate::metric::Value;
use crate::report::format::{delta, fmt_float};
use crate::spec::Tolerance;

/// One environment as the comparison saw it.
#[derive(Debug, Clone)]
pub struct Env {
    pub name: String,
    pub path: String,
    /// The schema, or why the source could not be read.
    pub schema: Result<SchemaRef, String>,
    /// The database the source lives in; its distinct counts are exact
    /// (`count(DISTINCT)`), a file's are HyperLogLog estimates.
    pub dialect: Option<crate::database::dburl::Dialect>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    /// Environment names, the reference first.
    pub environments: Vec<EnvReport>,
    /// Columns whose presence or type differs between environments.
    pub schema_differences: Vec<SchemaDifference>,
    /// One row per aggregate: row count, then per column.
    pub rows: Vec<CompareRow>,
    /// One check per compared aggregate, plus one for the schema.
    pub checks: Vec<CheckResult>,
    /// Row diffs (with `key:`) of environments whose aggregates disagree.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub diffs: Vec<DiffReport>,
    pub tolerance: ToleranceReport,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvReport {
    pub name: String,
    pub path: String,
    pub rows: Option<u64>,
    /// Seconds the environment's aggregate query took.
    pub seconds: f64,
    pub error: Option<String>,
    /// What a database ran for the aggregate and the rows it returned;
    /// empty for files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pushed_down: Vec<crate::metric::exec::Pushed>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct ToleranceReport {
    pub max_abs: f64,
    pub max_rel: f64,
}

impl From<Tolerance> for ToleranceReport {
    fn from(t: Tolerance) -> Self {
        ToleranceReport {
            max_abs: t.abs,
            max_rel: t.rel,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SchemaDifference {
    pub column: String,
    /// The column's type in each environment; null where it is missing.
    pub types: Vec<Option<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    /// None for the row count.
    pub column: Option<String>,
    pub metric: &'static str,
    /// The distinct count is a HyperLogLog estimate in some environment.
    pub approximate: bool,
    /// Per environment, whether its value is such an estimate (only on
    /// approximate rows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub estimated: Vec<bool>,
    /// Each environment's value (null: SQL NULL, or not measured there).
    pub values: Vec<Option<Value>>,
    /// Each environment's difference from the reference; null for the
    /// reference itself and for values that are not numbers.
    pub deltas: Vec<Option<Delta>>,
    /// Per environment: outside tolerance of the reference.
    pub differs: Vec<bool>,
    pub status: Status,
    /// Numbers compare within this tolerance; other values must be equal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<ToleranceReport>,
    /// Why the row could not be compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Delta {
    pub abs: f64,
    /// Relative to the reference's value; null when that is 0.
    pub rel: Option<f64>,
}

/// How far (relative) a distinct-count estimate may be from the reference
/// before the report marks it: its error band. DataFusion's HyperLogLog
/// has 2^14 registers, a standard error of 1.04/128 = 0.81%; 3% is more
/// than three of those.
pub const APPROXIMATE_SLACK: f64 = 0.03;

impl CompareRow {
    /// The metric as tables show it: `distinct ≈` for an estimate.
    pub fn metric_label(&self) -> String {
        if self.approximate {
            format!("{} ≈", self.metric)
        } else {
            self.metric.to_string()
        }
    }

    /// The row's outcome in one word: `ERROR`, `estimate` (never gated),
    /// `FAIL` or `ok`.
    pub fn status_word(&self) -> &'static str {
        match self.status {
            Status::Error => "ERROR",
            _ if self.approximate => "estimate",
            Status::Fail => "FAIL",
            Status::Pass => "ok",
        }
    }

    /// Environment `i`'s value as shown, then `gap` and its difference
    /// from the reference's when there is one.
    pub fn cell(&self, i: usize, gap: &str) -> String {
        match self.cell_parts(i) {
            (value, Some(d)) => format!("{value}{gap}{d}"),
            (value, None) => value,
        }
    }

    /// Environment `i`'s value as shown, and its difference from the
    /// reference's when there is one. An estimate shows its error band in
    /// values (`4053 ± 122`; none below one value, where the estimator
    /// counts exactly), and its difference only beyond the band: within
    /// it, the difference is the estimator's, not the data's.
    pub fn cell_parts(&self, i: usize) -> (String, Option<String>) {
        let d = self.deltas[i]
            .as_ref()
            .filter(|d| d.abs != 0.0)
            .filter(|_| !self.approximate || self.differs[i])
            .map(|d| delta(d.abs, d.rel));
        let value = shown(&self.values[i]);
        let band = match (self.estimated.get(i), &self.values[i]) {
            (Some(true), Some(v)) => v
                .as_f64()
                .map(|x| (x * APPROXIMATE_SLACK).round())
                .filter(|b| *b >= 1.0),
            _ => None,
        };
        match band {
            Some(b) => (format!("{value} ± {}", fmt_float(b)), d),
            None => (value, d),
        }
    }
}
