//! Sending the load: `concurrency` workers per endpoint, each with its own
//! connection. In the open loop a clock thread hands out request k at
//! `start + k / rate` (sleeping with the kernel's timers, to tens of
//! microseconds; the runtime's own timers tick in milliseconds) and its
//! latency is measured from that moment, not from when a worker got to
//! send it: a server that stalls makes the requests due during the stall
//! wait, and their wait is in the latency (no coordinated omission). In
//! the closed loop workers take request numbers from one counter and send
//! the next as soon as they have the last answer.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use serde_json::Value;

use super::client::{Conn, Failure, Target};
use crate::spec::JsonPath;

/// The longest latency the histograms hold: a day, in microseconds.
const MAX_MICROS: u64 = 86_400_000_000;

/// What the requests of one endpoint share (cheap to clone: shared parts
/// are behind `Arc`s).
#[derive(Clone)]
pub struct Load {
    pub target: Arc<Target>,
    pub bodies: Arc<Vec<Bytes>>,
    /// The answer's values to capture.
    pub capture: Option<Arc<Vec<JsonPath>>>,
    /// Per row: already captured from this endpoint.
    pub claimed: Option<Arc<Vec<AtomicBool>>>,
    pub concurrency: usize,
    pub rate: Option<f64>,
    pub timeout: Duration,
    /// Open connections left by the workers of one block for the next.
    pub pool: Arc<std::sync::Mutex<Vec<Conn>>>,
}

/// One stretch of load on one endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    /// The row of the first request (rows are cycled).
    pub first: usize,
    pub warmup: usize,
    /// Measured requests; None: until `duration` has passed (closed loop).
    pub measured: Option<usize>,
    pub duration: Option<Duration>,
    /// When the first request is due.
    pub start: Instant,
}

/// What the workers of one endpoint saw.
pub struct Stats {
    /// Microseconds from when each request was due to its full answer.
    pub latency: Histogram<u64>,
    /// Microseconds from when each request was sent to its full answer.
    pub service: Histogram<u64>,
    pub sent: u64,
    pub ok: u64,
    /// Per class: how many, and the first one's text.
    pub errors: BTreeMap<String, (u64, String)>,
    pub warmup_sent: u64,
    pub warmup_failed: u64,
    /// Seconds from the first measured request being due to the last
    /// measured answer, summed over blocks.
    pub seconds: f64,
    /// (row, captured values) for each row answered first here.
    pub captured: Vec<(usize, Vec<Value>)>,
    /// Why the first 2xx answer that could not be captured could not.
    pub first_unreadable: Option<String>,
}

impl Stats {
    pub fn new() -> Stats {
        let h = || Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("valid bounds");
        Stats {
            latency: h(),
            service: h(),
            sent: 0,
            ok: 0,
            errors: BTreeMap::new(),
            warmup_sent: 0,
            warmup_failed: 0,
            seconds: 0.0,
            captured: Vec::new(),
            first_unreadable: None,
        }
    }

    pub fn merge(&mut self, o: Stats) {
        self.latency.add(&o.latency).expect("same bounds");
        self.service.add(&o.service).expect("same bounds");
        self.sent += o.sent;
        self.ok += o.ok;
        for (k, (n, ex)) in o.errors {
            self.errors.entry(k).or_insert((0, ex)).0 += n;
        }
        self.warmup_sent += o.warmup_sent;
        self.warmup_failed += o.warmup_failed;
        self.seconds += o.seconds;
        self.captured.extend(o.captured);
        if self.first_unreadable.is_none() {
            self.first_unreadable = o.first_unreadable;
        }
    }
}

struct Run {
    load: Load,
    block: Block,
    /// Closed loop: the next request number.
    next: AtomicUsize,
    /// Open loop: request numbers as they fall due.
    due: Option<tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<usize>>>,
    /// When the measured part began (closed loop: the first measured
    /// request taken).
    measured_from: OnceLock<Instant>,
}

/// Runs one block on one endpoint and returns what its workers saw.
pub async fn run(load: &Load, block: Block) -> Stats {
    let due = load.rate.map(|rate| {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let total = block.warmup + block.measured.expect("an open loop has a count");
        std::thread::spawn(move || clock(tx, block.start, rate, total));
        tokio::sync::Mutex::new(rx)
    });
    let run = Arc::new(Run {
        load: load.clone(),
        block,
        next: AtomicUsize::new(0),
        due,
        measured_from: OnceLock::new(),
    });
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..load.concurrency {
        workers.spawn(worker(run.clone()));
    }
    let mut stats = Stats::new();
    let mut last_done: Option<Instant> = None;
    while let Some(r) = workers.join_next().await {
        let (s, done) = r.expect("a load worker does not panic");
        last_done = match (last_done, done) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        stats.merge(s);
    }
    let from = match load.rate {
        // The first measured request was due then.
        Some(rate) => Some(block.start + per(block.warmup, rate)),
        None => run.measured_from.get().copied(),
    };
    if let (Some(from), Some(to)) = (from, last_done) {
        stats.seconds = to.saturating_duration_since(from).as_secs_f64();
    }
    stats
}

/// When request `k` is due, after the block's start, at `rate` a second.
fn per(k: usize, rate: f64) -> Duration {
    Duration::from_secs_f64(k as f64 / rate)
}

