"""Segment sizes, health scores and the segments whose health moved most."""
from __future__ import annotations

import pandas as pd

from govex.metrics import load_health_config, segment_health
from govex.metrics.health import DEFAULT_HEALTH
from govex.reports import charts
from govex.reports.context import Built, ReportContext, count
from govex.reports.formatting import format_percent, format_plain
from govex.reports.model import Finding, Number, Section, Source, Table
from govex.segments import ASSIGNMENTS_TABLE, segment_profile

TITLE = "Segment health and movers"
HEALTH_UNIT = "health points"


def segment_section(ctx: ReportContext) -> Built:
    """Sizes from the latest assignments, monthly health composite and the biggest movers."""
    if not ctx.warehouse.has(ASSIGNMENTS_TABLE):
        return Built(Section("segments", TITLE, "Segment data is absent.",
                             absent=f"The warehouse has no {ASSIGNMENTS_TABLE} table, so segment sizes and health cannot be "
                                    "shown; run `govex segment` (govex.segments.run_segmentation) first."))
    profile = segment_profile(ctx.warehouse, framework=ctx.framework)
    if profile.empty:
        return Built(Section("segments", TITLE, "Segment data is absent.",
                             absent=f"No customer has a segment of the {ctx.framework!r} framework; run `govex segment`."))
    config = load_health_config().model_copy(update={"framework": ctx.framework})
    health = segment_health(ctx.warehouse, config=config, end=ctx.period.end, catalogue=ctx.catalogue)
    spec = Source("spec", "segment health", f"{DEFAULT_HEALTH.parent.name}/{DEFAULT_HEALTH.name}, framework {ctx.framework}")
    sizes = Source("segments", ASSIGNMENTS_TABLE, f"framework {ctx.framework}, as of {profile['as_of'].iloc[0]}")
    total = int(profile["customers"].sum())
    biggest = profile.sort_values("customers", ascending=False).iloc[0]
    findings = [Finding("The {framework} framework places {total} customers in {n} segments; the largest, {segment}, "
                        "holds {share} of them.",
                        {"total": count(total, sizes), "n": count(len(profile), sizes),
                         "share": Number(float(biggest["share_customers"]), "share of customers", sizes)},
                        {"framework": ctx.framework, "segment": str(biggest["segment"])})]
    actions = []
    latest = health.scores.sort_values("period_start").groupby("segment").tail(1).set_index("segment")["health"]
    for m in health.movers.head(3).itertuples():
        if not m.main_component:
            continue
        direction = "rose" if m.change > 0 else "fell"
        numbers = {"before": Number(m.health_before, HEALTH_UNIT, spec), "after": Number(m.health_after, HEALTH_UNIT, spec),
                   "change": Number(m.change, HEALTH_UNIT, spec, signed=True)}
        words = {"segment": m.segment, "direction": direction, "component": ctx.label(m.main_component)}
        findings.append(Finding("Health of the {segment} segment {direction} from {before} to {after} ({change}; 50 = average "
                                "of all segments and months) over the last month, driven mostly by {component}.", numbers, words))
    worst = health.movers[health.movers["change"] < 0].head(1)
    for m in worst.itertuples():
        if m.main_component:
            actions.append(Finding("Look into the {segment} segment: its health fell by {drop} last month, mostly "
                                   "through {component}.", {"drop": Number(-m.change, HEALTH_UNIT, spec)},
                                   {"segment": m.segment, "component": ctx.label(m.main_component)}))
    wide = health.scores.pivot(index="period_start", columns="segment", values="health").sort_index()
    figure = charts.time_series(
        pd.to_datetime(wide.index), {str(s): wide[s].tolist() for s in wide.columns},
        title=f"Segment health by month ({ctx.framework} framework)", ylabel="health score (50 = average)",
        xlabel="month", alt="Monthly health score of each segment")
    change = health.movers.set_index("segment")["change"] if not health.movers.empty else pd.Series(dtype=float)
    rows = tuple((str(r.segment), f"{int(r.customers):,}", format_percent(r.share_customers),
                  format_plain(latest.get(r.segment), digits=1), format_plain(change.get(r.segment), digits=1, signed=True),
                  format_plain(r.orders_per_customer), format_plain(r.csat))
                 for r in profile.itertuples())
    table = Table(f"Segments of the {ctx.framework} framework",
                  ("segment", "customers", "share", "health", "health change", "orders per customer", "CSAT (1-5)"),
                  rows, f"{sizes.label()}; {spec.label()}")
    message = findings[1].text if len(findings) > 1 else findings[0].text
    return Built(Section("segments", TITLE, message, tuple(findings), (figure,), (table,)), tuple(actions))
