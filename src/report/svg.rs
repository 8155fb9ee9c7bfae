//! The charts of the HTML report, written by hand as inline SVG: the
//! distribution of `|candidate − baseline|` per diffed column, and the two
//! models' bench runs side by side with their peak memory.
//!
//! Why no plotting crate: the charts are a handful of bars, dots and lines
//! whose geometry is a few lines of arithmetic; a crate would add compile
//! time and output we do not control. Hand-written, the SVG is small (a few
//! KB per chart), byte-for-byte deterministic (fixed one-decimal
//! coordinates, no generated ids or timestamps) and testable as exact
//! strings. Every chart is an `img` with a `<title>` and a `<desc>` that
//! says in words what it shows; the page puts a table with the same numbers
//! next to it. Colours are Okabe–Ito (distinguishable with colour-blindness)
//! and never the only cue: the models also differ by marker shape and label.

use std::fmt::Write as _;

use super::html::esc;
use crate::bench::{BenchReport, ModelTiming};
use crate::diff::Bin;
use crate::metric::value::fmt_float;

/// Okabe–Ito blue: the baseline model, and the bars of the |Δ| histogram.
pub const BASELINE: &str = "#0072B2";
/// Okabe–Ito orange: the candidate model.
pub const CANDIDATE: &str = "#E69F00";
/// Okabe–Ito bluish green: rows whose values are exactly equal.
const EQUAL: &str = "#009E73";
const INK: &str = "#1f2328";
const MUTED: &str = "#57606a";
const GRID: &str = "#d0d7de";

/// A decade span up to which empty decades are drawn, so the x axis is a
/// true log axis; wider spans (1e-300 next to 1e3) show only the decades
/// that have rows, with a break between groups.
const MAX_FILLED_DECADES: i32 = 40;

/// One bar of the histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    /// Exactly equal values.
    Zero(u64),
    /// `[10^e, 10^(e+1))`.
    Decade(i32, u64),
}

/// The bars to draw: the zero bin, then every decade between the smallest
/// and the largest one that has rows (empty ones included).
fn slots(bins: &[Bin]) -> Vec<Slot> {
    let mut zero = None;
    let mut decades = Vec::new();
    for b in bins {
        if b.to == 0.0 {
            zero = Some(Slot::Zero(b.rows));
        } else {
            decades.push((b.from.log10().round() as i32, b.rows));
        }
    }
    let mut out: Vec<Slot> = zero.into_iter().collect();
    match (decades.first(), decades.last()) {
        (Some(&(lo, _)), Some(&(hi, _))) if hi - lo < MAX_FILLED_DECADES => {
            for e in lo..=hi {
                let rows = decades.iter().find(|d| d.0 == e).map_or(0, |d| d.1);
                out.push(Slot::Decade(e, rows));
            }
        }
        _ => out.extend(decades.iter().map(|&(e, r)| Slot::Decade(e, r))),
    }
    out
}

/// `0.001`, `1`, `1000`, or `1e-7` beyond that.
fn decade_label(e: i32) -> String {
    if (-3..=3).contains(&e) {
        fmt_float(10f64.powi(e))
    } else {
        format!("1e{e}")
    }
}

fn rows_text(n: u64) -> String {
    format!("{n} row{}", if n == 1 { "" } else { "s" })
}

/// The words a screen reader says for the histogram.
fn histogram_desc(column: &str, slots: &[Slot], threshold: Option<f64>) -> String {
    let parts: Vec<String> = slots
        .iter()
        .filter_map(|s| match *s {
            Slot::Zero(n) => Some(format!("exactly equal: {}", rows_text(n))),
            Slot::Decade(_, 0) => None,
            Slot::Decade(e, n) => Some(format!(
                "{} to {}: {}",
                decade_label(e),
                decade_label(e + 1),
                rows_text(n)
            )),
        })
        .collect();
    let mut d = format!(
        "Rows of column {column} by |candidate − baseline|, one bar per decade: {}.",
        parts.join("; ")
    );
    if let Some(t) = threshold {
        let _ = write!(
            d,
            " Differences above the tolerance {} count as changes.",
            tol(t)
        );
    }
    d
}

fn tol(x: f64) -> String {
    if x < 1e-4 {
        format!("{x:e}")
    } else {
        fmt_float(x)
    }
}

