//! A drift section of the report: per column the statistics with the bins
//! behind them (`compare`), and per column one check judged against the
//! warn and fail thresholds (`evaluate`, pure).

use serde::Serialize;

use super::side::{Column, RefColumn};
use super::stats;
use crate::check::{CheckResult, Status};
use crate::metric::Value;
use crate::report::format::fmt_float;
use crate::spec::{
    DriftColumn, DriftMethod, DriftOptions, DriftReference, DriftSpec, Severity, Thresholds,
};

#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    pub source: String,
    /// The reference source's name, or the saved reference's path.
    pub reference: String,
    pub reference_kind: &'static str,
    pub rows_current: Option<u64>,
    pub rows_reference: Option<u64>,
    /// Why nothing could be measured (the reference file is unreadable).
    pub error: Option<String>,
    pub columns: Vec<ColumnDrift>,
    pub checks: Vec<CheckResult>,
    pub seconds: f64,
}

impl DriftReport {
    pub fn new(spec: &DriftSpec) -> DriftReport {
        let (reference, kind) = match &spec.reference {
            DriftReference::Source(s) => (s.clone(), "source"),
            DriftReference::Saved(p) => (p.clone(), "saved"),
        };
        DriftReport {
            source: spec.source.clone(),
            reference,
            reference_kind: kind,
            rows_current: None,
            rows_reference: None,
            error: None,
            columns: Vec::new(),
            checks: Vec::new(),
            seconds: 0.0,
        }
    }

    /// With the declared columns, so a broken reference errors each of them.
    pub fn failed(mut self, spec: &DriftSpec, why: String) -> DriftReport {
        let cols = spec.columns.clone().unwrap_or_else(|| {
            vec![DriftColumn {
                name: "*".into(),
                options: spec.options,
            }]
        });
        for c in &cols {
            let d = ColumnDrift::error(&c.name, why.clone());
            self.checks.push(evaluate(&d, &c.options));
        }
        self.error = Some(why);
        self
    }
}

