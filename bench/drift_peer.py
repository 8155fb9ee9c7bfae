#!/usr/bin/env python3
"""The statistics of verdict's `drift:` section, computed with DuckDB + numpy + scipy.

    python3 bench/drift_peer.py REFERENCE.parquet CURRENT.parquet [--bins 10] [--threads N]
                               [--columns a,b,...]

The benchmark's peer for `verdict run bench/drift_suite.yml`: the same
definitions (README, "Drift: `drift:`"; fixtures/drift/make.py), every
column both files have, in the current file's order:

- numeric (integers, floats, decimals, dates as days since 1970-01-01,
  timestamps as microseconds since the epoch): DuckDB reads the column of
  each side as a numpy array, nulls and NaN left out (and counted in one
  aggregate per side); bin edges = numpy.quantile(reference, k/bins,
  method="linear"), k = 1..bins-1, equal edges merged (numpy.unique); a
  value v is in bin searchsorted(edges, v, side="left"); PSI = sum((c - r)
  * ln(c / r)) over bin shares with a share of 0 counted as 1e-4;
  scipy.stats.ks_2samp(reference, current) (two-sided, method="auto");
- categorical (strings, booleans as 'true'/'false'): DuckDB GROUP BY
  counts; categories = the sorted union; PSI as above;
  scipy.stats.chi2_contingency([ref_counts, cur_counts]) (Yates when 2 x 2);
- both: scipy.spatial.distance.jensenshannon(ref_shares, cur_shares, base=2).

Prints one JSON object on stdout: versions, timings (DuckDB reading vs
numpy/scipy arithmetic) and per column the counts, bins and statistics.
Needs `pip install duckdb==2.0.1 numpy scipy`.
"""

import argparse
import json
import sys
import time

T0 = time.perf_counter()

import duckdb  # noqa: E402
import duckdb_s3  # noqa: E402
import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.spatial import distance  # noqa: E402

EPS = 1e-4
MAX_AUTO_N = 10_000  # scipy's ks_2samp: exact p-value up to this sample size with method="auto"

NUMERIC_PREFIXES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                    "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")


def kind(duck_type):
    t = duck_type.upper()
    if t.startswith(NUMERIC_PREFIXES):
        return "numeric"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t in ("VARCHAR", "BOOLEAN") or t.startswith("ENUM"):
        return "categorical"
    return None


def q(name):
    return '"' + name.replace('"', '""') + '"'


def as_double(name, k):
    """SQL for the column as a double: dates in days, timestamps in microseconds since the epoch."""
    if k == "date":
        return f"CAST(date_diff('day', DATE '1970-01-01', {q(name)}) AS DOUBLE)"
    if k == "timestamp":
        return f"CAST(epoch_us({q(name)}) AS DOUBLE)"
    return f"CAST({q(name)} AS DOUBLE)"


def psi(r, c):
    p, qq = r / r.sum(), c / c.sum()
    p, qq = np.where(p == 0, EPS, p), np.where(qq == 0, EPS, qq)
    return float(np.sum((qq - p) * np.log(qq / p)))


