//! `verdict import odcs`: every example contract the Open Data Contract
//! Standard publishes (fixtures/odcs/examples, source in SOURCE.md) imports
//! to a suite `verdict validate` accepts, or is refused with its reason;
//! the suites run against data made for them give the counts the
//! standard's semantics say (exclusive `mustBeBetween`, percent of rows,
//! nulls outside `invalidValues`); a contract of an unknown version, or a
//! contract given to `verdict run`, is an error with its message.

#[macro_use]
mod common;

use std::path::Path;
use std::sync::Arc;

use common::{check_fields, json, named, parquet, verdict, Out};
use datafusion::arrow::array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, StringArray, TimestampMicrosecondArray,
};

const EXAMPLES: &str = "fixtures/odcs/examples";

fn import(args: &[&str]) -> Out {
    let mut a = vec!["import", "odcs"];
    a.extend_from_slice(args);
    verdict(&a)
}

/// Imports `contract` with `--path DIR/{object}.parquet`, writes the
/// suite beside the data and returns its path (asserting exit 0).
fn suite_of(contract: &str, dir: &Path) -> (std::path::PathBuf, Out) {
    let template = format!("{}/{{object}}.parquet", dir.display());
    let o = import(&[contract, "--path", &template]);
    assert_eq!(o.code, 0, "{contract}: {}", o.stderr);
    let path = dir.join("suite.yml");
    std::fs::write(&path, &o.stdout).unwrap();
    (path, o)
}

fn run_json(suite: &Path) -> (i32, serde_json::Value) {
    let o = verdict(&[
        "run",
        "--now",
        "2026-11-25T12:00:00Z",
        suite.to_str().unwrap(),
        "--format",
        "json",
    ]);
    (o.code, json(&o))
}

#[test]
fn every_published_example_imports_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let template = format!("{}/{{object}}.parquet", dir.path().display());
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(EXAMPLES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".odcs.yaml"))
        .collect();
    entries.sort();
    let nothing = [
        "schema-kafka-schemaregistry.odcs.yaml",
        "server-kafka-server.odcs.yaml",
    ];
    let no_table = [
        "roles-service-and-operational-roles.odcs.yaml",
        "server-azure-server.odcs.yaml",
        "sla-database-table-sla.odcs.yaml",
        "stakeholders-basic-four-dpo.odcs.yaml",
    ];
    for path in &entries {
        let file = path.file_name().unwrap().to_str().unwrap();
        let shown = format!("{EXAMPLES}/{file}");
        let o = import(&[&shown, "--path", &template]);
        if nothing.contains(&file) {
            // Their one table, a Kafka topic, lists no properties.
            assert_eq!(o.code, 2, "{file}: {}", o.stderr);
            assert_eq!(
                o.stderr,
                format!("error: {shown} holds nothing a suite can check: its tables list no properties\n")
            );
            continue;
        }
        if no_table.contains(&file) {
            assert_eq!(o.code, 2, "{file}: {}", o.stderr);
            assert_eq!(
                o.stderr,
                format!("error: {shown} describes no table (its `schema` lists none): there is nothing to check\n")
            );
            assert!(o.stdout.is_empty());
            continue;
        }
        assert_eq!(o.code, 0, "{file}: {}", o.stderr);
        let suite = dir.path().join(format!("{file}.yml"));
        std::fs::write(&suite, &o.stdout).unwrap();
        let v = verdict(&["validate", suite.to_str().unwrap()]);
        assert_eq!(v.code, 0, "{file}:\n{}\n{}", o.stdout, v.stderr);
        seen += 1;
    }
    assert_eq!(entries.len(), 18);
    assert_eq!(seen, 12);
}

