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
use crate::spec::{Check, CheckKind, SourceChecks, SourceSpec};

/// How many offending values a failed `in_set` or `regex` check shows.
const SAMPLE_SIZE: usize = 5;

/// One source's part of the report: what was read, the queries run, the
/// checks.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub name: String,
    pub path: String,
    pub format: Option<&'static str>,
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

/// Runs the checks of `block` on `spec`, registered earlier.
pub async fn run(at: &Setting<'_>, block: &SourceChecks, spec: &SourceSpec) -> SourceReport {
    let mut rep = SourceReport {
        name: spec.name.clone(),
        path: spec.path.clone(),
        format: spec.format.map(|f| f.name()),
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
            evaluate(at, block, l, &mut rep).await;
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

async fn evaluate(at: &Setting<'_>, block: &SourceChecks, loaded: &Loaded, rep: &mut SourceReport) {
    let schema: SchemaRef = loaded.schema.clone();
    let plan = Plan::of(
        block
            .checks
            .iter()
            .filter_map(|c| super::requirements(c, &schema).ok()),
    );
    let mut obs = Observations::default();
    at.progress.step(format!(
        "{}: scanning for {} metrics",
        block.source,
        plan.metrics.len()
    ));
    let (c, name, sch, ms, dialect) = (
        at.ctx.clone(),
        block.source.clone(),
        schema.clone(),
        plan.metrics.clone(),
        loaded.dialect,
    );
    let (values, scans) =
        guarded(async move { exec::aggregate(&c, &name, &sch, &ms, dialect).await })
            .await
            .unwrap_or_else(|e| (Err(e), Vec::new()));
    rep.scans.extend(scans);
    match values {
        Ok(values) => obs.metrics = values,
        Err(e) => {
            rep.error = Some(e);
            rep.checks = unreadable(block, at.now);
            return;
        }
    }
    for k in plan.keys {
        at.progress
            .step(format!("{}: uniqueness of {}", block.source, k.join(", ")));
        let (d, scan) = exec::duplicates(
            at.ctx,
            &block.source,
            &schema,
            &k,
            SAMPLE_SIZE,
            loaded.dialect,
        )
        .await;
        obs.duplicates.insert(k, d);
        rep.scans.push(scan);
    }
    for c in &block.checks {
        if let CheckKind::Sql { query, .. } = &c.kind {
            let (v, scan) = exec::sql_value(at.ctx, &c.name, query).await;
            obs.sql.insert(c.name.clone(), v);
            rep.scans.push(scan);
        }
    }
    obs.changes = baseline::gather(at, block, &mut rep.scans).await;
    if let Some(Ok(Some(Value::Int(n)))) = obs.metrics.get(&Metric::RowCount) {
        rep.rows = u64::try_from(*n).ok();
    }
    rep.checks = block
        .checks
        .iter()
        .map(|c| super::evaluate(c, &schema, &obs, at.now))
        .collect();
    for (c, r) in block.checks.iter().zip(rep.checks.iter_mut()) {
        explain_failure(at.ctx, &block.source, &schema, c, r, &mut rep.scans).await;
    }
}

/// Adds the most frequent offending values to a failed set or pattern
/// check, so the report says which values broke it, not only how many.
async fn explain_failure(
    ctx: &SessionContext,
    table: &str,
    schema: &SchemaRef,
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
