//! Database sources against the machine's real PostgreSQL and MariaDB on
//! loopback: three PostgreSQL databases stand for prod, preprod and dev
//! (fixtures/db/postgres.sql), MariaDB holds a copy of prod
//! (fixtures/db/mysql.sql). Checks and comparisons run inside the
//! databases; the statement log proves a sum over 10M rows comes back as
//! one row; every connection failure names host:port and never the
//! password.
// Needs a build with the feature (tests/features.rs covers one without).
#![cfg(all(feature = "postgres", feature = "mysql"))]

#[macro_use]
mod common;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use common::*;

const PG: &str = "postgres://root@127.0.0.1:5432";
/// A password the trust-authenticated test server ignores: it must still
/// never appear in any output.
const SECRET: &str = "Pa55-never-shown";

fn psql(db: &str, args: &[&str]) {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "root",
            "-d",
            db,
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
        ])
        .args(args)
        .output()
        .expect("psql runs (PostgreSQL client; .ci/run starts the server)");
    assert!(
        out.status.success(),
        "psql {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn psql_value(db: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "root", "-d", db, "-Atc", sql])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn mariadb(db: Option<&str>, sql: &str) {
    let mut c = Command::new("mariadb");
    c.args(["-h", "127.0.0.1", "-u", "root"]);
    if let Some(db) = db {
        c.arg(db);
    }
    let out = c.args(["-e", sql]).output().expect("mariadb client runs");
    assert!(
        out.status.success(),
        "mariadb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/db")
        .join(name)
        .to_string_lossy()
        .to_string()
}

/// Creates the databases once per test run: verdict_{prod,preprod,dev} in
/// PostgreSQL and verdict_prod in MariaDB, with a password-protected
/// MariaDB user for the wrong-password case.
fn setup() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for env in ["prod", "preprod", "dev"] {
            let db = format!("verdict_{env}");
            psql(
                "postgres",
                &[
                    "-c",
                    &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
                    "-c",
                    &format!("CREATE DATABASE {db}"),
                ],
            );
            psql(
                &db,
                &["-v", &format!("env={env}"), "-f", &fixture("postgres.sql")],
            );
        }
        mariadb(
            None,
            "DROP DATABASE IF EXISTS verdict_prod; CREATE DATABASE verdict_prod",
        );
        let sql = std::fs::read_to_string(fixture("mysql.sql")).unwrap();
        mariadb(Some("verdict_prod"), &sql);
        // A next version of the table beside it, in the same database of
        // each server: three revenues changed.
        let next = "DROP TABLE IF EXISTS orders_next; \
                    CREATE TABLE orders_next AS SELECT * FROM orders; \
                    UPDATE orders_next SET revenue = revenue + 1 WHERE order_id <= 3";
        psql("verdict_prod", &["-c", next]);
        mariadb(Some("verdict_prod"), next);
        mariadb(
            None,
            "CREATE USER IF NOT EXISTS 'verdict_pw'@'%' IDENTIFIED BY 'right-pw'; \
             CREATE USER IF NOT EXISTS 'verdict_pw'@'localhost' IDENTIFIED BY 'right-pw'; \
             GRANT SELECT ON verdict_prod.* TO 'verdict_pw'@'%'; \
             GRANT SELECT ON verdict_prod.* TO 'verdict_pw'@'localhost'",
        );
    });
}

/// Runs verdict with the test password in the environment.
fn verdict_pw(args: &[&str]) -> Out {
    common::verdict_env(args, &[("VERDICT_PG_PASSWORD", SECRET)])
}

fn assert_no_secret(o: &Out, secret: &str) {
    assert!(
        !o.stdout.contains(secret) && !o.stderr.contains(secret),
        "the password leaked:\n{}\n{}",
        o.stdout,
        o.stderr
    );
}

#[test]
fn checks_on_a_postgres_table_run_inside_the_database() {
    setup();
    let (_d, suite) = temp_suite(&format!(
        r#"
version: 1
sources:
  orders: {{ url: "{PG}/verdict_prod", table: public.orders }}
checks:
  orders:
    schema:
      columns:
        order_id: {{ type: int32, nullable: false }}
        revenue: {{ type: float64 }}
        price: {{ type: decimal }}
        ordered_on: {{ type: date }}
    table:
      - row_count: {{ between: [1000, 1000] }}
      - unique: [order_id]
    columns:
      revenue:
        - sum: {{ between: [625625, 625625] }}
        - mean: {{ between: [625.625, 625.625] }}
        - min: {{ min: 1.25 }}
        - max: {{ max: 1250 }}
      coupon:
        - null_rate: {{ between: [0.9, 0.9] }}
        - in_set: [SAVE10]
      region:
        - in_set: [eu, us, apac]
        - not_null
      order_id: [unique]
"#
    ));
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    let src = &j["suites"][0]["sources"][0];
    assert_eq!(src["format"], "postgres");
    assert_eq!(
        src["path"],
        "postgres://root@127.0.0.1:5432/verdict_prod · public.orders"
    );
    assert_eq!(check_named(&j, "revenue.sum")["observed"], 625625.0);
    assert_eq!(check_named(&j, "revenue.mean")["observed"], 625.625);
    assert_eq!(check_named(&j, "coupon.null_rate")["observed"], 0.9);
    // The shared aggregate went to the database as one statement and one
    // row came back.
    let scan = &src["scans"][0];
    assert_eq!(scan["kind"], "aggregate");
    assert_eq!(scan["pushed_down"][0]["rows"], 1);
    let sql = scan["pushed_down"][0]["sql"].as_str().unwrap();
    assert!(sql.contains("sum(") && sql.contains("\"orders\""), "{sql}");
}

