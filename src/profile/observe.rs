//! What `verdict profile` reads from a table, in few queries: one shared
//! aggregate of every metric (row count, null and NaN counts, min/max of
//! numbers and times, string lengths), one `SELECT DISTINCT … LIMIT n+1`
//! per string column (DataFusion stops reading once a high-cardinality
//! column passes `n`), and a duplicates query only for the columns that
//! could still be keys — key-like names first, so usually one.

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::error::DataFusionError;
use datafusion::prelude::{ident, SessionContext};
use datafusion::scalar::ScalarValue;

use crate::error::datafusion_text as message;
use crate::metric::exec::{self, MetricValues};
use crate::metric::{Metric, Value};
use crate::spec::SourceSpec;
use crate::types;

/// The name the profiled table is registered under (never shown).
const TABLE: &str = "profiled";

/// Fallback key candidates tested when no key-like column is unique.
const MAX_FALLBACK_KEY_TESTS: usize = 3;

/// What was observed over the whole table.
#[derive(Debug, Clone)]
pub struct Observed {
    pub rows: u64,
    pub columns: Vec<ColumnObs>,
    pub queries: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnObs {
    pub name: String,
    pub data_type: DataType,
    pub non_null: u64,
    /// NaN count, for float columns.
    pub nan: Option<u64>,
    /// Min and max of numbers, dates and timestamps (NaN skipped).
    pub min: Option<Value>,
    pub max: Option<Value>,
    /// Shortest and longest string, in characters.
    pub lengths: Option<(i128, i128)>,
    /// The distinct non-null values of a string column, sorted, when there
    /// are at most `max_set`; `None` when there are more (or not a string).
    pub values: Option<Vec<String>>,
    /// No nulls and no duplicates, and chosen as a key.
    pub key: bool,
}

/// How a column's type is profiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Int,
    Float,
    Decimal,
    Time,
    Str,
    Other,
}

pub fn shape(dt: &DataType) -> Shape {
    match dt {
        DataType::Decimal128(..) | DataType::Decimal256(..) => Shape::Decimal,
        d if types::is_float(d) => Shape::Float,
        d if types::is_integer(d) => Shape::Int,
        d if types::is_temporal(d) => Shape::Time,
        d if types::is_string(d) => Shape::Str,
        _ => Shape::Other,
    }
}

/// A name that says "key": `id`, `user_id`, `userId`, `key`, `uuid`, `*_key`.
pub fn key_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(n.as_str(), "id" | "key" | "uuid" | "guid" | "pk")
        || ["_id", "-id", " id", "_key", "_uuid"]
            .iter()
            .any(|s| n.ends_with(s))
        || (name.ends_with("Id") && name.len() > 2)
}

/// Registers `spec` and observes it. `Err` is a source that cannot be read.
pub async fn observe(
    spec: &SourceSpec,
    max_set: usize,
    engine: &crate::engine::Engine,
) -> Result<Observed, String> {
    let ctx =
        crate::engine::session_for_source(spec, engine).map_err(|e| crate::error::text(&e))?;
    let mut spec = spec.clone();
    spec.name = TABLE.into();
    let loaded = crate::source::register(&ctx, &spec)
        .await
        .map_err(|e| crate::error::text(&e))?;
    let schema = loaded.schema;
    let metrics = metrics(&schema);
    let (values, scans) = exec::aggregate(&ctx, TABLE, &schema, &metrics, None).await;
    let values = values.map_err(|e| format!("cannot read {}: {e}", spec.path))?;
    let mut queries = scans.len();
    let rows = count(&values, &Metric::RowCount)
        .map_err(|e| format!("cannot count the rows of {}: {e}", spec.path))?;
    let mut columns: Vec<ColumnObs> = schema
        .fields()
        .iter()
        .map(|f| column(f.name(), f.data_type(), &values))
        .collect();
    if rows == 0 {
        return Ok(Observed {
            rows,
            columns,
            queries,
        });
    }
    for c in columns
        .iter_mut()
        .filter(|c| shape(&c.data_type) == Shape::Str)
    {
        if max_set == 0 || c.non_null == 0 {
            continue;
        }
        queries += 1;
        match few_values(&ctx, &c.name, max_set).await {
            Ok(v) => c.values = v,
            Err(e) => crate::diag!(
                "warning: cannot list the values of `{}`: {}",
                c.name,
                message(&e)
            ),
        }
    }
    queries += mark_keys(&ctx, &schema, rows, &mut columns).await;
    Ok(Observed {
        rows,
        columns,
        queries,
    })
}

/// Every metric the profile needs, for the one shared aggregate.
fn metrics(schema: &Schema) -> Vec<Metric> {
    let mut m = vec![Metric::RowCount];
    for f in schema.fields() {
        let c = f.name().to_string();
        m.push(Metric::NonNullCount(c.clone()));
        match shape(f.data_type()) {
            Shape::Float => {
                m.push(Metric::NanCount(c.clone()));
                m.extend([Metric::Min(c.clone()), Metric::Max(c)]);
            }
            Shape::Int | Shape::Decimal | Shape::Time => {
                m.extend([Metric::Min(c.clone()), Metric::Max(c)])
            }
            Shape::Str => m.extend([Metric::MinLength(c.clone()), Metric::MaxLength(c)]),
            Shape::Other => {}
        }
    }
    m
}

