//! `compare:`: the same logical table in several environments (prod,
//! preprod, dev; files or databases), held to the first one. Each
//! environment answers one aggregate query — row count, and per column its
//! null count and, by type, sum/avg/min/max (numbers), min/max and distinct
//! count (strings, dates, times) or the count of `true` (booleans). For a
//! database the query runs inside the database (`crate::database`), so
//! only one row per environment travels. Every aggregate is one row of the
//! report with each environment's value and its difference from the
//! reference; the rows outside tolerance fail.
//!
//! With `key:`, an environment whose aggregates disagree with the
//! reference's is then diffed row by row with the diff engine: the cheap
//! aggregates decide whether the expensive join is needed at all.

use std::time::Instant;

use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn::{
    approx_distinct, avg, count, count_distinct, max, min, sum,
};
use datafusion::logical_expr::{cast, when, Expr};
use datafusion::prelude::{ident, lit, SessionContext};
use serde::Serialize;

use crate::check::{CheckResult, Status};
use crate::diff::{self, DiffReport};
use crate::metric::exec::message;
use crate::metric::value::fmt_float;
use crate::metric::Value;
use crate::spec::{CompareSpec, DiffSpec, DuplicateKeys, Severity, Tolerance};
use crate::types;

/// One environment as the comparison saw it.
#[derive(Debug, Clone)]
pub struct Env {
    pub name: String,
    pub path: String,
    /// The schema, or why the source could not be read.
    pub schema: Result<SchemaRef, String>,
    /// The database the source lives in; its distinct counts are exact
    /// (`count(DISTINCT)`), a file's are HyperLogLog estimates.
    pub engine: Option<crate::database::Engine>,
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
/// before the report marks it.
pub const APPROXIMATE_SLACK: f64 = 0.03;

/// What a column's type lets us aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    /// Strings, dates and times: min, max, distinct count.
    Ordered,
    Boolean,
    /// Lists, structs, binary: null count only.
    Other,
}

impl Kind {
    fn of(dt: &DataType) -> Kind {
        if types::is_numeric(dt) {
            Kind::Number
        } else if types::is_string(dt) || types::is_temporal(dt) {
            Kind::Ordered
        } else if *dt == DataType::Boolean {
            Kind::Boolean
        } else {
            Kind::Other
        }
    }

    fn metrics(self) -> &'static [&'static str] {
        match self {
            Kind::Number => &["null_count", "sum", "avg", "min", "max"],
            Kind::Ordered => &["null_count", "min", "max", "distinct"],
            Kind::Boolean => &["null_count", "true_count"],
            Kind::Other => &["null_count"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Number => "numeric",
            Kind::Ordered => "string/temporal",
            Kind::Boolean => "boolean",
            Kind::Other => "nested or binary",
        }
    }
}

/// Metrics compared as numbers, within tolerance.
fn numeric_metric(metric: &str, kind: Kind) -> bool {
    match metric {
        "row_count" | "null_count" | "true_count" | "distinct" => true,
        "sum" | "avg" => true,
        "min" | "max" => kind == Kind::Number,
        _ => false,
    }
}

