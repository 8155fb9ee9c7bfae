#!/usr/bin/env python3
"""Benchmark what `verdict run --failed-rows DIR` adds to a run.

From the repository root, after `python3 bench/gen_data.py`:

    python3 bench/run_failed_rows.py [--runs 5] [--warmup 1] [--verdict PATH] [--tmpdir PATH]

Each round runs, interleaved, as separate processes:
  without   VERDICT run bench/failed_rows_suite.yml --format json
  with      VERDICT run bench/failed_rows_suite.yml --format json --failed-rows TMP
TMP is a fresh empty temporary directory each run (under --tmpdir, default
$TMPDIR or /tmp), made before the clock starts and removed after it stops.

The suite has 13 checks: 10 checks of single rows that fail on the generated
data (in_set, regex, not_regex, length, not_in_set, not_null, range, unique,
expression, and an in_set with `mostly`), each broken by far more than 100
rows, and 3 that pass (row_count, a mean, a max). Every run is checked:
exit code 1, exactly those 10 checks failed and the other 3 passed. With
--failed-rows, each of the 10 carries `failed_rows` with `rows` = 100 (the
default --failed-rows-limit) and no `error`, its file exists in TMP (and,
with pyarrow, holds 100 rows), TMP holds those 10 files and nothing else,
and the report's scans list one `failed_rows` scan per check; without it, no
check carries `failed_rows` and no such scan runs.

One untimed warm-up round runs first (`--warmup 0` to skip). Wall time is
measured around the child process; peak RSS comes from os.wait4
(ru_maxrss). The Markdown printed on stdout gives both timings, the time
--failed-rows adds (the median of the per-round differences, with minus
without) and the with / without ratios, and the seconds of each
`failed_rows` scan of the last --failed-rows run (their sum and maximum);
progress goes to stderr.
"""

import argparse
import os
import statistics
import sys
import tempfile

from harness import (DEFAULT_VERDICT, Tool, ToolFailed, fmt_s, measure_rounds, mib, other_cpu_share,
                     parquet_shape, parse_report, ratio, report_head, tail, timing_table)

SUITE = "bench/failed_rows_suite.yml"
DATA = "bench/data/features.parquet"
LIMIT = 100  # verdict's default --failed-rows-limit; every failing check breaks on more rows than this

# The checks of bench/failed_rows_suite.yml, by name: the ones of single rows that must fail,
# and the ones that must pass. Keep in step with the suite.
FAILING = [
    "discount_le_score",   # expression: "discount <= score"
    "country.in_set",
    "email.regex",
    "email.not_regex",
    "plan.length",
    "plan.not_in_set",
    "category.not_null",
    "weight_kg.range",
    "device.unique",
    "clicks.in_set",       # in_set with mostly: 0.999
]
PASSING = ["row_count", "price.mean", "qty.max"]


def checks_of(rep):
    """{name: check} of every check in the report."""
    return {c["name"]: c for suite in rep["suites"] for src in suite["sources"] for c in src["checks"]}


def scans_of(rep):
    return [sc for suite in rep["suites"] for src in suite["sources"] for sc in src["scans"]]


def describe(c):
    return f"{c['name']}: {c['status']} — {c.get('observed_text')} vs {c.get('expected')}"


def check_run(name, code, out, err, rows_dir):
    """The checks of one run; rows_dir is the --failed-rows directory, or None. Returns (report, seconds)."""
    rep = parse_report(name, code, out, err, program=f"verdict ({name} --failed-rows)", codes=(1,))
    checks = checks_of(rep)
    problems = []
    names = set(checks)
    if names != set(FAILING) | set(PASSING):
        problems.append(f"the report's checks are not the suite's expected ones: "
                        f"missing {sorted(set(FAILING) | set(PASSING) - names)}, "
                        f"unexpected {sorted(names - set(FAILING) - set(PASSING))}")
    problems += [f"should fail: {describe(checks[n])}" for n in FAILING
                 if n in checks and checks[n]["status"] != "fail"]
    problems += [f"should pass: {describe(checks[n])}" for n in PASSING
                 if n in checks and checks[n]["status"] != "pass"]
    row_scans = [sc["label"] for sc in scans_of(rep) if sc["kind"] == "failed_rows"]

    if rows_dir is None:
        problems += [f"{n}: `failed_rows` without --failed-rows" for n, c in checks.items() if c.get("failed_rows")]
        if row_scans:
            problems.append(f"`failed_rows` scans without --failed-rows: {row_scans}")
    else:
        files = set()
        for n in FAILING:
            fr = checks.get(n, {}).get("failed_rows")
            if not fr:
                problems.append(f"{n}: no `failed_rows` in the report")
                continue
            if fr.get("error"):
                problems.append(f"{n}: failed_rows.error: {fr['error']}")
            if fr.get("rows") != LIMIT:
                problems.append(f"{n}: failed_rows.rows is {fr.get('rows')}, not {LIMIT}")
            path = os.path.realpath(fr.get("path") or "")
            files.add(path)
            if not os.path.isfile(path):
                problems.append(f"{n}: {fr.get('path')} does not exist")
            elif os.path.commonpath([path, os.path.realpath(rows_dir)]) != os.path.realpath(rows_dir):
                problems.append(f"{n}: {fr.get('path')} is not under {rows_dir}")
            else:
                held = parquet_rows(path)
                if held is not None and held != LIMIT:
                    problems.append(f"{n}: {fr.get('path')} holds {held} rows, not {LIMIT}")
        problems += [f"{n}: `failed_rows` on a check that passed" for n in PASSING
                     if checks.get(n, {}).get("failed_rows")]
        written = {os.path.realpath(os.path.join(d, f)) for d, _, fs in os.walk(rows_dir) for f in fs}
        if written != files:
            problems.append(f"{rows_dir} holds {len(written)} files, the report names {len(files)}: "
                            f"not named {sorted(written - files)}, not written {sorted(files - written)}")
        if sorted(row_scans) != sorted(FAILING):
            problems.append(f"the `failed_rows` scans are not one per failing check: {row_scans}")
    if problems:
        raise ToolFailed(f"verdict ({name} --failed-rows) exited {code}, but:\n  " + "\n  ".join(problems)
                         + f"\n--- stderr:\n{tail(err)}")
    return rep, rep["seconds"]


