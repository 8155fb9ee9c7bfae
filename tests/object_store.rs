//! Object-store sources against a real S3 server on loopback: moto's server
//! mode (`moto_server`, from PyPI), which `.ci/run` installs and starts on
//! 127.0.0.1:5055. Each test works in its own bucket. A second moto server,
//! started by the test that needs it, checks signatures (access denied).
// Needs a build with the feature (tests/features.rs covers one without).
#![cfg(feature = "cloud")]

mod common;

use std::time::{Duration, Instant};

use common::*;

const ENDPOINT: &str = "http://127.0.0.1:5055";

/// The environment a user of an S3-compatible store sets, as object_store
/// reads it.
const ENV: [(&str, &str); 5] = [
    ("AWS_ACCESS_KEY_ID", "verdict-test"),
    ("AWS_SECRET_ACCESS_KEY", "verdict-test-secret"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_ENDPOINT_URL", ENDPOINT),
    ("AWS_ALLOW_HTTP", "true"),
];

fn s3(args: &[&str]) -> Out {
    verdict_env(args, &ENV)
}

fn s3_run(args: &[&str]) -> Out {
    let mut a = vec!["run", "--now", "2026-11-25T12:00:00Z"];
    a.extend_from_slice(args);
    s3(&a)
}

/// A new, empty bucket named after the test (and the process, so that
/// runs do not meet).
fn bucket(name: &str) -> String {
    let b = format!("{name}-{}", std::process::id()).replace('_', "-");
    let r = ureq::put(&format!("{ENDPOINT}/{b}"))
        .send_empty()
        .unwrap_or_else(|e| {
            panic!("create bucket {b} on {ENDPOINT} (is moto_server running?): {e}")
        });
    assert_eq!(r.status(), 200);
    b
}

/// Uploads `data` as `key` in `bucket`.
fn put(bucket: &str, key: &str, data: &[u8]) {
    let r = ureq::put(&format!("{ENDPOINT}/{bucket}/{key}"))
        .send(data)
        .unwrap_or_else(|e| panic!("put {bucket}/{key}: {e}"));
    assert_eq!(r.status(), 200);
}

/// The content of `key` in `bucket`, read with a signed request.
fn s3_get(bucket: &str, key: &str) -> Vec<u8> {
    use object_store::ObjectStoreExt as _;
    let store = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(ENDPOINT)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id("verdict-test")
        .with_secret_access_key("verdict-test-secret")
        .with_bucket_name(bucket)
        .build()
        .unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let got = store
                .get(&object_store::path::Path::from(key))
                .await
                .unwrap();
            got.bytes().await.unwrap().to_vec()
        })
}

fn put_file(bucket: &str, key: &str, path: &str) {
    put(bucket, key, &std::fs::read(path).unwrap());
}

/// The checks of a JSON report, without timings: what must be equal
/// whether a table is read from disk or from a bucket.
fn outcomes(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["suites"][0]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap().clone())
        .map(|mut c| {
            c.as_object_mut().unwrap().retain(|k, _| k != "seconds");
            c
        })
        .collect()
}

/// The bundled example with its table in a bucket gives the same verdict,
/// check by check, as from disk; the report says what was read.
#[test]
fn the_bundled_suite_reads_its_table_from_a_bucket() {
    let b = bucket("features");
    put_file(&b, "tables/features.parquet", "fixtures/features.parquet");
    let r = bundled_suite_from(&format!("s3://{b}/tables"), &ENV);
    let source = &r["suites"][0]["sources"][0];
    assert_eq!(source["path"], format!("s3://{b}/tables/features.parquet"));
    assert_eq!(source["files"], 1);
    let size = std::fs::metadata("fixtures/features.parquet")
        .unwrap()
        .len();
    let read = &source["read"];
    assert_eq!(read["objects"], 1);
    assert_eq!(read["size"], size);
    // A full scan reads every column chunk once, and the footer (with
    // DataFusion's 512 KiB read-ahead, the whole of this small file) when
    // the schema, the statistics and the scan are planned.
    let bytes = read["bytes"].as_u64().unwrap();
    assert!(read["requests"].as_u64().unwrap() >= 1, "{read}");
    assert!(size <= bytes && bytes <= 3 * size, "{read}");

    // The console says it too.
    let suite = std::fs::read_to_string("expectations/features.yml")
        .unwrap()
        .replace(
            "path: fixtures/features.parquet",
            &format!("path: s3://{b}/tables/features.parquet"),
        );
    let (_d, path) = temp_suite(&suite);
    let console = s3_run(&[path.to_str().unwrap()]);
    let line = console
        .stdout
        .lines()
        .find(|l| l.starts_with("source features"))
        .unwrap()
        .to_string();
    assert!(
        line.contains(&format!(
            "(s3://{b}/tables/features.parquet) · parquet, 1 object of "
        )),
        "{line}"
    );
}

