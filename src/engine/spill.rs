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
