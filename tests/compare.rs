//! `compare:` and `verdict compare` on files: the bundled example (prod,
//! preprod and dev copies of orders, fixtures/compare/make.py), every
//! report format, and the command line's mistakes. The database side is in
//! tests/database.rs.

#[macro_use]
mod common;

use serde_json::{json, Value};

use common::*;

fn compare_of(j: &Value) -> &Value {
    &j["suites"][0]["compare"]
}

#[test]
fn the_bundled_example_finds_devs_differences() {
    let o = run(&["expectations/compare.yml"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    snap!("compare_example_console", o.stdout);
}

#[test]
fn json_has_every_environment_value_and_delta() {
    let o = run(&["expectations/compare.yml", "--format", "json"]);
    assert_eq!(o.code, 1);
    let j = json(&o);
    let c = compare_of(&j);
    let names: Vec<&str> = c["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["prod", "preprod", "dev"]);
    let sum = compare_row(c, Some("revenue"), "sum");
    assert_eq!(sum["values"], json!([625625.0, 625625.0, 624475.0]));
    assert_eq!(sum["deltas"][1], json!({"abs": 0.0, "rel": 0.0}));
    assert_eq!(sum["deltas"][2]["abs"], -1150.0);
    assert_eq!(sum["tolerance"], json!({"max_abs": 0.0, "max_rel": 0.0001}));
    let promo = compare_row(c, Some("is_in_promo"), "true_count");
    assert_eq!(promo["values"], json!([250, 250, 249]));
    let when = compare_row(c, Some("ordered_on"), "max");
    assert_eq!(
        when["values"],
        json!(["2026-10-27", "2026-10-27", "2026-10-27"])
    );
    assert_eq!(when["status"], "pass");
    // Estimates are shown, never gated.
    let d = compare_row(c, Some("coupon"), "distinct");
    assert_eq!(d["approximate"], true);
    assert!(!c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["name"] == "compare.coupon.distinct"));
    let schema = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "compare.schema")
        .unwrap();
    assert_eq!(schema["severity"], "warn");
    assert_eq!(
        schema["why"],
        "`discount`: prod missing, preprod missing, dev float32"
    );
    // dev disagreed, preprod did not: one row diff.
    let diffs = c["diffs"].as_array().unwrap();
    assert_eq!(diffs.len(), 1);
    assert_eq!(diffs[0]["rows"]["only_baseline"], 1);
    assert_eq!(diffs[0]["rows"]["both"], 999);
    assert_eq!(j["summary"]["failed"], 12);
    assert_eq!(j["summary"]["warnings"], 1);
}

/// The bundled example's Markdown, JUnit and HTML reports.
fn example_reports() -> (String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().to_string();
    let o = run(&[
        "expectations/compare.yml",
        "--markdown",
        &p("r.md"),
        "--junit",
        &p("r.xml"),
        "--html",
        &p("r.html"),
    ]);
    assert_eq!(o.code, 1);
    let read = |n: &str| std::fs::read_to_string(p(n)).unwrap();
    (read("r.md"), read("r.xml"), read("r.html"))
}

#[test]
fn every_report_format_has_the_comparison() {
    let (md, xml, html) = example_reports();
    snap!("compare_example_markdown", md);
    assert!(xml.contains("compare preprod, dev against prod"), "{xml}");
    assert!(xml.contains("name=\"compare.revenue.sum\""), "{xml}");
    assert_eq!(xml.matches("<failure").count(), 12);
    assert!(html.contains("<caption>Aggregates by environment</caption>"));
    assert!(html.contains("<mark>624475 <small>Δ -1150 (-0.184%)</small> ✗</mark>"));
    assert!(html.contains("<caption>Schema differences</caption>"));
}

#[test]
fn identical_environments_pass() {
    let o = verdict(&[
        "compare",
        "prod=fixtures/compare/prod.parquet",
        "preprod=fixtures/compare/preprod.parquet",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("verdict: PASS — 33 checks: 33 passed"),
        "{}",
        o.stdout
    );
}

#[test]
fn tolerances_from_the_command_line() {
    // dev's revenue sum is 0.184% low: inside 0.2%, outside 0.1%.
    let args = |rel: &str| {
        vec![
            "compare".to_string(),
            "prod=fixtures/compare/prod.parquet".into(),
            "dev=fixtures/compare/dev.parquet".into(),
            "--columns".into(),
            "revenue".into(),
            "--max-rel".into(),
            rel.to_string(),
            "--format".into(),
            "json".into(),
        ]
    };
    let run_with = |rel: &str| {
        let a = args(rel);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        verdict(&a)
    };
    let o = run_with("revenue=0.002");
    let j = json(&o);
    let c = compare_of(&j);
    assert_eq!(compare_row(c, Some("revenue"), "sum")["status"], "pass");
    assert_eq!(compare_row(c, None, "row_count")["status"], "fail"); // exact by default
    assert_eq!(o.code, 1);
    let o = run_with("0.002");
    assert_eq!(o.code, 0, "{}", o.stdout);
    let o = run_with("0.001");
    let j = json(&o);
    assert_eq!(
        compare_row(compare_of(&j), Some("revenue"), "sum")["status"],
        "fail"
    );
}

#[test]
fn a_listed_column_missing_somewhere_fails_its_row() {
    let o = verdict(&[
        "compare",
        "dev=fixtures/compare/dev.parquet",
        "prod=fixtures/compare/prod.parquet",
        "--columns",
        "discount",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let j = json(&o);
    let c = compare_of(&j);
    let r = compare_row(c, Some("discount"), "present");
    assert_eq!(r["values"], json!([true, false]));
    assert_eq!(r["error"], "column `discount` is missing in `prod`");
}

#[test]
fn types_that_differ_compare_only_null_counts() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, "k,v\n1,10\n2,20\n").unwrap();
    std::fs::write(&b, "k,v\n1,ten\n2,\n").unwrap();
    let o = verdict(&[
        "compare",
        &format!("a={}", a.display()),
        &format!("b={}", b.display()),
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    let c = compare_of(&j);
    assert_eq!(
        c["schema_differences"],
        json!([{"column": "v", "types": ["int64", "string"]}])
    );
    let nulls = compare_row(c, Some("v"), "null_count");
    assert_eq!(nulls["values"], json!([0, 1]));
    assert_eq!(nulls["status"], "fail");
    let sum = compare_row(c, Some("v"), "sum");
    assert_eq!(sum["status"], "error");
    assert_eq!(
        sum["error"],
        "`v` is numeric in `a` but string/temporal elsewhere; only its null count compares"
    );
    assert_eq!(compare_row(c, Some("k"), "sum")["status"], "pass");
}

#[test]
fn an_unreadable_environment_is_an_error_not_a_pass() {
    let o = verdict(&[
        "compare",
        "prod=fixtures/compare/prod.parquet",
        "dev=fixtures/compare/nope.parquet",
    ]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "cannot compare: `dev`: no such file or directory: fixtures/compare/nope.parquet"
        ),
        "{}",
        o.stdout
    );
}

#[test]
fn command_line_mistakes_exit_2() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["compare", "fixtures/compare/prod.parquet", "dev=fixtures/compare/dev.parquet"],
            "error: \"fixtures/compare/prod.parquet\": an environment is NAME=SOURCE, e.g. prod=data/orders.parquet\n",
        ),
        (
            &["compare", "a=fixtures/compare/prod.parquet", "a=fixtures/compare/dev.parquet"],
            "error: environment `a` is given twice\n",
        ),
        (
            &["compare", "a=fixtures/compare/prod.parquet", "b=fixtures/compare/dev.parquet", "--max-rel", "revenue=0.1"],
            "error: per-column tolerances (COLUMN=X) need --columns, which lists every compared column\n",
        ),
        (
            &["compare", "a=fixtures/compare/prod.parquet", "b=postgres://u:s3cret@db/shop"],
            "error: `postgres://u:***@db/shop` names no table: add `?table=schema.table` (or `?query=SELECT …`)\n",
        ),
        (
            &["compare", "a=fixtures/compare/prod.parquet", "b=fixtures/compare/dev.parquet", "--max-abs=-1"],
            "error: --max-abs \"-1\": the tolerance must be a number ≥ 0\n",
        ),
    ];
    for (args, want) in cases {
        let o = verdict(args);
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert_eq!(o.stderr, want, "{args:?}");
    }
    // One environment is clap's error.
    let o = verdict(&["compare", "a=fixtures/compare/prod.parquet"]);
    assert_eq!(o.code, 2);
}

