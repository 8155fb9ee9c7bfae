//! The Markdown summary, for `$GITHUB_STEP_SUMMARY`, a PR comment or a
//! GitLab job page: the verdict in one line, a table of what failed or
//! could not be evaluated, and everything else folded in `<details>`.
//! Tables stay narrow (four columns) and every cell is escaped: `|`,
//! backticks, `<`, `>`, `&` and line breaks cannot break the layout.

use std::io::{self, Write};

use super::format::{count, fmt_float, maybe, mib, signed};
use super::{Part, Report, Section, Verdict};
use crate::check::{CheckResult, Status};

/// Longest cell text kept; longer values are cut with an ellipsis.
const MAX_CELL: usize = 200;

pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    let icon = match r.verdict {
        Verdict::Pass => "✅",
        Verdict::Warn => "⚠️",
        Verdict::Fail => "❌",
        Verdict::Error => "⛔",
    };
    let files: Vec<String> = r
        .suites
        .iter()
        .map(|x| match super::format::ran_on(&x.engine) {
            Some(on) => format!("`{}` ({on})", code(&x.file)),
            None => format!("`{}`", code(&x.file)),
        })
        .collect();
    writeln!(
        w,
        "### {icon} verdict: {} — {}",
        r.verdict.label(),
        files.join(", ")
    )?;
    writeln!(w)?;
    // The summary's parts: passes first, then the problems, in bold.
    let mut counts = vec![count(s.checks, "check")];
    for (k, part) in s.parts().into_iter().enumerate() {
        counts.push(if k == 0 { part } else { format!("**{part}**") });
    }
    writeln!(
        w,
        "{} · exit {} · {:.2} s{}",
        counts.join(" · "),
        r.exit_code,
        r.seconds,
        match &r.selection {
            Some(sel) => format!(" · selected: `{}`", sel.text()),
            None => String::new(),
        }
    )?;
    writeln!(w)?;
    let problems = r.problems();
    if !problems.is_empty() {
        writeln!(w, "| status | check | observed | expected |")?;
        writeln!(w, "|---|---|---|---|")?;
        for p in problems {
            let c = p.check;
            let name = if r.suites.len() > 1 {
                format!("{} · {} · {}", p.part.suite.file, place(&p.part), c.name)
            } else {
                format!("{} · {}", place(&p.part), c.name)
            };
            let mut observed = match &c.why {
                Some(why) => format!("{} — {why}", c.observed_text),
                None => c.observed_text.clone(),
            };
            if let Some(eg) = c.sample_text() {
                observed.push_str(&format!("; e.g. {eg}"));
            }
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                c.label(),
                cell(&name),
                cell(observed.trim_start_matches(" — ")),
                cell(&c.expected)
            )?;
        }
        writeln!(w)?;
        failed_rows(&r.problems(), w)?;
    }
    for part in r.parts() {
        let (summary, stopped) = match part.section {
            Section::Bench(b) => (
                match b {
                    crate::bench::BenchReport::Commands(c) => {
                        format!("bench · <code>{}</code>", html(&c.input))
                    }
                    crate::bench::BenchReport::Endpoint(e) => {
                        format!(
                            "bench · endpoints · <code>{}</code>",
                            html(&e.requests_from)
                        )
                    }
                },
                "Stopped".to_string(),
            ),
            Section::Source(s) => (
                format!(
                    "{}{} · {}{}",
                    html(&s.name),
                    match &s.filter {
                        Some(f) => format!(" where {}", code(f)),
                        None => String::new(),
                    },
                    count(s.checks.len(), "check"),
                    not_passed(&s.checks)
                ),
                format!("Cannot read `{}`", code(&s.path)),
            ),
            Section::Diff(d) => (
                format!(
                    "diff {} → {} · {} in both, {} missing, {} added",
                    html(&d.baseline),
                    html(&d.candidate),
                    d.rows.both,
                    d.rows.only_baseline,
                    d.rows.only_candidate
                ),
                "Not computed".to_string(),
            ),
            Section::Drift(d) => (
                format!(
                    "drift {} vs {} · {}{}",
                    html(&d.source),
                    html(&d.reference),
                    count(d.checks.len(), "column"),
                    not_passed(&d.checks)
                ),
                "Not measured".to_string(),
            ),
            Section::Compare(c) => {
                let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
                let differing = c.rows.iter().filter(|r| r.status != Status::Pass).count();
                let differ = match differing {
                    0 => String::new(),
                    n => format!(", {n} differ"),
                };
                let summary = format!(
                    "compare {} against {} · {}{differ}",
                    html(&names[1..].join(", ")),
                    html(names[0]),
                    count(c.rows.len(), "aggregate"),
                );
                // Its environments' errors are in its own list.
                (summary, String::new())
            }
        };
        writeln!(w, "<details><summary>{summary}</summary>")?;
        writeln!(w)?;
        if let Some(e) = part.error() {
            writeln!(w, "{stopped}: {}", cell(e))?;
            writeln!(w)?;
        }
        match part.section {
            Section::Bench(b) => bench(b, w)?,
            Section::Source(s) => check_table(&s.checks, w)?,
            Section::Diff(d) => diff(d, w)?,
            Section::Drift(d) => check_table(&d.checks, w)?,
            Section::Compare(c) => compare(c, w)?,
        }
        writeln!(w, "</details>")?;
        writeln!(w)?;
    }
    Ok(())
}

