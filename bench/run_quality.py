#!/usr/bin/env python3
"""Benchmark the diff's quality against ground truth, with its paired tests
and slices, against the same figures computed in Python.

From the repository root, after `python3 bench/gen_diff_data.py`:

    python3 bench/run_quality.py [--runs 5] [--warmup 1] [--verdict PATH]

The first run writes bench/data/quality_truth.parquet (`id`, `y`): for every
id of the baseline, y = (baseline score > 0.5), flipped on 10% of the ids
(fixed seed), so both models are about 85% accurate and differ a little.

Each run executes, interleaved, as separate processes:
  verdict  VERDICT diff --baseline bench/data/preds_v1.parquet --candidate bench/data/preds_v2.parquet
                   --key id --tol score=1e-6 --columns score,label
                   --truth bench/data/quality_truth.parquet --truth-column y
                   --prediction label --probability score --slice segment --format json
  python   python3 bench/quality_python.py (pandas join; scikit-learn metrics; statsmodels McNemar;
           DeLong by Sun and Xu's midrank algorithm in numpy; scipy's ttest_rel and wilcoxon of
           the per-row log loss; accuracy and changed rows per segment with pandas groupby)
verdict does more in the same run (the keyed diff of score and label: changed counts,
|Δ| percentiles, transitions, top rows; precision and recall; the interval of each
difference). Every figure the Python side computes is checked against verdict's
report (relative 1e-9; p-values below 1e-300 as both zero; the Wilcoxon
p-value of the log loss to 1e-6, because numpy's log and Rust's differ in
the last bit on ~0.4% of values and the tiniest per-row differences then
rank differently).
Markdown goes to stdout, progress to stderr.
"""

import argparse
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from harness import (Tool, add_arguments, log, measure_verdict_and, mib, other_cpu_share, parquet_shape,
                     parse_report, report_head, save_results, seconds_report, timing_table, verdict_vs)

BASE = "bench/data/preds_v1.parquet"
CAND = "bench/data/preds_v2.parquet"
TRUTH = "bench/data/quality_truth.parquet"
LAST = "bench/data/quality_{}_last.json"
SLICE = "segment"


def write_truth():
    t = pq.read_table(BASE, columns=["id", "score"])
    ids, score = t["id"].to_numpy(), t["score"].to_numpy()
    rng = np.random.default_rng(20261206)
    y = (score > 0.5) ^ (rng.random(len(ids)) < 0.10)
    pq.write_table(pa.table({"id": ids, "y": y.astype(np.int64)}), TRUTH, compression="zstd",
                   row_group_size=1_000_000)


def check_verdict(code, out, err):
    rep = parse_report("verdict", code, out, err, codes=(0, 1))
    secs = rep.get("seconds") if isinstance(rep, dict) else None
    return rep, secs if isinstance(secs, (int, float)) else None


def close(a, b, rel=1e-9):
    if a is None or b is None:
        return False
    if abs(a) < 1e-300 and abs(b) < 1e-300:
        return True
    return abs(a - b) <= rel * max(abs(a), abs(b))


