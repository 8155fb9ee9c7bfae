#!/usr/bin/env python3
"""Benchmark verdict's `drift:` section against the same statistics in DuckDB + numpy + scipy.

From the repository root, after `python3 bench/gen_drift_data.py`:

    python3 bench/run_drift.py [--runs 5] [--warmup 1] [--verdict PATH] [--threads N]
                               [--data-dir DIR] [--evidently [--evidently-python PY]]

Each run executes, interleaved, as separate processes:
  verdict    VERDICT run bench/drift_suite.yml --format json
             (drift of drift_current.parquet against drift_reference.parquet, every common column)
  peer       python3 bench/drift_peer.py DIR/drift_reference.parquet DIR/drift_current.parquet
             (DuckDB reads the columns and counts the categories; numpy bins, PSI;
             scipy's ks_2samp, chi2_contingency, jensenshannon)
and, with --evidently, after the measured rounds (once, or --evidently-runs N):
  evidently  Evidently's Report([DataDriftPreset()]) on the same two files read with
             pandas (pyarrow); needs `pip install evidently 'pandas<3'` (0.7.x API;
             evidently 0.7.23 does not import with pandas 3) in the interpreter
             --evidently-python (default: this one), e.g. a venv of its own
             (it pulls in scikit-learn, statsmodels, plotly, ...). Evidently picks its
             own tests (Wasserstein distance for numeric columns, Jensen-Shannon with
             natural logarithms for categorical ones), so it computes other numbers.

--data-dir DIR (default bench/data) takes the two files from DIR; for any
other directory than bench/data the suite is written to a temporary file
with those paths (bench/drift_suite.yml names bench/data). The last outputs
go to DIR/drift_{verdict,peer,evidently}_last.json.

VERDICT defaults to $CARGO_TARGET_DIR/release/verdict (CARGO_TARGET_DIR
defaults to ~/.cache/verdict/target). When there is no binary there, or
`verdict validate` rejects the suite (no `drift:` yet), the script says so
and runs the rest.

One untimed warm-up round runs first (warm page cache; `--warmup 0` to skip).
Wall time is measured around the child process; peak RSS comes from os.wait4
(ru_maxrss). verdict's JSON report (`suites[0].drift[0].columns`) is
compared column by column with the peer's: PSI, JS, KS D and chi-square to
1e-9 relative (1e-12 absolute near 0), p-values to 1e-9 absolute, chi-square
degrees of freedom, KS method, value/null/NaN counts and bin counts exactly,
bin edges to 1e-9 relative. Markdown goes to stdout, progress to stderr.
"""

import argparse
import atexit
import json
import math
import os
import shutil
import sys
import tempfile
import time

from harness import (BENCH, Tool, ToolFailed, add_arguments, first_error, log, measure, measure_verdict_and,
                     mib, other_cpu_share, parquet_shape, parse_report, progress, ratio, report_head,
                     save_results, seconds_report, tail, timing_table, verdict_vs)

DATA_DIR = "bench/data"
SUITE = "bench/drift_suite.yml"
REF_NAME = "drift_reference.parquet"
CUR_NAME = "drift_current.parquet"
LAST = "drift_{}_last.json"

REL = 1e-9  # statistics: relative
ABS_NEAR_ZERO = 1e-12  # statistics: absolute, for values near 0
P_ABS = 1e-9  # p-values: absolute


def verdict_drift(rep):
    """The first drift section of verdict's report."""
    return next(d for s in rep["suites"] for d in s.get("drift", []))


def check_verdict(code, out, err):
    # Drifted columns fail their checks (exit 1); a JSON report with a drift section is what counts.
    rep = parse_report("verdict", code, out, err, codes=(0, 1))
    try:
        d = verdict_drift(rep)
    except (KeyError, TypeError, StopIteration):
        raise ToolFailed(f"verdict's report has no drift section (exit {code})\n--- stderr:\n{tail(err)}")
    if d.get("error"):
        raise ToolFailed(f"verdict's drift section failed: {d['error']}")
    secs = d.get("seconds")
    return rep, secs if isinstance(secs, (int, float)) else None


