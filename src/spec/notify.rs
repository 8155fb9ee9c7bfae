//! The `notify:` section of a suite: webhooks to post the verdict to. One
//! URL (`notify: "${SLACK_WEBHOOK}"`), one mapping with options, or a list
//! of either. Validated like every other section — unknown keys and bad
//! values are positioned errors — and a URL is never echoed in a message,
//! since webhook URLs carry their secret in the path.

use std::time::Duration;

use super::diag::{suggest, Pos};
use super::parser::{get, Parser};
use super::yaml::{Kind, Node};

/// When a webhook is posted to. `--notify-on` takes the same words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyOn {
    /// The run did not pass: verdict FAIL or ERROR (any exit code but 0).
    Fail,
    /// As `fail`, and also when the run passed with failed warnings.
    Warn,
}

impl NotifyOn {
    pub const NAMES: [&'static str; 2] = ["fail", "warn"];

    pub fn keyword(self) -> &'static str {
        match self {
            NotifyOn::Fail => "fail",
            NotifyOn::Warn => "warn",
        }
    }
}

/// One webhook of a suite's `notify:` section.
#[derive(Debug, Clone, PartialEq)]
pub struct NotifySpec {
    /// The webhook URL, secret: show it only through `notify::redact`.
    pub url: String,
    pub on: NotifyOn,
    /// Per attempt: connecting, sending and reading the answer.
    pub timeout: Duration,
    /// Attempts after the first one, on a timeout, a network error, 429 or 5xx.
    pub retries: u32,
    /// Where a reader finds the report (a CI job or artifact URL).
    pub report_url: Option<String>,
    pub pos: Pos,
}

pub const DEFAULT_NOTIFY_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_RETRIES: u32 = 2;
/// More retries would only hold up the CI job: the backoff is capped.
pub const MAX_RETRIES: u32 = 5;

const NOTIFY_KEYS: [&str; 5] = ["url", "on", "timeout", "retries", "report_url"];
const URL_HELP: &str = "e.g. `url: \"${SLACK_WEBHOOK}\"` (an http:// or https:// URL)";

impl Parser {
    pub(super) fn notify(&mut self, n: &Node) -> Vec<NotifySpec> {
        match &n.kind {
            Kind::Seq(items) => items.iter().filter_map(|i| self.webhook(i)).collect(),
            _ => self.webhook(n).into_iter().collect(),
        }
    }

    /// A URL alone, or a mapping with `url` and options.
    fn webhook(&mut self, n: &Node) -> Option<NotifySpec> {
        let mut spec = NotifySpec {
            url: String::new(),
            on: NotifyOn::Fail,
            timeout: DEFAULT_NOTIFY_TIMEOUT,
            retries: DEFAULT_RETRIES,
            report_url: None,
            pos: n.pos,
        };
        let entries = match &n.kind {
            Kind::Str(_) => {
                spec.url = self.webhook_url(n)?;
                return Some(spec);
            }
            Kind::Map(entries) => entries,
            _ => {
                self.err_help(
                    n.pos,
                    format!(
                        "a `notify` entry must be a URL or a mapping with `url`, found {}",
                        n.describe()
                    ),
                    URL_HELP,
                );
                return None;
            }
        };
        self.known_keys(entries, &NOTIFY_KEYS, "`notify`");
        let mut ok = true;
        match get(entries, "url") {
            Some(u) => match self.webhook_url(u) {
                Some(url) => spec.url = url,
                None => ok = false,
            },
            None => {
                self.err_help(n.pos, "`notify` is missing required key `url`", URL_HELP);
                ok = false;
            }
        }
        if let Some(v) = get(entries, "on") {
            match self.notify_on(v) {
                Some(on) => spec.on = on,
                None => ok = false,
            }
        }
        if let Some(v) = get(entries, "timeout") {
            match self.notify_timeout(v) {
                Some(t) => spec.timeout = t,
                None => ok = false,
            }
        }
        if let Some(v) = get(entries, "retries") {
            match v.kind {
                Kind::Int(i) if (0..=i128::from(MAX_RETRIES)).contains(&i) => {
                    spec.retries = i as u32
                }
                _ => {
                    self.err_help(
                        v.pos,
                        format!(
                            "`retries` must be a whole number from 0 to {MAX_RETRIES}, found {}",
                            shown(v)
                        ),
                        "the number of attempts after the first one; default 2",
                    );
                    ok = false;
                }
            }
        }
        if let Some(v) = get(entries, "report_url") {
            match self.string(v, "`report_url`") {
                Some(s) => spec.report_url = Some(s),
                None => ok = false,
            }
        }
        ok.then_some(spec)
    }

    fn webhook_url(&mut self, n: &Node) -> Option<String> {
        let url = self.string(n, "the webhook `url`")?;
        match crate::notify::webhook_url::check_url(&url) {
            Ok(()) => Some(url),
            Err(why) => {
                self.err_help(n.pos, format!("the webhook `url` {why}"), URL_HELP);
                None
            }
        }
    }

