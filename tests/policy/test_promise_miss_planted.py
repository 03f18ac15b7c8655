"""The synthetic marketplace's planted missed promise, found from the warehouse form.

The generator slows the first response of one market's high-value customers from a date
(ground_truth.json: service_promise_miss). Segmenting the customers, building the promises from
the shipped policy and asking the root-cause localisation what moved sla_attainment_first_response
must name that tier and market, without being told either.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from govex.analysis.findings import explain_metric
from govex.engine import Warehouse
from govex.policy import load_policy
from govex.policy.promises import write_service_promises
from govex.segments import run_segmentation

AS_OF = dt.date(2025, 12, 31)  # last day of the default 24-month simulation


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    from govex.datasets import synthesize
    from govex.ingest import ingest_folder

    folder = tmp_path_factory.mktemp("promise_miss")
    synthesize(folder / "synth", customers=5_000, seed=0)
    ingest_folder(folder / "synth", database=folder / "govex.duckdb")
    warehouse = Warehouse.open(f"duckdb:///{folder / 'govex.duckdb'}")
    run_segmentation(warehouse, as_of=AS_OF, names=("lifecycle", "value", "risk"))
    write_service_promises(warehouse, load_policy())
    truth = json.loads((folder / "synth" / "ground_truth.json").read_text())
    return next(e for e in truth["events"] if e["type"] == "service_promise_miss"), warehouse


def test_the_missed_promise_is_its_tier_in_its_market(planted):
    event, warehouse = planted
    start = pd.Timestamp(event["start"]).to_period("M")
    before = [(start - k).start_time for k in (3, 2, 1)]
    after = [(start + k).start_time for k in (1, 2, 3, 4)]  # whole months inside the event
    change = explain_metric(warehouse, metric="sla_attainment_first_response", before=before, after=after,
                            by=["tier", "market"])
    causes = change.localization.root_causes
    assert causes and causes[0].dims == {"tier": event["tier"], "market": event["market"]}, change.render()
    # waits x8 against a 120 s promise: the share met falls by far more than noise (about 0.5 -> 0.25 here)
    assert causes[0].actual < causes[0].expected - 0.15, change.render()


def test_other_markets_keep_the_tier_promise(planted):
    from govex.metrics import compute_metrics

    event, warehouse = planted
    cube = compute_metrics(warehouse, metrics=["sla_attainment_first_response"], by=["tier", "market"],
                           period="quarter", start=event["start"], end=AS_OF)
    tier = cube[cube.tier == event["tier"]].groupby("market")[["numerator", "denominator"]].sum()
    share = tier.numerator / tier.denominator
    others = share.drop(event["market"])
    assert share[event["market"]] < others.min() - 0.15, share
