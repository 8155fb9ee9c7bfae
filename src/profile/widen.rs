//! The arithmetic of a starter suite: observed values widened into bounds
//! the same data passes with room to spare. Ranges grow by `margin` × their
//! span on each side (rounded outward to a readable step, never across
//! zero, never past the column type's domain); rates get a ceiling of
//! observed × (1 + margin), at least [`RATE_FLOOR`]. Every rounded bound is
//! checked against the observed value it came from, so the profiled data
//! always passes its own suite.

use std::fmt;

/// The smallest null or NaN rate ceiling written for a column that had
/// some: one row in a thousand, so a rate seen on a small sample does not
/// fail on the next batch by a row or two.
pub const RATE_FLOOR: f64 = 0.001;

const DAY_NS: i128 = 86_400_000_000_000;
const SECOND_NS: i128 = 1_000_000_000;

/// A decimal number `k × 10^e`, written exactly (no float formatting noise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Dec {
        k: i128,
        e: i32,
    },
    /// An unrounded float, written in its shortest round-trip form.
    Exact(f64),
}

impl Num {
    /// The value a YAML reader gets back from the written text.
    pub fn value(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    fn floor(x: f64, e: i32) -> Option<Num> {
        scaled(x, e).map(|s| Num::Dec {
            k: floor_tidy(s) as i128,
            e,
        })
    }

    fn ceil(x: f64, e: i32) -> Option<Num> {
        scaled(x, e).map(|s| Num::Dec {
            k: ceil_tidy(s) as i128,
            e,
        })
    }

    /// Trailing zeros dropped down to one decimal: `0.0010` is `0.001`,
    /// `1.10` is `1.1`, `9.0` stays (it says the step was a tenth).
    fn normal(self) -> Num {
        match self {
            Num::Dec { mut k, mut e } => {
                while e < -1 && k % 10 == 0 {
                    k /= 10;
                    e += 1;
                }
                Num::Dec { k, e }
            }
            exact => exact,
        }
    }

    fn step(self, by: i128) -> Num {
        match self {
            Num::Dec { k, e } => Num::Dec { k: k + by, e },
            exact => exact,
        }
    }
}

/// `x / 10^e`, if the result is small enough to count in exactly.
fn scaled(x: f64, e: i32) -> Option<f64> {
    let s = if e < 0 {
        x * 10f64.powi(-e)
    } else {
        x / 10f64.powi(e)
    };
    (s.is_finite() && s.abs() < 2f64.powi(53)).then_some(s)
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.normal() {
            Num::Dec { k, e }
                if e >= 0 && k.unsigned_abs().to_string().len() + e as usize <= 15 =>
            {
                write!(f, "{}", k * 10i128.pow(e as u32))
            }
            Num::Dec { k, e } if e < 0 && -e <= 6 => {
                let digits = format!("{:0>width$}", k.unsigned_abs(), width = (-e) as usize + 1);
                let (int, frac) = digits.split_at(digits.len() - (-e) as usize);
                let sign = if k < 0 { "-" } else { "" };
                write!(f, "{sign}{int}.{frac}")
            }
            Num::Dec { k, e } => write!(f, "{k}e{e}"),
            Num::Exact(0.0) => f.write_str("0"),
            Num::Exact(x) if (1e-4..1e15).contains(&x.abs()) => write!(f, "{x}"),
            Num::Exact(x) => write!(f, "{x:e}"),
        }
    }
}

/// Ceiling that ignores float noise: `ceil(1100.0000000000002)` is 1100.
pub fn ceil_tidy(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * r.abs().max(1.0) {
        r
    } else {
        x.ceil()
    }
}

/// Floor that ignores float noise: `floor(899.9999999999999)` is 900.
pub fn floor_tidy(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-9 * r.abs().max(1.0) {
        r
    } else {
        x.floor()
    }
}

/// How far a range grows on each side: `margin` × its span, or × the
/// value's magnitude when every value was the same.
fn pad(min: f64, max: f64, margin: f64) -> f64 {
    let span = max - min;
    let base = if span > 0.0 {
        span
    } else {
        min.abs().max(max.abs())
    };
    base * margin
}

