//! The requests of an endpoint bench: one JSON body per golden row, filled
//! from the body template, or one per line of an NDJSON file; each with the
//! key that names its row when answers are captured.

use bytes::Bytes;
use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::SessionContext;
use serde_json::{Map, Value};

use crate::spec::{Capture, Part, Requests, SourceSpec, Template};

/// The requests, in the order they are sent (and cycled).
pub struct Prepared {
    pub bodies: Vec<Bytes>,
    /// Per request, the value of the capture key (JSON), when capturing.
    pub keys: Vec<Value>,
    /// The capture key's column type in the input (None for NDJSON
    /// requests, whose key type is read off the values).
    pub key_type: Option<DataType>,
    /// What the requests came from, for the report: `1,000 rows of x`.
    pub rows: usize,
}

/// Builds the requests; `limit` caps how many rows are read (a bench of
/// N requests never needs more than N).
pub async fn prepare(
    requests: &Requests,
    capture: Option<&Capture>,
    limit: Option<usize>,
) -> Result<Prepared, String> {
    match requests {
        Requests::Template { input, body } => from_rows(input, body, capture, limit).await,
        Requests::Lines { path } => from_lines(path, capture, limit),
    }
}

async fn from_rows(
    input: &str,
    body: &Template,
    capture: Option<&Capture>,
    limit: Option<usize>,
) -> Result<Prepared, String> {
    let spec = SourceSpec::from_argument("input", input)?;
    if spec.database.is_some() {
        return Err(format!(
            "`input` of an endpoint bench is a file (Parquet, CSV, NDJSON, Arrow); `{}` is a database",
            spec.path
        ));
    }
    let ctx = SessionContext::new();
    let loaded = crate::source::register(&ctx, &spec)
        .await
        .map_err(|e| format!("cannot read `input` {input}: {}", crate::error::text(&e)))?;
    let have: Vec<&str> = loaded
        .schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let mut wanted: Vec<&str> = body.columns();
    for name in &wanted {
        if !have.contains(name) {
            return Err(missing(
                &format!("`body` names `{{{name}}}`"),
                name,
                input,
                &have,
            ));
        }
    }
    let mut key_type = None;
    if let Some(c) = capture {
        match loaded.schema.field_with_name(&c.key) {
            // The answers file holds the key's values, not a dictionary.
            Ok(f) => {
                key_type = Some(match f.data_type() {
                    DataType::Dictionary(_, v) => v.as_ref().clone(),
                    t => t.clone(),
                })
            }
            Err(_) => {
                return Err(missing(
                    &format!("the capture `key` `{}`", c.key),
                    &c.key,
                    input,
                    &have,
                ))
            }
        }
        if !wanted.contains(&c.key.as_str()) {
            wanted.push(&c.key);
        }
    }
    let columns: Vec<String> = wanted.iter().map(|c| quote_ident(c)).collect();
    let mut sql = format!("SELECT {} FROM input", columns.join(", "));
    if let Some(n) = limit {
        sql.push_str(&format!(" LIMIT {n}"));
    }
    let batches = ctx
        .sql(&sql)
        .await
        .map_err(|e| format!("cannot read `input` {input}: {}", crate::error::text(&e)))?
        .collect()
        .await
        .map_err(|e| format!("cannot read `input` {input}: {}", crate::error::text(&e)))?;
    let mut bodies = Vec::new();
    let mut keys = Vec::new();
    for batch in &batches {
        let mut buf = Vec::new();
        {
            let mut w = arrow_json::WriterBuilder::new()
                .with_explicit_nulls(true)
                .build::<_, arrow_json::writer::LineDelimited>(&mut buf);
            w.write(batch)
                .map_err(|e| format!("cannot turn the rows of {input} into JSON: {e}"))?;
            w.finish()
                .map_err(|e| format!("cannot turn the rows of {input} into JSON: {e}"))?;
        }
        for line in buf.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let row: Map<String, Value> = serde_json::from_slice(line)
                .map_err(|e| format!("cannot turn the rows of {input} into JSON: {e}"))?;
            let text = fill(body, &row);
            if bodies.is_empty() {
                if let Err(e) = serde_json::from_str::<Value>(&text) {
                    return Err(format!(
                        "the `body` filled from the first row of {input} is not JSON ({e}): {}",
                        excerpt(&text)
                    ));
                }
            }
            if let Some(c) = capture {
                keys.push(row.get(&c.key).cloned().unwrap_or(Value::Null));
            }
            bodies.push(Bytes::from(text));
        }
    }
    if bodies.is_empty() {
        return Err(format!(
            "`input` {input} has no rows: there is nothing to send"
        ));
    }
    Ok(Prepared {
        rows: bodies.len(),
        bodies,
        keys,
        key_type,
    })
}

fn from_lines(
    path: &str,
    capture: Option<&Capture>,
    limit: Option<usize>,
) -> Result<Prepared, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read `bodies` {path}: {e}"))?;
    let mut bodies = Vec::new();
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if limit.is_some_and(|n| bodies.len() >= n) {
            break;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| {
            format!(
                "line {} of `bodies` {path} is not JSON ({e}): {}",
                i + 1,
                excerpt(line)
            )
        })?;
        if let Some(c) = capture {
            let p = c.key_path.as_ref().expect("NDJSON capture keys are paths");
            match p.get(&v) {
                Some(k) => keys.push(k.clone()),
                None => {
                    return Err(format!(
                        "line {} of `bodies` {path} has no capture key `{}`: {}",
                        i + 1,
                        p.text,
                        excerpt(line)
                    ))
                }
            }
        }
        bodies.push(Bytes::from(line.to_string()));
    }
    if bodies.is_empty() {
        return Err(format!(
            "`bodies` {path} has no requests: every line is empty"
        ));
    }
    Ok(Prepared {
        rows: bodies.len(),
        bodies,
        keys,
        key_type: None,
    })
}

/// The template with each placeholder replaced by the row's value: as JSON
/// (`"text"`, `1.5`, `null`, `[1, 2]`), or inside a JSON string as its
/// escaped text.
pub fn fill(t: &Template, row: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(t.text.len() + 16);
    for p in &t.parts {
        match p {
            Part::Text(s) => out.push_str(s),
            Part::Column { name, in_string } => {
                let v = row.get(name).unwrap_or(&Value::Null);
                match (in_string, v) {
                    (false, v) => out.push_str(&v.to_string()),
                    (true, Value::String(s)) => {
                        let quoted = Value::String(s.clone()).to_string();
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    }
                    (true, v) => {
                        let quoted = Value::String(v.to_string()).to_string();
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    }
                }
            }
        }
    }
    out
}

fn missing(what: &str, name: &str, input: &str, have: &[&str]) -> String {
    format!(
        "{what}, which `input` {input} does not have; {} (its columns: {})",
        crate::spec::diag::suggest(name, have),
        have.join(", ")
    )
}

/// A double-quoted identifier, so any column name is read as written.
fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// At most 200 characters of a text, for messages.
pub fn excerpt(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_values_as_json() {
        let t = Template::parse(r#"{"id": {id}, "tag": "t-{name}", "x": [{a}, {b}], "n": {name}}"#);
        let row: Map<String, Value> =
            serde_json::from_str(r#"{"id": 7, "name": "a\"b", "a": 1.5, "b": null}"#).unwrap();
        assert_eq!(
            fill(&t, &row),
            r#"{"id": 7, "tag": "t-a\"b", "x": [1.5, null], "n": "a\"b"}"#
        );
    }
}
