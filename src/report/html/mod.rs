//! The HTML report (`--html FILE`): one self-contained page a person opens
//! to see at a glance what failed and why. The verdict and counts come
//! first, then every failure, error and warning of the run, then each suite
//! part by part (`super::part`), one file per kind of part with its charts
//! (`svg`). Inline CSS and a system font stack, no script, no network: the
//! page works from a CI artifact on any machine. Same report, same bytes.
//! Status is always written as a word (PASS, FAIL, WARN, ERROR); colour
//! only repeats it.

mod bench;
mod compare;
mod diff;
mod drift;
mod markup;
mod source;
mod svg;

use std::fmt::Write as _;
use std::io::{self, Write};

use markup::{badge, esc, observed, prose, why, Tally};

use super::format::count;
use super::{Part, Problem, Report, Section, Verdict};

/// The page's only styling: light, readable, long values wrap, prints.
/// Okabe–Ito hues (PASS bluish green, FAIL vermillion, WARN orange, ERROR
/// reddish purple) with dark text on light tints for contrast.
const CSS: &str = include_str!("page.css");

pub fn render(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    w.write_all(page(r).as_bytes())
}

/// One titled card of the page, made from one part of a suite. The
/// contents and the page body are both built from these.
struct Card {
    id: String,
    title: String,
    /// The part's checks by label, for the contents.
    tally: Tally,
    body: String,
}

/// The card of one part: each kind of part has its own file.
fn card(part: &Part) -> Card {
    let id = part.anchor();
    let (title, body) = match part.section {
        Section::Bench(b) => ("bench".to_string(), bench::body(&id, b)),
        Section::Source(s) => (
            format!("source <code>{}</code>", esc(&s.name)),
            source::body(&id, s),
        ),
        Section::Diff(d) => (
            format!(
                "diff <code>{}</code> → <code>{}</code>",
                esc(&d.baseline),
                esc(&d.candidate)
            ),
            diff::body(&id, d),
        ),
        Section::Drift(d) => (
            format!("drift <code>{}</code>", esc(&d.source)),
            drift::body(&id, d),
        ),
        Section::Compare(c) => {
            let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
            (
                format!("compare <code>{}</code>", esc(&names.join(", "))),
                compare::body(&id, c),
            )
        }
    };
    Card {
        tally: Tally::of(part.checks()),
        id,
        title,
        body,
    }
}

/// The whole page.
pub fn page(r: &Report) -> String {
    let suites: Vec<Vec<Card>> = r
        .suites
        .iter()
        .enumerate()
        .map(|(i, s)| s.parts(i).iter().map(card).collect())
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
             <h2 id=\"s{i}-h\">suite <code>{}</code>{}</h2>",
            esc(&suite.file),
            crate::report::format::ran_on(&suite.engine)
                .map(|on| format!(" <small>{}</small>", esc(&on)))
                .unwrap_or_default()
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

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
        Verdict::Error => "ERROR",
    }
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
         <p class=\"meta\">exit code <b>{}</b> · {:.2} s · now = <code>{}</code>{}{}</p>\n\
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
        },
        match &r.selection {
            Some(sel) => format!(" · selected: <code>{}</code>", esc(&sel.text())),
            None => String::new(),
        }
    )
}

/// Links to every section, each with its tally.
fn contents(r: &Report, suites: &[Vec<Card>]) -> String {
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

/// Every check that did not pass, worst first, and every unreadable source.
fn failures(r: &Report) -> String {
    let problems = r.problems();
    let unreadable = unreadable(r);
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
        h.push_str(&problems_table(r, &problems));
    } else if r.summary.checks == 0 {
        h.push_str("<p>No check was evaluated: a run that checks nothing does not pass.</p>\n");
    } else if unreadable.is_empty() {
        h.push_str("<p>Nothing failed.</p>\n");
    }
    h.push_str("</section>\n");
    h
}

/// Where a part is, as the problems table names it.
fn place(r: &Report, part: &Part) -> String {
    let suite = if r.suites.len() > 1 {
        format!("{} · ", part.suite.file)
    } else {
        String::new()
    };
    let what = match part.section {
        Section::Source(s) => format!("source {}", s.name),
        Section::Drift(d) => format!("drift {}", d.source),
        Section::Bench(_) | Section::Diff(_) | Section::Compare(_) => part.kind().to_string(),
    };
    format!("{suite}{what}")
}

/// A list item per source that could not be read.
fn unreadable(r: &Report) -> Vec<String> {
    r.parts()
        .iter()
        .filter_map(|part| match part.section {
            Section::Source(src) => src.error.as_ref().map(|e| {
                format!(
                    "<li>{} <a href=\"#{}\">{}</a> (<code>{}</code>) could not be read: {}</li>",
                    badge("ERROR"),
                    part.anchor(),
                    esc(&place(r, part)),
                    esc(&src.path),
                    prose(e)
                )
            }),
            // Other parts that could not be computed say so in their
            // checks, which are listed as problems.
            Section::Bench(_) | Section::Diff(_) | Section::Drift(_) | Section::Compare(_) => None,
        })
        .collect()
}

fn problems_table(r: &Report, problems: &[Problem]) -> String {
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
            p.anchor(),
            esc(&c.name),
            esc(&place(r, &p.part)),
            observed(c),
            esc(&c.expected),
            why(c)
        );
    }
    h.push_str("</tbody></table></div>\n");
    h
}
