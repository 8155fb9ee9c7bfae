//! `where:` on a source and on a check: only the rows the expression holds
//! for are measured, what files and row groups that spared is reported,
//! and every way to get the expression wrong is a suite error with its
//! position (exit 2) before anything is evaluated.

mod common;

use std::sync::Arc;

use common::{check_named, json, run, temp_suite, verdict, verdict_env};
use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};

fn suite(sources: &str, checks: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    temp_suite(&format!(
        "version: 1\nsources:\n{sources}\nchecks:\n{checks}"
    ))
}

#[test]
fn a_source_where_keeps_only_its_partition_and_reads_only_its_files() {
    let (_d, path) = suite(
        "  sales: { path: fixtures/hive, where: \"region = 'eu'\" }",
        "  sales:\n    table:\n      - row_count: { equals: 600 }\n    columns:\n      country:\n        - in_set: [IT, ES, FR, DE, NL]\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r = json(&o);
    let src = &r["suites"][0]["sources"][0];
    assert_eq!(src["where"], "region = 'eu'");
    assert_eq!(src["rows"], 600);
    assert_eq!(check_named(&r, "row_count")["observed"], 600);
    let read = &src["scans"][0]["read"];
    assert_eq!(read["files"], 1, "{src}");
    let o = run(&[path.to_str().unwrap()]);
    let line = o
        .stdout
        .lines()
        .find(|l| l.starts_with("source sales"))
        .unwrap();
    assert!(
        line.contains("where region = 'eu': 1 file of 2, 0 of 1 row group skipped, "),
        "{line}"
    );
}

/// Four row groups of 250 sorted ids: `id >= 750` lets the statistics
/// skip three of them.
#[test]
fn row_groups_the_where_excludes_are_skipped_and_counted() {
    use datafusion::arrow::array::RecordBatch;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::file::properties::WriterProperties;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ids.parquet");
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("kind", DataType::Utf8, true),
    ]));
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(0..1000));
    let kinds: ArrayRef = Arc::new(StringArray::from_iter_values((0..1000).map(|i| {
        if i % 10 == 0 {
            "x"
        } else {
            "a"
        }
    })));
    let batch = RecordBatch::try_new(schema.clone(), vec![ids, kinds]).unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(250))
        .build();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(&file).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let (_d, path) = suite(
        &format!("  ids: {{ path: {}, where: \"id >= 750\" }}", file.display()),
        "  ids:\n    table:\n      - row_count: { equals: 250 }\n    columns:\n      id:\n        - min: { equals: 750 }\n      kind:\n        - in_set: [a]\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    let read = &r["suites"][0]["sources"][0]["scans"][0]["read"];
    assert_eq!(read["row_groups"], 4, "{read}");
    assert_eq!(read["row_groups_skipped"], 3, "{read}");
    assert_eq!(check_named(&r, "row_count")["status"], "pass");
    assert_eq!(check_named(&r, "id.min")["status"], "pass");
    let kind = check_named(&r, "kind.in_set");
    assert_eq!(kind["observed"], 25);
    // The offending values come from the same rows.
    assert_eq!(kind["sample"][0]["value"], "x");
    assert_eq!(kind["sample"][0]["rows"], 25);
}

