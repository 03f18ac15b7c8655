"""Typed frames from YAML-like rows: contract dtypes, every contract column present (nullable ones as nulls)."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from govex.contract.schema import METRIC_TABLES as TABLES  # canonical and derived tables

SEGMENT_TYPES = {"as_of": "date", "score": "float64"}


def typed_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    dtypes = {c.name: c.dtype for c in TABLES[name].columns} if name in TABLES else SEGMENT_TYPES
    for column in frame.columns:
        kind = dtypes.get(column, "string")
        if kind == "timestamp":
            frame[column] = pd.to_datetime(frame[column])
        elif kind == "date":
            frame[column] = pd.to_datetime(frame[column]).dt.date
        elif kind == "float64":
            frame[column] = frame[column].astype("float64")
        elif kind == "int64":
            frame[column] = frame[column].astype("Int64")
        elif kind == "boolean":
            frame[column] = frame[column].astype("boolean")
        else:
            frame[column] = frame[column].astype("string")
    if name in TABLES:  # every contract column, nullable ones absent from the YAML as nulls
        for col in TABLES[name].columns:
            if col.name not in frame:
                nulls = {"timestamp": pd.ArrowDtype(pa.timestamp("us")), "date": pd.ArrowDtype(pa.date32()),
                         "float64": "float64", "int64": "Int64", "boolean": "boolean"}.get(col.dtype, "string")
                frame[col.name] = pd.Series([None] * len(frame), dtype=nulls, index=frame.index)
        frame = frame[list(TABLES[name].column_names)]
    return frame
