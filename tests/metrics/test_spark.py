"""DuckDB and local Spark compute the same cubes from the same rows."""
from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from govex.engine.warehouse import Warehouse
from govex.metrics import compute_metrics


@pytest.mark.spark
def test_duckdb_and_spark_cubes_are_equal(synth, synth_wh, spark_backend):
    needed = ["orders", "contacts", "surveys", "staffing", "vendors", "segment_assignments", "fx_rates"]
    frames = {name: synth_wh.con.table(name).to_pandas() for name in needed}
    for name, frame in frames.items():  # session-scoped views: nothing written to a spark-warehouse folder
        spark_backend.create_view(name, ibis.memtable(frame), overwrite=True)
    spark_wh = Warehouse(spark_backend)
    # every kind, both window functions (lag, order statistics, fx interval lead), key, segment and fx range joins
    # (gmv and cost_per_contact convert money with fx_rates), in five table groups
    # (tree metrics combine cells in pandas after the engine, so they add no engine difference)
    names = ["orders", "gmv", "active_customers", "late_delivery_rate", "contact_rate", "csat", "repeat_contact_rate",
             "resolution_time_p90_h", "utilisation_rate", "cost_per_contact"]
    kwargs = dict(metrics=names, by=["market", "segment:value"], period="quarter", start="2025-01-01", end="2025-06-30", partial=True)
    duck = compute_metrics(synth_wh, **kwargs)
    spark = compute_metrics(spark_wh, **kwargs)
    keys = ["metric", "period_start", "market", "segment:value"]
    merged = duck.merge(spark, on=keys, how="outer", suffixes=("_duckdb", "_spark"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for column in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[f"{column}_duckdb"], merged[f"{column}_spark"], rtol=1e-9, atol=1e-9, err_msg=column)
    assert len(pd.unique(merged["metric"])) == len(names)
