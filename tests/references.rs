//! `references:`: every key of a table exists in another source, counted
//! by an anti-join; the orphans, their distinct keys and the most frequent
//! of them are reported, and every mistake has its message.

mod common;

use common::{check_named, json, run, temp_suite, verdict};

/// `fixtures/features.parquet` (1,000 rows; countries IT 213, DE 211,
/// NL 199, ES 193, FR 184) beside a CSV of countries without NL.
fn suite(checks: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, path) = temp_suite("");
    let countries = dir.path().join("countries.csv");
    std::fs::write(
        &countries,
        "code,name\nDE,Germany\nFR,France\nIT,Italy\nES,Spain\nPL,Poland\n",
    )
    .unwrap();
    let pairs = dir.path().join("pairs.csv");
    std::fs::write(
        &pairs,
        "country,category\nDE,a\nDE,b\nDE,c\nFR,a\nIT,a\nIT,b\nES,c\nNL,a\nNL,b\nNL,c\n",
    )
    .unwrap();
    std::fs::write(
        &path,
        format!(
            "version: 1\nsources:\n  f: {{ path: fixtures/features.parquet }}\n  countries: {{ path: {} }}\n  pairs: {{ path: {} }}\nchecks:\n  f:\n{checks}",
            countries.display(),
            pairs.display()
        ),
    )
    .unwrap();
    (dir, path)
}

#[test]
fn orphans_are_counted_and_the_most_frequent_named() {
    let (_d, path) = suite(
        "    columns:\n      country:\n        - references: { source: countries, column: code }\n        - references: { source: countries, column: code, where: \"country <> 'NL'\", name: no_nl }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let c = check_named(&r, "country.references");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["observed"], 199);
    assert_eq!(c["observed_text"], "199 orphan rows (1 missing key)");
    assert_eq!(c["expected"], "every key in `countries.code`");
    assert_eq!(
        c["why"],
        "199 rows hold 1 key missing from `countries.code`"
    );
    assert_eq!(
        c["sample"],
        serde_json::json!([{ "value": "NL", "rows": 199 }])
    );
    let no_nl = check_named(&r, "no_nl");
    assert_eq!(no_nl["status"], "pass", "{no_nl}");
    assert_eq!(no_nl["observed_text"], "0 orphan rows");
    let scans = r["suites"][0]["sources"][0]["scans"].as_array().unwrap();
    let kinds: Vec<&str> = scans.iter().filter_map(|s| s["kind"].as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "references").count(),
        2,
        "{kinds:?}"
    );
    let o = run(&[path.to_str().unwrap()]);
    assert!(o.stdout.contains("e.g. \"NL\" (199 rows)"), "{}", o.stdout);
}

#[test]
fn a_compound_key_is_looked_up_whole() {
    // pandas: (country, category) pairs of features.parquet missing from
    // pairs.csv: FR b/c, IT c, ES a/b.
    let (_d, path) =
        suite("    table:\n      - references: { columns: [country, category], source: pairs }\n");
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let c = check_named(&json(&o), "references(country, category)");
    let want = expected_pairs();
    assert_eq!(c["observed"], want.0, "{c}");
    assert_eq!(
        c["observed_text"],
        format!("{} orphan rows (5 missing keys)", want.0)
    );
    assert_eq!(c["sample"][0]["value"], want.1, "{c}");
    assert_eq!(c["expected"], "every key in `pairs` (country, category)");
}

/// The orphan rows and the most frequent orphan pair, counted by hand.
fn expected_pairs() -> (i64, String) {
    use datafusion::prelude::*;
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = SessionContext::new();
        ctx.register_parquet("f", "fixtures/features.parquet", ParquetReadOptions::default())
            .await
            .unwrap();
        let allowed = [
            ("DE", "a"), ("DE", "b"), ("DE", "c"), ("FR", "a"), ("IT", "a"),
            ("IT", "b"), ("ES", "c"), ("NL", "a"), ("NL", "b"), ("NL", "c"),
        ];
        let batches = ctx
            .sql("select country, category, count(*) as n from f where category is not null group by 1, 2 order by n desc, 1, 2")
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let mut total = 0;
        let mut top = None;
        for b in &batches {
            let text = |c: usize, i: usize| {
                datafusion::scalar::ScalarValue::try_from_array(b.column(c), i)
                    .unwrap()
                    .to_string()
            };
            let n = b.column(2).as_any().downcast_ref::<datafusion::arrow::array::Int64Array>().unwrap();
            for i in 0..b.num_rows() {
                let (c, k) = (text(0, i), text(1, i));
                if !allowed.contains(&(c.as_str(), k.as_str())) {
                    total += n.value(i);
                    top.get_or_insert(format!("({c}, {k})"));
                }
            }
        }
        (total, top.unwrap())
    })
}

#[test]
fn references_mistakes_have_messages() {
    // Suite errors, before any data is read.
    for (checks, message) in [
        (
            "    columns:\n      country:\n        - references: { source: countrys, column: code }\n",
            "`references` of `country.references` names unknown source `countrys`",
        ),
        (
            "    columns:\n      country:\n        - references: { column: code }\n",
            "`references` needs `source`: the source that holds the keys",
        ),
        (
            "    table:\n      - references: { source: pairs }\n",
            "`references` needs `columns`: the key that must exist in the other source",
        ),
        (
            "    table:\n      - references: { columns: [country, category], source: pairs, to: [country] }\n",
            "`to` names 1 column for a key of 2 columns",
        ),
    ] {
        let (_d, path) = suite(checks);
        let o = verdict(&["validate", path.to_str().unwrap()]);
        assert_eq!(o.code, 2, "{checks}");
        assert!(
            o.stderr.starts_with(&format!("error: {message}\n")),
            "{checks}: {}",
            o.stderr
        );
    }
    // What only the sources' columns show: an error on the check (exit 3).
    for (checks, why) in [
        (
            "    columns:\n      id:\n        - references: { source: countries, column: code }\n",
            "`id` is int64 but `countries.code` is string: their values cannot be compared; cast one of them in a `query:` source",
        ),
        (
            "    columns:\n      country:\n        - references: { source: countries, column: cod }\n",
            "in `countries`: column `cod` does not exist; did you mean `code`?",
        ),
        (
            "    columns:\n      contry:\n        - references: { source: countries, column: code }\n",
            "column `contry` does not exist; did you mean `country`?",
        ),
    ] {
        let (_d, path) = suite(checks);
        let o = run(&[path.to_str().unwrap(), "--format", "json"]);
        assert_eq!(o.code, 3, "{checks}: {}", o.stderr);
        let r = json(&o);
        let c = &r["suites"][0]["sources"][0]["checks"][0];
        assert_eq!(c["status"], "error", "{checks}");
        assert_eq!(c["why"], why, "{checks}");
    }
}

#[test]
fn a_referenced_source_that_cannot_be_read_is_an_error_on_the_check() {
    let (_d, path) = temp_suite(
        "version: 1\nsources:\n  f: { path: fixtures/features.parquet }\n  gone: { path: fixtures/no_such_file.csv }\nchecks:\n  f:\n    columns:\n      country:\n        - references: { source: gone, column: code }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    let c = check_named(&json(&o), "country.references");
    assert_eq!(c["status"], "error");
    assert_eq!(
        c["why"],
        "the referenced source `gone` could not be read: no such file or directory: fixtures/no_such_file.csv"
    );
}
