//! The suite file: what a user declares, validated and with every name
//! resolved. `yaml` turns text into positioned nodes, `parse` turns nodes into
//! these types while collecting every problem, and `time` reads the
//! `now - 2d` style bounds. Nothing here touches data.

mod bench;
mod checks;
mod compare;
pub mod diag;
mod diff;
mod drift;
pub mod emit;
mod endpoint;
pub mod engine;
pub mod json_schema;
mod notify;
pub mod parse;
mod parser;
mod quality;
pub mod select;
pub mod sql;
pub mod storage;
pub mod time;
pub mod yaml;

use std::fmt;

pub use bench::*;
pub use compare::*;
use diag::Pos;
pub use diff::*;
pub use drift::*;
pub use endpoint::*;
pub use notify::{NotifyOn, NotifySpec, DEFAULT_NOTIFY_TIMEOUT, DEFAULT_RETRIES};
pub use parse::load;
pub use quality::*;
pub use storage::url_scheme;

/// A validated suite.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The path the suite was loaded from, as the user wrote it.
    pub file: String,
    pub sources: Vec<SourceSpec>,
    pub checks: Vec<SourceChecks>,
    pub diff: Option<DiffSpec>,
    pub bench: Option<Bench>,
    /// Distribution drift against references, one per current source.
    pub drift: Vec<DriftSpec>,
    /// Webhooks to post the verdict to (`notify:`).
    pub notify: Vec<NotifySpec>,
    /// Copies of one table in several environments (`compare:`).
    pub compare: Option<CompareSpec>,
    /// Where its plans run (`engine:`), unless `--engine` says otherwise.
    pub engine: Option<engine::Engine>,
}

impl Suite {
    pub fn source(&self, name: &str) -> Option<&SourceSpec> {
        self.sources.iter().find(|s| s.name == name)
    }

    pub fn check_count(&self) -> usize {
        self.checks.iter().map(|c| c.checks.len()).sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub name: String,
    /// Where the table is, as reports show it: the file, directory or glob,
    /// or for a database the URL with its password replaced by `***` and
    /// the table (`postgres://app:***@db:5432/shop · public.orders`).
    pub path: String,
    pub format: Option<Format>,
    pub csv: CsvOptions,
    /// Set for `url:` sources; `path` is then only what reports show.
    pub database: Option<DatabaseSpec>,
    /// `storage:` options of an object-store `path:` (`s3://…`).
    pub storage: Storage,
    /// `where:`: only the rows it holds for are the source.
    pub filter: Option<Filter>,
    /// `tags:`, for `--select tag:…`; its checks carry them too.
    pub tags: Vec<String>,
    /// `key:`: the columns that identify a row, written first with every
    /// failing row (`--failed-rows`).
    pub key: Vec<String>,
    /// `sample_columns:`: more columns written with failing rows.
    pub sample_columns: Vec<String>,
    /// `exclude_columns:`: columns never written with failing rows (PII).
    pub exclude_columns: Vec<String>,
}

/// A `where:` of a source or a check: one boolean SQL expression over the
/// source's columns, kept as written (it is planned against the source's
/// schema once that is known) with where the suite says it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filter {
    pub sql: String,
    pub pos: Pos,
}

/// The `storage:` options of an object-store source, object_store's keys
/// with their values (`${VAR}` already replaced). `Debug` shows the keys
/// only: values may be secrets.
#[derive(Clone, PartialEq, Default)]
pub struct Storage(pub Vec<(String, String)>);

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| format!("{k}: ***")))
            .finish()
    }
}

/// Why a `scheme://` path of no store verdict reads is refused.
pub fn unknown_scheme(scheme: &str) -> String {
    format!(
        "`{scheme}://` is not a location verdict reads: a path is local, or an object store URL ({})",
        storage::SCHEMES
    )
}

/// Why an object-store URL cannot be a `path:`, if it cannot: a user name
/// or password in it (object stores take credentials from `storage:` or
/// the environment, where they are never shown; one in a path would be).
pub fn object_url_problem(path: &str) -> Option<String> {
    let shown = crate::database::dburl::redact(path);
    let user =
        url::Url::parse(path).is_ok_and(|u| !u.username().is_empty() || u.password().is_some());
    (user || shown != path).then(|| {
        format!(
            "`{shown}` has credentials in it; give them in `storage:` or the environment (AWS_SECRET_ACCESS_KEY, …), where they are never shown"
        )
    })
}

/// Why `path` cannot be read or written, if it is a URL verdict cannot
/// use: a scheme of no store verdict reads (`ftp://`), or credentials
/// inside an object-store URL. A local path is never refused here.
pub fn location_problem(path: &str) -> Option<String> {
    let scheme = url_scheme(path)?;
    if storage::Cloud::of(path).is_none() {
        return Some(unknown_scheme(scheme));
    }
    if let Err(why) = crate::features::CLOUD.require() {
        return Some(why);
    }
    object_url_problem(path)
}

