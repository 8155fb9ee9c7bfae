#!/usr/bin/env python3
"""The DuckDB side of the benchmark: run bench/duckdb_checks.sql with the
duckdb Python package and evaluate the same 75 checks as bench/suite.yml.

    python3 bench/duckdb_run.py [--data PATH] [--threads N] [--verbose]

Runs from the repository root. Prints one JSON line on stdout:
{"checks": 75, "passed": 75, "failed": [...], "queries": [{"label", "seconds"}],
 "seconds": total query seconds, "duckdb": version, "threads": N}
Exit 0 when every check passed, 1 otherwise.
"""

import argparse
import datetime as dt
import json
import os
import re
import sys
import time

import duckdb

import duckdb_s3

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = "bench/data/features.parquet"
UTC = dt.timezone.utc

# The schema contract of bench/suite.yml in DuckDB's type names, in order.
SCHEMA = [
    ("id", "BIGINT"), ("price", "DOUBLE"), ("discount", "DOUBLE"), ("score", "DOUBLE"),
    ("weight_kg", "DOUBLE"), ("latency_ms", "DOUBLE"), ("qty", "INTEGER"), ("age", "INTEGER"),
    ("clicks", "BIGINT"), ("revenue_cents", "BIGINT"), ("country", "VARCHAR"),
    ("category", "VARCHAR"), ("device", "VARCHAR"), ("plan", "VARCHAR"),
    ("created_at", "TIMESTAMP WITH TIME ZONE"), ("signup_date", "DATE"),
    ("is_active", "BOOLEAN"), ("email", "VARCHAR"), ("label", "INTEGER"), ("rating", "DOUBLE"),
]
NOT_NULL = ["id", "qty", "clicks", "country", "device", "plan", "created_at", "label"]


def between(lo=None, hi=None):
    return lambda v: v is not None and (lo is None or v >= lo) and (hi is None or v <= hi)


def rate(col):
    return lambda r: r[f"{col}_nulls"] / r["row_count"]


def get(key):
    return lambda r: r[key]


def day(y, m, d):
    return dt.datetime(y, m, d, tzinfo=UTC)


