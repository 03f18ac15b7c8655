"""Headline KPIs against their targets for the report period, with status and forecast."""
from __future__ import annotations

import numpy as np

from govex.metrics import target_status
from govex.reports import charts
from govex.reports.context import Built, ReportContext, count
from govex.reports.model import Finding, Section, Source, Table

TITLE = "Headline KPIs against targets"
STATUS_ORDER = {"off track": 0, "at risk": 1, "no data": 2, "on track": 3}


def _slice_words(slice_text: str) -> str:
    return "" if slice_text == "all" else f" ({slice_text.replace(';', ', ')})"


def kpi_section(ctx: ReportContext) -> Built:
    """Status of every target set for the report period (forecast to period end vs goal)."""
    chosen = [t for t in ctx.targets if t.start == ctx.period.start and t.period == ctx.period.grain]
    if not chosen:
        return Built(Section("kpis", TITLE, f"No targets are set for {ctx.period.label}.",
                             absent=f"The targets file {ctx.targets_source} has no {ctx.period.grain} targets starting "
                                    f"{ctx.period.start}; add targets for this period to see KPI status."))
    status = target_status(ctx.warehouse, targets=chosen, catalogue=ctx.catalogue)
    status = status.assign(order=status["status"].map(STATUS_ORDER)).sort_values("order", kind="stable")
    target_source = Source("targets", ctx.targets_source)
    counts = status["status"].value_counts()
    summary = Finding(
        "{on} of {total} headline KPIs are on track for {period}; {risk} at risk and {off} off track "
        "(forecast to period end against the target).",
        {"on": count(counts.get("on track", 0), target_source), "total": count(len(status), target_source),
         "risk": count(counts.get("at risk", 0), target_source), "off": count(counts.get("off track", 0), target_source)},
        {"period": ctx.period.label},
    )
    findings, rows, actions = [summary], [], []
    for r in status.itertuples():
        value = ctx.metric_number(r.metric, r.value_to_date)
        target = ctx.metric_number(r.metric, r.target)
        forecast = ctx.metric_number(r.metric, r.forecast)
        gap = ctx.metric_number(r.metric, r.gap, signed=True)
        label = ctx.label(r.metric) + _slice_words(r.slice)
        words = {"label": label, "status": r.status, "as_of": str(r.as_of)}
        numbers = {"value": value, "target": target, "forecast": forecast, "gap": gap}
        findings.append(Finding("{label}: {value} to {as_of} against a target of {target}; forecast {forecast} "
                                "at period end ({status}).", numbers, words))
        rows.append((label, value.text, target.text, forecast.text, gap.text, r.status))
        if r.status in ("off track", "at risk"):
            actions.append(Finding("Recover {label}: the period-end forecast {forecast} misses the target {target} "
                                   "by {gap}; it is {status}.", {"forecast": forecast, "target": target, "gap": gap}, words))
    relative = [(-1 if r.direction == "lower" else 1) * (r.forecast - r.target) / abs(r.target)
                if r.target and np.isfinite(r.forecast) else 0.0 for r in status.itertuples()]
    figure = charts.horizontal_bars(
        [ctx.label(m) + _slice_words(s) for m, s in zip(status["metric"], status["slice"])],
        [100 * v for v in relative],
        title=f"Forecast against target, {ctx.period.label}",
        xlabel="forecast vs target (% of target; positive = better than target)",
        alt="Bar per KPI showing how far its period-end forecast is from target, coloured by status",
        colours=[charts.STATUS_COLOURS[s] for s in status["status"]],
        legend={k: v for k, v in charts.STATUS_COLOURS.items() if k in set(status["status"])},
    )
    table = Table("KPI status", ("KPI", "value to date", "target", "forecast", "gap (forecast - target)", "status"),
                  tuple(rows), f"targets {ctx.targets_source}; metric definitions in the catalogue")
    off = int(counts.get("off track", 0))
    message = (f"{off} of {len(status)} headline KPIs are off track for {ctx.period.label}" if off
               else f"All {len(status)} headline KPIs are on track or close for {ctx.period.label}")
    return Built(Section("kpis", TITLE, message, tuple(findings), (figure,), (table,)), tuple(actions))

