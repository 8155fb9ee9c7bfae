//! Time bounds for date and timestamp metrics: `now`, `now - 2d`,
//! `now + 90m`, an ISO date (`2026-01-01`, midnight UTC) or an RFC 3339
//! instant. `now` is fixed once per run (or by `--now`) so every check of a
//! run sees the same instant and a run can be replayed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// A time bound as written; resolved to nanoseconds since the epoch (UTC).
#[derive(Debug, Clone, PartialEq)]
pub enum TimeExpr {
    /// `now` shifted by this many seconds.
    Now {
        offset_secs: i64,
        text: String,
    },
    Instant {
        nanos: i64,
        text: String,
    },
}

impl TimeExpr {
    pub fn parse(s: &str) -> Option<TimeExpr> {
        let t = s.trim();
        if let Some(rest) = t.strip_prefix("now") {
            let rest = rest.trim();
            let offset_secs = if rest.is_empty() {
                0
            } else {
                let (sign, amount) = match rest.as_bytes()[0] {
                    b'-' => (-1, rest[1..].trim()),
                    b'+' => (1, rest[1..].trim()),
                    _ => return None,
                };
                sign * parse_duration(amount)?
            };
            return Some(TimeExpr::Now {
                offset_secs,
                text: t.to_string(),
            });
        }
        let nanos = parse_instant(t)?;
        Some(TimeExpr::Instant {
            nanos,
            text: t.to_string(),
        })
    }

    /// Nanoseconds since the epoch, given the run's `now`.
    pub fn resolve(&self, now: DateTime<Utc>) -> i64 {
        match self {
            TimeExpr::Now { offset_secs, .. } => {
                let base = now.timestamp_nanos_opt().unwrap_or(i64::MAX);
                base.saturating_add(offset_secs.saturating_mul(1_000_000_000))
            }
            TimeExpr::Instant { nanos, .. } => *nanos,
        }
    }

    pub fn text(&self) -> &str {
        match self {
            TimeExpr::Now { text, .. } | TimeExpr::Instant { text, .. } => text,
        }
    }
}

/// `2d`, `36h`, `90m`, `30s`, `1w` (also `min`, `day`/`days`, `hour(s)`).
pub(super) fn parse_duration(s: &str) -> Option<i64> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    let n: i64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// An RFC 3339 instant, a naive date-time (taken as UTC), or a date.
pub fn parse_instant(t: &str) -> Option<i64> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return dt.timestamp_nanos_opt();
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return dt.and_utc().timestamp_nanos_opt();
        }
    }
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_nanos_opt()
}

/// Nanoseconds since the epoch as an RFC 3339 UTC string.
pub fn format_nanos(n: i64) -> String {
    let dt = DateTime::<Utc>::from_timestamp_nanos(n);
    if n % 1_000_000_000 == 0 {
        dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let r = |s: &str| TimeExpr::parse(s).map(|t| format_nanos(t.resolve(now)));
        assert_eq!(r("now").as_deref(), Some("2026-11-25T12:00:00Z"));
        assert_eq!(r("now - 2d").as_deref(), Some("2026-11-23T12:00:00Z"));
        assert_eq!(r("now-36h").as_deref(), Some("2026-11-24T00:00:00Z"));
        assert_eq!(r("now + 90m").as_deref(), Some("2026-11-25T13:30:00Z"));
        assert_eq!(r("2026-01-01").as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(
            r("2026-01-01T10:00:00+02:00").as_deref(),
            Some("2026-01-01T08:00:00Z")
        );
        assert_eq!(
            r("2026-01-01 10:00:00").as_deref(),
            Some("2026-01-01T10:00:00Z")
        );
        assert_eq!(r("now - 2 fortnights"), None);
        assert_eq!(r("abc"), None);
        assert_eq!(r("nowish"), None);
    }
}
