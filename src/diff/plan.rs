//! What a diff compares and as which type: the key columns, the compared
//! columns with their class (numeric, label, or both), and the columns that
//! only one side has. Decided from the two schemas before any row is read.

use datafusion::arrow::datatypes::{DataType, Schema};

use crate::spec::{DiffSpec, Tolerance};
use crate::types::display_type;

/// How a pair of values is judged and summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Floats and decimals: tolerance, difference statistics.
    Numeric,
    /// Integers compared exactly: difference statistics and transitions.
    Integer,
    /// Everything else (strings, booleans, dates…): exact, transitions.
    Label,
}

impl Class {
    pub fn numeric(self) -> bool {
        matches!(self, Class::Numeric | Class::Integer)
    }

    pub fn label(self) -> bool {
        matches!(self, Class::Integer | Class::Label)
    }
}

#[derive(Debug, Clone)]
pub struct ColumnPlan {
    pub name: String,
    pub baseline_type: DataType,
    pub candidate_type: DataType,
    /// Both sides are cast to this before comparing.
    pub common: DataType,
    pub class: Class,
    pub tolerance: Tolerance,
}

/// A compared column that cannot be compared, with the reason.
#[derive(Debug, Clone)]
pub struct Incomparable {
    pub name: String,
    pub baseline_type: String,
    pub candidate_type: String,
    pub why: String,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub keys: Vec<(String, DataType)>,
    pub columns: Vec<ColumnPlan>,
    pub incomparable: Vec<Incomparable>,
    pub only_baseline: Vec<String>,
    pub only_candidate: Vec<String>,
    /// How a pair of types was made comparable, where a user could not
    /// guess it (a naive timestamp read as UTC).
    pub notes: Vec<String>,
}

/// Resolves the diff against both schemas. `Err` is a problem that stops
/// the whole diff (a key that is missing or cannot be compared).
pub fn plan(spec: &DiffSpec, b: &Schema, c: &Schema) -> Result<Plan, String> {
    let mut keys = Vec::new();
    let mut notes = Vec::new();
    for k in &spec.key {
        let (bt, ct) = match (field_type(b, k), field_type(c, k)) {
            (Some(bt), Some(ct)) => (bt, ct),
            (None, None) => {
                return Err(format!(
                    "key column `{k}` is in neither baseline `{}` nor candidate `{}`",
                    spec.baseline, spec.candidate
                ))
            }
            (None, _) => return Err(missing(k, "baseline", &spec.baseline, b)),
            (_, None) => return Err(missing(k, "candidate", &spec.candidate, c)),
        };
        let common = common_type(&bt, &ct).ok_or_else(|| {
            format!(
                "key column `{k}` is {} in the baseline and {} in the candidate; \
                 these cannot be compared",
                display_type(&bt),
                display_type(&ct)
            )
        })?;
        meeting_note(&mut notes, "key column", k, &bt, &ct);
        keys.push((k.clone(), common));
    }
    let listed: Vec<(String, Option<Tolerance>)> = match &spec.columns {
        Some(cols) => cols.iter().map(|c| (c.name.clone(), c.tolerance)).collect(),
        None => {
            for o in &spec.overrides {
                if field_type(b, &o.name).is_none() || field_type(c, &o.name).is_none() {
                    return Err(format!(
                        "a tolerance is set for column `{}`, which is missing from the {}",
                        o.name,
                        if field_type(b, &o.name).is_none() {
                            "baseline"
                        } else {
                            "candidate"
                        }
                    ));
                }
            }
            b.fields()
                .iter()
                .map(|f| f.name().clone())
                .filter(|n| !spec.key.contains(n) && !spec.ignore.contains(n))
                .filter(|n| c.field_with_name(n).is_ok())
                .map(|n| {
                    let tol = spec.column_options(&n).and_then(|o| o.tolerance);
                    (n, tol)
                })
                .collect()
        }
    };
    let mut p = Plan {
        keys,
        columns: Vec::new(),
        incomparable: Vec::new(),
        only_baseline: only_in(b, c, spec),
        only_candidate: only_in(c, b, spec),
        notes,
    };
    for (name, tol) in listed {
        if spec.key.contains(&name) {
            return Err(format!(
                "column `{name}` is part of the key; key columns are matched, not compared"
            ));
        }
        let (bt, ct) = match (field_type(b, &name), field_type(c, &name)) {
            (Some(bt), Some(ct)) => (bt, ct),
            (bt, ct) => {
                p.incomparable.push(Incomparable {
                    name: name.clone(),
                    baseline_type: bt.as_ref().map_or("missing".into(), display_type),
                    candidate_type: ct.as_ref().map_or("missing".into(), display_type),
                    why: format!(
                        "column `{name}` is missing from the {}",
                        if bt.is_none() {
                            "baseline"
                        } else {
                            "candidate"
                        }
                    ),
                });
                continue;
            }
        };
        meeting_note(&mut p.notes, "column", &name, &bt, &ct);
        match column(&name, bt, ct, tol.unwrap_or(spec.tolerance), tol.is_some()) {
            Ok(col) => p.columns.push(col),
            Err(i) => p.incomparable.push(i),
        }
    }
    Ok(p)
}

