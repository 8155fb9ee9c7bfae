//! A user's SQL (`sql:` checks, `query:` sources) as validation sees it,
//! before any engine plans it.

/// How deep a user's SQL may nest expressions. DataFusion clones, drops
/// and plans expressions recursively, on the thread's stack: 8,000 `OR`s
/// overflow it and abort the process. DuckDB draws its line at 1,000 too.
pub const MAX_DEPTH: usize = 1000;

/// Why `sql` cannot be planned safely, if it nests expressions deeper than
/// [`MAX_DEPTH`]. SQL that does not parse is left to the planner,
/// which says why in its own words.
pub fn depth_problem(sql: &str) -> Option<String> {
    use datafusion::sql::sqlparser::ast::{Expr as SqlExpr, Visit, Visitor};
    use datafusion::sql::sqlparser::dialect::GenericDialect;
    use datafusion::sql::sqlparser::parser::Parser;
    use std::ops::ControlFlow;

    struct Depth {
        now: usize,
    }
    impl Visitor for Depth {
        type Break = ();
        fn pre_visit_expr(&mut self, _: &SqlExpr) -> ControlFlow<()> {
            self.now += 1;
            if self.now > MAX_DEPTH {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
        fn post_visit_expr(&mut self, _: &SqlExpr) -> ControlFlow<()> {
            self.now -= 1;
            ControlFlow::Continue(())
        }
    }
    let statements = Parser::parse_sql(&GenericDialect {}, sql).ok()?;
    let too_deep = statements.visit(&mut Depth { now: 0 }).is_break();
    if too_deep {
        // Dropping the tree recurses as deep as it nests, which is what
        // overflows; the process reports the error and ends, so it is left
        // for the operating system to reclaim.
        std::mem::forget(statements);
        return Some(format!(
            "the query nests expressions more than {MAX_DEPTH} deep (a long chain of \
             `OR`, `AND` or `+`), more than verdict plans safely; write `x IN (…)` for a \
             chain of `OR`s, or split the query"
        ));
    }
    None
}
