//! Console view of the diff: summary and gates first, then one row per
//! compared column, quality against truth, label transitions, and the
//! most-changed rows.

use std::io::{self, Write};

use comfy_table::Cell;

use super::table::{checks_table, right, table, Style};
use crate::diff::{key_text, ColumnDiff, DiffReport};
use crate::report::format::{
    changed_rows, count, maybe, null_flips, plural, signed, tolerances, DIFF_COLUMNS,
};

/// How many labels a transition table may have to be shown as a matrix.
const MATRIX_LABELS: usize = 8;
/// How many transitions are listed when there are too many for a matrix.
const LISTED_TRANSITIONS: usize = 10;

pub(crate) fn diff(d: &DiffReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    writeln!(
        w,
        "diff {} → {} · key {}",
        d.baseline,
        d.candidate,
        d.key.join(", ")
    )?;
    if let Some(e) = &d.error {
        writeln!(w, "  the diff could not be computed: {e}")?;
        return checks_table(&d.gates, w, style);
    }
    summary(d, w)?;
    if !d.gates.is_empty() {
        checks_table(&d.gates, w, style)?;
    }
    columns(d, w, style)?;
    quality(d, w, style)?;
    slices(d, w, style)?;
    for c in &d.columns {
        transitions(c, w, style)?;
    }
    for c in d.columns.iter().filter(|c| !c.top.is_empty()) {
        top_rows(d, c, w, style)?;
    }
    Ok(())
}

fn summary(d: &DiffReport, w: &mut dyn Write) -> io::Result<()> {
    let r = &d.rows;
    writeln!(
        w,
        "  rows: {} in both, {} only in the baseline (missing), {} only in the candidate (added)",
        r.both, r.only_baseline, r.only_candidate
    )?;
    for (what, sample, n) in [
        (
            "keys missing from the candidate",
            &r.only_baseline_sample,
            r.only_baseline,
        ),
        (
            "keys added by the candidate",
            &r.only_candidate_sample,
            r.only_candidate,
        ),
    ] {
        if !sample.is_empty() {
            let keys: Vec<String> = sample.iter().map(key_text).collect();
            writeln!(
                w,
                "  {what}: {}{}",
                keys.join(", "),
                if (sample.len() as u64) < n {
                    format!(" (first {} of {n} by key)", sample.len())
                } else {
                    String::new()
                }
            )?;
        }
    }
    for (side, cols) in [
        ("baseline", &d.only_in_baseline_columns),
        ("candidate", &d.only_in_candidate_columns),
    ] {
        if !cols.is_empty() {
            writeln!(w, "  columns only in the {side}: {}", cols.join(", "))?;
        }
    }
    let t = &d.timings;
    let scans: Vec<String> = t
        .key_scans
        .iter()
        .map(|k| format!("{} keys {:.2} s", k.side, k.seconds))
        .collect();
    writeln!(
        w,
        "  timing: {}, join and compare {:.2} s",
        scans.join(", "),
        t.compare_seconds
    )?;
    for warning in &d.warnings {
        writeln!(w, "  warning: {warning}")?;
    }
    Ok(())
}

fn columns(d: &DiffReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    if d.columns.is_empty() {
        return writeln!(w, "  no column compared");
    }
    let mut t = table(style);
    t.set_header(DIFF_COLUMNS);
    for c in &d.columns {
        let ty = if c.baseline_type == c.candidate_type {
            c.baseline_type.clone()
        } else {
            format!("{} → {}", c.baseline_type, c.candidate_type)
        };
        let parts = tolerances(c.abs_tol, c.rel_tol);
        let ty = if parts.is_empty() {
            ty
        } else {
            format!("{ty} (tol {})", parts.join(", "))
        };
        if let Some(e) = &c.error {
            t.add_row(vec![
                Cell::new(&c.name),
                Cell::new(ty),
                Cell::new(format!("not compared: {e}")),
            ]);
            continue;
        }
        let mut row = vec![
            Cell::new(&c.name),
            Cell::new(ty),
            right(if c.null_changes > 0 {
                format!("{} ({} null)", c.changed, c.null_changes)
            } else {
                c.changed.to_string()
            }),
            right(maybe(c.changed_rate)),
        ];
        match &c.numeric {
            Some(n) => row.extend(n.stats().map(|x| right(maybe(x)))),
            None => row.extend((0..6).map(|_| right("—".into()))),
        }
        t.add_row(row);
    }
    writeln!(w, "{t}")?;
    for c in &d.columns {
        let Some(n) = &c.numeric else { continue };
        if n.spilled > 0 {
            writeln!(
                w,
                "{}: {}",
                c.name,
                crate::report::format::differences_on_disk(n.spilled)
            )?;
        }
    }
    Ok(())
}

