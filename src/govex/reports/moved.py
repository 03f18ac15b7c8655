"""What moved and why: weekly anomalies of the headline metrics with their localised root causes,
and the mix/rate split of the contact rate between the previous and the report period."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from govex.analysis import decompose_mix_rate, what_moved
from govex.analysis.materiality import EARLIER, relevance
from govex.metrics import compute_metrics
from govex.reports import charts
from govex.reports.causes import cause_label
from govex.reports.context import Built, ReportContext
from govex.reports.formatting import display_scale, format_number
from govex.reports.model import Figure, Finding, Number, ReportTable, Section, Source

TITLE = "What moved and why"
DEFAULT_METRICS = ("late_delivery_rate", "contact_rate", "csat", "dispute_rate", "moderation_accuracy",
                   "first_contact_resolution")
CAUSE_DIMENSIONS = ("market", "carrier", "category", "seller_tier", "vendor_id", "reason", "channel")
SCAN_WEEKS = 52
HISTORY_WEEKS = 8
DECOMPOSED = ("contact_rate", "late_delivery_rate")  # the first one the warehouse can compute
DECOMPOSED_BY = "market"
MAX_MOVES = 3
MAX_CELLS = 6


def scan_window(period_end: dt.date, data_end: dt.date) -> tuple[dt.date, dt.date]:
    """The last SCAN_WEEKS whole weeks (Monday to Sunday) up to the period end, plus history."""
    last_day = min(period_end, data_end)
    end = last_day - dt.timedelta(days=(last_day.weekday() + 1) % 7)  # the last Sunday on or before
    start = end - dt.timedelta(weeks=SCAN_WEEKS + HISTORY_WEEKS) + dt.timedelta(days=1)
    return start, end


def _metrics(ctx: ReportContext) -> list[str]:
    from_targets = [t.metric for t in ctx.targets if ctx.catalogue[t.metric].kind not in ("tree", "percentile", "count", "sum")
                    and ctx.computable(t.metric)]
    return list(dict.fromkeys(from_targets or [m for m in DEFAULT_METRICS if ctx.computable(m)]))


def moved_section(ctx: ReportContext) -> Built:
    """Anomalies of the last year (weekly) with their causes, and one mix/rate decomposition."""
    start, end = scan_window(ctx.period.end, ctx.data_end)
    metrics = _metrics(ctx)
    found = what_moved(ctx.warehouse, metrics=metrics, by=list(CAUSE_DIMENSIONS), period="week", start=start, end=end,
                       max_alerts=2 * MAX_MOVES, max_causes=2)
    # period relevance: moves inside the report period lead; an earlier one is kept only flagged as earlier
    changes = sorted(found, key=lambda c: _earlier(c, ctx))[:MAX_MOVES]
    source = Source("analysis", "what_moved", f"weekly anomaly scan {start} to {end}, causes by {', '.join(CAUSE_DIMENSIONS)}")
    series = compute_metrics(ctx.warehouse, metrics=sorted({c.metric for c in changes}), period="week", start=start,
                             end=end, catalogue=ctx.catalogue) if changes else None
    findings, actions, rows = [], [], []
    for change in changes:
        metric = ctx.catalogue[change.metric]
        weekly = series[series["metric"] == change.metric]
        value_at = dict(zip(pd.to_datetime(weekly["period_start"]).dt.date.astype(str), weekly["value"]))
        words = {"label": ("Earlier: " if _earlier(change, ctx) else "") + metric.label, "before": change.before,
                 "after": change.after}
        numbers = {"from": ctx.metric_number(change.metric, value_at.get(change.before, np.nan)),
                   "to": ctx.metric_number(change.metric, value_at.get(change.after, np.nan))}
        causes = change.localization.root_causes
        if not causes:
            findings.append(Finding("{label} moved from {from} (week of {before}) to {to} (week of {after}); no single "
                                    "slice stands out from noise, so the move is broad-based.", numbers, words, (source,)))
            continue
        top = causes[0]
        cause_from, cause_to = (_cause_number(ctx, change, top.expected, source),
                                _cause_number(ctx, change, top.actual, source))
        words["cause"] = cause_label(top.dims)
        text = "{label} moved from {from} (week of {before}) to {to} (week of {after}); the main cause is {cause}"
        measured = np.isfinite(cause_from.value) and np.isfinite(cause_to.value)
        if measured:  # a cause whose own level cannot be read is named without numbers
            numbers |= {"cause_from": cause_from, "cause_to": cause_to}
            text += ", which went from {cause_from} to {cause_to}"
        if explains(top.explained_share):
            numbers["share"] = Number(top.explained_share, "share of the change", source)
            text += " and explains {share} of the change"
        findings.append(Finding(text + ".", numbers, words, (source,)))
        if not _earlier(change, ctx) and measured:
            actions.append(Finding("Investigate {cause} for {label}: it went from {cause_from} to {cause_to} in the week "
                                   "of {after}.", {k: numbers[k] for k in ("cause_from", "cause_to")}, words, (source,)))
        for c in causes:
            rows.append((metric.label, change.after, cause_label(c.dims), _cause_number(ctx, change, c.expected, source).text,
                         _cause_number(ctx, change, c.actual, source).text,
                         f"{100 * c.explained_share:.0f}%" if explains(c.explained_share) else "n/a"))
    if not changes:
        findings.append(Finding("No headline metric moved beyond its normal weekly variation between {start} and {end}.",
                                words={"start": str(start + dt.timedelta(weeks=HISTORY_WEEKS)), "end": str(end)}))
    figures = []
    if changes:
        figures.append(_series_figure(ctx, changes[0].metric, series, changes))
    decomposition = _decomposition(ctx)
    if decomposition is not None:
        findings.append(decomposition)
    tables = (ReportTable("Root causes of the largest moves", ("metric", "week", "cause", "expected", "actual", "share explained"),
                    tuple(rows), source.label()),) if rows else ()
    concentration = _where_late(ctx)
    if concentration is not None:
        tables += (concentration,)
    in_period = [c for c in changes if not _earlier(c, ctx)]
    message = (_headline(ctx, in_period[0]) if in_period else
               f"No headline metric moved beyond its normal weekly variation in {ctx.period.label}")
    return Built(Section("moved", TITLE, message, tuple(findings), tuple(figures), tables), tuple(actions))


def _headline(ctx: ReportContext, change) -> str:
    """The section's message in a few words: the largest move of the period and its cause."""
    causes = change.localization.root_causes
    cause = f", mostly {cause_label(causes[0].dims)}" if causes and explains(causes[0].explained_share) else ""
    return f"{ctx.label(change.metric)} moved in the week of {change.after}{cause}"


