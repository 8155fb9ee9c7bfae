//! The endpoint load test through the real binary, against the bundled
//! model server (fixtures/endpoint/model_server.py) on loopback: the
//! latency it was told to add comes back out, a stall shows in the open
//! loop's p99, every kind of failure is counted by class without ending
//! the run, the captured answers are the server's and feed the diff,
//! headers carry secrets that no output shows, and each bad input has its
//! message.

#[macro_use]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::{json, run, temp_suite, verdict_env};
use serde_json::Value;

/// A model server on a free loopback port, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new("python3")
            .arg("fixtures/endpoint/model_server.py")
            .args(["--port", "0"])
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the model server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the server said {line:?}"))
            .to_string();
        Server {
            child,
            url: format!("{url}/predict"),
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A suite with an endpoint bench of `body` (the YAML lines under
/// `bench:` after `endpoint:`), and optionally more top-level YAML.
fn suite(base: &str, cand: &str, body: &str, rest: &str) -> String {
    format!(
        "version: 1\nbench:\n  endpoint: {{ baseline: \"{base}\", candidate: \"{cand}\" }}\n{body}\n{rest}"
    )
}

fn report(text: &str, extra: &[&str]) -> (i32, Value, String) {
    let (_dir, path) = temp_suite(text);
    let mut args = vec![path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = run(&args);
    (o.code, json(&o), o.stderr)
}

fn bench(r: &Value) -> &Value {
    &r["suites"][0]["bench"]
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

const ROWS: &str = r#"  input: fixtures/endpoint/golden.parquet
  body: '{"id": {id}, "x1": {x1}, "x2": {x2}}'"#;

#[test]
fn latency_and_throughput_recover_the_servers() {
    // 20 ms ± 5 ms (uniform) on both; 100 requests a second each.
    let a = Server::start(&["--latency-ms", "20", "--jitter-ms", "5"]);
    let b = Server::start(&["--latency-ms", "20", "--jitter-ms", "5", "--model", "v2"]);
    let body = format!("{ROWS}\n  rate: 100\n  concurrency: 4\n  warmup: 10\n  p99_ms: 100\n  max_error_rate: 0\n  max_slowdown: {{ p99: 2, throughput: 1.2 }}");
    let (code, r, stderr) = report(&suite(&a.url, &b.url, &body, ""), &[]);
    assert_eq!(code, 0, "{stderr}");
    let e = bench(&r);
    assert_eq!(e["rows"], 200);
    assert_eq!(e["requests"], 200);
    assert_eq!(e["warmup"], 10);
    assert_eq!(e["order"], "interleaved");
    for side in ["baseline", "candidate"] {
        let s = &e[side];
        assert_eq!(s["sent"], 200, "{side}");
        assert_eq!(s["ok"], 200, "{side}");
        assert_eq!(s["warmup_sent"], 10, "{side}");
        assert_eq!(s["errors"], Value::Array(vec![]), "{side}");
        let l = &s["latency_ms"];
        // The server's own spread is 15–25 ms; the median sits near 20,
        // never below its sleep, and a few ms above it when the other
        // tests of this file share the two cores with the Python servers.
        assert!(
            (18.0..=30.0).contains(&f(&l["p50"])),
            "{side} p50 {}",
            l["p50"]
        );
        assert!(f(&l["p50"]) >= 15.0 && f(&l["max"]) >= 15.0, "{side} {l}");
        assert!(f(&l["p90"]) <= 35.0, "{side} p90 {}", l["p90"]);
        // 200 requests due over 1.99 s: 100 answers a second.
        let t = f(&s["throughput"]);
        assert!((85.0..=101.0).contains(&t), "{side} throughput {t}");
        // Percentiles only grow.
        let p: Vec<f64> = ["p50", "p90", "p95", "p99", "p999", "max"]
            .iter()
            .map(|k| f(&l[k]))
            .collect();
        assert!(p.windows(2).all(|w| w[0] <= w[1]), "{side} {p:?}");
    }
    let names: Vec<&str> = e["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "bench.p99_ms",
            "bench.max_error_rate",
            "bench.max_slowdown.p99",
            "bench.max_slowdown.throughput"
        ]
    );
    assert!(e["gates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["status"] == "pass"));
    assert!(f(&e["generator_cpu_seconds"]) > 0.0);
}

#[test]
fn a_stall_shows_in_the_open_loops_p99() {
    // The 50th request holds the whole server for 800 ms. In the open loop
    // the ~80 requests due meanwhile wait, and their wait counts.
    let a = Server::start(&[]);
    let b = Server::start(&["--stall-after", "50", "--stall-ms", "800"]);
    let body = format!(
        "{ROWS}\n  rate: 100\n  concurrency: 4\n  requests: 300\n  warmup: 0\n  p99_ms: 100"
    );
    let (code, r, stderr) = report(&suite(&a.url, &b.url, &body, ""), &[]);
    assert_eq!(code, 1, "{stderr}");
    let c = &bench(&r)["candidate"];
    assert_eq!(c["ok"], 300);
    let l = &c["latency_ms"];
    assert!(f(&l["p99"]) >= 500.0, "p99 {}", l["p99"]);
    assert!(f(&l["max"]) >= 700.0, "max {}", l["max"]);
    assert!(f(&l["p50"]) < 50.0, "p50 {}", l["p50"]);
    // Measured from when each was sent, most queued requests look fast.
    assert!(f(&c["service_ms"]["mean"]) < f(&l["mean"]));
    let g = common::named(&bench(&r)["gates"], "bench.p99_ms");
    assert_eq!(g["status"], "fail");
    assert_eq!(g["expected"], "≤ 100 ms");
    // The closed loop hides it: only the requests in flight wait.
    let b2 = Server::start(&["--stall-after", "50", "--stall-ms", "800"]);
    let body = format!("{ROWS}\n  concurrency: 4\n  requests: 1000\n  warmup: 0\n  p99_ms: 100");
    let (code, r, stderr) = report(&suite(&a.url, &b2.url, &body, ""), &[]);
    assert_eq!(code, 0, "{stderr}");
    let l = &bench(&r)["candidate"]["latency_ms"];
    assert!(f(&l["p99"]) < 100.0, "closed-loop p99 {}", l["p99"]);
    assert!(f(&l["max"]) >= 700.0, "closed-loop max {}", l["max"]);
}

#[test]
fn failures_are_counted_by_class_and_never_end_the_run() {
    // Of ids 1–200, each class takes 20 rows: id % 10 == 0 → 503,
    // == 1 → not JSON, == 2 → no "score", == 3 → 1.5 s, past the timeout.
    let good = Server::start(&[]);
    let bad = Server::start(&[
        "--model",
        "v2",
        "--fail-mod",
        "10",
        "--malformed-mod",
        "10",
        "--missing-mod",
        "10",
        "--slow-mod",
        "10",
        "--slow-ms",
        "1500",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let (v1, v2) = (dir.path().join("v1.parquet"), dir.path().join("v2.parquet"));
    let body = format!(
        "{ROWS}\n  rate: 200\n  concurrency: 16\n  warmup: 0\n  timeout: 500ms\n  capture: {{ key: id, fields: {{ score: \"$.score\", label: \"$.label\" }} }}\n  baseline_output: {}\n  candidate_output: {}\n  max_error_rate: 0.01",
        v1.display(),
        v2.display()
    );
    let (code, r, stderr) = report(&suite(&good.url, &bad.url, &body, ""), &[]);
    assert_eq!(code, 1, "{stderr}");
    let c = &bench(&r)["candidate"];
    assert_eq!(c["sent"], 200);
    assert_eq!(c["ok"], 120);
    assert_eq!(c["failed"], 80);
    assert_eq!(f(&c["error_rate"]), 0.4);
    let classes: Vec<(String, u64)> = c["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["class"].as_str().unwrap().to_string(),
                e["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        classes,
        [
            ("HTTP 503".to_string(), 20),
            ("capture".to_string(), 20),
            ("malformed JSON".to_string(), 20),
            ("timeout".to_string(), 20)
        ]
    );
    let example = |class: &str| {
        c["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["class"] == class)
            .unwrap()["example"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        example("HTTP 503"),
        r#"status 503: {"error": "overloaded"}"#
    );
    assert_eq!(example("timeout"), "no complete answer within 0.5 s");
    assert!(
        example("malformed JSON").ends_with(": <html>upstream error</html>"),
        "{}",
        example("malformed JSON")
    );
    assert!(
        example("capture").starts_with("`$.score` matched nothing in the answer {\"id\": "),
        "{}",
        example("capture")
    );
    assert_eq!(bench(&r)["baseline"]["failed"], 0);
    assert_eq!(bench(&r)["baseline"]["captured"]["rows"], 200);
    assert_eq!(c["captured"]["rows"], 120);
    assert_eq!(c["captured"]["of"], 200);
    let g = common::named(&bench(&r)["gates"], "bench.max_error_rate");
    assert_eq!(g["status"], "fail");
    assert_eq!(
        g["observed_text"],
        "0.4 (80 of 200 failed: 20 HTTP 503, 20 capture, 20 malformed JSON, 20 timeout)"
    );
    // The console says the same, per class with an example.
    let (_d, path) = temp_suite(&suite(&good.url, &bad.url, &body, ""));
    let o = run(&[path.to_str().unwrap()]);
    assert!(
        o.stdout.contains("candidate failures: 20 HTTP 503 (status 503: {\"error\": \"overloaded\"}); 20 capture (`$.score` matched nothing"),
        "{}",
        o.stdout
    );
}

#[test]
fn refused_connections_mid_run_are_counted() {
    // The server answers 50 requests, then exits at the 51st: that one
    // loses its connection, and every later one is refused.
    let good = Server::start(&[]);
    let dying = Server::start(&["--die-after", "50"]);
    let body = format!(
        "{ROWS}\n  rate: 200\n  concurrency: 1\n  warmup: 0\n  timeout: 2s\n  p99_ms: 1000"
    );
    let (code, r, stderr) = report(&suite(&good.url, &dying.url, &body, ""), &[]);
    assert_eq!(code, 0, "{stderr}");
    let c = &bench(&r)["candidate"];
    assert_eq!(c["sent"], 200);
    assert_eq!(c["ok"], 50);
    assert_eq!(c["failed"], 150);
    assert_eq!(c["errors"][0]["class"], "connection");
    assert_eq!(c["errors"][0]["count"], 150);
    // The first failure is the request in flight when the server died.
    let example = c["errors"][0]["example"].as_str().unwrap();
    assert!(
        ["connection closed", "reset", "refused"]
            .iter()
            .any(|w| example.contains(w)),
        "{example}"
    );
}

#[test]
fn answers_that_close_the_connection_are_answers() {
    // Every answer says `Connection: close` (as gunicorn's sync workers
    // do): each is counted, and the next request opens a new connection.
    let a = Server::start(&["--close"]);
    let b = Server::start(&["--close", "--fail-mod", "10"]);
    let body = format!("{ROWS}\n  concurrency: 2\n  max_error_rate: 0.1");
    let (code, r, stderr) = report(&suite(&a.url, &b.url, &body, ""), &[]);
    assert_eq!(code, 0, "{stderr}");
    let e = bench(&r);
    assert_eq!(e["baseline"]["ok"], 200);
    assert_eq!(e["baseline"]["failed"], 0);
    assert_eq!(e["candidate"]["ok"], 180);
    assert_eq!(e["candidate"]["errors"][0]["class"], "HTTP 503");
    assert_eq!(e["candidate"]["errors"][0]["count"], 20);
}

#[test]
fn a_candidate_that_answers_nothing_fails_its_gates() {
    let a = Server::start(&[]);
    let b = Server::start(&["--fail-mod", "1"]);
    let body = format!(
        "{ROWS}\n  requests: 40\n  p99_ms: 100\n  max_slowdown: {{ p99: 2, throughput: 1.5 }}"
    );
    let (code, r, stderr) = report(&suite(&a.url, &b.url, &body, ""), &[]);
    assert_eq!(code, 1, "{stderr}");
    for g in bench(&r)["gates"].as_array().unwrap() {
        assert_eq!(g["status"], "fail", "{g}");
        assert_eq!(
            g["why"], "none of the candidate's 40 measured requests was answered with 2xx",
            "{g}"
        );
    }
}

#[test]
fn alternate_rounds_go_on_from_the_row_they_stopped_at() {
    // Closed loop for a duration, in 3 rounds: whatever each round sent,
    // the next starts at the following row, so the rows captured are the
    // rows sent (up to all 200).
    let a = Server::start(&[]);
    let b = Server::start(&["--model", "v2"]);
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{ROWS}\n  concurrency: 2\n  duration: 300ms\n  warmup: 4\n  order: alternate\n  rounds: 3\n  capture: {{ key: id, fields: {{ score: \"$.score\" }} }}\n  baseline_output: {0}/a.parquet\n  candidate_output: {0}/b.parquet\n  max_error_rate: 0",
        dir.path().display()
    );
    let (code, r, stderr) = report(&suite(&a.url, &b.url, &body, ""), &[]);
    assert_eq!(code, 0, "{stderr}");
    for side in ["baseline", "candidate"] {
        let s = &bench(&r)[side];
        let sent = (s["sent"].as_u64().unwrap() + s["warmup_sent"].as_u64().unwrap()) as usize;
        assert!(sent > 10, "{side}: {s}");
        assert_eq!(s["captured"]["of"], sent.min(200), "{side}: {s}");
        assert_eq!(s["captured"]["rows"], s["captured"]["of"], "{side}: {s}");
    }
}

/// 1 / (1 + e^(−z)) as the server computes it.
fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn golden() -> Vec<(i64, f64, f64, i64)> {
    let ctx = datafusion::prelude::SessionContext::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let df = ctx
            .read_parquet("fixtures/endpoint/golden.parquet", Default::default())
            .await
            .unwrap();
        rows4(df.collect().await.unwrap())
    })
}

fn rows4(batches: Vec<datafusion::arrow::record_batch::RecordBatch>) -> Vec<(i64, f64, f64, i64)> {
    use datafusion::arrow::array::{AsArray, Float64Array};
    use datafusion::arrow::datatypes::Int64Type;
    let mut out = Vec::new();
    for b in batches {
        let id = b.column(0).as_primitive::<Int64Type>();
        let x1 = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
        let x2 = b.column(2).as_any().downcast_ref::<Float64Array>().unwrap();
        let y = b.column(3).as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            out.push((id.value(i), x1.value(i), x2.value(i), y.value(i)));
        }
    }
    out
}

/// (id, score, label) of a captured answers file.
fn captured(path: &std::path::Path) -> Vec<(i64, f64, i64)> {
    use datafusion::arrow::array::{AsArray, Float64Array};
    use datafusion::arrow::datatypes::Int64Type;
    let ctx = datafusion::prelude::SessionContext::new();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let batches = rt.block_on(async {
        ctx.read_parquet(path.to_str().unwrap(), Default::default())
            .await
            .unwrap()
            .collect()
            .await
            .unwrap()
    });
    let mut out = Vec::new();
    for b in batches {
        assert_eq!(
            b.schema()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>(),
            ["id", "score", "label"]
        );
        let id = b.column(0).as_primitive::<Int64Type>();
        let s = b.column(1).as_any().downcast_ref::<Float64Array>().unwrap();
        let l = b.column(2).as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            out.push((id.value(i), s.value(i), l.value(i)));
        }
    }
    out
}

#[test]
fn captured_answers_are_the_servers_and_feed_the_diff() {
    let v1 = Server::start(&["--latency-ms", "1"]);
    let v2 = Server::start(&["--latency-ms", "1", "--model", "v2"]);
    let dir = tempfile::tempdir().unwrap();
    let (o1, o2) = (
        dir.path().join("out/v1.parquet"),
        dir.path().join("out/v2.parquet"),
    );
    let body = format!(
        "{ROWS}\n  rate: 400\n  concurrency: 4\n  capture: {{ key: id, fields: {{ score: \"$.score\", label: \"$.label\" }} }}\n  baseline_output: {}\n  candidate_output: {}",
        o1.display(),
        o2.display()
    );
    let rest = format!(
        "sources:\n  v1: {{ path: {} }}\n  v2: {{ path: {} }}\n  truth: {{ path: fixtures/endpoint/golden.parquet }}\ndiff:\n  baseline: v1\n  candidate: v2\n  key: id\n  columns:\n    score: {{ abs_tol: 1.0e-9 }}\n    label: {{ max_flip_rate: 0.1 }}\n  truth: {{ source: truth, column: y, prediction: label, probability: score }}\n  quality:\n    accuracy: {{ max_drop: 0.02 }}\n",
        o1.display(),
        o2.display()
    );
    let (code, r, stderr) = report(&suite(&v1.url, &v2.url, &body, &rest), &[]);
    assert_eq!(code, 0, "{stderr}");
    let rows = golden();
    assert_eq!(rows.len(), 200);
    let a = captured(&o1);
    let b = captured(&o2);
    assert_eq!(a.len(), 200);
    assert_eq!(b.len(), 200);
    let mut flips = 0;
    for (((id, x1, x2, _), c1), c2) in rows.iter().zip(&a).zip(&b) {
        assert_eq!((c1.0, c2.0), (*id, *id));
        let (s1, s2) = (sigmoid(x1 + x2), sigmoid(1.2 * x1 + x2 - 0.1));
        assert!(
            (c1.1 - s1).abs() <= 1e-15 * s1.max(1e-300),
            "id {id}: {} vs {s1}",
            c1.1
        );
        assert!(
            (c2.1 - s2).abs() <= 1e-15 * s2.max(1e-300),
            "id {id}: {} vs {s2}",
            c2.1
        );
        assert_eq!(c1.2, i64::from(s1 >= 0.5));
        assert_eq!(c2.2, i64::from(s2 >= 0.5));
        flips += usize::from(c1.2 != c2.2);
    }
    // The diff joined exactly what the servers answered.
    let d = &r["suites"][0]["diff"];
    assert_eq!(flips, 8);
    let label = d["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "label")
        .unwrap();
    assert_eq!(label["changed"], flips);
    assert_eq!(d["rows"]["only_baseline"], 0);
    assert_eq!(d["rows"]["only_candidate"], 0);
    assert_eq!(d["rows"]["both"], 200);
    let acc = d["quality"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "accuracy")
        .unwrap();
    let right = |col: usize| {
        rows.iter()
            .zip(if col == 1 { &a } else { &b })
            .filter(|(g, c)| g.3 == c.2)
            .count() as f64
            / 200.0
    };
    assert_eq!(f(&acc["baseline"]), right(1));
    assert_eq!(f(&acc["candidate"]), right(2));
    assert_eq!((right(1), right(2)), (0.81, 0.82));
}

#[test]
fn ndjson_bodies_alternating_rounds_and_secret_headers() {
    let a = Server::start(&["--require-header", "Authorization:Bearer s3cr3t-token"]);
    let b = Server::start(&["--require-header", "Authorization:Bearer s3cr3t-token"]);
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("requests.ndjson");
    let text: String = (1..=30)
        .map(|i| {
            format!(
                "{{\"id\": {i}, \"x1\": {}, \"x2\": 0.5}}\n",
                i as f64 / 10.0
            )
        })
        .collect();
    std::fs::write(&lines, text).unwrap();
    let body = format!(
        "  bodies: {}\n  headers: {{ Authorization: \"Bearer ${{MODEL_TOKEN}}\" }}\n  order: alternate\n  rounds: 3\n  concurrency: 2\n  requests: 90\n  warmup: 6\n  max_error_rate: 0",
        lines.display()
    );
    let (_d, path) = temp_suite(&suite(&a.url, &b.url, &body, ""));
    let o = verdict_env(
        &["run", path.to_str().unwrap(), "--format", "json"],
        &[("MODEL_TOKEN", "s3cr3t-token")],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stdout.contains("s3cr3t"), "the token is never shown");
    let r = json(&o);
    let e = bench(&r);
    assert_eq!(e["order"], "alternate");
    assert_eq!(e["rounds"], 3);
    assert_eq!(e["rows"], 30);
    for side in ["baseline", "candidate"] {
        assert_eq!(e[side]["sent"], 90, "{side}");
        assert_eq!(e[side]["ok"], 90, "{side}");
        assert_eq!(e[side]["warmup_sent"], 6, "{side}");
    }
    // Without the header every answer is a 401, counted as such.
    let o = verdict_env(
        &["run", path.to_str().unwrap(), "--format", "json"],
        &[("MODEL_TOKEN", "wrong")],
    );
    let r = json(&o);
    let c = &bench(&r)["candidate"];
    assert_eq!(c["errors"][0]["class"], "HTTP 401");
    assert_eq!(c["errors"][0]["count"], 90);
    assert!(!o.stdout.contains("wrong"), "{}", o.stdout);
}

#[test]
fn every_report_format_shows_the_endpoints() {
    let a = Server::start(&["--latency-ms", "2"]);
    let b = Server::start(&["--latency-ms", "2", "--model", "v2", "--fail-mod", "50"]);
    let dir = tempfile::tempdir().unwrap();
    let body = format!("{ROWS}\n  rate: 400\n  concurrency: 4\n  warmup: 8\n  p99_ms: 200\n  max_error_rate: 0.001");
    let (_d, path) = temp_suite(&suite(&a.url, &b.url, &body, ""));
    let (md, junit, html) = (
        dir.path().join("r.md"),
        dir.path().join("r.xml"),
        dir.path().join("r.html"),
    );
    let o = run(&[
        path.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let facts = "200 requests per endpoint from fixtures/endpoint/golden.parquet (200 distinct requests), open loop at 400 req/s, 4 connections each, interleaved; 8 warm-up requests first; timeout 10 s per request";
    assert!(
        o.stdout.contains(&format!("bench · {facts}")),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("candidate failures: 4 HTTP 503"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("verdict used "), "{}", o.stdout);
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains(facts), "{md}");
    assert!(
        md.contains(
            "| endpoint | sent | failed | answers/s | p50 | p90 | p95 | p99 | p99.9 | max | url |"
        ),
        "{md}"
    );
    assert!(md.contains("| candidate | 200 | 4 (2%) |"), "{md}");
    let junit = std::fs::read_to_string(junit).unwrap();
    assert!(junit.contains("bench.max_error_rate"), "{junit}");
    assert!(
        junit.contains("0.02 (4 of 200 failed: 4 HTTP 503)"),
        "{junit}"
    );
    let html = std::fs::read_to_string(html).unwrap();
    assert!(
        html.contains("Bench: latency percentiles per endpoint"),
        "{html}"
    );
    assert!(html.contains("<b>candidate</b>"), "{html}");
}

#[test]
fn an_endpoint_that_is_down_at_start_stops_the_bench() {
    let a = Server::start(&[]);
    // Nothing listens on port 9 (discard) of loopback here.
    let body = format!("{ROWS}\n  rate: 100\n  p99_ms: 100");
    let (code, r, _) = report(&suite(&a.url, "http://127.0.0.1:9/predict", &body, ""), &[]);
    assert_eq!(code, 3);
    let e = bench(&r);
    assert_eq!(
        e["error"],
        "the candidate endpoint http://127.0.0.1:9/predict is down: connection refused"
    );
    assert_eq!(e["gates"][0]["name"], "bench");
    assert_eq!(e["gates"][0]["status"], "error");
    assert_eq!(e["candidate"]["sent"], 0);
}

#[test]
fn a_body_naming_a_missing_column_stops_the_bench() {
    let a = Server::start(&[]);
    let body =
        "  input: fixtures/endpoint/golden.parquet\n  body: '{\"id\": {id}, \"x\": [{x1}, {x3}]}'\n  p99_ms: 100";
    let (code, r, _) = report(&suite(&a.url, &a.url, body, ""), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        bench(&r)["error"],
        "`body` names `{x3}`, which `input` fixtures/endpoint/golden.parquet does not have; did you mean `x1`? (its columns: id, x1, x2, y)"
    );
}

#[test]
fn a_capture_path_that_matches_nothing_stops_the_bench() {
    let a = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{ROWS}\n  requests: 20\n  capture: {{ key: id, fields: {{ score: \"$.prediction.score\" }} }}\n  baseline_output: {}/a.parquet\n  candidate_output: {}/b.parquet\n  p99_ms: 100",
        dir.path().display(),
        dir.path().display()
    );
    let (code, r, _) = report(&suite(&a.url, &a.url, &body, ""), &[]);
    assert_eq!(code, 3);
    let err = bench(&r)["error"].as_str().unwrap().to_string();
    assert!(
        err.starts_with("no answer of the baseline endpoint could be captured: `$.prediction.score` matched nothing in the answer {\"id\": "),
        "{err}"
    );
    assert_eq!(bench(&r)["baseline"]["errors"][0]["class"], "capture");
    assert_eq!(bench(&r)["baseline"]["errors"][0]["count"], 20);
}

/// `verdict validate` of an endpoint bench of `body` on two http://
/// endpoints: its stderr, after checking it exits 2.
fn invalid(body: &str) -> String {
    let (_d, path) = temp_suite(&suite(
        "http://127.0.0.1:8101/predict",
        "http://127.0.0.1:8102/predict",
        body,
        "",
    ));
    let o = common::verdict(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    o.stderr
}

#[test]
fn a_bench_without_gates_and_nothing_else_is_refused() {
    let err = invalid(&format!("{ROWS}\n  rate: 100"));
    assert!(
        err.starts_with("error: the suite only measures: its `bench` has no gate, so nothing can pass or fail\n"),
        "{err}"
    );
    assert!(
        err.contains("= help: add a gate, e.g. `p99_ms: 100`, `max_error_rate: 0.001` or `max_slowdown: 1.2`"),
        "{err}"
    );
}

/// A private CA and a certificate for 127.0.0.1 it signed, made with the
/// openssl command: (CA PEM, server certificate, server key).
fn private_ca(dir: &std::path::Path) -> (String, String, String) {
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let openssl = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &p("ca.key"),
        "-out",
        &p("ca.pem"),
        "-days",
        "2",
        "-subj",
        "/CN=verdict test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &p("key.pem"),
        "-out",
        &p("req.csr"),
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        &p("req.csr"),
        "-CA",
        &p("ca.pem"),
        "-CAkey",
        &p("ca.key"),
        "-CAcreateserial",
        "-out",
        &p("cert.pem"),
        "-days",
        "2",
        "-extfile",
        &p("ext.cnf"),
    ]);
    (p("ca.pem"), p("cert.pem"), p("key.pem"))
}

#[test]
fn https_endpoints_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = private_ca(dir.path());
    let a = Server::start(&["--tls-cert", &cert, "--tls-key", &key]);
    assert!(a.url.starts_with("https://127.0.0.1:"), "{}", a.url);
    let body = format!("{ROWS}\n  requests: 50\n  max_error_rate: 0");
    // The Mozilla roots alone do not know the private CA.
    let (code, r, _) = report(&suite(&a.url, &a.url, &body, ""), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        bench(&r)["error"],
        format!(
            "the baseline endpoint {} is down: TLS: invalid peer certificate: UnknownIssuer",
            a.url
        )
    );
    let body = format!("{body}\n  ca_file: {ca}");
    let (code, r, stderr) = report(&suite(&a.url, &a.url, &body, ""), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(bench(&r)["candidate"]["ok"], 50);
    // A file with no certificate in it is said so.
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let body = format!(
        "{ROWS}\n  requests: 50\n  max_error_rate: 0\n  ca_file: {}",
        empty.display()
    );
    let (code, r, _) = report(&suite(&a.url, &a.url, &body, ""), &[]);
    assert_eq!(code, 3);
    assert_eq!(
        bench(&r)["error"],
        format!(
            "the baseline endpoint {}: `ca_file` {} holds no PEM certificate",
            a.url,
            empty.display()
        )
    );
}

#[test]
fn a_ca_file_for_http_endpoints_is_refused() {
    let err = invalid(&format!("{ROWS}\n  ca_file: ca.pem\n  p99_ms: 100"));
    assert!(
        err.starts_with("error: `ca_file` holds root certificates for https:// endpoints; both endpoints are http://\n"),
        "{err}"
    );
}
