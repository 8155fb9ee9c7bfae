//! The engine: where DataFusion sessions are made, and the one place that
//! knows how. Every layer that needs a session — a run, `verdict schema`,
//! `verdict profile`, a database query being planned, a saved drift
//! reference — asks this module for one; none builds its own.
//!
//! A session is local DataFusion with statistics on (counts and min/max
//! from Parquet footers), settings from `DATAFUSION_*` variables, an
//! optional memory bound under which sorts and joins spill, and, when a
//! database is among its tables, datafusion-federation's planner, which
//! hands every sub-plan that reads one database to that database as SQL.
//! [`Settings`] is what a run chooses; new kinds of tables (object stores)
//! and engines register here.

mod checked_sum;
#[cfg(feature = "cluster")]
pub mod cluster;
#[cfg(feature = "cluster")]
pub mod node;
pub mod spill;

use std::future::Future;
use std::sync::Arc;

use datafusion::error::DataFusionError;
use datafusion::execution::memory_pool::{FairSpillPool, TrackConsumersPool};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::SessionStateBuilder;
use datafusion::logical_expr::{col, Expr};
use datafusion::prelude::{SessionConfig, SessionContext};

use std::collections::HashMap;
use std::sync::Mutex;

use datafusion::datasource::listing::ListingTableUrl;

use crate::source::store::{self, Cloud, Counted, Place, Reads};
use crate::spec::{SourceSpec, Storage};

/// Why a session could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a DATAFUSION_* setting in the environment is invalid")]
    Settings(#[source] DataFusionError),
    #[error("cannot set up the memory pool")]
    MemoryPool(#[source] DataFusionError),
    #[error("cannot make a directory to spill to")]
    Spill(#[source] std::io::Error),
    #[error("cannot set up a client of the cluster")]
    Cluster(#[source] DataFusionError),
    #[error("{0}")]
    NotBuilt(String),
}

pub use crate::spec::engine::Engine;

/// What a run asks of its sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Bytes DataFusion's memory pool may hold; beyond it, sorts and joins
    /// spill to disk.
    pub memory_limit: Option<usize>,
    /// Where plans over files and object stores run (None: not chosen, so
    /// a suite's `engine:`, or embedded). Database sources are always
    /// planned here and pushed down to their database.
    pub engine: Option<Engine>,
}

/// The smallest `--memory-limit`: below it a sort that spilled cannot
/// merge its files back (measured on a 3M-row diff: 48 and 64 MiB pass,
/// 32 MiB fails in some runs, 16 MiB in all, whatever the batch size).
/// Above it a table large enough to spill more files than the bound can
/// merge fails at once, out of memory, and says so.
pub const MIN_MEMORY_LIMIT: usize = 64 << 20;

/// Rows per batch and the merge reservation of each sort under a memory
/// bound of `limit` bytes.
fn spill_sizes(limit: usize) -> (usize, usize) {
    let batch = match limit {
        l if l < 128 << 20 => 1024,
        l if l < 512 << 20 => 4096,
        _ => 8192,
    };
    (batch, (limit / 64).clamp(1 << 20, 10 << 20))
}

impl Settings {
    /// A session for tables of these sources: federated when one of them
    /// is a database, and then embedded whatever the engine (the database
    /// runs the work; a cluster could only pull its rows).
    pub fn session_for<'a>(
        &self,
        sources: impl IntoIterator<Item = &'a SourceSpec>,
    ) -> Result<SessionContext, Error> {
        let federated = sources.into_iter().any(|s| s.database.is_some());
        self.session(federated)
    }

    /// The engine a session for these sources runs on.
    pub fn engine_for<'a>(&self, sources: impl IntoIterator<Item = &'a SourceSpec>) -> Engine {
        match sources.into_iter().any(|s| s.database.is_some()) {
            true => Engine::Embedded,
            false => self.engine.clone().unwrap_or_default(),
        }
    }

    /// These settings for a suite that names `engine` (`engine:`): the
    /// command line's choice wins over the suite's.
    pub fn with_suite_engine(&self, engine: Option<&Engine>) -> Settings {
        Settings {
            memory_limit: self.memory_limit,
            engine: self.engine.clone().or_else(|| engine.cloned()),
        }
    }

    /// A session whose memory pool is bounded when `memory_limit` is set.
    /// The bounded session plans joins as sort-merge joins, which spill;
    /// hash joins would fail instead when their table outgrows the pool.
    ///
    /// `federated` adds datafusion-federation's optimizer rule and planner:
    /// a sub-plan that reads only one database's tables (an aggregate, a
    /// filter, a group-by) becomes one SQL statement run by that database.
    /// Sessions without database sources keep DataFusion's own planner.
    pub fn session(&self, federated: bool) -> Result<SessionContext, Error> {
        let mut config = SessionConfig::from_env()
            .map_err(Error::Settings)?
            .with_information_schema(false)
            .with_collect_statistics(true)
            .with_extension(Arc::new(Stores::default()));
        let mut runtime = RuntimeEnvBuilder::new();
        if let Some(limit) = self.memory_limit {
            config = config.set_bool("datafusion.optimizer.prefer_hash_join", false);
            // What a sort holds outside its spillable share shrinks with
            // the bound: each merge reads a batch of every spill file, and
            // each sort keeps a reservation for its in-memory merge. With
            // DataFusion's defaults (8,192 rows, 10 MiB) a 64 MiB bound
            // fails where these fit (docs/benchmarks.md).
            let (batch, reserve) = spill_sizes(limit);
            config = config
                .with_batch_size(batch)
                .set_usize("datafusion.execution.sort_spill_reservation_bytes", reserve);
            runtime = runtime.with_temp_file_path(spill::dir().map_err(Error::Spill)?);
            // A fair share for each spilling operator: with a greedy pool
            // one side's sort takes the pool and the other's fails.
            runtime = runtime.with_memory_pool(Arc::new(TrackConsumersPool::new(
                FairSpillPool::new(limit),
                std::num::NonZeroUsize::new(5).expect("5 > 0"),
            )));
        }
        let runtime = runtime.build_arc().map_err(Error::MemoryPool)?;
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(runtime)
            .with_default_features();
        #[cfg(feature = "database")]
        let state = match federated {
            true => state
                .with_optimizer_rules(datafusion_federation::default_optimizer_rules())
                .with_query_planner(Arc::new(datafusion_federation::FederatedQueryPlanner::new())),
            false => state,
        };
        let state = match (&self.engine, federated) {
            #[cfg(feature = "cluster")]
            (Some(Engine::Cluster(addr)), false) => {
                cluster::client(state.build(), addr).map_err(Error::Cluster)?
            }
            #[cfg(not(feature = "cluster"))]
            (Some(Engine::Cluster(_)), false) => {
                return Err(Error::NotBuilt(crate::features::CLUSTER.missing()))
            }
            _ => state.build(),
        };
        let ctx = SessionContext::new_with_state(state);
        // A user's `sum` over integers errors on overflow instead of
        // wrapping (checks sum as 256-bit decimals on their own).
        ctx.register_udaf(checked_sum::udaf());
        Ok(ctx)
    }
}

