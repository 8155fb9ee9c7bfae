//! Helpers shared by the CLI test files: run the real binary from the
//! repository root, write temporary suites, read the JSON report, and
//! snapshot with timings redacted.
#![allow(dead_code)]

use std::process::Command;

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn verdict(args: &[&str]) -> Out {
    verdict_env(args, &[])
}

/// Runs verdict with extra environment variables (a password, say).
pub fn verdict_env(args: &[&str], vars: &[(&str, &str)]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(args)
        .envs(vars.iter().copied())
        .env_remove("NO_COLOR")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    Out {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf8"),
        stderr: String::from_utf8(out.stderr).expect("utf8"),
    }
}

/// Run with a fixed `now` so time bounds are reproducible.
pub fn run(args: &[&str]) -> Out {
    let mut a = vec!["run", "--now", "2026-11-25T12:00:00Z"];
    a.extend_from_slice(args);
    verdict(&a)
}

/// Writes a suite to a temporary directory (kept alive by the guard).
pub fn temp_suite(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("suite.yml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The kinds of the queries the JSON report lists for its first source, in
/// order (`aggregate`, `distinct`, `sample`, `sql` …).
pub fn scan_kinds(report: &serde_json::Value) -> Vec<String> {
    report["suites"][0]["sources"][0]["scans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The JSON report's result for the check called `name` (first source).
pub fn check_named(report: &serde_json::Value, name: &str) -> serde_json::Value {
    named(&report["suites"][0]["sources"][0]["checks"], name)
}

/// The check called `name` in a JSON list of checks.
pub fn named(checks: &serde_json::Value, name: &str) -> serde_json::Value {
    checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}"))
        .clone()
}

/// The row of a comparison (`suites[0].compare`) for one column's metric;
/// `column` None is the row count.
pub fn compare_row<'a>(
    compare: &'a serde_json::Value,
    column: Option<&str>,
    metric: &str,
) -> &'a serde_json::Value {
    compare["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["column"].as_str() == column && r["metric"] == metric)
        .unwrap_or_else(|| panic!("no row {column:?} {metric}"))
}

pub fn json(o: &Out) -> serde_json::Value {
    serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", o.stdout, o.stderr))
}

#[allow(unused_macros)]
macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![
            (r"\d+\.\d{2} s", "[secs] s"),
            (r#""(\w*seconds)": [0-9.e-]+"#, r#""$1": "[secs]""#),
        ]}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

/// Writes `columns` as one Parquet file `dir/name` and returns its path.
/// Every column is nullable.
pub fn parquet(
    dir: &std::path::Path,
    name: &str,
    columns: Vec<(&str, datafusion::arrow::array::ArrayRef)>,
) -> String {
    use datafusion::arrow::array::RecordBatch;
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::parquet::arrow::ArrowWriter;

    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let schema = std::sync::Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let path = dir.join(name);
    let mut w = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    path.display().to_string()
}

/// `verdict profile fixtures/drift/reference.parquet --save-reference
/// FILE` into `dir/ref.json`; returns the file and the command's output.
pub fn save_reference(dir: &std::path::Path) -> (std::path::PathBuf, Out) {
    let file = dir.join("ref.json");
    let o = verdict(&[
        "profile",
        "fixtures/drift/reference.parquet",
        "--save-reference",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    (file, o)
}

/// `verdict diff` of `{dir}/{prefix}_v1.parquet` against `_v2`, keyed by
/// `id` and scored against `{dir}/{truth}.parquet` (column `y`): the
/// quality section of its JSON report, which must exit 0.
pub fn quality_of(
    dir: &str,
    prefix: &str,
    truth: &str,
    prediction: &str,
    probability: Option<&str>,
) -> serde_json::Value {
    let [b, c] = ["v1", "v2"].map(|s| format!("{dir}/{prefix}_{s}.parquet"));
    let t = format!("{dir}/{truth}.parquet");
    let mut args = vec![
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
        prediction,
        "--format",
        "json",
    ];
    if let Some(p) = probability {
        args.extend(["--probability", p]);
    }
    let o = verdict(&args);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    json(&o)["suites"][0]["diff"]["quality"].clone()
}

/// The text of `fields` of every check of the first source, in report
/// order (a missing or null field is ""): `[name, status, observed_text]`
/// rows to compare with the expected ones at once.
pub fn check_fields(report: &serde_json::Value, fields: &[&str]) -> Vec<Vec<String>> {
    report["suites"][0]["sources"][0]["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks: {report}"))
        .iter()
        .map(|c| {
            fields
                .iter()
                .map(|f| c[*f].as_str().unwrap_or("").to_string())
                .collect()
        })
        .collect()
}
