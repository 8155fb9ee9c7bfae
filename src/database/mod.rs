//! Database sources: a PostgreSQL or MySQL/MariaDB table, or a query over
//! one database's tables, registered as a DataFusion table through the
//! datafusion-table-providers crates. The session's federation planner
//! (`crate::engine`) hands every sub-plan that reads only one database
//! to that database as SQL, so a source's aggregate comes back as one row:
//! the table is never pulled.
//!
//! Connection URLs carry passwords. A [`DbUrl`] keeps its password out of
//! `Debug` and `Display`; every message built here names the host and port
//! and shows the URL through [`DbUrl::shown`], and errors from the drivers
//! are scrubbed of the password before anyone sees them.

pub mod dburl;

pub use dburl::{is_database_url, mask_passwords, redact, DbUrl, Dialect};

#[cfg(feature = "database")]
use std::collections::HashMap;
#[cfg(feature = "database")]
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
#[cfg(feature = "database")]
use datafusion::catalog::{MemorySchemaProvider, TableProvider};
#[cfg(feature = "database")]
use datafusion::common::TableReference;
#[cfg(feature = "database")]
use datafusion::config::Dialect as SqlDialect;
#[cfg(feature = "database")]
use datafusion::datasource::ViewTable;
use datafusion::prelude::SessionContext;
#[cfg(feature = "mysql")]
use datafusion_table_providers::mysql::MySQLTableFactory;
#[cfg(feature = "postgres")]
use datafusion_table_providers::postgres::PostgresTableFactory;
#[cfg(feature = "mysql")]
use datafusion_table_providers::sql::db_connection_pool::mysqlpool::MySQLConnectionPool;
#[cfg(feature = "postgres")]
use datafusion_table_providers::sql::db_connection_pool::postgrespool::PostgresConnectionPool;
#[cfg(feature = "database")]
use datafusion_table_providers::util::secrets::to_secret_map;

use crate::error::datafusion_text;
use crate::spec::DatabaseSpec;
#[cfg(feature = "database")]
use crate::spec::DbObject;

/// Why a database table could not be registered. Every text in it has the
/// URL's password replaced by `***`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot connect to {dialect} at {address} ({shown})")]
    Connect {
        dialect: &'static str,
        address: String,
        shown: String,
        #[source]
        cause: Scrubbed,
    },
    #[error("{dialect} at {address} has no table `{table}` in database `{database}`")]
    NoTable {
        dialect: &'static str,
        address: String,
        table: String,
        database: String,
    },
    #[error("cannot read table `{table}` from {shown}")]
    Table {
        table: String,
        shown: String,
        #[source]
        cause: Scrubbed,
    },
    #[error("{0}")]
    Name(String),
    #[error("cannot plan the query of {shown}")]
    Query {
        shown: String,
        #[source]
        cause: QueryError,
    },
    #[error("{0}")]
    Register(Scrubbed),
}

/// What a driver said, with the URL's password replaced by `***`. The
/// driver's own error is not kept as a cause: its text may carry the
/// password, and only the scrubbed text may leave this module.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Scrubbed(String);

