//! Quality of both models against ground truth, computed in the same pass
//! as the diff over the rows that both models and the truth have.
//!
//! Definitions follow scikit-learn (checked against 1.9.1 on the fixtures in
//! `fixtures/quality/`): `accuracy_score`; `precision_score`, `recall_score`
//! and `f1_score` with `average="macro"` over the sorted union of true and
//! predicted labels, an undefined ratio counting 0 (`zero_division=0`);
//! `log_loss` of the positive class's probability clipped to
//! `[eps, 1 - eps]` (eps = f64::EPSILON); `roc_auc_score` (the Mann–Whitney
//! statistic, ties counting one half); and `sqrt(mean_squared_error)`,
//! `mean_absolute_error`, `r2_score` (1 when both sums of squares are 0,
//! 0 when only the total one is).

use crate::report::format::count;
use std::collections::HashMap;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::Float64Type;
use datafusion::error::Result;
use serde::Serialize;

use super::exact_sum::ExactSum;
use super::labels::{Label, LabelRef, Labels, PairCounts};
use super::paired::{self, Agreement, Differences, PairedTest, Pairs};
use super::plan::Layout;
use crate::engine::spill::SortedRuns;
use crate::spec::{QualityMetric, Task};

/// Column indexes of the quality inputs in a joined batch.
#[derive(Debug, Clone)]
pub struct QualityCols {
    pub truth: usize,
    /// Predicted label or value: baseline, candidate.
    pub prediction: [usize; 2],
    pub probability: Option<[usize; 2]>,
}

#[derive(Debug, Clone, Default)]
pub struct ModelAccum {
    confusion: PairCounts,
    /// Per true label: sums of −ln p and −ln(1 − p) over its rows. Sums
    /// here are exact, so that no metric depends on the order rows came in.
    log_terms: HashMap<Label, (ExactSum, ExactSum)>,
    /// Per true label: the probabilities of its rows, for ROC AUC
    /// (spilled in sorted runs past `kept` values under a memory bound).
    scores: HashMap<Label, SortedRuns>,
    kept: Option<usize>,
    prob_nulls: u64,
    prob_invalid: u64,
    prob_example: Option<f64>,
    sse: ExactSum,
    sae: ExactSum,
    nan: u64,
}

/// Count, sum and sum of squares of the truth, each exact: the sum of
/// squared deviations from them is the same whatever order the rows came
/// in (a cluster and this process hand the fold rows in different orders;
/// Welford's running mean would differ in the last digits).
#[derive(Debug, Clone, Default)]
struct Moments {
    n: u64,
    sum: ExactSum,
    squares: ExactSum,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        self.squares.add_product(x, x);
    }

    fn merge(&mut self, o: &Moments) {
        self.n += o.n;
        self.sum.merge(&o.sum);
        self.squares.merge(&o.squares);
    }

    /// Σ(y − ȳ)².
    fn m2(&self) -> f64 {
        super::exact_sum::centered_squares(&self.sum, &self.squares, self.n)
    }
}

#[derive(Debug, Clone)]
pub struct QualityAccum {
    cols: QualityCols,
    task: Task,
    /// Rows of the truth source (with a non-null key).
    pub truth_rows: u64,
    /// Truth rows that one model or both have no prediction for.
    pub truth_unmatched: u64,
    /// Rows both models predicted that have no truth.
    pub unscored: u64,
    /// Rows left out because the truth or a prediction is null.
    pub null_rows: u64,
    /// Rows scored: in both models and the truth, nothing null.
    pub rows: u64,
    models: [ModelAccum; 2],
    y: Moments,
    /// What the paired tests of the two models need.
    agreement: Agreement,
    pairs: Pairs,
    squared: Differences,
    absolute: Differences,
}

