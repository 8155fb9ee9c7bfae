//! The console's table style and its table of checks, shared by every
//! part: failures first, observed beside expected, then the schema diffs
//! of failed contracts.

use std::io::{self, Write};

use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};

use crate::check::CheckResult;
use crate::report::part::ranked;

#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
    /// Wrap tables to this width (a terminal's); `None` never wraps.
    pub width: Option<u16>,
}

/// A table of checks, failures first, then the schema diffs of failed
/// contracts.
pub(super) fn checks_table(
    checks: &[CheckResult],
    w: &mut dyn Write,
    style: Style,
) -> io::Result<()> {
    let order = ranked(checks);
    let mut t = table(style);
    t.set_header(["status", "check", "observed", "expected", "severity", "why"]);
    for (_, c) in &order {
        let mut status = Cell::new(c.label());
        if style.color {
            status = status.fg(color(c)).add_attribute(Attribute::Bold);
        }
        t.add_row(vec![
            status,
            Cell::new(&c.name),
            Cell::new(&c.observed_text),
            Cell::new(&c.expected),
            Cell::new(c.severity.to_string()),
            Cell::new(why(c)),
        ]);
    }
    writeln!(w, "{t}")?;
    for (_, c) in order.iter().filter(|(_, c)| c.diff.is_some()) {
        writeln!(w, "{} — expected vs actual schema:", c.name)?;
        for line in c.diff.as_deref().unwrap_or("").lines() {
            writeln!(w, "  {}", paint(line, style))?;
        }
    }
    Ok(())
}

/// An empty table in the report's style, wrapped to a terminal's width.
pub(super) fn table(style: Style) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    match style.width {
        Some(width) => {
            t.set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(width);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    if style.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t
}

/// A cell whose text is aligned to the right (numbers).
pub(super) fn right(s: String) -> Cell {
    Cell::new(s).set_alignment(comfy_table::CellAlignment::Right)
}

/// The reason, followed by the offending values when there are some.
fn why(c: &CheckResult) -> String {
    let mut w = c.why.clone().unwrap_or_default();
    if let Some(eg) = c.sample_text() {
        w.push_str(&format!("; e.g. {eg}"));
    }
    w
}

fn color(c: &CheckResult) -> Color {
    match c.label() {
        "PASS" => Color::Green,
        "WARN" => Color::Yellow,
        _ => Color::Red,
    }
}

fn paint(line: &str, style: Style) -> String {
    if !style.color || line.starts_with("+++") || line.starts_with("---") {
        return line.to_string();
    }
    match line.chars().next() {
        Some('-') => format!("\x1b[31m{line}\x1b[0m"),
        Some('+') => format!("\x1b[32m{line}\x1b[0m"),
        _ => line.to_string(),
    }
}
