//! Checks: what each declared check needs computed (`requirements`) and how
//! it judges the computed values (`evaluate`). Evaluation is pure: it reads
//! an [`Observations`] map and never touches data, so every rule is testable
//! with literal values. A missing or undefined value makes the check an
//! `error` with the reason; it never passes.

pub mod baseline;
pub mod change;
pub mod failed_rows;
mod requirements;
mod result;
pub mod schema;
pub mod setting;
pub mod source;

pub use requirements::{column_type, requirements};
pub use result::{CheckResult, Status};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use datafusion::arrow::datatypes::Schema;

use crate::metric::{LitSet, Metric, Value};
use crate::report::format::{fmt_float, plural};
use crate::spec::time::format_nanos;
use crate::spec::{Bound, Bounds, Check, CheckKind, ColumnMetric};

pub use crate::metric::plan::Needs;
pub use crate::metric::Duplicates;

/// Everything computed for one source.
#[derive(Debug, Default)]
pub struct Observations {
    pub metrics: HashMap<Metric, Result<Option<Value>, String>>,
    pub duplicates: HashMap<Vec<String>, Result<Duplicates, String>>,
    /// Keyed by check name.
    pub sql: HashMap<String, Result<Option<Value>, String>>,
    /// Keys missing from the referenced source, keyed by check name.
    pub orphans: HashMap<String, Result<crate::metric::exec::Orphans, String>>,
    /// What `change_vs` checks compare with, keyed by check name.
    pub changes: HashMap<String, Result<change::Baseline, String>>,
}

/// Judges one check against the observations of its source.
pub fn evaluate(
    check: &Check,
    schema: &Schema,
    obs: &Observations,
    now: DateTime<Utc>,
) -> CheckResult {
    let r = CheckResult::new(check, expected_text(check, now));
    if let Err(why) = requirements(check, schema) {
        return r.error(why);
    }
    let judged = match &check.kind {
        CheckKind::Schema(contract) => return schema::evaluate(r, contract, schema, &obs.metrics),
        CheckKind::RowCount(b) => {
            metric(obs, &Metric::RowCount).and_then(|v| bounded(r, v, b, now, "rows"))
        }
        CheckKind::Metric {
            column,
            metric: m,
            bounds,
        } => {
            let boolean = schema
                .field_with_name(column)
                .is_ok_and(|f| f.data_type() == &datafusion::arrow::datatypes::DataType::Boolean);
            column_metric(r, obs, column, *m, bounds, now, boolean)
        }
        CheckKind::NotNull { column } => not_null(r, obs, column, check.mostly),
        CheckKind::Unique { columns } => unique(r, obs, columns),
        CheckKind::InSet { column, values } => violations(
            r,
            obs,
            column,
            &Metric::NotInSet(column.clone(), LitSet(values.clone())),
            "outside the set",
            check.mostly,
        ),
        CheckKind::Regex { column, pattern } => violations(
            r,
            obs,
            column,
            &Metric::NotMatching(column.clone(), pattern.clone()),
            "not matching",
            check.mostly,
        ),
        CheckKind::NotInSet { column, values } => violations(
            r,
            obs,
            column,
            &Metric::InSet(column.clone(), LitSet(values.clone())),
            "in the forbidden set",
            check.mostly,
        ),
        CheckKind::NotRegex { column, pattern } => violations(
            r,
            obs,
            column,
            &Metric::Matching(column.clone(), pattern.clone()),
            "matching the pattern",
            check.mostly,
        ),
        CheckKind::Freshness { column, max_age } => freshness(r, obs, column, *max_age, now),
        CheckKind::Length { column, bounds } if check.mostly.is_some() => violations(
            r,
            obs,
            column,
            &Metric::length_outside(column, bounds),
            "of a length outside the bounds",
            check.mostly,
        ),
        CheckKind::Length { column, bounds } => length(r, obs, column, bounds, now),
        CheckKind::Range { column, bounds } => violations(
            r,
            obs,
            column,
            &Metric::outside_range(column, bounds),
            "outside the range",
            check.mostly,
        ),
        CheckKind::Expression { sql } => expression(r, obs, sql, check.mostly),
        CheckKind::DistinctValues {
            column,
            values,
            relation,
        } => distinct_values(r, obs, column, values, *relation),
        CheckKind::Quantile { column, q, bounds } => {
            let key = Metric::Quantile(column.clone(), q.clone());
            match obs.metrics.get(&key) {
                Some(Ok(None)) => Err(undefined_reason(obs, column, "quantile")),
                _ => metric(obs, &key).and_then(|v| bounded(r, v, bounds, now, "")),
            }
        }
        CheckKind::References { source, to, .. } => references(r, obs, &check.name, source, to),
        CheckKind::Sql { bounds, .. } => match obs.sql.get(&check.name) {
            None => Err("not evaluated".to_string()),
            Some(Err(e)) => Err(e.clone()),
            Some(Ok(None)) => Err("the query returned NULL".to_string()),
            Some(Ok(Some(v))) => bounded(r, v.clone(), bounds, now, ""),
        },
    };
    // A change that cannot be judged keeps its observed value, so the
    // history records it and the next run has something to compare with.
    let judged = match (&check.change, judged) {
        (Some(ch), Ok(r)) => Ok(match obs.changes.get(&check.name) {
            None => r.error("the comparison value was not computed"),
            Some(Err(e)) => r.error(e.clone()),
            Some(Ok(b)) => change::judge(r.clone(), ch, b).unwrap_or_else(|why| r.error(why)),
        }),
        (_, j) => j,
    };
    judged.unwrap_or_else(|why| CheckResult::new(check, expected_text(check, now)).error(why))
}

