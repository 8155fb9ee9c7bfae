//! Running metrics: one aggregate query for all shared metrics of a source,
//! one group-by query per uniqueness key, and the user's own SQL. A failed
//! query is not an abort: if the shared aggregate fails, each metric is
//! retried alone so the failure lands only on the checks it belongs to.

use crate::report::format::count;
use std::collections::HashMap;
use std::time::Instant;

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::datatypes::{DataType, Int64Type, UInt64Type};
use datafusion::dataframe::DataFrame;
use datafusion::error::DataFusionError;
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn::sum;
use datafusion::logical_expr::{cast, col, Expr};
use datafusion::physical_plan::{collect, ExecutionPlan};
use datafusion::prelude::{ident, lit, SQLOptions, SessionContext};
use datafusion::scalar::ScalarValue;
use futures::StreamExt;
use roaring::RoaringTreemap;
use serde::Serialize;

use super::{Duplicates, Metric, Value};
use crate::database::dburl::Dialect;
use crate::engine::group_by;
use crate::error::datafusion_text as message;

/// One query run against a source, for the report's timing section.
#[derive(Debug, Clone, Serialize)]
pub struct Scan {
    /// `aggregate`, `distinct` or `sql`.
    pub kind: &'static str,
    /// What the query computed (metric count, key columns, check name).
    pub label: String,
    pub seconds: f64,
    /// True when the engine answered from file metadata without reading rows.
    pub from_metadata: bool,
    /// The SQL a database ran for this query, and the rows it sent back:
    /// one row for an aggregate pushed down whole.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pushed_down: Vec<Pushed>,
    /// How a `distinct` query counted: `bitmap` (integer keys streamed
    /// into bitmaps here) or `group_by` (a `GROUP BY … HAVING` query, what
    /// a database or a cluster runs itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<&'static str>,
    /// The `where` of the checks it measured, when they have one (the
    /// source's own `where` is on the source).
    #[serde(rename = "where", skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// What an aggregate read of the files: files, row groups looked at
    /// and skipped, bytes. Left out for databases and metadata answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<crate::engine::FileReads>,
}

/// One statement run by a database on DataFusion's behalf.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pushed {
    pub sql: String,
    /// Rows the database returned (None when the plan did not count them).
    pub rows: Option<usize>,
}

/// The statements of a federated plan that has run, with the rows each
/// returned. A file source's plan has none.
pub fn pushed_down(plan: &dyn ExecutionPlan) -> Vec<Pushed> {
    fn walk(plan: &dyn ExecutionPlan, parent_rows: Option<usize>, out: &mut Vec<Pushed>) {
        let rows = plan.metrics().and_then(|m| m.output_rows());
        if plan.name() == "sql_federation_exec" {
            let shown = datafusion::physical_plan::displayable(plan)
                .one_line()
                .to_string();
            // The last rewrite is what ran; `base_sql` when there was none.
            let sql = [
                "rewritten_sql_query=",
                "rewritten_ast_analyzer=",
                "rewritten_executor_sql=",
                "rewritten_logical_sql=",
                "base_sql=",
            ]
            .iter()
            .find_map(|k| shown.split_once(k).map(|(_, rest)| rest))
            .map(|rest| {
                let end = rest.find(" rewritten_").unwrap_or(rest.len());
                rest[..end].trim().to_string()
            })
            .unwrap_or(shown.trim().to_string());
            out.push(Pushed {
                sql,
                rows: rows.or(parent_rows),
            });
            return;
        }
        // The nearest counting ancestor (a schema cast, past cooperative
        // wrappers) counts what the statement returned.
        for c in plan.children() {
            walk(c.as_ref(), rows.or(parent_rows), out);
        }
    }
    let mut out = Vec::new();
    walk(plan, None, &mut out);
    out
}

impl Scan {
    /// A query of `kind` that started at `started` and has just finished.
    fn timed(kind: &'static str, label: impl Into<String>, started: Instant) -> Scan {
        Scan {
            kind,
            label: label.into(),
            seconds: started.elapsed().as_secs_f64(),
            from_metadata: false,
            pushed_down: Vec::new(),
            plan: None,
            filter: None,
            read: None,
        }
    }

    /// The query that wrote a failed check's rows (`--failed-rows`).
    pub fn failed_rows(check: &str, started: Instant) -> Scan {
        Scan::timed("failed_rows", check.to_string(), started)
    }

