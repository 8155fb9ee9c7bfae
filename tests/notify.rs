//! Webhook alerts through the real binary, against a hand-written HTTP/1.1
//! server on loopback that records every request: what is posted and when,
//! retries on 500, a receiver that never answers, a closed port, and that
//! none of it changes the exit code or shows the webhook's secret.

#[macro_use]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{json, temp_suite, Out};
use serde_json::Value;

const FAILING: &str = "fixtures/suites/release/diff_gates.yml";
const PASSING: &str = "expectations/features.yml";
const WARNING: &str = "expectations/release.yml";
/// Part of every webhook path here: it must never be printed.
const SECRET: &str = "s3cret";

/// `common::run`, with proxies from the environment left out so that the
/// posts go straight to the loopback server.
fn run(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(["run", "--now", "2026-11-25T12:00:00Z"])
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let o = Out {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(
        !o.stdout.contains(SECRET) && !o.stderr.contains(SECRET),
        "the webhook's secret was printed:\n{}{}",
        o.stdout,
        o.stderr
    );
    o
}

#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    content_type: String,
    body: String,
}

/// What the server does with a request.
#[derive(Clone, Copy)]
enum Reply {
    Status(u16, &'static str),
    /// Reads the request and never answers (the connection stays open).
    Never,
}

struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start(reply: Reply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/hook/{SECRET}",
            listener.local_addr().unwrap().port()
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            let mut open = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let Some(req) = read_request(&mut stream) else {
                    continue;
                };
                // Recorded before answering: once the client has its answer,
                // the test sees the request.
                log.lock().unwrap().push(req);
                match reply {
                    Reply::Status(code, body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {code} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            if code == 200 { "OK" } else { "Whatever" },
                            body.len()
                        );
                    }
                    Reply::Never => open.push(stream),
                }
            }
        });
        Server { url, seen }
    }

    fn requests(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }

    fn port(&self) -> &str {
        let rest = self.url.trim_start_matches("http://127.0.0.1:");
        &rest[..rest.find('/').unwrap()]
    }

    /// The URL as reports and messages show it.
    fn shown(&self) -> String {
        format!("http://127.0.0.1:{}/***", self.port())
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let (mut length, mut content_type) = (0, String::new());
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        match k.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = v.trim().parse().ok()?,
            "content-type" => content_type = v.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    r.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        content_type,
        body: String::from_utf8(body).ok()?,
    })
}

/// The failing diff suite with a `notify:` section appended.
fn failing_suite_with(notify: &str) -> (tempfile::TempDir, String) {
    let text = std::fs::read_to_string(FAILING).unwrap();
    let (dir, path) = temp_suite(&format!("{text}{notify}"));
    (dir, path.to_str().unwrap().to_string())
}

fn payload(r: &Request) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

#[test]
fn a_failing_run_posts_one_message_naming_the_failed_checks() {
    let server = Server::start(Reply::Status(200, "ok"));
    let o = run(&[
        FAILING,
        "--format",
        "json",
        "--notify",
        &server.url,
        "--notify-report-url",
        "https://ci.example/jobs/42",
    ]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].path, format!("/hook/{SECRET}"));
    assert_eq!(reqs[0].content_type, "application/json");
    let p = payload(&reqs[0]);
    let text = p["text"].as_str().unwrap();
    assert!(text.starts_with("verdict: FAIL — fixtures/suites/release/diff_gates.yml\n"));
    assert!(text.contains("• FAIL diff v1 → v2: rows.max_missing — 1 row missing from the candidate; expected ≤ 0"), "{text}");
    assert!(
        text.contains("• FAIL diff v1 → v2: score.max_changed_rate"),
        "{text}"
    );
    assert!(
        text.ends_with("\nreport: https://ci.example/jobs/42"),
        "{text}"
    );
    snap!(
        "diff_gates_payload",
        serde_json::to_string_pretty(&p).unwrap()
    );
    let v = json(&o);
    assert_eq!(v["exit_code"], 1);
    let n = &v["notifications"];
    assert_eq!(n.as_array().unwrap().len(), 1);
    assert_eq!(n[0]["url"], server.shown());
    assert_eq!(n[0]["from"], "--notify");
    assert_eq!(n[0]["on"], "fail");
    assert_eq!(n[0]["status"], "delivered");
    assert_eq!(n[0]["attempts"], 1);
    assert_eq!(n[0]["http_status"], 200);
    assert_eq!(n[0]["error"], Value::Null);
    assert_eq!(
        o.stderr,
        format!("notified {} (--notify, HTTP 200)\n", server.shown())
    );
}