def cross_check(vrep, py):
    """(figures compared, disagreements) of verdict's report against the Python side's."""
    d = next(s["diff"] for s in vrep["suites"] if s.get("diff"))
    q = d["quality"]
    metrics = {m["metric"]: m for m in q["metrics"]}
    n, bad = [0], []

    def same(what, v, want):
        n[0] += 1
        if not (v == want if isinstance(want, int) else close(v, want)):
            bad.append(f"{what}: verdict {v!r}, Python {want!r}")

    same("rows scored", q["rows"], py["rows"])
    for side, name in (("b", "baseline"), ("c", "candidate")):
        for m, v in py["models"][side].items():
            same(f"{m} {name}", metrics[m][name], v)
    same("McNemar p", metrics["accuracy"]["test"]["p_value"], py["mcnemar_p"])
    same("DeLong z", metrics["roc_auc"]["test"]["statistic"], py["delong"]["z"])
    same("DeLong p", metrics["roc_auc"]["test"]["p_value"], py["delong"]["p"])
    same("log loss t-test p", metrics["log_loss"]["test"]["p_value"], py["log_loss_t_p"])
    # numpy's SIMD log and Rust's differ in the last bit on ~0.4% of values; per-row log-loss
    # differences as small as 1e-9 (two logs of ~0.4) then rank differently: 1e-6, not 1e-9.
    n[0] += 1
    wv, wp = metrics["log_loss"]["test"]["wilcoxon"]["p_value"], py["log_loss_wilcoxon_p"]
    if not close(wv, wp, rel=1e-6):
        bad.append(f"log loss Wilcoxon p: verdict {wv!r}, Python {wp!r}")
    col = d["slices"]["columns"][0]
    by_value = {s["value"]: s for s in col["slices"]}
    for value, s in py["slices"].items():
        v = by_value.get(value)
        if v is None:
            bad.append(f"slice {value}: missing from verdict's report")
            continue
        acc = {m["metric"]: m for m in v["metrics"]}["accuracy"]
        same(f"slice {value} rows", v["rows"], s["rows"])
        same(f"slice {value} changed", v["changed"], s["changed"])
        same(f"slice {value} accuracy baseline", acc["baseline"], s["accuracy_b"])
        same(f"slice {value} accuracy candidate", acc["candidate"], s["accuracy_c"])
    return n[0], bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(ap, "diff", "interpreter for the Python side")
    args = ap.parse_args()
    for p in (BASE, CAND):
        if not os.path.exists(p):
            sys.exit(f"error: {p} not found; run `python3 bench/gen_diff_data.py` from the repository root")
    if not os.path.exists(TRUTH):
        log(f"writing {TRUTH}")
        write_truth()

    verdict_argv = [args.verdict, "diff", "--baseline", BASE, "--candidate", CAND, "--key", "id",
                    "--tol", "score=1e-6", "--columns", "score,label", "--truth", TRUTH, "--truth-column", "y",
                    "--prediction", "label", "--probability", "score", "--slice", SLICE,
                    "--format", "json"] + args.verdict_arg
    py_tool = Tool("python", [args.python, "bench/quality_python.py", BASE, CAND, TRUTH, "--slice", SLICE],
                   seconds_report("python", "quality_python.py"))
    why_not = None if os.access(args.verdict, os.X_OK) else f"no verdict binary at {args.verdict}"
    tools, note = measure_verdict_and(Tool("verdict", verdict_argv, check_verdict), why_not, [py_tool],
                                      args.runs, args.warmup, "the Python side")
    save_results(tools, LAST)
    by = {t.name: t for t in tools}
    py = py_tool.result
    v = py["versions"]
    lines = report_head(
        f"Data: `{BASE}` and `{CAND}`, each {parquet_shape(BASE, ', zstd')}, and `{TRUTH}` "
        f"({mib((BASE, CAND, TRUTH))} MiB in all).  ",
        f"Quality of both models against the truth (label, and score as the probability), the paired "
        f"tests, and slices by `{SLICE}`; verdict also diffs score (1e-6) and label.  ",
        args.verdict if "verdict" in by else None,
        f"pandas {v['pandas']}, numpy {v['numpy']}, scikit-learn {v['sklearn']}, scipy {v['scipy']}, "
        f"statsmodels {v['statsmodels']}",
        None, args.runs, args.warmup, other_cpu_share(tools))
    w = lines.append
    lines += timing_table(tools, {"verdict": "verdict (`diff --truth … --slice segment`)",
                                  "python": "Python (pandas, scikit-learn, statsmodels, scipy)"})
    w("")
    w(verdict_vs(by.get("verdict"), py_tool, "Python", note))
    if "verdict" in by:
        n, bad = cross_check(by["verdict"].result, py)
        w(f"- Cross-check: {n} figures compared with the Python side, "
          + ("all agree." if not bad else f"{len(bad)} disagree: " + "; ".join(bad)))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
