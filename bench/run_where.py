#!/usr/bin/env python3
"""Benchmark a source's `where:` on a hive-partitioned Parquet table: one day of thirty.

From the repository root:

    python3 bench/run_where.py [--runs 5] [--warmup 1] [--verdict PATH] [--threads N]
                               [--data DIR] [--rows-per-day 200000] [--rebuild]

Data (made once, kept in --data, default /tmp/verdict_where_bench; `--rebuild`
redoes it, and so does another --rows-per-day): DIR/events/ds=2026-11-01/part-0.parquet
… ds=2026-11-30/part-0.parquet, --rows-per-day rows a day (numpy seed 20261117,
pyarrow, snappy, row groups of 50,000 rows): id int64 (unique over the table),
amount float64 (gamma, ~1% nulls), country string (DE, FR, IT, ES, NL),
score float64 in [0, 1). DIR/day.yml and DIR/all.yml are written on every run:

  day.yml   sources: { events: { path: DIR/events, where: "ds = '2026-11-17'" } }
            checks on events: row_count ≥ 1; amount null_rate ≤ 0.05, min ≥ 0,
            mean in [0, 1000]; country in_set [DE, FR, IT, ES, NL]; score max ≤ 1
  all.yml   the same without the `where`

Each round runs, interleaved, as separate processes:
  verdict-day  VERDICT run DIR/day.yml --format json
  verdict-all  VERDICT run DIR/all.yml --format json
  duckdb-day   python3 bench/run_where.py --duckdb-child DIR 2026-11-17: the duckdb
               Python package, one SELECT of count(*), the nulls of amount, min and
               avg of amount, the countries outside the set and max(score) over
               read_parquet('DIR/events/*/*.parquet', hive_partitioning = true)
               WHERE ds = '2026-11-17'
  duckdb-all   the same without the WHERE

Every run must exit 0; verdict's `suites[0].sources[0].rows` must be
--rows-per-day for day.yml and 30 × --rows-per-day for all.yml, and DuckDB's
count(*) the same. The last round's figures of verdict's checks (null rate,
min, mean, max) are compared with DuckDB's (relative 1e-9).

Markdown goes to stdout, progress to stderr: the Data / Machine / Versions /
Method lines, a table of wall time (median, min, max), in-process time and
peak RSS (from os.wait4) per contender, what verdict read of the files for
each suite (`suites[0].sources[0].scans[0].read`: files, row groups looked
at and skipped, bytes) beside the size on disk of the day's files and of the
whole table, and the ratios verdict/DuckDB for each query and verdict day /
verdict all. The last reports go to DIR/where_{verdict-day,…}_last.json.
"""

import argparse
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import time

from harness import (Tool, ToolFailed, add_arguments, first_error, log, measure, measure_rounds, other_cpu_share,
                     parse_report, ratio, report_head, save_results, tail, timing_table, times)

DEFAULT_DATA = "/tmp/verdict_where_bench"
DAYS = [f"2026-11-{d:02d}" for d in range(1, 31)]
DAY = "2026-11-17"
COUNTRIES = ["DE", "FR", "IT", "ES", "NL"]
SEED = 20261117
ROW_GROUP = 50_000
META = "meta.json"
LAST = "where_{}_last.json"
REL = 1e-9


def day_dir(data, day):
    return os.path.join(data, "events", f"ds={day}")


def parquet_files(path):
    return sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True))


def size(paths):
    return sum(os.path.getsize(p) for p in paths)


def fmt_mib(n):
    return f"{n / 2**20:.2f}" if n < 10 * 2**20 else f"{n / 2**20:.1f}"


# ---------------------------------------------------------------- data and suites

def meta(rows):
    return {"rows_per_day": rows, "days": DAYS, "seed": SEED, "row_group_size": ROW_GROUP}


def generate(data, rows, rebuild):
    """Write DIR/events/ds=…/part-0.parquet unless DIR/meta.json says they are there for these rows.

    The writing runs in a child process: a child started later would report this
    process's peak RSS at fork as its own (Linux keeps the larger at exec)."""
    meta_path = os.path.join(data, META)
    events = os.path.join(data, "events")
    if not rebuild and os.path.exists(meta_path):
        with open(meta_path) as f:
            have = json.load(f)
        if have == meta(rows) and all(os.path.exists(os.path.join(day_dir(data, d), "part-0.parquet"))
                                      for d in DAYS):
            log(f"note: using the table in {events} ({rows:,} rows a day; --rebuild to redo it)")
            return
    log(f"writing {len(DAYS)} days × {rows:,} rows to {events}")
    r = subprocess.run([sys.executable, os.path.abspath(__file__), "--generate-child", data, str(rows)])
    if r.returncode != 0:
        sys.exit(f"error: writing the table in {events} failed (exit {r.returncode})")


