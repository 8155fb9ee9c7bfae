//! The starter suite as text: a header saying where it came from and how
//! its numbers were made, the source, the schema contract, and per column
//! the checks with a `# observed:` comment showing the values behind them.
//! The output depends only on the data and the options (no dates, no
//! timings), so profiling the same table twice gives the same bytes.

use std::fmt::Write as _;

use datafusion::arrow::datatypes::{DataType, TimeUnit};

use super::observe::{shape, ColumnObs, Observed, Shape};
use super::widen::{self, Num, TimeBound};
use crate::metric::Value;
use crate::report::format::{count, fmt_float};
use crate::spec::emit::{comment, scalar};
use crate::spec::time::{format_nanos, TimeExpr};
use crate::spec::Format;
use crate::types::{display_type, TypeSpec};

/// `in_set` is written only for values up to this many characters.
const MAX_SET_VALUE_CHARS: usize = 100;
/// A flow list longer than this is written one value per line.
const MAX_LINE: usize = 100;

/// How the suite was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub path: String,
    pub name: String,
    pub format: Option<Format>,
    pub margin: f64,
    pub max_set: usize,
    /// The command line, for the header.
    pub command: String,
}

/// The checks planned for one column, with what they were made from.
struct ColumnPlan {
    observed: Vec<String>,
    checks: Vec<String>,
}

/// The whole suite file.
pub fn suite(o: &Observed, opts: &Options) -> String {
    let mut out = String::new();
    header(&mut out, o, opts);
    let name = scalar(&opts.name);
    let _ = writeln!(out, "version: 1\n\nsources:\n  {name}:");
    let _ = writeln!(out, "    path: {}", scalar(&opts.path));
    if let Some(f) = opts.format {
        let _ = writeln!(out, "    format: {}", f.name());
    }
    let _ = writeln!(out, "\nchecks:\n  {name}:");
    schema(&mut out, o);
    if o.rows == 0 {
        out.push_str(
            "    # The table had no rows: only its schema is checked. Profile it\n    \
             # again once it holds data, or add `table: [ row_count: { min: 1 } ]`.\n",
        );
        return out;
    }
    let (lo, hi) = widen::row_count(o.rows, opts.margin);
    let _ = writeln!(
        out,
        "\n    table:\n      - row_count: {{ min: {lo}, max: {hi} }}   # observed: {} rows",
        o.rows
    );
    let plans: Vec<(&ColumnObs, ColumnPlan)> = o
        .columns
        .iter()
        .map(|c| (c, plan(c, o.rows, opts)))
        .collect();
    if plans.iter().any(|(_, p)| !p.checks.is_empty()) {
        out.push_str("\n    columns:\n");
    }
    for (c, p) in &plans {
        let observed = comment(&p.observed.join(", "));
        if p.checks.is_empty() {
            let _ = writeln!(
                out,
                "      # {}: no checks beyond the schema (observed: {observed})",
                comment(&c.name)
            );
            continue;
        }
        let _ = writeln!(
            out,
            "      {}:\n        # observed: {observed}",
            scalar(&c.name)
        );
        for check in &p.checks {
            let _ = writeln!(out, "        - {check}");
        }
    }
    out
}

fn header(out: &mut String, o: &Observed, opts: &Options) {
    let pct = format!("{}%", fmt_float(opts.margin * 100.0));
    let _ = writeln!(
        out,
        "# Starter suite for {}: {}, {}.\n# Written by: {}",
        comment(&opts.path),
        count(o.rows, "row"),
        count(o.columns.len(), "column"),
        comment(&opts.command),
    );
    out.push_str(
        "# Every bound is what the data showed, widened so that this data passes;\n\
         # review each one before gating on the suite.\n",
    );
    let _ = writeln!(
        out,
        "#   min, max, length: the observed range widened by {pct} of its span on\n\
         #     each side, rounded outward, never across zero and never out of a\n\
         #     domain the column looks like (a month 1..12, an hour 0..23, a\n\
         #     fraction 0..1, a percentage 0..100: its comment says when). Dates\n\
         #     and timestamps get fixed bounds: for a table that grows,\n\
         #     `max: {{ max: now }}` may fit.\n\
         #   null_rate, nan_rate: the observed rate plus {pct} of it, at least {floor};\n\
         #     a column without nulls is `nullable: false` in the schema instead.\n\
         #   in_set: strings with at most {max_set} distinct values, some repeated.\n\
         #   unique: columns without nulls or duplicates; key-like names (id, *_id)\n\
         #     when one is unique, else the first unique integer or string column.\n\
         # Paths are relative to the directory verdict runs in.",
        floor = widen::RATE_FLOOR,
        max_set = opts.max_set,
    );
}

