//! The distribution statistics of a drift check, on counts: the bins of a
//! numeric column cut at the reference's quantiles, PSI, Pearson's
//! chi-square test of a 2 × k table (scipy's `chi2_contingency`), and the
//! Jensen–Shannon distance (scipy's `jensenshannon`, base 2). Pure
//! functions of counts and sorted values, so a saved reference (bins and
//! category counts) gives the same numbers as the table it came from.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::values::Sorted;

/// A proportion of zero is replaced by this in PSI (whose log term is
/// undefined at zero); JS and chi-square use the counts as they are.
pub const PSI_EPSILON: f64 = 1e-4;

/// Quantile `q` of sorted values by linear interpolation between closest
/// ranks (numpy's default, `method="linear"`).
pub fn quantile(sorted: &Sorted, q: f64) -> Result<f64, String> {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = pos - lo as f64;
    let (a, b) = (sorted.at(lo)?, sorted.at(hi)?);
    Ok(a + (b - a) * frac)
}

/// Inner bin edges at the reference's 1/bins … (bins−1)/bins quantiles,
/// with repeated edges (ties in the reference) merged, so there may be
/// fewer bins than asked for. Bin i holds values v with
/// edge[i−1] < v ≤ edge[i]; the outer bins are open.
pub fn quantile_edges(sorted_reference: &Sorted, bins: usize) -> Result<Vec<f64>, String> {
    let mut edges = (1..bins)
        .map(|k| quantile(sorted_reference, k as f64 / bins as f64))
        .collect::<Result<Vec<f64>, String>>()?;
    edges.dedup();
    Ok(edges)
}