def _where_late(ctx: ReportContext) -> ReportTable | None:
    """Where late deliveries of the period concentrate: the cells (market, category, seller tier, carrier)
    with the most late orders above the period's overall rate, each with enough delivered orders."""
    metric = "late_delivery_rate"
    if not ctx.computable(metric):
        return None
    p = ctx.period
    overall = compute_metrics(ctx.warehouse, metrics=[metric], period=p.grain, start=p.start, end=p.end, catalogue=ctx.catalogue)
    if overall.empty:
        return None
    rate = float(overall["value"].iloc[0])
    cells = []
    for dim in ("market", "category", "seller_tier", "carrier"):
        if not ctx.catalogue.allows(metric, dim):
            continue
        cut = compute_metrics(ctx.warehouse, metrics=[metric], by=[dim], period=p.grain, start=p.start, end=p.end,
                              catalogue=ctx.catalogue)
        cut = cut[(cut["denominator"] >= ctx.rules.min_sample) & ~cut[dim].astype(str).str.startswith("(")]
        for r in cut.itertuples():
            excess = (float(r.value) - rate) * float(r.denominator)
            if excess >= 0.5:  # at least one late order above the overall rate
                label = f"{dim.replace('_', ' ')} {str(getattr(r, dim)).replace('_', ' ')}"
                cells.append((excess, label, float(r.value), float(r.denominator)))
    if not cells:
        return None
    unit = ctx.catalogue[metric].unit
    rows = tuple((label, format_number(value, unit), f"{den:,.0f}", f"{excess:,.0f}")
                 for excess, label, value, den in sorted(cells, reverse=True)[:MAX_CELLS])
    return ReportTable(f"Where late deliveries concentrate, {p.label} (overall {format_number(rate, unit)})",
                 ("slice", "late delivery rate", "delivered orders", "late orders above the overall rate"), rows,
                 f"metric {metric} by market, category, seller tier and carrier, {p.label}")


