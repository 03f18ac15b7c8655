"""Write one result table back to the engine so that readers see the old table or the new one, never half.

Every writer (segment assignments, the metric cube, dashboard tables) calls `replace_table`.
The new rows are always written in full under another name first; only then does the name
readers use switch over, in one step:

- DuckDB: the staging table is renamed onto the final name inside a transaction.
- Spark and other engines without multi-table transactions: the rows go to a versioned table
  (`_govex_<name>_v<time>_<id>`) and `<name>` is a view that `CREATE OR REPLACE VIEW`
  points at the new version (one catalog operation). The previous version is kept, so a query
  already running on it finishes; older ones are dropped.

A failure before the switch drops the new rows and leaves `<name>` as it was.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid

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
    for part in (name, database or "main"):
        if not _IDENTIFIER.match(part):
            raise EngineError(f"refusing to write table {part!r}: not a plain identifier")
    if database is not None and database not in con.list_databases():
        con.create_database(database)  # (force=True would mean CREATE OR REPLACE on DuckDB)
    token = f"{dt.datetime.now(dt.timezone.utc):%Y%m%d%H%M%S%f}_{uuid.uuid4().hex[:6]}"  # sorts by time
    if con.name == "duckdb":
        _swap_in_transaction(con, name, obj, database, token)
    else:
        _point_view_at_new_version(con, name, obj, database, token)
    return con.table(name, database=database)


def version_prefix(name: str) -> str:
    """The prefix of the versioned tables behind view `name` on engines without transactions."""
    return f"_govex_{name}_v"


def versions_of(con: ibis.BaseBackend, name: str, database: str | None) -> list[str]:
    """The versioned tables behind view `name`, oldest first."""
    pattern = re.compile(re.escape(version_prefix(name)) + r"\d{20}_[0-9a-f]{6}$")
    return sorted(t for t in con.list_tables(database=database) if pattern.match(t))


def _swap_in_transaction(con: ibis.BaseBackend, name: str, obj, database: str | None, token: str) -> None:
    stage = f"_govex_staging_{name}_{token}"
    try:
        con.create_table(stage, obj, database=database)
        replace_tables_atomically(con, {stage: name}, database=database)
    except EngineError:
        raise
    except Exception as exc:  # the engine's own error types vary
        raise EngineError(f"could not write table {name!r}: {exc}; the previous table was left unchanged") from exc
    finally:
        if stage in con.list_tables(database=database):
            con.drop_table(stage, database=database)


def _point_view_at_new_version(con: ibis.BaseBackend, name: str, obj, database: str | None, token: str) -> None:
    version = f"{version_prefix(name)}{token}"
    # Spark runs CREATE TABLE inside the target database, where the query's unqualified table names
    # would no longer resolve; a temporary view is found from any database.
    rows = con.create_view(f"_govex_rows_{token}", obj if isinstance(obj, ir.Table) else ibis.memtable(obj))
    try:
        con.create_table(version, rows, database=database)
        if _is_plain_table(con, name, database):
            # A plain table left by an older writer: a view cannot replace it, so it goes first (once).
            con.drop_table(name, database=database)
        pointer = sge.Create(
            kind="VIEW", replace=True, this=sg.table(name, db=database, quoted=True),
            expression=sg.select("*").from_(sg.table(version, db=database, quoted=True)),
        )
        con.raw_sql(pointer.sql(dialect=con.dialect))
    except Exception as exc:  # the engine's own error types vary
        if version in con.list_tables(database=database):
            con.drop_table(version, database=database)
        raise EngineError(f"could not write table {name!r}: {exc}; the previous version was left in place") from exc
    finally:
        con.drop_view(rows.get_name())
    older = [v for v in versions_of(con, name, database) if v != version]
    for old in older[:max(len(older) - (KEEP_VERSIONS - 1), 0)]:
        con.drop_table(old, database=database)


def _is_plain_table(con: ibis.BaseBackend, name: str, database: str | None) -> bool:
    """True when `name` exists and is a table, not a view (Spark's catalog tells; other engines'
    CREATE OR REPLACE VIEW reports a table in the way itself)."""
    if con.name != "pyspark" or name not in con.list_tables(database=database):
        return False
    qualified = f"{database}.{name}" if database else name
    return con._session.catalog.getTable(qualified).tableType != "VIEW"
