"""Headline KPIs of the report period: against target, the previous period and the same period a year
before, each with its 95% interval; the KPIs off track (or, without targets, clearly worse than the
previous period) become issues for the executive summary.

Without a targets file for the period the section compares with the previous period instead: a
KPI is "worse" when its move is beyond the combined 95% intervals of the two periods.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govex.analysis.materiality import judge
from govex.errors import GovexError
from govex.metrics import compute_metrics, target_status
from govex.reports import charts
from govex.reports.actions import action
from govex.reports.causes import period_cause
from govex.reports.context import Built, ReportContext, count
from govex.reports.formatting import bare_cell, format_interval, format_number, is_share, unit_words
from govex.reports.model import Finding, Number, ReportIssue, ReportTable, Section, Source
from govex.reports.period import ReportPeriod, period_containing

TITLE = "Headline KPIs"
HEADLINE = ("csat", "late_delivery_rate", "contact_rate", "first_contact_resolution", "dispute_rate",
            "moderation_accuracy", "cost_per_contact", "orders")
STATUS_ORDER = {"off track": 0, "worse": 0, "at risk": 1, "no data": 2, "not enough data": 2, "no clear change": 3,
                "on track": 4, "better": 4}
Z95 = 1.959964


@dataclass(frozen=True)
class Kpi:
    """One headline KPI (a metric, possibly on a slice) with its three comparison values."""

    metric: str
    slice: dict
    now: pd.Series | None
    previous: pd.Series | None
    last_year: pd.Series | None
    target: float = math.nan
    status: str = ""


def year_before(period: ReportPeriod) -> ReportPeriod:
    return period_containing(period.start.replace(year=period.start.year - 1), grain=period.grain)


def _value(row: pd.Series | None) -> float:
    return float(row["value"]) if row is not None and pd.notna(row["value"]) else math.nan


def _sample(row: pd.Series | None) -> float:
    """Observations behind a value; a composed (tree) metric has none of its own and counts as enough."""
    if row is None:
        return 0.0
    return float(row["n"]) if pd.notna(row.get("n")) else math.inf


def _half_width(row: pd.Series | None) -> float:
    if row is None or not (pd.notna(row.get("ci_low")) and pd.notna(row.get("ci_high"))):
        return math.nan
    return (float(row["ci_high"]) - float(row["ci_low"])) / 2


def _rows(ctx: ReportContext, metric: str, where: dict) -> dict[object, pd.Series]:
    """The metric's value per period from a year before the report period to its end."""
    p = ctx.period
    cube = compute_metrics(ctx.warehouse, metrics=[metric], by=list(where), period=p.grain, start=year_before(p).start,
                           end=p.end, catalogue=ctx.catalogue, partial=True)
    for dim, value in where.items():
        cube = cube[cube[dim] == value]
    return {pd.Timestamp(r["period_start"]).date(): r for _, r in cube.iterrows()}


def _kpis(ctx: ReportContext) -> tuple[list[Kpi], bool]:
    """The KPIs to show and whether they come with targets."""
    p = ctx.period
    chosen = [t for t in ctx.targets if t.start == p.start and t.period == p.grain and ctx.computable(t.metric)]
    status = target_status(ctx.warehouse, targets=chosen, catalogue=ctx.catalogue) if chosen else None
    wanted = [(t.metric, dict(t.slice)) for t in chosen] or [(m, {}) for m in HEADLINE if ctx.computable(m)]
    kpis = []
    for i, (metric, where) in enumerate(wanted):
        try:
            rows = _rows(ctx, metric, where)
        except GovexError:  # a metric whose tables are absent is skipped (a partial warehouse)
            continue
        if p.start not in rows:
            continue
        target, state = (float(status.iloc[i]["target"]), str(status.iloc[i]["status"])) if status is not None else (
            math.nan, "")
        kpis.append(Kpi(metric, where, rows.get(p.start), rows.get(p.previous().start), rows.get(year_before(p).start),
                        target, state))
    return kpis, status is not None


