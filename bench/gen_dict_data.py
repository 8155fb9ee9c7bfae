#!/usr/bin/env python3
"""Generate the dictionary-heavy benchmark table and its suite.

    python3 bench/gen_dict_data.py [--rows N] [--out-dir DIR]

Writes DIR/dict.parquet (default bench/data): N rows (5,000,000) of 20
string columns s00 … s19, each drawn from a vocabulary of 1,000 values with
a Zipf-like skew (the share of value i is proportional to 1 / (i + 10)),
1% nulls in the odd columns. The columns are plain `string` columns in the
Arrow schema; Parquet stores them dictionary-encoded (pyarrow's default),
as most writers do. 1,000,000-row row groups, snappy.

Value i of column c is a letter (a … t for s00 … s19), i in three digits, a
dash and i mod 9 times `x`: `d042-xxxxxx`. Lengths 5 to 13. Planted
failures (the rest of each column is in its vocabulary):
  s03: 2,000 rows `Q999-bad` (not in the set, not matching the pattern);
  s11: 3,000 rows `l011-xxxxxxxxxxxxxxx` (not in the set, 20 characters);
  s17: 500 rows `r5000-` (not in the set, not matching the pattern).

Also writes DIR/dict_suite.yml: per column `in_set` (its 1,000 values),
`regex: '^[a-t][0-9]{3}-x*$'` and `length: { between: [5, 13] }` — 60
checks, 6 of which fail — and DIR/dict_planted.json with the expected
failing counts. Deterministic (fixed numpy seed).
"""

import argparse
import json
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SEED = 20261206
ROW_GROUP = 1_000_000
COLUMNS = 20
VOCAB = 1_000
PATTERN = "^[a-t][0-9]{3}-x*$"
LENGTH = (5, 13)
PLANTED = {  # column: (value, rows)
    3: ("Q999-bad", 2_000),
    11: ("l011-" + "x" * 15, 3_000),
    17: ("r5000-", 500),
}


def vocabulary(c):
    letter = chr(ord("a") + c)
    return [f"{letter}{i:03d}-" + "x" * (i % 9) for i in range(VOCAB)]


def name(c):
    return f"s{c:02d}"


def expected(rows):
    """The failing count of each of the 60 checks: {check name: rows}."""
    out = {}
    for c in range(COLUMNS):
        value, planted = PLANTED.get(c, ("", 0))
        planted = min(planted, rows)
        out[f"{name(c)}.in_set"] = planted
        out[f"{name(c)}.regex"] = planted if planted and not _matches(value) else 0
        n = len(value)
        out[f"{name(c)}.length"] = planted if planted and not LENGTH[0] <= n <= LENGTH[1] else 0
    return out


def _matches(v):
    import re
    return re.fullmatch(PATTERN[1:-1], v) is not None


def write_suite(path, data_path):
    lines = [
        "# The dictionary-heavy benchmark: in_set, regex and length on 20",
        "# string columns of 1,000 values each. Written by bench/gen_dict_data.py.",
        "version: 1",
        "sources:",
        "  dict:",
        f"    path: {data_path}",
        "checks:",
        "  dict:",
        "    columns:",
    ]
    for c in range(COLUMNS):
        values = ", ".join(vocabulary(c))
        lines += [
            f"      {name(c)}:",
            f"        - in_set: [{values}]",
            f"        - regex: '{PATTERN}'",
            f"        - length: {{ between: [{LENGTH[0]}, {LENGTH[1]}] }}",
        ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--out-dir", default="bench/data")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, "dict.parquet")
    started = time.time()
    rng = np.random.default_rng(SEED)
    weights = 1.0 / (np.arange(VOCAB) + 10.0)
    weights /= weights.sum()
    vocab = [pa.array(vocabulary(c) + [PLANTED.get(c, ("", 0))[0]]) for c in range(COLUMNS)]
    schema = pa.schema([(name(c), pa.string()) for c in range(COLUMNS)])
    # The planted rows: chosen once over the whole table, spread over row groups.
    planted_at = {c: np.sort(rng.choice(args.rows, size=min(n, args.rows), replace=False))
                  for c, (_, n) in PLANTED.items()}
    with pq.ParquetWriter(out, schema, compression="snappy") as w:
        for start in range(0, args.rows, ROW_GROUP):
            n = min(ROW_GROUP, args.rows - start)
            arrays = []
            for c in range(COLUMNS):
                idx = rng.choice(VOCAB, size=n, p=weights).astype(np.int32)
                if c in planted_at:
                    at = planted_at[c]
                    local = at[(at >= start) & (at < start + n)] - start
                    idx[local] = VOCAB  # the planted value, last in `vocab`
                mask = None
                if c % 2 == 1:
                    mask = rng.random(n) < 0.01
                    if c in planted_at:
                        mask[local] = False
                taken = vocab[c].take(pa.array(idx))
                if mask is not None:
                    taken = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), taken)
                arrays.append(taken)
            w.write_table(pa.Table.from_arrays(arrays, schema=schema), row_group_size=ROW_GROUP)
    suite = os.path.join(args.out_dir, "dict_suite.yml")
    write_suite(suite, out)
    with open(os.path.join(args.out_dir, "dict_planted.json"), "w") as f:
        json.dump({"rows": args.rows, "pattern": PATTERN, "length": LENGTH, "failing": expected(args.rows)},
                  f, indent=1)
    print(f"wrote {out} ({args.rows:,} rows × {COLUMNS} columns, "
          f"{os.path.getsize(out) / 2**20:.0f} MiB), {suite} in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
