//! The HTML report (`--html FILE`): one self-contained page a person opens
//! to see at a glance what failed and why. The verdict and counts come
//! first, then every failure, error and warning of the run, then each suite
//! section by section (bench, sources, diff) with the charts of
//! `super::svg`. Inline CSS and a system font stack, no script, no network:
//! the page works from a CI artifact on any machine. Same report, same
//! bytes. Status is always written as a word (PASS, FAIL, WARN, ERROR);
//! colour only repeats it.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::console::plural;
use super::svg;
use super::{Report, SourceReport, SuiteReport, Verdict};
use crate::bench::{BenchReport, ModelTiming};
use crate::check::{CheckResult, Status};
use crate::diff::{key_text, signed, ColumnDiff, DiffReport, Label};
use crate::metric::value::fmt_float;
use crate::spec::Severity;

/// How many labels a transition table may have to be shown as a matrix.
const MATRIX_LABELS: usize = 8;
/// How many transitions are listed when there are too many for a matrix.
const LISTED_TRANSITIONS: usize = 10;

pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(page(r).as_bytes())
}

/// Escapes text for HTML content and attribute values alike.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One titled part of a suite: the bench, a source, the diff. The contents
/// and the page body are both built from these, so a new kind of section
/// (drift, history) is one more function returning a `Section`.
struct Section {
    id: String,
    title: String,
    /// The section's checks by label, for the contents.
    tally: Tally,
    body: String,
}

/// Checks by the label a person sees, worst first: FAIL, ERROR, WARN, PASS.
#[derive(Default)]
struct Tally([usize; 4]);

const LABELS: [&str; 4] = ["FAIL", "ERROR", "WARN", "PASS"];

impl Tally {
    fn of<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> Tally {
        let mut t = Tally::default();
        for c in checks {
            t.0[rank(c) as usize] += 1;
        }
        t
    }

    /// `2 FAIL · 5 PASS`, or `no checks`.
    fn text(&self) -> String {
        let parts: Vec<String> = LABELS
            .iter()
            .zip(self.0)
            .filter(|(_, n)| *n > 0)
            .map(|(l, n)| format!("{n} {l}"))
            .collect();
        if parts.is_empty() {
            "no checks".into()
        } else {
            parts.join(" · ")
        }
    }
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

/// The whole page.
pub fn page(r: &Report) -> String {
    let suites: Vec<Vec<Section>> = r
        .suites
        .iter()
        .enumerate()
        .map(|(i, s)| sections(i, s))
        .collect();
    let files: Vec<&str> = r.suites.iter().map(|s| s.file.as_str()).collect();
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>verdict {} — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        verdict_word(r.verdict),
        esc(&files.join(", "))
    );
    h.push_str(&headline(r));
    h.push_str(&contents(r, &suites));
    h.push_str(&failures(r));
    for (i, (suite, sections)) in r.suites.iter().zip(&suites).enumerate() {
        let _ = writeln!(
            h,
            "<section class=\"suite\" id=\"s{i}\" aria-labelledby=\"s{i}-h\">\n\
             <h2 id=\"s{i}-h\">suite <code>{}</code></h2>",
            esc(&suite.file)
        );
        for s in sections {
            let _ = writeln!(
                h,
                "<section class=\"card\" id=\"{}\" aria-labelledby=\"{0}-h\">\n\
                 <h3 id=\"{0}-h\">{} <span class=\"tally\">{}</span></h3>\n{}</section>",
                s.id,
                s.title,
                esc(&s.tally.text()),
                s.body
            );
        }
        h.push_str("</section>\n");
    }
    h.push_str(
        "<footer>Written by verdict. A self-contained page: no scripts, no network.</footer>\n\
         </main>\n</body>\n</html>\n",
    );
    h
}

/// The sections of one suite, in the order the console shows them.
fn sections(i: usize, s: &SuiteReport) -> Vec<Section> {
    let mut out = Vec::new();
    if let Some(b) = &s.bench {
        out.push(bench_section(format!("s{i}-bench"), b));
    }
    for (j, src) in s.sources.iter().enumerate() {
        out.push(source_section(format!("s{i}-src{j}"), src));
    }
    if let Some(d) = &s.diff {
        out.push(diff_section(format!("s{i}-diff"), d));
    }
    for (j, d) in s.drift.iter().enumerate() {
        out.push(drift_section(format!("s{i}-drift{j}"), d));
    }
    if let Some(c) = &s.compare {
        out.push(compare_section(format!("s{i}-compare"), c));
    }
    out
}

