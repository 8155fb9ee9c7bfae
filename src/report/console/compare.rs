//! Console view of a comparison: the environments, one wide table with an
//! environment per column (the reference first, each other value with its
//! difference when it has one, `✗` where it is outside tolerance), the
//! schema differences, and the failed checks with their reasons. The row
//! diffs of `key:` are parts of their own (`report::part`).

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, Color};

use super::table::{checks_table, table, Style};
use crate::check::Status;
use crate::compare::CompareReport;
use crate::report::format::{count, tolerance};

pub(super) fn compare(c: &CompareReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let names: Vec<&str> = c.environments.iter().map(|e| e.name.as_str()).collect();
    writeln!(
        w,
        "compare {} against {} · tolerance {} · {:.2} s",
        names[1..].join(", "),
        names[0],
        tolerance(c.tolerance.max_abs, c.tolerance.max_rel),
        c.seconds
    )?;
    for e in &c.environments {
        let rows = e
            .rows
            .map_or(String::new(), |n| format!(", {}", count(n, "row")));
        match &e.error {
            Some(err) => writeln!(w, "  {:<10} {} — {err}", e.name, e.path)?,
            None => {
                let back: Option<usize> = e.pushed_down.iter().map(|p| p.rows).sum();
                let pushed = match (e.pushed_down.len(), back) {
                    (0, _) => String::new(),
                    (n, Some(b)) => format!(
                        ", aggregated in the database ({}, {} back)",
                        count(n, "statement"),
                        count(b, "row")
                    ),
                    (n, None) => {
                        format!(", aggregated in the database ({})", count(n, "statement"))
                    }
                };
                writeln!(
                    w,
                    "  {:<10} {}{rows}, {:.2} s{pushed}",
                    e.name, e.path, e.seconds
                )?
            }
        }
    }
    if !c.rows.is_empty() {
        let mut t = table(style);
        let mut header = vec!["column".to_string(), "metric".to_string()];
        header.push(format!("{} (reference)", names[0]));
        header.extend(names[1..].iter().map(|n| n.to_string()));
        header.push("status".into());
        t.set_header(header);
        let mut last: Option<&Option<String>> = None;
        for r in &c.rows {
            let column = if last == Some(&r.column) {
                String::new()
            } else {
                r.column.clone().unwrap_or_else(|| "(table)".into())
            };
            last = Some(&r.column);
            let mut cells = vec![Cell::new(column), Cell::new(r.metric_label())];
            for i in 0..r.values.len() {
                let mut text = r.cell(i, "  ");
                if r.differs[i] {
                    text = format!("{text} ✗");
                    let cell = Cell::new(text);
                    cells.push(if style.color {
                        cell.fg(Color::Red).add_attribute(Attribute::Bold)
                    } else {
                        cell
                    });
                } else {
                    cells.push(Cell::new(text));
                }
            }
            let status = match (r.status, r.approximate) {
                (Status::Error, _) => "ERROR",
                (_, true) if r.differs.iter().any(|d| *d) => "differs (estimate)",
                (_, true) => "ok (estimate)",
                (Status::Fail, _) => "FAIL",
                (Status::Pass, _) => "ok",
            };
            cells.push(Cell::new(status));
            t.add_row(cells);
        }
        writeln!(w, "{t}")?;
        if c.rows.iter().any(|r| r.approximate) {
            writeln!(
                w,
                "  ≈ distinct counts of files are HyperLogLog estimates (0.8% standard error): shown with their ± 3% band, a difference only beyond it, never gated"
            )?;
        }
    }
    if !c.schema_differences.is_empty() {
        let mut t = table(style);
        let mut header = vec!["schema difference".to_string()];
        header.extend(names.iter().map(|n| n.to_string()));
        t.set_header(header);
        for d in &c.schema_differences {
            let mut row = vec![d.column.clone()];
            row.extend(
                d.types
                    .iter()
                    .map(|t| t.clone().unwrap_or_else(|| "(missing)".into())),
            );
            t.add_row(row);
        }
        writeln!(w, "{t}")?;
    }
    // The wide table shows every aggregate; only what it cannot show (why
    // something could not be compared) is listed as checks.
    let failed: Vec<_> = c
        .checks
        .iter()
        .filter(|k| k.status == Status::Error)
        .cloned()
        .collect();
    if !failed.is_empty() {
        checks_table(&failed, w, style)?;
    }
    Ok(())
}