def js(r, c):
    return float(distance.jensenshannon(r / r.sum(), c / c.sum(), base=2))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reference")
    ap.add_argument("current")
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    ap.add_argument("--columns", help="comma-separated columns (default: every common column)")
    duckdb_s3.add_option(ap)
    args = ap.parse_args()

    con = duckdb_s3.connect(args.s3)
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    sides = {"reference": args.reference, "current": args.current}
    t_read = 0.0
    t_stats = 0.0

    def sql(query):
        """Start a query; `done(t)` after fetching adds its time to DuckDB's share."""
        t = time.perf_counter()
        return con.execute(query), t

    def done(t):
        nonlocal t_read
        t_read += time.perf_counter() - t

    # can_have_nan: pyarrow leaves NaN out of a float column's min/max statistics (as the
    # Parquet spec says), and DuckDB 2.0 by default trusts them: `WHERE NOT isnan(x)` is folded
    # to true and the NaN rows come back (duckdb/duckdb#25521). NaN is also dropped in numpy.
    def src(side):
        return "read_parquet('" + sides[side].replace("'", "''") + "', can_have_nan = true)"

    schemas = {}
    for side in sides:
        res, t = sql(f"DESCRIBE SELECT * FROM {src(side)}")
        schemas[side] = [(r[0], r[1]) for r in res.fetchall()]
        done(t)
    ref_types = dict(schemas["reference"])
    wanted = args.columns.split(",") if args.columns else None
    cols = []
    for name, ty in schemas["current"]:
        if wanted is not None and name not in wanted:
            continue
        if name not in ref_types:
            continue
        k, rk = kind(ty), kind(ref_types[name])
        if k is None or rk is None:
            continue
        cols.append((name, k, ty))

    # Rows, nulls and NaN of every column, one aggregate per side.
    counts = {}
    for side in sides:
        parts = ["count(*)"]
        for name, k, _ in cols:
            parts.append(f"count(*) - count({q(name)})")
            parts.append(f"count(*) FILTER (WHERE isnan({as_double(name, k)}))" if k == "numeric" else "0")
        res, t = sql(f"SELECT {', '.join(parts)} FROM {src(side)}")
        row = res.fetchone()
        done(t)
        counts[side] = {"rows": int(row[0]),
                        "cols": {name: (int(row[1 + 2 * i]), int(row[2 + 2 * i])) for i, (name, _, _) in enumerate(cols)}}

    out_cols = []
    for name, k, ty in cols:
        c0 = time.perf_counter()
        d = {"column": name, "type": ty, "method": "categorical" if k == "categorical" else "numeric",
             "nulls_reference": counts["reference"]["cols"][name][0],
             "nulls_current": counts["current"]["cols"][name][0]}
        if k != "categorical":
            d["nans_reference"] = counts["reference"]["cols"][name][1]
            d["nans_current"] = counts["current"]["cols"][name][1]
            v = {}
            for side in sides:
                e = as_double(name, k)
                res, t = sql(f"SELECT {e} AS v FROM {src(side)} WHERE {q(name)} IS NOT NULL AND NOT isnan({e})")
                a = res.fetchnumpy()["v"]
                done(t)
                v[side] = np.sort(a[~np.isnan(a)])
                nulls, nans = counts[side]["cols"][name]
                if v[side].size + nulls + nans != counts[side]["rows"]:
                    sys.exit(f"error: `{name}` of {sides[side]}: {v[side].size} values + {nulls} nulls "
                             f"+ {nans} NaN != {counts[side]['rows']} rows")
            s0 = time.perf_counter()
            r, c = v["reference"], v["current"]
            d["values_reference"], d["values_current"] = int(r.size), int(c.size)
            if r.size and c.size:
                edges = np.unique(np.quantile(r, [i / args.bins for i in range(1, args.bins)], method="linear"))
                rc = np.bincount(np.searchsorted(edges, r, side="left"), minlength=edges.size + 1)
                cc = np.bincount(np.searchsorted(edges, c, side="left"), minlength=edges.size + 1)
                ks = stats.ks_2samp(r, c)
                d.update({
                    "edges": edges.tolist(), "reference": rc.tolist(), "current": cc.tolist(),
                    "psi": psi(rc, cc), "js": js(rc, cc),
                    "ks": {"statistic": float(ks.statistic), "p_value": float(ks.pvalue),
                           "method": "exact" if max(r.size, c.size) <= MAX_AUTO_N else "asymptotic"},
                })
            t_stats += time.perf_counter() - s0
        else:
            g = {}
            for side in sides:
                res, t = sql(f"SELECT CAST({q(name)} AS VARCHAR) AS v, count(*) AS n FROM {src(side)} "
                             f"WHERE {q(name)} IS NOT NULL GROUP BY 1")
                g[side] = dict(res.fetchall())
                done(t)
            s0 = time.perf_counter()
            cats = sorted(set(g["reference"]) | set(g["current"]))
            rc = np.array([g["reference"].get(x, 0) for x in cats], dtype=np.int64)
            cc = np.array([g["current"].get(x, 0) for x in cats], dtype=np.int64)
            d["values_reference"], d["values_current"] = int(rc.sum()), int(cc.sum())
            d.update({"categories": cats, "reference": rc.tolist(), "current": cc.tolist()})
            if rc.sum() and cc.sum():
                d["psi"], d["js"] = psi(rc, cc), js(rc, cc)
                if len(cats) >= 2:
                    chi = stats.chi2_contingency(np.array([rc, cc]))
                    d["chi_square"] = {"statistic": float(chi.statistic), "dof": int(chi.dof),
                                       "p_value": float(chi.pvalue)}
            d["unseen"] = [[x, int(n)] for x, n, r0 in zip(cats, cc, rc) if r0 == 0]
            t_stats += time.perf_counter() - s0
        d["seconds"] = round(time.perf_counter() - c0, 4)
        out_cols.append(d)

    print(json.dumps({
        "duckdb": duckdb.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "threads": threads, "bins": args.bins,
        "rows_reference": counts["reference"]["rows"], "rows_current": counts["current"]["rows"],
        "columns": out_cols,
        "timings": {"duckdb": round(t_read, 4), "numpy_scipy": round(t_stats, 4)},
        "seconds": round(time.perf_counter() - T0, 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
