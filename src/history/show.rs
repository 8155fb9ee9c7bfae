//! `verdict history DIR`: each recorded series (suite, source, check,
//! metric) with its latest values, their range and a sparkline, so a person
//! sees at a glance whether a metric is creeping.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::Row;
use crate::cli::HistoryArgs;
use crate::report::exit;
use crate::report::format::{count, fmt_float};

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value, scaled between the series' min and max.
pub fn sparkline(values: &[f64]) -> String {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(*v), h.max(*v))
        });
    values
        .iter()
        .map(|v| {
            if hi > lo {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
            } else {
                BARS[3]
            }
        })
        .collect()
}

type Key = (String, String, String, String);

pub fn main(a: &HistoryArgs) -> i32 {
    let rows = match super::read(&a.dir) {
        Ok(r) => r,
        Err(e) => {
            crate::diag!("error: {}", crate::error::text(&e));
            return exit::BROKEN;
        }
    };
    let keep = |r: &Row| {
        a.check.as_ref().is_none_or(|c| &r.check == c)
            && a.metric.as_ref().is_none_or(|m| &r.metric == m)
            && a.source.as_ref().is_none_or(|s| &r.source == s)
            && a.suite.as_ref().is_none_or(|s| &r.suite == s)
    };
    let mut series: BTreeMap<Key, Vec<&Row>> = BTreeMap::new();
    for r in rows.iter().filter(|r| keep(r)) {
        let key = (
            r.suite.clone(),
            r.source.clone(),
            r.check.clone(),
            r.metric.clone(),
        );
        series.entry(key).or_default().push(r);
    }
    if series.is_empty() {
        let runs = rows
            .iter()
            .map(|r| &r.run_id)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        crate::diag!(
            "no recorded values match in {} ({} recorded)",
            a.dir.display(),
            count(runs, "run")
        );
        return exit::BROKEN;
    }
    let out = io::stdout();
    let mut w = out.lock();
    match print(&mut w, &series, a.last.max(1)) {
        Ok(()) => exit::PASS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit::PASS,
        Err(e) => {
            crate::diag!("error: {e}");
            exit::BROKEN
        }
    }
}

fn print(w: &mut dyn Write, series: &BTreeMap<Key, Vec<&Row>>, last: usize) -> io::Result<()> {
    for ((suite, source, check, metric), rows) in series {
        let rows = &rows[rows.len().saturating_sub(last)..];
        let values: Vec<f64> = rows.iter().map(|r| r.value).collect();
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                (l.min(*v), h.max(*v))
            });
        writeln!(
            w,
            "{suite} · {source} · {check} · {metric}: {}, latest {} ({}), range {} … {}",
            count(rows.len(), "run"),
            fmt_float(*values.last().unwrap_or(&f64::NAN)),
            rows.last().map_or("", |r| r.status.as_str()),
            fmt_float(lo),
            fmt_float(hi)
        )?;
        writeln!(w, "  {}", sparkline(&values))?;
        for r in rows {
            writeln!(
                w,
                "  {}  {:>14}  {}",
                crate::spec::time::format_nanos(i128::from(r.time_us) * 1000),
                fmt_float(r.value),
                r.status
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_between_min_and_max() {
        assert_eq!(sparkline(&[1.0, 2.0, 3.0]), "▁▅█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }
}