/// A Parquet file with one float column `x`, as `NAME=PATH`.
fn floats(dir: &std::path::Path, name: &str, xs: &[f64]) -> String {
    use datafusion::arrow::array::Float64Array;

    let x = std::sync::Arc::new(Float64Array::from(xs.to_vec()));
    let path = common::parquet(dir, name, vec![("x", x)]);
    format!("{}={path}", name.trim_end_matches(".parquet"))
}

#[test]
fn nan_in_both_environments_is_skipped_as_checks_skip_it() {
    let dir = tempfile::tempdir().unwrap();
    let prod = floats(dir.path(), "prod.parquet", &[1.0, 2.0, f64::NAN]);
    let dev = floats(dir.path(), "dev.parquet", &[1.0, 50.0, f64::NAN]);
    let o = verdict(&["compare", &prod, &dev, "--format", "json"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    let c = compare_of(&j);
    let row = |m: &str| compare_row(c, Some("x"), m);
    assert_eq!(row("sum")["values"], json!([3.0, 51.0]));
    assert_eq!(row("sum")["status"], "fail");
    assert_eq!(row("avg")["values"], json!([1.5, 25.5]));
    assert_eq!(row("avg")["status"], "fail");
    assert_eq!(row("max")["values"], json!([2.0, 50.0]));
    assert_eq!(row("max")["status"], "fail");
    assert_eq!(row("min")["values"], json!([1.0, 1.0]));
    assert_eq!(row("min")["status"], "pass");
    assert_eq!(row("null_count")["values"], json!([0, 0]));
    assert_eq!(
        named(&compare_of(&j)["checks"], "compare.x.sum")["why"],
        "`dev` has 51 against 3, Δ +48 (+1600%)"
    );
}

#[test]
fn nan_in_one_environment_is_skipped_there_too() {
    let dir = tempfile::tempdir().unwrap();
    let prod = floats(dir.path(), "prod.parquet", &[1.0, 2.0, 3.0]);
    let same = floats(dir.path(), "same.parquet", &[1.0, 2.0, 3.0, f64::NAN]);
    let o = verdict(&[
        "compare",
        &prod,
        &same,
        "--columns",
        "x",
        "--format",
        "json",
    ]);
    let j = json(&o);
    let c = compare_of(&j);
    let row = |m: &str| compare_row(c, Some("x"), m);
    // The NaN row counts as a row, not as a value of the aggregates.
    assert_eq!(compare_row(c, None, "row_count")["values"], json!([3, 4]));
    assert_eq!(row("sum")["values"], json!([6.0, 6.0]));
    assert_eq!(row("avg")["values"], json!([2.0, 2.0]));
    assert_eq!(row("max")["values"], json!([3.0, 3.0]));
    assert_eq!(row("sum")["status"], "pass");
    assert_eq!(o.code, 1, "the row count differs: {}", o.stdout);
    // Without the extra row, the same values in both pass.
    let other = floats(dir.path(), "other.parquet", &[3.0, f64::NAN, 2.0, 1.0]);
    let with_nan = floats(dir.path(), "nan.parquet", &[f64::NAN, 1.0, 2.0, 3.0]);
    let o = verdict(&["compare", &with_nan, &other]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

/// A Parquet file with an integer key `id` and a float `v`.
fn keyed(dir: &std::path::Path, name: &str, ids: &[i64], vs: &[f64]) -> String {
    use datafusion::arrow::array::{Float64Array, Int64Array};
    use std::sync::Arc;

    common::parquet(
        dir,
        name,
        vec![
            ("id", Arc::new(Int64Array::from(ids.to_vec()))),
            ("v", Arc::new(Float64Array::from(vs.to_vec()))),
        ],
    )
}

#[test]
fn item_1_row_diffs_under_compare_key_count_in_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let prod = keyed(dir.path(), "prod.parquet", &[1, 2, 3], &[1.0, 2.0, 3.0]);
    let dev = keyed(dir.path(), "dev.parquet", &[1, 2, 2], &[1.0, 2.0, 3.0]);
    // The comparison only warns; the row diff it triggers finds a
    // duplicated key, an error-severity failure of the run.
    let (_tmp, suite) = temp_suite(&format!(
        "version: 1\nsources:\n  prod: {{ path: {prod} }}\n  dev: {{ path: {dev} }}\n\
         compare:\n  sources: [prod, dev]\n  key: [id]\n  severity: warn\n"
    ));
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    assert_eq!(j["verdict"], "fail");
    assert_eq!(j["summary"]["failed"], 1);
    let diff = &compare_of(&j)["diffs"][0];
    let dup = named(&diff["gates"], "candidate.duplicate_keys");
    assert_eq!(dup["status"], "fail");
    assert_eq!(dup["severity"], "error");
    // The console shows the row diff once, after the comparison.
    let o = run(&[suite.to_str().unwrap()]);
    assert_eq!(
        o.stdout.matches("diff prod → dev · key id").count(),
        1,
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("verdict: FAIL"), "{}", o.stdout);
}

#[test]
fn item_1_every_format_shows_the_row_diff_of_the_bundled_example() {
    let (md, xml, html) = example_reports();
    assert!(
        md.contains(
            "<details><summary>diff prod → dev · 999 in both, 1 missing, 0 added</summary>"
        ),
        "{md}"
    );
    assert!(
        xml.contains("name=\"expectations/compare.yml · diff prod → dev\""),
        "{xml}"
    );
    assert!(html.contains("id=\"s0-diff\""), "the row diff has its card");
    assert!(html.contains("diff <code>prod</code> → <code>dev</code>"));
}

/// Issue 11, item 16: a distinct estimate was shown with a delta
/// (`≈ 4053 Δ +10`) that looked like a finding; within the estimator's
/// error band only the band is shown.
#[test]
fn item_16_distinct_estimates_show_their_band_and_a_delta_only_beyond_it() {
    use datafusion::arrow::array::{ArrayRef, StringArray};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let names = |prefix: &str, n: usize| {
        let v: Vec<String> = (0..n).map(|i| format!("{prefix}{i}")).collect();
        vec![("tail", Arc::new(StringArray::from(v)) as ArrayRef)]
    };
    let prod = common::parquet(dir.path(), "prod.parquet", names("N", 4000));
    let same = common::parquet(dir.path(), "same.parquet", names("T", 4000));
    let more = common::parquet(dir.path(), "more.parquet", names("N", 4400));
    let envs = [
        format!("prod={prod}"),
        format!("same={same}"),
        format!("more={more}"),
    ];
    let mut args = vec!["compare"];
    args.extend(envs.iter().map(String::as_str));
    args.extend(["--columns", "tail", "--format", "json"]);
    let o = verdict(&args);
    let j = json(&o);
    let row = compare_row(compare_of(&j), Some("tail"), "distinct");
    assert_eq!(row["approximate"], true);
    assert_eq!(row["estimated"], json!([true, true, true]));
    assert_eq!(row["differs"], json!([false, false, true]));
    let o = verdict(&args[..args.len() - 2]);
    let line = o
        .stdout
        .lines()
        .find(|l| l.contains("distinct ≈"))
        .unwrap_or_else(|| panic!("{}", o.stdout));
    let cells: Vec<&str> = line
        .split(['│', '┆'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let v = |i: usize| row["values"][i].as_i64().unwrap();
    let band = |i: usize| (v(i) as f64 * 0.03).round() as i64;
    // The column's name is on its first row only.
    assert_eq!(cells[0], "distinct ≈");
    assert_eq!(cells[1], format!("{} ± {}", v(0), band(0)));
    assert_eq!(
        cells[2],
        format!("{} ± {}", v(1), band(1)),
        "no delta within the band"
    );
    assert!(
        cells[3].starts_with(&format!("{} ± {}  Δ +", v(2), band(2))) && cells[3].ends_with('✗'),
        "{line}"
    );
    assert_eq!(cells[4], "differs (estimate)");
}
