//! The captured answers of one endpoint as a Parquet table: the capture
//! key (typed as the input column it came from) and one column per
//! captured field, typed by its values (integers, floats, booleans,
//! strings; anything else as its JSON text).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::arrow::ArrowWriter;
use serde_json::{Map, Value};

/// Writes the rows answered (sorted by row) to `path`; returns how many.
pub fn write(
    path: &str,
    key: (&str, Option<&DataType>),
    keys: &[Value],
    fields: &[String],
    captured: &mut [(usize, Vec<Value>)],
) -> Result<usize, String> {
    captured.sort_by_key(|(row, _)| *row);
    let key_type = match key.1 {
        Some(t) => t.clone(),
        None => infer(captured.iter().map(|(row, _)| &keys[*row])),
    };
    let mut columns = vec![Field::new(key.0, key_type.clone(), true)];
    let mut types = Vec::new();
    for (i, name) in fields.iter().enumerate() {
        let t = infer(captured.iter().map(|(_, v)| &v[i]));
        columns.push(Field::new(name, t.clone(), true));
        types.push(t);
    }
    let schema = Arc::new(Schema::new(columns));
    let rows: Vec<Map<String, Value>> = captured
        .iter()
        .map(|(row, values)| {
            let mut m = Map::new();
            m.insert(key.0.to_string(), as_type(&keys[*row], &key_type));
            for ((name, v), t) in fields.iter().zip(values).zip(&types) {
                m.insert(name.clone(), as_type(v, t));
            }
            m
        })
        .collect();
    let fail =
        |e: &dyn std::fmt::Display| format!("cannot write the captured answers to {path}: {e}");
    let mut decoder = arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(rows.len().max(1))
        .build_decoder()
        .map_err(|e| fail(&e))?;
    decoder.serialize(&rows).map_err(|e| fail(&e))?;
    let batch = decoder.flush().map_err(|e| fail(&e))?;
    if let Some(dir) = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    }
    let file = std::fs::File::create(path).map_err(|e| fail(&e))?;
    let mut w = ArrowWriter::try_new(file, schema, None).map_err(|e| fail(&e))?;
    if let Some(b) = batch {
        w.write(&b).map_err(|e| fail(&e))?;
    }
    w.close().map_err(|e| fail(&e))?;
    Ok(rows.len())
}

/// The narrowest type that holds every non-null value.
fn infer<'a>(values: impl Iterator<Item = &'a Value>) -> DataType {
    let mut t: Option<DataType> = None;
    for v in values {
        let this = match v {
            Value::Null => continue,
            Value::Bool(_) => DataType::Boolean,
            Value::Number(n) if n.is_i64() => DataType::Int64,
            Value::Number(_) => DataType::Float64,
            _ => DataType::Utf8,
        };
        t = Some(match (t, this) {
            (None, x) => x,
            (Some(a), b) if a == b => a,
            (Some(DataType::Int64), DataType::Float64)
            | (Some(DataType::Float64), DataType::Int64) => DataType::Float64,
            _ => DataType::Utf8,
        });
    }
    t.unwrap_or(DataType::Utf8)
}

/// `v` as the JSON reader takes it for type `t`: text for a string column
/// (a number or an object written as JSON).
fn as_type(v: &Value, t: &DataType) -> Value {
    match (v, t) {
        (Value::Null, _) | (Value::String(_), _) => v.clone(),
        (_, DataType::Utf8) => Value::String(v.to_string()),
        _ => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_from_values() {
        assert_eq!(
            infer([json!(1), json!(null), json!(2)].iter()),
            DataType::Int64
        );
        assert_eq!(infer([json!(1), json!(0.5)].iter()), DataType::Float64);
        assert_eq!(infer([json!(true)].iter()), DataType::Boolean);
        assert_eq!(infer([json!("a"), json!(1)].iter()), DataType::Utf8);
        assert_eq!(infer([json!([1, 2])].iter()), DataType::Utf8);
        assert_eq!(as_type(&json!([1, 2]), &DataType::Utf8), json!("[1,2]"));
    }
}
