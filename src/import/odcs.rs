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

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::contract::{scalar_text, Contract, Object, Property, Relationship, Rule, Server, Sla};
use super::names::column as ident;
use crate::report::format::count;
use crate::spec::diag::Pos;
use crate::spec::emit::{comment, scalar, with_variables};
use crate::spec::time::TimeExpr;
use crate::spec::yaml::{Kind, Node};

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

/// A rule of the contract the suite does not check, and why.
pub struct NotChecked {
    pub at: Pos,
    /// What it is, as a person would name it (`quality rule 2 of
    /// property \`UniqueID\``).
    pub what: String,
    pub why: String,
    /// For the summary: `text`, `custom`, `sql`, a metric, an option.
    pub kind: String,
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
    let place = place(c, opts)?;
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

/// Where the data of every object is.
enum Place<'c> {
    Template(String),
    Server(&'c Server),
}

/// What a source's lines under `sources:` say.
enum Location {
    Path {
        path: String,
        format: Option<&'static str>,
        endpoint: Option<String>,
    },
    Database {
        url: String,
        table: String,
    },
}

fn place<'c>(c: &'c Contract, opts: &Options) -> Result<Place<'c>, String> {
    if let Some(t) = &opts.path {
        return Ok(Place::Template(t.clone()));
    }
    let described = |s: &Server| {
        if s.name.is_empty() {
            format!("a `{}` server", s.kind)
        } else {
            format!("`{}` ({})", s.name, s.kind)
        }
    };
    if let Some(name) = &opts.server {
        let Some(s) = c.servers.iter().find(|s| &s.name == name) else {
            let names: Vec<String> = c.servers.iter().map(|s| format!("`{}`", s.name)).collect();
            return Err(format!(
                "{} has no server `{name}`; its servers: {}",
                opts.contract,
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ));
        };
        return match unreadable(s) {
            None => Ok(Place::Server(s)),
            Some(why) => Err(format!("server {}: {why}", described(s))),
        };
    }
    if let Some(s) = c.servers.iter().find(|s| unreadable(s).is_none()) {
        return Ok(Place::Server(s));
    }
    let found: Vec<String> = c
        .servers
        .iter()
        .map(|s| format!("{}: {}", described(s), unreadable(s).unwrap_or_default()))
        .collect();
    Err(format!(
        "{} names no server verdict can read ({}); say where each table's data is with --path, e.g. --path 'data/{{object}}.parquet' ({{object}} is each table's physicalName, else its name)",
        opts.contract,
        if found.is_empty() { "it has no `servers`".to_string() } else { found.join("; ") }
    ))
}

/// Why verdict cannot read a server's data; `None` when it can.
fn unreadable(s: &Server) -> Option<String> {
    match s.kind.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" | "mysql" => match s.text("host") {
            Some(_) if s.text("database").is_some() => None,
            Some(_) => Some("it names no `database`".into()),
            None => Some("it names no `host`".into()),
        },
        "local" => match s.text("path") {
            Some(_) => file_format(s).err(),
            None => Some("it names no `path`".into()),
        },
        "s3" | "gcs" | "azure" => match s.text("location") {
            Some(_) => file_format(s).err(),
            None => Some("it names no `location`".into()),
        },
        "" => Some("it has no `type`".into()),
        other => Some(format!(
            "verdict reads PostgreSQL, MySQL/MariaDB, local files, S3, GCS and Azure, not {other}"
        )),
    }
}

/// The verdict format of a file server's `format` (`None`: from the file
/// names).
fn file_format(s: &Server) -> Result<Option<&'static str>, String> {
    let Some(f) = s.text("format") else {
        return Ok(None);
    };
    match f.to_ascii_lowercase().as_str() {
        "parquet" => Ok(Some("parquet")),
        "csv" => Ok(Some("csv")),
        "json" => match s.text("delimiter").as_deref() {
            None | Some("new_line") => Ok(Some("json")),
            Some(d) => Err(format!(
                "its JSON is delimited `{d}`; verdict reads JSON as one document per line (`new_line`)"
            )),
        },
        "arrow" | "ipc" | "feather" => Ok(Some("arrow")),
        other => Err(format!(
            "its format is `{other}`; verdict reads parquet, csv, json (one document per line) and arrow"
        )),
    }
}

