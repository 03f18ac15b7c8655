"""Seller frameworks, the seller scorecard and the ladder what-if: local Spark against DuckDB on the
same synthetic marketplace (session views on Spark); labels equal, floats to 1e-9 relative."""
from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from govex.datasets.synth import generate
from govex.engine import Warehouse
from govex.segments.seller import assign_seller_frameworks, load_seller_frameworks
from govex.segments.seller_scorecard import seller_scorecard
from govex.segments.seller_whatif import enforcement_whatif

pytestmark = pytest.mark.spark

AS_OF = dt.date(2025, 12, 31)
RTOL = 1e-9


@pytest.fixture(scope="module")
def engines(spark_backend):
    frames = generate(customers=2000, seed=12).tables
    for name, frame in frames.items():
        spark_backend.create_view(name, ibis.memtable(frame), overwrite=True)
    return Warehouse.from_frames(frames), Warehouse(spark_backend)


def test_seller_frameworks_assign_the_same_on_spark(engines):
    frameworks = load_seller_frameworks()
    duck, spark = ({a.framework: a.table.execute().sort_values("entity_id", ignore_index=True)
                    for a in assign_seller_frameworks(w, frameworks, as_of=AS_OF)} for w in engines)
    assert sorted(duck) == sorted(spark) == sorted(fw.name for fw in frameworks)
    for name in duck:
        expected, got = duck[name], spark[name]
        assert got.entity_id.tolist() == expected.entity_id.tolist() and len(got) > 0
        assert got.segment.tolist() == expected.segment.tolist(), name
        assert got.reasons.tolist() == expected.reasons.tolist(), name
        np.testing.assert_allclose(got.score.to_numpy(float), expected.score.to_numpy(float), rtol=RTOL, equal_nan=True)


def test_scorecard_and_whatif_are_the_same_on_spark(engines):
    duck, spark = (seller_scorecard(w, as_of=AS_OF, by="vertical") for w in engines)
    pd.testing.assert_frame_equal(spark, duck, rtol=RTOL)
    duck, spark = (enforcement_whatif(w, as_of=AS_OF, current=0.02, proposed=0.01, by="region") for w in engines)
    pd.testing.assert_frame_equal(spark.table, duck.table, check_dtype=False, rtol=RTOL)
    assert spark.appeal_rate == pytest.approx(duck.appeal_rate, rel=RTOL)


def test_seller_academy_units_are_the_same_on_spark(engines):
    from govex.analysis.seller_education import seller_education_effect

    duck, spark = (seller_education_effect(w).units.sort_values("seller_id", ignore_index=True) for w in engines)
    assert len(duck) > 0 and duck.treated.sum() > 0
    columns = ["seller_id", "treated", "n_orders", "n_violations", "n_returned_orders", "violations_after"]
    pd.testing.assert_frame_equal(spark[columns], duck[columns], check_dtype=False)
    np.testing.assert_allclose(spark.violations_per_year, duck.violations_per_year, rtol=RTOL)
