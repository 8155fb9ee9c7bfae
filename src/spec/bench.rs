//! The `bench:` section: timing the two models' commands on the golden
//! input, interleaved, with a gate on the ratio of median times.

use std::time::Duration;

use super::parser::{get, Parser};
use super::yaml::{Kind, Node};
use super::Severity;

#[derive(Debug, Clone, PartialEq)]
pub struct BenchSpec {
    /// Substituted for `{input}`.
    pub input: String,
    pub baseline_cmd: String,
    pub candidate_cmd: String,
    /// Substituted for `{output}`; default a file in a temporary directory.
    pub baseline_output: Option<String>,
    pub candidate_output: Option<String>,
    pub runs: usize,
    pub warmup: usize,
    pub timeout: Duration,
    /// Gate on the ratio of median wall times, candidate over baseline.
    pub max_slowdown: Option<(f64, Severity)>,
}

pub(crate) const BENCH_KEYS: [&str; 10] = [
    "input",
    "baseline_cmd",
    "candidate_cmd",
    "baseline_output",
    "candidate_output",
    "runs",
    "warmup",
    "timeout",
    "max_slowdown",
    "severity",
];
/// How long one run of a model command may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// The longest `timeout` a bench takes: a week.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// `bench:`: the models' batch commands timed, or their HTTP endpoints
/// load-tested.
#[derive(Debug, Clone, PartialEq)]
pub enum Bench {
    Commands(BenchSpec),
    Endpoint(Box<super::EndpointSpec>),
}

impl Bench {
    /// Whether the bench judges anything (else it only measures).
    pub fn has_gates(&self) -> bool {
        match self {
            Bench::Commands(b) => b.max_slowdown.is_some(),
            Bench::Endpoint(e) => !e.gates.is_empty(),
        }
    }
}

impl Parser {
    pub(super) fn bench(&mut self, n: &Node) -> Option<Bench> {
        let entries = self.map(n, "`bench`")?;
        if get(entries, "endpoint").is_some() {
            for key in ["baseline_cmd", "candidate_cmd", "runs"] {
                if let Some((k, _)) = entries.iter().find(|(k, _)| k.key_text() == key) {
                    self.err_help(
                        k.pos,
                        format!("`{key}` belongs to a bench of commands; this one load-tests `endpoint`"),
                        "a suite has one `bench`: the models' batch commands, or their HTTP endpoints",
                    );
                }
            }
            let rest: Vec<(Node, Node)> = entries
                .iter()
                .filter(|(k, _)| {
                    !["baseline_cmd", "candidate_cmd", "runs"].contains(&k.key_text().as_str())
                })
                .cloned()
                .collect();
            return self
                .endpoint_bench(n, &rest)
                .map(|e| Bench::Endpoint(Box::new(e)));
        }
        for (k, _) in entries {
            let key = k.key_text();
            if !BENCH_KEYS.contains(&key.as_str())
                && super::endpoint::ENDPOINT_KEYS.contains(&key.as_str())
            {
                self.err_help(
                    k.pos,
                    format!("`{key}` belongs to a load test of HTTP endpoints, which this bench is not"),
                    "add `endpoint: { baseline: URL, candidate: URL }` (and drop `baseline_cmd`/`candidate_cmd`), or remove it",
                );
            }
        }
        let unknown: Vec<(Node, Node)> = entries
            .iter()
            .filter(|(k, _)| {
                !super::endpoint::ENDPOINT_KEYS.contains(&k.key_text().as_str())
                    || BENCH_KEYS.contains(&k.key_text().as_str())
            })
            .cloned()
            .collect();
        self.known_keys(&unknown, &BENCH_KEYS, "`bench`");
        self.commands_bench(n, entries).map(Bench::Commands)
    }