    /// The scan as one over the rows `filter` keeps.
    pub fn within(mut self, filter: Option<&crate::spec::Filter>) -> Scan {
        self.filter = filter.map(|f| f.sql.clone());
        self
    }
}

/// One row an aggregate returned, and how it was computed.
pub struct Row {
    pub values: Vec<ScalarValue>,
    /// File metadata answered it without reading rows.
    pub from_metadata: bool,
    /// What a database ran for it.
    pub pushed: Vec<Pushed>,
    /// What it read of the files.
    pub read: Option<crate::engine::FileReads>,
}

pub type MetricValues = HashMap<Metric, Result<Option<Value>, String>>;

/// Computes all `metrics` of `table` in one aggregate. Returns the values
/// (`Err`: the table itself could not be read) and the queries made.
pub async fn aggregate(
    ctx: &SessionContext,
    table: &str,
    schema: &Schema,
    metrics: &[Metric],
    dialect: Option<Dialect>,
) -> (Result<MetricValues, String>, Vec<Scan>) {
    let (values, scans, _) = aggregate_with(ctx, table, schema, metrics, dialect, false).await;
    (values, scans)
}

/// The offending values of set and pattern metrics, counted in the scan
/// that counted their rows (see [`super::offending`]).
pub type OffendingValues = HashMap<Metric, Vec<Sample>>;

/// [`aggregate`], also counting the offending values of the metrics a
/// failed check explains with them, where verdict runs the scan itself
/// (not a database, not a cluster). A metric whose values were too many
/// to keep is not in the map: its check asks [`offending_values`].
pub async fn aggregate_explaining(
    ctx: &SessionContext,
    table: &str,
    schema: &Schema,
    metrics: &[Metric],
    dialect: Option<Dialect>,
) -> (Result<MetricValues, String>, Vec<Scan>, OffendingValues) {
    let in_scan = dialect.is_none() && !crate::engine::on_cluster(ctx);
    aggregate_with(ctx, table, schema, metrics, dialect, in_scan).await
}

async fn aggregate_with(
    ctx: &SessionContext,
    table: &str,
    schema: &Schema,
    metrics: &[Metric],
    dialect: Option<Dialect>,
    in_scan: bool,
) -> (Result<MetricValues, String>, Vec<Scan>, OffendingValues) {
    let mut scans = Vec::new();
    let mut offending = OffendingValues::new();
    // Metrics the database cannot compute are values of their own: errors.
    let mut values: MetricValues = HashMap::new();
    let mut runnable: Vec<(Metric, Expr, bool)> = Vec::new();
    for m in metrics {
        let counter = in_scan.then(|| offending_counter(m, schema)).flatten();
        let counted = counter.is_some();
        match counter.map_or_else(|| expr_for(ctx, m, schema, dialect), Ok) {
            Ok(e) => runnable.push((m.clone(), e, counted)),
            Err(why) => {
                values.insert(m.clone(), Err(why));
            }
        }
    }
    // What a result of the aggregate is for the metric.
    let mut decode = |m: &Metric, counted: bool, s: &ScalarValue| {
        if !counted {
            return m.decode(s);
        }
        let found = super::offending::decode(s)?;
        if let Some(v) = found.values {
            let v = v.into_iter().map(|(value, rows)| Sample { value, rows });
            offending.insert(m.clone(), v.collect());
        }
        Ok(Some(Value::Int(i128::from(found.rows))))
    };
    if runnable.is_empty() {
        return (Ok(values), scans, offending);
    }
    let started = Instant::now();
    let exprs: Vec<Expr> = runnable
        .iter()
        .enumerate()
        .map(|(i, (_, e, _))| e.clone().alias(format!("m{i}")))
        .collect();
    match run_row(ctx, table, exprs).await {
        Ok(row) => {
            scans.push(Scan {
                kind: "aggregate",
                label: format!("{} metrics", runnable.len()),
                seconds: started.elapsed().as_secs_f64(),
                from_metadata: row.from_metadata,
                pushed_down: row.pushed,
                plan: None,
                filter: None,
                read: row.read.filter(|_| !row.from_metadata),
            });
            for ((m, _, counted), s) in runnable.iter().zip(row.values) {
                values.insert(m.clone(), decode(m, *counted, &s));
            }
            (Ok(values), scans, offending)
        }
        Err(shared) => {
            // Is the table readable at all? If not, nothing can be attributed.
            let probe = run_row(ctx, table, vec![count_all().alias("m0")]).await;
            scans.push(Scan::timed(
                "aggregate",
                format!("{} metrics (failed)", runnable.len()),
                started,
            ));
            if probe.is_err() {
                return (Err(message(&shared)), scans, offending);
            }
            for (m, e, counted) in runnable {
                let t = Instant::now();
                let r = run_row(ctx, table, vec![e.alias("m0")]).await;
                scans.push(Scan::timed("aggregate", format!("retry {m}"), t));
                let v = r
                    .map_err(|e| message(&e))
                    .and_then(|row| decode(&m, counted, &row.values[0]));
                values.insert(m, v);
            }
            (Ok(values), scans, offending)
        }
    }
}

