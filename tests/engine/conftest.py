"""One engine per parametrised run: a DuckDB file in the test's folder, and local Spark (marked `spark`).

`engine_url(tmp_path)` is what a govex.yaml would say; `make_table` puts a user's own table
(under its own name and database) on that engine, as their warehouse already has it.
"""
from __future__ import annotations

import ibis
import pandas as pd
import pytest


@pytest.fixture(params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def engine(request):
    """The engine's name; on Spark the shared local session is started first (from_config reuses it)."""
    if request.param == "pyspark":
        request.getfixturevalue("spark_backend")
    return request.param


def engine_url(engine: str) -> str:
    # DuckDB: a file beside govex.yaml; Spark: the test run's local session (private warehouse folder)
    return "duckdb:///govex.duckdb" if engine == "duckdb" else "pyspark://"


def open_engine(engine: str, folder) -> ibis.BaseBackend:
    """The same engine govex will open for a govex.yaml in `folder`."""
    from govex.engine import connect

    return connect(f"duckdb:///{folder / 'govex.duckdb'}" if engine == "duckdb" else "pyspark://")


def make_table(con: ibis.BaseBackend, database: str, name: str, frame: pd.DataFrame) -> None:
    """`frame` as table `database.name` on `con`, replacing an earlier one."""
    if database not in con.list_databases():
        con.create_database(database)
    con.create_table(name, ibis.memtable(frame), database=database, overwrite=True)
