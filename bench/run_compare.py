#!/usr/bin/env python3
"""Benchmark `verdict compare` on three 5M-row PostgreSQL tables.

From the repository root, with the PostgreSQL server on 127.0.0.1:5432
(trust authentication for `root`, as .ci/run expects):

    python3 bench/run_compare.py [--rows 5000000] [--runs 3] [--verdict PATH]

Setup (once; kept between runs, `--rebuild` to redo): three databases
verdict_bench_{prod,preprod,dev}, each with `orders` (order_id, region,
revenue, qty_sold, price numeric(10,2), is_in_promo, ordered_on, coupon) of
--rows rows made by generate_series; preprod is a copy of prod, dev has
one revenue changed and one order missing.

Each run executes, interleaved, as separate processes:
  verdict   VERDICT compare prod=postgres://…/verdict_bench_prod?table=orders
            preprod=… dev=… --format json
            (row count, null counts, sum/avg/min/max, min/max/count(DISTINCT),
            true counts: one aggregate per environment, run inside PostgreSQL)
  sql       psql running the very statements verdict sent (taken from its
            report), one per database: the floor, PostgreSQL's own time
  pull      psql `\\copy orders TO STDOUT` of each table into a file, then
            DuckDB computing the same aggregates over the three files: what
            a tool that compares client-side has to move

Rows transferred: verdict's come from its JSON report (`pushed_down[].rows`
per environment); the pull's are the rows copied. Wall time is measured
around each child process; medians over --runs. Markdown goes to stdout.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from harness import Call, DEFAULT_VERDICT, Tool, fmt_s, log, measure_rounds, times

ENVS = ["prod", "preprod", "dev"]
PG = ["-h", "127.0.0.1", "-U", "root", "-q", "-v", "ON_ERROR_STOP=1"]


def psql(db, *args, capture=False):
    r = subprocess.run(["psql", *PG, "-d", db, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"psql -d {db} {args}: {r.stderr}")
    return r.stdout


def setup(rows, rebuild):
    for env in ENVS:
        db = f"verdict_bench_{env}"
        have = psql("postgres", "-Atc", f"SELECT count(*) FROM pg_database WHERE datname = '{db}'").strip()
        if have == "1" and not rebuild:
            n = psql(db, "-Atc", "SELECT count(*) FROM orders").strip()
            if int(n) in (rows, rows - 1):
                continue
        log(f"creating {db} with {rows} rows")
        psql("postgres", "-c", f"DROP DATABASE IF EXISTS {db}", "-c", f"CREATE DATABASE {db}")
        psql(
            db,
            "-c",
            "CREATE TABLE orders (order_id integer PRIMARY KEY, region text NOT NULL, "
            "revenue double precision, qty_sold integer, price numeric(10, 2), "
            "is_in_promo boolean, ordered_on date, coupon text)",
            "-c",
            "INSERT INTO orders SELECT i, (ARRAY['eu', 'us', 'apac'])[1 + i % 3], "
            "round(i * 1.25 % 10007, 2)::double precision, 1 + i % 7, (10 + i % 50)::numeric(10, 2), "
            "i % 4 = 0, DATE '2026-01-01' + i % 300, CASE WHEN i % 10 = 0 THEN 'SAVE10' END "
            f"FROM generate_series(1, {rows}) AS i",
        )
        if env == "dev":
            psql(
                db,
                "-c",
                "UPDATE orders SET revenue = revenue + 100 WHERE order_id = 42",
                "-c",
                f"DELETE FROM orders WHERE order_id = {rows}",
            )
        psql(db, "-c", "VACUUM ANALYZE orders")


def verdict_argv(verdict):
    args = [verdict, "compare"]
    for env in ENVS:
        args.append(f"{env}=postgres://root@127.0.0.1:5432/verdict_bench_{env}?table=orders")
    return args + ["--format", "json"]


def check_verdict(code, out, err):
    if code not in (0, 1):
        sys.exit(f"verdict failed ({code}): {err}{out[-2000:]}")
    return json.loads(out), None


def environments(rep):
    return rep["suites"][0]["compare"]["environments"]


def statements(rep):
    """(environment, SQL) of the statement verdict pushed down to each database, from its report."""
    return [(e["name"], e["pushed_down"][0]["sql"]) for e in environments(rep)]


def run_statements(rep):
    """Run verdict's statements with psql, one database after another; returns how many."""
    sent = statements(rep)
    for env, sql in sent:
        psql(f"verdict_bench_{env}", "-Atc", sql)
    return len(sent)