/// The in-scan counter of `m`'s offending values, for the metrics whose
/// values explain a failed check (`in_set`, `not_in_set`, `regex`,
/// `not_regex`, `length`, `range`: those with a violation predicate). Not
/// for float columns: the query groups NaN and signed zeros its own way.
fn offending_counter(m: &Metric, schema: &Schema) -> Option<Expr> {
    let c = m.column()?;
    let dt = schema.field_with_name(c).ok()?.data_type();
    if crate::types::is_float(dt) {
        return None;
    }
    Some(super::offending::expr(ident(c), m.local_violation(dt)?))
}

fn expr_for(
    ctx: &SessionContext,
    m: &Metric,
    schema: &Schema,
    dialect: Option<Dialect>,
) -> Result<Expr, String> {
    if let Metric::ExpressionFalse(sql) | Metric::ExpressionKnown(sql) = m {
        let df_schema =
            datafusion::common::DFSchema::try_from(schema.clone()).map_err(|e| message(&e))?;
        let e = ctx
            .state()
            .create_logical_expr(sql, &df_schema)
            .map_err(|e| message(&e))?;
        let pred = match m {
            Metric::ExpressionFalse(_) => datafusion::logical_expr::not(e),
            _ => e.is_not_null(),
        };
        return Ok(crate::metric::rows_where(pred, dialect));
    }
    let dt = m
        .column()
        .and_then(|c| schema.field_with_name(c).ok())
        .map(|f| f.data_type().clone())
        .unwrap_or(datafusion::arrow::datatypes::DataType::Null);
    if dialect.is_none() && !crate::engine::on_cluster(ctx) {
        return m.local_expr(&dt);
    }
    m.expr(&dt, dialect)
}

/// Runs a global aggregate and returns its single row.
pub async fn run_row(
    ctx: &SessionContext,
    table: &str,
    exprs: Vec<Expr>,
) -> Result<Row, DataFusionError> {
    let df = ctx.table(table).await?.aggregate(vec![], exprs)?;
    let plan = crate::engine::physical_plan(ctx, df).await?;
    let from_metadata = !crate::engine::reads_rows(plan.as_ref());
    let batches = collect(plan.clone(), ctx.task_ctx()).await?;
    let pushed = pushed_down(plan.as_ref());
    let batch = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| DataFusionError::Internal("aggregate returned no row".into()))?;
    let values = (0..batch.num_columns())
        .map(|i| ScalarValue::try_from_array(batch.column(i), 0))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Row {
        values,
        from_metadata,
        pushed,
        read: crate::engine::file_reads(plan.as_ref()),
    })
}

/// Runs `df` to its batches and adds what a database ran for it to
/// `pushed`, so that every scan of a database source shows its SQL.
async fn collect_traced(
    ctx: &SessionContext,
    df: DataFrame,
    pushed: &mut Vec<Pushed>,
) -> Result<Vec<RecordBatch>, DataFusionError> {
    let plan = crate::engine::physical_plan(ctx, df).await?;
    let batches = collect(plan.clone(), ctx.task_ctx()).await?;
    pushed.extend(pushed_down(plan.as_ref()));
    Ok(batches)
}

