//! `verdict run`: for each suite, register its sources, compute what its
//! checks need (one shared aggregate per source, one group-by per
//! uniqueness key, the user's SQL), evaluate, and assemble the report.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::{SessionConfig, SessionContext};

use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::SessionStateBuilder;

use crate::bench;
use crate::check::change::Baseline;
use crate::check::{self, CheckResult, Observations};
use crate::diff::{self, DiffReport};
use crate::drift::{self, DriftReport};
use crate::metric::exec;
use crate::metric::{Metric, Value};
use crate::report::{Report, SourceReport, SuiteReport};
use crate::source::{self, Loaded};
use crate::spec::{ChangeVs, CheckKind, DriftReference, DriftSpec, SourceChecks, Suite};

pub struct Options {
    pub strict: bool,
    pub now: DateTime<Utc>,
    /// Bytes DataFusion's memory pool may hold; beyond it, sorts and joins
    /// spill to disk.
    pub memory_limit: Option<usize>,
    /// The progress line on stderr (hidden unless on a terminal).
    pub progress: crate::progress::Progress,
    /// Past runs (`--history DIR`), read before the run; None without it.
    pub history: Option<Result<std::sync::Arc<Vec<crate::history::Row>>, String>>,
}

/// A session for files, without limits.
pub fn session() -> SessionContext {
    session_with(None, false).expect("a session without limits")
}

/// A session for one source alone (`verdict schema`, `profile`, saved
/// references): federated when the source is a database.
pub fn session_for(spec: &crate::spec::SourceSpec) -> SessionContext {
    session_with(None, spec.database.is_some()).expect("a session without limits")
}

/// A session whose memory pool is bounded when `memory_limit` is set. The
/// bounded session plans joins as sort-merge joins, which spill; hash joins
/// would fail instead when their table outgrows the pool.
///
/// `federated` adds datafusion-federation's optimizer rule and planner: a
/// sub-plan that reads only one database's tables (an aggregate, a filter,
/// a group-by) becomes one SQL statement run by that database. Suites
/// without database sources keep DataFusion's own planner.
pub fn session_with(
    memory_limit: Option<usize>,
    federated: bool,
) -> Result<SessionContext, String> {
    // Statistics let DataFusion answer counts and min/max from Parquet footers.
    let mut config = SessionConfig::from_env()
        .map_err(|e| e.to_string())?
        .with_information_schema(false)
        .with_collect_statistics(true);
    let mut runtime = RuntimeEnvBuilder::new();
    if let Some(limit) = memory_limit {
        config = config.set_bool("datafusion.optimizer.prefer_hash_join", false);
        runtime = runtime.with_memory_limit(limit, 1.0);
    }
    let runtime = runtime
        .build_arc()
        .map_err(|e| format!("cannot set up the memory pool: {e}"))?;
    let mut state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features();
    if federated {
        state = state
            .with_optimizer_rules(datafusion_federation::default_optimizer_rules())
            .with_query_planner(Arc::new(datafusion_federation::FederatedQueryPlanner::new()));
    }
    Ok(SessionContext::new_with_state(state.build()))
}

pub async fn run(suites: &[Suite], opts: &Options) -> Report {
    let started = Instant::now();
    let mut reports = Vec::new();
    for suite in suites {
        reports.push(run_suite(suite, opts).await);
    }
    opts.progress.finish();
    Report::new(
        reports,
        opts.strict,
        crate::spec::time::format_nanos(opts.now.timestamp_nanos_opt().unwrap_or(0)),
        started.elapsed().as_secs_f64(),
    )
}

