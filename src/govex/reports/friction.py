"""Friction and opportunities by segment x journey, sized in contacts, money and CSAT points.

Cells come from the metric layer for the report period: contacts and repeat contacts
(repeat_contact_rate's numerator and denominator), CSAT sums and responses (csat), median
resolution hours (resolution_time_p50_h) by segment x journey, and orders by segment. The
segment's orders are the exposure of each of its journeys, and contacts are priced at the
period's overall cost per contact (the catalogue has no cost by segment), which the narrative says.
"""
from __future__ import annotations

import pandas as pd

from govex.analysis import find_friction
from govex.analysis.materiality import judge, membership_valid, proportion_interval
from govex.metrics import compute_metrics
from govex.reports import charts
from govex.reports.context import Built, ReportContext
from govex.reports.actions import action
from govex.reports.formatting import format_percent, format_plain, readable
from govex.reports.model import Finding, Number, ReportIssue, ReportTable, Section, Source
from govex.segments import ASSIGNMENTS_TABLE

TITLE = "Friction and opportunities by segment and journey"
MIN_ORDERS = 200.0
TOP = 8


def period_cost_per_contact(ctx: ReportContext) -> float:
    """The metric layer's cost per contact over the report period: the one price of a contact in the report."""
    if not ctx.computable("cost_per_contact"):
        return 0.0
    p = ctx.period
    rows = compute_metrics(ctx.warehouse, metrics=["cost_per_contact"], period=p.grain, start=p.start, end=p.end,
                           catalogue=ctx.catalogue, partial=True)
    return float(rows["value"].iloc[0]) if len(rows) and pd.notna(rows["value"].iloc[0]) else 0.0


def _cells(ctx: ReportContext) -> tuple[pd.DataFrame, float]:
    seg = f"segment:{ctx.framework}"
    p = ctx.period
    by_journey = compute_metrics(ctx.warehouse, metrics=["repeat_contact_rate", "csat", "resolution_time_p50_h"],
                                 by=[seg, "journey"], period=p.grain, start=p.start, end=p.end, catalogue=ctx.catalogue)
    orders = compute_metrics(ctx.warehouse, metrics=["orders"], by=[seg], period=p.grain, start=p.start, end=p.end,
                             catalogue=ctx.catalogue).set_index(seg)["value"]
    cost_per_contact = period_cost_per_contact(ctx)
    by_journey = by_journey[by_journey["journey"].notna() & ~by_journey["journey"].isin(["(all)", "(none)"])]

    def side(metric: str, column: str, value: str) -> pd.Series:
        rows = by_journey[by_journey["metric"] == metric]
        return rows.set_index([seg, "journey"])[column].rename(value)

    cells = pd.concat([side("repeat_contact_rate", "denominator", "contacts"),
                       side("repeat_contact_rate", "numerator", "repeat_contacts"),
                       side("csat", "numerator", "csat_sum"), side("csat", "denominator", "csat_responses"),
                       side("resolution_time_p50_h", "value", "resolution_p50_h")], axis=1).fillna(0.0).reset_index()
    cells = cells.rename(columns={seg: "segment"})
    cells["orders"] = cells["segment"].map(orders).fillna(0.0)
    cells["resolution_hours_sum"] = cells["resolution_p50_h"] * cells["contacts"]
    cells["cost"] = cells["contacts"] * cost_per_contact
    return cells, cost_per_contact



def _assignment_date(ctx: ReportContext):
    """The as-of date of the framework's latest segment assignments (None when there are none)."""
    table = ctx.warehouse.table(ASSIGNMENTS_TABLE)
    value = table.filter(table.framework == ctx.framework).as_of.max().execute()
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _issue(ctx: ReportContext, r, money: Number, source: Source) -> ReportIssue:
    """The largest friction cell as an executive-summary issue: its contacts avoidable at the best segment's rates."""
    previous = ctx.period.previous()
    avoidable = float(r["contacts_avoidable"] + r["repeat_avoidable"])
    segment, journey = str(r["segment"]), readable(r["journey"])
    # closing the repeat gap: the repeat rate moves to the best segment's; interval from the cell's Wilson interval
    low, high = proportion_interval(float(r["repeat_contacts"]), float(r["contacts"]))
    expected = Number(float(r["best_repeat_rate"] - r["repeat_rate"]), "share of contacts", source, signed=True)
    card = action(f"Fix the {journey} journey for {segment} customers", metric="repeat_contact_rate",
                  category="experience", expected=expected, half_width=(high - low) / 2, sample=float(r["contacts"]),
                  period=ctx.period, rules=ctx.rules, segment=f"{ctx.framework}={segment}", journey=str(r["journey"]))
    return ReportIssue(title=f"{segment} customers' {journey} journey trails the best segment",
                 kpi=f"Repeat contacts, {segment} customers in the {journey} journey",
                 value=Number(float(r["repeat_rate"]), "share of contacts", source), target=None,
                 previous=None, last_year=None,
                 cause=f"repeat contacts {format_percent(r['repeat_rate'])} against {format_percent(r['best_repeat_rate'])} "
                       f"for the best segment in the same journey",
                 action=card, money=money, affected=Number(avoidable, "contacts", source), section="friction",
                 previous_label=previous.label)


