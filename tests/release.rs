//! The model release gate through the real binary: the keyed diff of the
//! planted fixtures (fixtures/release/make.py), its gates, quality against
//! scikit-learn's values (fixtures/quality/expected.json), the bench of two
//! model commands, and every bad input with its message and exit code.

#[macro_use]
mod common;

use common::{json, run, temp_suite, verdict};
use serde_json::Value;

const V1: &str = "fixtures/release/preds_v1.parquet";
const V2: &str = "fixtures/release/preds_v2.parquet";

fn diff(extra: &[&str]) -> common::Out {
    let mut a = vec!["diff", "--baseline", V1, "--candidate", V2, "--key", "id"];
    a.extend_from_slice(extra);
    verdict(&a)
}

fn column<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["suites"][0]["diff"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn gate<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["suites"][0]["diff"]["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no gate {name}"))
}

fn close(got: &Value, want: f64) {
    let g = got
        .as_f64()
        .unwrap_or_else(|| panic!("{got} is not a number"));
    assert!(
        (g - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{g} != {want}"
    );
}

#[test]
fn keyed_diff_finds_every_planted_change() {
    let o = diff(&["--tol", "score=1e-6", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r = json(&o);
    let d = &r["suites"][0]["diff"];
    assert_eq!(d["rows"]["both"], 11);
    assert_eq!(d["rows"]["only_baseline"], 1);
    assert_eq!(d["rows"]["only_candidate"], 1);
    assert_eq!(
        d["rows"]["only_baseline_sample"],
        serde_json::json!([{"id": 1}])
    );
    assert_eq!(
        d["rows"]["only_candidate_sample"],
        serde_json::json!([{"id": 13}])
    );
    assert_eq!(
        d["only_in_candidate_columns"],
        serde_json::json!(["latency_ms"])
    );
    let score = column(&r, "score");
    assert_eq!(score["class"], "numeric");
    assert_eq!(score["abs_tol"], 1e-6);
    // ids 4 (+0.15), 5 (−0.05), 7 (null in v2), 9 (+0.05); id 3 moved 1e-10.
    assert_eq!(score["changed"], 4);
    assert_eq!(score["null_changes"], 1);
    close(&score["changed_rate"], 4.0 / 11.0);
    let n = &score["numeric"];
    assert_eq!(
        n["values"], 9,
        "ids 7 (null) and 12 (NaN on both) have no difference"
    );
    close(&n["mean_abs"], 0.027777777788888885);
    close(&n["max_abs"], 0.15000000000000002);
    close(&n["p50_abs"], 0.0);
    close(&n["p95_abs"], 0.10999999999999997);
    close(&n["p99_abs"], 0.14200000000000002);
    close(&n["mean_shift"], 0.016666666677777775);
    let top: Vec<&Value> = score["top"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["key"]["id"])
        .collect();
    assert_eq!(top, [7, 4, 5, 9], "null change first, then by |Δ|");
    assert_eq!(score["top"][0]["candidate"], Value::Null);
    let label = column(&r, "label");
    assert_eq!(label["class"], "integer");
    assert_eq!(label["transitions"]["flips"], 2);
    assert_eq!(
        label["transitions"]["pairs"],
        serde_json::json!([
            {"from": 0, "to": 0, "rows": 5},
            {"from": 1, "to": 1, "rows": 4},
            {"from": 0, "to": 1, "rows": 1},
            {"from": 1, "to": 0, "rows": 1},
        ])
    );
    let segment = column(&r, "segment");
    assert_eq!(segment["changed"], 1);
    assert_eq!(segment["top"][0]["key"]["id"], 10);
    assert_eq!(segment["top"][0]["baseline"], "b");
    assert_eq!(segment["top"][0]["candidate"], "c");
    // The key is int64 in v1 and int32 in v2: compared as int64.
    assert_eq!(gate(&r, "baseline.duplicate_keys")["status"], "pass");
    assert_eq!(gate(&r, "candidate.duplicate_keys")["status"], "pass");
}

#[test]
fn keyed_diff_console() {
    let o = diff(&["--tol", "score=1e-6", "--top", "3"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    snap!("diff_console", o.stdout);
}

#[test]
fn exact_comparison_counts_tiny_moves() {
    let o = diff(&["--columns", "score", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r = json(&o);
    assert_eq!(
        column(&r, "score")["changed"],
        5,
        "id 3's 1e-10 counts without a tolerance"
    );
    assert_eq!(
        r["suites"][0]["diff"]["columns"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn gates_fail_the_run() {
    let o = run(&["fixtures/suites/release/diff_gates.yml", "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let status = |n: &str| gate(&r, n)["status"].as_str().unwrap().to_string();
    assert_eq!(status("score.max_changed_rate"), "fail");
    assert_eq!(
        gate(&r, "score.max_changed_rate")["observed_text"],
        "0.363636 (4 of 11 rows)"
    );
    assert_eq!(status("score.max_mean_shift"), "pass");
    assert_eq!(status("label.max_flip_rate"), "pass");
    assert_eq!(status("rows.max_missing"), "fail");
    assert_eq!(
        gate(&r, "rows.max_missing")["observed_text"],
        "1 row missing from the candidate"
    );
    assert_eq!(status("rows.max_added"), "fail");
    assert_eq!(gate(&r, "rows.max_added")["severity"], "warn");
    assert_eq!(r["summary"]["failed"], 2);
    assert_eq!(r["summary"]["warnings"], 1);
    let c = run(&["fixtures/suites/release/diff_gates.yml"]);
    snap!("diff_gates_console", c.stdout);
}

#[test]
fn duplicate_keys_fail_unless_allowed() {
    let dup = "fixtures/release/dup_v2.parquet";
    let args = [
        "diff",
        "--baseline",
        V1,
        "--candidate",
        dup,
        "--key",
        "id",
        "--format",
        "json",
    ];
    let o = verdict(&args);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let g = gate(&r, "candidate.duplicate_keys");
    assert_eq!(g["status"], "fail");
    assert_eq!(g["observed_text"], "2 duplicated keys");
    assert_eq!(
        g["why"],
        "5 rows of the candidate share 2 key values, e.g. 3, 5; they would pair with every \
         row of the same key on the other side (set `duplicates: allow` to accept that)"
    );
    let mut allowed = args.to_vec();
    allowed.push("--allow-duplicates");
    let o = verdict(&allowed);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r = json(&o);
    // Like a SQL join: id 3 pairs three times, id 5 twice.
    assert_eq!(r["suites"][0]["diff"]["rows"]["both"], 15);
    assert_eq!(r["suites"][0]["diff"]["rows"]["duplicates"][1]["keys"], 2);
}

#[test]
fn missing_key_column_names_the_side() {
    let o = verdict(&[
        "diff",
        "--baseline",
        V1,
        "--candidate",
        "fixtures/release/no_id.parquet",
        "--key",
        "id",
    ]);
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(
        o.stdout.contains(
            "the diff could not be computed: key column `id` is missing from the candidate \
             `candidate` (its columns: row_id, score, label, segment)"
        ),
        "{}",
        o.stdout
    );
}

#[test]
fn incomparable_key_types_name_both() {
    let o = verdict(&[
        "diff",
        "--baseline",
        V1,
        "--candidate",
        "fixtures/release/str_key.parquet",
        "--key",
        "id",
    ]);
    assert_eq!(o.code, 3);
    assert!(
        o.stdout.contains(
            "key column `id` is int64 in the baseline and string in the candidate; \
             these cannot be compared"
        ),
        "{}",
        o.stdout
    );
}

#[test]
fn incomparable_column_is_an_error_naming_both_types() {
    let o = verdict(&[
        "diff",
        "--baseline",
        V1,
        "--candidate",
        "fixtures/release/str_score.parquet",
        "--key",
        "id",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 3);
    let r = json(&o);
    let g = gate(&r, "score.compare");
    assert_eq!(g["status"], "error");
    assert_eq!(
        g["why"],
        "column `score` is float64 in the baseline and string in the candidate; these cannot \
         be compared"
    );
    assert_eq!(
        column(&r, "label")["changed"],
        0,
        "other columns are still compared"
    );
}

#[test]
fn tolerance_on_a_string_column_is_an_error() {
    let o = diff(&["--tol", "segment=0.1", "--format", "json"]);
    assert_eq!(o.code, 3);
    let r = json(&o);
    assert_eq!(
        gate(&r, "segment.compare")["why"],
        "column `segment` is string; a tolerance applies to numbers only"
    );
}

#[test]
fn tolerance_on_an_unknown_column_is_an_error() {
    let o = diff(&["--tol", "scor=0.1"]);
    assert_eq!(o.code, 3);
    assert!(
        o.stdout
            .contains("a tolerance is set for column `scor`, which is missing from the baseline"),
        "{}",
        o.stdout
    );
}

#[test]
fn both_sides_empty_is_an_error() {
    let e = "fixtures/release/empty.parquet";
    let o = verdict(&[
        "diff",
        "--baseline",
        e,
        "--candidate",
        e,
        "--key",
        "id",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    let r = json(&o);
    let g = gate(&r, "rows.compared");
    assert_eq!(g["status"], "error");
    assert_eq!(
        g["why"],
        "both sides are empty: there was nothing to compare"
    );
}

#[test]
fn no_common_keys_is_a_warning_not_a_crash() {
    let o = verdict(&[
        "diff",
        "--baseline",
        V1,
        "--candidate",
        "fixtures/release/disjoint.parquet",
        "--key",
        "id",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "warning: no key is in both `baseline` and `candidate`: no values were compared \
             (is the key right?)"
        ),
        "{}",
        o.stdout
    );
    let gated = verdict(&[
        "diff",
        "--baseline",
        V1,
        "--candidate",
        "fixtures/release/disjoint.parquet",
        "--key",
        "id",
        "--max-changed-rate",
        "0.1",
        "--format",
        "json",
    ]);
    assert_eq!(gated.code, 3);
    let r = json(&gated);
    assert_eq!(
        gate(&r, "score.max_changed_rate")["why"],
        "no row is in both sides, so no value was compared"
    );
}

#[test]
fn unreadable_side_is_exit_3() {
    let o = verdict(&[
        "diff",
        "--baseline",
        V1,
        "--candidate",
        "no/such.parquet",
        "--key",
        "id",
    ]);
    assert_eq!(o.code, 3);
    assert!(
        o.stdout.contains("source `candidate` could not be read"),
        "{}",
        o.stdout
    );
}

#[test]
fn bad_flags_exit_2() {
    let o = diff(&["--tol", "score=-1"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: --tol \"score=-1\": the tolerance must be a number ≥ 0\n"
    );
    let o = diff(&["--max-changed-rate", "2"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: --max-changed-rate must be a fraction from 0 to 1, found 2\n"
    );
    let o = diff(&["--memory-limit", "12X"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: --memory-limit: unknown unit \"x\" in \"12X\" (use K, M, G or T)\n"
    );
}

#[test]
fn bounded_memory_spills_instead_of_failing() {
    let o = diff(&[
        "--tol",
        "score=1e-6",
        "--memory-limit",
        "64M",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let r = json(&o);
    assert_eq!(column(&r, "score")["changed"], 4);
    assert_eq!(r["suites"][0]["diff"]["rows"]["both"], 11);
}

// ---- quality against truth: scikit-learn 1.9.1's values -------------------

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string("fixtures/quality/expected.json").unwrap())
        .unwrap()
}

fn quality(task: &str, truth: &str, prediction: &str, probability: Option<&str>) -> Value {
    common::quality_of("fixtures/quality", task, truth, prediction, probability)
}

fn metric(q: &Value, name: &str, side: &str) -> Value {
    q["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == name)
        .unwrap_or_else(|| panic!("no metric {name}"))[side]
        .clone()
}

#[test]
fn binary_quality_matches_scikit_learn() {
    let q = quality("binary", "binary_truth", "label", Some("score"));
    let e = expected();
    assert_eq!(q["task"], "classification");
    assert_eq!(q["task_reason"], "the truth column `y` is int64");
    assert_eq!(q["rows"], 20);
    assert_eq!(q["positive"], 1);
    for (side, v) in [("baseline", "v1"), ("candidate", "v2")] {
        for (ours, theirs) in [
            ("accuracy", "accuracy"),
            ("precision", "precision_macro"),
            ("recall", "recall_macro"),
            ("f1", "f1_macro"),
            ("log_loss", "log_loss"),
            ("roc_auc", "roc_auc"),
        ] {
            close(
                &metric(&q, ours, side),
                e["binary"][v][theirs].as_f64().unwrap(),
            );
        }
    }
}

#[test]
fn multiclass_quality_matches_scikit_learn() {
    let q = quality("multiclass", "multiclass_truth", "label", None);
    let e = expected();
    assert_eq!(
        q["labels"],
        serde_json::json!(["bird", "cat", "dog", "fish"])
    );
    for (side, v) in [("baseline", "v1"), ("candidate", "v2")] {
        for (ours, theirs) in [
            ("accuracy", "accuracy"),
            ("precision", "precision_macro"),
            ("recall", "recall_macro"),
            ("f1", "f1_macro"),
        ] {
            close(
                &metric(&q, ours, side),
                e["multiclass"][v][theirs].as_f64().unwrap(),
            );
        }
    }
}

#[test]
fn regression_quality_matches_scikit_learn() {
    let q = quality("regression", "regression_truth", "pred", None);
    let e = expected();
    assert_eq!(q["task"], "regression");
    for (side, v) in [("baseline", "v1"), ("candidate", "v2")] {
        for m in ["rmse", "mae", "r2"] {
            close(
                &metric(&q, m, side),
                e["regression"][v][m].as_f64().unwrap(),
            );
        }
    }
}

#[test]
fn truth_keys_without_predictions_are_reported() {
    let q = quality("binary", "binary_truth_extra", "label", Some("score"));
    assert_eq!(q["truth_rows"], 21);
    assert_eq!(q["truth_unmatched"], 1);
    assert_eq!(q["rows"], 20);
    close(&metric(&q, "accuracy", "candidate"), 0.85);
}

#[test]
fn probability_outside_0_1_is_an_error() {
    let suite = r#"
version: 1
sources:
  v1: { path: fixtures/quality/binary_v1.parquet }
  v2: { path: fixtures/quality/binary_bad_prob.parquet }
  y: { path: fixtures/quality/binary_truth.parquet }
diff:
  baseline: v1
  candidate: v2
  key: id
  truth: { source: y, column: y, prediction: label, probability: score }
  quality:
    log_loss: { max_increase: 0.1 }
    accuracy: { max_drop: 0.05 }
    rmse: { max: 1 }
"#;
    let (_dir, path) = temp_suite(suite);
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    let r = json(&o);
    let g = gate(&r, "quality.log_loss.max_increase");
    assert_eq!(g["status"], "error");
    assert_eq!(
        g["why"],
        "candidate: 1 probability is outside [0, 1] (e.g. 1.2)"
    );
    assert_eq!(gate(&r, "quality.accuracy.max_drop")["status"], "pass");
    assert_eq!(
        gate(&r, "quality.rmse.max")["why"],
        "`rmse` is a regression metric; this is a classification task (the truth column `y` \
         is int64)"
    );
}

#[test]
fn validate_names_the_sections() {
    let o = verdict(&["validate", "expectations/release.yml"]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stderr,
        "expectations/release.yml: ok (3 sources, 4 checks, a diff)\n"
    );
}

#[test]
fn bundled_release_example_passes_with_a_warning() {
    let o = run(&["expectations/release.yml"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("verdict: PASS with warnings"),
        "{}",
        o.stdout
    );
    snap!("release_example_console", o.stdout);
}

// ---- bench ----------------------------------------------------------------

fn bench_suite(baseline: &str, candidate: &str, extra: &str) -> String {
    format!(
        r#"
version: 1
sources:
  v1: {{ path: fixtures/release/preds_v1.parquet }}
bench:
  input: fixtures/release/preds_v1.parquet
  baseline_cmd: "{baseline}"
  candidate_cmd: "{candidate}"
  runs: 2
  warmup: 0
{extra}
checks:
  v1:
    table:
      - row_count: {{ min: 1 }}
"#
    )
}

fn bench_error(baseline: &str, candidate: &str, extra: &str) -> (i32, String) {
    let (_dir, path) = temp_suite(&bench_suite(baseline, candidate, extra));
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    let r = json(&o);
    let b = &r["suites"][0]["bench"];
    assert!(
        r["suites"][0]["sources"].as_array().unwrap().is_empty(),
        "the run stopped"
    );
    (o.code, b["error"].as_str().unwrap_or_default().to_string())
}

#[test]
fn bench_command_not_found() {
    let (code, e) = bench_error("no-such-model {input} {output}", "cp {input} {output}", "");
    assert_eq!(code, 3);
    assert!(
        e.starts_with(
            "the baseline command failed on run 1: exited with code 127 (command not found); \
             its stderr ends with:\n  | "
        ),
        "{e}"
    );
    assert!(e.contains("no-such-model: not found"), "{e}");
}

#[test]
fn bench_command_that_hangs_is_killed() {
    let (code, e) = bench_error(
        "cp {input} {output}",
        "echo loading >&2; sleep 30",
        "  timeout: 1",
    );
    assert_eq!(code, 3);
    assert_eq!(
        e,
        "the candidate command failed on run 1: still running after the 1 s timeout; it was \
         killed; its stderr ends with:\n  | loading"
    );
}

#[test]
fn bench_command_without_output() {
    let (code, e) = bench_error("cp {input} {output}", "true {output}", "");
    assert_eq!(code, 3);
    assert!(
        e.starts_with("the candidate command failed on run 1: it exited with code 0 but wrote no output file at "),
        "{e}"
    );
    assert!(
        e.ends_with("candidate.out; it wrote nothing to stderr"),
        "{e}"
    );
}

#[test]
fn bench_failing_command_shows_stderr_tail() {
    let (code, e) = bench_error(
        "cp {input} {output}",
        "echo 'model v2: bad weights' >&2; exit 4",
        "",
    );
    assert_eq!(code, 3);
    assert_eq!(
        e,
        "the candidate command failed on run 1: exited with code 4; its stderr ends with:\n  | \
         model v2: bad weights"
    );
}

/// Issue 11, item 12: the stderr tail was printed by "bench stopped" and
/// again in the check's reason.
#[test]
fn item_12_a_failed_bench_shows_its_stderr_once() {
    // The message is computed, so the command line does not contain it.
    let (dir, path) = temp_suite(&bench_suite(
        "cp {input} {output}",
        "echo \\\"model v$((1 + 1)): bad weights\\\" >&2; exit 4",
        "",
    ));
    let html = dir.path().join("report.html");
    let o = run(&[path.to_str().unwrap(), "--html", html.to_str().unwrap()]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert_eq!(
        o.stdout.matches("model v2: bad weights").count(),
        1,
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains(
            "bench stopped: the candidate command failed on run 1: exited with code 4; its \
             stderr ends with:\n  | model v2: bad weights\n"
        ),
        "{}",
        o.stdout
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("model v2: bad weights").count(), 1, "{page}");
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    let gate = common::named(&json(&o)["suites"][0]["bench"]["gates"], "bench");
    assert_eq!(
        gate["why"],
        "the candidate command failed on run 1: exited with code 4"
    );
}

#[test]
fn bench_times_both_models_and_feeds_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    let (b, c) = (dir.path().join("v1.parquet"), dir.path().join("v2.parquet"));
    let suite = format!(
        r#"
version: 1
sources:
  v1: {{ path: {b} }}
  v2: {{ path: {c} }}
bench:
  input: fixtures/release/preds_v1.parquet
  baseline_cmd: "sleep 0.01; cp {{input}} {{output}}"
  candidate_cmd: "sleep 0.3; cp fixtures/release/preds_v2.parquet {{output}}"
  baseline_output: {b}
  candidate_output: {c}
  runs: 3
  warmup: 1
  max_slowdown: 1.5
diff:
  baseline: v1
  candidate: v2
  key: id
  columns:
    score: {{ abs_tol: 1.0e-6 }}
"#,
        b = b.display(),
        c = c.display()
    );
    let path = dir.path().join("suite.yml");
    std::fs::write(&path, suite).unwrap();
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "the candidate is ~30× slower: {}", o.stderr);
    let r = json(&o);
    let bench = &r["suites"][0]["bench"];
    for side in ["baseline", "candidate"] {
        let runs = bench[side]["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 4, "1 warm-up + 3 runs");
        assert_eq!(runs.iter().filter(|r| r["warmup"] == true).count(), 1);
        assert!(runs
            .iter()
            .all(|r| r["peak_rss_bytes"].as_u64().unwrap() > 0));
    }
    assert!(bench["candidate"]["median_seconds"].as_f64().unwrap() >= 0.3);
    assert!(bench["slowdown"].as_f64().unwrap() > 1.5);
    let g = &bench["gates"][0];
    assert_eq!(g["name"], "bench.max_slowdown");
    assert_eq!(g["status"], "fail");
    assert_eq!(g["expected"], "≤ 1.5×");
    // The last run's outputs were diffed.
    assert_eq!(column(&r, "score")["changed"], 4);
}

/// `verdict diff` keyed on `id`, scoring `label` against the truth's `y`,
/// as JSON.
fn truth_diff(v1: &str, v2: &str, truth: &str) -> common::Out {
    verdict(&[
        "diff",
        "--baseline",
        v1,
        "--candidate",
        v2,
        "--key",
        "id",
        "--truth",
        truth,
        "--truth-column",
        "y",
        "--prediction",
        "label",
        "--format",
        "json",
    ])
}

/// Issue 11, item 9: a boolean truth against 0/1 integer predictions
/// stopped the whole diff (exit 3), losing the score and flip statistics.
#[test]
fn item_9_a_boolean_truth_scores_0_1_predictions() {
    use datafusion::arrow::array::{ArrayRef, BooleanArray, Float64Array, Int64Array};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let ids = || Arc::new(Int64Array::from(vec![1, 2, 3, 4])) as ArrayRef;
    let preds = |labels: Vec<i64>, scores: Vec<f64>| -> Vec<(&str, ArrayRef)> {
        vec![
            ("id", ids()),
            ("label", Arc::new(Int64Array::from(labels))),
            ("score", Arc::new(Float64Array::from(scores))),
        ]
    };
    let v1 = common::parquet(
        dir.path(),
        "v1.parquet",
        preds(vec![1, 0, 1, 0], vec![0.9, 0.2, 0.6, 0.4]),
    );
    let v2 = common::parquet(
        dir.path(),
        "v2.parquet",
        preds(vec![1, 0, 0, 0], vec![0.9, 0.2, 0.3, 0.4]),
    );
    let truth = common::parquet(
        dir.path(),
        "truth.parquet",
        vec![
            ("id", ids()),
            (
                "y",
                Arc::new(BooleanArray::from(vec![true, false, true, true])),
            ),
        ],
    );
    let o = truth_diff(&v1, &v2, &truth);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let r = json(&o);
    let d = &r["suites"][0]["diff"];
    let accuracy = d["quality"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "accuracy")
        .unwrap();
    // Truth 1,0,1,1: v1 gets 3 of 4 right, v2 2 of 4.
    assert_eq!(accuracy["baseline"], 0.75);
    assert_eq!(accuracy["candidate"], 0.5);
    assert_eq!(column(&r, "label")["transitions"]["flips"], 1);
    assert_eq!(column(&r, "score")["changed"], 1);
    assert_eq!(
        d["warnings"][0],
        "the truth `y` is bool and the prediction `label` is int64 (baseline) and int64 \
         (candidate): booleans are compared as integers, false as 0 and true as 1"
    );
}

/// Issue 11, item 9: truth and predictions that cannot meet at all (text
/// against numbers) make quality an error, and the rest of the diff stays.
#[test]
fn item_9_quality_that_cannot_be_computed_keeps_the_rest_of_the_diff() {
    use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let ids = || Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef;
    let v1 = common::parquet(
        dir.path(),
        "v1.parquet",
        vec![
            ("id", ids()),
            ("label", Arc::new(Int64Array::from(vec![1, 0]))),
        ],
    );
    let v2 = common::parquet(
        dir.path(),
        "v2.parquet",
        vec![
            ("id", ids()),
            ("label", Arc::new(Int64Array::from(vec![0, 0]))),
        ],
    );
    let truth = common::parquet(
        dir.path(),
        "truth.parquet",
        vec![
            ("id", ids()),
            ("y", Arc::new(StringArray::from(vec!["yes", "no"]))),
        ],
    );
    let o = truth_diff(&v1, &v2, &truth);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    let r = json(&o);
    assert_eq!(column(&r, "label")["transitions"]["flips"], 1);
    assert_eq!(r["suites"][0]["diff"]["rows"]["both"], 2);
    let g = gate(&r, "quality");
    assert_eq!(g["status"], "error");
    assert_eq!(
        g["why"],
        "quality: the truth `y` is string and the prediction `label` is int64 (baseline) and \
         int64 (candidate); these cannot be compared"
    );
}

/// Issue 11, item 10: a zoned timestamp against a MySQL DATETIME-like
/// naive one (another unit too) "could not be compared".
#[test]
fn item_10_naive_and_utc_timestamps_of_other_units_are_compared() {
    use datafusion::arrow::array::{
        ArrayRef, Float64Array, TimestampMicrosecondArray, TimestampNanosecondArray,
    };
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let us = [1_700_000_000_000_000i64, 1_700_000_060_000_000];
    let ns: Vec<i64> = us.iter().map(|u| u * 1000).collect();
    let utc = TimestampNanosecondArray::from(ns).with_timezone("UTC");
    let naive = TimestampMicrosecondArray::from(us.to_vec());
    let v1 = common::parquet(
        dir.path(),
        "v1.parquet",
        vec![
            ("at", Arc::new(utc.clone()) as ArrayRef),
            ("seen", Arc::new(utc) as ArrayRef),
            ("score", Arc::new(Float64Array::from(vec![0.5, 0.6]))),
        ],
    );
    let v2 = common::parquet(
        dir.path(),
        "v2.parquet",
        vec![
            ("at", Arc::new(naive.clone()) as ArrayRef),
            ("seen", Arc::new(naive) as ArrayRef),
            ("score", Arc::new(Float64Array::from(vec![0.5, 0.7]))),
        ],
    );
    let o = verdict(&[
        "diff",
        "--baseline",
        &v1,
        "--candidate",
        &v2,
        "--key",
        "at",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let r = json(&o);
    let d = &r["suites"][0]["diff"];
    assert_eq!(d["rows"]["both"], 2);
    assert_eq!(d["rows"]["only_baseline"], 0);
    assert_eq!(column(&r, "seen")["changed"], 0);
    assert_eq!(column(&r, "seen")["error"], Value::Null);
    assert_eq!(column(&r, "score")["changed"], 1);
    assert_eq!(
        d["warnings"],
        serde_json::json!([
            "key column `at`: the candidate's timestamps have no time zone; they are read as \
             UTC (timestamp[ns, UTC] vs timestamp[us])",
            "column `seen`: the candidate's timestamps have no time zone; they are read as UTC \
             (timestamp[ns, UTC] vs timestamp[us])"
        ])
    );
}

/// Issue 11, item 11: changes of an identifier-like column were pushed
/// out of the listed pairs by its unchanged ones, so "N flips, old →
/// new:" had nothing under it.
#[test]
fn item_11_changes_of_a_many_valued_column_are_listed() {
    use datafusion::arrow::array::{ArrayRef, Int64Array};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let n = 200i64;
    let ids: Vec<i64> = (0..n).collect();
    let codes: Vec<Option<i64>> = (0..n).map(|i| Some(1000 + i)).collect();
    let mut changed = codes.clone();
    changed[7] = None;
    changed[9] = Some(5);
    let side = |v: Vec<Option<i64>>| -> Vec<(&str, ArrayRef)> {
        vec![
            ("id", Arc::new(Int64Array::from(ids.clone()))),
            ("code", Arc::new(Int64Array::from(v))),
        ]
    };
    let v1 = common::parquet(dir.path(), "v1.parquet", side(codes));
    let v2 = common::parquet(dir.path(), "v2.parquet", side(changed));
    let args = ["diff", "--baseline", &v1, "--candidate", &v2, "--key", "id"];
    let o = verdict(&args);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "code — 2 flips (rate 0.01, 1 to or from null), old → new:\n  1007 → null: 1 row\n  1009 → 5: 1 row\n"
        ),
        "{}",
        o.stdout
    );
    let mut with_json = args.to_vec();
    with_json.extend(["--format", "json"]);
    let r = json(&verdict(&with_json));
    let t = &column(&r, "code")["transitions"];
    assert_eq!(t["distinct_pairs"], 200);
    assert_eq!(
        t["changes"],
        serde_json::json!([
            { "from": 1007, "to": null, "rows": 1 },
            { "from": 1009, "to": 5, "rows": 1 }
        ])
    );
}
