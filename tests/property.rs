//! The one-scan aggregate computes the same values as naive
//! one-query-per-metric SQL, on random small tables with nulls and NaN.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, DictionaryArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::ParquetReadOptions;
use datafusion::scalar::ScalarValue;
use proptest::prelude::*;
use verdict::metric::exec::{aggregate, aggregate_explaining, offending_values};
use verdict::metric::{LitSet, Metric, Span, Value};
use verdict::spec::Lit;

fn table() -> impl Strategy<Value = Vec<(Option<i64>, Option<f64>, Option<String>)>> {
    let int = prop::option::of(-1000i64..1000);
    let float = prop::option::of(prop_oneof![
        8 => -1e3f64..1e3,
        1 => Just(f64::NAN),
    ]);
    let text = prop::option::of("[xyz]{0,4}");
    prop::collection::vec((int, float, text), 0..40)
}

fn write(
    rows: &[(Option<i64>, Option<f64>, Option<String>)],
    path: &std::path::Path,
) -> Arc<Schema> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("a b", DataType::Int64, true),
        Field::new("f", DataType::Float64, true),
        Field::new("s", DataType::Utf8, true),
        // The same strings as a dictionary column, read back as one.
        Field::new(
            "d",
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            true,
        ),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        )),
        Arc::new(Float64Array::from(
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
        )),
        Arc::new(
            rows.iter()
                .map(|r| r.2.as_deref())
                .collect::<DictionaryArray<Int32Type>>(),
        ),
    ];
    let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema.clone(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    schema
}

/// The metric as its own query, written the obvious way.
fn naive_sql(m: &Metric) -> String {
    let nonan = "where not isnan(\"f\")";
    match m {
        Metric::RowCount => "select count(*) from t".into(),
        Metric::NonNullCount(c) => format!("select count(\"{c}\") from t"),
        Metric::NanCount(c) => format!("select count(*) from t where isnan(\"{c}\")"),
        Metric::Min(c) if c == "f" => format!("select min(f) from t {nonan}"),
        Metric::Max(c) if c == "f" => format!("select max(f) from t {nonan}"),
        Metric::Sum(c) if c == "f" => format!("select sum(f) from t {nonan}"),
        Metric::Mean(c) if c == "f" => format!("select avg(f) from t {nonan}"),
        Metric::Stddev(c) if c == "f" => format!("select stddev(f) from t {nonan}"),
        Metric::Min(c) => format!("select min(\"{c}\") from t"),
        Metric::Max(c) => format!("select max(\"{c}\") from t"),
        Metric::Sum(c) => format!("select sum(\"{c}\") from t"),
        Metric::Mean(c) => format!("select avg(\"{c}\") from t"),
        Metric::Stddev(c) => format!("select stddev(\"{c}\") from t"),
        Metric::MinLength(c) => format!("select min(length(\"{c}\")) from t"),
        Metric::MaxLength(c) => format!("select max(length(\"{c}\")) from t"),
        Metric::NotInSet(c, _) => {
            format!("select count(*) from t where \"{c}\" not in ('x', 'yy')")
        }
        Metric::NotMatching(c, p) => {
            format!("select count(*) from t where not regexp_like(\"{c}\", '{p}')")
        }
        Metric::InSet(c, _) => format!("select count(*) from t where \"{c}\" in ('x', 'yy')"),
        Metric::Matching(c, p) => {
            format!("select count(*) from t where regexp_like(\"{c}\", '{p}')")
        }
        Metric::LengthOutside(c, lo, hi) => format!(
            "select count(*) from t where length(\"{c}\") < {} or length(\"{c}\") > {}",
            lo.unwrap_or(i64::MIN),
            hi.unwrap_or(i64::MAX)
        ),
        Metric::DistinctCount(c) | Metric::ExactDistinct(c) => {
            format!("select count(distinct \"{c}\") from t")
        }
        Metric::TrueCount(c) => format!("select count(*) from t where \"{c}\""),
        // NaN is above every number, as DataFusion orders floats. Counted
        // with CASE, not WHERE: Parquet statistics leave NaN out of a row
        // group's max, so a WHERE would prune the row group holding it.
        // A missing end bounds nothing (NaN, above every number, is
        // inside a range with no upper end).
        Metric::OutsideRange(c, s) => format!(
            "select count(case when {} or {} then 1 end) from t",
            s.lo.as_ref().map_or("false".into(), |l| format!(
                "\"{c}\" {} {l}",
                if s.lo_open { "<=" } else { "<" }
            )),
            s.hi.as_ref().map_or("false".into(), |h| format!(
                "\"{c}\" {} {h}",
                if s.hi_open { ">=" } else { ">" }
            )),
        ),
        // The plumbing (NaN skipped, integers as doubles); the values
        // against numpy are in tests/row_checks.rs.
        Metric::Quantile(c, q) if c == "f" => {
            format!("select percentile_cont(f, {q}) from t {nonan}")
        }
        Metric::Quantile(c, q) => {
            format!("select percentile_cont(cast(\"{c}\" as double), {q}) from t")
        }
        Metric::ExpressionFalse(e) => format!("select count(*) from t where ({e}) = false"),
        Metric::ExpressionKnown(e) => format!("select count(*) from t where ({e}) is not null"),
    }
}

