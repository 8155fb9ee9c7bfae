//! The card of the diff: rows matched by key, gates, the compared
//! columns, the size of the differences, quality against the truth, label
//! transitions and the most-changed rows.

use std::fmt::Write as _;

use super::markup::{checks_table, esc, num, opt, problem, prose, table};
use super::svg;
use crate::diff::{key_text, ColumnDiff, DiffReport, Label};
use crate::report::format::{
    changed_rows, count, fmt_float, null_flips, secs, signed, tolerances, DIFF_COLUMNS,
};

/// How many labels a transition table may have to be shown as a matrix.
const MATRIX_LABELS: usize = 8;
/// How many transitions are listed when there are too many for a matrix.
const LISTED_TRANSITIONS: usize = 10;

pub(super) fn body(id: &str, d: &DiffReport) -> String {
    let t = &d.timings;
    let mut timing: Vec<String> = t
        .key_scans
        .iter()
        .map(|k| format!("{} keys {}", k.side, secs(k.seconds)))
        .collect();
    timing.push(format!("join and compare {}", secs(t.compare_seconds)));
    let mut body = format!(
        "<p class=\"facts\">baseline <code>{}</code> → candidate <code>{}</code> · key <code>{}</code> · {}</p>\n",
        esc(&d.baseline),
        esc(&d.candidate),
        esc(&d.key.join(", ")),
        timing.join(", ")
    );
    if let Some(e) = &d.error {
        body.push_str(&problem("The diff could not be computed:", e));
        body.push_str(&checks_table(&d.gates, id));
    } else {
        body.push_str(&rows_summary(d));
        if !d.gates.is_empty() {
            body.push_str("<h4>Gates</h4>\n");
            body.push_str(&checks_table(&d.gates, id));
        }
        body.push_str(&columns(d));
        body.push_str(&histograms(id, d));
        body.push_str(&quality(d));
        body.push_str(&slices(d));
        body.push_str(&transitions(d));
        body.push_str(&top_rows(d));
    }
    body
}

/// Sample keys, `(first 5 of 1000 by key)` when there are more.
fn sample_keys(sample: &[serde_json::Map<String, serde_json::Value>], n: u64) -> String {
    let keys: Vec<String> = sample
        .iter()
        .map(|k| format!("<code>{}</code>", esc(&key_text(k))))
        .collect();
    let more = if (sample.len() as u64) < n {
        format!(" (first {} of {n} by key)", sample.len())
    } else {
        String::new()
    };
    format!("{}{more}", keys.join(", "))
}

fn rows_summary(d: &DiffReport) -> String {
    let r = &d.rows;
    let mut rows = vec![
        vec!["in both".into(), num(r.both.to_string()), String::new()],
        vec![
            "only in the baseline (missing from the candidate)".into(),
            num(r.only_baseline.to_string()),
            sample_keys(&r.only_baseline_sample, r.only_baseline),
        ],
        vec![
            "only in the candidate (added)".into(),
            num(r.only_candidate.to_string()),
            sample_keys(&r.only_candidate_sample, r.only_candidate),
        ],
    ];
    for (side, n) in ["baseline", "candidate"].iter().zip(r.null_keys) {
        if n > 0 {
            rows.push(vec![
                format!("{side} rows with a null key (match nothing)"),
                num(n.to_string()),
                String::new(),
            ]);
        }
    }
    for (side, dup) in ["baseline", "candidate"].iter().zip(&r.duplicates) {
        if let Some(dup) = dup.as_ref().filter(|x| x.keys > 0) {
            rows.push(vec![
                format!(
                    "{side} rows with a duplicated key ({})",
                    count(dup.keys as usize, "key")
                ),
                num(dup.rows.to_string()),
                esc(crate::check::key_examples(&dup.sample).trim_start_matches(", e.g. ")),
            ]);
        }
    }
    let mut h = table(
        "rows",
        "Rows matched by key",
        &["rows", "count", "sample keys"],
        &rows,
    );
    for (side, cols) in [
        ("baseline", &d.only_in_baseline_columns),
        ("candidate", &d.only_in_candidate_columns),
    ] {
        if !cols.is_empty() {
            let cols = wrapped(cols, "<code>", "</code>", ", ");
            let _ = writeln!(
                h,
                "<p>Columns only in the {side} (not compared): {cols}</p>"
            );
        }
    }
    if !d.warnings.is_empty() {
        let items: String = d
            .warnings
            .iter()
            .map(|w| format!("<li>{}</li>", prose(w)))
            .collect();
        let _ = writeln!(
            h,
            "<ul class=\"warnings\" aria-label=\"warnings\">{items}</ul>"
        );
    }
    h
}

fn column_type(c: &ColumnDiff) -> String {
    let ty = if c.baseline_type == c.candidate_type {
        c.baseline_type.clone()
    } else {
        format!("{} → {}", c.baseline_type, c.candidate_type)
    };
    let parts = tolerances(c.abs_tol, c.rel_tol);
    if parts.is_empty() {
        ty
    } else {
        format!("{ty} (tol {})", parts.join(", "))
    }
}

