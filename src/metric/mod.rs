//! Metrics: single values computed from a table. Each metric kind knows its
//! aggregate expression and how to decode its slice of the one result row
//! (Deequ's scan-shareable analyzers). Columns are always referenced with
//! `ident`, so a name from a suite is data and never parsed as SQL.
//!
//! NaN policy: for floating-point columns, `min`, `max`, `mean`, `sum` and
//! `stddev` skip NaN the way they skip null; NaN is counted by `nan_rate`.

pub mod exec;
mod offending;
pub mod plan;
mod strings;
pub mod value;

use std::fmt;

use datafusion::arrow::datatypes::DataType;
use datafusion::functions::expr_fn::{character_length, isnan, regexp_like};
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn::{
    approx_distinct, avg, count, count_distinct, max, min, stddev, sum,
};
use datafusion::functions_aggregate::percentile_cont::percentile_cont;
use datafusion::logical_expr::{cast, not, when, Expr, ExprFunctionExt};
use datafusion::prelude::{ident, lit};
use datafusion::scalar::ScalarValue;

use crate::database::dburl::Dialect;
use crate::spec::{ColumnMetric, Lit};
use crate::types;
pub use value::Value;

/// Keys that occur more than once, among rows whose key has no null.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicates {
    pub keys: u64,
    pub rows: u64,
    /// The smallest duplicated keys, one value per key column.
    pub sample: Vec<Vec<Value>>,
}

/// One value to compute over a whole table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    RowCount,
    NonNullCount(String),
    NanCount(String),
    Min(String),
    Max(String),
    Sum(String),
    Mean(String),
    Stddev(String),
    MinLength(String),
    MaxLength(String),
    /// Non-null values outside the set.
    NotInSet(String, LitSet),
    /// Non-null values the pattern does not match.
    NotMatching(String, String),
    /// Non-null values inside the set (`not_in_set`).
    InSet(String, LitSet),
    /// Non-null values the pattern matches (`not_regex`).
    Matching(String, String),
    /// Distinct non-null values: counted exactly by a database, estimated
    /// with HyperLogLog over files (see [`Metric::distinct_is_estimate`]).
    DistinctCount(String),
    /// Rows where a boolean column is true.
    TrueCount(String),
    /// Distinct non-null values, counted exactly everywhere (checks).
    ExactDistinct(String),
    /// Non-null values whose length in characters is below the first
    /// bound or above the second (`length` with `mostly`).
    LengthOutside(String, Option<i64>, Option<i64>),
    /// Non-null values below the span's low end or above its high end
    /// (`range`); NaN is above every number, as DataFusion and
    /// PostgreSQL order it.
    OutsideRange(String, Span),
    /// Rows for which a check's `expression` (SQL over the table's
    /// columns) is false. Planned against the table's schema where the
    /// metrics run ([`exec`]).
    ExpressionFalse(String),
    /// Rows for which a check's `expression` is true or false, not null.
    ExpressionKnown(String),
    /// The quantile (`"0.5"`) of the non-null, non-NaN values, exact, by
    /// linear interpolation between the two nearest (numpy's default).
    Quantile(String, String),
}

/// The ends of a `range` check, either absent; an open end excludes its
/// value (`above:`, `below:`).
#[derive(Debug, Clone)]
pub struct Span {
    pub lo: Option<Lit>,
    pub hi: Option<Lit>,
    pub lo_open: bool,
    pub hi_open: bool,
}

impl Span {
    /// Both ends inclusive, as `min`/`max`.
    pub fn closed(lo: Option<Lit>, hi: Option<Lit>) -> Span {
        Span {
            lo,
            hi,
            lo_open: false,
            hi_open: false,
        }
    }

    fn key(&self) -> String {
        format!("{:?}", (&self.lo, &self.hi, self.lo_open, self.hi_open))
    }
}
impl PartialEq for Span {
    fn eq(&self, o: &Self) -> bool {
        self.key() == o.key()
    }
}
impl Eq for Span {}
impl PartialOrd for Span {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Span {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.key().cmp(&o.key())
    }
}
impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.key().hash(h)
    }
}

