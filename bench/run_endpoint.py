#!/usr/bin/env python3
"""Benchmark verdict's HTTP load generator (`bench: { endpoint: … }`) against wrk, hey and oha.

From the repository root (needs /usr/sbin/nginx, wrk and hey on PATH; Debian's
packages nginx, wrk, hey; oha from crates.io, `cargo install oha`, is compared
too when found):

    python3 bench/run_endpoint.py [--verdict PATH] [--oha PATH] [--duration 10] [--repeats 5]
                                  [--rate 2000] [--connections 4] [--warmup-requests 200]

Server: nginx (/usr/sbin/nginx, Debian's) started by this script on 127.0.0.1,
on a free port, with its own configuration and prefix in a temporary directory
(`daemon off;`, `worker_processes 1;`, `access_log off;`, error log and pid file
in the temporary directory, `keepalive_requests` raised so that no tool has
its connections closed every 1,000 requests), answering every
`POST /predict` with `{"id": 1, "score": 0.5, "label": 1}` (a `return 200`,
the body is discarded). It is stopped at the end, also on errors and Ctrl-C.
Data: requests.ndjson in the same temporary directory, 1,000 JSON request bodies
like `{"id": 1, "x1": 0.25, "x2": -1.5}` (fixed seed); verdict cycles through
them, wrk and hey send the first one (post.lua, body.json).

Scenario A, closed loop (each connection sends its next request once it has
the last answer), --repeats times, interleaved:
  verdict  VERDICT run A.yml --format json
           (endpoint: the nginx URL as baseline and candidate, bodies:
           requests.ndjson, concurrency C, duration D, warmup W requests,
           order: alternate, rounds: 1: the baseline alone for D, then the
           candidate alone for D; the baseline's figures are the ones compared;
           max_error_rate: 0.01, because a suite with no check exits 3)
  wrk      wrk -tT -cC -dDs --latency -s post.lua URL   (T = min(2, C))
  oha      oha -z Ds -c C --no-tui --output-format json -m POST -D body.json URL
Scenario B, fixed rate R requests/s, --repeats times, interleaved:
  verdict  VERDICT run B.yml --format json   (as A, plus `rate: R`: an open
           loop over C connections)
  hey      hey -z Ds -c C -q R/C -m POST -T application/json -D body.json URL
           (hey's -q is per worker)
  oha      as in A, plus `-q R --latency-correction` (latency from each
           request's slot in the schedule, as verdict's)

Compared, per run, then as medians over the runs with the ratio verdict/peer:
throughput (answers per second), p50 and p99 latency, and the client's CPU
time per request (user + system of the client process from os.wait4, over
every request it sent; for verdict that is start-up, reading the bodies and
both endpoints' warm-up and measured requests; its own `generator_cpu_seconds`,
CPU during the load only, is shown too). nginx's CPU per request (from
/proc/PID/stat of its processes) shows the server did the same work per
request for both tools.

What the tools report is not quite the same thing:
  - verdict's latency (`latency_ms`) counts from when each request was due
    (open loop: its slot in the schedule; closed loop: when the connection
    was free) and its `service_ms` from when it was sent; wrk and hey count
    from when they sent the request.
  - wrk 4.1 corrects its latency histogram for coordinated omission after
    the run (stats_correct(): every latency of at least twice the mean
    per-connection interval adds made-up samples at latency − k·interval),
    so a few millisecond stalls (scheduling, on a small machine) move its
    p90/p99 a long way up; the counts are not affected.
  - hey prints latencies in seconds with 4 decimals: 0.1 ms resolution, so
    its p50 on a fast local server is 0.0001 or 0.0002 s. Its -q throttle is
    a Go ticker per worker: the C workers fire together every C/R seconds
    (bursts of C requests, not one every 1/R s), and late ticks are dropped.
  - throughput: wrk and hey divide every answer (any status) by their run
    time; verdict divides the 2xx answers by the time from the first
    measured request being due to the last answer.

The medians and ratios go to stdout as Markdown, with the machine, the
versions, the command that reproduces the table and each tool's command line;
progress on stderr. VERDICT defaults to $CARGO_TARGET_DIR/release/verdict
(CARGO_TARGET_DIR defaults to ~/.cache/verdict/target); when there is no
binary there, or `verdict validate` rejects the suite, wrk and hey run alone.
"""