async fn run_suite(suite: &Suite, opts: &Options) -> SuiteReport {
    let mut report = SuiteReport {
        file: suite.file.clone(),
        sources: Vec::new(),
        bench: None,
        diff: None,
        drift: Vec::new(),
        compare: None,
    };
    // The models run first: their outputs may be the diff's sources.
    if let Some(spec) = suite.bench.clone() {
        let progress = opts.progress.clone();
        let b = tokio::task::spawn_blocking(move || bench::run(&spec, &progress))
            .await
            .expect("the bench does not panic");
        let broken = b.error.is_some();
        report.bench = Some(b);
        if broken {
            return report;
        }
    }
    // The command line checked that this memory pool can be built.
    let federated = suite.sources.iter().any(|s| s.database.is_some());
    let ctx =
        session_with(opts.memory_limit, federated).expect("a memory pool checked at start-up");
    // Every source is registered first: an `sql:` check may join any of them.
    let mut loaded: HashMap<&str, Result<Loaded, String>> = HashMap::new();
    for spec in &suite.sources {
        opts.progress
            .step(format!("{}: opening {}", spec.name, spec.path));
        let (c, sp) = (ctx.clone(), spec.clone());
        let r = guarded(async move { source::register(&c, &sp).await }).await;
        loaded.insert(spec.name.as_str(), r.and_then(|x| x));
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
                rep.checks = unreadable(block, opts.now);
            }
            Ok(l) => {
                rep.format = Some(l.format);
                rep.files = l.files;
                rep.load_seconds = l.seconds;
                let at = Place {
                    suite: &suite.file,
                    loaded: &loaded,
                };
                evaluate_source(&ctx, block, l.schema.clone(), opts, &at, &mut rep).await;
            }
        }
        sources.push(rep);
    }
    report.sources = sources;
    if let Some(spec) = &suite.diff {
        opts.progress.step(format!(
            "diff: joining {} and {}",
            spec.baseline, spec.candidate
        ));
        report.diff = Some(run_diff(&ctx, spec, &loaded).await);
    }
    for spec in &suite.drift {
        opts.progress.step(format!(
            "drift: {} against {}",
            spec.source,
            match &spec.reference {
                DriftReference::Source(r) | DriftReference::Saved(r) => r,
            }
        ));
        report.drift.push(run_drift(&ctx, spec, &loaded).await);
    }
    if let Some(spec) = &suite.compare {
        opts.progress
            .step(format!("compare: {}", spec.sources.join(", ")));
        let envs: Vec<crate::compare::Env> = spec
            .sources
            .iter()
            .map(|name| {
                let src = suite.source(name).expect("validated source name");
                crate::compare::Env {
                    name: name.clone(),
                    path: src.path.clone(),
                    schema: match &loaded[name.as_str()] {
                        Ok(l) => Ok(l.schema.clone()),
                        Err(e) => Err(e.clone()),
                    },
                    engine: src.database.as_ref().map(|d| d.url.engine),
                }
            })
            .collect();
        let (ctx2, spec2) = (ctx.clone(), spec.clone());
        let envs2 = envs.clone();
        let compared =
            guarded(async move { crate::compare::run(&ctx2, &spec2, &envs2).await }).await;
        report.compare = Some(compared.unwrap_or_else(|e| crate::compare::broken(spec, &envs, e)));
    }
    report
}

async fn run_drift(
    ctx: &SessionContext,
    spec: &DriftSpec,
    loaded: &HashMap<&str, Result<Loaded, String>>,
) -> DriftReport {
    let schema = |name: &str| match &loaded[name] {
        Ok(l) => Ok(l.schema.clone()),
        Err(e) => Err(format!("source `{name}` could not be read: {e}")),
    };
    let current = match schema(&spec.source) {
        Ok(s) => s,
        Err(e) => return DriftReport::new(spec).failed(spec, e),
    };
    let reference = match &spec.reference {
        DriftReference::Source(r) => match schema(r) {
            Ok(s) => Some(s),
            Err(e) => return DriftReport::new(spec).failed(spec, e),
        },
        DriftReference::Saved(_) => None,
    };
    let (ctx2, spec2) = (ctx.clone(), spec.clone());
    guarded(async move { drift::run(&ctx2, &spec2, &current, reference.as_deref()).await })
        .await
        .unwrap_or_else(|e| DriftReport::new(spec).failed(spec, e))
}

