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


def test_standards_equal_an_independent_pandas_count(planted):
    """The metric layer's attainment, ASA and p90 wait by tier and month against pandas on the raw tables.

    Promises are read from the shipped policy file itself (not through govex); only each contact's
    tier comes from service_promises, whose assignment the hand tests in test_promises.py check.
    """
    import numpy as np
    import yaml

    from govex.metrics import compute_metrics
    from govex.policy import default_policy_path

    _, warehouse = planted
    tiers = yaml.safe_load(default_policy_path().read_text())["tiers"]
    contacts = warehouse.table("contacts").to_pandas().set_index("contact_id")
    rows = warehouse.table("service_promises").select("contact_id", "tier").to_pandas().join(contacts, on="contact_id")
    rows["month"] = rows.created_at.dt.to_period("M").dt.start_time
    wait, hours = rows.wait_time_s, (rows.resolved_at - rows.created_at).dt.total_seconds() // 1 / 3600
    rows["answered"] = wait.notna()
    rows["fr_met"] = wait <= rows.tier.map(lambda t: tiers[t]["first_response_s"])
    rows["res_met"] = rows.resolved_at.notna() & (hours <= rows.tier.map(lambda t: tiers[t]["resolution_h"]))
    expected = rows.groupby(["tier", "month"]).agg(
        fr_hits=("fr_met", "sum"), answered=("answered", "sum"), res_hits=("res_met", "sum"), contacts=("res_met", "size"),
        asa=("wait_time_s", "mean"),
        p90=("wait_time_s", lambda w: np.quantile(w.dropna(), 0.9, method="inverted_cdf") if w.notna().any() else np.nan))
    cube = compute_metrics(warehouse, metrics=["sla_attainment_first_response", "sla_attainment_resolution",
                                               "average_speed_of_answer_s", "first_response_time_p90_s"],
                           by=["tier"], period="month")
    got = {m: c.set_index(["tier", "period_start"]) for m, c in cube.groupby("metric")}
    fr, res = got["sla_attainment_first_response"], got["sla_attainment_resolution"]
    answered = expected[expected.answered > 0]
    assert fr.numerator.sort_index().tolist() == answered.fr_hits.sort_index().tolist()
    assert fr.denominator.sort_index().tolist() == answered.answered.sort_index().tolist()
    assert res.numerator.sort_index().tolist() == expected.res_hits.sort_index().tolist()
    assert res.denominator.sort_index().tolist() == expected.contacts.sort_index().tolist()
    assert np.allclose(got["average_speed_of_answer_s"].value.sort_index(), answered.asa.sort_index())
    assert np.allclose(got["first_response_time_p90_s"].value.sort_index(), answered.p90.sort_index())
