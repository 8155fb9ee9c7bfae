//! The console report: per suite, one block per part (the bench, each
//! source, the diff, each drift, the comparison; `super::part` walks
//! them), each with its checks failures first, then a headline verdict.
//! Colour only when asked (a TTY without `NO_COLOR`); the text is the same
//! either way, so CI logs and snapshots read like the terminal.

mod bench;
mod compare;
mod diff;
mod drift;
mod source;
mod table;

use std::io::{self, Write};

pub use table::Style;

use super::{Report, Section, Verdict};

pub fn render(r: &Report, w: &mut dyn Write, style: Style) -> io::Result<()> {
    for (i, suite) in r.suites.iter().enumerate() {
        match super::format::ran_on(&suite.engine) {
            Some(on) => writeln!(w, "suite {} ({on})", suite.file)?,
            None => writeln!(w, "suite {}", suite.file)?,
        }
        for part in suite.parts(i) {
            writeln!(w)?;
            match part.section {
                Section::Bench(b) => bench::bench(b, w, style)?,
                Section::Source(s) => source::source(s, w, style)?,
                Section::Diff(d) => diff::diff(d, w, style)?,
                Section::Drift(d) => drift::drift(d, w, style)?,
                Section::Compare(c) => compare::compare(c, w, style)?,
            }
        }
        writeln!(w)?;
    }
    headline(r, w, style)
}

fn headline(r: &Report, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let label = r.verdict.label();
    let label = if style.color {
        let code = match r.verdict {
            Verdict::Pass => "32",
            Verdict::Warn => "33",
            Verdict::Fail | Verdict::Error => "31",
        };
        format!("\x1b[1;{code}m{label}\x1b[0m")
    } else {
        label.to_string()
    };
    if let Some(sel) = &r.selection {
        writeln!(w, "selected: {}", sel.text())?;
    }
    writeln!(
        w,
        "verdict: {label} — {} ({:.2} s, exit {})",
        r.summary.sentence(),
        r.seconds,
        r.exit_code
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckResult, Status};
    use crate::report::{Report, SourceReport, SuiteReport};
    use crate::spec::Severity;

    fn report(status: Status) -> Report {
        let check = CheckResult {
            name: "x.max".into(),
            check: "max",
            column: Some("x".into()),
            severity: Severity::Error,
            status,
            observed: None,
            observed_text: "7".into(),
            expected: "<= 5".into(),
            why: Some("above the maximum".into()),
            diff: None,
            sample: vec![],
            at: None,
            failed_rows: None,
        };
        let src = SourceReport {
            name: "t".into(),
            path: "t.parquet".into(),
            format: Some("parquet"),
            filter: None,
            files: Some(1),
            read: None,
            rows: Some(3),
            error: None,
            load_seconds: 0.0,
            scans: vec![],
            checks: vec![check],
        };
        let suite = SuiteReport {
            file: "s.yml".into(),
            engine: "embedded".into(),
            sources: vec![src],
            bench: None,
            diff: None,
            drift: Vec::new(),
            compare: None,
        };
        Report::new(vec![suite], false, "2026-01-01T00:00:00Z".into(), 0.0)
    }

    fn text(r: &Report, color: bool) -> String {
        let mut out = Vec::new();
        render(r, &mut out, Style { color, width: None }).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn colour_only_when_asked() {
        let r = report(Status::Fail);
        let plain = text(&r, false);
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(
            plain.ends_with("verdict: FAIL — 1 check: 0 passed, 1 failed (0.00 s, exit 1)\n"),
            "{plain}"
        );
        let coloured = text(&r, true);
        assert!(coloured.contains("\x1b[1;31mFAIL\x1b[0m"), "{coloured}");
    }

    #[test]
    fn errors_are_counted_as_not_evaluated() {
        let plain = text(&report(Status::Error), false);
        assert!(
            plain.ends_with(
                "verdict: ERROR — 1 check: 0 passed, 1 could not be evaluated (0.00 s, exit 3)\n"
            ),
            "{plain}"
        );
    }
}
