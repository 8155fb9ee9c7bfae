//! A `path:` in an object store (`s3://bucket/prefix/…`, `gs://`, `az://`,
//! `http(s)://`) registered as a table, with the rules of local paths: one
//! object is read whatever its name; a prefix is a folder, `key=value`
//! folders under it become columns and an object DataFusion would skip is
//! named; a glob (`*`, `?`, `[`) lists the prefix before it and reads the
//! objects that match, `*` within one folder and `**` across folders.

use std::sync::Arc;
use std::time::Instant;

use datafusion::datasource::listing::ListingTableUrl;
use datafusion::prelude::SessionContext;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};

use super::store::{explain, Cloud, Place};
use super::{Error, Loaded, Remote};
use crate::spec::{Format, SourceSpec};

/// Registers the object-store source `spec` in `ctx`.
pub(super) async fn register(
    ctx: &SessionContext,
    spec: &SourceSpec,
    cloud: Cloud,
) -> Result<Loaded, Error> {
    let started = Instant::now();
    let shown = shown_url(&spec.path);
    let remote = |why: String| Error::Remote {
        place: shown.clone(),
        why,
    };
    let (base, glob) = split_glob(&spec.path);
    let base_url = url::Url::parse(base).map_err(|e| remote(format!("not a valid URL: {e}")))?;
    if base_url.host_str().is_none_or(str::is_empty) {
        return Err(remote("the URL names no bucket (or host)".into()));
    }
    let pattern = glob
        .map(|g| glob::Pattern::new(g).map_err(|e| remote(format!("invalid glob `{g}`: {e}"))))
        .transpose()?;
    let table_url = ListingTableUrl::try_new(base_url.clone(), None).map_err(Error::Engine)?;
    let (reads, place) = crate::engine::object_store(ctx, cloud, &table_url, &spec.storage)
        .map_err(|why| Error::Remote {
            place: shown.clone(),
            why,
        })?;
    let store = ctx
        .runtime_env()
        .object_store(&table_url)
        .map_err(Error::Engine)?;
    let fail = |e: object_store::Error| Error::Remote {
        place: place.to_string(),
        why: explain(&e, cloud, &spec.storage.0),
    };
    let prefix = table_url.prefix().clone();
    // The path and the endpoint it was looked for at.
    let here = |why: &str| Error::Remote {
        place: match &place.endpoint {
            Some(e) => format!("{shown} at {e}"),
            None => shown.clone(),
        },
        why: why.to_string(),
    };

    // What the path names: one object, or the objects below a prefix.
    let single = if pattern.is_none() && !base.ends_with('/') && !prefix.as_ref().is_empty() {
        match store.head(&prefix).await {
            Ok(meta) => Some(meta),
            Err(object_store::Error::NotFound { .. }) => None,
            Err(e) => return Err(fail(e)),
        }
    } else {
        None
    };
    let (urls, format, extension, objects, partitioned) = if let Some(meta) = single {
        let format = match spec.format {
            Some(f) => f,
            None => Format::from_extension(meta.location.as_ref())
                .ok_or_else(|| Error::UnknownFormat(shown.clone()))?,
        };
        (vec![table_url], format, String::new(), vec![meta], false)
    } else {
        let mut listed: Vec<ObjectMeta> = store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(fail)?;
        listed.sort_by(|a, b| a.location.cmp(&b.location));
        let relative = |m: &ObjectMeta| relative_to(&prefix, &m.location);
        if let Some(p) = &pattern {
            let options = glob::MatchOptions {
                require_literal_separator: true,
                ..Default::default()
            };
            listed.retain(|m| p.matches_with(&relative(m), options));
            if listed.is_empty() {
                return Err(here("no objects match the glob"));
            }
            let format = match spec.format {
                Some(f) => f,
                None => Format::from_extension(listed[0].location.as_ref())
                    .ok_or_else(|| Error::UnknownFormat(listed[0].location.to_string()))?,
            };
            let urls = listed
                .iter()
                .map(|m| object_url(&base_url, &m.location))
                .collect::<Result<Vec<_>, _>>()?;
            (urls, format, String::new(), listed, false)
        } else {
            if listed.is_empty() {
                return Err(here(
                    "no objects at this location (no such key, and no objects below it as a prefix)",
                ));
            }
            let first = listed
                .iter()
                .find(|m| Format::from_extension(m.location.as_ref()).is_some());
            let format = match (spec.format, first) {
                (Some(f), _) => f,
                (None, Some(m)) => Format::from_extension(m.location.as_ref()).expect("found"),
                (None, None) => return Err(Error::NoDataFiles(shown)),
            };
            let extension = first
                .filter(|m| Format::from_extension(m.location.as_ref()) == Some(format))
                .and_then(|m| m.location.extension())
                .map_or_else(|| format!(".{}", format.name()), |e| format!(".{e}"));
            listed.retain(|m| m.location.as_ref().ends_with(&extension));
            if listed.is_empty() {
                return Err(Error::Empty {
                    path: shown,
                    format: format.name(),
                });
            }
            // A folder URL, so that DataFusion lists it as one and reads
            // `key=value` folders as partitions.
            let mut folder = base_url.clone();
            if !folder.path().ends_with('/') {
                folder.set_path(&format!("{}/", folder.path()));
            }
            let url = ListingTableUrl::try_new(folder, None).map_err(Error::Engine)?;
            (vec![url], format, extension, listed, true)
        }
    };

    if format == Format::Parquet {
        if let Some((location, why)) = footer_check(store.as_ref(), &objects).await.map_err(fail)? {
            return Err(Error::NotParquet {
                path: format!("{}/{location}", place.root),
                why,
            });
        }
    }
    let state = ctx.state();
    let config = super::listing_config(&state, &urls, format, spec, extension, |e| {
        read_error(&shown, &place, e, cloud, &spec.storage.0)
    })
    .await?;
    let partition_columns = super::partition_columns(&config);
    if partitioned {
        let table = &urls[0];
        let ignore = state
            .config_options()
            .execution
            .listing_table_ignore_subdirectory;
        if let Some(stray) = objects.iter().find(|m| {
            !table.contains(&m.location, ignore)
                || super::outside_partitions(table, &m.location, &partition_columns)
        }) {
            let file = format!("{}/{}", place.root, stray.location);
            return Err(super::skipped(&shown, file, &partition_columns, &objects));
        }
    }
    let table =
        datafusion::datasource::listing::ListingTable::try_new(config).map_err(Error::Engine)?;
    let schema = datafusion::datasource::TableProvider::schema(&table);
    ctx.register_table(spec.name.as_str(), Arc::new(table))
        .map_err(Error::Engine)?;
    Ok(Loaded {
        format: format.name(),
        files: Some(objects.len()),
        dialect: None,
        schema,
        partition_columns,
        seconds: started.elapsed().as_secs_f64(),
        remote: Some(Remote {
            objects: objects.iter().map(|m| m.location.clone()).collect(),
            size: objects.iter().map(|m| m.size).sum(),
            reads,
        }),
    })
}

