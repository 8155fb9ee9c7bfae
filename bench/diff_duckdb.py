#!/usr/bin/env python3
"""The DuckDB side of the diff benchmark: a keyed diff of two Parquet files in
DuckDB SQL, computing what `verdict diff` computes.

    python3 bench/diff_duckdb.py BASELINE CANDIDATE [--key id]
        [--compare score,label,segment,f1,f2] [--tol score=1e-6]
        [--categorical label,segment] [--top score] [--threads N]
        [--memory-limit 64MB]

Defaults match the benchmark's data (bench/gen_diff_data.py) and
`verdict diff --key id --tol score=1e-6`. For each side: null keys and
duplicate keys. Over the non-null keys: rows in both, only in the baseline,
only in the candidate (with their 10 smallest ids). Per compared column, over
the rows in both: changed count and rate (null == null is equal, null vs a
value is a change; a column with a tolerance changes when
abs(c - b) > tol + 0 * abs(b), numpy.isclose with rtol 0; the others when
b IS DISTINCT FROM c). Numeric columns also get mean and max of |c - b|, its
exact p50/p95/p99 (quantile_cont: linear interpolation) and the mean of c - b,
over rows in both where both values are non-null. Categorical columns get the
flip count and the baseline -> candidate confusion table. Finally the 10 rows
with the largest |c - b| on the --top column (id ascending on ties).

How: the FULL OUTER JOIN of the two files (only the key and the compared
columns are read) is materialised once as a temporary table; every result is
then a query over that table, the per-column figures all in one aggregate.
Duplicate and null keys are counted straight from the files (id column only).

Prints one JSON object on stdout. "seconds" is the whole script's work, from
before `import duckdb` to the result being ready (reading the files included);
"queries" times each statement (execute + fetch).
"""

import time

T_START = time.perf_counter()  # before importing duckdb: the timing covers everything

import argparse
import json
import sys

import duckdb

import duckdb_s3

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
           "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL")


def ident(name):
    return '"' + name.replace('"', '""') + '"'


def literal(s):
    return "'" + s.replace("'", "''") + "'"


