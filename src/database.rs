//! Database sources: a PostgreSQL or MySQL/MariaDB table, or a query over
//! one database's tables, registered as a DataFusion table through the
//! datafusion-table-providers crates. The session's federation planner
//! (`run::session_with`) hands every sub-plan that reads only one database
//! to that database as SQL, so a source's aggregate comes back as one row:
//! the table is never pulled.
//!
//! Connection URLs carry passwords. A [`DbUrl`] keeps its password out of
//! `Debug` and `Display`; every message built here names the host and port
//! and shows the URL through [`DbUrl::shown`], and errors from the drivers
//! are scrubbed of the password before anyone sees them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use datafusion::catalog::{MemorySchemaProvider, TableProvider};
use datafusion::common::TableReference;
use datafusion::config::Dialect;
use datafusion::datasource::ViewTable;
use datafusion::prelude::SessionContext;
use datafusion_table_providers::mysql::MySQLTableFactory;
use datafusion_table_providers::postgres::PostgresTableFactory;
use datafusion_table_providers::sql::db_connection_pool::mysqlpool::MySQLConnectionPool;
use datafusion_table_providers::sql::db_connection_pool::postgrespool::PostgresConnectionPool;
use datafusion_table_providers::util::secrets::to_secret_map;
use percent_encoding::percent_decode_str;

use crate::source::Loaded;
use crate::spec::{DatabaseSpec, DbObject};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    Mysql,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Engine::Postgres => "PostgreSQL",
            Engine::Mysql => "MySQL",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Engine::Postgres => 5432,
            Engine::Mysql => 3306,
        }
    }
}

const SCHEMES: [(&str, Engine); 4] = [
    ("postgres", Engine::Postgres),
    ("postgresql", Engine::Postgres),
    ("mysql", Engine::Mysql),
    ("mariadb", Engine::Mysql),
];

/// Whether a command-line argument is a database URL rather than a path.
pub fn is_database_url(s: &str) -> bool {
    s.split_once("://")
        .is_some_and(|(scheme, _)| SCHEMES.iter().any(|(n, _)| scheme.eq_ignore_ascii_case(n)))
}

/// A parsed connection URL: `postgres://user:password@host:port/database`.
#[derive(Clone, PartialEq)]
pub struct DbUrl {
    pub engine: Engine,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    password: Option<String>,
    pub database: String,
    /// Other query parameters (`sslmode=disable`), passed to the driver.
    pub params: Vec<(String, String)>,
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

impl DbUrl {
    pub fn parse(s: &str) -> Result<DbUrl, String> {
        let shown = redact(s);
        let url = url::Url::parse(s).map_err(|e| format!("`{shown}` is not a valid URL: {e}"))?;
        let engine = SCHEMES
            .iter()
            .find(|(n, _)| url.scheme().eq_ignore_ascii_case(n))
            .map(|(_, e)| *e)
            .ok_or_else(|| {
                format!("`{shown}`: the scheme must be postgres://, postgresql:// or mysql://")
            })?;
        let host = match url.host_str() {
            Some(h) if !h.is_empty() => h.trim_matches(['[', ']']).to_string(),
            _ => return Err(format!("`{shown}` names no host")),
        };
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().to_string();
        let database = decode(url.path().trim_start_matches('/'));
        if database.is_empty() || database.contains('/') {
            return Err(format!(
                "`{shown}` must name one database after the host, e.g. `{}://{host}/shop`",
                engine.name()
            ));
        }
        let user = Some(decode(url.username())).filter(|u| !u.is_empty());
        let password = url.password().map(decode);
        let params = url
            .query_pairs()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Ok(DbUrl {
            engine,
            port: url.port().unwrap_or(engine.default_port()),
            host,
            user,
            password,
            database,
            params,
        })
    }

    /// The URL as every output shows it: the password is `***`.
    pub fn shown(&self) -> String {
        let auth = match (&self.user, &self.password) {
            (Some(u), Some(_)) => format!("{u}:***@"),
            (Some(u), None) => format!("{u}@"),
            (None, Some(_)) => ":***@".to_string(),
            (None, None) => String::new(),
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{}://{auth}{host}:{}/{}",
            self.engine.name(),
            self.port,
            self.database
        )
    }

