//! Where sorts and joins spill under `--memory-limit`: one directory per
//! process, `verdict-spill-<pid>` in the temporary directory, removed when
//! the command ends. A run killed before that (kill -9, the machine going
//! down) leaves its directory behind; the next run with a memory limit
//! removes every such directory whose process is gone.

use std::path::PathBuf;
use std::sync::OnceLock;

const PREFIX: &str = "verdict-spill-";

static DIR: OnceLock<PathBuf> = OnceLock::new();

/// This process's spill directory, made (and the dead's removed) on first
/// use.
pub fn dir() -> std::io::Result<PathBuf> {
    if let Some(d) = DIR.get() {
        return Ok(d.clone());
    }
    let tmp = std::env::temp_dir();
    remove_stale(&tmp);
    let d = tmp.join(format!("{PREFIX}{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(DIR.get_or_init(|| d).clone())
}

/// Removes this process's spill directory, if it made one.
pub fn remove() {
    if let Some(d) = DIR.get() {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Removes the spill directories of processes that no longer run.
fn remove_stale(tmp: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() as i32 && !alive(pid) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only asks whether the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Bytes a walk over a [`ValueFile`] reads at a time.
const CHUNK_BYTES: usize = 1 << 16;

/// f64 values written to an unlinked file in the spill directory: it goes
/// away with its last handle, however the process ends. What verdict keeps
/// of its own (drift's sorted values, the diff's differences) goes here
/// when the memory pool is bounded.
#[derive(Debug, Clone)]
pub struct ValueFile {
    file: std::sync::Arc<std::fs::File>,
    /// The values are `start..start + len` of the file.
    start: usize,
    len: usize,
    /// The first read error any walk met (a walk cannot return one).
    error: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

/// Writes values, in the order given, to a new [`ValueFile`].
#[derive(Debug)]
pub struct ValueWriter {
    file: std::io::BufWriter<std::fs::File>,
    len: usize,
}

impl ValueWriter {
    pub fn new() -> std::io::Result<ValueWriter> {
        let file = tempfile::tempfile_in(dir()?)?;
        Ok(ValueWriter {
            file: std::io::BufWriter::with_capacity(CHUNK_BYTES, file),
            len: 0,
        })
    }

    pub fn push(&mut self, v: f64) -> std::io::Result<()> {
        use std::io::Write as _;
        self.len += 1;
        self.file.write_all(&v.to_le_bytes())
    }

    pub fn finish(self) -> std::io::Result<ValueFile> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        Ok(ValueFile {
            file: std::sync::Arc::new(file),
            start: 0,
            len: self.len,
            error: Default::default(),
        })
    }
}

impl ValueFile {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `self` and `other` are the same values of the same file.
    pub fn same(&self, other: &ValueFile) -> bool {
        std::sync::Arc::ptr_eq(&self.file, &other.file)
            && (self.start, self.len) == (other.start, other.len)
    }

    /// The `i`-th value (`i < len`).
    pub fn at(&self, i: usize) -> Result<f64, String> {
        use std::os::unix::fs::FileExt as _;
        let mut b = [0u8; 8];
        self.file
            .read_exact_at(&mut b, ((self.start + i) * 8) as u64)
            .map_err(|e| self.failed(&e))?;
        Ok(f64::from_le_bytes(b))
    }

    /// Values `from..`, a chunk at a time: `None` at the end or on a read
    /// error, which [`ValueFile::check`] then returns.
    pub fn chunk(&self, from: usize) -> Option<Vec<f64>> {
        self.chunk_of(from, CHUNK_BYTES / 8)
    }

    /// [`ValueFile::chunk`] of at most `most` values.
    fn chunk_of(&self, from: usize, most: usize) -> Option<Vec<f64>> {
        use std::os::unix::fs::FileExt as _;
        let n = most.max(1).min(self.len.saturating_sub(from));
        if n == 0 {
            return None;
        }
        let mut bytes = vec![0u8; n * 8];
        if let Err(e) = self
            .file
            .read_exact_at(&mut bytes, ((self.start + from) * 8) as u64)
        {
            self.failed(&e);
            return None;
        }
        Some(
            bytes
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
        )
    }

    /// Calls `f` on every value, in order.
    pub fn for_each(&self, mut f: impl FnMut(f64)) -> Result<(), String> {
        let mut at = 0;
        while let Some(c) = self.chunk(at) {
            at += c.len();
            c.into_iter().for_each(&mut f);
        }
        self.check()
    }

    /// The first read error a walk over the file met.
    pub fn check(&self) -> Result<(), String> {
        match self.error.lock() {
            Ok(e) => e.clone().map_or(Ok(()), Err),
            Err(_) => Err("a read from the spill directory failed".into()),
        }
    }

    fn failed(&self, e: &std::io::Error) -> String {
        let m = format!("reading values back from the spill directory: {e}");
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert_with(|| m.clone());
        }
        m
    }
}

/// f64 values kept to be read back in ascending order: in memory up to
/// `cap` of them, then as sorted runs in [`ValueFile`]s, merged on the
/// way back (an external merge sort). Without a cap nothing is spilled.
/// NaN is the caller's to keep out.
#[derive(Debug, Clone, Default)]
pub struct SortedRuns {
    memory: Vec<f64>,
    /// Values held in memory before they are written as a run; `None`
    /// (the default) without a memory bound.
    cap: Option<usize>,
    /// The file this one writes its runs to, one after another (one file
    /// however many runs: a process has few file handles), and its length
    /// in values.
    own: Option<(std::sync::Arc<std::fs::File>, usize)>,
    /// Sorted runs: its own, and those of the ones it took in.
    runs: Vec<ValueFile>,
    /// The first write error: the values after it are lost, so every
    /// answer from them is an error.
    error: Option<String>,
}

impl SortedRuns {
    pub fn new(cap: Option<usize>) -> SortedRuns {
        SortedRuns {
            cap: cap.map(|c| c.max(1)),
            ..SortedRuns::default()
        }
    }

    #[inline]
    pub fn push(&mut self, v: f64) {
        self.memory.push(v);
        if self.cap.is_some_and(|c| self.memory.len() >= c) {
            self.flush();
        }
    }

    /// Writes the values in memory, sorted, as one more run.
    fn flush(&mut self) {
        use std::os::unix::fs::FileExt as _;
        self.memory.sort_unstable_by(f64::total_cmp);
        let written = (|| {
            if self.own.is_none() {
                self.own = Some((std::sync::Arc::new(tempfile::tempfile_in(dir()?)?), 0));
            }
            let (file, len) = self.own.as_mut().expect("made above");
            let start = *len;
            for (k, piece) in self.memory.chunks(CHUNK_BYTES / 8).enumerate() {
                let bytes: Vec<u8> = piece.iter().flat_map(|v| v.to_le_bytes()).collect();
                let at = (start + k * (CHUNK_BYTES / 8)) * 8;
                file.write_all_at(&bytes, at as u64)?;
            }
            *len += self.memory.len();
            Ok::<_, std::io::Error>(ValueFile {
                file: file.clone(),
                start,
                len: self.memory.len(),
                error: Default::default(),
            })
        })();
        match written {
            Ok(run) => self.runs.push(run),
            Err(e) => {
                self.error
                    .get_or_insert_with(|| format!("writing values to the spill directory: {e}"));
            }
        }
        self.memory.clear();
    }

    /// Takes in `other`'s values.
    pub fn append(&mut self, other: SortedRuns) {
        self.runs.extend(other.runs);
        if self.error.is_none() {
            self.error = other.error;
        }
        for v in other.memory {
            self.push(v);
        }
    }

    pub fn len(&self) -> u64 {
        self.memory.len() as u64 + self.spilled()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many values are in spill files.
    pub fn spilled(&self) -> u64 {
        self.runs.iter().map(|f| f.len() as u64).sum()
    }

    /// The first error writing or reading the values.
    pub fn check(&self) -> Result<(), String> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.runs.iter().try_for_each(ValueFile::check)
    }

    /// Calls `f` on every value, in no particular order.
    pub fn for_each(&self, mut f: impl FnMut(f64)) -> Result<(), String> {
        self.check()?;
        self.memory.iter().copied().for_each(&mut f);
        for run in &self.runs {
            run.for_each(&mut f)?;
        }
        Ok(())
    }

    /// The values at 0-based `ranks` (ascending, each `< len`): selected in
    /// memory when nothing was spilled, else read off the merged runs.
    pub fn at_ranks(&mut self, ranks: &[u64]) -> Result<Vec<f64>, String> {
        self.check()?;
        if self.runs.is_empty() {
            return Ok(ranks
                .iter()
                .map(|&r| {
                    *self
                        .memory
                        .select_nth_unstable_by(r as usize, f64::total_cmp)
                        .1
                })
                .collect());
        }
        let mut out = Vec::with_capacity(ranks.len());
        let mut wanted = ranks.iter().peekable();
        for (i, v) in self.ascending().enumerate() {
            while wanted.next_if(|&&r| r == i as u64).is_some() {
                out.push(v);
            }
            if wanted.peek().is_none() {
                break;
            }
        }
        self.check()?;
        Ok(out)
    }

    /// Every value in ascending order. A read error ends the walk early;
    /// [`SortedRuns::check`] then returns it.
    pub fn ascending(&mut self) -> Ascending<'_> {
        self.memory.sort_unstable_by(f64::total_cmp);
        // Read-ahead per run: 8 MiB in all, 512 to 8,192 values a run.
        let most = ((1 << 20) / self.runs.len().max(1)).clamp(512, CHUNK_BYTES / 8);
        let mut sources: Vec<Source<'_>> =
            self.runs.iter().map(|f| Source::file(f, most)).collect();
        sources.push(Source::Memory(&self.memory));
        let mut heap = std::collections::BinaryHeap::new();
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(v) = s.peek() {
                heap.push(std::cmp::Reverse((Total(v), i)));
            }
        }
        Ascending { sources, heap }
    }
}

/// An f64 ordered by `total_cmp`, for the merge's heap.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Total(f64);

impl Eq for Total {}

impl PartialOrd for Total {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Total {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A walk over values in memory or in a [`ValueFile`], one value at a
/// time, the file read a chunk at a time.
pub enum Source<'a> {
    Memory(&'a [f64]),
    File {
        file: &'a ValueFile,
        /// Values a read takes.
        most: usize,
        buf: Vec<f64>,
        pos: usize,
        next: usize,
    },
}

impl<'a> Source<'a> {
    /// A walk over `file`, reading `most` values at a time.
    pub fn file(file: &'a ValueFile, most: usize) -> Source<'a> {
        Source::File {
            file,
            most,
            buf: Vec::new(),
            pos: 0,
            next: 0,
        }
    }

    /// The next value, without taking it. `None` at the end or on a read
    /// error, which the file's `check` then returns.
    pub fn peek(&mut self) -> Option<f64> {
        match self {
            Source::Memory(rest) => rest.first().copied(),
            Source::File {
                file,
                most,
                buf,
                pos,
                next,
            } => {
                if *pos == buf.len() {
                    *buf = file.chunk_of(*next, *most)?;
                    *pos = 0;
                    *next += buf.len();
                }
                Some(buf[*pos])
            }
        }
    }

    /// Takes the value `peek` returned.
    pub fn advance(&mut self) {
        match self {
            Source::Memory(rest) => *rest = &rest[1..],
            Source::File { pos, .. } => *pos += 1,
        }
    }
}

/// The merge of a [`SortedRuns`]' sources.
pub struct Ascending<'a> {
    sources: Vec<Source<'a>>,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<(Total, usize)>>,
}

impl Iterator for Ascending<'_> {
    type Item = f64;

    fn next(&mut self) -> Option<f64> {
        let std::cmp::Reverse((Total(v), i)) = self.heap.pop()?;
        let s = &mut self.sources[i];
        s.advance();
        if let Some(n) = s.peek() {
            self.heap.push(std::cmp::Reverse((Total(n), i)));
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values spilled in runs of every size come back sorted, and their
    /// order statistics are those of the values sorted in memory.
    #[test]
    fn spilled_runs_come_back_in_order() {
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
            let (mut a, mut b) = (SortedRuns::new(Some(cap)), SortedRuns::new(Some(cap)));
            for (i, v) in values.iter().enumerate() {
                if i % 3 == 0 {
                    b.push(*v)
                } else {
                    a.push(*v)
                }
            }
            a.append(b);
            assert_eq!(a.len(), values.len() as u64);
            assert_eq!(a.spilled() > 0, cap < 40_000, "cap {cap}");
            values.sort_by(f64::total_cmp);
            assert_eq!(a.ascending().collect::<Vec<_>>(), values, "cap {cap}");
            let ranks = [0, 1, 7_499, 7_500, 14_999, 22_499, 22_500, 29_999];
            let want: Vec<f64> = ranks.iter().map(|&r| values[r as usize]).collect();
            assert_eq!(a.at_ranks(&ranks), Ok(want), "cap {cap}");
            let mut small = 0;
            a.for_each(|v| small += usize::from(v < 1.0)).unwrap();
            assert_eq!(small, values.iter().filter(|v| **v < 1.0).count());
        }
    }
}
