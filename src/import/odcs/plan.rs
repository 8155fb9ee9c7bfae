//! One table's part of the suite as it is planned and written: its source
//! lines, schema contract, check items with their names made unique, `sql:`
//! checks and notes of what is not checked.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::super::contract::Rule;
use super::bounds::Bounds;
use super::place::Location;
use crate::spec::diag::Pos;
use crate::spec::emit::{comment, scalar, with_variables};

/// One check item: its text after `- `, with a comment saying what in the
/// contract it comes from.
pub(super) struct Item {
    pub(super) text: String,
    pub(super) from: String,
}

pub(super) struct SqlItem {
    pub(super) name: String,
    pub(super) query: String,
    pub(super) expect: String,
    pub(super) meta: Vec<(String, String)>,
    pub(super) from: String,
}

/// What a rule says of its check besides what it checks: the name (its
/// `id`, else its `name`), a severity, tags.
#[derive(Default)]
pub(super) struct Meta {
    pub(super) name: Option<String>,
    pub(super) warn: bool,
    pub(super) tags: Vec<String>,
}

impl Meta {
    pub(super) fn of(r: &Rule) -> Meta {
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
pub(super) struct Plan {
    pub(super) name: String,
    pub(super) location: Location,
    pub(super) tags: Vec<String>,
    pub(super) key: Vec<String>,
    pub(super) schema: Vec<(String, String, String)>,
    pub(super) table: Vec<Item>,
    pub(super) columns: Vec<(String, Vec<Item>)>,
    pub(super) sql: Vec<SqlItem>,
    pub(super) notes: Vec<String>,
    pub(super) names: BTreeSet<String>,
    pub(super) checks: usize,
}

impl Plan {
    pub(super) fn column(&mut self, col: &str) -> &mut Vec<Item> {
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
    pub(super) fn unique_name(&mut self, wanted: &str) -> String {
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
    pub(super) fn meta(&mut self, default: &str, m: &Meta) -> (String, Vec<(String, String)>) {
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
    pub(super) fn push(
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
    pub(super) fn push_sql(
        &mut self,
        default: &str,
        m: &Meta,
        query: String,
        b: &Bounds,
        from: String,
    ) {
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

    pub(super) fn source(&self, out: &mut String) {
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

    pub(super) fn checks(&self, out: &mut String) {
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

pub(super) fn flow_list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| scalar(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// `{ k: v, … }` of already written YAML values.
pub(super) fn flow_map(entries: &[(String, String)]) -> String {
    let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{ {} }}", parts.join(", "))
}

/// Tags as a suite accepts them: letters, digits, `_`, `.`, `/`, `-`.
pub(super) fn tag(t: &str) -> Option<String> {
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

/// What the import keeps across tables: the rules not checked, and the
/// contract's column names for its SQL.
pub(super) struct State {
    pub(super) not_checked: Vec<NotChecked>,
    /// Every column name of the contract, for its SQL.
    pub(super) names: Vec<String>,
}

impl State {
    /// Records a rule that is not checked, with its comment in `plan`.
    pub(super) fn note(
        &mut self,
        plan: &mut Plan,
        at: Pos,
        what: impl Into<String>,
        why: impl Into<String>,
        kind: &str,
    ) {
        let note = self.skip(at, what, why, kind);
        plan.notes.push(note);
    }

    /// Records a rule that is not checked; returns the suite's comment.
    pub(super) fn skip(
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
}
