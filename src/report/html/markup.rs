//! The page's building blocks, shared by every card: escaping, status
//! badges, the table of checks, plain tables with number cells.

use std::fmt::Write as _;

use crate::check::CheckResult;
use crate::report::format::{count, fmt_float};
use crate::report::part::{rank, ranked};

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

/// A message for people: escaped, with each `quoted` name set as code, the
/// way the console and Markdown reports write names. An unpaired backtick
/// stays as it is.
pub(super) fn prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        out.push_str(&esc(&rest[..open]));
        let _ = write!(out, "<code>{}</code>", esc(&rest[open + 1..open + 1 + len]));
        rest = &rest[open + 2 + len..];
    }
    out.push_str(&esc(rest));
    out
}

/// Checks by the label a person sees, worst first: FAIL, ERROR, WARN, PASS.
#[derive(Default)]
pub(super) struct Tally([usize; 4]);

const LABELS: [&str; 4] = ["FAIL", "ERROR", "WARN", "PASS"];

impl Tally {
    pub(super) fn of<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> Tally {
        let mut t = Tally::default();
        for c in checks {
            t.0[rank(c) as usize] += 1;
        }
        t
    }

    /// `2 FAIL · 5 PASS`, or `no checks`.
    pub(super) fn text(&self) -> String {
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

/// A status as a word in a coloured box, with a shape for those who cannot
/// tell the colours apart.
pub(super) fn badge(label: &str) -> String {
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

pub(super) fn observed(c: &CheckResult) -> String {
    if c.observed_text.is_empty() {
        "<span class=\"muted\">—</span>".into()
    } else {
        esc(&c.observed_text)
    }
}

/// The reason, then the offending values when there are some.
pub(super) fn why(c: &CheckResult) -> String {
    let mut h = prose(c.why.as_deref().unwrap_or(""));
    if !c.sample.is_empty() {
        let shown: Vec<String> = c
            .sample
            .iter()
            .map(|s| {
                format!(
                    "<code>{}</code> ({})",
                    esc(&s.value.to_string()),
                    count(s.rows, "row")
                )
            })
            .collect();
        let _ = write!(h, "<br><span class=\"eg\">e.g. {}</span>", shown.join(", "));
    }
    h
}

/// A table of checks, failures first; a failed schema contract's diff in the
/// row under it.
pub(super) fn checks_table(checks: &[CheckResult], prefix: &str) -> String {
    if checks.is_empty() {
        return String::new();
    }
    let order = ranked(checks);
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
pub(super) fn schema_diff(d: &str) -> String {
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

/// A simple table: a header row and rows of cells already escaped; cells
/// that start with `#` are numbers (right-aligned, the `#` dropped).
pub(super) fn table(class: &str, caption: &str, head: &[&str], rows: &[Vec<String>]) -> String {
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
pub(super) fn num(s: impl AsRef<str>) -> String {
    format!("#{}", esc(s.as_ref()))
}

/// A number that may be missing, as a cell text: `—` when it is.
pub(super) fn opt(x: Option<f64>) -> String {
    x.map_or("—".into(), fmt_float)
}

/// Why a part could not be computed: a highlighted paragraph, `label` in
/// bold before the reason.
pub(super) fn problem(label: &str, why: &str) -> String {
    format!("<p class=\"problem\"><b>{label}</b> {}</p>\n", prose(why))
}
