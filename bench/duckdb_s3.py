"""DuckDB reading an S3-compatible server (bench/scale.py --s3): the peers'
shared `--s3 ENDPOINT` option.

DuckDB reads S3 through its httpfs extension, which it downloads from its
own site; here it comes from PyPI instead, as the package
duckdb-ext-httpfs, built for DuckDB 1.4.4 only:

    python3 -m venv /tmp/duck144
    /tmp/duck144/bin/pip install "duckdb==1.4.4" duckdb-ext-httpfs numpy scipy pyarrow

Credentials are the bench's (bench/scale.py uploads with them).
"""

import glob
import os

import duckdb


def add_option(ap):
    ap.add_argument("--s3", metavar="ENDPOINT", help="read s3:// paths from this S3 server (http://host:port)")


def connect(endpoint=None):
    """A DuckDB connection; with `endpoint`, one that reads s3:// from it."""
    if not endpoint:
        return duckdb.connect()
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    site = os.path.dirname(os.path.dirname(duckdb.__file__))
    found = glob.glob(os.path.join(site, "duckdb_ext", "extensions", f"v{duckdb.__version__}", "*",
                                   "httpfs.duckdb_extension"))
    if not found:
        raise SystemExit(f"error: no httpfs extension for DuckDB {duckdb.__version__} under {site}/duckdb_ext "
                         "(pip install duckdb-ext-httpfs, with the DuckDB version it is built for)")
    con.execute(f"LOAD '{found[0]}'")
    host = endpoint.split("://", 1)[-1].rstrip("/")
    con.execute(f"CREATE SECRET (TYPE s3, KEY_ID 'bench', SECRET 'bench-secret', REGION 'us-east-1', "
                f"ENDPOINT '{host}', URL_STYLE 'path', USE_SSL {str(endpoint.startswith('https')).lower()})")
    return con
