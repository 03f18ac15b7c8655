"""The dashboard's live figures for one filter state, every one read from the metric layer.

A filter state (market, journey, a segment of one framework, a period) becomes cuts of
`compute_metrics`: the cube is computed by those cuts and the selected cell is read, so a KPI card
under Market=BR is the BR row of `govex metrics compute --by market` for that period. Targets and
their status come from `target_status` for the same slice. Nothing here recomputes a metric.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError, MissingTableError
from govex.metrics import Target, compute_metrics, target_status
from govex.metrics.compute import shipped_catalogue
from govex.reports.period import ReportPeriod, parse_period, period_containing

KPI_METRICS = ("csat", "late_delivery_rate", "contact_rate", "first_contact_resolution", "dispute_rate",
               "moderation_accuracy", "aht_s", "orders", "cost_to_serve_per_order")
GRAINS = ("quarter", "month")
NOT_IN_WAREHOUSE = "its tables are not in this warehouse"
HISTORY = 8  # periods drawn in a card's sparkline, up to the selected one
ADDITIVE = ("count", "sum", "distinct_count")
CAUSE_DIMENSIONS = ("market", "journey", "channel", "carrier", "category", "seller_tier")  # where a change is looked for  # a company-wide absolute goal of these says nothing about a slice


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects: None means all."""

    market: str | None = None
    journey: str | None = None
    framework: str = "value"
    segment: str | None = None
    period: str | None = None  # '2025-Q4' or '2025-10'; None = the latest period with data
    grain: str = "quarter"

    def cuts(self) -> dict[str, str]:
        """The selected slice as metric-layer cuts, e.g. {'market': 'BR', 'segment:value': 'high'}."""
        cuts = {"market": self.market, "journey": self.journey,
                f"segment:{self.framework}": self.segment}
        return {dim: value for dim, value in cuts.items() if value}

    def describe(self) -> str:
        parts = [f"market {self.market}" if self.market else "", f"journey {self.journey}" if self.journey else "",
                 f"{self.framework} segment {self.segment}" if self.segment else ""]
        return ", ".join(p for p in parts if p) or "all customers"

    def query(self) -> dict[str, str]:
        """The state as URL query parameters (defaults left out, so a plain URL means the default view)."""
        fields = {"market": self.market, "journey": self.journey, "segment": self.segment, "period": self.period,
                  "framework": None if self.framework == "value" else self.framework,
                  "grain": None if self.grain == "quarter" else self.grain}
        return {k: v for k, v in fields.items() if v}


def periods_with_data(warehouse: Warehouse, grain: str) -> list[ReportPeriod]:
    """Periods of `grain` that have orders, oldest first."""
    orders = compute_metrics(warehouse, metrics=["orders"], period=grain)
    return [period_containing(pd.Timestamp(p).date(), grain=grain) for p in sorted(orders["period_start"].unique())]


def selected_period(filters: Filters, available: Sequence[ReportPeriod]) -> ReportPeriod:
    """The filter's period if it has data, else the latest one."""
    if filters.period:
        chosen = parse_period(filters.period)
        if chosen.grain == filters.grain and any(p.start == chosen.start for p in available):
            return chosen
    return available[-1]


def previous_period(period: ReportPeriod) -> ReportPeriod:
    return period_containing(period.start - dt.timedelta(days=1), grain=period.grain)


def segment_date(warehouse: Warehouse, framework: str) -> dt.date | None:
    """The as-of date of the segment assignments the metric layer cuts by (the latest of the framework)."""
    from govex.segments import ASSIGNMENTS_TABLE

    if not warehouse.has(ASSIGNMENTS_TABLE):
        return None
    t = warehouse.table(ASSIGNMENTS_TABLE)
    latest = t.filter(t.framework == framework).as_of.max().to_pandas()
    return None if pd.isna(latest) else pd.Timestamp(latest).date()