/// Notes how `bt` and `ct` meet when one is a timestamp without a zone
/// and the other one in UTC: the zoneless side is read as UTC.
fn meeting_note(notes: &mut Vec<String>, what: &str, name: &str, bt: &DataType, ct: &DataType) {
    if let (DataType::Timestamp(_, zb), DataType::Timestamp(_, zc)) = (bt, ct) {
        let naive = match (zb, zc) {
            (None, Some(_)) => "baseline",
            (Some(_), None) => "candidate",
            _ => return,
        };
        if common_type(bt, ct).is_none() {
            return;
        }
        notes.push(format!(
            "{what} `{name}`: the {naive}'s timestamps have no time zone; they are read as UTC \
             ({} vs {})",
            display_type(bt),
            display_type(ct)
        ));
    }
}

fn field_type(s: &Schema, name: &str) -> Option<DataType> {
    s.field_with_name(name).ok().map(|f| f.data_type().clone())
}

fn missing(key: &str, side: &str, source: &str, schema: &Schema) -> String {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let hint = match crate::spec::diag::closest(key, names.iter().copied()) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None if names.len() <= 8 => format!(" (its columns: {})", names.join(", ")),
        None => format!(" (its columns: {}, …)", names[..8].join(", ")),
    };
    format!("key column `{key}` is missing from the {side} `{source}`{hint}")
}

fn only_in(a: &Schema, other: &Schema, spec: &DiffSpec) -> Vec<String> {
    a.fields()
        .iter()
        .map(|f| f.name().clone())
        .filter(|n| other.field_with_name(n).is_err() && !spec.key.contains(n))
        .collect()
}

fn column(
    name: &str,
    bt: DataType,
    ct: DataType,
    tolerance: Tolerance,
    explicit: bool,
) -> Result<ColumnPlan, Incomparable> {
    let incomparable = |why: String| Incomparable {
        name: name.to_string(),
        baseline_type: display_type(&bt),
        candidate_type: display_type(&ct),
        why,
    };
    let Some(common) = common_type(&bt, &ct) else {
        return Err(incomparable(format!(
            "column `{name}` is {} in the baseline and {} in the candidate; \
             these cannot be compared",
            display_type(&bt),
            display_type(&ct)
        )));
    };
    let class = match &common {
        DataType::Float64 => Class::Numeric,
        DataType::Int64 | DataType::UInt64 | &EXACT_INTEGERS if tolerance.is_exact() => {
            Class::Integer
        }
        DataType::Int64 | DataType::UInt64 | &EXACT_INTEGERS => Class::Numeric,
        _ => Class::Label,
    };
    if class == Class::Label && !tolerance.is_exact() {
        return Err(incomparable(format!(
            "column `{name}` is {}; a tolerance applies to numbers only{}",
            display_type(&common),
            if explicit {
                ""
            } else {
                " (the diff-wide `tolerance` reached it: list the columns it is for)"
            }
        )));
    }
    // Integers under a tolerance are compared as floats.
    let common = if class == Class::Numeric {
        DataType::Float64
    } else {
        common
    };
    Ok(ColumnPlan {
        name: name.to_string(),
        baseline_type: bt,
        candidate_type: ct,
        common,
        class,
        tolerance,
    })
}

/// Where uint64 meets a signed integer: every value of both, exactly.
pub const EXACT_INTEGERS: DataType = DataType::Decimal128(20, 0);

