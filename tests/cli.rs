//! The real binary on the bundled fixtures: exit codes asserted every time,
//! what the user sees snapshotted (timings redacted).

#[macro_use]
mod common;

use std::path::Path;

use common::{check_named, json, run, scan_kinds, temp_suite, verdict};

#[test]
fn bundled_example_passes() {
    let o = run(&["expectations/features.yml"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("verdict: PASS"), "{}", o.stdout);
    assert_eq!(o.stderr, "");
    snap!("bundled_example_console", o.stdout);
}

#[test]
fn bundled_example_json() {
    let o = run(&["expectations/features.yml", "--format", "json"]);
    assert_eq!(o.code, 0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["verdict"], "pass");
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["summary"]["checks"], 23);
    let src = &v["suites"][0]["sources"][0];
    assert_eq!(src["rows"], 1000);
    // One shared aggregate, one distinct query for `id`, one SQL check.
    assert_eq!(scan_kinds(&v), ["aggregate", "distinct", "sql"]);
    snap!("bundled_example_json", o.stdout);
}

#[test]
fn json_file_is_written_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let strip = |p: &Path| {
        let s = std::fs::read_to_string(p).unwrap();
        regex::Regex::new(r#""(seconds|load_seconds)": [0-9.e-]+"#)
            .unwrap()
            .replace_all(&s, "")
            .to_string()
    };
    assert_eq!(
        run(&["expectations/features.yml", "--json", a.to_str().unwrap()]).code,
        0
    );
    assert_eq!(
        run(&["expectations/features.yml", "--json", b.to_str().unwrap()]).code,
        0
    );
    assert_eq!(strip(&a), strip(&b));
}

