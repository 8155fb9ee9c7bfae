//! `bench: { endpoint: … }`: a load test of the two models' HTTP
//! endpoints. Requests are built from the golden rows (a JSON body
//! template) or read from an NDJSON file; they are sent at a fixed arrival
//! rate (open loop) or as fast as `concurrency` connections allow; the
//! answers may be captured as the predictions the diff compares.

use std::time::Duration;

use super::diag::{suggest, Pos};
use super::parser::{get, Parser};
use super::yaml::{Kind, Node};
use super::Severity;

#[derive(Debug, Clone, PartialEq)]
pub struct EndpointSpec {
    pub baseline: String,
    pub candidate: String,
    pub requests: Requests,
    /// Header names and values (`${VAR}` already replaced); values are
    /// secrets and never shown.
    pub headers: Headers,
    /// Extra root certificates (PEM) trusted for https:// endpoints,
    /// beside the Mozilla roots.
    pub ca_file: Option<String>,
    /// Connections per endpoint.
    pub concurrency: usize,
    /// Requests per second per endpoint (open loop); None sends the next
    /// request as soon as a connection is free (closed loop).
    pub rate: Option<f64>,
    /// None: one request per golden row (or NDJSON line).
    pub length: Option<Length>,
    pub warmup: Length,
    /// Per request, from the moment it is sent.
    pub timeout: Duration,
    pub order: LoadOrder,
    pub capture: Option<Capture>,
    /// Where captured answers are written (Parquet); both set with capture.
    pub baseline_output: Option<String>,
    pub candidate_output: Option<String>,
    pub gates: LoadGates,
    pub pos: Pos,
}

/// Where the request bodies come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Requests {
    /// One body per row of `input`, from a JSON template with `{column}`
    /// placeholders.
    Template { input: String, body: Template },
    /// One JSON body per line of an NDJSON file.
    Lines { path: String },
}

impl Requests {
    /// The file the requests are built from.
    pub fn path(&self) -> &str {
        match self {
            Requests::Template { input, .. } => input,
            Requests::Lines { path } => path,
        }
    }
}

/// A JSON body template split at its `{column}` placeholders.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub text: String,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    /// A column's value as JSON; inside a JSON string, its text escaped.
    Column {
        name: String,
        in_string: bool,
    },
}

impl Template {
    /// Splits `text` at `{name}` placeholders (name: letters, digits, `_`,
    /// `.`, `-`, `$`); every other brace is JSON's own. Tracks JSON string
    /// literals so a placeholder inside quotes is filled with bare text.
    pub fn parse(text: &str) -> Template {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut in_string = false;
        let mut escaped = false;
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < bytes.len() {
            let c = bytes[i];
            if c == b'{' {
                let name_len = text[i + 1..]
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || b"_.-$".contains(b))
                    .count();
                if name_len > 0 && bytes.get(i + 1 + name_len) == Some(&b'}') {
                    if !lit.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Column {
                        name: text[i + 1..i + 1 + name_len].to_string(),
                        in_string,
                    });
                    i += name_len + 2;
                    escaped = false;
                    continue;
                }
            }
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == b'"' {
                    in_string = false;
                }
            } else if c == b'"' {
                in_string = true;
            }
            // Copy the whole UTF-8 character.
            let ch = text[i..].chars().next().expect("in bounds");
            lit.push(ch);
            i += ch.len_utf8();
        }
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        Template {
            text: text.to_string(),
            parts,
        }
    }

    /// The columns the template names, in order of first use.
    pub fn columns(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.parts {
            if let Part::Column { name, .. } = p {
                if !out.contains(&name.as_str()) {
                    out.push(name);
                }
            }
        }
        out
    }
}

/// Header names with secret values: `Debug` shows the names only.
#[derive(Clone, PartialEq, Default)]
pub struct Headers(pub Vec<(String, String)>);

impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| format!("{k}: ***")))
            .finish()
    }
}

/// How much load: a number of requests or a duration, per endpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Length {
    Requests(usize),
    Duration(Duration),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LoadOrder {
    /// Both endpoints under load at once, their requests alternating.
    Interleaved,
    /// One endpoint at a time, in `rounds` blocks each, alternating.
    Alternate { rounds: usize },
}

