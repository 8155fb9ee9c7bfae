//! The diff section of the report: row counts, per-column results, quality,
//! gates and timings, as a serde model any renderer can read.

use crate::report::format::count;
use datafusion::scalar::ScalarValue;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::accum::{Accum, Changed, Key};
use super::plan::{Class, Plan};
use super::quality::QualityReport;
use super::slices::{SliceColumn, SlicesReport};
use super::QualityInputs;
use crate::check::{CheckResult, Duplicates};
use crate::metric::Value;
use crate::spec::{DiffSpec, Severity, SliceSpec};
use crate::types::display_type;

#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub baseline: String,
    pub candidate: String,
    pub key: Vec<String>,
    /// Why the diff could not be computed, if it could not.
    pub error: Option<String>,
    pub rows: Rows,
    pub columns: Vec<ColumnDiff>,
    pub only_in_baseline_columns: Vec<String>,
    pub only_in_candidate_columns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<QualityReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slices: Option<SlicesReport>,
    /// Every gate as a check: observed vs expected, severity, status.
    pub gates: Vec<CheckResult>,
    /// Facts worth a look that fail nothing by themselves.
    pub warnings: Vec<String>,
    pub timings: DiffTimings,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Rows {
    /// Rows in both (a key duplicated on both sides counts once per pair).
    pub both: u64,
    pub only_baseline: u64,
    pub only_candidate: u64,
    /// Rows whose key has a null: they match nothing. Baseline, candidate.
    pub null_keys: [u64; 2],
    /// Duplicated keys: baseline, candidate.
    pub duplicates: [Option<DuplicateKeys>; 2],
    /// The smallest keys found only in the baseline (missing from the candidate).
    pub only_baseline_sample: Vec<Map<String, Json>>,
    /// The smallest keys found only in the candidate (added).
    pub only_candidate_sample: Vec<Map<String, Json>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateKeys {
    pub keys: u64,
    pub rows: u64,
    pub sample: Vec<Vec<Value>>,
}

impl From<Duplicates> for DuplicateKeys {
    fn from(d: Duplicates) -> Self {
        DuplicateKeys {
            keys: d.keys,
            rows: d.rows,
            sample: d.sample,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnDiff {
    pub name: String,
    pub baseline_type: String,
    pub candidate_type: String,
    /// `numeric`, `integer` or `label`.
    pub class: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abs_tol: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rel_tol: Option<f64>,
    /// Rows in both sides.
    pub compared: u64,
    pub changed: u64,
    pub changed_rate: Option<f64>,
    /// Changes where one side is null (or NaN) and the other is not.
    pub null_changes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericDiff>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transitions: Option<Transitions>,
    /// The most-changed rows: by |difference| (null/NaN changes first),
    /// then key.
    pub top: Vec<ChangedRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Statistics of `candidate − baseline` over rows where both are numbers.
#[derive(Debug, Clone, Serialize)]
pub struct NumericDiff {
    pub values: u64,
    pub mean_abs: Option<f64>,
    pub max_abs: Option<f64>,
    pub p50_abs: Option<f64>,
    pub p95_abs: Option<f64>,
    pub p99_abs: Option<f64>,
    /// Mean of `candidate − baseline`: the direction of the shift.
    pub mean_shift: Option<f64>,
    /// Rows per decade of `|candidate − baseline|`: exactly 0, then
    /// `[1e-k, 1e-(k-1))` for each decade that has rows, ascending.
    pub histogram: Vec<Bin>,
    /// Non-zero differences that were kept on disk under `--memory-limit`:
    /// the percentiles are selected from them exactly, only slower.
    #[serde(skip_serializing_if = "crate::report::format::is_zero")]
    pub spilled: u64,
    /// Why the percentiles and the histogram are missing: a spill file
    /// could not be written or read back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl NumericDiff {
    /// The statistics of `|Δ|` in the order tables show them (after the
    /// changed count and rate): mean, p50, p95, p99, max, then the mean shift.
    pub fn stats(&self) -> [Option<f64>; 6] {
        [
            self.mean_abs,
            self.p50_abs,
            self.p95_abs,
            self.p99_abs,
            self.max_abs,
            self.mean_shift,
        ]
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Bin {
    /// Inclusive lower edge (0 for the zero bin).
    pub from: f64,
    /// Exclusive upper edge (0 for the zero bin).
    pub to: f64,
    pub rows: u64,
}

/// Old → new label counts over rows in both sides.
#[derive(Debug, Clone, Serialize)]
pub struct Transitions {
    pub flips: u64,
    pub flip_rate: Option<f64>,
    /// Distinct (old, new) pairs seen (capped at 10,000).
    pub distinct_pairs: usize,
    /// Rows of pairs beyond the cap.
    pub other_rows: u64,
    /// The most frequent pairs, unchanged ones included (at most 50).
    pub pairs: Vec<Transition>,
    /// The most frequent changed pairs, a null on one side included (at
    /// most 50): the flips themselves, which an identifier-like column's
    /// unchanged pairs would push out of `pairs`.
    pub changes: Vec<Transition>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub from: super::labels::Label,
    pub to: super::labels::Label,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangedRow {
    pub key: Map<String, Json>,
    pub baseline: Option<Value>,
    pub candidate: Option<Value>,
    /// |candidate − baseline|; null when one side is null or NaN, or the
    /// column is a label.
    pub abs_diff: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DiffTimings {
    /// Reading each side's key to count duplicates.
    pub key_scans: Vec<KeyScan>,
    /// The join and the comparison, reading both sides (and the truth).
    pub compare_seconds: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeyScan {
    pub side: &'static str,
    pub seconds: f64,
}

/// How many transitions the report lists per column.
const MAX_TRANSITIONS: usize = 50;

impl DiffReport {
    pub fn new(spec: &DiffSpec) -> DiffReport {
        DiffReport {
            baseline: spec.baseline.clone(),
            candidate: spec.candidate.clone(),
            key: spec.key.clone(),
            error: None,
            rows: Rows::default(),
            columns: Vec::new(),
            only_in_baseline_columns: Vec::new(),
            only_in_candidate_columns: Vec::new(),
            quality: None,
            slices: None,
            gates: Vec::new(),
            warnings: Vec::new(),
            timings: DiffTimings::default(),
        }
    }

    /// The diff could not be computed: one error check carries the reason,
    /// so the run exits 3 and nothing is reported as passed.
    pub fn failed(mut self, why: String) -> DiffReport {
        self.gates = vec![error_check("diff", None, why.clone())];
        self.error = Some(why);
        self
    }

    pub fn describe_plan(&mut self, plan: &Plan) {
        self.only_in_baseline_columns = plan.only_baseline.clone();
        self.only_in_candidate_columns = plan.only_candidate.clone();
        self.warnings.extend(plan.notes.iter().cloned());
        for i in &plan.incomparable {
            self.columns.push(ColumnDiff {
                name: i.name.clone(),
                baseline_type: i.baseline_type.clone(),
                candidate_type: i.candidate_type.clone(),
                class: "label",
                abs_tol: None,
                rel_tol: None,
                compared: 0,
                changed: 0,
                changed_rate: None,
                null_changes: 0,
                numeric: None,
                transitions: None,
                top: Vec::new(),
                error: Some(i.why.clone()),
            });
        }
    }

    pub fn absorb(
        &mut self,
        acc: Accum,
        plan: &Plan,
        quality: Option<QualityInputs>,
        slices: Option<(&SliceSpec, &[SliceColumn])>,
    ) {
        let names = &self.key;
        let keys =
            |s: super::accum::KeySample| s.sorted().iter().map(|k| key_json(names, k)).collect();
        self.rows.both = acc.both;
        self.rows.only_baseline = acc.only_baseline;
        self.rows.only_candidate = acc.only_candidate;
        self.rows.null_keys = acc.null_keys;
        self.rows.only_baseline_sample = keys(acc.only_baseline_sample);
        self.rows.only_candidate_sample = keys(acc.only_candidate_sample);
        let mut computed = Vec::new();
        for (c, a) in plan.columns.iter().zip(acc.columns) {
            let rate = |n: u64| (a.compared > 0).then(|| n as f64 / a.compared as f64);
            let numeric = a.numeric.map(|mut n| {
                let mean = |s: f64| (n.n > 0).then(|| s / n.n as f64);
                let spilled = n.nonzero.spilled();
                let (mean_abs, mean_shift) = (mean(n.sum_abs.value()), mean(n.sum_signed.value()));
                let exact = n
                    .percentiles(&[0.5, 0.95, 0.99])
                    .and_then(|p| Ok((p, decades(n.zeros, &n.nonzero)?)));
                let ([p50_abs, p95_abs, p99_abs], histogram, error) = match exact {
                    Ok((p, h)) => ([p[0], p[1], p[2]], h, None),
                    Err(e) => ([None; 3], Vec::new(), Some(e)),
                };
                NumericDiff {
                    values: n.n,
                    mean_abs,
                    max_abs: (n.n > 0).then_some(n.max_abs),
                    mean_shift,
                    p50_abs,
                    p95_abs,
                    p99_abs,
                    histogram,
                    spilled,
                    error,
                }
            });
            let transitions = a.transitions.map(|t| {
                let sorted = t.sorted();
                Transitions {
                    flips: a.changed,
                    flip_rate: rate(a.changed),
                    distinct_pairs: sorted.len(),
                    other_rows: t.other_rows,
                    changes: sorted
                        .iter()
                        .filter(|(f, to, _)| f != to)
                        .take(MAX_TRANSITIONS)
                        .map(transition)
                        .collect(),
                    pairs: sorted
                        .iter()
                        .take(MAX_TRANSITIONS)
                        .map(transition)
                        .collect(),
                }
            });
            let class = c.class;
            computed.push(ColumnDiff {
                name: c.name.clone(),
                baseline_type: display_type(&c.baseline_type),
                candidate_type: display_type(&c.candidate_type),
                class: match class {
                    Class::Numeric => "numeric",
                    Class::Integer => "integer",
                    Class::Label => "label",
                },
                abs_tol: class.numeric().then_some(c.tolerance.abs),
                rel_tol: class.numeric().then_some(c.tolerance.rel),
                compared: a.compared,
                changed: a.changed,
                changed_rate: rate(a.changed),
                null_changes: a.null_changes,
                numeric,
                transitions,
                top: a
                    .top
                    .sorted()
                    .into_iter()
                    .map(|r| changed_row(names, r, class))
                    .collect(),
                error: None,
            });
        }
        // Computed columns first, in the order they were asked for.
        computed.append(&mut self.columns);
        self.columns = computed;
        if let Some((spec, columns)) = slices {
            let described = quality.as_ref().map(|q| &q.described);
            self.slices = Some(SlicesReport {
                min_rows: spec.min_rows,
                columns: acc
                    .slices
                    .into_iter()
                    .zip(columns)
                    .map(|(a, c)| a.finish(c, spec, described))
                    .collect(),
                error: None,
            });
        }
        if let (Some(q), Some(inputs)) = (acc.quality, quality) {
            self.quality = Some(q.finish(inputs.described));
        }
        self.warn_about_rows();
    }

    fn warn_about_rows(&mut self) {
        let r = &self.rows;
        if r.both == 0 && (r.only_baseline > 0 || r.only_candidate > 0) {
            self.warnings.push(format!(
                "no key is in both `{}` and `{}`: no values were compared (is the key right?)",
                self.baseline, self.candidate
            ));
        }
        if r.both == 0 && r.only_baseline == 0 && r.only_candidate == 0 {
            self.warnings
                .push("both sides are empty: there was nothing to compare".to_string());
        }
        for (side, n) in ["baseline", "candidate"].iter().zip(r.null_keys) {
            if n > 0 {
                self.warnings.push(format!(
                    "{} of the {side} {} a null key and match nothing",
                    count(n, "row"),
                    if n == 1 { "has" } else { "have" }
                ));
            }
        }
        if let Some(q) = &self.quality {
            if q.truth_unmatched > 0 {
                self.warnings.push(format!(
                    "{} of {} truth rows have no prediction from one model or both; \
                     quality is computed on the {} rows both models and the truth share",
                    q.truth_unmatched, q.truth_rows, q.rows
                ));
            }
            if q.null_rows > 0 {
                self.warnings.push(format!(
                    "{} row{} left out of quality: the truth or a prediction is null",
                    q.null_rows,
                    if q.null_rows == 1 { " was" } else { "s were" }
                ));
            }
        }
    }
}

/// The zero bin and one bin per decade of the non-zero differences.
fn decades(zeros: u64, nonzero: &crate::engine::spill::SortedRuns) -> Result<Vec<Bin>, String> {
    let mut by_exp: std::collections::BTreeMap<i32, u64> = std::collections::BTreeMap::new();
    nonzero.for_each(|a| {
        if a.is_finite() {
            *by_exp.entry(a.log10().floor() as i32).or_default() += 1;
        }
    })?;
    let mut bins = Vec::new();
    if zeros > 0 {
        bins.push(Bin {
            from: 0.0,
            to: 0.0,
            rows: zeros,
        });
    }
    bins.extend(by_exp.into_iter().map(|(e, rows)| Bin {
        from: 10f64.powi(e),
        to: 10f64.powi(e + 1),
        rows,
    }));
    Ok(bins)
}

pub fn error_check(name: &str, column: Option<String>, why: String) -> CheckResult {
    CheckResult::named(
        name,
        "diff",
        column,
        Severity::Error,
        "the diff to be computed",
    )
    .error(why)
}

fn transition(
    &(from, to, rows): &(&super::labels::Label, &super::labels::Label, u64),
) -> Transition {
    Transition {
        from: from.clone(),
        to: to.clone(),
        rows,
    }
}

fn value(s: &ScalarValue) -> Option<Value> {
    Value::from_scalar(s).ok().flatten()
}

fn key_json(names: &[String], k: &Key) -> Map<String, Json> {
    names
        .iter()
        .zip(&k.0)
        .map(|(n, v)| {
            let j = value(v)
                .and_then(|v| serde_json::to_value(v).ok())
                .unwrap_or(Json::Null);
            (n.clone(), j)
        })
        .collect()
}

fn changed_row(names: &[String], r: Changed, class: Class) -> ChangedRow {
    ChangedRow {
        key: key_json(names, &r.key),
        baseline: value(&r.baseline),
        candidate: value(&r.candidate),
        abs_diff: (class.numeric() && r.score.is_finite()).then_some(r.score),
    }
}

/// A key as a person reads it: `17`, or `(user=3, day=2026-11-01)`.
pub fn key_text(key: &Map<String, Json>) -> String {
    let show = |v: &Json| match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    if key.len() == 1 {
        return key.values().map(show).next().unwrap_or_default();
    }
    let parts: Vec<String> = key
        .iter()
        .map(|(k, v)| format!("{k}={}", show(v)))
        .collect();
    format!("({})", parts.join(", "))
}
