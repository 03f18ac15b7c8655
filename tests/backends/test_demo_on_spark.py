"""The main job (`govex demo`) on local Spark gives DuckDB's numbers on the same synthetic marketplace.

One demo run per engine at 300 customers, small because Spark's cost is its queries, not rows: DuckDB
ingests the files (the default demo), Spark reads them in place through the govex.yaml the demo writes.
The engine-heavy steps run (segments, KPIs, CLV inputs, the policy simulation, what moved); the later
steps work in pandas on what these return.
Compared: every line the demo prints (its key figures), every segment assignment, the KPI summary and
the policy's volumes; and each framework holds every buyer once (counted in pandas from the file).
"""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from rich.console import Console

from govex.demo import SPARK_OUTPUT, STEPS, run_demo
from govex.features import FeatureOptions
from govex.segments import ASSIGNMENTS_TABLE

CUSTOMERS = 300
SEED = 3
ENGINE_STEPS = ("Segments", "KPIs against targets", "Customer lifetime value", "Prioritisation policy",
                "What moved and why")


def _demo(out, engine: str, con=None):
    console = Console(file=io.StringIO(), width=400, color_system=None)
    ctx = run_demo(out, customers=CUSTOMERS, seed=SEED, engine=engine, con=con, steps=ENGINE_STEPS, console=console)
    return ctx, console.file.getvalue()


def _figures(printed: str, out) -> list[str]:
    """The printed lines of the steps after ingest, without step times or the output folder."""
    titles = [title for title, _ in STEPS]
    lines, keep = [], False
    for line in printed.splitlines():
        title = re.sub(r" \([\d.]+ s\)$", "", line)
        if title in titles:
            keep = titles.index(title) > 1
            lines.append(title)
        elif keep and not line.startswith("demo finished"):
            lines.append(line.replace(str(out), "<out>"))
    return lines


def _buyers(synth, as_of) -> int:
    orders = pd.read_parquet(synth / "orders.parquet")
    bought = orders[~orders.status.isin(FeatureOptions().excluded_purchase_statuses) & (orders.ordered_at.dt.date <= as_of)]
    return bought.customer_id.nunique()


@pytest.mark.spark
def test_the_demo_on_spark_prints_and_stores_duckdbs_numbers(tmp_path, spark_backend):
    duck, duck_printed = _demo(tmp_path / "duck", "duckdb")
    try:
        spark, spark_printed = _demo(tmp_path / "spark", "spark", con=spark_backend)
        assert ASSIGNMENTS_TABLE in spark_backend.list_tables(database=SPARK_OUTPUT)
        assignments = {name: ctx.warehouse.table(ASSIGNMENTS_TABLE).to_pandas()
                       .sort_values(["framework", "as_of", "entity_id"]).reset_index(drop=True)
                       for name, ctx in (("duck", duck), ("spark", spark))}
    finally:
        spark_backend.raw_sql(f"DROP DATABASE IF EXISTS {SPARK_OUTPUT} CASCADE")

    figures = _figures(duck_printed, tmp_path / "duck")
    assert [line for line in figures if line in ENGINE_STEPS] == list(ENGINE_STEPS)
    assert len(figures) > 30  # 35 at 300 customers, seed 3
    assert _figures(spark_printed, tmp_path / "spark") == figures

    pd.testing.assert_frame_equal(assignments["duck"], assignments["spark"], check_dtype=False)
    latest = assignments["duck"][assignments["duck"].as_of == assignments["duck"].as_of.max()]
    per_framework = latest.groupby("framework").entity_id.agg(["size", "nunique"])
    assert (per_framework["size"] == per_framework["nunique"]).all()
    assert set(per_framework["size"]) == {_buyers(tmp_path / "duck" / "synth", duck.results["as_of"])}

    kpis = {name: ctx.results["kpis"].sort_values(["metric", "slice"]).reset_index(drop=True)
            for name, ctx in (("duck", duck), ("spark", spark))}
    assert len(kpis["duck"]) >= 8
    pd.testing.assert_frame_equal(kpis["duck"], kpis["spark"], check_exact=False, rtol=1e-9, check_dtype=False)

    tiers = {name: ctx.results["policy"].tiers.sort_values(["policy", "journey", "tier"]).reset_index(drop=True)
             for name, ctx in (("duck", duck), ("spark", spark))}
    pd.testing.assert_frame_equal(tiers["duck"], tiers["spark"], check_exact=False, rtol=1e-12, check_dtype=False)
