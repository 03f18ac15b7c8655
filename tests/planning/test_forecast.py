"""Forecasts on synthetic series with a planted weekly and intraday season: they must beat the
seasonal-naive baseline on WAPE, and the accuracy measures must match hand calculations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.planning import PlanningInputError
from govex.planning.forecast import driver_forecast, forecast_daily, forecast_intraday, forecast_queues, mase, wape

WEEKLY = np.array([1.25, 1.15, 1.05, 1.0, 0.95, 0.7, 0.9])  # planted Monday..Sunday factors
INTRADAY = 1.0 + 0.9 * np.sin(np.linspace(-np.pi / 2, 1.5 * np.pi, 48, endpoint=False))  # planted daily shape


def daily_series(days: int, level: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    return rng.poisson(level * WEEKLY[t % 7] * (1 + 0.001 * t)).astype(float)


def test_wape_and_mase_by_hand():
    # |10-8| + |20-25| = 7 over 30 -> 0.2333; MAE 3.5, in-sample naive (season 1) MAE of
    # [1, 3, 6] = (2 + 3) / 2 = 2.5 -> MASE 1.4
    assert wape([10, 20], [8, 25]) == pytest.approx(7 / 30)
    assert mase([10, 20], [8, 25], train=[1, 3, 6], season=1) == pytest.approx(1.4)


def test_daily_forecast_beats_seasonal_naive():
    # Poisson noise around a planted weekly shape: the seasonal-naive forecast carries last week's
    # noise, a fitted seasonal model averages it out. Judged over five independent series.
    results = [forecast_daily(daily_series(140, 400, seed=s), horizon=14, holdout=28) for s in range(5)]
    wins = sum(r.wape < r.baseline_wape for r in results)
    assert wins >= 4
    assert np.mean([r.wape for r in results]) < np.mean([r.baseline_wape for r in results])
    result = results[0]
    assert result.forecast.shape == (14,)
    # the forecast keeps the planted weekly shape: Monday above Saturday
    days = np.arange(140, 154) % 7
    assert result.forecast[days == 0].mean() > result.forecast[days == 5].mean()


def test_intraday_forecast_beats_seasonal_naive():
    rng = np.random.default_rng(2)
    days = 42
    rate = 8 * WEEKLY[np.arange(days) % 7][:, None] * INTRADAY[None, :]
    y = rng.poisson(rate).astype(float).ravel()
    result = forecast_intraday(y, slots_per_day=48, first_weekday=0, horizon_days=7, holdout_days=7)
    assert result.forecast.shape == (7 * 48,)
    assert result.wape < result.baseline_wape
    # the forecast follows the planted rate of the next week (days 42..48, Monday first)
    planted = (8 * WEEKLY[np.arange(42, 49) % 7][:, None] * INTRADAY[None, :]).ravel()
    assert np.corrcoef(result.forecast, planted)[0, 1] > 0.9


def test_forecast_queues_reports_each_queue():
    start = pd.Timestamp("2024-01-01")  # a Monday
    frames = [pd.DataFrame({"queue": q, "period_start": start + pd.to_timedelta(np.arange(84), "D"),
                            "contacts": daily_series(84, level, seed)})
              for q, level, seed in (("chat_en", 300, 3), ("phone_de", 120, 4))]
    out = forecast_queues(pd.concat(frames), grain="day", horizon_days=7, holdout_days=14)
    assert sorted(out.accuracy.queue) == ["chat_en", "phone_de"]
    assert out.forecast.groupby("queue").size().tolist() == [7, 7]
    assert out.accuracy.beats_baseline.all()
    # no monthly cycle was planted: the back-test's noise does not admit one
    assert set(out.accuracy.model) <= {"profile", "seasonal_naive"}
    text = out.text()
    assert "verdict" in text and "holdout 2024-03-11 to 2024-03-24" in text


def test_driver_forecast_recovers_contact_rate():
    # contacts are planted at 0.05 per order; the driver forecast must carry that ratio
    start = pd.Timestamp("2024-01-01")
    days = start + pd.to_timedelta(np.arange(84), "D")
    orders = daily_series(84, 20_000, seed=5)
    rng = np.random.default_rng(6)
    contacts = rng.binomial(orders.astype(int), 0.05).astype(float)
    out = driver_forecast(pd.DataFrame({"period_start": days, "orders": orders}),
                          pd.DataFrame({"queue": "wismo", "period_start": days, "contacts": contacts}),
                          horizon_days=7, holdout_days=14)
    ratio = out.forecast.forecast.sum() / forecast_daily(orders, horizon=7, holdout=14).forecast.sum()
    assert ratio == pytest.approx(0.05, rel=0.02)
    assert out.accuracy.beats_baseline.iloc[0]


@pytest.mark.parametrize("y,needle", [(np.r_[np.ones(30), -1.0], "negative"), (np.ones(10), "need at least")])
def test_bad_history_is_refused(y, needle):
    with pytest.raises(PlanningInputError, match=needle):
        forecast_daily(y, horizon=7, holdout=7)