/// The values one environment's aggregate returned, by (column, metric).
struct Measured {
    rows: u64,
    values: Vec<((String, &'static str), Option<Value>)>,
    seconds: f64,
    pushed_down: Vec<crate::metric::exec::Pushed>,
}

impl Measured {
    fn get(&self, column: &str, metric: &str) -> Option<&Option<Value>> {
        self.values
            .iter()
            .find(|((c, m), _)| c == column && *m == metric)
            .map(|(_, v)| v)
    }
}

pub async fn run(ctx: &SessionContext, spec: &CompareSpec, envs: &[Env]) -> CompareReport {
    let started = Instant::now();
    let mut report = CompareReport::empty(spec, envs);
    let schemas: Vec<&Schema> = match envs.iter().map(|e| e.schema.as_deref()).collect() {
        Ok(s) => s,
        Err(_) => {
            let broken: Vec<String> = envs
                .iter()
                .filter_map(|e| {
                    e.schema
                        .as_ref()
                        .err()
                        .map(|m| format!("`{}`: {m}", e.name))
                })
                .collect();
            report.checks.push(error_check(
                spec,
                format!("cannot compare: {}", broken.join("; ")),
            ));
            report.seconds = started.elapsed().as_secs_f64();
            return report;
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
        let broken: Vec<String> = envs
            .iter()
            .zip(&measured)
            .filter_map(|(e, m)| m.as_ref().err().map(|m| format!("`{}`: {m}", e.name)))
            .collect();
        report.checks.push(error_check(
            spec,
            format!("cannot aggregate: {}", broken.join("; ")),
        ));
        report.seconds = started.elapsed().as_secs_f64();
        return report;
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
        Kind::Number,
        row_counts,
        false,
        spec.tolerance,
    ));
    for name in &columns {
        let kinds: Vec<Option<Kind>> = schemas
            .iter()
            .map(|s| {
                s.field_with_name(name)
                    .ok()
                    .map(|f| Kind::of(f.data_type()))
            })
            .collect();
        let Some(kind) = kinds[0] else {
            report.rows.push(missing_row(name, envs, &kinds));
            continue;
        };
        if kinds.iter().any(Option::is_none) {
            report.rows.push(missing_row(name, envs, &kinds));
            continue;
        }
        let approximate = envs.iter().any(|e| e.engine.is_none());
        for &metric in kind.metrics() {
            let values: Vec<Option<Value>> = measured
                .iter()
                .map(|m| m.get(name, metric).cloned().flatten())
                .collect();
            let mut row = compare_row(
                Some(name),
                metric,
                kind,
                values,
                metric == "distinct" && approximate,
                spec.tolerance_of(name),
            );
            if metric != "null_count" {
                if let Some(k) = kinds.iter().flatten().find(|k| **k != kind) {
                    row.status = Status::Error;
                    row.error = Some(format!(
                        "`{name}` is {} in `{}` but {} elsewhere; only its null count compares",
                        kind.name(),
                        envs[0].name,
                        k.name()
                    ));
                }
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
                report
                    .diffs
                    .push(diff::run(ctx, &diff_spec, schemas[0], schemas[i], None).await);
            }
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

impl CompareReport {
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

/// The aggregate of one environment, in one query.
async fn measure(
    ctx: &SessionContext,
    env: &Env,
    schema: &Schema,
    columns: &[String],
) -> Result<Measured, String> {
    let started = Instant::now();
    // Every aggregate is aliased: MySQL's federated plans need names.
    let mut exprs: Vec<Expr> = vec![count_all().alias("a0")];
    let mut slots: Vec<(String, &'static str)> = Vec::new();
    for name in columns {
        let Ok(field) = schema.field_with_name(name) else {
            continue;
        };
        let c = || ident(name);
        let kind = Kind::of(field.data_type());
        for &metric in kind.metrics() {
            let e = match metric {
                "null_count" => count(c()),
                "sum" => sum(c()),
                // A database's average of a decimal has more digits than
                // DataFusion's decimal type for it holds: average doubles.
                "avg" if env.engine.is_some() && is_decimal(field.data_type()) => {
                    avg(cast(c(), DataType::Float64))
                }
                "avg" => avg(c()),
                "min" => min(c()),
                "max" => max(c()),
                "distinct" if env.engine.is_some() => count_distinct(c()),
                "distinct" => approx_distinct(c()),
                "true_count" => sum(when(c(), lit(1i64)).otherwise(lit(0i64)).expect("a CASE")),
                _ => unreachable!("metrics of a kind"),
            };
            exprs.push(e.alias(format!("a{}", exprs.len())));
            slots.push((name.clone(), metric));
        }
    }
    let (row, _, pushed_down) = crate::metric::exec::run_row(ctx, &env.name, exprs)
        .await
        .map_err(|e| message(&e))?;
    let scalar = |i: usize| -> Result<&datafusion::scalar::ScalarValue, String> {
        row.get(i)
            .ok_or_else(|| "the aggregate lost a column".to_string())
    };
    let rows = match Value::from_scalar(scalar(0)?)? {
        Some(Value::Int(n)) => n as u64,
        other => return Err(format!("the row count came back as {other:?}")),
    };
    let mut values = Vec::new();
    for (i, slot) in slots.into_iter().enumerate() {
        let mut v = Value::from_scalar(scalar(i + 1)?)?;
        if slot.1 == "null_count" {
            // count(column) counts the non-null values.
            v = match v {
                Some(Value::Int(n)) => Some(Value::Int(rows as i128 - n)),
                other => other,
            };
        }
        values.push((slot, v));
    }
    Ok(Measured {
        rows,
        values,
        seconds: started.elapsed().as_secs_f64(),
        pushed_down,
    })
}

fn is_decimal(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..)
    )
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Date(_) | Value::Time(_) | Value::Str(_) | Value::Bool(_) => None,
        _ => v.as_f64(),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

fn compare_row(
    column: Option<&String>,
    metric: &'static str,
    kind: Kind,
    values: Vec<Option<Value>>,
    approximate: bool,
    tol: Tolerance,
) -> CompareRow {
    let numeric = numeric_metric(metric, kind);
    let reference = values[0].clone();
    let mut deltas = Vec::new();
    let mut differs = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if i == 0 {
            deltas.push(None);
            differs.push(false);
            continue;
        }
        let (delta, out) = match (&reference, v) {
            (None, None) => (None, false),
            (None, Some(_)) | (Some(_), None) => (None, true),
            (Some(r), Some(v)) if numeric => match (number(r), number(v)) {
                (Some(r), Some(x)) => {
                    let d = x - r;
                    let rel = (r != 0.0).then(|| d / r.abs());
                    let out = if r.is_nan() || x.is_nan() {
                        r.is_nan() != x.is_nan()
                    } else {
                        d.abs() > tol.abs + tol.rel * r.abs()
                    };
                    (Some(Delta { abs: d, rel }), out)
                }
                _ => (None, !same(r, v)),
            },
            (Some(r), Some(v)) => (None, !same(r, v)),
        };
        deltas.push(delta);
        differs.push(out);
    }
    // A HyperLogLog estimate (standard error 0.81% with DataFusion's 2^14
    // registers) differs only when it is more than 3% off.
    if approximate {
        for (d, delta) in differs.iter_mut().zip(&deltas) {
            if let Some(Delta { rel: Some(r), .. }) = delta {
                *d = r.abs() > APPROXIMATE_SLACK;
            }
        }
    }
    let status = if differs.iter().any(|d| *d) {
        Status::Fail
    } else {
        Status::Pass
    };
    CompareRow {
        column: column.cloned(),
        metric,
        approximate,
        values,
        deltas,
        differs,
        status,
        tolerance: numeric.then(|| tol.into()),
        error: None,
    }
}

/// A listed column some environment lacks.
fn missing_row(name: &str, envs: &[Env], kinds: &[Option<Kind>]) -> CompareRow {
    let lacking: Vec<String> = envs
        .iter()
        .zip(kinds)
        .filter(|(_, k)| k.is_none())
        .map(|(e, _)| format!("`{}`", e.name))
        .collect();
    CompareRow {
        column: Some(name.to_string()),
        metric: "present",
        approximate: false,
        values: kinds
            .iter()
            .map(|k| Some(Value::Bool(k.is_some())))
            .collect(),
        deltas: vec![None; kinds.len()],
        differs: kinds
            .iter()
            .map(|k| k.is_some() != kinds[0].is_some())
            .collect(),
        status: Status::Fail,
        tolerance: None,
        error: Some(format!(
            "column `{name}` is missing in {}",
            lacking.join(", ")
        )),
    }
}

/// A value as the report shows it.
pub fn show(v: &Option<Value>) -> String {
    match v {
        None => "null".into(),
        Some(v) => v.to_string(),
    }
}

/// `Δ +2 (+0.20%)`.
pub fn show_delta(d: &Delta) -> String {
    let sign = |x: f64| if x > 0.0 { "+" } else { "" };
    let abs = format!("{}{}", sign(d.abs), fmt_float(d.abs));
    match d.rel {
        Some(r) => format!("Δ {abs} ({}{}%)", sign(r), fmt_float(round_sig(r * 100.0))),
        None => format!("Δ {abs}"),
    }
}

fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 3 - x.abs().log10().ceil() as i32;
    let f = 10f64.powi(digits.max(0));
    (x * f).round() / f
}

pub fn tolerance_text(t: &Tolerance) -> String {
    match (t.abs == 0.0, t.rel == 0.0) {
        (true, true) => "equal".into(),
        (false, true) => format!("max_abs {}", fmt_float(t.abs)),
        (true, false) => format!("max_rel {}", fmt_float(t.rel)),
        (false, false) => format!(
            "max_abs {} + max_rel {}",
            fmt_float(t.abs),
            fmt_float(t.rel)
        ),
    }
}

fn row_name(r: &CompareRow) -> String {
    match &r.column {
        Some(c) => format!("compare.{c}.{}", r.metric),
        None => format!("compare.{}", r.metric),
    }
}

/// A compared row as a check: observed is every environment's value.
fn row_check(spec: &CompareSpec, envs: &[Env], r: &CompareRow) -> Option<CheckResult> {
    // An estimate from HyperLogLog against an exact count (or another
    // estimate) differs by the estimator's error: shown, never gated.
    if r.approximate {
        return None;
    }
    let observed_text = envs
        .iter()
        .zip(&r.values)
        .map(|(e, v)| format!("{} {}", e.name, show(v)))
        .collect::<Vec<_>>()
        .join(" · ");
    let expected = match &r.tolerance {
        Some(t) => format!(
            "{} of `{}`",
            match tolerance_text(&Tolerance {
                abs: t.max_abs,
                rel: t.max_rel
            })
            .as_str()
            {
                "equal" => "equal to that".to_string(),
                t => format!("within {t}"),
            },
            envs[0].name
        ),
        None => format!("equal to that of `{}`", envs[0].name),
    };
    let why = if let Some(e) = &r.error {
        Some(e.clone())
    } else if r.status == Status::Fail {
        let parts: Vec<String> = envs
            .iter()
            .enumerate()
            .filter(|(i, _)| r.differs[*i])
            .map(|(i, e)| {
                let d = r.deltas[i].as_ref().map(|d| format!(", {}", show_delta(d)));
                format!(
                    "`{}` has {} against {}{}",
                    e.name,
                    show(&r.values[i]),
                    show(&r.values[0]),
                    d.unwrap_or_default()
                )
            })
            .collect();
        Some(parts.join("; "))
    } else {
        None
    };
    Some(CheckResult {
        name: row_name(r),
        check: "compare",
        column: r.column.clone(),
        severity: spec.severity,
        status: r.status,
        observed: r.values.get(1).cloned().flatten(),
        observed_text,
        expected,
        why,
        diff: None,
        sample: Vec::new(),
    })
}

/// Schema differences warn: a column added in dev is often on purpose, and
/// the aggregates of a listed column that is missing fail by themselves.
fn schema_check(envs: &[Env], diffs: &[SchemaDifference]) -> CheckResult {
    let why = (!diffs.is_empty()).then(|| {
        diffs
            .iter()
            .map(|d| {
                let per: Vec<String> = envs
                    .iter()
                    .zip(&d.types)
                    .map(|(e, t)| format!("{} {}", e.name, t.as_deref().unwrap_or("missing")))
                    .collect();
                format!("`{}`: {}", d.column, per.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    });
    CheckResult {
        name: "compare.schema".into(),
        check: "compare",
        column: None,
        severity: Severity::Warn,
        status: if diffs.is_empty() {
            Status::Pass
        } else {
            Status::Fail
        },
        observed: None,
        observed_text: format!(
            "{} column{} differ{}",
            diffs.len(),
            if diffs.len() == 1 { "" } else { "s" },
            if diffs.len() == 1 { "s" } else { "" }
        ),
        expected: format!("the columns and types of `{}`", envs[0].name),
        why,
        diff: None,
        sample: Vec::new(),
    }
}

fn error_check(spec: &CompareSpec, why: String) -> CheckResult {
    CheckResult {
        name: "compare".into(),
        check: "compare",
        column: None,
        severity: spec.severity,
        status: Status::Error,
        observed: None,
        observed_text: String::new(),
        expected: "every environment readable".into(),
        why: Some(why),
        diff: None,
        sample: Vec::new(),
    }
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
        pos: spec.pos,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_are_held_to_abs_plus_rel_of_the_reference() {
        let tol = Tolerance {
            abs: 0.0,
            rel: 0.01,
        };
        let vals = vec![
            Some(Value::Float(100.0)),
            Some(Value::Float(100.9)),
            Some(Value::Float(98.0)),
        ];
        let r = compare_row(None, "sum", Kind::Number, vals, false, tol);
        assert_eq!(r.differs, vec![false, false, true]);
        assert_eq!(r.status, Status::Fail);
        assert_eq!(show_delta(r.deltas[2].as_ref().unwrap()), "Δ -2 (-2%)");
        let both_null = compare_row(None, "avg", Kind::Number, vec![None, None], false, tol);
        assert_eq!(both_null.status, Status::Pass);
        let one_null = compare_row(
            None,
            "avg",
            Kind::Number,
            vec![Some(Value::Float(1.0)), None],
            false,
            tol,
        );
        assert_eq!(one_null.differs, vec![false, true]);
        let text = compare_row(
            None,
            "max",
            Kind::Ordered,
            vec![Some(Value::Str("b".into())), Some(Value::Str("a".into()))],
            false,
            Tolerance {
                abs: 10.0,
                rel: 1.0,
            },
        );
        assert_eq!(text.differs, vec![false, true]);
        assert!(text.tolerance.is_none());
    }

    #[test]
    fn relative_deltas_keep_three_significant_digits() {
        let d = Delta {
            abs: 2.0,
            rel: Some(0.00123456),
        };
        assert_eq!(show_delta(&d), "Δ +2 (+0.123%)");
        assert_eq!(
            show_delta(&Delta {
                abs: -5.0,
                rel: None
            }),
            "Δ -5"
        );
    }
}
