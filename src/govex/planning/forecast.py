"""Volume forecasts per queue, daily and intraday, with holdout accuracy beside every forecast.

Daily volumes get an AutoETS model with an additive weekly season (statsforecast), fitted on
the latest half-year. Intraday volumes are
forecast top-down: the daily forecast times the weekday's intraday profile (share of the day's
volume in each slot, averaged over recent weeks), which carries both the weekly and the intraday
season at the cost of one daily model; `intraday_method="mstl"` fits statsforecast's MSTL on the
slots directly instead (seasons of one day and one week; several seconds per long series).
Every forecast is scored on a holdout (the last days of history, refitted without them): WAPE
and MASE, next to the same scores of a seasonal-naive forecast (same slot one week earlier).
A driver-based forecast multiplies an orders forecast by each queue's contacts per order.

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
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.planning._inputs import PlanningInputError

__all__ = [
    "QueueForecast",
    "SeriesForecast",
    "driver_forecast",
    "forecast_daily",
    "forecast_intraday",
    "forecast_queues",
    "mase",
    "wape",
]

WEEK_DAYS = 7
# Daily models are fitted on the latest half-year: recent dynamics matter most for a plan, and
# the fit stays ~0.1 s per series (AutoETS over two years of days takes ~1 s).
FIT_DAYS = 182
# Additive season, error and trend chosen by AICc; multiplicative seasons fail on zero days.
ETS_MODEL = "ZZA"
GRAIN_SLOTS = {"day": 1, "60min": 24, "30min": 48, "15min": 96}


def wape(actual, forecast) -> float:
    """Weighted absolute percentage error: sum |actual - forecast| / sum |actual|."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    total = np.abs(actual).sum()
    return float(np.abs(actual - forecast).sum() / total) if total > 0 else float("nan")


def mase(actual, forecast, *, train, season: int) -> float:
    """Mean absolute scaled error: holdout MAE over the in-sample seasonal-naive MAE [3]_."""
    train = np.asarray(train, float)
    if train.size <= season:
        return float("nan")
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    mae = np.mean(np.abs(np.asarray(actual, float) - np.asarray(forecast, float)))
    return float(mae / scale) if scale > 0 else float("nan")


@dataclass(frozen=True)
class SeriesForecast:
    """A forecast of the `horizon` periods after the history, with holdout accuracy."""

    forecast: np.ndarray
    model: str
    wape: float
    mase: float
    baseline_wape: float
    baseline_mase: float

    @property
    def beats_baseline(self) -> bool:
        return bool(self.wape < self.baseline_wape)


