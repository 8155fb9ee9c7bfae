//! Offending values counted inside the shared scan. A failed `in_set`,
//! `not_in_set` or `regex` check shows its most frequent offending values;
//! instead of a second query over the table after the failure, the
//! aggregate that counts the offending rows also counts each offending
//! value, exactly, as long as there are at most [`MAX_DISTINCT`] distinct
//! ones. Past that the count of rows stays exact, the values are dropped,
//! and the check falls back to the query ([`super::exec::offending_values`]).
//!
//! `verdict_offending(value, offends)` is the aggregate: it returns the
//! struct `{rows, values, counts}` — rows where `offends` is true and
//! `value` is not null, which is `count(value) FILTER (WHERE offends)`, and
//! the distinct offending values with their rows (`values` null when there
//! were too many). A row whose `offends` is null does not offend, as in a
//! `FILTER`. It only runs where verdict plans the query itself: not in a
//! database, not on a cluster.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, UInt64Type};
use datafusion::common::scalar::ScalarStructBuilder;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Expr, ReversedUDAF, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

use super::Value;

/// Distinct offending values kept per check; more, and the values come
/// from the query instead.
pub const MAX_DISTINCT: usize = 1_000;

static UDAF: LazyLock<Arc<AggregateUDF>> =
    LazyLock::new(|| Arc::new(AggregateUDF::from(Offending::new())));

/// `verdict_offending(value, offends)`.
pub fn expr(value: Expr, offends: Expr) -> Expr {
    UDAF.call(vec![value, offends])
}

/// What the aggregate found: the offending rows, and the offending values
/// with their rows when there were at most [`MAX_DISTINCT`] of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub rows: u64,
    pub values: Option<Vec<(Value, u64)>>,
}

