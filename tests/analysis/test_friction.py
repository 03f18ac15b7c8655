"""Friction finder sizes gaps against the best eligible cell of the journey, by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from govex.analysis.friction import find_friction


def test_gaps_and_opportunity_by_hand():
    cells = pd.DataFrame({
        "segment": ["high", "low", "tiny"],
        "journey": ["fulfilment"] * 3,
        "orders": [1000.0, 2000.0, 10.0],
        "contacts": [50.0, 300.0, 0.0],          # rates 0.05, 0.15, 0.0 (tiny is not eligible)
        "repeat_contacts": [5.0, 60.0, 0.0],     # repeat rates 0.10, 0.20
        "csat_sum": [450.0, 700.0, 5.0],
        "csat_responses": [100.0, 200.0, 1.0],   # csat 4.5, 3.5
        "resolution_hours_sum": [500.0, 4500.0, 0.0],  # 10 h, 15 h
        "cost": [250.0, 1500.0, 0.0],            # 5 per contact
    })
    out = find_friction(cells, min_volume=100).set_index("segment")
    low = out.loc["low"]
    # hand: (0.15 - 0.05) x 2000 = 200 contacts; of the 100 left, (0.20 - 0.10) x 100 = 10 repeats; 210 x 5 = 1050
    assert low["contacts_avoidable"] == pytest.approx(200.0)
    assert low["repeat_avoidable"] == pytest.approx(10.0)
    assert low["cost_opportunity"] == pytest.approx(1050.0)
    assert low["csat_points"] == pytest.approx((4.5 - 3.5) * 200)
    assert low["resolution_hours_avoidable"] == pytest.approx(5 * 300)
    assert out.loc["high", "cost_opportunity"] == 0.0
    assert not out.loc["tiny", "benchmark_eligible"]
    assert out.index[0] == "low"


def test_avoidable_never_exceeds_the_contacts_of_the_cell():
    # a cell far behind on both contact rate and repeat rate: 139 contacts, 130 of them above the best rate
    cells = pd.DataFrame({
        "segment": ["best", "low"], "journey": ["account_safety"] * 2, "orders": [1000.0, 100.0],
        "contacts": [9.0, 139.0], "repeat_contacts": [0.0, 120.0], "csat_sum": [40.0, 300.0],
        "csat_responses": [10.0, 100.0], "resolution_hours_sum": [9.0, 139.0], "cost": [45.0, 695.0],
    })
    low = find_friction(cells, min_volume=100).set_index("segment").loc["low"]
    # hand: (1.39 - 0.009) x 100 = 138.1 avoidable; repeats (120/139) x (139 - 138.1) = 0.777
    assert low["contacts_avoidable"] == pytest.approx(138.1)
    assert low["repeat_avoidable"] == pytest.approx(120 / 139 * 0.9)
    assert low["contacts_avoidable"] + low["repeat_avoidable"] <= 139.0


def test_a_cell_with_few_contacts_is_no_benchmark():
    # "best" has plenty of orders but 5 contacts, none repeated: a 0% repeat rate on 5 contacts sets no bar
    cells = pd.DataFrame({
        "segment": ["best", "mid", "low"], "journey": ["return"] * 3, "orders": [1000.0, 1000.0, 1000.0],
        "contacts": [5.0, 100.0, 100.0], "repeat_contacts": [0.0, 20.0, 30.0], "csat_sum": [20.0, 400.0, 350.0],
        "csat_responses": [5.0, 100.0, 100.0], "resolution_hours_sum": [5.0, 100.0, 100.0], "cost": [25.0, 500.0, 500.0],
    })
    out = find_friction(cells, min_volume=100, min_contacts=30).set_index("segment")
    assert out.loc["low", "best_repeat_rate"] == pytest.approx(0.20)  # mid's rate, not best's 0.0
    assert not out.loc["best", "benchmark_eligible"]
