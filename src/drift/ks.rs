//! The two-sample Kolmogorov–Smirnov test as scipy's `ks_2samp` defines it
//! (two-sided, `method="auto"`): the statistic is the largest gap between
//! the two empirical CDFs; the p-value is exact (the lattice-path count of
//! Hodges) when neither sample has more than 10,000 values, otherwise
//! `kstwo.sf(D, round(n·m/(n+m)))`, the distribution of the one-sample
//! statistic for that effective size, computed with the algorithms scipy
//! picks by region (Simard & L'Ecuyer 2011: Ruben–Gambino, Durbin's matrix
//! as Marsaglia–Tsang–Wang, Pomeranz, Pelz–Good, Smirnov's sum).
//! `tests` compares against values scipy printed (fixtures/drift/make.py).

use statrs::function::gamma::ln_gamma;

/// Above this sample size scipy's `auto` uses the asymptotic p-value.
const MAX_EXACT_N: u64 = 10_000;

/// How the p-value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PMethod {
    Exact,
    Asymptotic,
}

impl PMethod {
    pub fn name(self) -> &'static str {
        match self {
            PMethod::Exact => "exact",
            PMethod::Asymptotic => "asymptotic",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsResult {
    pub statistic: f64,
    pub p_value: f64,
    pub method: PMethod,
}

/// A sorted sample as runs of equal values: (value, how many), ascending.
pub fn runs(sorted: &[f64]) -> impl Iterator<Item = (f64, u64)> + Clone + '_ {
    sorted
        .chunk_by(|a, b| a == b)
        .map(|c| (c[0], c.len() as u64))
}

/// The test on two sorted samples without NaN; `None` when either is empty.
/// One merge of the two slices (what [`ks_2samp_runs`] computes, without
/// building runs).
pub fn ks_2samp(a: &[f64], b: &[f64]) -> Option<KsResult> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (n1, n2) = (a.len() as u64, b.len() as u64);
    Some(test(statistic(a, b), n1, n2))
}

/// The size of a sample given as runs: the sum of the counts, whatever
/// they claim (saturating).
pub fn total(runs: impl Iterator<Item = (f64, u64)>) -> u64 {
    runs.fold(0u64, |n, (_, k)| n.saturating_add(k))
}

/// The test on two samples of `n1` and `n2` values given as ascending
/// runs of distinct values (what a saved reference keeps, or a walk over
/// a spill file), so that a sample is never expanded and each is walked
/// once.
pub fn ks_2samp_runs(
    a: impl Iterator<Item = (f64, u64)>,
    n1: u64,
    b: impl Iterator<Item = (f64, u64)>,
    n2: u64,
) -> Option<KsResult> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    Some(test(statistic_runs(a, n1, b, n2), n1, n2))
}

/// The p-value of statistic `d` for samples of `n1` and `n2` values.
fn test(d: f64, n1: u64, n2: u64) -> KsResult {
    if n1.max(n2) <= MAX_EXACT_N {
        if let Some((d, p)) = exact(n1, n2, d) {
            return KsResult {
                statistic: d,
                p_value: p,
                method: PMethod::Exact,
            };
        }
    }
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let en = (m * n / (m + n)).round_ties_even();
    KsResult {
        statistic: d,
        p_value: kolmogorov_sf(en, d).clamp(0.0, 1.0),
        method: PMethod::Asymptotic,
    }
}

/// sup |F_a − F_b| over every observed value, each CDF taken after all
/// values equal to it (so ties count once, as `searchsorted(side="right")`):
/// [`statistic_runs`] on two sorted slices, in one merge.
fn statistic(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut max_s, mut min_s) = (f64::NEG_INFINITY, f64::INFINITY);
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => x.min(*y),
            (Some(x), None) => *x,
            (None, Some(y)) => *y,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= v {
            i += 1;
        }
        while j < b.len() && b[j] <= v {
            j += 1;
        }
        let diff = i as f64 / n1 - j as f64 / n2;
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    }
    (-min_s).clamp(0.0, 1.0).max(max_s)
}

