//! The JSON Schema of suite files (src/spec/json_schema.rs) against the
//! parser it describes: the committed file is current, every bundled suite
//! validates, broken suites that a schema can see are rejected, every key
//! constant of the parser is in the schema, and every word the schema offers
//! is one the parser accepts. The validator below implements only the
//! draft-07 keywords the generator emits, and fails on any other.

use std::path::{Path, PathBuf};

use serde_json::Value;
use verdict::spec::json_schema::{self, suite_schema, suite_schema_text, KEY_SETS};
use verdict::spec::parse::parse_str;
use verdict::spec::yaml;

const SCHEMA_FILE: &str = "schema/verdict-suite.schema.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_schema_is_current() {
    let path = root().join(SCHEMA_FILE);
    let want = suite_schema_text();
    if std::env::var_os("VERDICT_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{SCHEMA_FILE} is out of date with src/spec/json_schema.rs; regenerate it with\n  \
         cargo run --release --example suite_schema > {SCHEMA_FILE}\n\
         (or VERDICT_UPDATE_SCHEMA=1 cargo test --release --test json_schema) and commit it"
    );
}

fn suites(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no suites in {dir}");
    files
}

/// The suite as JSON, or `None` when the YAML layer itself rejects it.
fn suite_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    yaml::parse(&text).ok().map(|n| yaml::to_json(&n))
}

#[test]
fn bundled_suites_validate() {
    let schema = suite_schema();
    let files = [
        suites("expectations"),
        suites("fixtures/suites"),
        suites("fixtures/suites/release"),
    ]
    .concat();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = parse_str(&path.display().to_string(), &text) {
            panic!("bundled suite is invalid:\n{}", e.render());
        }
        let errors = validate(&schema, &suite_json(&path).unwrap());
        assert!(
            errors.is_empty(),
            "{} is valid for verdict but the schema rejects it:\n{}",
            path.display(),
            errors.join("\n")
        );
    }
}

/// Broken suites whose mistake needs more than the shape of the file (other
/// sections, the order of values, regex syntax), with why. Every other file
/// in fixtures/suites/invalid/ must be rejected by the schema.
const BEYOND_THE_SCHEMA: [(&str, &str); 5] = [
    ("bad_regex.yml", "regex syntax"),
    ("between_reversed.yml", "low above high"),
    ("duplicate_names.yml", "names unique across items"),
    ("no_checks.yml", "`checks: {}` is fine beside a `diff:`"),
    ("unknown_source.yml", "names declared elsewhere"),
];

#[test]
fn broken_suites_are_rejected() {
    let schema = suite_schema();
    let mut rejected = Vec::new();
    for path in suites("fixtures/suites/invalid") {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(parse_str(&name, &text).is_err(), "{name} should be invalid");
        // Malformed YAML and unset variables never reach a schema.
        let Some(json) = suite_json(&path) else {
            continue;
        };
        let errors = validate(&schema, &json);
        let beyond = BEYOND_THE_SCHEMA.iter().any(|(f, _)| *f == name);
        assert_eq!(
            errors.is_empty(),
            beyond,
            "{name}: the schema {} it (update BEYOND_THE_SCHEMA if it got stronger); errors: {errors:?}",
            if beyond { "now rejects" } else { "accepts" },
        );
        if !beyond {
            rejected.push(name);
        }
    }
    for must in [
        "unknown_key.yml",
        "unknown_check.yml",
        "compare_mistakes.yml",
        "database_mistakes.yml",
    ] {
        assert!(rejected.iter().any(|r| r == must), "{must} not rejected");
    }
}