#[test]
fn checks_with_a_where_see_only_their_rows_and_share_one_aggregate() {
    let (_d, path) = suite(
        "  f: { path: fixtures/features.parquet }",
        "  f:\n    table:\n      - row_count: { equals: 1000 }\n      - row_count: { equals: 211, where: \"country = 'DE'\", name: de_rows }\n    columns:\n      price:\n        - null_count: { equals: 5 }\n        - null_count: { equals: 0, name: de_nulls, where: \"country = 'DE'\" }\n        - max: { max: 19.8, name: de_max, where: \"country = 'DE'\" }\n      qty:\n        - sum: { equals: 2291, where: \"country = 'DE'\", name: de_qty }\n      category:\n        - in_set: { values: [a, b], where: \"country = 'DE'\", name: de_category }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = json(&o);
    for name in [
        "row_count",
        "de_rows",
        "price.null_count",
        "de_nulls",
        "de_max",
        "de_qty",
    ] {
        assert_eq!(check_named(&r, name)["status"], "pass", "{name}");
    }
    assert_eq!(check_named(&r, "de_rows")["observed"], 211);
    let cat = check_named(&r, "de_category");
    assert_eq!(cat["status"], "fail");
    assert_eq!(cat["observed"], 74);
    assert_eq!(cat["expected"], "in {\"a\", \"b\"}, where country = 'DE'");
    assert_eq!(cat["sample"][0]["value"], "c");
    assert_eq!(cat["sample"][0]["rows"], 74);
    let src = &r["suites"][0]["sources"][0];
    assert_eq!(src["rows"], 1000);
    let aggregates: Vec<&serde_json::Value> = src["scans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "aggregate")
        .collect();
    assert_eq!(aggregates.len(), 2, "{aggregates:?}");
    assert!(aggregates[0].get("where").is_none());
    assert_eq!(aggregates[1]["where"], "country = 'DE'");
    let o = run(&[path.to_str().unwrap()]);
    assert!(
        o.stdout.contains("in {\"a\", \"b\"}, where country = 'DE'"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_where_with_a_change_against_a_reference_filters_the_reference_too() {
    let (_d, path) = suite(
        "  f: { path: fixtures/features.parquet }\n  r: { path: fixtures/hive }",
        "  f:\n    table:\n      - row_count: { change_vs: r, max_rel: 1.0, where: \"country = 'DE'\", name: de_rows }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let c = check_named(&json(&o), "de_rows");
    assert_eq!(c["observed"], 211);
    // fixtures/hive holds the same 1,000 rows split by region: its German
    // rows are 113 in `region=eu` and 98 in `region=us`, not its 1,000.
    assert_eq!(c["observed_text"], "211 rows (`r` 211, Δ 0, +0%)");
    let (_d, path) = suite(
        "  us: { path: fixtures/hive/region=us, where: \"country = 'DE'\" }",
        "  us:\n    table:\n      - row_count: { equals: 98 }\n",
    );
    assert_eq!(run(&[path.to_str().unwrap()]).code, 0);
}

#[test]
fn a_where_takes_values_from_the_environment() {
    let (_d, path) = suite(
        "  sales: { path: fixtures/hive, where: \"region = '${REGION}'\" }",
        "  sales:\n    table:\n      - row_count: { equals: 400 }\n",
    );
    let o = verdict_env(
        &["run", path.to_str().unwrap(), "--format", "json"],
        &[("REGION", "us")],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        json(&o)["suites"][0]["sources"][0]["where"],
        "region = 'us'"
    );
}

/// Mistakes that need the source's columns to be seen: exit 2, nothing
/// reported, the suite position and the reason.
#[test]
fn a_where_that_does_not_fit_the_columns_is_a_suite_error_at_run_time() {
    for (filter, on_check, message) in [
        (
            "contry = 'DE'",
            false,
            "error: `where` of source `f`: `f` has no column `contry` (did you mean `country`? its columns: `id`, `price`, `qty`, `category`, `country`, `email`, `created_at`, `is_active`, `score`); a name with capitals or spaces goes in double quotes\n  --> SUITE:4:48\n",
        ),
        (
            "qty + 1",
            false,
            "error: `where` of source `f`: `qty + 1` is int64, not true or false; a condition is decided on each row\n  --> SUITE:4:48\n",
        ),
        (
            "max(qty) > 3",
            false,
            "error: `where` of source `f`: `max(qty) > 3` summarises rows (an aggregate or window function); a condition is decided on each row's own values\n  --> SUITE:4:48\n",
        ),
        (
            "price_eur > 3",
            true,
            "error: `where` of check `de`: `f` has no column `price_eur` (its columns: `id`, `price`, `qty`, `category`, `country`, `email`, `created_at`, `is_active`, `score`); a name with capitals or spaces goes in double quotes\n  --> SUITE:8:47\n",
        ),
    ] {
        let source_where = if on_check {
            String::new()
        } else {
            format!(", where: \"{filter}\"")
        };
        let check_where = if on_check {
            format!(", where: \"{filter}\"")
        } else {
            String::new()
        };
        let (_d, path) = temp_suite(&format!(
            "version: 1\nsources:\n  # the table\n  f: {{ path: fixtures/features.parquet{source_where} }}\nchecks:\n  f:\n    table:\n      - row_count: {{ min: 1, name: de{check_where} }}\n"
        ));
        let p = path.to_str().unwrap();
        // Without the source, the expression itself is fine.
        assert_eq!(verdict(&["validate", p]).code, 0, "{filter}");
        let o = run(&[p, "--format", "json"]);
        assert_eq!(o.code, 2, "{filter}: {}", o.stderr);
        assert_eq!(o.stdout, "", "{filter}");
        assert!(
            o.stderr.starts_with(&message.replace("SUITE", p)),
            "{filter}: {}",
            o.stderr
        );
    }
}

/// Mistakes the expression shows by itself: `verdict validate` finds them.
#[test]
fn a_where_that_is_not_one_expression_is_a_suite_error() {
    for (filter, message) in [
        (
            "select * from f",
            "`where`: `SELECT …` is a statement; `where` is one boolean expression over the source's columns",
        ),
        (
            "qty > 1; drop table f",
            "`where`: `;` after the expression; `where` is one expression (join conditions with AND or OR)",
        ),
        (
            "qty > 1 qty < 5",
            "`where`: `qty` after the expression; `where` is one expression (join conditions with AND or OR)",
        ),
        (
            "id in (select id from g)",
            "`where`: a subquery reads other tables; `where` is over the source's own columns (check a relationship with an `sql:` check)",
        ),
        (
            "exists (select 1)",
            "`where`: a subquery reads other tables; `where` is over the source's own columns (check a relationship with an `sql:` check)",
        ),
        ("   ", "`where`: the expression is empty"),
        (
            "qty >",
            "`where`: not an SQL expression: Expected: an expression, found: EOF",
        ),
    ] {
        for on_check in [false, true] {
            let (src, check) = if on_check {
                (String::new(), format!(", where: \"{filter}\""))
            } else {
                (format!(", where: \"{filter}\""), String::new())
            };
            let (_d, path) = temp_suite(&format!(
                "version: 1\nsources:\n  f: {{ path: fixtures/features.parquet{src} }}\nchecks:\n  f:\n    table:\n      - row_count: {{ min: 1{check} }}\n"
            ));
            let p = path.to_str().unwrap();
            for command in ["validate", "run"] {
                let o = verdict(&[command, p]);
                assert_eq!(o.code, 2, "{filter}");
                assert!(
                    o.stderr.starts_with(&format!("error: {message}\n")),
                    "{filter} ({command}): {}",
                    o.stderr
                );
            }
        }
    }
}

#[test]
fn an_sql_check_takes_no_where() {
    let (_d, path) = temp_suite(
        "version: 1\nsources:\n  f: { path: fixtures/features.parquet }\nchecks:\n  f:\n    sql:\n      - name: q\n        query: select count(*) from f\n        where: \"qty > 1\"\n        expect: { min: 1 }\n",
    );
    let o = verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .starts_with("error: an `sql` check takes no `where`\n"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr
            .contains("help: put the condition in the WHERE of its `query`"),
        "{}",
        o.stderr
    );
}

/// `sql:` checks read a source with a `where` through it, like the
/// checks.
#[test]
fn an_sql_check_sees_the_source_where() {
    let (_d, path) = suite(
        "  f: { path: fixtures/features.parquet, where: \"country = 'DE'\" }",
        "  f:\n    sql:\n      - name: rows\n        query: select count(*) from f\n        expect: { equals: 211 }\n",
    );
    let o = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(check_named(&json(&o), "rows")["observed"], 211);
}
