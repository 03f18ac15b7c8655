"""Targets per metric x slice x period, and their status from pacing to date and a forecast.

A target is absolute (``target: 0.08``) or relative to the same slice's value in a baseline
period (``change: -0.10, baseline_start: 2024-01-01``). Status compares the forecast for the
whole period with the target: on track when it meets it, at risk when it misses by at most
``tolerance`` (relative), off track otherwise.

Forecast to period end: additive metrics (count, sum, distinct count) run at their daily rate to
date; ratio-type metrics (proportion, ratio, rate, mean) add the remaining days at the level of
the last 7 days to date (numerator over denominator), to the cumulative value; percentiles and
tree metrics keep their value to date.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError, Issue, IssueLevel
from govex.metrics.catalogue import CatalogueError
from govex.metrics.compute import compute_metrics, shipped_catalogue
from govex.metrics.currency import DEFAULT_REPORTING_CURRENCY, in_currency
from govex.metrics.model import Catalogue
from govex.metrics.plan import period_end
from govex.metrics.yaml_source import read_items

DEMO_TARGETS = Path(__file__).parent / "targets" / "demo.yaml"
ADDITIVE = ("count", "sum", "distinct_count")
RATIO_LIKE = ("proportion", "ratio", "rate", "mean")
RECENT_DAYS = 7


class Target(BaseModel):
    """One target: a metric, an optional slice, a period and an absolute or relative goal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: str
    period: Literal["day", "week", "month", "quarter"]
    start: dt.date = Field(description="first day of the target period")
    slice: dict[str, str] = Field(default_factory=dict)
    target: float | None = None
    change: float | None = Field(None, description="relative change vs the baseline period, e.g. -0.1")
    baseline_start: dt.date | None = Field(None, description="first day of the baseline period (same length)")
    tolerance: float = Field(0.05, ge=0, description="relative miss still counted as at risk")

    @model_validator(mode="after")
    def _one_goal(self) -> "Target":
        if (self.target is None) == (self.change is None):
            raise ValueError("give exactly one of `target` (absolute) or `change` (relative to a baseline)")
        if self.change is not None and self.baseline_start is None:
            raise ValueError("a relative target (`change`) needs `baseline_start`")
        return self


def load_targets(path: str | Path = DEMO_TARGETS, *, catalogue: Catalogue | None = None) -> list[Target]:
    """Read a targets file, checking every target against the catalogue; one error lists all issues."""
    catalogue = catalogue or shipped_catalogue()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"targets file {path} not found")
    issues: list[Issue] = []
    targets = []
    for body, origin in read_items(path, "targets", str(path), issues):
        where = origin.location(subject=f"target for {body.get('metric', '?')!r}")
        try:
            target = Target.model_validate(body)
        except ValidationError as exc:
            issues.extend(Issue(IssueLevel.ERROR, f"{'.'.join(map(str, e['loc'])) or 'target'}: {e['msg']}", where)
                          for e in exc.errors())
            continue
        if target.metric not in catalogue:
            issues.append(Issue(IssueLevel.ERROR, f"unknown metric {target.metric!r}", where))
            continue
        for dim in target.slice:
            if not catalogue.allows(target.metric, dim):
                issues.append(Issue(IssueLevel.ERROR, f"metric {target.metric!r} cannot be cut by {dim!r}", where))
        targets.append(target)
    if issues:
        raise CatalogueError(issues)
    return targets


