//! The `diff:` section of a suite: the keyed comparison of two prediction
//! tables, its tolerances and gates, and quality against ground truth.
//! Types first, then parsing.

use super::diag::{suggest, Pos};
use super::parser::{get, Entries, Parser};
use super::quality::{QualityGate, TruthSpec};
use super::yaml::{Kind, Node};
use super::Severity;

/// A key and its value in a mapping.
type Entry = (Node, Node);

#[derive(Debug, Clone, PartialEq)]
pub struct DiffSpec {
    pub baseline: String,
    pub candidate: String,
    pub key: Vec<String>,
    /// `None`: every non-key column both sides have.
    pub columns: Option<Vec<ColumnSpec>>,
    /// Options of columns when `columns` is `None` (all are compared): set
    /// by `verdict diff --tol COLUMN=…`.
    pub overrides: Vec<ColumnSpec>,
    /// Left out of the default column set.
    pub ignore: Vec<String>,
    /// Default tolerance of numeric columns.
    pub tolerance: Tolerance,
    pub duplicates: DuplicateKeys,
    /// How many most-changed rows and sample keys the report shows.
    pub top: usize,
    /// Gates over every compared column (rates, shifts) and over the rows.
    pub gates: Vec<Gate>,
    pub truth: Option<TruthSpec>,
    pub quality: Vec<QualityGate>,
    /// Quality and changes repeated per value of these columns.
    pub slices: Option<SliceSpec>,
    pub pos: Pos,
}

/// `slices:` — the diff and the quality repeated per value of each slice
/// column (of the truth source, else of the baseline, else of the
/// candidate), with gates on every slice that has at least `min_rows`
/// rows in both models.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceSpec {
    pub columns: Vec<String>,
    pub min_rows: u64,
    pub quality: Vec<QualityGate>,
    pub max_changed_rate: Option<Gate>,
    pub pos: Pos,
}

/// Slices with fewer rows than this are listed, never gated.
pub const DEFAULT_MIN_ROWS: u64 = 30;

