//! Metric drift (`change_vs:`) against a reference source and against the
//! run history, the history files themselves (atomic, readable by any
//! Parquet reader, versioned) and `verdict history`.

#[macro_use]
mod common;

use std::path::Path;
use std::process::Command;

use common::*;

#[test]
fn change_against_a_reference_source() {
    let o = run(&["fixtures/suites/change.yml", "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let j = json(&o);
    let c = check_named(&j, "price.null_rate");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["expected"], "|Δ| ≤ 0.005 vs `yesterday`");
    assert_eq!(
        c["observed_text"],
        "0.015 (15 of 1000) (`yesterday` 0.005, Δ +0.01, +200%)"
    );
    assert_eq!(c["why"], "changed too much: |Δ| 0.01 > 0.005");
    let c = check_named(&j, "row_count");
    assert_eq!(c["status"], "pass");
    assert_eq!(c["observed_text"], "1000 rows (`yesterday` 1000, Δ 0, +0%)");
    let c = check_named(&j, "price.mean");
    assert_eq!(c["status"], "pass", "{c}");
    let c = check_named(&j, "qty.sum");
    assert_eq!(
        (c["status"].as_str(), c["severity"].as_str()),
        (Some("fail"), Some("warn"))
    );
    assert_eq!(c["why"], "changed too much: |Δ| 934.454724% > 5%");
    // The reference's metrics come from one aggregate of their own.
    let scans = j["suites"][0]["sources"][0]["scans"].as_array().unwrap();
    let labels: Vec<&str> = scans.iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert!(
        labels
            .iter()
            .any(|l| l.ends_with("of reference `yesterday`")),
        "{labels:?}"
    );
}

#[test]
fn change_console() {
    let o = run(&["fixtures/suites/change.yml"]);
    assert_eq!(o.code, 1);
    snap!("change_console", o.stdout);
}

#[test]
fn broken_change_checks_are_invalid() {
    let o = verdict(&["validate", "fixtures/suites/invalid/change_mistakes.yml"]);
    assert_eq!(o.code, 2);
    snap!("change_mistakes", o.stderr);
}

const HISTORY_SUITE: &str = "version: 1\nsources:\n  orders: { path: \"${DATA}\" }\nchecks:\n  orders:\n    table:\n      - row_count: { min: 1 }\n    columns:\n      price:\n        - null_rate: { change_vs: history, window: 3, max_z: 3 }\n        - mean: { change_vs: history, window: 1, max_rel: 0.01, name: price_vs_last }\n";

/// `verdict run SUITE --history DIR --now NOW` with DATA set.
fn run_with_history(suite: &Path, dir: &Path, now: &str, data: &str) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args([
            "run",
            suite.to_str().unwrap(),
            "--history",
            dir.to_str().unwrap(),
            "--now",
            now,
            "--format",
            "json",
        ])
        .env("DATA", data)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn parquet_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn history_runs_compare_with_their_past() {
    let (tmp, suite) = temp_suite(HISTORY_SUITE);
    let dir = tmp.path().join("history");
    // First run: nothing to compare with yet — an error, never a pass.
    let o = run_with_history(
        &suite,
        &dir,
        "2026-11-20T00:00:00Z",
        "fixtures/features.parquet",
    );
    assert_eq!(o.code, 3, "{}", o.stderr);
    let j = json(&o);
    assert_eq!(
        check_named(&j, "price_vs_last")["why"],
        "the history has no earlier run of this check: nothing to compare with yet"
    );
    // Checks that could not compare still record their value: the source's
    // rows, row_count, price.null_rate and price_vs_last.
    assert_eq!(j["history"]["rows"], 4, "{}", j["history"]);
    // Second run: the mean equals the last one; z needs two runs.
    let o = run_with_history(
        &suite,
        &dir,
        "2026-11-21T00:00:00Z",
        "fixtures/features.parquet",
    );
    let j = json(&o);
    assert_eq!(check_named(&j, "price_vs_last")["status"], "pass");
    assert_eq!(
        check_named(&j, "price.null_rate")["why"],
        "a z-score needs at least 2 earlier runs; the history has 1"
    );
    let o = run_with_history(
        &suite,
        &dir,
        "2026-11-22T00:00:00Z",
        "fixtures/features.parquet",
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    // Then the defects arrive: 10 more null prices than every earlier run.
    let o = run_with_history(
        &suite,
        &dir,
        "2026-11-23T00:00:00Z",
        "fixtures/features_defects.parquet",
    );
    assert_eq!(o.code, 1);
    let j = json(&o);
    let c = check_named(&j, "price.null_rate");
    assert_eq!(c["expected"], "|z| ≤ 3 vs the mean of the last 3 runs");
    assert_eq!(
        c["observed_text"],
        "0.015 (15 of 1000) (mean of 3 runs 0.005, Δ +0.01, +200%, z inf)"
    );
    assert_eq!(c["why"], "changed too much: |z| inf > 3");
    let files = parquet_files(&dir);
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(
        files[0].starts_with("2026-11-20T000000Z-") && files[0].ends_with(".parquet"),
        "{files:?}"
    );
    // `verdict history` shows the series.
    let o = verdict(&[
        "history",
        dir.to_str().unwrap(),
        "--check",
        "price.null_rate",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let suite_name = suite.display().to_string();
    assert!(o.stdout.starts_with(&format!(
        "{suite_name} · orders · price.null_rate · null_rate: 4 runs, latest 0.015 (fail), range 0.005 … 0.015\n  ▁▁▁█\n"
    )), "{}", o.stdout);
}

#[test]
fn history_is_plain_parquet() {
    let (tmp, suite) = temp_suite(HISTORY_SUITE);
    let dir = tmp.path().join("h");
    run_with_history(
        &suite,
        &dir,
        "2026-11-20T00:00:00Z",
        "fixtures/features.parquet",
    );
    let rows = verdict::history::read(&dir).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].check, "rows");
    assert_eq!(rows[0].metric, "row_count");
    assert_eq!(rows[0].value, 1000.0);
    assert_eq!(rows[0].time_us, 1_795_132_800_000_000);
    // DataFusion reads it as any Parquet file.
    let file = dir.join(&parquet_files(&dir)[0]);
    let o = verdict(&["schema", file.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let shown = o
        .stdout
        .replacen(&file.display().to_string(), "[history file]", 1);
    snap!("history_schema", shown);
}

#[test]
fn history_problems() {
    let (tmp, suite) = temp_suite(HISTORY_SUITE);
    // An unwritable history: a file where the directory should be.
    let blocker = tmp.path().join("blocked");
    std::fs::write(&blocker, "not a directory").unwrap();
    let o = run_with_history(
        &suite,
        &blocker,
        "2026-11-20T00:00:00Z",
        "fixtures/features.parquet",
    );
    assert_eq!(o.code, 3);
    assert!(
        o.stderr.starts_with(&format!(
            "error: cannot create the history in {}: ",
            blocker.display()
        )),
        "{}",
        o.stderr
    );
    // A half-written file of a killed run is hidden and ignored.
    let dir = tmp.path().join("h");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(".verdict-abc.tmp"), "partial").unwrap();
    assert_eq!(verdict::history::read(&dir).unwrap(), vec![]);
    // An empty directory: no runs yet.
    let o = verdict(&["history", dir.to_str().unwrap()]);
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stderr,
        format!(
            "no recorded values match in {} (0 runs recorded)\n",
            dir.display()
        )
    );
    // A file from a newer layout is refused, naming it.
    run_with_history(
        &suite,
        &dir,
        "2026-11-20T00:00:00Z",
        "fixtures/features.parquet",
    );
    let good = dir.join(
        parquet_files(&dir)
            .into_iter()
            .find(|f| f.ends_with(".parquet"))
            .unwrap(),
    );
    let newer = dir.join("2027-01-01T000000Z-ffff.parquet");
    rewrite_version(&good, &newer, 2);
    let e = verdict::error::text(&verdict::history::read(&dir).unwrap_err());
    assert_eq!(
        e,
        format!(
            "history file {} has layout version 2; this verdict reads version 1 (written by a newer verdict)",
            newer.display()
        )
    );
}

/// Copies a history file with another `schema_version`.
fn rewrite_version(src: &Path, dst: &Path, version: i32) {
    use datafusion::arrow::array::{Int32Array, RecordBatch};
    use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use datafusion::parquet::arrow::ArrowWriter;
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(src).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let schema = verdict::history::schema();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(dst).unwrap(), schema.clone(), None).unwrap();
    for b in reader {
        let b = b.unwrap();
        let mut cols = b.columns().to_vec();
        cols[0] = std::sync::Arc::new(Int32Array::from(vec![version; b.num_rows()]));
        w.write(&RecordBatch::try_new(schema.clone(), cols).unwrap())
            .unwrap();
    }
    w.close().unwrap();
}

#[test]
fn a_comparison_records_every_environments_values() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("h");
    let o = verdict(&[
        "run",
        "expectations/compare.yml",
        "--now",
        "2026-11-20T00:00:00Z",
        "--history",
        history.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let rows = verdict::history::read(&history).unwrap();
    let of = |check: &str| -> Vec<(String, f64, String)> {
        rows.iter()
            .filter(|r| r.check == check)
            .map(|r| (r.source.clone(), r.value, r.status.clone()))
            .collect()
    };
    let fail = || "fail".to_string();
    assert_eq!(
        of("compare.row_count"),
        vec![
            ("prod".into(), 1000.0, fail()),
            ("preprod".into(), 1000.0, fail()),
            ("dev".into(), 999.0, fail())
        ]
    );
    let sums = of("compare.revenue.sum");
    assert_eq!(sums.len(), 3);
    assert_eq!(sums[2].0, "dev");
    assert_eq!(sums[2].1, 624475.0);
    let r = rows
        .iter()
        .find(|r| r.check == "compare.revenue.sum")
        .unwrap();
    assert_eq!(
        (r.metric.as_str(), r.column.as_deref()),
        ("sum", Some("revenue"))
    );
    // dev's row diff is its own series, apart from a suite's `diff:`.
    let dup = rows
        .iter()
        .find(|r| r.check == "candidate.duplicate_keys")
        .unwrap();
    assert_eq!((dup.source.as_str(), dup.value), ("diff dev", 0.0));
    // Estimated distinct counts are not gated, so not recorded.
    assert!(rows.iter().all(|r| !r.check.ends_with(".distinct")));
}

/// Issue 12, item 20: a killed run's `.verdict-*.tmp` stayed in the history
/// directory forever. The next write removes those untouched for an hour;
/// a younger one may be a write in progress and stays.
#[test]
fn item_20_stale_temporary_files_are_removed_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".verdict-killed.tmp");
    let fresh = dir.path().join(".verdict-writing.tmp");
    for p in [&stale, &fresh] {
        std::fs::write(p, b"partial").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    let (_d, suite) = temp_suite(HISTORY_SUITE);
    let o = run_with_history(
        &suite,
        dir.path(),
        "2026-11-01T00:00:00Z",
        "fixtures/features.parquet",
    );
    // A first run has no past to compare with: exit 3, and it is recorded.
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(!stale.exists(), "the killed write's file is gone");
    assert!(fresh.exists(), "a write that may be in progress stays");
    let files = parquet_files(dir.path());
    assert_eq!(
        files.len(),
        2,
        "the run and the young temporary file: {files:?}"
    );
    assert!(files[0].starts_with(".verdict-writing") && files[1].ends_with(".parquet"));
}
