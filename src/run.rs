//! `verdict run`: the sequence of stages of each suite. The models run
//! first (their outputs may be the diff's sources); every source is then
//! registered in one session (an `sql:` check may join any of them); then
//! come the checks of each source, the diff, each drift and the
//! comparison. Each stage is its module's; this file only orders them and
//! hands each the sources it names.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::prelude::SessionContext;

use crate::bench::BenchReport;
use crate::check::setting::Setting;
use crate::check::source as checks;
use crate::compare::{self, CompareReport};
use crate::diff::{self, DiffReport};
use crate::drift::{self, DriftReport};
use crate::engine::{self, guarded};
use crate::report::{Report, SuiteReport};
use crate::source::{self, Loaded};
use crate::spec::diag::Diagnostic;
use crate::spec::parse::SuiteError;
use crate::spec::{
    Bench, CheckKind, CompareSpec, DiffSpec, DriftReference, DriftSpec, Filter, Suite,
};

pub struct Options {
    pub strict: bool,
    pub now: DateTime<Utc>,
    /// The sessions' settings (memory bound).
    pub engine: engine::Settings,
    /// The progress line on stderr (hidden unless on a terminal).
    pub progress: crate::progress::Progress,
    /// Past runs (`--history DIR`), read before the run; None without it.
    pub history: Option<Result<Arc<Vec<crate::history::Row>>, String>>,
    /// `--failed-rows DIR`: where the rows of failed checks are written.
    pub failed_rows: Option<crate::check::failed_rows::Options>,
}

/// Runs every suite. `Err`: a suite is invalid in a way only its sources
/// could show (a `where:` naming a column they do not have, or not true
/// or false); nothing is reported, as for any invalid suite.
pub async fn run(suites: &[Suite], opts: &Options) -> Result<Report, SuiteError> {
    let started = Instant::now();
    let mut reports = Vec::new();
    for suite in suites {
        match run_suite(suite, opts).await {
            Ok(r) => reports.push(r),
            Err(e) => {
                opts.progress.finish();
                return Err(e);
            }
        }
    }
    opts.progress.finish();
    Ok(Report::new(
        reports,
        opts.strict,
        crate::spec::time::format_nanos(crate::spec::time::instant_nanos(&opts.now)),
        started.elapsed().as_secs_f64(),
    ))
}

/// The sources a suite registered, by name: a schema, or why not.
type Registered<'a> = HashMap<&'a str, Result<Loaded, String>>;

async fn run_suite(suite: &Suite, opts: &Options) -> Result<SuiteReport, SuiteError> {
    let settings = opts.engine.with_suite_engine(suite.engine.as_ref());
    let mut report = SuiteReport {
        file: suite.file.clone(),
        engine: settings.engine_for(&suite.sources).to_string(),
        sources: Vec::new(),
        bench: None,
        diff: None,
        drift: Vec::new(),
        compare: None,
    };
    if let Some(bench) = suite.bench.clone() {
        let b = match bench {
            Bench::Commands(spec) => {
                let progress = opts.progress.clone();
                BenchReport::Commands(Box::new(
                    tokio::task::spawn_blocking(move || crate::bench::run(&spec, &progress))
                        .await
                        .expect("the bench does not panic"),
                ))
            }
            Bench::Endpoint(spec) => BenchReport::Endpoint(Box::new(
                crate::bench::endpoint::run(&spec, &opts.progress).await,
            )),
        };
        let broken = b.error().is_some();
        report.bench = Some(b);
        if broken {
            return Ok(report);
        }
    }
    // The command line checked that this session can be built.
    let ctx = settings
        .session_for(&suite.sources)
        .expect("session settings checked at start-up");
    let loaded = register(&ctx, suite, opts).await;
    let invalid = check_filters(&ctx, suite, &loaded).await;
    if !invalid.is_empty() {
        return Err(SuiteError {
            file: suite.file.clone(),
            text: std::fs::read_to_string(&suite.file).unwrap_or_default(),
            diags: invalid,
        });
    }
    let loaded: Registered = loaded
        .into_iter()
        .map(|(k, v)| (k, v.map_err(|(e, _)| e)))
        .collect();
    let at = Setting {
        ctx: &ctx,
        suite: &suite.file,
        loaded: &loaded,
        now: opts.now,
        history: opts.history.as_ref(),
        progress: &opts.progress,
        failed_rows: opts.failed_rows.as_ref(),
    };
    for block in &suite.checks {
        let spec = suite.source(&block.source).expect("validated source name");
        report.sources.push(checks::run(&at, block, spec).await);
    }
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
        report.compare = Some(run_compare(&ctx, suite, spec, &loaded).await);
    }
    Ok(report)
}

/// A source registered, or why not: unreadable, or (with the suite
/// position) a `where:` that does not fit it.
type Opened<'a> = HashMap<&'a str, Result<Loaded, (String, Option<Diagnostic>)>>;

