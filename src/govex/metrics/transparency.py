"""The counts a moderation transparency report needs, from moderation_cases through the metric layer.

Regulators ask for the number of moderation decisions by policy area, by the action taken, by how
the content was detected and whether automated means decided it, with median handling times and
appeals with their outcomes (EU Digital Services Act, Art. 15(1) and 24(1); Commission
Implementing Regulation (EU) 2024/2835 templates). Every figure is one cell of `compute_metrics`
over the whole range (``period="all"``): cases are counted by the day they were created, so the
cells add up to the table's rows in the range exactly, open cases included (action ``pending``).

Backlog age (how long open cases have waited at the data's end) needs an as-of moment the metric
layer does not have; it is read here in the engine, against the latest timestamp in the table.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics.compute import compute_metrics, shipped_catalogue
from govex.metrics.dimensions import reachable_dimensions, reaches_segments
from govex.metrics.model import Catalogue, Measure, Metric

TABLE = "moderation_cases"
BREAKDOWNS = ("policy", "decision", "detection_source", "automated")
FILES = ("transparency_cells.csv", "transparency.json")
# column -> (how the cases are counted, the shipped metric whose definition gives a median)
COUNTS: dict[str, str | None] = {
    "cases": None,
    "decided": "decision != 'pending'",
    "appeals_filed": "appeal_filed == true",
    "appeals_decided": "appeal_outcome in ('upheld', 'overturned')",
    "overturned": "appeal_outcome == 'overturned'",
}
MEDIANS = {"median_hours_to_action": "moderation_time_to_action_p50_h"}
HANDLE_TIME = "median_handle_time_s"


@dataclass(frozen=True)
class Transparency:
    """The cross-tab of counts (one row per policy x action x detection source x automated) and the totals."""

    cells: pd.DataFrame
    totals: dict[str, pd.DataFrame]  # breakdown -> one row per value, with its own medians
    overall: dict[str, float | int | None]
    start: dt.date | None
    end: dt.date | None
    backlog_age_days_median: float | None

    def to_json(self) -> dict:
        def records(frame: pd.DataFrame) -> list[dict]:
            return json.loads(frame.to_json(orient="records"))

        return {
            "table": TABLE, "counted_by": "created_at", "start": _iso(self.start), "end": _iso(self.end),
            "overall": self.overall, "backlog_age_days_median": self.backlog_age_days_median,
            "by": {name: records(frame) for name, frame in self.totals.items()},
            "cells": records(self.cells),
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _catalogue() -> Catalogue:
    """Count metrics and medians on the creation date, the medians taken from the shipped definitions."""
    shipped = shipped_catalogue()
    metrics: dict[str, Metric] = {}
    for column, where in COUNTS.items():
        metrics[column] = Metric(
            name=column, label=column, description=f"moderation cases: {column}", unit="cases", direction="lower",
            role="input", category="trust", kind="count", table=TABLE, time_column="created_at",
            numerator=Measure(where=where))
    for column, source in MEDIANS.items():
        metrics[column] = shipped[source].model_copy(update={"name": column, "time_column": "created_at"})
    metrics[HANDLE_TIME] = Metric(
        name=HANDLE_TIME, label="median handle time", description="median reviewer handle time of human decisions",
        unit="seconds", direction="lower", role="input", category="efficiency", kind="percentile", quantile=0.5,
        table=TABLE, time_column="created_at", filters=("not_null(handle_time_s)",),
        numerator=Measure(expr="handle_time_s"))
    dims = tuple(reachable_dimensions(TABLE))
    return Catalogue(metrics=metrics, origins={name: shipped.origins[next(iter(MEDIANS.values()))] for name in metrics},
                     allowed={name: dims for name in metrics}, segment_ok={name: reaches_segments(TABLE) for name in metrics})


def _wide(warehouse: Warehouse, by: list[str], start, end) -> pd.DataFrame:
    cube = compute_metrics(warehouse, metrics=[*COUNTS, *MEDIANS, HANDLE_TIME], by=by, period="all", start=start,
                           end=end, catalogue=_catalogue())
    if cube.empty:
        return pd.DataFrame(columns=[*by, *COUNTS, *MEDIANS, HANDLE_TIME])
    wide = cube.pivot_table(index=by, columns="metric", values="value", aggfunc="first", dropna=False) if by else \
        cube.set_index("metric")["value"].to_frame().T
    wide = wide.reindex(columns=[*COUNTS, *MEDIANS, HANDLE_TIME]).rename_axis(columns=None)
    wide[list(COUNTS)] = wide[list(COUNTS)].fillna(0).astype("int64")
    wide = wide[wide["cases"] > 0]
    return wide.reset_index() if by else wide.reset_index(drop=True)


def transparency_counts(warehouse: Warehouse, *, start: dt.date | None = None, end: dt.date | None = None) -> Transparency:
    """Cases created from `start` to `end` (inclusive; default: all) by policy, action, detection source, automated."""
    if not warehouse.has(TABLE):
        raise ConfigError(f"the transparency export needs the {TABLE} table; the warehouse has none")
    cells = _wide(warehouse, list(BREAKDOWNS), start, end).sort_values(list(BREAKDOWNS), kind="stable")
    totals = {dim: _wide(warehouse, [dim], start, end).sort_values(dim, kind="stable").reset_index(drop=True)
              for dim in BREAKDOWNS}
    overall = _wide(warehouse, [], start, end)
    overall_row: dict[str, float | int | None] = dict.fromkeys([*COUNTS, *MEDIANS, HANDLE_TIME])
    if len(overall):
        row = overall.iloc[0]
        overall_row = {k: int(row[k]) for k in COUNTS} | {k: None if pd.isna(row[k]) else float(row[k])
                                                           for k in (*MEDIANS, HANDLE_TIME)}
    return Transparency(cells.reset_index(drop=True), totals, overall_row, start, end,
                        _backlog_age(warehouse, start, end))


def _backlog_age(warehouse: Warehouse, start, end) -> float | None:
    """Median days open cases have waited, at the latest creation or decision time in the table."""
    cases = warehouse.table(TABLE, purpose="transparency export")
    as_of = ibis.greatest(cases["created_at"].max(), cases["decided_at"].max())
    scope = cases
    if start is not None:
        scope = scope.filter(scope["created_at"].date() >= start)
    if end is not None:
        scope = scope.filter(scope["created_at"].date() <= end)
    ages = scope.filter(scope["decision"] == "pending").select(
        seconds=(as_of.as_scalar().epoch_seconds() - scope["created_at"].epoch_seconds()).cast("float64"))
    frame = ages.execute()
    if frame.empty:
        return None
    # the lower median (an order statistic, as the metric layer's percentiles), in days
    ordered = frame["seconds"].sort_values(kind="stable").to_numpy()
    return round(float(ordered[(len(ordered) + 1) // 2 - 1]) / 86400.0, 3)


def write_transparency(result: Transparency, out_dir: str | os.PathLike) -> list[Path]:
    """Write the cells as CSV and everything as JSON, each renamed into place only when both are complete."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a directory; give a directory path")
    rendered = {
        FILES[0]: result.cells.to_csv(index=False),
        FILES[1]: json.dumps(result.to_json(), indent=2) + "\n",
    }
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".transparency-", dir=out))
    try:
        for name, text in rendered.items():
            (staging / name).write_text(text, encoding="utf-8")
        for name in rendered:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in rendered]