def _versus_previous(ctx: ReportContext, k: Kpi) -> str:
    now, before = _value(k.now), _value(k.previous)
    if _sample(k.now) < ctx.rules.min_sample:
        return "not enough data"
    if not np.isfinite(before):
        return "no data"
    spread = math.hypot(_half_width(k.now), _half_width(k.previous))
    if not np.isfinite(spread) or abs(now - before) <= spread:
        return "no clear change"
    better = (now > before) == (ctx.catalogue[k.metric].direction == "higher")
    return "better" if better else "worse"


def _label(ctx: ReportContext, k: Kpi) -> str:
    return ctx.label(k.metric) + ("" if not k.slice else " (" + ", ".join(f"{v}" for v in k.slice.values()) + ")")


def _issue(ctx: ReportContext, k: Kpi, has_targets: bool, cost_per_contact: float) -> ReportIssue | None:
    """The KPI as an executive-summary issue: sized, with the cause found for this period and an action."""
    metric = ctx.catalogue[k.metric]
    now, previous, goal = _value(k.now), _value(k.previous), k.target
    reference = goal if has_targets else previous
    if not np.isfinite(reference):
        return None
    gap = now - reference
    den = float(k.now["denominator"]) if pd.notna(k.now.get("denominator")) else math.nan
    affected = abs(gap) * den / metric.per if metric.kind in ("proportion", "ratio", "rate") and np.isfinite(den) else math.nan
    business = metric.business_unit or metric.unit
    money = math.nan
    if business == "money" and np.isfinite(den):
        money = abs(gap) * den  # money per order x orders
        affected = math.nan
    elif business == "contacts" and np.isfinite(affected) and cost_per_contact > 0:
        money = affected * cost_per_contact
    evidence = judge(sample=_sample(k.now), money=money if np.isfinite(money) else None,
                     customers=affected if np.isfinite(affected) else None, rules=ctx.rules)
    if not evidence.headline:
        return None
    label = _label(ctx, k)
    src = ctx.metric_source(k.metric)
    cause = period_cause(ctx, k.metric, k.slice)
    expected = ctx.metric_number(k.metric, -gap * (cause.share if cause else 1.0), signed=True)
    half = _half_width(k.now) * (cause.share if cause else 1.0)
    what = (f"Bring {cause.label} back to its {ctx.period.previous().label} level" if cause
            else f"Close the gap to {'target' if has_targets else ctx.period.previous().label} on {label}")
    card = action(what, metric=k.metric, category=metric.category, expected=expected, half_width=half,
                  sample=_sample(k.now), period=ctx.period, rules=ctx.rules)
    versus = "misses its target" if has_targets else f"worse than {ctx.period.previous().label}"
    return ReportIssue(
        title=f"{label} {versus}" + (f": {cause.label}" if cause else ""),
        kpi=label, value=ctx.metric_number(k.metric, now),
        target=ctx.metric_number(k.metric, goal) if np.isfinite(goal) else None,
        previous=ctx.metric_number(k.metric, previous) if np.isfinite(previous) else None,
        last_year=ctx.metric_number(k.metric, _value(k.last_year)) if np.isfinite(_value(k.last_year)) else None,
        cause=cause.sentence if cause else "no single market, carrier, vendor, reason or channel explains the move",
        action=card,
        money=Number(money, "money", src, currency=ctx.currency) if np.isfinite(money) else None,
        affected=Number(affected, business, src) if np.isfinite(affected) else None,
        section="kpis", previous_label=ctx.period.previous().label, last_year_label=year_before(ctx.period).label,
    )


