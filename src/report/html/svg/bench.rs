//! The bench charts: every run of both models on a seconds axis, and their
//! median peak memory.

use std::fmt::Write as _;

use super::{
    axis, esc, open, scale, text, ticks, BASELINE, BENCH_W, CANDIDATE, INK, LANE, LANE_LABEL, MUTED,
};
use crate::bench::{CommandsReport, ModelTiming};
use crate::report::format::{mib, millis, ms};

/// A model's name and a fact under it, left of its lane.
fn lane_label(y: f64, name: &str, fact: &str) -> String {
    format!(
        r#"<text x="8" y="{:.1}" font-weight="bold" fill="{INK}">{}</text>{}"#,
        y - 3.0,
        esc(name),
        text(8.0, y + 13.0, "start", MUTED, fact)
    )
}

/// A run's marker: a circle for the baseline, a square for the candidate;
/// filled for a measured run, hollow for a warm-up.
fn marker(side: usize, x: f64, y: f64, warmup: bool, tip: &str) -> String {
    let color = [BASELINE, CANDIDATE][side];
    let fill = if warmup { "#fff" } else { color };
    let shape = if side == 0 {
        format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="5.5""#)
    } else {
        format!(
            r#"<rect x="{:.1}" y="{:.1}" width="10" height="10""#,
            x - 5.0,
            y - 5.0
        )
    };
    format!(
        r#"{shape} fill="{fill}" stroke="{}" stroke-width="{}"><title>{}</title></{}>"#,
        if warmup { color } else { INK },
        if warmup { 2 } else { 1 },
        esc(tip),
        if side == 0 { "circle" } else { "rect" }
    )
}

/// `warm-up 1`, `run 1`, `run 2`…: each run's name, warm-ups numbered apart.
pub fn run_labels(m: &ModelTiming) -> Vec<String> {
    let (mut w, mut n) = (0, 0);
    m.runs
        .iter()
        .map(|r| {
            if r.warmup {
                w += 1;
                format!("warm-up {w}")
            } else {
                n += 1;
                format!("run {n}")
            }
        })
        .collect()
}

