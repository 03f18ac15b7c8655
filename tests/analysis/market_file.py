"""A synthetic marketplace written to a DuckDB file, as `govex ingest` would leave it, for CLI tests."""
from __future__ import annotations

from pathlib import Path

import ibis


def write_market_file(market, path: Path, *, leave_out: tuple[str, ...] = ()) -> Path:
    """Every table of `market` (but `leave_out`) into the DuckDB file at `path`."""
    con = ibis.duckdb.connect(str(path))
    for name, frame in market.tables.items():
        if name not in leave_out:
            con.create_table(name, frame)
    con.disconnect()
    return path