/// A sum over a 10M-row table: PostgreSQL's statement log shows the
/// statement verdict sent is the aggregate itself, and one row came back.
#[test]
fn a_sum_over_ten_million_rows_is_pushed_down() {
    setup();
    psql(
        "postgres",
        &["-c", "SELECT 1 WHERE false"], // the server is up
    );
    let exists = psql_value(
        "postgres",
        "SELECT count(*) FROM pg_database WHERE datname = 'verdict_big'",
    );
    if exists == "0" {
        psql("postgres", &["-c", "CREATE DATABASE verdict_big"]);
    }
    if psql_value(
        "verdict_big",
        "SELECT count(*) FROM pg_tables WHERE tablename = 'big' AND schemaname = 'public'",
    ) == "0"
    {
        psql(
            "verdict_big",
            &[
                "-c",
                "CREATE TABLE big AS SELECT i::bigint AS v, (i % 97)::float8 AS x FROM generate_series(1, 10000000) AS i",
            ],
        );
    }
    psql(
        "postgres",
        &["-c", "ALTER DATABASE verdict_big SET log_statement = 'all'"],
    );
    let log = server_log();
    let before = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    let (_d, suite) = temp_suite(&format!(
        r#"
version: 1
sources:
  big: {{ url: "{PG}/verdict_big", table: big }}
checks:
  big:
    table:
      - row_count: {{ between: [10000000, 10000000] }}
    columns:
      v:
        - sum: {{ between: [50000005000000, 50000005000000] }}
"#
    ));
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    let pushed = &j["suites"][0]["sources"][0]["scans"][0]["pushed_down"];
    assert_eq!(pushed.as_array().unwrap().len(), 1, "{pushed}");
    assert_eq!(pushed[0]["rows"], 1);
    // What the server itself logged for this table since the run began.
    let text = std::fs::read(&log).unwrap();
    let new = String::from_utf8_lossy(&text[before as usize..]).to_string();
    let statements: Vec<&str> = new
        .lines()
        .filter(|l| l.contains("\"big\"") && !l.contains("information_schema"))
        .filter(|l| l.contains("statement:") || l.contains("execute"))
        .collect();
    assert!(!statements.is_empty(), "nothing logged in {log}:\n{new}");
    for s in &statements {
        assert!(
            s.contains("sum(") || s.contains("LIMIT 0") || s.contains("limit 0"),
            "a statement that reads rows: {s}"
        );
    }
    assert!(statements
        .iter()
        .any(|s| s.contains("sum(") && s.contains("count(")));
}

/// The file PostgreSQL writes its log to (stderr of the cluster).
fn server_log() -> String {
    let mut logs: Vec<_> = std::fs::read_dir("/var/log/postgresql")
        .expect("PostgreSQL's log directory")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .collect();
    logs.sort_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
    logs.last()
        .expect("a PostgreSQL log file")
        .path()
        .to_string_lossy()
        .to_string()
}

