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
                        "seconds" | "timings" | "spilled" | "sorted_on_disk"
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
/// keeps 32,768 differences in memory (1/256 of the bound), so 200,000
/// go to disk; the percentiles and the histogram equal the unbounded
/// run's, and the report says how many differences were on disk.
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
        let mut a = vec![
            "diff",
            "--baseline",
            &b,
            "--candidate",
            &c,
            "--key",
            "id",
            "--format",
            "json",
        ];
        a.extend_from_slice(extra);
        verdict(&a)
    };
    let (free, bounded) = (diff(&[]), diff(&["--memory-limit", "64M"]));
    // No gate is set: the diff reports, it does not fail.
    assert_eq!(free.code, 0, "{}", free.stderr);
    assert_eq!(bounded.code, 0, "{}", bounded.stderr);
    let (fj, bj) = (json(&free), json(&bounded));
    let (fc, bc) = (
        &fj["suites"][0]["diff"]["columns"][0],
        &bj["suites"][0]["diff"]["columns"][0],
    );
    assert_eq!(what(bc), what(fc));
    assert_eq!(bc["numeric"]["spilled"], n);
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
    let console = verdict(&[
        "diff",
        "--baseline",
        &b,
        "--candidate",
        &c,
        "--key",
        "id",
        "--memory-limit",
        "64M",
    ]);
    assert_eq!(
        console
            .stdout
            .matches(
                "s: 200000 differences kept on disk under --memory-limit; the percentiles are exact"
            )
            .count(),
        1,
        "{}",
        console.stdout
    );
}