#[test]
fn the_full_example_becomes_this_suite() {
    // Its server is PostgreSQL: the suite reads it with the credentials
    // datacontract-cli uses.
    let o = import(&[&format!("{EXAMPLES}/all-full-example.odcs.yaml")]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    snap!("full_example_suite", o.stdout);
    assert_eq!(
        o.stderr,
        "imported 9 checks of 2 tables from fixtures/odcs/examples/all-full-example.odcs.yaml (data: server `my-postgres`)\n\
         3 rules not checked (relationship 1, service level 2), each a `# not checked:` comment in the suite:\n  \
         fixtures/odcs/examples/all-full-example.odcs.yaml:217:13: relationship of `receivers.receiver_type`: `receiver_types.type_code` names `receiver_types`, which is not a table of this contract\n  \
         fixtures/odcs/examples/all-full-example.odcs.yaml:270:5: service level `latency` of tab1.txn_ref_dt: `tab1` is not a table of this contract\n  \
         fixtures/odcs/examples/all-full-example.odcs.yaml:280:5: service level `retention` of tab1.txn_ref_dt: `tab1` is not a table of this contract\n"
    );
}

/// The table the standard's quality examples describe (`Air_Quality`):
/// 20 rows; `UniqueID` has one null and one repeated value, `DataValue`
/// two values outside (0, 500) — one of them exactly 500, which
/// `mustBeBetween`-style exclusive ends leave out — and
/// `air_quality_status` three values outside `["", null, "n/a"]`.
fn air_quality(dir: &Path) {
    let ids: Vec<Option<i64>> = (1..=20)
        .map(|i| match i {
            7 => None,
            8 => Some(6),
            i => Some(i),
        })
        .collect();
    let values: Vec<f64> = (1..=20)
        .map(|i| match i {
            3 => 500.0,
            4 => -1.0,
            i => i as f64 * 10.0,
        })
        .collect();
    let status: Vec<Option<&str>> = (1..=20)
        .map(|i| match i {
            1 => None,
            2..=4 => Some("good"),
            i if i % 2 == 0 => Some(""),
            _ => Some("n/a"),
        })
        .collect();
    parquet(
        dir,
        "Air_Quality.parquet",
        vec![
            ("UniqueID", Arc::new(Int64Array::from(ids)) as ArrayRef),
            ("DataValue", Arc::new(Float64Array::from(values))),
            ("air_quality_status", Arc::new(StringArray::from(status))),
        ],
    );
}

#[test]
fn the_quality_examples_count_what_the_standard_says() {
    let dir = tempfile::tempdir().unwrap();
    air_quality(dir.path());
    let cases: [(&str, i32, Vec<[&str; 3]>); 3] = [
        (
            // nullValues mustBe 0, and a primary key: unique, no nulls.
            "quality-column-completeness.odcs.yaml",
            1,
            vec![
                ["schema", "fail", "1 problem"],
                ["UniqueID.unique", "fail", "1 duplicated key (2 rows)"],
                ["UniqueID.null_count", "fail", "1"],
            ],
        ),
        (
            // `select count(*) from Air_Quality where DataValue <= 0 or
            // DataValue >= 500`, as the contract writes it: the names
            // keep their case.
            "quality-column-accuracy.odcs.yaml",
            1,
            vec![
                ["schema", "pass", "1 columns as declared"],
                ["DataValue.sql_1", "fail", "2"],
            ],
        ),
        (
            // invalidValues of ["", null, "n/a"] at most 5 percent: three
            // "good" of 20 rows are 15%; the null is not invalid.
            "quality-column-validity.odcs.yaml",
            1,
            vec![
                ["schema", "fail", "1 problem"],
                [
                    "air_quality_status.unique",
                    "fail",
                    "3 duplicated keys (19 rows)",
                ],
                ["air_quality_status.invalid_values", "fail", "15"],
            ],
        ),
    ];
    for (file, code, want) in cases {
        let (suite, _) = suite_of(&format!("{EXAMPLES}/{file}"), dir.path());
        let (got_code, report) = run_json(&suite);
        let got = check_fields(&report, &["name", "status", "observed_text"]);
        assert_eq!(got_code, code, "{file}");
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn custom_and_text_rules_are_comments_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (suite, o) = suite_of(
        &format!("{EXAMPLES}/quality-column-custom.odcs.yaml"),
        dir.path(),
    );
    assert_eq!(
        o.stderr,
        format!(
            "imported 2 checks of 1 table from {EXAMPLES}/quality-column-custom.odcs.yaml (data: --path)\n\
             2 rules not checked (custom 2), each a `# not checked:` comment in the suite:\n  \
             {EXAMPLES}/quality-column-custom.odcs.yaml:22:9: quality rule 1 of `Air_Quality.UniqueID` (\"This column should not contain values under 100000\"): a rule for soda, in its own language\n  \
             {EXAMPLES}/quality-column-custom.odcs.yaml:34:9: quality rule 2 of `Air_Quality.UniqueID`: a rule for soda, in its own language\n"
        )
    );
    let text = std::fs::read_to_string(&suite).unwrap();
    assert!(
        text.contains("    # not checked: quality rule 2 of `Air_Quality.UniqueID` (line 34): a rule for soda, in its own language\n"),
        "{text}"
    );
}

/// A contract using every part the import reads, against data made for it.
const ORDERS: &str = r#"apiVersion: v3.1.0
kind: DataContract
id: orders-contract
version: 2.0.0
name: orders
servers:
  - server: local
    type: local
    path: DATA/{model}.parquet
    format: parquet
schema:
  - name: orders
    tags: [sales, "core data"]
    properties:
      - name: order_id
        logicalType: integer
        primaryKey: true
      - name: customer
        physicalName: customer_id
        logicalType: integer
        required: true
        relationships:
          - to: customers.id
      - name: code
        logicalType: string
        logicalTypeOptions: { minLength: 3, maxLength: 3, pattern: "^[A-Z]+$" }
        quality:
          - metric: invalidValues
            arguments: { validValues: [ABC, XYZ] }
            mustBe: 0
            severity: warning
          - metric: missingValues
            arguments: { missingValues: [null, "", "N/A"] }
            mustBeLessThan: 10
            unit: percent
      - name: amount
        logicalType: number
        logicalTypeOptions: { exclusiveMinimum: 0, maximum: 100 }
        quality:
          - id: amount_nulls
            metric: nullValues
            mustBeLessThan: 10
            unit: percent
          - type: sql
            query: "select max({property}) from {object}"
            mustBeBetween: [0, 100]
          - metric: nullValues
            mustNotBe: 3
      - name: day
        logicalType: date
        logicalTypeOptions: { minimum: "2026-01-01", exclusiveMaximum: "2026-02-01" }
      - name: updated_at
        logicalType: timestamp
    quality:
      - metric: rowCount
        mustBeBetween: [5, 10]
      - metric: duplicateValues
        arguments: { properties: [customer, code] }
        mustBeLessOrEqualTo: 1
      - type: text
        description: Orders are entered by the shop.
  - name: customers
    properties:
      - name: id
        logicalType: integer
        unique: true
slaProperties:
  - property: latency
    value: 2
    unit: d
    element: orders.updated_at
  - property: retention
    value: 1
    unit: y
    element: orders.day
  - property: frequency
    value: 1
    unit: d
"#;

/// orders (10 rows): amount 0 (outside the exclusive minimum) and one
/// null; codes "ABC"×6, "XYZ", "abc", "" and null; customer 9 has no
/// customer row; (1, ABC) is twice; day 2026-02-01 is on the exclusive
/// maximum; updated 2026-11-24 (1 day before `now`).
fn orders_data(dir: &Path) {
    // 2026-01-01 is day 20454 since 1970; the last is 2026-02-01.
    let days = [0, 1, 2, 3, 4, 5, 6, 7, 8, 31].map(|d| 20454 + d);
    let updated = 1_795_521_600_000_000i64; // 2026-11-24T12:00:00Z
    parquet(
        dir,
        "orders.parquet",
        vec![
            (
                "order_id",
                Arc::new(Int64Array::from_iter_values(1..=10)) as ArrayRef,
            ),
            (
                "customer_id",
                Arc::new(Int64Array::from(vec![1, 1, 2, 3, 4, 5, 6, 7, 8, 9])),
            ),
            (
                "code",
                Arc::new(StringArray::from(vec![
                    Some("ABC"),
                    Some("ABC"),
                    Some("ABC"),
                    Some("ABC"),
                    Some("ABC"),
                    Some("ABC"),
                    Some("XYZ"),
                    Some("abc"),
                    Some(""),
                    None,
                ])),
            ),
            (
                "amount",
                Arc::new(Float64Array::from(vec![
                    Some(0.0),
                    Some(10.0),
                    Some(20.0),
                    Some(30.0),
                    Some(40.0),
                    Some(50.0),
                    Some(60.0),
                    Some(70.0),
                    Some(100.0),
                    None,
                ])),
            ),
            ("day", Arc::new(Date32Array::from(days.to_vec()))),
            (
                "updated_at",
                Arc::new(TimestampMicrosecondArray::from(vec![updated; 10]).with_timezone("UTC")),
            ),
        ],
    );
    parquet(
        dir,
        "customers.parquet",
        vec![(
            "id",
            Arc::new(Int64Array::from_iter_values(1..=8)) as ArrayRef,
        )],
    );
}

#[test]
fn a_contract_with_every_part_checks_its_data() {
    let dir = tempfile::tempdir().unwrap();
    orders_data(dir.path());
    let contract = dir.path().join("orders.odcs.yaml");
    std::fs::write(
        &contract,
        ORDERS.replace("DATA", &dir.path().display().to_string()),
    )
    .unwrap();
    let o = import(&[contract.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = o.stdout.replace(&dir.path().display().to_string(), "DATA");
    snap!("orders_suite", text);
    let suite = dir.path().join("suite.yml");
    std::fs::write(&suite, &o.stdout).unwrap();
    let (code, report) = run_json(&suite);
    assert_eq!(code, 1);
    let checks = &report["suites"][0]["sources"][0]["checks"];
    let got = check_fields(&report, &["name", "status", "observed_text"]);
    // `mustBeBetween: [5, 10]` excludes 10; 1 null of 10 is not below
    // 10%; the greatest amount, 100, is not below the exclusive 100.
    let want = [
        ["schema", "pass", "6 columns as declared"],
        ["row_count", "fail", "10 rows"],
        ["order_id.unique", "pass", "0 duplicated keys"],
        [
            "customer_id.references",
            "fail",
            "1 orphan row (1 missing key)",
        ],
        ["code.length", "fail", "0..3"],
        ["code.regex", "fail", "2 not matching"],
        ["code.in_set", "fail", "2 outside the set"],
        ["amount.range", "fail", "1 outside the range"],
        ["amount_nulls", "fail", "0.1 (1 of 10)"],
        ["day.min", "pass", "2026-01-01"],
        ["day.max", "fail", "2026-02-01"],
        ["day.retention", "pass", "2026-01-01"],
        [
            "updated_at.freshness",
            "pass",
            "newest is 1d old (2026-11-24T12:00:00Z)",
        ],
        ["code.missing_values", "fail", "20"],
        ["amount.sql_2", "fail", "100"],
        ["duplicate_values", "pass", "1"],
    ];
    assert_eq!(got, want);
    assert_eq!(named(checks, "code.in_set")["severity"], "warn");
    assert_eq!(
        named(checks, "amount.range")["expected"],
        "each value > 0 and <= 100"
    );
    assert_eq!(named(checks, "amount_nulls")["expected"], "< 0.1");
    assert_eq!(named(checks, "row_count")["expected"], "> 5 and < 10");
    assert_eq!(
        named(checks, "day.max")["expected"],
        "< 2026-02-01T00:00:00Z"
    );
}

#[test]
fn contracts_that_cannot_be_imported_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let table = "schema:\n  - name: t\n    properties:\n      - name: a\n";
    let cases = [
        (
            write("v4.yaml", &format!("apiVersion: v4.0.0\nkind: DataContract\n{table}")),
            vec![],
            "error: ODCS version \"v4.0.0\" is not one verdict knows\n",
            "= help: verdict imports ODCS v3.0.0, v3.0.1, v3.0.2, v3.1.0",
        ),
        (
            write("v2.yaml", "apiVersion: v2.2.2\nkind: DataContract\ndataset: []\n"),
            vec![],
            "error: this contract is ODCS v2.2.2; version 2 contracts have another layout (`dataset:` with `columns:`)\n",
            "v2.yaml:1:13",
        ),
        (
            write("none.yaml", &format!("kind: DataContract\n{table}")),
            vec![],
            "error: missing required key `apiVersion`\n",
            "= help: an Open Data Contract names its standard version, e.g. `apiVersion: v3.1.0` (v3.0.0, v3.0.1, v3.0.2, v3.1.0)",
        ),
        (
            write("kind.yaml", &format!("apiVersion: v3.1.0\nkind: Dataset\n{table}")),
            vec![],
            "error: `kind` is \"Dataset\"; an Open Data Contract has `kind: DataContract`\n",
            "kind.yaml:2:7",
        ),
        (
            write("suite.yaml", "version: 1\nsources: {}\n"),
            vec![],
            "error: missing required key `apiVersion`\n",
            "= help: this looks like a verdict suite: run it with `verdict run`",
        ),
        (
            write("kafka.yaml", &format!("apiVersion: v3.0.2\nkind: DataContract\n{table}servers:\n  - server: k\n    type: kafka\n")),
            vec![],
            "names no server verdict can read (`k` (kafka): verdict reads PostgreSQL, MySQL/MariaDB, local files, S3, GCS and Azure, not kafka); say where each table's data is with --path, e.g. --path 'data/{object}.parquet' ({object} is each table's physicalName, else its name)\n",
            "",
        ),
        (
            write("delta.yaml", &format!("apiVersion: v3.1.0\nkind: DataContract\n{table}servers:\n  - server: lake\n    type: s3\n    location: s3://b/t\n    format: delta\n")),
            vec!["--server", "nope"],
            "has no server `nope`; its servers: `lake`\n",
            "",
        ),
        (
            write("delta2.yaml", &format!("apiVersion: v3.1.0\nkind: DataContract\n{table}servers:\n  - server: lake\n    type: s3\n    location: s3://b/t\n    format: delta\n")),
            vec!["--server", "lake"],
            "error: server `lake` (s3): its format is `delta`; verdict reads parquet, csv, json (one document per line) and arrow\n",
            "",
        ),
    ];
    for (file, extra, message, detail) in cases {
        let mut args = vec![file.as_str()];
        args.extend(extra);
        let o = import(&args);
        assert_eq!(o.code, 2, "{file}: {}", o.stderr);
        assert!(o.stdout.is_empty(), "{file}");
        assert!(o.stderr.contains(message), "{file}: {}", o.stderr);
        assert!(o.stderr.contains(detail), "{file}: {}", o.stderr);
    }
}

#[test]
fn running_a_contract_says_to_import_it() {
    let file = format!("{EXAMPLES}/quality-column-completeness.odcs.yaml");
    for cmd in ["run", "validate"] {
        let o = verdict(&[cmd, &file]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(
            o.stderr.starts_with(&format!(
                "error: {file} is an Open Data Contract (ODCS v3.0.2), not a verdict suite\n"
            )),
            "{}",
            o.stderr
        );
        assert!(
            o.stderr.contains(&format!(
                "= help: convert it once, review the suite, and run that: `verdict import odcs {file} > suite.yml`"
            )),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn a_table_name_with_a_dot_becomes_a_source_name_without() {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("c.yaml");
    std::fs::write(
        &contract,
        "apiVersion: v3.1.0\nkind: DataContract\nschema:\n  - name: sales.orders\n    quality:\n      - { type: sql, query: 'select count(*) from {object}', mustBeGreaterThan: 0 }\n    properties:\n      - { name: id, logicalType: integer, unique: true }\n",
    )
    .unwrap();
    let template = format!("{}/orders.parquet", dir.path().display());
    let o = import(&[contract.to_str().unwrap(), "--path", &template]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("\nsources:\n  sales_orders:\n"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("query: \"select count(*) from sales_orders\""),
        "{}",
        o.stdout
    );
    let suite = dir.path().join("suite.yml");
    std::fs::write(&suite, &o.stdout).unwrap();
    let v = verdict(&["validate", suite.to_str().unwrap()]);
    assert_eq!(v.code, 0, "{}", v.stderr);
}