impl QualityAccum {
    /// `kept` bounds the probabilities each model holds in memory per
    /// label (the rest spill), and `pairs` the rows whose two
    /// probabilities the paired tests hold; `None` without a memory bound.
    pub fn new(
        cols: QualityCols,
        task: Task,
        kept: Option<usize>,
        pairs: Option<usize>,
    ) -> QualityAccum {
        QualityAccum {
            cols,
            task,
            truth_rows: 0,
            truth_unmatched: 0,
            unscored: 0,
            null_rows: 0,
            rows: 0,
            models: std::array::from_fn(|_| ModelAccum {
                kept,
                ..ModelAccum::default()
            }),
            y: Moments::default(),
            agreement: Agreement::default(),
            pairs: Pairs::new(pairs),
            squared: Differences::new(kept),
            absolute: Differences::new(kept),
        }
    }

    pub fn add(&mut self, batch: &RecordBatch, layout: &Layout) -> Result<()> {
        let all: Vec<u32> = (0..batch.num_rows() as u32).collect();
        self.add_rows(batch, layout, &all)
    }

    /// Folds the rows `rows` of a joined batch (a slice's rows).
    pub fn add_rows(&mut self, batch: &RecordBatch, layout: &Layout, rows: &[u32]) -> Result<()> {
        let present = |i: usize| batch.column(i).as_boolean().clone();
        let (in_b, in_c) = (present(layout.in_baseline), present(layout.in_candidate));
        let in_t = present(layout.in_truth.expect("truth marker"));
        let truth = batch.column(self.cols.truth);
        let preds = self.cols.prediction.map(|i| batch.column(i).clone());
        let mut scored = Vec::with_capacity(rows.len());
        for &i in rows {
            let i = i as usize;
            let (b, c, t) = (in_b.is_valid(i), in_c.is_valid(i), in_t.is_valid(i));
            self.truth_rows += u64::from(t);
            if t && !(b && c) {
                self.truth_unmatched += 1;
            } else if b && c && !t {
                self.unscored += 1;
            } else if b && c && t {
                if truth.is_null(i) || preds[0].is_null(i) || preds[1].is_null(i) {
                    self.null_rows += 1;
                } else {
                    scored.push(i as u32);
                }
            }
        }
        self.rows += scored.len() as u64;
        match self.task {
            Task::Classification => {
                let t = Labels::new(truth)?;
                let labels = [Labels::new(&preds[0])?, Labels::new(&preds[1])?];
                for (model, predicted) in self.models.iter_mut().zip(&labels) {
                    model.confusion.add(&t, predicted, &scored);
                }
                for &i in &scored {
                    let truth = t.get(i as usize);
                    self.agreement.add(
                        labels[0].get(i as usize) == truth,
                        labels[1].get(i as usize) == truth,
                    );
                }
                if let Some(p) = self.cols.probability {
                    for (m, model) in self.models.iter_mut().enumerate() {
                        model.add_probabilities(&t, batch.column(p[m]), &scored);
                    }
                    self.add_pairs(&t, [batch.column(p[0]), batch.column(p[1])], &scored);
                }
            }
            Task::Regression => {
                let y = truth.as_primitive::<Float64Type>();
                for &i in &scored {
                    self.y.add(y.value(i as usize));
                }
                for (m, model) in self.models.iter_mut().enumerate() {
                    let p = preds[m].as_primitive::<Float64Type>();
                    for &i in &scored {
                        let (yt, yp) = (y.value(i as usize), p.value(i as usize));
                        if yt.is_nan() || yp.is_nan() {
                            model.nan += 1;
                        }
                        model.sse.add((yt - yp) * (yt - yp));
                        model.sae.add((yt - yp).abs());
                    }
                }
                let [pb, pc] = [0, 1].map(|m| preds[m].as_primitive::<Float64Type>());
                for &i in &scored {
                    let i = i as usize;
                    let (eb, ec) = (y.value(i) - pb.value(i), y.value(i) - pc.value(i));
                    self.squared.push(ec * ec - eb * eb);
                    self.absolute.push(ec.abs() - eb.abs());
                }
            }
        }
        Ok(())
    }