fn metric(obs: &Observations, m: &Metric) -> Result<Value, String> {
    match obs.metrics.get(m) {
        None => Err(format!("{m} was not computed")),
        Some(Err(e)) => Err(e.clone()),
        Some(Ok(None)) => Err(format!("{m} is undefined")),
        Some(Ok(Some(v))) => Ok(v.clone()),
    }
}

fn count(obs: &Observations, m: &Metric) -> Result<i128, String> {
    match metric(obs, m)? {
        Value::Int(i) => Ok(i),
        other => Err(format!("{m} returned {other}, not a count")),
    }
}

/// Why a value metric of `col` has no value: empty table, all null, all NaN.
fn undefined_reason(obs: &Observations, col: &str, what: &str) -> String {
    let rows = count(obs, &Metric::RowCount).ok();
    let non_null = count(obs, &Metric::NonNullCount(col.to_string())).ok();
    let nan = count(obs, &Metric::NanCount(col.to_string())).ok();
    match (rows, non_null, nan) {
        (Some(0), _, _) => format!("{what} is undefined: the table is empty"),
        (Some(n), Some(0), _) => format!("{what} is undefined: all {n} values of `{col}` are null"),
        (_, Some(nn), Some(nan)) if nn == nan => {
            format!("{what} is undefined: all {nn} non-null values of `{col}` are NaN")
        }
        (_, Some(1), _) if what == "stddev" => {
            format!("{what} is undefined: `{col}` has a single non-null value")
        }
        _ => format!("{what} is undefined for `{col}`"),
    }
}

