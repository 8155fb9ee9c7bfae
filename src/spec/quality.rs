//! Quality against ground truth in a `diff:` section: where the truth is
//! (`truth:`), which task it is, the metrics computed for both models and
//! the gates on the candidate (`quality:`).

use super::diag::suggest;
use super::parser::{get, Entries, Parser};
use super::yaml::{Kind, Node};
use super::{Lit, Severity};

#[derive(Debug, Clone, PartialEq)]
pub struct TruthSpec {
    pub source: String,
    /// `None`: the diff's key.
    pub key: Option<Vec<String>>,
    pub column: String,
    /// The predicted label (classification) or value (regression) column,
    /// present in both prediction tables.
    pub prediction: String,
    /// Probability of the positive class, for log loss and ROC AUC.
    pub probability: Option<String>,
    /// `None`: classification unless the truth column is a float.
    pub task: Option<Task>,
    /// The positive class of a binary task; default the greater label.
    pub positive: Option<Lit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Classification,
    Regression,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityMetric {
    Accuracy,
    Precision,
    Recall,
    F1,
    LogLoss,
    RocAuc,
    Rmse,
    Mae,
    R2,
}

impl QualityMetric {
    pub const NAMES: [&'static str; 9] = [
        "accuracy",
        "precision",
        "recall",
        "f1",
        "log_loss",
        "roc_auc",
        "rmse",
        "mae",
        "r2",
    ];
    pub const ALL: [QualityMetric; 9] = [
        QualityMetric::Accuracy,
        QualityMetric::Precision,
        QualityMetric::Recall,
        QualityMetric::F1,
        QualityMetric::LogLoss,
        QualityMetric::RocAuc,
        QualityMetric::Rmse,
        QualityMetric::Mae,
        QualityMetric::R2,
    ];

    pub fn keyword(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn task(self) -> Task {
        match self {
            QualityMetric::Rmse | QualityMetric::Mae | QualityMetric::R2 => Task::Regression,
            _ => Task::Classification,
        }
    }

    /// The paired test that tells whether a difference of this metric is
    /// real, if there is one: McNemar's (accuracy), DeLong's (ROC AUC),
    /// or the t-test of per-row losses (with Wilcoxon's beside it).
    pub fn paired_test(self) -> Option<&'static str> {
        match self {
            QualityMetric::Accuracy => Some("McNemar's test"),
            QualityMetric::RocAuc => Some("DeLong's test"),
            QualityMetric::LogLoss => Some("the paired t-test of per-row log loss"),
            QualityMetric::Rmse | QualityMetric::R2 => {
                Some("the paired t-test of per-row squared error")
            }
            QualityMetric::Mae => Some("the paired t-test of per-row absolute error"),
            QualityMetric::Precision | QualityMetric::Recall | QualityMetric::F1 => None,
        }
    }

    /// Whether a larger value is better (accuracy) or worse (log loss).
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            QualityMetric::LogLoss | QualityMetric::Rmse | QualityMetric::Mae
        )
    }
}

/// A gate on a quality metric of the candidate: relative to the baseline
/// (`max_drop`, `max_increase`), absolute (`min`, `max`), or on the
/// significance of the difference (`no_significant_drop`,
/// `no_significant_increase`).
#[derive(Debug, Clone, PartialEq)]
pub struct QualityGate {
    pub metric: QualityMetric,
    pub max_drop: Option<f64>,
    pub max_increase: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `max_drop` and `max_increase` fail only when the difference is
    /// also significant at this level.
    pub significance: Option<f64>,
    pub no_significant_drop: Option<f64>,
    pub no_significant_increase: Option<f64>,
    /// Which p-value of a loss the significance levels read.
    pub test: PValue,
    pub severity: Severity,
}

/// The p-value a significance level is compared with: the metric's own
/// paired test, or (for losses) the Wilcoxon signed-rank test of the same
/// per-row differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PValue {
    #[default]
    Paired,
    Wilcoxon,
}

