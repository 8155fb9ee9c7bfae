//! How numbers, counts, changes and durations are written, in every report
//! format and in the observed/expected texts of checks: one spelling of a
//! float, of a signed change, of a relative delta, of a plural. A leaf:
//! it imports nothing from verdict, so any layer may use it.

use std::fmt::Display;

/// Floats show at most six decimals (trailing zeros trimmed), so reports stay
/// readable and identical across runs; JSON carries the full value.
pub fn fmt_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = f.abs();
    if a != 0.0 && !(1e-4..1e15).contains(&a) {
        return format!("{f:.4e}");
    }
    let s = format!("{f:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A number that may be missing: `—` when it is.
pub fn maybe(x: Option<f64>) -> String {
    x.map_or("—".into(), fmt_float)
}

/// A tolerance as suites write it: `1e-6`, `0.001`.
pub fn as_written(x: f64) -> String {
    if x < 1e-4 {
        format!("{x:e}")
    } else {
        fmt_float(x)
    }
}

/// `abs 1e-6`, `rel 0.01`: the tolerances of a compared column that are
/// not 0.
pub fn tolerances(abs: Option<f64>, rel: Option<f64>) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(a) = abs.filter(|a| *a > 0.0) {
        parts.push(format!("abs {}", as_written(a)));
    }
    if let Some(r) = rel.filter(|r| *r > 0.0) {
        parts.push(format!("rel {}", as_written(r)));
    }
    parts
}

/// The heading of a diff's most-changed rows: `most changed rows by |Δ|,
/// then key` for numbers, `first changed rows by key` otherwise.
pub fn changed_rows(n: usize, numeric: bool) -> String {
    if numeric {
        format!("most changed row{} by |Δ|, then key", plural(n))
    } else {
        format!("first changed row{} by key", plural(n))
    }
}

/// The per-column table of a diff, as every format heads it.
pub const DIFF_COLUMNS: [&str; 10] = [
    "column",
    "type",
    "changed",
    "rate",
    "mean |Δ|",
    "p50 |Δ|",
    "p95 |Δ|",
    "p99 |Δ|",
    "max |Δ|",
    "mean shift",
];

/// A change with its sign: `+0.5`, `-2`, `0`.
pub fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", fmt_float(x))
    } else {
        fmt_float(x)
    }
}

/// A p-value with three significant digits: `p 0.0113`, `p 2.65e-4`;
/// `p < 1e-300` where it underflows.
pub fn p_value(p: f64) -> String {
    if p == 0.0 {
        "p < 1e-300".into()
    } else if p < 1e-4 {
        format!("p {p:.2e}")
    } else {
        format!("p {}", fmt_float(round_significant(p, 3)))
    }
}

/// A confidence interval with three significant digits per end:
/// `[-0.0123, +0.0456]`.
pub fn interval(lo: f64, hi: f64) -> String {
    format!(
        "[{}, {}]",
        signed(round_significant(lo, 3)),
        signed(round_significant(hi, 3))
    )
}

/// `Δ +2 (+0.2%)`: an absolute difference and, when the reference is not
/// 0, the relative one with three significant digits.
pub fn delta(abs: f64, rel: Option<f64>) -> String {
    match rel {
        Some(r) => format!(
            "Δ {} ({}%)",
            signed(abs),
            signed(round_significant(r * 100.0, 3))
        ),
        None => format!("Δ {}", signed(abs)),
    }
}

/// `x` rounded to `digits` significant digits (at most to whole units of
/// the smallest decimal kept).
pub fn round_significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let decimals = digits - x.abs().log10().ceil() as i32;
    let f = 10f64.powi(decimals.max(0));
    (x * f).round() / f
}

/// A tolerance as a person reads it: `equal`, `max_abs 0.5`, `max_rel
/// 0.01`, or both joined with `+`.
pub fn tolerance(abs: f64, rel: f64) -> String {
    match (abs == 0.0, rel == 0.0) {
        (true, true) => "equal".into(),
        (false, true) => format!("max_abs {}", fmt_float(abs)),
        (true, false) => format!("max_rel {}", fmt_float(rel)),
        (false, false) => format!("max_abs {} + max_rel {}", fmt_float(abs), fmt_float(rel)),
    }
}

/// Seconds with two decimals: `1.25 s`.
pub fn secs(x: f64) -> String {
    format!("{x:.2} s")
}

/// Seconds rounded to milliseconds, trailing zeros trimmed: `0.125 s`.
pub fn millis(x: f64) -> String {
    format!("{} s", fmt_float((x * 1000.0).round() / 1000.0))
}

/// Milliseconds to three significant digits: `0.412 ms`, `4.12 ms`,
/// `41.2 ms`, `412 ms`, `4120 ms`.
pub fn ms(x: f64) -> String {
    let digits = if x < 1.0 {
        3
    } else if x < 10.0 {
        2
    } else if x < 100.0 {
        1
    } else {
        0
    };
    format!("{x:.digits$} ms")
}

/// Bytes in mebibytes with one decimal: `12.5 MiB`.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

/// Bytes for a person: `512 B`, `12.0 KiB`, `3.4 MiB`, `1.2 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut x = n as f64 / 1024.0;
    let mut unit = 0;
    while x >= 1024.0 && unit + 1 < UNITS.len() {
        x /= 1024.0;
        unit += 1;
    }
    format!("{x:.1} {}", UNITS[unit])
}

