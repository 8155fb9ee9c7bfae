#!/usr/bin/env python3
"""Benchmark verdict against hand-written DuckDB SQL on the same checks.

From the repository root, after `python3 bench/gen_data.py`:

    python3 bench/run.py [--runs 5] [--verdict PATH] [--floor PATH] [--threads N]

Each run executes, interleaved, as separate processes:
  verdict   VERDICT run bench/suite.yml --format json   (75 checks; must all pass)
  duckdb    python3 bench/duckdb_run.py                 (the same checks in DuckDB SQL)
  floor     FLOOR bench/data/features.parquet           (DataFusion decoding every column, nothing else)

One untimed warm-up round runs first (so every tool sees a warm page cache;
`--warmup 0` to skip). Wall time is measured around the child process; peak
RSS comes from os.wait4 (ru_maxrss). The Markdown printed on stdout is meant
for docs/benchmarks.md; progress goes to stderr.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SUITE = "bench/suite.yml"
DATA = "bench/data/features.parquet"
HOME = os.path.expanduser("~")
DEFAULT_VERDICT = os.path.join(HOME, ".cache/verdict/target/release/verdict")
DEFAULT_FLOOR = os.path.join(HOME, ".cache/verdict/target/release/examples/floor")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def busy_ticks():
    """(busy, total) CPU time of the whole machine so far, in clock ticks, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v) - v[3] - (v[4] if len(v) > 4 else 0), sum(v)
    except (OSError, ValueError, IndexError):
        return None


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


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


class Tool:
    def __init__(self, name, argv, check):
        self.name, self.argv, self.check = name, argv, check
        self.walls, self.rss, self.inner, self.foreign = [], [], [], []

    def run(self, record=True):
        code, wall, rss, out, err, foreign = measure(self.argv)
        inner = self.check(code, out, err)
        if record:
            self.walls.append(wall)
            self.rss.append(rss)
            if inner is not None:
                self.inner.append(inner)
            if foreign is not None:
                self.foreign.append((foreign, wall))
        return wall, rss, foreign


def fail(name, code, out, err, why):
    log(f"error: {name}: {why} (exit {code})")
    log(err[-4000:] if err else "")
    log(out[-4000:] if out else "")
    sys.exit(1)


def check_verdict(code, out, err):
    try:
        rep = json.loads(out)
    except ValueError:
        fail("verdict", code, out, err, "stdout is not a JSON report")
    s = rep["summary"]
    if code != 0 or rep["verdict"] != "pass" or s["passed"] != s["checks"]:
        bad = [c["name"] + ": " + c["status"] + " — " + str(c.get("observed_text")) + " vs " + str(c.get("expected"))
               for suite in rep["suites"] for src in suite["sources"] for c in src["checks"]
               if c["status"] != "pass"]
        fail("verdict", code, "\n".join(bad), err,
             f"not every check passed: {s}")
    scans = [sc for suite in rep["suites"] for src in suite["sources"] for sc in src["scans"]]
    check_verdict.checks = s["checks"]
    check_verdict.scans = scans
    return sum(sc["seconds"] for sc in scans)


def check_duckdb(code, out, err):
    try:
        rep = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        fail("duckdb", code, out, err, "no JSON summary on stdout")
    if code != 0 or rep["failed"] or rep["passed"] != rep["checks"]:
        fail("duckdb", code, out, err, f"not every check passed: {rep['failed']}")
    check_duckdb.rep = rep
    return rep["seconds"]


def check_floor(code, out, err):
    if code != 0 or "rows" not in out:
        fail("floor", code, out, err, "did not print a row count")
    check_floor.out = out.strip()
    return None


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


def fmt_foreign(foreign, wall):
    if foreign is None:
        return ""
    share = foreign / ((os.cpu_count() or 1) * wall) if wall > 0 else 0.0
    return f"   (other processes: {foreign:.2f} CPU s, {share:.0%})"