/// A row count Parquet footers answer reads only the footer: a few
/// requests and far fewer bytes than the object.
#[test]
fn a_footer_answered_suite_reads_only_footers() {
    let b = bucket("footer");
    // 5.6 MB of distinct doubles: ten times DataFusion's 512 KiB footer
    // read-ahead.
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<f64> = (0..700_000u64)
        .map(|i| (i.wrapping_mul(2_654_435_761) % 1_000_003) as f64 / 7.0)
        .collect();
    let file = parquet(
        dir.path(),
        "big.parquet",
        vec![(
            "x",
            std::sync::Arc::new(datafusion::arrow::array::Float64Array::from(values)),
        )],
    );
    put_file(&b, "features.parquet", &file);
    let (_d, path) = temp_suite(&format!(
        "version: 1\nsources:\n  t: {{ path: s3://{b}/features.parquet }}\nchecks:\n  t:\n    table:\n      - row_count: {{ min: 1 }}\n"
    ));
    let o = s3_run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let j = json(&o);
    let source = &j["suites"][0]["sources"][0];
    assert_eq!(source["scans"][0]["from_metadata"], true, "{source}");
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size > 5_000_000, "{size}");
    let read = &source["read"];
    let bytes = read["bytes"].as_u64().unwrap();
    assert!(bytes < size / 4, "read {bytes} of {size} bytes: {read}");
}

/// A prefix with `key=value` folders is a partitioned table, as a local
/// folder is; a glob reads the objects it matches, without partitions.
#[test]
fn hive_prefixes_and_globs_read_as_local_paths_do() {
    let b = bucket("hive");
    put_file(
        &b,
        "sales/region=eu/part-0.parquet",
        "fixtures/hive/region=eu/part-0.parquet",
    );
    put_file(
        &b,
        "sales/region=us/part-0.parquet",
        "fixtures/hive/region=us/part-0.parquet",
    );
    put(&b, "sales/_SUCCESS", b"");
    let local = verdict(&["schema", "fixtures/hive", "--json"]);
    let remote = s3(&["schema", &format!("s3://{b}/sales/"), "--json"]);
    assert_eq!(remote.code, 0, "{}", remote.stderr);
    let (l, r) = (json(&local), json(&remote));
    assert_eq!(r["columns"], l["columns"]);
    assert_eq!(r["partition_columns"], serde_json::json!(["region"]));
    assert_eq!(r["files"], 2);
    // Without the trailing slash, the same.
    let r2 = json(&s3(&["schema", &format!("s3://{b}/sales"), "--json"]));
    assert_eq!(r2["columns"], l["columns"]);

    let glob = s3(&["schema", &format!("s3://{b}/sales/**/*.parquet"), "--json"]);
    assert_eq!(glob.code, 0, "{}", glob.stderr);
    let g = json(&glob);
    assert_eq!(g["files"], 2);
    assert_eq!(g["partition_columns"], serde_json::json!([]));

    // An object outside the partition folders would not be read: named.
    put_file(
        &b,
        "sales/backup/part-0.parquet",
        "fixtures/hive/region=eu/part-0.parquet",
    );
    let stray = s3(&["schema", &format!("s3://{b}/sales/")]);
    assert_eq!(stray.code, 3);
    assert_eq!(
        stray.stderr,
        format!(
            "error: `s3://{b}/sales/backup/part-0.parquet` is not in a `region=…` folder like the other files of `s3://{b}/sales`, so it would not be read; move it out of `s3://{b}/sales` (a glob would read it, but no partition columns)\n"
        )
    );
}

/// CSV objects are read with the source's CSV options.
#[test]
fn csv_objects_are_read_like_csv_files() {
    let b = bucket("csv");
    put_file(&b, "orders.csv", "fixtures/orders.csv");
    let local = json(&verdict(&["schema", "fixtures/orders.csv", "--json"]));
    let remote = s3(&["schema", &format!("s3://{b}/orders.csv"), "--json"]);
    assert_eq!(remote.code, 0, "{}", remote.stderr);
    assert_eq!(json(&remote)["columns"], local["columns"]);
}