import argparse
import http.client
import json
import os
import random
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from harness import (DEFAULT_VERDICT, TICK, Tool, ToolFailed, busy_ticks, first_error, first_line, log,
                     machine_line, measure, measure_verdict_and, other_cpu_share, tail, versions_line)

NGINX = "/usr/sbin/nginx"
PATH = "/predict"
ANSWER = '{"id": 1, "score": 0.5, "label": 1}'
BODIES = 1000  # lines of requests.ndjson
SEED = 20261206


# ---------------------------------------------------------------- the server

def free_port():
    """A TCP port on 127.0.0.1 nothing listens on now (the kernel's pick; nginx binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu(pid):
    """User + system CPU seconds of process pid so far (from /proc/PID/stat), or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()  # after `pid (comm)`: state is fields[0]
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def children(ppid):
    """The pids whose parent is ppid (from /proc/*/stat)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:  # state, ppid, …
                        out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


class Nginx:
    """nginx on 127.0.0.1:PORT, its configuration, logs and pid file in `root`; a context manager.

    `url` is the endpoint; cpu() the CPU seconds its master and workers used so far."""

    def __init__(self, root):
        self.root, self.port = root, free_port()
        self.url = f"http://127.0.0.1:{self.port}{PATH}"
        self.conf = os.path.join(root, "nginx.conf")
        self.proc, self.pids = None, []

    def config(self):
        # Debian's nginx has absolute compiled-in paths (/var/lib/nginx/..., /run/nginx.pid):
        # every one it may touch is set here, inside the temporary directory.
        r = self.root
        return f"""# Written by bench/run_endpoint.py; removed with its directory.
daemon off;
worker_processes 1;
pid {r}/nginx.pid;
error_log {r}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {r}/tmp/body;
    proxy_temp_path {r}/tmp/proxy;
    fastcgi_temp_path {r}/tmp/fastcgi;
    uwsgi_temp_path {r}/tmp/uwsgi;
    scgi_temp_path {r}/tmp/scgi;
    # The default (1000) closes each connection after 1,000 requests: every tool would
    # reconnect tens of times a second, and measure that.
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    server {{
        listen 127.0.0.1:{self.port};
        location {PATH} {{ default_type application/json; return 200 '{ANSWER}'; }}
    }}
}}
"""

    def __enter__(self):
        os.makedirs(os.path.join(self.root, "tmp"), exist_ok=True)
        with open(self.conf, "w") as f:
            f.write(self.config())
        # -e: the error log before the configuration is read (else Debian's build logs to stderr).
        argv = [NGINX, "-p", self.root + "/", "-c", self.conf, "-e", os.path.join(self.root, "error.log")]
        self.out = open(os.path.join(self.root, "nginx.out"), "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.out, stderr=subprocess.STDOUT)
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        self.pids = [self.proc.pid] + children(self.proc.pid)
        log(f"nginx {self.url} (master {self.proc.pid}, workers {', '.join(map(str, self.pids[1:]))})")
        return self

    def wait_ready(self, seconds=10.0):
        """Until a POST answers 200 with ANSWER; exits with nginx's own words when it does not start."""
        deadline = time.monotonic() + seconds
        while True:
            if self.proc.poll() is not None:
                sys.exit(f"error: nginx exited {self.proc.returncode}: {self.logs()}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("POST", PATH, body=b'{"id": 0}', headers={"Content-Type": "application/json"})
                r = c.getresponse()
                body = r.read().decode()
                c.close()
                if r.status == 200 and body == ANSWER:
                    return
                sys.exit(f"error: nginx answered {r.status} {body!r} on 127.0.0.1:{self.port}; another server?")
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"error: nginx did not answer on 127.0.0.1:{self.port} within {seconds:.0f} s: "
                         f"{self.logs()}")
            time.sleep(0.05)

    def logs(self):
        text = ""
        for name in ("nginx.out", "error.log"):
            try:
                with open(os.path.join(self.root, name)) as f:
                    text += f.read()
            except OSError:
                pass
        return tail(text, 1000) or "(no output)"

    def cpu(self):
        return sum(proc_cpu(p) for p in self.pids)

    def stop(self):
        """SIGTERM (nginx's fast shutdown: the master stops its workers), SIGKILL after 5 s."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            log("nginx stopped")
        self.out.close()

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------- the data and the tools' inputs

def write_bodies(path):
    """BODIES request bodies, one JSON object a line; the first is {"id": 1, "x1": 0.25, "x2": -1.5}."""
    rng = random.Random(SEED)
    with open(path, "w") as f:
        for i in range(1, BODIES + 1):
            x1, x2 = (0.25, -1.5) if i == 1 else (round(rng.uniform(-3, 3), 3), round(rng.uniform(-3, 3), 3))
            f.write(json.dumps({"id": i, "x1": x1, "x2": x2}) + "\n")
    with open(path) as f:
        return f.readline().strip()


def write_suite(path, url, bodies, args, rate):
    """A suite of one endpoint bench: the URL as baseline and candidate, one after the other."""
    with open(path, "w") as f:
        f.write("# Written by bench/run_endpoint.py.\n"
                "version: 1\n"
                "bench:\n"
                f"  endpoint: {{ baseline: {json.dumps(url)}, candidate: {json.dumps(url)} }}\n"
                f"  bodies: {json.dumps(bodies)}\n"
                f"  concurrency: {args.connections}\n"
                + (f"  rate: {rate:g}\n" if rate else "")
                + f"  duration: {args.duration}s\n"
                f"  warmup: {args.warmup_requests}\n"
                "  order: alternate\n"
                "  rounds: 1\n"
                # A suite that checks nothing exits 3; this gate (on the candidate) gives it one.
                "  max_error_rate: 0.01\n")
    return path


def write_lua(path, body):
    """wrk's script: every request a POST of `body` as JSON."""
    with open(path, "w") as f:
        f.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
                'wrk.headers["Content-Type"] = "application/json"\n')
    return path


