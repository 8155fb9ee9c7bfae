//! The checks of one source, end to end: plan what they need (one shared
//! aggregate, one query per uniqueness key, the user's SQL), measure it,
//! gather the `change_vs` baselines, judge every check (pure, `super`),
//! and, for a failed set or pattern check, fetch the offending values.
//! A source that cannot be read turns each of its checks into an error
//! with the reason on the source; nothing passes unevaluated.

use chrono::{DateTime, Utc};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::SessionContext;
use serde::Serialize;

use super::setting::Setting;
use super::{baseline, CheckResult, Observations, Status};
use crate::engine::guarded;
use crate::metric::exec::{self, Scan};
use crate::metric::plan::Plan;
use crate::metric::{Metric, Value};
use crate::source::Loaded;
use crate::spec::{Check, CheckKind, Filter, SourceChecks, SourceSpec};

/// How many offending values a failed `in_set` or `regex` check shows.
const SAMPLE_SIZE: usize = 5;

/// One source's part of the report: what was read, the queries run, the
/// checks.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub path: String,
    pub format: Option<&'static str>,
    /// The source's `where:`: every check saw only the rows it keeps.
    #[serde(rename = "where", skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    pub files: Option<usize>,
    /// For an object store: its objects and what the checks read of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<crate::source::ObjectReads>,
    /// Row count, when a check needed it.
    pub rows: Option<u64>,
    /// Why the source could not be read, if it could not.
    pub error: Option<String>,
    /// Seconds spent listing files and inferring the schema.
    pub load_seconds: f64,
    pub scans: Vec<Scan>,
    pub checks: Vec<CheckResult>,
}

impl SourceReport {
    /// What the source's first aggregate over all its rows read of its
    /// files.
    pub fn file_reads(&self) -> Option<crate::engine::FileReads> {
        self.scans
            .iter()
            .find(|s| s.kind == "aggregate" && s.filter.is_none())
            .and_then(|s| s.read)
    }
}

/// Runs the checks of `block` on `spec`, registered earlier.
pub async fn run(at: &Setting<'_>, block: &SourceChecks, spec: &SourceSpec) -> SourceReport {
    let mut rep = SourceReport {
        name: spec.name.clone(),
        path: spec.path.clone(),
        format: spec.format.map(|f| f.name()),
        filter: spec.filter.as_ref().map(|f| f.sql.clone()),
        files: None,
        read: None,
        rows: None,
        error: None,
        load_seconds: 0.0,
        scans: Vec::new(),
        checks: Vec::new(),
    };
    match &at.loaded[spec.name.as_str()] {
        Err(e) => {
            rep.error = Some(e.clone());
            rep.checks = unreadable(block, at.now);
        }
        Ok(l) => {
            rep.format = Some(l.format);
            rep.files = l.files;
            rep.load_seconds = l.seconds;
            evaluate(at, block, spec, l, &mut rep).await;
            let on_cluster = crate::engine::on_cluster(at.ctx);
            rep.read = l.remote.as_ref().map(|r| r.read(on_cluster));
        }
    }
    rep
}

/// Every check of a source that could not be read is an error; the reason
/// is on the source (`error`), not repeated on each check.
fn unreadable(block: &SourceChecks, now: DateTime<Utc>) -> Vec<CheckResult> {
    block
        .checks
        .iter()
        .map(|c| {
            CheckResult::new(c, super::expected_text(c, now))
                .error(format!("source `{}` could not be read", block.source))
        })
        .collect()
}

