//! What a bench leaves behind when it is interrupted: nothing. While a
//! bench runs, SIGINT, SIGTERM and SIGHUP kill the running command's
//! process group and remove the bench's temporary directory before verdict
//! dies of the signal as it would have (so a shell still sees 130 for
//! Ctrl-C). The handler itself only writes the signal's number to a pipe;
//! a watcher thread does the work, where any call is safe.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The write end of the pipe the handler writes to; -1 when no bench runs.
static WAKE: AtomicI32 = AtomicI32::new(-1);
/// The process group of the command running now; 0 between commands.
static GROUP: AtomicI32 = AtomicI32::new(0);
static TEMP_DIR: Mutex<Option<PathBuf>> = Mutex::new(None);

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = WAKE.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = sig as u8;
        // SAFETY: write(2) is async-signal-safe; the buffer is on the stack.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
}

/// Installed for the length of one bench; dropping it restores the
/// previous handlers.
pub struct Guard {
    previous: Vec<(libc::c_int, libc::sigaction)>,
    write_end: libc::c_int,
    watcher: Option<std::thread::JoinHandle<()>>,
}

impl Guard {
    /// Watches for the signals; `temp_dir` is removed if one arrives.
    pub fn install(temp_dir: Option<PathBuf>) -> std::io::Result<Guard> {
        let mut fds = [0; 2];
        // SAFETY: fds has room for the two descriptors pipe(2) writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let (read_end, write_end) = (fds[0], fds[1]);
        *TEMP_DIR.lock().unwrap_or_else(|e| e.into_inner()) = temp_dir;
        WAKE.store(write_end, Ordering::SeqCst);
        let watcher = std::thread::spawn(move || watch(read_end));
        let mut previous = Vec::new();
        for sig in SIGNALS {
            // SAFETY: a zeroed sigaction with a handler and an empty mask is
            // valid; the old action is written into `old`.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as usize;
                libc::sigemptyset(&mut action.sa_mask);
                action.sa_flags = libc::SA_RESTART;
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &action, &mut old) == 0 {
                    previous.push((sig, old));
                }
            }
        }
        Ok(Guard {
            previous,
            write_end,
            watcher: Some(watcher),
        })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        for (sig, old) in &self.previous {
            // SAFETY: restores the action saved when the guard was made.
            unsafe { libc::sigaction(*sig, old, std::ptr::null_mut()) };
        }
        WAKE.store(-1, Ordering::SeqCst);
        // A zero byte tells the watcher to stop.
        let stop = 0u8;
        // SAFETY: our own pipe; one byte from the stack.
        unsafe {
            libc::write(self.write_end, (&stop as *const u8).cast(), 1);
        }
        if let Some(w) = self.watcher.take() {
            let _ = w.join();
        }
        // SAFETY: the write end is ours and no longer shared.
        unsafe { libc::close(self.write_end) };
        *TEMP_DIR.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

fn watch(read_end: libc::c_int) {
    let mut byte = 0u8;
    loop {
        // SAFETY: reads one byte into a stack buffer from our own pipe.
        let n = unsafe { libc::read(read_end, (&mut byte as *mut u8).cast(), 1) };
        if n == 1
            || (n < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted)
        {
            break;
        }
    }
    // SAFETY: the read end is ours.
    unsafe { libc::close(read_end) };
    if byte == 0 {
        return;
    }
    let sig = libc::c_int::from(byte);
    kill_group();
    if let Some(dir) = TEMP_DIR.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = std::fs::remove_dir_all(dir);
    }
    // Die of the signal, as verdict would have without the bench.
    // SAFETY: resets the disposition and signals this process.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        libc::kill(libc::getpid(), sig);
    }
}

/// Records the process group of the command that runs now (0: none).
pub fn running(group: libc::pid_t) {
    GROUP.store(group, Ordering::SeqCst);
}

/// Kills the process group of the running command, if any: the command
/// and whatever it started in the background.
pub fn kill_group() {
    let group = GROUP.swap(0, Ordering::SeqCst);
    if group > 0 {
        // SAFETY: signals a process group this bench created.
        unsafe { libc::kill(-group, libc::SIGKILL) };
    }
}