    /// `host:port`, as connection errors name the server.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// `text` with every occurrence of the password replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        match &self.password {
            Some(p) if !p.is_empty() => text.replace(p.as_str(), "***"),
            _ => text.to_string(),
        }
    }
}

/// Any URL-like string with the password of its `user:password@` part
/// replaced by `***`; for text that may not parse as a URL.
pub fn redact(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return s.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    // A password can also ride in the query string.
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let q: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if matches!(k, "password" | "pass" | "pwd") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", q.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// A line of text (a suite line shown under a diagnostic) with the password
/// of every `scheme://user:password@` in it replaced by as many `*`, so the
/// caret under the line still points at the right column. `${VAR}`
/// references are left as they are: they are not secrets.
pub fn mask_passwords(line: &str) -> String {
    let mut out = line.to_string();
    let mut from = 0;
    while let Some(i) = out[from..].find("://") {
        let start = from + i + 3;
        let rest = &out[start..];
        let end = rest
            .find(['/', '?', '#', '"', '\'', ' ', ',', '}'])
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        if let Some(at) = authority.rfind('@') {
            if let Some(colon) = authority[..at].find(':') {
                let password = &authority[colon + 1..at];
                if !password.starts_with("${") {
                    let masked = "*".repeat(password.chars().count());
                    let (a, b) = (start + colon + 1, start + at);
                    out.replace_range(a..b, &masked);
                }
            }
        }
        from = start;
    }
    out
}

/// Splits `?table=` or `?query=` off a command-line database URL.
pub fn split_object(arg: &str) -> Result<(String, DbObject), String> {
    let shown = redact(arg);
    let mut url = url::Url::parse(arg).map_err(|e| format!("`{shown}` is not a valid URL: {e}"))?;
    let mut object = None;
    let mut rest = Vec::new();
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "table" => object = Some(DbObject::Table(v.to_string())),
            "query" => object = Some(DbObject::Query(v.to_string())),
            _ => rest.push((k.to_string(), v.to_string())),
        }
    }
    let object = object.ok_or_else(|| {
        format!("`{shown}` names no table: add `?table=schema.table` (or `?query=SELECT …`)")
    })?;
    if rest.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(rest);
    }
    Ok((url.to_string(), object))
}

