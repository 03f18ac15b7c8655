"""Property tests: arbitrary order histories keep every customer, once, with the same answer twice.

Histories mix the awkward cases: several orders on one day, a single purchase, a burst of up to
50 purchases in one week then silence, amounts whose mean lands on a half cent, cancelled
orders and two currencies (EUR converted at the as-of rate). For each: every customer with a
purchase gets exactly one segment per framework (the write itself checks that, in the engine),
a second run gives the same segments, and a mix/rate decomposition by segment adds up.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from govex.analysis.decomposition import decompose_mix_rate
from govex.engine import Warehouse
from govex.segments import ASSIGNMENTS_TABLE, run_segmentation

AS_OF = dt.date(2025, 1, 1)
START = dt.date(2023, 1, 1)
FX = pd.DataFrame({"currency": ["EUR", "EUR"], "valid_from": [dt.date(2022, 1, 1), dt.date(2024, 6, 1)],
                   "rate_to_reporting": [1.08, 1.1]})
FRAMEWORKS = ("lifecycle", "value")

cents = st.one_of(st.integers(100, 50_000), st.sampled_from([20_552, 20_553, 1, 5]))  # 205.52 + 205.53: a half-cent mean
single = st.tuples(st.integers(0, 730), cents).map(lambda o: [o])
spread = st.lists(st.tuples(st.integers(0, 730), cents), min_size=2, max_size=12)
same_day = st.tuples(st.integers(0, 730), st.lists(cents, min_size=2, max_size=4)).map(
    lambda o: [(o[0], c) for c in o[1]] + [(o[0] + 40, c) for c in o[1][:1]])
burst = st.tuples(st.integers(0, 700), st.integers(10, 50), cents).map(
    lambda o: [(o[0] + i % 7, o[2] + i) for i in range(o[1])])
history = st.tuples(st.one_of(single, spread, same_day, burst), st.sampled_from(["USD", "EUR"]), st.booleans())


def _orders(histories: list) -> pd.DataFrame:
    rows = []
    for c, (orders, currency, cancel_first) in enumerate(histories):
        for k, (day, amount) in enumerate(orders):
            rows.append({
                "order_id": f"c{c}-o{k}", "customer_id": f"c{c:03d}", "seller_id": "s1", "market": "DE",
                "ordered_at": pd.Timestamp(START + dt.timedelta(days=day)) + pd.Timedelta(minutes=k),
                "amount": amount / 100, "currency": currency,
                "status": "cancelled" if cancel_first and k == 0 else "delivered",
                "category": "books", "carrier": "dhl", "platform": "web",
            })
    frame = pd.DataFrame(rows)
    return frame.assign(promised_date=pd.NaT, delivered_at=pd.NaT).astype(
        {"promised_date": "datetime64[ns]", "delivered_at": "datetime64[ns]"})


def _segments(warehouse: Warehouse) -> pd.DataFrame:
    rows = warehouse.con.table(ASSIGNMENTS_TABLE).to_pandas()
    return rows[["framework", "entity_id", "segment"]].sort_values(["framework", "entity_id"], ignore_index=True)


# some customers must repeat (the spend model fits on repeat purchases) and bursts must be in
@given(st.lists(history, min_size=12, max_size=30).filter(lambda h: sum(len(o) > 1 for o, _, _ in h) >= 4))
# modest and unshrunk: every example runs the segmentation twice (CI time); a failure prints its history
@settings(max_examples=5, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_every_customer_once_per_framework_same_answer_twice(histories):
    orders = _orders(histories)
    warehouse = Warehouse.from_frames({"orders": orders, "fx_rates": FX})
    run_segmentation(warehouse, as_of=AS_OF, names=FRAMEWORKS)  # raises if a customer is lost or doubled
    first = _segments(warehouse)
    buyers = set(orders[orders.status != "cancelled"].customer_id)
    for framework in FRAMEWORKS:
        ids = first[first.framework == framework].entity_id
        assert ids.is_unique and set(ids) == buyers
    run_segmentation(warehouse, as_of=AS_OF, names=FRAMEWORKS)
    pd.testing.assert_frame_equal(_segments(warehouse), first)

    # average order value by lifecycle segment, first year vs second: mix + rate = the change
    lifecycle = first[first.framework == "lifecycle"].set_index("entity_id").segment
    bought = orders[orders.status != "cancelled"].assign(segment=lambda f: f.customer_id.map(lifecycle))
    halves = bought.ordered_at < pd.Timestamp("2024-01-01")
    parts = [bought[h].groupby("segment").agg(num=("amount", "sum"), den=("amount", "size")).reset_index()
             for h in (halves, ~halves)]
    if min(len(p) for p in parts) == 0:
        return
    result = decompose_mix_rate(parts[0], parts[1], by="segment", numerator="num", denominator="den")
    assert result.mix_effect + result.rate_effect == pytest.approx(result.change, abs=1e-9)
    assert result.segments.total_effect.sum() == pytest.approx(result.change, abs=1e-9)
