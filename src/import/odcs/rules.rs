//! Quality rules: the library metrics (native checks where the suite says
//! the same, else an `sql:` check counting exactly what the standard
//! counts), `sql` rules with their placeholders, and why the rest are not
//! checked.

use super::super::contract::{scalar_text, Object, Property, Rule};
use super::super::names::column as ident;
use super::bounds::{unit, Bounds, Unit};
use super::plan::{flow_list, Meta, Plan, State};
use crate::spec::emit::scalar;
use crate::spec::yaml::{Kind, Node};

/// A literal of an argument list as SQL writes it; `None` for a null.
pub(super) fn sql_literal(n: &Node) -> Result<Option<String>, String> {
    Ok(Some(match &n.kind {
        Kind::Null => return Ok(None),
        Kind::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) if f.is_finite() => f.to_string(),
        Kind::Bool(b) => b.to_string(),
        _ => return Err(format!("its arguments hold {}, not values", n.describe())),
    }))
}

/// A literal of an argument list as a suite's `in_set` writes it.
pub(super) fn yaml_literal(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(scalar(s)),
        Kind::Int(i) => Some(i.to_string()),
        Kind::Float(f) if f.is_finite() => Some(f.to_string()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn list_items(n: Option<&Node>) -> Result<Vec<Node>, String> {
    match n.map(|n| &n.kind) {
        None => Ok(Vec::new()),
        Some(Kind::Seq(items)) => Ok(items.clone()),
        Some(_) => Err("its argument is not a list".into()),
    }
}
impl State {
    pub(super) fn rule(
        &mut self,
        o: &Object,
        p: Option<&Property>,
        r: &Rule,
        index: usize,
        what: &str,
        plan: &mut Plan,
    ) {
        let kind = r.kind.to_ascii_lowercase();
        let outcome = match kind.as_str() {
            "text" => Err((
                "a text rule: a person checks it".to_string(),
                "text".to_string(),
            )),
            "custom" => Err((
                format!(
                    "a rule for {}, in its own language",
                    r.engine
                        .as_deref()
                        .filter(|e| !e.is_empty())
                        .unwrap_or("another engine")
                ),
                "custom".to_string(),
            )),
            "sql" => self
                .sql_rule(o, p, r, index, plan)
                .map_err(|w| (w, "sql".into())),
            "library" => match r.metric.as_deref() {
                Some(m) => library(o, p, r, m, plan).map_err(|w| (w, m.to_string())),
                None => Err(("a library rule without `metric`".into(), "library".into())),
            },
            other => Err((
                format!("its type `{other}` is not one of the standard's"),
                other.to_string(),
            )),
        };
        if let Err((why, k)) = outcome {
            let described = match &r.description {
                Some(d) => format!("{what} ({d:?})"),
                None => what.to_string(),
            };
            self.note(plan, r.pos, described, why, &k);
        }
    }

    pub(super) fn sql_rule(
        &mut self,
        o: &Object,
        p: Option<&Property>,
        r: &Rule,
        index: usize,
        plan: &mut Plan,
    ) -> Result<(), String> {
        let Some(query) = r.query.as_deref().filter(|q| !q.trim().is_empty()) else {
            return Err("an sql rule without `query`".into());
        };
        let b = Bounds::from_rule(r)?;
        let mut q = query.trim().to_string();
        for ph in ["{object}", "{table}", "{model}"] {
            q = q.replace(ph, &super::super::names::table(&o.source()));
        }
        for ph in ["{property}", "{column}", "{field}"] {
            if q.contains(ph) {
                let Some(p) = p else {
                    return Err(format!(
                        "its query names {ph}, but the rule is on the table"
                    ));
                };
                q = q.replace(ph, &ident(p.column()));
            }
        }
        let q = super::super::names::spelled(&q, &self.names);
        let default = match p {
            Some(p) => format!("{}.sql_{}", p.column(), index + 1),
            None => format!("sql_{}", index + 1),
        };
        plan.push_sql(
            &default,
            &Meta::of(r),
            q,
            &b,
            format!("sql rule, {}", operators(r)),
        );
        Ok(())
    }
}

/// Why a pattern is not one verdict's regex engine runs; `None` when it is.
pub(super) fn regex_problem(pattern: &str) -> Option<String> {
    regex::Regex::new(pattern).err().map(|e| {
        let text = e.to_string();
        let reason = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("error: "))
            .unwrap_or(text.lines().last().unwrap_or(""))
            .trim()
            .to_string();
        format!("the pattern is not a regular expression verdict runs ({reason})")
    })
}

/// A rule's comparators as they read in a comment.
pub(super) fn operators(r: &Rule) -> String {
    let mut ops: Vec<String> = r
        .operators
        .iter()
        .map(|(k, v)| format!("{k} {}", show(v)))
        .collect();
    if let Some(u) = &r.unit {
        ops.push(format!("unit {u}"));
    }
    ops.join(", ")
}

/// A library metric's checks: native ones where the suite says the same
/// (`null_count`, `row_count`, `in_set`, `unique`), else an `sql:` check
/// counting exactly what the standard counts.
pub(super) fn library(
    o: &Object,
    p: Option<&Property>,
    r: &Rule,
    metric: &str,
    plan: &mut Plan,
) -> Result<(), String> {
    let b = Bounds::from_rule(r)?;
    let unit = unit(r)?;
    if unit == Unit::Percent && !b.within_percent() {
        return Err("a percentage outside 0 to 100".into());
    }
    if !b.counts() {
        return Err("a count cannot be negative".into());
    }
    let m = Meta::of(r);
    let from = format!("{metric} {}", operators(r));
    let source = super::super::names::table(&o.source());
    // A count of 0 (or a share of 0%) is what the native checks say.
    let zero = match unit {
        Unit::Rows => b.only_zero(),
        Unit::Percent => b.only_zero_percent(),
    };
    let null_check = |plan: &mut Plan, col: &str, from: String| {
        let (kw, bounds) = match unit {
            Unit::Rows => ("null_count", b.clone()),
            Unit::Percent => ("null_rate", b.per_cent()),
        };
        let default = format!("{col}.{kw}");
        plan.push(Some(col), kw, None, bounds.entries(), &default, &m, from);
    };
    match (metric, p) {
        ("rowCount", _) => {
            if unit == Unit::Percent {
                return Err("a row count in percent has nothing to be a share of".into());
            }
            plan.push(None, "row_count", None, b.entries(), "row_count", &m, from);
        }
        ("nullValues", Some(p)) => null_check(plan, p.column(), from),
        ("missingValues", Some(p)) => {
            let col = p.column();
            let mut lits = Vec::new();
            for v in list_items(r.argument("missingValues"))? {
                lits.extend(sql_literal(&v)?);
            }
            if lits.is_empty() {
                null_check(plan, col, format!("{from} (null is the only missing value)"));
            } else {
                let c = ident(col);
                let pred = format!("{c} is null or {c} in ({})", lits.join(", "));
                let default = format!("{col}.missing_values");
                plan.push_sql(&default, &m, rows_query(&source, &pred, unit), &b, from);
            }
        }
        ("invalidValues", Some(p)) => {
            let col = p.column();
            let valid: Vec<Node> = list_items(r.argument("validValues"))?
                .into_iter()
                .filter(|v| v.kind != Kind::Null)
                .collect();
            let pattern = match r.argument("pattern") {
                None => None,
                Some(n) => Some(n.as_str().ok_or("its `pattern` is not text")?.to_string()),
            };
            if let Some(why) = pattern.as_deref().and_then(regex_problem) {
                return Err(why);
            }
            if valid.is_empty() && pattern.is_none() {
                return Err("invalidValues needs `validValues` or `pattern` in its `arguments`".into());
            }
            if zero {
                if !valid.is_empty() {
                    let items: Vec<String> = valid
                        .iter()
                        .map(yaml_literal)
                        .collect::<Option<_>>()
                        .ok_or("its valid values are not plain values")?;
                    let default = format!("{col}.in_set");
                    let list = format!("[{}]", items.join(", "));
                    plan.push(Some(col), "in_set", Some(("values", list)), Vec::new(), &default, &m, from.clone());
                }
                if let Some(pat) = &pattern {
                    let default = format!("{col}.regex");
                    let m = Meta { name: m.name.as_ref().filter(|_| valid.is_empty()).cloned(), ..Meta::of(r) };
                    plan.push(Some(col), "regex", Some(("pattern", scalar(pat))), Vec::new(), &default, &m, from);
                }
            } else {
                let c = ident(col);
                let mut valid_if = Vec::new();
                if !valid.is_empty() {
                    let lits: Vec<String> = valid
                        .iter()
                        .map(|v| sql_literal(v).map(Option::unwrap_or_default))
                        .collect::<Result<_, _>>()?;
                    valid_if.push(format!("{c} in ({})", lits.join(", ")));
                }
                if let Some(pat) = &pattern {
                    valid_if.push(format!("regexp_like({c}, '{}')", pat.replace('\'', "''")));
                }
                let pred = format!("{c} is not null and not ({})", valid_if.join(" and "));
                let default = format!("{col}.invalid_values");
                plan.push_sql(&default, &m, rows_query(&source, &pred, unit), &b, from);
            }
        }
        ("duplicateValues", _) => {
            let cols: Vec<String> = match p {
                Some(p) => vec![p.column().to_string()],
                None => {
                    let names = list_items(r.argument("properties"))?;
                    if names.is_empty() {
                        return Err("duplicateValues on a table needs `properties` in its `arguments`".into());
                    }
                    names
                        .iter()
                        .map(|n| {
                            let name = n.as_str().ok_or("its `properties` are not names")?;
                            o.property(name)
                                .map(|p| p.column().to_string())
                                .ok_or_else(|| format!("`{}` has no property `{name}`", o.name))
                        })
                        .collect::<Result<_, String>>()?
                }
            };
            if zero {
                match p {
                    Some(_) => {
                        let default = format!("{}.unique", cols[0]);
                        plan.push(Some(&cols[0]), "unique", None, Vec::new(), &default, &m, from);
                    }
                    None => {
                        let default = format!("unique({})", cols.join(", "));
                        plan.push(None, "unique", Some(("columns", flow_list(&cols))), Vec::new(), &default, &m, from);
                    }
                }
            } else {
                let keys: Vec<String> = cols.iter().map(|c| ident(c)).collect();
                let present: Vec<String> = keys.iter().map(|k| format!("{k} is not null")).collect();
                let groups = format!(
                    "select count(*) as n from {source} where {} group by {} having count(*) > 1",
                    present.join(" and "),
                    keys.join(", ")
                );
                let query = match unit {
                    Unit::Rows => format!("select count(*) from ({groups}) d"),
                    Unit::Percent => format!(
                        "select 100.0 * coalesce(sum(n), 0) / nullif((select count(*) from {source}), 0) from ({groups}) d"
                    ),
                };
                let default = match p {
                    Some(_) => format!("{}.duplicate_values", cols[0]),
                    None => "duplicate_values".to_string(),
                };
                plan.push_sql(&default, &m, query, &b, from);
            }
        }
        ("nullValues" | "missingValues" | "invalidValues", None) => {
            return Err(format!("{metric} counts the values of a property; this rule is on the table"))
        }
        (other, _) => {
            return Err(format!(
                "`{other}` is not a metric of the standard (rowCount, nullValues, missingValues, invalidValues, duplicateValues)"
            ))
        }
    }
    Ok(())
}

/// A scalar of the contract as it reads in a comment.
pub(super) fn show(n: &Node) -> String {
    match &n.kind {
        Kind::Seq(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        _ => scalar_text(n).unwrap_or_else(|| n.describe().to_string()),
    }
}

/// A query counting the rows where `pred` holds, or their share of all
/// rows in percent (null for an empty table: undefined is not a pass).
pub(super) fn rows_query(source: &str, pred: &str, unit: Unit) -> String {
    match unit {
        Unit::Rows => format!("select count(*) from {source} where {pred}"),
        Unit::Percent => format!(
            "select 100.0 * sum(case when {pred} then 1 else 0 end) / nullif(count(*), 0) from {source}"
        ),
    }
}