/// [`statistic`] over runs of `n1` and `n2` values in all.
fn statistic_runs(
    a: impl Iterator<Item = (f64, u64)>,
    n1: u64,
    b: impl Iterator<Item = (f64, u64)>,
    n2: u64,
) -> f64 {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    let (n1, n2) = (n1 as f64, n2 as f64);
    let (mut i, mut j) = (0u64, 0u64);
    let (mut max_s, mut min_s) = (f64::NEG_INFINITY, f64::INFINITY);
    loop {
        let v = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.0.min(y.0),
            (Some(x), None) => x.0,
            (None, Some(y)) => y.0,
            (None, None) => break,
        };
        while let Some(&(_, k)) = a.peek().filter(|r| r.0 <= v) {
            i = i.saturating_add(k);
            a.next();
        }
        while let Some(&(_, k)) = b.peek().filter(|r| r.0 <= v) {
            j = j.saturating_add(k);
            b.next();
        }
        let diff = i as f64 / n1 - j as f64 / n2;
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    }
    (-min_s).clamp(0.0, 1.0).max(max_s)
}

/// The exact two-sided p-value and the statistic rounded to the lattice
/// (`h / lcm`); `None` when the computation is not finite.
fn exact(n1: u64, n2: u64, d: f64) -> Option<(f64, f64)> {
    let g = gcd(n1, n2);
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Some((d, 1.0));
    }
    let p = if n1 == n2 {
        outside_square(n1, h)
    } else {
        outside_band(n1, n2, g, h)
    };
    (p.is_finite() && (0.0..=1.0).contains(&p)).then_some((d, p))
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Pr(D_{n,n} ≥ h/n): the alternating sum of binomial ratios, evaluated
/// Horner-style to avoid cancellation.
fn outside_square(n: u64, h: u64) -> f64 {
    let mut p = 0.0;
    let mut k = (n / h) as i64;
    let (n, h) = (n as f64, h as f64);
    while k >= 0 {
        let kh = k as f64 * h;
        let mut p1 = 1.0;
        for j in 0..h as u64 {
            let j = j as f64;
            p1 = (n - kh - j) * p1 / (n + kh + j + 1.0);
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// Pr(D_{m,n} ≥ h/lcm) for m ≠ n: the share of lattice paths from (0,0) to
/// (m,n) that leave the band |x/m − y/n| < h/lcm. Each cell holds that
/// share among the paths reaching it (cells outside the band hold 1), so a
/// tiny p-value is computed directly rather than as 1 − (almost 1), and
/// nothing overflows; only a sliding window of one column is kept.
fn outside_band(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng, h) = ((m / g) as i64, (n / g) as i64, h as i64);
    let (m, n) = (m as i64, n as i64);
    let ceil_div = |a: i64, b: i64| -((-a).div_euclid(b));
    let mut lo = 0i64;
    let hi = ceil_div(h, mg).min(n + 1);
    let mut col = vec![0.0f64; (hi - lo) as usize];
    let mut next = Vec::with_capacity(col.len() + 2);
    for i in 1..=m {
        let new_lo = ((ng * i - h).div_euclid(mg) + 1).max(0);
        let new_hi = ceil_div(ng * i + h, mg).min(n + 1);
        if new_hi <= new_lo {
            return 1.0;
        }
        next.clear();
        // The cell below the window is outside the band.
        let mut val = 1.0;
        let fi = i as f64;
        for j in new_lo..new_hi {
            let k = j - lo;
            let prev = if k >= 0 && (k as usize) < col.len() {
                col[k as usize]
            } else {
                1.0
            };
            let fj = j as f64;
            val = (prev * fi + val * fj) / (fi + fj);
            next.push(val);
        }
        std::mem::swap(&mut col, &mut next);
        lo = new_lo;
    }
    let k = n - lo;
    if k >= 0 && (k as usize) < col.len() {
        col[k as usize]
    } else {
        1.0
    }
}

/// Pr(D_n ≥ x) for the one-sample two-sided statistic (scipy's
/// `kstwo.sf(x, n)`), choosing the method by region as scipy does.
pub fn kolmogorov_sf(n: f64, x: f64) -> f64 {
    if x >= 1.0 {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let t = n * x;
    if t <= 1.0 {
        if t <= 0.5 {
            return 1.0;
        }
        let prob = if n <= 140.0 {
            (1..=n as u64).fold(1.0, |acc, i| acc * (i as f64 * (1.0 / n) * (2.0 * t - 1.0)))
        } else {
            (log_nfactorial_div_n_pow_n(n) + n * (2.0 * t - 1.0).ln()).exp()
        };
        return (1.0 - prob).clamp(0.0, 1.0);
    }
    if t >= n - 1.0 {
        return (2.0 * (1.0 - x).powf(n)).clamp(0.0, 1.0);
    }
    if x >= 0.5 {
        return (2.0 * smirnov_sf(n as u64, x)).clamp(0.0, 1.0);
    }
    let nxsquared = t * x;
    if n <= 140.0 {
        let cdf = if nxsquared <= 0.754693 {
            durbin_cdf(n as u64, x)
        } else if nxsquared <= 4.0 {
            pomeranz_cdf(n as u64, x)
        } else {
            return (2.0 * smirnov_sf(n as u64, x)).clamp(0.0, 1.0);
        };
        return (1.0 - cdf).clamp(0.0, 1.0);
    }
    if nxsquared >= 370.0 {
        return 0.0;
    }
    if nxsquared >= 2.2 {
        return (2.0 * smirnov_sf(n as u64, x)).clamp(0.0, 1.0);
    }
    let cdf = if nxsquared >= 18.0 {
        1.0
    } else if n <= 100_000.0 && n * x.powf(1.5) <= 1.4 {
        durbin_cdf(n as u64, x)
    } else {
        pelz_good_cdf(n, x)
    };
    (1.0 - cdf).clamp(0.0, 1.0)
}

/// ln(n! / nⁿ) by Stirling's series.
fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    // B_2k / (2k (2k − 1)), highest order first.
    const COEFFS: [f64; 8] = [
        -3617.0 / 122400.0,
        1.0 / 156.0,
        -691.0 / 360360.0,
        1.0 / 1188.0,
        -1.0 / 1680.0,
        1.0 / 1260.0,
        -1.0 / 360.0,
        1.0 / 12.0,
    ];
    let rn = 1.0 / n;
    let poly = COEFFS.iter().fold(0.0, |acc, c| acc * (rn / n) + c);
    n.ln() / 2.0 - n + (2.0 * std::f64::consts::PI).ln() / 2.0 + rn * poly
}

/// Pr(D⁺_n ≥ x), the one-sided statistic, by the Birnbaum–Tingey sum
/// x · Σ_{j ≤ n(1−x)} C(n,j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j). Each term
/// is taken in logarithms with the factorials in Stirling's form and the
/// large parts cancelled by hand (`log1p`), so the exponent is accurate to
/// its own size even for n in the millions, where ln n! alone is ~10⁸.
pub fn smirnov_sf(n: u64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x >= 1.0 {
        return 0.0;
    }
    if n == 1 {
        return 1.0 - x;
    }
    let nf = n as f64;
    let nx = nf * x;
    let last = (nf * (1.0 - x)).floor() as u64;
    let half_ln_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    let mut terms: Vec<f64> = Vec::with_capacity(last as usize + 1);
    // j = 0: x⁻¹ (1 − x)ⁿ.
    terms.push(-x.ln() + nf * (-x).ln_1p());
    for j in 1..=last {
        let (jf, rest) = (j as f64, (n - j) as f64);
        if nx >= rest {
            // 1 − x − j/n ≤ 0: the term is 0.
            continue;
        }
        let t = 1.5 * nf.ln() - half_ln_2pi + (jf - 1.0) * (nx / jf).ln_1p()
            - 1.5 * jf.ln()
            - 0.5 * rest.ln()
            + rest * (-nx / rest).ln_1p()
            + stirling_rest(nf)
            - stirling_rest(jf)
            - stirling_rest(rest);
        terms.push(t);
    }
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return 0.0;
    }
    let sum: f64 = terms.iter().map(|t| (t - top).exp()).sum();
    (x.ln() + top + sum.ln()).exp()
}

/// ln k! − ((k + ½) ln k − k + ½ ln 2π): the remainder of Stirling's
/// formula, exact through ln Γ for small k and by its series beyond.
fn stirling_rest(k: f64) -> f64 {
    if k < 16.0 {
        return ln_gamma(k + 1.0)
            - ((k + 0.5) * k.ln() - k + 0.5 * (2.0 * std::f64::consts::PI).ln());
    }
    let r = 1.0 / k;
    let r2 = r * r;
    r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 * (1.0 / 1680.0 - r2 / 1188.0))))
}

