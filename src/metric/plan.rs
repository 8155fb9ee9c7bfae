//! The metric plan of one table: what its checks need, deduplicated, so
//! that every shared metric is computed once in the one aggregate and every
//! uniqueness key is grouped once (DESIGN: "one scan").

use super::Metric;

/// What one check needs computed.
#[derive(Debug, Default, PartialEq)]
pub struct Needs {
    pub metrics: Vec<Metric>,
    /// A key whose duplicates are counted in a query of its own.
    pub duplicates: Option<Vec<String>>,
    /// The user's own query.
    pub sql: Option<String>,
}

/// Everything a table's checks need, each metric and key once, in the
/// order first asked for (so the aggregate's columns are stable).
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    pub metrics: Vec<Metric>,
    pub keys: Vec<Vec<String>>,
}

impl Plan {
    /// The plan for these needs (of the checks that can run on the table).
    pub fn of(needs: impl IntoIterator<Item = Needs>) -> Plan {
        let mut plan = Plan::default();
        for n in needs {
            plan.add(n);
        }
        plan
    }

    pub fn add(&mut self, needs: Needs) {
        for m in needs.metrics {
            if !self.metrics.contains(&m) {
                self.metrics.push(m);
            }
        }
        if let Some(k) = needs.duplicates {
            if !self.keys.contains(&k) {
                self.keys.push(k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_metric_and_key_is_planned_once_in_first_order() {
        let needs = |ms: Vec<Metric>, key: Option<&str>| Needs {
            metrics: ms,
            duplicates: key.map(|k| vec![k.to_string()]),
            sql: None,
        };
        let plan = Plan::of([
            needs(vec![Metric::RowCount, Metric::Max("x".into())], Some("id")),
            needs(
                vec![Metric::Max("x".into()), Metric::Min("x".into())],
                Some("id"),
            ),
            needs(vec![Metric::RowCount], None),
        ]);
        assert_eq!(
            plan.metrics,
            vec![
                Metric::RowCount,
                Metric::Max("x".into()),
                Metric::Min("x".into())
            ]
        );
        assert_eq!(plan.keys, vec![vec!["id".to_string()]]);
    }
}