/// A `{model}`/`{object}` placeholder replaced by the table's name.
fn fill(template: &str, table: &str) -> String {
    template
        .replace("{object}", table)
        .replace("{model}", table)
}

fn location(place: &Place<'_>, o: &Object) -> Location {
    let table = o.table();
    match place {
        Place::Template(t) => Location::Path {
            path: fill(t, table),
            format: None,
            endpoint: None,
        },
        Place::Server(s) => {
            let kind = s.kind.to_ascii_lowercase();
            let text = |k: &str| s.text(k).unwrap_or_default().replace("${", "$${");
            match kind.as_str() {
                "postgres" | "postgresql" | "mysql" => {
                    let (scheme, var, port) = match kind.as_str() {
                        "mysql" => ("mysql", "MYSQL", "3306"),
                        _ => ("postgres", "POSTGRES", "5432"),
                    };
                    let port = s.text("port").unwrap_or_else(|| port.to_string());
                    let url = format!(
                        "{scheme}://${{DATACONTRACT_{var}_USERNAME}}:${{DATACONTRACT_{var}_PASSWORD}}@{}:{port}/{}",
                        text("host"),
                        text("database"),
                    );
                    let table = match s.text("schema") {
                        Some(schema) if scheme == "postgres" => format!("{schema}.{table}"),
                        _ => table.to_string(),
                    };
                    Location::Database { url, table }
                }
                _ => {
                    let key = if kind == "local" { "path" } else { "location" };
                    Location::Path {
                        path: fill(&s.text(key).unwrap_or_default(), table),
                        format: file_format(s).ok().flatten(),
                        endpoint: s.text("endpointUrl"),
                    }
                }
            }
        }
    }
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

#[derive(Clone, Copy, PartialEq)]
enum SlaKind {
    Freshness,
    Retention,
}

fn sla_kind(property: &str) -> Option<SlaKind> {
    match property.to_ascii_lowercase().as_str() {
        "latency" | "ly" | "freshness" => Some(SlaKind::Freshness),
        "retention" | "re" => Some(SlaKind::Retention),
        _ => None,
    }
}

/// One check item: its text after `- `, with a comment saying what in the
/// contract it comes from.
struct Item {
    text: String,
    from: String,
}

struct SqlItem {
    name: String,
    query: String,
    expect: String,
    meta: Vec<(String, String)>,
    from: String,
}

/// What a rule says of its check besides what it checks: the name (its
/// `id`, else its `name`), a severity, tags.
#[derive(Default)]
struct Meta {
    name: Option<String>,
    warn: bool,
    tags: Vec<String>,
}

impl Meta {
    fn of(r: &Rule) -> Meta {
        let warn = r.severity.as_deref().is_some_and(|s| {
            matches!(
                s.to_ascii_lowercase().as_str(),
                "warn" | "warning" | "info" | "minor" | "low"
            )
        });
        let mut tags: Vec<String> = r.tags.iter().filter_map(|t| tag(t)).collect();
        if let Some(d) = r.dimension.as_deref().and_then(tag) {
            if !tags.contains(&d) {
                tags.push(d);
            }
        }
        Meta {
            name: r.id.clone().or(r.name.clone()),
            warn,
            tags,
        }
    }
}

/// The source and checks of one schema object.
struct Plan {
    name: String,
    location: Location,
    tags: Vec<String>,
    key: Vec<String>,
    schema: Vec<(String, String, String)>,
    table: Vec<Item>,
    columns: Vec<(String, Vec<Item>)>,
    sql: Vec<SqlItem>,
    notes: Vec<String>,
    names: BTreeSet<String>,
    checks: usize,
}

impl Plan {
    fn column(&mut self, col: &str) -> &mut Vec<Item> {
        let i = match self.columns.iter().position(|(c, _)| c == col) {
            Some(i) => i,
            None => {
                self.columns.push((col.to_string(), Vec::new()));
                self.columns.len() - 1
            }
        };
        &mut self.columns[i].1
    }

    /// `wanted` if no check of this source has that name yet, else
    /// `wanted_2`, `wanted_3`, …
    fn unique_name(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        let mut n = 1;
        while self.names.contains(&name) {
            n += 1;
            name = format!("{wanted}_{n}");
        }
        self.names.insert(name.clone());
        name
    }

    /// The meta entries of a check whose name would be `default`: `name`
    /// only when it differs (the rule's own, or `default` taken).
    fn meta(&mut self, default: &str, m: &Meta) -> (String, Vec<(String, String)>) {
        let name = self.unique_name(m.name.as_deref().unwrap_or(default));
        let mut e = Vec::new();
        if name != default {
            e.push(("name".to_string(), scalar(&name)));
        }
        if m.warn {
            e.push(("severity".to_string(), "warn".to_string()));
        }
        if !m.tags.is_empty() {
            e.push(("tags".to_string(), flow_list(&m.tags)));
        }
        (name, e)
    }

    /// Adds a check of `col` (the table's when `None`): `kw` with its
    /// argument written inline when nothing else is said (`- regex: '…'`),
    /// else under `inline.0` beside the options and meta.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        col: Option<&str>,
        kw: &str,
        inline: Option<(&str, String)>,
        options: Vec<(String, String)>,
        default: &str,
        m: &Meta,
        from: String,
    ) {
        let (_, meta) = self.meta(default, m);
        let mut entries = options;
        entries.extend(meta);
        let text = match (inline, entries.is_empty()) {
            (None, true) => kw.to_string(),
            (Some((_, v)), true) => format!("{kw}: {v}"),
            (Some((k, v)), false) => {
                entries.insert(0, (k.to_string(), v));
                format!("{kw}: {}", flow_map(&entries))
            }
            (None, false) => format!("{kw}: {}", flow_map(&entries)),
        };
        let item = Item { text, from };
        match col {
            Some(c) => self.column(c).push(item),
            None => self.table.push(item),
        }
        self.checks += 1;
    }

    /// Adds an `sql:` check.
    fn push_sql(&mut self, default: &str, m: &Meta, query: String, b: &Bounds, from: String) {
        let (name, mut meta) = self.meta(default, m);
        meta.retain(|(k, _)| k != "name");
        self.sql.push(SqlItem {
            name,
            query,
            expect: flow_map(&b.entries()),
            meta,
            from,
        });
        self.checks += 1;
    }

    fn source(&self, out: &mut String) {
        let _ = writeln!(out, "  {}:", scalar(&self.name));
        match &self.location {
            Location::Path {
                path,
                format,
                endpoint,
            } => {
                let _ = writeln!(out, "    path: {}", scalar(path));
                if let Some(f) = format {
                    let _ = writeln!(out, "    format: {f}");
                }
                if let Some(e) = endpoint {
                    let _ = writeln!(out, "    storage: {{ endpoint: {} }}", scalar(e));
                }
            }
            Location::Database { url, table } => {
                let _ = writeln!(out, "    url: {}", with_variables(url));
                let _ = writeln!(out, "    table: {}", scalar(table));
            }
        }
        if !self.key.is_empty() {
            let _ = writeln!(out, "    key: {}", flow_list(&self.key));
        }
        if !self.tags.is_empty() {
            let _ = writeln!(out, "    tags: {}", flow_list(&self.tags));
        }
    }

    fn checks(&self, out: &mut String) {
        let _ = writeln!(out, "  {}:", scalar(&self.name));
        if !self.schema.is_empty() {
            out.push_str("    schema:\n      columns:\n");
            let width = self
                .schema
                .iter()
                .map(|(k, _, _)| k.chars().count() + 1)
                .filter(|w| *w <= 24)
                .max()
                .unwrap_or(0);
            for (key, value, from) in &self.schema {
                let key = format!("{key}:");
                let line = format!("        {key:width$} {value}");
                let _ = match from.is_empty() {
                    true => writeln!(out, "{}", line.trim_end()),
                    false => writeln!(out, "{line}   # {}", comment(from)),
                };
            }
        }
        let items = |out: &mut String, list: &[Item], indent: &str| {
            for i in list {
                let _ = writeln!(out, "{indent}- {}   # {}", i.text, comment(&i.from));
            }
        };
        if !self.table.is_empty() {
            out.push_str("    table:\n");
            items(out, &self.table, "      ");
        }
        if self.columns.iter().any(|(_, l)| !l.is_empty()) {
            out.push_str("    columns:\n");
            for (col, list) in &self.columns {
                if list.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "      {}:", scalar(col));
                items(out, list, "        ");
            }
        }
        if !self.sql.is_empty() {
            out.push_str("    sql:\n");
            for s in &self.sql {
                let _ = writeln!(out, "      # {}", comment(&s.from));
                let _ = writeln!(out, "      - name: {}", scalar(&s.name));
                let _ = writeln!(out, "        query: {}", scalar(&s.query));
                let _ = writeln!(out, "        expect: {}", s.expect);
                for (k, v) in &s.meta {
                    let _ = writeln!(out, "        {k}: {v}");
                }
            }
        }
        for n in &self.notes {
            let _ = writeln!(out, "    # not checked: {}", comment(n));
        }
    }
}

