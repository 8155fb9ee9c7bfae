//! Gates of a diff as checks: duplicate keys, missing and added rows, per
//! column changed rate, flip rate and mean shift, and quality of the
//! candidate against the baseline or absolute limits. Pure: reads the
//! finished report, never data.

use super::plan::{Class, Plan};
use super::report::{ColumnDiff, DiffReport};
use crate::check::{key_examples, CheckResult, Status};
use crate::metric::Value;
use crate::report::format::{fmt_float, p_value, signed};
use crate::spec::{DiffSpec, DuplicateKeys, Gate, GateKind, PValue, QualityGate, Severity};

pub fn evaluate(spec: &DiffSpec, plan: &Plan, rep: &mut DiffReport) {
    let mut out = Vec::new();
    let allowed = spec.duplicates == DuplicateKeys::Allow;
    for (side, d) in ["baseline", "candidate"].iter().zip(&rep.rows.duplicates) {
        let Some(d) = d else { continue };
        let mut r = check(
            &format!("{side}.duplicate_keys"),
            "duplicate_keys",
            None,
            Severity::Error,
            if allowed {
                "any (duplicates: allow)".into()
            } else {
                "no duplicated key".into()
            },
        );
        r.observed = Some(Value::Int(d.keys as i128));
        r.observed_text = format!("{} duplicated key{}", d.keys, s(d.keys));
        if d.keys > 0 && !allowed {
            r.status = Status::Fail;
            r.why = Some(format!(
                "{} rows of the {side} share {} key value{}{}; they would pair with \
                 every row of the same key on the other side (set `duplicates: allow` \
                 to accept that)",
                d.rows,
                d.keys,
                s(d.keys),
                key_examples(&d.sample)
            ));
        }
        out.push(r);
    }
    let r = &rep.rows;
    if r.both == 0 && r.only_baseline == 0 && r.only_candidate == 0 {
        let mut e = check(
            "rows.compared",
            "rows",
            None,
            Severity::Error,
            "rows to compare".into(),
        );
        e.status = Status::Error;
        e.why = Some("both sides are empty: there was nothing to compare".into());
        out.push(e);
    }
    for c in rep.columns.iter().filter(|c| c.error.is_some()) {
        let mut r = check(
            &format!("{}.compare", c.name),
            "compare",
            Some(c.name.clone()),
            Severity::Error,
            "a column both sides can compare".into(),
        );
        r.status = Status::Error;
        r.why = c.error.clone();
        out.push(r);
    }
    for g in spec.gates.iter().filter(|g| g.kind.is_row_gate()) {
        let (n, what) = match g.kind {
            GateKind::MaxMissing => (rep.rows.only_baseline, "missing from the candidate"),
            _ => (rep.rows.only_candidate, "added by the candidate"),
        };
        let mut r = check(
            &format!("rows.{}", g.kind.keyword()),
            g.kind.keyword(),
            None,
            g.severity,
            format!("≤ {}", fmt_float(g.limit)),
        );
        r.observed = Some(Value::Int(n as i128));
        r.observed_text = format!("{n} row{} {what}", s(n));
        if n as f64 > g.limit {
            r.status = Status::Fail;
        }
        out.push(r);
    }
    for (i, c) in plan.columns.iter().enumerate() {
        let declared = spec
            .column_options(&c.name)
            .map(|x| x.gates.clone())
            .unwrap_or_default();
        let inherited = spec
            .gates
            .iter()
            .filter(|g| !g.kind.is_row_gate() && !declared.iter().any(|d| d.kind == g.kind));
        let col = &rep.columns[i];
        for g in &declared {
            out.push(column_gate(g, col, c.class));
        }
        for g in inherited {
            let applies = match g.kind {
                GateKind::MaxFlipRate => c.class.label(),
                GateKind::MaxMeanShift => c.class.numeric(),
                _ => true,
            };
            if applies {
                out.push(column_gate(g, col, c.class));
            }
        }
    }
    if let Some(q) = &rep.quality {
        for g in &spec.quality {
            out.extend(quality_gate(g, q));
        }
    }
    rep.gates = out;
}

