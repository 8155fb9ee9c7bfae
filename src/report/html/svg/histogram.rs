//! The histogram of `|candidate − baseline|` of a diffed column: one bar
//! per decade on a log scale, the exact count on each bar.

use std::fmt::Write as _;

use super::{open, text, tick, BASELINE, EQUAL, INK, LEFT, MIN_WIDTH, MUTED, PLOT_H, TOP};
use crate::diff::Bin;
use crate::report::format::{count as count_of, fmt_float};

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
    count_of(n, "row")
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
