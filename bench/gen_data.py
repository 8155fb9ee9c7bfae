#!/usr/bin/env python3
"""Generate the benchmark table bench/data/features.parquet.

Deterministic: a fixed numpy seed, generated in chunks of one row group each
(1,000,000 rows, snappy). 5,000,000 rows and 20 columns by default.

    python3 bench/gen_data.py [--rows N] [--out PATH]

Needs numpy and pyarrow (`pip install duckdb pyarrow numpy`). The values
depend only on the seed and numpy's Generator streams; the bytes of the file
may also depend on the pyarrow version (written with numpy 2.4.6 and
pyarrow 26.0.1).
"""

import argparse
import os
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SEED = 20240601
ROW_GROUP = 1_000_000

COUNTRIES = ["FR", "DE", "ES", "IT", "NL"]
COUNTRY_P = [0.30, 0.25, 0.20, 0.15, 0.10]
CATEGORIES = ["books", "electronics", "fashion", "garden", "grocery", "health", "sports", "toys"]
DEVICES = ["desktop", "mobile", "tablet"]
DEVICE_P = [0.35, 0.55, 0.10]
PLANS = ["free", "basic", "pro", "enterprise"]
PLAN_P = [0.50, 0.30, 0.15, 0.05]
FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
         "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil",
         "trent", "victor", "walter", "yusuf"]
LAST = ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit",
        "durand", "leroy", "moreau", "simon", "laurent", "lefebvre", "michel",
        "garcia", "muller", "schmidt", "rossi", "jansen", "devries"]
DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "example.io"]

# created_at spans [2024-01-01, 2025-07-01) UTC, in microseconds.
TS_LO = 1_704_067_200_000_000
TS_HI = 1_751_328_000_000_000
# signup_date spans [2020-01-01, 2025-01-01) in days since the epoch.
DATE_LO = 18_262
DATE_HI = 20_089

SCHEMA = pa.schema([
    ("id", pa.int64()),
    ("price", pa.float64()),
    ("discount", pa.float64()),
    ("score", pa.float64()),
    ("weight_kg", pa.float64()),
    ("latency_ms", pa.float64()),
    ("qty", pa.int32()),
    ("age", pa.int32()),
    ("clicks", pa.int64()),
    ("revenue_cents", pa.int64()),
    ("country", pa.string()),
    ("category", pa.string()),
    ("device", pa.string()),
    ("plan", pa.string()),
    ("created_at", pa.timestamp("us", tz="UTC")),
    ("signup_date", pa.date32()),
    ("is_active", pa.bool_()),
    ("email", pa.string()),
    ("label", pa.int32()),
    ("rating", pa.float64()),
])


def nulls(rng, n, rate):
    return rng.random(n) < rate


def choice_strings(rng, values, n, p=None):
    idx = rng.choice(len(values), size=n, p=p).astype(np.int32)
    return pa.array(values, pa.string()).take(pa.array(idx))


def chunk(rng, start, n, nan_rows):
    """Rows start+1 .. start+n."""
    cols = {}
    cols["id"] = pa.array(np.arange(start + 1, start + n + 1, dtype=np.int64))

    price = np.round(rng.lognormal(mean=3.0, sigma=0.8, size=n), 2)
    cols["price"] = pa.array(price, mask=nulls(rng, n, 0.01))
    discount = np.round(rng.uniform(0.0, 0.5, size=n), 3)
    cols["discount"] = pa.array(discount, mask=nulls(rng, n, 0.01))

    score = rng.random(n)
    for r in nan_rows:  # a few NaNs, at fixed global rows
        if start <= r < start + n:
            score[r - start] = np.nan
    cols["score"] = pa.array(score, mask=nulls(rng, n, 0.01), from_pandas=False)

    weight = rng.normal(loc=70.0, scale=12.0, size=n).clip(30.0, 150.0)
    cols["weight_kg"] = pa.array(weight, mask=nulls(rng, n, 0.01))
    latency = rng.exponential(scale=120.0, size=n) + 5.0
    cols["latency_ms"] = pa.array(latency, mask=nulls(rng, n, 0.01))

    cols["qty"] = pa.array(rng.integers(1, 101, size=n, dtype=np.int32))
    cols["age"] = pa.array(rng.integers(18, 91, size=n, dtype=np.int32), mask=nulls(rng, n, 0.01))
    cols["clicks"] = pa.array(rng.poisson(lam=12.0, size=n).astype(np.int64))
    revenue = rng.integers(0, 500_000, size=n, dtype=np.int64)
    cols["revenue_cents"] = pa.array(revenue, mask=nulls(rng, n, 0.01))

    cols["country"] = choice_strings(rng, COUNTRIES, n, COUNTRY_P)
    category = choice_strings(rng, CATEGORIES, n)
    cols["category"] = pc.if_else(pa.array(nulls(rng, n, 0.005)), pa.scalar(None, pa.string()), category)
    cols["device"] = choice_strings(rng, DEVICES, n, DEVICE_P)
    cols["plan"] = choice_strings(rng, PLANS, n, PLAN_P)

    ts = rng.integers(TS_LO, TS_HI, size=n, dtype=np.int64)
    cols["created_at"] = pa.array(ts, type=pa.timestamp("us", tz="UTC"))
    days = rng.integers(DATE_LO, DATE_HI, size=n, dtype=np.int32)
    cols["signup_date"] = pa.array(days, type=pa.date32(), mask=nulls(rng, n, 0.01))
    cols["is_active"] = pa.array(rng.random(n) < 0.75, mask=nulls(rng, n, 0.01))

    first = choice_strings(rng, FIRST, n)
    last = choice_strings(rng, LAST, n)
    num = pc.cast(pa.array(rng.integers(1, 10_000, size=n, dtype=np.int64)), pa.string())
    domain = choice_strings(rng, DOMAINS, n)
    email = pc.binary_join_element_wise(first, ".", last, num, "@", domain, "")
    cols["email"] = pc.if_else(pa.array(nulls(rng, n, 0.002)), pa.scalar(None, pa.string()), email)

    cols["label"] = pa.array((rng.random(n) < 0.2).astype(np.int32))
    rating = np.round(rng.uniform(1.0, 5.0, size=n), 1)
    cols["rating"] = pa.array(rating, mask=nulls(rng, n, 0.02))

    return pa.Table.from_pydict(cols, schema=SCHEMA)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--out", default=os.path.join("bench", "data", "features.parquet"))
    args = ap.parse_args()

    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    rng = np.random.default_rng(SEED)
    # Three NaNs in `score`, at fixed rows spread over the file.
    nan_rows = [7, args.rows // 2 + 11, args.rows - 3] if args.rows >= 16 else []

    t0 = time.time()
    tmp = args.out + ".tmp"
    with pq.ParquetWriter(tmp, SCHEMA, compression="snappy", write_statistics=True) as w:
        start = 0
        while start < args.rows:
            n = min(ROW_GROUP, args.rows - start)
            w.write_table(chunk(rng, start, n, nan_rows), row_group_size=ROW_GROUP)
            start += n
    os.replace(tmp, args.out)

    md = pq.ParquetFile(args.out).metadata
    size = os.path.getsize(args.out)
    print(f"wrote {args.out}: {md.num_rows} rows, {md.num_columns} columns, "
          f"{md.num_row_groups} row groups, {size:,} bytes ({size / 2**20:.1f} MiB) "
          f"in {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