# ---------------------------------------------------------------- measuring a load generator

def measure_load(argv, server):
    """Run argv; return (exit code, wall s, peak RSS MiB, client CPU s, server CPU s, stdout, stderr, foreign CPU s).

    Client CPU: user + system of the child (all its threads) from os.wait4.
    Server CPU: what nginx's processes used meanwhile. Foreign: the machine's
    busy time minus both, i.e. anything else that ran (see harness.measure)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        s0, b0 = server.cpu(), busy_ticks()
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        b1, s1 = busy_ticks(), server.cpu()
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        cpu, srv = ru.ru_utime + ru.ru_stime, s1 - s0
        foreign = max(0.0, (b1[0] - b0[0]) / TICK - cpu - srv) if b0 and b1 else None
        out.seek(0)
        err.seek(0)
        return p.returncode, wall, ru.ru_maxrss / 1024.0, cpu, srv, out.read().decode(), err.read().decode(), foreign


class LoadTool(Tool):
    """A load generator: check(code, out, err) returns its figures (a dict with `throughput`
    req/s, `p50`, `p99` ms, `requests` sent in all); each run adds to `runs` the figures
    plus `cpu_s`, `cpu_us` (client CPU per request) and `server_us` (nginx CPU per request)."""

    def __init__(self, name, argv, check, server):
        super().__init__(name, argv, check)
        self.server, self.runs = server, []

    def run(self, record=True):
        code, wall, rss, cpu, srv, out, err, foreign = measure_load(self.argv, self.server)
        fig, _ = self.check(code, out, err)
        n = max(1, fig["requests"])
        fig = dict(fig, cpu_s=cpu, cpu_us=cpu * 1e6 / n, server_us=srv * 1e6 / n)
        self.result = fig
        log(f"    {self.name}: {fig['throughput']:,.0f} req/s, p50 {fig['p50']:.3f} ms, p99 {fig['p99']:.3f} ms, "
            f"{fig['requests']:,} requests, client CPU {cpu:.2f} s ({fig['cpu_us']:.1f} µs/request)")
        if record:
            self.runs.append(fig)
            self.walls.append(wall)
            self.rss.append(rss)
            if foreign is not None:
                self.foreign.append((foreign, wall))
        return wall, rss, foreign

    def median(self, key):
        vals = [r[key] for r in self.runs if r.get(key) is not None]
        return (statistics.median(vals), min(vals), max(vals)) if vals else None


# ---------------------------------------------------------------- reading each tool's output

def check_verdict(code, out, err):
    """The baseline's figures from `report.suites[0].bench`; the candidate's ride along."""
    try:
        b = json.loads(out)["suites"][0]["bench"]
        base, cand = b["baseline"], b["candidate"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ToolFailed(f"verdict exited {code} without a JSON report with a bench\n--- stderr:\n{tail(err)}"
                         f"\n--- stdout:\n{tail(out)}")
    if b.get("error"):
        raise ToolFailed(f"verdict's bench failed: {b['error']}")
    if code not in (0, 1):  # 1: the error-rate gate failed; the failures are counted below
        raise ToolFailed(f"verdict exited {code} (verdict {json.loads(out).get('verdict')!r})\n"
                         f"--- stderr:\n{tail(err)}")
    if not base.get("latency_ms") or not base.get("throughput"):
        raise ToolFailed(f"verdict's baseline has no answers: {json.dumps(base)[:500]}")
    lat, svc = base["latency_ms"], base.get("service_ms") or {}
    clat = cand.get("latency_ms") or {}
    return {
        "throughput": base["throughput"], "p50": lat["p50"], "p99": lat["p99"],
        "service_p50": svc.get("p50"), "service_p99": svc.get("p99"),
        "failed": base["failed"] + cand["failed"],
        "requests": base["sent"] + cand["sent"] + base.get("warmup_sent", 0) + cand.get("warmup_sent", 0),
        "generator_cpu_s": b.get("generator_cpu_seconds"),
        "cand_throughput": cand.get("throughput"), "cand_p50": clat.get("p50"), "cand_p99": clat.get("p99"),
    }, None


WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def wrk_ms(text):
    """`29.00us`, `1.82ms`, `1.50s` as milliseconds."""
    num = text.rstrip("smuh")
    return float(num) * WRK_UNITS[text[len(num):]]


def check_wrk(code, out, err):
    """wrk's `--latency` report: Requests/sec, `N requests in`, the 50% and 99% lines, errors."""
    fig, errors = {"failed": 0}, 0
    for line in out.splitlines():
        w = line.split()
        if line.startswith("Requests/sec:"):
            fig["throughput"] = float(w[1])
        elif len(w) >= 3 and w[1:3] == ["requests", "in"]:
            fig["requests"] = int(w[0])
        elif len(w) == 2 and w[0] in ("50%", "99%"):
            fig["p" + w[0][:-1]] = wrk_ms(w[1])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            fig["failed"] += int(w[-1])
        elif line.strip().startswith("Socket errors:"):  # connect N, read N, write N, timeout N
            errors = sum(int(x.rstrip(",")) for x in w[3::2])
    fig["failed"] += errors
    if code != 0 or not {"throughput", "requests", "p50", "p99"} <= fig.keys():
        raise ToolFailed(f"wrk exited {code} without the expected report\n--- stderr:\n{tail(err)}"
                         f"\n--- stdout:\n{tail(out)}")
    return fig, None


