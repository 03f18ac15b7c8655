"""The planted events of the synthetic marketplace, found from the warehouse form.

Every expectation comes from the generator's ground truth (where, when, how big each event was
planted), never from govex's own output. The windows are read from the ground truth too: the
baseline is the three months before the event starts, the window the months it fully covers.
"""
from __future__ import annotations

import datetime as dt

import pytest

from analysis.planted_windows import event_months
from govex.analysis.findings import explain_metric, what_moved

AS_OF = dt.date(2025, 12, 31)  # last day of the default 24-month simulation


@pytest.fixture(scope="module")
def market():
    from govex.datasets.synth import generate
    from govex.engine.warehouse import Warehouse

    generated = generate(customers=60_000, seed=2)
    return generated, Warehouse.from_frames(generated.tables)


def _explain_event(market, name: str, *, metric: str, by: list[str]):
    """The planted event `name` and `metric` explained between its baseline months and its window."""
    generated, warehouse = market
    event = generated.event(name)
    before, after = event_months(event)
    return event, explain_metric(warehouse, metric=metric, before=before, after=after, by=by)


def test_late_delivery_spike_is_its_carrier(market):
    event, change = _explain_event(market, "late_delivery_spike", metric="late_delivery_rate",
                                   by=["market", "carrier", "category"])
    top = change.localization.root_causes[0]
    # each carrier serves one market, so carrier alone names the planted cells
    assert top.dims.get("carrier") == event["carrier"]
    assert top.dims.get("market", event["market"]) == event["market"]
    assert top.expected == pytest.approx(event["late_rate_baseline"], abs=0.03)
    assert top.actual > event["late_rate_baseline"] + 0.15  # planted 0.42 on the days of the window


def test_vendor_qa_drop_is_its_vendor(market):
    event, change = _explain_event(market, "vendor_qa_drop", metric="moderation_accuracy",
                                   by=["market", "vendor_id", "policy"])
    causes = change.localization.root_causes
    assert causes and causes[0].dims == {"vendor_id": event["vendor_id"]}, change.render()
    # planted accuracy: baseline and during the window (QA samples of ~100 a month: a wide margin)
    assert causes[0].expected == pytest.approx(event["accuracy_baseline"], abs=0.04)
    assert causes[0].actual == pytest.approx(event["accuracy_during"], abs=0.07)


def test_contact_reason_surge_is_its_reason_in_its_market(market):
    # contact_rate's denominator (orders) has no reason: each reason reads its market's orders
    event, change = _explain_event(market, "contact_reason_surge", metric="contact_rate",
                                   by=["market", "reason", "channel"])
    causes = change.localization.root_causes
    assert causes[0].dims == {"market": event["market"], "reason": event["reason"]}, change.render()
    # planted: issues of the reason per order x multiplier (contacts per issue add to it)
    assert causes[0].actual / causes[0].expected > 0.5 * event["multiplier"]
    assert len(causes) == 1, change.render()


def test_what_moved_scan_localises_the_spike(market):
    # the scan finds alerts on the overall monthly series; the late-delivery spike moves it far
    # beyond noise (the QA drop is thinner: a few hundred audits a month overall, so whether it
    # alerts depends on the draw; it is localised above once its window is named)
    generated, warehouse = market
    found = what_moved(warehouse, metrics=["late_delivery_rate", "moderation_accuracy"],
                       by=["market", "carrier", "vendor_id"], period="month", max_alerts=4)
    tops = {(f.metric, tuple(sorted(f.localization.root_causes[0].dims.items())))
            for f in found if f.localization.root_causes}
    spike = generated.event("late_delivery_spike")
    assert ("late_delivery_rate", (("carrier", spike["carrier"]),)) in tops
    # an alert is never explained against a baseline period that was itself an alert
    for f in found:
        assert f.after not in f.baseline


def test_min_volume_silences_alerts_on_thin_metrics(market):
    _, warehouse = market
    # monthly QA audits number a few hundred: above that bar no alert may be raised at all
    assert what_moved(warehouse, metrics=["moderation_accuracy"], by=["vendor_id"], period="month",
                      min_volume=1e6) == []


def test_abuse_ring_shows_as_the_dispute_rate_of_the_high_risk_tier(market):
    # The ring runs for the whole window in every market: no change in time and no market slice
    # to localise. It is a set of customers, found by the risk segmentation; the analysis view is
    # dispute_rate by segment:risk.
    from govex.metrics import compute_metrics
    from govex.segments import run_segmentation

    generated, warehouse = market
    ring = generated.event("abuse_ring")
    run_segmentation(warehouse, as_of=AS_OF, names=("risk",))
    rates = compute_metrics(warehouse, metrics=["dispute_rate"], by=["segment:risk"], period="quarter",
                            start="2025-01-01", end="2025-12-31")
    pooled = rates.groupby("segment:risk")[["numerator", "denominator"]].sum()
    rate = pooled["numerator"] / pooled["denominator"]
    # planted: ring members dispute ring["dispute_rate"] of delivered orders, part of them as
    # chargebacks (ring["chargeback_share"]); everyone else well under 1 %
    assert rate["high"] > 0.5 * ring["dispute_rate"] * (1 - ring["chargeback_share"])
    assert rate["high"] > 10 * rate["normal"]
    by_market = compute_metrics(warehouse, metrics=["dispute_rate"], by=["market"], period="quarter",
                                start="2025-01-01", end="2025-12-31")
    assert by_market["value"].max() < 0.02  # no market stands out: the ring is spread across them
