//! Column types as users write them in a schema contract (`int64`, `string`,
//! `timestamp[us, UTC]`, `decimal(10, 2)`) and how they match Arrow types.
//! Matching is by logical type: `string` accepts Utf8, LargeUtf8 and
//! Utf8View, because which of those a reader produces is an engine detail,
//! not part of the data's contract.

use std::fmt;

use datafusion::arrow::datatypes::{DataType, TimeUnit};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeSpec {
    Bool,
    Int(u8),
    UInt(u8),
    Float(u8),
    String,
    Binary,
    Date,
    /// Unit and time zone are constrained only when written.
    Timestamp {
        unit: Option<TimeUnit>,
        tz: Option<Option<String>>,
    },
    Decimal(Option<(u8, i8)>),
    /// Any integer, signed or not, of any width (`integer`).
    Integer,
    /// Any number: integer, float or decimal (`number`).
    Number,
    /// A time of day, of any unit (`time`).
    Time,
}

/// The names accepted in `type:` (for suggestions in error messages).
pub const TYPE_NAMES: [&str; 21] = [
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "string",
    "binary",
    "date",
    "timestamp",
    "decimal",
    "boolean",
    "integer",
    "number",
    "time",
];

impl TypeSpec {
    pub fn parse(s: &str) -> Option<TypeSpec> {
        let t = s.trim().to_ascii_lowercase();
        let simple = match t.as_str() {
            "bool" | "boolean" => Some(TypeSpec::Bool),
            "int8" => Some(TypeSpec::Int(8)),
            "int16" => Some(TypeSpec::Int(16)),
            "int32" => Some(TypeSpec::Int(32)),
            "int64" => Some(TypeSpec::Int(64)),
            "uint8" => Some(TypeSpec::UInt(8)),
            "uint16" => Some(TypeSpec::UInt(16)),
            "uint32" => Some(TypeSpec::UInt(32)),
            "uint64" => Some(TypeSpec::UInt(64)),
            "float16" => Some(TypeSpec::Float(16)),
            "float32" => Some(TypeSpec::Float(32)),
            "float64" | "double" => Some(TypeSpec::Float(64)),
            "string" | "utf8" | "str" => Some(TypeSpec::String),
            "binary" | "bytes" => Some(TypeSpec::Binary),
            "date" | "date32" | "date64" => Some(TypeSpec::Date),
            "timestamp" => Some(TypeSpec::Timestamp {
                unit: None,
                tz: None,
            }),
            "decimal" => Some(TypeSpec::Decimal(None)),
            "integer" => Some(TypeSpec::Integer),
            "number" | "numeric" => Some(TypeSpec::Number),
            "time" => Some(TypeSpec::Time),
            _ => None,
        };
        simple
            .or_else(|| parse_timestamp(s))
            .or_else(|| parse_decimal(&t))
    }