/// Counts of sorted values per bin of `edges` (edges.len() + 1 bins), by
/// binary search: a few reads per edge, wherever the values are.
pub fn bin_counts(sorted: &Sorted, edges: &[f64]) -> Result<Vec<u64>, String> {
    let mut counts = Vec::with_capacity(edges.len() + 1);
    let mut start = 0;
    for e in edges {
        // The first index in start.. whose value is above the edge.
        let (mut lo, mut hi) = (start, sorted.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if sorted.at(mid)? <= *e {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        counts.push((lo - start) as u64);
        start = lo;
    }
    counts.push((sorted.len() - start) as u64);
    Ok(counts)
}

fn proportions(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    counts.iter().map(|&c| c as f64 / total as f64).collect()
}

/// Population stability index Σ (c − r) · ln(c / r) over bins of
/// proportions, a zero proportion counted as [`PSI_EPSILON`]. `None` when
/// either side has no values.
pub fn psi(reference: &[u64], current: &[u64]) -> Option<f64> {
    if reference.iter().sum::<u64>() == 0 || current.iter().sum::<u64>() == 0 {
        return None;
    }
    let (r, c) = (proportions(reference), proportions(current));
    Some(
        r.iter()
            .zip(&c)
            .map(|(&r, &c)| {
                let eps = |p: f64| if p == 0.0 { PSI_EPSILON } else { p };
                let (r, c) = (eps(r), eps(c));
                (c - r) * (c / r).ln()
            })
            .sum(),
    )
}

/// Jensen–Shannon distance in base 2 (0: same distribution, 1: disjoint),
/// the square root of the JS divergence.
pub fn js_distance(reference: &[u64], current: &[u64]) -> Option<f64> {
    if reference.iter().sum::<u64>() == 0 || current.iter().sum::<u64>() == 0 {
        return None;
    }
    let (p, q) = (proportions(reference), proportions(current));
    let kl = |a: &[f64], m: &[f64]| -> f64 {
        a.iter()
            .zip(m)
            .map(|(&a, &m)| if a > 0.0 { a * (a / m).ln() } else { 0.0 })
            .sum()
    };
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| (a + b) / 2.0).collect();
    let js = (kl(&p, &m) + kl(&q, &m)) / 2.0 / std::f64::consts::LN_2;
    Some(js.max(0.0).sqrt())
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    pub statistic: f64,
    pub dof: u64,
    pub p_value: f64,
}

/// Pearson's chi-square test of independence on the 2 × k table
/// [reference; current] (scipy's `chi2_contingency` with its default
/// `correction=True`: Yates' correction when there is one degree of
/// freedom). Categories absent from both sides must not be passed. `None`
/// when a side is empty or there is a single category (nothing to test).
pub fn chi_square(reference: &[u64], current: &[u64]) -> Option<ChiSquare> {
    let (rs, cs) = (reference.iter().sum::<u64>(), current.iter().sum::<u64>());
    if rs == 0 || cs == 0 || reference.len() < 2 {
        return None;
    }
    let total = (rs + cs) as f64;
    let dof = (reference.len() - 1) as u64;
    let mut statistic = 0.0;
    for (&r, &c) in reference.iter().zip(current) {
        let col = (r + c) as f64;
        for (obs, row) in [(r as f64, rs as f64), (c as f64, cs as f64)] {
            let expected = row * col / total;
            let mut o = obs;
            if dof == 1 {
                let diff = expected - o;
                o += diff.signum() * diff.abs().min(0.5);
            }
            statistic += (o - expected).powi(2) / expected;
        }
    }
    let p_value = ChiSquared::new(dof as f64)
        .map(|d| d.sf(statistic))
        .unwrap_or(f64::NAN);
    Some(ChiSquare {
        statistic,
        dof,
        p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = Sorted::Memory(vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(quantile(&v, 0.5), Ok(2.5));
        assert_eq!(quantile(&v, 0.1), Ok(1.3));
        assert_eq!(quantile(&Sorted::Memory(vec![7.0]), 0.3), Ok(7.0));
    }

    #[test]
    fn edges_merge_ties_and_bins_are_right_closed() {
        let reference = Sorted::Memory(vec![1.0, 1.0, 1.0, 1.0, 2.0, 3.0]);
        let edges = quantile_edges(&reference, 4).unwrap();
        assert_eq!(edges, vec![1.0, 1.75]);
        assert_eq!(bin_counts(&reference, &edges), Ok(vec![4, 0, 2]));
        let current = Sorted::Memory(vec![0.5, 1.0, 1.5, 9.0]);
        assert_eq!(bin_counts(&current, &edges), Ok(vec![2, 1, 1]));
    }

    #[test]
    fn psi_is_zero_for_the_same_shape_and_positive_otherwise() {
        assert_eq!(psi(&[10, 20, 30], &[1, 2, 3]), Some(0.0));
        let p = psi(&[50, 50], &[90, 10]).unwrap();
        // (0.9-0.5)ln(1.8) + (0.1-0.5)ln(0.2)
        let want = 0.4 * 1.8f64.ln() + (-0.4) * 0.2f64.ln();
        assert!((p - want).abs() < 1e-15);
        // An empty bin counts as 1e-4, not as infinity.
        let p = psi(&[100, 0], &[50, 50]).unwrap();
        let want = (0.5 - 1.0) * 0.5f64.ln() + (0.5 - 1e-4) * (0.5f64 / 1e-4).ln();
        assert!((p - want).abs() < 1e-12);
        assert_eq!(psi(&[0, 0], &[1, 2]), None);
        // Only a share of exactly 0 is replaced: 5 in 100,000 stays 5e-5.
        let p = psi(&[99_995, 5], &[99_990, 10]).unwrap();
        let want = (0.9999 - 0.99995) * (0.9999f64 / 0.99995).ln() + (1e-4 - 5e-5) * 2f64.ln();
        assert!((p - want).abs() < 1e-15, "{p} vs {want}");
    }

    #[test]
    fn js_distance_bounds() {
        assert_eq!(js_distance(&[3, 1], &[6, 2]), Some(0.0));
        assert!((js_distance(&[1, 0], &[0, 1]).unwrap() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn chi_square_without_and_with_yates() {
        // 2 × 3: no correction.
        let c = chi_square(&[10, 20, 30], &[30, 20, 10]).unwrap();
        assert_eq!(c.dof, 2);
        assert!((c.statistic - 20.0).abs() < 1e-12, "{}", c.statistic);
        assert!((c.p_value - (-10.0f64).exp()).abs() < 1e-15);
        // 2 × 2: Yates; expected 15 everywhere, |o − e| = 5 → 4.5.
        let c = chi_square(&[10, 20], &[20, 10]).unwrap();
        assert!((c.statistic - 4.0 * 4.5 * 4.5 / 15.0).abs() < 1e-12);
        assert_eq!(chi_square(&[5], &[7]), None);
    }
}