/// Where a check of the problems table belongs: its source's name, or the
/// kind of part.
fn place(p: &Part) -> String {
    match p.section {
        Section::Source(s) => s.name.clone(),
        Section::Bench(_) | Section::Diff(_) | Section::Drift(_) | Section::Compare(_) => {
            p.kind().to_string()
        }
    }
}

/// `, 2 not passed` when some of `checks` did not pass.
fn not_passed(checks: &[CheckResult]) -> String {
    match checks.iter().filter(|c| c.status != Status::Pass).count() {
        0 => String::new(),
        n => format!(", {n} not passed"),
    }
}

/// The bench: both models' timings and the ratio, or both endpoints
/// under load.
fn bench(b: &crate::bench::BenchReport, w: &mut dyn Write) -> io::Result<()> {
    let b = match b {
        crate::bench::BenchReport::Commands(c) => c,
        crate::bench::BenchReport::Endpoint(e) => return endpoint(e, w),
    };
    writeln!(w, "| model | median | min | max | peak RSS |")?;
    writeln!(w, "|---|---|---|---|---|")?;
    for (name, m) in [("baseline", &b.baseline), ("candidate", &b.candidate)] {
        let t = |x: Option<f64>| x.map_or("—".into(), |v| format!("{} s", fmt_float(v)));
        writeln!(
            w,
            "| {name} | {} | {} | {} | {} |",
            t(m.median_seconds),
            t(m.min_seconds),
            t(m.max_seconds),
            m.median_peak_rss_bytes.map_or("—".into(), mib)
        )?;
    }
    if let Some(x) = b.slowdown {
        writeln!(w)?;
        writeln!(w, "Candidate / baseline median time: **{}×**", fmt_float(x))?;
    }
    writeln!(w)
}

/// Both endpoints under load: how, the table, then each remark.
fn endpoint(e: &crate::bench::endpoint::EndpointReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{}\n", cell(&e.facts()))?;
    let (header, rows) = e.table();
    writeln!(w, "| {} |", header.join(" | "))?;
    writeln!(w, "|{}", "---|".repeat(header.len()))?;
    for row in rows {
        let cells: Vec<String> = row.iter().map(|x| cell(x)).collect();
        writeln!(w, "| {} |", cells.join(" | "))?;
    }
    writeln!(w)?;
    for line in e.remarks() {
        writeln!(w, "- {}", cell(&line))?;
    }
    writeln!(w)
}