def check_oha(code, out, err):
    """oha's `--output-format json`: requestsPerSec, latencyPercentiles (seconds), status and error counts."""
    try:
        j = json.loads(out)
    except ValueError:
        raise ToolFailed(f"oha exited {code} without JSON\n--- stderr:\n{tail(err)}\n--- stdout:\n{tail(out)}")
    status = j.get("statusCodeDistribution") or {}
    errors = j.get("errorDistribution") or {}
    ok = sum(n for code_, n in status.items() if str(code_).startswith("2"))
    requests = sum(status.values()) + sum(errors.values())
    lat = j.get("latencyPercentiles") or {}
    if code != 0 or lat.get("p50") is None or lat.get("p99") is None or not requests:
        raise ToolFailed(f"oha exited {code} without the expected summary\n--- stderr:\n{tail(err)}")
    return {"throughput": j["summary"]["requestsPerSec"], "p50": lat["p50"] * 1e3, "p99": lat["p99"] * 1e3,
            "requests": requests, "failed": requests - ok}, None


def check_hey(code, out, err):
    """hey's summary: Requests/sec, the 50% and 99% lines (seconds, 4 decimals), status and error counts."""
    fig, section = {"requests": 0, "failed": 0}, None
    for line in out.splitlines():
        s = line.strip()
        w = s.split()
        if s.endswith(":") and not line.startswith(" "):
            section = s[:-1]
        elif s.startswith("Requests/sec:"):
            fig["throughput"] = float(w[1])
        elif section == "Latency distribution" and len(w) == 4 and w[0] in ("50%", "99%"):
            fig["p" + w[0][:-1]] = float(w[2]) * 1e3
        elif section == "Status code distribution" and s.startswith("["):  # [200]	N responses
            n = int(w[1])
            fig["requests"] += n
            if not w[0].startswith("[2"):
                fig["failed"] += n
        elif section == "Error distribution" and s.startswith("["):  # [N]	error text
            n = int(w[0].strip("[]"))
            fig["requests"] += n
            fig["failed"] += n
    if code != 0 or not {"throughput", "p50", "p99"} <= fig.keys() or not fig["requests"]:
        raise ToolFailed(f"hey exited {code} without the expected summary\n--- stderr:\n{tail(err)}"
                         f"\n--- stdout:\n{tail(out)}")
    return fig, None


