//! A sum of floats that does not depend on the order of its terms: the
//! terms are kept as a list of non-overlapping partial sums (Shewchuk's
//! algorithm, as Python's `math.fsum`), so the total is the exact sum,
//! rounded once. The diff folds partitions in whatever order the join
//! hands them rows; with a plain `+=` a bounded run (a sort-merge join) and
//! an unbounded one (a hash join) disagree in the last digits of a mean.

#[derive(Debug, Clone, Default)]
pub struct ExactSum {
    /// Non-overlapping partial sums, increasing in magnitude.
    partials: Vec<f64>,
    /// The sum of the terms that are not finite, or whose partial sums
    /// overflowed; `0.0` when there were none.
    special: f64,
}

impl ExactSum {
    #[inline]
    pub fn add(&mut self, mut x: f64) {
        if !x.is_finite() {
            self.special += x;
            return;
        }
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            if !hi.is_finite() {
                // The exact sum left f64's range: it is ±inf from here on.
                self.special += hi;
                return;
            }
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Adds `x·y` exactly: the rounded product and its rounding error
    /// (a fused multiply-add gives the error exactly).
    #[inline]
    pub fn add_product(&mut self, x: f64, y: f64) {
        let p = x * y;
        self.add(p);
        if p.is_finite() {
            let e = x.mul_add(y, -p);
            if e != 0.0 {
                self.add(e);
            }
        }
    }

    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
        self.special += other.special;
    }

    /// The exact sum of the terms, correctly rounded.
    pub fn value(&self) -> f64 {
        // NaN (+inf and −inf both seen) is not 0 either.
        if self.special != 0.0 {
            return self.special;
        }
        let mut n = self.partials.len();
        let mut hi = 0.0;
        if n > 0 {
            n -= 1;
            hi = self.partials[n];
            let mut lo = 0.0;
            while n > 0 {
                let x = hi;
                n -= 1;
                let y = self.partials[n];
                hi = x + y;
                let yr = hi - x;
                lo = y - yr;
                if lo != 0.0 {
                    break;
                }
            }
            // Round half to even across the partials, as fsum does.
            if n > 0
                && ((lo < 0.0 && self.partials[n - 1] < 0.0)
                    || (lo > 0.0 && self.partials[n - 1] > 0.0))
            {
                let y = lo * 2.0;
                let x = hi + y;
                let yr = x - hi;
                if y == yr {
                    hi = x;
                }
            }
        }
        hi
    }
}

/// Σ(y − ȳ)² of `n` values from the exact sum of the values and the
/// exact sum of their squares: n·Σy² − (Σy)² is formed exactly and rounded
/// once, then divided by n. Unlike a running mean, the result does not
/// depend on the order of the values, and it keeps every digit when the
/// spread is small against the mean.
pub fn centered_squares(sum: &ExactSum, squares: &ExactSum, n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    if sum.special != 0.0 || squares.special != 0.0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let mut t = ExactSum::default();
    for &p in &squares.partials {
        t.add_product(nf, p);
    }
    for &a in &sum.partials {
        for &b in &sum.partials {
            t.add_product(-a, b);
        }
    }
    t.value() / nf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(v: &[f64]) -> f64 {
        let mut s = ExactSum::default();
        v.iter().for_each(|x| s.add(*x));
        s.value()
    }

    /// Values checked against Python's math.fsum.
    #[test]
    fn sums_are_exact_whatever_the_order() {
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(
            sum(&[1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]),
            1e-100
        );
        assert_eq!(sum(&[2.0f64.powi(53), 1.0, -(2.0f64.powi(53))]), 1.0);
        // fsum([1, 1e-16, 1e-16]) rounds to 1.0000000000000002.
        assert_eq!(sum(&[1.0, 1e-16, 1e-16]), 1.0000000000000002);
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(sum(&[f64::MAX, f64::MAX]), f64::INFINITY);
        assert_eq!(sum(&[1.0, f64::INFINITY]), f64::INFINITY);
        let v: Vec<f64> = (0..10_000)
            .map(|i| 1.0 / (i as f64 + 1.0) * if i % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let mut halves = (ExactSum::default(), ExactSum::default());
        for (i, x) in v.iter().enumerate() {
            if i % 2 == 0 {
                halves.0.add(*x)
            } else {
                halves.1.add(*x)
            }
        }
        halves.1.merge(&halves.0);
        let mut reversed = v.clone();
        reversed.reverse();
        assert_eq!(halves.1.value(), sum(&v));
        assert_eq!(sum(&reversed), sum(&v));
    }
}
