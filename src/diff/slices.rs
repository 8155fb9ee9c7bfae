//! Who does the change hurt? The diff's changed rate and both models'
//! quality repeated per value of each slice column, folded in the same
//! pass as the diff (the slice values ride along the join), then ranked
//! worst first and gated on every slice with enough rows.

use std::collections::HashMap;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::Schema;
use datafusion::error::Result;
use serde::Serialize;

use super::labels::{Label, LabelRef, Labels};
use super::plan::Layout;
use super::quality::{Described, QualityAccum, QualityCols, QualityValue};
use crate::report::format::{count, fmt_float, maybe, signed};
use crate::spec::{DiffSpec, QualityMetric, SliceSpec, Task};

/// At most this many distinct values per slice column are kept; rows of
/// further values are counted apart, so an identifier-like column cannot
/// exhaust memory.
pub const MAX_SLICES: usize = 1_000;

/// Where a slice column's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum From {
    Truth,
    Baseline,
    Candidate,
}

/// A slice column resolved against the schemas.
#[derive(Debug, Clone)]
pub struct SliceColumn {
    pub name: String,
    pub from: From,
    /// The source's name, for the report.
    pub source: String,
}

/// Finds each slice column in the truth source, else the baseline, else
/// the candidate. `scored`: whether the truth is joined (its quality could
/// be computed); a column only the truth has needs that.
pub fn resolve(
    spec: &DiffSpec,
    slices: &SliceSpec,
    baseline: &Schema,
    candidate: &Schema,
    truth: Option<&Schema>,
    scored: bool,
) -> std::result::Result<Vec<SliceColumn>, String> {
    let truth_source = spec.truth.as_ref().map(|t| t.source.as_str());
    let places: Vec<(From, &str, &Schema)> = truth
        .zip(truth_source)
        .map(|(s, n)| (From::Truth, n, s))
        .into_iter()
        .chain([
            (From::Baseline, spec.baseline.as_str(), baseline),
            (From::Candidate, spec.candidate.as_str(), candidate),
        ])
        .collect();
    slices
        .columns
        .iter()
        .map(|name| {
            // An unscored truth is not joined: its columns cannot ride along.
            let found = places
                .iter()
                .filter(|(from, _, _)| scored || *from != From::Truth)
                .find(|(_, _, s)| s.field_with_name(name).is_ok())
                .or_else(|| {
                    places
                        .iter()
                        .find(|(_, _, s)| s.field_with_name(name).is_ok())
                });
            match found {
                Some((From::Truth, source, _)) if !scored => Err(format!(
                    "slice column `{name}` is only in the truth `{source}`, which could not be \
                     scored against the predictions (see the `quality` check)"
                )),
                Some((from, source, _)) => Ok(SliceColumn {
                    name: name.clone(),
                    from: *from,
                    source: source.to_string(),
                }),
                None => {
                    let sources: Vec<String> = places
                        .iter()
                        .map(|(from, n, _)| format!("the {} `{n}`", from_word(*from)))
                        .collect();
                    let columns: Vec<&str> = places
                        .iter()
                        .flat_map(|(_, _, s)| s.fields().iter().map(|f| f.name().as_str()))
                        .collect();
                    let hint = crate::spec::diag::closest(name, columns.iter().copied());
                    Err(format!(
                        "slice column `{name}` is in none of {}{}",
                        or_list(&sources),
                        hint.map_or(String::new(), |c| format!(" (did you mean `{c}`?)"))
                    ))
                }
            }
        })
        .collect()
}

fn from_word(f: From) -> &'static str {
    match f {
        From::Truth => "truth",
        From::Baseline => "baseline",
        From::Candidate => "candidate",
    }
}

fn or_list(v: &[String]) -> String {
    match v.len() {
        0 => String::new(),
        1 => v[0].clone(),
        n => format!("{} or {}", v[..n - 1].join(", "), v[n - 1]),
    }
}

/// One slice value's counts and quality.
#[derive(Debug, Clone)]
struct Group {
    /// Rows in both models.
    rows: u64,
    /// Of those, rows where any compared column changed.
    changed: u64,
    quality: Option<QualityAccum>,
}

/// The fold of one slice column.
#[derive(Debug, Clone)]
pub struct SliceAccum {
    groups: HashMap<Label, Group, foldhash::fast::RandomState>,
    /// Rows in both models whose value came past [`MAX_SLICES`] values.
    other_rows: u64,
    quality: Option<(QualityCols, Task, Option<usize>, Option<usize>)>,
}

