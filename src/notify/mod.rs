//! Webhook alerts. When a run's verdict calls for it (`--notify-on`, a
//! suite's `notify: { on: … }`), the summary built by `message` is posted
//! to each Slack-compatible incoming webhook, with a timeout per attempt and
//! a bounded number of retries with exponential backoff. What happened is
//! recorded in the report and printed to stderr; it never changes the exit
//! code. Webhook URLs carry their secret in the path and query, so they are
//! shown only through [`redact`].

mod message;
pub mod webhook_url;

use std::collections::HashSet;
use std::io::Read;
use std::time::{Duration, Instant};

pub use crate::report::delivery::{Delivery, Outcome};
pub use message::{payload, Links};
pub use webhook_url::{check_url, redact};

use crate::cli::ReportArgs;
use crate::report::{Report, Verdict};
use crate::spec::{NotifyOn, Suite, DEFAULT_NOTIFY_TIMEOUT, DEFAULT_RETRIES};

/// The first retry waits this long; each next one twice as long.
const BACKOFF: Duration = Duration::from_millis(500);
/// No wait between attempts is longer, whatever `Retry-After` asks.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// A webhook and how to post to it.
#[derive(Debug, Clone)]
pub struct Hook {
    url: String,
    on: NotifyOn,
    timeout: Duration,
    retries: u32,
    report_url: Option<String>,
    /// Where it was declared: `--notify` or `suite.yml:LINE:COL`.
    from: String,
}

/// Every webhook of a run, and where the report will be.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    hooks: Vec<Hook>,
    files: Vec<String>,
    quiet: bool,
}

impl Plan {
    /// The `--notify` URLs (with `--notify-on`), then every suite's
    /// `notify:` entries; a URL listed twice is posted to once, as first
    /// declared. `Err` names a bad `--notify` URL, redacted.
    pub fn new(args: &ReportArgs, suites: &[Suite]) -> Result<Plan, String> {
        let mut hooks = Vec::new();
        for url in &args.notify {
            check_url(url).map_err(|e| format!("--notify: the URL {e}"))?;
            hooks.push(Hook {
                url: url.clone(),
                on: args.notify_on,
                timeout: DEFAULT_NOTIFY_TIMEOUT,
                retries: DEFAULT_RETRIES,
                report_url: args.notify_report_url.clone(),
                from: "--notify".into(),
            });
        }
        for s in suites {
            hooks.extend(s.notify.iter().map(|n| Hook {
                url: n.url.clone(),
                on: n.on,
                timeout: n.timeout,
                retries: n.retries,
                report_url: n.report_url.clone().or(args.notify_report_url.clone()),
                from: format!("{}:{}:{}", s.file, n.pos.line, n.pos.col),
            }));
        }
        let mut seen = HashSet::new();
        hooks.retain(|h| seen.insert(h.url.clone()));
        let files = [&args.html, &args.json, &args.markdown]
            .into_iter()
            .flatten()
            .map(|p| p.display().to_string())
            .collect();
        Ok(Plan {
            hooks,
            files,
            quiet: args.quiet,
        })
    }

    /// Posts to every webhook whose `on` the verdict calls for, records the
    /// outcomes in the report and prints them to stderr (failures always,
    /// deliveries unless `--quiet`). Blocking I/O runs off the async runtime.
    pub async fn deliver(self, mut report: Report) -> Report {
        if !self.hooks.iter().any(|h| due(h.on, report.verdict)) {
            return report;
        }
        tokio::task::spawn_blocking(move || {
            report.notifications = self.send(&report);
            for o in &report.notifications {
                print(o, self.quiet);
            }
            report
        })
        .await
        .expect("sending notifications does not panic")
    }

    fn send(&self, report: &Report) -> Vec<Outcome> {
        self.hooks
            .iter()
            .filter(|h| due(h.on, report.verdict))
            .map(|h| {
                let links = Links {
                    report_url: h.report_url.clone(),
                    files: self.files.clone(),
                };
                let body = payload(report, &links).to_string();
                post(h, body.as_bytes())
            })
            .collect()
    }
}

