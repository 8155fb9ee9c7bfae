//! A numeric column's values in ascending order, NaN left out: in memory,
//! or, when the session's memory pool is bounded (`--memory-limit`), in a
//! spill file written from DataFusion's spilling sort. Both give the same
//! quantiles, bins and KS test, because every statistic reads them through
//! [`Sorted::at`] and [`Sorted::runs`]: a file is never read into memory,
//! only walked or read at a few ranks.

use crate::engine::spill::{Source, ValueFile};

#[derive(Debug, Clone)]
pub enum Sorted {
    Memory(Vec<f64>),
    Disk(ValueFile),
}

impl PartialEq for Sorted {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Sorted::Memory(a), Sorted::Memory(b)) => a == b,
            (Sorted::Disk(a), Sorted::Disk(b)) => a.same(b),
            _ => false,
        }
    }
}

impl Sorted {
    pub fn len(&self) -> usize {
        match self {
            Sorted::Memory(v) => v.len(),
            Sorted::Disk(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th smallest value (`i < len`).
    pub fn at(&self, i: usize) -> Result<f64, String> {
        match self {
            Sorted::Memory(v) => Ok(v[i]),
            Sorted::Disk(d) => d.at(i),
        }
    }

    /// Runs of equal values, (value, how many), ascending. A read error on
    /// a file ends the walk; [`Sorted::check`] then returns it.
    pub fn runs(&self) -> Runs<'_> {
        Runs(match self {
            Sorted::Memory(v) => Source::Memory(v.as_slice()),
            Sorted::Disk(d) => Source::file(d, 8192),
        })
    }

    /// The first read error any walk over these values met.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Sorted::Memory(_) => Ok(()),
            Sorted::Disk(d) => d.check(),
        }
    }

    pub fn on_disk(&self) -> bool {
        matches!(self, Sorted::Disk(_))
    }
}

pub struct Runs<'a>(Source<'a>);

impl Iterator for Runs<'_> {
    type Item = (f64, u64);

    fn next(&mut self) -> Option<(f64, u64)> {
        let first = self.0.peek()?;
        let mut n = 0u64;
        while self.0.peek() == Some(first) {
            self.0.advance();
            n += 1;
        }
        Some((first, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on_disk(v: &[f64]) -> Sorted {
        let mut w = crate::engine::spill::ValueWriter::new().unwrap();
        for x in v {
            w.push(*x).unwrap();
        }
        Sorted::Disk(w.finish().unwrap())
    }

    #[test]
    fn a_file_reads_back_as_the_values_it_holds() {
        // Runs that cross the walk's chunk boundary.
        let mut v: Vec<f64> = (0..20_000).map(|i| (i / 3) as f64).collect();
        v.extend(std::iter::repeat_n(1e9, 9_000));
        let (mem, disk) = (Sorted::Memory(v.clone()), on_disk(&v));
        assert_eq!(disk.len(), v.len());
        assert_eq!(disk.at(8_191), Ok(v[8_191]));
        assert_eq!(disk.at(v.len() - 1), Ok(1e9));
        assert_eq!(
            disk.runs().collect::<Vec<_>>(),
            mem.runs().collect::<Vec<_>>()
        );
        assert_eq!(disk.runs().last(), Some((1e9, 9_000)));
        assert_eq!(disk.check(), Ok(()));
        assert!(on_disk(&[]).runs().next().is_none());
    }
}
