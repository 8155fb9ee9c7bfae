//! Turns positioned YAML nodes into a validated [`Suite`]. Every problem is
//! collected (not just the first), each with its line and column and, for a
//! misspelt name, the closest valid one. Unknown keys are errors: a typo in
//! a gate must never silently switch the gate off.

use std::collections::BTreeSet;
use std::path::Path;

use super::diag::{suggest, Diagnostic, Pos};
use super::time::TimeExpr;
use super::yaml::{self, Kind, Node};
use super::*;

/// A suite that could not be loaded, with everything wrong in it.
#[derive(Debug)]
pub struct SuiteError {
    pub file: String,
    pub text: String,
    pub diags: Vec<Diagnostic>,
}

impl SuiteError {
    pub fn render(&self) -> String {
        let mut out: String = self
            .diags
            .iter()
            .map(|d| d.render(&self.file, &self.text) + "\n")
            .collect();
        let n = self.diags.len();
        out.push_str(&format!(
            "{}: {n} error{} in the suite; nothing was evaluated\n",
            self.file,
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

const TOP_KEYS: [&str; 3] = ["version", "sources", "checks"];
const FUTURE_SECTIONS: [&str; 4] = ["drift", "diff", "bench", "compare"];
const SOURCE_KEYS: [&str; 3] = ["path", "format", "csv"];
const CSV_KEYS: [&str; 3] = ["delimiter", "header", "quote"];
const BLOCK_KEYS: [&str; 4] = ["schema", "table", "columns", "sql"];
const SCHEMA_KEYS: [&str; 5] = ["columns", "extra_columns", "order", "name", "severity"];
const COLUMN_CONTRACT_KEYS: [&str; 2] = ["type", "nullable"];
const TABLE_CHECKS: [&str; 2] = ["row_count", "unique"];
const COLUMN_CHECKS: [&str; 13] = [
    "null_count",
    "null_rate",
    "nan_rate",
    "min",
    "max",
    "mean",
    "sum",
    "stddev",
    "unique",
    "not_null",
    "in_set",
    "regex",
    "length",
];
const BOUND_KEYS: [&str; 4] = ["min", "max", "between", "equals"];
const META_KEYS: [&str; 2] = ["name", "severity"];
const SQL_KEYS: [&str; 4] = ["name", "query", "expect", "severity"];

/// Loads and validates a suite file.
pub fn load(path: &Path) -> Result<Suite, SuiteError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| SuiteError {
        file: file.clone(),
        text: String::new(),
        diags: vec![Diagnostic::new(
            format!("cannot read the suite: {e}"),
            Pos::default(),
        )],
    })?;
    parse_str(&file, &text)
}

/// Validates suite text; `file` is used in messages only.
pub fn parse_str(file: &str, text: &str) -> Result<Suite, SuiteError> {
    let fail = |diags| SuiteError {
        file: file.to_string(),
        text: text.to_string(),
        diags,
    };
    let root = yaml::parse(text).map_err(fail)?;
    let mut p = Parser::default();
    let suite = p.suite(file, &root);
    if p.diags.is_empty() {
        Ok(suite)
    } else {
        p.diags.sort_by_key(|d| d.pos);
        Err(fail(p.diags))
    }
}

type Entries = [(Node, Node)];

#[derive(Default)]
struct Parser {
    diags: Vec<Diagnostic>,
}

/// Name and severity, which any check may carry.
#[derive(Default)]
struct Meta {
    name: Option<String>,
    severity: Option<Severity>,
}

impl Parser {
    fn err(&mut self, pos: Pos, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(msg, pos));
    }

    fn err_help(&mut self, pos: Pos, msg: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::new(msg, pos).with_help(help));
    }

