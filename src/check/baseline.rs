//! What each `change_vs` check is compared with: the same check evaluated
//! on its reference source (one aggregate per reference source, however
//! many checks name it), or the check's last values in the run history.
//! `change` judges the move; this file only fetches what it is measured
//! against.

use std::collections::HashMap;

use super::change::Baseline;
use super::setting::Setting;
use super::{Observations, Status};
use crate::metric::exec::{self, Scan};
use crate::metric::plan::Plan;
use crate::spec::{ChangeVs, Check, Filter, SourceChecks};

/// The baselines of the `change_vs` checks of `block`, by check name.
pub async fn gather(
    at: &Setting<'_>,
    block: &SourceChecks,
    filter: Option<&Filter>,
    scans: &mut Vec<Scan>,
) -> HashMap<String, Result<Baseline, String>> {
    let mut out = HashMap::new();
    let mut by_reference: Vec<(&str, Vec<&Check>)> = Vec::new();
    for c in &block.checks {
        match c.change.as_ref().map(|ch| &ch.against) {
            None => {}
            Some(ChangeVs::History { window }) => {
                out.insert(c.name.clone(), from_history(at, &block.source, c, *window));
            }
            Some(ChangeVs::Source(r)) => match by_reference.iter_mut().find(|(n, _)| n == r) {
                Some((_, list)) => list.push(c),
                None => by_reference.push((r.as_str(), vec![c])),
            },
        }
    }
    for (reference, checks) in by_reference {
        for (name, baseline) in from_reference(at, reference, filter, &checks, scans).await {
            out.insert(name, baseline);
        }
    }
    out
}

/// The checks evaluated as they are, without `change_vs`, on `reference`
/// (the rows of it their `where` keeps, if they have one).
async fn from_reference(
    at: &Setting<'_>,
    reference: &str,
    filter: Option<&Filter>,
    checks: &[&Check],
    scans: &mut Vec<Scan>,
) -> Vec<(String, Result<Baseline, String>)> {
    let failed = |why: String| {
        checks
            .iter()
            .map(|c| (c.name.clone(), Err(why.clone())))
            .collect()
    };
    let loaded = match &at.loaded[reference] {
        Ok(l) => l,
        Err(e) => {
            return failed(format!(
                "the reference `{reference}` could not be read: {e}"
            ))
        }
    };
    let plain: Vec<Check> = checks
        .iter()
        .map(|c| Check {
            change: None,
            ..(*c).clone()
        })
        .collect();
    let plan = Plan::of(
        plain
            .iter()
            .filter_map(|c| super::requirements(c, &loaded.schema).ok()),
    );
    let table = match filter {
        None => reference.to_string(),
        Some(f) => match crate::source::filter::scoped(at.ctx, reference, f).await {
            Ok(t) => t,
            Err(e) => return failed(format!("the reference `{reference}` where {}: {e}", f.sql)),
        },
    };
    let (values, s) = exec::aggregate(
        at.ctx,
        &table,
        &loaded.schema,
        &plan.metrics,
        loaded.dialect,
    )
    .await;
    scans.extend(s.into_iter().map(|mut x| {
        x.label = format!("{} of reference `{reference}`", x.label);
        x
    }));
    let ref_obs = Observations {
        metrics: match values {
            Ok(v) => v,
            Err(e) => return failed(format!("the reference `{reference}`: {e}")),
        },
        ..Observations::default()
    };
    plain
        .iter()
        .map(|c| {
            let r = super::evaluate(c, &loaded.schema, &ref_obs, at.now);
            let baseline = match (r.status, r.observed) {
                (Status::Error, _) | (_, None) => Err(format!(
                    "on the reference `{reference}`: {}",
                    r.why.unwrap_or_else(|| "no value".into())
                )),
                (_, Some(value)) => Ok(Baseline::Reference {
                    source: reference.to_string(),
                    value,
                }),
            };
            (c.name.clone(), baseline)
        })
        .collect()
}

/// The check's last `window` values recorded for this suite and source.
fn from_history(
    at: &Setting<'_>,
    source: &str,
    c: &Check,
    window: usize,
) -> Result<Baseline, String> {
    let rows = match at.history {
        None => {
            return Err(
                "`change_vs: history` needs `--history DIR` (where past runs are kept)".into(),
            )
        }
        Some(Err(e)) => return Err(e.clone()),
        Some(Ok(rows)) => rows,
    };
    let keyword = c.kind.keyword();
    let mut values: Vec<f64> = rows
        .iter()
        .filter(|r| {
            r.suite == at.suite && r.source == source && r.check == c.name && r.metric == keyword
        })
        .map(|r| r.value)
        .collect();
    let skip = values.len().saturating_sub(window);
    values.drain(..skip);
    Ok(Baseline::History { values })
}