/// The diff: warnings, changed columns, quality, gates.
fn diff(d: &crate::diff::DiffReport, w: &mut dyn Write) -> io::Result<()> {
    for warning in &d.warnings {
        writeln!(w, "- {}", cell(warning))?;
    }
    if !d.warnings.is_empty() {
        writeln!(w)?;
    }
    if !d.columns.is_empty() {
        writeln!(w, "| column | changed | rate | p99 \\|Δ\\| |")?;
        writeln!(w, "|---|---|---|---|")?;
        for c in &d.columns {
            let p99 = c.numeric.as_ref().and_then(|n| n.p99_abs);
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                cell(&c.name),
                c.changed,
                maybe(c.changed_rate),
                maybe(p99)
            )?;
        }
        writeln!(w)?;
        for c in &d.columns {
            if let Some(n) = c.numeric.as_ref().filter(|n| n.spilled > 0) {
                let note = crate::report::format::differences_on_disk(n.spilled);
                writeln!(w, "- `{}`: {}", cell(&c.name), cell(&note))?;
            }
        }
    }
    if let Some(q) = &d.quality {
        writeln!(
            w,
            "| metric | baseline | candidate | Δ | is the change real? |"
        )?;
        writeln!(w, "|---|---|---|---|---|")?;
        for m in &q.metrics {
            writeln!(
                w,
                "| {} | {} | {} | {} | {} |",
                m.metric.keyword(),
                maybe(m.baseline),
                maybe(m.candidate),
                m.delta.map_or("—".into(), signed),
                cell(&m.significance())
            )?;
        }
        writeln!(w)?;
        if q.scores_spilled > 0 {
            let note = crate::report::format::probabilities_on_disk(q.scores_spilled);
            writeln!(w, "- {}\n", cell(&note))?;
        }
    }
    if let Some(s) = &d.slices {
        match &s.error {
            Some(e) => writeln!(w, "Slices could not be computed: {}\n", cell(e))?,
            None => {
                for c in &s.columns {
                    let (header, rows) = c.table();
                    writeln!(w, "{}\n", cell(&c.caption(s.min_rows)))?;
                    let line = |cells: Vec<String>| {
                        let cells: Vec<String> = cells.iter().map(|x| cell(x)).collect();
                        format!("| {} |", cells.join(" | "))
                    };
                    writeln!(w, "{}", line(header.clone()))?;
                    writeln!(w, "|{}", "---|".repeat(header.len()))?;
                    for row in rows {
                        writeln!(w, "{}", line(row))?;
                    }
                    if let Some(more) = c.more() {
                        writeln!(w, "\n{}", cell(&more))?;
                    }
                    writeln!(w)?;
                }
            }
        }
    }
    check_table(&d.gates, w)
}