def write_table(data, rows):
    """Run inside a child process: the 30 days' files, then DIR/meta.json."""
    meta_path = os.path.join(data, META)
    events = os.path.join(data, "events")
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(data, exist_ok=True)
    if os.path.exists(meta_path):
        os.remove(meta_path)
    tmp = events + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    rng = np.random.default_rng(SEED)
    countries = np.array(COUNTRIES, dtype=object)
    for i, day in enumerate(DAYS):
        ids = np.arange(i * rows, (i + 1) * rows, dtype=np.int64)
        amount = np.round(rng.gamma(2.0, 50.0, rows), 2)
        amount_nulls = rng.random(rows) < 0.01
        country = countries[rng.choice(len(COUNTRIES), rows, p=[0.3, 0.25, 0.2, 0.15, 0.1])]
        score = rng.random(rows)
        table = pa.table({
            "id": pa.array(ids, pa.int64()),
            "amount": pa.array(amount, pa.float64(), mask=amount_nulls),
            "country": pa.array(country, pa.string()),
            "score": pa.array(score, pa.float64()),
        })
        d = os.path.join(tmp, f"ds={day}")
        os.makedirs(d)
        pq.write_table(table, os.path.join(d, "part-0.parquet"), row_group_size=ROW_GROUP)
    shutil.rmtree(events, ignore_errors=True)
    os.rename(tmp, events)
    with open(meta_path, "w") as f:
        json.dump(meta(rows), f)
    return 0


def write_suites(data):
    """DIR/day.yml (the source with `where: ds = DAY`) and DIR/all.yml (without); returns their paths."""
    events = json.dumps(os.path.abspath(os.path.join(data, "events")))
    checks = ("checks:\n"
              "  events:\n"
              "    table:\n"
              "      - row_count: { min: 1 }\n"
              "    columns:\n"
              "      amount:\n"
              "        - null_rate: { max: 0.05 }\n"
              "        - min: { min: 0 }\n"
              "        - mean: { between: [0, 1000] }\n"
              "      country:\n"
              f"        - in_set: [{', '.join(COUNTRIES)}]\n"
              "      score:\n"
              "        - max: { max: 1 }\n")
    paths = {}
    for name, where in (("day", f"ds = '{DAY}'"), ("all", None)):
        path = os.path.join(data, f"{name}.yml")
        with open(path, "w") as f:
            f.write("# Written by bench/run_where.py.\n"
                    "version: 1\n"
                    "sources:\n"
                    "  events:\n"
                    f"    path: {events}\n"
                    + (f"    where: {json.dumps(where)}\n" if where else "")
                    + checks)
        paths[name] = path
    return paths


# ---------------------------------------------------------------- DuckDB (child process)

QUERY = """SELECT count(*) AS n, count(*) - count(amount) AS amount_nulls, min(amount) AS amount_min,
 avg(amount) AS amount_mean, count(*) FILTER (WHERE country NOT IN ({countries})) AS country_outside,
 max(score) AS score_max
FROM read_parquet('{glob}', hive_partitioning = true){where}"""


def duckdb_child(data, day, threads):
    """Run inside a child process: the DuckDB query for DAY (or `all`), as one JSON line."""
    t0 = time.perf_counter()
    import duckdb
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    sql = QUERY.format(countries=", ".join(f"'{c}'" for c in COUNTRIES),
                       glob=os.path.join(os.path.abspath(data), "events", "*", "*.parquet"),
                       where="" if day == "all" else f"\nWHERE ds = '{day}'")
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    row = dict(zip(names, cur.fetchone()))
    print(json.dumps({"result": row, "sql": sql, "duckdb": duckdb.__version__,
                      "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
                      "seconds": round(time.perf_counter() - t0, 4)}))
    return 0


# ---------------------------------------------------------------- checking each run

def events_source(rep):
    return rep["suites"][0]["sources"][0]


def verdict_check(expected_rows):
    def check(code, out, err):
        rep = parse_report("verdict", code, out, err, program="verdict run")
        try:
            src = events_source(rep)
            rows = src["rows"]
            read = src["scans"][0].get("read")
        except (KeyError, IndexError, TypeError) as e:
            raise ToolFailed(f"verdict's report has no suites[0].sources[0] with rows and scans ({e!r})\n"
                             f"--- stdout:\n{tail(out)}")
        if src.get("error"):
            raise ToolFailed(f"verdict could not read the source: {src['error']}")
        if rows != expected_rows:
            raise ToolFailed(f"verdict saw {rows!r} rows, expected {expected_rows:,}")
        if read is None:
            raise ToolFailed("verdict's report has no suites[0].sources[0].scans[0].read")
        secs = rep.get("seconds")
        return rep, secs if isinstance(secs, (int, float)) else None
    return check