/// 2^128, the rescaling step of the matrix and recursion methods.
const EP128: f64 = 3.402_823_669_209_385e38;
const EM128: f64 = 1.0 / EP128;

/// Pr(D_n ≤ d) by Durbin's matrix, raised to the n-th power by squaring
/// with a separate binary exponent (Marsaglia, Tsang & Wang 2003).
fn durbin_cdf(n: u64, d: f64) -> f64 {
    if d >= 1.0 {
        return 1.0;
    }
    let nd = n as f64 * d;
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powi(j as i32)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powi(m as i32) - 2.0 * h.powi(m as i32);
    v[m - 1] = (1.0 + tt) * fac;
    let mut hm = vec![0.0; m * m];
    for i in 1..m {
        for r in (i - 1)..m {
            hm[r * m + i] = w[r - (i - 1)];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }
    let mut pw = identity(m);
    let (mut nn, mut expnt, mut hexp) = (n, 0i64, 0i64);
    while nn > 0 {
        if nn % 2 == 1 {
            pw = matmul(&pw, &hm, m);
            expnt += hexp;
        }
        hm = matmul(&hm, &hm, m);
        hexp *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > EP128 {
            hm.iter_mut().for_each(|x| *x /= EP128);
            hexp += 128;
        }
        nn /= 2;
    }
    let mut p = pw[(k - 1) * m + (k - 1)];
    for i in 1..=n {
        p = i as f64 * p / n as f64;
        if p.abs() < EM128 {
            p *= EP128;
            expnt -= 128;
        }
    }
    ldexp(p, expnt)
}

fn identity(m: usize) -> Vec<f64> {
    let mut a = vec![0.0; m * m];
    (0..m).for_each(|i| a[i * m + i] = 1.0);
    a
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * m];
    for i in 0..m {
        for k in 0..m {
            let x = a[i * m + k];
            if x == 0.0 {
                continue;
            }
            for j in 0..m {
                c[i * m + j] += x * b[k * m + j];
            }
        }
    }
    c
}

