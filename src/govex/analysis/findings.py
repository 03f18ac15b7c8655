"""What moved and why, on metric cubes: a metric's change between periods localised to cells.

Works on the long frame of ``govex.metrics.compute_metrics`` (metric, period_start, dims...,
numerator, denominator, value). Ratio metrics (a denominator that varies) are localised as rates
(numerator / denominator against the baseline's rate at today's volume, so growth of a cell is
not mistaken for a cause); other metrics on their numerator as an additive measure. The baseline
may pool several earlier periods (their numerators and denominators are summed; additive
measures are averaged), which halves the noise of a one-period comparison.

A rate whose numerator reaches a dimension its denominator cannot (contacts per order by contact
reason: orders have no reason) is cut with a shared denominator: each reason cell of a market
is read against that market's orders. :func:`govex.metrics.cause_cube.metric_cube` builds such cubes
in the engine; this module only reads the frames the metric layer returns.

:func:`what_moved` runs the whole loop on a warehouse: anomaly scan of each metric's overall
series (alerts need a minimum volume), then root-cause localisation of each alert against the
same season's earlier periods that were not alerts themselves.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from govex.analysis.anomalies import alerts, detect_anomalies
from govex.analysis.rca import Localization, RootCause, localize_root_causes
from govex.errors import ConfigError
from govex.metrics.cause_cube import metric_cube
from govex.metrics.compute import compute_metrics
from govex.metrics.maturity import PERIOD_LENGTH, complete_periods
from govex.metrics.plan import PERIOD_COLUMN

if TYPE_CHECKING:
    from govex.engine.warehouse import Warehouse

_ALL = "(all)"
_SIDES = ("numerator", "denominator")


def _periods(value: object) -> list[pd.Timestamp]:
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values:
        raise ConfigError("no baseline period given")
    return sorted(pd.Timestamp(v) for v in values)


def _period_rows(cube: pd.DataFrame, metric: str, period: pd.Timestamp) -> pd.DataFrame:
    rows = cube[(cube["metric"] == metric) & (pd.to_datetime(cube[PERIOD_COLUMN]) == period)]
    if rows.empty:
        have = sorted(pd.to_datetime(cube.loc[cube["metric"] == metric, PERIOD_COLUMN]).dt.date.astype(str).unique())
        raise ConfigError(f"metric {metric!r} has no cells for period {period.date()}; "
                          f"periods present: {', '.join(have[:12]) or 'none'}")
    return rows


def change_cube(cube: pd.DataFrame, *, metric: str, before: object, after: object, by: Sequence[str],
                denominator_by: Sequence[str] | None = None) -> tuple[pd.DataFrame, bool]:
    """Leaf cells of ``metric`` with actual (``after``) and expected (``before``) sides; True if a ratio.

    ``before`` and ``after`` are each one period or a list of periods (pooled: numerators and
    denominators summed, additive measures averaged). ``denominator_by`` names
    the dimensions the denominator is cut by when it is shared by the cells of the others.
    """
    by = list(by)
    missing = [d for d in by + list(denominator_by or []) if d not in cube.columns]
    if missing:
        raise ConfigError(f"unknown dimension(s) {missing}; the cube has {list(cube.columns)}")
    baseline, window = _periods(before), _periods(after)
    old = pd.concat([_period_rows(cube, metric, p) for p in baseline])
    new = pd.concat([_period_rows(cube, metric, p) for p in window])
    den = pd.concat([old["denominator"], new["denominator"]]).astype("float64")
    is_ratio = bool(den.notna().all() and den.nunique() > 1)
    old = old.groupby(by, as_index=False, sort=False)[list(_SIDES)].sum()
    new = new.groupby(by, as_index=False, sort=False)[list(_SIDES)].sum()
    if not is_ratio:  # additive: each side is its mean period
        old["numerator"] = old["numerator"] / len(baseline)
        new["numerator"] = new["numerator"] / len(window)
    merged = old[by + list(_SIDES)].merge(new[by + list(_SIDES)], on=by, how="outer",
                                          suffixes=("_expected", "_actual")).fillna(0.0)
    frame = merged[by].astype(str).assign(
        actual=merged["numerator_actual"].to_numpy("float64"),
        expected=merged["numerator_expected"].to_numpy("float64"),
    )
    if is_ratio:
        frame["actual_den"] = merged["denominator_actual"].to_numpy("float64")
        frame["expected_den"] = merged["denominator_expected"].to_numpy("float64")
        if denominator_by is not None and set(denominator_by) != set(by):
            # a cell missing on one side carries no denominator there: take its shared one
            for side in ("actual_den", "expected_den"):
                shared = frame.groupby(list(denominator_by), sort=False)[side].transform("max")
                frame[side] = shared.to_numpy("float64")
    return frame, is_ratio


@dataclass(frozen=True)
class MetricChange:
    """A metric's move from a baseline to a period and the cells that explain it.

    ``before`` is the latest baseline period and ``baseline`` all of them (pooled); ``after``
    is the period explained, or ``first..last`` of a pooled window.
    """

    metric: str
    before: str
    after: str
    value_before: float
    value_after: float
    localization: Localization
    baseline: tuple[str, ...] = ()

    def _baseline_label(self) -> str:
        if len(self.baseline) > 1:
            return f"{self.baseline[0]}..{self.baseline[-1]}"
        return self.before

    def render(self) -> str:
        head = (f"{self.metric}: {self.value_before:.4g} ({self._baseline_label()}) -> "
                f"{self.value_after:.4g} ({self.after})")
        if not self.localization.root_causes:
            return head + "; no localised cause stands out from noise"
        lines = [head]
        for c in self.localization.root_causes:
            share = (f"{c.share:.0%} of the movement ({'up' if c.contribution > 0 else 'down'}), "
                     if np.isfinite(c.share) else "")
            lines.append(f"  - {c.label()}: {c.expected:.4g} -> {c.actual:.4g}, {share}score {c.score:.2f}")
        if np.isfinite(self.localization.unexplained_share):
            lines.append(f"  - not explained by these causes: {self.localization.unexplained_share:.0%} of the movement")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "before": self.before, "after": self.after,
                "baseline": list(self.baseline or (self.before,)),
                "value_before": self.value_before, "value_after": self.value_after,
                **self.localization.to_dict()}


def _shared_denominator_rates(frame: pd.DataFrame, result: Localization, denominator_by: list[str],
                              per: float) -> Localization:
    """Rates of a localisation run on numerators whose denominators are shared across cells.

    Each cause's denominator is the sum over the distinct denominator cells it touches, so
    "reason=payment_issue" is read against all orders and "market=MX & reason=..." against MX's.
    Contributions (rate points over the whole denominator), shares of the gross movement and the
    unexplained share are recomputed on the same basis, so they add up as in :mod:`rca`.
    """
    def rate(rows: pd.DataFrame, numerator: str, denominator: str) -> float:
        den = rows.drop_duplicates(denominator_by)[denominator].sum()
        return float(per * rows[numerator].sum() / den) if den > 0 else float("nan")

    total_actual = rate(frame, "actual", "actual_den")
    total_expected = rate(frame, "expected", "expected_den")
    actual_den = frame.drop_duplicates(denominator_by)["actual_den"].sum()
    change = total_actual - total_expected

    def under(cause: RootCause) -> np.ndarray:
        return np.logical_and.reduce([frame[k].to_numpy() == v for k, v in cause.dims.items()])

    def contribution(mask: np.ndarray) -> float:
        rows = frame[mask]
        return float(per * (rows["actual"].sum() - rows["expected_at_volume"].sum()) / actual_den
                     if actual_den > 0 else np.nan)

    strong = [(c, under(c)) for c in result.root_causes]
    covered = np.logical_or.reduce([m for _, m in strong] or [np.zeros(len(frame), dtype=bool)])
    general = [(result.general_shift, ~covered)] if result.general_shift is not None else []
    parts = {id(c): contribution(m) for c, m in strong + general}
    rest = change - sum(parts.values())
    gross = sum(abs(v) for v in parts.values()) + abs(rest)

    def rescaled(cause: RootCause, mask: np.ndarray) -> RootCause:
        rows = frame[mask]
        part = parts.get(id(cause), contribution(mask))
        return replace(cause, actual=rate(rows, "actual", "actual_den"), expected=rate(rows, "expected", "expected_den"),
                       contribution=part, share=float(abs(part) / gross) if gross > 0 else float("nan"),
                       explained_share=float(part / change) if change != 0 else float("nan"))

    return Localization(root_causes=tuple(rescaled(c, m) for c, m in strong), measure="ratio",
                        total_actual=total_actual, total_expected=total_expected,
                        unexplained_share=float(abs(rest) / gross) if gross > 0 else float("nan"),
                        weak_causes=tuple(rescaled(c, under(c)) for c in result.weak_causes),
                        general_shift=rescaled(*general[0]) if general else None)


def explain_change(cube: pd.DataFrame, *, metric: str, before: object, after: object, by: Sequence[str],
                   max_causes: int = 5, denominator_by: Sequence[str] | None = None,
                   per: float = 1.0) -> MetricChange:
    """Localise the change of ``metric`` from ``before`` (a period or a list) to ``after``.

    Parameters
    ----------
    cube : long metric cube (``compute_metrics`` or :func:`metric_cube`).
    before : baseline period, or several periods pooled.
    after : the period to explain, or several periods pooled (an event window).
    by : dimensions of the cells.
    denominator_by : dimensions the denominator is cut by, when the cube shares each
        denominator across the other dimensions (see :func:`metric_cube`).
    per : the metric's unit multiplier (events per ``per`` units) for shared-denominator rates.
    """
    by = list(by)
    baseline, window = _periods(before), _periods(after)
    frame, is_ratio = change_cube(cube, metric=metric, before=baseline, after=window, by=by,
                                  denominator_by=denominator_by)
    shared = is_ratio and denominator_by is not None and set(denominator_by) != set(by)
    if shared:
        den = frame["expected_den"].to_numpy("float64")
        rate = np.divide(frame["expected"].to_numpy("float64"), den, out=np.zeros(len(frame)), where=den > 0)
        frame["expected_at_volume"] = rate * frame["actual_den"].to_numpy("float64")
        # ratio mode localises on exactly these numerators and knows they are counts; its totals
        # would add each shared denominator once per cell, so rates are recomputed below
        result = localize_root_causes(frame, dims=by, actual="actual", expected="expected", actual_den="actual_den",
                                      expected_den="expected_den", max_causes=max_causes, allow_negative=True,
                                      source=f"metric {metric}")
        result = _shared_denominator_rates(frame, result, list(denominator_by or []), per)
    else:
        result = localize_root_causes(
            frame, dims=by, actual="actual", expected="expected",
            actual_den="actual_den" if is_ratio else None, expected_den="expected_den" if is_ratio else None,
            max_causes=max_causes, allow_negative=True, source=f"metric {metric}",
        )
    labels = tuple(str(p.date()) for p in baseline)
    after_label = str(window[0].date()) + (f"..{window[-1].date()}" if len(window) > 1 else "")
    return MetricChange(metric, labels[-1], after_label, result.total_expected, result.total_actual, result, labels)


def explain_metric(warehouse: Warehouse, *, metric: str, before: object, after: object, by: Sequence[str],
                   period: str = "month", max_causes: int = 5) -> MetricChange:
    """Localise a metric's change between periods straight from the warehouse.

    ``before`` and ``after`` are period starts (or lists, pooled); see :func:`metric_cube` for
    the cuts.
    """
    if period not in PERIOD_LENGTH:
        raise ConfigError(f"period {period!r}: use day, week, month or quarter")
    baseline, window = _periods(before), _periods(after)
    if window[0] <= baseline[-1]:
        raise ConfigError(f"the periods explained ({window[0].date()}..) must come after the baseline "
                          f"(..{baseline[-1].date()})")
    end = (window[-1] + pd.tseries.frequencies.to_offset(PERIOD_LENGTH[period]) - pd.Timedelta(days=1)).date()
    cube = metric_cube(warehouse, metric=metric, by=by, period=period, start=baseline[0].date(), end=end)
    if not cube.by:
        raise ConfigError(f"metric {metric!r} cannot be cut by any of {list(by)}")
    return explain_change(cube.frame, metric=metric, before=baseline, after=window, by=list(cube.by),
                          max_causes=max_causes, denominator_by=cube.denominator_by, per=cube.per)


def what_moved(
    warehouse: Warehouse,
    *,
    metrics: Sequence[str],
    by: Sequence[str],
    period: str = "week",
    start: object = None,
    end: object = None,
    season_length: int = 1,
    n_seasons: int = 4,
    threshold: float = 3.5,
    min_volume: float = 100.0,
    max_alerts: int = 3,
    max_causes: int = 3,
) -> list[MetricChange]:
    """Scan each metric's overall series for anomalies and localise the largest alerts.

    Alerts are taken by strength, each metric's first before any metric's second, up to
    ``max_alerts`` in all.

    An alert needs ``|score| >= threshold`` and at least ``min_volume`` units behind the value
    (orders, audited cases, responses: the metric cube's ``n``). Its baseline pools the same
    season position of the previous ``n_seasons`` seasons, leaving out periods that were alerts
    themselves (a two-month event is not explained against its own first month). Dimensions a
    metric cannot be cut by are skipped for it (see :func:`metric_cube` for rates).
    """
    if min_volume < 0:
        raise ConfigError(f"min_volume must be >= 0, got {min_volume}")
    overall = compute_metrics(warehouse, metrics=list(metrics), by=[], period=period, start=start, end=end)
    overall = complete_periods(warehouse, overall, period, end)
    scored = detect_anomalies(overall, time=PERIOD_COLUMN, value="value", volume="n", by=["metric"],
                              season_length=season_length, n_seasons=n_seasons, threshold=threshold,
                              min_volume=min_volume, window=max(8, 4 * season_length))
    ranked = alerts(scored)
    # each metric's strongest alert before any metric's second: one noisy series cannot take every slot
    ranked = ranked.assign(_rank=ranked.groupby("metric").cumcount()).sort_values("_rank", kind="stable")
    found = []
    for _, alert in ranked.head(max_alerts).iterrows():
        series = scored[scored["metric"] == alert["metric"]].reset_index(drop=True)
        times = list(pd.to_datetime(series[PERIOD_COLUMN]))
        position = times.index(pd.Timestamp(alert[PERIOD_COLUMN]))
        earlier = [position - j * season_length for j in range(1, n_seasons + 1) if position - j * season_length >= 0]
        baseline = [times[i] for i in earlier if not bool(series.loc[i, "is_alert"])]
        if not baseline:
            continue
        cube = metric_cube(warehouse, metric=alert["metric"], by=by, period=period, start=start, end=end)
        if not cube.by:
            continue
        found.append(explain_change(cube.frame, metric=alert["metric"], before=baseline, after=times[position],
                                    by=list(cube.by), max_causes=max_causes, denominator_by=cube.denominator_by,
                                    per=cube.per))
    return found


def scan_series(cube: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """Alerts of :func:`detect_anomalies` on the overall ('(all)' cells) series of each metric."""
    dims = [c for c in cube.columns if c not in
            {"metric", "period", PERIOD_COLUMN, "numerator", "denominator", "value", "n", "ci_low", "ci_high",
             "ci_method"}]
    mask = np.logical_and.reduce([cube[d] == _ALL for d in dims]) if dims else np.ones(len(cube), dtype=bool)
    return alerts(detect_anomalies(cube[mask], time=PERIOD_COLUMN, value="value", by=["metric"], **options))
