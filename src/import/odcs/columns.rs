//! What a property's `logicalType` and `logicalTypeOptions` say: the
//! schema type, lengths, pattern, enum, and value bounds (a per-value
//! `range` for numbers, `min`/`max` for dates and timestamps).

use super::super::contract::{Object, Property};
use super::bounds::Number;
use super::plan::{Meta, Plan, State};
use super::rules::{regex_problem, yaml_literal};
use crate::spec::emit::scalar;
use crate::spec::time::TimeExpr;
use crate::spec::yaml::{Kind, Node};

/// The suite's type for a property's logical type; `None` where a suite
/// has no type for it (objects, arrays) or the contract gives none.
pub(super) fn contract_type(p: &Property) -> Option<&'static str> {
    let physical = p
        .physical_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(
        match p.logical_type.as_deref()?.to_ascii_lowercase().as_str() {
            "string" => "string",
            "integer" => "integer",
            "number" => "number",
            "boolean" => "bool",
            // Before v3.1 `date` was every date and time: the physical type
            // says which.
            "date" if physical.contains("timestamp") || physical.contains("datetime") => {
                "timestamp"
            }
            "date" => "date",
            "timestamp" => "timestamp",
            "time" => "time",
            _ => return None,
        },
    )
}

/// A date or time of the contract as a verdict time bound (`2020-01-01`,
/// RFC 3339); `2020-01-01 00:00:00` without a zone is UTC.
pub(super) fn time_bound(s: &str) -> Option<String> {
    let t = s.trim();
    let t = match t.split_once(' ') {
        Some((d, rest)) if d.len() == 10 => {
            let has_zone = rest.ends_with('Z') || rest.rfind(['+', '-']).is_some_and(|i| i >= 8);
            if has_zone {
                format!("{d}T{rest}")
            } else {
                format!("{d}T{rest}Z")
            }
        }
        _ => t.to_string(),
    };
    TimeExpr::parse(&t).map(|_| t)
}
impl State {
    /// `logicalTypeOptions`: lengths, pattern, enum, value bounds; an
    /// option a suite cannot check is a note.
    pub(super) fn options(&mut self, o: &Object, p: &Property, plan: &mut Plan) {
        let col = p.column().to_string();
        let owner = format!("`{}.{}`", o.name, p.name);
        let get = |k: &str| p.options.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        let none = Meta::default();
        let mut length = Vec::new();
        for (key, bound) in [("minLength", "min"), ("maxLength", "max")] {
            let Some(v) = get(key) else { continue };
            match v.kind {
                Kind::Int(n) if n >= 0 => length.push((bound.to_string(), n.to_string())),
                _ => {
                    self.note(
                        plan,
                        v.pos,
                        format!("{key} of {owner}"),
                        "not a whole number",
                        key,
                    );
                }
            }
        }
        if !length.is_empty() {
            let default = format!("{col}.length");
            let from = "logicalTypeOptions minLength/maxLength".to_string();
            plan.push(Some(&col), "length", None, length, &default, &none, from);
        }
        if let Some(v) = get("pattern") {
            match v.as_str().map(|pat| (pat, regex_problem(pat))) {
                Some((pat, None)) => {
                    let default = format!("{col}.regex");
                    let from = "logicalTypeOptions pattern (matches anywhere, as in JSON Schema)"
                        .to_string();
                    plan.push(
                        Some(&col),
                        "regex",
                        Some(("pattern", scalar(pat))),
                        Vec::new(),
                        &default,
                        &none,
                        from,
                    );
                }
                Some((_, Some(why))) => {
                    self.note(plan, v.pos, format!("pattern of {owner}"), why, "pattern");
                }
                None => {
                    self.note(
                        plan,
                        v.pos,
                        format!("pattern of {owner}"),
                        "not text",
                        "pattern",
                    );
                }
            }
        }
        if let Some(v) = get("enum") {
            let items = match &v.kind {
                Kind::Seq(items) => items.iter().map(yaml_literal).collect::<Option<Vec<_>>>(),
                _ => None,
            };
            match items {
                Some(items) if !items.is_empty() => {
                    let default = format!("{col}.in_set");
                    let list = format!("[{}]", items.join(", "));
                    let from = "logicalTypeOptions enum".to_string();
                    plan.push(
                        Some(&col),
                        "in_set",
                        Some(("values", list)),
                        Vec::new(),
                        &default,
                        &none,
                        from,
                    );
                }
                _ => {
                    self.note(
                        plan,
                        v.pos,
                        format!("enum of {owner}"),
                        "not a list of values",
                        "enum",
                    );
                }
            }
        }
        self.value_bounds(o, p, plan);
        const READ: [&str; 11] = [
            "minLength",
            "maxLength",
            "pattern",
            "enum",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "format",
            "timezone",
            "defaultTimezone",
        ];
        for (key, v) in &p.options {
            if !READ.contains(&key.as_str()) {
                self.note(
                    plan,
                    v.pos,
                    format!("{key} of {owner}"),
                    "a suite has no check for it",
                    key,
                );
            }
        }
    }

    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`: a
    /// per-value `range` for numbers, `min`/`max` bounds for dates and
    /// timestamps (the column's least and greatest value are within them
    /// exactly when every value is).
    pub(super) fn value_bounds(&mut self, o: &Object, p: &Property, plan: &mut Plan) {
        let col = p.column().to_string();
        let owner = format!("`{}.{}`", o.name, p.name);
        let mut ends: Vec<(&str, &Node)> = Vec::new();
        for pair in [
            ["minimum", "exclusiveMinimum"],
            ["maximum", "exclusiveMaximum"],
        ] {
            let given: Vec<(&str, &Node)> = pair
                .iter()
                .filter_map(|k| {
                    p.options
                        .iter()
                        .find(|(key, _)| key == k)
                        .map(|(_, v)| (*k, v))
                })
                .collect();
            if let [first, second] = given.as_slice() {
                let why = format!("{} already bounds that side", first.0);
                self.note(
                    plan,
                    second.1.pos,
                    format!("{} of {owner}", second.0),
                    why,
                    second.0,
                );
            }
            ends.extend(given.first());
        }
        if ends.is_empty() {
            return;
        }
        let word = |key: &str| match key {
            "minimum" => "min",
            "exclusiveMinimum" => "above",
            "maximum" => "max",
            _ => "below",
        };
        if contract_type(p) == Some("time") {
            self.note(
                plan,
                ends[0].1.pos,
                format!("bounds of {owner}"),
                "bounds on a time of day are not checked",
                "time bounds",
            );
            return;
        }
        let none = Meta::default();
        let temporal = matches!(contract_type(p), Some("date" | "timestamp"))
            || ends.iter().any(|(_, v)| matches!(v.kind, Kind::Str(_)));
        if temporal {
            for (key, v) in ends {
                let metric = if key.contains("inimum") { "min" } else { "max" };
                match v.as_str().and_then(time_bound) {
                    Some(t) => {
                        let default = format!("{col}.{metric}");
                        let bound = vec![(word(key).to_string(), scalar(&t))];
                        plan.push(
                            Some(&col),
                            metric,
                            None,
                            bound,
                            &default,
                            &none,
                            format!("logicalTypeOptions {key}"),
                        );
                    }
                    None => {
                        self.note(
                            plan,
                            v.pos,
                            format!("{key} of {owner}"),
                            "not a date or an RFC 3339 time",
                            key,
                        );
                    }
                }
            }
            return;
        }
        let mut bounds = Vec::new();
        let mut from = Vec::new();
        for (key, v) in ends {
            match Number::of(v) {
                Some(n) => {
                    bounds.push((word(key).to_string(), n.text));
                    from.push(key);
                }
                None => {
                    self.note(
                        plan,
                        v.pos,
                        format!("{key} of {owner}"),
                        "not a number",
                        key,
                    );
                }
            }
        }
        if !bounds.is_empty() {
            let default = format!("{col}.range");
            let from = format!("logicalTypeOptions {}", from.join(", "));
            plan.push(Some(&col), "range", None, bounds, &default, &none, from);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bounds_become_rfc3339() {
        assert_eq!(time_bound("2020-01-01").as_deref(), Some("2020-01-01"));
        assert_eq!(
            time_bound("2020-01-01 00:00:00").as_deref(),
            Some("2020-01-01T00:00:00Z")
        );
        assert_eq!(
            time_bound("2020-01-01 00:00:00+10:00").as_deref(),
            Some("2020-01-01T00:00:00+10:00")
        );
        assert_eq!(time_bound("yesterday"), None);
    }
}