def slice_cube(warehouse: Warehouse, metrics: Sequence[str], filters: Filters, *, by: Sequence[str] = (),
               period: str | None = None, **options) -> tuple[pd.DataFrame, dict[str, str]]:
    """The metrics' cells inside the filtered slice (cut further by `by`), and why any metric is left out.

    A metric that cannot be cut by one of the filters (orders by journey) is left out with the
    reason rather than shown for the whole base.
    """
    catalogue = shipped_catalogue()
    cuts = filters.cuts()
    left_out = {m: f"not measured by {d.replace('segment:', '')}" for m in metrics for d in cuts
                if not catalogue.allows(m, d)}
    usable = [m for m in metrics if m not in left_out]
    if not usable:
        return pd.DataFrame(columns=["metric", "period_start", *by, "value"]), left_out
    cube = compute_metrics(warehouse, metrics=usable, by=[*cuts, *by], period=period or filters.grain, partial=True,
                           **options)
    for dim, value in cuts.items():
        cube = cube[cube[dim] == value]
    return cube.drop(columns=list(cuts)).reset_index(drop=True), left_out


def _target_for(targets: Sequence[Target], metric: str, cuts: Mapping[str, str], period: ReportPeriod
                ) -> tuple[Target, str] | None:
    """The goal that applies to this slice and period, re-cut to the slice, and where it comes from.

    A target set for exactly this slice wins; otherwise a company-wide target applies: a relative
    goal (change vs a baseline) to the slice's own baseline, an absolute goal as the company's
    level (not for counts and sums, whose company total says nothing about a slice).
    """
    catalogue = shipped_catalogue()
    mine = [t for t in targets if t.metric == metric and t.period == period.grain and t.start == period.start]
    exact = [t for t in mine if t.slice == dict(cuts)]
    if exact:
        return exact[0], "target for this slice" if cuts else "company target"
    company = [t for t in mine if not t.slice]
    if not company:
        return None
    target = company[0]
    if not cuts:
        return target, "company target"
    if target.change is not None:
        return target.model_copy(update={"slice": dict(cuts)}), f"{target.change:+.0%} vs {target.baseline_start}"
    if catalogue[metric].kind in ADDITIVE:
        return None
    return target.model_copy(update={"slice": dict(cuts)}), "company target"


def kpi_cards(warehouse: Warehouse, filters: Filters, targets: Sequence[Target], *,
              metrics: Sequence[str] = KPI_METRICS) -> pd.DataFrame:
    """One row per KPI for the filtered slice and selected period.

    Columns: metric, period, through (last day with orders in the period), value, ci_low, ci_high,
    n, previous_period, previous, change, target, target_source, status, history (list of (period
    label, value), oldest first), absent (why there is no value, or '').
    """
    catalogue = shipped_catalogue()
    available = periods_with_data(warehouse, filters.grain)
    period = selected_period(filters, available)
    before = previous_period(period)
    present = [m for m in metrics if m in catalogue and tables_present(warehouse, m)]
    cube, left_out = slice_cube(warehouse, present, filters, end=period.end)
    cube = cube.assign(period_start=pd.to_datetime(cube["period_start"]).dt.date)
    last_day = _last_day(warehouse, period)
    rows = []
    for metric in metrics:
        absent = left_out.get(metric) or ("" if metric in present else NOT_IN_WAREHOUSE)
        cells = cube[cube["metric"] == metric].set_index("period_start")
        row = {"metric": metric, "period": period.label, "through": last_day, "previous_period": before.label,
               "absent": absent,
               "value": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": np.nan, "previous": np.nan,
               "target": np.nan, "target_source": "", "status": "no target", "history": []}
        if not absent:
            if period.start in cells.index:
                cell = cells.loc[period.start]
                row.update(value=float(cell["value"]), ci_low=float(cell["ci_low"]), ci_high=float(cell["ci_high"]),
                           n=float(cell["n"]))
            else:
                row["absent"] = f"no data in {period.label}"
            if before.start in cells.index:
                row["previous"] = float(cells.loc[before.start, "value"])
            recent = cells.sort_index().tail(HISTORY)
            row["history"] = [(period_containing(p, grain=period.grain).label, float(v))
                              for p, v in recent["value"].items()]
            found = _target_for(targets, metric, filters.cuts(), period)
            if found is not None and not row["absent"]:
                target, source = found
                status = target_status(warehouse, targets=[target], as_of=last_day).iloc[0]
                row.update(target=float(status["target"]), target_source=source, status=str(status["status"]))
        row["change"] = row["value"] - row["previous"]
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class SliceChange:
    """A metric's move inside a slice, split over the cells of each cause dimension."""

    metric: str
    before: str  # period labels
    after: str
    value_before: float
    value_after: float
    cells: pd.DataFrame  # dimension, cell, before, after, contribution (in the metric's units; a dimension's add up to the change)
    skipped: dict[str, str]  # dimension -> why it is not used


