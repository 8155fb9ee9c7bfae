//! `sum` for a user's SQL that fails on integer overflow. DataFusion's
//! own `sum` adds 64-bit integers with wrap-around, so three int64 maxima
//! sum to -3 and a `max: 0` bound passes. This one replaces `sum` in every
//! session verdict plans in: integer sums are added with overflow checks
//! (an overflow is an error naming the sum and the fix); sums of floats,
//! decimals, durations and intervals, and `sum(DISTINCT …)`, are
//! DataFusion's own.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, ArrowPrimitiveType, AsArray, BooleanArray, PrimitiveArray,
};
use datafusion::arrow::datatypes::{ArrowNativeTypeOp, DataType, FieldRef, Int64Type, UInt64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::functions_aggregate::sum::Sum;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Documentation, EmitTo, GroupsAccumulator,
    ReversedUDAF, SetMonotonicity, Signature,
};
use datafusion::scalar::ScalarValue;

/// The session's `sum`.
pub fn udaf() -> AggregateUDF {
    AggregateUDF::from(CheckedSum { inner: Sum::new() })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct CheckedSum {
    inner: Sum,
}

/// Whether a sum of this type is ours to check: the integer sums.
fn checked(args: &AccumulatorArgs) -> bool {
    !args.is_distinct
        && matches!(
            args.return_field.data_type(),
            DataType::Int64 | DataType::UInt64
        )
}

fn overflow(name: &str, dt: &DataType) -> DataFusionError {
    DataFusionError::Execution(format!(
        "{name} overflows {}: the true sum is past what it holds; sum a decimal instead, \
         e.g. sum(CAST(x AS DECIMAL(38, 0)))",
        crate::types::display_type(dt)
    ))
}

impl AggregateUDFImpl for CheckedSum {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.inner.return_type(arg_types)
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if !checked(&args) {
            return self.inner.accumulator(args);
        }
        let (name, dt) = (args.name.to_string(), args.return_field.data_type().clone());
        Ok(match dt {
            DataType::Int64 => Box::new(Running::<Int64Type>::new(name, dt)),
            _ => Box::new(Running::<UInt64Type>::new(name, dt)),
        })
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        self.inner.state_fields(args)
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        checked(&args) || self.inner.groups_accumulator_supported(args)
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        if !checked(&args) {
            return self.inner.create_groups_accumulator(args);
        }
        let (name, dt) = (args.name.to_string(), args.return_field.data_type().clone());
        Ok(match dt {
            DataType::Int64 => Box::new(Groups::<Int64Type>::new(name, dt)),
            _ => Box::new(Groups::<UInt64Type>::new(name, dt)),
        })
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if checked(&args) {
            self.accumulator(args)
        } else {
            self.inner.create_sliding_accumulator(args)
        }
    }

    fn reverse_expr(&self) -> ReversedUDAF {
        ReversedUDAF::Identical
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        self.inner.order_sensitivity()
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.inner.documentation()
    }

    fn set_monotonicity(&self, data_type: &DataType) -> SetMonotonicity {
        self.inner.set_monotonicity(data_type)
    }
}

/// One running sum (no GROUP BY, or a window frame).
#[derive(Debug)]
struct Running<T: ArrowPrimitiveType> {
    sum: T::Native,
    /// Values in the sum: a window frame whose rows all left it sums to
    /// NULL, not 0.
    count: u64,
    name: String,
    dt: DataType,
}

impl<T: ArrowPrimitiveType> Running<T> {
    fn new(name: String, dt: DataType) -> Self {
        Running {
            sum: T::Native::default(),
            count: 0,
            name,
            dt,
        }
    }

    fn add(&mut self, values: &ArrayRef, negate: bool) -> Result<()> {
        let values = values.as_primitive::<T>();
        let part = datafusion::arrow::compute::sum_checked(values)
            .map_err(|_| overflow(&self.name, &self.dt))?;
        if let Some(part) = part {
            let next = if negate {
                self.sum.sub_checked(part)
            } else {
                self.sum.add_checked(part)
            };
            self.sum = next.map_err(|_| overflow(&self.name, &self.dt))?;
        }
        let n = (values.len() - values.null_count()) as u64;
        self.count = if negate {
            self.count.saturating_sub(n)
        } else {
            self.count + n
        };
        Ok(())
    }
}

impl<T: ArrowPrimitiveType + std::fmt::Debug> Accumulator for Running<T> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.add(&values[0], false)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.add(&states[0], false)
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.add(&values[0], true)
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        ScalarValue::new_primitive::<T>((self.count > 0).then_some(self.sum), &self.dt)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![self.evaluate()?])
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.name.capacity()
    }
}

/// A sum per group of a GROUP BY.
#[derive(Debug)]
struct Groups<T: ArrowPrimitiveType> {
    sums: Vec<T::Native>,
    seen: Vec<bool>,
    name: String,
    dt: DataType,
}

impl<T: ArrowPrimitiveType> Groups<T> {
    fn new(name: String, dt: DataType) -> Self {
        Groups {
            sums: Vec::new(),
            seen: Vec::new(),
            name,
            dt,
        }
    }

    fn add(
        &mut self,
        values: &ArrayRef,
        groups: &[usize],
        filter: Option<&BooleanArray>,
        total: usize,
    ) -> Result<()> {
        self.sums.resize(total, T::Native::default());
        self.seen.resize(total, false);
        let values = values.as_primitive::<T>();
        for (row, &g) in groups.iter().enumerate() {
            if values.is_null(row) || filter.is_some_and(|f| !f.is_valid(row) || !f.value(row)) {
                continue;
            }
            self.sums[g] = self.sums[g]
                .add_checked(values.value(row))
                .map_err(|_| overflow(&self.name, &self.dt))?;
            self.seen[g] = true;
        }
        Ok(())
    }

    fn take(&mut self, emit_to: EmitTo) -> ArrayRef {
        let sums = emit_to.take_needed(&mut self.sums);
        let seen = emit_to.take_needed(&mut self.seen);
        let array = PrimitiveArray::<T>::new(sums.into(), Some(seen.into()))
            .with_data_type(self.dt.clone());
        Arc::new(array)
    }
}

impl<T: ArrowPrimitiveType + std::fmt::Debug> GroupsAccumulator for Groups<T> {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.add(&values[0], group_indices, opt_filter, total_num_groups)
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.add(&values[0], group_indices, None, total_num_groups)
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        Ok(self.take(emit_to))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.take(emit_to)])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let values = values[0].as_primitive::<T>();
        let kept: PrimitiveArray<T> = values
            .iter()
            .enumerate()
            .map(|(row, v)| {
                v.filter(|_| opt_filter.is_none_or(|f| f.is_valid(row) && f.value(row)))
            })
            .collect();
        Ok(vec![Arc::new(kept.with_data_type(self.dt.clone()))])
    }

    fn size(&self) -> usize {
        self.sums.capacity() * std::mem::size_of::<T::Native>() + self.seen.capacity()
    }
}
