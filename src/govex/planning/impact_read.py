"""Impact of a change read from the warehouse: the unit x period panel comes from the metric layer.

The KPI is computed by `govex.metrics.compute_metrics` (its one definition, the same as every
report and dashboard), cut by the unit dimension per period; `govex.analysis.impact` then runs the
estimator and its checks on that cube.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from govex.analysis.impact import ImpactResult, estimate_cube_impact
from govex.metrics import compute_metrics


def measure_metric_impact(warehouse, *, metric: str, by: str, treated: Sequence[str], start: dt.date,
                          method: str = "did", grain: str = "week", end: dt.date | None = None,
                          catalogue=None) -> ImpactResult:
    """The change's effect on `metric` for the `treated` values of `by` from `start`, the others as controls."""
    cube = compute_metrics(warehouse, metrics=[metric], by=[by], period=grain, end=end, catalogue=catalogue)
    result = estimate_cube_impact(cube, metric=metric, by=by, treated=treated, start=start, method=method)
    result.checks["grain"] = grain
    return result
