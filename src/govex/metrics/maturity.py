"""Which periods of a metric are complete: its data reach their end and its outcomes are known.

A rate by order date counts an outcome that comes later (a delivery against its promised day): in
the last weeks of the data only the fast deliveries are in, so the late rate reads low (0% in a
partial last week). A metric's ``matures_days`` says how long its outcome takes; periods ending
after the table's last day minus that are incomplete and are left out of anomaly scans.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from govex.metrics.compute import shipped_catalogue
from govex.metrics.model import Metric
from govex.metrics.plan import PERIOD_COLUMN

PERIOD_LENGTH = {"day": "D", "week": "7D", "month": "MS", "quarter": "QS"}  # added to a period start


def last_known_day(warehouse, metric: Metric, end: object = None) -> dt.date | None:
    """The last day whose outcomes are known: the metric table's last event (or ``end``, if earlier)
    minus ``matures_days``; None for a metric without a table of its own (a tree)."""
    if metric.table is None or metric.time_column is None:
        return None
    table = warehouse.table(metric.table, purpose=f"metric {metric.name}")
    last = table[metric.time_column].max().execute()
    if last is None or pd.isna(last):
        return None
    day = pd.Timestamp(last).date()
    if end is not None:
        day = min(day, pd.Timestamp(end).date())
    return day - dt.timedelta(days=metric.matures_days)


def complete_periods(warehouse, cube: pd.DataFrame, period: str, end: object = None) -> pd.DataFrame:
    """The rows of a metric cube (``compute_metrics``) whose period is whole and whose outcomes are known."""
    catalogue = shipped_catalogue()
    keep = pd.Series(True, index=cube.index)
    for name, rows in cube.groupby("metric", sort=False):
        known = last_known_day(warehouse, catalogue[name], end) if name in catalogue else None
        if known is not None:
            starts = pd.to_datetime(rows[PERIOD_COLUMN])
            last_days = starts + pd.tseries.frequencies.to_offset(PERIOD_LENGTH[period]) - pd.Timedelta(days=1)
            keep[rows.index] = last_days.dt.date <= known
    return cube[keep]