/// `capture: { key: id, fields: { score: "$.score" } }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// With a template: a column of the input; with NDJSON requests: a
    /// path into each request.
    pub key: String,
    pub key_path: Option<JsonPath>,
    pub fields: Vec<(String, JsonPath)>,
}

/// A JSON path of the simple kind: `$`, `.name`, `["name"]`, `[0]`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    pub text: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let bad = |why: &str| {
            Err(format!(
                "`{text}` is not a JSON path verdict reads ({why}): write `$.score`, `$.output.label`, `$.scores[0]` or `$[\"odd key\"]`"
            ))
        };
        let Some(mut rest) = text.strip_prefix('$') else {
            return bad("it must start with `$`");
        };
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                let n = r.find(['.', '[']).unwrap_or(r.len());
                if n == 0 {
                    return bad("a `.` with no name after it");
                }
                steps.push(Step::Key(r[..n].to_string()));
                rest = &r[n..];
            } else if let Some(r) = rest.strip_prefix('[') {
                let Some(end) = r.find(']') else {
                    return bad("a `[` without `]`");
                };
                let inside = r[..end].trim();
                let quoted = inside.len() >= 2
                    && ((inside.starts_with('"') && inside.ends_with('"'))
                        || (inside.starts_with('\'') && inside.ends_with('\'')));
                if quoted {
                    steps.push(Step::Key(inside[1..inside.len() - 1].to_string()));
                } else if let Ok(i) = inside.parse::<usize>() {
                    steps.push(Step::Index(i));
                } else {
                    return bad("inside `[…]` goes an index ≥ 0 or a quoted name");
                }
                rest = &r[end + 1..];
            } else {
                return bad("after `$` come `.name` or `[…]` steps");
            }
        }
        Ok(JsonPath {
            text: text.to_string(),
            steps,
        })
    }

    /// The value the path reaches in `v`, if any.
    pub fn get<'v>(&self, v: &'v serde_json::Value) -> Option<&'v serde_json::Value> {
        self.steps.iter().try_fold(v, |at, s| match s {
            Step::Key(k) => at.as_object()?.get(k),
            Step::Index(i) => at.as_array()?.get(*i),
        })
    }
}

/// The latency percentiles a gate may bound, by key.
pub const PERCENTILES: [(&str, f64); 5] = [
    ("p50", 0.5),
    ("p90", 0.9),
    ("p95", 0.95),
    ("p99", 0.99),
    ("p999", 0.999),
];

