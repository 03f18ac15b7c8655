"""Engine access: open an Ibis backend from a URL and hand out canonical tables as expressions.

Everything above this module works on `Warehouse.table(name)` (an unexecuted ibis.Table) and
writes results with `Warehouse.replace(name, rows)`, never on a raw connection, so the same
feature code runs on DuckDB, Spark, Trino or BigQuery.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.config.defaults import DEFAULT_URL
from govex.contract.schema import TABLES
from govex.engine.spark import is_spark_url, spark_backend
from govex.engine.write import drop_result_table, replace_table, replace_tables
from govex.errors import EngineError, MissingTableError

if TYPE_CHECKING:
    from govex.config.model import GovexConfig, SparkOptions
    from govex.contract.validate import ContractIssue


def connect(url: str = DEFAULT_URL, *, spark: SparkOptions | None = None) -> ibis.BaseBackend:
    """Open the backend named by an Ibis URL (duckdb:///file.duckdb, pyspark://, sc://host:port, trino://...).

    Spark URLs (local, cluster, Spark Connect; see engine/spark.py) open a session with `spark`'s options.
    """
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
        if is_spark_url(url):
            from govex.config.model import SparkOptions

            options = spark or SparkOptions()
            return spark_backend(url, app_name=options.app_name, conf=options.conf)
        return ibis.connect(url)
    except EngineError:
        raise
    except Exception as exc:  # the driver's own error type varies by engine
        raise EngineError(f"cannot open engine {url!r}: {exc}") from exc


class Warehouse:
    """The canonical tables of one engine, as Ibis expressions, and where results are written.

    A canonical table comes from the govex.yaml mapping when the config maps it, else from the
    engine's table of that name. Results (segment assignments, cubes, dashboard tables) are
    written to and read from `output` (a database/schema; default: the engine's current one).
    A table that is absent raises MissingTableError naming the features that need it, so a
    warehouse with only orders and surveys (e.g. Olist) still runs what it can.
    """

    def __init__(self, con: ibis.BaseBackend, *, url: str = "", mapped: Mapping[str, ir.Table] | None = None,
                 output: str | None = None, warnings: list[ContractIssue] | None = None):
        self.con = con
        self.url = url
        self.mapped = dict(mapped or {})
        self.output = output
        self.warnings = list(warnings or [])
        # Each engine table is looked up (listed, then described) once per Warehouse: a run asks
        # for the same tables many times, and every lookup is a metadata statement to the engine.
        # Writes through `replace` forget what they may have changed.
        self._listing: dict[str | None, frozenset[str]] = {}
        self._found: dict[str, ir.Table | None] = {}

    @classmethod
    def open(cls, url: str = DEFAULT_URL) -> "Warehouse":
        return cls(connect(url), url=url)

    @classmethod
    def from_config(cls, config: GovexConfig, *, con: ibis.BaseBackend | None = None) -> "Warehouse":
        """The engine of govex.yaml with its mapped tables read in place and checked against the contract.

        `con` replaces the config's engine URL with a backend already open, e.g. the Spark session
        of a cluster notebook: `Warehouse.from_config(config, con=ibis.pyspark.connect(spark))`.
        """
        from govex.engine.mapping import mapped_tables

        url = config.engine_url() if con is None else f"{con.name}://"
        con = con if con is not None else connect(url, spark=config.spark)
        mapped, warnings = mapped_tables(con, config)
        return cls(con, url=url, mapped=mapped, output=config.output_database, warnings=warnings)

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], con: ibis.BaseBackend | None = None) -> "Warehouse":
        """An in-memory warehouse (DuckDB unless `con` is given) holding the given canonical frames."""
        con = con or ibis.duckdb.connect()
        for name, frame in frames.items():
            con.create_table(name, frame, overwrite=True)
        return cls(con, url="memory")

    def has(self, name: str) -> bool:
        return self._find(name) is not None

    def table(self, name: str, *, purpose: str = "") -> ibis.Table:
        found = self._find(name)
        if found is None:
            needed = TABLES[name].needed_by if name in TABLES else ()
            why = f" (needed by {purpose})" if purpose else ""
            also = f"; without it these are disabled: {', '.join(needed)}" if needed else ""
            raise MissingTableError(f"the warehouse has no table {name!r}{why}{also}")
        return found

    def available(self) -> list[str]:
        """Canonical tables present in this warehouse, in contract order."""
        return [name for name in TABLES if self.has(name)]

    def replace(self, name: str, rows: ir.Table | pd.DataFrame) -> ir.Table:
        """Write `rows` as result table `name` in the output database, all or nothing (see engine/write.py)."""
        try:
            return replace_table(self.con, name, rows, database=self.output)
        finally:  # a write (even a failed one) may create the output database, staging and version tables
            self._listing.clear()
            self._found.clear()

    def replace_all(self, tables: Mapping[str, ir.Table | pd.DataFrame], *, drop: Iterable[str] = ()) -> None:
        """Write result tables that belong together (none switches before all are written), then drop `drop`."""
        try:
            replace_tables(self.con, tables, database=self.output)
            for name in drop:
                drop_result_table(self.con, name, database=self.output)
        finally:
            self._listing.clear()
            self._found.clear()

    def _tables_in(self, database: str | None) -> frozenset[str]:
        if database not in self._listing:
            if database is not None and database not in self.con.list_databases():
                self._listing[database] = frozenset()
            else:
                self._listing[database] = frozenset(self.con.list_tables(database=database))
        return self._listing[database]

    def _find(self, name: str) -> ir.Table | None:
        if name in self.mapped:
            return self.mapped[name]
        if name not in self._found:
            found = None
            if self.output is not None and name in self._tables_in(self.output):
                found = self.con.table(name, database=self.output)
            elif name in self._tables_in(None):
                found = self.con.table(name)
            self._found[name] = found
        return self._found[name]
