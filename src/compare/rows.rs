//! The comparison's rows and checks: each aggregate's values across the
//! environments, their differences from the reference, whether each is
//! within tolerance; and the checks the report counts (one per gated row,
//! one for the schema, one when the comparison could not run).

use super::report::{CompareRow, Delta, Env, SchemaDifference, APPROXIMATE_SLACK};
use crate::check::{CheckResult, Status};
use crate::metric::value::shown;
use crate::metric::{Family, Value};
use crate::report::format::{count, delta, tolerance};
use crate::spec::{CompareSpec, Severity, Tolerance};

/// Metrics compared as numbers, within tolerance.
fn numeric_metric(metric: &str, family: Family) -> bool {
    match metric {
        "row_count" | "null_count" | "true_count" | "distinct" => true,
        "sum" | "avg" => true,
        "min" | "max" => family == Family::Number,
        _ => false,
    }
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

pub(super) fn compare_row(
    column: Option<&String>,
    metric: &'static str,
    family: Family,
    values: Vec<Option<Value>>,
    estimated: Vec<bool>,
    tol: Tolerance,
) -> CompareRow {
    let approximate = estimated.iter().any(|e| *e);
    let numeric = numeric_metric(metric, family);
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
            // Integers (counts, integer sums) are subtracted as integers: as
            // floats, 2^53 + 1 would equal 2^53.
            (Some(Value::Int(r)), Some(Value::Int(x))) if numeric => match x.checked_sub(*r) {
                Some(d) => judged(*r as f64, d as f64, tol),
                None => (None, true),
            },
            (Some(r), Some(v)) if numeric => match (number(r), number(v)) {
                // An infinity equals only itself: no tolerance reaches it
                // (`rel × |inf|` is NaN) and no difference describes it.
                (Some(r), Some(x)) if r.is_infinite() || x.is_infinite() => (None, r != x),
                (Some(r), Some(x)) if r.is_nan() || x.is_nan() => (
                    Some(Delta {
                        abs: x - r,
                        rel: None,
                    }),
                    r.is_nan() != x.is_nan(),
                ),
                (Some(r), Some(x)) => judged(r, x - r, tol),
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
        estimated: if approximate { estimated } else { Vec::new() },
        values,
        deltas,
        differs,
        status,
        tolerance: numeric.then(|| tol.into()),
        error: None,
    }
}

/// The difference `d` from the reference `r` and whether it is outside
/// `tol` (`|d| > abs + rel × |r|`, numpy's `isclose`).
fn judged(r: f64, d: f64, tol: Tolerance) -> (Option<Delta>, bool) {
    let rel = (r != 0.0).then(|| d / r.abs());
    (
        Some(Delta { abs: d, rel }),
        d.abs() > tol.abs + tol.rel * r.abs(),
    )
}

/// A listed column some environment lacks.
pub(super) fn missing_row(name: &str, envs: &[Env], kinds: &[Option<Family>]) -> CompareRow {
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
        estimated: Vec::new(),
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

pub(super) fn row_name(r: &CompareRow) -> String {
    match &r.column {
        Some(c) => format!("compare.{c}.{}", r.metric),
        None => format!("compare.{}", r.metric),
    }
}

/// A compared row as a check: observed is every environment's value.
pub(super) fn row_check(spec: &CompareSpec, envs: &[Env], r: &CompareRow) -> Option<CheckResult> {
    // An estimate from HyperLogLog against an exact count (or another
    // estimate) differs by the estimator's error: shown, never gated.
    if r.approximate {
        return None;
    }
    let observed_text = envs
        .iter()
        .zip(&r.values)
        .map(|(e, v)| format!("{} {}", e.name, shown(v)))
        .collect::<Vec<_>>()
        .join(" · ");
    let expected = match &r.tolerance {
        Some(t) => format!(
            "{} of `{}`",
            match tolerance(t.max_abs, t.max_rel).as_str() {
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
                let d = r.deltas[i]
                    .as_ref()
                    .map(|d| format!(", {}", delta(d.abs, d.rel)));
                format!(
                    "`{}` has {} against {}{}",
                    e.name,
                    shown(&r.values[i]),
                    shown(&r.values[0]),
                    d.unwrap_or_default()
                )
            })
            .collect();
        Some(parts.join("; "))
    } else {
        None
    };
    Some(
        CheckResult::named(
            row_name(r),
            "compare",
            r.column.clone(),
            spec.severity,
            expected,
        )
        .observed(r.values.get(1).cloned().flatten(), observed_text)
        .judged(r.status, why),
    )
}

/// Schema differences warn: a column added in dev is often on purpose, and
/// the aggregates of a listed column that is missing fail by themselves.
pub(super) fn schema_check(envs: &[Env], diffs: &[SchemaDifference]) -> CheckResult {
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
    let status = if diffs.is_empty() {
        Status::Pass
    } else {
        Status::Fail
    };
    let n = diffs.len();
    CheckResult::named(
        "compare.schema",
        "compare",
        None,
        Severity::Warn,
        format!("the columns and types of `{}`", envs[0].name),
    )
    .observed(
        None,
        format!(
            "{} differ{}",
            count(n, "column"),
            if n == 1 { "s" } else { "" }
        ),
    )
    .judged(status, why)
}

pub(super) fn error_check(spec: &CompareSpec, why: String) -> CheckResult {
    CheckResult::named(
        "compare",
        "compare",
        None,
        spec.severity,
        "every environment readable",
    )
    .error(why)
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
        let r = compare_row(None, "sum", Family::Number, vals, Vec::new(), tol);
        assert_eq!(r.differs, vec![false, false, true]);
        assert_eq!(r.status, Status::Fail);
        let d = r.deltas[2].unwrap();
        assert_eq!(delta(d.abs, d.rel), "Δ -2 (-2%)");
        let both_null = compare_row(
            None,
            "avg",
            Family::Number,
            vec![None, None],
            Vec::new(),
            tol,
        );
        assert_eq!(both_null.status, Status::Pass);
        let one_null = compare_row(
            None,
            "avg",
            Family::Number,
            vec![Some(Value::Float(1.0)), None],
            Vec::new(),
            tol,
        );
        assert_eq!(one_null.differs, vec![false, true]);
        let text = compare_row(
            None,
            "max",
            Family::Ordered,
            vec![Some(Value::Str("b".into())), Some(Value::Str("a".into()))],
            Vec::new(),
            Tolerance {
                abs: 10.0,
                rel: 1.0,
            },
        );
        assert_eq!(text.differs, vec![false, true]);
        assert!(text.tolerance.is_none());
    }
}
