//! Console view of one source: what was read and how long it took, then
//! its checks.

use std::io::{self, Write};

use super::table::{checks_table, Style};
use crate::report::format::{count, count_as, narrowed, stored};
use crate::report::SourceReport;

pub(super) fn source(src: &SourceReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let mut facts = Vec::new();
    if let Some(f) = src.format {
        facts.push(f.to_string());
    }
    facts.extend(stored(src.files, src.read.as_ref()));
    facts.extend(narrowed(src.filter.as_deref(), src.files, src.file_reads()));
    if let Some(rows) = src.rows {
        facts.push(count(rows, "row"));
    }
    let scan_secs: f64 = src.scans.iter().map(|s| s.seconds).sum();
    let meta = src.scans.iter().filter(|s| s.from_metadata).count();
    facts.push(format!(
        "{} in {:.2} s{}",
        count_as(src.scans.len(), "query", "queries"),
        src.load_seconds + scan_secs,
        if meta > 0 {
            format!(", {meta} answered from metadata")
        } else {
            String::new()
        }
    ));
    writeln!(
        w,
        "source {} ({}) · {}",
        src.name,
        src.path,
        facts.join(", ")
    )?;
    if let Some(e) = &src.error {
        writeln!(w, "  cannot read the source: {e}")?;
    }
    if src.checks.is_empty() {
        return Ok(());
    }
    checks_table(&src.checks, w, style)?;
    for c in &src.checks {
        if let Some(f) = &c.failed_rows {
            writeln!(w, "  {}: {}", c.name, f.text())?;
        }
    }
    Ok(())
}
