"""The main job's numbers on local Spark equal DuckDB's, both reading the same Parquet files through govex.yaml.

A synthetic marketplace is written once; DuckDB maps it with `file:` sources, Spark with `sql:`
and `file:` sources and an output database. Segments, the metric cube and the KPI summary of the
report must agree; each framework must hold every customer who bought by the as-of date once
(counted in pandas from the file).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.config import load_config
from govex.datasets.synth import synthesize
from govex.engine import Warehouse
from govex.features import FeatureOptions
from govex.metrics import compute_metrics, kpi_summary
from govex.metrics.cube import write_metric_cube
from govex.segments import ASSIGNMENTS_TABLE, assign_and_count, latest_as_of, read_assignments

CUSTOMERS = 300
FRAMEWORKS = ("lifecycle", "value")
METRICS = ["orders", "gmv", "csat", "late_delivery_rate", "contact_rate", "dispute_rate"]
OUT = "govex_e2e"
SQL_SOURCES = ("customers", "orders", "contacts", "surveys")  # the rest are `file:` sources


def _config(folder, data, engine: str, extra: str = ""):
    lines = [f"engine: {engine}", extra, "tables:"]
    for path in sorted(data.glob("*.parquet")):
        if path.stem.startswith("truth"):
            continue
        source = f"sql: select * from parquet.`{path}`" if extra and path.stem in SQL_SOURCES else f"file: {path}"
        lines += [f"  {path.stem}:", f"    {source}"]
    folder.mkdir()
    (folder / "govex.yaml").write_text("\n".join(line for line in lines if line) + "\n")
    return load_config(folder / "govex.yaml")


def _buyers(data, as_of) -> int:
    """Customers with a purchase on or before `as_of`, counted in pandas from the Parquet file (the segment scope)."""
    orders = pd.read_parquet(data / "orders.parquet")
    bought = orders[~orders.status.isin(FeatureOptions().excluded_purchase_statuses)
                    & (orders.ordered_at.dt.date <= as_of)]
    return bought.customer_id.nunique()


def _main_job(warehouse: Warehouse) -> dict:
    as_of = latest_as_of(warehouse)
    assign_and_count(warehouse, as_of=as_of, names=FRAMEWORKS)
    cube = compute_metrics(warehouse, metrics=METRICS, by=["market", "segment:value"], period="quarter")
    write_metric_cube(warehouse, cube)
    segments = read_assignments(warehouse).select("framework", "entity_id", "segment").to_pandas()
    return {
        "as_of": as_of,
        "segments": segments.sort_values(["framework", "entity_id"]).reset_index(drop=True),
        "cube": cube.sort_values(["metric", "period_start", "market", "segment:value"]).reset_index(drop=True),
        "kpis": kpi_summary(warehouse, as_of=as_of).sort_values(["metric", "slice"]).reset_index(drop=True),
    }


@pytest.mark.spark
def test_segments_cube_and_kpis_on_spark_equal_duckdb(tmp_path, spark_backend):
    data = tmp_path / "synth"
    synthesize(data, customers=CUSTOMERS, seed=11, months=12)
    duck = _main_job(Warehouse.from_config(_config(tmp_path / "duck", data, "duckdb:///govex.duckdb")))
    try:
        spark_wh = Warehouse.from_config(_config(tmp_path / "spark", data, "pyspark://", f"output_database: {OUT}"))
        spark = _main_job(spark_wh)
        assert {ASSIGNMENTS_TABLE, "metric_cube"} <= set(spark_backend.list_tables(database=OUT))
        assert ASSIGNMENTS_TABLE not in spark_backend.list_tables()  # results only in the output database
    finally:
        spark_backend.raw_sql(f"DROP DATABASE IF EXISTS {OUT} CASCADE")

    counts = duck["segments"].groupby("framework").entity_id.agg(["size", "nunique"])
    assert (counts["size"] == counts["nunique"]).all()  # one row per customer and framework
    assert counts["size"].to_dict() == {name: _buyers(data, duck["as_of"]) for name in FRAMEWORKS}
    pd.testing.assert_frame_equal(duck["segments"], spark["segments"])
    assert len(duck["cube"]) > 0 and set(duck["cube"].metric) == set(METRICS)
    for column in ("numerator", "denominator", "value"):
        np.testing.assert_allclose(duck["cube"][column], spark["cube"][column], rtol=1e-9, err_msg=column)
    pd.testing.assert_frame_equal(duck["kpis"], spark["kpis"], check_exact=False, rtol=1e-9)