    fn notify_on(&mut self, n: &Node) -> Option<NotifyOn> {
        let s = self.string(n, "`on`")?;
        match s.as_str() {
            "fail" => Some(NotifyOn::Fail),
            "warn" => Some(NotifyOn::Warn),
            _ => {
                self.err_help(
                    n.pos,
                    format!("`on` must be `fail` or `warn`; found `{s}`"),
                    suggest(&s, &NotifyOn::NAMES),
                );
                None
            }
        }
    }

    /// Seconds as a number, or `500ms`, `10s`, `1m`.
    fn notify_timeout(&mut self, n: &Node) -> Option<Duration> {
        let secs = match &n.kind {
            Kind::Int(i) => Some(*i as f64),
            Kind::Float(f) => Some(*f),
            Kind::Str(s) => {
                let s = s.trim();
                match s.strip_suffix("ms") {
                    Some(ms) => ms.trim().parse::<u64>().ok().map(|ms| ms as f64 / 1000.0),
                    None => super::time::parse_duration(s).map(|s| s as f64),
                }
            }
            _ => None,
        };
        match secs.filter(|s| *s > 0.0 && s.is_finite() && *s <= 3600.0) {
            Some(s) => Some(Duration::from_secs_f64(s)),
            None => {
                self.err_help(
                    n.pos,
                    format!(
                        "`timeout` must be a positive duration of at most 1h, found {}",
                        shown(n)
                    ),
                    "write seconds (`10`) or a duration (`500ms`, `10s`, `1m`)",
                );
                None
            }
        }
    }
}

/// A scalar as written, for messages; other nodes by their kind.
fn shown(n: &Node) -> String {
    match &n.kind {
        Kind::Str(s) => format!("`{s}`"),
        Kind::Int(_) | Kind::Float(_) | Kind::Bool(_) => format!("`{}`", n.key_text()),
        _ => n.describe().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse::parse_str;

    const HEAD: &str = "version: 1\nsources: { t: { path: t.parquet } }\nchecks: { t: { table: [row_count: { min: 1 }] } }\n";

    fn parse(notify: &str) -> Result<Vec<NotifySpec>, Vec<String>> {
        parse_str("s.yml", &format!("{HEAD}{notify}"))
            .map(|s| s.notify)
            .map_err(|e| {
                e.diags
                    .iter()
                    .map(|d| format!("{}:{} {}", d.pos.line, d.pos.col, d.message))
                    .collect()
            })
    }

    #[test]
    fn forms_and_defaults() {
        let one = parse("notify: https://hooks.example/services/T/B/x\n").unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].url, "https://hooks.example/services/T/B/x");
        assert_eq!(one[0].on, NotifyOn::Fail);
        assert_eq!(one[0].timeout, DEFAULT_NOTIFY_TIMEOUT);
        assert_eq!(one[0].retries, DEFAULT_RETRIES);
        let full = parse(
            "notify:\n  - { url: \"http://127.0.0.1:9/h\", on: warn, timeout: 500ms, retries: 0, report_url: \"https://ci/1\" }\n  - http://b.example/h\n",
        )
        .unwrap();
        assert_eq!(full.len(), 2);
        assert_eq!(full[0].on, NotifyOn::Warn);
        assert_eq!(full[0].timeout, Duration::from_millis(500));
        assert_eq!(full[0].retries, 0);
        assert_eq!(full[0].report_url.as_deref(), Some("https://ci/1"));
        assert_eq!(full[1].url, "http://b.example/h");
        assert_eq!(
            parse("notify: { url: http://a/h, timeout: 2 }\n").unwrap()[0]
                .timeout
                .as_secs(),
            2
        );
        assert!(parse("notify: []\n").unwrap().is_empty());
    }

    #[test]
    fn mistakes_are_positioned() {
        assert_eq!(
            parse("notify: { url: http://a/h, on: always, retry: 3 }\n").unwrap_err(),
            [
                "4:32 `on` must be `fail` or `warn`; found `always`",
                "4:40 unknown key `retry` in `notify`"
            ]
        );
        assert_eq!(
            parse("notify: { on: warn, retries: 9, timeout: 0 }\n").unwrap_err(),
            [
                "4:9 `notify` is missing required key `url`",
                "4:30 `retries` must be a whole number from 0 to 5, found `9`",
                "4:42 `timeout` must be a positive duration of at most 1h, found `0`"
            ]
        );
        assert_eq!(
            parse("notify: [ftp://a/secret, 3]\n").unwrap_err(),
            [
                "4:10 the webhook `url` must start with http:// or https:// (found ftp://a/***)",
                "4:26 a `notify` entry must be a URL or a mapping with `url`, found an integer"
            ]
        );
    }
}