async fn evaluate(
    at: &Setting<'_>,
    block: &SourceChecks,
    spec: &SourceSpec,
    loaded: &Loaded,
    rep: &mut SourceReport,
) {
    // Checks with the same `where` share a scope: one aggregate over the
    // rows it keeps. The whole source comes first.
    let mut scopes: Vec<(Option<&Filter>, Vec<usize>)> = vec![(None, Vec::new())];
    for (i, c) in block.checks.iter().enumerate() {
        let sql = |f: Option<&Filter>| f.map(|f| f.sql.clone());
        match scopes
            .iter_mut()
            .find(|(f, _)| sql(*f) == sql(c.filter.as_ref()))
        {
            Some((_, idx)) => idx.push(i),
            None => scopes.push((c.filter.as_ref(), vec![i])),
        }
    }
    let mut results: Vec<Option<CheckResult>> = vec![None; block.checks.len()];
    for (filter, idx) in scopes {
        if idx.is_empty() {
            continue;
        }
        let checks: Vec<Check> = idx.iter().map(|i| block.checks[*i].clone()).collect();
        let table = match filter {
            None => Ok(block.source.clone()),
            Some(f) => crate::source::filter::scoped(at.ctx, &block.source, f).await,
        };
        let judged = match table {
            Ok(table) => scope(at, (block, spec), &checks, &table, filter, loaded, rep).await,
            Err(e) => Err(e),
        };
        match (judged, filter) {
            (Ok(judged), _) => {
                for (i, r) in idx.into_iter().zip(judged) {
                    results[i] = Some(r);
                }
            }
            // The source itself cannot be read: nothing of it is judged.
            (Err(e), None) => {
                rep.error = Some(e);
                rep.checks = unreadable(block, at.now);
                return;
            }
            (Err(e), Some(f)) => {
                for (i, c) in idx.into_iter().zip(&checks) {
                    results[i] = Some(
                        CheckResult::new(c, super::expected_text(c, at.now))
                            .error(format!("the rows `where {}` could not be read: {e}", f.sql)),
                    );
                }
            }
        }
    }
    rep.checks = results
        .into_iter()
        .map(|r| r.expect("every check is in one scope"))
        .collect();
}

