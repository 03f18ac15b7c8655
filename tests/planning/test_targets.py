"""Targets from history: levels and probabilities against statsmodels' OLS prediction interval."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.planning import PlanningInputError
from govex.planning.targets import propose_targets


def _history(months: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.period_range("2024-01", periods=months, freq="M")
    season = np.array([0.3, 0.1, 0, -0.1, -0.2, -0.2, -0.1, 0, 0.1, 0.2, 0.4, 0.6])
    y = 5.0 - 0.03 * np.arange(months) + season[idx.month - 1] + rng.normal(0, 0.1, months)
    return pd.DataFrame({"month": idx.astype(str), "cost_per_order": y})


def test_levels_match_statsmodels_prediction_interval():
    sm = pytest.importorskip("statsmodels.api")
    history = _history(30)
    p = propose_targets(history, metric="cost_per_order", month="2026-09", direction="lower", targets=[4.3])
    assert p.seasonal and p.observations == 30
    # the same regression in statsmodels: trend + 11 calendar-month dummies
    idx = pd.PeriodIndex(history["month"], freq="M")
    t = np.arange(30.0)
    dummies = np.column_stack([idx.month == m for m in range(2, 13)]).astype(float)
    fit = sm.OLS(history["cost_per_order"].to_numpy(), sm.add_constant(np.column_stack([t, dummies]))).fit()
    x0 = np.r_[1.0, 32.0, [1.0 if m == 9 else 0.0 for m in range(2, 13)]][None, :]
    pred = fit.get_prediction(x0)
    lo, hi = pred.conf_int(obs=True, alpha=0.5)[0]  # central 50 %: the 25 % and 75 % levels
    levels = p.levels.set_index("label")["level"]
    assert levels["stretch"] == pytest.approx(lo, rel=1e-9)
    assert levels["safe"] == pytest.approx(hi, rel=1e-9)
    assert levels["base"] == pytest.approx(pred.predicted_mean[0], rel=1e-9)
    assert p.trend_per_month == pytest.approx(fit.params[1])
    # probability of a cost per order at most 4.3: Student t with the residual dof
    from scipy import stats

    se = np.sqrt(pred.se_mean[0] ** 2 + fit.scale)
    expected = stats.t(fit.df_resid).cdf((4.3 - pred.predicted_mean[0]) / se)
    assert p.levels.set_index("label").loc["given", "probability"] == pytest.approx(expected, rel=1e-9)


def test_raise_direction_mirrors_the_levels():
    history = _history(14).rename(columns={"cost_per_order": "csat"})
    low = propose_targets(history, metric="csat", month="2025-06", direction="lower").levels.set_index("label")
    high = propose_targets(history, metric="csat", month="2025-06", direction="raise").levels.set_index("label")
    assert high.loc["stretch", "level"] == pytest.approx(low.loc["safe", "level"])
    assert high.loc["safe", "level"] == pytest.approx(low.loc["stretch", "level"])


@pytest.mark.parametrize("kwargs,needle", [({"month": "2024-02"}, "not after the history"),
                                           ({"month": "March"}, "YYYY-MM"),
                                           ({"metric": "nope"}, "expected columns")])
def test_bad_requests_are_explained(kwargs, needle):
    args = dict(metric="cost_per_order", month="2026-01", direction="lower")
    args.update(kwargs)
    with pytest.raises(PlanningInputError, match=needle):
        propose_targets(_history(12), **args)


def test_cli_prices_a_given_target(tmp_path):
    import json

    from typer.testing import CliRunner

    from govex.cli.main import app

    _history(30).to_csv(tmp_path / "h.csv", index=False)
    r = CliRunner().invoke(app, ["plan", "targets", "--history", str(tmp_path / "h.csv"), "--metric", "cost_per_order",
                                 "--month", "2026-09", "--direction", "lower", "--target", "4.3", "--json"])
    assert r.exit_code == 0, r.output
    levels = {row["label"]: row for row in json.loads(r.output)["levels"]}
    # a looser target than the safe level is more likely to be hit
    assert levels["given"]["level"] > levels["safe"]["level"]
    assert levels["given"]["probability"] > 0.75
