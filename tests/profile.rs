//! `verdict profile`: the starter suite it prints is valid, passes on the
//! data it came from and fails on a copy with planted defects — naming the
//! checks that catch each defect. Exit codes asserted every time.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use common::{json, run, temp_suite, verdict, Out};

/// Profiles `args` and returns the suite text (asserting exit 0).
fn profile(args: &[&str]) -> String {
    let mut a = vec!["profile"];
    a.extend_from_slice(args);
    let o = verdict(&a);
    assert_eq!(o.code, 0, "{}", o.stderr);
    o.stdout
}

fn validate(suite: &Path) -> Out {
    verdict(&["validate", suite.to_str().unwrap()])
}

/// Runs a suite; returns the exit code and the names of the checks that
/// did not pass.
fn run_suite(suite: &Path) -> (i32, Vec<String>) {
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    let report = json(&o);
    let failed = report["suites"][0]["sources"][0]["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks: {}", o.stdout))
        .iter()
        .filter(|c| c["status"] != "pass")
        .map(|c| {
            format!(
                "{} ({})",
                c["name"].as_str().unwrap(),
                c["status"].as_str().unwrap()
            )
        })
        .collect();
    (o.code, failed)
}

/// The suite passes `validate` and `run` on the data it was made from.
fn assert_round_trip(text: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, path) = temp_suite(text);
    let v = validate(&path);
    assert_eq!(v.code, 0, "validate: {}{}\n{text}", v.stdout, v.stderr);
    let (code, failed) = run_suite(&path);
    assert_eq!((code, failed), (0, Vec::<String>::new()), "{text}");
    (dir, path)
}