    /// Both models' probabilities of each scored row where both are
    /// valid, by the row's true label.
    fn add_pairs(&mut self, truth: &Labels, p: [&std::sync::Arc<dyn Array>; 2], rows: &[u32]) {
        let [b, c] = p.map(|a| a.as_primitive::<Float64Type>());
        let mut local: HashMap<LabelRef, Vec<[f64; 2]>, foldhash::fast::RandomState> =
            HashMap::default();
        let valid = |a: &datafusion::arrow::array::Float64Array, i: usize| {
            a.is_valid(i) && (0.0..=1.0).contains(&a.value(i))
        };
        for &i in rows {
            let i = i as usize;
            if valid(b, i) && valid(c, i) {
                local
                    .entry(truth.get(i))
                    .or_default()
                    .push([b.value(i), c.value(i)]);
            }
        }
        for (l, v) in local {
            self.pairs.extend(l.to_owned(), v);
        }
    }

    pub fn merge(&mut self, o: QualityAccum) {
        self.truth_rows += o.truth_rows;
        self.truth_unmatched += o.truth_unmatched;
        self.unscored += o.unscored;
        self.null_rows += o.null_rows;
        self.rows += o.rows;
        self.y.merge(&o.y);
        self.agreement.merge(&o.agreement);
        self.pairs.merge(o.pairs);
        self.squared.merge(o.squared);
        self.absolute.merge(o.absolute);
        for (a, b) in self.models.iter_mut().zip(o.models) {
            a.confusion.merge(b.confusion);
            for (l, (p, q)) in b.log_terms {
                let e = a.log_terms.entry(l).or_default();
                e.0.merge(&p);
                e.1.merge(&q);
            }
            for (l, v) in b.scores {
                let kept = a.kept;
                a.scores
                    .entry(l)
                    .or_insert_with(|| SortedRuns::new(kept))
                    .append(v);
            }
            a.prob_nulls += b.prob_nulls;
            a.prob_invalid += b.prob_invalid;
            a.prob_example = a.prob_example.or(b.prob_example);
            a.sse.merge(&b.sse);
            a.sae.merge(&b.sae);
            a.nan += b.nan;
        }
    }
}

impl ModelAccum {
    fn add_probabilities(&mut self, truth: &Labels, p: &dyn Array, rows: &[u32]) {
        let p = p.as_primitive::<Float64Type>();
        let mut local: HashMap<
            LabelRef,
            (ExactSum, ExactSum, Vec<f64>),
            foldhash::fast::RandomState,
        > = HashMap::default();
        for &i in rows {
            let i = i as usize;
            if p.is_null(i) {
                self.prob_nulls += 1;
                continue;
            }
            let v = p.value(i);
            if !(0.0..=1.0).contains(&v) {
                self.prob_invalid += 1;
                self.prob_example.get_or_insert(v);
                continue;
            }
            let c = v.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
            let e = local.entry(truth.get(i)).or_default();
            e.0.add(-c.ln());
            e.1.add(-(1.0 - c).ln());
            e.2.push(v);
        }
        for (l, (a, b, v)) in local {
            let l = l.to_owned();
            let e = self.log_terms.entry(l.clone()).or_default();
            e.0.merge(&a);
            e.1.merge(&b);
            let scores = self
                .scores
                .entry(l)
                .or_insert_with(|| SortedRuns::new(self.kept));
            // +0.0 for -0.0, so that equal probabilities sort as equal.
            v.into_iter().for_each(|p| scores.push(p + 0.0));
        }
    }
}

