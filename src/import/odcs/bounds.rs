//! The `mustBe…` comparators of a rule as suite bounds (`mustBeBetween`
//! excludes both ends: `above`/`below`), percentages as fractions without
//! rounding, and the rule's unit.

use super::super::contract::{scalar_text, Rule};
use crate::spec::yaml::{Kind, Node};

/// A rule's bounds as verdict writes them (`above`, `min`, …), from its
/// `mustBe…` comparators.
#[derive(Default, Clone)]
pub(super) struct Bounds {
    pub(super) low: Option<(Number, bool)>,
    pub(super) high: Option<(Number, bool)>,
}

/// A number as the contract wrote it, kept as text so that nothing is
/// rounded.
#[derive(Clone)]
pub(super) struct Number {
    pub(super) text: String,
    pub(super) value: f64,
}

impl Number {
    pub(super) fn of(n: &Node) -> Option<Number> {
        match &n.kind {
            Kind::Int(i) => Some(Number {
                text: i.to_string(),
                value: *i as f64,
            }),
            Kind::Float(f) if f.is_finite() => Some(Number {
                text: f.to_string(),
                value: *f,
            }),
            _ => None,
        }
    }

    /// A percentage as a fraction: the decimal point moved two places.
    pub(super) fn per_cent(&self) -> Number {
        let (sign, digits) = match self.text.strip_prefix('-') {
            Some(d) => ("-", d),
            None => ("", self.text.as_str()),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all = format!("{int}{frac}");
        let point = int.len() as isize - 2;
        let (whole, part) = if point > 0 {
            (
                all[..point as usize].to_string(),
                all[point as usize..].to_string(),
            )
        } else {
            (
                "0".to_string(),
                format!("{}{all}", "0".repeat((-point) as usize)),
            )
        };
        let whole = whole.trim_start_matches('0');
        let whole = if whole.is_empty() { "0" } else { whole };
        let part = part.trim_end_matches('0');
        let text = match part.is_empty() {
            true => format!("{sign}{whole}"),
            false => format!("{sign}{whole}.{part}"),
        };
        Number {
            value: self.value / 100.0,
            text,
        }
    }
}

impl Bounds {
    pub(super) fn from_rule(r: &Rule) -> Result<Bounds, String> {
        if r.operators.is_empty() {
            return Err("it has no `mustBe…` comparator".into());
        }
        let mut b = Bounds::default();
        for (op, value) in &r.operators {
            let num = |n: &Node| {
                Number::of(n).ok_or_else(|| {
                    format!(
                        "`{op}` is {}{}, not a number",
                        n.describe(),
                        scalar_text(n)
                            .map(|t| format!(" {t:?}"))
                            .unwrap_or_default()
                    )
                })
            };
            let (low, high) = match op.as_str() {
                "mustBe" => {
                    let v = num(value)?;
                    (Some((v.clone(), false)), Some((v, false)))
                }
                "mustBeGreaterThan" => (Some((num(value)?, true)), None),
                "mustBeGreaterOrEqualTo" => (Some((num(value)?, false)), None),
                "mustBeLessThan" => (None, Some((num(value)?, true))),
                "mustBeLessOrEqualTo" => (None, Some((num(value)?, false))),
                "mustBeBetween" => match &value.kind {
                    Kind::Seq(pair) if pair.len() == 2 => {
                        let (lo, hi) = (num(&pair[0])?, num(&pair[1])?);
                        if lo.value >= hi.value {
                            return Err(format!(
                                "`mustBeBetween: [{}, {}]` excludes both ends, so no value is between them",
                                lo.text, hi.text
                            ));
                        }
                        (Some((lo, true)), Some((hi, true)))
                    }
                    _ => return Err("`mustBeBetween` takes two numbers".into()),
                },
                "mustNotBe" | "mustNotBeBetween" => {
                    return Err(format!(
                        "`{op}` leaves out values in the middle; verdict's bounds are one interval"
                    ))
                }
                _ => continue,
            };
            if (low.is_some() && b.low.is_some()) || (high.is_some() && b.high.is_some()) {
                return Err(format!(
                    "`{op}` bounds a side another comparator already bounds"
                ));
            }
            b.low = b.low.or(low);
            b.high = b.high.or(high);
        }
        if let (Some((lo, lo_open)), Some((hi, hi_open))) = (&b.low, &b.high) {
            if lo.value > hi.value || (lo.value == hi.value && (*lo_open || *hi_open)) {
                return Err("its comparators leave no value that could pass".into());
            }
        }
        Ok(b)
    }

