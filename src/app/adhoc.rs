//! `verdict diff` and `verdict compare`: a suite built from the command
//! line instead of a file, then run, reported and gated like one.

use chrono::Utc;

use super::{emit, notify_plan, options};
use crate::cli::{CompareArgs, DiffArgs, EngineArgs, ReportArgs};
use crate::report::exit;
use crate::run;
use crate::spec::{
    ColumnSpec, DiffSpec, DuplicateKeys, Gate, GateKind, Severity, SliceSpec, SourceSpec, Suite,
    Tolerance, TruthSpec,
};

/// `verdict diff`: a suite of two (or three, with truth) sources and a diff.
pub(super) async fn diff(a: DiffArgs) -> i32 {
    adhoc(diff_suite(&a), &a.reports, a.strict, &a.engine).await
}

/// `verdict compare`: a suite of the environments and a comparison.
pub(super) async fn compare(a: CompareArgs) -> i32 {
    adhoc(compare_suite(&a), &a.reports, a.strict, &a.engine).await
}

/// Runs a suite the command line described; a bad command line is exit 2.
async fn adhoc(
    suite: Result<Suite, String>,
    reports: &ReportArgs,
    strict: bool,
    engine: &EngineArgs,
) -> i32 {
    let suite = match suite {
        Ok(s) => s,
        Err(e) => {
            crate::diag!("error: {e}");
            return exit::INVALID;
        }
    };
    let Ok(notify) = notify_plan(reports, std::slice::from_ref(&suite)) else {
        return exit::INVALID;
    };
    let opts = match options(
        strict,
        Utc::now(),
        engine,
        reports.quiet,
        std::slice::from_ref(&suite),
    )
    .await
    {
        Ok(o) => o,
        Err(code) => return code,
    };
    match run::run(&[suite], &opts).await {
        Ok(report) => emit(notify.deliver(report).await, reports),
        Err(e) => {
            crate::diag_raw!("{}", e.render());
            exit::INVALID
        }
    }
}

fn diff_suite(a: &DiffArgs) -> Result<Suite, String> {
    let source = SourceSpec::from_argument;
    let mut sources = vec![
        source("baseline", &a.baseline)?,
        source("candidate", &a.candidate)?,
    ];
    let (abs_all, abs) = tolerances(&a.abs_tol, "--tol")?;
    let (rel_all, rel) = tolerances(&a.rel_tol, "--rel-tol")?;
    let named = tolerance_columns(&a.columns, &abs, &rel)?;
    let lookup = |v: &[(String, f64)], c: &str| v.iter().find(|(n, _)| n == c).map(|x| x.1);
    let column = |c: &String| ColumnSpec {
        name: c.clone(),
        tolerance: (lookup(&abs, c).is_some() || lookup(&rel, c).is_some()).then(|| Tolerance {
            abs: lookup(&abs, c).unwrap_or(abs_all),
            rel: lookup(&rel, c).unwrap_or(rel_all),
        }),
        gates: Vec::new(),
        pos: Default::default(),
    };
    // Tolerances for some columns must not narrow the compared set.
    let columns = if a.columns.is_empty() {
        None
    } else {
        Some(a.columns.iter().map(column).collect())
    };
    let overrides: Vec<ColumnSpec> = if a.columns.is_empty() {
        named.iter().map(column).collect()
    } else {
        Vec::new()
    };
    let mut gates = Vec::new();
    let mut gate = |kind, limit: Option<f64>| -> Result<(), String> {
        if let Some(l) = limit {
            let rate = matches!(kind, GateKind::MaxChangedRate | GateKind::MaxFlipRate);
            if !(l >= 0.0 && (!rate || l <= 1.0)) {
                return Err(format!(
                    "--{} must be {}, found {l}",
                    kind.keyword().replace('_', "-"),
                    if rate {
                        "a fraction from 0 to 1"
                    } else {
                        "≥ 0"
                    }
                ));
            }
            gates.push(Gate {
                kind,
                limit: l,
                severity: Severity::Error,
            });
        }
        Ok(())
    };
    gate(GateKind::MaxChangedRate, a.max_changed_rate)?;
    gate(GateKind::MaxFlipRate, a.max_flip_rate)?;
    gate(GateKind::MaxMeanShift, a.max_mean_shift)?;
    gate(GateKind::MaxMissing, a.max_missing.map(|n| n as f64))?;
    gate(GateKind::MaxAdded, a.max_added.map(|n| n as f64))?;
    let truth = match (&a.truth, &a.truth_column, &a.prediction) {
        (Some(path), Some(column), Some(prediction)) => {
            sources.push(source("truth", path)?);
            Some(TruthSpec {
                source: "truth".into(),
                key: None,
                column: column.clone(),
                prediction: prediction.clone(),
                probability: a.probability.clone(),
                task: None,
                positive: None,
            })
        }
        _ => None,
    };
    let slices = match a.slices.as_slice() {
        [] => None,
        columns => {
            let mut seen = std::collections::HashSet::new();
            if let Some(c) = columns.iter().find(|c| !seen.insert(c.as_str())) {
                return Err(format!("--slice names `{c}` twice"));
            }
            let max_changed_rate = match a.max_slice_changed_rate {
                Some(r) if !(0.0..=1.0).contains(&r) => {
                    return Err(format!(
                    "--max-slice-changed-rate is a fraction from 0 to 1; {r} is outside that range"
                ))
                }
                Some(r) => Some(Gate {
                    kind: GateKind::MaxChangedRate,
                    limit: r,
                    severity: Severity::Error,
                }),
                None => None,
            };
            Some(SliceSpec {
                columns: columns.to_vec(),
                min_rows: a.min_slice_rows,
                quality: Vec::new(),
                max_changed_rate,
                pos: Default::default(),
            })
        }
    };
    let diff = DiffSpec {
        baseline: "baseline".into(),
        candidate: "candidate".into(),
        key: a.key.clone(),
        columns,
        overrides,
        ignore: a.ignore.clone(),
        tolerance: Tolerance {
            abs: abs_all,
            rel: rel_all,
        },
        duplicates: if a.allow_duplicates {
            DuplicateKeys::Allow
        } else {
            DuplicateKeys::Error
        },
        top: a.top,
        gates,
        truth,
        quality: Vec::new(),
        slices,
        pos: Default::default(),
    };
    Ok(Suite {
        engine: None,
        file: "verdict diff".into(),
        sources,
        checks: Vec::new(),
        diff: Some(diff),
        bench: None,
        drift: Vec::new(),
        notify: Vec::new(),
        compare: None,
    })
}

