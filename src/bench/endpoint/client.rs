//! One HTTP/1.1 connection to an endpoint, kept alive across requests;
//! every failure is sorted into a class the report counts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, HOST, USER_AGENT};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::spec::Headers;

/// Where the requests of one endpoint go, resolved once.
pub struct Target {
    addrs: Vec<SocketAddr>,
    /// The path and query, as requests carry them.
    path: hyper::Uri,
    headers: HeaderMap,
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No complete answer within the per-request timeout.
    Timeout,
    /// Refused, reset or closed connections, TLS failures.
    Connection(String),
    /// An answer whose status is not 2xx.
    Status(u16, String),
    /// A 2xx answer whose body is not JSON (when answers are captured).
    Malformed(String),
    /// A 2xx JSON answer without a captured field.
    Capture(String),
}

impl Failure {
    /// The class the report counts it under.
    pub fn class(&self) -> String {
        match self {
            Failure::Timeout => "timeout".into(),
            Failure::Connection(_) => "connection".into(),
            Failure::Status(s, _) => format!("HTTP {s}"),
            Failure::Malformed(_) => "malformed JSON".into(),
            Failure::Capture(_) => "capture".into(),
        }
    }

    /// One example, as the report shows it.
    pub fn example(&self, timeout: Duration) -> String {
        match self {
            Failure::Timeout => format!(
                "no complete answer within {}",
                crate::report::format::millis(timeout.as_secs_f64())
            ),
            Failure::Connection(e) | Failure::Malformed(e) | Failure::Capture(e) => e.clone(),
            Failure::Status(s, body) => match body.is_empty() {
                true => format!("status {s} with an empty body"),
                false => format!("status {s}: {body}"),
            },
        }
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// The connection's own future: it writes requests and reads answers.
type Driver = hyper::client::conn::http1::Connection<TokioIo<Box<dyn Io>>, Full<Bytes>>;

/// An open connection. Its driver is polled by the task that sends on it
/// (not spawned as a task of its own), so a request and its answer cost
/// no hand-over between tasks.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    driver: Driver,
    /// The driver finished: the connection is closed.
    closed: bool,
}

impl Target {
    /// Resolves the host and prepares the headers every request carries.
    pub async fn resolve(
        url: &str,
        headers: &Headers,
        ca_file: Option<&str>,
    ) -> Result<Target, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let host = parsed.host_str().unwrap_or_default().to_string();
        let https = parsed.scheme() == "https";
        let port = parsed
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let bare = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare.as_str(), port))
            .await
            .map_err(|e| format!("cannot resolve `{host}`: {e}"))?
            .collect();
        if addrs.is_empty() {
            return Err(format!("`{host}` resolves to no address"));
        }
        let mut path = parsed.path().to_string();
        if let Some(q) = parsed.query() {
            path.push('?');
            path.push_str(q);
        }
        let authority = match parsed.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let mut map = HeaderMap::new();
        map.insert(
            HOST,
            HeaderValue::from_str(&authority)
                .map_err(|e| format!("bad host `{authority}`: {e}"))?,
        );
        map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        map.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("verdict/", env!("CARGO_PKG_VERSION"))),
        );
        for (k, v) in &headers.0 {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| format!("`{k}` is not an HTTP header name"))?;
            // The value is a secret: the message never shows it.
            let mut value = HeaderValue::from_str(v)
                .map_err(|_| format!("the value of header `{k}` is not a valid header value"))?;
            value.set_sensitive(true);
            map.insert(name, value);
        }
        let tls = if https {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            if let Some(path) = ca_file {
                add_roots(&mut roots, path)?;
            }
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
            let name = rustls::pki_types::ServerName::try_from(bare.clone())
                .map_err(|e| format!("`{host}` is not a TLS server name: {e}"))?;
            Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
        } else {
            None
        };
        let path = path
            .parse()
            .map_err(|e| format!("the path of `{url}` is not a request target: {e}"))?;
        Ok(Target {
            addrs,
            path,
            headers: map,
            tls,
        })
    }

    /// Opens a connection: TCP (every resolved address in turn), TLS for
    /// https, then the HTTP/1.1 handshake.
    pub async fn connect(&self) -> Result<Conn, Failure> {
        let mut last = None;
        let mut stream = None;
        for a in &self.addrs {
            match TcpStream::connect(a).await {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let Some(stream) = stream else {
            let e = last.expect("at least one address");
            return Err(Failure::Connection(io_text(&e)));
        };
        let _ = stream.set_nodelay(true);
        let io: Box<dyn Io> = match &self.tls {
            None => Box::new(stream),
            Some((connector, name)) => Box::new(
                connector
                    .connect(name.clone(), stream)
                    .await
                    .map_err(|e| Failure::Connection(format!("TLS: {e}")))?,
            ),
        };
        let (sender, driver) = hyper::client::conn::http1::handshake(TokioIo::new(io))
            .await
            .map_err(|e| Failure::Connection(hyper_text(&e)))?;
        Ok(Conn {
            sender,
            driver,
            closed: false,
        })
    }

    /// A request with `body`.
    pub fn request(&self, body: Bytes) -> Request<Full<Bytes>> {
        let mut r = Request::new(Full::new(body));
        *r.method_mut() = Method::POST;
        *r.uri_mut() = self.path.clone();
        *r.headers_mut() = self.headers.clone();
        r
    }
}

impl Conn {
    /// False once the server closed the connection (an idle keep-alive
    /// connection may be closed at any time; that is no failure). Lets the
    /// driver read what arrived while the connection was idle.
    pub fn is_open(&mut self) -> bool {
        use futures::FutureExt;
        if !self.closed && (&mut self.driver).now_or_never().is_some() {
            self.closed = true;
        }
        !self.closed && !self.sender.is_closed()
    }

    /// Sends one request and reads the whole answer: (status, body).
    pub async fn send(&mut self, req: Request<Full<Bytes>>) -> Result<(u16, Bytes), Failure> {
        let Conn {
            sender,
            driver,
            closed,
        } = self;
        let exchange = std::pin::pin!(async {
            sender
                .ready()
                .await
                .map_err(|e| Failure::Connection(hyper_text(&e)))?;
            let resp = sender
                .send_request(req)
                .await
                .map_err(|e| Failure::Connection(hyper_text(&e)))?;
            let status = resp.status().as_u16();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| Failure::Connection(hyper_text(&e)))?
                .to_bytes();
            Ok((status, body))
        });
        let mut exchange = exchange;
        tokio::select! {
            biased;
            r = &mut exchange => r,
            _ = driver => {
                // The connection ended (`Connection: close`, or the server
                // hung up): an answer read before it ended is delivered
                // all the same; otherwise the exchange ends with hyper's
                // error. It needs the driver no more; the per-request
                // timeout still bounds it.
                *closed = true;
                exchange.await
            }
        }
    }
}

/// Adds the PEM certificates of `path` to `roots`.
fn add_roots(roots: &mut rustls::RootCertStore, path: &str) -> Result<(), String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read `ca_file` {path}: {e}"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("`ca_file` {path} is not PEM: {e}"))?;
    if certs.is_empty() {
        return Err(format!("`ca_file` {path} holds no PEM certificate"));
    }
    for (i, c) in certs.into_iter().enumerate() {
        roots
            .add(c)
            .map_err(|e| format!("certificate {} of `ca_file` {path}: {e}", i + 1))?;
    }
    Ok(())
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        std::io::ErrorKind::ConnectionReset => "connection reset by the server".into(),
        _ => e.to_string(),
    }
}

/// hyper's error with its causes: "connection closed before message
/// completed", "connection reset by the server".
fn hyper_text(e: &hyper::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = match s.downcast_ref::<std::io::Error>() {
            Some(io) => io_text(io),
            None => s.to_string(),
        };
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}
