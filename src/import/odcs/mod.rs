//! An Open Data Contract as a verdict suite: one source per schema object
//! (where the data is comes from the contract's server or `--path`), its
//! schema contract, and per property and object the checks its
//! constraints and quality rules say. What a suite cannot say becomes a
//! `# not checked:` comment naming the rule and why, and is counted.
//!
//! The standard's semantics are kept exactly: `mustBeBetween` excludes
//! both ends (`above`/`below`), `unit: percent` is a share of the rows,
//! `invalidValues` and `duplicateValues` leave nulls out, a
//! `logicalTypeOptions.pattern` matches anywhere in the value (as JSON
//! Schema's `pattern`).
mod bounds;
mod columns;
mod links;
mod place;
mod plan;
mod rules;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::contract::{Contract, Object, Property};
use crate::report::format::count;
use crate::spec::emit::{comment, scalar};
use columns::contract_type;
use links::sla_kind;
use place::{location, Place};
use plan::{flow_list, flow_map, tag, Meta, Plan, State};

pub use plan::NotChecked;

/// How the suite is asked for.
pub struct Options {
    /// The contract's path as given (for the header).
    pub contract: String,
    /// `--server NAME`: the server whose data the suite reads.
    pub server: Option<String>,
    /// `--path TEMPLATE`: where each object's data is, `{object}` standing
    /// for its physical name; overrides the servers.
    pub path: Option<String>,
    /// The command line, for the header.
    pub command: String,
}

pub struct Imported {
    pub suite: String,
    pub sources: usize,
    pub checks: usize,
    pub not_checked: Vec<NotChecked>,
    /// The server the sources read (`None` with `--path`).
    pub server: Option<String>,
}

/// The suite for a contract, or why there can be none (the message of an
/// exit 2).
pub fn import(c: &Contract, opts: &Options) -> Result<Imported, String> {
    if c.objects.is_empty() {
        return Err(format!(
            "{} describes no table (its `schema` lists none): there is nothing to check",
            opts.contract
        ));
    }
    let place = place::place(
        c,
        &opts.contract,
        opts.server.as_deref(),
        opts.path.as_deref(),
    )?;
    let mut names = Vec::new();
    for o in &c.objects {
        for p in &o.properties {
            names.extend(std::iter::once(p.name.clone()).chain(p.physical_name.clone()));
        }
    }
    let mut state = State {
        not_checked: Vec::new(),
        names,
    };
    let mut plans: Vec<Plan> = c
        .objects
        .iter()
        .map(|o| state.object(c, o, &place))
        .collect();
    state.service_levels(c, &mut plans);
    let checks: usize = plans.iter().map(|p| p.checks).sum();
    if checks == 0 {
        return Err(format!(
            "{} holds nothing a suite can check: its tables list no properties{}",
            opts.contract,
            match state.not_checked.len() {
                0 => String::new(),
                n => format!(", and {} cannot be checked", count(n, "rule")),
            }
        ));
    }
    // A table the contract says nothing about has no checks: it is left
    // out (a suite's sources are what it checks), and the header says so.
    let (plans, empty): (Vec<Plan>, Vec<Plan>) = plans.into_iter().partition(|p| p.checks > 0);
    let mut out = String::new();
    header(&mut out, c, opts, &place, checks, &state.not_checked);
    for p in &empty {
        let _ = writeln!(
            out,
            "# `{}` is not in the suite: the contract lists no property or rule of it to check.",
            comment(&p.name)
        );
        for n in &p.notes {
            let _ = writeln!(out, "#   not checked: {}", comment(n));
        }
    }
    out.push_str("version: 1\n\nsources:\n");
    for p in &plans {
        p.source(&mut out);
    }
    out.push_str("\nchecks:\n");
    for p in &plans {
        p.checks(&mut out);
    }
    let services = ignored_service_levels(c);
    if !services.is_empty() {
        let _ = writeln!(
            out,
            "\n# Service levels the data cannot show, not checked: {}.",
            comment(&services.join(", "))
        );
    }
    Ok(Imported {
        suite: out,
        sources: plans.len(),
        checks,
        not_checked: state.not_checked,
        server: match place {
            Place::Server(s) => Some(s.name.clone()),
            Place::Template(_) => None,
        },
    })
}

