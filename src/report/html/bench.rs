//! The card of the bench: both models' timings, the ratios the gate
//! reads, charts of every run's time and memory.

use std::fmt::Write as _;

use super::markup::{checks_table, esc, num, table};
use super::svg;
use crate::bench::endpoint::EndpointReport;
use crate::bench::{BenchReport, CommandsReport, ModelTiming};
use crate::report::format::{count, fmt_float, mib, millis, secs};

pub(super) fn body(id: &str, b: &BenchReport) -> String {
    match b {
        BenchReport::Commands(c) => commands(id, c),
        BenchReport::Endpoint(e) => endpoint(id, e),
    }
}

/// Both endpoints under load: how, the gates, the table, the remarks, the
/// percentile chart.
fn endpoint(id: &str, e: &EndpointReport) -> String {
    let mut body = format!(
        "<p class=\"facts\">{} · {} in all</p>\n",
        esc(&e.facts()),
        secs(e.seconds)
    );
    if let Some(err) = &e.error {
        let _ = writeln!(
            body,
            "<div class=\"problem\"><b>The bench stopped:</b><pre>{}</pre></div>",
            esc(err)
        );
    }
    body.push_str(&checks_table(&e.gates, id));
    let (header, rows) = e.table();
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            let last = r.len() - 1;
            r.into_iter()
                .enumerate()
                .map(|(i, c)| match i {
                    0 => format!("<b>{}</b>", esc(&c)),
                    i if i == last => format!("<code>{}</code>", esc(&c)),
                    _ => num(esc(&c)),
                })
                .collect()
        })
        .collect();
    body.push_str(&table("endpoints", "", &header, &rows));
    let remarks: Vec<String> = e
        .remarks()
        .iter()
        .map(|l| format!("<li>{}</li>", esc(l)))
        .collect();
    if !remarks.is_empty() {
        let _ = writeln!(body, "<ul>{}</ul>", remarks.join(""));
    }
    if e.baseline.latency_ms.is_some() || e.candidate.latency_ms.is_some() {
        let _ = writeln!(
            body,
            "<div class=\"charts\"><figure>{}<figcaption>Latency from when each request was due \
             (open loop: waiting for a free connection counts); the bar spans p50 to p99.\
             </figcaption></figure></div>",
            svg::endpoint_latency(&format!("{id}-latency"), e)
        );
    }
    body
}

fn commands(id: &str, b: &CommandsReport) -> String {
    let mut body = format!(
        "<p class=\"facts\">input <code>{}</code> · {} after {}, interleaved baseline, candidate, … · \
         timeout {} per run · {} in all</p>\n",
        esc(&b.input),
        count(b.runs, "run"),
        count(b.warmup, "warm-up"),
        millis(b.timeout_seconds),
        secs(b.seconds)
    );
    if let Some(e) = &b.error {
        let _ = writeln!(
            body,
            "<div class=\"problem\"><b>The bench stopped:</b><pre>{}</pre></div>",
            esc(e)
        );
    }
    body.push_str(&checks_table(&b.gates, id));
    let models = [("baseline", &b.baseline), ("candidate", &b.candidate)];
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|(name, m)| {
            let s = |x: Option<f64>| num(x.map_or("—".into(), millis));
            vec![
                format!("<b>{name}</b>"),
                s(m.median_seconds),
                s(m.min_seconds),
                s(m.p95_seconds),
                s(m.max_seconds),
                num(m.median_peak_rss_bytes.map_or("—".into(), mib)),
                num(m.runs.iter().filter(|r| !r.warmup).count().to_string()),
                command(m),
            ]
        })
        .collect();
    body.push_str(&table(
        "bench",
        "",
        &[
            "model", "median", "min", "p95", "max", "peak RSS", "runs", "command",
        ],
        &rows,
    ));
    if let (Some(s), Some(m)) = (b.slowdown, b.memory_ratio) {
        let _ = writeln!(
            body,
            "<p>Candidate vs baseline: <b>{}×</b> the median time, <b>{}×</b> the peak memory.</p>",
            fmt_float((s * 1000.0).round() / 1000.0),
            fmt_float((m * 1000.0).round() / 1000.0)
        );
    }
    if b.baseline
        .runs
        .iter()
        .chain(&b.candidate.runs)
        .next()
        .is_some()
    {
        let _ = write!(
            body,
            "<div class=\"charts\"><figure>{}<figcaption>Every run's wall time; the median \
             counts measured runs only.</figcaption></figure>\n<figure>{}<figcaption>Median peak \
             RSS of the largest process in each command's tree.</figcaption></figure></div>\n{}",
            svg::bench_times(&format!("{id}-time"), b),
            svg::bench_memory(&format!("{id}-rss"), b),
            runs_table(b)
        );
    }
    body
}

fn command(m: &ModelTiming) -> String {
    match &m.output {
        Some(o) => format!("<code>{}</code> → <code>{}</code>", esc(&m.command), esc(o)),
        None => format!("<code>{}</code>", esc(&m.command)),
    }
}

/// Every run of both models, in the order they ran.
fn runs_table(b: &CommandsReport) -> String {
    let mut rows = Vec::new();
    for (name, m) in [("baseline", &b.baseline), ("candidate", &b.candidate)] {
        for (label, r) in svg::run_labels(m).into_iter().zip(&m.runs) {
            rows.push(vec![
                name.to_string(),
                label,
                num(millis(r.seconds)),
                num(mib(r.peak_rss_bytes)),
            ]);
        }
    }
    format!(
        "<details><summary>Every run ({})</summary>\n{}</details>\n",
        rows.len(),
        table(
            "runs",
            "",
            &["model", "run", "wall time", "peak RSS"],
            &rows
        )
    )
}
