#!/usr/bin/env python3
"""verdict on a DataFusion Ballista cluster against the embedded engine, on
one machine: the check suite and the diff of bench/scale.py's data, run
embedded and with `--engine df://…` on a scheduler and executors started
here (`verdict cluster scheduler|executor`, one task slot per executor).

From the repository root, after `python3 bench/scale.py --generate --sizes 50m`:

    python3 bench/cluster.py [--size 50m] [--runs 3] [--verdict PATH]

For each work it times, as separate processes and interleaved (medians):
  embedded           verdict run SUITE / verdict diff …
  cluster, 2 exec.   the same with --engine, two executors of one slot
  cluster, 1 exec.   the same with one executor (the other stopped)
and checks that every cluster report equals the embedded one apart from
timings and where things ran. The wall time on N executor machines is
estimated from the 1- and 2-executor runs: t(N) = s + p/N, where p is the
part that halved (the executors' scans and joins) and s what did not
(planning, the handshake, the client's fold).

The client, the scheduler and the executors share this machine's cores, so
the cluster's numbers here are its overhead, not a speed-up. Markdown goes
to stdout, progress to stderr.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from harness import DEFAULT_VERDICT, git_rev, log, machine_line, measure
from scale import DIFF_COLUMNS, SCALE, SIZES, VOLATILE, suite_for, without

import json


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port):
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"error: nothing listens on {port}")


class Cluster:
    def __init__(self, verdict, executors, work):
        self.verdict, self.work, self.procs = verdict, work, []
        port = free_port()
        self.url = f"df://127.0.0.1:{port}"
        self.scheduler = self.spawn(["cluster", "scheduler", "--bind", f"127.0.0.1:{port}",
                                     "--external-host", "127.0.0.1"], "scheduler")
        wait_port(port)
        self.executors = [self.add(i) for i in range(executors)]

    def spawn(self, args, name):
        log_file = open(os.path.join(self.work, f"{name}.log"), "w")
        p = subprocess.Popen([self.verdict] + args, stdout=subprocess.DEVNULL, stderr=log_file,
                             stdin=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def add(self, i):
        flight, grpc = free_port(), free_port()
        work = os.path.join(self.work, f"executor-{i}")
        os.makedirs(work, exist_ok=True)
        p = self.spawn(["cluster", "executor", "--scheduler", self.url, "--bind", f"127.0.0.1:{flight}",
                        "--grpc-port", str(grpc), "--external-host", "127.0.0.1", "--cores", "1",
                        "--work-dir", work], f"executor-{i}")
        wait_port(flight)
        return p

    def stop_executor(self):
        p = self.executors.pop()
        p.terminate()
        p.wait()
        # The scheduler notices a lost executor within its timeout (20 s).
        time.sleep(25)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                p.wait()


def timed(label, argv):
    code, wall, rss, out, err, foreign = measure(argv)
    log(f"  {label}: exit {code}, {wall:.2f} s, {rss:.0f} MiB")
    if code not in (0, 1):
        log(f"    failed: {err.strip()[-800:]}")
    return {"code": code, "wall": wall, "rss": rss, "out": out}


def same(a, b):
    keys = VOLATILE | {"engine", "plan"}
    try:
        return without(json.loads(a["out"]), keys) == without(json.loads(b["out"]), keys)
    except (ValueError, KeyError):
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="50m", choices=sorted(SIZES))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--verdict", default=DEFAULT_VERDICT)
    ap.add_argument("--only", default="run,diff")
    args = ap.parse_args()
    d = os.path.join(SCALE, args.size)
    if not os.path.exists(os.path.join(d, "preds_v2.parquet")):
        sys.exit(f"error: no data in {d}: run `python3 bench/scale.py --generate --sizes {args.size}` first")
    n = SIZES[args.size]
    suite = suite_for("bench/suite.yml", {"bench/data/features.parquet": os.path.join(d, "features.parquet")}, d)
    work = {
        "run": [args.verdict, "run", suite, "--format", "json"],
        "diff": [args.verdict, "diff", "--baseline", os.path.join(d, "preds_v1.parquet"),
                 "--candidate", os.path.join(d, "preds_v2.parquet"), "--key", "id", "--tol", "score=1e-6",
                 "--columns", DIFF_COLUMNS, "--format", "json"],
    }
    only = [w for w in ("run", "diff") if w in args.only.split(",")]
    tmp = tempfile.mkdtemp(prefix="verdict-cluster-bench-")
    results = {w: {"embedded": [], "cluster, 2 executors": [], "cluster, 1 executor": []} for w in only}
    cluster = Cluster(args.verdict, 2, tmp)
    try:
        for r in range(args.runs):
            for w in only:
                results[w]["embedded"].append(timed(f"{w} embedded #{r + 1}", work[w]))
                results[w]["cluster, 2 executors"].append(
                    timed(f"{w} cluster, 2 executors #{r + 1}", work[w] + ["--engine", cluster.url]))
        cluster.stop_executor()
        for r in range(args.runs):
            for w in only:
                results[w]["cluster, 1 executor"].append(
                    timed(f"{w} cluster, 1 executor #{r + 1}", work[w] + ["--engine", cluster.url]))
    finally:
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"### verdict on a Ballista cluster, {n:,} rows, one machine\n")
    print(machine_line() + f"; verdict {git_rev()}; medians of {args.runs} interleaved runs; "
          "the client's wall time and peak RSS (the nodes' memory is their own).\n")
    print("| work | engine | exit | wall s | client RSS MiB | same report as embedded |")
    print("|---|---|---:|---:|---:|---|")
    med = {}
    for w in only:
        base = results[w]["embedded"][-1]
        for engine, runs in results[w].items():
            wall = statistics.median(x["wall"] for x in runs)
            rss = statistics.median(x["rss"] for x in runs)
            med[(w, engine)] = wall
            agree = "—" if engine == "embedded" else ("yes" if all(same(base, x) for x in runs) else "**no**")
            print(f"| {w} | {engine} | {runs[-1]['code']} | {wall:.2f} | {rss:.0f} | {agree} |")
    print()
    print("| work | overhead of 2 executors over embedded | t(1 exec.) | t(2 exec.) | serial s | parallel p | est. 4 machines | est. 8 | est. 16 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for w in only:
        t1, t2, e = med[(w, "cluster, 1 executor")], med[(w, "cluster, 2 executors")], med[(w, "embedded")]
        p = max(2 * (t1 - t2), 0.0)
        s = t1 - p
        est = [s + p / k for k in (4, 8, 16)]
        print(f"| {w} | {t2 - e:+.2f} s | {t1:.2f} | {t2:.2f} | {s:.2f} | {p:.2f} | "
              + " | ".join(f"{x:.2f}" for x in est) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