#[test]
fn specific_mistakes_are_found() {
    let schema = suite_schema();
    let cases = [
        (
            "checks: { f: { columns: { x: [ nul_rate: { max: 0.1 } ] } } }",
            "/checks/f/columns/x/0",
        ),
        (
            "checks: { f: { columns: { x: [ mean ] } } }",
            "/checks/f/columns/x/0",
        ),
        (
            "checks: { f: { columns: { x: [ null_rate: { max: 2 } ] } } }",
            "/checks/f/columns/x/0",
        ),
        (
            "checks: { f: { columns: { x: [ max: { max: soon } ] } } }",
            "/checks/f/columns/x/0",
        ),
        (
            "checks: { f: { table: [ { row_count: { min: 1 }, unique: [a] } ] } }",
            "/checks/f/table",
        ),
        (
            "checks: { f: { schema: { columns: { a: int65 } } } }",
            "/checks/f/schema/columns/a",
        ),
        (
            "checks: { f: { sql: [ { name: n, query: q } ] } }",
            "/checks/f/sql",
        ),
        (
            "diff: { baseline: a, candidate: b, key: id, top: -1 }",
            "/diff/top",
        ),
        (
            "bench: { input: i, baseline_cmd: a, candidate_cmd: b, timeout: 0s }",
            "/bench/timeout",
        ),
    ];
    for (body, pointer) in cases {
        let text = format!("version: 1\nsources: {{ f: {{ path: f.parquet }} }}\n{body}\n");
        let errors = validate(&schema, &yaml::to_json(&yaml::parse(&text).unwrap()));
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("{pointer}:"))),
            "{body}: expected an error at {pointer}, got {errors:?}"
        );
        assert!(parse_str("t.yml", &text).is_err(), "{body} parses");
    }
}

/// Every word of every key constant is in the schema; for the sections with
/// one place, exactly the constant's words are there.
#[test]
fn every_parser_key_is_in_the_schema() {
    let schema = suite_schema();
    let mut words = Vec::new();
    collect_words(&schema, &mut words);
    for (name, keys) in KEY_SETS {
        for key in *keys {
            assert!(
                words.iter().any(|w| w == key),
                "`{key}` of {name} is not in the schema"
            );
        }
    }
    let exact = [
        ("TOP_KEYS", "/properties"),
        (
            "SOURCE_KEYS",
            "/properties/sources/additionalProperties/properties",
        ),
        (
            "BLOCK_KEYS",
            "/properties/checks/additionalProperties/properties",
        ),
        ("DIFF_KEYS", "/properties/diff/properties"),
        ("BENCH_KEYS", "/properties/bench/oneOf/0/properties"),
        ("ENDPOINT_KEYS", "/properties/bench/oneOf/1/properties"),
        ("TRUTH_KEYS", "/properties/diff/properties/truth/properties"),
        (
            "QualityMetric::NAMES",
            "/properties/diff/properties/quality/properties",
        ),
        ("SQL_KEYS", "/definitions/sqlCheck/properties"),
    ];
    for (name, pointer) in exact {
        let keys = KEY_SETS.iter().find(|(n, _)| *n == name).unwrap().1;
        let props = schema.pointer(pointer).unwrap().as_object().unwrap();
        let have: Vec<&str> = props.keys().map(String::as_str).collect();
        assert_eq!(have, keys, "{name} at {pointer}");
    }
}

/// `NOTIFY_KEYS` is private to src/spec/notify.rs, so json_schema.rs keeps
/// a copy; this reads the constant from the source to keep the two equal.
#[test]
fn notify_keys_match_the_parser() {
    let text = std::fs::read_to_string(root().join("src/spec/notify.rs")).unwrap();
    let decl = regex::Regex::new(r"const NOTIFY_KEYS: \[&str; \d+\] = \[([^\]]*)\]").unwrap();
    let list = &decl.captures(&text).expect("NOTIFY_KEYS in notify.rs")[1];
    let keys: Vec<&str> = list
        .split(',')
        .map(|k| k.trim().trim_matches('"'))
        .filter(|k| !k.is_empty())
        .collect();
    assert_eq!(
        keys,
        json_schema::NOTIFY_KEYS,
        "update NOTIFY_KEYS in src/spec/json_schema.rs"
    );
}

fn collect_words(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "properties" {
                    out.extend(v.as_object().unwrap().keys().cloned());
                }
                collect_words(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_words(i, out)),
        Value::String(s) => out.push(s.clone()),
        _ => {}
    }
}

