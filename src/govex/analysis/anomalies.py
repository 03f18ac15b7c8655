"""KPI anomaly detection on metric time series, and the expected values that root-cause analysis needs.

Baseline: the median of the same seasonal position over the previous ``n_seasons`` seasons
(e.g. the same weekday of the last four weeks), which a single past outlier cannot drag.
Score: the residual divided by a robust scale, the MAD of the series' own past residuals
(trailing window, so the point being scored never sets its own scale). Alerts need both
``|score| >= threshold`` and a volume of at least ``min_volume`` (a rate on 12 orders is noise).

References
----------
.. [1] Hampel, F. R. (1974), "The influence curve and its role in robust estimation", JASA 69.
.. [2] Hochenbaum, Vallis & Kejariwal (2017), "Automatic anomaly detection in the cloud via
   statistical learning" (seasonal decomposition with median and MAD), arXiv:1704.07706.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govex.analysis._cube import check_columns, numeric_column
from govex.errors import ConfigError

_MAD_TO_SD = 1.4826


def _seasonal_median(values: np.ndarray, season_length: int, n_seasons: int) -> np.ndarray:
    lags = np.full((values.size, n_seasons), np.nan)
    for j in range(1, n_seasons + 1):
        shift = j * season_length
        if shift < values.size:
            lags[shift:, j - 1] = values[:-shift]
    with np.errstate(all="ignore"):
        out = np.nanmedian(np.where(np.isnan(lags).all(axis=1, keepdims=True), 0.0, lags), axis=1)
    out[np.isnan(lags).all(axis=1)] = np.nan
    return out


def _trailing_scale(residuals: np.ndarray, window: int, min_points: int) -> np.ndarray:
    series = pd.Series(residuals)
    past = series.shift(1)
    median = past.rolling(window, min_periods=min_points).median()
    mad = (past - median).abs().rolling(window, min_periods=min_points).median()
    return (_MAD_TO_SD * mad).to_numpy()


PERIODS_PER_YEAR = {"day": 364, "week": 52, "month": 12, "quarter": 4}  # 364 days: same weekday a year back
EXPECTED_KINDS = ("previous", "last-year", "forecast")


@dataclass(frozen=True)
class ExpectedValue:
    """Which earlier periods form the expected value of a period, and how to say so.

    ``lags`` are counted back from the period explained; several lags are pooled (root-cause
    analysis) or their median taken (anomaly scores).
    """

    kind: str
    lags: tuple[int, ...]
    description: str

    @property
    def season_length(self) -> int:
        return self.lags[0]

    @property
    def n_seasons(self) -> int:
        return len(self.lags)


def expected_value(kind: str, *, period: str, periods: int = 4, season_length: int = 1) -> ExpectedValue:
    """The expected value a user chose: the previous period, the same period last year, or a forecast.

    The forecast is the seasonal naive-median forecast: the same season position in each of the
    ``periods`` previous seasons (``season_length`` periods long; 1 for no season), the median
    of which is robust to one past outlier (Hyndman & Athanasopoulos, "Forecasting: principles
    and practice", 3rd ed., section 5.2, simple forecasting methods).
    """
    if period not in PERIODS_PER_YEAR:
        raise ConfigError(f"period {period!r}: use {', '.join(PERIODS_PER_YEAR)}")
    if kind == "previous":
        return ExpectedValue(kind, (1,), f"previous {period}")
    if kind == "last-year":
        return ExpectedValue(kind, (PERIODS_PER_YEAR[period],), f"same {period} last year")
    if kind == "forecast":
        if periods < 1 or season_length < 1:
            raise ConfigError(f"a forecast needs periods >= 1 and season length >= 1, got {periods}, {season_length}")
        where = (f"the same {period} of each of the {periods} previous seasons of {season_length} {period}s"
                 if season_length > 1 else f"the {periods} previous {period}s")
        return ExpectedValue(kind, tuple(j * season_length for j in range(1, periods + 1)), f"forecast from {where}")
    raise ConfigError(f"expected value {kind!r}: use {', '.join(EXPECTED_KINDS)}")


def seasonal_baseline(values: Sequence[float], *, season_length: int = 7, n_seasons: int = 4) -> np.ndarray:
    """Expected value of every point: median of the same season position in the previous seasons."""
    if season_length < 1 or n_seasons < 1:
        raise ConfigError(f"season_length and n_seasons must be >= 1, got {season_length}, {n_seasons}")
    return _seasonal_median(np.asarray(values, dtype=np.float64), season_length, n_seasons)


def detect_anomalies(
    series: pd.DataFrame,
    *,
    time: str = "period_start",
    value: str = "value",
    volume: str | None = None,
    by: Sequence[str] = (),
    season_length: int = 7,
    n_seasons: int = 4,
    window: int = 28,
    threshold: float = 4.0,
    min_volume: float = 0.0,
) -> pd.DataFrame:
    """Score every point of one or several metric series against a seasonal robust baseline.

    Parameters
    ----------
    series : long frame, one row per period (and per group of ``by``).
    time, value : period column and metric column.
    volume : optional column of the metric's volume (e.g. its denominator) for ``min_volume``.
    by : columns identifying separate series (e.g. ``metric``, ``market``).
    season_length, n_seasons : seasonal period in rows (7 for daily data with a weekly cycle,
        1 for none) and how many past seasons the median looks at.
    window : past residuals used for the scale.
    threshold : robust z beyond which a point is an alert.
    min_volume : smallest volume for an alert.

    Returns
    -------
    The input columns plus ``expected``, ``residual``, ``scale``, ``score`` and ``is_alert``,
    sorted by ``by`` and ``time``. Points without enough history have NaN score and no alert.
    """
    by = list(by)
    measures = [value] + ([volume] if volume else [])
    check_columns(series, dims=by + [time], measures=measures, what="series")
    frame = series.copy()
    frame[value] = numeric_column(frame, value, what="series", nonnegative=False)
    frame = frame.sort_values(by + [time], kind="stable", ignore_index=True)
    expected = np.full(len(frame), np.nan)
    scale = np.full(len(frame), np.nan)
    groups = frame.groupby(by, sort=False).indices.values() if by else [np.arange(len(frame))]
    for rows in groups:
        y = frame[value].to_numpy(np.float64)[rows]
        base = _seasonal_median(y, season_length, n_seasons)
        expected[rows] = base
        scale[rows] = _trailing_scale(y - base, window, min_points=max(5, window // 4))
    frame["expected"] = expected
    frame["residual"] = frame[value] - expected
    floor = 1e-9 * np.maximum(np.abs(expected), 1.0)
    frame["scale"] = np.maximum(scale, floor)
    frame["score"] = frame["residual"] / frame["scale"]
    volume_ok = frame[volume].to_numpy(np.float64) >= min_volume if volume else np.ones(len(frame), dtype=bool)
    frame["is_alert"] = (np.abs(frame["score"]) >= threshold) & volume_ok & np.isfinite(frame["score"])
    return frame


def alerts(scored: pd.DataFrame) -> pd.DataFrame:
    """The alerting rows of :func:`detect_anomalies`, largest absolute score first."""
    hits = scored[scored["is_alert"]]
    return hits.reindex(hits["score"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def expected_cube(
    history: pd.DataFrame,
    *,
    time: str,
    dims: Sequence[str],
    measures: Sequence[str],
    at: object,
    season_length: int = 7,
    n_seasons: int = 4,
) -> pd.DataFrame:
    """Actual and seasonal-baseline expected values of every leaf cell at period ``at``.

    The output feeds :func:`govex.analysis.rca.localize_root_causes`: for each measure M it has
    ``M`` (actual at ``at``) and ``M_expected`` (median of the same season position in the
    previous ``n_seasons`` seasons; a cell absent in a past period counts as 0 there).
    """
    dims, measures = list(dims), list(measures)
    check_columns(history, dims=dims + [time], measures=measures, what="history")
    periods = np.sort(history[time].unique())
    if at not in set(periods.tolist()) and pd.Timestamp(at) not in set(pd.to_datetime(periods)):
        raise ConfigError(f"period {at!r} is not in the history (it has {periods[0]} .. {periods[-1]})")
    position = int(np.flatnonzero(pd.to_datetime(periods) == pd.Timestamp(at))[0])
    past = [position - j * season_length for j in range(1, n_seasons + 1) if position - j * season_length >= 0]
    if not past:
        raise ConfigError(f"period {at!r} has no earlier season in the history; need {season_length} earlier periods")
    wide = history.pivot_table(index=dims, columns=time, values=measures, aggfunc="sum", fill_value=0.0)
    out = pd.DataFrame(index=wide.index)
    for m in measures:
        block = wide[m]
        out[m] = block.iloc[:, position].to_numpy()
        out[f"{m}_expected"] = np.median(block.iloc[:, past].to_numpy(), axis=1)
    return out.reset_index()