/// `in_set` values with a total order, so metrics can be deduplicated.
#[derive(Debug, Clone)]
pub struct LitSet(pub Vec<Lit>);

impl LitSet {
    fn key(&self) -> String {
        format!("{:?}", self.0)
    }
}
impl PartialEq for LitSet {
    fn eq(&self, o: &Self) -> bool {
        self.key() == o.key()
    }
}
impl Eq for LitSet {}
impl PartialOrd for LitSet {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for LitSet {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.key().cmp(&o.key())
    }
}
impl std::hash::Hash for LitSet {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.key().hash(h)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::RowCount => f.write_str("row_count"),
            Metric::NonNullCount(c) => write!(f, "non_null_count({c})"),
            Metric::NanCount(c) => write!(f, "nan_count({c})"),
            Metric::Min(c) => write!(f, "min({c})"),
            Metric::Max(c) => write!(f, "max({c})"),
            Metric::Sum(c) => write!(f, "sum({c})"),
            Metric::Mean(c) => write!(f, "mean({c})"),
            Metric::Stddev(c) => write!(f, "stddev({c})"),
            Metric::MinLength(c) => write!(f, "min_length({c})"),
            Metric::MaxLength(c) => write!(f, "max_length({c})"),
            Metric::NotInSet(c, _) => write!(f, "not_in_set({c})"),
            Metric::NotMatching(c, p) => write!(f, "not_matching({c}, {p:?})"),
            Metric::InSet(c, _) => write!(f, "in_set({c})"),
            Metric::Matching(c, p) => write!(f, "matching({c}, {p:?})"),
            Metric::DistinctCount(c) => write!(f, "distinct_count({c})"),
            Metric::TrueCount(c) => write!(f, "true_count({c})"),
            Metric::ExactDistinct(c) => write!(f, "exact_distinct({c})"),
            Metric::LengthOutside(c, lo, hi) => write!(f, "length_outside({c}, {lo:?}, {hi:?})"),
            Metric::OutsideRange(c, s) => write!(
                f,
                "outside_range({c}, {:?}{}, {:?}{})",
                s.lo,
                if s.lo_open { " open" } else { "" },
                s.hi,
                if s.hi_open { " open" } else { "" }
            ),
            Metric::ExpressionFalse(e) => write!(f, "expression_false({e})"),
            Metric::ExpressionKnown(e) => write!(f, "expression_known({e})"),
            Metric::Quantile(c, q) => write!(f, "quantile({c}, {q})"),
        }
    }
}

impl Metric {
    /// The value metric behind a `min`/`max`/`mean`/`sum`/`stddev` check of
    /// `col`; `None` for the count-based column metrics.
    pub fn value_of(m: ColumnMetric, col: &str) -> Option<Metric> {
        let c = col.to_string();
        match m {
            ColumnMetric::Min => Some(Metric::Min(c)),
            ColumnMetric::Max => Some(Metric::Max(c)),
            ColumnMetric::Mean => Some(Metric::Mean(c)),
            ColumnMetric::Sum => Some(Metric::Sum(c)),
            ColumnMetric::Stddev => Some(Metric::Stddev(c)),
            ColumnMetric::Median => Some(Metric::Quantile(c, "0.5".into())),
            ColumnMetric::NullCount
            | ColumnMetric::NullRate
            | ColumnMetric::NanRate
            | ColumnMetric::DistinctCount
            | ColumnMetric::UniqueRate => None,
        }
    }