impl SliceAccum {
    /// `quality`: the quality inputs and memory bounds each slice's
    /// quality is folded with, as the whole diff's.
    pub fn new(quality: Option<(QualityCols, Task, Option<usize>, Option<usize>)>) -> SliceAccum {
        SliceAccum {
            groups: HashMap::default(),
            other_rows: 0,
            quality,
        }
    }

    fn group(&mut self, value: Label) -> Option<&mut Group> {
        if !self.groups.contains_key(&value) && self.groups.len() >= MAX_SLICES {
            return None;
        }
        let quality = &self.quality;
        Some(self.groups.entry(value).or_insert_with(|| {
            Group {
                rows: 0,
                changed: 0,
                quality: quality
                    .clone()
                    .map(|(cols, task, kept, pairs)| QualityAccum::new(cols, task, kept, pairs)),
            }
        }))
    }

    /// Folds a joined batch: `both` are the rows in both models, `changed`
    /// flags (per batch row) a change in any compared column.
    pub fn add(
        &mut self,
        batch: &RecordBatch,
        layout: &Layout,
        column: usize,
        both: &[u32],
        changed: &[bool],
    ) -> Result<()> {
        let values = Labels::new(batch.column(column))?;
        // Per value: rows in both models, of them changed, and (for the
        // quality, which also counts rows one side or the truth lacks)
        // every row of the batch with that value.
        type Rows = (u64, u64, Vec<u32>);
        let mut by: HashMap<LabelRef, Rows, foldhash::fast::RandomState> = HashMap::default();
        for &i in both {
            let e = by.entry(values.get(i as usize)).or_default();
            e.0 += 1;
            e.1 += u64::from(changed[i as usize]);
        }
        if self.quality.is_some() {
            for i in 0..batch.num_rows() {
                by.entry(values.get(i)).or_default().2.push(i as u32);
            }
        }
        for (value, (n, c, rows)) in by {
            match self.group(value.to_owned()) {
                Some(g) => {
                    g.rows += n;
                    g.changed += c;
                    if let Some(q) = &mut g.quality {
                        q.add_rows(batch, layout, &rows)?;
                    }
                }
                None => self.other_rows += n,
            }
        }
        Ok(())
    }

    pub fn merge(&mut self, o: SliceAccum) {
        self.other_rows += o.other_rows;
        for (value, g) in o.groups {
            match self.group(value) {
                Some(mine) => {
                    mine.rows += g.rows;
                    mine.changed += g.changed;
                    if let (Some(a), Some(b)) = (&mut mine.quality, g.quality) {
                        a.merge(b);
                    }
                }
                None => self.other_rows += g.rows,
            }
        }
    }

    pub fn finish(
        self,
        column: &SliceColumn,
        spec: &SliceSpec,
        described: Option<&Described>,
    ) -> SliceColumnReport {
        // A value only rows of one side (or of the truth alone) have is
        // no slice of the compared rows.
        let mut slices: Vec<Slice> = self
            .groups
            .into_iter()
            .filter(|(_, g)| g.rows > 0)
            .map(|(value, g)| {
                let q = g.quality.zip(described).map(|(q, d)| q.finish(d.clone()));
                Slice {
                    value,
                    rows: g.rows,
                    changed: g.changed,
                    changed_rate: (g.rows > 0).then(|| g.changed as f64 / g.rows as f64),
                    scored: q.as_ref().map(|q| q.rows),
                    metrics: q.map(|q| q.metrics).unwrap_or_default(),
                    gated: g.rows >= spec.min_rows,
                    worse_by: None,
                }
            })
            .collect();
        // The measure slices are ranked by: the first gated metric, else
        // the headline metric of the task, else the changed rate.
        let ranked_by = spec.quality.first().map(|g| g.metric).or_else(|| {
            slices
                .iter()
                .flat_map(|s| &s.metrics)
                .map(|m| m.metric)
                .find(|m| matches!(m, QualityMetric::Accuracy | QualityMetric::Rmse))
        });
        for s in &mut slices {
            s.worse_by = match ranked_by {
                Some(m) => s.worsening(m),
                None => s.changed_rate,
            };
        }
        slices.sort_by(|a, b| {
            b.gated
                .cmp(&a.gated)
                .then_with(|| {
                    let key = |s: &Slice| s.worse_by.unwrap_or(f64::NEG_INFINITY);
                    key(b).total_cmp(&key(a))
                })
                .then_with(|| b.rows.cmp(&a.rows))
                .then_with(|| a.value.cmp(&b.value))
        });
        let mut shown: Vec<QualityMetric> = ranked_by.into_iter().collect();
        for g in &spec.quality {
            if !shown.contains(&g.metric) {
                shown.push(g.metric);
            }
        }
        SliceColumnReport {
            column: column.name.clone(),
            from: column.from,
            source: column.source.clone(),
            ranked_by: ranked_by.map_or("changed_rate", QualityMetric::keyword),
            shown,
            small: slices.iter().filter(|s| !s.gated).count(),
            other_rows: self.other_rows,
            slices,
        }
    }
}

