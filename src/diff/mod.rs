//! The differential test: a keyed full outer join of the baseline and
//! candidate predictions (and the ground truth, when there is one), run by
//! DataFusion, folded in one pass per join partition into counts,
//! difference statistics, transitions, the most-changed rows and quality
//! metrics; then gates judge the result like any other check.

mod accum;
mod exact_sum;
mod gates;
mod labels;
mod paired;
pub mod plan;
mod quality;
mod report;
mod slices;

use std::time::Instant;

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::JoinType;
use datafusion::dataframe::DataFrame;
use datafusion::error::Result;
use datafusion::functions::expr_fn::coalesce;
use datafusion::logical_expr::{cast, col, Expr};
use datafusion::prelude::{ident, lit, SessionContext};
use futures::StreamExt;

use accum::Accum;
pub use labels::Label;
use plan::{Layout, Plan};
use quality::{Described, QualityAccum, QualityCols};
pub use report::*;
pub use slices::{Slice, SliceColumnReport, SlicesReport};
use slices::{SliceAccum, SliceColumn};

use crate::database::Dialect;
use crate::engine::planned_alone;
use crate::error::datafusion_text as message;
use crate::metric::exec;
use crate::spec::{DiffSpec, Task, TruthSpec};
use crate::types::display_type;

/// One side of the diff as registered: its schema, and the database it
/// lives in (a database counts its duplicated keys itself).
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub schema: &'a Schema,
    pub dialect: Option<Dialect>,
}