fn column_metric(
    mut r: CheckResult,
    obs: &Observations,
    col: &str,
    m: ColumnMetric,
    bounds: &Bounds,
    now: DateTime<Utc>,
    boolean: bool,
) -> Result<CheckResult, String> {
    if boolean && matches!(m, ColumnMetric::Mean | ColumnMetric::Sum) {
        let trues = count(obs, &Metric::TrueCount(col.to_string()))?;
        let non_null = count(obs, &Metric::NonNullCount(col.to_string()))?;
        let value = match m {
            ColumnMetric::Sum => {
                r.observed_text = format!("{trues} true");
                Value::Int(trues)
            }
            _ if non_null == 0 => return Err(undefined_reason(obs, col, m.keyword())),
            _ => {
                let rate = trues as f64 / non_null as f64;
                r.observed_text = format!("{} ({trues} of {non_null} true)", Value::Float(rate));
                Value::Float(rate)
            }
        };
        return bounded(r, value, bounds, now, "");
    }
    let rows = count(obs, &Metric::RowCount)?;
    let nulls = || -> Result<i128, String> {
        Ok(rows - count(obs, &Metric::NonNullCount(col.to_string()))?)
    };
    if let ColumnMetric::DistinctCount | ColumnMetric::UniqueRate = m {
        let distinct = count(obs, &Metric::ExactDistinct(col.to_string()))?;
        let non_null = rows - nulls()?;
        let value = match m {
            ColumnMetric::DistinctCount => {
                r.observed_text = format!("{distinct} distinct");
                Value::Int(distinct)
            }
            _ if non_null == 0 => return Err(undefined_reason(obs, col, m.keyword())),
            _ => {
                let rate = distinct as f64 / non_null as f64;
                r.observed_text = format!(
                    "{} ({distinct} distinct of {non_null} non-null)",
                    Value::Float(rate)
                );
                Value::Float(rate)
            }
        };
        return bounded(r, value, bounds, now, "");
    }
    let counted = match m {
        ColumnMetric::NullCount | ColumnMetric::NullRate => Some(nulls()?),
        ColumnMetric::NanRate => Some(count(obs, &Metric::NanCount(col.to_string()))?),
        _ => None,
    };
    let value = match (counted, Metric::value_of(m, col)) {
        (Some(n), _) if !m.is_rate() => Value::Int(n),
        (Some(_), _) if rows == 0 => {
            return Err(format!("{} is undefined: the table is empty", m.keyword()))
        }
        (Some(n), _) => {
            r.observed_text = format!("{} ({n} of {rows})", Value::Float(n as f64 / rows as f64));
            Value::Float(n as f64 / rows as f64)
        }
        (None, Some(key)) => match obs.metrics.get(&key) {
            Some(Ok(None)) => return Err(undefined_reason(obs, col, m.keyword())),
            _ => metric(obs, &key)?,
        },
        (None, None) => return Err(format!("{} was not computed", m.keyword())),
    };
    if let Value::Float(f) = value {
        if f.is_infinite() {
            return Err(format!(
                "{} overflowed the float range ({value})",
                m.keyword()
            ));
        }
    }
    bounded(r, value, bounds, now, "")
}

/// Compares a value with inclusive bounds.
fn bounded(
    mut r: CheckResult,
    v: Value,
    b: &Bounds,
    now: DateTime<Utc>,
    unit: &str,
) -> Result<CheckResult, String> {
    if r.observed_text.is_empty() {
        r.observed_text = if unit.is_empty() {
            v.to_string()
        } else {
            format!("{v} {unit}")
        };
    }
    let (low, high) = outside(&v, &v, b, now)?;
    r.observed = Some(v);
    if low || high {
        r.status = Status::Fail;
        r.why = Some(
            if b.min == b.max && !b.min_open && !b.max_open {
                "not equal to the expected value"
            } else if low && b.min_open {
                "not above the lower bound"
            } else if low {
                "below the minimum"
            } else if b.max_open {
                "not below the upper bound"
            } else {
                "above the maximum"
            }
            .to_string(),
        );
    }
    Ok(r)
}

fn ordering(v: &Value, bound: &Bound, now: DateTime<Utc>) -> Result<std::cmp::Ordering, String> {
    let ord = match bound {
        Bound::Num(n) => v.cmp_number(*n),
        Bound::Time(t) => v.as_nanos().map(|x| x.cmp(&t.resolve(now))),
    };
    ord.ok_or_else(|| format!("cannot compare the observed value {v} with the bound"))
}

/// Whether `lo` is below the minimum and `hi` above the maximum (an open
/// end excludes its value too); a single value passes itself as both.
fn outside(lo: &Value, hi: &Value, b: &Bounds, now: DateTime<Utc>) -> Result<(bool, bool), String> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let low = match &b.min {
        Some(bound) => match ordering(lo, bound, now)? {
            Less => true,
            Equal => b.min_open,
            Greater => false,
        },
        None => false,
    };
    let high = match &b.max {
        Some(bound) => match ordering(hi, bound, now)? {
            Greater => true,
            Equal => b.max_open,
            Less => false,
        },
        None => false,
    };
    Ok((low, high))
}