def verdict_why_not(verdict, suite):
    """None when VERDICT validate SUITE accepts the endpoint bench, else a one-line reason."""
    if not os.access(verdict, os.X_OK):
        return (f"no verdict binary at {verdict} (build it with `cargo build --release`, "
                "or pass --verdict PATH)")
    code, _, _, out, err, _ = measure([verdict, "validate", suite])
    if code != 0:
        return f"`{verdict} validate {suite}` exited {code}: {first_error(out, err) or '(no output)'}"
    return None


# ---------------------------------------------------------------- Markdown

def fmt(x, digits):
    return "—" if x is None else f"{x:,.{digits}f}"


def figure_rows(v, peer, rows):
    """Table rows `| figure | verdict | peer | verdict/peer | verdict min–max | peer min–max |`.

    rows: (label, verdict key, peer key or None, digits)."""
    out = []
    for label, vk, pk, digits in rows:
        a = v.median(vk) if v else None
        b = peer.median(pk) if pk else None
        ratio = f"{a[0] / b[0]:.2f}×" if a and b and b[0] else "—"
        rng = lambda m: f"{fmt(m[1], digits)}–{fmt(m[2], digits)}" if m else "—"
        out.append(f"| {label} | {fmt(a and a[0], digits)} | {fmt(b and b[0], digits)} | {ratio} "
                   f"| {rng(a)} | {rng(b)} |")
    return out


def scenario_table(title, v, peer, why_not, argv, open_loop=False):
    """A scenario's heading, table and notes."""
    p = peer.name
    lines = [f"### {title}", "",
             f"| figure (median of {len(peer.runs)}) | verdict | {p} | verdict / {p} | verdict min–max | {p} min–max |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += figure_rows(v, peer, [
        ("throughput (req/s)", "throughput", "throughput", 0),
        ("p50 latency (ms)", "p50", "p50", 3),
        ("p99 latency (ms)", "p99", "p99", 3),
        ("p50, verdict from sending (`service_ms`) (ms)", "service_p50", "p50", 3),
        ("p99, verdict from sending (`service_ms`) (ms)", "service_p99", "p99", 3),
        ("client CPU per request (µs)", "cpu_us", "cpu_us", 1),
        ("client CPU (s)", "cpu_s", "cpu_s", 2),
        ("requests sent (verdict: both endpoints, warm-up included)", "requests", "requests", 0),
        ("nginx CPU per request (µs)", "server_us", "server_us", 1),
    ])
    lines.append("")
    if v is None:
        lines.append(f"- verdict not measured: {why_not}")
    else:
        g = v.median("generator_cpu_s")
        n = v.median("requests")
        lines.append(f"- verdict's own `generator_cpu_seconds` (during the load, both endpoints, warm-up "
                     f"included): median {g[0]:.2f} s, {g[0] * 1e6 / n[0]:.1f} µs/request; the client CPU "
                     "above is the whole process (start-up and reading the bodies too).")
        ct, cp50, cp99 = v.median("cand_throughput"), v.median("cand_p50"), v.median("cand_p99")
        bt = v.median("throughput")
        if ct and cp50 and cp99:
            lines.append(f"- verdict's candidate (same server, loaded after the baseline): {ct[0]:,.0f} req/s, "
                         f"p50 {cp50[0]:.3f} ms, p99 {cp99[0]:.3f} ms (medians); candidate/baseline "
                         f"throughput {ct[0] / bt[0]:.2f}×.")
            if abs(ct[0] / bt[0] - 1) > 0.2:
                log(f"warning: {title}: verdict's candidate throughput is {ct[0] / bt[0]:.2f}× the baseline's "
                    "on the same server")
        lat, svc = v.median("p50"), v.median("service_p50")
        if open_loop and lat and svc:
            # Open loop: the gap is how late requests left after their slot (the clock thread's
            # wake-up and the hand-over to a worker, or no free connection), not the server.
            lines.append(f"- verdict's p50 from when due minus from sending: {lat[0] - svc[0]:.3f} ms "
                         "(requests leaving after their slot in the schedule: the clock thread's "
                         "wake-up and the hand-over to a worker, or no free connection).")
    failed = [(t.name, sum(r["failed"] for r in t.runs)) for t in (v, peer) if t]
    if any(n for _, n in failed):
        lines.append("- failed requests (all runs): " + ", ".join(f"{name} {n:,}" for name, n in failed))
    lines.append(f"- {p}: `{shlex.join(argv)}`")
    lines.append("")
    return lines