/// Keys of `columns` that occur more than once (rows with a null key part
/// are left out, as in SQL `UNIQUE`), as its own query: inside the shared
/// aggregate `count(DISTINCT)` costs several times more. A single integer
/// key streams into a compressed bitmap (a few bits per key instead of a
/// hash-table entry); any other key runs as a `GROUP BY … HAVING` query.
/// `sample` smallest duplicated keys are returned with the counts.
pub async fn duplicates(
    ctx: &SessionContext,
    table: &str,
    schema: &Schema,
    columns: &[String],
    sample: usize,
    dialect: Option<Dialect>,
) -> (Result<Duplicates, String>, Scan) {
    let started = Instant::now();
    // A database or a cluster answers the GROUP BY itself; the bitmap
    // would pull every key to this machine.
    let int_key = match columns {
        [c] if dialect.is_none() && !crate::engine::on_cluster(ctx) => schema
            .field_with_name(c)
            .ok()
            .filter(|f| f.data_type().is_integer())
            .map(|f| (c, f.data_type().is_signed_integer())),
        _ => None,
    };
    let mut pushed = Vec::new();
    let (d, plan) = match int_key {
        Some((c, signed)) => (
            bitmap_duplicates(ctx, table, c, signed, sample).await,
            "bitmap",
        ),
        None => (
            grouped_duplicates(ctx, table, columns, sample, &mut pushed).await,
            "group_by",
        ),
    };
    let mut scan = Scan::timed("distinct", columns.join(", "), started);
    scan.pushed_down = pushed;
    scan.plan = Some(plan);
    (d.map_err(|e| message(&e)), scan)
}

/// Duplicates of one integer column, counted with two bitmaps: keys seen,
/// and keys seen more than once. Signed keys are mapped order-preserving
/// onto `u64` by flipping the sign bit.
async fn bitmap_duplicates(
    ctx: &SessionContext,
    table: &str,
    column: &str,
    signed: bool,
    sample: usize,
) -> Result<Duplicates, DataFusionError> {
    let target = if signed {
        DataType::Int64
    } else {
        DataType::UInt64
    };
    let df = ctx
        .table(table)
        .await?
        .select(vec![cast(ident(column), target)])?;
    let mut stream = df.execute_stream().await?;
    let (mut seen, mut repeated) = (RoaringTreemap::new(), RoaringTreemap::new());
    let mut extra_rows = 0u64;
    let mut add = |k: u64| {
        if !seen.insert(k) {
            extra_rows += 1;
            repeated.insert(k);
        }
    };
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let col = batch.column(0);
        if signed {
            col.as_primitive::<Int64Type>()
                .iter()
                .flatten()
                .for_each(|v| add((v as u64) ^ (1 << 63)));
        } else {
            col.as_primitive::<UInt64Type>()
                .iter()
                .flatten()
                .for_each(&mut add);
        }
    }
    let keys = repeated.len();
    let sample = repeated
        .iter()
        .take(sample)
        .map(|k| {
            vec![if signed {
                Value::Int(((k ^ (1 << 63)) as i64) as i128)
            } else {
                Value::Int(k as i128)
            }]
        })
        .collect();
    Ok(Duplicates {
        keys,
        rows: extra_rows + keys,
        sample,
    })
}

async fn grouped_duplicates(
    ctx: &SessionContext,
    table: &str,
    columns: &[String],
    sample: usize,
    pushed: &mut Vec<Pushed>,
) -> Result<Duplicates, DataFusionError> {
    let r = async {
        let not_null = all_present(columns);
        let n = "__verdict_rows";
        let repeated = group_by(
            ctx.table(table).await?.filter(not_null)?,
            columns.iter().map(|c| (ident(c), c.as_str())).collect(),
            vec![(count_all(), n)],
        )?
        // A subquery, so that SQL sent to a database filters the named
        // count in WHERE (an alias in HAVING is not SQL).
        .alias("verdict_groups")?
        .filter(col(n).gt(lit(1i64)))?;
        let counts = repeated.clone().aggregate(
            vec![],
            vec![count_all().alias("keys"), sum(col(n)).alias("rows")],
        )?;
        let batches = collect_traced(ctx, counts, pushed).await?;
        let b = batches
            .iter()
            .find(|b| b.num_rows() > 0)
            .ok_or_else(|| DataFusionError::Internal("the key count returned no row".into()))?;
        let keys = ScalarValue::try_from_array(b.column(0), 0)?;
        let rows = ScalarValue::try_from_array(b.column(1), 0)?;
        let mut examples = Vec::new();
        if sample > 0 && as_u64(&keys) > 0 {
            let sorted = repeated
                .sort(columns.iter().map(|c| ident(c).sort(true, true)).collect())?
                .limit(0, Some(sample))?;
            for b in collect_traced(ctx, sorted, pushed).await? {
                for i in 0..b.num_rows() {
                    let key = (0..columns.len())
                        .map(|c| {
                            let s = ScalarValue::try_from_array(b.column(c), i)?;
                            Ok(Value::from_scalar(&s)
                                .ok()
                                .flatten()
                                .unwrap_or(Value::Str(s.to_string())))
                        })
                        .collect::<Result<Vec<_>, DataFusionError>>()?;
                    examples.push(key);
                }
            }
        }
        Ok::<_, DataFusionError>((keys, rows, examples))
    }
    .await?;
    Ok(Duplicates {
        keys: as_u64(&r.0),
        rows: as_u64(&r.1),
        sample: r.2,
    })
}

