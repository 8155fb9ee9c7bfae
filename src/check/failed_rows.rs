//! `--failed-rows DIR`: for each failed check of single rows (a set, a
//! pattern, a length, a range, `not_null`, `unique`, `references`, an
//! `expression`), a Parquet file of up to `limit` rows that break it, with
//! the source's `key:` columns, the columns the check is about and the
//! source's `sample_columns:`, never its `exclude_columns:`. The rows
//! stream through a `LIMIT`: no more than `limit` are ever held. A file
//! that cannot be written is an error on that check's entry, said on
//! stderr; it never changes a verdict.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::JoinType;
use datafusion::dataframe::DataFrame;
use datafusion::error::DataFusionError;
use datafusion::functions_aggregate::count::count_all;
use datafusion::logical_expr::{col, not, Expr};
use datafusion::prelude::{ident, lit, SessionContext};
use datafusion::scalar::ScalarValue;
use futures::StreamExt;

pub use super::result::FailedRows;
use super::{CheckResult, Status};
use crate::engine::group_by;
use crate::error::datafusion_text;
use crate::metric::exec::all_present;
use crate::metric::Value;
use crate::spec::{Check, CheckKind, SourceSpec};

/// How many rows a report shows of each file.
const SHOWN: usize = 5;

/// Where `--failed-rows` writes, and how many rows per check at most.
#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub limit: usize,
}

/// Whether a failed `check` is about single rows, so that its rows can be
/// written.
pub fn applies(check: &Check) -> bool {
    matches!(
        check.kind,
        CheckKind::InSet { .. }
            | CheckKind::NotInSet { .. }
            | CheckKind::Regex { .. }
            | CheckKind::NotRegex { .. }
            | CheckKind::Length { .. }
            | CheckKind::Range { .. }
            | CheckKind::NotNull { .. }
            | CheckKind::Unique { .. }
            | CheckKind::References { .. }
            | CheckKind::Expression { .. }
    )
}

/// Writes the rows that break `check` (over `table`: the source, or the
/// rows its `where` keeps) into `opts.dir`, and records it on `r`.
/// `keys`: for a `unique` check, duplicated keys (the smallest, as many
/// as the limit) found by its own query, whose rows a plain filter finds.
pub async fn write(
    ctx: &SessionContext,
    (suite, source): (&str, &SourceSpec),
    (table, schema): (&str, &Schema),
    check: &Check,
    keys: Option<&[Vec<Value>]>,
    r: &mut CheckResult,
    opts: &Options,
) {
    if r.status != Status::Fail || !applies(check) {
        return;
    }
    let path = file_for(&opts.dir, suite, &source.name, &check.name);
    let shown = path.display().to_string();
    let columns = columns(ctx, source, schema, check);
    let outcome = match columns {
        Err(e) => Err(e),
        Ok(cols) => {
            let rows = async {
                let df = offending(ctx, table, schema, check, keys).await?;
                let df = df
                    .select(cols.iter().map(ident).collect::<Vec<_>>())?
                    .limit(0, Some(opts.limit))?;
                Ok::<_, DataFusionError>(df)
            }
            .await
            .map_err(|e| datafusion_text(&e));
            match rows {
                Err(e) => Err(e),
                Ok(df) => stream_to(ctx, df, &path)
                    .await
                    .map(|(rows, first)| (cols, rows, first)),
            }
        }
    };
    r.failed_rows = Some(match outcome {
        Ok((columns, rows, first)) => FailedRows {
            path: shown,
            rows,
            columns,
            first,
            error: None,
        },
        Err(e) => {
            crate::diag!(
                "error: cannot write the failing rows of `{}` to {shown}: {e}",
                check.name
            );
            FailedRows {
                path: shown,
                rows: 0,
                columns: Vec::new(),
                first: Vec::new(),
                error: Some(e),
            }
        }
    });
}

/// `DIR/<suite file stem>/<source>/<check>.parquet`, each name reduced to
/// letters, digits, `.`, `_` and `-`.
fn file_for(dir: &Path, suite: &str, source: &str, check: &str) -> PathBuf {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let stem = Path::new(suite)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "suite".into());
    dir.join(clean(&stem))
        .join(clean(source))
        .join(format!("{}.parquet", clean(check)))
}

/// The columns written: the source's key, the check's own columns, the
/// source's sample columns, in that order, once each, without the
/// excluded ones and without columns the table lacks.
fn columns(
    ctx: &SessionContext,
    source: &SourceSpec,
    schema: &Schema,
    check: &Check,
) -> Result<Vec<String>, String> {
    let own: Vec<String> = match &check.kind {
        CheckKind::Unique { columns } | CheckKind::References { columns, .. } => columns.clone(),
        CheckKind::Expression { sql } => expression_columns(ctx, sql, schema),
        other => other.column().into_iter().collect(),
    };
    let mut out: Vec<String> = Vec::new();
    for c in source.key.iter().chain(&own).chain(&source.sample_columns) {
        let present = schema.field_with_name(c).is_ok();
        if present && !source.exclude_columns.contains(c) && !out.contains(c) {
            out.push(c.clone());
        }
    }
    if out.is_empty() {
        return Err(
            "every column it would write is in `exclude_columns`; add a `key:` to the source"
                .into(),
        );
    }
    Ok(out)
}

