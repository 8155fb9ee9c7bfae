//! Run history: `--history DIR` appends one Parquet file per run holding a
//! row per observed number (each check's observed value, each drift
//! column's statistics, each source's row count), so scheduled runs can be
//! compared with their own past (`change_vs: history`) and any Parquet
//! reader can chart them. Files are written under a hidden temporary name
//! and renamed into place, so a killed run leaves no partial file that a
//! reader would pick up. The layout is documented in docs/history.md.

pub mod show;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use datafusion::arrow::array::{
    Array, AsArray, Float64Array, Int32Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema, TimeUnit};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::ArrowWriter;

use crate::check::{CheckResult, Status};
use crate::metric::Value;
use crate::report::Report;

/// The layout version this verdict writes and reads.
pub const SCHEMA_VERSION: i32 = 1;

/// One observed number of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub run_id: String,
    /// Microseconds since the epoch, UTC.
    pub time_us: i64,
    pub suite: String,
    pub source: String,
    /// The check's name (`price.mean`), or `rows` for a row count.
    pub check: String,
    pub column: Option<String>,
    /// What the number is: the check keyword (`mean`), `psi`, `row_count`…
    pub metric: String,
    pub value: f64,
    pub status: String,
}

pub fn schema() -> Arc<Schema> {
    let s = |n: &str| Field::new(n, DataType::Utf8, false);
    Arc::new(Schema::new(vec![
        Field::new("schema_version", DataType::Int32, false),
        s("run_id"),
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        s("suite"),
        s("source"),
        s("check"),
        Field::new("column", DataType::Utf8, true),
        s("metric"),
        Field::new("value", DataType::Float64, false),
        s("status"),
    ]))
}

fn numeric(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) if f.is_finite() => Some(*f),
        Value::Decimal(u, s) => Some(*u as f64 / 10f64.powi(i32::from(*s))),
        Value::Time(t) | Value::Date(t) => Some(*t as f64),
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

/// The rows a report contributes to the history.
pub fn rows_of(r: &Report, run_id: &str, time_us: i64) -> Vec<Row> {
    let mut out = Vec::new();
    let row = |suite: &str,
               source: &str,
               check: &str,
               column: Option<&str>,
               metric: &str,
               value: f64,
               status: &str| Row {
        run_id: run_id.to_string(),
        time_us,
        suite: suite.to_string(),
        source: source.to_string(),
        check: check.to_string(),
        column: column.map(str::to_string),
        metric: metric.to_string(),
        value,
        status: status.to_string(),
    };
    for s in &r.suites {
        let checks = |source: &str, checks: &[CheckResult], out: &mut Vec<Row>| {
            for c in checks {
                if let Some(v) = c.observed.as_ref().and_then(numeric) {
                    out.push(row(
                        &s.file,
                        source,
                        &c.name,
                        c.column.as_deref(),
                        c.check,
                        v,
                        status_word(c),
                    ));
                }
            }
        };
        for src in &s.sources {
            if let Some(n) = src.rows {
                out.push(row(
                    &s.file,
                    &src.name,
                    "rows",
                    None,
                    "row_count",
                    n as f64,
                    "pass",
                ));
            }
            checks(&src.name, &src.checks, &mut out);
        }
        if let Some(d) = &s.diff {
            checks("diff", &d.gates, &mut out);
        }
        if let Some(b) = &s.bench {
            checks("bench", &b.gates, &mut out);
        }
        for d in &s.drift {
            for (c, col) in d.checks.iter().zip(&d.columns) {
                let st = status_word(c);
                let stats = [
                    ("psi", col.psi),
                    ("js", col.js),
                    ("ks_statistic", col.ks.as_ref().map(|k| k.statistic)),
                    ("ks_p_value", col.ks.as_ref().map(|k| k.p_value)),
                    ("chi_square", col.chi_square.as_ref().map(|k| k.statistic)),
                    (
                        "chi_square_p_value",
                        col.chi_square.as_ref().map(|k| k.p_value),
                    ),
                ];
                for (metric, v) in stats {
                    if let Some(v) = v.filter(|v| v.is_finite()) {
                        out.push(row(
                            &s.file,
                            &d.source,
                            &c.name,
                            Some(&col.column),
                            metric,
                            v,
                            st,
                        ));
                    }
                }
            }
        }
    }
    out
}

fn batch(rows: &[Row]) -> RecordBatch {
    let strings = |f: &dyn Fn(&Row) -> &str| -> Arc<dyn Array> {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
    };
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int32Array::from(vec![SCHEMA_VERSION; rows.len()])),
            strings(&|r| &r.run_id),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(rows.iter().map(|r| r.time_us))
                    .with_timezone("UTC"),
            ),
            strings(&|r| &r.suite),
            strings(&|r| &r.source),
            strings(&|r| &r.check),
            Arc::new(StringArray::from_iter(
                rows.iter().map(|r| r.column.as_deref()),
            )),
            strings(&|r| &r.metric),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.value))),
            strings(&|r| &r.status),
        ],
    )
    .expect("columns match the history schema")
}