/// The type two sides are compared as, when they can be compared safely:
/// integers widen to 64 bits, any float or decimal makes both floats, the
/// string encodings meet as `Utf8`, a dictionary compares as its values,
/// and timestamps meet at nanoseconds (in UTC when either has a zone).
pub fn common_type(a: &DataType, b: &DataType) -> Option<DataType> {
    use DataType as D;
    let a = unwrap_dictionary(a);
    let b = unwrap_dictionary(b);
    let int = |t: &D| t.is_integer();
    let float = |t: &D| t.is_floating() || matches!(t, D::Decimal128(..) | D::Decimal256(..));
    let string = |t: &D| matches!(t, D::Utf8 | D::LargeUtf8 | D::Utf8View);
    Some(match (a, b) {
        // uint64 against a signed integer meets as decimal(20, 0), which
        // holds both ranges exactly: as floats, 2^53 + 1 would equal 2^53.
        _ if int(a) && int(b) => {
            if a.is_unsigned_integer() && b.is_unsigned_integer() {
                D::UInt64
            } else if matches!(a, D::UInt64) || matches!(b, D::UInt64) {
                EXACT_INTEGERS
            } else {
                D::Int64
            }
        }
        _ if (float(a) || int(a)) && (float(b) || int(b)) => D::Float64,
        // Parquet strings arrive as views; comparing as views avoids a copy.
        _ if string(a) && string(b) => D::Utf8View,
        (D::Boolean, D::Boolean) => D::Boolean,
        (D::Date32 | D::Date64, D::Date32 | D::Date64) => D::Date32,
        // Units widen to nanoseconds. Zoned instants meet in UTC; a
        // timestamp without a zone (a MySQL DATETIME, say) meets a UTC one
        // read as UTC, and any other zone not at all: its wall-clock
        // reading would be a guess.
        (D::Timestamp(_, za), D::Timestamp(_, zb)) => {
            let zone = match (za, zb) {
                (None, None) => None,
                (Some(_), Some(_)) => Some("UTC".into()),
                (Some(z), None) | (None, Some(z)) if is_utc(z) => Some("UTC".into()),
                _ => return None,
            };
            D::Timestamp(datafusion::arrow::datatypes::TimeUnit::Nanosecond, zone)
        }
        _ if a == b => a.clone(),
        _ => return None,
    })
}

/// Whether an Arrow time zone names UTC itself.
fn is_utc(zone: &str) -> bool {
    matches!(
        zone.to_ascii_uppercase().as_str(),
        "UTC" | "Z" | "+00:00" | "+0000" | "+00" | "ETC/UTC" | "GMT" | "ETC/GMT"
    )
}

fn unwrap_dictionary(t: &DataType) -> &DataType {
    match t {
        DataType::Dictionary(_, v) => v,
        other => other,
    }
}

/// Where each input sits in a joined batch.
#[derive(Debug, Clone)]
pub struct Layout {
    pub keys: usize,
    pub in_baseline: usize,
    pub in_candidate: usize,
    /// Column index of the truth presence marker, with a truth source.
    pub in_truth: Option<usize>,
    /// (baseline, candidate) column indexes per compared column.
    pub columns: Vec<(usize, usize)>,
    /// Column indexes of the slice columns' values.
    pub slices: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::TimeUnit;

    #[test]
    fn common_types() {
        use DataType as D;
        assert_eq!(common_type(&D::Int32, &D::Int64), Some(D::Int64));
        assert_eq!(common_type(&D::UInt8, &D::UInt32), Some(D::UInt64));
        assert_eq!(
            common_type(&D::UInt64, &D::Int8),
            Some(D::Decimal128(20, 0))
        );
        assert_eq!(common_type(&D::Int64, &D::Float32), Some(D::Float64));
        assert_eq!(common_type(&D::Utf8View, &D::LargeUtf8), Some(D::Utf8View));
        let dict = D::Dictionary(Box::new(D::Int32), Box::new(D::Utf8));
        assert_eq!(common_type(&dict, &D::Utf8), Some(D::Utf8View));
        assert_eq!(common_type(&D::Utf8, &D::Int64), None);
        assert_eq!(common_type(&D::Boolean, &D::Int64), None);
        let naive = D::Timestamp(TimeUnit::Microsecond, None);
        let zoned = D::Timestamp(TimeUnit::Millisecond, Some("+02:00".into()));
        assert_eq!(common_type(&naive, &zoned), None);
        let utc = D::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()));
        assert_eq!(
            common_type(&utc, &naive),
            Some(D::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())))
        );
        assert_eq!(
            common_type(&naive, &D::Timestamp(TimeUnit::Second, None)),
            Some(D::Timestamp(TimeUnit::Nanosecond, None))
        );
    }
}