/// The row-count range: the observed count ± `margin` of it.
pub fn row_count(rows: u64, margin: f64) -> (i128, i128) {
    let pad = sat_i128(ceil_tidy(rows as f64 * margin));
    let rows = rows as i128;
    ((rows - pad).max(0), rows.saturating_add(pad))
}

/// An integer range: `[min − pad, max + pad]` with `pad = ⌈margin × span⌉`,
/// not across zero (a column never negative stays non-negative) and
/// clamped to the type's `domain`.
pub fn int_range(min: i128, max: i128, margin: f64, domain: (i128, i128)) -> (i128, i128) {
    let pad = sat_i128(ceil_tidy(pad(min as f64, max as f64, margin)));
    let mut lo = min.saturating_sub(pad);
    let mut hi = max.saturating_add(pad);
    if min >= 0 {
        lo = lo.max(0);
    }
    if max <= 0 {
        hi = hi.min(0);
    }
    (lo.max(domain.0), hi.min(domain.1))
}

fn sat_i128(x: f64) -> i128 {
    if x.is_nan() {
        0
    } else {
        x as i128 // saturates
    }
}

/// A range a column's values cannot leave, recognised from its name and
/// what it held: a month is 1–12 whatever the margin. Widened bounds stop
/// at its edges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domain {
    pub lo: f64,
    pub hi: f64,
    /// What the column looks like, for the suite's comment: "a month".
    pub what: &'static str,
}

/// The domain `name` and the observed `min..=max` suggest, if any. A name
/// alone never decides: the values must lie inside the domain too (a
/// `month` column holding 0..=11 is not read as 1–12). Values in `[0, 1]`
/// are a fraction or a 0/1 flag; `[0, 100]` under a percentage-like name
/// is a percentage.
pub fn domain(name: &str, integer: bool, min: f64, max: f64) -> Option<Domain> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |w: &[&str]| words.iter().any(|x| w.contains(&x.as_str()));
    let within = |lo: f64, hi: f64| lo <= min && max <= hi;
    let d = |lo: f64, hi: f64, what: &'static str| Some(Domain { lo, hi, what });
    if integer {
        let week_day = has(&["dow", "weekday", "wday"]) || (has(&["day"]) && has(&["week"]));
        let year_day = has(&["doy", "yday"]) || (has(&["day"]) && has(&["year"]));
        if week_day && within(0.0, 6.0) {
            return d(0.0, 6.0, "a day of the week");
        }
        if week_day && within(1.0, 7.0) {
            return d(1.0, 7.0, "a day of the week");
        }
        if year_day && within(1.0, 366.0) {
            return d(1.0, 366.0, "a day of the year");
        }
        if !week_day && !year_day && has(&["day", "dom", "mday"]) && within(1.0, 31.0) {
            return d(1.0, 31.0, "a day of the month");
        }
        if has(&["month", "mon", "mm"]) && within(1.0, 12.0) {
            return d(1.0, 12.0, "a month");
        }
        if has(&["hour", "hr", "hh"]) && within(0.0, 23.0) {
            return d(0.0, 23.0, "an hour of the day");
        }
        if has(&["minute", "second", "sec", "ss"]) && within(0.0, 59.0) {
            return d(0.0, 59.0, "a minute or second");
        }
        if has(&["week", "isoweek", "wk"]) && within(1.0, 53.0) {
            return d(1.0, 53.0, "a week of the year");
        }
        if has(&["quarter", "qtr"]) && within(1.0, 4.0) {
            return d(1.0, 4.0, "a quarter");
        }
    }
    let percent = has(&["pct", "percent", "percentage", "humidity", "humid"]);
    if percent && within(0.0, 100.0) && max > 1.0 {
        return d(0.0, 100.0, "a percentage");
    }
    if within(0.0, 1.0) {
        return d(0.0, 1.0, if integer { "a 0/1 flag" } else { "a fraction" });
    }
    None
}