fn close(a: &Option<Value>, b: &Option<Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) => p == q || (p - q).abs() <= 1e-9 * p.abs().max(q.abs()).max(1.0),
            _ => x == y,
        },
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn one_scan_equals_naive_sql(rows in table()) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let schema = write(&rows, &path);
        let metrics = vec![
            Metric::RowCount,
            Metric::NonNullCount("a b".into()),
            Metric::NonNullCount("f".into()),
            Metric::NanCount("f".into()),
            Metric::Min("a b".into()),
            Metric::Max("a b".into()),
            Metric::Sum("a b".into()),
            Metric::Mean("a b".into()),
            Metric::Stddev("a b".into()),
            Metric::Min("f".into()),
            Metric::Max("f".into()),
            Metric::Sum("f".into()),
            Metric::Mean("f".into()),
            Metric::Stddev("f".into()),
            Metric::MinLength("s".into()),
            Metric::MaxLength("s".into()),
            Metric::NotInSet("s".into(), LitSet(vec![Lit::Str("x".into()), Lit::Str("yy".into())])),
            Metric::NotMatching("s".into(), "^x".into()),
            Metric::InSet("s".into(), LitSet(vec![Lit::Str("x".into()), Lit::Str("yy".into())])),
            Metric::Matching("s".into(), "^x".into()),
            // A HyperLogLog estimate, exact at these sizes.
            Metric::DistinctCount("s".into()),
            Metric::ExactDistinct("s".into()),
            Metric::LengthOutside("s".into(), Some(1), Some(2)),
            Metric::LengthOutside("s".into(), None, Some(1)),
            Metric::ExactDistinct("a b".into()),
            // String tests on a dictionary column: once per entry.
            Metric::MinLength("d".into()),
            Metric::MaxLength("d".into()),
            Metric::NotInSet("d".into(), LitSet(vec![Lit::Str("x".into()), Lit::Str("yy".into())])),
            Metric::NotMatching("d".into(), "^x".into()),
            Metric::InSet("d".into(), LitSet(vec![Lit::Str("x".into()), Lit::Str("yy".into())])),
            Metric::Matching("d".into(), "y$".into()),
            Metric::LengthOutside("d".into(), Some(1), Some(2)),
            Metric::NonNullCount("d".into()),
            Metric::OutsideRange("f".into(), Span::closed(Some(Lit::Int(-100)), Some(Lit::Float(250.5)))),
            Metric::OutsideRange("a b".into(), Span::closed(None, Some(Lit::Int(0)))),
            Metric::OutsideRange("a b".into(), Span::closed(Some(Lit::Float(-0.5)), None)),
            // Open ends (`above`, `below`): the bound itself is outside.
            Metric::OutsideRange(
                "a b".into(),
                Span { lo: Some(Lit::Int(0)), hi: Some(Lit::Int(5)), lo_open: true, hi_open: true },
            ),
            Metric::OutsideRange(
                "f".into(),
                Span { lo: Some(Lit::Float(-0.5)), hi: None, lo_open: true, hi_open: false },
            ),
            Metric::ExpressionFalse("\"a b\" * 2 > f".into()),
            Metric::ExpressionKnown("\"a b\" * 2 > f".into()),
            Metric::ExpressionFalse("s like 'x%' or \"a b\" is null".into()),
            Metric::Quantile("f".into(), "0.5".into()),
            Metric::Quantile("a b".into(), "0.9".into()),
        ];
        rt.block_on(async {
            let ctx = verdict::engine::Settings::default().session(false).unwrap();
            ctx.register_parquet("t", path.to_str().unwrap(), ParquetReadOptions::default()).await.unwrap();
            let (values, scans) = aggregate(&ctx, "t", &schema, &metrics, None).await;
            let values = values.unwrap();
            prop_assert_eq!(scans.len(), 1);
            // The same scan counting offending values: the same values.
            let (explained, scans, offending) =
                aggregate_explaining(&ctx, "t", &schema, &metrics, None).await;
            let explained = explained.unwrap();
            prop_assert_eq!(scans.len(), 1);
            for m in &metrics {
                let batches = ctx.sql(&naive_sql(m)).await.unwrap().collect().await.unwrap();
                let s = ScalarValue::try_from_array(batches[0].column(0), 0).unwrap();
                let want = Value::from_scalar(&s).unwrap();
                let got = values[m].clone().unwrap();
                prop_assert!(close(&got, &want), "{}: one scan {:?}, naive {:?}", m, got, want);
                let got = explained[m].clone().unwrap();
                prop_assert!(close(&got, &want), "{}: counting values {:?}, naive {:?}", m, got, want);
            }
            // Every non-float metric with a violation predicate had its
            // values counted in the scan, exactly as the query finds them.
            for m in &metrics {
                let column = m.column().unwrap_or_default();
                let Some(pred) = schema
                    .field_with_name(column)
                    .ok()
                    .filter(|f| f.data_type() != &DataType::Float64)
                    .and_then(|f| m.violation(f.data_type()))
                else {
                    prop_assert!(!offending.contains_key(m), "{}: counted", m);
                    continue;
                };
                let (queried, _) = offending_values(&ctx, "t", column, pred, 1_000).await;
                let queried = queried.unwrap();
                prop_assert_eq!(offending.get(m), Some(&queried), "{}", m);
            }
            Ok(())
        })?;
    }
}

