//! Whether a quality difference between the two models is real: paired
//! tests on the rows both models scored against the truth, folded in the
//! same pass as the quality.
//!
//! Definitions follow the Python references (checked on the fixtures in
//! `fixtures/paired/`, whose `make.py` computes them):
//!
//! - accuracy: McNemar's test on the rows exactly one model got right,
//!   as statsmodels' `mcnemar(table, exact=True)` below 25 such rows and
//!   `exact=False, correction=True` from 25 on; the 95% Wald interval of
//!   the difference of the paired proportions (Agresti, *Categorical Data
//!   Analysis*, 10.1.1);
//! - ROC AUC: DeLong, DeLong and Clarke-Pearson's (1988) test for two
//!   correlated ROC curves, from the placement values of each row;
//! - log loss, squared error (RMSE, R²) and absolute error (MAE): the
//!   per-row difference candidate − baseline, `scipy.stats.ttest_rel` with
//!   its 95% interval, and `scipy.stats.wilcoxon` with scipy's defaults
//!   (exact, permutation or normal by size, ties and zeros).
//!
//! All p-values are two-sided. Where scipy answers NaN because the two
//! models' losses are equal on every row, the p-value here is 1.

use std::collections::HashMap;

use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF, Normal, StudentsT};

use super::exact_sum::{centered_squares, ExactSum};
use super::labels::Label;
use crate::engine::spill::SortedRuns;
use crate::report::format::{count, interval, p_value};

/// Confidence of the reported intervals.
pub const CONFIDENCE: f64 = 0.95;
/// McNemar's test is exact (binomial) below this many discordant rows.
const MCNEMAR_EXACT_BELOW: u64 = 25;
/// scipy's `wilcoxon(method="auto")` uses the normal approximation above
/// this many differences, and exhaustive sign flips up to
/// `PERMUTATION_UP_TO` when ties or zeros rule out the exact distribution.
const WILCOXON_NORMAL_ABOVE: u64 = 50;
const PERMUTATION_UP_TO: u64 = 13;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    McnemarExact,
    McnemarChiSquare,
    Delong,
    PairedT,
}

impl TestKind {
    pub fn label(self) -> &'static str {
        match self {
            TestKind::McnemarExact => "McNemar, exact",
            TestKind::McnemarChiSquare => "McNemar, χ²",
            TestKind::Delong => "DeLong",
            TestKind::PairedT => "paired t",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WilcoxonMethod {
    Exact,
    Permutation,
    Normal,
}

/// A paired test of one quality metric.
#[derive(Debug, Clone, Serialize)]
pub struct PairedTest {
    pub test: TestKind,
    /// What is compared row by row: `correct`, `auc`, `log loss`,
    /// `squared error` or `absolute error`.
    pub of: &'static str,
    /// Rows in the test.
    pub rows: u64,
    /// Candidate − baseline: of the accuracy, the AUC, or the mean loss.
    pub difference: f64,
    /// The 95% confidence interval of `difference`.
    pub interval: [f64; 2],
    /// The test's statistic: McNemar's (the smaller discordant count when
    /// exact, else χ²), DeLong's z, or t.
    pub statistic: f64,
    pub p_value: f64,
    /// The Wilcoxon signed-rank test of the same per-row differences
    /// (losses only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wilcoxon: Option<Wilcoxon>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Wilcoxon {
    pub method: WilcoxonMethod,
    /// min(W+, W−), as scipy reports it for a two-sided test.
    pub statistic: f64,
    pub p_value: f64,
}

impl PairedTest {
    /// The test in one line, for every report format:
    /// `p 0.688 (McNemar, exact) · 95% CI [-0.12, +0.32]`. The interval
    /// is in the metric's units, except for squared error (RMSE, R²),
    /// where it is of the mean difference of squared errors and says so.
    pub fn summary(&self) -> String {
        let mut p = format!("{} ({})", p_value(self.p_value), self.test.label());
        if let Some(w) = &self.wilcoxon {
            p = format!("{p}; Wilcoxon {}", p_value(w.p_value));
        }
        let [lo, hi] = self.interval;
        let of = if self.of == "squared error" {
            " of Δ squared error"
        } else {
            ""
        };
        format!("{p} · {}% CI{of} {}", CONFIDENCE * 100.0, interval(lo, hi))
    }
}

fn z_975() -> f64 {
    std_normal().inverse_cdf(0.5 + CONFIDENCE / 2.0)
}

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("valid")
}

/// Two-sided p-value of a standard normal statistic.
fn normal_p(z: f64) -> f64 {
    (2.0 * std_normal().sf(z.abs())).min(1.0)
}

/// Rows by whether each model got them right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Agreement {
    pub both: u64,
    pub baseline_only: u64,
    pub candidate_only: u64,
    pub neither: u64,
}

