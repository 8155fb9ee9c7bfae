//! Sources: turning a `path:` (file, directory, glob, hive-partitioned
//! folders) into a table registered in the DataFusion session under the
//! source's name. The format comes from `format:` or the file extension.
//! Database sources (`url:`) are registered by `crate::database`.
//! Problems a user can fix (no such file, a glob matching nothing, a
//! directory without data files) are told apart from read errors.

use std::path::Path;
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
        });
    }
    let path = spec.path.as_str();
    let state = ctx.state();
    let (urls, format, extension, files) = if is_glob(path) {
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
            .map(|f| ListingTableUrl::parse(f).map_err(Error::Engine))
            .collect::<Result<Vec<_>, _>>()?;
        if format == Format::Parquet {
            files
                .iter()
                .try_for_each(|f| check_parquet_footer(Path::new(f)))?;
        }
        let n = files.len();
        (urls, format, String::new(), n)
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
        let url = ListingTableUrl::parse(path).map_err(Error::Engine)?;
        let store = state
            .runtime_env()
            .object_store(&url)
            .map_err(Error::Engine)?;
        let listed: Vec<_> = url
            .list_all_files(&state, store.as_ref(), &extension)
            .await
            .map_err(Error::Engine)?
            .try_collect()
            .await
            .map_err(Error::Engine)?;
        if listed.is_empty() {
            return Err(Error::Empty {
                path: path.to_string(),
                format: format.name(),
            });
        }
        if format == Format::Parquet && !is_dir {
            check_parquet_footer(Path::new(path))?;
        } else if format == Format::Parquet {
            let cwd = std::env::current_dir().unwrap_or_default();
            for meta in &listed {
                let abs = Path::new("/").join(meta.location.as_ref());
                check_parquet_footer(abs.strip_prefix(&cwd).unwrap_or(&abs))?;
            }
        }
        (vec![url], format, extension, listed.len())
    };
    let options =
        ListingOptions::new(file_format(format, &spec.csv, path)).with_file_extension(extension);
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .infer_partitions_from_path(&state)
        .await
        .map_err(Error::Engine)?
        .infer_schema(&state)
        .await
        .map_err(|source| Error::Read {
            path: path.to_string(),
            source,
        })?;
    let partition_columns = config
        .options
        .as_ref()
        .map(|o| {
            o.table_partition_cols
                .iter()
                .map(|(n, _)| n.clone())
                .collect()
        })
        .unwrap_or_default();
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
    })
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
    if &head != b"PAR1" || &tail[4..] != b"PAR1" {
        return Err(bad("the PAR1 magic bytes are missing"));
    }
    let footer = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]) as u64;
    if footer + 12 > len {
        return Err(bad(&format!(
            "the footer claims {footer} bytes but the file has {len}"
        )));
    }
    Ok(())
}

/// The files a glob matches, sorted; an error when it matches none.
fn expand_glob(pattern: &str) -> Result<Vec<String>, Error> {
    let paths = glob::glob(pattern).map_err(|source| Error::Glob {
        pattern: pattern.to_string(),
        source,
    })?;
    let mut files: Vec<String> = paths
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    files.sort();
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

/// The first file below `dir` (depth first, sorted) with a known extension,
/// skipping hidden and `_`-prefixed names as Spark and Hive writers expect.
fn first_data_file(dir: &Path) -> Option<String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            if let Some(f) = first_data_file(&p) {
                return Some(f);
            }
        } else if Format::from_extension(&name).is_some() {
            return Some(p.to_string_lossy().to_string());
        }
    }
    None
}

/// The extension a directory's data files carry (`.parquet`, `.pq`, …).
fn format_extension(dir: &str, format: Format) -> String {
    first_data_file(Path::new(dir))
        .filter(|f| Format::from_extension(f) == Some(format))
        .and_then(|f| f.rsplit_once('.').map(|(_, e)| format!(".{e}")))
        .unwrap_or_else(|| format!(".{}", format.name()))
}

fn file_format(format: Format, csv: &CsvOptions, path: &str) -> Arc<dyn FileFormat> {
    match format {
        Format::Parquet => Arc::new(ParquetFormat::default()),
        Format::Csv => {
            let tsv = path.to_ascii_lowercase().ends_with(".tsv");
            let delimiter = csv.delimiter.unwrap_or(if tsv { b'\t' } else { b',' });
            Arc::new(
                CsvFormat::default()
                    .with_delimiter(delimiter)
                    .with_has_header(csv.header)
                    .with_quote(csv.quote),
            )
        }
        // Every row, not a sample: a key that first appears late is a
        // column the schema contract must see (an NDJSON file has no
        // header to say so). It costs one more read of the file.
        Format::Json => Arc::new(JsonFormat::default().with_schema_infer_max_rec(usize::MAX)),
        Format::Arrow => Arc::new(ArrowFormat),
    }
}
