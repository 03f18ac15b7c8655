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
    # hand: (0.15 - 0.05) x 2000 = 200 contacts; (0.20 - 0.10) x 300 = 30 repeats; 230 x 5 = 1150
    assert low["contacts_avoidable"] == pytest.approx(200.0)
    assert low["repeat_avoidable"] == pytest.approx(30.0)
    assert low["cost_opportunity"] == pytest.approx(1150.0)
    assert low["csat_points"] == pytest.approx((4.5 - 3.5) * 200)
    assert low["resolution_hours_avoidable"] == pytest.approx(5 * 300)
    assert out.loc["high", "cost_opportunity"] == 0.0
    assert not out.loc["tiny", "benchmark_eligible"]
    assert out.index[0] == "low"
