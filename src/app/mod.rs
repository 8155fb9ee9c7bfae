//! Commands wired to their effects: loading suites, running, writing
//! reports, and mapping every outcome to an exit code. Reports go to stdout
//! or files, diagnostics to stderr; a closed stdout (`| head`) ends quietly.

mod adhoc;
mod schema;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use comfy_table::Table;

use crate::cli::{Annotations, Cli, Command, EngineArgs, OutputFormat, ReportArgs, RunArgs};
use crate::report::format::count;
use crate::report::{console, exit, json};
use crate::run::{self, Options};
use crate::spec::select::Selection;
use crate::spec::{self, Suite};

pub fn main(cli: Cli) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::diag!("error: cannot start the runtime: {e}");
            return exit::BROKEN;
        }
    };
    let code = match cli.command {
        Command::Run(args) => rt.block_on(run_cmd(*args)),
        Command::History(args) => crate::history::show::main(&args),
        Command::Diff(args) => rt.block_on(adhoc::diff(*args)),
        Command::Compare(args) => rt.block_on(adhoc::compare(*args)),
        Command::Profile(args) => rt.block_on(crate::profile::main(args)),
        Command::Import(command) => crate::import::main(command),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "verdict", &mut script);
            print_generated(Ok(script))
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            print_generated(clap_mangen::Man::new(cmd).render(&mut page).map(|()| page))
        }
        Command::Validate { suites } => validate(&suites),
        Command::Schema { path, format, json } => rt.block_on(schema::schema(&path, format, json)),
        Command::Cluster(c) => rt.block_on(cluster(c)),
    };
    drop(rt);
    crate::engine::spill::remove();
    code
}

/// `verdict cluster …` in a build without clusters: exit 2, saying so.
#[cfg(not(feature = "cluster"))]
async fn cluster(_command: crate::cli::ClusterCommand) -> i32 {
    crate::diag!("error: {}", crate::features::CLUSTER.missing());
    exit::INVALID
}

/// `verdict cluster scheduler|executor`: runs until stopped; exit 3 when
/// the node cannot start (its port is taken, its scheduler is unreachable).
#[cfg(feature = "cluster")]
async fn cluster(command: crate::cli::ClusterCommand) -> i32 {
    use crate::cli::ClusterCommand;
    use crate::engine::node;
    let ran = match command {
        ClusterCommand::Scheduler {
            bind,
            external_host,
        } => {
            node::scheduler(node::SchedulerArgs {
                bind,
                external_host,
            })
            .await
        }
        ClusterCommand::Executor {
            scheduler,
            bind,
            grpc_port,
            external_host,
            cores,
            work_dir,
            memory_limit,
        } => {
            let scheduler = match crate::engine::cluster::Address::parse(scheduler.trim()) {
                Ok(a) => a,
                Err(e) => {
                    crate::diag!("error: --scheduler: {e}");
                    return exit::INVALID;
                }
            };
            let memory_limit = match memory_limit.as_deref().map(parse_size) {
                None => None,
                Some(Ok(n)) => Some(n as u64),
                Some(Err(e)) => {
                    crate::diag!("error: --memory-limit: {e}");
                    return exit::INVALID;
                }
            };
            if cores == Some(0) {
                crate::diag!("error: --cores must be at least 1");
                return exit::INVALID;
            }
            node::executor(node::ExecutorArgs {
                scheduler,
                bind,
                grpc_port,
                external_host,
                cores,
                work_dir,
                memory_limit,
            })
            .await
        }
    };
    match ran {
        Ok(()) => exit::PASS,
        Err(e) => {
            crate::diag!("error: {e}");
            exit::BROKEN
        }
    }
}

/// Writes a generated completion script or man page to stdout. Generators
/// write into a buffer first: they panic on a failed write, and a full disk
/// or a closed pipe is an error to report (or, for a pipe, to end quietly).
fn print_generated(generated: io::Result<Vec<u8>>) -> i32 {
    let written = generated.and_then(|bytes| {
        let mut out = io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()
    });
    match written {
        Ok(()) => exit::PASS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::PASS,
        Err(e) => {
            crate::diag!("error: cannot write to stdout: {e}");
            exit::BROKEN
        }
    }
}

