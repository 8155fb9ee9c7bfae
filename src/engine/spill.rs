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

    /// Whether `self` and `other` are the same file.
    pub fn same(&self, other: &ValueFile) -> bool {
        std::sync::Arc::ptr_eq(&self.file, &other.file)
    }

    /// The `i`-th value (`i < len`).
    pub fn at(&self, i: usize) -> Result<f64, String> {
        use std::os::unix::fs::FileExt as _;
        let mut b = [0u8; 8];
        self.file
            .read_exact_at(&mut b, (i * 8) as u64)
            .map_err(|e| self.failed(&e))?;
        Ok(f64::from_le_bytes(b))
    }

    /// Values `from..`, a chunk at a time: `None` at the end or on a read
    /// error, which [`ValueFile::check`] then returns.
    pub fn chunk(&self, from: usize) -> Option<Vec<f64>> {
        use std::os::unix::fs::FileExt as _;
        let n = (CHUNK_BYTES / 8).min(self.len.saturating_sub(from));
        if n == 0 {
            return None;
        }
        let mut bytes = vec![0u8; n * 8];
        if let Err(e) = self.file.read_exact_at(&mut bytes, (from * 8) as u64) {
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