/// The comparison: environments, then the wide table (an environment per
/// column, values outside tolerance marked), the schema differences, the
/// checks.
fn compare_section(id: String, c: &crate::compare::CompareReport) -> Section {
    use crate::compare::{show, show_delta};
    let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
    let mut body = String::from("<ul class=\"facts\">\n");
    for e in &c.environments {
        let what = match (&e.error, e.rows) {
            (Some(err), _) => format!("<span class=\"problem\">{}</span>", esc(err)),
            (None, Some(n)) => format!("{n} rows · {}", secs2(e.seconds)),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            body,
            "<li><b>{}</b> <code>{}</code> {what}</li>",
            esc(&e.name),
            esc(&e.path)
        );
    }
    body.push_str("</ul>\n");
    let mut head = vec!["column".to_string(), "metric".to_string()];
    head.push(format!("{} (reference)", esc(names[0])));
    head.extend(names[1..].iter().map(|n| esc(n)));
    head.push("status".into());
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![
                esc(r.column.as_deref().unwrap_or("(table)")),
                format!("{}{}", r.metric, if r.approximate { " ≈" } else { "" }),
            ];
            for (i, v) in r.values.iter().enumerate() {
                let mut text = esc(&show(v));
                if let Some(d) = r.deltas[i].as_ref().filter(|d| d.abs != 0.0) {
                    text = format!("{text} <small>{}</small>", esc(&show_delta(d)));
                }
                if r.differs[i] {
                    text = format!("<mark>{text} ✗</mark>");
                }
                row.push(format!("#{text}"));
            }
            row.push(
                match r.status {
                    Status::Error => "ERROR",
                    _ if r.approximate => "estimate",
                    Status::Fail => "FAIL",
                    Status::Pass => "ok",
                }
                .into(),
            );
            row
        })
        .collect();
    let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
    body.push_str(&table(
        "compare",
        "Aggregates by environment",
        &head_refs,
        &rows,
    ));
    if !c.schema_differences.is_empty() {
        let mut head = vec!["column".to_string()];
        head.extend(names.iter().map(|n| esc(n)));
        let rows: Vec<Vec<String>> = c
            .schema_differences
            .iter()
            .map(|d| {
                let mut row = vec![esc(&d.column)];
                row.extend(
                    d.types
                        .iter()
                        .map(|t| esc(t.as_deref().unwrap_or("(missing)"))),
                );
                row
            })
            .collect();
        let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
        body.push_str(&table("schema", "Schema differences", &head_refs, &rows));
    }
    body.push_str(&checks_table(&c.checks, &id));
    Section {
        id,
        title: format!("compare <code>{}</code>", esc(&names.join(", "))),
        tally: Tally::of(&c.checks),
        body,
    }
}

fn drift_section(id: String, d: &crate::drift::DriftReport) -> Section {
    let rows = |r: Option<u64>| r.map_or("?".to_string(), |n| n.to_string());
    let mut body = format!(
        "<p class=\"facts\">against {}<code>{}</code> · {} current rows, {} reference rows · {}</p>\n",
        if d.reference_kind == "saved" { "the saved reference " } else { "" },
        esc(&d.reference),
        rows(d.rows_current),
        rows(d.rows_reference),
        secs2(d.seconds)
    );
    if let Some(e) = &d.error {
        let _ = writeln!(
            body,
            "<p class=\"problem\"><b>Cannot measure drift:</b> {}</p>",
            esc(e)
        );
    }
    body.push_str(&checks_table(&d.checks, &id));
    let mut charts = String::new();
    for (k, c) in d
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.bins.is_empty())
    {
        let rows: Vec<Vec<String>> = c
            .bins
            .iter()
            .map(|b| {
                vec![
                    esc(&b.label),
                    num(b.reference.to_string()),
                    num(b.current.to_string()),
                ]
            })
            .collect();
        let method = c.why_method.as_deref().unwrap_or("");
        let _ = write!(
            charts,
            "<figure class=\"hist\">\n<figcaption><code>{}</code>: {}{}</figcaption>\n{}\n<details><summary>Table of this chart</summary>\n{}</details>\n</figure>\n",
            esc(&c.column),
            esc(method),
            c.note.as_deref().map(|n| format!(" — {}", esc(n))).unwrap_or_default(),
            svg::drift_bars(&format!("{id}-h{k}"), &c.column, &c.bins),
            table("bins", "", &["bin", "reference", "current"], &rows)
        );
    }
    if !charts.is_empty() {
        let _ = write!(
            body,
            "<h4>Reference against current</h4>\n<div class=\"charts\">\n{charts}</div>\n"
        );
    }
    Section {
        id,
        title: format!("drift <code>{}</code>", esc(&d.source)),
        tally: Tally::of(&d.checks),
        body,
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
        Verdict::Error => "ERROR",
    }
}

/// A status as a word in a coloured box, with a shape for those who cannot
/// tell the colours apart.
fn badge(label: &str) -> String {
    let icon = match label {
        "PASS" => "✓",
        "FAIL" => "✗",
        "WARN" => "!",
        _ => "?",
    };
    format!(
        "<span class=\"st st-{}\"><span aria-hidden=\"true\">{icon}</span> {label}</span>",
        label.to_ascii_lowercase()
    )
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", plural(n))
}

/// The verdict, the exit code and the counts.
fn headline(r: &Report) -> String {
    let s = &r.summary;
    let sentence = match r.verdict {
        Verdict::Pass => format!("every one of {} passed", count(s.checks, "check")),
        Verdict::Warn => format!("passed, with {}", count(s.warnings, "warning")),
        Verdict::Fail if s.failed == 0 => format!(
            "{} failed the gate (--strict)",
            count(s.warnings, "warning")
        ),
        Verdict::Fail => format!("{} failed", count(s.failed, "check")),
        Verdict::Error if s.checks == 0 => "nothing was checked".to_string(),
        Verdict::Error if s.errors == 0 => {
            format!("{} could not be read", count(s.source_errors, "source"))
        }
        Verdict::Error => format!("{} could not be evaluated", count(s.errors, "check")),
    };
    let tiles = [
        (s.checks, "checks", ""),
        (s.passed, "passed", "pass"),
        (s.failed, "failed", "fail"),
        (s.warnings, "warnings", "warn"),
        (s.errors, "not evaluated", "error"),
        (s.source_errors, "sources unreadable", "error"),
    ];
    let mut li = String::new();
    for (n, what, class) in tiles {
        let class = if n > 0 && !class.is_empty() {
            format!(" class=\"n-{class}\"")
        } else {
            String::new()
        };
        let _ = write!(li, "<li{class}><b>{n}</b> {what}</li>");
    }
    let word = verdict_word(r.verdict);
    format!(
        "<header class=\"card head v-{}\">\n<p class=\"eyebrow\">verdict report</p>\n\
         <h1>{} <span>{}</span></h1>\n\
         <p class=\"meta\">exit code <b>{}</b> · {:.2} s · now = <code>{}</code>{}</p>\n\
         <ul class=\"counts\">{li}</ul>\n</header>\n",
        word.to_ascii_lowercase(),
        badge(word),
        esc(&sentence),
        r.exit_code,
        r.seconds,
        esc(&r.now),
        if r.strict {
            " · --strict: failed warnings fail the gate"
        } else {
            ""
        }
    )
}

