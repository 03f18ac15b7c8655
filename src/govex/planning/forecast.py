"""Volume forecasts per queue, daily and intraday, chosen by back-test and safe on real history.

Real contact history has holes (days the export missed, months nobody kept), closures, level
shifts and freak intervals. Before any model sees a series it is cleaned by `prepare_history`:

* a run of at least `LONG_GAP_DAYS` days without data (or, per queue, without a single
  contact where its usual volume makes that no accident) is never filled: the fit starts
  after the last such run;
* shorter runs of missing days are imputed with the mean of the same weekday and slot;
* a level shift between whole weeks (at least `BREAK_CHANGE`, the weeks on either side not
  overlapping) moves the start of the fit to the first week after it;
* an interval far from the median of its weekday and slot is replaced by that median.

Every finding is reported in words with its dates. Models (`MODELS`): the weekly seasonal-naive
baseline (same slot one week earlier); the profile model (the last seven days' volume spread by
each weekday's share of the week and by intraday shapes shrunk toward the pooled shape [8]_,
daily totals times intraday proportions as in [4]_ and [9]_) and the same with last week's
growth carried one week on (a damped trend [10]_) or moved as the same days four weeks earlier
(a monthly cycle); AutoETS [1]_ and AutoTheta [5]_ on daily totals (intraday: times the same
shapes); MSTL [2]_ on the slots; the mean of ETS and MSTL (forecast combination [6]_).
`model="auto"` scores the `AUTO_MODELS` on a rolling-origin back-test inside the training data [7]_
(daily origins over the last four weeks for the models that need one week of history, so short
history still gets a few weeks of windows; three weekly windows for ETS) and takes the best profile
model if it beat the baseline there, the monthly cycle only if it also beat the plain profile by
more than noise (a Diebold-Mariano test [11]_ [12]_), else ETS if it beat the baseline on its
windows, else the baseline: the chosen model never lost to the baseline on the back-test. The last
`holdout_days` are kept out of all of this and scored once (WAPE, MASE [3]_ beside the baseline's);
the final forecast is refitted on everything. Prediction intervals (10th, 50th, 90th percentile)
come from the back-test and holdout errors of the chosen model, scaled by the square root of the
forecast (counts' noise grows like that) and never narrower than Poisson noise.

References
----------
.. [1] R. J. Hyndman, A. B. Koehler, J. K. Ord and R. D. Snyder, "Forecasting with Exponential
   Smoothing: the State Space Approach", Springer, 2008 (ETS; AutoETS picks by AICc).
.. [2] K. Bandara, R. J. Hyndman and C. Bergmeir, "MSTL: A Seasonal-Trend Decomposition
   Algorithm for Time Series with Multiple Seasonal Patterns", arXiv:2107.13462, 2021.
.. [3] R. J. Hyndman and A. B. Koehler, "Another look at measures of forecast accuracy",
   International Journal of Forecasting 22(4), 2006 (MASE, scaled by the in-sample seasonal
   naive error).
.. [4] N. Gans, G. Koole and A. Mandelbaum, "Telephone call centers: tutorial, review, and
   research prospects", MSOM 5(2), 2003, section 4 (daily totals times intraday profiles).
.. [5] V. Assimakopoulos and K. Nikolopoulos, "The theta model: a decomposition approach to
   forecasting", International Journal of Forecasting 16(4), 2000.
.. [6] J. M. Bates and C. W. J. Granger, "The combination of forecasts", Operational Research
   Quarterly 20(4), 1969.
.. [7] L. J. Tashman, "Out-of-sample tests of forecasting accuracy: an analysis and review",
   International Journal of Forecasting 16(4), 2000 (rolling-origin evaluation).
.. [8] B. Efron and C. Morris, "Data analysis using Stein's estimator and its generalizations",
   JASA 70(350), 1975 (positive-part James-Stein shrinkage toward a pooled estimate).
.. [9] J. Weinberg, L. D. Brown and J. R. Stroud, "Bayesian forecasting of an inhomogeneous
   Poisson process with applications to call center data", JASA 102(480), 2007 (daily volume
   times weekday intraday proportions, with the latest days setting the level).
.. [10] E. S. Gardner and E. McKenzie, "Forecasting trends in time series", Management Science
   31(10), 1985 (damped trends).
.. [11] F. X. Diebold and R. S. Mariano, "Comparing predictive accuracy", Journal of Business &
   Economic Statistics 13(3), 1995.
.. [12] D. Harvey, S. Leybourne and P. Newbold, "Testing the equality of prediction mean squared
   errors", International Journal of Forecasting 13(2), 1997 (small-sample correction, Student t).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from govex.errors import ShortHistoryError
from govex.planning._inputs import PlanningInputError

__all__ = [
    "MODELS",
    "HistoryCheck",
    "QueueForecast",
    "SeriesForecast",
    "ShortHistoryError",
    "driver_forecast",
    "forecast_daily",
    "forecast_intraday",
    "forecast_queues",
    "forecast_series",
    "mase",
    "prepare_history",
    "wape",
]

WEEK_DAYS = 7
# Daily models are fitted on the latest half-year: recent dynamics matter most for a plan, and
# the fit stays ~0.1 s per series (AutoETS over two years of days takes ~1 s).
FIT_DAYS = 182
# MSTL on intraday slots is fitted on the latest eight weeks (a few seconds at 30-minute grain).
MSTL_FIT_WEEKS = 8
# Additive season, error and trend chosen by AICc; multiplicative seasons fail on zero days.
ETS_MODEL = "ZZA"
GRAIN_SLOTS = {"day": 1, "60min": 24, "30min": 48, "15min": 96}
BASELINE = "seasonal_naive"
MODELS = (BASELINE, "profile", "profile_trend", "profile_monthly", "ets", "theta", "mstl",
          "ensemble")  # order breaks back-test ties
MODEL_NAMES = {
    BASELINE: "seasonal naive (same slot one week earlier)",
    "profile": "last 7 days x weekday shares x shrunk intraday shape",
    "profile_trend": "profile with last week's growth carried one week on",
    "profile_monthly": "profile moved as the same days four weeks earlier",
    "ets": f"AutoETS({ETS_MODEL}, 7) on daily totals",
    "theta": "AutoTheta(7) on daily totals",
    "mstl": "MSTL (daily and weekly seasons)",
    "ensemble": "mean of ETS and MSTL",
}
# What `model="auto"` chooses from. MSTL, Theta and the ETS+MSTL mean stay selectable by name but
# are not candidates: on 126 hourly call-centre holdouts (bench/forecast_callcenter.py's weeks, all
# call types) MSTL and Theta were worse than seasonal naive in 29 % and 25 % of the cases, by up
# to about 100 %, and a three-window back-test does not catch it (MSTL passed it on PS trained on
# 1-20 October and lost by 44 % on the holdout).
AUTO_MODELS = (BASELINE, "profile", "profile_trend", "profile_monthly", "ets")
# Models that need no more than one week of history; the statsforecast ones need two weekly seasons.
LIGHT_MODELS = (BASELINE, "profile", "profile_trend", "profile_monthly")
# A richer light model and the one it extends: `auto` takes it only when its back-test loss is
# lower than that one's by more than noise, a one-sided Diebold-Mariano test at RICHER_LEVEL
# (`_diebold_mariano`). The level was fixed at 0.10 before any holdout was scored, not the usual
# 0.05: the back-test has at most 28 overlapping origins, so the test has little power, and a
# richer model admitted by mistake still had to beat the baseline.
# profile_trend is not guarded: on bench/forecast_callcenter.py's holdouts (2026-12-03) guarding it
# cost 2 of the 64 fresh cases at 10 % and 4 of the small types', and made 3 more small fresh
# cases worse than naive and one more pair worse with more history.
RICHER = {"profile_monthly": "profile"}
RICHER_LEVEL = 0.10
HEAVY_MIN_DAYS = 14
# One week before the first back-test origin and at least three daily origins.
MIN_HISTORY_DAYS = WEEK_DAYS + 3
# Light models are back-tested from every day of the last four weeks; the statsforecast models,
# a few seconds per fit at intraday grain, on up to three weekly windows.
BACKTEST_DAYS = 28
BACKTEST_WINDOWS = 3
LONG_GAP_DAYS = 7
CLOSURE_EXPECTED = 10.0
BREAK_CHANGE = 0.25
OUTLIER_Z = 6.0
OUTLIER_MIN_WEEKS = 3
# profile_trend: last week's growth over the week before, at most this either way (more is a
# level shift, the history check's business), measured on at least this many days of each week.
# On the 66 hourly call-centre holdouts of bench/forecast_callcenter.py, auto fell short of a 10 %
# gain over naive in 11 cases with whole weeks required, 9 with three days, 8 with two (one case
# then 19 % worse than naive) and 13 with one.
MAX_WEEKLY_GROWTH = 0.5
TREND_MIN_DAYS = 3
# profile_monthly: the same days this many days earlier (four weeks, so weekdays match)
CYCLE_DAYS = 28
# z of the 10th and 90th percentile of a normal: the narrowest interval allowed (Poisson noise).
Z90 = 1.2816


def wape(actual, forecast) -> float:
    """Weighted absolute percentage error: sum |actual - forecast| / sum |actual| (missing actuals skipped)."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    seen = np.isfinite(actual)
    total = np.abs(actual[seen]).sum()
    return float(np.abs(actual[seen] - forecast[seen]).sum() / total) if total > 0 else float("nan")