    /// Whether an Arrow type satisfies this spec.
    pub fn matches(&self, dt: &DataType) -> bool {
        let dt = match dt {
            DataType::Dictionary(_, v) => v.as_ref(),
            other => other,
        };
        match (self, dt) {
            (TypeSpec::Bool, DataType::Boolean) => true,
            (TypeSpec::Int(8), DataType::Int8)
            | (TypeSpec::Int(16), DataType::Int16)
            | (TypeSpec::Int(32), DataType::Int32)
            | (TypeSpec::Int(64), DataType::Int64)
            | (TypeSpec::UInt(8), DataType::UInt8)
            | (TypeSpec::UInt(16), DataType::UInt16)
            | (TypeSpec::UInt(32), DataType::UInt32)
            | (TypeSpec::UInt(64), DataType::UInt64)
            | (TypeSpec::Float(16), DataType::Float16)
            | (TypeSpec::Float(32), DataType::Float32)
            | (TypeSpec::Float(64), DataType::Float64) => true,
            (TypeSpec::String, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => true,
            (TypeSpec::Binary, DataType::Binary | DataType::LargeBinary | DataType::BinaryView) => {
                true
            }
            (TypeSpec::Date, DataType::Date32 | DataType::Date64) => true,
            (TypeSpec::Timestamp { unit, tz }, DataType::Timestamp(u, z)) => {
                unit.as_ref().is_none_or(|x| x == u)
                    && tz
                        .as_ref()
                        .is_none_or(|want| want.as_deref() == z.as_deref())
            }
            (TypeSpec::Decimal(ps), DataType::Decimal128(p, s) | DataType::Decimal256(p, s)) => {
                ps.is_none_or(|(wp, ws)| wp == *p && ws == *s)
            }
            (TypeSpec::Integer, dt) => dt.is_integer(),
            (TypeSpec::Number, dt) => dt.is_numeric(),
            (TypeSpec::Time, DataType::Time32(_) | DataType::Time64(_)) => true,
            _ => false,
        }
    }
}

fn parse_timestamp(original: &str) -> Option<TypeSpec> {
    let t = original.trim();
    if !t.to_ascii_lowercase().starts_with("timestamp[") {
        return None;
    }
    let inner = t["timestamp[".len()..].strip_suffix(']')?;
    let (unit, tz) = match inner.split_once(',') {
        Some((u, z)) => (u.trim(), Some(z.trim())),
        None => (inner.trim(), None),
    };
    let unit = match unit.to_ascii_lowercase().as_str() {
        "s" => TimeUnit::Second,
        "ms" => TimeUnit::Millisecond,
        "us" => TimeUnit::Microsecond,
        "ns" => TimeUnit::Nanosecond,
        _ => return None,
    };
    // `none` pins a timestamp without a zone; anything else is a zone name,
    // compared as written (`UTC`, `+00:00` and `Europe/Paris` all differ).
    let tz = tz.map(|z| (!z.eq_ignore_ascii_case("none")).then(|| z.to_string()));
    Some(TypeSpec::Timestamp {
        unit: Some(unit),
        tz,
    })
}

fn parse_decimal(t: &str) -> Option<TypeSpec> {
    let inner = t.strip_prefix("decimal(")?.strip_suffix(')')?;
    let (p, s) = inner.split_once(',')?;
    Some(TypeSpec::Decimal(Some((
        p.trim().parse().ok()?,
        s.trim().parse().ok()?,
    ))))
}

impl fmt::Display for TypeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeSpec::Bool => f.write_str("bool"),
            TypeSpec::Int(b) => write!(f, "int{b}"),
            TypeSpec::UInt(b) => write!(f, "uint{b}"),
            TypeSpec::Float(b) => write!(f, "float{b}"),
            TypeSpec::String => f.write_str("string"),
            TypeSpec::Binary => f.write_str("binary"),
            TypeSpec::Date => f.write_str("date"),
            TypeSpec::Timestamp { unit, tz } => {
                f.write_str("timestamp")?;
                if let Some(u) = unit {
                    write!(f, "[{}", unit_name(u))?;
                    if let Some(z) = tz {
                        write!(f, ", {}", z.as_deref().unwrap_or("none"))?;
                    }
                    f.write_str("]")?;
                }
                Ok(())
            }
            TypeSpec::Decimal(None) => f.write_str("decimal"),
            TypeSpec::Decimal(Some((p, s))) => write!(f, "decimal({p}, {s})"),
            TypeSpec::Integer => f.write_str("integer"),
            TypeSpec::Number => f.write_str("number"),
            TypeSpec::Time => f.write_str("time"),
        }
    }
}

fn unit_name(u: &TimeUnit) -> &'static str {
    match u {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    }
}

/// An Arrow type in the vocabulary of schema contracts, so that expected and
/// actual schemas read alike in a diff (`string`, not `Utf8View`).
pub fn display_type(dt: &DataType) -> String {
    match dt {
        DataType::Boolean => "bool".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float16 => "float16".into(),
        DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "binary".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(u, tz) => match tz {
            Some(z) => format!("timestamp[{}, {}]", unit_name(u), z),
            None => format!("timestamp[{}]", unit_name(u)),
        },
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("decimal({p}, {s})"),
        DataType::Time32(_) | DataType::Time64(_) => "time".into(),
        DataType::Dictionary(_, v) => display_type(v),
        other => other.to_string().to_lowercase(),
    }
}

/// Numeric in the sense of sum/mean/stddev.
pub fn is_numeric(dt: &DataType) -> bool {
    dt.is_numeric()
}

pub fn is_float(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Float16 | DataType::Float32 | DataType::Float64
    )
}

pub fn is_integer(dt: &DataType) -> bool {
    dt.is_integer()
}

pub fn is_temporal(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)
    )
}

pub fn is_string(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_string(v),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_match() {
        let s = TypeSpec::parse("string").unwrap();
        assert!(s.matches(&DataType::Utf8View));
        assert!(s.matches(&DataType::LargeUtf8));
        assert!(!s.matches(&DataType::Int64));
        let ts = TypeSpec::parse("timestamp[us, UTC]").unwrap();
        assert!(ts.matches(&DataType::Timestamp(
            TimeUnit::Microsecond,
            Some("UTC".into())
        )));
        assert!(!ts.matches(&DataType::Timestamp(TimeUnit::Microsecond, None)));
        let any_ts = TypeSpec::parse("timestamp").unwrap();
        assert!(any_ts.matches(&DataType::Timestamp(TimeUnit::Nanosecond, None)));
        let unit_only = TypeSpec::parse("timestamp[ms]").unwrap();
        assert!(unit_only.matches(&DataType::Timestamp(
            TimeUnit::Millisecond,
            Some("UTC".into())
        )));
        assert_eq!(
            TypeSpec::parse("decimal(10, 2)"),
            Some(TypeSpec::Decimal(Some((10, 2))))
        );
        assert_eq!(TypeSpec::parse("int65"), None);
        assert_eq!(
            TypeSpec::parse("timestamp[us, UTC]").unwrap().to_string(),
            "timestamp[us, UTC]"
        );
    }
}
