//! The JSON Schema (draft-07, what yaml-language-server reads best) of suite
//! files, for editors: completion, hover help and squiggles while typing. It
//! is built from the very key constants the parser checks against, and every
//! key is described through a `match` that panics on a key it does not know,
//! so a key added to the parser without a description here fails the sync
//! test (tests/json_schema.rs), as does a stale `schema/verdict-suite.schema.json`.
//!
//! The schema is sound rather than complete: it must never reject a suite the
//! parser accepts. What needs the whole suite (unknown source names,
//! duplicate check names, reversed bounds, regex syntax) is left to
//! `verdict validate`.

use serde_json::{json, Map, Value};

use super::bench::BENCH_KEYS;
use super::checks::CHANGE_KEYS;
use super::compare::{COMPARE_KEYS, COMPARE_TOLERANCE_KEYS};
use super::diff::{COLUMN_GATES, DIFF_KEYS, SLICE_KEYS, TOLERANCE_KEYS};
use super::drift::{DRIFT_COLUMN_KEYS, DRIFT_KEYS, METHODS, THRESHOLD_KEYS};
use super::endpoint::{CAPTURE_KEYS, ENDPOINT_KEYS, MAX_CONCURRENCY, SLOWDOWN_KEYS};
use super::notify::MAX_RETRIES;
use super::parse::{
    BLOCK_KEYS, BOUND_KEYS, COLUMN_CHECKS, COLUMN_CONTRACT_KEYS, CSV_KEYS, META_KEYS, SCHEMA_KEYS,
    SOURCE_KEYS, SQL_KEYS, TABLE_CHECKS, TOP_KEYS,
};
use super::quality::{LIMIT_KEYS, QUALITY_KEYS, TRUTH_KEYS};
use super::{ColumnMetric, Format, GateKind, NotifyOn, QualityMetric};
use crate::types::TYPE_NAMES;

/// Every keyword list the parser validates against, by the name of its
/// constant. The sync test checks that each word is in the schema.
pub const KEY_SETS: &[(&str, &[&str])] = &[
    ("TOP_KEYS", &TOP_KEYS),
    ("SOURCE_KEYS", &SOURCE_KEYS),
    ("COMPARE_KEYS", &COMPARE_KEYS),
    ("COMPARE_TOLERANCE_KEYS", &COMPARE_TOLERANCE_KEYS),
    ("CSV_KEYS", &CSV_KEYS),
    ("BLOCK_KEYS", &BLOCK_KEYS),
    ("SCHEMA_KEYS", &SCHEMA_KEYS),
    ("COLUMN_CONTRACT_KEYS", &COLUMN_CONTRACT_KEYS),
    ("TABLE_CHECKS", &TABLE_CHECKS),
    ("COLUMN_CHECKS", &COLUMN_CHECKS),
    ("BOUND_KEYS", &BOUND_KEYS),
    ("META_KEYS", &META_KEYS),
    ("SQL_KEYS", &SQL_KEYS),
    ("DIFF_KEYS", &DIFF_KEYS),
    ("SLICE_KEYS", &SLICE_KEYS),
    ("TOLERANCE_KEYS", &TOLERANCE_KEYS),
    ("COLUMN_GATES", &COLUMN_GATES),
    ("TRUTH_KEYS", &TRUTH_KEYS),
    ("QUALITY_KEYS", &QUALITY_KEYS),
    ("BENCH_KEYS", &BENCH_KEYS),
    ("ENDPOINT_KEYS", &ENDPOINT_KEYS),
    ("CAPTURE_KEYS", &CAPTURE_KEYS),
    ("SLOWDOWN_KEYS", &SLOWDOWN_KEYS),
    ("CHANGE_KEYS", &CHANGE_KEYS),
    ("DRIFT_KEYS", &DRIFT_KEYS),
    ("DRIFT_COLUMN_KEYS", &DRIFT_COLUMN_KEYS),
    ("THRESHOLD_KEYS", &THRESHOLD_KEYS),
    ("METHODS", &METHODS),
    ("GateKind::NAMES", &GateKind::NAMES),
    ("QualityMetric::NAMES", &QualityMetric::NAMES),
    ("Format::NAMES", &Format::NAMES),
    ("TYPE_NAMES", &TYPE_NAMES),
    ("NOTIFY_KEYS", &NOTIFY_KEYS),
    ("NotifyOn::NAMES", &NotifyOn::NAMES),
];

/// Other spellings `TypeSpec::parse` accepts (all names are case-insensitive).
pub const TYPE_ALIASES: [&str; 7] = [
    "double", "utf8", "str", "bytes", "date32", "date64", "numeric",
];
/// Other spellings `Format::parse` accepts (case-insensitive).
pub const FORMAT_ALIASES: [&str; 5] = ["tsv", "ndjson", "jsonl", "ipc", "feather"];
/// The closed word lists the parser spells inline rather than as constants;
/// the sync test feeds each word to the parser.
pub const SEVERITIES: [&str; 2] = ["error", "warn"];
pub const EXTRA_COLUMNS: [&str; 2] = ["allow", "forbid"];
pub const ORDERS: [&str; 2] = ["any", "strict"];
pub const DUPLICATES: [&str; 2] = ["error", "allow"];
pub const TASKS: [&str; 2] = ["classification", "regression"];
/// Units of `2d`-style durations (`time::parse_duration`).
const UNITS: &str = "s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?|w|weeks?";

/// A time bound as `TimeExpr::parse` reads it: `now`, `now - 2d`, a date, or
/// a date and time with an optional fraction and zone.
pub fn time_pattern() -> String {
    format!(
        r"^\s*(?:now(?:\s*[-+]\s*[0-9]+\s*(?:{UNITS}))?|[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}(?:[Tt ][0-9]{{1,2}}:[0-9]{{1,2}}:[0-9]{{1,2}}(?:\.[0-9]+)?(?:[Zz]|[-+][0-9]{{2}}:[0-9]{{2}})?)?)\s*$"
    )
}

/// A positive duration such as `30s`, `10m`, `2h`.
pub fn duration_pattern() -> String {
    format!(r"^\s*[0-9]*[1-9][0-9]*\s*(?:{UNITS})\s*$")
}

/// The JSON Schema of a suite file; `schema/verdict-suite.schema.json` is
/// this, pretty-printed (`cargo run --release --example suite_schema`).
pub fn suite_schema() -> Value {
    let mut root = head(
        "verdict suite",
        "A verdict suite: the tables to read (`sources`) and what must hold of them (`checks`, `diff`, `bench`, `drift`). `verdict validate SUITE` checks a suite without reading data.",
        closed("the top of the suite", &TOP_KEYS, top_key),
    );
    root.insert(
        "$schema".into(),
        "http://json-schema.org/draft-07/schema#".into(),
    );
    root.insert(
        "$comment".into(),
        "Generated from src/spec/json_schema.rs by `cargo run --release --example suite_schema > schema/verdict-suite.schema.json`; do not edit.".into(),
    );
    root.insert("required".into(), json!(["version", "sources"]));
    root.insert(
        "anyOf".into(),
        one_of_keys(&["checks", "diff", "bench", "drift", "compare"]),
    );
    root.insert(
        "definitions".into(),
        json!({
            "tableCheck": table_check(),
            "columnCheck": column_check(),
            "sqlCheck": sql_check(),
        }),
    );
    // `$schema` first, as readers expect.
    let mut out = Map::new();
    for key in ["$schema", "$comment", "title", "description"] {
        out.insert(key.into(), root.remove(key).unwrap_or(Value::Null));
    }
    out.extend(root);
    Value::Object(out)
}

