//! The Markdown summary, for `$GITHUB_STEP_SUMMARY`, a PR comment or a
//! GitLab job page: the verdict in one line, a table of what failed or
//! could not be evaluated, and everything else folded in `<details>`.
//! Tables stay narrow (four columns) and every cell is escaped: `|`,
//! backticks, `<`, `>`, `&` and line breaks cannot break the layout.

use std::io::{self, Write};

use super::{Report, SuiteReport, Verdict};
use crate::check::{CheckResult, Status};
use crate::metric::value::fmt_float;
use crate::spec::Severity;

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
        .map(|x| format!("`{}`", code(&x.file)))
        .collect();
    writeln!(
        w,
        "### {icon} verdict: {} — {}",
        r.verdict.label(),
        files.join(", ")
    )?;
    writeln!(w)?;
    let mut counts = vec![
        format!("{} check{}", s.checks, if s.checks == 1 { "" } else { "s" }),
        format!("{} passed", s.passed),
    ];
    for (n, what) in [
        (s.failed, "failed"),
        (s.warnings, "warnings"),
        (s.errors, "could not be evaluated"),
        (s.source_errors, "sources unreadable"),
    ] {
        if n > 0 {
            counts.push(format!("**{n} {what}**"));
        }
    }
    writeln!(
        w,
        "{} · exit {} · {:.2} s",
        counts.join(" · "),
        r.exit_code,
        r.seconds
    )?;
    writeln!(w)?;
    let problems: Vec<(&SuiteReport, &str, &CheckResult)> = all(r)
        .filter(|(_, _, c)| c.status != Status::Pass)
        .collect();
    if !problems.is_empty() {
        writeln!(w, "| status | check | observed | expected |")?;
        writeln!(w, "|---|---|---|---|")?;
        let mut sorted = problems;
        sorted.sort_by_key(|(_, _, c)| rank(c));
        for (suite, part, c) in sorted {
            let name = if r.suites.len() > 1 {
                format!("{} · {part} · {}", suite.file, c.name)
            } else {
                format!("{part} · {}", c.name)
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
    }
    for suite in &r.suites {
        sections(suite, w)?;
    }
    Ok(())
}

/// Every check with its suite and the part of the suite it belongs to.
fn all(r: &Report) -> impl Iterator<Item = (&SuiteReport, &str, &CheckResult)> {
    r.suites.iter().flat_map(|s| {
        let sources = s
            .sources
            .iter()
            .flat_map(move |src| src.checks.iter().map(move |c| (s, src.name.as_str(), c)));
        let diff = s
            .diff
            .iter()
            .flat_map(move |d| d.gates.iter().map(move |c| (s, "diff", c)));
        let bench = s
            .bench
            .iter()
            .flat_map(move |b| b.gates.iter().map(move |c| (s, "bench", c)));
        let drift = s
            .drift
            .iter()
            .flat_map(move |d| d.checks.iter().map(move |c| (s, "drift", c)));
        let compare = s
            .compare
            .iter()
            .flat_map(move |d| d.checks.iter().map(move |c| (s, "compare", c)));
        bench.chain(sources).chain(diff).chain(drift).chain(compare)
    })
}

fn rank(c: &CheckResult) -> u8 {
    match (c.status, c.severity) {
        (Status::Fail, Severity::Error) => 0,
        (Status::Error, _) => 1,
        _ => 2,
    }
}

/// The folded detail of one suite: each source's checks, the bench and the diff.
fn sections(s: &SuiteReport, w: &mut dyn Write) -> io::Result<()> {
    if let Some(b) = &s.bench {
        writeln!(
            w,
            "<details><summary>bench · <code>{}</code></summary>",
            html(&b.input)
        )?;
        writeln!(w)?;
        if let Some(e) = &b.error {
            writeln!(w, "Stopped: {}", cell(e))?;
            writeln!(w)?;
        }
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
                m.median_peak_rss_bytes
                    .map_or("—".into(), |b| format!("{:.1} MiB", b as f64 / 1048576.0))
            )?;
        }
        if let Some(x) = b.slowdown {
            writeln!(w)?;
            writeln!(w, "Candidate / baseline median time: **{}×**", fmt_float(x))?;
        }
        writeln!(w)?;
        writeln!(w, "</details>")?;
        writeln!(w)?;
    }
    for src in &s.sources {
        let failed = src
            .checks
            .iter()
            .filter(|c| c.status != Status::Pass)
            .count();
        writeln!(
            w,
            "<details><summary>{} · {} check{}{}</summary>",
            html(&src.name),
            src.checks.len(),
            if src.checks.len() == 1 { "" } else { "s" },
            if failed > 0 {
                format!(", {failed} not passed")
            } else {
                String::new()
            }
        )?;
        writeln!(w)?;
        if let Some(e) = &src.error {
            writeln!(w, "Cannot read `{}`: {}", code(&src.path), cell(e))?;
            writeln!(w)?;
        }
        check_table(&src.checks, w)?;
        writeln!(w, "</details>")?;
        writeln!(w)?;
    }
    if let Some(d) = &s.diff {
        writeln!(
            w,
            "<details><summary>diff {} → {} · {} in both, {} missing, {} added</summary>",
            html(&d.baseline),
            html(&d.candidate),
            d.rows.both,
            d.rows.only_baseline,
            d.rows.only_candidate
        )?;
        writeln!(w)?;
        if let Some(e) = &d.error {
            writeln!(w, "Not computed: {}", cell(e))?;
            writeln!(w)?;
        }
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
                    c.changed_rate.map_or("—".into(), fmt_float),
                    p99.map_or("—".into(), fmt_float)
                )?;
            }
            writeln!(w)?;
        }
        if let Some(q) = &d.quality {
            writeln!(w, "| metric | baseline | candidate | Δ |")?;
            writeln!(w, "|---|---|---|---|")?;
            for m in &q.metrics {
                let v = |x: Option<f64>| x.map_or("—".into(), fmt_float);
                writeln!(
                    w,
                    "| {} | {} | {} | {} |",
                    m.metric.keyword(),
                    v(m.baseline),
                    v(m.candidate),
                    m.delta.map_or("—".into(), crate::diff::signed)
                )?;
            }
            writeln!(w)?;
        }
        check_table(&d.gates, w)?;
        writeln!(w, "</details>")?;
        writeln!(w)?;
    }
    for d in &s.drift {
        let drifted = d.checks.iter().filter(|c| c.status != Status::Pass).count();
        writeln!(
            w,
            "<details><summary>drift {} vs {} · {} column{}{}</summary>",
            html(&d.source),
            html(&d.reference),
            d.checks.len(),
            if d.checks.len() == 1 { "" } else { "s" },
            if drifted > 0 {
                format!(", {drifted} not passed")
            } else {
                String::new()
            }
        )?;
        writeln!(w)?;
        if let Some(e) = &d.error {
            writeln!(w, "Not measured: {}", cell(e))?;
            writeln!(w)?;
        }
        check_table(&d.checks, w)?;
        writeln!(w, "</details>")?;
        writeln!(w)?;
    }
    if let Some(c) = &s.compare {
        compare(c, w)?;
    }
    Ok(())
}