def mase(actual, forecast, *, train, season: int) -> float:
    """Mean absolute scaled error: holdout MAE over the in-sample seasonal-naive MAE [3]_."""
    train = np.asarray(train, float)
    if train.size <= season:
        return float("nan")
    scale = np.nanmean(np.abs(train[season:] - train[:-season]))
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    mae = np.nanmean(np.abs(actual - forecast))
    return float(mae / scale) if scale > 0 else float("nan")


def _label(start, day: int, slot: int = 0, slots: int = 1) -> str:
    """A day (and slot) as a date when the series' first day is known, else as 'day N'."""
    if start is None:
        return f"day {day + 1}" + (f" slot {slot + 1}" if slots > 1 else "")
    import pandas as pd

    when = pd.Timestamp(start) + pd.Timedelta(days=day) + pd.Timedelta(days=1) / slots * slot
    return f"{when:%a %Y-%m-%d}" + (f" {when:%H:%M}" if slots > 1 else "")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in `mask`, end exclusive."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


@dataclass(frozen=True)
class HistoryCheck:
    """What `prepare_history` found and did: the cleaned series starts at day `first_day`."""

    series: np.ndarray
    first_day: int
    days: int
    findings: tuple[str, ...] = field(default=())


def _same_weekday(days: np.ndarray, weekday: np.ndarray, fn) -> np.ndarray:
    """Per day x slot, `fn` (nanmean or nanmedian) over the days of the same weekday."""
    out = np.zeros_like(days)
    for w in range(WEEK_DAYS):
        rows = days[weekday == w]
        if rows.size and np.isfinite(rows).any():
            with np.errstate(all="ignore"):
                out[weekday == w] = np.nan_to_num(fn(rows, axis=0))
    return out


def _last_long_gap(days: np.ndarray, start, findings: list) -> int:
    """First day after the last run of LONG_GAP_DAYS or more without data, or without contacts
    where the queue's volume makes that no accident (0 if none)."""
    missing = np.isnan(days).all(axis=1)
    closed = ~missing & (np.nansum(days, axis=1) == 0)
    # at least CLOSURE_EXPECTED contacts expected over the run: Poisson P(0) < 5e-5, so a closure;
    # in a sparse queue zero days are data
    daily_mean = np.nanmean(np.nansum(days, axis=1)[~missing]) if (~missing).any() else 0.0
    first = 0
    for a, b in _runs(missing | closed):
        empty = missing[a:b].all()
        if b - a >= LONG_GAP_DAYS and b < days.shape[0] and (empty or daily_mean * (b - a) >= CLOSURE_EXPECTED):
            findings.append(f"gap of {b - a} days with {'no data' if empty else 'no contacts'} ({_label(start, a)} "
                            f"to {_label(start, b - 1)}): not filled; fitted from {_label(start, b)}")
            first = b
    return first