fn flow_list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| scalar(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// `{ k: v, … }` of already written YAML values.
fn flow_map(entries: &[(String, String)]) -> String {
    let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{ {} }}", parts.join(", "))
}

struct State {
    not_checked: Vec<NotChecked>,
    /// Every column name of the contract, for its SQL.
    names: Vec<String>,
}

/// A rule's bounds as verdict writes them (`above`, `min`, …), from its
/// `mustBe…` comparators.
#[derive(Default, Clone)]
struct Bounds {
    low: Option<(Number, bool)>,
    high: Option<(Number, bool)>,
}

/// A number as the contract wrote it, kept as text so that nothing is
/// rounded.
#[derive(Clone)]
struct Number {
    text: String,
    value: f64,
}

impl Number {
    fn of(n: &Node) -> Option<Number> {
        match &n.kind {
            Kind::Int(i) => Some(Number {
                text: i.to_string(),
                value: *i as f64,
            }),
            Kind::Float(f) if f.is_finite() => Some(Number {
                text: f.to_string(),
                value: *f,
            }),
            _ => None,
        }
    }

    /// A percentage as a fraction: the decimal point moved two places.
    fn per_cent(&self) -> Number {
        let (sign, digits) = match self.text.strip_prefix('-') {
            Some(d) => ("-", d),
            None => ("", self.text.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all = format!("{int}{frac}");
        let point = int.len() as isize - 2;
        let (whole, part) = if point > 0 {
            (
                all[..point as usize].to_string(),
                all[point as usize..].to_string(),
            )
        } else {
            (
                "0".to_string(),
                format!("{}{all}", "0".repeat((-point) as usize)),
            )
        };
        let whole = whole.trim_start_matches('0');
        let whole = if whole.is_empty() { "0" } else { whole };
        let part = part.trim_end_matches('0');
        let text = match part.is_empty() {
            true => format!("{sign}{whole}"),
            false => format!("{sign}{whole}.{part}"),
        };
        Number {
            value: self.value / 100.0,
            text,
        }
    }
}

impl Bounds {
    fn from_rule(r: &Rule) -> Result<Bounds, String> {
        if r.operators.is_empty() {
            return Err("it has no `mustBe…` comparator".into());
        }
        let mut b = Bounds::default();
        for (op, value) in &r.operators {
            let num = |n: &Node| {
                Number::of(n).ok_or_else(|| {
                    format!(
                        "`{op}` is {}{}, not a number",
                        n.describe(),
                        scalar_text(n)
                            .map(|t| format!(" {t:?}"))
                            .unwrap_or_default()
                    )
                })
            };
            let (low, high) = match op.as_str() {
                "mustBe" => {
                    let v = num(value)?;
                    (Some((v.clone(), false)), Some((v, false)))
                }
                "mustBeGreaterThan" => (Some((num(value)?, true)), None),
                "mustBeGreaterOrEqualTo" => (Some((num(value)?, false)), None),
                "mustBeLessThan" => (None, Some((num(value)?, true))),
                "mustBeLessOrEqualTo" => (None, Some((num(value)?, false))),
                "mustBeBetween" => match &value.kind {
                    Kind::Seq(pair) if pair.len() == 2 => {
                        let (lo, hi) = (num(&pair[0])?, num(&pair[1])?);
                        if lo.value >= hi.value {
                            return Err(format!(
                                "`mustBeBetween: [{}, {}]` excludes both ends, so no value is between them",
                                lo.text, hi.text
                            ));
                        }
                        (Some((lo, true)), Some((hi, true)))
                    }
                    _ => return Err("`mustBeBetween` takes two numbers".into()),
                },
                "mustNotBe" | "mustNotBeBetween" => {
                    return Err(format!(
                        "`{op}` leaves out values in the middle; verdict's bounds are one interval"
                    ))
                }
                _ => continue,
            };
            if (low.is_some() && b.low.is_some()) || (high.is_some() && b.high.is_some()) {
                return Err(format!(
                    "`{op}` bounds a side another comparator already bounds"
                ));
            }
            b.low = b.low.or(low);
            b.high = b.high.or(high);
        }
        if let (Some((lo, lo_open)), Some((hi, hi_open))) = (&b.low, &b.high) {
            if lo.value > hi.value || (lo.value == hi.value && (*lo_open || *hi_open)) {
                return Err("its comparators leave no value that could pass".into());
            }
        }
        Ok(b)
    }

    fn per_cent(&self) -> Bounds {
        Bounds {
            low: self.low.as_ref().map(|(n, o)| (n.per_cent(), *o)),
            high: self.high.as_ref().map(|(n, o)| (n.per_cent(), *o)),
        }
    }

    /// The bounds' YAML entries: `equals`, `min`/`above`, `max`/`below`.
    fn entries(&self) -> Vec<(String, String)> {
        match (&self.low, &self.high) {
            (Some((lo, false)), Some((hi, false))) if lo.text == hi.text => {
                vec![("equals".into(), lo.text.clone())]
            }
            _ => {
                let mut e = Vec::new();
                if let Some((n, open)) = &self.low {
                    e.push((if *open { "above" } else { "min" }.into(), n.text.clone()));
                }
                if let Some((n, open)) = &self.high {
                    e.push((if *open { "below" } else { "max" }.into(), n.text.clone()));
                }
                e
            }
        }
    }

    /// Whether a count within these bounds can only be 0.
    fn only_zero(&self) -> bool {
        let low_ok = match &self.low {
            None => true,
            Some((n, open)) => (n.value < 0.0) || (!open && n.value == 0.0),
        };
        let high_zero = match &self.high {
            None => false,
            Some((n, true)) => n.value <= 1.0 && n.value > 0.0,
            Some((n, false)) => (0.0..1.0).contains(&n.value),
        };
        low_ok && high_zero
    }

    /// Whether a percentage within these bounds can only be 0.
    fn only_zero_percent(&self) -> bool {
        let low_ok = match &self.low {
            None => true,
            Some((n, open)) => n.value < 0.0 || (!open && n.value == 0.0),
        };
        low_ok && matches!(&self.high, Some((n, false)) if n.value == 0.0)
    }

    fn within_percent(&self) -> bool {
        [&self.low, &self.high]
            .into_iter()
            .flatten()
            .all(|(n, _)| (0.0..=100.0).contains(&n.value))
    }

    fn counts(&self) -> bool {
        [&self.low, &self.high]
            .into_iter()
            .flatten()
            .all(|(n, _)| n.value >= 0.0)
    }
}

/// What a rule is measured in.
#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Rows,
    Percent,
}

fn unit(r: &Rule) -> Result<Unit, String> {
    match r.unit.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("rows") | Some("row") => Ok(Unit::Rows),
        Some("percent") | Some("percentage") | Some("%") => Ok(Unit::Percent),
        Some(other) => Err(format!(
            "its unit `{other}` is neither `rows` nor `percent`"
        )),
    }
}