/// The object stores of a session, one per bucket (or HTTP host), with
/// the `storage:` options each was made with. DataFusion keys stores by
/// scheme and bucket: two sources in one bucket share its store (and its
/// read counts), and two that set it up differently cannot both be read.
#[derive(Debug, Default)]
struct Stores(Mutex<HashMap<String, Registered>>);

/// A registered store: the options it was made with, its read counts and
/// where it is.
type Registered = (Storage, Arc<Reads>, Place);

/// The store for `url`'s bucket in `ctx`, made from the environment and
/// `storage` on first use and registered with DataFusion; its read counts
/// and where it is.
pub fn object_store(
    ctx: &SessionContext,
    cloud: Cloud,
    url: &ListingTableUrl,
    storage: &Storage,
) -> Result<(Arc<Reads>, Place), String> {
    let root = url.object_store();
    let key = root.as_str().to_string();
    let state = ctx.state();
    let stores = state
        .config()
        .get_extension::<Stores>()
        .ok_or("the session has no object-store registry")?;
    let mut stores = stores.0.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((made_with, reads, place)) = stores.get(&key) {
        if made_with != storage {
            return Err(format!(
                "two sources read {place} with different `storage:` options; sources in one bucket share one connection, so give them the same options"
            ));
        }
        return Ok((reads.clone(), place.clone()));
    }
    let (store, place) = store::build(cloud, url.get_url(), &storage.0)?;
    let counted = Counted::new(store);
    let reads = counted.reads.clone();
    ctx.register_object_store(root.as_ref(), Arc::new(counted));
    #[cfg(feature = "cluster")]
    cluster::send_store_options(ctx, root.as_str(), &storage.0);
    stores.insert(key, (storage.clone(), reads.clone(), place.clone()));
    Ok((reads, place))
}