/// The schema's own words (written inline in the parser, so not in
/// `KEY_SETS`) are all accepted by the parser: completion never offers a
/// word verdict rejects.
#[test]
fn offered_words_are_accepted() {
    let schema = suite_schema();
    let accepted = |text: &str| {
        if let Err(e) = parse_str("t.yml", text) {
            panic!("{text}\n{}", e.render());
        }
        let errors = validate(&schema, &yaml::to_json(&yaml::parse(text).unwrap()));
        assert!(errors.is_empty(), "{text}\n{errors:?}");
    };
    let ok = |body: &str| {
        accepted(&format!(
            "version: 1\nsources:\n  f: {{ path: f.parquet }}\n  g: {{ path: g.parquet }}\n{body}\n"
        ))
    };
    for s in json_schema::SEVERITIES {
        ok(&format!(
            "checks: {{ f: {{ table: [ row_count: {{ min: 1, severity: {s} }} ] }} }}"
        ));
    }
    for e in json_schema::EXTRA_COLUMNS {
        ok(&format!(
            "checks: {{ f: {{ schema: {{ columns: {{ a: int64 }}, extra_columns: {e} }} }} }}"
        ));
    }
    for o in json_schema::ORDERS {
        ok(&format!(
            "checks: {{ f: {{ schema: {{ columns: {{ a: int64 }}, order: {o} }} }} }}"
        ));
    }
    for d in json_schema::DUPLICATES {
        ok(&format!(
            "diff: {{ baseline: f, candidate: g, key: id, duplicates: {d} }}"
        ));
    }
    for t in json_schema::TASKS {
        ok(&format!("diff: {{ baseline: f, candidate: g, key: id, truth: {{ source: f, column: y, prediction: p, task: {t} }} }}"));
    }
    for on in verdict::spec::NotifyOn::NAMES {
        ok(&format!("checks: {{ f: {{ table: [ row_count: {{ min: 1 }} ] }} }}\nnotify: {{ url: \"https://h.example/x\", on: {on}, timeout: 500ms, retries: 5, report_url: r }}"));
    }
    ok("checks: { f: { table: [ row_count: { min: 1 } ] } }\nnotify: [http://h.example/x, { url: \"HTTPS://h.example/y\", timeout: 2m }]");
    let types = verdict::types::TYPE_NAMES
        .iter()
        .chain(&json_schema::TYPE_ALIASES);
    for t in types.chain(&[
        "Int64",
        "timestamp[us, UTC]",
        "TIMESTAMP[ns]",
        "decimal(10, 2)",
    ]) {
        ok(&format!(
            "checks: {{ f: {{ schema: {{ columns: {{ a: \"{t}\" }} }} }} }}"
        ));
    }
    let formats = verdict::spec::Format::NAMES
        .iter()
        .chain(&json_schema::FORMAT_ALIASES);
    for f in formats.chain(&["PARQUET"]) {
        accepted(&format!(
            "version: 1\nsources: {{ f: {{ path: f.x, format: {f} }} }}\nchecks: {{ f: {{ table: [ row_count: {{ min: 1 }} ] }} }}\n"
        ));
    }
}

/// The schema's patterns agree with the parser on samples of both kinds.
#[test]
fn patterns_agree_with_the_parser() {
    let time = regex::Regex::new(&json_schema::time_pattern()).unwrap();
    for s in [
        "now",
        "now - 2d",
        "now-36h",
        " now + 90 minutes ",
        "2026-01-01",
        "2026-01-01T10:00:00+02:00",
        "2026-01-01 10:00:00",
        "2026-01-01T10:00:00.5Z",
        "now - 2 fortnights",
        "nowish",
        "abc",
        "2026-1-1",
        "2026-01-01T1:2:3",
        "2026-01-01T10:00:00z",
        "2026-01-01T10:00",
        "26-01-01",
    ] {
        let parser = verdict::spec::time::TimeExpr::parse(s).is_some();
        assert_eq!(time.is_match(s), parser, "time {s:?}");
    }
    let duration = regex::Regex::new(&json_schema::duration_pattern()).unwrap();
    for (s, valid) in [
        ("30s", true),
        ("10m", true),
        ("2 hours", true),
        ("0s", false),
        ("soon", false),
        ("5", false),
    ] {
        assert_eq!(duration.is_match(s), valid, "duration {s:?}");
    }
}

// ---- a validator for the subset of draft-07 the generator emits ----

/// Errors as `pointer: message`; empty when `value` is valid.
fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, schema, value, "", &mut errors);
    errors
}

