"""Forecasts on series with planted defects: a long gap, short gaps, a closure, a level shift,
an outlier, too little history; and back-test selection that never prefers a model that lost
to the seasonal-naive baseline."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.planning import PlanningInputError
from govex.planning.forecast import (
    AUTO_MODELS,
    BASELINE,
    LIGHT_MODELS,
    RICHER,
    Backtest,
    _choose,
    forecast_daily,
    forecast_queues,
    forecast_series,
    prepare_history,
)

WEEKLY = np.array([1.25, 1.15, 1.05, 1.0, 0.95, 0.7, 0.9])  # Monday..Sunday


def poisson_days(days: int, level: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.poisson(level * WEEKLY[np.arange(days) % 7]).astype(float)


def test_long_gap_is_not_filled_and_the_fit_starts_after_it():
    # 8 weeks at level 1000, 60 days without data, 6 weeks at level 300 (Monday first throughout)
    y = np.r_[poisson_days(56, 1000, 1), np.full(63, np.nan), poisson_days(42, 300, 2)]
    check = prepare_history(y, slots=1, first_weekday=0, start=pd.Timestamp("2024-01-01"))
    assert check.first_day == 56 + 63
    assert check.days == 42
    assert any("gap of 63 days with no data" in f and "2024-02-26" in f for f in check.findings)
    r = forecast_daily(y, horizon=7, holdout=7)
    assert r.train_days[0] == 119
    # the forecast is at the level after the gap, not a mix with the level before (or with zeros)
    assert 0.8 * 300 * 7 < r.forecast.sum() < 1.2 * 300 * 7


def test_closed_queue_is_cut_like_a_gap():
    y = np.r_[poisson_days(28, 500, 3), np.zeros(14), poisson_days(35, 500, 4)]
    check = prepare_history(y, slots=1)
    assert check.first_day == 42
    assert "no contacts" in check.findings[0]


def test_short_gap_is_filled_with_the_mean_of_the_same_weekday():
    y = poisson_days(35, 400, 5)
    planted = y.copy()
    planted[[10, 11]] = np.nan  # a Thursday and a Friday
    check = prepare_history(planted, slots=1, first_weekday=0)
    assert check.first_day == 0 and check.days == 35
    thursdays = [y[d] for d in range(3, 35, 7) if d != 10]
    fridays = [y[d] for d in range(4, 35, 7) if d != 11]
    assert check.series[10] == pytest.approx(np.mean(thursdays))
    assert check.series[11] == pytest.approx(np.mean(fridays))
    assert "missing days day 11 to day 12" in check.findings[0]


def test_level_shift_moves_the_start_of_the_fit():
    y = np.r_[poisson_days(42, 400, 6), poisson_days(42, 700, 7)]  # +75 % from day 43
    check = prepare_history(y, slots=1)
    assert check.first_day == 42
    assert "level shift of +7" in check.findings[0]
    steady = prepare_history(poisson_days(84, 400, 8), slots=1)
    assert steady.first_day == 0 and steady.findings == ()


def test_outlier_interval_is_replaced_by_the_median_of_its_weekday_and_slot():
    rng = np.random.default_rng(9)
    shape = 1 + 0.8 * np.sin(np.linspace(0, 2 * np.pi, 24, endpoint=False))
    days = rng.poisson(30 * WEEKLY[np.arange(28) % 7][:, None] * shape[None, :]).astype(float)
    clean = days.copy()
    days[20, 21] = 400.0  # a Sunday 21:00, about 15 times the usual volume
    check = prepare_history(days.ravel(), slots=24, first_weekday=0, start=pd.Timestamp("2024-01-01"))
    same = clean[[6, 13, 20, 27], 21].copy()
    same[2] = 400.0
    assert check.series.reshape(-1, 24)[20, 21] == pytest.approx(np.median(same))
    assert "Sun 2024-01-21 21:00, 400 against" in check.findings[-1]
    # nothing else was touched
    changed = np.flatnonzero(check.series != days.ravel())
    assert changed.tolist() == [20 * 24 + 21]


def test_short_history_speaks_in_days_and_names_the_queue():
    start = pd.Timestamp("2024-01-01")
    frame = pd.DataFrame({"queue": "phone_he", "period_start": start + pd.to_timedelta(np.arange(20), "D"),
                          "contacts": poisson_days(20, 100, 10)})
    with pytest.raises(PlanningInputError, match=r"queue 'phone_he': 6 days of usable history before the "
                                                  r"14-day holdout; need at least 10 days"):
        forecast_queues(frame, grain="day", holdout_days=14)
    # the history after a long gap counts, not the span
    y = np.r_[poisson_days(60, 100, 11), np.full(30, np.nan), poisson_days(16, 100, 12)]
    with pytest.raises(PlanningInputError, match=r"9 days of usable history .*gap of 30 days"):
        forecast_daily(y, holdout=7)
    # the statsforecast models need two weekly seasons before their back-test: 15 days
    with pytest.raises(PlanningInputError, match=r"12 days of usable history .*need at least 15 days"):
        forecast_daily(poisson_days(19, 100, 13), holdout=7, model="mstl")


def trial(scores: dict) -> Backtest:
    """A back-test result from model -> (its WAPE, the baseline's WAPE on the same windows)."""
    return Backtest({m: w for m, (w, _) in scores.items()}, {m: b for m, (_, b) in scores.items()}, {}, {})


def test_choice_never_prefers_a_model_that_lost_to_the_baseline():
    daily, weekly = 0.20, 0.25  # the baseline on the light models' daily windows and the others' weekly ones
    lost = {BASELINE: (daily, daily), "profile": (0.21, daily), "ets": (0.26, weekly), "mstl": (0.30, weekly)}
    assert _choose(trial(lost)) == BASELINE
    # each model is judged against the baseline on its own windows: ETS at 0.22 beat 0.25
    assert _choose(trial({**lost, "ets": (0.22, weekly)})) == "ets"
    # ranked by the ratio to the baseline, not by raw WAPE from different windows
    assert _choose(trial({**lost, "ets": (0.19, 0.20), "mstl": (0.20, weekly)})) == "mstl"
    # a light model that beat the baseline is taken before any statsforecast one, the better of two
    assert _choose(trial({**lost, "profile": (0.19, daily), "ets": (0.10, weekly)})) == "profile"
    assert _choose(trial({**lost, "profile": (0.19, daily), "profile_trend": (0.18, daily)})) == "profile_trend"
    assert _choose(trial({**lost, "profile": (0.18, daily), "profile_trend": (0.21, daily)})) == "profile"
    assert _choose(trial({BASELINE: (daily, daily), "profile": (daily, daily)})) == BASELINE  # a tie is not a win


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auto_model_never_lost_to_the_baseline_on_its_back_test(seed):
    rng = np.random.default_rng(seed)
    # weekly shape plus a random walk in level: sometimes a model wins, sometimes naive
    level = 300 * np.exp(np.cumsum(rng.normal(0, 0.05, 70)))
    y = rng.poisson(level * WEEKLY[np.arange(70) % 7]).astype(float)
    r = forecast_daily(y, horizon=7, holdout=7)
    # the statsforecast models are back-tested only when no profile model was taken
    assert set(LIGHT_MODELS) <= set(r.backtest) <= set(AUTO_MODELS)
    assert set(r.backtest) == set(AUTO_MODELS) or r.model in set(LIGHT_MODELS) - {BASELINE}
    if r.model != BASELINE:
        assert r.backtest[r.model] < r.backtest_baseline[r.model] == r.baseline_backtest_wape
    # none that lost was taken; the baseline only when nothing beat it, or only a richer model
    # that did not beat the model it extends by more than noise
    beat = {m for m in r.backtest if r.backtest[m] < r.backtest_baseline[m]}
    assert r.model in beat or (r.model == BASELINE and not beat - {BASELINE} - set(RICHER))


def test_exactly_weekly_series_keeps_the_baseline():
    # seasonal naive is exact here (back-test WAPE 0): nothing can beat it
    y = np.tile([120.0, 110, 100, 95, 90, 40, 60], 6)
    r = forecast_daily(y, horizon=7, holdout=7)
    assert r.model == BASELINE and r.backtest[BASELINE] == 0.0
    np.testing.assert_allclose(r.forecast, y[:7])


def test_intervals_cover_a_poisson_holdout():
    # planted rate known: the 10-90 % band should hold roughly 80 % of the next weeks' actuals
    rng = np.random.default_rng(13)
    rate = 200 * WEEKLY[np.arange(84 + 28) % 7]
    y = rng.poisson(rate).astype(float)
    r = forecast_series(y[:84], slots=1, horizon_days=28, holdout_days=7, model="ets")
    future = y[84:]
    inside = np.mean((future >= r.p10) & (future <= r.p90))
    assert 0.6 <= inside <= 1.0
    assert np.all(r.p10 <= r.forecast) and np.all(r.forecast <= r.p90)


def test_unknown_model_is_refused():
    with pytest.raises(PlanningInputError, match="unknown model 'prophet'"):
        forecast_daily(poisson_days(40, 100, 14), model="prophet")


def test_sparse_queue_zero_days_are_data_not_a_closure():
    # about 0.4 contacts a day: a fortnight without one is chance, not a closure
    rng = np.random.default_rng(15)
    y = rng.poisson(0.4, 70).astype(float)
    y[20:34] = 0.0
    check = prepare_history(y, slots=1)
    assert check.first_day == 0 and not any("gap" in f for f in check.findings)


def test_a_short_queue_is_skipped_and_named_while_the_others_are_forecast():
    start = pd.Timestamp("2024-01-01")
    long = pd.DataFrame({"queue": "chat", "period_start": start + pd.to_timedelta(np.arange(56), "D"),
                         "contacts": poisson_days(56, 200, 16)})
    new = pd.DataFrame({"queue": "video", "period_start": start + pd.to_timedelta(np.arange(46, 56), "D"),
                        "contacts": 5.0})
    out = forecast_queues(pd.concat([long, new]), grain="day", horizon_days=7, holdout_days=7)
    assert list(out.accuracy.queue) == ["chat"]
    assert "queue 'video'" in out.skipped["video"] and "not forecast: queue 'video'" in out.text()


def test_an_empty_day_is_missing_data_only_where_volume_makes_it_implausible():
    start = pd.Timestamp("2024-01-01")
    days = start + pd.to_timedelta(np.arange(63), "D")
    dense = pd.DataFrame({"queue": "chat", "period_start": days, "contacts": poisson_days(63, 300, 17)})
    dense = dense[dense.period_start != pd.Timestamp("2024-01-17")]  # the export missed a day
    out = forecast_queues(dense, grain="day", horizon_days=7, holdout_days=7)
    assert any("missing days Wed 2024-01-17" in f for f in out.accuracy.findings[0])
    # about one contact every two days: days without a record are days without contacts
    rng = np.random.default_rng(18)
    sparse = pd.DataFrame({"queue": "fax", "period_start": days, "contacts": rng.poisson(0.5, 63).astype(float)})
    sparse = sparse[sparse.contacts > 0]
    out = forecast_queues(sparse, grain="day", horizon_days=7, holdout_days=7)
    assert not any("missing" in f for f in out.accuracy.findings[0])