/// Histogram geometry, in SVG user units.
const SLOT: f64 = 56.0;
const BAR: f64 = 40.0;
const BREAK: f64 = 20.0;
const TOP: f64 = 34.0;
const PLOT_H: f64 = 120.0;
const LEFT: f64 = 16.0;
const MIN_WIDTH: f64 = 340.0;

/// The histogram of `|candidate − baseline|` of one column: bar heights on a
/// log scale (so 3 rows next to 3 million stay visible), the exact count on
/// each bar, and a dashed line at the tolerance when one applies to every
/// row (`threshold`: an absolute tolerance without a relative one).
pub fn histogram(id: &str, column: &str, bins: &[Bin], threshold: Option<f64>) -> String {
    let slots = slots(bins);
    if slots.is_empty() {
        return String::new();
    }
    // x of each slot: a break before the first decade after the zero bin and
    // between decades that are not contiguous.
    let mut xs = Vec::with_capacity(slots.len());
    let mut x = LEFT;
    for (i, s) in slots.iter().enumerate() {
        if i > 0 && !contiguous(slots[i - 1], *s) {
            x += BREAK;
        }
        xs.push(x);
        x += SLOT;
    }
    let end = x;
    // Wide enough for the note under the axis.
    let width = (end + LEFT).max(MIN_WIDTH);
    let base = TOP + PLOT_H;
    let height = base + 44.0;
    let max = slots.iter().map(|s| count(*s)).max().unwrap_or(0).max(1);
    let mut svg = open(
        id,
        width,
        height,
        &format!("Distribution of |candidate − baseline| for {column}"),
        &histogram_desc(column, &slots, threshold),
    );
    for (i, (s, &x)) in slots.iter().zip(&xs).enumerate() {
        let n = count(*s);
        let h = PLOT_H * ((1 + n) as f64).ln() / ((1 + max) as f64).ln();
        let fill = if matches!(s, Slot::Zero(_)) {
            EQUAL
        } else {
            BASELINE
        };
        let cx = x + SLOT / 2.0;
        if n > 0 {
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{:.1}" width="{BAR:.1}" height="{h:.1}" fill="{fill}"/>"#,
                x + (SLOT - BAR) / 2.0,
                base - h
            );
        }
        let _ = write!(
            svg,
            "{}",
            text(cx, base - h - 5.0, "middle", INK, &n.to_string())
        );
        match *s {
            Slot::Zero(_) => svg.push_str(&tick(cx, base, "0")),
            Slot::Decade(e, _) => {
                if i == 0 || !contiguous(slots[i - 1], *s) {
                    svg.push_str(&tick(x, base, &decade_label(e)));
                }
                svg.push_str(&tick(x + SLOT, base, &decade_label(e + 1)));
            }
        }
    }
    let _ = write!(
        svg,
        r#"<line x1="{LEFT:.1}" y1="{base:.1}" x2="{end:.1}" y2="{base:.1}" stroke="{INK}"/>"#
    );
    if let Some(t) = threshold {
        svg.push_str(&threshold_line(&slots, &xs, t));
    }
    svg.push_str(&text(
        LEFT,
        height - 6.0,
        "start",
        MUTED,
        "|Δ| by decade · bar height on a log scale, count on top",
    ));
    svg.push_str("</svg>");
    svg
}

fn count(s: Slot) -> u64 {
    match s {
        Slot::Zero(n) | Slot::Decade(_, n) => n,
    }
}

fn contiguous(a: Slot, b: Slot) -> bool {
    matches!((a, b), (Slot::Decade(x, _), Slot::Decade(y, _)) if y == x + 1)
}

/// A dashed line where the tolerance falls on the decade axis, if it falls
/// within a drawn decade.
fn threshold_line(slots: &[Slot], xs: &[f64], t: f64) -> String {
    if t <= 0.0 {
        return String::new();
    }
    let e = t.log10();
    let at = slots.iter().zip(xs).find_map(|(s, &x)| match *s {
        Slot::Decade(d, _) if e >= d as f64 && e <= (d + 1) as f64 => {
            Some(x + (e - d as f64) * SLOT)
        }
        _ => None,
    });
    let Some(x) = at else { return String::new() };
    format!(
        r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{INK}" stroke-dasharray="4 3"/>{}"#,
        TOP - 16.0,
        TOP + PLOT_H,
        text(
            x + 4.0,
            TOP - 20.0,
            "start",
            INK,
            &format!("tolerance {}", tol(t))
        )
    )
}

