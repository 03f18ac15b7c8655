"""Key-driver analysis recovers a planted ranking and splits R^2 exactly."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.analysis.drivers import key_drivers, lmg_importance, relative_weights
from govex.errors import ContractError, ModelError


@pytest.fixture(scope="module")
def responses():
    # simulated survey: correlated binary problems with planted effects on CSAT
    rng = np.random.default_rng(2)
    n = 6000
    late = rng.uniform(size=n) < 0.2
    repeat = rng.uniform(size=n) < np.where(late, 0.45, 0.10)  # repeat contacts follow late deliveries
    unresolved = rng.uniform(size=n) < np.where(repeat, 0.5, 0.1)
    hours = rng.gamma(2.0, 10.0, n) + 20 * unresolved
    csat = 4.4 - 1.2 * late - 0.6 * repeat - 0.3 * unresolved - 0.0 * hours + rng.normal(0, 0.6, n)
    segment = np.where(rng.uniform(size=n) < 0.5, "high", "low")
    return pd.DataFrame({"csat": csat, "late_delivery": late, "repeat_contact": repeat, "unresolved": unresolved,
                         "resolution_hours": hours, "segment": segment})


def test_recovers_planted_ranking_overall_and_by_segment(responses):
    drivers = ["resolution_hours", "unresolved", "repeat_contact", "late_delivery"]
    result = key_drivers(responses, outcome="csat", drivers=drivers, segment="segment")
    # planted effects: late 1.2 > repeat 0.6 > unresolved 0.3 > hours 0
    planted = ["late_delivery", "repeat_contact", "unresolved", "resolution_hours"]
    assert result.ranking(by="effect") == planted
    assert result.ranking() == planted
    for seg in ("high", "low"):
        assert result.ranking(seg, by="effect") == planted
    table = result.table[result.table["segment"] == "all"].set_index("driver")
    # fixing late delivery: effect x prevalence, i.e. about 1.2 * 0.2 CSAT points
    assert table.loc["late_delivery", "expected_gain"] == pytest.approx(1.2 * responses["late_delivery"].mean(), rel=0.1)
    # LMG shares add up to the full model's R^2 (independent lstsq fit here)
    x = np.column_stack([np.ones(len(responses)), responses[drivers].to_numpy(float)])
    y = responses["csat"].to_numpy()
    fitted = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert table["importance"].sum() == pytest.approx(r2, rel=1e-9)


def test_lmg_two_drivers_matches_hand_formula():
    # LMG_1 = (R2(x1) + R2(x1,x2) - R2(x2)) / 2 with r_y1 = 0.5, r_y2 = 0.3, r_12 = 0.4
    r_y1, r_y2, r_12 = 0.5, 0.3, 0.4
    corr = np.array([[1, r_y1, r_y2], [r_y1, 1, r_12], [r_y2, r_12, 1]])
    r2_full = (r_y1**2 + r_y2**2 - 2 * r_y1 * r_y2 * r_12) / (1 - r_12**2)
    lmg = lmg_importance(corr)
    assert lmg[0] == pytest.approx((r_y1**2 + r2_full - r_y2**2) / 2)
    assert lmg[1] == pytest.approx((r_y2**2 + r2_full - r_y1**2) / 2)
    # Johnson's weights also sum to R^2 (Johnson 2000)
    assert relative_weights(corr).sum() == pytest.approx(r2_full)


def test_bad_input(responses):
    with pytest.raises(ContractError, match="unknown measure column 'wait'"):
        key_drivers(responses, outcome="csat", drivers=["wait"])
    with pytest.raises(ModelError, match="no variation"):
        key_drivers(responses.assign(flat=1.0), outcome="csat", drivers=["late_delivery", "flat"])
