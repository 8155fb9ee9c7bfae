//! What ties tables and time to checks: foreign keys as `references`, and
//! the freshness (`latency`) and retention service levels.

use super::super::contract::{Contract, Object, Property, Relationship, Sla};
use super::plan::State;
use super::plan::{flow_list, Meta, Plan};
use super::rules::show;
use crate::report::format::count;
use crate::spec::emit::scalar;
use crate::spec::yaml::Kind;

impl State {
    pub(super) fn relationship(
        &mut self,
        c: &Contract,
        o: &Object,
        p: Option<&Property>,
        r: &Relationship,
        plan: &mut Plan,
    ) {
        let what = match p {
            Some(p) => format!("relationship of `{}.{}`", o.name, p.name),
            None => format!("relationship of `{}`", o.name),
        };
        if let Err(why) = references(c, o, p, r, plan) {
            self.note(plan, r.pos, what, why, "relationship");
        }
    }

    /// Freshness (`latency`) and retention of the service levels, on the
    /// column their `element` names.
    pub(super) fn service_levels(&mut self, c: &Contract, plans: &mut [Plan]) {
        for s in &c.sla {
            let Some(kind) = sla_kind(&s.property) else {
                continue;
            };
            let elements: Vec<&str> = s
                .element
                .as_deref()
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .collect();
            let what = format!("service level `{}`", s.property);
            if elements.is_empty() {
                let note = self.skip(
                    s.pos,
                    what,
                    "it names no `element` (the table.column it is about)",
                    "service level",
                );
                push_note(plans, None, note);
                continue;
            }
            for e in elements {
                if let Err((at, why)) = service_level(c, s, kind, e, plans) {
                    let note = self.skip(s.pos, format!("{what} of {e}"), why, "service level");
                    push_note(plans, at, note);
                }
            }
        }
    }
}

/// A foreign key as `references` (a column's, or the table's for a
/// compound key).
pub(super) fn references(
    c: &Contract,
    o: &Object,
    p: Option<&Property>,
    r: &Relationship,
    plan: &mut Plan,
) -> Result<(), String> {
    if let Some(k) = r.kind.as_deref().filter(|k| *k != "foreignKey") {
        return Err(format!("its type `{k}` is not `foreignKey`"));
    }
    let from: Vec<String> = match p {
        Some(p) if r.from.is_empty() => vec![p.column().to_string()],
        _ => r
            .from
            .iter()
            .map(|f| {
                let (obj, prop) = split_ref(f)?;
                if obj != o.name && Some(obj) != o.physical_name.as_deref() {
                    return Err(format!("`from` names `{f}`, not a column of `{}`", o.name));
                }
                o.property(prop)
                    .map(|p| p.column().to_string())
                    .ok_or_else(|| format!("`{}` has no property `{prop}`", o.name))
            })
            .collect::<Result<_, _>>()?,
    };
    let mut target: Option<&Object> = None;
    let mut to = Vec::new();
    for t in &r.to {
        let (obj, prop) = split_ref(t)?;
        let Some(other) = c
            .objects
            .iter()
            .find(|x| x.name == obj || x.physical_name.as_deref() == Some(obj))
        else {
            return Err(format!(
                "`{t}` names `{obj}`, which is not a table of this contract"
            ));
        };
        if target.is_some_and(|x| !std::ptr::eq(x, other)) {
            return Err("its `to` names columns of two tables".into());
        }
        target = Some(other);
        let col = other
            .property(prop)
            .map(|p| p.column().to_string())
            .ok_or_else(|| format!("`{}` has no property `{prop}`", other.name))?;
        to.push(col);
    }
    let Some(target) = target else {
        return Err("it has no `to`".into());
    };
    if from.len() != to.len() {
        return Err(format!(
            "`from` names {} and `to` {}",
            count(from.len(), "column"),
            count(to.len(), "column")
        ));
    }
    let from_text = format!("foreign key to {}", r.to.join(", "));
    // One column is that column's check; a compound key is the table's.
    let source = ("source".to_string(), scalar(&target.source()));
    let (col, options, default) = match from.as_slice() {
        [col] => (
            Some(col.as_str()),
            vec![source, ("column".to_string(), scalar(&to[0]))],
            format!("{col}.references"),
        ),
        _ => (
            None,
            vec![
                ("columns".to_string(), flow_list(&from)),
                source,
                ("to".to_string(), flow_list(&to)),
            ],
            format!("references({})", from.join(", ")),
        ),
    };
    let none = Meta::default();
    plan.push(col, "references", None, options, &default, &none, from_text);
    Ok(())
}