/// The quality section of a diff report.
#[derive(Debug, Clone, Serialize)]
pub struct QualityReport {
    pub task: Task,
    /// Why this task was assumed (or that the suite said so).
    pub task_reason: String,
    pub truth: String,
    pub prediction: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<String>,
    /// The positive class of a binary task (for log loss and ROC AUC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positive: Option<Label>,
    /// Rows scored: in both models and the truth, no value null.
    pub rows: u64,
    pub truth_rows: u64,
    pub truth_unmatched: u64,
    pub unscored_predictions: u64,
    pub null_rows: u64,
    /// The sorted union of true and predicted labels (classification).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    pub metrics: Vec<QualityValue>,
    /// Probabilities (of both models) kept on disk under `--memory-limit`
    /// for ROC AUC, which still reads every one of them.
    #[serde(skip_serializing_if = "crate::report::format::is_zero")]
    pub scores_spilled: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct QualityValue {
    pub metric: QualityMetric,
    pub baseline: Option<f64>,
    pub candidate: Option<f64>,
    /// candidate − baseline.
    pub delta: Option<f64>,
    /// Why the metric could not be computed.
    pub error: Option<String>,
    /// Whether the difference is real: the paired test of this metric
    /// (accuracy, ROC AUC, log loss, RMSE, MAE, R²).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<PairedTest>,
    /// Why the metric has no paired test although it could have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_error: Option<String>,
}

/// What the report says about the inputs, beside the accumulated numbers.
#[derive(Debug, Clone)]
pub struct Described {
    pub task_reason: String,
    pub truth: String,
    pub prediction: String,
    pub probability: Option<String>,
    pub positive: Option<Label>,
}

impl QualityAccum {
    pub fn finish(mut self, d: Described) -> QualityReport {
        let mut labels: Vec<Label> = Vec::new();
        let mut metrics = Vec::new();
        let mut positive = None;
        match self.task {
            Task::Classification => {
                for m in &self.models {
                    for (t, p) in m.confusion.pairs.keys() {
                        labels.push(t.clone());
                        labels.push(p.clone());
                    }
                }
                labels.sort();
                labels.dedup();
                let truth_labels = self.truth_labels();
                let pos = binary_positive(&truth_labels, d.positive.clone());
                if d.probability.is_some() {
                    positive = pos.as_ref().ok().cloned();
                }
                for metric in [
                    QualityMetric::Accuracy,
                    QualityMetric::Precision,
                    QualityMetric::Recall,
                    QualityMetric::F1,
                ] {
                    let [b, c] = [0, 1].map(|m| classification(&self.models[m], metric));
                    let mut v = value(metric, b, c);
                    if metric == QualityMetric::Accuracy {
                        v.tested(paired::mcnemar(&self.agreement));
                    }
                    metrics.push(v);
                }
                if d.probability.is_some() {
                    for metric in [QualityMetric::LogLoss, QualityMetric::RocAuc] {
                        let [b, c] = [0, 1].map(|m| {
                            let pos = pos.clone()?;
                            probabilistic(&self.models[m], &pos, metric)
                        });
                        let mut v = value(metric, b, c);
                        if let Ok(pos) = &pos {
                            v.tested(match metric {
                                QualityMetric::LogLoss => self.pairs.log_loss(pos),
                                _ => self.pairs.delong(pos),
                            });
                        }
                        metrics.push(v);
                    }
                }
            }
            Task::Regression => {
                let squared = std::mem::take(&mut self.squared).test("squared error");
                let absolute = std::mem::take(&mut self.absolute).test("absolute error");
                for metric in [QualityMetric::Rmse, QualityMetric::Mae, QualityMetric::R2] {
                    let [b, c] = [0, 1].map(|m| regression(&self.models[m], &self.y, metric));
                    let mut v = value(metric, b, c);
                    v.tested(match metric {
                        QualityMetric::Mae => absolute.clone(),
                        _ => squared.clone(),
                    });
                    metrics.push(v);
                }
            }
        }
        QualityReport {
            task: self.task,
            task_reason: d.task_reason,
            truth: d.truth,
            prediction: d.prediction,
            probability: d.probability,
            positive,
            rows: self.rows,
            truth_rows: self.truth_rows,
            truth_unmatched: self.truth_unmatched,
            unscored_predictions: self.unscored,
            null_rows: self.null_rows,
            labels,
            metrics,
            scores_spilled: self
                .models
                .iter()
                .flat_map(|m| m.scores.values())
                .map(SortedRuns::spilled)
                .sum(),
        }
    }