/// [`suite_schema`] as the committed file holds it: pretty-printed, with a
/// final newline.
pub fn suite_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&suite_schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}

fn top_key(key: &str) -> Option<Value> {
    Some(match key {
        "version" => doc(
            "The suite format version; this verdict reads `version: 1`.",
            json!({"type": "integer", "enum": [1]}),
        ),
        "sources" => doc(
            "The tables to read, by the name checks refer to them: `features: { path: data/features/*.parquet }`.",
            json!({"type": "object", "minProperties": 1, "additionalProperties": source()}),
        ),
        "checks" => doc(
            "Checks per source: a source name, then its `schema`, `table`, `columns` and `sql` checks.",
            json!({"type": "object", "additionalProperties": block()}),
        ),
        "diff" => diff(),
        "bench" => bench(),
        "drift" => drift(),
        "compare" => compare(),
        "notify" => notify(),
        "engine" => doc(
            "Where plans over files and object stores run: `embedded` (the default, inside verdict) or a DataFusion Ballista cluster's scheduler, `df://host:50050` (started with `verdict cluster scheduler`). `--engine` on the command line wins. Database sources are always pushed down to their database.",
            json!({"type": "string", "pattern": "^(embedded|df://.+)$"}),
        ),
        _ => return None,
    })
}

const WHERE_SOURCE: &str = "Only the rows this boolean SQL expression over the source's columns holds for are the source, for every part that reads it (`\"ds = '${DS}'\"`, `\"event_time >= now() - interval '1 day'\"`). Parquet row groups and hive partitions it excludes are skipped; a database runs it in its own SQL. A column that is not there, or a value that is not true or false, is a suite error (exit 2) once the source's columns are known.";