impl DiffSpec {
    /// The options declared for column `name`, if any.
    pub fn column_options(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns
            .iter()
            .flatten()
            .chain(&self.overrides)
            .find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSpec {
    pub name: String,
    /// `None`: the diff-wide tolerance.
    pub tolerance: Option<Tolerance>,
    pub gates: Vec<Gate>,
    pub pos: Pos,
}

/// Values are equal when `|candidate - baseline| <= abs + rel * |baseline|`
/// (numpy's `isclose` with the baseline as the reference).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tolerance {
    pub abs: f64,
    pub rel: f64,
}

impl Tolerance {
    pub fn is_exact(&self) -> bool {
        self.abs == 0.0 && self.rel == 0.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKeys {
    /// A key twice on one side fails the `duplicate_keys` gate.
    Error,
    /// Duplicates pair like a SQL join: every baseline row with every
    /// candidate row of the same key.
    Allow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GateKind {
    MaxChangedRate,
    MaxFlipRate,
    MaxMeanShift,
    MaxMissing,
    MaxAdded,
}

impl GateKind {
    pub const NAMES: [&'static str; 5] = [
        "max_changed_rate",
        "max_flip_rate",
        "max_mean_shift",
        "max_missing",
        "max_added",
    ];
    const ALL: [GateKind; 5] = [
        GateKind::MaxChangedRate,
        GateKind::MaxFlipRate,
        GateKind::MaxMeanShift,
        GateKind::MaxMissing,
        GateKind::MaxAdded,
    ];

    pub fn keyword(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    fn parse(s: &str) -> Option<GateKind> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
    }

    /// Gates about rows rather than columns.
    pub fn is_row_gate(self) -> bool {
        matches!(self, GateKind::MaxMissing | GateKind::MaxAdded)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    pub kind: GateKind,
    pub limit: f64,
    pub severity: Severity,
}

pub(crate) const SLICE_KEYS: [&str; 4] = ["columns", "min_rows", "quality", "max_changed_rate"];

pub(crate) const DIFF_KEYS: [&str; 12] = [
    "baseline",
    "candidate",
    "key",
    "columns",
    "ignore",
    "tolerance",
    "duplicates",
    "top",
    "gates",
    "truth",
    "quality",
    "slices",
];
pub(crate) const TOLERANCE_KEYS: [&str; 2] = ["abs_tol", "rel_tol"];
/// Gates a column may carry (the row gates belong to the whole diff).
pub(crate) const COLUMN_GATES: [&str; 3] = ["max_changed_rate", "max_flip_rate", "max_mean_shift"];
pub const DEFAULT_TOP: usize = 10;

impl Parser {
    pub(super) fn diff(&mut self, n: &Node, declared: &[String]) -> Option<DiffSpec> {
        let entries = self.map(n, "`diff`")?;
        self.known_keys(entries, &DIFF_KEYS, "`diff`");
        let baseline = self.source_ref(entries, "baseline", n.pos, declared);
        let candidate = self.source_ref(entries, "candidate", n.pos, declared);
        let key = match get(entries, "key") {
            Some(k) => self.names(k, "`key`"),
            None => {
                self.err_help(
                    n.pos,
                    "`diff` is missing required key `key`",
                    "name the column(s) that identify a row, e.g. `key: id` or `key: [user_id, day]`",
                );
                None
            }
        };
        let columns = match get(entries, "columns") {
            None => Some(None),
            Some(c) => self.diff_columns(c).map(Some),
        };
        let ignore = match get(entries, "ignore") {
            None => Some(Vec::new()),
            Some(i) => self.names(i, "`ignore`"),
        };
        let tolerance = match get(entries, "tolerance") {
            None => Some(Tolerance::default()),
            Some(t) => self
                .map(t, "`tolerance`")
                .and_then(|e| self.tolerance(e, "`tolerance`")),
        };
        let duplicates = match get(entries, "duplicates") {
            None => Some(DuplicateKeys::Error),
            Some(d) => match self.string(d, "`duplicates`")?.as_str() {
                "error" => Some(DuplicateKeys::Error),
                "allow" => Some(DuplicateKeys::Allow),
                other => {
                    self.err_help(
                        d.pos,
                        format!("`duplicates` must be `error` or `allow`; found `{other}`"),
                        suggest(other, &["error", "allow"]),
                    );
                    None
                }
            },
        };
        let top = match get(entries, "top") {
            None => Some(DEFAULT_TOP),
            Some(t) => self.count(t, "`top`"),
        };
        let gates = match get(entries, "gates") {
            None => Some(Vec::new()),
            Some(g) => self
                .map(g, "`gates`")
                .and_then(|e| self.gates(e, &GateKind::NAMES, "`gates`")),
        };
        let truth = match get(entries, "truth") {
            None => Some(None),
            Some(t) => self.truth(t, declared).map(Some),
        };
        let quality = match get(entries, "quality") {
            None => Some(Vec::new()),
            Some(q) => self.quality(q),
        };
        if let (Some(q), Some(None)) = (&quality, &truth) {
            if !q.is_empty() {
                let pos = get(entries, "quality").map_or(n.pos, |q| q.pos);
                self.err_help(
                    pos,
                    "`quality` gates need ground truth",
                    "add `truth: { source: labels, column: y, prediction: label }`",
                );
            }
        }
        let slices = match get(entries, "slices") {
            None => Some(None),
            Some(s) => self.slices(s).map(Some),
        };
        if let (Some(Some(s)), Some(None)) = (&slices, &truth) {
            if !s.quality.is_empty() {
                self.err_help(
                    s.pos,
                    "quality gates of `slices` need ground truth",
                    "add `truth: { source: labels, column: y, prediction: label }`",
                );
            }
        }
        Some(DiffSpec {
            baseline: baseline?,
            candidate: candidate?,
            key: key?,
            columns: columns?,
            overrides: Vec::new(),
            ignore: ignore?,
            tolerance: tolerance?,
            duplicates: duplicates?,
            top: top?,
            gates: gates?,
            truth: truth?,
            quality: quality?,
            slices: slices?,
            pos: n.pos,
        })
    }

    /// `slices: [country, device]`, or the same as `columns:` of a mapping
    /// with `min_rows`, `quality` gates and `max_changed_rate`.
    fn slices(&mut self, n: &Node) -> Option<SliceSpec> {
        let mut spec = SliceSpec {
            columns: Vec::new(),
            min_rows: DEFAULT_MIN_ROWS,
            quality: Vec::new(),
            max_changed_rate: None,
            pos: n.pos,
        };
        let Kind::Map(entries) = &n.kind else {
            spec.columns = self.names(n, "`slices`")?;
            return self.slice_columns(spec, n);
        };
        self.known_keys(entries, &SLICE_KEYS, "`slices`");
        let mut ok = true;
        match get(entries, "columns") {
            Some(c) => match self.names(c, "`columns` of `slices`") {
                Some(c) => spec.columns = c,
                None => ok = false,
            },
            None => {
                self.err_help(
                    n.pos,
                    "`slices` is missing required key `columns`",
                    "name the columns to slice by, e.g. `columns: [country, device]`",
                );
                ok = false;
            }
        }
        if let Some(m) = get(entries, "min_rows") {
            match self.count(m, "`min_rows`") {
                Some(m) => spec.min_rows = m as u64,
                None => ok = false,
            }
        }
        if let Some(q) = get(entries, "quality") {
            match self.quality(q) {
                Some(q) => spec.quality = q,
                None => ok = false,
            }
        }
        if let Some(entry) = entries
            .iter()
            .find(|(k, _)| k.key_text() == "max_changed_rate")
        {
            match self.gates(
                std::slice::from_ref(entry),
                &["max_changed_rate"],
                "`slices`",
            ) {
                Some(g) => spec.max_changed_rate = g.into_iter().next(),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        self.slice_columns(spec, n)
    }

    fn slice_columns(&mut self, spec: SliceSpec, n: &Node) -> Option<SliceSpec> {
        if spec.columns.is_empty() {
            self.err_help(
                n.pos,
                "`slices` names no column",
                "e.g. `slices: [country, device]`",
            );
            return None;
        }
        let mut seen = Vec::new();
        for c in &spec.columns {
            if seen.contains(&c) {
                self.err(n.pos, format!("`slices` names `{c}` twice"));
                return None;
            }
            seen.push(c);
        }
        Some(spec)
    }

    pub(super) fn source_ref(
        &mut self,
        entries: &Entries,
        key: &str,
        pos: Pos,
        declared: &[String],
    ) -> Option<String> {
        let Some(n) = get(entries, key) else {
            self.err_help(
                pos,
                format!("missing required key `{key}`"),
                format!("name the {key} predictions' source, e.g. `{key}: preds_{key}`"),
            );
            return None;
        };
        let name = self.string(n, &format!("`{key}`"))?;
        if !declared.contains(&name) {
            let names: Vec<&str> = declared.iter().map(String::as_str).collect();
            self.err_help(
                n.pos,
                format!("`{key}` names unknown source `{name}`"),
                suggest(&name, &names),
            );
            return None;
        }
        Some(name)
    }

    fn tolerance(&mut self, entries: &Entries, what: &str) -> Option<Tolerance> {
        let mut t = Tolerance::default();
        let mut ok = true;
        for (k, v) in entries {
            match k.key_text().as_str() {
                "abs_tol" => match self.non_negative(v, "`abs_tol`") {
                    Some(x) => t.abs = x,
                    None => ok = false,
                },
                "rel_tol" => match self.non_negative(v, "`rel_tol`") {
                    Some(x) => t.rel = x,
                    None => ok = false,
                },
                other => {
                    self.err_help(
                        k.pos,
                        format!("unknown key `{other}` in {what}"),
                        suggest(other, &TOLERANCE_KEYS),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(t)
    }

    /// `columns:` as a list of names or a mapping of name to `exact` or
    /// options (tolerance and per-column gates).
    fn diff_columns(&mut self, n: &Node) -> Option<Vec<ColumnSpec>> {
        let plain = |name: String, pos| ColumnSpec {
            name,
            tolerance: None,
            gates: Vec::new(),
            pos,
        };
        match &n.kind {
            Kind::Seq(_) | Kind::Str(_) => Some(
                self.names(n, "`columns`")?
                    .into_iter()
                    .map(|c| plain(c, n.pos))
                    .collect(),
            ),
            Kind::Map(entries) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (k, v) in entries {
                    match self.diff_column(k.key_text(), k.pos, v) {
                        Some(c) => out.push(c),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            _ => {
                self.err(
                    n.pos,
                    format!(
                        "`columns` must be a list of names or a mapping, found {}",
                        n.describe()
                    ),
                );
                None
            }
        }
    }

    fn diff_column(&mut self, name: String, pos: Pos, v: &Node) -> Option<ColumnSpec> {
        let mut spec = ColumnSpec {
            name,
            tolerance: None,
            gates: Vec::new(),
            pos,
        };
        match &v.kind {
            Kind::Null => Some(spec),
            Kind::Str(s) if s == "exact" => {
                spec.tolerance = Some(Tolerance::default());
                Some(spec)
            }
            Kind::Map(entries) => {
                let (tol, gates): (Vec<Entry>, Vec<Entry>) = entries
                    .iter()
                    .cloned()
                    .partition(|(k, _)| TOLERANCE_KEYS.contains(&k.key_text().as_str()));
                let what = format!("column `{}`", spec.name);
                let tolerance = if tol.is_empty() {
                    Some(None)
                } else {
                    self.tolerance(&tol, &what).map(Some)
                };
                // Both are parsed before giving up, so every mistake is reported.
                let gates = self.gates(&gates, &COLUMN_GATES, &what);
                spec.tolerance = tolerance?;
                spec.gates = gates?;
                Some(spec)
            }
            _ => {
                self.err_help(
                    v.pos,
                    format!(
                        "column `{}` must be `exact` or a mapping, found {}",
                        spec.name,
                        v.describe()
                    ),
                    "e.g. `score: { abs_tol: 1.0e-6 }` or `label: exact`",
                );
                None
            }
        }
    }

    /// Gates written `max_changed_rate: 0.01` or `max_changed_rate: { limit:
    /// 0.01, severity: warn }`; a `severity:` beside them applies to all.
    fn gates(&mut self, entries: &Entries, allowed: &[&str], what: &str) -> Option<Vec<Gate>> {
        let shared = get(entries, "severity").and_then(|s| self.severity(s));
        let mut out = Vec::new();
        let mut ok = true;
        for (k, v) in entries {
            let key = k.key_text();
            if key == "severity" {
                continue;
            }
            let Some(kind) = GateKind::parse(&key).filter(|_| allowed.contains(&key.as_str()))
            else {
                let mut all = allowed.to_vec();
                all.push("severity");
                if allowed == COLUMN_GATES {
                    all.extend(TOLERANCE_KEYS);
                }
                self.err_help(
                    k.pos,
                    format!("unknown gate `{key}` in {what}"),
                    suggest(&key, &all),
                );
                ok = false;
                continue;
            };
            let (limit_node, severity) = match &v.kind {
                Kind::Map(opts) => {
                    self.known_keys(opts, &["limit", "severity"], &format!("`{key}`"));
                    let sev = get(opts, "severity").and_then(|s| self.severity(s));
                    match get(opts, "limit") {
                        Some(l) => (l, sev),
                        None => {
                            self.err_help(
                                v.pos,
                                format!("`{key}` needs `limit`"),
                                format!("e.g. `{key}: {{ limit: 0.01, severity: warn }}`"),
                            );
                            ok = false;
                            continue;
                        }
                    }
                }
                _ => (v, None),
            };
            let Some(limit) = self.non_negative(limit_node, &format!("`{key}`")) else {
                ok = false;
                continue;
            };
            if matches!(kind, GateKind::MaxChangedRate | GateKind::MaxFlipRate) && limit > 1.0 {
                self.err_help(
                    limit_node.pos,
                    format!("`{key}` is a fraction from 0 to 1; {limit} is outside that range"),
                    "write e.g. 0.01 for 1%",
                );
                ok = false;
                continue;
            }
            out.push(Gate {
                kind,
                limit,
                severity: severity.or(shared).unwrap_or(Severity::Error),
            });
        }
        ok.then_some(out)
    }
}