impl SourceSpec {
    /// A file source (`path:`) with default options.
    pub fn file(name: &str, path: &str, format: Option<Format>) -> SourceSpec {
        SourceSpec {
            name: name.into(),
            path: path.into(),
            format,
            csv: CsvOptions::default(),
            database: None,
            storage: Storage::default(),
            filter: None,
            tags: Vec::new(),
            key: Vec::new(),
            sample_columns: Vec::new(),
            exclude_columns: Vec::new(),
        }
    }

    /// A source from a command-line argument: a `postgres://`, `postgresql://`
    /// or `mysql://` URL naming its table with `?table=` (or `?query=`), or
    /// else a file, directory or glob.
    pub fn from_argument(name: &str, arg: &str) -> Result<SourceSpec, String> {
        if !crate::database::dburl::is_database_url(arg) {
            if let Some(why) = location_problem(arg) {
                return Err(why);
            }
            return Ok(SourceSpec::file(name, arg, None));
        }
        let (url, object) = split_object(arg)?;
        let database = DatabaseSpec::new(&url, object)?;
        Ok(SourceSpec {
            name: name.into(),
            path: database.shown(),
            format: None,
            csv: CsvOptions::default(),
            database: Some(database),
            storage: Storage::default(),
            filter: None,
            tags: Vec::new(),
            key: Vec::new(),
            sample_columns: Vec::new(),
            exclude_columns: Vec::new(),
        })
    }
}

/// Splits `?table=` or `?query=` off a command-line database URL.
pub fn split_object(arg: &str) -> Result<(String, DbObject), String> {
    let shown = crate::database::dburl::redact(arg);
    let mut url = url::Url::parse(arg).map_err(|e| format!("`{shown}` is not a valid URL: {e}"))?;
    let mut object = None;
    let mut rest = Vec::new();
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "table" => {
                if let Some(why) = crate::database::dburl::table_name_problem(&v) {
                    return Err(why);
                }
                object = Some(DbObject::Table(v.to_string()))
            }
            "query" => {
                if let Some(why) = crate::spec::sql::depth_problem(&v) {
                    return Err(why);
                }
                object = Some(DbObject::Query(v.to_string()))
            }
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

/// A table or query in PostgreSQL or MySQL/MariaDB (`url:` with `table:` or
/// `query:`).
#[derive(Clone, PartialEq)]
pub struct DatabaseSpec {
    /// The parsed connection URL; it holds the password.
    pub url: crate::database::dburl::DbUrl,
    pub object: DbObject,
}

impl DatabaseSpec {
    pub fn new(url: &str, object: DbObject) -> Result<DatabaseSpec, String> {
        let url = crate::database::dburl::DbUrl::parse(url)?;
        url.dialect.feature().require()?;
        Ok(DatabaseSpec { url, object })
    }

    /// The redacted URL and the table, as reports show the source.
    pub fn shown(&self) -> String {
        match &self.object {
            DbObject::Table(t) => format!("{} · {t}", self.url.shown()),
            DbObject::Query(_) => format!("{} · query", self.url.shown()),
        }
    }
}

/// Never prints the password: `Debug` shows the redacted URL.
impl fmt::Debug for DatabaseSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSpec")
            .field("url", &self.url.shown())
            .field("object", &self.object)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DbObject {
    /// `schema.table` or `table`, as the database spells it.
    Table(String),
    /// A SELECT over the database's tables, planned by DataFusion and run
    /// inside the database.
    Query(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
    Json,
    Arrow,
}

impl Format {
    pub const NAMES: [&'static str; 4] = ["parquet", "csv", "json", "arrow"];

    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "parquet" => Some(Format::Parquet),
            "csv" | "tsv" => Some(Format::Csv),
            "json" | "ndjson" | "jsonl" => Some(Format::Json),
            "arrow" | "ipc" | "feather" => Some(Format::Arrow),
            _ => None,
        }
    }

    /// The format a file name's extension implies.
    pub fn from_extension(path: &str) -> Option<Format> {
        let ext = path.rsplit('.').next()?.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" | "parq" | "pq" => Some(Format::Parquet),
            "csv" | "tsv" => Some(Format::Csv),
            "json" | "ndjson" | "jsonl" => Some(Format::Json),
            "arrow" | "ipc" | "feather" => Some(Format::Arrow),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Arrow => "arrow",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CsvOptions {
    /// `None`: `\t` for `.tsv` files, `,` otherwise.
    pub delimiter: Option<u8>,
    pub header: bool,
    pub quote: u8,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            header: true,
            quote: b'"',
        }
    }
}

/// The checks declared for one source.
#[derive(Debug, Clone)]
pub struct SourceChecks {
    pub source: String,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warn,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warn => "warn",
            Severity::Error => "error",
        })
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    /// Unique within its source; defaults to `column.kind`.
    pub name: String,
    pub severity: Severity,
    pub kind: CheckKind,
    /// `change_vs:`: the metric is judged by its change against a reference
    /// source or the run history instead of by bounds.
    pub change: Option<Change>,
    /// `mostly: 0.99`: the check passes when at least this fraction of
    /// the non-null values (of the rows, for `not_null`) comply.
    pub mostly: Option<f64>,
    /// `where:`: the check sees only the rows it holds for.
    pub filter: Option<Filter>,
    /// `tags:`, for `--select tag:…` (its source's tags apply as well).
    pub tags: Vec<String>,
    pub pos: Pos,
}