fn s(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn check(
    name: &str,
    kind: &'static str,
    column: Option<String>,
    severity: Severity,
    expected: String,
) -> CheckResult {
    CheckResult::named(name, kind, column, severity, expected)
}

fn column_gate(g: &Gate, col: &ColumnDiff, class: Class) -> CheckResult {
    let kw = g.kind.keyword();
    let mut r = check(
        &format!("{}.{kw}", col.name),
        kw,
        Some(col.name.clone()),
        g.severity,
        format!("≤ {}", fmt_float(g.limit)),
    );
    let observed = match g.kind {
        GateKind::MaxChangedRate | GateKind::MaxFlipRate => {
            if g.kind == GateKind::MaxFlipRate && !class.label() {
                return error(
                    r,
                    format!(
                        "`{}` is {}: flips are counted for labels (integers, strings, \
                         booleans); use `max_changed_rate`",
                        col.name, col.baseline_type
                    ),
                );
            }
            let Some(rate) = col.changed_rate else {
                return error(
                    r,
                    "no row is in both sides, so no value was compared".into(),
                );
            };
            r.observed_text = format!(
                "{} ({} of {} rows)",
                fmt_float(rate),
                col.changed,
                col.compared
            );
            rate
        }
        _ => {
            let Some(n) = col.numeric.as_ref().filter(|_| class.numeric()) else {
                return error(
                    r,
                    format!(
                        "`{}` is {}: a mean shift needs numbers",
                        col.name, col.baseline_type
                    ),
                );
            };
            let Some(shift) = n.mean_shift else {
                return error(r, "no pair of numbers was compared".into());
            };
            r.expected = format!("|shift| ≤ {}", fmt_float(g.limit));
            r.observed_text = format!("{} (mean of candidate − baseline)", fmt_float(shift));
            if shift.abs() > g.limit {
                r.status = Status::Fail;
            }
            r.observed = Some(Value::Float(shift));
            return r;
        }
    };
    r.observed = Some(Value::Float(observed));
    if observed > g.limit {
        r.status = Status::Fail;
    }
    r
}

fn error(r: CheckResult, why: String) -> CheckResult {
    r.error(why)
}

fn quality_gate(g: &QualityGate, q: &super::quality::QualityReport) -> Vec<CheckResult> {
    let kw = g.metric.keyword();
    let found = q.metrics.iter().find(|m| m.metric == g.metric);
    let limits = [
        ("max_drop", g.max_drop),
        ("max_increase", g.max_increase),
        ("min", g.min),
        ("max", g.max),
        ("no_significant_drop", g.no_significant_drop),
        ("no_significant_increase", g.no_significant_increase),
    ];
    let mut out = Vec::new();
    for (which, limit) in limits {
        let Some(limit) = limit else { continue };
        let mut r = check(
            &format!("quality.{kw}.{which}"),
            "quality",
            None,
            g.severity,
            String::new(),
        );
        let (b, c) = match found {
            Some(m) => (m.baseline, m.candidate),
            None => (None, None),
        };
        let relative = which.starts_with("max_") || which.starts_with("no_");
        // The significance level this gate reads, if any.
        let level = match which {
            "max_drop" | "max_increase" => g.significance,
            "no_significant_drop" | "no_significant_increase" => Some(limit),
            _ => None,
        };
        r.expected = match (which, b) {
            ("no_significant_drop", _) => format!("no significant drop (p ≥ {})", fmt_float(limit)),
            ("no_significant_increase", _) => {
                format!("no significant increase (p ≥ {})", fmt_float(limit))
            }
            ("max_drop", Some(b)) => format!(
                "≥ {} (baseline {} − {})",
                fmt_float(b - limit),
                fmt_float(b),
                fmt_float(limit)
            ),
            ("max_increase", Some(b)) => format!(
                "≤ {} (baseline {} + {})",
                fmt_float(b + limit),
                fmt_float(b),
                fmt_float(limit)
            ),
            ("max_drop", None) => format!("at most {} below the baseline", fmt_float(limit)),
            ("max_increase", None) => format!("at most {} above the baseline", fmt_float(limit)),
            ("min", _) => format!("≥ {}", fmt_float(limit)),
            _ => format!("≤ {}", fmt_float(limit)),
        };
        if let (Some(level), "max_drop" | "max_increase") = (level, which) {
            r.expected = format!(
                "{}, or not significant (p ≥ {})",
                r.expected,
                fmt_float(level)
            );
        }
        let reason = match found {
            None => Some(match g.metric.task() {
                t if t != q.task => format!(
                    "`{kw}` is a {} metric; this is a {} task ({})",
                    task_name(t),
                    task_name(q.task),
                    q.task_reason
                ),
                _ => format!("`{kw}` needs `probability:` in `truth`"),
            }),
            Some(m) => m.error.clone(),
        };
        if let Some(why) = reason {
            out.push(error(r, why));
            continue;
        }
        let (Some(c), Some(b)) = (c, b) else {
            out.push(error(r, format!("`{kw}` could not be computed")));
            continue;
        };
        // The p-value the level reads, with the test's name.
        let p = match (level, found) {
            (None, _) => None,
            (Some(_), Some(m)) => match (&m.test, g.test) {
                (Some(t), PValue::Paired) => Some((t.p_value, t.test.label())),
                (Some(t), PValue::Wilcoxon) => t.wilcoxon.as_ref().map(|w| (w.p_value, "Wilcoxon")),
                (None, _) => {
                    let why = m
                        .test_error
                        .clone()
                        .unwrap_or_else(|| format!("`{kw}` has no paired test"));
                    out.push(error(r, format!("the paired test of `{kw}`: {why}")));
                    continue;
                }
            },
            (Some(_), None) => None,
        };
        r.observed = Some(Value::Float(c));
        r.observed_text = match (relative, p) {
            (true, Some((p, test))) => format!(
                "{} (baseline {}, Δ {}; {}, {test})",
                fmt_float(c),
                fmt_float(b),
                signed(c - b),
                p_value(p)
            ),
            (true, None) => format!(
                "{} (baseline {}, Δ {})",
                fmt_float(c),
                fmt_float(b),
                signed(c - b)
            ),
            _ => fmt_float(c),
        };
        // Differences of decimals carry float rounding: 0.75 − 0.74 is
        // 0.010000000000000009, which must not fail `max_drop: 0.01`.
        let slack = 1e-12 * b.abs().max(1.0);
        let significant = match (level, p) {
            (Some(level), Some((p, _))) => p < level,
            _ => true,
        };
        let bad = match which {
            "max_drop" => b - c > limit + slack && significant,
            "max_increase" => c - b > limit + slack && significant,
            "no_significant_drop" => c < b && significant,
            "no_significant_increase" => c > b && significant,
            "min" => c < limit,
            _ => c > limit,
        };
        if bad {
            r.status = Status::Fail;
        }
        out.push(r);
    }
    out
}

fn task_name(t: crate::spec::Task) -> &'static str {
    match t {
        crate::spec::Task::Classification => "classification",
        crate::spec::Task::Regression => "regression",
    }
}
