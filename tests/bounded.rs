//! Under `--memory-limit`, what verdict keeps of its own goes to disk and
//! the answers stay exact: drift's sorted values and the diff's non-zero
//! differences. Each test compares a bounded run with an unbounded one.

mod common;

use std::sync::Arc;

use common::*;
use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array};
use serde_json::Value;

/// `x` without the keys that say how, not what: timings and where values
/// were kept.
fn what(x: &Value) -> Value {
    match x {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "seconds" | "timings" | "spilled" | "sorted_on_disk" | "scores_spilled"
                    )
                })
                .map(|(k, v)| (k.clone(), what(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(what).collect()),
        v => v.clone(),
    }
}

/// The bundled drift suite under a 64M bound sorts every numeric column
/// on disk, says so, and gives every statistic the unbounded run gives.
#[test]
fn bounded_drift_sorts_on_disk_with_the_same_statistics() {
    let free = run(&["expectations/drift.yml", "--format", "json"]);
    let bounded = run(&[
        "expectations/drift.yml",
        "--format",
        "json",
        "--memory-limit",
        "64M",
    ]);
    assert_eq!(bounded.code, free.code, "{}", bounded.stderr);
    let (f, b) = (json(&free), json(&bounded));
    let (fd, bd) = (&f["suites"][0]["drift"], &b["suites"][0]["drift"]);
    assert_eq!(what(bd), what(fd));
    let on_disk: Vec<(&str, bool)> = bd[0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["column"].as_str().unwrap(),
                c["sorted_on_disk"] == Value::Bool(true),
            )
        })
        .collect();
    assert_eq!(
        on_disk,
        [
            ("price", true),
            ("qty", true),
            ("day", true),
            ("active", false),
            ("category", false)
        ]
    );
    assert!(fd[0]["columns"][0].get("sorted_on_disk").is_none());
    let console = run(&["expectations/drift.yml", "--memory-limit", "64M"]);
    assert!(
        console.stdout.contains(
            "values sorted on disk under --memory-limit (all of them: the statistics are exact)"
        ),
        "{}",
        console.stdout
    );
}