/// The comparison's wide table: an environment per column, `✗` where a
/// value is outside tolerance of the reference's.
fn compare(c: &crate::compare::CompareReport, w: &mut dyn Write) -> io::Result<()> {
    use crate::compare::{show, show_delta};
    let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
    let differing = c.rows.iter().filter(|r| r.status != Status::Pass).count();
    writeln!(
        w,
        "<details><summary>compare {} against {} · {} aggregate{}{}</summary>",
        html(&names[1..].join(", ")),
        html(names[0]),
        c.rows.len(),
        if c.rows.len() == 1 { "" } else { "s" },
        if differing > 0 {
            format!(", {differing} differ")
        } else {
            String::new()
        }
    )?;
    writeln!(w)?;
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
                "| {} | {}{} |",
                cell(r.column.as_deref().unwrap_or("(table)")),
                r.metric,
                if r.approximate { " ≈" } else { "" }
            )?;
            for (i, v) in r.values.iter().enumerate() {
                let mut text = show(v);
                if let Some(d) = r.deltas[i].as_ref().filter(|d| d.abs != 0.0) {
                    text = format!("{text} {}", show_delta(d));
                }
                if r.differs[i] {
                    text = format!("**{text}** ✗");
                }
                write!(w, " {} |", cell(&text))?;
            }
            let status = match r.status {
                Status::Error => "ERROR",
                _ if r.approximate => "estimate",
                Status::Fail => "FAIL",
                Status::Pass => "ok",
            };
            writeln!(w, " {status} |")?;
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
    writeln!(w, "</details>")?;
    writeln!(w)
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
    fn cells_cannot_break_a_table() {
        assert_eq!(cell("a|b`c\nd<e>&"), "a\\|b\\`c<br>d&lt;e&gt;&amp;");
        let long = "é".repeat(300);
        assert_eq!(cell(&long).chars().count(), MAX_CELL);
        assert!(cell(&long).ends_with('…'));
    }
}
