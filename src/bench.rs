//! Timing both models: each command runs on the golden input, `warmup`
//! rounds then `runs` rounds, interleaved baseline, candidate, baseline…
//! so that drift in the machine's state hits both alike. Every run records
//! its wall time and the peak resident memory of the largest process in the
//! command's tree (`wait4`'s `ru_maxrss`). A command that fails, hangs past
//! the timeout, or writes no `{output}` stops the bench with the reason and
//! the tail of its stderr.

pub mod endpoint;
mod interrupt;

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::check::{CheckResult, Status};
use crate::metric::Value;
use crate::report::format::fmt_float;
use crate::spec::{BenchSpec, Severity};

/// What a bench measured: the models' commands, or their endpoints.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum BenchReport {
    Commands(Box<CommandsReport>),
    Endpoint(Box<endpoint::EndpointReport>),
}

impl BenchReport {
    pub fn gates(&self) -> &[CheckResult] {
        match self {
            BenchReport::Commands(b) => &b.gates,
            BenchReport::Endpoint(e) => &e.gates,
        }
    }

    /// Why the bench stopped, if it did.
    pub fn error(&self) -> Option<&str> {
        match self {
            BenchReport::Commands(b) => b.error.as_deref(),
            BenchReport::Endpoint(e) => e.error.as_deref(),
        }
    }