fn check(root: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let s = schema.as_object().expect("a schema is an object");
    for (key, arg) in s {
        match key.as_str() {
            "$schema" | "$comment" | "title" | "description" | "definitions" => {}
            "$ref" => {
                let name = arg.as_str().unwrap().strip_prefix("#").unwrap();
                let target = root.pointer(name).expect("$ref resolves");
                check(root, target, v, at, errors);
                continue;
            }
            "type" => {
                let types: Vec<&str> = match arg {
                    Value::String(t) => vec![t],
                    _ => arg
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap())
                        .collect(),
                };
                if !types.iter().any(|t| has_type(v, t)) {
                    err(errors, at, format!("expected {types:?}, found {v}"));
                }
            }
            "enum" => {
                if !arg.as_array().unwrap().iter().any(|e| same(e, v)) {
                    err(errors, at, format!("{v} is not one of {arg}"));
                }
            }
            "pattern" => {
                if let Some(text) = v.as_str() {
                    let re = regex::Regex::new(arg.as_str().unwrap()).unwrap();
                    if !re.is_match(text) {
                        err(errors, at, format!("{text:?} does not match {arg}"));
                    }
                }
            }
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                if let Some(x) = v.as_f64() {
                    let limit = arg.as_f64().unwrap();
                    let ok = match key.as_str() {
                        "minimum" => x >= limit,
                        "maximum" => x <= limit,
                        "exclusiveMaximum" => x < limit,
                        _ => x > limit,
                    };
                    if !ok {
                        err(errors, at, format!("{x} is out of range ({key} {limit})"));
                    }
                }
            }
            "minItems" | "maxItems" | "minProperties" => {
                let n = match (key.as_str(), v) {
                    ("minProperties", Value::Object(m)) => m.len(),
                    (_, Value::Array(a)) if key != "minProperties" => a.len(),
                    _ => continue,
                };
                let limit = arg.as_u64().unwrap() as usize;
                if (key == "maxItems" && n > limit) || (key != "maxItems" && n < limit) {
                    err(errors, at, format!("{n} items, {key} is {limit}"));
                }
            }
            "items" => {
                if let Some(items) = v.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        check(root, arg, item, &format!("{at}/{i}"), errors);
                    }
                }
            }
            "required" => {
                if let Some(m) = v.as_object() {
                    for k in arg.as_array().unwrap() {
                        if !m.contains_key(k.as_str().unwrap()) {
                            err(errors, at, format!("missing required key {k}"));
                        }
                    }
                }
            }
            "properties" | "additionalProperties" => {
                // Both keywords are handled together, once.
                if key == "additionalProperties" && s.contains_key("properties") {
                    continue;
                }
                if let Some(m) = v.as_object() {
                    properties(root, s, m, at, errors);
                }
            }
            "anyOf" | "oneOf" => {
                let results: Vec<Vec<String>> = arg
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| {
                        let mut e = Vec::new();
                        check(root, b, v, at, &mut e);
                        e
                    })
                    .collect();
                let passing = results.iter().filter(|e| e.is_empty()).count();
                let ok = if key == "anyOf" {
                    passing > 0
                } else {
                    passing == 1
                };
                if !ok {
                    err(
                        errors,
                        at,
                        format!("{passing} of the {key} branches match {v}"),
                    );
                    // The closest branch says what is wrong, as editors do:
                    // the one that fails deepest, then with fewest errors.
                    if passing == 0 {
                        let here = format!("{at}: ");
                        let closest = results.into_iter().min_by_key(|e| {
                            (e.iter().filter(|m| m.starts_with(&here)).count(), e.len())
                        });
                        errors.extend(closest.unwrap());
                    }
                }
            }
            other => panic!("the test validator does not know the keyword `{other}`"),
        }
    }
}

fn properties(
    root: &Value,
    s: &serde_json::Map<String, Value>,
    m: &serde_json::Map<String, Value>,
    at: &str,
    errors: &mut Vec<String>,
) {
    let props = s.get("properties").and_then(Value::as_object);
    for (k, v) in m {
        let at = format!("{at}/{k}");
        match (props.and_then(|p| p.get(k)), s.get("additionalProperties")) {
            (Some(sub), _) => check(root, sub, v, &at, errors),
            (None, Some(Value::Bool(false))) => errors.push(format!("{at}: unknown key")),
            (None, Some(Value::Bool(true)) | None) => {}
            (None, Some(sub)) => check(root, sub, v, &at, errors),
        }
    }
}

fn err(errors: &mut Vec<String>, at: &str, msg: String) {
    errors.push(format!("{at}: {msg}"));
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        other => panic!("unknown type {other}"),
    }
}

/// JSON Schema equality: numbers by value (1 equals 1.0).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}
