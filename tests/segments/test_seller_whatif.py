"""Enforcement-ladder what-if against pandas on the raw synthetic tables."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from govex.datasets import generate
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.segments.seller_whatif import enforcement_whatif

AS_OF = dt.date(2025, 9, 30)


@pytest.fixture(scope="module")
def market():
    generated = generate(customers=4000, seed=4)
    return generated.tables, Warehouse.from_frames(generated.tables)


def test_stricter_threshold_equals_pandas(market):
    t, warehouse = market
    result = enforcement_whatif(warehouse, as_of=AS_OF, current=0.02, proposed=0.01, by="seller_type", min_orders=20,
                                review_minutes=30, appeal_minutes=60)
    ours = result.table.set_index("seller_type")
    until = lambda frame, column: frame[pd.to_datetime(frame[column]).dt.date <= AS_OF]  # noqa: E731
    sellers = t["sellers"][pd.to_datetime(t["sellers"].onboarded_date).dt.date <= AS_OF].set_index("seller_id")
    orders = until(t["orders"], "ordered_at")
    surveys = until(t["surveys"], "responded_at").dropna(subset=["order_id", "csat"])
    defect = orders.order_id.isin(set(until(t["disputes"], "opened_at").order_id) | set(surveys.order_id[surveys.csat <= 2]))
    per = orders.assign(defect=defect).groupby("seller_id").agg(n=("order_id", "size"), d=("defect", "sum"))
    per = per.reindex(sellers.index, fill_value=0)
    rate = (per.d / per.n).where(per.n >= 20)
    newly = (rate >= 0.01) & ~(rate >= 0.02)
    expected = newly.groupby(sellers.seller_type).sum()
    assert ours.newly_actioned.to_dict() == expected.to_dict()
    assert ours.no_longer_actioned.sum() == 0  # a stricter threshold only adds sellers
    assert (ours.actioned_proposed - ours.actioned_now == ours.newly_actioned).all()
    actions = until(t["enforcement_actions"], "action_at")
    assert result.appeal_rate == pytest.approx(actions.appeal_filed.mean(), rel=1e-12)
    assert result.review_hours == pytest.approx(newly.sum() * 0.5)
    assert result.appeal_hours == pytest.approx(newly.sum() * actions.appeal_filed.mean())


def test_threshold_outside_a_rate_is_refused(market):
    _, warehouse = market
    with pytest.raises(ConfigError, match="proposed threshold 5"):
        enforcement_whatif(warehouse, as_of=AS_OF, current=0.02, proposed=5)
