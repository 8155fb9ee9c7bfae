//! The JUnit XML report, for the test tab of CI systems (GitHub, GitLab,
//! Jenkins, Azure): one `<testsuite>` per source, per diff and per bench,
//! one `<testcase>` per check. A failed error-severity check is a
//! `<failure>` whose message is observed vs expected; a check that could
//! not be evaluated is an `<error>`; a failed warning passes, with a
//! `WARN:` line in its `<system-out>` (JUnit has no warning status, and a
//! warning must not turn a CI test tab red).

use std::io::{self, Write};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use super::{Report, SuiteReport};
use crate::check::{CheckResult, Status};
use crate::spec::Severity;

pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let mut junit = Junit::new("verdict");
    junit.set_time(secs(r.seconds));
    for suite in &r.suites {
        junit.add_test_suites(suites(suite));
    }
    junit.serialize(w).map_err(io::Error::other)
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or_default()
}

/// The suite file's name without directories or extension, for class names.
fn stem(file: &str) -> &str {
    let base = file.rsplit('/').next().unwrap_or(file);
    base.rsplit_once('.').map_or(base, |(s, _)| s)
}

fn suites(s: &SuiteReport) -> Vec<TestSuite> {
    let mut out = Vec::new();
    let class = |part: &str| format!("verdict.{}.{part}", stem(&s.file));
    if let Some(b) = &s.bench {
        let mut t = TestSuite::new(format!("{} · bench", s.file));
        t.set_time(secs(b.seconds));
        if let Some(e) = &b.error {
            t.set_system_err(e.as_str());
        }
        t.add_test_cases(b.gates.iter().map(|c| case(c, &class("bench"))));
        out.push(t);
    }
    for src in &s.sources {
        let mut t = TestSuite::new(format!("{} · {}", s.file, src.name));
        let scanned: f64 = src.scans.iter().map(|x| x.seconds).sum();
        t.set_time(secs(src.load_seconds + scanned));
        if let Some(e) = &src.error {
            t.set_system_err(format!("cannot read the source: {e}"));
        }
        t.add_test_cases(src.checks.iter().map(|c| case(c, &class(&src.name))));
        out.push(t);
    }
    if let Some(d) = &s.diff {
        let mut t = TestSuite::new(format!(
            "{} · diff {} → {}",
            s.file, d.baseline, d.candidate
        ));
        t.set_time(secs(d.timings.seconds));
        if let Some(e) = &d.error {
            t.set_system_err(e.as_str());
        }
        if !d.warnings.is_empty() {
            t.set_system_out(d.warnings.join("\n"));
        }
        t.add_test_cases(d.gates.iter().map(|c| case(c, &class("diff"))));
        out.push(t);
    }
    for d in &s.drift {
        let mut t = TestSuite::new(format!(
            "{} · drift {} vs {}",
            s.file, d.source, d.reference
        ));
        t.set_time(secs(d.seconds));
        if let Some(e) = &d.error {
            t.set_system_err(e.as_str());
        }
        t.add_test_cases(
            d.checks
                .iter()
                .map(|c| case(c, &class(&format!("drift.{}", d.source)))),
        );
        out.push(t);
    }
    if let Some(c) = &s.compare {
        let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
        let mut t = TestSuite::new(format!(
            "{} · compare {} against {}",
            s.file,
            names[1..].join(", "),
            names[0]
        ));
        t.set_time(secs(c.seconds));
        let errors: Vec<String> = c
            .environments
            .iter()
            .filter_map(|e| e.error.as_ref().map(|m| format!("{}: {m}", e.name)))
            .collect();
        if !errors.is_empty() {
            t.set_system_err(errors.join("\n"));
        }
        let envs: Vec<String> = c
            .environments
            .iter()
            .map(|e| format!("{}: {}", e.name, e.path))
            .collect();
        t.set_system_out(envs.join("\n"));
        t.add_test_cases(c.checks.iter().map(|k| case(k, &class("compare"))));
        out.push(t);
    }
    out
}

fn case(c: &CheckResult, class: &str) -> TestCase {
    let observed_vs_expected = format!("observed {}; expected {}", shown(c), c.expected);
    let status = match (c.status, c.severity) {
        (Status::Pass, _) | (Status::Fail, Severity::Warn) => TestCaseStatus::success(),
        (Status::Fail, Severity::Error) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_type(c.check)
                .set_message(observed_vs_expected.as_str());
            s.set_description(details(c));
            s
        }
        (Status::Error, _) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_type(c.check)
                .set_message(c.why.as_deref().unwrap_or("could not be evaluated"));
            s.set_description(details(c));
            s
        }
    };
    let mut t = TestCase::new(c.name.as_str(), status);
    t.set_classname(class);
    if c.status == Status::Fail && c.severity == Severity::Warn {
        t.set_system_out(format!("WARN: {observed_vs_expected}\n{}", details(c)));
    }
    t
}

fn shown(c: &CheckResult) -> &str {
    if c.observed_text.is_empty() {
        "nothing"
    } else {
        &c.observed_text
    }
}

/// Everything a person needs below the one-line message.
fn details(c: &CheckResult) -> String {
    let mut lines = vec![
        format!("check: {} ({} severity)", c.check, c.severity),
        format!("observed: {}", shown(c)),
        format!("expected: {}", c.expected),
    ];
    if let Some(col) = &c.column {
        lines.insert(1, format!("column: {col}"));
    }
    if let Some(why) = &c.why {
        lines.push(format!("why: {why}"));
    }
    if !c.sample.is_empty() {
        let s: Vec<String> = c
            .sample
            .iter()
            .map(|s| format!("{} ({} rows)", s.value, s.rows))
            .collect();
        lines.push(format!("offending values: {}", s.join(", ")));
    }
    if let Some(d) = &c.diff {
        lines.push(format!("schema diff:\n{d}"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_without_checks_is_an_empty_junit_report() {
        let r = Report::new(Vec::new(), false, "2026-01-01T00:00:00Z".into(), 0.0);
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"verdict\" tests=\"0\" \
             failures=\"0\" errors=\"0\" time=\"0.000\">\n</testsuites>\n"
        );
        let mut md = Vec::new();
        super::super::markdown::render(&r, &mut md).unwrap();
        assert_eq!(
            String::from_utf8(md).unwrap(),
            "### ⛔ verdict: ERROR — \n\n0 checks · 0 passed · exit 3 · 0.00 s\n\n"
        );
    }
}
