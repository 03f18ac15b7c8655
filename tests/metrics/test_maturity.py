"""Incomplete periods are left out of scans: a partial last period, and outcomes not yet known.

On the tiny marketplace the last order is placed on Sunday 2024-01-21. Orders (known at once) are
whole for the weeks of 1, 8 and 15 January, but January as a month is not; the late-delivery rate
matures 21 days after the order, so its outcomes are known only up to 2023-12-31 and none of
January's weeks is complete. With ``end`` 2024-01-14 the week of 15 January is cut as well.
"""
import datetime as dt

from govex.metrics import compute_metrics
from govex.metrics.compute import shipped_catalogue
from govex.metrics.maturity import complete_periods, last_known_day


def _weeks(frame) -> list[str]:
    return sorted(frame["period_start"].dt.strftime("%Y-%m-%d").unique())


def test_last_known_day_subtracts_the_metric_maturity(tiny_wh):
    catalogue = shipped_catalogue()
    assert catalogue["late_delivery_rate"].matures_days == 21
    assert last_known_day(tiny_wh, catalogue["orders"]) == dt.date(2024, 1, 21)
    assert last_known_day(tiny_wh, catalogue["late_delivery_rate"]) == dt.date(2023, 12, 31)
    assert last_known_day(tiny_wh, catalogue["orders"], end="2024-01-14") == dt.date(2024, 1, 14)


def test_partial_and_immature_periods_are_dropped(tiny_wh):
    weekly = compute_metrics(tiny_wh, metrics=["orders", "late_delivery_rate"], period="week")
    kept = complete_periods(tiny_wh, weekly, "week")
    assert _weeks(kept[kept["metric"] == "orders"]) == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert kept[kept["metric"] == "late_delivery_rate"].empty
    cut = complete_periods(tiny_wh, weekly, "week", end="2024-01-14")
    assert _weeks(cut[cut["metric"] == "orders"]) == ["2024-01-01", "2024-01-08"]
    monthly = compute_metrics(tiny_wh, metrics=["orders"], period="month")
    assert complete_periods(tiny_wh, monthly, "month").empty
