"""What the benchmarks in bench/run*.py share: how they measure and how they report.

This module owns
  - Tool (a command line, how its output is checked, what its runs measured)
    and Call (a function timed in this process, wall time only);
  - measure(): one child process, wall time around it, peak RSS from os.wait4,
    and the CPU time other processes took meanwhile (from /proc/stat);
  - measure_rounds(): the idle check, untimed warm-up rounds, then interleaved
    measured rounds, a progress line per run on stderr; measure_verdict_and()
    for the benchmarks that go on without verdict when it is missing or fails;
  - the statistics (median, min, max of each tool's runs; the share of the CPU
    other processes used) and the machine and version facts;
  - reading a tool's JSON report, and the options the benchmarks share;
  - the Markdown the reports share: the Machine / Versions / Method lines, the
    timing table, and the `wall N×, peak RSS N×` ratios.
What each benchmark compares, how it reads each tool's own output and its own
lines of report stay in its run_*.py.
"""

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))  # this folder: the benchmark scripts and their helpers
HOME = os.path.expanduser("~")
TARGET_DIR = os.environ.get("CARGO_TARGET_DIR") or os.path.join(HOME, ".cache/verdict/target")
DEFAULT_VERDICT = os.path.join(TARGET_DIR, "release", "verdict")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- measuring

def busy_ticks():
    """(busy, total) CPU time of the whole machine so far, in clock ticks, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v) - v[3] - (v[4] if len(v) > 4 else 0), sum(v)
    except (OSError, ValueError, IndexError):
        return None


def measure(argv, env=None):
    """Run argv; return (exit code, wall seconds, peak RSS in MiB, stdout, stderr, foreign CPU s).

    Foreign CPU seconds: CPU time the machine spent on anything but the child
    while it ran (busy time from /proc/stat minus the child's user + system
    time); a large value means other work distorted the measurement."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        b0 = busy_ticks()
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        b1 = busy_ticks()
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        foreign = None
        if b0 and b1:
            foreign = max(0.0, (b1[0] - b0[0]) / TICK - ru.ru_utime - ru.ru_stime)
        out.seek(0)
        err.seek(0)
        return (p.returncode, wall, ru.ru_maxrss / 1024.0, out.read().decode(), err.read().decode(),
                foreign)


class ToolFailed(Exception):
    """A run whose output is no good; the message says why."""


class Tool:
    """One contender: its command line and what its runs measured.

    check(code, stdout, stderr) returns (result, in-process seconds or None);
    it raises ToolFailed (or exits) when the run is no good. `result` keeps
    what the last run's check returned."""

    def __init__(self, name, argv, check):
        self.name, self.argv, self.check = name, argv, check
        self.walls, self.rss, self.inner, self.foreign = [], [], [], []
        self.result = None

    def run(self, record=True):
        code, wall, rss, out, err, foreign = measure(self.argv)
        self.result, inner = self.check(code, out, err)
        if record:
            self.walls.append(wall)
            self.rss.append(rss)
            if inner is not None:
                self.inner.append(inner)
            if foreign is not None:
                self.foreign.append((foreign, wall))
        return wall, rss, foreign

    @property
    def wall(self):
        """Median wall seconds of the measured runs."""
        return statistics.median(self.walls)

    @property
    def peak(self):
        """Median peak RSS (MiB) of the measured runs."""
        return statistics.median(self.rss)


class Call(Tool):
    """A contender that is a function run in this process: wall time only; `result` is what it returned.

    With `scratch` (a context manager factory, e.g. tempfile.TemporaryDirectory),
    each run enters it before the clock starts, hands its value to fn and
    leaves it after the clock stops."""

    def __init__(self, name, fn, scratch=None):
        super().__init__(name, None, None)
        self.fn, self.scratch = fn, scratch

    def run(self, record=True):
        with (self.scratch() if self.scratch else contextlib.nullcontext()) as place:
            t0 = time.perf_counter()
            self.result = self.fn(place) if self.scratch else self.fn()
            wall = time.perf_counter() - t0
        if record:
            self.walls.append(wall)
        return wall, None, None


def progress(label, wall, rss, foreign):
    """The stderr line for one run: `LABEL   1.23 s     45 MiB   (other processes: …)`."""
    return (f"{label} {wall:6.2f} s" + (f" {rss:7.0f} MiB" if rss is not None else "")
            + fmt_foreign(foreign, wall))