/// `(lo, hi)` clamped to `d`, and whether the clamp moved either.
pub fn clamp_int(lo: i128, hi: i128, d: &Domain) -> ((i128, i128), bool) {
    let (dl, dh) = (d.lo as i128, d.hi as i128);
    let out = (lo.max(dl), hi.min(dh));
    (out, out != (lo, hi))
}

/// `(lo, hi)` clamped to `d`, and whether the clamp moved either.
pub fn clamp_float(lo: Num, hi: Num, d: &Domain) -> ((Num, Num), bool) {
    let lo2 = if lo.value() < d.lo {
        Num::Exact(d.lo)
    } else {
        lo
    };
    let hi2 = if hi.value() > d.hi {
        Num::Exact(d.hi)
    } else {
        hi
    };
    let moved = lo2 != lo || hi2 != hi;
    ((lo2, hi2), moved)
}

/// A float range widened like [`int_range`], then rounded outward to the
/// power of ten below the pad (so `10.01 .. 19.99` becomes `9.0 .. 21.0`),
/// but never finer than `finest` (a decimal column's scale).
pub fn float_range(min: f64, max: f64, margin: f64, finest: Option<i32>) -> (Num, Num) {
    let pad = pad(min, max, margin);
    if !(pad > 0.0 && pad.is_finite()) {
        return (Num::Exact(min), Num::Exact(max));
    }
    let mut lo = min - pad;
    let mut hi = max + pad;
    if min >= 0.0 {
        lo = lo.max(0.0);
    }
    if max <= 0.0 {
        hi = hi.min(0.0);
    }
    // Near f64's limits widening overflows: the bound stays at what was
    // seen, since `inf` is no bound a suite may hold.
    if !lo.is_finite() {
        lo = min;
    }
    if !hi.is_finite() {
        hi = max;
    }
    let mut e = pad.log10().floor() as i32;
    if let Some(f) = finest {
        e = e.max(f);
    }
    let lo = checked(Num::floor(lo, e), |n| n.value() <= min, -1).unwrap_or(Num::Exact(lo));
    let hi = checked(Num::ceil(hi, e), |n| n.value() >= max, 1).unwrap_or(Num::Exact(hi));
    (lo, hi)
}

/// A rounded bound, moved one step further out if rounding brought it
/// inside the observed value (it never should; this is the guarantee).
fn checked(n: Option<Num>, ok: impl Fn(&Num) -> bool, out: i128) -> Option<Num> {
    let n = n?;
    if ok(&n) {
        return Some(n);
    }
    Some(n.step(out)).filter(|n| ok(n))
}

/// The ceiling written for an observed null or NaN rate (`observed` > 0):
/// `observed × (1 + margin)`, at least [`RATE_FLOOR`], rounded up to two
/// significant digits. `None` when that reaches 1: a bound every column
/// meets is left out.
pub fn rate_ceiling(observed: f64, margin: f64) -> Option<Num> {
    let x = (observed * (1.0 + margin)).max(RATE_FLOOR);
    let e = x.log10().floor() as i32 - 1;
    let n = checked(Num::ceil(x, e), |n| n.value() >= observed, 1)?;
    (n.value() < 1.0).then_some(n)
}

/// A time bound: whole days (written as dates) when the range spans a day
/// or more or the column holds dates, else whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBound {
    pub nanos: i128,
    pub date: bool,
}

