//! The message a webhook receives: a Slack incoming-webhook payload whose
//! `text` is plain text (what generic receivers and Slack's notifications
//! show) and whose `blocks` say the same in Slack mrkdwn. Pure: built from
//! the `Report` and where the report can be found, so it is unit-tested
//! with literal reports and its bytes are the same for the same run.

use serde_json::{json, Value};

use crate::check::{CheckResult, Status};
use crate::report::part::rank_of;
use crate::report::{rank, Report, Section};
use crate::spec::Severity;

/// Checks listed by name; the rest are counted.
const MAX_ITEMS: usize = 10;
/// Longest detail kept from a check's observed text or reason.
const MAX_DETAIL: usize = 160;
/// Slack rejects a section block whose text is longer than 3000 characters.
const MAX_SECTION: usize = 2900;

/// Where a reader finds the full report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Links {
    /// A URL given by `report_url:` or `--notify-report-url`.
    pub report_url: Option<String>,
    /// The report files this run writes (HTML, JSON, Markdown), as given.
    pub files: Vec<String>,
}

/// One line of the message: a check (or source) that did not pass.
struct Item {
    label: &'static str,
    /// Where the check belongs: its source, `diff a → b` or `bench`.
    place: String,
    name: String,
    detail: String,
}

/// The JSON body posted to the webhook.
pub fn payload(r: &Report, links: &Links) -> Value {
    let items = items(r);
    let (title, counts) = (title(r), counts(r));
    let mut text = format!("{title}\n{counts}");
    let mut list = String::new();
    let mut shown = 0;
    for it in &items {
        let line = format!(
            "• *{}* {}: `{}` — {}",
            it.label,
            mrkdwn(&it.place),
            it.name.replace('`', "'"),
            mrkdwn(&it.detail)
        );
        if shown == MAX_ITEMS || list.len() + line.len() > MAX_SECTION {
            break;
        }
        list.push_str(&line);
        list.push('\n');
        text.push_str(&format!(
            "\n• {} {}: {} — {}",
            it.label, it.place, it.name, it.detail
        ));
        shown += 1;
    }
    if shown < items.len() {
        let more = format!("… and {} more in the report", items.len() - shown);
        text.push('\n');
        text.push_str(&more);
        list.push_str(&more);
    }
    let mut blocks = vec![section(&format!(
        "*{}*\n{}",
        mrkdwn(&title),
        mrkdwn(&counts)
    ))];
    if !list.is_empty() {
        blocks.push(section(list.trim_end()));
    }
    if let Some(footer) = footer(links) {
        text.push('\n');
        text.push_str(&footer);
        blocks.push(json!({
            "type": "context",
            "elements": [{ "type": "mrkdwn", "text": mrkdwn(&footer) }],
        }));
    }
    json!({ "text": text, "blocks": blocks })
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })
}

/// `verdict: FAIL — suite.yml` (the suites, shortened when there are many).
fn title(r: &Report) -> String {
    let files: Vec<&str> = r.suites.iter().map(|s| s.file.as_str()).collect();
    let mut names = clip(&files.join(", "), 200);
    if names.is_empty() {
        names = "no suite".into();
    }
    format!("verdict: {} — {names}", r.verdict.label())
}

/// `7 checks: 4 passed, 2 failed, 1 warning (exit 1)`, as the console says it.
fn counts(r: &Report) -> String {
    format!("{} (exit {})", r.summary.sentence(), r.exit_code)
}

/// What did not pass: failures first, then what could not be evaluated,
/// then failed warnings; in report order within each group. The checks of
/// an unreadable source are one line, the source's.
fn items(r: &Report) -> Vec<Item> {
    let many = r.suites.len() > 1;
    let mut out: Vec<(u8, Item)> = Vec::new();
    for part in r.parts() {
        let place = match part.section {
            Section::Source(s) => s.name.clone(),
            Section::Bench(_) => "bench".to_string(),
            Section::Diff(d) => format!("diff {} → {}", d.baseline, d.candidate),
            Section::Drift(d) => format!("drift {}", d.source),
            Section::Compare(c) => {
                let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
                format!("compare {} against {}", names[1..].join(", "), names[0])
            }
        };
        let place = if many {
            format!("{} · {place}", part.suite.file)
        } else {
            place
        };
        if let (Section::Source(_), Some(e)) = (part.section, part.error()) {
            let detail = clip(&format!("could not be read: {e}"), MAX_DETAIL);
            out.push((
                rank_of(Status::Error, Severity::Error),
                Item {
                    label: "ERROR",
                    place,
                    name: "source".to_string(),
                    detail,
                },
            ));
            continue;
        }
        out.extend(part.checks().iter().filter_map(|c| item(place.clone(), c)));
    }
    out.sort_by_key(|(rank, _)| *rank);
    out.into_iter().map(|(_, it)| it).collect()
}

/// A check that did not pass, with its rank among the groups.
fn item(place: String, c: &CheckResult) -> Option<(u8, Item)> {
    let detail = match (c.status, c.severity) {
        (Status::Pass, _) => return None,
        (Status::Fail, _) => observed(c),
        (Status::Error, _) => c.why.clone().unwrap_or_else(|| observed(c)),
    };
    let detail = clip(&detail, MAX_DETAIL);
    let name = clip(&c.name, 80);
    Some((
        rank(c),
        Item {
            label: c.label(),
            place,
            name,
            detail,
        },
    ))
}

/// `observed; expected …`, as the console's two columns.
fn observed(c: &CheckResult) -> String {
    if c.observed_text.is_empty() {
        format!("expected {}", c.expected)
    } else {
        format!("{}; expected {}", c.observed_text, c.expected)
    }
}