/// The bytes `ctx`'s memory pool may hold, when it is bounded
/// (`--memory-limit`): what verdict's own buffers (drift's sorted values,
/// the diff's differences) must move to disk under.
pub fn memory_bound(ctx: &SessionContext) -> Option<usize> {
    match ctx.runtime_env().memory_pool.memory_limit() {
        datafusion::execution::memory_pool::MemoryLimit::Finite(n) => Some(n),
        _ => None,
    }
}

/// Checks each cluster these suites' plans would run on (see
/// [`cluster::handshake`]), once each.
pub async fn check_clusters(
    settings: &Settings,
    suites: &[crate::spec::Suite],
) -> Result<(), String> {
    let mut seen = Vec::new();
    for suite in suites {
        let s = settings.with_suite_engine(suite.engine.as_ref());
        if let Engine::Cluster(addr) = s.engine_for(&suite.sources) {
            if seen.contains(&addr) {
                continue;
            }
            check_engine(&Engine::Cluster(addr.clone())).await?;
            seen.push(addr);
        }
    }
    Ok(())
}

/// Checks that `engine` can run a query now: this process always can; a
/// build without clusters never reaches one.
#[cfg(not(feature = "cluster"))]
pub async fn check_engine(engine: &Engine) -> Result<(), String> {
    match engine {
        Engine::Embedded => Ok(()),
        Engine::Cluster(_) => Err(crate::features::CLUSTER.missing()),
    }
}

/// Checks that `engine` can run a query now (a cluster: see
/// [`cluster::handshake`]; this process always can).
#[cfg(feature = "cluster")]
pub async fn check_engine(engine: &Engine) -> Result<(), String> {
    let Engine::Cluster(addr) = engine else {
        return Ok(());
    };
    let settings = Settings {
        memory_limit: None,
        engine: Some(engine.clone()),
    };
    let ctx = settings
        .session(false)
        .map_err(|e| crate::error::text(&e))?;
    cluster::handshake(&ctx, addr).await
}

/// A session for one source alone (`verdict schema`, `profile`, saved
/// references), without limits, on `engine`.
pub fn session_for_source(spec: &SourceSpec, engine: &Engine) -> Result<SessionContext, Error> {
    let settings = Settings {
        memory_limit: None,
        engine: Some(engine.clone()),
    };
    settings.session_for([spec])
}

/// A federated session for planning a database query before any table of
/// it is registered in the run's session.
pub fn federated() -> Result<SessionContext, Error> {
    Settings::default().session(true)
}

/// `df` planned on its own: each of its sub-plans that reads one database
/// becomes that database's statement now. A plan that joins `df` with
/// another then runs the join here, and never sends both sides to one
/// database as one statement. Two tables of one database joined as one
/// statement hit the SQL writer's limits (both sides' subqueries get the
/// same alias), and the diff needs each side's rows, not the database's
/// join, to be what it reads.
pub fn planned_alone(
    ctx: &SessionContext,
    df: datafusion::dataframe::DataFrame,
) -> Result<datafusion::dataframe::DataFrame, DataFusionError> {
    let plan = df.into_optimized_plan()?;
    Ok(datafusion::dataframe::DataFrame::new(ctx.state(), plan))
}

/// `df` grouped by `groups` with `aggregates`, each named as given, in
/// that order: the groups, then the aggregates. Every `GROUP BY` that may
/// reach a database is built here. DataFusion's SQL writer lists a bare
/// aggregate's values before its groups, the reverse of the plan's own
/// order, and PostgreSQL's reader takes columns by position: the groups
/// would be read as counts and the counts as groups. A renaming projection
/// on top fixes the order of the statement's columns.
pub fn group_by(
    df: datafusion::dataframe::DataFrame,
    groups: Vec<(Expr, &str)>,
    aggregates: Vec<(Expr, &str)>,
) -> Result<datafusion::dataframe::DataFrame, DataFusionError> {
    let inner = |kind: char, i: usize| format!("__verdict_{kind}{i}");
    let named = |kind: char, v: &[(Expr, &str)]| -> (Vec<Expr>, Vec<Expr>) {
        v.iter()
            .enumerate()
            .map(|(i, (e, name))| {
                (
                    e.clone().alias(inner(kind, i)),
                    col(inner(kind, i)).alias(*name),
                )
            })
            .unzip()
    };
    let (g, g_out) = named('g', &groups);
    let (a, a_out) = named('a', &aggregates);
    df.aggregate(g, a)?
        .select(g_out.into_iter().chain(a_out).collect::<Vec<Expr>>())
}

