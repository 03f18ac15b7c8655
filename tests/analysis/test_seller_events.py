"""The planted supply-side events, localised from the warehouse form by the root-cause search.

Expectations come from ground_truth.json (where, when, who), never from govex's own output; the
baseline is the three months before the event, the window the months it covers most.
"""
from __future__ import annotations

import pytest

from analysis.planted_windows import event_months
from govex.analysis.findings import explain_metric


@pytest.fixture(scope="module")
def market():
    from govex.datasets.synth import generate
    from govex.engine.warehouse import Warehouse

    generated = generate(customers=20_000, seed=2)
    return generated, Warehouse.from_frames(generated.tables)


def test_redemption_refusal_spike_is_its_region(market):
    generated, warehouse = market
    event = generated.event("redemption_refusal_spike")
    before, after = event_months(event)
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
    before, after = event_months(event)
    change = explain_metric(warehouse, metric="dispute_rate", before=before, after=after,
                            by=["market", "creator_id", "seller_type"])
    top = change.localization.root_causes[0]
    assert top.dims == {"creator_id": event["creator_id"]}, change.render()
    assert top.actual > 10 * event["other_creators_dispute_rate"]