/// One bin or category, with both sides' counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinRow {
    /// The category, or the bin's range as text (`(1.5, 2.25]`).
    pub label: String,
    /// Numeric bins: the upper edge (null for the last, open bin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    pub reference: u64,
    pub current: u64,
    /// The upper edge as a chart labels it (`2026-01-05` for dates).
    #[serde(skip)]
    pub upper_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KsOutcome {
    pub statistic: f64,
    pub p_value: f64,
    /// `exact` or `asymptotic`, as scipy's `ks_2samp(method="auto")`.
    pub method: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChiOutcome {
    pub statistic: f64,
    pub dof: u64,
    pub p_value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnDrift {
    pub column: String,
    pub method: Option<DriftMethod>,
    /// Why this method was picked for the column.
    pub why_method: Option<String>,
    /// Non-null, non-NaN values compared on each side.
    pub values_reference: u64,
    pub values_current: u64,
    pub nulls_reference: u64,
    pub nulls_current: u64,
    pub nans_reference: u64,
    pub nans_current: u64,
    pub bins: Vec<BinRow>,
    /// Current categories the reference never had, with their rows.
    pub unseen: Vec<(String, u64)>,
    pub psi: Option<f64>,
    pub js: Option<f64>,
    pub ks: Option<KsOutcome>,
    pub chi_square: Option<ChiOutcome>,
    /// Why a statistic could not be computed, or the column not measured.
    pub note: Option<String>,
    /// True when the values were sorted on disk (under `--memory-limit`)
    /// rather than in memory: the statistics are the same, exact.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sorted_on_disk: bool,
    pub error: Option<String>,
    pub seconds: f64,
}

impl ColumnDrift {
    pub fn error(column: &str, why: String) -> ColumnDrift {
        ColumnDrift {
            column: column.to_string(),
            method: None,
            why_method: None,
            values_reference: 0,
            values_current: 0,
            nulls_reference: 0,
            nulls_current: 0,
            nans_reference: 0,
            nans_current: 0,
            bins: Vec::new(),
            unseen: Vec::new(),
            psi: None,
            js: None,
            ks: None,
            chi_square: None,
            note: None,
            sorted_on_disk: false,
            error: Some(why),
            seconds: 0.0,
        }
    }
}

/// How a bin edge reads: a number, or for dates and timestamps (read as
/// days or units since the epoch) the instant it stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EdgeUnit {
    Number,
    /// Nanoseconds per unit of the values.
    Time(f64),
}

impl EdgeUnit {
    pub fn of(dt: &datafusion::arrow::datatypes::DataType) -> EdgeUnit {
        use datafusion::arrow::datatypes::{DataType::*, TimeUnit};
        match dt {
            Date32 => EdgeUnit::Time(86_400e9),
            Date64 => EdgeUnit::Time(1e6),
            Timestamp(u, _) => EdgeUnit::Time(match u {
                TimeUnit::Second => 1e9,
                TimeUnit::Millisecond => 1e6,
                TimeUnit::Microsecond => 1e3,
                TimeUnit::Nanosecond => 1.0,
            }),
            _ => EdgeUnit::Number,
        }
    }

    pub fn text(self, v: f64) -> String {
        match self {
            EdgeUnit::Number => fmt_float(v),
            EdgeUnit::Time(ns) => {
                let t = crate::spec::time::format_nanos((v * ns).round() as i128);
                t.strip_suffix("T00:00:00Z")
                    .map(str::to_string)
                    .unwrap_or(t)
            }
        }
    }
}

fn range_label(lower: Option<f64>, upper: Option<f64>, unit: EdgeUnit) -> String {
    let lo = lower.map_or("-inf".to_string(), |v| unit.text(v));
    let hi = upper.map_or("inf".to_string(), |v| unit.text(v));
    format!("({lo}, {hi}{}", if upper.is_some() { "]" } else { ")" })
}

/// Every statistic of one column, from the reference's bins or counts and
/// the current values.
pub fn compare(
    col: &DriftColumn,
    method: DriftMethod,
    unit: EdgeUnit,
    why: String,
    reference: &RefColumn,
    current: &Column,
) -> ColumnDrift {
    let mut d = ColumnDrift::error(&col.name, String::new());
    d.error = None;
    d.method = Some(method);
    d.why_method = Some(why);
    match (reference, current) {
        (
            RefColumn::Numeric {
                nulls,
                nans,
                edges,
                counts,
                sorted,
            },
            Column::Numeric {
                nulls: cn,
                nans: cnan,
                sorted: cur,
            },
        ) => {
            (
                d.nulls_reference,
                d.nans_reference,
                d.nulls_current,
                d.nans_current,
            ) = (*nulls, *nans, *cn, *cnan);
            d.values_reference = counts.iter().sum();
            d.values_current = cur.len() as u64;
            d.sorted_on_disk = cur.on_disk()
                || matches!(sorted, Some(super::side::Sample::Sorted(s)) if s.on_disk());
            let cur_counts = match stats::bin_counts(cur, edges) {
                Ok(c) => c,
                Err(e) => return ColumnDrift::error(&col.name, e),
            };
            for (i, (&r, &c)) in counts.iter().zip(&cur_counts).enumerate() {
                let upper = edges.get(i).copied();
                let lower = i.checked_sub(1).map(|j| edges[j]);
                d.bins.push(BinRow {
                    label: range_label(lower, upper, unit),
                    upper,
                    reference: r,
                    current: c,
                    upper_text: upper.map(|u| unit.text(u)),
                });
            }
            d.psi = stats::psi(counts, &cur_counts);
            d.js = stats::js_distance(counts, &cur_counts);
            match sorted {
                Some(r) => match r.ks_2samp(cur) {
                    Ok(ks) => {
                        d.ks = ks.map(|k| KsOutcome {
                            statistic: k.statistic,
                            p_value: k.p_value,
                            method: k.method.name(),
                        })
                    }
                    Err(e) => return ColumnDrift::error(&col.name, e),
                },
                None => {
                    d.note = Some(
                        "no KS test: the saved reference keeps bins, not values \
                         (it had too many distinct values)"
                            .into(),
                    )
                }
            }
        }
        (
            RefColumn::Categorical { nulls, counts },
            Column::Categorical {
                nulls: cn,
                counts: cur,
            },
        ) => {
            (d.nulls_reference, d.nulls_current) = (*nulls, *cn);
            d.values_reference = counts.values().sum();
            d.values_current = cur.values().sum();
            let mut cats: Vec<&String> = counts.keys().chain(cur.keys()).collect();
            cats.sort();
            cats.dedup();
            let (mut rc, mut cc) = (Vec::new(), Vec::new());
            for cat in cats {
                let (r, c) = (
                    counts.get(cat).copied().unwrap_or(0),
                    cur.get(cat).copied().unwrap_or(0),
                );
                if r == 0 {
                    d.unseen.push((cat.clone(), c));
                }
                rc.push(r);
                cc.push(c);
                d.bins.push(BinRow {
                    label: cat.clone(),
                    upper: None,
                    reference: r,
                    current: c,
                    upper_text: None,
                });
            }
            d.psi = stats::psi(&rc, &cc);
            d.js = stats::js_distance(&rc, &cc);
            d.chi_square = stats::chi_square(&rc, &cc).map(|c| ChiOutcome {
                statistic: c.statistic,
                dof: c.dof,
                p_value: c.p_value,
            });
            if rc.len() == 1 {
                d.note = Some(format!(
                    "one category ({:?}) on both sides: chi-square is undefined, it needs two",
                    d.bins[0].label
                ));
            }
        }
        _ => d.error = Some("the two sides were read as different kinds".into()),
    }
    if d.error.is_none() && (d.values_reference == 0 || d.values_current == 0) {
        let side = if d.values_reference == 0 {
            "the reference"
        } else {
            "the current source"
        };
        d.error = Some(format!(
            "{side} has no values in `{}` (empty, or all null/NaN): drift is undefined",
            col.name
        ));
    }
    d
}

/// A crossed threshold: which statistic, its value and the limit.
struct Crossed {
    what: &'static str,
    value: f64,
    limit: f64,
}

fn crossed(d: &ColumnDrift, t: &Thresholds) -> Vec<Crossed> {
    let mut out = Vec::new();
    let mut over = |what, value: Option<f64>, limit: Option<f64>| {
        if let (Some(v), Some(l)) = (value, limit) {
            if v >= l {
                out.push(Crossed {
                    what,
                    value: v,
                    limit: l,
                });
            }
        }
    };
    over("PSI", d.psi, t.psi);
    over("KS D", d.ks.as_ref().map(|k| k.statistic), t.ks);
    over("JS distance", d.js, t.js);
    let p =
        d.ks.as_ref()
            .map(|k| k.p_value)
            .or(d.chi_square.as_ref().map(|c| c.p_value));
    if let (Some(p), Some(l)) = (p, t.p_value) {
        if p < l {
            out.push(Crossed {
                what: "p-value",
                value: p,
                limit: l,
            });
        }
    }
    out
}

fn limits_text(t: &Thresholds) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(l) = t.psi {
        v.push(format!("PSI < {}", fmt_float(l)));
    }
    if let Some(l) = t.ks {
        v.push(format!("KS D < {}", fmt_float(l)));
    }
    if let Some(l) = t.js {
        v.push(format!("JS < {}", fmt_float(l)));
    }
    if let Some(l) = t.p_value {
        v.push(format!("p ≥ {}", fmt_float(l)));
    }
    v
}

