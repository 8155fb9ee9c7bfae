//! A contract's SQL as DataFusion reads it. Contracts are written for
//! engines that match names without regard to case (Snowflake, Databricks,
//! MySQL): `select count(*) from Air_Quality where DataValue <= 0`.
//! DataFusion folds unquoted names to lower case, so that query would name
//! the column `datavalue`. An unquoted column name that, ignoring case, is
//! one of the contract's is written as the contract spells it, in double
//! quotes; every other word is left alone. Table names need nothing: verdict
//! registers a source named like an SQL identifier under its folded name,
//! as the query names it (see [`table`]).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{visit_expressions_mut, Expr, Ident};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// A source's name as a query names it: as written when it is an SQL
/// identifier (verdict's table and the query's name fold alike), else in
/// double quotes (kept exact on both sides).
pub fn table(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    match plain {
        true => name.to_string(),
        false => column(name),
    }
}

/// A column's name in double quotes: exact, whatever its case.
pub fn column(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `query` with the contract's column names spelled as it spells them;
/// the query as written when it is not one statement DataFusion's parser
/// reads (the run then says why).
pub fn spelled(query: &str, names: &[String]) -> String {
    let Ok(mut statements) = Parser::parse_sql(&PostgreSqlDialect {}, query) else {
        return query.to_string();
    };
    if statements.len() != 1 {
        return query.to_string();
    }
    let mut changed = false;
    let mut fix = |id: &mut Ident| {
        if id.quote_style.is_some() || id.value == id.value.to_lowercase() {
            return;
        }
        let exact = names.iter().find(|n| **n == id.value);
        let folded = names.iter().find(|n| n.eq_ignore_ascii_case(&id.value));
        if let Some(n) = exact.or(folded) {
            id.value = n.clone();
            id.quote_style = Some('"');
            changed = true;
        }
    };
    let _ = visit_expressions_mut(&mut statements, |e| {
        match e {
            Expr::Identifier(id) => fix(id),
            Expr::CompoundIdentifier(ids) => ids.iter_mut().for_each(&mut fix),
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    match changed {
        true => statements[0].to_string(),
        false => query.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["Air_Quality", "DataValue", "UniqueID", "lower_name"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn the_contracts_names_keep_their_case() {
        assert_eq!(
            spelled(
                "select count(*) from Air_Quality where DataValue <= 0 or DataValue >= 500",
                &names()
            ),
            r#"SELECT count(*) FROM Air_Quality WHERE "DataValue" <= 0 OR "DataValue" >= 500"#
        );
        assert_eq!(
            spelled(
                "SELECT COUNT(*) FROM t a WHERE a.UNIQUEID IS NULL",
                &names()
            ),
            r#"SELECT COUNT(*) FROM t a WHERE a."UniqueID" IS NULL"#
        );
    }

    #[test]
    fn tables_are_named_as_verdict_registers_them() {
        assert_eq!(table("Air_Quality"), "Air_Quality");
        assert_eq!(table("orders_2"), "orders_2");
        assert_eq!(table("Air Quality"), r#""Air Quality""#);
        assert_eq!(table("2024_orders"), r#""2024_orders""#);
        assert_eq!(column("Say \"hi\""), r#""Say ""hi""""#);
    }

    #[test]
    fn other_queries_are_left_as_written() {
        for q in [
            "select count(*) from lower_name where x > 1",
            r#"select count(*) from "Air_Quality""#,
            "select count(*) from Other_Table",
            "not sql at all (",
            "select 1; select 2",
        ] {
            assert_eq!(spelled(q, &names()), q);
        }
    }
}