#[test]
fn compare_three_postgres_environments() {
    setup();
    let o = verdict_pw(&["run", "fixtures/db/compare.yml", "--format", "json"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert_no_secret(&o, SECRET);
    let j = json(&o);
    let c = &j["suites"][0]["compare"];
    let envs = c["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 3);
    assert_eq!(
        envs[0]["path"],
        "postgres://root:***@127.0.0.1:5432/verdict_prod · public.orders"
    );
    assert_eq!(envs[2]["rows"], 999);
    for e in envs {
        assert_eq!(e["pushed_down"][0]["rows"], 1, "{e}");
    }
    let rows = compare_row(c, None, "row_count");
    assert_eq!(rows["values"], serde_json::json!([1000, 1000, 999]));
    assert_eq!(rows["differs"], serde_json::json!([false, false, true]));
    let sum = compare_row(c, Some("revenue"), "sum");
    assert_eq!(
        sum["values"],
        serde_json::json!([625625.0, 625625.0, 624475.0])
    );
    assert_eq!(sum["deltas"][2]["abs"], -1150.0);
    assert_eq!(sum["status"], "fail");
    let coupon = compare_row(c, Some("coupon"), "null_count");
    assert_eq!(coupon["values"], serde_json::json!([900, 900, 999]));
    let distinct = compare_row(c, Some("region"), "distinct");
    assert_eq!(distinct["approximate"], false);
    assert_eq!(distinct["values"], serde_json::json!([3, 3, 3]));
    // dev's extra column is a schema difference, not a crash.
    assert_eq!(c["schema_differences"][0]["column"], "discount");
    assert_eq!(
        c["schema_differences"][0]["types"],
        serde_json::json!([null, null, "float32"])
    );
    // The aggregates disagreed for dev only: one row diff, which finds the
    // changed revenue and the missing order.
    let diffs = c["diffs"].as_array().unwrap();
    assert_eq!(diffs.len(), 1);
    assert_eq!(diffs[0]["candidate"], "dev");
    assert_eq!(diffs[0]["rows"]["only_baseline"], 1);
    let revenue = diffs[0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "revenue")
        .unwrap();
    assert_eq!(revenue["changed"], 1);
}

#[test]
fn compare_console_shows_environments_side_by_side() {
    setup();
    let o = verdict_pw(&["run", "fixtures/db/compare.yml"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_no_secret(&o, SECRET);
    snap!("compare_db_console", o.stdout);
}

#[test]
fn compare_from_the_command_line_mixes_databases_and_files() {
    setup();
    let o = verdict(&[
        "compare",
        &format!("prod={PG}/verdict_prod?table=public.orders"),
        "file=fixtures/compare/prod.parquet",
        "--columns",
        "revenue,qty_sold,price,region,ordered_on",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    snap!("compare_cli_db_and_file", o.stdout);
}

#[test]
fn mariadb_tables_are_checked_and_compared_with_postgres() {
    setup();
    let (_d, suite) = temp_suite(&format!(
        r#"
version: 1
sources:
  pg: {{ url: "{PG}/verdict_prod", table: public.orders }}
  maria: {{ url: "mysql://root@127.0.0.1:3306/verdict_prod", table: orders }}
checks:
  maria:
    table:
      - row_count: {{ between: [1000, 1000] }}
    columns:
      revenue:
        - sum: {{ between: [625625, 625625] }}
      region:
        - in_set: [eu, us, apac]
compare:
  sources: [pg, maria]
  columns: [revenue, qty_sold, price, region, ordered_on, coupon]
"#
    ));
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    assert_eq!(j["suites"][0]["sources"][0]["format"], "mysql");
    assert_eq!(check_named(&j, "revenue.sum")["observed"], 625625.0);
    let c = &j["suites"][0]["compare"];
    assert_eq!(
        compare_row(c, Some("price"), "sum")["values"],
        serde_json::json!(["34500.00", "34500.00"])
    );
    assert_eq!(c["environments"][1]["pushed_down"][0]["rows"], 1);
}

#[test]
fn a_query_source_runs_inside_the_database() {
    setup();
    let (_d, suite) = temp_suite(&format!(
        r#"
version: 1
sources:
  eu: {{ url: "{PG}/verdict_prod", query: "SELECT order_id, revenue FROM public.orders WHERE region = 'eu'" }}
checks:
  eu:
    table:
      - row_count: {{ between: [333, 333] }}
    columns:
      revenue:
        - max: {{ max: 1248.75 }}
"#
    ));
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    let pushed = &j["suites"][0]["sources"][0]["scans"][0]["pushed_down"][0];
    assert_eq!(pushed["rows"], 1);
    assert!(pushed["sql"].as_str().unwrap().contains("'eu'"), "{pushed}");
}

fn broken_suite(url: &str, table: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    temp_suite(&format!(
        r#"
version: 1
sources:
  orders: {{ url: "{url}", table: {table} }}
checks:
  orders:
    table:
      - row_count: {{ min: 1 }}
"#
    ))
}

#[test]
fn an_unreachable_database_names_host_and_port_and_not_the_password() {
    let (_d, suite) = broken_suite(
        "postgres://app:${VERDICT_PG_PASSWORD}@127.0.0.1:1/shop",
        "orders",
    );
    let o = verdict_pw(&["run", suite.to_str().unwrap()]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert_no_secret(&o, SECRET);
    assert!(
        o.stdout.contains(
            "cannot connect to PostgreSQL at 127.0.0.1:1 (postgres://app:***@127.0.0.1:1/shop): Cannot connect to PostgreSQL on 127.0.0.1:1. Ensure the host and port are correct and reachable."
        ),
        "{}",
        o.stdout
    );
    let (_d, suite) = broken_suite(
        "mysql://root:${VERDICT_PG_PASSWORD}@127.0.0.1:1/shop",
        "orders",
    );
    let o = verdict_pw(&["run", suite.to_str().unwrap()]);
    assert_eq!(o.code, 3);
    assert_no_secret(&o, SECRET);
    assert!(
        o.stdout
            .contains("cannot connect to MySQL at 127.0.0.1:1 (mysql://root:***@127.0.0.1:1/shop)"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_wrong_password_is_an_authentication_failure() {
    setup();
    let (_d, suite) = broken_suite(
        "mysql://verdict_pw:wrong-pw@127.0.0.1:3306/verdict_prod",
        "orders",
    );
    let o = verdict(&["run", suite.to_str().unwrap()]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert_no_secret(&o, "wrong-pw");
    assert!(
        o.stdout.contains("cannot connect to MySQL at 127.0.0.1:3306 (mysql://verdict_pw:***@127.0.0.1:3306/verdict_prod): Authentication failed. Verify username and password."),
        "{}",
        o.stdout
    );
    // The right one reads.
    let (_d, suite) = broken_suite(
        "mysql://verdict_pw:right-pw@127.0.0.1:3306/verdict_prod",
        "orders",
    );
    let o = verdict(&["run", suite.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

#[test]
fn a_missing_table_or_database_is_named() {
    setup();
    let (_d, suite) = broken_suite(&format!("{PG}/verdict_prod"), "public.nope");
    let o = run(&[suite.to_str().unwrap()]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains(
            "PostgreSQL at 127.0.0.1:5432 has no table `public.nope` in database `verdict_prod`"
        ),
        "{}",
        o.stdout
    );
    let (_d, suite) = broken_suite("mysql://root@127.0.0.1:3306/verdict_prod", "nope");
    let o = run(&[suite.to_str().unwrap()]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("MySQL at 127.0.0.1:3306 has no table `nope` in database `verdict_prod`"),
        "{}",
        o.stdout
    );
    let (_d, suite) = broken_suite(&format!("{PG}/verdict_nope"), "orders");
    let o = run(&[suite.to_str().unwrap()]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("database \"verdict_nope\" does not exist"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_column_all_null_in_one_environment_fails_its_rows() {
    setup();
    let o = verdict(&[
        "compare",
        &format!("prod={PG}/verdict_prod?table=orders"),
        &format!("dev={PG}/verdict_dev?table=orders"),
        "--columns",
        "coupon",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    let c = &j["suites"][0]["compare"];
    assert_eq!(
        compare_row(c, Some("coupon"), "null_count")["values"],
        serde_json::json!([900, 999])
    );
    let max = compare_row(c, Some("coupon"), "max");
    assert_eq!(max["values"], serde_json::json!(["SAVE10", null]));
    assert_eq!(max["differs"], serde_json::json!([false, true]));
    let check = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "compare.coupon.max")
        .unwrap();
    assert_eq!(check["why"], "`dev` has null against \"SAVE10\"");
}

#[test]
fn no_report_format_shows_the_password() {
    setup();
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().to_string();
    let history = p("history");
    let o = verdict_pw(&[
        "run",
        "fixtures/db/compare.yml",
        "--json",
        &p("r.json"),
        "--junit",
        &p("r.xml"),
        "--markdown",
        &p("r.md"),
        "--html",
        &p("r.html"),
        "--history",
        &history,
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_no_secret(&o, SECRET);
    for f in ["r.json", "r.xml", "r.md", "r.html"] {
        let text = std::fs::read_to_string(p(f)).unwrap();
        assert!(!text.contains(SECRET), "{f} shows the password");
        assert!(
            text.contains("postgres://root:***@127.0.0.1:5432/verdict_prod"),
            "{f} does not name the source"
        );
    }
    for e in std::fs::read_dir(&history).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(SECRET));
    }
}

const MY: &str = "mysql://root@127.0.0.1:3306";

/// `verdict diff` keyed on `order_id` over revenue and region, as JSON.
fn diff_json(baseline: &str, candidate: &str) -> (i32, serde_json::Value) {
    let o = verdict(&[
        "diff",
        "--baseline",
        baseline,
        "--candidate",
        candidate,
        "--key",
        "order_id",
        "--columns",
        "revenue,region",
        "--format",
        "json",
    ]);
    (o.code, json(&o))
}

fn diff_column<'a>(d: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    d["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name} in {d}"))
}

/// Issue 11, item 3: a keyed diff with a MariaDB side stopped with
/// `Projected schema field "candidate.order_id" not found`, and two tables
/// of one PostgreSQL database with `derived_projection specified more
/// than once`. Every pairing of PostgreSQL, MariaDB and Parquet, either
/// side, runs.
#[test]
fn item_3_keyed_diffs_with_a_database_on_either_side() {
    setup();
    let pg = |db: &str, t: &str| format!("{PG}/{db}?table={t}");
    let my = |t: &str| format!("{MY}/verdict_prod?table={t}");
    let file = "fixtures/compare/prod.parquet".to_string();
    // (baseline, candidate, rows only in the baseline, changed revenues)
    let cases = [
        (pg("verdict_prod", "public.orders"), my("orders"), 0, 0),
        (my("orders"), pg("verdict_prod", "public.orders"), 0, 0),
        (my("orders"), pg("verdict_dev", "public.orders"), 1, 1),
        (
            pg("verdict_prod", "orders"),
            pg("verdict_prod", "orders_next"),
            0,
            3,
        ),
        (my("orders"), my("orders_next"), 0, 3),
        (file.clone(), my("orders"), 0, 0),
        (my("orders_next"), file, 0, 3),
    ];
    for (b, c, missing, changed) in cases {
        let (code, j) = diff_json(&b, &c);
        let d = &j["suites"][0]["diff"];
        assert_eq!(d["error"], serde_json::Value::Null, "{b} → {c}: {d}");
        assert_eq!(code, 0, "{b} → {c}: {d}");
        assert_eq!(d["rows"]["both"], 1000 - missing, "{b} → {c}");
        assert_eq!(d["rows"]["only_baseline"], missing, "{b} → {c}");
        assert_eq!(diff_column(d, "revenue")["changed"], changed, "{b} → {c}");
        assert_eq!(diff_column(d, "region")["changed"], 0, "{b} → {c}");
    }
}

/// Slices of a keyed diff whose sides are databases: the slice column rides
/// along each side's pushed-down projection, on every pairing of
/// PostgreSQL, MariaDB and Parquet; per region, the rows and changed rows
/// add up to the diff's.
#[test]
fn slices_of_a_diff_with_a_database_on_either_side() {
    setup();
    let pg = |db: &str, t: &str| format!("{PG}/{db}?table={t}");
    let my = |t: &str| format!("{MY}/verdict_prod?table={t}");
    let file = "fixtures/compare/prod.parquet".to_string();
    let cases = [
        (pg("verdict_prod", "public.orders"), my("orders_next")),
        (my("orders"), pg("verdict_dev", "public.orders")),
        (
            pg("verdict_prod", "orders"),
            pg("verdict_prod", "orders_next"),
        ),
        (my("orders"), my("orders_next")),
        (file, my("orders_next")),
    ];
    for (b, c) in cases {
        let o = verdict(&[
            "diff",
            "--baseline",
            &b,
            "--candidate",
            &c,
            "--key",
            "order_id",
            "--columns",
            "revenue,region",
            "--slice",
            "region",
            "--format",
            "json",
        ]);
        let j = json(&o);
        let d = &j["suites"][0]["diff"];
        assert_eq!(o.code, 0, "{b} → {c}: {d}");
        let col = &d["slices"]["columns"][0];
        assert_eq!(col["from"], "baseline", "{b} → {c}");
        let slices = col["slices"].as_array().unwrap();
        assert!(slices.len() > 1, "{b} → {c}: {col}");
        let sum = |k: &str| slices.iter().map(|s| s[k].as_u64().unwrap()).sum::<u64>();
        assert_eq!(
            sum("rows"),
            d["rows"]["both"].as_u64().unwrap(),
            "{b} → {c}"
        );
        assert_eq!(
            sum("changed"),
            diff_column(d, "revenue")["changed"].as_u64().unwrap(),
            "{b} → {c}"
        );
    }
}

/// Issue 12, item 18: `verdict diff` between two PostgreSQL tables always
/// failed with `table name "derived_projection" specified more than once`,
/// and between two MariaDB tables with `Projected schema field
/// "baseline.id" not found`. From the command line, as a user types it,
/// each prints the diff of all columns (the fix is issue 11's, item 3).
#[test]
fn item_18_verdict_diff_between_two_tables_of_one_server() {
    setup();
    for (baseline, candidate) in [
        (
            format!("{PG}/verdict_prod?table=public.orders"),
            format!("{PG}/verdict_prod?table=public.orders_next"),
        ),
        (
            format!("{MY}/verdict_prod?table=orders"),
            format!("{MY}/verdict_prod?table=orders_next"),
        ),
    ] {
        let o = verdict(&[
            "diff",
            "--baseline",
            &baseline,
            "--candidate",
            &candidate,
            "--key",
            "order_id",
        ]);
        assert_eq!(o.code, 0, "{baseline}: {}{}", o.stdout, o.stderr);
        assert_eq!(o.stderr, "", "{baseline}");
        assert!(
            o.stdout.contains(
                "  rows: 1000 in both, 0 only in the baseline (missing), 0 only in the candidate (added)\n"
            ) && o.stdout.contains("revenue — most changed rows by |Δ|, then key:"),
            "{baseline}: {}",
            o.stdout
        );
    }
}

/// Issue 11, item 3: a suite `diff:` over database `query:` sources, and a
/// `compare:` with `key:` whose environments mix both servers.
#[test]
fn item_3_suite_diff_of_queries_and_compare_with_key_across_servers() {
    setup();
    let (_d, suite) = temp_suite(&format!(
        r#"
version: 1
sources:
  old: {{ url: "{PG}/verdict_prod", query: "SELECT order_id, revenue FROM public.orders WHERE order_id <= 10" }}
  new: {{ url: "{MY}/verdict_prod", query: "SELECT order_id, revenue FROM orders_next WHERE order_id <= 10" }}
diff:
  baseline: old
  candidate: new
  key: order_id
  gates:
    max_missing: 0
"#
    ));
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    let d = &j["suites"][0]["diff"];
    assert_eq!(d["rows"]["both"], 10);
    assert_eq!(diff_column(d, "revenue")["changed"], 3);
    assert_eq!(diff_column(d, "revenue")["numeric"]["max_abs"], 1.0);

    let (_d, suite) = temp_suite(&format!(
        r#"
version: 1
sources:
  prod: {{ url: "{PG}/verdict_prod", table: public.orders }}
  maria: {{ url: "{MY}/verdict_prod", table: orders_next }}
  dev: {{ url: "{PG}/verdict_dev", table: public.orders }}
compare:
  sources: [prod, maria, dev]
  columns: [revenue, region]
  key: [order_id]
"#
    ));
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let j = json(&o);
    let diffs = j["suites"][0]["compare"]["diffs"].as_array().unwrap();
    assert_eq!(diffs.len(), 2);
    assert_eq!(diffs[0]["candidate"], "maria");
    assert_eq!(diffs[0]["error"], serde_json::Value::Null, "{}", diffs[0]);
    assert_eq!(diff_column(&diffs[0], "revenue")["changed"], 3);
    assert_eq!(diffs[1]["candidate"], "dev");
    assert_eq!(diffs[1]["rows"]["only_baseline"], 1);
    assert_eq!(diff_column(&diffs[1], "revenue")["changed"], 1);
}

/// Issue 11, items 4 and 6: categorical drift with a PostgreSQL current
/// side failed ("Column 'n' is declared as non-nullable but contains null
/// values"), and a MariaDB side's row count came back as `?`. Numeric and
/// categorical drift, each server on either side, against Parquet too.
#[test]
fn item_4_and_6_drift_with_a_database_on_either_side() {
    setup();
    let file = "{ path: fixtures/compare/prod.parquet }".to_string();
    let pg = format!("{{ url: \"{PG}/verdict_prod\", table: public.orders }}");
    let my = format!("{{ url: \"{MY}/verdict_prod\", table: orders }}");
    for (current, reference) in [
        (&pg, &file),
        (&my, &file),
        (&file, &pg),
        (&file, &my),
        (&pg, &my),
        (&my, &pg),
    ] {
        let (_d, suite) = temp_suite(&format!(
            r#"
version: 1
sources:
  current: {current}
  reference: {reference}
drift:
  current:
    reference: reference
    columns: [region, revenue, qty_sold]
"#
        ));
        let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
        assert_eq!(
            o.code, 0,
            "{current} vs {reference}: {}{}",
            o.stdout, o.stderr
        );
        let j = json(&o);
        let d = &j["suites"][0]["drift"][0];
        assert_eq!(d["rows_current"], 1000, "{current} vs {reference}");
        assert_eq!(d["rows_reference"], 1000, "{current} vs {reference}");
        for c in d["columns"].as_array().unwrap() {
            assert_eq!(
                c["error"],
                serde_json::Value::Null,
                "{current} vs {reference}: {c}"
            );
            assert_eq!(c["psi"], 0.0, "{current} vs {reference}: {c}");
        }
        let region = &d["columns"][0];
        assert_eq!(region["method"], "categorical");
        assert_eq!(region["values_current"], 1000);
        assert_eq!(
            region["bins"],
            serde_json::json!([
                { "label": "apac", "reference": 333, "current": 333 },
                { "label": "eu", "reference": 333, "current": 333 },
                { "label": "us", "reference": 334, "current": 334 }
            ])
        );
    }
}

/// Issue 11, items 5 and 8: a failed `in_set` or `regex` on PostgreSQL
/// named no offending values while MariaDB and Parquet did; and the
/// `distinct` and `sample` scans did not say what the database ran.
#[test]
fn item_5_and_8_offending_values_and_scans_on_both_servers() {
    setup();
    for url in [
        format!("{{ url: \"{PG}/verdict_prod\", table: public.orders }}"),
        format!("{{ url: \"{MY}/verdict_prod\", table: orders }}"),
        "{ path: fixtures/compare/prod.parquet }".to_string(),
    ] {
        let (_d, suite) = temp_suite(&format!(
            r#"
version: 1
sources:
  orders: {url}
checks:
  orders:
    table:
      - unique: [region, qty_sold]
    columns:
      region:
        - in_set: [eu, us]
        - regex: '^(eu|apac)$'
"#
        ));
        let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
        assert_eq!(o.code, 1, "{url}: {}{}", o.stdout, o.stderr);
        let j = json(&o);
        let in_set = check_named(&j, "region.in_set");
        assert_eq!(
            in_set["sample"],
            serde_json::json!([{ "value": "apac", "rows": 333 }]),
            "{url}: {in_set}"
        );
        let regex = check_named(&j, "region.regex");
        if url.contains("mysql") {
            assert_eq!(
                regex["why"],
                "regex checks do not run in MySQL/MariaDB yet: MariaDB has no REGEXP_LIKE()"
            );
        } else {
            assert_eq!(
                regex["sample"],
                serde_json::json!([{ "value": "us", "rows": 334 }]),
                "{url}: {regex}"
            );
        }
        let unique = check_named(&j, "unique(region, qty_sold)");
        assert_eq!(unique["status"], "fail", "{url}: {unique}");
        assert_eq!(unique["observed"], 21, "{url}: {unique}");
        let scans = j["suites"][0]["sources"][0]["scans"].as_array().unwrap();
        // A file's offending values are counted by the aggregate itself; a
        // database's come from a query of their own, run by the database.
        let kinds: &[&str] = if url.contains("path:") {
            assert!(
                scans.iter().all(|s| s["kind"] != "sample"),
                "{url}: {scans:?}"
            );
            &["aggregate", "distinct"]
        } else {
            &["aggregate", "distinct", "sample"]
        };
        for kind in kinds {
            let scan = scans
                .iter()
                .find(|s| s["kind"] == *kind)
                .unwrap_or_else(|| panic!("{url}: no {kind} scan in {scans:?}"));
            let pushed = scan["pushed_down"].as_array();
            if url.contains("path:") {
                assert!(pushed.is_none(), "{url}: {scan}");
            } else {
                let pushed = pushed.unwrap_or_else(|| panic!("{url}: {kind}: {scan}"));
                assert!(!pushed.is_empty(), "{url}: {kind}");
                assert!(
                    pushed[0]["sql"].as_str().unwrap().contains("orders"),
                    "{url}: {scan}"
                );
            }
        }
    }
}

/// `not_in_set`, `not_regex`, `freshness`, `distinct_count`,
/// `unique_rate`, `mostly` and a boolean mean on each server and on
/// Parquet: pushed down with the aggregate, the forbidden values named;
/// MariaDB has no regex.
#[test]
fn not_in_set_and_not_regex_on_both_servers() {
    setup();
    for url in [
        format!("{{ url: \"{PG}/verdict_prod\", table: public.orders }}"),
        format!("{{ url: \"{MY}/verdict_prod\", table: orders }}"),
        "{ path: fixtures/compare/prod.parquet }".to_string(),
    ] {
        let (_d, suite) = temp_suite(&format!(
            r#"
version: 1
sources:
  orders: {url}
checks:
  orders:
    columns:
      region:
        - not_in_set: [apac, mars]
        - not_in_set: {{ values: [mars], name: no_mars }}
        - not_regex: '^u'
        - distinct_count: {{ equals: 3 }}
        - unique_rate: {{ max: 0.01 }}
        - in_set: {{ values: [eu, us], mostly: 0.6 }}
      ordered_on:
        - freshness: {{ max_age: 30d }}
      is_in_promo:
        - mean: {{ between: [0.2, 0.3] }}
"#
        ));
        let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
        assert_eq!(o.code, 1, "{url}: {}{}", o.stdout, o.stderr);
        let j = json(&o);
        let c = check_named(&j, "region.not_in_set");
        assert_eq!(c["observed"], 333, "{url}: {c}");
        assert_eq!(
            c["sample"],
            serde_json::json!([{ "value": "apac", "rows": 333 }]),
            "{url}: {c}"
        );
        assert_eq!(check_named(&j, "no_mars")["status"], "pass", "{url}");
        // Counted in the database: 3 regions in 1000 rows; 667 of them eu
        // or us; a quarter of the orders in a promotion (PostgreSQL's
        // boolean as its true rate, MariaDB's TINYINT(1) as a number).
        assert_eq!(
            check_named(&j, "region.distinct_count")["observed"],
            3,
            "{url}"
        );
        assert_eq!(
            check_named(&j, "region.unique_rate")["observed"],
            0.003,
            "{url}"
        );
        let mostly = check_named(&j, "region.in_set");
        assert_eq!(mostly["status"], "pass", "{url}: {mostly}");
        assert_eq!(
            mostly["observed_text"], "333 outside the set (66.7% comply)",
            "{url}"
        );
        // A database's average of an integer may come back as a decimal,
        // which the JSON report writes as a string of its digits.
        let mean = &check_named(&j, "is_in_promo.mean")["observed"];
        let mean = mean
            .as_f64()
            .or_else(|| mean.as_str().and_then(|t| t.parse().ok()));
        assert_eq!(mean, Some(0.25), "{url}");
        // Freshness pushed down as a max: the newest order is 2026-10-27,
        // 29d 12h before the tests' now.
        let f = check_named(&j, "ordered_on.freshness");
        assert_eq!(f["status"], "pass", "{url}: {f}");
        assert_eq!(
            f["observed_text"], "newest is 29d 12h old (2026-10-27T00:00:00Z)",
            "{url}: {f}"
        );
        let r = check_named(&j, "region.not_regex");
        if url.contains("mysql") {
            assert_eq!(
                r["why"],
                "regex checks do not run in MySQL/MariaDB yet: MariaDB has no REGEXP_LIKE()"
            );
        } else {
            assert_eq!(r["observed"], 334, "{url}: {r}");
            assert_eq!(
                r["sample"],
                serde_json::json!([{ "value": "us", "rows": 334 }]),
                "{url}: {r}"
            );
        }
    }
}

/// `references:` from a table on each server (and its Parquet copy) to a
/// CSV file: the anti-join reads the database's keys through a pushed-down
/// projection and finds the same orphans everywhere.
#[test]
fn references_from_a_database_table_to_a_file() {
    setup();
    for url in [
        format!("url: \"{PG}/verdict_prod\", table: public.orders"),
        format!("url: \"{MY}/verdict_prod\", table: orders"),
        "path: fixtures/compare/prod.parquet".to_string(),
    ] {
        let (d, suite) = temp_suite("");
        let regions = d.path().join("regions.csv");
        std::fs::write(&regions, "code\neu\nus\n").unwrap();
        std::fs::write(
            &suite,
            format!(
                "version: 1\nsources:\n  orders: {{ {url}, key: order_id }}\n  regions: {{ path: {} }}\nchecks:\n  orders:\n    columns:\n      region:\n        - references: {{ source: regions, column: code }}\n",
                regions.display()
            ),
        )
        .unwrap();
        let failed = d.path().join("failed");
        let o = run(&[
            suite.to_str().unwrap(),
            "--format",
            "json",
            "--failed-rows",
            failed.to_str().unwrap(),
        ]);
        assert_eq!(o.code, 1, "{url}: {}{}", o.stdout, o.stderr);
        let c = check_named(&json(&o), "region.references");
        assert_eq!(
            c["observed_text"], "333 orphan rows (1 missing key)",
            "{url}: {c}"
        );
        // The orphan rows themselves, read from the table's server: the
        // first 100, each with the source's key.
        let f = &c["failed_rows"];
        assert_eq!(f["rows"], 100, "{url}: {f}");
        assert_eq!(
            f["columns"],
            serde_json::json!(["order_id", "region"]),
            "{url}"
        );
        assert_eq!(
            f["first"],
            serde_json::json!([
                [2, "apac"],
                [5, "apac"],
                [8, "apac"],
                [11, "apac"],
                [14, "apac"]
            ]),
            "{url}"
        );
        assert!(
            Path::new(f["path"].as_str().unwrap()).exists(),
            "{url}: {f}"
        );
        assert_eq!(
            c["sample"],
            serde_json::json!([{ "value": "apac", "rows": 333 }]),
            "{url}"
        );
    }
}

/// `where:` on a source and on a check, on both servers and the Parquet
/// copy: the same rows are kept, and a database runs the filter in the
/// SQL it is sent (one row comes back), whatever the source is called.
#[test]
fn a_where_is_pushed_down_on_both_servers() {
    setup();
    for url in [
        format!("url: \"{PG}/verdict_prod\", table: public.orders"),
        format!("url: \"{MY}/verdict_prod\", table: orders"),
        "path: fixtures/compare/prod.parquet".to_string(),
    ] {
        let (_d, suite) = temp_suite(&format!(
            r#"
version: 1
sources:
  eu_orders: {{ {url}, where: "region = 'eu'" }}
checks:
  eu_orders:
    table:
      - row_count: {{ equals: 333 }}
      - row_count: {{ equals: 96, where: "qty_sold > 5", name: big }}
      - expression: {{ expr: "revenue > qty_sold * 10", name: rich }}
    columns:
      qty_sold:
        - sum: {{ equals: 1336 }}
        - range: {{ between: [0, 5], mostly: 0.7 }}
        - median: {{ min: 0 }}
      order_id:
        - max: {{ equals: 999 }}
"#
        ));
        let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
        let j = json(&o);
        assert_eq!(o.code, 1, "{url}: {}{}", o.stdout, o.stderr);
        let src = &j["suites"][0]["sources"][0];
        assert_eq!(src["where"], "region = 'eu'", "{url}");
        // Per-row checks counted in the database: 11 of the 333 eu orders
        // earn at most 10 per item; 96 sold more than 5 (71.17% comply).
        let rich = check_named(&j, "rich");
        assert_eq!(rich["observed"], 11, "{url}: {rich}");
        assert_eq!(rich["status"], "fail", "{url}");
        let range = check_named(&j, "qty_sold.range");
        assert_eq!(
            range["observed_text"], "96 outside the range (71.17% comply)",
            "{url}: {range}"
        );
        assert_eq!(range["status"], "pass", "{url}");
        // An exact median needs every value: files only, for now.
        let median = check_named(&j, "qty_sold.median");
        if url.starts_with("url") {
            assert_eq!(
                median["why"],
                "median and quantile checks do not run in databases yet: they need every value of the column",
                "{url}"
            );
        } else {
            assert_eq!(median["observed"], 4.0, "{url}: {median}");
        }
        assert_eq!(src["rows"], 333, "{url}");
        // The check's `where` narrows the source's: big orders in eu.
        assert_eq!(check_named(&j, "big")["observed"], 96, "{url}");
        if url.starts_with("url") {
            for scan in src["scans"].as_array().unwrap() {
                let pushed = &scan["pushed_down"][0];
                let sql = pushed["sql"].as_str().unwrap_or_default();
                assert!(
                    sql.contains("WHERE") && sql.contains("'eu'"),
                    "{url}: {sql}"
                );
                assert_eq!(pushed["rows"], 1, "{url}: {scan}");
            }
        }
    }
}

/// `verdict schema` of a table on each server. MySQL's `BOOLEAN` is
/// `TINYINT(1)`, read as int8.
#[test]
fn schema_of_a_database_table() {
    setup();
    for (url, format, promo) in [(PG, "postgres", "bool"), (MY, "mysql", "int8")] {
        let o = verdict(&[
            "schema",
            &format!("{url}/verdict_prod?table=orders"),
            "--json",
        ]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let j = json(&o);
        assert_eq!(j["format"], format);
        assert_eq!(j["path"], format!("{url}/verdict_prod · orders"));
        let types: Vec<&str> = j["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            types,
            [
                "int32",
                "string",
                "float64",
                "int32",
                "decimal(10, 2)",
                promo,
                "date",
                "string"
            ],
            "{format}"
        );
    }
}

/// Issue 12, item 7: `table:` was spliced into SQL: `pg_sleep` ran on
/// PostgreSQL and `SLEEP` on MariaDB. A table name is an identifier; what
/// is not is refused before any connection, and a query's tables too.
#[test]
fn item_7_a_table_name_is_never_sql() {
    setup();
    for (url, table, bad) in [
        (
            format!("{PG}/verdict_prod"),
            "t WHERE (SELECT 1 FROM pg_sleep(3)) IS NOT NULL",
            "a space",
        ),
        (
            format!("{MY}/verdict_prod"),
            "t` WHERE SLEEP(3) = 0 #",
            "a backtick",
        ),
        (
            format!("{PG}/verdict_prod"),
            "public.orders;DROP TABLE orders",
            "`;`",
        ),
    ] {
        let (_d, suite) = temp_suite(&format!(
            "version: 1\nsources:\n  t: {{ url: \"{url}\", table: {table:?} }}\nchecks:\n  t:\n    \
             table: [ row_count: {{ min: 1 }} ]\n"
        ));
        let started = std::time::Instant::now();
        let o = run(&[suite.to_str().unwrap()]);
        assert_eq!(o.code, 2, "{table}: {}{}", o.stdout, o.stderr);
        assert!(
            o.stderr.contains(&format!(
                "`{table}` is not a table name: {bad} is not allowed"
            )),
            "{table}: {}",
            o.stderr
        );
        assert!(started.elapsed().as_secs_f64() < 2.0, "nothing slept");
        let arg = format!(
            "{url}?table={}",
            table
                .replace(' ', "%20")
                .replace('#', "%23")
                .replace('`', "%60")
        );
        let o = verdict(&["schema", &arg]);
        assert_ne!(o.code, 0, "{table}");
        assert!(
            o.stderr.contains("is not a table name"),
            "{table}: {}",
            o.stderr
        );
    }
    // A query's tables pass the same door.
    let (_d, suite) = temp_suite(&format!(
        "version: 1\nsources:\n  q: {{ url: \"{PG}/verdict_prod\", query: 'SELECT * FROM \"orders WHERE true\"' }}\n\
         checks:\n  q:\n    table: [ row_count: {{ min: 1 }} ]\n"
    ));
    let o = run(&[suite.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 3, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("`orders WHERE true` is not a table name: a space is not allowed"),
        "{}",
        o.stdout
    );
}

/// A local webhook receiver that answers 200 and keeps every body.
fn capture_webhooks() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook",
        listener.local_addr().unwrap().port()
    );
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut r = std::io::BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("content-length") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0; length];
            let _ = r.read_exact(&mut body);
            kept.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&body).into_owned());
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (url, bodies)
}

/// Issue 12: a password and an S3 secret holding every character a URL
/// treats specially, planted in every command, report format, history,
/// stderr and webhook body; the marker `Zq9` they share appears nowhere.
#[test]
fn planted_secrets_appear_in_no_output() {
    setup();
    const MARK: &str = "Zq9";
    let raw = format!("{MARK} p@ss:/?#[]!$&'()*+,;=%w");
    let encoded: String =
        percent_encoding::utf8_percent_encode(&raw, percent_encoding::NON_ALPHANUMERIC).to_string();
    let s3_secret = format!("{MARK}/s3+k#y?=&");
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_string_lossy().to_string();
    let (hook, bodies) = capture_webhooks();
    let s3_suite = p("s3.yml");
    std::fs::write(
        &s3_suite,
        "version: 1\nsources:\n  f: { path: \"s3://AKIA:${S3_SECRET}@bucket/x.parquet\" }\n\
         checks:\n  f:\n    table: [ row_count: { min: 1 } ]\n",
    )
    .unwrap();
    let db = |name: &str, pw: &str| {
        format!("postgres://root:{pw}@127.0.0.1:5432/verdict_{name}?table=public.orders")
    };
    let reports = |tag: &str| -> Vec<String> {
        [
            ("--json", "json"),
            ("--junit", "xml"),
            ("--markdown", "md"),
            ("--html", "html"),
        ]
        .iter()
        .flat_map(|(flag, ext)| [flag.to_string(), p(&format!("{tag}.{ext}"))])
        .chain(["--notify".to_string(), hook.clone()])
        .collect()
    };
    let mut runs: Vec<Vec<String>> = Vec::new();
    for format in ["console", "json"] {
        let mut run = vec![
            "run".to_string(),
            "fixtures/db/compare.yml".into(),
            "--format".into(),
            format.into(),
            "--history".into(),
            p("history"),
        ];
        run.extend(reports(&format!("run-{format}")));
        runs.push(run);
        for pw in [&encoded, &raw] {
            let mut diff: Vec<String> = [
                "diff",
                "--baseline",
                &db("prod", pw),
                "--candidate",
                &db("dev", pw),
                "--key",
                "order_id",
                "--format",
                format,
            ]
            .map(String::from)
            .to_vec();
            diff.extend(reports(&format!("diff-{format}")));
            runs.push(diff);
            let mut compare: Vec<String> = [
                "compare",
                &format!("prod={}", db("prod", pw)),
                &format!("dev={}", db("dev", pw)),
                "--format",
                format,
            ]
            .map(String::from)
            .to_vec();
            compare.extend(reports(&format!("compare-{format}")));
            runs.push(compare);
        }
    }
    for pw in [&encoded, &raw] {
        runs.push(vec!["schema".into(), db("prod", pw)]);
        runs.push(vec!["schema".into(), db("prod", pw), "--json".into()]);
        runs.push(vec!["profile".into(), db("prod", pw)]);
    }
    runs.push(vec!["validate".into(), "fixtures/db/compare.yml".into()]);
    runs.push(vec!["history".into(), p("history")]);
    runs.push(vec!["validate".into(), s3_suite.clone()]);
    runs.push(vec!["run".into(), s3_suite.clone()]);
    // A real S3 server (moto, .ci/run starts it) with the secret in
    // `storage:`, through every report and the webhook.
    let bucket = format!("planted-{}", std::process::id());
    ureq::put(&format!("http://127.0.0.1:5055/{bucket}"))
        .send_empty()
        .expect("moto_server on 127.0.0.1:5055 (.ci/run starts it)");
    ureq::put(&format!("http://127.0.0.1:5055/{bucket}/f.parquet"))
        .send(&std::fs::read("fixtures/features.parquet").unwrap()[..])
        .unwrap();
    let stored = p("stored.yml");
    std::fs::write(
        &stored,
        format!(
            "version: 1\nsources:\n  f:\n    path: s3://{bucket}/f.parquet\n    storage:\n      \
             endpoint: http://127.0.0.1:5055\n      allow_http: true\n      region: us-east-1\n      \
             access_key_id: AKIA\n      secret_access_key: ${{S3_SECRET}}\n\
             checks:\n  f:\n    table: [ row_count: {{ min: 1 }} ]\n"
        ),
    )
    .unwrap();
    let mut stored_run = vec!["run".to_string(), stored, "--history".into(), p("history")];
    stored_run.extend(reports("stored"));
    runs.push(stored_run);
    runs.push(vec![
        "diff".into(),
        "--baseline".into(),
        format!("s3://AKIA:{s3_secret}@bucket/a.parquet"),
        "--candidate".into(),
        "fixtures/release/preds_v1.parquet".into(),
        "--key".into(),
        "id".into(),
    ]);
    let mut outcomes = Vec::new();
    for pw in [&encoded, &raw] {
        for args in &runs {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = common::verdict_env(
                &args,
                &[
                    ("VERDICT_PG_PASSWORD", pw.as_str()),
                    ("S3_SECRET", s3_secret.as_str()),
                    ("AWS_SECRET_ACCESS_KEY", s3_secret.as_str()),
                ],
            );
            for (what, out) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
                assert!(
                    !out.contains(MARK),
                    "{what} of {args:?} shows a secret:\n{out}"
                );
            }
            outcomes.push((args[0].to_string(), o.code));
        }
    }
    // The runs with the encoded password reached the database: the run and
    // the compares fail on dev's differences (1), a diff without gates
    // passes (0), the schema is printed (0); the raw password is not a
    // valid URL (2), and neither is an object-store URL with credentials
    // in it (2). The run reading S3 with the secret in `storage:` passes.
    for (command, code) in [
        ("run", 1),
        ("compare", 1),
        ("diff", 0),
        ("schema", 0),
        ("diff", 2),
        ("validate", 2),
        ("run", 0),
    ] {
        assert!(
            outcomes.iter().any(|(c, k)| c == command && *k == code),
            "{command} {code}: {outcomes:?}"
        );
    }
    let mut files = 0;
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                assert!(!text.contains(MARK), "{} shows a secret", path.display());
            }
        }
    }
    assert!(files >= 16, "every report file was written ({files})");
    let bodies = bodies.lock().unwrap();
    assert!(
        bodies.len() >= 4,
        "the webhook was called ({})",
        bodies.len()
    );
    for b in bodies.iter() {
        assert!(!b.contains(MARK), "a webhook body shows a secret:\n{b}");
    }
}

/// `verdict import odcs` of a contract whose servers are the PostgreSQL
/// and MariaDB `orders` tables: each server's suite reads its table with
/// datacontract-cli's credential variables and gives the same results, its
/// generated `sql:` checks run by each database.
#[test]
fn an_imported_contract_checks_either_server() {
    setup();
    let (d, _) = temp_suite("");
    let contract = d.path().join("orders.odcs.yaml");
    std::fs::write(
        &contract,
        "apiVersion: v3.1.0\nkind: DataContract\nid: orders\nservers:\n  - { server: pg, type: postgres, host: 127.0.0.1, port: 5432, database: verdict_prod, schema: public }\n  - { server: my, type: mysql, host: 127.0.0.1, port: 3306, database: verdict_prod }\nschema:\n  - name: orders\n    quality:\n      - { metric: rowCount, mustBe: 1000 }\n      - { type: sql, query: 'select count(*) from {object} where revenue > 1000', mustBe: 200 }\n    properties:\n      - { name: order_id, logicalType: integer, primaryKey: true }\n      - name: region\n        logicalType: string\n        required: true\n        quality:\n          - { metric: invalidValues, arguments: { validValues: [eu, us] }, mustBe: 0 }\n          - { metric: duplicateValues, mustBeLessThan: 5 }\n      - name: coupon\n        logicalType: string\n        quality:\n          - { metric: nullValues, mustBeLessOrEqualTo: 90, unit: percent }\n          - { metric: missingValues, arguments: { missingValues: [null, ''] }, mustBeGreaterThan: 899 }\n",
    )
    .unwrap();
    for server in ["pg", "my"] {
        let o = common::verdict(&[
            "import",
            "odcs",
            contract.to_str().unwrap(),
            "--server",
            server,
        ]);
        assert_eq!(o.code, 0, "{server}: {}", o.stderr);
        let suite = d.path().join(format!("{server}.yml"));
        std::fs::write(&suite, &o.stdout).unwrap();
        let vars = [
            ("DATACONTRACT_POSTGRES_USERNAME", "root"),
            ("DATACONTRACT_POSTGRES_PASSWORD", ""),
            ("DATACONTRACT_MYSQL_USERNAME", "root"),
            ("DATACONTRACT_MYSQL_PASSWORD", ""),
        ];
        let o = common::verdict_env(&["run", suite.to_str().unwrap(), "--format", "json"], &vars);
        assert_eq!(o.code, 1, "{server}: {}{}", o.stdout, o.stderr);
        let got = check_fields(&json(&o), &["name", "status", "observed_text"]);
        let want = [
            ["schema", "pass", "3 columns as declared"],
            ["row_count", "pass", "1000 rows"],
            ["order_id.unique", "pass", "0 duplicated keys"],
            ["region.in_set", "fail", "333 outside the set"],
            ["coupon.null_rate", "pass", "0.9 (900 of 1000)"],
            ["region.duplicate_values", "pass", "3"],
            ["coupon.missing_values", "pass", "900"],
            ["sql_2", "pass", "200"],
        ];
        assert_eq!(got, want, "{server}");
    }
}
