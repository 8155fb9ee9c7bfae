//! The card of one source: what was read and how, its checks, the
//! queries run.

use std::fmt::Write as _;

use super::markup::{checks_table, esc, num, problem, table};
use crate::report::format::{count, count_as, narrowed, secs, stored};
use crate::report::SourceReport;

pub(super) fn body(id: &str, src: &SourceReport) -> String {
    let mut facts = vec![format!("<code>{}</code>", esc(&src.path))];
    if let Some(f) = src.format {
        facts.push(esc(f));
    }
    facts.extend(stored(src.files, src.read.as_ref()));
    facts.extend(narrowed(src.filter.as_deref(), src.files, src.file_reads()).map(|n| esc(&n)));
    if let Some(rows) = src.rows {
        facts.push(count(rows, "row"));
    }
    let scan_secs: f64 = src.scans.iter().map(|s| s.seconds).sum();
    facts.push(format!(
        "{} in {}",
        count_as(src.scans.len(), "query", "queries"),
        secs(src.load_seconds + scan_secs)
    ));
    let meta = src.scans.iter().filter(|s| s.from_metadata).count();
    if meta > 0 {
        facts.push(format!("{meta} answered from metadata"));
    }
    let mut body = format!("<p class=\"facts\">{}</p>\n", facts.join(" · "));
    if let Some(e) = &src.error {
        body.push_str(&problem("Cannot read the source:", e));
    }
    body.push_str(&checks_table(&src.checks, id));
    for c in &src.checks {
        let Some(f) = &c.failed_rows else { continue };
        let rows: Vec<Vec<String>> = f
            .first
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| esc(&crate::check::failed_rows::FailedRows::cell(v)))
                    .collect()
            })
            .collect();
        let head: Vec<String> = f.columns.iter().map(|c| esc(c)).collect();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let _ = write!(
            body,
            "<details><summary>{}: {}</summary>\n{}</details>\n",
            esc(&c.name),
            esc(&f.text()),
            if rows.is_empty() {
                String::new()
            } else {
                table("failed-rows", "", &head, &rows)
            }
        );
    }
    if !src.scans.is_empty() {
        let rows: Vec<Vec<String>> = src
            .scans
            .iter()
            .map(|s| {
                vec![
                    esc(s.kind),
                    esc(&s.label),
                    num(secs(s.seconds)),
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
    body
}
