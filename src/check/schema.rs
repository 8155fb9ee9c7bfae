//! The input shape contract: expected columns with types and nullability,
//! whether extra columns are allowed, whether order matters. A failure
//! explains itself twice: a list of problems (`why`) and a unified diff of
//! the expected against the actual schema, both in contract vocabulary.

use crate::report::format::count as counted;
use datafusion::arrow::datatypes::Schema;
use similar::TextDiff;

use super::{CheckResult, Status};
use crate::metric::exec::MetricValues;
use crate::metric::{Metric, Value};
use crate::spec::{ColumnContract, ExtraColumns, Order, SchemaContract};
use crate::types::display_type;

/// Metrics the contract needs: null counts for `nullable: false` columns.
pub fn requirements(c: &SchemaContract, schema: &Schema) -> Vec<Metric> {
    let mut m: Vec<Metric> = c
        .columns
        .iter()
        .filter(|col| col.nullable == Some(false) && schema.field_with_name(&col.name).is_ok())
        .map(|col| Metric::NonNullCount(col.name.clone()))
        .collect();
    if !m.is_empty() {
        m.insert(0, Metric::RowCount);
    }
    m
}

pub fn evaluate(
    mut r: CheckResult,
    c: &SchemaContract,
    schema: &Schema,
    metrics: &MetricValues,
) -> CheckResult {
    let mut problems = Vec::new();
    let mut actual_null: Vec<(String, Option<i128>)> = Vec::new();
    let rows = count(metrics, &Metric::RowCount);
    for col in &c.columns {
        let Ok(field) = schema.field_with_name(&col.name) else {
            problems.push(format!("missing column `{}`", col.name));
            continue;
        };
        if let Some(ty) = &col.ty {
            if !ty.matches(field.data_type()) {
                problems.push(format!(
                    "`{}` is {}, expected {ty}",
                    col.name,
                    display_type(field.data_type())
                ));
            }
        }
        if col.nullable == Some(false) {
            let nulls = match (
                rows,
                count(metrics, &Metric::NonNullCount(col.name.clone())),
            ) {
                (Some(r), Some(nn)) => Some(r - nn),
                _ => None,
            };
            match nulls {
                Some(0) => {}
                Some(n) => problems.push(format!(
                    "`{}` has {} but is declared not null",
                    col.name,
                    counted(n, "null")
                )),
                None => return r.error(format!("could not count the nulls of `{}`", col.name)),
            }
            actual_null.push((col.name.clone(), nulls));
        }
    }
    let declared: Vec<&str> = c.columns.iter().map(|c| c.name.as_str()).collect();
    let extras: Vec<&str> = schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .filter(|n| !declared.contains(n))
        .collect();
    if c.extra_columns == ExtraColumns::Forbid {
        for e in &extras {
            problems.push(format!("unexpected column `{e}` (extra_columns: forbid)"));
        }
    }
    if c.order == Order::Strict {
        let actual_order: Vec<&str> = schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .filter(|n| declared.contains(n))
            .collect();
        let expected_order: Vec<&str> = declared
            .iter()
            .copied()
            .filter(|n| schema.field_with_name(n).is_ok())
            .collect();
        if actual_order != expected_order {
            problems.push(format!(
                "columns are out of order (order: strict): found {}",
                actual_order.join(", ")
            ));
        }
    }
    r.observed = Some(Value::Int(problems.len() as i128));
    r.observed_text = if problems.is_empty() {
        format!("{} columns as declared", c.columns.len())
    } else {
        counted(problems.len(), "problem")
    };
    if !problems.is_empty() {
        r.status = Status::Fail;
        r.why = Some(if problems.len() <= 2 {
            problems.join("; ")
        } else {
            format!(
                "{}; and {} more (see the diff)",
                problems[..2].join("; "),
                problems.len() - 2
            )
        });
        r.diff = Some(schema_diff(c, schema, &actual_null, &extras));
    }
    r
}

fn count(metrics: &MetricValues, m: &Metric) -> Option<i128> {
    match metrics.get(m) {
        Some(Ok(Some(Value::Int(i)))) => Some(*i),
        _ => None,
    }
}

/// One line per column: `name: type[, not null]`. The actual side follows
/// the contract's order unless order is strict, with undeclared columns last,
/// so the diff shows only real differences.
fn schema_diff(
    c: &SchemaContract,
    schema: &Schema,
    nulls: &[(String, Option<i128>)],
    extras: &[&str],
) -> String {
    let expected: String = c
        .columns
        .iter()
        .map(|col| contract_line(col) + "\n")
        .collect();
    let line_for = |name: &str| -> Option<String> {
        let f = schema.field_with_name(name).ok()?;
        let declared = c.columns.iter().find(|col| col.name == name);
        let ty = match declared.and_then(|d| d.ty.as_ref()) {
            Some(t) if t.matches(f.data_type()) => t.to_string(),
            _ => display_type(f.data_type()),
        };
        let has_nulls = nulls
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| k.unwrap_or(0) > 0);
        let suffix = match (declared.and_then(|d| d.nullable), has_nulls) {
            (Some(false), Some(false)) => ", not null",
            _ => "",
        };
        Some(format!("{}: {ty}{suffix}\n", quoted(name)))
    };
    let actual: String = match c.order {
        Order::Strict => schema
            .fields()
            .iter()
            .filter_map(|f| line_for(f.name()))
            .collect(),
        Order::Any => c
            .columns
            .iter()
            .filter_map(|col| line_for(&col.name))
            .chain(extras.iter().filter_map(|e| line_for(e)))
            .collect(),
    };
    TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(100)
        .header("expected", "actual")
        .to_string()
}

fn contract_line(col: &ColumnContract) -> String {
    let ty = col
        .ty
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_else(|| "any".into());
    let nn = if col.nullable == Some(false) {
        ", not null"
    } else {
        ""
    };
    format!("{}: {ty}{nn}", quoted(&col.name))
}

/// Names that would confuse the diff (spaces, colons) are quoted.
fn quoted(name: &str) -> String {
    if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}
