"""DuckDB and local Spark build the same promises and the same standards from the same rows."""
from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from govex.engine import Warehouse
from govex.metrics import compute_metrics
from govex.policy import parse_policy
from govex.policy.promises import PROMISES_TABLE, service_promises, write_service_promises

from policy.policy_texts import CONSISTENT_RULES, TIERS
from policy.test_promises import _frames

NAMES = ["first_response_time_p50_s", "first_response_time_p90_s", "average_speed_of_answer_s",
         "sla_attainment_first_response", "sla_attainment_resolution", "repeat_contact_rate_journey"]


@pytest.mark.spark
def test_duckdb_and_spark_agree_on_promises_and_standards(spark_backend):
    policy = parse_policy(f"name: A\nversion: v1\n{TIERS}{CONSISTENT_RULES}", source="a.yaml")
    duck = Warehouse.from_frames(_frames())
    write_service_promises(duck, policy)
    for name in ("segment_assignments", "contacts", PROMISES_TABLE):  # session views: nothing written by Spark
        spark_backend.create_view(name, ibis.memtable(duck.table(name).to_pandas()), overwrite=True)
    spark = Warehouse(spark_backend)
    built = {name: service_promises(wh, policy).to_pandas().sort_values("contact_id").reset_index(drop=True)
             for name, wh in (("duckdb", duck), ("spark", spark))}
    for column in ("contact_id", "tier", "first_response_s", "resolution_h", "first_response_met", "resolution_met"):
        assert built["duckdb"][column].astype(object).where(built["duckdb"][column].notna(), None).tolist() == \
            built["spark"][column].astype(object).where(built["spark"][column].notna(), None).tolist(), column
    kwargs = dict(metrics=NAMES, by=["tier", "journey"], period="month")
    a, b = compute_metrics(duck, **kwargs), compute_metrics(spark, **kwargs)
    keys = ["metric", "period_start", "tier", "journey"]
    merged = a.merge(b, on=keys, how="outer", suffixes=("_duckdb", "_spark"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    for column in ("numerator", "denominator", "value"):
        np.testing.assert_allclose(merged[f"{column}_duckdb"], merged[f"{column}_spark"], rtol=1e-9, err_msg=column)
    assert len(pd.unique(merged["metric"])) == len(NAMES)