    fn commands_bench(&mut self, n: &Node, entries: &[(Node, Node)]) -> Option<BenchSpec> {
        let text = |p: &mut Parser, key: &str, required: bool| match get(entries, key) {
            Some(v) => p.string(v, &format!("`{key}`")).map(Some),
            None if required => {
                p.err_help(
                    n.pos,
                    format!("`bench` is missing required key `{key}`"),
                    "e.g. `baseline_cmd: \"python -m model_v1.predict {input} {output}\"`",
                );
                None
            }
            None => Some(None),
        };
        let input = text(self, "input", true);
        let baseline_cmd = text(self, "baseline_cmd", true);
        let candidate_cmd = text(self, "candidate_cmd", true);
        let baseline_output = text(self, "baseline_output", false);
        let candidate_output = text(self, "candidate_output", false);
        let runs = match get(entries, "runs") {
            None => Some(5),
            Some(r) => match self.count(r, "`runs`") {
                Some(0) => {
                    self.err(r.pos, "`runs` must be at least 1");
                    None
                }
                other => other,
            },
        };
        let warmup = match get(entries, "warmup") {
            None => Some(1),
            Some(w) => self.count(w, "`warmup`"),
        };
        let timeout = match get(entries, "timeout") {
            None => Some(DEFAULT_TIMEOUT),
            Some(t) => self.duration(t),
        };
        let severity = get(entries, "severity").and_then(|s| self.severity(s));
        let max_slowdown = match get(entries, "max_slowdown") {
            None => Some(None),
            Some(m) => self
                .number(m, "`max_slowdown`")
                .filter(|x| {
                    let positive = *x > 0.0;
                    if !positive {
                        self.err_help(
                            m.pos,
                            "`max_slowdown` is a ratio of median times and must be > 0",
                            "e.g. 1.10 lets the candidate be at most 10% slower",
                        );
                    }
                    positive
                })
                .map(|x| Some((x, severity.unwrap_or(Severity::Error)))),
        };
        // An output is removed before each run (so a run that writes none is
        // caught): it must never be the input, or the other model's output.
        let same = |a: &str, b: &str| {
            let (a, b) = (std::path::Path::new(a), std::path::Path::new(b));
            a.components().eq(b.components())
                || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
        };
        if let (Some(Some(i)), Some(b), Some(c)) = (&input, &baseline_output, &candidate_output) {
            let outs = [("baseline_output", b), ("candidate_output", c)];
            for (key, out) in outs.iter().filter_map(|(k, o)| o.as_ref().map(|o| (*k, o))) {
                if same(out, i) {
                    let at = get(entries, key).map_or(n.pos, |v| v.pos);
                    self.err_help(
                        at,
                        format!("`{key}` is the bench's input `{i}`"),
                        "each run removes its output first; point it at a file of its own",
                    );
                }
            }
            if let (Some(b), Some(c)) = (b, c) {
                if same(b, c) {
                    let at = get(entries, "candidate_output").map_or(n.pos, |v| v.pos);
                    self.err(
                        at,
                        format!("`candidate_output` is `baseline_output` (`{b}`)"),
                    );
                }
            }
        }
        Some(BenchSpec {
            input: input??,
            baseline_cmd: baseline_cmd??,
            candidate_cmd: candidate_cmd??,
            baseline_output: baseline_output?,
            candidate_output: candidate_output?,
            runs: runs?,
            warmup: warmup?,
            timeout: timeout?,
            max_slowdown: max_slowdown?,
        })
    }

    /// Seconds as a number, or `30s`, `10m`, `2h`.
    fn duration(&mut self, n: &Node) -> Option<Duration> {
        let secs = match &n.kind {
            Kind::Int(i) if *i > 0 => Some(*i as f64),
            Kind::Float(f) if *f > 0.0 && f.is_finite() => Some(*f),
            Kind::Str(s) => super::time::parse_duration(s.trim()).map(|s| s as f64),
            _ => None,
        };
        match secs.filter(|s| *s > 0.0) {
            Some(s) if s > MAX_TIMEOUT.as_secs_f64() => {
                self.err_help(
                    n.pos,
                    format!(
                        "`timeout` is at most a week ({} s); found {s} s",
                        MAX_TIMEOUT.as_secs()
                    ),
                    "a model command that runs longer is not benchmarked by verdict",
                );
                None
            }
            Some(s) => Some(Duration::from_secs_f64(s)),
            None => {
                self.err_help(
                    n.pos,
                    "`timeout` must be a positive duration",
                    "write seconds (`90`) or a duration (`30s`, `10m`, `2h`)",
                );
                None
            }
        }
    }
}
