//! The `drift:` section: per current source, the reference it is compared
//! with (another source, or a reference saved by `verdict profile
//! --save-reference`), the columns, the number of quantile bins and the
//! warn/fail thresholds, globally and per column.
//!
//! ```yaml
//! drift:
//!   features:
//!     reference: reference            # or reference_file: refs/features.json
//!     columns: [price, qty, category] # or a mapping with per-column options
//!     bins: 10
//!     warn: { psi: 0.1 }
//!     fail: { psi: 0.25 }
//! ```

use super::diag::{suggest, Pos};
use super::parser::{get, Entries, Parser};
use super::yaml::{Kind, Node};

/// One current source's drift checks.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftSpec {
    /// The current source.
    pub source: String,
    pub reference: DriftReference,
    /// None: every column both sides have (of a type drift can measure).
    pub columns: Option<Vec<DriftColumn>>,
    pub options: DriftOptions,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DriftReference {
    /// A source of the suite, scanned on every run.
    Source(String),
    /// A file written by `verdict profile --save-reference`.
    Saved(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DriftColumn {
    pub name: String,
    pub options: DriftOptions,
}

/// How a column is measured: numeric (quantile bins, PSI, KS) or
/// categorical (value counts, PSI, chi-square).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftMethod {
    Numeric,
    Categorical,
}

/// Limits on a column's statistics; a statistic reaching its limit (a
/// p-value falling below it) crosses it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Thresholds {
    pub psi: Option<f64>,
    /// The KS statistic D (numeric columns).
    pub ks: Option<f64>,
    /// The Jensen–Shannon distance (base 2).
    pub js: Option<f64>,
    /// The test's p-value (KS or chi-square), crossed when below.
    pub p_value: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DriftOptions {
    pub bins: usize,
    pub warn: Thresholds,
    pub fail: Thresholds,
    /// None: chosen from the column's type.
    pub method: Option<DriftMethod>,
}

pub const DEFAULT_BINS: usize = 10;
pub const DEFAULT_WARN_PSI: f64 = 0.1;
pub const DEFAULT_FAIL_PSI: f64 = 0.25;

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            bins: DEFAULT_BINS,
            warn: Thresholds {
                psi: Some(DEFAULT_WARN_PSI),
                ..Thresholds::default()
            },
            fail: Thresholds {
                psi: Some(DEFAULT_FAIL_PSI),
                ..Thresholds::default()
            },
            method: None,
        }
    }
}

pub(crate) const DRIFT_KEYS: [&str; 7] = [
    "reference",
    "reference_file",
    "columns",
    "bins",
    "warn",
    "fail",
    "method",
];
pub(crate) const DRIFT_COLUMN_KEYS: [&str; 4] = ["bins", "warn", "fail", "method"];
pub(crate) const THRESHOLD_KEYS: [&str; 4] = ["psi", "ks", "js", "p_value"];
pub(crate) const METHODS: [&str; 2] = ["numeric", "categorical"];

impl Parser {
    pub(super) fn drift(&mut self, n: &Node, declared: &[String]) -> Vec<DriftSpec> {
        let Some(entries) = self.map(n, "`drift`") else {
            return Vec::new();
        };
        if entries.is_empty() {
            self.err(
                n.pos,
                "`drift` is empty; name a current source and its reference",
            );
        }
        let mut out = Vec::new();
        for (k, v) in entries {
            let source = k.key_text();
            if !declared.contains(&source) {
                let names: Vec<&str> = declared.iter().map(String::as_str).collect();
                self.err_help(
                    k.pos,
                    format!("`drift` names unknown source `{source}`"),
                    suggest(&source, &names),
                );
                continue;
            }
            if let Some(d) = self.drift_source(source, k.pos, v, declared) {
                out.push(d);
            }
        }
        out
    }