impl Agreement {
    pub fn add(&mut self, baseline: bool, candidate: bool) {
        *match (baseline, candidate) {
            (true, true) => &mut self.both,
            (true, false) => &mut self.baseline_only,
            (false, true) => &mut self.candidate_only,
            (false, false) => &mut self.neither,
        } += 1;
    }

    pub fn merge(&mut self, o: &Agreement) {
        self.both += o.both;
        self.baseline_only += o.baseline_only;
        self.candidate_only += o.candidate_only;
        self.neither += o.neither;
    }

    fn rows(&self) -> u64 {
        self.both + self.baseline_only + self.candidate_only + self.neither
    }
}

/// McNemar's test of the accuracy difference.
pub fn mcnemar(a: &Agreement) -> Result<PairedTest, String> {
    let n = a.rows();
    if n == 0 {
        return Err("no row was scored".into());
    }
    let (b, c) = (a.baseline_only, a.candidate_only);
    let discordant = b + c;
    let (test, statistic, p_value) = if discordant < MCNEMAR_EXACT_BELOW {
        let k = b.min(c);
        // P(X ≤ k), X ~ Binomial(discordant, ½), exactly: counts fit u64.
        let mut choose = 1u64;
        let mut below = 0u64;
        for i in 0..=k {
            below += choose;
            choose = choose * (discordant - i) / (i + 1);
        }
        let p = 2.0 * below as f64 / 2f64.powi(discordant as i32);
        (TestKind::McnemarExact, k as f64, p.min(1.0))
    } else {
        let x = ((b as f64 - c as f64).abs() - 1.0).powi(2) / discordant as f64;
        // χ² with one degree of freedom: P(X > x) = erfc(√(x/2)).
        let p = statrs::function::erf::erfc((x / 2.0).sqrt());
        (TestKind::McnemarChiSquare, x, p)
    };
    let nf = n as f64;
    let difference = (c as f64 - b as f64) / nf;
    let var = ((discordant as f64 / nf) - difference * difference) / nf;
    let half = z_975() * var.max(0.0).sqrt();
    Ok(PairedTest {
        test,
        of: "correct",
        rows: n,
        difference,
        interval: [difference - half, difference + half],
        statistic,
        p_value,
        wilcoxon: None,
    })
}

