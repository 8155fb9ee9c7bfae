//! The JUnit and Markdown reports of real runs: snapshots (timings
//! redacted), the JUnit XML parsed back and its structure asserted, and the
//! awkward cases every format must survive — only errors, and values with
//! pipes, backticks, unicode and great length.

#[macro_use]
mod common;

use std::path::Path;

use common::{run, temp_suite};
use quick_junit::{NonSuccessKind, Report as Junit, TestCaseStatus};

/// Runs a suite asking for JUnit and Markdown; returns (exit, junit, markdown).
fn reports(suite: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (j, m) = (dir.path().join("r.xml"), dir.path().join("r.md"));
    let o = run(&[
        suite,
        "--junit",
        j.to_str().unwrap(),
        "--markdown",
        m.to_str().unwrap(),
    ]);
    let read =
        |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}: {}", o.stderr));
    (o.code, read(&j), read(&m))
}

macro_rules! snap_report {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![
            (r#"time="[0-9.e-]+""#, r#"time="[t]""#),
            (r"\d+\.\d{2} s", "[secs] s"),
        ]}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

fn status_of<'a>(j: &'a Junit, name: &str) -> &'a TestCaseStatus {
    &j.test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .find(|c| c.name.as_str() == name)
        .unwrap_or_else(|| panic!("no test case {name}"))
        .status
}

#[test]
fn junit_of_a_failing_diff() {
    let (code, xml, md) = reports("fixtures/suites/release/diff_gates.yml");
    assert_eq!(code, 1);
    let j = Junit::deserialize_from_str(&xml).expect("valid JUnit XML");
    assert_eq!(j.name.as_str(), "verdict");
    assert_eq!(j.tests, 7);
    assert_eq!(j.failures, 2, "two error-severity gates failed");
    assert_eq!(j.errors, 0);
    assert_eq!(j.test_suites.len(), 1);
    assert_eq!(
        j.test_suites[0].name.as_str(),
        "fixtures/suites/release/diff_gates.yml · diff v1 → v2"
    );
    match status_of(&j, "score.max_changed_rate") {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            message,
            ty,
            ..
        } => {
            assert_eq!(
                message.as_ref().unwrap().as_str(),
                "observed 0.363636 (4 of 11 rows); expected ≤ 0.2"
            );
            assert_eq!(ty.as_ref().unwrap().as_str(), "max_changed_rate");
        }
        other => panic!("{other:?}"),
    }
    // A failed warning passes, with a note.
    assert!(matches!(
        status_of(&j, "rows.max_added"),
        TestCaseStatus::Success { .. }
    ));
    let warned = j.test_suites[0]
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == "rows.max_added")
        .unwrap();
    assert_eq!(
        warned.system_out.as_ref().unwrap().as_str().lines().next(),
        Some("WARN: observed 1 row added by the candidate; expected ≤ 0")
    );
    snap_report!("junit_diff_gates", xml);
    snap_report!("markdown_diff_gates", md);
}

#[test]
fn junit_and_markdown_of_the_bundled_examples() {
    let (code, xml, md) = reports("expectations/features.yml");
    assert_eq!(code, 0);
    let j = Junit::deserialize_from_str(&xml).unwrap();
    assert_eq!((j.tests, j.failures, j.errors), (23, 0, 0));
    assert!(
        md.starts_with("### ✅ verdict: PASS — `expectations/features.yml`\n"),
        "{md}"
    );
    snap_report!("markdown_features", md);
    let (code, xml, md) = reports("expectations/release.yml");
    assert_eq!(code, 0);
    let j = Junit::deserialize_from_str(&xml).unwrap();
    assert_eq!((j.tests, j.failures, j.errors), (14, 0, 0));
    assert!(md.starts_with("### ⚠️ verdict: PASS with warnings"), "{md}");
    assert!(
        md.contains("| WARN | diff · quality.log_loss.max_increase |"),
        "{md}"
    );
}

#[test]
fn only_errors_are_junit_errors() {
    let (code, xml, md) = reports("fixtures/suites/broken_sources.yml");
    assert_eq!(code, 3);
    let j = Junit::deserialize_from_str(&xml).unwrap();
    assert_eq!(j.failures, 0);
    assert_eq!(j.errors, j.tests);
    assert!(j.tests > 0);
    assert!(j.test_suites.iter().all(|s| s.system_err.is_some()));
    snap_report!("markdown_only_errors", md);
}

