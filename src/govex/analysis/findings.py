"""What moved and why, on metric cubes: a metric's change between two periods localised to cells.

Works on the long frame of ``govex.metrics.compute_metrics`` (metric, period_start, dims...,
numerator, denominator, value). Ratio metrics (a denominator that varies) are localised as rates
(numerator / denominator against the earlier period's rate at today's volume, so growth of a
cell is not mistaken for a cause); other metrics on their numerator as an additive measure.
:func:`what_moved` runs the whole loop on a warehouse: anomaly scan of each metric's overall
series, then root-cause localisation of each alert against the seasonal baseline.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govex.analysis.anomalies import alerts, detect_anomalies
from govex.analysis.rca import Localization, localize_root_causes
from govex.errors import ConfigError

PERIOD_COLUMN = "period_start"


def _period_rows(cube: pd.DataFrame, metric: str, period: object) -> pd.DataFrame:
    rows = cube[(cube["metric"] == metric) & (pd.to_datetime(cube[PERIOD_COLUMN]) == pd.Timestamp(period))]
    if rows.empty:
        have = sorted(pd.to_datetime(cube.loc[cube["metric"] == metric, PERIOD_COLUMN]).dt.date.astype(str).unique())
        raise ConfigError(f"metric {metric!r} has no cells for period {pd.Timestamp(period).date()}; "
                          f"periods present: {', '.join(have[:12]) or 'none'}")
    return rows


def change_cube(cube: pd.DataFrame, *, metric: str, before: object, after: object, by: Sequence[str]) -> tuple[pd.DataFrame, bool]:
    """Leaf cells of ``metric`` with actual (``after``) and expected (``before``) sides; True if a ratio."""
    by = list(by)
    missing = [d for d in by if d not in cube.columns]
    if missing:
        raise ConfigError(f"unknown dimension(s) {missing}; the cube has {list(cube.columns)}")
    old = _period_rows(cube, metric, before)
    new = _period_rows(cube, metric, after)
    den = pd.concat([old["denominator"], new["denominator"]]).astype("float64")
    is_ratio = bool(den.notna().all() and den.nunique() > 1)
    cols = ["numerator", "denominator"]
    merged = old[by + cols].merge(new[by + cols], on=by, how="outer", suffixes=("_expected", "_actual")).fillna(0.0)
    frame = merged[by].astype(str).assign(
        actual=merged["numerator_actual"].to_numpy("float64"),
        expected=merged["numerator_expected"].to_numpy("float64"),
    )
    if is_ratio:
        frame["actual_den"] = merged["denominator_actual"].to_numpy("float64")
        frame["expected_den"] = merged["denominator_expected"].to_numpy("float64")
    return frame, is_ratio


@dataclass(frozen=True)
class MetricChange:
    """A metric's move between two periods and the cells that explain it."""

    metric: str
    before: str
    after: str
    value_before: float
    value_after: float
    localization: Localization

    def render(self) -> str:
        head = (f"{self.metric}: {self.value_before:.4g} ({self.before}) -> {self.value_after:.4g} ({self.after})")
        if not self.localization.root_causes:
            return head + "; no localised cause stands out from noise"
        lines = [head]
        for c in self.localization.root_causes:
            share = f"explains {c.explained_share:.0%} of the change, " if np.isfinite(c.explained_share) else ""
            lines.append(f"  - {c.label()}: {c.expected:.4g} -> {c.actual:.4g}, {share}score {c.score:.2f}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "before": self.before, "after": self.after,
                "value_before": self.value_before, "value_after": self.value_after,
                **self.localization.to_dict()}


def explain_change(cube: pd.DataFrame, *, metric: str, before: object, after: object, by: Sequence[str],
                   max_causes: int = 5) -> MetricChange:
    """Localise the change of ``metric`` from period ``before`` to ``after`` over the ``by`` cells."""
    frame, is_ratio = change_cube(cube, metric=metric, before=before, after=after, by=by)
    result = localize_root_causes(
        frame, dims=list(by), actual="actual", expected="expected",
        actual_den="actual_den" if is_ratio else None, expected_den="expected_den" if is_ratio else None,
        max_causes=max_causes, allow_negative=True, source=f"metric {metric}",
    )
    return MetricChange(metric, str(pd.Timestamp(before).date()), str(pd.Timestamp(after).date()),
                        result.total_expected, result.total_actual, result)


def what_moved(
    warehouse: Any,
    *,
    metrics: Sequence[str],
    by: Sequence[str],
    period: str = "week",
    start: object = None,
    end: object = None,
    season_length: int = 1,
    n_seasons: int = 4,
    threshold: float = 3.5,
    max_alerts: int = 3,
    max_causes: int = 3,
) -> list[MetricChange]:
    """Scan each metric's overall series for anomalies and localise the largest alerts.

    Each alert period is compared with the period ``season_length`` earlier (the same point of
    the last season); dimensions a metric cannot be cut by are skipped for it.
    """
    from govex.metrics import compute_metrics  # the engine is needed only here

    overall = compute_metrics(warehouse, metrics=list(metrics), by=[], period=period, start=start, end=end)
    scored = detect_anomalies(overall, time=PERIOD_COLUMN, value="value", by=["metric"],
                              season_length=season_length, n_seasons=n_seasons, threshold=threshold,
                              window=max(8, 4 * season_length))
    found = []
    for _, alert in alerts(scored).head(max_alerts).iterrows():
        periods = sorted(pd.to_datetime(overall.loc[overall["metric"] == alert["metric"], PERIOD_COLUMN]).unique())
        position = periods.index(pd.Timestamp(alert[PERIOD_COLUMN]))
        if position < season_length:
            continue
        cube = compute_metrics(warehouse, metrics=[alert["metric"]], by=list(by), period=period, start=start,
                               end=end, partial=True)
        dims = [d for d in by if (cube[d] != "(all)").any()]
        if not dims:
            continue
        found.append(explain_change(cube, metric=alert["metric"], before=periods[position - season_length],
                                    after=periods[position], by=dims, max_causes=max_causes))
    return found


def scan_series(cube: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """Alerts of :func:`detect_anomalies` on the overall ('(all)' cells) series of each metric."""
    dims = [c for c in cube.columns if c not in
            {"metric", "period", PERIOD_COLUMN, "numerator", "denominator", "value", "n", "ci_low", "ci_high",
             "ci_method"}]
    mask = np.logical_and.reduce([cube[d] == "(all)" for d in dims]) if dims else np.ones(len(cube), dtype=bool)
    return alerts(detect_anomalies(cube[mask], time=PERIOD_COLUMN, value="value", by=["metric"], **options))
