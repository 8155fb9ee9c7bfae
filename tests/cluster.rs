//! A real DataFusion Ballista cluster: a scheduler and two executors started
//! as separate `verdict cluster` processes on loopback, running the bundled
//! suites, a diff and a drift over local files and over the S3 server
//! (moto, which `.ci/run` starts on 127.0.0.1:5055). Every JSON report must
//! equal the embedded engine's apart from timings and where things ran.
//! Then the bad days: no scheduler, a cluster of another version, an
//! executor killed in the middle of a query.
// Needs a build with the feature (tests/features.rs covers one without).
#![cfg(all(feature = "cluster", feature = "cloud"))]

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const S3: [(&str, &str); 5] = [
    ("AWS_ACCESS_KEY_ID", "verdict-test"),
    ("AWS_SECRET_ACCESS_KEY", "verdict-test-secret"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:5055"),
    ("AWS_ALLOW_HTTP", "true"),
];

/// A free port on loopback (the OS picks it; it is free again once the
/// listener is dropped).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn node(args: &[String], env: &[(&str, &str)], log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .spawn()
        .expect("starts")
}

/// A scheduler and executors, stopped when dropped.
struct Cluster {
    url: String,
    scheduler: Child,
    executors: Vec<Child>,
    logs: tempfile::TempDir,
}

impl Cluster {
    /// Starts a scheduler and `executors` executors of one task slot each,
    /// with `env` (the object-store credentials executors read with).
    fn start(executors: usize, env: &[(&str, &str)]) -> Cluster {
        let logs = tempfile::tempdir().unwrap();
        let port = free_port();
        let url = format!("df://127.0.0.1:{port}");
        let scheduler = node(
            &[
                "cluster".into(),
                "scheduler".into(),
                "--bind".into(),
                format!("127.0.0.1:{port}"),
                "--external-host".into(),
                "127.0.0.1".into(),
            ],
            env,
            &logs.path().join("scheduler.log"),
        );
        wait_for_port(port);
        let mut c = Cluster {
            url,
            scheduler,
            executors: Vec::new(),
            logs,
        };
        for i in 0..executors {
            c.add_executor(i, env);
        }
        c
    }

    fn add_executor(&mut self, i: usize, env: &[(&str, &str)]) {
        let (flight, grpc) = (free_port(), free_port());
        let work = self.logs.path().join(format!("work-{i}"));
        std::fs::create_dir_all(&work).unwrap();
        self.executors.push(node(
            &[
                "cluster".into(),
                "executor".into(),
                "--scheduler".into(),
                self.url.clone(),
                "--bind".into(),
                format!("127.0.0.1:{flight}"),
                "--grpc-port".into(),
                grpc.to_string(),
                "--external-host".into(),
                "127.0.0.1".into(),
                "--cores".into(),
                "1".into(),
                "--work-dir".into(),
                work.display().to_string(),
            ],
            env,
            &self.logs.path().join(format!("executor-{i}.log")),
        ));
        wait_for_port(flight);
    }

    /// What the nodes printed, for a failing assertion's message.
    fn logs(&self) -> String {
        let mut out = String::new();
        for e in std::fs::read_dir(self.logs.path()).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "log") {
                out += &format!(
                    "--- {}\n{}\n",
                    e.path().display(),
                    std::fs::read_to_string(e.path()).unwrap_or_default()
                );
            }
        }
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self.executors.iter_mut().chain([&mut self.scheduler]) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn wait_for_port(port: u16) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "nothing listens on {port} after 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `value` without what may differ between two runs of one report on two
/// engines: timings and the instant of the run, where it ran (`engine`, a `distinct` query's `plan`),
/// and the requests and bytes read here (on a cluster the executors read).
fn comparable(mut value: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|k, v| {
                    // What a scan read of the files (`scans[].read`) is
                    // known where the files are read: not here, on a
                    // cluster, whose executors read them.
                    let scan_read = k == "read" && v.get("row_groups").is_some();
                    !(scan_read
                        || k == "seconds"
                        || k == "now"
                        || k.ends_with("_seconds")
                        || k == "timings"
                        || k == "engine"
                        || k == "plan"
                        || k == "requests"
                        || k == "bytes")
                });
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