/// Runs `fut` as its own task so that a panic inside a reader becomes an
/// error on the part being read instead of ending the run without a report.
pub async fn guarded<T: Send + 'static>(
    fut: impl Future<Output = T> + Send + 'static,
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

/// The physical plan of `df` on `ctx`'s engine. On a cluster, a plan that
/// file metadata answers alone (a count from Parquet footers) runs here, as
/// the constants DataFusion's optimizer made of it: sending it to the
/// cluster would read nothing either, and only add a round trip. Every
/// other plan is the cluster's.
pub async fn physical_plan(
    ctx: &SessionContext,
    df: datafusion::dataframe::DataFrame,
) -> Result<Arc<dyn datafusion::physical_plan::ExecutionPlan>, DataFusionError> {
    if !on_cluster(ctx) {
        return df.create_physical_plan().await;
    }
    use datafusion::physical_planner::{DefaultPhysicalPlanner, PhysicalPlanner};
    let state = ctx.state();
    let logical = state.optimize(df.logical_plan())?;
    let here = DefaultPhysicalPlanner::default()
        .create_physical_plan(&logical, &state)
        .await?;
    if !reads_rows(here.as_ref()) {
        return Ok(here);
    }
    state.create_physical_plan(df.logical_plan()).await
}

/// Whether `ctx` sends its plans to a cluster.
#[cfg(feature = "cluster")]
pub fn on_cluster(ctx: &SessionContext) -> bool {
    cluster::is_client(ctx)
}

/// Whether `ctx` sends its plans to a cluster: never, in a build without
/// clusters.
#[cfg(not(feature = "cluster"))]
pub fn on_cluster(_ctx: &SessionContext) -> bool {
    false
}

/// Whether running `plan` reads rows: from files, a database, or a cluster
/// (the optimizer replaces aggregates that file statistics answer exactly
/// with constants).
pub fn reads_rows(plan: &dyn datafusion::physical_plan::ExecutionPlan) -> bool {
    matches!(
        plan.name(),
        "DataSourceExec" | "sql_federation_exec" | "DistributedQueryExec"
    ) || plan.children().iter().any(|c| reads_rows(c.as_ref()))
}

/// What the file scans of a plan that has run read: the files it planned
/// to open, the Parquet row groups it looked at and how many of them the
/// statistics let it skip (a `where:` whose values a row group cannot
/// hold), and the bytes it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct FileReads {
    pub files: usize,
    pub row_groups: usize,
    pub row_groups_skipped: usize,
    pub bytes: u64,
}

/// The [`FileReads`] of a plan that has run; `None` when it read no files
/// (a database, a cluster, metadata only).
pub fn file_reads(plan: &dyn datafusion::physical_plan::ExecutionPlan) -> Option<FileReads> {
    use datafusion::datasource::physical_plan::FileScanConfig;
    use datafusion::datasource::source::DataSourceExec;
    use datafusion::physical_plan::metrics::MetricValue;
    fn walk(
        plan: &dyn datafusion::physical_plan::ExecutionPlan,
        files: &mut std::collections::HashSet<String>,
        out: &mut Option<FileReads>,
    ) {
        if let Some(scan) = plan.downcast_ref::<DataSourceExec>() {
            if let Some(config) = scan.data_source().downcast_ref::<FileScanConfig>() {
                let r = out.get_or_insert_with(FileReads::default);
                for group in &config.file_groups {
                    for f in group.iter() {
                        files.insert(f.object_meta.location.to_string());
                    }
                }
                if let Some(m) = plan.metrics() {
                    if let Some(MetricValue::PruningMetrics {
                        pruning_metrics, ..
                    }) = m.sum_by_name("row_groups_pruned_statistics")
                    {
                        r.row_groups += pruning_metrics.pruned() + pruning_metrics.matched();
                        r.row_groups_skipped += pruning_metrics.pruned();
                    }
                    if let Some(b) = m.sum_by_name("bytes_scanned") {
                        r.bytes += b.as_usize() as u64;
                    }
                }
            }
        }
        for c in plan.children() {
            walk(c.as_ref(), files, out);
        }
    }
    let (mut files, mut out) = (std::collections::HashSet::new(), None);
    walk(plan, &mut files, &mut out);
    if let Some(r) = out.as_mut() {
        r.files = files.len();
    }
    out
}
