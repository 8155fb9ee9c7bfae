//! A user's SQL (`sql:` checks, `query:` sources) as validation sees it,
//! before any engine plans it.

/// How deep a user's SQL may nest expressions. DataFusion clones, drops
/// and plans expressions recursively, on the thread's stack: 8,000 `OR`s
/// overflow it and abort the process. DuckDB draws its line at 1,000 too.
pub const MAX_DEPTH: usize = 1000;

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{visit_expressions, Expr as SqlExpr, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::Token;

/// Why `sql` cannot be planned safely, if it nests expressions deeper than
/// [`MAX_DEPTH`]. SQL that does not parse is left to the planner,
/// which says why in its own words.
pub fn depth_problem(sql: &str) -> Option<String> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql).ok()?;
    let too_deep = statements.visit(&mut Depth { now: 0 }).is_break();
    if too_deep {
        // Dropping the tree recurses as deep as it nests, which is what
        // overflows; the process reports the error and ends, so it is left
        // for the operating system to reclaim.
        std::mem::forget(statements);
        return Some(too_deep_text("the query", "split the query"));
    }
    None
}

fn too_deep_text(what: &str, split: &str) -> String {
    format!(
        "{what} nests expressions more than {MAX_DEPTH} deep (a long chain of \
         `OR`, `AND` or `+`), more than verdict plans safely; write `x IN (…)` for a \
         chain of `OR`s, or {split}"
    )
}

/// Counts how deep expressions nest, and stops past [`MAX_DEPTH`].
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

/// Words that start a statement rather than an expression.
const STATEMENTS: [&str; 16] = [
    "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "DROP", "CREATE", "ALTER", "TRUNCATE", "MERGE",
    "COPY", "SET", "GRANT", "VALUES", "EXPLAIN", "SHOW",
];

/// Why `sql` cannot be a `where:` or an `expression:` check (`what`),
/// as far as can be told without the
/// source: it is not one expression (a statement, trailing text), it holds
/// a subquery, or it nests too deep. Its columns, functions and type are
/// checked against the source's schema when the source is read.
pub fn filter_problem(sql: &str, what: &str) -> Option<String> {
    let dialect = GenericDialect {};
    if sql.trim().is_empty() {
        return Some("the expression is empty".into());
    }
    let first = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if STATEMENTS.contains(&first.as_str()) && Parser::parse_sql(&dialect, sql).is_ok() {
        return Some(format!(
            "`{first} …` is a statement; {what} is one boolean expression over the source's columns"
        ));
    }
    let parsed = Parser::new(&dialect).try_with_sql(sql).and_then(|mut p| {
        let e = p.parse_expr()?;
        Ok((e, p.peek_token().token))
    });
    let (expr, next) = match parsed {
        Ok(x) => x,
        Err(e) => {
            let text = e.to_string();
            let text = text.strip_prefix("sql parser error: ").unwrap_or(&text);
            return Some(format!("not an SQL expression: {text}"));
        }
    };
    if next != Token::EOF {
        return Some(format!(
            "`{next}` after the expression; {what} is one expression (join conditions with AND or OR)"
        ));
    }
    if expr.visit(&mut Depth { now: 0 }).is_break() {
        std::mem::forget(expr);
        return Some(too_deep_text("the expression", "split it into checks"));
    }
    let subquery = visit_expressions(&expr, |e| match e {
        SqlExpr::Subquery(_) | SqlExpr::Exists { .. } | SqlExpr::InSubquery { .. } => {
            ControlFlow::Break(())
        }
        _ => ControlFlow::Continue(()),
    });
    if subquery.is_break() {
        return Some(format!(
            "a subquery reads other tables; {what} is over the source's own columns (check a relationship with an `sql:` check)"
        ));
    }
    None
}