/// `compare` with one environment in a bucket and the others on disk
/// finds what it finds on disk.
#[test]
fn compare_reads_an_environment_from_a_bucket() {
    let b = bucket("compare");
    put_file(&b, "orders/prod.parquet", "fixtures/compare/prod.parquet");
    let local = run(&["expectations/compare.yml", "--format", "json"]);
    let suite = std::fs::read_to_string("expectations/compare.yml")
        .unwrap()
        .replace(
            "prod: { path: fixtures/compare/prod.parquet }",
            &format!("prod: {{ path: \"s3://{b}/orders/prod.parquet\" }}"),
        );
    let (_d, path) = temp_suite(&suite);
    let remote = s3_run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!((local.code, remote.code), (1, 1), "{}", remote.stderr);
    assert_eq!(
        json(&remote)["suites"][0]["compare"]["rows"],
        json(&local)["suites"][0]["compare"]["rows"]
    );
}

/// `storage:` in the suite sets the endpoint and the credentials
/// (`${VAR}` for the secret), without any `AWS_*` variable; the secret
/// appears in no output.
#[test]
fn storage_options_configure_the_store_and_stay_secret() {
    let b = bucket("options");
    put_file(&b, "features.parquet", "fixtures/features.parquet");
    let secret = "s3cr/et#with?every&url=special:char@%";
    let suite = format!(
        "version: 1\nsources:\n  t:\n    path: s3://{b}/features.parquet\n    storage:\n      endpoint: {ENDPOINT}\n      allow_http: true\n      region: us-east-1\n      access_key_id: verdict-test\n      secret_access_key: ${{SECRET}}\nchecks:\n  t:\n    table:\n      - row_count: {{ min: 1 }}\n"
    );
    let (_d, path) = temp_suite(&suite);
    let p = path.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let file = |n: &str| out.path().join(n).display().to_string();
    let (junit, md, html) = (file("r.xml"), file("r.md"), file("r.html"));
    for format in ["console", "json"] {
        let o = verdict_env(
            &[
                "run",
                p,
                "--format",
                format,
                "--junit",
                &junit,
                "--markdown",
                &md,
                "--html",
                &html,
            ],
            &[("SECRET", secret)],
        );
        assert_eq!(o.code, 0, "{format}: {}", o.stderr);
        let mut all = o.stdout + &o.stderr;
        for f in [&junit, &md, &html] {
            all += &std::fs::read_to_string(f).unwrap();
        }
        assert!(
            all.contains(&format!("s3://{b}/features.parquet")),
            "{format}"
        );
        assert!(
            !all.contains("s3cr/et") && !all.contains("every&url"),
            "{format}"
        );
    }
    // A literal secret in a broken suite is masked in the quoted line.
    let broken = format!(
        "version: 1\nsources:\n  t:\n    path: s3://{b}/features.parquet\n    storage: {{ endpiont: {ENDPOINT}, secret_access_key: \"topsecret-value\" }}\n"
    );
    let (_d2, path2) = temp_suite(&broken);
    let v = verdict(&["validate", path2.to_str().unwrap()]);
    assert_eq!(v.code, 2);
    assert!(!v.stderr.contains("topsecret-value"), "{}", v.stderr);
    assert!(
        v.stderr.contains("error: `endpiont` is not a storage option of S3; options are object_store's, e.g. endpoint, region, allow_http"),
        "{}",
        v.stderr
    );
    assert!(
        v.stderr.contains("secret_access_key: *** }"),
        "{}",
        v.stderr
    );
}

/// A bucket that does not exist, a key that does not exist, an empty
/// prefix and a glob matching nothing are errors (exit 3) that name the
/// bucket and the endpoint.
#[test]
fn missing_buckets_keys_and_prefixes_are_named() {
    let b = bucket("missing");
    put_file(&b, "data/features.parquet", "fixtures/features.parquet");
    let schema = |url: &str| {
        let o = s3(&["schema", url]);
        assert_eq!(o.code, 3, "{url}: {}", o.stderr);
        o.stderr
    };
    let nobucket = format!("no-such-bucket-{}", std::process::id());
    let e = schema(&format!("s3://{nobucket}/data/features.parquet"));
    assert!(
        e.starts_with(&format!(
            "error: s3://{nobucket} at {ENDPOINT}: no such bucket ("
        )),
        "{e}"
    );
    let e = schema(&format!("s3://{b}/data/nope.parquet"));
    assert_eq!(
        e,
        format!("error: s3://{b}/data/nope.parquet at {ENDPOINT}: no objects at this location (no such key, and no objects below it as a prefix)\n")
    );
    let e = schema(&format!("s3://{b}/empty/"));
    assert_eq!(
        e,
        format!("error: s3://{b}/empty/ at {ENDPOINT}: no objects at this location (no such key, and no objects below it as a prefix)\n")
    );
    let e = schema(&format!("s3://{b}/data/*.csv"));
    assert_eq!(
        e,
        format!("error: s3://{b}/data/*.csv at {ENDPOINT}: no objects match the glob\n")
    );
}