def measure_rounds(tools, runs, warmup, droppable=()):
    """Warn when the machine is busy, run `warmup` untimed rounds, then `runs` measured ones.

    Every round runs each tool once, in order, so the tools see the same
    conditions. A tool whose check raises ToolFailed ends the benchmark,
    unless its name is in `droppable`: then it is taken out of `tools` (the
    list is changed in place) and the rest go on. Returns {name: ToolFailed}
    of the dropped tools."""
    busy_before = cpu_busy()
    if busy_before is not None and busy_before > 0.10:
        log(f"warning: the CPUs were {busy_before:.0%} busy before the benchmark started; "
            "other work on the machine will distort the timings")
    dropped = {}
    rounds = [(f"warm-up {i + 1}", False) for i in range(warmup)]
    rounds += [(f"run {i + 1}/{runs}", True) for i in range(runs)]
    for label, record in rounds:
        for t in list(tools):
            try:
                wall, rss, foreign = t.run(record)
            except ToolFailed as e:
                if t.name not in droppable:
                    log(f"error: {e}")
                    sys.exit(1)
                log(f"error: {e}\nnote: dropping {t.name} from the remaining runs")
                dropped[t.name] = e
                tools.remove(t)
                continue
            log(progress(f"{label}: {t.name:8s}", wall, rss, foreign))
    return dropped


def measure_verdict_and(verdict, why_not, peers, runs, warmup, peers_name):
    """measure_rounds() for benchmarks that also run without verdict: when why_not says
    why verdict cannot run, or when it fails during the rounds, the peers go on alone.

    Returns (the tools measured to the end, why verdict was not measured or None); a
    failure reads `verdict SUBCOMMAND failed: …`, SUBCOMMAND being verdict.argv[1]."""
    tools = list(peers)
    if why_not:
        log("note: verdict skipped: " + why_not)
        log(f"note: running {peers_name} only")
    else:
        tools.insert(0, verdict)
    dropped = measure_rounds(tools, runs, warmup, droppable={"verdict"})
    if "verdict" in dropped:
        why_not = f"verdict {verdict.argv[1]} failed: " + str(dropped["verdict"]).splitlines()[0]
    return tools, why_not


def add_arguments(ap, subcommand, python_help):
    """The options the benchmarks with an optional verdict share, in this order:
    --runs, --warmup, --verdict, --verdict-arg, --threads, --python."""
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds before measuring (default 1)")
    ap.add_argument("--verdict", default=DEFAULT_VERDICT, help=f"verdict binary (default {DEFAULT_VERDICT})")
    ap.add_argument("--verdict-arg", action="append", default=[], metavar="ARG",
                    help=f"extra argument for `verdict {subcommand}` (repeatable; write --verdict-arg=--flag)")
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    ap.add_argument("--python", default=sys.executable, help=python_help)


def other_cpu_share(tools):
    """Share of the machine's CPU time other processes took during the tools' measured runs, or None.

    Warns on stderr above 5%."""
    pairs = [fw for t in tools for fw in t.foreign]
    if not pairs:
        return None
    share = sum(f for f, _ in pairs) / ((os.cpu_count() or 1) * sum(w for _, w in pairs))
    if share > 0.05:
        log(f"warning: other processes used {share:.0%} of the machine's CPU time during "
            "the measured runs; the timings are distorted (see the per-run lines above)")
    return share


# ---------------------------------------------------------------- reading a tool's output

def tail(text, n=2000):
    return text[-n:].strip() if text else ""


def parse_report(name, code, out, err, program=None, codes=(0,), last_line=False):
    """The JSON report on stdout (all of it, or its last line), else ToolFailed; so too for another exit code."""
    try:
        rep = json.loads(out.strip().splitlines()[-1] if last_line else out)
    except (ValueError, IndexError):
        raise ToolFailed(f"{name} exited {code} without a JSON report on stdout\n"
                         f"--- stderr:\n{tail(err)}\n--- stdout:\n{tail(out)}")
    if code not in codes:
        raise ToolFailed(f"{program or name} exited {code}\n--- stderr:\n{tail(err)}")
    return rep


def seconds_report(name, program=None, last_line=False):
    """The check of a tool that exits 0 with a JSON report holding its in-process `seconds`."""
    def check(code, out, err):
        rep = parse_report(name, code, out, err, program=program, last_line=last_line)
        return rep, rep["seconds"]
    return check


def first_error(out, err, last=False):
    """The first (or last) non-blank line a failed command printed on stderr (else stdout), or None."""
    why = [ln for ln in (err or out).strip().splitlines() if ln.strip()]
    return (why[-1] if last else why[0]) if why else None