/// `fail`: the run did not pass (FAIL or ERROR); `warn`: also a pass with
/// failed warnings.
pub fn due(on: NotifyOn, verdict: Verdict) -> bool {
    match verdict {
        Verdict::Pass => false,
        Verdict::Warn => on == NotifyOn::Warn,
        Verdict::Fail | Verdict::Error => true,
    }
}

fn print(o: &Outcome, quiet: bool) {
    let attempts = match o.attempts {
        1 => "1 attempt".to_string(),
        n => format!("{n} attempts"),
    };
    match o.status {
        Delivery::Failed => crate::diag!(
            "warning: could not notify {} ({}) after {attempts}: {}; the exit code is unchanged",
            o.url,
            o.from,
            o.error.as_deref().unwrap_or("unknown error")
        ),
        Delivery::Delivered if !quiet => crate::diag!(
            "notified {} ({}, HTTP {})",
            o.url,
            o.from,
            o.http_status.unwrap_or(200)
        ),
        Delivery::Delivered => {}
    }
}

/// One attempt that did not deliver.
struct Failure {
    http_status: Option<u16>,
    why: String,
    retry: bool,
    retry_after: Option<Duration>,
}

/// Posts `body`, retrying timeouts, network errors, 408, 429 and 5xx.
fn post(h: &Hook, body: &[u8]) -> Outcome {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(h.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("verdict/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let started = Instant::now();
    let mut outcome = Outcome {
        url: redact(&h.url),
        from: h.from.clone(),
        on: h.on,
        status: Delivery::Failed,
        attempts: 0,
        http_status: None,
        error: None,
        seconds: 0.0,
    };
    loop {
        outcome.attempts += 1;
        let result = attempt(&agent, h, body);
        outcome.seconds = started.elapsed().as_secs_f64();
        match result {
            Ok(status) => {
                outcome.status = Delivery::Delivered;
                outcome.http_status = Some(status);
                outcome.error = None;
                return outcome;
            }
            Err(f) => {
                outcome.http_status = f.http_status;
                outcome.error = Some(f.why);
                if !f.retry || outcome.attempts > h.retries {
                    return outcome;
                }
                std::thread::sleep(backoff(outcome.attempts, f.retry_after));
            }
        }
    }
}

fn attempt(agent: &ureq::Agent, h: &Hook, body: &[u8]) -> Result<u16, Failure> {
    let sent = agent
        .post(&h.url)
        .header("Content-Type", "application/json")
        .send(body);
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => {
            return Err(Failure {
                http_status: None,
                why: describe(&e, h),
                retry: retryable(&e),
                retry_after: None,
            })
        }
    };
    let status = resp.status();
    let code = status.as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    // Slack answers `ok`, or a short reason such as `invalid_payload`.
    let mut answer = Vec::new();
    let _ = resp
        .body_mut()
        .as_reader()
        .take(200)
        .read_to_end(&mut answer);
    if status.is_success() {
        return Ok(code);
    }
    let answer = String::from_utf8_lossy(&answer);
    let answer = printable(&answer.split_whitespace().collect::<Vec<_>>().join(" "));
    let reason = status.canonical_reason().unwrap_or("");
    let mut why = format!("HTTP {code} {reason}").trim_end().to_string();
    if !answer.is_empty() {
        why = format!("{why}: {}", scrub(&answer, &h.url));
    }
    Err(Failure {
        http_status: Some(code),
        why,
        retry: code == 408 || code == 429 || status.is_server_error(),
        retry_after,
    })
}

/// Transient failures: the network, the receiver being slow or busy.
fn retryable(e: &ureq::Error) -> bool {
    use ureq::Error as E;
    matches!(
        e,
        E::Timeout(_) | E::Io(_) | E::ConnectionFailed | E::HostNotFound | E::Protocol(_)
    )
}

fn describe(e: &ureq::Error, h: &Hook) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {}", seconds(h.timeout)),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".into()
        }
        ureq::Error::Io(io) => scrub(&io.to_string(), &h.url),
        other => scrub(&other.to_string(), &h.url),
    }
}

fn seconds(d: Duration) -> String {
    let s = format!("{:.3}", d.as_secs_f64());
    format!("{} s", s.trim_end_matches('0').trim_end_matches('.'))
}