/// Every planted defect in fixtures/features_defects.parquet fails exactly
/// the check it targets, and nothing else.
#[test]
fn planted_defects_fail_exactly_their_checks() {
    let suite = std::fs::read_to_string("expectations/features.yml")
        .unwrap()
        .replace(
            "fixtures/features.parquet",
            "fixtures/features_defects.parquet",
        );
    let (_dir, path) = temp_suite(&suite);
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let by_name = |n: &str| check_named(&v, n);
    // Failed set and pattern checks name the values that broke them.
    assert_eq!(
        by_name("category.in_set")["sample"],
        serde_json::json!([{"value": "z", "rows": 1}])
    );
    assert_eq!(
        by_name("email.regex")["sample"],
        serde_json::json!([{"value": "not-an-email", "rows": 1}])
    );
    assert_eq!(by_name("price.min").get("sample"), None);
    // Counted in the shared aggregate: no query after the failure.
    assert_eq!(scan_kinds(&v), ["aggregate", "distinct", "sql"]);
    let mut failed: Vec<String> = v["suites"][0]["sources"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "pass")
        .map(|c| {
            format!(
                "{} {}",
                c["status"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            )
        })
        .collect();
    failed.sort();
    assert_eq!(
        failed,
        [
            "fail category.in_set",
            "fail country.in_set",
            "fail country.length",
            "fail created_at.max",
            "fail email.regex",
            "fail id.unique",
            "fail price.min",
            "fail price.null_rate",
            "fail qty.mean",
            "fail qty.sum",
            "fail score.nan_rate",
        ]
    );
}

#[test]
fn edge_cases_are_errors_not_passes() {
    let o = run(&["fixtures/suites/edge_cases.yml"]);
    assert_eq!(o.code, 1);
    snap!("edge_cases_console", o.stdout);
    let o = run(&["fixtures/suites/edge_cases.yml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let by_name = |n: &str| check_named(&v, n);
    // 4 × (2^62) = 2^64: exact, not wrapped; beyond 2^53 it is a string.
    assert_eq!(by_name("big.sum")["observed"], "18446744073709551616");
    assert_eq!(by_name("big.sum")["status"], "fail");
    assert_eq!(
        by_name("nothing.mean")["why"],
        "mean is undefined: all 4 values of `nothing` are null"
    );
    assert_eq!(by_name("x.min")["observed"], 1.0);
    assert_eq!(
        by_name("name.mean")["why"],
        "mean needs a numeric column; `name` is string"
    );
    assert_eq!(
        by_name("no_such_colum.not_null")["why"],
        "column `no_such_colum` does not exist; the columns are `big`, `nothing`, `x`, `name`"
    );
}

#[test]
fn errors_without_failures_exit_3() {
    let (_dir, path) = temp_suite("version: 1\nsources:\n  e: { path: fixtures/empty.parquet }\nchecks:\n  e:\n    columns:\n      x: [ mean: { min: 0 } ]\n");
    let o = run(&[path.to_str().unwrap()]);
    assert_eq!(o.code, 3);
    assert!(
        o.stdout.contains("mean is undefined: the table is empty"),
        "{}",
        o.stdout
    );
}

#[test]
fn identifiers_are_data() {
    let o = run(&["fixtures/suites/weird_names.yml"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    snap!("weird_names_console", o.stdout);
}

#[test]
fn every_input_shape_is_read() {
    let o = run(&["fixtures/suites/formats.yml"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    snap!("formats_console", o.stdout);
}

/// A suite whose only metrics Parquet statistics answer exactly runs
/// without reading rows, and the report says so.
#[test]
fn parquet_metadata_answers_counts() {
    let (_dir, path) = temp_suite("version: 1\nsources:\n  f: { path: fixtures/features.parquet }\nchecks:\n  f:\n    table: [ row_count: { equals: 1000 } ]\n    columns:\n      id: [ not_null ]\n      price: [ null_count: { equals: 5 } ]\n");
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let scans = &v["suites"][0]["sources"][0]["scans"];
    assert_eq!(scans.as_array().unwrap().len(), 1);
    assert_eq!(scans[0]["kind"], "aggregate");
    assert_eq!(scans[0]["from_metadata"], true);
}

#[test]
fn unreadable_sources_exit_3() {
    let o = run(&["fixtures/suites/broken_sources.yml"]);
    assert_eq!(o.code, 3);
    snap!("broken_sources_console", o.stdout);
}

#[test]
fn warnings_pass_unless_strict() {
    let (_dir, path) = temp_suite("version: 1\nsources:\n  f: { path: fixtures/features.parquet }\nchecks:\n  f:\n    table:\n      - row_count: { max: 10, severity: warn }\n");
    let o = run(&[path.to_str().unwrap()]);
    assert_eq!(o.code, 0);
    assert!(
        o.stdout
            .contains("verdict: PASS with warnings — 1 check: 0 passed, 1 warning"),
        "{}",
        o.stdout
    );
    let o = run(&[path.to_str().unwrap(), "--strict"]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("verdict: FAIL"), "{}", o.stdout);
}

#[test]
fn freshness_uses_now() {
    let (_dir, path) = temp_suite("version: 1\nsources:\n  f: { path: fixtures/features.parquet }\nchecks:\n  f:\n    columns:\n      created_at: [ max: { min: now - 2d } ]\n");
    // The newest row is 2026-11-11T15:00:00Z.
    let o = verdict(&[
        "run",
        path.to_str().unwrap(),
        "--now",
        "2026-11-12T00:00:00Z",
    ]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let o = verdict(&[
        "run",
        path.to_str().unwrap(),
        "--now",
        "2026-11-25T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let c = &v["suites"][0]["sources"][0]["checks"][0];
    assert_eq!(c["observed"], "2026-11-11T15:00:00Z");
    assert_eq!(c["expected"], ">= now - 2d (2026-11-23T00:00:00Z)");
    assert_eq!(c["why"], "below the minimum");
}

#[test]
fn invalid_suites_exit_2_with_their_message() {
    let mut names: Vec<_> = std::fs::read_dir("fixtures/suites/invalid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert_eq!(names.len(), 28);
    for p in names {
        let o = verdict(&["validate", p.to_str().unwrap()]);
        assert_eq!(o.code, 2, "{}", p.display());
        // database_mistakes.yml writes a literal password in its URLs.
        assert!(!o.stderr.contains("hunter2"), "{}", o.stderr);
        assert_eq!(o.stdout, "");
        let r = run(&[p.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{}", p.display());
        assert_eq!(r.stderr, o.stderr, "run and validate report alike");
        let name = p.file_stem().unwrap().to_str().unwrap().to_string();
        // A build without the drivers refuses the database sources before
        // their mistakes (tests/features.rs).
        if name == "database_mistakes" && !cfg!(all(feature = "postgres", feature = "mysql")) {
            continue;
        }
        insta::assert_snapshot!(format!("invalid_{name}"), o.stderr);
    }
}

#[test]
fn validate_accepts_good_suites() {
    let o = verdict(&[
        "validate",
        "expectations/features.yml",
        "fixtures/suites/edge_cases.yml",
    ]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stderr,
        "expectations/features.yml: ok (1 source, 23 checks)\nfixtures/suites/edge_cases.yml: ok (2 sources, 15 checks)\n"
    );
}

#[test]
fn schema_command() {
    let o = verdict(&["schema", "fixtures/weird_names.parquet"]);
    assert_eq!(o.code, 0);
    snap!("schema_weird_names", o.stdout);
    let o = verdict(&["schema", "fixtures/hive", "--json"]);
    assert_eq!(o.code, 0);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["files"], 2);
    assert_eq!(v["partition_columns"][0], "region");
    let o = verdict(&["schema", "fixtures/nope.parquet"]);
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stderr,
        "error: no such file or directory: fixtures/nope.parquet\n"
    );
}

#[test]
fn missing_suite_file() {
    let o = verdict(&["run", "no/such/suite.yml"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: cannot read the suite: No such file or directory (os error 2)\n  --> no/such/suite.yml\n\nno/such/suite.yml: 1 error in the suite; nothing was evaluated\n"
    );
}

#[test]
fn bad_command_line_exits_2() {
    let o = verdict(&["run"]);
    assert_eq!(o.code, 2);
    let o = verdict(&["run", "expectations/features.yml", "--now", "yesterday"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: --now \"yesterday\" is not an instant (e.g. 2026-11-25T12:00:00Z or 2026-11-25)\n"
    );
}

/// `not_in_set` and `not_regex`: the forbidden values counted and named,
/// against pandas on the bundled fixture (213 rows have country IT; 111
/// e-mail addresses start with `user1`).
#[test]
fn not_in_set_and_not_regex() {
    let (_d, path) = temp_suite(
        r#"
version: 1
sources: { f: { path: fixtures/features.parquet } }
checks:
  f:
    columns:
      country:
        - not_in_set: [IT, US]
        - not_in_set: { values: [US, GB], name: no_anglo }
      email:
        - not_regex: '^user1'
        - not_regex: { pattern: '@test\.', name: no_test_mail }
      price:
        - not_regex: x
"#,
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let j = json(&o);
    let c = check_named(&j, "country.not_in_set");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["observed"], 213);
    assert_eq!(c["expected"], r#"none in {"IT", "US"}"#);
    assert_eq!(
        c["why"],
        "213 of 1000 non-null values are in the forbidden set"
    );
    assert_eq!(
        c["sample"],
        serde_json::json!([{ "value": "IT", "rows": 213 }])
    );
    let r = check_named(&j, "email.not_regex");
    assert_eq!(r["status"], "fail");
    assert_eq!(r["observed"], 111);
    assert_eq!(r["expected"], "none matches /^user1/");
    assert_eq!(
        r["why"],
        "111 of 1000 non-null values are matching the pattern"
    );
    assert_eq!(
        r["sample"][0],
        serde_json::json!({ "value": "user100@example.com", "rows": 1 })
    );
    for name in ["no_anglo", "no_test_mail"] {
        assert_eq!(check_named(&j, name)["status"], "pass", "{name}");
        assert_eq!(check_named(&j, name)["observed"], 0, "{name}");
    }
    let e = check_named(&j, "price.not_regex");
    assert_eq!(e["status"], "error");
    assert_eq!(
        e["why"],
        "not_regex needs a string column; `price` is float64"
    );
}

/// `mostly`: the share that complies is shown beside the count and judged
/// against the fraction, as Great Expectations defines it (787 of the
/// fixture's 1000 countries are DE, FR, NL or ES; none is null).
#[test]
fn mostly_tolerates_a_fraction() {
    let (_d, path) = temp_suite(
        r#"
version: 1
sources: { f: { path: fixtures/features.parquet } }
checks:
  f:
    columns:
      country:
        - in_set: { values: [DE, FR, NL, ES], mostly: 0.787 }
        - { in_set: [DE, FR, NL, ES], mostly: 0.788, name: one_more }
        - { not_in_set: [IT], mostly: 0.8, name: few_it }
      email:
        - regex: { pattern: '^user[0-8]', mostly: 0.889 }
      category:
        - not_null: { mostly: 0.99 }
"#,
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let j = json(&o);
    let exact = check_named(&j, "country.in_set");
    assert_eq!(exact["status"], "pass", "a share equal to mostly passes");
    assert_eq!(exact["observed"], 213);
    assert_eq!(exact["observed_text"], "213 outside the set (78.7% comply)");
    assert_eq!(
        exact["expected"],
        r#"in {"DE", "FR", "NL", "ES"}, mostly 0.787"#
    );
    let more = check_named(&j, "one_more");
    assert_eq!(more["status"], "fail");
    assert_eq!(
        more["why"],
        "213 of 1000 non-null values are outside the set: 78.7% comply, fewer than mostly 0.788"
    );
    assert_eq!(
        more["sample"],
        serde_json::json!([{ "value": "IT", "rows": 213 }])
    );
    assert_eq!(check_named(&j, "few_it")["status"], "fail");
    assert_eq!(check_named(&j, "email.regex")["status"], "pass");
    let nn = check_named(&j, "category.not_null");
    assert_eq!(nn["status"], "pass");
    assert_eq!(nn["observed_text"], "0 nulls (100% comply)");
    assert_eq!(nn["expected"], "0 nulls, mostly 0.99");
}

#[test]
fn mostly_mistakes_are_suite_errors() {
    for (item, message) in [
        (
            "- in_set: { values: [DE], mostly: 1.5 }",
            "`mostly` is the fraction of non-null values that must comply, > 0 and ≤ 1; found 1.5",
        ),
        (
            "- { not_null, mostly: 0 }",
            "`mostly` is the fraction of non-null values that must comply, > 0 and ≤ 1; found 0",
        ),
        (
            "- regex: { pattern: x, mostly: most }",
            "`mostly` must be a finite number, found a string",
        ),
        (
            "- min: { min: 0, mostly: 0.9 }",
            "`mostly` applies to checks of each row (in_set, not_in_set, regex, not_regex, not_null, length, range, expression); `min` is not one",
        ),
    ] {
        first_error(&format!("columns:\n      country:\n        {item}"), message);
    }
}

/// A column whose Arrow type is null (what pandas writes for an all-None
/// column) has no values, like a string column of nulls: every check of
/// each value passes with "0 values", and `not_null` counts its nulls.
#[test]
fn a_column_of_type_null_has_no_values() {
    use datafusion::arrow::array::{ArrayRef, Int64Array, NullArray, StringArray};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let file = common::parquet(
        dir.path(),
        "t.parquet",
        vec![
            ("id", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
            ("n", Arc::new(NullArray::new(3)) as ArrayRef),
            (
                "s",
                Arc::new(StringArray::from(vec![None::<&str>; 3])) as ArrayRef,
            ),
        ],
    );
    let checks = "- in_set: [a, b]\n        - not_in_set: [a]\n        - regex: '^a'\n        - not_regex: '^a'\n        - length: { max: 3 }\n        - in_set: { values: [a], mostly: 0.9, name: mostly_NAME }";
    let (_d, path) = temp_suite(&format!(
        "version: 1\nsources: {{ f: {{ path: {file} }} }}\nchecks:\n  f:\n    columns:\n      n:\n        {}\n      s:\n        {}\n      id:\n        - not_null\n",
        checks.replace("NAME", "n"),
        checks.replace("NAME", "s"),
    ));
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    for col in ["n", "s"] {
        for kw in ["in_set", "not_in_set", "regex", "not_regex", "length"] {
            let c = check_named(&j, &format!("{col}.{kw}"));
            assert_eq!(c["status"], "pass", "{col}.{kw}: {c}");
            assert_eq!(c["observed_text"], "0 values", "{col}.{kw}");
        }
        assert_eq!(
            check_named(&j, &format!("mostly_{col}"))["observed_text"],
            "0 values"
        );
    }
}

/// The mean of a boolean column is its rate of true values (nulls left
/// out), its sum the count of true values: 770 of the fixture's 1000
/// `is_active` values are true, as pandas counts them.
#[test]
fn mean_of_a_boolean_column_is_its_true_rate() {
    let (_d, path) = temp_suite(
        r#"
version: 1
sources: { f: { path: fixtures/features.parquet } }
checks:
  f:
    columns:
      is_active:
        - mean: { between: [0.5, 0.76] }
        - sum: { equals: 770 }
        - stddev: { max: 1 }
"#,
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let j = json(&o);
    let mean = check_named(&j, "is_active.mean");
    assert_eq!(mean["status"], "fail");
    assert_eq!(mean["observed"], 0.77);
    assert_eq!(mean["observed_text"], "0.77 (770 of 1000 true)");
    let sum = check_named(&j, "is_active.sum");
    assert_eq!(sum["status"], "pass");
    assert_eq!(sum["observed"], 770);
    assert_eq!(
        check_named(&j, "is_active.stddev")["why"],
        "stddev needs a numeric column; `is_active` is bool"
    );
}

/// `distinct_count` and `unique_rate`, counted exactly (as pandas'
/// `nunique`: 5 countries, 1000 ids among 1000 rows), also against a
/// reference with `change_vs`.
#[test]
fn distinct_count_and_unique_rate() {
    let (_d, path) = temp_suite(
        r#"
version: 1
sources:
  f: { path: fixtures/features.parquet }
  g: { path: fixtures/features.parquet }
checks:
  f:
    columns:
      country:
        - distinct_count: { equals: 5 }
        - unique_rate: { max: 0.01 }
        - distinct_count: { change_vs: g, max_abs: 0, name: same_countries }
      id:
        - unique_rate: { equals: 1 }
        - distinct_count: { min: 1001 }
"#,
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let j = json(&o);
    let c = check_named(&j, "country.distinct_count");
    assert_eq!(
        (c["status"].as_str(), c["observed"].as_i64()),
        (Some("pass"), Some(5))
    );
    assert_eq!(c["observed_text"], "5 distinct");
    let r = check_named(&j, "country.unique_rate");
    assert_eq!(r["observed"], 0.005);
    assert_eq!(r["observed_text"], "0.005 (5 distinct of 1000 non-null)");
    assert_eq!(check_named(&j, "same_countries")["status"], "pass");
    assert_eq!(check_named(&j, "id.unique_rate")["observed"], 1.0);
    let d = check_named(&j, "id.distinct_count");
    assert_eq!(d["status"], "fail");
    assert_eq!(d["observed"], 1000);
}

/// `length` with `mostly` counts the values of a length outside the
/// bounds (pandas: 900 of the 1000 e-mail addresses are longer than 18
/// characters, 10 shorter); a failed `length` names offending values.
#[test]
fn length_with_mostly_and_its_offending_values() {
    let (_d, path) = temp_suite(
        r#"
version: 1
sources: { f: { path: fixtures/features.parquet } }
checks:
  f:
    columns:
      email:
        - length: { between: [18, 18], mostly: 0.09 }
        - length: { max: 18.5, mostly: 0.11, name: at_most_18 }
        - length: { max: 18, name: plain }
"#,
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let j = json(&o);
    let l = check_named(&j, "email.length");
    assert_eq!(l["status"], "pass");
    assert_eq!(l["observed"], 910);
    assert_eq!(
        l["observed_text"],
        "910 of a length outside the bounds (9% comply)"
    );
    let m = check_named(&j, "at_most_18");
    assert_eq!(m["status"], "fail");
    assert_eq!(
        m["why"],
        "900 of 1000 non-null values are of a length outside the bounds: 10% comply, fewer than mostly 0.11"
    );
    let p = check_named(&j, "plain");
    assert_eq!(p["status"], "fail");
    assert_eq!(
        p["sample"][0],
        serde_json::json!({ "value": "user100@example.com", "rows": 1 })
    );
}

/// `freshness`: the newest value's age against `now` (the tests' now is
/// 2026-11-25T12:00:00Z; the newest `created_at` is 2026-11-11T15:00:00Z,
/// the newest `ordered_on` 2026-10-27), as a table or a column check.
#[test]
fn freshness_reports_the_newest_values_age() {
    let (_d, path) = temp_suite(
        r#"
version: 1
sources:
  f: { path: fixtures/features.parquet }
  o: { path: fixtures/compare/prod.parquet }
checks:
  f:
    table:
      - freshness: { column: created_at, max_age: 14d }
    columns:
      created_at:
        - freshness: { max_age: 13d, name: two_weeks }
      price:
        - freshness: { max_age: 1h }
  o:
    columns:
      ordered_on:
        - freshness: { max_age: 30d }
"#,
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let j = json(&o);
    let ok = check_named(&j, "created_at.freshness");
    assert_eq!(ok["status"], "pass");
    assert_eq!(
        ok["observed_text"],
        "newest is 13d 21h old (2026-11-11T15:00:00Z)"
    );
    assert_eq!(ok["observed"], 1_198_800.0);
    assert_eq!(ok["expected"], "newest value at most 14d old");
    let late = check_named(&j, "two_weeks");
    assert_eq!(late["status"], "fail");
    assert_eq!(late["why"], "no value of `created_at` is newer than 13d");
    assert_eq!(
        check_named(&j, "price.freshness")["why"],
        "freshness needs a date or timestamp column; `price` is float64"
    );
    let dates = &j["suites"][0]["sources"][1]["checks"][0];
    assert_eq!(dates["status"], "pass");
    assert_eq!(
        dates["observed_text"],
        "newest is 29d 12h old (2026-10-27T00:00:00Z)"
    );
}

#[test]
fn freshness_mistakes_are_suite_errors() {
    for (item, message) in [
        (
            "table:\n      - freshness: { max_age: 6h }",
            "`freshness` needs `column`: the date or timestamp whose newest value counts",
        ),
        (
            "columns:\n      created_at:\n        - freshness: { max_age: soon }",
            "`max_age` must be a positive duration, found a string",
        ),
        (
            "columns:\n      created_at:\n        - freshness: {}",
            "`freshness` needs `max_age`",
        ),
    ] {
        first_error(item, message);
    }
}

/// Validates a suite of `checks` (the YAML under `checks: f:`) on the
/// bundled fixture and asserts it is refused (exit 2) with `message` first.
fn first_error(checks: &str, message: &str) {
    let (_d, path) = temp_suite(&format!(
        "version: 1\nsources: {{ f: {{ path: fixtures/features.parquet }} }}\nchecks:\n  f:\n    {checks}\n"
    ));
    let o = verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{checks}");
    assert!(
        o.stderr.starts_with(&format!("error: {message}\n")),
        "{checks}: {}",
        o.stderr
    );
}