/// DeLong's test of the difference of two correlated AUCs. `positive` and
/// `negative` hold, per row of that class, the baseline's and the
/// candidate's probability of the positive class.
pub fn delong(positive: &[[f64; 2]], negative: &[[f64; 2]]) -> Result<PairedTest, String> {
    let (m, n) = (positive.len(), negative.len());
    if m < 2 || n < 2 {
        return Err(format!(
            "DeLong's test needs at least two rows of each class; found {m} positive and {n} negative"
        ));
    }
    // Placement values: for a positive row, the share of negatives it
    // outranks (ties count ½); for a negative row, the share of positives
    // that outrank it. Their per-row differences between the models carry
    // the covariance: var(A − B) = var(A) + var(B) − 2 cov(A, B). Each
    // placement is an integer over 2 × the other class's rows, so every
    // sum is exact in integers, whatever order the rows came in.
    let sorted = |rows: &[[f64; 2]], k: usize| {
        let mut v: Vec<f64> = rows.iter().map(|r| r[k] + 0.0).collect();
        v.sort_unstable_by(f64::total_cmp);
        v
    };
    // 2 × (the rows of `against` outranked) + the rows tied.
    let twice = |x: f64, against: &[f64], above: bool| -> i64 {
        let below = against.partition_point(|&y| y < x);
        let equal = against.partition_point(|&y| y <= x) - below;
        let outranked = if above {
            against.len() - below - equal
        } else {
            below
        };
        (2 * outranked + equal) as i64
    };
    // Per class: Σ of each model's placement numerators, and the exact
    // sample variance of the per-row placement differences.
    let spread = |rows: &[[f64; 2]], other: &[[f64; 2]], above: bool| {
        let against = [0, 1].map(|k| sorted(other, k));
        let (mut totals, mut sum, mut squares) = ([0i128; 2], 0i128, 0i128);
        for r in rows {
            let c = [0, 1].map(|k| twice(r[k] + 0.0, &against[k], above));
            totals[0] += i128::from(c[0]);
            totals[1] += i128::from(c[1]);
            let d = i128::from(c[1] - c[0]);
            sum += d;
            squares += d * d;
        }
        let count = rows.len() as i128;
        let scale = 2.0 * other.len() as f64;
        let var =
            (count * squares - sum * sum) as f64 / (count * (count - 1)) as f64 / (scale * scale);
        (totals, var)
    };
    // The two classes' placements are independent: one thread each.
    let ((auc, var_pos), (_, var_neg)) = std::thread::scope(|s| {
        let neg = s.spawn(|| spread(negative, positive, true));
        let pos = spread(positive, negative, false);
        (pos, neg.join().expect("the placements of the negatives"))
    });
    let var = var_pos / m as f64 + var_neg / n as f64;
    let [b, c] = auc.map(|t| t as f64 / (2.0 * m as f64 * n as f64));
    let difference = c - b;
    let se = var.max(0.0).sqrt();
    let (statistic, p_value) = if se == 0.0 {
        if difference == 0.0 {
            (0.0, 1.0)
        } else {
            (difference.signum() * f64::INFINITY, 0.0)
        }
    } else {
        let z = difference / se;
        (z, normal_p(z))
    };
    let half = z_975() * se;
    Ok(PairedTest {
        test: TestKind::Delong,
        of: "auc",
        rows: (m + n) as u64,
        difference,
        interval: [difference - half, difference + half],
        statistic,
        p_value,
        wilcoxon: None,
    })
}

/// Per-row differences of a loss (candidate − baseline): their exact
/// moments for the t-test, and their magnitudes by sign, kept sorted (and
/// spilled under a memory bound) for the signed-rank test.
#[derive(Debug, Clone, Default)]
pub struct Differences {
    n: u64,
    nan: u64,
    zeros: u64,
    sum: ExactSum,
    squares: ExactSum,
    positive: SortedRuns,
    negative: SortedRuns,
}

impl Differences {
    pub fn new(cap: Option<usize>) -> Differences {
        Differences {
            positive: SortedRuns::new(cap),
            negative: SortedRuns::new(cap),
            ..Differences::default()
        }
    }

    pub fn push(&mut self, d: f64) {
        if d.is_nan() {
            self.nan += 1;
            return;
        }
        self.n += 1;
        self.sum.add(d);
        self.squares.add_product(d, d);
        if d > 0.0 {
            self.positive.push(d);
        } else if d < 0.0 {
            self.negative.push(-d);
        } else {
            self.zeros += 1;
        }
    }

    pub fn merge(&mut self, o: Differences) {
        self.n += o.n;
        self.nan += o.nan;
        self.zeros += o.zeros;
        self.sum.merge(&o.sum);
        self.squares.merge(&o.squares);
        self.positive.append(o.positive);
        self.negative.append(o.negative);
    }

