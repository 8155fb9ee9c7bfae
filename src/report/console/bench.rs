//! Console view of the bench: both models' timings side by side, the
//! ratio the gate reads, then the gates.

use std::io::{self, Write};

use comfy_table::Cell;

use super::table::{checks_table, right, table, Style};
use crate::bench::{BenchReport, ModelTiming};
use crate::report::format::{count, fmt_float, mib};

pub(super) fn bench(b: &BenchReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
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
