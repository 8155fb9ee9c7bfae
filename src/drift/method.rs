//! How a drift column is measured: numeric (quantile bins, KS) or
//! categorical (categories, chi-square), by its type or as the suite asks.

use datafusion::arrow::datatypes::DataType;

use super::side;
use crate::spec::DriftMethod;

/// How a column of this type is measured, and why; `Err` when drift of
/// this type is not defined.
pub fn method_for(
    dt: &DataType,
    asked: Option<DriftMethod>,
) -> Result<(DriftMethod, String), String> {
    use DataType::*;
    let ty = crate::types::display_type(dt);
    if let Some(m) = asked {
        let ok = match m {
            DriftMethod::Numeric => side::is_numeric(dt),
            DriftMethod::Categorical => side::is_categorical(dt) || side::is_numeric(dt),
        };
        if !ok {
            return Err(format!(
                "a {ty} column cannot be measured as {}",
                method_name(m)
            ));
        }
        return Ok((
            m,
            format!("{} as asked in the suite ({ty} column)", method_name(m)),
        ));
    }
    if side::is_numeric(dt) {
        let what = match dt {
            Date32 | Date64 | Timestamp(..) => "times are ordered: compared as numbers",
            _ => "ordered values: quantile bins and KS",
        };
        return Ok((DriftMethod::Numeric, format!("{ty} column: {what}")));
    }
    if side::is_categorical(dt) {
        return Ok((
            DriftMethod::Categorical,
            format!("{ty} column: unordered values, category counts and chi-square"),
        ));
    }
    Err(format!("drift of a {ty} column is not defined"))
}

pub fn method_name(m: DriftMethod) -> &'static str {
    match m {
        DriftMethod::Numeric => "numeric",
        DriftMethod::Categorical => "categorical",
    }
}