fn as_u64(s: &ScalarValue) -> u64 {
    match s {
        ScalarValue::Int64(Some(v)) => *v as u64,
        ScalarValue::UInt64(Some(v)) => *v,
        _ => 0,
    }
}

/// Runs a user `sql:` check. Only queries are allowed (no DDL, DML or
/// settings); the result must be one row with one column.
pub async fn sql_value(
    ctx: &SessionContext,
    name: &str,
    query: &str,
) -> (Result<Option<Value>, String>, Scan) {
    let started = Instant::now();
    let opts = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let r = async {
        let df = ctx.sql_with_options(query, opts).await?;
        df.collect().await
    }
    .await;
    let scan = Scan::timed("sql", name.to_string(), started);
    let v = r.map_err(|e| message(&e)).and_then(|batches| {
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        let cols = batches.first().map(|b| b.num_columns()).unwrap_or(0);
        if rows != 1 || cols != 1 {
            return Err(format!(
                "the query must return one row with one column; it returned {} with {}",
                count(rows, "row"),
                count(cols, "column")
            ));
        }
        let b = batches.iter().find(|b| b.num_rows() == 1).expect("one row");
        let s = ScalarValue::try_from_array(b.column(0), 0).map_err(|e| message(&e))?;
        let v = Value::from_scalar(&s)?;
        match &v {
            Some(Value::Str(_)) | Some(Value::Bool(_)) => Err(format!(
                "the query must return a number; it returned {}",
                v.as_ref().expect("some")
            )),
            _ => Ok(v),
        }
    });
    (v, scan)
}

/// One offending value and how many rows hold it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    pub value: Value,
    pub rows: u64,
}

/// The most frequent values behind a failed `in_set` or `regex` check
/// (ties broken by value, so the sample is deterministic). Runs only for
/// failed checks, as its own query.
pub async fn offending_values(
    ctx: &SessionContext,
    table: &str,
    column: &str,
    predicate: Expr,
    limit: usize,
) -> (Result<Vec<Sample>, String>, Scan) {
    let started = Instant::now();
    let mut pushed = Vec::new();
    let r = async {
        let df = group_by(
            ctx.table(table).await?.filter(predicate)?,
            vec![(ident(column), "v")],
            vec![(count_all(), "n")],
        )?
        .sort(vec![col("n").sort(false, false), col("v").sort(true, true)])?
        .limit(0, Some(limit))?;
        let mut out = Vec::new();
        for b in collect_traced(ctx, df, &mut pushed).await? {
            for i in 0..b.num_rows() {
                let v = ScalarValue::try_from_array(b.column(0), i)?;
                let n = ScalarValue::try_from_array(b.column(1), i)?;
                if let Ok(Some(value)) = Value::from_scalar(&v) {
                    out.push(Sample {
                        value,
                        rows: as_u64(&n),
                    });
                }
            }
        }
        Ok::<_, DataFusionError>(out)
    }
    .await;
    let mut scan = Scan::timed("sample", column.to_string(), started);
    scan.pushed_down = pushed;
    (r.map_err(|e| message(&e)), scan)
}

/// `a IS NOT NULL AND b IS NOT NULL …`: rows whose key has no null part.
pub fn all_present(columns: &[String]) -> Expr {
    columns
        .iter()
        .map(|c| ident(c).is_not_null())
        .reduce(Expr::and)
        .unwrap_or(lit(true))
}

