//! Object stores: `s3://`, `gs://`, `az://` (`abfss://`, …) and
//! `http(s)://` sources, through the object_store crate DataFusion itself
//! reads with. Credentials come from the environment the way each cloud's
//! own tools find them (`AWS_*`, `GOOGLE_*`, `AZURE_*`), then from the
//! source's `storage:` options, which win. Every store is wrapped in
//! [`Counted`], which records the requests and bytes read of each object
//! so that reports say what a run read.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::stream::BoxStream;
#[cfg(feature = "cloud")]
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};

pub use crate::spec::storage::Cloud;
#[cfg(feature = "cloud")]
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
#[cfg(feature = "cloud")]
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
#[cfg(feature = "cloud")]
use object_store::http::HttpBuilder;
use object_store::path::Path;
#[cfg(feature = "cloud")]
use object_store::{ClientConfigKey, RetryConfig};
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};

/// How long a request may take to connect, and how long retries may go on,
/// unless `storage:` or the environment says otherwise: an unreachable
/// endpoint fails in seconds, not after object_store's three minutes.
#[cfg(feature = "cloud")]
const CONNECT_TIMEOUT: &str = "5s";
#[cfg(feature = "cloud")]
const RETRY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
#[cfg(feature = "cloud")]
const MAX_RETRIES: usize = 3;

/// What a store was made from, for messages: the bucket (or host) URL and
/// the endpoint when one was set.
#[derive(Debug, Clone)]
pub struct Place {
    /// `s3://bucket`, `https://host:port`.
    pub root: String,
    pub endpoint: Option<String>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Some(e) => write!(f, "{} at {e}", self.root),
            None => write!(f, "{}", self.root),
        }
    }
}

/// The store of `url`'s bucket (or host): in a build without object
/// stores, the message that says so.
#[cfg(not(feature = "cloud"))]
pub fn build(
    _cloud: Cloud,
    _url: &url::Url,
    _options: &[(String, String)],
) -> Result<(Arc<dyn ObjectStore>, Place), String> {
    Err(crate::features::CLOUD.missing())
}

/// The store of `url`'s bucket (or host) with the environment's and
/// `options`' settings, and where it is.
#[cfg(feature = "cloud")]
pub fn build(
    cloud: Cloud,
    url: &url::Url,
    options: &[(String, String)],
) -> Result<(Arc<dyn ObjectStore>, Place), String> {
    let root = format!("{}://{}", url.scheme(), url.authority());
    let retry = RetryConfig {
        max_retries: MAX_RETRIES,
        retry_timeout: RETRY_TIMEOUT,
        ..RetryConfig::default()
    };
    let fail = |e: object_store::Error| format!("cannot set up {}: {e}", cloud.name());
    let (store, endpoint): (Arc<dyn ObjectStore>, Option<String>) = match cloud {
        Cloud::S3 => {
            let mut b = AmazonS3Builder::from_env().with_url(url.as_str());
            for (k, v) in options {
                b = b.with_config(k.to_ascii_lowercase().parse().map_err(fail)?, v);
            }
            let timeout = AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout);
            if b.get_config_value(&timeout).is_none() {
                b = b.with_config(timeout, CONNECT_TIMEOUT);
            }
            let endpoint = b.get_config_value(&AmazonS3ConfigKey::Endpoint);
            (
                Arc::new(b.with_retry(retry).build().map_err(fail)?),
                endpoint,
            )
        }
        Cloud::Gcs => {
            let mut b = GoogleCloudStorageBuilder::from_env().with_url(url.as_str());
            for (k, v) in options {
                b = b.with_config(k.to_ascii_lowercase().parse().map_err(fail)?, v);
            }
            let timeout = GoogleConfigKey::Client(ClientConfigKey::ConnectTimeout);
            if b.get_config_value(&timeout).is_none() {
                b = b.with_config(timeout, CONNECT_TIMEOUT);
            }
            let endpoint = b.get_config_value(&GoogleConfigKey::BaseUrl);
            (
                Arc::new(b.with_retry(retry).build().map_err(fail)?),
                endpoint,
            )
        }
        Cloud::Azure => {
            let mut b = MicrosoftAzureBuilder::from_env().with_url(url.as_str());
            for (k, v) in options {
                b = b.with_config(k.to_ascii_lowercase().parse().map_err(fail)?, v);
            }
            let timeout = AzureConfigKey::Client(ClientConfigKey::ConnectTimeout);
            if b.get_config_value(&timeout).is_none() {
                b = b.with_config(timeout, CONNECT_TIMEOUT);
            }
            let endpoint = b.get_config_value(&AzureConfigKey::Endpoint).or_else(|| {
                b.get_config_value(&AzureConfigKey::UseEmulator)
                    .filter(|v| v == "true")
                    .map(|_| "the Azurite emulator".to_string())
            });
            (
                Arc::new(b.with_retry(retry).build().map_err(fail)?),
                endpoint,
            )
        }
        Cloud::Http => {
            // A user who writes `http://` means plain HTTP.
            let mut b = HttpBuilder::new().with_url(root.as_str()).with_config(
                ClientConfigKey::AllowHttp,
                (url.scheme() == "http").to_string(),
            );
            let mut timeout_set = false;
            for (k, v) in options {
                let key: ClientConfigKey = k.to_ascii_lowercase().parse().map_err(fail)?;
                timeout_set |= key == ClientConfigKey::ConnectTimeout;
                b = b.with_config(key, v);
            }
            if !timeout_set {
                b = b.with_config(ClientConfigKey::ConnectTimeout, CONNECT_TIMEOUT);
            }
            (Arc::new(b.with_retry(retry).build().map_err(fail)?), None)
        }
    };
    Ok((store, Place { root, endpoint }))
}