#[test]
fn awkward_values_do_not_break_either_format() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("awkward.csv");
    let long = "x".repeat(500);
    std::fs::write(&csv, format!("v\na|b\n`tick`\na日本語 <b>&\n{long}\nok\n")).unwrap();
    let (_d, suite) = temp_suite(&format!(
        "version: 1\nsources:\n  t: {{ path: {} }}\nchecks:\n  t:\n    columns:\n      v:\n        - in_set: [ok]\n",
        csv.display()
    ));
    let (code, xml, md) = reports(suite.to_str().unwrap());
    assert_eq!(code, 1);
    let j = Junit::deserialize_from_str(&xml).expect("still valid XML");
    assert_eq!(j.failures, 1);
    let failure_row = md.lines().find(|l| l.starts_with("| FAIL |")).unwrap();
    // Four cells, whatever the values hold: five unescaped pipes.
    let pipes = failure_row
        .char_indices()
        .filter(|&(i, ch)| ch == '|' && !failure_row[..i].ends_with('\\'))
        .count();
    assert_eq!(pipes, 5, "{failure_row}");
    assert!(md.contains("a\\|b"), "{md}");
    assert!(md.contains("\\`tick\\`"), "{md}");
    assert!(md.contains("a日本語 &lt;b&gt;&amp;"), "{md}");
    assert!(xml.contains("a日本語 &lt;b&gt;&amp;"), "{xml}");
    assert!(md.contains("1 check · 0 passed"), "{md}");
}

#[test]
fn markdown_appends_to_an_existing_summary() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("summary.md");
    std::fs::write(&m, "## earlier step\n\n").unwrap();
    let o = common::verdict_env(
        &[
            "run",
            "expectations/features.yml",
            "--markdown",
            m.to_str().unwrap(),
        ],
        &[("GITHUB_STEP_SUMMARY", m.to_str().unwrap())],
    );
    assert_eq!(o.code, 0);
    let text = std::fs::read_to_string(&m).unwrap();
    assert!(
        text.starts_with("## earlier step\n\n### ✅ verdict: PASS"),
        "{text}"
    );
}

#[test]
fn item_13_markdown_overwrites_a_local_file_unless_asked_to_append() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("report.md");
    let md = m.to_str().unwrap();
    for _ in 0..2 {
        let o = common::verdict_env(
            &["run", "expectations/features.yml", "--markdown", md],
            &[("GITHUB_STEP_SUMMARY", "")],
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
    }
    let text = std::fs::read_to_string(&m).unwrap();
    assert_eq!(text.matches("### ✅ verdict: PASS").count(), 1, "{text}");
    let o = common::verdict_env(
        &[
            "run",
            "expectations/features.yml",
            "--markdown",
            md,
            "--markdown-append",
        ],
        &[("GITHUB_STEP_SUMMARY", "")],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = std::fs::read_to_string(&m).unwrap();
    assert_eq!(text.matches("### ✅ verdict: PASS").count(), 2, "{text}");
    let o = common::verdict(&["run", "expectations/features.yml", "--markdown-append"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--markdown <FILE>"), "{}", o.stderr);
}

#[test]
fn unwritable_report_file_is_exit_3() {
    let o = run(&[
        "expectations/features.yml",
        "--junit",
        "/nonexistent-dir/r.xml",
    ]);
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stderr,
        "error: cannot write the JUnit report to /nonexistent-dir/r.xml: No such file or directory (os error 2)\n"
    );
}

/// Issue 12, item 15: a failed gate with an unwritable `--junit` file
/// exited 3 and printed no console report. The report is printed, the
/// gate's exit code stands, and the file error is said beside it.
#[test]
fn item_15_an_unwritable_report_file_keeps_the_gates_outcome() {
    let o = run(&[
        "expectations/compare.yml",
        "--junit",
        "/nonexistent-dir/r.xml",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.contains("verdict: FAIL"), "{}", o.stdout);
    assert_eq!(
        o.stderr,
        "error: cannot write the JUnit report to /nonexistent-dir/r.xml: No such file or directory (os error 2)\n"
    );
    // A passing run is still exit 3, after its report.
    let o = run(&[
        "expectations/features.yml",
        "--junit",
        "/nonexistent-dir/r.xml",
    ]);
    assert_eq!(o.code, 3);
    assert!(o.stdout.contains("verdict: PASS"), "{}", o.stdout);
}
