"""The warehouse form: a planted event of the synthetic marketplace is localised from metric cubes."""
from __future__ import annotations

import pandas as pd
import pytest

from govex.analysis.findings import explain_change
from govex.errors import ConfigError


@pytest.fixture(scope="module")
def market():
    from govex.datasets.synth import generate
    from govex.engine.warehouse import Warehouse

    generated = generate(customers=6000, seed=1, months=9)
    return generated, Warehouse.from_frames(generated.tables)


def test_late_delivery_spike_is_localised_to_its_carrier(market):
    from govex.metrics import compute_metrics

    generated, warehouse = market
    event = generated.event("late_delivery_spike")  # planted: market, carrier, window, late rates
    start, end = pd.Timestamp(event["start"]), pd.Timestamp(event["end_exclusive"])
    spike_month = (start + (end - start) / 2).to_period("M").start_time
    before = (spike_month - pd.DateOffset(months=2)).to_period("M").start_time
    cube = compute_metrics(warehouse, metrics=["late_delivery_rate"], by=["market", "carrier"], period="month")
    change = explain_change(cube, metric="late_delivery_rate", before=before, after=spike_month,
                            by=["market", "carrier"])
    top = change.localization.root_causes[0]
    # the planted cell; the carrier alone names the same cells (each carrier serves one market)
    assert top.dims.get("carrier") == event["carrier"]
    assert top.dims.get("market", event["market"]) == event["market"]
    assert top.actual > top.expected
    assert event["carrier"] in change.render()


def test_unknown_period_and_dimension_are_named(market):
    from govex.metrics import compute_metrics

    _, warehouse = market
    cube = compute_metrics(warehouse, metrics=["late_delivery_rate"], by=["market"], period="month")
    with pytest.raises(ConfigError, match="no cells for period 1999-01-01"):
        explain_change(cube, metric="late_delivery_rate", before="1999-01-01", after="1999-02-01", by=["market"])
    with pytest.raises(ConfigError, match="unknown dimension"):
        explain_change(cube, metric="late_delivery_rate", before="1999-01-01", after="1999-02-01", by=["carrier"])