/// An endpoint nothing listens on fails within seconds, saying so.
#[test]
fn an_unreachable_endpoint_fails_quickly() {
    let started = Instant::now();
    let o = verdict_env(
        &["schema", "s3://any-bucket/features.parquet"],
        &[
            ("AWS_ACCESS_KEY_ID", "x"),
            ("AWS_SECRET_ACCESS_KEY", "y"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            ("AWS_ALLOW_HTTP", "true"),
        ],
    );
    let took = started.elapsed();
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(
        o.stderr.starts_with(
            "error: s3://any-bucket at http://127.0.0.1:1: cannot reach the endpoint (is it running, and is the address right?) ("
        ),
        "{}",
        o.stderr
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

/// A scheme verdict does not read is refused before anything runs.
#[test]
fn unknown_schemes_are_refused() {
    let (_d, path) = temp_suite(
        "version: 1\nsources:\n  t: { path: \"ftp://host/t.parquet\" }\nchecks:\n  t:\n    table:\n      - row_count: { min: 1 }\n",
    );
    let o = verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("error: the `path` of source `t`: `ftp://` is not a location verdict reads: a path is local, or an object store URL (s3://, gs://, az:// (abfss://), http:// or https://)"),
        "{}",
        o.stderr
    );
    let o = verdict(&["schema", "ftp://host/t.parquet"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: `ftp://` is not a location verdict reads: a path is local, or an object store URL (s3://, gs://, az:// (abfss://), http:// or https://)\n"
    );
    // `storage:` on a local path says what it is for.
    let (_d, path) = temp_suite(
        "version: 1\nsources:\n  t: { path: fixtures/features.parquet, storage: { region: eu-west-1 } }\n",
    );
    let o = verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("error: source `t` has `storage:` but its `path` is local"),
        "{}",
        o.stderr
    );
}

/// An object that is not what its name says is named, exit 3.
#[test]
fn a_corrupt_object_is_named() {
    let b = bucket("corrupt");
    put(
        &b,
        "broken.parquet",
        b"PAR1 this is not a parquet file PAR1",
    );
    let o = s3(&["schema", &format!("s3://{b}/broken.parquet")]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert_eq!(
        o.stderr,
        format!("error: s3://{b}/broken.parquet is not a valid Parquet file: the footer claims 543517801 bytes but the file has 36\n")
    );
}

/// `profile` and `diff` read buckets too.
#[test]
fn profile_and_diff_read_buckets() {
    let b = bucket("profile");
    put_file(&b, "preds_v1.parquet", "fixtures/release/preds_v1.parquet");
    let local = verdict(&["profile", "fixtures/release/preds_v1.parquet"]);
    let remote = s3(&["profile", &format!("s3://{b}/preds_v1.parquet")]);
    assert_eq!(remote.code, 0, "{}", remote.stderr);
    assert_eq!(
        remote
            .stdout
            .replace(
                &format!("\"s3://{b}/preds_v1.parquet\""),
                "fixtures/release/preds_v1.parquet"
            )
            .replace(
                &format!("s3://{b}/preds_v1.parquet"),
                "fixtures/release/preds_v1.parquet"
            ),
        local.stdout
    );
    let local = verdict(&[
        "diff",
        "--baseline",
        "fixtures/release/preds_v1.parquet",
        "--candidate",
        "fixtures/release/preds_v2.parquet",
        "--key",
        "id",
        "--format",
        "json",
    ]);
    put_file(&b, "preds_v2.parquet", "fixtures/release/preds_v2.parquet");
    let remote = s3(&[
        "diff",
        "--baseline",
        &format!("s3://{b}/preds_v1.parquet"),
        "--candidate",
        &format!("s3://{b}/preds_v2.parquet"),
        "--key",
        "id",
        "--format",
        "json",
    ]);
    assert_eq!(remote.code, local.code, "{}", remote.stderr);
    let strip = |o: &Out| {
        let mut j = json(o);
        j["suites"][0]["diff"]["columns"].take()
    };
    assert_eq!(strip(&remote), strip(&local));
}

/// With a server that checks signatures, a wrong secret is access denied.
#[test]
fn a_wrong_secret_is_access_denied() {
    // Its own server: the first two requests (making a user and its key)
    // are let through unsigned, every later one is checked.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("INITIAL_NO_AUTH_ACTION_COUNT", "2")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moto_server is installed (.ci/run installs it)");
    let endpoint = format!("http://127.0.0.1:{port}");
    let iam = |action: &str| {
        for _ in 0..100 {
            let r = ureq::post(&endpoint)
                .header(
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261205/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
                )
                .send_form([("Action", action), ("UserName", "verdict"), ("Version", "2010-05-08")]);
            match r {
                Ok(mut r) => return r.body_mut().read_to_string().unwrap(),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        panic!("moto_server did not start on {endpoint}");
    };
    iam("CreateUser");
    let key = iam("CreateAccessKey");
    let id = key
        .split("<AccessKeyId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    let o = verdict_env(
        &["schema", "s3://any-bucket/features.parquet"],
        &[
            ("AWS_ACCESS_KEY_ID", id.as_str()),
            ("AWS_SECRET_ACCESS_KEY", "not-the-secret"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_ALLOW_HTTP", "true"),
        ],
    );
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(
        o.stderr.starts_with(&format!(
            "error: s3://any-bucket at {endpoint}: access denied: check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the source's `storage:`) ("
        )),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("not-the-secret"));
}

/// A saved drift reference written to a bucket (`--save-reference
/// s3://…`) and read from it (`reference_file: s3://…`) gives the drift
/// result the same file gives from disk.
#[test]
fn saved_references_live_in_buckets() {
    let b = bucket("reference");
    let url = format!("s3://{b}/refs/features.json");
    let saved = s3(&[
        "profile",
        "fixtures/drift/reference.parquet",
        "--save-reference",
        &url,
    ]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let dir = tempfile::tempdir().unwrap();
    let (local_file, local_saved) = save_reference(dir.path());
    assert_eq!(local_saved.code, 0);
    assert_eq!(
        s3_get(&b, "refs/features.json"),
        std::fs::read(&local_file).unwrap()
    );

    let suite = |file: &str| {
        temp_suite(&format!(
            "version: 1\nsources:\n  current: {{ path: fixtures/drift/current.parquet }}\n\
             drift:\n  current:\n    reference_file: {file}\n    columns: [price, category]\n"
        ))
    };
    let (_l, l) = suite(&local_file.display().to_string());
    let (_r, r) = suite(&url);
    let local = run(&[l.to_str().unwrap(), "--format", "json"]);
    let remote = s3_run(&[r.to_str().unwrap(), "--format", "json"]);
    assert_eq!(remote.code, local.code, "{}", remote.stderr);
    let columns = |o: &Out| {
        let mut c = json(o)["suites"][0]["drift"][0]["columns"].clone();
        for col in c.as_array_mut().unwrap() {
            col.as_object_mut().unwrap().remove("seconds");
        }
        c
    };
    assert_eq!(columns(&remote), columns(&local));

    // A missing reference object is named.
    let (_m, m) = suite(&format!("s3://{b}/refs/nope.json"));
    let missing = s3_run(&[m.to_str().unwrap(), "--format", "json"]);
    assert_eq!(missing.code, 3);
    let error = json(&missing)["suites"][0]["drift"][0]["error"].clone();
    assert!(
        error.as_str().unwrap().starts_with(&format!(
            "cannot read the saved reference s3://{b}/refs/nope.json: "
        )),
        "{error}"
    );
}

/// `--history s3://bucket/prefix/`: each run is one object under the
/// prefix, two runs at once both land, `change_vs: history` reads the
/// past from the bucket, and `verdict history` shows it.
#[test]
fn history_lives_in_a_bucket() {
    let b = bucket("history");
    let history = format!("s3://{b}/verdict-history/");
    let (_d, suite) = temp_suite(
        "version: 1\nsources:\n  t: { path: fixtures/features.parquet }\nchecks:\n  t:\n    table:\n      - row_count: { change_vs: history, max_abs: 0 }\n",
    );
    let s = suite.to_str().unwrap().to_string();
    // The first run has nothing to compare with (an error, exit 3) and is
    // recorded all the same.
    let first = s3(&["run", &s, "--history", &history, "--format", "json"]);
    assert_eq!(first.code, 3, "{}", first.stderr);
    let recorded = json(&first)["history"].clone();
    assert_eq!(recorded["rows"], 2, "{recorded}");
    let file = recorded["file"].as_str().unwrap().to_string();
    assert!(
        file.starts_with(&history) && file.ends_with(".parquet"),
        "{recorded}"
    );

    // Two runs at once: both objects land.
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (s, h) = (s.clone(), history.clone());
            std::thread::spawn(move || s3(&["run", &s, "--history", &h, "--format", "json"]))
        })
        .collect();
    for r in runs {
        let o = r.join().unwrap();
        assert_eq!(o.code, 0, "{}", o.stderr);
        // The second and later runs compare with the past in the bucket.
        let check = check_named(&json(&o), "row_count");
        assert_eq!(check["status"], "pass", "{check}");
    }
    let listed = ureq::get(&format!(
        "{ENDPOINT}/{b}?list-type=2&prefix=verdict-history/"
    ))
    .call()
    .unwrap()
    .body_mut()
    .read_to_string()
    .unwrap();
    assert_eq!(listed.matches("<Key>").count(), 3, "{listed}");

    // A history bucket that does not exist is named as such.
    let none = format!("s3://no-such-history-{}/h/", std::process::id());
    let o = s3(&["run", &s, "--history", &none, "--format", "json"]);
    assert_eq!(o.code, 3, "{}", o.stderr);
    let why = check_named(&json(&o), "row_count")["why"].clone();
    assert!(
        why.as_str().unwrap().starts_with(&format!(
            "cannot read the history in {none}: no such bucket ("
        )),
        "{why}"
    );

    let shown = s3(&["history", &history]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown.stdout.contains(
            " · t · row_count · row_count: 3 runs, latest 1000 (pass), range 1000 … 1000\n"
        ),
        "{}",
        shown.stdout
    );
}

/// A WebDAV server (WsgiDAV, from PyPI; `.ci/run` installs it) sharing a
/// folder on a free loopback port, stopped when dropped.
struct Dav {
    child: std::process::Child,
    url: String,
}

impl Dav {
    fn start(root: &std::path::Path) -> Dav {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = std::process::Command::new("wsgidav")
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--auth",
                "anonymous",
                "--no-config",
                "-q",
            ])
            .arg("--root")
            .arg(root)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("wsgidav is installed (.ci/run installs it)");
        let url = format!("http://127.0.0.1:{port}");
        let dav = Dav { child, url };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return dav;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("wsgidav did not start on {}", dav.url);
    }
}

impl Drop for Dav {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `http://` sources: one file (ranged GETs), a folder and a glob (WebDAV
/// listing), each read as from disk.
#[test]
fn http_files_folders_and_globs_read_as_local_paths_do() {
    let root = tempfile::tempdir().unwrap();
    std::fs::copy(
        "fixtures/features.parquet",
        root.path().join("features.parquet"),
    )
    .unwrap();
    for r in ["eu", "us"] {
        let d = root.path().join(format!("sales/region={r}"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::copy(
            format!("fixtures/hive/region={r}/part-0.parquet"),
            d.join("part-0.parquet"),
        )
        .unwrap();
    }
    let dav = Dav::start(root.path());

    let local = run(&["expectations/features.yml", "--format", "json"]);
    let suite = std::fs::read_to_string("expectations/features.yml")
        .unwrap()
        .replace(
            "path: fixtures/features.parquet",
            &format!("path: {}/features.parquet", dav.url),
        );
    let (_d, path) = temp_suite(&suite);
    let remote = run(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        remote.code, local.code,
        "{}{}",
        remote.stderr, remote.stdout
    );
    assert_eq!(outcomes(&json(&remote)), outcomes(&json(&local)));

    let hive = json(&verdict(&["schema", "fixtures/hive", "--json"]));
    let folder = verdict(&["schema", &format!("{}/sales/", dav.url), "--json"]);
    assert_eq!(folder.code, 0, "{}", folder.stderr);
    let f = json(&folder);
    assert_eq!(
        (f["columns"].clone(), f["files"].clone()),
        (hive["columns"].clone(), 2.into())
    );
    let glob = verdict(&[
        "schema",
        &format!("{}/sales/**/*.parquet", dav.url),
        "--json",
    ]);
    assert_eq!(glob.code, 0, "{}", glob.stderr);
    assert_eq!(json(&glob)["files"], 2);

    let missing = verdict(&["schema", &format!("{}/nope.parquet", dav.url)]);
    assert_eq!(missing.code, 3);
    assert!(
        missing
            .stderr
            .starts_with(&format!("error: {}/nope.parquet: ", dav.url)),
        "{}",
        missing.stderr
    );
}

/// The files the Azure and GCS tests put in a bucket: the bundled table
/// and a hive-partitioned folder.
const BUNDLED_FILES: [(&str, &str); 3] = [
    ("features.parquet", "fixtures/features.parquet"),
    (
        "sales/region=eu/part-0.parquet",
        "fixtures/hive/region=eu/part-0.parquet",
    ),
    (
        "sales/region=us/part-0.parquet",
        "fixtures/hive/region=us/part-0.parquet",
    ),
];

/// The bundled suite with its table at `root/features.parquet` gives the
/// verdict it gives from disk, check by check; returns its report.
fn bundled_suite_from(root: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let local = run(&["expectations/features.yml", "--format", "json"]);
    let suite = std::fs::read_to_string("expectations/features.yml")
        .unwrap()
        .replace(
            "path: fixtures/features.parquet",
            &format!("path: {root}/features.parquet"),
        );
    let (_d, path) = temp_suite(&suite);
    let args = [
        "run",
        "--now",
        "2026-11-25T12:00:00Z",
        path.to_str().unwrap(),
        "--format",
        "json",
    ];
    let remote = verdict_env(&args, env);
    assert_eq!(remote.code, local.code, "{}", remote.stderr);
    let report = json(&remote);
    assert_eq!(outcomes(&report), outcomes(&json(&local)));
    report
}

/// The Azure Storage emulator (Azurite, from npm), which `.ci/run` starts on
/// 127.0.0.1:10000 with its well-known development account.
const AZURITE_ACCOUNT: &str = "devstoreaccount1";
const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// A new container, made with a Shared Key-signed request (the emulator
/// checks signatures; object_store cannot make containers).
fn azure_container(name: &str) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let c = format!("{name}-{}", std::process::id());
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let to_sign = format!(
        "PUT\n{}x-ms-date:{date}\nx-ms-version:2021-08-06\n/{AZURITE_ACCOUNT}/{AZURITE_ACCOUNT}/{c}\nrestype:container",
        "\n".repeat(11)
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &b64.decode(AZURITE_KEY).unwrap());
    let signature = b64.encode(ring::hmac::sign(&key, to_sign.as_bytes()).as_ref());
    let r = ureq::put(&format!(
        "http://127.0.0.1:10000/{AZURITE_ACCOUNT}/{c}?restype=container"
    ))
    .header("x-ms-date", &date)
    .header("x-ms-version", "2021-08-06")
    .header(
        "Authorization",
        &format!("SharedKey {AZURITE_ACCOUNT}:{signature}"),
    )
    .send_empty()
    .unwrap_or_else(|e| {
        panic!("create container {c} (is Azurite running on 127.0.0.1:10000?): {e}")
    });
    assert_eq!(r.status(), 201);
    c
}

/// Uploads files to a container through object_store's Azure client.
fn azure_put(container: &str, files: &[(&str, &str)]) {
    use object_store::ObjectStoreExt as _;
    let store = object_store::azure::MicrosoftAzureBuilder::new()
        .with_use_emulator(true)
        .with_container_name(container)
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for (key, file) in files {
            store
                .put(
                    &object_store::path::Path::from(*key),
                    std::fs::read(file).unwrap().into(),
                )
                .await
                .unwrap();
        }
    });
}

const AZURE_ENV: [(&str, &str); 1] = [("AZURE_STORAGE_USE_EMULATOR", "true")];

/// `az://` sources on the emulator: the bundled suite with its table in a
/// container gives the verdict it gives from disk; a hive prefix reads
/// its partitions; a missing container is named.
#[test]
fn azure_containers_read_as_local_paths_do() {
    let c = azure_container("features");
    azure_put(&c, &BUNDLED_FILES);
    bundled_suite_from(&format!("az://{c}"), &AZURE_ENV);

    let hive = json(&verdict(&["schema", "fixtures/hive", "--json"]));
    let folder = verdict_env(
        &["schema", &format!("az://{c}/sales/"), "--json"],
        &AZURE_ENV,
    );
    assert_eq!(folder.code, 0, "{}", folder.stderr);
    let f = json(&folder);
    assert_eq!(f["columns"], hive["columns"]);
    assert_eq!(f["partition_columns"], serde_json::json!(["region"]));

    let none = format!("no-such-container-{}", std::process::id());
    let o = verdict_env(&["schema", &format!("az://{none}/t.parquet")], &AZURE_ENV);
    assert_eq!(o.code, 3);
    assert!(
        o.stderr.starts_with(&format!(
            "error: az://{none} at the Azurite emulator: no such container ("
        )),
        "{}",
        o.stderr
    );
}

/// fake-gcs-server (the emulator object_store's own tests use), which
/// `.ci/run` starts on 127.0.0.1:4443 over plain HTTP.
const GCS: &str = "http://127.0.0.1:4443";

/// What a user of a GCS emulator sets, as object_store reads it: the
/// emulator's address, no signing (it has no credentials to check), HTTP.
const GCS_ENV: [(&str, &str); 3] = [
    ("GOOGLE_BASE_URL", GCS),
    ("GOOGLE_SKIP_SIGNATURE", "true"),
    ("GOOGLE_ALLOW_HTTP", "true"),
];

/// A new bucket with `files` in it, made through the emulator's JSON API.
fn gcs_bucket(name: &str, files: &[(&str, &str)]) -> String {
    let b = format!("{name}-{}", std::process::id());
    let r = ureq::post(&format!("{GCS}/storage/v1/b"))
        .header("content-type", "application/json")
        .send(format!(r#"{{"name":"{b}"}}"#).as_bytes())
        .unwrap_or_else(|e| {
            panic!("create bucket {b} (is fake-gcs-server running on 127.0.0.1:4443?): {e}")
        });
    assert_eq!(r.status(), 200);
    for (key, file) in files {
        let r = ureq::post(&format!(
            "{GCS}/upload/storage/v1/b/{b}/o?uploadType=media&name={key}"
        ))
        .send(&std::fs::read(file).unwrap()[..])
        .unwrap_or_else(|e| panic!("upload {b}/{key}: {e}"));
        assert_eq!(r.status(), 200);
    }
    b
}

/// `gs://` sources on the emulator: the bundled suite with its table in a
/// bucket gives the verdict it gives from disk and reads one object; a
/// hive prefix and a glob read as local paths do; a missing bucket, a
/// missing key and an empty prefix are named.
#[test]
fn gcs_buckets_read_as_local_paths_do() {
    let b = gcs_bucket("features", &BUNDLED_FILES);
    let report = bundled_suite_from(&format!("gs://{b}"), &GCS_ENV);
    let read = &report["suites"][0]["sources"][0]["read"];
    assert_eq!(read["objects"], 1, "{read}");
    assert_eq!(
        read["size"],
        std::fs::metadata("fixtures/features.parquet")
            .unwrap()
            .len()
    );

    let hive = json(&verdict(&["schema", "fixtures/hive", "--json"]));
    let folder = verdict_env(&["schema", &format!("gs://{b}/sales/"), "--json"], &GCS_ENV);
    assert_eq!(folder.code, 0, "{}", folder.stderr);
    assert_eq!(json(&folder)["columns"], hive["columns"]);
    // A glob reads the objects it matches, without partition columns.
    let glob = verdict_env(
        &["schema", &format!("gs://{b}/sales/*/*.parquet"), "--json"],
        &GCS_ENV,
    );
    assert_eq!(glob.code, 0, "{}", glob.stderr);
    let mut files = hive["columns"].as_array().unwrap().clone();
    files.retain(|c| c["name"] != "region");
    assert_eq!(json(&glob)["columns"], serde_json::Value::Array(files));

    let none = format!("no-such-bucket-{}", std::process::id());
    let o = verdict_env(&["schema", &format!("gs://{none}/t.parquet")], &GCS_ENV);
    assert_eq!(o.code, 3);
    assert!(
        o.stderr.starts_with(&format!(
            "error: gs://{none} at http://127.0.0.1:4443: no such bucket ("
        )),
        "{}",
        o.stderr
    );
    let o = verdict_env(&["schema", &format!("gs://{b}/nothing.parquet")], &GCS_ENV);
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stderr,
        format!("error: gs://{b}/nothing.parquet at {GCS}: no objects at this location (no such key, and no objects below it as a prefix)\n")
    );
    let o = verdict_env(&["schema", &format!("gs://{b}/empty/")], &GCS_ENV);
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stderr,
        format!("error: gs://{b}/empty/ at {GCS}: no objects at this location (no such key, and no objects below it as a prefix)\n")
    );
    let o = verdict_env(&["schema", &format!("gs://{b}/sales/*/*.csv")], &GCS_ENV);
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stderr,
        format!("error: gs://{b}/sales/*/*.csv at {GCS}: no objects match the glob\n")
    );
}
