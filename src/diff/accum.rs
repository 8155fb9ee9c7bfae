//! One pass over the joined rows of a diff. Each partition of the join
//! folds its batches into an [`Accum`]; partitions are merged at the end.
//! Everything here is plain loops over Arrow buffers: counts, sums, the
//! non-zero differences (for exact percentiles), bounded heaps for the
//! most-changed rows and the sample keys, and label-pair counts.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use datafusion::arrow::array::{
    Array, ArrayRef, ArrowPrimitiveType, AsArray, BooleanArray, PrimitiveArray, RecordBatch,
};
use datafusion::arrow::compute::kernels::cmp::distinct;
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int64Type, UInt64Type};
use datafusion::error::Result;
use datafusion::scalar::ScalarValue;

use super::exact_sum::ExactSum;
use super::labels::{Labels, PairCounts};
use super::plan::{Class, ColumnPlan, Layout};
use super::quality::QualityAccum;
use super::slices::SliceAccum;
use crate::engine::spill::SortedRuns;
use crate::spec::Tolerance;

/// A key as a tuple of values, ordered lexicographically.
#[derive(Debug, Clone, PartialEq)]
pub struct Key(pub Vec<ScalarValue>);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.0.iter().zip(&other.0) {
            match a.partial_cmp(b).unwrap_or(Ordering::Equal) {
                Ordering::Equal => continue,
                o => return o,
            }
        }
        Ordering::Equal
    }
}

fn key_at(batch: &RecordBatch, keys: usize, i: usize) -> Key {
    Key((0..keys)
        .map(|k| ScalarValue::try_from_array(batch.column(k), i).unwrap_or(ScalarValue::Null))
        .collect())
}

/// The `n` smallest keys seen.
#[derive(Debug, Clone)]
pub struct KeySample {
    n: usize,
    heap: BinaryHeap<Key>,
}

impl KeySample {
    pub fn new(n: usize) -> Self {
        KeySample {
            n,
            heap: BinaryHeap::new(),
        }
    }

    fn offer(&mut self, key: Key) {
        if self.heap.len() < self.n {
            self.heap.push(key);
        } else if self.heap.peek().is_some_and(|top| key < *top) {
            self.heap.pop();
            self.heap.push(key);
        }
    }

    fn merge(&mut self, other: KeySample) {
        other.heap.into_iter().for_each(|k| self.offer(k));
    }

    pub fn sorted(self) -> Vec<Key> {
        self.heap.into_sorted_vec()
    }
}

/// A changed row: its score is `|candidate - baseline|`, infinite when one
/// side is null or NaN, 1 for a changed label.
#[derive(Debug, Clone)]
pub struct Changed {
    pub score: f64,
    pub key: Key,
    pub baseline: ScalarValue,
    pub candidate: ScalarValue,
}

/// Ordered so that the heap's top is the least changed row kept: a lower
/// score, or the same score and a greater key.
impl Ord for Changed {
    fn cmp(&self, o: &Self) -> Ordering {
        o.score
            .total_cmp(&self.score)
            .then_with(|| self.key.cmp(&o.key))
    }
}
impl PartialOrd for Changed {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl PartialEq for Changed {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Changed {}

/// The `n` most-changed rows: by score, then key.
#[derive(Debug, Clone)]
pub struct Top {
    n: usize,
    heap: BinaryHeap<Changed>,
}

impl Top {
    fn new(n: usize) -> Self {
        Top {
            n,
            heap: BinaryHeap::new(),
        }
    }

    /// Whether a row with `score` might enter: skips building its key for
    /// the vast majority of rows once the heap is full.
    fn may_enter(&self, score: f64) -> bool {
        self.n > 0
            && (self.heap.len() < self.n || self.heap.peek().is_some_and(|t| score >= t.score))
    }

    fn offer(&mut self, c: Changed) {
        if self.heap.len() < self.n {
            self.heap.push(c);
        } else if self.heap.peek().is_some_and(|t| c < *t) {
            self.heap.pop();
            self.heap.push(c);
        }
    }