/// The columns an expression names, in the table's order (none when it
/// does not plan: the check's own query says why).
fn expression_columns(ctx: &SessionContext, sql: &str, schema: &Schema) -> Vec<String> {
    let Ok(df_schema) = datafusion::common::DFSchema::try_from(schema.clone()) else {
        return Vec::new();
    };
    let Ok(e) = ctx.state().create_logical_expr(sql, &df_schema) else {
        return Vec::new();
    };
    let named: Vec<String> = e
        .column_refs()
        .into_iter()
        .map(|c| c.name.clone())
        .collect();
    schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .filter(|n| named.contains(n))
        .collect()
}

/// The rows of `table` that break `check`.
async fn offending(
    ctx: &SessionContext,
    table: &str,
    schema: &Schema,
    check: &Check,
    keys: Option<&[Vec<Value>]>,
) -> Result<DataFrame, DataFusionError> {
    let df = ctx.table(table).await?;
    let plain = |pred: Expr| df.clone().filter(pred);
    // The rows of known duplicated keys: a filter, which stops reading at
    // the limit, instead of grouping the whole table again.
    if let (CheckKind::Unique { columns }, Some(keys)) = (&check.kind, keys) {
        if let Some(pred) = key_filter(columns, keys, schema) {
            return plain(pred);
        }
    }
    match &check.kind {
        CheckKind::NotNull { column } => plain(ident(column).is_null()),
        CheckKind::Expression { sql } => {
            let e = df.parse_sql_expr(sql)?;
            plain(not(e))
        }
        CheckKind::Unique { columns } => {
            let key = |i: usize| format!("__verdict_d{i}");
            let not_null = all_present(columns);
            let names: Vec<String> = (0..columns.len()).map(key).collect();
            let groups = columns
                .iter()
                .zip(&names)
                .map(|(c, n)| (ident(c), n.as_str()))
                .collect();
            let repeated = group_by(
                df.clone().filter(not_null.clone())?,
                groups,
                vec![(count_all(), "__verdict_n")],
            )?
            .filter(col("__verdict_n").gt(lit(1i64)))?;
            let on: Vec<Expr> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| ident(c).eq(col(key(i))))
                .collect();
            df.filter(not_null)?
                .join_on(repeated, JoinType::LeftSemi, on)
        }
        CheckKind::References {
            columns,
            source,
            to,
        } => crate::metric::exec::missing_keys(ctx, df, columns, source, to).await,
        _ => {
            let metric = CheckResult::offending_metric(check).ok_or_else(|| {
                DataFusionError::Plan(format!("`{}` has no failing rows", check.name))
            })?;
            let column = metric.column().unwrap_or_default();
            let dt = schema
                .field_with_name(column)
                .map(|f| f.data_type().clone())
                .unwrap_or(DataType::Null);
            let pred = metric.violation(&dt).unwrap_or(lit(false));
            plain(pred)
        }
    }
}

/// `(a = 1 AND b = 'x') OR …` over `keys`; None when a key value has no
/// literal for its column (the join finds those rows instead).
fn key_filter(columns: &[String], keys: &[Vec<Value>], schema: &Schema) -> Option<Expr> {
    let literal = |v: &Value, dt: &DataType| -> Option<Expr> {
        let e = match v {
            Value::Int(i) => lit(i64::try_from(*i).ok()?),
            Value::Float(f) => lit(*f),
            Value::Str(s) => lit(s.clone()),
            Value::Bool(b) => lit(*b),
            _ => return None,
        };
        Some(datafusion::logical_expr::cast(e, dt.clone()))
    };
    let mut any: Option<Expr> = None;
    for key in keys {
        let mut all: Option<Expr> = None;
        for (c, v) in columns.iter().zip(key) {
            let dt = schema.field_with_name(c).ok()?.data_type();
            let eq = ident(c).eq(literal(v, dt)?);
            all = Some(match all {
                Some(a) => a.and(eq),
                None => eq,
            });
        }
        let all = all?;
        any = Some(match any {
            Some(a) => a.or(all),
            None => all,
        });
    }
    any
}

/// Streams `df` into a Parquet file at `path` (its folders made first);
/// returns the rows written and the first [`SHOWN`] of them. The plan
/// reads in one partition: the files in order, each from its start, so
/// the `LIMIT` keeps the first offending rows in file order, the same rows
/// on every run, and stops reading once it has them. (A cluster keeps its
/// own plan.)
type First = Vec<Vec<Option<Value>>>;

async fn stream_to(
    ctx: &SessionContext,
    df: DataFrame,
    path: &Path,
) -> Result<(usize, First), String> {
    use datafusion::parquet::arrow::ArrowWriter;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let schema: Arc<Schema> = Arc::new(df.schema().as_arrow().clone());
    let mut state = ctx.state();
    if !crate::engine::on_cluster(ctx) {
        state.config_mut().options_mut().execution.target_partitions = 1;
    }
    let plan = state
        .create_physical_plan(df.logical_plan())
        .await
        .map_err(|e| datafusion_text(&e))?;
    let mut stream = datafusion::physical_plan::execute_stream(plan, state.task_ctx())
        .map_err(|e| datafusion_text(&e))?;
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut w = ArrowWriter::try_new(file, schema, None).map_err(|e| e.to_string())?;
    let (mut rows, mut first) = (0, Vec::new());
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e| datafusion_text(&e))?;
        for i in 0..batch.num_rows().min(SHOWN.saturating_sub(first.len())) {
            let row = (0..batch.num_columns())
                .map(|c| {
                    ScalarValue::try_from_array(batch.column(c), i)
                        .ok()
                        .and_then(|s| Value::from_scalar(&s).ok().flatten())
                })
                .collect();
            first.push(row);
        }
        rows += batch.num_rows();
        w.write(&batch).map_err(|e| e.to_string())?;
    }
    w.close().map_err(|e| e.to_string())?;
    Ok((rows, first))
}