/// The first place two JSON values differ, as a path.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let here = format!("{at}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &here) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{here}: {p:?} vs {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} vs {b}")),
    }
}

/// Runs `args` on the embedded engine and on `cluster`; both must exit
/// alike and report the same. Returns the cluster's report.
fn same_on_both(cluster: &Cluster, args: &[&str], env: &[(&str, &str)]) -> Value {
    let here = verdict_env(args, env);
    let mut remote_args = args.to_vec();
    remote_args.extend(["--engine", cluster.url.as_str()]);
    let there = verdict_env(&remote_args, env);
    assert_eq!(
        there.code,
        here.code,
        "{args:?} exits {} on the cluster, {} here: {}\n{}",
        there.code,
        here.code,
        there.stderr,
        cluster.logs()
    );
    let (a, b) = (json(&here), json(&there));
    assert_eq!(a["suites"][0]["engine"], "embedded");
    assert_eq!(b["suites"][0]["engine"], cluster.url.as_str());
    if let Some(d) = first_difference(&comparable(a), &comparable(b.clone()), "") {
        panic!("{args:?}: the cluster's report differs at {d}");
    }
    b
}

fn run_json(suite: &str) -> Vec<&str> {
    vec![
        "run",
        "--now",
        "2026-11-25T12:00:00Z",
        suite,
        "--format",
        "json",
    ]
}