/// One element of a freshness or retention service level as a check;
/// the error names the plan its note belongs to.
pub(super) fn service_level(
    c: &Contract,
    s: &Sla,
    kind: SlaKind,
    element: &str,
    plans: &mut [Plan],
) -> Result<(), (Option<usize>, String)> {
    let (obj, prop) = match element.split_once('.') {
        Some((o, p)) => (o, p),
        None if c.objects.len() == 1 => (c.objects[0].name.as_str(), element),
        None => {
            return Err((
                None,
                "`element` names a column without its table, and the contract has several".into(),
            ))
        }
    };
    let Some(i) = c
        .objects
        .iter()
        .position(|o| o.name == obj || o.physical_name.as_deref() == Some(obj))
    else {
        return Err((None, format!("`{obj}` is not a table of this contract")));
    };
    let o = &c.objects[i];
    let Some(p) = o.property(prop) else {
        return Err((Some(i), format!("`{}` has no property `{prop}`", o.name)));
    };
    let age = age(s).map_err(|w| (Some(i), w))?;
    let col = p.column();
    let from = format!(
        "{} {}{}",
        s.property,
        s.value.as_ref().map(show).unwrap_or_default(),
        s.unit.as_deref().unwrap_or("")
    );
    let none = Meta::default();
    let plan = &mut plans[i];
    match kind {
        SlaKind::Freshness => {
            let default = format!("{col}.freshness");
            let options = vec![("max_age".to_string(), age)];
            plan.push(
                Some(col),
                "freshness",
                None,
                options,
                &default,
                &none,
                format!("{from} (the newest value)"),
            );
        }
        SlaKind::Retention => {
            let default = format!("{col}.retention");
            let meta = Meta {
                name: Some(default.clone()),
                ..Meta::default()
            };
            let options = vec![("min".to_string(), scalar(&format!("now - {age}")))];
            plan.push(
                Some(col),
                "min",
                None,
                options,
                &format!("{col}.min"),
                &meta,
                format!("{from} (the oldest value)"),
            );
        }
    }
    Ok(())
}

pub(super) fn push_note(plans: &mut [Plan], at: Option<usize>, note: String) {
    if let Some(p) = plans.get_mut(at.unwrap_or(0)) {
        p.notes.push(note);
    }
}

/// A service level's value and unit as a verdict age (`4d`, `6h`).
pub(super) fn age(s: &Sla) -> Result<String, String> {
    let Some(n) = s.value.as_ref().and_then(|v| match v.kind {
        Kind::Int(i) if i > 0 => Some(i),
        _ => None,
    }) else {
        return Err("its value is not a whole number above 0".into());
    };
    let unit = s.unit.as_deref().unwrap_or("").trim();
    let (factor, u) = match unit.to_ascii_lowercase().as_str() {
        "s" | "sec" | "second" | "seconds" => (1, "s"),
        "min" | "minute" | "minutes" => (1, "m"),
        "h" | "hr" | "hour" | "hours" => (1, "h"),
        "d" | "day" | "days" => (1, "d"),
        "w" | "week" | "weeks" => (1, "w"),
        "mo" | "month" | "months" => (30, "d"),
        "y" | "yr" | "year" | "years" => (365, "d"),
        "m" => return Err("its unit `m` could be minutes or months; write `min` or `mo`".into()),
        "" => return Err("it has no `unit`".into()),
        other => {
            return Err(format!(
                "its unit `{other}` is not one verdict knows (s, min, h, d, w, mo, y)"
            ))
        }
    };
    Ok(format!("{}{u}", n * factor))
}

/// `object.property` of a relationship.
pub(super) fn split_ref(r: &str) -> Result<(&str, &str), String> {
    match r.trim().split_once('.') {
        Some((o, p)) if !o.is_empty() && !p.is_empty() && !p.contains('.') => Ok((o, p)),
        _ => Err(format!("`{r}` is not an `object.property` reference")),
    }
}

/// The service levels that are checks: the newest value's age, the
/// oldest's.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum SlaKind {
    Freshness,
    Retention,
}

pub(super) fn sla_kind(property: &str) -> Option<SlaKind> {
    match property.to_ascii_lowercase().as_str() {
        "latency" | "ly" | "freshness" => Some(SlaKind::Freshness),
        "retention" | "re" => Some(SlaKind::Retention),
        _ => None,
    }
}
