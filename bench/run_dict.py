#!/usr/bin/env python3
"""Benchmark verdict against DuckDB on dictionary-encoded string columns.

From the repository root, after `python3 bench/gen_dict_data.py`:

    python3 bench/run_dict.py [--runs 5] [--warmup 1] [--verdict PATH] [--threads N]

Each run executes, interleaved, as separate processes:
  verdict   VERDICT run bench/data/dict_suite.yml --format json
            (60 checks: in_set, regex and length on 20 string columns of
            1,000 values each, 5,000,000 rows; 6 checks fail, exit 1)
  duckdb    python3 bench/dict_duckdb.py
            (the same 60 counts in one DuckDB aggregate, then the 5 most
            frequent offending values of each failed check)

Both must find the planted failures of bench/data/dict_planted.json, the
same failing counts and the same offending values. Markdown on stdout,
progress on stderr.
"""

import argparse
import json
import os
import sys

from harness import (DEFAULT_VERDICT, Tool, ToolFailed, log, measure_rounds, mib, other_cpu_share,
                     parquet_shape, report_head, timing_table, verdict_vs)

DATA_DIR = "bench/data"


def planted():
    with open(os.path.join(DATA_DIR, "dict_planted.json")) as f:
        return json.load(f)["failing"]


def checks_of(rep):
    return [c for suite in rep["suites"] for src in suite["sources"] for c in src["checks"]]


def scans(rep):
    return [sc for suite in rep["suites"] for src in suite["sources"] for sc in src["scans"]]


def check_verdict(code, out, err):
    try:
        rep = json.loads(out)
    except ValueError:
        raise ToolFailed(f"verdict: stdout is not a JSON report (exit {code})\n{err[-2000:]}")
    # in_set and regex observe the rows outside; length (without `mostly`)
    # observes the shortest or longest value, so it is compared by status.
    want = {k: (n if not k.endswith(".length") else n > 0) for k, n in planted().items()}
    got = {}
    for c in checks_of(rep):
        failed = c["status"] == "fail"
        got[c["name"]] = failed if c["name"].endswith(".length") else (c.get("observed") if failed else 0)
    if code != 1 or got != want:
        diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
        raise ToolFailed(f"verdict: exit {code}, failing counts differ from the planted ones: {diff}")
    samples = {c["name"]: [[s["value"], s["rows"]] for s in c.get("sample", [])]
               for c in checks_of(rep) if c.get("sample")}
    return {"report": rep, "samples": samples}, sum(s["seconds"] for s in scans(rep))


def check_duckdb(code, out, err):
    try:
        rep = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise ToolFailed(f"duckdb: no JSON on stdout (exit {code})\n{err[-2000:]}")
    if code != 0 or rep["failing"] != planted():
        raise ToolFailed(f"duckdb: exit {code}, failing counts differ from the planted ones")
    return rep, rep["seconds"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds before measuring (default 1)")
    ap.add_argument("--verdict", default=DEFAULT_VERDICT)
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    ap.add_argument("--python", default=sys.executable, help="interpreter for bench/dict_duckdb.py")
    args = ap.parse_args()
    suite = os.path.join(DATA_DIR, "dict_suite.yml")
    data = os.path.join(DATA_DIR, "dict.parquet")
    if not os.path.exists(suite) or not os.path.exists(data):
        sys.exit("error: no bench/data/dict.parquet: run python3 bench/gen_dict_data.py first")
    if not os.access(args.verdict, os.X_OK):
        sys.exit(f"error: verdict binary not found at {args.verdict} (use --verdict PATH)")
    duck = [args.python, "bench/dict_duckdb.py"] + (["--threads", str(args.threads)] if args.threads else [])
    tools = [
        Tool("verdict", [args.verdict, "run", suite, "--format", "json"], check_verdict),
        Tool("duckdb", duck, check_duckdb),
    ]
    measure_rounds(tools, args.runs, args.warmup)
    by = {t.name: t for t in tools}
    v, d = by["verdict"].result, by["duckdb"].result
    if v["samples"] != d["samples"]:
        log(f"error: the offending values differ:\nverdict {v['samples']}\nduckdb  {d['samples']}")
        return 1
    lines = report_head(
        f"Data: `{data}` ({parquet_shape(data)}, 20 dictionary-encoded string columns of 1,000 values, "
        f"snappy, {mib([data])} MiB), from `bench/gen_dict_data.py`.  ",
        "Checks: 60 (`in_set` with the 1,000 values, `regex`, `length` on each column; 6 fail on planted "
        "values); DuckDB: `bench/dict_duckdb.py`, one aggregate (`NOT IN (SELECT v FROM allowed)`, "
        "`regexp_matches`, `length`) + the 5 most frequent offending values of each of the 6 failed checks, as verdict's report "
        "gives them.  ",
        args.verdict, f"DuckDB {d['duckdb']} (Python package, threads={d['threads']})", None,
        args.runs, args.warmup, other_cpu_share(tools))
    lines += timing_table(tools, {"verdict": "verdict (`run --format json`)",
                                  "duckdb": "DuckDB (Python, hand-written SQL)"},
                          inner="in-process query time median (s)")
    lines.append("")
    lines.append(verdict_vs(by["verdict"], by["duckdb"], "DuckDB"))
    q = ", ".join(f"{s['kind']} `{s['label']}` {s['seconds']:.2f} s" for s in scans(v["report"]))
    lines.append(f"- verdict queries (last run): {q}")
    dq = ", ".join(f"{x['label']} {x['seconds']:.2f} s" for x in d["queries"])
    lines.append(f"- DuckDB queries (last run): {dq}")
    lines.append("- Both found the same 6 failed checks (the same counts outside the set and the pattern) and the same offending values.")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