/// The wait before attempt `done + 1`: 0.5 s, 1 s, 2 s, … or what the
/// receiver's `Retry-After` asks if longer; never more than [`MAX_WAIT`].
fn backoff(done: u32, retry_after: Option<Duration>) -> Duration {
    let exp = BACKOFF.saturating_mul(1 << done.saturating_sub(1).min(16));
    exp.max(retry_after.unwrap_or_default()).min(MAX_WAIT)
}

/// Replaces the URL, and its secret part alone, wherever a message repeats it.
/// Text from a server as a terminal may show it: control characters (an
/// ANSI escape that would recolour or clear the screen) and bidirectional
/// overrides are written as escapes.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let hostile = c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c);
            let shown: Vec<char> = if hostile {
                c.escape_unicode().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}

fn scrub(msg: &str, url: &str) -> String {
    let mut out = msg.replace(url, &redact(url));
    if let Some((_, rest)) = url.split_once("://") {
        if let Some(i) = rest.find(['/', '?']) {
            let secret = &rest[i..];
            if secret.len() > 3 {
                out = out.replace(secret, "/***");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_only_scheme_host_and_port() {
        let cases = [
            (
                "https://hooks.slack.com/services/T000/B000/XXXX",
                "https://hooks.slack.com/***",
            ),
            (
                "http://127.0.0.1:8080/hook?token=abc",
                "http://127.0.0.1:8080/***",
            ),
            (
                "https://user:pa55@example.com/x",
                "https://***@example.com/***",
            ),
            ("https://example.com?key=s3cret", "https://example.com/***"),
            ("https://example.com/", "https://example.com/"),
            ("https://example.com", "https://example.com"),
            ("hooks.slack.com/services/T/B/X", "***"),
            ("", "***"),
        ];
        for (url, want) in cases {
            assert_eq!(redact(url), want, "{url}");
        }
    }

    #[test]
    fn messages_never_repeat_the_secret() {
        let url = "https://h.example/services/T0/B0/s3cret";
        assert_eq!(
            scrub(&format!("bad uri: {url}"), url),
            "bad uri: https://h.example/***"
        );
        assert_eq!(
            scrub("GET /services/T0/B0/s3cret failed", url),
            "GET /*** failed"
        );
    }

    #[test]
    fn urls_are_checked_without_showing_them() {
        assert_eq!(check_url("https://hooks.slack.com/services/T/B/X"), Ok(()));
        assert_eq!(check_url("http://127.0.0.1:9/h"), Ok(()));
        assert_eq!(check_url(" "), Err("is empty".into()));
        assert_eq!(
            check_url("ftp://x/secret"),
            Err("must start with http:// or https:// (found ftp://x/***)".into())
        );
        assert_eq!(
            check_url("https:///secret"),
            Err("is not a valid URL (https:///***)".into())
        );
        assert_eq!(
            check_url("https://h.example/a b"),
            Err("is not a valid URL (https://h.example/***)".into())
        );
    }

    #[test]
    fn backoff_doubles_honours_retry_after_and_is_capped() {
        let ms = |n| Duration::from_millis(n);
        assert_eq!(backoff(1, None), ms(500));
        assert_eq!(backoff(2, None), ms(1000));
        assert_eq!(backoff(3, None), ms(2000));
        assert_eq!(backoff(6, None), MAX_WAIT);
        assert_eq!(backoff(40, None), MAX_WAIT);
        assert_eq!(backoff(1, Some(ms(3000))), ms(3000));
        assert_eq!(backoff(1, Some(ms(600_000))), MAX_WAIT);
    }

    #[test]
    fn when_a_verdict_is_due() {
        use NotifyOn::{Fail, Warn};
        assert!(!due(Fail, Verdict::Pass) && !due(Warn, Verdict::Pass));
        assert!(!due(Fail, Verdict::Warn) && due(Warn, Verdict::Warn));
        assert!(due(Fail, Verdict::Fail) && due(Warn, Verdict::Fail));
        assert!(due(Fail, Verdict::Error) && due(Warn, Verdict::Error));
    }

    #[test]
    fn timeouts_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(10)), "10 s");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
        assert_eq!(seconds(Duration::from_millis(1250)), "1.25 s");
    }
}
