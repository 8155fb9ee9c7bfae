//! Distribution drift of a current source against a reference, per column.
//! Numeric columns: PSI over bins cut at the reference's quantiles and the
//! two-sample Kolmogorov–Smirnov test; categorical columns: PSI over the
//! categories and Pearson's chi-square test; both: the Jensen–Shannon
//! distance. Each column becomes one check (`price.drift`) whose severity
//! is the highest threshold level crossed, and a detail record with the
//! bins, so every report format can show it.
//!
//! `side` reads a column's values from a registered table (one projected
//! scan per column and side; columns measured concurrently, one per core); `reference` saves and loads the reference
//! side as a small file; `stats` and `ks` hold the arithmetic.

pub mod ks;
mod method;
pub mod reference;
mod result;
pub mod side;
pub mod stats;
mod values;

pub use method::{method_for, method_name};
/// What a report says of a column whose values were sorted on disk.
pub const SORTED_ON_DISK: &str =
    "values sorted on disk under --memory-limit (all of them: the statistics are exact)";

pub use result::{evaluate, BinRow, ColumnDrift, DriftReport, EdgeUnit, KsOutcome};

use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;

use datafusion::arrow::datatypes::Schema;
use datafusion::prelude::SessionContext;

use crate::spec::{DriftColumn, DriftMethod, DriftReference, DriftSpec};
use reference::SavedReference;
use side::{Column, RefColumn};

/// The columns to measure: those listed, or every column both sides have
/// whose type drift is defined for (others are skipped silently only in
/// that default case).
fn columns(spec: &DriftSpec, current: &Schema, reference: &[String]) -> Vec<DriftColumn> {
    if let Some(c) = &spec.columns {
        return c.clone();
    }
    current
        .fields()
        .iter()
        .filter(|f| reference.contains(f.name()))
        .filter(|f| side::is_numeric(f.data_type()) || side::is_categorical(f.data_type()))
        .map(|f| DriftColumn {
            name: f.name().clone(),
            options: spec.options,
        })
        .collect()
}

/// The drift section for one current source. `reference_schema` is the
/// reference source's schema when the reference is a source; a saved
/// reference is read here.
pub async fn run(
    ctx: &SessionContext,
    spec: &DriftSpec,
    current: &Schema,
    reference_schema: Option<&Schema>,
) -> DriftReport {
    let started = Instant::now();
    let mut report = DriftReport::new(spec);
    let saved = match &spec.reference {
        DriftReference::Saved(path) => match SavedReference::load(std::path::Path::new(path)) {
            Ok(s) => Some(s),
            Err(e) => return report.failed(spec, e),
        },
        DriftReference::Source(_) => None,
    };
    let ref_names: Vec<String> = match (&saved, reference_schema) {
        (Some(s), _) => s.columns.iter().map(|c| c.name.clone()).collect(),
        (None, Some(schema)) => schema.fields().iter().map(|f| f.name().clone()).collect(),
        (None, None) => Vec::new(),
    };
    report.rows_current = side::row_count(ctx, &spec.source).await.ok();
    report.rows_reference = match (&saved, &spec.reference) {
        (Some(s), _) => Some(s.rows),
        (None, DriftReference::Source(r)) => side::row_count(ctx, r).await.ok(),
        _ => None,
    };
    // Columns are independent: each is measured in a task of its own, as
    // many at a time as the session has partitions (one per core), so one
    // column's sort overlaps another's scan. Results keep column order.
    let at_once = ctx.state().config().target_partitions().max(1);
    let shared = Arc::new(Shared {
        spec: spec.clone(),
        current: current.clone(),
        reference: reference_schema.cloned(),
        saved,
    });
    let tasks = columns(spec, current, &ref_names).into_iter().map(|col| {
        let (ctx, shared) = (ctx.clone(), Arc::clone(&shared));
        let (name, options) = (col.name.clone(), col.options);
        let task = tokio::spawn(async move {
            let column_started = Instant::now();
            let s = &*shared;
            let measured = measure(
                &ctx,
                &s.spec,
                &col,
                &s.current,
                s.reference.as_ref(),
                s.saved.as_ref(),
            )
            .await;
            let mut detail = match measured {
                Ok((method, unit, why, r, c)) => result::compare(&col, method, unit, why, &r, &c),
                Err(e) => ColumnDrift::error(&col.name, e),
            };
            detail.seconds = column_started.elapsed().as_secs_f64();
            (evaluate(&detail, &col.options), detail)
        });
        async move {
            task.await.unwrap_or_else(|e| {
                let detail = ColumnDrift::error(&name, format!("measuring `{name}` failed: {e}"));
                (evaluate(&detail, &options), detail)
            })
        }
    });
    let measured: Vec<_> = futures::stream::iter(tasks)
        .buffered(at_once)
        .collect()
        .await;
    for (check, detail) in measured {
        report.checks.push(check);
        report.columns.push(detail);
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

/// What every column's task reads.
struct Shared {
    spec: DriftSpec,
    current: Schema,
    reference: Option<Schema>,
    saved: Option<SavedReference>,
}

type Measured = (DriftMethod, EdgeUnit, String, RefColumn, Column);

async fn measure(
    ctx: &SessionContext,
    spec: &DriftSpec,
    col: &DriftColumn,
    current: &Schema,
    reference_schema: Option<&Schema>,
    saved: Option<&SavedReference>,
) -> Result<Measured, String> {
    let name = &col.name;
    let field = current
        .field_with_name(name)
        .map_err(|_| format!("`{}` has no column `{name}`", spec.source))?;
    let (method, why) = method_for(field.data_type(), col.options.method)?;
    let reference = match (saved, &spec.reference, reference_schema) {
        (Some(s), _, _) => s.column(name, method, col.options.bins)?,
        (None, DriftReference::Source(r), Some(schema)) => {
            let rf = schema
                .field_with_name(name)
                .map_err(|_| format!("the reference `{r}` has no column `{name}`"))?;
            method_for(rf.data_type(), Some(method))
                .map_err(|e| format!("in the reference `{r}`: {e}"))?;
            let values = side::read(ctx, r, name, method).await?;
            RefColumn::from_values(values, col.options.bins)?
        }
        _ => return Err("the reference could not be read".into()),
    };
    let values = side::read(ctx, &spec.source, name, method).await?;
    Ok((
        method,
        EdgeUnit::of(field.data_type()),
        why,
        reference,
        values,
    ))
}
