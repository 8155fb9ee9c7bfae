//! Sources: turning a `path:` (file, directory, glob, hive-partitioned
//! folders) into a table registered in the DataFusion session under the
//! source's name. The format comes from `format:` or the file extension.
//! Database sources (`url:`) are registered by `crate::database`.
//! Problems a user can fix (no such file, a glob matching nothing, a
//! directory without data files) are told apart from read errors.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::datasource::file_format::arrow::ArrowFormat;
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::SessionContext;
use futures::TryStreamExt;

use datafusion::error::DataFusionError;

pub mod filter;
mod remote;
pub mod store;
mod walk;

pub use remote::shown_url;

use crate::error::datafusion_text;
use crate::spec::{CsvOptions, Format, SourceSpec};

/// A registered source.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// `parquet`, `csv`, … for files; `postgres` or `mysql` for databases.
    pub format: &'static str,
    /// Files read; `None` for a database table.
    pub files: Option<usize>,
    /// The database the table lives in; `None` for files.
    pub dialect: Option<crate::database::dburl::Dialect>,
    pub schema: SchemaRef,
    pub partition_columns: Vec<String>,
    pub seconds: f64,
    /// For an object-store source: its objects and what was read of them.
    pub remote: Option<Remote>,
}

/// The objects of an object-store source and the store's read counts.
#[derive(Debug, Clone)]
pub struct Remote {
    pub objects: Vec<object_store::path::Path>,
    /// Bytes of all its objects.
    pub size: u64,
    pub reads: Arc<store::Reads>,
}

impl Remote {
    /// What was read of the source's objects so far. On a cluster the
    /// executors read the rows, through stores of their own: what this
    /// process read (footers, to plan) is not what the run read, and is
    /// left out.
    pub fn read(&self, on_cluster: bool) -> ObjectReads {
        let (requests, bytes) = self.reads.of(&self.objects);
        let here = |n| (!on_cluster).then_some(n);
        ObjectReads {
            objects: self.objects.len(),
            size: self.size,
            requests: here(requests),
            bytes: here(bytes),
        }
    }
}

/// How much of an object-store source a run read: its objects and their
/// size, and the GET requests and bytes that reached the store (unknown
/// here when a cluster's executors read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ObjectReads {
    pub objects: usize,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
}

