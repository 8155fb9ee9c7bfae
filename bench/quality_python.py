#!/usr/bin/env python3
"""The Python side of the quality benchmark (bench/run_quality.py): what a
data scientist would write to score two models on a golden set and ask
whether the difference is real, with the usual libraries.

    python3 bench/quality_python.py V1 V2 TRUTH --slice segment

Reads the two prediction tables (`id`, `label`, `score`) and the truth
(`id`, `y`) with pyarrow, inner-joins them on `id` with pandas, and
computes for both models scikit-learn's accuracy, macro F1, log loss and
ROC AUC; McNemar's test (statsmodels, chi-square with continuity
correction); DeLong's test with the fast midrank algorithm (Sun and Xu,
2014) in numpy; the paired t-test and the Wilcoxon signed-rank test of
the per-row log loss (scipy); and per value of the slice column, both
models' accuracy and the rows whose label or score changed (score by
more than 1e-6, verdict's `--tol score=1e-6`).
Prints one JSON object with the figures and `seconds` (from before the
imports to the result).
"""

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
import statsmodels  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score  # noqa: E402
from statsmodels.stats.contingency_tables import mcnemar  # noqa: E402

EPS = float(np.finfo(np.float64).eps)


def midrank(x):
    """Midranks (1-based, ties averaged) of x."""
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    n = len(x)
    # Runs of equal sorted values share their average rank.
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    ends = np.r_[starts[1:], n]
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


def delong(y, s1, s2):
    """Sun and Xu's fast DeLong: AUCs, and z and p of their difference."""
    pos, neg = y == 1, y != 1
    m, n = int(pos.sum()), int(neg.sum())
    aucs, v10, v01 = [], [], []
    for s in (s1, s2):
        x, z = s[pos], s[neg]
        tx, tz, t = midrank(x), midrank(z), midrank(np.concatenate([x, z]))
        aucs.append((t[:m].sum() - m * (m + 1) / 2) / (m * n))
        v10.append((t[:m] - tx) / n)
        v01.append(1.0 - (t[m:] - tz) / m)
    s10, s01 = np.cov(np.vstack(v10)), np.cov(np.vstack(v01))
    s = s10 / m + s01 / n
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    z = (aucs[1] - aucs[0]) / math.sqrt(var)
    return aucs, z, float(2 * stats.norm.sf(abs(z)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("v1")
    ap.add_argument("v2")
    ap.add_argument("truth")
    ap.add_argument("--slice", required=True)
    a = ap.parse_args()
    b = pq.read_table(a.v1, columns=["id", "label", "score", a.slice]).to_pandas()
    c = pq.read_table(a.v2, columns=["id", "label", "score"]).to_pandas()
    t = pq.read_table(a.truth, columns=["id", "y"]).to_pandas()
    j = b.merge(c, on="id", suffixes=("_b", "_c")).merge(t, on="id")
    y = j["y"].to_numpy()
    out = {"rows": len(j), "models": {}}
    losses = []
    for side in ("b", "c"):
        lab, sc = j[f"label_{side}"].to_numpy(), j[f"score_{side}"].to_numpy()
        q = np.clip(np.where(y == 1, sc, 1 - sc), EPS, 1 - EPS)
        losses.append(-np.log(q))
        out["models"][side] = {
            "accuracy": float(accuracy_score(y, lab)),
            "f1": float(f1_score(y, lab, average="macro")),
            "log_loss": float(log_loss(y, sc)),
            "roc_auc": float(roc_auc_score(y, sc)),
        }
    ok_b, ok_c = j["label_b"].to_numpy() == y, j["label_c"].to_numpy() == y
    table = [[int(np.sum(ok_b & ok_c)), int(np.sum(ok_b & ~ok_c))],
             [int(np.sum(~ok_b & ok_c)), int(np.sum(~ok_b & ~ok_c))]]
    m = mcnemar(table, exact=False, correction=True)
    aucs, z, p = delong(y, j["score_b"].to_numpy(), j["score_c"].to_numpy())
    tt = stats.ttest_rel(losses[1], losses[0])
    w = stats.wilcoxon(losses[1], losses[0])
    out["mcnemar_p"] = float(m.pvalue)
    out["delong"] = {"z": float(z), "p": p}
    out["log_loss_t_p"] = float(tt.pvalue)
    out["log_loss_wilcoxon_p"] = float(w.pvalue)
    # verdict's rule with `--tol score=1e-6`: equal when |candidate − baseline| ≤ 1e-6.
    changed = (j["label_b"] != j["label_c"]) | ((j["score_c"] - j["score_b"]).abs() > 1e-6)
    j["changed"] = changed
    j["ok_b"], j["ok_c"] = ok_b, ok_c
    g = j.groupby(a.slice)
    out["slices"] = {
        str(k): {"rows": int(len(v)), "changed": int(v["changed"].sum()),
                 "accuracy_b": float(v["ok_b"].mean()), "accuracy_c": float(v["ok_c"].mean())}
        for k, v in g
    }
    out["versions"] = {"numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__,
                       "sklearn": sklearn.__version__, "statsmodels": statsmodels.__version__}
    out["seconds"] = time.perf_counter() - T0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
