//! Observed values as they come out of an aggregate: exact integers and
//! decimals stay exact, times are nanoseconds since the epoch (UTC), and
//! each knows how to show itself in a report and compare with a bound.

use std::cmp::Ordering;
use std::fmt;

use datafusion::scalar::ScalarValue;
use serde::Serialize;

use crate::report::format::fmt_float;
use crate::spec::time::format_nanos;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i128),
    Float(f64),
    /// Unscaled value and scale, as in Arrow's Decimal128.
    Decimal(i128, i8),
    /// Nanoseconds since the epoch, UTC (i128: an i64 ends in 2262).
    Time(i128),
    /// Days since the epoch.
    Date(i64),
    Str(String),
    Bool(bool),
}

impl Value {
    /// Converts one aggregate output; `Ok(None)` is SQL NULL ("undefined").
    pub fn from_scalar(s: &ScalarValue) -> Result<Option<Value>, String> {
        use ScalarValue as S;
        if s.is_null() {
            return Ok(None);
        }
        let v = match s {
            S::Int8(Some(v)) => Value::Int(*v as i128),
            S::Int16(Some(v)) => Value::Int(*v as i128),
            S::Int32(Some(v)) => Value::Int(*v as i128),
            S::Int64(Some(v)) => Value::Int(*v as i128),
            S::UInt8(Some(v)) => Value::Int(*v as i128),
            S::UInt16(Some(v)) => Value::Int(*v as i128),
            S::UInt32(Some(v)) => Value::Int(*v as i128),
            S::UInt64(Some(v)) => Value::Int(*v as i128),
            S::Float16(Some(v)) => Value::Float(f64::from(*v)),
            S::Float32(Some(v)) => Value::Float(*v as f64),
            S::Float64(Some(v)) => Value::Float(*v),
            S::Decimal128(Some(v), _, s) => Value::Decimal(*v, *s),
            // Wide sums come back as 256-bit decimals: exact, or an error,
            // never a wrapped number.
            S::Decimal256(Some(v), _, s) => match v.to_i128() {
                Some(v) => Value::Decimal(v, *s),
                None => {
                    return Err(format!(
                        "the value {} has more than the 38 digits a report holds",
                        s_text(v.to_string(), *s)
                    ))
                }
            },
            S::Boolean(Some(b)) => Value::Bool(*b),
            S::Utf8(Some(s)) | S::LargeUtf8(Some(s)) | S::Utf8View(Some(s)) => {
                Value::Str(s.clone())
            }
            S::Date32(Some(d)) => Value::Date(*d as i64),
            S::Date64(Some(ms)) => Value::Date(ms.div_euclid(86_400_000)),
            S::TimestampSecond(Some(v), _) => Value::Time(i128::from(*v) * 1_000_000_000),
            S::TimestampMillisecond(Some(v), _) => Value::Time(i128::from(*v) * 1_000_000),
            S::TimestampMicrosecond(Some(v), _) => Value::Time(i128::from(*v) * 1_000),
            S::TimestampNanosecond(Some(v), _) => Value::Time(i128::from(*v)),
            S::Dictionary(_, inner) => return Value::from_scalar(inner),
            other => return Err(format!("unsupported result type {}", other.data_type())),
        };
        Ok(Some(v))
    }

    /// The value as a float, for numeric comparisons and rates.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Decimal(v, s) => Some(*v as f64 / 10f64.powi(*s as i32)),
            _ => None,
        }
    }

    /// Nanoseconds since the epoch for dates and timestamps.
    pub fn as_nanos(&self) -> Option<i128> {
        match self {
            Value::Time(n) => Some(*n),
            Value::Date(d) => Some(i128::from(*d) * 86_400_000_000_000),
            _ => None,
        }
    }

    pub fn is_temporal(&self) -> bool {
        matches!(self, Value::Time(_) | Value::Date(_))
    }

    /// Compares with a number, exactly when both are integers.
    pub fn cmp_number(&self, n: crate::spec::Number) -> Option<Ordering> {
        use crate::spec::Number;
        match (self, n) {
            (Value::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
            (Value::Decimal(v, s), Number::Int(b)) if *s >= 0 => {
                let scale = 10i128.checked_pow(*s as u32)?;
                match b.checked_mul(scale) {
                    Some(bs) => Some(v.cmp(&bs)),
                    None => self.as_f64()?.partial_cmp(&(b as f64)),
                }
            }
            _ => self.as_f64()?.partial_cmp(&n.as_f64()),
        }
    }
}

fn fmt_decimal(v: i128, scale: i8) -> String {
    if scale <= 0 {
        return (v * 10i128.pow((-scale) as u32)).to_string();
    }
    let neg = v < 0;
    let digits = v.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{}{int}.{frac}", if neg { "-" } else { "" })
}

/// A value that may be SQL NULL, as reports show it: `null` when it is.
pub fn shown(v: &Option<Value>) -> String {
    match v {
        None => "null".into(),
        Some(v) => v.to_string(),
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&fmt_float(*x)),
            Value::Decimal(v, s) => f.write_str(&fmt_decimal(*v, *s)),
            Value::Time(n) => f.write_str(&format_nanos(*n)),
            Value::Date(d) => {
                let dt = chrono::DateTime::from_timestamp(d.saturating_mul(86_400), 0);
                match dt {
                    Some(dt) => write!(f, "{}", dt.format("%Y-%m-%d")),
                    None => write!(f, "day {d}"),
                }
            }
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// JSON: numbers stay numbers (integers beyond 2^53 and decimals become
/// strings so no reader rounds them), times are RFC 3339 strings.
impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Int(i) if i.unsigned_abs() <= (1u128 << 53) => s.serialize_i64(*i as i64),
            Value::Float(x) if x.is_finite() => s.serialize_f64(*x),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Str(v) => s.serialize_str(v),
            other => s.serialize_str(&other.to_string()),
        }
    }
}

/// Unscaled decimal digits with the point put back: `12345`, 2 → `123.45`.
fn s_text(digits: String, scale: i8) -> String {
    if scale <= 0 {
        return digits;
    }
    let (sign, d) = match digits.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", digits),
    };
    let d = format!("{d:0>width$}", width = scale as usize + 1);
    let (int, frac) = d.split_at(d.len() - scale as usize);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Number;

    #[test]
    fn formatting() {
        assert_eq!(Value::Float(2.0).to_string(), "2");
        assert_eq!(shown(&None), "null");
        assert_eq!(fmt_decimal(12345, 2), "123.45");
        assert_eq!(fmt_decimal(-5, 3), "-0.005");
        assert_eq!(Value::Date(0).to_string(), "1970-01-01");
    }

    #[test]
    fn exact_comparisons() {
        let big = Value::Int(i64::MAX as i128 + 1);
        assert_eq!(
            big.cmp_number(Number::Int(i64::MAX as i128)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            Value::Decimal(1000, 2).cmp_number(Number::Int(10)),
            Some(Ordering::Equal)
        );
        assert_eq!(Value::Float(f64::NAN).cmp_number(Number::Int(1)), None);
    }
}