def kpi_section(ctx: ReportContext) -> Built:
    """Each headline KPI against target (or the previous period), the previous period and last year."""
    from govex.reports.friction import period_cost_per_contact

    kpis, has_targets = _kpis(ctx)
    p = ctx.period
    if not kpis:
        return Built(Section("kpis", TITLE, f"No headline KPI has data in {p.label}.",
                             absent=f"None of the headline KPIs has data in {p.label}."))
    cpc = period_cost_per_contact(ctx)
    rows, issues, verdicts = [], [], []
    for k in kpis:
        verdict = k.status if has_targets else _versus_previous(ctx, k)
        verdicts.append(verdict)
        now = _value(k.now)
        unit = ctx.catalogue[k.metric].unit

        def delta(other: pd.Series | None) -> str:
            value = _value(other)
            return format_number(now - value, unit, currency=ctx.currency, signed=True) if np.isfinite(value) else "n/a"

        value_text = ("not enough data" if _sample(k.now) < ctx.rules.min_sample
                      else ctx.metric_number(k.metric, now).text)
        ci = format_interval(float(k.now["ci_low"]), float(k.now["ci_high"]), unit,
                             currency=ctx.currency) if np.isfinite(_half_width(k.now)) else ""
        cells = [value_text, ci]
        if has_targets:
            cells.append(ctx.metric_number(k.metric, k.target).text if np.isfinite(k.target) else "n/a")
        cells += [delta(k.previous), delta(k.last_year)]
        words = unit_words(unit, ctx.currency)
        rows.append((_label(ctx, k), "%" if is_share(unit) else words, *(bare_cell(c, words) for c in cells), verdict))
        if verdict in ("off track", "worse"):
            found = _issue(ctx, k, has_targets, cpc)
            if found is not None:
                issues.append(found)
    order = sorted(range(len(kpis)), key=lambda i: STATUS_ORDER.get(verdicts[i], 5))
    rows = [rows[i] for i in order]
    bad = [kpis[i] for i in order if verdicts[i] in ("off track", "worse")]
    source = Source("targets", ctx.targets_source) if has_targets else Source("metric layer", "compute_metrics",
                                                                             f"{p.label} and the periods before")
    comparison = "target" if has_targets else f"{p.previous().label}"
    if bad:
        message = (f"{len(bad)} of {len(kpis)} KPIs {'is' if len(bad) == 1 else 'are'} {'off track' if has_targets else 'worse than ' + comparison}: "
                   + ", ".join(_label(ctx, k) for k in bad[:3]) + ("" if len(bad) <= 3 else " and more"))
    else:
        message = f"No headline KPI is {'off track' if has_targets else 'clearly worse than ' + comparison}"
    note = ("" if has_targets else f"No targets are set for {p.label}, so each KPI is compared with {p.previous().label}: "
            "'worse' means the move is beyond both periods' 95% intervals.")
    findings = [Finding("{note}", words={"note": note})] if note else []
    findings.append(Finding("{n} for {period}, each with its 95% interval, its change from {previous} and "
                            "from {last_year}.", {"n": count(len(kpis), source, "headline KPIs")},
                            {"period": p.label, "previous": p.previous().label, "last_year": year_before(p).label}))
    columns = ["KPI", "unit", f"{p.label}", "95% interval"] + (["target"] if has_targets else []) + [
        f"vs {p.previous().label}", f"vs {year_before(p).label}", "status"]
    table = ReportTable("Headline KPIs", tuple(columns), tuple(rows), source.label())
    figure = _status_chart(ctx, kpis, verdicts, has_targets)
    return Built(Section("kpis", TITLE, message, tuple(findings), (figure,) if figure else (), (table,)),
                 issues=tuple(issues))


def _status_chart(ctx: ReportContext, kpis: list[Kpi], verdicts: list[str], has_targets: bool):
    """How far each KPI is from its reference (target or previous period), in % of the reference, better = right."""
    labels, values, colours = [], [], []
    for k, verdict in zip(kpis, verdicts):
        reference = k.target if has_targets else _value(k.previous)
        now = _value(k.now)
        if not (np.isfinite(reference) and np.isfinite(now)) or reference == 0:
            continue
        sign = 1 if ctx.catalogue[k.metric].direction == "higher" else -1
        labels.append(_label(ctx, k))
        values.append(100 * sign * (now - reference) / abs(reference))
        colours.append(charts.STATUS_COLOURS.get(verdict, charts.STATUS_COLOURS.get(
            {"worse": "off track", "better": "on track"}.get(verdict, "no data"))))
    if not labels:
        return None
    legend_names = sorted(set(verdicts), key=lambda v: STATUS_ORDER.get(v, 5))
    legend = {v: charts.STATUS_COLOURS.get({"worse": "off track", "better": "on track"}.get(v, v), "#999999")
              for v in legend_names}
    reference = "target" if has_targets else ctx.period.previous().label
    return charts.horizontal_bars(labels, values, title=f"KPIs against {reference}, {ctx.period.label}",
                                  xlabel=f"% of {reference} (right = better)",
                                  alt=f"Bar per KPI showing how far it is from {reference}", colours=colours,
                                  legend=legend)
