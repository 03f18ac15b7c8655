"""Write a synthetic marketplace to a directory: one Parquet file per table plus the truths.

Files are written into a hidden temporary folder inside the target and renamed into place only
when every file is complete, so an interrupted run never leaves a half-written table.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from govex.datasets.synth.marketplace import ArrowMarketplace
from govex.errors import ConfigError

GROUND_TRUTH_FILE = "ground_truth.json"
TRUTH_CUSTOMERS_FILE = "truth_customers.parquet"


def _write_parquet(table: pa.Table, path: Path) -> None:
    # Dictionary columns are stored as Parquet dictionary pages of plain strings; without the
    # Arrow schema in the footer, every reader (DuckDB, Spark, pandas) sees ordinary strings.
    # Identifier columns are unique, so dictionary-encoding them would only waste time.
    repeated = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
    pq.write_table(table, path, compression="zstd", store_schema=False, use_dictionary=repeated)


def write_marketplace(market: ArrowMarketplace, out_dir: str | os.PathLike) -> list[Path]:
    """Write every canonical table as `<table>.parquet`, `ground_truth.json` and `truth_customers.parquet`."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a directory; give a directory path")
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".synth-", dir=out))
    try:
        files = {f"{name}.parquet": table for name, table in market.tables.items()}
        files[TRUTH_CUSTOMERS_FILE] = market.truth_customers
        with ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow releases the GIL while encoding
            list(pool.map(lambda item: _write_parquet(item[1], staging / item[0]), files.items()))
        names = list(files)
        (staging / GROUND_TRUTH_FILE).write_text(json.dumps(market.ground_truth, indent=2) + "\n")
        names.append(GROUND_TRUTH_FILE)
        for name in names:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in names]
