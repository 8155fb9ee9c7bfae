//! Commands wired to their effects: loading suites, running, writing
//! reports, and mapping every outcome to an exit code. Reports go to stdout
//! or files, diagnostics to stderr; a closed stdout (`| head`) ends quietly.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use comfy_table::{presets, Table};

use crate::cli::{Cli, Command, OutputFormat};
use crate::report::{console, exit, json};
use crate::run::{self, Options};
use crate::spec::{self, CsvOptions, Format, SourceSpec, Suite};

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
            json,
            format,
            strict,
            now,
        } => rt.block_on(run_cmd(&suites, json, format, strict, now)),
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
        eprintln!(
            "{}: ok ({} source{}, {} check{})",
            s.file,
            s.sources.len(),
            if s.sources.len() == 1 { "" } else { "s" },
            s.check_count(),
            if s.check_count() == 1 { "" } else { "s" }
        );
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
    json_file: Option<PathBuf>,
    format: OutputFormat,
    strict: bool,
    now: Option<String>,
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
    let report = run::run(&suites, &Options { strict, now }).await;
    if let Some(path) = json_file {
        let written = std::fs::File::create(&path).and_then(|f| {
            let mut w = io::BufWriter::new(f);
            json::render(&report, &mut w)?;
            w.flush()
        });
        if let Err(e) = written {
            eprintln!(
                "error: cannot write the JSON report to {}: {e}",
                path.display()
            );
            return exit::BROKEN;
        }
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let printed = match format {
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
    let spec = SourceSpec {
        name: "source".into(),
        path: path.to_string(),
        format,
        csv: CsvOptions::default(),
    };
    let ctx = run::session();
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
            "path": path,
            "format": loaded.format.name(),
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
        Ok(format!(
            "{path} · {}, {} file{}, {} column{}\n{t}\n",
            loaded.format.name(),
            loaded.files,
            if loaded.files == 1 { "" } else { "s" },
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
