//! What each check needs computed over a table of a given schema, or why
//! it cannot be evaluated there: a missing column (with close names), a
//! metric that does not fit the column's type, a bound of the wrong kind.

use std::fmt::Write as _;

use datafusion::arrow::datatypes::{DataType, Schema};

use super::schema as schema_check;
use super::Needs;
use crate::metric::{LitSet, Metric};
use crate::spec::diag::closest;
use crate::spec::{Bound, Bounds, Check, CheckKind, ColumnMetric, Lit, SetRelation};
use crate::types;

/// The type of a column, or why it cannot be used (with close names).
pub fn column_type<'a>(schema: &'a Schema, name: &str) -> Result<&'a DataType, String> {
    if let Ok(f) = schema.field_with_name(name) {
        return Ok(f.data_type());
    }
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let mut msg = format!("column `{name}` does not exist");
    match closest(name, names.iter().copied()) {
        Some(c) => {
            let _ = write!(msg, "; did you mean `{c}`?");
        }
        None => {
            let shown: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
            let more = names.len().saturating_sub(12);
            let _ = write!(msg, "; the columns are {}", shown.join(", "));
            if more > 0 {
                let _ = write!(msg, " and {more} more");
            }
        }
    }
    Err(msg)
}

fn mismatch(what: &str, needs: &str, col: &str, dt: &DataType) -> String {
    format!(
        "{what} needs {needs} column; `{col}` is {}",
        types::display_type(dt)
    )
}

/// What `check` needs computed over a table of this schema, or why it
/// cannot be evaluated there (missing column, wrong type).
pub fn requirements(check: &Check, schema: &Schema) -> Result<Needs, String> {
    let metrics = |m: Vec<Metric>| {
        Ok(Needs {
            metrics: m,
            ..Needs::default()
        })
    };
    let kw = check.kind.keyword();
    match &check.kind {
        CheckKind::Schema(contract) => metrics(schema_check::requirements(contract, schema)),
        CheckKind::RowCount(_) => metrics(vec![Metric::RowCount]),
        CheckKind::Metric {
            column: c,
            metric,
            bounds,
        } => {
            let dt = column_type(schema, c)?;
            let base = vec![Metric::RowCount, Metric::NonNullCount(c.clone())];
            let extra = match metric {
                ColumnMetric::NullCount | ColumnMetric::NullRate => None,
                ColumnMetric::DistinctCount | ColumnMetric::UniqueRate => {
                    Some(Metric::ExactDistinct(c.clone()))
                }
                ColumnMetric::NanRate if types::is_float(dt) => Some(Metric::NanCount(c.clone())),
                ColumnMetric::NanRate => return Err(mismatch(kw, "a floating-point", c, dt)),
                ColumnMetric::Min | ColumnMetric::Max => {
                    bound_fits(bounds, c, dt)?;
                    Metric::value_of(*metric, c)
                }
                // A boolean column's mean is its rate of true values, its
                // sum their count.
                ColumnMetric::Mean | ColumnMetric::Sum if dt == &DataType::Boolean => {
                    Some(Metric::TrueCount(c.clone()))
                }
                ColumnMetric::Mean
                | ColumnMetric::Sum
                | ColumnMetric::Stddev
                | ColumnMetric::Median => {
                    if !types::is_numeric(dt) {
                        return Err(mismatch(kw, "a numeric", c, dt));
                    }
                    Metric::value_of(*metric, c)
                }
            };
            let mut m = base;
            // A float column's NaN count explains an undefined value metric.
            if types::is_float(dt) && Metric::value_of(*metric, c).is_some() {
                m.push(Metric::NanCount(c.clone()));
            }
            m.extend(extra);
            metrics(m)
        }
        CheckKind::NotNull { column } => {
            column_type(schema, column)?;
            metrics(vec![Metric::RowCount, Metric::NonNullCount(column.clone())])
        }
        CheckKind::Unique { columns } => {
            for c in columns {
                column_type(schema, c)?;
            }
            Ok(Needs {
                duplicates: Some(columns.clone()),
                ..Needs::default()
            })
        }
        CheckKind::InSet { column, values } | CheckKind::NotInSet { column, values } => {
            let dt = column_type(schema, column)?;
            // A column of Arrow type null (pandas' all-None column) has no
            // values: nothing to compare, the count of non-nulls says so.
            if dt == &DataType::Null {
                return metrics(vec![Metric::NonNullCount(column.clone())]);
            }
            set_fits(kw, values, column, dt)?;
            let set = LitSet(values.clone());
            metrics(vec![
                Metric::NonNullCount(column.clone()),
                match &check.kind {
                    CheckKind::InSet { .. } => Metric::NotInSet(column.clone(), set),
                    _ => Metric::InSet(column.clone(), set),
                },
            ])
        }
        CheckKind::Regex { column, pattern } | CheckKind::NotRegex { column, pattern } => {
            let dt = column_type(schema, column)?;
            if dt == &DataType::Null {
                return metrics(vec![Metric::NonNullCount(column.clone())]);
            }
            if !types::is_string(dt) {
                return Err(mismatch(kw, "a string", column, dt));
            }
            metrics(vec![
                Metric::NonNullCount(column.clone()),
                match &check.kind {
                    CheckKind::Regex { .. } => Metric::NotMatching(column.clone(), pattern.clone()),
                    _ => Metric::Matching(column.clone(), pattern.clone()),
                },
            ])
        }
        CheckKind::Length { column, bounds } => {
            let dt = column_type(schema, column)?;
            if dt == &DataType::Null {
                return metrics(vec![Metric::NonNullCount(column.clone())]);
            }
            if !types::is_string(dt) {
                return Err(mismatch(kw, "a string", column, dt));
            }
            // The count outside the bounds is judged with `mostly`; without
            // it, its offending values are counted in the same scan, for a
            // failure to name them.
            metrics(vec![
                Metric::RowCount,
                Metric::NonNullCount(column.clone()),
                Metric::MinLength(column.clone()),
                Metric::MaxLength(column.clone()),
                Metric::length_outside(column, bounds),
            ])
        }
        CheckKind::DistinctValues {
            column,
            values,
            relation,
        } => {
            let dt = column_type(schema, column)?;
            let mut m = vec![Metric::NonNullCount(column.clone())];
            if dt == &DataType::Null {
                return metrics(m);
            }
            set_fits(kw, values, column, dt)?;
            if *relation != SetRelation::Contains {
                m.push(Metric::NotInSet(column.clone(), LitSet(values.clone())));
            }
            if *relation != SetRelation::Within {
                m.extend(
                    values
                        .iter()
                        .map(|v| Metric::InSet(column.clone(), LitSet(vec![v.clone()]))),
                );
            }
            metrics(m)
        }
        CheckKind::Quantile { column, q, .. } => {
            let dt = column_type(schema, column)?;
            if !types::is_numeric(dt) {
                return Err(mismatch(kw, "a numeric", column, dt));
            }
            let mut m = vec![Metric::RowCount, Metric::NonNullCount(column.clone())];
            if types::is_float(dt) {
                m.push(Metric::NanCount(column.clone()));
            }
            m.push(Metric::Quantile(column.clone(), q.clone()));
            metrics(m)
        }
        CheckKind::Range { column, bounds } => {
            let dt = column_type(schema, column)?;
            if dt == &DataType::Null {
                return metrics(vec![Metric::NonNullCount(column.clone())]);
            }
            if !types::is_numeric(dt) {
                return Err(mismatch(kw, "a numeric", column, dt));
            }
            metrics(vec![
                Metric::NonNullCount(column.clone()),
                Metric::outside_range(column, bounds),
            ])
        }
        // The anti-join runs as its own query (`exec::orphans`); the other
        // source's columns are checked before the run.
        CheckKind::References { columns, .. } => {
            for c in columns {
                column_type(schema, c)?;
            }
            Ok(Needs::default())
        }
        CheckKind::Expression { sql } => metrics(vec![
            Metric::RowCount,
            Metric::ExpressionFalse(sql.clone()),
            Metric::ExpressionKnown(sql.clone()),
        ]),
        CheckKind::Freshness { column, .. } => {
            let dt = column_type(schema, column)?;
            if !matches!(
                dt,
                DataType::Date32 | DataType::Date64 | DataType::Timestamp(..)
            ) {
                return Err(mismatch(kw, "a date or timestamp", column, dt));
            }
            metrics(vec![
                Metric::RowCount,
                Metric::NonNullCount(column.clone()),
                Metric::Max(column.clone()),
            ])
        }
        CheckKind::Sql { query, .. } => Ok(Needs {
            sql: Some(query.clone()),
            ..Needs::default()
        }),
    }
}

