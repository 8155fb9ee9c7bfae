//! Gates of a diff as checks: duplicate keys, missing and added rows, per
//! column changed rate, flip rate and mean shift, and quality of the
//! candidate against the baseline or absolute limits. Pure: reads the
//! finished report, never data.

use super::plan::{Class, Plan};
use super::quality::QualityValue;
use super::report::{ColumnDiff, DiffReport};
use super::slices::{Slice, SliceColumnReport};
use crate::check::{key_examples, CheckResult, Status};
use crate::metric::Value;
use crate::report::format::{count, fmt_float, p_value, signed};
use crate::spec::{
    DiffSpec, DuplicateKeys, Gate, GateKind, PValue, QualityGate, Severity, SliceSpec, Task,
};

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
            out.extend(quality_gate(
                g,
                &q.metrics,
                q.task,
                &q.task_reason,
                "quality",
            ));
        }
    }
    if let (Some(s), Some(r)) = (&spec.slices, &rep.slices) {
        for c in &r.columns {
            out.extend(slice_gates(s, c, rep.quality.as_ref()));
        }
    }
    rep.gates = out;
}

/// The gates of `slices:` on one slice column: each quality gate and the
/// changed rate, judged on every slice with at least `min_rows` rows, as
/// one check each that lists the failing slices, worst first.
fn slice_gates(
    spec: &SliceSpec,
    c: &SliceColumnReport,
    quality: Option<&super::quality::QualityReport>,
) -> Vec<CheckResult> {
    let gated: Vec<&Slice> = c.slices.iter().filter(|s| s.gated).collect();
    let scope = format!(
        "in every slice of `{}` with ≥ {} rows",
        c.column, spec.min_rows
    );
    let mut out = Vec::new();
    // Per gate (and limit within it): each gated slice's own check.
    let mut judged: Vec<Judged> = Vec::new();
    if quality.is_none() {
        // The truth could not meet the predictions (the `quality` check
        // says why): each quality gate of the slices says so too.
        for g in &spec.quality {
            let r = check(
                &format!("slices.{}.{}", c.column, g.metric.keyword()),
                "slices",
                Some(c.column.clone()),
                g.severity,
                format!("`{}` {scope}", g.metric.keyword()),
            );
            out.push(
                r.error("quality against the truth could not be computed; see the `quality` check"),
            );
        }
    }
    if let Some(q) = quality {
        for g in &spec.quality {
            let mut per: Vec<Vec<(&Slice, CheckResult)>> = Vec::new();
            for s in &gated {
                let checks = quality_gate(g, &s.metrics, q.task, &q.task_reason, "quality");
                for (i, r) in checks.into_iter().enumerate() {
                    if per.len() <= i {
                        per.push(Vec::new());
                    }
                    per[i].push((s, r));
                }
            }
            let names = quality_gate(g, &q.metrics, q.task, &q.task_reason, "quality");
            for (i, template) in names.into_iter().enumerate() {
                let which = template
                    .name
                    .rsplit('.')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let name = format!("slices.{}.{}.{which}", c.column, g.metric.keyword());
                let expected = slice_expected(g, &which);
                judged.push(Judged {
                    name,
                    severity: g.severity,
                    expected,
                    results: per.get_mut(i).map(std::mem::take).unwrap_or_default(),
                    rows_in_text: false,
                });
            }
        }
    }
    if let Some(g) = &spec.max_changed_rate {
        let results = gated
            .iter()
            .map(|s| {
                let mut r = check("", "slices", None, g.severity, String::new());
                match s.changed_rate {
                    Some(rate) => {
                        r.observed = Some(Value::Float(rate));
                        r.observed_text =
                            format!("{} ({} of {} rows)", fmt_float(rate), s.changed, s.rows);
                        if rate > g.limit {
                            r.status = Status::Fail;
                        }
                    }
                    None => r = r.error("no row is in both models"),
                }
                (*s, r)
            })
            .collect();
        judged.push(Judged {
            name: format!("slices.{}.max_changed_rate", c.column),
            severity: g.severity,
            expected: format!("changed rate ≤ {}", fmt_float(g.limit)),
            results,
            rows_in_text: true,
        });
    }
    for Judged {
        name,
        severity,
        expected,
        results,
        rows_in_text,
    } in judged
    {
        let mut r = check(
            &name,
            "slices",
            Some(c.column.clone()),
            severity,
            format!("{expected} {scope}"),
        );
        let label = |s: &Slice| format!("{}={}", c.column, s.value);
        let failed: Vec<&(&Slice, CheckResult)> = results
            .iter()
            .filter(|(_, x)| x.status == Status::Fail)
            .collect();
        let errors: Vec<&(&Slice, CheckResult)> = results
            .iter()
            .filter(|(_, x)| x.status == Status::Error)
            .collect();
        let listed = |v: &[&(&Slice, CheckResult)]| {
            let mut parts: Vec<String> = v
                .iter()
                .take(MAX_LISTED)
                .map(|(s, x)| {
                    if rows_in_text {
                        format!("{}: {}", label(s), x.observed_text)
                    } else {
                        format!(
                            "{}: {} ({})",
                            label(s),
                            x.observed_text,
                            count(s.rows, "row")
                        )
                    }
                })
                .collect();
            if v.len() > MAX_LISTED {
                parts.push(format!("{} more", v.len() - MAX_LISTED));
            }
            parts.join("; ")
        };
        let small = if c.small > 0 {
            format!(
                "; {} with fewer rows not gated",
                count(c.small as u64, "slice")
            )
        } else {
            String::new()
        };
        if results.is_empty() {
            r.observed_text = format!("no slice has ≥ {} rows{small}", spec.min_rows);
        } else if !failed.is_empty() {
            r.status = Status::Fail;
            r.observed_text = format!(
                "{} of {} fail: {}{small}",
                failed.len(),
                count(results.len() as u64, "slice"),
                listed(&failed)
            );
        } else if errors.len() == results.len() {
            let (s, x) = errors[0];
            r = r.error(format!(
                "{}: {}",
                label(s),
                x.why.clone().unwrap_or_default()
            ));
            out.push(r);
            continue;
        } else {
            let (s, x) = &results[0];
            r.observed_text = format!(
                "{} pass{small}; worst: {}: {}",
                count(results.len() as u64, "slice"),
                label(s),
                x.observed_text
            );
        }
        if !errors.is_empty() && errors.len() < results.len() {
            r.observed_text.push_str(&format!(
                "; {} could not be judged ({}: {})",
                count(errors.len() as u64, "slice"),
                label(errors[0].0),
                errors[0].1.why.clone().unwrap_or_default()
            ));
        }
        out.push(r);
    }
    out
}

