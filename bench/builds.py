#!/usr/bin/env python3
"""Compare two builds of verdict on the same work: does a build setting
(a `[profile.release]` change, a dependency's features) cost run time?

From the repository root, after `python3 bench/gen_data.py`,
`python3 bench/gen_data.py --rows 1000000 --out bench/data/features_1rg.parquet`,
`python3 bench/gen_diff_data.py` and `python3 bench/gen_drift_data.py`:

    python3 bench/builds.py OLD_BINARY NEW_BINARY [--runs 5] [--warmup 1] [--only WORK]

Each round runs, interleaved, each binary on:
  checks    run bench/suite.yml --format json                 (75 checks, 5M rows)
  one_rg    the same checks on 1M rows in one row group       (one partition of the scan)
  diff      diff of bench/data/preds_v1.parquet and preds_v2   (5M vs 5M rows)
  drift     run bench/drift_suite.yml --format json            (15 columns, 5M vs 5M)
  dict      run bench/data/dict_suite.yml --format json        (60 string checks, 5M rows, 6 fail;
                                                                 after `python3 bench/gen_dict_data.py`)
  validate  validate expectations/*.yml                        (start-up, parsing)
  example   run expectations/features.yml --format json        (the bundled 1,000-row suite)

and checks that both binaries print the same report (timings and the list
of queries left out: a build may answer with fewer queries), so a faster
build is never a different answer. A work whose files are missing is left
out with a note. Prints a Markdown table of
median wall seconds and the ratio NEW / OLD.
"""

import argparse
import json
import os
import re
import sys

from harness import Tool, ToolFailed, log, machine_line, measure_rounds

ONE_RG_SUITE = "bench/data/suite_1rg.yml"

WORK = {
    "checks": (["run", "bench/suite.yml", "--format", "json"], (0,)),
    # Its bounds are the 5M-row table's: some checks fail, on both builds alike.
    "one_rg": (["run", ONE_RG_SUITE, "--format", "json"], (1,)),
    "diff": (["diff", "--baseline", "bench/data/preds_v1.parquet", "--candidate",
              "bench/data/preds_v2.parquet", "--key", "id", "--tol", "score=1e-6", "--format", "json",
              "--columns", "score,label,segment,f1,f2"], (0, 1)),
    "drift": (["run", "bench/drift_suite.yml", "--format", "json"], (0, 1)),
    "dict": (["run", "bench/data/dict_suite.yml", "--format", "json"], (1,)),
    "validate": (["validate", "expectations/features.yml", "expectations/release.yml",
                  "expectations/drift.yml", "expectations/compare.yml"], (0,)),
    "example": (["run", "expectations/features.yml", "--format", "json", "--now", "2026-11-25T12:00:00Z"],
                (0,)),
}

TIMING = re.compile(r'"(seconds|[a-z_]*_seconds)":\s*[-0-9.e]+')
NOW = re.compile(r'"now":\s*"[^"]*"')


def without_scans(v):
    if isinstance(v, dict):
        return {k: without_scans(x) for k, x in v.items() if k != "scans"}
    if isinstance(v, list):
        return [without_scans(x) for x in v]
    return v


def answer(out):
    """The report without its timings and queries: what must not change between builds."""
    text = NOW.sub('"now": ""', TIMING.sub('"_seconds": 0', out))
    try:
        return json.dumps(without_scans(json.loads(text)), sort_keys=True)
    except json.JSONDecodeError:
        return text


def checker(name, codes, answers):
    def check(code, out, err):
        if code not in codes:
            raise ToolFailed(f"{name}: exit {code}: {err[-2000:]}")
        a = answer(out)
        first = answers.setdefault(name.split(":")[0], a)
        if a != first:
            raise ToolFailed(f"{name}: the two builds print different reports")
        return None, None
    return check


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--only", action="append", choices=sorted(WORK), help="run only this work (repeatable)")
    args = ap.parse_args()
    with open("bench/suite.yml") as f:
        one_rg = f.read().replace("bench/data/features.parquet", "bench/data/features_1rg.parquet")
    with open(ONE_RG_SUITE, "w") as f:
        f.write(one_rg)
    answers = {}
    tools = []
    needs = {"checks": "bench/data/features.parquet", "one_rg": "bench/data/features_1rg.parquet",
             "diff": "bench/data/preds_v1.parquet", "drift": "bench/data/drift_current.parquet",
             "dict": "bench/data/dict_suite.yml"}
    for work, (argv, codes) in WORK.items():
        if args.only and work not in args.only:
            continue
        if work in needs and not os.path.exists(needs[work]):
            log(f"note: {work} left out: no {needs[work]}")
            continue
        for label, binary in (("old", args.old), ("new", args.new)):
            name = f"{work}:{label}"
            tools.append(Tool(name, [binary] + argv, checker(name, codes, answers)))
    measure_rounds(tools, args.runs, args.warmup)
    by = {t.name: t for t in tools}
    print(machine_line())
    print()
    print(f"Median wall time of {args.runs} interleaved runs (after {args.warmup} warm-up), same reports from both.")
    print()
    print("| work | old (s) | new (s) | new / old | old peak (MiB) | new peak (MiB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for work in WORK:
        if f"{work}:old" not in by:
            continue
        o, n = by[f"{work}:old"], by[f"{work}:new"]
        print(f"| {work} | {o.wall:.3f} | {n.wall:.3f} | {n.wall / o.wall:.2f} | {o.peak:.0f} | {n.peak:.0f} |")
    spread = {t.name: (min(t.walls), max(t.walls)) for t in tools}
    log("spread (min, max): " + ", ".join(f"{k} {a:.3f}–{b:.3f}" for k, (a, b) in spread.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