def parse_tols(items):
    """['score=1e-6', ...] -> {'score': 1e-6}"""
    tols = {}
    for item in items:
        col, _, val = item.partition("=")
        if not col or not val:
            sys.exit(f"error: --tol expects COLUMN=ABS, got {item!r}")
        tols[col] = float(val)
    return tols


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("baseline")
    ap.add_argument("candidate")
    ap.add_argument("--key", default="id")
    ap.add_argument("--compare", default="score,label,segment,f1,f2", help="compared columns, comma-separated")
    ap.add_argument("--tol", action="append", default=None, help="COLUMN=ABS (repeatable; default score=1e-6)")
    ap.add_argument("--categorical", default="label,segment", help="columns that get a confusion table")
    ap.add_argument("--top", default="score", help="column for the top-10 rows by |c - b|")
    ap.add_argument("--threads", type=int, default=0, help="0 (default): DuckDB's default, all cores")
    ap.add_argument("--memory-limit", default="", help="DuckDB's memory_limit (e.g. 64MB); default: DuckDB's own")
    duckdb_s3.add_option(ap)
    args = ap.parse_args()
    cols = [c for c in args.compare.split(",") if c]
    tols = parse_tols(args.tol if args.tol is not None else ["score=1e-6"])
    categorical = [c for c in args.categorical.split(",") if c and c in cols]
    key = ident(args.key)

    con = duckdb_s3.connect(args.s3)
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    if args.memory_limit:
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
    # Row order never matters here: lets the join and CREATE TABLE run without order bookkeeping.
    con.execute("SET preserve_insertion_order = false")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    queries = []

    def q(label, sql):
        """Run one statement; return its rows as dicts."""
        t0 = time.perf_counter()
        cur = con.execute(sql)
        rows = cur.fetchall() if cur.description else []
        names = [d[0] for d in cur.description] if cur.description else []
        queries.append({"label": label, "seconds": round(time.perf_counter() - t0, 4)})
        return [dict(zip(names, r)) for r in rows]

    src = {"b": f"read_parquet({literal(args.baseline)})", "c": f"read_parquet({literal(args.candidate)})"}

    # ---- types of the compared columns (from the baseline's Parquet schema; no data read)
    types = {r["column_name"]: r["column_type"] for r in q("describe", f"DESCRIBE SELECT * FROM {src['b']}")}
    for c in [args.key] + cols:
        if c not in types:
            sys.exit(f"error: column {c!r} not in {args.baseline}")
    numeric = [c for c in cols if types[c].upper() in NUMERIC]

    # ---- keys, per side: row count, null keys, duplicated key values and the rows they cover
    keys = {}
    for side, name in (("b", "baseline"), ("c", "candidate")):
        r = q(f"keys {name}", f"""
            SELECT (SELECT count(*) FROM {src[side]}) AS row_count,
                   (SELECT count(*) FROM {src[side]} WHERE {key} IS NULL) AS null_keys,
                   count(*) AS duplicate_keys, coalesce(sum(n), 0) AS duplicate_rows
            FROM (SELECT count(*) AS n FROM {src[side]} WHERE {key} IS NOT NULL
                  GROUP BY {key} HAVING count(*) > 1)""")[0]
        keys[name] = {k: int(v) for k, v in r.items()}

    # ---- the join, materialised: key, presence flags, both sides of every compared column
    sel = ", ".join(ident(c) for c in [args.key] + cols)
    pairs = ", ".join(f"b.{ident(c)} AS {ident('b_' + c)}, c.{ident(c)} AS {ident('c_' + c)}" for c in cols)
    q("join", f"""
        CREATE TEMP TABLE j AS
        SELECT coalesce(b.{key}, c.{key}) AS k,
               b.{key} IS NOT NULL AS in_b, c.{key} IS NOT NULL AS in_c, {pairs}
        FROM (SELECT {sel} FROM {src['b']} WHERE {key} IS NOT NULL) b
        FULL OUTER JOIN (SELECT {sel} FROM {src['c']} WHERE {key} IS NOT NULL) c
        ON b.{key} = c.{key}""")

    # ---- one aggregate over the join: presence counts and every per-column figure
    def bc(c):
        return ident("b_" + c), ident("c_" + c)

    aggs = ["count(*) FILTER (WHERE in_b AND in_c) AS both_",
            "count(*) FILTER (WHERE in_b AND NOT in_c) AS only_b",
            "count(*) FILTER (WHERE in_c AND NOT in_b) AS only_c"]
    for i, c in enumerate(cols):
        b, cc = bc(c)
        if c in tols:
            changed = (f"CASE WHEN {b} IS NULL OR {cc} IS NULL THEN ({b} IS NULL) <> ({cc} IS NULL) "
                       f"ELSE abs({cc} - {b}) > {tols[c]!r} + 0 * abs({b}) END")
        else:
            changed = f"{b} IS DISTINCT FROM {cc}"
        aggs.append(f"count(*) FILTER (WHERE in_b AND in_c AND {changed}) AS changed_{i}")
        if c in numeric:
            # c - b is NULL unless both sides have a value, so rows only in one side drop out by themselves
            d = f"({cc}::DOUBLE - {b}::DOUBLE)"
            aggs += [f"avg(abs({d})) AS abs_mean_{i}", f"max(abs({d})) AS abs_max_{i}",
                     f"quantile_cont(abs({d}), [0.5, 0.95, 0.99]) AS abs_q_{i}", f"avg({d}) AS mean_{i}"]
    agg = q("aggregate", "SELECT " + ",\n       ".join(aggs) + " FROM j")[0]
    n_both = int(agg["both_"])

    def smallest(where):
        return [int(r["k"]) for r in q(f"smallest ids {where}", f"SELECT k FROM j WHERE {where} ORDER BY k LIMIT 10")]

    result = {
        "baseline": args.baseline,
        "candidate": args.candidate,
        "key": args.key,
        "keys": keys,
        "rows_in_both": n_both,
        "only_in_baseline": {"count": int(agg["only_b"]), "smallest": smallest("in_b AND NOT in_c")},
        "only_in_candidate": {"count": int(agg["only_c"]), "smallest": smallest("in_c AND NOT in_b")},
        "columns": {},
    }
    for i, c in enumerate(cols):
        ch = int(agg[f"changed_{i}"])
        out = {"type": types[c], "changed": ch, "changed_rate": ch / n_both if n_both else None}
        if c in tols:
            out["tolerance"] = {"abs": tols[c], "rel": 0.0}
        if c in numeric:
            p = agg[f"abs_q_{i}"] or [None, None, None]
            out["abs_diff"] = {"mean": agg[f"abs_mean_{i}"], "max": agg[f"abs_max_{i}"],
                               "p50": p[0], "p95": p[1], "p99": p[2]}
            out["diff_mean"] = agg[f"mean_{i}"]
        result["columns"][c] = out

    # ---- categorical columns: flips (both non-null and different) and the old -> new table
    for c in categorical:
        b, cc = bc(c)
        rows = q(f"confusion {c}", f"""
            SELECT {b} AS baseline, {cc} AS candidate, count(*) AS count FROM j
            WHERE in_b AND in_c GROUP BY ALL ORDER BY ALL""")
        result["columns"][c]["flips"] = sum(r["count"] for r in rows if r["baseline"] is not None
                                            and r["candidate"] is not None and r["baseline"] != r["candidate"])
        result["columns"][c]["confusion"] = rows

    # ---- the largest differences on the --top column
    if args.top in numeric:
        b, cc = bc(args.top)
        result["top"] = {"column": args.top, "rows": q(f"top {args.top}", f"""
            SELECT k AS {key}, {b} AS baseline, {cc} AS candidate, {cc} - {b} AS diff FROM j
            WHERE {b} IS NOT NULL AND {cc} IS NOT NULL
            ORDER BY abs({cc} - {b}) DESC, k LIMIT 10""")}

    result["queries"] = queries
    result["query_seconds"] = round(sum(x["seconds"] for x in queries), 4)
    result["seconds"] = round(time.perf_counter() - T_START, 4)
    result["duckdb"] = duckdb.__version__
    result["threads"] = threads
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
