"""The planted supply-side events, localised from the warehouse form by the root-cause search.

Expectations come from ground_truth.json (where, when, who), never from govex's own output; the
baseline is the three months before the event, the window the months it covers most.
"""
from __future__ import annotations

import pandas as pd
import pytest

from govex.analysis.findings import explain_metric


@pytest.fixture(scope="module")
def market():
    from govex.datasets.synth import generate
    from govex.engine.warehouse import Warehouse

    generated = generate(customers=20_000, seed=2)
    return generated, Warehouse.from_frames(generated.tables)


def _months(event: dict) -> tuple[list[pd.Timestamp], list[pd.Timestamp]]:
    start, end = pd.Timestamp(event["start"]), pd.Timestamp(event["end_exclusive"])
    first = start.to_period("M")
    months = pd.period_range(first, (end - pd.Timedelta(days=1)).to_period("M"), freq="M")
    covered = {m: min(end, m.end_time) - max(start, m.start_time) for m in months}
    full = [m.start_time for m in months if m.start_time >= start and m.end_time < end]
    return [(first - k).start_time for k in (3, 2, 1)], full or [max(covered, key=covered.get).start_time]


def test_redemption_refusal_spike_is_its_region(market):
    generated, warehouse = market
    event = generated.event("redemption_refusal_spike")
    before, after = _months(event)
    change = explain_metric(warehouse, metric="redemption_refusal_rate", before=before, after=after,
                            by=["market", "region", "seller_type", "vertical"])
    top = change.localization.root_causes[0]
    assert top.dims.get("region") == event["region"], change.render()
    assert top.dims.get("seller_type", event["seller_type"]) == event["seller_type"]
    assert top.expected == pytest.approx(event["refusal_rate_baseline"], abs=0.03)
    assert top.actual > event["refusal_rate_baseline"] + 0.1  # planted 0.35 on the days of the window


def test_creator_dispute_spike_is_its_creator(market):
    generated, warehouse = market
    event = generated.event("creator_dispute_spike")
    before, after = _months(event)
    change = explain_metric(warehouse, metric="dispute_rate", before=before, after=after,
                            by=["market", "creator_id", "seller_type"])
    top = change.localization.root_causes[0]
    assert top.dims == {"creator_id": event["creator_id"]}, change.render()
    assert top.actual > 10 * event["other_creators_dispute_rate"]