/// Connects, finds the table (or plans the query) and registers it in `ctx`
/// as `name`.
pub async fn register(
    ctx: &SessionContext,
    name: &str,
    db: &DatabaseSpec,
) -> Result<Loaded, String> {
    let started = Instant::now();
    let url = &db.url;
    let tables = Connection::open(url).await?;
    let provider: Arc<dyn TableProvider> = match &db.object {
        DbObject::Table(t) => tables.table(url, t).await?,
        DbObject::Query(q) => tables.query(url, q).await?,
    };
    let schema = provider.schema();
    ctx.register_table(name, provider)
        .map_err(|e| url.scrub(&crate::metric::exec::message(&e)))?;
    Ok(Loaded {
        format: url.engine.name(),
        files: None,
        engine: Some(url.engine),
        schema,
        partition_columns: Vec::new(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

enum Connection {
    Postgres(PostgresTableFactory),
    Mysql(MySQLTableFactory),
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Connection {
    async fn open(url: &DbUrl) -> Result<Connection, String> {
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
        let connected = match url.engine {
            Engine::Postgres => {
                params.insert("port".into(), url.port.to_string());
                // A server without TLS is still reached; `sslmode=require`
                // in the URL insists on TLS.
                params.entry("sslmode".into()).or_insert("prefer".into());
                PostgresConnectionPool::new(to_secret_map(params))
                    .await
                    .map(|pool| Connection::Postgres(PostgresTableFactory::new(Arc::new(pool))))
                    .map_err(|e| Box::new(e) as BoxError)
            }
            Engine::Mysql => {
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
                            && chain(&e).contains("server does not have this capability") =>
                    {
                        params.insert("sslmode".into(), "disabled".into());
                        MySQLConnectionPool::new(to_secret_map(params)).await
                    }
                    other => other,
                };
                pool.map(|pool| Connection::Mysql(MySQLTableFactory::new(Arc::new(pool))))
                    .map_err(|e| Box::new(e) as BoxError)
            }
        };
        connected.map_err(|e| {
            format!(
                "cannot connect to {} at {} ({}): {}",
                url.engine.label(),
                url.address(),
                url.shown(),
                url.scrub(&chain(e.as_ref()))
            )
        })
    }

    async fn table(&self, url: &DbUrl, table: &str) -> Result<Arc<dyn TableProvider>, String> {
        let reference = table_reference(table);
        let found = match self {
            Connection::Postgres(f) => f.table_provider(reference).await,
            Connection::Mysql(f) => f.table_provider(reference).await,
        };
        found.map_err(|e| {
            let why = url.scrub(&chain(e.as_ref()));
            if why.contains("not found") || why.contains("doesn't exist") {
                format!(
                    "{} at {} has no table `{table}` in database `{}`",
                    url.engine.label(),
                    url.address(),
                    url.database
                )
            } else {
                format!("cannot read table `{table}` from {}: {why}", url.shown())
            }
        })
    }

    /// A query becomes a DataFusion view over the database's tables: the
    /// tables it names are looked up in the database, the query is planned
    /// over them, and the federation planner later sends the whole plan,
    /// with whatever a check adds on top, to the database.
    async fn query(&self, url: &DbUrl, sql: &str) -> Result<Arc<dyn TableProvider>, String> {
        let bad = |e: String| format!("cannot plan the query of {}: {e}", url.shown());
        let scratch = crate::run::session_with(None, true)?;
        let dialect = match url.engine {
            Engine::Postgres => Dialect::PostgreSQL,
            Engine::Mysql => Dialect::MySQL,
        };
        let state = scratch.state();
        let statement = state
            .sql_to_statement(sql, &dialect)
            .map_err(|e| bad(crate::metric::exec::message(&e)))?;
        let references = state
            .resolve_table_references(&statement)
            .map_err(|e| bad(crate::metric::exec::message(&e)))?;
        if references.is_empty() {
            return Err(bad("the query reads no table".into()));
        }
        let catalog = scratch
            .catalog("datafusion")
            .expect("the default catalog exists");
        for r in references {
            let name = r.table().to_string();
            let reference = match r.schema() {
                Some(s) => TableReference::partial(s, name.as_str()),
                None => TableReference::bare(name.as_str()),
            };
            let provider = self.table(url, &reference.to_string()).await?;
            if let Some(s) = r.schema() {
                if catalog.schema(s).is_none() {
                    catalog
                        .register_schema(s, Arc::new(MemorySchemaProvider::new()))
                        .map_err(|e| bad(crate::metric::exec::message(&e)))?;
                }
            }
            scratch
                .register_table(r.clone(), provider)
                .map_err(|e| bad(crate::metric::exec::message(&e)))?;
        }
        let plan = state
            .statement_to_plan(statement)
            .await
            .map_err(|e| bad(crate::metric::exec::message(&e)))?;
        let view = ViewTable::new(plan, Some(sql.to_string()));
        Ok(Arc::new(view))
    }
}

/// `schema.table` or `table`, split as written: the database's own names
/// are case-sensitive once quoted, and the providers quote them.
fn table_reference(table: &str) -> TableReference {
    match table.split_once('.') {
        Some((schema, t)) => TableReference::partial(schema, t),
        None => TableReference::bare(table),
    }
}

/// An error and its causes, each once: the drivers wrap the useful part
/// ("password authentication failed", "database \"x\" does not exist").
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        for line in err.to_string().lines() {
            // The providers end some messages with a request to file a bug
            // with them; it tells a user nothing about their database.
            let line = match line.find("Report a bug to request support") {
                Some(i) => line[..i].trim(),
                None => line.trim(),
            };
            if line.is_empty()
                || line.starts_with("For details, refer to")
                || line.starts_with("For further information, refer to")
                || parts.iter().any(|p| p.contains(line))
            {
                continue;
            }
            parts.push(line.to_string());
        }
        next = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_never_show_their_password() {
        let u =
            DbUrl::parse("postgres://app:s3cr%40t@db.internal:6543/shop?sslmode=disable").unwrap();
        assert_eq!(u.engine, Engine::Postgres);
        assert_eq!(u.host, "db.internal");
        assert_eq!(u.port, 6543);
        assert_eq!(u.user.as_deref(), Some("app"));
        assert_eq!(u.password.as_deref(), Some("s3cr@t"));
        assert_eq!(u.database, "shop");
        assert_eq!(
            u.params,
            vec![("sslmode".to_string(), "disable".to_string())]
        );
        assert_eq!(u.shown(), "postgres://app:***@db.internal:6543/shop");
        assert_eq!(format!("{u:?}"), "postgres://app:***@db.internal:6543/shop");
        assert_eq!(u.scrub("password s3cr@t rejected"), "password *** rejected");
        let m = DbUrl::parse("mysql://root@127.0.0.1/test").unwrap();
        assert_eq!((m.engine, m.port), (Engine::Mysql, 3306));
        assert_eq!(m.shown(), "mysql://root@127.0.0.1:3306/test");
    }

    #[test]
    fn bad_urls_are_named_without_their_password() {
        let cases = [
            (
                "postgres://u:pw@/shop",
                "`postgres://u:***@/shop` is not a valid URL: empty host",
            ),
            (
                "postgres://u:pw@h:5432",
                "`postgres://u:***@h:5432` must name one database after the host, e.g. `postgres://h/shop`",
            ),
            (
                "postgres://u:pw@h:99999/db",
                "`postgres://u:***@h:99999/db` is not a valid URL: invalid port number",
            ),
            (
                "oracle://u:pw@h/db",
                "`oracle://u:***@h/db`: the scheme must be postgres://, postgresql:// or mysql://",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(DbUrl::parse(url).unwrap_err(), want, "{url}");
        }
    }

    #[test]
    fn suite_lines_keep_their_columns_but_not_their_passwords() {
        assert_eq!(
            mask_passwords(r#"  a: { url: "postgres://app:hunter2@db/shop", table: t }"#),
            r#"  a: { url: "postgres://app:*******@db/shop", table: t }"#
        );
        let kept = r#"url: "postgres://app:${PG_PASSWORD}@db/shop""#;
        assert_eq!(mask_passwords(kept), kept);
        assert_eq!(
            mask_passwords("path: data/x.parquet"),
            "path: data/x.parquet"
        );
        assert_eq!(
            mask_passwords("https://hooks.example/x"),
            "https://hooks.example/x"
        );
    }

    #[test]
    fn command_line_urls_carry_their_table() {
        let (url, object) =
            split_object("postgres://u:pw@h/shop?table=public.orders&sslmode=disable").unwrap();
        assert_eq!(url, "postgres://u:pw@h/shop?sslmode=disable");
        assert_eq!(object, DbObject::Table("public.orders".into()));
        let (url, object) = split_object("mysql://root@h/test?query=select%201").unwrap();
        assert_eq!(url, "mysql://root@h/test");
        assert_eq!(object, DbObject::Query("select 1".into()));
        assert_eq!(
            split_object("postgres://u:pw@h/shop").unwrap_err(),
            "`postgres://u:***@h/shop` names no table: add `?table=schema.table` (or `?query=SELECT …`)"
        );
        assert!(is_database_url("PostgreSQL://h/db"));
        assert!(!is_database_url("data/x.parquet"));
        assert_eq!(
            redact("postgres://u:pw@h/db?password=x&sslmode=a"),
            "postgres://u:***@h/db?password=***&sslmode=a"
        );
    }
}
