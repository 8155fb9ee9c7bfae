//! Is the change real? The paired tests of the diff's quality metrics
//! through the real binary: each statistic against statsmodels' and
//! scipy's values and a DeLong reference written from the paper
//! (fixtures/paired/make.py wrote expected.json), the significance gates,
//! every report format, and each bad input with its message.

#[macro_use]
mod common;

use common::{json, run, temp_suite, verdict};
use serde_json::Value;

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string("fixtures/paired/expected.json").unwrap())
        .unwrap()
}

/// The quality section of `verdict diff` of `{prefix}_v1` against
/// `{prefix}_v2` in `fixtures/{dir}`, scored against `{prefix}_truth`.
fn quality(dir: &str, prefix: &str, prediction: &str, probability: Option<&str>) -> Value {
    common::quality_of(
        &format!("fixtures/{dir}"),
        prefix,
        &format!("{prefix}_truth"),
        prediction,
        probability,
    )
}

fn test_of(q: &Value, metric: &str) -> Value {
    q["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == metric)
        .unwrap_or_else(|| panic!("no metric {metric}"))["test"]
        .clone()
}

/// Within 1e-9 of the reference, relative to its size (p-values reach
/// 1e-4 and below).
fn close(what: &str, got: &Value, want: &Value) {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    assert!(
        (g - w).abs() <= 1e-9 * w.abs().max(1e-6),
        "{what}: verdict {g}, reference {w}"
    );
}

fn interval(what: &str, got: &Value, want: &Value) {
    close(&format!("{what} low"), &got[0], &want[0]);
    close(&format!("{what} high"), &got[1], &want[1]);
}

fn check_binary(q: &Value, e: &Value) {
    assert_eq!(q["rows"], e["rows"]);
    let (t, m) = (test_of(q, "accuracy"), &e["mcnemar"]);
    let kind = if m["exact"] == true {
        "mcnemar_exact"
    } else {
        "mcnemar_chi_square"
    };
    assert_eq!(t["test"], kind);
    assert_eq!(t["of"], "correct");
    close("McNemar statistic", &t["statistic"], &m["statistic"]);
    close("McNemar p", &t["p_value"], &m["pvalue"]);
    close("accuracy difference", &t["difference"], &m["delta"]);
    interval("accuracy interval", &t["interval"], &m["ci"]);

    let (t, d) = (test_of(q, "roc_auc"), &e["delong"]);
    assert_eq!(t["test"], "delong");
    close("AUC difference", &t["difference"], &d["delta"]);
    close("DeLong z", &t["statistic"], &d["z"]);
    close("DeLong p", &t["p_value"], &d["pvalue"]);
    interval("DeLong interval", &t["interval"], &d["ci"]);

    check_loss(&test_of(q, "log_loss"), &e["log_loss"], "log loss");
}

fn check_loss(t: &Value, e: &Value, of: &str) {
    assert_eq!(t["test"], "paired_t");
    assert_eq!(t["of"], of);
    assert_eq!(t["rows"], e["n"]);
    close(&format!("{of} mean"), &t["difference"], &e["mean"]);
    close(&format!("{of} t"), &t["statistic"], &e["t"]);
    close(&format!("{of} t p"), &t["p_value"], &e["t_pvalue"]);
    interval(&format!("{of} interval"), &t["interval"], &e["ci"]);
    let w = &t["wilcoxon"];
    assert_eq!(w["method"], e["wilcoxon_method"], "{of}");
    close(
        &format!("{of} Wilcoxon statistic"),
        &w["statistic"],
        &e["wilcoxon_statistic"],
    );
    close(
        &format!("{of} Wilcoxon p"),
        &w["p_value"],
        &e["wilcoxon_pvalue"],
    );
}

fn check_regression(q: &Value, e: &Value) {
    assert_eq!(q["rows"], e["rows"]);
    check_loss(&test_of(q, "rmse"), &e["squared_error"], "squared error");
    check_loss(&test_of(q, "r2"), &e["squared_error"], "squared error");
    check_loss(&test_of(q, "mae"), &e["absolute_error"], "absolute error");
}

#[test]
fn binary_tests_match_statsmodels_scipy_and_delong() {
    let e = expected();
    // 20 rows, 6 discordant: McNemar exact.
    check_binary(
        &quality("quality", "binary", "label", Some("score")),
        &e["binary_small"],
    );
    // 400 rows, 64 discordant: χ² with continuity correction.
    check_binary(
        &quality("paired", "binary", "label", Some("score")),
        &e["binary_large"],
    );
}

#[test]
fn regression_tests_match_scipy() {
    let e = expected();
    // 12 rows with ties and zeros: Wilcoxon by all 2¹² sign flips.
    check_regression(
        &quality("quality", "regression", "pred", None),
        &e["regression_small"],
    );
    // 300 rows: normal approximation.
    check_regression(
        &quality("paired", "regression", "pred", None),
        &e["regression_large"],
    );
    // 30 rows, ties and zeros: normal with the tie correction.
    check_regression(
        &quality("paired", "ties", "pred", None),
        &e["regression_ties"],
    );
    // 25 distinct nonzero differences: the exact distribution.
    check_regression(
        &quality("paired", "exact", "pred", None),
        &e["regression_exact"],
    );
}

#[test]
fn metrics_without_a_paired_test_have_none() {
    let q = quality("quality", "multiclass", "label", None);
    for m in ["precision", "recall", "f1"] {
        assert_eq!(test_of(&q, m), Value::Null, "{m}");
    }
    // Multiclass accuracy has McNemar's test too: right or wrong per row.
    let t = test_of(&q, "accuracy");
    assert_eq!(t["test"], "mcnemar_exact");
    assert_eq!(t["rows"], 15);
}

/// The 400-row binary fixture with the models swapped: the candidate is
/// the worse one. Accuracy drops 0.03 (McNemar p 0.169, not significant),
/// ROC AUC drops 0.048 (DeLong p 0.000265), log loss rises 0.077
/// (Wilcoxon p 0.000317).
const WORSE: &str = r#"
version: 1
sources:
  v1: { path: fixtures/paired/binary_v2.parquet }
  v2: { path: fixtures/paired/binary_v1.parquet }
  y: { path: fixtures/paired/binary_truth.parquet }
diff:
  baseline: v1
  candidate: v2
  key: id
  truth: { source: y, column: y, prediction: label, probability: score }
  quality:
    accuracy: { max_drop: 0.01, significance: 0.05, no_significant_drop: 0.2 }
    roc_auc: { max_drop: 0.01, significance: 0.05 }
    log_loss: { no_significant_increase: 0.05, test: wilcoxon }
    f1: { min: 0.5 }
"#;

fn gate(r: &Value, name: &str) -> Value {
    common::named(&r["suites"][0]["diff"]["gates"], name)
}

#[test]
fn significance_decides_the_gates() {
    let (_dir, path) = temp_suite(WORSE);
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let r = json(&o);
    let texts = |name: &str| {
        let g = gate(&r, name);
        (
            g["status"].as_str().unwrap().to_string(),
            g["expected"].as_str().unwrap().to_string(),
            g["observed_text"].as_str().unwrap().to_string(),
        )
    };
    // A drop past the limit that chance explains passes.
    assert_eq!(
        texts("quality.accuracy.max_drop"),
        (
            "pass".into(),
            "≥ 0.8675 (baseline 0.8775 − 0.01), or not significant (p ≥ 0.05)".into(),
            "0.8475 (baseline 0.8775, Δ -0.03; p 0.169, McNemar, χ²)".into()
        )
    );
    assert_eq!(
        texts("quality.accuracy.no_significant_drop"),
        (
            "fail".into(),
            "no significant drop (p ≥ 0.2)".into(),
            "0.8475 (baseline 0.8775, Δ -0.03; p 0.169, McNemar, χ²)".into()
        )
    );
    assert_eq!(
        texts("quality.roc_auc.max_drop"),
        (
            "fail".into(),
            "≥ 0.945895 (baseline 0.955895 − 0.01), or not significant (p ≥ 0.05)".into(),
            "0.9079 (baseline 0.955895, Δ -0.047995; p 0.000265, DeLong)".into()
        )
    );
    assert_eq!(
        texts("quality.log_loss.no_significant_increase"),
        (
            "fail".into(),
            "no significant increase (p ≥ 0.05)".into(),
            "0.402891 (baseline 0.326172, Δ +0.076719; p 0.000317, Wilcoxon)".into()
        )
    );
    assert_eq!(texts("quality.f1.min").0, "pass");
}

#[test]
fn every_format_shows_the_tests() {
    let (dir, path) = temp_suite(WORSE);
    let [md, html, junit] = ["summary.md", "report.html", "junit.xml"].map(|f| dir.path().join(f));
    let console = run(&[
        path.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(console.code, 1, "{}", console.stderr);
    let accuracy = "p 0.169 (McNemar, χ²) · 95% CI [-0.0691, +0.00909]";
    let roc = "p 0.000265 (DeLong) · 95% CI [-0.0738, -0.0222]";
    let log_loss = "p 0.000163 (paired t); Wilcoxon p 0.000317 · 95% CI [+0.0371, +0.116]";
    for text in [accuracy, roc, log_loss, "is the change real?"] {
        assert!(console.stdout.contains(text), "{text}\n{}", console.stdout);
    }
    let md = std::fs::read_to_string(md).unwrap();
    for line in [
        "| metric | baseline | candidate | Δ | is the change real? |".to_string(),
        format!("| accuracy | 0.8775 | 0.8475 | -0.03 | {accuracy} |"),
        "| f1 | 0.874776 | 0.844339 | -0.030436 |  |".to_string(),
    ] {
        assert!(md.lines().any(|l| l == line), "{line}\n{md}");
    }
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("<th scope=\"col\">is the change real?</th>"));
    assert!(html.contains(roc), "{html}");
    let junit = std::fs::read_to_string(junit).unwrap();
    assert!(junit.contains("no significant drop (p ≥ 0.2)"), "{junit}");
}

#[test]
fn delong_on_a_regression_is_a_gate_error() {
    let suite = r#"
version: 1
sources:
  v1: { path: fixtures/quality/regression_v1.parquet }
  v2: { path: fixtures/quality/regression_v2.parquet }
  y: { path: fixtures/quality/regression_truth.parquet }
diff:
  baseline: v1
  candidate: v2
  key: id
  truth: { source: y, column: y, prediction: pred }
  quality:
    roc_auc: { no_significant_drop: 0.05 }
    rmse: { no_significant_increase: 0.05 }
"#;
    let (_dir, path) = temp_suite(suite);
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let r = json(&o);
    let g = gate(&r, "quality.roc_auc.no_significant_drop");
    assert_eq!(g["status"], "error");
    assert_eq!(
        g["why"],
        "`roc_auc` is a classification metric; this is a regression task (the truth column \
         `y` is float64)"
    );
    // RMSE rises 0.50 on 12 rows: the t-test of squared errors gives p 0.012.
    let g = gate(&r, "quality.rmse.no_significant_increase");
    assert_eq!(g["status"], "fail");
    assert_eq!(
        g["observed_text"],
        "1.12962 (baseline 0.633279, Δ +0.496342; p 0.012, paired t)"
    );
}

/// `verdict validate` of a suite whose one quality gate is `gate`: exit 2
/// and the message, with the suite's path as `suite.yml`.
fn invalid(gate: &str) -> String {
    let suite = format!(
        r#"version: 1
sources:
  v1: {{ path: fixtures/quality/binary_v1.parquet }}
  v2: {{ path: fixtures/quality/binary_v2.parquet }}
  y: {{ path: fixtures/quality/binary_truth.parquet }}
diff:
  baseline: v1
  candidate: v2
  key: id
  truth: {{ source: y, column: y, prediction: label, probability: score }}
  quality:
    {gate}
"#
    );
    let (_dir, path) = temp_suite(&suite);
    let o = verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    o.stderr.replace(path.to_str().unwrap(), "suite.yml")
}

/// The first error of `invalid(gate)`: message, column and help.
fn first_error(gate: &str) -> (String, usize, String) {
    let e = invalid(gate);
    let mut lines = e.lines();
    let message = lines.next().unwrap().to_string();
    let at = lines.next().unwrap();
    let col = at.rsplit(':').next().unwrap().parse().unwrap();
    let help = e
        .lines()
        .find_map(|l| l.trim().strip_prefix("= help: "))
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        e.lines().filter(|l| l.starts_with("error: ")).count(),
        1,
        "one error for `{gate}`:\n{e}"
    );
    (message, col, help)
}

#[test]
fn bad_significance_settings_are_suite_errors() {
    assert_eq!(
        first_error("f1: { max_drop: 0.01, significance: 0.05 }"),
        (
            "error: `significance` cannot be tested for `f1`: it has no paired test".into(),
            41,
            "significance is tested for accuracy (McNemar), roc_auc (DeLong), log_loss, rmse, \
             mae and r2 (paired t-test of per-row losses)"
                .into()
        )
    );
    assert_eq!(
        first_error("accuracy: { max_drop: 0.01, significance: 0 }"),
        (
            "error: `significance` must be a significance level between 0 and 1, found 0".into(),
            47,
            "e.g. `0.05`: fail when a difference this large would arise by chance less than 5% \
             of the time"
                .into()
        )
    );
    assert_eq!(
        first_error("accuracy: { no_significant_drop: 5 }").0,
        "error: `no_significant_drop` must be a significance level between 0 and 1, found 5"
    );
    assert_eq!(
        first_error(r#"roc_auc: { no_significant_drop: "5%" }"#).0,
        "error: `no_significant_drop` must be a significance level between 0 and 1, found \"5%\""
    );
    assert_eq!(
        first_error("accuracy: { significance: 0.05, no_significant_drop: 0.05 }"),
        (
            "error: `significance` on `accuracy` qualifies `max_drop` or `max_increase`, and the \
             gate has neither"
                .into(),
            31,
            "to fail on any significant change, use `no_significant_drop: 0.05` (or \
             `no_significant_increase`)"
                .into()
        )
    );
    assert_eq!(
        first_error("accuracy: { no_significant_drop: 0.05, test: wilcoxon }"),
        (
            "error: `test: wilcoxon` does not apply to `accuracy`".into(),
            50,
            "the Wilcoxon signed-rank test compares per-row losses (log_loss, rmse, mae, r2); \
             `accuracy` is tested by McNemar's test"
                .into()
        )
    );
    assert_eq!(
        first_error("log_loss: { no_significant_increase: 0.05, test: wilcox }"),
        (
            "error: `test` must be `paired` or `wilcoxon`; found `wilcox`".into(),
            54,
            "did you mean `wilcoxon`?".into()
        )
    );
    assert_eq!(
        first_error("log_loss: { max_increase: 0.1, test: wilcoxon }"),
        (
            "error: `test` on `log_loss` chooses the p-value of a significance level, and the \
             gate has none"
                .into(),
            42,
            "add `significance: 0.05` beside `max_drop`/`max_increase`, or \
             `no_significant_drop: 0.05`"
                .into()
        )
    );
    // The whole message once, as a user sees it.
    let text = "accuracy: { no_significant_drop: 5 }";
    assert_eq!(
        invalid(text),
        format!(
            "error: `no_significant_drop` must be a significance level between 0 and 1, found \
             5\n  --> suite.yml:12:38\n   |\n12 |     {text}\n   | {}^\n   = help: e.g. \
             `0.05`: fail when a difference this large would arise by chance less than 5% of the \
             time\n\nsuite.yml: 1 error in the suite; nothing was evaluated\n",
            " ".repeat(37)
        )
    );
}

#[test]
fn probability_pairs_past_the_memory_bound_are_dropped_with_a_reason() {
    use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array};
    use std::sync::Arc;
    // 600,000 rows; --memory-limit 64M (the least a spilling sort takes)
    // lets the pairs take an eighth of it: 524,288 rows of two
    // probabilities.
    let n = 600_000i64;
    let dir = tempfile::tempdir().unwrap();
    let id: ArrayRef = Arc::new(Int64Array::from_iter_values(0..n));
    let y: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n).map(|i| i % 2)));
    let side = |shift: i64| {
        let score: Vec<f64> = (0..n)
            .map(|i| ((i * 7919 + shift) % 1000) as f64 / 1000.0 * 0.6 + 0.4 * (i % 2) as f64)
            .collect();
        let label: ArrayRef = Arc::new(Int64Array::from_iter_values(
            score.iter().map(|s| i64::from(*s >= 0.5)),
        ));
        let score: ArrayRef = Arc::new(Float64Array::from(score));
        (label, score)
    };
    let (l1, s1) = side(0);
    let (l2, s2) = side(13);
    let truth = common::parquet(dir.path(), "t.parquet", vec![("id", id.clone()), ("y", y)]);
    let v1 = common::parquet(
        dir.path(),
        "v1.parquet",
        vec![("id", id.clone()), ("label", l1), ("score", s1)],
    );
    let v2 = common::parquet(
        dir.path(),
        "v2.parquet",
        vec![("id", id), ("label", l2), ("score", s2)],
    );
    let o = verdict(&[
        "diff",
        "--baseline",
        &v1,
        "--candidate",
        &v2,
        "--key",
        "id",
        "--truth",
        &truth,
        "--truth-column",
        "y",
        "--prediction",
        "label",
        "--probability",
        "score",
        "--memory-limit",
        "64M",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let q = json(&o)["suites"][0]["diff"]["quality"].clone();
    let metric = |name: &str| {
        q["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["metric"] == name)
            .unwrap()
            .clone()
    };
    let why = "the paired tests of probabilities keep both models' probabilities of every \
               scored row in memory (16 bytes a row); more than 524288 rows is over an eighth of \
               --memory-limit";
    for m in ["roc_auc", "log_loss"] {
        let m = metric(m);
        // The metric itself still reads every probability (spilled).
        assert!(m["candidate"].is_f64(), "{m}");
        assert_eq!(m["test"], Value::Null);
        assert_eq!(m["test_error"], why);
    }
    // McNemar's test is counts: never bounded.
    assert_eq!(metric("accuracy")["test"]["rows"], n);
}