/// Requests and bytes read, per object, by a [`Counted`] store.
#[derive(Debug, Default)]
pub struct Reads {
    by_object: Mutex<HashMap<Path, (u64, u64)>>,
}

impl Reads {
    fn record(&self, location: &Path, bytes: u64) {
        let mut m = self.by_object.lock().unwrap_or_else(|e| e.into_inner());
        let e = m.entry(location.clone()).or_default();
        e.0 += 1;
        e.1 += bytes;
    }

    /// The (requests, bytes) read of these objects so far.
    pub fn of<'a>(&self, objects: impl IntoIterator<Item = &'a Path>) -> (u64, u64) {
        let m = self.by_object.lock().unwrap_or_else(|e| e.into_inner());
        objects
            .into_iter()
            .filter_map(|p| m.get(p))
            .fold((0, 0), |(r, b), (r2, b2)| (r + r2, b + b2))
    }
}

/// A store that counts what is read through it: every GET (or HEAD) and
/// the bytes of the range the server sent.
#[derive(Debug)]
pub struct Counted {
    inner: Arc<dyn ObjectStore>,
    pub reads: Arc<Reads>,
}

impl Counted {
    pub fn new(inner: Arc<dyn ObjectStore>) -> Counted {
        Counted {
            inner,
            reads: Arc::default(),
        }
    }
}

impl fmt::Display for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

#[async_trait]
impl ObjectStore for Counted {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        let head = options.head;
        let got = self.inner.get_opts(location, options).await?;
        let Range { start, end } = got.range;
        self.reads
            .record(location, if head { 0 } else { end.saturating_sub(start) });
        Ok(got)
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

/// A folder or file in an object store that is not a table: a history
/// prefix, a saved reference. Made from the environment's credentials,
/// as sources are; its operations are synchronous, for the code that
/// reads and writes such files.
pub struct Objects {
    /// The folder's URL, ending in `/`, or the file's.
    pub url: String,
    cloud: Cloud,
    store: Arc<dyn ObjectStore>,
    path: Path,
}

impl Objects {
    /// The folder `text` names when it is an object-store URL.
    pub fn folder(text: &str) -> Result<Option<Objects>, String> {
        Objects::at(text, true)
    }

    /// The file `text` names when it is an object-store URL.
    pub fn file(text: &str) -> Result<Option<Objects>, String> {
        Objects::at(text, false)
    }

    fn at(text: &str, folder: bool) -> Result<Option<Objects>, String> {
        let Some(cloud) = Cloud::of(text) else {
            return Ok(None);
        };
        if let Some(why) = crate::spec::object_url_problem(text) {
            return Err(why);
        }
        let mut url =
            url::Url::parse(text).map_err(|e| format!("`{text}` is not a valid URL: {e}"))?;
        if folder && !url.path().ends_with('/') {
            url.set_path(&format!("{}/", url.path()));
        }
        let (store, _) = build(cloud, &url, &[])?;
        let path = Path::from_url_path(url.path())
            .map_err(|e| format!("`{text}` is not a valid object path: {e}"))?;
        Ok(Some(Objects {
            url: url.to_string(),
            cloud,
            store,
            path,
        }))
    }