AGG = """SELECT count(*) AS n, count(revenue) AS revenue_n, sum(revenue), avg(revenue), min(revenue), max(revenue),
 count(qty_sold), sum(qty_sold), avg(qty_sold), min(qty_sold), max(qty_sold),
 count(price), sum(price), avg(CAST(price AS DOUBLE)), min(price), max(price),
 count(region), min(region), max(region), approx_count_distinct(region),
 count(is_in_promo), sum(CASE WHEN is_in_promo THEN 1 ELSE 0 END),
 count(ordered_on), min(ordered_on), max(ordered_on), approx_count_distinct(ordered_on),
 count(coupon), min(coupon), max(coupon), approx_count_distinct(coupon),
 count(order_id), sum(order_id), avg(order_id), min(order_id), max(order_id)
FROM read_csv('{path}', header = false, columns = {{'order_id': 'INTEGER', 'region': 'VARCHAR',
 'revenue': 'DOUBLE', 'qty_sold': 'INTEGER', 'price': 'DECIMAL(10,2)', 'is_in_promo': 'BOOLEAN',
 'ordered_on': 'DATE', 'coupon': 'VARCHAR'}})"""


def pull(tmp):
    """Copy every row of the three tables out, then aggregate them in DuckDB."""
    import duckdb

    rows = 0
    con = duckdb.connect()
    for env in ENVS:
        path = os.path.join(tmp, f"{env}.csv")
        with open(path, "w") as f:
            r = subprocess.run(
                ["psql", *PG, "-d", f"verdict_bench_{env}", "-c", "\\copy orders TO STDOUT (FORMAT csv)"],
                stdout=f,
                stderr=subprocess.PIPE,
                text=True,
            )
            if r.returncode != 0:
                sys.exit(r.stderr)
        with open(path) as f:
            rows += sum(1 for _ in f)
        con.sql(AGG.format(path=path)).fetchall()
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--verdict", default=DEFAULT_VERDICT)
    ap.add_argument("--rebuild", action="store_true")
    a = ap.parse_args()
    setup(a.rows, a.rebuild)
    verdict = Tool("verdict", verdict_argv(a.verdict), check_verdict)
    sql = Call("sql", lambda: run_statements(verdict.result))  # the statements of this round's verdict run
    copy = Call("pull", pull, scratch=tempfile.TemporaryDirectory)
    tools = [verdict, sql, copy]
    measure_rounds(tools, a.runs, warmup=0)
    rep = verdict.result
    transferred = {
        "verdict": sum(p["rows"] for e in environments(rep) for p in e["pushed_down"]),
        "sql": sql.result,
        "pull": copy.result,
    }
    print(f"Compare of three {a.rows:,}-row PostgreSQL tables, {a.runs} interleaved runs (median wall time):\n")
    print("| tool | wall median | runs | rows transferred | vs verdict |")
    print("|---|---:|---|---:|---:|")
    labels = {
        "verdict": "verdict compare (aggregates pushed down)",
        "sql": "psql, verdict's 3 statements one after another",
        "pull": "psql \\copy of every row + DuckDB aggregates",
    }
    for t in tools:
        runs = ", ".join(fmt_s(x) for x in t.walls)
        print(f"| {labels[t.name]} | {fmt_s(t.wall)} s | {runs} | {transferred[t.name]:,} "
              f"| {times(t.wall, verdict.wall)} |")
    print(f"\nverdict reported {rep['summary']['failed']} failed aggregates (dev differs, as planted).")
    print("\nThe statement verdict sent for prod:\n")
    print("```sql")
    print(statements(rep)[0][1])
    print("```")


if __name__ == "__main__":
    main()