    pub fn sorted(self) -> Vec<Changed> {
        self.heap.into_sorted_vec()
    }
}

/// Differences of one numeric column over rows in both with both values
/// present (and not NaN).
#[derive(Debug, Default)]
pub struct NumAccum {
    pub n: u64,
    /// Exact sums, so that a mean does not depend on the order rows came in.
    pub sum_abs: ExactSum,
    pub sum_signed: ExactSum,
    pub max_abs: f64,
    pub zeros: u64,
    /// Non-zero absolute differences, for exact percentiles (spilled in
    /// sorted runs past a share of a memory bound).
    pub nonzero: SortedRuns,
}

impl NumAccum {
    #[inline]
    fn add(&mut self, d: f64) {
        let a = d.abs();
        self.n += 1;
        self.sum_abs.add(a);
        self.sum_signed.add(d);
        if a > self.max_abs {
            self.max_abs = a;
        }
        if a == 0.0 {
            self.zeros += 1;
        } else {
            self.nonzero.push(a);
        }
    }

    fn merge(&mut self, o: NumAccum) {
        self.n += o.n;
        self.sum_abs.merge(&o.sum_abs);
        self.sum_signed.merge(&o.sum_signed);
        self.max_abs = self.max_abs.max(o.max_abs);
        self.zeros += o.zeros;
        self.nonzero.append(o.nonzero);
    }

    /// The `qs` quantiles of the absolute differences with linear
    /// interpolation between order statistics (numpy's default method),
    /// from one pass over spilled differences.
    pub fn percentiles(&mut self, qs: &[f64]) -> Result<Vec<Option<f64>>, String> {
        if self.n == 0 {
            return Ok(vec![None; qs.len()]);
        }
        // Each quantile's two neighbouring ranks among all differences.
        let spans: Vec<(u64, u64, f64)> = qs
            .iter()
            .map(|q| {
                let h = (self.n - 1) as f64 * q;
                let lo = h.floor() as u64;
                (lo, (lo + 1).min(self.n - 1), h - lo as f64)
            })
            .collect();
        let mut ranks: Vec<u64> = spans
            .iter()
            .flat_map(|&(lo, hi, _)| [lo, hi])
            .filter(|&r| r >= self.zeros)
            .map(|r| r - self.zeros)
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let values = self.nonzero.at_ranks(&ranks)?;
        let zeros = self.zeros;
        let at = |r: u64| {
            if r < zeros {
                0.0
            } else {
                values[ranks.binary_search(&(r - zeros)).expect("a wanted rank")]
            }
        };
        Ok(spans
            .iter()
            .map(|&(lo, hi, frac)| {
                let a = at(lo);
                Some(if frac == 0.0 {
                    a
                } else {
                    a + frac * (at(hi) - a)
                })
            })
            .collect())
    }
}

#[derive(Debug)]
pub struct ColAccum {
    /// Rows in both sides.
    pub compared: u64,
    pub changed: u64,
    /// Changes where exactly one side is null or NaN.
    pub null_changes: u64,
    pub numeric: Option<NumAccum>,
    pub transitions: Option<PairCounts>,
    pub top: Top,
}

#[derive(Debug)]
pub struct Accum {
    pub both: u64,
    pub only_baseline: u64,
    pub only_candidate: u64,
    /// Rows with a null in the key (never matched): baseline, candidate.
    pub null_keys: [u64; 2],
    pub only_baseline_sample: KeySample,
    pub only_candidate_sample: KeySample,
    pub columns: Vec<ColAccum>,
    pub quality: Option<QualityAccum>,
    /// One per slice column.
    pub slices: Vec<SliceAccum>,
}

impl Accum {
    /// `kept` bounds the differences each numeric column holds in memory
    /// (the rest spill); `None` without a memory bound.
    pub fn new(
        columns: &[ColumnPlan],
        top: usize,
        quality: Option<QualityAccum>,
        kept: Option<usize>,
        slices: Vec<SliceAccum>,
    ) -> Accum {
        Accum {
            both: 0,
            only_baseline: 0,
            only_candidate: 0,
            null_keys: [0, 0],
            only_baseline_sample: KeySample::new(top),
            only_candidate_sample: KeySample::new(top),
            columns: columns
                .iter()
                .map(|c| ColAccum {
                    compared: 0,
                    changed: 0,
                    null_changes: 0,
                    numeric: c.class.numeric().then(|| NumAccum {
                        nonzero: SortedRuns::new(kept),
                        ..NumAccum::default()
                    }),
                    transitions: c.class.label().then(PairCounts::default),
                    top: Top::new(top),
                })
                .collect(),
            quality,
            slices,
        }
    }