    /// The paired t-test of the mean difference, with the signed-rank
    /// test beside it.
    pub fn test(mut self, of: &'static str) -> Result<PairedTest, String> {
        if self.nan > 0 {
            return Err(format!("the {of} is NaN in {}", count(self.nan, "row")));
        }
        if self.n < 2 {
            return Err(format!(
                "a paired test needs at least two rows; found {}",
                self.n
            ));
        }
        let nf = self.n as f64;
        let mean = self.sum.value() / nf;
        let var = centered_squares(&self.sum, &self.squares, self.n) / (nf - 1.0);
        let se = (var / nf).sqrt();
        let df = nf - 1.0;
        let (statistic, p_value, half) = if se == 0.0 || !se.is_finite() {
            if mean == 0.0 {
                (0.0, 1.0, 0.0)
            } else {
                (mean.signum() * f64::INFINITY, 0.0, 0.0)
            }
        } else {
            let t = mean / se;
            let dist = StudentsT::new(0.0, 1.0, df).expect("df ≥ 1");
            let p = (2.0 * dist.sf(t.abs())).min(1.0);
            (t, p, t_quantile(df, 0.5 + CONFIDENCE / 2.0) * se)
        };
        let wilcoxon = signed_rank(&mut self.positive, &mut self.negative, self.zeros)?;
        Ok(PairedTest {
            test: TestKind::PairedT,
            of,
            rows: self.n,
            difference: mean,
            interval: [mean - half, mean + half],
            statistic,
            p_value,
            wilcoxon: Some(wilcoxon),
        })
    }
}

/// The `p` quantile of Student's t with `df` degrees of freedom: statrs'
/// inverse (through the inverse regularised beta function), polished by
/// Newton steps on its accurate CDF.
fn t_quantile(df: f64, p: f64) -> f64 {
    let dist = StudentsT::new(0.0, 1.0, df).expect("df ≥ 1");
    let mut x = dist.inverse_cdf(p);
    for _ in 0..4 {
        let step = (dist.cdf(x) - p) / dist.pdf(x);
        if !step.is_finite() {
            break;
        }
        x -= step;
        if step.abs() <= 1e-15 * x.abs() {
            break;
        }
    }
    x
}

/// The Wilcoxon signed-rank test of differences given as the ascending
/// magnitudes of the positive and of the negative ones, and the count of
/// zeros (dropped, as scipy's `zero_method="wilcox"` does).
fn signed_rank(
    positive: &mut SortedRuns,
    negative: &mut SortedRuns,
    zeros: u64,
) -> Result<Wilcoxon, String> {
    let count = positive.len() + negative.len();
    let total = count + zeros;
    let mut pos = positive.ascending().peekable();
    let mut neg = negative.ascending().peekable();
    // Ranks of the magnitudes (ties share their average rank), summed over
    // the positive differences; Σ(t³ − t) over groups of ties.
    let (mut rank, mut w_plus, mut ties) = (0u64, 0.0f64, 0.0f64);
    let mut small: Vec<(f64, bool)> = Vec::new();
    loop {
        let next = match (pos.peek(), neg.peek()) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let (mut up, mut down) = (0u64, 0u64);
        while pos.next_if(|&x| x == next).is_some() {
            up += 1;
        }
        while neg.next_if(|&x| x == next).is_some() {
            down += 1;
        }
        let t = up + down;
        let average = rank as f64 + (t as f64 + 1.0) / 2.0;
        rank += t;
        w_plus += average * up as f64;
        if t > 1 {
            ties += (t as f64).powi(3) - t as f64;
        }
        if total <= PERMUTATION_UP_TO {
            small.extend((0..up).map(|_| (average, true)));
            small.extend((0..down).map(|_| (average, false)));
        }
    }
    drop((pos, neg));
    positive.check()?;
    negative.check()?;
    let n = count as f64;
    let all = n * (n + 1.0) / 2.0;
    let statistic = w_plus.min(all - w_plus);
    let method = if total > WILCOXON_NORMAL_ABOVE {
        WilcoxonMethod::Normal
    } else if ties == 0.0 && zeros == 0 {
        WilcoxonMethod::Exact
    } else if total <= PERMUTATION_UP_TO {
        WilcoxonMethod::Permutation
    } else {
        WilcoxonMethod::Normal
    };
    let p_value = if count == 0 {
        1.0
    } else {
        match method {
            WilcoxonMethod::Normal => {
                let mean = n * (n + 1.0) / 4.0;
                let se = ((n * (n + 1.0) * (2.0 * n + 1.0) - ties / 2.0) / 24.0).sqrt();
                normal_p((w_plus - mean) / se)
            }
            WilcoxonMethod::Exact => exact_signed_rank_p(count, w_plus),
            WilcoxonMethod::Permutation => permutation_signed_rank_p(&small, w_plus),
        }
    };
    Ok(Wilcoxon {
        method,
        statistic,
        p_value,
    })
}

