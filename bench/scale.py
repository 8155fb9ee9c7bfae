#!/usr/bin/env python3
"""How verdict scales: run, diff and drift on 1M, 10M and 50M rows of local
Parquet, without and with `--memory-limit 1G`, beside DuckDB doing the same
work; and 5M rows read from an S3 server on loopback.

From the repository root:

    python3 bench/scale.py --generate              # bench/data/scale/{1m,10m,50m}/ (several GB, minutes)
    python3 bench/scale.py [--sizes 1m,10m,50m] [--runs 1] [--verdict PATH] [--memory-limit 1G]
    python3 bench/scale.py --s3 http://127.0.0.1:5055 --sizes 5m   # after --generate --sizes 5m

Per size it times, as separate processes (harness.measure: wall time, peak
RSS from os.wait4):
  run    verdict run SUITE (bench/suite.yml, its path pointed at the size's features.parquet)
         verdict run SUITE --memory-limit 1G
         python3 bench/duckdb_run.py --data FEATURES
  diff   verdict diff --baseline preds_v1 --candidate preds_v2 --key id --tol score=1e-6
                      --columns score,label,segment,f1,f2 --format json   (and with --memory-limit 1G)
         python3 bench/diff_duckdb.py preds_v1 preds_v2
  drift  verdict run DRIFT_SUITE (bench/drift_suite.yml on the size's files; and with --memory-limit 1G)
         python3 bench/drift_peer.py drift_reference drift_current   (DuckDB reads, numpy + scipy test)

The bounded run's results are compared with the unbounded one's (the
checks' outcomes and values; every diff figure; every drift statistic),
and the table says whether they are the same. With --s3 ENDPOINT the
size's files are uploaded to a bucket on that S3 server (moto's server,
which .ci/run starts) and verdict reads them from there with AWS_*
variables pointing at it; DuckDB reads them through its httpfs extension
when `--duckdb-httpfs PYTHON` names an interpreter whose duckdb can load
it, and is left out otherwise (said in the output).

Markdown goes to stdout, progress to stderr; the JSON reports of the last
runs stay in bench/data/scale/<size>/last_*.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

from harness import DEFAULT_VERDICT, git_rev, log, machine_line, measure

SCALE = os.path.join("bench", "data", "scale")
SIZES = {"1m": 1_000_000, "5m": 5_000_000, "10m": 10_000_000, "50m": 50_000_000}
DIFF_COLUMNS = "score,label,segment,f1,f2"


def generate(sizes):
    for s in sizes:
        d = os.path.join(SCALE, s)
        os.makedirs(d, exist_ok=True)
        rows = str(SIZES[s])
        steps = [
            ("features.parquet", ["bench/gen_data.py", "--rows", rows, "--out", os.path.join(d, "features.parquet")]),
            ("preds_v2.parquet", ["bench/gen_diff_data.py", "--rows", rows, "--out-dir", d]),
            ("drift_current.parquet", ["bench/gen_drift_data.py", "--rows", rows, "--out-dir", d]),
        ]
        for done, argv in steps:
            if not os.path.exists(os.path.join(d, done)):
                log(f"generating {s}: {' '.join(argv)}")
                subprocess.run([sys.executable] + argv, check=True)


def suite_for(template, replace, folder):
    """A copy of `template` with its paths replaced, written beside the data."""
    with open(template) as f:
        text = f.read()
    for a, b in replace.items():
        text = text.replace(a, b)
    path = os.path.join(folder, "suite_" + os.path.basename(template))
    with open(path, "w") as f:
        f.write(text)
    return path


def timed(label, argv, env=None):
    code, wall, rss, out, err, foreign = measure(argv, env=env)
    log(f"  {label}: exit {code}, {wall:.2f} s, {rss:.0f} MiB")
    if code not in (0, 1):
        log(f"    failed: {err.strip()[-600:]}")
    return {"code": code, "wall": wall, "rss": rss, "out": out, "err": err}


def without(x, keys):
    """`x` without the named keys anywhere (timings and where values were kept)."""
    if isinstance(x, dict):
        return {k: without(v, keys) for k, v in x.items() if k not in keys}
    if isinstance(x, list):
        return [without(v, keys) for v in x]
    return x


VOLATILE = {"now", "load_seconds", "seconds", "timings", "spilled", "sorted_on_disk", "compare_seconds", "started_at", "finished_at",
            "duration_seconds", "read", "memory_limit", "argv"}


def same(a, b):
    try:
        return without(json.loads(a["out"]), VOLATILE) == without(json.loads(b["out"]), VOLATILE)
    except (ValueError, KeyError):
        return False


def s3_upload(endpoint, size, folder):
    """Uploads the size's files to a new bucket on `endpoint`; returns (bucket, env)."""
    import boto3
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench-secret",
               AWS_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint, AWS_ALLOW_HTTP="true")
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="bench", aws_secret_access_key="bench-secret")
    bucket = f"verdict-scale-{size}"
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    have = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    for name in ("features.parquet", "preds_v1.parquet", "preds_v2.parquet",
                 "drift_reference.parquet", "drift_current.parquet"):
        if name not in have:
            log(f"  uploading {name} to s3://{bucket}")
            s3.upload_file(os.path.join(folder, name), bucket, name)
    return bucket, env


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1m,10m,50m")
    ap.add_argument("--runs", type=int, default=1, help="measured runs per tool (median reported)")
    ap.add_argument("--verdict", default=DEFAULT_VERDICT)
    ap.add_argument("--memory-limit", default="1G")
    ap.add_argument("--generate", action="store_true", help="generate the sizes' data and stop")
    ap.add_argument("--s3", metavar="ENDPOINT", help="read the data from this S3 server instead of disk")
    ap.add_argument("--duckdb-httpfs", metavar="PYTHON",
                    help="an interpreter whose duckdb loads httpfs (for DuckDB's side with --s3)")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--only", default="run,diff,drift", help="which work to time")
    args = ap.parse_args()
    sizes = [s for s in args.sizes.split(",") if s]
    for s in sizes:
        if s not in SIZES:
            sys.exit(f"error: unknown size {s} (one of {', '.join(SIZES)})")
    if args.generate:
        generate(sizes)
        return 0
    only = set(args.only.split(","))
    rows = []
    for s in sizes:
        d = os.path.join(SCALE, s)
        if not os.path.exists(os.path.join(d, "drift_current.parquet")):
            sys.exit(f"error: no data in {d}: run `python3 bench/scale.py --generate --sizes {s}` first")
        env, where, peer_ok = None, d, True
        if args.s3:
            bucket, env = s3_upload(args.s3, s, d)
            where = f"s3://{bucket}"
            peer_ok = bool(args.duckdb_httpfs)
        f = lambda name: f"{where}/{name}"
        n = SIZES[s]
        log(f"{s}: {n:,} rows from {where}")
        suite = suite_for("bench/suite.yml", {"bench/data/features.parquet": f("features.parquet")}, d)
        drift_suite = suite_for("bench/drift_suite.yml", {
            "bench/data/drift_current.parquet": f("drift_current.parquet"),
            "bench/data/drift_reference.parquet": f("drift_reference.parquet")}, d)
        work = {
            "run": ([args.verdict, "run", suite, "--format", "json"],
                    [args.python, "bench/duckdb_run.py", "--data", f("features.parquet")]),
            "diff": ([args.verdict, "diff", "--baseline", f("preds_v1.parquet"), "--candidate", f("preds_v2.parquet"),
                      "--key", "id", "--tol", "score=1e-6", "--columns", DIFF_COLUMNS, "--format", "json"],
                     [args.python, "bench/diff_duckdb.py", f("preds_v1.parquet"), f("preds_v2.parquet")]),
            "drift": ([args.verdict, "run", drift_suite, "--format", "json"],
                      [args.python, "bench/drift_peer.py", f("drift_reference.parquet"), f("drift_current.parquet")]),
        }
        for name in ("run", "diff", "drift"):
            if name not in only:
                continue
            v_argv, peer_argv = work[name]
            results = {"verdict": [], "verdict, bounded": [], "duckdb": []}
            for r in range(args.runs):
                results["verdict"].append(timed(f"{name} verdict #{r + 1}", v_argv, env))
                results["verdict, bounded"].append(
                    timed(f"{name} verdict --memory-limit {args.memory_limit} #{r + 1}",
                          v_argv + ["--memory-limit", args.memory_limit], env))
                if peer_ok:
                    argv = peer_argv
                    if args.s3:
                        argv = [args.duckdb_httpfs] + peer_argv[1:] + ["--s3", args.s3]
                    results["duckdb"].append(timed(f"{name} duckdb #{r + 1}", argv, env))
            for k, v in results.items():
                if v:
                    with open(os.path.join(d, f"last_{name}_{k.replace(', ', '_')}.json"), "w") as out:
                        out.write(v[-1]["out"])
            agree = same(results["verdict"][-1], results["verdict, bounded"][-1])
            for tool, runs in results.items():
                if not runs:
                    continue
                walls = sorted(x["wall"] for x in runs)
                rss = sorted(x["rss"] for x in runs)
                wall, peak = walls[len(walls) // 2], rss[len(rss) // 2]
                rows.append((s, name, tool, runs[-1]["code"], wall, peak, wall / (n / 1e6),
                             ("same as unbounded" if agree else "DIFFERENT") if tool == "verdict, bounded" else ""))
    print(f"{machine_line().strip()} verdict at {git_rev()}; medians of {args.runs} run(s) each.")
    if args.s3:
        print(f"Data read from the S3 server at {args.s3}"
              + ("" if args.duckdb_httpfs else "; DuckDB left out (no httpfs interpreter given)") + ".")
    print()
    print("| rows | work | tool | exit | wall (s) | peak RSS (MiB) | s per 1M rows | results |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    for s, name, tool, code, wall, peak, per, note in rows:
        tool_name = f"verdict `--memory-limit {args.memory_limit}`" if tool == "verdict, bounded" else tool
        print(f"| {s.upper()} | {name} | {tool_name} | {code} | {wall:.2f} | {peak:,.0f} | {per:.3f} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