#[test]
fn features_suite_snapshot() {
    let o = verdict(&["profile", "fixtures/features.parquet"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stderr, "");
    snap!("features", o.stdout);
}

#[test]
fn features_round_trip_and_planted_defects() {
    let text = profile(&["fixtures/features.parquet"]);
    assert_round_trip(&text);
    let defects = text.replace(
        "path: fixtures/features.parquet",
        "path: fixtures/features_defects.parquet",
    );
    assert_ne!(defects, text);
    let (_dir, path) = temp_suite(&defects);
    let (code, failed) = run_suite(&path);
    assert_eq!(code, 1);
    // One planted defect per kind (examples/make_fixtures.rs), each caught.
    assert_eq!(
        failed,
        [
            "id.unique (fail)",       // id[10] = id[11]
            "price.null_rate (fail)", // 15 nulls instead of 5
            "price.min (fail)",       // -5.0
            "qty.max (fail)",         // 100000
            "category.in_set (fail)", // "z"
            "country.in_set (fail)",  // "FRANCE"
            "email.length (fail)",    // "not-an-email"
            "created_at.max (fail)",  // 400 days after the start
            "score.nan_rate (fail)",  // one NaN
        ]
    );
}

#[test]
fn csv_with_values_that_need_quoting() {
    let text = profile(&["fixtures/profile/tricky.csv"]);
    // Every value must read back exactly, or `in_set` would fail the run;
    // `${HOME}` is data, not an environment variable.
    assert!(
        text.contains(r#"in_set: ["\"quoted\"", "01", "a, b", "yes"]"#),
        "{text}"
    );
    assert!(text.contains(r#""$${HOME}""#), "{text}");
    assert_round_trip(&text);
    snap!("tricky_csv", text);
}

#[test]
fn column_names_that_need_quoting() {
    let text = profile(&["fixtures/weird_names.parquet", "--name", "weird names"]);
    assert!(text.contains(r#""x; drop table t":"#), "{text}");
    assert!(text.contains(r#""a\"b":"#), "{text}");
    assert!(text.contains("  \"weird names\":\n"), "{text}");
    assert_round_trip(&text);
}

#[test]
fn same_table_same_bytes() {
    let a = profile(&["fixtures/features.parquet"]);
    let b = profile(&["fixtures/features.arrow", "--name", "features"]);
    assert_eq!(a, profile(&["fixtures/features.parquet"]));
    // The same rows in another format give the same checks.
    let body = |s: &str| {
        s.split("version: 1")
            .nth(1)
            .unwrap()
            .replace(".arrow", ".parquet")
    };
    assert_eq!(body(&a), body(&b));
}

#[test]
fn options_change_the_rules() {
    // No margin: the bounds are the observed values, and the data still passes.
    let tight = profile(&["fixtures/features.parquet", "--margin", "0"]);
    assert!(
        tight.contains("- row_count: { min: 1000, max: 1000 }"),
        "{tight}"
    );
    assert_round_trip(&tight);
    // No sets: strings get length bounds instead.
    let no_sets = profile(&["fixtures/features.parquet", "--max-set", "0"]);
    assert!(!no_sets.contains("- in_set"), "{no_sets}");
    assert!(
        no_sets.contains("- length: { min: 1, max: 3 }"),
        "{no_sets}"
    );
    assert_round_trip(&no_sets);
}

#[test]
fn empty_table_gets_the_schema_contract_only() {
    let o = verdict(&["profile", "fixtures/empty.parquet"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.stderr,
        "warning: fixtures/empty.parquet has no rows; the suite checks its schema only\n"
    );
    assert!(!o.stdout.contains("nullable: false }"), "{}", o.stdout);
    assert_round_trip(&o.stdout);
    snap!("empty", o.stdout);
}

#[test]
fn unreadable_sources_exit_3() {
    let o = verdict(&["profile", "fixtures/nope.parquet"]);
    assert_eq!(o.code, 3);
    assert_eq!(o.stdout, "");
    assert_eq!(
        o.stderr,
        "error: no such file or directory: fixtures/nope.parquet\n"
    );
    let o = verdict(&["profile", "fixtures/corrupt.parquet"]);
    assert_eq!(o.code, 3);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
    assert!(
        o.stderr.contains("not a valid Parquet file"),
        "{}",
        o.stderr
    );
    let o = verdict(&["profile", "fixtures/no_such_dir/*.csv"]);
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stderr,
        "error: no files match `fixtures/no_such_dir/*.csv`\n"
    );
}

#[test]
fn bad_options_exit_2() {
    for margin in [["--margin", "-0.5"], ["--margin=-1", "--max-set=3"]] {
        let mut a = vec!["profile", "fixtures/features.parquet"];
        a.extend_from_slice(&margin);
        let o = verdict(&a);
        assert_eq!(o.code, 2, "{margin:?}: {}", o.stderr);
        assert_eq!(o.stdout, "");
        assert!(
            o.stderr
                .starts_with("error: --margin must be a fraction ≥ 0"),
            "{}",
            o.stderr
        );
    }
    let o = verdict(&["profile", "fixtures/features.parquet", "--format", "xlsx"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: unknown format `xlsx`; expected parquet, csv, json or arrow\n"
    );
    let o = verdict(&["profile", "fixtures/features.parquet", "--max-set", "-1"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

/// Issue 11, item 15: widened bounds went past what the column can hold
/// (month ≤ 13, hour ≤ 25, day of week ≤ 7, humidity ≤ 109).
#[test]
fn item_15_widened_bounds_stay_in_the_columns_domain() {
    use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let n = 24 * 12;
    let ints = |f: &dyn Fn(i64) -> i64| {
        Arc::new(Int64Array::from((0..n).map(f).collect::<Vec<_>>())) as ArrayRef
    };
    let floats = |f: &dyn Fn(i64) -> f64| {
        Arc::new(Float64Array::from((0..n).map(f).collect::<Vec<_>>())) as ArrayRef
    };
    let path = common::parquet(
        dir.path(),
        "weather.parquet",
        vec![
            ("month", ints(&|i| 1 + i % 12)),
            ("hour", ints(&|i| i % 24)),
            ("day_of_week", ints(&|i| 1 + i % 7)),
            ("humid", floats(&|i| 12.5 + (i % 8) as f64 * 12.5)),
            ("p_late", floats(&|i| (i % 5) as f64 * 0.25)),
            ("dep_delay", ints(&|i| i - 43)),
        ],
    );
    let text = profile(&[&path]);
    // A column's block: its name line and the deeper lines under it.
    let column = |name: &str| {
        let head = format!("      {name}:");
        let mut lines = text.lines().skip_while(|l| *l != head);
        let mut block = format!("{}\n", lines.next().unwrap_or_else(|| panic!("{text}")));
        for l in lines.take_while(|l| l.starts_with("        ")) {
            block.push_str(l);
            block.push('\n');
        }
        block
    };
    assert_eq!(
        column("month"),
        "      month:\n        # observed: min 1, max 12, no nulls, widened only within 1..12: \
         it looks like a month\n        - min: { min: 1 }\n        - max: { max: 12 }\n"
    );
    assert!(
        column("hour").contains("- min: { min: 0 }\n        - max: { max: 23 }\n"),
        "{text}"
    );
    assert!(column("hour").contains("widened only within 0..23: it looks like an hour of the day"));
    assert!(
        column("day_of_week").contains("- max: { max: 7 }\n"),
        "{text}"
    );
    assert!(column("humid").contains("- max: { max: 100 }\n"), "{text}");
    assert!(
        column("humid").contains("it looks like a percentage"),
        "{text}"
    );
    assert!(
        column("p_late").contains("- min: { min: 0.0 }\n        - max: { max: 1 }\n"),
        "{text}"
    );
    // A column that only looks like itself widens as before.
    assert!(
        column("dep_delay").contains("- min: { min: -72 }\n        - max: { max: 273 }\n"),
        "{text}"
    );
    assert!(!column("dep_delay").contains("widened only"), "{text}");
    // The data still passes its own suite.
    let suite = dir.path().join("suite.yml");
    std::fs::write(&suite, &text).unwrap();
    let (code, failed) = run_suite(&suite);
    assert_eq!((code, failed), (0, Vec::<String>::new()), "{text}");
}
