"""Rows on either side of a week, month and quarter boundary land in the right period.

Counts and sums are aggregated by day and the days summed into periods; a percentile is taken
over the period's rows directly. Both must put Sunday 23:59:59 in the week before Monday 00:00,
31 March in Q1 and 1 April in Q2. The expected cells are worked out by hand from the rows below.
"""
from __future__ import annotations

import pandas as pd
import pytest

from govex.engine.warehouse import Warehouse
from govex.metrics import compute_metrics

from metrics.typed_frames import typed_frame
from metrics.views_catalogue import views_catalogue

# decided_at, views: the days of week (Mon-start), month and quarter each row falls in are in the test
ROWS = [("2024-03-31 23:59:59", 1),  # Sunday: week of 25 March, March, Q1
        ("2024-04-01 00:00:00", 2),  # Monday: week of 1 April, April, Q2
        ("2024-04-07 23:59:59", 3),  # Sunday: week of 1 April
        ("2024-04-08 00:00:00", 4),  # Monday: week of 8 April
        ("2024-06-30 12:00:00", 10),  # Sunday: week of 24 June, June, Q2
        ("2024-07-01 00:00:00", 20)]  # Monday: week of 1 July, July, Q3

METRICS = {"cases": ("count", "numerator: {}"), "views_total": ("sum", "numerator: {expr: views}"),
           "views_mean": ("mean", "numerator: {expr: views}"),
           "views_median": ("percentile", "quantile: 0.5\n    numerator: {expr: views}")}

# period -> period start -> the views of its rows
EXPECTED = {
    "week": {"2024-03-25": [1], "2024-04-01": [2, 3], "2024-04-08": [4], "2024-06-24": [10], "2024-07-01": [20]},
    "month": {"2024-03-01": [1], "2024-04-01": [2, 3, 4], "2024-06-01": [10], "2024-07-01": [20]},
    "quarter": {"2024-01-01": [1], "2024-04-01": [2, 3, 4, 10], "2024-07-01": [20]},
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    rows = [{"case_id": f"m{i}", "market": "DE", "policy": "fraud", "created_at": decided, "decided_at": decided,
             "decision": "approve", "automated": False, "views": views} for i, (decided, views) in enumerate(ROWS)]
    warehouse = Warehouse.from_frames({"moderation_cases": typed_frame("moderation_cases", rows)})
    return warehouse, views_catalogue(tmp_path_factory.mktemp("catalogue"), METRICS)


@pytest.mark.parametrize("period", list(EXPECTED))
def test_each_row_lands_in_its_period(setup, period):
    warehouse, catalogue = setup
    # asked apart: one query per table, and a percentile in it would keep the counts from the day-first path
    additive = compute_metrics(warehouse, metrics=["cases", "views_total", "views_mean"], period=period,
                               catalogue=catalogue)
    median = compute_metrics(warehouse, metrics=["views_median"], period=period, catalogue=catalogue)
    cube = pd.concat([additive, median])
    for metric, of in {"cases": len, "views_total": sum, "views_mean": lambda v: sum(v) / len(v),
                       "views_median": lambda v: sorted(v)[(len(v) + 1) // 2 - 1]}.items():
        cells = cube[cube["metric"] == metric]
        got = dict(zip(cells["period_start"].dt.strftime("%Y-%m-%d"), cells["value"]))
        assert got == {start: pytest.approx(of(views)) for start, views in EXPECTED[period].items()}, metric