fn ldexp(x: f64, e: i64) -> f64 {
    let mut x = x;
    let mut e = e;
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e as i32)
}

/// The interval of row `i` of the Pomeranz recursion.
fn pomeranz_j1j2(i: i64, n: i64, ll: i64, ceilf: i64, roundf: i64) -> (i64, i64) {
    let (j1, j2) = if i == 0 {
        (-ll - ceilf - 1, ll + ceilf - 1)
    } else {
        let (half, odd) = ((i + 1) / 2, (i + 1) % 2);
        if odd == 0 {
            if half == n + 1 {
                (n - ll - ceilf - 1, n + ll + ceilf - 1)
            } else {
                (half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1)
            }
        } else {
            (half - 1 - ll - 1, half + ll + roundf - 1)
        }
    };
    ((j1 + 2).max(0), j2.min(n))
}

/// Pr(D_n ≤ x) by Pomeranz's recursion (1974), for small n.
fn pomeranz_cdf(n: u64, x: f64) -> f64 {
    let nf = n as f64;
    let t = nf * x;
    let ll = t.floor() as i64;
    let f = t - ll as f64;
    let g = f.min(1.0 - f);
    let ceilf = i64::from(f > 0.0);
    let roundf = i64::from(f > 0.5);
    let npwrs = 2 * (ll as usize + 1);
    let (mut gp, mut tgp, mut omp) = (vec![1.0; npwrs], vec![1.0; npwrs], vec![1.0; npwrs]);
    for m in 1..npwrs {
        let mf = m as f64;
        gp[m] = gp[m - 1] * (g / nf) / mf;
        tgp[m] = tgp[m - 1] * (2.0 * g / nf) / mf;
        omp[m] = omp[m - 1] * ((1.0 - 2.0 * g) / nf) / mf;
    }
    let n = n as i64;
    let mut v0 = vec![0.0; npwrs];
    let mut v1 = vec![0.0; npwrs];
    v1[0] = 1.0;
    let (mut v0s, mut v1s) = (0i64, 0i64);
    let mut expnt = 0i64;
    let (mut j1, _) = pomeranz_j1j2(0, n, ll, ceilf, roundf);
    for i in 1..(2 * n + 2) {
        let k1 = j1;
        std::mem::swap(&mut v0, &mut v1);
        std::mem::swap(&mut v0s, &mut v1s);
        v1.iter_mut().for_each(|x| *x = 0.0);
        let (nj1, j2) = pomeranz_j1j2(i, n, ll, ceilf, roundf);
        j1 = nj1;
        let pwrs = if i == 1 || i == 2 * n + 1 {
            &gp
        } else if i % 2 == 1 {
            &tgp
        } else {
            &omp
        };
        let ln2 = j2 - k1 + 1;
        if ln2 > 0 {
            let ln2 = ln2 as usize;
            let start = (k1 - v0s) as usize;
            // As numpy slices: a window past the end is cut short.
            let src = &v0[start.min(v0.len())..(start + ln2).min(v0.len())];
            let conv_start = (j1 - k1) as usize;
            let conv_len = (j2 - j1 + 1) as usize;
            let full = if src.is_empty() {
                0
            } else {
                src.len() + ln2 - 1
            };
            for (out, idx) in (conv_start..(conv_start + conv_len).min(full)).enumerate() {
                // Full convolution of src and pwrs[..ln2] at index idx.
                let lo = idx.saturating_sub(ln2 - 1);
                let s: f64 = (lo..=idx.min(src.len() - 1))
                    .map(|a| src[a] * pwrs[idx - a])
                    .sum();
                v1[out] = s;
            }
            let max = v1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if 0.0 < max && max < EM128 {
                v1.iter_mut().for_each(|x| *x *= EP128);
                expnt -= 128;
            }
            v1s = v0s + j1 - k1;
        }
    }
    let mut ans = v1[(n - v1s) as usize];
    for m in 1..=n {
        if ans.abs() > EP128 {
            ans *= EM128;
            expnt += 128;
        }
        ans *= m as f64;
    }
    ldexp(ans, expnt)
}

