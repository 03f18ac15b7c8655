"""Engine access: open an Ibis backend from a URL and hand out canonical tables as expressions.

Everything above this module works on `Warehouse.table(name)` (an unexecuted ibis.Table) and
never on a raw connection, so the same feature code runs on DuckDB, Spark, Trino or BigQuery.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import ibis
import pandas as pd

from govex.contract.schema import TABLES
from govex.errors import EngineError, MissingTableError

DEFAULT_URL = "duckdb:///govex.duckdb"


def connect(url: str = DEFAULT_URL) -> ibis.BaseBackend:
    """Open the backend named by an Ibis URL (duckdb:///file.duckdb, pyspark://, trino://...)."""
    try:
        if url.startswith("duckdb://"):
            path = url[len("duckdb://"):]
            if path.startswith("/"):
                path = path[1:]  # duckdb:///govex.duckdb -> govex.duckdb (relative), duckdb:////abs -> /abs
            if path not in ("", ":memory:"):
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            con = ibis.duckdb.connect(path or ":memory:")
            con.raw_sql("SET enable_progress_bar = false")  # govex draws its own progress bars
            return con
        if url.startswith("pyspark://"):
            from govex.engine.spark import local_spark_backend

            return local_spark_backend()
        return ibis.connect(url)
    except Exception as exc:  # the driver's own error type varies by engine
        raise EngineError(f"cannot open engine {url!r}: {exc}") from exc


class Warehouse:
    """The canonical tables of one engine, as Ibis expressions.

    A table that is absent raises MissingTableError naming the features that need it, so a
    warehouse with only orders and surveys (e.g. Olist) still runs what it can.
    """

    def __init__(self, con: ibis.BaseBackend, *, url: str = ""):
        self.con = con
        self.url = url

    @classmethod
    def open(cls, url: str = DEFAULT_URL) -> "Warehouse":
        return cls(connect(url), url=url)

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], con: ibis.BaseBackend | None = None) -> "Warehouse":
        """An in-memory warehouse (DuckDB unless `con` is given) holding the given canonical frames."""
        con = con or ibis.duckdb.connect()
        for name, frame in frames.items():
            con.create_table(name, frame, overwrite=True)
        return cls(con, url="memory")

    def has(self, name: str) -> bool:
        return name in self.con.list_tables()

    def table(self, name: str, *, purpose: str = "") -> ibis.Table:
        if not self.has(name):
            needed = TABLES[name].needed_by if name in TABLES else ()
            why = f" (needed by {purpose})" if purpose else ""
            also = f"; without it these are disabled: {', '.join(needed)}" if needed else ""
            raise MissingTableError(f"the warehouse has no table {name!r}{why}{also}")
        return self.con.table(name)

    def available(self) -> list[str]:
        """Canonical tables present in this warehouse, in contract order."""
        present = set(self.con.list_tables())
        return [name for name in TABLES if name in present]