fn compare_suite(a: &CompareArgs) -> Result<Suite, String> {
    let mut sources: Vec<SourceSpec> = Vec::new();
    for arg in &a.environments {
        let Some((name, source)) = arg.split_once('=').filter(|(n, s)| {
            !n.is_empty() && !s.is_empty() && !n.contains("://") && !n.contains('/')
        }) else {
            return Err(format!(
                "{:?}: an environment is NAME=SOURCE, e.g. prod=data/orders.parquet",
                crate::database::redact(arg)
            ));
        };
        if sources.iter().any(|s| s.name == name) {
            return Err(format!("environment `{name}` is given twice"));
        }
        sources.push(SourceSpec::from_argument(name, source)?);
    }
    let (abs_all, abs) = tolerances(&a.max_abs, "--max-abs")?;
    let (rel_all, rel) = tolerances(&a.max_rel, "--max-rel")?;
    let lookup = |v: &[(String, f64)], c: &str| v.iter().find(|(n, _)| n == c).map(|x| x.1);
    let named = tolerance_columns(&a.columns, &abs, &rel)?;
    let tolerance = Tolerance {
        abs: abs_all,
        rel: rel_all,
    };
    let column = |c: &String| crate::spec::CompareColumn {
        name: c.clone(),
        tolerance: (lookup(&abs, c).is_some() || lookup(&rel, c).is_some()).then(|| Tolerance {
            abs: lookup(&abs, c).unwrap_or(abs_all),
            rel: lookup(&rel, c).unwrap_or(rel_all),
        }),
    };
    // Per-column tolerances without --columns must not narrow the set: they
    // ride on a full list only when the columns are listed.
    if a.columns.is_empty() && !named.is_empty() {
        return Err(
            "per-column tolerances (COLUMN=X) need --columns, which lists every compared column"
                .into(),
        );
    }
    let compare = crate::spec::CompareSpec {
        sources: sources.iter().map(|s| s.name.clone()).collect(),
        columns: (!a.columns.is_empty()).then(|| a.columns.iter().map(column).collect()),
        tolerance,
        key: a.key.clone(),
        severity: Severity::Error,
        top: a.top,
        pos: Default::default(),
    };
    Ok(Suite {
        engine: None,
        file: "verdict compare".into(),
        sources,
        checks: Vec::new(),
        diff: None,
        bench: None,
        drift: Vec::new(),
        notify: Vec::new(),
        compare: Some(compare),
    })
}

/// `--columns` and then every other column a `COLUMN=TOL` names; an error
/// when --columns is given and leaves a named column out.
fn tolerance_columns(
    columns: &[String],
    abs: &[(String, f64)],
    rel: &[(String, f64)],
) -> Result<Vec<String>, String> {
    let mut named: Vec<String> = columns.to_vec();
    for (c, _) in abs.iter().chain(rel) {
        if !columns.is_empty() && !columns.contains(c) {
            return Err(format!(
                "a tolerance names `{c}`, which --columns leaves out"
            ));
        }
        if !named.contains(c) {
            named.push(c.clone());
        }
    }
    Ok(named)
}

/// `COLUMN=TOL` pairs and the bare `TOL` that applies to every column.
fn tolerances(args: &[String], flag: &str) -> Result<(f64, Vec<(String, f64)>), String> {
    let mut all = 0.0;
    let mut per = Vec::new();
    for a in args {
        let (col, num) = match a.rsplit_once('=') {
            Some((c, n)) => (Some(c.trim()), n.trim()),
            None => (None, a.trim()),
        };
        let v: f64 = num
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("{flag} {a:?}: the tolerance must be a number ≥ 0"))?;
        match col {
            Some("") => return Err(format!("{flag} {a:?}: the column name is empty")),
            Some(c) => per.push((c.to_string(), v)),
            None => all = v,
        }
    }
    Ok((all, per))
}