    pub fn seconds(&self) -> f64 {
        match self {
            BenchReport::Commands(b) => b.seconds,
            BenchReport::Endpoint(e) => e.seconds,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CommandsReport {
    pub input: String,
    pub warmup: usize,
    pub runs: usize,
    pub timeout_seconds: f64,
    pub baseline: ModelTiming,
    pub candidate: ModelTiming,
    /// Median wall time of the candidate over the baseline's.
    pub slowdown: Option<f64>,
    /// Median peak RSS of the candidate over the baseline's.
    pub memory_ratio: Option<f64>,
    /// Why the bench stopped, then the last lines of the failed command's
    /// stderr; the `bench` check's reason is the first part alone.
    pub error: Option<String>,
    pub gates: Vec<CheckResult>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelTiming {
    /// The command as run, placeholders filled in.
    pub command: String,
    /// Where `{output}` pointed (the last run's file stays there).
    pub output: Option<String>,
    pub runs: Vec<Run>,
    pub median_seconds: Option<f64>,
    pub min_seconds: Option<f64>,
    pub max_seconds: Option<f64>,
    pub p95_seconds: Option<f64>,
    pub median_peak_rss_bytes: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub warmup: bool,
    pub seconds: f64,
    pub peak_rss_bytes: u64,
}

/// How many bytes of a failed command's stderr the report keeps.
const STDERR_TAIL: usize = 2000;

/// Runs the bench. Outputs without a declared path go to a temporary
/// directory that lives until the bench ends.
pub fn run(spec: &BenchSpec, progress: &crate::progress::Progress) -> CommandsReport {
    let started = Instant::now();
    let tmp = tempfile::Builder::new().prefix("verdict-bench").tempdir();
    // Ctrl-C (or a scheduler's SIGTERM) mid-bench kills the command's
    // process group and removes the temporary directory.
    let _guard = interrupt::Guard::install(tmp.as_ref().ok().map(|d| d.path().to_path_buf()));
    let output = |declared: &Option<String>, side: &str| -> Option<PathBuf> {
        declared.as_ref().map(PathBuf::from).or_else(|| {
            tmp.as_ref()
                .ok()
                .map(|d| d.path().join(format!("{side}.out")))
        })
    };
    let outs = [
        output(&spec.baseline_output, "baseline"),
        output(&spec.candidate_output, "candidate"),
    ];
    let cmds = [&spec.baseline_cmd, &spec.candidate_cmd];
    let mut models: Vec<ModelTiming> = (0..2)
        .map(|i| ModelTiming {
            command: fill(cmds[i], &spec.input, outs[i].as_deref()),
            output: cmds[i]
                .contains("{output}")
                .then(|| outs[i].as_ref().map(|p| p.display().to_string()))
                .flatten(),
            runs: Vec::new(),
            median_seconds: None,
            min_seconds: None,
            max_seconds: None,
            p95_seconds: None,
            median_peak_rss_bytes: None,
        })
        .collect();
    let mut error = None;
    'rounds: for round in 0..spec.warmup + spec.runs {
        for (i, side) in ["baseline", "candidate"].iter().enumerate() {
            let out = models[i].output.as_ref().map(PathBuf::from);
            progress.step(if round < spec.warmup {
                format!("bench: {side} warm-up {} of {}", round + 1, spec.warmup)
            } else {
                format!(
                    "bench: {side} run {} of {}",
                    round - spec.warmup + 1,
                    spec.runs
                )
            });
            match run_once(&models[i].command, out.as_deref(), spec.timeout) {
                Ok((seconds, peak_rss_bytes)) => models[i].runs.push(Run {
                    warmup: round < spec.warmup,
                    seconds,
                    peak_rss_bytes,
                }),
                Err(Failure { how, tail }) => {
                    let headline = format!(
                        "the {side} command failed on {} {}: {how}",
                        if round < spec.warmup {
                            "warm-up run"
                        } else {
                            "run"
                        },
                        if round < spec.warmup {
                            round + 1
                        } else {
                            round - spec.warmup + 1
                        }
                    );
                    error = Some((format!("{headline}{tail}"), headline));
                    break 'rounds;
                }
            }
        }
    }
    for m in &mut models {
        summarise(m);
    }
    let ratio = |f: fn(&ModelTiming) -> Option<f64>| match (f(&models[0]), f(&models[1])) {
        (Some(b), Some(c)) if b > 0.0 => Some(c / b),
        _ => None,
    };
    let slowdown = ratio(|m| m.median_seconds);
    let memory_ratio = ratio(|m| m.median_peak_rss_bytes.map(|b| b as f64));
    let gates = gates(
        spec,
        slowdown,
        &models,
        error.as_ref().map(|e| e.1.as_str()),
    );
    let candidate = models.pop().expect("two models");
    let baseline = models.pop().expect("two models");
    CommandsReport {
        input: spec.input.clone(),
        warmup: spec.warmup,
        runs: spec.runs,
        timeout_seconds: spec.timeout.as_secs_f64(),
        baseline,
        candidate,
        slowdown,
        memory_ratio,
        error: error.map(|e| e.0),
        gates,
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn gates(
    spec: &BenchSpec,
    slowdown: Option<f64>,
    models: &[ModelTiming],
    error: Option<&str>,
) -> Vec<CheckResult> {
    let mut r = CheckResult::named(
        "bench.max_slowdown",
        "max_slowdown",
        None,
        spec.max_slowdown.map_or(Severity::Error, |m| m.1),
        "",
    );
    if let Some(e) = error {
        r.name = "bench".into();
        r.check = "bench";
        r.expected = "both model commands to run".into();
        r.status = Status::Error;
        r.why = Some(e.to_string());
        return vec![r];
    }
    let Some((limit, _)) = spec.max_slowdown else {
        return Vec::new();
    };
    r.expected = format!("≤ {}×", fmt_float(limit));
    match slowdown {
        None => {
            r.status = Status::Error;
            r.why = Some("the baseline's median time is zero; no ratio".into());
        }
        Some(x) => {
            r.observed = Some(Value::Float(x));
            r.observed_text = format!(
                "{}× (median {} s vs {} s)",
                fmt_float(x),
                fmt_float(models[1].median_seconds.unwrap_or(0.0)),
                fmt_float(models[0].median_seconds.unwrap_or(0.0))
            );
            if x > limit {
                r.status = Status::Fail;
            }
        }
    }
    vec![r]
}

/// Fills `{input}` and `{output}` with shell-quoted paths.
fn fill(cmd: &str, input: &str, output: Option<&Path>) -> String {
    let out = output.map(|p| quote(&p.display().to_string()));
    let mut s = cmd.replace("{input}", &quote(input));
    if let Some(o) = out {
        s = s.replace("{output}", &o);
    }
    s
}

fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Runs one command through `sh -c` in its own process group. Returns wall
/// seconds and peak RSS in bytes.
fn run_once(cmd: &str, output: Option<&Path>, timeout: Duration) -> Result<(f64, u64), Failure> {
    if let Some(o) = output {
        match std::fs::remove_file(o) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Failure::bare(format!(
                    "cannot remove the old output {}: {e}",
                    o.display()
                )))
            }
        }
    }
    let mut stderr =
        tempfile::tempfile().map_err(|e| Failure::bare(format!("cannot capture stderr: {e}")))?;
    let started = Instant::now();
    let child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(
            stderr
                .try_clone()
                .map_err(|e| Failure::bare(format!("cannot capture stderr: {e}")))?,
        )
        .process_group(0)
        .spawn()
        .map_err(|e| Failure::bare(format!("cannot start `sh`: {e}")))?;
    let pid = child.id() as libc::pid_t;
    interrupt::running(pid);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // SAFETY: siginfo is plain data, filled by the kernel; waits for
        // our own child without reaping it.
        let exited = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            ) == 0
        };
        let elapsed = started.elapsed();
        // Whatever the command left running in the background dies with
        // it. Its leader is not reaped yet, so the group's number cannot
        // have passed to another process.
        if exited {
            interrupt::kill_group();
        }
        let mut status = 0;
        // SAFETY: rusage is plain data, filled by the kernel.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: reaps our own child; the pointers outlive the call.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let _ = tx.send((r, status, usage.ru_maxrss, elapsed));
    });
    let (r, status, maxrss, elapsed) = match rx.recv_timeout(timeout) {
        Ok(x) => x,
        Err(_) => {
            interrupt::kill_group();
            let _ = rx.recv();
            return Err(Failure {
                how: format!(
                    "still running after the {} s timeout; it was killed",
                    fmt_float(timeout.as_secs_f64())
                ),
                tail: tail(&mut stderr),
            });
        }
    };
    drop(child);
    if r != pid {
        return Err(Failure::bare(format!(
            "cannot wait for the command: {}",
            std::io::Error::last_os_error()
        )));
    }
    let status = ExitStatus::from_raw(status);
    if !status.success() {
        let how = match (status.code(), status.signal()) {
            (Some(127), _) => "exited with code 127 (command not found)".to_string(),
            (Some(c), _) => format!("exited with code {c}"),
            (None, Some(s)) => format!("was killed by signal {s}"),
            _ => "failed".to_string(),
        };
        return Err(Failure {
            how,
            tail: tail(&mut stderr),
        });
    }
    if let Some(o) = output {
        if !o.exists() {
            return Err(Failure {
                how: format!(
                    "it exited with code 0 but wrote no output file at {}",
                    o.display()
                ),
                tail: tail(&mut stderr),
            });
        }
    }
    // ru_maxrss is in kilobytes on Linux.
    Ok((elapsed.as_secs_f64(), maxrss.max(0) as u64 * 1024))
}

