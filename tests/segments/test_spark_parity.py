"""The same assignments on DuckDB and on local Spark (tiny marketplace, hand-checked on DuckDB elsewhere)."""
from __future__ import annotations

import pandas as pd
import pytest
from features.tiny_marketplace import AS_OF, EXPECTED_LIFECYCLE, tiny_frames

from govex.engine import Warehouse
from govex.segments import run_segmentation


def _assignments(warehouse: Warehouse) -> pd.DataFrame:
    tables = [a.table.execute() for a in run_segmentation(
        warehouse, as_of=AS_OF, names=("lifecycle", "risk", "intent"), write=False)]
    return pd.concat(tables).sort_values(["framework", "entity_id"]).reset_index(drop=True)


def _spark_warehouse(backend) -> Warehouse:
    # session-scoped temporary views: no managed tables left behind in the Spark warehouse folder
    for name, frame in tiny_frames().items():
        backend._session.createDataFrame(frame).createOrReplaceTempView(name)
    return Warehouse(backend)


@pytest.mark.spark
def test_duckdb_and_spark_assign_the_same(spark_backend):
    duck = _assignments(Warehouse.from_frames(tiny_frames()))
    spark = _assignments(_spark_warehouse(spark_backend))
    assert dict(zip(spark[spark.framework == "lifecycle"].entity_id, spark[spark.framework == "lifecycle"].segment)) == EXPECTED_LIFECYCLE
    pd.testing.assert_series_equal(duck.segment, spark.segment)
    pd.testing.assert_series_equal(duck.reasons, spark.reasons)
    pd.testing.assert_series_equal(duck.score, spark.score, check_exact=False, rtol=1e-9)
