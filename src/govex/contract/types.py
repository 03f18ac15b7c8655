"""Contract types as Ibis types, and the cast from raw source columns into them.

Sources arrive untyped (CSV read as text) or typed differently (Parquet ints as ids); the
contract's logical types are mapped to Ibis types here so that every engine casts the same way.
"""
from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from govex.contract.schema import BOOL, DATE, FLOAT, INT, STRING, TIMESTAMP, Column, Table

IBIS_TYPES: dict[str, dt.DataType] = {
    STRING: dt.string,
    INT: dt.int64,
    FLOAT: dt.float64,
    BOOL: dt.boolean,
    DATE: dt.date,
    TIMESTAMP: dt.timestamp,
}


def ibis_type(column: Column) -> dt.DataType:
    """The Ibis type a contract column is stored as."""
    return IBIS_TYPES[column.dtype]


def cast_value(value: ir.Value, column: Column) -> ir.Value:
    """Cast a raw column to its contract type; values that do not convert become null.

    Integers go through float64 and must be whole: engines disagree on "2.5" -> int64
    (DuckDB rounds, Spark truncates or refuses), so a fractional value counts as uncastable.
    """
    target = ibis_type(column)
    if value.type() == target:
        return value
    if column.dtype == INT:
        as_float = value.try_cast(dt.float64)
        return ibis.ifelse(as_float == as_float.floor(), as_float.cast(dt.int64), ibis.null(dt.int64))
    return value.try_cast(target)


def conform(raw: ir.Table, table: Table) -> ir.Table:
    """The raw table as the contract's columns, in contract order, cast; an absent column gets its
    default, or null."""
    present = set(raw.columns)

    def absent(col: Column):
        return ibis.null(ibis_type(col)) if col.default is None else ibis.literal(col.default, type=ibis_type(col))

    return raw.select(
        **{col.name: cast_value(raw[col.name], col) if col.name in present else absent(col) for col in table.columns}
    )