    /// The count of values whose length is outside `bounds` (a fractional
    /// bound rounds inward, an open one steps past its value: a length is
    /// whole, so `above: 2` is `min: 3`).
    pub fn length_outside(column: &str, bounds: &crate::spec::Bounds) -> Metric {
        let num = |b: &Option<crate::spec::Bound>| match b {
            Some(crate::spec::Bound::Num(n)) => Some(n.as_f64()),
            _ => None,
        };
        let lo = num(&bounds.min).map(|x| match bounds.min_open {
            true => x.floor() as i64 + 1,
            false => x.ceil() as i64,
        });
        let hi = num(&bounds.max).map(|x| match bounds.max_open {
            true => x.ceil() as i64 - 1,
            false => x.floor() as i64,
        });
        Metric::LengthOutside(column.to_string(), lo, hi)
    }

    /// The count of values outside a `range` check's bounds.
    pub fn outside_range(column: &str, bounds: &crate::spec::Bounds) -> Metric {
        let end = |b: &Option<crate::spec::Bound>| match b {
            Some(crate::spec::Bound::Num(crate::spec::Number::Int(i))) => {
                Some(match i64::try_from(*i) {
                    Ok(i) => Lit::Int(i),
                    Err(_) => Lit::Float(*i as f64),
                })
            }
            Some(crate::spec::Bound::Num(crate::spec::Number::Float(f))) => Some(Lit::Float(*f)),
            _ => None,
        };
        Metric::OutsideRange(
            column.to_string(),
            Span {
                lo: end(&bounds.min),
                hi: end(&bounds.max),
                lo_open: bounds.min_open,
                hi_open: bounds.max_open,
            },
        )
    }

    pub fn column(&self) -> Option<&str> {
        match self {
            Metric::RowCount | Metric::ExpressionFalse(_) | Metric::ExpressionKnown(_) => None,
            Metric::NonNullCount(c)
            | Metric::NanCount(c)
            | Metric::Min(c)
            | Metric::Max(c)
            | Metric::Sum(c)
            | Metric::Mean(c)
            | Metric::Stddev(c)
            | Metric::MinLength(c)
            | Metric::MaxLength(c)
            | Metric::NotInSet(c, _)
            | Metric::NotMatching(c, _)
            | Metric::InSet(c, _)
            | Metric::Matching(c, _)
            | Metric::DistinctCount(c)
            | Metric::ExactDistinct(c)
            | Metric::LengthOutside(c, ..)
            | Metric::OutsideRange(c, _)
            | Metric::Quantile(c, _)
            | Metric::TrueCount(c) => Some(c),
        }
    }

    /// Whether [`Metric::DistinctCount`] is an estimate where `dialect`
    /// computes it: exact in a database, HyperLogLog (2^14 registers,
    /// 0.81% standard error) over files, where an exact count inside the
    /// shared aggregate would cost several times the scan.
    pub fn distinct_is_estimate(dialect: Option<Dialect>) -> bool {
        dialect.is_none()
    }

    /// Decodes this metric's slice of the aggregate's result row. An exact
    /// integer sum comes back as a `Decimal128(38, 0)` and is decoded as the
    /// integer it is: a JSON number up to 2^53, a string of digits beyond,
    /// like every integer a report holds.
    pub fn decode(&self, s: &ScalarValue) -> Result<Option<Value>, String> {
        let v = Value::from_scalar(s)?;
        Ok(match (self, v) {
            (Metric::Sum(_), Some(Value::Decimal(n, 0))) => Some(Value::Int(n)),
            (_, v) => v,
        })
    }

