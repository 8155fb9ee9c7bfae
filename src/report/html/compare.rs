//! The card of a comparison: the environments, the wide table (an
//! environment per column, values outside tolerance marked), the schema
//! differences, the checks.

use std::fmt::Write as _;

use super::markup::{checks_table, esc, prose, table};
use crate::compare::CompareReport;
use crate::report::format::secs;

/// The comparison: environments, then the wide table (an environment per
/// column, values outside tolerance marked), the schema differences, the
/// checks.
pub(super) fn body(id: &str, c: &CompareReport) -> String {
    let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
    let mut body = String::from("<ul class=\"facts\">\n");
    for e in &c.environments {
        let what = match (&e.error, e.rows) {
            (Some(err), _) => format!("<span class=\"problem\">{}</span>", prose(err)),
            (None, Some(n)) => format!("{n} rows · {}", secs(e.seconds)),
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
                r.metric_label(),
            ];
            for i in 0..r.values.len() {
                let (value, delta) = r.cell_parts(i);
                let mut text = esc(&value);
                if let Some(d) = delta {
                    text = format!("{text} <small>{}</small>", esc(&d));
                }
                if r.differs[i] {
                    text = format!("<mark>{text} ✗</mark>");
                }
                row.push(format!("#{text}"));
            }
            row.push(r.status_word().into());
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
    body.push_str(&checks_table(&c.checks, id));
    body
}
