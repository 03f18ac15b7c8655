"""One `con` per engine for the parity suite: in-memory DuckDB, and local Spark (marked `spark`).

Each test computes a result on `con` and compares it with an expected value written in the test
(a planted truth or a pandas computation), so DuckDB and Spark are held to the same answer.
Known engine gaps would be listed here as strict xfails; there are none so far.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest


@pytest.fixture(scope="module", params=["duckdb", pytest.param("pyspark", marks=pytest.mark.spark)])
def con(request):
    if request.param == "duckdb":
        backend = ibis.duckdb.connect()
        yield backend
        backend.disconnect()
    else:
        yield request.getfixturevalue("spark_backend")


def as_text_table(con, name: str, frame: pd.DataFrame) -> ir.Table:
    """`frame` on `con` with every column as text, as a CSV export arrives (None stays null)."""
    text = frame.astype(object).where(frame.notna(), None)
    text = text.apply(lambda col: col.map(lambda v: v if v is None else _text(v)))
    if con.name == "pyspark":
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(c, StringType(), True) for c in text.columns])
        con._session.createDataFrame(text.values.tolist(), schema=schema).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, text, schema=ibis.schema({c: "string" for c in text.columns}), overwrite=True)


def _text(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)