/// The rows of `rows` whose key (`columns`, no part null) the table
/// `parent` does not hold in `to`: a left anti-join planned by DataFusion,
/// whose hash table holds the referenced keys. The one home of that join,
/// for the count of a `references` check and its failing rows.
pub async fn missing_keys(
    ctx: &SessionContext,
    rows: DataFrame,
    columns: &[String],
    parent: &str,
    to: &[String],
) -> Result<DataFrame, DataFusionError> {
    use datafusion::common::JoinType;
    let other = |i: usize| format!("__verdict_p{i}");
    let referenced = ctx.table(parent).await?.select(
        to.iter()
            .enumerate()
            .map(|(i, c)| ident(c).alias(other(i)))
            .collect::<Vec<_>>(),
    )?;
    let on: Vec<Expr> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| ident(c).eq(col(other(i))))
        .collect();
    rows.filter(all_present(columns))?
        .join_on(referenced, JoinType::LeftAnti, on)
}

/// Rows whose key is missing from a referenced table (`references:`).
#[derive(Debug, Clone, PartialEq)]
pub struct Orphans {
    /// Rows (with no null key part) whose key the referenced table lacks.
    pub rows: u64,
    /// Distinct such keys.
    pub keys: u64,
    /// The most frequent of them (ties by value), with their rows.
    pub sample: Vec<Sample>,
}

/// The keys of `table` (`columns`, rows with a null part left out) that
/// `parent` does not hold in `to`: a left anti-join planned by DataFusion
/// (its hash table holds the referenced keys; a database side is read
/// through its pushed-down projection). Counted in one query, the
/// `sample` most frequent in another.
pub async fn orphans(
    ctx: &SessionContext,
    table: &str,
    columns: &[String],
    parent: &str,
    to: &[String],
    sample: usize,
) -> (Result<Orphans, String>, Scan) {
    let started = Instant::now();
    let mut pushed = Vec::new();
    let r = async {
        // The keys under names of their own: a database is sent a join of
        // two derived tables whose columns cannot collide.
        let key: Vec<String> = (0..columns.len())
            .map(|i| format!("__verdict_k{i}"))
            .collect();
        let keys = ctx.table(table).await?.select(
            columns
                .iter()
                .zip(&key)
                .map(|(c, k)| ident(c).alias(k))
                .collect::<Vec<_>>(),
        )?;
        let missing = missing_keys(ctx, keys, &key, parent, to).await?;
        let names: Vec<String> = (0..columns.len()).map(|i| format!("v{i}")).collect();
        let grouped = group_by(
            missing,
            key.iter()
                .zip(&names)
                .map(|(k, n)| (ident(k), n.as_str()))
                .collect(),
            vec![(count_all(), "n")],
        )?;
        let totals = grouped.clone().aggregate(
            vec![],
            vec![count_all().alias("keys"), sum(col("n")).alias("rows")],
        )?;
        let batches = collect_traced(ctx, totals, &mut pushed).await?;
        let b = batches
            .iter()
            .find(|b| b.num_rows() > 0)
            .ok_or_else(|| DataFusionError::Internal("the orphan count returned no row".into()))?;
        let keys = as_u64(&ScalarValue::try_from_array(b.column(0), 0)?);
        let rows = as_u64(&ScalarValue::try_from_array(b.column(1), 0)?);
        let mut examples = Vec::new();
        if keys > 0 && sample > 0 {
            let mut order = vec![col("n").sort(false, false)];
            order.extend(names.iter().map(|n| col(n.as_str()).sort(true, true)));
            let top = grouped.sort(order)?.limit(0, Some(sample))?;
            for b in collect_traced(ctx, top, &mut pushed).await? {
                for i in 0..b.num_rows() {
                    let mut parts = Vec::new();
                    for c in 0..names.len() {
                        let s = ScalarValue::try_from_array(b.column(c), i)?;
                        parts.push(
                            Value::from_scalar(&s)
                                .ok()
                                .flatten()
                                .unwrap_or(Value::Str(s.to_string())),
                        );
                    }
                    let n = ScalarValue::try_from_array(b.column(names.len()), i)?;
                    let value = match parts.as_slice() {
                        [one] => one.clone(),
                        // A compound key as one text: `(ES, b)`.
                        many => Value::Str(format!(
                            "({})",
                            many.iter()
                                .map(|v| match v {
                                    Value::Str(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    };
                    examples.push(Sample {
                        value,
                        rows: as_u64(&n),
                    });
                }
            }
        }
        Ok::<_, DataFusionError>(Orphans {
            rows,
            keys,
            sample: examples,
        })
    }
    .await;
    let mut scan = Scan::timed(
        "references",
        format!("{} → {parent}.{}", columns.join(", "), to.join(", ")),
        started,
    );
    scan.pushed_down = pushed;
    (r.map_err(|e| message(&e)), scan)
}