/// Keys occurring more than once and the rows they span, the obvious way.
fn expected_duplicates(keys: &[Option<i64>]) -> (u64, u64) {
    let mut counts = std::collections::HashMap::new();
    for k in keys.iter().flatten() {
        *counts.entry(*k).or_insert(0u64) += 1;
    }
    let dup: Vec<u64> = counts.values().copied().filter(|c| *c > 1).collect();
    (dup.len() as u64, dup.iter().sum())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// The integer bitmap path, the unsigned path and the group-by path
    /// agree with a hash-map count, nulls and negative keys included.
    #[test]
    fn duplicate_counts_agree(keys in prop::collection::vec(prop::option::of(-6i64..6), 0..60)) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (want_keys, want_rows) = expected_duplicates(&keys);
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Int64, true),
            Field::new("u", DataType::UInt64, true),
            Field::new("s", DataType::Utf8, true),
        ]));
        // Unsigned keys beyond i64::MAX must not collide or overflow.
        let unsigned: Vec<Option<u64>> = keys.iter().map(|k| k.map(|v| u64::MAX - v.unsigned_abs() * 2 - u64::from(v < 0))).collect();
        let text: Vec<Option<String>> = keys.iter().map(|k| k.map(|v| format!("key {v}"))).collect();
        let batch = RecordBatch::try_new(schema.clone(), vec![
            Arc::new(Int64Array::from(keys.clone())) as ArrayRef,
            Arc::new(datafusion::arrow::array::UInt64Array::from(unsigned)),
            Arc::new(StringArray::from(text)),
        ]).unwrap();
        rt.block_on(async {
            let ctx = verdict::engine::Settings::default().session(false).unwrap();
            ctx.register_batch("t", batch).unwrap();
            for cols in [vec!["k"], vec!["u"], vec!["s"], vec!["k", "s"]] {
                let cols: Vec<String> = cols.into_iter().map(String::from).collect();
                let (d, _) = verdict::metric::exec::duplicates(&ctx, "t", &schema, &cols, 3, None).await;
                let d = d.unwrap();
                prop_assert_eq!((d.keys, d.rows), (want_keys, want_rows), "{:?}", cols);
            }
            Ok(())
        })?;
    }
}
