//! Console view of a drift section: a headline, the per-column checks
//! (failures first), then how each column was measured and on how many
//! values, and the categories the reference never had.

use std::io::{self, Write};

use comfy_table::Cell;

use super::table::{checks_table, table, Style};
use crate::drift::{method_name, DriftReport};
use crate::report::format::count;

pub(super) fn drift(d: &DriftReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let rows = |r: Option<u64>| r.map_or("?".to_string(), |n| n.to_string());
    writeln!(
        w,
        "drift {} against {}{} · {}, {} vs {} rows, {:.2} s",
        d.source,
        if d.reference_kind == "saved" {
            "saved reference "
        } else {
            ""
        },
        d.reference,
        count(d.columns.len(), "column"),
        rows(d.rows_current),
        rows(d.rows_reference),
        d.seconds
    )?;
    if let Some(e) = &d.error {
        writeln!(w, "  cannot measure drift: {e}")?;
    }
    if !d.checks.is_empty() {
        checks_table(&d.checks, w, style)?;
    }
    let measured: Vec<_> = d.columns.iter().filter(|c| c.method.is_some()).collect();
    if measured.is_empty() {
        return Ok(());
    }
    let mut t = table(style);
    t.set_header([
        "column",
        "method",
        "values ref → cur",
        "nulls ref → cur",
        "why this method",
    ]);
    for c in measured {
        let mut why = c.why_method.clone().unwrap_or_default();
        if let Some(n) = &c.note {
            why = format!("{why}; {n}");
        }
        if c.sorted_on_disk {
            why = format!("{why}; {}", crate::drift::SORTED_ON_DISK);
        }
        t.add_row(vec![
            Cell::new(&c.column),
            Cell::new(c.method.map(method_name).unwrap_or("")),
            Cell::new(format!("{} → {}", c.values_reference, c.values_current)),
            Cell::new(format!(
                "{} → {}{}",
                c.nulls_reference,
                c.nulls_current,
                if c.nans_reference + c.nans_current > 0 {
                    format!(" (+ NaN {} → {})", c.nans_reference, c.nans_current)
                } else {
                    String::new()
                }
            )),
            Cell::new(why),
        ]);
    }
    writeln!(w, "{t}")?;
    for c in d.columns.iter().filter(|c| !c.unseen.is_empty()) {
        let shown: Vec<String> = c
            .unseen
            .iter()
            .take(10)
            .map(|(v, n)| format!("{v:?} ({})", count(*n, "row")))
            .collect();
        let more = c.unseen.len().saturating_sub(10);
        writeln!(
            w,
            "{}: categories not in the reference: {}{}",
            c.column,
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )?;
    }
    Ok(())
}
