//! `verdict cluster scheduler` and `verdict cluster executor`: Ballista's
//! scheduler and executor processes, set up to run verdict's plans (see
//! [`super::cluster`]) and to notice a lost executor in seconds rather
//! than Ballista's default three minutes.

use std::net::SocketAddr;
use std::sync::Arc;

use ballista_core::config::TaskSchedulingPolicy;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;

use super::cluster;

/// How often an executor tells the scheduler it is alive, and how long the
/// scheduler waits without a word before it takes an executor for dead and
/// runs its tasks elsewhere.
const HEARTBEAT_SECONDS: u64 = 5;
const EXECUTOR_TIMEOUT_SECONDS: u64 = 20;
/// How long a job waits for an executor when there is none before failing.
const NO_EXECUTORS_GRACE_SECONDS: u64 = 30;

/// What `verdict cluster scheduler` was asked for.
#[derive(Debug, Clone)]
pub struct SchedulerArgs {
    pub bind: SocketAddr,
    /// The host name executors and clients reach this scheduler by.
    pub external_host: String,
}

/// What `verdict cluster executor` was asked for.
#[derive(Debug, Clone)]
pub struct ExecutorArgs {
    pub scheduler: cluster::Address,
    pub bind: SocketAddr,
    /// The port of the executor's task service (the flight port is `bind`'s).
    pub grpc_port: u16,
    /// The host name the scheduler and clients reach this executor by.
    pub external_host: Option<String>,
    /// Tasks run at once (default: the machine's cores).
    pub cores: Option<usize>,
    /// Where shuffle files go (default: a temporary directory).
    pub work_dir: Option<String>,
    /// Bytes the executor's memory pool may hold.
    pub memory_limit: Option<u64>,
}

/// Prints Ballista's log records at `VERDICT_LOG`'s level (`error`,
/// `warn`, the default, `info`, `debug`) on stderr, one line each.
struct StderrLog(log::LevelFilter);

impl log::Log for StderrLog {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= self.0
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            eprintln!(
                "{} {:<5} {}: {}",
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
                record.level(),
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}

/// Starts the node's log; `Err` names a `VERDICT_LOG` that is not a level.
fn start_log() -> Result<(), String> {
    let level = match std::env::var("VERDICT_LOG") {
        Err(_) => log::LevelFilter::Warn,
        Ok(v) => v.trim().parse::<log::LevelFilter>().map_err(|_| {
            format!("VERDICT_LOG={v:?} is not a log level: error, warn, info, debug, trace or off")
        })?,
    };
    if log::set_logger(Box::leak(Box::new(StderrLog(level)))).is_ok() {
        log::set_max_level(level);
    }
    Ok(())
}

/// Runs a scheduler until the process is stopped.
pub async fn scheduler(args: SchedulerArgs) -> Result<(), String> {
    start_log()?;
    let config = SchedulerConfig {
        bind_host: args.bind.ip().to_string(),
        bind_port: args.bind.port(),
        external_host: args.external_host.clone(),
        scheduling_policy: TaskSchedulingPolicy::PullStaged,
        executor_timeout_seconds: EXECUTOR_TIMEOUT_SECONDS,
        expire_dead_executor_interval_seconds: HEARTBEAT_SECONDS,
        no_executors_grace_period_seconds: NO_EXECUTORS_GRACE_SECONDS,
        override_config_producer: Some(Arc::new(cluster::node_config)),
        override_session_builder: Some(Arc::new(cluster::node_state)),
        ..SchedulerConfig::default()
    };
    let ballista = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "verdict {} scheduler listening on {} (Ballista {}, DataFusion {})",
        cluster::version(),
        args.bind,
        ballista_core::BALLISTA_VERSION,
        datafusion::DATAFUSION_VERSION
    );
    start_server(ballista, args.bind, Arc::new(config))
        .await
        .map_err(|e| e.to_string())
}

/// Runs an executor until the process is stopped.
pub async fn executor(args: ExecutorArgs) -> Result<(), String> {
    start_log()?;
    let defaults = ExecutorProcessConfig::default();
    let spill = args.work_dir.clone();
    let config = ExecutorProcessConfig {
        bind_host: args.bind.ip().to_string(),
        port: args.bind.port(),
        grpc_port: args.grpc_port,
        external_host: args.external_host.clone(),
        scheduler_host: args.scheduler.host.clone(),
        scheduler_port: args.scheduler.port,
        scheduler_connect_timeout_seconds: cluster::CONNECT_WAIT.as_secs() as u16,
        vcores: args.cores.unwrap_or(defaults.vcores),
        task_scheduling_policy: TaskSchedulingPolicy::PullStaged,
        work_dir: args.work_dir.clone(),
        executor_heartbeat_interval_seconds: HEARTBEAT_SECONDS,
        memory_pool_size: args.memory_limit,
        override_function_registry: Some(Arc::new(cluster::node_functions())),
        override_runtime_producer: Some(Arc::new(move |c| {
            cluster::node_runtime(c, spill.as_deref())
        })),
        override_config_producer: Some(Arc::new(cluster::node_config)),
        ..defaults
    };
    eprintln!(
        "verdict {} executor on {} ({} task slots) joining {}",
        cluster::version(),
        args.bind,
        config.vcores,
        args.scheduler
    );
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| e.to_string())
}