/// The first Parquet object whose magic bytes or footer length are wrong,
/// and why, found before DataFusion's reader (which trusts the footer
/// length) sees it: two small ranged reads per object, eight objects at a
/// time.
async fn footer_check(
    store: &dyn ObjectStore,
    objects: &[ObjectMeta],
) -> Result<Option<(Path, String)>, object_store::Error> {
    let checks: Vec<_> = objects
        .iter()
        .map(|m| footer_of(store, m.location.clone(), m.size))
        .collect();
    let mut results = futures::stream::iter(checks).buffered(8);
    while let Some(r) = results.next().await {
        if let Some(found) = r? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// [`super::footer_problem`] of one object, read with two ranged GETs.
async fn footer_of(
    store: &dyn ObjectStore,
    location: Path,
    len: u64,
) -> Result<Option<(Path, String)>, object_store::Error> {
    let problem = if len < 12 {
        super::footer_problem(len, &[], &[])
    } else {
        let head = store.get_range(&location, 0..4).await?;
        let tail = store.get_range(&location, len - 8..len).await?;
        super::footer_problem(len, &head, &tail)
    };
    Ok(problem.map(|why| (location, why)))
}

/// The URL without a user name or password, as reports show it.
pub fn shown_url(path: &str) -> String {
    match url::Url::parse(path) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => crate::database::dburl::redact(path),
    }
}

/// The part of a URL before its first glob character, up to and with the
/// last `/` before it, and the glob after it; the whole URL and no glob
/// when it has none.
fn split_glob(path: &str) -> (&str, Option<&str>) {
    let after_scheme = path.find("://").map_or(0, |i| i + 3);
    match path[after_scheme..].find(['*', '?', '[']) {
        None => (path, None),
        Some(i) => {
            let at = after_scheme + i;
            let cut = path[..at]
                .rfind('/')
                .map_or(at, |s| s + 1)
                .max(after_scheme);
            (&path[..cut], Some(&path[cut..]))
        }
    }
}

/// `location` relative to `prefix` (both object paths), as a glob sees it.
fn relative_to(prefix: &Path, location: &Path) -> String {
    let p = prefix.as_ref();
    let l = location.as_ref();
    if p.is_empty() {
        return l.to_string();
    }
    l.strip_prefix(p)
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(l)
        .to_string()
}

/// The URL of one object of the bucket `base` is in.
fn object_url(base: &url::Url, location: &Path) -> Result<ListingTableUrl, Error> {
    let mut u = base.clone();
    u.set_query(None);
    u.set_path(&format!("/{location}"));
    ListingTableUrl::try_new(u, None).map_err(Error::Engine)
}

/// Reading an object's schema failed: a store error is explained, a file
/// that is not what it claims is the file's.
fn read_error(
    shown: &str,
    place: &Place,
    e: datafusion::error::DataFusionError,
    cloud: Cloud,
    options: &[(String, String)],
) -> Error {
    match find_store_error(&e) {
        Some(os) => Error::Remote {
            place: place.to_string(),
            why: explain(os, cloud, options),
        },
        None => Error::Read {
            path: shown.to_string(),
            source: e,
        },
    }
}

/// The object_store error at the root of a DataFusion error, if any.
pub fn find_store_error(e: &datafusion::error::DataFusionError) -> Option<&object_store::Error> {
    use datafusion::error::DataFusionError as D;
    match e {
        D::ObjectStore(os) => Some(os),
        D::Context(_, inner) => find_store_error(inner),
        D::Shared(inner) => find_store_error(inner),
        D::External(b) => b
            .downcast_ref::<object_store::Error>()
            .or_else(|| b.downcast_ref::<D>().and_then(find_store_error)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_split_at_the_folder_before_them() {
        assert_eq!(
            split_glob("s3://b/data/date=1/*.parquet"),
            ("s3://b/data/date=1/", Some("*.parquet"))
        );
        assert_eq!(split_glob("s3://b/**/x.csv"), ("s3://b/", Some("**/x.csv")));
        assert_eq!(split_glob("s3://b/x.csv"), ("s3://b/x.csv", None));
        assert_eq!(split_glob("s3://b*/x"), ("s3://", Some("b*/x")));
    }

    #[test]
    fn shown_urls_have_no_credentials() {
        assert_eq!(
            shown_url("https://ana:s3cret@h:8080/t.csv"),
            "https://h:8080/t.csv"
        );
        assert_eq!(shown_url("s3://b/k.parquet"), "s3://b/k.parquet");
    }

    #[test]
    fn relative_paths_start_below_the_prefix() {
        assert_eq!(
            relative_to(&Path::from("data"), &Path::from("data/a/b.csv")),
            "a/b.csv"
        );
        assert_eq!(relative_to(&Path::from(""), &Path::from("a.csv")), "a.csv");
    }
}