def target_status(
    warehouse: Warehouse,
    *,
    targets: Sequence[Target],
    as_of: dt.date | str | None = None,
    catalogue: Catalogue | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> pd.DataFrame:
    """Status of each target: value to date, forecast to period end, gap, status.

    `as_of` defaults to the last day with data for the metric in the target period. Money is in
    `reporting_currency`, which also names the money units (`unit`, `business_unit`).
    """
    catalogue = catalogue or shipped_catalogue()
    as_of_d = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    return pd.DataFrame([_status_row(warehouse, t, as_of_d, catalogue, reporting_currency) for t in targets])


def _slice_rows(cube: pd.DataFrame, target: Target) -> pd.DataFrame:
    for dim, value in target.slice.items():
        cube = cube[cube[dim] == value]
    return cube


def _status_row(warehouse: Warehouse, target: Target, as_of: dt.date | None, catalogue: Catalogue, currency: str) -> dict:
    metric = catalogue[target.metric]
    end = period_end(target.start, target.period)

    def cells(start: dt.date, last: dt.date, period: str = target.period) -> pd.DataFrame:
        """The target's slice of the metric over [start, last]."""
        return _slice_rows(compute_metrics(warehouse, metrics=[target.metric], by=list(target.slice), period=period,
                                           start=start, end=last, catalogue=catalogue, reporting_currency=currency), target)

    if as_of is None:  # pace to the last day with data in the period
        daily = cells(target.start, end, "day")
        as_of = daily["period_start"].max().date() if len(daily) else target.start
    last_day = min(as_of, end)
    to_date = cells(target.start, last_day)
    goal, baseline = target.target, np.nan
    if target.change is not None:
        base = cells(target.baseline_start, period_end(target.baseline_start, target.period))
        baseline = float(base["value"].iloc[0]) if len(base) else np.nan
        goal = baseline * (1 + target.change)
    total_days = (end - target.start).days + 1
    elapsed = max((last_day - target.start).days + 1, 0)
    row = to_date.iloc[0] if len(to_date) else None
    value = float(row["value"]) if row is not None else np.nan
    recent_start = max(target.start, last_day - dt.timedelta(days=RECENT_DAYS - 1))
    recent = cells(recent_start, last_day)
    recent_days = (last_day - recent_start).days + 1
    forecast, projected_den = _forecast(metric.kind, row, recent, recent_days, elapsed, total_days, metric.per)
    meets = forecast >= goal if metric.direction == "higher" else forecast <= goal
    miss = abs(forecast - goal) / abs(goal) if goal else abs(forecast - goal)
    status = "no data" if not np.isfinite(forecast) else ("on track" if meets else ("at risk" if miss <= target.tolerance else "off track"))
    gap = forecast - goal
    business_gap = gap * projected_den / metric.per if metric.kind in ("proportion", "ratio", "rate", "mean") else (
        gap if metric.kind in ADDITIVE else np.nan)
    slice_text = ";".join(f"{k}={v}" for k, v in target.slice.items()) or "all"
    return {
        "metric": target.metric, "slice": slice_text, "period": target.period, "period_start": target.start,
        "period_end": end, "as_of": last_day, "elapsed_share": elapsed / total_days, "baseline": baseline,
        "target": goal, "value_to_date": value, "forecast": forecast, "status": status,
        "gap": gap, "gap_business": business_gap, "unit": in_currency(metric.unit, currency),
        "business_unit": in_currency(metric.business_unit or metric.unit, currency),
        "direction": metric.direction,
    }


def _forecast(kind: str, row, recent: pd.DataFrame, recent_days: int, elapsed: int, total_days: int,
              per: float) -> tuple[float, float]:
    """(forecast of the period value, projected denominator at period end)."""
    if row is None or elapsed == 0:
        return np.nan, np.nan
    remaining = total_days - elapsed
    if kind in ADDITIVE:
        return float(row["value"]) * total_days / elapsed, np.nan
    if kind not in RATIO_LIKE:
        return float(row["value"]), np.nan
    num, den = float(row["numerator"]), float(row["denominator"])
    recent_num = float(recent["numerator"].sum()) if len(recent) else 0.0
    recent_den = float(recent["denominator"].sum()) if len(recent) else 0.0
    level = recent_num / recent_den if recent_den else num / den
    rest_den = recent_den / recent_days * remaining
    forecast = (num + level * rest_den) / (den + rest_den) * per
    return float(forecast), den + rest_den


def kpi_summary(warehouse: Warehouse, *, targets_path: str | Path = DEMO_TARGETS, as_of: dt.date | str | None = None,
                reporting_currency: str = DEFAULT_REPORTING_CURRENCY) -> pd.DataFrame:
    """One line per target of a targets file (default: the shipped demo targets), for a summary print.

    Columns: metric, slice, period_start, value_to_date, target, forecast, status, gap, gap_business, business_unit.
    """
    status = target_status(warehouse, targets=load_targets(targets_path), as_of=as_of, reporting_currency=reporting_currency)
    return status[["metric", "slice", "period_start", "value_to_date", "target", "forecast", "status",
                   "gap", "gap_business", "business_unit"]]
