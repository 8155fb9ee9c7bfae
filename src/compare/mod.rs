//! `compare:`: the same logical table in several environments (prod,
//! preprod, dev; files or databases), held to the first one. Each
//! environment answers one aggregate query — row count, and per column its
//! null count and, by type, sum/avg/min/max (numbers), min/max and distinct
//! count (strings, dates, times) or the count of `true` (booleans). The
//! metrics and their expressions are `crate::metric`'s, as for checks: NaN
//! is skipped by float sums, means, minima and maxima, and integer sums are
//! exact. For a database the query runs inside the database
//! (`crate::database`), so only one row per environment travels. Every
//! aggregate is one row of the report with each environment's value and its
//! difference from the reference; the rows outside tolerance fail.
//!
//! With `key:`, an environment whose aggregates disagree with the
//! reference's is then diffed row by row with the diff engine: the cheap
//! aggregates decide whether the expensive join is needed at all.

mod report;
mod rows;

use std::time::Instant;

use datafusion::arrow::datatypes::Schema;
use datafusion::prelude::SessionContext;

pub use report::*;
use rows::{compare_row, error_check, missing_row, row_check, row_name, schema_check};

use crate::check::{CheckResult, Status};
use crate::diff;
use crate::metric::exec::{self, Pushed};
use crate::metric::{Family, Metric, Value};
use crate::spec::{CompareSpec, DiffSpec, DuplicateKeys, Tolerance};
use crate::types;

/// One aggregate's value in one environment, or why it could not be
/// computed there.
type Measure = Result<Option<Value>, String>;

