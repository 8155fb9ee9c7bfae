//! Saved references: what drift needs of a reference table, kept in a small
//! JSON file (`verdict profile SOURCE --save-reference FILE`) so a scheduled
//! run does not rescan the reference. Per numeric column: the quantile bin
//! edges and counts and, when the column has at most [`MAX_KEPT_VALUES`]
//! distinct values, every distinct value with its count (so the KS test is
//! exact too); per categorical column: the category counts. Drift against
//! a saved reference gives the same numbers as against the table; without
//! kept values there is no KS test, and the report says so.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::side::{Column, RefColumn, Sample};
use crate::spec::DriftMethod;

/// Distinct values a numeric column may have for its values to be kept.
pub const MAX_KEPT_VALUES: usize = 10_000;
/// What the file says it is, and the layout version this verdict writes.
pub const KIND: &str = "verdict-reference";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedReference {
    pub kind: String,
    pub version: u32,
    /// Where the reference was read from (passwords removed).
    pub source: String,
    pub rows: u64,
    pub bins: usize,
    pub columns: Vec<SavedColumn>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedColumn {
    pub name: String,
    pub data_type: String,
    pub method: DriftMethod,
    pub nulls: u64,
    #[serde(default)]
    pub nans: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "exact")]
    pub edges: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counts: Vec<u64>,
    /// Distinct values and their counts, ascending.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "exact_pairs")]
    pub values: Option<Vec<(f64, u64)>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, u64>,
}

impl SavedColumn {
    /// The record of one column read from the reference table.
    pub fn new(
        name: &str,
        data_type: String,
        column: Column,
        bins: usize,
    ) -> Result<SavedColumn, String> {
        let method = match column {
            Column::Numeric { .. } => DriftMethod::Numeric,
            Column::Categorical { .. } => DriftMethod::Categorical,
        };
        let mut saved = SavedColumn {
            name: name.to_string(),
            data_type,
            method,
            nulls: 0,
            nans: 0,
            edges: Vec::new(),
            counts: Vec::new(),
            values: None,
            categories: BTreeMap::new(),
        };
        match RefColumn::from_values(column, bins)? {
            RefColumn::Numeric {
                nulls,
                nans,
                edges,
                counts,
                sorted,
            } => {
                (saved.nulls, saved.nans, saved.edges, saved.counts) = (nulls, nans, edges, counts);
                saved.values = match sorted {
                    Some(Sample::Sorted(s)) => {
                        let kept = distinct_counts(s.runs());
                        s.check()?;
                        kept
                    }
                    Some(Sample::Runs(r)) => (r.len() <= MAX_KEPT_VALUES).then_some(r),
                    None => None,
                };
            }
            RefColumn::Categorical { nulls, counts } => {
                (saved.nulls, saved.categories) = (nulls, counts);
            }
        }
        Ok(saved)
    }
}

/// Floats as decimal strings (`"12.5"`): Rust prints the shortest text that
/// reads back to the same bits and parses it exactly, so a saved reference
/// bins values exactly as the table did.
mod exact {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| x.to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| t.parse::<f64>().map_err(serde::de::Error::custom))
            .collect()
    }
}

mod exact_pairs {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<(f64, u64)>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(v) => s.collect_seq(v.iter().map(|(x, n)| (x.to_string(), n))),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<(f64, u64)>>, D::Error> {
        let raw = Option::<Vec<(String, u64)>>::deserialize(d)?;
        raw.map(|v| {
            v.into_iter()
                .map(|(t, n)| {
                    t.parse::<f64>()
                        .map(|x| (x, n))
                        .map_err(serde::de::Error::custom)
                })
                .collect()
        })
        .transpose()
    }
}

/// (value, count) pairs of sorted values, or None past [`MAX_KEPT_VALUES`].
fn distinct_counts(runs: impl Iterator<Item = (f64, u64)>) -> Option<Vec<(f64, u64)>> {
    let runs: Vec<(f64, u64)> = runs.take(MAX_KEPT_VALUES + 1).collect();
    (runs.len() <= MAX_KEPT_VALUES).then_some(runs)
}