/// Runs the diff of `spec` over sources registered in `ctx` under their
/// names.
pub async fn run(
    ctx: &SessionContext,
    spec: &DiffSpec,
    baseline: Side<'_>,
    candidate: Side<'_>,
    truth: Option<&Schema>,
) -> DiffReport {
    let (sides, baseline, candidate) = ([baseline, candidate], baseline.schema, candidate.schema);
    let started = Instant::now();
    let mut rep = DiffReport::new(spec);
    let plan = match plan::plan(spec, baseline, candidate) {
        Ok(p) => p,
        Err(e) => return rep.failed(e),
    };
    rep.describe_plan(&plan);
    // Quality that cannot be computed is an error of its own; the row and
    // column comparison still runs and is reported.
    let mut quality_error = None;
    let quality = match (&spec.truth, truth) {
        (Some(t), Some(schema)) => match quality_inputs(spec, t, baseline, candidate, schema) {
            Ok(q) => {
                rep.warnings.extend(q.note.clone());
                Some(q)
            }
            Err(e) => {
                quality_error = Some(e);
                None
            }
        },
        _ => None,
    };
    // Slices that cannot be resolved are an error of their own, too.
    let slice_columns = match &spec.slices {
        Some(s) => match slices::resolve(spec, s, baseline, candidate, truth, quality.is_some()) {
            Ok(c) => c,
            Err(e) => {
                rep.slices = Some(SlicesReport {
                    min_rows: s.min_rows,
                    columns: Vec::new(),
                    error: Some(e.clone()),
                });
                rep.gates
                    .push(report::error_check("slices", None, format!("slices: {e}")));
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    for (side, name) in [(0, &spec.baseline), (1, &spec.candidate)] {
        let Side { schema, dialect } = sides[side];
        let (d, scan) = exec::duplicates(ctx, name, schema, &spec.key, spec.top, dialect).await;
        rep.timings.key_scans.push(KeyScan {
            side: if side == 0 { "baseline" } else { "candidate" },
            seconds: scan.seconds,
        });
        match d {
            Ok(d) => rep.rows.duplicates[side] = Some(d.into()),
            Err(e) => return rep.failed(format!("cannot read the keys of `{name}`: {e}")),
        }
    }
    let compare = Instant::now();
    let accum = match compute(ctx, spec, &plan, quality.as_ref(), &slice_columns).await {
        Ok(a) => a,
        Err(e) => return rep.failed(format!("the diff failed: {}", message(&e))),
    };
    rep.timings.compare_seconds = compare.elapsed().as_secs_f64();
    let sliced = spec.slices.as_ref().zip(Some(slice_columns.as_slice()));
    rep.absorb(accum, &plan, quality, sliced.filter(|(_, c)| !c.is_empty()));
    let errors = std::mem::take(&mut rep.gates);
    gates::evaluate(spec, &plan, &mut rep);
    rep.gates.extend(errors);
    let spill_errors: Vec<crate::check::CheckResult> = rep
        .columns
        .iter()
        .filter_map(|c| {
            let why = c.numeric.as_ref()?.error.clone()?;
            Some(report::error_check(
                &format!("{}.percentiles", c.name),
                Some(c.name.clone()),
                why,
            ))
        })
        .collect();
    rep.gates.extend(spill_errors);
    if let Some(why) = quality_error {
        rep.gates.push(report::error_check(
            "quality",
            None,
            format!("quality: {why}"),
        ));
    }
    rep.timings.seconds = started.elapsed().as_secs_f64();
    rep
}

/// What the quality pass needs: the task, the common label type, and how
/// the report describes the inputs.
pub struct QualityInputs {
    task: Task,
    label_type: DataType,
    described: Described,
    /// How the truth and the predictions were made comparable, when a user
    /// would not guess it.
    note: Option<String>,
}

fn quality_inputs(
    spec: &DiffSpec,
    t: &TruthSpec,
    b: &Schema,
    c: &Schema,
    truth: &Schema,
) -> std::result::Result<QualityInputs, String> {
    let ty = |s: &Schema, col: &str, what: &str| {
        s.field_with_name(col)
            .map(|f| f.data_type().clone())
            .map_err(|_| format!("{what} has no column `{col}`"))
    };
    let key = t.key.clone().unwrap_or_else(|| spec.key.clone());
    if key.len() != spec.key.len() {
        return Err(format!(
            "the truth key has {} column(s) but the diff key has {}",
            key.len(),
            spec.key.len()
        ));
    }
    for k in &key {
        ty(truth, k, &format!("the truth source `{}`", t.source))?;
    }
    let yt = ty(
        truth,
        &t.column,
        &format!("the truth source `{}`", t.source),
    )?;
    let bp = ty(
        b,
        &t.prediction,
        &format!("the baseline `{}`", spec.baseline),
    )?;
    let cp = ty(
        c,
        &t.prediction,
        &format!("the candidate `{}`", spec.candidate),
    )?;
    for (side, schema, name) in [
        ("baseline", b, &spec.baseline),
        ("candidate", c, &spec.candidate),
    ] {
        if let Some(p) = &t.probability {
            let pt = ty(schema, p, &format!("the {side} `{name}`"))?;
            if !(pt.is_floating() || pt.is_integer() || matches!(pt, DataType::Decimal128(..))) {
                return Err(format!(
                    "the probability column `{p}` of the {side} is {}, not a number",
                    display_type(&pt)
                ));
            }
        }
    }
    let (task, task_reason) = match t.task {
        Some(task) => (task, "set in the suite".to_string()),
        None if yt.is_floating() => (
            Task::Regression,
            format!("the truth column `{}` is {}", t.column, display_type(&yt)),
        ),
        None => (
            Task::Classification,
            format!("the truth column `{}` is {}", t.column, display_type(&yt)),
        ),
    };
    // Booleans against integer labels (a `bool` truth, 0/1 predictions, or
    // the other way round) meet as integers: false is 0, true is 1.
    let as_int = |t: &DataType| {
        if *t == DataType::Boolean {
            DataType::Int64
        } else {
            t.clone()
        }
    };
    let types = [&yt, &bp, &cp];
    let mixed =
        types.iter().any(|t| **t == DataType::Boolean) && types.iter().any(|t| t.is_integer());
    let note = mixed.then(|| {
        format!(
            "the truth `{}` is {} and the prediction `{}` is {} (baseline) and {} \
             (candidate): booleans are compared as integers, false as 0 and true as 1",
            t.column,
            display_type(&yt),
            t.prediction,
            display_type(&bp),
            display_type(&cp)
        )
    });
    let (myt, mbp, mcp) = if mixed {
        (as_int(&yt), as_int(&bp), as_int(&cp))
    } else {
        (yt.clone(), bp.clone(), cp.clone())
    };
    let common = plan::common_type(&myt, &mbp)
        .and_then(|x| plan::common_type(&x, &mcp))
        .ok_or_else(|| {
            format!(
                "the truth `{}` is {} and the prediction `{}` is {} (baseline) and {} \
                 (candidate); these cannot be compared",
                t.column,
                display_type(&yt),
                t.prediction,
                display_type(&bp),
                display_type(&cp)
            )
        })?;
    let label_type = match task {
        Task::Regression => {
            if !(common.is_floating()
                || common.is_integer()
                || matches!(common, DataType::Decimal128(..)))
            {
                return Err(format!(
                    "regression needs numbers; the truth and predictions meet as {}",
                    display_type(&common)
                ));
            }
            DataType::Float64
        }
        // String labels pass through the join with the truth as plain
        // strings (see `through_truth_join`).
        Task::Classification => through_truth_join(&common),
    };
    Ok(QualityInputs {
        task,
        label_type,
        note,
        described: Described {
            task_reason,
            truth: format!("{}.{}", t.source, t.column),
            prediction: t.prediction.clone(),
            probability: t.probability.clone(),
            positive: t.positive.as_ref().map(|l| match l {
                crate::spec::Lit::Int(i) => labels::Label::Int(*i),
                crate::spec::Lit::Bool(b) if mixed => labels::Label::Int(i64::from(*b)),
                other => labels::Label::Text(other.to_string().trim_matches('"').to_string()),
            }),
        },
    })
}

/// Builds the join and folds every partition of it in parallel.
async fn compute(
    ctx: &SessionContext,
    spec: &DiffSpec,
    plan: &Plan,
    q: Option<&QualityInputs>,
    slices: &[SliceColumn],
) -> Result<Accum> {
    let (df, layout, qcols) = joined(ctx, spec, plan, q, slices).await?;
    let streams = df.execute_stream_partitioned().await?;
    // Under a memory bound, each numeric column of each partition keeps
    // at most 1/256 of it in differences before spilling the rest.
    let bound = crate::engine::memory_bound(ctx);
    let kept = bound.map(|b| b / 256 / 8);
    // The paired tests of probabilities hold two per scored row: at most
    // an eighth of the bound.
    let pairs = bound.map(|b| b / 8 / paired::PAIR_BYTES);
    let accum = || {
        let quality = q.zip(qcols.clone()).map(|(q, cols)| (cols, q.task));
        // Each slice folds its own quality, spilling sooner: a slice
        // column can have many values.
        let slice_kept = kept.map(|k| (k / 64).max(1024));
        Accum::new(
            &plan.columns,
            spec.top,
            quality
                .clone()
                .map(|(cols, task)| QualityAccum::new(cols, task, kept, pairs)),
            kept,
            slices
                .iter()
                .map(|_| {
                    SliceAccum::new(
                        quality
                            .clone()
                            .map(|(cols, task)| (cols, task, slice_kept, pairs)),
                    )
                })
                .collect(),
        )
    };
    let mut tasks = Vec::new();
    for mut stream in streams {
        let (mut acc, layout, cols) = (accum(), layout.clone(), plan.columns.clone());
        tasks.push(tokio::spawn(async move {
            while let Some(batch) = stream.next().await {
                acc.add(&batch?, &layout, &cols)?;
            }
            Ok::<_, datafusion::error::DataFusionError>(acc)
        }));
    }
    let mut total = accum();
    for t in tasks {
        let part = t
            .await
            .map_err(|e| datafusion::error::DataFusionError::External(Box::new(e)))??;
        total.merge(part);
    }
    Ok(total)
}

/// `baseline FULL JOIN candidate USING (key)`, then, with ground truth,
/// `FULL JOIN truth` on the coalesced key. Columns are renamed to
/// positional names, so user column names never clash or reach SQL text.
async fn joined(
    ctx: &SessionContext,
    spec: &DiffSpec,
    plan: &Plan,
    q: Option<&QualityInputs>,
    slices: &[SliceColumn],
) -> Result<(DataFrame, Layout, Option<QualityCols>)> {
    let truth = q.zip(spec.truth.as_ref());
    let nk = plan.keys.len();
    let b = ctx.table(spec.baseline.as_str()).await?;
    let c = ctx.table(spec.candidate.as_str()).await?;
    let bcols = side_columns(plan, truth, slices, 'b', b.schema().as_arrow());
    let ccols = side_columns(plan, truth, slices, 'c', c.schema().as_arrow());
    let b = planned_alone(ctx, b.select(bcols)?)?;
    let c = planned_alone(ctx, c.select(ccols)?)?;
    let (bk, ck) = (key_names("__bk", nk), key_names("__ck", nk));
    let j = b.join(c, JoinType::Full, &strs(&bk), &strs(&ck), None)?;
    // Everything after the keys, in order.
    let mut names: Vec<String> = vec!["__inb".into(), "__inc".into()];
    for j in 0..plan.columns.len() {
        names.push(format!("__b{j}"));
        names.push(format!("__c{j}"));
    }
    if let Some((_, t)) = truth {
        names.extend(["__bp", "__cp"].map(String::from));
        if t.probability.is_some() {
            names.extend(["__bq", "__cq"].map(String::from));
        }
    }
    let slice_name = |k: usize| format!("__s{k}");
    for (k, s) in slices.iter().enumerate() {
        if s.from != slices::From::Truth {
            names.push(slice_name(k));
        }
    }
    let keys = key_names("__k", nk);
    let first: Vec<Expr> = coalesced(&bk, &ck, &keys)
        .chain(names.iter().map(col))
        .collect();
    let mut df = j.select(first)?;
    if let Some((q, t)) = truth {
        let key = t.key.as_ref().unwrap_or(&spec.key);
        let tk = key_names("__tk", nk);
        let mut tcols: Vec<Expr> = key
            .iter()
            .zip(&plan.keys)
            .zip(&tk)
            .map(|((k, (_, ty)), alias)| cast(ident(k), ty.clone()).alias(alias))
            .collect();
        tcols.push(lit(true).alias("__int"));
        tcols.push(cast(ident(&t.column), q.label_type.clone()).alias("__t"));
        let from_truth: Vec<usize> = (0..slices.len())
            .filter(|&k| slices[k].from == slices::From::Truth)
            .collect();
        let tdf = ctx.table(t.source.as_str()).await?;
        for &k in &from_truth {
            tcols.push(slice_value(tdf.schema().as_arrow(), &slices[k].name).alias(slice_name(k)));
        }
        let tdf = planned_alone(ctx, tdf.select(tcols)?)?;
        let both = df.join(tdf, JoinType::Full, &strs(&keys), &strs(&tk), None)?;
        names.extend(["__int", "__t"].map(String::from));
        names.extend(from_truth.into_iter().map(slice_name));
        let out = key_names("__o", nk);
        let all: Vec<Expr> = coalesced(&keys, &tk, &out)
            .chain(names.iter().map(col))
            .collect();
        df = both.select(all)?;
    }
    let at = |n: &str| names.iter().position(|x| x == n).map(|p| p + nk);
    let layout = Layout {
        keys: nk,
        in_baseline: nk,
        in_candidate: nk + 1,
        in_truth: at("__int"),
        columns: (0..plan.columns.len())
            .map(|j| (nk + 2 + 2 * j, nk + 3 + 2 * j))
            .collect(),
        slices: (0..slices.len())
            .map(|k| at(&slice_name(k)).expect("slice column"))
            .collect(),
    };
    let qcols = truth.map(|(_, t)| QualityCols {
        truth: at("__t").expect("truth column"),
        prediction: [at("__bp"), at("__cp")].map(|i| i.expect("prediction column")),
        probability: t
            .probability
            .as_ref()
            .map(|_| [at("__bq"), at("__cq")].map(|i| i.expect("probability column"))),
    });
    Ok((df, layout, qcols))
}

/// One side's projection: key, presence marker, compared columns (cast to
/// their common type), and the quality inputs.
fn side_columns(
    plan: &Plan,
    truth: Option<(&QualityInputs, &TruthSpec)>,
    slices: &[SliceColumn],
    p: char,
    side_schema: &Schema,
) -> Vec<Expr> {
    let mut cols: Vec<Expr> = plan
        .keys
        .iter()
        .enumerate()
        .map(|(i, (k, t))| cast(ident(k), t.clone()).alias(format!("__{p}k{i}")))
        .collect();
    cols.push(lit(true).alias(format!("__in{p}")));
    for (j, c) in plan.columns.iter().enumerate() {
        let ty = if truth.is_some() {
            through_truth_join(&c.common)
        } else {
            c.common.clone()
        };
        cols.push(cast(ident(&c.name), ty).alias(format!("__{p}{j}")));
    }
    if let Some((q, t)) = truth {
        cols.push(cast(ident(&t.prediction), q.label_type.clone()).alias(format!("__{p}p")));
        if let Some(prob) = &t.probability {
            cols.push(cast(ident(prob), DataType::Float64).alias(format!("__{p}q")));
        }
    }
    let side = if p == 'b' {
        slices::From::Baseline
    } else {
        slices::From::Candidate
    };
    for (k, s) in slices.iter().enumerate().filter(|(_, s)| s.from == side) {
        cols.push(slice_value(side_schema, &s.name).alias(format!("__s{k}")));
    }
    cols
}

/// The type a column is carried in through the second join, the one with
/// the truth: string views become plain strings. The hash join's output
/// views point into the whole input buffers, so every batch after it
/// carries (and the memory accounting walks, and the drop frees) buffers
/// many times its size; on 5M rows one string column through that join
/// cost 6 s of an 8 s diff, as plain strings 0.3 s.
fn through_truth_join(t: &DataType) -> DataType {
    match t {
        DataType::Utf8View => DataType::Utf8,
        other => other.clone(),
    }
}

/// A slice column's values as they ride along the joins.
fn slice_value(schema: &Schema, name: &str) -> Expr {
    match schema.field_with_name(name).map(|f| f.data_type()) {
        Ok(t) if through_truth_join(t) != *t => cast(ident(name), through_truth_join(t)),
        _ => ident(name),
    }
}

fn key_names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn coalesced<'a>(
    a: &'a [String],
    b: &'a [String],
    out: &'a [String],
) -> impl Iterator<Item = Expr> + 'a {
    a.iter()
        .zip(b)
        .zip(out)
        .map(|((x, y), o)| coalesce(vec![col(x), col(y)]).alias(o))
}