/// Metric drift: how far a metric may move from its value on a reference
/// source, or from its recent values in the run history.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub against: ChangeVs,
    /// |current − reference| at most this.
    pub max_abs: Option<f64>,
    /// |current − reference| / |reference| at most this.
    pub max_rel: Option<f64>,
    /// History only: |current − mean| / stddev of the window at most this.
    pub max_z: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChangeVs {
    /// The same metric computed on this source.
    Source(String),
    /// The last `window` recorded values of this check (`--history DIR`).
    History { window: usize },
}

/// How many past runs `change_vs: history` looks at by default.
pub const DEFAULT_WINDOW: usize = 10;

#[derive(Debug, Clone)]
pub enum CheckKind {
    Schema(SchemaContract),
    RowCount(Bounds),
    Metric {
        column: String,
        metric: ColumnMetric,
        bounds: Bounds,
    },
    NotNull {
        column: String,
    },
    Unique {
        columns: Vec<String>,
    },
    InSet {
        column: String,
        values: Vec<Lit>,
    },
    Regex {
        column: String,
        pattern: String,
    },
    /// No non-null value is in the set.
    NotInSet {
        column: String,
        values: Vec<Lit>,
    },
    /// No non-null value matches the pattern.
    NotRegex {
        column: String,
        pattern: String,
    },
    Length {
        column: String,
        bounds: Bounds,
    },
    /// Every key (rows with a null part left out) exists in `to` of the
    /// source `source`.
    References {
        columns: Vec<String>,
        source: String,
        to: Vec<String>,
    },
    /// The set of distinct non-null values equals, lies within, or
    /// contains `values`.
    DistinctValues {
        column: String,
        values: Vec<Lit>,
        relation: SetRelation,
    },
    /// The `q` quantile of the non-null values (numpy's linear
    /// interpolation), exact, within the bounds.
    Quantile {
        column: String,
        /// As written (`0.95`), so the metric can be keyed by it.
        q: String,
        bounds: Bounds,
    },
    /// Every non-null value is within the bounds (numbers).
    Range {
        column: String,
        bounds: Bounds,
    },
    /// A boolean SQL expression over the source's columns holds for every
    /// row where it is not null (`start_date <= end_date`).
    Expression {
        sql: String,
    },
    /// The newest value of a date or timestamp column is at most
    /// `max_age` seconds older than `now`.
    Freshness {
        column: String,
        max_age: i64,
    },
    Sql {
        query: String,
        bounds: Bounds,
    },
}

impl CheckKind {
    /// The checks that judge each row and so take `mostly:`.
    pub const MOSTLY: [&'static str; 8] = [
        "in_set",
        "not_in_set",
        "regex",
        "not_regex",
        "not_null",
        "length",
        "range",
        "expression",
    ];

    pub fn takes_mostly(&self) -> bool {
        Self::MOSTLY.contains(&self.keyword())
    }