fn columns(d: &DiffReport) -> String {
    if d.columns.is_empty() {
        return "<p>No column compared.</p>\n".into();
    }
    let mut rows = Vec::new();
    for c in &d.columns {
        let mut row = vec![
            format!("<code>{}</code>", esc(&c.name)),
            esc(&column_type(c)),
        ];
        if let Some(e) = &c.error {
            row.push(format!("not compared: {}", prose(e)));
            row.extend((0..8).map(|_| String::new()));
            rows.push(row);
            continue;
        }
        row.push(num(if c.null_changes > 0 {
            format!("{} ({} null)", c.changed, c.null_changes)
        } else {
            c.changed.to_string()
        }));
        row.push(num(opt(c.changed_rate)));
        let stats = c.numeric.as_ref().map(|n| n.stats());
        row.extend(stats.unwrap_or([None; 6]).map(|x| num(opt(x))));
        rows.push(row);
    }
    let head = DIFF_COLUMNS;
    let on_disk: String = d
        .columns
        .iter()
        .filter_map(|c| Some((c, c.numeric.as_ref()?)))
        .filter(|(_, n)| n.spilled > 0)
        .map(|(c, n)| {
            format!(
                "<p><code>{}</code>: {}</p>\n",
                esc(&c.name),
                prose(&crate::report::format::differences_on_disk(n.spilled))
            )
        })
        .collect();
    format!(
        "<h4>Columns</h4>\n{}{on_disk}",
        table("columns", "", &head, &rows)
    )
}

/// One chart of |Δ| per column that has numeric differences, each with a
/// table of the same bins.
fn histograms(id: &str, d: &DiffReport) -> String {
    let mut h = String::new();
    for (k, c) in d.columns.iter().enumerate() {
        let Some(n) = c.numeric.as_ref().filter(|n| !n.histogram.is_empty()) else {
            continue;
        };
        let rel = c.rel_tol.unwrap_or(0.0);
        let threshold = c.abs_tol.filter(|a| *a > 0.0 && rel == 0.0);
        let rule = match tolerances(c.abs_tol, c.rel_tol) {
            t if t.is_empty() => "compared exactly: any |Δ| above 0 is a change".into(),
            t => format!("a change is a |Δ| above the tolerance ({})", t.join(", ")),
        };
        let rows: Vec<Vec<String>> = n
            .histogram
            .iter()
            .map(|b| {
                let range = if b.to == 0.0 {
                    "exactly 0".to_string()
                } else {
                    format!("[{}, {})", fmt_float(b.from), fmt_float(b.to))
                };
                vec![range, num(b.rows.to_string())]
            })
            .collect();
        let _ = write!(
            h,
            "<figure class=\"hist\">\n<figcaption><code>{}</code>: |candidate − baseline| over {} \
             — {rule}</figcaption>\n{}\n<details><summary>Table of this chart</summary>\n{}</details>\n</figure>\n",
            esc(&c.name),
            count(n.values as usize, "pair"),
            svg::histogram(&format!("{id}-h{k}"), &c.name, &n.histogram, threshold),
            table("bins", "", &["|Δ|", "rows"], &rows)
        );
    }
    if h.is_empty() {
        return h;
    }
    format!("<h4>Size of the differences</h4>\n<div class=\"charts\">\n{h}</div>\n")
}

fn quality(d: &DiffReport) -> String {
    let Some(q) = &d.quality else {
        return String::new();
    };
    let task = match q.task {
        crate::spec::Task::Classification => "classification",
        crate::spec::Task::Regression => "regression",
    };
    let rows: Vec<Vec<String>> = q
        .metrics
        .iter()
        .map(|m| {
            let verdict = match m.delta {
                Some(0.0) => "same",
                Some(x) if (x > 0.0) == m.metric.higher_is_better() => "better",
                Some(_) => "worse",
                None => "",
            };
            vec![
                format!("<code>{}</code>", m.metric.keyword()),
                num(opt(m.baseline)),
                num(opt(m.candidate)),
                num(m.delta.map_or("—".into(), signed)),
                if verdict.is_empty() {
                    String::new()
                } else {
                    format!("<span class=\"q-{verdict}\">{verdict}</span>")
                },
                prose(&m.significance()),
                prose(m.error.as_deref().or(m.test_error.as_deref()).unwrap_or("")),
            ]
        })
        .collect();
    let caption = format!(
        "Against <code>{}</code> · {task} ({}) · {} scored",
        esc(&q.truth),
        prose(&q.task_reason),
        count(q.rows as usize, "row")
    );
    let on_disk = if q.scores_spilled > 0 {
        format!(
            "<p>{}</p>\n",
            prose(&crate::report::format::probabilities_on_disk(
                q.scores_spilled
            ))
        )
    } else {
        String::new()
    };
    format!(
        "<h4>Quality against the truth</h4>\n{}{on_disk}",
        table(
            "quality",
            &caption,
            &[
                "metric",
                "baseline",
                "candidate",
                "Δ",
                "candidate is",
                "is the change real?",
                "note"
            ],
            &rows
        )
    )
}

