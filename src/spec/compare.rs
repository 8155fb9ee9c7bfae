//! The `compare:` section: copies of one table in several environments
//! (the first is the reference), the columns to compare and the tolerance
//! of their aggregates, and optionally the key to diff rows by where the
//! aggregates disagree.
//!
//! ```yaml
//! compare:
//!   sources: [prod_orders, preprod_orders, dev_orders]
//!   columns: [revenue, qty_sold, price]   # or a mapping with per-column tolerance
//!   tolerance: { max_rel: 0.001 }
//!   key: [order_id]
//! ```

use super::diag::{suggest, Pos};
use super::parser::{get, Entries, Parser};
use super::yaml::{Kind, Node};
use super::{Severity, Tolerance};

pub(crate) const COMPARE_KEYS: [&str; 6] =
    ["sources", "columns", "tolerance", "key", "severity", "top"];
pub(crate) const COMPARE_TOLERANCE_KEYS: [&str; 2] = ["max_abs", "max_rel"];

#[derive(Debug, Clone, PartialEq)]
pub struct CompareSpec {
    /// Source names; the first is the reference the others are held to.
    pub sources: Vec<String>,
    /// None: every column all environments have.
    pub columns: Option<Vec<CompareColumn>>,
    /// Allowed difference of an aggregate from the reference's:
    /// `|v - ref| <= max_abs + max_rel * |ref|`. Default: equal.
    pub tolerance: Tolerance,
    /// With a key, environments whose aggregates disagree with the
    /// reference are diffed row by row.
    pub key: Vec<String>,
    pub severity: Severity,
    /// Most-changed rows each row diff shows.
    pub top: usize,
    pub pos: Pos,
}

impl CompareSpec {
    /// The tolerance of column `name`: its own, else the section's.
    pub fn tolerance_of(&self, name: &str) -> Tolerance {
        self.columns
            .iter()
            .flatten()
            .find(|c| c.name == name)
            .and_then(|c| c.tolerance)
            .unwrap_or(self.tolerance)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompareColumn {
    pub name: String,
    pub tolerance: Option<Tolerance>,
}

/// `v`, noting in `ok` whether it was valid.
fn settle<T>(ok: &mut bool, v: Option<T>) -> Option<T> {
    *ok &= v.is_some();
    v
}

impl Parser {
    pub(super) fn compare(&mut self, n: &Node, declared: &[String]) -> Option<CompareSpec> {
        let entries = self.map(n, "`compare`")?;
        self.known_keys(entries, &COMPARE_KEYS, "`compare`");
        let Some(s) = get(entries, "sources") else {
            self.err_help(
                n.pos,
                "`compare` is missing required key `sources`",
                "list the environments' sources, the reference first: `sources: [prod, preprod, dev]`",
            );
            return None;
        };
        let sources = self.names(s, "`sources`")?;
        let mut ok = true;
        for (i, name) in sources.iter().enumerate() {
            if !declared.contains(name) {
                let names: Vec<&str> = declared.iter().map(String::as_str).collect();
                self.err_help(
                    s.pos,
                    format!("`compare` names unknown source `{name}`"),
                    suggest(name, &names),
                );
                ok = false;
            } else if sources[..i].contains(name) {
                self.err(s.pos, format!("`compare` lists `{name}` twice"));
                ok = false;
            }
        }
        if sources.len() < 2 {
            self.err(
                s.pos,
                format!(
                    "`compare` needs at least two sources, found {}",
                    sources.len()
                ),
            );
            ok = false;
        }
        let tolerance = match get(entries, "tolerance") {
            None => Some(Tolerance::default()),
            Some(t) => self.compare_tolerance(t, "`tolerance`"),
        };
        let tolerance = settle(&mut ok, tolerance).unwrap_or_default();
        let columns = match get(entries, "columns") {
            None => None,
            Some(c) => settle(&mut ok, self.compare_columns(c)),
        };
        let key = match get(entries, "key") {
            None => Some(Vec::new()),
            Some(k) => self.names(k, "`key`"),
        };
        let key = settle(&mut ok, key).unwrap_or_default();
        let severity = match get(entries, "severity") {
            None => Some(Severity::Error),
            Some(v) => self.severity(v),
        };
        let severity = settle(&mut ok, severity).unwrap_or(Severity::Error);
        let top = match get(entries, "top") {
            None => Some(10),
            Some(t) => self.count(t, "`top`"),
        };
        let top = settle(&mut ok, top).unwrap_or(10);
        ok.then_some(CompareSpec {
            sources,
            columns,
            tolerance,
            key,
            severity,
            top,
            pos: n.pos,
        })
    }

    fn compare_tolerance(&mut self, n: &Node, what: &str) -> Option<Tolerance> {
        let entries = self.map(n, what)?;
        self.compare_tolerance_of(entries, what)
    }

    fn compare_tolerance_of(&mut self, entries: &Entries, what: &str) -> Option<Tolerance> {
        self.known_keys(entries, &COMPARE_TOLERANCE_KEYS, what);
        let mut t = Tolerance::default();
        let mut ok = true;
        if let Some(v) = get(entries, "max_abs") {
            match self.non_negative(v, "`max_abs`") {
                Some(x) => t.abs = x,
                None => ok = false,
            }
        }
        if let Some(v) = get(entries, "max_rel") {
            match self.non_negative(v, "`max_rel`") {
                Some(x) => t.rel = x,
                None => ok = false,
            }
        }
        ok.then_some(t)
    }

    fn compare_columns(&mut self, n: &Node) -> Option<Vec<CompareColumn>> {
        let cols: Vec<CompareColumn> = match &n.kind {
            Kind::Map(entries) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (k, v) in entries {
                    let name = k.key_text();
                    let tolerance = match &v.kind {
                        Kind::Null => None,
                        _ => {
                            let what = format!("the tolerance of column `{name}`");
                            match self
                                .map(v, &what)
                                .and_then(|e| self.compare_tolerance_of(e, &what))
                            {
                                Some(t) => Some(t),
                                None => {
                                    ok = false;
                                    continue;
                                }
                            }
                        }
                    };
                    out.push(CompareColumn { name, tolerance });
                }
                if !ok {
                    return None;
                }
                out
            }
            _ => self
                .names(n, "`columns`")?
                .into_iter()
                .map(|name| CompareColumn {
                    name,
                    tolerance: None,
                })
                .collect(),
        };
        if cols.is_empty() {
            self.err(
                n.pos,
                "`columns` is empty; leave it out to compare every common column",
            );
            return None;
        }
        Some(cols)
    }
}
