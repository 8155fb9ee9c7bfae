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

use super::side::{Column, RefColumn};
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
    pub fn new(name: &str, data_type: String, column: Column, bins: usize) -> SavedColumn {
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
        match RefColumn::from_values(column, bins) {
            RefColumn::Numeric {
                nulls,
                nans,
                edges,
                counts,
                sorted,
            } => {
                (saved.nulls, saved.nans, saved.edges, saved.counts) = (nulls, nans, edges, counts);
                saved.values = sorted.and_then(|s| distinct_counts(&s));
            }
            RefColumn::Categorical { nulls, counts } => {
                (saved.nulls, saved.categories) = (nulls, counts);
            }
        }
        saved
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
fn distinct_counts(sorted: &[f64]) -> Option<Vec<(f64, u64)>> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    for &v in sorted {
        match out.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => {
                if out.len() == MAX_KEPT_VALUES {
                    return None;
                }
                out.push((v, 1));
            }
        }
    }
    Some(out)
}

/// Reads `spec` and keeps what drift needs of each measurable column.
pub async fn build(spec: &crate::spec::SourceSpec, bins: usize) -> Result<SavedReference, String> {
    let ctx = crate::engine::session_for_source(spec).map_err(|e| crate::error::text(&e))?;
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
        ));
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
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the saved reference {shown}: {e}"))?;
        let probe: serde_json::Value = serde_json::from_str(&text)
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
        serde_json::from_value(probe).map_err(|e| format!("{shown} is damaged: {e}"))
    }

    /// Writes the file atomically: a temporary file beside it, renamed.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
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
                    sorted: c.values.as_ref().map(|v| {
                        v.iter()
                            .flat_map(|&(x, n)| std::iter::repeat_n(x, n as usize))
                            .collect()
                    }),
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
    use super::*;

    #[test]
    fn distinct_values_are_kept_up_to_the_limit() {
        assert_eq!(
            distinct_counts(&[1.0, 1.0, 2.5, 3.0, 3.0, 3.0]),
            Some(vec![(1.0, 2), (2.5, 1), (3.0, 3)])
        );
        let many: Vec<f64> = (0..=MAX_KEPT_VALUES).map(|i| i as f64).collect();
        assert_eq!(distinct_counts(&many), None);
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
                v
            },
        };
        let saved = SavedReference {
            kind: KIND.into(),
            version: VERSION,
            source: "t.parquet".into(),
            rows: 8,
            bins: 4,
            columns: vec![SavedColumn::new("x", "float64".into(), col.clone(), 4)],
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
        assert_eq!(sorted, Some(want));
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