/// A diff whose every score changed, under a 64M bound: each partition
/// writes its differences to disk in sorted runs of 32,768 (1/256 of the
/// bound), six runs in all, and keeps the rest in memory; the percentiles
/// and the histogram equal the unbounded run's, and the report says how
/// many differences were on disk.
#[test]
fn bounded_diff_keeps_differences_on_disk_and_exact_percentiles() {
    let dir = tempfile::tempdir().unwrap();
    let n = 200_000i64;
    let ids: ArrayRef = Arc::new(Int64Array::from((0..n).collect::<Vec<_>>()));
    let score = |v: &dyn Fn(i64) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from((0..n).map(v).collect::<Vec<_>>()))
    };
    let b = parquet(
        dir.path(),
        "b.parquet",
        vec![("id", ids.clone()), ("s", score(&|i| (i % 997) as f64))],
    );
    let c = parquet(
        dir.path(),
        "c.parquet",
        vec![
            ("id", ids),
            (
                "s",
                score(&|i| (i % 997) as f64 + 1e-6 * ((i * 7_919) % 100_003 + 1) as f64),
            ),
        ],
    );
    let diff = |extra: &[&str]| {
        let mut a = vec!["diff", "--baseline", &b, "--candidate", &c, "--key", "id"];
        a.extend_from_slice(extra);
        verdict(&a)
    };
    let json_out = ["--format", "json"];
    let (free, bounded) = (
        diff(&json_out),
        diff(&[&json_out[..], &["--memory-limit", "64M"]].concat()),
    );
    // No gate is set: the diff reports, it does not fail.
    assert_eq!(free.code, 0, "{}", free.stderr);
    assert_eq!(bounded.code, 0, "{}", bounded.stderr);
    let (fj, bj) = (json(&free), json(&bounded));
    let (fc, bc) = (
        &fj["suites"][0]["diff"]["columns"][0],
        &bj["suites"][0]["diff"]["columns"][0],
    );
    assert_eq!(what(bc), what(fc));
    assert_eq!(bc["numeric"]["spilled"], 6 * 32_768);
    assert!(fc["numeric"].get("spilled").is_none());
    // The percentiles are numpy's linear ones of the same differences.
    assert_eq!(bc["numeric"]["values"], n);
    let mut d: Vec<f64> = (0..n)
        .map(|i| {
            let x = (i % 997) as f64;
            ((x + 1e-6 * ((i * 7_919) % 100_003 + 1) as f64) - x).abs()
        })
        .collect();
    d.sort_by(f64::total_cmp);
    let percentile = |q: f64| {
        let h = (d.len() - 1) as f64 * q;
        let lo = h.floor() as usize;
        d[lo] + (h - lo as f64) * (d[lo + 1] - d[lo])
    };
    // Compared as the report prints them (the shortest text that reads
    // back to the same bits): serde_json's own parser may be 1 ulp off.
    for (p, q) in [("p50_abs", 0.5), ("p95_abs", 0.95), ("p99_abs", 0.99)] {
        let want = format!("\"{p}\": {}", percentile(q));
        assert!(bounded.stdout.contains(&want), "{want}: {bc}");
    }
    let html = dir.path().join("diff.html");
    let md = dir.path().join("diff.md");
    let console = diff(&[
        "--memory-limit",
        "64M",
        "--html",
        html.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
    ]);
    assert!(
        std::fs::read_to_string(&md).unwrap().contains(
            "- `s`: 196608 differences kept on disk under --memory-limit; the percentiles are exact"
        ),
        "the Markdown report says it too"
    );
    assert!(
        std::fs::read_to_string(&html).unwrap().contains(
            "<p><code>s</code>: 196608 differences kept on disk under --memory-limit; the percentiles are exact</p>"
        ),
        "the HTML report says it too"
    );
    assert_eq!(
        console
            .stdout
            .matches(
                "s: 196608 differences kept on disk under --memory-limit; the percentiles are exact"
            )
            .count(),
        1,
        "{}",
        console.stdout
    );
}