    fn truth_labels(&self) -> Vec<Label> {
        let mut v: Vec<Label> = self.models[0]
            .confusion
            .pairs
            .keys()
            .map(|(t, _)| t.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

fn value(metric: QualityMetric, b: Result<f64, String>, c: Result<f64, String>) -> QualityValue {
    let error = match (&b, &c) {
        (Err(e), Err(f)) if e == f => Some(e.clone()),
        (Err(e), Err(f)) => Some(format!("baseline: {e}; candidate: {f}")),
        (Err(e), _) => Some(format!("baseline: {e}")),
        (_, Err(e)) => Some(format!("candidate: {e}")),
        _ => None,
    };
    let (b, c) = (b.ok(), c.ok());
    QualityValue {
        metric,
        baseline: b,
        candidate: c,
        delta: b.zip(c).map(|(b, c)| c - b),
        error,
        test: None,
        test_error: None,
    }
}

impl QualityValue {
    /// The paired test in one line, or empty where there is none.
    pub fn significance(&self) -> String {
        self.test
            .as_ref()
            .map(PairedTest::summary)
            .unwrap_or_default()
    }

    /// Attaches the paired test of a metric both models have.
    fn tested(&mut self, t: Result<PairedTest, String>) {
        if self.error.is_some() {
            return;
        }
        match t {
            Ok(t) => self.test = Some(t),
            Err(e) => self.test_error = Some(e),
        }
    }
}

fn binary_positive(truth: &[Label], chosen: Option<Label>) -> Result<Label, String> {
    if truth.len() != 2 {
        return Err(format!(
            "log loss and ROC AUC need exactly two classes in the truth; found {}",
            truth.len()
        ));
    }
    match chosen {
        None => Ok(truth[1].clone()),
        Some(p) if truth.contains(&p) => Ok(p),
        Some(p) => Err(format!(
            "the positive class {p} is not one of the truth's classes ({}, {})",
            truth[0], truth[1]
        )),
    }
}

fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Scores one model. Its label set is the union of the true labels and
/// the labels it predicted, as scikit-learn takes it per call.
fn classification(m: &ModelAccum, metric: QualityMetric) -> Result<f64, String> {
    let mut labels: Vec<&Label> = m.confusion.pairs.keys().flat_map(|(t, p)| [t, p]).collect();
    labels.sort();
    labels.dedup();
    let total: u64 = m.confusion.pairs.values().sum();
    if total == 0 {
        return Err("no row has both a prediction and a truth".into());
    }
    let correct: u64 = m
        .confusion
        .pairs
        .iter()
        .filter(|((t, p), _)| t == p)
        .map(|(_, n)| n)
        .sum();
    if metric == QualityMetric::Accuracy {
        return Ok(correct as f64 / total as f64);
    }
    let per_class = labels.iter().map(|l| {
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for ((t, p), n) in &m.confusion.pairs {
            match (t == *l, p == *l) {
                (true, true) => tp += n,
                (false, true) => fp += n,
                (true, false) => fn_ += n,
                _ => {}
            }
        }
        match metric {
            QualityMetric::Precision => ratio(tp, tp + fp),
            QualityMetric::Recall => ratio(tp, tp + fn_),
            _ => ratio(2 * tp, 2 * tp + fp + fn_),
        }
    });
    Ok(per_class.sum::<f64>() / labels.len() as f64)
}

fn probabilistic(m: &ModelAccum, pos: &Label, metric: QualityMetric) -> Result<f64, String> {
    if m.prob_nulls > 0 {
        return Err(format!(
            "the probability is null in {}",
            count(m.prob_nulls, "scored row")
        ));
    }
    if m.prob_invalid > 0 {
        return Err(format!(
            "{} probabilit{} outside [0, 1] (e.g. {})",
            m.prob_invalid,
            if m.prob_invalid == 1 {
                "y is"
            } else {
                "ies are"
            },
            crate::report::format::fmt_float(m.prob_example.unwrap_or(f64::NAN))
        ));
    }
    let n: u64 = m.scores.values().map(SortedRuns::len).sum();
    if n == 0 {
        return Err("no row has both a probability and a truth".into());
    }
    match metric {
        QualityMetric::LogLoss => {
            let mut loss = ExactSum::default();
            for (l, (p, q)) in &m.log_terms {
                loss.merge(if l == pos { p } else { q });
            }
            Ok(loss.value() / n as f64)
        }
        _ => {
            let mut positives = m.scores.get(pos).cloned().unwrap_or_default();
            let mut negatives = SortedRuns::default();
            for (_, v) in m.scores.iter().filter(|(l, _)| *l != pos) {
                negatives.append(v.clone());
            }
            if positives.is_empty() || negatives.is_empty() {
                return Err("ROC AUC needs rows of both classes".into());
            }
            let (np, nn) = (positives.len(), negatives.len());
            let auc = mann_whitney_auc(positives.ascending(), np, negatives.ascending(), nn);
            positives.check()?;
            negatives.check()?;
            Ok(auc)
        }
    }
}

/// P(score of a positive > score of a negative) + ½ P(equal): the area
/// under the ROC curve with ties on the diagonal, from both classes'
/// scores in ascending order (one merged pass).
fn mann_whitney_auc(
    pos: impl Iterator<Item = f64>,
    n_pos: u64,
    neg: impl Iterator<Item = f64>,
    n_neg: u64,
) -> f64 {
    let mut neg = neg.peekable();
    let (mut below, mut equal, mut at) = (0u64, 0u64, f64::NEG_INFINITY);
    let mut wins = 0.0;
    for s in pos {
        if s != at {
            // Negatives below s: those below the last score, those equal
            // to it, and the ones between.
            below += equal;
            equal = 0;
            while neg.next_if(|&x| x < s).is_some() {
                below += 1;
            }
            while neg.next_if(|&x| x == s).is_some() {
                equal += 1;
            }
            at = s;
        }
        wins += below as f64 + 0.5 * equal as f64;
    }
    wins / (n_pos as f64 * n_neg as f64)
}

fn regression(m: &ModelAccum, y: &Moments, metric: QualityMetric) -> Result<f64, String> {
    if y.n == 0 {
        return Err("no row has both a prediction and a truth".into());
    }
    if m.nan > 0 {
        return Err(format!(
            "{} scored row{} NaN in the prediction or the truth",
            m.nan,
            if m.nan == 1 { " has" } else { "s have" }
        ));
    }
    Ok(match metric {
        QualityMetric::Rmse => (m.sse.value() / y.n as f64).sqrt(),
        QualityMetric::Mae => m.sae.value() / y.n as f64,
        _ => match (m.sse.value() == 0.0, y.m2() == 0.0) {
            (true, true) => 1.0,
            (false, true) => 0.0,
            _ => 1.0 - m.sse.value() / y.m2(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half() {
        // positives 0.4, 0.8; negatives 0.4, 0.1 → (0.5 + 1 + 1 + 1) / 4
        let auc = |p: &[f64], n: &[f64]| {
            mann_whitney_auc(
                p.iter().copied(),
                p.len() as u64,
                n.iter().copied(),
                n.len() as u64,
            )
        };
        assert_eq!(auc(&[0.4, 0.8], &[0.1, 0.4]), 0.875);
        // Runs of equal scores on both sides, and scores past the last
        // negative: (0 + 0 + 2 + 2 + 3 + 3) / (6 · 3).
        assert_eq!(
            auc(&[0.1, 0.1, 0.5, 0.5, 0.9, 0.95], &[0.2, 0.5, 0.5]),
            10.0 / 18.0
        );
    }

    #[test]
    fn moments_do_not_depend_on_row_order() {
        let xs = [3.0, -0.5, 2.0, 7.0, 4.25, 0.0, 1e3, 0.1];
        let mut all = Moments::default();
        xs.iter().for_each(|x| all.add(*x));
        let (mut a, mut b) = (Moments::default(), Moments::default());
        xs[5..].iter().rev().for_each(|x| a.add(*x));
        xs[..5].iter().for_each(|x| b.add(*x));
        b.merge(&a);
        assert_eq!(all.m2().to_bits(), b.m2().to_bits());
        let mean = xs.iter().sum::<f64>() / 8.0;
        let two_pass: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
        assert!(
            (all.m2() - two_pass).abs() <= 1e-9 * two_pass,
            "{} {}",
            all.m2(),
            two_pass
        );
        // A large mean and a small spread: n·Σy² − (Σy)² cancels almost
        // all its digits, exactly.
        let mut m = Moments::default();
        [1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0]
            .iter()
            .for_each(|x| m.add(*x));
        assert_eq!(m.m2(), 2.0);
    }
}