#[test]
fn the_report_files_are_named_and_the_json_file_records_the_outcome() {
    let server = Server::start(Reply::Status(200, "ok"));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let report = report.to_str().unwrap();
    let o = run(&[FAILING, "--json", report, "--notify", &server.url, "-q"]);
    assert_eq!(o.code, 1);
    assert!(!o.stderr.contains("notified"), "--quiet: {}", o.stderr);
    let text = payload(&server.requests()[0])["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.ends_with(&format!("\nreport: {report}")), "{text}");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(file["notifications"][0]["status"], "delivered");
}

#[test]
fn a_passing_run_posts_nothing() {
    let server = Server::start(Reply::Status(200, "ok"));
    let o = run(&[PASSING, "--format", "json", "--notify", &server.url]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(server.requests().len(), 0);
    assert_eq!(o.stderr, "");
    assert!(
        json(&o).get("notifications").is_none(),
        "absent when none was due"
    );
}

#[test]
fn warnings_are_posted_only_with_notify_on_warn() {
    let server = Server::start(Reply::Status(200, "ok"));
    let quiet = run(&[WARNING, "--notify", &server.url]);
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(server.requests().len(), 0, "fail is the default");
    let o = run(&[
        WARNING,
        "--format",
        "json",
        "--notify",
        &server.url,
        "--notify-on",
        "warn",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let text = payload(&reqs[0])["text"].as_str().unwrap().to_string();
    assert!(
        text.starts_with("verdict: PASS with warnings — expectations/release.yml\n"),
        "{text}"
    );
    assert!(
        text.contains("• WARN diff preds_v1 → preds_v2: quality.log_loss"),
        "{text}"
    );
    assert_eq!(json(&o)["notifications"][0]["on"], "warn");
}

#[test]
fn a_server_error_is_retried_a_bounded_number_of_times() {
    let server = Server::start(Reply::Status(500, "boom"));
    let (_dir, suite) = failing_suite_with(&format!(
        "notify: {{ url: \"{}\", retries: 2, timeout: 5s }}\n",
        server.url
    ));
    let started = Instant::now();
    let o = run(&[&suite, "--format", "json"]);
    let took = started.elapsed();
    assert_eq!(o.code, 1, "the exit code is the gate's: {}", o.stderr);
    assert_eq!(server.requests().len(), 3, "one attempt and two retries");
    assert!(
        took >= Duration::from_millis(1500),
        "backoff 0.5 s then 1 s: {took:?}"
    );
    let from = format!("{suite}:20:9");
    assert_eq!(
        o.stderr,
        format!(
            "warning: could not notify {} ({from}) after 3 attempts: HTTP 500 Internal Server Error: boom; the exit code is unchanged\n",
            server.shown()
        )
    );
    let n = &json(&o)["notifications"][0];
    assert_eq!(n["from"], from);
    assert_eq!(n["status"], "failed");
    assert_eq!(n["attempts"], 3);
    assert_eq!(n["http_status"], 500);
    assert_eq!(n["error"], "HTTP 500 Internal Server Error: boom");
}

#[test]
fn a_client_error_is_not_retried() {
    let server = Server::start(Reply::Status(404, "no_service"));
    let o = run(&[FAILING, "--format", "json", "--notify", &server.url]);
    assert_eq!(o.code, 1);
    assert_eq!(server.requests().len(), 1);
    let n = &json(&o)["notifications"][0];
    assert_eq!(n["attempts"], 1);
    assert_eq!(n["error"], "HTTP 404 Not Found: no_service");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let server = Server::start(Reply::Never);
    let (_dir, suite) = failing_suite_with(&format!(
        "notify:\n  - url: \"{}\"\n    timeout: 1s\n    retries: 1\n",
        server.url
    ));
    let started = Instant::now();
    let o = run(&[&suite, "--format", "json"]);
    let took = started.elapsed();
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(server.requests().len(), 2);
    assert!(
        took >= Duration::from_secs(2),
        "two attempts of 1 s: {took:?}"
    );
    assert!(took < Duration::from_secs(10), "bounded: {took:?}");
    let n = &json(&o)["notifications"][0];
    assert_eq!(n["status"], "failed");
    assert_eq!(n["attempts"], 2);
    assert_eq!(n["http_status"], Value::Null);
    assert_eq!(n["error"], "no answer within 1 s");
    assert!(
        o.stderr.contains("after 2 attempts: no answer within 1 s"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_closed_port_is_retried_then_reported() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/hook/{SECRET}");
    let o = run(&[FAILING, "--format", "json", "--notify", &url]);
    assert_eq!(o.code, 1);
    let n = &json(&o)["notifications"][0];
    assert_eq!(n["url"], format!("http://127.0.0.1:{port}/***"));
    assert_eq!(n["status"], "failed");
    assert_eq!(n["attempts"], 3, "the default: two retries");
    assert_eq!(n["error"], "connection refused");
}

#[test]
fn a_url_in_both_places_is_posted_to_once() {
    let server = Server::start(Reply::Status(200, "ok"));
    let (_dir, suite) = failing_suite_with(&format!(
        "notify: [\"{0}\", {{ url: \"{0}\", on: warn }}]\n",
        server.url
    ));
    let o = run(&[&suite, "--format", "json", "--notify", &server.url]);
    assert_eq!(o.code, 1);
    assert_eq!(server.requests().len(), 1);
    assert_eq!(json(&o)["notifications"][0]["from"], "--notify");
}

#[test]
fn verdict_diff_notifies_too() {
    let server = Server::start(Reply::Status(200, "ok"));
    let out = Command::new(env!("CARGO_BIN_EXE_verdict"))
        .args(["diff", "--baseline", "fixtures/release/preds_v1.parquet"])
        .args([
            "--candidate",
            "fixtures/release/preds_v2.parquet",
            "--key",
            "id",
        ])
        .args(["--max-missing", "0", "--notify", &server.url])
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let text = payload(&reqs[0])["text"].as_str().unwrap().to_string();
    assert!(text.starts_with("verdict: FAIL — verdict diff\n"), "{text}");
    assert!(text.contains("rows.max_missing"), "{text}");
}

#[test]
fn bad_notify_flags_are_invalid_command_lines() {
    let o = run(&[FAILING, "--notify", &format!("hooks.example.com/{SECRET}")]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        "error: --notify: the URL must start with http:// or https:// (found ***)\n"
    );
    let o = run(&[
        FAILING,
        "--notify",
        "http://127.0.0.1:9/x",
        "--notify-on",
        "always",
    ]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("invalid value 'always' for '--notify-on <WHEN>'")
            && o.stderr.contains("[possible values: fail, warn]"),
        "{}",
        o.stderr
    );
}

#[test]
fn a_failed_comparison_is_listed_not_only_counted() {
    let server = Server::start(Reply::Status(200, "ok"));
    let o = run(&["expectations/compare.yml", "--notify", &server.url]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let text = payload(&reqs[0])["text"].as_str().unwrap().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "verdict: FAIL — expectations/compare.yml");
    assert_eq!(
        lines[2],
        "• FAIL compare preprod, dev against prod: compare.row_count — prod 1000 · preprod 1000 · dev 999; expected equal to that of `prod`"
    );
    assert!(
        text.contains("• FAIL compare preprod, dev against prod: compare.revenue.sum — "),
        "{text}"
    );
}

/// Issue 12, item 17: the server's answer reached stderr raw, so an ANSI
/// escape in it recoloured (or could clear) the terminal. Control
/// characters and bidirectional overrides are shown escaped.
#[test]
fn item_17_a_servers_escape_codes_are_shown_escaped() {
    let server = Server::start(Reply::Status(
        400,
        "\x1b[2J\x1b[31mred\x1b[0m \u{202e}txt.exe",
    ));
    let o = run(&[FAILING, "--notify", &server.url]);
    assert_eq!(o.code, 1);
    assert!(
        !o.stderr.contains('\x1b') && !o.stderr.contains('\u{202e}'),
        "{:?}",
        o.stderr
    );
    assert!(
        o.stderr.contains(&format!(
            "warning: could not notify {} (--notify) after 1 attempt: HTTP 400 Bad Request: \
             \\u{{1b}}[2J\\u{{1b}}[31mred\\u{{1b}}[0m \\u{{202e}}txt.exe; the exit code is unchanged",
            server.shown()
        )),
        "{}",
        o.stderr
    );
}