    /// The check's keyword as written in suites and shown in reports.
    pub fn keyword(&self) -> &'static str {
        match self {
            CheckKind::Schema(_) => "schema",
            CheckKind::RowCount(_) => "row_count",
            CheckKind::Metric { metric, .. } => metric.keyword(),
            CheckKind::NotNull { .. } => "not_null",
            CheckKind::Unique { .. } => "unique",
            CheckKind::InSet { .. } => "in_set",
            CheckKind::Regex { .. } => "regex",
            CheckKind::NotInSet { .. } => "not_in_set",
            CheckKind::NotRegex { .. } => "not_regex",
            CheckKind::Freshness { .. } => "freshness",
            CheckKind::Length { .. } => "length",
            CheckKind::Range { .. } => "range",
            CheckKind::Quantile { .. } => "quantile",
            CheckKind::DistinctValues { .. } => "distinct_values",
            CheckKind::Expression { .. } => "expression",
            CheckKind::References { .. } => "references",
            CheckKind::Sql { .. } => "sql",
        }
    }

    /// The column the check is about, if it is about one.
    pub fn column(&self) -> Option<String> {
        match self {
            CheckKind::Metric { column, .. }
            | CheckKind::NotNull { column }
            | CheckKind::InSet { column, .. }
            | CheckKind::Regex { column, .. }
            | CheckKind::NotInSet { column, .. }
            | CheckKind::NotRegex { column, .. }
            | CheckKind::Freshness { column, .. }
            | CheckKind::Range { column, .. }
            | CheckKind::Quantile { column, .. }
            | CheckKind::DistinctValues { column, .. }
            | CheckKind::Length { column, .. } => Some(column.clone()),
            CheckKind::Unique { columns } | CheckKind::References { columns, .. } => {
                Some(columns.join(", "))
            }
            CheckKind::Schema(_)
            | CheckKind::RowCount(_)
            | CheckKind::Sql { .. }
            | CheckKind::Expression { .. } => None,
        }
    }
}

/// How a column's distinct values stand to a listed set
/// (`distinct_values`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetRelation {
    /// Exactly the listed values, each at least once.
    Equals,
    /// No value outside the list (some may be absent).
    Within,
    /// Every listed value at least once (others may occur).
    Contains,
}

impl SetRelation {
    pub const KEYS: [&'static str; 3] = ["equals", "within", "contains"];

    pub fn keyword(self) -> &'static str {
        match self {
            SetRelation::Equals => "equals",
            SetRelation::Within => "within",
            SetRelation::Contains => "contains",
        }
    }
}

/// Single-number metrics of one column with bounds on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColumnMetric {
    NullCount,
    NullRate,
    NanRate,
    Min,
    Max,
    Mean,
    Sum,
    Stddev,
    /// Distinct non-null values, counted exactly.
    DistinctCount,
    /// Distinct non-null values over non-null values.
    UniqueRate,
    /// The middle value (numpy's linear interpolation), exact.
    Median,
}

impl ColumnMetric {
    pub const ALL: [ColumnMetric; 11] = [
        ColumnMetric::NullCount,
        ColumnMetric::NullRate,
        ColumnMetric::NanRate,
        ColumnMetric::Min,
        ColumnMetric::Max,
        ColumnMetric::Mean,
        ColumnMetric::Sum,
        ColumnMetric::Stddev,
        ColumnMetric::DistinctCount,
        ColumnMetric::UniqueRate,
        ColumnMetric::Median,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            ColumnMetric::NullCount => "null_count",
            ColumnMetric::NullRate => "null_rate",
            ColumnMetric::NanRate => "nan_rate",
            ColumnMetric::Min => "min",
            ColumnMetric::Max => "max",
            ColumnMetric::Mean => "mean",
            ColumnMetric::Sum => "sum",
            ColumnMetric::Stddev => "stddev",
            ColumnMetric::DistinctCount => "distinct_count",
            ColumnMetric::UniqueRate => "unique_rate",
            ColumnMetric::Median => "median",
        }
    }

    pub fn is_rate(self) -> bool {
        matches!(
            self,
            ColumnMetric::NullRate | ColumnMetric::NanRate | ColumnMetric::UniqueRate
        )
    }

    /// Whether a time bound (`now - 2d`) makes sense for this metric.
    pub fn takes_time(self) -> bool {
        matches!(self, ColumnMetric::Min | ColumnMetric::Max)
    }
}

/// Bounds on an observed value: inclusive (`min`, `max`, `between`,
/// `equals: v` is `min = max = v`) or exclusive (`above`, `below`: the
/// end is open).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bounds {
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    /// The value must be strictly above `min` (`above:`).
    pub min_open: bool,
    /// The value must be strictly below `max` (`below:`).
    pub max_open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Num(Number),
    Time(time::TimeExpr),
}

/// A number as written: integers stay exact so that large counts and sums
/// compare without float rounding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// A literal from an `in_set` list.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Int(i) => write!(f, "{i}"),
            Lit::Float(x) => write!(f, "{x}"),
            Lit::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// The input shape contract of a source.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaContract {
    pub columns: Vec<ColumnContract>,
    pub extra_columns: ExtraColumns,
    pub order: Order,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnContract {
    pub name: String,
    pub ty: Option<TypeSpec>,
    /// `Some(false)`: the column must hold no nulls (checked on the data).
    pub nullable: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtraColumns {
    Allow,
    Forbid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Any,
    Strict,
}

pub use crate::types::TypeSpec;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::dburl::{is_database_url, redact};

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
