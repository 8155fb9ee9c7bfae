//! The card of a drift: the checks per column, then a chart of the
//! reference against the current bins for each column.

use std::fmt::Write as _;

use super::markup::{checks_table, esc, num, problem, prose, table};
use super::svg;
use crate::drift::DriftReport;
use crate::report::format::secs;

pub(super) fn body(id: &str, d: &DriftReport) -> String {
    let rows = |r: Option<u64>| r.map_or("?".to_string(), |n| n.to_string());
    let mut body = format!(
        "<p class=\"facts\">against {}<code>{}</code> · {} current rows, {} reference rows · {}</p>\n",
        if d.reference_kind == "saved" { "the saved reference " } else { "" },
        esc(&d.reference),
        rows(d.rows_current),
        rows(d.rows_reference),
        secs(d.seconds)
    );
    if let Some(e) = &d.error {
        body.push_str(&problem("Cannot measure drift:", e));
    }
    body.push_str(&checks_table(&d.checks, id));
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
            prose(method),
            c.note
                .as_deref()
                .into_iter()
                .chain(c.sorted_on_disk.then_some(crate::drift::SORTED_ON_DISK))
                .map(|n| format!(" — {}", prose(n)))
                .collect::<String>(),
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
    body
}