fn not_null(
    mut r: CheckResult,
    obs: &Observations,
    col: &str,
    mostly: Option<f64>,
) -> Result<CheckResult, String> {
    let rows = count(obs, &Metric::RowCount)?;
    let nulls = rows - count(obs, &Metric::NonNullCount(col.to_string()))?;
    r.observed = Some(Value::Int(nulls));
    r.observed_text = format!("{nulls} null{}", plural(nulls));
    let of = format!("{nulls} of {rows} rows are null");
    judge_share(&mut r, nulls, rows, mostly, of);
    Ok(r)
}

fn unique(mut r: CheckResult, obs: &Observations, cols: &[String]) -> Result<CheckResult, String> {
    let d = match obs.duplicates.get(cols) {
        None => return Err("uniqueness was not computed".into()),
        Some(Err(e)) => return Err(e.clone()),
        Some(Ok(d)) => d,
    };
    r.observed = Some(Value::Int(d.keys as i128));
    r.observed_text = format!("{} duplicated key{}", d.keys, plural(d.keys as i128));
    if d.keys > 0 {
        r.status = Status::Fail;
        r.observed_text.push_str(&format!(" ({} rows)", d.rows));
        r.why = Some(format!(
            "{} rows share {} key value{}{}",
            d.rows,
            d.keys,
            plural(d.keys as i128),
            key_examples(&d.sample)
        ));
    }
    Ok(r)
}

