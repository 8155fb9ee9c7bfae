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
import sys

from harness import (HOME, Tool, log, measure_rounds, mib, other_cpu_share, parquet_shape, report_head,
                     timing_table, verdict_vs)

SUITE = "bench/suite.yml"
DATA = "bench/data/features.parquet"
DEFAULT_VERDICT = os.path.join(HOME, ".cache/verdict/target/release/verdict")
DEFAULT_FLOOR = os.path.join(HOME, ".cache/verdict/target/release/examples/floor")


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
    return rep, sum(sc["seconds"] for sc in scans(rep))


def scans(rep):
    """The queries verdict's report says it ran."""
    return [sc for suite in rep["suites"] for src in suite["sources"] for sc in src["scans"]]


def check_duckdb(code, out, err):
    try:
        rep = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        fail("duckdb", code, out, err, "no JSON summary on stdout")
    if code != 0 or rep["failed"] or rep["passed"] != rep["checks"]:
        fail("duckdb", code, out, err, f"not every check passed: {rep['failed']}")
    return rep, rep["seconds"]


def check_floor(code, out, err):
    if code != 0 or "rows" not in out:
        fail("floor", code, out, err, "did not print a row count")
    return out.strip(), None


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

    measure_rounds(tools, args.runs, args.warmup)
    by = {t.name: t for t in tools}
    rep, duck = by["verdict"].result, by["duckdb"].result

    lines = report_head(
        f"Data: `{DATA}` ({parquet_shape(DATA)}, snappy, {mib([DATA])} MiB), from `bench/gen_data.py`.  ",
        f"Checks: {rep['summary']['checks']} (`{SUITE}`; DuckDB: `bench/duckdb_checks.sql`, "
        "one aggregate + one group-by for `unique` + DESCRIBE).  ",
        args.verdict, f"DuckDB {duck['duckdb']} (Python package, threads={duck['threads']})", None,
        args.runs, args.warmup, other_cpu_share(tools))
    w = lines.append
    labels = {
        "verdict": "verdict (`run --format json`)",
        "duckdb": "DuckDB (Python, hand-written SQL)",
        "floor": "floor (DataFusion, read every column)",
    }
    lines += timing_table(tools, labels, inner="in-process query time median (s)")
    w("")
    w(verdict_vs(by["verdict"], by["duckdb"], "DuckDB"))
    if "floor" in by:
        w(verdict_vs(by["verdict"], by["floor"], "floor"))
    else:
        w(f"- {floor_note}")
    queries = ", ".join(f"{s['kind']} `{s['label']}` {s['seconds']:.2f} s"
                        + (" (from metadata)" if s.get("from_metadata") else "")
                        for s in scans(rep))
    w(f"- verdict queries (last run): {queries}")
    dq = ", ".join(f"{q['label']} {q['seconds']:.2f} s" for q in duck["queries"])
    w(f"- DuckDB queries (last run): {dq}")
    w("- In-process query time: the sum of the query durations each tool reports "
      "(verdict's JSON `scans`, DuckDB timed around `execute` + `fetchall`); the wall time adds "
      "process start-up (for DuckDB, the Python interpreter and `import duckdb`), file listing and reporting.")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