def fmt_s(x):
    return f"{x:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds before measuring (default 1)")
    ap.add_argument("--verdict", default=DEFAULT_VERDICT)
    ap.add_argument("--floor", default=DEFAULT_FLOOR)
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    ap.add_argument("--python", default=sys.executable, help="interpreter for bench/duckdb_run.py")
    args = ap.parse_args()

    for p, what in [(SUITE, "the suite"), (DATA, "the data (run: python3 bench/gen_data.py)")]:
        if not os.path.exists(p):
            sys.exit(f"error: {p} not found: {what}; run from the repository root")
    if not os.access(args.verdict, os.X_OK):
        sys.exit(f"error: verdict binary not found at {args.verdict} (use --verdict PATH)")

    duck_argv = [args.python, "bench/duckdb_run.py"]
    if args.threads:
        duck_argv += ["--threads", str(args.threads)]
    tools = [
        Tool("verdict", [args.verdict, "run", SUITE, "--format", "json"], check_verdict),
        Tool("duckdb", duck_argv, check_duckdb),
    ]
    floor_note = None
    if os.access(args.floor, os.X_OK):
        tools.append(Tool("floor", [args.floor, DATA], check_floor))
    else:
        floor_note = f"floor skipped: no binary at {args.floor} (`cargo build --release --example floor`)"
        log("note: " + floor_note)

    busy_before = cpu_busy()
    if busy_before is not None and busy_before > 0.10:
        log(f"warning: the CPUs were {busy_before:.0%} busy before the benchmark started; "
            "other work on the machine will distort the timings")
    for i in range(args.warmup):
        for t in tools:
            wall, rss, foreign = t.run(record=False)
            log(f"warm-up {i + 1}: {t.name:8s} {wall:6.2f} s {rss:7.0f} MiB" + fmt_foreign(foreign, wall))
    for i in range(args.runs):
        for t in tools:
            wall, rss, foreign = t.run()
            log(f"run {i + 1}/{args.runs}: {t.name:8s} {wall:6.2f} s {rss:7.0f} MiB" + fmt_foreign(foreign, wall))

    ncpu = os.cpu_count() or 1
    foreign_share = None
    pairs = [fw for t in tools for fw in t.foreign]
    if pairs:
        foreign_share = sum(f for f, _ in pairs) / (ncpu * sum(w for _, w in pairs))
        if foreign_share > 0.05:
            log(f"warning: other processes used {foreign_share:.0%} of the machine's CPU time during "
                "the measured runs; the timings are distorted (see the per-run lines above)")
    # ---- machine and versions
    verdict_version = first_line([args.verdict, "--version"]) or "unknown"
    duck = check_duckdb.rep
    size = os.path.getsize(DATA)
    try:
        import pyarrow.parquet as pq
        md = pq.ParquetFile(DATA).metadata
        shape = f"{md.num_rows:,} rows × {md.num_columns} columns, {md.num_row_groups} row groups"
    except ImportError:
        shape = "shape unknown (pyarrow missing)"

    med = {t.name: statistics.median(t.walls) for t in tools}
    rss = {t.name: statistics.median(t.rss) for t in tools}

    lines = []
    w = lines.append
    w(f"Data: `{DATA}` ({shape}, snappy, {size / 2**20:.0f} MiB), from `bench/gen_data.py`.  ")
    w(f"Checks: {check_verdict.checks} (`{SUITE}`; DuckDB: `bench/duckdb_checks.sql`, "
      f"one aggregate + one group-by for `unique` + DESCRIBE).  ")
    w(f"Machine: {os.cpu_count()} cores (nproc), {cpu_model()}"
      + (f", {mem_total_gib():.0f} GiB RAM" if mem_total_gib() else "")
      + f", {platform.system()} {platform.release()}.  ")
    rev = git_rev()
    w(f"Versions: {verdict_version}" + (f" (repository at {rev})" if rev else "") + f"; DuckDB {duck['duckdb']} (Python package, threads={duck['threads']}); "
      f"Python {platform.python_version()}.  ")
    w(f"Method: {args.runs} interleaved runs after {args.warmup} warm-up round(s)"
      + (", warm page cache; " if args.warmup else ", page cache as found; ")
      + "each tool is its own process; wall time around the process, peak RSS from wait4"
      + (f"; other processes used {foreign_share:.1%} of the CPU time during the measured runs"
         if foreign_share is not None else "")
      + ".")
    w("")
    w("| tool | wall median (s) | min (s) | max (s) | in-process query time median (s) | peak RSS median (MiB) |")
    w("|---|---:|---:|---:|---:|---:|")
    labels = {
        "verdict": "verdict (`run --format json`)",
        "duckdb": "DuckDB (Python, hand-written SQL)",
        "floor": "floor (DataFusion, read every column)",
    }
    for t in tools:
        inner = fmt_s(statistics.median(t.inner)) if t.inner else "—"
        w(f"| {labels[t.name]} | {fmt_s(med[t.name])} | {fmt_s(min(t.walls))} | {fmt_s(max(t.walls))} "
          f"| {inner} | {rss[t.name]:.0f} |")
    w("")
    w(f"- verdict / DuckDB: wall {med['verdict'] / med['duckdb']:.2f}×, "
      f"peak RSS {rss['verdict'] / rss['duckdb']:.2f}×")
    if "floor" in med:
        w(f"- verdict / floor: wall {med['verdict'] / med['floor']:.2f}×, "
          f"peak RSS {rss['verdict'] / rss['floor']:.2f}×")
    else:
        w(f"- {floor_note}")
    scans = ", ".join(f"{s['kind']} `{s['label']}` {s['seconds']:.2f} s"
                      + (" (from metadata)" if s.get("from_metadata") else "")
                      for s in check_verdict.scans)
    w(f"- verdict queries (last run): {scans}")
    dq = ", ".join(f"{q['label']} {q['seconds']:.2f} s" for q in duck["queries"])
    w(f"- DuckDB queries (last run): {dq}")
    w("- In-process query time: the sum of the query durations each tool reports "
      "(verdict's JSON `scans`, DuckDB timed around `execute` + `fetchall`); the wall time adds "
      "process start-up (for DuckDB, the Python interpreter and `import duckdb`), file listing and reporting.")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