    fn map<'n>(&mut self, n: &'n Node, what: &str) -> Option<&'n Entries> {
        match &n.kind {
            Kind::Map(m) => Some(m),
            _ => {
                self.err(
                    n.pos,
                    format!("{what} must be a mapping, found {}", n.describe()),
                );
                None
            }
        }
    }

    /// Reports keys not in `allowed`, suggesting the closest one.
    fn known_keys(&mut self, entries: &Entries, allowed: &[&str], context: &str) {
        for (k, _) in entries {
            let key = k.key_text();
            if !allowed.contains(&key.as_str()) {
                self.err_help(
                    k.pos,
                    format!("unknown key `{key}` in {context}"),
                    suggest(&key, allowed),
                );
            }
        }
    }

    fn string(&mut self, n: &Node, what: &str) -> Option<String> {
        match &n.kind {
            Kind::Str(s) => Some(s.clone()),
            _ => {
                self.err(
                    n.pos,
                    format!("{what} must be a string, found {}", n.describe()),
                );
                None
            }
        }
    }

    fn suite(&mut self, file: &str, root: &Node) -> Suite {
        let mut suite = Suite {
            file: file.to_string(),
            sources: Vec::new(),
            checks: Vec::new(),
        };
        let Some(top) = self.map(root, "a suite file") else {
            return suite;
        };
        for (k, _) in top {
            let key = k.key_text();
            if FUTURE_SECTIONS.contains(&key.as_str()) {
                self.err_help(
                    k.pos,
                    format!("`{key}:` sections are not supported by this version of verdict"),
                    "remove the section; verdict refuses to run a suite part of which it would skip",
                );
            } else if !TOP_KEYS.contains(&key.as_str()) {
                self.err_help(
                    k.pos,
                    format!("unknown key `{key}` at the top of the suite"),
                    suggest(&key, &TOP_KEYS),
                );
            }
        }
        match get(top, "version") {
            None => self.err_help(
                root.pos,
                "missing required key `version`",
                "add `version: 1`",
            ),
            Some(v) if v.kind == Kind::Int(1) => {}
            Some(v) => self.err_help(
                v.pos,
                "unsupported suite version",
                "this verdict reads `version: 1`",
            ),
        }
        match get(top, "sources") {
            None => self.err_help(
                root.pos,
                "missing required key `sources`",
                "declare the tables to check, e.g. `sources: { features: { path: data.parquet } }`",
            ),
            Some(n) => suite.sources = self.sources(n),
        }
        match get(top, "checks") {
            None => self.err_help(
                root.pos,
                "missing required key `checks`",
                "a suite that checks nothing cannot pass; add `checks:`",
            ),
            Some(n) => {
                // Names of sources that failed validation still count, so
                // one mistake does not cascade into "unknown source" errors.
                let declared: Vec<String> = match get(top, "sources").map(|s| &s.kind) {
                    Some(Kind::Map(m)) => m.iter().map(|(k, _)| k.key_text()).collect(),
                    _ => Vec::new(),
                };
                suite.checks = self.checks(n, &declared)
            }
        }
        if self.diags.is_empty() && suite.check_count() == 0 {
            let pos = get(top, "checks").map(|n| n.pos).unwrap_or(root.pos);
            self.err(
                pos,
                "the suite declares no checks; a suite that checks nothing cannot pass",
            );
        }
        suite
    }

    fn sources(&mut self, n: &Node) -> Vec<SourceSpec> {
        let Some(entries) = self.map(n, "`sources`") else {
            return Vec::new();
        };
        if entries.is_empty() {
            self.err(n.pos, "`sources` is empty; declare at least one table");
        }
        entries
            .iter()
            .filter_map(|(k, v)| self.source(k.key_text(), v))
            .collect()
    }

    fn source(&mut self, name: String, n: &Node) -> Option<SourceSpec> {
        let what = format!("source `{name}`");
        let entries = self.map(n, &what)?;
        for (k, _) in entries {
            let key = k.key_text();
            if matches!(key.as_str(), "url" | "table" | "query") {
                self.err_help(
                    k.pos,
                    format!(
                        "database sources (`{key}:`) are not supported by this version of verdict"
                    ),
                    "export the table to Parquet and use `path:`",
                );
            } else if !SOURCE_KEYS.contains(&key.as_str()) {
                self.err_help(
                    k.pos,
                    format!("unknown key `{key}` in {what}"),
                    suggest(&key, &SOURCE_KEYS),
                );
            }
        }
        let path = match get(entries, "path") {
            Some(p) => self.string(p, "`path`")?,
            None => {
                self.err_help(
                    n.pos,
                    format!("{what} is missing required key `path`"),
                    "e.g. `path: data/features.parquet` (a file, a directory or a glob)",
                );
                return None;
            }
        };
        let format = match get(entries, "format") {
            None => None,
            Some(f) => {
                let s = self.string(f, "`format`")?;
                match Format::parse(&s) {
                    Some(fmt) => Some(fmt),
                    None => {
                        self.err_help(
                            f.pos,
                            format!("unknown format `{s}`"),
                            suggest(&s, &Format::NAMES),
                        );
                        return None;
                    }
                }
            }
        };
        let csv = match get(entries, "csv") {
            None => CsvOptions::default(),
            Some(c) => self.csv_options(c)?,
        };
        Some(SourceSpec {
            name,
            path,
            format,
            csv,
        })
    }

    fn csv_options(&mut self, n: &Node) -> Option<CsvOptions> {
        let entries = self.map(n, "`csv`")?;
        self.known_keys(entries, &CSV_KEYS, "`csv` options");
        let mut opts = CsvOptions::default();
        if let Some(d) = get(entries, "delimiter") {
            opts.delimiter = Some(self.single_byte(d, "`delimiter`")?);
        }
        if let Some(q) = get(entries, "quote") {
            opts.quote = self.single_byte(q, "`quote`")?;
        }
        if let Some(h) = get(entries, "header") {
            match h.kind {
                Kind::Bool(b) => opts.header = b,
                _ => {
                    self.err(
                        h.pos,
                        format!("`header` must be true or false, found {}", h.describe()),
                    );
                    return None;
                }
            }
        }
        Some(opts)
    }

    fn single_byte(&mut self, n: &Node, what: &str) -> Option<u8> {
        let s = self.string(n, what)?;
        let s = if s == "\\t" { "\t".to_string() } else { s };
        if s.len() == 1 && s.is_ascii() {
            Some(s.as_bytes()[0])
        } else {
            self.err(
                n.pos,
                format!("{what} must be a single ASCII character, found {s:?}"),
            );
            None
        }
    }

    fn checks(&mut self, n: &Node, declared: &[String]) -> Vec<SourceChecks> {
        let Some(entries) = self.map(n, "`checks`") else {
            return Vec::new();
        };
        let names: Vec<&str> = declared.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        for (k, v) in entries {
            let source = k.key_text();
            if !names.contains(&source.as_str()) {
                self.err_help(
                    k.pos,
                    format!("checks for unknown source `{source}`"),
                    suggest(&source, &names),
                );
                continue;
            }
            let checks = self.block(&source, v);
            self.no_duplicate_names(&source, &checks);
            out.push(SourceChecks { source, checks });
        }
        out
    }

    fn no_duplicate_names(&mut self, source: &str, checks: &[Check]) {
        let mut seen = BTreeSet::new();
        for c in checks {
            if !seen.insert(c.name.as_str()) {
                self.err_help(
                    c.pos,
                    format!("duplicate check name `{}` in source `{source}`", c.name),
                    "give one of them a distinct `name:`",
                );
            }
        }
    }

    fn block(&mut self, source: &str, n: &Node) -> Vec<Check> {
        let what = format!("the checks of `{source}`");
        let Some(entries) = self.map(n, &what) else {
            return Vec::new();
        };
        self.known_keys(entries, &BLOCK_KEYS, &what);
        let mut out = Vec::new();
        if let Some((k, s)) = entries.iter().find(|(k, _)| k.key_text() == "schema") {
            out.extend(self.schema(k.pos, s));
        }
        if let Some(t) = get(entries, "table") {
            for item in self.list(t) {
                out.extend(self.table_check(item));
            }
        }
        if let Some(c) = get(entries, "columns") {
            if let Some(cols) = self.map(c, "`columns`") {
                for (col, items) in cols {
                    let column = col.key_text();
                    for item in self.list(items) {
                        out.extend(self.column_check(&column, item));
                    }
                }
            }
        }
        if let Some(s) = get(entries, "sql") {
            for item in self.list(s) {
                out.extend(self.sql_check(item));
            }
        }
        out
    }

    /// A list, or a single item standing for a list of one.
    fn list<'n>(&mut self, n: &'n Node) -> Vec<&'n Node> {
        match &n.kind {
            Kind::Seq(items) => items.iter().collect(),
            Kind::Null => {
                self.err(n.pos, "expected a list of checks, found nothing");
                Vec::new()
            }
            _ => vec![n],
        }
    }

    fn schema(&mut self, pos: Pos, n: &Node) -> Option<Check> {
        let entries = self.map(n, "`schema`")?;
        self.known_keys(entries, &SCHEMA_KEYS, "`schema`");
        let meta = self.meta(entries);
        let mut columns = Vec::new();
        match get(entries, "columns") {
            None => self.err_help(
                n.pos,
                "`schema` is missing required key `columns`",
                "list the expected columns, e.g. `columns: { id: { type: int64, nullable: false } }`",
            ),
            Some(c) => {
                for (k, v) in self.map(c, "`schema.columns`").unwrap_or(&[]) {
                    columns.extend(self.column_contract(k.key_text(), v));
                }
            }
        }
        let extra_columns = match self.choice(entries, "extra_columns", &["allow", "forbid"])? {
            Some("forbid") => ExtraColumns::Forbid,
            _ => ExtraColumns::Allow,
        };
        let order = match self.choice(entries, "order", &["any", "strict"])? {
            Some("strict") => Order::Strict,
            _ => Order::Any,
        };
        Some(Check {
            name: meta.name.unwrap_or_else(|| "schema".into()),
            severity: meta.severity.unwrap_or(Severity::Error),
            kind: CheckKind::Schema(SchemaContract {
                columns,
                extra_columns,
                order,
            }),
            pos,
        })
    }

    /// An optional key whose value is one of a few words.
    fn choice(
        &mut self,
        entries: &Entries,
        key: &str,
        options: &[&'static str],
    ) -> Option<Option<&'static str>> {
        let Some(n) = get(entries, key) else {
            return Some(None);
        };
        let s = self.string(n, &format!("`{key}`"))?;
        match options.iter().find(|o| **o == s) {
            Some(o) => Some(Some(*o)),
            None => {
                self.err_help(
                    n.pos,
                    format!(
                        "`{key}` must be one of {}; found `{s}`",
                        options.join(" | ")
                    ),
                    suggest(&s, options),
                );
                None
            }
        }
    }

    fn column_contract(&mut self, name: String, n: &Node) -> Option<ColumnContract> {
        let (ty_node, nullable) = match &n.kind {
            Kind::Str(_) => (Some(n), None),
            Kind::Null => (None, None),
            Kind::Map(entries) => {
                self.known_keys(entries, &COLUMN_CONTRACT_KEYS, &format!("column `{name}`"));
                let nullable = match get(entries, "nullable") {
                    None => None,
                    Some(b) => match b.kind {
                        Kind::Bool(b) => Some(b),
                        _ => {
                            self.err(
                                b.pos,
                                format!("`nullable` must be true or false, found {}", b.describe()),
                            );
                            return None;
                        }
                    },
                };
                (get(entries, "type"), nullable)
            }
            _ => {
                self.err(
                    n.pos,
                    format!(
                        "column `{name}` must be a type name or a mapping with `type` and `nullable`, found {}",
                        n.describe()
                    ),
                );
                return None;
            }
        };
        let ty = match ty_node {
            None => None,
            Some(t) => {
                let s = self.string(t, "`type`")?;
                match TypeSpec::parse(&s) {
                    Some(ty) => Some(ty),
                    None => {
                        self.err_help(
                            t.pos,
                            format!("unknown type `{s}` for column `{name}`"),
                            suggest(&s, &crate::types::TYPE_NAMES),
                        );
                        return None;
                    }
                }
            }
        };
        Some(ColumnContract { name, ty, nullable })
    }

    /// Splits a check item into its keyword, its options node and the
    /// sibling keys (`name`, `severity` may sit beside the keyword).
    fn item<'n>(&mut self, n: &'n Node) -> Option<(&'n Node, String, Option<&'n Node>, Meta)> {
        match &n.kind {
            Kind::Str(s) => Some((n, s.clone(), None, Meta::default())),
            Kind::Map(entries) => {
                let keys: Vec<&(Node, Node)> = entries
                    .iter()
                    .filter(|(k, _)| !META_KEYS.contains(&k.key_text().as_str()))
                    .collect();
                match keys.as_slice() {
                    [(k, v)] => {
                        let meta = self.meta(entries);
                        Some((k, k.key_text(), Some(v), meta))
                    }
                    [] => {
                        self.err(
                            n.pos,
                            "a check item needs a check such as `null_rate: { max: 0.01 }`",
                        );
                        None
                    }
                    [_, (k2, _), ..] => {
                        self.err_help(
                            k2.pos,
                            format!(
                                "one check per list item; `{}` starts a second one",
                                k2.key_text()
                            ),
                            "start each check with its own `- `",
                        );
                        None
                    }
                }
            }
            _ => {
                self.err(
                    n.pos,
                    format!(
                        "a check must be a name or a mapping, found {}",
                        n.describe()
                    ),
                );
                None
            }
        }
    }

    fn meta(&mut self, entries: &Entries) -> Meta {
        let mut m = Meta::default();
        if let Some(n) = get(entries, "name") {
            m.name = self.string(n, "`name`");
        }
        if let Some(n) = get(entries, "severity") {
            if let Some(s) = self.string(n, "`severity`") {
                m.severity = match s.as_str() {
                    "error" => Some(Severity::Error),
                    "warn" => Some(Severity::Warn),
                    _ => {
                        self.err_help(
                            n.pos,
                            format!("`severity` must be `error` or `warn`; found `{s}`"),
                            suggest(&s, &["error", "warn"]),
                        );
                        None
                    }
                };
            }
        }
        m
    }

    /// Options of a check: a mapping whose keys are `allowed` plus name and
    /// severity; merged with sibling meta.
    fn options<'n>(
        &mut self,
        kw: &str,
        n: Option<&'n Node>,
        allowed: &[&str],
        meta: &mut Meta,
    ) -> Option<&'n Entries> {
        let Some(n) = n else { return Some(&[]) };
        if n.kind == Kind::Null {
            return Some(&[]);
        }
        let entries = self.map(n, &format!("the options of `{kw}`"))?;
        let all: Vec<&str> = allowed.iter().chain(META_KEYS.iter()).copied().collect();
        self.known_keys(entries, &all, &format!("`{kw}`"));
        let inner = self.meta(entries);
        meta.name = meta.name.take().or(inner.name);
        meta.severity = meta.severity.take().or(inner.severity);
        Some(entries)
    }

    fn finish(&self, meta: Meta, default_name: String, kind: CheckKind, pos: Pos) -> Check {
        Check {
            name: meta.name.unwrap_or(default_name),
            severity: meta.severity.unwrap_or(Severity::Error),
            kind,
            pos,
        }
    }

    fn table_check(&mut self, n: &Node) -> Option<Check> {
        let (k, kw, value, mut meta) = self.item(n)?;
        match kw.as_str() {
            "row_count" => {
                let opts = self.options(&kw, value, &BOUND_KEYS, &mut meta)?;
                let bounds = self.bounds(&kw, k.pos, opts, BoundKind::Count)?;
                Some(self.finish(meta, kw.clone(), CheckKind::RowCount(bounds), k.pos))
            }
            "unique" => {
                let columns = match value.map(|v| &v.kind) {
                    Some(Kind::Seq(_)) => self.column_list(value?)?,
                    _ => {
                        let opts = self.options(&kw, value, &["columns"], &mut meta)?;
                        match get(opts, "columns") {
                            Some(c) => self.column_list(c)?,
                            None => {
                                self.err_help(
                                    k.pos,
                                    "table-level `unique` needs the key columns",
                                    "e.g. `- unique: [customer_id, day]`",
                                );
                                return None;
                            }
                        }
                    }
                };
                let name = format!("unique({})", columns.join(", "));
                Some(self.finish(meta, name, CheckKind::Unique { columns }, k.pos))
            }
            other if COLUMN_CHECKS.contains(&other) => {
                self.err_help(
                    k.pos,
                    format!("`{other}` is a column check, not a table check"),
                    format!(
                        "put it under `columns:`, e.g. `columns: {{ my_column: [ {other}: … ] }}`"
                    ),
                );
                None
            }
            other => {
                self.err_help(
                    k.pos,
                    format!("unknown table check `{other}`"),
                    suggest(other, &TABLE_CHECKS),
                );
                None
            }
        }
    }

    fn column_list(&mut self, n: &Node) -> Option<Vec<String>> {
        let Kind::Seq(items) = &n.kind else {
            self.err(
                n.pos,
                format!("expected a list of column names, found {}", n.describe()),
            );
            return None;
        };
        if items.is_empty() {
            self.err(n.pos, "the list of key columns is empty");
            return None;
        }
        items
            .iter()
            .map(|i| {
                Some(i.key_text()).filter(|s| !s.is_empty()).or_else(|| {
                    self.err(i.pos, "a column name must be a string");
                    None
                })
            })
            .collect()
    }

    fn column_check(&mut self, column: &str, n: &Node) -> Option<Check> {
        let (k, kw, value, mut meta) = self.item(n)?;
        let pos = k.pos;
        let default_name = format!("{column}.{kw}");
        let column = column.to_string();
        let kind = match kw.as_str() {
            "unique" | "not_null" => {
                self.options(&kw, value, &[], &mut meta)?;
                if kw == "unique" {
                    CheckKind::Unique {
                        columns: vec![column],
                    }
                } else {
                    CheckKind::NotNull { column }
                }
            }
            "in_set" => {
                let values = match value.map(|v| &v.kind) {
                    Some(Kind::Seq(_)) => self.literals(value?)?,
                    _ => {
                        let opts = self.options(&kw, value, &["values"], &mut meta)?;
                        match get(opts, "values") {
                            Some(v) => self.literals(v)?,
                            None => {
                                self.err_help(
                                    pos,
                                    "`in_set` needs the allowed values",
                                    "e.g. `- in_set: [a, b, c]`",
                                );
                                return None;
                            }
                        }
                    }
                };
                CheckKind::InSet { column, values }
            }
            "regex" => {
                let pattern = match value.map(|v| &v.kind) {
                    Some(Kind::Str(s)) => s.clone(),
                    _ => {
                        let opts = self.options(&kw, value, &["pattern"], &mut meta)?;
                        match get(opts, "pattern") {
                            Some(p) => self.string(p, "`pattern`")?,
                            None => {
                                self.err_help(
                                    pos,
                                    "`regex` needs a pattern",
                                    "e.g. `- regex: '^[A-Z]{3}$'`",
                                );
                                return None;
                            }
                        }
                    }
                };
                if let Err(e) = regex::Regex::new(&pattern) {
                    let at = value.map(|v| v.pos).unwrap_or(pos);
                    self.err(
                        at,
                        format!("invalid regex {pattern:?}: {}", regex_reason(&e)),
                    );
                    return None;
                }
                CheckKind::Regex { column, pattern }
            }
            "length" => {
                let opts = self.options(&kw, value, &BOUND_KEYS, &mut meta)?;
                let bounds = self.bounds(&kw, pos, opts, BoundKind::Count)?;
                CheckKind::Length { column, bounds }
            }
            other => {
                match ColumnMetric::ALL.iter().find(|m| m.keyword() == other) {
                    Some(&metric) => {
                        if value.is_none() {
                            self.err_help(
                            pos,
                            format!("`{other}` needs a bound"),
                            format!("e.g. `- {other}: {{ max: … }}` (keys: min, max, between, equals)"),
                        );
                            return None;
                        }
                        let opts = self.options(&kw, value, &BOUND_KEYS, &mut meta)?;
                        let bk = if metric.is_rate() {
                            BoundKind::Rate
                        } else if metric.takes_time() {
                            BoundKind::NumberOrTime
                        } else if metric == ColumnMetric::NullCount {
                            BoundKind::Count
                        } else {
                            BoundKind::Number
                        };
                        let bounds = self.bounds(&kw, pos, opts, bk)?;
                        CheckKind::Metric {
                            column,
                            metric,
                            bounds,
                        }
                    }
                    None => {
                        let help = if TABLE_CHECKS.contains(&other) {
                            format!("`{other}` is a table check; put it under `table:`")
                        } else {
                            suggest(other, &COLUMN_CHECKS)
                        };
                        self.err_help(pos, format!("unknown check `{other}`"), help);
                        return None;
                    }
                }
            }
        };
        Some(self.finish(meta, default_name, kind, pos))
    }

    fn literals(&mut self, n: &Node) -> Option<Vec<Lit>> {
        let Kind::Seq(items) = &n.kind else {
            self.err(
                n.pos,
                format!("`in_set` values must be a list, found {}", n.describe()),
            );
            return None;
        };
        if items.is_empty() {
            self.err(
                n.pos,
                "`in_set` with no values would fail every non-null row; list the allowed values",
            );
            return None;
        }
        items
            .iter()
            .map(|i| match &i.kind {
                Kind::Bool(b) => Some(Lit::Bool(*b)),
                Kind::Int(x) => Some(Lit::Int(*x)),
                Kind::Float(x) => Some(Lit::Float(*x)),
                Kind::Str(s) => Some(Lit::Str(s.clone())),
                _ => {
                    self.err(
                        i.pos,
                        format!("an allowed value must be a scalar, found {}", i.describe()),
                    );
                    None
                }
            })
            .collect()
    }

    fn sql_check(&mut self, n: &Node) -> Option<Check> {
        let entries = self.map(n, "an `sql` check")?;
        self.known_keys(entries, &SQL_KEYS, "an `sql` check");
        let meta = self.meta(entries);
        let query = match get(entries, "query") {
            Some(q) => self.string(q, "`query`")?,
            None => {
                self.err(n.pos, "`sql` check is missing required key `query`");
                return None;
            }
        };
        if meta.name.is_none() {
            self.err_help(
                n.pos,
                "`sql` check is missing required key `name`",
                "name it after what it guards, e.g. `name: no_negative_qty`",
            );
            return None;
        }
        let bounds = match get(entries, "expect") {
            Some(e) => {
                let opts = self.map(e, "`expect`")?;
                self.known_keys(opts, &BOUND_KEYS, "`expect`");
                self.bounds("expect", e.pos, opts, BoundKind::Number)?
            }
            None => {
                self.err_help(
                    n.pos,
                    "`sql` check is missing required key `expect`",
                    "e.g. `expect: { max: 0 }`",
                );
                return None;
            }
        };
        Some(self.finish(meta, String::new(), CheckKind::Sql { query, bounds }, n.pos))
    }

    fn bounds(&mut self, kw: &str, pos: Pos, entries: &Entries, kind: BoundKind) -> Option<Bounds> {
        let mut b = Bounds::default();
        let mut ok = true;
        for key in ["min", "max"] {
            if let Some(n) = get(entries, key) {
                match self.bound(kw, key, n, kind) {
                    Some(v) if key == "min" => b.min = Some(v),
                    Some(v) => b.max = Some(v),
                    None => ok = false,
                }
            }
        }
        if let Some(n) = get(entries, "equals") {
            if b.min.is_some() || b.max.is_some() {
                self.err(n.pos, "`equals` cannot be combined with `min` or `max`");
                return None;
            }
            let v = self.bound(kw, "equals", n, kind)?;
            b.min = Some(v.clone());
            b.max = Some(v);
        }
        if let Some(n) = get(entries, "between") {
            if b.min.is_some() || b.max.is_some() {
                self.err(
                    n.pos,
                    "`between` cannot be combined with `min`, `max` or `equals`",
                );
                return None;
            }
            match &n.kind {
                Kind::Seq(pair) if pair.len() == 2 => {
                    let lo = self.bound(kw, "between", &pair[0], kind);
                    let hi = self.bound(kw, "between", &pair[1], kind);
                    b.min = Some(lo?);
                    b.max = Some(hi?);
                }
                _ => {
                    self.err_help(
                        n.pos,
                        "`between` takes two values",
                        "e.g. `between: [10, 20]`",
                    );
                    return None;
                }
            }
        }
        if !ok {
            return None;
        }
        if b.min.is_none() && b.max.is_none() {
            self.err_help(
                pos,
                format!("`{kw}` needs a bound"),
                "add `min`, `max`, `between` or `equals`",
            );
            return None;
        }
        if let (Some(Bound::Num(lo)), Some(Bound::Num(hi))) = (&b.min, &b.max) {
            if lo.as_f64() > hi.as_f64() {
                let at = get(entries, "between")
                    .or(get(entries, "min"))
                    .map(|n| n.pos)
                    .unwrap_or(pos);
                self.err(
                    at,
                    format!(
                        "the low bound {} is above the high bound {}; no value could pass",
                        fmt_num(*lo),
                        fmt_num(*hi)
                    ),
                );
                return None;
            }
        }
        Some(b)
    }

    fn bound(&mut self, kw: &str, key: &str, n: &Node, kind: BoundKind) -> Option<Bound> {
        let num = match &n.kind {
            Kind::Int(i) => Some(Number::Int(*i as i128)),
            Kind::Float(f) if f.is_finite() => Some(Number::Float(*f)),
            Kind::Float(_) => {
                self.err(n.pos, format!("`{key}` must be a finite number"));
                return None;
            }
            _ => None,
        };
        if let Some(num) = num {
            if kind == BoundKind::Rate && !(0.0..=1.0).contains(&num.as_f64()) {
                self.err_help(
                    n.pos,
                    format!(
                        "`{kw}` is a fraction from 0 to 1; {} is outside that range",
                        fmt_num(num)
                    ),
                    if kw == "null_rate" {
                        "for a number of nulls use `null_count`"
                    } else {
                        "write e.g. 0.05 for 5%"
                    },
                );
                return None;
            }
            if kind == BoundKind::Count && num.as_f64() < 0.0 {
                self.err(
                    n.pos,
                    format!(
                        "`{kw}` counts things; a negative bound ({}) makes no sense",
                        fmt_num(num)
                    ),
                );
                return None;
            }
            return Some(Bound::Num(num));
        }
        if let (Kind::Str(s), BoundKind::NumberOrTime) = (&n.kind, kind) {
            if let Some(t) = TimeExpr::parse(s) {
                return Some(Bound::Time(t));
            }
            self.err_help(
                n.pos,
                format!("`{key}` of `{kw}` must be a number or a time; found the string {s:?}"),
                "times are written `now`, `now - 2d`, `2026-01-01` or `2026-01-01T00:00:00Z`",
            );
            return None;
        }
        self.err(
            n.pos,
            format!(
                "`{key}` of `{kw}` must be a number, found {}{}",
                n.describe(),
                match &n.kind {
                    Kind::Str(s) => format!(" {s:?}"),
                    _ => String::new(),
                }
            ),
        );
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum BoundKind {
    Number,
    NumberOrTime,
    Rate,
    Count,
}

fn get<'n>(entries: &'n Entries, key: &str) -> Option<&'n Node> {
    entries
        .iter()
        .find(|(k, _)| k.key_text() == key)
        .map(|(_, v)| v)
}

/// The regex crate's message without its ASCII-art pointer lines.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or(""))
        .trim()
        .to_string()
}

pub fn fmt_num(n: Number) -> String {
    match n {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
    }
}