impl Scrubbed {
    #[cfg_attr(not(feature = "database"), allow(dead_code))]
    fn of(url: &DbUrl, e: &(dyn std::error::Error + 'static)) -> Scrubbed {
        Scrubbed(url.scrub(&crate::error::text(e)))
    }
}

/// Why a `query:` could not be planned over the database's tables.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("the query reads no table")]
    ReadsNoTable,
    #[error("{}", datafusion_text(.0))]
    Plan(#[source] datafusion::error::DataFusionError),
    #[error(transparent)]
    Session(#[from] crate::engine::Error),
}

/// In a build without this database's driver: the message that says so
/// (a suite naming it is refused before it runs, see `DatabaseSpec::new`).
#[cfg(not(feature = "database"))]
pub async fn register(
    _ctx: &SessionContext,
    _name: &str,
    db: &DatabaseSpec,
) -> Result<SchemaRef, Error> {
    Err(Error::Name(db.url.dialect.feature().missing()))
}

/// Connects, finds the table (or plans the query) and registers it in `ctx`
/// as `name`; returns its schema.
#[cfg(feature = "database")]
pub async fn register(
    ctx: &SessionContext,
    name: &str,
    db: &DatabaseSpec,
) -> Result<SchemaRef, Error> {
    let url = &db.url;
    let tables = Connection::open(url).await?;
    let provider: Arc<dyn TableProvider> = match &db.object {
        DbObject::Table(t) => tables.table(url, t).await?,
        DbObject::Query(q) => tables.query(url, q).await?,
    };
    let schema = provider.schema();
    ctx.register_table(name, provider)
        .map_err(|e| Error::Register(Scrubbed::of(url, &e)))?;
    Ok(schema)
}

#[cfg(feature = "database")]
enum Connection {
    #[cfg(feature = "postgres")]
    Postgres(PostgresTableFactory),
    #[cfg(feature = "mysql")]
    Mysql(MySQLTableFactory),
}

#[cfg(feature = "database")]
type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[cfg(feature = "database")]
impl Connection {
    async fn open(url: &DbUrl) -> Result<Connection, Error> {
        let mut params: HashMap<String, String> = HashMap::new();
        let mut put = |k: &str, v: &str| {
            params.insert(k.to_string(), v.to_string());
        };
        put("host", &url.host);
        put("db", &url.database);
        if let Some(u) = &url.user {
            put("user", u);
        }
        if let Some(p) = &url.password {
            put("pass", p);
        }
        for (k, v) in &url.params {
            put(k, v);
        }
        let connected = match url.dialect {
            #[cfg(feature = "postgres")]
            Dialect::Postgres => {
                params.insert("port".into(), url.port.to_string());
                // A server without TLS is still reached; `sslmode=require`
                // in the URL insists on TLS.
                params.entry("sslmode".into()).or_insert("prefer".into());
                PostgresConnectionPool::new(to_secret_map(params))
                    .await
                    .map(|pool| Connection::Postgres(PostgresTableFactory::new(Arc::new(pool))))
                    .map_err(|e| Box::new(e) as BoxError)
            }
            #[cfg(feature = "mysql")]
            Dialect::Mysql => {
                params.insert("tcp_port".into(), url.port.to_string());
                // `preferred` means TLS when the server offers it; the
                // driver gives up instead, so a server without TLS is asked
                // again in plain text. `sslmode=required` never falls back.
                let asked = params.get("sslmode").cloned();
                let mode = asked.clone().unwrap_or("preferred".into());
                params.insert("sslmode".into(), mode.clone());
                let first = MySQLConnectionPool::new(to_secret_map(params.clone())).await;
                let pool = match first {
                    Err(e)
                        if mode == "preferred"
                            && crate::error::text(&e)
                                .contains("server does not have this capability") =>
                    {
                        params.insert("sslmode".into(), "disabled".into());
                        MySQLConnectionPool::new(to_secret_map(params)).await
                    }
                    other => other,
                };
                pool.map(|pool| Connection::Mysql(MySQLTableFactory::new(Arc::new(pool))))
                    .map_err(|e| Box::new(e) as BoxError)
            }
            // A build with one of the two drivers.
            #[allow(unreachable_patterns)]
            other => return Err(Error::Name(other.feature().missing())),
        };
        connected.map_err(|e| Error::Connect {
            dialect: url.dialect.label(),
            address: url.address(),
            shown: url.shown(),
            cause: Scrubbed::of(url, e.as_ref()),
        })
    }

    async fn table(&self, url: &DbUrl, table: &str) -> Result<Arc<dyn TableProvider>, Error> {
        // The one door to the drivers: a query's tables pass here too.
        if let Some(why) = dburl::table_name_problem(table) {
            return Err(Error::Name(why));
        }
        let reference = table_reference(table);
        let found = match self {
            #[cfg(feature = "postgres")]
            Connection::Postgres(f) => f.table_provider(reference).await,
            #[cfg(feature = "mysql")]
            Connection::Mysql(f) => f.table_provider(reference).await,
        };
        found.map_err(|e| {
            let why = Scrubbed::of(url, e.as_ref());
            if why.0.contains("not found") || why.0.contains("doesn't exist") {
                Error::NoTable {
                    dialect: url.dialect.label(),
                    address: url.address(),
                    table: table.to_string(),
                    database: url.database.clone(),
                }
            } else {
                Error::Table {
                    table: table.to_string(),
                    shown: url.shown(),
                    cause: why,
                }
            }
        })
    }

    /// A query becomes a DataFusion view over the database's tables: the
    /// tables it names are looked up in the database, the query is planned
    /// over them, and the federation planner later sends the whole plan,
    /// with whatever a check adds on top, to the database.
    async fn query(&self, url: &DbUrl, sql: &str) -> Result<Arc<dyn TableProvider>, Error> {
        let bad = |cause: QueryError| Error::Query {
            shown: url.shown(),
            cause,
        };
        let plan = |e| bad(QueryError::Plan(e));
        let scratch = crate::engine::federated().map_err(|e| bad(e.into()))?;
        let dialect = match url.dialect {
            Dialect::Postgres => SqlDialect::PostgreSQL,
            Dialect::Mysql => SqlDialect::MySQL,
        };
        let state = scratch.state();
        let statement = state.sql_to_statement(sql, &dialect).map_err(plan)?;
        let references = state.resolve_table_references(&statement).map_err(plan)?;
        if references.is_empty() {
            return Err(bad(QueryError::ReadsNoTable));
        }
        let catalog = scratch
            .catalog("datafusion")
            .expect("the default catalog exists");
        for r in references {
            // The parts as the query wrote them, unquoted: the check of
            // `table` judges the names, not DataFusion's quoting of them.
            let name = match r.schema() {
                Some(s) => format!("{s}.{}", r.table()),
                None => r.table().to_string(),
            };
            let provider = self.table(url, &name).await?;
            if let Some(s) = r.schema() {
                if catalog.schema(s).is_none() {
                    catalog
                        .register_schema(s, Arc::new(MemorySchemaProvider::new()))
                        .map_err(plan)?;
                }
            }
            scratch.register_table(r.clone(), provider).map_err(plan)?;
        }
        let plan = state.statement_to_plan(statement).await.map_err(plan)?;
        let view = ViewTable::new(plan, Some(sql.to_string()));
        Ok(Arc::new(view))
    }
}

/// The same table or query restricted by a source's `where:`, as a query
/// the database runs: registered like any `query:` source, the filter is
/// part of the SQL the federation planner sends, whatever the source is
/// called. (A view over the table registered under another name confuses
/// the planner's table qualifiers.) The table's name parts are quoted for
/// the dialect; the `where` is the user's SQL, as a `query:` is.
pub fn restricted(db: &DatabaseSpec, filter: &str) -> DatabaseSpec {
    let quote = |part: &str| match db.url.dialect {
        Dialect::Postgres => format!("\"{}\"", part.replace('"', "\"\"")),
        Dialect::Mysql => format!("`{}`", part.replace('`', "``")),
    };
    let from = match &db.object {
        crate::spec::DbObject::Table(t) => t.split('.').map(quote).collect::<Vec<_>>().join("."),
        crate::spec::DbObject::Query(q) => format!("({q}) AS verdict_source"),
    };
    DatabaseSpec {
        url: db.url.clone(),
        object: crate::spec::DbObject::Query(format!("SELECT * FROM {from} WHERE {filter}")),
    }
}

/// `schema.table` or `table`, split as written: the database's own names
/// are case-sensitive once quoted, and the providers quote them.
#[cfg(feature = "database")]
fn table_reference(table: &str) -> TableReference {
    match table.split_once('.') {
        Some((schema, t)) => TableReference::partial(schema, t),
        None => TableReference::bare(table),
    }
}
