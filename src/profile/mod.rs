//! `verdict profile SOURCE`: a starter suite from what a table holds — the
//! schema contract, observed ranges widened by a margin, null-rate
//! ceilings, allowed sets for low-cardinality strings, candidate keys —
//! printed as commented YAML that `verdict validate` accepts and that the
//! profiled data passes. `observe` reads the table in few queries, `widen`
//! turns observations into bounds, `render` writes the file (with `spec::emit`).

mod observe;
mod render;
mod widen;

use std::io::{self, IsTerminal, Write};
use std::time::Instant;

use crate::cli::ProfileArgs;
use crate::report::exit;
use crate::spec::emit;
use crate::spec::{Format, SourceSpec};
use render::Options;

/// Runs the command; returns the exit code (2: bad options, 3: unreadable
/// source).
pub async fn main(args: ProfileArgs) -> i32 {
    let opts = match options(&args) {
        Ok(o) => o,
        Err(msg) => {
            crate::diag!("error: {msg}");
            return exit::INVALID;
        }
    };
    if crate::database::is_database_url(&opts.path) {
        crate::diag!(
            "error: `verdict profile` reads files; profiling a database table is not built yet (export it to Parquet, or write its suite by hand with `url:` and `table:`)"
        );
        return exit::INVALID;
    }
    let spec = match SourceSpec::from_argument(&opts.name, &opts.path) {
        Ok(mut spec) => {
            spec.format = opts.format;
            spec
        }
        Err(e) => {
            crate::diag!("error: {e}");
            return exit::INVALID;
        }
    };
    let engine = match args.cluster.choice() {
        Ok(e) => e.unwrap_or_default(),
        Err(e) => {
            crate::diag!("error: {e}");
            return exit::INVALID;
        }
    };
    if let Err(e) = crate::engine::check_engine(&engine).await {
        crate::diag!("error: {e}");
        return exit::BROKEN;
    }
    let started = Instant::now();
    if let Some(file) = &args.save_reference {
        return save_reference(&spec, file, args.bins, started, &engine).await;
    }
    let observed = match observe::observe(&spec, opts.max_set, &engine).await {
        Ok(o) => o,
        Err(e) => {
            crate::diag!("error: {e}");
            return exit::BROKEN;
        }
    };
    let text = render::suite(&observed, &opts);
    if observed.rows == 0 {
        crate::diag!(
            "warning: {} has no rows; the suite checks its schema only",
            opts.path
        );
    }
    let written = io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .and_then(|_| io::stdout().lock().flush());
    match written {
        Ok(()) => {
            if io::stderr().is_terminal() {
                crate::diag!(
                    "profiled {}: {} rows, {} columns, {} queries in {:.2} s",
                    opts.path,
                    observed.rows,
                    observed.columns.len(),
                    observed.queries,
                    started.elapsed().as_secs_f64()
                );
            }
            exit::PASS
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::PASS,
        Err(e) => {
            crate::diag!("error: cannot write the suite: {e}");
            exit::BROKEN
        }
    }
}

/// Checks the command line and settles the defaults.
fn options(a: &ProfileArgs) -> Result<Options, String> {
    if !(a.margin.is_finite() && a.margin >= 0.0) {
        return Err(format!(
            "--margin must be a fraction ≥ 0 (0.1 widens ranges by 10%), found {}",
            a.margin
        ));
    }
    let format = match a.format.as_deref() {
        None => None,
        Some(f) => Some(Format::parse(f).ok_or_else(|| {
            format!("unknown format `{f}`; expected parquet, csv, json or arrow")
        })?),
    };
    let name = match &a.name {
        Some(n) if n.trim().is_empty() => return Err("--name must not be empty".into()),
        Some(n) => n.clone(),
        None => default_name(&a.path),
    };
    let mut command = format!("verdict profile {}", emit::shell_word(&a.path));
    if let Some(f) = &a.format {
        command += &format!(" --format {}", emit::shell_word(f));
    }
    if let Some(n) = &a.name {
        command += &format!(" --name {}", emit::shell_word(n));
    }
    command += &format!(" --margin {} --max-set {}", a.margin, a.max_set);
    Ok(Options {
        path: a.path.clone(),
        name,
        format,
        margin: a.margin,
        max_set: a.max_set,
        command,
    })
}

/// A source name from a path: the last component that is not a glob,
/// without its extension, as a lowercase identifier (`data/Orders
/// 2026.csv` → `orders_2026`).
fn default_name(path: &str) -> String {
    let part = path
        .trim_end_matches('/')
        .rsplit('/')
        .find(|p| !p.is_empty() && !p.contains(['*', '?', '[']))
        .unwrap_or("");
    let stem = match part.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => s,
        _ => part,
    };
    let mut name = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_matches('_');
    match name.chars().next() {
        None => "data".into(),
        Some(c) if c.is_ascii_digit() => format!("t_{name}"),
        Some(_) => name.into(),
    }
}

/// `--save-reference FILE`: reads every column drift can measure and writes
/// the saved reference; prints what was saved.
async fn save_reference(
    spec: &SourceSpec,
    file: &std::path::Path,
    bins: usize,
    started: Instant,
    engine: &crate::engine::Engine,
) -> i32 {
    if !(2..=1000).contains(&bins) {
        crate::diag!("error: --bins must be between 2 and 1000, found {bins}");
        return exit::INVALID;
    }
    if let Some(why) = crate::spec::location_problem(&file.to_string_lossy()) {
        crate::diag!("error: --save-reference: {why}");
        return exit::INVALID;
    }
    match crate::drift::reference::build(spec, bins, engine).await {
        Err(e) => {
            crate::diag!("error: {e}");
            exit::BROKEN
        }
        Ok(saved) => match saved.save(file) {
            Ok(()) => {
                let kept = saved.columns.iter().filter(|c| c.values.is_some()).count();
                // The reference is saved; a closed stdout loses only this line.
                let _ = writeln!(
                    std::io::stdout(),
                    "saved the reference of {} ({} rows, {} columns, {bins} bins; values kept for KS in {kept}) to {} in {:.2} s",
                    spec.path,
                    saved.rows,
                    saved.columns.len(),
                    file.display(),
                    started.elapsed().as_secs_f64()
                );
                exit::PASS
            }
            Err(e) => {
                crate::diag!(
                    "error: cannot write the reference to {}: {e}",
                    file.display()
                );
                exit::BROKEN
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_paths() {
        assert_eq!(default_name("fixtures/features.parquet"), "features");
        assert_eq!(default_name("data/Orders 2026.csv"), "orders_2026");
        assert_eq!(default_name("data/*.parquet"), "data");
        assert_eq!(default_name("fixtures/hive/"), "hive");
        assert_eq!(default_name("2026-10.parquet"), "t_2026_10");
        assert_eq!(default_name("*.csv"), "data");
        assert_eq!(default_name(".hidden"), "hidden");
    }

    fn args(margin: f64) -> ProfileArgs {
        ProfileArgs {
            path: "data/my file.csv".into(),
            format: None,
            name: None,
            margin,
            max_set: 20,
            save_reference: None,
            bins: 10,
            cluster: crate::cli::ClusterArg { engine: None },
        }
    }

    #[test]
    fn options_are_checked() {
        assert!(options(&args(-0.1)).is_err());
        assert!(options(&args(f64::NAN)).is_err());
        let o = options(&args(0.0)).unwrap();
        assert_eq!(o.name, "my_file");
        assert_eq!(
            o.command,
            "verdict profile 'data/my file.csv' --margin 0 --max-set 20"
        );
    }
}
