"""DuckDB and local Spark compute the same cubes from the same rows."""
from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from govex.engine.warehouse import Warehouse
from govex.metrics import compute_metrics, load_catalogue


@pytest.mark.spark
def test_duckdb_and_spark_cubes_are_equal(synth, synth_wh, spark_backend):
    frames = {name: synth_wh.con.table(name).to_pandas() for name in synth_wh.available() + ["segment_assignments"]}
    for name, frame in frames.items():  # session-scoped views: nothing written to a spark-warehouse folder
        spark_backend.create_view(name, ibis.memtable(frame), overwrite=True)
    spark_wh = Warehouse(spark_backend)
    names = load_catalogue().names()
    kwargs = dict(metrics=names, by=["market", "segment:value"], period="quarter", start="2025-01-01", end="2025-06-30", partial=True)
    duck = compute_metrics(synth_wh, **kwargs)
    spark = compute_metrics(spark_wh, **kwargs)
    keys = ["metric", "period_start", "market", "segment:value"]
    merged = duck.merge(spark, on=keys, how="outer", suffixes=("_duckdb", "_spark"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for column in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[f"{column}_duckdb"], merged[f"{column}_spark"], rtol=1e-9, atol=1e-9, err_msg=column)
    assert len(pd.unique(merged["metric"])) == len(names)
