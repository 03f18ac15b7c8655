"""BG/NBD sufficient statistics in weeks; expected values worked out by hand from the tiny marketplace."""
from __future__ import annotations

import pytest
from features.tiny_marketplace import AS_OF, tiny_frames

from govex.engine import Warehouse
from govex.features import clv_sufficient_stats, clv_summary, spend_sufficient_stats
from govex.features.clv_stats import purchase_day_stats


@pytest.fixture(scope="module")
def summary():
    return clv_summary(Warehouse.from_frames(tiny_frames()), as_of=AS_OF)


@pytest.mark.parametrize(
    ("customer", "frequency", "recency_days", "t_days", "mean_spend"),
    [
        ("c2", 5, 150, 172, 20.0),   # 6 purchase days, 2024-01-10 .. 2024-06-08
        ("c8", 1, 31, 60, 30.0),     # 2024-05-01 (two orders, one day) and 2024-06-01 (30.0)
        ("c1", 0, 0, 10, 0.0),       # single purchase: no repeat spend
        ("c4", 1, 380, 395, 80.0),
    ],
)
def test_summary_counts_purchase_days_in_weeks(summary, customer, frequency, recency_days, t_days, mean_spend):
    row = summary.execute().set_index("customer_id").loc[customer]
    assert row.frequency == frequency
    assert row.recency == pytest.approx(recency_days / 7)
    assert row["T"] == pytest.approx(t_days / 7)
    assert row.mean_spend == pytest.approx(mean_spend)


def test_day_unit_and_grouping():
    warehouse = Warehouse.from_frames(tiny_frames())
    days = clv_summary(warehouse, as_of=AS_OF, time_unit="day").execute().set_index("customer_id")
    assert days.loc["c2", "T"] == 172
    day_stats = purchase_day_stats(warehouse, as_of=AS_OF)
    # integers only: c8 spent 10 + 20 on its first day and 30.00 on its one repeat day
    c8 = day_stats.execute().set_index("customer_id").loc["c8"]
    assert (c8.frequency, c8.recency_days, c8.T_days, c8.repeat_cents) == (1, 31, 60, 3000)
    stats = clv_sufficient_stats(day_stats).execute()
    # 8 customers, all with distinct histories -> 8 rows of one customer each, sorted by the key
    assert stats.n_customers.sum() == 8 and len(stats) == 8
    assert list(stats.itertuples(index=False)) == sorted(stats.itertuples(index=False))
    spend = spend_sufficient_stats(day_stats).execute()
    # repeaters: c2, c3, c4, c5, c7, c8 (c1 and c6 bought once)
    assert spend.n_customers.sum() == 6


def test_unknown_time_unit_is_a_config_error():
    from govex.errors import ConfigError

    with pytest.raises(ConfigError, match="time_unit"):
        clv_summary(Warehouse.from_frames(tiny_frames()), as_of=AS_OF, time_unit="fortnight")