fn quality(d: &DiffReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let Some(q) = &d.quality else { return Ok(()) };
    let task = match q.task {
        crate::spec::Task::Classification => "classification",
        crate::spec::Task::Regression => "regression",
    };
    writeln!(
        w,
        "quality against {} · {task} ({}) · {} row{} scored",
        q.truth,
        q.task_reason,
        q.rows,
        plural(q.rows as usize)
    )?;
    let mut t = table(style);
    t.set_header([
        "metric",
        "baseline",
        "candidate",
        "Δ",
        "is the change real?",
        "note",
    ]);
    for m in &q.metrics {
        t.add_row(vec![
            Cell::new(m.metric.keyword()),
            right(maybe(m.baseline)),
            right(maybe(m.candidate)),
            right(m.delta.map_or("—".into(), signed)),
            Cell::new(m.significance()),
            Cell::new(
                m.error
                    .as_ref()
                    .or(m.test_error.as_ref())
                    .cloned()
                    .unwrap_or_default(),
            ),
        ]);
    }
    writeln!(w, "{t}")?;
    if q.scores_spilled > 0 {
        writeln!(
            w,
            "{}",
            crate::report::format::probabilities_on_disk(q.scores_spilled)
        )?;
    }
    Ok(())
}

fn slices(d: &DiffReport, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let Some(s) = &d.slices else { return Ok(()) };
    if let Some(e) = &s.error {
        return writeln!(w, "slices could not be computed: {e}");
    }
    for c in &s.columns {
        writeln!(w, "{}", c.caption(s.min_rows))?;
        let (header, rows) = c.table();
        let mut t = table(style);
        t.set_header(header);
        for row in rows {
            let n = row.len();
            t.add_row(row.into_iter().enumerate().map(|(i, v)| {
                if i == 0 || i == n - 1 {
                    Cell::new(v)
                } else {
                    right(v)
                }
            }));
        }
        writeln!(w, "{t}")?;
        if let Some(more) = c.more() {
            writeln!(w, "{more}")?;
        }
    }
    Ok(())
}

fn transitions(c: &ColumnDiff, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let Some(tr) = &c.transitions else {
        return Ok(());
    };
    if tr.flips == 0 {
        return Ok(());
    }
    let mut labels: Vec<&crate::diff::Label> = Vec::new();
    for p in &tr.pairs {
        for l in [&p.from, &p.to] {
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
    }
    labels.sort();
    let complete = tr.distinct_pairs == tr.pairs.len() && tr.other_rows == 0;
    writeln!(
        w,
        "{} — {} flip{} (rate {}{}), old → new:",
        c.name,
        tr.flips,
        plural(tr.flips as usize),
        maybe(tr.flip_rate),
        null_flips(c.null_changes)
    )?;
    if complete && labels.len() <= MATRIX_LABELS {
        let mut t = table(style);
        let mut header = vec!["old \\ new".to_string()];
        header.extend(labels.iter().map(|l| l.to_string()));
        t.set_header(header);
        for from in &labels {
            let mut row = vec![Cell::new(from.to_string())];
            for to in &labels {
                let n = tr
                    .pairs
                    .iter()
                    .find(|p| &&p.from == from && &&p.to == to)
                    .map_or(0, |p| p.rows);
                row.push(right(n.to_string()));
            }
            t.add_row(row);
        }
        return writeln!(w, "{t}");
    }
    let listed = &tr.changes[..tr.changes.len().min(LISTED_TRANSITIONS)];
    for p in listed {
        writeln!(
            w,
            "  {} → {}: {} row{}",
            p.from,
            p.to,
            p.rows,
            plural(p.rows as usize)
        )?;
    }
    let rest = tr.flips - listed.iter().map(|p| p.rows).sum::<u64>();
    if rest > 0 {
        writeln!(
            w,
            "  … and {} in other changes",
            count(rest as usize, "row")
        )?;
    }
    Ok(())
}

fn top_rows(d: &DiffReport, c: &ColumnDiff, w: &mut dyn Write, style: Style) -> io::Result<()> {
    let numeric = c.numeric.is_some();
    writeln!(w, "{} — {}:", c.name, changed_rows(c.top.len(), numeric))?;
    let mut t = table(style);
    let mut header: Vec<String> = d.key.clone();
    header.extend(["baseline", "candidate"].map(String::from));
    if numeric {
        header.push("|Δ|".into());
    }
    t.set_header(header);
    for r in &c.top {
        let mut row: Vec<Cell> = r
            .key
            .values()
            .map(|v| {
                Cell::new(key_text(
                    &std::iter::once(("k".to_string(), v.clone())).collect(),
                ))
            })
            .collect();
        let show =
            |v: &Option<crate::metric::Value>| v.as_ref().map_or("null".into(), |v| v.to_string());
        row.push(right(show(&r.baseline)));
        row.push(right(show(&r.candidate)));
        if numeric {
            row.push(right(maybe(r.abs_diff)));
        }
        t.add_row(row);
    }
    writeln!(w, "{t}")
}
