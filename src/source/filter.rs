//! `where:`: a source, or one check, restricted to the rows a boolean SQL
//! expression holds for. The expression is planned by DataFusion against
//! the table's own schema (so a column that is not there, a value that is
//! not true or false, or an aggregate is said with the suite position
//! before anything is evaluated) and becomes a filter under a view: every
//! query of the source plans through it, so Parquet row groups and hive
//! partitions it excludes are skipped, and a database receives it in the
//! SQL it runs.

use std::hash::{Hash, Hasher};

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::TreeNode;
use datafusion::common::SchemaError;
use datafusion::dataframe::DataFrame;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{Expr, ExprSchemable};
use datafusion::prelude::SessionContext;

use crate::error::datafusion_text;
use crate::spec::diag::{closest, Diagnostic};
use crate::spec::Filter;

/// Restricts the source `name` to the rows `filter` holds for. The source
/// is registered again under its own name as a view of those rows, so
/// every part that reads it (checks, `sql:` checks, the diff, drift, the
/// comparison) sees only them.
pub async fn restrict(ctx: &SessionContext, name: &str, filter: &Filter) -> Result<(), Diagnostic> {
    let df = plan(ctx, name, name, filter)
        .await
        .map_err(|why| diagnostic(&format!("source `{name}`"), filter, why))?;
    let view = df.into_view();
    ctx.deregister_table(name)
        .and_then(|_| ctx.register_table(name, view))
        .map(|_| ())
        .map_err(|e| diagnostic(&format!("source `{name}`"), filter, datafusion_text(&e)))
}

/// Whether a check's `where` or `expression` (`what`) plans against
/// `table` (the pre-run check of every check's, beside the sources').
pub async fn check(
    ctx: &SessionContext,
    (table, source): (&str, &str),
    what: &str,
    check: &str,
    filter: &Filter,
) -> Result<(), Diagnostic> {
    plan(ctx, table, source, filter)
        .await
        .map(|_| ())
        .map_err(|why| Diagnostic::new(format!("`{what}` of check `{check}`: {why}"), filter.pos))
}

/// The name of a view of `table` restricted by a check's `filter`,
/// registered on first use and shared by every check with the same
/// `where`, so they share one aggregate.
pub async fn scoped(ctx: &SessionContext, table: &str, filter: &Filter) -> Result<String, String> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (table, filter.sql.as_str()).hash(&mut h);
    let name = format!("__verdict_where_{:016x}", h.finish());
    if ctx.table_exist(name.as_str()).unwrap_or(false) {
        return Ok(name);
    }
    let df = plan(ctx, table, table, filter).await?;
    ctx.register_table(name.as_str(), df.into_view())
        .map_err(|e| datafusion_text(&e))?;
    Ok(name)
}

fn diagnostic(what: &str, filter: &Filter, why: String) -> Diagnostic {
    Diagnostic::new(format!("`where` of {what}: {why}"), filter.pos)
}

/// `table` with `filter` applied, or why the expression does not fit it
/// (`source` is the table's name in messages).
async fn plan(
    ctx: &SessionContext,
    table: &str,
    source: &str,
    filter: &Filter,
) -> Result<DataFrame, String> {
    let df = ctx.table(table).await.map_err(|e| datafusion_text(&e))?;
    let expr = df
        .parse_sql_expr(&filter.sql)
        .map_err(|e| explain(&e, source))?;
    let summarises = expr
        .exists(|e| {
            Ok(matches!(
                e,
                Expr::AggregateFunction(_) | Expr::WindowFunction(_)
            ))
        })
        .unwrap_or(false);
    if summarises {
        return Err(format!(
            "`{}` summarises rows (an aggregate or window function); a condition is decided on each row's own values",
            filter.sql
        ));
    }
    let dt = expr
        .get_type(df.schema())
        .map_err(|e| explain(&e, source))?;
    if !matches!(dt, DataType::Boolean | DataType::Null) {
        return Err(format!(
            "`{}` is {}, not true or false; a condition is decided on each row",
            filter.sql,
            crate::types::display_type(&dt)
        ));
    }
    // The kept rows under their own, unqualified names: the view is then
    // one derived table to a database that receives it as SQL, whatever
    // the source (or the check's scope) is called.
    let columns: Vec<Expr> = df
        .schema()
        .fields()
        .iter()
        .map(|f| datafusion::prelude::ident(f.name()).alias(f.name()))
        .collect();
    df.filter(expr)
        .and_then(|d| d.select(columns))
        .map_err(|e| explain(&e, source))
}

/// A planning error in the user's words: a column that is not there is
/// named with the closest one and the table's columns.
fn explain(e: &DataFusionError, table: &str) -> String {
    if let DataFusionError::SchemaError(se, _) = e.find_root() {
        if let SchemaError::FieldNotFound {
            field,
            valid_fields,
        } = se.as_ref()
        {
            let names: Vec<&str> = valid_fields.iter().map(|c| c.name.as_str()).collect();
            let mut shown = names
                .iter()
                .take(12)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>();
            if names.len() > 12 {
                shown.push(format!("… {} more", names.len() - 12));
            }
            let hint = match closest(&field.name, names.iter().copied()) {
                Some(c) => format!("did you mean `{c}`? "),
                None => String::new(),
            };
            return format!(
                "`{table}` has no column `{}` ({hint}its columns: {}); a name with capitals or spaces goes in double quotes",
                field.name,
                shown.join(", ")
            );
        }
    }
    datafusion_text(e)
}
