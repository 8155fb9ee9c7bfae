//! The load test of both models' endpoints (`bench: { endpoint: … }`):
//! requests from the golden rows, sent to both endpoints interleaved (or
//! in alternating rounds) at a fixed arrival rate or as fast as the
//! connections go; per endpoint the throughput, latency percentiles from
//! an HDR histogram and failures by class; the answers captured as the
//! predictions the diff compares; gates on the candidate.

mod capture;
mod client;
mod load;
mod requests;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::check::{CheckResult, Status};
use crate::metric::Value;
use crate::report::format::{count, fmt_float, millis, ms};
use crate::spec::{EndpointSpec, Length, LoadOrder, Severity};
use client::Target;
use load::{Block, Load, Stats};

#[derive(Debug, Clone, Serialize)]
pub struct EndpointReport {
    /// The file the requests came from, and how many distinct requests.
    pub requests_from: String,
    pub rows: usize,
    /// Requests per second per endpoint; None: closed loop.
    pub rate: Option<f64>,
    pub concurrency: usize,
    /// `interleaved` or `alternate`.
    pub order: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// Measured requests per endpoint, when a count was set (or implied).
    pub requests: Option<usize>,
    pub duration_seconds: Option<f64>,
    /// Warm-up requests per endpoint, sent first and not measured.
    pub warmup: usize,
    pub timeout_seconds: f64,
    pub baseline: EndpointStats,
    pub candidate: EndpointStats,
    /// Candidate p99 latency over the baseline's.
    pub p99_ratio: Option<f64>,
    /// Candidate throughput over the baseline's.
    pub throughput_ratio: Option<f64>,
    /// CPU seconds (user + system) verdict spent while the load ran.
    pub generator_cpu_seconds: f64,
    pub error: Option<String>,
    pub gates: Vec<CheckResult>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointStats {
    pub url: String,
    /// Measured requests sent, answered with 2xx, and failed.
    pub sent: u64,
    pub ok: u64,
    pub failed: u64,
    pub error_rate: Option<f64>,
    /// Failures by class (`timeout`, `connection`, `HTTP 503`, `malformed
    /// JSON`, `capture`), most frequent first.
    pub errors: Vec<ErrorClass>,
    /// From the first measured request being due to the last answer.
    pub seconds: f64,
    /// 2xx answers per second.
    pub throughput: Option<f64>,
    /// From when each request was due (includes waiting for a connection).
    pub latency_ms: Option<Latency>,
    /// From when each request was sent.
    pub service_ms: Option<Latency>,
    /// Latency at quantiles 0.5 … 1, for the percentile chart.
    pub curve: Vec<(f64, f64)>,
    pub warmup_sent: u64,
    pub warmup_failed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captured: Option<Captured>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorClass {
    pub class: String,
    pub count: u64,
    pub example: String,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

impl Latency {
    /// The value at a percentile key of [`PERCENTILES`].
    pub fn at(&self, key: &str) -> f64 {
        match key {
            "p50" => self.p50,
            "p90" => self.p90,
            "p95" => self.p95,
            "p99" => self.p99,
            _ => self.p999,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Captured {
    /// Rows with an answer, of the rows sent.
    pub rows: usize,
    pub of: usize,
    pub output: String,
}

impl EndpointReport {
    /// How the load was sent, in one line.
    pub fn facts(&self) -> String {
        let how_many = match (self.requests, self.duration_seconds) {
            (Some(n), _) => format!("{} per endpoint", count(n, "request")),
            (None, Some(d)) => format!("{} per endpoint", millis(d)),
            (None, None) => "requests".into(),
        };
        let mode = match self.rate {
            Some(r) => format!("open loop at {} req/s", fmt_float(r)),
            None => "closed loop".into(),
        };
        let order = match self.rounds {
            Some(r) => format!("alternating in {}", count(r, "round")),
            None => "interleaved".into(),
        };
        format!(
            "{how_many} from {} ({}), {mode}, {} each, {order}; {} first; timeout {} per request",
            self.requests_from,
            count(self.rows, "distinct request"),
            count(self.concurrency, "connection"),
            count(self.warmup, "warm-up request"),
            millis(self.timeout_seconds)
        )
    }

    /// The table of both endpoints: header and rows (latency from when
    /// each request was due).
    pub fn table(&self) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let header = vec![
            "endpoint",
            "sent",
            "failed",
            "answers/s",
            "p50",
            "p90",
            "p95",
            "p99",
            "p99.9",
            "max",
            "url",
        ];
        let rows = [("baseline", &self.baseline), ("candidate", &self.candidate)]
            .iter()
            .map(|(name, e)| {
                let l = |f: fn(&Latency) -> f64| {
                    e.latency_ms.as_ref().map_or("—".into(), |l| ms(f(l)))
                };
                vec![
                    name.to_string(),
                    e.sent.to_string(),
                    match e.error_rate {
                        Some(r) if e.failed > 0 => format!("{} ({})", e.failed, percent(r)),
                        _ => e.failed.to_string(),
                    },
                    e.throughput.map_or("—".into(), |t| fmt_float(round1(t))),
                    l(|l| l.p50),
                    l(|l| l.p90),
                    l(|l| l.p95),
                    l(|l| l.p99),
                    l(|l| l.p999),
                    l(|l| l.max),
                    crate::database::dburl::redact(&e.url),
                ]
            })
            .collect();
        (header, rows)
    }

    /// `candidate vs baseline: 1.82× the p99 latency, 0.99× the throughput`.
    pub fn comparison(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(p) = self.p99_ratio {
            parts.push(format!("{}× the p99 latency", fmt_float(round3(p))));
        }
        if let Some(t) = self.throughput_ratio {
            parts.push(format!("{}× the throughput", fmt_float(round3(t))));
        }
        (!parts.is_empty()).then(|| format!("candidate vs baseline: {}", parts.join(", ")))
    }

    /// Per endpoint with failures: each class, its count and an example.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, e) in [("baseline", &self.baseline), ("candidate", &self.candidate)] {
            if e.errors.is_empty() && e.warmup_failed == 0 {
                continue;
            }
            let mut classes: Vec<String> = e
                .errors
                .iter()
                .map(|c| format!("{} {} ({})", c.count, c.class, c.example))
                .collect();
            if e.warmup_failed > 0 {
                classes.push(format!("{} of the warm-up", e.warmup_failed));
            }
            out.push(format!("{name} failures: {}", classes.join("; ")));
        }
        out
    }

    /// Where each endpoint's captured answers went.
    pub fn captures(&self) -> Vec<String> {
        [("baseline", &self.baseline), ("candidate", &self.candidate)]
            .iter()
            .filter_map(|(name, e)| {
                e.captured.as_ref().map(|c| {
                    format!(
                        "{name} answers captured for {} of {} rows → {}",
                        c.rows, c.of, c.output
                    )
                })
            })
            .collect()
    }

    /// The remarks after the table, in the order every format shows them:
    /// the comparison, failures by class, captures, the generator's cost.
    pub fn remarks(&self) -> Vec<String> {
        self.comparison()
            .into_iter()
            .chain(self.failures())
            .chain(self.captures())
            .chain(self.cost())
            .collect()
    }

    /// What sending the load cost verdict itself.
    pub fn cost(&self) -> Option<String> {
        let n = self.baseline.sent
            + self.candidate.sent
            + self.baseline.warmup_sent
            + self.candidate.warmup_sent;
        (n > 0).then(|| {
            format!(
                "verdict used {} of CPU to send {} ({} each)",
                millis(self.generator_cpu_seconds),
                count(n as usize, "request"),
                ms(self.generator_cpu_seconds * 1000.0 / n as f64)
            )
        })
    }
}

fn percent(x: f64) -> String {
    format!("{}%", fmt_float((x * 1000.0).round() / 10.0))
}

/// The quantiles of the percentile chart.
const CURVE: [f64; 10] = [
    0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 1.0,
];

/// A progress line per stretch of load.
pub async fn run(spec: &EndpointSpec, progress: &crate::progress::Progress) -> EndpointReport {
    let started = Instant::now();
    let warmup_of = |l: Length| match l {
        Length::Requests(n) => n,
        Length::Duration(d) => (d.as_secs_f64() * spec.rate.unwrap_or(0.0)).ceil() as usize,
    };
    let warmup = warmup_of(spec.warmup);
    let mut report = EndpointReport {
        requests_from: spec.requests.path().to_string(),
        rows: 0,
        rate: spec.rate,
        concurrency: spec.concurrency,
        order: match spec.order {
            LoadOrder::Interleaved => "interleaved",
            LoadOrder::Alternate { .. } => "alternate",
        },
        rounds: match spec.order {
            LoadOrder::Alternate { rounds } => Some(rounds),
            LoadOrder::Interleaved => None,
        },
        requests: None,
        duration_seconds: match spec.length {
            Some(Length::Duration(d)) => Some(d.as_secs_f64()),
            _ => None,
        },
        warmup,
        timeout_seconds: spec.timeout.as_secs_f64(),
        baseline: empty(&spec.baseline),
        candidate: empty(&spec.candidate),
        p99_ratio: None,
        throughput_ratio: None,
        generator_cpu_seconds: 0.0,
        error: None,
        gates: Vec::new(),
        seconds: 0.0,
    };
    let outcome = load_test(spec, warmup, progress, &mut report).await;
    if let Err(e) = outcome {
        report.error = Some(e);
    }
    report.gates = gates(spec, &report);
    report.seconds = started.elapsed().as_secs_f64();
    report
}

fn empty(url: &str) -> EndpointStats {
    EndpointStats {
        url: url.to_string(),
        sent: 0,
        ok: 0,
        failed: 0,
        error_rate: None,
        errors: Vec::new(),
        seconds: 0.0,
        throughput: None,
        latency_ms: None,
        service_ms: None,
        curve: Vec::new(),
        warmup_sent: 0,
        warmup_failed: 0,
        captured: None,
    }
}

async fn load_test(
    spec: &EndpointSpec,
    warmup: usize,
    progress: &crate::progress::Progress,
    report: &mut EndpointReport,
) -> Result<(), String> {
    progress.step("bench: reading the requests".to_string());
    let measured = match spec.length {
        Some(Length::Requests(n)) => Some(n),
        Some(Length::Duration(d)) => spec
            .rate
            .map(|r| ((d.as_secs_f64() * r).ceil() as usize).max(1)),
        None => None,
    };
    // Rows past the last request are never sent.
    let limit = measured.map(|n| n + warmup);
    let prepared = requests::prepare(&spec.requests, spec.capture.as_ref(), limit).await?;
    report.rows = prepared.rows;
    // Without `requests` or `duration`: each row once.
    let measured = match spec.length {
        None => Some(prepared.rows),
        _ => measured,
    };
    report.requests = measured;
    let mut targets = Vec::new();
    for (side, url) in [("baseline", &spec.baseline), ("candidate", &spec.candidate)] {
        let shown = crate::database::dburl::redact(url);
        let t = tokio::time::timeout(
            spec.timeout,
            Target::resolve(url, &spec.headers, spec.ca_file.as_deref()),
        )
        .await
        .unwrap_or_else(|_| Err("its host was not resolved within the timeout".into()))
        .map_err(|e| format!("the {side} endpoint {shown}: {e}"))?;
        // An endpoint that is down is a broken bench, not a slow model.
        progress.step(format!("bench: connecting to the {side} endpoint"));
        match tokio::time::timeout(spec.timeout, t.connect()).await {
            Ok(Ok(_)) => {}
            Ok(Err(f)) => {
                return Err(format!(
                    "the {side} endpoint {shown} is down: {}",
                    f.example(spec.timeout)
                ))
            }
            Err(_) => {
                return Err(format!(
                    "the {side} endpoint {shown} is down: no connection within {}",
                    crate::report::format::millis(spec.timeout.as_secs_f64())
                ))
            }
        }
        targets.push(Arc::new(t));
    }
    let bodies = Arc::new(prepared.bodies);
    let rows = bodies.len();
    let paths = spec
        .capture
        .as_ref()
        .map(|c| Arc::new(c.fields.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>()));
    let loads: Vec<Load> = targets
        .iter()
        .map(|t| Load {
            target: t.clone(),
            bodies: bodies.clone(),
            capture: paths.clone(),
            claimed: paths
                .as_ref()
                .map(|_| Arc::new((0..rows).map(|_| AtomicBool::new(false)).collect())),
            concurrency: spec.concurrency,
            rate: spec.rate,
            timeout: spec.timeout,
            pool: Arc::default(),
        })
        .collect();
    let duration = match spec.length {
        Some(Length::Duration(d)) if spec.rate.is_none() => Some(d),
        _ => None,
    };
    let cpu = cpu_seconds();
    let mut stats = [Stats::new(), Stats::new()];
    let what = match spec.rate {
        Some(r) => format!("{} req/s", fmt_float(r)),
        None => format!("{} connections", spec.concurrency),
    };
    // The first request is due a moment from now, once every worker is up.
    let lead = Duration::from_millis(20);
    match spec.order {
        LoadOrder::Interleaved => {
            progress.step(format!(
                "bench: load on both endpoints, interleaved, {what} each"
            ));
            let start = Instant::now() + lead;
            // The candidate's requests fall halfway between the baseline's.
            let half = spec
                .rate
                .map_or(Duration::ZERO, |r| Duration::from_secs_f64(0.5 / r));
            let block = |start| Block {
                first: 0,
                warmup,
                measured,
                duration,
                start,
            };
            let (b, c) = tokio::join!(
                load::run(&loads[0], block(start)),
                load::run(&loads[1], block(start + half))
            );
            stats = [b, c];
        }
        LoadOrder::Alternate { rounds } => {
            // Each round goes on from the row the last one stopped at.
            let mut first = 0;
            for round in 0..rounds {
                let warm = if round == 0 { warmup } else { 0 };
                // Requests split evenly over the rounds, the rest in the last.
                let share = measured.map(|n| n / rounds + usize::from(round < n % rounds));
                let mut taken = 0;
                for (i, side) in ["baseline", "candidate"].iter().enumerate() {
                    progress.step(format!(
                        "bench: {side} endpoint, round {} of {rounds}, {what}",
                        round + 1
                    ));
                    let s = load::run(
                        &loads[i],
                        Block {
                            first,
                            warmup: warm,
                            measured: share,
                            duration: duration.map(|d| d / rounds as u32),
                            start: Instant::now() + lead,
                        },
                    )
                    .await;
                    taken = taken.max((s.sent + s.warmup_sent) as usize);
                    stats[i].merge(s);
                }
                first += taken;
            }
        }
    }
    report.generator_cpu_seconds = cpu_seconds() - cpu;
    let [mut b, mut c] = stats;
    let mut outcome = Ok(());
    for (i, s) in [&mut b, &mut c].into_iter().enumerate() {
        let side = ["baseline", "candidate"][i];
        let out = &mut [&mut report.baseline, &mut report.candidate][i];
        summarise(out, s);
        let (Some(cap), Some(path)) = (
            &spec.capture,
            [&spec.baseline_output, &spec.candidate_output][i],
        ) else {
            continue;
        };
        let answered = s.ok
            + s.errors.get("capture").map_or(0, |e| e.0)
            + s.errors.get("malformed JSON").map_or(0, |e| e.0);
        if s.captured.is_empty() && answered > 0 {
            outcome = outcome.and(Err(format!(
                "no answer of the {side} endpoint could be captured: {}",
                s.first_unreadable.as_deref().unwrap_or("(none)")
            )));
            continue;
        }
        let names: Vec<String> = cap.fields.iter().map(|(n, _)| n.clone()).collect();
        let key_type = prepared.key_type.as_ref();
        let written = capture::write(
            path,
            (&cap.key, key_type),
            &prepared.keys,
            &names,
            &mut s.captured,
        )?;
        out.captured = Some(Captured {
            rows: written,
            of: rows.min((s.sent + s.warmup_sent) as usize),
            output: path.clone(),
        });
    }
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) if y > 0.0 => Some(x / y),
        _ => None,
    };
    report.p99_ratio = ratio(
        report.candidate.latency_ms.map(|l| l.p99),
        report.baseline.latency_ms.map(|l| l.p99),
    );
    report.throughput_ratio = ratio(report.candidate.throughput, report.baseline.throughput);
    outcome
}

fn summarise(out: &mut EndpointStats, s: &Stats) {
    out.sent = s.sent;
    out.ok = s.ok;
    out.failed = s.sent - s.ok;
    out.error_rate = (s.sent > 0).then(|| out.failed as f64 / s.sent as f64);
    let mut errors: Vec<ErrorClass> = s
        .errors
        .iter()
        .map(|(k, (n, ex))| ErrorClass {
            class: k.clone(),
            count: *n,
            example: ex.clone(),
        })
        .collect();
    errors.sort_by(|a, b| b.count.cmp(&a.count).then(a.class.cmp(&b.class)));
    out.errors = errors;
    out.seconds = s.seconds;
    out.throughput = (s.seconds > 0.0).then(|| s.ok as f64 / s.seconds);
    let latency = |h: &hdrhistogram::Histogram<u64>| {
        (!h.is_empty()).then(|| {
            let at = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
            Latency {
                p50: at(0.5),
                p90: at(0.9),
                p95: at(0.95),
                p99: at(0.99),
                p999: at(0.999),
                max: h.max() as f64 / 1000.0,
                mean: h.mean() / 1000.0,
            }
        })
    };
    out.latency_ms = latency(&s.latency);
    out.service_ms = latency(&s.service);
    if !s.latency.is_empty() {
        out.curve = CURVE
            .iter()
            .map(|q| (*q, s.latency.value_at_quantile(*q) as f64 / 1000.0))
            .collect();
    }
    out.warmup_sent = s.warmup_sent;
    out.warmup_failed = s.warmup_failed;
}

/// CPU seconds this process has used, user and system.
fn cpu_seconds() -> f64 {
    // SAFETY: rusage is plain data, filled by the kernel.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to our own struct.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return 0.0;
    }
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn gates(spec: &EndpointSpec, r: &EndpointReport) -> Vec<CheckResult> {
    let g = &spec.gates;
    let sev = g.severity;
    if let Some(e) = &r.error {
        let headline = e.lines().next().unwrap_or(e);
        return vec![CheckResult::named(
            "bench",
            "bench",
            None,
            Severity::Error,
            "both endpoints to answer",
        )
        .error(headline.to_string())];
    }
    let c = &r.candidate;
    // A candidate that answered none of the requests it was sent fails
    // every gate on its answers; one that was sent none cannot be judged.
    let unanswered = |r0: CheckResult| match c.sent {
        0 => r0.error("the candidate was sent no measured request"),
        n => r0.judged(
            Status::Fail,
            Some(format!(
                "none of the candidate's {} was answered with 2xx",
                count(n as usize, "measured request")
            )),
        ),
    };
    let mut out = Vec::new();
    for (key, _, limit) in &g.latency {
        let name = format!("{key}_ms");
        let r0 = CheckResult::named(
            format!("bench.{name}"),
            "latency",
            None,
            sev,
            format!("≤ {}", ms(*limit)),
        );
        out.push(match c.latency_ms {
            None => unanswered(r0),
            Some(l) => {
                let x = l.at(key);
                let r0 = r0.observed(
                    Some(Value::Float(x)),
                    format!("{} ({key} of {})", ms(x), count(c.ok as usize, "answer")),
                );
                if x > *limit {
                    r0.judged(Status::Fail, None)
                } else {
                    r0
                }
            }
        });
    }
    if let Some(limit) = g.max_error_rate {
        let r0 = CheckResult::named(
            "bench.max_error_rate",
            "max_error_rate",
            None,
            sev,
            format!("≤ {}", fmt_float(limit)),
        );
        out.push(match c.error_rate {
            None => r0.error("the candidate was sent no measured request"),
            Some(x) => {
                let by: Vec<String> = c
                    .errors
                    .iter()
                    .map(|e| format!("{} {}", e.count, e.class))
                    .collect();
                let text = match by.is_empty() {
                    true => format!("{} (0 of {} failed)", fmt_float(x), c.sent),
                    false => format!(
                        "{} ({} of {} failed: {})",
                        fmt_float(x),
                        c.failed,
                        c.sent,
                        by.join(", ")
                    ),
                };
                let r0 = r0.observed(Some(Value::Float(x)), text);
                if x > limit {
                    r0.judged(Status::Fail, None)
                } else {
                    r0
                }
            }
        });
    }
    for (key, _, limit) in &g.max_slowdown {
        let r0 = CheckResult::named(
            format!("bench.max_slowdown.{key}"),
            "max_slowdown",
            None,
            sev,
            format!("≤ {}×", fmt_float(*limit)),
        );
        out.push(match (r.baseline.latency_ms, c.latency_ms) {
            (Some(b), Some(cl)) => {
                let x = cl.at(key) / b.at(key);
                let r0 = r0.observed(
                    Some(Value::Float(x)),
                    format!("{}× ({key} {} vs {})", fmt_float(round3(x)), ms(cl.at(key)), ms(b.at(key))),
                );
                if x > *limit {
                    r0.judged(Status::Fail, None)
                } else {
                    r0
                }
            }
            (None, _) => r0.error("the baseline answered no measured request with 2xx; there is nothing to compare with"),
            (_, None) => unanswered(r0),
        });
    }
    if let Some(limit) = g.max_throughput_drop {
        let r0 = CheckResult::named(
            "bench.max_slowdown.throughput",
            "max_slowdown",
            None,
            sev,
            format!("≤ {}×", fmt_float(limit)),
        );
        out.push(match (r.baseline.throughput, c.throughput) {
            (Some(b), Some(x)) if x > 0.0 => {
                let s = b / x;
                let r0 = r0.observed(
                    Some(Value::Float(s)),
                    format!(
                        "{}× (throughput {} vs {} answers/s)",
                        fmt_float(round3(s)),
                        fmt_float(round1(x)),
                        fmt_float(round1(b))
                    ),
                );
                if s > limit {
                    r0.judged(Status::Fail, None)
                } else {
                    r0
                }
            }
            (None, _) => r0.error(
                "the baseline answered no measured request; there is no throughput to compare with",
            ),
            _ => unanswered(r0),
        });
    }
    if let Some(limit) = g.min_throughput {
        let r0 = CheckResult::named(
            "bench.min_throughput",
            "min_throughput",
            None,
            sev,
            format!("≥ {} answers/s", fmt_float(limit)),
        );
        let x = c.throughput.unwrap_or(0.0);
        let r0 = r0.observed(
            Some(Value::Float(x)),
            format!("{} answers/s", fmt_float(round1(x))),
        );
        out.push(if x < limit {
            r0.judged(Status::Fail, None)
        } else {
            r0
        });
    }
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