/// ROC AUC and log loss against truth under a 64M bound: each model's
/// probabilities spill in sorted runs past 32,768 per label and
/// partition, and the quality section equals the unbounded run's; the
/// AUC is the Mann–Whitney statistic of the same scores.
#[test]
fn bounded_quality_keeps_scores_on_disk_and_the_same_auc() {
    let dir = tempfile::tempdir().unwrap();
    let n = 300_000i64;
    let ids: ArrayRef = Arc::new(Int64Array::from((0..n).collect::<Vec<_>>()));
    let truth = |i: i64| (i * 2_654_435_761 % 1_000_003) % 2;
    // Scores on a grid of 1,000 values, so that ties cross the classes.
    let score = |i: i64, m: i64| {
        let noise = ((i * (7_919 + m)) % 1_000) as f64 / 1_000.0;
        ((0.3 * truth(i) as f64 + 0.7 * noise) * 1_000.0).round() / 1_000.0
    };
    let model = |name: &str, m: i64| {
        parquet(
            dir.path(),
            name,
            vec![
                ("id", ids.clone()),
                (
                    "label",
                    Arc::new(Int64Array::from(
                        (0..n)
                            .map(|i| i64::from(score(i, m) > 0.5))
                            .collect::<Vec<_>>(),
                    )) as ArrayRef,
                ),
                (
                    "p",
                    Arc::new(Float64Array::from(
                        (0..n).map(|i| score(i, m)).collect::<Vec<_>>(),
                    )) as ArrayRef,
                ),
            ],
        )
    };
    let (b, c) = (model("b.parquet", 0), model("c.parquet", 1));
    let t = parquet(
        dir.path(),
        "truth.parquet",
        vec![
            ("id", ids.clone()),
            (
                "y",
                Arc::new(Int64Array::from((0..n).map(truth).collect::<Vec<_>>())) as ArrayRef,
            ),
        ],
    );
    let args = |extra: &[&str]| {
        let mut a = vec![
            "diff",
            "--baseline",
            &b,
            "--candidate",
            &c,
            "--key",
            "id",
            "--truth",
            &t,
            "--truth-column",
            "y",
            "--prediction",
            "label",
            "--probability",
            "p",
        ];
        a.extend_from_slice(extra);
        verdict(&a)
    };
    let quality = |extra: &[&str]| {
        let o = args(&[&["--format", "json"], extra].concat());
        assert_eq!(o.code, 0, "{}", o.stderr);
        json(&o)["suites"][0]["diff"]["quality"].clone()
    };
    let (free, bounded) = (quality(&[]), quality(&["--memory-limit", "64M"]));
    assert_eq!(what(&bounded), what(&free));
    // 2 models × 2 labels × 2 partitions, each about 75,000 scores: two
    // runs of 32,768 each, the rest in memory.
    assert_eq!(bounded["scores_spilled"], 16 * 32_768);
    assert!(free.get("scores_spilled").is_none());
    let md = dir.path().join("quality.md");
    let console = args(&["--memory-limit", "64M", "--markdown", md.to_str().unwrap()]);
    assert!(
        std::fs::read_to_string(&md).unwrap().contains(
            "- 524288 probabilities kept on disk under --memory-limit; roc_auc is over every scored row"
        ),
        "the Markdown report says it too"
    );
    assert_eq!(
        console
            .stdout
            .matches(
                "524288 probabilities kept on disk under --memory-limit; roc_auc is over every scored row"
            )
            .count(),
        1,
        "{}",
        console.stdout
    );
    // The AUC of the baseline, by ranks: (R+ − n+(n+ + 1)/2) / (n+ · n−),
    // ties taking their mean rank.
    let mut scored: Vec<(f64, i64)> = (0..n).map(|i| (score(i, 0), truth(i))).collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < scored.len() {
        let j = i + scored[i..]
            .iter()
            .take_while(|s| s.0 == scored[i].0)
            .count();
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += mean_rank * scored[i..j].iter().filter(|s| s.1 == 1).count() as f64;
        i = j;
    }
    let pos = scored.iter().filter(|s| s.1 == 1).count() as f64;
    let neg = n as f64 - pos;
    let want = (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg);
    let auc = bounded["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "roc_auc")
        .unwrap_or_else(|| panic!("no auc in {bounded}"))["baseline"]
        .as_f64()
        .unwrap();
    assert!((auc - want).abs() < 1e-12, "{auc} against {want}");
}

/// Against a saved reference (bins and runs of values kept in the file),
/// the current side sorted on disk gives the statistics it gives sorted
/// in memory, KS included.
#[test]
fn bounded_drift_against_a_saved_reference_is_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (saved, _) = save_reference(dir.path());
    let (_d, suite) = temp_suite(&format!(
        "version: 1\nsources:\n  current: {{ path: fixtures/drift/current.parquet }}\n\
         drift:\n  current:\n    reference_file: {}\n    columns: [price, qty, day, category]\n",
        saved.display()
    ));
    let s = suite.to_str().unwrap();
    let free = run(&[s, "--format", "json"]);
    let bounded = run(&[s, "--format", "json", "--memory-limit", "64M"]);
    assert_eq!(bounded.code, free.code, "{}", bounded.stderr);
    let (f, b) = (json(&free), json(&bounded));
    let (fd, bd) = (&f["suites"][0]["drift"][0], &b["suites"][0]["drift"][0]);
    assert_eq!(what(bd), what(fd));
    assert_eq!(bd["reference_kind"], "saved");
    let price = &bd["columns"][0];
    assert_eq!(price["sorted_on_disk"], true);
    assert_eq!(price["ks"]["method"], "exact", "{price}");
}
