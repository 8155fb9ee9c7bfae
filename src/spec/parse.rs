//! Turns positioned YAML nodes into a validated [`Suite`]. Every problem is
//! collected (not just the first), each with its line and column and, for a
//! misspelt name, the closest valid one. Unknown keys are errors: a typo in
//! a gate must never silently switch the gate off.

use crate::report::format::count;
use std::collections::BTreeSet;
use std::path::Path;

use super::diag::{suggest, Diagnostic, Pos};
use super::parser::{get, Entries, Parser};
use super::storage::{Cloud, SCHEMES};
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
            "{}: {} in the suite; nothing was evaluated\n",
            self.file,
            count(n, "error")
        ));
        out
    }
}

pub(crate) const TOP_KEYS: [&str; 9] = [
    "version", "sources", "checks", "diff", "bench", "drift", "compare", "notify", "engine",
];
pub(crate) const SOURCE_KEYS: [&str; 12] = [
    "path",
    "format",
    "csv",
    "storage",
    "url",
    "table",
    "query",
    "where",
    "tags",
    "key",
    "sample_columns",
    "exclude_columns",
];
pub(crate) const CSV_KEYS: [&str; 3] = ["delimiter", "header", "quote"];
pub(crate) const BLOCK_KEYS: [&str; 4] = ["schema", "table", "columns", "sql"];
pub(crate) const SCHEMA_KEYS: [&str; 6] = [
    "columns",
    "extra_columns",
    "order",
    "name",
    "severity",
    "tags",
];
pub(crate) const COLUMN_CONTRACT_KEYS: [&str; 2] = ["type", "nullable"];
pub(crate) const TABLE_CHECKS: [&str; 5] = [
    "row_count",
    "unique",
    "freshness",
    "expression",
    "references",
];
pub(crate) const COLUMN_CHECKS: [&str; 23] = [
    "null_count",
    "null_rate",
    "nan_rate",
    "min",
    "max",
    "mean",
    "sum",
    "stddev",
    "distinct_count",
    "unique_rate",
    "unique",
    "not_null",
    "in_set",
    "regex",
    "not_in_set",
    "not_regex",
    "length",
    "range",
    "freshness",
    "references",
    "median",
    "quantile",
    "distinct_values",
];
pub(crate) const BOUND_KEYS: [&str; 6] = ["min", "max", "above", "below", "between", "equals"];
pub(crate) const META_KEYS: [&str; 5] = ["name", "severity", "mostly", "where", "tags"];
pub(crate) const SQL_KEYS: [&str; 5] = ["name", "query", "expect", "severity", "tags"];

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