/// Links to every section, each with its tally.
fn contents(r: &Report, suites: &[Vec<Section>]) -> String {
    let shown = r.summary.failed + r.summary.errors + r.summary.warnings;
    let mut h = format!(
        "<nav class=\"card toc\" aria-label=\"Contents\">\n<ol>\n\
         <li><a href=\"#failures\">Failures, errors and warnings</a> <span class=\"tally\">{shown}</span></li>\n"
    );
    for (i, (suite, sections)) in r.suites.iter().zip(suites).enumerate() {
        let _ = write!(
            h,
            "<li><a href=\"#s{i}\">suite <code>{}</code></a>\n<ol>",
            esc(&suite.file)
        );
        for s in sections {
            let _ = write!(
                h,
                "<li><a href=\"#{}\">{}</a> <span class=\"tally\">{}</span></li>",
                s.id,
                s.title,
                esc(&s.tally.text())
            );
        }
        h.push_str("</ol></li>\n");
    }
    h.push_str("</ol>\n</nav>\n");
    h
}

/// A check that did not pass, with where it lives on the page.
struct Problem<'a> {
    anchor: String,
    place: String,
    check: &'a CheckResult,
}

/// Every check that did not pass, worst first, and every unreadable source.
fn failures(r: &Report) -> String {
    let (mut problems, unreadable) = problems(r);
    problems.sort_by_key(|p| rank(p.check));
    let worst = match problems.first() {
        _ if !unreadable.is_empty() => "error",
        Some(p) => p.check.label(),
        None => "pass",
    };
    let mut h = format!(
        "<section class=\"card failures v-{}\" id=\"failures\" aria-labelledby=\"failures-h\">\n\
         <h2 id=\"failures-h\">Failures, errors and warnings</h2>\n",
        worst.to_ascii_lowercase()
    );
    if !unreadable.is_empty() {
        let _ = writeln!(h, "<ul class=\"problems\">{}</ul>", unreadable.join(""));
    }
    if !problems.is_empty() {
        h.push_str(&problems_table(&problems));
    } else if r.summary.checks == 0 {
        h.push_str("<p>No check was evaluated: a run that checks nothing does not pass.</p>\n");
    } else if unreadable.is_empty() {
        h.push_str("<p>Nothing failed.</p>\n");
    }
    h.push_str("</section>\n");
    h
}

/// The checks that did not pass, in page order, and a list item per
/// unreadable source.
fn problems(r: &Report) -> (Vec<Problem<'_>>, Vec<String>) {
    let mut problems = Vec::new();
    let mut unreadable = Vec::new();
    for (i, s) in r.suites.iter().enumerate() {
        let suite = if r.suites.len() > 1 {
            format!("{} · ", s.file)
        } else {
            String::new()
        };
        let mut parts: Vec<(String, String, &[CheckResult])> = Vec::new();
        if let Some(b) = &s.bench {
            parts.push((format!("s{i}-bench"), format!("{suite}bench"), &b.gates));
        }
        for (j, src) in s.sources.iter().enumerate() {
            let place = format!("{suite}source {}", src.name);
            if let Some(e) = &src.error {
                unreadable.push(format!(
                    "<li>{} <a href=\"#s{i}-src{j}\">{}</a> (<code>{}</code>) could not be read: {}</li>",
                    badge("ERROR"),
                    esc(&place),
                    esc(&src.path),
                    esc(e)
                ));
            }
            parts.push((format!("s{i}-src{j}"), place, &src.checks));
        }
        if let Some(d) = &s.diff {
            parts.push((format!("s{i}-diff"), format!("{suite}diff"), &d.gates));
        }
        for (j, d) in s.drift.iter().enumerate() {
            parts.push((
                format!("s{i}-drift{j}"),
                format!("{suite}drift {}", d.source),
                &d.checks,
            ));
        }
        if let Some(c) = &s.compare {
            parts.push((
                format!("s{i}-compare"),
                format!("{suite}compare"),
                &c.checks,
            ));
        }
        for (id, place, checks) in parts {
            for (k, c) in checks.iter().enumerate() {
                if c.status != Status::Pass {
                    problems.push(Problem {
                        anchor: format!("{id}-c{k}"),
                        place: place.clone(),
                        check: c,
                    });
                }
            }
        }
    }
    (problems, unreadable)
}

fn problems_table(problems: &[Problem]) -> String {
    let mut h = String::from(
        "<div class=\"scroll\"><table class=\"checks\">\n<thead><tr><th scope=\"col\">status</th>\
         <th scope=\"col\">check</th><th scope=\"col\">where</th><th scope=\"col\">observed</th>\
         <th scope=\"col\">expected</th><th scope=\"col\">why</th></tr></thead>\n<tbody>\n",
    );
    for p in problems {
        let c = p.check;
        let _ = writeln!(
            h,
            "<tr class=\"r-{}\"><td>{}</td><td class=\"name\"><a href=\"#{}\">{}</a></td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            c.label().to_ascii_lowercase(),
            badge(c.label()),
            p.anchor,
            esc(&c.name),
            esc(&p.place),
            observed(c),
            esc(&c.expected),
            why(c)
        );
    }
    h.push_str("</tbody></table></div>\n");
    h
}

fn observed(c: &CheckResult) -> String {
    if c.observed_text.is_empty() {
        "<span class=\"muted\">—</span>".into()
    } else {
        esc(&c.observed_text)
    }
}