fn expected_text(o: &DriftOptions) -> String {
    let fail = limits_text(&o.fail);
    let warn = limits_text(&o.warn);
    let mut s = if fail.is_empty() {
        "no fail limit".to_string()
    } else {
        fail.join(", ")
    };
    if !warn.is_empty() {
        s += &format!(" (warn: {})", warn.join(", "));
    }
    s
}

fn observed_text(d: &ColumnDrift) -> String {
    let mut parts = Vec::new();
    if let Some(p) = d.psi {
        parts.push(format!("PSI {}", fmt_float(p)));
    }
    if let Some(k) = &d.ks {
        parts.push(format!(
            "KS D {} (p {})",
            fmt_float(k.statistic),
            fmt_float(k.p_value)
        ));
    }
    if let Some(c) = &d.chi_square {
        parts.push(format!(
            "chi² {} (p {})",
            fmt_float(c.statistic),
            fmt_float(c.p_value)
        ));
    }
    if let Some(j) = d.js {
        parts.push(format!("JS {}", fmt_float(j)));
    }
    if !d.unseen.is_empty() {
        let rows: u64 = d.unseen.iter().map(|u| u.1).sum();
        parts.push(format!(
            "{} unseen categor{} ({rows} rows)",
            d.unseen.len(),
            if d.unseen.len() == 1 { "y" } else { "ies" }
        ));
    }
    parts.join(", ")
}

/// The column's check: fail (error severity) when a fail threshold is
/// crossed, fail with warn severity when only a warn threshold is, pass
/// otherwise; an unmeasured column is an error.
pub fn evaluate(d: &ColumnDrift, o: &DriftOptions) -> CheckResult {
    let mut r = CheckResult::named(
        format!("{}.drift", d.column),
        "drift",
        Some(d.column.clone()),
        Severity::Error,
        expected_text(o),
    )
    .observed(d.psi.map(Value::Float), observed_text(d));
    if let Some(e) = &d.error {
        r.status = Status::Error;
        r.why = Some(e.clone());
        return r;
    }
    let describe = |c: &[Crossed]| {
        c.iter()
            .map(|c| {
                let op = if c.what == "p-value" { "<" } else { "≥" };
                format!(
                    "{} {} {op} {}",
                    c.what,
                    fmt_float(c.value),
                    fmt_float(c.limit)
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (fail, warn) = (crossed(d, &o.fail), crossed(d, &o.warn));
    if !fail.is_empty() {
        r.status = Status::Fail;
        r.why = Some(format!("drifted: {}", describe(&fail)));
    } else if !warn.is_empty() {
        r.status = Status::Fail;
        r.severity = Severity::Warn;
        r.why = Some(format!("drifting: {}", describe(&warn)));
    }
    r
}