    /// The aggregate expression computing this metric; `dt` is the column's
    /// type (ignored for `RowCount`). Types were validated by the planner.
    /// `dialect` is the database the expression will be sent to, if any: it
    /// must then be SQL that database runs with DataFusion's meaning, or
    /// `Err` says why this metric cannot be computed there.
    pub fn expr(&self, dt: &DataType, dialect: Option<Dialect>) -> Result<Expr, String> {
        let float = types::is_float(dt);
        // A NaN test the database understands. PostgreSQL has no isnan() but
        // spells NaN as text 'NaN'; MySQL's DOUBLE cannot hold NaN.
        let nan = |c: &str| -> Option<Expr> {
            match dialect {
                None => Some(isnan(ident(c))),
                Some(Dialect::Postgres) => Some(cast(ident(c), DataType::Utf8).eq(lit("NaN"))),
                Some(Dialect::Mysql) => None,
            }
        };
        // NaN is skipped like null in value aggregates of float columns.
        let values = |c: &str| match nan(c).filter(|_| float) {
            Some(is_nan) => when(
                is_nan,
                lit(ScalarValue::try_from(dt).unwrap_or(ScalarValue::Null)),
            )
            .otherwise(ident(c))
            .unwrap_or_else(|_| ident(c)),
            None => ident(c),
        };
        let counted = |c: &str, pred: Expr| match dialect {
            None => filtered_count(c, pred),
            // `FILTER (WHERE …)` is not MySQL; a CASE counts the same rows.
            Some(_) => count(when(pred, lit(1i64)).end().unwrap_or(lit(1i64))),
        };
        Ok(match self {
            Metric::RowCount => count_all(),
            Metric::NonNullCount(c) => count(ident(c)),
            Metric::NanCount(c) => match nan(c).filter(|_| float) {
                Some(p) => counted(c, p),
                None => counted(c, lit(false)),
            },
            Metric::Min(c) => min(values(c)),
            Metric::Max(c) => max(values(c)),
            // Integer sums are exact: widened to Decimal128(38, 0), which no
            // sum of fewer than 2^64 int64 values can overflow.
            Metric::Sum(c) if types::is_integer(dt) => {
                sum(cast(ident(c), DataType::Decimal128(38, 0)))
            }
            // A decimal sum of files is a 256-bit decimal: DataFusion's
            // 128-bit one wraps past 38 digits; a database sums exactly.
            Metric::Sum(c) => match (dt, dialect) {
                (DataType::Decimal128(_, s), None) => {
                    sum(cast(ident(c), DataType::Decimal256(76, *s)))
                }
                _ => sum(values(c)),
            },
            // A database's average of a decimal has more digits than
            // DataFusion's decimal type for it holds: average doubles.
            Metric::Mean(c) if dialect.is_some() && matches!(dt, DataType::Decimal128(..) | DataType::Decimal256(..)) => {
                avg(cast(ident(c), DataType::Float64))
            }
            Metric::Mean(c) => avg(values(c)),
            Metric::Stddev(_) if dialect == Some(Dialect::Mysql) => {
                return Err(
                    "stddev is not computed in MySQL/MariaDB: its STDDEV() is the population's, not the sample's".into(),
                )
            }
            Metric::Stddev(c) if dialect.is_some() && matches!(dt, DataType::Decimal128(..) | DataType::Decimal256(..)) => {
                stddev(cast(ident(c), DataType::Float64))
            }
            Metric::Stddev(c) => stddev(values(c)),
            Metric::MinLength(c) => min(character_length(ident(c))),
            Metric::MaxLength(c) => max(character_length(ident(c))),
            Metric::NotMatching(..) | Metric::Matching(..) if dialect == Some(Dialect::Mysql) => {
                return Err(
                    "regex checks do not run in MySQL/MariaDB yet: MariaDB has no REGEXP_LIKE()".into(),
                )
            }
            Metric::NotInSet(c, _)
            | Metric::NotMatching(c, _)
            | Metric::InSet(c, _)
            | Metric::Matching(c, _)
            | Metric::LengthOutside(c, ..)
            | Metric::OutsideRange(c, _) => counted(c, self.violation(dt).unwrap_or(lit(false))),
            Metric::ExpressionFalse(_) | Metric::ExpressionKnown(_) => {
                return Err("an expression is planned against its table's columns".into())
            }
            Metric::Quantile(..) if dialect.is_some() => {
                return Err(
                    "median and quantile checks do not run in databases yet: they need every value of the column".into(),
                )
            }
            // Exact: every value is held (8 bytes each). Doubles, so that
            // an integer column's median of 1 and 2 is 1.5, as numpy's.
            Metric::Quantile(c, q) => percentile_cont(
                cast(values(c), DataType::Float64).sort(true, false),
                lit(q.parse::<f64>().unwrap_or(0.5)),
            ),
            Metric::DistinctCount(c) if Metric::distinct_is_estimate(dialect) => {
                approx_distinct(ident(c))
            }
            Metric::DistinctCount(c) | Metric::ExactDistinct(c) => count_distinct(ident(c)),
            Metric::TrueCount(c) => counted(c, ident(c)),
        })
    }