/// The reason, then the offending values when there are some.
fn why(c: &CheckResult) -> String {
    let mut h = esc(c.why.as_deref().unwrap_or(""));
    if !c.sample.is_empty() {
        let shown: Vec<String> = c
            .sample
            .iter()
            .map(|s| {
                format!(
                    "<code>{}</code> ({} row{})",
                    esc(&s.value.to_string()),
                    s.rows,
                    if s.rows == 1 { "" } else { "s" }
                )
            })
            .collect();
        let _ = write!(h, "<br><span class=\"eg\">e.g. {}</span>", shown.join(", "));
    }
    h
}

/// A table of checks, failures first; a failed schema contract's diff in the
/// row under it.
fn checks_table(checks: &[CheckResult], prefix: &str) -> String {
    if checks.is_empty() {
        return String::new();
    }
    let mut order: Vec<(usize, &CheckResult)> = checks.iter().enumerate().collect();
    order.sort_by_key(|(_, c)| rank(c));
    let mut h = String::from(
        "<div class=\"scroll\"><table class=\"checks\">\n<thead><tr><th scope=\"col\">status</th>\
         <th scope=\"col\">check</th><th scope=\"col\">observed</th><th scope=\"col\">expected</th>\
         <th scope=\"col\">severity</th><th scope=\"col\">why</th></tr></thead>\n<tbody>\n",
    );
    for (k, c) in order {
        let _ = writeln!(
            h,
            "<tr id=\"{prefix}-c{k}\" class=\"r-{}\"><td>{}</td><td class=\"name\">{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            c.label().to_ascii_lowercase(),
            badge(c.label()),
            esc(&c.name),
            observed(c),
            esc(&c.expected),
            c.severity,
            why(c)
        );
        if let Some(d) = &c.diff {
            let _ = writeln!(
                h,
                "<tr class=\"detail\"><td></td><td colspan=\"5\">{} — expected vs actual schema:\
                 <pre class=\"schema-diff\">{}</pre></td></tr>",
                esc(&c.name),
                schema_diff(d)
            );
        }
    }
    h.push_str("</tbody></table></div>\n");
    h
}

/// A unified diff with removed and added lines marked (the `-`/`+` stay).
fn schema_diff(d: &str) -> String {
    let lines: Vec<String> = d
        .lines()
        .map(|l| {
            let class = match l.chars().next() {
                _ if l.starts_with("---") || l.starts_with("+++") => None,
                Some('-') => Some("del"),
                Some('+') => Some("ins"),
                _ => None,
            };
            match class {
                Some(c) => format!("<span class=\"{c}\">{}</span>", esc(l)),
                None => esc(l),
            }
        })
        .collect();
    lines.join("\n")
}

fn secs2(x: f64) -> String {
    format!("{x:.2} s")
}