/// An `<svg>` opening tag with its accessible name and description.
fn open(id: &str, width: f64, height: f64, title: &str, desc: &str) -> String {
    format!(
        r#"<svg class="chart" role="img" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-size="12" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    )
}

fn text(x: f64, y: f64, anchor: &str, fill: &str, s: &str) -> String {
    format!(
        r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" fill="{fill}">{}</text>"#,
        esc(s)
    )
}

/// A tick under the axis at `x`, labelled.
fn tick(x: f64, base: f64, label: &str) -> String {
    format!(
        r#"<line x1="{x:.1}" y1="{base:.1}" x2="{x:.1}" y2="{:.1}" stroke="{INK}"/>{}"#,
        base + 4.0,
        text(x, base + 16.0, "middle", INK, label)
    )
}

// ---- drift ------------------------------------------------------------------

/// Drift geometry: a pair of bars per bin or category.
const PAIR: f64 = 44.0;
const PAIR_BAR: f64 = 16.0;
/// Categories beyond this many are left to the table under the chart.
pub const MAX_DRIFT_BARS: usize = 30;

/// Reference (blue, left) against current (orange, right) share of values
/// per bin or category, on a linear scale from 0 to the largest share; the
/// bars are labelled under the axis (bins by their upper edge).
pub fn drift_bars(id: &str, column: &str, bins: &[crate::drift::BinRow]) -> String {
    let bins = &bins[..bins.len().min(MAX_DRIFT_BARS)];
    let (rt, ct) = (
        bins.iter().map(|b| b.reference).sum::<u64>().max(1) as f64,
        bins.iter().map(|b| b.current).sum::<u64>().max(1) as f64,
    );
    let share = |b: &crate::drift::BinRow| (b.reference as f64 / rt, b.current as f64 / ct);
    let max = bins
        .iter()
        .map(|b| {
            let (r, c) = share(b);
            r.max(c)
        })
        .fold(0.0, f64::max)
        .max(1e-12);
    let base = TOP + PLOT_H;
    // Labels are slanted so that long edges (dates, large numbers) do not
    // run into each other; the longest decides the room under the axis.
    let longest = bins
        .iter()
        .map(|b| {
            b.upper_text
                .as_ref()
                .map_or(b.label.chars().count().min(6), |t| t.chars().count() + 1)
        })
        .max()
        .unwrap_or(4) as f64;
    let label_room = (longest * 7.0 * 0.6).max(16.0);
    let height = base + 42.0 + label_room;
    // Room on the left for the first slanted label.
    let x0 = LEFT + (longest * 6.5 * 0.82 - PAIR / 2.0 - 4.0).max(0.0);
    let width = (x0 + LEFT + PAIR * bins.len() as f64).max(MIN_WIDTH);
    let parts: Vec<String> = bins
        .iter()
        .map(|b| {
            let (r, c) = share(b);
            format!(
                "{}: reference {:.1}%, current {:.1}%",
                b.label,
                r * 100.0,
                c * 100.0
            )
        })
        .collect();
    let mut svg = open(
        id,
        width,
        height,
        &format!("Reference against current distribution of {column}"),
        &format!(
            "Share of values per bin of column {column}: {}.",
            parts.join("; ")
        ),
    );
    for (i, b) in bins.iter().enumerate() {
        let x = x0 + PAIR * i as f64;
        let (r, c) = share(b);
        for (k, (v, fill)) in [(r, BASELINE), (c, CANDIDATE)].into_iter().enumerate() {
            let h = PLOT_H * v / max;
            if h > 0.0 {
                let _ = write!(
                    svg,
                    r#"<rect x="{:.1}" y="{:.1}" width="{PAIR_BAR:.1}" height="{h:.1}" fill="{fill}"/>"#,
                    x + 5.0 + k as f64 * (PAIR_BAR + 2.0),
                    base - h
                );
            }
        }
        let label: String = match (&b.upper_text, b.upper) {
            (Some(t), _) => format!("≤{t}"),
            (None, Some(u)) => format!("≤{}", fmt_float(u)),
            (None, None) if i > 0 && bins[i - 1].upper.is_some() => "more".into(),
            (None, None) => b.label.chars().take(6).collect(),
        };
        let (lx, ly) = (x + PAIR / 2.0 + 4.0, base + 14.0);
        let _ = write!(
            svg,
            r#"<text x="{lx:.1}" y="{ly:.1}" text-anchor="end" fill="{INK}" transform="rotate(-35 {lx:.1} {ly:.1})">{}</text>"#,
            esc(&label)
        );
    }
    let _ = write!(
        svg,
        r#"<line x1="{x0:.1}" y1="{base:.1}" x2="{:.1}" y2="{base:.1}" stroke="{INK}"/>"#,
        x0 + PAIR * bins.len() as f64
    );
    let y = height - 10.0;
    let _ = write!(
        svg,
        r#"<rect x="{LEFT:.1}" y="{:.1}" width="10" height="10" fill="{BASELINE}"/>{}<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="{CANDIDATE}"/>{}"#,
        y - 9.0,
        text(LEFT + 14.0, y, "start", INK, "reference (left)"),
        LEFT + 130.0,
        y - 9.0,
        text(LEFT + 144.0, y, "start", INK, "current (right)")
    );
    svg.push_str(&text(
        width - LEFT,
        TOP - 14.0,
        "end",
        MUTED,
        &format!("tallest: {:.1}% of values", max * 100.0),
    ));
    svg.push_str("</svg>");
    svg
}

// ---- bench ------------------------------------------------------------------

/// Bench geometry: a label column, then one lane per model.
const LANE_LABEL: f64 = 170.0;
const LANE: f64 = 52.0;
const BENCH_W: f64 = 760.0;
const BENCH_RIGHT: f64 = 28.0;

/// Round, readable axis ticks from 0 to at least `max`: steps of 1, 2 or 5
/// times a power of ten, about five of them.
fn ticks(max: f64) -> Vec<f64> {
    if max.is_nan() || max <= 0.0 || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let n = (max / step).ceil().max(1.0) as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// The x axis under the lanes: grid lines, tick labels and a title.
fn axis(ticks: &[f64], top: f64, bottom: f64, unit: &str, title: &str) -> String {
    let scale = scale(ticks);
    let mut s = String::new();
    for &t in ticks {
        let x = scale(t);
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{GRID}"/>{}"#,
            text(
                x,
                bottom + 16.0,
                "middle",
                INK,
                &format!("{}{unit}", fmt_float(t))
            )
        );
    }
    let _ = write!(
        s,
        r#"<line x1="{LANE_LABEL:.1}" y1="{bottom:.1}" x2="{:.1}" y2="{bottom:.1}" stroke="{INK}"/>{}"#,
        BENCH_W - BENCH_RIGHT,
        text(LANE_LABEL, bottom + 34.0, "start", MUTED, title)
    );
    s
}

/// Maps a value to x along the lanes, 0 to the last tick.
fn scale(ticks: &[f64]) -> impl Fn(f64) -> f64 {
    let top = ticks.last().copied().unwrap_or(1.0).max(f64::MIN_POSITIVE);
    move |v: f64| LANE_LABEL + (BENCH_W - LANE_LABEL - BENCH_RIGHT) * (v / top).clamp(0.0, 1.0)
}

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

fn secs(x: f64) -> String {
    format!("{} s", fmt_float((x * 1000.0).round() / 1000.0))
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
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

fn models(b: &BenchReport) -> [(&'static str, &ModelTiming); 2] {
    [("baseline", &b.baseline), ("candidate", &b.candidate)]
}

/// Every run of both models as a dot on a seconds axis, one lane per model,
/// with the median of the measured runs as a vertical bar.
pub fn bench_times(id: &str, b: &BenchReport) -> String {
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
                    secs(r.seconds),
                    if r.warmup { " (warm-up)" } else { "" }
                )
            })
            .collect();
        let _ = write!(
            desc,
            " {name}: {}; median {}.",
            runs.join(", "),
            m.median_seconds.map_or("none".into(), secs)
        );
    }
    let mut svg = open(id, BENCH_W, height, "Bench: wall time per run", &desc);
    svg.push_str(&axis(&ticks, 12.0, bottom, " s", "wall seconds per run"));
    for (side, (name, m)) in models(b).into_iter().enumerate() {
        let mid = 12.0 + LANE * side as f64 + LANE / 2.0;
        let fact = m
            .median_seconds
            .map_or("no run measured".into(), |s| format!("median {}", secs(s)));
        svg.push_str(&lane_label(mid, name, &fact));
        if let Some(med) = m.median_seconds {
            let _ = write!(
                svg,
                r#"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="{INK}" stroke-width="3"><title>{name} median {3}</title></line>"#,
                x(med),
                mid - LANE / 2.0 + 5.0,
                mid + LANE / 2.0 - 5.0,
                esc(&secs(med))
            );
        }
        for (k, (r, label)) in m.runs.iter().zip(run_labels(m)).enumerate() {
            // A small vertical spread so equal times stay visible.
            let y = mid + ((k % 4) as f64 - 1.5) * 6.0;
            let tip = format!(
                "{name} {label}: {}, peak RSS {}",
                secs(r.seconds),
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
pub fn bench_memory(id: &str, b: &BenchReport) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bin(from: f64, to: f64, rows: u64) -> Bin {
        Bin { from, to, rows }
    }

    #[test]
    fn empty_decades_are_filled_between_the_ends() {
        let bins = [bin(0.0, 0.0, 7), bin(1e-7, 1e-6, 2), bin(1e-5, 1e-4, 1)];
        assert_eq!(
            slots(&bins),
            vec![
                Slot::Zero(7),
                Slot::Decade(-7, 2),
                Slot::Decade(-6, 0),
                Slot::Decade(-5, 1)
            ]
        );
        // A span too wide to fill keeps only the decades with rows.
        let wide = [bin(1e-300, 1e-299, 1), bin(1.0, 10.0, 1)];
        assert_eq!(
            slots(&wide),
            vec![Slot::Decade(-300, 1), Slot::Decade(0, 1)]
        );
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            ticks(0.93),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(ticks(0.0), vec![0.0, 1.0]);
        assert_eq!(ticks(812.0), vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
    }

    #[test]
    fn histogram_svg() {
        let bins = [bin(0.0, 0.0, 3), bin(0.01, 0.1, 1), bin(0.1, 1.0, 2)];
        let svg = histogram("h", "a<b", &bins, Some(0.05));
        assert_eq!(
            svg,
            concat!(
                r##"<svg class="chart" role="img" width="340" height="198" viewBox="0 0 340 198" font-size="12" aria-labelledby="h-t h-d">"##,
                r##"<title id="h-t">Distribution of |candidate − baseline| for a&lt;b</title>"##,
                r##"<desc id="h-d">Rows of column a&lt;b by |candidate − baseline|, one bar per decade: exactly equal: 3 rows; 0.01 to 0.1: 1 row; 0.1 to 1: 2 rows. Differences above the tolerance 0.05 count as changes.</desc>"##,
                r##"<rect x="24.0" y="34.0" width="40.0" height="120.0" fill="#009E73"/>"##,
                r##"<text x="44.0" y="29.0" text-anchor="middle" fill="#1f2328">3</text>"##,
                r##"<line x1="44.0" y1="154.0" x2="44.0" y2="158.0" stroke="#1f2328"/><text x="44.0" y="170.0" text-anchor="middle" fill="#1f2328">0</text>"##,
                r##"<rect x="100.0" y="94.0" width="40.0" height="60.0" fill="#0072B2"/>"##,
                r##"<text x="120.0" y="89.0" text-anchor="middle" fill="#1f2328">1</text>"##,
                r##"<line x1="92.0" y1="154.0" x2="92.0" y2="158.0" stroke="#1f2328"/><text x="92.0" y="170.0" text-anchor="middle" fill="#1f2328">0.01</text>"##,
                r##"<line x1="148.0" y1="154.0" x2="148.0" y2="158.0" stroke="#1f2328"/><text x="148.0" y="170.0" text-anchor="middle" fill="#1f2328">0.1</text>"##,
                r##"<rect x="156.0" y="58.9" width="40.0" height="95.1" fill="#0072B2"/>"##,
                r##"<text x="176.0" y="53.9" text-anchor="middle" fill="#1f2328">2</text>"##,
                r##"<line x1="204.0" y1="154.0" x2="204.0" y2="158.0" stroke="#1f2328"/><text x="204.0" y="170.0" text-anchor="middle" fill="#1f2328">1</text>"##,
                r##"<line x1="16.0" y1="154.0" x2="204.0" y2="154.0" stroke="#1f2328"/>"##,
                r##"<line x1="131.1" y1="18.0" x2="131.1" y2="154.0" stroke="#1f2328" stroke-dasharray="4 3"/><text x="135.1" y="14.0" text-anchor="start" fill="#1f2328">tolerance 0.05</text>"##,
                r##"<text x="16.0" y="192.0" text-anchor="start" fill="#57606a">|Δ| by decade · bar height on a log scale, count on top</text>"##,
                "</svg>"
            )
        );
    }
}
