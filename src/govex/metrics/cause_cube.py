"""A metric's cells cut for cause localisation, read from the warehouse by the metric layer.

A rate whose numerator reaches a dimension its denominator cannot (contacts per order by contact
reason: orders have no reason) is cut with a shared denominator: each reason cell of a market is
read against that market's orders. The analysis stage receives the resulting frame
(:class:`MetricCube`) and never queries the engine itself.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.metrics.compute import compute_metrics, shipped_catalogue
from govex.metrics.dimensions import reachable_dimensions, reaches_segments
from govex.metrics.model import Catalogue, Measure, Metric
from govex.metrics.plan import PERIOD_COLUMN


@dataclass(frozen=True)
class MetricCube:
    """A metric's cells from the warehouse, and how its denominator is cut."""

    frame: pd.DataFrame
    by: tuple[str, ...]  # dimensions the cells are cut by (the metric allows them)
    denominator_by: tuple[str, ...] | None  # set when the denominator is shared across the others
    per: float


def _side_catalogue(catalogue: Catalogue, metric: str) -> Catalogue:
    """A catalogue of the metric's numerator and denominator as stand-alone count/sum metrics."""
    parent = catalogue[metric]
    metrics, origins, allowed, segment_ok = {}, {}, {}, {}
    for side, measure in catalogue.measures(metric).items():
        name = f"{metric}__{side}"
        metrics[name] = Metric(
            name=name, label=f"{parent.label} ({side})", description=f"{side} of {metric}",
            unit=parent.business_unit or parent.unit, direction=parent.direction, role=parent.role,
            category=parent.category, kind="count" if measure.expr is None else "sum", table=measure.table,
            time_column=measure.time, filters=measure.conditions, numerator=Measure(expr=measure.expr),
        )
        origins[name] = catalogue.origins[metric]
        allowed[name] = tuple(reachable_dimensions(measure.table))
        segment_ok[name] = reaches_segments(measure.table)
    return Catalogue(metrics=metrics, origins=origins, allowed=allowed, segment_ok=segment_ok)


def metric_cube(warehouse: Warehouse, *, metric: str, by: Sequence[str], period: str, start: object = None,
                end: object = None) -> MetricCube:
    """The cells of ``metric`` by ``by`` and period, cutting a rate's numerator further than its denominator.

    Dimensions the metric cannot reach are dropped, except for ratio metrics whose numerator
    reaches them: those are cut on the numerator, each cell sharing the denominator of its
    coarser cell (contact_rate by market and reason: a reason's contacts per order of the market).
    """
    catalogue = shipped_catalogue()
    if metric not in catalogue:
        compute_metrics(warehouse, metrics=[metric], by=[], period=period, start=start, end=end)  # names the error
    by = list(dict.fromkeys(by))
    allowed = [d for d in by if catalogue.allows(metric, d)]
    definition = catalogue[metric]
    measures = catalogue.measures(metric) if definition.kind != "tree" else {}
    numerator_only: list[str] = []
    if definition.kind in ("ratio", "rate", "proportion") and "denominator" in measures \
            and measures["denominator"].distinct is False and measures["numerator"].distinct is False:
        sides = _side_catalogue(catalogue, metric)
        numerator_only = [d for d in by if d not in allowed and sides.allows(f"{metric}__numerator", d)]
    if not numerator_only:
        frame = compute_metrics(warehouse, metrics=[metric], by=allowed, period=period, start=start, end=end)
        return MetricCube(frame, tuple(allowed), None, definition.per)
    dims = [d for d in by if d in allowed or d in numerator_only]
    parts = compute_metrics(warehouse, metrics=[f"{metric}__numerator"], by=dims, period=period, start=start,
                            end=end, catalogue=sides)
    dens = compute_metrics(warehouse, metrics=[f"{metric}__denominator"], by=allowed, period=period, start=start,
                           end=end, catalogue=sides)
    keys = [PERIOD_COLUMN, *allowed]
    dens = dens[keys + ["value"]].rename(columns={"value": "denominator"})
    frame = parts[[PERIOD_COLUMN, *dims, "value"]].rename(columns={"value": "numerator"}).merge(dens, on=keys, how="left")
    frame["denominator"] = frame["denominator"].fillna(0.0)
    frame["value"] = definition.per * np.divide(frame["numerator"], frame["denominator"],
                                                out=np.full(len(frame), np.nan), where=frame["denominator"] > 0)
    frame["n"] = frame["numerator"]
    frame.insert(0, "metric", metric)
    return MetricCube(frame, tuple(dims), tuple(allowed), definition.per)
