"""Fixtures of the metric tests: the hand-built tiny marketplace as frames and as a warehouse."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from govex.contract.schema import TABLES
from govex.engine.warehouse import Warehouse

CASES_DIR = Path(__file__).resolve().parents[1] / "cases" / "metrics"
SEGMENT_TYPES = {"as_of": "date", "score": "float64"}


def _typed(name: str, rows: list[dict]) -> pd.DataFrame:
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
                frame[col.name] = pd.Series([None] * len(frame), dtype="object")
                frame = frame.astype({col.name: {"string": "string", "float64": "float64", "int64": "Int64",
                                                  "boolean": "boolean"}.get(col.dtype, "object")})
        frame = frame[list(TABLES[name].column_names)]
    return frame


@pytest.fixture(scope="session")
def tiny_frames() -> dict[str, pd.DataFrame]:
    raw = yaml.safe_load((CASES_DIR / "tiny_tables.yaml").read_text())
    return {name: _typed(name, rows) for name, rows in raw.items()}


@pytest.fixture(scope="session")
def tiny_wh(tiny_frames) -> Warehouse:
    return Warehouse.from_frames(tiny_frames)
