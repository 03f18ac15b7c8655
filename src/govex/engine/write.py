"""Write result tables back to the engine so that readers see the old tables or the new ones, never half.

Every writer (segment assignments, the metric cube, the dashboard's tables) calls `replace_table`
or, for tables that belong together, `replace_tables`. The new rows of every table are written in
full under other names first; only then do the names readers use switch over:

- DuckDB: the staging tables are renamed onto the final names inside one transaction, so the
  tables of one `replace_tables` call switch together.
- Spark and other engines without multi-table transactions: the rows go to versioned tables
  (`_govex_<name>_v<time>_<id>`) and each `<name>` is a view that `CREATE OR REPLACE VIEW`
  points at its new version (one catalog operation per table, all after every version is
  written). The previous version is kept, so a query already running on it finishes; older ones
  are dropped.

A failure before a table's switch drops its new rows and leaves `<name>` as it was.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping

import ibis
import ibis.expr.types as ir
import pandas as pd
import sqlglot as sg
import sqlglot.expressions as sge

from govex.dialect import replace_tables_atomically
from govex.errors import EngineError

KEEP_VERSIONS = 2  # the version readers see, and the one before it
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def replace_table(
    con: ibis.BaseBackend, name: str, obj: ir.Table | pd.DataFrame, *, database: str | None = None
) -> ir.Table:
    """Replace table `name` (in `database`, created if absent; default: the engine's current one) by `obj`.

    Returns the new table as an Ibis expression. Raises EngineError, with the old table untouched,
    when the engine refuses the write.
    """
    replace_tables(con, {name: obj}, database=database)
    return con.table(name, database=database)


def replace_tables(
    con: ibis.BaseBackend, tables: Mapping[str, ir.Table | pd.DataFrame], *, database: str | None = None
) -> None:
    """Replace every table of `tables` (name -> rows) in `database`; none switches before all are written.

    Raises EngineError naming the tables left as they were when the engine refuses a write.
    """
    for part in (*tables, database or "main"):
        if not _IDENTIFIER.match(part):
            raise EngineError(f"refusing to write table {part!r}: not a plain identifier")
    if database is not None and database not in con.list_databases():
        con.create_database(database)  # (force=True would mean CREATE OR REPLACE on DuckDB)
    token = f"{dt.datetime.now(dt.timezone.utc):%Y%m%d%H%M%S%f}_{uuid.uuid4().hex[:6]}"  # sorts by time
    if con.name == "duckdb":
        _swap_in_transaction(con, tables, database, token)
    else:
        _point_views_at_new_versions(con, tables, database, token)


def drop_result_table(con: ibis.BaseBackend, name: str, *, database: str | None = None) -> None:
    """Drop result table `name` written by `replace_table(s)` (the view and its versions, or the table), if present."""
    if name not in con.list_tables(database=database):
        return
    if con.name == "pyspark" and not _is_plain_table(con, name, database):
        con.drop_view(name, database=database)
        for version in versions_of(con, name, database):
            con.drop_table(version, database=database)
    else:
        con.drop_table(name, database=database)


def version_prefix(name: str) -> str:
    """The prefix of the versioned tables behind view `name` on engines without transactions."""
    return f"_govex_{name}_v"


def versions_of(con: ibis.BaseBackend, name: str, database: str | None) -> list[str]:
    """The versioned tables behind view `name`, oldest first."""
    return _versions_in(con.list_tables(database=database), name)


def _versions_in(listed, name: str) -> list[str]:
    pattern = re.compile(re.escape(version_prefix(name)) + r"\d{20}_[0-9a-f]{6}$")
    return sorted(t for t in listed if pattern.match(t))


def _swap_in_transaction(con: ibis.BaseBackend, tables: Mapping, database: str | None, token: str) -> None:
    stages = {f"_govex_staging_{name}_{token}": name for name in tables}
    try:
        for stage, name in stages.items():
            con.create_table(stage, tables[name], database=database)
        replace_tables_atomically(con, stages, database=database)
    except EngineError:
        raise
    except Exception as exc:  # the engine's own error types vary
        raise EngineError(f"could not write {_names(tables)}: {exc}; the previous table(s) were left unchanged") from exc
    finally:
        left = set(con.list_tables(database=database))
        for stage in stages:
            if stage in left:
                con.drop_table(stage, database=database)


def _point_views_at_new_versions(con: ibis.BaseBackend, tables: Mapping, database: str | None, token: str) -> None:
    versions = {name: f"{version_prefix(name)}{token}" for name in tables}
    switched: list[str] = []
    try:
        for name, obj in tables.items():
            _write_version(con, versions[name], obj, database, token)
        listed = set(con.list_tables(database=database))  # once: a catalog listing costs seconds on a busy metastore
        for name, version in versions.items():
            _switch_view(con, name, version, database, exists=name in listed)
            switched.append(name)
    except Exception as exc:  # the engine's own error types vary
        kept = [name for name in tables if name not in switched]
        left = set(con.list_tables(database=database))
        for name in kept:
            if versions[name] in left:
                con.drop_table(versions[name], database=database)
        done = f" ({_names(switched)} switched before the failure)" if switched else ""
        raise EngineError(f"could not write {_names(kept)}: {exc}; the previous version was left in place{done}") from exc
    listed = con.list_tables(database=database)
    for name, version in versions.items():
        older = [v for v in _versions_in(listed, name) if v != version]
        for old in older[:max(len(older) - (KEEP_VERSIONS - 1), 0)]:
            con.drop_table(old, database=database)


def _write_version(con: ibis.BaseBackend, version: str, obj, database: str | None, token: str) -> None:
    # Spark runs CREATE TABLE inside the target database, where the query's unqualified table names
    # would no longer resolve; a temporary view is found from any database.
    rows = con.create_view(f"_govex_rows_{token}", obj if isinstance(obj, ir.Table) else ibis.memtable(obj), overwrite=True)
    try:
        con.create_table(version, rows, database=database)
    finally:
        con.drop_view(rows.get_name())


def _switch_view(con: ibis.BaseBackend, name: str, version: str, database: str | None, *, exists: bool) -> None:
    if exists and _is_plain_table(con, name, database):
        # A plain table left by an older writer: a view cannot replace it, so it goes first (once).
        con.drop_table(name, database=database)
    pointer = sge.Create(
        kind="VIEW", replace=True, this=sg.table(name, db=database, quoted=True),
        expression=sg.select("*").from_(sg.table(version, db=database, quoted=True)),
    )
    con.raw_sql(pointer.sql(dialect=con.dialect))


def _names(names) -> str:
    names = list(names)
    return f"table {names[0]!r}" if len(names) == 1 else f"tables {', '.join(map(repr, names))}"


def _is_plain_table(con: ibis.BaseBackend, name: str, database: str | None) -> bool:
    """True when `name`, which exists, is a table, not a view (Spark's catalog tells; other engines'
    CREATE OR REPLACE VIEW reports a table in the way itself)."""
    if con.name != "pyspark":
        return False
    qualified = f"{database}.{name}" if database else name
    return con._session.catalog.getTable(qualified).tableType != "VIEW"
