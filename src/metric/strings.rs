//! String checks evaluated once per distinct value of a batch, not once
//! per row. Parquet string columns are usually dictionary-encoded; the
//! reader turns such a column into string views that point at the
//! dictionary, so rows holding the same dictionary entry carry the same
//! 16-byte view. `verdict_distinct` turns a batch's views back into a
//! dictionary (one hash per row, shared by every test of the column), and
//! a `regex`, `in_set` or `length` test runs once per entry and is looked
//! up per row. Where most values of a batch differ (plain encoding, unique
//! strings), the batch becomes the identity dictionary and every row is
//! tested, as DataFusion's own functions would.
//!
//! Each function means exactly what DataFusion's does (`character_length`,
//! `regexp_like` without flags, `IN` over string literals): null in, null
//! out. They only run where verdict plans the query itself: not in a
//! database, not on a cluster (whose executors do not know them).

use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, DictionaryArray, Int32Array, Int64Array, UInt32Array,
};
use datafusion::arrow::buffer::{BooleanBuffer, NullBuffer};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Int32Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

type Memo<T> = std::collections::HashMap<u128, T, foldhash::fast::FixedState>;

/// The number of characters of each string (`character_length`).
pub fn char_length(value: Expr) -> Expr {
    udf(Kind::Length).call(vec![ENCODE.call(vec![value])])
}

/// Whether each string matches `pattern` (`regexp_like` without flags);
/// `None` when the pattern does not compile (the suite's loader reports
/// that before any query).
pub fn matches(value: Expr, pattern: &str) -> Option<Expr> {
    let re = regex::Regex::new(pattern).ok()?;
    Some(udf(Kind::Matches(re)).call(vec![ENCODE.call(vec![value])]))
}

/// Whether each string is one of `set` (`value IN (…)`).
pub fn in_set(value: Expr, set: impl IntoIterator<Item = String>) -> Expr {
    let set = set.into_iter().collect();
    udf(Kind::InSet(set)).call(vec![ENCODE.call(vec![value])])
}

fn udf(kind: Kind) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(StringTest {
        kind,
        signature: Signature::any(1, Volatility::Immutable),
    }))
}

#[derive(Debug)]
enum Kind {
    Length,
    Matches(regex::Regex),
    InSet(HashSet<String, foldhash::fast::FixedState>),
}

#[derive(Debug)]
struct StringTest {
    kind: Kind,
    signature: Signature,
}

impl StringTest {
    /// What identifies the test: the kind and its pattern or sorted set.
    fn key(&self) -> (u8, Vec<&str>) {
        match &self.kind {
            Kind::Length => (0, vec![]),
            Kind::Matches(re) => (1, vec![re.as_str()]),
            Kind::InSet(set) => {
                let mut v: Vec<&str> = set.iter().map(String::as_str).collect();
                v.sort_unstable();
                (2, v)
            }
        }
    }
}

impl PartialEq for StringTest {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for StringTest {}

impl Hash for StringTest {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl ScalarUDFImpl for StringTest {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Length => "verdict_char_length",
            Kind::Matches(_) => "verdict_matches",
            Kind::InSet(_) => "verdict_in_set",
        }
    }