/// The Pelz–Good asymptotic series for Pr(D_n ≤ x) (1976), for large n.
fn pelz_good_cdf(n: f64, x: f64) -> f64 {
    use std::f64::consts::PI;
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let (pi2, pi4, pi6) = (PI * PI, PI.powi(4), PI.powi(6));
    let sqrt2pi = (2.0 * PI).sqrt();
    let z = n.sqrt() * x;
    let (z2, z3, z4, z6) = (z * z, z.powi(3), z.powi(4), z.powi(6));
    let qlog = -pi2 / 8.0 / z2;
    if qlog < -708.0 {
        return 0.0;
    }
    let q = qlog.exp();
    let k1a = -z2;
    let k1b = pi2 / 4.0;
    let k2a = 6.0 * z6 + 2.0 * z4;
    let k2b = (2.0 * z4 - 5.0 * z2) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * z2) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * z2) / 64.0;
    let k3c = pi4 * (-60.0 * z2 + 212.0 * z4) / 16.0;
    let k3b = pi2 * (135.0 * z4 - 96.0 * z6) / 4.0;
    let k3a = -30.0 * z6 - 90.0 * z.powi(8);
    let mut kk = [0.0f64; 4];
    let maxk = (16.0 * z / PI).ceil() as i64;
    for k in (1..=maxk).rev() {
        let m = (2 * k - 1) as f64;
        let (m2, m4, m6) = (m * m, m.powi(4), m.powi(6));
        let qpower = q.powf((8 * k) as f64);
        let coeffs = [
            1.0,
            k1a + k1b * m2,
            k2a + k2b * m2 + k2c * m4,
            k3a + k3b * m2 + k3c * m4 + k3d * m6,
        ];
        for (a, c) in kk.iter_mut().zip(coeffs) {
            *a = *a * qpower + c;
        }
    }
    let div = [z, 6.0 * z4, 72.0 * z.powi(7), 6480.0 * z.powi(10)];
    for (a, d) in kk.iter_mut().zip(div) {
        *a = *a * q * sqrt2pi / d;
    }
    let q = (-pi2 / 2.0 / z2).exp();
    let sqrt3z = 3f64.sqrt() * z;
    let (mut k2extra, mut k3extra) = (0.0, 0.0);
    for k in (1..=maxk).rev() {
        let kf = k as f64;
        let ks2 = kf * kf;
        let qp = q.powf(ks2);
        k2extra += ks2 * qp;
        let kspi = PI * kf;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
    }
    kk[2] += k2extra * pi2 * sqrt2pi / (-36.0 * z3);
    kk[3] += k3extra * pi2 * sqrt2pi / (216.0 * z6);
    (0..4).map(|i| kk[i] / n.powf(i as f64 / 2.0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistic_counts_ties_once() {
        assert_eq!(statistic(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]), 0.0);
        assert_eq!(statistic(&[1.0, 1.0], &[2.0, 2.0]), 1.0);
        // F_a jumps to 2/3 at 1, F_b to 1/2 at 1 and 1 at 2.
        let d = statistic(&[1.0, 1.0, 3.0], &[1.0, 2.0]);
        assert!((d - (1.0 - 2.0 / 3.0)).abs() < 1e-15, "{d}");
    }

    #[test]
    fn runs_give_the_test_of_the_values_they_stand_for() {
        let a = [0.5, 0.5, 0.5, 1.0, 2.0, 2.0, 7.5];
        let b = [-1.0, 0.5, 2.0, 2.0, 2.0, 3.0];
        let pairs: Vec<(f64, u64)> = runs(&a).collect();
        assert_eq!(pairs, vec![(0.5, 3), (1.0, 1), (2.0, 2), (7.5, 1)]);
        assert_eq!(total(pairs.iter().copied()), 7);
        assert_eq!(
            ks_2samp_runs(pairs.into_iter(), 7, runs(&b), 6),
            ks_2samp(&a, &b)
        );
        // A sample larger than memory holds, one value 2^50 times: the
        // statistic is exact and the p-value asymptotic, nothing expanded.
        let huge = [(1.5, 1u64 << 50)];
        let r = ks_2samp_runs(huge.iter().copied(), 1 << 50, runs(&[1.0, 2.0]), 2).unwrap();
        assert_eq!((r.statistic, r.method), (0.5, PMethod::Asymptotic));
        assert_eq!(ks_2samp_runs(std::iter::empty(), 0, runs(&b), 6), None);
    }

    #[test]
    fn the_merge_of_slices_equals_the_walk_over_runs() {
        for (seed, modulus) in [(1, 7), (2, 1_000), (3, 1 << 40), (4, 2)] {
            let mut a = lcg(seed, 3_001, modulus);
            let mut b = lcg(seed + 10, 2_000, modulus);
            b.extend([-0.0, 0.0, f64::INFINITY]);
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            let walked = statistic_runs(runs(&a), a.len() as u64, runs(&b), b.len() as u64);
            assert_eq!(statistic(&a, &b).to_bits(), walked.to_bits(), "seed {seed}");
        }
    }

    #[test]
    fn empty_samples_have_no_test() {
        assert_eq!(ks_2samp(&[], &[1.0]), None);
    }

    #[test]
    fn identical_samples_have_p_one() {
        let a: Vec<f64> = (0..50).map(f64::from).collect();
        let r = ks_2samp(&a, &a).unwrap();
        assert_eq!(
            (r.statistic, r.p_value, r.method),
            (0.0, 1.0, PMethod::Exact)
        );
    }

    fn reference() -> serde_json::Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/drift/ks_reference.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The generator of ks_reference.py.
    fn lcg(seed: u64, count: usize, modulus: u64) -> Vec<f64> {
        let mut x = seed;
        (0..count)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 33) % modulus) as f64
            })
            .collect()
    }

    #[test]
    fn kolmogorov_sf_equals_scipy_kstwo() {
        let mut wrong = Vec::new();
        for case in reference()["kstwo"].as_array().unwrap() {
            let (n, x) = (case["n"].as_f64().unwrap(), case["x"].as_f64().unwrap());
            // Where scipy's own value is off, the reference is the exact sum
            // (computed with 30-digit arithmetic by ks_reference.py).
            let want = case.get("exact").unwrap_or(&case["sf"]).as_f64().unwrap();
            let got = kolmogorov_sf(n, x);
            if (got - want).abs() > 1e-9 {
                wrong.push(format!(
                    "kstwo.sf({x}, {n}): reference {want}, verdict {got}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn ks_2samp_equals_scipy() {
        for case in reference()["ks_2samp"].as_array().unwrap() {
            let u = |k: &str| case[k].as_u64().unwrap();
            let (n1, n2) = (u("n1") as usize, u("n2") as usize);
            let raw = lcg(u("seed"), n1 + n2, u("modulus"));
            let mut a = raw[..n1].to_vec();
            let mut b: Vec<f64> = raw[n1..].iter().map(|v| v + u("shift") as f64).collect();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            let r = ks_2samp(&a, &b).unwrap();
            let (d, p) = (
                case["statistic"].as_f64().unwrap(),
                case["pvalue"].as_f64().unwrap(),
            );
            assert!(
                (r.statistic - d).abs() <= 1e-12,
                "seed {}: D {d} vs {}",
                u("seed"),
                r.statistic
            );
            assert!(
                (r.p_value - p).abs() <= 1e-9,
                "seed {}: p {p} vs {}",
                u("seed"),
                r.p_value
            );
            let method = if n1.max(n2) as u64 <= MAX_EXACT_N {
                PMethod::Exact
            } else {
                PMethod::Asymptotic
            };
            assert_eq!(r.method, method);
        }
    }
}
