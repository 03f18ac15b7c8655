"""The planted late-delivery spike (synth ground truth) shows in late delivery, contact rate and CSAT."""
from __future__ import annotations

import datetime as dt

import pytest

from govex.engine.warehouse import Warehouse
from govex.metrics import compute_metrics


@pytest.fixture(scope="module")
def spike():
    from govex.datasets.synth import generate

    market = generate(customers=8000, seed=0)
    event = market.event("late_delivery_spike")
    start = dt.date.fromisoformat(event["start"])
    end = dt.date.fromisoformat(event["end_exclusive"]) - dt.timedelta(days=1)
    return Warehouse.from_frames(market.tables), event, start, end


def _slice(wh, event, start, end):
    cube = compute_metrics(wh, metrics=["late_delivery_rate", "contact_rate", "csat"], by=["market", "carrier"],
                           period="quarter", start=start, end=end)
    cells = cube[(cube["market"] == event["market"]) & (cube["carrier"] == event["carrier"])].set_index("metric")
    assert len(cells) == 3, "the window must fall inside one quarter for a single cell per metric"
    return cells


def test_spike_shows_in_the_affected_slice_with_ci_excluding_the_baseline(spike):
    wh, event, start, end = spike
    during = _slice(wh, event, start, end)
    # the same weeks one year earlier: the slice's own baseline for contact rate and CSAT
    before = _slice(wh, event, start - dt.timedelta(days=364), end - dt.timedelta(days=364))
    late = during.loc["late_delivery_rate"]
    # ground_truth.json states the baseline late rate of the slice and the planted rate during the spike
    assert late["ci_low"] > event["late_rate_baseline"]
    assert abs(late["value"] - event["late_rate_during"]) < 0.05  # planted rate, up to sampling noise
    assert during.loc["contact_rate", "ci_low"] > before.loc["contact_rate", "value"]
    assert during.loc["csat", "ci_high"] < before.loc["csat", "value"]