    /// The aggregate expression computing this metric where verdict runs
    /// the query itself (files, not a cluster): [`Metric::expr`], except
    /// that string tests run once per distinct value of a batch
    /// ([`strings`]).
    pub fn local_expr(&self, dt: &DataType) -> Result<Expr, String> {
        if !types::is_string(dt) {
            return self.expr(dt, None);
        }
        Ok(match self {
            Metric::MinLength(c) => min(strings::char_length(ident(c))),
            Metric::MaxLength(c) => max(strings::char_length(ident(c))),
            Metric::NotInSet(c, _)
            | Metric::NotMatching(c, _)
            | Metric::InSet(c, _)
            | Metric::Matching(c, _)
            | Metric::LengthOutside(c, ..) => {
                filtered_count(c, self.local_violation(dt).unwrap_or(lit(false)))
            }
            _ => return self.expr(dt, None),
        })
    }

    /// [`Metric::violation`] where verdict runs the query itself: the
    /// string tests of [`strings`], with the same meaning.
    pub fn local_violation(&self, dt: &DataType) -> Option<Expr> {
        if !types::is_string(dt) {
            return self.violation(dt);
        }
        let set = |s: &LitSet| s.0.iter().map(as_text).collect::<Vec<_>>();
        match self {
            Metric::NotInSet(c, s) => Some(not(strings::in_set(ident(c), set(s)))),
            Metric::InSet(c, s) => Some(strings::in_set(ident(c), set(s))),
            Metric::NotMatching(c, p) => strings::matches(ident(c), p)
                .map(not)
                .or_else(|| self.violation(dt)),
            Metric::Matching(c, p) => strings::matches(ident(c), p).or_else(|| self.violation(dt)),
            Metric::LengthOutside(c, lo, hi) => {
                Some(length_outside(|| strings::char_length(ident(c)), *lo, *hi))
            }
            _ => self.violation(dt),
        }
    }

    /// For metrics that count offending values, the predicate an offending
    /// row satisfies (null when the value is null, so nulls never offend).
    pub fn violation(&self, dt: &DataType) -> Option<Expr> {
        match self {
            Metric::NotInSet(c, set) => {
                let list = set.0.iter().map(|l| lit_expr(l, dt)).collect();
                Some(ident(c).in_list(list, true))
            }
            Metric::NotMatching(c, p) => Some(not(regexp_like(ident(c), lit(p.clone()), None))),
            Metric::InSet(c, set) => {
                let list = set.0.iter().map(|l| lit_expr(l, dt)).collect();
                Some(ident(c).in_list(list, false))
            }
            Metric::Matching(c, p) => Some(regexp_like(ident(c), lit(p.clone()), None)),
            Metric::LengthOutside(c, lo, hi) => {
                Some(length_outside(|| character_length(ident(c)), *lo, *hi))
            }
            Metric::OutsideRange(c, s) => {
                let below = s.lo.as_ref().map(|l| match s.lo_open {
                    true => ident(c).lt_eq(lit_expr(l, dt)),
                    false => ident(c).lt(lit_expr(l, dt)),
                });
                let above = s.hi.as_ref().map(|h| match s.hi_open {
                    true => ident(c).gt_eq(lit_expr(h, dt)),
                    false => ident(c).gt(lit_expr(h, dt)),
                });
                Some(either(below, above))
            }
            _ => None,
        }
    }
}