pub(crate) const TRUTH_KEYS: [&str; 7] = [
    "source",
    "key",
    "column",
    "prediction",
    "probability",
    "task",
    "positive",
];
/// The keys of a quality gate that set a limit (a gate needs one).
pub(crate) const LIMIT_KEYS: [&str; 6] = [
    "max_drop",
    "max_increase",
    "min",
    "max",
    "no_significant_drop",
    "no_significant_increase",
];
pub(crate) const QUALITY_KEYS: [&str; 9] = [
    "max_drop",
    "max_increase",
    "min",
    "max",
    "significance",
    "no_significant_drop",
    "no_significant_increase",
    "test",
    "severity",
];

impl Parser {
    pub(super) fn truth(&mut self, n: &Node, declared: &[String]) -> Option<TruthSpec> {
        let entries = self.map(n, "`truth`")?;
        self.known_keys(entries, &TRUTH_KEYS, "`truth`");
        let source = self.source_ref(entries, "source", n.pos, declared);
        let required = |p: &mut Parser, key: &str, example: &str| match get(entries, key) {
            Some(v) => p.string(v, &format!("`{key}`")),
            None => {
                p.err_help(
                    n.pos,
                    format!("`truth` is missing required key `{key}`"),
                    example.to_string(),
                );
                None
            }
        };
        let column = required(
            self,
            "column",
            "the ground-truth column of the truth source, e.g. `column: y`",
        );
        let prediction = required(
            self,
            "prediction",
            "the predictions' column to score, e.g. `prediction: label`",
        );
        let key = match get(entries, "key") {
            None => Some(None),
            Some(k) => self.names(k, "`key`").map(Some),
        };
        let probability = match get(entries, "probability") {
            None => Some(None),
            Some(p) => self.string(p, "`probability`").map(Some),
        };
        let task = match get(entries, "task") {
            None => Some(None),
            Some(t) => match self.string(t, "`task`")?.as_str() {
                "classification" => Some(Some(Task::Classification)),
                "regression" => Some(Some(Task::Regression)),
                other => {
                    self.err_help(
                        t.pos,
                        format!("`task` must be `classification` or `regression`; found `{other}`"),
                        suggest(other, &["classification", "regression"]),
                    );
                    None
                }
            },
        };
        let positive = match get(entries, "positive") {
            None => Some(None),
            Some(p) => match &p.kind {
                Kind::Int(i) => Some(Some(
                    i64::try_from(*i).map_or(Lit::Float(*i as f64), Lit::Int),
                )),
                Kind::Str(s) => Some(Some(Lit::Str(s.clone()))),
                Kind::Bool(b) => Some(Some(Lit::Bool(*b))),
                _ => {
                    self.err(
                        p.pos,
                        format!(
                            "`positive` must be a label (a string, an integer or a boolean), found {}",
                            p.describe()
                        ),
                    );
                    None
                }
            },
        };
        Some(TruthSpec {
            source: source?,
            key: key?,
            column: column?,
            prediction: prediction?,
            probability: probability?,
            task: task?,
            positive: positive?,
        })
    }

    pub(super) fn quality(&mut self, n: &Node) -> Option<Vec<QualityGate>> {
        let entries = self.map(n, "`quality`")?;
        let mut out = Vec::new();
        let mut ok = true;
        for (k, v) in entries {
            let key = k.key_text();
            let Some(i) = QualityMetric::NAMES.iter().position(|m| *m == key) else {
                self.err_help(
                    k.pos,
                    format!("unknown quality metric `{key}`"),
                    suggest(&key, &QualityMetric::NAMES),
                );
                ok = false;
                continue;
            };
            let Some(opts) = self.map(v, &format!("the gate on `{key}`")) else {
                ok = false;
                continue;
            };
            self.known_keys(opts, &QUALITY_KEYS, &format!("`{key}`"));
            let mut g = QualityGate {
                metric: QualityMetric::ALL[i],
                max_drop: None,
                max_increase: None,
                min: None,
                max: None,
                significance: None,
                no_significant_drop: None,
                no_significant_increase: None,
                test: PValue::Paired,
                severity: Severity::Error,
            };
            for (ok_key, slot) in [
                ("max_drop", &mut g.max_drop),
                ("max_increase", &mut g.max_increase),
                ("min", &mut g.min),
                ("max", &mut g.max),
            ] {
                if let Some(x) = get(opts, ok_key) {
                    *slot = if ok_key.starts_with("max_") {
                        self.non_negative(x, &format!("`{ok_key}`"))
                    } else {
                        self.number(x, &format!("`{ok_key}`"))
                    };
                    ok &= slot.is_some();
                }
            }
            ok &= self.significance(&key, opts, &mut g);
            if let Some(s) = get(opts, "severity") {
                g.severity = self.severity(s).unwrap_or(Severity::Error);
            }
            // A limit written with a bad value, and a `significance`
            // without one, have their own errors already.
            if !LIMIT_KEYS.iter().any(|l| get(opts, l).is_some())
                && get(opts, "significance").is_none()
            {
                self.err_help(
                    v.pos,
                    format!("the gate on `{key}` sets no limit"),
                    "use `max_drop`, `max_increase` (relative to the baseline), `min`, `max`, \
                     `no_significant_drop` or `no_significant_increase`",
                );
                ok = false;
            }
            out.push(g);
        }
        ok.then_some(out)
    }