def _check_history(y, *, season: int, holdout: int, what: str) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise PlanningInputError(f"{what}: expected one series, got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise PlanningInputError(f"{what}: history has missing or infinite values at {np.flatnonzero(~np.isfinite(y))[:5]}")
    if np.any(y < 0):
        raise PlanningInputError(f"{what}: volumes cannot be negative (first at position {int(np.argmax(y < 0))})")
    if holdout < 1:
        raise PlanningInputError(f"{what}: holdout must be at least one period, got {holdout}")
    need = 2 * season + holdout
    if y.size < need:
        raise PlanningInputError(
            f"{what}: {y.size} periods of history; need at least {need} (two seasons of {season} plus the "
            f"{holdout}-period holdout)"
        )
    return y


def _ets(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
    from statsforecast.models import AutoETS

    train = train[-FIT_DAYS:]
    if not np.any(train):
        return np.zeros(horizon)
    model = AutoETS(season_length=season, model=ETS_MODEL)
    model.fit(train)
    return np.maximum(model.predict(horizon)["mean"], 0.0)


def _seasonal_naive(train: np.ndarray, horizon: int, season: int) -> np.ndarray:
    last = train[-season:]
    return np.resize(last, horizon)


def forecast_daily(y, *, horizon: int = 14, holdout: int = 14, season_length: int = WEEK_DAYS) -> SeriesForecast:
    """AutoETS with a weekly season on daily volumes [1]_, scored on the last `holdout` days."""
    y = _check_history(y, season=season_length, holdout=holdout, what="daily forecast")
    train, test = y[:-holdout], y[-holdout:]
    fit = _ets(train, holdout, season_length)
    base = _seasonal_naive(train, holdout, season_length)
    return SeriesForecast(
        forecast=_ets(y, horizon, season_length),
        model=f"AutoETS({ETS_MODEL}, season_length={season_length})",
        wape=wape(test, fit),
        mase=mase(test, fit, train=train, season=season_length),
        baseline_wape=wape(test, base),
        baseline_mase=mase(test, base, train=train, season=season_length),
    )


def _intraday_top_down(train: np.ndarray, horizon_days: int, slots: int, first_weekday: int, weeks: int):
    days = train.reshape(-1, slots)
    totals = days.sum(axis=1)
    daily = _ets(totals, horizon_days, WEEK_DAYS)
    weekday = (first_weekday + np.arange(days.shape[0])) % WEEK_DAYS
    recent = np.arange(days.shape[0]) >= days.shape[0] - weeks * WEEK_DAYS
    profiles = np.full((WEEK_DAYS, slots), 1.0 / slots)
    for w in range(WEEK_DAYS):
        rows = days[(weekday == w) & recent]
        if rows.sum() > 0:
            profiles[w] = rows.sum(axis=0) / rows.sum()
    future_weekday = (first_weekday + days.shape[0] + np.arange(horizon_days)) % WEEK_DAYS
    return (daily[:, None] * profiles[future_weekday]).ravel()


def _intraday_mstl(train: np.ndarray, horizon_days: int, slots: int) -> np.ndarray:
    from statsforecast.models import MSTL, AutoETS

    if not np.any(train):
        return np.zeros(horizon_days * slots)
    model = MSTL(season_length=[slots, slots * WEEK_DAYS], trend_forecaster=AutoETS(model="ZZN"))
    model.fit(train)
    return np.maximum(model.predict(horizon_days * slots)["mean"], 0.0)


def forecast_intraday(
    y,
    *,
    slots_per_day: int,
    first_weekday: int = 0,
    horizon_days: int = 7,
    holdout_days: int = 7,
    profile_weeks: int = 4,
    intraday_method: str = "profile",
) -> SeriesForecast:
    """Intraday volumes (whole days of `slots_per_day` slots, first day's weekday 0=Monday) [4]_."""
    if intraday_method not in ("profile", "mstl"):
        raise PlanningInputError(f"intraday_method: expected 'profile' or 'mstl', got {intraday_method!r}")
    season = slots_per_day * WEEK_DAYS
    y = _check_history(y, season=season, holdout=holdout_days * slots_per_day, what="intraday forecast")
    if y.size % slots_per_day:
        raise PlanningInputError(f"intraday forecast: {y.size} slots is not a whole number of {slots_per_day}-slot days")
    cut = y.size - holdout_days * slots_per_day
    train, test = y[:cut], y[cut:]

    def run(history: np.ndarray, days: int) -> np.ndarray:
        if intraday_method == "mstl":
            return _intraday_mstl(history, days, slots_per_day)
        return _intraday_top_down(history, days, slots_per_day, first_weekday, profile_weeks)

    fit = run(train, holdout_days)
    base = _seasonal_naive(train, test.size, season)
    name = (f"AutoETS({ETS_MODEL}, 7) daily x weekday intraday profile" if intraday_method == "profile"
            else f"MSTL(season_length=[{slots_per_day}, {season}])")
    return SeriesForecast(
        forecast=run(y, horizon_days),
        model=name,
        wape=wape(test, fit),
        mase=mase(test, fit, train=train, season=season),
        baseline_wape=wape(test, base),
        baseline_mase=mase(test, base, train=train, season=season),
    )


@dataclass(frozen=True)
class QueueForecast:
    """Forecasts of several queues (long frame) and their holdout accuracy (one row per queue)."""

    forecast: object  # pandas DataFrame: queue, period_start, forecast
    accuracy: object  # pandas DataFrame: queue, model, wape, mase, baseline_wape, baseline_mase, beats_baseline

    def text(self) -> str:
        rows = [f"{'queue':<28}{'WAPE':>8}{'MASE':>8}{'naive WAPE':>12}{'naive MASE':>12}  model"]
        for r in self.accuracy.itertuples():
            rows.append(f"{r.queue:<28}{r.wape:>8.3f}{r.mase:>8.3f}{r.baseline_wape:>12.3f}{r.baseline_mase:>12.3f}"
                        f"  {r.model}")
        return "\n".join(rows)


def _complete_grid(history, grain: str):
    """Pivot (queue, period_start, contacts) to whole days of slots, missing periods as zero."""
    import pandas as pd

    missing = {"queue", "period_start", "contacts"} - set(history.columns)
    if missing:
        raise PlanningInputError(f"history: missing columns {sorted(missing)} (expected queue, period_start, contacts)")
    if grain not in GRAIN_SLOTS:
        raise PlanningInputError(f"grain: expected one of {', '.join(GRAIN_SLOTS)}, got {grain!r}")
    slots = GRAIN_SLOTS[grain]
    step = pd.Timedelta(days=1) / slots
    starts = pd.to_datetime(history["period_start"])
    first_day, last_day = starts.min().normalize(), starts.max().normalize()
    index = pd.date_range(first_day, last_day + pd.Timedelta(days=1) - step, freq=step)
    wide = (history.assign(period_start=starts.dt.floor(step))
            .pivot_table(index="period_start", columns="queue", values="contacts", aggfunc="sum")
            .reindex(index, fill_value=0.0).fillna(0.0))
    return wide, slots, step


def forecast_queues(history, *, grain: str = "day", horizon_days: int = 14, holdout_days: int = 14,
                    intraday_method: str = "profile") -> QueueForecast:
    """Forecast every queue of a (queue, period_start, contacts) frame at `grain`."""
    import pandas as pd

    wide, slots, step = _complete_grid(history, grain)
    first = wide.index[0]
    future = pd.date_range(wide.index[-1] + step, periods=horizon_days * slots, freq=step)
    frames, scores = [], []
    for queue in wide.columns:
        y = wide[queue].to_numpy()
        if slots == 1:
            result = forecast_daily(y, horizon=horizon_days, holdout=holdout_days)
        else:
            result = forecast_intraday(y, slots_per_day=slots, first_weekday=first.dayofweek,
                                       horizon_days=horizon_days, holdout_days=holdout_days,
                                       intraday_method=intraday_method)
        frames.append(pd.DataFrame({"queue": queue, "period_start": future, "forecast": result.forecast}))
        scores.append({"queue": queue, "model": result.model, "wape": result.wape, "mase": result.mase,
                       "baseline_wape": result.baseline_wape, "baseline_mase": result.baseline_mase,
                       "beats_baseline": result.beats_baseline})
    return QueueForecast(pd.concat(frames, ignore_index=True), pd.DataFrame(scores))


def driver_forecast(orders, contacts, *, horizon_days: int = 14, holdout_days: int = 14,
                    ratio_days: int = 28) -> QueueForecast:
    """Daily contacts = forecast orders x contacts per order of each queue (last `ratio_days`).

    `orders`: (period_start, orders) per day; `contacts`: (queue, period_start, contacts) per day.
    A scenario can then change one driver (orders, or one queue's contact rate) and keep the other.
    """
    import pandas as pd

    order_wide, _, _ = _complete_grid(orders.assign(queue="orders").rename(columns={"orders": "contacts"}), "day")
    contact_wide, _, _ = _complete_grid(contacts, "day")
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
        frames.append(pd.DataFrame({"queue": queue, "period_start": future, "forecast": orders_future * ratio_all}))
        scores.append({"queue": queue, "model": f"orders AutoETS({ETS_MODEL}, 7) x {ratio_all:.4f} contacts/order",
                       "wape": wape(test, fit), "mase": mase(test, fit, train=train, season=WEEK_DAYS),
                       "baseline_wape": wape(test, base),
                       "baseline_mase": mase(test, base, train=train, season=WEEK_DAYS),
                       "beats_baseline": wape(test, fit) < wape(test, base)})
    return QueueForecast(pd.concat(frames, ignore_index=True), pd.DataFrame(scores))