/// A length below `lo` or above `hi`, `len` computing the length.
fn length_outside(len: impl Fn() -> Expr, lo: Option<i64>, hi: Option<i64>) -> Expr {
    let below = lo.map(|l| len().lt(lit(l)));
    let above = hi.map(|h| len().gt(lit(h)));
    either(below, above)
}

/// `a OR b` of the conditions given; false when neither is.
fn either(a: Option<Expr>, b: Option<Expr>) -> Expr {
    match (a, b) {
        (Some(a), Some(b)) => a.or(b),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => lit(false),
    }
}

/// Rows where `pred` is true, as SQL `dialect` runs: `count(*) FILTER
/// (WHERE pred)` here, a `CASE` in a database (MySQL has no `FILTER`).
pub fn rows_where(pred: Expr, dialect: Option<Dialect>) -> Expr {
    match dialect {
        None => count_all()
            .filter(pred.clone())
            .build()
            .unwrap_or_else(|_| count(when(pred, lit(1i64)).end().unwrap_or(lit(1i64)))),
        Some(_) => count(when(pred, lit(1i64)).end().unwrap_or(lit(1i64))),
    }
}

/// `count(c) FILTER (WHERE pred)`: null rows never count.
fn filtered_count(c: &str, pred: Expr) -> Expr {
    count(ident(c))
        .filter(pred)
        .build()
        .unwrap_or_else(|_| count(ident(c)))
}

/// A set literal as a text column compares it: `1` is the string "1".
fn as_text(l: &Lit) -> String {
    match l {
        Lit::Str(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A set literal typed for the column: text columns compare as text, so
/// `in_set: [1, 2]` on a string column means the strings "1" and "2".
fn lit_expr(l: &Lit, dt: &DataType) -> Expr {
    if types::is_string(dt) {
        return lit(as_text(l));
    }
    match l {
        Lit::Bool(b) => lit(*b),
        Lit::Int(i) => lit(*i),
        Lit::Float(f) => lit(*f),
        Lit::Str(s) => cast(lit(s.clone()), dt.clone()),
    }
}

/// What a column's type lets the summary metrics of a table copy measure
/// (`compare:`): one home for these type classes, so a comparison asks for
/// the same metrics, with the same NaN and exact-sum rules, as checks do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Number,
    /// Strings, dates and times: min, max, distinct count.
    Ordered,
    Boolean,
    /// Lists, structs, binary: null count only.
    Other,
}

impl Family {
    pub fn of(dt: &DataType) -> Family {
        if types::is_numeric(dt) {
            Family::Number
        } else if types::is_string(dt) || types::is_temporal(dt) {
            Family::Ordered
        } else if *dt == DataType::Boolean {
            Family::Boolean
        } else {
            Family::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Number => "numeric",
            Family::Ordered => "string/temporal",
            Family::Boolean => "boolean",
            Family::Other => "nested or binary",
        }
    }

    /// The metrics that summarise `column`, each with the name a report
    /// gives it. The null count is measured as the non-null count, which
    /// the row count turns into nulls.
    pub fn summary(self, column: &str) -> Vec<(&'static str, Metric)> {
        let c = || column.to_string();
        let nulls = ("null_count", Metric::NonNullCount(c()));
        match self {
            Family::Number => vec![
                nulls,
                ("sum", Metric::Sum(c())),
                ("avg", Metric::Mean(c())),
                ("min", Metric::Min(c())),
                ("max", Metric::Max(c())),
            ],
            Family::Ordered => vec![
                nulls,
                ("min", Metric::Min(c())),
                ("max", Metric::Max(c())),
                ("distinct", Metric::DistinctCount(c())),
            ],
            Family::Boolean => vec![nulls, ("true_count", Metric::TrueCount(c()))],
            Family::Other => vec![nulls],
        }
    }
}
