//! Check items of a suite: the keyword forms (`- unique`, `- null_rate:
//! { max: 0.01 }`, `- in_set: [a, b]`), their options, `name`/`severity`
//! beside or inside the options, and bounds (`min`, `max`, `above`,
//! `below`, `between`, `equals`) with the value kinds each metric accepts.

use super::diag::{suggest, Pos};
use super::parse::{BOUND_KEYS, COLUMN_CHECKS, META_KEYS, SQL_KEYS, TABLE_CHECKS};
use super::parser::{get, Entries, Meta, Parser};

/// Keys of a metric drift check (`change_vs`).
pub(crate) const CHANGE_KEYS: [&str; 5] = ["change_vs", "max_abs", "max_rel", "max_z", "window"];
/// Options of `row_count` and the value metrics: bounds or a change.
pub(crate) const BOUND_AND_CHANGE_KEYS: [&str; 11] = [
    "min",
    "max",
    "above",
    "below",
    "between",
    "equals",
    "change_vs",
    "max_abs",
    "max_rel",
    "max_z",
    "window",
];
use super::time::TimeExpr;
use super::yaml::{Kind, Node};
use super::*;

impl Parser {
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

    pub(super) fn meta(&mut self, entries: &Entries) -> Meta {
        let mut m = Meta::default();
        if let Some(n) = get(entries, "name") {
            m.name = self.string(n, "`name`");
        }
        if let Some(n) = get(entries, "severity") {
            m.severity = self.severity(n);
        }
        if let Some(n) = get(entries, "mostly") {
            match self.number(n, "`mostly`") {
                Some(x) if x > 0.0 && x <= 1.0 => m.mostly = Some((x, n.pos)),
                Some(x) => self.err_help(
                    n.pos,
                    format!("`mostly` is the fraction of non-null values that must comply, > 0 and ≤ 1; found {x}"),
                    "e.g. `mostly: 0.99` passes when at least 99% comply",
                ),
                None => {}
            }
        }
        if let Some(n) = get(entries, "where") {
            m.filter = self.filter(n);
        }
        if let Some(n) = get(entries, "tags") {
            m.tags = self.tags(n);
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
        // `mostly` is offered only where it applies; elsewhere `finish`
        // says why it does not.
        let all: Vec<&str> = allowed
            .iter()
            .chain(META_KEYS.iter())
            .copied()
            .filter(|k| *k != "mostly" || CheckKind::MOSTLY.contains(&kw))
            .collect();
        let rest: Vec<(Node, Node)> = entries
            .iter()
            .filter(|(k, _)| k.key_text() != "mostly")
            .cloned()
            .collect();
        self.known_keys(&rest, &all, &format!("`{kw}`"));
        let inner = self.meta(entries);
        meta.name = meta.name.take().or(inner.name);
        meta.severity = meta.severity.take().or(inner.severity);
        meta.mostly = meta.mostly.take().or(inner.mostly);
        meta.filter = meta.filter.take().or(inner.filter);
        if meta.tags.is_empty() {
            meta.tags = inner.tags;
        }
        Some(entries)
    }

    /// The argument of a check written either inline (`- in_set: [a, b]`)
    /// or under `key` in its options (`- in_set: { values: [a, b], severity:
    /// warn }`).
    fn inline_or_key<'n>(
        &mut self,
        kw: &str,
        value: Option<&'n Node>,
        key: &str,
        meta: &mut Meta,
        pos: Pos,
        example: &str,
    ) -> Option<&'n Node> {
        if let Some(v) = value.filter(|v| matches!(v.kind, Kind::Seq(_) | Kind::Str(_))) {
            return Some(v);
        }
        let opts = self.options(kw, value, &[key], meta)?;
        let found = get(opts, key);
        if found.is_none() {
            self.err_help(pos, format!("`{kw}` needs `{key}`"), example);
        }
        found
    }

    /// The `source` a `references` check names (checked against the
    /// declared sources with the block).
    fn referenced(&mut self, pos: Pos, opts: &Entries) -> Option<String> {
        match get(opts, "source") {
            Some(s) => self.string(s, "`source`"),
            None => {
                self.err_help(
                    pos,
                    "`references` needs `source`: the source that holds the keys",
                    "e.g. `- references: { source: customers, column: id }`",
                );
                None
            }
        }
    }

    /// `max_age: 6h` (or seconds): how old the newest value may be.
    fn max_age(&mut self, pos: Pos, opts: &Entries) -> Option<i64> {
        let Some(n) = get(opts, "max_age") else {
            self.err_help(
                pos,
                "`freshness` needs `max_age`",
                "e.g. `max_age: 6h` (units s, m, h, d, w; or seconds)",
            );
            return None;
        };
        let secs = match &n.kind {
            Kind::Int(i) if *i > 0 => i64::try_from(*i).ok(),
            Kind::Str(s) => super::time::parse_duration(s.trim()).filter(|s| *s > 0),
            _ => None,
        };
        if secs.is_none() {
            self.err_help(
                n.pos,
                format!(
                    "`max_age` must be a positive duration, found {}",
                    n.describe()
                ),
                "e.g. `max_age: 6h`, `90m`, `2d` or seconds (`3600`)",
            );
        }
        secs
    }

    fn finish(&mut self, meta: Meta, default_name: String, kind: CheckKind, pos: Pos) -> Check {
        let mostly = meta.mostly.and_then(|(x, at)| {
            if kind.takes_mostly() {
                return Some(x);
            }
            self.err_help(
                at,
                format!(
                    "`mostly` applies to checks of each row ({}); `{}` is not one",
                    CheckKind::MOSTLY.join(", "),
                    kind.keyword()
                ),
                "remove `mostly`",
            );
            None
        });
        Check {
            name: meta.name.unwrap_or(default_name),
            severity: meta.severity.unwrap_or(Severity::Error),
            kind,
            change: None,
            mostly,
            filter: meta.filter,
            tags: meta.tags,
            pos,
        }
    }

    /// Bounds, or with `change_vs` the change limits (empty bounds).
    fn bounds_or_change(
        &mut self,
        kw: &str,
        pos: Pos,
        opts: &Entries,
        kind: BoundKind,
    ) -> Option<(Bounds, Option<Change>)> {
        let Some(against) = get(opts, "change_vs") else {
            if let Some((k, _)) = opts
                .iter()
                .find(|(k, _)| CHANGE_KEYS.contains(&k.key_text().as_str()))
            {
                self.err_help(
                    k.pos,
                    format!("`{}` needs `change_vs`", k.key_text()),
                    "name what the metric is compared with: `change_vs: reference_source` or `change_vs: history`",
                );
                return None;
            }
            return Some((self.bounds(kw, pos, opts, kind)?, None));
        };
        if let Some((k, _)) = opts
            .iter()
            .find(|(k, _)| BOUND_KEYS.contains(&k.key_text().as_str()))
        {
            self.err_help(
                k.pos,
                format!("`{}` cannot be combined with `change_vs`", k.key_text()),
                "write two checks: one with bounds, one with `change_vs` (give one a `name:`)",
            );
            return None;
        }
        let name = self.string(against, "`change_vs`")?;
        let history = name == "history";
        let number = |p: &mut Parser, key: &str| -> Result<Option<f64>, ()> {
            match get(opts, key) {
                None => Ok(None),
                Some(n) => p.non_negative(n, &format!("`{key}`")).map(Some).ok_or(()),
            }
        };
        let (Ok(max_abs), Ok(max_rel), Ok(max_z)) = (
            number(self, "max_abs"),
            number(self, "max_rel"),
            number(self, "max_z"),
        ) else {
            return None;
        };
        let window = match get(opts, "window") {
            Some(w) if !history => {
                self.err(w.pos, "`window` applies to `change_vs: history` only");
                return None;
            }
            Some(w) => match self.count(w, "`window`")? {
                0 => {
                    self.err(w.pos, "`window` must be at least 1");
                    return None;
                }
                n => n,
            },
            None => DEFAULT_WINDOW,
        };
        if max_z.is_some() && !history {
            let k = opts
                .iter()
                .find(|(k, _)| k.key_text() == "max_z")
                .map_or(pos, |(k, _)| k.pos);
            self.err_help(k, "`max_z` needs `change_vs: history`", "a z-score needs a window of past values; against a source use `max_rel` or `max_abs`");
            return None;
        }
        if max_abs.is_none() && max_rel.is_none() && max_z.is_none() {
            self.err_help(
                against.pos,
                format!("`{kw}` with `change_vs` needs a limit"),
                "add `max_rel: 0.05` (5%), `max_abs: …`, or with history `max_z: 3`",
            );
            return None;
        }
        let against = if history {
            ChangeVs::History { window }
        } else {
            ChangeVs::Source(name)
        };
        Some((
            Bounds::default(),
            Some(Change {
                against,
                max_abs,
                max_rel,
                max_z,
            }),
        ))
    }

    pub(super) fn table_check(&mut self, n: &Node) -> Option<Check> {
        let (k, kw, value, mut meta) = self.item(n)?;
        match kw.as_str() {
            "row_count" => {
                let opts = self.options(&kw, value, &BOUND_AND_CHANGE_KEYS, &mut meta)?;
                let (bounds, change) = self.bounds_or_change(&kw, k.pos, opts, BoundKind::Count)?;
                let mut c = self.finish(meta, kw.clone(), CheckKind::RowCount(bounds), k.pos);
                c.change = change;
                Some(c)
            }
            "unique" => {
                let cols = self.inline_or_key(
                    &kw,
                    value,
                    "columns",
                    &mut meta,
                    k.pos,
                    "e.g. `- unique: [customer_id, day]`",
                )?;
                let columns = self.column_list(cols)?;
                let name = format!("unique({})", columns.join(", "));
                Some(self.finish(meta, name, CheckKind::Unique { columns }, k.pos))
            }
            "freshness" => {
                let opts = self.options(&kw, value, &["column", "max_age"], &mut meta)?;
                let column = match get(opts, "column") {
                    Some(c) => self.string(c, "`column`")?,
                    None => {
                        self.err_help(
                            k.pos,
                            "`freshness` needs `column`: the date or timestamp whose newest value counts",
                            "e.g. `- freshness: { column: updated_at, max_age: 6h }`",
                        );
                        return None;
                    }
                };
                let max_age = self.max_age(k.pos, opts)?;
                let name = format!("{column}.freshness");
                Some(self.finish(meta, name, CheckKind::Freshness { column, max_age }, k.pos))
            }
            "references" => {
                let opts = self.options(&kw, value, &["columns", "source", "to"], &mut meta)?;
                let Some(cols) = get(opts, "columns") else {
                    self.err_help(
                        k.pos,
                        "`references` needs `columns`: the key that must exist in the other source",
                        "e.g. `- references: { columns: [order_id, line], source: lines, to: [order_id, line] }`",
                    );
                    return None;
                };
                let columns = self.column_list(cols)?;
                let source = self.referenced(k.pos, opts)?;
                let to = match get(opts, "to") {
                    Some(t) => self.column_list(t)?,
                    None => columns.clone(),
                };
                if to.len() != columns.len() {
                    self.err(
                        get(opts, "to").map_or(k.pos, |t| t.pos),
                        format!(
                            "`to` names {} for a key of {}",
                            crate::report::format::count(to.len(), "column"),
                            crate::report::format::count(columns.len(), "column")
                        ),
                    );
                    return None;
                }
                let name = format!("references({})", columns.join(", "));
                let kind = CheckKind::References {
                    columns,
                    source,
                    to,
                };
                Some(self.finish(meta, name, kind, k.pos))
            }
            "expression" => {
                let e = self.inline_or_key(
                    &kw,
                    value,
                    "expr",
                    &mut meta,
                    k.pos,
                    "e.g. `- expression: \"start_date <= end_date\"`",
                )?;
                let sql = self.string(e, "`expression`")?;
                if let Some(why) = crate::spec::sql::filter_problem(&sql, "an `expression`") {
                    self.err_help(
                        e.pos,
                        format!("`expression`: {why}"),
                        "e.g. `- expression: \"net + tax = gross\"`",
                    );
                    return None;
                }
                let name = format!("expression({sql})");
                let mut c = self.finish(
                    meta,
                    name,
                    CheckKind::Expression { sql: sql.clone() },
                    k.pos,
                );
                // Where the expression is, for the run-time check of its
                // columns and type.
                c.pos = e.pos;
                Some(c)
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

    pub(super) fn column_list(&mut self, n: &Node) -> Option<Vec<String>> {
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

    pub(super) fn column_check(&mut self, column: &str, n: &Node) -> Option<Check> {
        let (k, kw, value, mut meta) = self.item(n)?;
        let pos = k.pos;
        let default_name = format!("{column}.{kw}");
        let column = column.to_string();
        let mut change = None;
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
            "in_set" | "not_in_set" => {
                let list = self.inline_or_key(
                    &kw,
                    value,
                    "values",
                    &mut meta,
                    pos,
                    &format!("e.g. `- {kw}: [a, b, c]`"),
                )?;
                let values = self.literals(list)?;
                if kw == "in_set" {
                    CheckKind::InSet { column, values }
                } else {
                    CheckKind::NotInSet { column, values }
                }
            }
            "distinct_values" => {
                let opts = self.options(&kw, value, &SetRelation::KEYS, &mut meta)?;
                let given: Vec<(&Node, SetRelation)> = [
                    ("equals", SetRelation::Equals),
                    ("within", SetRelation::Within),
                    ("contains", SetRelation::Contains),
                ]
                .into_iter()
                .filter_map(|(k, r)| get(opts, k).map(|n| (n, r)))
                .collect();
                let (list, relation) = match given.as_slice() {
                    [one] => *one,
                    [] => {
                        self.err_help(
                            pos,
                            "`distinct_values` needs `equals`, `within` or `contains`",
                            "e.g. `- distinct_values: { within: [a, b, c] }`",
                        );
                        return None;
                    }
                    [_, (n, _), ..] => {
                        self.err_help(
                            n.pos,
                            "`distinct_values` takes one of `equals`, `within` and `contains`",
                            "write two checks (give one a `name:`)",
                        );
                        return None;
                    }
                };
                let values = self.literals(list)?;
                CheckKind::DistinctValues {
                    column,
                    values,
                    relation,
                }
            }
            "regex" | "not_regex" => {
                let p = self.inline_or_key(
                    &kw,
                    value,
                    "pattern",
                    &mut meta,
                    pos,
                    &format!("e.g. `- {kw}: '^[A-Z]{{3}}$'`"),
                )?;
                let pattern = self.string(p, "`pattern`")?;
                if let Err(e) = regex::Regex::new(&pattern) {
                    let at = value.map(|v| v.pos).unwrap_or(pos);
                    self.err(
                        at,
                        format!("invalid regex {pattern:?}: {}", regex_reason(&e)),
                    );
                    return None;
                }
                if kw == "regex" {
                    CheckKind::Regex { column, pattern }
                } else {
                    CheckKind::NotRegex { column, pattern }
                }
            }
            "freshness" => {
                let opts = self.options(&kw, value, &["max_age"], &mut meta)?;
                let max_age = self.max_age(pos, opts)?;
                CheckKind::Freshness { column, max_age }
            }
            "length" => {
                let opts = self.options(&kw, value, &BOUND_KEYS, &mut meta)?;
                let bounds = self.bounds(&kw, pos, opts, BoundKind::Count)?;
                CheckKind::Length { column, bounds }
            }
            "references" => {
                let opts = self.options(&kw, value, &["source", "column"], &mut meta)?;
                let source = self.referenced(pos, opts)?;
                let to = match get(opts, "column") {
                    Some(c) => self.string(c, "`column`")?,
                    None => column.clone(),
                };
                CheckKind::References {
                    columns: vec![column],
                    source,
                    to: vec![to],
                }
            }
            "quantile" => {
                let keys: Vec<&str> = std::iter::once("q").chain(BOUND_KEYS).collect();
                let opts = self.options(&kw, value, &keys, &mut meta)?;
                let Some(qn) = get(opts, "q") else {
                    self.err_help(
                        pos,
                        "`quantile` needs `q`: which quantile, from 0 to 1",
                        "e.g. `- quantile: { q: 0.95, max: 250 }`",
                    );
                    return None;
                };
                let q = self.number(qn, "`q`")?;
                if !(0.0..=1.0).contains(&q) {
                    self.err(qn.pos, format!("`q` is a quantile from 0 to 1; found {q}"));
                    return None;
                }
                let bounds = self.bounds(&kw, pos, opts, BoundKind::Number)?;
                let q = q.to_string();
                let name = format!("{column}.quantile({q})");
                let kind = CheckKind::Quantile { column, q, bounds };
                return Some(self.finish(meta, name, kind, pos));
            }
            "range" => {
                let opts = self.options(&kw, value, &BOUND_KEYS, &mut meta)?;
                let bounds = self.bounds(&kw, pos, opts, BoundKind::Number)?;
                CheckKind::Range { column, bounds }
            }
            other => match ColumnMetric::ALL.iter().find(|m| m.keyword() == other) {
                Some(&metric) => {
                    if value.is_none() {
                        self.err_help(
                            pos,
                            format!("`{other}` needs a bound"),
                            format!("e.g. `- {other}: {{ max: … }}` (keys: min, max, above, below, between, equals)"),
                        );
                        return None;
                    }
                    let opts = self.options(&kw, value, &BOUND_AND_CHANGE_KEYS, &mut meta)?;
                    let bk = if metric.is_rate() {
                        BoundKind::Rate
                    } else if metric.takes_time() {
                        BoundKind::NumberOrTime
                    } else if metric == ColumnMetric::NullCount {
                        BoundKind::Count
                    } else {
                        BoundKind::Number
                    };
                    let (bounds, c) = self.bounds_or_change(&kw, pos, opts, bk)?;
                    change = c;
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
            },
        };
        let mut c = self.finish(meta, default_name, kind, pos);
        c.change = change;
        Some(c)
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
                Kind::Int(x) => Some(i64::try_from(*x).map_or(Lit::Float(*x as f64), Lit::Int)),
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

    pub(super) fn sql_check(&mut self, n: &Node) -> Option<Check> {
        let entries = self.map(n, "an `sql` check")?;
        if let Some((k, _)) = entries.iter().find(|(k, _)| k.key_text() == "where") {
            self.err_help(
                k.pos,
                "an `sql` check takes no `where`",
                "put the condition in the WHERE of its `query`",
            );
            return None;
        }
        self.known_keys(entries, &SQL_KEYS, "an `sql` check");
        let meta = self.meta(entries);
        let query = match get(entries, "query") {
            Some(q) => {
                let query = self.string(q, "`query`")?;
                if let Some(why) = crate::spec::sql::depth_problem(&query) {
                    self.err(q.pos, why);
                    return None;
                }
                query
            }
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
        for (key, open) in [
            ("min", false),
            ("max", false),
            ("above", true),
            ("below", true),
        ] {
            let Some(n) = get(entries, key) else { continue };
            let low = matches!(key, "min" | "above");
            let taken = if low {
                b.min.is_some()
            } else {
                b.max.is_some()
            };
            if taken {
                let other = if low { "min" } else { "max" };
                self.err_help(
                    n.pos,
                    format!("`{key}` cannot be combined with `{other}`"),
                    format!("`{other}` includes its value, `{key}` does not: keep one"),
                );
                return None;
            }
            match self.bound(kw, key, n, kind) {
                Some(v) if low => (b.min, b.min_open) = (Some(v), open),
                Some(v) => (b.max, b.max_open) = (Some(v), open),
                None => ok = false,
            }
        }
        if let Some(n) = get(entries, "equals") {
            if b.min.is_some() || b.max.is_some() {
                self.err(
                    n.pos,
                    "`equals` cannot be combined with `min`, `max`, `above` or `below`",
                );
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
                    "`between` cannot be combined with `min`, `max`, `above`, `below` or `equals`",
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
                "add `min`, `max`, `above`, `below`, `between` or `equals`",
            );
            return None;
        }
        // An open end excludes its value: `above: 5, below: 5` admits nothing.
        let open = b.min_open || b.max_open;
        let empty =
            |o: Option<std::cmp::Ordering>| o.is_some_and(|o| o.is_gt() || (open && o.is_eq()));
        let reversed = match (&b.min, &b.max) {
            (Some(Bound::Num(lo)), Some(Bound::Num(hi))) => {
                let order = match (lo, hi) {
                    (Number::Int(a), Number::Int(b)) => Some(a.cmp(b)),
                    _ => lo.as_f64().partial_cmp(&hi.as_f64()),
                };
                empty(order).then(|| (lo.to_string(), hi.to_string()))
            }
            // Two instants, or two offsets from `now`, are ordered whatever
            // `now` is; an instant against `now` is left to the run.
            (Some(Bound::Time(lo)), Some(Bound::Time(hi))) => {
                let order = match (lo, hi) {
                    (TimeExpr::Instant { nanos: a, .. }, TimeExpr::Instant { nanos: b, .. }) => {
                        Some(a.cmp(b))
                    }
                    (
                        TimeExpr::Now { offset_secs: a, .. },
                        TimeExpr::Now { offset_secs: b, .. },
                    ) => Some(a.cmp(b)),
                    _ => None,
                };
                empty(order).then(|| (format!("`{}`", lo.text()), format!("`{}`", hi.text())))
            }
            _ => None,
        };
        if let Some((lo, hi)) = reversed {
            let at = get(entries, "between")
                .or(get(entries, "min"))
                .or(get(entries, "above"))
                .map(|n| n.pos)
                .unwrap_or(pos);
            let why = if lo == hi {
                format!("`above`/`below` exclude {lo}, the only value the bounds leave")
            } else {
                format!("the low bound {lo} is above the high bound {hi}")
            };
            self.err(at, format!("{why}; no value could pass"));
            return None;
        }
        Some(b)
    }

    fn bound(&mut self, kw: &str, key: &str, n: &Node, kind: BoundKind) -> Option<Bound> {
        let num = match &n.kind {
            Kind::Int(i) => Some(Number::Int(*i)),
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
                        num
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
                        num
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

/// The regex crate's message without its ASCII-art pointer lines.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or(""))
        .trim()
        .to_string()
}