def _earlier(change, ctx: ReportContext) -> bool:
    """True when the move's week ended before the report period began."""
    week_end = dt.date.fromisoformat(change.after.split("..")[-1]) + dt.timedelta(days=6)
    return relevance(week_end, ctx.period.start) == EARLIER


def explains(share: float) -> bool:
    """A share of the change worth printing: a cause that moved against the change (negative) or
    overshot it (above 1) explains no share of it."""
    return bool(np.isfinite(share) and 0.0 < share <= 1.0)


def cause_level(metric, measure: str, value: float) -> tuple[float, str]:
    """A cause's level and its unit: a rate in the metric's unit, or (additive localisation, `measure`
    not 'ratio') a count of numerator events. The report and the dashboard both read causes so."""
    if measure == "ratio":
        return value * metric.per, metric.unit
    return value, metric.business_unit or "count"


def _cause_number(ctx: ReportContext, change, value: float, source: Source) -> Number:
    level, unit = cause_level(ctx.catalogue[change.metric], change.localization.measure, value)
    if change.localization.measure == "ratio":
        return ctx.metric_number(change.metric, level)
    return Number(level, unit, source, currency=ctx.currency)


def _series_figure(ctx: ReportContext, metric: str, weekly: pd.DataFrame, changes) -> Figure:
    """The metric by week in the text's scale, with its 95% band, the period's target and the anomalies."""
    series = weekly[weekly["metric"] == metric]
    periods = pd.to_datetime(series["period_start"])
    factor, unit = display_scale(ctx.catalogue[metric].unit, ctx.currency)
    lookup = dict(zip(periods.dt.date.astype(str), factor * series["value"]))
    marks = [(pd.Timestamp(c.after), lookup[c.after]) for c in changes if c.metric == metric and c.after in lookup]
    label = ctx.label(metric)
    goals = [t.target for t in ctx.targets if t.metric == metric and not t.slice and t.start == ctx.period.start
             and t.target is not None]
    return charts.time_series(
        periods, {label: (factor * series["value"]).tolist()},
        bands={label: ((factor * series["ci_low"]).tolist(), (factor * series["ci_high"]).tolist())},
        target=("target", factor * goals[0]) if goals else None,
        highlight=(pd.Timestamp(ctx.period.start), pd.Timestamp(ctx.period.end)),
        title=f"{label} by week", ylabel=unit, xlabel="week starting", marks=marks, mark_label="anomaly",
        alt=f"Weekly {label} with its 95% interval, the target and anomalies circled")


def _decomposition(ctx: ReportContext) -> Finding | None:
    """Mix vs rate split of a ratio metric's change from the previous period to the report period."""
    metric = next((m for m in DECOMPOSED if ctx.computable(m)), None)
    dim = DECOMPOSED_BY
    if metric is None:
        return None
    previous = ctx.period.previous()
    cube = compute_metrics(ctx.warehouse, metrics=[metric], by=[dim], period=ctx.period.grain, start=previous.start,
                           end=ctx.period.end, catalogue=ctx.catalogue)
    before = cube[pd.to_datetime(cube["period_start"]).dt.date == previous.start]
    after = cube[pd.to_datetime(cube["period_start"]).dt.date == ctx.period.start]
    if before.empty or after.empty:
        return None
    result = decompose_mix_rate(before, after, by=dim, numerator="numerator", denominator="denominator")
    per = ctx.catalogue[metric].per
    top = result.segments.iloc[0]
    source = Source("analysis", "decompose_mix_rate", f"{metric} by {dim}, {previous.label} to {ctx.period.label}")
    unit = ctx.catalogue[metric].unit
    numbers = {
        "from": ctx.metric_number(metric, result.metric_before * per), "to": ctx.metric_number(metric, result.metric_after * per),
        "mix": Number(result.mix_effect * per, unit, source, signed=True),
        "rate": Number(result.rate_effect * per, unit, source, signed=True),
        "top": Number(float(top["total_effect"]) * per, unit, source, signed=True),
    }
    return Finding("{label} went from {from} in {previous} to {to} in {period}: {rate} from changed rates within "
                   "each {dim} and {mix} from a changed {dim} mix; {top_name} contributed most ({top}).", numbers,
                   {"label": ctx.label(metric), "previous": previous.label, "period": ctx.period.label, "dim": dim,
                    "top_name": cause_label({dim: top[dim]})})
