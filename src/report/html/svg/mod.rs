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

mod bench;
mod drift;
mod histogram;

use std::fmt::Write as _;

use super::markup::esc;
use crate::report::format::fmt_float;

pub use bench::{bench_memory, bench_times, endpoint_latency, run_labels};
pub use drift::drift_bars;
pub use histogram::histogram;

/// Okabe–Ito blue: the baseline model, and the bars of the |Δ| histogram.
pub const BASELINE: &str = "#0072B2";
/// Okabe–Ito orange: the candidate model.
pub const CANDIDATE: &str = "#E69F00";
/// Okabe–Ito bluish green: rows whose values are exactly equal.
const EQUAL: &str = "#009E73";
const INK: &str = "#1f2328";
const MUTED: &str = "#57606a";
const GRID: &str = "#d0d7de";

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

/// Chart geometry shared by the histogram and the drift bars, in SVG user
/// units: the plot's top, its height, the left margin, the least width.
const TOP: f64 = 34.0;
const PLOT_H: f64 = 120.0;
const LEFT: f64 = 16.0;
const MIN_WIDTH: f64 = 340.0;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            ticks(0.93),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(ticks(0.0), vec![0.0, 1.0]);
        assert_eq!(ticks(812.0), vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
    }
}
