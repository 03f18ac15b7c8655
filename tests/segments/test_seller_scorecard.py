"""The seller scorecard and the education effect against an independent pandas computation on
the raw synthetic tables (no govex feature code), and the planted education effect."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from govex.datasets import generate
from govex.engine.warehouse import Warehouse
from govex.segments.seller_scorecard import education_effect, seller_scorecard

AS_OF = dt.date(2025, 9, 30)


@pytest.fixture(scope="module")
def market():
    generated = generate(customers=4000, seed=4)
    return generated.tables, Warehouse.from_frames(generated.tables)


def _until(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame[pd.to_datetime(frame[column]).dt.date <= AS_OF]


def test_scorecard_by_seller_type_equals_pandas(market):
    t, warehouse = market
    ours = seller_scorecard(warehouse, as_of=AS_OF, by="seller_type").set_index("seller_type")
    sellers = t["sellers"][pd.to_datetime(t["sellers"].onboarded_date).dt.date <= AS_OF]
    orders = _until(t["orders"], "ordered_at").merge(sellers[["seller_id", "seller_type"]], on="seller_id")
    disputed = set(_until(t["disputes"], "opened_at").order_id)
    surveys = _until(t["surveys"], "responded_at").dropna(subset=["order_id", "csat"])
    low = set(surveys.order_id[surveys.csat <= 2])
    orders["defect"] = orders.order_id.isin(disputed | low)
    orders["cancelled"] = orders.status.isin(["cancelled", "unavailable"])
    decided = orders.fulfilment_type.isin(["voucher", "appointment"]) & orders.fulfilment_outcome.notna()
    orders["refused"] = decided & (orders.fulfilment_outcome == "refused_by_merchant")
    orders["decided"] = decided
    g = orders.groupby("seller_type")
    assert (ours.sellers == sellers.groupby("seller_type").size()).all()
    np.testing.assert_allclose(ours.order_defect_rate, g.defect.sum() / g.size(), rtol=1e-12)
    np.testing.assert_allclose(ours.seller_cancellation_rate, g.cancelled.sum() / g.size(), rtol=1e-12)
    refusal = (g.refused.sum() / g.decided.sum()).where(g.decided.sum() > 0)
    np.testing.assert_allclose(ours.redemption_refusal_rate, refusal, rtol=1e-12)
    rated = surveys.merge(orders[["order_id", "seller_type"]], on="order_id")
    np.testing.assert_allclose(ours.rating, rated.groupby("seller_type").csat.mean(), rtol=1e-12)
    actions = _until(t["enforcement_actions"], "violation_at").merge(sellers[["seller_id", "seller_type"]], on="seller_id")
    per_seller = actions.groupby(["seller_type", "seller_id"]).size()
    counts = sellers.groupby("seller_type").size()
    violating = per_seller.groupby("seller_type").size().reindex(counts.index, fill_value=0)
    np.testing.assert_allclose(ours.violating_share, violating / counts, rtol=1e-12)
    repeat = (per_seller > 1).groupby("seller_type").sum().reindex(counts.index, fill_value=0)
    np.testing.assert_allclose(ours.repeat_violator_share, (repeat / violating).where(violating > 0), rtol=1e-12)


def test_education_effect_equals_pandas_and_naive_overstates(market):
    t, warehouse = market
    ours = education_effect(warehouse, as_of=AS_OF)
    end = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    data_start = pd.to_datetime(t["orders"].ordered_at).min().normalize()
    sellers = t["sellers"].set_index("seller_id")
    start = pd.to_datetime(sellers.onboarded_date).clip(lower=data_start)
    first = t["education"][t["education"].enrolled_at < end].groupby("seller_id").enrolled_at.min()
    acts = t["enforcement_actions"][t["enforcement_actions"].violation_at < end]
    when = acts.seller_id.map(first)
    years = lambda delta: delta.dt.total_seconds().sum() / (365 * 86400)  # noqa: E731
    before = (when.notna() & (acts.violation_at < when)).sum() / years(first - start.reindex(first.index))
    after = (when.notna() & (acts.violation_at >= when)).sum() / years(end - first)
    never_ids = start.index.difference(first.index)
    never = acts.seller_id.isin(never_ids).sum() / years(end - start.reindex(never_ids))
    assert ours["within_seller_ratio"] == pytest.approx(after / before, rel=1e-9)
    assert ours["naive_ratio"] == pytest.approx(after / never, rel=1e-9)
    # better sellers enrol more: the naive comparison flatters the programme
    assert ours["naive_ratio"] < ours["within_seller_ratio"]