/// Loads every suite, printing all problems of all of them.
fn load_all(paths: &[PathBuf]) -> Result<Vec<Suite>, ()> {
    let mut suites = Vec::new();
    let mut failed = false;
    for p in paths {
        match spec::load(p) {
            Ok(s) => suites.push(s),
            Err(e) => {
                crate::diag_raw!("{}", e.render());
                failed = true;
            }
        }
    }
    if failed {
        Err(())
    } else {
        Ok(suites)
    }
}

fn validate(paths: &[PathBuf]) -> i32 {
    let Ok(suites) = load_all(paths) else {
        return exit::INVALID;
    };
    for s in &suites {
        let mut parts = vec![
            count(s.sources.len(), "source"),
            count(s.check_count(), "check"),
        ];
        if s.diff.is_some() {
            parts.push("a diff".into());
        }
        if s.bench.is_some() {
            parts.push("a bench".into());
        }
        crate::diag!("{}: ok ({})", s.file, parts.join(", "));
    }
    exit::PASS
}

fn parse_now(now: Option<String>) -> Result<DateTime<Utc>, String> {
    match now {
        None => Ok(Utc::now()),
        Some(s) => spec::time::parse_instant(&s)
            .and_then(|n| {
                let secs = i64::try_from(n.div_euclid(spec::time::NANOS_PER_SECOND)).ok()?;
                DateTime::<Utc>::from_timestamp(
                    secs,
                    n.rem_euclid(spec::time::NANOS_PER_SECOND) as u32,
                )
            })
            .ok_or_else(|| {
                format!("--now {s:?} is not an instant (e.g. 2026-11-25T12:00:00Z or 2026-11-25)")
            }),
    }
}

async fn run_cmd(args: RunArgs) -> i32 {
    let RunArgs {
        suites: paths,
        reports,
        strict,
        now,
        history,
        select,
        exclude,
        check,
        failed_rows,
        failed_rows_limit,
        annotations,
        engine,
    } = args;
    let now = match parse_now(now) {
        Ok(n) => n,
        Err(e) => {
            crate::diag!("error: {e}");
            return exit::INVALID;
        }
    };
    let Ok(suites) = load_all(&paths) else {
        return exit::INVALID;
    };
    let selection = match Selection::parse(&select, &exclude, &check) {
        Ok(s) => s,
        Err(e) => {
            crate::diag!("error: {e}");
            return exit::INVALID;
        }
    };
    let suites = match &selection {
        None => suites,
        Some(sel) => match sel.apply(suites) {
            Ok(s) => s,
            Err(e) => {
                crate::diag!("error: {e}");
                return exit::INVALID;
            }
        },
    };
    let Ok(notify) = notify_plan(&reports, &suites) else {
        return exit::INVALID;
    };
    let mut opts = match options(strict, now, &engine, reports.quiet, &suites).await {
        Ok(o) => o,
        Err(code) => return code,
    };
    opts.history = history
        .as_deref()
        .map(|d| crate::history::past(d).map_err(|e| crate::error::text(&e)));
    if failed_rows_limit == 0 {
        crate::diag!("error: --failed-rows-limit must be at least 1");
        return exit::INVALID;
    }
    opts.failed_rows = failed_rows.map(|dir| crate::check::failed_rows::Options {
        dir,
        limit: failed_rows_limit,
    });
    let mut report = match run::run(&suites, &opts).await {
        Ok(r) => r,
        Err(e) => {
            crate::diag_raw!("{}", e.render());
            return exit::INVALID;
        }
    };
    if let Some(dir) = &history {
        let recorded = crate::history::record(dir, &report, now);
        if let Some(e) = &recorded.error {
            crate::diag!("error: {e}");
        }
        report.record_history(recorded);
    }
    report.selection = selection;
    if annotations == Some(Annotations::Github) {
        crate::diag_raw!("{}", crate::report::annotations::github(&report));
    }
    emit(notify.deliver(report).await, &reports)
}

/// The webhooks to post to once the report is built; a bad `--notify` URL
/// is an invalid command line (printed here, redacted).
pub(super) fn notify_plan(args: &ReportArgs, suites: &[Suite]) -> Result<crate::notify::Plan, ()> {
    crate::notify::Plan::new(args, suites).map_err(|e| crate::diag!("error: {e}"))
}