    /// Tests of the same column with different patterns or sets must not
    /// share a name in a plan.
    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        let arg = args
            .iter()
            .map(|a| a.schema_name().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(match &self.kind {
            Kind::Length => format!("verdict_char_length({arg})"),
            Kind::Matches(re) => format!("verdict_matches({arg}, {:?})", re.as_str()),
            Kind::InSet(set) => {
                let key = self.key().1;
                let hash = foldhash::fast::FixedState::default().hash_one(&key);
                format!("verdict_in_set({arg}, {} values #{hash:016x})", set.len())
            }
        })
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let [t] = arg_types else {
            return Err(plan(self.name(), arg_types));
        };
        if !crate::types::is_string(t) {
            return Err(plan(self.name(), arg_types));
        }
        Ok(match (&self.kind, t) {
            (Kind::Length, DataType::LargeUtf8) => DataType::Int64,
            (Kind::Length, DataType::Dictionary(_, v)) if **v == DataType::LargeUtf8 => {
                DataType::Int64
            }
            (Kind::Length, _) => DataType::Int32,
            _ => DataType::Boolean,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value] = args.args.as_slice() else {
            return Err(DataFusionError::Internal(format!(
                "{} takes one argument",
                self.name()
            )));
        };
        let wide = args.return_field.data_type() == &DataType::Int64;
        let array = value.to_array(args.number_rows)?;
        let out: ArrayRef = match &self.kind {
            Kind::Length => {
                let (v, nulls) = per_value(&array, &|s: &str| s.chars().count() as i32)?;
                if wide {
                    Arc::new(Int64Array::new(
                        v.into_iter().map(i64::from).collect(),
                        nulls,
                    ))
                } else {
                    Arc::new(Int32Array::new(v.into(), nulls))
                }
            }
            Kind::Matches(re) => boolean(per_value(&array, &|s: &str| re.is_match(s))?),
            Kind::InSet(set) => boolean(per_value(&array, &|s: &str| set.contains(s))?),
        };
        shaped_like(value, out)
    }
}

/// The answer as the argument came: a scalar for a scalar.
fn shaped_like(value: &ColumnarValue, out: ArrayRef) -> Result<ColumnarValue> {
    Ok(match value {
        ColumnarValue::Scalar(_) => {
            ColumnarValue::Scalar(datafusion::scalar::ScalarValue::try_from_array(&out, 0)?)
        }
        ColumnarValue::Array(_) => ColumnarValue::Array(out),
    })
}

fn plan(name: &str, arg_types: &[DataType]) -> DataFusionError {
    DataFusionError::Plan(format!("{name} takes one string, not {arg_types:?}"))
}

fn boolean((v, nulls): (Vec<bool>, Option<NullBuffer>)) -> ArrayRef {
    let bits = BooleanBuffer::collect_bool(v.len(), |i| v[i]);
    Arc::new(BooleanArray::new(bits, nulls))
}

/// `f` of every value of a string array (the default where null), with the
/// array's nulls. A dictionary array is tested once per entry.
fn per_value<T: Copy + Default>(
    a: &ArrayRef,
    f: &dyn Fn(&str) -> T,
) -> Result<(Vec<T>, Option<NullBuffer>)> {
    let each = |v: Option<&str>| v.map_or_else(T::default, f);
    Ok(match a.data_type() {
        DataType::Utf8View => (
            a.as_string_view().iter().map(each).collect(),
            a.nulls().cloned(),
        ),
        DataType::Utf8 => (
            a.as_string::<i32>().iter().map(each).collect(),
            a.nulls().cloned(),
        ),
        DataType::LargeUtf8 => (
            a.as_string::<i64>().iter().map(each).collect(),
            a.nulls().cloned(),
        ),
        DataType::Dictionary(k, _) => {
            let dict = a.as_any_dictionary();
            let (entries, _) = per_value(dict.values(), f)?;
            let at = |k: usize| entries.get(k).copied().unwrap_or_default();
            let v = match **k {
                DataType::Int32 => {
                    let keys = a.as_dictionary::<Int32Type>().keys().values();
                    keys.iter().map(|&k| at(k as usize)).collect()
                }
                _ => dict.normalized_keys().into_iter().map(at).collect(),
            };
            (v, a.logical_nulls())
        }
        other => {
            return Err(DataFusionError::Internal(format!(
                "a string test got a {other} array"
            )))
        }
    })
}

/// The distinct values of a batch of string views as a dictionary, so that
/// every test of the column runs once per distinct value. Equal views hold
/// equal strings; a dictionary-encoded Parquet column gives every row of an
/// entry the same view. A batch whose first quarter is mostly distinct is
/// returned as the identity dictionary (each row its own entry).
fn encode(a: &ArrayRef) -> Result<ArrayRef> {
    let n = a.len();
    let identity = || -> Result<ArrayRef> {
        let keys = Int32Array::new((0..n as i32).collect(), a.nulls().cloned());
        Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
            keys,
            a.clone(),
        )?))
    };
    match a.data_type() {
        DataType::Dictionary(..) => return Ok(a.clone()),
        DataType::Utf8View => {}
        _ => return identity(),
    }
    let views = a.as_string_view().views();
    let nulls = a.nulls();
    let check_at = (n / 4).max(64);
    let mut ids: Memo<i32> = Memo::with_capacity_and_hasher(1024, Default::default());
    let mut first: Vec<u32> = Vec::new();
    let mut keys: Vec<i32> = Vec::with_capacity(n);
    for (i, view) in views.iter().enumerate() {
        if i == check_at && first.len() * 4 > i * 3 {
            return identity();
        }
        if nulls.is_some_and(|b| b.is_null(i)) {
            keys.push(0);
            continue;
        }
        let id = *ids.entry(*view).or_insert_with(|| {
            first.push(i as u32);
            first.len() as i32 - 1
        });
        keys.push(id);
    }
    let values = take(a.as_ref(), &UInt32Array::from(first), None)?;
    let keys = Int32Array::new(keys.into(), nulls.cloned());
    Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
        keys, values,
    )?))
}