    pub fn add(
        &mut self,
        batch: &RecordBatch,
        layout: &Layout,
        plans: &[ColumnPlan],
    ) -> Result<()> {
        let in_b = batch.column(layout.in_baseline).as_boolean();
        let in_c = batch.column(layout.in_candidate).as_boolean();
        let mut both: Vec<u32> = Vec::with_capacity(batch.num_rows());
        let null_key = |i: usize| (0..layout.keys).any(|k| batch.column(k).is_null(i));
        for i in 0..batch.num_rows() {
            match (in_b.is_valid(i), in_c.is_valid(i)) {
                (true, true) => both.push(i as u32),
                (true, false) if null_key(i) => self.null_keys[0] += 1,
                (false, true) if null_key(i) => self.null_keys[1] += 1,
                (true, false) => {
                    self.only_baseline += 1;
                    self.only_baseline_sample
                        .offer(key_at(batch, layout.keys, i));
                }
                (false, true) => {
                    self.only_candidate += 1;
                    self.only_candidate_sample
                        .offer(key_at(batch, layout.keys, i));
                }
                (false, false) => {} // a truth row no model has
            }
        }
        self.both += both.len() as u64;
        // Per batch row, whether any compared column changed (for slices).
        let mut any_changed = vec![
            false;
            if self.slices.is_empty() {
                0
            } else {
                batch.num_rows()
            }
        ];
        for ((acc, plan), &(bi, ci)) in self.columns.iter_mut().zip(plans).zip(&layout.columns) {
            let (b, c) = (batch.column(bi), batch.column(ci));
            acc.compared += both.len() as u64;
            let changed = match plan.class {
                Class::Label => label_changes(b, c, &both)?,
                _ => numeric_changes(b, c, &both, plan.tolerance, acc)?,
            };
            acc.changed += changed.len() as u64;
            if let Some(t) = &mut acc.transitions {
                t.add(&Labels::new(b)?, &Labels::new(c)?, &both);
            }
            for (i, score) in changed {
                let i = i as usize;
                if let Some(flag) = any_changed.get_mut(i) {
                    *flag = true;
                }
                if missing(b, i) != missing(c, i) {
                    acc.null_changes += 1;
                }
                if acc.top.may_enter(score) {
                    acc.top.offer(Changed {
                        score,
                        key: key_at(batch, layout.keys, i),
                        baseline: ScalarValue::try_from_array(b, i)?,
                        candidate: ScalarValue::try_from_array(c, i)?,
                    });
                }
            }
        }
        if let Some(q) = &mut self.quality {
            q.add(batch, layout)?;
        }
        for (s, &column) in self.slices.iter_mut().zip(&layout.slices) {
            s.add(batch, layout, column, &both, &any_changed)?;
        }
        Ok(())
    }

