//! The history's files: one Parquet file of rows per run under a
//! directory, written under a hidden temporary name and renamed into place,
//! and read back for `change_vs: history` and `verdict history`. Knows
//! nothing of reports; `super` turns a report into rows.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, AsArray, Float64Array, Int32Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema, TimeUnit};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::ArrowWriter;

use crate::source::store::Objects;

/// The layout version this verdict writes and reads.
pub const SCHEMA_VERSION: i32 = 1;

/// One observed number of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub run_id: String,
    /// Microseconds since the epoch, UTC.
    pub time_us: i64,
    pub suite: String,
    pub source: String,
    /// The check's name (`price.mean`), or `rows` for a row count.
    pub check: String,
    pub column: Option<String>,
    /// What the number is: the check keyword (`mean`), `psi`, `row_count`…
    pub metric: String,
    pub value: f64,
    pub status: String,
}

pub fn schema() -> Arc<Schema> {
    let s = |n: &str| Field::new(n, DataType::Utf8, false);
    Arc::new(Schema::new(vec![
        Field::new("schema_version", DataType::Int32, false),
        s("run_id"),
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        s("suite"),
        s("source"),
        s("check"),
        Field::new("column", DataType::Utf8, true),
        s("metric"),
        Field::new("value", DataType::Float64, false),
        s("status"),
    ]))
}

fn batch(rows: &[Row]) -> RecordBatch {
    let strings = |f: &dyn Fn(&Row) -> &str| -> Arc<dyn Array> {
        Arc::new(StringArray::from_iter_values(rows.iter().map(f)))
    };
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int32Array::from(vec![SCHEMA_VERSION; rows.len()])),
            strings(&|r| &r.run_id),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(rows.iter().map(|r| r.time_us))
                    .with_timezone("UTC"),
            ),
            strings(&|r| &r.suite),
            strings(&|r| &r.source),
            strings(&|r| &r.check),
            Arc::new(StringArray::from_iter(
                rows.iter().map(|r| r.column.as_deref()),
            )),
            strings(&|r| &r.metric),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.value))),
            strings(&|r| &r.status),
        ],
    )
    .expect("columns match the history schema")
}

/// What went wrong underneath: the file system, Parquet or Arrow.
type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why the history could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot create the history in {dir}")]
    Create {
        dir: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the history in {dir}")]
    Write {
        dir: String,
        #[source]
        source: Cause,
    },
    #[error("cannot read the history in {dir}")]
    List {
        dir: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read history file {path}")]
    File {
        path: String,
        #[source]
        source: Cause,
    },
    #[error("cannot read history file {path}: {why}")]
    Layout { path: String, why: String },
    #[error(
        "history file {path} has layout version {version}; this verdict reads version {SCHEMA_VERSION} (written by a {} verdict)",
        if *version > SCHEMA_VERSION { "newer" } else { "older" }
    )]
    Version { path: String, version: i32 },
}