def duckdb_check(expected_rows):
    def check(code, out, err):
        rep = parse_report("duckdb", code, out, err, program="run_where.py --duckdb-child", last_line=True)
        n = rep["result"]["n"]
        if n != expected_rows:
            raise ToolFailed(f"DuckDB counted {n!r} rows, expected {expected_rows:,}")
        return rep, rep["seconds"]
    return check


def verdict_supports_where(verdict, suite):
    """None when `VERDICT validate SUITE` accepts the suite with a `where:`, else a one-line reason."""
    if not os.access(verdict, os.X_OK):
        return (f"no verdict binary at {verdict} (build it with `cargo build --release`, "
                "or pass --verdict PATH)")
    code, _, _, out, err, _ = measure([verdict, "validate", suite])
    if code != 0:
        return f"`{verdict} validate {suite}` exited {code}: {first_error(out, err) or '(no output)'}"
    return None


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= REL * max(abs(a), abs(b)) or (math.isnan(a) and math.isnan(b))


def cross_check(vrep, drep):
    """(figures compared, disagreements) of verdict's checks against DuckDB's row."""
    r = drep["result"]
    want = {
        ("row_count", None): r["n"],
        ("null_rate", "amount"): r["amount_nulls"] / r["n"] if r["n"] else None,
        ("min", "amount"): r["amount_min"],
        ("mean", "amount"): r["amount_mean"],
        ("max", "score"): r["score_max"],
    }
    src = events_source(vrep)
    got = {(c["check"], c.get("column")): c for c in src["checks"]}
    n, bad = 0, []
    for key, w in want.items():
        n += 1
        c = got.get(key)
        v = c.get("observed") if c else None
        if not isinstance(v, (int, float)) or not close(float(v), float(w)):
            bad.append(f"{key[0]}{'(' + key[1] + ')' if key[1] else ''}: verdict {v!r}, DuckDB {w!r}")
    n += 1
    ins = got.get(("in_set", "country"))
    if not ins or ins.get("observed") != r["country_outside"]:
        bad.append(f"in_set(country): verdict {ins.get('observed') if ins else None!r} outside the set, "
                   f"DuckDB {r['country_outside']!r}")
    for c in src["checks"]:
        if c.get("status") != "pass":
            bad.append(f"verdict check {c.get('name')}: {c.get('status')} ({c.get('observed_text')})")
    return n, bad


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(ap, "run", "interpreter for the DuckDB child (default: this one)")
    ap.add_argument("--data", default=DEFAULT_DATA, help=f"the table and the suites (default {DEFAULT_DATA})")
    ap.add_argument("--rows-per-day", type=int, default=200_000, help="rows in each day's file (default 200000)")
    ap.add_argument("--rebuild", action="store_true", help="write the table again")
    ap.add_argument("--duckdb-child", nargs=2, metavar=("DATA", "DAY"), help=argparse.SUPPRESS)
    ap.add_argument("--generate-child", nargs=2, metavar=("DATA", "ROWS"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.duckdb_child:
        return duckdb_child(*a.duckdb_child, a.threads)
    if a.generate_child:
        return write_table(a.generate_child[0], int(a.generate_child[1]))
    if a.rows_per_day < 1 or a.runs < 1:
        sys.exit("error: --rows-per-day and --runs must be at least 1")

    os.makedirs(a.data, exist_ok=True)
    suites = write_suites(a.data)
    why_not = verdict_supports_where(a.verdict, suites["day"])  # before the table: validate does not read it
    if why_not:
        sys.exit(f"error: {why_not}")
    generate(a.data, a.rows_per_day, a.rebuild)

    rows = {"day": a.rows_per_day, "all": len(DAYS) * a.rows_per_day}
    tools = []
    for which in ("day", "all"):
        tools.append(Tool(f"verdict-{which}", [a.verdict, "run", suites[which], "--format", "json"]
                          + a.verdict_arg, verdict_check(rows[which])))
    for which in ("day", "all"):
        argv = [a.python, os.path.abspath(__file__), "--duckdb-child", a.data, DAY if which == "day" else "all"]
        if a.threads:
            argv += ["--threads", str(a.threads)]
        tools.append(Tool(f"duckdb-{which}", argv, duckdb_check(rows[which])))
    measure_rounds(tools, a.runs, a.warmup)
    save_results(tools, os.path.join(a.data, LAST))
    by = {t.name: t for t in tools}

    # ---- what was read, what is on disk
    day_files = parquet_files(day_dir(a.data, DAY))
    all_files = parquet_files(os.path.join(a.data, "events"))
    on_disk = {"day": size(day_files), "all": size(all_files)}
    src = {w: events_source(by[f"verdict-{w}"].result) for w in ("day", "all")}
    read = {w: src[w]["scans"][0]["read"] for w in ("day", "all")}
    duck = by["duckdb-day"].result

    import pyarrow.parquet as pq
    md = pq.ParquetFile(day_files[0]).metadata
    lines = report_head(
        f"Data: `{a.data}/events`, {len(DAYS)} hive partitions ds={DAYS[0]} … ds={DAYS[-1]}, each one "
        f"Parquet file of {md.num_rows:,} rows × {md.num_columns} columns in {md.num_row_groups} row "
        f"group{'s' if md.num_row_groups != 1 else ''} "
        f"(pyarrow, snappy): {len(DAYS) * a.rows_per_day:,} rows, {fmt_mib(on_disk['all'])} MiB "
        f"({fmt_mib(on_disk['day'])} MiB for ds={DAY}).  ",
        f"Checks: row_count, null_rate/min/mean of amount, in_set of country, max of score; "
        f"`{suites['day']}` has `where: \"ds = '{DAY}'\"` on the source, `{suites['all']}` none. "
        f"DuckDB: one SELECT of the same figures over `read_parquet(…, hive_partitioning = true)`, "
        f"with and without `WHERE ds = '{DAY}'`, in a Python child process.  ",
        a.verdict, f"DuckDB {duck['duckdb']} (Python package, threads={duck['threads']})", None,
        a.runs, a.warmup, other_cpu_share(tools))
    w = lines.append
    labels = {"verdict-day": f"verdict, `day.yml` (where ds = '{DAY}')",
              "verdict-all": "verdict, `all.yml` (30 days)",
              "duckdb-day": f"DuckDB, WHERE ds = '{DAY}'",
              "duckdb-all": "DuckDB, 30 days"}
    lines += timing_table(tools, labels, inner="in-process time median (s)")
    w("")
    w("In-process time: verdict's report `seconds`; the DuckDB child from before `import duckdb` to the "
      "fetched row. DuckDB's peak RSS includes the Python interpreter.")
    w("")
    w("What verdict read (last run, `suites[0].sources[0].scans[0].read`) and what is on disk:")
    w("")
    w("| suite | rows | files read (of the source's) | row groups (skipped) | MiB read | MiB on disk |")
    w("|---|---:|---:|---:|---:|---:|")
    for which, disk in (("day", f"ds={DAY}"), ("all", "all 30 days")):
        r, s = read[which], src[which]
        w(f"| `{which}.yml` | {s['rows']:,} | {r['files']} of {s.get('files')} | {r['row_groups']} "
          f"({r['row_groups_skipped']}) | {fmt_mib(r['bytes'])} | {fmt_mib(on_disk[which])} ({disk}) |")
    w("")
    w(f"- verdict day / DuckDB day: {ratio(by['verdict-day'], by['duckdb-day'])}")
    w(f"- verdict all / DuckDB all: {ratio(by['verdict-all'], by['duckdb-all'])}")
    bytes_ratio = times(read["day"]["bytes"], read["all"]["bytes"]) if read["all"]["bytes"] else "—"
    w(f"- verdict day / verdict all: {ratio(by['verdict-day'], by['verdict-all'])}, bytes read {bytes_ratio} "
      f"(on disk, one day / the table: {times(on_disk['day'], on_disk['all'])})")
    w(f"- DuckDB day / DuckDB all: {ratio(by['duckdb-day'], by['duckdb-all'])}")
    if len(src["day"]["scans"]) > 1 or len(src["all"]["scans"]) > 1:
        w(f"- verdict ran {len(src['day']['scans'])} scan(s) for `day.yml` and {len(src['all']['scans'])} "
          "for `all.yml`; the figures above are the first's.")

    # ---- sanity: did the `where` narrow what was read, and do the figures agree?
    warnings = []
    if read["day"]["files"] != len(day_files):
        warnings.append(f"verdict opened {read['day']['files']} file(s) for day.yml, expected {len(day_files)}")
    if read["all"]["files"] != len(all_files):
        warnings.append(f"verdict opened {read['all']['files']} file(s) for all.yml, expected {len(all_files)}")
    if not read["day"]["bytes"] or read["day"]["bytes"] * 10 > read["all"]["bytes"]:
        warnings.append(f"bytes read did not shrink with the where: day {read['day']['bytes']:,}, "
                        f"all {read['all']['bytes']:,}")
    for which in ("day", "all"):
        n, bad = cross_check(by[f"verdict-{which}"].result, by[f"duckdb-{which}"].result)
        if bad:
            warnings += [f"{which}: {b}" for b in bad]
        else:
            w(f"- {which}: verdict's {n} figures (row count, null rate, min, mean, max, in_set) agree with "
              f"DuckDB's (relative {REL:g})")
    for x in warnings:
        w(f"- WARNING: {x}")
        log(f"warning: {x}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