impl Parser {
    fn suite(&mut self, file: &str, root: &Node) -> Suite {
        let mut suite = Suite {
            file: file.to_string(),
            sources: Vec::new(),
            checks: Vec::new(),
            diff: None,
            bench: None,
            drift: Vec::new(),
            notify: Vec::new(),
            compare: None,
            engine: None,
        };
        let Some(top) = self.map(root, "a suite file") else {
            return suite;
        };
        if let Some(version) = data_contract(top) {
            self.err_help(
                root.pos,
                format!("{file} is an Open Data Contract ({version}), not a verdict suite"),
                format!("convert it once, review the suite, and run that: `verdict import odcs {file} > suite.yml`"),
            );
            return suite;
        }
        for (k, _) in top {
            let key = k.key_text();
            if !TOP_KEYS.contains(&key.as_str()) {
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
            Some(v) if matches!(&v.kind, Kind::Str(s) if s.trim().parse::<i64>().is_ok()) => self
                .err_help(
                    v.pos,
                    format!(
                        "`version` is a number, found the string {:?}",
                        match &v.kind {
                            Kind::Str(s) => s.as_str(),
                            _ => "",
                        }
                    ),
                    "write `version: 1`, without quotes",
                ),
            Some(v) => self.err_help(
                v.pos,
                "unsupported suite version",
                "this verdict reads `version: 1`",
            ),
        }
        // A suite that only benches the models reads no table of its own.
        let bench_only = get(top, "bench").is_some()
            && ["checks", "diff", "drift", "compare"]
                .iter()
                .all(|k| get(top, k).is_none());
        match get(top, "sources") {
            None if bench_only => {}
            None => self.err_help(
                root.pos,
                "missing required key `sources`",
                "declare the tables to check, e.g. `sources: { features: { path: data.parquet } }`",
            ),
            Some(n) => suite.sources = self.sources(n),
        }
        // Names of sources that failed validation still count, so one
        // mistake does not cascade into "unknown source" errors.
        let declared: Vec<String> = match get(top, "sources").map(|s| &s.kind) {
            Some(Kind::Map(m)) => m.iter().map(|(k, _)| k.key_text()).collect(),
            _ => Vec::new(),
        };
        if let Some(n) = get(top, "checks") {
            suite.checks = self.checks(n, &declared);
        }
        if let Some(n) = get(top, "diff") {
            suite.diff = self.diff(n, &declared);
        }
        if let Some(n) = get(top, "bench") {
            suite.bench = self.bench(n);
        }
        if let Some(n) = get(top, "drift") {
            suite.drift = self.drift(n, &declared);
        }
        if let Some(n) = get(top, "compare") {
            suite.compare = self.compare(n, &declared);
        }
        if let Some(n) = get(top, "notify") {
            suite.notify = self.notify(n);
        }
        if let Some(n) = get(top, "engine") {
            suite.engine = self.engine(n);
        }
        let sections = ["checks", "diff", "bench", "drift", "compare"];
        if !sections.iter().any(|s| get(top, s).is_some()) {
            self.err_help(
                root.pos,
                "the suite has nothing to evaluate",
                "add `checks:` (and/or `diff:`, `bench:`, `drift:`, `compare:`); a suite that checks nothing cannot pass",
            );
        } else if self.diags.is_empty()
            && suite.check_count() == 0
            && suite.diff.is_none()
            && suite.bench.as_ref().is_some_and(|b| !b.has_gates())
            && suite.drift.is_empty()
            && suite.compare.is_none()
        {
            let pos = get(top, "bench").map_or(root.pos, |n| n.pos);
            self.err_help(
                pos,
                "the suite only measures: its `bench` has no gate, so nothing can pass or fail",
                match suite.bench {
                    Some(Bench::Endpoint(_)) => "add a gate, e.g. `p99_ms: 100`, `max_error_rate: 0.001` or `max_slowdown: 1.2`",
                    _ => "add `max_slowdown: 1.10` (the candidate may be at most 10% slower)",
                },
            );
        } else if self.diags.is_empty()
            && suite.check_count() == 0
            && suite.diff.is_none()
            && suite.bench.is_none()
            && suite.drift.is_empty()
            && suite.compare.is_none()
        {
            let pos = get(top, "checks").map(|n| n.pos).unwrap_or(root.pos);
            self.err(
                pos,
                "the suite declares no checks; a suite that checks nothing cannot pass",
            );
        }
        suite
    }

    /// `engine: df://host:port` (a Ballista cluster) or `embedded`.
    fn engine(&mut self, n: &Node) -> Option<super::engine::Engine> {
        let text = self.string(n, "`engine`")?;
        match super::engine::Engine::parse(&text) {
            Ok(e) => Some(e),
            Err(e) if crate::features::is_missing(&e) => {
                self.err(n.pos, format!("`engine`: {e}"));
                None
            }
            Err(e) => {
                self.err_help(
                    n.pos,
                    format!("`engine`: {e}"),
                    "or `embedded`, the default",
                );
                None
            }
        }
    }

    fn sources(&mut self, n: &Node) -> Vec<SourceSpec> {
        let Some(entries) = self.map(n, "`sources`") else {
            return Vec::new();
        };
        if entries.is_empty() {
            self.err(n.pos, "`sources` is empty; declare at least one table");
        }
        // SQL folds unquoted names to lower case, so `B` and `b` would be
        // one table to the engine and to every `sql:` check.
        let mut folded: Vec<(String, String)> = Vec::new();
        for (k, _) in entries {
            let name = k.key_text();
            // The engine reads `a.b` as table `b` of schema `a`.
            if name.contains('.') {
                self.err_help(
                    k.pos,
                    format!("source name `{name}` has a dot; SQL would read it as table `{}` of schema `{}`", name.rsplit('.').next().unwrap_or(""), name.split('.').next().unwrap_or("")),
                    format!("name it without a dot, e.g. `{}`", name.replace('.', "_")),
                );
            }
            let lower = name.to_lowercase();
            match folded.iter().find(|(l, _)| *l == lower) {
                Some((_, first)) => {
                    let first = first.clone();
                    self.err_help(
                        k.pos,
                        format!("sources `{first}` and `{name}` differ only in case"),
                        "SQL does not tell them apart; give them names that differ in letters",
                    );
                }
                None => folded.push((lower, name)),
            }
        }
        entries
            .iter()
            .filter_map(|(k, v)| self.source(k.key_text(), v))
            .collect()
    }

    fn source(&mut self, name: String, n: &Node) -> Option<SourceSpec> {
        let what = format!("source `{name}`");
        let entries = self.map(n, &what)?;
        self.known_keys(entries, &SOURCE_KEYS, &what);
        let filter = get(entries, "where").and_then(|w| self.filter(w));
        let tags = get(entries, "tags")
            .map(|t| self.tags(t))
            .unwrap_or_default();
        let mut spec = match get(entries, "url") {
            Some(u) => self.database_source(name, &what, n, entries, u)?,
            None => self.file_source(name, &what, n, entries)?,
        };
        spec.filter = filter;
        spec.tags = tags;
        for (key, into) in [
            ("key", &mut spec.key),
            ("sample_columns", &mut spec.sample_columns),
            ("exclude_columns", &mut spec.exclude_columns),
        ] {
            if let Some(n) = get(entries, key) {
                *into = match &n.kind {
                    Kind::Str(s) => vec![s.clone()],
                    _ => self.column_list(n)?,
                };
            }
        }
        Some(spec)
    }

    /// `where:`: one boolean SQL expression, checked here for what can be
    /// told without the source (a statement, a subquery, an aggregate);
    /// its columns and type are checked against the source's schema at
    /// run time.
    pub(super) fn filter(&mut self, n: &Node) -> Option<Filter> {
        let sql = self.string(n, "`where`")?;
        if let Some(why) = crate::spec::sql::filter_problem(&sql, "`where`") {
            self.err_help(
                n.pos,
                format!("`where`: {why}"),
                "e.g. `where: \"ds = '2026-11-03'\"` or `where: \"event_time >= now() - interval '1 day'\"`",
            );
            return None;
        }
        Some(Filter { sql, pos: n.pos })
    }

    /// `tags: [critical, pii]` (or one tag): words `--select tag:…` picks.
    pub(super) fn tags(&mut self, n: &Node) -> Vec<String> {
        let items: Vec<&Node> = match &n.kind {
            Kind::Seq(items) => items.iter().collect(),
            _ => vec![n],
        };
        let mut out = Vec::new();
        for item in items {
            let Some(tag) = self.string(item, "a tag") else {
                continue;
            };
            if let Some(why) = crate::spec::select::tag_problem(&tag) {
                self.err_help(item.pos, why, "e.g. `tags: [critical, pii]`");
                continue;
            }
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
        out
    }

    /// `path:` with its file options.
    fn file_source(
        &mut self,
        name: String,
        what: &str,
        n: &Node,
        entries: &[(Node, Node)],
    ) -> Option<SourceSpec> {
        for key in ["table", "query"] {
            if let Some(k) = entries.iter().find(|(k, _)| k.key_text() == key) {
                self.err_help(
                    k.0.pos,
                    format!("`{key}:` in {what} needs `url:`"),
                    "e.g. `url: postgres://${PG_USER}@db:5432/shop` with `table: public.orders`",
                );
                return None;
            }
        }
        let path = match get(entries, "path") {
            Some(p) => {
                let path = self.string(p, "`path`")?;
                if let Some(why) = location_problem(&path) {
                    self.err(p.pos, format!("the `path` of {what}: {why}"));
                    return None;
                }
                path
            }
            None => {
                self.err_help(
                    n.pos,
                    format!("{what} is missing required key `path`"),
                    "e.g. `path: data/features.parquet` (a file, a directory or a glob), or `url:` with `table:` for a database",
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
        let storage = match get(entries, "storage") {
            None => Storage::default(),
            Some(st) => match Cloud::of(&path) {
                Some(cloud) => self.storage(cloud, st, what)?,
                None => {
                    self.err_help(
                        st.pos,
                        format!("{what} has `storage:` but its `path` is local"),
                        format!("`storage:` configures an object store: give `path:` as a URL ({SCHEMES})"),
                    );
                    return None;
                }
            },
        };
        Some(SourceSpec {
            name,
            path,
            format,
            csv,
            database: None,
            storage,
            filter: None,
            tags: Vec::new(),
            key: Vec::new(),
            sample_columns: Vec::new(),
            exclude_columns: Vec::new(),
        })
    }

    /// `storage:` options for an object store: object_store's keys, each a
    /// string, number or boolean. Values are not quoted in any message.
    fn storage(&mut self, cloud: Cloud, n: &Node, what: &str) -> Option<Storage> {
        let entries = self.map(n, &format!("`storage` of {what}"))?;
        let mut out = Vec::new();
        for (k, v) in entries {
            let key = k.key_text();
            if let Some(why) = cloud.option_problem(&key) {
                self.err(k.pos, why);
                continue;
            }
            let value = match &v.kind {
                Kind::Str(s) => s.clone(),
                Kind::Bool(b) => b.to_string(),
                Kind::Int(i) => i.to_string(),
                Kind::Float(f) => f.to_string(),
                _ => {
                    self.err(
                        v.pos,
                        format!(
                            "storage option `{key}` must be a string, number or boolean, found {}",
                            v.describe()
                        ),
                    );
                    continue;
                }
            };
            out.push((key, value));
        }
        Some(Storage(out))
    }

    /// `url:` with exactly one of `table:` and `query:`; file options do not
    /// apply.
    fn database_source(
        &mut self,
        name: String,
        what: &str,
        n: &Node,
        entries: &[(Node, Node)],
        u: &Node,
    ) -> Option<SourceSpec> {
        for key in ["path", "format", "csv", "storage"] {
            if let Some((k, _)) = entries.iter().find(|(k, _)| k.key_text() == key) {
                self.err_help(
                    k.pos,
                    format!("{what} has both `url:` and `{key}:`"),
                    "a source is either a file (`path:`) or a database table (`url:` with `table:` or `query:`)",
                );
                return None;
            }
        }
        let url = self.string(u, "`url`")?;
        let object = match (get(entries, "table"), get(entries, "query")) {
            (Some(t), None) => DbObject::Table(self.string(t, "`table`")?),
            (None, Some(q)) => {
                let query = self.string(q, "`query`")?;
                if let Some(why) = crate::spec::sql::depth_problem(&query) {
                    self.err(q.pos, why);
                    return None;
                }
                DbObject::Query(query)
            }
            (Some(_), Some(q)) => {
                self.err_help(
                    q.pos,
                    format!("{what} has both `table:` and `query:`"),
                    "keep one: `table:` reads a table, `query:` a SELECT over the database's tables",
                );
                return None;
            }
            (None, None) => {
                self.err_help(
                    n.pos,
                    format!("{what} has `url:` but neither `table:` nor `query:`"),
                    "add `table: schema.table` (or `query: SELECT …`)",
                );
                return None;
            }
        };
        let (DbObject::Table(t) | DbObject::Query(t)) = &object;
        if t.trim().is_empty() {
            self.err(n.pos, format!("{what}: the table or query is empty"));
            return None;
        }
        if let DbObject::Table(t) = &object {
            if let Some(why) = crate::database::dburl::table_name_problem(t) {
                let at = get(entries, "table").map_or(n.pos, |t| t.pos);
                self.err(at, format!("{what}: {why}"));
                return None;
            }
        }
        match DatabaseSpec::new(&url, object) {
            Ok(database) => Some(SourceSpec {
                name,
                path: database.shown(),
                format: None,
                csv: CsvOptions::default(),
                database: Some(database),
                storage: Storage::default(),
                filter: None,
                tags: Vec::new(),
                key: Vec::new(),
                sample_columns: Vec::new(),
                exclude_columns: Vec::new(),
            }),
            Err(e) if crate::features::is_missing(&e) => {
                self.err(u.pos, format!("{what}: {e}"));
                None
            }
            Err(e) => {
                self.err_help(
                    u.pos,
                    format!("{what}: {e}"),
                    "e.g. `postgres://${PG_USER}:${PG_PASSWORD}@db:5432/shop` or `mysql://root@127.0.0.1:3306/test`",
                );
                None
            }
        }
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
            self.change_sources(&source, &checks, &names);
            self.referenced_sources(&checks, &names);
            out.push(SourceChecks { source, checks });
        }
        out
    }

    /// `change_vs: NAME` must name another declared source.
    fn change_sources(&mut self, source: &str, checks: &[Check], names: &[&str]) {
        for c in checks {
            let Some(Change {
                against: ChangeVs::Source(r),
                ..
            }) = &c.change
            else {
                continue;
            };
            if r == source {
                self.err_help(
                    c.pos,
                    format!("`{}` compares `{source}` with itself", c.name),
                    "name a reference source, or `change_vs: history` with `--history DIR`",
                );
            } else if !names.contains(&r.as_str()) {
                let mut options = names.to_vec();
                options.push("history");
                self.err_help(
                    c.pos,
                    format!("`change_vs` of `{}` names unknown source `{r}`", c.name),
                    suggest(r, &options),
                );
            }
        }
    }

    /// `references: { source: NAME }` must name a declared source.
    fn referenced_sources(&mut self, checks: &[Check], names: &[&str]) {
        for c in checks {
            if let CheckKind::References { source, .. } = &c.kind {
                if !names.contains(&source.as_str()) {
                    self.err_help(
                        c.pos,
                        format!(
                            "`references` of `{}` names unknown source `{source}`",
                            c.name
                        ),
                        suggest(source, names),
                    );
                }
            }
        }
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
            change: None,
            mostly: None,
            filter: None,
            tags: meta.tags,
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
}

/// The standard version of an Open Data Contract (`kind: DataContract`, or
/// an `apiVersion` without `sources`), so that running one says what to do.
fn data_contract(top: &Entries) -> Option<String> {
    let api = get(top, "apiVersion").map(|v| match &v.kind {
        Kind::Str(s) => format!("ODCS {s}"),
        _ => "ODCS".to_string(),
    });
    let kind = get(top, "kind").and_then(|k| k.as_str());
    match (kind, api) {
        (Some("DataContract"), api) => Some(api.unwrap_or_else(|| "ODCS".into())),
        (_, Some(api)) if get(top, "sources").is_none() => Some(api),
        _ => None,
    }
}