    pub fn merge(&mut self, o: Accum) {
        self.both += o.both;
        self.only_baseline += o.only_baseline;
        self.only_candidate += o.only_candidate;
        self.null_keys[0] += o.null_keys[0];
        self.null_keys[1] += o.null_keys[1];
        self.only_baseline_sample.merge(o.only_baseline_sample);
        self.only_candidate_sample.merge(o.only_candidate_sample);
        for (a, b) in self.columns.iter_mut().zip(o.columns) {
            a.compared += b.compared;
            a.changed += b.changed;
            a.null_changes += b.null_changes;
            if let (Some(x), Some(y)) = (&mut a.numeric, b.numeric) {
                x.merge(y);
            }
            if let (Some(x), Some(y)) = (&mut a.transitions, b.transitions) {
                x.merge(y);
            }
            b.top.heap.into_iter().for_each(|c| a.top.offer(c));
        }
        if let (Some(x), Some(y)) = (&mut self.quality, o.quality) {
            x.merge(y);
        }
        for (a, b) in self.slices.iter_mut().zip(o.slices) {
            a.merge(b);
        }
    }
}

/// Rows of `rows` whose labels differ (null-safe: null equals null).
/// Null, or NaN in a float column: what a null change is made of.
fn missing(a: &ArrayRef, i: usize) -> bool {
    a.is_null(i)
        || a.as_primitive_opt::<Float64Type>()
            .is_some_and(|f| f.value(i).is_nan())
}

fn label_changes(b: &ArrayRef, c: &ArrayRef, rows: &[u32]) -> Result<Vec<(u32, f64)>> {
    let d: BooleanArray = distinct(b, c)?;
    Ok(rows
        .iter()
        .filter(|&&i| d.value(i as usize))
        .map(|&i| (i, 1.0))
        .collect())
}

fn numeric_changes(
    b: &ArrayRef,
    c: &ArrayRef,
    rows: &[u32],
    tol: Tolerance,
    acc: &mut ColAccum,
) -> Result<Vec<(u32, f64)>> {
    let num = acc.numeric.as_mut().expect("numeric column");
    Ok(match b.data_type() {
        DataType::Float64 => numeric_pass::<Float64Type>(b, c, rows, tol, num, |x, y| y - x, |x| x),
        DataType::Int64 => numeric_pass::<Int64Type>(
            b,
            c,
            rows,
            tol,
            num,
            |x, y| (y as i128 - x as i128) as f64,
            |x| x as f64,
        ),
        DataType::Decimal128(_, 0) => numeric_pass::<Decimal128Type>(
            b,
            c,
            rows,
            tol,
            num,
            |x, y| (y - x) as f64,
            |x| x as f64,
        ),
        DataType::UInt64 => numeric_pass::<UInt64Type>(
            b,
            c,
            rows,
            tol,
            num,
            |x, y| (y as i128 - x as i128) as f64,
            |x| x as f64,
        ),
        other => {
            return Err(datafusion::error::DataFusionError::Internal(format!(
                "numeric diff of {other}"
            )))
        }
    })
}

/// Compares one numeric column over `rows`. Equal: both null, both NaN, or
/// `|c - b| <= abs + rel * |b|`. Returns the changed rows with their score.
fn numeric_pass<T: ArrowPrimitiveType>(
    b: &ArrayRef,
    c: &ArrayRef,
    rows: &[u32],
    tol: Tolerance,
    acc: &mut NumAccum,
    diff: impl Fn(T::Native, T::Native) -> f64,
    base: impl Fn(T::Native) -> f64,
) -> Vec<(u32, f64)> {
    let (b, c): (&PrimitiveArray<T>, &PrimitiveArray<T>) = (b.as_primitive(), c.as_primitive());
    let (bv, cv) = (b.values(), c.values());
    let mut changed = Vec::new();
    for &i in rows {
        let u = i as usize;
        match (b.is_valid(u), c.is_valid(u)) {
            (false, false) => {}
            (true, true) => {
                let (x, y) = (bv[u], cv[u]);
                if x == y {
                    acc.add(0.0);
                    continue;
                }
                let (bx, by) = (base(x), base(y));
                if bx.is_nan() && by.is_nan() {
                    continue;
                }
                // NaN against anything else, or an infinity that changed (to
                // a number or to the other infinity): a change beyond any
                // tolerance, left out of the difference statistics. The
                // tolerance test cannot say so: `rel × |inf|` is NaN.
                if !(bx.is_finite() && by.is_finite()) {
                    changed.push((i, f64::INFINITY));
                    continue;
                }
                let d = diff(x, y);
                acc.add(d);
                if d.abs() > tol.abs + tol.rel * base(x).abs() {
                    changed.push((i, d.abs()));
                }
            }
            _ => changed.push((i, f64::INFINITY)),
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_linear() {
        // numpy.percentile([0, 0, 1, 2, 4], [50, 95, 99]) = 1, 3.6, 3.92
        let mut n = NumAccum::default();
        for d in [0.0, 4.0, 0.0, -1.0, 2.0] {
            n.add(d);
        }
        let p = n.percentiles(&[0.5, 0.95, 0.99]).unwrap();
        assert_eq!(p[0], Some(1.0));
        assert!((p[1].unwrap() - 3.6).abs() < 1e-12);
        assert!((p[2].unwrap() - 3.92).abs() < 1e-12);
        assert_eq!(n.sum_signed.value(), 5.0);
        assert_eq!(NumAccum::default().percentiles(&[0.5]), Ok(vec![None]));
    }

    #[test]
    fn top_keeps_largest_then_smallest_key() {
        let row = |score: f64, k: i64| Changed {
            score,
            key: Key(vec![ScalarValue::Int64(Some(k))]),
            baseline: ScalarValue::Null,
            candidate: ScalarValue::Null,
        };
        let mut t = Top::new(2);
        for (s, k) in [(1.0, 5), (3.0, 9), (3.0, 2), (f64::INFINITY, 7), (0.5, 1)] {
            if t.may_enter(s) {
                t.offer(row(s, k));
            }
        }
        let got: Vec<(f64, i64)> = t
            .sorted()
            .into_iter()
            .map(|c| match c.key.0[0] {
                ScalarValue::Int64(Some(k)) => (c.score, k),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(got, vec![(f64::INFINITY, 7), (3.0, 2)]);
    }
}