fn slices(d: &DiffReport) -> String {
    let Some(s) = &d.slices else {
        return String::new();
    };
    if let Some(e) = &s.error {
        return problem("Slices could not be computed:", e);
    }
    let mut h = String::from("<h4>Slices</h4>\n");
    for c in &s.columns {
        let (header, rows) = c.table();
        let head: Vec<String> = header.iter().map(|x| esc(x)).collect();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let n = r.len();
                r.iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if i == 0 || i == n - 1 {
                            esc(v)
                        } else {
                            num(v.clone())
                        }
                    })
                    .collect()
            })
            .collect();
        h.push_str(&table(
            "slices",
            &prose(&c.caption(s.min_rows)),
            &head,
            &rows,
        ));
        if let Some(more) = c.more() {
            h.push_str(&format!("<p>{}</p>\n", esc(&more)));
        }
    }
    h
}

fn transitions(d: &DiffReport) -> String {
    let mut h = String::new();
    for c in &d.columns {
        let Some(tr) = &c.transitions else { continue };
        if tr.flips == 0 {
            continue;
        }
        let mut labels: Vec<&Label> = Vec::new();
        for p in &tr.pairs {
            for l in [&p.from, &p.to] {
                if !labels.contains(&l) {
                    labels.push(l);
                }
            }
        }
        labels.sort();
        let caption = format!(
            "<code>{}</code> — {} (rate {}{}), old → new",
            esc(&c.name),
            count(tr.flips as usize, "flip"),
            opt(tr.flip_rate),
            null_flips(c.null_changes)
        );
        let complete = tr.distinct_pairs == tr.pairs.len() && tr.other_rows == 0;
        if complete && labels.len() <= MATRIX_LABELS {
            h.push_str(&matrix(&caption, &labels, tr));
        } else {
            let rows: Vec<Vec<String>> = tr
                .changes
                .iter()
                .take(LISTED_TRANSITIONS)
                .map(|p| {
                    vec![
                        esc(&p.from.to_string()),
                        esc(&p.to.to_string()),
                        num(p.rows.to_string()),
                    ]
                })
                .collect();
            h.push_str(&table(
                "transitions",
                &format!("{caption}: the most frequent changes"),
                &["old", "new", "rows"],
                &rows,
            ));
        }
    }
    if h.is_empty() {
        return h;
    }
    format!("<h4>Label transitions</h4>\n<div class=\"charts\">\n{h}</div>\n")
}

/// Old labels as rows, new ones as columns; changed cells are marked.
fn matrix(caption: &str, labels: &[&Label], tr: &crate::diff::Transitions) -> String {
    let mut h = format!(
        "<div class=\"scroll\"><table class=\"matrix\"><caption>{caption}</caption>\n\
         <thead><tr><th scope=\"col\">old \\ new</th>"
    );
    for l in labels {
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"num\">{}</th>",
            esc(&l.to_string())
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for from in labels {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(&from.to_string()));
        for to in labels {
            let n = tr
                .pairs
                .iter()
                .find(|p| &&p.from == from && &&p.to == to)
                .map_or(0, |p| p.rows);
            let class = match (from == to, n) {
                (true, _) => "num same",
                (false, 0) => "num",
                (false, _) => "num flip",
            };
            let _ = write!(h, "<td class=\"{class}\">{n}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    h
}

fn top_rows(d: &DiffReport) -> String {
    let mut h = String::new();
    for c in d.columns.iter().filter(|c| !c.top.is_empty()) {
        let numeric = c.numeric.is_some();
        let caption = format!(
            "<code>{}</code> — {}",
            esc(&c.name),
            changed_rows(c.top.len(), numeric)
        );
        let mut head: Vec<String> = d
            .key
            .iter()
            .map(|k| format!("<code>{}</code>", esc(k)))
            .collect();
        head.extend(["baseline", "candidate"].map(String::from));
        if numeric {
            head.push("|Δ|".into());
        }
        let show = |v: &Option<crate::metric::Value>| {
            num(v.as_ref().map_or("null".into(), |v| v.to_string()))
        };
        let rows: Vec<Vec<String>> = c
            .top
            .iter()
            .map(|r| {
                let mut row: Vec<String> = r
                    .key
                    .values()
                    .map(|v| {
                        let one = std::iter::once(("k".to_string(), v.clone())).collect();
                        esc(&key_text(&one))
                    })
                    .collect();
                row.push(show(&r.baseline));
                row.push(show(&r.candidate));
                if numeric {
                    row.push(num(opt(r.abs_diff)));
                }
                row
            })
            .collect();
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        h.push_str(&table("top", &caption, &head, &rows));
    }
    if h.is_empty() {
        return h;
    }
    format!("<h4>Most-changed rows</h4>\n<div class=\"charts\">\n{h}</div>\n")
}

/// Each text escaped between `open` and `close`, joined with `sep`.
fn wrapped(texts: &[String], open: &str, close: &str, sep: &str) -> String {
    texts
        .iter()
        .map(|t| format!("{open}{}{close}", esc(t)))
        .collect::<Vec<_>>()
        .join(sep)
}