/// Whether the key `columns` of a table can be looked up in `to` of the
/// referenced source `source`: each column is there, and each pair
/// compares (numbers with numbers, text with text, times with times).
pub fn referenced(
    schema: &Schema,
    columns: &[String],
    source: &str,
    referenced: &Schema,
    to: &[String],
) -> Result<(), String> {
    for (c, t) in columns.iter().zip(to) {
        let ours = column_type(schema, c)?;
        let theirs = column_type(referenced, t).map_err(|e| format!("in `{source}`: {e}"))?;
        let fits = ours == theirs
            || (types::is_numeric(ours) && types::is_numeric(theirs))
            || (types::is_string(ours) && types::is_string(theirs))
            || (types::is_temporal(ours) && types::is_temporal(theirs));
        if !fits {
            return Err(format!(
                "`{c}` is {} but `{source}.{t}` is {}: their values cannot be compared; cast one of them in a `query:` source",
                types::display_type(ours),
                types::display_type(theirs)
            ));
        }
    }
    Ok(())
}

/// Time bounds go with date/timestamp columns, numbers with numeric ones.
fn bound_fits(bounds: &Bounds, col: &str, dt: &DataType) -> Result<(), String> {
    let temporal = types::is_temporal(dt);
    if !temporal && !types::is_numeric(dt) {
        return Err(mismatch("min/max", "a numeric, date or timestamp", col, dt));
    }
    for b in [&bounds.min, &bounds.max].into_iter().flatten() {
        match (b, temporal) {
            (Bound::Num(n), true) => {
                return Err(format!(
                    "the bound {} is a number but `{col}` holds {}; write a time such as `now - 2d` or `2026-01-01`",
                    n,
                    types::display_type(dt)
                ))
            }
            (Bound::Time(t), false) => {
                return Err(format!(
                    "the bound `{}` is a time but `{col}` is {}",
                    t.text(),
                    types::display_type(dt)
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

fn set_fits(kw: &str, values: &[Lit], col: &str, dt: &DataType) -> Result<(), String> {
    if types::is_string(dt) {
        return Ok(());
    }
    for v in values {
        let ok = match v {
            Lit::Bool(_) => matches!(dt, DataType::Boolean),
            Lit::Int(_) | Lit::Float(_) => types::is_numeric(dt),
            Lit::Str(s) => types::is_temporal(dt) && crate::spec::time::parse_instant(s).is_some(),
        };
        if !ok {
            return Err(format!(
                "{kw} value {v} does not fit `{col}`, which is {}",
                types::display_type(dt)
            ));
        }
    }
    Ok(())
}
