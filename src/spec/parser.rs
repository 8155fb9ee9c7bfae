//! The suite parser's state and the readers every section shares: a
//! mapping, its known keys (with "did you mean"), a string, names, counts,
//! numbers, a severity. Each problem is collected as a diagnostic with its
//! position; the section parsers (`parse`, `checks`, `diff`, `bench`,
//! `drift`, `compare`, `notify`) build on these.

use super::diag::{suggest, Diagnostic, Pos};
use super::yaml::{Kind, Node};
use super::Severity;

pub(super) type Entries = [(Node, Node)];

#[derive(Default)]
pub(super) struct Parser {
    pub(super) diags: Vec<Diagnostic>,
}

/// Name and severity, which any check may carry.
#[derive(Default)]
pub(super) struct Meta {
    pub(super) name: Option<String>,
    pub(super) severity: Option<Severity>,
    /// `mostly: 0.99`, where it was written.
    pub(super) mostly: Option<(f64, Pos)>,
    /// `where:` of the check.
    pub(super) filter: Option<super::Filter>,
    pub(super) tags: Vec<String>,
}

impl Parser {
    pub(super) fn err(&mut self, pos: Pos, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(msg, pos));
    }

    pub(super) fn err_help(&mut self, pos: Pos, msg: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic::new(msg, pos).with_help(help));
    }

    pub(super) fn map<'n>(&mut self, n: &'n Node, what: &str) -> Option<&'n Entries> {
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
    pub(super) fn known_keys(&mut self, entries: &Entries, allowed: &[&str], context: &str) {
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

    pub(super) fn string(&mut self, n: &Node, what: &str) -> Option<String> {
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

    /// One name or a non-empty list of names.
    pub(super) fn names(&mut self, n: &Node, what: &str) -> Option<Vec<String>> {
        match &n.kind {
            Kind::Str(s) => Some(vec![s.clone()]),
            Kind::Seq(items) if !items.is_empty() => items
                .iter()
                .map(|i| match &i.kind {
                    Kind::Str(s) => Some(s.clone()),
                    Kind::Int(_) | Kind::Bool(_) | Kind::Float(_) => Some(i.key_text()),
                    _ => {
                        self.err(i.pos, format!("{what} must list column names"));
                        None
                    }
                })
                .collect(),
            _ => {
                self.err(
                    n.pos,
                    format!(
                        "{what} must be a column name or a non-empty list of them, found {}",
                        n.describe()
                    ),
                );
                None
            }
        }
    }

    pub(super) fn count(&mut self, n: &Node, what: &str) -> Option<usize> {
        match n.kind {
            Kind::Int(i) if i >= 0 => Some(usize::try_from(i).unwrap_or(usize::MAX)),
            _ => {
                self.err(
                    n.pos,
                    format!("{what} must be a whole number ≥ 0, found {}", n.describe()),
                );
                None
            }
        }
    }

    pub(super) fn number(&mut self, n: &Node, what: &str) -> Option<f64> {
        match n.kind {
            Kind::Int(i) => Some(i as f64),
            Kind::Float(f) if f.is_finite() => Some(f),
            _ => {
                self.err(
                    n.pos,
                    format!("{what} must be a finite number, found {}", n.describe()),
                );
                None
            }
        }
    }

    pub(super) fn non_negative(&mut self, n: &Node, what: &str) -> Option<f64> {
        let v = self.number(n, what)?;
        if v < 0.0 {
            self.err(n.pos, format!("{what} must be ≥ 0, found {v}"));
            return None;
        }
        Some(v)
    }

    pub(super) fn severity(&mut self, n: &Node) -> Option<Severity> {
        let s = self.string(n, "`severity`")?;
        match s.as_str() {
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
        }
    }
}

pub(super) fn get<'n>(entries: &'n Entries, key: &str) -> Option<&'n Node> {
    entries
        .iter()
        .find(|(k, _)| k.key_text() == key)
        .map(|(_, v)| v)
}
