//! The console report: a headline verdict, then one table per source with
//! failures first (observed beside expected, severity, why), then schema
//! diffs. Colour only when asked (a TTY without `NO_COLOR`); the text is the
//! same either way, so CI logs and snapshots read like the terminal.

use std::io::{self, Write};

use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};

use super::{Report, SourceReport, Verdict};
use crate::check::{CheckResult, Status};
use crate::spec::Severity;

#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// Wrap tables to this width (a terminal's); `None` never wraps.
    pub width: Option<u16>,
}

pub fn render(r: &Report, w: &mut dyn Write, style: Style) -> io::Result<()> {
    for suite in &r.suites {
        writeln!(w, "suite {}", suite.file)?;
        if let Some(b) = &suite.bench {
            writeln!(w)?;
            super::console_release::bench(b, w, style)?;
        }
        for src in &suite.sources {
            writeln!(w)?;
            source(src, w, style)?;
        }
        if let Some(d) = &suite.diff {
            writeln!(w)?;
            super::console_release::diff(d, w, style)?;
        }
        for d in &suite.drift {
            writeln!(w)?;
            super::console_drift::drift(d, w, style)?;
        }
        if let Some(c) = &suite.compare {
            writeln!(w)?;
            super::console_compare::compare(c, w, style)?;
        }
        writeln!(w)?;
    }
    headline(r, w, style)
}

fn headline(r: &Report, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let s = &r.summary;
    let parts = s.parts();
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
    writeln!(
        w,
        "verdict: {label} — {} check{}: {} ({:.2} s, exit {})",
        s.checks,
        plural(s.checks),
        parts.join(", "),
        r.seconds,
        r.exit_code
    )
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn source(src: &SourceReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let mut facts = Vec::new();
    if let Some(f) = src.format {
        facts.push(f.to_string());
    }
    if let Some(n) = src.files {
        facts.push(format!("{n} file{}", plural(n)));
    }
    if let Some(rows) = src.rows {
        facts.push(format!("{rows} row{}", if rows == 1 { "" } else { "s" }));
    }
    let scan_secs: f64 = src.scans.iter().map(|s| s.seconds).sum();
    let meta = src.scans.iter().filter(|s| s.from_metadata).count();
    facts.push(format!(
        "{} quer{} in {:.2} s{}",
        src.scans.len(),
        if src.scans.len() == 1 { "y" } else { "ies" },
        src.load_seconds + scan_secs,
        if meta > 0 {
            format!(", {meta} answered from metadata")
        } else {
            String::new()
        }
    ));
    writeln!(
        w,
        "source {} ({}) · {}",
        src.name,
        src.path,
        facts.join(", ")
    )?;
    if let Some(e) = &src.error {
        writeln!(w, "  cannot read the source: {e}")?;
    }
    if src.checks.is_empty() {
        return Ok(());
    }
    checks_table(&src.checks, w, style)
}

/// A table of checks, failures first, then the schema diffs of failed
/// contracts.
pub(super) fn checks_table(
    checks: &[CheckResult],
    w: &mut dyn Write,
    style: Style,
) -> io::Result<()> {
    let mut order: Vec<&CheckResult> = checks.iter().collect();
    order.sort_by_key(|c| rank(c));
    let mut t = table(style);
    t.set_header(["status", "check", "observed", "expected", "severity", "why"]);
    for c in &order {
        let mut status = Cell::new(c.label());
        if style.color {
            status = status.fg(color(c)).add_attribute(Attribute::Bold);
        }
        t.add_row(vec![
            status,
            Cell::new(&c.name),
            Cell::new(&c.observed_text),
            Cell::new(&c.expected),
            Cell::new(c.severity.to_string()),
            Cell::new(why(c)),
        ]);
    }
    writeln!(w, "{t}")?;
    for c in order.iter().filter(|c| c.diff.is_some()) {
        writeln!(w, "{} — expected vs actual schema:", c.name)?;
        for line in c.diff.as_deref().unwrap_or("").lines() {
            writeln!(w, "  {}", paint(line, style))?;
        }
    }
    Ok(())
}

/// An empty table in the report's style, wrapped to a terminal's width.
pub(super) fn table(style: Style) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    match style.width {
        Some(width) => {
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(width);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if style.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t
}

/// The reason, followed by the offending values when there are some.
fn why(c: &CheckResult) -> String {
    let mut w = c.why.clone().unwrap_or_default();
    if let Some(eg) = c.sample_text() {
        w.push_str(&format!("; e.g. {eg}"));
    }
    w
}

/// Failures first, then errors, warnings and passes; suite order within.
fn rank(c: &CheckResult) -> u8 {
    match (c.status, c.severity) {
        (Status::Fail, Severity::Error) => 0,
        (Status::Error, _) => 1,
        (Status::Fail, Severity::Warn) => 2,
        (Status::Pass, _) => 3,
    }
}

fn color(c: &CheckResult) -> Color {
    match c.label() {
        "PASS" => Color::Green,
        "WARN" => Color::Yellow,
        _ => Color::Red,
    }
}

fn paint(line: &str, style: Style) -> String {
    if !style.color || line.starts_with("+++") || line.starts_with("---") {
        return line.to_string();
    }
    match line.chars().next() {
        Some('-') => format!("\x1b[31m{line}\x1b[0m"),
        Some('+') => format!("\x1b[32m{line}\x1b[0m"),
        _ => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Report, SourceReport, SuiteReport};

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
        };
        let src = SourceReport {
            name: "t".into(),
            path: "t.parquet".into(),
            format: Some("parquet"),
            files: Some(1),
            rows: Some(3),
            error: None,
            load_seconds: 0.0,
            scans: vec![],
            checks: vec![check],
        };
        let suite = SuiteReport {
            file: "s.yml".into(),
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