/// A date or timestamp range in nanoseconds, widened by `margin` × span and
/// rounded outward to days or seconds.
pub fn time_range(min: i128, max: i128, margin: f64, dates: bool) -> (TimeBound, TimeBound) {
    let span = max - min;
    let pad = sat_i128(ceil_tidy(span as f64 * margin));
    let date = dates || span >= DAY_NS;
    let unit = if date { DAY_NS } else { SECOND_NS };
    let lo = (min - pad).div_euclid(unit) * unit;
    let hi = -((-(max + pad)).div_euclid(unit) * unit);
    (TimeBound { nanos: lo, date }, TimeBound { nanos: hi, date })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_stay_integers_and_keep_their_sign() {
        let wide = (i64::MIN as i128, i64::MAX as i128);
        // span 96, pad ⌈9.6⌉ = 10
        assert_eq!(int_range(3, 99, 0.1, wide), (0, 109));
        assert_eq!(int_range(-50, 50, 0.1, wide), (-60, 60));
        assert_eq!(int_range(-99, -3, 0.1, wide), (-109, 0));
        // a constant widens by margin × its magnitude; zero stays zero
        assert_eq!(int_range(5, 5, 0.1, wide), (4, 6));
        assert_eq!(int_range(0, 0, 0.1, wide), (0, 0));
        assert_eq!(int_range(10, 20, 0.0, wide), (10, 20));
        // the type's domain bounds the widening
        assert_eq!(int_range(-120, 120, 0.5, (-128, 127)), (-128, 127));
        assert_eq!(
            int_range(0, u64::MAX as i128, 0.1, (0, u64::MAX as i128)).1,
            u64::MAX as i128
        );
        assert_eq!(row_count(1000, 0.1), (900, 1100));
        assert_eq!(row_count(3, 0.1), (2, 4));
        assert_eq!(row_count(10, 2.0), (0, 30));
    }

    #[test]
    fn floats_round_outward_to_a_readable_step() {
        let s = |(a, b): (Num, Num)| (a.to_string(), b.to_string());
        assert_eq!(
            s(float_range(10.01, 19.99, 0.1, None)),
            ("9.0".into(), "21.0".into())
        );
        assert_eq!(
            s(float_range(0.003, 0.997, 0.1, None)),
            ("0.0".into(), "1.1".into())
        );
        assert_eq!(
            s(float_range(-2.5, 7.5, 0.1, None)),
            ("-4".into(), "9".into())
        );
        assert_eq!(
            s(float_range(1e20, 3e20, 0.1, None)),
            ("8e19".into(), "32e19".into())
        );
        assert_eq!(
            s(float_range(1e-9, 3e-9, 0.1, None)),
            ("8e-10".into(), "32e-10".into())
        );
        // a decimal(10, 2) column is not rounded finer than its scale
        assert_eq!(
            s(float_range(1.0, 1.01, 0.1, Some(-2))),
            ("0.99".into(), "1.02".into())
        );
        // no margin: the observed values, exactly
        assert_eq!(
            s(float_range(0.1, 0.7, 0.0, None)),
            ("0.1".into(), "0.7".into())
        );
        assert_eq!(
            s(float_range(-0.0, 0.0, 0.1, None)),
            ("0".into(), "0".into())
        );
    }

    #[test]
    fn widened_bounds_always_contain_what_was_observed() {
        let cases = [
            (0.1 + 0.2, 0.3, 0.0),
            (1.0 / 3.0, 2.0 / 3.0, 0.1),
            (-1e-300, 1e-300, 0.1),
            (1e300, 1.5e300, 0.1),
            (123456.789, 123456.7891, 1e-12),
            (f64::MIN_POSITIVE, 1.0, 0.5),
        ];
        for (min, max, m) in cases {
            let (lo, hi) = float_range(min, max, m, None);
            assert!(
                lo.value() <= min && hi.value() >= max,
                "{min} {max} {m}: {lo} {hi}"
            );
        }
    }

    #[test]
    fn rate_ceilings() {
        let c = |r: f64, m: f64| rate_ceiling(r, m).map(|n| n.to_string());
        assert_eq!(c(0.005, 0.1).as_deref(), Some("0.0055"));
        assert_eq!(c(0.00512345, 0.1).as_deref(), Some("0.0057"));
        assert_eq!(c(0.25, 0.1).as_deref(), Some("0.28"));
        // the floor: one null in a million rows allows a thousand
        assert_eq!(c(1e-6, 0.1).as_deref(), Some("0.001"));
        assert_eq!(c(0.0005, 0.0).as_deref(), Some("0.001"));
        // a ceiling of 1 would bound nothing
        assert_eq!(c(0.95, 0.1), None);
        assert_eq!(c(1.0, 0.0), None);
        for r in [1e-9, 0.001, 0.0123, 0.5, 0.9] {
            assert!(rate_ceiling(r, 0.0).is_none_or(|n| n.value() >= r));
        }
    }

    #[test]
    fn time_ranges_round_to_days_or_seconds() {
        let day = DAY_NS;
        let t0 = 20_362 * day; // 2025-10-01
        let (lo, hi) = time_range(t0, t0 + 41 * day + 15 * 3600 * SECOND_NS, 0.1, false);
        assert!(lo.date && hi.date);
        assert_eq!((lo.nanos, hi.nanos), (t0 - 5 * day, t0 + 46 * day));
        // under a day: whole seconds
        let (lo, hi) = time_range(t0 + 500_000_000, t0 + 3600 * SECOND_NS, 0.1, false);
        assert!(!lo.date);
        assert_eq!(lo.nanos, t0 - 360 * SECOND_NS);
        assert_eq!(hi.nanos, t0 + 3960 * SECOND_NS);
        // a date column is rounded to days even when constant
        let (lo, hi) = time_range(t0, t0, 0.1, true);
        assert_eq!((lo.nanos, hi.nanos, lo.date), (t0, t0, true));
        // before the epoch
        let (lo, _) = time_range(-day / 2, 0, 0.0, true);
        assert_eq!(lo.nanos, -day);
    }

    #[test]
    fn domains_from_names_and_values() {
        let what = |n: &str, int: bool, lo: f64, hi: f64| domain(n, int, lo, hi).map(|d| d.what);
        assert_eq!(what("month", true, 1.0, 12.0), Some("a month"));
        assert_eq!(what("month", true, 0.0, 11.0), None, "0-based is not 1–12");
        assert_eq!(
            what("sched_dep_hour", true, 5.0, 23.0),
            Some("an hour of the day")
        );
        assert_eq!(
            what("day_of_week", true, 1.0, 7.0),
            Some("a day of the week")
        );
        assert_eq!(what("dow", true, 0.0, 6.0), Some("a day of the week"));
        assert_eq!(what("day", true, 1.0, 31.0), Some("a day of the month"));
        assert_eq!(what("humid", false, 12.74, 100.0), Some("a percentage"));
        assert_eq!(what("score", false, 0.01, 0.99), Some("a fraction"));
        assert_eq!(what("is_late", true, 0.0, 1.0), Some("a 0/1 flag"));
        assert_eq!(what("dep_delay", true, -43.0, 1301.0), None);
        assert_eq!(
            what("qty", true, 1.0, 12.0),
            None,
            "a name decides, not 12 alone"
        );
    }

    #[test]
    fn widening_near_the_float_limits_stays_finite() {
        let (lo, hi) = float_range(-1.7e308, 1.7e308, 0.1, None);
        assert!(
            lo.value().is_finite() && hi.value().is_finite(),
            "{lo} {hi}"
        );
        assert!(lo.value() <= -1.7e308 && hi.value() >= 1.7e308);
    }

    #[test]
    fn clamping_stops_at_the_domain() {
        let month = domain("month", true, 1.0, 12.0).unwrap();
        let (lo, hi) = int_range(1, 12, 0.1, (i64::MIN as i128, i64::MAX as i128));
        assert_eq!((lo, hi), (0, 14));
        assert_eq!(clamp_int(lo, hi, &month), ((1, 12), true));
        assert_eq!(clamp_int(2, 9, &month), ((2, 9), false));
        let frac = domain("p", false, 0.02, 0.97).unwrap();
        let (lo, hi) = float_range(0.02, 0.97, 0.1, None);
        let ((lo, hi), moved) = clamp_float(lo, hi, &frac);
        assert!(moved);
        assert_eq!((lo.to_string(), hi.to_string()), ("0.0".into(), "1".into()));
    }
}
