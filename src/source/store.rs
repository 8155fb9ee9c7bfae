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
use std::time::Duration;

use async_trait::async_trait;
use futures::stream::BoxStream;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};

pub use crate::spec::storage::Cloud;
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::http::HttpBuilder;
use object_store::path::Path;
use object_store::{
    ClientConfigKey, CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, RetryConfig,
};

/// How long a request may take to connect, and how long retries may go on,
/// unless `storage:` or the environment says otherwise: an unreachable
/// endpoint fails in seconds, not after object_store's three minutes.
const CONNECT_TIMEOUT: &str = "5s";
const RETRY_TIMEOUT: Duration = Duration::from_secs(20);
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

/// The store of `url`'s bucket (or host) with the environment's and
/// `options`' settings, and where it is.
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