/// The comparison's wide table: an environment per column, `✗` where a
/// value is outside tolerance of the reference's.
fn compare(c: &crate::compare::CompareReport, w: &mut dyn Write) -> io::Result<()> {
    let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
    for e in &c.environments {
        match &e.error {
            Some(err) => writeln!(
                w,
                "- **{}** `{}`: {}",
                cell(&e.name),
                code(&e.path),
                cell(err)
            )?,
            None => writeln!(
                w,
                "- **{}** `{}`: {} rows",
                cell(&e.name),
                code(&e.path),
                e.rows.map_or("?".into(), |n| n.to_string())
            )?,
        }
    }
    writeln!(w)?;
    if !c.rows.is_empty() {
        write!(w, "| column | metric | {} (reference) |", cell(names[0]))?;
        for n in &names[1..] {
            write!(w, " {} |", cell(n))?;
        }
        writeln!(w, " status |")?;
        writeln!(w, "|---|---|{}---|", "---:|".repeat(names.len()))?;
        for r in &c.rows {
            write!(
                w,
                "| {} | {} |",
                cell(r.column.as_deref().unwrap_or("(table)")),
                r.metric_label()
            )?;
            for i in 0..r.values.len() {
                let mut text = r.cell(i, " ");
                if r.differs[i] {
                    text = format!("**{text}** ✗");
                }
                write!(w, " {} |", cell(&text))?;
            }
            writeln!(w, " {} |", r.status_word())?;
        }
        writeln!(w)?;
    }
    if !c.schema_differences.is_empty() {
        write!(w, "| schema difference |")?;
        for n in &names {
            write!(w, " {} |", cell(n))?;
        }
        writeln!(w)?;
        writeln!(w, "|---|{}", "---|".repeat(names.len()))?;
        for d in &c.schema_differences {
            write!(w, "| {} |", cell(&d.column))?;
            for t in &d.types {
                write!(w, " {} |", cell(t.as_deref().unwrap_or("(missing)")))?;
            }
            writeln!(w)?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn check_table(checks: &[CheckResult], w: &mut dyn Write) -> io::Result<()> {
    if checks.is_empty() {
        return Ok(());
    }
    writeln!(w, "| status | check | observed | expected |")?;
    writeln!(w, "|---|---|---|---|")?;
    for c in checks {
        writeln!(
            w,
            "| {} | {} | {} | {} |",
            c.label(),
            cell(&c.name),
            cell(&c.observed_text),
            cell(&c.expected)
        )?;
    }
    writeln!(w)
}

/// A table cell: HTML-escaped, `|` and backticks escaped, line breaks as
/// `<br>`, cut at [`MAX_CELL`] characters.
fn cell(s: &str) -> String {
    let cut: String = if s.chars().count() > MAX_CELL {
        s.chars().take(MAX_CELL - 1).chain(['…']).collect()
    } else {
        s.to_string()
    };
    html(&cut)
        .replace('|', "\\|")
        .replace('`', "\\`")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}

/// The first failing rows of each failed check that wrote them
/// (`--failed-rows`), a table per check.
fn failed_rows(problems: &[crate::report::Problem], w: &mut dyn Write) -> io::Result<()> {
    for p in problems {
        let Some(f) = &p.check.failed_rows else {
            continue;
        };
        writeln!(w, "**{}** · {}\n", html(&p.check.name), html(&f.text()))?;
        if f.first.is_empty() {
            continue;
        }
        let head: Vec<String> = f.columns.iter().map(|c| cell(c)).collect();
        writeln!(w, "| {} |", head.join(" | "))?;
        writeln!(w, "|{}", "---|".repeat(head.len()))?;
        for row in &f.first {
            let cells: Vec<String> = row
                .iter()
                .map(|v| cell(&crate::check::failed_rows::FailedRows::cell(v)))
                .collect();
            writeln!(w, "| {} |", cells.join(" | "))?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text inside a code span: backticks cannot be escaped there, so they are
/// replaced by a look-alike.
fn code(s: &str) -> String {
    s.replace('`', "ˋ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_from_the_summary_with_their_plurals() {
        use crate::report::{Report, SourceReport, SuiteReport};
        use crate::spec::Severity;
        let warn = CheckResult::named("x.max", "max", None, Severity::Warn, "<= 5")
            .observed(None, "7")
            .judged(Status::Fail, Some("above the maximum".into()));
        let suite = SuiteReport {
            file: "s.yml".into(),
            engine: "embedded".into(),
            sources: vec![SourceReport {
                name: "t".into(),
                path: "t.parquet".into(),
                format: Some("parquet"),
                filter: None,
                files: Some(1),
                read: None,
                rows: Some(3),
                error: Some("gone".into()),
                load_seconds: 0.0,
                scans: vec![],
                checks: vec![warn],
            }],
            bench: None,
            diff: None,
            drift: Vec::new(),
            compare: None,
        };
        let r = Report::new(vec![suite], false, "2026-01-01T00:00:00Z".into(), 0.0);
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert_eq!(
            md.lines().nth(2).unwrap(),
            "1 check · 0 passed · **1 warning** · **1 source unreadable** · exit 3 · 0.00 s"
        );
    }

    #[test]
    fn cells_cannot_break_a_table() {
        assert_eq!(cell("a|b`c\nd<e>&"), "a\\|b\\`c<br>d&lt;e&gt;&amp;");
        let long = "é".repeat(300);
        assert_eq!(cell(&long).chars().count(), MAX_CELL);
        assert!(cell(&long).ends_with('…'));
    }
}