/// Run options from the command line; `Err` is the exit code of a bad flag
/// or of a cluster the suites' plans cannot run on.
pub(super) async fn options(
    strict: bool,
    now: DateTime<Utc>,
    engine: &EngineArgs,
    quiet: bool,
    suites: &[Suite],
) -> Result<Options, i32> {
    let memory_limit = match engine.memory_limit.as_deref().map(parse_size) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            crate::diag!("error: --memory-limit: {e}");
            return Err(exit::INVALID);
        }
    };
    let engine = crate::engine::Settings {
        memory_limit,
        engine: engine.cluster.choice().map_err(|e| {
            crate::diag!("error: {e}");
            exit::INVALID
        })?,
    };
    if let Err(e) = engine.session(false) {
        crate::diag!("error: {}", crate::error::text(&e));
        return Err(exit::BROKEN);
    }
    if let Err(e) = crate::engine::check_clusters(&engine, suites).await {
        crate::diag!("error: {e}");
        return Err(exit::BROKEN);
    }
    Ok(Options {
        strict,
        now,
        engine,
        progress: crate::progress::Progress::for_stderr(quiet),
        history: None,
        failed_rows: None,
    })
}

/// `2G`, `512M`, `1.5GiB`, `800k` or plain bytes; powers of 1024.
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 2G, 512M)"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1u64,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {s:?} (use K, M, G or T)"
            ))
        }
    };
    let bytes = n * mult as f64;
    if bytes < crate::engine::MIN_MEMORY_LIMIT as f64 {
        return Err(format!(
            "{s:?} is below the 64M a spilling sort needs to merge what it spilled"
        ));
    }
    Ok(bytes as usize)
}

/// Writes the report files asked for, prints the report on stdout, and
/// returns the exit code. A report file that cannot be written is said on
/// stderr after the report; it makes a passing run exit 3, and leaves a
/// failing run's outcome and exit code as they are.
pub(super) fn emit(report: crate::report::Report, args: &ReportArgs) -> i32 {
    let files: [(&Option<PathBuf>, &str, Renderer); 4] = [
        (&args.json, "JSON", |r, w| json::render(r, w)),
        (&args.junit, "JUnit", |r, w| {
            crate::report::junit::render(r, w)
        }),
        (&args.html, "HTML", |r, w| crate::report::html::render(r, w)),
        (&args.markdown, "Markdown", |r, w| {
            crate::report::markdown::render(r, w)
        }),
    ];
    let mut unwritten = Vec::new();
    for (path, what, render) in files {
        let Some(path) = path else { continue };
        let append = what == "Markdown" && appends_markdown(path, args.markdown_append);
        if let Err(e) = write_report(path, append, |w| render(&report, w)) {
            unwritten.push(format!(
                "error: cannot write the {what} report to {}: {e}",
                path.display()
            ));
        }
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let printed = match args.format {
        OutputFormat::Json => json::render(&report, &mut out),
        OutputFormat::Console => {
            let tty = stdout.is_terminal();
            let style = console::Style {
                color: tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
                width: if tty { terminal_width() } else { None },
            };
            console::render(&report, &mut out, style)
        }
    };
    let mut code = report.exit_code;
    if let Err(e) = printed.and_then(|_| out.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            unwritten.push(format!("error: cannot write the report: {e}"));
        }
    }
    for e in &unwritten {
        crate::diag!("{e}");
    }
    if !unwritten.is_empty() && code == exit::PASS {
        code = exit::BROKEN;
    }
    code
}

/// Whether the Markdown summary is added to `path` rather than replacing
/// it: with `--markdown-append`, or when `path` is GitHub's step summary,
/// one file that every step of a job appends to. A local re-run overwrites.
fn appends_markdown(path: &std::path::Path, asked: bool) -> bool {
    asked
        || std::env::var_os("GITHUB_STEP_SUMMARY")
            .is_some_and(|s| !s.is_empty() && std::path::Path::new(&s) == path)
}

type Renderer = fn(&crate::report::Report, &mut dyn Write) -> io::Result<()>;

/// Writes a report file; `append` adds to an existing file (GitHub's step
/// summary is one file that several steps append to).
fn write_report(
    path: &std::path::Path,
    append: bool,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)?;
    let mut w = io::BufWriter::new(f);
    render(&mut w)?;
    w.flush()
}

fn terminal_width() -> Option<u16> {
    Table::new().width()
}
