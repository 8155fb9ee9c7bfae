//! Run history: `--history DIR` appends one Parquet file per run holding a
//! row per observed number (each check's observed value, each drift
//! column's statistics, each source's row count), so scheduled runs can be
//! compared with their own past (`change_vs: history`) and any Parquet
//! reader can chart them. Files are written under a hidden temporary name
//! and renamed into place, so a killed run leaves no partial file that a
//! reader would pick up. The layout is documented in docs/history.md.

pub mod show;
pub mod store;

use std::path::Path;

use chrono::{DateTime, Utc};

use crate::check::{CheckResult, Status};
use crate::metric::Value;
pub use crate::report::delivery::Recorded;
use crate::report::{Report, Section};
pub use store::{append, past, read, schema, Error, Row, SCHEMA_VERSION};

fn numeric(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) if f.is_finite() => Some(*f),
        Value::Decimal(u, s) => Some(*u as f64 / 10f64.powi(i32::from(*s))),
        Value::Time(t) => Some(*t as f64),
        Value::Date(t) => Some(*t as f64),
        _ => None,
    }
}

fn status_word(c: &CheckResult) -> &'static str {
    match (c.status, c.severity) {
        (Status::Pass, _) => "pass",
        (Status::Fail, crate::spec::Severity::Error) => "fail",
        (Status::Fail, crate::spec::Severity::Warn) => "warn",
        (Status::Error, _) => "error",
    }
}

/// The rows a report contributes to the history: each check's numeric
/// observed value; for a source also its row count, for a drift each
/// column's statistics, for a comparison each environment's value of each
/// compared aggregate.
pub fn rows_of(r: &Report, run_id: &str, time_us: i64) -> Vec<Row> {
    let mut out = Vec::new();
    for part in r.parts() {
        let mut rows = Rows {
            run_id,
            time_us,
            suite: &part.suite.file,
            out: &mut out,
        };
        match part.section {
            Section::Source(src) => {
                if let Some(n) = src.rows {
                    let n = n as f64;
                    rows.push(&src.name, "rows", None, ("row_count", n), "pass");
                }
                rows.observed(&src.name, part.checks());
            }
            Section::Diff(d) => {
                // A comparison's row diffs are one per environment: each
                // keeps its own series apart from the suite's `diff:`.
                let own = part.suite.diff.as_ref().is_some_and(|s| std::ptr::eq(s, d));
                let source = match own {
                    true => "diff".to_string(),
                    false => format!("diff {}", d.candidate),
                };
                rows.observed(&source, part.checks())
            }
            Section::Bench(_) => rows.observed("bench", part.checks()),
            Section::Drift(d) => {
                for (c, col) in d.checks.iter().zip(&d.columns) {
                    for stat in drift_statistics(col) {
                        rows.push(&d.source, &c.name, Some(&col.column), stat, status_word(c));
                    }
                }
            }
            Section::Compare(c) => {
                for (row, check) in c.gated_rows() {
                    for (env, v) in c.environments.iter().zip(&row.values) {
                        if let Some(v) = v.as_ref().and_then(numeric) {
                            let (column, status) = (row.column.as_deref(), status_word(check));
                            rows.push(&env.name, &check.name, column, (row.metric, v), status);
                        }
                    }
                }
            }
        }
    }
    out
}

/// The rows of one part of one suite, as they are recorded.
struct Rows<'a> {
    run_id: &'a str,
    time_us: i64,
    suite: &'a str,
    out: &'a mut Vec<Row>,
}

impl Rows<'_> {
    /// One number: what it is (`metric`) and its value.
    fn push(
        &mut self,
        source: &str,
        check: &str,
        column: Option<&str>,
        (metric, value): (&str, f64),
        status: &str,
    ) {
        self.out.push(Row {
            run_id: self.run_id.to_string(),
            time_us: self.time_us,
            suite: self.suite.to_string(),
            source: source.to_string(),
            check: check.to_string(),
            column: column.map(str::to_string),
            metric: metric.to_string(),
            value,
            status: status.to_string(),
        });
    }

    /// Each check's observed value that is a number.
    fn observed(&mut self, source: &str, checks: &[CheckResult]) {
        for c in checks {
            if let Some(v) = c.observed.as_ref().and_then(numeric) {
                let status = status_word(c);
                self.push(source, &c.name, c.column.as_deref(), (c.check, v), status);
            }
        }
    }
}

/// A drift column's statistics that are numbers.
fn drift_statistics(col: &crate::drift::ColumnDrift) -> Vec<(&'static str, f64)> {
    [
        ("psi", col.psi),
        ("js", col.js),
        ("ks_statistic", col.ks.as_ref().map(|k| k.statistic)),
        ("ks_p_value", col.ks.as_ref().map(|k| k.p_value)),
        ("chi_square", col.chi_square.as_ref().map(|k| k.statistic)),
        (
            "chi_square_p_value",
            col.chi_square.as_ref().map(|k| k.p_value),
        ),
    ]
    .into_iter()
    .filter_map(|(m, v)| v.filter(|v| v.is_finite()).map(|v| (m, v)))
    .collect()
}

/// A run id unique enough to tell runs apart: the instant and the process.
fn run_id(now: DateTime<Utc>) -> String {
    let nanos = now.timestamp_nanos_opt().unwrap_or(0) as u64;
    format!(
        "{:016x}",
        nanos.rotate_left(17) ^ u64::from(std::process::id())
    )
}

/// Appends the report's rows to `dir` and says what was written, or why
/// nothing was (`Report::record_history` decides what that means for the
/// verdict).
pub fn record(dir: &Path, report: &Report, now: DateTime<Utc>) -> Recorded {
    let id = run_id(now);
    let time_us = now.timestamp_micros();
    let rows = rows_of(report, &id, time_us);
    match append(dir, &id, time_us, &rows) {
        Ok(file) => Recorded {
            run_id: id,
            file: Some(file),
            rows: rows.len(),
            error: None,
        },
        Err(e) => Recorded {
            run_id: id,
            file: None,
            rows: 0,
            error: Some(crate::error::text(&e)),
        },
    }
}