fn is_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Why a source could not be registered. Shown through `crate::error::text`,
/// which adds each cause after a colon.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no such file or directory: {0}")]
    Missing(String),
    #[error("no files match `{0}`")]
    NoMatch(String),
    #[error("invalid glob `{pattern}`")]
    Glob {
        pattern: String,
        #[source]
        source: glob::PatternError,
    },
    #[error(
        "cannot tell the format of `{0}` from its name; add `format:` (parquet, csv, json or arrow)"
    )]
    UnknownFormat(String),
    #[error("`{0}` holds no parquet, csv, json or arrow files")]
    NoDataFiles(String),
    #[error("`{path}` holds no {format} files")]
    Empty { path: String, format: &'static str },
    #[error(
        "`{file}` is not in a `{partitions}` folder like the other files of `{path}`, so it would not be read; move it out of `{path}` (a glob would read it, but no partition columns)"
    )]
    Stray {
        path: String,
        file: String,
        partitions: String,
    },
    #[error(
        "`{file}` is in a folder below `{path}` that is not a partition (`key=value`), so it would not be read; move it out, or name the files to read with a glob (`{path}/**/*{extension}`)"
    )]
    Nested {
        path: String,
        file: String,
        extension: String,
    },
    #[error(
        "`{path}` has two columns named `{name}` (columns {first} and {second}); a check could read only one of them, so rename one"
    )]
    DuplicateColumn {
        path: String,
        name: String,
        first: usize,
        second: usize,
    },
    #[error("{path} is not lines of text: {why}")]
    NotText { path: String, why: String },
    #[error("{path} is not a valid Parquet file: {why}")]
    NotParquet { path: String, why: String },
    #[error("cannot open {path}")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The schema could not be inferred: the files are not what they claim.
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: DataFusionError,
    },
    /// An object store could not be reached or refused the request.
    #[error("{place}: {why}")]
    Remote { place: String, why: String },
    /// Listing or registering failed inside DataFusion.
    #[error("{}", datafusion_text(.0))]
    Engine(#[source] DataFusionError),
    /// A database source (its texts are free of the password).
    #[error(transparent)]
    Database(#[from] crate::database::Error),
}

/// Registers `spec` in `ctx` under its name.
pub async fn register(ctx: &SessionContext, spec: &SourceSpec) -> Result<Loaded, Error> {
    let started = Instant::now();
    if let Some(db) = &spec.database {
        let schema = crate::database::register(ctx, &spec.name, db)
            .await
            .map_err(Error::Database)?;
        return Ok(Loaded {
            format: db.url.dialect.name(),
            files: None,
            dialect: Some(db.url.dialect),
            schema,
            partition_columns: Vec::new(),
            seconds: started.elapsed().as_secs_f64(),
            remote: None,
        });
    }
    if let Some(cloud) = store::Cloud::of(&spec.path) {
        return remote::register(ctx, spec, cloud).await;
    }
    let path = spec.path.as_str();
    let state = ctx.state();
    // A file or directory that exists is read as named, even when its name
    // holds glob characters (`v[1].parquet`).
    let (urls, format, extension, listed) = if is_glob(path) && !Path::new(path).exists() {
        // Globs are expanded here, with shell semantics: DataFusion's own
        // glob matching skips `key=value` segments, so `data/*/*.parquet`
        // would match nothing in hive-partitioned folders.
        let files = expand_glob(path)?;
        let format = match spec.format {
            Some(f) => f,
            None => detect_format(&files[0], false)?,
        };
        let urls = files
            .iter()
            .map(|f| local_url(f))
            .collect::<Result<Vec<_>, _>>()?;
        for f in &files {
            check_file(format, Path::new(f), &spec.csv)?;
        }
        (urls, format, String::new(), Vec::new())
    } else {
        if !Path::new(path).exists() {
            return Err(Error::Missing(path.to_string()));
        }
        let is_dir = Path::new(path).is_dir();
        let format = match spec.format {
            Some(f) => f,
            None => detect_format(path, is_dir)?,
        };
        // A single file is read whatever its name; a directory keeps to the
        // files of its format (so `_SUCCESS` markers are skipped).
        let extension = if is_dir {
            format_extension(path, format)
        } else {
            String::new()
        };
        let url = local_url(path)?;
        let store = state
            .runtime_env()
            .object_store(&url)
            .map_err(Error::Engine)?;
        let listed: Vec<_> = url
            .list_all_files(&state, store.as_ref(), &extension)
            .await
            .map_err(|e| listing_error(path, e))?
            .try_collect()
            .await
            .map_err(|e| listing_error(path, e))?;
        if listed.is_empty() {
            // Files only in folders that are not partitions
            // (`data/2024/01/part.parquet`) are not read: say where they are.
            if let Some(nested) = walk::all_files(Path::new(path), &extension).first() {
                return Err(Error::Nested {
                    path: path.trim_end_matches('/').to_string(),
                    file: nested.display().to_string(),
                    extension: extension.clone(),
                });
            }
            return Err(Error::Empty {
                path: path.to_string(),
                format: format.name(),
            });
        }
        if !is_dir {
            check_file(format, Path::new(path), &spec.csv)?;
        } else {
            let cwd = std::env::current_dir().unwrap_or_default();
            for meta in &listed {
                check_file(format, &shown_path(&listed_path(meta), &cwd), &spec.csv)?;
            }
        }
        (vec![url], format, extension, listed)
    };
    let files = if listed.is_empty() {
        urls.len()
    } else {
        listed.len()
    };
    let config = listing_config(&state, &urls, format, spec, extension, |source| {
        Error::Read {
            path: path.to_string(),
            source,
        }
    })
    .await?;
    let partition_columns = partition_columns(&config);
    if let Some(stray) = stray_file(path, &urls, &listed, &partition_columns) {
        return Err(skipped(path, stray, &partition_columns, &listed));
    }
    let table = ListingTable::try_new(config).map_err(Error::Engine)?;
    let schema = datafusion::datasource::TableProvider::schema(&table);
    ctx.register_table(spec.name.as_str(), Arc::new(table))
        .map_err(Error::Engine)?;
    Ok(Loaded {
        format: format.name(),
        files: Some(files),
        dialect: None,
        schema,
        partition_columns,
        seconds: started.elapsed().as_secs_f64(),
        remote: None,
    })
}

/// The URL of a local file or directory, its name taken literally: glob
/// characters were expanded before this, or belong to the name.
fn local_url(path: &str) -> Result<ListingTableUrl, Error> {
    let p = Path::new(path);
    let io = |source| Error::Io {
        path: path.to_string(),
        source,
    };
    let abs = std::path::absolute(p).map_err(io)?;
    let url = if p.is_dir() {
        url::Url::from_directory_path(&abs)
    } else {
        url::Url::from_file_path(&abs)
    }
    .ok()
    // Parsed again so that `.` and `..` segments are resolved.
    .and_then(|u| url::Url::parse(u.as_str()).ok())
    .ok_or_else(|| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path cannot be written as a file URL",
        ))
    })?;
    ListingTableUrl::try_new(url, None).map_err(Error::Engine)
}