/// Reads `spec` and keeps what drift needs of each measurable column.
pub async fn build(
    spec: &crate::spec::SourceSpec,
    bins: usize,
    engine: &crate::engine::Engine,
) -> Result<SavedReference, String> {
    let ctx =
        crate::engine::session_for_source(spec, engine).map_err(|e| crate::error::text(&e))?;
    let loaded = crate::source::register(&ctx, spec)
        .await
        .map_err(|e| crate::error::text(&e))?;
    let rows = super::side::row_count(&ctx, &spec.name).await?;
    let mut columns = Vec::new();
    for f in loaded.schema.fields() {
        let Ok((method, _)) = super::method_for(f.data_type(), None) else {
            continue;
        };
        let values = super::side::read(&ctx, &spec.name, f.name(), method).await?;
        columns.push(SavedColumn::new(
            f.name(),
            crate::types::display_type(f.data_type()),
            values,
            bins,
        )?);
    }
    Ok(SavedReference {
        kind: KIND.into(),
        version: VERSION,
        source: spec.path.clone(),
        rows,
        bins,
        columns,
    })
}

impl SavedReference {
    pub fn load(path: &Path) -> Result<SavedReference, String> {
        let shown = path.display();
        let cannot =
            |e: &dyn std::fmt::Display| format!("cannot read the saved reference {shown}: {e}");
        let text = match crate::source::store::Objects::file(&path.to_string_lossy()) {
            Ok(Some(object)) => {
                let bytes = object.get("").map_err(|e| cannot(&e))?;
                String::from_utf8(bytes.to_vec()).map_err(|e| cannot(&e))?
            }
            Ok(None) => std::fs::read_to_string(path).map_err(|e| cannot(&e))?,
            Err(e) => return Err(cannot(&e)),
        };
        SavedReference::from_text(&shown.to_string(), &text)
    }