/// ", e.g. 17, 42" or ", e.g. (1, "a")": the smallest duplicated keys.
pub fn key_examples(sample: &[Vec<Value>]) -> String {
    if sample.is_empty() {
        return String::new();
    }
    let keys: Vec<String> = sample
        .iter()
        .map(|k| match k.as_slice() {
            [one] => one.to_string(),
            many => format!(
                "({})",
                many.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect();
    format!(", e.g. {}", keys.join(", "))
}

/// `{a, b, c}`, the first 8 values and how many more.
fn set_text(values: &[crate::spec::Lit]) -> String {
    let shown: Vec<String> = values.iter().take(8).map(|v| v.to_string()).collect();
    let more = if values.len() > 8 {
        format!(", … {} more", values.len() - 8)
    } else {
        String::new()
    };
    format!("{{{}{more}}}", shown.join(", "))
}

fn violations(
    mut r: CheckResult,
    obs: &Observations,
    col: &str,
    m: &Metric,
    what: &str,
    mostly: Option<f64>,
) -> Result<CheckResult, String> {
    let non_null = count(obs, &Metric::NonNullCount(col.to_string()))?;
    if non_null == 0 {
        return Ok(no_values(r));
    }
    let bad = count(obs, m)?;
    r.observed = Some(Value::Int(bad));
    r.observed_text = format!("{bad} {what}");
    let of = format!("{bad} of {non_null} non-null values are {what}");
    judge_share(&mut r, bad, non_null, mostly, of);
    Ok(r)
}

/// Keys the referenced source lacks: every row holding one fails the
/// check; the most frequent are named.
fn references(
    mut r: CheckResult,
    obs: &Observations,
    name: &str,
    source: &str,
    to: &[String],
) -> Result<CheckResult, String> {
    let o = match obs.orphans.get(name) {
        None => return Err("the references were not computed".into()),
        Some(Err(e)) => return Err(e.clone()),
        Some(Ok(o)) => o,
    };
    let rows = o.rows as i128;
    r.observed = Some(Value::Int(rows));
    r.observed_text = format!("{rows} orphan row{}", plural(rows));
    if o.rows > 0 {
        r.status = Status::Fail;
        r.observed_text.push_str(&format!(
            " ({} missing key{})",
            o.keys,
            plural(o.keys as i128)
        ));
        r.why = Some(format!(
            "{rows} row{} hold{} {} key{} missing from {}",
            plural(rows),
            if rows == 1 { "s" } else { "" },
            o.keys,
            plural(o.keys as i128),
            referenced_text(source, to)
        ));
        r.sample = o.sample.clone();
    }
    Ok(r)
}

/// The distinct values against a listed set: values outside it (for
/// `equals` and `within`) and listed values never seen (for `equals` and
/// `contains`).
fn distinct_values(
    mut r: CheckResult,
    obs: &Observations,
    column: &str,
    values: &[crate::spec::Lit],
    relation: crate::spec::SetRelation,
) -> Result<CheckResult, String> {
    use crate::spec::SetRelation;
    let non_null = count(obs, &Metric::NonNullCount(column.to_string()))?;
    let outside = match relation {
        SetRelation::Contains => 0,
        _ if non_null == 0 => 0,
        _ => count(
            obs,
            &Metric::NotInSet(column.to_string(), LitSet(values.to_vec())),
        )?,
    };
    let mut missing = Vec::new();
    if relation != SetRelation::Within {
        for v in values {
            let seen = if non_null == 0 {
                0
            } else {
                count(
                    obs,
                    &Metric::InSet(column.to_string(), LitSet(vec![v.clone()])),
                )?
            };
            if seen == 0 {
                missing.push(v.clone());
            }
        }
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", set_text(&missing)));
    }
    if outside > 0 {
        parts.push(format!("{outside} row{} outside the set", plural(outside)));
    }
    r.observed = Some(Value::Int(missing.len() as i128 + outside));
    r.observed_text = if parts.is_empty() {
        match relation {
            SetRelation::Within => "none outside the set".into(),
            _ => format!("all {} present", values.len()),
        }
    } else {
        parts.join(", ")
    };
    if !parts.is_empty() {
        r.status = Status::Fail;
        r.why = Some(format!(
            "the distinct values of `{column}`: {}",
            parts.join("; ")
        ));
    }
    Ok(r)
}

/// `` `countries.code` `` or, for a compound key, `` `pairs` (country,
/// category) ``.
fn referenced_text(source: &str, to: &[String]) -> String {
    match to {
        [one] => format!("`{source}.{one}`"),
        many => format!("`{source}` ({})", many.join(", ")),
    }
}

/// Rows where the expression is false, judged against the rows where it
/// is true or false: a null result (a null operand) decides nothing, as
/// in an SQL `CHECK` constraint.
fn expression(
    mut r: CheckResult,
    obs: &Observations,
    sql: &str,
    mostly: Option<f64>,
) -> Result<CheckResult, String> {
    let rows = count(obs, &Metric::RowCount)?;
    let bad = count(obs, &Metric::ExpressionFalse(sql.to_string()))?;
    let known = count(obs, &Metric::ExpressionKnown(sql.to_string()))?;
    r.observed = Some(Value::Int(bad));
    r.observed_text = format!("{bad} row{} false", plural(bad));
    if known < rows {
        let unknown = rows - known;
        r.observed_text.push_str(&format!(", {unknown} null"));
    }
    let of = format!("it is false on {bad} of the {known} rows it decides");
    judge_share(&mut r, bad, known, mostly, of);
    Ok(r)
}

const NANOS: i128 = crate::spec::time::NANOS_PER_SECOND;

/// How old the newest value is against `now`: the check fails past
/// `max_age` seconds; a newest value in the future is fresh.
fn freshness(
    mut r: CheckResult,
    obs: &Observations,
    col: &str,
    max_age: i64,
    now: DateTime<Utc>,
) -> Result<CheckResult, String> {
    let newest = match obs.metrics.get(&Metric::Max(col.to_string())) {
        Some(Ok(None)) => return Err(undefined_reason(obs, col, "freshness")),
        _ => metric(obs, &Metric::Max(col.to_string()))?,
    };
    let at = match newest {
        Value::Time(n) => n,
        Value::Date(d) => i128::from(d) * 86_400 * NANOS,
        other => {
            return Err(format!(
                "the newest value of `{col}` is not a time ({other})"
            ))
        }
    };
    let age = crate::spec::time::instant_nanos(&now) - at;
    r.observed = Some(Value::Float(age as f64 / NANOS as f64));
    r.observed_text = if age >= 0 {
        format!("newest is {} old ({})", age_text(age), format_nanos(at))
    } else {
        format!(
            "newest is {} in the future ({})",
            age_text(-age),
            format_nanos(at)
        )
    };
    if age > i128::from(max_age) * NANOS {
        r.status = Status::Fail;
        r.why = Some(format!(
            "no value of `{col}` is newer than {}",
            age_text(i128::from(max_age) * NANOS)
        ));
    }
    Ok(r)
}

/// An age in nanoseconds as a person says it: `13d 21h`, `7h 12m`,
/// `45s`: the two largest units.
fn age_text(nanos: i128) -> String {
    let secs = nanos / NANOS;
    let parts = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3600, "h"),
        (secs % 3600 / 60, "m"),
        (secs % 60, "s"),
    ];
    let first = parts.iter().position(|(n, _)| *n > 0).unwrap_or(3);
    parts[first..]
        .iter()
        .take(2)
        .filter(|(n, _)| *n > 0 || first == 3)
        .map(|(n, u)| format!("{n}{u}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A check of each value on a column with none (all null, or of Arrow
/// type null): nothing offends.
fn no_values(mut r: CheckResult) -> CheckResult {
    r.observed = Some(Value::Int(0));
    r.observed_text = "0 values".into();
    r
}

/// Fails `r` when `bad` of `all` offend: any at all, or with `mostly`,
/// when fewer than that fraction comply (the share that complies is then
/// shown beside the count). No values at all comply vacuously.
fn judge_share(r: &mut CheckResult, bad: i128, all: i128, mostly: Option<f64>, of: String) {
    let Some(least) = mostly else {
        if bad > 0 {
            r.status = Status::Fail;
            r.why = Some(of);
        }
        return;
    };
    if all == 0 {
        return;
    }
    let share = (all - bad) as f64 / all as f64;
    r.observed_text = format!("{} ({} comply)", r.observed_text, percent(share));
    if share < least {
        r.status = Status::Fail;
        r.why = Some(format!(
            "{of}: {} comply, fewer than mostly {}",
            percent(share),
            fmt_float(least)
        ));
    }
}

/// A share as a percentage to at most two decimals: `98.8%`, `100%`.
fn percent(x: f64) -> String {
    format!("{}%", fmt_float((x * 10_000.0).round() / 100.0))
}

fn length(
    mut r: CheckResult,
    obs: &Observations,
    col: &str,
    b: &Bounds,
    now: DateTime<Utc>,
) -> Result<CheckResult, String> {
    if count(obs, &Metric::NonNullCount(col.to_string()))? == 0 {
        return Ok(no_values(r));
    }
    let (lo, hi) = match (
        metric(obs, &Metric::MinLength(col.to_string())),
        metric(obs, &Metric::MaxLength(col.to_string())),
    ) {
        (Ok(lo), Ok(hi)) => (lo, hi),
        (Err(e), _) | (_, Err(e)) => {
            return Err(
                if obs
                    .metrics
                    .get(&Metric::MinLength(col.to_string()))
                    .is_some_and(|m| matches!(m, Ok(None)))
                {
                    undefined_reason(obs, col, "length")
                } else {
                    e
                },
            )
        }
    };
    r.observed_text = format!("{lo}..{hi}");
    let (low, high) = outside(&lo, &hi, b, now)?;
    r.observed = Some(if low { lo } else { hi });
    if low || high {
        r.status = Status::Fail;
        r.why = Some(
            if low {
                "a value is shorter than the minimum length"
            } else {
                "a value is longer than the maximum length"
            }
            .to_string(),
        );
    }
    Ok(r)
}

/// The expectation as shown in reports.
pub fn expected_text(check: &Check, now: DateTime<Utc>) -> String {
    let mut text = match &check.change {
        Some(c) => change::expected_text(c),
        None => kind_text(check, now),
    };
    if let (Some(m), None) = (check.mostly, &check.change) {
        text = format!("{text}, mostly {}", fmt_float(m));
    }
    match &check.filter {
        Some(f) => format!("{text}, where {}", f.sql),
        None => text,
    }
}

fn kind_text(check: &Check, now: DateTime<Utc>) -> String {
    match &check.kind {
        CheckKind::Schema(_) => "matches the contract".into(),
        CheckKind::RowCount(b)
        | CheckKind::Metric { bounds: b, .. }
        | CheckKind::Sql { bounds: b, .. } => bounds_text(b, now),
        CheckKind::Length { bounds, .. } => format!("length {}", bounds_text(bounds, now)),
        CheckKind::Range { bounds, .. } => format!("each value {}", bounds_text(bounds, now)),
        CheckKind::Quantile { bounds, .. } => bounds_text(bounds, now),
        CheckKind::DistinctValues {
            values, relation, ..
        } => format!(
            "distinct values {} {}",
            relation.keyword(),
            set_text(values)
        ),
        CheckKind::Expression { .. } => "true on every row".into(),
        CheckKind::References { source, to, .. } => {
            format!("every key in {}", referenced_text(source, to))
        }
        CheckKind::NotNull { .. } => "0 nulls".into(),
        CheckKind::Unique { .. } => "0 duplicated keys".into(),
        CheckKind::InSet { values, .. } => format!("in {}", set_text(values)),
        CheckKind::NotInSet { values, .. } => format!("none in {}", set_text(values)),
        CheckKind::Regex { pattern, .. } => format!("matches /{pattern}/"),
        CheckKind::Freshness { max_age, .. } => {
            format!(
                "newest value at most {} old",
                age_text(i128::from(*max_age) * NANOS)
            )
        }
        CheckKind::NotRegex { pattern, .. } => format!("none matches /{pattern}/"),
    }
}

pub fn bounds_text(b: &Bounds, now: DateTime<Utc>) -> String {
    let show = |bound: &Bound| match bound {
        Bound::Num(n) => n.to_string(),
        Bound::Time(t @ crate::spec::time::TimeExpr::Now { .. }) => {
            format!("{} ({})", t.text(), format_nanos(t.resolve(now)))
        }
        Bound::Time(t) => format_nanos(t.resolve(now)),
    };
    let closed = !b.min_open && !b.max_open;
    let low = |lo: &Bound| format!("{} {}", if b.min_open { ">" } else { ">=" }, show(lo));
    let high = |hi: &Bound| format!("{} {}", if b.max_open { "<" } else { "<=" }, show(hi));
    match (&b.min, &b.max) {
        (Some(lo), Some(hi)) if lo == hi && closed => format!("= {}", show(lo)),
        (Some(lo), Some(hi)) if closed => format!("between {} and {}", show(lo), show(hi)),
        (Some(lo), Some(hi)) => format!("{} and {}", low(lo), high(hi)),
        (Some(lo), None) => low(lo),
        (None, Some(hi)) => high(hi),
        (None, None) => "anything".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::diag::Pos;
    use crate::spec::{Lit, Number, Severity};
    use datafusion::arrow::datatypes::{DataType, Field};

    fn schema() -> Schema {
        Schema::new(vec![
            Field::new("x", DataType::Float64, true),
            Field::new("s", DataType::Utf8, true),
        ])
    }

    fn check(kind: CheckKind) -> Check {
        Check {
            name: "c".into(),
            severity: Severity::Error,
            kind,
            change: None,
            mostly: None,
            filter: None,
            tags: Vec::new(),
            pos: Pos::default(),
        }
    }

    fn metric_check(metric: ColumnMetric, min: Option<f64>, max: Option<f64>) -> Check {
        let b = |v: Option<f64>| v.map(|f| Bound::Num(Number::Float(f)));
        check(CheckKind::Metric {
            column: "x".into(),
            metric,
            bounds: Bounds {
                min: b(min),
                max: b(max),
                ..Bounds::default()
            },
        })
    }

    fn obs(pairs: &[(Metric, Option<Value>)]) -> Observations {
        Observations {
            metrics: pairs.iter().cloned().map(|(m, v)| (m, Ok(v))).collect(),
            ..Observations::default()
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(0, 0).unwrap()
    }

    fn counts(rows: i128, non_null: i128, nan: i128) -> Vec<(Metric, Option<Value>)> {
        vec![
            (Metric::RowCount, Some(Value::Int(rows))),
            (Metric::NonNullCount("x".into()), Some(Value::Int(non_null))),
            (Metric::NanCount("x".into()), Some(Value::Int(nan))),
        ]
    }

    #[test]
    fn bounds_are_inclusive() {
        for (mean, status) in [
            (10.0, Status::Pass),
            (20.0, Status::Pass),
            (20.000001, Status::Fail),
            (9.99, Status::Fail),
        ] {
            let mut o = counts(3, 3, 0);
            o.push((Metric::Mean("x".into()), Some(Value::Float(mean))));
            let r = evaluate(
                &metric_check(ColumnMetric::Mean, Some(10.0), Some(20.0)),
                &schema(),
                &obs(&o),
                now(),
            );
            assert_eq!(r.status, status, "mean {mean}");
        }
    }

    #[test]
    fn undefined_values_are_errors_with_reasons() {
        let cases = [
            (counts(0, 0, 0), "mean is undefined: the table is empty"),
            (
                counts(5, 0, 0),
                "mean is undefined: all 5 values of `x` are null",
            ),
            (
                counts(5, 2, 2),
                "mean is undefined: all 2 non-null values of `x` are NaN",
            ),
        ];
        for (mut o, why) in cases {
            o.push((Metric::Mean("x".into()), None));
            let r = evaluate(
                &metric_check(ColumnMetric::Mean, Some(0.0), None),
                &schema(),
                &obs(&o),
                now(),
            );
            assert_eq!(r.status, Status::Error);
            assert_eq!(r.why.as_deref(), Some(why));
        }
    }

    #[test]
    fn a_failed_metric_is_an_error_on_its_check_only() {
        let mut o = obs(&counts(3, 3, 0));
        o.metrics
            .insert(Metric::Sum("x".into()), Err("overflow".into()));
        let r = evaluate(
            &metric_check(ColumnMetric::Sum, None, Some(1.0)),
            &schema(),
            &o,
            now(),
        );
        assert_eq!(
            (r.status, r.why.as_deref()),
            (Status::Error, Some("overflow"))
        );
        let r = evaluate(
            &metric_check(ColumnMetric::NullRate, None, Some(0.0)),
            &schema(),
            &o,
            now(),
        );
        assert_eq!(r.status, Status::Pass);
    }

    #[test]
    fn rates_and_infinite_sums() {
        let r = evaluate(
            &metric_check(ColumnMetric::NullRate, None, Some(0.25)),
            &schema(),
            &obs(&counts(4, 3, 0)),
            now(),
        );
        assert_eq!(
            (r.status, r.observed_text.as_str()),
            (Status::Pass, "0.25 (1 of 4)")
        );
        let mut o = counts(2, 2, 0);
        o.push((Metric::Sum("x".into()), Some(Value::Float(f64::INFINITY))));
        let r = evaluate(
            &metric_check(ColumnMetric::Sum, None, Some(1.0)),
            &schema(),
            &obs(&o),
            now(),
        );
        assert_eq!(
            r.why.as_deref(),
            Some("sum overflowed the float range (inf)")
        );
    }

    #[test]
    fn outcome_is_monotonic_in_the_threshold() {
        let mut o = counts(10, 10, 0);
        o.push((Metric::Max("x".into()), Some(Value::Float(7.5))));
        let o = obs(&o);
        let mut passed_before = false;
        for t in 0..20 {
            let r = evaluate(
                &metric_check(ColumnMetric::Max, None, Some(t as f64 * 0.5)),
                &schema(),
                &o,
                now(),
            );
            let passed = r.status == Status::Pass;
            assert!(!passed_before || passed, "threshold {t}");
            passed_before = passed;
        }
        assert!(passed_before);
    }

    #[test]
    fn type_mismatches_and_missing_columns() {
        let c = check(CheckKind::Regex {
            column: "x".into(),
            pattern: "a".into(),
        });
        assert_eq!(
            requirements(&c, &schema()).unwrap_err(),
            "regex needs a string column; `x` is float64"
        );
        let c = check(CheckKind::NotNull { column: "X".into() });
        assert_eq!(
            requirements(&c, &schema()).unwrap_err(),
            "column `X` does not exist; did you mean `x`?"
        );
        let c = check(CheckKind::InSet {
            column: "x".into(),
            values: vec![Lit::Str("a".into())],
        });
        assert_eq!(
            requirements(&c, &schema()).unwrap_err(),
            "in_set value \"a\" does not fit `x`, which is float64"
        );
    }

    #[test]
    fn nan_observed_value_cannot_pass() {
        let mut o = counts(1, 1, 0);
        o.push((Metric::Stddev("x".into()), Some(Value::Float(f64::NAN))));
        let r = evaluate(
            &metric_check(ColumnMetric::Stddev, None, Some(1.0)),
            &schema(),
            &obs(&o),
            now(),
        );
        assert_eq!(r.status, Status::Error);
    }
}