    /// Writes `name` in the folder (or the file itself when `name` is
    /// empty) with one PUT of the whole content.
    pub fn put(&self, name: &str, bytes: Vec<u8>) -> Result<String, String> {
        let (path, url) = self.entry(name);
        wait(object_store::ObjectStoreExt::put(
            self.store.as_ref(),
            &path,
            bytes.into(),
        ))
        .map_err(|e| explain(&e, self.cloud, &[]))?;
        Ok(url)
    }

    /// The content of `name` in the folder (or of the file itself).
    pub fn get(&self, name: &str) -> Result<bytes::Bytes, String> {
        let (path, _) = self.entry(name);
        wait(async {
            object_store::ObjectStoreExt::get(self.store.as_ref(), &path)
                .await?
                .bytes()
                .await
        })
        .map_err(|e| explain(&e, self.cloud, &[]))
    }

    /// The names of the files directly in the folder that end with
    /// `suffix`, hidden names left out, sorted.
    pub fn files(&self, suffix: &str) -> Result<Vec<String>, String> {
        let listed = wait(self.store.list_with_delimiter(Some(&self.path)))
            .map_err(|e| explain(&e, self.cloud, &[]))?;
        let mut names: Vec<String> = listed
            .objects
            .iter()
            .filter_map(|m| m.location.filename().map(str::to_string))
            .filter(|n| n.ends_with(suffix) && !n.starts_with('.'))
            .collect();
        names.sort();
        Ok(names)
    }

    fn entry(&self, name: &str) -> (Path, String) {
        if name.is_empty() {
            (self.path.clone(), self.url.clone())
        } else {
            (self.path.clone().join(name), format!("{}{name}", self.url))
        }
    }
}

/// Runs `fut` to completion from synchronous code: on the current runtime
/// when called inside one (multi-threaded, as every command's is), else on
/// a runtime of its own.
fn wait<F: std::future::Future>(fut: F) -> F::Output {
    match tokio::runtime::Handle::try_current() {
        Ok(h) => tokio::task::block_in_place(|| h.block_on(fut)),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(fut),
    }
}

/// What a store error means for a user, in words, with every secret
/// option's value removed from the server's own text.
pub fn explain(e: &object_store::Error, cloud: Cloud, options: &[(String, String)]) -> String {
    let full = error_chain(e);
    let has = |w: &str| full.contains(w);
    // GCS answers a missing bucket with 404 NoSuchBucket; fake-gcs-server,
    // the emulator, with 500 "no bucket named …".
    let what = if has("NoSuchBucket")
        || has("ContainerNotFound")
        || has("The specified bucket does not exist")
        || has("no bucket named")
    {
        format!("no such {}", cloud.bucket_word())
    } else if matches!(e, object_store::Error::NotFound { .. })
        || has("NoSuchKey")
        || has("BlobNotFound")
    {
        "no such object".to_string()
    } else if has("InvalidAccessKeyId")
        || has("SignatureDoesNotMatch")
        || has("AccessDenied")
        || has("AuthenticationFailed")
        || has("AuthorizationFailure")
        || has("403 Forbidden")
        || matches!(
            e,
            object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        )
    {
        format!(
            "access denied: check the credentials ({})",
            cloud.credentials()
        )
    } else if has("PermanentRedirect")
        || has("AuthorizationHeaderMalformed")
        || has("IllegalLocationConstraintException")
    {
        "the bucket is in another region: set AWS_REGION (or `region:` in `storage:`)".to_string()
    } else if has("error sending request")
        || has("Connection refused")
        || has("dns error")
        || has("connect") && has("timed out")
    {
        "cannot reach the endpoint (is it running, and is the address right?)".to_string()
    } else {
        String::new()
    };
    let detail = scrub(&full, options);
    if what.is_empty() {
        detail
    } else {
        format!("{what} ({detail})")
    }
}

/// An error and all its causes, one after another.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let t = c.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cause = c.source();
    }
    text
}

/// `text` with the value of every secret `storage:` option (and secret
/// environment variable) replaced. Values shorter than four characters are
/// left: replacing every `y` would garble the text and hide nothing.
fn scrub(text: &str, options: &[(String, String)]) -> String {
    let env = [
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AZURE_STORAGE_ACCOUNT_KEY",
        "AZURE_STORAGE_SAS_KEY",
        "AZURE_CLIENT_SECRET",
    ]
    .into_iter()
    .filter_map(|var| std::env::var(var).ok());
    let secrets = options
        .iter()
        .filter(|(k, _)| crate::spec::storage::is_secret_option(k))
        .map(|(_, v)| v.clone())
        .chain(env);
    let mut out = text.to_string();
    for v in secrets {
        if v.chars().count() >= 4 {
            out = out.replace(v.as_str(), "***");
        }
    }
    out
}