/// A literal of an argument list as SQL writes it; `None` for a null.
fn sql_literal(n: &Node) -> Result<Option<String>, String> {
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
fn yaml_literal(n: &Node) -> Option<String> {
    match &n.kind {
        Kind::Str(s) => Some(scalar(s)),
        Kind::Int(i) => Some(i.to_string()),
        Kind::Float(f) if f.is_finite() => Some(f.to_string()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn list_items(n: Option<&Node>) -> Result<Vec<Node>, String> {
    match n.map(|n| &n.kind) {
        None => Ok(Vec::new()),
        Some(Kind::Seq(items)) => Ok(items.clone()),
        Some(_) => Err("its argument is not a list".into()),
    }
}

/// Tags as a suite accepts them: letters, digits, `_`, `.`, `/`, `-`.
fn tag(t: &str) -> Option<String> {
    let s: String = t
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "_./-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    (!s.is_empty()).then_some(s)
}

/// The suite's type for a property's logical type; `None` where a suite
/// has no type for it (objects, arrays) or the contract gives none.
fn contract_type(p: &Property) -> Option<&'static str> {
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
fn time_bound(s: &str) -> Option<String> {
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
    /// Records a rule that is not checked; returns the suite's comment.
    fn skip(
        &mut self,
        at: Pos,
        what: impl Into<String>,
        why: impl Into<String>,
        kind: &str,
    ) -> String {
        let (what, why) = (what.into(), why.into());
        let note = format!("{what} (line {}): {why}", at.line);
        self.not_checked.push(NotChecked {
            at,
            what,
            why,
            kind: kind.to_string(),
        });
        note
    }

    fn object(&mut self, c: &Contract, o: &Object, place: &Place<'_>) -> Plan {
        let mut plan = Plan {
            name: o.name.clone(),
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

    /// `logicalTypeOptions`: lengths, pattern, enum, value bounds; an
    /// option a suite cannot check is a note.
    fn options(&mut self, o: &Object, p: &Property, plan: &mut Plan) {
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
                    let note = self.skip(
                        v.pos,
                        format!("{key} of {owner}"),
                        "not a whole number",
                        key,
                    );
                    plan.notes.push(note);
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
                    let note = self.skip(v.pos, format!("pattern of {owner}"), why, "pattern");
                    plan.notes.push(note);
                }
                None => {
                    let note =
                        self.skip(v.pos, format!("pattern of {owner}"), "not text", "pattern");
                    plan.notes.push(note);
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
                    let note = self.skip(
                        v.pos,
                        format!("enum of {owner}"),
                        "not a list of values",
                        "enum",
                    );
                    plan.notes.push(note);
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
                let note = self.skip(
                    v.pos,
                    format!("{key} of {owner}"),
                    "a suite has no check for it",
                    key,
                );
                plan.notes.push(note);
            }
        }
    }

    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`: a
    /// per-value `range` for numbers, `min`/`max` bounds for dates and
    /// timestamps (the column's least and greatest value are within them
    /// exactly when every value is).
    fn value_bounds(&mut self, o: &Object, p: &Property, plan: &mut Plan) {
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
                let note = self.skip(
                    second.1.pos,
                    format!("{} of {owner}", second.0),
                    why,
                    second.0,
                );
                plan.notes.push(note);
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
            let note = self.skip(
                ends[0].1.pos,
                format!("bounds of {owner}"),
                "bounds on a time of day are not checked",
                "time bounds",
            );
            plan.notes.push(note);
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
                        let note = self.skip(
                            v.pos,
                            format!("{key} of {owner}"),
                            "not a date or an RFC 3339 time",
                            key,
                        );
                        plan.notes.push(note);
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
                    let note = self.skip(v.pos, format!("{key} of {owner}"), "not a number", key);
                    plan.notes.push(note);
                }
            }
        }
        if !bounds.is_empty() {
            let default = format!("{col}.range");
            let from = format!("logicalTypeOptions {}", from.join(", "));
            plan.push(Some(&col), "range", None, bounds, &default, &none, from);
        }
    }

    fn rule(
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
            let note = self.skip(r.pos, described, why, &k);
            plan.notes.push(note);
        }
    }

    fn sql_rule(
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
            q = q.replace(ph, &super::names::table(&o.name));
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
        let q = super::names::spelled(&q, &self.names);
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

    fn relationship(
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
            let note = self.skip(r.pos, what, why, "relationship");
            plan.notes.push(note);
        }
    }

    /// Freshness (`latency`) and retention of the service levels, on the
    /// column their `element` names.
    fn service_levels(&mut self, c: &Contract, plans: &mut [Plan]) {
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

/// Why a pattern is not one verdict's regex engine runs; `None` when it is.
fn regex_problem(pattern: &str) -> Option<String> {
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
fn operators(r: &Rule) -> String {
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
fn library(
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
    let source = super::names::table(&o.name);
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

/// A foreign key as `references` (a column's, or the table's for a
/// compound key).
fn references(
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
    let none = Meta::default();
    if let [col] = from.as_slice() {
        let options = vec![
            ("source".to_string(), scalar(&target.name)),
            ("column".to_string(), scalar(&to[0])),
        ];
        let default = format!("{col}.references");
        plan.push(
            Some(col),
            "references",
            None,
            options,
            &default,
            &none,
            from_text,
        );
    } else {
        let options = vec![
            ("columns".to_string(), flow_list(&from)),
            ("source".to_string(), scalar(&target.name)),
            ("to".to_string(), flow_list(&to)),
        ];
        let default = format!("references({})", from.join(", "));
        plan.push(
            None,
            "references",
            None,
            options,
            &default,
            &none,
            from_text,
        );
    }
    Ok(())
}

/// One element of a freshness or retention service level as a check;
/// the error names the plan its note belongs to.
fn service_level(
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

fn push_note(plans: &mut [Plan], at: Option<usize>, note: String) {
    if let Some(p) = plans.get_mut(at.unwrap_or(0)) {
        p.notes.push(note);
    }
}

/// A service level's value and unit as a verdict age (`4d`, `6h`).
fn age(s: &Sla) -> Result<String, String> {
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
fn split_ref(r: &str) -> Result<(&str, &str), String> {
    match r.trim().split_once('.') {
        Some((o, p)) if !o.is_empty() && !p.is_empty() && !p.contains('.') => Ok((o, p)),
        _ => Err(format!("`{r}` is not an `object.property` reference")),
    }
}

/// A scalar of the contract as it reads in a comment.
fn show(n: &Node) -> String {
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
fn rows_query(source: &str, pred: &str, unit: Unit) -> String {
    match unit {
        Unit::Rows => format!("select count(*) from {source} where {pred}"),
        Unit::Percent => format!(
            "select 100.0 * sum(case when {pred} then 1 else 0 end) / nullif(count(*), 0) from {source}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(t: &str) -> Number {
        Number {
            text: t.to_string(),
            value: t.parse().unwrap(),
        }
    }

    #[test]
    fn percentages_move_the_point_without_rounding() {
        for (p, f) in [
            ("1", "0.01"),
            ("5", "0.05"),
            ("33.3", "0.333"),
            ("100", "1"),
            ("0", "0"),
            ("0.5", "0.005"),
            ("12.25", "0.1225"),
            ("250", "2.5"),
        ] {
            assert_eq!(num(p).per_cent().text, f, "{p}%");
        }
    }

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