/// Appends one run to `dir` (created if missing; a bucket prefix such as
/// `s3://bucket/history/` too); returns the file written.
pub fn append(dir: &Path, run_id: &str, time_us: i64, rows: &[Row]) -> Result<String, Error> {
    let shown = || dir.display().to_string();
    let fail = |e: Cause| Error::Write {
        dir: shown(),
        source: e,
    };
    let name = format!(
        "{}-{run_id}.parquet",
        crate::spec::time::format_nanos(i128::from(time_us) * 1000).replace(':', "")
    );
    if let Some(bucket) = Objects::folder(&dir.to_string_lossy()).map_err(|e| fail(e.into()))? {
        // One PUT of the whole file: an object is never seen half written,
        // and runs name their files apart, so concurrent runs both land.
        let mut bytes = Vec::new();
        let mut w = ArrowWriter::try_new(&mut bytes, schema(), None).map_err(|e| fail(e.into()))?;
        w.write(&batch(rows)).map_err(|e| fail(e.into()))?;
        w.close().map_err(|e| fail(e.into()))?;
        return bucket.put(&name, bytes).map_err(|e| fail(e.into()));
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Create {
        dir: shown(),
        source,
    })?;
    let target = dir.join(name);
    remove_stale_writes(dir);
    let tmp = tempfile::Builder::new()
        .prefix(".verdict-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail(e.into()))?;
    let file = tmp.reopen().map_err(|e| fail(e.into()))?;
    let mut w = ArrowWriter::try_new(file, schema(), None).map_err(|e| fail(e.into()))?;
    w.write(&batch(rows)).map_err(|e| fail(e.into()))?;
    w.close().map_err(|e| fail(e.into()))?;
    tmp.as_file().sync_all().map_err(|e| fail(e.into()))?;
    tmp.persist(&target).map_err(|e| fail(e.error.into()))?;
    Ok(target.display().to_string())
}

/// How old a run's temporary file must be before a later write removes
/// it: no write takes this long, so its writer was killed.
const STALE_WRITE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporary files of writes that were killed (`.verdict-*.tmp`
/// untouched for an hour). A write in progress elsewhere is younger; what
/// cannot be removed stays, hidden, and is skipped by every reader.
fn remove_stale_writes(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".verdict-") && name.ends_with(".tmp")) {
            continue;
        }
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_WRITE);
        if stale {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Every row of every run in `dir`, oldest first. Hidden files (runs being
/// written) are skipped; a file of a newer layout is an error naming it.
pub fn read(dir: &Path) -> Result<Vec<Row>, Error> {
    let mut rows = Vec::new();
    let list_failed = |e: Cause| Error::List {
        dir: dir.display().to_string(),
        source: std::io::Error::other(e),
    };
    if let Some(bucket) =
        Objects::folder(&dir.to_string_lossy()).map_err(|e| list_failed(e.into()))?
    {
        let files = bucket
            .files(".parquet")
            .map_err(|e| list_failed(e.into()))?;
        for f in files {
            let shown = format!("{}{f}", bucket.url);
            let bytes = bucket.get(&f).map_err(|e| Error::File {
                path: shown.clone(),
                source: e.into(),
            })?;
            read_rows(bytes, &shown, &mut rows)?;
        }
        sort_runs(&mut rows);
        return Ok(rows);
    }
    let entries = std::fs::read_dir(dir).map_err(|source| Error::List {
        dir: dir.display().to_string(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "parquet")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    for f in files {
        let file = std::fs::File::open(&f).map_err(|e| Error::File {
            path: f.display().to_string(),
            source: e.into(),
        })?;
        read_rows(file, &f.display().to_string(), &mut rows)?;
    }
    sort_runs(&mut rows);
    Ok(rows)
}

fn sort_runs(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        a.time_us
            .cmp(&b.time_us)
            .then_with(|| a.run_id.cmp(&b.run_id))
    });
}

/// The rows of one history file (`shown` names it in messages).
fn read_rows<R: datafusion::parquet::file::reader::ChunkReader + 'static>(
    file: R,
    shown: &str,
    rows: &mut Vec<Row>,
) -> Result<(), Error> {
    let shown = || shown.to_string();
    let bad = |e: Cause| Error::File {
        path: shown(),
        source: e,
    };
    let layout = |why: String| Error::Layout { path: shown(), why };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| bad(e.into()))?
        .build()
        .map_err(|e| bad(e.into()))?;
    for b in reader {
        let b = b.map_err(|e| bad(e.into()))?;
        let col = |name: &str| {
            b.column_by_name(name)
                .ok_or_else(|| layout(format!("no column `{name}`")))
        };
        let version = col("schema_version")?
            .as_primitive_opt::<Int32Type>()
            .ok_or_else(|| layout("`schema_version` is not int32".into()))?;
        if let Some(v) = version.iter().flatten().find(|v| *v != SCHEMA_VERSION) {
            return Err(Error::Version {
                path: shown(),
                version: v,
            });
        }
        let text = |name: &str| -> Result<&StringArray, Error> {
            col(name)?
                .as_string_opt::<i32>()
                .ok_or_else(|| layout(format!("`{name}` is not a string column")))
        };
        let (run, suite, source, check, column, metric, status) = (
            text("run_id")?,
            text("suite")?,
            text("source")?,
            text("check")?,
            text("column")?,
            text("metric")?,
            text("status")?,
        );
        let time = col("time")?
            .as_primitive_opt::<datafusion::arrow::datatypes::TimestampMicrosecondType>()
            .ok_or_else(|| layout("`time` is not a microsecond timestamp".into()))?;
        let value = col("value")?
            .as_primitive_opt::<datafusion::arrow::datatypes::Float64Type>()
            .ok_or_else(|| layout("`value` is not float64".into()))?;
        for i in 0..b.num_rows() {
            rows.push(Row {
                run_id: run.value(i).to_string(),
                time_us: time.value(i),
                suite: suite.value(i).to_string(),
                source: source.value(i).to_string(),
                check: check.value(i).to_string(),
                column: (!column.is_null(i)).then(|| column.value(i).to_string()),
                metric: metric.value(i).to_string(),
                value: value.value(i),
                status: status.value(i).to_string(),
            });
        }
    }
    Ok(())
}

/// The past runs for `change_vs: history`: none yet when the directory does
/// not exist (the first run creates it).
pub fn past(dir: &Path) -> Result<Arc<Vec<Row>>, Error> {
    let remote = crate::source::store::Cloud::of(&dir.to_string_lossy()).is_some();
    if !remote && !dir.exists() {
        return Ok(Arc::new(Vec::new()));
    }
    read(dir).map(Arc::new)
}
