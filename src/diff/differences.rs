//! The non-zero absolute differences of one numeric column, kept for exact
//! percentiles and the decade histogram. They stay in memory unless the
//! session's pool is bounded (`--memory-limit`) and they pass a share of
//! it; from then on they go to a spill file. An order statistic of spilled
//! differences comes from a radix selection over the files: a pass counts
//! the next 16 bits of every candidate's bit pattern (for a non-negative
//! float, ordering the bits orders the values), and once one bucket of
//! candidates fits the share, they are read into memory and selected. The
//! answer is the exact value, as in memory; only the time grows.

use crate::engine::spill::{ValueFile, ValueWriter};

/// Bits a radix pass decides.
const DIGIT: u32 = 16;

#[derive(Debug, Default)]
pub struct Differences {
    memory: Vec<f64>,
    /// Values held in memory before the rest go to a file; `usize::MAX`
    /// without a memory bound.
    cap: usize,
    writer: Option<ValueWriter>,
    files: Vec<ValueFile>,
    /// The first write error: the values after it are lost, so every
    /// statistic of them is an error.
    error: Option<String>,
}

impl Differences {
    pub fn new(cap: Option<usize>) -> Differences {
        Differences {
            cap: cap.unwrap_or(usize::MAX).max(1),
            ..Differences::default()
        }
    }

    #[inline]
    pub fn push(&mut self, a: f64) {
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.push(a) {
                self.failed(e);
            }
            return;
        }
        self.memory.push(a);
        if self.memory.len() >= self.cap {
            self.spill();
        }
    }

    fn spill(&mut self) {
        let written = ValueWriter::new().and_then(|mut w| {
            for &v in &self.memory {
                w.push(v)?;
            }
            Ok(w)
        });
        match written {
            Ok(w) => {
                self.writer = Some(w);
                self.memory = Vec::new();
            }
            Err(e) => self.failed(e),
        }
    }

    fn failed(&mut self, e: std::io::Error) {
        self.writer = None;
        self.error
            .get_or_insert_with(|| format!("writing differences to the spill directory: {e}"));
    }

    /// Closes the file being written, if any.
    fn seal(&mut self) {
        if let Some(w) = self.writer.take() {
            match w.finish() {
                Ok(f) => self.files.push(f),
                Err(e) => self.failed(e),
            }
        }
    }

    pub fn merge(&mut self, mut other: Differences) {
        self.seal();
        other.seal();
        self.files.append(&mut other.files);
        self.memory.append(&mut other.memory);
        if self.error.is_none() {
            self.error = other.error;
        }
    }

    pub fn len(&self) -> u64 {
        self.memory.len() as u64 + self.spilled()
    }

    /// How many differences are in files.
    pub fn spilled(&self) -> u64 {
        self.files.iter().map(|f| f.len() as u64).sum()
    }

    /// Calls `f` on every difference, in no particular order.
    pub fn for_each(&mut self, mut f: impl FnMut(f64)) -> Result<(), String> {
        self.seal();
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.memory.iter().copied().for_each(&mut f);
        for file in &self.files {
            file.for_each(&mut f)?;
        }
        Ok(())
    }

    /// The `j`-th smallest difference (0-based, `j < len`).
    pub fn nth(&mut self, j: u64) -> Result<f64, String> {
        self.seal();
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.files.is_empty() {
            let j = j as usize;
            return Ok(*self.memory.select_nth_unstable_by(j, f64::total_cmp).1);
        }
        // Candidates are the values whose top `64 - shift` bits are `prefix`.
        let (mut prefix, mut shift, mut rank) = (0u64, 64u32, j);
        let share = self.cap as u64;
        loop {
            let (p, s) = (prefix, shift);
            let candidate = move |k: u64| s == 64 || k >> s == p;
            shift -= DIGIT;
            let mut counts = vec![0u64; 1 << DIGIT];
            self.for_each(|a| {
                let k = a.to_bits();
                if candidate(k) {
                    counts[((k >> shift) & 0xffff) as usize] += 1;
                }
            })?;
            let (mut digit, mut before) = (0usize, 0u64);
            while before + counts[digit] <= rank {
                before += counts[digit];
                digit += 1;
            }
            rank -= before;
            prefix = (prefix << DIGIT) | digit as u64;
            if shift == 0 {
                return Ok(f64::from_bits(prefix));
            }
            if counts[digit] <= share {
                let mut kept = Vec::with_capacity(counts[digit] as usize);
                self.for_each(|a| {
                    if a.to_bits() >> shift == prefix {
                        kept.push(a);
                    }
                })?;
                let r = rank as usize;
                return Ok(*kept.select_nth_unstable_by(r, f64::total_cmp).1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every order statistic of spilled differences equals the one of the
    /// same values in memory, whether the selection ends by reading a
    /// bucket or by deciding all 64 bits (a cap of 1 value).
    #[test]
    fn spilled_order_statistics_are_exact() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut values: Vec<f64> = (0..30_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match i % 4 {
                    0 => (x >> 11) as f64 / (1u64 << 53) as f64,
                    1 => 1e-9 * (x % 1000 + 1) as f64,
                    2 => 3.5,
                    _ => f64::INFINITY,
                }
            })
            .collect();
        for cap in [1, 1_000, 40_000] {
            let mut d = Differences::new(Some(cap));
            let mut other = Differences::new(Some(cap));
            for (i, v) in values.iter().enumerate() {
                if i % 3 == 0 {
                    other.push(*v);
                } else {
                    d.push(*v);
                }
            }
            d.merge(other);
            assert_eq!(d.len(), values.len() as u64);
            assert_eq!(d.spilled() > 0, cap < 40_000, "cap {cap}");
            values.sort_by(f64::total_cmp);
            for j in [0, 1, 7_499, 7_500, 14_999, 22_499, 22_500, 29_999] {
                assert_eq!(d.nth(j as u64), Ok(values[j]), "cap {cap}, rank {j}");
            }
            let mut small = 0;
            d.for_each(|a| small += usize::from(a < 1.0)).unwrap();
            assert_eq!(small, values.iter().filter(|a| **a < 1.0).count());
        }
    }
}