def checks(schema_rows, dups):
    """(name, observed(r), passes(observed)) in suite order; r is the aggregate row."""
    zero = between(0, 0)
    return [
        ("schema", lambda r: schema_rows == SCHEMA and all(r[f"{c}_nulls"] == 0 for c in NOT_NULL),
         lambda ok: ok),
        ("row_count", get("row_count"), between(4_000_000, 6_000_000)),
        ("id.unique", lambda r: dups, zero),
        ("id.not_null", get("id_nulls"), zero),
        ("id.min", get("id_min"), between(1, 1)),
        ("id.max", get("id_max"), between(None, 6_000_000)),
        ("price.null_rate", rate("price"), between(None, 0.02)),
        ("price.min", get("price_min"), between(0)),
        ("price.max", get("price_max"), between(None, 5000)),
        ("price.mean", get("price_mean"), between(20, 35)),
        ("price.stddev", get("price_stddev"), between(None, 50)),
        ("price.sum", get("price_sum"), between(100_000_000, 200_000_000)),
        ("discount.null_rate", rate("discount"), between(None, 0.02)),
        ("discount.min", get("discount_min"), between(0)),
        ("discount.max", get("discount_max"), between(None, 0.5)),
        ("discount.mean", get("discount_mean"), between(0.2, 0.3)),
        ("score.nan_rate", lambda r: r["score_nans"] / r["row_count"], between(None, 0.00001)),
        ("score.null_rate", rate("score"), between(None, 0.02)),
        ("score.min", get("score_min"), between(0)),
        ("score.max", get("score_max"), between(None, 1)),
        ("score.mean", get("score_mean"), between(0.45, 0.55)),
        ("score.stddev", get("score_stddev"), between(0.2, 0.35)),
        ("weight_kg.null_rate", rate("weight_kg"), between(None, 0.02)),
        ("weight_kg.min", get("weight_kg_min"), between(30)),
        ("weight_kg.max", get("weight_kg_max"), between(None, 150)),
        ("weight_kg.mean", get("weight_kg_mean"), between(60, 80)),
        ("latency_ms.null_rate", rate("latency_ms"), between(None, 0.02)),
        ("latency_ms.min", get("latency_ms_min"), between(0)),
        ("latency_ms.max", get("latency_ms_max"), between(None, 10000)),
        ("latency_ms.mean", get("latency_ms_mean"), between(100, 150)),
        ("qty.not_null", get("qty_nulls"), zero),
        ("qty.min", get("qty_min"), between(1)),
        ("qty.max", get("qty_max"), between(None, 100)),
        ("qty.mean", get("qty_mean"), between(45, 55)),
        ("qty.sum", get("qty_sum"), between(200_000_000, 300_000_000)),
        ("age.null_rate", rate("age"), between(None, 0.02)),
        ("age.min", get("age_min"), between(18)),
        ("age.max", get("age_max"), between(None, 120)),
        ("age.mean", get("age_mean"), between(40, 70)),
        ("clicks.not_null", get("clicks_nulls"), zero),
        ("clicks.min", get("clicks_min"), between(0)),
        ("clicks.max", get("clicks_max"), between(None, 100)),
        ("clicks.mean", get("clicks_mean"), between(10, 14)),
        ("clicks.stddev", get("clicks_stddev"), between(None, 5)),
        ("revenue_cents.null_count", get("revenue_cents_nulls"), between(None, 100_000)),
        ("revenue_cents.min", get("revenue_cents_min"), between(0)),
        ("revenue_cents.max", get("revenue_cents_max"), between(None, 1_000_000)),
        ("revenue_cents.sum", get("revenue_cents_sum"),
         between(1_000_000_000_000, 1_500_000_000_000)),
        ("country.not_null", get("country_nulls"), zero),
        ("country.in_set", get("country_not_in_set"), zero),
        ("country.length", lambda r: (r["country_len_min"], r["country_len_max"]),
         lambda v: v == (2, 2)),
        ("category.null_rate", rate("category"), between(None, 0.01)),
        ("category.in_set", get("category_not_in_set"), zero),
        ("device.not_null", get("device_nulls"), zero),
        ("device.in_set", get("device_not_in_set"), zero),
        ("plan.in_set", get("plan_not_in_set"), zero),
        ("plan.length", lambda r: (r["plan_len_min"], r["plan_len_max"]),
         lambda v: v[0] >= 3 and v[1] <= 10),
        ("created_at.not_null", get("created_at_nulls"), zero),
        ("created_at.min", get("created_at_min"), between(day(2024, 1, 1))),
        ("created_at.max", get("created_at_max"), between(None, day(2025, 7, 1))),
        ("signup_date.null_rate", rate("signup_date"), between(None, 0.02)),
        ("signup_date.min", get("signup_date_min"), between(dt.date(2020, 1, 1))),
        ("signup_date.max", get("signup_date_max"), between(None, dt.date(2025, 1, 1))),
        ("is_active.null_rate", rate("is_active"), between(None, 0.02)),
        ("email.null_rate", rate("email"), between(None, 0.005)),
        ("email.regex", get("email_regex_fail"), zero),
        ("email.length", lambda r: (r["email_len_min"], r["email_len_max"]),
         lambda v: v[0] >= 10 and v[1] <= 64),
        ("label.not_null", get("label_nulls"), zero),
        ("label.min", get("label_min"), between(0)),
        ("label.max", get("label_max"), between(None, 1)),
        ("label.mean", get("label_mean"), between(0.15, 0.25)),
        ("rating.null_rate", rate("rating"), between(None, 0.03)),
        ("rating.min", get("rating_min"), between(1)),
        ("rating.max", get("rating_max"), between(None, 5)),
        ("rating.mean", get("rating_mean"), between(2.5, 3.5)),
    ]


def statements(path):
    with open(os.path.join(HERE, "duckdb_checks.sql")) as f:
        sql = f.read()
    if path != DEFAULT_DATA:
        sql = sql.replace(f"'{DEFAULT_DATA}'", "'" + path.replace("'", "''") + "'")
    stmts = [s.strip() for s in re.split(r";\s*(?:\n|$)", sql)]
    # Drop statements that are only comments.
    return [s for s in stmts if any(l.strip() and not l.strip().startswith("--") for l in s.splitlines())]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--threads", type=int, default=0, help="0 (default): DuckDB's default, all cores")
    ap.add_argument("--verbose", action="store_true", help="print every check to stderr")
    duckdb_s3.add_option(ap)
    args = ap.parse_args()

    con = duckdb_s3.connect(args.s3)
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]

    agg_sql, uniq_sql, schema_sql = statements(args.data)
    queries = []

    def timed(label, sql):
        t0 = time.perf_counter()
        cur = con.execute(sql)
        rows = cur.fetchall()
        cols = [d[0] for d in cur.description]
        queries.append({"label": label, "seconds": round(time.perf_counter() - t0, 4)})
        return cols, rows

    cols, rows = timed("aggregate", agg_sql)
    r = dict(zip(cols, rows[0]))
    _, rows = timed("unique id", uniq_sql)
    dups = rows[0][0]
    _, schema_rows = timed("schema", schema_sql)
    schema_rows = [(c, t) for c, t in schema_rows]

    results = []
    for name, observe, passes in checks(schema_rows, dups):
        v = observe(r)
        ok = bool(passes(v))
        results.append((name, ok, v))
        if args.verbose:
            print(f"{'PASS' if ok else 'FAIL'}  {name}  {v}", file=sys.stderr)
    failed = [n for n, ok, _ in results if not ok]
    print(json.dumps({
        "checks": len(results),
        "passed": len(results) - len(failed),
        "failed": failed,
        "queries": queries,
        "seconds": round(sum(q["seconds"] for q in queries), 4),
        "duckdb": duckdb.__version__,
        "threads": threads,
    }))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
