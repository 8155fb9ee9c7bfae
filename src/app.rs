//! Commands wired to their effects: loading suites, running, writing
//! reports, and mapping every outcome to an exit code. Reports go to stdout
//! or files, diagnostics to stderr; a closed stdout (`| head`) ends quietly.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use comfy_table::{presets, Table};

use crate::cli::{Cli, Command, CompareArgs, DiffArgs, EngineArgs, OutputFormat, ReportArgs};
use crate::report::{console, exit, json};
use crate::run::{self, Options};
use crate::spec::{
    self, ColumnSpec, DiffSpec, DuplicateKeys, Format, Gate, GateKind, Severity, SourceSpec, Suite,
    Tolerance, TruthSpec,
};

pub fn main(cli: Cli) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return exit::BROKEN;
        }
    };
    match cli.command {
        Command::Run {
            suites,
            reports,
            strict,
            now,
            history,
            engine,
        } => rt.block_on(run_cmd(&suites, reports, strict, now, history, engine)),
        Command::History(args) => crate::history::show::main(&args),
        Command::Diff(args) => rt.block_on(diff_cmd(*args)),
        Command::Compare(args) => rt.block_on(compare_cmd(*args)),
        Command::Profile(args) => rt.block_on(crate::profile::main(args)),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "verdict", &mut io::stdout());
            exit::PASS
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            match clap_mangen::Man::new(cmd).render(&mut io::stdout()) {
                Ok(()) => exit::PASS,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::PASS,
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::BROKEN
                }
            }
        }
        Command::Validate { suites } => validate(&suites),
        Command::Schema { path, format, json } => rt.block_on(schema(&path, format, json)),
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
                eprint!("{}", e.render());
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
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut parts = vec![
            format!("{} source{}", s.sources.len(), plural(s.sources.len())),
            format!("{} check{}", s.check_count(), plural(s.check_count())),
        ];
        if s.diff.is_some() {
            parts.push("a diff".into());
        }
        if s.bench.is_some() {
            parts.push("a bench".into());
        }
        eprintln!("{}: ok ({})", s.file, parts.join(", "));
    }
    exit::PASS
}

fn parse_now(now: Option<String>) -> Result<DateTime<Utc>, String> {
    match now {
        None => Ok(Utc::now()),
        Some(s) => spec::time::parse_instant(&s)
            .map(DateTime::<Utc>::from_timestamp_nanos)
            .ok_or_else(|| {
                format!("--now {s:?} is not an instant (e.g. 2026-11-25T12:00:00Z or 2026-11-25)")
            }),
    }
}

async fn run_cmd(
    paths: &[PathBuf],
    reports: ReportArgs,
    strict: bool,
    now: Option<String>,
    history: Option<PathBuf>,
    engine: EngineArgs,
) -> i32 {
    let now = match parse_now(now) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let Ok(suites) = load_all(paths) else {
        return exit::INVALID;
    };
    let Ok(notify) = notify_plan(&reports, &suites) else {
        return exit::INVALID;
    };
    let mut opts = match options(strict, now, &engine, reports.quiet) {
        Ok(o) => o,
        Err(code) => return code,
    };
    opts.history = history.as_deref().map(crate::history::past);
    let mut report = run::run(&suites, &opts).await;
    if let Some(dir) = &history {
        crate::history::record(dir, &mut report, now);
    }
    emit(notify.deliver(report).await, &reports)
}

/// The webhooks to post to once the report is built; a bad `--notify` URL
/// is an invalid command line (printed here, redacted).
fn notify_plan(args: &ReportArgs, suites: &[Suite]) -> Result<crate::notify::Plan, ()> {
    crate::notify::Plan::new(args, suites).map_err(|e| eprintln!("error: {e}"))
}