fn models(b: &CommandsReport) -> [(&'static str, &ModelTiming); 2] {
    [("baseline", &b.baseline), ("candidate", &b.candidate)]
}

/// Every run of both models as a dot on a seconds axis, one lane per model,
/// with the median of the measured runs as a vertical bar.
pub fn bench_times(id: &str, b: &CommandsReport) -> String {
    let all = models(b).map(|(_, m)| m.runs.iter().map(|r| r.seconds).fold(0.0, f64::max));
    let ticks = ticks(all[0].max(all[1]));
    let x = scale(&ticks);
    let bottom = 12.0 + 2.0 * LANE;
    let height = bottom + 66.0;
    let mut desc = String::from("Wall time of every run, one lane per model.");
    for (name, m) in models(b) {
        let runs: Vec<String> = m
            .runs
            .iter()
            .map(|r| {
                format!(
                    "{}{}",
                    millis(r.seconds),
                    if r.warmup { " (warm-up)" } else { "" }
                )
            })
            .collect();
        let _ = write!(
            desc,
            " {name}: {}; median {}.",
            runs.join(", "),
            m.median_seconds.map_or("none".into(), millis)
        );
    }
    let mut svg = open(id, BENCH_W, height, "Bench: wall time per run", &desc);
    svg.push_str(&axis(&ticks, 12.0, bottom, " s", "wall seconds per run"));
    for (side, (name, m)) in models(b).into_iter().enumerate() {
        let mid = 12.0 + LANE * side as f64 + LANE / 2.0;
        let fact = m.median_seconds.map_or("no run measured".into(), |s| {
            format!("median {}", millis(s))
        });
        svg.push_str(&lane_label(mid, name, &fact));
        if let Some(med) = m.median_seconds {
            let _ = write!(
                svg,
                r#"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="{INK}" stroke-width="3"><title>{name} median {3}</title></line>"#,
                x(med),
                mid - LANE / 2.0 + 5.0,
                mid + LANE / 2.0 - 5.0,
                esc(&millis(med))
            );
        }
        for (k, (r, label)) in m.runs.iter().zip(run_labels(m)).enumerate() {
            // A small vertical spread so equal times stay visible.
            let y = mid + ((k % 4) as f64 - 1.5) * 6.0;
            let tip = format!(
                "{name} {label}: {}, peak RSS {}",
                millis(r.seconds),
                mib(r.peak_rss_bytes)
            );
            svg.push_str(&marker(side, x(r.seconds), y, r.warmup, &tip));
        }
    }
    svg.push_str(&legend(bottom + 52.0, b.warmup > 0));
    svg.push_str("</svg>");
    svg
}

fn legend(y: f64, warmup: bool) -> String {
    // (marker: side and warm-up, or None for the median line; label; width)
    let mut items = vec![
        (Some((0, false)), "baseline run", 120.0),
        (Some((1, false)), "candidate run", 130.0),
    ];
    if warmup {
        items.push((Some((0, true)), "warm-up (hollow)", 150.0));
    }
    items.push((None, "median of the measured runs", 0.0));
    let mut s = String::new();
    let mut x = LANE_LABEL;
    for (m, label, width) in items {
        match m {
            Some((side, w)) => s.push_str(&marker(side, x, y, w, label)),
            None => {
                let _ = write!(
                    s,
                    r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{INK}" stroke-width="3"/>"#,
                    y - 7.0,
                    y + 7.0
                );
            }
        }
        s.push_str(&text(x + 12.0, y + 4.0, "start", INK, label));
        x += width;
    }
    s
}

/// The median peak RSS of both models as bars on a MiB axis.
pub fn bench_memory(id: &str, b: &CommandsReport) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    let peak = models(b).map(|(_, m)| m.median_peak_rss_bytes.unwrap_or(0) as f64 / MB);
    let ticks = ticks(peak[0].max(peak[1]));
    let x = scale(&ticks);
    let bottom = 12.0 + 2.0 * LANE;
    let height = bottom + 44.0;
    let desc = models(b)
        .map(|(name, m)| {
            format!(
                "{name}: {}",
                m.median_peak_rss_bytes.map_or("not measured".into(), mib)
            )
        })
        .join("; ");
    let mut svg = open(
        id,
        BENCH_W,
        height,
        "Bench: median peak memory (RSS) per model",
        &format!("Median peak resident memory of the largest process: {desc}."),
    );
    svg.push_str(&axis(&ticks, 12.0, bottom, "", "median peak RSS, MiB"));
    for (side, (name, m)) in models(b).into_iter().enumerate() {
        let mid = 12.0 + LANE * side as f64 + LANE / 2.0;
        let Some(bytes) = m.median_peak_rss_bytes else {
            svg.push_str(&lane_label(mid, name, "not measured"));
            continue;
        };
        svg.push_str(&lane_label(mid, name, &mib(bytes)));
        let w = x(bytes as f64 / MB) - LANE_LABEL;
        let _ = write!(
            svg,
            r#"<rect x="{LANE_LABEL:.1}" y="{:.1}" width="{w:.1}" height="20" fill="{}" stroke="{INK}"><title>{name} {}</title></rect>"#,
            mid - 10.0,
            [BASELINE, CANDIDATE][side],
            esc(&mib(bytes))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Both endpoints' latency percentiles (p50 … max) as markers on a
/// milliseconds axis, one lane per endpoint, with p50 to p99 as a bar.
pub fn endpoint_latency(id: &str, e: &crate::bench::endpoint::EndpointReport) -> String {
    let sides = [("baseline", &e.baseline), ("candidate", &e.candidate)];
    let top = sides
        .iter()
        .filter_map(|(_, s)| s.latency_ms.map(|l| l.max))
        .fold(0.0, f64::max);
    let ticks = ticks(top);
    let x = scale(&ticks);
    let bottom = 12.0 + 2.0 * LANE;
    let height = bottom + 40.0;
    let marks = |l: &crate::bench::endpoint::Latency| {
        [
            ("p50", l.p50),
            ("p90", l.p90),
            ("p95", l.p95),
            ("p99", l.p99),
            ("p99.9", l.p999),
            ("max", l.max),
        ]
    };
    let mut desc =
        String::from("Latency percentiles from when each request was due, one lane per endpoint.");
    for (name, s) in sides {
        match &s.latency_ms {
            Some(l) => {
                let parts: Vec<String> = marks(l)
                    .iter()
                    .map(|(k, v)| format!("{k} {}", ms(*v)))
                    .collect();
                let _ = write!(desc, " {name}: {}.", parts.join(", "));
            }
            None => {
                let _ = write!(desc, " {name}: no answer.");
            }
        }
    }
    let mut svg = open(
        id,
        BENCH_W,
        height,
        "Bench: latency percentiles per endpoint",
        &desc,
    );
    svg.push_str(&axis(
        &ticks,
        12.0,
        bottom,
        " ms",
        "milliseconds from when the request was due",
    ));
    for (side, (name, s)) in sides.into_iter().enumerate() {
        let mid = 12.0 + LANE * side as f64 + LANE / 2.0;
        let Some(l) = &s.latency_ms else {
            svg.push_str(&lane_label(mid, name, "no answer"));
            continue;
        };
        svg.push_str(&lane_label(mid, name, &format!("p99 {}", ms(l.p99))));
        let _ = write!(
            svg,
            r#"<line x1="{:.1}" y1="{mid:.1}" x2="{:.1}" y2="{mid:.1}" stroke="{}" stroke-width="4"/>"#,
            x(l.p50),
            x(l.p99),
            [BASELINE, CANDIDATE][side]
        );
        for (k, (label, v)) in marks(l).into_iter().enumerate() {
            svg.push_str(&marker(
                side,
                x(v),
                mid,
                false,
                &format!("{name} {label}: {}", ms(v)),
            ));
            let y = if k % 2 == 0 { mid - 10.0 } else { mid + 20.0 };
            svg.push_str(&text(x(v), y, "middle", MUTED, label));
        }
    }
    svg.push_str("</svg>");
    svg
}
