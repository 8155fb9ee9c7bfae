//! Time bounds for date and timestamp metrics: `now`, `now - 2d`,
//! `now + 90m`, an ISO date (`2026-01-01`, midnight UTC) or an RFC 3339
//! instant. `now` is fixed once per run (or by `--now`) so every check of a
//! run sees the same instant and a run can be replayed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// A time bound as written; resolved to nanoseconds since the epoch (UTC),
/// held in an i128 so every date chrono knows (years −262143 to 262142)
/// fits: an i64 of nanoseconds ends in 2262.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeExpr {
    /// `now` shifted by this many seconds.
    Now {
        offset_secs: i64,
        text: String,
    },
    Instant {
        nanos: i128,
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
    pub fn resolve(&self, now: DateTime<Utc>) -> i128 {
        match self {
            TimeExpr::Now { offset_secs, .. } => {
                instant_nanos(&now) + i128::from(*offset_secs) * NANOS_PER_SECOND
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

pub const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Nanoseconds since the epoch of an instant, exactly.
pub fn instant_nanos<Tz: chrono::TimeZone>(t: &DateTime<Tz>) -> i128 {
    i128::from(t.timestamp()) * NANOS_PER_SECOND + i128::from(t.timestamp_subsec_nanos())
}

/// An RFC 3339 instant, a naive date-time (taken as UTC), or a date, with
/// a four-digit year (`26-01-01` is a typo, not the year 26).
pub fn parse_instant(t: &str) -> Option<i128> {
    let b = t.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(instant_nanos(&dt));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(instant_nanos(&dt.and_utc()));
        }
    }
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    Some(instant_nanos(&d.and_hms_opt(0, 0, 0)?.and_utc()))
}

/// Nanoseconds since the epoch as an RFC 3339 UTC string; an instant past
/// the years chrono knows is shown as its count of seconds.
pub fn format_nanos(n: i128) -> String {
    let (secs, sub) = (
        n.div_euclid(NANOS_PER_SECOND),
        n.rem_euclid(NANOS_PER_SECOND),
    );
    let dt = i64::try_from(secs)
        .ok()
        .and_then(|s| DateTime::<Utc>::from_timestamp(s, sub as u32));
    match dt {
        Some(dt) if sub == 0 => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        None => format!("{secs} s after 1970-01-01T00:00:00Z"),
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
        assert_eq!(r("9999-12-31").as_deref(), Some("9999-12-31T00:00:00Z"));
        assert_eq!(
            r("1600-01-01T00:00:00.5Z").as_deref(),
            Some("1600-01-01T00:00:00.500Z")
        );
        assert_eq!(r("now - 2 fortnights"), None);
        assert_eq!(r("abc"), None);
        assert_eq!(r("nowish"), None);
    }
}