/// The values one environment's aggregate returned, by (column, metric).
struct Measured {
    rows: u64,
    values: Vec<((String, &'static str), Measure)>,
    seconds: f64,
    pushed_down: Vec<Pushed>,
}

impl Measured {
    fn get(&self, column: &str, metric: &str) -> Measure {
        self.values
            .iter()
            .find(|((c, m), _)| c == column && *m == metric)
            .map_or(Ok(None), |(_, v)| v.clone())
    }
}

pub async fn run(ctx: &SessionContext, spec: &CompareSpec, envs: &[Env]) -> CompareReport {
    let started = Instant::now();
    let mut report = CompareReport::empty(spec, envs);
    let schemas: Vec<&Schema> = match envs.iter().map(|e| e.schema.as_deref()).collect() {
        Ok(s) => s,
        Err(_) => {
            let why = failures(envs, envs.iter().map(|e| e.schema.as_ref().err()));
            return stopped(report, spec, format!("cannot compare: {why}"), started);
        }
    };
    report.schema_differences = schema_differences(&schemas);
    report
        .checks
        .push(schema_check(envs, &report.schema_differences));
    let columns = columns(spec, &schemas);

    // One aggregate query per environment, all at once: environments are
    // separate databases (or files), and each waits on its own server.
    let measured: Vec<Result<Measured, String>> = futures::future::join_all(
        envs.iter()
            .zip(&schemas)
            .map(|(env, schema)| measure(ctx, env, schema, &columns)),
    )
    .await;
    for (r, m) in report.environments.iter_mut().zip(&measured) {
        match m {
            Ok(m) => {
                r.rows = Some(m.rows);
                r.seconds = m.seconds;
                r.pushed_down = m.pushed_down.clone();
            }
            Err(e) => r.error = Some(e.clone()),
        }
    }
    if measured.iter().any(Result::is_err) {
        let why = failures(envs, measured.iter().map(|m| m.as_ref().err()));
        return stopped(report, spec, format!("cannot aggregate: {why}"), started);
    }
    let measured: Vec<Measured> = measured.into_iter().map(|m| m.expect("checked")).collect();

    // The row count, then each column's aggregates.
    let row_counts = measured
        .iter()
        .map(|m| Some(Value::Int(m.rows as i128)))
        .collect();
    report.rows.push(compare_row(
        None,
        "row_count",
        Family::Number,
        row_counts,
        Vec::new(),
        spec.tolerance,
    ));
    for name in &columns {
        let families: Vec<Option<Family>> = schemas
            .iter()
            .map(|s| {
                s.field_with_name(name)
                    .ok()
                    .map(|f| Family::of(f.data_type()))
            })
            .collect();
        let Some(family) = families[0].filter(|_| families.iter().all(Option::is_some)) else {
            report.rows.push(missing_row(name, envs, &families));
            continue;
        };
        let estimated: Vec<bool> = envs
            .iter()
            .map(|e| Metric::distinct_is_estimate(e.dialect))
            .collect();
        for (metric, _) in family.summary(name) {
            let measures: Vec<Measure> = measured.iter().map(|m| m.get(name, metric)).collect();
            let values = measures.iter().map(|v| v.clone().unwrap_or(None)).collect();
            let mut row = compare_row(
                Some(name),
                metric,
                family,
                values,
                if metric == "distinct" {
                    estimated.clone()
                } else {
                    Vec::new()
                },
                spec.tolerance_of(name),
            );
            let unmeasured: Vec<String> = envs
                .iter()
                .zip(&measures)
                .filter_map(|(e, v)| v.as_ref().err().map(|why| format!("`{}`: {why}", e.name)))
                .collect();
            if metric != "null_count" {
                if let Some(k) = families.iter().flatten().find(|k| **k != family) {
                    row.status = Status::Error;
                    row.error = Some(format!(
                        "`{name}` is {} in `{}` but {} elsewhere; only its null count compares",
                        family.name(),
                        envs[0].name,
                        k.name()
                    ));
                }
            }
            if row.error.is_none() && !unmeasured.is_empty() {
                row.status = Status::Error;
                row.error = Some(format!("not computed in {}", unmeasured.join("; ")));
            }
            report.rows.push(row);
        }
    }
    report
        .checks
        .extend(report.rows.iter().filter_map(|r| row_check(spec, envs, r)));

    // Row diffs where the aggregates disagree.
    if !spec.key.is_empty() {
        for (i, env) in envs.iter().enumerate().skip(1) {
            let disagrees = report
                .rows
                .iter()
                .any(|r| r.differs.get(i).copied().unwrap_or(false));
            if disagrees {
                let diff_spec = row_diff_spec(spec, &envs[0].name, &env.name, &columns, schemas[0]);
                let side = |k: usize| diff::Side {
                    schema: schemas[k],
                    dialect: envs[k].dialect,
                };
                report
                    .diffs
                    .push(diff::run(ctx, &diff_spec, side(0), side(i), None).await);
            }
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

/// `` `dev`: why; `qa`: why `` for the environments that failed.
fn failures<'a>(envs: &[Env], errors: impl Iterator<Item = Option<&'a String>>) -> String {
    envs.iter()
        .zip(errors)
        .filter_map(|(e, m)| m.map(|m| format!("`{}`: {m}", e.name)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The report of a comparison that stopped: one error check says why.
fn stopped(
    mut report: CompareReport,
    spec: &CompareSpec,
    why: String,
    started: Instant,
) -> CompareReport {
    report.checks.push(error_check(spec, why));
    report.seconds = started.elapsed().as_secs_f64();
    report
}

impl CompareReport {
    /// Each compared aggregate that is gated, with its check (estimates
    /// are shown but not gated, so they have none).
    pub fn gated_rows(&self) -> impl Iterator<Item = (&CompareRow, &CheckResult)> {
        self.rows.iter().filter_map(|r| {
            let name = row_name(r);
            self.checks.iter().find(|c| c.name == name).map(|c| (r, c))
        })
    }

    /// The environments as named, before anything was measured.
    fn empty(spec: &CompareSpec, envs: &[Env]) -> CompareReport {
        CompareReport {
            environments: envs
                .iter()
                .map(|e| EnvReport {
                    name: e.name.clone(),
                    path: e.path.clone(),
                    rows: None,
                    seconds: 0.0,
                    error: e.schema.as_ref().err().cloned(),
                    pushed_down: Vec::new(),
                })
                .collect(),
            schema_differences: Vec::new(),
            rows: Vec::new(),
            checks: Vec::new(),
            diffs: Vec::new(),
            tolerance: spec.tolerance.into(),
            seconds: 0.0,
        }
    }
}

/// The report of a comparison that broke before it could finish.
pub fn broken(spec: &CompareSpec, envs: &[Env], why: String) -> CompareReport {
    let mut report = CompareReport::empty(spec, envs);
    report.checks.push(error_check(spec, why));
    report
}

/// The compared columns: the listed ones, or every column all environments
/// have, in the reference's order.
fn columns(spec: &CompareSpec, schemas: &[&Schema]) -> Vec<String> {
    match &spec.columns {
        Some(cols) => cols.iter().map(|c| c.name.clone()).collect(),
        None => schemas[0]
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| schemas.iter().all(|s| s.field_with_name(n).is_ok()))
            .collect(),
    }
}

fn schema_differences(schemas: &[&Schema]) -> Vec<SchemaDifference> {
    let mut names: Vec<String> = Vec::new();
    for s in schemas {
        for f in s.fields() {
            if !names.contains(f.name()) {
                names.push(f.name().clone());
            }
        }
    }
    names
        .into_iter()
        .filter_map(|n| {
            let types: Vec<Option<String>> = schemas
                .iter()
                .map(|s| {
                    s.field_with_name(&n)
                        .ok()
                        .map(|f| types::display_type(f.data_type()))
                })
                .collect();
            let same = types.iter().all(|t| t.is_some() && *t == types[0]);
            (!same).then_some(SchemaDifference { column: n, types })
        })
        .collect()
}

/// The aggregate of one environment, in one query: the row count and each
/// compared column's summary metrics (`Family::summary`).
async fn measure(
    ctx: &SessionContext,
    env: &Env,
    schema: &Schema,
    columns: &[String],
) -> Result<Measured, String> {
    let started = Instant::now();
    let mut slots: Vec<((String, &'static str), Metric)> = Vec::new();
    for name in columns {
        let Ok(field) = schema.field_with_name(name) else {
            continue;
        };
        for (metric, m) in Family::of(field.data_type()).summary(name) {
            slots.push(((name.clone(), metric), m));
        }
    }
    let mut metrics = vec![Metric::RowCount];
    for (_, m) in &slots {
        if !metrics.contains(m) {
            metrics.push(m.clone());
        }
    }
    let (values, scans) = exec::aggregate(ctx, &env.name, schema, &metrics, env.dialect).await;
    let values = values?;
    let rows = match values.get(&Metric::RowCount) {
        Some(Ok(Some(Value::Int(n)))) => *n as u64,
        Some(Err(e)) => return Err(e.clone()),
        other => return Err(format!("the row count came back as {other:?}")),
    };
    let values = slots
        .into_iter()
        .map(|(slot, m)| {
            let v = values.get(&m).cloned().unwrap_or(Ok(None));
            // The null count is the rows the non-null count leaves out.
            let v = match (slot.1, v) {
                ("null_count", Ok(Some(Value::Int(n)))) => Ok(Some(Value::Int(rows as i128 - n))),
                (_, v) => v,
            };
            (slot, v)
        })
        .collect();
    Ok(Measured {
        rows,
        values,
        seconds: started.elapsed().as_secs_f64(),
        pushed_down: scans.into_iter().flat_map(|s| s.pushed_down).collect(),
    })
}

/// The diff of one environment against the reference, keyed, over the
/// compared columns, with the comparison's tolerances.
fn row_diff_spec(
    spec: &CompareSpec,
    reference: &str,
    env: &str,
    columns: &[String],
    schema: &Schema,
) -> DiffSpec {
    // Tolerances apply to numbers; every other column compares exactly.
    let numeric = |c: &str| {
        schema
            .field_with_name(c)
            .is_ok_and(|f| types::is_numeric(f.data_type()))
    };
    let cols = columns
        .iter()
        .filter(|c| !spec.key.contains(c))
        .map(|c| crate::spec::ColumnSpec {
            name: c.clone(),
            tolerance: numeric(c).then(|| spec.tolerance_of(c)),
            gates: Vec::new(),
            pos: spec.pos,
        })
        .collect();
    DiffSpec {
        baseline: reference.to_string(),
        candidate: env.to_string(),
        key: spec.key.clone(),
        columns: Some(cols),
        overrides: Vec::new(),
        ignore: Vec::new(),
        tolerance: Tolerance::default(),
        duplicates: DuplicateKeys::Error,
        top: spec.top,
        gates: Vec::new(),
        truth: None,
        quality: Vec::new(),
        slices: None,
        pos: spec.pos,
    }
}
