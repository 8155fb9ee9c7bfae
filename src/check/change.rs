//! Metric drift (`change_vs:`): a metric judged by how far it moved from
//! the same metric on a reference source, or from its recent values in the
//! run history. Pure: the reference value or the past values arrive in
//! [`Baseline`]; the rules are here.

use super::{CheckResult, Status};
use crate::metric::Value;
use crate::report::format::fmt_float;
use crate::spec::{Change, ChangeVs};

/// What a change is measured against.
#[derive(Debug, Clone, PartialEq)]
pub enum Baseline {
    /// The metric's value on the reference source.
    Reference { source: String, value: Value },
    /// The check's last recorded values, oldest first (at most `window`).
    History { values: Vec<f64> },
}

pub fn expected_text(c: &Change) -> String {
    let mut limits = Vec::new();
    if let Some(a) = c.max_abs {
        limits.push(format!("|Δ| ≤ {}", fmt_float(a)));
    }
    if let Some(r) = c.max_rel {
        limits.push(format!("|Δ| ≤ {}%", fmt_float(r * 100.0)));
    }
    if let Some(z) = c.max_z {
        limits.push(format!("|z| ≤ {}", fmt_float(z)));
    }
    let against = match &c.against {
        ChangeVs::Source(s) => format!("vs `{s}`"),
        ChangeVs::History { window: 1 } => "vs the last run".to_string(),
        ChangeVs::History { window } => format!("vs the mean of the last {window} runs"),
    };
    format!("{} {against}", limits.join(", "))
}

fn percent(rel: f64) -> String {
    if rel.is_infinite() {
        "∞%".into()
    } else {
        format!(
            "{}{}%",
            if rel >= 0.0 { "+" } else { "" },
            fmt_float(rel * 100.0)
        )
    }
}

/// Judges the already observed value of `r` against the baseline.
pub fn judge(mut r: CheckResult, c: &Change, baseline: &Baseline) -> Result<CheckResult, String> {
    let value = r.observed.clone().ok_or("no value was observed")?;
    let cur = value
        .as_f64()
        .ok_or_else(|| format!("a change of {value} cannot be measured"))?;
    let (reference, described, z) = match baseline {
        Baseline::Reference { source, value: rv } => {
            let v = rv
                .as_f64()
                .ok_or_else(|| format!("the reference value {rv} is not a number"))?;
            (v, format!("`{source}` {rv}"), None)
        }
        Baseline::History { values } => {
            if values.is_empty() {
                return Err(
                    "the history has no earlier run of this check: nothing to compare with yet"
                        .into(),
                );
            }
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let z = match c.max_z {
                None => None,
                Some(_) if values.len() < 2 => {
                    return Err(format!(
                        "a z-score needs at least 2 earlier runs; the history has {}",
                        values.len()
                    ))
                }
                Some(_) => {
                    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
                    let sd = var.sqrt();
                    Some(if sd == 0.0 {
                        if cur == mean {
                            0.0
                        } else {
                            f64::INFINITY.copysign(cur - mean)
                        }
                    } else {
                        (cur - mean) / sd
                    })
                }
            };
            let what = if values.len() == 1 {
                format!("last run {}", fmt_float(mean))
            } else {
                format!("mean of {} runs {}", values.len(), fmt_float(mean))
            };
            (mean, what, z)
        }
    };
    let delta = cur - reference;
    let rel = if reference == 0.0 {
        if delta == 0.0 {
            0.0
        } else {
            f64::INFINITY.copysign(delta)
        }
    } else {
        delta / reference.abs()
    };
    let mut shown = format!(
        "{} ({described}, Δ {}, {}",
        r.observed_text,
        crate::report::format::signed(delta),
        percent(rel)
    );
    if let Some(z) = z {
        shown += &format!(", z {}", fmt_float(z));
    }
    shown.push(')');
    r.observed_text = shown;
    let mut broken = Vec::new();
    if let Some(a) = c.max_abs.filter(|a| delta.abs() > *a) {
        broken.push(format!("|Δ| {} > {}", fmt_float(delta.abs()), fmt_float(a)));
    }
    if let Some(m) = c.max_rel.filter(|m| rel.abs() > *m) {
        let unsigned = |x: f64| percent(x).trim_start_matches('+').to_string();
        broken.push(format!("|Δ| {} > {}", unsigned(rel.abs()), unsigned(m)));
    }
    if let (Some(m), Some(z)) = (c.max_z, z) {
        if z.abs() > m {
            broken.push(format!("|z| {} > {}", fmt_float(z.abs()), fmt_float(m)));
        }
    }
    if !broken.is_empty() {
        r.status = Status::Fail;
        r.why = Some(format!("changed too much: {}", broken.join("; ")));
    }
    Ok(r)
}
