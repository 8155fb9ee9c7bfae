//! The drift chart: reference against current share of values per bin or
//! category.

use std::fmt::Write as _;

use super::{esc, open, text, BASELINE, CANDIDATE, INK, LEFT, MIN_WIDTH, MUTED, PLOT_H, TOP};
use crate::report::format::fmt_float;

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