fn header(
    out: &mut String,
    c: &Contract,
    opts: &Options,
    place: &Place<'_>,
    checks: usize,
    not_checked: &[NotChecked],
) {
    let mut about = vec![format!("ODCS {}", c.api_version)];
    if let Some(n) = &c.name {
        about.push(format!("{n:?}"));
    }
    if let Some(v) = &c.version {
        about.push(format!("version {v}"));
    }
    if let Some(id) = &c.id {
        about.push(format!("id {id}"));
    }
    let _ = writeln!(
        out,
        "# Imported from the Open Data Contract {} ({}).\n# Written by: {}",
        comment(&opts.contract),
        comment(&about.join(", ")),
        comment(&opts.command)
    );
    match place {
        Place::Server(s) => {
            let _ = writeln!(
                out,
                "# Data: server `{}` ({}){}.",
                comment(&s.name),
                comment(&s.kind),
                if c.servers.len() > 1 {
                    "; --server NAME reads another of the contract's servers"
                } else {
                    ""
                }
            );
            if matches!(
                s.kind.to_ascii_lowercase().as_str(),
                "postgres" | "postgresql" | "mysql"
            ) {
                let var = if s.kind.eq_ignore_ascii_case("mysql") {
                    "MYSQL"
                } else {
                    "POSTGRES"
                };
                let _ = writeln!(
                    out,
                    "# Credentials: DATACONTRACT_{var}_USERNAME and DATACONTRACT_{var}_PASSWORD."
                );
            }
        }
        Place::Template(t) => {
            let _ = writeln!(out, "# Data: --path {}.", comment(t));
        }
    }
    let _ = writeln!(
        out,
        "# {} from the contract; {}.",
        count(checks, "check"),
        match not_checked.len() {
            0 => "every rule is checked".to_string(),
            n => format!(
                "{} not checked, each a `# not checked:` comment below saying why",
                count(n, "rule")
            ),
        }
    );
    out.push_str(
        "# The contract's SQL runs in DataFusion (PostgreSQL's dialect), with its\n\
         # column names quoted as the contract spells them. Review the suite\n\
         # before gating on it.\n",
    );
}

fn ignored_service_levels(c: &Contract) -> Vec<String> {
    let mut names: Vec<String> = c
        .sla
        .iter()
        .filter(|s| sla_kind(&s.property).is_none() && !s.property.is_empty())
        .map(|s| s.property.clone())
        .collect();
    names.dedup();
    names
}

impl State {
    fn object(&mut self, c: &Contract, o: &Object, place: &Place<'_>) -> Plan {
        let mut plan = Plan {
            name: o.source(),
            location: location(place, o),
            tags: o.tags.iter().filter_map(|t| tag(t)).collect(),
            key: Vec::new(),
            schema: Vec::new(),
            table: Vec::new(),
            columns: Vec::new(),
            sql: Vec::new(),
            notes: Vec::new(),
            names: BTreeSet::new(),
            checks: 0,
        };
        let mut keys: Vec<&Property> = o.properties.iter().filter(|p| p.primary_key).collect();
        keys.sort_by_key(|p| p.primary_key_position.unwrap_or(i128::MAX));
        plan.key = keys.iter().map(|p| p.column().to_string()).collect();
        for p in &o.properties {
            self.property(c, o, p, keys.len() > 1, &mut plan);
        }
        // The schema contract is a check of its own (`schema`).
        if !plan.schema.is_empty() {
            plan.checks += 1;
        }
        if keys.len() > 1 {
            let cols = plan.key.clone();
            let default = format!("unique({})", cols.join(", "));
            plan.push(
                None,
                "unique",
                Some(("columns", flow_list(&cols))),
                Vec::new(),
                &default,
                &Meta::default(),
                "primary key".into(),
            );
        }
        for (i, r) in o.quality.iter().enumerate() {
            let what = format!("quality rule {} of `{}`", i + 1, o.name);
            self.rule(o, None, r, i, &what, &mut plan);
        }
        for r in &o.relationships {
            self.relationship(c, o, None, r, &mut plan);
        }
        plan
    }

    fn property(
        &mut self,
        c: &Contract,
        o: &Object,
        p: &Property,
        composite: bool,
        plan: &mut Plan,
    ) {
        let col = p.column().to_string();
        let mut fields = Vec::new();
        if let Some(t) = contract_type(p) {
            fields.push(("type".to_string(), t.to_string()));
        }
        if p.required || p.primary_key {
            fields.push(("nullable".to_string(), "false".to_string()));
        }
        let mut from = Vec::new();
        if p.physical_name.as_deref().is_some_and(|n| n != p.name) {
            from.push(p.name.clone());
        }
        match (p.logical_type.as_deref(), contract_type(p)) {
            (Some(l), None) => from.push(format!("{l}: its type is not checked")),
            (None, _) => from.push("no logicalType: its type is not checked".into()),
            _ => {}
        }
        if p.nested {
            from.push("its nested fields are not checked".into());
        }
        let value = match fields.is_empty() {
            true => "{}".to_string(),
            false => flow_map(&fields),
        };
        plan.schema.push((scalar(&col), value, from.join("; ")));
        if p.unique || (p.primary_key && !composite) {
            let from = if p.unique { "unique" } else { "primary key" };
            let default = format!("{col}.unique");
            plan.push(
                Some(&col),
                "unique",
                None,
                Vec::new(),
                &default,
                &Meta::default(),
                from.into(),
            );
        }
        self.options(o, p, plan);
        for (i, r) in p.quality.iter().enumerate() {
            let what = format!("quality rule {} of `{}.{}`", i + 1, o.name, p.name);
            self.rule(o, Some(p), r, i, &what, plan);
        }
        for r in &p.relationships {
            self.relationship(c, o, Some(p), r, plan);
        }
    }
}