/// Two-sided p-value of W+ = `w` under the exact null distribution of the
/// signed-rank statistic of `n` distinct nonzero differences: the number
/// of subsets of the ranks 1..=n with each sum, over 2ⁿ.
fn exact_signed_rank_p(n: u64, w: f64) -> f64 {
    let n = n as usize;
    let max = n * (n + 1) / 2;
    let mut ways = vec![0u64; max + 1];
    ways[0] = 1;
    for r in 1..=n {
        for s in (r..=max).rev() {
            ways[s] += ways[s - r];
        }
    }
    let w = w as usize;
    let below: u64 = ways[..=w].iter().sum();
    let above: u64 = ways[w..].iter().sum();
    let total = 2f64.powi(n as i32);
    (2.0 * below.min(above) as f64 / total).min(1.0)
}

/// Two-sided p-value of W+ = `w` over all 2ⁿ sign flips of the ranked
/// differences (ties keep their average ranks), as scipy's permutation
/// test computes it for up to 13 differences.
fn permutation_signed_rank_p(ranked: &[(f64, bool)], w: f64) -> f64 {
    let n = ranked.len();
    // scipy counts statistics within a relative 100 ε of the observed one
    // as equal to it.
    let gamma = (w * f64::EPSILON * 100.0).abs();
    let (mut below, mut above) = (0u64, 0u64);
    for mask in 0u32..(1 << n) {
        let s: f64 = (0..n)
            .filter(|i| mask >> i & 1 == 1)
            .map(|i| ranked[i].0)
            .sum();
        below += u64::from(s <= w + gamma);
        above += u64::from(s >= w - gamma);
    }
    let total = 2f64.powi(n as i32);
    (2.0 * (below.min(above) as f64) / total).min(1.0)
}

/// Both models' probabilities of the positive class, per row, grouped by
/// the row's true label: DeLong's test and the per-row log loss need the
/// two probabilities of a row together. Bounded: past `cap` rows in all
/// the pairs are dropped and the tests that need them say why.
#[derive(Debug, Clone, Default)]
pub struct Pairs {
    by_label: HashMap<Label, Vec<[f64; 2]>>,
    rows: usize,
    cap: Option<usize>,
    dropped: bool,
}

/// Bytes one row's pair of probabilities takes.
pub const PAIR_BYTES: usize = 16;

impl Pairs {
    pub fn new(cap: Option<usize>) -> Pairs {
        Pairs {
            cap,
            ..Pairs::default()
        }
    }

    pub fn extend(&mut self, label: Label, pairs: Vec<[f64; 2]>) {
        if self.dropped {
            return;
        }
        self.rows += pairs.len();
        self.by_label.entry(label).or_default().extend(pairs);
        if self.cap.is_some_and(|c| self.rows > c) {
            self.by_label.clear();
            self.dropped = true;
        }
    }

    pub fn merge(&mut self, o: Pairs) {
        if o.dropped {
            self.by_label.clear();
            self.dropped = true;
        }
        for (l, v) in o.by_label {
            self.extend(l, v);
        }
    }

    fn usable(&self) -> Result<(), String> {
        match self.cap {
            Some(cap) if self.dropped => Err(format!(
                "the paired tests of probabilities keep both models' probabilities of every \
                 scored row in memory ({PAIR_BYTES} bytes a row); more than {} is over an \
                 eighth of --memory-limit",
                count(cap as u64, "row")
            )),
            _ => Ok(()),
        }
    }

    /// DeLong's test with `positive` as the positive class.
    pub fn delong(&self, positive: &Label) -> Result<PairedTest, String> {
        self.usable()?;
        let pos = self.by_label.get(positive).map_or(&[][..], Vec::as_slice);
        let neg: Vec<[f64; 2]> = self
            .by_label
            .iter()
            .filter(|(l, _)| *l != positive)
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        delong(pos, &neg)
    }