    /// A saved reference from the text of its file, validated as
    /// [`SavedReference::load`] does; `shown` names the file in messages.
    pub fn from_text(shown: &str, text: &str) -> Result<SavedReference, String> {
        let probe: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("{shown} is not a saved reference (not JSON: {e})"))?;
        if probe.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
            return Err(format!(
                "{shown} is not a saved reference (write one with `verdict profile SOURCE --save-reference {shown}`)"
            ));
        }
        match probe.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "{shown} is a version {v} reference; this verdict reads version {VERSION} (save it again, or upgrade verdict)"
                ))
            }
            None => return Err(format!("{shown} has no `version`")),
        }
        let saved: SavedReference =
            serde_json::from_value(probe).map_err(|e| format!("{shown} is damaged: {e}"))?;
        saved
            .consistent()
            .map_err(|e| format!("{shown} is damaged: {e}"))?;
        Ok(saved)
    }

    /// What every reference `save` writes holds: bins in range, ascending
    /// edges one fewer than the counts, and every column's counts adding up
    /// to the rows. A file edited by hand or cut short is refused here,
    /// before its numbers size an allocation or reach a verdict.
    fn consistent(&self) -> Result<(), String> {
        if !(2..=1000).contains(&self.bins) {
            return Err(format!("`bins` is {}, not between 2 and 1000", self.bins));
        }
        for c in &self.columns {
            let name = &c.name;
            let total = |what: &str, parts: &mut dyn Iterator<Item = u64>| {
                let mut sum = Some(0u64);
                for p in parts {
                    sum = sum.and_then(|s| s.checked_add(p));
                }
                sum.ok_or_else(|| format!("the {what} of `{name}` add up past 2^64"))
            };
            let counted = match c.method {
                DriftMethod::Numeric => {
                    if c.edges.len() >= self.bins || c.edges.len() + 1 != c.counts.len() {
                        return Err(format!(
                            "`{name}` has {} edges and {} counts for {} bins",
                            c.edges.len(),
                            c.counts.len(),
                            self.bins
                        ));
                    }
                    if c.edges.iter().any(|e| e.is_nan()) || !c.edges.is_sorted_by(|a, b| a < b) {
                        return Err(format!("the edges of `{name}` are not ascending"));
                    }
                    let binned = total("counts", &mut c.counts.iter().copied())?;
                    if let Some(values) = &c.values {
                        if values.len() > MAX_KEPT_VALUES
                            || values.iter().any(|(v, _)| v.is_nan())
                            || !values.is_sorted_by(|a, b| a.0 < b.0)
                        {
                            return Err(format!(
                                "the kept values of `{name}` are not at most {MAX_KEPT_VALUES} distinct ascending numbers"
                            ));
                        }
                        let kept = total("kept values", &mut values.iter().map(|v| v.1))?;
                        if kept != binned {
                            return Err(format!(
                                "`{name}` keeps {kept} values but its bins count {binned}"
                            ));
                        }
                    }
                    total("counts", &mut [binned, c.nulls, c.nans].into_iter())?
                }
                DriftMethod::Categorical => total(
                    "counts",
                    &mut c.categories.values().copied().chain([c.nulls, c.nans]),
                )?,
            };
            if counted != self.rows {
                return Err(format!(
                    "`{name}` counts {counted} rows (values, nulls and NaN), the reference has {}",
                    self.rows
                ));
            }
        }
        Ok(())
    }

    /// Writes the file atomically: a temporary file beside it, renamed (or
    /// one PUT of the whole file in a bucket).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        // In a bucket: one PUT of the whole file.
        if let Some(object) = crate::source::store::Objects::file(&path.to_string_lossy())
            .map_err(std::io::Error::other)?
        {
            let mut bytes = serde_json::to_vec(self)?;
            bytes.push(b'\n');
            object.put("", bytes).map_err(std::io::Error::other)?;
            return Ok(());
        }
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer(&mut tmp, self)?;
        tmp.write_all(b"\n")?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    /// The reference side of `name` for `method` with `bins` bins.
    pub fn column(
        &self,
        name: &str,
        method: DriftMethod,
        bins: usize,
    ) -> Result<RefColumn, String> {
        let c = self
            .columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| format!("the saved reference has no column `{name}`"))?;
        if c.method != method {
            return Err(format!(
                "the saved reference measured `{name}` as {}, the suite asks for {}",
                super::method_name(c.method),
                super::method_name(method)
            ));
        }
        Ok(match method {
            DriftMethod::Numeric => {
                if bins != self.bins {
                    return Err(format!(
                        "the saved reference has {} bins, the suite asks for {bins}: save it again with `--bins {bins}`",
                        self.bins
                    ));
                }
                RefColumn::Numeric {
                    nulls: c.nulls,
                    nans: c.nans,
                    edges: c.edges.clone(),
                    counts: c.counts.clone(),
                    sorted: c.values.clone().map(Sample::Runs),
                }
            }
            DriftMethod::Categorical => RefColumn::Categorical {
                nulls: c.nulls,
                counts: c.categories.clone(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::side::Sorted;
    use super::*;

    #[test]
    fn distinct_values_are_kept_up_to_the_limit() {
        assert_eq!(
            distinct_counts(Sorted::Memory(vec![1.0, 1.0, 2.5, 3.0, 3.0, 3.0]).runs()),
            Some(vec![(1.0, 2), (2.5, 1), (3.0, 3)])
        );
        let many: Vec<f64> = (0..=MAX_KEPT_VALUES).map(|i| i as f64).collect();
        assert_eq!(distinct_counts(Sorted::Memory(many).runs()), None);
    }

    #[test]
    fn saved_column_round_trips_through_json_exactly() {
        let values = vec![0.1, 0.2, 0.30000000000000004, 1e-300, 7.0];
        let col = Column::Numeric {
            nulls: 2,
            nans: 1,
            sorted: {
                let mut v = values.clone();
                v.sort_by(f64::total_cmp);
                Sorted::Memory(v)
            },
        };
        let saved = SavedReference {
            kind: KIND.into(),
            version: VERSION,
            source: "t.parquet".into(),
            rows: 8,
            bins: 4,
            columns: vec![SavedColumn::new("x", "float64".into(), col.clone(), 4).unwrap()],
        };
        let text = serde_json::to_string(&saved).unwrap();
        let back: SavedReference = serde_json::from_str(&text).unwrap();
        assert_eq!(back, saved);
        let RefColumn::Numeric { sorted, .. } = back.column("x", DriftMethod::Numeric, 4).unwrap()
        else {
            panic!("numeric");
        };
        let Column::Numeric { sorted: want, .. } = col else {
            unreachable!()
        };
        assert_eq!(
            sorted,
            Some(Sample::Runs(distinct_counts(want.runs()).unwrap()))
        );
        assert!(back
            .column("x", DriftMethod::Numeric, 10)
            .unwrap_err()
            .contains("4 bins"));
        assert!(back
            .column("y", DriftMethod::Numeric, 4)
            .unwrap_err()
            .contains("no column `y`"));
    }
}
