//! Drift against a reference: the numbers verdict reports equal scipy's on
//! the fixtures (fixtures/drift/make.py wrote expected.json), a saved
//! reference gives the same numbers as the table, and each bad input has
//! its message and exit code.

#[macro_use]
mod common;

use serde_json::Value;

use common::*;

fn expected() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/drift/expected.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn drift_json(args: &[&str]) -> (Out, Value) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let o = run(&a);
    let j = json(&o);
    (o, j)
}

fn column<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["suites"][0]["drift"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == name)
        .unwrap_or_else(|| panic!("no drift column {name}"))
}

fn drift_check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["suites"][0]["drift"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}"))
}

fn close(got: &Value, want: &Value, what: &str) {
    let (g, w) = (
        got.as_f64().unwrap_or_else(|| panic!("{what}: {got}")),
        want.as_f64().unwrap(),
    );
    assert!((g - w).abs() <= 1e-9, "{what}: scipy {w}, verdict {g}");
}

/// Every statistic of every column against scipy's.
fn assert_matches_scipy(report: &Value) {
    for (name, want) in expected().as_object().unwrap() {
        let got = column(report, name);
        assert_eq!(got["method"], want["method"], "{name}");
        let counts = |side: &str| -> Vec<u64> {
            got["bins"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b[side].as_u64().unwrap())
                .collect()
        };
        let want_counts = |side: &str| -> Vec<u64> {
            want[side]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect()
        };
        assert_eq!(
            counts("reference"),
            want_counts("reference"),
            "{name} reference bins"
        );
        assert_eq!(
            counts("current"),
            want_counts("current"),
            "{name} current bins"
        );
        close(&got["psi"], &want["psi"], &format!("{name} psi"));
        close(&got["js"], &want["js"], &format!("{name} js"));
        if want["method"] == "numeric" {
            let edges: Vec<f64> = got["bins"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|b| b["upper"].as_f64())
                .collect();
            let want_edges: Vec<f64> = want["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(edges, want_edges, "{name} edges");
            close(
                &got["ks"]["statistic"],
                &want["ks_statistic"],
                &format!("{name} KS D"),
            );
            close(
                &got["ks"]["p_value"],
                &want["ks_pvalue"],
                &format!("{name} KS p"),
            );
            assert_eq!(
                got["ks"]["method"], "exact",
                "{name}: samples under 10,000 values"
            );
        } else {
            let labels: Vec<&str> = got["bins"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["label"].as_str().unwrap())
                .collect();
            let want_labels: Vec<&str> = want["categories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(labels, want_labels, "{name} categories");
            close(
                &got["chi_square"]["statistic"],
                &want["chi2"],
                &format!("{name} chi2"),
            );
            close(
                &got["chi_square"]["p_value"],
                &want["chi2_pvalue"],
                &format!("{name} chi2 p"),
            );
            assert_eq!(got["chi_square"]["dof"], want["dof"], "{name} dof");
        }
    }
}

#[test]
fn statistics_equal_scipy() {
    let (o, j) = drift_json(&["fixtures/suites/drift.yml"]);
    assert_eq!(o.code, 1, "category drifted past PSI 0.25: {}", o.stderr);
    assert_matches_scipy(&j);
    let d = &j["suites"][0]["drift"][0];
    assert_eq!(d["rows_current"], 1500);
    assert_eq!(d["rows_reference"], 2000);
    // Nulls and NaN are counted apart, never binned.
    let price = column(&j, "price");
    assert_eq!(price["nans_reference"], 8);
    assert_eq!(price["nans_current"], 6);
    assert_eq!(
        price["values_reference"].as_u64().unwrap()
            + price["nulls_reference"].as_u64().unwrap()
            + 8,
        2000
    );
    assert_eq!(
        column(&j, "category")["unseen"],
        serde_json::json!([["z", 82]])
    );
    assert_eq!(
        column(&j, "category")["why_method"],
        "string column: unordered values, category counts and chi-square"
    );
}

#[test]
fn checks_follow_the_thresholds() {
    let (_, j) = drift_json(&["fixtures/suites/drift.yml"]);
    let status = |n: &str| {
        let c = drift_check(&j, n);
        (
            c["status"].as_str().unwrap().to_string(),
            c["severity"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(status("category.drift"), ("fail".into(), "error".into()));
    assert_eq!(status("price.drift"), ("fail".into(), "warn".into()));
    for n in ["qty.drift", "constant.drift", "day.drift", "active.drift"] {
        assert_eq!(status(n), ("pass".into(), "error".into()), "{n}");
    }
    let c = drift_check(&j, "category.drift");
    assert_eq!(c["why"], "drifted: PSI 0.40424 ≥ 0.25");
    assert_eq!(c["expected"], "PSI < 0.25 (warn: PSI < 0.1)");
    assert_eq!(
        c["observed_text"],
        "PSI 0.40424, chi² 160.737379 (p 1.0157e-33), JS 0.195259, 1 unseen category (82 rows)"
    );
    assert_eq!(
        drift_check(&j, "price.drift")["why"],
        "drifting: PSI 0.141352 ≥ 0.1"
    );
    assert_eq!(j["summary"]["warnings"], 1);
    assert_eq!(j["summary"]["failed"], 1);
}

#[test]
fn console_shows_methods_and_unseen_categories() {
    let o = run(&["fixtures/suites/drift.yml"]);
    assert_eq!(o.code, 1);
    snap!("drift_console", o.stdout);
}

#[test]
fn bundled_example_passes_with_warnings() {
    let o = run(&["expectations/drift.yml"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("verdict: PASS with warnings"),
        "{}",
        o.stdout
    );
}

#[test]
fn saved_reference_gives_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (file, o) = save_reference(dir.path());
    assert!(o.stdout.starts_with("saved the reference of fixtures/drift/reference.parquet (2000 rows, 6 columns, 10 bins; values kept for KS in 4) to "), "{}", o.stdout);
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size < 40_000, "a small file: {size} bytes");
    let (dir2, suite) = temp_suite(&format!(
        "version: 1\nsources:\n  current: {{ path: fixtures/drift/current.parquet }}\n\
         drift:\n  current:\n    reference_file: {}\n",
        file.display()
    ));
    let (o, j) = drift_json(&[suite.to_str().unwrap()]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_matches_scipy(&j);
    assert_eq!(j["suites"][0]["drift"][0]["reference_kind"], "saved");
    assert_eq!(j["suites"][0]["drift"][0]["rows_reference"], 2000);
    drop(dir2);
}

#[test]
fn saved_reference_problems() {
    let dir = tempfile::tempdir().unwrap();
    let suite_for = |file: &str, extra: &str| {
        temp_suite(&format!(
            "version: 1\nsources:\n  current: {{ path: fixtures/drift/current.parquet }}\n\
             drift:\n  current:\n    reference_file: {file}\n    columns: [price]\n{extra}"
        ))
    };
    // Missing file: every declared column is an error, exit 3.
    let missing = dir.path().join("nope.json");
    let (_d, s) = suite_for(missing.to_str().unwrap(), "");
    let (o, j) = drift_json(&[s.to_str().unwrap()]);
    assert_eq!(o.code, 3);
    let e = j["suites"][0]["drift"][0]["error"].as_str().unwrap();
    assert!(
        e.starts_with(&format!(
            "cannot read the saved reference {}: ",
            missing.display()
        )),
        "{e}"
    );
    assert_eq!(drift_check(&j, "price.drift")["status"], "error");
    // Not a reference.
    let other = dir.path().join("other.json");
    std::fs::write(&other, "{\"a\": 1}").unwrap();
    let (_d, s) = suite_for(other.to_str().unwrap(), "");
    let (o, j) = drift_json(&[s.to_str().unwrap()]);
    assert_eq!(o.code, 3);
    assert_eq!(
        j["suites"][0]["drift"][0]["error"],
        format!(
            "{0} is not a saved reference (write one with `verdict profile SOURCE --save-reference {0}`)",
            other.display()
        )
    );
    // A newer layout.
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, "{\"kind\": \"verdict-reference\", \"version\": 2}").unwrap();
    let (_d, s) = suite_for(newer.to_str().unwrap(), "");
    let (o, j) = drift_json(&[s.to_str().unwrap()]);
    assert_eq!(o.code, 3);
    assert_eq!(
        j["suites"][0]["drift"][0]["error"],
        format!(
            "{} is a version 2 reference; this verdict reads version 1 (save it again, or upgrade verdict)",
            newer.display()
        )
    );
    // Bins other than those saved.
    let (saved, _) = save_reference(dir.path());
    let (_d, s) = suite_for(saved.to_str().unwrap(), "    bins: 20\n");
    let (o, j) = drift_json(&[s.to_str().unwrap()]);
    assert_eq!(o.code, 3);
    assert_eq!(
        drift_check(&j, "price.drift")["why"],
        "the saved reference has 10 bins, the suite asks for 20: save it again with `--bins 20`"
    );
}

#[test]
fn reference_with_zero_rows_and_all_null_columns_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.parquet");
    // An empty copy of the reference: same columns, no rows.
    write_empty_copy("fixtures/drift/reference.parquet", &empty);
    let (_d, s) = temp_suite(&format!(
        "version: 1\nsources:\n  current: {{ path: fixtures/drift/current.parquet }}\n  \
         reference: {{ path: {} }}\ndrift:\n  current:\n    reference: reference\n    columns: [price, category]\n",
        empty.display()
    ));
    let (o, j) = drift_json(&[s.to_str().unwrap()]);
    assert_eq!(o.code, 3, "undefined drift is not a pass");
    assert_eq!(
        drift_check(&j, "price.drift")["why"],
        "the reference has no values in `price` (empty, or all null/NaN): drift is undefined"
    );
    assert_eq!(drift_check(&j, "category.drift")["status"], "error");
    assert_eq!(j["suites"][0]["drift"][0]["rows_reference"], 0);
}

#[test]
fn missing_columns_and_unmeasurable_types() {
    let (_d, s) = temp_suite(
        "version: 1\nsources:\n  current: { path: fixtures/drift/current.parquet }\n  \
         reference: { path: fixtures/features.parquet }\ndrift:\n  current:\n    reference: reference\n    \
         columns: { nope: null, price: null, category: { method: numeric } }\n",
    );
    let (o, j) = drift_json(&[s.to_str().unwrap()]);
    // price drifted against an unrelated table: the gate (1) wins over the
    // columns that could not be measured.
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(drift_check(&j, "price.drift")["status"], "fail");
    assert_eq!(drift_check(&j, "nope.drift")["status"], "error");
    assert_eq!(
        drift_check(&j, "nope.drift")["why"],
        "`current` has no column `nope`"
    );
    assert_eq!(
        drift_check(&j, "category.drift")["why"],
        "a string column cannot be measured as numeric"
    );
}

#[test]
fn broken_drift_sections_are_invalid() {
    let o = verdict(&["validate", "fixtures/suites/invalid/drift_mistakes.yml"]);
    assert_eq!(o.code, 2);
    snap!("drift_mistakes", o.stderr);
}

/// Writes a Parquet file with `src`'s schema and no rows, through verdict's
/// own engine.
fn write_empty_copy(src: &str, dst: &std::path::Path) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use datafusion::dataframe::DataFrameWriteOptions;
        let ctx = datafusion::prelude::SessionContext::new();
        let df = ctx
            .read_parquet(src, Default::default())
            .await
            .unwrap()
            .limit(0, Some(0))
            .unwrap();
        df.write_parquet(
            dst.to_str().unwrap(),
            DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await
        .unwrap();
    });
}

#[test]
fn item_17_a_single_category_says_why_chi_square_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let cur = dir.path().join("cur.csv");
    let refe = dir.path().join("ref.csv");
    std::fs::write(&cur, "plan,n\npro,1\npro,2\npro,3\n").unwrap();
    std::fs::write(&refe, "plan,n\npro,1\npro,2\n").unwrap();
    let (_d, s) = temp_suite(&format!(
        "version: 1\nsources:\n  current: {{ path: {} }}\n  reference: {{ path: {} }}\n\
         drift:\n  current:\n    reference: reference\n    columns: [plan]\n",
        cur.display(),
        refe.display()
    ));
    let (o, j) = drift_json(&[s.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let c = column(&j, "plan");
    assert_eq!(c["chi_square"], Value::Null);
    assert_eq!(
        c["note"],
        "one category (\"pro\") on both sides: chi-square is undefined, it needs two"
    );
    assert_eq!(c["psi"], 0.0);
    let o = run(&[s.to_str().unwrap()]);
    assert!(
        o.stdout.contains("chi-square is undefined, it needs two"),
        "{}",
        o.stdout
    );
}