async fn run_diff(
    ctx: &SessionContext,
    spec: &crate::spec::DiffSpec,
    loaded: &HashMap<&str, Result<Loaded, String>>,
) -> DiffReport {
    let schema = |name: &str| match &loaded[name] {
        Ok(l) => Ok(l.schema.clone()),
        Err(e) => Err(format!("source `{name}` could not be read: {e}")),
    };
    let truth = spec.truth.as_ref().map(|t| schema(&t.source));
    let (b, c, t) = match (schema(&spec.baseline), schema(&spec.candidate), truth) {
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Some(Err(e))) => {
            return DiffReport::new(spec).failed(e)
        }
        (Ok(b), Ok(c), t) => (b, c, t.map(|t| t.expect("checked above"))),
    };
    let (ctx2, spec2) = (ctx.clone(), spec.clone());
    guarded(async move { diff::run(&ctx2, &spec2, &b, &c, t.as_deref()).await })
        .await
        .unwrap_or_else(|e| DiffReport::new(spec).failed(e))
}

/// Runs `fut` as its own task so that a panic inside a reader becomes an
/// error on the source instead of ending the run without a report.
pub async fn guarded<T: Send + 'static>(
    fut: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, String> {
    tokio::spawn(fut).await.map_err(|e| {
        let why = e
            .try_into_panic()
            .ok()
            .and_then(|p| {
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            })
            .unwrap_or_else(|| "task failed".into());
        format!("internal error while reading: {why}")
    })
}

/// Every check of a source that could not be read is an error; the reason
/// is on the source (`error`), not repeated on each check.
fn unreadable(block: &SourceChecks, now: DateTime<Utc>) -> Vec<CheckResult> {
    block
        .checks
        .iter()
        .map(|c| {
            CheckResult::new(c, check::expected_text(c, now))
                .error(format!("source `{}` could not be read", block.source))
        })
        .collect()
}

/// Where a source's checks run: the suite file (for the history) and every
/// source of the suite (for `change_vs` references).
struct Place<'a> {
    suite: &'a str,
    loaded: &'a HashMap<&'a str, Result<Loaded, String>>,
}

