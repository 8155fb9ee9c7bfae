//! Label values as hashable keys, and counts of (from, to) label pairs: the
//! old→new transitions of a diffed column and the (truth, predicted)
//! confusion counts of a model. Pairs are counted per batch on borrowed
//! values, then merged into owned keys, so no string is copied per row.

use std::collections::HashMap;
use std::fmt;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Array, StringArray, StringViewArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::error::Result;
use foldhash::fast::RandomState;
use serde::Serialize;

/// An owned label. Integers keep their numeric order; anything that is not
/// an integer is compared through its text (dates, booleans, strings).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    Null,
    Int(i64),
    Text(String),
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Null => f.write_str("null"),
            Label::Int(i) => write!(f, "{i}"),
            Label::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Label::Null => s.serialize_none(),
            Label::Int(i) => s.serialize_i64(*i),
            Label::Text(t) => s.serialize_str(t),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelRef<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

impl LabelRef<'_> {
    pub fn to_owned(self) -> Label {
        match self {
            LabelRef::Null => Label::Null,
            LabelRef::Int(i) => Label::Int(i),
            LabelRef::Text(s) => Label::Text(s.to_string()),
        }
    }
}

/// A column of labels ready for per-row lookups.
pub enum Labels {
    Int(Int64Array),
    Text(StringArray),
    View(StringViewArray),
}

impl Labels {
    /// Integers stay integers; every other type is read as its text.
    pub fn new(a: &ArrayRef) -> Result<Labels> {
        Ok(match a.data_type() {
            DataType::Int64 => Labels::Int(a.as_primitive().clone()),
            DataType::Utf8 => Labels::Text(a.as_string::<i32>().clone()),
            DataType::Utf8View => Labels::View(a.as_string_view().clone()),
            _ => Labels::Text(cast(a, &DataType::Utf8)?.as_string::<i32>().clone()),
        })
    }

    #[inline]
    pub fn get(&self, i: usize) -> LabelRef<'_> {
        match self {
            Labels::Int(a) if a.is_valid(i) => LabelRef::Int(a.value(i)),
            Labels::Text(a) if a.is_valid(i) => LabelRef::Text(a.value(i)),
            Labels::View(a) if a.is_valid(i) => LabelRef::Text(a.value(i)),
            _ => LabelRef::Null,
        }
    }
}

/// At most this many distinct unchanged pairs, and as many changed ones,
/// are kept; rows of further pairs are counted in `other_rows` so a
/// high-cardinality column cannot exhaust memory. The caps are apart so
/// that the many unchanged pairs of an identifier-like column never crowd
/// out its few changes.
const MAX_PAIRS: usize = 10_000;

#[derive(Debug, Default, Clone)]
pub struct PairCounts {
    pub pairs: HashMap<(Label, Label), u64, RandomState>,
    pub other_rows: u64,
    /// Distinct pairs kept whose labels differ.
    changed: usize,
}

impl PairCounts {
    /// Counts the pairs (`from[i]`, `to[i]`) for each row `i` in `rows`.
    pub fn add(&mut self, from: &Labels, to: &Labels, rows: &[u32]) {
        let mut local: HashMap<(LabelRef, LabelRef), u64, RandomState> = HashMap::default();
        for &i in rows {
            *local
                .entry((from.get(i as usize), to.get(i as usize)))
                .or_default() += 1;
        }
        for ((a, b), n) in local {
            self.add_owned((a.to_owned(), b.to_owned()), n);
        }
    }

    fn add_owned(&mut self, pair: (Label, Label), n: u64) {
        let changed = pair.0 != pair.1;
        let full = if changed {
            self.changed >= MAX_PAIRS
        } else {
            self.pairs.len() - self.changed >= MAX_PAIRS
        };
        match self.pairs.get_mut(&pair) {
            Some(c) => *c += n,
            None if full => self.other_rows += n,
            None => {
                self.pairs.insert(pair, n);
                self.changed += usize::from(changed);
            }
        }
    }

    pub fn merge(&mut self, other: PairCounts) {
        self.other_rows += other.other_rows;
        for (p, n) in other.pairs {
            self.add_owned(p, n);
        }
    }

    /// Pairs by count, most frequent first, ties in label order.
    pub fn sorted(&self) -> Vec<(&Label, &Label, u64)> {
        let mut v: Vec<_> = self.pairs.iter().map(|((a, b), n)| (a, b, *n)).collect();
        v.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(y.0)).then(x.1.cmp(y.1)));
        v
    }
}