    /// The paired tests of the per-row log loss (probabilities clipped to
    /// [ε, 1 − ε], as the log loss metric takes them).
    pub fn log_loss(&self, positive: &Label) -> Result<PairedTest, String> {
        self.usable()?;
        let loss = |p: f64, pos: bool| {
            let p = p.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
            -(if pos { p } else { 1.0 - p }).ln()
        };
        let mut d = Differences::new(None);
        for (l, rows) in &self.by_label {
            let pos = l == positive;
            for r in rows {
                d.push(loss(r[1], pos) - loss(r[0], pos));
            }
        }
        d.test("log loss")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(v: &[f64]) -> SortedRuns {
        let mut r = SortedRuns::new(None);
        v.iter().for_each(|x| r.push(*x));
        r
    }

    #[test]
    fn quantiles_are_scipys() {
        // scipy.stats.norm.ppf(0.975), scipy.stats.t.ppf(0.975, df).
        assert!((z_975() - 1.959963984540054).abs() < 1e-15);
        for (df, q) in [
            (1.0, 12.706204736174694),
            (11.0, 2.200985160091639),
            (399.0, 1.965927295920882),
        ] {
            let x = t_quantile(df, 0.975);
            assert!((x - q).abs() < 1e-12 * q, "df {df}: {x} vs {q}");
        }
    }

    #[test]
    fn mcnemar_exact_counts_both_tails() {
        // statsmodels mcnemar([[13, 2], [4, 1]], exact=True): 0.6875.
        let a = Agreement {
            both: 13,
            baseline_only: 2,
            candidate_only: 4,
            neither: 1,
        };
        let t = mcnemar(&a).unwrap();
        assert_eq!(t.test, TestKind::McnemarExact);
        assert_eq!((t.statistic, t.p_value), (2.0, 0.6875));
        assert_eq!(t.difference, 0.1);
        // No discordant row: nothing to tell the models apart.
        let same = Agreement {
            both: 5,
            neither: 3,
            ..Agreement::default()
        };
        let t = mcnemar(&same).unwrap();
        assert_eq!(
            (t.p_value, t.difference, t.interval),
            (1.0, 0.0, [0.0, 0.0])
        );
        assert_eq!(
            mcnemar(&Agreement::default()).unwrap_err(),
            "no row was scored"
        );
    }

    #[test]
    fn signed_rank_methods_follow_scipy() {
        // scipy.stats.wilcoxon([1, -2, 3, 4, -5, 6]) (differences):
        // exact, statistic 7, p 0.5625.
        let w = signed_rank(&mut runs(&[1.0, 3.0, 4.0, 6.0]), &mut runs(&[2.0, 5.0]), 0).unwrap();
        assert_eq!(w.method, WilcoxonMethod::Exact);
        assert_eq!((w.statistic, w.p_value), (7.0, 0.5625));
        // wilcoxon([1, 1, -1, 2, 0]): ties and a zero, five rows →
        // permutation: statistic 2, p 0.5.
        let w = signed_rank(&mut runs(&[1.0, 1.0, 2.0]), &mut runs(&[1.0]), 1).unwrap();
        assert_eq!(w.method, WilcoxonMethod::Permutation);
        assert_eq!((w.statistic, w.p_value), (2.0, 0.5));
        // All zeros: no evidence of a difference (scipy: NaN).
        let w = signed_rank(&mut runs(&[]), &mut runs(&[]), 4).unwrap();
        assert_eq!((w.statistic, w.p_value), (0.0, 1.0));
    }

    #[test]
    fn equal_losses_have_p_one() {
        let mut d = Differences::new(None);
        [0.0, 0.0, 0.0].iter().for_each(|x| d.push(*x));
        let t = d.test("squared error").unwrap();
        assert_eq!((t.statistic, t.p_value, t.interval), (0.0, 1.0, [0.0, 0.0]));
        let mut d = Differences::new(None);
        d.push(1.0);
        assert_eq!(
            d.test("squared error").unwrap_err(),
            "a paired test needs at least two rows; found 1"
        );
    }
}
