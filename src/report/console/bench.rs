//! Console view of the bench: both models' timings side by side, the
//! ratio the gate reads, then the gates; or both endpoints under load.

use std::io::{self, Write};

use comfy_table::Cell;

use super::table::{checks_table, right, table, Style};
use crate::bench::endpoint::EndpointReport;
use crate::bench::{BenchReport, CommandsReport, ModelTiming};
use crate::report::format::{count, fmt_float, mib};

pub(super) fn bench(b: &BenchReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    match b {
        BenchReport::Commands(c) => commands(c, w, style),
        BenchReport::Endpoint(e) => endpoint(e, w, style),
    }
}

/// Both endpoints under load: the table, the ratio, failures by class,
/// captures, the generator's own cost, then the gates.
fn endpoint(e: &EndpointReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    writeln!(w, "bench · {}", e.facts())?;
    let (header, rows) = e.table();
    let mut t = table(style);
    t.set_header(header);
    for row in rows {
        let mut cells = row.into_iter();
        let mut line = vec![Cell::new(cells.next().unwrap_or_default())];
        let rest: Vec<String> = cells.collect();
        let last = rest.len().saturating_sub(1);
        for (i, c) in rest.into_iter().enumerate() {
            line.push(if i == last { Cell::new(c) } else { right(c) });
        }
        t.add_row(line);
    }
    writeln!(w, "{t}")?;
    for line in e.remarks() {
        writeln!(w, "{line}")?;
    }
    if let Some(err) = &e.error {
        writeln!(w, "bench stopped: {err}")?;
    }
    if !e.gates.is_empty() {
        checks_table(&e.gates, w, style)?;
    }
    Ok(())
}

fn commands(b: &CommandsReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    writeln!(
        w,
        "bench · input {} · {} after {}, interleaved",
        b.input,
        count(b.runs, "run"),
        count(b.warmup, "warm-up")
    )?;
    let mut t = table(style);
    t.set_header([
        "model", "median", "min", "p95", "max", "peak RSS", "runs", "command",
    ]);
    for (name, m) in [("baseline", &b.baseline), ("candidate", &b.candidate)] {
        let secs =
            |x: Option<f64>| x.map_or("—".into(), |s| format!("{} s", fmt_float(round3(s))));
        let measured = m.runs.iter().filter(|r| !r.warmup).count();
        t.add_row(vec![
            Cell::new(name),
            right(secs(m.median_seconds)),
            right(secs(m.min_seconds)),
            right(secs(m.p95_seconds)),
            right(secs(m.max_seconds)),
            right(m.median_peak_rss_bytes.map_or("—".into(), mib)),
            right(measured.to_string()),
            Cell::new(command(m)),
        ]);
    }
    writeln!(w, "{t}")?;
    if let (Some(s), Some(m)) = (b.slowdown, b.memory_ratio) {
        writeln!(
            w,
            "candidate vs baseline: {}× the median time, {}× the peak memory",
            fmt_float(round3(s)),
            fmt_float(round3(m))
        )?;
    }
    if let Some(e) = &b.error {
        writeln!(w, "bench stopped: {e}")?;
    }
    if !b.gates.is_empty() {
        checks_table(&b.gates, w, style)?;
    }
    Ok(())
}

fn command(m: &ModelTiming) -> String {
    match &m.output {
        Some(o) => format!("{} → {o}", m.command),
        None => m.command.clone(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