fn count(values: &MetricValues, m: &Metric) -> Result<u64, String> {
    match values.get(m) {
        Some(Ok(Some(Value::Int(n)))) => Ok((*n).max(0) as u64),
        Some(Ok(Some(Value::Decimal(n, 0)))) => Ok((*n).max(0) as u64),
        Some(Ok(other)) => Err(format!("unexpected count {other:?}")),
        Some(Err(e)) => Err(e.clone()),
        None => Err("not computed".into()),
    }
}

fn column(name: &str, dt: &DataType, values: &MetricValues) -> ColumnObs {
    let c = name.to_string();
    // A metric that failed alone (say, an unsupported type) leaves its
    // bound out rather than failing the profile.
    let get = |m: Metric| values.get(&m).and_then(|r| r.clone().ok()).flatten();
    let int = |m: Metric| match get(m) {
        Some(Value::Int(n)) => Some(n),
        _ => None,
    };
    let lengths = match (
        int(Metric::MinLength(c.clone())),
        int(Metric::MaxLength(c.clone())),
    ) {
        (Some(lo), Some(hi)) => Some((lo, hi)),
        _ => None,
    };
    ColumnObs {
        name: c.clone(),
        data_type: dt.clone(),
        non_null: count(values, &Metric::NonNullCount(c.clone())).unwrap_or(0),
        nan: (shape(dt) == Shape::Float)
            .then(|| count(values, &Metric::NanCount(c.clone())).ok())
            .flatten(),
        min: get(Metric::Min(c.clone())),
        max: get(Metric::Max(c.clone())),
        lengths,
        values: None,
        key: false,
    }
}

/// The distinct non-null values of a string column, sorted, if there are
/// at most `max`. With no aggregate and a limit, DataFusion stops reading
/// as soon as `max + 1` distinct values have been seen.
async fn few_values(
    ctx: &SessionContext,
    column: &str,
    max: usize,
) -> Result<Option<Vec<String>>, DataFusionError> {
    let df = ctx
        .table(TABLE)
        .await?
        .filter(ident(column).is_not_null())?
        .aggregate(vec![ident(column)], vec![])?
        .limit(0, Some(max + 1))?;
    let mut out = Vec::new();
    for b in df.collect().await? {
        for i in 0..b.num_rows() {
            let s = ScalarValue::try_from_array(b.column(0), i)?;
            match Value::from_scalar(&s) {
                Ok(Some(Value::Str(v))) => out.push(v),
                _ => return Ok(None),
            }
        }
    }
    if out.len() > max {
        return Ok(None);
    }
    out.sort();
    Ok(Some(out))
}

/// Whether a column with no nulls can still be a key, from what is
/// already known (`Some(answer)`), or needs a duplicates query (`None`).
fn known_unique(c: &ColumnObs, rows: u64) -> Option<bool> {
    if let Some(v) = &c.values {
        return Some(v.len() as u64 == rows);
    }
    if let (Some(Value::Int(lo)), Some(Value::Int(hi))) = (&c.min, &c.max) {
        // Fewer possible values than rows: some value repeats.
        if hi - lo + 1 < rows as i128 {
            return Some(false);
        }
    }
    None
}

/// Marks key columns: no nulls, no duplicates, not a float or boolean.
/// Every key-like name that is unique is marked; if none is, the first
/// unique column among a few others (integers and strings, in schema
/// order). Returns the number of queries made.
async fn mark_keys(
    ctx: &SessionContext,
    schema: &Schema,
    rows: u64,
    columns: &mut [ColumnObs],
) -> usize {
    let candidate = |c: &ColumnObs, named: bool| {
        c.non_null == rows
            && key_like(&c.name) == named
            && match shape(&c.data_type) {
                Shape::Int | Shape::Str => true,
                Shape::Decimal | Shape::Time => named,
                _ => false,
            }
            && known_unique(c, rows) != Some(false)
    };
    let mut queries = 0;
    for c in columns.iter_mut().filter(|c| candidate(c, true)) {
        c.key = match known_unique(c, rows) {
            Some(u) => u,
            None => {
                queries += 1;
                is_unique(ctx, schema, &c.name).await
            }
        };
    }
    if rows < 2 || columns.iter().any(|c| c.key) {
        return queries;
    }
    let mut tested = 0;
    for c in columns.iter_mut().filter(|c| candidate(c, false)) {
        c.key = match known_unique(c, rows) {
            Some(u) => u,
            None if tested == MAX_FALLBACK_KEY_TESTS => break,
            None => {
                tested += 1;
                queries += 1;
                is_unique(ctx, schema, &c.name).await
            }
        };
        if c.key {
            break;
        }
    }
    queries
}

async fn is_unique(ctx: &SessionContext, schema: &Schema, column: &str) -> bool {
    let (dups, _) = exec::duplicates(ctx, TABLE, schema, &[column.to_string()], 0, None).await;
    dups.map(|d| d.keys == 0).unwrap_or_else(|e| {
        crate::diag!("warning: cannot test `{column}` for duplicates: {e}");
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_like_names() {
        for n in [
            "id",
            "ID",
            "order_id",
            "userId",
            "customer-id",
            "uuid",
            "row_key",
        ] {
            assert!(key_like(n), "{n}");
        }
        for n in ["valid", "paid", "idx", "Id2", "kid", "width", "identity"] {
            assert!(!key_like(n), "{n}");
        }
    }
}