    pub(super) fn per_cent(&self) -> Bounds {
        Bounds {
            low: self.low.as_ref().map(|(n, o)| (n.per_cent(), *o)),
            high: self.high.as_ref().map(|(n, o)| (n.per_cent(), *o)),
        }
    }

    /// The bounds' YAML entries: `equals`, `min`/`above`, `max`/`below`.
    pub(super) fn entries(&self) -> Vec<(String, String)> {
        match (&self.low, &self.high) {
            (Some((lo, false)), Some((hi, false))) if lo.text == hi.text => {
                vec![("equals".into(), lo.text.clone())]
            }
            _ => {
                let mut e = Vec::new();
                if let Some((n, open)) = &self.low {
                    e.push((if *open { "above" } else { "min" }.into(), n.text.clone()));
                }
                if let Some((n, open)) = &self.high {
                    e.push((if *open { "below" } else { "max" }.into(), n.text.clone()));
                }
                e
            }
        }
    }

    /// Whether a count within these bounds can only be 0.
    pub(super) fn only_zero(&self) -> bool {
        let low_ok = match &self.low {
            None => true,
            Some((n, open)) => (n.value < 0.0) || (!open && n.value == 0.0),
        };
        let high_zero = match &self.high {
            None => false,
            Some((n, true)) => n.value <= 1.0 && n.value > 0.0,
            Some((n, false)) => (0.0..1.0).contains(&n.value),
        };
        low_ok && high_zero
    }

    /// Whether a percentage within these bounds can only be 0.
    pub(super) fn only_zero_percent(&self) -> bool {
        let low_ok = match &self.low {
            None => true,
            Some((n, open)) => n.value < 0.0 || (!open && n.value == 0.0),
        };
        low_ok && matches!(&self.high, Some((n, false)) if n.value == 0.0)
    }

    pub(super) fn within_percent(&self) -> bool {
        [&self.low, &self.high]
            .into_iter()
            .flatten()
            .all(|(n, _)| (0.0..=100.0).contains(&n.value))
    }

    pub(super) fn counts(&self) -> bool {
        [&self.low, &self.high]
            .into_iter()
            .flatten()
            .all(|(n, _)| n.value >= 0.0)
    }
}

/// What a rule is measured in.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Unit {
    Rows,
    Percent,
}

pub(super) fn unit(r: &Rule) -> Result<Unit, String> {
    match r.unit.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("rows") | Some("row") => Ok(Unit::Rows),
        Some("percent") | Some("percentage") | Some("%") => Ok(Unit::Percent),
        Some(other) => Err(format!(
            "its unit `{other}` is neither `rows` nor `percent`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(t: &str) -> Number {
        Number {
            text: t.to_string(),
            value: t.parse().unwrap(),
        }
    }

    #[test]
    fn percentages_move_the_point_without_rounding() {
        for (p, f) in [
            ("1", "0.01"),
            ("5", "0.05"),
            ("33.3", "0.333"),
            ("100", "1"),
            ("0", "0"),
            ("0.5", "0.005"),
            ("12.25", "0.1225"),
            ("250", "2.5"),
        ] {
            assert_eq!(num(p).per_cent().text, f, "{p}%");
        }
    }
}