def tool_versions(oha=None):
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()  # exits 1
    hey = first_line(["dpkg-query", "-W", "-f", "${Version}", "hey"])
    nginx = first_line([NGINX, "-v"])
    oha_version = first_line([oha, "--version"]) if oha else None
    return (f"wrk {wrk[1] if len(wrk) > 1 else 'unknown'}, hey {('(Debian ' + hey + ')') if hey else 'unknown'}, "
            + (f"{oha_version}, " if oha_version else "")
            + f"{(nginx or 'nginx unknown').replace('nginx version: ', '')}")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--verdict", default=DEFAULT_VERDICT, help=f"verdict binary (default {DEFAULT_VERDICT})")
    ap.add_argument("--duration", type=int, default=10, help="seconds of load per run (and per endpoint; default 10)")
    ap.add_argument("--repeats", type=int, default=5, help="runs of each tool per scenario (default 5)")
    ap.add_argument("--rate", type=float, default=2000, help="requests/s of scenario B (default 2000)")
    ap.add_argument("--connections", type=int, default=4, help="connections of every tool (default 4)")
    ap.add_argument("--oha", default=shutil.which("oha") or "oha",
                    help="oha binary (`cargo install oha`; default: oha on PATH); left out when missing")
    ap.add_argument("--warmup-requests", type=int, default=200,
                    help="verdict's warm-up requests per endpoint (`warmup:`; default 200)")
    args = ap.parse_args()
    for prog in ("wrk", "hey"):
        if not shutil.which(prog):
            sys.exit(f"error: {prog} not found on PATH (apt-get install {prog})")
    if not os.access(NGINX, os.X_OK):
        sys.exit(f"error: no {NGINX} (apt-get install nginx)")
    c, d = args.connections, args.duration
    reproduce = shlex.join(["python3", "bench/run_endpoint.py", "--verdict", args.verdict, "--duration", str(d),
                            "--repeats", str(args.repeats), "--rate", f"{args.rate:g}", "--connections", str(c)]
                           + (["--warmup-requests", str(args.warmup_requests)]
                              if args.warmup_requests != 200 else []))

    with tempfile.TemporaryDirectory(prefix="verdict-endpoint-") as root, Nginx(root) as server:
        bodies = os.path.join(root, "requests.ndjson")
        first = write_bodies(bodies)
        body_json = os.path.join(root, "body.json")
        with open(body_json, "w") as f:
            f.write(first)
        lua = write_lua(os.path.join(root, "post.lua"), first)
        suite_a = write_suite(os.path.join(root, "closed.yml"), server.url, bodies, args, None)
        suite_b = write_suite(os.path.join(root, "rate.yml"), server.url, bodies, args, args.rate)
        why_not = verdict_why_not(args.verdict, suite_a) or verdict_why_not(args.verdict, suite_b)

        # ---- scenario A: closed loop, verdict against wrk
        wrk_argv = ["wrk", f"-t{min(2, c)}", f"-c{c}", f"-d{d}s", "--latency", "-s", lua, server.url]
        v_a = LoadTool("verdict", [args.verdict, "run", suite_a, "--format", "json"], check_verdict, server)
        wrk = LoadTool("wrk", wrk_argv, check_wrk, server)
        have_oha = os.access(args.oha, os.X_OK) or shutil.which(args.oha)
        oha_base = [args.oha, "-z", f"{d}s", "-c", str(c), "--no-tui", "--output-format", "json", "-m", "POST",
                    "-H", "Content-Type: application/json", "-D", body_json]
        oha_a_argv = oha_base + [server.url]
        oha_a = LoadTool("oha", oha_a_argv, check_oha, server)
        peers_a = [wrk] + ([oha_a] if have_oha else [])
        log(f"scenario A: closed loop, {c} connections, {d} s, {args.repeats} runs each")
        tools_a, why_a = measure_verdict_and(v_a, why_not, peers_a, args.repeats, 0, "the peers")

        # ---- scenario B: fixed rate, verdict against hey
        hey_argv = ["hey", "-z", f"{d}s", "-c", str(c), "-q", f"{args.rate / c:g}", "-m", "POST",
                    "-T", "application/json", "-D", body_json, server.url]
        v_b = LoadTool("verdict", [args.verdict, "run", suite_b, "--format", "json"], check_verdict, server)
        hey = LoadTool("hey", hey_argv, check_hey, server)
        # oha on a fixed schedule, latency from each request's slot (as verdict's).
        oha_b_argv = oha_base + ["-q", f"{args.rate:g}", "--latency-correction", server.url]
        oha_b = LoadTool("oha", oha_b_argv, check_oha, server)
        peers_b = [hey] + ([oha_b] if have_oha else [])
        log(f"scenario B: {args.rate:g} requests/s, {c} connections, {d} s, {args.repeats} runs each")
        tools_b, why_b = measure_verdict_and(v_b, why_a, peers_b, args.repeats, 0, "the peers")

        measured = tools_a + tools_b
        ran_verdict = any(t.name == "verdict" for t in measured)
        share = other_cpu_share(measured)
        with open(suite_a) as f:
            suite_a_text = f.read()
        srv_url = server.url

    # ---- report
    lines = [
        f"Server: nginx on {srv_url} (1 worker, `return 200 '{ANSWER}'`), started by the script; "
        f"data: {BODIES:,} request bodies like `{first}` (NDJSON; wrk and hey send the first).  ",
        f"Load: {c} connections, {d} s per run (verdict: per endpoint, baseline then candidate, after "
        f"{args.warmup_requests} warm-up requests each); A closed loop, B {args.rate:g} requests/s.  ",
        machine_line(),
        versions_line(args.verdict if ran_verdict else None,
                      tool_versions(args.oha if have_oha else None)),
        f"Method: {args.repeats} runs of each tool per scenario, interleaved (verdict, peer, verdict, …), "
        "each its own process; client CPU from os.wait4, nginx CPU from /proc"
        + (f"; other processes used {share:.1%} of the CPU time during the runs" if share is not None else "")
        + ". verdict's figures are its baseline endpoint's.  ",
        f"Reproduce: `{reproduce}`",
        "",
    ]
    lines += scenario_table(f"A. Closed loop, {c} connections, {d} s: verdict vs wrk",
                            v_a if v_a in tools_a else None, wrk, why_a, wrk_argv)
    if oha_a in tools_a:
        lines += scenario_table(f"A. Closed loop, {c} connections, {d} s: verdict vs oha",
                                v_a if v_a in tools_a else None, oha_a, why_a, oha_a_argv)
    lines += scenario_table(f"B. Fixed rate {args.rate:g} req/s, {c} connections, {d} s: verdict vs hey",
                            v_b if v_b in tools_b else None, hey, why_b, hey_argv, open_loop=True)
    if oha_b in tools_b:
        lines += scenario_table(f"B. Fixed rate {args.rate:g} req/s, {c} connections, {d} s: verdict vs oha "
                                "(`--latency-correction`: latency from each request's slot, as verdict's)",
                                v_b if v_b in tools_b else None, oha_b, why_b, oha_b_argv, open_loop=True)
    lines += ["verdict: `VERDICT run SUITE --format json`, SUITE (scenario A; B adds "
              f"`rate: {args.rate:g}`; paths in a temporary directory):", "", "```yaml",
              suite_a_text.rstrip(), "```", "",
              "Latency: verdict's from when each request was due (`latency_ms`), and from when it was sent "
              "(`service_ms`); wrk's and hey's from when they sent it. wrk 4.1 adds made-up samples for "
              "every latency of at least twice its mean per-connection interval (coordinated-omission "
              "correction), which raises its high percentiles; hey prints 0.1 ms steps and its -q workers "
              "fire together (bursts of "
              f"{c} every {c / args.rate * 1e3:g} ms)."]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