def _fill_short_gaps(days: np.ndarray, weekday: np.ndarray, start, first: int, findings: list) -> np.ndarray:
    if not np.isnan(days).any():
        return days
    holes = _runs(np.isnan(days).all(axis=1))
    listed = ", ".join(_label(start, first + a) + (f" to {_label(start, first + b - 1)}" if b - a > 1 else "")
                       for a, b in holes[:5]) or "some slots"
    if len(holes) > 5:
        listed += f" and {len(holes) - 5} more runs ({sum(b - a for a, b in holes)} days in all)"
    findings.append(f"missing days {listed}: filled with the mean of the same weekday and slot")
    return np.where(np.isnan(days), _same_weekday(days, weekday, np.nanmean), days)


def _level_shift(days: np.ndarray, start, first: int, findings: list) -> int:
    """Days to drop before the largest clean level shift between whole weeks (0 if none)."""
    weeks = days.shape[0] // WEEK_DAYS
    if weeks < 6:
        return 0
    offset = days.shape[0] - weeks * WEEK_DAYS  # whole weeks counted back from the last day
    totals = days[offset:].sum(axis=1).reshape(weeks, WEEK_DAYS).sum(axis=1)
    best = None
    for k in range(3, weeks - 2):  # at least three weeks on each side
        before, after = totals[:k], totals[k:]
        if before.mean() <= 0:
            continue
        change = after.mean() / before.mean() - 1
        apart = after.min() > before.max() or after.max() < before.min()
        if apart and abs(change) >= BREAK_CHANGE and (best is None or abs(change) > abs(best[1])):
            best = (k, change, before.mean(), after.mean())
    if best is None:
        return 0
    k, change, before, after = best
    cut = offset + k * WEEK_DAYS
    findings.append(f"level shift of {change:+.0%} from {_label(start, first + cut)} ({before:,.0f} a week before, "
                    f"{after:,.0f} after): fitted from there")
    return cut


def _replace_outliers(days: np.ndarray, weekday: np.ndarray, start, first: int, findings: list) -> np.ndarray:
    """Slots far from the median of their weekday and slot, in variance-stabilised units
    (|y - m| / sqrt(m + 1) above OUTLIER_Z robust standard deviations), set to that median."""
    if days.shape[0] < OUTLIER_MIN_WEEKS * WEEK_DAYS:
        return days
    expected = _same_weekday(days, weekday, np.nanmedian)
    z = (days - expected) / np.sqrt(expected + 1.0)
    live = (days > 0) | (expected > 0)
    spread = 1.4826 * np.median(np.abs(z[live] - np.median(z[live]))) if live.any() else 0.0
    flagged = live & (np.abs(z) > OUTLIER_Z * max(spread, 1.0)) & (np.abs(days - expected) >= 5)
    if not flagged.any():
        return days
    slots = days.shape[1]
    worst = np.unravel_index(np.argmax(np.where(flagged, np.abs(z), -np.inf)), days.shape)
    count = int(flagged.sum())
    unit = ("interval" if slots > 1 else "day") + ("s" if count > 1 else "")
    findings.append(f"{count} outlying {unit} replaced by the median of the same weekday"
                    f"{' and slot' if slots > 1 else ''} (largest: {_label(start, first + worst[0], worst[1], slots)}, "
                    f"{days[worst]:,.0f} against {expected[worst]:,.0f})")
    return np.where(flagged, expected, days)


def prepare_history(y, *, slots: int = 1, first_weekday: int = 0, start=None) -> HistoryCheck:
    """Cut at long gaps and level shifts, impute short gaps, replace outliers; say what was done.

    `y` holds whole days of `slots` slots; NaN marks a slot with no data (not a zero). `start`
    (optional) is the date of the first day, used only to word the findings.
    """
    days = np.asarray(y, dtype=np.float64).reshape(-1, slots)
    findings: list[str] = []
    first = _last_long_gap(days, start, findings)
    days = days[first:]
    weekday = (first_weekday + first + np.arange(days.shape[0])) % WEEK_DAYS
    days = _fill_short_gaps(days, weekday, start, first, findings)
    cut = _level_shift(days, start, first, findings)
    days, weekday, first = days[cut:], weekday[cut:], first + cut
    days = _replace_outliers(days, weekday, start, first, findings)
    return HistoryCheck(days.ravel(), first, days.shape[0], tuple(findings))


# ----- models -------------------------------------------------------------------------------

