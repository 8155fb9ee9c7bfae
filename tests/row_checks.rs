//! Per-row checks over several columns (`expression:`) and numeric ranges
//! (`range:`), with `mostly`: counted in the shared aggregate, judged
//! against pandas' counts of the same rows, and every mistake a message.

mod common;

use common::{check_fields, check_named, json, named, run, temp_suite, verdict};

/// `verdict validate` refuses the suite of `checks` (exit 2), saying
/// `message` first.
fn rejected(checks: &str, message: &str) {
    let (_d, path) = suite(checks);
    let o = verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{checks}");
    assert!(
        o.stderr.starts_with(&format!("error: {message}")),
        "{checks}: {}",
        o.stderr
    );
}

fn suite(checks: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    temp_suite(&format!(
        "version: 1\nsources:\n  f: {{ path: fixtures/features.parquet }}\nchecks:\n  f:\n{checks}"
    ))
}

#[test]
fn an_expression_counts_the_rows_it_is_false_on() {
    // pandas: (qty * 2 > price) is False on 329 rows; price is null on 5.
    let (_d, path) = suite(
        "    table:\n      - expression: \"qty * 2 > price\"\n      - expression: { expr: \"qty * 2 > price\", mostly: 0.6, name: mostly_cheap }\n      - expression: { expr: \"qty * 2 > price\", mostly: 0.7, name: strict_cheap }\n      - expression: { expr: \"qty >= 0\", name: positive }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let c = check_named(&r, "expression(qty * 2 > price)");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["observed"], 329);
    assert_eq!(c["observed_text"], "329 rows false, 5 null");
    assert_eq!(c["expected"], "true on every row");
    assert_eq!(c["why"], "it is false on 329 of the 995 rows it decides");
    // 666 of 995 = 66.93% hold.
    let m = check_named(&r, "mostly_cheap");
    assert_eq!(m["status"], "pass", "{m}");
    assert_eq!(m["observed_text"], "329 rows false, 5 null (66.93% comply)");
    let s = check_named(&r, "strict_cheap");
    assert_eq!(s["status"], "fail");
    assert_eq!(
        s["why"],
        "it is false on 329 of the 995 rows it decides: 66.93% comply, fewer than mostly 0.7"
    );
    assert_eq!(check_named(&r, "positive")["status"], "pass");
    assert_eq!(check_named(&r, "positive")["observed_text"], "0 rows false");
    // All four share the one aggregate.
    let scans = r["suites"][0]["sources"][0]["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 1, "{scans:?}");
}

#[test]
fn a_range_counts_values_outside_and_names_the_most_frequent() {
    // pandas: 312 of the 995 non-null prices lie outside [12, 19].
    let (_d, path) = suite(
        "    columns:\n      price:\n        - range: { between: [12, 19] }\n        - range: { min: 12, max: 19, mostly: 0.68, name: loose }\n        - range: { min: 10, name: floor }\n      qty:\n        - range: { between: [0, 1000] }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let c = check_named(&r, "price.range");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["observed"], 312);
    assert_eq!(c["expected"], "each value between 12 and 19");
    assert_eq!(c["sample"].as_array().unwrap().len(), 5, "{c}");
    let loose = check_named(&r, "loose");
    assert_eq!(loose["status"], "pass");
    assert_eq!(
        loose["observed_text"],
        "312 outside the range (68.64% comply)"
    );
    assert_eq!(check_named(&r, "floor")["status"], "pass");
    assert_eq!(check_named(&r, "qty.range")["status"], "pass");
}

#[test]
fn a_range_on_a_column_that_is_not_numeric_is_an_error_on_the_check() {
    let (_d, path) = suite("    columns:\n      category:\n        - range: { min: 0 }\n");
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    let c = check_named(&json(&o), "category.range");
    assert_eq!(c["status"], "error");
    assert_eq!(
        c["why"],
        "range needs a numeric column; `category` is string"
    );
}

#[test]
fn expression_and_range_mistakes_are_suite_errors() {
    for (checks, message) in [
        (
            "    table:\n      - expression: \"select 1\"\n",
            "`expression`: `SELECT …` is a statement; an `expression` is one boolean expression over the source's columns",
        ),
        (
            "    table:\n      - expression: \"qty > (select max(qty) from f)\"\n",
            "`expression`: a subquery reads other tables; an `expression` is over the source's own columns (check a relationship with an `sql:` check)",
        ),
        (
            "    table:\n      - expression: {}\n",
            "`expression` needs `expr`",
        ),
        (
            "    columns:\n      price:\n        - range: {}\n",
            "`range` needs a bound",
        ),
        (
            "    columns:\n      price:\n        - range: { between: [5, 1] }\n",
            "the low bound 5 is above the high bound 1; no value could pass",
        ),
        (
            "    columns:\n      price:\n        - range: { max: \"now\" }\n",
            "`max` of `range` must be a number, found a string \"now\"",
        ),
    ] {
        rejected(checks, message);
    }
}

/// What only the source's columns show: `verdict run` exits 2 with the
/// position of the expression.
#[test]
fn an_expression_that_does_not_fit_the_columns_is_a_suite_error_at_run_time() {
    for (expr, message) in [
        (
            "qty > prise",
            "error: `expression` of check `c`: `f` has no column `prise` (did you mean `price`? its columns: `id`, `price`, `qty`, `category`, `country`, `email`, `created_at`, `is_active`, `score`); a name with capitals or spaces goes in double quotes\n  --> SUITE:7:38\n",
        ),
        (
            "qty * 2",
            "error: `expression` of check `c`: `qty * 2` is int64, not true or false; a condition is decided on each row\n  --> SUITE:7:38\n",
        ),
    ] {
        let (_d, path) = suite(&format!(
            "    table:\n      - expression: {{ name: c, expr: \"{expr}\" }}\n"
        ));
        let p = path.to_str().unwrap();
        assert_eq!(verdict(&["validate", p]).code, 0, "{expr}");
        let o = run(&[p]);
        assert_eq!(o.code, 2, "{expr}: {}", o.stderr);
        assert_eq!(o.stdout, "");
        assert!(
            o.stderr.starts_with(&message.replace("SUITE", p)),
            "{expr}: {}",
            o.stderr
        );
    }
}

/// Exact quantiles against numpy's `quantile` (linear interpolation) on
/// the same values: DataFusion keeps 6 decimals of the fraction between
/// the two nearest values, so a result may differ from numpy's by a
/// millionth of the gap between them (19.96023996 against 19.96024).
#[test]
fn median_and_quantiles_agree_with_numpy() {
    let (_d, path) = suite(
        "    columns:\n      price:\n        - median: { between: [14, 16] }\n        - quantile: { q: 0.9, max: 19 }\n        - quantile: { q: 0.05, min: 0 }\n        - quantile: { q: 0.999, max: 19.9 }\n      qty:\n        - median: { min: 0 }\n        - quantile: { q: 0.05, min: 0 }\n        - quantile: { q: 0.333, min: 0 }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    // numpy.quantile over the non-null values.
    for (name, numpy) in [
        ("price.median", 14.86),
        ("price.quantile(0.9)", 18.97),
        ("price.quantile(0.05)", 10.42),
        ("price.quantile(0.999)", 19.96024),
        ("qty.median", 11.0),
        ("qty.quantile(0.05)", 1.9500000000000028),
        ("qty.quantile(0.333)", 8.0),
    ] {
        let got = check_named(&r, name)["observed"].as_f64().unwrap();
        assert!(
            (got - numpy).abs() <= 1e-7,
            "{name}: {got} vs numpy {numpy}"
        );
    }
    let top = check_named(&r, "price.quantile(0.999)");
    assert_eq!(top["status"], "fail");
    assert_eq!(top["why"], "above the maximum");
}

#[test]
fn quantile_mistakes_have_messages() {
    for (checks, message) in [
        (
            "    columns:\n      price:\n        - quantile: { max: 3 }\n",
            "`quantile` needs `q`: which quantile, from 0 to 1",
        ),
        (
            "    columns:\n      price:\n        - quantile: { q: 1.5, max: 3 }\n",
            "`q` is a quantile from 0 to 1; found 1.5",
        ),
        (
            "    columns:\n      price:\n        - quantile: { q: 0.5 }\n",
            "`quantile` needs a bound",
        ),
    ] {
        rejected(checks, message);
    }
    let (_d, path) = suite("    columns:\n      category:\n        - median: { min: 0 }\n");
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 3);
    assert_eq!(
        check_named(&json(&o), "category.median")["why"],
        "median needs a numeric column; `category` is string"
    );
}

/// The distinct countries of `fixtures/features.parquet` are DE, FR, IT,
/// ES and NL (pandas' `unique`).
#[test]
fn distinct_values_equal_lie_within_or_contain_a_set() {
    let (_d, path) = suite(
        "    columns:\n      country:\n        - distinct_values: { equals: [DE, FR, IT, ES, NL] }\n        - distinct_values: { within: [DE, FR, IT], name: w }\n        - distinct_values: { contains: [DE, PL, US], name: c }\n        - distinct_values: { equals: [DE, FR, IT, ES, NL, PL], name: e2 }\n        - distinct_values: { within: [DE, FR, IT, ES, NL, PL], name: w2 }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    for (name, status, observed, why) in [
        ("country.distinct_values", "pass", "all 5 present", None),
        (
            "w",
            "fail",
            "392 rows outside the set",
            Some("the distinct values of `country`: 392 rows outside the set"),
        ),
        (
            "c",
            "fail",
            "missing {\"PL\", \"US\"}",
            Some("the distinct values of `country`: missing {\"PL\", \"US\"}"),
        ),
        (
            "e2",
            "fail",
            "missing {\"PL\"}",
            Some("the distinct values of `country`: missing {\"PL\"}"),
        ),
        ("w2", "pass", "none outside the set", None),
    ] {
        let c = check_named(&r, name);
        assert_eq!(c["status"], status, "{name}: {c}");
        assert_eq!(c["observed_text"], observed, "{name}");
        assert_eq!(c["why"].as_str(), why, "{name}");
    }
    assert_eq!(
        check_named(&r, "w")["sample"],
        serde_json::json!([{ "value": "NL", "rows": 199 }, { "value": "ES", "rows": 193 }])
    );
}

#[test]
fn distinct_values_takes_one_relation() {
    for (checks, message) in [
        (
            "    columns:\n      country:\n        - distinct_values: {}\n",
            "`distinct_values` needs `equals`, `within` or `contains`",
        ),
        (
            "    columns:\n      country:\n        - distinct_values: { within: [DE], contains: [FR] }\n",
            "`distinct_values` takes one of `equals`, `within` and `contains`",
        ),
    ] {
        rejected(checks, message);
    }
}

#[test]
fn above_and_below_exclude_their_value() {
    // fixtures/features.parquet (duckdb): 1000 rows; qty from 1 to 20, 50
    // rows at each end; every country code has 2 characters; 5 null prices
    // (0.005 of the rows).
    let (_d, path) = suite(
        "    table:\n      - row_count: { above: 999, below: 1001, name: rows_open }\n      - row_count: { above: 1000, name: rows_above }\n    columns:\n      qty:\n        - range: { above: 1, max: 20, name: qty_open_low }\n        - range: { min: 1, below: 21, name: qty_closed }\n        - max: { below: 20, name: qty_max_open }\n      price:\n        - null_rate: { below: 0.005, name: nulls_below }\n        - null_rate: { below: 0.0051, name: nulls_just_below }\n      country:\n        - length: { above: 1, below: 3, name: len_open }\n        - length: { above: 2, name: len_above }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let got = check_fields(&r, &["name", "status", "observed_text", "expected"]);
    let want = [
        ["rows_open", "pass", "1000 rows", "> 999 and < 1001"],
        ["rows_above", "fail", "1000 rows", "> 1000"],
        [
            "qty_open_low",
            "fail",
            "50 outside the range",
            "each value > 1 and <= 20",
        ],
        [
            "qty_closed",
            "pass",
            "0 outside the range",
            "each value >= 1 and < 21",
        ],
        ["qty_max_open", "fail", "20", "< 20"],
        ["nulls_below", "fail", "0.005 (5 of 1000)", "< 0.005"],
        ["nulls_just_below", "pass", "0.005 (5 of 1000)", "< 0.0051"],
        ["len_open", "pass", "2..2", "length > 1 and < 3"],
        ["len_above", "fail", "2..2", "length > 2"],
    ];
    assert_eq!(got, want);
    let why = |name: &str| {
        named(&r["suites"][0]["sources"][0]["checks"], name)["why"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(why("rows_above"), "not above the lower bound");
    assert_eq!(why("qty_max_open"), "not below the upper bound");
}

#[test]
fn open_bounds_that_conflict_or_leave_nothing_are_suite_errors() {
    for (checks, message) in [
        (
            "    table:\n      - row_count: { min: 1, above: 0 }\n",
            "`above` cannot be combined with `min`",
        ),
        (
            "    columns:\n      qty:\n        - range: { max: 5, below: 6 }\n",
            "`below` cannot be combined with `max`",
        ),
        (
            "    table:\n      - row_count: { above: 5, below: 5 }\n",
            "`above`/`below` exclude 5, the only value the bounds leave; no value could pass",
        ),
        (
            "    table:\n      - row_count: { above: 6, max: 5 }\n",
            "the low bound 6 is above the high bound 5; no value could pass",
        ),
        (
            "    columns:\n      qty:\n        - mean: { equals: 3, below: 4 }\n",
            "`equals` cannot be combined with `min`, `max`, `above` or `below`",
        ),
        (
            "    columns:\n      price:\n        - null_rate: { below: 2 }\n",
            "`null_rate` is a fraction from 0 to 1; 2 is outside that range",
        ),
    ] {
        rejected(checks, message);
    }
}

#[test]
fn type_families_match_any_width() {
    // qty is int32, id int64, price float64, created_at a timestamp.
    let (_d, path) = suite(
        "    schema:\n      columns:\n        id: integer\n        qty: { type: integer }\n        price: number\n        created_at: number\n        country: integer\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let schema = named(&r["suites"][0]["sources"][0]["checks"], "schema");
    assert_eq!(schema["observed_text"], "2 problems", "{schema}");
    assert_eq!(
        schema["why"],
        "`created_at` is timestamp[us, UTC], expected number; `country` is string, expected integer"
    );
}

/// A failed set or pattern check names its offending values without a
/// second scan when the shared aggregate could count them all (at most
/// 1,000 distinct values); with more, the row count stays exact and the
/// values come from a query of their own. The same sample either way.
#[test]
fn offending_values_are_counted_in_the_scan_up_to_a_thousand() {
    use datafusion::arrow::array::StringArray;
    let dir = tempfile::tempdir().unwrap();
    for (singletons, second_scan) in [(997, false), (998, true)] {
        // zz ×4, xx ×3, yy ×3 and `singletons` values once each: 1,000 or
        // 1,001 distinct offending values; 20 rows in the set, 5 nulls.
        let mut values: Vec<Option<String>> = Vec::new();
        for (v, n) in [("zz", 4), ("xx", 3), ("yy", 3), ("ok", 20)] {
            values.extend(std::iter::repeat_n(Some(v.to_string()), n));
        }
        values.extend((0..singletons).map(|i| Some(format!("v{i:04}"))));
        values.extend(std::iter::repeat_n(None, 5));
        let file = common::parquet(
            dir.path(),
            &format!("t{singletons}.parquet"),
            vec![("s", std::sync::Arc::new(StringArray::from(values)) as _)],
        );
        let (_d, path) = temp_suite(&format!(
            "version: 1\nsources:\n  t: {{ path: {file} }}\nchecks:\n  t:\n    columns:\n      s:\n        - in_set: [ok]\n        - regex: '^ok$'\n        - length: {{ equals: 2 }}\n"
        ));
        let o = run(&[path.to_str().unwrap(), "--format", "json"]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        let r = json(&o);
        let want = serde_json::json!([
            { "value": "zz", "rows": 4 },
            { "value": "xx", "rows": 3 },
            { "value": "yy", "rows": 3 },
            { "value": "v0000", "rows": 1 },
            { "value": "v0001", "rows": 1 },
        ]);
        for name in ["s.in_set", "s.regex"] {
            let c = check_named(&r, name);
            assert_eq!(c["observed"], 10 + singletons, "{name}: {c}");
            assert_eq!(c["sample"], want, "{name}");
        }
        // Only the singletons are not 2 characters long: at most 998
        // distinct values, counted in the scan in both tables.
        let c = check_named(&r, "s.length");
        assert_eq!(c["status"], "fail", "{c}");
        assert_eq!(
            c["sample"],
            serde_json::json!([
                { "value": "v0000", "rows": 1 },
                { "value": "v0001", "rows": 1 },
                { "value": "v0002", "rows": 1 },
                { "value": "v0003", "rows": 1 },
                { "value": "v0004", "rows": 1 },
            ]),
            "{c}"
        );
        let kinds = common::scan_kinds(&r);
        let samples = kinds.iter().filter(|k| *k == "sample").count();
        assert_eq!(samples, if second_scan { 2 } else { 0 }, "{kinds:?}");
    }
}
