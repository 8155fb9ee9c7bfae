#!/usr/bin/env python3
"""Generate the two tables for the `drift:` benchmark.

Writes DIR/drift_reference.parquet, DIR/drift_current.parquet and
DIR/drift_planted.json (what was planted), DIR = bench/data by default.
Deterministic: a fixed numpy seed (one Generator stream per side, so the
undrifted columns are identically distributed but different draws).

    python3 bench/gen_drift_data.py [--rows N] [--out-dir DIR]

Each file has N rows (default 5,000,000), zstd, row groups of 1,000,000
rows, 15 columns:

  column       type     reference                     current (drifted: *)
  amount       float64  lognormal(3.0, 0.8), cents    * lognormal(3.1, 0.8), cents
  score        float64  normal(0, 1)                  same
  ratio        float64  uniform(0, 1)                 same
  latency_ms   float64  normal(120, 15), 0.1 ms       * normal(160, 15), 0.1 ms
  clicks       int64    poisson(3)                    same
  items        int64    poisson(8)                    * poisson(8.6)
  income       float64  normal(50000, 12000), 1% null same
  temp_c       float64  normal(20, 5), 0.5% NaN       same
  signup_day   date32   uniform 2024-01-01 + [0, 730) same
  country      string   50 codes, Zipf-like shares,   same
                        the last (`VA`) at 4e-5
  device       string   ios/android/web/tablet        * shares moved, new `watch` 3%
  plan         string   free/pro/enterprise           * shares moved
  is_member    bool     30% true                      same
  channel      string   8 values, 2% null             same
  segment      string   20 values, fixed shares       same

Edge cases on purpose: latency_ms moves by 2.7 sd, so the current side's
share of the reference's lowest decile bin is about 4e-5 (non-zero, below
the 1e-4 PSI floor); country has a category whose share is about 4e-5 on
both sides; clicks and items are integers with many ties (merged bin
edges, tied KS steps); is_member is a 2 x 2 table (Yates' correction).

Needs numpy and pyarrow. The values depend only on the seed, N and
numpy's Generator streams.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20261208
ROW_GROUP = 1_000_000

SCHEMA = pa.schema([
    ("amount", pa.float64()),
    ("score", pa.float64()),
    ("ratio", pa.float64()),
    ("latency_ms", pa.float64()),
    ("clicks", pa.int64()),
    ("items", pa.int64()),
    ("income", pa.float64()),
    ("temp_c", pa.float64()),
    ("signup_day", pa.date32()),
    ("country", pa.string()),
    ("device", pa.string()),
    ("plan", pa.string()),
    ("is_member", pa.bool_()),
    ("channel", pa.string()),
    ("segment", pa.string()),
])


def zipf_shares(k, s):
    w = 1.0 / np.arange(1, k + 1) ** s
    return w / w.sum()


COUNTRIES = ["US", "IN", "GB", "DE", "BR", "FR", "CA", "JP", "MX", "ES", "IT", "AU", "NL", "PL", "TR",
             "ID", "KR", "SE", "AR", "CO", "BE", "CH", "ZA", "NG", "PH", "VN", "EG", "PK", "TH", "MY",
             "CL", "PE", "AT", "DK", "NO", "FI", "IE", "PT", "CZ", "RO", "GR", "HU", "IL", "NZ", "SG",
             "UA", "KE", "MA", "BD", "VA"]
RARE_COUNTRY_SHARE = 4e-5  # VA: below PSI's 1e-4 floor on both sides
COUNTRY_P = np.append(zipf_shares(49, 1.1) * (1 - RARE_COUNTRY_SHARE), RARE_COUNTRY_SHARE)

DEVICES = ["ios", "android", "web", "tablet", "watch"]
DEVICE_P = {"reference": [0.40, 0.35, 0.20, 0.05, 0.0], "current": [0.36, 0.38, 0.18, 0.05, 0.03]}
PLANS = ["free", "pro", "enterprise"]
PLAN_P = {"reference": [0.70, 0.25, 0.05], "current": [0.62, 0.30, 0.08]}
CHANNELS = ["organic", "paid_search", "social", "email", "referral", "display", "affiliate", "direct"]
CHANNEL_P = [0.30, 0.20, 0.15, 0.12, 0.10, 0.06, 0.04, 0.03]
CHANNEL_NULL = 0.02
SEGMENTS = [f"seg_{i:02d}" for i in range(20)]
SEGMENT_P = np.random.default_rng(7).dirichlet(np.full(20, 2.0))  # fixed, the same on both sides
INCOME_NULL = 0.01
TEMP_NAN = 0.005
DAY0 = np.datetime64("2024-01-01", "D")

# Per side: the parameters that differ. Everything else is shared.
SIDES = {
    "reference": {"amount_mu": 3.0, "latency_mu": 120.0, "items_lam": 8.0},
    "current": {"amount_mu": 3.1, "latency_mu": 160.0, "items_lam": 8.6},
}

PLANTED = {
    "drifted": {
        "amount": "lognormal mu 3.0 -> 3.1 (sigma 0.8; median x1.105), rounded to cents",
        "latency_ms": "normal mean 120 -> 160 (sd 15), rounded to 0.1; current share of the lowest "
                      "reference decile bin ~ 4e-5",
        "items": "poisson lambda 8 -> 8.6",
        "device": "ios/android/web/tablet 0.40/0.35/0.20/0.05 -> 0.36/0.38/0.18/0.05 + new `watch` 0.03",
        "plan": "free/pro/enterprise 0.70/0.25/0.05 -> 0.62/0.30/0.08",
    },
    "same": {
        "score": "normal(0, 1)",
        "ratio": "uniform(0, 1)",
        "clicks": "poisson(3)",
        "income": "normal(50000, 12000), 1% null",
        "temp_c": "normal(20, 5), 0.5% NaN",
        "signup_day": "date32, uniform over 2024-01-01 + [0, 730) days",
        "country": "50 codes, Zipf(1.1) shares, `VA` at 4e-5",
        "is_member": "bool, 30% true",
        "channel": "8 values, 2% null",
        "segment": "20 values, Dirichlet(2) shares fixed by seed 7",
    },
}


def chunk(rng, n, side):
    p = SIDES[side]
    income = rng.normal(50_000, 12_000, n)
    income_mask = rng.random(n) < INCOME_NULL
    temp = rng.normal(20, 5, n)
    temp[rng.random(n) < TEMP_NAN] = np.nan
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_P)
    channel_mask = rng.random(n) < CHANNEL_NULL
    cols = [
        pa.array(np.round(rng.lognormal(p["amount_mu"], 0.8, n), 2)),
        pa.array(rng.normal(0, 1, n)),
        pa.array(rng.random(n)),
        pa.array(np.round(rng.normal(p["latency_mu"], 15, n), 1)),
        pa.array(rng.poisson(3, n).astype(np.int64)),
        pa.array(rng.poisson(p["items_lam"], n).astype(np.int64)),
        pa.array(income, mask=income_mask),
        pa.array(temp),  # NaN stays a float value, not a null
        pa.array(DAY0 + rng.integers(0, 730, n).astype("timedelta64[D]"), pa.date32()),
        pa.array(COUNTRIES).take(pa.array(rng.choice(len(COUNTRIES), n, p=COUNTRY_P))),
        pa.array(DEVICES).take(pa.array(rng.choice(len(DEVICES), n, p=DEVICE_P[side]))),
        pa.array(PLANS).take(pa.array(rng.choice(len(PLANS), n, p=PLAN_P[side]))),
        pa.array(rng.random(n) < 0.3),
        pa.array(CHANNELS).take(pa.array(channel, mask=channel_mask)),
        pa.array(SEGMENTS).take(pa.array(rng.choice(len(SEGMENTS), n, p=SEGMENT_P))),
    ]
    return pa.Table.from_arrays(cols, schema=SCHEMA)


def write(path, side, rows):
    rng = np.random.default_rng([SEED, 0 if side == "reference" else 1])
    tmp = path + ".tmp"
    with pq.ParquetWriter(tmp, SCHEMA, compression="zstd", write_statistics=True) as w:
        for start in range(0, rows, ROW_GROUP):
            w.write_table(chunk(rng, min(ROW_GROUP, rows - start), side), row_group_size=ROW_GROUP)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000, help="rows per file (default 5,000,000)")
    ap.add_argument("--out-dir", default="bench/data", help="where to write (default bench/data)")
    args = ap.parse_args()
    if args.rows < 1:
        sys.exit("error: --rows must be positive")
    os.makedirs(args.out_dir, exist_ok=True)
    for side in ("reference", "current"):
        path = os.path.join(args.out_dir, f"drift_{side}.parquet")
        t0 = time.perf_counter()
        write(path, side, args.rows)
        print(f"wrote {path}: {args.rows:,} rows, {os.path.getsize(path) / 2**20:.1f} MiB "
              f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    planted = {"rows_per_file": args.rows, "seed": SEED, "row_group": ROW_GROUP, **PLANTED}
    with open(os.path.join(args.out_dir, "drift_planted.json"), "w") as f:
        json.dump(planted, f, indent=2)
        f.write("\n")
    print(f"planted ({args.rows:,} rows per file, seed {SEED}):")
    print(f"  drifted ({len(PLANTED['drifted'])} of {len(SCHEMA)} columns):")
    for c, what in PLANTED["drifted"].items():
        print(f"    {c:11s} {what}")
    print(f"  identically distributed, different draws ({len(PLANTED['same'])}):")
    for c, what in PLANTED["same"].items():
        print(f"    {c:11s} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