/// The slices section of a diff report.
#[derive(Debug, Clone, Serialize)]
pub struct SlicesReport {
    pub min_rows: u64,
    pub columns: Vec<SliceColumnReport>,
    /// Why slicing could not be done (a slice column no source has).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SliceColumnReport {
    pub column: String,
    pub from: From,
    pub source: String,
    /// What `worse_by` measures: a quality metric, or `changed_rate`.
    pub ranked_by: &'static str,
    /// The metrics the slice tables show: the ranking one and the gated.
    #[serde(skip)]
    pub shown: Vec<QualityMetric>,
    /// Gated slices first, worst first; then the small ones.
    pub slices: Vec<Slice>,
    /// Slices with fewer rows than `min_rows`: listed, never gated.
    pub small: usize,
    /// Rows (in both models) of values past the first 1,000 of the column.
    pub other_rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Slice {
    pub value: Label,
    /// Rows in both models.
    pub rows: u64,
    pub changed: u64,
    pub changed_rate: Option<f64>,
    /// Rows scored against the truth (in both models and the truth).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scored: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<QualityValue>,
    /// Whether the slice has `min_rows` rows and is gated.
    pub gated: bool,
    /// How much worse the candidate is on the ranking measure (a drop of
    /// a metric where higher is better, a rise of a loss, the changed
    /// rate).
    pub worse_by: Option<f64>,
}

/// Rows of a slice table in the console, Markdown and HTML reports; the
/// JSON report has every slice.
pub const SHOWN_SLICES: usize = 10;

impl SliceColumnReport {
    /// What the tables say above a slice column's table.
    pub fn caption(&self, min_rows: u64) -> String {
        let mut s = format!(
            "slices of `{}` (from the {} `{}`): {}",
            self.column,
            from_word(self.from),
            self.source,
            count(self.slices.len() as u64, "value")
        );
        if self.small > 0 {
            s.push_str(&format!(
                ", {} with fewer than {min_rows} rows (listed, not gated)",
                self.small
            ));
        }
        if self.other_rows > 0 {
            s.push_str(&format!(
                "; {} of further values (past the first {MAX_SLICES}) are not sliced",
                count(self.other_rows, "row")
            ));
        }
        let by = match self.ranked_by {
            "changed_rate" => "changed rate".to_string(),
            m => format!("how much worse the candidate's `{m}` is"),
        };
        s.push_str(&format!("; worst first by {by}"));
        s
    }

    /// The table every report format draws: a header, and a row per
    /// slice (gated ones worst first, then the small ones), at most
    /// [`SHOWN_SLICES`].
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut header = vec![
            self.column.clone(),
            "rows".to_string(),
            "changed rate".to_string(),
        ];
        header.extend(
            self.shown
                .iter()
                .map(|m| format!("{} baseline → candidate", m.keyword())),
        );
        header.push("gated".to_string());
        let rows = self
            .slices
            .iter()
            .take(SHOWN_SLICES)
            .map(|s| {
                let mut row = vec![
                    s.value.to_string(),
                    s.rows.to_string(),
                    maybe(s.changed_rate),
                ];
                for m in &self.shown {
                    row.push(match s.metric(*m) {
                        Some(v) => match (v.baseline, v.candidate, v.delta) {
                            (Some(b), Some(c), Some(d)) => {
                                format!("{} → {} ({})", fmt_float(b), fmt_float(c), signed(d))
                            }
                            _ => v.error.clone().unwrap_or_else(|| "—".into()),
                        },
                        None => "—".into(),
                    });
                }
                row.push(if s.gated { "yes" } else { "too few rows" }.to_string());
                row
            })
            .collect();
        (header, rows)
    }

    /// "… 4 more slices in the JSON report", when the tables cut some.
    pub fn more(&self) -> Option<String> {
        (self.slices.len() > SHOWN_SLICES).then(|| {
            format!(
                "… {} more in the JSON report",
                count((self.slices.len() - SHOWN_SLICES) as u64, "slice")
            )
        })
    }
}

impl Slice {
    pub fn metric(&self, m: QualityMetric) -> Option<&QualityValue> {
        self.metrics.iter().find(|v| v.metric == m)
    }

    fn worsening(&self, m: QualityMetric) -> Option<f64> {
        let d = self.metric(m)?.delta?;
        Some(if m.higher_is_better() { -d } else { d })
    }
}