/// Measures and judges `checks` over `table`: the source, or the view of
/// the rows their `where` keeps. `Err`: the table could not be read.
async fn scope(
    at: &Setting<'_>,
    (block, spec): (&SourceChecks, &SourceSpec),
    checks: &[Check],
    table: &str,
    filter: Option<&Filter>,
    loaded: &Loaded,
    rep: &mut SourceReport,
) -> Result<Vec<CheckResult>, String> {
    let schema: SchemaRef = loaded.schema.clone();
    let plan = Plan::of(
        checks
            .iter()
            .filter_map(|c| super::requirements(c, &schema).ok()),
    );
    let mut obs = Observations::default();
    let scope_text = match filter {
        None => block.source.clone(),
        Some(f) => format!("{} where {}", block.source, f.sql),
    };
    at.progress.step(format!(
        "{scope_text}: scanning for {} metrics",
        plan.metrics.len()
    ));
    let (c, name, sch, ms, dialect) = (
        at.ctx.clone(),
        table.to_string(),
        schema.clone(),
        plan.metrics.clone(),
        loaded.dialect,
    );
    let (values, scans, offending) =
        guarded(async move { exec::aggregate_explaining(&c, &name, &sch, &ms, dialect).await })
            .await
            .unwrap_or_else(|e| (Err(e), Vec::new(), Default::default()));
    rep.scans
        .extend(scans.into_iter().map(|s| s.within(filter)));
    obs.metrics = values?;
    // With `--failed-rows`, as many duplicated keys as rows are written:
    // their rows are then found by a filter that stops at the limit.
    let keys_wanted = at
        .failed_rows
        .map_or(SAMPLE_SIZE, |o| o.limit.max(SAMPLE_SIZE));
    let mut duplicated_keys = std::collections::HashMap::new();
    for k in plan.keys {
        at.progress
            .step(format!("{scope_text}: uniqueness of {}", k.join(", ")));
        let (mut d, scan) =
            exec::duplicates(at.ctx, table, &schema, &k, keys_wanted, loaded.dialect).await;
        if let Ok(dup) = &mut d {
            duplicated_keys.insert(k.clone(), dup.sample.clone());
            dup.sample.truncate(SAMPLE_SIZE);
        }
        obs.duplicates.insert(k, d);
        rep.scans.push(scan.within(filter));
    }
    for c in checks {
        match &c.kind {
            CheckKind::Sql { query, .. } => {
                let (v, scan) = exec::sql_value(at.ctx, &c.name, query).await;
                obs.sql.insert(c.name.clone(), v);
                rep.scans.push(scan);
            }
            CheckKind::References {
                columns,
                source,
                to,
            } if super::requirements(c, &schema).is_ok() => {
                let parent = match &at.loaded[source.as_str()] {
                    Ok(l) => {
                        super::requirements::referenced(&schema, columns, source, &l.schema, to)
                    }
                    Err(e) => Err(format!(
                        "the referenced source `{source}` could not be read: {e}"
                    )),
                };
                if let Err(e) = parent {
                    obs.orphans.insert(c.name.clone(), Err(e));
                    continue;
                }
                at.progress
                    .step(format!("{scope_text}: {} in {source}", columns.join(", ")));
                let (o, scan) =
                    exec::orphans(at.ctx, table, columns, source, to, SAMPLE_SIZE).await;
                obs.orphans.insert(c.name.clone(), o);
                rep.scans.push(scan.within(filter));
            }
            _ => {}
        }
    }
    let sub = SourceChecks {
        source: block.source.clone(),
        checks: checks.to_vec(),
    };
    obs.changes = baseline::gather(at, &sub, filter, &mut rep.scans).await;
    if filter.is_none() {
        if let Some(Ok(Some(Value::Int(n)))) = obs.metrics.get(&Metric::RowCount) {
            rep.rows = u64::try_from(*n).ok();
        }
    }
    let mut judged: Vec<CheckResult> = checks
        .iter()
        .map(|c| super::evaluate(c, &schema, &obs, at.now))
        .collect();
    for (c, r) in checks.iter().zip(judged.iter_mut()) {
        let mut found = Vec::new();
        explain_failure(at.ctx, (table, &schema), &offending, c, r, &mut found).await;
        rep.scans
            .extend(found.into_iter().map(|s| s.within(filter)));
        if let Some(opts) = at.failed_rows {
            let started = std::time::Instant::now();
            let keys = match &c.kind {
                CheckKind::Unique { columns } => duplicated_keys.get(columns).map(Vec::as_slice),
                _ => None,
            };
            let (ctx, on) = (at.ctx, (at.suite, spec));
            crate::check::failed_rows::write(ctx, on, (table, &schema), c, keys, r, opts).await;
            if r.failed_rows.is_some() {
                rep.scans
                    .push(Scan::failed_rows(&c.name, started).within(filter));
            }
        }
    }
    Ok(judged)
}

/// Adds the most frequent offending values to a failed set or pattern
/// check, so the report says which values broke it, not only how many:
/// those the shared scan counted, or else from a query of their own.
async fn explain_failure(
    ctx: &SessionContext,
    (table, schema): (&str, &SchemaRef),
    counted: &exec::OffendingValues,
    c: &Check,
    r: &mut CheckResult,
    scans: &mut Vec<Scan>,
) {
    if r.status != Status::Fail {
        return;
    }
    let Some(m) = CheckResult::offending_metric(c) else {
        return;
    };
    if let Some(found) = counted.get(&m) {
        r.sample = found.iter().take(SAMPLE_SIZE).cloned().collect();
        return;
    }
    let column = m.column().unwrap_or_default().to_string();
    let Ok(field) = schema.field_with_name(&column) else {
        return;
    };
    let Some(pred) = m.violation(field.data_type()) else {
        return;
    };
    let (sample, scan) = exec::offending_values(ctx, table, &column, pred, SAMPLE_SIZE).await;
    scans.push(scan);
    if let Ok(sample) = sample {
        r.sample = sample;
    }
}