fn schema(out: &mut String, o: &Observed) {
    out.push_str("    schema:\n      columns:\n");
    let keys: Vec<String> = o
        .columns
        .iter()
        .map(|c| format!("{}:", scalar(&c.name)))
        .collect();
    let width = keys
        .iter()
        .map(|k| k.chars().count())
        .filter(|w| *w <= 24)
        .max()
        .unwrap_or(0);
    for (c, key) in o.columns.iter().zip(&keys) {
        let mut fields = Vec::new();
        let ty = contract_type(&c.data_type);
        if let Some(t) = &ty {
            fields.push(format!("type: {}", scalar(t)));
        }
        if o.rows > 0 && c.non_null == o.rows {
            fields.push("nullable: false".into());
        }
        let value = if fields.is_empty() {
            "{}".to_string()
        } else {
            format!("{{ {} }}", fields.join(", "))
        };
        let note = match ty {
            Some(_) => String::new(),
            None => format!(
                "   # {}: no contract type for it; only its presence is checked",
                comment(&c.data_type.to_string())
            ),
        };
        let _ = writeln!(out, "        {key:<width$} {value}{note}");
    }
    out.push_str("      extra_columns: forbid\n      order: any\n");
}

/// The column's type in contract vocabulary, pinned as tightly as the
/// contract can say it (a timestamp without a zone is `timestamp[us,
/// none]`); `None` when contracts have no name for it.
pub fn contract_type(dt: &DataType) -> Option<String> {
    let text = match dt {
        DataType::Timestamp(u, None) => {
            let unit = match u {
                TimeUnit::Second => "s",
                TimeUnit::Millisecond => "ms",
                TimeUnit::Microsecond => "us",
                TimeUnit::Nanosecond => "ns",
            };
            format!("timestamp[{unit}, none]")
        }
        other => display_type(other),
    };
    TypeSpec::parse(&text)
        .filter(|t| t.matches(dt))
        .map(|_| text)
}

fn pct(n: u64, rows: u64) -> String {
    format!("{}%", fmt_float(100.0 * n as f64 / rows as f64))
}

fn plan(c: &ColumnObs, rows: u64, opts: &Options) -> ColumnPlan {
    let mut p = ColumnPlan {
        observed: Vec::new(),
        checks: Vec::new(),
    };
    if c.non_null == 0 {
        p.observed.push("every value is null".into());
        return p;
    }
    if c.key {
        p.checks
            .extend(["unique".to_string(), "not_null".to_string()]);
    }
    let nulls = rows - c.non_null;
    rate(&mut p, "null_rate", "nulls", nulls, rows, opts.margin);
    if let Some(nan) = c.nan {
        rate(&mut p, "nan_rate", "NaN", nan, rows, opts.margin);
    }
    match shape(&c.data_type) {
        Shape::Int | Shape::Float | Shape::Decimal => number_range(&mut p, c, opts.margin),
        Shape::Time => time_range(&mut p, c, opts.margin),
        Shape::Str => strings(&mut p, c, opts),
        Shape::Other => {}
    }
    if c.key {
        p.observed.push("no duplicates".into());
    }
    p
}

/// A null or NaN rate: nothing to check when none were seen (nulls: the
/// schema says `nullable: false`; NaN: `max: 0`), else a ceiling.
fn rate(p: &mut ColumnPlan, kw: &str, what: &str, n: u64, rows: u64, margin: f64) {
    if n == 0 {
        p.observed.push(format!("no {what}"));
        if kw == "nan_rate" {
            p.checks.push("nan_rate: { max: 0 }".into());
        }
        return;
    }
    p.observed.push(format!("{n} {what} ({})", pct(n, rows)));
    if let Some(ceiling) = widen::rate_ceiling(n as f64 / rows as f64, margin) {
        p.checks.push(format!("{kw}: {{ max: {ceiling} }}"));
    }
}

fn number_range(p: &mut ColumnPlan, c: &ColumnObs, margin: f64) {
    let (Some(min), Some(max)) = (&c.min, &c.max) else {
        return;
    };
    p.observed.insert(0, format!("min {min}, max {max}"));
    let integer = matches!(min, Value::Int(_));
    let looks = match (min.as_f64(), max.as_f64()) {
        (Some(a), Some(b)) => widen::domain(&c.name, integer, a, b),
        _ => None,
    };
    let mut clamped = false;
    let (lo, hi) = match (min, max) {
        (Value::Int(a), Value::Int(b)) => {
            let (mut lo, mut hi) = widen::int_range(*a, *b, margin, int_domain(&c.data_type));
            if let Some(d) = &looks {
                ((lo, hi), clamped) = widen::clamp_int(lo, hi, d);
            }
            let fits = |v: i128| i64::try_from(v).ok().map(|v| v.to_string());
            (fits(lo), fits(hi))
        }
        _ => {
            let (Some(a), Some(b)) = (min.as_f64(), max.as_f64()) else {
                return;
            };
            if !(a.is_finite() && b.is_finite()) {
                return;
            }
            let finest = match min {
                Value::Decimal(_, s) => Some(-(*s as i32)),
                _ => None,
            };
            let (mut lo, mut hi): (Num, Num) = widen::float_range(a, b, margin, finest);
            if let Some(d) = &looks {
                ((lo, hi), clamped) = widen::clamp_float(lo, hi, d);
            }
            (Some(lo.to_string()), Some(hi.to_string()))
        }
    };
    if let (true, Some(d)) = (clamped, looks) {
        p.observed.push(format!(
            "widened only within {}..{}: it looks like {}",
            Num::Exact(d.lo),
            Num::Exact(d.hi),
            d.what
        ));
    }
    if let Some(lo) = lo {
        p.checks.push(format!("min: {{ min: {lo} }}"));
    }
    if let Some(hi) = hi {
        p.checks.push(format!("max: {{ max: {hi} }}"));
    }
}