def friction_section(ctx: ReportContext) -> Built:
    """The segment x journey cells furthest behind the best segment of the same journey, sized."""
    if not ctx.warehouse.has("contacts"):
        return Built(Section("friction", TITLE, "Friction by segment needs contacts",
                             absent="Skipped: the warehouse has no contacts table, so contact friction cannot be sized."))
    if not ctx.warehouse.has(ASSIGNMENTS_TABLE):
        return Built(Section("friction", TITLE, "Friction by segment is absent.",
                             absent=f"The warehouse has no {ASSIGNMENTS_TABLE} table, so experience gaps by segment cannot be "
                                    "sized; run `govex segment` (govex.segments.run_segmentation) first."))
    cells, cost_per_contact = _cells(ctx)
    if cells.empty or cells["orders"].max() <= 0:
        return Built(Section("friction", TITLE, "Friction by segment is absent.",
                             absent=f"No contacts or orders by segment and journey in {ctx.period.label}."))
    ranked = find_friction(cells, min_volume=min(MIN_ORDERS, 0.5 * float(cells["orders"].max())),
                           min_contacts=min(ctx.rules.min_sample, float(cells["contacts"].max())))
    source = Source("analysis", "find_friction",
                    f"{ctx.framework} segment x journey, {ctx.period.label}; contacts at the period's cost per contact")
    cur = ctx.currency
    findings, actions, issues = [], [], []
    as_of = _assignment_date(ctx)
    if as_of is not None and not membership_valid(as_of, ctx.period.start, ctx.period.end, ctx.rules):
        return Built(Section("friction", TITLE, f"Segments are not valid for {ctx.period.label}",
                             absent=f"Segments are assigned as of {as_of}, outside {ctx.period.label}; sizing that period's "
                                    "friction by them would mix up who was in each segment then. Assign segments as of "
                                    "the period's end to see it."))
    # evidence: a cell's repeat rate and CSAT need enough contacts behind them
    enough = ranked["contacts"] >= ctx.rules.min_sample
    top = ranked[enough & ((ranked["cost_opportunity"] > 0) | (ranked["csat_points"] > 0))].head(TOP)
    avoidable = top["contacts_avoidable"] + top["repeat_avoidable"]
    findings.append(Finding(
        "Closing the gap of each segment x journey to the best segment of the same journey would avoid about "
        "{contacts} contacts in {period}, worth {cost} at {cpc}, across the top {n} cells.",
        {"contacts": Number(float(avoidable.sum()), "count", source),
         "cost": Number(float(top["cost_opportunity"].sum()), "money", source, currency=cur),
         "cpc": ctx.metric_number("cost_per_contact", cost_per_contact), "n": Number(len(top), "count", source)},
        {"period": ctx.period.label}))
    thin = int((~enough & (ranked["contacts"] > 0)).sum())
    if thin:
        findings.append(Finding("{n} segment x journey cells with fewer than {min} contacts are not ranked: not enough "
                                "data.", {"n": Number(thin, "count", source), "min": Number(ctx.rules.min_sample, "count", source)}))
    for r in top.head(3).itertuples():
        numbers = {"repeat": Number(r.repeat_rate, "share of contacts", source),
                   "best_repeat": Number(r.best_repeat_rate, "share of contacts", source),
                   "cost": Number(r.cost_opportunity, "money", source, currency=cur),
                   "contacts": Number(r.contacts, "count", source)}
        words = {"segment": r.segment, "journey": readable(r.journey), "csat": ""}
        if r.csat_gap > 0:
            numbers |= {"csat_value": ctx.metric_number("csat", r.csat), "best_csat": ctx.metric_number("csat", r.best_csat)}
            words["csat"] = ", CSAT {csat_value} (best {best_csat})"
        template = ("{segment} customers in the {journey} journey ({contacts} contacts): repeat contacts {repeat} (best "
                    "segment {best_repeat})" + words.pop("csat") + "; opportunity {cost}.")
        findings.append(Finding(template, numbers, words))
    if len(top):
        r = top.iloc[0]
        money = Number(float(r["cost_opportunity"]), "money", source, currency=cur)
        evidence = judge(sample=float(r["contacts"]), money=money.value, rules=ctx.rules)
        if evidence.headline:
            issues.append(_issue(ctx, r, money, source))
        else:
            findings.append(Finding("The largest cell ({cost}) is below the materiality threshold of {limit}, so it is not "
                                    "raised as an issue.", {"cost": money, "limit": Number(ctx.rules.min_money, "money", source,
                                                                                          currency=cur)}))
    sized = ranked[enough & (ranked["cost_opportunity"] > 0)]
    labels, values = charts.with_other([f"{s}, {readable(j)}" for s, j in zip(sized["segment"], sized["journey"])],
                                       sized["cost_opportunity"].tolist(), TOP)
    figure = charts.horizontal_bars(labels, values,
                                    title=f"Sized opportunity by segment and journey, {ctx.period.label}",
                                    xlabel=f"avoidable contact cost ({cur or 'reporting currency'})",
                                    alt="Bars of the avoidable contact cost per segment and journey", zero_line=False)
    rows = tuple((r.segment, readable(r.journey), f"{r.contacts:,.0f}", format_plain(100 * r.repeat_rate, digits=1),
                  format_plain(r.csat), f"{r.contacts_avoidable + r.repeat_avoidable:,.0f}",
                  f"{r.cost_opportunity:,.0f}") for r in top.itertuples())
    table = ReportTable("Largest friction cells", ("segment", "journey", "contacts", "repeat %", "CSAT (1-5)",
                                             "avoidable contacts", f"opportunity ({cur})"),
                  rows, source.label())
    message = (f"{findings[0].numbers['cost'].text} of avoidable contacts in the top {len(top)} segment x journey cells"
               if len(top) else f"No segment x journey cell trails its journey's best with enough data in {ctx.period.label}")
    return Built(Section("friction", TITLE, message, tuple(findings), (figure,) if len(top) else (), (table,)),
                 tuple(actions), tuple(issues))
