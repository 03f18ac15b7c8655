"""The moderation metrics and the transparency cells are the same on DuckDB and on local Spark."""
from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from govex.engine.warehouse import Warehouse
from govex.metrics import compute_metrics
from govex.metrics.transparency import BREAKDOWNS, transparency_counts

TABLES = ("moderation_cases", "vendors", "sellers", "customers")
# every kind the moderation catalogue uses: percentiles (order statistics), proportions, a count, a rate of sums
METRICS = ["moderation_time_to_action_p90_h", "proactive_detection_share", "moderation_overturn_rate",
           "moderation_backlog", "violating_view_prevalence"]


@pytest.mark.spark
def test_duckdb_and_spark_agree_on_moderation(synth, spark_backend):
    frames = {name: synth.tables[name] for name in TABLES}
    duck_wh = Warehouse.from_frames(frames)
    for name in TABLES:  # session views, dropped after the module by the shared fixture
        spark_backend.create_view(name, ibis.memtable(duck_wh.table(name).to_pandas()), overwrite=True)
    spark_wh = Warehouse(spark_backend)
    kwargs = dict(metrics=METRICS, by=["policy", "automated"], period="quarter", start="2025-01-01", end="2025-06-30")
    keys = ["metric", "period_start", "policy", "automated"]
    merged = compute_metrics(duck_wh, **kwargs).merge(compute_metrics(spark_wh, **kwargs), on=keys, how="outer",
                                                      suffixes=("_duckdb", "_spark"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for column in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[f"{column}_duckdb"], merged[f"{column}_spark"], rtol=1e-9, atol=1e-9,
                                   err_msg=column)
    assert set(merged["metric"]) == set(METRICS)
    duck, spark = transparency_counts(duck_wh), transparency_counts(spark_wh)
    pd.testing.assert_frame_equal(duck.cells.sort_values(list(BREAKDOWNS)).reset_index(drop=True),
                                  spark.cells.sort_values(list(BREAKDOWNS)).reset_index(drop=True), check_dtype=False)
    assert duck.overall == spark.overall and duck.backlog_age_days_median == spark.backlog_age_days_median