/// One gate of `slices:`: its check's name, severity and expectation, and
/// each gated slice's own result.
struct Judged<'a> {
    name: String,
    severity: Severity,
    expected: String,
    results: Vec<(&'a Slice, CheckResult)>,
    /// Whether each slice's observed text names its rows already.
    rows_in_text: bool,
}

/// At most this many failing slices are named in a check's observed text;
/// the report's slice tables have them all.
const MAX_LISTED: usize = 5;

/// What a slice gate expects, without any one slice's baseline.
fn slice_expected(g: &QualityGate, which: &str) -> String {
    let kw = g.metric.keyword();
    let limit = match which {
        "max_drop" => g.max_drop,
        "max_increase" => g.max_increase,
        "min" => g.min,
        "max" => g.max,
        "no_significant_drop" => g.no_significant_drop,
        _ => g.no_significant_increase,
    }
    .unwrap_or_default();
    let level = g
        .significance
        .filter(|_| matches!(which, "max_drop" | "max_increase"))
        .map(|a| format!(", or not significant (p ≥ {})", fmt_float(a)))
        .unwrap_or_default();
    match which {
        "max_drop" => format!(
            "`{kw}` at most {} below the baseline{level}",
            fmt_float(limit)
        ),
        "max_increase" => format!(
            "`{kw}` at most {} above the baseline{level}",
            fmt_float(limit)
        ),
        "min" => format!("`{kw}` ≥ {}", fmt_float(limit)),
        "max" => format!("`{kw}` ≤ {}", fmt_float(limit)),
        "no_significant_drop" => {
            format!("no significant drop of `{kw}` (p ≥ {})", fmt_float(limit))
        }
        _ => format!(
            "no significant increase of `{kw}` (p ≥ {})",
            fmt_float(limit)
        ),
    }
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

/// The checks of one quality gate on `metrics` (the whole golden set's,
/// or one slice's), named `{prefix}.{metric}.{limit}`.
fn quality_gate(
    g: &QualityGate,
    metrics: &[QualityValue],
    task: Task,
    task_reason: &str,
    prefix: &str,
) -> Vec<CheckResult> {
    let kw = g.metric.keyword();
    let found = metrics.iter().find(|m| m.metric == g.metric);
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
            &format!("{prefix}.{kw}.{which}"),
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
                t if t != task => format!(
                    "`{kw}` is a {} metric; this is a {} task ({task_reason})",
                    task_name(t),
                    task_name(task),
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