/// Hands out request numbers 0..total as each falls due; stops early
/// when the workers are gone.
fn clock(tx: tokio::sync::mpsc::UnboundedSender<usize>, start: Instant, rate: f64, total: usize) {
    // The kernel may round a sleep up by its timer slack (50 µs by
    // default); 1 µs keeps the schedule tight.
    #[cfg(target_os = "linux")]
    // SAFETY: sets an attribute of the calling thread only.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1000 as libc::c_ulong);
    }
    for k in 0..total {
        let due = start + per(k, rate);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        if tx.send(k).is_err() {
            return;
        }
    }
}

/// One connection's worth of requests; returns its stats and when its last
/// measured answer came.
async fn worker(run: Arc<Run>) -> (Stats, Option<Instant>) {
    let load = &run.load;
    let b = run.block;
    let rows = load.bodies.len();
    let mut stats = Stats::new();
    // A connection an earlier block (round) left open, if any.
    let mut conn: Option<Conn> = load.pool.lock().expect("not poisoned").pop();
    let mut last_done = None;
    loop {
        let (k, due) = match (&run.due, load.rate) {
            (Some(rx), Some(rate)) => match rx.lock().await.recv().await {
                Some(k) => (k, b.start + per(k, rate)),
                None => break,
            },
            _ => {
                let k = run.next.fetch_add(1, Ordering::Relaxed);
                if b.measured.is_some_and(|n| k >= b.warmup + n) {
                    break;
                }
                (k, Instant::now())
            }
        };
        let warm = k < b.warmup;
        if !warm {
            let from = *run.measured_from.get_or_init(|| due);
            if let (None, Some(d)) = (b.measured, b.duration) {
                if due.saturating_duration_since(from) >= d {
                    break;
                }
            }
        }
        let row = (b.first + k) % rows;
        // Whether this request opens a connection first.
        let connects = conn.as_mut().is_none_or(|c| !c.is_open());
        let sent = Instant::now();
        let outcome = tokio::time::timeout(load.timeout, exchange(load, &mut conn, row)).await;
        let done = Instant::now();
        let outcome = match outcome {
            Ok(o) => o,
            Err(_) => {
                // The connection is mid-answer: it cannot be reused.
                conn = None;
                Err(Failure::Timeout)
            }
        };
        if warm {
            stats.warmup_sent += 1;
            if outcome.is_err() {
                stats.warmup_failed += 1;
            }
        } else {
            stats.sent += 1;
            last_done = Some(done);
        }
        match outcome {
            Ok(answer) => {
                if !warm {
                    stats.ok += 1;
                    let micros = |d: Duration| (d.as_micros() as u64).clamp(1, MAX_MICROS);
                    stats
                        .latency
                        .saturating_record(micros(done.saturating_duration_since(due)));
                    stats
                        .service
                        .saturating_record(micros(done.saturating_duration_since(sent)));
                }
                if let Some(values) = answer {
                    stats.captured.push((row, values));
                }
            }
            Err(f) => {
                if matches!(f, Failure::Connection(_)) {
                    conn = None;
                }
                if let (Failure::Capture(_) | Failure::Malformed(_), None) =
                    (&f, &stats.first_unreadable)
                {
                    stats.first_unreadable = Some(f.example(load.timeout));
                }
                if !warm {
                    let e = stats
                        .errors
                        .entry(f.class())
                        .or_insert_with(|| (0, f.example(load.timeout)));
                    e.0 += 1;
                }
                // A server that refuses connections answers at once; in the
                // closed loop, do not spin on it.
                if load.rate.is_none() && connects && matches!(f, Failure::Connection(_)) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }
    if let Some(mut c) = conn {
        if c.is_open() {
            load.pool.lock().expect("not poisoned").push(c);
        }
    }
    (stats, last_done)
}

/// Sends the request of `row` on `conn` (opening one if needed) and reads
/// its answer: a 2xx, with the captured values when capturing and the row
/// was not captured yet.
async fn exchange(
    load: &Load,
    conn: &mut Option<Conn>,
    row: usize,
) -> Result<Option<Vec<Value>>, Failure> {
    if conn.as_mut().is_none_or(|c| !c.is_open()) {
        *conn = Some(load.target.connect().await?);
    }
    let c = conn.as_mut().expect("connected");
    let (status, body) = c
        .send(load.target.request(load.bodies[row].clone()))
        .await?;
    if !(200..300).contains(&status) {
        let text = String::from_utf8_lossy(&body);
        return Err(Failure::Status(
            status,
            super::requests::excerpt(text.trim()),
        ));
    }
    let Some(paths) = &load.capture else {
        return Ok(None);
    };
    let excerpt = || super::requests::excerpt(String::from_utf8_lossy(&body).trim());
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| Failure::Malformed(format!("{e}: {}", excerpt())))?;
    let mut values = Vec::with_capacity(paths.len());
    for p in paths.iter() {
        match p.get(&v) {
            Some(x) => values.push(x.clone()),
            None => {
                return Err(Failure::Capture(format!(
                    "`{}` matched nothing in the answer {}",
                    p.text,
                    excerpt()
                )))
            }
        }
    }
    let claimed = load.claimed.as_ref().expect("capturing claims rows");
    let fresh = !claimed[row].swap(true, Ordering::Relaxed);
    Ok(fresh.then_some(values))
}