def save_results(tools, pattern):
    """Write each tool's last result to pattern.format(name), as JSON, for inspection."""
    for t in tools:
        with open(pattern.format(t.name), "w") as f:
            json.dump(t.result, f, indent=2, default=str)
            f.write("\n")


# ---------------------------------------------------------------- machine and versions

def first_line(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0] if r.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def cpu_busy(seconds=2.0):
    """Fraction of all CPU time spent busy over the next `seconds` (from /proc/stat), or None."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + (v[4] if len(v) > 4 else 0)  # total, idle + iowait
    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
        return 1.0 - (i1 - i0) / (t1 - t0) if t1 > t0 else None
    except (OSError, ValueError, IndexError):
        return None


def git_rev():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "src",
                                "Cargo.toml", "Cargo.lock"], capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return (rev + (" + uncommitted changes in src/" if dirty else "")) if rev else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def parquet_shape(path, codec=""):
    """`N rows × C columns, G row groups` (then codec) from the file's footer."""
    try:
        import pyarrow.parquet as pq
        md = pq.ParquetFile(path).metadata
        return f"{md.num_rows:,} rows × {md.num_columns} columns, {md.num_row_groups} row groups{codec}"
    except ImportError:
        return "shape unknown (pyarrow missing)"


def mib(paths):
    """The files' sizes in MiB, joined by ` + `."""
    return " + ".join(f"{os.path.getsize(p) / 2**20:.0f}" for p in paths)


# ---------------------------------------------------------------- Markdown

def fmt_s(x):
    return f"{x:.2f}"


def fmt_foreign(foreign, wall):
    if foreign is None:
        return ""
    share = foreign / ((os.cpu_count() or 1) * wall) if wall > 0 else 0.0
    return f"   (other processes: {foreign:.2f} CPU s, {share:.0%})"


def times(a, b):
    """a / b as `1.23×`."""
    return f"{a / b:.2f}×"


def ratio(a, b):
    """`wall N×, peak RSS N×` of tool a against tool b (medians)."""
    return f"wall {times(a.wall, b.wall)}, peak RSS {times(a.peak, b.peak)}"


def verdict_vs(verdict, peer, label, why_not=None):
    """`- verdict / LABEL: wall N×, peak RSS N×`; when verdict (a Tool, or None) was not measured, why not."""
    if verdict is None:
        return f"- verdict not measured: {why_not}"
    return f"- verdict / {label}: {ratio(verdict, peer)}"


def machine_line():
    mem = mem_total_gib()
    return (f"Machine: {os.cpu_count() or 1} cores (nproc), {cpu_model()}"
            + (f", {mem:.0f} GiB RAM" if mem else "")
            + f", {platform.system()} {platform.release()}.  ")


def versions_line(verdict, others, extra=None):
    """`Versions: VERDICT --version (repository at REV); OTHERS; Python X[; EXTRA].`

    verdict is the binary that was measured, or None when it was not run."""
    vv = (first_line([verdict, "--version"]) or "unknown") if verdict else "verdict not run"
    rev = git_rev()
    return (f"Versions: {vv}" + (f" (repository at {rev})" if rev else "")
            + f"; {others}; Python {platform.python_version()}" + (f"; {extra}" if extra else "") + ".  ")


def method_line(runs, warmup, share):
    return (f"Method: {runs} interleaved runs after {warmup} warm-up round(s)"
            + (", warm page cache; " if warmup else ", page cache as found; ")
            + "each tool is its own process; wall time around the process, peak RSS from wait4"
            + (f"; other processes used {share:.1%} of the CPU time during the measured runs"
               if share is not None else "") + ".")


def report_head(data, subject, verdict, others, extra, runs, warmup, share):
    """The lines a report opens with: Data, what was compared, Machine, Versions, Method, a blank line.

    verdict, others and extra go to versions_line(); runs, warmup and share
    (other_cpu_share()) to method_line()."""
    return [data, subject, machine_line(), versions_line(verdict, others, extra),
            method_line(runs, warmup, share), ""]


def timing_table(tools, labels, inner="in-process time median (s)"):
    """The Markdown table of wall median/min/max, in-process median and peak RSS median, a row a tool."""
    rows = [f"| tool | wall median (s) | min (s) | max (s) | {inner} | peak RSS median (MiB) |",
            "|---|---:|---:|---:|---:|---:|"]
    for t in tools:
        inside = fmt_s(statistics.median(t.inner)) if t.inner else "—"
        rows.append(f"| {labels[t.name]} | {fmt_s(t.wall)} | {fmt_s(min(t.walls))} | {fmt_s(max(t.walls))} "
                    f"| {inside} | {t.peak:.0f} |")
    return rows