/// Why a run failed, and the last lines of the command's stderr (empty
/// when the command never ran). The report's error holds both; the gate's
/// reason holds only `how`, so no view shows the stderr twice.
#[derive(Debug)]
struct Failure {
    how: String,
    tail: String,
}

impl Failure {
    fn bare(how: String) -> Failure {
        Failure {
            how,
            tail: String::new(),
        }
    }
}

/// The last lines of what the command wrote to stderr, indented.
fn tail(f: &mut std::fs::File) -> String {
    let len = f.seek(SeekFrom::End(0)).unwrap_or(0);
    let from = len.saturating_sub(STDERR_TAIL as u64);
    let mut buf = Vec::new();
    if f.seek(SeekFrom::Start(from)).is_err() || f.read_to_end(&mut buf).is_err() {
        return String::new();
    }
    let text = String::from_utf8_lossy(&buf);
    let text = text.trim_end();
    if text.is_empty() {
        return "; it wrote nothing to stderr".into();
    }
    let lines: Vec<String> = text.lines().map(|l| format!("  | {l}")).collect();
    format!("; its stderr ends with:\n{}", lines.join("\n"))
}

fn summarise(m: &mut ModelTiming) {
    let mut t: Vec<f64> = m
        .runs
        .iter()
        .filter(|r| !r.warmup)
        .map(|r| r.seconds)
        .collect();
    if t.is_empty() {
        return;
    }
    t.sort_by(f64::total_cmp);
    m.median_seconds = Some(quantile(&t, 0.5));
    m.min_seconds = t.first().copied();
    m.max_seconds = t.last().copied();
    m.p95_seconds = Some(quantile(&t, 0.95));
    let mut rss: Vec<f64> = m
        .runs
        .iter()
        .filter(|r| !r.warmup)
        .map(|r| r.peak_rss_bytes as f64)
        .collect();
    rss.sort_by(f64::total_cmp);
    m.median_peak_rss_bytes = Some(quantile(&rss, 0.5).round() as u64);
}

/// Linear interpolation between order statistics of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_quoted() {
        assert_eq!(
            fill(
                "m {input} {output}",
                "a b.parquet",
                Some(Path::new("o.parquet"))
            ),
            "m 'a b.parquet' o.parquet"
        );
        assert_eq!(quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn quantiles() {
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert!((quantile(&[1.0, 2.0, 3.0, 4.0, 10.0], 0.95) - 8.8).abs() < 1e-12);
    }

    #[test]
    fn records_time_and_memory() {
        let (secs, rss) = run_once("sleep 0.05", None, Duration::from_secs(5)).unwrap();
        assert!(secs >= 0.05, "{secs}");
        assert!(rss > 0);
    }
}
