//! Builds with and without the cargo features (`--no-default-features`
//! makes a files-only binary): `--version` says which this is, and a suite
//! that needs a part the build lacks is refused at validation, exit 2,
//! naming the feature — never half-run. `.ci/run` runs this file in both
//! builds.

mod common;

use common::{temp_suite, verdict};

// Used by the tests of builds that lack a feature.
#[allow(dead_code)]
const CHECKS: &str = "checks:\n  t:\n    table: [ row_count: { min: 1 } ]\n";

#[test]
#[cfg(all(
    feature = "postgres",
    feature = "mysql",
    feature = "cloud",
    feature = "cluster"
))]
fn version_of_the_default_build_lists_every_feature() {
    let out = verdict(&["--version"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        format!(
            "verdict {} (features: postgres, mysql, cloud, cluster)\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
#[cfg(not(any(
    feature = "postgres",
    feature = "mysql",
    feature = "cloud",
    feature = "cluster"
)))]
fn version_of_a_files_only_build_says_so() {
    let out = verdict(&["--version"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        format!(
            "verdict {} (features: files only)\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// Validates a suite with one source `t` written as `source`; the exit
/// code and stderr.
#[allow(dead_code)]
fn validate(source: &str) -> (i32, String) {
    let (_d, path) = temp_suite(&format!("version: 1\nsources:\n  t: {source}\n{CHECKS}"));
    let out = verdict(&["validate", path.to_str().unwrap()]);
    let stderr = out.stderr.replace(path.to_str().unwrap(), "SUITE");
    (out.code, stderr)
}

#[test]
#[cfg(not(feature = "postgres"))]
fn a_postgres_source_needs_the_postgres_feature() {
    let (code, stderr) =
        validate(r#"{ url: "postgres://app:hunter2@db:5432/shop", table: orders }"#);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: source `t`: this verdict was built without PostgreSQL sources (cargo feature `postgres`); use a release build (`pip install verdict-gate`) or build with the default features\n  --> SUITE:3:13\n  |\n3 |   t: { url: \"postgres://app:*******@db:5432/shop\", table: orders }\n  |             ^\n\nSUITE: 1 error in the suite; nothing was evaluated\n"
    );
}

#[test]
#[cfg(not(feature = "mysql"))]
fn a_mysql_source_needs_the_mysql_feature() {
    let (code, stderr) = validate(r#"{ url: "mysql://root@127.0.0.1:3306/test", table: t }"#);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: source `t`: this verdict was built without MySQL/MariaDB sources (cargo feature `mysql`); use a release build (`pip install verdict-gate`) or build with the default features\n  --> SUITE:3:13\n"),
        "{stderr}"
    );
}

#[test]
#[cfg(not(feature = "cloud"))]
fn an_object_store_path_needs_the_cloud_feature() {
    let (code, stderr) = validate(r#"{ path: "s3://bucket/features/*.parquet" }"#);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: the `path` of source `t`: this verdict was built without object stores (s3://, gs://, az://, http(s)://) (cargo feature `cloud`); use a release build (`pip install verdict-gate`) or build with the default features\n  --> SUITE:3:14\n  |\n3 |   t: { path: \"s3://bucket/features/*.parquet\" }\n  |              ^\n\nSUITE: 1 error in the suite; nothing was evaluated\n"
    );
}

#[test]
#[cfg(not(feature = "cluster"))]
fn a_cluster_needs_the_cluster_feature() {
    let missing = "this verdict was built without Ballista clusters (df://) (cargo feature `cluster`); use a release build (`pip install verdict-gate`) or build with the default features";
    let (_d, path) = temp_suite(&format!(
        "version: 1\nengine: df://127.0.0.1:50050\nsources:\n  t: {{ path: fixtures/features.parquet }}\n{CHECKS}"
    ));
    let out = verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .starts_with(&format!("error: `engine`: {missing}\n")),
        "{}",
        out.stderr
    );

    let out = verdict(&[
        "run",
        "expectations/features.yml",
        "--engine",
        "df://127.0.0.1:50050",
    ]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr, format!("error: --engine: {missing}\n"));

    let out = verdict(&["cluster", "scheduler"]);
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr, format!("error: {missing}\n"));
}

/// What every build reads: local files, with the bundled example passing.
#[test]
fn every_build_runs_the_bundled_example() {
    let out = common::run(&["expectations/features.yml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let last = out.stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("verdict: PASS — 23 checks: 23 passed ("),
        "{last}"
    );
}
