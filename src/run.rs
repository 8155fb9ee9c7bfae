//! `verdict run`: for each suite, register its sources, compute what its
//! checks need (one shared aggregate per source, one group-by per
//! uniqueness key, the user's SQL), evaluate, and assemble the report.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Utc};
use datafusion::arrow::datatypes::Schema;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::check::{self, CheckResult, Observations};
use crate::metric::exec;
use crate::metric::{Metric, Value};
use crate::report::{Report, SourceReport, SuiteReport};
use crate::source::{self, Loaded};
use crate::spec::{CheckKind, SourceChecks, Suite};

pub struct Options {
    pub strict: bool,
    pub now: DateTime<Utc>,
}

pub fn session() -> SessionContext {
    // Statistics let DataFusion answer counts and min/max from Parquet footers.
    let config = SessionConfig::new()
        .with_information_schema(false)
        .with_collect_statistics(true);
    SessionContext::new_with_config(config)
}

pub async fn run(suites: &[Suite], opts: &Options) -> Report {
    let started = Instant::now();
    let mut reports = Vec::new();
    for suite in suites {
        reports.push(run_suite(suite, opts).await);
    }
    Report::new(
        reports,
        opts.strict,
        crate::spec::time::format_nanos(opts.now.timestamp_nanos_opt().unwrap_or(0)),
        started.elapsed().as_secs_f64(),
    )
}

async fn run_suite(suite: &Suite, opts: &Options) -> SuiteReport {
    let ctx = session();
    // Every source is registered first: an `sql:` check may join any of them.
    let mut loaded: HashMap<&str, Result<Loaded, String>> = HashMap::new();
    for spec in &suite.sources {
        loaded.insert(spec.name.as_str(), source::register(&ctx, spec).await);
    }
    let mut sources = Vec::new();
    for block in &suite.checks {
        let spec = suite.source(&block.source).expect("validated source name");
        let mut rep = SourceReport {
            name: spec.name.clone(),
            path: spec.path.clone(),
            format: spec.format.map(|f| f.name()),
            files: None,
            rows: None,
            error: None,
            load_seconds: 0.0,
            scans: Vec::new(),
            checks: Vec::new(),
        };
        match &loaded[spec.name.as_str()] {
            Err(e) => {
                rep.error = Some(e.clone());
                rep.checks = unreadable(block, e, opts.now);
            }
            Ok(l) => {
                rep.format = Some(l.format.name());
                rep.files = Some(l.files);
                rep.load_seconds = l.seconds;
                evaluate_source(&ctx, block, &l.schema, opts, &mut rep).await;
            }
        }
        sources.push(rep);
    }
    SuiteReport {
        file: suite.file.clone(),
        sources,
    }
}

fn unreadable(block: &SourceChecks, e: &str, now: DateTime<Utc>) -> Vec<CheckResult> {
    block
        .checks
        .iter()
        .map(|c| {
            CheckResult::new(c, check::expected_text(c, now))
                .error(format!("source `{}` could not be read: {e}", block.source))
        })
        .collect()
}

async fn evaluate_source(
    ctx: &SessionContext,
    block: &SourceChecks,
    schema: &Schema,
    opts: &Options,
    rep: &mut SourceReport,
) {
    let mut metrics: Vec<Metric> = Vec::new();
    let mut keys: Vec<Vec<String>> = Vec::new();
    for c in &block.checks {
        let Ok(needs) = check::requirements(c, schema) else {
            continue;
        };
        for m in needs.metrics {
            if !metrics.contains(&m) {
                metrics.push(m);
            }
        }
        if let Some(k) = needs.duplicates {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let mut obs = Observations::default();
    let (values, scans) = exec::aggregate(ctx, &block.source, schema, &metrics).await;
    rep.scans.extend(scans);
    match values {
        Ok(values) => obs.metrics = values,
        Err(e) => {
            rep.error = Some(e.clone());
            rep.checks = unreadable(block, &e, opts.now);
            return;
        }
    }
    for k in keys {
        let (d, scan) = exec::duplicates(ctx, &block.source, &k).await;
        obs.duplicates.insert(k, d);
        rep.scans.push(scan);
    }
    for c in &block.checks {
        if let CheckKind::Sql { query, .. } = &c.kind {
            let (v, scan) = exec::sql_value(ctx, &c.name, query).await;
            obs.sql.insert(c.name.clone(), v);
            rep.scans.push(scan);
        }
    }
    if let Some(Ok(Some(Value::Int(n)))) = obs.metrics.get(&Metric::RowCount) {
        rep.rows = u64::try_from(*n).ok();
    }
    rep.checks = block
        .checks
        .iter()
        .map(|c| check::evaluate(c, schema, &obs, opts.now))
        .collect();
}