def parquet_rows(path):
    """The rows a Parquet file holds (from its footer), or None without pyarrow."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return None
    return pq.ParquetFile(path).metadata.num_rows


class WithRows(Tool):
    """`verdict run … --failed-rows TMP`, TMP a fresh empty directory each run, made and removed
    outside the timed process; the check runs while it still exists."""

    def __init__(self, name, argv, parent):
        super().__init__(name, argv, None)
        self.base, self.parent = argv, parent

    def run(self, record=True):
        with tempfile.TemporaryDirectory(prefix="verdict-failed-rows-", dir=self.parent) as d:
            self.argv = self.base + ["--failed-rows", d]
            self.check = lambda code, out, err: check_run(self.name, code, out, err, d)
            return super().run(record)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds before measuring (default 1)")
    ap.add_argument("--verdict", default=DEFAULT_VERDICT, help=f"verdict binary (default {DEFAULT_VERDICT})")
    ap.add_argument("--tmpdir", default=None,
                    help="where the --failed-rows directories are made (default: $TMPDIR or /tmp)")
    args = ap.parse_args()

    for p, what in [(SUITE, "the suite"), (DATA, "the data (run: python3 bench/gen_data.py)")]:
        if not os.path.exists(p):
            sys.exit(f"error: {p} not found: {what}; run from the repository root")
    if not os.access(args.verdict, os.X_OK):
        sys.exit(f"error: verdict binary not found at {args.verdict} (use --verdict PATH)")
    if args.runs < 1:
        sys.exit("error: --runs must be at least 1")
    parent = args.tmpdir or tempfile.gettempdir()
    if not os.path.isdir(parent):
        sys.exit(f"error: --tmpdir {parent} is not a directory")

    argv = [args.verdict, "run", SUITE, "--format", "json"]
    tools = [
        Tool("without", argv, lambda code, out, err: check_run("without", code, out, err, None)),
        WithRows("with", argv, parent),
    ]
    measure_rounds(tools, args.runs, args.warmup)
    without, with_ = tools
    rep = with_.result

    lines = report_head(
        f"Data: `{DATA}` ({parquet_shape(DATA)}, snappy, {mib([DATA])} MiB), from `bench/gen_data.py`.  ",
        f"Checks: {len(FAILING) + len(PASSING)} (`{SUITE}`): {len(FAILING)} checks of single rows that fail, "
        f"each writing {LIMIT} rows (the default `--failed-rows-limit`) with `--failed-rows`, "
        f"and {len(PASSING)} that pass.  ",
        args.verdict, pyarrow_version(), None, args.runs, args.warmup, other_cpu_share(tools))
    w = lines.append
    labels = {
        "without": "verdict `run --format json`",
        "with": "verdict `run --format json --failed-rows DIR`",
    }
    lines += timing_table(tools, labels, inner="verdict's own `seconds` median (s)")
    w("")
    added = [b - a for a, b in zip(without.walls, with_.walls)]
    added_inner = [b - a for a, b in zip(without.inner, with_.inner)]
    w(f"- added by `--failed-rows`: {signed(statistics.median(added))} s wall (median of the per-round "
      f"differences, with − without; {signed(min(added))} to {signed(max(added))} s), "
      f"{signed(statistics.median(added_inner))} s of verdict's own `seconds`")
    w(f"- with / without: {ratio(with_, without)}")
    row_scans = [sc for sc in scans_of(rep) if sc["kind"] == "failed_rows"]
    top = max(row_scans, key=lambda sc: sc["seconds"])
    w(f"- `failed_rows` scans (last run with `--failed-rows`): {len(row_scans)}, "
      f"{fmt_s(sum(sc['seconds'] for sc in row_scans))} s in all, the longest "
      f"{fmt_s(top['seconds'])} s (`{top['label']}`); each:")
    w("")
    w("| check | rows written | columns | seconds |")
    w("|---|---:|---|---:|")
    checks = checks_of(rep)
    for sc in row_scans:
        fr = checks[sc["label"]]["failed_rows"]
        w(f"| `{sc['label']}` | {fr['rows']} | {', '.join(fr['columns'])} | {sc['seconds']:.3f} |")
    w("")
    w("Each `--failed-rows` run writes into a fresh empty temporary directory, made before and removed "
      "after the timed process. A `failed_rows` scan is the query that finds a check's first rows and "
      "writes them; it runs after the check has failed, on top of the scans both runs share (the "
      "aggregate, `distinct` for `unique`, and the `sample` of the most frequent offending values of a "
      "failed set or pattern check).")
    print("\n".join(lines))
    return 0


def signed(x):
    return f"{x:+.2f}"


def pyarrow_version():
    try:
        import pyarrow
        return f"pyarrow {pyarrow.__version__} (reads the written files' footers, untimed)"
    except ImportError:
        return "pyarrow not installed (the written files' row counts not read)"


if __name__ == "__main__":
    sys.exit(main())