async fn evaluate_source(
    ctx: &SessionContext,
    block: &SourceChecks,
    schema: SchemaRef,
    opts: &Options,
    at: &Place<'_>,
    rep: &mut SourceReport,
) {
    let mut metrics: Vec<Metric> = Vec::new();
    let mut keys: Vec<Vec<String>> = Vec::new();
    for c in &block.checks {
        let Ok(needs) = check::requirements(c, &schema) else {
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
    let engine = at
        .loaded
        .get(block.source.as_str())
        .and_then(|l| l.as_ref().ok())
        .and_then(|l| l.engine);
    let mut obs = Observations::default();
    opts.progress.step(format!(
        "{}: scanning for {} metrics",
        block.source,
        metrics.len()
    ));
    let (c, name, sch, ms) = (
        ctx.clone(),
        block.source.clone(),
        schema.clone(),
        metrics.clone(),
    );
    let (values, scans) =
        guarded(async move { exec::aggregate(&c, &name, &sch, &ms, engine).await })
            .await
            .unwrap_or_else(|e| (Err(e), Vec::new()));
    rep.scans.extend(scans);
    match values {
        Ok(values) => obs.metrics = values,
        Err(e) => {
            rep.error = Some(e.clone());
            rep.checks = unreadable(block, opts.now);
            return;
        }
    }
    for k in keys {
        opts.progress
            .step(format!("{}: uniqueness of {}", block.source, k.join(", ")));
        let (d, scan) =
            exec::duplicates(ctx, &block.source, &schema, &k, SAMPLE_SIZE, engine).await;
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
    obs.changes = changes(ctx, block, opts, at, &mut rep.scans).await;
    if let Some(Ok(Some(Value::Int(n)))) = obs.metrics.get(&Metric::RowCount) {
        rep.rows = u64::try_from(*n).ok();
    }
    rep.checks = block
        .checks
        .iter()
        .map(|c| check::evaluate(c, &schema, &obs, opts.now))
        .collect();
    for (c, r) in block.checks.iter().zip(rep.checks.iter_mut()) {
        explain_failure(ctx, &block.source, &schema, c, r, &mut rep.scans).await;
    }
}

/// What each `change_vs` check compares with: the same check evaluated on
/// its reference source (one aggregate per reference source), or the
/// check's last values in the history.
async fn changes(
    ctx: &SessionContext,
    block: &SourceChecks,
    opts: &Options,
    at: &Place<'_>,
    scans: &mut Vec<exec::Scan>,
) -> HashMap<String, Result<Baseline, String>> {
    let mut out = HashMap::new();
    let mut by_reference: Vec<(&str, Vec<&crate::spec::Check>)> = Vec::new();
    for c in &block.checks {
        match c.change.as_ref().map(|ch| &ch.against) {
            None => {}
            Some(ChangeVs::History { window }) => {
                out.insert(
                    c.name.clone(),
                    history_values(opts, at.suite, &block.source, c, *window),
                );
            }
            Some(ChangeVs::Source(r)) => match by_reference.iter_mut().find(|(n, _)| n == r) {
                Some((_, list)) => list.push(c),
                None => by_reference.push((r.as_str(), vec![c])),
            },
        }
    }
    for (reference, checks) in by_reference {
        let (schema, engine) = match &at.loaded[reference] {
            Ok(l) => (l.schema.clone(), l.engine),
            Err(e) => {
                for c in checks {
                    out.insert(
                        c.name.clone(),
                        Err(format!(
                            "the reference `{reference}` could not be read: {e}"
                        )),
                    );
                }
                continue;
            }
        };
        let plain: Vec<crate::spec::Check> = checks
            .iter()
            .map(|c| crate::spec::Check {
                change: None,
                ..(*c).clone()
            })
            .collect();
        let mut metrics: Vec<Metric> = Vec::new();
        for c in &plain {
            if let Ok(needs) = check::requirements(c, &schema) {
                for m in needs.metrics {
                    if !metrics.contains(&m) {
                        metrics.push(m);
                    }
                }
            }
        }
        let (values, s) = exec::aggregate(ctx, reference, &schema, &metrics, engine).await;
        scans.extend(s.into_iter().map(|mut x| {
            x.label = format!("{} of reference `{reference}`", x.label);
            x
        }));
        let ref_obs = Observations {
            metrics: match values {
                Ok(v) => v,
                Err(e) => {
                    for c in &plain {
                        out.insert(
                            c.name.clone(),
                            Err(format!("the reference `{reference}`: {e}")),
                        );
                    }
                    continue;
                }
            },
            ..Observations::default()
        };
        for c in &plain {
            let r = check::evaluate(c, &schema, &ref_obs, opts.now);
            let baseline = match (r.status, r.observed) {
                (check::Status::Error, _) | (_, None) => Err(format!(
                    "on the reference `{reference}`: {}",
                    r.why.unwrap_or_else(|| "no value".into())
                )),
                (_, Some(value)) => Ok(Baseline::Reference {
                    source: reference.to_string(),
                    value,
                }),
            };
            out.insert(c.name.clone(), baseline);
        }
    }
    out
}

fn history_values(
    opts: &Options,
    suite: &str,
    source: &str,
    c: &crate::spec::Check,
    window: usize,
) -> Result<Baseline, String> {
    let rows = match &opts.history {
        None => {
            return Err(
                "`change_vs: history` needs `--history DIR` (where past runs are kept)".into(),
            )
        }
        Some(Err(e)) => return Err(e.clone()),
        Some(Ok(rows)) => rows,
    };
    let keyword = c.kind.keyword();
    let mut values: Vec<f64> = rows
        .iter()
        .filter(|r| {
            r.suite == suite && r.source == source && r.check == c.name && r.metric == keyword
        })
        .map(|r| r.value)
        .collect();
    let skip = values.len().saturating_sub(window);
    values.drain(..skip);
    Ok(Baseline::History { values })
}

/// How many offending values a failed `in_set` or `regex` check shows.
const SAMPLE_SIZE: usize = 5;

/// Adds the most frequent offending values to a failed set or pattern
/// check, so the report says which values broke it, not only how many.
async fn explain_failure(
    ctx: &SessionContext,
    table: &str,
    schema: &SchemaRef,
    c: &crate::spec::Check,
    r: &mut CheckResult,
    scans: &mut Vec<exec::Scan>,
) {
    if r.status != check::Status::Fail {
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