    /// `significance`, `no_significant_drop`, `no_significant_increase`
    /// and `test` of the gate on `key`.
    fn significance(&mut self, key: &str, opts: &Entries, g: &mut QualityGate) -> bool {
        let mut ok = true;
        let mut any = None;
        for (name, slot) in [
            ("significance", &mut g.significance),
            ("no_significant_drop", &mut g.no_significant_drop),
            ("no_significant_increase", &mut g.no_significant_increase),
        ] {
            let Some(x) = get(opts, name) else { continue };
            any.get_or_insert((name, x.pos));
            match x.kind {
                Kind::Float(f) if f > 0.0 && f < 1.0 => *slot = Some(f),
                _ => {
                    self.err_help(
                        x.pos,
                        format!(
                            "`{name}` must be a significance level between 0 and 1, found {}",
                            match &x.kind {
                                Kind::Int(_) | Kind::Float(_) => x.key_text(),
                                Kind::Str(s) => format!("\"{s}\""),
                                _ => x.describe().to_string(),
                            }
                        ),
                        "e.g. `0.05`: fail when a difference this large would arise by \
                         chance less than 5% of the time",
                    );
                    ok = false;
                }
            }
        }
        if let Some((name, pos)) = any {
            if g.metric.paired_test().is_none() {
                self.err_help(
                    pos,
                    format!("`{name}` cannot be tested for `{key}`: it has no paired test"),
                    "significance is tested for accuracy (McNemar), roc_auc (DeLong), \
                     log_loss, rmse, mae and r2 (paired t-test of per-row losses)",
                );
                ok = false;
            }
        }
        if let Some(x) = get(opts, "significance") {
            if g.max_drop.is_none() && g.max_increase.is_none() {
                self.err_help(
                    x.pos,
                    format!("`significance` on `{key}` qualifies `max_drop` or `max_increase`, and the gate has neither"),
                    "to fail on any significant change, use `no_significant_drop: 0.05` \
                     (or `no_significant_increase`)",
                );
                ok = false;
            }
        }
        if let Some(t) = get(opts, "test") {
            match self.string(t, "`test`").as_deref() {
                Some("paired") => g.test = PValue::Paired,
                Some("wilcoxon") => g.test = PValue::Wilcoxon,
                Some(other) => {
                    self.err_help(
                        t.pos,
                        format!("`test` must be `paired` or `wilcoxon`; found `{other}`"),
                        suggest(other, &["paired", "wilcoxon"]),
                    );
                    ok = false;
                }
                None => ok = false,
            }
            let loss = matches!(
                g.metric,
                QualityMetric::LogLoss
                    | QualityMetric::Rmse
                    | QualityMetric::Mae
                    | QualityMetric::R2
            );
            if g.test == PValue::Wilcoxon && !loss {
                self.err_help(
                    t.pos,
                    format!("`test: wilcoxon` does not apply to `{key}`"),
                    format!(
                        "the Wilcoxon signed-rank test compares per-row losses (log_loss, rmse, \
                         mae, r2); `{key}` is tested by {}",
                        g.metric.paired_test().unwrap_or("no paired test")
                    ),
                );
                ok = false;
            }
            if any.is_none() {
                self.err_help(
                    t.pos,
                    format!("`test` on `{key}` chooses the p-value of a significance level, and the gate has none"),
                    "add `significance: 0.05` beside `max_drop`/`max_increase`, or \
                     `no_significant_drop: 0.05`",
                );
                ok = false;
            }
        }
        ok
    }
}