/// Reads the aggregate's struct. The values come sorted as the query
/// sorts them: most rows first, ties by value ascending.
pub fn decode(s: &ScalarValue) -> std::result::Result<Found, String> {
    let ScalarValue::Struct(a) = s else {
        return Err(format!("offending values came back as {s:?}"));
    };
    let rows = a.column(0).as_primitive::<UInt64Type>().value(0);
    let (values, counts) = (a.column(1).as_list::<i32>(), a.column(2).as_list::<i32>());
    if values.is_null(0) {
        return Ok(Found { rows, values: None });
    }
    let (values, counts) = (values.value(0), counts.value(0));
    let counts = counts.as_primitive::<UInt64Type>();
    let mut found = Vec::with_capacity(values.len());
    for i in 0..values.len() {
        let v = ScalarValue::try_from_array(&values, i).map_err(|e| e.to_string())?;
        if let Ok(Some(value)) = Value::from_scalar(&v) {
            found.push((v, value, counts.value(i)));
        }
    }
    found.sort_by(|(a, _, m), (b, _, n)| {
        n.cmp(m)
            .then_with(|| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal))
    });
    let sorted = found.into_iter().map(|(_, v, n)| (v, n)).collect();
    Ok(Found {
        rows,
        values: Some(sorted),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Offending {
    signature: Signature,
}

impl Offending {
    fn new() -> Self {
        Offending {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

fn list(dt: &DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(dt.clone(), true)))
}

fn output_fields(value: &DataType) -> Fields {
    Fields::from(vec![
        Field::new("rows", DataType::UInt64, false),
        Field::new("values", list(value), true),
        Field::new("counts", list(&DataType::UInt64), true),
    ])
}

impl AggregateUDFImpl for Offending {
    fn name(&self) -> &str {
        "verdict_offending"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [value, DataType::Boolean | DataType::Null] => {
                Ok(DataType::Struct(output_fields(value)))
            }
            _ => Err(DataFusionError::Plan(format!(
                "verdict_offending(value, offends) takes a value and a boolean, not {arg_types:?}"
            ))),
        }
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let dt = args.expr_fields[0].data_type().clone();
        Ok(Box::new(Counter::new(dt)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let dt = args.input_fields[0].data_type();
        let name = |s: &str| format!("{}[{s}]", args.name);
        Ok(vec![
            Field::new(name("rows"), DataType::UInt64, false).into(),
            Field::new(name("values"), list(dt), true).into(),
            Field::new(name("counts"), list(&DataType::UInt64), true).into(),
        ])
    }

    fn reverse_expr(&self) -> ReversedUDAF {
        ReversedUDAF::Identical
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        AggregateOrderSensitivity::Insensitive
    }
}

/// The running count of one check's offending rows and values.
#[derive(Debug)]
struct Counter {
    dt: DataType,
    rows: u64,
    /// None once there were more than [`MAX_DISTINCT`] distinct values.
    values: Option<HashMap<ScalarValue, u64>>,
}

impl Counter {
    fn new(dt: DataType) -> Self {
        Counter {
            dt,
            rows: 0,
            values: Some(HashMap::new()),
        }
    }

    fn add(&mut self, v: ScalarValue, n: u64) {
        if let Some(m) = &mut self.values {
            *m.entry(v).or_default() += n;
            if m.len() > MAX_DISTINCT {
                self.values = None;
            }
        }
    }

    fn lists(&self) -> (ScalarValue, ScalarValue) {
        match &self.values {
            None => (
                ScalarValue::List(null_list(&self.dt)),
                ScalarValue::List(null_list(&DataType::UInt64)),
            ),
            Some(m) => {
                let (keys, counts): (Vec<ScalarValue>, Vec<ScalarValue>) = m
                    .iter()
                    .map(|(k, n)| (k.clone(), ScalarValue::UInt64(Some(*n))))
                    .unzip();
                (
                    ScalarValue::List(ScalarValue::new_list_nullable(&keys, &self.dt)),
                    ScalarValue::List(ScalarValue::new_list_nullable(&counts, &DataType::UInt64)),
                )
            }
        }
    }
}

fn null_list(dt: &DataType) -> Arc<ListArray> {
    match ScalarValue::new_null_list(dt.clone(), true, 1) {
        ScalarValue::List(l) => l,
        _ => unreachable!("new_null_list makes a list"),
    }
}

impl Accumulator for Counter {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let (value, offends) = (&values[0], &values[1]);
        if offends.data_type() == &DataType::Null {
            return Ok(());
        }
        let offends = offends.as_boolean();
        // A passing batch costs one count of set bits.
        if offends.true_count() == 0 {
            return Ok(());
        }
        for i in 0..offends.len() {
            if offends.is_valid(i) && offends.value(i) && value.is_valid(i) {
                self.rows += 1;
                if self.values.is_some() {
                    self.add(ScalarValue::try_from_array(value, i)?, 1);
                }
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let rows = states[0].as_primitive::<UInt64Type>();
        let (values, counts) = (states[1].as_list::<i32>(), states[2].as_list::<i32>());
        for r in 0..rows.len() {
            self.rows += rows.value(r);
            if values.is_null(r) {
                self.values = None;
            }
            if self.values.is_none() {
                continue;
            }
            let (v, n) = (values.value(r), counts.value(r));
            let n = n.as_primitive::<UInt64Type>();
            for i in 0..v.len() {
                self.add(ScalarValue::try_from_array(&v, i)?, n.value(i));
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let (values, counts) = self.lists();
        Ok(vec![ScalarValue::UInt64(Some(self.rows)), values, counts])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let (values, counts) = self.lists();
        let fields = output_fields(&self.dt);
        ScalarStructBuilder::new()
            .with_scalar(fields[0].clone(), ScalarValue::UInt64(Some(self.rows)))
            .with_scalar(fields[1].clone(), values)
            .with_scalar(fields[2].clone(), counts)
            .build()
    }

    fn size(&self) -> usize {
        size_of_val(self)
            + self.values.as_ref().map_or(0, |m| {
                m.keys().map(|k| k.size()).sum::<usize>() + m.capacity() * size_of::<u64>()
            })
    }
}