/// Run options from the command line; `Err` is the exit code of a bad flag.
fn options(
    strict: bool,
    now: DateTime<Utc>,
    engine: &EngineArgs,
    quiet: bool,
) -> Result<Options, i32> {
    let memory_limit = match engine.memory_limit.as_deref().map(parse_size) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            eprintln!("error: --memory-limit: {e}");
            return Err(exit::INVALID);
        }
    };
    if let Err(e) = run::session_with(memory_limit, false) {
        eprintln!("error: {e}");
        return Err(exit::BROKEN);
    }
    Ok(Options {
        strict,
        now,
        memory_limit,
        progress: crate::progress::Progress::for_stderr(quiet),
        history: None,
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
    if bytes < 1.0 {
        return Err(format!("{s:?} is no memory at all"));
    }
    Ok(bytes as usize)
}

/// Writes the report files asked for, prints the report on stdout, and
/// returns the exit code. A report file that cannot be written is exit 3.
fn emit(report: crate::report::Report, args: &ReportArgs) -> i32 {
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
    for (path, what, render) in files {
        let Some(path) = path else { continue };
        if let Err(e) = write_report(path, what == "Markdown", |w| render(&report, w)) {
            eprintln!(
                "error: cannot write the {what} report to {}: {e}",
                path.display()
            );
            return exit::BROKEN;
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
    if let Err(e) = printed.and_then(|_| out.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write the report: {e}");
            return exit::BROKEN;
        }
    }
    report.exit_code
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

/// `verdict diff`: an ad-hoc suite of two (or three) sources and a diff.
async fn diff_cmd(a: DiffArgs) -> i32 {
    let suite = match diff_suite(&a) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let Ok(notify) = notify_plan(&a.reports, std::slice::from_ref(&suite)) else {
        return exit::INVALID;
    };
    let opts = match options(a.strict, Utc::now(), &a.engine, a.reports.quiet) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let report = run::run(&[suite], &opts).await;
    emit(notify.deliver(report).await, &a.reports)
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
        pos: Default::default(),
    };
    Ok(Suite {
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

async fn compare_cmd(a: CompareArgs) -> i32 {
    let suite = match compare_suite(&a) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let Ok(notify) = notify_plan(&a.reports, std::slice::from_ref(&suite)) else {
        return exit::INVALID;
    };
    let opts = match options(a.strict, Utc::now(), &a.engine, a.reports.quiet) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let report = run::run(&[suite], &opts).await;
    emit(notify.deliver(report).await, &a.reports)
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

fn terminal_width() -> Option<u16> {
    Table::new().width()
}

async fn schema(path: &str, format: Option<String>, as_json: bool) -> i32 {
    let format = match format.as_deref().map(|f| (f, Format::parse(f))) {
        None => None,
        Some((_, Some(f))) => Some(f),
        Some((f, None)) => {
            eprintln!("error: unknown format `{f}`; expected parquet, csv, json or arrow");
            return exit::INVALID;
        }
    };
    let mut spec = match SourceSpec::from_argument("source", path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    spec.format = format;
    let ctx = run::session_for(&spec);
    let loaded = match crate::source::register(&ctx, &spec).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::BROKEN;
        }
    };
    let fields = loaded.schema.fields();
    let printed = if as_json {
        let cols: Vec<serde_json::Value> = fields
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name(),
                    "type": crate::types::display_type(f.data_type()),
                    "arrow_type": f.data_type().to_string(),
                    "nullable": f.is_nullable(),
                })
            })
            .collect();
        let doc = serde_json::json!({
            "path": spec.path,
            "format": loaded.format,
            "files": loaded.files,
            "partition_columns": loaded.partition_columns,
            "columns": cols,
        });
        serde_json::to_string_pretty(&doc)
            .map(|s| s + "\n")
            .map_err(io::Error::other)
    } else {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED).force_no_tty();
        t.set_header(["column", "type", "arrow type", "nullable"]);
        for f in fields.iter() {
            t.add_row(vec![
                f.name().clone(),
                crate::types::display_type(f.data_type()),
                f.data_type().to_string(),
                f.is_nullable().to_string(),
            ]);
        }
        let files = match loaded.files {
            Some(n) => format!(", {n} file{}", if n == 1 { "" } else { "s" }),
            None => String::new(),
        };
        Ok(format!(
            "{} · {}{files}, {} column{}\n{t}\n",
            spec.path,
            loaded.format,
            fields.len(),
            if fields.len() == 1 { "" } else { "s" }
        ))
    };
    match printed.and_then(|s| io::stdout().lock().write_all(s.as_bytes())) {
        Ok(()) => exit::PASS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::PASS,
        Err(e) => {
            eprintln!("error: {e}");
            exit::BROKEN
        }
    }
}