fn source() -> Value {
    let s = closed("a source", &SOURCE_KEYS, |k| {
        Some(match k {
            "path" => doc("A file, a directory or a glob, local (relative to the directory verdict runs in) or in an object store (`s3://bucket/prefix/*.parquet`, `gs://`, `az://`, `abfss://`, `https://`); hive folders (`region=eu/`) become columns.", json!({"type": "string"})),
            "storage" => doc("Object-store options for an `s3://`, `gs://`, `az://` or `http(s)://` path, object_store's keys (`endpoint`, `region`, `allow_http`, `access_key_id`, `secret_access_key`, …); they override the `AWS_*`, `GOOGLE_*` and `AZURE_*` environment. Use `${VAR}` for secrets; their values are never shown.", json!({"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}})),
            "format" => doc("The file format; default: from the extension.", keyword(&Format::NAMES, &FORMAT_ALIASES)),
            "url" => doc("A database instead of a file: `postgres://user:${PG_PASSWORD}@host:5432/db` or `mysql://user@host:3306/db`, with `table:` or `query:`. The password is shown as `***` in every output.", json!({"type": "string", "pattern": "^(postgres|postgresql|mysql|mariadb)://"})),
            "table" => doc("With `url:`: the table, `schema.table` or `table`, as the database spells it.", json!({"type": "string"})),
            "query" => doc("With `url:`: a SELECT over the database's tables; checks on it run inside the database.", json!({"type": "string"})),
            "where" => doc(WHERE_SOURCE, json!({"type": "string", "minLength": 1})),
            "tags" => doc("Words `verdict run --select tag:…` (and `--exclude`) pick the source by: its checks, drift, diff and comparison carry them.", tags()),
            "key" => doc("The column(s) that identify a row: written first with every failing row (`verdict run --failed-rows DIR`).", names()),
            "sample_columns" => doc("More columns written with every failing row (`--failed-rows`).", names()),
            "exclude_columns" => doc("Columns never written with failing rows, even the failing column itself (keep PII out of `--failed-rows` files).", names()),
            "csv" => doc("CSV options (defaults shown): `{ delimiter: \",\", header: true, quote: '\"' }`; `.tsv` files default to a tab.", closed("`csv`", &CSV_KEYS, |k| {
                Some(match k {
                    "delimiter" => doc("The field separator: one ASCII character, or `\\t` for a tab. Default `,` (tab for `.tsv`).", single_char()),
                    "header" => doc("Whether the first line names the columns (default true); without a header columns are `column_1`, `column_2`, …", json!({"type": "boolean"})),
                    "quote" => doc("The quote character: one ASCII character (default `\"`).", single_char()),
                    _ => return None,
                })
            })),
            _ => return None,
        })
    });
    let mut s = s;
    s["anyOf"] = json!([{"required": ["path"]}, {"required": ["url"]}]);
    doc(
        "A table: `path` (a file, directory or glob, local or in an object store) with optional `format`, `csv` and `storage`, or `url` with `table` or `query` (a database).",
        s,
    )
}

fn block() -> Value {
    let one_or_list = |def: &str| {
        json!({"anyOf": [
            {"$ref": format!("#/definitions/{def}")},
            {"type": "array", "items": {"$ref": format!("#/definitions/{def}")}},
        ]})
    };
    let b = closed("the checks of a source", &BLOCK_KEYS, |k| {
        Some(match k {
            "schema" => schema_contract(),
            "table" => doc("Checks on the whole table: `- row_count: { min: 1000 }`, `- unique: [customer_id, day]`.", one_or_list("tableCheck")),
            "columns" => doc("Checks per column: a column name, then a list such as `[unique, not_null]` or `- null_rate: { max: 0.01 }`.", json!({"type": "object", "additionalProperties": one_or_list("columnCheck")})),
            "sql" => doc("Your own SQL checks: each query returns one row with one number, checked against `expect`. The table is named after the source.", one_or_list("sqlCheck")),
            _ => return None,
        })
    });
    doc(
        "The checks of one source (its name as declared under `sources`).",
        b,
    )
}

fn schema_contract() -> Value {
    let s = closed("`schema`", &SCHEMA_KEYS, |k| {
        Some(match k {
            "columns" => doc("The expected columns: a name, then a type (`price: float64`) or `{ type: int64, nullable: false }`.", json!({"type": "object", "additionalProperties": column_contract()})),
            "extra_columns" => doc("`allow` (default): other columns may exist; `forbid`: a column not declared fails the contract.", enumeration(&EXTRA_COLUMNS)),
            "order" => doc("`any` (default), or `strict`: the declared columns come first, in this order.", enumeration(&ORDERS)),
            _ => meta(k)?,
        })
    });
    doc(
        "The input shape contract: every declared column exists with a matching type (and holds no nulls with `nullable: false`).",
        required(s, &["columns"]),
    )
}

fn column_contract() -> Value {
    let full = closed("a column of `schema`", &COLUMN_CONTRACT_KEYS, |k| {
        Some(match k {
            "type" => type_name(),
            "nullable" => doc("`false`: the column must hold no nulls (checked on the data). Default: not checked.", json!({"type": "boolean"})),
            _ => return None,
        })
    });
    doc(
        "A type name, `{ type: …, nullable: … }`, or nothing (the column must exist).",
        json!({"anyOf": [{"type": "null"}, type_name(), full]}),
    )
}

fn type_name() -> Value {
    let mut names: Vec<&str> = TYPE_NAMES.to_vec();
    names.extend(TYPE_ALIASES);
    let words = names
        .iter()
        .map(|n| case_insensitive(n))
        .collect::<Vec<_>>();
    let pattern = format!(
        r"^\s*(?:{}|{}\[\s*(?:{})\s*(?:,[^\]]*)?\]|{}\(\s*[0-9]+\s*,\s*-?[0-9]+\s*\))\s*$",
        words.join("|"),
        case_insensitive("timestamp"),
        ["s", "ms", "us", "ns"].map(case_insensitive).join("|"),
        case_insensitive("decimal"),
    );
    doc(
        "The column type: bool, int8…int64, uint8…uint64, float16/32/64, string, binary, date, timestamp, `timestamp[us]`, `timestamp[us, UTC]` (unit s|ms|us|ns; zone as written or `none`), decimal, `decimal(10, 2)`. Case-insensitive; `string` accepts every Arrow string type.",
        json!({"anyOf": [{"enum": names}, {"type": "string", "pattern": pattern}]}),
    )
}

fn table_check() -> Value {
    check_item(
        "A table check: `- row_count: { min: 1000 }` or `- unique: [customer_id, day]`, with optional `name` and `severity` beside it or inside its options.",
        &TABLE_CHECKS,
        |k| {
            Some(match k {
                "row_count" => (doc("The number of rows is within the bounds, or changed by at most the limits with `change_vs`.", bounds_or_change(Bound::Count)), false),
                "unique" => (doc("No value of this compound key occurs twice (rows with a null key part are not compared): `[customer_id, day]`.", with_key("columns", "The key columns.", names_list())), false),
                "freshness" => (doc("The newest value of a date or timestamp column is at most `max_age` old (against `now`): `{ column: updated_at, max_age: 6h }`.", freshness(true)), false),
                "references" => (doc("Every key (rows with a null part left out) exists in another source: `{ columns: [order_id, line], source: lines, to: [order_id, line] }` (`to` defaults to `columns`). Counted by an anti-join; the orphan rows, their distinct keys and the five most frequent are reported.", references(true)), false),
                "expression" => (doc("A boolean SQL expression over the source's columns is true on every row where it is not null (a null operand decides nothing, as in an SQL CHECK constraint): `- expression: \"start_date <= end_date\"`, or `{ expr: \"net + tax = gross\", mostly: 0.99 }`.", with_key("expr", "The expression.", json!({"type": "string", "minLength": 1}))), false),
                _ => return None,
            })
        },
    )
}

fn column_check() -> Value {
    check_item(
        "A column check: a bare `unique` or `not_null`, or `- check: options`, with optional `name` (default `column.check`) and `severity` beside it or inside its options.",
        &COLUMN_CHECKS,
        |k| {
            let meta_only = || json!({"type": ["null", "object"], "properties": meta_properties(), "additionalProperties": false});
            Some(match k {
                "unique" => (doc("No non-null value occurs twice.", meta_only()), true),
                "not_null" => (doc("The column holds no nulls.", meta_only()), true),
                "in_set" => (doc("Every non-null value is one of these: `in_set: [a, b, c]` (compared as strings on string columns).", with_key("values", "The allowed values.", json!({"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}}))), false),
                "regex" => (doc("Every non-null string matches (anywhere, unless anchored with `^…$`; Rust regex syntax): `regex: '^[A-Z]{2}$'`.", with_key("pattern", "The regular expression.", json!({"type": "string"}))), false),
                "freshness" => (doc("The newest value (a date or timestamp) is at most `max_age` old (against `now`): `{ max_age: 6h }`.", freshness(false)), false),
                "not_in_set" => (doc("No non-null value is one of these: `not_in_set: [\"N/A\", -1]` (compared as strings on string columns).", with_key("values", "The forbidden values.", json!({"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}}))), false),
                "not_regex" => (doc("No non-null string matches (anywhere, unless anchored): `not_regex: '@'` keeps e-mail addresses out.", with_key("pattern", "The regular expression no value may match.", json!({"type": "string"}))), false),
                "length" => (doc("Every non-null string's length in characters is within the bounds.", bounds(Bound::Count, true)), false),
                "references" => (doc("Every non-null value exists in a column of another source: `{ source: customers, column: id }` (`column` defaults to this column's name). Counted by an anti-join; the orphan rows, their distinct values and the five most frequent are reported.", references(false)), false),
                "distinct_values" => (doc("The set of distinct non-null values `equals` the list (each present, none other), lies `within` it, or `contains` it (each present): `{ contains: [DE, FR] }`. The report names missing values and the most frequent ones outside.", distinct_values()), false),
                "quantile" => (doc("The `q` quantile (0 to 1) of the non-null values (NaN skipped), exact, by linear interpolation as numpy's default, is within the bounds: `{ q: 0.95, max: 250 }`. Files only: every value is held in memory (8 bytes each).", quantile()), false),
                "range" => (doc("Every non-null value is within the bounds (`above`/`below` exclude their value; NaN is above every number): `- range: { between: [0, 1], mostly: 0.99 }`.", bounds(Bound::Number, true)), false),
                other => {
                    let m = ColumnMetric::ALL.into_iter().find(|m| m.keyword() == other)?;
                    let kind = if m.is_rate() {
                        Bound::Rate
                    } else if m.takes_time() {
                        Bound::NumberOrTime
                    } else if m == ColumnMetric::NullCount {
                        Bound::Count
                    } else {
                        Bound::Number
                    };
                    (doc(metric_doc(m), bounds_or_change(kind)), false)
                }
            })
        },
    )
}

/// The options of `distinct_values`: one of `equals`, `within`, `contains`.
fn distinct_values() -> Value {
    let list =
        json!({"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}});
    let mut props = meta_properties();
    props.insert(
        "equals".into(),
        doc(
            "Exactly these values occur: each at least once, no other.",
            list.clone(),
        ),
    );
    props.insert(
        "within".into(),
        doc(
            "No value outside these occurs (some may be absent).",
            list.clone(),
        ),
    );
    props.insert(
        "contains".into(),
        doc("Each of these occurs at least once (others may too).", list),
    );
    json!({"type": "object", "properties": props, "additionalProperties": false, "oneOf": [{"required": ["equals"]}, {"required": ["within"]}, {"required": ["contains"]}]})
}

/// The options of `quantile`: `q` and bounds.
fn quantile() -> Value {
    let mut b = bounds(Bound::Number, true);
    if let Some(props) = b.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(
            "q".into(),
            doc(
                "Which quantile: 0 to 1 (0.5 is the median).",
                json!({"type": "number", "minimum": 0, "maximum": 1}),
            ),
        );
    }
    if let Some(req) = b.get_mut("required").and_then(Value::as_array_mut) {
        req.push(json!("q"));
    } else if let Some(o) = b.as_object_mut() {
        o.insert("required".into(), json!(["q"]));
    }
    b
}

/// The options of `references`: the other source and its column(s), and
/// at table level the key columns.
fn references(table: bool) -> Value {
    let mut props = meta_properties();
    props.insert(
        "source".into(),
        doc(
            "The source that holds the keys (declared under `sources:`).",
            json!({"type": "string"}),
        ),
    );
    let mut required = vec!["source"];
    if table {
        props.insert(
            "columns".into(),
            doc("The key columns of this source.", names_list()),
        );
        props.insert(
            "to".into(),
            doc(
                "The matching columns of the other source, in order (default: `columns`).",
                names_list(),
            ),
        );
        required.push("columns");
    } else {
        props.insert(
            "column".into(),
            doc(
                "The other source's column (default: this column's name).",
                json!({"type": "string"}),
            ),
        );
    }
    json!({"type": "object", "properties": props, "additionalProperties": false, "required": required})
}

/// The options of `freshness`: `max_age`, and `column` at table level.
fn freshness(table: bool) -> Value {
    let age = doc(
        "How old the newest value may be: `6h`, `90m`, `2d`, `1w`, or seconds.",
        json!({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^\\s*[0-9]+\\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hour|hours|d|day|days|w|week|weeks)\\s*$"}]}),
    );
    let mut props = meta_properties();
    props.insert("max_age".into(), age);
    let mut required = vec!["max_age"];
    if table {
        props.insert(
            "column".into(),
            doc("The date or timestamp column.", json!({"type": "string"})),
        );
        required.push("column");
    }
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

fn metric_doc(m: ColumnMetric) -> &'static str {
    match m {
        ColumnMetric::NullCount => "The number of nulls is within the bounds.",
        ColumnMetric::NullRate => "The fraction of rows that are null (0 to 1) is within the bounds; NaN is not null.",
        ColumnMetric::NanRate => "The fraction of rows that are NaN (0 to 1, float columns) is within the bounds.",
        ColumnMetric::Min => "The smallest value is within the bounds; on dates and timestamps bounds may be times (`now - 2d`, `2026-01-01`). NaN is skipped.",
        ColumnMetric::Max => "The largest value is within the bounds; on dates and timestamps bounds may be times (`now`, `now - 1h`). NaN is skipped.",
        ColumnMetric::Mean => "The mean of the non-null values is within the bounds (an error on zero values).",
        ColumnMetric::Sum => "The sum is within the bounds (exact for integers).",
        ColumnMetric::Stddev => "The sample standard deviation (n − 1) is within the bounds.",
        ColumnMetric::DistinctCount => "The number of distinct non-null values, counted exactly, is within the bounds.",
        ColumnMetric::UniqueRate => "Distinct non-null values over non-null values (0 to 1; 1 when no value repeats) is within the bounds.",
        ColumnMetric::Median => "The median of the non-null values (NaN skipped), exact, by linear interpolation as numpy's, is within the bounds. Files only: every value is held in memory (8 bytes each).",
    }
}

/// A check item: one keyword (some of which may stand alone) plus `name`
/// and `severity`. `form` gives a keyword's options and whether it may be
/// written bare.
fn check_item(
    text: &str,
    keywords: &[&str],
    form: impl Fn(&str) -> Option<(Value, bool)>,
) -> Value {
    let mut properties = Map::new();
    let mut bare = Vec::new();
    for k in keywords {
        let (schema, alone) = form(k).unwrap_or_else(|| missing("a check item", k));
        properties.insert(k.to_string(), schema);
        if alone {
            bare.push(*k);
        }
    }
    properties.extend(meta_properties());
    let object = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "oneOf": keywords.iter().map(|k| json!({"required": [k]})).collect::<Vec<_>>(),
    });
    let alternatives = if bare.is_empty() {
        vec![object]
    } else {
        vec![json!({"type": "string", "enum": bare}), object]
    };
    doc(text, json!({"anyOf": alternatives}))
}

fn sql_check() -> Value {
    let s = closed("an `sql` check", &SQL_KEYS, |k| {
        Some(match k {
            "name" => doc("The check's name, unique within the source: name it after what it guards.", json!({"type": "string"})),
            "query" => doc("SQL returning one row with one number; the source is a table named after it: `select count(*) from features where qty < 0`.", json!({"type": "string"})),
            "expect" => doc("Bounds on the number the query returns: `{ max: 0 }`.", bounds(Bound::Number, false)),
            _ => meta(k)?,
        })
    });
    doc(
        "A SQL check: `name`, `query`, `expect` and optional `severity`.",
        required(s, &["name", "query", "expect"]),
    )
}

#[derive(Clone, Copy)]
enum Bound {
    Number,
    NumberOrTime,
    Rate,
    Count,
}

/// Bounds (`min`, `max`, `above`, `below`, `between`, `equals`), at least one.
fn bounds(kind: Bound, with_meta: bool) -> Value {
    let value = match kind {
        Bound::Number => json!({"type": "number"}),
        Bound::Count => json!({"type": "number", "minimum": 0}),
        Bound::Rate => json!({"type": "number", "minimum": 0, "maximum": 1}),
        Bound::NumberOrTime => {
            json!({"anyOf": [{"type": "number"}, {"type": "string", "pattern": time_pattern()}]})
        }
    };
    let keys: Vec<&str> = match with_meta {
        true => BOUND_KEYS.iter().chain(&META_KEYS).copied().collect(),
        false => BOUND_KEYS.to_vec(),
    };
    let mut b = closed("bounds", &keys, |k| {
        Some(match k {
            "min" => doc(
                "The value must be at least this (inclusive).",
                value.clone(),
            ),
            "max" => doc("The value must be at most this (inclusive).", value.clone()),
            "above" => doc(
                "The value must be greater than this (exclusive); not with `min`.",
                value.clone(),
            ),
            "below" => doc(
                "The value must be less than this (exclusive); not with `max`.",
                value.clone(),
            ),
            "equals" => doc(
                "The value must be exactly this; not with `min`, `max`, `above` or `below`.",
                value.clone(),
            ),
            "between" => doc(
                "`[low, high]`, both inclusive; not with `min`, `max`, `above`, `below` or `equals`.",
                json!({"type": "array", "minItems": 2, "maxItems": 2, "items": value}),
            ),
            _ => meta(k)?,
        })
    });
    b["anyOf"] = one_of_keys(&BOUND_KEYS);
    b
}

/// Bounds, or `change_vs` with its limits (not both).
fn bounds_or_change(kind: Bound) -> Value {
    let keys: Vec<&str> = CHANGE_KEYS.iter().chain(&META_KEYS).copied().collect();
    let mut c = closed("a change", &keys, |k| {
        Some(match k {
            "change_vs" => doc("What the metric is compared with: a source's name (the same metric there), or `history` (its last values, `--history DIR`).", json!({"type": "string"})),
            "max_abs" => doc("|current − reference| may be at most this.", json!({"type": "number", "minimum": 0})),
            "max_rel" => doc("|current − reference| / |reference| may be at most this (0.05 = 5%).", json!({"type": "number", "minimum": 0})),
            "max_z" => doc("With `change_vs: history`: |current − mean| / stddev over the window may be at most this.", json!({"type": "number", "minimum": 0})),
            "window" => doc("With `change_vs: history`: how many of the latest runs to compare with (default 10; 1 = the last run).", json!({"type": "integer", "minimum": 1})),
            _ => meta(k)?,
        })
    });
    c["required"] = json!(["change_vs"]);
    c["anyOf"] = one_of_keys(&["max_abs", "max_rel", "max_z"]);
    json!({"anyOf": [bounds(kind, true), c]})
}

fn diff() -> Value {
    let d = closed("`diff`", &DIFF_KEYS, |k| {
        Some(match k {
            "baseline" => doc("The source holding the previous model's predictions.", json!({"type": "string"})),
            "candidate" => doc("The source holding the new model's predictions.", json!({"type": "string"})),
            "key" => doc("The column(s) identifying a row: `id` or `[user_id, day]`.", names()),
            "columns" => doc("The columns to compare (default: every common non-key column): a list of names, or a mapping of name to `exact` or `{ abs_tol, rel_tol, max_changed_rate, … }`.", json!({"anyOf": [names(), {"type": "object", "additionalProperties": diff_column()}]})),
            "ignore" => doc("Columns left out of the default column set.", names()),
            "tolerance" => doc("The default tolerance of numeric columns (default exact).", tolerance_object()),
            "duplicates" => doc("`error` (default): a key twice on one side fails the `duplicate_keys` gate; `allow`: duplicates pair like a SQL join.", enumeration(&DUPLICATES)),
            "top" => doc("How many most-changed rows and sample keys the report shows (default 10).", json!({"type": "integer", "minimum": 0})),
            "gates" => doc("Gates over every compared column and over the rows: a limit, or `{ limit: …, severity: warn }`; a `severity` here applies to all.", gates(&GateKind::NAMES)),
            "truth" => truth(),
            "quality" => doc("Gates on quality metrics of the candidate against `truth`: `accuracy: { max_drop: 0.01 }`.", quality_gates()),
            "slices" => slices(),
            _ => return None,
        })
    });
    doc(
        "The differential test: a keyed comparison of two prediction tables, with gates, and quality against ground truth.",
        required(d, &["baseline", "candidate", "key"]),
    )
}

fn diff_column() -> Value {
    let keys: Vec<&str> = TOLERANCE_KEYS
        .iter()
        .chain(&COLUMN_GATES)
        .chain(&["severity"])
        .copied()
        .collect();
    let opts = closed("a `diff` column", &keys, |k| match k {
        "severity" => meta(k),
        _ => tolerance_key(k).or_else(|| gate(k)),
    });
    doc(
        "`exact`, nothing (the diff's tolerance), or a tolerance and this column's gates: `{ abs_tol: 1.0e-6, max_changed_rate: 0.02 }`.",
        json!({"anyOf": [{"type": "null"}, {"enum": ["exact"]}, opts]}),
    )
}

fn tolerance_object() -> Value {
    closed("`tolerance`", &TOLERANCE_KEYS, tolerance_key)
}

fn tolerance_key(k: &str) -> Option<Value> {
    let text = match k {
        "abs_tol" => "Absolute tolerance: equal when |candidate − baseline| <= abs_tol + rel_tol × |baseline|.",
        "rel_tol" => "Relative tolerance, as a fraction of |baseline|.",
        _ => return None,
    };
    Some(doc(text, json!({"type": "number", "minimum": 0})))
}

fn gates(keys: &[&str]) -> Value {
    let all: Vec<&str> = keys.iter().copied().chain(["severity"]).collect();
    closed("`gates`", &all, |k| {
        if k == "severity" {
            meta(k)
        } else {
            gate(k)
        }
    })
}

fn gate(kind: &str) -> Option<Value> {
    let (text, rate) = match kind {
        "max_changed_rate" => (
            "Fail when a column's share of changed rows (0 to 1) exceeds this.",
            true,
        ),
        "max_flip_rate" => (
            "Fail when a label column's share of flipped rows (0 to 1) exceeds this.",
            true,
        ),
        "max_mean_shift" => (
            "Fail when |mean(candidate − baseline)| of a numeric column exceeds this.",
            false,
        ),
        "max_missing" => (
            "Fail when more than this many baseline keys are missing from the candidate.",
            false,
        ),
        "max_added" => (
            "Fail when the candidate has more than this many keys the baseline lacks.",
            false,
        ),
        _ => return None,
    };
    let mut limit = json!({"type": "number", "minimum": 0});
    if rate {
        limit["maximum"] = json!(1);
    }
    let full = closed("a gate", &["limit", "severity"], |k| match k {
        "limit" => Some(doc("The limit.", limit.clone())),
        _ => meta(k),
    });
    Some(doc(
        text,
        json!({"anyOf": [limit, required(full, &["limit"])]}),
    ))
}

fn truth() -> Value {
    let t = closed("`truth`", &TRUTH_KEYS, |k| {
        Some(match k {
            "source" => doc("The source holding the ground truth.", json!({"type": "string"})),
            "key" => doc("The truth's key column(s); default: the diff's key.", names()),
            "column" => doc("The ground-truth label or target column of the truth source.", json!({"type": "string"})),
            "prediction" => doc("The predicted label (classification) or value (regression) column of both prediction tables.", json!({"type": "string"})),
            "probability" => doc("The predictions' probability of the positive class, for log loss and ROC AUC.", json!({"type": "string"})),
            "task" => doc("Default: classification unless the truth column is a float.", enumeration(&TASKS)),
            "positive" => doc("The positive class of a binary task; default the greater label.", json!({"type": ["string", "integer", "boolean"]})),
            _ => return None,
        })
    });
    doc(
        "Ground truth for quality metrics of both models: `{ source: labels, column: y, prediction: label, probability: score }`.",
        required(t, &["source", "column", "prediction"]),
    )
}

fn quality_gates() -> Value {
    closed("`quality`", &QualityMetric::NAMES, |m| {
        QualityMetric::ALL
            .into_iter()
            .find(|q| q.keyword() == m)
            .map(quality_gate)
    })
}

fn slices() -> Value {
    let s = closed("`slices`", &SLICE_KEYS, |k| {
        Some(match k {
            "columns" => doc(
                "The columns to slice by: of the truth source, else of the baseline, else of the candidate.",
                names(),
            ),
            "min_rows" => doc(
                "Slices with fewer rows in both models are listed, never gated (default 30).",
                json!({"type": "integer", "minimum": 0}),
            ),
            "quality" => doc(
                "Quality gates judged on every slice with `min_rows` rows: `accuracy: { max_drop: 0.02 }`.",
                quality_gates(),
            ),
            "max_changed_rate" => doc(
                "Fail when a slice's share of rows with any compared column changed (0 to 1) exceeds this.",
                gate("max_changed_rate")?,
            ),
            _ => return None,
        })
    });
    let s = required(s, &["columns"]);
    doc(
        "The diff and the quality repeated per value of each slice column, worst slices first: `[country, device]`, or `{ columns: [country], min_rows: 30, quality: { accuracy: { max_drop: 0.02 } } }`.",
        json!({"anyOf": [names(), s]}),
    )
}

fn quality_gate(m: QualityMetric) -> Value {
    let g = closed("a quality gate", &QUALITY_KEYS, |k| {
        Some(match k {
            "max_drop" => doc(
                "Fail when baseline − candidate exceeds this.",
                json!({"type": "number", "minimum": 0}),
            ),
            "max_increase" => doc(
                "Fail when candidate − baseline exceeds this.",
                json!({"type": "number", "minimum": 0}),
            ),
            "min" => doc(
                "Fail when the candidate's value is below this.",
                json!({"type": "number"}),
            ),
            "max" => doc(
                "Fail when the candidate's value is above this.",
                json!({"type": "number"}),
            ),
            "significance" => doc(
                "With `max_drop` or `max_increase`: fail only when the difference is also significant at this level (the metric's paired test: McNemar, DeLong or the paired t-test of per-row losses).",
                level(),
            ),
            "no_significant_drop" => doc(
                "Fail when the candidate is lower and the paired test's p-value is below this level.",
                level(),
            ),
            "no_significant_increase" => doc(
                "Fail when the candidate is higher and the paired test's p-value is below this level.",
                level(),
            ),
            "test" => doc(
                "The p-value the levels read: `paired` (default) or, for losses (log_loss, rmse, mae, r2), `wilcoxon`.",
                json!({"enum": ["paired", "wilcoxon"]}),
            ),
            _ => meta(k)?,
        })
    });
    let mut g = doc(
        &format!(
            "A gate on the candidate's `{}` ({}, {}).",
            m.keyword(),
            task_word(m),
            if m.higher_is_better() {
                "higher is better"
            } else {
                "lower is better"
            }
        ),
        g,
    );
    g["anyOf"] = one_of_keys(&LIMIT_KEYS);
    g
}

/// A significance level: strictly between 0 and 1.
fn level() -> Value {
    json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1})
}

fn task_word(m: QualityMetric) -> &'static str {
    match m.task() {
        super::Task::Classification => "classification",
        super::Task::Regression => "regression",
    }
}

fn bench() -> Value {
    let b = closed("`bench`", &BENCH_KEYS, |k| {
        Some(match k {
            "input" => doc("The golden input, substituted for `{input}`.", json!({"type": "string"})),
            "baseline_cmd" => doc("The previous model's command, run with `sh -c`: `python -m model_v1.predict {input} {output}`.", json!({"type": "string"})),
            "candidate_cmd" => doc("The new model's command, run with `sh -c`.", json!({"type": "string"})),
            "baseline_output" => doc("Substituted for `{output}` in `baseline_cmd`; default a temporary file.", json!({"type": "string"})),
            "candidate_output" => doc("Substituted for `{output}` in `candidate_cmd`; default a temporary file.", json!({"type": "string"})),
            "runs" => doc("Timed runs per model, interleaved (default 5).", json!({"type": "integer", "minimum": 1})),
            "warmup" => doc("Untimed runs per model first (default 1).", json!({"type": "integer", "minimum": 0})),
            "timeout" => doc("Per run; seconds or `30s`, `10m`, `2h` (default 10m).", json!({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string", "pattern": duration_pattern()}]})),
            "max_slowdown" => doc("Gate on median(candidate) / median(baseline) wall time: 1.10 allows 10% slower.", json!({"type": "number", "exclusiveMinimum": 0})),
            "severity" => doc("The severity of the `max_slowdown` gate (default error).", enumeration(&SEVERITIES)),
            _ => return None,
        })
    });
    let commands = doc(
        "Times both models' commands on the golden input; runs before `diff`, whose sources may be its outputs.",
        required(b, &["input", "baseline_cmd", "candidate_cmd"]),
    );
    doc(
        "Times the two models: their batch commands (`baseline_cmd`, `candidate_cmd`), or their HTTP endpoints under load (`endpoint`).",
        json!({"oneOf": [commands, endpoint_bench()]}),
    )
}

fn endpoint_bench() -> Value {
    let span = || json!({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s|m|h)\\s*$"}]});
    let ratio = || json!({"type": "number", "exclusiveMinimum": 0});
    let slowdown = closed("`max_slowdown`", &SLOWDOWN_KEYS, |k| {
        Some(match k {
            "throughput" => doc("Baseline throughput over the candidate's: 1.1 allows 10% fewer answers per second.", ratio()),
            p => doc(&format!("Candidate {p} latency over the baseline's."), ratio()),
        })
    });
    let url = || json!({"type": "string", "pattern": "^https?://"});
    let endpoints = required(
        closed("`endpoint`", &["baseline", "candidate"], |k| {
            Some(match k {
                "baseline" => doc(
                    "The previous model's URL (http:// or https://); requests are POSTed as JSON.",
                    url(),
                ),
                "candidate" => doc("The new model's URL.", url()),
                _ => return None,
            })
        }),
        &["baseline", "candidate"],
    );
    let capture = required(
        closed("`capture`", &CAPTURE_KEYS, |k| {
            Some(match k {
                "key" => doc("The column of `input` that names each row (with `bodies`: a field or `$.path` of each request).", json!({"type": "string"})),
                "fields" => doc("Output column → JSON path into each answer: `{ score: \"$.score\", label: \"$.output.label\" }`.", json!({"type": "object", "minProperties": 1, "additionalProperties": {"type": "string", "pattern": "^\\$"}})),
                _ => return None,
            })
        }),
        &["key", "fields"],
    );
    let e = closed("an endpoint `bench`", &ENDPOINT_KEYS, |k| {
        Some(match k {
            "endpoint" => doc("The two endpoints: `{ baseline: URL, candidate: URL }`.", endpoints.clone()),
            "input" => doc("The golden rows `body` is filled from (Parquet, CSV, NDJSON, Arrow).", json!({"type": "string"})),
            "body" => doc("A JSON request per row of `input`: `{column}` is the row's value as JSON (inside quotes: its text).", json!({"type": "string"})),
            "bodies" => doc("An NDJSON file: one JSON request per line, instead of `input` and `body`.", json!({"type": "string"})),
            "headers" => doc("Headers of every request; use `${VAR}` for secrets, whose values are never shown.", json!({"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}})),
            "ca_file" => doc("A PEM file of root certificates to trust for https:// endpoints besides the Mozilla roots (a private CA).", json!({"type": "string"})),
            "concurrency" => doc("Connections per endpoint (default 8).", json!({"type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY})),
            "rate" => doc("Requests per second per endpoint, on a fixed schedule (open loop; latency counts from when each request was due). Without it, each connection sends its next request at once (closed loop).", json!({"type": "number", "exclusiveMinimum": 0})),
            "requests" => doc("Measured requests per endpoint (default: one per row of `input` or line of `bodies`).", json!({"type": "integer", "minimum": 1})),
            "duration" => doc("Measured time per endpoint instead of `requests`: `30s`, `2m`.", span()),
            "warmup" => doc("Unmeasured requests per endpoint first: a count, or a duration with `rate` (default twice `concurrency`).", json!({"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]})),
            "timeout" => doc("Per request: `500ms`, `2s` (default 10s).", span()),
            "order" => doc("`interleaved` (both endpoints at once, requests alternating; the default) or `alternate` (one endpoint at a time, in `rounds`).", enumeration(&["interleaved", "alternate"])),
            "rounds" => doc("With `order: alternate`: how many turns each endpoint takes (default 4).", json!({"type": "integer", "minimum": 1})),
            "capture" => doc("Keep each row's answer: the tables the `diff` compares.", capture.clone()),
            "baseline_output" => doc("With `capture`: the Parquet file of the baseline's answers.", json!({"type": "string", "pattern": "(?i)\\.parquet$"})),
            "candidate_output" => doc("With `capture`: the Parquet file of the candidate's answers.", json!({"type": "string", "pattern": "(?i)\\.parquet$"})),
            "max_error_rate" => doc("Gate: the candidate's failed requests (timeouts, connection errors, non-2xx, unreadable answers) over those sent.", json!({"type": "number", "minimum": 0, "maximum": 1})),
            "max_slowdown" => doc("Gate on candidate over baseline p99 latency, or per percentile and throughput: `{ p99: 1.2, throughput: 1.1 }`.", json!({"anyOf": [ratio(), slowdown.clone()]})),
            "min_throughput" => doc("Gate: the candidate's answers per second.", ratio()),
            "severity" => doc("The severity of the gates (default error).", enumeration(&SEVERITIES)),
            k if k.ends_with("_ms") => doc(&format!("Gate: the candidate's {} latency in milliseconds.", k.trim_end_matches("_ms")), ratio()),
            _ => return None,
        })
    });
    doc(
        "Load-tests both models' HTTP endpoints with requests from the golden rows; runs before `diff`, whose sources may be the captured answers.",
        required(e, &["endpoint"]),
    )
}

/// The keys of a `notify` mapping. A copy: `NOTIFY_KEYS` is private to
/// `notify.rs`, so the sync test compares this with that file's text; use
/// the constant once it is `pub(crate)`.
pub const NOTIFY_KEYS: [&str; 5] = ["url", "on", "timeout", "retries", "report_url"];

fn drift() -> Value {
    let options = |k: &str| -> Option<Value> {
        Some(match k {
            "bins" => doc("Numeric columns: the number of bins cut at the reference's quantiles (default 10; ties in the reference merge bins).", json!({"type": "integer", "minimum": 2, "maximum": 1000})),
            "warn" => doc("Limits that make the column a warning: `{ psi: 0.1 }` (the default).", thresholds()),
            "fail" => doc("Limits that fail the column: `{ psi: 0.25 }` (the default).", thresholds()),
            "method" => doc("`numeric` (quantile bins, PSI, KS) or `categorical` (category counts, PSI, chi-square); default from the column's type.", enumeration(&METHODS)),
            _ => return None,
        })
    };
    let column = closed("drift options of a column", &DRIFT_COLUMN_KEYS, options);
    let entry = closed("the drift of a source", &DRIFT_KEYS, |k| {
        Some(match k {
            "reference" => doc("The source to compare with (scanned on every run).", json!({"type": "string"})),
            "reference_file" => doc("A reference saved by `verdict profile SOURCE --save-reference FILE` (no rescan).", json!({"type": "string"})),
            "columns" => doc("The columns to measure (default: every common column of a measurable type): a list, or a mapping to per-column options.", json!({"anyOf": [
                names(),
                {"type": "object", "minProperties": 1, "additionalProperties": {"anyOf": [{"type": "null"}, column.clone()]}},
            ]})),
            _ => options(k)?,
        })
    });
    doc(
        "Distribution drift per current source (its name), against `reference` or `reference_file`.",
        json!({"type": "object", "additionalProperties": entry}),
    )
}

fn compare() -> Value {
    let tolerance = |what: &str| {
        closed(what, &COMPARE_TOLERANCE_KEYS, |k| {
            Some(match k {
                "max_abs" => doc("Allowed absolute difference from the reference's value.", json!({"type": "number", "minimum": 0})),
                "max_rel" => doc("Allowed difference relative to the reference's value (0.001 = 0.1%); with `max_abs`, the two add up.", json!({"type": "number", "minimum": 0})),
                _ => return None,
            })
        })
    };
    let column = tolerance("the tolerance of a compared column");
    let section = closed("`compare`", &COMPARE_KEYS, |k| {
        Some(match k {
            "sources" => doc("The environments' sources, the reference first: `[prod, preprod, dev]`.", json!({"type": "array", "items": {"type": "string"}, "minItems": 2})),
            "columns" => doc("The columns to compare (default: every column all environments have): a list, or a mapping to per-column tolerance.", json!({"anyOf": [
                names(),
                {"type": "object", "minProperties": 1, "additionalProperties": {"anyOf": [{"type": "null"}, column.clone()]}},
            ]})),
            "tolerance" => doc("Allowed difference of every aggregate from the reference's: `{ max_rel: 0.001 }` (default: equal).", tolerance("`tolerance`")),
            "key" => doc("Key column(s): environments whose aggregates disagree are then diffed row by row.", names()),
            "severity" => doc("`error` (default) or `warn` for aggregates outside tolerance.", enumeration(&["error", "warn"])),
            "top" => doc("Most-changed rows each row diff shows (default 10).", json!({"type": "integer", "minimum": 0})),
            _ => return None,
        })
    });
    doc(
        "Copies of one table in several environments, held to the first within a tolerance.",
        required(section, &["sources"]),
    )
}

fn thresholds() -> Value {
    closed("drift thresholds", &THRESHOLD_KEYS, |k| {
        let limit = |text: &str, max: Option<f64>| {
            let mut n = json!({"type": "number", "minimum": 0});
            if let Some(m) = max {
                n["maximum"] = json!(m);
            }
            doc(text, json!({"anyOf": [n, {"type": "null"}]}))
        };
        Some(match k {
            "psi" => limit("Population stability index at or above which the column crosses (null: off).", None),
            "ks" => limit("Kolmogorov–Smirnov statistic D at or above which a numeric column crosses (null: off).", Some(1.0)),
            "js" => limit("Jensen–Shannon distance (base 2) at or above which the column crosses (null: off).", Some(1.0)),
            "p_value" => limit("The KS or chi-square p-value below which the column crosses (null: off). On large tables every difference is significant: prefer PSI.", Some(1.0)),
            _ => return None,
        })
    })
}

fn notify() -> Value {
    let url = json!({"type": "string", "pattern": r"^(?:[hH][tT][tT][pP][sS]?://|\$\{)"});
    let url_text = "The webhook URL (Slack-compatible, http:// or https://); keep its secret out of the file with `${SLACK_WEBHOOK}`.";
    let webhook = closed("`notify`", &NOTIFY_KEYS, |k| {
        Some(match k {
            "url" => doc(url_text, url.clone()),
            "on" => doc("`fail` (default): when the run did not pass; `warn`: also when it passed with failed warnings.", enumeration(&NotifyOn::NAMES)),
            "timeout" => doc("Per attempt, at most 1h: seconds or `500ms`, `10s`, `1m` (default 10s).", json!({"anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
                {"type": "string", "pattern": format!(r"^\s*(?:[0-9]+\s*ms|[0-9]*[1-9][0-9]*\s*(?:{UNITS}))\s*$")},
            ]})),
            "retries" => doc("Attempts after the first one, on a timeout, a network error, 429 or 5xx (default 2).", json!({"type": "integer", "minimum": 0, "maximum": MAX_RETRIES})),
            "report_url" => doc("Where a reader finds the report (a CI job or artifact URL), linked in the message.", json!({"type": "string"})),
            _ => return None,
        })
    });
    let entry = json!({"anyOf": [doc(url_text, url.clone()), required(webhook, &["url"])]});
    doc(
        "Webhooks to post the verdict to: a URL, `{ url, on, timeout, retries, report_url }`, or a list of them.",
        json!({"anyOf": [entry, {"type": "array", "items": entry}]}),
    )
}

fn meta(key: &str) -> Option<Value> {
    Some(match key {
        "name" => doc("The check's name in reports; unique within the source.", json!({"type": "string"})),
        "severity" => doc("`error` (default) fails the gate; `warn` is reported and fails it only with `--strict`.", enumeration(&SEVERITIES)),
        "tags" => doc("Words `verdict run --select tag:…` (and `--exclude`) pick the check by, beside its source's tags.", tags()),
        "where" => doc("The check sees only the rows this boolean SQL expression over the source's columns holds for (`\"country = 'DE'\"`); checks with the same `where` share one aggregate. Not on `sql:` checks, which filter in their own query.", json!({"type": "string", "minLength": 1})),
        "mostly" => doc("On checks of each row (in_set, not_in_set, regex, not_regex, length, range, not_null, expression): pass when at least this fraction of the non-null values (of the rows, for not_null; of the rows the expression decides, for expression) comply, as Great Expectations' `mostly`.", json!({"type": "number", "exclusiveMinimum": 0, "maximum": 1})),
        _ => return None,
    })
}

/// `tags: [critical, pii]` or one tag.
fn tags() -> Value {
    let tag = json!({"type": "string", "pattern": "^[\\p{L}\\p{N}_./-]+$"});
    json!({"anyOf": [tag.clone(), {"type": "array", "items": tag}]})
}

fn meta_properties() -> Map<String, Value> {
    META_KEYS
        .iter()
        .map(|k| {
            (
                k.to_string(),
                meta(k).unwrap_or_else(|| missing("META_KEYS", k)),
            )
        })
        .collect()
}

/// A check's argument written inline (a list or string) or under `key` in
/// its options beside `name` and `severity`.
fn with_key(key: &str, text: &str, inline: Value) -> Value {
    let mut props = Map::new();
    props.insert(key.into(), doc(text, inline.clone()));
    props.extend(meta_properties());
    json!({"anyOf": [inline, {"type": "object", "properties": props, "additionalProperties": false, "required": [key]}]})
}

/// One column name or a non-empty list of them.
fn names() -> Value {
    json!({"anyOf": [{"type": "string"}, names_list()]})
}

fn names_list() -> Value {
    json!({"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}})
}

fn single_char() -> Value {
    json!({"type": "string", "pattern": r"^(?:[\x00-\x7F]|\\t)$"})
}

fn enumeration(words: &[&str]) -> Value {
    json!({"type": "string", "enum": words})
}

/// Completion offers the canonical words; the pattern accepts any case.
fn keyword(names: &[&str], aliases: &[&str]) -> Value {
    let all: Vec<&str> = names.iter().chain(aliases).copied().collect();
    let words: Vec<String> = all.iter().map(|w| case_insensitive(w)).collect();
    let pattern = format!("^(?:{})$", words.join("|"));
    json!({"anyOf": [{"enum": all}, {"type": "string", "pattern": pattern}]})
}

/// `int64` as `[iI][nN][tT]64`: JSON Schema patterns have no flags.
fn case_insensitive(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            c if c.is_ascii_alphabetic() => {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            }
            c => c.to_string(),
        })
        .collect()
}

fn one_of_keys(keys: &[&str]) -> Value {
    Value::Array(keys.iter().map(|k| json!({"required": [k]})).collect())
}

/// A mapping that takes exactly `keys`, as the parser does; `describe` must
/// know every one of them.
fn closed(what: &str, keys: &[&str], describe: impl Fn(&str) -> Option<Value>) -> Value {
    let properties: Map<String, Value> = keys
        .iter()
        .map(|k| {
            (
                k.to_string(),
                describe(k).unwrap_or_else(|| missing(what, k)),
            )
        })
        .collect();
    json!({"type": "object", "properties": properties, "additionalProperties": false})
}

fn missing(what: &str, key: &str) -> ! {
    panic!("the parser accepts `{key}` in {what}, but src/spec/json_schema.rs does not describe it: add it there and regenerate schema/verdict-suite.schema.json")
}

fn required(mut v: Value, keys: &[&str]) -> Value {
    v["required"] = json!(keys);
    v
}

/// `schema` with `description` first, so the generated file reads well.
fn doc(text: &str, schema: Value) -> Value {
    let mut m = Map::new();
    m.insert("description".into(), text.into());
    if let Value::Object(rest) = schema {
        m.extend(rest.into_iter().filter(|(k, _)| k != "description"));
    }
    Value::Object(m)
}

fn head(title: &str, text: &str, schema: Value) -> Map<String, Value> {
    let Value::Object(mut m) = doc(text, schema) else {
        unreachable!("doc returns an object")
    };
    m.insert("title".into(), title.into());
    m
}