def verdict_supports_drift(verdict, suite):
    """None when `VERDICT validate SUITE` accepts the drift suite, else a one-line reason."""
    if not os.access(verdict, os.X_OK):
        return (f"no verdict binary at {verdict} (build it with `cargo build --release`, "
                "or pass --verdict PATH)")
    code, _, _, out, err, _ = measure([verdict, "validate", suite])
    if code != 0:
        return f"`{verdict} validate {suite}` exited {code}: {first_error(out, err) or '(no output)'}"
    return None


# ---------------------------------------------------------------- cross-check

def close_stat(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return abs(a - b) <= max(REL * max(abs(a), abs(b)), ABS_NEAR_ZERO)


def close_p(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= P_ABS


def compare_verdict(vrep, peer):
    """verdict's drift section against the peer's columns.

    Returns (statistics compared, statistics disagreeing, other figures compared, other disagreeing);
    each disagreement is a line with both values and the difference. Raises KeyError,
    TypeError or StopIteration when the report does not have the expected layout."""
    vd = verdict_drift(vrep)
    vcols = {c["column"]: c for c in vd["columns"]}
    stat_n, stat_bad, other_n, other_bad = [0], [], [0], []

    def stat(what, v, want, p=False):
        stat_n[0] += 1
        if not (close_p if p else close_stat)(v, want):
            diff = ""
            if isinstance(v, (int, float)) and isinstance(want, (int, float)):
                d = v - want
                diff = f" (diff {d:.3g}" + (f", rel {abs(d) / abs(want):.3g})" if want else ")")
            if what.endswith(" js") and diff:
                # The distance is the square root of the divergence: near 0, rounding in the
                # divergence (sums of terms ~ the shares) shows up greatly magnified.
                diff += f"; the divergences (JS²) differ by {v * v - want * want:.3g}"
            stat_bad.append(f"{what}: verdict {v!r}, peer {want!r}{diff}")

    def same(what, v, want, exact=True):
        other_n[0] += 1
        ok = v == want if exact else (len(v) == len(want) and all(close_stat(a, b) for a, b in zip(v, want)))
        if not ok:
            other_bad.append(f"{what}: verdict {v!r}, peer {want!r}")

    same("columns", sorted(vcols), sorted(c["column"] for c in peer["columns"]))
    for pc in peer["columns"]:
        name = pc["column"]
        vc = vcols.get(name)
        if vc is None:
            continue
        same(f"{name} method", vc.get("method"), pc["method"])
        if vc.get("error"):
            other_n[0] += 1
            other_bad.append(f"{name}: verdict error: {vc['error']}")
            continue
        for k in ("values_reference", "values_current", "nulls_reference", "nulls_current"):
            same(f"{name} {k}", vc.get(k), pc[k])
        if pc["method"] == "numeric":
            for k in ("nans_reference", "nans_current"):
                same(f"{name} {k}", vc.get(k), pc[k])
            bins = vc.get("bins") or []
            same(f"{name} bin edges", [b.get("upper") for b in bins[:-1]], pc["edges"], exact=False)
        else:
            bins = vc.get("bins") or []
            same(f"{name} categories", [b["label"] for b in bins], pc["categories"])
        same(f"{name} reference counts", [b["reference"] for b in bins], pc["reference"])
        same(f"{name} current counts", [b["current"] for b in bins], pc["current"])
        stat(f"{name} psi", vc.get("psi"), pc.get("psi"))
        stat(f"{name} js", vc.get("js"), pc.get("js"))
        if pc["method"] == "numeric":
            vk, pk = vc.get("ks") or {}, pc.get("ks") or {}
            stat(f"{name} ks statistic", vk.get("statistic"), pk.get("statistic"))
            stat(f"{name} ks p_value", vk.get("p_value"), pk.get("p_value"), p=True)
            same(f"{name} ks method", vk.get("method"), pk.get("method"))
        else:
            vx, px = vc.get("chi_square") or {}, pc.get("chi_square") or {}
            stat(f"{name} chi2 statistic", vx.get("statistic"), px.get("statistic"))
            stat(f"{name} chi2 p_value", vx.get("p_value"), px.get("p_value"), p=True)
            same(f"{name} chi2 dof", vx.get("dof"), px.get("dof"))
            same(f"{name} unseen", [list(u) for u in vc.get("unseen", [])], pc.get("unseen", []))
    return stat_n[0], stat_bad, other_n[0], other_bad


# ---------------------------------------------------------------- evidently (child process)

def evidently_child(reference, current):
    """Run inside a child process: Evidently's DataDriftPreset on the two files, as a JSON line."""
    t0 = time.perf_counter()
    import pyarrow as pa
    import pyarrow.parquet as pq
    import evidently
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset
    t1 = time.perf_counter()
    ref_t, cur_t = pq.read_table(reference), pq.read_table(current)
    numerical, categorical, dates = [], [], []
    for f in cur_t.schema:
        if f.name not in ref_t.schema.names:
            continue
        if pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_decimal(f.type):
            numerical.append(f.name)
        elif pa.types.is_date(f.type) or pa.types.is_timestamp(f.type):
            numerical.append(f.name)  # as its integer count since the epoch, as verdict compares it
            dates.append(f.name)
        elif pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_boolean(f.type):
            categorical.append(f.name)

    def frame(t):
        cols = {}
        for name in numerical + categorical:
            c = t.column(name)
            if name in dates:
                c = c.cast(pa.int32() if pa.types.is_date32(c.type) else pa.int64())
            cols[name] = c
        return pa.table(cols).to_pandas()

    ref, cur = frame(ref_t), frame(cur_t)
    del ref_t, cur_t
    t2 = time.perf_counter()
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    ref_ds = Dataset.from_pandas(ref, data_definition=definition)
    cur_ds = Dataset.from_pandas(cur, data_definition=definition)
    snap = Report([DataDriftPreset()]).run(cur_ds, ref_ds)
    t3 = time.perf_counter()
    res = snap.dict()
    cols, drifted = {}, None
    for m in res["metrics"]:
        cfg = m.get("config", {})
        if cfg.get("type", "").endswith("ValueDrift"):
            cols[cfg["column"]] = {"method": cfg.get("method"), "value": float(m["value"]),
                                   "threshold": cfg.get("threshold")}
        elif cfg.get("type", "").endswith("DriftedColumnsCount"):
            drifted = {k: float(v) for k, v in m["value"].items()}
    t4 = time.perf_counter()
    print(json.dumps({
        "evidently": evidently.__version__,
        "columns": cols,
        "drifted_columns": drifted,
        "timings": {"import": round(t1 - t0, 3), "read": round(t2 - t1, 3), "report": round(t3 - t2, 3),
                    "results": round(t4 - t3, 3)},
        "seconds": round(t4 - t0, 3),
    }))
    return 0


# ---------------------------------------------------------------- main

def write_suite(ref, cur):
    """A copy of bench/drift_suite.yml naming these files (absolute paths), in a temporary directory."""
    d = tempfile.mkdtemp(prefix="verdict-drift-")
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    path = os.path.join(d, "drift_suite.yml")
    with open(path, "w") as f:
        f.write("# Written by bench/run_drift.py --data-dir: bench/drift_suite.yml with other paths.\n"
                "version: 1\n"
                "sources:\n"
                f"  current: {{ path: {json.dumps(os.path.abspath(cur))} }}\n"
                f"  reference: {{ path: {json.dumps(os.path.abspath(ref))} }}\n"
                "drift:\n"
                "  current:\n"
                "    reference: reference\n")
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(ap, "run", "interpreter for bench/drift_peer.py")
    ap.add_argument("--data-dir", default=DATA_DIR,
                    help=f"directory with {REF_NAME} and {CUR_NAME} (default {DATA_DIR})")
    ap.add_argument("--suite", help=f"the suite verdict runs (default {SUITE}, or one written for --data-dir)")
    ap.add_argument("--evidently", action="store_true", help="also time Evidently's DataDriftPreset (slow)")
    ap.add_argument("--evidently-python", default=sys.executable,
                    help="interpreter with evidently installed (default: this one)")
    ap.add_argument("--evidently-runs", type=int, default=1, help="Evidently runs (default 1)")
    ap.add_argument("--evidently-child", nargs=2, metavar=("REFERENCE", "CURRENT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.evidently_child:
        return evidently_child(*args.evidently_child)

    ref = os.path.join(args.data_dir, REF_NAME)
    cur = os.path.join(args.data_dir, CUR_NAME)
    for p in (ref, cur):
        if not os.path.exists(p):
            sys.exit(f"error: {p} not found; run `python3 bench/gen_drift_data.py"
                     + (f" --out-dir {args.data_dir}" if args.data_dir != DATA_DIR else "")
                     + "` from the repository root")
    if args.suite:
        suite = args.suite
    elif os.path.normpath(args.data_dir) == os.path.normpath(DATA_DIR):
        suite = SUITE
        if not os.path.exists(suite):
            sys.exit(f"error: {suite} not found; run from the repository root")
    else:
        suite = write_suite(ref, cur)
        log(f"note: suite for {args.data_dir}: {suite}")
    last = os.path.join(args.data_dir, LAST)

    # ---- contenders
    peer_argv = [args.python, os.path.join(BENCH, "drift_peer.py"), ref, cur]
    if args.threads:
        peer_argv += ["--threads", str(args.threads)]
    verdict_argv = [args.verdict, "run", suite, "--format", "json"] + args.verdict_arg
    peer_tool = Tool("peer", peer_argv, seconds_report("peer", "drift_peer.py", last_line=True))
    tools, verdict_note = measure_verdict_and(Tool("verdict", verdict_argv, check_verdict),
                                              verdict_supports_drift(args.verdict, suite),
                                              [peer_tool], args.runs, args.warmup, "the peer")

    ev, ev_note = None, None
    if args.evidently:
        code, _, _, out, err, _ = measure([args.evidently_python, "-c", "import evidently; print(evidently.__version__)"])
        if code != 0:
            why = first_error(out, err, last=True) or f"exit {code}"
            ev_note = (f"evidently does not import in {args.evidently_python} ({why}); "
                       "`pip install evidently 'pandas<3'` there, or pass --evidently-python")
            log("note: " + ev_note)
        else:
            ev = Tool("evidently", [args.evidently_python, os.path.join(BENCH, "run_drift.py"),
                                    "--evidently-child", ref, cur],
                      seconds_report("evidently", last_line=True))
            for i in range(max(1, args.evidently_runs)):
                try:
                    log(progress(f"evidently {i + 1}/{max(1, args.evidently_runs)}:", *ev.run()))
                except ToolFailed as e:
                    ev_note = "evidently failed: " + str(e).splitlines()[0]
                    log(f"error: {e}")
                    ev = None
                    break
    measured = tools + ([ev] if ev else [])
    save_results(measured, last)  # the last outputs, for inspection
    by = {t.name: t for t in tools}
    peer = peer_tool.result
    kinds = [c["method"] for c in peer["columns"]]

    # ---- report
    lines = report_head(
        f"Data: `{ref}` (reference) and `{cur}` (current), each {parquet_shape(ref, ', zstd')} "
        f"({mib((ref, cur))} MiB), from `bench/gen_drift_data.py`.  ",
        f"Drift: every common column ({kinds.count('numeric')} numeric, {kinds.count('categorical')} categorical), "
        f"{peer['bins']} quantile bins; suite `{suite}`.  ",
        args.verdict if "verdict" in by else None,
        f"DuckDB {peer['duckdb']} (Python package, threads={peer['threads']}), numpy {peer['numpy']}, "
        f"scipy {peer['scipy']}",
        f"Evidently {ev.result['evidently']}" if ev else None,
        args.runs, args.warmup, other_cpu_share(measured))
    w = lines.append
    names = {"verdict": "verdict (`run bench/drift_suite.yml --format json`)",
             "peer": "DuckDB + numpy + scipy (Python)",
             "evidently": f"Evidently DataDriftPreset (pandas, {len(ev.walls) if ev else 0} run(s))"}
    lines += timing_table(measured, names)
    w("")
    w(verdict_vs(by.get("verdict"), peer_tool, "peer", verdict_note))
    pt = peer["timings"]
    w(f"- peer (last run): DuckDB queries and fetches {pt['duckdb']:.2f} s, numpy/scipy {pt['numpy_scipy']:.2f} s; "
      "in-process time = the script from before `import duckdb` to the result.")
    if "verdict" in by:
        vd = verdict_drift(by["verdict"].result)
        slow = sorted(vd["columns"], key=lambda c: -c.get("seconds", 0))[:3]
        w(f"- verdict (last run): drift section {vd['seconds']:.2f} s; slowest columns "
          + ", ".join(f"{c['column']} {c.get('seconds', 0):.2f} s" for c in slow)
          + "; in-process time = the drift section's `seconds`.")
    if ev:
        et = ev.result["timings"]
        w(f"- Evidently / peer: {ratio(ev, by['peer'])}"
          + (f"; Evidently / verdict: {ratio(ev, by['verdict'])}" if "verdict" in by else "")
          + f". Evidently (last run): import {et['import']:.2f} s, read {et['read']:.2f} s, "
          f"report {et['report']:.2f} s.")
        methods = sorted({c["method"] for c in ev.result["columns"].values()})
        dc = ev.result.get("drifted_columns") or {}
        w(f"- Evidently measured {len(ev.result['columns'])} columns with {', '.join(methods)}; "
          f"it calls {dc.get('count', 0):.0f} drifted (share {dc.get('share', 0):.2f}). It computes other "
          "statistics (no PSI, KS or chi-square by default at this size).")
    elif args.evidently:
        w(f"- Evidently not measured: {ev_note}")
    w("")

    # ---- the peer's result
    w("Peer's result (last run):")
    w("")
    w("| column | method | values ref / cur | PSI | JS | KS D or chi² | p-value |")
    w("|---|---|---:|---:|---:|---:|---:|")
    for c in peer["columns"]:
        t = c.get("ks") or c.get("chi_square") or {}
        stat_txt = f"{t['statistic']:.6g}" + (f" (dof {t['dof']})" if "dof" in t else "") if t else "—"
        w(f"| {c['column']} | {c['method']} | {c['values_reference']:,} / {c['values_current']:,} "
          f"| {c.get('psi', float('nan')):.6g} | {c.get('js', float('nan')):.6g} | {stat_txt} "
          f"| {t.get('p_value', float('nan')):.3g} |")
    if ev:
        w("")
        w("Evidently's scores (last run): " + ", ".join(
            f"{k} {v['value']:.4g}" for k, v in ev.result["columns"].items()) + ".")
        # Its categorical Jensen–Shannon distance uses natural logarithms: = base-2 distance × sqrt(ln 2).
        js_check = []
        for c in peer["columns"]:
            e = ev.result["columns"].get(c["column"])
            if c["method"] == "categorical" and e and e["method"].startswith("Jensen") and "js" in c:
                want = c["js"] * math.sqrt(math.log(2))
                js_check.append((c["column"], e["value"], want))
        if js_check:
            ok = [x for x in js_check if abs(x[1] - x[2]) <= 1e-9 * max(abs(x[2]), 1e-300) + 1e-15]
            w(f"- Evidently's categorical JS distance vs the peer's × sqrt(ln 2): {len(ok)} of {len(js_check)} "
              "agree to 1e-9" + ("" if len(ok) == len(js_check) else ": " + "; ".join(
                  f"{n} Evidently {a!r}, peer×sqrt(ln 2) {b!r}" for n, a, b in js_check if (n, a, b) not in ok)))
    print("\n".join(lines))

    # ---- verdict's report against the peer's result
    if "verdict" in by:
        vrep = by["verdict"].result
        try:
            n, bad, m, other = compare_verdict(vrep, peer)
        except (KeyError, TypeError, IndexError, StopIteration) as e:
            print(f"\nverdict's report is not laid out as expected ({type(e).__name__}: {e}); "
                  f"see {last.format('verdict')}")
            log("warning: could not compare verdict's report with the peer's")
        else:
            print("")
            if bad:
                print(f"- verdict vs peer (last run): {n - len(bad)} of {n} statistics agree "
                      f"(PSI, JS, KS D, chi²: {REL:g} relative or {ABS_NEAR_ZERO:g} absolute; "
                      f"p-values {P_ABS:g} absolute); {len(bad)} DISAGREE:")
                print("\n".join("  - " + b for b in bad))
                log(f"warning: verdict and the peer disagree on {len(bad)} of {n} statistics")
            else:
                print(f"- verdict vs peer (last run): all {n} statistics agree (PSI, JS, KS D, chi²: "
                      f"{REL:g} relative or {ABS_NEAR_ZERO:g} absolute; p-values {P_ABS:g} absolute)")
            if other:
                print(f"- other figures (counts, bin edges and counts, categories, dof, KS method): "
                      f"{m - len(other)} of {m} agree; {len(other)} DISAGREE:")
                print("\n".join("  - " + b for b in other))
                log(f"warning: verdict and the peer disagree on {len(other)} of {m} other figures")
            else:
                print(f"- other figures (value/null/NaN counts, bin edges and counts, categories, dof, "
                      f"KS method): all {m} agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