/// Listing a directory failed: a symlink loop is named as such.
fn listing_error(path: &str, e: DataFusionError) -> Error {
    let text = datafusion_text(&e);
    if text.contains("File system loop found") {
        Error::Io {
            path: path.to_string(),
            source: std::io::Error::other(format!(
                "a symbolic link below it points back up the tree ({}); link to the files, not to a folder above them",
                text.rsplit_once(": ").map_or(text.as_str(), |(_, t)| t)
            )),
        }
    } else {
        Error::Engine(e)
    }
}

/// The first file below a directory source that DataFusion would skip
/// without a word: one in a folder that is not a partition (`backup/`
/// beside `region=eu/`), which its listing ignores, or one outside the
/// hive folders the other files are in. A check would pass on the rest.
fn stray_file(
    path: &str,
    urls: &[ListingTableUrl],
    listed: &[datafusion::object_store::ObjectMeta],
    partitions: &[String],
) -> Option<String> {
    let table = urls.first()?;
    if listed.is_empty() {
        return None;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = |abs: &Path| shown_path(abs, &cwd).display().to_string();
    let read: std::collections::HashSet<PathBuf> = listed.iter().map(listed_path).collect();
    let extension = table_extension(listed);
    let dir = std::path::absolute(path).ok()?;
    if let Some(skipped) = walk::all_files(&dir, &extension).into_iter().find(|f| {
        !read.contains(&std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())) && !read.contains(f)
    }) {
        return Some(shown(&skipped));
    }
    if partitions.is_empty() {
        return None;
    }
    listed
        .iter()
        .find(|m| outside_partitions(table, &m.location, partitions))
        .map(|m| shown(&listed_path(m)))
}

/// The listing table of `urls` in `format`: partition columns from the
/// paths, then the schema from the files; a schema that cannot be read is
/// `read_failed`'s error.
async fn listing_config(
    state: &datafusion::execution::SessionState,
    urls: &[ListingTableUrl],
    format: Format,
    spec: &SourceSpec,
    extension: String,
    read_failed: impl FnOnce(DataFusionError) -> Error,
) -> Result<ListingTableConfig, Error> {
    let options = ListingOptions::new(file_format(format, &spec.csv, &spec.path))
        .with_file_extension(extension);
    ListingTableConfig::new_with_multi_paths(urls.to_vec())
        .with_listing_options(options)
        .infer_partitions_from_path(state)
        .await
        .map_err(Error::Engine)?
        .infer_schema(state)
        .await
        .map_err(read_failed)
}