    fn drift_source(
        &mut self,
        source: String,
        pos: Pos,
        n: &Node,
        declared: &[String],
    ) -> Option<DriftSpec> {
        let what = format!("the drift of `{source}`");
        let entries = self.map(n, &what)?;
        self.known_keys(entries, &DRIFT_KEYS, &what);
        let reference = match (get(entries, "reference"), get(entries, "reference_file")) {
            (Some(_), Some(f)) => {
                self.err(f.pos, "give `reference` or `reference_file`, not both");
                return None;
            }
            (None, None) => {
                self.err_help(
                    n.pos,
                    format!("{what} is missing required key `reference`"),
                    "name the source to compare with (`reference: last_month`) or a saved \
                     reference (`reference_file: refs/features.json`)",
                );
                return None;
            }
            (Some(r), None) => {
                let name = self.string(r, "`reference`")?;
                if !declared.contains(&name) {
                    let names: Vec<&str> = declared.iter().map(String::as_str).collect();
                    self.err_help(
                        r.pos,
                        format!("`reference` names unknown source `{name}`"),
                        suggest(&name, &names),
                    );
                    return None;
                }
                if name == source {
                    self.err(r.pos, format!("`{source}` cannot be its own reference"));
                    return None;
                }
                DriftReference::Source(name)
            }
            (None, Some(f)) => {
                let file = self.string(f, "`reference_file`")?;
                if let Some(why) = super::location_problem(&file) {
                    self.err(f.pos, format!("`reference_file`: {why}"));
                    return None;
                }
                DriftReference::Saved(file)
            }
        };
        let options = self.drift_options(entries, DriftOptions::default())?;
        let columns = match get(entries, "columns") {
            None => None,
            Some(c) => Some(self.drift_columns(c, options)?),
        };
        Some(DriftSpec {
            source,
            reference,
            columns,
            options,
            pos,
        })
    }

    fn drift_columns(&mut self, n: &Node, base: DriftOptions) -> Option<Vec<DriftColumn>> {
        let cols: Vec<DriftColumn> = match &n.kind {
            Kind::Map(entries) => {
                let mut out = Vec::new();
                for (k, v) in entries {
                    let name = k.key_text();
                    let options = match &v.kind {
                        Kind::Null => base,
                        _ => {
                            let what = format!("drift options of column `{name}`");
                            let e = self.map(v, &what)?;
                            self.known_keys(e, &DRIFT_COLUMN_KEYS, &what);
                            self.drift_options(e, base)?
                        }
                    };
                    out.push(DriftColumn { name, options });
                }
                out
            }
            _ => self
                .names(n, "`columns`")?
                .into_iter()
                .map(|name| DriftColumn {
                    name,
                    options: base,
                })
                .collect(),
        };
        if cols.is_empty() {
            self.err(
                n.pos,
                "`columns` is empty; leave it out to use every common column",
            );
            return None;
        }
        Some(cols)
    }

    /// `bins`, `warn`, `fail`, `method` over `base`: thresholds given
    /// replace the base's one by one.
    fn drift_options(&mut self, entries: &Entries, base: DriftOptions) -> Option<DriftOptions> {
        let mut o = base;
        let mut ok = true;
        if let Some(b) = get(entries, "bins") {
            match self.count(b, "`bins`") {
                Some(v) if (2..=1000).contains(&v) => o.bins = v,
                Some(v) => {
                    self.err(
                        b.pos,
                        format!("`bins` must be between 2 and 1000, found {v}"),
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        for (key, slot) in [("warn", &mut o.warn), ("fail", &mut o.fail)] {
            if let Some(t) = get(entries, key) {
                match self.thresholds(t, key, *slot) {
                    Some(v) => *slot = v,
                    None => ok = false,
                }
            }
        }
        if let Some(m) = get(entries, "method") {
            match self.string(m, "`method`").as_deref() {
                Some("numeric") => o.method = Some(DriftMethod::Numeric),
                Some("categorical") => o.method = Some(DriftMethod::Categorical),
                Some(s) => {
                    self.err_help(
                        m.pos,
                        format!("unknown drift method `{s}`"),
                        suggest(s, &METHODS),
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        ok.then_some(o)
    }

    fn thresholds(&mut self, n: &Node, key: &str, base: Thresholds) -> Option<Thresholds> {
        let what = format!("`{key}` thresholds");
        let entries = self.map(n, &what)?;
        self.known_keys(entries, &THRESHOLD_KEYS, &what);
        let mut t = base;
        let mut ok = true;
        for (k, v) in entries {
            let name = k.key_text();
            let slot = match name.as_str() {
                "psi" => &mut t.psi,
                "ks" => &mut t.ks,
                "js" => &mut t.js,
                "p_value" => &mut t.p_value,
                _ => continue,
            };
            // `null` switches an inherited threshold off.
            if v.kind == Kind::Null {
                *slot = None;
                continue;
            }
            match self.non_negative(v, &format!("`{name}`")) {
                Some(x) if name != "psi" && x > 1.0 => {
                    self.err(v.pos, format!("`{name}` is at most 1, found {x}"));
                    ok = false;
                }
                Some(x) => *slot = Some(x),
                None => ok = false,
            }
        }
        ok.then_some(t)
    }
}