/// The gates of an endpoint bench; each judges the candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadGates {
    /// `p99_ms: 100`: (percentile key, quantile, milliseconds).
    pub latency: Vec<(&'static str, f64, f64)>,
    pub max_error_rate: Option<f64>,
    /// Candidate over baseline, per percentile key.
    pub max_slowdown: Vec<(&'static str, f64, f64)>,
    /// Baseline throughput over the candidate's.
    pub max_throughput_drop: Option<f64>,
    /// Answers per second.
    pub min_throughput: Option<f64>,
    pub severity: Severity,
}

impl LoadGates {
    pub fn is_empty(&self) -> bool {
        self.latency.is_empty()
            && self.max_error_rate.is_none()
            && self.max_slowdown.is_empty()
            && self.max_throughput_drop.is_none()
            && self.min_throughput.is_none()
    }
}

/// The keys of an endpoint bench.
pub(crate) const ENDPOINT_KEYS: [&str; 26] = [
    "endpoint",
    "input",
    "body",
    "bodies",
    "headers",
    "ca_file",
    "concurrency",
    "rate",
    "requests",
    "duration",
    "warmup",
    "timeout",
    "order",
    "rounds",
    "capture",
    "baseline_output",
    "candidate_output",
    "p50_ms",
    "p90_ms",
    "p95_ms",
    "p99_ms",
    "p999_ms",
    "max_error_rate",
    "max_slowdown",
    "min_throughput",
    "severity",
];
pub(crate) const SLOWDOWN_KEYS: [&str; 6] = ["p50", "p90", "p95", "p99", "p999", "throughput"];
pub(crate) const CAPTURE_KEYS: [&str; 2] = ["key", "fields"];
/// Per request when `timeout` is not given.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections per endpoint when `concurrency` is not given.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// The most connections per endpoint.
pub const MAX_CONCURRENCY: usize = 10_000;
/// The most requests per endpoint (warm-up included).
pub const MAX_REQUESTS: usize = 100_000_000;

impl Parser {
    pub(super) fn endpoint_bench(
        &mut self,
        n: &Node,
        entries: &[(Node, Node)],
    ) -> Option<EndpointSpec> {
        self.known_keys(entries, &ENDPOINT_KEYS, "an endpoint `bench`");
        let ep = get(entries, "endpoint").expect("called with `endpoint`");
        let urls = self.endpoint_urls(ep);
        let input = get(entries, "input").and_then(|v| self.string(v, "`input`"));
        let requests = match (get(entries, "body"), get(entries, "bodies")) {
            (Some(b), None) => {
                let text = self.string(b, "`body`");
                match (&input, get(entries, "input")) {
                    (Some(i), _) => text.map(|t| Requests::Template {
                        input: i.clone(),
                        body: Template::parse(&t),
                    }),
                    (None, None) => {
                        self.err_help(
                            b.pos,
                            "`body` is filled from the rows of `input`, which is missing",
                            "e.g. `input: golden/features.parquet` (Parquet, CSV, NDJSON or Arrow)",
                        );
                        None
                    }
                    (None, Some(_)) => None,
                }
            }
            (None, Some(l)) => {
                if let Some(i) = get(entries, "input") {
                    self.err_help(
                        i.pos,
                        "`input` goes with `body`; with `bodies` every line of that file is a request",
                        "remove `input`, or replace `bodies` with a `body` template",
                    );
                }
                self.string(l, "`bodies`")
                    .map(|path| Requests::Lines { path })
            }
            (Some(_), Some(l)) => {
                self.err(
                    l.pos,
                    "give `body` (a template filled from `input`) or `bodies` (an NDJSON file), not both",
                );
                None
            }
            (None, None) => {
                self.err_help(
                    n.pos,
                    "an endpoint `bench` needs its requests: `body` with `input`, or `bodies`",
                    "e.g. `input: golden.parquet` and `body: '{\"id\": {id}, \"x\": [{x1}, {x2}]}'`, or `bodies: requests.ndjson`",
                );
                None
            }
        };
        if let Some(Requests::Template { body, .. }) = &requests {
            if body.columns().is_empty() {
                let at = get(entries, "body").map_or(n.pos, |b| b.pos);
                self.err_help(
                    at,
                    "`body` names no column: every request would be the same",
                    "put `{column}` where a row's value goes, e.g. '{\"x\": [{x1}, {x2}]}'",
                );
            }
        }
        let headers = match get(entries, "headers") {
            None => Some(Headers::default()),
            Some(h) => self.headers(h),
        };
        let ca_file = match get(entries, "ca_file") {
            None => None,
            Some(c) => {
                let https = urls
                    .as_ref()
                    .is_some_and(|(b, c)| b.starts_with("https://") || c.starts_with("https://"));
                let path = self.string(c, "`ca_file`");
                if urls.is_some() && !https {
                    self.err_help(
                        c.pos,
                        "`ca_file` holds root certificates for https:// endpoints; both endpoints are http://",
                        "remove it, or use the endpoints' https:// URLs",
                    );
                }
                path
            }
        };
        let concurrency = match get(entries, "concurrency") {
            None => Some(DEFAULT_CONCURRENCY),
            Some(c) => match self.count(c, "`concurrency`") {
                Some(x) if (1..=MAX_CONCURRENCY).contains(&x) => Some(x),
                Some(x) => {
                    self.err(
                        c.pos,
                        format!("`concurrency` is from 1 to {MAX_CONCURRENCY} connections per endpoint; found {x}"),
                    );
                    None
                }
                None => None,
            },
        };
        let rate = match get(entries, "rate") {
            None => Some(None),
            Some(r) => match self.number(r, "`rate`") {
                Some(x) if (0.01..=1e7).contains(&x) => Some(Some(x)),
                Some(x) => {
                    self.err_help(
                        r.pos,
                        format!("`rate` is requests per second per endpoint, from 0.01 to 10,000,000; found {x}"),
                        "leave it out to send each request as soon as a connection is free",
                    );
                    None
                }
                None => None,
            },
        };
        let length = match (get(entries, "requests"), get(entries, "duration")) {
            (Some(_), Some(d)) => {
                self.err(d.pos, "give `requests` or `duration`, not both");
                None
            }
            (Some(r), None) => self
                .request_count(r, "`requests`", 1)
                .map(|x| Some(Length::Requests(x))),
            (None, Some(d)) => self
                .load_duration(d, "`duration`")
                .map(|x| Some(Length::Duration(x))),
            // One request per golden row.
            (None, None) => Some(None),
        };
        let warmup = match get(entries, "warmup") {
            None => Some(Length::Requests(concurrency.unwrap_or(1) * 2)),
            Some(w) if matches!(w.kind, Kind::Str(_)) => {
                self.load_duration(w, "`warmup`").map(Length::Duration)
            }
            Some(w) => self.request_count(w, "`warmup`", 0).map(Length::Requests),
        };
        if let (Some(None), Some(Length::Duration(_))) = (rate, warmup) {
            let at = get(entries, "warmup").map_or(n.pos, |w| w.pos);
            self.err_help(
                at,
                "a warm-up of a duration needs a `rate`",
                "without a rate, give the warm-up as a number of requests, e.g. `warmup: 50`",
            );
        }
        let timeout = match get(entries, "timeout") {
            None => Some(DEFAULT_REQUEST_TIMEOUT),
            Some(t) => self.load_duration(t, "`timeout`"),
        };
        let order = self.order(entries);
        let capture = get(entries, "capture").and_then(|c| self.capture(c, requests.as_ref()));
        let outputs = ["baseline_output", "candidate_output"]
            .map(|k| get(entries, k).map(|v| (v.pos, self.string(v, &format!("`{k}`")))));
        let mut out = [None, None];
        for (i, (key, o)) in ["baseline_output", "candidate_output"]
            .iter()
            .zip(&outputs)
            .enumerate()
        {
            match (o, get(entries, "capture")) {
                (Some((pos, _)), None) => self.err_help(
                    *pos,
                    format!("`{key}` is where captured answers go; this bench captures nothing"),
                    "add `capture: { key: id, fields: { score: \"$.score\" } }`, or remove it",
                ),
                (Some((pos, Some(p))), Some(_)) => {
                    if !p.to_ascii_lowercase().ends_with(".parquet") {
                        self.err_help(
                            *pos,
                            format!("`{key}` is written as Parquet; `{p}` does not end in .parquet"),
                            "e.g. `baseline_output: out/v1.parquet`, the path a source of the diff reads",
                        );
                    } else {
                        out[i] = Some(p.clone());
                    }
                }
                (None, Some(c)) => self.err_help(
                    c.pos,
                    format!("`capture` writes each endpoint's answers to a Parquet file; `{key}` is missing"),
                    "e.g. `baseline_output: out/v1.parquet` and `candidate_output: out/v2.parquet`, the paths the diff's sources read",
                ),
                _ => {}
            }
        }
        if let (Some(b), Some(c)) = (&out[0], &out[1]) {
            if std::path::Path::new(b)
                .components()
                .eq(std::path::Path::new(c).components())
            {
                let at = get(entries, "candidate_output").map_or(n.pos, |v| v.pos);
                self.err(
                    at,
                    format!("`candidate_output` is `baseline_output` (`{b}`)"),
                );
            }
        }
        let gates = self.load_gates(entries);
        let (baseline, candidate) = urls?;
        Some(EndpointSpec {
            baseline,
            candidate,
            requests: requests?,
            headers: headers?,
            ca_file,
            concurrency: concurrency?,
            rate: rate?,
            length: length?,
            warmup: warmup?,
            timeout: timeout?,
            order: order?,
            capture,
            baseline_output: out[0].take(),
            candidate_output: out[1].take(),
            gates: gates?,
            pos: n.pos,
        })
    }

    fn endpoint_urls(&mut self, ep: &Node) -> Option<(String, String)> {
        let entries = self.map(ep, "`endpoint`")?;
        self.known_keys(entries, &["baseline", "candidate"], "`endpoint`");
        let mut urls = Vec::new();
        for side in ["baseline", "candidate"] {
            match get(entries, side) {
                None => {
                    self.err_help(
                        ep.pos,
                        format!("`endpoint` is missing `{side}`"),
                        "e.g. `endpoint: { baseline: http://127.0.0.1:8001/predict, candidate: http://127.0.0.1:8002/predict }`",
                    );
                    urls.push(None);
                }
                Some(v) => {
                    let u = self.string(v, &format!("`{side}`"));
                    urls.push(u.filter(|u| match url_problem(u) {
                        None => true,
                        Some(why) => {
                            self.err_help(
                                v.pos,
                                why,
                                "e.g. `http://127.0.0.1:8001/predict` or `https://models.example.com/v2/predict`",
                            );
                            false
                        }
                    }));
                }
            }
        }
        Some((urls[0].take()?, urls[1].take()?))
    }

    fn headers(&mut self, h: &Node) -> Option<Headers> {
        let entries = self.map(h, "`headers`")?;
        let mut out = Vec::new();
        let mut ok = true;
        for (k, v) in entries {
            let name = k.key_text();
            let valid_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !valid_name {
                self.err(k.pos, format!("`{name}` is not an HTTP header name"));
                ok = false;
                continue;
            }
            let lower = name.to_ascii_lowercase();
            if ["host", "content-length", "transfer-encoding", "connection"]
                .contains(&lower.as_str())
            {
                self.err(
                    k.pos,
                    format!(
                        "`{name}` is set by verdict itself and cannot be a header of the bench"
                    ),
                );
                ok = false;
                continue;
            }
            let value = match &v.kind {
                Kind::Str(s) => Some(s.clone()),
                Kind::Int(_) | Kind::Float(_) | Kind::Bool(_) => Some(v.key_text()),
                _ => {
                    self.err(
                        v.pos,
                        format!("header `{name}` must be a string, found {}", v.describe()),
                    );
                    None
                }
            };
            match value {
                Some(s) if s.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) => {
                    self.err(
                        v.pos,
                        format!("header `{name}` has a line break or NUL in its value"),
                    );
                    ok = false;
                }
                Some(s) => out.push((name, s)),
                None => ok = false,
            }
        }
        ok.then_some(Headers(out))
    }

    fn request_count(&mut self, n: &Node, what: &str, least: usize) -> Option<usize> {
        match self.count(n, what)? {
            x if x < least => {
                self.err(n.pos, format!("{what} must be at least {least}"));
                None
            }
            x if x > MAX_REQUESTS => {
                self.err(
                    n.pos,
                    format!("{what} is at most {MAX_REQUESTS} per endpoint; found {x}"),
                );
                None
            }
            x => Some(x),
        }
    }

    /// A positive duration: seconds as a number, or `500ms`, `30s`, `10m`.
    fn load_duration(&mut self, n: &Node, what: &str) -> Option<Duration> {
        let secs = match &n.kind {
            Kind::Int(i) if *i > 0 => Some(*i as f64),
            Kind::Float(f) if *f > 0.0 && f.is_finite() => Some(*f),
            Kind::Str(s) => {
                let s = s.trim();
                match s.strip_suffix("ms") {
                    Some(ms) => ms.trim().parse::<f64>().ok().map(|x| x / 1000.0),
                    None => super::time::parse_duration(s).map(|s| s as f64),
                }
            }
            _ => None,
        };
        match secs.filter(|s| *s > 0.0 && s.is_finite()) {
            Some(s) if s > 24.0 * 3600.0 => {
                self.err(
                    n.pos,
                    format!("{what} is at most a day (86400 s); found {s} s"),
                );
                None
            }
            Some(s) => Some(Duration::from_secs_f64(s)),
            None => {
                self.err_help(
                    n.pos,
                    format!("{what} must be a positive duration"),
                    "write seconds (`30`) or a duration (`500ms`, `30s`, `2m`)",
                );
                None
            }
        }
    }

    fn order(&mut self, entries: &[(Node, Node)]) -> Option<LoadOrder> {
        let rounds = match get(entries, "rounds") {
            None => None,
            Some(r) => match self.count(r, "`rounds`") {
                Some(0) => {
                    self.err(r.pos, "`rounds` must be at least 1");
                    return None;
                }
                x => Some((r.pos, x?)),
            },
        };
        match get(entries, "order") {
            None => match rounds {
                Some((pos, _)) => {
                    self.err_help(
                        pos,
                        "`rounds` goes with `order: alternate`",
                        "interleaved endpoints (the default) share every moment of the run; alternate ones take turns in rounds",
                    );
                    None
                }
                None => Some(LoadOrder::Interleaved),
            },
            Some(o) => match self.string(o, "`order`")?.as_str() {
                "interleaved" => match rounds {
                    Some((pos, _)) => {
                        self.err(pos, "`rounds` goes with `order: alternate`");
                        None
                    }
                    None => Some(LoadOrder::Interleaved),
                },
                "alternate" => Some(LoadOrder::Alternate {
                    rounds: rounds.map_or(4, |r| r.1),
                }),
                other => {
                    self.err_help(
                        o.pos,
                        format!("`order` is `interleaved` or `alternate`; found `{other}`"),
                        suggest(other, &["interleaved", "alternate"]),
                    );
                    None
                }
            },
        }
    }

    fn capture(&mut self, n: &Node, requests: Option<&Requests>) -> Option<Capture> {
        let entries = self.map(n, "`capture`")?;
        self.known_keys(entries, &CAPTURE_KEYS, "`capture`");
        let key = match get(entries, "key") {
            Some(k) => self.string(k, "`key`").map(|s| (k.pos, s)),
            None => {
                self.err_help(
                    n.pos,
                    "`capture` is missing `key`: the column that names each golden row",
                    "e.g. `capture: { key: id, fields: { score: \"$.score\" } }`",
                );
                None
            }
        };
        let key_path = match (&key, requests) {
            (Some((pos, k)), Some(Requests::Lines { .. })) => {
                let text = if k.starts_with('$') {
                    k.clone()
                } else {
                    format!("$.{k}")
                };
                match JsonPath::parse(&text) {
                    Ok(p) => Some(Some(p)),
                    Err(e) => {
                        self.err(*pos, e);
                        None
                    }
                }
            }
            (Some((pos, k)), Some(Requests::Template { .. })) if k.starts_with('$') => {
                self.err_help(
                    *pos,
                    format!("with a `body` template, the capture `key` is a column of `input`, not a path (`{k}`)"),
                    "e.g. `key: id`",
                );
                None
            }
            _ => Some(None),
        };
        let fields = match get(entries, "fields") {
            None => {
                self.err_help(
                    n.pos,
                    "`capture` is missing `fields`: the answers' values to keep",
                    "e.g. `fields: { score: \"$.score\", label: \"$.label\" }`",
                );
                None
            }
            Some(f) => {
                let fe = self.map(f, "`fields`")?;
                if fe.is_empty() {
                    self.err(f.pos, "`fields` must name at least one value to capture");
                    return None;
                }
                let mut out = Vec::new();
                let mut ok = true;
                for (k, v) in fe {
                    let name = k.key_text();
                    if key.as_ref().is_some_and(|(_, key)| key == &name) {
                        self.err(
                            k.pos,
                            format!("`{name}` is the capture key; a field needs another name"),
                        );
                        ok = false;
                        continue;
                    }
                    match self
                        .string(v, &format!("field `{name}`"))
                        .map(|s| JsonPath::parse(&s))
                    {
                        Some(Ok(p)) => out.push((name, p)),
                        Some(Err(e)) => {
                            self.err(v.pos, e);
                            ok = false;
                        }
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
        };
        Some(Capture {
            key: key?.1,
            key_path: key_path?,
            fields: fields?,
        })
    }

    fn load_gates(&mut self, entries: &[(Node, Node)]) -> Option<LoadGates> {
        let mut g = LoadGates {
            latency: Vec::new(),
            max_error_rate: None,
            max_slowdown: Vec::new(),
            max_throughput_drop: None,
            min_throughput: None,
            severity: get(entries, "severity")
                .and_then(|s| self.severity(s))
                .unwrap_or(Severity::Error),
        };
        let mut ok = true;
        for (key, q) in PERCENTILES {
            if let Some(v) = get(entries, &format!("{key}_ms")) {
                match self.number(v, &format!("`{key}_ms`")) {
                    Some(x) if x > 0.0 => g.latency.push((key, q, x)),
                    Some(x) => {
                        self.err(
                            v.pos,
                            format!("`{key}_ms` is milliseconds and must be > 0; found {x}"),
                        );
                        ok = false;
                    }
                    None => ok = false,
                }
            }
        }
        if let Some(v) = get(entries, "max_error_rate") {
            match self.number(v, "`max_error_rate`") {
                Some(x) if (0.0..=1.0).contains(&x) => g.max_error_rate = Some(x),
                Some(x) => {
                    self.err_help(
                        v.pos,
                        format!(
                            "`max_error_rate` is a fraction of requests from 0 to 1; found {x}"
                        ),
                        "e.g. 0.001 allows one failed request in a thousand",
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        if let Some(v) = get(entries, "min_throughput") {
            match self.number(v, "`min_throughput`") {
                Some(x) if x > 0.0 => g.min_throughput = Some(x),
                Some(x) => {
                    self.err(
                        v.pos,
                        format!(
                            "`min_throughput` is answers per second and must be > 0; found {x}"
                        ),
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        if let Some(v) = get(entries, "max_slowdown") {
            let ratio = |p: &mut Parser, n: &Node, what: &str| match p.number(n, what) {
                Some(x) if x > 0.0 => Some(x),
                Some(x) => {
                    p.err_help(
                        n.pos,
                        format!("{what} is a ratio, candidate over baseline, and must be > 0; found {x}"),
                        "e.g. 1.2 lets the candidate be at most 20% slower",
                    );
                    None
                }
                None => None,
            };
            match &v.kind {
                Kind::Map(m) => {
                    self.known_keys(m, &SLOWDOWN_KEYS, "`max_slowdown`");
                    if m.is_empty() {
                        self.err(v.pos, "`max_slowdown` names no percentile or `throughput`");
                        ok = false;
                    }
                    for (key, q) in PERCENTILES {
                        if let Some(x) = get(m, key) {
                            match ratio(self, x, &format!("`max_slowdown.{key}`")) {
                                Some(r) => g.max_slowdown.push((key, q, r)),
                                None => ok = false,
                            }
                        }
                    }
                    if let Some(x) = get(m, "throughput") {
                        match ratio(self, x, "`max_slowdown.throughput`") {
                            Some(r) => g.max_throughput_drop = Some(r),
                            None => ok = false,
                        }
                    }
                }
                _ => match ratio(self, v, "`max_slowdown`") {
                    Some(r) => g.max_slowdown.push(("p99", 0.99, r)),
                    None => ok = false,
                },
            }
        }
        ok.then_some(g)
    }
}

/// Why `u` cannot be an endpoint, if it cannot.
pub fn url_problem(u: &str) -> Option<String> {
    let shown = crate::database::dburl::redact(u);
    match url::Url::parse(u) {
        Err(e) => Some(format!("`{shown}` is not a URL: {e}")),
        Ok(p) if !matches!(p.scheme(), "http" | "https") => Some(format!(
            "`{shown}` is not an http:// or https:// URL"
        )),
        Ok(p) if p.host_str().is_none_or(str::is_empty) => Some(format!("`{shown}` has no host")),
        Ok(p) if !p.username().is_empty() || p.password().is_some() => Some(format!(
            "`{shown}` has credentials in it; send them in `headers:` (`Authorization: \"Bearer ${{TOKEN}}\"`), where they are never shown"
        )),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_placeholders() {
        let t =
            Template::parse(r#"{"id": {id}, "name": "user-{name}", "x": [{x1},{x2}], "o": {}}"#);
        assert_eq!(t.columns(), vec!["id", "name", "x1", "x2"]);
        let strings: Vec<bool> = t
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Column { in_string, .. } => Some(*in_string),
                Part::Text(_) => None,
            })
            .collect();
        assert_eq!(strings, vec![false, true, false, false]);
        assert_eq!(Template::parse(r#"{"a": "\"{x}\""}"#).columns(), vec!["x"]);
    }

    #[test]
    fn json_paths() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"a": {"b c": [1, {"d": 2}]}, "s": 0.5}"#).unwrap();
        let get = |p: &str| JsonPath::parse(p).unwrap().get(&v).cloned();
        assert_eq!(get("$.s"), Some(serde_json::json!(0.5)));
        assert_eq!(get("$.a[\"b c\"][1].d"), Some(serde_json::json!(2)));
        assert_eq!(get("$.a['b c'][0]"), Some(serde_json::json!(1)));
        assert_eq!(get("$.nope"), None);
        assert_eq!(get("$"), Some(v.clone()));
        assert!(JsonPath::parse("score")
            .unwrap_err()
            .contains("must start with `$`"));
        assert!(JsonPath::parse("$.a[x]").unwrap_err().contains("index"));
        assert!(JsonPath::parse("$..a").unwrap_err().contains("no name"));
    }
}