/// Appends one run to `dir` (created if missing); returns the file written.
pub fn append(dir: &Path, run_id: &str, time_us: i64, rows: &[Row]) -> Result<PathBuf, String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        format!("cannot {what} the history in {}: {e}", dir.display())
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("create", &e))?;
    let name = format!(
        "{}-{run_id}.parquet",
        crate::spec::time::format_nanos(time_us * 1000).replace(':', "")
    );
    let target = dir.join(name);
    let tmp = tempfile::Builder::new()
        .prefix(".verdict-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail("write", &e))?;
    let file = tmp.reopen().map_err(|e| fail("write", &e))?;
    let mut w = ArrowWriter::try_new(file, schema(), None).map_err(|e| fail("write", &e))?;
    w.write(&batch(rows)).map_err(|e| fail("write", &e))?;
    w.close().map_err(|e| fail("write", &e))?;
    tmp.as_file().sync_all().map_err(|e| fail("write", &e))?;
    tmp.persist(&target).map_err(|e| fail("write", &e.error))?;
    Ok(target)
}

/// Every row of every run in `dir`, oldest first. Hidden files (runs being
/// written) are skipped; a file of a newer layout is an error naming it.
pub fn read(dir: &Path) -> Result<Vec<Row>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the history in {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "parquet")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for f in files {
        read_file(&f, &mut rows)?;
    }
    rows.sort_by(|a, b| {
        a.time_us
            .cmp(&b.time_us)
            .then_with(|| a.run_id.cmp(&b.run_id))
    });
    Ok(rows)
}

fn read_file(path: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
    let bad =
        |e: &dyn std::fmt::Display| format!("cannot read history file {}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| bad(&e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| bad(&e))?
        .build()
        .map_err(|e| bad(&e))?;
    for b in reader {
        let b = b.map_err(|e| bad(&e))?;
        let col = |name: &str| {
            b.column_by_name(name)
                .ok_or_else(|| bad(&format!("no column `{name}`")))
        };
        let version = col("schema_version")?
            .as_primitive_opt::<Int32Type>()
            .ok_or_else(|| bad(&"`schema_version` is not int32"))?;
        if let Some(v) = version.iter().flatten().find(|v| *v != SCHEMA_VERSION) {
            return Err(format!(
                "history file {} has layout version {v}; this verdict reads version {SCHEMA_VERSION} (written by a {} verdict)",
                path.display(),
                if v > SCHEMA_VERSION { "newer" } else { "older" }
            ));
        }
        let text = |name: &str| -> Result<&StringArray, String> {
            col(name)?
                .as_string_opt::<i32>()
                .ok_or_else(|| bad(&format!("`{name}` is not a string column")))
        };
        let (run, suite, source, check, column, metric, status) = (
            text("run_id")?,
            text("suite")?,
            text("source")?,
            text("check")?,
            text("column")?,
            text("metric")?,
            text("status")?,
        );
        let time = col("time")?
            .as_primitive_opt::<datafusion::arrow::datatypes::TimestampMicrosecondType>()
            .ok_or_else(|| bad(&"`time` is not a microsecond timestamp"))?;
        let value = col("value")?
            .as_primitive_opt::<datafusion::arrow::datatypes::Float64Type>()
            .ok_or_else(|| bad(&"`value` is not float64"))?;
        for i in 0..b.num_rows() {
            rows.push(Row {
                run_id: run.value(i).to_string(),
                time_us: time.value(i),
                suite: suite.value(i).to_string(),
                source: source.value(i).to_string(),
                check: check.value(i).to_string(),
                column: (!column.is_null(i)).then(|| column.value(i).to_string()),
                metric: metric.value(i).to_string(),
                value: value.value(i),
                status: status.value(i).to_string(),
            });
        }
    }
    Ok(())
}

/// What a run added to the history, as the JSON report records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recorded {
    pub run_id: String,
    /// The file written, or None when writing failed.
    pub file: Option<String>,
    pub rows: usize,
    pub error: Option<String>,
}

/// The past runs for `change_vs: history`: none yet when the directory does
/// not exist (the first run creates it).
pub fn past(dir: &Path) -> Result<Arc<Vec<Row>>, String> {
    if !dir.exists() {
        return Ok(Arc::new(Vec::new()));
    }
    read(dir).map(Arc::new)
}

/// A run id unique enough to tell runs apart: the instant and the process.
fn run_id(now: DateTime<Utc>) -> String {
    let nanos = now.timestamp_nanos_opt().unwrap_or(0) as u64;
    format!(
        "{:016x}",
        nanos.rotate_left(17) ^ u64::from(std::process::id())
    )
}

/// Appends the report's rows to `dir` and records the outcome in the
/// report. A history that cannot be written breaks a run that would have
/// passed (exit 3): a monitor that silently stops recording is worse than
/// one that fails.
pub fn record(dir: &Path, report: &mut Report, now: DateTime<Utc>) {
    let id = run_id(now);
    let time_us = now.timestamp_micros();
    let rows = rows_of(report, &id, time_us);
    let outcome = match append(dir, &id, time_us, &rows) {
        Ok(file) => Recorded {
            run_id: id,
            file: Some(file.display().to_string()),
            rows: rows.len(),
            error: None,
        },
        Err(e) => {
            eprintln!("error: {e}");
            if report.exit_code == crate::report::exit::PASS {
                report.exit_code = crate::report::exit::BROKEN;
                report.verdict = crate::report::Verdict::Error;
            }
            Recorded {
                run_id: id,
                file: None,
                rows: 0,
                error: Some(e),
            }
        }
    };
    report.history = Some(outcome);
}
