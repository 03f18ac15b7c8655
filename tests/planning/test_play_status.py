"""Play status: the verdict from a measured interval against the expected one, and the method for the units at hand."""
from __future__ import annotations

import datetime as dt

import pytest

from govex.analysis.impact import ImpactResult
from govex.planning.play_status import OFF_TRACK, ON_TRACK, TOO_EARLY, choose_method, judge
from govex.planning.playbook import Play

PLAY = Play(segment="all", journey="purchase", kpi="contact_rate", action="help flow", owner="cs",
            expected={"effect": -0.04, "low": -0.06, "high": -0.02}, cost=1.0, start=dt.date(2025, 5, 1),
            review=dt.date(2025, 9, 1), line=2, markets=("DE",))


def measured(low, high, **checks):
    return ImpactResult("did", (low + high) / 2, low, high, 0.01, 0.01, checks)


@pytest.mark.parametrize(("low", "high", "verdict"), [
    (-0.07, -0.03, ON_TRACK),      # overlaps [-0.06, -0.02], excludes 0
    (-0.019, -0.005, OFF_TRACK),   # an effect, but smaller than the least expected
    (-0.02, 0.03, TOO_EARLY),      # touches the expected interval but holds no change too
    (0.01, 0.05, OFF_TRACK),       # the wrong way
])
def test_verdict_from_the_two_intervals(low, high, verdict):
    assert judge(PLAY, measured(low, high))[0] == verdict


def test_a_failed_check_means_too_early_with_the_reason():
    verdict, reason = judge(PLAY, measured(-0.07, -0.03, parallel_pre_trends=False,
                                           pre_trend_difference_per_period=0.002, pre_trend_p_value=0.01))
    assert verdict == TOO_EARLY and "trended apart before the start" in reason
    verdict, reason = judge(PLAY, measured(-0.07, -0.03, pre_period_fit_ok=False))
    assert verdict == TOO_EARLY and "does not track" in reason


@pytest.mark.parametrize(("treated", "controls", "method"), [
    (1, 4, "synthetic_control"), (6, 10, "did"), (3, 0, "its"), (2, 1, "did"), (5, 30, "synthetic_control")])
def test_method_follows_the_units(treated, controls, method):
    assert choose_method(treated, controls) == method


def test_synthetic_control_impossible_falls_back_to_did(monkeypatch):
    """One treated market, four controls, one control missing a week: synthetic control cannot run, DiD can."""
    import numpy as np
    import pandas as pd

    import govex.planning.play_status as status

    weeks = pd.date_range("2025-03-03", periods=16, freq="W-MON")
    rng = np.random.default_rng(2)
    rows = [{"metric": "contact_rate", "period": "week", "period_start": w, "market": m, "n": 500.0,
             "value": 0.2 + rng.normal(0, 0.002) - (0.04 if m == "DE" and w >= pd.Timestamp(PLAY.start) else 0.0)}
            for m in ("DE", "BR", "GB", "MX", "US") for w in weeks]
    cube = pd.DataFrame(rows).drop(index=20)  # BR misses its 5th week
    monkeypatch.setattr(status, "compute_metrics", lambda *a, **k: cube)
    result = status.play_status(None, PLAY, today=dt.date(2025, 6, 30))
    assert result.result.method == "did" and result.reason.startswith("synthetic control impossible")
    assert result.result.effect == pytest.approx(-0.04, abs=0.005)  # the effect planted in the cube above