/// The partition columns DataFusion inferred for a listing table.
fn partition_columns(config: &ListingTableConfig) -> Vec<String> {
    config
        .options
        .as_ref()
        .map(|o| {
            o.table_partition_cols
                .iter()
                .map(|(n, _)| n.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a listed file is outside the `key=value` folders of `table`
/// that its partition columns say every file is in.
fn outside_partitions(
    table: &ListingTableUrl,
    location: &datafusion::object_store::path::Path,
    partitions: &[String],
) -> bool {
    !partitions.is_empty()
        && datafusion::datasource::listing::helpers::parse_partitions_for_path(
            table,
            location,
            partitions.iter().map(String::as_str),
        )
        .is_none_or(|v| v.len() != partitions.len())
}

/// The error for `file`, which the listing of the table at `path` would
/// skip: in a folder that is not a partition, or outside the partitions.
fn skipped(
    path: &str,
    file: String,
    partitions: &[String],
    listed: &[datafusion::object_store::ObjectMeta],
) -> Error {
    let path = path.trim_end_matches('/').to_string();
    if partitions.is_empty() {
        Error::Nested {
            path,
            file,
            extension: table_extension(listed),
        }
    } else {
        Error::Stray {
            path,
            file,
            partitions: partitions.join("=…/") + "=…",
        }
    }
}

/// The local path of a file DataFusion listed (its location is the path
/// without the leading `/`).
fn listed_path(meta: &datafusion::object_store::ObjectMeta) -> PathBuf {
    Path::new("/").join(meta.location.as_ref())
}

/// `path` relative to the working directory `cwd` when it is below it, as
/// the user most likely wrote it.
fn shown_path(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd).unwrap_or(path).to_path_buf()
}

/// The extension the listed files share (`.parquet`), from the first.
fn table_extension(listed: &[datafusion::object_store::ObjectMeta]) -> String {
    listed
        .first()
        .and_then(|m| m.location.extension())
        .map(|e| format!(".{e}"))
        .unwrap_or_default()
}

/// What each file must be before DataFusion reads it: a Parquet file with
/// a sound footer, and no file with two columns of one name (DataFusion
/// merges the schemas of a table's files, which keeps the first of two
/// same-named columns and drops the other without a word).
fn check_file(format: Format, path: &Path, csv: &CsvOptions) -> Result<(), Error> {
    let names: Vec<String> = match format {
        Format::Parquet => {
            check_parquet_footer(path)?;
            let file = std::fs::File::open(path).map_err(|source| Error::Open {
                path: path.display().to_string(),
                source,
            })?;
            let meta = datafusion::parquet::file::metadata::ParquetMetaDataReader::new()
                .parse_and_finish(&file)
                .map_err(|e| Error::NotParquet {
                    path: path.display().to_string(),
                    why: e.to_string(),
                })?;
            meta.file_metadata()
                .schema_descr()
                .root_schema()
                .get_fields()
                .iter()
                .map(|f| f.name().to_string())
                .collect()
        }
        Format::Csv | Format::Json => {
            check_text(path)?;
            if format == Format::Csv && csv.header {
                csv_header(path, csv)?
            } else {
                return Ok(());
            }
        }
        Format::Arrow => return Ok(()),
    };
    let mut seen = std::collections::HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = seen.insert(name.as_str(), i + 1) {
            return Err(Error::DuplicateColumn {
                path: path.display().to_string(),
                name: name.clone(),
                first,
                second: i + 1,
            });
        }
    }
    Ok(())
}

/// The longest line a CSV or NDJSON file may have: a reader holds a whole
/// line in memory, several times over while it parses it.
const MAX_LINE_BYTES: usize = 64 << 20;

/// Rejects a CSV or NDJSON file that is not lines of text before a reader
/// buffers it: a NUL byte near the start (a binary file, or a sparse one
/// read as CSV, which grew to 10 GB of memory), or a first line past
/// [`MAX_LINE_BYTES`].
fn check_text(path: &Path) -> Result<(), Error> {
    use std::io::Read;
    let shown = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|source| Error::Open {
        path: shown.clone(),
        source,
    })?;
    let io = |source| Error::Io {
        path: shown.clone(),
        source,
    };
    // Chunks until the first line ends: one 64 KiB read for most files.
    let mut chunk = vec![0u8; 64 << 10];
    let mut read = 0;
    loop {
        let n = file.read(&mut chunk).map_err(io)?;
        let part = &chunk[..n];
        if read == 0 && part.contains(&0) {
            return Err(Error::NotText {
                path: shown,
                why: "it holds NUL bytes (a binary file, or a sparse one)".into(),
            });
        }
        read += n;
        if n == 0 || part.contains(&b'\n') {
            return Ok(());
        }
        if read > MAX_LINE_BYTES {
            return Err(Error::NotText {
                path: shown,
                why: format!("its first line is longer than {} MiB", MAX_LINE_BYTES >> 20),
            });
        }
    }
}

/// The column names of a CSV file's header line, parsed with the source's
/// delimiter and quote.
fn csv_header(path: &Path, csv: &CsvOptions) -> Result<Vec<String>, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Open {
        path: path.display().to_string(),
        source,
    })?;
    let format = datafusion::arrow::csv::reader::Format::default()
        .with_header(true)
        .with_delimiter(csv_delimiter(csv, &path.to_string_lossy()))
        .with_quote(csv.quote);
    // Only the header: no record is read to infer types.
    match format.infer_schema(std::io::BufReader::new(file), Some(0)) {
        Ok((schema, _)) => Ok(schema.fields().iter().map(|f| f.name().clone()).collect()),
        // A file the reader cannot parse is DataFusion's to report.
        Err(_) => Ok(Vec::new()),
    }
}