def slice_change(warehouse: Warehouse, filters: Filters, metric: str) -> SliceChange:
    """Split the metric's change inside the slice, from the previous period to the selected one, over
    each cause dimension the metric allows and the filters leave open.

    Ratios and means are split into mix and rate effects (`decompose_mix_rate`); counts and sums
    by each cell's own change. A dimension is used only when its cells add up to the slice's value
    in both periods (rows with no value for it, such as contacts without an order, would vanish).
    """
    from govex.analysis import decompose_mix_rate

    catalogue = shipped_catalogue()
    definition = catalogue[metric]
    if definition.kind in ("tree", "percentile"):
        raise ConfigError(f"{definition.label} is a {definition.kind} metric: its change is not split over cells "
                          "(look at its inputs instead)")
    period = selected_period(filters, periods_with_data(warehouse, filters.grain))
    before = previous_period(period)
    window = {"start": before.start, "end": period.end}
    total, left_out = slice_cube(warehouse, [metric], filters, **window)
    if left_out:
        raise ConfigError(f"{definition.label} is {left_out[metric]}")
    values = dict(zip(pd.to_datetime(total["period_start"]).dt.date, total["value"]))
    if before.start not in values or period.start not in values:
        raise ConfigError(f"{definition.label} has no value in {before.label} or {period.label} for this slice")
    frames, skipped = [], {}
    for dim in CAUSE_DIMENSIONS:
        if dim in filters.cuts() or not catalogue.allows(metric, dim):
            continue
        try:
            cube, _ = slice_cube(warehouse, [metric], filters, by=[dim], **window)
        except MissingTableError as exc:  # a cut that joins a table this warehouse lacks (csat by journey: contacts)
            skipped[dim] = str(exc).split(";")[0]
            continue
        if definition.kind not in ADDITIVE and ((cube["denominator"] == 0) & (cube["numerator"] != 0)).any():
            # e.g. contacts without an order, cut by the order's category: no rate to split into mix and rate
            skipped[dim] = f"rows without a {dim} have no denominator to read them against"
            continue
        days = pd.to_datetime(cube["period_start"]).dt.date
        old, new = cube[days == before.start], cube[days == period.start]
        if definition.kind in ADDITIVE:
            cells = old.set_index(dim)["value"].rename("before").to_frame().join(
                new.set_index(dim)["value"].rename("after"), how="outer").fillna(0.0)
            cells["contribution"] = cells["after"] - cells["before"]
            sums = (cells["before"].sum(), cells["after"].sum())
        else:
            split = decompose_mix_rate(old, new, by=dim, numerator="numerator", denominator="denominator")
            cells = split.segments.set_index(dim)
            cells = pd.DataFrame({"before": cells["rate_before"] * definition.per, "after": cells["rate_after"] * definition.per,
                                  "contribution": cells["total_effect"] * definition.per})
            sums = (split.metric_before * definition.per, split.metric_after * definition.per)
        if not np.allclose(sums, [values[before.start], values[period.start]], rtol=1e-9, atol=1e-12):
            skipped[dim] = f"its cells do not add up to the slice's value (rows without a {dim})"
            continue
        if len(cells) < 2:
            skipped[dim] = f"every row has the same {dim} ({cells.index[0] if len(cells) else 'none'})"
            continue
        frames.append(cells.reset_index(names="cell").assign(dimension=dim))
    cells = (pd.concat(frames, ignore_index=True) if frames else
             pd.DataFrame(columns=["cell", "before", "after", "contribution", "dimension"]))
    return SliceChange(metric, before.label, period.label, float(values[before.start]), float(values[period.start]),
                       cells[["dimension", "cell", "before", "after", "contribution"]], skipped)


def tables_present(warehouse: Warehouse, metric: str) -> bool:
    """Whether every table the metric (and, for a tree, each part) reads is in the warehouse."""
    catalogue = shipped_catalogue()
    if catalogue[metric].kind == "tree":
        return all(tables_present(warehouse, kid.name) for kid in catalogue.children(metric))
    return all(warehouse.has(m.table) for m in catalogue.measures(metric).values())


def _last_day(warehouse: Warehouse, period: ReportPeriod) -> dt.date:
    """The last day with orders in the period: status paces to it."""
    daily = compute_metrics(warehouse, metrics=["orders"], period="day", start=period.start, end=period.end)
    return pd.Timestamp(daily["period_start"].max()).date() if len(daily) else period.end


