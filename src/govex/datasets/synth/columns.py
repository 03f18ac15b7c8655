"""Turn simulated numpy columns into Arrow tables typed exactly as the data contract says.

The simulation works on integers (codes, ids, microseconds) because that is what numpy does
fast; strings are only made here, in C++ (pyarrow), and repeated labels stay dictionary-encoded.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govex.contract.schema import BOOL, DATE, FLOAT, INT, STRING, TIMESTAMP, TABLES

US_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class Ids:
    """String identifiers `prefix` + zero-padded integer; negative values are null."""

    prefix: str
    values: np.ndarray
    width: int = 7


@dataclass(frozen=True)
class Labels:
    """A categorical string column: codes into `labels`; code -1 is null."""

    codes: np.ndarray
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Masked:
    """Values with a validity mask (False = null), for nullable booleans and integers."""

    values: np.ndarray
    valid: np.ndarray


def id_array(spec: Ids) -> pa.Array:
    """Build the string ids straight into Arrow buffers: fixed width, digits by integer arithmetic."""
    values = np.asarray(spec.values, dtype=np.int64)
    valid = values >= 0
    prefix = np.frombuffer(spec.prefix.encode("ascii"), dtype=np.uint8)
    width = prefix.size + spec.width
    chars = np.empty((values.size, width), dtype=np.uint8)
    chars[:, : prefix.size] = prefix
    remaining = np.where(valid, values, 0)
    for position in range(width - 1, prefix.size - 1, -1):
        chars[:, position] = 48 + remaining % 10  # ASCII '0' + digit
        remaining //= 10
    if remaining.any():
        raise ValueError(f"id {spec.prefix}: value {values.max()} does not fit in {spec.width} digits")
    offsets = (np.arange(values.size + 1, dtype=np.int64) * width).astype(np.int32 if values.size * width < 2**31 else np.int64)
    string_type = pa.string() if offsets.dtype == np.int32 else pa.large_string()
    validity = None if valid.all() else pa.array(valid).buffers()[1]
    array = pa.Array.from_buffers(string_type, values.size, [validity, pa.py_buffer(offsets), pa.py_buffer(chars)])
    return array if string_type == pa.string() else pc.cast(array, pa.string())


def label_array(spec: Labels) -> pa.Array:
    codes = np.asarray(spec.codes)
    valid = codes >= 0
    indices = pa.array(np.where(valid, codes, 0).astype(np.int32), mask=~valid if not valid.all() else None)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(spec.labels), pa.string()))


def _arrow_column(value: object, dtype: str, where: str) -> pa.Array:
    if isinstance(value, Ids):
        return id_array(value)
    if isinstance(value, Labels):
        return label_array(value)
    if isinstance(value, Masked):
        arrow_type = {BOOL: pa.bool_(), INT: pa.int64(), FLOAT: pa.float64()}[dtype]
        return pa.array(np.asarray(value.values), type=arrow_type, mask=~np.asarray(value.valid, dtype=bool))
    array = np.asarray(value)
    if dtype == TIMESTAMP:
        return pa.array(array.astype("datetime64[us]"), type=pa.timestamp("us"))
    if dtype == DATE:
        return pa.array(array.astype("datetime64[D]"), type=pa.date32())
    if dtype == FLOAT:
        return pa.array(array.astype(np.float64), type=pa.float64(), from_pandas=True)
    if dtype == INT:
        return pa.array(array.astype(np.int64), type=pa.int64())
    if dtype == BOOL:
        return pa.array(array.astype(bool), type=pa.bool_())
    if dtype == STRING:
        return pa.array(array.tolist(), type=pa.string())
    raise TypeError(f"{where}: no conversion for logical type {dtype!r}")


def to_arrow(table_name: str, columns: dict[str, object]) -> pa.Table:
    """Build the Arrow table of a canonical table from simulated columns, in contract order."""
    contract = TABLES[table_name]
    expected = list(contract.column_names)
    if sorted(columns) != sorted(expected):
        missing = sorted(set(expected) - set(columns))
        extra = sorted(set(columns) - set(expected))
        raise ValueError(f"synthetic {table_name}: missing columns {missing}, unexpected columns {extra}")
    arrays = [_arrow_column(columns[c.name], c.dtype, f"{table_name}.{c.name}") for c in contract.columns]
    return pa.Table.from_arrays(arrays, names=expected)


def day_to_timestamp_us(start_us: int, days: np.ndarray) -> np.ndarray:
    """Float days since the window start -> datetime64[us]; NaN becomes NaT."""
    days = np.asarray(days, dtype=np.float64)
    finite = np.isfinite(days)
    us = np.where(finite, np.round(np.where(finite, days, 0.0) * US_PER_DAY), 0).astype(np.int64) + start_us
    out = us.astype("datetime64[us]")
    out[~finite] = np.datetime64("NaT")
    return out


def day_to_date(start_day: int, days: np.ndarray) -> np.ndarray:
    """Float or integer days since the window start -> datetime64[D] (floor); NaN becomes NaT."""
    days = np.asarray(days, dtype=np.float64)
    finite = np.isfinite(days)
    out = (np.floor(np.where(finite, days, 0.0)).astype(np.int64) + start_day).astype("datetime64[D]")
    out[~finite] = np.datetime64("NaT")
    return out


def plain_strings(table: pa.Table) -> pa.Table:
    """Decode dictionary columns to plain strings (for pandas frames with object strings)."""
    arrays = [pc.cast(col, pa.string()) if pa.types.is_dictionary(col.type) else col for col in table.columns]
    return pa.Table.from_arrays(arrays, names=table.column_names)
