"""Targets proposed from a metric's monthly history, with the probability of hitting each.

The history is fitted by ordinary least squares with a linear trend and, given at least two
years, a calendar-month effect: y_t = a + b t + s_month(t) + e_t. For the target month the
forecast is a Student t with n - p degrees of freedom around the fitted value, with the
prediction standard error sigma sqrt(1 + x0' (X'X)^-1 x0) (the textbook OLS prediction
interval, e.g. Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., 7.6),
so the spread of what was achieved sets how ambitious each level is. A level "hit with
probability q" is the one the metric beats with that probability: for a metric to lower,
P(Y <= level) = q. Stretch, base and safe targets are the 25 %, 50 % and 75 % levels.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from govex.planning._inputs import PlanningInputError

LEVELS = {"stretch": 0.25, "base": 0.5, "safe": 0.75}


@dataclass(frozen=True)
class TargetProposal:
    """`levels`: label, level, probability (of hitting it); `fit`: what the forecast rests on."""

    metric: str
    month: str
    direction: str
    levels: pd.DataFrame
    forecast: float
    standard_error: float
    trend_per_month: float
    seasonal: bool
    observations: int

    def text(self) -> str:
        word = "at most" if self.direction == "lower" else "at least"
        lines = [f"{self.metric} in {self.month}: forecast {self.forecast:.4g} (standard error "
                 f"{self.standard_error:.3g}; trend {self.trend_per_month:+.3g} a month; "
                 f"{'with' if self.seasonal else 'no'} calendar-month effects; {self.observations} months)"]
        for r in self.levels.itertuples():
            lines.append(f"  {r.label:<10}{word} {r.level:<12.4g}probability {r.probability:.0%}")
        return "\n".join(lines)


def propose_targets(history: pd.DataFrame, *, metric: str, month: str, direction: Literal["lower", "raise"],
                    targets: list[float] = ()) -> TargetProposal:
    """Stretch/base/safe levels for `month` (YYYY-MM) and the probability of each given target.

    `history` has a `month` column (YYYY-MM or dates) and the metric's column, one row a month.
    """
    from scipy import stats

    if direction not in ("lower", "raise"):
        raise PlanningInputError(f"direction: expected lower or raise, got {direction!r}")
    if metric not in history.columns or "month" not in history.columns:
        raise PlanningInputError(f"history: expected columns month and {metric}, got {', '.join(history.columns)}")
    periods = pd.PeriodIndex(pd.to_datetime(history["month"].astype(str)), freq="M")
    values = pd.to_numeric(history[metric], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        row = int(np.flatnonzero(np.isnan(values))[0])
        raise PlanningInputError(f"history row {row + 2}: {metric} is not a number")
    if periods.has_duplicates:
        raise PlanningInputError("history: a month appears twice")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
        raise PlanningInputError(f"month: expected YYYY-MM, got {month!r}")
    target = pd.Period(month, freq="M")
    start = periods.min()
    t = np.array([(p - start).n for p in periods], dtype=float)
    t0 = float((target - start).n)
    if t0 <= t.max():
        raise PlanningInputError(f"month {month} is not after the history (last {periods.max()})")
    seasonal = len(values) >= 24 and periods.month.nunique() == 12
    design = lambda times, months: np.column_stack(  # noqa: E731
        [np.ones_like(times), times] + ([np.asarray(months) == m for m in range(2, 13)] if seasonal else []))
    x = design(t, periods.month).astype(float)
    dof = len(values) - x.shape[1]
    if dof < 2:
        raise PlanningInputError(f"history: {len(values)} months are too few for a trend"
                                 f"{' and calendar-month effects' if seasonal else ''}; give at least {x.shape[1] + 2}")
    coef, *_ = np.linalg.lstsq(x, values, rcond=None)
    resid = values - x @ coef
    sigma = float(np.sqrt(resid @ resid / dof))
    x0 = design(np.array([t0]), [target.month]).astype(float)[0]
    forecast = float(x0 @ coef)
    se = sigma * float(np.sqrt(1 + x0 @ np.linalg.solve(x.T @ x, x0)))
    dist = stats.t(dof, loc=forecast, scale=se)

    def probability(level: float) -> float:
        return float(dist.cdf(level) if direction == "lower" else dist.sf(level))

    rows = [(label, float(dist.ppf(q) if direction == "lower" else dist.isf(q)), q) for label, q in LEVELS.items()]
    rows += [("given", float(v), probability(float(v))) for v in targets]
    levels = pd.DataFrame(rows, columns=["label", "level", "probability"])
    return TargetProposal(metric, str(target), direction, levels, forecast, se, float(coef[1]), seasonal, len(values))