/// The bundled suites, a keyed diff with ground truth and a drift give the
/// embedded engine's reports on a scheduler with two executors, from local
/// files and from an S3 bucket.
#[test]
fn a_cluster_reports_what_the_embedded_engine_reports() {
    let cluster = Cluster::start(2, &S3);
    for suite in [
        "expectations/features.yml",
        "expectations/release.yml",
        "expectations/drift.yml",
        "expectations/compare.yml",
        "fixtures/suites/release/diff_gates.yml",
    ] {
        same_on_both(&cluster, &run_json(suite), &[]);
    }
    // A unique integer key: a bitmap here, a GROUP BY on the cluster.
    let report = same_on_both(&cluster, &run_json("expectations/features.yml"), &[]);
    let distinct: Vec<&Value> = report["suites"][0]["sources"][0]["scans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "distinct")
        .collect();
    assert!(!distinct.is_empty());
    assert!(
        distinct.iter().all(|s| s["plan"] == "group_by"),
        "{distinct:?}"
    );
    let here = run(&["expectations/features.yml", "--format", "json"]);
    let local_plans: Vec<Value> = json(&here)["suites"][0]["sources"][0]["scans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "distinct")
        .map(|s| s["plan"].clone())
        .collect();
    assert!(
        local_plans.contains(&Value::from("bitmap")),
        "{local_plans:?}"
    );

    // Ad hoc diffs with ground truth: regression (R², RMSE, MAE) and
    // multiclass.
    for (task, prediction) in [("regression", "pred"), ("multiclass", "label")] {
        let (b, c, t) = (
            format!("fixtures/quality/{task}_v1.parquet"),
            format!("fixtures/quality/{task}_v2.parquet"),
            format!("fixtures/quality/{task}_truth.parquet"),
        );
        let report = same_on_both(
            &cluster,
            &[
                "diff",
                "--baseline",
                &b,
                "--candidate",
                &c,
                "--key",
                "id",
                "--truth",
                &t,
                "--truth-column",
                "y",
                "--prediction",
                prediction,
                "--format",
                "json",
            ],
            &[],
        );
        assert!(report["suites"][0]["diff"]["quality"]["metrics"].is_array());
    }

    // The same suites with their tables in a bucket: the executors read
    // them with credentials from their own environment.
    let bucket = format!("cluster-{}", std::process::id());
    ureq::put(&format!("http://127.0.0.1:5055/{bucket}"))
        .send_empty()
        .expect("create a bucket (is moto_server running?)");
    for f in [
        "features.parquet",
        "drift/current.parquet",
        "drift/reference.parquet",
    ] {
        let data = std::fs::read(format!("fixtures/{f}")).unwrap();
        ureq::put(&format!("http://127.0.0.1:5055/{bucket}/{f}"))
            .send(&data[..])
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    for suite in ["features", "drift"] {
        let text = std::fs::read_to_string(format!("expectations/{suite}.yml"))
            .unwrap()
            .replace("path: fixtures/", &format!("path: s3://{bucket}/"));
        let path = dir.path().join(format!("{suite}.yml"));
        std::fs::write(&path, text).unwrap();
        let report = same_on_both(&cluster, &run_json(path.to_str().unwrap()), &S3);
        let read = &report["suites"][0]["sources"][0]["read"];
        assert_eq!(read["objects"], 1, "{read}");
        assert!(read.get("requests").is_none(), "{read}");
    }
}

/// `storage:` options in the suite reach the executors: they have no
/// `AWS_*` variable, the client sends the bucket's options with the query.
#[test]
fn storage_options_travel_to_the_executors() {
    let cluster = Cluster::start(2, &[]);
    let bucket = format!("cluster-options-{}", std::process::id());
    ureq::put(&format!("http://127.0.0.1:5055/{bucket}"))
        .send_empty()
        .expect("create a bucket (is moto_server running?)");
    let data = std::fs::read("fixtures/features.parquet").unwrap();
    ureq::put(&format!("http://127.0.0.1:5055/{bucket}/features.parquet"))
        .send(&data[..])
        .unwrap();
    let text = std::fs::read_to_string("expectations/features.yml")
        .unwrap()
        .replace(
            "path: fixtures/features.parquet",
            &format!(
                "path: s3://{bucket}/features.parquet\n    storage: {{ endpoint: \"http://127.0.0.1:5055\", allow_http: true, region: us-east-1, access_key_id: verdict-test, secret_access_key: \"${{S3_SECRET}}\" }}"
            ),
        );
    let (_d, path) = temp_suite(&text);
    same_on_both(
        &cluster,
        &run_json(path.to_str().unwrap()),
        &[("S3_SECRET", "verdict-test-secret")],
    );
}

/// No scheduler at the address: exit 3 after a bounded wait, naming it.
#[test]
fn an_unreachable_scheduler_is_exit_3_naming_it() {
    let port = free_port();
    let started = Instant::now();
    let o = run(&[
        "expectations/features.yml",
        "--engine",
        &format!("df://127.0.0.1:{port}"),
    ]);
    let waited = started.elapsed();
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert_eq!(
        o.stderr,
        format!("error: cannot reach the cluster scheduler at df://127.0.0.1:{port} (tried for 10 s): Connection refused (os error 111)\n")
    );
    assert!(waited < Duration::from_secs(20), "{waited:?}");
    assert_eq!(o.stdout, "");

    let o = run(&["expectations/features.yml", "--engine", "http://x:1"]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: --engine: `http://x:1` is not a cluster address (it does not start with df://): expected df://HOST:PORT, e.g. df://scheduler:50050, or `embedded`\n"
    );
}

/// A cluster of another verdict version refuses the client's queries with
/// a message that names both versions.
#[test]
fn a_cluster_of_another_version_is_refused_by_name() {
    let cluster = Cluster::start(1, &[("VERDICT_CLUSTER_VERSION", "0.0.1")]);
    let o = run(&["expectations/features.yml", "--engine", &cluster.url]);
    assert_eq!(o.code, 3, "{}\n{}", o.stderr, cluster.logs());
    assert_eq!(
        o.stderr,
        format!(
            "error: the cluster at {} cannot run verdict's queries: version mismatch: this cluster runs verdict 0.0.1 and the client is verdict {}; start the scheduler and the executors from the same verdict release as the client\n",
            cluster.url,
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// An executor killed while a diff runs: the run either completes through
/// Ballista's retry, with the embedded engine's report, or fails with
/// exit 3; never a pass of a partial answer, never a hang.
#[test]
fn an_executor_killed_mid_query_is_never_a_wrong_answer() {
    let dir = tempfile::tempdir().unwrap();
    let n = 3_000_000i64;
    let ids: Vec<i64> = (0..n).collect();
    let score = |shift: f64| -> Vec<f64> {
        (0..n)
            .map(|i| {
                ((i * 7919) % 10_007) as f64 / 10_007.0 + if i % 1000 == 0 { shift } else { 0.0 }
            })
            .collect()
    };
    use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array};
    use std::sync::Arc;
    let b = parquet(
        dir.path(),
        "b.parquet",
        vec![
            ("id", Arc::new(Int64Array::from(ids.clone())) as ArrayRef),
            (
                "score",
                Arc::new(Float64Array::from(score(0.0))) as ArrayRef,
            ),
        ],
    );
    let c = parquet(
        dir.path(),
        "c.parquet",
        vec![
            ("id", Arc::new(Int64Array::from(ids)) as ArrayRef),
            (
                "score",
                Arc::new(Float64Array::from(score(0.01))) as ArrayRef,
            ),
        ],
    );
    let args = [
        "diff",
        "--baseline",
        b.as_str(),
        "--candidate",
        c.as_str(),
        "--key",
        "id",
        "--format",
        "json",
    ];
    let here = verdict(&args);
    assert_eq!(here.code, 0, "{}", here.stderr);

    let mut cluster = Cluster::start(2, &[]);
    let mut remote = Command::new(env!("CARGO_BIN_EXE_verdict"));
    remote
        .args(args)
        .args(["--engine", &cluster.url])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = remote.spawn().unwrap();
    // Kill the second executor once it holds shuffle output of the join's
    // first stage, so that its loss takes data the next stage needs.
    let work = cluster.logs.path().join("work-1");
    let waiting = Instant::now();
    while !holds_files(&work) {
        assert!(
            waiting.elapsed() < Duration::from_secs(60),
            "executor 1 wrote no shuffle file in 60 s\n{}",
            cluster.logs()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = cluster.executors[1].kill();
    let started = Instant::now();
    let out = wait_with_limit(child, Duration::from_secs(180)).unwrap_or_else(|| {
        panic!(
            "the run did not end 180 s after an executor was killed\n{}",
            cluster.logs()
        )
    });
    let code = out.status.code().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    match code {
        0 => {
            let there: Value = serde_json::from_slice(&out.stdout).unwrap();
            let here: Value = serde_json::from_str(&here.stdout).unwrap();
            if let Some(d) = first_difference(&comparable(here), &comparable(there), "") {
                panic!("the run completed after the kill with another answer, at {d}");
            }
        }
        3 => assert!(stderr.starts_with("error: "), "{stderr}"),
        other => panic!("exit {other} after an executor was killed: {stderr}"),
    }
    eprintln!(
        "executor killed: exit {code} {:.1} s later; {}",
        started.elapsed().as_secs_f64(),
        stderr.lines().next().unwrap_or("")
    );
}

/// Whether `dir` or a folder under it holds a file.
fn holds_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let p = e.path();
            if p.is_dir() {
                holds_files(&p)
            } else {
                true
            }
        })
}

/// The output of `child`, or None (after killing it) when it runs past
/// `limit`. Its pipes are read while it runs, so a full pipe cannot stall it.
fn wait_with_limit(child: Child, limit: Duration) -> Option<std::process::Output> {
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    match rx.recv_timeout(limit) {
        Ok(out) => Some(out),
        Err(_) => {
            // SAFETY: kill(2) on the pid of a child this test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            None
        }
    }
}

/// A node's bad command line is exit 2 with the flag's name, before it
/// binds anything.
#[test]
fn a_node_with_a_bad_flag_is_exit_2() {
    for (args, message) in [
        (
            vec!["cluster", "executor", "--scheduler", "127.0.0.1:50050"],
            "error: --scheduler: `127.0.0.1:50050` is not a cluster address (it does not start with df://): expected df://HOST:PORT, e.g. df://scheduler:50050\n",
        ),
        (
            vec!["cluster", "executor", "--scheduler", "df://127.0.0.1:1", "--cores", "0"],
            "error: --cores must be at least 1\n",
        ),
        (
            vec!["cluster", "executor", "--scheduler", "df://127.0.0.1:1", "--memory-limit", "lots"],
            "error: --memory-limit: ",
        ),
    ] {
        let o = verdict(&args);
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.starts_with(message), "{args:?}: {}", o.stderr);
    }
    let o = verdict_env(
        &["cluster", "scheduler", "--bind", "127.0.0.1:1"],
        &[("VERDICT_LOG", "loud")],
    );
    assert_eq!(o.code, 3);
    assert_eq!(
        o.stderr,
        "error: VERDICT_LOG=\"loud\" is not a log level: error, warn, info, debug, trace or off\n"
    );
}
