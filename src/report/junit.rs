//! The JUnit XML report, for the test tab of CI systems (GitHub, GitLab,
//! Jenkins, Azure): one `<testsuite>` per part of a suite (the bench, each
//! source, the diff, each drift, the comparison), one `<testcase>` per check. A failed error-severity check is a
//! `<failure>` whose message is observed vs expected; a check that could
//! not be evaluated is an `<error>`; a failed warning passes, with a
//! `WARN:` line in its `<system-out>` (JUnit has no warning status, and a
//! warning must not turn a CI test tab red).

use std::io::{self, Write};
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use super::{Part, Report, Section, SuiteReport};
use crate::check::{CheckResult, Status};
use crate::spec::Severity;

pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let mut junit = Junit::new("verdict");
    junit.set_time(secs(r.seconds));
    for (i, suite) in r.suites.iter().enumerate() {
        junit.add_test_suites(suites(i, suite));
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

/// One `<testsuite>` per part of the suite, named after the part.
fn suites(i: usize, s: &SuiteReport) -> Vec<TestSuite> {
    let class = |part: &str| format!("verdict.{}.{part}", stem(&s.file));
    s.parts(i)
        .into_iter()
        .map(|part| {
            let (name, class, out) = match part.section {
                Section::Bench(_) => ("bench".to_string(), class("bench"), None),
                Section::Source(src) => (src.name.clone(), class(&src.name), None),
                Section::Diff(d) => (
                    format!("diff {} → {}", d.baseline, d.candidate),
                    class("diff"),
                    (!d.warnings.is_empty()).then(|| d.warnings.join("\n")),
                ),
                Section::Drift(d) => (
                    format!("drift {} vs {}", d.source, d.reference),
                    class(&format!("drift.{}", d.source)),
                    None,
                ),
                Section::Compare(c) => {
                    let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
                    let envs: Vec<String> = c
                        .environments
                        .iter()
                        .map(|e| format!("{}: {}", e.name, e.path))
                        .collect();
                    (
                        format!("compare {} against {}", names[1..].join(", "), names[0]),
                        class("compare"),
                        Some(envs.join("\n")),
                    )
                }
            };
            let mut t = TestSuite::new(format!("{} · {name}", s.file));
            t.set_time(secs(part.seconds()));
            if let Some(e) = error(&part) {
                t.set_system_err(e);
            }
            if let Some(out) = out {
                t.set_system_out(out);
            }
            t.add_test_cases(part.checks().iter().map(|c| case(c, &class)));
            t
        })
        .collect()
}

/// What stopped a part, for its `<system-err>`.
fn error(part: &Part) -> Option<String> {
    match part.section {
        Section::Source(_) => part.error().map(|e| format!("cannot read the source: {e}")),
        Section::Bench(_) | Section::Diff(_) | Section::Drift(_) => part.error().map(String::from),
        Section::Compare(c) => {
            let errors: Vec<String> = c
                .environments
                .iter()
                .filter_map(|e| e.error.as_ref().map(|m| format!("{}: {m}", e.name)))
                .collect();
            (!errors.is_empty()).then(|| errors.join("\n"))
        }
    }
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