/// A simple table: a header row and rows of cells already escaped; cells
/// that start with `#` are numbers (right-aligned, the `#` dropped).
fn table(class: &str, caption: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut h = format!("<div class=\"scroll\"><table class=\"{class}\">");
    if !caption.is_empty() {
        let _ = write!(h, "<caption>{caption}</caption>");
    }
    h.push_str("\n<thead><tr>");
    for c in head {
        let _ = write!(h, "<th scope=\"col\">{c}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        h.push_str("<tr>");
        for cell in row {
            match cell.strip_prefix('#') {
                Some(n) => {
                    let _ = write!(h, "<td class=\"num\">{n}</td>");
                }
                None => {
                    let _ = write!(h, "<td>{cell}</td>");
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    h
}

/// A number cell for [`table`].
fn num(s: impl AsRef<str>) -> String {
    format!("#{}", esc(s.as_ref()))
}

fn opt(x: Option<f64>) -> String {
    x.map_or("—".into(), fmt_float)
}

fn source_section(id: String, src: &SourceReport) -> Section {
    let mut facts = vec![format!("<code>{}</code>", esc(&src.path))];
    if let Some(f) = src.format {
        facts.push(esc(f));
    }
    if let Some(n) = src.files {
        facts.push(count(n, "file"));
    }
    if let Some(rows) = src.rows {
        facts.push(format!("{rows} row{}", if rows == 1 { "" } else { "s" }));
    }
    let scan_secs: f64 = src.scans.iter().map(|s| s.seconds).sum();
    facts.push(format!(
        "{} quer{} in {}",
        src.scans.len(),
        if src.scans.len() == 1 { "y" } else { "ies" },
        secs2(src.load_seconds + scan_secs)
    ));
    let meta = src.scans.iter().filter(|s| s.from_metadata).count();
    if meta > 0 {
        facts.push(format!("{meta} answered from metadata"));
    }
    let mut body = format!("<p class=\"facts\">{}</p>\n", facts.join(" · "));
    if let Some(e) = &src.error {
        let _ = writeln!(
            body,
            "<p class=\"problem\"><b>Cannot read the source:</b> {}</p>",
            esc(e)
        );
    }
    body.push_str(&checks_table(&src.checks, &id));
    if !src.scans.is_empty() {
        let rows: Vec<Vec<String>> = src
            .scans
            .iter()
            .map(|s| {
                vec![
                    esc(s.kind),
                    esc(&s.label),
                    num(secs2(s.seconds)),
                    if s.from_metadata { "yes" } else { "no" }.into(),
                ]
            })
            .collect();
        let _ = write!(
            body,
            "<details><summary>Queries run ({})</summary>\n{}</details>\n",
            src.scans.len(),
            table(
                "scans",
                "",
                &["kind", "computed", "time", "from metadata"],
                &rows
            )
        );
    }
    Section {
        id,
        title: format!("source <code>{}</code>", esc(&src.name)),
        tally: Tally::of(&src.checks),
        body,
    }
}

// ---- bench ------------------------------------------------------------------

fn secs3(x: f64) -> String {
    format!("{} s", fmt_float((x * 1000.0).round() / 1000.0))
}

fn bench_section(id: String, b: &BenchReport) -> Section {
    let mut body = format!(
        "<p class=\"facts\">input <code>{}</code> · {} after {}, interleaved baseline, candidate, … · \
         timeout {} per run · {} in all</p>\n",
        esc(&b.input),
        count(b.runs, "run"),
        count(b.warmup, "warm-up"),
        secs3(b.timeout_seconds),
        secs2(b.seconds)
    );
    if let Some(e) = &b.error {
        let _ = writeln!(
            body,
            "<div class=\"problem\"><b>The bench stopped:</b><pre>{}</pre></div>",
            esc(e)
        );
    }
    body.push_str(&checks_table(&b.gates, &id));
    let models = [("baseline", &b.baseline), ("candidate", &b.candidate)];
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|(name, m)| {
            let s = |x: Option<f64>| num(x.map_or("—".into(), secs3));
            vec![
                format!("<b>{name}</b>"),
                s(m.median_seconds),
                s(m.min_seconds),
                s(m.p95_seconds),
                s(m.max_seconds),
                num(m.median_peak_rss_bytes.map_or("—".into(), svg::mib)),
                num(m.runs.iter().filter(|r| !r.warmup).count().to_string()),
                command(m),
            ]
        })
        .collect();
    body.push_str(&table(
        "bench",
        "",
        &[
            "model", "median", "min", "p95", "max", "peak RSS", "runs", "command",
        ],
        &rows,
    ));
    if let (Some(s), Some(m)) = (b.slowdown, b.memory_ratio) {
        let _ = writeln!(
            body,
            "<p>Candidate vs baseline: <b>{}×</b> the median time, <b>{}×</b> the peak memory.</p>",
            fmt_float((s * 1000.0).round() / 1000.0),
            fmt_float((m * 1000.0).round() / 1000.0)
        );
    }
    if b.baseline
        .runs
        .iter()
        .chain(&b.candidate.runs)
        .next()
        .is_some()
    {
        let _ = write!(
            body,
            "<div class=\"charts\"><figure>{}<figcaption>Every run's wall time; the median \
             counts measured runs only.</figcaption></figure>\n<figure>{}<figcaption>Median peak \
             RSS of the largest process in each command's tree.</figcaption></figure></div>\n{}",
            svg::bench_times(&format!("{id}-time"), b),
            svg::bench_memory(&format!("{id}-rss"), b),
            runs_table(b)
        );
    }
    Section {
        id,
        title: "bench".into(),
        tally: Tally::of(&b.gates),
        body,
    }
}

fn command(m: &ModelTiming) -> String {
    match &m.output {
        Some(o) => format!("<code>{}</code> → <code>{}</code>", esc(&m.command), esc(o)),
        None => format!("<code>{}</code>", esc(&m.command)),
    }
}

/// Every run of both models, in the order they ran.
fn runs_table(b: &BenchReport) -> String {
    let mut rows = Vec::new();
    for (name, m) in [("baseline", &b.baseline), ("candidate", &b.candidate)] {
        for (label, r) in svg::run_labels(m).into_iter().zip(&m.runs) {
            rows.push(vec![
                name.to_string(),
                label,
                num(secs3(r.seconds)),
                num(svg::mib(r.peak_rss_bytes)),
            ]);
        }
    }
    format!(
        "<details><summary>Every run ({})</summary>\n{}</details>\n",
        rows.len(),
        table(
            "runs",
            "",
            &["model", "run", "wall time", "peak RSS"],
            &rows
        )
    )
}

// ---- diff -------------------------------------------------------------------

fn diff_section(id: String, d: &DiffReport) -> Section {
    let t = &d.timings;
    let mut timing: Vec<String> = t
        .key_scans
        .iter()
        .map(|k| format!("{} keys {}", k.side, secs2(k.seconds)))
        .collect();
    timing.push(format!("join and compare {}", secs2(t.compare_seconds)));
    let mut body = format!(
        "<p class=\"facts\">baseline <code>{}</code> → candidate <code>{}</code> · key <code>{}</code> · {}</p>\n",
        esc(&d.baseline),
        esc(&d.candidate),
        esc(&d.key.join(", ")),
        timing.join(", ")
    );
    if let Some(e) = &d.error {
        let _ = writeln!(
            body,
            "<p class=\"problem\"><b>The diff could not be computed:</b> {}</p>",
            esc(e)
        );
        body.push_str(&checks_table(&d.gates, &id));
    } else {
        body.push_str(&rows_summary(d));
        if !d.gates.is_empty() {
            body.push_str("<h4>Gates</h4>\n");
            body.push_str(&checks_table(&d.gates, &id));
        }
        body.push_str(&columns(d));
        body.push_str(&histograms(&id, d));
        body.push_str(&quality(d));
        body.push_str(&transitions(d));
        body.push_str(&top_rows(d));
    }
    Section {
        id,
        title: format!(
            "diff <code>{}</code> → <code>{}</code>",
            esc(&d.baseline),
            esc(&d.candidate)
        ),
        tally: Tally::of(&d.gates),
        body,
    }
}

/// Sample keys, `(first 5 of 1000 by key)` when there are more.
fn sample_keys(sample: &[serde_json::Map<String, serde_json::Value>], n: u64) -> String {
    let keys: Vec<String> = sample
        .iter()
        .map(|k| format!("<code>{}</code>", esc(&key_text(k))))
        .collect();
    let more = if (sample.len() as u64) < n {
        format!(" (first {} of {n} by key)", sample.len())
    } else {
        String::new()
    };
    format!("{}{more}", keys.join(", "))
}

fn rows_summary(d: &DiffReport) -> String {
    let r = &d.rows;
    let mut rows = vec![
        vec!["in both".into(), num(r.both.to_string()), String::new()],
        vec![
            "only in the baseline (missing from the candidate)".into(),
            num(r.only_baseline.to_string()),
            sample_keys(&r.only_baseline_sample, r.only_baseline),
        ],
        vec![
            "only in the candidate (added)".into(),
            num(r.only_candidate.to_string()),
            sample_keys(&r.only_candidate_sample, r.only_candidate),
        ],
    ];
    for (side, n) in ["baseline", "candidate"].iter().zip(r.null_keys) {
        if n > 0 {
            rows.push(vec![
                format!("{side} rows with a null key (match nothing)"),
                num(n.to_string()),
                String::new(),
            ]);
        }
    }
    for (side, dup) in ["baseline", "candidate"].iter().zip(&r.duplicates) {
        if let Some(dup) = dup.as_ref().filter(|x| x.keys > 0) {
            rows.push(vec![
                format!(
                    "{side} rows with a duplicated key ({})",
                    count(dup.keys as usize, "key")
                ),
                num(dup.rows.to_string()),
                esc(crate::check::key_examples(&dup.sample).trim_start_matches(", e.g. ")),
            ]);
        }
    }
    let mut h = table(
        "rows",
        "Rows matched by key",
        &["rows", "count", "sample keys"],
        &rows,
    );
    for (side, cols) in [
        ("baseline", &d.only_in_baseline_columns),
        ("candidate", &d.only_in_candidate_columns),
    ] {
        if !cols.is_empty() {
            let cols: Vec<String> = cols
                .iter()
                .map(|c| format!("<code>{}</code>", esc(c)))
                .collect();
            let _ = writeln!(
                h,
                "<p>Columns only in the {side} (not compared): {}</p>",
                cols.join(", ")
            );
        }
    }
    if !d.warnings.is_empty() {
        let items: Vec<String> = d
            .warnings
            .iter()
            .map(|w| format!("<li>{}</li>", esc(w)))
            .collect();
        let _ = writeln!(
            h,
            "<ul class=\"warnings\" aria-label=\"warnings\">{}</ul>",
            items.join("")
        );
    }
    h
}

/// Tolerances as written in suites: `1e-6`, `0.001`.
fn tolerance(x: f64) -> String {
    if x < 1e-4 {
        format!("{x:e}")
    } else {
        fmt_float(x)
    }
}

/// `abs 1e-6`, `rel 0.01`: the tolerances that are not 0.
fn tolerances(c: &ColumnDiff) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(a) = c.abs_tol.filter(|a| *a > 0.0) {
        parts.push(format!("abs {}", tolerance(a)));
    }
    if let Some(r) = c.rel_tol.filter(|r| *r > 0.0) {
        parts.push(format!("rel {}", tolerance(r)));
    }
    parts
}

fn column_type(c: &ColumnDiff) -> String {
    let ty = if c.baseline_type == c.candidate_type {
        c.baseline_type.clone()
    } else {
        format!("{} → {}", c.baseline_type, c.candidate_type)
    };
    let parts = tolerances(c);
    if parts.is_empty() {
        ty
    } else {
        format!("{ty} (tol {})", parts.join(", "))
    }
}

fn columns(d: &DiffReport) -> String {
    if d.columns.is_empty() {
        return "<p>No column compared.</p>\n".into();
    }
    let mut rows = Vec::new();
    for c in &d.columns {
        let mut row = vec![
            format!("<code>{}</code>", esc(&c.name)),
            esc(&column_type(c)),
        ];
        if let Some(e) = &c.error {
            row.push(format!("not compared: {}", esc(e)));
            row.extend((0..8).map(|_| String::new()));
            rows.push(row);
            continue;
        }
        row.push(num(if c.null_changes > 0 {
            format!("{} ({} null)", c.changed, c.null_changes)
        } else {
            c.changed.to_string()
        }));
        row.push(num(opt(c.changed_rate)));
        let stats = c.numeric.as_ref().map(|n| {
            [
                n.mean_abs,
                n.p50_abs,
                n.p95_abs,
                n.p99_abs,
                n.max_abs,
                n.mean_shift,
            ]
        });
        row.extend(stats.unwrap_or([None; 6]).map(|x| num(opt(x))));
        rows.push(row);
    }
    let head = super::console_release::COLUMN_HEADERS;
    format!("<h4>Columns</h4>\n{}", table("columns", "", &head, &rows))
}

/// One chart of |Δ| per column that has numeric differences, each with a
/// table of the same bins.
fn histograms(id: &str, d: &DiffReport) -> String {
    let mut h = String::new();
    for (k, c) in d.columns.iter().enumerate() {
        let Some(n) = c.numeric.as_ref().filter(|n| !n.histogram.is_empty()) else {
            continue;
        };
        let rel = c.rel_tol.unwrap_or(0.0);
        let threshold = c.abs_tol.filter(|a| *a > 0.0 && rel == 0.0);
        let rule = match tolerances(c) {
            t if t.is_empty() => "compared exactly: any |Δ| above 0 is a change".into(),
            t => format!("a change is a |Δ| above the tolerance ({})", t.join(", ")),
        };
        let rows: Vec<Vec<String>> = n
            .histogram
            .iter()
            .map(|b| {
                let range = if b.to == 0.0 {
                    "exactly 0".to_string()
                } else {
                    format!("[{}, {})", fmt_float(b.from), fmt_float(b.to))
                };
                vec![range, num(b.rows.to_string())]
            })
            .collect();
        let _ = write!(
            h,
            "<figure class=\"hist\">\n<figcaption><code>{}</code>: |candidate − baseline| over {} \
             — {rule}</figcaption>\n{}\n<details><summary>Table of this chart</summary>\n{}</details>\n</figure>\n",
            esc(&c.name),
            count(n.values as usize, "pair"),
            svg::histogram(&format!("{id}-h{k}"), &c.name, &n.histogram, threshold),
            table("bins", "", &["|Δ|", "rows"], &rows)
        );
    }
    if h.is_empty() {
        return h;
    }
    format!("<h4>Size of the differences</h4>\n<div class=\"charts\">\n{h}</div>\n")
}

fn quality(d: &DiffReport) -> String {
    let Some(q) = &d.quality else {
        return String::new();
    };
    let task = match q.task {
        crate::spec::Task::Classification => "classification",
        crate::spec::Task::Regression => "regression",
    };
    let rows: Vec<Vec<String>> = q
        .metrics
        .iter()
        .map(|m| {
            let verdict = match m.delta {
                Some(0.0) => "same",
                Some(x) if (x > 0.0) == m.metric.higher_is_better() => "better",
                Some(_) => "worse",
                None => "",
            };
            vec![
                format!("<code>{}</code>", m.metric.keyword()),
                num(opt(m.baseline)),
                num(opt(m.candidate)),
                num(m.delta.map_or("—".into(), signed)),
                if verdict.is_empty() {
                    String::new()
                } else {
                    format!("<span class=\"q-{verdict}\">{verdict}</span>")
                },
                esc(m.error.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let caption = format!(
        "Against <code>{}</code> · {task} ({}) · {} scored",
        esc(&q.truth),
        esc(&q.task_reason),
        count(q.rows as usize, "row")
    );
    format!(
        "<h4>Quality against the truth</h4>\n{}",
        table(
            "quality",
            &caption,
            &[
                "metric",
                "baseline",
                "candidate",
                "Δ",
                "candidate is",
                "note"
            ],
            &rows
        )
    )
}

fn transitions(d: &DiffReport) -> String {
    let mut h = String::new();
    for c in &d.columns {
        let Some(tr) = &c.transitions else { continue };
        if tr.flips == 0 {
            continue;
        }
        let mut labels: Vec<&Label> = Vec::new();
        for p in &tr.pairs {
            for l in [&p.from, &p.to] {
                if !labels.contains(&l) {
                    labels.push(l);
                }
            }
        }
        labels.sort();
        let caption = format!(
            "<code>{}</code> — {} (rate {}), old → new",
            esc(&c.name),
            count(tr.flips as usize, "flip"),
            opt(tr.flip_rate)
        );
        let complete = tr.distinct_pairs == tr.pairs.len() && tr.other_rows == 0;
        if complete && labels.len() <= MATRIX_LABELS {
            h.push_str(&matrix(&caption, &labels, tr));
        } else {
            let rows: Vec<Vec<String>> = tr
                .pairs
                .iter()
                .filter(|p| p.from != p.to)
                .take(LISTED_TRANSITIONS)
                .map(|p| {
                    vec![
                        esc(&p.from.to_string()),
                        esc(&p.to.to_string()),
                        num(p.rows.to_string()),
                    ]
                })
                .collect();
            h.push_str(&table(
                "transitions",
                &format!("{caption}: the most frequent changes"),
                &["old", "new", "rows"],
                &rows,
            ));
        }
    }
    if h.is_empty() {
        return h;
    }
    format!("<h4>Label transitions</h4>\n<div class=\"charts\">\n{h}</div>\n")
}

/// Old labels as rows, new ones as columns; changed cells are marked.
fn matrix(caption: &str, labels: &[&Label], tr: &crate::diff::Transitions) -> String {
    let mut h = format!(
        "<div class=\"scroll\"><table class=\"matrix\"><caption>{caption}</caption>\n\
         <thead><tr><th scope=\"col\">old \\ new</th>"
    );
    for l in labels {
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"num\">{}</th>",
            esc(&l.to_string())
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for from in labels {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(&from.to_string()));
        for to in labels {
            let n = tr
                .pairs
                .iter()
                .find(|p| &&p.from == from && &&p.to == to)
                .map_or(0, |p| p.rows);
            let class = match (from == to, n) {
                (true, _) => "num same",
                (false, 0) => "num",
                (false, _) => "num flip",
            };
            let _ = write!(h, "<td class=\"{class}\">{n}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    h
}

fn top_rows(d: &DiffReport) -> String {
    let mut h = String::new();
    for c in d.columns.iter().filter(|c| !c.top.is_empty()) {
        let numeric = c.numeric.is_some();
        let caption = format!(
            "<code>{}</code> — {} changed row{}{}",
            esc(&c.name),
            if numeric { "most" } else { "first" },
            plural(c.top.len()),
            if numeric {
                " by |Δ|, then key"
            } else {
                " by key"
            }
        );
        let mut head: Vec<String> = d
            .key
            .iter()
            .map(|k| format!("<code>{}</code>", esc(k)))
            .collect();
        head.extend(["baseline", "candidate"].map(String::from));
        if numeric {
            head.push("|Δ|".into());
        }
        let show = |v: &Option<crate::metric::Value>| {
            num(v.as_ref().map_or("null".into(), |v| v.to_string()))
        };
        let rows: Vec<Vec<String>> = c
            .top
            .iter()
            .map(|r| {
                let mut row: Vec<String> = r
                    .key
                    .values()
                    .map(|v| {
                        let one = std::iter::once(("k".to_string(), v.clone())).collect();
                        esc(&key_text(&one))
                    })
                    .collect();
                row.push(show(&r.baseline));
                row.push(show(&r.candidate));
                if numeric {
                    row.push(num(opt(r.abs_diff)));
                }
                row
            })
            .collect();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        h.push_str(&table("top", &caption, &head, &rows));
    }
    if h.is_empty() {
        return h;
    }
    format!("<h4>Most-changed rows</h4>\n<div class=\"charts\">\n{h}</div>\n")
}

/// The page's only styling: light, readable, long values wrap, prints.
/// Okabe–Ito hues (PASS bluish green, FAIL vermillion, WARN orange, ERROR
/// reddish purple) with dark text on light tints for contrast.
const CSS: &str = "
:root{color-scheme:light;--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;
--pass:#009E73;--pass-bg:#e1f3ec;--pass-ink:#005c43;--fail:#D55E00;--fail-bg:#fbe5d8;--fail-ink:#8f3a00;
--warn:#E69F00;--warn-bg:#fdf1d4;--warn-ink:#6b4700;--error:#CC79A7;--error-bg:#f6e4ef;--error-ink:#7a2c5a}
*{box-sizing:border-box}
body{margin:0;background:#eef1f4;color:var(--ink);font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",\"Liberation Sans\",\"DejaVu Sans\",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:20px 20px 40px}
h1,h2,h3,h4{line-height:1.25;margin:0 0 .6em}
h1{font-size:1.7rem;display:flex;flex-wrap:wrap;gap:.5em;align-items:center}
h2{font-size:1.3rem}h3{font-size:1.12rem}h4{font-size:1rem;margin:1.4em 0 .5em}
.suite>h2{margin:28px 0 0}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"Liberation Mono\",\"DejaVu Sans Mono\",monospace;font-size:.88em}
td,th,p,li,code,caption,figcaption,summary,h1,h2,h3{overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:6px 0}
a{color:#0a58ca}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:16px 0}
.head,.failures{border-left:8px solid var(--c,var(--line))}
.v-pass{--c:var(--pass)}.v-warn{--c:var(--warn)}.v-fail{--c:var(--fail)}.v-error{--c:var(--error)}
.eyebrow{margin:0 0 4px;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.08em}
.meta{margin:0;color:var(--muted)}
.counts{list-style:none;display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:14px 0 0}
.counts li{border:1px solid var(--line);border-radius:6px;padding:4px 12px;background:var(--soft)}
.counts b{font-size:1.2rem;margin-right:.2em}
.counts .n-pass{background:var(--pass-bg);border-color:var(--pass)}.counts .n-fail{background:var(--fail-bg);border-color:var(--fail)}
.counts .n-warn{background:var(--warn-bg);border-color:var(--warn)}.counts .n-error{background:var(--error-bg);border-color:var(--error)}
.st{display:inline-block;font-weight:700;font-size:.78rem;letter-spacing:.03em;padding:1px 7px;border-radius:4px;border:1px solid;white-space:nowrap}
h1 .st{font-size:1.4rem;padding:2px 12px}
.st-pass{color:var(--pass-ink);background:var(--pass-bg);border-color:var(--pass)}
.st-fail{color:var(--fail-ink);background:var(--fail-bg);border-color:var(--fail)}
.st-warn{color:var(--warn-ink);background:var(--warn-bg);border-color:var(--warn)}
.st-error{color:var(--error-ink);background:var(--error-bg);border-color:var(--error)}
.toc ol{margin:0;padding-left:1.4em}.toc li{margin:2px 0}
.tally{color:var(--muted);font-size:.85rem;font-weight:400;margin-left:.4em}
.facts{color:var(--muted);margin:0 0 10px}
.scroll{overflow-x:auto;margin:8px 0}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
thead th{background:var(--soft);color:var(--muted);font-size:.82rem;font-weight:600;border-bottom:2px solid var(--line)}
.num{text-align:right;font-variant-numeric:tabular-nums}
table.checks td:first-child{width:1%}
td.name{font-weight:600;min-width:8em}
tr.r-fail{background:#fff7f2}tr.r-error{background:#fcf5f9}tr.r-warn{background:#fffbf0}
tr.r-fail td:first-child{box-shadow:inset 4px 0 var(--fail)}tr.r-error td:first-child{box-shadow:inset 4px 0 var(--error)}
tr.r-warn td:first-child{box-shadow:inset 4px 0 var(--warn)}
tr.detail td{border-top:0}
.schema-diff .del{color:var(--fail-ink);background:var(--fail-bg)}.schema-diff .ins{color:var(--pass-ink);background:var(--pass-bg)}
.eg{color:var(--muted)}.muted{color:var(--muted)}
.problem{border-left:4px solid var(--error);background:var(--error-bg);padding:8px 12px;margin:8px 0}
.problems{padding-left:1.2em}
.warnings li{color:var(--warn-ink)}
.charts{display:flex;flex-wrap:wrap;gap:12px 28px;align-items:flex-start}
.charts>*{flex:0 1 auto;min-width:0;max-width:100%}
figure{margin:8px 0}figcaption{color:var(--muted);font-size:.88rem;margin:4px 0}
.hist figcaption{max-width:36em}
svg.chart{display:block;max-width:100%;height:auto;font-family:inherit}
details{margin:6px 0}summary{cursor:pointer;color:var(--muted)}
table.rows,table.bins,table.scans,table.runs{width:auto}
table.matrix,table.top,table.transitions{width:auto;min-width:min(26em,100%)}
table.rows td:first-child{padding-right:2em}
.matrix td.flip{background:var(--fail-bg);font-weight:700}.matrix td.same{color:var(--muted)}
.q-better{color:var(--pass-ink)}.q-worse{color:var(--fail-ink);font-weight:700}
footer{color:var(--muted);font-size:.85rem;margin-top:24px}
@media print{body{background:#fff}.card{break-inside:avoid;border-color:#999}details{display:block}}
";