/// `report: https://ci/… · out/report.html · out/report.json`.
fn footer(links: &Links) -> Option<String> {
    let all: Vec<&str> = links
        .report_url
        .iter()
        .chain(&links.files)
        .map(String::as_str)
        .collect();
    (!all.is_empty()).then(|| clip(&format!("report: {}", all.join(" · ")), 1000))
}

/// One line of at most `max` characters.
fn clip(s: &str, max: usize) -> String {
    let one_line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Slack mrkdwn treats `&`, `<` and `>` as control characters.
pub(crate) fn mrkdwn(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{SourceReport, SuiteReport};

    fn check(name: &str, status: Status, severity: Severity) -> CheckResult {
        CheckResult {
            name: name.into(),
            check: "max",
            column: Some("x".into()),
            severity,
            status,
            observed: None,
            observed_text: "7 & more".into(),
            expected: "<= 5".into(),
            why: Some("above the maximum".into()),
            diff: None,
            sample: vec![],
            at: None,
            failed_rows: None,
        }
    }

    fn report(checks: Vec<CheckResult>, error: Option<&str>) -> Report {
        let src = |name: &str, checks, error: Option<&str>| SourceReport {
            name: name.into(),
            path: "t.parquet".into(),
            format: Some("parquet"),
            filter: None,
            files: Some(1),
            read: None,
            rows: Some(3),
            error: error.map(String::from),
            load_seconds: 0.0,
            scans: vec![],
            checks,
        };
        let mut sources = vec![src("t", checks, None)];
        if let Some(e) = error {
            let c = check("lost.max", Status::Error, Severity::Error);
            sources.push(src("lost", vec![c], Some(e)));
        }
        let suite = SuiteReport {
            file: "s.yml".into(),
            engine: "embedded".into(),
            sources,
            bench: None,
            diff: None,
            drift: Vec::new(),
            compare: None,
        };
        Report::new(vec![suite], false, "2026-01-01T00:00:00Z".into(), 0.0)
    }

    #[test]
    fn failures_then_errors_then_warnings_with_links() {
        let r = report(
            vec![
                check("w.max", Status::Fail, Severity::Warn),
                check("ok.max", Status::Pass, Severity::Error),
                check("f.max", Status::Fail, Severity::Error),
            ],
            Some("no such file"),
        );
        let links = Links {
            report_url: Some("https://ci.example/run/1?a=1&b=2".into()),
            files: vec!["out/r.html".into()],
        };
        let p = payload(&r, &links);
        assert_eq!(
            p["text"],
            "verdict: FAIL — s.yml\n\
             4 checks: 1 passed, 1 failed, 1 warning, 1 could not be evaluated, 1 source unreadable (exit 1)\n\
             • FAIL t: f.max — 7 & more; expected <= 5\n\
             • ERROR lost: source — could not be read: no such file\n\
             • WARN t: w.max — 7 & more; expected <= 5\n\
             report: https://ci.example/run/1?a=1&b=2 · out/r.html"
        );
        let blocks = p["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[0]["type"], "section");
        assert_eq!(blocks[0]["text"]["type"], "mrkdwn");
        assert_eq!(
            blocks[0]["text"]["text"],
            "*verdict: FAIL — s.yml*\n4 checks: 1 passed, 1 failed, 1 warning, 1 could not be evaluated, 1 source unreadable (exit 1)"
        );
        assert_eq!(
            blocks[1]["text"]["text"],
            "• *FAIL* t: `f.max` — 7 &amp; more; expected &lt;= 5\n\
             • *ERROR* lost: `source` — could not be read: no such file\n\
             • *WARN* t: `w.max` — 7 &amp; more; expected &lt;= 5"
        );
        assert_eq!(blocks[2]["type"], "context");
        assert_eq!(
            blocks[2]["elements"][0]["text"],
            "report: https://ci.example/run/1?a=1&amp;b=2 · out/r.html"
        );
    }

    #[test]
    fn at_most_ten_checks_then_a_count() {
        let checks = (0..13)
            .map(|i| check(&format!("c{i:02}.max"), Status::Fail, Severity::Error))
            .collect();
        let p = payload(&report(checks, None), &Links::default());
        let text = p["text"].as_str().unwrap();
        assert_eq!(text.matches("\n• FAIL").count(), 10);
        assert!(text.contains("c09.max") && !text.contains("c10.max"));
        assert!(text.ends_with("\n… and 3 more in the report"), "{text}");
        let blocks = p["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 2, "no links, no context block");
        let list = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(list.ends_with("… and 3 more in the report"));
    }

    #[test]
    fn long_details_are_clipped_and_sections_stay_under_slacks_limit() {
        let mut c = check("big.max", Status::Fail, Severity::Error);
        c.observed_text = "<".repeat(5000);
        let checks = (0..10).map(|_| c.clone()).collect();
        let p = payload(&report(checks, None), &Links::default());
        for b in p["blocks"].as_array().unwrap() {
            assert!(b["text"]["text"].as_str().unwrap().chars().count() <= 3000);
        }
        let first = p["text"].as_str().unwrap().lines().nth(2).unwrap();
        assert!(first.chars().count() < 200, "{first}");
        assert!(first.ends_with('…'));
    }

    #[test]
    fn a_passing_run_with_warnings_names_them() {
        let r = report(vec![check("w.max", Status::Fail, Severity::Warn)], None);
        let p = payload(&r, &Links::default());
        assert_eq!(
            p["text"],
            "verdict: PASS with warnings — s.yml\n1 check: 0 passed, 1 warning (exit 0)\n• WARN t: w.max — 7 & more; expected <= 5"
        );
    }
}
