"""Every known difference between DuckDB and Spark (as seen through Ibis), as one helper each.

Feature, validation and ingest code call these helpers and never branch on the engine's name;
each helper has a parity test in tests/backends/. It imports nothing of govex but `errors`, so
the contract's validation and the engine stage above it can both use it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from govex.errors import EngineError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def count_where(condition: ir.BooleanValue) -> ir.IntegerScalar:
    """Number of rows where `condition` is true (null counts as false).

    Summing a boolean is not portable (Spark refuses SUM(boolean)); summing 1/0 is, and an
    empty input gives 0 rather than null.
    """
    return ibis.coalesce(condition.ifelse(1, 0).sum(), 0)


def days_between(earlier: ir.Value, later: ir.Value) -> ir.IntegerValue:
    """Calendar days from `earlier` to `later` (dates or timestamps).

    DuckDB counts day boundaries crossed, Spark whole 24-hour periods; taking the date of each
    side first makes both count calendar days.
    """
    return _as_date(later).delta(_as_date(earlier), unit="day")


def whole_seconds(value: ir.Value) -> ir.FloatingValue:
    """Whole seconds since 1970 as float64: Spark drops fractions of a second, so DuckDB is floored to match."""
    return value.epoch_seconds().floor().cast("float64")


def is_before(value: ir.Value, bound: ir.Value) -> ir.BooleanValue:
    """True when `value` is strictly before `bound`; a date against a timestamp compares dates."""
    if value.type().is_date() or bound.type().is_date():
        return _as_date(value) < _as_date(bound)
    return value < bound


def ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """numerator / denominator in float64, null when the denominator is 0.

    Spark reads decimal literals and integer division as DECIMAL and rounds; casting both sides
    to float64 first gives the same answer on every engine.
    """
    den = denominator.cast(dt.float64)
    return ibis.ifelse(den == 0, ibis.null(dt.float64), numerator.cast(dt.float64) / den)


def read_csv_as_text(con: ibis.BaseBackend, pattern: str, *, delimiter: str = ",") -> ir.Table:
    """CSV files with a header row, every column read as text (validation does the typing).

    DuckDB needs `all_varchar`; Spark reads text unless told to infer a schema, and names the
    separator `sep` (it refuses DuckDB's keywords).
    """
    if con.name == "pyspark":
        return con.read_csv(pattern, inferSchema=False, header=True, sep=delimiter)
    return con.read_csv(pattern, all_varchar=True, header=True, delim=delimiter)


def _as_date(value: ir.Value) -> ir.DateValue:
    return value if value.type().is_date() else value.date()


def replace_tables_atomically(con: ibis.BaseBackend, staged: Mapping[str, str], *, database: str | None = None) -> None:
    """Rename each staging table onto its final name, all or nothing.

    DuckDB runs the drops and renames in one transaction, so readers see either every old table
    or every new one and a failure leaves the previous tables untouched. Engines without
    multi-table transactions (Spark, most warehouses) are refused rather than half-swapped.

    Parameters
    ----------
    staged
        Mapping of staging table name -> final table name.
    database
        The schema both live in (default: the current one).
    """
    if con.name != "duckdb":
        raise EngineError(
            f"atomic table replacement needs DuckDB; the {con.name!r} backend has no multi-table "
            "transactions. Ingest into a DuckDB file; one result table at a time is replaced with "
            "govex.engine.write.replace_table (a new version behind a view)."
        )
    for name in (*staged, *staged.values(), *([database] if database else [])):
        if not _IDENTIFIER.match(name):
            raise EngineError(f"refusing to rename table {name!r}: not a plain identifier")
    schema = f'"{database}".' if database else ""
    raw = con.con
    existing = set(con.list_tables(database=database))
    raw.begin()
    try:
        for stage, final in staged.items():
            if final in existing:
                raw.execute(f'DROP TABLE {schema}"{final}"')
            raw.execute(f'ALTER TABLE {schema}"{stage}" RENAME TO "{final}"')
        raw.commit()
    except Exception as exc:
        raw.rollback()
        raise EngineError(f"could not replace tables {sorted(staged.values())}; nothing was changed: {exc}") from exc