/// Rejects a file that cannot be Parquet before the reader sees it: the
/// Parquet reader trusts the footer length, and a corrupt one can crash it.
fn check_parquet_footer(path: &Path) -> Result<(), Error> {
    use std::io::{Read, Seek, SeekFrom};
    let bad = |why: &str| Error::NotParquet {
        path: path.display().to_string(),
        why: why.to_string(),
    };
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(|source| Error::Open {
        path: path.display().to_string(),
        source,
    })?;
    let len = f.metadata().map_err(io)?.len();
    if len < 12 {
        return Err(bad(&format!("{len} bytes is too short")));
    }
    let mut head = [0u8; 4];
    let mut tail = [0u8; 8];
    f.read_exact(&mut head).map_err(io)?;
    f.seek(SeekFrom::End(-8)).map_err(io)?;
    f.read_exact(&mut tail).map_err(io)?;
    match footer_problem(len, &head, &tail) {
        Some(why) => Err(bad(&why)),
        None => Ok(()),
    }
}

/// Why a Parquet file of `len` bytes that starts with `head` (4 bytes) and
/// ends with `tail` (8 bytes) cannot be read, if it cannot: the reader
/// trusts the footer length, and a corrupt one can crash it.
fn footer_problem(len: u64, head: &[u8], tail: &[u8]) -> Option<String> {
    if len < 12 {
        return Some(format!("{len} bytes is too short"));
    }
    if head != b"PAR1" || tail.get(4..) != Some(&b"PAR1"[..]) {
        return Some("the PAR1 magic bytes are missing".into());
    }
    let footer = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as u64;
    (footer + 12 > len).then(|| format!("the footer claims {footer} bytes but the file has {len}"))
}

/// The files a glob matches, sorted; an error when it matches none.
fn expand_glob(pattern: &str) -> Result<Vec<String>, Error> {
    let files = walk::glob_files(pattern).map_err(|e| match e {
        walk::WalkError::Pattern(source) => Error::Glob {
            pattern: pattern.to_string(),
            source,
        },
        walk::WalkError::Io(path, source) => Error::Io { path, source },
    })?;
    if files.is_empty() {
        return Err(Error::NoMatch(pattern.to_string()));
    }
    Ok(files)
}

fn detect_format(path: &str, is_dir: bool) -> Result<Format, Error> {
    if !is_dir {
        return Format::from_extension(path).ok_or_else(|| Error::UnknownFormat(path.to_string()));
    }
    first_data_file(Path::new(path))
        .and_then(|f| Format::from_extension(&f))
        .ok_or_else(|| Error::NoDataFiles(path.to_string()))
}

/// The first file below `dir` (depth first, sorted) with a known extension.
fn first_data_file(dir: &Path) -> Option<String> {
    walk::first_file(dir, &|name| Format::from_extension(name).is_some())
}

/// The extension a directory's data files carry (`.parquet`, `.pq`, …).
fn format_extension(dir: &str, format: Format) -> String {
    first_data_file(Path::new(dir))
        .filter(|f| Format::from_extension(f) == Some(format))
        .and_then(|f| f.rsplit_once('.').map(|(_, e)| format!(".{e}")))
        .unwrap_or_else(|| format!(".{}", format.name()))
}

/// The `csv:` delimiter, else tab for `.tsv` files and comma for others.
fn csv_delimiter(csv: &CsvOptions, path: &str) -> u8 {
    let tsv = path.to_ascii_lowercase().ends_with(".tsv");
    csv.delimiter.unwrap_or(if tsv { b'\t' } else { b',' })
}

fn file_format(format: Format, csv: &CsvOptions, path: &str) -> Arc<dyn FileFormat> {
    match format {
        Format::Parquet => Arc::new(ParquetFormat::default()),
        Format::Csv => Arc::new(
            CsvFormat::default()
                .with_delimiter(csv_delimiter(csv, path))
                .with_has_header(csv.header)
                .with_quote(csv.quote),
        ),
        // Every row, not a sample: a key that first appears late is a
        // column the schema contract must see (an NDJSON file has no
        // header to say so). It costs one more read of the file.
        Format::Json => Arc::new(JsonFormat::default().with_schema_infer_max_rec(usize::MAX)),
        Format::Arrow => Arc::new(ArrowFormat),
    }
}