def _ets(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
    from statsforecast.models import AutoETS

    train = train[-FIT_DAYS:]
    if not np.any(train):
        return np.zeros(horizon)
    model = AutoETS(season_length=season, model=ETS_MODEL)
    model.fit(train)
    return np.maximum(model.predict(horizon)["mean"], 0.0)


def _theta(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
    from statsforecast.models import AutoTheta

    train = train[-FIT_DAYS:]
    if not np.any(train):
        return np.zeros(horizon)
    model = AutoTheta(season_length=season)
    model.fit(train)
    return np.maximum(model.predict(horizon)["mean"], 0.0)


def _seasonal_naive(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
    return np.resize(train[-season:], horizon)


def _mstl(train: np.ndarray, horizon: int, slots: int) -> np.ndarray:
    from statsforecast.models import MSTL, AutoETS

    season = slots * WEEK_DAYS
    train = train[-(FIT_DAYS if slots == 1 else MSTL_FIT_WEEKS * season):]
    if not np.any(train):
        return np.zeros(horizon)
    seasons = [season] if slots == 1 else [slots, season]
    model = MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"))
    model.fit(train)
    return np.maximum(model.predict(horizon)["mean"], 0.0)


def _shapes(days: np.ndarray, weekday: np.ndarray, weeks: int) -> np.ndarray:
    """Per weekday (rows 0=Monday..6), each slot's share of the day's volume in the last `weeks`
    weeks, shrunk toward the shape pooled over the weekdays with the same opening hours.

    Weekdays are grouped by their closed slots: a slot without a contact where the shape of all
    days expects at least CLOSURE_EXPECTED (Poisson P(0) < 5e-5) is closed on that weekday, not
    noise (a short Friday, a Saturday that opens in the evening). Within a group, a weekday's own
    shape from a few weeks carries multinomial noise and the group's pooled one is steadier but
    may be wrong for that day: positive-part James-Stein [8]_ on Pearson's chi-square decides per
    weekday (a chi-square about its degrees of freedom is noise, shrunk all the way; far above
    is real, kept). Closed slots stay closed.
    """
    slots = days.shape[1]
    recent = days.shape[0] - weeks * WEEK_DAYS
    days, weekday = days[max(recent, 0):], weekday[max(recent, 0):]
    own = np.array([days[weekday == w].sum(axis=0) for w in range(WEEK_DAYS)])
    if own.sum() <= 0:
        return np.full((WEEK_DAYS, slots), 1.0 / slots)
    everything = own.sum(axis=0) / own.sum()
    closed = (own == 0) & (own.sum(axis=1, keepdims=True) * everything >= CLOSURE_EXPECTED)
    out = np.tile(everything, (WEEK_DAYS, 1))
    for w in range(WEEK_DAYS):
        total = own[w].sum()
        if total <= 0:
            continue
        group = own[(closed == closed[w]).all(axis=1)].sum(axis=0)
        pooled = group / group.sum()
        live = pooled > 0
        expected = total * pooled[live]
        chi2 = float(((own[w, live] - expected) ** 2 / expected).sum())
        keep = max(0.0, 1.0 - max(int(live.sum()) - 1, 1) / chi2) if chi2 > 0 else 0.0
        shape = np.where(closed[w], 0.0, pooled + keep * (own[w] / total - pooled))
        out[w] = shape / shape.sum()
    return out


def _weekday_shares(totals: np.ndarray, first_weekday: int, weeks: int) -> np.ndarray:
    """Each weekday's share of a week's volume, averaged over the last `weeks` whole weeks with volume."""
    whole = min(weeks, totals.size // WEEK_DAYS)
    grid = totals[totals.size - whole * WEEK_DAYS:].reshape(whole, WEEK_DAYS)
    grid = grid[grid.sum(axis=1) > 0]
    shares = np.zeros(WEEK_DAYS)
    if grid.size:
        first = (first_weekday + totals.size - whole * WEEK_DAYS) % WEEK_DAYS
        shares[(first + np.arange(WEEK_DAYS)) % WEEK_DAYS] = (grid / grid.sum(axis=1, keepdims=True)).mean(axis=0)
    return shares


def _profile(train: np.ndarray, horizon_days: int, slots: int, first_weekday: int, weeks: int,
             trend: bool = False, monthly: bool = False) -> np.ndarray:
    """The last seven days' volume, spread over the coming days by each weekday's share of the week
    and over the slots by the shrunk intraday shapes (`_shapes`).

    Seasonal naive repeats last week slot by slot, noise included; this keeps its level (the
    latest week) and averages the noise of the weekly and intraday pattern over `weeks` weeks
    (daily totals times intraday proportions, as in [4]_ and [9]_). With `trend`, the level moves
    on by the growth of the latest days (up to seven, at least TREND_MIN_DAYS) over the same
    weekdays a week earlier (within MAX_WEEKLY_GROWTH), linearly from the middle of last week for
    one week, then stays: a trend damped to nothing after a week [10]_.
    """
    days = train.reshape(-1, slots)
    weekday = (first_weekday + np.arange(days.shape[0])) % WEEK_DAYS
    totals = days.sum(axis=1)
    future = (first_weekday + days.shape[0] + np.arange(horizon_days)) % WEEK_DAYS
    level = np.full(horizon_days, totals[-WEEK_DAYS:].sum())
    # growth: the latest days (up to a week) over the same weekdays one week earlier, so the
    # weekly pattern cancels and 10 days of history already measure it (TREND_MIN_DAYS)
    latest = min(WEEK_DAYS, totals.size - WEEK_DAYS)
    before = totals[-latest - WEEK_DAYS:-WEEK_DAYS].sum() if latest >= TREND_MIN_DAYS else 0.0
    if trend and before > 0:
        growth = np.clip(totals[-latest:].sum() / before - 1.0, -MAX_WEEKLY_GROWTH, MAX_WEEKLY_GROWTH)
        # the middle day of last week is 4 days before the first day forecast
        level *= 1.0 + growth * np.minimum((np.arange(horizon_days) + 4.0) / WEEK_DAYS, 1.0)
    if monthly:
        level *= _monthly_cycle(totals, horizon_days)
    daily = level * _weekday_shares(totals, first_weekday, weeks)[future]
    return (daily[:, None] * _shapes(days, weekday, weeks)[future]).ravel()


def _monthly_cycle(totals: np.ndarray, horizon_days: int) -> np.ndarray:
    """Per coming day, the level's move in a monthly cycle: each coming week moves against the
    last one as the same days CYCLE_DAYS earlier did against the week before them (within
    MAX_WEEKLY_GROWTH); 1 without that much history."""
    factor = np.ones(horizon_days)
    then = totals.size - CYCLE_DAYS
    if then < WEEK_DAYS:
        return factor
    for k in range(0, min(horizon_days, CYCLE_DAYS), WEEK_DAYS):
        days = min(WEEK_DAYS, horizon_days - k)
        before = totals[then - WEEK_DAYS:then - WEEK_DAYS + days].sum()
        if before <= 0:
            break
        change = totals[then + k:then + k + days].sum() / before
        factor[k:k + days] = np.clip(change, 1.0 - MAX_WEEKLY_GROWTH, 1.0 + MAX_WEEKLY_GROWTH)
    return factor


def _top_down(train: np.ndarray, daily: np.ndarray, slots: int, first_weekday: int, weeks: int) -> np.ndarray:
    """Daily forecasts spread over slots by the weekday's shrunk intraday shape in recent weeks [4]_."""
    if slots == 1:
        return daily
    days = train.reshape(-1, slots)
    weekday = (first_weekday + np.arange(days.shape[0])) % WEEK_DAYS
    future = (first_weekday + days.shape[0] + np.arange(daily.size)) % WEEK_DAYS
    return (daily[:, None] * _shapes(days, weekday, weeks)[future]).ravel()


def _predict(models, train: np.ndarray, horizon_days: int, slots: int, first_weekday: int,
             profile_weeks: int, raw: np.ndarray) -> dict[str, np.ndarray]:
    """Forecasts of the `horizon_days` after `train` (whole days of `slots`, cleaned) for each
    model; the baseline repeats `raw`, the same days as loaded, so it stays the plain one."""
    with np.errstate(all="ignore"):  # statsforecast's ETS divides by zero on very short fits (sigma2)
        return _predict_quietly(models, train, horizon_days, slots, first_weekday, profile_weeks, raw)


def _predict_quietly(models, train, horizon_days, slots, first_weekday, profile_weeks, raw) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    totals = train.reshape(-1, slots).sum(axis=1)
    needed = set(models) | ({"ets", "mstl"} if "ensemble" in models else set())
    if BASELINE in needed:
        out[BASELINE] = _seasonal_naive(raw, horizon_days * slots, slots * WEEK_DAYS)
    if "profile" in needed:
        out["profile"] = _profile(train, horizon_days, slots, first_weekday, profile_weeks)
    if "profile_trend" in needed:
        out["profile_trend"] = _profile(train, horizon_days, slots, first_weekday, profile_weeks, trend=True)
    if "profile_monthly" in needed:
        out["profile_monthly"] = _profile(train, horizon_days, slots, first_weekday, profile_weeks, monthly=True)
    if "ets" in needed:
        out["ets"] = _top_down(train, _ets(totals, horizon_days, WEEK_DAYS), slots, first_weekday, profile_weeks)
    if "theta" in needed:
        out["theta"] = _top_down(train, _theta(totals, horizon_days, WEEK_DAYS), slots, first_weekday, profile_weeks)
    if "mstl" in needed:
        out["mstl"] = _mstl(train, horizon_days * slots, slots)
    if "ensemble" in needed:
        out["ensemble"] = (out["ets"] + out["mstl"]) / 2
    return {m: out[m] for m in models}


# ----- one series ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesForecast:
    """A forecast of the `horizon` periods after the history, with intervals, back-test and holdout scores."""

    forecast: np.ndarray
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    model: str
    wape: float
    mase: float
    baseline_wape: float
    baseline_mase: float
    backtest: dict  # model -> pooled back-test WAPE
    backtest_baseline: dict  # model -> the baseline's back-test WAPE on that model's windows
    backtest_days: tuple  # (first, last) day index of the chosen model's back-test windows
    train_days: tuple  # (first, last) day index the holdout model was fitted on
    holdout_days: tuple  # (first, last) day index of the holdout
    findings: tuple = ()
    forecast_model: str = ""  # the model behind `forecast` (with auto, chosen again on all the history)

    @property
    def beats_baseline(self) -> bool:
        return bool(self.wape < self.baseline_wape)

    @property
    def backtest_wape(self) -> float:
        return self.backtest[self.model]

    @property
    def baseline_backtest_wape(self) -> float:
        return self.backtest_baseline[self.model]


def _short(what: str, usable: int, need: int, holdout_days: int, findings) -> ShortHistoryError:
    why = f" ({'; '.join(findings)})" if findings else ""
    return ShortHistoryError(
        f"{what}: {usable} days of usable history before the {holdout_days}-day holdout{why}; need at least "
        f"{need} days to fit and back-test; load more history or shorten the holdout (--holdout-days)")


def _origins(n: int, models, window: int) -> list[int]:
    """Back-test origins (first day of each window) for `models` in `n` days of history: every
    day of the last BACKTEST_DAYS for the light models, after a week of history; the last
    BACKTEST_WINDOWS whole windows after HEAVY_MIN_DAYS for the others, else one shorter window
    (none when the history is too short)."""
    if all(m in LIGHT_MODELS for m in models):
        return list(range(max(WEEK_DAYS, n - BACKTEST_DAYS), n))
    whole = [o for o in (n - k * window for k in range(BACKTEST_WINDOWS, 0, -1)) if o >= HEAVY_MIN_DAYS]
    return whole or ([HEAVY_MIN_DAYS] if n > HEAVY_MIN_DAYS else [])


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin back-test [7]_: per model its pooled WAPE, the baseline's WAPE on the same
    windows, its variance-scaled errors (for the intervals), the (first, last) day scored and its
    absolute error per origin (for the noise test between models that share the windows, each
    `window` days long)."""

    wape: dict
    baseline: dict
    errors: dict
    days: dict
    losses: dict = field(default_factory=dict)
    window: int = 1

    def merged(self, other: "Backtest") -> "Backtest":
        """Both back-tests; the baseline's own entry (and the window) stays this one's."""
        mine = (self.wape, self.baseline, self.errors, self.days, self.losses)
        theirs = (other.wape, other.baseline, other.errors, other.days, other.losses)
        return Backtest(*({**b, **a} for a, b in zip(mine, theirs)), window=self.window)


def _backtest(y: np.ndarray, loaded: np.ndarray, slots: int, first_weekday: int, models, horizon_days: int,
              profile_weeks: int) -> Backtest:
    """Fit `models` and the baseline on `y` (cleaned, whole days) up to each origin (`_origins`) and
    score the next min(7, horizon) days on `loaded` (the same days as loaded, NaN where there was
    no data: an imputed day is no evidence, and naive would repeat the day it was imputed from).
    Empty when the history is too short for these models' origins."""
    raw = np.where(np.isnan(loaded), y, loaded)
    n = y.size // slots
    window = min(WEEK_DAYS, horizon_days)
    origins = _origins(n, models, window)
    scored = tuple(dict.fromkeys((BASELINE, *models)))
    losses, errors, total = {m: [] for m in scored}, {m: [] for m in scored}, 0.0
    for origin in origins:
        days = min(window, n - origin)
        actual = loaded[origin * slots:(origin + days) * slots]
        seen = np.isfinite(actual)
        preds = _predict(scored, y[:origin * slots], days, slots, first_weekday, profile_weeks, raw[:origin * slots])
        total += actual[seen].sum()
        for m, f in preds.items():
            losses[m].append(np.abs(actual - f)[seen].sum())
            errors[m].append(((actual - f) / np.sqrt(f + 1.0))[seen])
    if not origins:
        return Backtest({}, {}, {}, {})
    span = (origins[0], min(origins[-1] + window, n) - 1)
    nan = float("nan")
    return Backtest({m: sum(losses[m]) / total if total > 0 else nan for m in scored},
                    dict.fromkeys(scored, sum(losses[BASELINE]) / total if total > 0 else nan),
                    {m: np.concatenate(errors[m]) for m in scored}, dict.fromkeys(scored, span),
                    {m: np.array(losses[m]) for m in scored}, window)


def _diebold_mariano(richer: np.ndarray, simpler: np.ndarray, window: int) -> float:
    """One-sided p-value that a richer model's back-test losses (absolute error per origin) are
    lower than a simpler one's: the Diebold-Mariano test [11]_ on the per-origin differences.
    Consecutive daily origins forecast overlapping windows, so the differences are
    (window - 1)-dependent: their variance is the HAC sum of autocovariances up to lag
    window - 1 (rectangular weights, as in [11]_; lag 0 alone when that sum is not positive),
    and the statistic gets Harvey, Leybourne and Newbold's small-sample factor
    sqrt((T + 1 - 2h + h(h - 1) / T) / T) and Student t with T - 1 degrees of freedom [12]_ (h the
    window, T the origins). The mean difference is the difference of the two pooled back-test WAPEs
    times the mean actual volume per origin, so this tests the ranking `_choose` uses."""
    diff = np.asarray(richer, float) - np.asarray(simpler, float)
    origins = diff.size
    if origins < 2:
        return 1.0
    dev = diff - diff.mean()
    lags = min(window, origins) - 1
    variance = (dev @ dev + 2 * sum(dev[k:] @ dev[:-k] for k in range(1, lags + 1))) / origins
    if variance <= 0:
        window, variance = 1, dev @ dev / origins
    if variance <= 0:  # the same difference at every origin
        return 0.0 if diff.mean() < 0 else 1.0
    from scipy.special import stdtr

    factor = np.sqrt((origins + 1 - 2 * window + window * (window - 1) / origins) / origins)
    return float(stdtr(origins - 1, diff.mean() / np.sqrt(variance / origins) * factor))


def _choose(test: Backtest) -> str:
    """The light model with the lowest back-test WAPE if it beat the baseline there (they share its
    windows), a richer one (RICHER) only if it also beat the model it extends by more than noise;
    else the statsforecast model that beat the baseline by the widest ratio on its own windows,
    else the baseline: never one that lost to it (a tie is not a win).

    A short back-test ranks many models noisily, so the few that win broadly come first and the
    others are only a fallback (Kourentzes, Barrow and Petropoulos, "Another look at forecast
    selection and combination", IJPE 209, 2019); `bench/forecast_callcenter.py` measures the
    profile models as those on real call-centre history.
    """
    ratio = {m: test.wape[m] / test.baseline[m] for m in test.wape
             if m != BASELINE and test.baseline[m] > 0 and test.wape[m] < test.baseline[m]}
    light = [m for m in ratio if m in LIGHT_MODELS and (
        m not in RICHER or _diebold_mariano(test.losses[m], test.losses[RICHER[m]], test.window) < RICHER_LEVEL)]
    heavy = [m for m in ratio if m not in LIGHT_MODELS]
    return min(light or heavy, key=lambda m: (ratio[m], MODELS.index(m)), default=BASELINE)


def _intervals(point: np.ndarray, errors: np.ndarray):
    q10, q50, q90 = np.quantile(errors, [0.1, 0.5, 0.9]) if errors.size else (0.0, 0.0, 0.0)
    scale = np.sqrt(point + 1.0)
    return (np.maximum(point + min(q10, -Z90) * scale, 0.0), np.maximum(point + q50 * scale, 0.0),
            point + max(q90, Z90) * scale)


def _as_loaded(y: np.ndarray, check: HistoryCheck, slots: int) -> np.ndarray:
    """The days `check` kept, as loaded (outliers not replaced); missing slots from the cleaned series."""
    raw = y[check.first_day * slots:]
    return np.where(np.isnan(raw), check.series, raw)


def _select(y: np.ndarray, loaded: np.ndarray, slots: int, first_weekday: int, model: str, horizon_days: int,
            profile_weeks: int) -> tuple[str, Backtest]:
    """The model to use on history `y` (cleaned; `loaded` as loaded) and its back-test: `model`
    itself unless "auto", else `_choose` among AUTO_MODELS, the statsforecast ones back-tested only
    when no light model was taken."""
    candidates = AUTO_MODELS if model == "auto" else tuple(dict.fromkeys((BASELINE, model)))
    light = tuple(m for m in candidates if m in LIGHT_MODELS)
    heavy = tuple(m for m in candidates if m not in LIGHT_MODELS)
    trial = _backtest(y, loaded, slots, first_weekday, light, horizon_days, profile_weeks)
    if heavy and (model != "auto" or _choose(trial) == BASELINE):
        trial = trial.merged(_backtest(y, loaded, slots, first_weekday, heavy, horizon_days, profile_weeks))
    return (_choose(trial) if model == "auto" else model), trial


def forecast_series(y, *, slots: int = 1, first_weekday: int = 0, horizon_days: int = 14, holdout_days: int = 14,
                    model: str = "auto", profile_weeks: int = 4, start=None, what: str = "forecast") -> SeriesForecast:
    """Clean, back-test, choose, score on the holdout and forecast one series of whole days.

    `y`: volumes per slot (NaN = no data), `slots` per day, the first day's weekday (0=Monday).
    `model`: "auto" or one of MODELS. `what` names the series in errors and findings.
    """
    if model != "auto" and model not in MODELS:
        raise PlanningInputError(f"{what}: unknown model {model!r}; expected auto or one of {', '.join(MODELS)}")
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise PlanningInputError(f"{what}: expected one series, got shape {y.shape}")
    if np.isinf(y).any():
        raise PlanningInputError(f"{what}: history has infinite values at positions {np.flatnonzero(np.isinf(y))[:5]}")
    if np.any(y < 0):
        raise PlanningInputError(f"{what}: volumes cannot be negative (first at position {int(np.nanargmax(y < 0))})")
    if holdout_days < 1 or horizon_days < 1:
        raise PlanningInputError(f"{what}: holdout and horizon must be at least one day, got {holdout_days} and "
                                 f"{horizon_days}")
    if y.size % slots:
        raise PlanningInputError(f"{what}: {y.size} slots is not a whole number of {slots}-slot days")
    n_days = y.size // slots
    need = HEAVY_MIN_DAYS + 1 if model not in ("auto", *LIGHT_MODELS) else MIN_HISTORY_DAYS
    if n_days < need + holdout_days:
        raise _short(what, max(n_days - holdout_days, 0), need, holdout_days, ())
    cut = (n_days - holdout_days) * slots
    fit = prepare_history(y[:cut], slots=slots, first_weekday=first_weekday, start=start)
    if fit.days < need:
        raise _short(what, fit.days, need, holdout_days, fit.findings)
    fit_weekday = (first_weekday + fit.first_day) % WEEK_DAYS
    chosen, trial = _select(fit.series, y[fit.first_day * slots:cut], slots, fit_weekday, model, horizon_days,
                            profile_weeks)
    test = y[cut:]
    scored = _predict(tuple(dict.fromkeys((chosen, BASELINE))), fit.series, holdout_days, slots, fit_weekday,
                      profile_weeks, _as_loaded(y[:cut], fit, slots))
    # the holdout errors are out-of-sample errors of the same method too: with the back-test's they
    # set the band of the final forecast
    held = np.isfinite(test)
    errors = np.concatenate([trial.errors[chosen], (test[held] - scored[chosen][held]) /
                             np.sqrt(scored[chosen][held] + 1.0)])
    full = prepare_history(y, slots=slots, first_weekday=first_weekday, start=start)
    full_weekday = (first_weekday + full.first_day) % WEEK_DAYS
    final = chosen
    if model == "auto":  # the forecast's model is chosen again on the back-test of all the history
        final, latest = _select(full.series, y[full.first_day * slots:], slots, full_weekday, model, horizon_days,
                                profile_weeks)
        errors = errors if final == chosen else latest.errors[final]
    point = _predict((final,), full.series, horizon_days, slots, full_weekday, profile_weeks,
                     _as_loaded(y, full, slots))[final]
    p10, p50, p90 = _intervals(point, errors)
    season = slots * WEEK_DAYS
    return SeriesForecast(
        forecast=point, p10=p10, p50=p50, p90=p90, model=chosen,
        wape=wape(test, scored[chosen]), mase=mase(test, scored[chosen], train=fit.series, season=season),
        baseline_wape=wape(test, scored[BASELINE]),
        baseline_mase=mase(test, scored[BASELINE], train=fit.series, season=season),
        backtest=trial.wape, backtest_baseline=trial.baseline,
        backtest_days=tuple(fit.first_day + d for d in trial.days[chosen]),
        train_days=(fit.first_day, n_days - holdout_days - 1),
        holdout_days=(n_days - holdout_days, n_days - 1),
        findings=full.findings, forecast_model=final,
    )


def forecast_daily(y, *, horizon: int = 14, holdout: int = 14, season_length: int = WEEK_DAYS,
                   model: str = "auto", first_weekday: int = 0) -> SeriesForecast:
    """Daily volumes (NaN = no data), weekly season, model chosen by back-test unless given."""
    if season_length != WEEK_DAYS:
        raise PlanningInputError(f"daily forecast: only a weekly season (7) is supported, got {season_length}")
    return forecast_series(y, slots=1, first_weekday=first_weekday, horizon_days=horizon, holdout_days=holdout,
                           model=model, what="daily forecast")


def forecast_intraday(y, *, slots_per_day: int, first_weekday: int = 0, horizon_days: int = 7,
                      holdout_days: int = 7, profile_weeks: int = 4, model: str = "auto") -> SeriesForecast:
    """Intraday volumes (whole days of `slots_per_day` slots, first day's weekday 0=Monday)."""
    return forecast_series(y, slots=slots_per_day, first_weekday=first_weekday, horizon_days=horizon_days,
                           holdout_days=holdout_days, model=model, profile_weeks=profile_weeks,
                           what="intraday forecast")


# ----- many queues --------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueForecast:
    """Forecasts of several queues (long frame, with p10/p50/p90), their accuracy (one row per
    queue) and the queues that could not be forecast, with the reason."""

    forecast: object  # pandas DataFrame: queue, period_start, forecast, p10, p50, p90
    accuracy: object  # pandas DataFrame: one row per queue (model, scores, windows, findings)
    skipped: dict = field(default_factory=dict)  # queue -> why it has no forecast

    def text(self) -> str:
        """Per queue: model, back-test and holdout WAPE beside the naive baseline's, the verdict,
        then the training, back-test and holdout dates and what the history check found."""
        nan = float("nan")
        w = max([24, *(len(str(q)) + 2 for q in self.accuracy["queue"])])
        rows = [f"{'queue':<{w}}{'model':<16}{'back-test':>10}{'naive':>8}{'holdout':>9}{'naive':>8}{'MASE':>7}  verdict"]
        for r in self.accuracy.to_dict("records"):
            verdict = (f"{1 - r['wape'] / r['baseline_wape']:+.0%} vs naive on the holdout" if r["baseline_wape"] > 0
                       else "no volume in the holdout")
            if r["model"] == BASELINE:
                verdict = "no model beat naive on the back-test: naive used"
            rows.append(f"{r['queue']:<{w}}{r['model'][:15]:<16}{r.get('backtest_wape', nan):>10.3f}"
                        f"{r.get('baseline_backtest_wape', nan):>8.3f}{r['wape']:>9.3f}{r['baseline_wape']:>8.3f}"
                        f"{r['mase']:>7.3f}  {verdict}")
        for r in self.accuracy.to_dict("records"):
            if "train_start" in r:
                rows.append(f"{r['queue']}: trained {r['train_start']} to {r['train_end']}, back-test "
                            f"{r['backtest_start']} to {r['backtest_end']}, holdout {r['holdout_start']} to "
                            f"{r['holdout_end']}")
                if r.get("forecast_model", r["model"]) != r["model"]:
                    rows.append(f"  forecast made with {r['forecast_model']}: chosen again by the back-test on all the "
                                f"history, holdout included")
                rows += [f"  {f}" for f in r["findings"]]
        rows += [f"not forecast: {why}" for why in self.skipped.values()]
        return "\n".join(rows)


def _complete_grid(history, grain: str):
    """Pivot (queue, period_start, contacts) to whole days of slots: zero where a day has data
    but the queue had no contact, NaN on days without any record (no data, not zero)."""
    import pandas as pd

    missing = {"queue", "period_start", "contacts"} - set(history.columns)
    if missing:
        raise PlanningInputError(f"history: missing columns {sorted(missing)} (expected queue, period_start, contacts)")
    if grain not in GRAIN_SLOTS:
        raise PlanningInputError(f"grain: expected one of {', '.join(GRAIN_SLOTS)}, got {grain!r}")
    if history.empty:
        raise PlanningInputError("history: no rows to forecast from")
    slots = GRAIN_SLOTS[grain]
    step = pd.Timedelta(days=1) / slots
    starts = pd.to_datetime(history["period_start"])
    first_day, last_day = starts.min().normalize(), starts.max().normalize()
    index = pd.date_range(first_day, last_day + pd.Timedelta(days=1) - step, freq=step)
    wide = (history.assign(period_start=starts.dt.floor(step))
            .pivot_table(index="period_start", columns="queue", values="contacts", aggfunc="sum")
            .reindex(index).fillna(0.0))
    # A day without any record is missing data (NaN), not zero, when the warehouse's usual daily
    # volume makes an empty day implausible (CLOSURE_EXPECTED, as for closures); in a sparse one
    # an empty day is just a day without contacts.
    recorded = starts.dt.normalize()
    if history["contacts"].sum() / recorded.nunique() >= CLOSURE_EXPECTED:
        wide[~wide.index.normalize().isin(list(set(recorded)))] = np.nan
    return wide, slots, step


def forecast_queues(history, *, grain: str = "day", horizon_days: int = 14, holdout_days: int = 14,
                    model: str = "auto") -> QueueForecast:
    """Forecast every queue of a (queue, period_start, contacts) frame at `grain`.

    A queue whose history is too short is listed in `skipped` with the reason; when no queue
    can be forecast, that is an error with every reason.
    """
    import pandas as pd

    wide, slots, step = _complete_grid(history, grain)
    first = wide.index[0]
    future = pd.date_range(wide.index[-1] + step, periods=horizon_days * slots, freq=step)
    frames, scores = [], []

    def day(i: int) -> str:
        return f"{first + pd.Timedelta(days=int(i)):%Y-%m-%d}"

    skipped = {}
    for queue in wide.columns:
        try:
            r = forecast_series(wide[queue].to_numpy(), slots=slots, first_weekday=first.dayofweek,
                                horizon_days=horizon_days, holdout_days=holdout_days, model=model, start=first,
                                what=f"queue {queue!r}")
        except ShortHistoryError as exc:
            skipped[queue] = str(exc)
            continue
        frames.append(pd.DataFrame({"queue": queue, "period_start": future, "forecast": r.forecast,
                                    "p10": r.p10, "p50": r.p50, "p90": r.p90}))
        scores.append({"queue": queue, "model": r.model, "forecast_model": r.forecast_model, "wape": r.wape,
                       "mase": r.mase,
                       "baseline_wape": r.baseline_wape, "baseline_mase": r.baseline_mase,
                       "beats_baseline": r.beats_baseline, "backtest_wape": r.backtest_wape,
                       "baseline_backtest_wape": r.baseline_backtest_wape,
                       "backtest": {m: round(v, 6) for m, v in r.backtest.items()},
                       "train_start": day(r.train_days[0]), "train_end": day(r.train_days[1]),
                       "backtest_start": day(r.backtest_days[0]), "backtest_end": day(r.backtest_days[1]),
                       "holdout_start": day(r.holdout_days[0]), "holdout_end": day(r.holdout_days[1]),
                       "findings": list(r.findings)})
    if not frames:
        raise ShortHistoryError("; ".join(skipped.values()))
    return QueueForecast(pd.concat(frames, ignore_index=True), pd.DataFrame(scores), skipped)


def driver_forecast(orders, contacts, *, horizon_days: int = 14, holdout_days: int = 14,
                    ratio_days: int = 28) -> QueueForecast:
    """Daily contacts = forecast orders x contacts per order of each queue (last `ratio_days`).

    `orders`: (period_start, orders) per day; `contacts`: (queue, period_start, contacts) per day.
    A scenario can then change one driver (orders, or one queue's contact rate) and keep the other.
    """
    import pandas as pd

    order_wide, _, _ = _complete_grid(orders.assign(queue="orders").rename(columns={"orders": "contacts"}), "day")
    contact_wide, _, _ = _complete_grid(contacts, "day")
    order_wide, contact_wide = order_wide.fillna(0.0), contact_wide.fillna(0.0)
    days = order_wide.index.intersection(contact_wide.index)
    if days.size < 2 * WEEK_DAYS + holdout_days:
        raise PlanningInputError(f"driver forecast: orders and contacts overlap on {days.size} days; need at least "
                                 f"{2 * WEEK_DAYS + holdout_days}")
    y_orders = order_wide.loc[days, "orders"].to_numpy()
    train_orders = y_orders[:-holdout_days]
    orders_fit = _ets(train_orders, holdout_days, WEEK_DAYS)
    orders_future = _ets(y_orders, horizon_days, WEEK_DAYS)
    future = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    frames, scores = [], []
    for queue in contact_wide.columns:
        y = contact_wide.loc[days, queue].to_numpy()
        train, test = y[:-holdout_days], y[-holdout_days:]
        ratio_train = train[-ratio_days:].sum() / max(train_orders[-ratio_days:].sum(), 1e-12)
        ratio_all = y[-ratio_days:].sum() / max(y_orders[-ratio_days:].sum(), 1e-12)
        fit = orders_fit * ratio_train
        base = _seasonal_naive(train, holdout_days, WEEK_DAYS)
        point = orders_future * ratio_all
        p10, p50, p90 = _intervals(point, (test - fit) / np.sqrt(fit + 1.0))
        frames.append(pd.DataFrame({"queue": queue, "period_start": future, "forecast": point,
                                    "p10": p10, "p50": p50, "p90": p90}))
        scores.append({"queue": queue, "model": f"orders AutoETS({ETS_MODEL}, 7) x {ratio_all:.4f} contacts/order",
                       "wape": wape(test, fit), "mase": mase(test, fit, train=train, season=WEEK_DAYS),
                       "baseline_wape": wape(test, base),
                       "baseline_mase": mase(test, base, train=train, season=WEEK_DAYS),
                       "beats_baseline": wape(test, fit) < wape(test, base)})
    return QueueForecast(pd.concat(frames, ignore_index=True), pd.DataFrame(scores))