/// The values an integer type can hold.
fn int_domain(dt: &DataType) -> (i128, i128) {
    match dt {
        DataType::Int8 => (i8::MIN as i128, i8::MAX as i128),
        DataType::Int16 => (i16::MIN as i128, i16::MAX as i128),
        DataType::Int32 => (i32::MIN as i128, i32::MAX as i128),
        DataType::UInt8 => (0, u8::MAX as i128),
        DataType::UInt16 => (0, u16::MAX as i128),
        DataType::UInt32 => (0, u32::MAX as i128),
        DataType::UInt64 => (0, u64::MAX as i128),
        _ => (i64::MIN as i128, i64::MAX as i128),
    }
}

fn time_range(p: &mut ColumnPlan, c: &ColumnObs, margin: f64) {
    let (Some(min), Some(max)) = (&c.min, &c.max) else {
        return;
    };
    p.observed.insert(0, format!("min {min}, max {max}"));
    let (Some(a), Some(b)) = (min.as_nanos(), max.as_nanos()) else {
        return;
    };
    let (lo, hi) = widen::time_range(a, b, margin, matches!(min, Value::Date(_)));
    for (kw, bound) in [("min", lo), ("max", hi)] {
        if let Some(text) = time_text(bound) {
            p.checks
                .push(format!("{kw}: {{ {kw}: {} }}", scalar(&text)));
        }
    }
}

/// A time bound as a suite writes it, if it reads back as the same instant.
fn time_text(b: TimeBound) -> Option<String> {
    let text = if b.date {
        format_nanos(b.nanos).get(..10)?.to_string()
    } else {
        format_nanos(b.nanos)
    };
    let back = TimeExpr::parse(&text)?.resolve(chrono::DateTime::UNIX_EPOCH);
    (back == b.nanos).then_some(text)
}

fn strings(p: &mut ColumnPlan, c: &ColumnObs, opts: &Options) {
    let set = c.values.as_ref().filter(|v| {
        (v.len() as u64) < c.non_null && v.iter().all(|s| s.chars().count() <= MAX_SET_VALUE_CHARS)
    });
    if let Some(values) = set {
        let n = values.len();
        p.observed.insert(0, count(n, "distinct value"));
        p.checks.push(in_set(values));
        return;
    }
    let Some((lo, hi)) = c.lengths else { return };
    let distinct = match &c.values {
        Some(v) => format!("{} distinct values", v.len()),
        None if opts.max_set > 0 => format!("more than {} distinct values", opts.max_set),
        None => String::new(),
    };
    let mut seen = format!("length {lo} to {hi}");
    if !distinct.is_empty() {
        seen = format!("{distinct}, {seen}");
    }
    p.observed.insert(0, seen);
    let (lo, hi) = widen::int_range(lo, hi, opts.margin, (0, i64::MAX as i128));
    p.checks.push(format!("length: {{ min: {lo}, max: {hi} }}"));
}

/// `in_set: [a, b]`, or one value per line when that gets long.
fn in_set(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| scalar(v)).collect();
    let flow = format!("in_set: [{}]", items.join(", "));
    if flow.len() <= MAX_LINE {
        return flow;
    }
    let mut block = String::from("in_set:");
    for i in items {
        let _ = write!(block, "\n            - {i}");
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_types_read_back() {
        let cases = [
            (DataType::Int32, Some("int32")),
            (DataType::Utf8View, Some("string")),
            (
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                Some("timestamp[us, UTC]"),
            ),
            (
                DataType::Timestamp(TimeUnit::Nanosecond, None),
                Some("timestamp[ns, none]"),
            ),
            (DataType::Decimal128(10, 2), Some("decimal(10, 2)")),
            (DataType::Date32, Some("date")),
            (DataType::Null, None),
            (
                DataType::List(std::sync::Arc::new(
                    datafusion::arrow::datatypes::Field::new("item", DataType::Int64, true),
                )),
                None,
            ),
        ];
        for (dt, want) in cases {
            assert_eq!(contract_type(&dt).as_deref(), want, "{dt}");
        }
    }

    #[test]
    fn long_sets_go_one_per_line() {
        let short: Vec<String> = ["b", "a b", "yes"].iter().map(|s| s.to_string()).collect();
        assert_eq!(in_set(&short), r#"in_set: [b, "a b", "yes"]"#);
        let long: Vec<String> = (0..20).map(|i| format!("category_{i:02}")).collect();
        let text = in_set(&long);
        assert!(
            text.starts_with("in_set:\n            - category_00\n"),
            "{text}"
        );
    }
}