/// Where a suite's plans ran, as every report says it after the suite's
/// file: nothing on the embedded engine, `on the cluster df://…` else.
pub fn ran_on(engine: &str) -> Option<String> {
    (engine != "embedded").then(|| format!("on the cluster {engine}"))
}

/// What a source was read from, as every report says it: `2 files`, or
/// for an object store `3 objects of 1.2 MiB, 12.0 KiB read in 4
/// requests`.
pub fn stored(files: Option<usize>, read: Option<&crate::source::ObjectReads>) -> Option<String> {
    match (files, read) {
        (_, Some(r)) => Some(match (r.requests, r.bytes) {
            (Some(n), Some(b)) => format!(
                "{} of {}, {} read in {}",
                count(r.objects, "object"),
                bytes(r.size),
                bytes(b),
                count(n, "request")
            ),
            _ => format!(
                "{} of {}, read by the cluster",
                count(r.objects, "object"),
                bytes(r.size)
            ),
        }),
        (Some(n), None) => Some(count(n, "file")),
        (None, None) => None,
    }
}

/// What a source's `where:` kept, as every report says it: `where ds =
/// '2026-11-03': 1 file of 30, 3 of 4 row groups skipped, 1.2 MiB read`
/// (what its first aggregate read of the files; a database's share is
/// in the SQL it ran).
pub fn narrowed(
    filter: Option<&str>,
    files: Option<usize>,
    read: Option<crate::engine::FileReads>,
) -> Option<String> {
    let filter = filter?;
    let Some(r) = read else {
        return Some(format!("where {filter}"));
    };
    let mut parts = Vec::new();
    match files {
        Some(total) if total != r.files => {
            parts.push(format!("{} of {total}", count(r.files, "file")))
        }
        _ => {}
    }
    if r.row_groups > 0 {
        parts.push(format!(
            "{} of {} skipped",
            r.row_groups_skipped,
            count(r.row_groups, "row group")
        ));
    }
    parts.push(format!("{} read", bytes(r.bytes)));
    Some(format!("where {filter}: {}", parts.join(", ")))
}

/// A count that may be one: every integer type a report holds.
pub trait Quantity: Copy + Display {
    fn is_one(self) -> bool;
}

macro_rules! quantity {
    ($($t:ty),*) => {$(
        impl Quantity for $t {
            fn is_one(self) -> bool {
                self == 1
            }
        }
    )*};
}
quantity!(usize, u64, u32, i64, i128, i32);

/// The English plural ending for `n` things: `""` for one, `"s"` otherwise.
pub fn plural<N: Quantity>(n: N) -> &'static str {
    if n.is_one() {
        ""
    } else {
        "s"
    }
}

/// What a report says of a diff column's differences kept on disk.
pub fn differences_on_disk(n: u64) -> String {
    format!(
        "{} kept on disk under --memory-limit; the percentiles are exact",
        count(n, "difference")
    )
}

/// What a report says of the probabilities ROC AUC read from disk.
pub fn probabilities_on_disk(n: u64) -> String {
    format!(
        "{} kept on disk under --memory-limit; roc_auc is over every scored row",
        count_as(n, "probability", "probabilities")
    )
}

/// For `skip_serializing_if`: a count that is zero is left out.
pub fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `1 row`, `3 rows`.
pub fn count<N: Quantity>(n: N, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

/// `1 query`, `3 queries`: a count of a noun whose plural is irregular.
pub fn count_as<N: Quantity>(n: N, one: &str, many: &str) -> String {
    format!("{n} {}", if n.is_one() { one } else { many })
}

/// `, N to or from null` when some of a column's flips are null changes,
/// for the line that introduces its transitions.
pub fn null_flips(n: u64) -> String {
    match n {
        0 => String::new(),
        n => format!(", {n} to or from null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_trim_and_switch_to_exponents_at_the_edges() {
        assert_eq!(fmt_float(0.1 + 0.2), "0.3");
        assert_eq!(fmt_float(-0.0000001), "-1.0000e-7");
        assert_eq!(fmt_float(f64::NAN), "NaN");
        assert_eq!(fmt_float(-0.0), "0");
        assert_eq!(fmt_float(2.5e15), "2.5000e15");
    }

    #[test]
    fn deltas_keep_three_significant_digits() {
        assert_eq!(delta(2.0, Some(0.00123456)), "Δ +2 (+0.123%)");
        assert_eq!(delta(-2.0, Some(-0.02)), "Δ -2 (-2%)");
        assert_eq!(delta(-5.0, None), "Δ -5");
    }

    #[test]
    fn counts_say_one_or_many() {
        assert_eq!(count(1usize, "warning"), "1 warning");
        assert_eq!(count(0u64, "row"), "0 rows");
        assert_eq!(count_as(1usize, "query", "queries"), "1 query");
        assert_eq!(count_as(2i64, "query", "queries"), "2 queries");
        assert_eq!(tolerance(0.0, 0.0), "equal");
        assert_eq!(tolerance(0.5, 0.01), "max_abs 0.5 + max_rel 0.01");
    }
}
