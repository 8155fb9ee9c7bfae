#!/usr/bin/env python3
"""Generate the two prediction tables for the keyed-diff benchmark.

Writes bench/data/preds_v1.parquet (baseline), bench/data/preds_v2.parquet
(candidate) and bench/data/diff_planted.json (what was planted, with the
numbers a correct diff must report). Deterministic: a fixed numpy seed.

    python3 bench/gen_diff_data.py [--rows N] [--out-dir DIR]

Each file has N rows (default 5,000,000), zstd, row groups of 1,000,000 rows,
in shuffled order. Columns:
  id                int64, unique. The ids are 0 .. N+999; 1,000 random ids
                    are missing from each file, different ones on each side,
                    so N-1,000 ids are in both files.
  score             float64 in [0, 1]
  label             int64 0/1: score > 0.5, with 5% of the baseline's labels
                    flipped against that rule
  segment           string, 8 values
  f1, f2            float64
  model_latency_ms  float64
The candidate (v2) differs from the baseline (v1) on ids in both files by:
  score             exactly 2% of N ids get + normal(0, 0.05) clipped to
                    [0, 1], moved by more than 1e-6 (beyond a 1e-6 absolute
                    tolerance); 30% of the others move by at most 1e-9
                    (within tolerance); the rest are bit-identical.
  label             exactly 0.5% of N ids flipped (independent of score).
  segment, f1, f2   identical.
  model_latency_ms  redrawn everywhere (differs on every row).

Needs numpy and pyarrow (`pip install duckdb pyarrow numpy`). The values
depend only on the seed and numpy's Generator streams.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20240611
ROW_GROUP = 1_000_000
MISSING_PER_SIDE = 1_000  # ids absent from each file (disjoint sets)
SCORE_CHANGED_FRAC = 0.02  # of N: score moved beyond the tolerance
SCORE_JITTER_FRAC = 0.30  # of the other ids in both: moved by <= 1e-9
LABEL_FLIP_FRAC = 0.005  # of N: label flipped in v2
LABEL_NOISE = 0.05  # baseline labels that disagree with score > 0.5
TOL = 1e-6  # the absolute tolerance the benchmark diffs score with
JITTER = 1e-9

SEGMENTS = ["web", "ios", "android", "partner", "email", "retail", "b2b", "internal"]
SEGMENT_P = [0.30, 0.20, 0.18, 0.10, 0.08, 0.07, 0.05, 0.02]

SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("score", pa.float64()),
    ("label", pa.int64()),
    ("segment", pa.string()),
    ("f1", pa.float64()),
    ("f2", pa.float64()),
    ("model_latency_ms", pa.float64()),
])


def write(path, cols, order):
    """Write the rows `order` (indices into the columns) of one side, one row group per chunk."""
    tmp = path + ".tmp"
    segments = pa.array(SEGMENTS, pa.string())
    with pq.ParquetWriter(tmp, SCHEMA, compression="zstd", write_statistics=True) as w:
        for start in range(0, len(order), ROW_GROUP):
            idx = order[start:start + ROW_GROUP]
            t = pa.Table.from_arrays([
                pa.array(idx.astype(np.int64)),  # the index into the universe is the id
                pa.array(cols["score"][idx]),
                pa.array(cols["label"][idx]),
                segments.take(pa.array(cols["segment"][idx])),
                pa.array(cols["f1"][idx]),
                pa.array(cols["f2"][idx]),
                pa.array(cols["model_latency_ms"][idx]),
            ], schema=SCHEMA)
            w.write_table(t, row_group_size=ROW_GROUP)
    os.replace(tmp, path)


def smallest(ids, k=10):
    return [int(x) for x in np.sort(ids)[:k]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000, help="rows per file (default 5,000,000)")
    ap.add_argument("--out-dir", default=os.path.join("bench", "data"))
    args = ap.parse_args()
    n = args.rows
    if n < 2 * MISSING_PER_SIDE:
        sys.exit(f"error: --rows must be at least {2 * MISSING_PER_SIDE}")
    os.makedirs(args.out_dir, exist_ok=True)
    t0 = time.time()
    rng = np.random.default_rng(SEED)
    universe = n + MISSING_PER_SIDE  # ids 0 .. n+999

    # ---- which ids each side lacks: 2,000 distinct ids, split in two
    gone = rng.choice(universe, size=2 * MISSING_PER_SIDE, replace=False)
    missing_v1, missing_v2 = np.sort(gone[:MISSING_PER_SIDE]), np.sort(gone[MISSING_PER_SIDE:])
    in_v1 = np.ones(universe, bool)
    in_v1[missing_v1] = False
    in_v2 = np.ones(universe, bool)
    in_v2[missing_v2] = False
    both = np.flatnonzero(in_v1 & in_v2)  # ids in both files, ascending

    # ---- baseline values, indexed by id
    score = rng.random(universe)
    label = (score > 0.5) ^ (rng.random(universe) < LABEL_NOISE)
    v1 = {
        "score": score,
        "label": label.astype(np.int64),
        "segment": rng.choice(len(SEGMENTS), size=universe, p=SEGMENT_P).astype(np.int32),
        "f1": rng.normal(0.0, 1.0, size=universe),
        "f2": rng.lognormal(0.0, 1.0, size=universe),
        "model_latency_ms": rng.exponential(20.0, size=universe) + 1.0,
    }

    # ---- candidate: copy, then plant the changes on ids in both files
    v2 = dict(v1)
    pick = rng.permutation(both)
    n_moved = round(SCORE_CHANGED_FRAC * n)
    moved = np.sort(pick[:n_moved])
    rest = pick[n_moved:]
    jittered = np.sort(rest[:round(SCORE_JITTER_FRAC * len(rest))])

    s2 = score.copy()
    old = score[moved]
    delta = rng.normal(0.0, 0.05, size=n_moved)
    delta = np.where(delta < 0, -1.0, 1.0) * np.maximum(np.abs(delta), 1e-5)  # at least 10x the tolerance
    new = np.clip(old + delta, 0.0, 1.0)
    clipped_flat = np.abs(new - old) <= TOL  # e.g. 0.9999999 + 0.03 clipped to 1: go the other way
    new[clipped_flat] = np.clip(old[clipped_flat] - delta[clipped_flat], 0.0, 1.0)
    s2[moved] = new
    s2[jittered] = np.clip(score[jittered] + rng.uniform(-JITTER, JITTER, size=len(jittered)), 0.0, 1.0)
    v2["score"] = s2

    flipped = np.sort(rng.choice(both, size=round(LABEL_FLIP_FRAC * n), replace=False))
    l2 = v1["label"].copy()
    l2[flipped] = 1 - l2[flipped]
    v2["label"] = l2
    v2["model_latency_ms"] = rng.exponential(20.0, size=universe) + 1.0

    # ---- each file in its own shuffled order
    order_v1 = rng.permutation(np.flatnonzero(in_v1))
    order_v2 = rng.permutation(np.flatnonzero(in_v2))
    p1 = os.path.join(args.out_dir, "preds_v1.parquet")
    p2 = os.path.join(args.out_dir, "preds_v2.parquet")
    write(p1, v1, order_v1)
    write(p2, v2, order_v2)

    # ---- the expected diff, computed here from the arrays (ground truth to cross-check against)
    d = v2["score"][both] - v1["score"][both]
    ad = np.abs(d)
    score_changed = int(np.count_nonzero(ad > TOL))
    assert score_changed == n_moved, (score_changed, n_moved)
    top = np.lexsort((both, -ad))[:10]  # |diff| desc, then id asc
    lb, lc = v1["label"][both], v2["label"][both]
    confusion = [{"baseline": int(a), "candidate": int(b), "count": int(np.count_nonzero((lb == a) & (lc == b)))}
                 for a in (0, 1) for b in (0, 1)]
    lat_changed = int(np.count_nonzero(v2["model_latency_ms"][both] != v1["model_latency_ms"][both]))
    planted = {
        "seed": SEED,
        "rows_per_file": n,
        "id_range": [0, universe - 1],
        "files": {"baseline": p1, "candidate": p2},
        "key": "id",
        "duplicate_keys": {"baseline": 0, "candidate": 0},
        "null_keys": {"baseline": 0, "candidate": 0},
        "rows_in_both": int(len(both)),
        "only_in_baseline": {"count": MISSING_PER_SIDE, "smallest_10": smallest(missing_v2)},
        "only_in_candidate": {"count": MISSING_PER_SIDE, "smallest_10": smallest(missing_v1)},
        "score": {
            "tolerance_abs": TOL,
            "changed_beyond_tol": score_changed,
            "moved_within_tol": int(np.count_nonzero((ad > 0) & (ad <= TOL))),
            "jittered_planted": int(len(jittered)),
            "bit_identical": int(np.count_nonzero(ad == 0)),
            "clipped_to_bound": int(np.count_nonzero((s2[moved] == 0.0) | (s2[moved] == 1.0))),
            "abs_diff_mean": float(ad.mean()),
            "abs_diff_max": float(ad.max()),
            # numpy's default quantile method is linear interpolation, as DuckDB's quantile_cont
            "abs_diff_p50_p95_p99": [float(q) for q in np.quantile(ad, [0.5, 0.95, 0.99])],
            "diff_mean": float(d.mean()),
            "top_10": [{"id": int(both[i]), "baseline": float(v1["score"][both[i]]),
                        "candidate": float(s2[both[i]]), "diff": float(d[i])} for i in top],
        },
        "label": {"flipped": int(len(flipped)), "confusion": confusion},
        "segment": {"changed": 0}, "f1": {"changed": 0}, "f2": {"changed": 0},
        "model_latency_ms": {"changed": lat_changed, "note": "redrawn everywhere; not a compared column"},
    }
    out = os.path.join(args.out_dir, "diff_planted.json")
    with open(out, "w") as f:
        json.dump(planted, f, indent=2)
        f.write("\n")

    for p in (p1, p2):
        md = pq.ParquetFile(p).metadata
        size = os.path.getsize(p)
        print(f"wrote {p}: {md.num_rows:,} rows, {md.num_columns} columns, {md.num_row_groups} row groups, "
              f"{size / 2**20:.1f} MiB")
    print(f"planted (also in {out}):")
    print(f"  ids 0..{universe - 1}; in both {len(both):,}; only in baseline {MISSING_PER_SIDE} "
          f"(smallest {smallest(missing_v2, 3)}); only in candidate {MISSING_PER_SIDE} "
          f"(smallest {smallest(missing_v1, 3)})")
    sc = planted["score"]
    print(f"  score: {score_changed:,} changed beyond {TOL:g} ({score_changed / len(both):.4%} of rows in both), "
          f"{sc['moved_within_tol']:,} moved within tolerance, {sc['bit_identical']:,} bit-identical")
    print(f"  label: {len(flipped):,} flipped; confusion "
          + ", ".join(f"{c['baseline']}->{c['candidate']}: {c['count']:,}" for c in confusion))
    print(f"  segment, f1, f2: identical; model_latency_ms: {lat_changed:,} differ")
    print(f"done in {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