/// `verdict_distinct(value)`: [`encode`] as a function, computed once per
/// batch and column however many tests read it.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Encode {
    signature: Signature,
}

static ENCODE: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
    Arc::new(ScalarUDF::from(Encode {
        signature: Signature::any(1, Volatility::Immutable),
    }))
});

impl ScalarUDFImpl for Encode {
    fn name(&self) -> &str {
        "verdict_distinct"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [t @ DataType::Dictionary(..)] if crate::types::is_string(t) => Ok(t.clone()),
            [t] if crate::types::is_string(t) => Ok(DataType::Dictionary(
                Box::new(DataType::Int32),
                Box::new(t.clone()),
            )),
            _ => Err(plan(self.name(), arg_types)),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [value] = args.args.as_slice() else {
            return Err(DataFusionError::Internal(
                "verdict_distinct takes one argument".into(),
            ));
        };
        shaped_like(value, encode(&value.to_array(args.number_rows)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{StringArray, StringViewArray, StringViewBuilder};
    use proptest::prelude::*;

    fn naive_length(s: Option<&str>) -> Option<i64> {
        s.map(|s| s.chars().count() as i64)
    }

    fn run(kind: Kind, a: ArrayRef) -> Vec<Option<String>> {
        let t = StringTest {
            kind,
            signature: Signature::any(1, Volatility::Immutable),
        };
        let rt = t.return_type(&[a.data_type().clone()]).unwrap();
        let out = t
            .invoke_with_args(ScalarFunctionArgs {
                args: vec![ColumnarValue::Array(a.clone())],
                arg_fields: vec![Arc::new(datafusion::arrow::datatypes::Field::new(
                    "s",
                    a.data_type().clone(),
                    true,
                ))],
                number_rows: a.len(),
                return_field: Arc::new(datafusion::arrow::datatypes::Field::new("r", rt, true)),
                config_options: Arc::default(),
            })
            .unwrap()
            .to_array(a.len())
            .unwrap();
        (0..out.len())
            .map(|i| {
                (!out.is_null(i)).then(|| {
                    datafusion::arrow::util::display::array_value_to_string(&out, i).unwrap()
                })
            })
            .collect()
    }

    /// Every encoding of the same strings: plain, views deduplicated as the
    /// Parquet reader makes them from a dictionary, views not deduplicated,
    /// and a dictionary array whose entries include unused ones and a null.
    fn encodings(rows: &[Option<String>], unused: &[String]) -> Vec<ArrayRef> {
        let plain: ArrayRef = Arc::new(StringArray::from(rows.to_vec()));
        let mut shared = StringViewBuilder::new().with_deduplicate_strings();
        let mut own = StringViewBuilder::new();
        for r in rows {
            shared.append_option(r.as_deref());
            own.append_option(r.as_deref());
        }
        // Entries: the unused strings, a null entry, then each row's value.
        let mut entries: Vec<Option<String>> = unused.iter().cloned().map(Some).collect();
        entries.push(None);
        let null_entry = (entries.len() - 1) as i32;
        let mut keys = Vec::new();
        for r in rows {
            match r {
                Some(s) => {
                    keys.push(Some(entries.len() as i32));
                    entries.push(Some(s.clone()));
                }
                // Nulls both ways: a null key and a key to a null entry.
                None if keys.len() % 2 == 0 => keys.push(None),
                None => keys.push(Some(null_entry)),
            }
        }
        let dict = DictionaryArray::<Int32Type>::try_new(
            keys.into(),
            Arc::new(StringArray::from(entries)),
        )
        .unwrap();
        vec![
            plain,
            Arc::new(shared.finish()),
            Arc::new(own.finish()),
            Arc::new(dict),
        ]
    }

    proptest! {
        #[test]
        fn every_encoding_gives_the_per_row_answer(
            pool in prop::collection::vec("[a-cé]{0,14}", 1..12),
            picks in prop::collection::vec(prop::option::of(0usize..12), 0..300),
            unused in prop::collection::vec("[a-z]{0,3}", 0..4),
        ) {
            let rows: Vec<Option<String>> = picks
                .iter()
                .map(|p| p.map(|i| pool[i % pool.len()].clone()))
                .collect();
            let re = regex::Regex::new("^a.*b").unwrap();
            let set: HashSet<String, foldhash::fast::FixedState> =
                [pool[0].clone(), "zz".to_string()].into_iter().collect();
            let want_len: Vec<Option<String>> = rows
                .iter()
                .map(|r| naive_length(r.as_deref()).map(|n| n.to_string()))
                .collect();
            let want_re: Vec<Option<String>> = rows
                .iter()
                .map(|r| r.as_deref().map(|s| re.is_match(s).to_string()))
                .collect();
            let want_set: Vec<Option<String>> = rows
                .iter()
                .map(|r| r.as_deref().map(|s| set.contains(s).to_string()))
                .collect();
            for plain in encodings(&rows, &unused) {
                // Each encoding as it comes and as `verdict_distinct` makes it.
                for a in [plain.clone(), encode(&plain).unwrap()] {
                    prop_assert_eq!(&run(Kind::Length, a.clone()), &want_len, "{}", a.data_type());
                    prop_assert_eq!(&run(Kind::Matches(re.clone()), a.clone()), &want_re, "{}", a.data_type());
                    prop_assert_eq!(&run(Kind::InSet(set.clone()), a.clone()), &want_set, "{}", a.data_type());
                }
            }
        }
    }

    #[test]
    fn shared_views_become_one_entry_each_and_distinct_ones_the_identity() {
        // 4,000 rows of 3 values (one longer than a view holds inline), as
        // the Parquet reader gives a dictionary-encoded column.
        let mut b = StringViewBuilder::new().with_deduplicate_strings();
        for i in 0..4000 {
            match i % 4 {
                0 => b.append_value("FR"),
                1 => b.append_value("a value longer than twelve bytes"),
                2 => b.append_null(),
                _ => b.append_value("DE"),
            }
        }
        let a: ArrayRef = Arc::new(b.finish());
        let d = encode(&a).unwrap();
        let d = d.as_dictionary::<Int32Type>();
        assert_eq!(d.values().len(), 3);
        assert_eq!(d.null_count(), 1000);
        // 1,000 distinct values: every row is its own entry.
        let rows: Vec<Option<String>> = (0..1000).map(|i| Some(format!("value-{i:05}"))).collect();
        let a: ArrayRef = Arc::new(StringViewArray::from(rows));
        let d = encode(&a).unwrap();
        let d = d.as_dictionary::<Int32Type>();
        assert_eq!(d.values().len(), 1000);
        assert_eq!(d.keys().values()[999], 999);
        assert!(run(Kind::Length, a)
            .iter()
            .all(|v| v.as_deref() == Some("11")));
    }
}