/// Registers every source of the suite, restricted by its `where:`; one
/// that cannot be read is an error on the parts that name it, not an end
/// to the run.
async fn register<'a>(ctx: &SessionContext, suite: &'a Suite, opts: &Options) -> Opened<'a> {
    let mut loaded = HashMap::new();
    for spec in &suite.sources {
        opts.progress
            .step(format!("{}: opening {}", spec.name, spec.path));
        let (c, sp) = (ctx.clone(), spec.clone());
        let r = guarded(async move {
            let loaded = source::register(&c, &sp)
                .await
                .map_err(|e| (crate::error::text(&e), None))?;
            if let Some(f) = &sp.filter {
                source::filter::restrict(&c, &sp.name, f)
                    .await
                    .map_err(|d| (d.message.clone(), Some(d)))?;
                // A database runs the `where` itself: the source becomes
                // the query of its rows that hold it.
                if let Some(db) = &sp.database {
                    let _ = c.deregister_table(sp.name.as_str());
                    let filtered = crate::database::restricted(db, &f.sql);
                    crate::database::register(&c, &sp.name, &filtered)
                        .await
                        .map_err(|e| (crate::error::text(&e), None))?;
                }
            }
            Ok(loaded)
        })
        .await;
        loaded.insert(spec.name.as_str(), r.unwrap_or_else(|e| Err((e, None))));
    }
    loaded
}

/// The `where:` of every source and check that does not fit its source's
/// columns. A source that could not be read is left to the parts that
/// read it.
async fn check_filters(
    ctx: &SessionContext,
    suite: &Suite,
    loaded: &Opened<'_>,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = loaded
        .values()
        .filter_map(|r| r.as_ref().err().and_then(|(_, d)| d.clone()))
        .collect();
    for block in &suite.checks {
        if !matches!(loaded.get(block.source.as_str()), Some(Ok(_))) {
            continue;
        }
        for c in &block.checks {
            let expression = match &c.kind {
                CheckKind::Expression { sql } => Some(Filter {
                    sql: sql.clone(),
                    pos: c.pos,
                }),
                _ => None,
            };
            let plans = [("where", c.filter.clone()), ("expression", expression)];
            for (what, f) in plans {
                let Some(f) = f else { continue };
                // A check's expression is over the rows its `where` keeps.
                let table = match (&c.filter, what) {
                    (Some(w), "expression") => {
                        match source::filter::scoped(ctx, &block.source, w).await {
                            Ok(t) => t,
                            Err(_) => continue,
                        }
                    }
                    _ => block.source.clone(),
                };
                let on = (table.as_str(), block.source.as_str());
                if let Err(d) = source::filter::check(ctx, on, what, &c.name, &f).await {
                    out.push(d);
                }
            }
        }
    }
    out.sort_by_key(|d| d.pos);
    out
}

/// The schema of a registered source, or why a part that reads it cannot.
fn schema_of(loaded: &Registered, name: &str) -> Result<SchemaRef, String> {
    match &loaded[name] {
        Ok(l) => Ok(l.schema.clone()),
        Err(e) => Err(format!("source `{name}` could not be read: {e}")),
    }
}

async fn run_diff(ctx: &SessionContext, spec: &DiffSpec, loaded: &Registered<'_>) -> DiffReport {
    let truth = spec.truth.as_ref().map(|t| schema_of(loaded, &t.source));
    let (b, c, t) = match (
        schema_of(loaded, &spec.baseline),
        schema_of(loaded, &spec.candidate),
        truth,
    ) {
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Some(Err(e))) => {
            return DiffReport::new(spec).failed(e)
        }
        (Ok(b), Ok(c), t) => (b, c, t.map(|t| t.expect("checked above"))),
    };
    let dialect = |name: &str| loaded[name].as_ref().ok().and_then(|l| l.dialect);
    let (bd, cd) = (dialect(&spec.baseline), dialect(&spec.candidate));
    let (ctx2, spec2) = (ctx.clone(), spec.clone());
    guarded(async move {
        let side = |schema, dialect| diff::Side { schema, dialect };
        diff::run(&ctx2, &spec2, side(&b, bd), side(&c, cd), t.as_deref()).await
    })
    .await
    .unwrap_or_else(|e| DiffReport::new(spec).failed(e))
}

async fn run_drift(ctx: &SessionContext, spec: &DriftSpec, loaded: &Registered<'_>) -> DriftReport {
    let current = match schema_of(loaded, &spec.source) {
        Ok(s) => s,
        Err(e) => return DriftReport::new(spec).failed(spec, e),
    };
    let reference = match &spec.reference {
        DriftReference::Source(r) => match schema_of(loaded, r) {
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

async fn run_compare(
    ctx: &SessionContext,
    suite: &Suite,
    spec: &CompareSpec,
    loaded: &Registered<'_>,
) -> CompareReport {
    let envs: Vec<compare::Env> = spec
        .sources
        .iter()
        .map(|name| {
            let src = suite.source(name).expect("validated source name");
            compare::Env {
                name: name.clone(),
                path: src.path.clone(),
                schema: match &loaded[name.as_str()] {
                    Ok(l) => Ok(l.schema.clone()),
                    Err(e) => Err(e.clone()),
                },
                dialect: src.database.as_ref().map(|d| d.url.dialect),
            }
        })
        .collect();
    let (ctx2, spec2, envs2) = (ctx.clone(), spec.clone(), envs.clone());
    guarded(async move { compare::run(&ctx2, &spec2, &envs2).await })
        .await
        .unwrap_or_else(|e| compare::broken(spec, &envs, e))
}
